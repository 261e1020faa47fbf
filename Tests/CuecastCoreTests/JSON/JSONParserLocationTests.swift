import Testing

@testable import CuecastCore

struct JSONParserLocationTests {
    private static let document = #"""
        {
          "title": "Launch",
          "events" :   [
            {"at": 0, "data": {"n": 1}},
            [true, null, -2.5e3]
          ],
          "say": "a \"quoted\" é 😀", "after": 7
        }
        """#

    @Test func valuesAndKeysInAMultiLineDocument() throws {
        let root = try JSONParser.parse(Self.document)
        #expect(root.location == at(1, 1))
        let members = try #require(root.members)
        #expect(members.map(\.key) == ["title", "events", "say", "after"])
        #expect(members.map(\.keyLocation) == [at(2, 3), at(3, 3), at(7, 3), at(7, 30)])
        #expect(members.map(\.value.location) == [at(2, 12), at(3, 16), at(7, 10), at(7, 39)])

        let events = try #require(members[1].value.elements)
        #expect(events.map(\.location) == [at(4, 5), at(5, 5)])

        let event = try #require(events[0].members)
        #expect(event.map(\.keyLocation) == [at(4, 6), at(4, 15)])
        #expect(event.map(\.value.location) == [at(4, 12), at(4, 23)])
        let data = try #require(event[1].value.members)
        #expect(data.map(\.keyLocation) == [at(4, 24)])
        #expect(data.map(\.value.location) == [at(4, 29)])

        let scalars = try #require(events[1].elements)
        #expect(scalars.map(\.location) == [at(5, 6), at(5, 12), at(5, 18)])
    }

    @Test func crlfLineEndings() throws {
        let text = ["{", #"  "a": 1,"#, #"  "b": ["#, #"    "é", true"#, "  ]", "}"].joined(separator: "\r\n")
        let members = try #require(try JSONParser.parse(text).members)
        #expect(members.map(\.keyLocation) == [at(2, 3), at(3, 3)])
        #expect(members.map(\.value.location) == [at(2, 8), at(3, 8)])
        #expect(try #require(members[1].value.elements).map(\.location) == [at(4, 5), at(4, 10)])
    }

    @Test func multiByteCharactersBeforeTheNodeCountAsOneColumnEach() throws {
        let members = try #require(try JSONParser.parse(#"{"ключ": "значение", "k": 1}"#).members)
        #expect(members.map(\.keyLocation) == [at(1, 2), at(1, 22)])
        #expect(members.map(\.value.location) == [at(1, 10), at(1, 27)])
    }

    /// Columns count the characters as written, not as decoded: `\u00e9` is six columns.
    @Test func escapesBeforeTheNodeCountAsWritten() throws {
        let elements = try #require(try JSONParser.parse(#"["\u00e9\ud83d\ude00", 2, "a\\", 3, "\"", 4]"#).elements)
        #expect(elements.map(\.location) == [at(1, 2), at(1, 24), at(1, 27), at(1, 34), at(1, 37), at(1, 43)])
    }

    @Test func emptyContainersTabsAndLeadingWhitespace() throws {
        let elements = try #require(try JSONParser.parse("[[], {}, [ ], { }]").elements)
        #expect(elements.map(\.location) == [at(1, 2), at(1, 6), at(1, 10), at(1, 15)])

        let members = try #require(try JSONParser.parse("{\t\"a\":\t1}").members)
        #expect(members.map(\.keyLocation) == [at(1, 3)])
        #expect(members.map(\.value.location) == [at(1, 8)])

        #expect(try JSONParser.parse("\n\n   42  ").location == at(3, 4))
    }

    /// A one-character token sits at the same column in a valid text (our scanner's location) and in
    /// an invalid one (jansson's error column), so the two conventions must agree there.
    @Test(arguments: [
        (#"["日本語😀", "#, "]"), (#"{"é": ["ü", "#, "]}"), ("[\r\n  \"é\",\r\n  \"😀\", ", "]"),
    ])
    func scannerColumnsAgreeWithJanssonErrorColumns(prefix: String, suffix: String) throws {
        var last = try JSONParser.parse(prefix + "1" + suffix)
        while let next = last.elements?.last ?? last.members?.last?.value { last = next }
        #expect(last.value == .integer(1))

        let error = try #require(throws: JSONSyntaxError.self) {
            try JSONParser.parse(prefix + "x" + suffix)
        }
        #expect(error.message == "invalid token near 'x'")
        #expect(error.location == last.location)
    }
}

private func at(_ line: Int, _ column: Int) -> CuecastCore.SourceLocation {
    CuecastCore.SourceLocation(line: line, column: column)
}

extension JSONNode {
    fileprivate var members: [JSONMember]? {
        if case .object(let members) = kind { members } else { nil }
    }

    fileprivate var elements: [JSONNode]? {
        if case .array(let elements) = kind { elements } else { nil }
    }
}

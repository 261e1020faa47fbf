import Testing

@testable import CuecastCore

struct JSONParserValueTests {
    @Test func scalars() throws {
        #expect(try JSONParser.parse("null").value == .null)
        #expect(try JSONParser.parse("true").value == .bool(true))
        #expect(try JSONParser.parse("false").value == .bool(false))
        #expect(try JSONParser.parse("42").value == .integer(42))
        #expect(try JSONParser.parse("-7").value == .integer(-7))
        #expect(try JSONParser.parse("2.5").value == .number(2.5))
        #expect(try JSONParser.parse(#""hi""#).value == .string("hi"))
        #expect(try JSONParser.parse("  \n 3 \r\n").value == .integer(3))
    }

    @Test(arguments: [
        ("1", JSONValue.integer(1)), ("-0", .integer(0)), ("1.0", .number(1)), ("1e3", .number(1000)),
        ("1E3", .number(1000)), ("1.5e+3", .number(1500)), ("-2.5e-1", .number(-0.25)),
    ])
    func integerVersusNumber(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(text).value == expected)
    }

    @Test func integerAndNumberAreDifferentValues() {
        #expect(JSONValue.integer(1) != .number(1))
        #expect(Set<JSONValue>([.integer(1), .number(1)]).count == 2)
    }

    @Test func negativeZeroRealKeepsItsSign() throws {
        guard case .number(let value) = try JSONParser.parse("-0.0").kind else {
            Issue.record("-0.0 is not a number")
            return
        }
        #expect(value == 0 && value.sign == .minus)
    }

    @Test func typeNames() throws {
        let node = try JSONParser.parse(#"[null, true, 1, 1.5, "s", [], {}]"#)
        guard case .array(let elements) = node.kind else {
            Issue.record("not an array")
            return
        }
        #expect(elements.map(\.typeName) == ["null", "boolean", "integer", "number", "string", "array", "object"])
        #expect(node.typeName == "array")
    }

    @Test func nestedValue() throws {
        let text = #"{"title": "Launch", "events": [{"at": 0, "data": {"n": [1, 2.5, null]}}, [], {}], "on": false}"#
        let expected = JSONValue.object([
            ("title", .string("Launch")),
            ("events", .array([
                .object([("at", .integer(0)), ("data", .object([("n", .array([.integer(1), .number(2.5), .null]))]))]),
                .array([]), .object([]),
            ])),
            ("on", .bool(false)),
        ])
        #expect(try JSONParser.parse(text).value == expected)
    }

    @Test func keyOrderIsTextOrder() throws {
        let value = try JSONParser.parse(#"{"z": 1, "a": 2, "m": 3, "b": 4}"#).value
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.0) == ["z", "a", "m", "b"])
        #expect(value != .object([("a", .integer(2)), ("b", .integer(4)), ("m", .integer(3)), ("z", .integer(1))]))
    }

    /// jansson's hashtable grows several times on the way to 1,000 keys; its iteration order must stay
    /// insertion order, or the position walk would pair keys with the wrong text.
    @Test func keyOrderSurvivesManyKeysAndEveryKeyGetsItsOwnLine() throws {
        let keys = (0..<1000).map { "k\(($0 * 7919) % 1000)" }
        let text = "{\n" + keys.enumerated().map { "  \"\($1)\": \($0)" }.joined(separator: ",\n") + "\n}"
        guard case .object(let members) = try JSONParser.parse(text).kind else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == keys)
        #expect(members.map(\.keyLocation) == (0..<1000).map { CuecastCore.SourceLocation(line: $0 + 2, column: 3) })
        #expect(members.map(\.value.value) == (0..<1000).map { JSONValue.integer(Int64($0)) })
    }

    @Test func nulInsideStringIsPreserved() throws {
        let value = try JSONParser.parse(#"["a\u0000b", "\u0000"]"#).value
        #expect(value == .array([.string("a\u{0}b"), .string("\u{0}")]))
        guard case .array(let strings) = value, case .string(let first) = strings.first else {
            Issue.record("unexpected shape")
            return
        }
        #expect(Array(first.utf8) == [0x61, 0x00, 0x62])
    }

    @Test func escapes() throws {
        let value = try JSONParser.parse(#""\" \\ \/ \b \f \n \r \t""#).value
        #expect(value == .string("\" \\ / \u{8} \u{C} \n \r \t"))
    }

    @Test func unicodeEscapesIncludingSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\u00e9\u65E5""#).value == .string("é日"))
        #expect(try JSONParser.parse(#""\ud83d\ude00""#).value == .string("😀"))
        #expect(try JSONParser.parse(#""\u2028\u2029""#).value == .string("\u{2028}\u{2029}"))
        #expect(try JSONParser.parse(#""é😀""#).value == .string("é😀"))
    }

    @Test func bigAndSmallNumbers() throws {
        #expect(try JSONParser.parse("9223372036854775807").value == .integer(.max))
        #expect(try JSONParser.parse("-9223372036854775808").value == .integer(.min))
        #expect(try JSONParser.parse("1.7976931348623157e308").value == .number(.greatestFiniteMagnitude))
        #expect(try JSONParser.parse("5e-324").value == .number(.leastNonzeroMagnitude))
        #expect(try JSONParser.parse("123456789012345678901234567890.0").value == .number(1.2345678901234568e29))
        // jansson accepts underflow (it only rejects overflow) and yields zero.
        #expect(try JSONParser.parse("1e-400").value == .number(0))
    }

    @Test func bytesAndStringGiveTheSameValue() throws {
        let text = #"{"é": ["x\u0000", 1, 2.0, null]}"#
        #expect(try JSONParser.parse(Array(text.utf8)).value == JSONParser.parse(text).value)
    }

    @Test func deepestNestingJanssonAllows() throws {
        let depth = 2048
        let node = try JSONParser.parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        var levels = 1
        var current = node
        while case .array(let elements) = current.kind, let inner = elements.first {
            levels += 1
            current = inner
        }
        #expect(levels == depth)
        #expect(current.location == CuecastCore.SourceLocation(line: 1, column: depth))
        #expect(node.value == node.value)
    }
}

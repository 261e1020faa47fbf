import Testing

@testable import CuecastCore

/// Every expected message and location below is what jansson 2.14 actually reported for the input
/// (jansson's column is that of the last character it read, usually the end of the offending token).
struct JSONParserErrorTests {
    @Test func duplicateKeyOnLineFour() {
        let text = """
            {
              "id": "launch",
              "title": "Launch",
              "title": "Again"
            }
            """
        let error = expectError(text, 4, 9, #"duplicate object key near '"title"'"#)
        #expect(error?.description == #"4:9: duplicate object key near '"title"'"#)
    }

    @Test func duplicateKeyWrittenWithAnEscape() {
        expectError(#"{"a": 1, "\u0061": 2}"#, 1, 17, #"duplicate object key near '"\u0061"'"#)
    }

    @Test func missingComma() {
        expectError("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 5, #"'}' expected near '"b"'"#)
    }

    @Test func trailingComma() {
        expectError("{\n  \"a\": 1,\n}", 3, 1, "string or '}' expected near '}'")
        expectError("[1,2,]", 1, 6, "unexpected token near ']'")
    }

    @Test func unterminatedString() {
        expectError("{\n  \"a\": \"abc\n}", 2, 11, #"unexpected newline near '"abc'"#)
        expectError(#""abc"#, 1, 4, #"premature end of input near '"abc'"#)
    }

    /// jansson says column 0 for an empty input; the parser raises it to 1.
    @Test func emptyAndWhitespaceOnlyInput() {
        expectError("", 1, 1, "unexpected token near end of file")
        expectError([], 1, 1, "unexpected token near end of file")
        expectError("  \n  ", 2, 2, "unexpected token near end of file")
    }

    @Test func garbageAfterTheValue() {
        expectError(#"{"a":1} x"#, 1, 9, "end of file expected near 'x'")
        expectError("1 2", 1, 3, "end of file expected near '2'")
        expectError("{} // comment", 1, 4, "end of file expected near '/'")
    }

    @Test func invalidUTF8() {
        expectError(Array(#"{"a": ""#.utf8) + [0xFF] + Array(#""}"#.utf8), 1, 7, #"unable to decode byte 0xff near '"'"#)
        expectError(Array(#"["ab"#.utf8) + [0xC3] + Array(#""]"#.utf8), 1, 4, #"unable to decode byte 0xc3 near '"ab'"#)
    }

    @Test func byteOrderMarkGetsAClearMessage() throws {
        let message = "byte order mark (U+FEFF) before the JSON text; save the file as UTF-8 without a BOM"
        expectError("\u{FEFF}{}", 1, 1, message)
        expectError([0xEF, 0xBB, 0xBF, 0x31], 1, 1, message)
        // Inside a string it is an ordinary character.
        #expect(try JSONParser.parse("\"\u{FEFF}\"").value == .string("\u{FEFF}"))
    }

    @Test func numbersOutOfRange() {
        expectError("9223372036854775808", 1, 19, "too big integer near '9223372036854775808'")
        expectError("-9223372036854775809", 1, 20, "too big negative integer near '-9223372036854775809'")
        expectError("[1e400]", 1, 6, "real number overflow near '1e400'")
    }

    @Test func notJSON() {
        expectError("[tru]", 1, 4, "invalid token near 'tru'")
        expectError("NaN", 1, 3, "invalid token near 'NaN'")
        expectError("{'a': 1}", 1, 2, "string or '}' expected near '''")
        expectError(#"{"a" 1}"#, 1, 6, "':' expected near '1'")
        expectError("[\"a\tb\"]", 1, 3, #"control character 0x9 near '"a'"#)
        expectError(#"["\ud800"]"#, 1, 9, #"invalid Unicode '\uD800' near '"\ud800"'"#)
        expectError(#"["a\qb"]"#, 1, 5, #"invalid escape near '"a\q'"#)
    }

    /// `\u0000` is allowed in strings (JSON_ALLOW_NUL) but jansson never allows it in keys.
    @Test func nulCharacters() {
        expectError(#"{"a\u0000b": 1}"#, 1, 11, #"NUL byte in object key not supported near '"a\u0000b"'"#)
        expectError([0x5B, 0x22, 0x61, 0x00, 0x22, 0x5D], 1, 3, #"control character 0x0 near '"a'"#)
    }

    @Test func errorColumnsCountCharactersNotBytes() {
        expectError(#"{"é": 1, x}"#, 1, 10, "string or '}' expected near 'x'")
        expectError(#"["😀", x]"#, 1, 7, "invalid token near 'x'")
        expectError("{\"é\": 1,\n \"é\": 2}", 2, 4, #"duplicate object key near '"é"'"#)
    }

    @Test func nestingDeeperThanJanssonsLimit() {
        let depth = 2049
        expectError(String(repeating: "[", count: depth) + String(repeating: "]", count: depth),
                    1, 2049, "maximum parsing depth reached near '['")
    }

    @Test func errorsAreEquatable() {
        let error = JSONSyntaxError(location: CuecastCore.SourceLocation(line: 1, column: 2), message: "m")
        #expect(error == JSONSyntaxError(location: CuecastCore.SourceLocation(line: 1, column: 2), message: "m"))
        #expect(error != JSONSyntaxError(location: CuecastCore.SourceLocation(line: 1, column: 3), message: "m"))
        #expect(error.description == "1:2: m")
    }
}

@discardableResult
private func expectError(_ text: String, _ line: Int, _ column: Int, _ message: String,
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) -> JSONSyntaxError? {
    expectError(Array(text.utf8), line, column, message, sourceLocation: sourceLocation)
}

@discardableResult
private func expectError(_ bytes: [UInt8], _ line: Int, _ column: Int, _ message: String,
                         sourceLocation: Testing.SourceLocation = #_sourceLocation) -> JSONSyntaxError? {
    do {
        let node = try JSONParser.parse(bytes)
        Issue.record("parsed as \(node.value) instead of failing", sourceLocation: sourceLocation)
        return nil
    } catch {
        let expected = JSONSyntaxError(location: CuecastCore.SourceLocation(line: line, column: column), message: message)
        #expect(error == expected, sourceLocation: sourceLocation)
        return error
    }
}

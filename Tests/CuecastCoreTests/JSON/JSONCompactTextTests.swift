import Testing

@testable import CuecastCore

struct JSONCompactTextTests {
    @Test func containersAndScalars() {
        let value = JSONValue.object([
            ("title", .string("Launch")),
            ("at", .array([.integer(1), .number(2.5), .null, .bool(true), .bool(false)])),
            ("empty", .object([])), ("none", .array([])), ("blank", .string("")),
        ])
        #expect(value.compactText == #"{"title":"Launch","at":[1,2.5,null,true,false],"empty":{},"none":[],"blank":""}"#)
    }

    @Test func keysKeepTheirOrder() {
        let value = JSONValue.object([("z", .integer(1)), ("a", .integer(2)), ("m", .integer(3))])
        #expect(value.compactText == #"{"z":1,"a":2,"m":3}"#)
    }

    @Test(arguments: [
        (0.1, "0.1"), (187.5, "187.5"), (2.0, "2.0"), (-0.0, "-0.0"), (1e16, "1e+16"), (1e-7, "1e-07"),
        (.leastNonzeroMagnitude, "5e-324"), (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (.infinity, "null"), (-.infinity, "null"), (.nan, "null"),
    ])
    func doubles(value: Double, expected: String) {
        #expect(JSONValue.number(value).compactText == expected)
    }

    @Test func integers() {
        #expect(JSONValue.integer(0).compactText == "0")
        #expect(JSONValue.integer(-42).compactText == "-42")
        #expect(JSONValue.integer(.min).compactText == "-9223372036854775808")
        #expect(JSONValue.integer(.max).compactText == "9223372036854775807")
    }

    @Test func stringEscapes() {
        let value = JSONValue.string("\"\\/\u{8}\u{C}\n\r\t\u{0}\u{1}\u{1F}\u{7F} é€😀\u{2027}\u{2028}\u{2029}\u{202A}")
        #expect(value.compactText == #""\"\\/\b\f\n\r\t\u0000\u0001\u001f"# + "\u{7F} é€😀\u{2027}" + #"\u2028\u2029"# + "\u{202A}\"")
    }

    @Test func keysAreEscapedToo() {
        #expect(JSONValue.object([("a\"\n", .null)]).compactText == #"{"a\"\n":null}"#)
    }

    @Test func intoAppendsTheSameBytes() {
        let value = JSONValue.array([.string("é\n"), .number(0.5)])
        var bytes = Array("data: ".utf8)
        value.compactText(into: &bytes)
        #expect(bytes == Array("data: ".utf8) + Array(value.compactText.utf8))
    }

    @Test func parsedDocumentBecomesOneLine() throws {
        let text = "{\r\n  \"title\" : \"Launch\\nNow\",\n  \"list\": [ 1 , 2.50, 1e3 ]\n}\n"
        #expect(try JSONParser.parse(text).value.compactText == #"{"title":"Launch\nNow","list":[1,2.5,1000.0]}"#)
    }

    @Test func randomValuesRoundTrip() throws {
        var generator = SplitMix64(seed: 0xC0EC_A57)
        for _ in 0..<400 {
            let value = generator.value(depth: 4)
            let text = value.compactText
            #expect(!text.utf8.contains(UInt8(ascii: "\n")) && !text.utf8.contains(UInt8(ascii: "\r")), "\(text)")
            #expect(try JSONParser.parse(text).value == value, "\(text)")
        }
    }
}

/// A tiny seeded generator (SplitMix64), so the random round-trip test sees the same values every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Characters that stress escaping: controls, quotes, backslash, slash, multi-byte, U+2028/2029, BOM, DEL.
    private static let alphabet: [Character] = Array("az09 \"\\/\u{0}\u{1}\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}\u{7F}é€日😀\u{2028}\u{2029}\u{FEFF}")

    mutating func value(depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 11 : 7), using: &self) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &self))
        case 2: return .integer(Int64(bitPattern: next()))
        case 3: return .integer(Int64.random(in: -1000...1000, using: &self))
        case 4:
            let double = Double(bitPattern: next())
            return .number(double.isFinite ? double : 0.5)
        case 5: return .number(Double(Int.random(in: -100_000...100_000, using: &self)) / 64)
        case 6: return .string(string(allowingNUL: true))
        case 7, 8: return .array((0..<Int.random(in: 0...4, using: &self)).map { _ in value(depth: depth - 1) })
        default:
            var keys: [String] = []
            for _ in 0..<Int.random(in: 0...4, using: &self) {
                let key = string(allowingNUL: false)  // jansson rejects NUL in keys
                if !keys.contains(key) { keys.append(key) }
            }
            return .object(keys.map { ($0, value(depth: depth - 1)) })
        }
    }

    private mutating func string(allowingNUL: Bool) -> String {
        let characters = (0..<Int.random(in: 0...8, using: &self)).map { _ in Self.alphabet.randomElement(using: &self)! }
        return String(allowingNUL ? characters : characters.filter { $0 != "\u{0}" })
    }
}

extension JSONValue {
    /// Compact, single-line JSON text, e.g. `{"title":"Launch","at":[1,2.5]}`, guaranteed to contain no
    /// CR or LF so it fits in one SSE `data:` line.
    ///
    /// - No insignificant whitespace; object members in order; `/` not escaped; non-ASCII written as UTF-8.
    /// - Escaped: `"` `\` as `\"` `\\`; `\b` `\f` `\n` `\r` `\t`; other characters below U+0020 as
    ///   lowercase `\u00XX`. U+2028 and U+2029 are also written as `\u2028`/`\u2029`: valid JSON either
    ///   way, but before ES2019 JavaScript treated them as line terminators, and some line-oriented tools
    ///   still do, so escaping them keeps the output one line for every reader.
    /// - Integers in decimal. Doubles in Swift's shortest round-trip form, always with a `.` or an
    ///   exponent (`2.0`, `0.1`, `1e+16`, `5e-324`) so they parse back as ``number(_:)``, not ``integer(_:)``.
    ///   Non-finite doubles (which parsing never produces) are written as `null`, since JSON has no spelling for them.
    ///
    /// `JSONParser.parse(value.compactText).value == value` for every value whose object keys contain no
    /// NUL character (jansson rejects `\u0000` in keys) and whose objects have no duplicate keys.
    public var compactText: String {
        var bytes: [UInt8] = []
        compactText(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``compactText`` as UTF-8 to `output`, avoiding an intermediate `String`, e.g. when
    /// assembling an SSE event in a byte buffer.
    public func compactText(into output: inout [UInt8]) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .integer(let value):
            output.append(contentsOf: String(value).utf8)
        case .number(let value):
            // Swift's description is the shortest round-trip form and is valid JSON for finite values
            // (`1.0`, `1e-07`, `1e+16`).
            output.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
        case .string(let value):
            Self.appendQuoted(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.compactText(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.appendQuoted(key, to: &output)
                output.append(UInt8(ascii: ":"))
                value.compactText(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func appendQuoted(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        let bytes = string.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20: appendUnicodeEscape(UInt16(byte), to: &output)
            case 0xE2:
                // U+2028 is E2 80 A8 and U+2029 is E2 80 A9; Swift strings are valid UTF-8, so the two
                // following bytes exist whenever the lead byte is E2.
                let second = bytes[index]
                let third = bytes[bytes.index(after: index)]
                if second == 0x80, third == 0xA8 || third == 0xA9 {
                    appendUnicodeEscape(third == 0xA8 ? 0x2028 : 0x2029, to: &output)
                    bytes.formIndex(&index, offsetBy: 2)
                } else {
                    output.append(byte)
                }
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendUnicodeEscape(_ codeUnit: UInt16, to output: inout [UInt8]) {
        output.append(contentsOf: #"\u"#.utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits[Int(codeUnit >> UInt16(shift)) & 0xF])
        }
    }
}

extension ConformanceCase.Response {
    /// What the response sends, for a client's author reading a failed case: status, headers and the body's bytes
    /// with their escapes (`\r`, `\0`, `\xFF` for a byte that is not UTF-8), a long body cut in the middle.
    public var wire: String {
        var head = "\(status)"
        head += contentType.map { " Content-Type: \($0)" } ?? " (no Content-Type)"
        switch location {
        case .again?: head += " Location: (this case's URL)"
        case .empty?: head += " Location: (empty)"
        case nil: break
        }
        var text = Self.escape(body)
        if let idle { text += " …silent \(idle.components.seconds) s… " + Self.escape(tail) }
        if chunkSize == 1 { head += ", one byte per write" } else if let chunkSize { head += ", \(chunkSize) bytes per write" }
        if !breaks.isEmpty { head += ", writes starting at bytes \(breaks)" }
        return head + ", \(bytes.count) bytes: \"" + text + "\""
    }

    static func escape(_ bytes: [UInt8]) -> String {
        let shown = bytes.count > 400 ? Array(bytes.prefix(240)) : bytes
        var text = ""
        var index = 0
        while index < shown.count {
            let byte = shown[index]
            let width = byte < 0x80 ? 1 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0
            if width > 1, index + width <= shown.count, let character = String(validating: shown[index..<index + width], as: UTF8.self) {
                text += character == "\u{FEFF}" ? "\\u{FEFF}" : character
                index += width
                continue
            }
            switch byte {
            case 0x0A: text += "\\n"
            case 0x0D: text += "\\r"
            case 0x09: text += "\\t"
            case 0x00: text += "\\0"
            case 0x22: text += "\\\""
            case 0x5C: text += "\\\\"
            case 0x20..<0x7F: text += String(UnicodeScalar(byte))
            default: text += "\\x" + hex(byte)
            }
            index += 1
        }
        return bytes.count > shown.count ? text + "… (\(bytes.count - shown.count) more bytes)" : text
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}

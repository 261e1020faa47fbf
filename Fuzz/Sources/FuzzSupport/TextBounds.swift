import CuecastCore

/// The lines and columns a text has, counted as `SourceLocation` counts them (only LF starts a line; a column is
/// any byte that is not a UTF-8 continuation byte), to check that a reported position lies inside the text.
///
/// "Inside" includes the spot just past a line's last character: that is where a parser reports "end of input"
/// or a missing character.
public struct TextBounds {
    /// For each line, the byte offset where it starts and its number of columns.
    private var lines: [(start: Int, columns: Int)] = []
    private let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var start = 0
        var columns = 0
        for (offset, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\n") {
                lines.append((start, columns))
                start = offset + 1
                columns = 0
            } else if byte & 0xC0 != 0x80 {
                columns += 1
            }
        }
        lines.append((start, columns))
    }

    public func contains(_ location: SourceLocation) -> Bool {
        guard location.line >= 1, location.line <= lines.count, location.column >= 1 else { return false }
        return location.column <= lines[location.line - 1].columns + 1
    }

    /// The byte offset of the character at `location`, nil if there is none there.
    public func offset(of location: SourceLocation) -> Int? {
        guard contains(location) else { return nil }
        let line = lines[location.line - 1]
        var column = 0
        var offset = line.start
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") {
            if bytes[offset] & 0xC0 != 0x80 {
                column += 1
                if column == location.column { return offset }
            }
            offset += 1
        }
        return nil
    }

    /// The byte at `location`, nil past the end of its line.
    public func byte(at location: SourceLocation) -> UInt8? {
        offset(of: location).map { bytes[$0] }
    }
}

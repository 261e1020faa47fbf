/// Walks JSON text that jansson has already accepted, token by token, tracking line and column.
///
/// jansson does not expose node positions, so ``JSONParser`` steps this scanner in lockstep with
/// jansson's tree: for each value it skips whitespace, reads ``location``, then skips the value's
/// token. The scanner never validates (jansson did); it only needs to know where tokens end.
/// Structural characters are checked, and a walk that fell out of step with the tree throws ``OutOfStep``
/// instead of reporting wrong positions: the text is then refused with an error value, never a crash.
///
/// Columns count code points the way jansson does: every byte that is not a UTF-8 continuation byte
/// starts a new column, and only LF starts a new line.
struct JSONPositionScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var line = 1
    private var column = 1

    /// Creates a scanner at 1:1 of `bytes`, which must outlive it.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The position of the next unread character.
    var location: SourceLocation { SourceLocation(line: line, column: column) }

    /// Whether every byte has been read.
    var isAtEnd: Bool { index == bytes.count }

    /// Skips JSON's four whitespace characters.
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): advance()
            default: return
            }
        }
    }

    /// The scanner and jansson's tree disagree about the text: a bug, reported where the scanner stood.
    struct OutOfStep: Error {
        let location: SourceLocation
        let expected: String
    }

    /// Reads one structural character (`{`, `:`, `,` ...), which must be next.
    mutating func consume(_ expected: Unicode.Scalar) throws(OutOfStep) {
        guard index < bytes.count, bytes[index] == UInt8(ascii: expected) else {
            throw OutOfStep(location: location, expected: "'\(expected)'")
        }
        advance()
    }

    /// Skips a string token, quotes included. A backslash always escapes exactly the next character
    /// (the four hex digits of `\uXXXX` are ordinary characters), so the first unescaped quote ends it.
    mutating func skipString() throws(OutOfStep) {
        try consume("\"")
        while index < bytes.count {
            let byte = bytes[index]
            advance()
            if byte == UInt8(ascii: "\"") { return }
            if byte == UInt8(ascii: "\\") { advance() }
        }
        throw OutOfStep(location: location, expected: "the end of a string")
    }

    /// Skips a number, `true`, `false` or `null`: everything up to the next delimiter.
    mutating func skipScalar() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                 UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                return
            default:
                advance()
            }
        }
    }

    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }
}

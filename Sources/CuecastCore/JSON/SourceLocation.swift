/// A position in a JSON text, for `file:line:column: message` diagnostics.
///
/// Both numbers are 1-based. The column counts Unicode code points, not bytes, and a tab counts as one
/// column: the convention jansson uses for its own error positions, so a location from ``JSONNode`` and
/// one from ``JSONSyntaxError`` point into the same coordinate system. Only LF starts a new line (a CR
/// is an ordinary column, so CRLF files number their lines as expected; CR-only files are one line).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line.
    public let line: Int
    /// The 1-based column, in Unicode code points from the start of the line.
    public let column: Int

    /// Creates a location from a 1-based line and column.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`, e.g. `4:9`, ready to follow a file name.
    public var description: String { "\(line):\(column)" }
}

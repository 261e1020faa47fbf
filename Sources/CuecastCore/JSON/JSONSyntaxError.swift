/// Why a JSON text was rejected, and where.
///
/// Except for a leading byte order mark (which Cuecast reports itself), the location and message are
/// jansson's. jansson's column is that of the *last* character it read, usually the end of the
/// offending token: a duplicate `"title"` key starting at column 3 is reported at column 9, its
/// closing quote.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem was found.
    public let location: SourceLocation
    /// What is wrong, e.g. `duplicate object key near '"title"'`.
    public let message: String

    /// Creates an error; public so callers can compare against an expected error.
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// `line:column: message`, e.g. `4:9: duplicate object key near '"title"'`; prefix it with the file name.
    public var description: String { "\(location): \(message)" }
}

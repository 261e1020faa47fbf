import ArgumentParser
import CuecastClient

/// `cuecast listen`'s exit codes: one per way a stream can end, so a shell script can tell them apart.
enum ListenExitCode: Int32 {
    /// Done: --count or --until-id reached, --timeout passed (with neither of those), Ctrl-C or SIGTERM.
    case done = 0
    /// Something unexpected (an I/O error).
    case failure = 1
    /// The server answered 204 No Content: the stream is over (browsers stop for good).
    case streamOver = 3
    /// Any other status than 200 (after redirects).
    case badStatus = 4
    /// 200, but not `text/event-stream` (or a charset other than UTF-8).
    case wrongContentType = 5
    /// --max-retries attempts in a row got no response.
    case unreachable = 6
    /// --timeout passed before --count events or the --until-id event arrived.
    case timedOut = 7
    /// The server's certificate was refused (neither --cacert nor --insecure made it acceptable).
    case untrustedCertificate = 8
    /// ArgumentParser's usage error (bad option, bad URL), EX_USAGE.
    case usage = 64

    init(closing reason: ClientCloseReason) {
        switch reason {
        case .noContent: self = .streamOver
        case .badStatus: self = .badStatus
        case .wrongContentType: self = .wrongContentType
        case .unreachable: self = .unreachable
        case .invalidURL: self = .usage
        case .untrustedCertificate: self = .untrustedCertificate
        }
    }

    /// The `--help` table.
    static let help = """
        Exit codes: 0 done (--count or --until-id reached, --timeout passed, Ctrl-C); \
        3 the server said 204 No Content (the stream is over); 4 any other status than 200; \
        5 a Content-Type that is not text/event-stream (or not UTF-8); 6 unreachable after --max-retries; \
        7 --timeout passed before --count or --until-id was reached; 8 the server's certificate is not trusted; \
        64 usage error; 1 anything else.
        """
}

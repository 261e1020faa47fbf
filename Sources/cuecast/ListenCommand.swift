import ArgumentParser
import CuecastClient
import CuecastCore
import Foundation
import HTTPTypes

/// `cuecast listen URL`: an `EventSource` for the terminal. Behaves as a browser does (open only on 200
/// `text/event-stream`, reconnect with `Last-Event-ID` after the `retry` time, stop for good on 204 or any other
/// status) and says what it is doing on stderr while events go to stdout.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Listen to an SSE stream like a browser's EventSource, and show what it does.",
        discussion: """
            Events go to stdout as they are dispatched; status lines (connecting, open, reconnecting, closed) go to \
            stderr. Like a browser, it opens the stream only on 200 with Content-Type text/event-stream, reconnects \
            when the connection drops or the stream ends (after the server's retry time, default 3000 ms) sending \
            Last-Event-ID, follows redirects, and stops for good on 204 No Content or any other status. The "open" \
            line names the HTTP version: https URLs get HTTP/2 when the server offers it, else HTTP/1.1.

            Certificates are checked against the system's trust store. For a local one, trust its CA with --cacert \
            (cuecast cert's is certs/cuecast-ca.pem) or skip the check with --insecure. A refused certificate is \
            final: exit 8, no reconnection.

            --backoff grows the wait while reconnection attempts keep failing: ceiling = min(--max-backoff, retry × \
            2^failures), then equal jitter (a random wait in [ceiling/2, ceiling], the default) or full jitter \
            ([0, ceiling]), never less than the retry time. failures counts attempts in a row that got no response; \
            it is 0 after a stream that opened, so the first reconnection always waits exactly the retry time.

            \(ListenExitCode.help)
            """
    )

    @Argument(help: "The stream's URL (http or https).")
    var url: String

    @Option(name: [.customShort("H"), .customLong("header")], help: ArgumentHelp("An extra request header, e.g. 'Authorization: Bearer TOKEN' (repeatable).", valueName: "name: value"))
    var headers: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Start from this id: sent as Last-Event-ID on the first request.", valueName: "id"))
    var lastEventId: String?

    @Option(name: [.customShort("d"), .customLong("data")], help: ArgumentHelp(
        "Send this body with POST (or --method), again on every reconnection: an LLM API's request, say.", valueName: "body"
    ))
    var data: String?

    @Option(name: [.customShort("X"), .customLong("method")], help: ArgumentHelp(
        "The request's method instead of GET (POST with --data), e.g. REPORT, as LaunchDarkly's streaming clients send.", valueName: "method"
    ))
    var method: String?

    @Flag(help: "Print one JSON object per event: {\"type\", \"id\" (lastEventId), \"data\", \"time\" (received, ISO-8601)}.")
    var json = false

    @Flag(help: "Print the bytes exactly as they arrive instead of events.")
    var raw = false

    @Flag(help: "Also print comments (lines starting with ':', e.g. heartbeats).")
    var showComments = false

    @Option(help: ArgumentHelp("Exit 0 after this many events.", valueName: "n"))
    var count: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Exit 0 after dispatching the event whose id (lastEventId) is this, e.g. the sentinel -1.", valueName: "id"))
    var untilId: String?

    @Option(help: ArgumentHelp("Stop after this many seconds (exit 7 if --count or --until-id was not reached by then, else 0).", valueName: "seconds"))
    var timeout: Double?

    @Option(help: ArgumentHelp("Reconnection time until the server sends retry.", valueName: "ms"))
    var defaultRetry: Int = 3000

    @Flag(help: "Exponential back-off with jitter while reconnection attempts fail (formula above).")
    var backoff = false

    @Option(help: ArgumentHelp("Cap on the --backoff wait.", valueName: "seconds"))
    var maxBackoff: Double = 30

    @Option(help: ArgumentHelp("--backoff jitter: equal or full.", valueName: "kind"))
    var jitter: BackoffPolicy.Jitter = .equal

    @Option(help: ArgumentHelp("Give up (exit 6) after this many failed reconnection attempts in a row; unlimited by default, as browsers.", valueName: "n"))
    var maxRetries: Int?

    @Option(help: ArgumentHelp("Reconnect after this long without a byte (a dead connection); 0 waits forever.", valueName: "seconds"))
    var readTimeout: Double = 300

    @Option(help: ArgumentHelp("Also trust the CA certificate(s) in this PEM file, e.g. certs/cuecast-ca.pem from `cuecast cert`.", valueName: "file"))
    var cacert: String?

    @Flag(name: [.customShort("k"), .long], help: "Do not check the server's certificate (self-signed or local ones); says so once on stderr.")
    var insecure = false

    @Flag(name: .shortAndLong, help: "No status lines on stderr (failures are still reported).")
    var quiet = false

    @Flag(help: "No colours, even on a terminal (NO_COLOR also works).")
    var noColor = false

    func validate() throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty
        else {
            throw ValidationError("'\(url)' is not an http:// or https:// URL")
        }
        _ = try parsedHeaders()
        if let lastEventId { try Self.checkID(lastEventId, option: "--last-event-id") }
        if let method { try Self.checkMethod(method, body: data) }
        guard !(json && raw) else { throw ValidationError("--json and --raw cannot be used together") }
        if let count { guard count > 0 else { throw ValidationError("--count must be positive (got \(count))") } }
        if let timeout { guard timeout > 0 else { throw ValidationError("--timeout must be positive (got \(timeout))") } }
        guard defaultRetry >= 0 else { throw ValidationError("--default-retry must not be negative (got \(defaultRetry))") }
        guard maxBackoff > 0 else { throw ValidationError("--max-backoff must be positive (got \(maxBackoff))") }
        if let maxRetries { guard maxRetries >= 0 else { throw ValidationError("--max-retries must not be negative (got \(maxRetries))") } }
        guard readTimeout >= 0 else { throw ValidationError("--read-timeout must not be negative (got \(readTimeout))") }
        guard !(insecure && cacert != nil) else { throw ValidationError("--cacert and --insecure cannot be used together") }
    }

    func run() async throws {
        var configuration = EventSourceClient.Configuration(url: url)
        for (name, value) in try parsedHeaders() { configuration.addHeader(name: name, value: value) }
        configuration.lastEventID = lastEventId ?? ""
        configuration.postBody = data.map { Array($0.utf8) }
        configuration.method = method
        configuration.defaultReconnectionTime = .milliseconds(defaultRetry)
        if backoff {
            configuration.backoff = .exponential(maxDelay: .seconds(maxBackoff), jitter: jitter)
        }
        configuration.maxRetries = maxRetries
        configuration.includeRaw = raw
        let printer = ListenPrinter(mode: json ? .json : raw ? .raw : .pretty, quiet: quiet, colour: !noColor)
        let timeout = self.timeout.map { Duration.seconds($0) }
        let readTimeout = self.readTimeout > 0 ? Duration.seconds(self.readTimeout) : nil
        let (count, untilId, showComments) = (self.count, self.untilId, self.showComments)
        let trust = try serverTrust(printer: printer)
        if trust.skipsVerification { printer.warning(Self.insecureWarning) }

        let outcome = try await EventSourceClient.withHTTPClient(readTimeout: readTimeout, trust: trust) { httpClient in
            let session = ListenSession(
                source: EventSourceClient(configuration: configuration, httpClient: httpClient),
                printer: printer, showComments: showComments, count: count, untilID: untilId
            )
            // Whichever ends first wins: the stream, Ctrl-C, or the timeout; the others are cancelled.
            return await withTaskGroup(of: ListenSession.Outcome.self) { group in
                group.addTask { await session.run() }
                group.addTask {
                    await ListenSignals.interrupted()
                    return .interrupted
                }
                if let timeout {
                    group.addTask {
                        try? await Task.sleep(for: timeout)
                        return .timedOut
                    }
                }
                let first = await group.next() ?? .interrupted
                group.cancelAll()
                return first
            }
        }
        let code = exitCode(for: outcome, printer: printer)
        if code != .done { throw ExitCode(code.rawValue) }
    }

    /// Says why listening ended, and with which exit code.
    private func exitCode(for outcome: ListenSession.Outcome, printer: ListenPrinter) -> ListenExitCode {
        switch outcome {
        case .countReached(let events):
            printer.status("done: \(events) event(s) received (--count)")
            return .done
        case .idSeen(let id):
            printer.status("done: event with id \(id) received (--until-id)")
            return .done
        case .interrupted:
            printer.status("interrupted: closed")
            return .done
        case .timedOut:
            let seconds = timeout.map { String(format: "%g", $0) } ?? "?"
            if count != nil || untilId != nil {
                let goal = [count.map { "\($0) event(s)" }, untilId.map { "the event with id \($0)" }].compactMap { $0 }.joined(separator: " or ")
                printer.failure("timed out after \(seconds) s before \(goal) arrived (--timeout)")
                return .timedOut
            }
            printer.status("done: \(seconds) s passed (--timeout)")
            return .done
        case .closed(let reason):
            printer.failure("closed for good: \(reason)")
            if case .untrustedCertificate = reason { printer.failure(untrustedCertificateHint) }
            return ListenExitCode(closing: reason)
        }
    }

    /// `-H 'Name: value'` options as headers.
    private func parsedHeaders() throws -> [(name: String, value: String)] { try RequestHeaders.parse(headers) }

    /// A method is an HTTP token (RFC 9110 §9.1); methods are case-sensitive, so `report` is not `REPORT` and is
    /// sent as written. A GET or HEAD with a body is refused: servers ignore or reject that body.
    private static func checkMethod(_ method: String, body: String?) throws {
        let token = Set("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        guard !method.isEmpty, method.allSatisfy(token.contains) else {
            throw ValidationError("--method: '\(method)' is not an HTTP method (letters, digits and !#$%&'*+-.^_`|~ only)")
        }
        if body != nil, ["GET", "HEAD"].contains(method) { throw ValidationError("--method \(method) cannot send --data: use POST or REPORT") }
    }

    private static func checkID(_ id: String, option: String) throws {
        do {
            try SSEEvent.validateID(id)
        } catch {
            throw ValidationError("\(option): \(error.reason)")
        }
    }
}

/// `--jitter equal|full`; ArgumentParser refuses anything else (exit 64) and lists the choices.
extension BackoffPolicy.Jitter: ExpressibleByArgument {}

import AsyncHTTPClient
import CuecastCore
import DequeModule
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension EventSourceClient {
    /// One `EventSource`: the connection, the parser and the reconnection state, advanced one output at a time.
    ///
    /// The parser outlives connections: `finish()` at the end of each one discards its unfinished event but keeps
    /// the last event ID and the reconnection time, which is exactly what the next request needs.
    public struct Iterator: AsyncIteratorProtocol {
        private enum State {
            /// Announce the next request (`.connecting`).
            case announce
            /// Send it and judge the response.
            case request
            /// Read the open stream.
            case streaming(HTTPClientResponse.Body.AsyncIterator)
            /// Wait before the next attempt.
            case waiting(Duration)
            case finished
        }

        private let client: EventSourceClient
        private var state = State.announce
        private var parser: EventStreamParser
        /// Outputs already decided, handed out before anything else happens.
        private var pending = Deque<ClientEvent>()
        /// Connection attempts in a row that got no response (reset when a stream opens).
        private var failures = 0

        init(client: EventSourceClient) {
            self.client = client
            self.parser = EventStreamParser(lastEventId: client.configuration.lastEventID)
        }

        /// The next output, or nil once the client closed for good (after `.closed`) or the task was cancelled.
        public mutating func next() async -> ClientEvent? {
            while true {
                if let next = pending.popFirst() { return next }
                if Task.isCancelled { state = .finished }
                switch state {
                case .finished:
                    return nil
                case .announce:
                    state = .request
                    return .connecting(url: client.configuration.url, lastEventID: lastEventIDHeader)
                case .request:
                    await connect()
                case .streaming(let body):
                    await read(body)
                case .waiting(let delay):
                    do {
                        try await client.sleep(delay)
                        state = .announce
                    } catch {
                        state = .finished
                    }
                }
            }
        }

        /// The `Last-Event-ID` to send: the parser's last event ID, unless it is empty.
        private var lastEventIDHeader: String? {
            parser.lastEventId.isEmpty ? nil : parser.lastEventId
        }

        // MARK: Connecting

        private mutating func connect() async {
            let configuration = client.configuration
            var request = HTTPClientRequest(url: configuration.url)
            request.method = configuration.method.map { HTTPMethod(rawValue: $0) } ?? (configuration.postBody == nil ? .GET : .POST)
            if let body = configuration.postBody { request.body = .bytes(ByteBuffer(bytes: body)) }
            request.headers.add(name: "Accept", value: "text/event-stream")
            request.headers.add(name: "Cache-Control", value: "no-cache")
            for (name, value) in configuration.headers {
                request.headers.replaceOrAdd(name: name, value: value)
            }
            request.headers.remove(name: "Last-Event-ID")
            if let lastEventID = lastEventIDHeader {
                request.headers.add(name: "Last-Event-ID", value: lastEventID)
            }

            let response: HTTPClientResponse
            do {
                response = try await client.httpClient.execute(request, deadline: .now() + TimeAmount(configuration.connectTimeout))
            } catch {
                if Task.isCancelled {
                    state = .finished
                } else if let problem = Self.urlProblem(error) {
                    close(.invalidURL(problem))
                } else if case .untrustedCertificate(let problem) = TLSFailure(error) {
                    close(.untrustedCertificate(problem))
                } else {
                    failed(Self.describe(error))
                }
                return
            }

            let status = Int(response.status.code)
            guard status == 200 else {
                let message = status == 204 ? nil : await RefusalMessage.read(response)
                close(status == 204 ? .noContent : .badStatus(status, reason: response.status.reasonPhrase, message: message))
                return
            }
            let contentTypes = response.headers["Content-Type"]
            guard EventStreamContentType.isAcceptable(contentTypes) else {
                close(.wrongContentType(contentTypes.isEmpty ? nil : contentTypes.joined(separator: ", ")))
                return
            }
            failures = 0
            state = .streaming(response.body.makeAsyncIterator())
            let url = response.history.last?.request.url ?? configuration.url
            pending.append(.open(OpenedStream(status: status, url: url, headers: response.headers, version: response.version)))
        }

        // MARK: Reading

        private mutating func read(_ body: HTTPClientResponse.Body.AsyncIterator) async {
            var body = body
            do {
                guard let chunk = try await body.next() else {
                    reconnect(cause: .streamEnded)
                    return
                }
                state = .streaming(body)
                let bytes = chunk.readableBytesView
                if client.configuration.includeRaw { pending.append(.raw(Array(bytes))) }
                for output in parser.feed(bytes) {
                    switch output {
                    case .event(let event): pending.append(.event(event))
                    case .comment(let text): pending.append(.comment(text))
                    case .retry(let milliseconds): pending.append(.retry(milliseconds))
                    }
                }
            } catch {
                if Task.isCancelled {
                    state = .finished
                } else {
                    reconnect(cause: .dropped(Self.describe(error)))
                }
            }
        }

        // MARK: Outcomes

        /// WHATWG "fail the connection": stop for good.
        private mutating func close(_ reason: ClientCloseReason) {
            state = .finished
            pending.append(.closed(reason))
        }

        /// An attempt got no response: retry, unless `maxRetries` attempts in a row have now failed after the first.
        private mutating func failed(_ error: String) {
            failures += 1
            if let maxRetries = client.configuration.maxRetries, failures > maxRetries {
                close(.unreachable(attempts: failures, lastError: error))
            } else {
                reconnect(cause: .connectionFailed(error))
            }
        }

        /// WHATWG "reestablish the connection": drop the unfinished event, wait, connect again.
        private mutating func reconnect(cause: DropCause) {
            _ = parser.finish()
            let reconnectionTime = parser.reconnectionTime.map { Duration.milliseconds($0) } ?? client.configuration.defaultReconnectionTime
            let delay = client.configuration.backoff.delay(reconnectionTime: reconnectionTime, failures: failures, random: client.random())
            state = .waiting(delay)
            pending.append(.reconnecting(after: delay, lastEventID: lastEventIDHeader, cause: cause))
        }

        // MARK: Errors

        /// A reason the URL itself can never be fetched, or nil for a network error worth retrying.
        private static func urlProblem(_ error: any Error) -> String? {
            guard let error = error as? HTTPClientError else { return nil }
            switch error {
            case .invalidURL: return "not a valid URL"
            case .emptyHost: return "no host"
            case .emptyScheme: return "no scheme (use http:// or https://)"
            default:
                let text = String(describing: error)
                return text.contains("unsupportedScheme") ? "unsupported scheme (use http:// or https://)" : nil
            }
        }

        /// A short description of a network error for status lines.
        static func describe(_ error: any Error) -> String {
            if let error = error as? HTTPClientError {
                switch error {
                case .readTimeout: return "no data within the read timeout"
                case .deadlineExceeded: return "no response within the connect timeout"
                case .connectTimeout: return "connect timed out"
                case .redirectLimitReached: return "too many redirects"
                case .redirectCycleDetected: return "redirect cycle"
                case .remoteConnectionClosed: return "connection closed by the server"
                default: break
                }
            }
            if case .handshake(let problem) = TLSFailure(error) { return problem }
            if let error = error as? IOError {
                // "Connection refused" rather than NIO's "connection reset (error set): Connection refused (errno: 111)".
                return String(cString: strerror(error.errnoCode))
            }
            return String(describing: error)
        }
    }
}

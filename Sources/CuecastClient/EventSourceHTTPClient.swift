import AsyncHTTPClient
import NIOCore

extension EventSourceClient {
    /// An `HTTPClient` set up for event streams: follows up to 20 redirects (301, 302, 303, 307, 308) as fetch does,
    /// and only drops a connection after `readTimeout` of complete silence. Streams are idle for long stretches;
    /// servers send heartbeat comments (Cuecast every 15 s) to keep proxies from closing them, so a silence much
    /// longer than that means a dead connection (a half-open TCP socket never reports an error by itself). A read
    /// timeout counts as a dropped connection: the client reconnects. nil never times out, as browsers.
    ///
    /// Two pool settings differ from AsyncHTTPClient's defaults, both because a stream is not a request:
    /// - a refused or failed connection fails the attempt at once, instead of AsyncHTTPClient retrying it quietly
    ///   until the connect timeout: the EventSource's own reconnection (retry time, back-off, `maxRetries`) handles
    ///   it, visibly, as a browser's network error;
    /// - up to `connectionsPerHost` HTTP/1 connections per host (AsyncHTTPClient's default is 8): each open
    ///   stream holds its connection for its whole life, so with 8 a ninth stream to the same host would wait for ever.
    ///
    /// On `https` URLs it speaks HTTP/2 when the server offers it by ALPN (as browsers do: streams to one origin then
    /// share a connection instead of counting against a per-host limit), HTTP/1.1 otherwise; `trust` says which
    /// certificates it accepts.
    ///
    /// The caller owns it and must shut it down; `withHTTPClient` does that for you.
    public static func makeHTTPClient(
        readTimeout: Duration? = .seconds(300), connectionsPerHost: Int = 1024, trust: ServerTrust = .system
    ) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: trust.tlsConfiguration,
            redirectConfiguration: .follow(max: 20, allowCycles: false),
            timeout: .init(connect: .seconds(30), read: readTimeout.map(TimeAmount.init))
        )
        // The default, said out loud: `.http1Only` would silently give up HTTP/2.
        configuration.httpVersion = .automatic
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Runs `body` with a client from `makeHTTPClient`, shut down afterwards whatever happens.
    public static func withHTTPClient<T: Sendable>(
        readTimeout: Duration? = .seconds(300), connectionsPerHost: Int = 1024, trust: ServerTrust = .system,
        _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        let client = makeHTTPClient(readTimeout: readTimeout, connectionsPerHost: connectionsPerHost, trust: trust)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(client))
        } catch {
            result = .failure(error)
        }
        try await client.shutdown()
        return try result.get()
    }
}

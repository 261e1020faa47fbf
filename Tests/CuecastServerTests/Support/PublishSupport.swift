import CuecastTestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Any request on the test server, whole body. `host` picks the address to connect to (a server bound to 0.0.0.0
/// is reached through 127.0.0.1, or 127.0.0.2 to look like another client); `client` defaults to the shared one,
/// which opens at most 8 connections per host and port.
func send(
    port: Int, _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, headers: [(String, String)] = [],
    host: String = "localhost", client: HTTPClient = .shared
) async throws -> FetchedResponse {
    var request = HTTPClientRequest(url: "http://\(host):\(port)\(path)")
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await client.execute(request, timeout: .seconds(10))
    let collected = try await response.body.collect(upTo: 1 << 20)
    return FetchedResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
}

/// `POST path` with `body` as the body (UTF-8) and, when given, a `Content-Type`.
func post(
    port: Int, _ path: String, body: String = "", contentType: String? = nil, headers: [(String, String)] = [],
    host: String = "localhost", client: HTTPClient = .shared
) async throws -> FetchedResponse {
    let typed = contentType.map { [("Content-Type", $0)] } ?? []
    return try await send(port: port, .POST, path, body: Array(body.utf8), headers: typed + headers, host: host, client: client)
}

/// `POST /generateEvent` (to `channel` when given) with a JSON body.
func publish(
    port: Int, json: String, channel: String? = nil, headers: [(String, String)] = [], host: String = "localhost",
    client: HTTPClient = .shared
) async throws -> FetchedResponse {
    let path = channel.map { "/generateEvent?channel=\($0)" } ?? "/generateEvent"
    return try await post(port: port, path, body: json, contentType: "application/json", headers: headers, host: host, client: client)
}

/// A JSON string literal for `text` (quotes and escapes included), to build request bodies.
func jsonString(_ text: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
}

extension FetchedResponse {
    /// The `error` object of a JSON error answer (`{"error": {"status", "code", "message", ...}}`).
    func apiError(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let object = try json()
        return try #require(object["error"] as? [String: Any], "not an error answer (\(status)): \(body)", sourceLocation: sourceLocation)
    }
}

/// Runs `body` with a client of its own whose pool allows `connections` at once per host (the shared client's 8 would
/// leave a ninth open stream waiting forever), and shuts it down afterwards.
func withHTTPClient<T: Sendable>(connections: Int = 64, _ body: (HTTPClient) async throws -> T) async throws -> T {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Sends one raw HTTP/1.1 request to 127.0.0.1:`port` from the local address `source` (any 127.x.y.z works on
/// Linux), so the server sees another client than the usual 127.0.0.1; returns the whole response as text. The
/// request should say `Connection: close`: the answer is read until the server closes.
func rawRequest(port: Int, from source: String, _ request: String, timeout: Duration = .seconds(5)) throws -> String {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TimedOut(what: "a socket") }
    defer { close(fd) }
    var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    func address(_ host: String, _ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        return address
    }
    var local = address(source, 0)
    var remote = address("127.0.0.1", port)
    let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { throw TimedOut(what: "binding to \(source) (errno \(errno))") }
    let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard connected == 0 else { throw TimedOut(what: "a connection from \(source) to port \(port) (errno \(errno))") }
    let bytes = Array(request.utf8)
    var offset = 0
    while offset < bytes.count {
        let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent > 0 else { throw TimedOut(what: "sending the request (errno \(errno))") }
        offset += sent
    }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { response += buffer[..<count] } else if count == 0 { break } else { throw TimedOut(what: "the response (errno \(errno))") }
    }
    return String(decoding: response, as: UTF8.self)
}

/// The publishing feature's suites (channels, `generateEvent`, triggers, access), one test at a time: run all at
/// once they start dozens of servers together and push megabytes through a stalled subscriber, and the CPU that
/// takes on two cores made the timing-sensitive stream tests running beside them flaky. In series they take about
/// as long as the rest of the suite does anyway.
@Suite(.serialized) enum PublishingTests {}

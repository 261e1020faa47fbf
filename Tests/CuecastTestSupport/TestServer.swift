import AsyncHTTPClient
import CuecastCore
import CuecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// A scenario from inline JSON, loaded by the real loader; `name` is what a file name would give.
public func scenario(_ name: String, _ json: String) throws -> Scenario {
    do {
        return try ScenarioLoader.load(text: json, file: "\(name).json", defaultName: name)
    } catch {
        Issue.record("test scenario '\(name)' does not load:\n\(error)")
        throw error
    }
}

/// Runs the real application on an ephemeral port for the duration of `body`, which gets the port.
///
/// Test bodies are closures, and Swift 6.3.1 miscompiles a closure literal written inside `#expect(...)` or
/// `#require(...)` in a closure when another closure literal follows it: the later closure runs the earlier one's
/// body (`#expect(xs.contains { $0 == 2 })` then `xs.first { $0 == 3 }` gives 2). So these tests never write a
/// closure (or key-path function) inside `#expect`/`#require`: they compute a value first, then check it.
public func withServer<T: Sendable>(
    _ scenarios: [Scenario],
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: @Sendable (_ port: Int) async throws -> T
) async throws -> T {
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, scenariosDirectory: "", publicDirectory: nil)
    configure(&configuration)
    var logger = Logger(label: "cuecast-test")
    logger.logLevel = .warning
    let app = buildApplication(scenarios: scenarios, configuration: configuration, logger: logger)
    return try await app.test(.live) { client in
        let port = try #require(client.port)
        return try await body(port)
    }
}

/// A whole (finite) response.
public struct FetchedResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: String

    public init(status: Int, headers: HTTPHeaders, body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? { headers.first(name: name) }

    /// The body as a JSON object.
    public func json() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(body)")
    }
}

/// `GET path` on the test server, whole body.
public func fetch(port: Int, _ path: String, headers: [(String, String)] = []) async throws -> FetchedResponse {
    var request = HTTPClientRequest(url: "http://localhost:\(port)\(path)")
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    let body = try await response.body.collect(upTo: 1 << 20)
    return FetchedResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
}

/// The `/api/scenarios` entry for one scenario.
public func catalogEntry(port: Int, _ name: String) async throws -> [String: Any] {
    let list = try await fetch(port: port, "/api/scenarios").json()
    let scenarios = try #require(list["scenarios"] as? [[String: Any]])
    let entry = scenarios.first { $0["name"] as? String == name }
    return try #require(entry, "no '\(name)' in /api/scenarios")
}

/// Live subscribers of a scenario, as `/api/scenarios` reports them.
public func subscriberCount(port: Int, _ name: String) async throws -> Int {
    try #require(try await catalogEntry(port: port, name)["subscribers"] as? Int)
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. No fixed sleeps: the interval
/// is short and the deadline is the only bound.
@discardableResult
public func eventually(
    timeout: Duration = .seconds(5), interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

/// Something a test waited for did not happen in time.
public struct TimedOut: Error, CustomStringConvertible {
    public let what: String
    public var description: String { "timed out waiting for \(what)" }

    public init(what: String) { self.what = what }
}

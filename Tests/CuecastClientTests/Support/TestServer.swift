import CuecastCore
import CuecastServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

// Swift 6.3.1 miscompiles a closure literal written inside `#expect(...)`/`#require(...)` in a closure when another
// closure literal follows it (the later closure runs the earlier one's body). These tests therefore never write a
// closure inside `#expect`/`#require`: they compute a value first, then check it.

/// A scenario from inline JSON, loaded by the real loader; `name` is what a file name would give.
func scenario(_ name: String, _ json: String) throws -> Scenario {
    do {
        return try ScenarioLoader.load(text: json, file: "\(name).json", defaultName: name)
    } catch {
        Issue.record("test scenario '\(name)' does not load:\n\(error)")
        throw error
    }
}

/// Runs the real Cuecast application on an ephemeral port for the duration of `body`, which gets the port.
func withServer<T: Sendable>(_ scenarios: [Scenario], _ body: @Sendable (_ port: Int) async throws -> T) async throws -> T {
    let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, scenariosDirectory: "", publicDirectory: nil)
    var logger = Logger(label: "cuecast-client-test")
    logger.logLevel = .warning
    let app = buildApplication(scenarios: scenarios, configuration: configuration, logger: logger)
    return try await app.test(.live) { client in
        let port = try #require(client.port)
        return try await body(port)
    }
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
@discardableResult
func eventually(
    timeout: Duration = .seconds(5), interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

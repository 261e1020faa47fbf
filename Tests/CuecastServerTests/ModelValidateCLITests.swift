import CuecastTestSupport
import Foundation
import Testing

/// `cuecast validate` on a scenarios folder checks its scripted models (`llm/`) too, with the model loader, each
/// problem as `file:line:column: message`; `cuecast serve` refuses to start on a broken one.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct ModelValidateCLITests {
    @Test func validateChecksTheModelsFolder() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try FileManager.default.createDirectory(atPath: folder.path("llm"), withIntermediateDirectories: true)
        _ = try folder.write("llm/good.json", #"{"model": "good", "text": "Hi there."}"#)
        _ = try folder.write("llm/bad.json", "{\"model\": \"bad\",\n \"text\": \"Hi\",\n \"fault\": \"explode\",\n \"timing\": {\"gap\": 1.5}}\n")
        let result = try await CLIProcess.run(["validate", folder.url.path], in: folder.url)
        #expect(result.status == 1)
        #expect(result.stdout.contains("llm/good.json: ok (model good, 3 token(s))"))
        let bad = folder.path("llm/bad.json")
        #expect(result.stdout.contains("\(bad):3:11: unknown fault 'explode'"))
        #expect(result.stdout.contains("\(bad):4:20: 'gap' must be a whole number (milliseconds), found 1.5"))

        let serve = try await CLIProcess.run(["serve", "--port", "0", "--scenarios", folder.url.path], in: folder.url, timeout: .seconds(20))
        #expect(serve.status == 1)
        #expect(serve.stderr.contains("\(bad):3:11: unknown fault 'explode'"))
    }
}

import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

/// `cuecast conformance` through the real executable: `cuecast listen` passes every case, and a client that does
/// not follow the specification is caught.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct ConformanceCLITests {
    @Test("cuecast listen scores 100%, taking the browsers' side on a charset other than UTF-8")
    func listenScoresFull() async throws {
        let executable = try #require(CuecastExecutable.url).path
        let result = try await CLIProcess.run(
            ["conformance", "--jobs", "8", "--", executable, "listen", "--json", "--quiet", "--default-retry", "100", "{url}"], timeout: .seconds(150)
        )
        let total = ConformanceCase.all.count
        #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(result.stdout.contains("Score: \(total)/\(total) (100%), 1 of them as browsers do"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("PASS*  content-type-charset"), "stdout:\n\(result.stdout)")
        #expect(!result.stdout.contains("FAIL"))
    }

    @Test("a client that prints the same event whatever the stream fails, with the reasons")
    func wrongClientFails() async throws {
        let result = try await CLIProcess.run(
            ["conformance", "--case", "format-field-event", "--case", "status-500", "--", "sh", "-c", "echo '{\"type\":\"message\",\"data\":\"x\",\"id\":\"\"}'", "{url}"],
            timeout: .seconds(60)
        )
        #expect(result.status == 1, "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("FAIL   format-field-event"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("made 0 request(s)"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("Score: 0/2 (0%)"), "stdout:\n\(result.stdout)")
    }

    @Test("usage errors: no command, no {url}, an unknown case")
    func usage() async throws {
        let none = try await CLIProcess.run(["conformance"])
        let noURL = try await CLIProcess.run(["conformance", "--", "echo", "hi"])
        let unknown = try await CLIProcess.run(["conformance", "--case", "nope", "--", "echo", "{url}"])
        #expect(none.status == 64)
        #expect(noURL.status == 64)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no case 'nope'"))
    }
}

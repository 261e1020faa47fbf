import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

/// The `report` capability from the command line: `cuecast conformance` passes a case's method and body to a client
/// that declares it, grades one that sends something else, and leaves the cases out, not failed, for a client that
/// does not declare it; `cuecast listen -X REPORT -d BODY` is such a client.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct ConformanceReportCLITests {
    static let cases = ["--case", "ld-report", "--case", "report-resent"]

    @Test("cuecast listen sends REPORT with its body on every connection and passes both report cases")
    func listenSendsReport() async throws {
        let executable = try #require(CuecastExecutable.url).path
        let result = try await CLIProcess.run(
            ["conformance", "--supports", "report"] + Self.cases + ["--", "scripts/conformance-clients/cuecast-listen", "{url}"],
            environment: ["CUECAST": executable], timeout: .seconds(60)
        )
        #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(result.stdout.contains("PASS   ld-report "), "\(result.stdout)")
        #expect(result.stdout.contains("PASS   report-resent "), "\(result.stdout)")
        #expect(result.stdout.contains("Score: 2/2 (100%)"), "\(result.stdout)")
    }

    @Test("a client that does not declare report gets not supported, not a failure, and is not run")
    func undeclaredIsNotSupported() async throws {
        let executable = try #require(CuecastExecutable.url).path
        let result = try await CLIProcess.run(
            ["conformance"] + Self.cases + ["--", "scripts/conformance-clients/cuecast-listen", "{url}"],
            environment: ["CUECAST": executable], timeout: .seconds(60)
        )
        #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(result.stdout.contains("N/A    ld-report "), "\(result.stdout)")
        #expect(result.stdout.contains("needs --supports report (the client sends REPORT with a body, again on each reconnection)"), "\(result.stdout)")
        #expect(result.stdout.contains("Score: 0/0 (0%); 2 not supported"), "\(result.stdout)")
        #expect(!result.stdout.contains("FAIL"))
    }

    @Test("a client that declares report but sends GET fails, and the report names the method it used")
    func declaredButGetFails() async throws {
        // curl with the case's headers but not its method or body: GET twice, then prints the event.
        let client = #"curl -s -H "$SSE_LAB_HEADERS" "$0" > /dev/null; curl -s "$0" > /dev/null; echo '{"type":"message","data":"Hello","id":""}'"#
        let result = try await CLIProcess.run(
            ["conformance", "--supports", "report", "--case", "ld-report", "--", "sh", "-c", client, "{url}"], timeout: .seconds(60)
        )
        #expect(result.status == 1, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(result.stdout.contains("FAIL   ld-report "), "\(result.stdout)")
        #expect(result.stdout.contains("request 1 used GET, expected REPORT"), "\(result.stdout)")
    }

    @Test("cuecast listen refuses a method that is not an HTTP token, and a body on GET")
    func listenMethodUsage() async throws {
        let spaced = try await CLIProcess.run(["listen", "--method", "RE PORT", "http://127.0.0.1:9/"])
        #expect(spaced.status == 64)
        #expect(spaced.stderr.contains("--method: 'RE PORT' is not an HTTP method"), "\(spaced.stderr)")
        let get = try await CLIProcess.run(["listen", "-X", "GET", "-d", "{}", "http://127.0.0.1:9/"])
        #expect(get.status == 64)
        #expect(get.stderr.contains("--method GET cannot send --data: use POST or REPORT"), "\(get.stderr)")
    }
}

import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

/// `cuecast conformance` through the real executable: `cuecast listen` passes every case it can run, a client that
/// does not follow the specification is caught with the evidence its author needs, and a client that cannot start
/// is an error rather than a score.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct ConformanceCLITests {
    /// The capabilities `scripts/conformance-clients/cuecast-listen` gives `cuecast listen`.
    static let listenCapabilities: Set<ConformanceCapability> = [.headers, .post, .report, .lastEventID, .readTimeout, .comments]

    /// The lab's silences are cut to 2 s (`--max-silence`): `idle-35s` would otherwise hold the run for 35 s. What
    /// that case asks of `listen` at full length, no idle timeout of its own under 35 s, rests on its default read
    /// timeout (300 s, `--read-timeout`).
    @Test("cuecast listen (through its lab adapter) passes every case it can run, taking the browsers' side on a charset other than UTF-8")
    func listenScoresFull() async throws {
        let executable = try #require(CuecastExecutable.url).path
        let supports = Self.listenCapabilities.map(\.rawValue).sorted().joined(separator: ",")
        let result = try await CLIProcess.run(
            ["conformance", "--jobs", "16", "--max-silence", "2", "--supports", supports, "--",
             "scripts/conformance-clients/cuecast-listen", "{url}"],
            environment: ["CUECAST": executable], timeout: .seconds(170)
        )
        let notSupported = ConformanceCase.all.filter { $0.capability.map { !Self.listenCapabilities.contains($0) } ?? false }.count
        let run = ConformanceCase.all.count - notSupported
        #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(
            result.stdout.contains("Score: \(run)/\(run) (100%), 1 of them as browsers do rather than as the specification says (PASS*); \(notSupported) not supported"),
            "stdout:\n\(result.stdout)"
        )
        #expect(result.stdout.contains("PASS*  content-type-charset"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("PASS   ld-custom-headers"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("PASS   ld-read-timeout"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("PASS   ld-comment-before-event"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("PASS   ld-report "), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("N/A    ld-restart "), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("needs --supports restart"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("PASS   idle-35s"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("Silences were cut to at most 2 s (--max-silence)"), "stdout:\n\(result.stdout)")
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
        #expect(result.stdout.contains("the server saw no request"), "stdout:\n\(result.stdout)")
        #expect(result.stdout.contains("Score: 0/2 (0%)"), "stdout:\n\(result.stdout)")
    }

    @Test("a failed case's report shows the bytes sent, what was dispatched, the requests seen, the exit status and stderr")
    func failedCaseEvidence() async throws {
        // Reads the stream with curl (one request, Accept: */*), prints a wrong event, complains on stderr, exits 4.
        let client = #"curl -s "$0" > /dev/null; echo '{"type":"message","data":"wrong","id":""}'; echo 'parser: gave up' >&2; exit 4"#
        let result = try await CLIProcess.run(["conformance", "--case", "format-field-event", "--", "sh", "-c", client, "{url}"], timeout: .seconds(60))
        let out = result.stdout
        #expect(result.status == 1, "stdout:\n\(out)\nstderr:\n\(result.stderr)")
        #expect(out.contains(#"  response 1: 200 Content-Type: text/event-stream, 28 bytes: "event:test\ndata:x\n\ndata:x\n\n\n""#), "\(out)")
        #expect(out.contains("  response 2 and later: 204"), "\(out)")
        #expect(out.contains(#"the client dispatched: [message "wrong" id ""]"#), "\(out)")
        #expect(out.contains(#"  request 1: GET accept: "*/*""#), "\(out)")
        #expect(out.contains("the client exited with status 4"), "\(out)")
        #expect(out.contains("  | parser: gave up"), "\(out)")
    }

    @Test("a client that never exits is stopped at the timeout, and the report says so")
    func clientStoppedAtTimeout() async throws {
        let result = try await CLIProcess.run(
            ["conformance", "--timeout", "1", "--case", "format-bom", "--", "sh", "-c", #"curl -s "$0" > /dev/null; exec sleep 30"#, "{url}"],
            timeout: .seconds(30)
        )
        #expect(result.status == 1, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(result.stdout.contains("the client was still running at the timeout and was stopped"), "\(result.stdout)")
        #expect(result.stdout.contains("Score: 0/1 (0%)"), "\(result.stdout)")
    }

    @Test("a capability case a client declares gets its request in the environment")
    func capabilityEnvironment() async throws {
        // Sends the headers it is given with curl, then prints what it dispatched (by hand).
        let client = #"""
            set -f; IFS='
            '; for h in $SSE_LAB_HEADERS; do set -- "$@" -H "$h"; done; url=$1; shift
            curl -s "$@" "$url" > /dev/null; curl -s "$@" "$url" > /dev/null
            echo '{"type":"message","data":"Hello","id":""}'
            """#
        let result = try await CLIProcess.run(
            ["conformance", "--supports", "headers", "--case", "ld-custom-headers", "--", "sh", "-c", client, "sh", "{url}"], timeout: .seconds(60)
        )
        #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(result.stdout.contains("PASS   ld-custom-headers"), "\(result.stdout)")
        let unsupported = try await CLIProcess.run(["conformance", "--case", "ld-custom-headers", "--", "sh", "-c", "exit 9", "{url}"])
        #expect(unsupported.status == 0, "\(unsupported.stdout)")
        #expect(unsupported.stdout.contains("N/A    ld-custom-headers"), "\(unsupported.stdout)")
        #expect(unsupported.stdout.contains("Score: 0/0 (0%); 1 not supported"), "\(unsupported.stdout)")
    }

    @Test("restart: once the client has printed an event, the lab writes restart on its stdin")
    func restartOnStdin() async throws {
        // Request 1 (cut after a second of the case's silence), one event, then it waits for the word on stdin,
        // and reconnects: request 2 gets "Thanks", request 3 the 204.
        let client = #"""
            curl -s --max-time 1 "$0" > /dev/null; echo '{"type":"message","data":"Hello","id":""}'
            read -r word; [ "$word" = restart ] || exit 5
            curl -s "$0" > /dev/null; echo '{"type":"message","data":"Thanks","id":""}'; curl -s "$0" > /dev/null
            """#
        let result = try await CLIProcess.run(
            ["conformance", "--supports", "restart", "--case", "ld-restart", "--", "sh", "-c", client, "{url}"], timeout: .seconds(60)
        )
        #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
        #expect(result.stdout.contains("PASS   ld-restart"), "\(result.stdout)")
    }

    @Test("a client that cannot start is an error naming why, not a score")
    func clientCannotStart() async throws {
        let missing = try await CLIProcess.run(["conformance", "--", "no-such-sse-client", "--json", "{url}"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Error: cannot start the client: 'no-such-sse-client' is not found on PATH"), "\(missing.stderr)")
        #expect(!missing.stdout.contains("Score"))
        let notExecutable = try await CLIProcess.run(["conformance", "--", "./README.md", "{url}"])
        #expect(notExecutable.status == 2)
        #expect(notExecutable.stderr.contains("Error: cannot start the client: './README.md' is not executable"), "\(notExecutable.stderr)")
        let dies = try await CLIProcess.run(
            ["conformance", "--case", "format-bom", "--case", "format-utf-8", "--", "sh", "-c", "echo 'ModuleNotFoundError: sseclient' >&2; exit 3", "{url}"],
            timeout: .seconds(60)
        )
        #expect(dies.status == 2, "\(dies.stdout)")
        #expect(dies.stderr.contains("it made no request in any case and exited with exit status 3 each time; its stderr:\nModuleNotFoundError: sseclient"), "\(dies.stderr)")
        #expect(!dies.stdout.contains("Score"))
    }

    @Test("usage errors: no command, no {url}, an unknown case, an unknown capability")
    func usage() async throws {
        let none = try await CLIProcess.run(["conformance"])
        let noURL = try await CLIProcess.run(["conformance", "--", "echo", "hi"])
        let unknown = try await CLIProcess.run(["conformance", "--case", "nope", "--", "echo", "{url}"])
        let capability = try await CLIProcess.run(["conformance", "--supports", "telepathy", "--", "echo", "{url}"])
        #expect(none.status == 64)
        #expect(noURL.status == 64)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no case 'nope'"))
        #expect(capability.status == 64)
        #expect(capability.stderr.contains("no capability 'telepathy'; capabilities: headers, post"), "\(capability.stderr)")
    }
}

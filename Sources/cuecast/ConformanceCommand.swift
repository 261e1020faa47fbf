import ArgumentParser
import CuecastCore
import CuecastServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `cuecast conformance -- COMMAND {url}`: runs any command-line SSE client through the lab's cases and prints a
/// report card.
struct ConformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run a command-line SSE client through the conformance lab's cases and print a report card.",
        discussion: """
            Starts a lab server on a free loopback port, then runs COMMAND once per case with {url} replaced by the \
            case's URL. The client must print one JSON object per dispatched event on stdout, with "type", "data" and \
            "id" (or "lastEventId"), as `cuecast listen --json` does, and should exit when the server answers 204 (each \
            case ends with one), as a browser's EventSource stops. Each case is graded on the events and on the \
            requests the server saw (how many, their Last-Event-ID, and for some cases their method and headers).

            Cases that need a capability the client does not declare with --supports are "not supported": not run, \
            not counted. A client with one reads what a case asks in its environment: SSE_LAB_HEADERS (one \
            "name: value" a line), SSE_LAB_METHOD and SSE_LAB_BODY, SSE_LAB_READ_TIMEOUT_MS, SSE_LAB_LAST_EVENT_ID; \
            it restarts its stream when it reads "restart" on stdin; it prints {"comment": "text"} for a comment.

            Exit 0 when every case run passes, 1 when one fails, 2 when the client cannot be started at all.

            Example: cuecast conformance -- cuecast listen --json --default-retry 100 {url}
            """
    )

    @Option(help: ArgumentHelp("Cases run at once.", valueName: "n"))
    var jobs: Int = 4

    @Option(help: ArgumentHelp("Seconds a client may take on one case before it is stopped.", valueName: "seconds"))
    var timeout: Double = 15

    @Option(
        help: ArgumentHelp(
            "Cut every silence a case holds to at most this many seconds (never below twice the read timeout the case asks for): "
                + "a quick run, which tests idle streams for that long only.",
            valueName: "seconds"
        )
    )
    var maxSilence: Double?

    @Option(name: .customLong("case"), help: ArgumentHelp("Run only this case (repeatable).", valueName: "name"))
    var cases: [String] = []

    @Option(
        name: .customLong("supports"),
        help: ArgumentHelp(
            "A capability the client has (repeatable, or comma-separated): \(ConformanceCapability.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "capability"
        )
    )
    var supports: [String] = []

    @Flag(help: "Print the results as one JSON object (cases with verdict and problems, and the score) instead of the report card.")
    var json = false

    @Argument(parsing: .postTerminator, help: "The client command, with {url} where the case's URL goes.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else {
            throw ValidationError("give the client command after --, e.g. cuecast conformance -- cuecast listen --json {url}")
        }
        guard command.contains(where: { $0.contains("{url}") }) else {
            throw ValidationError("the command must contain {url}, where each case's URL goes")
        }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be from 1 to 64 (got \(jobs))") }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive (got \(timeout))") }
        if let maxSilence, !(maxSilence >= 0) { throw ValidationError("--max-silence must be 0 or more (got \(maxSilence))") }
        for name in cases where ConformanceCase.named(name) == nil {
            throw ValidationError("no case '\(name)'; cases: \(ConformanceCase.all.map(\.name).joined(separator: ", "))")
        }
        _ = try capabilities()
    }

    private func capabilities() throws -> Set<ConformanceCapability> {
        var found: Set<ConformanceCapability> = []
        for name in supports.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let capability = ConformanceCapability(rawValue: name) else {
                throw ValidationError(
                    "no capability '\(name)'; capabilities: \(ConformanceCapability.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            found.insert(capability)
        }
        return found
    }

    func run() async throws {
        // A client that closes its stdin before the lab writes "restart" must not kill the lab.
        signal(SIGPIPE, SIG_IGN)
        if let problem = ClientProcess.launchProblem(command[0]) {
            printError("Error: cannot start the client: \(problem)")
            throw ExitCode(2)
        }
        let selected = cases.isEmpty ? ConformanceCase.all : ConformanceCase.all.filter { cases.contains($0.name) }
        let lab = ConformanceLab(maxSilence: maxSilence.map { .milliseconds(Int64($0 * 1000)) })
        var logger = Logger(label: "cuecast-conformance")
        logger.logLevel = .error
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, scenariosDirectory: "", publicDirectory: nil)
        configuration.closeGracePeriod = .milliseconds(200)
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = buildApplication(scenarios: [], configuration: configuration, logger: logger, conformance: lab) { listener in
            portContinuation.yield(listener.port)
        }
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let results = try await withThrowingTaskGroup(of: [ConformanceResult]?.self, returning: [ConformanceResult].self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return [] }
            let results = await runCases(selected, port: port, lab: lab)
            await services.triggerGracefulShutdown()
            while let next = try await group.next() { if next != nil { break } }
            return results
        }
        if let problem = Self.neverStarted(results) {
            printError("Error: the client never got going: \(problem)")
            throw ExitCode(2)
        }
        let report = ConformanceReport(command: command, results: results, maxSilence: maxSilence)
        print(json ? report.json.compactText : report.text, terminator: json ? "\n" : "")
        if results.contains(where: { $0.grade.verdict == .fail }) { throw ExitCode(1) }
    }

    /// Why the client made no request in any case it ran, if it did not: it could not be started, or it exited at
    /// once each time. A score would say nothing about such a client.
    static func neverStarted(_ results: [ConformanceResult]) -> String? {
        let ran = results.filter { $0.grade.verdict != .notSupported }
        let clients = ran.compactMap(\.client)
        guard let first = clients.first, ran.allSatisfy(\.seen.isEmpty), clients.allSatisfy({ $0.status != 0 && !$0.timedOut }) else { return nil }
        if let reason = first.couldNotStart { return reason }
        let status = first.status.map { "exit status \($0)" } ?? "no exit status"
        let stderr = first.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "it made no request in any case and exited with \(status) each time" + (stderr.isEmpty ? " (nothing on stderr)" : "; its stderr:\n" + stderr)
    }

    private func runCases(_ selected: [ConformanceCase], port: Int, lab: ConformanceLab) async -> [ConformanceResult] {
        let (command, timeout, jobs) = (self.command, Duration.seconds(self.timeout), self.jobs)
        let capabilities = (try? self.capabilities()) ?? []
        return await withTaskGroup(of: (Int, ConformanceResult).self) { group in
            var results: [(Int, ConformanceResult)] = []
            for (index, conformanceCase) in selected.enumerated() {
                if index >= jobs, let done = await group.next() { results.append(done) }
                group.addTask {
                    if let needed = conformanceCase.capability, !capabilities.contains(needed) {
                        return (index, ConformanceResult(conformanceCase: conformanceCase, grade: .notSupported, client: nil, seen: []))
                    }
                    let run = "cli-\(UUID().uuidString.prefix(8))"
                    let url = "http://127.0.0.1:\(port)/conformance/\(conformanceCase.name)?run=\(run)"
                    let arguments = command.map { $0.replacingOccurrences(of: "{url}", with: url) }
                    let client = await ClientProcess.run(
                        arguments, environment: conformanceCase.request.environment, restartAfterEvents: conformanceCase.request.restartAfterEvents,
                        timeout: timeout + lab.silenceTime(of: conformanceCase)
                    )
                    let seen = lab.seen(run: run, case: conformanceCase.name)
                    let outcome = ConformanceCase.Outcome(
                        events: client.events, requests: lab.requests(run: run, case: conformanceCase.name), comments: client.comments
                    )
                    let grade = ConformanceGrade(conformanceCase, got: outcome, seen: seen)
                    return (index, ConformanceResult(conformanceCase: conformanceCase, grade: grade, client: client, seen: seen))
                }
            }
            for await done in group { results.append(done) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}

/// One case's result.
struct ConformanceResult: Sendable {
    let conformanceCase: ConformanceCase
    let grade: ConformanceGrade
    /// `nil` for a case not run (not supported).
    let client: ClientProcess.Result?
    let seen: [SeenRequest]
}

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
            requests the server saw (how many, and their Last-Event-ID). Exit 0 when every case passes, else 1.

            Example: cuecast conformance -- cuecast listen --json --default-retry 100 {url}
            """
    )

    @Option(help: ArgumentHelp("Cases run at once.", valueName: "n"))
    var jobs: Int = 4

    @Option(help: ArgumentHelp("Seconds a client may take on one case before it is stopped.", valueName: "seconds"))
    var timeout: Double = 15

    @Option(name: .customLong("case"), help: ArgumentHelp("Run only this case (repeatable).", valueName: "name"))
    var cases: [String] = []

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
        for name in cases where ConformanceCase.named(name) == nil {
            throw ValidationError("no case '\(name)'; cases: \(ConformanceCase.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let selected = cases.isEmpty ? ConformanceCase.all : ConformanceCase.all.filter { cases.contains($0.name) }
        let lab = ConformanceLab()
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
        print(ConformanceReport(command: command, results: results).text, terminator: "")
        if !results.allSatisfy(\.grade.passed) { throw ExitCode(1) }
    }

    private func runCases(_ selected: [ConformanceCase], port: Int, lab: ConformanceLab) async -> [ConformanceResult] {
        let (command, timeout, jobs) = (self.command, Duration.seconds(self.timeout), self.jobs)
        return await withTaskGroup(of: (Int, ConformanceResult).self) { group in
            var results: [(Int, ConformanceResult)] = []
            for (index, conformanceCase) in selected.enumerated() {
                if index >= jobs, let done = await group.next() { results.append(done) }
                group.addTask {
                    let run = "cli-\(UUID().uuidString.prefix(8))"
                    let url = "http://127.0.0.1:\(port)/conformance/\(conformanceCase.name)?run=\(run)"
                    let arguments = command.map { $0.replacingOccurrences(of: "{url}", with: url) }
                    let client = await ClientProcess.run(arguments, timeout: timeout)
                    let outcome = ConformanceCase.Outcome(events: client.events, requests: lab.requests(run: run, case: conformanceCase.name))
                    let grade = ConformanceGrade(conformanceCase, got: outcome)
                    return (index, ConformanceResult(conformanceCase: conformanceCase, grade: grade, client: client))
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
    let client: ClientProcess.Result
}

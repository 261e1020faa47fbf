import ArgumentParser
import CuecastClient
import CuecastCore
import Foundation

/// `cuecast record URL -o FILE`: listens like a browser and writes what it received as a scenario that replays it.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record a live SSE stream into a scenario file that replays it.",
        discussion: """
            Connects as a browser's EventSource does (reconnecting with Last-Event-ID when the server hangs up) and \
            writes every event (type, id, data, retry) and comment with its time offset, as a solo scenario. Serving \
            or playing the file sends the same events with the same timing (scaled by ?speed= or --speed). Stops at \
            --count events, at the event with --until-id, after --duration seconds, when the server ends the stream \
            for good (204), or on Ctrl-C; the file is written in every case.
            """
    )

    @Argument(help: "The stream's URL (http or https).")
    var url: String

    @Option(name: [.customShort("H"), .customLong("header")], help: ArgumentHelp("An extra request header (repeatable).", valueName: "name: value"))
    var headers: [String] = []

    @Option(name: [.customShort("d"), .customLong("data")], help: ArgumentHelp(
        "POST this body (an LLM API's request) and record the answer as a scripted model (scenarios/llm/NAME.json, docs/llm.md).",
        valueName: "json"))
    var data: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Start from this id: sent as Last-Event-ID on the first request.", valueName: "id"))
    var lastEventId: String?

    @Option(help: ArgumentHelp("Stop after this many events.", valueName: "n"))
    var count: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after the event whose id is this (e.g. the sentinel -1).", valueName: "id"))
    var untilId: String?

    @Option(help: ArgumentHelp("Stop after this many seconds.", valueName: "seconds"))
    var duration: Double?

    @Option(name: .shortAndLong, help: ArgumentHelp("The scenario file to write, e.g. scenarios/NAME.json.", valueName: "file"))
    var output: String

    @Option(help: "The scenario's title (default: 'Recorded from URL').")
    var title: String?

    @Flag(name: [.customShort("k"), .long], help: "Do not check the server's certificate.")
    var insecure = false

    @Flag(name: .shortAndLong, help: "No status lines on stderr.")
    var quiet = false

    func validate() throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw ValidationError("'\(url)' is not an http:// or https:// URL")
        }
        if let count { guard count > 0 else { throw ValidationError("--count must be positive (got \(count))") } }
        if let duration { guard duration > 0 else { throw ValidationError("--duration must be positive (got \(duration))") } }
        guard output.hasSuffix(".json") else { throw ValidationError("-o must name a .json file (got '\(output)')") }
        _ = try RequestHeaders.parse(headers)
        if let lastEventId, (try? SSEEvent.validateID(lastEventId)) == nil {
            throw ValidationError("--last-event-id cannot contain CR, LF or NUL")
        }
    }

    func run() async throws {
        var configuration = EventSourceClient.Configuration(url: url)
        for (name, value) in try RequestHeaders.parse(headers) { configuration.addHeader(name: name, value: value) }
        if let data {
            configuration.postBody = Array(data.utf8)
            if try !RequestHeaders.parse(headers).contains(where: { $0.0.lowercased() == "content-type" }) {
                configuration.addHeader(name: "Content-Type", value: "application/json")
            }
        }
        let printer = ListenPrinter(mode: .json, quiet: quiet, colour: false)
        configuration.lastEventID = lastEventId ?? ""
        var session = RecordSession(count: count, untilID: untilId, lastEventID: lastEventId ?? "", printer: printer)
        session.stopAtFirstClose = data != nil
        let duration = self.duration.map { Duration.seconds($0) }
        let trust: ServerTrust = insecure ? .anyCertificate : .system
        let (recording, ending) = try await EventSourceClient.withHTTPClient(readTimeout: nil, trust: trust) { client in
            await session.run(EventSourceClient(configuration: configuration, httpClient: client), duration: duration)
        }
        if case .failed(let reason) = ending, recording.entries.isEmpty {
            printer.failure("nothing recorded: \(reason)")
            throw ExitCode(ListenExitCode(closing: reason).rawValue)
        }
        if data != nil {
            try writeModel(recording, ending: ending, printer: printer)
            return
        }
        let text = recording.scenarioText(
            title: title ?? "Recorded from \(url)", description: "Recorded by cuecast record from \(url) on \(Date().formatted(.iso8601))."
        )
        let file = URL(fileURLWithPath: output)
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        } catch {
            printer.failure("cannot write '\(output)': \(error.localizedDescription)")
            throw ExitCode(1)
        }
        // What was written must load: a recording that does not replay is a bug, said here rather than at serve time.
        do {
            _ = try ScenarioLoader.load(contentsOf: output)
        } catch {
            for problem in error.problems { printer.failure(problem.description) }
            throw ExitCode(1)
        }
        printer.status("wrote \(output): \(recording.events.count) event(s), \(recording.entries.count) cue(s) (\(ending))")
    }

    /// A posted stream is a provider's answer: written as a scripted model that replays its tokens with their gaps.
    private func writeModel(_ recording: StreamRecording, ending: RecordSession.Ending, printer: ListenPrinter) throws {
        var model = ModelRecording()
        for entry in recording.entries {
            if case .event(let type, _, let data?, _) = entry.item { model.event(type: type, data: data, at: entry.at) }
        }
        guard !model.isEmpty else {
            printer.failure("no tokens recognised: the stream is not an OpenAI or Anthropic answer (\(recording.events.count) event(s), \(ending))")
            throw ExitCode(1)
        }
        let name = ScenarioLoader.defaultName(forPath: output)
        let text = model.fileText(name: name, description: "Recorded by cuecast record from \(url) on \(Date().formatted(.iso8601)).")
        do {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: output).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            let loaded = try ModelScenarioLoader.load(contentsOf: output)
            printer.status("wrote \(output): model \(loaded.name), \(loaded.outputTokens) token(s) (\(ending))")
        } catch let error as ScenarioLoadError {
            for problem in error.problems { printer.failure(problem.description) }
            throw ExitCode(1)
        } catch {
            printer.failure("cannot write '\(output)': \(error.localizedDescription)")
            throw ExitCode(1)
        }
    }
}

import Foundation
import Testing

@testable import CuecastCore

/// Promises every bundled scenario keeps, whatever it plays: it loads, its timeline plays without trouble, its
/// events survive the wire, it ends if it should, and a station puts its events into a hub on time.
@Suite(.timeLimit(.minutes(1)))
struct BundledScenarioTests {
    /// How much of each timeline is walked.
    static let entryLimit = 20

    /// The listing itself is sound, so the parameterized tests below cannot pass by running on nothing.
    @Test func theScenariosFolderIsFound() {
        #expect(Fixture.bundledScenarioFiles.count >= 12)
        #expect(Fixture.bundledScenarioFiles.contains("daisy-bell.json"))
        #expect(!Fixture.bundledScenarioFiles.contains("scenario.schema.json"))
    }

    @Test(arguments: Fixture.bundledScenarioFiles)
    func bundledScenarioPlays(_ file: String) throws {
        let scenario = try load(file)
        let entries = Fixture.entries(scenario, limit: Self.entryLimit)
        #expect(entries.count == Self.entryLimit || isEnd(entries.last), "\(file): the timeline stopped without an end")
        #expect(entries.contains { if case .event = $0.item { true } else { false } }, "\(file): no event in the first entries")

        // Each entry is announced at its offset before it is made (a station waits on that).
        var timeline = Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 0))
        for entry in entries {
            #expect(timeline.nextOffset == entry.offset, "\(file): \(Fixture.describe(entry)) was announced at another time")
            _ = timeline.next()
        }
        if isEnd(entries.last) { #expect(timeline.nextOffset == nil) }

        // Offsets never go back.
        for (earlier, later) in zip(entries, entries.dropFirst()) {
            #expect(earlier.offset <= later.offset, "\(file): \(Fixture.describe(later)) comes after \(Fixture.describe(earlier))")
        }

        // Automatic ids are the event's number in the stream: 1, 2, 3, … (an event whose cue writes its own id
        // still takes a number).
        let events = Fixture.events(entries)
        if scenario.ids == .auto {
            var previous = 0
            for (number, event) in zip(1..., events) {
                guard let id = event.id, let value = Int(id) else {
                    #expect(scenario.hasExplicitIDs, "\(file): event \(number) has no automatic id")
                    continue
                }
                #expect(value > previous, "\(file): id \(id) does not increase")
                #expect(value == number, "\(file): event \(number) has id \(id)")
                previous = value
            }
        }

        // What the timeline produces survives the trip over the wire.
        for entry in entries {
            switch entry.item {
            case .event(let event), .end(let event?): expectRoundTrip(event, file: file)
            case .comment(let text): expectRoundTrip(comment: text, file: file)
            case .passStarted, .end(nil): break
            }
        }
    }

    /// A scenario with neither a loop nor a cue that repeats forever reaches its end, and nothing comes after.
    /// One that loops or repeats forever without an `afterEvents` limit never ends.
    @Test(arguments: Fixture.bundledScenarioFiles)
    func bundledScenarioEndsIfAndOnlyIfItIsFinite(_ file: String) throws {
        let scenario = try load(file)
        let finite = scenario.loop == nil && scenario.cues.allSatisfy { $0.emissionCount != nil }
        var timeline = Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 0))
        let entries = Fixture.entries(of: &timeline, limit: 5000)
        if finite || scenario.end?.afterEvents != nil {
            #expect(isEnd(entries.last), "\(file): no end within \(entries.count) entries")
            #expect(entries.filter { isEnd($0) }.count == 1)
            #expect(timeline.next() == nil)
            if let limit = scenario.end?.afterEvents { #expect(timeline.eventsEmitted <= limit) }
        } else {
            #expect(entries.count == 5000, "\(file): an endless scenario stopped")
            #expect(!entries.contains { isEnd($0) }, "\(file): an endless scenario ended")
        }
    }

    /// On a test clock, a station playing the scenario publishes its first events into its hub when the clock
    /// reaches their offsets, not a millisecond before, and what it publishes is exactly the timeline's frames.
    @Test(arguments: Fixture.bundledScenarioFiles)
    func bundledScenarioPlaysIntoAStationOnTime(_ file: String) async throws {
        let scenario = try load(file)
        let startDate = Date(timeIntervalSince1970: 1_700_000_000)  // fixes {{$now}} for both timelines
        var twin = Timeline(scenario: scenario, startDate: startDate)
        // Looked at further than checked, so that entries sharing the last checked offset are counted too.
        let expected = Fixture.entries(of: &twin, limit: 10 * Self.entryLimit)
        let checkedOffsets = expected.prefix(Self.entryLimit).compactMap { entry -> Duration? in
            if case .event = entry.item { entry.offset } else { nil }
        }
        var offsets: [Duration] = []
        for offset in checkedOffsets where offsets.last != offset { offsets.append(offset) }
        try #require(!offsets.isEmpty, "\(file): no event to check")
        func events(through offset: Duration, inclusive: Bool = true) -> UInt64 {
            UInt64(expected.filter { (inclusive ? $0.offset <= offset : $0.offset < offset) && Frame($0.item)?.kind == .event }.count)
        }

        let station = Station(scenario: scenario, timeline: Timeline(scenario: scenario, startDate: startDate))
        let listener = HubTest.listen(to: station.hub)
        let clock = TestClock()
        let task = Task {
            defer { clock.stop() }
            try await station.run(clock: clock)
        }
        await clock.waitForSleepers()
        for offset in offsets {
            if offset > .zero {
                clock.advance(to: offset - .milliseconds(1))
                await clock.waitForSleepers()
                #expect(station.hub.sequence == events(through: offset, inclusive: false), "\(file): published early at \(offset)")
            }
            clock.advance(to: offset)
            await clock.waitForSleepers()
            #expect(station.hub.sequence == events(through: offset), "\(file): not published at \(offset)")
        }
        task.cancel()
        _ = try? await task.value
        station.hub.closeAll(reason: .shutdown)

        let received = listener.frames
        let last = offsets[offsets.count - 1]
        var wanted = expected.filter { $0.offset <= last }.compactMap { Frame($0.item) }
        // A `disconnect` cue ends every subscription after its event, with a notice: the listener hears that much.
        if let drop = expected.firstIndex(where: { $0.offset <= last && $0.disconnectAfter }) {
            wanted = expected[...drop].compactMap { Frame($0.item) } + [BroadcastHub.disconnectNotice]
        }
        #expect(
            received.filter { $0.kind != .heartbeat }.map { Fixture.text($0.bytes) } == wanted.map { Fixture.text($0.bytes) },
            "\(file): the hub got other frames than the timeline's")
        let lastPublished = expected.filter { $0.offset <= last }.compactMap { Frame($0.item) }.last { $0.kind == .event }
        #expect(station.hub.lastEventID == lastPublished?.eventID)
    }

    // MARK: Helpers

    private func load(_ file: String) throws -> Scenario {
        do {
            return try ScenarioLoader.load(contentsOf: Fixture.bundledPath(file))
        } catch {
            Issue.record("\(file) does not load:\n\(error)")
            throw error
        }
    }

    private func isEnd(_ entry: TimelineEntry?) -> Bool {
        if case .end? = entry?.item { true } else { false }
    }

    /// The event, encoded and parsed as a browser would, keeps its type, data, id and retry.
    private func expectRoundTrip(_ event: SSEEvent, file: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        var parser = EventStreamParser()
        let outputs = parser.feed(EventEncoder.encode(event))
        let parsed = outputs.compactMap { if case .event(let parsed) = $0 { parsed } else { nil } }
        let retries = outputs.compactMap { if case .retry(let retry) = $0 { retry } else { nil } }
        #expect(retries == (event.retry.map { [$0] } ?? []), "\(file): retry", sourceLocation: sourceLocation)
        if let id = event.id { #expect(parser.lastEventId == id, "\(file): id", sourceLocation: sourceLocation) }
        guard let data = event.data else {
            #expect(parsed.isEmpty, "\(file): an event without data is not dispatched", sourceLocation: sourceLocation)
            return
        }
        let type = event.type.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
        let lines = data.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        #expect(
            parsed == [ParsedEvent(type: type, data: lines, lastEventId: event.id ?? "")], "\(file): \(event)", sourceLocation: sourceLocation)
    }

    /// A comment comes back line by line.
    private func expectRoundTrip(comment: String, file: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        var parser = EventStreamParser()
        let outputs = parser.feed(EventEncoder.encodeComment(comment))
        let lines = outputs.compactMap { if case .comment(let line) = $0 { line } else { nil } }
        #expect(outputs.count == lines.count, "\(file): a comment dispatched something", sourceLocation: sourceLocation)
        #expect(lines.joined(separator: "\n") == comment.replacingOccurrences(of: "\r\n", with: "\n"), "\(file)", sourceLocation: sourceLocation)
    }
}

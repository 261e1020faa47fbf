import CuecastCore
import Foundation
import FuzzSupport

/// The scenario loader on any bytes, then the playback of what it accepts:
/// - a rejected file gets at least one problem, and every problem names `fuzz.json:line:column` inside the input;
/// - an accepted scenario plays (timeline entries in time order, deterministic for its seed, triggers fired too),
///   and every event and comment it renders from its templates goes on the wire and reads back unchanged;
///   with automatic ids, every event carries one (the renderer never falls back to a bare event);
/// - resuming a fresh timeline after one of its event ids (a reconnecting client's `Last-Event-ID`) finds the
///   first event with that id and plays on exactly as the original did.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScenario(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let file = "fuzz.json"
    let scenario: Scenario
    do {
        scenario = try ScenarioLoader.load(bytes: bytes, file: file, defaultName: "fuzz")
    } catch {
        let bounds = TextBounds(bytes)
        expect(!error.problems.isEmpty, "a load error without a problem")
        for problem in error.problems {
            guard let location = problem.location else {
                fatalError("invariant broken: a problem without a position: \(problem)")
            }
            expect(problem.file == file && bounds.contains(location), "problem outside the input: \(problem)")
            expect(!problem.message.hasPrefix("internal error"), "the JSON position scanner fell out of step: \(problem)")
            expect(problem.description.hasPrefix("\(file):\(location.line):\(location.column): "), "not file:line:column: \(problem)")
        }
        return 0
    }
    play(scenario, bytes)
    return 0
}

private func play(_ scenario: Scenario, _ bytes: [UInt8]) {
    var random = SplitRandom(seededBy: bytes)
    let start = Date(timeIntervalSince1970: 1_750_000_000)
    var timeline = Timeline(scenario: scenario, startDate: start)
    var again = Timeline(scenario: scenario, startDate: start)
    var wire = ExpectedWire()
    var lastOffset = Duration.zero
    var entries: [TimelineEntry] = []
    for _ in 0..<64 {
        guard let entry = timeline.next() else { break }
        expect(entry.offset >= lastOffset, "timeline went back in time: \(entry.offset) after \(lastOffset)")
        lastOffset = entry.offset
        expect(again.next() == entry, "the same seed played differently: \(describe(entry))")
        entries.append(entry)
    }
    checkResume(scenario, played: entries, start: start, random: &random)
    for trigger in scenario.triggers {
        entries += timeline.fire(trigger: trigger.name)
    }
    for entry in entries {
        switch entry.item {
        case .passStarted:
            continue
        case .comment(let text):
            wire.appendComment(text)
        case .event(let event):
            expect(scenario.ids != .auto || event.id != nil, "an event without an id in a scenario with automatic ids: \(event)")
            wire.append(event)
        case .end(let sentinel):
            if let sentinel { wire.append(sentinel) }
        }
    }
    wire.verify(using: &random, "scenario playback")
}

private func checkResume(_ scenario: Scenario, played: [TimelineEntry], start: Date, random: inout SplitRandom) {
    let ids = played.compactMap { entry -> String? in
        if case .event(let event) = entry.item { event.id } else { nil }
    }
    guard !ids.isEmpty else { return }
    let id = ids[Int(random.next() % UInt64(ids.count))]
    guard let first = played.firstIndex(where: { if case .event(let event) = $0.item { event.id == id } else { false } }) else { return }
    var resumed = Timeline(scenario: scenario, startDate: start)
    let following = played[(first + 1)...].first { if case .passStarted = $0.item { false } else { true } }
    switch resumed.resume(after: id, searchLimit: 10_000) {
    case .after(let offset):
        expect(offset == played[first].offset, "resumed after \(id.debugDescription) at \(offset), but it was sent at \(played[first].offset)")
        for entry in played[(first + 1)...] {
            expect(resumed.next() == entry, "resumed after \(id.debugDescription), the stream differs at \(describe(entry))")
        }
    case .ended:
        if let following, case .end(nil) = following.item {} else if following != nil {
            fatalError("invariant broken: resume after \(id.debugDescription) says the stream ended, but \(describe(following)) follows")
        }
    case .notFound:
        fatalError("invariant broken: resume cannot find \(id.debugDescription), which the timeline sent")
    }
}

private func describe(_ entry: TimelineEntry?) -> String {
    guard let entry else { return "nil" }
    return "\(entry.offset) \(entry.pass) \(entry.item) \(entry.disconnectAfter)"
}

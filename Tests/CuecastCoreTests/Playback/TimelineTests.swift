import Foundation
import Testing

@testable import CuecastCore

/// The timeline without a clock: which entries, in which order, at which offsets, with which content.
/// Entries are compared as short lines (see `Fixture.describe`): offset in milliseconds, then the item.
struct TimelineTests {
    // MARK: Order and offsets

    @Test func atAndAfterPlaceCuesInTimeOrder() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "cues": [
              {"at": 1000, "event": "a", "data": "first"},
              {"after": 500, "event": "b", "data": "second"},
              {"at": 200, "data": "early"}
            ]}
            """)
        #expect(
            Fixture.describe(Fixture.entries(scenario)) == [
                "0 pass 1",
                "200 event id=1 data=early",
                "1000 event id=2 type=a data=first",
                "1500 event id=3 type=b data=second",
                "1500 end id=-1 data=",
            ])
    }

    @Test func firstCueWithoutATimeStartsAtZeroAndAfterChainsFromTheLastEmission() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "cues": [
              {"data": "now"},
              {"repeat": {"every": 100, "count": 3}, "data": "r{{$index}}"},
              {"after": 50, "data": "next"}
            ]}
            """)
        #expect(
            Fixture.describe(Fixture.entries(scenario)) == [
                "0 pass 1",
                "0 event id=1 data=now",
                "0 event id=2 data=r0",
                "100 event id=3 data=r1",
                "200 event id=4 data=r2",
                "250 event id=5 data=next",
                "250 end id=-1 data=",
            ])
    }

    /// Two repeating cues interleave by time; at equal times the cue written first goes first.
    @Test func repeatingCuesInterleaveAndTiesGoToTheEarlierCue() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "ids": "none", "cues": [
              {"at": 0, "repeat": {"every": 300, "count": 4}, "data": "a{{$index}}"},
              {"at": 0, "repeat": {"every": 200, "count": 4}, "data": "b{{$index}}"}
            ]}
            """)
        #expect(
            Fixture.describe(Fixture.entries(scenario)) == [
                "0 pass 1",
                "0 event data=a0",
                "0 event data=b0",
                "200 event data=b1",
                "300 event data=a1",
                "400 event data=b2",
                "600 event data=a2",
                "600 event data=b3",
                "900 event data=a3",
                "900 end id=-1 data=",
            ])
    }

    @Test func foreverRepeatNeverEnds() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 5, "repeat": {"every": 10}, "data": "tick"}]}"#)
        let entries = Fixture.entries(scenario, limit: 1001)
        #expect(entries.count == 1001)
        #expect(Fixture.describe(entries.last!) == "9995 event id=1000 data=tick")
    }

    // MARK: Ids

    @Test func autoIDsCountEventsAndExplicitIDsKeepTheirOwn() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "cues": [
              {"data": "a"},
              {"id": "custom-{{$index}}", "repeat": {"every": 10, "count": 2}, "data": "b"},
              {"after": 10, "data": "c"}
            ]}
            """)
        #expect(
            Fixture.describe(Fixture.entries(scenario)) == [
                "0 pass 1",
                "0 event id=1 data=a",
                "0 event id=custom-0 data=b",
                "10 event id=custom-1 data=b",
                "20 event id=4 data=c",
                "20 end id=-1 data=",
            ])
    }

    @Test func idsNoneLeavesOnlyExplicitIDs() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "ids": "none", "cues": [
              {"data": "a"},
              {"id": "{{$event}}", "data": "b"},
              {"data": "c"}
            ]}
            """)
        #expect(Fixture.events(Fixture.entries(scenario)).map(\.id) == [nil, "2", nil])
    }

    // MARK: Comments, retry and data

    /// A comment-only cue sends a comment and uses no event number; a cue with both sends the comment first.
    @Test func commentsComeBeforeTheirEventAndTakeNoID() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "cues": [
              {"comment": "just a note"},
              {"after": 100, "comment": "about to send #{{$event}}", "event": "e", "data": "x"},
              {"after": 100, "data": "y"}
            ]}
            """)
        #expect(
            Fixture.describe(Fixture.entries(scenario)) == [
                "0 pass 1",
                "0 comment just a note",
                "100 comment about to send #1",
                "100 event id=1 type=e data=x",
                "200 event id=2 data=y",
                "200 end id=-1 data=",
            ])
    }

    @Test func retryIsSentOnlyByTheCueThatSetsIt() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"data": "a", "retry": 2500}, {"data": "b"}]}"#)
        #expect(Fixture.events(Fixture.entries(scenario)).map(\.retry) == [2500, nil])
        #expect(Fixture.text(Fixture.wire(Fixture.entries(scenario, limit: 2))) == "id: 1\nretry: 2500\ndata: a\n\n")
    }

    @Test func textDataSplitsIntoDataLinesOnTheWire() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"event": "poem", "data": "line one\nline two\n"}]}"#)
        #expect(
            Fixture.text(Fixture.wire(Fixture.entries(scenario)))
                == "id: 1\nevent: poem\ndata: line one\ndata: line two\ndata:\n\nid: -1\ndata:\n\n")
    }

    /// In JSON data a string that is exactly one placeholder takes the value's JSON type; a placeholder inside
    /// other text is text. The data goes out compact, on one line.
    @Test func jsonDataIsRenderedCompactWithTypedPlaceholders() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T",
             "values": {"x": {"int": [7, 7]}, "word": ["hi"], "flag": [true], "obj": [{"k": [1, 2]}]},
             "cues": [
               {"data": {"a": "{{x}}", "b": "v={{x}}", "c": ["{{word}}", "{{flag}}", "{{obj}}", "{{obj.k}}"]}},
               {"data": {"static": [1, 2.5, true, null, "s p a c e"], "nested": {"z": {}}}},
               {"data": "x={{x}} obj={{obj}}"}
             ]}
            """)
        #expect(
            Fixture.data(Fixture.entries(scenario)) == [
                #"{"a":7,"b":"v=7","c":["hi",true,{"k":[1,2]},[1,2]]}"#,
                #"{"static":[1,2.5,true,null,"s p a c e"],"nested":{"z":{}}}"#,
                #"x=7 obj={"k":[1,2]}"#,
            ])
    }

    @Test func builtins() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "loop": {"delay": 100}, "end": {"afterEvents": 4},
             "cues": [{"at": 50, "repeat": {"every": 25, "count": 2}, "data": "{{$index}} {{$event}} {{$pass}} {{$elapsed}}"}]}
            """)
        #expect(Fixture.data(Fixture.entries(scenario)) == ["0 1 1 50", "1 2 1 75", "0 3 2 225", "1 4 2 250"])
    }

    @Test func nowIsTheStartDatePlusTheOffsetScaledBySpeed() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 3000, "data": "{{$now}}"}]}"#)
        var timeline = Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 1_700_000_000), speed: 2)
        #expect(Fixture.data(Fixture.entries(of: &timeline)) == ["2023-11-14T22:13:21.500Z"])
    }

    /// `$unix` is the emission's wall-clock time in whole seconds (rounded down), as a number in JSON.
    @Test func unixIsTheEmissionTimeInWholeSeconds() throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "cues": [{"at": 0, "data": "{{$unix}}"}, {"at": 3000, "data": {"t": "{{$unix}}", "s": "at {{$unix}}"}}]}"#)
        var timeline = Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 1_700_000_000.75), speed: 2)
        // 3 s of scenario time at double speed is 1.5 s of real time: 1_700_000_002.25.
        #expect(Fixture.data(Fixture.entries(of: &timeline)) == ["1700000000", #"{"t":1700000002,"s":"at 1700000002"}"#])
        var early = Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 999.999))
        #expect(Fixture.data(Fixture.entries(of: &early)) == ["999", #"{"t":1002,"s":"at 1002"}"#])
    }

    // MARK: Generators

    /// With `decimals: 0` a walk is a whole number on the wire, and so are its fields, except the percentage.
    @Test func aWalkWithNoDecimalsSendsWholeNumbers() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "seed": 5,
             "values": {"rps": {"walk": {"start": 1240, "step": 45, "min": 300, "max": 3200, "decimals": 0}}},
             "cues": [{"repeat": {"every": 10, "count": 40},
                       "data": {"v": "{{rps}}", "change": "{{rps.change}}", "delta": "{{rps.delta}}", "previous": "{{rps.previous}}",
                                "start": "{{rps.start}}", "pct": "{{rps.changePercent}}"}}]}
            """)
        var previous: Int64 = 1240
        var percents: [Double] = []
        for data in Fixture.data(Fixture.entries(scenario)) {
            guard case .object(let members) = try JSONParser.parse(data).value else {
                Issue.record("not an object: \(data)")
                continue
            }
            let fields = Dictionary(members.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
            guard case .integer(let value)? = fields["v"], case .integer(let change)? = fields["change"],
                case .integer(let delta)? = fields["delta"], case .integer(let last)? = fields["previous"],
                case .integer(let start)? = fields["start"]
            else {
                Issue.record("not whole numbers: \(data)")
                continue
            }
            #expect(start == 1240)
            #expect(last == previous)
            #expect(change == value - 1240)
            #expect(delta == value - previous)
            #expect(abs(delta) <= 45)
            #expect((300...3200).contains(value))
            switch fields["pct"] {
            case .number(let percent)?:
                #expect(abs(percent - Double(value - 1240) / 1240 * 100) < 0.006)
                percents.append(percent)
            default: Issue.record("changePercent is not a decimal number: \(data)")
            }
            previous = value
        }
        #expect(percents.count == 40)
        #expect(Set(percents).count > 5)
    }

    /// `float` with `decimals: 0` gives whole numbers too; with decimals it stays a decimal number even when
    /// the value is whole.
    @Test func aFloatWithNoDecimalsSendsWholeNumbers() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "values": {"f": {"float": [0, 3], "decimals": 0}, "g": {"float": [2, 2], "decimals": 1}},
             "cues": [{"repeat": {"every": 1, "count": 200}, "data": ["{{f}}", "{{g}}"]}]}
            """)
        var seen: Set<Int64> = []
        for data in Fixture.data(Fixture.entries(scenario)) {
            guard case .array(let items) = try JSONParser.parse(data).value, items.count == 2 else {
                Issue.record("not a pair: \(data)")
                continue
            }
            guard case .integer(let whole) = items[0] else {
                Issue.record("not a whole number: \(data)")
                continue
            }
            seen.insert(whole)
            #expect(items[1] == .number(2))
            #expect(data.hasSuffix(",2.0]"))
        }
        #expect(seen == [0, 1, 2, 3])  // rounded to the nearest whole number
    }

    /// `{{p}}` and its fields come from one draw per emission, and the walk moves on between emissions.
    @Test func walkFieldsAgreeWithinOneEmission() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "seed": 3,
             "values": {"p": {"walk": {"start": 100, "step": 5, "min": 90, "max": 110}}},
             "cues": [{"repeat": {"every": 10, "count": 50},
                       "data": {"p": "{{p}}", "again": "{{p}}", "change": "{{p.change}}", "previous": "{{p.previous}}",
                                "delta": "{{p.delta}}", "start": "{{p.start}}"}}]}
            """)
        var previous = 100.0
        var values: [Double] = []
        for data in Fixture.data(Fixture.entries(scenario)) {
            let fields = try numbers(in: data)
            let p = try #require(fields["p"])
            #expect(fields["again"] == p)
            #expect(fields["start"] == 100)
            #expect(fields["previous"] == previous)
            #expect(try #require(fields["change"]).isClose(to: p - 100))
            #expect(try #require(fields["delta"]).isClose(to: p - previous))
            #expect(abs(p - previous) <= 5.005)
            #expect((90...110).contains(p))
            #expect(p == (p * 100).rounded() / 100)  // two decimals by default
            previous = p
            values.append(p)
        }
        #expect(values.count == 50)
        #expect(Set(values).count > 10)  // it really moves
    }

    @Test func sequenceCyclesInOrder() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "values": {"s": {"sequence": ["a", "b", "c"]}},
             "cues": [{"repeat": {"every": 1, "count": 7}, "data": "{{s}}"}]}
            """)
        #expect(Fixture.data(Fixture.entries(scenario)) == ["a", "b", "c", "a", "b", "c", "a"])
    }

    /// A counter advances once per emission that uses it, however often the emission names it.
    @Test func counterStepsOncePerEmission() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "values": {"n": {"counter": {"start": 10, "step": -3}}, "m": {"counter": 1}},
             "cues": [{"repeat": {"every": 1, "count": 4}, "data": "{{n}}/{{n}} {{m}}"}]}
            """)
        #expect(Fixture.data(Fixture.entries(scenario)) == ["10/10 1", "7/7 2", "4/4 3", "1/1 4"])
    }

    /// A shared value keeps one state across cues; a cue's own value of the same name shadows it.
    @Test func sharedValuesAreSharedAndCueValuesShadowThem() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "values": {"n": {"counter": 1}},
             "cues": [
               {"at": 0, "repeat": {"every": 10, "count": 2}, "data": "a{{n}}"},
               {"at": 5, "repeat": {"every": 10, "count": 2}, "data": "b{{n}}"},
               {"at": 100, "values": {"n": {"counter": 100}}, "repeat": {"every": 1, "count": 2}, "data": "c{{n}}"}
             ]}
            """)
        #expect(Fixture.data(Fixture.entries(scenario)) == ["a1", "b2", "a3", "b4", "c100", "c101"])
    }

    @Test func intAndFloatStayInRange() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "values": {"i": {"int": [-2, 2]}, "f": {"float": [0.5, 0.75], "decimals": 1}},
             "cues": [{"repeat": {"every": 1, "count": 300}, "data": {"i": "{{i}}", "f": "{{f}}"}}]}
            """)
        var ints: Set<Double> = []
        var floats: Set<Double> = []
        for data in Fixture.data(Fixture.entries(scenario)) {
            let fields = try numbers(in: data)
            ints.insert(try #require(fields["i"]))
            floats.insert(try #require(fields["f"]))
        }
        #expect(ints == [-2, -1, 0, 1, 2])
        #expect(floats == [0.5, 0.6, 0.7])  // rounded to one decimal
    }

    @Test func pickWeightOfZeroIsNeverChosen() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "values": {"c": {"pick": ["never", "always", "never-either"], "weights": [0, 2.5, 0]}},
             "cues": [{"repeat": {"every": 1, "count": 200}, "data": "{{c}}"}]}
            """)
        #expect(Set(Fixture.data(Fixture.entries(scenario))) == ["always"])
    }

    /// Weights set the odds: over 4000 draws a 3:1 pick lands near 75 %, and so does a 3:1 `oneOf`.
    @Test func weightsSetTheOdds() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "values": {"c": {"pick": ["a", "b"], "weights": [3, 1]}},
             "cues": [
               {"repeat": {"every": 1, "count": 4000}, "data": "{{c}}"},
               {"at": 0, "repeat": {"every": 1, "count": 4000},
                "oneOf": [{"event": "heavy", "data": "x", "weight": 3}, {"event": "light", "data": "x"}]}
             ]}
            """)
        let events = Fixture.events(Fixture.entries(scenario, limit: 10_000))
        let picks = events.filter { $0.type == nil }.map(\.data)
        let heavy = events.filter { $0.type == "heavy" }.count
        #expect(picks.count == 4000)
        #expect((2850...3150).contains(picks.filter { $0 == "a" }.count))
        #expect((2850...3150).contains(heavy))
    }

    // MARK: Loops

    @Test func loopPassesStartAfterThePassLengthPlusTheDelayAndIDsKeepCounting() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "loop": {"delay": 1000}, "cues": [
              {"at": 0, "data": "a{{$pass}}"},
              {"after": 500, "data": "b{{$pass}}"}
            ]}
            """)
        #expect(
            Fixture.describe(Fixture.entries(scenario, limit: 10)) == [
                "0 pass 1",
                "0 event id=1 data=a1",
                "500 event id=2 data=b1",
                "1500 pass 2",
                "1500 event id=3 data=a2",
                "2000 event id=4 data=b2",
                "3000 pass 3",
                "3000 event id=5 data=a3",
                "3500 event id=6 data=b3",
                "4500 pass 4",
            ])
        #expect(Fixture.entries(scenario, limit: 10).map(\.pass) == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4])
    }

    /// The pass length is the last emission of any cue, not of the last cue written.
    @Test func loopPassLengthIsTheLatestEmission() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "loop": true, "cues": [
              {"at": 0, "repeat": {"every": 400, "count": 3}, "data": "long"},
              {"at": 100, "data": "short"}
            ]}
            """)
        let passes = Fixture.entries(scenario, limit: 21).filter { if case .passStarted = $0.item { true } else { false } }
        #expect(passes.map(\.offset) == [.zero, .milliseconds(800), .milliseconds(1600), .milliseconds(2400), .milliseconds(3200)])
    }

    /// The bundled song loops: each pass starts with `[START]`, the next pass begins the loop's delay after the
    /// last line, every pass sings the same lines, and ids keep counting up across passes.
    @Test func daisyBellLoopsWithItsDelay() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Fixture.bundledPath("daisy-bell.json"))
        let loop = try #require(scenario.loop)
        var timeline = Timeline(scenario: scenario, startDate: Date(timeIntervalSince1970: 0))
        var entries: [TimelineEntry] = []
        while entries.count < 10_000, let entry = timeline.next() {
            if case .passStarted(4) = entry.item { break }
            entries.append(entry)
        }
        let starts = entries.indices.filter { if case .passStarted = entries[$0].item { true } else { false } }
        try #require(starts.count == 3)
        let passes = [
            Array(entries[(starts[0] + 1)..<starts[1]]), Array(entries[(starts[1] + 1)..<starts[2]]), Array(entries[(starts[2] + 1)...]),
        ]
        for (number, pass) in zip(1..., passes) {
            let events = Fixture.events(pass)
            #expect(events.first?.type == "lyric", "pass \(number)")
            #expect(events.first?.data == "[START]", "pass \(number)")
            #expect(events.allSatisfy { $0.type == "lyric" }, "pass \(number)")
            #expect(events.count > 10, "pass \(number)")
            #expect(pass.allSatisfy { $0.pass == number })
            if case .end = pass.last?.item { Issue.record("a live loop must not end") }
        }
        #expect(Fixture.data(passes[1]) == Fixture.data(passes[0]))
        #expect(Fixture.data(passes[2]) == Fixture.data(passes[0]))
        // Each new pass starts the loop's delay after the previous pass's last line.
        for index in 1...2 {
            let lastLine = try #require(passes[index - 1].last { if case .event = $0.item { true } else { false } })
            #expect(entries[starts[index]].offset == lastLine.offset + loop.delay)
            #expect(passes[index].first?.offset ?? .zero >= entries[starts[index]].offset)
        }
        // Ids count every event since the stream began: 1, 2, 3, … across passes.
        let ids = Fixture.events(entries).map(\.id)
        #expect(ids == (1...ids.count).map { String($0) })
    }

    /// `nextOffset` tells when the entry `next()` returns is due, without making it: through pending events,
    /// loop passes, an `afterEvents` end with its delay, and after the end.
    @Test func nextOffsetAnnouncesEachEntryWithoutMakingIt() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "loop": {"delay": 300}, "end": {"afterEvents": 5, "delay": 70},
             "values": {"n": {"counter": 1}},
             "cues": [{"at": 100, "comment": "c", "data": "{{n}}"}, {"after": 50, "repeat": {"every": 10, "count": 2}, "data": "{{n}}"}]}
            """)
        var timeline = Timeline(scenario: scenario)
        var seen: [String] = []
        while let offset = timeline.nextOffset {
            #expect(timeline.nextOffset == offset)  // asking again changes nothing
            guard let entry = timeline.next() else {
                Issue.record("nothing at \(offset)")
                break
            }
            #expect(entry.offset == offset, "\(Fixture.describe(entry))")
            seen.append(Fixture.describe(entry))
        }
        #expect(timeline.next() == nil)
        #expect(
            seen == [
                "0 pass 1", "100 comment c", "100 event id=1 data=1", "150 event id=2 data=2", "160 event id=3 data=3",
                "460 pass 2", "560 comment c", "560 event id=4 data=4", "610 event id=5 data=5", "680 end id=-1 data=",
            ])
        #expect(Timeline(scenario: scenario).nextOffset == .zero)
    }

    // MARK: Disconnects

    /// `disconnect: N` marks the event of every N-th emission (`true`: every one); with a comment, the event
    /// (the last thing the emission sends) carries the mark.
    @Test func disconnectMarksEveryNthEmission() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "cues": [
              {"at": 0, "repeat": {"every": 100, "count": 7}, "data": "a{{$index}}", "disconnect": 3},
              {"at": 1000, "comment": "about to drop", "data": "b", "disconnect": true},
              {"at": 2000, "data": "c", "disconnect": false}
            ]}
            """)
        #expect(scenario.cues.map(\.disconnectEvery) == [3, 1, nil])
        let entries = Fixture.entries(scenario)
        let marked = entries.filter(\.disconnectAfter).map { Fixture.describe($0) }
        #expect(marked == ["200 event id=3 data=a2", "500 event id=6 data=a5", "1000 event id=8 data=b"])
    }

    /// A client that reconnects after the event that dropped it continues after it, and is not dropped again
    /// until the next marked emission.
    @Test func resumingAfterADisconnectContinuesAfterIt() throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "cues": [{"at": 0, "repeat": {"every": 100, "count": 5}, "data": "e{{$index}}", "disconnect": 2}, {"at": 900, "data": "z", "disconnect": true}]}"#)
        var timeline = Timeline(scenario: scenario)
        #expect(timeline.resume(after: "2") == .after(.milliseconds(100)))
        let rest = Fixture.entries(of: &timeline)
        #expect(Fixture.describe(rest) == ["200 event id=3 data=e2", "300 event id=4 data=e3", "400 event id=5 data=e4", "900 event id=6 data=z", "900 end id=-1 data="])
        #expect(rest.map(\.disconnectAfter) == [false, true, false, true, false])
        var atLast = Timeline(scenario: scenario)
        #expect(atLast.resume(after: "6") == .after(.milliseconds(900)))
        #expect(Fixture.entries(of: &atLast).map(\.disconnectAfter) == [false])  // just the sentinel
    }

    // MARK: Triggers

    static let triggered = """
        {"title": "T", "mode": "live", "values": {"n": {"counter": 1}, "p": {"walk": {"start": 100, "step": 0, "min": 10, "max": 120}}},
         "cues": [{"at": 0, "repeat": {"every": 100, "count": 3}, "data": "cue {{n}} {{p}} #{{$event}}"}],
         "triggers": {
           "hit": {"event": "hit", "values": {"n": {"counter": 500}}, "data": "hit {{n}} {{p}} #{{$event}} i={{$index}}"},
           "shared": {"comment": "c{{$index}}", "data": "shared {{n}}"},
           "up": {"data": "{{p}} {{p.change}} {{p.previous}}", "adjust": {"percent": 15}}
         }}
        """

    /// A trigger takes the next event number and draws from the scenario's generators (its own `values` shadow
    /// them, in a state of their own); the timeline goes on numbering after it. `$index` counts the trigger's
    /// own firings.
    @Test func aFiredTriggerContinuesTheIDsAndTheGenerators() throws {
        let scenario = try Fixture.scenario(Self.triggered)
        var timeline = Timeline(scenario: scenario)
        #expect(Fixture.describe(Fixture.entries(of: &timeline, limit: 2)) == ["0 pass 1", "0 event id=1 data=cue 1 100.0 #1"])
        #expect(Fixture.describe(timeline.fire(trigger: "hit")) == ["0 event id=2 type=hit data=hit 500 100.0 #2 i=0"])
        #expect(Fixture.describe(timeline.fire(trigger: "shared")) == ["0 comment c0", "0 event id=3 data=shared 2"])
        #expect(Fixture.describe(timeline.fire(trigger: "hit")) == ["0 event id=4 type=hit data=hit 501 100.0 #4 i=1"])
        #expect(timeline.eventsEmitted == 4)
        #expect(Fixture.describe(Fixture.entries(of: &timeline, limit: 1)) == ["100 event id=5 data=cue 3 100.0 #5"])
        #expect(Fixture.describe(timeline.fire(trigger: "shared")) == ["100 comment c1", "100 event id=6 data=shared 4"])
        #expect(timeline.fire(trigger: "nope").isEmpty)
        #expect(timeline.eventsEmitted == 6)
        #expect(Fixture.describe(Fixture.entries(of: &timeline)) == ["200 event id=7 data=cue 5 100.0 #7", "200 end id=-1 data="])
    }

    /// A trigger's own values never share state with a cue's own values of the same name.
    @Test func aTriggersOwnValuesKeepTheirOwnState() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "cues": [{"at": 0, "repeat": {"every": 100, "count": 3}, "values": {"n": {"counter": 1}}, "data": "cue {{n}}"}],
             "triggers": {"t": {"values": {"n": {"counter": 500}}, "data": "trigger {{n}}"}}}
            """)
        var timeline = Timeline(scenario: scenario)
        var data = Fixture.data(Fixture.entries(of: &timeline, limit: 2))
        data += Fixture.data(timeline.fire(trigger: "t"))
        data += Fixture.data(Fixture.entries(of: &timeline, limit: 1))
        data += Fixture.data(timeline.fire(trigger: "t"))
        data += Fixture.data(Fixture.entries(of: &timeline))
        #expect(data == ["cue 1", "trigger 500", "cue 2", "trigger 501", "cue 3"])
    }

    /// An adjustment scales the walk's current value before the trigger draws, within the walk's bounds; the
    /// walk's fields and the timeline's later draws go on from there.
    @Test func anAdjustmentScalesTheWalkForTheTriggerAndWhatFollows() throws {
        let scenario = try Fixture.scenario(Self.triggered)
        var timeline = Timeline(scenario: scenario)
        _ = Fixture.entries(of: &timeline, limit: 2)
        #expect(Fixture.data(timeline.fire(trigger: "up")) == ["115.0 15.0 115.0"])
        #expect(Fixture.data(timeline.fire(trigger: "up")) == ["120.0 20.0 120.0"])  // 132.25 is over the max
        #expect(Fixture.data(Fixture.entries(of: &timeline, limit: 1)) == ["cue 2 120.0 #4"])
    }

    // MARK: The end

    @Test func endsAfterTheLastCueWithTheClassicSentinel() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 700, "data": "only"}]}"#)
        var timeline = Timeline(scenario: scenario)
        let entries = Fixture.entries(of: &timeline)
        #expect(Fixture.describe(entries) == ["0 pass 1", "700 event id=1 data=only", "700 end id=-1 data="])
        #expect(Fixture.text(Fixture.wire(entries)) == "id: 1\ndata: only\n\nid: -1\ndata:\n\n")
        #expect(timeline.next() == nil)
        #expect(timeline.eventsEmitted == 1)
    }

    @Test func afterEventsEndsAForeverCue() throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "cues": [{"repeat": {"every": 100}, "data": "t"}], "end": {"afterEvents": 3, "delay": 50}}"#)
        #expect(
            Fixture.describe(Fixture.entries(scenario)) == [
                "0 pass 1", "0 event id=1 data=t", "100 event id=2 data=t", "200 event id=3 data=t", "250 end id=-1 data=",
            ])
    }

    @Test func afterEventsEndsALoopInItsSecondPass() throws {
        let scenario = try Fixture.scenario(
            #"{"title": "T", "loop": {"delay": 10}, "cues": [{"repeat": {"every": 100, "count": 2}, "data": "t"}], "end": {"afterEvents": 3}}"#)
        #expect(
            Fixture.describe(Fixture.entries(scenario)) == [
                "0 pass 1", "0 event id=1 data=t", "100 event id=2 data=t", "110 pass 2", "110 event id=3 data=t", "110 end id=-1 data=",
            ])
    }

    @Test func endDelayWaitsBeforeTheSentinel() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"at": 100, "data": "x"}], "end": {"delay": 2500}}"#)
        #expect(Fixture.describe(Fixture.entries(scenario)).last == "2600 end id=-1 data=")
    }

    @Test func sentinelFalseEndsWithoutAFinalEvent() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"data": "x"}], "end": {"sentinel": false}}"#)
        let entries = Fixture.entries(scenario)
        #expect(Fixture.describe(entries) == ["0 pass 1", "0 event id=1 data=x", "0 end"])
        #expect(Frame(entries[2].item) == nil)
        #expect(scenario.sentinelID == nil)
    }

    @Test func customSentinel() throws {
        let scenario = try Fixture.scenario(
            """
            {"title": "T", "cues": [{"repeat": {"every": 10, "count": 3}, "data": "x"}],
             "end": {"sentinel": {"event": "done", "id": "bye", "data": {"total": "{{$event}}"}}}}
            """)
        let entries = Fixture.entries(scenario)
        #expect(Fixture.describe(entries.last!) == #"20 end id=bye type=done data={"total":3}"#)
        #expect(Fixture.text(Fixture.wire([entries.last!])) == "id: bye\nevent: done\ndata: {\"total\":3}\n\n")
        #expect(scenario.sentinelID == "bye")
    }

    @Test func sentinelWithoutAnID() throws {
        let scenario = try Fixture.scenario(#"{"title": "T", "cues": [{"data": "x"}], "end": {"sentinel": {"id": null, "data": "bye"}}}"#)
        #expect(Fixture.describe(Fixture.entries(scenario)).last == "0 end data=bye")
        #expect(scenario.sentinelID == nil)
    }

    // MARK: Determinism

    static let randomLoop = """
        {"title": "T", "seed": 11, "loop": {"delay": 5},
         "values": {"p": {"walk": {"start": 50, "step": 2}}, "f": {"float": [0, 1], "decimals": 4},
                    "i": {"int": [1, 1000]}, "w": {"pick": ["x", "y", "z"], "weights": [1, 2, 3]}},
         "cues": [
           {"at": 0, "repeat": {"every": 7, "count": 5},
            "oneOf": [{"event": "walk", "data": {"p": "{{p}}", "c": "{{p.change}}"}}, {"event": "mix", "data": "{{f}} {{i}} {{w}}"}]},
           {"at": 3, "repeat": {"every": 11, "count": 3}, "comment": "c{{i}}", "data": "{{w}}"}
         ]}
        """

    @Test func sameSeedGivesTheSameBytes() throws {
        let scenario = try Fixture.scenario(Self.randomLoop)
        let first = Fixture.wire(Fixture.entries(scenario, limit: 200))
        let second = Fixture.wire(Fixture.entries(scenario, limit: 200))
        let explicit = Fixture.wire(Fixture.entries(scenario, seed: 11, limit: 200))
        #expect(first.count > 2000)
        #expect(first == second)
        #expect(first == explicit)
    }

    @Test func differentSeedGivesDifferentBytes() throws {
        let scenario = try Fixture.scenario(Self.randomLoop)
        #expect(Fixture.wire(Fixture.entries(scenario, limit: 200)) != Fixture.wire(Fixture.entries(scenario, seed: 12, limit: 200)))
    }

    /// The bundled classic: 30 named events with ids 1…30, each of one of four kinds with data of its kind, then
    /// the sentinel `id: -1` with one empty data line.
    @Test func randomNamedEventsPlaysThirtyEventsThenTheSentinel() throws {
        let scenario = try ScenarioLoader.load(contentsOf: Fixture.bundledPath("random-named-events.json"))
        let entries = Fixture.entries(scenario)
        let events = Fixture.events(entries)
        #expect(events.count == 30)
        #expect(events.map(\.id) == (1...30).map { String($0) })
        var facts: [String] = []
        for event in events {
            let data = try #require(event.data, "event \(event.id ?? "?") has no data")
            switch event.type {
            case "coinToss": #expect(["heads", "tails"].contains(data))
            case "dieRoll": #expect(["1", "2", "3", "4", "5", "6"].contains(data))
            case "catFact":
                #expect(data.count > 10)
                facts.append(data)
            case "meme":
                #expect(data.hasPrefix("/memes/"), "meme \(data)")
                let file = URL(fileURLWithPath: Fixture.publicDirectory + data).standardizedFileURL.path
                #expect(file.hasPrefix(Fixture.publicDirectory + "/memes/"), "meme \(data) leaves /memes/")
                var isDirectory: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue, "no file for \(data)")
            default: Issue.record("unexpected event type \(String(describing: event.type))")
            }
        }
        #expect(Set(facts).count == facts.count)  // no fact told twice in a run
        #expect(Set(events.map(\.type)).count > 1)
        guard case .end(let sentinel?)? = entries.last?.item else {
            Issue.record("the stream does not end with a sentinel: \(Fixture.describe(entries.last!))")
            return
        }
        #expect(sentinel.id == "-1")
        #expect(sentinel.data == "")
        #expect(sentinel.type == nil)
        #expect(Fixture.text(Fixture.wire([entries.last!])) == "id: -1\ndata:\n\n")
        #expect(Fixture.wire(Fixture.entries(scenario)) == Fixture.wire(entries))  // the seed fixes the stream
    }

    // MARK: Helpers

    /// The numeric members of a JSON object text.
    private func numbers(in json: String) throws -> [String: Double] {
        guard case .object(let members) = try JSONParser.parse(json).value else {
            Issue.record("not a JSON object: \(json)")
            return [:]
        }
        var result: [String: Double] = [:]
        for (key, value) in members {
            switch value {
            case .integer(let number): result[key] = Double(number)
            case .number(let number): result[key] = number
            default: break
            }
        }
        return result
    }
}

extension Double {
    fileprivate func isClose(to other: Double) -> Bool { abs(self - other) < 0.0051 }
}

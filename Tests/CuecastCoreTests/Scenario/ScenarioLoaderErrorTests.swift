import Testing

@testable import CuecastCore

/// Every problem is asserted as the exact `file:line:column: message` an author sees. Positions are 1-based;
/// the loader points at the value (or the key, for unknown fields, or the object, for missing fields); jansson's
/// syntax errors point at the end of the token it choked on.
struct ScenarioLoaderErrorTests {
    // MARK: JSON syntax (jansson's positions)

    @Test func syntaxErrorReportsJanssonsPosition() {
        let json = """
            {
              "title": "T",
              "cues": [}
            }
            """
        #expect(Fixture.problems(json) == ["test.json:3:12: unexpected token near '}'"])
    }

    @Test func duplicateKeyIsRefusedAtTheEndOfTheSecondKey() {
        let json = """
            {
              "title": "T",
              "title": "U",
              "cues": [{"data": "x"}]
            }
            """
        #expect(Fixture.problems(json) == [#"test.json:3:9: duplicate object key near '"title"'"#])
    }

    @Test func problemsNameTheFileTheyWereGiven() {
        #expect(Fixture.problems("[1,", file: "scenarios/broken.json") == ["scenarios/broken.json:1:3: ']' expected near end of file"])
    }

    // MARK: Unknown fields (at the key)

    @Test func unknownFieldSuggestsTheClosestName() {
        let json = """
            {
              "title": "T",
              "descripton": "typo",
              "cues": [{"data": "x", "repet": {"every": 100}}]
            }
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:3:3: unknown field 'descripton' in the scenario (did you mean 'description'?)",
                "test.json:4:26: unknown field 'repet' in cue 1 (did you mean 'repeat'?)",
            ])
    }

    @Test func unknownFieldWithNothingCloseListsTheAllowedFields() {
        let json = """
            {"title": "T", "cues": [{"data": "x"}],
             "colour": "red"}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:2: unknown field 'colour' in the scenario; allowed: name, title, description, tags, mode, retry, welcome, heartbeat, seed, ids, loop, history, values, cues, triggers, end"
            ])
    }

    /// A misspelt event field leaves the cue with nothing to send: both problems are reported.
    @Test func misspeltDataInACue() {
        let json = """
            {"title": "T", "cues": [
              {"daat": "x"}
            ]}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:3: cue 1 sends nothing: give it 'data' (and maybe 'event', 'id'), or a 'comment'",
                "test.json:2:4: unknown field 'daat' in cue 1 (did you mean 'data'?)",
            ])
    }

    // MARK: Types (at the value)

    @Test func wrongTypesArePointedAtTheValue() {
        let json = """
            {
              "title": 42,
              "tags": "x",
              "cues": [{"data": "x", "retry": "soon"}],
              "seed": 1.5
            }
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:12: 'title' must be a string, found integer",
                "test.json:3:11: 'tags' must be an array of strings, found string",
                "test.json:4:35: 'retry' must be an integer (milliseconds), found string",
                "test.json:5:11: 'seed' must be a whole number, found 1.5",
            ])
    }

    @Test func theScenarioMustBeAnObject() {
        #expect(Fixture.problems("\n  [1, 2]") == ["test.json:2:3: the scenario must be an object, found array"])
    }

    @Test func nullDataIsRefusedWithAHint() {
        let json = #"{"title": "T", "cues": [{"data": null}]}"#
        #expect(
            Fixture.problems(json) == [
                #"test.json:1:34: 'data' is null: leave 'data' out to send no data line, or write "null" to send the text null"#
            ])
    }

    // MARK: Missing fields (at the object)

    @Test func missingTitleAndCuesAreReportedAtTheObject() {
        let json = """

              {
                "description": "nothing else"
              }
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:3: the scenario is missing the required field 'title'",
                "test.json:2:3: the scenario is missing the required field 'cues'",
            ])
    }

    @Test func emptyCuesAreRefused() {
        #expect(Fixture.problems(#"{"title": "T", "cues": []}"#) == ["test.json:1:24: 'cues' is empty: a scenario needs at least one cue"])
    }

    @Test func repeatWithoutEvery() {
        let json = #"{"title": "T", "cues": [{"data": "x", "repeat": {"count": 3}}]}"#
        #expect(Fixture.problems(json) == ["test.json:1:49: the repeat of cue 1 is missing the required field 'every'"])
    }

    // MARK: Impossible values

    @Test func negativeAt() {
        let json = #"{"title": "T", "cues": [{"at": -5, "data": "x"}]}"#
        #expect(Fixture.problems(json) == ["test.json:1:32: 'at' must be at least 0 (milliseconds), found -5"])
    }

    @Test func repeatEveryZero() {
        let json = #"{"title": "T", "cues": [{"data": "x", "repeat": {"every": 0, "count": 2}}]}"#
        #expect(Fixture.problems(json) == ["test.json:1:59: 'every' must be at least 1 (milliseconds), found 0"])
    }

    @Test func bothAtAndAfter() {
        let json = #"{"title": "T", "cues": [{"at": 5, "after": 10, "data": "x"}]}"#
        #expect(
            Fixture.problems(json) == [
                "test.json:1:44: cue 1 has both 'at' and 'after': use 'at' for a time from the start of the pass, or 'after' for a delay after the previous cue"
            ])
    }

    @Test func intGeneratorWithMinAboveMax() {
        let json = """
            {"title": "T",
             "values": {"n": {"int": [6, 1]}},
             "cues": [{"data": "{{n}}"}]}
            """
        #expect(Fixture.problems(json) == ["test.json:2:26: 'int' has min 6 greater than max 1"])
    }

    @Test func emptyPickList() {
        let json = """
            {"title": "T",
             "values": {"c": {"pick": []}, "d": []},
             "cues": [{"data": "{{c}}{{d}}"}]}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:27: 'pick' must be a non-empty array of values, found an empty array",
                "test.json:2:37: 'd' must be a non-empty array of values, found an empty array",
            ])
    }

    @Test func weightsCountMustMatchTheValues() {
        let json = """
            {"title": "T",
             "values": {"c": {"pick": ["a", "b"], "weights": [1]}},
             "cues": [{"data": "{{c}}"}]}
            """
        #expect(Fixture.problems(json) == ["test.json:2:50: 'weights' must be an array with one number per value (2)"])
    }

    @Test func generatorNeedsExactlyOneKind() {
        let json = """
            {"title": "T",
             "values": {"c": {"int": [1, 2], "float": [0, 1]}},
             "cues": [{"data": "{{c}}"}]}
            """
        #expect(Fixture.problems(json) == ["test.json:2:18: value 'c' needs exactly one of 'pick', 'sequence', 'int', 'float', 'counter', 'walk'; found 'int' and 'float'"])
    }

    @Test func heartbeatBelowTheMinimum() {
        let json = #"{"title": "T", "heartbeat": 50, "cues": [{"data": "x"}]}"#
        #expect(Fixture.problems(json) == ["test.json:1:29: 'heartbeat' must be 0 (none) or at least 100 milliseconds, found 50"])
    }

    @Test func badModeListsTheChoices() {
        let json = #"{"title": "T", "mode": "radio", "cues": [{"data": "x"}]}"#
        #expect(Fixture.problems(json) == ["test.json:1:24: 'mode' must be 'live' or 'solo', found 'radio'"])
    }

    @Test func badIDPolicyListsTheChoices() {
        let json = #"{"title": "T", "ids": "uuid", "cues": [{"data": "x"}]}"#
        #expect(Fixture.problems(json) == ["test.json:1:23: 'ids' must be 'auto' or 'none', found 'uuid'"])
    }

    @Test func scenarioNameMustBeURLSafe() {
        let json = #"{"name": "My Scenario", "title": "T", "cues": [{"data": "x"}]}"#
        #expect(
            Fixture.problems(json) == [
                "test.json:1:10: scenario name 'My Scenario' must be 1-64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit (it is part of the URL)"
            ])
    }

    // MARK: Event names and ids must stay on one line

    @Test func eventNameWithANewlineIsRefused() {
        let json = #"{"title": "T", "cues": [{"event": "a\nb", "data": "x"}]}"#
        #expect(Fixture.problems(json) == ["test.json:1:35: 'event' is invalid: an event name cannot contain a line break (CR or LF)"])
    }

    @Test func eventIDWithANewlineOrNULIsRefused() {
        let json = """
            {"title": "T", "cues": [
              {"id": "1\\r2", "data": "x"},
              {"id": "1\\u00002", "data": "x"}
            ]}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:10: 'id' is invalid: an event ID cannot contain a line break (CR or LF)",
                "test.json:3:10: 'id' is invalid: an event ID cannot contain a NUL character (U+0000); browsers would ignore the whole id field",
            ])
    }

    @Test func sentinelIDWithANewlineIsRefused() {
        let json = #"{"title": "T", "cues": [{"data": "x"}], "end": {"sentinel": {"id": "a\nb"}}}"#
        #expect(Fixture.problems(json) == ["test.json:1:68: the sentinel's 'id' is invalid: an event ID cannot contain a line break (CR or LF)"])
    }

    /// A value that can draw a string with a line break may not feed an event name or id, even though each
    /// literal part of the template is fine.
    @Test func placeholderThatCanProduceALineBreakInAnEventName() {
        let json = """
            {"title": "T",
             "values": {"kind": ["a", "b\\nc"], "n": {"int": [1, 3]}},
             "cues": [
               {"event": "{{kind}}", "id": "{{kind}}-{{n}}", "data": "{{kind}}"}
             ]}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:4:14: cue 1: value 'kind' can produce a line break or NUL, which an event name must never contain",
                "test.json:4:32: cue 1: value 'kind' can produce a line break or NUL, which an event id must never contain",
            ])
    }

    // MARK: Placeholders

    @Test func unknownPlaceholderSuggestsTheClosestValue() {
        let json = """
            {"title": "T",
             "values": {"price": {"walk": {"start": 100, "step": 1}}},
             "cues": [{"data": "now {{pirce}}"}]}
            """
        #expect(Fixture.problems(json) == ["test.json:3:20: cue 1: '{{pirce}}' in 'data' names no value (did you mean 'price'?)"])
    }

    @Test func unknownPlaceholderWithoutValuesSaysWhereToDefineThem() {
        let json = #"{"title": "T", "cues": [{"comment": "{{mystery}}"}]}"#
        #expect(Fixture.problems(json) == [#"test.json:1:37: cue 1: '{{mystery}}' in 'comment' names no value; define it under "values""#])
    }

    @Test func unknownFieldOfAValueAndUnknownBuiltin() {
        let json = """
            {"title": "T",
             "values": {"price": {"walk": {"start": 100, "step": 1}}},
             "cues": [{"data": "{{price.chnage}} {{$idx}}"}]}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:3:20: cue 1: '{{price.chnage}}': value 'price' has no field 'chnage'",
                "test.json:3:20: cue 1: unknown built-in '{{$idx}}'; built-ins are $index, $event, $pass, $elapsed, $now, $unix",
            ])
    }

    /// The column points at the `{{` that is never closed (the string's quote is at column 20; `{{` is 7 characters into the text).
    @Test func unclosedPlaceholder() {
        let json = """
            {"title": "T",
             "cues": [{"data": "total: {{price"}]}
            """
        #expect(Fixture.problems(json) == ["test.json:2:28: '{{' starts a placeholder that is never closed with '}}'"])
    }

    @Test func emptyPlaceholderInJSONData() {
        let json = """
            {"title": "T",
             "cues": [{"data": {"a": ["ok", "x{{ }}"]}}]}
            """
        #expect(Fixture.problems(json) == ["test.json:2:35: empty placeholder '{{}}': write '{{name}}' with the name of a value"])
    }

    /// The sentinel's data is checked like a cue's; it sees the scenario's values but no cue's own.
    @Test func placeholdersInTheSentinelAreChecked() {
        let json = """
            {"title": "T", "values": {"total": {"counter": 1}},
             "cues": [{"values": {"mine": ["x"]}, "data": "{{mine}}"}],
             "end": {"sentinel": {"data": {"total": "{{totl}}", "mine": "{{mine}}", "ok": "{{total}} {{$event}}"}}}}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:3:31: the sentinel: '{{totl}}' in 'data' names no value (did you mean 'total'?)",
                "test.json:3:31: the sentinel: '{{mine}}' in 'data' names no value",
            ])
    }

    // MARK: History, triggers and disconnects

    @Test func historyIsForLiveScenariosOnly() {
        let json = """
            {"title": "T", "cues": [{"data": "x"}],
             "history": 5}
            """
        #expect(Fixture.problems(json) == ["test.json:2:13: 'history' applies to live scenarios only: a solo stream starts from the beginning"])
    }

    @Test func historyMustBeNoneAllOrACount() {
        let json = """
            {"title": "T", "mode": "live", "cues": [{"data": "x"}],
             "history": "last"}
            """
        #expect(Fixture.problems(json) == [#"test.json:2:13: 'history' must be "none", "all" or a number of events, found string"#])
        #expect(
            Fixture.problems(#"{"title": "T", "mode": "live", "cues": [{"data": "x"}], "history": -1}"#) == [
                "test.json:1:68: 'history' must be from 0 to 1000000 (events), found -1"
            ])
        #expect(
            Fixture.problems(#"{"title": "T", "mode": "live", "cues": [{"data": "x"}], "history": 2.5}"#) == [
                #"test.json:1:68: 'history' must be "none", "all" or a number of events, found number"#
            ])
    }

    /// A trigger's name is part of a URL; each bad one is reported at its key, and the good ones still load.
    @Test func badTriggerNames() {
        let json = """
            {"title": "T", "mode": "live", "cues": [{"data": "x"}],
             "triggers": {
               "market crash": {"data": "x"},
               "-dash": {"data": "y"},
               "a/b": {"data": "z"},
               "Fine_1.0": {"data": "ok"}
             }}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:3:4: trigger name 'market crash' must be 1-64 letters, digits, '-', '_' or '.' (it is part of a URL)",
                "test.json:4:4: trigger name '-dash' must be 1-64 letters, digits, '-', '_' or '.' (it is part of a URL)",
                "test.json:5:4: trigger name 'a/b' must be 1-64 letters, digits, '-', '_' or '.' (it is part of a URL)",
            ])
    }

    @Test func triggersMustBeAnObjectOfTriggersThatSendSomething() {
        #expect(
            Fixture.problems(#"{"title": "T", "cues": [{"data": "x"}], "triggers": ["crash"]}"#) == [
                "test.json:1:53: 'triggers' must be an object of named triggers, found array"
            ])
        let json = """
            {"title": "T", "cues": [{"data": "x"}],
             "triggers": {"empty": {}, "timed": {"at": 100, "data": "x", "disconnect": true}}}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:24: trigger 'empty' sends nothing: give it 'data' (and maybe 'event', 'id'), or a 'comment'",
                "test.json:2:38: unknown field 'at' in trigger 'timed'; allowed: oneOf, values, adjust, event, data, id, retry, comment",
                "test.json:2:62: unknown field 'disconnect' in trigger 'timed'; allowed: oneOf, values, adjust, event, data, id, retry, comment",
            ])
    }

    /// `adjust` moves walks only: each other name is reported where it is written, with the walks there are.
    @Test func adjustNamingSomethingOtherThanAWalk() {
        let json = """
            {"title": "T", "mode": "live",
             "values": {"aapl": {"walk": {"start": 1, "step": 1}}, "msft": {"walk": {"start": 2, "step": 1}}, "mood": ["up"]},
             "cues": [{"data": "x"}],
             "triggers": {"crash": {"data": "x", "values": {"local": {"walk": {"start": 1, "step": 1}}},
                                    "adjust": {"percent": -8, "values": ["aapl", "mood", "local", 3]}}}}
            """
        #expect(
            Fixture.problems(json) == [
                #"test.json:5:70: 'adjust' can only move the scenario's walks; "mood" is not one (walks: aapl, msft)"#,
                #"test.json:5:78: 'adjust' can only move the scenario's walks; "local" is not one (walks: aapl, msft)"#,
                "test.json:5:87: 'adjust' can only move the scenario's walks; 3 is not one (walks: aapl, msft)",
            ])
    }

    @Test func adjustWithNoWalkInTheScenario() {
        let json = """
            {"title": "T", "mode": "live", "values": {"mood": ["up"]}, "cues": [{"data": "x"}],
             "triggers": {"crash": {"data": "x", "adjust": {"percent": -8}}}}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:48: 'adjust' in trigger 'crash' has no walk to move: define a 'walk' under the scenario's values"
            ])
        let named = """
            {"title": "T", "mode": "live", "cues": [{"data": "x"}],
             "triggers": {"crash": {"data": "x", "adjust": {"percent": -8, "values": ["aapl"]}}}}
            """
        #expect(Fixture.problems(named) == [#"test.json:2:75: 'adjust' can only move the scenario's walks; "aapl" is not one"#])
    }

    @Test func adjustNeedsAPercentInRange() {
        let json = """
            {"title": "T", "mode": "live", "values": {"p": {"walk": {"start": 1, "step": 1}}}, "cues": [{"data": "x"}],
             "triggers": {"a": {"data": "x", "adjust": {"percent": -101}},
                          "b": {"data": "x", "adjust": {"values": ["p"]}},
                          "c": {"data": "x", "adjust": {"percent": 5, "values": "p", "by": 1}}}}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:56: 'percent' must be between -100.0 and 10000.0, found -101.0",
                "test.json:3:44: the adjust of trigger 'b' is missing the required field 'percent'",
                "test.json:4:69: 'values' must be an array of walk names, found string",
                "test.json:4:74: unknown field 'by' in the adjust of trigger 'c'; allowed: percent, values",
            ])
    }

    /// A trigger's placeholders are checked like a cue's, in the scope of its own values and the scenario's.
    @Test func placeholdersInATriggerAreChecked() {
        let json = """
            {"title": "T", "mode": "live", "values": {"price": [1], "word": ["a\\nb"]},
             "cues": [{"data": "x"}],
             "triggers": {"crash": {"values": {"mine": [2]}, "event": "{{kind}}", "id": "{{word}}",
                                    "data": "{{prise}} {{mine}} {{price.x}} {{$unix}} {{$nope}}"}}}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:3:59: trigger 'crash': '{{kind}}' in 'event' names no value",
                "test.json:3:77: trigger 'crash': value 'word' can produce a line break or NUL, which an event id must never contain",
                "test.json:4:33: trigger 'crash': '{{prise}}' in 'data' names no value (did you mean 'price'?)",
                "test.json:4:33: trigger 'crash': '{{price.x}}': value 'price' has no field 'x'",
                "test.json:4:33: trigger 'crash': unknown built-in '{{$nope}}'; built-ins are $index, $event, $pass, $elapsed, $now, $unix",
            ])
        // A trigger's own values are not visible to the cues.
        #expect(
            Fixture.problems(#"{"title": "T", "cues": [{"data": "{{mine}}"}], "triggers": {"t": {"values": {"mine": [2]}, "data": "{{mine}}"}}}"#) == [
                #"test.json:1:34: cue 1: '{{mine}}' in 'data' names no value; define it under "values""#
            ])
    }

    @Test func disconnectIsTrueOrACount() {
        let json = """
            {"title": "T", "cues": [
              {"data": "x", "disconnect": 0},
              {"data": "y", "disconnect": "yes"},
              {"data": "z", "disconnect": 1.5}
            ]}
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:31: 'disconnect' must be from 1 to 2147483647 (true, or after every N emissions), found 0",
                "test.json:3:31: 'disconnect' must be an integer (true, or after every N emissions), found string",
                "test.json:4:31: 'disconnect' must be a whole number (true, or after every N emissions), found 1.5",
            ])
    }

    @Test func unixIsABuiltinWithoutFields() {
        #expect(Fixture.problems(#"{"title": "T", "cues": [{"data": "{{$unix}}"}]}"#) == [])
        #expect(Fixture.problems(#"{"title": "T", "cues": [{"data": "{{$unix.ms}}"}]}"#) == ["test.json:1:34: cue 1: built-in '{{$unix}}' has no fields"])
    }

    // MARK: The timeline's shape

    @Test func afterFollowingAForeverRepeat() {
        let json = """
            {"title": "T", "cues": [
              {"repeat": {"every": 1000}, "data": "tick"},
              {"after": 500, "data": "never"},
              {"at": 200, "data": "fine"}
            ]}
            """
        #expect(Fixture.problems(json) == ["test.json:3:3: cue 2 starts 'after' cue 1, which repeats forever: give cue 2 an 'at' time"])
    }

    @Test func loopWithAForeverCue() {
        let json = """
            {"title": "T",
             "loop": true,
             "cues": [{"at": 0, "repeat": {"every": 1000}, "data": "tick"}]}
            """
        #expect(Fixture.problems(json) == ["test.json:2:10: 'loop' can never come round: cue 1 repeats forever (give its repeat a 'count')"])
    }

    @Test func loopWithAZeroLengthPass() {
        let json = """
            {"title": "T",
             "loop": {"delay": 0},
             "cues": [{"data": "a"}, {"at": 0, "data": "b"}]}
            """
        #expect(Fixture.problems(json) == ["test.json:2:10: 'loop' would replay instantly forever: the cues take no time; add a 'delay' or space the cues out"])
    }

    @Test func explicitEndOfALoopIsUnreachable() {
        let json = """
            {"title": "T",
             "loop": {"delay": 1000},
             "cues": [{"data": "a"}],
             "end": {"delay": 500}}
            """
        #expect(Fixture.problems(json) == ["test.json:4:9: a looping scenario never reaches its end: give 'end' an 'afterEvents' count, or remove 'loop'"])
    }

    @Test func explicitEndAfterAForeverCueIsUnreachable() {
        let json = """
            {"title": "T",
             "cues": [{"repeat": {"every": 1000}, "data": "tick"}],
             "end": {"sentinel": false}}
            """
        #expect(Fixture.problems(json) == ["test.json:3:9: the end is never reached: cue 1 repeats forever; give 'end' an 'afterEvents' count"])
    }

    @Test func anEndWithAfterEventsMakesForeverCuesFinite() throws {
        let json = """
            {"title": "T", "loop": true,
             "cues": [{"repeat": {"every": 1000, "count": 2}, "data": "tick"}],
             "end": {"afterEvents": 5}}
            """
        #expect(Fixture.problems(json) == [])
    }

    // MARK: Many problems at once

    /// The author fixes the file in one round: every problem is reported, sorted by position in the file even
    /// though the loader finds them field by field (unknown fields first, placeholders last).
    @Test func everyProblemIsReportedInFileOrder() {
        let json = """
            {
              "title": 5,
              "mode": "radio",
              "heartbeat": 50,
              "cues": [
                {"at": -1, "data": "{{nope}}"},
                {"event": "a\\nb", "data": "x"}
              ],
              "tagz": ["x"]
            }
            """
        #expect(
            Fixture.problems(json) == [
                "test.json:2:12: 'title' must be a string, found integer",
                "test.json:3:11: 'mode' must be 'live' or 'solo', found 'radio'",
                "test.json:4:16: 'heartbeat' must be 0 (none) or at least 100 milliseconds, found 50",
                "test.json:6:12: 'at' must be at least 0 (milliseconds), found -1",
                #"test.json:6:24: cue 1: '{{nope}}' in 'data' names no value; define it under "values""#,
                "test.json:7:15: 'event' is invalid: an event name cannot contain a line break (CR or LF)",
                "test.json:9:3: unknown field 'tagz' in the scenario (did you mean 'tags'?)",
            ])
    }

    @Test func loadErrorDescriptionIsOneProblemPerLine() {
        do {
            _ = try ScenarioLoader.load(text: "{}", file: "x.json", defaultName: "x")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description == """
                    x.json:1:1: the scenario is missing the required field 'title'
                    x.json:1:1: the scenario is missing the required field 'cues'
                    """)
        }
    }
}

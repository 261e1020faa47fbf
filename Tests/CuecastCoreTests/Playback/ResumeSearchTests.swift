import Testing

@testable import CuecastCore

/// A resume search walked in slices finds what one walk finds, and stops where it must.
struct ResumeSearchTests {
    static let endless = """
        { "title": "Endless", "seed": 3, "values": { "face": { "int": [1, 6] } },
          "cues": [{ "at": 10, "repeat": { "every": 10 }, "event": "roll", "data": "{{face}}" }] }
        """

    static func timeline() throws -> Timeline {
        Timeline(scenario: try ScenarioLoader.load(text: endless, file: "endless.json", defaultName: "endless"))
    }

    @Test(arguments: [1, 7, 1000])
    func slicesFindWhatOneWalkFinds(slice: Int) throws {
        var whole = try Self.timeline()
        let expected = whole.resume(after: "2500")
        var search = ResumeSearch(timeline: try Self.timeline(), after: "2500")
        var point: ResumePoint?
        var slices = 0
        while point == nil {
            point = search.advance(by: slice)
            slices += 1
        }
        #expect(point == expected)
        #expect(slices >= 2500 / slice)
        var resumed = search.timeline
        #expect(resumed.next() == whole.next())
    }

    @Test func anAutomaticIDBeyondTheLimitIsAnsweredWithoutWalking() throws {
        var search = ResumeSearch(timeline: try Self.timeline(), after: "1000000")
        #expect(search.point == .notFound)
        #expect(search.advance(by: 1) == .notFound)
        #expect(search.walked == 0)
    }

    @Test func theWalkStopsAtTheLimit() throws {
        let search = ResumeSearch(timeline: try Self.timeline(), after: "500", limit: 100)
        #expect(search.point == .notFound)  // 500 is past the limit: known at once
        var inside = ResumeSearch(timeline: try Self.timeline(), after: "90", limit: 100)
        #expect(inside.advance(by: 10) == nil)
        #expect(inside.advance(by: 1000) != nil)
        #expect(inside.walked <= 100)
    }
}

import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// The conformance lab's HTTP side: cases served per run, requests remembered, grading.
@Suite(.timeLimit(.minutes(1)))
struct ConformanceLabTests {
    @Test("a case's responses in order per run, then 204; requests and their Last-Event-ID remembered")
    func runs() async throws {
        try await withServer([]) { port in
            let first = try await fetch(port: port, "/conformance/format-field-id-2?run=r1")
            let second = try await fetch(port: port, "/conformance/format-field-id-2?run=r1", headers: [("Last-Event-ID", "7")])
            let third = try await fetch(port: port, "/conformance/format-field-id-2?run=r1", headers: [("Last-Event-ID", "7")])
            let otherRun = try await fetch(port: port, "/conformance/format-field-id-2?run=r2")
            let requests = try await fetch(port: port, "/api/conformance/format-field-id-2/requests?run=r1").json()
            #expect(first.status == 200)
            #expect(first.header("Content-Type") == "text/event-stream")
            #expect(first.body == "id: 7\ndata: a\n\n")
            #expect(second.body == "data: b\n\n")
            #expect(third.status == 204)
            #expect(otherRun.body == "id: 7\ndata: a\n\n")
            #expect((requests["requests"] as? [Any])?.map { $0 as? String } == [nil, "7", "7"])
            let seen = try #require(requests["seen"] as? [[String: Any]])
            #expect(seen.map { $0["method"] as? String } == ["GET", "GET", "GET"])
            #expect(seen.map { ($0["headers"] as? [String: String])?["last-event-id"] } == [nil, "7", "7"])
        }
    }

    @Test("statuses and content types as the case says")
    func heads() async throws {
        try await withServer([]) { port in
            let failing = try await fetch(port: port, "/conformance/status-500?run=a")
            let plain = try await fetch(port: port, "/conformance/content-type-plain?run=a")
            let missing = try await fetch(port: port, "/conformance/content-type-missing?run=a")
            let over = try await fetch(port: port, "/conformance/status-204?run=a")
            #expect(failing.status == 500)
            #expect(plain.header("Content-Type") == "text/plain")
            #expect(missing.header("Content-Type") == nil)
            #expect(over.status == 204)
        }
    }

    @Test("grading: the spec's outcome passes, the browsers' passes as such, anything else fails with reasons")
    func grading() async throws {
        try await withServer([]) { port in
            _ = try await fetch(port: port, "/conformance/content-type-charset?run=g1")
            _ = try await fetch(port: port, "/conformance/content-type-charset?run=g1")
            let spec = try await post(port: port, "/api/conformance/content-type-charset/grade?run=g1", body: #"{"events":[{"type":"message","data":"café","lastEventId":""}]}"#).json()
            _ = try await fetch(port: port, "/conformance/content-type-charset?run=g2")
            let browser = try await post(port: port, "/api/conformance/content-type-charset/grade?run=g2", body: #"{"events":[]}"#).json()
            let wrong = try await post(port: port, "/api/conformance/content-type-charset/grade?run=g2", body: #"{"events":[{"type":"message","data":"cafÃ©","id":""}]}"#).json()
            let bad = try await post(port: port, "/api/conformance/content-type-charset/grade?run=g2", body: "[1]")
            let noRun = try await fetch(port: port, "/conformance/format-bom")
            let unknown = try await fetch(port: port, "/conformance/nope?run=a")
            let list = try await fetch(port: port, "/api/conformance").json()["cases"] as? [[String: Any]]
            #expect(spec["verdict"] as? String == "pass")
            #expect(browser["verdict"] as? String == "pass (browser behaviour)")
            #expect(wrong["verdict"] as? String == "fail")
            #expect((wrong["problems"] as? [String])?.first?.contains("expected [message \"café\"") == true)
            #expect(bad.status == 400)
            #expect(noRun.status == 400)
            #expect(unknown.status == 404)
            #expect(list?.count == ConformanceCase.all.count)
        }
    }

    @Test("the catalogue: unique names, every case names its source, and the sources cover WPT and LaunchDarkly")
    func catalogue() async throws {
        try await withServer([]) { port in
            let cases = try #require(try await fetch(port: port, "/api/conformance").json()["cases"] as? [[String: Any]])
            let names = cases.compactMap { $0["name"] as? String }
            #expect(Set(names).count == names.count)
            #expect(cases.allSatisfy { ($0["source"] as? String)?.isEmpty == false })
            #expect(names.filter { $0.hasPrefix("ld-") }.count >= 60)
            // Every WPT eventsource/ file about the stream (not the browser API) is some case's source.
            let wptFiles = [
                "format-bom", "format-bom-2", "format-comments", "format-data-before-final-empty-line", "format-field-data",
                "format-field-event", "format-field-event-empty", "format-field-id", "format-field-id-2", "format-field-id-3",
                "format-field-id-null", "format-field-parsing", "format-field-retry", "format-field-retry-bogus", "format-field-retry-empty",
                "format-field-unknown", "format-leading-space", "format-mime-valid-bogus", "format-newlines", "format-null-character",
                "format-utf-8", "request-accept", "request-cache-control", "request-redirect", "request-status-error", "eventsource-reconnect",
            ]
            let sources = cases.compactMap { $0["source"] as? String }
            for file in wptFiles {
                #expect(sources.contains { $0.contains("web-platform-tests eventsource/\(file).htm") }, "no case from WPT \(file)")
            }
            let headers = try #require(cases.first { $0["name"] as? String == "ld-custom-headers" })
            #expect(headers["capability"] as? String == "headers")
            let bom = try #require(cases.first { $0["name"] as? String == "format-bom-2" })
            #expect((bom["responses"] as? [String])?.first?.contains(#"\u{FEFF}\u{FEFF}data:1\n\ndata:2"#) == true)
            let idle = try #require(cases.first { $0["name"] as? String == "idle-35s" })
            #expect(idle["idleSeconds"] as? Int == 35)
        }
    }

    @Test("the fixed content-type-parameters case sends lower case; letter case has its own case")
    func contentTypes() async throws {
        try await withServer([]) { port in
            let parameters = try await fetch(port: port, "/conformance/content-type-parameters?run=c")
            let letters = try await fetch(port: port, "/conformance/content-type-case?run=c")
            #expect(parameters.header("Content-Type") == "text/event-stream; charset=utf-8")
            #expect(letters.header("Content-Type") == "Text/Event-Stream")
        }
    }

    @Test("a redirect points at the case itself, so the run goes on to the next response")
    func redirect() async throws {
        try await withServer([]) { port in
            // HTTPClient follows the 307 to the Location, which must be the case's own URL with the run.
            let followed = try await fetch(port: port, "/conformance/request-redirect-307?run=d1")
            let requests = try await fetch(port: port, "/api/conformance/request-redirect-307/requests?run=d1").json()
            #expect(followed.status == 200)
            #expect(followed.body == "data: data\n\n")
            #expect((requests["requests"] as? [Any])?.count == 2)
            let empty = try await fetch(port: port, "/conformance/ld-redirect-301-location-empty?run=d2")
            #expect(empty.status == 301)
        }
    }

    @Test("POST: the lab notes the method, the case's headers and the body, and grades them")
    func postCase() async throws {
        try await withServer([]) { port in
            let json = #"{"hello": "world"}"#
            let streamed = try await post(
                port: port, "/conformance/ld-post?run=p1", body: json, contentType: "application/json; charset=utf-8",
                headers: [("Accept", "text/event-stream")]
            )
            #expect(streamed.body == "data: Hello\n\n")
            _ = try await post(port: port, "/conformance/ld-post?run=p1", body: json, contentType: "application/json; charset=utf-8")
            let good = try await post(port: port, "/api/conformance/ld-post/grade?run=p1", body: #"{"events":[{"type":"message","data":"Hello","id":""}]}"#).json()
            #expect(good["verdict"] as? String == "pass", "\(good)")
            let seen = try #require(good["seen"] as? [[String: Any]])
            #expect(seen.first?["body"] as? String == json)
            #expect((seen.first?["headers"] as? [String: String])?["accept"] == "text/event-stream")

            _ = try await fetch(port: port, "/conformance/ld-post?run=p2")
            _ = try await fetch(port: port, "/conformance/ld-post?run=p2")
            let bad = try await post(port: port, "/api/conformance/ld-post/grade?run=p2", body: #"{"events":[{"type":"message","data":"Hello"}]}"#).json()
            let problems = try #require(bad["problems"] as? [String])
            #expect(bad["verdict"] as? String == "fail")
            #expect(problems.contains("request 1 used GET, expected POST"), "\(problems)")
            #expect(problems.contains(#"request 2 sent the body "", expected "{\"hello\": \"world\"}""#), "\(problems)")
        }
    }

    @Test("request checks: a client without Accept: text/event-stream fails request-accept, saying so")
    func requestChecks() async throws {
        try await withServer([]) { port in
            _ = try await fetch(port: port, "/conformance/request-accept?run=a1", headers: [("Accept", "*/*")])
            _ = try await fetch(port: port, "/conformance/request-accept?run=a1", headers: [("Accept", "text/event-stream")])
            let graded = try await post(port: port, "/api/conformance/request-accept/grade?run=a1", body: #"{"events":[{"type":"message","data":"x"}]}"#).json()
            #expect(graded["verdict"] as? String == "fail")
            #expect(graded["problems"] as? [String] == [#"request 1 sent accept: "*/*", expected "text/event-stream""#])
        }
    }
}

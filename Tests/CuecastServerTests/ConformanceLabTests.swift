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
            let requests = try await fetch(port: port, "/api/conformance/format-field-id-2/requests?run=r1").body
            #expect(first.status == 200)
            #expect(first.header("Content-Type") == "text/event-stream")
            #expect(first.body == "id: 7\ndata: a\n\n")
            #expect(second.body == "data: b\n\n")
            #expect(third.status == 204)
            #expect(otherRun.body == "id: 7\ndata: a\n\n")
            #expect(requests == "{\"requests\":[null,\"7\",\"7\"]}\n")
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
}

import CuecastCore
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// The lab's `report` capability over HTTP: LaunchDarkly's clients stream over `REPORT` with their query as the body,
/// so the lab serves a case's URL on REPORT, notes the method and body of every request, and grades them.
@Suite(.timeLimit(.minutes(1)))
struct ConformanceReportTests {
    static let json = #"{"hello": "world"}"#
    static let type = "application/json; charset=utf-8"

    func report(port: Int, _ path: String, body: String = json) async throws -> FetchedResponse {
        try await send(port: port, HTTPMethod(rawValue: "REPORT"), path, body: Array(body.utf8), headers: [("Content-Type", Self.type)])
    }

    @Test("REPORT on a case's URL gets the case's responses, and the lab notes the method, body and Content-Type of each")
    func reportServed() async throws {
        try await withServer([]) { port in
            let first = try await report(port: port, "/conformance/ld-report?run=r1")
            let second = try await report(port: port, "/conformance/ld-report?run=r1")
            #expect(first.status == 200)
            #expect(first.header("Content-Type") == "text/event-stream")
            #expect(first.body == "data: Hello\n\n")
            #expect(second.status == 204)
            let graded = try await post(
                port: port, "/api/conformance/ld-report/grade?run=r1", body: #"{"events":[{"type":"message","data":"Hello","id":""}]}"#
            ).json()
            #expect(graded["verdict"] as? String == "pass", "\(graded)")
            let seen = try #require(graded["seen"] as? [[String: Any]])
            #expect(seen.map { $0["method"] as? String } == ["REPORT", "REPORT"])
            #expect(seen.map { $0["body"] as? String } == [Self.json, Self.json])
            #expect(seen.map { ($0["headers"] as? [String: String])?["content-type"] } == [Self.type, Self.type])
        }
    }

    @Test("a client that sends GET, or POST, or drops the body on reconnection fails a report case, saying which request did what")
    func wrongMethodFails() async throws {
        try await withServer([]) { port in
            _ = try await fetch(port: port, "/conformance/ld-report?run=g1")
            _ = try await fetch(port: port, "/conformance/ld-report?run=g1")
            let get = try await post(port: port, "/api/conformance/ld-report/grade?run=g1", body: #"{"events":[{"type":"message","data":"Hello"}]}"#).json()
            #expect(get["verdict"] as? String == "fail")
            let problems = try #require(get["problems"] as? [String])
            #expect(problems.contains("request 1 used GET, expected REPORT"), "\(problems)")
            #expect(problems.contains(#"request 2 sent the body "", expected "{\"hello\": \"world\"}""#), "\(problems)")

            _ = try await post(port: port, "/conformance/ld-report?run=p1", body: Self.json, contentType: Self.type)
            _ = try await post(port: port, "/conformance/ld-report?run=p1", body: Self.json, contentType: Self.type)
            let posted = try await post(port: port, "/api/conformance/ld-report/grade?run=p1", body: #"{"events":[{"type":"message","data":"Hello"}]}"#).json()
            #expect(posted["problems"] as? [String] == ["request 1 used POST, expected REPORT", "request 2 used POST, expected REPORT"], "\(posted)")

            // The body sent on the first connection only: the resend is what report-resent checks.
            _ = try await report(port: port, "/conformance/report-resent?run=b1")
            _ = try await report(port: port, "/conformance/report-resent?run=b1", body: "")
            _ = try await report(port: port, "/conformance/report-resent?run=b1", body: "")
            let dropped = try await post(
                port: port, "/api/conformance/report-resent/grade?run=b1",
                body: #"{"events":[{"type":"message","data":"Hello"},{"type":"message","data":"again"}]}"#
            ).json()
            #expect(dropped["verdict"] as? String == "fail")
            #expect((dropped["problems"] as? [String])?.first == #"request 2 sent the body "", expected "{\"hello\": \"world\"}""#, "\(dropped)")
        }
    }

    @Test("the catalogue lists the report cases with their capability; a case's URL answers REPORT beside GET and POST, other paths 405")
    func listedAndAllowed() async throws {
        try await withServer([]) { port in
            let cases = try #require(try await fetch(port: port, "/api/conformance").json()["cases"] as? [[String: Any]])
            let report = cases.filter { $0["capability"] as? String == "report" }.compactMap { $0["name"] as? String }
            #expect(report == ["ld-report", "report-resent"])
            let source = cases.first { $0["name"] as? String == "ld-report" }?["source"] as? String
            #expect(source == "LaunchDarkly sse-contract-tests HTTP behavior / REPORT request")
            let put = try await send(port: port, .PUT, "/conformance/ld-report?run=x")
            #expect(put.status == 405)
            #expect(put.header("Allow") == "GET, HEAD, POST, REPORT")
            // Elsewhere REPORT is a method the path does not serve, not a path that does not exist.
            let elsewhere = try await send(port: port, HTTPMethod(rawValue: "REPORT"), "/healthz")
            #expect(elsewhere.status == 405)
            #expect(elsewhere.header("Allow") == "GET, HEAD")
        }
    }
}

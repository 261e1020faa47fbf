import CuecastCore
import HTTPTypes
import Hummingbird
import NIOCore

/// The client conformance lab over HTTP (docs/test-double.md):
/// - `GET /api/conformance`: every case, with what the specification expects (and what browsers do, where they
///   differ);
/// - `GET /conformance/{case}?run=TOKEN`: the case's response to this request of the run (then `204`);
/// - `GET /api/conformance/{case}/requests?run=TOKEN`: the `Last-Event-ID` of each request the run made;
/// - `POST /api/conformance/{case}/grade?run=TOKEN` with `{"events": [{"type", "data", "lastEventId"}]}`: the
///   verdict, graded by the same code as `cuecast conformance`.
struct ConformanceRoutes: Sendable {
    let lab: ConformanceLab

    func add(to router: Router<some RequestContext>) {
        router.get("/api/conformance") { _, _ in
            Response.json(.object([("cases", .array(ConformanceCase.all.map(Self.describe)))]))
        }
        router.get("/conformance/:case") { request, context in
            let conformanceCase = try Self.conformanceCase(context.parameters.require("case"))
            let run = try Self.run(request)
            let index = lab.request(run: run, case: conformanceCase.name, lastEventID: request.headers[.lastEventID])
            return Self.answer(conformanceCase.response(forRequest: index))
        }
        router.get("/api/conformance/:case/requests") { request, context in
            let conformanceCase = try Self.conformanceCase(context.parameters.require("case"))
            let requests = lab.requests(run: try Self.run(request), case: conformanceCase.name)
            return Response.json(.object([("requests", Self.json(requests))]))
        }
        router.post("/api/conformance/:case/grade") { request, context in
            let conformanceCase = try Self.conformanceCase(context.parameters.require("case"))
            let run = try Self.run(request)
            let body = try await request.body.collect(upTo: 1 << 20)
            let events = try Self.events(from: Array(buffer: body))
            let outcome = ConformanceCase.Outcome(events: events, requests: lab.requests(run: run, case: conformanceCase.name))
            let grade = ConformanceGrade(conformanceCase, got: outcome)
            return Response.json(.object([
                ("case", .string(conformanceCase.name)), ("verdict", .string(grade.verdict.rawValue)), ("passed", .bool(grade.passed)),
                ("problems", .array(grade.problems.map(JSONValue.string))), ("got", Self.json(outcome)),
            ]))
        }
    }

    /// A case's response: its status, content type and body, the body in chunks when the case says so (a pause
    /// between them, so each is a read of its own).
    static func answer(_ response: ConformanceCase.Response) -> Response {
        var headers: HTTPFields = [.cacheControl: "no-cache"]
        if let contentType = response.contentType { headers[.contentType] = contentType }
        let status = HTTPResponse.Status(code: response.status)
        guard !response.body.isEmpty, response.status != 204 else { return Response(status: status, headers: headers) }
        guard let size = response.chunkSize else {
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
        }
        let chunks = stride(from: 0, to: response.body.count, by: size).map { Array(response.body[$0..<min($0 + size, response.body.count)]) }
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            for chunk in chunks {
                try await writer.write(ByteBuffer(bytes: chunk))
                try await Task.sleep(for: .milliseconds(5))
            }
            try await writer.finish(nil)
        })
    }

    static func conformanceCase(_ name: String) throws(APIError) -> ConformanceCase {
        guard let found = ConformanceCase.named(name) else {
            let names = ConformanceCase.all.map { JSONValue.string($0.name) }
            throw APIError(.notFound, code: "unknown_case", message: "no conformance case '\(name)'", extra: [("cases", .array(names))])
        }
        return found
    }

    static func run(_ request: Request) throws(APIError) -> String {
        guard let run = request.uri.queryParameters["run"].map(String.init), ConformanceLab.isValidRun(run) else {
            throw APIError(
                .badRequest, code: "bad_run", message: "say which run with ?run=TOKEN: 1-64 letters, digits, '-' or '_', fresh for each run of a case"
            )
        }
        return run
    }

    /// `{"events": [{"type", "data", "lastEventId"}]}`, as a client dispatched them.
    static func events(from body: [UInt8]) throws(APIError) -> [ParsedEvent] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body).value
        } catch {
            throw APIError(.badRequest, code: "bad_json", message: "the body is not JSON: \(error)")
        }
        guard case .object(let members) = value, case .array(let items)? = members.first(where: { $0.0 == "events" })?.1 else {
            throw APIError(.badRequest, code: "bad_events", message: "send {\"events\": [{\"type\": …, \"data\": …, \"lastEventId\": …}]}")
        }
        var events: [ParsedEvent] = []
        for item in items {
            guard case .object(let fields) = item else { throw APIError(.badRequest, code: "bad_events", message: "each event is an object") }
            func text(_ key: String) -> String? {
                if case .string(let value)? = fields.first(where: { $0.0 == key })?.1 { return value }
                return nil
            }
            guard let type = text("type"), let data = text("data") else {
                throw APIError(.badRequest, code: "bad_events", message: "each event needs a 'type' and a 'data' string")
            }
            events.append(ParsedEvent(type: type, data: data, lastEventId: text("lastEventId") ?? text("id") ?? ""))
        }
        return events
    }

    static func describe(_ conformanceCase: ConformanceCase) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("name", .string(conformanceCase.name)), ("summary", .string(conformanceCase.summary)), ("source", .string(conformanceCase.source)),
            ("expected", json(conformanceCase.expected)),
        ]
        if let browsers = conformanceCase.browsers { fields.append(("browsers", json(browsers))) }
        if let note = conformanceCase.note { fields.append(("note", .string(note))) }
        return .object(fields)
    }

    static func json(_ outcome: ConformanceCase.Outcome) -> JSONValue {
        .object([
            ("events", .array(outcome.events.map { event in
                .object([("type", .string(event.type)), ("data", .string(event.data)), ("lastEventId", .string(event.lastEventId))])
            })),
            ("requests", json(outcome.requests)),
        ])
    }

    static func json(_ requests: [String?]) -> JSONValue { .array(requests.map { $0.map(JSONValue.string) ?? .null }) }
}

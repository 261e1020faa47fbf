import CuecastCore
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// The client conformance lab over HTTP (docs/test-double.md):
/// - `GET /api/conformance`: every case, with what the specification expects (and what browsers do, where they
///   differ);
/// - `GET` (or `POST` and `REPORT`, for the cases of the `post` and `report` capabilities)
///   `/conformance/{case}?run=TOKEN`: the case's response to this request of the run (then `204`);
/// - `GET /api/conformance/{case}/requests?run=TOKEN`: the `Last-Event-ID` of each request the run made, and what
///   the lab saw of each (method, the headers a case looks at, body);
/// - `POST /api/conformance/{case}/grade?run=TOKEN` with `{"events": [{"type", "data", "lastEventId"}]}`: the
///   verdict, graded by the same code as `cuecast conformance`.
struct ConformanceRoutes: Sendable {
    let lab: ConformanceLab

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/api/conformance") { _, _ in
            Response.json(.object([("cases", .array(ConformanceCase.all.map(Self.describe)))]))
        }
        let serve: @Sendable (Request, Context) async throws -> Response = { request, context in
            let conformanceCase = try Self.conformanceCase(context.parameters.require("case"))
            let run = try Self.run(request)
            let seen = try await Self.seen(request, for: conformanceCase)
            let index = lab.request(run: run, case: conformanceCase.name, seen)
            // A redirect names this request's number, so that a client's redirect-cycle check does not take the case's
            // own URL for a loop (AsyncHTTPClient's does).
            let response = conformanceCase.response(forRequest: index)
            return Self.answer(
                response, silence: lab.silence(of: response, in: conformanceCase), at: request.uri.description + "&hop=\(index + 1)"
            )
        }
        router.get("/conformance/:case", use: serve)
        router.post("/conformance/:case", use: serve)
        // LaunchDarkly's clients stream over REPORT. OpenAPI 3.1 cannot list this method, so the document names it
        // in `x-additionalOperations` (OpenAPI 3.2's `additionalOperations`).
        if let report = Self.report { router.on("/conformance/:case", method: report, use: serve) }
        router.get("/api/conformance/:case/requests") { request, context in
            let conformanceCase = try Self.conformanceCase(context.parameters.require("case"))
            let run = try Self.run(request)
            let requests = lab.requests(run: run, case: conformanceCase.name)
            let seen = lab.seen(run: run, case: conformanceCase.name)
            return Response.json(.object([("requests", Self.json(requests)), ("seen", .array(seen.map(Self.json)))]))
        }
        router.post("/api/conformance/:case/grade") { request, context in
            let conformanceCase = try Self.conformanceCase(context.parameters.require("case"))
            let run = try Self.run(request)
            // The largest case dispatches 2 MiB of data; its JSON fits.
            let body = try await request.body.collect(upTo: 8 << 20)
            let events = try Self.events(from: Array(buffer: body))
            let seen = lab.seen(run: run, case: conformanceCase.name)
            let outcome = ConformanceCase.Outcome(events: events, requests: lab.requests(run: run, case: conformanceCase.name))
            let grade = ConformanceGrade(conformanceCase, got: outcome, seen: seen)
            return Response.json(.object([
                ("case", .string(conformanceCase.name)), ("verdict", .string(grade.verdict.rawValue)), ("passed", .bool(grade.passed)),
                ("problems", .array(grade.problems.map(JSONValue.string))), ("got", Self.json(outcome)), ("seen", .array(seen.map(Self.json))),
            ]))
        }
    }

    /// WebDAV's `REPORT` (RFC 3253), which HTTPTypes has no constant for; a valid token, so never nil.
    static let report = HTTPRequest.Method("REPORT")

    /// What the lab notes of a request: its method, the headers the case looks at, the start of its body.
    static func seen(_ request: Request, for conformanceCase: ConformanceCase) async throws -> SeenRequest {
        let names = ConformanceLab.notedHeaders + conformanceCase.request.headers.map { $0.name.lowercased() }
        let headers = request.headers.compactMap { field -> SeenRequest.Header? in
            let name = field.name.canonicalName
            return names.contains(name) ? SeenRequest.Header(name, String(field.value.prefix(ConformanceLab.valueLimit))) : nil
        }
        var body = ""
        if request.method != .get {
            let bytes = try await request.body.collect(upTo: 64 << 10)
            body = String(decoding: bytes.readableBytesView.prefix(ConformanceLab.bodyLimit), as: UTF8.self)
        }
        return SeenRequest(method: request.method.rawValue, headers: headers, body: body)
    }

    /// A case's response: its status, headers and body, the body in the writes the case says (a pause between
    /// them, so each is a read of its own), then the silence (`silence` long: the lab may cut the case's) and the
    /// tail of an idle stream. `uri` is this request's, for a redirect to the case itself.
    static func answer(_ response: ConformanceCase.Response, silence: Duration?, at uri: String) -> Response {
        var headers: HTTPFields = [.cacheControl: "no-cache"]
        if let contentType = response.contentType { headers[.contentType] = contentType }
        switch response.location {
        case .again?: headers[.location] = uri
        case .empty?: headers[.location] = ""
        case nil: break
        }
        let status = HTTPResponse.Status(code: response.status)
        guard !response.bytes.isEmpty, response.status != 204 else { return Response(status: status, headers: headers) }
        let writes = response.writes
        guard writes.count > 1 || silence != nil else {
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
        }
        return Response(status: status, headers: headers, body: ResponseBody { writer in
            for (index, chunk) in writes.enumerated() {
                if index > 0 { try await Task.sleep(for: .milliseconds(5)) }
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            if let silence {
                // Silence, cut short by a shutdown (`cuecast conformance` stops its lab when the cases are done).
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: silence) }
                try await writer.write(ByteBuffer(bytes: response.tail))
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
            ("expected", json(conformanceCase.expected, cutting: true)),
        ]
        if let browsers = conformanceCase.browsers { fields.append(("browsers", json(browsers, cutting: true))) }
        if let note = conformanceCase.note { fields.append(("note", .string(note))) }
        if let capability = conformanceCase.capability { fields.append(("capability", .string(capability.rawValue))) }
        fields.append(("responses", .array(conformanceCase.responses.map { .string($0.wire) })))
        fields.append(("idleSeconds", .integer(conformanceCase.idleTime.components.seconds)))
        return .object(fields)
    }

    static func json(_ request: SeenRequest) -> JSONValue {
        .object([
            ("method", .string(request.method)), ("headers", .object(request.headers.map { ($0.name, .string($0.value)) })),
            ("body", .string(request.body)),
        ])
    }

    /// Data longer than this is cut in a case's listing (the page shows events, the server grades them): a
    /// LaunchDarkly large-message case would otherwise make the listing megabytes long.
    static let listedDataLimit = 4_096

    static func json(_ outcome: ConformanceCase.Outcome, cutting: Bool = false) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("events", .array(outcome.events.map { event in
                var fields: [(String, JSONValue)] = [("type", .string(event.type)), ("data", .string(event.data)), ("lastEventId", .string(event.lastEventId))]
                if cutting, event.data.utf8.count > listedDataLimit {
                    fields[1] = ("data", .string(String(event.data.prefix(60)) + "…" + String(event.data.suffix(20))))
                    fields.append(("dataLength", .integer(Int64(event.data.count))))
                }
                return .object(fields)
            })),
            ("requests", json(outcome.requests)),
        ]
        if let comments = outcome.comments { fields.append(("comments", .array(comments.map(JSONValue.string)))) }
        return .object(fields)
    }

    static func json(_ requests: [String?]) -> JSONValue { .array(requests.map { $0.map(JSONValue.string) ?? .null }) }
}

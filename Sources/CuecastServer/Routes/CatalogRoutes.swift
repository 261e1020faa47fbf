import CuecastCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The index: `GET /` (a plain-text menu for curl, the page for browsers), `GET /api/scenarios`, `GET /healthz`,
/// and the API's own description, `GET /api/openapi.json`.
struct CatalogRoutes<Context: RequestContext>: Sendable {
    let catalog: ScenarioCatalog
    let connections: ConnectionRegistry
    /// Reported in `/healthz` when the server runs as one of a cluster.
    let backplane: any ChannelBackplane
    /// Reported in `/healthz`: how much of the history memory budget is used.
    var historyBudget: HistoryBudget? = nil
    let startedAt = ContinuousClock.now

    func add(to router: Router<Context>) {
        router.get("/") { request, _ in
            // Browsers get public/index.html from the file middleware, which serves it when this route says 404.
            if Self.wantsHTML(request) { throw HTTPError(.notFound) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: menu(base: Self.baseURL(request))))
            )
        }
        router.get("/api/scenarios") { request, _ in
            let base = Self.baseURL(request)
            return Response.json(.object([("scenarios", .array(catalog.all.map { describe($0, base: base) }))]))
        }
        router.get("/api/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes))
            )
        }
        router.get("/healthz") { _, _ in
            var fields: [(String, JSONValue)] = [
                ("status", .string("ok")), ("scenarios", .integer(Int64(catalog.all.count))),
                ("uptimeSeconds", .integer(Int64((ContinuousClock.now - startedAt).components.seconds))),
                ("subscribers", .integer(Int64(connections.admittedCount))),
                ("maxSubscribers", .integer(Int64(connections.limit))),
            ]
            if let historyBudget {
                fields.append(("history", .object([
                    ("bytes", .integer(Int64(historyBudget.usedBytes))), ("limitBytes", .integer(Int64(historyBudget.limitBytes))),
                    ("evicted", .integer(Int64(historyBudget.evictedFrames))),
                ])))
            }
            if let health = backplane.health { fields.append(health) }
            return Response.json(.object(fields))
        }
    }

    func describe(_ entry: ScenarioCatalog.Entry, base: String) -> JSONValue {
        let scenario = entry.scenario
        let url = "\(base)/streams/\(scenario.name)"
        var fields: [(String, JSONValue)] = [
            ("name", .string(scenario.name)), ("title", .string(scenario.title)), ("description", .string(scenario.description)),
            ("tags", .array(scenario.tags.map(JSONValue.string))), ("mode", .string(scenario.mode.rawValue)),
            ("eventTypes", .array(scenario.eventTypes.map(JSONValue.string))),
            ("triggers", .array(scenario.triggers.map { .string($0.name) })),
            ("stream", .string("/streams/\(scenario.name)")), ("url", .string(url)), ("curl", .string("curl -N \(url)")),
        ]
        if let station = entry.station {
            fields.append(("subscribers", .integer(Int64(station.hub.subscriberCount))))
            fields.append(("finished", .bool(station.hub.isFinished)))
        }
        return .object(fields)
    }

    func menu(base: String) -> String {
        var text = "Cuecast: Server-Sent Events scenarios\n\nStreams (open one with curl -N):\n\n"
        let width = catalog.all.map(\.scenario.name.count).max() ?? 0
        for entry in catalog.all {
            let scenario = entry.scenario
            let padding = String(repeating: " ", count: width - scenario.name.count)
            text += "  \(scenario.name)\(padding)  \(scenario.mode.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0))  \(scenario.title)\n"
            text += "  \(String(repeating: " ", count: width))        curl -N \(base)/streams/\(scenario.name)\n"
        }
        text += "\nJSON list: curl \(base)/api/scenarios\nIn a browser: \(base)/\n"
        return text
    }

    /// Whether the client prefers a page: browsers put text/html in Accept, curl sends `*/*`.
    static func wantsHTML(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("text/html") ?? false
    }

    /// The address the client used, so commands in answers work from where it is.
    static func baseURL(_ request: Request) -> String {
        // The scheme and authority the client came in on: https on the TLS port, whatever host name it used.
        let host = request.head.authority ?? "localhost"
        return "\(request.head.scheme ?? "http")://\(host)"
    }
}

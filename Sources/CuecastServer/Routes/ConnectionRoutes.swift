import CuecastCore
import Foundation
import Hummingbird

/// `GET /api/connections` lists open streams; `GET /api/connections/mine` counts the caller's own; `POST /api/connections/{id}/drop` and
/// `POST /api/connections/drop?client=LABEL` hang up on them, for teaching reconnects. Dropping needs the same
/// access as publishing; the list is not for pages on other sites (``PublishAccess/checkListing(_:)``).
struct ConnectionRoutes: Sendable {
    let connections: ConnectionRegistry
    let gate: PublishGate
    /// In a cluster: a drop for a connection of another instance is passed on to it.
    let backplane: any ChannelBackplane

    func add(to router: Router<CuecastRequestContext>) {
        router.get("/api/connections") { request, _ in
            try gate.access.checkListing(request)
            let list = connections.all.map { connection -> JSONValue in
                .object([
                    ("id", connections.instance == nil ? .integer(Int64(connection.id)) : .string(connections.publicID(connection.id))),
                    ("path", .string(connection.path)),
                    ("client", connection.label.map(JSONValue.string) ?? .null),
                    ("opened", .string(connection.opened.formatted(.iso8601))),
                ])
            }
            return Response.json(.object([("connections", .array(list))]))
        }
        // Anyone's, unlike the list: a client learns only how many streams its own address holds, which is what the
        // six-connection lesson needs to tell the truth when other tabs of the same browser hold some.
        router.get("/api/connections/mine") { request, context in
            let client = gate.proxies.client(peer: context.clientAddress, forwardedFor: request.headers[.xForwardedFor])
            let mine = connections.all.filter { $0.client == client }
            // Distinct and at most 20: the answer stays small however many streams one address holds.
            var seen = Set<String>()
            let paths = mine.map(\.path).filter { seen.insert($0).inserted }.prefix(20)
            return Response.json(.object([
                ("client", .string(client)), ("streams", .integer(Int64(mine.count))),
                ("http1", .integer(Int64(mine.count { !$0.http2 }))), ("http2", .integer(Int64(mine.count { $0.http2 }))),
                ("paths", .array(paths.map(JSONValue.string))),
            ]))
        }
        router.post("/api/connections/:id/drop") { request, context in
            try gate.admit(request, client: context.clientAddress)
            let text = try context.parameters.require("id")
            var number = Substring(text)
            if let dash = text.lastIndex(of: "-") {
                // `instance-number`: another instance's connection is dropped by that instance. Without a cluster
                // (or for an instance that is not this one) such an id names no connection here: 404, not 400.
                let owner = String(text[..<dash])
                number = text[text.index(after: dash)...]
                if owner != connections.instance, UInt64(number) != nil, !owner.isEmpty {
                    guard let id = UInt64(number), try await backplane.relayDrop(connection: id, of: owner) else {
                        throw APIError(.notFound, code: "unknown_connection", message: "no open connection \(text): this server is not part of a cluster")
                    }
                    return Response.json(.object([("dropped", .integer(1)), ("relayed", .bool(true))]), status: .accepted)
                }
            }
            guard let id = UInt64(number) else {
                throw APIError(.badRequest, code: "bad_connection", message: "a connection id is a whole number (the X-Cuecast-Connection header), got '\(text)'")
            }
            guard connections.drop(id: id) else {
                throw APIError(.notFound, code: "unknown_connection", message: "no open connection \(id)")
            }
            return Response.json(.object([("dropped", .integer(1))]), status: .accepted)
        }
        router.post("/api/connections/drop") { request, context in
            try gate.admit(request, client: context.clientAddress)
            guard let label = request.uri.queryParameters["client"].map(String.init), !label.isEmpty else {
                throw APIError(.badRequest, code: "missing_client", message: "say which connections with ?client=LABEL (the label a stream was opened with)")
            }
            guard ChannelDirectory.isValidName(label) else {
                throw APIError(.badRequest, code: "bad_client", message: "client labels are 1-64 letters, digits, '-', '_' or '.', got '\(label)'")
            }
            let dropped = connections.drop(label: label)
            // The other instances drop theirs; only this instance's count is known here.
            guard let instance = connections.instance, try await backplane.relayDrop(label: label, from: instance) else {
                return Response.json(.object([("dropped", .integer(Int64(dropped)))]), status: .accepted)
            }
            return Response.json(.object([("dropped", .integer(Int64(dropped))), ("relayed", .bool(true))]), status: .accepted)
        }
    }
}

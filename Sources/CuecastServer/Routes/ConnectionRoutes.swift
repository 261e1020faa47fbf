import CuecastCore
import Foundation
import Hummingbird

/// `GET /api/connections` lists open streams; `POST /api/connections/{id}/drop` and
/// `POST /api/connections/drop?client=LABEL` hang up on them, for teaching reconnects. Dropping needs the same
/// access as publishing; the list is not for pages on other sites (``PublishAccess/checkListing(_:)``).
struct ConnectionRoutes: Sendable {
    let connections: ConnectionRegistry
    let gate: PublishGate

    func add(to router: Router<CuecastRequestContext>) {
        router.get("/api/connections") { request, _ in
            try gate.access.checkListing(request)
            let list = connections.all.map { connection -> JSONValue in
                .object([
                    ("id", .integer(Int64(connection.id))), ("path", .string(connection.path)),
                    ("client", connection.label.map(JSONValue.string) ?? .null),
                    ("opened", .string(connection.opened.formatted(.iso8601))),
                ])
            }
            return Response.json(.object([("connections", .array(list))]))
        }
        router.post("/api/connections/:id/drop") { request, context in
            try gate.admit(request, client: context.clientAddress)
            let text = try context.parameters.require("id")
            guard let id = UInt64(text) else {
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
            return Response.json(.object([("dropped", .integer(Int64(connections.drop(label: label))))]), status: .accepted)
        }
    }
}

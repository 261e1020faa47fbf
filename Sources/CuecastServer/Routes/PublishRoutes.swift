import CuecastCore
import HTTPTypes
import Hummingbird
import NIOCore

/// Publishing: `POST /generateEvent` (any event, to a channel), `GET /generateEvent` (a random cat fact, as the
/// classic demo), and `POST /streams/{name}/triggers/{trigger}` (a scenario's named event).
struct PublishRoutes: Sendable {
    let channels: ChannelDirectory
    let catalog: ScenarioCatalog
    let configuration: ServerConfiguration
    let gate: PublishGate
    /// Where a channel publish goes (this process's hub, or the cluster), and who fires a live station's trigger
    /// (in a cluster, the instance playing it).
    let backplane: any ChannelBackplane

    func add(to router: Router<CuecastRequestContext>) {
        router.post("/generateEvent") { request, context in
            try await counted {
                try gate.admit(request, client: context.clientAddress)
                var request = request
                let tooLarge = APIError(.contentTooLarge, code: "body_too_large", message: "the body is larger than \(configuration.maxBodyBytes) bytes")
                // A declared length over the limit is refused before a byte of the body is waited for.
                if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > configuration.maxBodyBytes { throw tooLarge }
                let body: ByteBuffer
                do {
                    body = try await request.collectBody(upTo: configuration.maxBodyBytes)
                } catch is NIOTooManyBytesError {
                    throw tooLarge
                } catch {
                    throw APIError(.badRequest, code: "bad_body", message: "the request body could not be read: it ended early or its framing is broken")
                }
                let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { _, last in last })
                let event = try PublishFields(body: body, contentType: request.headers[.contentType], query: query)
                return try await publish(event, channel: query["channel"] ?? ChannelDirectory.defaultChannel)
            }
        }
        router.get("/generateEvent") { request, context in
            try await counted {
                try gate.admit(request, client: context.clientAddress)
                let fact = CatFacts.all.randomElement() ?? "Cats sleep for about two thirds of the day."
                let channel = request.uri.queryParameters["channel"].map(String.init) ?? ChannelDirectory.defaultChannel
                return try await publish(PublishFields(event: "catFact", data: fact), channel: channel)
            }
        }
        router.post("/streams/:name/triggers/:trigger") { request, context in
            try await counted {
                try gate.admit(request, client: context.clientAddress)
                return try await fire(scenario: context.parameters.require("name"), trigger: context.parameters.require("trigger"))
            }
        }
    }

    /// Runs a publishing handler and counts its answer by status (`cuecast_publish_responses_total`).
    private func counted(_ handler: () async throws -> Response) async throws -> Response {
        do {
            let response = try await handler()
            configuration.metrics.publishAnswered(response.status)
            return response
        } catch let error as any HTTPResponseError {
            configuration.metrics.publishAnswered(error.status)
            throw error
        } catch {
            configuration.metrics.publishAnswered(.internalServerError)
            throw error
        }
    }

    func publish(_ event: PublishFields, channel: String) async throws -> Response {
        let hub = try ChannelRoutes<CuecastRequestContext>.hub(named: channel, in: channels)
        let receipt = try await backplane.publish(event, channel: channel, hub: hub)
        configuration.metrics.published(from: .publish)
        var fields: [(String, JSONValue)] = [
            ("id", .string(receipt.id)), ("channel", .string(channel)), ("delivered", .integer(Int64(receipt.delivered))),
        ]
        if let type = event.event { fields.append(("event", .string(type))) }
        return Response.json(.object(fields), status: .accepted)
    }

    func fire(scenario name: String, trigger: String) async throws -> Response {
        guard let entry = catalog.entry(named: name) else { throw StreamRoutes.unknownStream(name, catalog: catalog) }
        guard entry.scenario.triggers.contains(where: { $0.name == trigger }) else {
            throw APIError(
                .notFound, code: "unknown_trigger", message: "stream '\(name)' has no trigger '\(trigger)'",
                extra: [("triggers", .array(entry.scenario.triggers.map { .string($0.name) }))]
            )
        }
        var stations = entry.station.map { [$0] } ?? catalog.soloStations(of: name)
        if let station = entry.station {
            if let player = backplane.player(of: name, local: station) {
                stations = [player]
            } else {
                // Played by another instance: it fires the trigger; the event reaches everyone, this instance too.
                guard !station.hub.isFinished else {
                    throw APIError(.conflict, code: "stream_ended", message: "stream '\(name)' has ended; a trigger has no one to reach")
                }
                try await backplane.relayTrigger(trigger, station: name)
                return Response.json(
                    .object([
                        ("stream", .string(name)), ("trigger", .string(trigger)), ("delivered", .integer(0)), ("id", .null),
                        ("relayed", .bool(true)),
                    ]), status: .accepted)
            }
        }
        var ids: [JSONValue] = []
        var delivered = 0
        for station in stations {
            do {
                let fired = try station.fire(trigger: trigger)
                if fired.event != nil { configuration.metrics.published(from: .trigger) }
                if let id = fired.event?.id { ids.append(.string(id)) }
                delivered += fired.delivered
            } catch .streamEnded where entry.station == nil {
                continue  // a solo connection finishing as we fire: it simply does not get it
            } catch .streamEnded {
                throw APIError(.conflict, code: "stream_ended", message: "stream '\(name)' has ended; a trigger has no one to reach")
            } catch {
                throw APIError(.notFound, code: "unknown_trigger", message: "stream '\(name)' has no trigger '\(trigger)'")
            }
        }
        var fields: [(String, JSONValue)] = [("stream", .string(name)), ("trigger", .string(trigger)), ("delivered", .integer(Int64(delivered)))]
        if entry.station != nil {
            fields.append(("id", ids.first ?? .null))
        } else {
            fields.append(("playbacks", .integer(Int64(stations.count))))
            fields.append(("ids", .array(ids)))
        }
        return Response.json(.object(fields), status: .accepted)
    }
}

import CuecastCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The stand-in for the LLM APIs (docs/llm.md): `POST /v1/chat/completions`, `POST /v1/responses`,
/// `POST /v1/messages` and `GET /v1/models`, each exact on the wire for its provider's SDK, each reply played from a
/// scripted model (`scenarios/llm/`), with the faults a test asks for.
///
/// Request headers a test may add (the SDKs send extra headers with `default_headers`/`extra_headers`):
/// - `X-Cuecast-Fault: FAULT[,FAULT…]`: the fault, or a sequence stepped per `X-Cuecast-Client`;
/// - `X-Cuecast-Client: KEY`: names the client, for fault sequences and `/api/playbacks/KEY` (manual clock);
/// - `X-Cuecast-Clock: manual` (or `?clock=manual`): the reply waits for `/api/playbacks/{id}/next`;
/// - `X-Cuecast-Ids: on` (or `?ids=on`): every block gets an `id:`, so `Last-Event-ID` resumes a dropped stream;
/// - `X-Cuecast-Seed: N` (or `?seed=N`): the same ids and `created` on every request, for byte-exact checks.
struct LLMRoutes: Sendable {
    let catalog: ModelCatalog
    let connections: ConnectionRegistry
    let metrics: ServerMetrics
    let sequences: FaultSequences

    func add(to router: Router<CuecastRequestContext>) {
        router.get("/v1/models") { request, _ in
            // Anthropic's SDK sends `anthropic-version` on every request: it gets Anthropic's list shape.
            let anthropic = request.headers[.anthropicVersion] != nil
            return Response.json(anthropic ? catalog.anthropicList : catalog.openAIList)
        }
        for provider in [LLMProvider.chatCompletions, .responses, .messages] {
            router.post(RouterPath(provider.route)) { request, context in
                await answer(request, provider: provider, http2: context.isHTTP2)
            }
        }
    }

    /// Every outcome, errors included, as a response in the provider's shape: the SDKs raise their own error types
    /// only from their own shapes.
    func answer(_ request: Request, provider: LLMProvider, http2: Bool) async -> Response {
        var request = request
        do {
            let body = try await LLMRequest.read(&request)
            let (model, nameFault) = try catalog.resolve(body.model)
            let fault = try fault(for: request, nameFault: nameFault) ?? model.fault ?? .none
            switch fault {
            case .rateLimited(let seconds):
                return provider.response(for: LLMError.fault(status: 429), retryAfterSeconds: seconds)
            case .status(let code):
                return provider.response(for: LLMError.fault(status: code))
            default: break
            }
            // `?seed=N` (or `X-Cuecast-Seed`) makes the reply's ids and `created` depend on N alone, so the same
            // request gives the same bytes (docs, golden tests); otherwise they differ per request, as the providers' do.
            let seed = (request.uri.queryParameters["seed"].map(String.init) ?? request.headers[.cuecastSeed]).flatMap { UInt64($0) }
            var context = ReplyContext(
                model: body.model, serial: seed ?? UInt64.random(in: 0...UInt64.max),
                created: seed == nil ? Int64(Date().timeIntervalSince1970) : ModelCatalog.created, includeUsage: body.includeUsage
            )
            if case .slowFirstToken(let ms) = fault { context.firstToken = .milliseconds(ms) }
            guard body.stream else {
                return Response.json(provider.wire.body(model, context: context))
            }
            return try stream(request, provider: provider, model: model, context: context, fault: fault, http2: http2)
        } catch {
            return provider.response(for: error)
        }
    }

    /// The request's own fault: `X-Cuecast-Fault` (stepped per `X-Cuecast-Client` when a sequence), else the model
    /// name's suffix.
    func fault(for request: Request, nameFault: LLMFault?) throws(LLMError) -> LLMFault? {
        guard let text = request.headers[.cuecastFault] else { return nameFault }
        guard let steps = LLMFault.sequence(text) else {
            throw LLMError(status: 400, message: ModelCatalog.unknownFault(text), code: "unknown_fault")
        }
        guard steps.count > 1, let client = request.headers[.cuecastClient] else { return steps.first }
        return sequences.next(client: String(client.prefix(200)), sequence: text, steps: steps)
    }

    func stream(
        _ request: Request, provider: LLMProvider, model: ModelScenario, context: ReplyContext, fault: LLMFault, http2: Bool
    ) throws(LLMError) -> Response {
        let query = request.uri.queryParameters
        let manual = request.headers[.cuecastClock] == "manual" || query["clock"] == "manual"
        let ids = request.headers[.cuecastIds] == "on" || query["ids"] == "on"
        let resumeAfter = ids ? request.headers[.lastEventID].flatMap { Int($0) } : nil
        let script = provider.wire.script(model, context: context)
        let playback = LLMPlayback(script: script, wire: provider.wire, fault: fault, ids: ids, resumeAfter: resumeAfter)
        guard let slot = try? connections.admit() else {
            metrics.refusedSubscriber()
            return provider.response(for: LLMError(status: 503, message: connections.full.message))
        }
        var headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache", .accelBuffering: "no"]
        headers[.cuecastConnection] = connections.publicID(slot.id)
        // Hummingbird closes an HTTP/1 connection once a body that watched for the client leaving
        // (`consumeWithInboundCloseHandler`) is done; saying so keeps a client from sending its next request on it
        // (AsyncHTTPClient raced that close and failed the request). HTTP/2 forbids the header, and keeps its connection.
        if !http2 { headers[.connection] = "close" }
        let clock = manual ? PlaybackClock() : nil
        if clock != nil { headers[.cuecastPlayback] = String(slot.id) }
        let label = query["client"].map(String.init) ?? request.headers[.cuecastClient]
        let listing = LLMStream(
            playback: playback, slot: slot, path: request.uri.path, label: label, connections: connections, metrics: metrics,
            stream: StreamLabel(kind: .model, name: model.name)
        )
        let body = ResponseBody { [request] writer in
            if let clock {
                try await listing.play(on: clock, request: request, writer: &writer)
                clock.finish()
            } else {
                try await listing.play(on: ContinuousClock(), request: request, writer: &writer)
            }
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

extension HTTPField.Name {
    static let cuecastFault = Self("X-Cuecast-Fault")!
    static let cuecastClient = Self("X-Cuecast-Client")!
    static let cuecastClock = Self("X-Cuecast-Clock")!
    static let cuecastIds = Self("X-Cuecast-Ids")!
    static let cuecastSeed = Self("X-Cuecast-Seed")!
    static let anthropicVersion = Self("anthropic-version")!
}

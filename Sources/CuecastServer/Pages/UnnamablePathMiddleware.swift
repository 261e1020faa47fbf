import Foundation
import Hummingbird

/// Refuses, with `400 bad_path`, a request whose path decodes to a byte no file can be named with: NUL.
///
/// Hummingbird's file middleware decodes `%00` and hands the path on; C's file calls stop at the NUL, so
/// `/memes/if-it-streams.svg%00.html` served the SVG with the content type of `.html`, and `/index.html%00.js`
/// served the page as JavaScript. Such a path names nothing on any route, so it is refused everywhere, before
/// any route or file is looked at.
struct UnnamablePathMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = Self.refusal(path: request.uri.path) { throw refusal }
        return try await next(request, context)
    }

    /// The refusal of a path no file or route can be named with, for the router and the stream door
    /// (`StreamRequests.decide`) alike; `nil` for any other path.
    static func refusal(path: String) -> APIError? {
        guard let decoded = path.removingPercentEncoding, !ConfinedFileSystem.canName(decoded) else { return nil }
        return APIError(.badRequest, code: "bad_path", message: "the path holds a NUL byte (%00), which no file or route can be named with")
    }
}

/// The refusal without the router's generic context, for the stream door.
typealias UnnamablePath = UnnamablePathMiddleware<CuecastRequestContext>

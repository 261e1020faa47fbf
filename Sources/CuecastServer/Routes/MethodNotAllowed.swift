import HTTPTypes
import Hummingbird

extension Router {
    /// Methods a client might try on a path that does not serve them.
    private static var answeredMethods: [HTTPRequest.Method] {
        [.get, .head, .post, .put, .delete, .patch, .options, .trace, HTTPRequest.Method("QUERY")].compactMap { $0 }
    }

    /// Gives every path the router serves a `405 Method Not Allowed` (with `Allow` and a JSON error) for the methods it
    /// does not serve, instead of the `404` that says the path does not exist. Call it after every route is added; it
    /// reads the routes from the router itself, so a new route is covered without being listed here. `OPTIONS` with
    /// CORS preflight headers is still answered by the CORS middleware, before the router.
    func answerUnservedMethods() {
        let byPath = Dictionary(grouping: routes) { $0.path.description }
        for descriptions in byPath.values {
            guard let path = descriptions.first?.path else { continue }
            let served = descriptions.map(\.method)
            let allow = (served + (served.contains(.get) && !served.contains(.head) ? [.head] : [])).map(\.rawValue).sorted().joined(separator: ", ")
            // HEAD where GET is served is the router's (`.autoGenerateHeadEndpoints`), not a 405.
            for method in Self.answeredMethods where !served.contains(method) && !(method == .head && served.contains(.get)) {
                on(path, method: method) { request, _ -> Response in
                    throw APIError(
                        .methodNotAllowed, code: "method_not_allowed",
                        message: "\(request.uri.path) answers \(allow), not \(request.method.rawValue)",
                        headers: [.allow: allow]
                    )
                }
            }
        }
    }
}

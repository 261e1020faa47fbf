import HTTPTypes
import Hummingbird

extension Router {
    /// Methods a client might try on a path that does not serve them; REPORT because the conformance lab serves it
    /// (LaunchDarkly's clients stream over it), so a REPORT elsewhere is a method the path lacks, not a missing path.
    private static var answeredMethods: [HTTPRequest.Method] {
        [.get, .head, .post, .put, .delete, .patch, .options, .trace, HTTPRequest.Method("QUERY"), HTTPRequest.Method("REPORT")].compactMap { $0 }
    }

    /// Gives every path the router serves a `405 Method Not Allowed` (with `Allow` and a JSON error) for the methods it
    /// does not serve, instead of the `404` that says the path does not exist. Call it after every route is added; it
    /// reads the routes from the router itself, so a new route is covered without being listed here. `OPTIONS` with
    /// CORS preflight headers is still answered by the CORS middleware, before the router.
    ///
    /// HEAD is left to the router's `.autoGenerateHeadEndpoints` wherever GET is served. `streamPaths` are served
    /// by the stream doors (`StreamRequests.decide`), which take only `GET`: the router has no route there, so they
    /// are listed, and every other method of theirs, HEAD included, is answered 405 (a HEAD cannot open a stream).
    func answerUnservedMethods(streamPaths: [String] = []) {
        var byPath = Dictionary(grouping: routes.map { ($0.path, $0.method) }) { $0.0.description }
        for path in streamPaths.map({ RouterPath($0) }) { byPath[path.description, default: []].append((path, .get)) }
        let streams = Set(streamPaths.map { RouterPath($0).description })
        for descriptions in byPath.values {
            guard let path = descriptions.first?.0 else { continue }
            let served = descriptions.map(\.1)
            let headFromGet = served.contains(.get) && !served.contains(.head) && !streams.contains(path.description)
            let allow = (served + (headFromGet ? [.head] : [])).map(\.rawValue).sorted().joined(separator: ", ")
            for method in Self.answeredMethods where !served.contains(method) && !(method == .head && headFromGet) {
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

import Hummingbird

extension RequestContext {
    /// The route an answer is counted and logged under: the router's pattern (`/streams/{name}`), `static_file` for
    /// a page from `--public` (Hummingbird's `FileMiddleware` names itself as the route), and `NotFound` when nothing
    /// matched. Never the path, so a scan of random URLs adds no series.
    var routeLabel: String {
        switch endpointPath {
        case nil: "NotFound"
        case "FileMiddleware": "static_file"
        case let pattern?: pattern
        }
    }
}

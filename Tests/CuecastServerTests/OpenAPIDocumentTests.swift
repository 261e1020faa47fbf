import AsyncHTTPClient
import CuecastTestSupport
import CuecastCore
@testable import CuecastServer
import Foundation
import Hummingbird
import Logging
import NIOHTTP1
import Testing

/// The OpenAPI document served at `/api/openapi.json` describes exactly the routes the router serves, and every
/// status it lists for errors has a JSON error body. (`scripts/contract` then checks the live server against it with
/// schemathesis.)
@Suite(.timeLimit(.minutes(1)))
struct OpenAPIDocumentTests {
    /// `/streams/:name` → `/streams/{name}`.
    static func openAPIPath(_ routerPath: String) -> String {
        routerPath.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }

    /// A path item's operations by method: OpenAPI 3.1's fixed fields, and the methods it cannot name (REPORT) from
    /// `x-additionalOperations`, OpenAPI 3.2's `additionalOperations` under an extension's name. Other keys
    /// (`parameters`, other extensions) are not operations.
    static func operations(_ item: [String: Any]) -> [(method: String, operation: Any)] {
        let fixed = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        let additional = (item["x-additionalOperations"] as? [String: Any]) ?? [:]
        return item.filter { fixed.contains($0.key) }.map { ($0.key.uppercased(), $0.value) } + additional.map { ($0.key, $0.value) }
    }

    @Test("the served document lists every route the router serves, with its methods, and nothing else")
    func documentMatchesRouter() async throws {
        try await withServer([]) { port in
            let response = try await fetch(port: port, "/api/openapi.json")
            #expect(response.status == 200)
            #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
            let document = try response.json()
            #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let shared = (document["components"] as? [String: Any])?["responses"] as? [String: Any]
            var documented: Set<String> = []
            for (path, operations) in paths {
                for (method, _) in Self.operations(operations) { documented.insert("\(method) \(path)") }
            }

            let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, scenariosDirectory: "", publicDirectory: nil)
            let router = buildRouter(
                catalog: ScenarioCatalog(scenarios: [], hubConfiguration: configuration.hubConfiguration),
                channels: ChannelDirectory(configuration: configuration.channelConfiguration),
                configuration: configuration,
                connections: ConnectionRegistry(limit: 1, retryAfterSeconds: 1),
                logger: Logger(label: "test")
            )
            // A stream's GET is served by the doors (`StreamRequests.decide`), never the router.
            let served = Set(router.routes.map { "\($0.method.rawValue) \(Self.openAPIPath($0.path.description))" })
                .union(StreamRequests.paths.map { "GET \(Self.openAPIPath($0))" })
            #expect(documented.isSubset(of: served), "documented but not served: \(documented.subtracting(served).sorted())")
            // A route the document does not list must be one the router added only to answer 405.
            for line in served.subtracting(documented).sorted() {
                let parts = line.split(separator: " ")
                let path = parts[1].replacingOccurrences(of: "{name}", with: "x").replacingOccurrences(of: "{trigger}", with: "x")
                    .replacingOccurrences(of: "{id}", with: "1")
                // Only the status: a route missing from the document may be a stream that never ends.
                var request = HTTPClientRequest(url: "http://localhost:\(port)\(path)")
                request.method = HTTPMethod(rawValue: String(parts[0]))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
                #expect(response.status.code == 405, "\(line) is served but missing from the OpenAPI document")
            }

            // Every operation lists at least one error answer, and every error answer is the JSON error schema.
            for (path, operations) in paths {
                for (method, operation) in Self.operations(operations) {
                    let responses = try #require((operation as? [String: Any])?["responses"] as? [String: Any], "\(method) \(path)")
                    for (status, written) in responses where Int(status).map({ $0 >= 400 }) == true {
                        // A shared answer is a reference to components/responses, which must exist.
                        var answer = written as? [String: Any]
                        if let reference = answer?["$ref"] as? String {
                            let name = try #require(reference.split(separator: "#/components/responses/").last.map(String.init), "\(reference)")
                            answer = shared?[name] as? [String: Any]
                            #expect(reference == "#/components/responses/\(name)" && answer != nil, "\(method) \(path) \(status): \(reference)")
                        }
                        let content = answer?["content"] as? [String: Any]
                        let schema = (content?["application/json"] as? [String: Any])?["schema"] as? [String: Any]
                        // The LLM stand-in answers in each provider's own shape, the one its SDK raises errors from.
                        let shape = path.hasPrefix("/v1/")
                            ? ["#/components/schemas/OpenAIError", "#/components/schemas/AnthropicError"] : ["#/components/schemas/Error"]
                        #expect(shape.contains(schema?["$ref"] as? String ?? ""), "\(method) \(path) \(status)")
                    }
                }
            }
        }
    }

    @Test("a method a path does not serve gets 405 with Allow and a JSON error, not 404")
    func methodNotAllowed() async throws {
        try await withServer([]) { port in
            // HEAD is served wherever GET is, so Allow names it too.
            for (method, path, allow) in [("DELETE", "/healthz", "GET, HEAD"), ("PUT", "/generateEvent", "GET, HEAD, POST"), ("GET", "/api/connections/drop", "POST")] {
                let response = try await send(port: port, .init(rawValue: method), path)
                #expect(response.status == 405, "\(method) \(path)")
                #expect(response.header("Allow") == allow, "\(method) \(path)")
                #expect(try response.apiError()["code"] as? String == "method_not_allowed")
            }
            let unknown = try await send(port: port, .DELETE, "/no/such/path")
            #expect(unknown.status == 404)
            #expect(try unknown.apiError()["code"] as? String == "not_found")
        }
    }
}

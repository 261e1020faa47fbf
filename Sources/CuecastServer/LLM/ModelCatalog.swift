import CuecastCore
import Foundation

/// The scripted models a server plays (`scenarios/llm/`), by name, and how `GET /v1/models` lists them in each
/// provider's shape.
struct ModelCatalog: Sendable {
    let models: [ModelScenario]
    private let byName: [String: ModelScenario]

    init(_ models: [ModelScenario]) {
        self.models = models.sorted { $0.name < $1.name }
        self.byName = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The model a request names, and the fault its name asks for after `+` (`cuecast-hello+rate-limit`).
    func resolve(_ requested: String) throws(LLMError) -> (ModelScenario, LLMFault?) {
        let parts = requested.split(separator: "+", maxSplits: 1).map(String.init)
        guard let base = parts.first, let model = byName[base] else {
            throw LLMError(
                status: 404,
                message: "The model `\(requested.prefix(200))` does not exist. Models here: \(models.map(\.name).joined(separator: ", ")) (GET /v1/models).",
                param: "model", code: "model_not_found"
            )
        }
        guard parts.count == 2 else { return (model, nil) }
        guard let fault = LLMFault(parts[1]) else {
            throw LLMError(status: 400, message: Self.unknownFault(parts[1]), param: "model", code: "unknown_fault")
        }
        return (model, fault)
    }

    static func unknownFault(_ text: String) -> String {
        "unknown fault '\(text.prefix(100))': use \(LLMFault.spellings.joined(separator: ", ")) (comma-separated for a sequence)"
    }

    /// OpenAI's list: `{"object":"list","data":[{"id","object":"model","created","owned_by"}]}`.
    var openAIList: JSONValue {
        .object([
            ("object", .string("list")),
            ("data", .array(models.map { model in
                .object([("id", .string(model.name)), ("object", .string("model")), ("created", .integer(Self.created)), ("owned_by", .string("cuecast"))])
            })),
        ])
    }

    /// Anthropic's list: `{"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}`.
    var anthropicList: JSONValue {
        .object([
            ("data", .array(models.map { model in
                .object([
                    ("type", .string("model")), ("id", .string(model.name)), ("display_name", .string(model.name)),
                    ("created_at", .string("2026-01-01T00:00:00Z")),
                ])
            })),
            ("has_more", .bool(false)), ("first_id", models.first.map { .string($0.name) } ?? .null), ("last_id", models.last.map { .string($0.name) } ?? .null),
        ])
    }

    /// A fixed creation time (2026-01-01): scripted models have no release date, and a fixed one keeps the list stable.
    static let created: Int64 = 1_767_225_600
}

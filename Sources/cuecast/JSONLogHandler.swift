import CuecastCore
import Foundation
import Logging

/// `--log-format json`: one JSON object per line on standard error, for log collectors (`time`, `level`, `label`,
/// `message`, and `metadata` when there is any). The default stays swift-log's human-readable stream handler.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let given = event.metadata { merged.merge(given) { _, new in new } }
        var fields: [(String, JSONValue)] = [
            ("time", .string(Date().formatted(Self.timeStyle))), ("level", .string(event.level.rawValue)), ("label", .string(label)),
            ("message", .string(event.message.description)),
        ]
        if !merged.isEmpty {
            fields.append(("metadata", .object(merged.sorted { $0.key < $1.key }.map { ($0.key, Self.json($0.value)) })))
        }
        // One write per line, so lines from concurrent loggers never interleave.
        var line: [UInt8] = []
        JSONValue.object(fields).compactText(into: &line)
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(Data(line))
    }

    private static let timeStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        // Figures logged as numbers (`status`, `ms`, `seconds`) stay numbers, so a log collector can sum and compare them.
        case .stringConvertible(let value as any BinaryInteger): Int64(exactly: value).map(JSONValue.integer) ?? .string(value.description)
        case .stringConvertible(let value as Double) where value.isFinite: .number(value)
        case .stringConvertible(let value): .string(value.description)
        case .array(let values): .array(values.map(json))
        case .dictionary(let values): .object(values.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })
        }
    }
}

/// How `serve` writes its log.
enum LogFormat: String, CaseIterable, Sendable {
    /// swift-log's stream handler: `2026-11-30T14:00:00+0000 info cuecast : [metadata] message`.
    case text
    /// One JSON object per line (`JSONLogHandler`).
    case json

    /// Bootstraps swift-log for the whole process, once, before the first logger is made.
    func bootstrap(level: Logger.Level) {
        switch self {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

import AsyncHTTPClient
import CuecastCore
import Foundation
import NIOCore
import NIOHTTP1

/// What a server said when it refused a stream: the `message` of a JSON error body
/// (`{"error": {"message": "..."}}`, Cuecast's and most APIs' shape), else the first line of a short text body. A
/// browser's EventSource shows nothing of it, but a terminal client that says only "400 Bad Request" leaves its
/// user guessing why (`speed applies to solo streams only`).
enum RefusalMessage {
    /// Bodies past this are not read: a refusal that is a whole web page has nothing short to say.
    static let limit = 8 * 1024

    static func read(_ response: HTTPClientResponse) async -> String? {
        let type = response.headers["Content-Type"].first?.lowercased() ?? ""
        guard type.hasPrefix("application/json") || type.hasPrefix("text/plain") || type.contains("+json") else { return nil }
        guard let body = try? await response.body.collect(upTo: limit) else { return nil }
        return parse(Array(body.readableBytesView), json: !type.hasPrefix("text/plain"))
    }

    static func parse(_ bytes: [UInt8], json: Bool) -> String? {
        if json {
            guard let node = try? JSONParser.parse(bytes), case .object(let members) = node.value else { return nil }
            let error = members.first { $0.0 == "error" }?.1
            let message: JSONValue? =
                switch error {
                case .object(let fields)?: fields.first { $0.0 == "message" }?.1
                case .string?: error
                default: members.first { $0.0 == "message" }?.1
                }
            guard case .string(let text)? = message else { return nil }
            return shortened(text)
        }
        let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init)
        return line.flatMap(shortened)
    }

    private static func shortened(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        return trimmed.count > 300 ? String(trimmed.prefix(300)) + "…" : trimmed
    }
}

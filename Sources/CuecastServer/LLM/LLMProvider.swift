import CuecastCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Which API a request speaks: its wire format, its error shape and its rate-limit headers.
enum LLMProvider: Sendable {
    case chatCompletions
    case responses
    case messages

    var wire: any ProviderWire {
        switch self {
        case .chatCompletions: ChatCompletionsWire()
        case .responses: ResponsesWire()
        case .messages: MessagesWire()
        }
    }

    var route: String {
        switch self {
        case .chatCompletions: "/v1/chat/completions"
        case .responses: "/v1/responses"
        case .messages: "/v1/messages"
        }
    }

    /// An error answer in this provider's shape, with `Retry-After` and the provider's rate-limit headers on a 429.
    func response(for error: LLMError, retryAfterSeconds: Int? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let seconds = retryAfterSeconds {
            headers[.retryAfter] = String(seconds)
            for (name, value) in rateLimitHeaders(resetSeconds: seconds) {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
        }
        let body = wire.errorBody(error).compactText
        return Response(
            status: HTTPResponse.Status(code: error.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body))
        )
    }

    /// The headers each provider documents for a rate limit that has run out.
    func rateLimitHeaders(resetSeconds: Int) -> [(String, String)] {
        switch self {
        case .chatCompletions, .responses:
            [
                ("x-ratelimit-limit-requests", "60"), ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "\(resetSeconds)s"),
                ("x-ratelimit-limit-tokens", "150000"), ("x-ratelimit-remaining-tokens", "150000"), ("x-ratelimit-reset-tokens", "0s"),
            ]
        case .messages:
            [
                ("anthropic-ratelimit-requests-limit", "60"), ("anthropic-ratelimit-requests-remaining", "0"),
                ("anthropic-ratelimit-requests-reset", Self.rfc3339(Date().addingTimeInterval(Double(resetSeconds)))),
            ]
        }
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

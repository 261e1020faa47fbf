/// A request a scripted model refuses, or a fault that answers with an error status: what went wrong, which each
/// provider's wire writes in its own shape (OpenAI `{"error":{"message","type","param","code"}}`, Anthropic
/// `{"type":"error","error":{"type","message"}}`), since each SDK raises its error types from that shape.
public struct LLMError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
    /// The request field at fault (OpenAI's `param`), e.g. `model`.
    public var param: String?
    /// A stable code (OpenAI's `code`): `model_not_found`, `rate_limit_exceeded`…
    public var code: String?

    public init(status: Int, message: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.param = param
        self.code = code
    }

    /// OpenAI's error `type` for the status.
    public var openAIType: String {
        switch status {
        case 401: "invalid_authentication"
        case 429: "requests"
        case 500...: "server_error"
        default: "invalid_request_error"
        }
    }

    /// Anthropic's error `type` for the status (its documented list).
    public var anthropicType: String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 529, 503: "overloaded_error"
        case 500...: "api_error"
        default: "invalid_request_error"
        }
    }

    /// What a fault with an error status answers.
    public static func fault(status: Int) -> LLMError {
        switch status {
        case 429: LLMError(status: 429, message: "Rate limit reached (Cuecast fault rate-limit): retry after the time in Retry-After.", code: "rate_limit_exceeded")
        case 529: LLMError(status: 529, message: "Overloaded")
        case 503: LLMError(status: 503, message: "The server is overloaded or not ready yet (Cuecast fault 503).")
        default: LLMError(status: status, message: "The server had an error while processing your request (Cuecast fault \(status)).")
        }
    }
}

import HTTPTypes
import NIOHPACK

/// The two conversions between HTTPTypes and HPACK a record stream needs (`HTTP2StreamDoor`), written here because
/// NIOHTTPTypesHTTP2 keeps its own internal. A request that does not convert is left to that codec, on a stream
/// channel, which refuses it as before.
extension HTTPRequest {
    /// The request the HEADERS that open an HTTP/2 stream carry; `nil` if they do not make one.
    init?(http2 headers: HPACKHeaders) {
        var method: HTTPRequest.Method?
        var scheme: String?
        var authority: String?
        var path: String?
        var fields = HTTPFields()
        for (name, value, _) in headers {
            guard name.hasPrefix(":") else {
                guard let fieldName = HTTPField.Name(name) else { return nil }
                fields.append(HTTPField(name: fieldName, value: value))
                continue
            }
            switch name {
            case ":method": method = HTTPRequest.Method(value)
            case ":scheme": scheme = value
            case ":authority": authority = value
            case ":path": path = value
            default: return nil  // `:protocol` (extended CONNECT) or unknown: not an event stream
            }
        }
        guard let method else { return nil }
        self.init(method: method, scheme: scheme, authority: authority, path: path, headerFields: fields)
    }
}

extension HPACKHeaders {
    /// A response head as an HTTP/2 HEADERS block.
    init(response: HTTPResponse) {
        self.init()
        reserveCapacity(response.headerFields.count + 1)
        add(name: ":status", value: String(response.status.code))
        for field in response.headerFields { add(name: field.name.canonicalName, value: field.value) }
    }
}

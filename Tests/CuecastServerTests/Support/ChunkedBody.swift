/// Splits a raw HTTP/1 response (as a `RawSocket` read it) into its head and its body: de-chunked when it is
/// chunked (every HTTP/1.1 response of unknown length), as it is when it is delimited by the connection's close
/// (a stream answered to HTTP/1.0).
struct RawHTTPResponse {
    let head: String
    let body: [UInt8]
    /// The terminating zero-length chunk arrived, or the body is close-delimited (then the caller's check that the
    /// server closed the connection is what says the response ended properly).
    let complete: Bool

    init?(_ bytes: [UInt8]) {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = Self.find(separator, in: bytes, from: 0) else { return nil }
        head = String(decoding: bytes[..<headEnd], as: UTF8.self)
        var index = headEnd + separator.count
        guard head.lowercased().contains("transfer-encoding: chunked") else {
            body = Array(bytes[index...])
            complete = true
            return
        }
        var body: [UInt8] = []
        var complete = false
        let crlf: [UInt8] = Array("\r\n".utf8)
        // Chunks: hex size CRLF, data, CRLF; stop at the first incomplete one.
        while let lineEnd = Self.find(crlf, in: bytes, from: index),
              let sizeField = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first,
              let size = Int(sizeField, radix: 16) {
            let dataStart = lineEnd + 2
            if size == 0 {
                complete = true
                break
            }
            let available = min(size, bytes.count - dataStart)
            body += bytes[dataStart..<(dataStart + available)]
            guard available == size else { break }
            index = dataStart + size + 2
            guard index <= bytes.count else { break }
        }
        self.body = body
        self.complete = complete
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        for index in start...(bytes.count - needle.count) where bytes[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}

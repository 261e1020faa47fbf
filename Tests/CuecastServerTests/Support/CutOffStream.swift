import CuecastCore
import Testing

/// What a stalled subscriber was sent, read once it reads again: the server finishes its stuck write, sends the
/// cut-off notice last, and closes. Checks that the response is a `200` that ends properly and that its last
/// output is a `cut off: ` comment; returns the outputs (the notice last) and the notice, or `nil` once it has
/// recorded why not.
func readCutOffStream(
    _ stalled: RawSocket, timeout: Duration, sourceLocation: Testing.SourceLocation = #_sourceLocation
) async throws -> (outputs: [SSEParserOutput], notice: String)? {
    let (bytes, ending) = await stalled.drain(timeout: timeout)
    #expect(ending == .eof, "the server should close the stalled connection once the notice is out", sourceLocation: sourceLocation)
    let response = try #require(RawHTTPResponse(bytes), "no HTTP response in \(bytes.count) bytes", sourceLocation: sourceLocation)
    #expect(response.head.hasPrefix("HTTP/1.1 200"), sourceLocation: sourceLocation)
    #expect(response.complete, "the response should end properly, not be cut mid-chunk", sourceLocation: sourceLocation)
    var parser = EventStreamParser()
    let outputs = parser.feed(response.body)
    guard case .comment(let notice)? = outputs.last else {
        Issue.record(
            "the stalled subscriber's stream should end with the cut-off notice, ends with \(String(describing: outputs.last))",
            sourceLocation: sourceLocation
        )
        return nil
    }
    #expect(notice.hasPrefix("cut off: "), sourceLocation: sourceLocation)
    return (outputs, notice)
}

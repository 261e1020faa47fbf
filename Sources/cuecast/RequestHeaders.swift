import ArgumentParser
import Foundation
import HTTPTypes

/// `-H 'Name: value'` options, checked the same way for every command that connects to a stream.
enum RequestHeaders {
    static func parse(_ headers: [String]) throws -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw ValidationError("-H '\(header)' is not 'Name: value'")
            }
            let name = header[..<colon].trimmingCharacters(in: .whitespaces)
            let value = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard HTTPField.Name(name) != nil else {
                throw ValidationError("-H '\(header)': '\(name)' is not a header name")
            }
            guard !value.contains("\r"), !value.contains("\n") else { throw ValidationError("-H '\(header)': the value contains a line break") }
            guard name.lowercased() != "last-event-id" else {
                throw ValidationError("use --last-event-id instead of -H 'Last-Event-ID: …' (the client updates it on every reconnection)")
            }
            result.append((name, value))
        }
        return result
    }
}

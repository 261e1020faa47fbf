import CuecastTestSupport
import AsyncHTTPClient
import CuecastCore
@testable import CuecastServer
import Foundation
import NIOCore
import NIOHTTP1
import Testing

extension PublishingTests {
    /// `POST /generateEvent` and `GET /generateEvent`: what a publish sends, what it answers, the order and ids many
    /// publishers and subscribers see, and the requests it refuses.
    @Suite(.timeLimit(.minutes(1)))
    struct PublishTests {
        /// No limit worth mentioning: tests that publish a lot must not meet the rate limiter.
        static func unlimited(_ configuration: inout ServerConfiguration) {
            configuration.publishRate = 1_000_000
            configuration.publishBurst = 1_000_000
        }

        // MARK: Publishing

        @Test("curl -d 'hello': a plain body is the data; 202 with the id and how many subscribers it reached")
        func plainText() async throws {
            try await withServer([]) { port in
                let first = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                let second = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                // What curl -d sends: a form content type, a body that is no form of event fields.
                let response = try await post(port: port, "/generateEvent", body: "hello", contentType: "application/x-www-form-urlencoded")
                #expect(response.status == 202)
                #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
                let answer = try response.json()
                #expect(answer["id"] as? String == "1")
                #expect(answer["delivered"] as? Int == 2)
                #expect(answer["channel"] as? String == "default")
                for client in [first, second] {
                    let event = try #require(try await client.nextEvent())
                    #expect(event == ParsedEvent(type: "message", data: "hello", lastEventId: "1"))
                }
                // The bytes on the wire: no event line for an unnamed event, the id, the data.
                #expect(first.rawText.hasSuffix("\n\nid: 1\ndata: hello\n\n"))

                // text/plain and no content type at all: the same, and the id goes on.
                let plain = try await post(port: port, "/generateEvent", body: "line one\nline two", contentType: "text/plain")
                let bare = try await post(port: port, "/generateEvent", body: "a=b&c=d")
                let plainID = try plain.json()["id"] as? String
                let bareID = try bare.json()["id"] as? String
                #expect(plainID == "2")
                #expect(bareID == "3")
                let events = try await first.events(2)
                let data = events.map(\.data)
                #expect(data == ["line one\nline two", "a=b&c=d"])
                await first.close()
                await second.close()
            }
        }

        @Test("the README's transcript, byte for byte: two publishes, their answers, what the subscriber sees")
        func readmeTranscript() async throws {
            try await withServer([]) { port in
                let client = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                let hello = try await post(port: port, "/generateEvent", body: "hello", contentType: "application/x-www-form-urlencoded")
                let greeting = try await post(
                    port: port, "/generateEvent", body: #"{"event":"greeting","data":{"x":1}}"#, contentType: "application/json"
                )
                #expect(hello.body == #"{"id":"1","channel":"default","delivered":1}"# + "\n")
                #expect(greeting.body == #"{"id":"2","channel":"default","delivered":1,"event":"greeting"}"# + "\n")
                _ = try await client.events(2)
                let expected = """
                    : channel 'default': events published with POST /generateEvent arrive here

                    retry: 3000

                    id: 1
                    data: hello

                    id: 2
                    event: greeting
                    data: {"x":1}


                    """
                #expect(client.rawText == expected)
                await client.close()
            }
        }

        @Test("JSON: event, data (text or any JSON), id and retry")
        func jsonBody() async throws {
            try await withServer([]) { port in
                let client = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                let named = try await publish(port: port, json: #"{"event": "greeting", "data": "hi there", "retry": 2500}"#)
                #expect(named.status == 202)
                let namedAnswer = try named.json()
                #expect(namedAnswer["id"] as? String == "1")
                #expect(namedAnswer["event"] as? String == "greeting")
                let structured = try await publish(port: port, json: #"{"data": {"user": "ana", "tags": [1, true, null]}}"#)
                #expect(structured.status == 202)
                let number = try await publish(port: port, json: #"{"data": 42, "id": "custom-7"}"#)
                #expect(try number.json()["id"] as? String == "custom-7")
                // A custom id does not disturb the channel's own numbering.
                let after = try await publish(port: port, json: #"{"event": "", "data": "after", "id": null}"#)
                #expect(try after.json()["id"] as? String == "4")
                let numericID = try await publish(port: port, json: #"{"data": "n", "id": 99}"#)
                #expect(try numericID.json()["id"] as? String == "99")

                let outputs = try await client.read(until: { output in
                    if case .event(let event) = output { return event.data == "n" }
                    return false
                })
                let retries = outputs.compactMap { output -> Int? in if case .retry(let value) = output { value } else { nil } }
                // The channel's own retry in the preamble, then the event's.
                #expect(retries == [3000, 2500])
                let events = outputs.events
                #expect(events.count == 5)
                guard events.count == 5 else { return }
                #expect(events[0] == ParsedEvent(type: "greeting", data: "hi there", lastEventId: "1"))
                #expect(events[1].lastEventId == "2")
                let object = try JSONSerialization.jsonObject(with: Data(events[1].data.utf8)) as? [String: Any]
                #expect(object?["user"] as? String == "ana")
                #expect(events[1].data.contains("\n") == false, "structured data goes out compact, on one data line")
                #expect(events[2] == ParsedEvent(type: "message", data: "42", lastEventId: "custom-7"))
                #expect(events[3] == ParsedEvent(type: "message", data: "after", lastEventId: "4"))
                #expect(events[4].lastEventId == "99")
                await client.close()
            }
        }

        @Test("a form, and event fields in the query string (the body wins)")
        func formAndQuery() async throws {
            try await withServer([]) { port in
                let client = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                let form = try await post(
                    port: port, "/generateEvent", body: "event=chat&data=hello+world%21&id=m1", contentType: "application/x-www-form-urlencoded"
                )
                #expect(form.status == 202)
                let query = try await post(port: port, "/generateEvent?event=ping&id=q1", body: "pong", contentType: "text/plain")
                #expect(query.status == 202)
                let both = try await post(
                    port: port, "/generateEvent?event=fromQuery", body: #"{"event": "fromBody", "data": "x"}"#, contentType: "application/json"
                )
                #expect(both.status == 202)
                let events = try await client.events(3)
                #expect(events[0] == ParsedEvent(type: "chat", data: "hello world!", lastEventId: "m1"))
                #expect(events[1] == ParsedEvent(type: "ping", data: "pong", lastEventId: "q1"))
                #expect(events[2].type == "fromBody")
                await client.close()
            }
        }

        @Test("GET /generateEvent broadcasts a random cat fact")
        func catFact() async throws {
            try await withServer([]) { port in
                let client = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                let named = try await SSEClient.connect(port: port, path: "/channels/cats")
                let response = try await fetch(port: port, "/generateEvent")
                #expect(response.status == 202)
                let answer = try response.json()
                #expect(answer["id"] as? String == "1")
                #expect(answer["event"] as? String == "catFact")
                #expect(answer["delivered"] as? Int == 1)
                let event = try #require(try await client.nextEvent())
                #expect(event.type == "catFact")
                #expect(event.lastEventId == "1")
                let known = CatFacts.all.contains(event.data)
                #expect(known, "not one of the facts: \(event.data)")

                let toChannel = try await fetch(port: port, "/generateEvent?channel=cats")
                #expect(toChannel.status == 202)
                #expect(try toChannel.json()["channel"] as? String == "cats")
                let catEvent = try #require(try await named.nextEvent())
                #expect(catEvent.type == "catFact")
                #expect(catEvent.lastEventId == "1")
                await client.close()
                await named.close()
            }
        }

        // MARK: Order, loss and ids

        @Test("many subscribers, concurrent publishers: every event reaches everyone, in publish order, ids 1, 2, 3...")
        func manySubscribersConcurrentPublishers() async throws {
            let subscriberCount = 16
            let publishers = 4
            let perPublisher = 40
            let total = publishers * perPublisher
            try await withServer([], configure: Self.unlimited) { port in
                try await withHTTPClient { streams in
                    var subscribers: [SSEClient] = []
                    for _ in 0..<subscriberCount {
                        subscribers.append(try await SSEClient.connect(port: port, path: "/channels/load?history=none", client: streams))
                    }
                    // Every publisher sends its events one after another; the publishers run at the same time.
                    let answers = try await withThrowingTaskGroup(of: [(data: String, id: String, delivered: Int)].self) { group in
                        for publisher in 0..<publishers {
                            group.addTask {
                                var answers: [(data: String, id: String, delivered: Int)] = []
                                for index in 0..<perPublisher {
                                    let data = "p\(publisher)-\(index)"
                                    let response = try await publish(port: port, json: #"{"event": "load", "data": "\#(data)"}"#, channel: "load")
                                    let answer = try response.json()
                                    answers.append((data, answer["id"] as? String ?? "?", answer["delivered"] as? Int ?? -1))
                                }
                                return answers
                            }
                        }
                        var all: [(data: String, id: String, delivered: Int)] = []
                        for try await answers in group { all += answers }
                        return all
                    }
                    #expect(answers.count == total)
                    let deliveredCounts = Set(answers.map(\.delivered))
                    #expect(deliveredCounts == [subscriberCount])
                    let idFor = Dictionary(answers.map { ($0.data, $0.id) }, uniquingKeysWith: { first, _ in first })

                    var reference: [ParsedEvent]?
                    for (number, subscriber) in subscribers.enumerated() {
                        let events = try await subscriber.events(total, timeout: .seconds(20))
                        let ids = events.compactMap(\.number)
                        #expect(ids == Array(1...total), "subscriber \(number): ids not 1...\(total)")
                        for publisher in 0..<publishers {
                            let mine = events.map(\.data).filter { $0.hasPrefix("p\(publisher)-") }
                            let expected = (0..<perPublisher).map { "p\(publisher)-\($0)" }
                            #expect(mine == expected, "subscriber \(number), publisher \(publisher): out of order or lost")
                        }
                        // The id each publish was answered with is the id subscribers saw.
                        let mismatched = events.filter { idFor[$0.data] != $0.lastEventId }
                        #expect(mismatched.isEmpty, "subscriber \(number): \(mismatched.count) events with another id than answered")
                        if let reference {
                            #expect(events == reference, "subscriber \(number) saw another sequence than subscriber 0")
                        } else {
                            reference = events
                        }
                    }
                    for subscriber in subscribers { await subscriber.close() }
                }
            }
        }

        // MARK: Refusals

        /// A request that must be refused, and how.
        struct Refusal: Sendable, CustomTestStringConvertible {
            let label: String
            var method: HTTPMethod = .POST
            let path: String
            let body: String
            let contentType: String?
            let code: String
            var field: String?
            var line: Int?
            var column: Int?

            var testDescription: String { label }
        }

        static let refusals: [Refusal] = [
            // Event names: a line break would end the event: line early.
            Refusal(label: "JSON event with LF", path: "/generateEvent", body: #"{"event": "a\nb", "data": "x"}"#, contentType: "application/json", code: "bad_event", field: "event"),
            Refusal(label: "JSON event with CR", path: "/generateEvent", body: #"{"event": "a\rb", "data": "x"}"#, contentType: "application/json", code: "bad_event", field: "event"),
            Refusal(label: "JSON event with NUL", path: "/generateEvent", body: #"{"event": "a\u0000b", "data": "x"}"#, contentType: "application/json", code: "bad_event", field: "event"),
            Refusal(label: "form event with LF", path: "/generateEvent", body: "event=a%0Ab&data=x", contentType: "application/x-www-form-urlencoded", code: "bad_event", field: "event"),
            Refusal(label: "form event with NUL", path: "/generateEvent", body: "event=a%00b&data=x", contentType: "application/x-www-form-urlencoded", code: "bad_event", field: "event"),
            Refusal(label: "query event with CR", path: "/generateEvent?event=a%0Db", body: "x", contentType: "text/plain", code: "bad_event", field: "event"),
            Refusal(label: "JSON event not a string", path: "/generateEvent", body: "{\"data\": \"x\",\n  \"event\": 5}", contentType: "application/json", code: "bad_event", field: "event", line: 2, column: 3),
            // Ids: a line break splits the id: line; browsers ignore an id with NUL.
            Refusal(label: "JSON id with LF", path: "/generateEvent", body: #"{"id": "1\n2", "data": "x"}"#, contentType: "application/json", code: "bad_id", field: "id"),
            Refusal(label: "JSON id with NUL", path: "/generateEvent", body: #"{"id": "1\u00002", "data": "x"}"#, contentType: "application/json", code: "bad_id", field: "id"),
            Refusal(label: "form id with CR", path: "/generateEvent", body: "id=1%0D2&data=x", contentType: "application/x-www-form-urlencoded", code: "bad_id", field: "id"),
            Refusal(label: "query id with NUL", path: "/generateEvent?id=1%002", body: "x", contentType: "text/plain", code: "bad_id", field: "id"),
            Refusal(label: "JSON id an array", path: "/generateEvent", body: #"{"id": [1], "data": "x"}"#, contentType: "application/json", code: "bad_id", field: "id", line: 1, column: 2),
            // Retry: a non-negative whole number of milliseconds.
            Refusal(label: "JSON retry negative", path: "/generateEvent", body: #"{"retry": -1, "data": "x"}"#, contentType: "application/json", code: "bad_retry", field: "retry"),
            Refusal(label: "JSON retry fractional", path: "/generateEvent", body: #"{"data": "x", "retry": 1.5}"#, contentType: "application/json", code: "bad_retry", field: "retry", line: 1, column: 15),
            Refusal(label: "JSON retry a string", path: "/generateEvent", body: #"{"retry": "100", "data": "x"}"#, contentType: "application/json", code: "bad_retry", field: "retry", line: 1, column: 2),
            Refusal(label: "form retry not a number", path: "/generateEvent", body: "retry=soon&data=x", contentType: "application/x-www-form-urlencoded", code: "bad_retry", field: "retry"),
            Refusal(label: "query retry negative", path: "/generateEvent?retry=-5", body: "x", contentType: "text/plain", code: "bad_retry", field: "retry"),
            Refusal(label: "query retry empty", path: "/generateEvent?retry=", body: "x", contentType: "text/plain", code: "bad_retry", field: "retry"),
            Refusal(label: "retry too large", path: "/generateEvent", body: #"{"retry": 99999999999, "data": "x"}"#, contentType: "application/json", code: "bad_retry", field: "retry"),
            // Malformed JSON: where it went wrong.
            Refusal(label: "JSON missing value", path: "/generateEvent", body: "{\"event\": \"a\",\n  \"data\": }", contentType: "application/json", code: "bad_json", line: 2, column: 11),
            Refusal(label: "JSON unterminated", path: "/generateEvent", body: "{\"data\": \"x\"", contentType: "application/json; charset=utf-8", code: "bad_json", line: 1, column: 12),
            Refusal(label: "JSON not an object", path: "/generateEvent", body: "[1, 2]", contentType: "application/json", code: "bad_json"),
            Refusal(label: "JSON empty body", path: "/generateEvent", body: "", contentType: "application/json", code: "bad_json", line: 1, column: 1),
            Refusal(label: "JSON unknown field", path: "/generateEvent", body: "{\n  \"evnt\": \"a\"}", contentType: "application/json", code: "unknown_field", field: "evnt", line: 2, column: 3),
            Refusal(label: "form unknown field", path: "/generateEvent", body: "data=x&color=red", contentType: "application/x-www-form-urlencoded", code: "unknown_field", field: "color"),
            // Channels.
            Refusal(label: "channel with a space", path: "/generateEvent?channel=a%20b", body: "x", contentType: "text/plain", code: "bad_channel", field: "channel"),
            Refusal(label: "channel starting with a dot", path: "/generateEvent?channel=.hidden", body: "x", contentType: "text/plain", code: "bad_channel", field: "channel"),
            Refusal(label: "channel empty", path: "/generateEvent?channel=", body: "x", contentType: "text/plain", code: "bad_channel", field: "channel"),
            Refusal(label: "channel of 65 characters", path: "/generateEvent?channel=\(String(repeating: "c", count: 65))", body: "x", contentType: "text/plain", code: "bad_channel", field: "channel"),
            Refusal(label: "cat fact to a bad channel", method: .GET, path: "/generateEvent?channel=a/b", body: "", contentType: nil, code: "bad_channel", field: "channel"),
        ]

        @Test("bad input is refused with 400 and a JSON error that says what and where", arguments: refusals)
        func refused(_ refusal: Refusal) async throws {
            try await withServer([]) { port in
                let watcher = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
                let typed = refusal.contentType.map { [("Content-Type", $0)] } ?? []
                let response = try await send(port: port, refusal.method, refusal.path, body: refusal.method == .GET ? nil : Array(refusal.body.utf8), headers: typed)
                #expect(response.status == 400, "\(response.body)")
                #expect(response.header("Content-Type")?.hasPrefix("application/json") == true)
                let error = try response.apiError()
                #expect(error["status"] as? Int == 400)
                #expect(error["code"] as? String == refusal.code, "\(response.body)")
                let message = error["message"] as? String ?? ""
                #expect(!message.isEmpty)
                if let field = refusal.field {
                    #expect(error["field"] as? String == field, "\(response.body)")
                }
                if let line = refusal.line {
                    #expect(error["line"] as? Int == line, "\(response.body)")
                    #expect(message.contains("line \(line)") || refusal.code != "bad_json", "the message names the line: \(message)")
                }
                if let column = refusal.column {
                    #expect(error["column"] as? Int == column, "\(response.body)")
                }
                // Nothing was published: the next event on the default channel is the first.
                let next = try await publish(port: port, json: #"{"data": "after"}"#)
                #expect(try next.json()["id"] as? String == "1")
                let event = try #require(try await watcher.nextEvent())
                #expect(event.data == "after")
                await watcher.close()
            }
        }

        @Test("an unknown JSON field suggests the right one")
        func suggestion() async throws {
            try await withServer([]) { port in
                let response = try await publish(port: port, json: #"{"evnt": "a", "data": "x"}"#)
                let error = try response.apiError()
                let message = error["message"] as? String ?? ""
                #expect(message.contains("did you mean 'event'"), "\(message)")
            }
        }

        @Test("a body over maxBodyBytes gets 413; one at the limit is accepted")
        func bodyLimit() async throws {
            try await withServer([], configure: { $0.maxBodyBytes = 1000 }) { port in
                let atLimit = try await post(port: port, "/generateEvent", body: String(repeating: "a", count: 1000), contentType: "text/plain")
                #expect(atLimit.status == 202)
                let over = try await post(port: port, "/generateEvent", body: String(repeating: "a", count: 1001), contentType: "text/plain")
                #expect(over.status == 413)
                #expect(try over.apiError()["code"] as? String == "body_too_large")

                // Chunked, with no length announced: refused all the same.
                var request = HTTPClientRequest(url: "http://localhost:\(port)/generateEvent")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "text/plain")
                let chunks = AsyncStream<ByteBuffer> { continuation in
                    for _ in 0..<3 { continuation.yield(ByteBuffer(string: String(repeating: "b", count: 400))) }
                    continuation.finish()
                }
                request.body = .stream(chunks, length: .unknown)
                let chunked = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                #expect(chunked.status.code == 413)
            }
        }

        @Test("the default body limit is 64 KiB")
        func defaultBodyLimit() async throws {
            try await withServer([]) { port in
                let atLimit = try await post(port: port, "/generateEvent", body: String(repeating: "a", count: 64 * 1024), contentType: "text/plain")
                #expect(atLimit.status == 202)
                let over = try await post(port: port, "/generateEvent", body: String(repeating: "a", count: 64 * 1024 + 1), contentType: "text/plain")
                #expect(over.status == 413)
            }
        }

        @Test("too many publishes from one client: 429 with Retry-After; another client is not held back")
        func rateLimit() async throws {
            let configure: (inout ServerConfiguration) -> Void = {
                $0.publishRate = 0.01
                $0.publishBurst = 3
            }
            try await withServer([], configure: configure) { port in
                var statuses: [Int] = []
                for index in 0..<3 {
                    statuses.append(try await post(port: port, "/generateEvent", body: "e\(index)", host: "127.0.0.1").status)
                }
                #expect(statuses == [202, 202, 202])
                // The burst is spent.
                let limited = try await post(port: port, "/generateEvent", body: "too many", host: "127.0.0.1")
                #expect(limited.status == 429)
                let error = try limited.apiError()
                #expect(error["code"] as? String == "rate_limited")
                // One publish every 100 s: the next token is 100 s after the burst began, less the time the test took.
                let retryAfter = Int(limited.header("Retry-After") ?? "") ?? -1
                #expect((90...100).contains(retryAfter), "Retry-After: \(retryAfter)")
                let message = error["message"] as? String ?? ""
                #expect(message.contains("try again in \(retryAfter) s"), "\(message)")
                // GET and triggers draw from the same bucket.
                let catFact = try await send(port: port, .GET, "/generateEvent", host: "127.0.0.1")
                #expect(catFact.status == 429)

                // Another address is another client, with a bucket of its own.
                let other = try rawRequest(
                    port: port, from: "127.0.0.2",
                    "POST /generateEvent HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 14\r\nConnection: close\r\n\r\nfrom elsewhere"
                )
                #expect(other.hasPrefix("HTTP/1.1 202"), "\(other)")
                // Subscribing is never limited.
                let stream = try await SSEClient.connect(port: port, path: "/subscribeToEvents", host: "127.0.0.1")
                #expect(stream.status == 200)
                let events = try await stream.events(4)
                let data = events.map(\.data)
                #expect(data == ["e0", "e1", "e2", "from elsewhere"])
                await stream.close()
            }
        }
    }
}

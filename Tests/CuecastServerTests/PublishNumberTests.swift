import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// JSON has one kind of number: an id or retry written `5.0` is the whole number 5, and a number no event field can
/// hold (a fraction, 1e300) is a 400, never a crash. (Found by schemathesis; 1e300 as an id once reached an
/// `Int64(_:)` conversion that traps.)
@Suite(.timeLimit(.minutes(1)))
struct PublishNumberTests {
    @Test("whole numbers written as fractions are taken; other numbers are refused with the field named")
    func numbers() async throws {
        try await withServer([]) { port in
            let witness = try await SSEClient.connect(port: port, path: "/channels/numbers")
            let whole = try await publish(port: port, json: #"{"data": "a", "id": 5.0, "retry": 1500.0}"#, channel: "numbers")
            #expect(whole.status == 202)
            #expect(try whole.json()["id"] as? String == "5")
            for (body, field) in [(#"{"data": "b", "id": 1e300}"#, "id"), (#"{"data": "b", "id": 2.5}"#, "id"), (#"{"data": "b", "retry": 2.5}"#, "retry"),
                                  (#"{"data": "b", "retry": -1e300}"#, "retry"), (#"{"data": "b", "id": -9.3e18}"#, "id")] {
                let refused = try await publish(port: port, json: body, channel: "numbers")
                #expect(refused.status == 400, "\(body)")
                #expect(try refused.apiError()["field"] as? String == field, "\(body)")
            }
            let event = try await witness.nextEvent()
            #expect(event?.lastEventId == "5")
            #expect(event?.data == "a")
            await witness.close()
        }
    }
}

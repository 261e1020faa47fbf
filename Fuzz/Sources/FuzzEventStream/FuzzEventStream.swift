@testable import CuecastCore
import FuzzSupport

/// The event-stream parser against the reference reading of the WHATWG rules, on any bytes:
/// 1. fed whole, it gives exactly the reference's outputs, last event ID and reconnection time;
/// 2. fed in random chunks, or one byte at a time, it gives the same outputs;
/// 3. after `finish()`, the same bytes as a second connection give what the reference gives when it starts
///    from the first connection's last event ID;
/// 4. with a small memory guard (a limit of 1-64 bytes derived from the input), it still matches the reference
///    applying the same guard.
/// 1 holds for every input; each input also gets one of 2-4, chosen by its hash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    var random = SplitRandom(seededBy: bytes)

    var reference = ReferenceEventStream()
    reference.read(bytes)
    var parser = EventStreamParser()
    let whole = parser.feed(bytes)
    expect(sameBytes(whole, reference.outputs), "parser \(whole) != reference \(reference.outputs) for \(bytes)")
    expect(parser.finish().isEmpty, "finish() dispatched something")
    expect(parser.lastEventId.utf8.elementsEqual(reference.lastEventId.utf8),
           "last event ID \(parser.lastEventId.debugDescription) != reference \(reference.lastEventId.debugDescription)")
    expect(parser.reconnectionTime == reference.reconnectionTime, "reconnection time differs from the reference")

    // One more reading per input, chosen by the input's hash, keeps each run cheap; the fuzzer's mutations make
    // sure every input shape meets every reading.
    switch random.next() % 4 {
    case 0:
        var chunked = EventStreamParser()
        let pieces = random.chunks(of: bytes, longest: max(1, bytes.count / 3)).flatMap { chunked.feed($0) }
        expect(sameBytes(pieces, whole), "random chunks changed the outputs: \(pieces) != \(whole)")
    case 1:
        var single = EventStreamParser()
        let bytewise = bytes.flatMap { single.feed(CollectionOfOne($0)) }
        expect(sameBytes(bytewise, whole), "one byte at a time changed the outputs: \(bytewise) != \(whole)")
    case 2:
        var reconnected = ReferenceEventStream(lastEventId: parser.lastEventId)
        reconnected.read(bytes)
        let second = parser.feed(bytes)
        expect(sameBytes(second, reconnected.outputs), "second connection \(second) != reference \(reconnected.outputs)")
    default:
        let limit = Int.random(in: 1...64, using: &random)
        var guarded = EventStreamParser(byteLimit: limit)
        var guardedReference = ReferenceEventStream(limit: limit)
        guardedReference.read(bytes)
        let guardedOutputs = random.chunks(of: bytes, longest: 2 * limit).flatMap { guarded.feed($0) }
        expect(sameBytes(guardedOutputs, guardedReference.outputs),
               "limit \(limit): parser \(guardedOutputs) != reference \(guardedReference.outputs)")
        expect(guarded.lastEventId.utf8.elementsEqual(guardedReference.lastEventId.utf8), "limit \(limit): last event ID differs")
    }
    return 0
}

/// A deterministic generator seeded from the input itself, so a saved crash input replays exactly: the chunk
/// boundaries or limits a target derives from it are the same on every run.
public struct SplitRandom: RandomNumberGenerator {
    private var state: UInt64

    /// Seeds from an FNV-1a hash of `bytes`.
    public init(seededBy bytes: [UInt8]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        state = hash
    }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// `bytes` cut at random points into chunks of 1...`longest` bytes (every byte kept, in order).
    public mutating func chunks(of bytes: [UInt8], longest: Int) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + Int.random(in: 1...max(1, longest), using: &self))
            chunks.append(bytes[start..<end])
            start = end
        }
        return chunks
    }
}

/// Reads typed pieces off the front of a fuzz input: a few bytes choose options, the rest is the payload.
public struct FuzzInput {
    private var bytes: ArraySlice<UInt8>

    public init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    /// The next byte, or 0 once the input is used up.
    public mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    /// Bytes up to (not including) the next `separator`, which is consumed; everything left if there is none.
    public mutating func field(upTo separator: UInt8) -> [UInt8] {
        guard let end = bytes.firstIndex(of: separator) else { return rest() }
        defer { bytes = bytes[(end + 1)...] }
        return Array(bytes[..<end])
    }

    /// Whatever is left.
    public mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }

    public var isEmpty: Bool { bytes.isEmpty }
}

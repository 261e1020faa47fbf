/// Byte constants and tiny helpers shared by the encoder and the parser.
enum SSEBytes {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let nul: UInt8 = 0x00
    static let space: UInt8 = 0x20
    static let colon: UInt8 = 0x3A
    /// The UTF-8 byte order mark, EF BB BF.
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    @inline(__always)
    static func isLineBreak(_ byte: UInt8) -> Bool { byte == lf || byte == cr }
}

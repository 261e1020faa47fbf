import Foundation

/// A file a user named as a certificate or key, read as PEM blocks.
///
/// Read leniently (any line length, CRLF, text around the blocks, as OpenSSL accepts) and kept whole enough to say
/// what is wrong when the file is not what was asked for: a key where a certificate belongs, a binary DER file, an
/// encrypted key.
struct PEMFile {
    /// One `-----BEGIN LABEL-----` … `-----END LABEL-----` block.
    struct Block {
        let label: String
        /// The decoded body; nil when the block is unterminated or its base64 text does not decode.
        let der: [UInt8]?
        /// `Proc-Type: 4,ENCRYPTED`-style header lines: the legacy OpenSSL way of encrypting a key.
        let hasHeaders: Bool
    }

    /// Why a file could not be read at all.
    enum ReadFailure: Error {
        case missing
        case directory
        case unreadable
    }

    let path: String
    let blocks: [Block]
    let isEmpty: Bool
    /// Not UTF-8 text: most likely DER or PKCS#12, which need converting to PEM.
    let isBinary: Bool

    init(path: String) throws(ReadFailure) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing }
        guard !isDirectory.boolValue else { throw .directory }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable }
        self.path = path
        isEmpty = data.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        isBinary = data.contains(0) || String(data: data, encoding: .utf8) == nil
        blocks = isBinary ? [] : Self.blocks(in: String(decoding: data, as: UTF8.self))
    }

    /// The labels found, for messages: `CERTIFICATE, PRIVATE KEY`.
    var labels: String { blocks.map(\.label).joined(separator: ", ") }

    private static func blocks(in text: String) -> [Block] {
        var blocks: [Block] = []
        var open: (label: String, body: String, hasHeaders: Bool)?
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if let current = open {
                if line == "-----END \(current.label)-----" {
                    let der = Data(base64Encoded: current.body).map(Array.init).flatMap { $0.isEmpty ? nil : $0 }
                    blocks.append(Block(label: current.label, der: der, hasHeaders: current.hasHeaders))
                    open = nil
                } else if line.contains(":") {
                    open?.hasHeaders = true
                } else {
                    open?.body += line
                }
            } else if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 {
                open = (String(line.dropFirst(11).dropLast(5)), "", false)
            }
        }
        if let unterminated = open { blocks.append(Block(label: unterminated.label, der: nil, hasHeaders: unterminated.hasHeaders)) }
        return blocks
    }
}

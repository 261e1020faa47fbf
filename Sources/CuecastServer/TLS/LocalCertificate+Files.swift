import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension LocalCertificate {
    /// The CA certificate, to import into browsers and trust stores.
    public static let caFileName = "cuecast-ca.pem"
    /// The certificate chain (server certificate then CA), for `--tls-cert`.
    public static let certificateFileName = "localhost.pem"
    /// The server certificate's private key, for `--tls-key`; readable by its owner only.
    public static let keyFileName = "localhost-key.pem"

    /// Writes ``caFileName``, ``certificateFileName`` and ``keyFileName`` into `directory` (created if missing) and
    /// returns their paths. Without `overwrite`, nothing is written if any of the three exists: a browser may
    /// already trust that CA, and a half-replaced set would not match.
    @discardableResult
    public func write(to directory: String, overwrite: Bool = false) throws(LocalCertificateError) -> (ca: String, certificate: String, key: String) {
        let folder = directory as NSString
        let paths = (
            ca: folder.appendingPathComponent(Self.caFileName),
            certificate: folder.appendingPathComponent(Self.certificateFileName),
            key: folder.appendingPathComponent(Self.keyFileName)
        )
        if !overwrite {
            let existing = [paths.ca, paths.certificate, paths.key].filter { FileManager.default.fileExists(atPath: $0) }
            guard existing.isEmpty else {
                throw LocalCertificateError(
                    "\(existing.joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""); "
                        + "keep using them, or replace them with --force (browsers must then trust the new CA)"
                )
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LocalCertificateError("cannot create the folder '\(directory)': \(error.localizedDescription)")
        }
        try Self.write(privateKeyPEM, to: paths.key, mode: 0o600, exclusive: !overwrite)
        try Self.write(certificateChainPEM, to: paths.certificate, mode: 0o644, exclusive: !overwrite)
        try Self.write(caCertificatePEM, to: paths.ca, mode: 0o644, exclusive: !overwrite)
        return paths
    }

    /// Creates the file with `mode` from the start, so a key is never readable by others, not even for a moment;
    /// `exclusive` fails rather than replace a file that appeared since the check.
    private static func write(_ text: String, to path: String, mode: mode_t, exclusive: Bool) throws(LocalCertificateError) {
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (exclusive ? O_EXCL : 0)
        let descriptor = open(path, flags, mode)
        guard descriptor >= 0 else { throw LocalCertificateError("cannot write '\(path)': \(systemError())") }
        defer { close(descriptor) }
        // An existing file keeps its old permissions through O_TRUNC: set them again.
        guard fchmod(descriptor, mode) == 0 else { throw LocalCertificateError("cannot set the permissions of '\(path)': \(systemError())") }
        guard writeAll(Array(text.utf8), to: descriptor) else { throw LocalCertificateError("cannot write '\(path)': \(systemError())") }
    }
}

/// `write(2)` until every byte is out; false on an error (in `errno`).
private func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
    var written = 0
    while written < bytes.count {
        let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if result < 0 && errno == EINTR { continue }
        guard result > 0 else { return false }
        written += result
    }
    return true
}

/// The last system call's error, as `strerror` says it.
private func systemError() -> String {
    String(cString: strerror(errno))
}

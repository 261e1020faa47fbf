import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A PEM certificate chain and its private key, checked and turned into a server TLS configuration.
///
/// Everything is checked when the server starts, not on the first connection: both files are read, the key must
/// belong to the first certificate, and BoringSSL must accept the pair. Each failure is a ``TLSFilesError`` naming
/// the file and what to do.
///
/// ```swift
/// let tls = try TLSFiles(certificatePath: "certs/localhost.pem", keyPath: "certs/localhost-key.pem").serverConfiguration()
/// ```
public struct TLSFiles: Sendable {
    public let certificatePath: String
    public let keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    /// Loads and checks both files; ALPN offers h2 then http/1.1.
    ///
    /// TLS 1.2 is the minimum: HTTP/2 requires it, and no browser still speaks anything older.
    public func serverConfiguration() throws(TLSFilesError) -> TLSConfiguration {
        let chain = try certificateChain()
        let key = try privateKey()
        try check(key.x509, belongsTo: chain)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0.nio) },
            privateKey: .privateKey(key.nio)
        )
        configuration.applicationProtocols = ["h2", "http/1.1"]
        configuration.minimumTLSVersion = .tlsv12
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSFilesError("TLS cannot start with certificate file '\(certificatePath)' and key file '\(keyPath)': \(error)")
        }
        return configuration
    }

    /// What is worth saying at startup but does not stop the server: a certificate that has expired or is not valid
    /// yet (browsers refuse it; the server still starts, so the problem shows in the browser as well as in the log).
    /// Empty when the certificate cannot be read: ``serverConfiguration()`` reports that.
    public func warnings(now: Date = Date()) -> [String] {
        guard let leaf = try? certificateChain().first?.x509 else { return [] }
        let day = Date.ISO8601FormatStyle().year().month().day()
        if leaf.notValidAfter < now {
            return ["certificate '\(certificatePath)' expired on \(leaf.notValidAfter.formatted(day)); browsers will refuse it until it is renewed"]
        }
        if leaf.notValidBefore > now {
            return ["certificate '\(certificatePath)' is not valid until \(leaf.notValidBefore.formatted(day)); is this machine's clock right?"]
        }
        return []
    }

    /// Each certificate as swift-certificates reads it (for the checks) and as NIOSSL serves it.
    private typealias Chain = [(x509: Certificate, nio: NIOSSLCertificate)]

    private func certificateChain() throws(TLSFilesError) -> Chain {
        let file: PEMFile
        do { file = try PEMFile(path: certificatePath) } catch { throw .unreadable("certificate", certificatePath, error) }
        let blocks = file.blocks.filter { $0.label == "CERTIFICATE" || $0.label == "X509 CERTIFICATE" }
        guard !blocks.isEmpty else { throw .noCertificate(in: file) }
        var chain: Chain = []
        for (number, block) in zip(1..., blocks) {
            guard let der = block.der else { throw .damaged("certificate", certificatePath, block.label) }
            do {
                chain.append((try Certificate(derEncoded: der), try NIOSSLCertificate(bytes: der, format: .der)))
            } catch {
                throw TLSFilesError("certificate file '\(certificatePath)': certificate \(number) cannot be read: \(error)")
            }
        }
        return chain
    }

    private func privateKey() throws(TLSFilesError) -> (x509: Certificate.PrivateKey, nio: NIOSSLPrivateKey) {
        let file: PEMFile
        do { file = try PEMFile(path: keyPath) } catch { throw .unreadable("key", keyPath, error) }
        guard let block = file.blocks.first(where: { $0.label.hasSuffix("PRIVATE KEY") }) else { throw .noKey(in: file) }
        // Checked before NIOSSL sees the key: BoringSSL would prompt on the terminal for the passphrase.
        guard block.label != "ENCRYPTED PRIVATE KEY", !block.hasHeaders else { throw .encryptedKey(keyPath) }
        guard let der = block.der else { throw .damaged("key", keyPath, block.label) }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemDocument: PEMDocument(type: block.label, derBytes: der))
        } catch {
            throw TLSFilesError(
                "key file '\(keyPath)' holds a '\(block.label)' that Cuecast cannot use (\(error)); use an EC (P-256, P-384) or RSA key"
            )
        }
        do {
            return (key, try NIOSSLPrivateKey(bytes: der, format: .der))
        } catch {
            throw TLSFilesError(
                "key file '\(keyPath)' holds a '\(block.label)' that TLS cannot use (\(error)); use an EC (P-256, P-384) or RSA key"
            )
        }
    }

    /// The server's own certificate must come first and match the key; a chain in the wrong order is said as such.
    private func check(_ key: Certificate.PrivateKey, belongsTo chain: Chain) throws(TLSFilesError) {
        guard let leaf = chain.first?.x509, leaf.publicKey != key.publicKey else { return }
        if let position = chain.firstIndex(where: { $0.x509.publicKey == key.publicKey }) {
            throw TLSFilesError(
                "certificate file '\(certificatePath)' must start with the server's own certificate, but the key in '\(keyPath)' "
                    + "belongs to certificate \(position + 1) (\(chain[position].x509.subject)); put that one first"
            )
        }
        throw TLSFilesError(
            "key file '\(keyPath)' does not belong to the certificate in '\(certificatePath)' (\(leaf.subject)): "
                + "their public keys differ; use the key that was created with this certificate"
        )
    }
}

import Crypto
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOSSL
import SwiftASN1
import Testing
import X509
import _CryptoExtras

/// `TLSFiles`: a generated certificate really serves TLS to a client that trusts only its CA, and each way a user
/// can get the files wrong is an error naming the file and the problem.
@Suite(.timeLimit(.minutes(1)))
struct TLSFilesTests {
    /// A generated certificate written to a fresh folder.
    private struct Written {
        let folder: TemporaryFolder
        let local: LocalCertificate
        let paths: (ca: String, certificate: String, key: String)

        init() throws {
            folder = try TemporaryFolder()
            local = try LocalCertificate.generate()
            paths = try local.write(to: folder.url.path)
        }

        var files: TLSFiles { TLSFiles(certificatePath: paths.certificate, keyPath: paths.key) }
    }

    /// A client that trusts only `caPEM`, offering h2 and http/1.1.
    private static func client(trusting caPEM: String) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(caPEM.utf8), format: .pem)])
        configuration.applicationProtocols = ["h2", "http/1.1"]
        return configuration
    }

    @Test("a generated certificate loads, offers h2 then http/1.1, and verifies for localhost and 127.0.0.1 against its CA alone")
    func servesVerifiedTLS() async throws {
        let written = try Written()
        defer { written.folder.remove() }
        let server = try written.files.serverConfiguration()
        let client = try Self.client(trusting: written.local.caCertificatePEM)

        let byName = try await TLSEcho.exchange(server: server, client: client, hostname: "localhost")
        let byAddress = try await TLSEcho.exchange(server: server, client: client, hostname: nil)

        #expect(server.applicationProtocols == ["h2", "http/1.1"])
        #expect(byName == "hello h2")
        #expect(byAddress == "hello h2", "verified against the 127.0.0.1 entry")
        #expect(written.files.warnings().isEmpty)
    }

    /// Names are checked in `LocalCertificateTests` with a verifier: NIOSSL accepts a certificate whose IP entry
    /// matches the connected address whatever name the client asked for, so over 127.0.0.1 every name passes here.
    @Test("a client trusting another CA fails the handshake")
    func verificationIsReal() async throws {
        let written = try Written()
        defer { written.folder.remove() }
        let stranger = try LocalCertificate.generate()

        await #expect(throws: (any Error).self) {
            _ = try await TLSEcho.exchange(
                server: try written.files.serverConfiguration(),
                client: try Self.client(trusting: stranger.caCertificatePEM),
                hostname: "localhost"
            )
        }
    }

    @Test("a client offering only http/1.1 gets http/1.1")
    func fallsBackToHTTP1() async throws {
        let written = try Written()
        defer { written.folder.remove() }
        var client = try Self.client(trusting: written.local.caCertificatePEM)
        client.applicationProtocols = ["http/1.1"]

        let greeting = try await TLSEcho.exchange(server: try written.files.serverConfiguration(), client: client, hostname: "localhost")

        #expect(greeting == "hello http/1.1")
    }

    /// The error `files` gives, or nil when they load.
    private static func error(_ files: TLSFiles) -> String? {
        do {
            _ = try files.serverConfiguration()
            return nil
        } catch {
            return error.description
        }
    }

    @Test("missing files, swapped files, a key of another certificate, garbage: each error names the file and the problem")
    func errorsNameFileAndProblem() throws {
        let written = try Written()
        defer { written.folder.remove() }
        let (cert, key) = (written.paths.certificate, written.paths.key)
        let missing = written.folder.path("nope.pem")
        let other = try LocalCertificate.generate()
        let otherKey = try written.folder.write("other-key.pem", other.privateKeyPEM)
        let garbage = try written.folder.write("garbage.pem", "this is not a certificate\n")
        let empty = try written.folder.write("empty.pem", "")
        let caFirst = try written.folder.write("ca-first.pem", other.caCertificatePEM + written.local.certificatePEM)

        let missingCert = try #require(Self.error(TLSFiles(certificatePath: missing, keyPath: key)))
        let missingKey = try #require(Self.error(TLSFiles(certificatePath: cert, keyPath: missing)))
        let swapped = try #require(Self.error(TLSFiles(certificatePath: key, keyPath: cert)))
        let keySwappedOnly = try #require(Self.error(TLSFiles(certificatePath: cert, keyPath: cert)))
        let mismatch = try #require(Self.error(TLSFiles(certificatePath: cert, keyPath: otherKey)))
        let garbageCert = try #require(Self.error(TLSFiles(certificatePath: garbage, keyPath: key)))
        let garbageKey = try #require(Self.error(TLSFiles(certificatePath: cert, keyPath: garbage)))
        let emptyCert = try #require(Self.error(TLSFiles(certificatePath: empty, keyPath: key)))
        let folderCert = try #require(Self.error(TLSFiles(certificatePath: written.folder.url.path, keyPath: key)))
        let wrongOrder = try #require(Self.error(TLSFiles(certificatePath: caFirst, keyPath: key)))

        #expect(missingCert == "certificate file '\(missing)' does not exist")
        #expect(missingKey == "key file '\(missing)' does not exist")
        #expect(swapped.hasPrefix("certificate file '\(key)' holds a private key, not a certificate"))
        #expect(swapped.contains("swapped"))
        #expect(keySwappedOnly.hasPrefix("key file '\(cert)' holds a certificate, not a private key"))
        #expect(mismatch.hasPrefix("key file '\(otherKey)' does not belong to the certificate in '\(cert)'"))
        #expect(garbageCert.hasPrefix("certificate file '\(garbage)' has no PEM certificate"))
        #expect(garbageKey.hasPrefix("key file '\(garbage)' has no PEM private key"))
        #expect(emptyCert == "certificate file '\(empty)' is empty")
        #expect(folderCert.contains("is a folder"))
        #expect(wrongOrder.contains("must start with the server's own certificate"))
        #expect(wrongOrder.contains("certificate 2"))
    }

    @Test("a DER certificate, an encrypted key and a damaged block are named as such")
    func wrongEncodings() throws {
        let written = try Written()
        defer { written.folder.remove() }
        let der = try Certificate(pemEncoded: written.local.certificatePEM).serializeAsPEM().derBytes
        let derPath = written.folder.path("cert.der")
        try Data(der).write(to: URL(fileURLWithPath: derPath))
        let encrypted = try written.folder.write(
            "encrypted.pem",
            PEMDocument(type: "ENCRYPTED PRIVATE KEY", derBytes: Array(repeating: 0x30, count: 48)).pemString + "\n"
        )
        let cut = String(written.local.certificatePEM.prefix(200)) + "\n"
        let damaged = try written.folder.write("damaged.pem", cut)

        let derError = try #require(Self.error(TLSFiles(certificatePath: derPath, keyPath: written.paths.key)))
        let encryptedError = try #require(Self.error(TLSFiles(certificatePath: written.paths.certificate, keyPath: encrypted)))
        let damagedError = try #require(Self.error(TLSFiles(certificatePath: damaged, keyPath: written.paths.key)))

        #expect(derError.hasPrefix("certificate file '\(derPath)' is binary"))
        #expect(encryptedError.hasPrefix("key file '\(encrypted)' is encrypted with a passphrase"))
        #expect(damagedError.hasPrefix("certificate file '\(damaged)' has a damaged 'CERTIFICATE' block"))
    }

    @Test("P-384 and RSA keys load too, as PKCS#8 and as PKCS#1")
    func otherKeyTypes() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let p384 = P384.Signing.PrivateKey()
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let cases: [(String, Certificate.PrivateKey, String, Certificate.SignatureAlgorithm)] = [
            ("p384", Certificate.PrivateKey(p384), p384.pemRepresentation, .ecdsaWithSHA384),
            ("rsa", Certificate.PrivateKey(rsa), rsa.pemRepresentation, .sha256WithRSAEncryption),
        ]
        for (name, key, keyPEM, algorithm) in cases {
            let subject = try DistinguishedName { CommonName("localhost") }
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: key.publicKey, notValidBefore: Date(),
                notValidAfter: Date().addingTimeInterval(86_400), issuer: subject, subject: subject,
                signatureAlgorithm: algorithm, extensions: Certificate.Extensions(), issuerPrivateKey: key
            )
            let files = TLSFiles(
                certificatePath: try folder.write("\(name).pem", try certificate.serializeAsPEM().pemString + "\n"),
                keyPath: try folder.write("\(name)-key.pem", keyPEM + "\n")
            )
            #expect(Self.error(files) == nil, "\(name): \(Self.error(files) ?? "")")
        }
    }

    @Test("an expired certificate still loads, with a warning naming the date")
    func expiredWarns() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let old = try LocalCertificate.generate(now: Date().addingTimeInterval(-2 * 365 * 86_400))
        let paths = try old.write(to: folder.url.path)
        let files = TLSFiles(certificatePath: paths.certificate, keyPath: paths.key)

        let warnings = files.warnings()

        #expect(Self.error(files) == nil)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("expired on") == true)
        #expect(warnings.first?.contains(paths.certificate) == true)
    }
}

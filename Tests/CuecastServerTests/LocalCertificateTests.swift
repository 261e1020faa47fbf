import CuecastServer
import CuecastTestSupport
import Foundation
import SwiftASN1
import Testing
import X509

/// `LocalCertificate`: a CA and a localhost certificate the way browsers accept them, written without ever leaving
/// the key readable by others or replacing files a browser may already trust.
@Suite(.timeLimit(.minutes(1)))
struct LocalCertificateTests {
    @Test("the CA can only sign, the certificate is its child for localhost, 127.0.0.1, ::1 and extra names, for at most 397 days")
    func certificateShape() throws {
        let now = Date()
        let local = try LocalCertificate.generate(names: ["workshop.local", "192.168.1.20", "[fe80::1]", "LOCALHOST."], now: now)
        let ca = try Certificate(pemEncoded: local.caCertificatePEM)
        let leaf = try Certificate(pemEncoded: local.certificatePEM)
        let key = try Certificate.PrivateKey(pemEncoded: local.privateKeyPEM)
        let names = try #require(try leaf.extensions.subjectAlternativeNames)

        #expect(local.names == ["localhost", "127.0.0.1", "::1", "workshop.local", "192.168.1.20", "fe80::1"])
        #expect(Array(names) == [
            .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
            .ipAddress(ASN1OctetString(contentBytes: ArraySlice(Array(repeating: 0, count: 15) + [1]))), .dnsName("workshop.local"),
            .ipAddress(ASN1OctetString(contentBytes: [192, 168, 1, 20])),
            .ipAddress(ASN1OctetString(contentBytes: ArraySlice([0xFE, 0x80] + Array(repeating: 0, count: 13) + [1]))),
        ])
        #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try ca.extensions.keyUsage?.keyCertSign == true)
        #expect(ca.subject.description.contains("Cuecast local CA ("))
        #expect(ca.notValidAfter.timeIntervalSince(now) > 9 * 365 * 86_400)
        #expect(ca.publicKey.isValidSignature(ca.signature, for: ca), "self-signed")
        #expect(leaf.issuer == ca.subject)
        #expect(ca.publicKey.isValidSignature(leaf.signature, for: leaf), "signed by the CA")
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        #expect(try leaf.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(leaf.notValidAfter.timeIntervalSince(leaf.notValidBefore) <= 397 * 86_400)
        #expect(leaf.notValidBefore <= now)
        #expect(leaf.publicKey == key.publicKey)
        #expect(local.certificateChainPEM == local.certificatePEM + local.caCertificatePEM)
    }

    @Test("an RFC 5280 verifier trusting only the CA accepts the certificate for each of its names and no other")
    func verifiesForItsNames() async throws {
        let local = try LocalCertificate.generate(names: ["workshop.local", "192.168.1.20"])
        let ca = try Certificate(pemEncoded: local.caCertificatePEM)
        let leaf = try Certificate(pemEncoded: local.certificatePEM)
        func accepted(host: String?, ip: String?) async -> Bool {
            var verifier = Verifier(rootCertificates: CertificateStore([ca])) {
                RFC5280Policy()
                ServerIdentityPolicy(serverHostname: host, serverIP: ip)
            }
            guard case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore()) else { return false }
            return true
        }

        #expect(await accepted(host: "localhost", ip: nil))
        #expect(await accepted(host: nil, ip: "127.0.0.1"))
        #expect(await accepted(host: nil, ip: "::1"))
        #expect(await accepted(host: "workshop.local", ip: nil))
        #expect(await accepted(host: nil, ip: "192.168.1.20"))
        #expect(await !accepted(host: "example.com", ip: nil))
        #expect(await !accepted(host: nil, ip: "10.0.0.1"))
    }

    @Test(
        "names that are neither host names nor IP addresses are refused",
        arguments: ["", "two words", "-start.com", "a..b", "1.2.3.999", "*.local", "ex_ample.com"]
    )
    func badNames(_ name: String) {
        #expect(throws: LocalCertificateError.self) { try LocalCertificate.check(name: name) }
        #expect(throws: LocalCertificateError.self) { try LocalCertificate.generate(names: [name]) }
    }

    @Test("write creates the three files, the key readable by its owner only, and never replaces them unless asked")
    func writeFiles() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let directory = folder.path("certs/nested")
        let first = try LocalCertificate.generate()
        let paths = try first.write(to: directory)
        let before = try String(contentsOfFile: paths.certificate, encoding: .utf8)

        var refusal: String?
        do { try LocalCertificate.generate().write(to: directory) } catch { refusal = error.description }
        let untouched = try String(contentsOfFile: paths.certificate, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: paths.key)
        let second = try LocalCertificate.generate()
        try second.write(to: directory, overwrite: true)

        #expect(paths.ca == "\(directory)/cuecast-ca.pem")
        #expect(paths.certificate == "\(directory)/localhost.pem")
        #expect(paths.key == "\(directory)/localhost-key.pem")
        #expect(before == first.certificateChainPEM)
        #expect(try String(contentsOfFile: paths.ca, encoding: .utf8) == second.caCertificatePEM)
        #expect(try String(contentsOfFile: paths.key, encoding: .utf8) == second.privateKeyPEM)
        #expect(try Self.mode(paths.key) == 0o600, "still owner-only after replacing a file that was not")
        #expect(try Self.mode(paths.certificate) == 0o644)
        #expect(refusal?.contains("already exist") == true)
        #expect(refusal?.contains(paths.key) == true)
        #expect(untouched == before)
    }

    static func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) & 0o777
    }
}

import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate for serving HTTPS on this machine that browsers can be made to trust, made the mkcert way: a local
/// CA the user trusts once, and a certificate for `localhost` signed by it.
///
/// The CA's private key is thrown away as soon as the certificate is signed. Trusting the CA therefore cannot be
/// abused to vouch for any other site: nothing else can ever be signed with it. The cost is that a new certificate
/// needs a new CA, trusted again; the certificate lasts 397 days, the longest browsers accept.
///
/// ```swift
/// let local = try LocalCertificate.generate(names: ["workshop.local"])
/// let paths = try local.write(to: "certs")
/// ```
public struct LocalCertificate: Sendable {
    /// The names every local certificate carries: how a browser on this machine reaches the server.
    public static let standardNames = ["localhost", "127.0.0.1", "::1"]

    /// Browsers refuse server certificates valid for more than 398 days (CA/Browser Forum, Apple, Chrome).
    static let certificateLifetime: TimeInterval = 397 * 86_400
    static let caLifetime: TimeInterval = 10 * 365 * 86_400
    /// Starting a little in the past keeps a machine whose clock is slightly behind from refusing a fresh certificate.
    static let backdating: TimeInterval = 3_600

    /// What the certificate names: ``standardNames`` then the extra names, in the order given, without repeats.
    public let names: [String]
    /// When the certificate (not the CA) expires.
    public let notValidAfter: Date
    /// The local CA's certificate: what browsers and `curl --cacert` are told to trust.
    public let caCertificatePEM: String
    /// The server's certificate alone.
    public let certificatePEM: String
    /// The server certificate's private key (PKCS#8, P-256).
    public let privateKeyPEM: String

    /// The server certificate then the CA: what a server sends, and what `localhost.pem` holds.
    public var certificateChainPEM: String { certificatePEM + caCertificatePEM }

    /// Makes a new CA and a certificate it signs for ``standardNames`` plus `names` (host names or IP addresses).
    public static func generate(names extraNames: [String] = [], now: Date = Date()) throws(LocalCertificateError) -> LocalCertificate {
        var names: [String] = []
        var alternativeNames: [GeneralName] = []
        for name in standardNames + extraNames {
            let (entry, shown) = try subjectAlternativeName(for: name)
            guard !alternativeNames.contains(entry) else { continue }
            names.append(shown)
            alternativeNames.append(entry)
        }
        let notValidBefore = now.addingTimeInterval(-backdating)
        let caKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let key = P256.Signing.PrivateKey()
        let leafKey = Certificate.PrivateKey(key)
        do {
            let caName = try DistinguishedName {
                OrganizationName("Cuecast local CA")
                OrganizationalUnitName("created \(now.formatted(Date.ISO8601FormatStyle().year().month().day()))")
                CommonName(String("Cuecast local CA (\(hostName()))".prefix(64)))
            }
            let caIdentifier = SubjectKeyIdentifier(hash: caKey.publicKey)
            let ca = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: caKey.publicKey,
                notValidBefore: notValidBefore,
                notValidAfter: notValidBefore.addingTimeInterval(caLifetime),
                issuer: caName,
                subject: caName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                    caIdentifier
                },
                issuerPrivateKey: caKey
            )
            let leaf = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: leafKey.publicKey,
                notValidBefore: notValidBefore,
                notValidAfter: notValidBefore.addingTimeInterval(certificateLifetime),
                issuer: caName,
                subject: try DistinguishedName {
                    OrganizationName("Cuecast development certificate")
                    CommonName("localhost")
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(alternativeNames)
                    AuthorityKeyIdentifier(keyIdentifier: caIdentifier.keyIdentifier)
                    SubjectKeyIdentifier(hash: leafKey.publicKey)
                },
                issuerPrivateKey: caKey
            )
            return LocalCertificate(
                names: names,
                notValidAfter: leaf.notValidAfter,
                caCertificatePEM: try ca.serializeAsPEM().pemString + "\n",
                certificatePEM: try leaf.serializeAsPEM().pemString + "\n",
                privateKeyPEM: key.pemRepresentation + "\n"
            )
        } catch {
            throw LocalCertificateError("cannot create the certificate: \(error)")
        }
    }

}

/// Why a local certificate could not be made or written.
public struct LocalCertificateError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) { self.description = description }
}

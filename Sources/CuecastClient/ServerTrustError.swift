/// Why a CA file cannot be trusted, said so the user can fix it: each message names the file and the problem.
public struct ServerTrustError: Error, CustomStringConvertible, Sendable {
    public let description: String

    static func missing(_ path: String) -> Self { Self(description: "CA file '\(path)' does not exist") }

    static func folder(_ path: String) -> Self { Self(description: "CA file '\(path)' is a folder, not a file") }

    static func unreadable(_ path: String) -> Self {
        Self(description: "CA file '\(path)' cannot be read (check its permissions)")
    }

    static func noCertificate(_ path: String, holdsKey: Bool, isBinary: Bool) -> Self {
        if holdsKey {
            return Self(description: "CA file '\(path)' holds a private key, not a certificate: use the CA certificate (cuecast-ca.pem)")
        }
        if isBinary {
            return Self(
                description: "CA file '\(path)' is binary (DER), not PEM text; convert it with `openssl x509 -inform der -in \(path) -out ca.pem`"
            )
        }
        return Self(description: "CA file '\(path)' has no PEM certificate, no '-----BEGIN CERTIFICATE-----' block")
    }

    static func damaged(_ path: String) -> Self {
        Self(description: "CA file '\(path)' has a damaged certificate: it is cut short or its base64 text does not decode")
    }
}

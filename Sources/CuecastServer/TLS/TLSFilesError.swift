/// Why a certificate or key file cannot serve TLS, said so the user can fix it: each message names the file, the
/// problem, and where there is one, the command that mends it.
public struct TLSFilesError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) { self.description = description }

    static func unreadable(_ role: String, _ path: String, _ failure: PEMFile.ReadFailure) -> Self {
        switch failure {
        case .missing: Self("\(role) file '\(path)' does not exist")
        case .directory: Self("\(role) file '\(path)' is a folder, not a file")
        case .unreadable: Self("\(role) file '\(path)' cannot be read (check its permissions)")
        }
    }

    static func noCertificate(in file: PEMFile) -> Self {
        let path = file.path
        if file.isEmpty { return Self("certificate file '\(path)' is empty") }
        if file.isBinary {
            return Self(
                "certificate file '\(path)' is binary (DER or PKCS#12), not PEM text; convert a DER certificate with "
                    + "`openssl x509 -inform der -in \(path) -out cert.pem`"
            )
        }
        if file.blocks.contains(where: { $0.label.hasSuffix("PRIVATE KEY") }) {
            return Self("certificate file '\(path)' holds a private key, not a certificate: are the certificate and the key swapped?")
        }
        if file.blocks.contains(where: { $0.label.hasSuffix("CERTIFICATE REQUEST") }) {
            return Self(
                "certificate file '\(path)' holds a certificate signing request, not a certificate: use the certificate your CA issued for it"
            )
        }
        let found = file.blocks.isEmpty ? "" : " (it has: \(file.labels))"
        return Self("certificate file '\(path)' has no PEM certificate, no '-----BEGIN CERTIFICATE-----' block\(found)")
    }

    static func noKey(in file: PEMFile) -> Self {
        let path = file.path
        if file.isEmpty { return Self("key file '\(path)' is empty") }
        if file.isBinary {
            return Self("key file '\(path)' is binary (DER), not PEM text; convert it with `openssl pkey -inform der -in \(path) -out key.pem`")
        }
        if file.blocks.contains(where: { $0.label.hasSuffix("CERTIFICATE") }) {
            return Self("key file '\(path)' holds a certificate, not a private key: are the certificate and the key swapped?")
        }
        let found = file.blocks.isEmpty ? "" : " (it has: \(file.labels))"
        return Self("key file '\(path)' has no PEM private key, no '-----BEGIN PRIVATE KEY-----' block\(found)")
    }

    static func encryptedKey(_ path: String) -> Self {
        Self(
            "key file '\(path)' is encrypted with a passphrase, which a server cannot type in; "
                + "write a decrypted copy with `openssl pkey -in \(path) -out key.pem` and keep it private"
        )
    }

    static func damaged(_ role: String, _ path: String, _ label: String) -> Self {
        Self("\(role) file '\(path)' has a damaged '\(label)' block: it is cut short or its base64 text does not decode")
    }
}

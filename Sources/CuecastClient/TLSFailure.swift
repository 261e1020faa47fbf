import Foundation
import NIOSSL

/// A failed TLS handshake, in words. NIOSSL reports BoringSSL's error stack (codes, reason names, C++ source paths);
/// a status line needs the reason, and the client needs to know whether reconnecting could ever help.
enum TLSFailure: Equatable {
    /// The server's certificate was refused (unknown CA, self-signed, expired, or not for this host name): every
    /// reconnection would be refused the same way, so the client stops.
    case untrustedCertificate(String)
    /// Any other failed handshake (the port does not speak TLS, no version or cipher in common, ...): a network
    /// error like any other, retried.
    case handshake(String)

    /// Nil when `error` is not a TLS handshake failure.
    init?(_ error: any Error) {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            self = .untrustedCertificate("it is not valid for this host name")
            return
        }
        guard let error = error as? NIOSSLError else { return nil }
        switch error {
        case .handshakeFailed(let failure):
            self = Self(failure)
        case .noCertificateToValidate:
            self = .untrustedCertificate("the server sent no certificate")
        case .unableToValidateCertificate:
            self = .untrustedCertificate("it could not be validated")
        default:
            return nil
        }
    }

    private init(_ failure: BoringSSLError) {
        let stack: NIOBoringSSLErrorStack
        switch failure {
        case .sslError(let errors), .unknownError(let errors): stack = errors
        default: stack = []
        }
        let reasons = stack.map(Self.reason)
        if reasons.contains("CERTIFICATE_VERIFY_FAILED") {
            self = .untrustedCertificate("certificate verify failed")
        } else if reasons.contains("WRONG_VERSION_NUMBER") {
            self = .handshake("TLS handshake failed: the server does not speak TLS on this port (plain http?)")
        } else if stack.contains(.eofDuringHandshake) {
            self = .handshake("TLS handshake failed: the server closed the connection (does this port speak TLS?)")
        } else if let reason = reasons.last {
            self = .handshake("TLS handshake failed: \(reason.lowercased().replacingOccurrences(of: "_", with: " "))")
        } else {
            self = .handshake("TLS handshake failed (\(failure))")
        }
    }

    /// BoringSSL's reason name, `CERTIFICATE_VERIFY_FAILED` out of
    /// `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at ssl/handshake.cc:393`.
    private static func reason(_ error: BoringSSLInternalError) -> String {
        let text = error.description
        guard let marker = text.range(of: "OPENSSL_internal:") else { return text }
        return String(text[marker.upperBound...].prefix { $0.isUppercase || $0.isNumber || $0 == "_" })
    }
}

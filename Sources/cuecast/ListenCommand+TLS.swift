import ArgumentParser
import CuecastClient

/// `--cacert` and `--insecure`: which certificates `cuecast listen` accepts, and what it says when one is refused.
extension ListenCommand {
    static let insecureWarning =
        "--insecure: the server's certificate is not checked; the stream is encrypted, but anyone on the way could pose as the server"

    /// The system's trust store, plus --cacert's CA, or nothing checked with --insecure. A CA file that cannot be
    /// used is a usage error (exit 64), reported before connecting.
    func serverTrust(printer: ListenPrinter) throws -> ServerTrust {
        if insecure { return .anyCertificate }
        guard let cacert else { return .system }
        do {
            return try ServerTrust.system(adding: cacert)
        } catch {
            printer.failure("--cacert: \(error)")
            throw ExitCode(ListenExitCode.usage.rawValue)
        }
    }

    /// What to do about a refused certificate; BoringSSL only says "certificate verify failed".
    var untrustedCertificateHint: String {
        if let cacert {
            return "the CA in '\(cacert)' did not sign the server's certificate, or the certificate does not name this host; "
                + "check that the server uses the certificate made with that CA, or skip the check with --insecure (-k)"
        }
        return "for a server using `cuecast cert`'s certificate, trust its CA with --cacert certs/cuecast-ca.pem; "
            + "or skip the check with --insecure (-k)"
    }
}

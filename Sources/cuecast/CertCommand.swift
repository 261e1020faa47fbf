import ArgumentParser
import CuecastServer
import Foundation

/// `cuecast cert`: a certificate for serving HTTPS on localhost in a workshop, without an openssl recipe. Browsers
/// trust it once the CA it writes is imported; the CA's own key is never written, so that trust covers nothing else.
struct CertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Create a local CA and a localhost certificate for serving HTTPS.",
        discussion: """
            Writes DIR/cuecast-ca.pem (import it into browsers), DIR/localhost.pem and DIR/localhost-key.pem \
            (for cuecast serve --tls-cert/--tls-key), never over existing files unless --force. The certificate names \
            localhost, 127.0.0.1 and ::1, plus each --name. The CA's private key is discarded after signing: it can sign \
            nothing else.
            """
    )

    @Option(name: .customLong("out"), help: ArgumentHelp("The folder to write into.", valueName: "dir"))
    var directory = "certs"

    @Option(
        name: .customLong("name"),
        help: ArgumentHelp("Another host name or IP address to certify, e.g. this machine's LAN address (repeatable).", valueName: "name")
    )
    var names: [String] = []

    @Flag(help: "Replace existing files (browsers must then trust the new CA).")
    var force = false

    func validate() throws {
        for name in names {
            do { try LocalCertificate.check(name: name) } catch { throw ValidationError("--name \(error.description)") }
        }
    }

    func run() throws {
        let certificate: LocalCertificate
        let paths: (ca: String, certificate: String, key: String)
        do {
            certificate = try LocalCertificate.generate(names: names)
            paths = try certificate.write(to: directory, overwrite: force)
        } catch {
            printError("cuecast: \(error)")
            throw ExitCode(1)
        }
        print(Self.nextSteps(for: certificate, at: paths))
    }

    /// What was written and what to do with it, ready to copy: the serve line and one trust recipe per browser.
    static func nextSteps(for certificate: LocalCertificate, at paths: (ca: String, certificate: String, key: String)) -> String {
        let until = certificate.notValidAfter.formatted(Date.ISO8601FormatStyle().year().month().day())
        let (ca, cert, key) = (shellQuoted(paths.ca), shellQuoted(paths.certificate), shellQuoted(paths.key))
        return """
            created \(paths.ca)  the local CA: make browsers trust it (below)
            created \(paths.certificate)  certificate for \(certificate.names.joined(separator: ", ")), until \(until)
            created \(paths.key)  its private key (readable by you only)
            The CA's own private key was never written: nothing else can be signed with it, so trusting it cannot be
            misused for other sites. After \(until) run `cuecast cert --force` and trust the new CA.

            Serve HTTPS:
              cuecast serve --https-port 8443 --tls-cert \(cert) --tls-key \(key)
              then open https://localhost:8443/

            Trust the CA, once per browser or machine (copy \(LocalCertificate.caFileName) to other machines; never the key):
              Chrome/Chromium on Linux (package libnss3-tools), then restart the browser:
                certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n cuecast -i \(ca)
              Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import,
                pick \(LocalCertificate.caFileName), tick "Trust this CA to identify websites"
              macOS (Safari, Chrome):
                security add-trusted-cert -d -r trustRoot -k ~/Library/Keychains/login.keychain-db \(ca)
              Windows (Edge, Chrome):
                certutil -addstore -user Root \(LocalCertificate.caFileName)
              curl:
                curl --cacert \(ca) https://localhost:8443/
            """
    }

    /// `path` as a shell word: unchanged when safe, otherwise in single quotes.
    static func shellQuoted(_ path: String) -> String {
        let safe = path.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "/._-+:@%,".unicodeScalars.contains($0))
        }
        return safe && !path.isEmpty ? path : "'" + path.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

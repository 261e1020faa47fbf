import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// `cuecast cert` through the real executable: three files that load as a TLS configuration, the next steps to copy,
/// and no second run over files a browser may already trust.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct CertCLITests {
    @Test("cert --out writes the CA, chain and owner-only key, prints the serve line and trust steps, and refuses to overwrite without --force")
    func certWritesAndRefuses() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let out = folder.path("certs")
        let (ca, cert, key) = ("\(out)/cuecast-ca.pem", "\(out)/localhost.pem", "\(out)/localhost-key.pem")

        let first = try await CLIProcess.run(["cert", "--out", out, "--name", "workshop.local"], in: folder.url)
        let written = try [ca, cert, key].map { try String(contentsOfFile: $0, encoding: .utf8) }
        let again = try await CLIProcess.run(["cert", "--out", out], in: folder.url)
        let afterRefusal = try [ca, cert, key].map { try String(contentsOfFile: $0, encoding: .utf8) }
        let forced = try await CLIProcess.run(["cert", "--out", out, "--force"], in: folder.url)
        let afterForce = try [ca, cert, key].map { try String(contentsOfFile: $0, encoding: .utf8) }

        #expect(first.status == 0, "stderr: \(first.stderr)")
        #expect(first.stdout.contains("cuecast serve --https-port 8443 --tls-cert \(cert) --tls-key \(key)"))
        #expect(first.stdout.contains("localhost, 127.0.0.1, ::1, workshop.local"))
        #expect(first.stdout.contains(#"certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n cuecast -i \#(ca)"#))
        #expect(first.stdout.contains("security add-trusted-cert -d -r trustRoot -k ~/Library/Keychains/login.keychain-db \(ca)"))
        #expect(first.stdout.contains("certutil -addstore -user Root cuecast-ca.pem"))
        #expect(first.stdout.contains("curl --cacert \(ca) https://localhost:8443/"))
        #expect(first.stdout.contains("never written"), "says the CA key was discarded")
        #expect(try LocalCertificateTests.mode(key) == 0o600)
        #expect(throws: Never.self) { try TLSFiles(certificatePath: cert, keyPath: key).serverConfiguration() }

        #expect(again.status == 1)
        #expect(again.stderr.contains("already exist"))
        #expect(again.stderr.contains("--force"))
        #expect(afterRefusal == written, "a refused run leaves the files as they were")

        #expect(forced.status == 0, "stderr: \(forced.stderr)")
        #expect(afterForce[0] != written[0], "a new CA")
        #expect(try LocalCertificateTests.mode(key) == 0o600)
    }

    @Test("cert --name with something that is not a host name or address fails before writing anything")
    func certRejectsBadName() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let out = folder.path("certs")

        let result = try await CLIProcess.run(["cert", "--out", out, "--name", "two words"], in: folder.url)

        #expect(result.status != 0)
        #expect(result.stderr.contains("'two words' is neither an IP address nor a host name"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}

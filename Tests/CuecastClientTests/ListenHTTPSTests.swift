import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// The real `cuecast listen` over HTTPS: HTTP/2 by ALPN, said on the "open" line; the certificate checked against
/// the system's trust store, --cacert or nothing (--insecure); a refused certificate is final and explained.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct ListenHTTPSTests {
    static func scenarios() throws -> [Scenario] { [try scenario("ticks", ListenCLITests.ticks)] }

    /// How many times `text` contains `part`.
    private static func occurrences(of part: String, in text: String) -> Int {
        text.components(separatedBy: part).count - 1
    }

    @Test("--cacert: events over HTTP/2 with the certificate verified, HTTP/2 said on every (re)connection")
    func cacert() async throws {
        try await withHTTPSServer(Self.scenarios()) { server in
            let url = "https://localhost:\(server.httpsPort)/streams/ticks"
            let result = try await CLIProcess.run(["listen", url, "--cacert", server.caFile, "--json", "--until-id", "-1"])
            #expect(result.status == 0, "stderr:\n\(result.stderr)")
            let lines = result.stdout.split(separator: "\n").map(String.init)
            var ids: [String] = []
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
                ids.append(try #require(object?["id"], "not an event object: \(line)"))
            }
            #expect(ids == ["1", "2", "3", "4", "5", "-1"])
            // The server hangs up after the 3rd tick: two connections, each announced with its protocol.
            let opens = Self.occurrences(of: "* open: HTTP/2 200 text/event-stream", in: result.stderr)
            #expect(opens == 2, "stderr:\n\(result.stderr)")
            #expect(!result.stderr.contains("warning"))
        }
    }

    @Test("neither flag: the certificate is refused at once, with the way out, exit 8 and no reconnection")
    func untrusted() async throws {
        try await withHTTPSServer(Self.scenarios()) { server in
            let started = ContinuousClock.now
            let result = try await CLIProcess.run(["listen", "https://127.0.0.1:\(server.httpsPort)/streams/ticks"])
            let elapsed = ContinuousClock.now - started
            #expect(result.status == 8, "stderr:\n\(result.stderr)")
            #expect(elapsed < .seconds(10))
            #expect(result.stderr.contains("closed for good: the server's certificate is not trusted (certificate verify failed)"))
            #expect(result.stderr.contains("trust its CA with --cacert certs/cuecast-ca.pem; or skip the check with --insecure (-k)"))
            #expect(!result.stderr.contains("reconnecting"))
            #expect(!result.stderr.contains("OPENSSL"), "a raw BoringSSL error leaked:\n\(result.stderr)")
            #expect(!result.stderr.contains("NIOSSL"), "a raw NIOSSL error leaked:\n\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test("--cacert with another CA: refused, and the hint names the file")
    func wrongCA() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let other = try LocalCertificate.generate().write(to: folder.path("other"))
        try await withHTTPSServer(Self.scenarios()) { server in
            let result = try await CLIProcess.run(["listen", "https://localhost:\(server.httpsPort)/streams/ticks", "--cacert", other.ca])
            #expect(result.status == 8, "stderr:\n\(result.stderr)")
            #expect(result.stderr.contains("the CA in '\(other.ca)' did not sign the server's certificate"))
        }
    }

    @Test("-k (--insecure): events over HTTP/2, and one warning")
    func insecure() async throws {
        try await withHTTPSServer(Self.scenarios()) { server in
            let url = "https://127.0.0.1:\(server.httpsPort)/streams/ticks"
            let result = try await CLIProcess.run(["listen", url, "-k", "--until-id", "-1"])
            #expect(result.status == 0, "stderr:\n\(result.stderr)")
            #expect(Self.occurrences(of: "line 4", in: result.stdout) == 1, "stdout:\n\(result.stdout)")
            #expect(Self.occurrences(of: "* open: HTTP/2 200 text/event-stream", in: result.stderr) == 2, "stderr:\n\(result.stderr)")
            let warnings = Self.occurrences(of: "cuecast: warning: --insecure: the server's certificate is not checked", in: result.stderr)
            #expect(warnings == 1, "stderr:\n\(result.stderr)")
        }
    }

    @Test("plain http says HTTP/1.1")
    func plainHTTP() async throws {
        try await withHTTPSServer(Self.scenarios()) { server in
            let result = try await CLIProcess.run(["listen", "http://127.0.0.1:\(server.plainPort)/streams/ticks", "--count", "1"])
            #expect(result.status == 0, "stderr:\n\(result.stderr)")
            #expect(result.stderr.contains("* open: HTTP/1.1 200 text/event-stream"), "stderr:\n\(result.stderr)")
        }
    }

    @Test("https to a port without TLS: a network error in words, retried like any other")
    func noTLS() async throws {
        try await withHTTPSServer(Self.scenarios()) { server in
            let url = "https://127.0.0.1:\(server.plainPort)/streams/ticks"
            let result = try await CLIProcess.run(["listen", url, "--max-retries", "1", "--default-retry", "10"])
            #expect(result.status == 6, "stderr:\n\(result.stderr)")
            // Cuecast's plain port closes on a TLS ClientHello; a server that answers in plain HTTP gets "does not speak TLS".
            #expect(result.stderr.contains("could not connect (TLS handshake failed: "), "stderr:\n\(result.stderr)")
            #expect(!result.stderr.contains("SSL"), "a raw TLS error leaked:\n\(result.stderr)")
            #expect(result.stderr.contains("unreachable after 2 attempts"))
        }
    }

    @Test("--cacert that cannot be used, or with --insecure: exit 64 with what is wrong")
    func badCAFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let files = try LocalCertificate.generate().write(to: folder.path("certs"))
        let notPEM = try folder.write("notes.txt", "not a certificate\n")
        let cases: [(arguments: [String], message: String)] = [
            (["--cacert", folder.path("missing.pem")], "CA file '\(folder.path("missing.pem"))' does not exist"),
            (["--cacert", files.key], "holds a private key, not a certificate"),
            (["--cacert", notPEM], "has no PEM certificate"),
            (["--cacert", files.ca, "--insecure"], "--cacert and --insecure cannot be used together"),
        ]
        for (arguments, message) in cases {
            let result = try await CLIProcess.run(["listen", "https://127.0.0.1:1/x"] + arguments)
            #expect(result.status == 64, "\(arguments) stderr:\n\(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments) stderr:\n\(result.stderr)")
        }
    }
}

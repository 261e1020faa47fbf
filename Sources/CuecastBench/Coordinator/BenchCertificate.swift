import Foundation

/// A throwaway certificate for `localhost` and 127.0.0.1, made once per run for the servers' TLS ports (`https`,
/// `h2`). The workers do not verify it. Made by `cuecast cert` when this build has it, else by `openssl`.
struct BenchCertificate: Sendable {
    let certificatePath: String
    let keyPath: String

    static func make(in folder: URL, executable: String) throws -> BenchCertificate {
        let directory = folder.appendingPathComponent("tls")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // `cuecast cert` writes these two names.
        let made = BenchCertificate(
            certificatePath: directory.appendingPathComponent("localhost.pem").path,
            keyPath: directory.appendingPathComponent("localhost-key.pem").path
        )
        let cuecast = run(executable, ["cert", "--out", directory.path, "--force"])
        if cuecast.status == 0, made.exists { return made }
        let openssl = run("/usr/bin/env", [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", made.keyPath, "-out", made.certificatePath,
        ])
        if openssl.status == 0, made.exists { return made }
        throw BenchError(
            "https and h2 need a TLS certificate, and neither `cuecast cert` nor openssl made one.\n"
                + "cuecast cert (status \(cuecast.status)): \(cuecast.output)\nopenssl (status \(openssl.status)): \(openssl.output)"
        )
    }

    private var exists: Bool {
        FileManager.default.fileExists(atPath: certificatePath) && FileManager.default.fileExists(atPath: keyPath)
    }

    /// Runs a tool to the end; its status (-1 if it could not start) and what it printed, trimmed.
    private static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, String(describing: error)) }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// `--public`: its files are served, and nothing outside it is, whether reached by `..` or by a symbolic link.
@Suite("The public folder")
struct PublicFolderTests {
    @Test("files and links inside are served; links to files or folders outside, and traversal, are refused")
    func confined() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("public/index.html", "<h1>home</h1>")
        try folder.write("public/notes/today.txt", "inside")
        try folder.write("outside/secret.txt", "secret")
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: folder.path("public/passwd"), withDestinationPath: "/etc/passwd")
        try fm.createSymbolicLink(atPath: folder.path("public/etc"), withDestinationPath: "/etc")
        try fm.createSymbolicLink(atPath: folder.path("public/secret.txt"), withDestinationPath: folder.path("outside/secret.txt"))
        try fm.createSymbolicLink(atPath: folder.path("public/alias.txt"), withDestinationPath: folder.path("public/notes/today.txt"))
        let publicPath = folder.path("public")
        try await withServer([], configure: { $0.publicDirectory = publicPath }) { port in
            let home = try await fetch(port: port, "/index.html")
            #expect(home.status == 200 && home.body.contains("home"))
            #expect(try await fetch(port: port, "/notes/today.txt").body == "inside")
            #expect(try await fetch(port: port, "/alias.txt").body == "inside", "a link that stays inside is fine")
            for path in ["/passwd", "/etc/passwd", "/etc/hostname", "/secret.txt", "/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/notes/../../outside/secret.txt"] {
                let response = try await fetch(port: port, path)
                // 404 for a link that leads out; Hummingbird itself answers 400 to a path with `..` in it.
                #expect(response.status == 404 || response.status == 400, "\(path) answered \(response.status)")
                #expect(!response.body.contains("secret") && !response.body.contains("root:"), "\(path) leaked: \(response.body.prefix(40))")
            }
        }
    }
}

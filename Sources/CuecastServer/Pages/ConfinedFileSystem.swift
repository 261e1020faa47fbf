import Foundation
import Hummingbird
import Logging
import NIOPosix

/// Hummingbird's `LocalFileSystem`, kept inside its folder: a path that resolves (through `..` or symbolic links,
/// linked files or linked folders) to anything outside `--public` is not found.
///
/// `LocalFileSystem` joins the URL path to the folder and opens what that names, following links: a link inside
/// `public/` to `/etc/passwd` was served with 200. Each path is resolved with `realpath` and must lie in the
/// folder's own resolved path.
struct ConfinedFileSystem: FileProvider {
    typealias FileAttributes = LocalFileSystem.FileAttributes
    typealias FileIdentifier = LocalFileSystem.FileIdentifier

    private let files: LocalFileSystem
    /// The folder's resolved path, ending in `/`; `nil` if it does not exist (then nothing is served).
    private let root: String?

    init(rootFolder: String, logger: Logger) {
        self.files = LocalFileSystem(rootFolder: rootFolder, threadPool: .singleton, logger: logger)
        self.root = Self.resolve(rootFolder).map { $0.hasSuffix("/") ? $0 : $0 + "/" }
    }

    func getFileIdentifier(_ path: String) -> FileIdentifier? {
        // `realpath` and `open` stop at a NUL, so a name with one would resolve to the file named before it
        // (`UnnamablePathMiddleware` refuses such requests; this keeps the provider safe on its own).
        guard let root, Self.canName(path), let id = files.getFileIdentifier(path) else { return nil }
        // A path that does not exist has no resolution: nothing to serve, and nothing to escape to.
        guard let resolved = Self.resolve(id), resolved + "/" == root || resolved.hasPrefix(root) else { return nil }
        return id
    }

    func getAttributes(id: FileIdentifier) async throws -> FileAttributes? {
        try await files.getAttributes(id: id)
    }

    func loadFile(id: FileIdentifier, context: some RequestContext) async throws -> ResponseBody {
        try await files.loadFile(id: id, context: context)
    }

    func loadFile(id: FileIdentifier, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        try await files.loadFile(id: id, range: range, context: context)
    }

    /// Whether a file system can name `path`: POSIX names are C strings, so anything but NUL.
    static func canName(_ path: String) -> Bool {
        !path.utf8.contains(0)
    }

    private static func resolve(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

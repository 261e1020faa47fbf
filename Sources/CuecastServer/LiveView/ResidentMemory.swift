import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The process's resident set, for the live view.
enum ResidentMemory {
    /// Resident bytes from `/proc/self/statm` (its second field, in pages); `nil` where there is no such file.
    static func bytes() -> Int? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }
}

import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension LocalCertificate {
    /// Throws when `name` could not be put in a certificate: `cuecast cert --name` checks before writing anything.
    public static func check(name: String) throws(LocalCertificateError) {
        _ = try subjectAlternativeName(for: name)
    }

    /// An IP address (v4, or v6 with or without brackets) becomes an IP entry, which browsers match when the address
    /// is typed in the URL bar; anything else must be a DNS name (a leading `*.` for a wildcard is allowed).
    /// Returns the entry and the name as it will be shown (`[::1]` as `::1`, `Host.` as `host`).
    static func subjectAlternativeName(for name: String) throws(LocalCertificateError) -> (entry: GeneralName, shown: String) {
        let unbracketed = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
        if let address = ipAddressBytes(unbracketed) {
            return (.ipAddress(ASN1OctetString(contentBytes: address[...])), unbracketed)
        }
        let host = (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let validLabels = labels.enumerated().allSatisfy { index, label in
            (index == 0 && label == "*" && labels.count > 2) || isHostLabel(label)
        }
        guard !host.isEmpty, host.utf8.count <= 253, validLabels else {
            throw LocalCertificateError(
                "'\(name)' is neither an IP address nor a host name (letters, digits and '-' between dots, e.g. workshop.local)"
            )
        }
        guard let last = labels.last, !last.allSatisfy(\.isNumber) else {
            throw LocalCertificateError("'\(name)' looks like an IP address but is not a valid one")
        }
        return (.dnsName(host), host)
    }

    private static func isHostLabel(_ label: Substring) -> Bool {
        !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
            && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address, or nil when `text` is not one.
    private static func ipAddressBytes(_ text: String) -> [UInt8]? {
        // Plain bytes rather than `in_addr()` / `in6_addr()`: which module "defines" those C structs depends on the
        // order the compiler loads modules in (Glibc or NIO's CNIOLinux), and with MemberImportVisibility a debug
        // build's file batches could then reject their initializers.
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 { return Array(bytes.prefix(4)) }
        if inet_pton(AF_INET6, text, &bytes) == 1 { return bytes }
        return nil
    }

    /// This machine's name, in the CA's name: a trust store holding CAs from several machines tells them apart.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "this machine" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "this machine" : name
    }
}

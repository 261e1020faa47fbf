import CuecastTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare TCP client: sends a request and then reads only when told to, so the server sees a client that has
/// stopped reading. The receive buffer is set small before connecting, so the kernel absorbs little on its behalf.
final class RawSocket {
    enum Ending: Equatable {
        /// The server closed the connection (read returned 0).
        case eof
        /// The connection was reset or failed.
        case error(Int32)
    }

    private var fd: Int32 = -1

    deinit { close() }

    /// Connects to localhost (IPv4, then IPv6) with a receive buffer of `receiveBuffer` bytes.
    init(port: Int, receiveBuffer: Int32 = 4096) throws {
        for family in [AF_INET, AF_INET6] {
            let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { continue }
            var size = receiveBuffer
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            let connected: Int32
            if family == AF_INET {
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            } else {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = in_port_t(UInt16(port).bigEndian)
                address.sin6_addr = in6addr_loopback
                connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                }
            }
            if connected == 0 {
                // Non-blocking from here on: reads never park a cooperative thread.
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                self.fd = fd
                return
            }
            Glibc.close(fd)
        }
        throw TimedOut(what: "a TCP connection to localhost:\(port)")
    }

    /// Sends all of `text`.
    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends all of `bytes` (which need not be text: garbage, a TLS ClientHello).
    func send(_ bytes: [UInt8]) throws {
        var bytes = bytes[...]
        let deadline = ContinuousClock.now + .seconds(5)
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                bytes = bytes.dropFirst(sent)
            } else if errno != EAGAIN && errno != EWOULDBLOCK || ContinuousClock.now > deadline {
                throw TimedOut(what: "sending the request (errno \(errno))")
            }
        }
    }

    /// Sends what the kernel takes of `bytes` now, without waiting; how many it took (0 when its buffers are full).
    func sendSome(_ bytes: [UInt8]) throws -> Int {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent >= 0 { return sent }
        guard errno == EAGAIN || errno == EWOULDBLOCK else { throw TimedOut(what: "sending (errno \(errno))") }
        return 0
    }

    /// Reads whatever is available now, without waiting; nil with the ending once the connection is over.
    func readAvailable() -> (bytes: [UInt8], ending: Ending?) {
        var collected: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                collected += buffer[..<count]
            } else if count == 0 {
                return (collected, .eof)
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return (collected, nil)
            } else {
                return (collected, .error(errno))
            }
        }
    }

    /// Reads until the server ends the connection or `timeout` passes (polling: the socket is non-blocking).
    func drain(timeout: Duration) async -> (bytes: [UInt8], ending: Ending?) {
        let deadline = ContinuousClock.now + timeout
        var collected: [UInt8] = []
        while true {
            let (bytes, ending) = readAvailable()
            collected += bytes
            if ending != nil || ContinuousClock.now >= deadline { return (collected, ending) }
            if bytes.isEmpty { try? await Task.sleep(for: .milliseconds(2)) }
        }
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}

extension RawSocket {
    /// Reads (as UTF-8) until `done` holds for what has arrived, the connection ends, or `timeout` passes.
    func read(timeout: Duration = .seconds(5), until done: (String) -> Bool) async -> (text: String, ended: Bool) {
        let deadline = ContinuousClock.now + timeout
        var collected: [UInt8] = []
        while true {
            let (bytes, ending) = readAvailable()
            collected += bytes
            let text = String(decoding: collected, as: UTF8.self)
            if ending != nil { return (text, true) }
            if done(text) || ContinuousClock.now >= deadline { return (text, false) }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

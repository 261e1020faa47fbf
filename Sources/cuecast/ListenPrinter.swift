import CuecastCore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes what `cuecast listen` shows: events (and asked-for comments) to stdout, status lines to stderr.
///
/// Output goes straight to the file descriptors with `write(2)`, unbuffered: each event must appear the moment
/// it is dispatched even when stdout is a pipe (stdio would hold it in a 4 KiB buffer).
struct ListenPrinter: Sendable {
    enum Mode {
        /// Readable: a header line (time, type, id), then the data lines indented. Colour on a terminal.
        case pretty
        /// One JSON object per line: `{"type":…,"id":…,"data":…,"time":…}`.
        case json
        /// The bytes exactly as received.
        case raw
    }

    let mode: Mode
    private let quiet: Bool
    private let colourOut: Bool
    private let colourErr: Bool

    init(mode: Mode, quiet: Bool, colour: Bool) {
        self.mode = mode
        self.quiet = quiet
        let noColour = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        colourOut = colour && !noColour && isatty(STDOUT_FILENO) == 1
        colourErr = colour && !noColour && isatty(STDERR_FILENO) == 1
    }

    // MARK: stdout

    func event(_ event: ParsedEvent, received: Date) {
        switch mode {
        case .raw:
            return
        case .json:
            let object = JSONValue.object([
                ("type", .string(event.type)), ("id", .string(event.lastEventId)), ("data", .string(event.data)),
                ("time", .string(Self.iso8601(received))),
            ])
            writeOut(object.compactText + "\n")
        case .pretty:
            var header = paint(Self.clockTime(received), .dim, colourOut) + "  " + paint(Self.visible(event.type), .type, colourOut)
            if !event.lastEventId.isEmpty { header += "  " + paint("id " + Self.visible(event.lastEventId), .id, colourOut) }
            if event.data.isEmpty { header += "  " + paint("(empty data)", .dim, colourOut) }
            var text = header + "\n"
            if !event.data.isEmpty {
                for line in event.data.split(separator: "\n", omittingEmptySubsequences: false) {
                    text += "  " + Self.visible(line) + "\n"
                }
            }
            writeOut(text)
        }
    }

    func comment(_ comment: String, received: Date) {
        switch mode {
        case .raw:
            return
        case .json:
            writeOut(JSONValue.object([("comment", .string(comment)), ("time", .string(Self.iso8601(received)))]).compactText + "\n")
        case .pretty:
            writeOut(paint(Self.clockTime(received), .dim, colourOut) + "  " + paint(": " + Self.visible(comment), .comment, colourOut) + "\n")
        }
    }

    func raw(_ bytes: [UInt8]) {
        if mode == .raw { Self.writeAll(STDOUT_FILENO, bytes) }
    }

    // MARK: stderr

    /// Progress (connecting, open, reconnecting): dim, and silenced by --quiet.
    func status(_ line: String) {
        if !quiet { writeErr(paint("* " + Self.visible(line), .dim, colourErr) + "\n") }
    }

    /// Something the user chose that deserves a caution (--insecure): always shown, once.
    func warning(_ line: String) {
        writeErr(paint("cuecast: warning: " + Self.visible(line), .warning, colourErr) + "\n")
    }

    /// Why listening ended badly: always shown.
    func failure(_ line: String) {
        writeErr(paint("cuecast: " + Self.visible(line), .error, colourErr) + "\n")
    }

    // MARK: Helpers

    private enum Style: String {
        case dim = "2"
        case type = "1;36"
        case id = "33"
        case comment = "2;32"
        case error = "1;31"
        case warning = "1;33"
    }

    private func paint(_ text: String, _ style: Style, _ enabled: Bool) -> String {
        enabled ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Control characters become their Unicode control pictures (NUL → ␀, ESC → ␛), so a stream cannot move the
    /// cursor or change colours in the terminal. Tabs stay.
    static func visible<S: StringProtocol>(_ text: S) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09: result.append(scalar)
            case 0x00..<0x20: result.append(Unicode.Scalar(0x2400 + scalar.value) ?? "\u{FFFD}")
            case 0x7F: result.append("\u{2421}")
            case 0x80..<0xA0: result.append("\u{FFFD}")
            default: result.append(scalar)
            }
        }
        return String(result)
    }

    /// Local wall-clock time with milliseconds, `14:03:07.512`: enough to see the reconnection delays.
    static func clockTime(_ date: Date) -> String {
        let since1970 = date.timeIntervalSince1970
        var seconds = time_t(since1970.rounded(.down))
        var parts = tm()
        localtime_r(&seconds, &parts)
        let milliseconds = min(999, Int((since1970 - since1970.rounded(.down)) * 1000))
        return String(format: "%02d:%02d:%02d.%03d", parts.tm_hour, parts.tm_min, parts.tm_sec, milliseconds)
    }

    static func iso8601(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private func writeOut(_ text: String) { Self.writeAll(STDOUT_FILENO, Array(text.utf8)) }
    private func writeErr(_ text: String) { Self.writeAll(STDERR_FILENO, Array(text.utf8)) }

    /// `write(2)` until everything is written (retrying on EINTR and short writes).
    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

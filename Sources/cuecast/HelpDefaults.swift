import CuecastServer
import Logging

/// `serve`'s defaults: the server's (`ServerConfiguration.Defaults`, written once) and the two only the executable
/// has. `ServeSettings` starts from them and `ServeCommand`'s help prints them, so the two cannot disagree.
typealias ServeDefaults = ServerConfiguration.Defaults

extension ServerConfiguration.Defaults {
    static let logLevel = Logger.Level.info
    static let logFormat = LogFormat.text
}

extension Duration {
    /// Seconds as `--help` and the option values write them: `300`, `1.5`.
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    var secondsText: String { secondsValue.helpText }
}

extension Double {
    /// `10` rather than `10.0`, as a person would type it.
    var helpText: String { rounded() == self && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}

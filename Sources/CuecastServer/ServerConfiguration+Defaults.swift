import CuecastCore

extension ServerConfiguration {
    /// Each default `cuecast serve` documents, written once: `ServerConfiguration` starts from it, the command
    /// line's settings fall back to it, and `serve --help` prints it. A default was written in three places
    /// (help text, settings, configuration) until one of them drifted (issue 22); a test reads `--help` against
    /// these values and the README's option table.
    public enum Defaults {
        public static let host = "127.0.0.1"
        public static let port = 8080
        public static let scenariosDirectory = "scenarios"
        public static let publicDirectory = "public"
        /// HTTPS's port when a certificate is given without `--https-port`.
        public static let httpsPort = 8443
        /// Largest publish body, in bytes.
        public static let maxBodyBytes = 64 * 1024
        /// Publishes a second per client; bursts of twice that.
        public static let publishRate = 10.0
        /// Events each channel keeps for resume.
        public static let channelHistoryLimit = 100
        /// Bytes every hub's history may hold together.
        public static let historyMemoryBytes = HistoryBudget.defaultLimitBytes
        /// How long a channel without subscribers stays after it was last used.
        public static let channelIdleAfter = Duration.seconds(300)
        /// How long a connection may wait for a complete request head.
        public static let idleTimeout = Duration.seconds(15)
        /// How long a request body may take to arrive.
        public static let requestBodyTimeout = Duration.seconds(30)
    }
}

import ArgumentParser
import Configuration
import CuecastCore
import CuecastServer
import Foundation
import Logging

/// `serve`'s options, read from `OptionSources` (command line, then environment, then `--config` file, then the
/// default, `ServeDefaults`) and checked, each error naming the source of the bad value.
///
/// Adding an option: declare it in `ServeCommand` (an optional `@Option` whose help prints its default from
/// `ServeDefaults`), give it a key in `ServeOption`, then read it below and check it, and apply it where it belongs
/// (`apply(to:)` for the server's configuration).
struct ServeSettings: Sendable {
    var host = ServeDefaults.host
    var port = ServeDefaults.port
    var scenarios = ServeDefaults.scenariosDirectory
    var publicFolder = ServeDefaults.publicDirectory
    var logLevel = ServeDefaults.logLevel
    var logFormat = ServeDefaults.logFormat
    var skipInvalid = false
    var publishToken: String?
    var allowAnonymousPublish = false
    var maxBodyBytes = ServeDefaults.maxBodyBytes
    var publishRate = ServeDefaults.publishRate
    var channelHistory = ServeDefaults.channelHistoryLimit
    var historyMemory = ServeDefaults.historyMemoryBytes
    var channelIdle = ServeDefaults.channelIdleAfter.secondsValue
    var tls: (certificate: String, key: String, port: Int)?
    var idleTimeout = ServeDefaults.idleTimeout.secondsValue
    var requestBodyTimeout = ServeDefaults.requestBodyTimeout.secondsValue
    var maxSubscribers: Int?
    var trustedProxies = TrustedProxies.none
    var allowedHosts: [String] = []
    var cluster: ClusterConfiguration?
    var metricsToken: String?
    var metricsAddress: MetricsAddress?

    init(_ options: OptionSources) throws(OptionError) {
        if let host = try options.string(.host) { self.host = host.value }
        if let port = try options.int(.port) { self.port = try Self.check(port, in: 0...65535) }
        if let scenarios = try options.string(.scenarios) { self.scenarios = scenarios.value }
        if let folder = try options.string(.public) { publicFolder = folder.value }
        if let level = try options.string(.logLevel) {
            guard let parsed = Logger.Level(rawValue: level.value) else {
                throw OptionError("\(level.source) must be one of trace, debug, info, notice, warning, error, critical (got '\(level.value)')")
            }
            logLevel = parsed
        }
        if let format = try options.string(.logFormat) {
            guard let parsed = LogFormat(rawValue: format.value) else { throw OptionError("\(format.source) must be text or json (got '\(format.value)')") }
            logFormat = parsed
        }
        skipInvalid = try options.bool(.skipInvalid)?.value ?? false
        publishToken = try options.string(.publishToken)?.value
        allowAnonymousPublish = try options.bool(.allowAnonymousPublish)?.value ?? false
        if let bytes = try options.int(.maxBodyBytes) { maxBodyBytes = try Self.check(bytes, in: 1...Int.max, "positive") }
        if let rate = try options.double(.publishRate) {
            guard rate.value > 0 else { throw OptionError("\(rate.source) must be positive (got \(rate.value))") }
            publishRate = rate.value
        }
        if let history = try options.int(.channelHistory) { channelHistory = try Self.check(history, in: 1...100_000) }
        if let bytes = try options.int(.historyMemory) { historyMemory = try Self.check(bytes, in: 0...Int.max, "a whole number of bytes, 0 or more") }
        if let seconds = try options.double(.channelIdle) { channelIdle = try Self.seconds(seconds) }
        if let cap = try options.int(.maxSubscribers) { maxSubscribers = try Self.check(cap, in: 1...Int.max, "a positive whole number") }
        if let seconds = try options.double(.idleTimeout) { idleTimeout = try Self.seconds(seconds) }
        if let seconds = try options.double(.requestBodyTimeout) { requestBodyTimeout = try Self.seconds(seconds) }
        if let proxies = try options.strings(.trustedProxy) {
            do {
                trustedProxies = try TrustedProxies(proxies.value)
            } catch {
                throw OptionError("\(proxies.source): \(error)")
            }
        }
        allowedHosts = try options.strings(.allowedHost)?.value ?? []
        if let url = try options.string(.cluster) {
            do {
                cluster = try ClusterConfiguration(url: url.value)
            } catch {
                throw OptionError("\(url.source): \(error)")
            }
        }
        metricsToken = try options.string(.metricsToken)?.value
        if let address = try options.string(.metricsAddress) {
            guard let parsed = MetricsAddress(parsing: address.value) else {
                throw OptionError("\(address.source) must be HOST:PORT, such as 127.0.0.1:9090 or [::1]:9090 (got '\(address.value)')")
            }
            metricsAddress = parsed
        }
        tls = try Self.tls(options, plainPort: port)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: scenarios, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OptionError("no scenarios folder at '\(scenarios)': run from the Cuecast folder or pass --scenarios DIR")
        }
    }

    /// What the server is told (the rest, such as the listening address and the folders, it gets when it is made).
    func apply(to configuration: inout ServerConfiguration) {
        configuration.publishToken = publishToken
        configuration.allowAnonymousPublish = allowAnonymousPublish
        configuration.maxBodyBytes = maxBodyBytes
        configuration.publishRate = publishRate
        configuration.publishBurst = publishRate * 2
        configuration.channelHistoryLimit = channelHistory
        configuration.historyBudget = HistoryBudget(limitBytes: historyMemory)
        configuration.channelIdleAfter = .milliseconds(Int64(channelIdle * 1000))
        configuration.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        configuration.requestBodyTimeout = .milliseconds(Int64(requestBodyTimeout * 1000))
        configuration.trustedProxies = trustedProxies
        configuration.allowedHosts = allowedHosts
        configuration.cluster = cluster
        configuration.metricsToken = metricsToken
        configuration.metricsAddress = metricsAddress
    }

    /// HTTPS needs a certificate and its key together; a port alone is a mistake.
    private static func tls(_ options: OptionSources, plainPort: Int) throws(OptionError) -> (certificate: String, key: String, port: Int)? {
        let certificate = try options.string(.tlsCert)
        let key = try options.string(.tlsKey)
        let port = try options.int(.httpsPort)
        switch (certificate, key) {
        case (.some(let certificate), nil): throw OptionError("\(certificate.source) needs --tls-key (the certificate's private key, PEM)")
        case (nil, .some(let key)): throw OptionError("\(key.source) needs --tls-cert (the certificate, PEM)")
        case (nil, nil):
            if let port { throw OptionError("\(port.source) needs a certificate: --tls-cert FILE --tls-key FILE (run `cuecast cert` to make one for localhost)") }
            return nil
        case (.some(let certificate), .some(let key)):
            let httpsPort = try port.map { port throws(OptionError) in try check(port, in: 0...65535) } ?? ServeDefaults.httpsPort
            if let port, httpsPort == plainPort, plainPort != 0 { throw OptionError("\(port.source) must differ from the plain port (both are \(plainPort))") }
            return (certificate.value, key.value, httpsPort)
        }
    }

    private static func check(_ value: OptionSources.Sourced<Int>, in range: ClosedRange<Int>, _ what: String? = nil) throws(OptionError) -> Int {
        guard range.contains(value.value) else {
            throw OptionError("\(value.source) must be \(what ?? "from \(range.lowerBound) to \(range.upperBound)") (got \(value.value))")
        }
        return value.value
    }

    private static func seconds(_ value: OptionSources.Sourced<Double>) throws(OptionError) -> Double {
        guard value.value > 0, value.value.isFinite else { throw OptionError("\(value.source) must be a positive number of seconds (got \(value.value))") }
        return value.value
    }
}

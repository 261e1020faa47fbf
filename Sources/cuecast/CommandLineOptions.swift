import Configuration

/// Every option of `serve` that the environment and a `--config` file may also give, by its key: `maxBodyBytes`
/// is `--max-body-bytes`, `CUECAST_MAX_BODY_BYTES` and `"maxBodyBytes"` in the file. A key here that `ServeCommand`
/// does not map fails to compile (`commandLineValue`'s switch); an option declared without a key is caught by
/// `ServeConfigurationTests`, which holds `serve --help` against the keys a file may hold.
enum ServeOption: String, CaseIterable, Sendable {
    case host, port, scenarios, `public`, logLevel, logFormat, skipInvalid, publishToken, allowAnonymousPublish
    case allowedHost, maxBodyBytes, publishRate, channelHistory, historyMemory, channelIdle, httpsPort, tlsCert
    case tlsKey, idleTimeout, requestBodyTimeout, maxSubscribers, trustedProxy, metricsToken, metricsAddress, cluster

    /// Every option's key: what a `--config` file may hold.
    static let keys = Set(allCases.map(\.rawValue))
}

/// The command line's layer of `OptionSources`: the options `ServeCommand` was given. Each is declared with no
/// default (an optional, an empty list, an unset flag), so a value here was typed on the command line, and one not
/// given is left to the environment, the file, and then the default. Only ArgumentParser's
/// public surface is used: it reflected over the property wrappers' storage before (issue 22).
extension ServeCommand {
    /// The options given on the command line, by key.
    var givenOptions: [String: ConfigContent] {
        var given: [String: ConfigContent] = [:]
        for option in ServeOption.allCases { given[option.rawValue] = commandLineValue(option) }
        return given
    }

    private func commandLineValue(_ option: ServeOption) -> ConfigContent? {
        switch option {
        case .host: host.map(ConfigContent.string)
        case .port: port.map(ConfigContent.int)
        case .scenarios: scenarios.map(ConfigContent.string)
        case .public: `public`.map(ConfigContent.string)
        case .logLevel: logLevel.map(ConfigContent.string)
        case .logFormat: logFormat.map(ConfigContent.string)
        case .skipInvalid: Self.flag(skipInvalid)
        case .publishToken: publishToken.map(ConfigContent.string)
        case .allowAnonymousPublish: Self.flag(allowAnonymousPublish)
        case .allowedHost: Self.list(allowedHost)
        case .maxBodyBytes: maxBodyBytes.map(ConfigContent.int)
        case .publishRate: publishRate.map(ConfigContent.double)
        case .channelHistory: channelHistory.map(ConfigContent.int)
        case .historyMemory: historyMemory.map(ConfigContent.int)
        case .channelIdle: channelIdle.map(ConfigContent.double)
        case .httpsPort: httpsPort.map(ConfigContent.int)
        case .tlsCert: tlsCert.map(ConfigContent.string)
        case .tlsKey: tlsKey.map(ConfigContent.string)
        case .idleTimeout: idleTimeout.map(ConfigContent.double)
        case .requestBodyTimeout: requestBodyTimeout.map(ConfigContent.double)
        case .maxSubscribers: maxSubscribers.map(ConfigContent.int)
        case .trustedProxy: Self.list(trustedProxy)
        case .metricsToken: metricsToken.map(ConfigContent.string)
        case .metricsAddress: metricsAddress.map(ConfigContent.string)
        case .cluster: cluster.map(ConfigContent.string)
        }
    }

    /// A flag not given is `false`, which must not hide a `true` from the environment or the file.
    private static func flag(_ given: Bool) -> ConfigContent? { given ? .bool(true) : nil }

    /// A list not given is empty.
    private static func list(_ given: [String]) -> ConfigContent? { given.isEmpty ? nil : .stringArray(given) }
}

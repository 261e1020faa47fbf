import ArgumentParser
import Configuration
import CuecastCore
import Foundation
import Synchronization
import SystemPackage

/// Where `cuecast serve` reads its options, through swift-configuration, with one precedence rule: the command line,
/// then the environment, then the JSON file given with `--config`, then the built-in default.
///
/// One name per option, spelled three ways: `--max-body-bytes` on the command line, `CUECAST_MAX_BODY_BYTES` in the
/// environment, `"maxBodyBytes"` in the file (`ServeOption`). The command line layer is the `@Option`s of
/// `ServeCommand` that were given (`givenOptions`), so ArgumentParser keeps the help and the type checks of the
/// command line; a value no layer gives falls back to its default in `ServeSettings`.
///
/// Every value read says where it came from, so an error names the source of a bad value: `CUECAST_PORT must be
/// a whole number (got 'eighty')`, `"port" in cuecast.json must be from 0 to 65535 (got 70000)`.
struct OptionSources: Sendable {
    /// A value and where it came from (`--port`, `CUECAST_PORT`, `"port" in FILE`).
    struct Sourced<Value: Sendable>: Sendable {
        let value: Value
        let source: String
    }

    private enum Layer: Sendable {
        case commandLine
        case environment
        case file(String)
    }

    private let reader: ConfigReader
    private let layers: [Layer]
    private let environment: [String: String]
    private let accesses: LastAccess

    /// - Parameters:
    ///   - commandLine: the options given on the command line, by key (`maxBodyBytes`).
    ///   - environment: the process's environment (`CUECAST_*` is read).
    ///   - file: the JSON file, if any; its keys are the option keys, and a key no option has is an error.
    static func load(
        commandLine: [String: ConfigContent], environment: [String: String], file: String?, knownKeys: Set<String>
    ) async throws(OptionError) -> OptionSources {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "command line",
                values: Dictionary(uniqueKeysWithValues: commandLine.map { (AbsoluteConfigKey([$0.key]), ConfigValue($0.value, isSecret: false)) })
            ),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "cuecast"),
        ]
        var layers: [Layer] = [.commandLine, .environment]
        if let file {
            try checkKeys(of: file, known: knownKeys)
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
            } catch {
                throw OptionError("--config \(file): \(error)")
            }
            layers.append(.file(file))
        }
        let accesses = LastAccess()
        return OptionSources(reader: ConfigReader(providers: providers, accessReporter: accesses), layers: layers, environment: environment, accesses: accesses)
    }

    // MARK: Reading

    func string(_ key: ServeOption) throws(OptionError) -> Sourced<String>? {
        try read(key, "text") { reader.string(forKey: ConfigKey([key.rawValue])) }
    }

    func int(_ key: ServeOption) throws(OptionError) -> Sourced<Int>? {
        try read(key, "a whole number") { reader.int(forKey: ConfigKey([key.rawValue])) }
    }

    func double(_ key: ServeOption) throws(OptionError) -> Sourced<Double>? {
        try read(key, "a number") { reader.double(forKey: ConfigKey([key.rawValue])) }
    }

    func bool(_ key: ServeOption) throws(OptionError) -> Sourced<Bool>? {
        try read(key, "true or false (1 or 0, yes or no)") { reader.bool(forKey: ConfigKey([key.rawValue])) }
    }

    /// A list: a repeated option, a comma-separated variable, or a JSON array of strings.
    func strings(_ key: ServeOption) throws(OptionError) -> Sourced<[String]>? {
        try read(key, "a list of text (comma-separated in the environment)") { reader.stringArray(forKey: ConfigKey([key.rawValue])) }
    }

    /// Reads `key` and finds where its value came from; a value a source has but that is not `expected` is an error
    /// naming that source, never a silent fallback to the next one.
    private func read<Value: Sendable>(_ key: ServeOption, _ expected: String, _ get: () -> Value?) throws(OptionError) -> Sourced<Value>? {
        let value = get()
        let event = accesses.take()
        let results = event?.providerResults ?? []
        for (index, result) in results.enumerated() {
            switch result.result {
            case .failure:
                throw OptionError("\(describe(key, layer: index)) must be \(expected)\(raw(key, layer: index).map { " (got '\($0)')" } ?? "")")
            case .success(let lookup) where lookup.value != nil:
                guard event?.conversionError == nil, let value else {
                    throw OptionError("\(describe(key, layer: index)) must be \(expected)")
                }
                return Sourced(value: value, source: describe(key, layer: index))
            case .success:
                continue
            }
        }
        return nil
    }

    /// How an error names the source: the option, the variable, or the key in the file.
    private func describe(_ key: ServeOption, layer index: Int) -> String {
        switch index < layers.count ? layers[index] : .commandLine {
        case .commandLine: "--" + Self.kebab(key.rawValue)
        case .environment: Self.environmentName(key.rawValue)
        case .file(let path): "\"\(key.rawValue)\" in \(path)"
        }
    }

    /// The text of a bad value, where it is text (the environment; the command line is checked by ArgumentParser).
    private func raw(_ key: ServeOption, layer index: Int) -> String? {
        guard index < layers.count, case .environment = layers[index] else { return nil }
        return environment[Self.environmentName(key.rawValue)]
    }

    // MARK: Names

    /// `maxBodyBytes` → `max-body-bytes`, as ArgumentParser names a property's option.
    static func kebab(_ key: String) -> String {
        var name = ""
        for character in key {
            if character.isUppercase {
                name += "-" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return name
    }

    /// `maxBodyBytes` → `CUECAST_MAX_BODY_BYTES`, as swift-configuration encodes the key with the `cuecast` prefix.
    static func environmentName(_ key: String) -> String {
        "CUECAST_" + kebab(key).uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// A file's keys must all be options: a misspelt key would otherwise be ignored without a word.
    private static func checkKeys(of file: String, known: Set<String>) throws(OptionError) {
        guard let data = FileManager.default.contents(atPath: file) else { throw OptionError("--config \(file): cannot read the file") }
        // jansson, as for scenarios: a syntax error names the file, line and column (Foundation's parser gives none).
        let root: JSONNode
        do {
            root = try JSONParser.parse([UInt8](data))
        } catch {
            throw OptionError("\(file):\(error.location): \(error.message) (the --config file is not valid JSON)")
        }
        guard case .object(let members) = root.kind else { throw OptionError("--config \(file): the file must hold a JSON object of options") }
        let options = Dictionary(members.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for key in options.keys.sorted() where !known.contains(key) {
            let hint = Suggestion.closest(to: key, among: known.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw OptionError("--config \(file): \"\(key)\" is not an option\(hint); options are \(known.sorted().joined(separator: ", "))")
        }
    }
}

/// A bad option value, naming where it came from.
struct OptionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The last access the reader reported: which provider answered, or failed, for the key just read.
private final class LastAccess: AccessReporter, Sendable {
    private let last = Mutex<AccessEvent?>(nil)

    func report(_ event: AccessEvent) { last.withLock { $0 = event } }

    func take() -> AccessEvent? { last.withLock { event in defer { event = nil }; return event } }
}

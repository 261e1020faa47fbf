import ArgumentParser
import Configuration

/// The command line's layer of `OptionSources`: the options `ServeCommand` was given, found by reflection, so an
/// option takes part in the precedence rule as soon as it is declared.
extension ServeCommand {
    /// The options given on the command line, by key (the property's name, such as `maxBodyBytes`). An option not
    /// given (`nil`, an empty list, an unset flag) is left to the environment and the file.
    var givenOptions: [String: ConfigContent] {
        var given: [String: ConfigContent] = [:]
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, label.hasPrefix("_"), let option = child.value as? any CommandLineValue, let content = option.configContent
            else { continue }
            given[String(label.dropFirst())] = content
        }
        given["config"] = nil
        return given
    }

    /// Every option's key: what a `--config` file may hold.
    static var optionKeys: Set<String> {
        var keys = Set(Mirror(reflecting: ServeCommand()).children.compactMap { $0.label.map { String($0.dropFirst()) } })
        keys.remove("config")
        return keys
    }
}

/// An ArgumentParser property wrapper whose parsed value can be handed to swift-configuration.
protocol CommandLineValue {
    var configContent: ConfigContent? { get }
}

extension Option: CommandLineValue {
    var configContent: ConfigContent? { ConfigContent(given: wrappedValue) }
}

extension Flag: CommandLineValue {
    var configContent: ConfigContent? { ConfigContent(given: wrappedValue) }
}

extension ConfigContent {
    /// A value given on the command line; `nil` for one not given.
    init?(given value: Any) {
        switch value {
        case let text as String: self = .string(text)
        case let number as Int: self = .int(number)
        case let number as Double: self = .double(number)
        case let flag as Bool:
            guard flag else { return nil }
            self = .bool(true)
        case let list as [String]:
            guard !list.isEmpty else { return nil }
            self = .stringArray(list)
        default: return nil
        }
    }
}

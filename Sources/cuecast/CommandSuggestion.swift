import CuecastCore

/// What to say about a first argument that names no command (`cuecast srve`).
enum CommandSuggestion {
    /// The error for `word` as a command, or `nil` when it is a command or an option. `serve`, the default command,
    /// takes no positional argument, so any other bare first word is a mistyped command.
    static func unknownCommand(_ word: String, commands: [String]) -> String? {
        guard !word.hasPrefix("-"), !commands.contains(word) else { return nil }
        let shown = commands.filter { !$0.hasPrefix("bench-") }
        let hint = Suggestion.closest(to: word, among: shown).map { " Did you mean '\($0)'?" } ?? ""
        return "Error: '\(word)' is not a cuecast command.\(hint)\nCommands: \(shown.joined(separator: ", ")) (see cuecast --help)"
    }
}

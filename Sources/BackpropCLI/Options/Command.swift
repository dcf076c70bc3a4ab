/// A subcommand as its table describes it: usage lines, a summary, options in sections.
///
/// `help` and `parse` are generated from the table, so the help always lists exactly the
/// options that parse, and the checks between options (required, needs, excludes) are
/// stated once, on the options themselves.
struct Command: Sendable {
    let name: String
    /// The usage lines, without the leading `backprop NAME`.
    let usage: [String]
    let summary: String
    let sections: [(title: String, options: [Option])]
    /// Text after the options, if any.
    var epilogue = ""
    /// Names of the arguments that are not options, all required, in order ("INPUT").
    var arguments: [String] = []
    /// Runs the command on its parsed options; returns the exit status.
    let run: @Sendable (ParsedOptions) throws -> Int32

    var options: [Option] { sections.flatMap(\.options) }

    func option(_ name: String) -> Option? { options.first { $0.name == name } }

    /// The `--help` text.
    var help: String {
        let prefix = "USAGE: backprop \(name) "
        // A usage line that starts with spaces continues the one above; the others are forms.
        var lines = usage.enumerated().map { index, line in
            if index == 0 { return prefix + line }
            if line.hasPrefix(" ") { return String(repeating: " ", count: prefix.count) + line.drop { $0 == " " } }
            return "       backprop \(name) " + line
        }
        lines += ["", summary]
        let width = max(24, (options.map(\.synopsis.count).max() ?? 0) + 5)
        func row(_ left: String, _ text: String) -> [String] {
            let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
            let first = "  " + left + String(repeating: " ", count: max(1, width - 2 - left.count)) + parts[0]
            return [first] + parts.dropFirst().map { String(repeating: " ", count: width) + $0 }
        }
        for (index, section) in sections.enumerated() {
            lines += ["", section.title + ":"]
            for option in section.options { lines += row(option.synopsis, option.help) }
            if index == sections.count - 1 { lines += row("-h, --help", "show this help") }
        }
        if !epilogue.isEmpty { lines += ["", epilogue] }
        return lines.joined(separator: "\n")
    }

    /// Reads `words` (`--name value`, `--name=value` or `--name` for a flag) against the
    /// table, then checks the options against each other.
    ///
    /// - Throws: `UsageError` for an unknown option, a stray argument, an option given
    ///   twice, a missing or invalid value, a missing required option, or options that
    ///   need or exclude each other.
    func parse(_ words: [String]) throws(UsageError) -> ParsedOptions {
        var values: [String: ParsedValue] = [:]
        var arguments: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("-") && word != "-" else {
                guard arguments.count < self.arguments.count else {
                    throw UsageError(description: "unexpected argument '\(word)' for '\(name)'")
                }
                arguments.append(word)
                continue
            }
            let (optionName, inline) = Self.split(word)
            guard let option = option(optionName) else {
                throw UsageError(description: "unknown option '\(optionName)' for '\(name)'")
            }
            guard values[optionName] == nil else {
                throw UsageError(description: "\(optionName) given twice")
            }
            if case .flag = option.value {
                if inline != nil { throw UsageError(description: "\(optionName) takes no value") }
                values[optionName] = .flag
                continue
            }
            // A value may start with "--" only when it is a number ("--seed -1" says why it is wrong).
            guard let text = inline ?? words[safe: index].flatMap({ !$0.hasPrefix("--") || Double($0) != nil ? $0 : nil })
            else {
                throw UsageError(description: "\(optionName) needs a value (\(option.synopsis))")
            }
            if inline == nil { index += 1 }
            values[optionName] = try option.parse(text)
        }
        guard arguments.count == self.arguments.count else {
            throw UsageError(description: "'\(name)' needs \(self.arguments.joined(separator: " and "))")
        }
        let parsed = ParsedOptions(values: values, arguments: arguments)
        try check(parsed)
        return parsed
    }

    private func check(_ parsed: ParsedOptions) throws(UsageError) {
        for option in options {
            if option.required && !parsed.has(option.name) {
                throw UsageError(description: "\(option.synopsis) is required")
            }
            guard parsed.has(option.name) else { continue }
            for other in option.excludes where parsed.has(other) {
                throw UsageError(description: "\(option.name) cannot be combined with \(other)")
            }
            for other in option.requires where !parsed.has(other) {
                throw UsageError(description: "\(option.name) needs \(self.option(other)?.synopsis ?? other)")
            }
        }
    }

    /// `--name=value` into its two parts; `--name` alone has no inline value.
    private static func split(_ word: String) -> (name: String, value: String?) {
        guard let equals = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }
}

/// The options given on a command line, checked against the command's table.
struct ParsedOptions {
    let values: [String: ParsedValue]
    /// The arguments that are not options, as `Command.arguments` names them.
    var arguments: [String] = []

    func has(_ name: String) -> Bool { values[name] != nil }

    func flag(_ name: String) -> Bool { has(name) }

    func string(_ name: String) -> String? {
        guard case .text(let text)? = values[name] else { return nil }
        return text
    }

    func integer(_ name: String) -> Int? {
        guard case .integer(let value)? = values[name] else { return nil }
        return value
    }

    func number(_ name: String) -> Double? {
        guard case .number(let value)? = values[name] else { return nil }
        return value
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

/// A command line that a user got wrong: exit status 64 (EX_USAGE) and a message.
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// A failed check that is neither a usage nor an input problem (a gradient check above tolerance).
struct Failure: Error, CustomStringConvertible {
    var description: String
}

/// The options of one subcommand, consumed one by one; anything left over is an error.
///
/// Accepts `--name value` and `--name=value`. Dependency-free by design: the package has
/// no dependencies at all.
struct Arguments {
    let command: String
    private var words: [String]

    init(command: String, words: [String]) {
        self.command = command
        self.words = words
    }

    /// True when `option` (or `option=...`) was given and not yet consumed.
    func contains(_ option: String) -> Bool {
        words.contains { $0 == option || $0.hasPrefix(option + "=") }
    }

    /// True when `-h` or `--help` was given.
    var wantsHelp: Bool { words.contains("--help") || words.contains("-h") }

    /// Removes `--name` and reports whether it was there.
    mutating func flag(_ name: String) -> Bool {
        guard let index = words.firstIndex(of: name) else { return false }
        words.remove(at: index)
        return true
    }

    /// Removes `--name VALUE` (or `--name=VALUE`) and returns VALUE.
    mutating func string(_ name: String) throws(UsageError) -> String? {
        if let index = words.firstIndex(where: { $0.hasPrefix(name + "=") }) {
            let value = String(words[index].dropFirst(name.count + 1))
            words.remove(at: index)
            return value
        }
        guard let index = words.firstIndex(of: name) else { return nil }
        guard index + 1 < words.count, !words[index + 1].hasPrefix("--") || Double(words[index + 1]) != nil else {
            throw UsageError(description: "\(name) needs a value")
        }
        let value = words[index + 1]
        words.removeSubrange(index...(index + 1))
        return value
    }

    /// Removes `--name N` and returns N, which must be an integer in `range`.
    mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = try string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(description: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    /// Removes `--name X` and returns X, which must be a finite number satisfying `isValid`.
    mutating func number(
        _ name: String, _ requirement: String, _ isValid: (Double) -> Bool
    ) throws(UsageError) -> Double? {
        guard let text = try string(name) else { return nil }
        guard let value = Double(text), value.isFinite, isValid(value) else {
            throw UsageError(description: "\(name) must be \(requirement), not '\(text)'")
        }
        return value
    }

    /// Removes `--name WORD` and returns WORD, which must be one of `choices`.
    mutating func choice(_ name: String, _ choices: [String]) throws(UsageError) -> String? {
        guard let text = try string(name) else { return nil }
        guard choices.contains(text) else {
            throw UsageError(description: "\(name) must be one of \(choices.joined(separator: ", ")), not '\(text)'")
        }
        return text
    }

    /// Fails when any word was not consumed.
    func finish() throws(UsageError) {
        if let word = words.first {
            throw UsageError(
                description: word.hasPrefix("-")
                    ? "unknown option '\(word)' for '\(command)'" : "unexpected argument '\(word)' for '\(command)'")
        }
    }
}

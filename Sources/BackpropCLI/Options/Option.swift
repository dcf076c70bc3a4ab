/// One option of a command, as the command's table describes it: the help, the parsing and
/// the checks between options are all generated from these tables.
struct Option: Sendable {
    /// The value an option takes, and how it is checked.
    enum Value: Sendable {
        /// None: the option is a flag.
        case flag
        /// An integer in the range.
        case integer(ClosedRange<Int>)
        /// A finite number meeting the requirement, described in words for the error message.
        case number(requirement: String, isValid: @Sendable (Double) -> Bool)
        /// One of these words.
        case choice([String])
        /// Any text: a path, for instance.
        case text
    }

    let name: String
    /// How the help shows the value: `FILE.csv`, `N`; empty for a flag.
    let placeholder: String
    let value: Value
    /// The help text; a line break starts a continuation line.
    let help: String
    /// The command fails without it.
    var required = false
    /// Options this one needs, each given with it.
    var requires: [String] = []
    /// Options that cannot be given with this one.
    var excludes: [String] = []
    /// For `train`: the checkpoint keeps this setting, so `--resume` cannot change it.
    var keptByCheckpoint = false

    init(
        _ name: String, _ placeholder: String, _ value: Value, _ help: String, required: Bool = false,
        requires: [String] = [], excludes: [String] = [], keptByCheckpoint: Bool = false
    ) {
        (self.name, self.placeholder, self.value, self.help) = (name, placeholder, value, help)
        (self.required, self.requires, self.excludes) = (required, requires, excludes)
        self.keptByCheckpoint = keptByCheckpoint
    }

    /// An option that takes no value.
    static func flag(_ name: String, _ help: String, keptByCheckpoint: Bool = false) -> Option {
        Option(name, "", .flag, help, keptByCheckpoint: keptByCheckpoint)
    }

    /// How the option is written with its value, as the help and the messages show it.
    var synopsis: String { placeholder.isEmpty ? name : "\(name) \(placeholder)" }

    /// Checks `text` against `value`; the error says what the option expected.
    func parse(_ text: String) throws(UsageError) -> ParsedValue {
        switch value {
        case .flag:
            throw UsageError(description: "\(name) takes no value")
        case .integer(let range):
            guard let number = Int(text), range.contains(number) else {
                throw UsageError(description: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            }
            return .integer(number)
        case .number(let requirement, let isValid):
            guard let number = Double(text), number.isFinite, isValid(number) else {
                throw UsageError(description: "\(name) must be \(requirement), not '\(text)'")
            }
            return .number(number)
        case .choice(let words):
            guard words.contains(text) else {
                throw UsageError(description: "\(name) must be one of \(words.joined(separator: ", ")), not '\(text)'")
            }
            return .text(text)
        case .text:
            return .text(text)
        }
    }
}

/// An option's value once checked.
enum ParsedValue {
    case flag
    case integer(Int)
    case number(Double)
    case text(String)
}

/// A command line that a user got wrong: exit status 64 (EX_USAGE) and a message.
struct UsageError: Error, CustomStringConvertible {
    var description: String
}

/// A failed check that is neither a usage nor an input problem (a gradient check above tolerance).
struct Failure: Error, CustomStringConvertible {
    var description: String
    /// Standard output was closed by its reader (`| head`): the command stops, quietly.
    var brokenPipe = false
}

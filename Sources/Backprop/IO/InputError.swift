/// A problem with a file the user gave: which file, which line (when there is one) and what is wrong.
///
/// Its description has the form `FILE:LINE: what is wrong`, the way compilers report errors.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file, as the user named it.
    public var file: String
    /// 1-based line number, or nil when the problem is not on one line (a missing file).
    public var line: Int?
    /// What is wrong.
    public var message: String

    /// An error in `file`, at 1-based `line` when there is one.
    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

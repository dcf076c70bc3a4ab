/// A problem with a file the user gave: which file, which line (when there is one) and what is wrong.
///
/// Its description has the form `FILE:LINE: what is wrong`, the way compilers report errors.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    /// 1-based line number, or nil when the problem is not on one line (a missing file).
    public var line: Int?
    public var message: String

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

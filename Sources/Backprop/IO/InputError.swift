import Foundation

/// A problem with a file the user gave: which file, which line (when there is one), what
/// is wrong, and of what kind, for a client to switch on.
///
/// Its description has the form `FILE:LINE: what is wrong`, the way compilers report errors.
public struct InputError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    /// What went wrong, for a client to act on.
    public enum Kind: Sendable, Equatable {
        /// Nothing at the path.
        case notFound
        /// Something else than a file to read or write there: a folder, a device, a URL
        /// that is not a file's.
        case notAFile
        /// The file could not be read: the system's error number.
        case readFailed(errno: Int32)
        /// The file changed while it was being read (an `.npy` file streamed from disk and
        /// written in place meanwhile): what was read mixes two versions of it.
        case changedWhileRead
        /// The content is not what it should be (a CSV line, a header, a value): at `line`,
        /// and `column` when the problem is in one field.
        case malformed
        /// Writing failed (a full disk, permissions, a missing folder), or was refused (a
        /// model with a NaN): the system's error number when it gave one.
        case writeFailed(errno: Int32?)
    }

    /// The file, as the user named it.
    public var file: String
    /// 1-based line number, or nil when the problem is not on one line (a missing file).
    public var line: Int?
    /// 1-based column (comma-separated field) of a CSV line, when the problem is in one.
    public var column: Int?
    /// What is wrong.
    public var message: String
    /// What went wrong, for a client to switch on.
    public var kind: Kind

    /// An error of `kind` in `file`, at 1-based `line` (and `column`) when there is one.
    public init(file: String, line: Int?, column: Int? = nil, message: String, kind: Kind = .malformed) {
        (self.file, self.line, self.column, self.message, self.kind) = (file, line, column, message, kind)
    }

    /// The description, for `localizedDescription`.
    public var errorDescription: String? { description }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

import Foundation

/// Opening the files a user names, with the same checks and messages for every kind of file.
public enum InputFile {
    /// Fails unless `path` names something to read: not missing, not a directory, not a
    /// device; `kind` names the expected file in the message ("a model file"). A FIFO or a
    /// pipe (`<(...)`) is fine.
    static func checkExists(_ path: String, kind: String) throws(InputError) {
        guard let status = System.status(path) else {
            throw InputError(file: path, line: nil, message: "no such file", kind: .notFound)
        }
        switch status.kind {
        case .regular, .fifo, .socket:
            return
        case .characterDevice where ["/dev/stdin", "/dev/fd/0"].contains(path):
            return  // a terminal as standard input
        default:
            throw InputError(file: path, line: nil, message: "is \(status.kindName), not \(kind)", kind: .notAFile)
        }
    }

    /// The whole file at `path`, at most `limit` bytes: models, checkpoints and logs are
    /// small, and a stream that never ends must not fill memory.
    ///
    /// - Parameters:
    ///   - path: the file, as the user named it (the messages name it so).
    ///   - kind: the expected file, as the messages name it ("a training log").
    ///   - limit: the most bytes read before the file counts as too large.
    ///   - binary: read a binary file whole; a text file stops at a NUL byte.
    /// - Throws: `InputError` when nothing is there (`notFound`), it is a folder or a device
    ///   (`notAFile`), it cannot be read or holds more than `limit` bytes (`readFailed`), or,
    ///   for text, it ends in a NUL byte: binary data (`malformed`).
    public static func contents(_ path: String, kind: String, limit: Int = 256 << 20, binary: Bool = false) throws(InputError) -> Data {
        try checkExists(path, kind: kind)
        let descriptor = System.openForReading(path)
        guard descriptor >= 0 else { throw readError(path, System.errorCode) }
        defer { System.close(descriptor) }
        let bytes: [UInt8]
        do { bytes = try FileReading.readToEnd(descriptor, limit: limit, stoppingAtNUL: !binary) } catch { throw readError(path, error.code) }
        if !binary && bytes.last == 0 {
            let line = bytes.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            throw InputError(file: path, line: line, message: "binary data (a NUL byte): not \(kind)")
        }
        return Data(bytes)
    }

    /// The path of a file URL; other URLs (`https:` and the like) are refused.
    static func path(of url: URL) throws(InputError) -> String {
        guard url.isFileURL else { throw InputError(file: url.absoluteString, line: nil, message: "not a file URL", kind: .notAFile) }
        return url.path
    }

    static func readError(_ path: String, _ code: Int32) -> InputError {
        InputError(file: path, line: nil, message: "cannot be read: \(System.describe(code))", kind: code == System.noSuchFile ? .notFound : .readFailed(errno: code))
    }
}

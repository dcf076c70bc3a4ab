import Foundation

/// Opening the files a user names, with the same checks and messages for every kind of file.
enum InputFile {
    /// Fails unless `path` names an existing file that is not a directory; `kind` names
    /// the expected file in the message ("a model file").
    static func checkExists(_ path: String, kind: String) throws(InputError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: path, line: nil, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw InputError(file: path, line: nil, message: "is a directory, not \(kind)")
        }
    }

    /// The whole file at `path` (see `checkExists`).
    static func contents(_ path: String, kind: String) throws(InputError) -> Data {
        try checkExists(path, kind: kind)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, line: nil, message: "cannot be read (permission denied?)")
        }
        return data
    }
}

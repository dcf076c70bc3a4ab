import Foundation

/// Writes output files so that a crash never leaves a partial one, and nothing that is not
/// a regular file is ever replaced.
///
/// - A regular file (or a new path) is replaced atomically: the contents go to a temporary
///   file in the same folder, are flushed to disk, and renamed over it; the old file keeps
///   its permission bits and stays intact until the rename. A temporary file a killed save
///   left is taken over by the next save to the same file.
/// - A symbolic link stays a link: the file it points to is replaced that way.
/// - A device or a FIFO (`/dev/null`, `/dev/stdout`, a named pipe) is written straight through.
package enum AtomicFile {
    /// Writes `contents` to `path` as described above.
    ///
    /// - Throws: `InputError` naming `path` when it is a directory or cannot be written; the
    ///   file at `path` is then as it was.
    package static func write(_ contents: some Collection<UInt8>, to path: String) throws(InputError) {
        let bytes = Array(contents)
        switch try destination(of: path) {
        case .stream:
            let descriptor = System.openForWriting(path, create: false, truncate: false)
            guard descriptor >= 0 else { throw failure(path, System.errorCode) }
            let code = bytes.withUnsafeBytes { System.writeAll(descriptor, $0) }
            System.close(descriptor)
            if code != 0 { throw failure(path, code) }
        case .file(let file, let permissions):
            let (temporary, descriptor) = try openTemporary(for: file, path: path)
            // Renamed before it is closed: the lock holds until the file is in place.
            defer { System.close(descriptor) }
            var code = bytes.withUnsafeBytes { System.writeAll(descriptor, $0) }
            if code == 0, let permissions { code = System.setPermissions(descriptor, permissions) }
            if code == 0 { code = System.sync(descriptor) }
            if code == 0 { code = System.rename(temporary, to: file) }
            if code != 0 {
                System.remove(temporary)
                throw failure(path, code)
            }
        }
    }

    /// The temporary file of a save to `file`, open and empty: `.NAME.tmp` in its folder,
    /// locked while this save writes it. A save killed midway leaves it behind, unlocked,
    /// and the next save to `file` takes it over, so no stale temporary file stays. While
    /// another save to `file` holds it, a new `.NAME.RANDOM.tmp`.
    private static func openTemporary(for file: String, path: String) throws(InputError) -> (String, Int32) {
        let url = URL(fileURLWithPath: file)
        let shared = url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).tmp"
        // Another's file there (a link, no permission) leaves the name to it, as a lock does.
        let descriptor = System.openForWritingInPlace(shared)
        if descriptor >= 0 {
            // Locked, and still the file of that name (a save that just ended renamed its
            // file over `file`: emptying that one would empty the saved file).
            if System.lockExclusively(descriptor), let held = System.status(descriptor),
                let named = System.status(shared, followingLinks: false), held.isSameFile(as: named),
                System.empty(descriptor) == 0
            {
                return (shared, descriptor)
            }
            System.close(descriptor)
        }
        // A name of its own (threads of one process save too): a new file, never an old one.
        let own = url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let ownDescriptor = System.openNewForWriting(own)
        guard ownDescriptor >= 0 else { throw failure(path, System.errorCode) }
        return (own, ownDescriptor)
    }

    /// Writes `text` as UTF-8 (see `write(_:to:)`).
    package static func write(_ text: String, to path: String) throws(InputError) {
        try write(Array(text.utf8), to: path)
    }

    /// Checks, before a long computation, that `path` can be written later.
    package static func checkWritable(_ path: String) throws(InputError) {
        switch try destination(of: path) {
        case .stream:
            guard System.isWritable(path) else { throw InputError(file: path, line: nil, message: "is not writable", kind: .writeFailed(errno: System.permissionDenied)) }
        case .file(let file, _):
            let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
            guard System.status(folder)?.kind == .directory else {
                throw InputError(file: path, line: nil, message: "the folder \(folder) does not exist", kind: .writeFailed(errno: System.noSuchFile))
            }
            guard System.isWritable(folder) else {
                throw InputError(file: path, line: nil, message: "the folder \(folder) is not writable", kind: .writeFailed(errno: System.permissionDenied))
            }
        }
    }

    /// True when writing `output` would replace the file `other` names: the same device and
    /// inode when both exist (through links, hard links and other spellings), or the same new
    /// file. A device or FIFO is written through, never replaced, so it replaces nothing.
    package static func wouldReplace(_ output: String, _ other: String) -> Bool {
        if let a = System.status(output), let b = System.status(other) {
            return a.kind == .regular && a.isSameFile(as: b)
        }
        guard case .file(let a, _)? = try? destination(of: output), case .file(let b, _)? = try? destination(of: other)
        else { return false }
        return URL(fileURLWithPath: a).standardizedFileURL.path == URL(fileURLWithPath: b).standardizedFileURL.path
    }

    /// Where a write to a path goes.
    enum Destination: Equatable {
        /// A device, FIFO or socket: written in place.
        case stream
        /// A regular file or a new one, at this path (a link's target), with the permission
        /// bits of the file it replaces.
        case file(String, permissions: UInt32?)
    }

    /// What a write to `path` should replace: what the path finally names, following
    /// symbolic links (up to 32) to the regular file, or to the new file a dangling link names.
    static func destination(of path: String) throws(InputError) -> Destination {
        if let final = System.status(path) {
            switch final.kind {
            case .regular: break
            case .directory: throw InputError(file: path, line: nil, message: "is a directory; give a file name to write", kind: .notAFile)
            default: return .stream
            }
        }
        var current = path
        for _ in 0..<32 {
            guard let status = System.status(current, followingLinks: false) else { return .file(current, permissions: nil) }
            guard status.kind == .link else { return .file(current, permissions: status.permissions) }
            guard let target = System.linkTarget(current) else { throw failure(path, System.errorCode) }
            current =
                target.hasPrefix("/")
                ? target : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(target).path
        }
        throw InputError(file: path, line: nil, message: "too many levels of symbolic links", kind: .writeFailed(errno: System.tooManyLinks))
    }

    static func failure(_ path: String, _ code: Int32) -> InputError {
        InputError(file: path, line: nil, message: "cannot write: \(System.describe(code))", kind: .writeFailed(errno: code))
    }
}

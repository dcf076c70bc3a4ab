// The one place that imports the C library: its module differs by platform, and the
// functions below give the package names that never clash with a caller's (`exp`, `read`).
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif

/// Files, memory and threads, through the C library.
enum System {
    /// The calling thread's last error code (errno).
    static var errorCode: Int32 { errno }

    /// The error code of a call interrupted by a signal, which is retried.
    static let interrupted = EINTR
    /// The error codes an `InputError`'s kind carries where no call gave one: no such file,
    /// permission denied, too many levels of symbolic links.
    static let (noSuchFile, permissionDenied, tooManyLinks) = (ENOENT, EACCES, ELOOP)

    /// The error code of a file too large to handle (EFBIG).
    static let tooBig = EFBIG

    /// The C library's description of an error code.
    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// open(2) for reading: a file descriptor, or −1 with `errorCode` set.
    static func openForReading(_ path: String) -> Int32 { open(path, O_RDONLY) }

    static func close(_ descriptor: Int32) { _ = closeDescriptor(descriptor) }

    /// The size of the file behind `descriptor` when it is a regular file; nil for a pipe,
    /// a device or a failed fstat(2).
    static func regularFileSize(_ descriptor: Int32) -> Int? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// What changes when a file is written: its size and modification time (to the
    /// nanosecond where the file system keeps them), from fstat(2); nil when it fails.
    static func fileVersion(_ descriptor: Int32) -> [Int]? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        #if canImport(Darwin)
            return [Int(status.st_size), Int(status.st_mtimespec.tv_sec), Int(status.st_mtimespec.tv_nsec)]
        #else
            return [Int(status.st_size), Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec)]
        #endif
    }

    /// read(2): bytes read, 0 at the end, or −1 with `errorCode` set.
    static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        readDescriptor(descriptor, buffer, count)
    }

    /// pread(2) at byte `offset`: bytes read, 0 at the end, or −1 with `errorCode` set.
    static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, at offset: Int) -> Int {
        pread(descriptor, buffer, count, off_t(offset))
    }

    /// What a path names, from stat(2) or, with `followingLinks` false, lstat(2); nil when
    /// nothing is there (or it cannot be examined).
    static func status(_ path: String, followingLinks: Bool = true) -> FileStatus? {
        var raw = stat()
        guard (followingLinks ? stat(path, &raw) : lstat(path, &raw)) == 0 else { return nil }
        return status(raw)
    }

    /// What an open descriptor names, from fstat(2); nil when it fails.
    static func status(_ descriptor: Int32) -> FileStatus? {
        var raw = stat()
        guard fstat(descriptor, &raw) == 0 else { return nil }
        return status(raw)
    }

    private static func status(_ raw: stat) -> FileStatus {
        let kind: FileStatus.Kind =
            switch raw.st_mode & S_IFMT {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .link
            case S_IFIFO: .fifo
            case S_IFCHR: .characterDevice
            case S_IFBLK: .blockDevice
            case S_IFSOCK: .socket
            default: .other
            }
        return FileStatus(
            kind: kind, permissions: UInt32(raw.st_mode) & 0o7777, device: UInt64(raw.st_dev), inode: UInt64(raw.st_ino))
    }

    /// The text of the symbolic link at `path` (readlink), or nil.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// open(2) for writing: with `create`, a new file of `permissions` (less the umask),
    /// emptied first with `truncate`. A descriptor, or −1 with `errorCode` set.
    static func openForWriting(_ path: String, create: Bool, truncate: Bool, permissions: UInt32 = 0o644) -> Int32 {
        open(path, O_WRONLY | (create ? O_CREAT : 0) | (truncate ? O_TRUNC : 0), mode_t(permissions))
    }

    /// open(2) of an existing or new file for writing, never through a symbolic link and
    /// without emptying it: a descriptor, or −1 with `errorCode` set.
    static func openForWritingInPlace(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode_t(0o644))
    }

    /// open(2) of a new file for writing (O_EXCL): a descriptor, or −1 with `errorCode` set.
    static func openNewForWriting(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o644))
    }

    /// flock(2) exclusively without waiting: true when this descriptor now holds the lock
    /// (until it is closed).
    static func lockExclusively(_ descriptor: Int32) -> Bool { flock(descriptor, LOCK_EX | LOCK_NB) == 0 }

    /// ftruncate(2) to 0 bytes: 0, or the error code.
    static func empty(_ descriptor: Int32) -> Int32 { ftruncate(descriptor, 0) == 0 ? 0 : errno }

    /// Writes all of `bytes` (write(2), retried when interrupted); 0, or the error code.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var written = 0
        while written < bytes.count {
            let n = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += n
        }
        return 0
    }

    /// fsync(2): 0, or the error code.
    static func sync(_ descriptor: Int32) -> Int32 { fsync(descriptor) == 0 ? 0 : errno }

    /// fchmod(2): 0, or the error code.
    static func setPermissions(_ descriptor: Int32, _ permissions: UInt32) -> Int32 {
        fchmod(descriptor, mode_t(permissions)) == 0 ? 0 : errno
    }

    /// rename(2): 0, or the error code.
    static func rename(_ from: String, to: String) -> Int32 { renameFile(from, to) == 0 ? 0 : errno }

    static func remove(_ path: String) { _ = unlink(path) }

    /// Whether this process may write `path` (access(2) with W_OK).
    static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// The first `byte` in `count` bytes from `start` (memchr), or nil.
    @inline(__always)
    static func find(_ byte: UInt8, in start: UnsafePointer<UInt8>, count: Int) -> UnsafeRawPointer? {
        UnsafeRawPointer(memchr(start, Int32(byte), count))
    }

    /// strtod(3) on the NUL- or delimiter-ended text at `start`: the value, and where it stopped.
    static func parseDouble(_ start: UnsafePointer<CChar>) -> (value: Double, end: UnsafeRawPointer) {
        var stop: UnsafeMutablePointer<CChar>?
        let value = strtod(start, &stop)
        return (value, UnsafeRawPointer(stop ?? UnsafeMutablePointer(mutating: start)))
    }

    /// Gives the core to another thread (sched_yield).
    static func yieldThread() { _ = sched_yield() }

}

/// What `System.status` found at a path.
struct FileStatus: Equatable {
    enum Kind {
        case regular, directory, link, fifo, characterDevice, blockDevice, socket, other
    }

    var kind: Kind
    /// The permission bits (rwx for owner, group, others, and setuid, setgid, sticky).
    var permissions: UInt32
    var device: UInt64
    var inode: UInt64

    /// True when both name the same file.
    func isSameFile(as other: FileStatus) -> Bool { device == other.device && inode == other.inode }

    /// How a message names the kind of file.
    var kindName: String {
        switch kind {
        case .regular: "a regular file"
        case .directory: "a directory"
        case .link: "a symbolic link"
        case .fifo: "a FIFO (named pipe)"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        case .other: "a special file"
        }
    }
}

// Module-level names for calls whose names the methods above would hide.
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
private func renameFile(_ from: String, _ to: String) -> Int32 { rename(from, to) }

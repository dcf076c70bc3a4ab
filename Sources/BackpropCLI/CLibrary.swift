// The tool's one place that calls the C library (through Foundation, which imports the
// platform's): standard output and error, signals, file locks, appending and syncing, the
// process's memory limit and a check that its threads can start. The library has its own (`Sources/Backprop/CLibrary.swift`).
import Foundation

enum System {
    /// The calling thread's last error code (errno).
    static var errorCode: Int32 { errno }

    /// What an error code means ("No space left on device").
    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The descriptors of standard output and standard error.
    static let (standardOutput, standardError) = (STDOUT_FILENO, STDERR_FILENO)

    /// Flushes what print() holds: 0, or the error code.
    static func flushStandardStreams() -> Int32 { fflush(nil) == 0 ? 0 : errno }

    /// write(2) of all of `bytes`, retried when interrupted: 0, or the error code; a short
    /// write that makes no progress is the disk's (ENOSPC).
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32 {
        var rest = bytes[...]
        while !rest.isEmpty {
            let written = rest.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written < 0 { return errno }
            if written == 0 { return ENOSPC }
            rest = rest.dropFirst(written)
        }
        return 0
    }

    /// Opens `path` for appending, creating it if needed and refusing a symbolic link: the
    /// descriptor, or -1 (and `errorCode`).
    static func openForAppending(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
    }

    /// Opens the existing `path` (a file, or a device or pipe) for appending: the
    /// descriptor, or -1 (and `errorCode`).
    static func openExistingForAppending(_ path: String) -> Int32 { open(path, O_WRONLY | O_APPEND) }

    /// fsync(2): 0, or the error code; 0 for a pipe or a terminal, which cannot be synced
    /// (EINVAL) and need not be.
    static func sync(_ descriptor: Int32) -> Int32 { fsync(descriptor) == 0 || errno == EINVAL ? 0 : errno }

    /// True when `descriptor` is a terminal.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) != 0 }

    static func close(_ descriptor: Int32) { _ = Foundation.close(descriptor) }

    /// How a lock could not be taken.
    enum LockFailure: Error {
        /// Another process holds it.
        case held
        /// open(2) or flock(2) failed with this code.
        case failed(Int32)
    }

    /// flock(2) on `path` (created if needed, never through a link), without waiting; the
    /// descriptor stays open, and the lock held, until the process ends.
    static func lock(_ path: String, exclusive: Bool) throws(LockFailure) {
        let descriptor = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .failed(errno) }
        guard flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            throw code == EWOULDBLOCK ? .held : .failed(code)
        }
    }

    /// link(2): 0, or the error code (`alreadyExists` when `destination` exists).
    static func link(_ source: String, _ destination: String) -> Int32 { Foundation.link(source, destination) == 0 ? 0 : errno }
    static let alreadyExists = EEXIST

    static func unlink(_ path: String) { _ = Foundation.unlink(path) }

    /// The error code of a write to a pipe its reader has closed.
    static let brokenPipe = EPIPE

    /// A closed pipe on stdout or stderr becomes an EPIPE error for the writer to handle,
    /// not a signal that kills a training run before it saves its model.
    static func ignoreBrokenPipes() { _ = signal(SIGPIPE, SIG_IGN) }

    /// Calls `handler` (which must only store) with SIGINT or SIGTERM as it arrives, once:
    /// a second signal of the same kind ends the process at once. A parent may have
    /// started the process with them blocked (a blocked mask survives exec): unblocked here.
    static func onStopSignals(_ handler: @convention(c) (Int32) -> Void) {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        for number in [SIGINT, SIGTERM] { signal(number, handler) }
    }

    /// Restores a signal's default action (the second one ends the process).
    static func restoreDefault(_ number: Int32) { signal(number, SIG_DFL) }

    /// Starts `count` threads with the default stack, all alive at once, then joins them:
    /// nil, or the error code of the first that could not start. libdispatch retries a
    /// failed thread creation forever (a hang, deaf to SIGTERM, under a tight `ulimit -v`),
    /// so the tool checks that its threads fit before it hands any work to it.
    static func threadStartFailure(count: Int) -> Int32? {
        var threads: [pthread_t] = []
        defer { for thread in threads { pthread_join(thread, nil) } }
        for _ in 0..<count {
            var thread = pthread_t()
            let code = pthread_create(&thread, nil, { _ in nil }, nil)
            if code != 0 { return code }
            threads.append(thread)
        }
        return nil
    }

    /// The address space this process holds now (/proc/self/statm's size), or nil where
    /// that cannot be read.
    static var addressSpaceInUse: UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = text.split(separator: " ").first.flatMap({ UInt64($0) })
        else { return nil }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// This process's limit on its address space (RLIMIT_AS), or nil when there is none.
    static var addressSpaceLimit: UInt64? {
        #if os(Linux)
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
            return UInt64(limit.rlim_cur)
        #else
            return nil
        #endif
    }
}

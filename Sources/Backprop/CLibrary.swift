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

// Scalar math.
@inline(__always) @usableFromInline func _exp(_ x: Double) -> Double { exp(x) }
@inline(__always) @usableFromInline func _log(_ x: Double) -> Double { log(x) }
@inline(__always) @usableFromInline func _log1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) @usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) @usableFromInline func _sin(_ x: Double) -> Double { sin(x) }

/// Files, memory and threads, through the C library.
enum System {
    /// The calling thread's last error code (errno).
    static var errorCode: Int32 { errno }

    /// The error code of a call interrupted by a signal, which is retried.
    static let interrupted = EINTR

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

    /// read(2): bytes read, 0 at the end, or −1 with `errorCode` set.
    static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        readDescriptor(descriptor, buffer, count)
    }

    /// pread(2) at byte `offset`: bytes read, 0 at the end, or −1 with `errorCode` set.
    static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, at offset: Int) -> Int {
        pread(descriptor, buffer, count, off_t(offset))
    }

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

// Module-level names for calls whose names the methods above would hide.
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

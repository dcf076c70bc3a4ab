#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Dispatch

/// Reading a file into memory, in parts on several threads when it is a regular file.
enum FileReading {
    struct Failure: Error {
        var code: Int32
    }

    /// Reads `count` bytes at file offset `offset` with pread(2), in parts on up to `threads` threads.
    /// - Returns: the bytes read (fewer than `count` only at the end of the file) or errno.
    static func read(
        _ descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int, threads: Int
    ) -> Result<Int, FileReading.Failure> {
        // Copying from the page cache was a fifth of the CSV load time on one thread.
        let parts = max(1, min(threads, count >> 20))
        if parts == 1 { return readFully(descriptor, buffer, count, at: offset) }
        let results = UnsafeMutableBufferPointer<Result<Int, FileReading.Failure>>.allocate(capacity: parts)
        defer { results.deallocate() }
        let shared = (buffer: UnsafeSendable(buffer), results: UnsafeSendable(results.baseAddress!))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let start = count * part / parts
            let length = count * (part + 1) / parts - start
            (shared.results.value + part).initialize(
                to: readFully(descriptor, shared.buffer.value + start, length, at: offset + start))
        }
        // The file ends in the first part that came back short.
        var total = 0
        for part in 0..<parts {
            let length = count * (part + 1) / parts - count * part / parts
            switch results[part] {
            case .failure(let failure): return .failure(failure)
            case .success(let got):
                total += got
                if got < length { return .success(total) }
            }
        }
        return .success(total)
    }

    /// Reads until `count` bytes or the end of the file.
    private static func readFully(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, at offset: Int)
        -> Result<Int, FileReading.Failure>
    {
        var done = 0
        while done < count {
            let got = pread(descriptor, buffer + done, count - done, off_t(offset + done))
            if got < 0 && errno == EINTR { continue }
            if got < 0 { return .failure(Failure(code: errno)) }
            if got == 0 { break }
            done += got
        }
        return .success(done)
    }
}

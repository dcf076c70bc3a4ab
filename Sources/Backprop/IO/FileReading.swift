import Dispatch

/// Reading a file into memory, in parts on several threads when it is a regular file.
enum FileReading {
    struct Failure: Error {
        var code: Int32
    }

    /// Reads `count` bytes at file offset `offset` with pread(2), in parts on up to `threads` threads.
    /// - Returns: the bytes read, fewer than `count` only at the end of the file.
    static func read(
        _ descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int, threads: Int
    ) throws(Failure) -> Int {
        // Copying from the page cache was a fifth of the CSV load time on one thread.
        let parts = max(1, min(threads, count >> 20))
        if parts == 1 { return try readFully(descriptor, buffer, count, at: offset).get() }
        @Sendable func bytes(_ part: Int) -> Range<Int> { (count * part / parts)..<(count * (part + 1) / parts) }
        let results = UnsafeMutableBufferPointer<Result<Int, FileReading.Failure>>.allocate(capacity: parts)
        defer { results.deallocate() }
        let shared = (buffer: UnsafeSendable(buffer), results: UnsafeSendable(results.baseAddress!))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = bytes(part)
            (shared.results.value + part).initialize(
                to: readFully(descriptor, shared.buffer.value + range.lowerBound, range.count, at: offset + range.lowerBound))
        }
        // The file ends in the first part that came back short.
        var total = 0
        for part in 0..<parts {
            let got = try results[part].get()
            total += got
            if got < bytes(part).count { break }
        }
        return total
    }

    /// Everything left to read from `descriptor` (a pipe or a device: read(2) to its end),
    /// up to and including its first NUL byte, which no text file has: reading `/dev/zero`
    /// or random bytes stops at once, and the parser reports the NUL's line. Binary data
    /// (`stoppingAtNUL` false) is read whole.
    ///
    /// - Throws: `Failure` when a read fails or more than `limit` bytes come.
    static func readToEnd(_ descriptor: Int32, limit: Int = .max, stoppingAtNUL: Bool = true) throws(Failure) -> [UInt8] {
        var text = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { System.read(descriptor, $0.baseAddress!, $0.count) }
            if got < 0 && System.errorCode == System.interrupted { continue }
            if got < 0 { throw Failure(code: System.errorCode) }
            if got == 0 { return text }
            if stoppingAtNUL, let nul = chunk[..<got].firstIndex(of: 0) {
                text += chunk[...nul]
                return text
            }
            text += chunk[..<got]
            if text.count > limit { throw Failure(code: System.tooBig) }
        }
    }

    /// Reads until `count` bytes or the end of the file.
    private static func readFully(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, at offset: Int)
        -> Result<Int, FileReading.Failure>
    {
        var done = 0
        while done < count {
            let got = System.read(descriptor, buffer + done, count - done, at: offset + done)
            if got < 0 && System.errorCode == System.interrupted { continue }
            if got < 0 { return .failure(Failure(code: System.errorCode)) }
            if got == 0 { break }
            done += got
        }
        return .success(done)
    }
}

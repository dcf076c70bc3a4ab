import Dispatch

/// Turns CSV text, handed over in blocks of whole lines, into rows of columns the caller owns.
///
/// The first line is read on its own (it may be a header, and it fixes the number of
/// columns when labels are optional); the rest of each block is cut at line ends into one
/// segment per core. The segments count their lines, then parse in parallel straight into
/// the columns, each from where the lines before it end; rows, line numbers and the first
/// error come out as if the file had been read line by line.
struct CSVReader {
    /// Why reading stopped early.
    enum Stop: Error {
        case input(InputError)
        /// More lines than the columns have room for (the caller retries with more room).
        case full
    }

    /// Where the rows go: `capacity` of them in each column.
    struct Columns {
        var x0: UnsafeMutablePointer<Double>
        var x1: UnsafeMutablePointer<Double>
        var label: UnsafeMutablePointer<Double>
        var capacity: Int
    }

    let name: String
    let labels: CSV.Labels
    /// Segments per block: parsing runs on this many threads.
    let threads: Int
    let segmentBytes: Int
    let columns: Columns
    /// Rows written so far.
    private(set) var rows = 0
    /// 3, or 2 for a file without labels; fixed by the first line when labels are optional.
    private var fieldCount: Int?
    private var lineCount = 0
    private var sawFirstLine = false
    private(set) var sawHeader = false
    /// The first blank line since the last non-blank one: an error if any row follows.
    private var pendingBlank: Int?

    /// - Parameter segmentBytes: the least text worth a thread: below it a thread costs more than it saves.
    init(name: String, labels: CSV.Labels, into columns: Columns, threads: Int, segmentBytes: Int = 1 << 18) {
        (self.name, self.labels, self.columns) = (name, labels, columns)
        (self.threads, self.segmentBytes) = (max(1, threads), max(1, segmentBytes))
        fieldCount = labels == .required ? 3 : nil
    }

    /// Parses `count` bytes at `text`: whole lines (the last block may end without a line end).
    /// `text[count]` and the 8 bytes after it must be readable.
    mutating func consume(_ text: UnsafePointer<UInt8>, count: Int) throws(Stop) {
        let lines = CSVLines(text: text)
        var position = 0
        while !sawFirstLine && position < count {
            let (stop, next) = lines.bounds(at: position, end: count)
            defer { position = next }
            lineCount += 1
            if lines.isBlank(position, stop) {
                if pendingBlank == nil { pendingBlank = lineCount }
                continue
            }
            sawFirstLine = true
            if let blank = pendingBlank { throw error(blank, CSVLines.blankLineMessage) }
            let row: SIMD3<Double>?
            do throws(CSVLines.LineError) {
                row = try lines.rowOrHeader(position, stop, columns: &fieldCount, headerAllowed: lineCount == 1)
            } catch {
                throw self.error(lineCount, error.message, column: error.column)
            }
            guard let row else {
                sawHeader = true
                continue
            }
            guard rows < columns.capacity else { throw .full }
            (columns.x0[rows], columns.x1[rows], columns.label[rows]) = (row.x, row.y, row.z)
            rows += 1
        }
        guard position < count, let fieldCount else { return }

        let pieces = max(1, min(threads, (count - position) / segmentBytes))
        var cuts = [position]
        for piece in 1..<pieces {
            let target = max(cuts[piece - 1], position + (count - position) * piece / pieces)
            cuts.append(min(count, lines.bounds(at: min(target, count), end: count).next))
        }
        cuts.append(count)
        // In a valid file every line is a row but for blank lines at the end, so a segment's
        // rows start where the lines of the segments before it end.
        var lineCounts = [Int](repeating: 0, count: pieces)
        lineCounts.withUnsafeMutableBufferPointer { counts in
            let counts = UnsafeSendable(counts.baseAddress!)
            inParallel(pieces) { piece in counts.value[piece] = lines.lineCount(cuts[piece], cuts[piece + 1]) }
        }
        guard rows + lineCounts.reduce(0, +) <= columns.capacity else { throw .full }
        var offset = rows
        var segments = (0..<pieces).map { piece in
            defer { offset += lineCounts[piece] }
            return CSVSegment(
                lines: lines, start: cuts[piece], end: cuts[piece + 1], columns: fieldCount,
                into: columns.x0 + offset, columns.x1 + offset, columns.label + offset)
        }
        segments.withUnsafeMutableBufferPointer { segments in
            let segments = UnsafeSendable(segments.baseAddress!)
            inParallel(pieces) { piece in segments.value[piece].parse() }
        }
        for segment in segments {
            if segment.sawNonBlank, let blank = pendingBlank { throw error(blank, CSVLines.blankLineMessage) }
            if let (line, message, column) = segment.error { throw error(lineCount + line, message, column: column) }
            // Fewer rows than lines means blank lines, after which no segment may have rows.
            precondition(segment.rowCount == 0 || segment.x0 == columns.x0 + rows, "rows out of place")
            rows += segment.rowCount
            if segment.sawNonBlank {
                pendingBlank = segment.trailingBlank.map { lineCount + $0 }
            } else if pendingBlank == nil, let blank = segment.trailingBlank {
                pendingBlank = lineCount + blank
            }
            lineCount += segment.lineCount
        }
    }

    /// Checks that the text had rows, once every block has been consumed.
    func finish() throws(InputError) {
        if rows == 0 {
            throw InputError(
                file: name, line: 1, message: sawHeader ? "a header but no data rows" : "no data rows (the file is empty)")
        }
    }

    private func error(_ line: Int, _ message: String, column: Int? = nil) -> Stop {
        .input(InputError(file: name, line: line, column: column, message: message))
    }
}

/// Runs `body(i)` for every i in 0..<count, on as many threads; each call touches only its own i.
private func inParallel(_ count: Int, _ body: (Int) -> Void) {
    guard count > 1 else { return body(0) }
    withoutActuallyEscaping(body) { body in
        let shared = UnsafeSendable(body)
        DispatchQueue.concurrentPerform(iterations: count) { shared.value($0) }
    }
}

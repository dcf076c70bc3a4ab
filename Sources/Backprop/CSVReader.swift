import Dispatch

/// Turns CSV text, handed over in blocks of whole lines, into a `Dataset`.
///
/// The first line is read on its own (it may be a header, and it fixes the number of
/// columns when labels are optional); the rest of each block is cut at line ends into one
/// segment per core, parsed in parallel, and joined in order: rows, line numbers and the
/// first error come out as if the file had been read line by line.
struct CSVReader {
    let name: String
    let labels: CSV.Labels
    /// Segments per block: parsing runs on this many threads.
    let threads: Int
    let expectedBytes: Int?
    let segmentBytes: Int
    private var reserved = false
    /// Where the segments put their rows, reused from block to block.
    private let scratch = Scratch()
    /// 3, or 2 for a file without labels; fixed by the first line when labels are optional.
    private var columns: Int?
    private var lineCount = 0
    private var sawFirstLine = false
    private var sawHeader = false
    /// The first blank line since the last non-blank one: an error if any row follows.
    private var pendingBlank: Int?
    private var x0: [Double] = []
    private var x1: [Double] = []
    private var label: [Double] = []

    /// - Parameters:
    ///   - expectedBytes: the size of the whole text, when known (to size the columns).
    ///   - segmentBytes: the least text worth a thread: below it a thread costs more than it saves.
    init(name: String, labels: CSV.Labels, threads: Int, expectedBytes: Int?, segmentBytes: Int = 1 << 18) {
        (self.name, self.labels, self.threads, self.expectedBytes) = (name, labels, max(1, threads), expectedBytes)
        self.segmentBytes = max(1, segmentBytes)
        columns = labels == .required ? 3 : nil
    }

    /// Parses `count` bytes at `text`: whole lines (the last block may end without a line end).
    /// `text[count]` and the 8 bytes after it must be readable.
    mutating func consume(_ text: UnsafePointer<UInt8>, count: Int) throws(InputError) {
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
            do throws(CSVLines.LineError) {
                if let row = try lines.firstRow(position, stop, columns: &columns, headerAllowed: lineCount == 1) {
                    x0.append(row.x)
                    x1.append(row.y)
                    label.append(row.z)
                } else {
                    sawHeader = true
                }
            } catch {
                throw self.error(lineCount, error.message)
            }
        }
        guard position < count, let columns else { return }

        let pieces = max(1, min(threads, (count - position) / segmentBytes))
        var cuts = [position]
        for piece in 1..<pieces {
            let target = max(cuts[piece - 1], position + (count - position) * piece / pieces)
            cuts.append(min(count, lines.bounds(at: min(target, count), end: count).next))
        }
        cuts.append(count)
        let scratch = scratch.ensure(pieces: pieces, rows: (0..<pieces).map { (cuts[$0 + 1] - cuts[$0]) / 4 + 1 })
        var segments = (0..<pieces).map { piece in
            CSVSegment(
                lines: lines, start: cuts[piece], end: cuts[piece + 1], columns: columns,
                into: scratch[piece].x0, scratch[piece].x1, scratch[piece].label)
        }
        if pieces == 1 {
            segments[0].parse()
        } else {
            segments.withUnsafeMutableBufferPointer { segments in
                let segments = SendablePointer(segments.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: pieces) { segments.pointer[$0].parse() }
            }
        }
        for segment in segments {
            if segment.sawNonBlank, let blank = pendingBlank { throw error(blank, CSVLines.blankLineMessage) }
            if let (line, message) = segment.error { throw error(lineCount + line, message) }
            reserve(label.count + segment.rowCount, rate: Double(segment.lineCount) / Double(segment.end - segment.start))
            x0.append(contentsOf: UnsafeBufferPointer(start: segment.x0, count: segment.rowCount))
            x1.append(contentsOf: UnsafeBufferPointer(start: segment.x1, count: segment.rowCount))
            label.append(contentsOf: UnsafeBufferPointer(start: segment.label, count: segment.rowCount))
            if segment.sawNonBlank {
                pendingBlank = segment.trailingBlank.map { lineCount + $0 }
            } else if pendingBlank == nil, let blank = segment.trailingBlank {
                pendingBlank = lineCount + blank
            }
            lineCount += segment.lineCount
        }
    }

    /// Reserves the columns once, for the whole file when its size is known (`rate` is
    /// lines per byte so far), so that they are not copied as they grow.
    private mutating func reserve(_ needed: Int, rate: Double) {
        guard !reserved else { return }
        reserved = true
        let estimate = expectedBytes.map { Int(Double($0) * rate * 1.01) + 16 } ?? 0
        x0.reserveCapacity(max(needed, estimate))
        x1.reserveCapacity(max(needed, estimate))
        label.reserveCapacity(max(needed, estimate))
    }

    /// The data set, once every block has been consumed.
    consuming func finish() throws(InputError) -> Dataset {
        if label.isEmpty {
            throw error(1, sawHeader ? "a header but no data rows" : "no data rows (the file is empty)")
        }
        return Dataset(validatedX0: x0, x1: x1, label: label)
    }

    private func error(_ line: Int, _ message: String) -> InputError {
        InputError(file: name, line: line, message: message)
    }
}

/// Row storage for the segments of a block, kept for the next block (its pages stay mapped).
private final class Scratch {
    typealias Columns = (x0: UnsafeMutablePointer<Double>, x1: UnsafeMutablePointer<Double>, label: UnsafeMutablePointer<Double>)
    private var columns: [(Columns, capacity: Int)] = []

    /// Room for `rows[i]` rows in piece i.
    func ensure(pieces: Int, rows: [Int]) -> [Columns] {
        for piece in 0..<pieces {
            if piece == columns.count { columns.append(((.allocate(capacity: 0), .allocate(capacity: 0), .allocate(capacity: 0)), 0)) }
            if columns[piece].capacity < rows[piece] {
                free(columns[piece].0)
                columns[piece] = ((.allocate(capacity: rows[piece]), .allocate(capacity: rows[piece]), .allocate(capacity: rows[piece])), rows[piece])
            }
        }
        return columns.prefix(pieces).map(\.0)
    }

    private func free(_ columns: Columns) {
        columns.x0.deallocate()
        columns.x1.deallocate()
        columns.label.deallocate()
    }

    deinit {
        for (columns, _) in columns { free(columns) }
    }
}

/// A pointer handed to the threads of `concurrentPerform`, each of which uses its own element.
private struct SendablePointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    init(_ pointer: UnsafeMutablePointer<Element>) { self.pointer = pointer }
}

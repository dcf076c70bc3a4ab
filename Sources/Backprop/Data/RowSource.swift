/// Samples as rows of (x0, x1, label), read by position: from memory (`SampleRows`) or from
/// a file on disk (`FileRows`). What the shuffles and the streamed epochs read from.
protocol RowSource: Sendable {
    /// Number of samples.
    var count: Int { get }
    /// Writes the rows at positions `range`, 3 doubles each, to `rows`.
    func read(_ range: Range<Int>, into rows: UnsafeMutableBufferPointer<Double>) throws(InputError)
}

extension RowSource {
    /// Calls `body` with consecutive parts of `evaluationPart` samples, in order, read
    /// through `part` and `scratch`.
    func forEachPart(
        through part: inout Dataset, scratch: inout [Double], _ body: (MiniBatch) -> Void
    ) throws(InputError) {
        for start in stride(from: 0, to: count, by: evaluationPart) {
            let range = start..<min(start + evaluationPart, count)
            try read(range, into: &part, scratch: &scratch)
            part.withMiniBatch(0..<range.count, body)
        }
    }

    /// Replaces `chunk`'s samples with those at positions `range`, in order.
    func read(_ range: Range<Int>, into chunk: inout Dataset, scratch: inout [Double]) throws(InputError) {
        if scratch.count < 3 * range.count { scratch = [Double](repeating: 0, count: 3 * range.count) }
        try scratch.withUnsafeMutableBufferPointer { rows throws(InputError) in
            try read(range, into: UnsafeMutableBufferPointer(rebasing: rows[..<(3 * range.count)]))
        }
        chunk.resize(to: range.count)
        scratch.withUnsafeBufferPointer { rows in
            chunk.withUnsafeMutableColumns { x0, x1, label in
                for k in 0..<range.count { (x0[k], x1[k], label[k]) = (rows[3 * k], rows[3 * k + 1], rows[3 * k + 2]) }
            }
        }
    }
}

extension SampleRows: RowSource {
    func read(_ range: Range<Int>, into rows: UnsafeMutableBufferPointer<Double>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count && rows.count >= 3 * range.count, "rows out of range")
        withValues { values in
            rows.baseAddress!.update(from: values.baseAddress! + 3 * range.lowerBound, count: 3 * range.count)
        }
    }
}

/// The rows of an `.npy` file, read on demand and standardised as they are read.
struct FileRows: RowSource {
    let reader: NPY.Reader
    let standardization: Standardization?

    var count: Int { reader.rows }

    func read(_ range: Range<Int>, into rows: UnsafeMutableBufferPointer<Double>) throws(InputError) {
        try reader.read(range, into: rows)
        guard let standardization else { return }
        for k in 0..<range.count {
            (rows[3 * k], rows[3 * k + 1]) = standardization.apply(rows[3 * k], rows[3 * k + 1])
        }
    }
}

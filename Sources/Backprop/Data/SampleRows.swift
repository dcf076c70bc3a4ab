/// Samples stored row by row, (x0, x1, label) side by side: what a shuffled epoch gathers from.
///
/// A gather in random order touches one or two cache lines per sample here, against three
/// from separate columns (one per column); the engines still read the gathered chunk as
/// contiguous columns. Takes no more memory than the columns it replaces.
struct SampleRows: Sendable {
    private var values: [Double]

    /// The samples of `data`, whose columns are released as the rows are filled.
    init(_ data: consuming Dataset) {
        let count = data.count
        var rows = [Double](repeating: 0, count: 3 * count)
        data.withMiniBatch(0..<count) { samples in
            rows.withUnsafeMutableBufferPointer { rows in
                for i in 0..<count {
                    (rows[3 * i], rows[3 * i + 1], rows[3 * i + 2]) = (samples.x0[i], samples.x1[i], samples.label[i])
                }
            }
        }
        values = rows
    }

    /// Number of samples.
    var count: Int { values.count / 3 }

    /// Calls `body` with the rows, 3 doubles each.
    func withValues<Result>(_ body: (UnsafeBufferPointer<Double>) -> Result) -> Result {
        values.withUnsafeBufferPointer(body)
    }

    /// Replaces `chunk`'s samples with the samples at `indices`, in that order, reusing its storage.
    func gather(into chunk: inout Dataset, at indices: UnsafeBufferPointer<UInt32>) {
        chunk.resize(to: indices.count)
        let sampleCount = count
        values.withUnsafeBufferPointer { rows in
            chunk.withUnsafeMutableColumns { x0, x1, label in
                for (k, index) in indices.enumerated() {
                    let i = Int(index)
                    precondition(i < sampleCount, "index out of range")
                    (x0[k], x1[k], label[k]) = (rows[3 * i], rows[3 * i + 1], rows[3 * i + 2])
                }
            }
        }
    }

    /// Replaces `chunk`'s samples with the samples in `range`, in order.
    func copy(into chunk: inout Dataset, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range out of bounds")
        chunk.resize(to: range.count)
        values.withUnsafeBufferPointer { rows in
            chunk.withUnsafeMutableColumns { x0, x1, label in
                for (k, i) in range.enumerated() {
                    (x0[k], x1[k], label[k]) = (rows[3 * i], rows[3 * i + 1], rows[3 * i + 2])
                }
            }
        }
    }
}

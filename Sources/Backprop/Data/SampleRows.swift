/// Samples stored row by row, (x0, x1, label) side by side: what a block-shuffled epoch
/// reads its windows from, as it reads them from an `.npy` file (see `RowSource`).
///
/// A window's blocks are gathered in any order, a whole row at a time; the engines still
/// read the gathered chunk as contiguous columns. Takes no more memory than the columns it
/// replaces.
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
}

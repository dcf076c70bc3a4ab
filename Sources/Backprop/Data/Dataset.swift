/// Samples of (x0, x1, label) in memory, stored as a structure of arrays.
///
/// Each column is contiguous so that a fast engine can load 8 consecutive samples of one
/// feature as one vector. Labels are stored as `Double` (exactly 0 or 1) for the same reason.
public struct Dataset: Sendable, Equatable {
    /// The first feature of every sample.
    public private(set) var x0: [Double]
    /// The second feature of every sample.
    public private(set) var x1: [Double]
    /// The label of every sample: 0 or 1.
    public private(set) var label: [Double]

    /// Samples of these columns.
    ///
    /// - Throws: `SettingError` (setting `data`) when the columns differ in length, a
    ///   feature is not a finite number, or a label is not 0 or 1, naming the first such
    ///   sample.
    public init(x0: [Double], x1: [Double], label: [Double]) throws(SettingError) {
        if x0.count != x1.count || x1.count != label.count {
            throw SettingError(setting: "data", message: "columns of \(x0.count), \(x1.count) and \(label.count) values: they differ in length")
        }
        for i in label.indices {
            guard x0[i].isFinite && x1[i].isFinite else {
                throw SettingError(setting: "data", message: "sample \(i): the features (\(x0[i]), \(x1[i])) are not finite numbers")
            }
            guard label[i] == 0 || label[i] == 1 else {
                throw SettingError(setting: "data", message: "sample \(i): the label is \(label[i]): must be 0 or 1")
            }
        }
        (self.x0, self.x1, self.label) = (x0, x1, label)
    }

    /// Points without labels, for prediction: every label is 0 (and unused).
    ///
    /// - Throws: `SettingError` (setting `data`) when the columns differ in length, or a
    ///   feature is not a finite number.
    public init(x0: [Double], x1: [Double]) throws(SettingError) {
        try self.init(x0: x0, x1: x1, label: Array(repeating: 0, count: x0.count))
    }

    /// Columns a parser has already checked.
    init(validatedX0 x0: [Double], x1: [Double], label: [Double]) {
        (self.x0, self.x1, self.label) = (x0, x1, label)
    }

    /// Number of samples.
    public var count: Int { label.count }
    /// True when there are no samples.
    public var isEmpty: Bool { label.isEmpty }

    /// Calls `body` with a view of the samples in `range`, valid only during the call.
    @inlinable @discardableResult
    public func withMiniBatch<Result>(
        _ range: Range<Int>, _ body: (MiniBatch) throws -> Result
    ) rethrows -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range out of bounds")
        return try x0.withUnsafeBufferPointer { x0 in
            try x1.withUnsafeBufferPointer { x1 in
                try label.withUnsafeBufferPointer { label in
                    try body(
                        MiniBatch(
                            x0: UnsafeBufferPointer(rebasing: x0[range]),
                            x1: UnsafeBufferPointer(rebasing: x1[range]),
                            label: UnsafeBufferPointer(rebasing: label[range])))
                }
            }
        }
    }

    /// The samples at `indices`, in that order.
    @_spi(Benchmarks) public func selecting(_ indices: some Collection<Int>) -> Dataset {
        var result = Dataset(validatedX0: [], x1: [], label: [])
        result.gather(from: self, at: indices)
        return result
    }

    /// Replaces this dataset's samples with `source`'s samples at `indices`, reusing storage.
    ///
    /// Shuffling an epoch permutes the data into this layout instead of indexing through a
    /// permutation, so the engines always read contiguous columns.
    mutating func gather(from source: Dataset, at indices: some Collection<Int>) {
        resize(to: indices.count)
        let sourceCount = source.count
        // Through buffers, not appends: this runs over every sample of every shuffled epoch.
        source.withMiniBatch(0..<sourceCount) { source in
            withUnsafeMutableColumns { x0, x1, label in
                for (k, i) in indices.enumerated() {
                    precondition(i >= 0 && i < sourceCount, "index out of range")
                    (x0[k], x1[k], label[k]) = (source.x0[i], source.x1[i], source.label[i])
                }
            }
        }
    }

    /// True when both are copies of one storage, none written since: the same samples, known
    /// without comparing them.
    func sharesStorage(with other: Dataset) -> Bool {
        func same(_ a: [Double], _ b: [Double]) -> Bool {
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count } }
        }
        return same(x0, other.x0) && same(x1, other.x1) && same(label, other.label)
    }

    /// `count` samples, keeping the first ones and their storage (new ones are zeros).
    mutating func resize(to count: Int) {
        for column in [\Dataset.x0, \Dataset.x1, \Dataset.label] {
            if self[keyPath: column].count > count {
                self[keyPath: column].removeLast(self[keyPath: column].count - count)
            } else {
                self[keyPath: column].append(contentsOf: repeatElement(0, count: count - self[keyPath: column].count))
            }
        }
    }

    /// Calls `body` with the three columns to overwrite; the caller keeps labels 0 or 1.
    mutating func withUnsafeMutableColumns<Result>(
        _ body: (UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Result
    ) -> Result {
        x0.withUnsafeMutableBufferPointer { x0 in
            x1.withUnsafeMutableBufferPointer { x1 in
                label.withUnsafeMutableBufferPointer { label in body(x0, x1, label) }
            }
        }
    }

    /// Puts the samples in the order `order` gives (sample i becomes the old sample
    /// `order[i]`) in place, following its cycles; `order` is used up as the marks of that.
    ///
    /// - Precondition: `order` is a permutation of `0..<count`.
    mutating func permute(_ order: inout [Int]) {
        precondition(order.count == count, "one position per sample")
        for start in order.indices where order[start] >= 0 {
            let first = (x0[start], x1[start], label[start])
            var position = start
            while true {
                let from = order[position]
                order[position] = -1  // done
                if from == start {
                    (x0[position], x1[position], label[position]) = first
                    break
                }
                (x0[position], x1[position], label[position]) = (x0[from], x1[from], label[from])
                position = from
            }
        }
    }

    /// Keeps the first `count` samples.
    mutating func truncate(to count: Int) {
        x0.removeLast(x0.count - count)
        x1.removeLast(x1.count - count)
        label.removeLast(label.count - count)
    }

    /// How many of `count` samples stay for training when `fraction` of them (rounded to the
    /// nearest sample) is held out for validation.
    package static func trainingCount(of count: Int, validationFraction fraction: Double) -> Int {
        precondition(fraction >= 0 && fraction < 1, "the validation fraction must be in [0, 1)")
        return count - Int((Double(count) * fraction).rounded())
    }

    /// A 64-bit FNV-1a hash of every sample's bits, in order, as 16 hex digits: the same
    /// data gives the same fingerprint on every run and platform.
    package var fingerprint: String { fingerprint(in: .columns) }

    /// `fingerprint`, or with `.rows` the bits of each row in turn, marked as such: the
    /// order an `.npy` file streamed from disk can hash in one pass.
    package func fingerprint(in order: FingerprintOrder) -> String {
        var hash = Fingerprint()
        switch order {
        case .columns: for column in [x0, x1, label] { hash.add(column) }
        case .rows: hash.addRows(self)
        }
        return hash.text(order)
    }

    /// `fingerprint(in: order)` of the samples of an `.npy` file: one pass for `.rows`,
    /// three (one per column) for `.columns`.
    package static func fingerprint(of reader: NPY.Reader, in order: FingerprintOrder) throws(InputError) -> String {
        var hash = Fingerprint()
        var (part, scratch) = (Dataset(validatedX0: [], x1: [], label: []), [Double]())
        for pass in 0..<(order == .columns ? 3 : 1) {
            for start in stride(from: 0, to: reader.rows, by: 1 << 16) {
                try reader.read(start..<min(start + (1 << 16), reader.rows), into: &part, scratch: &scratch)
                switch order {
                case .columns: hash.add(pass == 0 ? part.x0 : pass == 1 ? part.x1 : part.label)
                case .rows: hash.addRows(part)
                }
            }
        }
        return hash.text(order)
    }

    /// Applies `transform` to both features of every sample.
    ///
    /// Consuming: a dataset nobody else holds is transformed in place, without a copy.
    consuming func mapFeatures(_ transform: (Double, Double) -> (Double, Double)) -> Dataset {
        var result = self
        result.x0.withUnsafeMutableBufferPointer { x0 in
            result.x1.withUnsafeMutableBufferPointer { x1 in
                for i in x0.indices { (x0[i], x1[i]) = transform(x0[i], x1[i]) }
            }
        }
        return result
    }
}

/// A contiguous run of samples handed to an engine: three columns of equal length.
///
/// The buffers are borrowed from a `Dataset` and are valid only inside the closure that
/// made them (see `Dataset.withMiniBatch`).
public struct MiniBatch {
    /// The first feature of each sample.
    public let x0: UnsafeBufferPointer<Double>
    /// The second feature of each sample.
    public let x1: UnsafeBufferPointer<Double>
    /// The label of each sample, 0 or 1.
    public let label: UnsafeBufferPointer<Double>

    /// A view of three columns of equal length, valid as long as the memory they point to.
    ///
    /// - Precondition: the columns have the same count.
    @inlinable
    public init(x0: UnsafeBufferPointer<Double>, x1: UnsafeBufferPointer<Double>, label: UnsafeBufferPointer<Double>) {
        precondition(x0.count == x1.count && x1.count == label.count, "columns differ in length")
        self.x0 = x0
        self.x1 = x1
        self.label = label
    }

    /// Number of samples.
    @inlinable public var count: Int { label.count }

    /// One sample of a mini-batch.
    public struct Sample: Sendable, Equatable {
        /// The first feature.
        public var x0: Double
        /// The second feature.
        public var x1: Double
        /// The label: 0 or 1 (0 for data without labels).
        public var label: Double
    }

    /// The samples in order, read without pointers (bounds-checked), for engines written for
    /// clarity rather than speed.
    public var samples: some RandomAccessCollection<Sample> {
        (0..<count).lazy.map { [self] index in Sample(x0: x0[index], x1: x1[index], label: label[index]) }
    }
}

extension MiniBatch {
    /// The samples at positions `range` of this batch.
    @inlinable
    public subscript(range: Range<Int>) -> MiniBatch {
        MiniBatch(
            x0: UnsafeBufferPointer(rebasing: x0[range]),
            x1: UnsafeBufferPointer(rebasing: x1[range]),
            label: UnsafeBufferPointer(rebasing: label[range]))
    }

    /// Calls `body` with consecutive mini-batches of `batchSize` samples, in order; the last
    /// one may be smaller. The one definition of how an epoch is cut into mini-batches.
    ///
    /// - Precondition: `batchSize` ≥ 1.
    @inlinable @inline(__always)
    public func forEachBatch(of batchSize: Int, _ body: (MiniBatch) -> Void) {
        precondition(batchSize >= 1, "the batch size must be at least 1")
        var start = 0
        while start < count {
            let stop = min(start + batchSize, count)
            body(self[start..<stop])
            start = stop
        }
    }
}

/// The order in which a data fingerprint hashes the samples. `.columns` came first and
/// stays what data in memory records, so that earlier checkpoints and sweep folders keep
/// their bytes; a streamed file records `.rows`, which takes one pass over it instead of three.
package enum FingerprintOrder: Sendable {
    case columns, rows

    /// The order `fingerprint` was made in (`.rows` are marked, `.columns` are not).
    package init(of fingerprint: String) {
        self = fingerprint.hasPrefix(Self.rowsMark) ? .rows : .columns
    }

    fileprivate static let rowsMark = "rows-"
}

/// FNV-1a over the bytes of doubles, in the order added.
private struct Fingerprint {
    private var hash: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ values: [Double]) {
        for value in values { add(value) }
    }

    /// Each sample's x0, x1 and label, sample after sample.
    mutating func addRows(_ data: Dataset) {
        for i in data.x0.indices {
            add(data.x0[i])
            add(data.x1[i])
            add(data.label[i])
        }
    }

    private mutating func add(_ value: Double) {
        var bits = value.bitPattern
        for _ in 0..<8 {
            hash = (hash ^ (bits & 0xFF)) &* 0x100_0000_01B3
            bits >>= 8
        }
    }

    /// 16 hexadecimal digits, marked when in `.rows` order.
    func text(_ order: FingerprintOrder) -> String {
        let text = String(hash, radix: 16)
        let digits = String(repeating: "0", count: 16 - text.count) + text
        return order == .rows ? FingerprintOrder.rowsMark + digits : digits
    }
}

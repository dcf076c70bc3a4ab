/// The kernels' data, shared by every instruction-set variant of the kernels (the modules
/// BackpropKernels, BackpropKernelsV3 and BackpropKernelsV4): plain storage here, the
/// arithmetic in the variants, so that each variant's copy is compiled for its CPU.

/// Eight doubles: one vector register of AVX-512, two of AVX2. The padded weight blocks.
package typealias Vector8 = SIMD8<Double>

/// The 2-5-5-1 network's numbers in `SIMD8<Double>` blocks padded from 5 to 8 lanes.
///
/// Lane i of a block belongs to neuron i; lanes 5, 6 and 7 are padding and are exactly 0.0.
/// The same shape holds weights and gradient sums.
@frozen
package struct PaddedBlocks: Sendable {
    /// Lane i: the weight from input x0 to first-layer neuron i.
    package var hidden1Input0 = Vector8()
    /// Lane i: the weight from input x1 to first-layer neuron i.
    package var hidden1Input1 = Vector8()
    package var hidden1Bias = Vector8()
    /// Block j, lane i: the weight from first-layer neuron j to second-layer neuron i (a column of W2).
    package var hidden2Columns = InlineArray<5, Vector8>(repeating: Vector8())
    package var hidden2Bias = Vector8()
    /// Lane j: the weight from second-layer neuron j to the output.
    package var outputWeights = Vector8()
    package var outputBias = 0.0

    /// Lanes 0...4 set, 5...7 clear.
    @inlinable @inline(__always) public static var neuronMask: Vector8 { Vector8(1, 1, 1, 1, 1, 0, 0, 0) }

    package init() {}
}

extension PaddedBlocks {
    /// True when every padding lane is exactly 0.0.
    package var paddingIsZero: Bool {
        var blocks = [hidden1Input0, hidden1Input1, hidden1Bias, hidden2Bias, outputWeights]
        for j in 0..<5 { blocks.append(hidden2Columns[j]) }
        return blocks.allSatisfy { $0[5] == 0 && $0[6] == 0 && $0[7] == 0 }
    }

}

/// The weights as the kernels use them: the padded blocks and a transposed copy of W2.
@frozen
package struct SIMDWeights: Sendable {
    package var blocks: PaddedBlocks
    /// Block i, lane j: the weight from first-layer neuron j to second-layer neuron i (a row
    /// of W2), the transposed copy the backward pass needs; rebuilt after every update.
    package var hidden2Rows = InlineArray<5, Vector8>(repeating: Vector8())

    package init(_ blocks: PaddedBlocks) {
        self.blocks = blocks
        refreshRows()
    }

    /// Rebuilds `hidden2Rows` from the blocks (copies only: the same bits on every variant).
    @inlinable @inline(__always)
    package mutating func refreshRows() {
        for i in 0..<5 {
            for j in 0..<5 { hidden2Rows[i][j] = blocks.hidden2Columns[j][i] }
        }
    }
}

/// An optimizer's state in the kernels' blocks: SGD's momentum buffer or Adam's first moment
/// (`first`), Adam's second moment (`second`), and the steps taken; padding lanes stay 0.0.
@frozen
package struct OptimizerBlocks: Sendable {
    package var first = PaddedBlocks()
    package var second = PaddedBlocks()
    package var steps = 0

    package init() {}
}

/// Gradient and loss sums over some samples, before the division by the batch size.
@frozen
package struct BatchSums: Sendable {
    package var gradient = PaddedBlocks()
    package var loss = 0.0

    package init() {}
}

/// What every copy of the kernels provides (each module's `Kernels` enum): the library
/// calls the copy for its CPU through this protocol.
package protocol KernelSet: SendableMetatype {
    /// SGD steps over consecutive mini-batches of `batchSize` of the `count` samples at
    /// `x0`, `x1` and `label`, mini-batch i at learning rate `rates[i]` while there are rates
    /// (the settings' after them); returns the sum of the samples' losses, each before its
    /// mini-batch's update.
    static func trainEpoch(
        _ weights: inout SIMDWeights, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>, label: UnsafePointer<Double>,
        count: Int, batchSize: Int, settings: UpdateSettings, rates: UnsafeBufferPointer<Double>, state: inout OptimizerBlocks
    ) -> Double
    /// Loss and gradient sums over the `count` samples at `x0`, `x1` and `label`, into `sums`,
    /// each positive sample's terms weighted by `positiveWeight`.
    static func accumulate(
        _ weights: UnsafePointer<SIMDWeights>, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>,
        label: UnsafePointer<Double>, count: Int, positiveWeight: Double, into sums: UnsafeMutablePointer<BatchSums>)
    /// One optimizer step from the sums of a mini-batch of `count` samples.
    static func descend(
        _ weights: UnsafeMutablePointer<SIMDWeights>, along sums: UnsafePointer<BatchSums>, count: Int,
        settings: UpdateSettings, state: UnsafeMutablePointer<OptimizerBlocks>)
    /// Optimizer steps for the eight models of `group`, each by its lane of the group's
    /// rules, over the `count` samples at `x0`, `x1` and `label`; each model's loss sum is
    /// added to its lane of `losses`.
    static func trainPopulation(
        _ group: UnsafeMutablePointer<LaneGroup>, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>,
        label: UnsafePointer<Double>, count: Int, losses: UnsafeMutablePointer<Vector8>)
    /// As the above for two groups on the same samples, with the same bits as a call for
    /// each: at batch 1, side by side.
    static func trainPopulationPair(
        _ group: UnsafeMutablePointer<LaneGroup>, _ other: UnsafeMutablePointer<LaneGroup>, x0: UnsafePointer<Double>,
        x1: UnsafePointer<Double>, label: UnsafePointer<Double>, count: Int, losses: UnsafeMutablePointer<Vector8>,
        otherLosses: UnsafeMutablePointer<Vector8>)
    /// As the first, each model on its own samples: lane l reads positions `start..<start +
    /// count` of its order, sample k being row `orders[l][k]` of `rows[l]` (four doubles a
    /// row: x0, x1, label, unused); the losses go on into `sums`.
    static func trainPopulation(
        _ group: UnsafeMutablePointer<LaneGroup>, rows: UnsafePointer<UnsafePointer<Double>>,
        orders: UnsafePointer<UnsafePointer<UInt32>>, start: Int, count: Int, sums: UnsafeMutablePointer<LaneLossSums>)
    /// As the above for two groups over the same positions, each with its own rows, orders
    /// and sums, with the same bits as a call for each: at batch 1, side by side.
    static func trainPopulationPair(
        _ group: UnsafeMutablePointer<LaneGroup>, rows: UnsafePointer<UnsafePointer<Double>>,
        orders: UnsafePointer<UnsafePointer<UInt32>>, sums: UnsafeMutablePointer<LaneLossSums>,
        _ other: UnsafeMutablePointer<LaneGroup>, rows otherRows: UnsafePointer<UnsafePointer<Double>>,
        orders otherOrders: UnsafePointer<UnsafePointer<UInt32>>, sums otherSums: UnsafeMutablePointer<LaneLossSums>,
        start: Int, count: Int)
    /// sums += other.
    static func add(_ sums: UnsafeMutablePointer<BatchSums>, _ other: UnsafePointer<BatchSums>)
    /// The output logits of the `count` samples at `x0` and `x1`, into `output`.
    static func logits(
        _ weights: UnsafePointer<SIMDWeights>, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>, count: Int,
        into output: UnsafeMutablePointer<Double>)
    /// The predicted probabilities σ(z) of the `count` samples at `x0` and `x1`, into `output`.
    static func probabilities(
        _ weights: UnsafePointer<SIMDWeights>, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>, count: Int,
        into output: UnsafeMutablePointer<Double>)
    /// Σ binary cross-entropy of the samples, as the kernels sum a batch's loss.
    static func crossEntropySum(_ logits: UnsafeBufferPointer<Double>, _ labels: UnsafeBufferPointer<Double>) -> Double
    /// e^x on eight lanes, within 1 ulp inside [-708, 708].
    static func exp(_ x: SIMD8<Double>) -> SIMD8<Double>
    /// σ(z) on eight lanes.
    static func sigmoid(_ z: SIMD8<Double>) -> SIMD8<Double>
}

/// Each lane's running sum of binary cross-entropy in the population kernel, as
/// `CrossEntropySum` sums it but never across lanes: the log terms as the log of each lane's
/// product, taken every 512 samples, with the positives' own product counted w − 1 more
/// times in their lane. Kept across calls, so that calls over consecutive batches sum as one.
@frozen
package struct LaneLossSums: Sendable {
    package var linear = Vector8()
    package var product = Vector8(repeating: 1)
    package var positiveProduct = Vector8(repeating: 1)
    package var logs = Vector8()
    package var positiveLogs = Vector8()
    package var samples = 0

    package init() {}

    package mutating func flush() {
        for lane in 0..<8 {
            logs[lane] += _log(product[lane])
            positiveLogs[lane] += _log(positiveProduct[lane])
        }
        product = Vector8(repeating: 1)
        positiveProduct = Vector8(repeating: 1)
    }

    /// Each lane's sum so far, its positives weighted by 1 + `extraWeight`.
    package func total(extraWeight: Vector8) -> Vector8 {
        var copy = self
        copy.flush()
        return copy.linear + copy.logs + extraWeight * copy.positiveLogs
    }
}

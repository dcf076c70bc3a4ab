import BackpropKernelStorage
import CPUFeatures

/// The population kernel: eight models in the eight lanes, each sample broadcast to all of
/// them. The forward and backward passes are the lanes kernel's (`SIMDWeights.forward` and
/// `backward`), reading a vector of the eight models' values for each parameter instead of
/// one value broadcast. Every operation is lane by lane and nothing is summed across lanes,
/// so a model's numbers never depend on the other models, nor on its lane.
extension Kernels {
    /// Optimizer steps over consecutive mini-batches of the `count` samples at `x0`, `x1` and
    /// `label`, each broadcast to the eight models of `group` (lane l of weight vector p is
    /// parameter p of model l, `ParameterLayout` order), each model at its batch size and by
    /// its lane of the group's rules (the call's end ends every model's batch); adds each
    /// model's loss sum (each sample's weighted loss before its batch's update) to its lane of
    /// `losses`.
    @inline(never)
    package static func trainPopulation(
        _ group: UnsafeMutablePointer<LaneGroup>, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>,
        label: UnsafePointer<Double>, count: Int, losses: UnsafeMutablePointer<Vector8>
    ) {
        var sums = LaneLossSums()
        trainLanes(group, BroadcastSamples(x0: x0, x1: x1, label: label), count: count, sums: &sums)
        losses.pointee += sums.total(extraWeight: group.pointee.rules.positiveWeight - 1)
    }

    /// As `trainPopulation(_:x0:x1:label:count:losses:)` for two groups on the same samples,
    /// with the same bits as a call for each: at batch 1, their steps side by side
    /// (`trainPopulationPair(_:rows:orders:sums:_:rows:orders:sums:start:count:)`).
    @inline(never)
    package static func trainPopulationPair(
        _ group: UnsafeMutablePointer<LaneGroup>, _ other: UnsafeMutablePointer<LaneGroup>, x0: UnsafePointer<Double>,
        x1: UnsafePointer<Double>, label: UnsafePointer<Double>, count: Int, losses: UnsafeMutablePointer<Vector8>,
        otherLosses: UnsafeMutablePointer<Vector8>
    ) {
        var (sums, otherSums) = (LaneLossSums(), LaneLossSums())
        let samples = BroadcastSamples(x0: x0, x1: x1, label: label)
        if group.pointee.isAtBatchOne && other.pointee.isAtBatchOne {
            trainSideBySide(group, samples, &sums, other, samples, &otherSums, count: count)
        } else {
            trainLanes(group, samples, count: count, sums: &sums)
            trainLanes(other, samples, count: count, sums: &otherSums)
        }
        losses.pointee += sums.total(extraWeight: group.pointee.rules.positiveWeight - 1)
        otherLosses.pointee += otherSums.total(extraWeight: other.pointee.rules.positiveWeight - 1)
    }

    /// As `trainPopulation(_:x0:x1:label:count:losses:)`, each model on its own samples:
    /// lane l reads the samples at positions `start..<start + count` of its order, sample k
    /// being row `orders[l][k]` of `rows[l]` (rows of four doubles: x0, x1, label, unused);
    /// the loss goes on into `sums`, so that calls over consecutive whole batches sum as one.
    @inline(never)
    package static func trainPopulation(
        _ group: UnsafeMutablePointer<LaneGroup>, rows: UnsafePointer<UnsafePointer<Double>>,
        orders: UnsafePointer<UnsafePointer<UInt32>>, start: Int, count: Int, sums: UnsafeMutablePointer<LaneLossSums>
    ) {
        trainLanes(group, GatheredSamples(rows: rows, orders: orders, start: start, end: start + count), count: count, sums: sums)
    }

    /// As the gathered `trainPopulation` for two groups over the same positions, each
    /// with its own rows, orders and sums, and the same bits as a call for each.
    ///
    /// At batch 1 in every lane in use of both, their steps run side by side: a step at
    /// batch 1 is a chain of dependent layers and an update, whose latency one group alone
    /// leaves idle (as two samples of one batch are side by side in `trainLanes`).
    /// Otherwise one group after the other.
    @inline(never)
    package static func trainPopulationPair(
        _ group: UnsafeMutablePointer<LaneGroup>, rows: UnsafePointer<UnsafePointer<Double>>,
        orders: UnsafePointer<UnsafePointer<UInt32>>, sums: UnsafeMutablePointer<LaneLossSums>,
        _ other: UnsafeMutablePointer<LaneGroup>, rows otherRows: UnsafePointer<UnsafePointer<Double>>,
        orders otherOrders: UnsafePointer<UnsafePointer<UInt32>>, sums otherSums: UnsafeMutablePointer<LaneLossSums>,
        start: Int, count: Int
    ) {
        let samples = GatheredSamples(rows: rows, orders: orders, start: start, end: start + count)
        let otherSamples = GatheredSamples(rows: otherRows, orders: otherOrders, start: start, end: start + count)
        if group.pointee.isAtBatchOne && other.pointee.isAtBatchOne {
            trainSideBySide(group, samples, sums, other, otherSamples, otherSums, count: count)
        } else {
            trainLanes(group, samples, count: count, sums: sums)
            trainLanes(other, otherSamples, count: count, sums: otherSums)
        }
    }

    /// Two groups at batch 1, a step of each in turn: `trainLanes`' arithmetic at a uniform
    /// batch size of 1, sample by sample.
    @inline(__always)
    static func trainSideBySide<Samples: PopulationSamples>(
        _ group: UnsafeMutablePointer<LaneGroup>, _ samples: Samples, _ sums: UnsafeMutablePointer<LaneLossSums>,
        _ other: UnsafeMutablePointer<LaneGroup>, _ otherSamples: Samples, _ otherSums: UnsafeMutablePointer<LaneLossSums>,
        count: Int
    ) {
        let (weights, first, second) = (vectors(group, \.weights), vectors(group, \.first), vectors(group, \.second))
        let (otherWeights, otherFirst, otherSecond) = (vectors(other, \.weights), vectors(other, \.first), vectors(other, \.second))
        let (w, otherW) = (LaneWeights(base: weights), LaneWeights(base: otherWeights))
        let (extraWeight, otherExtraWeight) = (group.pointee.rules.positiveWeight - 1, other.pointee.rules.positiveWeight - 1)
        let step = group.pointee.rules.learningRate / laneBatchSizes(group).batchSize
        let otherStep = other.pointee.rules.learningRate / laneBatchSizes(other).batchSize
        let (one, all) = (Vector8(repeating: 1), SIMDMask<SIMD8<Int64>>(repeating: true))
        // Each group's gradient sums (51 vectors) and forward pass (15).
        var storage = InlineArray<132, Vector8>(repeating: Vector8())
        withUnsafeMutablePointer(to: &storage) { pointer in
            let base = UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: Vector8.self)
            let (g, otherG) = (base, base + 51)
            let (scratch, otherScratch) = (LaneScratch(base + 102), LaneScratch(base + 117))
            var (loss, otherLoss) = (sums.pointee, otherSums.pointee)
            for s in 0..<count {
                let (a0, a1, ya) = samples[s]
                let (b0, b1, yb) = otherSamples[s]
                let (za, zb) = (SIMDWeights.forward(a0, a1, w, scratch), SIMDWeights.forward(b0, b1, otherW, otherScratch))
                learn(za, a0, a1, ya, w, scratch, extraWeight, &loss, g)
                learn(zb, b0, b1, yb, otherW, otherScratch, otherExtraWeight, &otherLoss, otherG)
                update(group, weights, first, second, g, done: all, all: true, step: step, one)
                update(other, otherWeights, otherFirst, otherSecond, otherG, done: all, all: true, step: otherStep, one)
            }
            (sums.pointee, otherSums.pointee) = (loss, otherLoss)
        }
    }

    /// The population kernel over samples read by `samples`: the same arithmetic lane by lane
    /// whichever way the samples are laid out.
    @inline(__always)
    static func trainLanes<Samples: PopulationSamples>(
        _ group: UnsafeMutablePointer<LaneGroup>, _ samples: Samples, count: Int, sums: UnsafeMutablePointer<LaneLossSums>
    ) {
        let (weights, first, second) = (vectors(group, \.weights), vectors(group, \.first), vectors(group, \.second))
        let (rules, batchSizes) = (group.pointee.rules, group.pointee.batchSizes)
        let learningRates = rules.learningRate
        let extraWeight = rules.positiveWeight - 1
        let (batchSize, idle) = laneBatchSizes(group)
        // One batch size for every lane in use (the usual grid): no lane-by-lane bookkeeping
        // at every sample.
        var uniform: Int? = nil
        for lane in 0..<8 where batchSizes[lane] != .max {
            uniform = uniform == nil || uniform == batchSizes[lane] ? batchSizes[lane] : 0
        }
        if uniform == 0 { uniform = nil }
        var sumStorage = InlineArray<51, Vector8>(repeating: Vector8())
        var scratchStorage = InlineArray<30, Vector8>(repeating: Vector8())
        withUnsafeMutablePointer(to: &sumStorage) { sumPointer in
            withUnsafeMutablePointer(to: &scratchStorage) { scratchPointer in
                let g = UnsafeMutableRawPointer(sumPointer).assumingMemoryBound(to: Vector8.self)
                let scratch = LaneScratch(UnsafeMutableRawPointer(scratchPointer).assumingMemoryBound(to: Vector8.self))
                let otherScratch = LaneScratch(UnsafeMutableRawPointer(scratchPointer).assumingMemoryBound(to: Vector8.self) + 15)
                let w = LaneWeights(base: weights)
                var loss = sums.pointee
                var start = 0
                // Samples in each lane's batch so far: every call starts at a batch's start.
                var inBatch = InlineArray<8, Int>(repeating: 0)
                // As the SIMD engine's step: lr/m, then θ − (lr/m)·Σg, lane by lane.
                let fullStep = learningRates / batchSize
                while start < count {
                    // To the next end of a lane's batch, or of the call (which ends every batch).
                    var size = count - start
                    if let uniform {
                        size = min(size, uniform)
                    } else {
                        for lane in 0..<8 { size = min(size, batchSizes[lane] - inBatch[lane]) }
                    }
                    // Two samples' forward passes side by side: independent work for the
                    // divisions' latency; the sums still add sample by sample, in order.
                    var s = start
                    while s + 1 < start + size {
                        let (a0, a1, ya) = samples[s]
                        let (b0, b1, yb) = samples[s + 1]
                        let (za, zb) = (SIMDWeights.forward(a0, a1, w, scratch), SIMDWeights.forward(b0, b1, w, otherScratch))
                        learn(za, a0, a1, ya, w, scratch, extraWeight, &loss, g)
                        learn(zb, b0, b1, yb, w, otherScratch, extraWeight, &loss, g)
                        s += 2
                    }
                    if s < start + size {
                        let (x0, x1, y) = samples[s]
                        learn(SIMDWeights.forward(x0, x1, w, scratch), x0, x1, y, w, scratch, extraWeight, &loss, g)
                    }
                    start += size
                    // The lanes whose batch is complete step; with one batch size, all of them.
                    var (done, samplesInBatch, full) = (idle, Vector8(repeating: Double(size)), true)
                    if let uniform {
                        (done, full) = (SIMDMask(repeating: true), size == uniform)
                    } else {
                        for lane in 0..<8 {
                            inBatch[lane] += size
                            samplesInBatch[lane] = Double(inBatch[lane])
                            done[lane] = done[lane] || inBatch[lane] == batchSizes[lane] || start == count
                            full = full && (idle[lane] || inBatch[lane] == batchSizes[lane])
                            if done[lane] { inBatch[lane] = 0 }
                        }
                    }
                    let all = uniform != nil || !any(.!done)
                    update(group, weights, first, second, g, done: done, all: all, step: full ? fullStep : learningRates / samplesInBatch, samplesInBatch)
                }
                sums.pointee = loss
            }
        }
    }
}

/// A group's 51 vectors of one kind (weights, first or second moments), in place.
@inline(__always)
private func vectors(_ group: UnsafeMutablePointer<LaneGroup>, _ field: WritableKeyPath<LaneGroup, InlineArray<51, Vector8>>)
    -> UnsafeMutablePointer<Vector8>
{
    UnsafeMutableRawPointer(group.pointer(to: field)!).assumingMemoryBound(to: Vector8.self)
}

/// Each lane's batch size as a number, and the idle lanes (batch size Int.max, which step
/// whenever another lane does, at learning rate 0).
@inline(__always)
private func laneBatchSizes(_ group: UnsafeMutablePointer<LaneGroup>) -> (batchSize: Vector8, idle: SIMDMask<SIMD8<Int64>>) {
    var (batchSize, idle) = (Vector8(repeating: 1), SIMDMask<SIMD8<Int64>>(repeating: false))
    for lane in 0..<8 {
        let size = group.pointee.batchSizes[lane]
        (batchSize[lane], idle[lane]) = (Double(min(size, 1 << 53)), size == .max)
    }
    return (batchSize, idle)
}

extension LaneGroup {
    /// Every lane in use steps after each sample.
    var isAtBatchOne: Bool {
        var (any, all) = (false, true)
        for lane in 0..<8 where batchSizes[lane] != .max { (any, all) = (true, all && batchSizes[lane] == 1) }
        return any && all
    }
}

/// The update of the lanes `done` whose batch is complete (`all`: every lane), each by its
/// rule, from the gradient sums at `g` over `samplesInBatch` samples (plain SGD's `step` is
/// lr/m); clears their sums for the next batch.
@inline(__always)
private func update(
    _ group: UnsafeMutablePointer<LaneGroup>, _ weights: UnsafeMutablePointer<Vector8>, _ first: UnsafeMutablePointer<Vector8>,
    _ second: UnsafeMutablePointer<Vector8>, _ g: UnsafeMutablePointer<Vector8>, done: SIMDMask<SIMD8<Int64>>, all: Bool,
    step: Vector8, _ samplesInBatch: Vector8
) {
    let rules = group.pointee.rules
    if rules.isPlainSGD {
        if all {
            for p in 0..<ParameterLayout.count {
                weights[p] -= step * g[p]
                g[p] = Vector8()
            }
        } else {
            let masked = Vector8().replacing(with: step, where: done)
            for p in 0..<ParameterLayout.count {
                weights[p] -= masked * g[p]
                g[p] = g[p].replacing(with: 0, where: done)
            }
        }
    } else {
        for lane in 0..<8 where done[lane] { group.pointee.steps[lane] += 1 }
        let coefficients = rules.coefficients(steps: group.pointee.steps)
        let scale = Vector8(repeating: 1) / samplesInBatch
        for p in 0..<ParameterLayout.count {
            if all {
                applyUpdate(&weights[p], gradient: g[p] * scale, first: &first[p], second: &second[p], rules.kind, coefficients)
                g[p] = Vector8()
            } else {
                var (stepped, moment, square) = (weights[p], first[p], second[p])
                applyUpdate(&stepped, gradient: g[p] * scale, first: &moment, second: &square, rules.kind, coefficients)
                weights[p].replace(with: stepped, where: done)
                first[p].replace(with: moment, where: done)
                second[p].replace(with: square, where: done)
                g[p].replace(with: 0, where: done)
            }
        }
    }
}

/// Adds the loss of a sample whose output logits are `z3` to `loss`, and its gradient to the
/// sums at `g`, from the forward pass's activations in `scratch`.
@inline(__always)
private func learn(
    _ z3: Vector8, _ x0: Vector8, _ x1: Vector8, _ y: Vector8, _ w: LaneWeights, _ scratch: LaneScratch<Vector8>,
    _ extraWeight: Vector8, _ loss: inout LaneLossSums, _ g: UnsafeMutablePointer<Vector8>
) {
    let output = OutputLanes(logits: z3)
    // c = 1 + (w − 1)·y: a positive sample's loss and delta count w times.
    let weight = multiplyAdd(extraWeight, y, Vector8(repeating: 1))
    loss.add(logits: z3, labels: y, weights: weight, magnitude: output.magnitude, onePlusT: output.onePlusT)
    SIMDWeights.backward((output.probability - y) * weight, x0, x1, w, scratch, into: g)
}

/// How the population kernel reads sample s for its eight lanes.
protocol PopulationSamples {
    subscript(_ s: Int) -> (x0: Vector8, x1: Vector8, label: Vector8) { get }
}

/// One sample for every lane.
struct BroadcastSamples: PopulationSamples {
    let x0: UnsafePointer<Double>, x1: UnsafePointer<Double>, label: UnsafePointer<Double>
    @inline(__always) subscript(_ s: Int) -> (x0: Vector8, x1: Vector8, label: Vector8) {
        (Vector8(repeating: x0[s]), Vector8(repeating: x1[s]), Vector8(repeating: label[s]))
    }
}

/// Each lane its own sample, gathered from its rows through its order, the rows of a
/// later step asked for meanwhile so that their reads overlap the arithmetic.
struct GatheredSamples: PopulationSamples {
    let rows: UnsafePointer<UnsafePointer<Double>>, orders: UnsafePointer<UnsafePointer<UInt32>>
    let start: Int, end: Int

    /// Steps ahead to prefetch: a step takes 100-200 ns, a row from memory about 100.
    static let ahead = 4

    @inline(__always) subscript(_ s: Int) -> (x0: Vector8, x1: Vector8, label: Vector8) {
        let position = start + s
        var (x0, x1, label) = (Vector8(), Vector8(), Vector8())
        for lane in 0..<8 {
            let row = rows[lane] + 4 * Int(orders[lane][position])
            (x0[lane], x1[lane], label[lane]) = (row[0], row[1], row[2])
        }
        if position + Self.ahead < end {
            for lane in 0..<8 { backprop_prefetch(rows[lane] + 4 * Int(orders[lane][position + Self.ahead])) }
        }
        return (x0, x1, label)
    }
}

/// The eight models' values of each parameter, one vector each.
struct LaneWeights: LaneOperands {
    let base: UnsafeMutablePointer<Vector8>
    @inline(__always) subscript(_ index: Int) -> Vector8 { base[index] }
}

extension LaneLossSums {
    /// Adds a sample's losses, weighted by `c` (1, or w for a positive).
    @inline(__always)
    mutating func add(logits z: Vector8, labels y: Vector8, weights c: Vector8, magnitude: Vector8, onePlusT: Vector8) {
        linear = multiplyAdd(c, multiplyAdd(-z, y, (z + magnitude) * 0.5), linear)
        product *= onePlusT
        positiveProduct *= multiplyAdd(y, onePlusT - 1, Vector8(repeating: 1))
        samples += 1
        if samples & 511 == 0 { flush() }
    }
}

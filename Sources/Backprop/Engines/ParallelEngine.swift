import BackpropKernelStorage
import Dispatch
import Synchronization

/// The SIMD kernels on several cores: each mini-batch is cut into shards (see
/// `nextShardSize(left:)`), the shards' gradient sums are added in shard order, and one
/// update follows.
///
/// Shard boundaries depend only on the mini-batch, never on the number of threads, and
/// each shard writes its own slot, so every thread count gives the same bits. Threads stay
/// in one `DispatchQueue.concurrentPerform` for a whole epoch (`trainEpoch`): they claim
/// shards in order from a shared counter, a thread that claims a shard of the next batch
/// waits until the current one is applied, and the thread that finishes a batch's last
/// shard adds the slots and updates the weights. No thread ever waits for work that
/// another thread has not started, so the epoch completes even if Dispatch runs the
/// iterations one after another.
///
/// A value like every engine: a copy is independent of the original. The worker state (the
/// weights, the shard slots, the counters) lives in a private object, copied on the first
/// change after a copy was made.
public struct ParallelEngine: TrainingEngine {
    public static let name = "parallel"

    private var workers: ParallelWorkers

    public init(parameters: Parameters, options: EngineOptions) {
        workers = ParallelWorkers(weights: SIMDWeights(PaddedBlocks(parameters)), threads: options.threads, kernel: options.kernel)
    }

    /// Worker threads for large mini-batches.
    public var threads: Int { workers.threads }

    /// The copy of the kernels this engine runs (`EngineOptions.kernel`).
    public var kernel: KernelVariant { workers.kernel }

    public var parameters: Parameters {
        get { workers.weights.pointee.blocks.parameters() }
        set { uniqueWorkers().weights.pointee = SIMDWeights(PaddedBlocks(newValue)) }
    }

    @discardableResult
    public mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, rule: UpdateRule, state: inout OptimizerState) -> Double {
        trainEpoch(data, batchSize: batchSize, rule: rule, rates: .noRates, state: &state)
    }

    /// The optimizer's steps on each mini-batch in turn, each at its rate, in one call.
    @discardableResult
    public mutating func trainEpoch(
        _ data: MiniBatch, batchSize: Int, rule: UpdateRule, rates: UnsafeBufferPointer<Double>, state: inout OptimizerState
    ) -> Double {
        precondition(batchSize >= 1, "the batch size must be at least 1")
        guard data.count > 0 else { return 0 }
        let settings = rule.settings
        let workers = uniqueWorkers()
        workers.state.pointee = state.blocks
        defer { if !settings.isPlainSGD { state = OptimizerState(workers.state.pointee) } }
        return workers.run(data, batchSize: batchSize, settings: settings, rates: rates)
    }

    public func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
        workers.lossAndGradients(batch, positiveWeight: positiveWeight)
    }

    public func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        kernel.forward(workers.weights, inputs, into: output, probabilities: false)
    }

    /// The probabilities through the kernels' vector sigmoid, as in `SIMDEngine`.
    public func predict(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        kernel.forward(workers.weights, inputs, into: output, probabilities: true)
    }

    /// True when every padding lane of every weight block is exactly 0.0.
    var paddingIsZero: Bool { workers.weights.pointee.blocks.paddingIsZero }

    /// The workers, copied first if another copy of this engine shares them.
    private mutating func uniqueWorkers() -> ParallelWorkers {
        if !isKnownUniquelyReferenced(&workers) {
            workers = ParallelWorkers(weights: workers.weights.pointee, threads: workers.threads, kernel: workers.kernel)
        }
        return workers
    }
}

/// The parallel engine's state and threads: the weights, one slot of sums per shard, and the
/// counters through which the threads claim shards. One engine value's own; never shared
/// by two values that change.
final class ParallelWorkers: @unchecked Sendable {
    /// The smallest shard: below two of these a batch is not split.
    static let minimumShardSize = 128

    /// Of the samples of a mini-batch not yet in a shard, the next shard takes 1/`shardDivisor`.
    static let shardDivisor = 4

    /// The size of the next shard of a mini-batch when `left` of its samples are in none yet.
    ///
    /// Big shards first, each a quarter of the samples left, rounded up to a multiple of 16
    /// (the lanes kernel's step) and at least `minimumShardSize`: few shards carry the work,
    /// and the last ones, where one thread may wait for another to finish the batch, are
    /// small. Under `parallelThreshold` the samples left are one shard, so no shard but a
    /// whole batch is smaller than `minimumShardSize`. A function of the batch alone, never
    /// of the thread count. (How these sizes were chosen: docs/Design.md.)
    ///
    /// - Complexity: O(1).
    @inline(__always)
    static func nextShardSize(left: Int) -> Int {
        guard left >= parallelThreshold else { return left }
        return max(minimumShardSize, (left / shardDivisor + 15) / 16 * 16)
    }

    /// Calls `body` with the index and the samples of each shard of a mini-batch of `count`
    /// samples, in order: the one definition of the shards that every path walks.
    @inline(__always)
    static func forEachShard(ofBatch count: Int, _ body: (_ index: Int, _ samples: Range<Int>) -> Void) {
        var (index, start) = (0, 0)
        while start < count {
            let size = nextShardSize(left: count - start)
            body(index, start..<(start + size))
            (index, start) = (index + 1, start + size)
        }
    }

    /// The number of shards of a mini-batch of `count` samples.
    static func shardCount(forBatch count: Int) -> Int {
        var shards = 0
        forEachShard(ofBatch: count) { index, _ in shards = index + 1 }
        return shards
    }

    /// Mini-batches smaller than this (one shard) run on the calling thread, with the same
    /// arithmetic: handing one shard to a worker costs more than it saves.
    static let parallelThreshold = 2 * minimumShardSize

    /// Worker threads for large mini-batches.
    let threads: Int

    /// Behind a pointer, not a stored property: a class's stored properties pay a dynamic
    /// exclusivity check on every access, which cost 20% at batch size 1.
    let weights: UnsafeMutablePointer<SIMDWeights>
    /// The optimizer's state during `run`, behind a pointer for the same reason.
    let state: UnsafeMutablePointer<OptimizerBlocks>
    private var slots: UnsafeMutablePointer<BatchSums>
    private var slotCapacity: Int
    /// The shard bounds of a full mini-batch and of the last one (`slotCapacity` + 1 each).
    private var fullBounds: UnsafeMutablePointer<Int>
    private var lastBounds: UnsafeMutablePointer<Int>
    /// Tasks claimed (below bit 32) and finished (from bit 32 up): a thread that finishes a
    /// shard claims its next one in the same atomic operation, each of which waits for the
    /// cache line to come from the other core (50-190 ns on the machine measured).
    private let progress = PaddedCounter()
    /// Batches applied; a thread waiting for an update reads it in a loop.
    private let batchesDone = PaddedCounter()
    private var lossSum = 0.0

    /// The copy of the kernels the threads run.
    let kernel: KernelVariant

    init(weights: SIMDWeights, threads: Int, kernel: KernelVariant) {
        self.threads = threads
        self.kernel = kernel
        self.weights = .allocate(capacity: 1)
        self.weights.initialize(to: weights)
        state = .allocate(capacity: 1)
        state.initialize(to: OptimizerBlocks())
        slotCapacity = 32  // enough for batches up to about 2^20 samples
        slots = .allocate(capacity: slotCapacity)
        slots.initialize(repeating: BatchSums(), count: slotCapacity)
        fullBounds = .allocate(capacity: slotCapacity + 1)
        lastBounds = .allocate(capacity: slotCapacity + 1)
    }

    deinit {
        weights.deinitialize(count: 1)
        weights.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
        slots.deinitialize(count: slotCapacity)
        slots.deallocate()
        fullBounds.deallocate()
        lastBounds.deallocate()
    }

    func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
        precondition(batch.count > 0, "a mini-batch needs at least one sample")
        var (total, spare) = (BatchSums(), BatchSums())
        shardSums(weights, batch, positiveWeight: positiveWeight, into: &total, spare: &spare)
        let m = Double(batch.count)
        return (total.loss / m, total.gradient.parameters(scaledBy: 1 / m))
    }

    /// The sums of a whole batch into `total`, shard by shard in order (what `run` computes
    /// for one batch on several threads).
    private func shardSums(
        _ weights: UnsafePointer<SIMDWeights>, _ batch: MiniBatch, positiveWeight: Double, into total: inout BatchSums,
        spare: inout BatchSums
    ) {
        Self.forEachShard(ofBatch: batch.count) { index, samples in
            if index == 0 {
                kernel.accumulate(weights, batch[samples], positiveWeight: positiveWeight, into: &total)
            } else {
                kernel.accumulate(weights, batch[samples], positiveWeight: positiveWeight, into: &spare)
                kernel.kernels.add(&total, &spare)
            }
        }
    }

    /// Room for the bounds and the sums of `shards` shards (grown rarely: never in a steady run).
    private func reserveShards(_ shards: Int) {
        guard shards > slotCapacity else { return }
        slots.deinitialize(count: slotCapacity)
        slots.deallocate()
        fullBounds.deallocate()
        lastBounds.deallocate()
        slotCapacity = 2 * shards
        slots = .allocate(capacity: slotCapacity)
        slots.initialize(repeating: BatchSums(), count: slotCapacity)
        fullBounds = .allocate(capacity: slotCapacity + 1)
        lastBounds = .allocate(capacity: slotCapacity + 1)
    }

    /// Writes the shard bounds of a batch of `count` samples to `bounds`; returns the shards.
    private static func fill(_ bounds: UnsafeMutablePointer<Int>, forBatch count: Int) -> Int {
        var shards = 0
        bounds[0] = 0
        forEachShard(ofBatch: count) { index, samples in
            bounds[index + 1] = samples.upperBound
            shards = index + 1
        }
        return shards
    }

    /// Trains on consecutive mini-batches of `data`, from and into `state`, mini-batch i at
    /// learning rate `rates[i]` while there are rates; returns the sum of the samples' losses, each
    /// before its batch's update (added batch by batch, in order).
    func run(_ data: MiniBatch, batchSize: Int, settings: UpdateSettings, rates: UnsafeBufferPointer<Double> = .noRates) -> Double {
        let positiveWeight = settings.positiveWeight
        if min(batchSize, data.count) < Self.parallelThreshold {
            // Every batch is one shard: the SIMD engine's epoch, on the calling thread.
            return kernel.trainEpoch(
                &weights.pointee, on: data, batchSize: batchSize, settings: settings, rates: rates, state: &state.pointee)
        }
        // Read only, by the thread applying a batch.
        nonisolated(unsafe) let rates = rates
        @Sendable func batchSettings(_ batch: Int) -> UpdateSettings {
            guard batch < rates.count else { return settings }
            var batchSettings = settings
            batchSettings.learningRate = rates[batch]
            return batchSettings
        }
        guard threads > 1 else {
            // On the calling thread: the same shards added in the same order, so the same bits.
            var (total, spare) = (BatchSums(), BatchSums())
            var (loss, index) = (0.0, 0)
            data.forEachBatch(of: batchSize) { batch in
                shardSums(weights, batch, positiveWeight: positiveWeight, into: &total, spare: &spare)
                kernel.kernels.descend(weights, along: &total, count: batch.count, settings: batchSettings(index), state: state)
                loss += total.loss
                index += 1
            }
            return loss
        }
        let batchCount = (data.count + batchSize - 1) / batchSize
        let fullBatch = min(batchSize, data.count)
        let lastBatch = data.count - (batchCount - 1) * batchSize
        reserveShards(Self.shardCount(forBatch: fullBatch))  // the last batch has no more
        let shardsPerBatch = Self.fill(fullBounds, forBatch: fullBatch)
        let lastBatchShards = Self.fill(lastBounds, forBatch: lastBatch)
        let taskCount = (batchCount - 1) * shardsPerBatch + lastBatchShards
        // Read only by the workers during this call.
        nonisolated(unsafe) let (fullBounds, lastBounds) = (self.fullBounds, self.lastBounds)
        progress.value.store(0, ordering: .relaxed)
        batchesDone.value.store(0, ordering: .relaxed)
        lossSum = 0
        // A borrowed view, valid for this call: the workers only read it.
        nonisolated(unsafe) let data = data
        let kernels = kernel.kernels
        nonisolated(unsafe) let optimizerState = state  // written only by the thread applying a batch

        // One finished task in `progress`; claims, which can run past the last task by one a
        // thread, count below it.
        let finishedOne = 1 << 32
        precondition(taskCount + threads < finishedOne, "too many shards in one epoch")
        @Sendable func work() {
            var task = progress.value.wrappingAdd(1, ordering: .relaxed).oldValue % finishedOne
            while task < taskCount {
                let batch = task / shardsPerBatch
                let shard = task % shardsPerBatch
                // Wait for the previous batch's update; only a thread inside its last
                // shard can be holding it up, and that thread is running.
                var spins = 0
                while batchesDone.value.load(ordering: .acquiring) < batch {
                    spins += 1
                    if spins > 2000 { System.yieldThread() }
                }
                let batchStart = batch * batchSize
                let count = min(batchSize, data.count - batchStart)
                let isLast = batch == batchCount - 1
                let bounds = isLast ? lastBounds : fullBounds
                kernel.accumulate(
                    weights, data[(batchStart + bounds[shard])..<(batchStart + bounds[shard + 1])],
                    positiveWeight: positiveWeight, into: slots + shard)
                let before = progress.value.wrappingAdd(finishedOne + 1, ordering: .acquiringAndReleasing).oldValue
                let shards = isLast ? lastBatchShards : shardsPerBatch
                if before / finishedOne + 1 == batch * shardsPerBatch + shards {
                    for index in 1..<shards { kernels.add(slots, slots + index) }
                    kernels.descend(weights, along: slots, count: count, settings: batchSettings(batch), state: optimizerState)
                    lossSum += slots[0].loss
                    batchesDone.value.store(batch + 1, ordering: .releasing)
                }
                task = before % finishedOne
            }
        }

        DispatchQueue.concurrentPerform(iterations: threads) { _ in work() }
        return lossSum
    }
}

/// An atomic counter with 64 bytes of nothing on either side, so that it never shares a
/// cache line with another (Swift cannot align a stored property): the threads write the
/// counters in turn.
private struct PaddedCounter: ~Copyable {
    private let before = InlineArray<8, Int>(repeating: 0)
    let value = Atomic<Int>(0)
    private let after = InlineArray<8, Int>(repeating: 0)
}

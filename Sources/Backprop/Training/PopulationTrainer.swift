import BackpropKernelStorage
import Dispatch
import Synchronization

/// Trains many models at once, one per lane of the population kernel: a sweep at the speed
/// of the SIMD lanes.
///
/// Each model is a `TrainingConfiguration` on data of its own, trained as `Trainer<LaneEngine>`
/// trains it alone: the same split, standardisation and order drawn from its seed, the same
/// validation, early stopping, reports and checkpoints, and the same bits, whichever models
/// share its lanes and on any thread count (the kernel computes every lane on its own).
///
/// Models share a group of eight lanes when they share the kind of update (plain SGD, SGD
/// with momentum or weight decay, Adam, AdamW: the kernel runs one update a group), the batch
/// size and the number of training samples (a group steps through its epochs together), and,
/// when resumed, where their checkpoints stand. Seeds, learning rates, the optimizers'
/// settings and the positive weight differ freely: each lane reads its own samples in its
/// own order, and models of one seed and data share one copy of the samples. Groups run on
/// `options.threads` threads, a group on one. A model that stops early or diverges leaves its
/// lane idle while the others go on.
///
/// A stop request (`TrainingCallbacks.shouldStop`) checkpoints each model as it stood when
/// the epoch under way began. The configurations' own settings are checked as `Trainer` checks them.
public struct PopulationTrainer: Sendable {
    /// One configuration a model.
    public var configurations: [TrainingConfiguration]
    /// Threads for the groups (at most one a group), and the copy of the kernels.
    public var options: EngineOptions

    /// A population of one model per configuration.
    public init(_ configurations: [TrainingConfiguration], options: EngineOptions = EngineOptions()) {
        self.configurations = configurations
        self.options = options
    }

    /// A population that cannot be trained as given: what is wrong, naming the model.
    public struct SetupError: Error, CustomStringConvertible, Equatable, Sendable {
        /// What is wrong.
        public var message: String
        public var description: String { message }
    }

    /// Trains model i on `data[i]`, from `start` (or its seed's random weights), or from
    /// `checkpoints[i]` when given, reporting through `callbacks(i)`.
    ///
    /// - Returns: every model's result, in order, as `Trainer<LaneEngine>.run` returns it.
    /// - Throws: `SetupError`, before any training, when there is not one data set (and no
    ///   checkpoint, or one a configuration) a configuration, a model cannot train as
    ///   `Trainer.run(on:from:resuming:callbacks:)` refuses it (its `SettingError`), or has
    ///   2^32 samples or more.
    public func run(
        on data: [Dataset], from start: Model? = nil, resuming checkpoints: [TrainingProgress?] = [],
        callbacks: @escaping @Sendable (Int) -> TrainingCallbacks = { _ in TrainingCallbacks() }
    ) throws(SetupError) -> [TrainingResult<LaneEngine>] {
        let results = Mutex([TrainingResult<LaneEngine>?](repeating: nil, count: configurations.count))
        try run(on: data, from: start, resuming: checkpoints, callbacks: callbacks) { model, result in results.withLock { $0[model] = result } }
        return results.withLock { $0.map { $0! } }
    }

    /// As `run(on:from:resuming:callbacks:)`, handing each model's result to `onFinish` as the
    /// model ends, on the thread of its group, and keeping none: memory for the groups under
    /// way only, however many models.
    public func run(
        on data: [Dataset], from start: Model? = nil, resuming checkpoints: [TrainingProgress?] = [],
        callbacks: @escaping @Sendable (Int) -> TrainingCallbacks = { _ in TrainingCallbacks() },
        onFinish: @escaping @Sendable (Int, TrainingResult<LaneEngine>) -> Void
    ) throws(SetupError) {
        if let problem = problem(data: data, checkpoints: checkpoints) { throw SetupError(message: problem) }
        do {
            try train(data.map(LaneData.memory), from: start, resuming: checkpoints, callbacks: callbacks, onFinish: onFinish)
        } catch {
            fatalError("samples in memory cannot fail to be read: \(error)")  // only files can
        }
    }

    /// Trains every model on the `.npy` file `reader` reads, streamed from disk, from
    /// `start` (or its seed's random weights), or from `checkpoints[i]` when given, each as
    /// `Trainer<LaneEngine>.run(streaming:)` trains it alone (memory: a few chunks of the
    /// file for each seed's order, whatever its size).
    ///
    /// - Returns: every model's result, in order.
    /// - Throws: `SetupError`, before any training, when there is not one checkpoint a
    ///   configuration (or none), or a model cannot train as `Trainer.run(streaming:)`
    ///   refuses it (its `SettingError`: a validation split, a shuffle sample by sample);
    ///   `InputError` when the file cannot be read, after every model under way was
    ///   checkpointed as at a stop request.
    public func run(
        streaming reader: NPY.Reader, from start: Model? = nil, resuming checkpoints: [TrainingProgress?] = [],
        callbacks: @escaping @Sendable (Int) -> TrainingCallbacks = { _ in TrainingCallbacks() }
    ) throws -> [TrainingResult<LaneEngine>] {
        let results = Mutex([TrainingResult<LaneEngine>?](repeating: nil, count: configurations.count))
        try run(streaming: reader, from: start, resuming: checkpoints, callbacks: callbacks) { model, result in results.withLock { $0[model] = result } }
        return results.withLock { $0.map { $0! } }
    }

    /// As `run(streaming:from:resuming:callbacks:)`, handing each model's result to
    /// `onFinish` as the model ends and keeping none.
    public func run(
        streaming reader: NPY.Reader, from start: Model? = nil, resuming checkpoints: [TrainingProgress?] = [],
        callbacks: @escaping @Sendable (Int) -> TrainingCallbacks = { _ in TrainingCallbacks() },
        onFinish: @escaping @Sendable (Int, TrainingResult<LaneEngine>) -> Void
    ) throws {
        if let problem = problem(streaming: reader, checkpoints: checkpoints) { throw SetupError(message: problem) }
        // One pass over the file fits the standardisation of every model that fits one.
        let fits = configurations.indices.contains { index in
            let checkpoint = checkpoints.isEmpty ? nil : checkpoints[index]
            return checkpoint == nil && start?.standardization == nil && configurations[index].standardize
        }
        let fitted = fits ? try Standardization(fitting: FileRows(reader: reader, standardization: nil)) : nil
        try train(
            Array(repeating: .streamed(reader, fitted: fitted), count: configurations.count), from: start, resuming: checkpoints,
            callbacks: callbacks, onFinish: onFinish)
    }

    /// Trains model i on `data[i]` in groups on `options.threads` threads; a read error
    /// stops every group (each model checkpointed as at a stop request) and is thrown.
    private func train(
        _ data: [LaneData], from start: Model?, resuming checkpoints: [TrainingProgress?],
        callbacks: @escaping @Sendable (Int) -> TrainingCallbacks, onFinish: @escaping @Sendable (Int, TrainingResult<LaneEngine>) -> Void
    ) throws(InputError) {
        let models = configurations.indices.map { index in
            Lane.Plan(
                index: index, configuration: configurations[index].with(options.kernel), data: data[index], start: start,
                checkpoint: checkpoints.isEmpty ? nil : checkpoints[index], stopInterval: callbacks(index).stopInterval)
        }
        let groups = Self.groups(of: models)
        let units = Self.units(of: groups, models: models, threads: options.threads)
        let next = Atomic<Int>(0)
        let failure = Mutex<InputError?>(nil)
        let kernels = options.kernel.kernels
        @Sendable func work() {
            while failure.withLock({ $0 == nil }) {
                let unit = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard unit < units.count else { return }
                do throws(InputError) {
                    var runs: [GroupRun] = []
                    for group in units[unit] { runs.append(try GroupRun(groups[group].map { models[$0] }, callbacks: callbacks)) }
                    try GroupRun.train(&runs, kernels, abandon: { failure.withLock { $0 != nil } }, finished: onFinish)
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
        }
        let threads = min(options.threads, units.count)
        if threads <= 1 { work() } else { DispatchQueue.concurrentPerform(iterations: threads) { _ in work() } }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// What keeps a population from streaming `reader` with these checkpoints, if anything.
    private func problem(streaming reader: NPY.Reader, checkpoints: [TrainingProgress?]) -> String? {
        if !checkpoints.isEmpty && checkpoints.count != configurations.count {
            return "\(checkpoints.count) checkpoints for \(configurations.count) configurations"
        }
        for index in configurations.indices {
            do throws(SettingError) {
                try Trainer<LaneEngine>(configurations[index]).check(streaming: reader, resuming: checkpoints.isEmpty ? nil : checkpoints[index])
            } catch {
                return "model \(index): \(error)"
            }
        }
        return nil
    }

    /// What keeps these data and checkpoints from training, if anything.
    private func problem(data: [Dataset], checkpoints: [TrainingProgress?]) -> String? {
        if data.count != configurations.count { return "\(data.count) data sets for \(configurations.count) configurations" }
        if !checkpoints.isEmpty && checkpoints.count != configurations.count {
            return "\(checkpoints.count) checkpoints for \(configurations.count) configurations"
        }
        for (index, samples) in data.enumerated() {
            do throws(SettingError) {
                try Trainer<LaneEngine>(configurations[index]).check(samples: samples.count, resuming: checkpoints.isEmpty ? nil : checkpoints[index])
            } catch {
                return "model \(index): \(error)"
            }
            if samples.count > Int(UInt32.max) { return "model \(index): \(samples.count) samples; a population trains on fewer than 2^32" }
        }
        return nil
    }

    /// What a thread trains at once: a group, or two groups of one key at batch 1, whose
    /// steps the kernel runs side by side (`trainPopulationPair`), when there are groups
    /// enough to keep every thread busy with pairs.
    static func units(of groups: [[Int]], models: [Lane.Plan], threads: Int) -> [[Int]] {
        guard groups.count >= 2 * threads else { return groups.indices.map { [$0] } }
        var units: [[Int]] = []
        var waiting: [Lane.GroupKey: Int] = [:]
        for (index, group) in groups.enumerated() {
            let key = models[group[0]].groupKey
            guard group.allSatisfy({ models[$0].settings.batchSize == 1 }) else {
                units.append([index])
                continue
            }
            if let unit = waiting.removeValue(forKey: key) { units[unit].append(index) } else {
                waiting[key] = units.count
                units.append([index])
            }
        }
        return units
    }

    /// The models' groups, in order: each a model and the next ones of its key, up to eight.
    static func groups(of models: [Lane.Plan]) -> [[Int]] {
        var groups: [[Int]] = []
        var open: [Lane.GroupKey: Int] = [:]
        for model in models {
            let key = model.groupKey
            if open[key].map({ groups[$0].count == 8 }) ?? true {
                open[key] = groups.count
                groups.append([])
            }
            groups[open[key]!].append(model.index)
        }
        return groups
    }
}

extension TrainingConfiguration {
    /// The configuration on one thread with `kernel`: a lane's engine.
    fileprivate func with(_ kernel: KernelVariant) -> TrainingConfiguration {
        var copy = self
        copy.engineOptions = EngineOptions(threads: 1, kernel: kernel)
        return copy
    }
}

/// One model of a population, in its lane.
struct Lane {
    /// A model to train: its configuration, data, start and checkpoint.
    struct Plan: Sendable {
        let index: Int
        let configuration: TrainingConfiguration
        let data: LaneData
        let start: Model?
        let checkpoint: TrainingProgress?
        /// Its callbacks' `stopInterval`: samples between stop requests.
        let stopInterval: Int

        var trainer: Trainer<LaneEngine> { Trainer(configuration) }

        /// The settings the run takes (a checkpoint's, when resumed).
        var settings: TrainingConfiguration { trainer.settings(resuming: checkpoint) }

        var groupKey: GroupKey {
            let configuration = settings
            let settings = configuration.rule.settings
            let count = Dataset.trainingCount(of: data.count, validationFraction: configuration.validationFraction)
            return GroupKey(
                kind: settings.kind, plainSGD: settings.isPlainSGD, trainingCount: count,
                chunk: Self.chunk(batchSize: configuration.batchSize, count: count, stopInterval: stepInterval),
                epochsCompleted: checkpoint?.epochsCompleted ?? 0,
                position: min(count, (checkpoint?.batchesCompleted ?? 0) * configuration.batchSize))
        }

        /// The samples between calls to the engine, as `Trainer` makes them: `stopInterval`,
        /// or one mini-batch for a schedule that changes the rate every mini-batch.
        var stepInterval: Int { settings.schedule.stepsEveryBatch ? 1 : stopInterval }

        /// The samples `Trainer` hands its engine at once: whole batches, about `stopInterval`.
        static func chunk(batchSize: Int, count: Int, stopInterval: Int) -> Int {
            min(count, max(1, stopInterval / batchSize) * batchSize)
        }

        /// What decides the model's training samples: models of equal keys share their rows.
        /// Without a validation split the training samples are the data, whatever the seed.
        func rowsKey(dataOwner: Int) -> RowsKey {
            let configuration = settings
            let split = configuration.validationFraction == 0 ? nil : "\(configuration.seed) \(randomStart) \(configuration.validationFraction) \(configuration.shuffle)"
            return RowsKey(
                dataOwner: dataOwner, split: split, standardize: configuration.standardize,
                resumedStandardization: checkpoint.map { $0.model.standardization })
        }

        /// What decides the model's samples and their orders: models of equal keys share them.
        func samplesKey(dataOwner: Int) -> SamplesKey {
            let configuration = settings
            return SamplesKey(
                rows: rowsKey(dataOwner: dataOwner), seed: configuration.seed, randomStart: randomStart,
                shuffle: IndexedSamples.Shuffle(configuration), resumedGenerator: checkpoint?.epochGenerator)
        }

        var randomStart: Bool { checkpoint?.randomStart ?? (start == nil) }
    }

    /// What models of one group share: the kernel's update, and the steps through the
    /// epochs: the same calls to the kernel (chunks of whole batches of every lane's, as
    /// `Trainer` makes them), so that each lane's loss sums come out as alone.
    struct GroupKey: Hashable {
        let kind: UpdateSettings.Kind
        let plainSGD: Bool
        let trainingCount: Int
        let chunk: Int
        let epochsCompleted: Int
        let position: Int
    }

    /// Where the key of streamed lanes' shared samples differs: the rows as standardised,
    /// the order's kind and the generator it is drawn from.
    struct StreamKey: Equatable {
        let standardization: Standardization?
        let shuffle: IndexedSamples.Shuffle
        let generator: SplitMix64
    }

    struct RowsKey: Equatable {
        /// The first model of the group whose data is this model's.
        let dataOwner: Int
        /// The validation split's seed and settings; nil without one.
        let split: String?
        let standardize: Bool
        let resumedStandardization: Standardization??
    }

    struct SamplesKey: Equatable {
        let rows: RowsKey
        let seed: UInt64
        let randomStart: Bool
        let shuffle: IndexedSamples.Shuffle
        let resumedGenerator: SplitMix64?
    }

    let model: Int
    var loop: EpochLoop<LaneEngine>
    let samples: any LaneSamples
    let callbacks: TrainingCallbacks
    /// The progress as the epoch under way began: what a stop request checkpoints.
    var epochStart: TrainingProgress

    var isRunning: Bool { loop.progress.outcome == .running && loop.progress.epochsCompleted < loop.configuration.epochs }
}

/// A model's data: in memory, or a file streamed from disk with the standardisation fitted
/// to it (for the models that fit one).
enum LaneData: Sendable {
    case memory(Dataset)
    case streamed(NPY.Reader, fitted: Standardization?)

    var count: Int {
        switch self {
        case .memory(let data): data.count
        case .streamed(let reader, _): reader.rows
        }
    }
}

/// The epochs of one group of up to eight models, in the lanes of one `LaneGroup`.
private struct GroupRun {
    var lanes: [Lane] = []
    var group: LaneGroup
    /// Samples a call to the kernel.
    let chunk: Int

    init(_ models: [Lane.Plan], callbacks: (Int) -> TrainingCallbacks) throws(InputError) {
        typealias Rows = (key: Lane.RowsKey, rows: LaneRows, validation: Dataset?, generator: SplitMix64, standardization: Standardization?)
        var sharedRows: [Rows] = []
        var sharedSamples: [(key: Lane.SamplesKey, samples: IndexedSamples)] = []
        var sharedStreams: [(key: Lane.StreamKey, samples: StreamedLaneSamples)] = []
        for (position, model) in models.enumerated() {
            guard case .memory(let data) = model.data else {
                guard case .streamed(let reader, let fitted) = model.data else { preconditionFailure() }
                let (progress, streamed) = try model.trainer.prepareStreamedRun(reader, from: model.start, resuming: model.checkpoint) {
                    fitted!  // fitted beforehand for every model that fits one
                }
                let key = Lane.StreamKey(
                    standardization: progress.model.standardization, shuffle: IndexedSamples.Shuffle(progress.configuration),
                    generator: progress.epochGenerator)
                let samples: StreamedLaneSamples
                if let found = sharedStreams.first(where: { $0.key == key }) {
                    samples = found.samples
                } else {
                    samples = StreamedLaneSamples(streamed)
                    sharedStreams.append((key, samples))
                }
                let loop = EpochLoop<LaneEngine>(progress: progress, samples: samples, validation: nil, engine: nil)
                lanes.append(Lane(model: model.index, loop: loop, samples: samples, callbacks: callbacks(model.index), epochStart: progress))
                continue
            }
            let owner = models[..<position].first { if case .memory(let other) = $0.data { other.sharesStorage(with: data) } else { false } }?.index ?? model.index
            let key = model.samplesKey(dataOwner: owner)
            let progress: TrainingProgress
            let rows: Rows
            if let found = sharedRows.first(where: { $0.key == key.rows }) {
                rows = found
                // The rows' first model drew their split, of this seed; with no split to draw,
                // each seed's own generator after its start.
                let generator = key.rows.split == nil ? model.trainer.generatorWithoutSplit(from: model.start, resuming: model.checkpoint) : rows.generator
                progress = model.trainer.progress(
                    sharing: generator, standardization: rows.standardization, from: model.start, resuming: model.checkpoint)
            } else {
                let prepared = model.trainer.prepareRun(on: data, from: model.start, resuming: model.checkpoint)
                progress = prepared.progress
                rows = (key.rows, LaneRows(prepared.training), prepared.validation, prepared.generator, progress.model.standardization)
                sharedRows.append(rows)
            }
            let samples: IndexedSamples
            if let found = sharedSamples.first(where: { $0.key == key }) {
                samples = found.samples
            } else {
                samples = IndexedSamples(rows.rows, shuffle: IndexedSamples.Shuffle(progress.configuration))
                sharedSamples.append((key, samples))
            }
            let loop = EpochLoop<LaneEngine>(progress: progress, samples: samples, validation: rows.validation, engine: nil)
            lanes.append(Lane(model: model.index, loop: loop, samples: samples, callbacks: callbacks(model.index), epochStart: progress))
        }
        let configuration = lanes[0].loop.configuration
        // As `Trainer` calls its engine: whole batches of every lane's (the group's key).
        chunk = Lane.Plan.chunk(batchSize: configuration.batchSize, count: lanes[0].samples.count, stopInterval: models[0].stepInterval)
        group = LaneGroup(kind: configuration.rule.settings.kind)
        for (slot, lane) in lanes.enumerated() {
            let configuration = lane.loop.configuration
            group.place(
                slot, parameters: lane.loop.engine.parameters, settings: lane.loop.epochRule.settings, batchSize: configuration.batchSize,
                state: lane.loop.optimizerState)
        }
    }

    typealias Finished = (Int, TrainingResult<LaneEngine>) -> Void

    /// Trains every lane of `runs` (one group, or two of one key: the same steps through the
    /// same epochs) to its end, calling `finished` with each model's result as it ends. When
    /// `abandon` says so, or reading the samples fails (which is thrown), every lane under
    /// way checkpoints as at a stop request, and ends.
    static func train(_ runs: inout [GroupRun], _ kernels: any KernelSet.Type, abandon: () -> Bool, finished: Finished) throws(InputError) {
        for run in runs.indices {
            for slot in runs[run].lanes.indices where !runs[run].lanes[slot].isRunning { runs[run].end(slot, finished) }
        }
        let clock = ContinuousClock()
        while runs.contains(where: \.isRunning) {
            let active = runs.indices.filter { runs[$0].isRunning }
            do throws(InputError) {
                let started = clock.now
                for run in active { runs[run].beginEpoch() }
                var seconds = 0.0
                let (count, chunk) = (runs[active[0]].lanes[0].samples.count, runs[active[0]].chunk)
                var position = runs[active[0]].position
                while position < count {
                    if abandon() || active.contains(where: { runs[$0].stopRequested }) {
                        for run in active { runs[run].interrupt(finished) }
                        return
                    }
                    let range = position..<min(position + chunk, count)
                    let following = range.upperBound < count ? range.upperBound..<min(range.upperBound + chunk, count) : nil
                    let sources = try active.map { run throws(InputError) in try runs[run].sources(range, following: following) }
                    for run in active { runs[run].setRates(at: range.lowerBound) }
                    let stepsStarted = clock.now
                    var (sums, otherSums) = (LaneLossSums(), LaneLossSums())
                    runs.withUnsafeMutableBufferPointer { runs in
                        if active.count == 2 {
                            kernels.trainPopulationPair(
                                &runs[active[0]].group, rows: sources[0].rows, orders: sources[0].orders, sums: &sums,
                                &runs[active[1]].group, rows: sources[1].rows, orders: sources[1].orders, sums: &otherSums,
                                start: sources[0].start, count: range.count)
                        } else {
                            kernels.trainPopulation(
                                &runs[active[0]].group, rows: sources[0].rows, orders: sources[0].orders, start: sources[0].start,
                                count: range.count, sums: &sums)
                        }
                    }
                    seconds += (clock.now - stepsStarted) / .seconds(1)
                    for (k, run) in active.enumerated() { runs[run].account(range, k == 0 ? sums : otherSums, finished) }
                    position = range.upperBound
                }
                for run in active { try runs[run].completeEpoch(engineSeconds: seconds, started: started, finished) }
            } catch {
                for run in active { runs[run].interrupt(finished) }
                throw error
            }
        }
    }

    var isRunning: Bool { lanes.contains(where: \.isRunning) }

    /// Where the epoch under way stands: its running lanes' next sample.
    private var position: Int {
        let first = lanes.first(where: \.isRunning)!.loop
        return min(lanes[0].samples.count, first.progress.batchesCompleted * first.configuration.batchSize)
    }

    private var stopRequested: Bool { lanes.contains { $0.isRunning && $0.callbacks.shouldStop() } }

    /// A chunk's steps done: each running lane's loss and batches counted, and a lane whose
    /// parameters are no longer finite stopped as diverged.
    private mutating func account(_ range: Range<Int>, _ sums: LaneLossSums, _ finished: Finished) {
        let losses = sums.total(extraWeight: group.rules.positiveWeight - 1)
        for slot in lanes.indices where lanes[slot].isRunning {
            let batchSize = lanes[slot].loop.configuration.batchSize
            lanes[slot].loop.progress.epochLossSum = (lanes[slot].loop.progress.epochLossSum ?? 0) + losses[slot]
            lanes[slot].loop.progress.batchesCompleted = (range.upperBound + batchSize - 1) / batchSize
            // As `Trainer`, checked once a chunk: a diverged model stops there.
            if !(0..<Parameters.count).allSatisfy({ group.weights[$0][slot].isFinite }) {
                synchronize(slot)
                lanes[slot].loop.progress.outcome = .diverged
                end(slot, finished)
            }
        }
    }

    /// The epoch's steps done: each running lane's epoch completed (reported, evaluated,
    /// checkpointed), and a lane that ends with it ended.
    private mutating func completeEpoch(engineSeconds: Double, started: ContinuousClock.Instant, _ finished: Finished)
        throws(InputError)
    {
        for slot in lanes.indices where lanes[slot].isRunning {
            synchronize(slot)
            try lanes[slot].loop.completeEpoch(engineSeconds: engineSeconds, started: started, lanes[slot].callbacks)
            if !lanes[slot].isRunning { end(slot, finished) }
        }
    }

    /// A stop request: every running lane checkpoints where its epoch began, and ends.
    private mutating func interrupt(_ finished: Finished) {
        for slot in lanes.indices where lanes[slot].isRunning { interrupt(slot, finished) }
    }

    /// The rates of the lanes whose schedule changes them every mini-batch, for the one at
    /// `position` of the epoch (their group's calls are one mini-batch long).
    private mutating func setRates(at position: Int) {
        for slot in lanes.indices where lanes[slot].isRunning && lanes[slot].loop.configuration.schedule.stepsEveryBatch {
            let loop = lanes[slot].loop
            let batchSize = loop.configuration.batchSize
            let batches = (lanes[slot].samples.count + batchSize - 1) / batchSize
            group.rules.learningRate[slot] = loop.learningRate.rate(loop.configuration.schedule, ofBatch: position / batchSize, batchesPerEpoch: batches)
        }
    }

    /// Each running lane's epoch begins: its order drawn, once for the lanes that share samples.
    private mutating func beginEpoch() {
        var drawn: [(samples: ObjectIdentifier, generator: SplitMix64)] = []
        for slot in lanes.indices where lanes[slot].isRunning {
            // Each lane's own schedule, stepped with its own loss at the end of the epoch before.
            group.rules.learningRate[slot] = lanes[slot].loop.epochRule.learningRate
            lanes[slot].loop.progress.epochGenerator = lanes[slot].loop.generator
            lanes[slot].epochStart = lanes[slot].loop.snapshot()
            let samples = ObjectIdentifier(lanes[slot].samples)
            if let earlier = drawn.first(where: { $0.samples == samples }) {
                lanes[slot].loop.generator = earlier.generator
            } else {
                lanes[slot].samples.beginEpoch(using: &lanes[slot].loop.generator)
                drawn.append((samples, lanes[slot].loop.generator))
            }
        }
    }

    /// The rows and order of each of the eight lanes for positions `range` of the epoch,
    /// readied (`LaneSamples.lanes`) once for the lanes that share samples, and where
    /// `range` starts in the orders (the same for every lane: in memory, or streamed). An
    /// idle lane reads a running one's: its zero weights at learning rate 0 stay zero
    /// whatever it reads.
    private func sources(_ range: Range<Int>, following: Range<Int>?) throws(InputError)
        -> (rows: [UnsafePointer<Double>], orders: [UnsafePointer<UInt32>], start: Int)
    {
        let running = lanes.indices.filter { lanes[$0].isRunning }
        var readied: [(samples: ObjectIdentifier, rows: UnsafePointer<Double>, order: UnsafePointer<UInt32>)] = []
        var (rows, orders, start) = ([UnsafePointer<Double>](), [UnsafePointer<UInt32>](), 0)
        for slot in 0..<8 {
            let samples = lanes[running.contains(slot) ? slot : running[0]].samples
            let id = ObjectIdentifier(samples)
            if let found = readied.first(where: { $0.samples == id }) {
                rows.append(found.rows)
                orders.append(found.order)
                continue
            }
            let lane = try samples.lanes(range, following: following)
            // A population is in memory (positions of the epoch) or streamed (of the chunk), never both.
            precondition(readied.isEmpty || lane.start == start, "every lane's range starts at one position of its order")
            start = lane.start
            readied.append((id, lane.rows, lane.order))
            rows.append(lane.rows)
            orders.append(lane.order)
        }
        return (rows, orders, start)
    }

    /// The lane's engine and optimizer state from the group's lane.
    private mutating func synchronize(_ slot: Int) {
        lanes[slot].loop.engine.parameters = group.parameters(of: slot)
        if group.steps[slot] > 0 { lanes[slot].loop.optimizerState = group.state(of: slot) }
    }

    /// A stop request: the lane goes back to where its epoch began, checkpoints, and ends.
    private mutating func interrupt(_ slot: Int, _ finished: Finished) {
        let start = lanes[slot].epochStart
        lanes[slot].loop.progress = start
        lanes[slot].loop.progress.outcome = .interrupted
        lanes[slot].loop.engine.parameters = start.model.parameters
        lanes[slot].loop.optimizerState = start.optimizerState ?? OptimizerState()
        lanes[slot].loop.generator = start.epochGenerator
        lanes[slot].callbacks.onCheckpoint(lanes[slot].loop.snapshot())
        end(slot, finished)
    }

    /// The lane's model is done: its result, and its lane idle (zeros at learning rate 0).
    private mutating func end(_ slot: Int, _ finished: Finished) {
        finished(lanes[slot].model, lanes[slot].loop.finish())
        group.makeIdle(slot)
    }
}

/// Trains a 2-5-5-1 network with mini-batch gradient descent (any `Optimizer`) on any engine.
///
/// Generic over the engine so that every engine's kernels are specialised into the loop:
/// switching engines means changing `Engine` and nothing else.
public struct Trainer<Engine: TrainingEngine>: Sendable {
    /// The settings every run of this trainer uses (a resumed run takes most from its checkpoint).
    public var configuration: TrainingConfiguration

    /// A trainer with these settings.
    public init(_ configuration: TrainingConfiguration = TrainingConfiguration()) {
        self.configuration = configuration
    }

    /// Trains on `data` and returns the model (see `run`).
    public func train(
        on data: consuming Dataset, from start: Model? = nil, onEpoch: @escaping (EpochReport) -> Void = { _ in }
    ) throws(SettingError) -> Model {
        try run(on: data, from: start, callbacks: TrainingCallbacks(onEpoch: onEpoch)).model
    }

    /// Trains on `data`, from a start or from a checkpoint, and returns where it ended.
    ///
    /// Takes `data` over: a caller that hands it over and keeps no copy lets the run
    /// standardise it in place, so the run needs little memory beyond the data itself.
    ///
    /// Starts from `start`'s parameters when given (keeping its standardisation, if it has
    /// one, because its weights are tied to that input scale), otherwise from Glorot-uniform
    /// weights drawn from the seed. Mini-batches are consecutive slices of each epoch's order;
    /// the last one may be smaller and is averaged over its own size.
    ///
    /// - Parameters:
    ///   - data: the samples, with labels; the validation part, if any, is split off here.
    ///   - start: a model to start from, instead of random weights.
    ///   - checkpoint: a checkpoint of an earlier run on the same data; training continues
    ///     from it (to `configuration.epochs`, which may differ from the checkpoint's), with
    ///     the checkpoint's settings otherwise. A run that stopped early trains no more.
    ///   - callbacks: reports, checkpoints and stop requests (see `TrainingCallbacks`).
    /// - Returns: the model (the best one when stopped early), the final progress and the
    ///   engine as it ended. A run whose parameters or loss became NaN or infinite stops with
    ///   outcome `.diverged`; its model is then of no use.
    /// - Throws: `SettingError`, before any training, for settings out of range
    ///   (`TrainingConfiguration.validate()`, the checkpoint's when resuming), no data, or a
    ///   validation split that leaves no training sample.
    public func run(
        on data: consuming Dataset, from start: Model? = nil, resuming checkpoint: TrainingProgress? = nil,
        callbacks: TrainingCallbacks = TrainingCallbacks()
    ) throws(SettingError) -> TrainingResult<Engine> {
        try run(on: data, from: start, resuming: checkpoint, engine: nil, callbacks: callbacks)
    }

    /// Trains `engine`, an engine the caller made and configured, starting from its current
    /// parameters (as `run(on:from:)` with a model of them would, standardising the data
    /// unless the configuration says not to), and returns it as it ended with the model.
    ///
    /// The same bits as `run(on:from:)` with `Engine(parameters:options:)` for the built-in
    /// engines, and the same errors.
    public func run(
        _ engine: Engine, on data: consuming Dataset, callbacks: TrainingCallbacks = TrainingCallbacks()
    ) throws(SettingError) -> TrainingResult<Engine> {
        try run(on: data, from: Model(parameters: engine.parameters), resuming: nil, engine: engine, callbacks: callbacks)
    }

    private func run(
        on data: consuming Dataset, from start: Model?, resuming checkpoint: TrainingProgress?, engine: Engine?,
        callbacks: TrainingCallbacks
    ) throws(SettingError) -> TrainingResult<Engine> {
        try check(samples: data.count, resuming: checkpoint)
        return runChecked(on: data, from: start, resuming: checkpoint, engine: engine, callbacks: callbacks)
    }

    /// The run of `run(on:from:resuming:callbacks:)`, once `check(samples:resuming:)` passed.
    func runChecked(
        on data: consuming Dataset, from start: Model?, resuming checkpoint: TrainingProgress?, engine: Engine?,
        callbacks: TrainingCallbacks
    ) -> TrainingResult<Engine> {
        let (progress, training, validation, _) = prepareRun(on: consume data, from: start, resuming: checkpoint)
        let configuration = progress.configuration
        let samples: any EpochSamples =
            switch (configuration.shuffle, configuration.blockShuffle) {
            case (false, _): OrderedColumns(training)
            case (true, nil): ShuffledChunks(training)
            case (true, let blocks?): BlockShuffledChunks(SampleRows(training), shuffle: blocks)
            }
        var run = EpochLoop<Engine>(progress: progress, samples: samples, validation: validation, engine: engine)
        do {
            return try run.run(callbacks)
        } catch {
            fatalError("samples in memory cannot fail to be read: \(error)")  // only files can
        }
    }

    /// Checks what a run on `samples` samples reads before it trains: its settings (a
    /// checkpoint's when resuming) and its data.
    func check(samples: Int, resuming checkpoint: TrainingProgress?) throws(SettingError) {
        let configuration = settings(resuming: checkpoint)
        try configuration.validate()
        if samples == 0 { throw SettingError(setting: "data", message: "no samples") }
        if Dataset.trainingCount(of: samples, validationFraction: configuration.validationFraction) < 1 {
            throw SettingError(
                setting: "validationFraction",
                message: "\(configuration.validationFraction) of \(samples) samples leaves no training sample")
        }
        try checkpoint?.checkResumable(onSamples: samples)
        let training = Dataset.trainingCount(of: samples, validationFraction: configuration.validationFraction)
        let batches = (training + configuration.batchSize - 1) / configuration.batchSize
        if let problem = configuration.schedule.problem(epochs: configuration.epochs, batchesPerEpoch: batches) {
            throw SettingError(setting: "schedule", message: problem)
        }
    }

    /// Where a run on `data` starts: its progress, its training and validation parts
    /// standardised, and the seed's generator after the split (which a run of the same seed,
    /// start and split on the same data shares: `progress(sharing:standardization:from:resuming:)`).
    func prepareRun(on data: consuming Dataset, from start: Model?, resuming checkpoint: TrainingProgress?)
        -> (progress: TrainingProgress, training: Dataset, validation: Dataset?, generator: SplitMix64)
    {
        let configuration = settings(resuming: checkpoint)
        precondition(!data.isEmpty, "no training data")
        // The same draws as the original run, so that the validation split comes out the same.
        var (generator, drawn) = Self.startingDraws(configuration, start: start, resuming: checkpoint)
        var (training, validation) = Self.split(consume data, configuration, using: &generator)
        let progress = Self.progress(
            configuration, start: start, drawn: drawn, resuming: checkpoint, generator: generator,
            fitting: { Standardization(fitting: training) })
        training = progress.model.prepare(consume training)
        validation = validation.map { progress.model.prepare($0) }
        return (progress, training, validation, generator)
    }

    /// The progress `prepareRun(on:from:resuming:)` gives on the data of a run with the same seed,
    /// start, split and shuffle, which split it and drew `generator` (after the split) and
    /// `standardization`: without splitting or fitting again.
    func progress(sharing generator: SplitMix64, standardization: Standardization?, from start: Model?, resuming checkpoint: TrainingProgress?)
        -> TrainingProgress
    {
        let configuration = settings(resuming: checkpoint)
        let drawn = Self.startingDraws(configuration, start: start, resuming: checkpoint).drawn
        return Self.progress(
            configuration, start: start, drawn: drawn, resuming: checkpoint, generator: generator, fitting: { standardization })
    }

    /// Trains on the `.npy` file `reader` reads, streamed from disk: memory holds a few
    /// chunks of the file, whatever its size, and the same bits come out as from the file
    /// read whole into memory (`NPY.read`) with `run(on:from:resuming:callbacks:)`.
    ///
    /// The standardisation is fitted in passes over the file before the first epoch.
    /// Every epoch reads the file again: in order without `shuffle`, and in blocks with
    /// `blockShuffle`.
    ///
    /// - Throws: `SettingError`, before any training, as `run(on:from:resuming:callbacks:)`,
    ///   and for a validation split or a shuffle sample by sample (a streamed file is
    ///   shuffled in blocks, `blockShuffle`, or not at all); `InputError` when the file
    ///   cannot be read, or holds a row that is not a sample (found by the first pass: a
    ///   non-finite feature, a label not 0 or 1).
    public func run(
        streaming reader: NPY.Reader, from start: Model? = nil, resuming checkpoint: TrainingProgress? = nil,
        callbacks: TrainingCallbacks = TrainingCallbacks()
    ) throws -> TrainingResult<Engine> {
        try check(streaming: reader, resuming: checkpoint)
        let (progress, samples) = try prepareStreamedRun(reader, from: start, resuming: checkpoint) { () throws(InputError) in
            try Standardization(fitting: FileRows(reader: reader, standardization: nil))
        }
        var run = EpochLoop<Engine>(progress: progress, samples: samples, validation: nil, engine: nil)
        return try run.run(callbacks)
    }

    /// Checks what a run streaming `reader` reads before it trains.
    func check(streaming reader: NPY.Reader, resuming checkpoint: TrainingProgress?) throws(SettingError) {
        try check(samples: reader.rows, resuming: checkpoint)
        let configuration = settings(resuming: checkpoint)
        if configuration.validationFraction > 0 {
            throw SettingError(setting: "validationFraction", message: "a file streamed from disk has no validation split")
        }
        if configuration.shuffle && configuration.blockShuffle == nil {
            throw SettingError(
                setting: "blockShuffle", message: "a file streamed from disk is shuffled in blocks (a BlockShuffle), or not at all (shuffle false)")
        }
    }

    /// Where a run streaming `reader` starts, and its samples: the standardisation, when
    /// the run fits one, from `fitting` (a pass over the file, which runs of one file share).
    func prepareStreamedRun(
        _ reader: NPY.Reader, from start: Model?, resuming checkpoint: TrainingProgress?,
        fitting: () throws(InputError) -> Standardization
    ) throws(InputError) -> (progress: TrainingProgress, samples: any EpochSamples) {
        let configuration = settings(resuming: checkpoint)
        precondition(!configuration.shuffle || configuration.blockShuffle != nil, "a streamed file is shuffled in blocks")
        precondition(configuration.validationFraction == 0, "a streamed file has no validation split")
        precondition(reader.rows > 0, "no training data")
        let (generator, drawn) = Self.startingDraws(configuration, start: start, resuming: checkpoint)
        var failure: InputError?
        let progress = Self.progress(
            configuration, start: start, drawn: drawn, resuming: checkpoint, generator: generator,
            fitting: {
                do throws(InputError) {
                    return try fitting()
                } catch {
                    failure = error
                    return nil
                }
            })
        if let failure { throw failure }
        let rows = FileRows(reader: reader, standardization: progress.model.standardization)
        let samples: any EpochSamples =
            if let blocks = configuration.blockShuffle, configuration.shuffle {
                BlockShuffledChunks(rows, shuffle: blocks)
            } else {
                StreamedChunks(rows)
            }
        return (progress, samples)
    }

    /// The training and validation parts that a run of this trainer on `data` (from `start`,
    /// or from random weights without one) holds out, as given (not standardised): to score
    /// its model on each, as the run did.
    public func parts(of data: Dataset, from start: Model? = nil) -> (training: Dataset, validation: Dataset?) {
        var (generator, _) = Self.startingDraws(configuration, start: start, resuming: nil)
        return Self.split(data, configuration, using: &generator)
    }

    /// The seed's generator as a run with no validation split (which draws none) continues
    /// from it: after its starting weights, when it draws them.
    func generatorWithoutSplit(from start: Model?, resuming checkpoint: TrainingProgress?) -> SplitMix64 {
        Self.startingDraws(settings(resuming: checkpoint), start: start, resuming: checkpoint).generator
    }

    /// The seed's generator after the starting weights are drawn from it, when the run
    /// starts (or started) from random weights, and those weights.
    private static func startingDraws(
        _ configuration: TrainingConfiguration, start: Model?, resuming checkpoint: TrainingProgress?
    ) -> (generator: SplitMix64, drawn: Parameters?) {
        var generator = SplitMix64(seed: configuration.seed)
        let randomStart = checkpoint?.randomStart ?? (start == nil)
        let drawn = randomStart ? Parameters.glorotUniform(using: &generator) : nil
        return (generator, drawn)
    }

    /// Where a run starts: its checkpoint, or its first epoch from `start` or the drawn
    /// weights, with a standardisation fitted by `fitting` when the run standardises.
    private static func progress(
        _ configuration: TrainingConfiguration, start: Model?, drawn: Parameters?, resuming checkpoint: TrainingProgress?,
        generator: SplitMix64, fitting: () -> Standardization?
    ) -> TrainingProgress {
        precondition(configuration.batchSize >= 1, "the batch size must be at least 1")
        precondition(configuration.epochs >= 0, "epochs must not be negative")
        precondition(configuration.evaluateEvery.map { $0 >= 1 } ?? true, "evaluations come every epoch at most")
        precondition(configuration.blockShuffle?.problem() == nil, configuration.blockShuffle?.problem() ?? "")
        _ = configuration.rule  // checks the optimizer's settings
        if var checkpoint {
            checkpoint.configuration = configuration
            // A run that stopped early is over: it returns its best model and trains no more.
            // Any other outcome means "ended so far"; this run goes on.
            if checkpoint.outcome != .stoppedEarly { checkpoint.outcome = .running }
            return checkpoint
        }
        let standardization: Standardization? =
            if !configuration.standardize { nil } else if let kept = start?.standardization { kept } else { fitting() }
        return TrainingProgress(  // which resolves the schedule's lengths for the run
            configuration: configuration,
            model: Model(parameters: start?.parameters ?? drawn!, standardization: standardization),
            epochsCompleted: 0, batchesCompleted: 0, epochGenerator: generator, randomStart: start == nil)
    }

    /// The configuration of a run: a resumed run's settings come from its checkpoint, and
    /// only its length, engine options and evaluations from this trainer. A caller that
    /// keeps runs by their settings (a sweep) compares these with its own to recognise a
    /// checkpoint as one of its runs.
    public func settings(resuming checkpoint: TrainingProgress?) -> TrainingConfiguration {
        guard let checkpoint else { return configuration }
        var settings = checkpoint.configuration
        settings.epochs = configuration.epochs
        settings.engineOptions = configuration.engineOptions
        settings.evaluateEvery = configuration.evaluateEvery
        return settings
    }

    /// The training and validation parts of `data`: the validation part is the last
    /// `validationFraction` of the samples, after a shuffle drawn from `generator` when the
    /// run shuffles. In place, so that the split costs memory for the validation part only.
    private static func split(
        _ data: consuming Dataset, _ configuration: TrainingConfiguration, using generator: inout SplitMix64
    ) -> (training: Dataset, validation: Dataset?) {
        guard configuration.validationFraction > 0 else { return (data, nil) }
        var order = Array(0..<data.count)
        if configuration.shuffle { generator.shuffle(&order) }
        let cut = Dataset.trainingCount(of: data.count, validationFraction: configuration.validationFraction)
        var training = consume data
        training.permute(&order)
        let validation = cut < training.count ? training.selecting(cut..<training.count) : nil
        training.truncate(to: cut)
        precondition(!training.isEmpty, "the validation split leaves no training data")
        return (training, validation)
    }

    /// One pass of optimizer steps over consecutive mini-batches of `data`, from `state`.
    @_spi(Benchmarks) @inlinable
    public func runEpoch(_ engine: inout Engine, on data: Dataset, state: inout OptimizerState) {
        let batchSize = configuration.batchSize
        let rule = configuration.rule
        data.withMiniBatch(0..<data.count) { all in
            engine.trainEpoch(all, batchSize: batchSize, rule: rule, state: &state)
        }
    }
}

/// The epochs of one run, on prepared (standardised) data, from a progress to the end.
struct EpochLoop<Engine: TrainingEngine> {
    var progress: TrainingProgress
    /// The training samples, handed to the engine in chunks of the epoch's order (what each
    /// kind of order keeps in memory besides: `EpochSamples`).
    let samples: any EpochSamples
    let validation: Dataset?
    var engine: Engine
    var generator: SplitMix64
    var optimizerState: OptimizerState
    var learningRate: LearningRateState

    init(progress: TrainingProgress, samples: any EpochSamples, validation: Dataset?, engine: Engine?) {
        self.progress = progress
        self.samples = samples
        self.validation = validation
        self.engine = engine ?? Engine(parameters: progress.model.parameters, options: progress.configuration.engineOptions)
        generator = progress.epochGenerator
        optimizerState = progress.optimizerState ?? OptimizerState()
        learningRate = progress.learningRateState
            ?? LearningRateState(progress.configuration.schedule, base: progress.configuration.learningRate)
    }

    var configuration: TrainingConfiguration { progress.configuration }

    /// The update rule of the epoch under way, at the schedule's rate (at the base rate for a
    /// schedule that changes it every mini-batch: each takes its own).
    var epochRule: UpdateRule {
        configuration.schedule == .constant ? configuration.rule : configuration.rule.with(learningRate: learningRate.rate)
    }

    mutating func run(_ callbacks: TrainingCallbacks) throws(InputError) -> TrainingResult<Engine> {
        let clock = ContinuousClock()
        while progress.epochsCompleted < configuration.epochs && progress.outcome == .running {
            let started = clock.now
            let engineSeconds: Double
            switch try trainEpoch(callbacks) {
            case .trained(let time):
                engineSeconds = time
            case .stopped:
                progress.outcome = .interrupted
                callbacks.onCheckpoint(snapshot())
                continue
            case .diverged:
                progress.outcome = .diverged
                continue
            }
            try completeEpoch(engineSeconds: engineSeconds, started: started, callbacks)
        }
        return finish()
    }

    /// After an epoch's SGD steps (which took `engineSeconds` of the time since `started`):
    /// counts it, reports it and checkpoints, or marks the run diverged.
    mutating func completeEpoch(engineSeconds: Double, started: ContinuousClock.Instant, _ callbacks: TrainingCallbacks)
        throws(InputError)
    {
        var report = try finishEpoch(engineSeconds: engineSeconds)
        report.seconds = (ContinuousClock.now - started) / .seconds(1)
        if progress.outcome == .diverged || !report.loss.isFinite || report.validation.map({ !$0.loss.isFinite }) == true {
            progress.outcome = .diverged
            return
        }
        callbacks.onEpoch(report)
        if progress.epochsCompleted % callbacks.checkpointEvery == 0 || progress.isFinished {
            callbacks.onCheckpoint(snapshot())
        }
    }

    /// The run's result, once it has ended (or was interrupted).
    mutating func finish() -> TrainingResult<Engine> {
        if progress.outcome == .running { progress.outcome = .completed }
        progress = snapshot()
        let model = progress.outcome == .stoppedEarly ? progress.bestModel ?? progress.model : progress.model
        return TrainingResult(model: model, progress: progress, engine: engine)
    }

    /// How the SGD steps of an epoch ended.
    enum EpochSteps {
        /// All done, in this many seconds.
        case trained(seconds: Double)
        /// `shouldStop` asked to stop; the generator is rewound to the epoch's start, so that
        /// resuming redraws this epoch's shuffle.
        case stopped
        /// A parameter became NaN or infinite within the last chunk of mini-batches.
        case diverged
    }

    /// The SGD steps of the epoch under way, from its next mini-batch.
    mutating func trainEpoch(_ callbacks: TrainingCallbacks) throws(InputError) -> EpochSteps {
        progress.epochGenerator = generator
        samples.beginEpoch(using: &generator)
        let trainingCount = samples.count
        let batchSize = configuration.batchSize
        let schedule = configuration.schedule
        let rule = epochRule
        let batchesPerEpoch = (trainingCount + batchSize - 1) / batchSize
        // Whole mini-batches per call to the engine: a stop request waits at most this long.
        let steps = max(1, callbacks.stopInterval / batchSize)
        // Mini-batches gathered at once: a multiple of `steps` of at least `gatheredSamples`,
        // since handing a chunk between the shuffle's two threads costs more than a small
        // batch's steps. The engine's calls, and so the loss's sums, stay `steps` long.
        let chunk = steps * ((max(1, Trainer<Engine>.gatheredSamples / batchSize) + steps - 1) / steps)
        // A rate every mini-batch: each chunk's, the next one's computed while this one trains.
        let prefetched = schedule.stepsEveryBatch
            ? PrefetchedRates { [learningRate] in learningRate.rate(schedule, ofBatch: $0, batchesPerEpoch: batchesPerEpoch) } : nil
        let clock = ContinuousClock()
        var seconds = 0.0
        while progress.batchesCompleted < batchesPerEpoch {
            if callbacks.shouldStop() {
                generator = progress.epochGenerator
                return .stopped
            }
            let first = progress.batchesCompleted
            let last = min(first + chunk, batchesPerEpoch)
            let range = (first * batchSize)..<min(last * batchSize, trainingCount)
            let following = last < batchesPerEpoch ? (last * batchSize)..<min((last + chunk) * batchSize, trainingCount) : nil
            var (lossSum, done, stopped) = (progress.epochLossSum ?? 0, first, false)
            let nextBatches = last < batchesPerEpoch ? last..<min(last + chunk, batchesPerEpoch) : nil
            try PrefetchedRates.with(prefetched, first..<last, following: nextBatches) { chunkRates throws(InputError) in
                try samples.withChunk(range, prefetching: following) { batch in
                    // The SGD steps alone: not the wait for a chunk that is still being gathered.
                    let started = clock.now
                    defer { seconds += (clock.now - started) / .seconds(1) }
                    var start = 0
                    while start < batch.count {
                        if start > 0 && callbacks.shouldStop() {
                            stopped = true
                            return
                        }
                        let end = min(start + steps * batchSize, batch.count)
                        if let chunkRates {
                            let rates = UnsafeBufferPointer(rebasing: chunkRates[(done - first)...])
                            lossSum += engine.trainEpoch(batch[start..<end], batchSize: batchSize, rule: rule, rates: rates, state: &optimizerState)
                        } else {
                            lossSum += engine.trainEpoch(batch[start..<end], batchSize: batchSize, rule: rule, state: &optimizerState)
                        }
                        done += (end - start + batchSize - 1) / batchSize
                        start = end
                    }
                }
            }
            progress.epochLossSum = lossSum
            progress.batchesCompleted = done
            // Checked once a chunk: a diverged run stops there, and never reaches a file.
            guard engine.parameters.isFinite else { return .diverged }
            if stopped {
                generator = progress.epochGenerator
                return .stopped
            }
        }
        return .trained(seconds: seconds)
    }

    /// Counts the epoch as done, evaluates it, and applies early stopping and the end of the
    /// run; the report's `seconds` are the caller's to fill in.
    mutating func finishEpoch(engineSeconds: Double) throws(InputError) -> EpochReport {
        progress.epochsCompleted += 1
        progress.batchesCompleted = 0
        progress.epochGenerator = generator
        var report = EpochReport(
            epoch: progress.epochsCompleted, loss: (progress.epochLossSum ?? 0) / Double(samples.count),
            validation: validation.map(engine.evaluate), samples: samples.count, seconds: engineSeconds,
            engineSeconds: engineSeconds)
        progress.epochLossSum = nil
        if configuration.schedule != .constant {
            let batches = (samples.count + configuration.batchSize - 1) / configuration.batchSize
            report.learningRate = learningRate.rate(configuration.schedule, ofBatch: 0, batchesPerEpoch: batches)
            learningRate.step(configuration.schedule, loss: report.validation?.loss ?? report.loss)
            // A schedule that multiplies the rate past the largest double: the run cannot go on.
            if !learningRate.rate.isFinite { progress.outcome = .diverged }
        }
        if let patience = configuration.patience, let loss = report.validation?.loss {
            if progress.bestValidationLoss.map({ loss < $0 }) ?? true {
                progress.bestValidationLoss = loss
                progress.bestModel = currentModel
                progress.epochsWithoutImprovement = 0
            } else {
                progress.epochsWithoutImprovement += 1
                if progress.epochsWithoutImprovement >= patience && progress.outcome == .running { progress.outcome = .stoppedEarly }
            }
        }
        if progress.epochsCompleted >= configuration.epochs && progress.outcome == .running {
            progress.outcome = .completed
        }
        let asked = configuration.evaluateEvery.map { progress.epochsCompleted % $0 == 0 } ?? false
        if asked || progress.outcome != .running { report.training = try samples.evaluate(engine) }
        return report
    }

    var currentModel: Model { Model(parameters: engine.parameters, standardization: progress.model.standardization) }

    /// The progress with the engine's current parameters.
    func snapshot() -> TrainingProgress {
        var current = progress
        current.model = currentModel
        current.optimizerState = optimizerState.steps > 0 ? optimizerState : nil
        current.learningRateState = configuration.schedule != .constant ? learningRate : nil
        return current
    }
}

/// What a training run ends with.
public struct TrainingResult<Engine: TrainingEngine>: Sendable {
    /// The trained model: the last parameters, or the best ones when the run stopped early.
    public var model: Model
    /// Where the run ended, as a checkpoint records it.
    public var progress: TrainingProgress
    /// The engine as the run left it (its parameters are the last ones, not the best).
    public var engine: Engine

    /// A result of these values (for tests of code that handles results).
    public init(model: Model, progress: TrainingProgress, engine: Engine) {
        (self.model, self.progress, self.engine) = (model, progress, engine)
    }
}

import Backprop
import Dispatch
import Foundation
import Synchronization

/// The data of a sweep: a file read once (or streamed from disk, as `train` streams it), or
/// a built-in set drawn from each configuration's seed.
struct SweepData: @unchecked Sendable {
    let file: TrainingData?
    let source: DataSource
    /// The samples of each configuration, before a split.
    let count: Int

    /// `streams`: the orders a streamed file is read in at once, for its memory check.
    init(_ options: ParsedOptions, configuration: TrainingConfiguration, streams: Int) throws {
        source = TrainCommand.dataSource(options, seed: 0)
        switch source {
        case .synthetic(_, let samples, _, _):
            try TrainingData.checkStream(source, stream: options.flag("--stream"))
            (file, count) = (nil, samples)
        case .file:
            let file = try TrainingData.open(source, configuration: configuration, stream: options.flag("--stream"), streams: streams)
            (self.file, count) = (file, file.count)
        }
        try TrainCommand.checkSplit(options.number("--validation-split") ?? 0, of: count)
    }

    /// The file streamed from disk, if it is.
    var streamed: NPY.Reader? {
        if case .streamed(let reader) = file { reader } else { nil }
    }

    /// The samples a configuration with `seed` trains on, as `train` would load them (not
    /// for a streamed file).
    func samples(seed: UInt64) throws(InputError) -> Dataset {
        if case .memory(let data) = file { return data }
        guard case .synthetic(let set, let count, let noise, _) = source else { preconditionFailure("a streamed file is not loaded") }
        return try DataSource.synthetic(set: set, count: count, noise: noise, seed: seed).load()
    }
}

/// Trains one configuration of a sweep, from its checkpoint if it has one, and scores it.
struct SweepRunner: Sendable {
    let folder: SweepFolder
    let data: SweepData
    let configurations: [Int: TrainingConfiguration]
    /// `--init`: every configuration's start, instead of random weights from its seed.
    let start: Model?
    let checkpointEvery: Int

    /// The configuration's result and the samples it trained on in this call; nil when a
    /// stop was requested (its checkpoint then holds where it stands).
    func train(_ point: SweepGrid.Point) throws -> (SweepResult, Int)? {
        let configuration = configurations[point.index]!
        let resumed = try resumed(point)
        var writeError: InputError?
        var (trained, last) = (0, nil as EpochReport?)
        let callbacks = TrainingCallbacks(
            checkpointEvery: checkpointEvery,
            onEpoch: { report in
                trained += report.samples
                last = report
            },
            onCheckpoint: { progress in
                guard writeError == nil else { return }
                do throws(InputError) { try writeCheckpoint(progress, point) } catch { writeError = error }
            },
            shouldStop: { StopSignal.requested })
        let trainer = Trainer<SIMDEngine>(configuration)
        let samples = data.streamed == nil ? try data.samples(seed: point.seed) : nil
        let result =
            if let reader = data.streamed {
                try trainer.run(streaming: reader, from: start, resuming: resumed, callbacks: callbacks)
            } else {
                try trainer.run(on: samples!, from: start, resuming: resumed, callbacks: callbacks)
            }
        if let writeError { throw writeError }
        if result.progress.outcome == .interrupted { return nil }
        return (try finish(result, point, on: samples, last: last), trained)
    }

    /// Trains `points` in the lanes of the population engine (`PopulationTrainer`) on
    /// `threads` threads, each from its checkpoint if it has one, and calls `record` with
    /// each result and the samples it trained on as its model ends. Returns when every model
    /// has ended, or was stopped (its checkpoint then holds where its epoch began).
    func trainPopulation(
        _ points: [SweepGrid.Point], threads: Int, record: @escaping @Sendable (SweepResult, Int) throws -> Void
    ) throws {
        let resumed = try points.map(resumed)
        let samples = data.streamed == nil ? try dataBySeed(points, threads: threads) : nil
        let failure = Mutex<(any Error)?>(nil)
        let trained = Mutex([Int](repeating: 0, count: points.count))
        let last = Mutex([EpochReport?](repeating: nil, count: points.count))
        let trainer = PopulationTrainer(points.map { configurations[$0.index]! }, options: EngineOptions(threads: threads))
        let callbacks: @Sendable (Int) -> TrainingCallbacks = { model in
            TrainingCallbacks(
                checkpointEvery: checkpointEvery,
                onEpoch: { report in
                    trained.withLock { $0[model] += report.samples }
                    last.withLock { $0[model] = report }
                },
                onCheckpoint: { progress in
                    guard failure.withLock({ $0 == nil }) else { return }
                    do throws(InputError) { try writeCheckpoint(progress, points[model]) } catch { failure.withLock { $0 = $0 ?? error } }
                },
                shouldStop: { StopSignal.requested || failure.withLock { $0 != nil } })
        }
        let onFinish: @Sendable (Int, TrainingResult<LaneEngine>) -> Void = { model, result in
            guard result.progress.outcome != .interrupted else { return }
            do {
                let line = try finish(result, points[model], on: samples?[model], last: last.withLock { $0[model] })
                try record(line, trained.withLock { $0[model] })
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
        }
        if let reader = data.streamed {
            try trainer.run(streaming: reader, from: start, resuming: resumed, callbacks: callbacks, onFinish: onFinish)
        } else {
            try trainer.run(on: samples!, from: start, resuming: resumed, callbacks: callbacks, onFinish: onFinish)
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Each point's data: one data set a seed, made on `threads` threads (the models of a
    /// seed share it, and so their samples).
    private func dataBySeed(_ points: [SweepGrid.Point], threads: Int) throws -> [Dataset] {
        let seeds = Array(Set(points.map(\.seed)))
        let made = Mutex([UInt64: Result<Dataset, InputError>]())
        let workers = max(1, min(threads, seeds.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for seed in stride(from: worker, to: seeds.count, by: workers).map({ seeds[$0] }) {
                let result = Result { () throws(InputError) in try data.samples(seed: seed) }
                made.withLock { $0[seed] = result }
            }
        }
        let bySeed = try made.withLock { made in try made.mapValues { try $0.get() } }
        return points.map { bySeed[$0.seed]! }
    }

    /// The point's checkpoint, if it has one, checked against its configuration.
    private func resumed(_ point: SweepGrid.Point) throws -> TrainingProgress? {
        let checkpoint = folder.checkpoint(point.index)
        guard FileManager.default.fileExists(atPath: checkpoint) else { return nil }
        let resumed = try TrainingProgress.read(path: checkpoint)
        let configuration = configurations[point.index]!
        if Trainer<LaneEngine>(configuration).settings(resuming: resumed) != configuration {
            throw InputError(file: checkpoint, line: nil, message: "a checkpoint of other settings than configuration \(point.index)'s: is \(folder.path) another sweep's folder?")
        }
        return resumed
    }

    private func writeCheckpoint(_ progress: TrainingProgress, _ point: SweepGrid.Point) throws(InputError) {
        // A finished run's model and results line are written next: a kill before them
        // trains again from the checkpoint before, to the same bits, and a synced write a
        // model is saved.
        guard !progress.isFinished else { return }
        let checkpoint = folder.checkpoint(point.index)
        try SweepFolder.refuseLink(checkpoint)
        try progress.write(to: checkpoint)
    }

    /// The results line of a run that ended (its model written, unless it diverged), its
    /// checkpoint removed; `last` is the run's last epoch's report, if this call trained one;
    /// `samples` the data in memory (nil when streamed).
    private func finish<Engine>(_ result: TrainingResult<Engine>, _ point: SweepGrid.Point, on samples: Dataset?, last: EpochReport?)
        throws -> SweepResult
    {
        var line = SweepResult(point: point, epochs: result.progress.epochsCompleted, outcome: "diverged")
        if result.progress.outcome != .diverged {
            let model = folder.model(point.index)
            try SweepFolder.refuseLink(model)
            try result.model.write(to: model)
            let training: Evaluation
            let validation: Evaluation?
            // The saved model is the last epoch's, which its report evaluated on the same
            // samples (the same bits: `Evaluation` sums its parts as one pass); a model
            // stopped early is the best one, evaluated here.
            if result.progress.outcome == .completed, let last, last.epoch == result.progress.epochsCompleted,
                let evaluated = last.training
            {
                (training, validation) = (evaluated, last.validation)
            } else if let samples {
                let parts = Trainer<Engine>(configurations[point.index]!).parts(of: samples, from: start)
                (training, validation) = (result.model.evaluate(on: parts.training), parts.validation.map { result.model.evaluate(on: $0) })
            } else {  // streamed: no validation split
                (training, validation) = (try result.model.evaluate(streaming: data.streamed!), nil)
            }
            (line.model, line.loss, line.accuracy) = (SweepFolder.modelName(point.index), training.loss, training.accuracy)
            (line.validationLoss, line.validationAccuracy) = (validation?.loss, validation?.accuracy)
            line.outcome = result.progress.outcome == .stoppedEarly ? "stopped_early" : "completed"
        }
        try? FileManager.default.removeItem(atPath: folder.checkpoint(point.index))
        return line
    }
}

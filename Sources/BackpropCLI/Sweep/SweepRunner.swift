import Backprop
import Foundation

/// The data of a sweep: a file read once, or a built-in set drawn from each configuration's seed.
struct SweepData: Sendable {
    let file: Dataset?
    let source: DataSource
    /// The samples of each configuration, before a split.
    let count: Int

    init(_ options: ParsedOptions) throws {
        source = TrainCommand.dataSource(options, seed: 0)
        if case .file = source { file = try source.load() } else { file = nil }
        switch source {
        case .synthetic(_, let samples, _, _): count = samples
        case .file: count = file!.count
        }
        try TrainCommand.checkSplit(options.number("--validation-split") ?? 0, of: count)
    }

    /// The samples a configuration with `seed` trains on, as `train` would load them.
    func samples(seed: UInt64) throws(InputError) -> Dataset {
        if let file { return file }
        guard case .synthetic(let set, let count, let noise, _) = source else { preconditionFailure("a file is read once") }
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

    /// True when a checkpoint's settings are `configuration`'s in all it keeps (the rest the
    /// trainer sets, as for any resumed run).
    static func agree(_ kept: TrainingConfiguration, _ configuration: TrainingConfiguration) -> Bool {
        var kept = kept
        (kept.epochs, kept.engineOptions, kept.evaluateEvery) = (configuration.epochs, configuration.engineOptions, configuration.evaluateEvery)
        return kept == configuration
    }

    /// The configuration's result and the samples it trained on in this call; nil when a
    /// stop was requested (its checkpoint then holds where it stands).
    func train(_ point: SweepGrid.Point) throws -> (SweepResult, Int)? {
        let configuration = configurations[point.index]!
        let (checkpoint, model) = (folder.checkpoint(point.index), folder.model(point.index))
        let resumed = FileManager.default.fileExists(atPath: checkpoint) ? try TrainingProgress.read(path: checkpoint) : nil
        if let resumed, !Self.agree(resumed.configuration, configuration) {
            throw InputError(file: checkpoint, line: nil, message: "a checkpoint of other settings than configuration \(point.index)'s: is \(folder.path) another sweep's folder?")
        }
        let samples = try data.samples(seed: point.seed)
        var writeError: InputError?
        var trained = 0
        let callbacks = TrainingCallbacks(
            checkpointEvery: checkpointEvery, onEpoch: { trained += $0.samples },
            onCheckpoint: { progress in
                guard writeError == nil else { return }
                do throws(InputError) {
                    try SweepFolder.refuseLink(checkpoint)
                    try progress.write(to: checkpoint)
                } catch { writeError = error }
            },
            shouldStop: { StopSignal.requested })
        let trainer = Trainer<SIMDEngine>(configuration)
        let result = trainer.run(on: samples, from: start, resuming: resumed, callbacks: callbacks)
        if let writeError { throw writeError }
        if result.progress.outcome == .interrupted { return nil }
        var line = SweepResult(point: point, epochs: result.progress.epochsCompleted, outcome: "diverged")
        if result.progress.outcome != .diverged {
            try SweepFolder.refuseLink(model)
            try result.model.write(to: model)
            let parts = trainer.parts(of: samples, from: start)
            let training = result.model.evaluate(on: parts.training)
            let validation = parts.validation.map { result.model.evaluate(on: $0) }
            (line.model, line.loss, line.accuracy) = (SweepFolder.modelName(point.index), training.loss, training.accuracy)
            (line.validationLoss, line.validationAccuracy) = (validation?.loss, validation?.accuracy)
            line.outcome = result.progress.outcome == .stoppedEarly ? "stopped_early" : "completed"
        }
        try? FileManager.default.removeItem(atPath: checkpoint)
        return (line, trained)
    }
}

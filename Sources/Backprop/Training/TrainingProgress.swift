import Foundation

/// Where a training run stands: everything needed to continue it exactly (a checkpoint).
///
/// Continuing from a progress gives bit for bit the model the uninterrupted run gives.
public struct TrainingProgress: Sendable, Codable {
    /// Reads a checkpoint written by `write(to:)`.
    public static func read(path: String) throws(InputError) -> TrainingProgress {
        let data = try InputFile.contents(path, kind: "a checkpoint")
        let progress = try JSONFile.decode(TrainingProgress.self, from: data, name: path, kind: "a checkpoint")
        if let problem = progress.problem() { throw InputError(file: path, line: nil, message: problem) }
        return progress
    }

    /// Reads the checkpoint at the file URL `url` (see `read(path:)`).
    public static func read(from url: URL) throws(InputError) -> TrainingProgress {
        try read(path: try InputFile.path(of: url))
    }

    /// Writes the checkpoint to the file URL `url` (see `write(to:)` with a path).
    public func write(to url: URL) throws(InputError) {
        try write(to: try InputFile.path(of: url))
    }

    /// The first field of an untrusted checkpoint whose value no run could have written, if any.
    func problem() -> String? {
        let c = configuration
        let checks: [(Bool, String)] = [
            (c.epochs >= 0, "configuration.epochs is \(c.epochs): must be 0 or more"),
            (c.batchSize >= 1, "configuration.batchSize is \(c.batchSize): must be at least 1"),
            (c.learningRate.isFinite && c.learningRate > 0,
             "configuration.learningRate is \(c.learningRate): must be a finite number greater than 0"),
            (c.positiveWeight.isFinite && c.positiveWeight > 0,
             "configuration.positiveWeight is \(c.positiveWeight): must be a finite number greater than 0"),
            (c.optimizer.problem == nil, "configuration.optimizer: \(c.optimizer.problem ?? "")"),
            ((0..<1).contains(c.validationFraction),
             "configuration.validationFraction is \(c.validationFraction): must be from 0 up to (not including) 1"),
            (c.patience.map { $0 >= 1 } ?? true, "configuration.patience is \(c.patience ?? 0): must be at least 1"),
            (c.blockShuffle?.problem() == nil, "configuration.blockShuffle: \(c.blockShuffle?.problem() ?? "")"),
            (epochsCompleted >= 0, "epochsCompleted is \(epochsCompleted): must be 0 or more"),
            (batchesCompleted >= 0, "batchesCompleted is \(batchesCompleted): must be 0 or more"),
            (epochLossSum.map { $0.isFinite && $0 >= 0 } ?? true,
             "epochLossSum is \(epochLossSum ?? 0): must be a finite number, 0 or more"),
            (epochsWithoutImprovement >= 0, "epochsWithoutImprovement is \(epochsWithoutImprovement): must be 0 or more"),
            (bestValidationLoss.map { $0.isFinite && $0 >= 0 } ?? true,
             "bestValidationLoss is \(bestValidationLoss ?? 0): must be a finite number, 0 or more"),
        ]
        if let failed = checks.first(where: { !$0.0 }) { return failed.1 }
        if let problem = c.schedule.problem { return "configuration.schedule: \(problem)" }
        if !c.schedule.isResolved { return "configuration.schedule: its length (cosine's period, onecycle's epochs) is missing" }
        if let problem = learningRateState?.problem(for: c.schedule, base: c.learningRate, epochs: epochsCompleted) {
            return "learningRateState: \(problem)"
        }
        if c.schedule != .constant && learningRateState == nil && (epochsCompleted > 0 || batchesCompleted > 0) {
            return "learningRateState is missing: the schedule has stepped since the run began"
        }
        if let optimizerState { return optimizerState.problem(for: c.rule) }
        // A stateful optimizer keeps its state from the first step on.
        if !c.rule.settings.isPlainSGD && (epochsCompleted > 0 || batchesCompleted > 0) {
            return "optimizerState is missing: \(c.optimizer.name) keeps its state from the first step, and the run has taken steps"
        }
        return nil
    }

    /// Writes the checkpoint atomically (a crash never leaves a partial file); numbers are
    /// written in shortest round-trip form, so reading it back gives the same bits.
    public func write(to path: String) throws(InputError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        // Notes an earlier version wrote are read, and written back only while no setup replaces them.
        var written = self
        if written.setup != nil { written.notes = nil }
        let data: Data
        do {
            data = try encoder.encode(written)
        } catch {
            throw InputError(file: path, line: nil, message: "cannot encode the checkpoint: \(error)")
        }
        try AtomicFile.write(data, to: path)
    }

    /// A progress of these values: the start of a run by default (for tests of code that
    /// handles checkpoints; `Trainer` makes the real ones). The schedule's lengths that a
    /// run fills in are filled in for `configuration.epochs` (`LearningRateSchedule.resolved(epochs:)`).
    public init(
        configuration: TrainingConfiguration, model: Model, epochsCompleted: Int = 0, batchesCompleted: Int = 0,
        epochGenerator: SplitMix64 = SplitMix64(seed: 1), randomStart: Bool = true
    ) {
        (self.configuration, self.model, self.randomStart) = (configuration, model, randomStart)
        self.configuration.schedule = configuration.schedule.resolved(epochs: configuration.epochs)
        (self.epochsCompleted, self.batchesCompleted, self.epochGenerator) = (epochsCompleted, batchesCompleted, epochGenerator)
    }

    /// The run's settings.
    public var configuration: TrainingConfiguration
    /// The current parameters and the standardisation in use.
    public var model: Model
    /// Whole epochs done.
    public var epochsCompleted: Int
    /// Mini-batches done in the epoch under way (0 at an epoch boundary).
    public var batchesCompleted: Int
    /// The sum of the losses of those mini-batches' samples, for the epoch's report (absent
    /// from the checkpoints of earlier versions, which reported no such loss).
    var epochLossSum: Double?
    /// The optimizer's state after the last step: momentum buffers, Adam's moments and step
    /// count; nil before a stateful optimizer's first step, always for plain SGD.
    public var optimizerState: OptimizerState?
    /// Where the learning-rate schedule stands; nil for a constant rate.
    public internal(set) var learningRateState: LearningRateState?
    /// The generator as it was before the epoch under way drew its shuffle.
    public var epochGenerator: SplitMix64
    /// True when the run began from random weights (drawn from the seed before the split).
    public var randomStart: Bool
    /// Early stopping: the best validation loss so far, its parameters, and the epochs since.
    public var bestValidationLoss: Double?
    /// The model at `bestValidationLoss`, kept when the run stops early.
    public var bestModel: Model?
    /// Epochs since the validation loss last improved.
    public var epochsWithoutImprovement = 0
    /// Why the run ended, once it has.
    public var outcome: Outcome = .running
    /// What the run's caller keeps with it (the CLI: its data source and output files), any
    /// JSON value: written and read back as it was given, never interpreted here.
    public var setup: JSONValue?
    /// What earlier versions of the CLI kept instead of `setup`, as text: read, for the CLI
    /// to take up, and written back only while there is no `setup`.
    public internal(set) var notes: [String: String]?

    /// How the run stands or ended.
    public enum Outcome: String, Sendable, Codable {
        /// Under way (or not started).
        case running
        /// All the epochs asked for are done.
        case completed
        /// Early stopping ended it: the validation loss had not improved for `patience` epochs.
        case stoppedEarly
        /// `shouldStop` ended it between mini-batches; it can be resumed from here.
        case interrupted
        /// A parameter or the loss became NaN or infinite (`epochsCompleted` and
        /// `batchesCompleted` say where); the run stopped there.
        case diverged
    }

    /// True when the run has reached its last epoch or stopped early.
    public var isFinished: Bool { outcome == .completed || outcome == .stoppedEarly || outcome == .diverged }
}

extension TrainingProgress {
    /// Checks that this checkpoint can go on with `samples` samples (before its validation
    /// split): that no run could have written a field of it otherwise (as `read(path:)`
    /// checks a file: an optimizer's state that does not fit its optimizer, a count out of
    /// range), and that it stands inside an epoch of these samples.
    ///
    /// - Throws: `SettingError` (setting `checkpoint`) naming the field, or when its position
    ///   is past the end of an epoch of these samples: a checkpoint of other data.
    public func checkResumable(onSamples samples: Int) throws(SettingError) {
        if let problem = problem() { throw SettingError(setting: "checkpoint", message: problem) }
        let training = Dataset.trainingCount(of: samples, validationFraction: configuration.validationFraction)
        let batches = (training + configuration.batchSize - 1) / max(1, configuration.batchSize)
        guard batchesCompleted <= batches else {
            throw SettingError(
                setting: "checkpoint",
                message: "batchesCompleted is \(batchesCompleted), but an epoch of its data has \(batches) mini-batches")
        }
    }
}

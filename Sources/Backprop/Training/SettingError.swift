import Foundation

/// A setting, or data, that a run cannot use: which one, and what is wrong. Thrown before
/// any training, so that an app which takes its settings from its users need not repeat
/// the library's checks.
public struct SettingError: Error, CustomStringConvertible, LocalizedError, Equatable, Sendable {
    /// The setting as the library names it: `learningRate`, `optimizer`, `batchSize`,
    /// `validationFraction`, `patience`, `data`, ...
    public var setting: String
    /// What is wrong.
    public var message: String

    /// An error in `setting`.
    public init(setting: String, message: String) {
        (self.setting, self.message) = (setting, message)
    }

    /// `setting: message`.
    public var description: String { "\(setting): \(message)" }
    /// The description, for `localizedDescription`.
    public var errorDescription: String? { description }
}

extension TrainingConfiguration {
    /// Checks every setting a run reads, as a run does before it trains.
    ///
    /// - Throws: `SettingError` naming the first setting out of range: a learning rate or
    ///   positive weight that is not a finite number greater than 0, the optimizer's
    ///   settings (`Optimizer.problem`), a batch size below 1, negative epochs, evaluations
    ///   less often than every epoch, a validation fraction outside [0, 1), a block shuffle
    ///   out of range (`BlockShuffle`), or a patience below 1 or without a validation split
    ///   (which would be ignored).
    public func validate() throws(SettingError) {
        func check(_ valid: Bool, _ setting: String, _ message: @autoclosure () -> String) throws(SettingError) {
            if !valid { throw SettingError(setting: setting, message: message()) }
        }
        try check(learningRate.isFinite && learningRate > 0, "learningRate", "is \(learningRate): must be a finite number greater than 0")
        try check(positiveWeight.isFinite && positiveWeight > 0, "positiveWeight", "is \(positiveWeight): must be a finite number greater than 0")
        if let problem = optimizer.problem { throw SettingError(setting: "optimizer", message: "\(optimizer.name): \(problem)") }
        if let problem = schedule.problem { throw SettingError(setting: "schedule", message: "\(schedule.kind.name): \(problem)") }
        try check(batchSize >= 1, "batchSize", "is \(batchSize): must be at least 1")
        try check(epochs >= 0, "epochs", "is \(epochs): must be 0 or more")
        try check(evaluateEvery.map { $0 >= 1 } ?? true, "evaluateEvery", "is \(evaluateEvery ?? 0): must be at least 1 (or nil)")
        try check(validationFraction >= 0 && validationFraction < 1, "validationFraction", "is \(validationFraction): must be from 0 up to (not including) 1")
        if let problem = blockShuffle?.problem() { throw SettingError(setting: "blockShuffle", message: problem) }
        if let patience {
            try check(patience >= 1, "patience", "is \(patience): must be at least 1 (or nil)")
            try check(validationFraction > 0, "patience", "needs a validation split (validationFraction > 0): it waits for the validation loss")
        }
    }
}

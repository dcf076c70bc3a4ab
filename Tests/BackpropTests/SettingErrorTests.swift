import Foundation
import Testing

@testable import Backprop

/// Settings and data a run cannot use are thrown as `SettingError`s that name them, before
/// any training: never a trap (the tests run in release builds too).
@Suite struct SettingErrorTests {
    static let data = SyntheticData.moons.generate(count: 200, seed: 2)

    static func refusal(_ change: (inout TrainingConfiguration) -> Void, data: Dataset = data) -> SettingError? {
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        change(&configuration)
        return #expect(throws: SettingError.self) { try Trainer<SIMDEngine>(configuration).run(on: data) }
    }

    @Test func eachMisconfigurationNamesItsSetting() {
        let cases: [(String, (inout TrainingConfiguration) -> Void, String)] = [
            ("learningRate", { $0.learningRate = 0 }, "is 0.0: must be a finite number greater than 0"),
            ("learningRate", { $0.learningRate = .nan }, "is nan"),
            ("positiveWeight", { $0.positiveWeight = -1 }, "is -1.0"),
            ("optimizer", { $0.optimizer = .adam(beta1: 1) }, "adam: beta1 is 1.0: must be from 0 up to (not including) 1"),
            ("optimizer", { $0.optimizer = .sgd(momentum: 0, nesterov: true) }, "sgd: Nesterov momentum needs a momentum"),
            ("batchSize", { $0.batchSize = 0 }, "is 0: must be at least 1"),
            ("epochs", { $0.epochs = -1 }, "is -1"),
            ("evaluateEvery", { $0.evaluateEvery = 0 }, "is 0"),
            ("validationFraction", { $0.validationFraction = 1 }, "is 1.0"),
            ("validationFraction", { $0.validationFraction = 0.999 }, "0.999 of 200 samples leaves no training sample"),
            ("blockShuffle", { $0.blockShuffle = BlockShuffle(blockSize: 0) }, "the block size is 0"),
            ("patience", { $0.patience = 5 }, "needs a validation split"),
            ("patience", { ($0.patience, $0.validationFraction) = (0, 0.2) }, "is 0: must be at least 1"),
        ]
        for (setting, change, message) in cases {
            let error = Self.refusal(change)
            #expect(error?.setting == setting, "\(String(describing: error))")
            #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        }
        // Patience with a split trains.
        #expect(throws: Never.self) {
            var configuration = TrainingConfiguration()
            (configuration.epochs, configuration.patience, configuration.validationFraction) = (2, 1, 0.2)
            _ = try Trainer<SIMDEngine>(configuration).run(on: Self.data)
        }
    }

    /// The rule and the options an engine takes directly, from settings a user gave: each
    /// checked, with the setting named; valid ones as the plain initialisers make them.
    @Test func rulesAndEngineOptionsFromOutsideAreChecked() throws {
        func setting(_ make: () throws(SettingError) -> Void) -> String? {
            do {
                try make()
                return nil
            } catch {
                return error.setting
            }
        }
        #expect(setting { () throws(SettingError) in _ = try UpdateRule.checked(learningRate: 0) } == "learningRate")
        #expect(setting { () throws(SettingError) in _ = try UpdateRule.checked(learningRate: .infinity) } == "learningRate")
        #expect(setting { () throws(SettingError) in _ = try UpdateRule.checked(learningRate: 0.1, positiveWeight: 0) } == "positiveWeight")
        #expect(setting { () throws(SettingError) in _ = try UpdateRule.checked(learningRate: 0.1, optimizer: .adam(beta2: 1)) } == "optimizer")
        #expect(setting { () throws(SettingError) in _ = try EngineOptions.checked(threads: 0) } == "threads")
        #expect(setting { () throws(SettingError) in _ = try Standardization.checked(mean: [0], std: [1, 1]) } == "standardization")
        #expect(setting { () throws(SettingError) in _ = try Standardization.checked(mean: [0, 0], std: [1, 0]) } == "standardization")
        #expect(try Standardization.checked(mean: [0.5, -2], std: [3, 0.25]) == Standardization(mean: [0.5, -2], std: [3, 0.25]))
        #expect(try UpdateRule.checked(learningRate: 0.5, optimizer: .adam(), positiveWeight: 2)
            == UpdateRule(learningRate: 0.5, optimizer: .adam(), positiveWeight: 2))
        #expect(try EngineOptions.checked(threads: 3) == EngineOptions(threads: 3))
        if !KernelVariant.v4.isSupported {
            #expect(throws: SettingError.self) { try EngineOptions.checked(threads: 1, kernel: .v4) }
        }
    }

    @Test func badDataIsRefused() throws {
        let empty = try Dataset(x0: [], x1: [], label: [])
        #expect(Self.refusal({ _ in }, data: empty) == SettingError(setting: "data", message: "no samples"))
        let label = #expect(throws: SettingError.self) { try Dataset(x0: [0, 1], x1: [1, 0], label: [0, 2]) }
        #expect(label == SettingError(setting: "data", message: "sample 1: the label is 2.0: must be 0 or 1"))
        let infinite = #expect(throws: SettingError.self) { try Dataset(x0: [0, .infinity], x1: [1, 0]) }
        #expect(infinite?.message.hasPrefix("sample 1: the features (inf, 0.0)") == true)
        let lengths = #expect(throws: SettingError.self) { try Dataset(x0: [0, 1], x1: [1], label: [0, 1]) }
        #expect(lengths?.message.contains("differ in length") == true)
        let model = try Trainer<SIMDEngine>(TrainingConfiguration()).run(on: Self.data).model
        #expect(throws: SettingError.self) { try model.probabilities(x0: [1], x1: []) }
    }

    /// A streamed file is shuffled in blocks or not at all, and has no split: the defaults
    /// (a full shuffle) are refused as a setting, before the file is read.
    @Test func streamingWithTheDefaultsIsRefused() throws {
        let error = #expect(throws: SettingError.self) {
            _ = try Trainer<SIMDEngine>(TrainingConfiguration()).run(streaming: NPY.Reader(path: StreamingTests.path))
        }
        #expect(error?.setting == "blockShuffle")
    }

    /// The async entry throws the same, before it starts its thread.
    @Test func theAsyncEntryThrowsToo() async {
        var configuration = TrainingConfiguration()
        configuration.learningRate = -1
        await #expect(throws: SettingError.self) { try await Trainer<SIMDEngine>(configuration).train(on: Self.data) }
    }

    /// A checkpoint that stands past the end of an epoch of the data it is resumed on (a
    /// checkpoint of other data) is refused, from code as from the CLI.
    @Test func aCheckpointOfOtherDataIsRefused() throws {
        var configuration = TrainingConfiguration()
        (configuration.epochs, configuration.batchSize) = (3, 10)
        var saved: TrainingProgress?
        var asked = 0
        let callbacks = TrainingCallbacks(
            stopInterval: 10, onCheckpoint: { saved = $0 },
            shouldStop: {
                asked += 1
                return asked == 15
            })
        let trainer = Trainer<SIMDEngine>(configuration)
        _ = try trainer.run(on: Self.data, callbacks: callbacks)
        let checkpoint = try #require(saved)
        #expect(checkpoint.batchesCompleted == 14)
        let fewer = SyntheticData.moons.generate(count: 100, seed: 2)
        let error = #expect(throws: SettingError.self) { try trainer.run(on: fewer, resuming: checkpoint) }
        #expect(error == SettingError(setting: "checkpoint", message: "batchesCompleted is 14, but an epoch of its data has 10 mini-batches"))
        #expect(throws: Never.self) { try trainer.run(on: Self.data, resuming: checkpoint) }
    }

    /// The description names the setting, for `localizedDescription` too.
    @Test func theDescriptionNamesTheSetting() {
        let error = SettingError(setting: "batchSize", message: "is 0: must be at least 1")
        #expect("\(error)" == "batchSize: is 0: must be at least 1")
        #expect(error.localizedDescription == "batchSize: is 0: must be at least 1")
    }
}

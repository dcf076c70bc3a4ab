import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

@Suite struct CheckpointTests {
    static let data = SyntheticData.moons.generate(count: 3000, seed: 21)

    static func configuration(epochs: Int = 4, optimizer: Optimizer = .sgd()) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        configuration.optimizer = optimizer
        if case .sgd = optimizer {} else { configuration.learningRate = 0.01 }
        configuration.epochs = epochs
        configuration.batchSize = 16
        configuration.validationFraction = 0.2
        return configuration
    }

    /// The final model's bytes and every epoch's reported loss, of a run in one go (with
    /// the stop interval of `interruptedAndResumed`: the loss is summed chunk by chunk).
    func uninterrupted<Engine: TrainingEngine>(_: Engine.Type, optimizer: Optimizer = .sgd()) throws -> (model: String, losses: [Double]) {
        var losses: [Double] = []
        let result = try Trainer<Engine>(Self.configuration(optimizer: optimizer)).run(
            on: Self.data, callbacks: TrainingCallbacks(stopInterval: 320, onEpoch: { losses.append($0.loss) }))
        return (result.model.jsonText, losses)
    }

    /// Stops the first run after `stopAfter` checks of `shouldStop`, then resumes from the
    /// checkpoint it wrote (through a file); the final model's bytes and every epoch's
    /// reported loss, from both runs.
    func interruptedAndResumed<Engine: TrainingEngine>(
        _: Engine.Type, stopAfter: Int, optimizer: Optimizer = .sgd()
    ) throws -> (model: String, losses: [Double]) {
        var checks = 0
        var saved: TrainingProgress?
        var losses: [Double] = []
        let callbacks = TrainingCallbacks(
            stopInterval: 320, onEpoch: { losses.append($0.loss) }, onCheckpoint: { saved = $0 },
            shouldStop: {
                checks += 1
                return checks > stopAfter
            })
        let first = try Trainer<Engine>(Self.configuration(optimizer: optimizer)).run(on: Self.data, callbacks: callbacks)
        #expect(first.progress.outcome == .interrupted)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-ckpt-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("run.ckpt").path
        try #require(saved).write(to: path)
        let restored = try TrainingProgress.read(path: path)
        #expect(restored.model == saved!.model)
        // The trainer's own optimizer is not used: a resumed run keeps its checkpoint's.
        let second = try Trainer<Engine>(Self.configuration()).run(
            on: Self.data, resuming: restored,
            callbacks: TrainingCallbacks(stopInterval: 320, onEpoch: { losses.append($0.loss) }))
        #expect(second.progress.outcome == .completed)
        return (second.model.jsonText, losses)
    }

    /// What a caller records in a checkpoint (`setup`, any JSON) is written and read back
    /// as it was given: numbers whole and fractional, strings, nesting, null.
    @Test func aCallersSetupIsKeptAsGiven() throws {
        let setup = JSONValue.object([
            "path": .string("runs/a \"b\".json"), "every": .integer(3), "noise": .number(0.2), "big": .integer(Int.max),
            "nested": .object(["list": .array([.bool(true), .null, .number(-1.5e-300)])]),
        ])
        var progress = TrainingProgress(configuration: TrainingConfiguration(), model: Model(parameters: Parameters.glorotUniform(seed: 2)))
        progress.setup = setup
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-setup-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try progress.write(to: path)
        #expect(try TrainingProgress.read(path: path).setup == setup)
        struct Record: Codable, Equatable { var name: String; var count: Int }
        #expect(try JSONValue(encoding: Record(name: "x", count: 4)).decode(Record.self) == Record(name: "x", count: 4))
    }

    @Test(arguments: [0, 1, 7, 8, 23])
    func resumingGivesTheUninterruptedModel(stopAfter: Int) throws {
        // 2400 training samples at batch 16 are 150 batches, checked every 20: 8 checks an
        // epoch, so these stop at the start, mid-epoch, at an epoch's end and in epoch 3.
        // The epoch's loss too: the checkpoint keeps the sum of the mini-batches done.
        let resumed = try interruptedAndResumed(SIMDEngine.self, stopAfter: stopAfter)
        #expect(try resumed == uninterrupted(SIMDEngine.self))
    }

    @Test func resumingWorksOnEveryEngine() throws {
        #expect(try interruptedAndResumed(ReferenceEngine.self, stopAfter: 11) == uninterrupted(ReferenceEngine.self))
        #expect(try interruptedAndResumed(ParallelEngine.self, stopAfter: 11) == uninterrupted(ParallelEngine.self))
    }

    /// The optimizers that keep state resume exactly on every engine: their buffers, moments
    /// and step count go through the checkpoint file (stopped mid-epoch, in epoch 2).
    @Test(arguments: [Optimizer.sgd(momentum: 0.9, nesterov: true), .adam(), .adamW(weightDecay: 0.1)])
    func statefulOptimizersResumeExactly(optimizer: Optimizer) throws {
        #expect(try interruptedAndResumed(SIMDEngine.self, stopAfter: 11, optimizer: optimizer) == uninterrupted(SIMDEngine.self, optimizer: optimizer))
        #expect(try interruptedAndResumed(ParallelEngine.self, stopAfter: 11, optimizer: optimizer) == uninterrupted(ParallelEngine.self, optimizer: optimizer))
        #expect(try interruptedAndResumed(ReferenceEngine.self, stopAfter: 11, optimizer: optimizer) == uninterrupted(ReferenceEngine.self, optimizer: optimizer))
        // And the state matters: a run that restarted Adam's moments would not match.
        var checks = 0
        var saved: TrainingProgress?
        _ = try Trainer<SIMDEngine>(Self.configuration(optimizer: optimizer)).run(
            on: Self.data, callbacks: TrainingCallbacks(stopInterval: 320, onCheckpoint: { saved = $0 }, shouldStop: {
                checks += 1
                return checks > 11
            }))
        var forgetful = try #require(saved)
        #expect(forgetful.optimizerState?.steps == 150 + 3 * 20)  // epoch 1, then 3 chunks of 20 batches
        forgetful.optimizerState = nil
        let error = #expect(throws: SettingError.self) { try Trainer<SIMDEngine>(Self.configuration()).run(on: Self.data, resuming: forgetful) }
        #expect(error?.message.hasPrefix("optimizerState is missing") == true, "\(String(describing: error))")
    }

    /// The last checkpoint of a short run on 100 samples, and the new temporary file it was
    /// written to (the caller removes it).
    static func lastCheckpoint(epochs: Int) throws -> (progress: TrainingProgress, path: String) {
        var saved: TrainingProgress?
        _ = try Trainer<SIMDEngine>(configuration(epochs: epochs)).run(
            on: SyntheticData.moons.generate(count: 100, seed: 2), callbacks: TrainingCallbacks(onCheckpoint: { saved = $0 }))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID()).ckpt").path
        let progress = try #require(saved)
        try progress.write(to: path)
        return (progress, path)
    }

    /// A checkpoint of an earlier version (no optimizer, no positive weight, no state) reads
    /// as plain SGD with weight 1.
    @Test func checkpointsWithoutAnOptimizerArePlainSGD() throws {
        let (saved, path) = try Self.lastCheckpoint(epochs: 1)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var configuration = try #require(object["configuration"] as? [String: Any])
        #expect(configuration.removeValue(forKey: "optimizer") != nil && configuration.removeValue(forKey: "positiveWeight") != nil)
        object["configuration"] = configuration
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        let old = try TrainingProgress.read(path: path)
        #expect(old.configuration.optimizer == .sgd() && old.configuration.positiveWeight == 1 && old.optimizerState == nil)
        #expect(old.configuration == saved.configuration)
    }

    @Test func periodicCheckpointsResumeToTheSameModel() throws {
        var checkpoints: [TrainingProgress] = []
        let full = try Trainer<SIMDEngine>(Self.configuration(epochs: 5)).run(
            on: Self.data, callbacks: TrainingCallbacks(checkpointEvery: 2, onCheckpoint: { checkpoints.append($0) }))
        // After epochs 2 and 4, and at the end.
        #expect(checkpoints.map(\.epochsCompleted) == [2, 4, 5])
        let resumed = try Trainer<SIMDEngine>(Self.configuration(epochs: 5)).run(on: Self.data, resuming: checkpoints[0])
        #expect(resumed.model.jsonText == full.model.jsonText)
        // A finished run can be extended: 5 epochs then 2 more equal 7 in one go.
        let seven = try Trainer<SIMDEngine>(Self.configuration(epochs: 7)).train(on: Self.data)
        let extended = try Trainer<SIMDEngine>(Self.configuration(epochs: 7)).run(on: Self.data, resuming: checkpoints[2])
        #expect(extended.model.jsonText == seven.jsonText)
    }

    @Test func earlyStoppingKeepsTheBestParameters() throws {
        var configuration = Self.configuration(epochs: 200)
        configuration.patience = 3
        configuration.learningRate = 4  // noisy enough that the validation loss stops improving
        var reports: [EpochReport] = []
        let result = try Trainer<SIMDEngine>(configuration).run(
            on: Self.data, callbacks: TrainingCallbacks(onEpoch: { reports.append($0) }))
        #expect(result.progress.outcome == .stoppedEarly)
        #expect(reports.count < 200)
        let losses = reports.map { $0.validation!.loss }
        let best = losses.indices.min { losses[$0] < losses[$1] }!
        #expect(reports.count == best + 1 + 3)
        #expect(result.model == result.progress.bestModel)
        #expect(result.progress.bestValidationLoss == losses[best])
    }

    @Test func malformedCheckpointsAreReportedWithTheirFile() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).ckpt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("{\"configuration\": {".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: InputError.self) { try TrainingProgress.read(path: path) }
        do {
            _ = try TrainingProgress.read(path: path)
        } catch {
            #expect(error.file == path)
            #expect(error.line == 1)
            #expect(error.message.hasPrefix("not valid JSON: the file ends early"))
        }
    }

    /// An optimizer's state is checked as a whole against its optimizer, whether it comes
    /// from a file or from code: removed, cut short, of another optimizer, or with a step
    /// count near Int.max (which overflowed), each refused naming the field.
    @Test func optimizerStatesThatDoNotFitAreRefused() throws {
        var saved: TrainingProgress?
        let adam = Self.configuration(epochs: 2, optimizer: .adam())
        _ = try Trainer<SIMDEngine>(adam).run(on: Self.data, callbacks: TrainingCallbacks(onCheckpoint: { saved = $0 }))
        let checkpoint = try #require(saved)
        let state = try #require(checkpoint.optimizerState)
        let cases: [(String, (inout TrainingProgress) -> Void, String)] = [
            ("removed", { $0.optimizerState = nil }, "optimizerState is missing: adam keeps its state from the first step"),
            ("cut short", { $0.optimizerState?.first = [] }, "optimizerState.first has 0 values: must have 51 after"),
            ("no steps", { $0.optimizerState?.steps = 0 }, "optimizerState.steps is 0: must be from 1 to 2^53"),
            ("near Int.max", { $0.optimizerState?.steps = Int.max - 1 }, "optimizerState.steps is 9223372036854775806"),
            ("negative second moment", { $0.optimizerState?.second[7] = -1 }, "optimizerState.second[7] is -1.0: a second moment is never negative"),
            ("Adam's state for SGD with momentum", { $0.configuration.optimizer = .sgd(momentum: 0.9) },
             "optimizerState.second[0] is \(state.second[0]): SGD keeps no second moment"),
            ("a state for plain SGD", { ($0.configuration.optimizer, $0.configuration.learningRate) = (.sgd(), 1) },
             "optimizerState: plain SGD keeps no state"),
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID()).ckpt").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (name, change, message) in cases {
            var tampered = checkpoint
            change(&tampered)
            let fromCode = #expect(throws: SettingError.self, "\(name)") { try Trainer<SIMDEngine>(tampered.configuration).run(on: Self.data, resuming: tampered) }
            #expect(fromCode?.setting == "checkpoint" && fromCode?.message.hasPrefix(message) == true, "\(name): \(String(describing: fromCode))")
            try tampered.write(to: path)
            let fromFile = #expect(throws: InputError.self, "\(name)") { try TrainingProgress.read(path: path) }
            #expect(fromFile?.message.hasPrefix(message) == true, "\(name): \(String(describing: fromFile))")
        }
        #expect(throws: Never.self) { try Trainer<SIMDEngine>(adam).run(on: Self.data, resuming: checkpoint) }
    }

    /// Checkpoints edited by hand: every field out of range is reported with its value,
    /// never a trap, and decoding errors name the field without the decoder's debug text.
    @Test(arguments: [
        ("\"batchSize\" : 16", "\"batchSize\" : 0", "configuration.batchSize is 0: must be at least 1"),
        ("\"batchSize\" : 16", "\"batchSize\" : -3", "configuration.batchSize is -3: must be at least 1"),
        ("\"batchesCompleted\" : 0", "\"batchesCompleted\" : -1", "batchesCompleted is -1: must be 0 or more"),
        ("\"epochsCompleted\" : 2", "\"epochsCompleted\" : -5", "epochsCompleted is -5: must be 0 or more"),
        ("\"validationFraction\" : 0.2", "\"validationFraction\" : 1.5",
         "configuration.validationFraction is 1.5: must be from 0 up to (not including) 1"),
        ("\"learningRate\" : 1", "\"learningRate\" : -1",
         "configuration.learningRate is -1.0: must be a finite number greater than 0"),
        ("\"batchSize\" : 16", "\"batchSize\" : \"x\"", "\"configuration.batchSize\" must be a whole number"),
        ("\"batchSize\" : 16,", "", "missing field \"configuration.batchSize\""),
        ("\"learningRate\" : 1", "\"learningRate\" : null", "\"configuration.learningRate\" is null"),
        ("\"momentum\" : 0", "\"momentum\" : 1",
         "configuration.optimizer: the momentum is 1.0: must be from 0 up to (not including) 1"),
        ("\"positiveWeight\" : 1", "\"positiveWeight\" : 0",
         "configuration.positiveWeight is 0.0: must be a finite number greater than 0"),
        ("\"epochsCompleted\" : 2", "\"optimizerState\" : {\"steps\" : 3, \"first\" : [1], \"second\" : []}, \"epochsCompleted\" : 2",
         "optimizerState: plain SGD keeps no state, but the checkpoint holds 3 steps of one"),
        ("\"epochsCompleted\" : 2", "\"optimizerState\" : {\"steps\" : -1, \"first\" : [], \"second\" : []}, \"epochsCompleted\" : 2",
         "optimizerState.steps is -1: must be from 1 to 2^53 (a state is kept after a step)"),
    ])
    func tamperedCheckpointsAreRefusedFieldByField(original: String, replacement: String, message: String) throws {
        let (path, _) = try Self.tampered(original, replacement)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: InputError(file: path, line: nil, message: message)) { try TrainingProgress.read(path: path) }
    }

    /// A 2-epoch run's checkpoint with `original` replaced by `replacement`: its path, and
    /// the line `original` was on.
    static func tampered(_ original: String, _ replacement: String) throws -> (path: String, line: Int) {
        let (_, path) = try lastCheckpoint(epochs: 2)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let found = try #require(text.range(of: original))
        try text.replacingOccurrences(of: original, with: replacement).write(toFile: path, atomically: true, encoding: .utf8)
        return (path, text[..<found.lowerBound].filter { $0 == "\n" }.count + 1)
    }

    /// A fraction or an out-of-range number where a whole number goes, which Foundation's
    /// decoder calls "not valid JSON" without a field, is named with its key and line.
    @Test(arguments: [
        ("\"batchSize\" : 16", "\"batchSize\" : 16.5", "\"batchSize\" is 16.5"),
        ("\"batchesCompleted\" : 0", "\"batchesCompleted\" : 18446744073709551616", "\"batchesCompleted\" is 18446744073709551616"),
    ])
    func inexactWholeNumbersAreNamed(original: String, replacement: String, message: String) throws {
        let (path, line) = try Self.tampered(original, replacement)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: InputError(file: path, line: line, message: message + ": not a whole number of the range allowed there")) {
            try TrainingProgress.read(path: path)
        }
    }
}

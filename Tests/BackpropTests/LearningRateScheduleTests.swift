import Foundation
import Testing

@testable import Backprop

/// Learning-rate schedules in the library: their checks, their place in checkpoints, and
/// runs that give them. Their rates against PyTorch's are checked by Tests/oracle/check_schedules.py.
@Suite struct LearningRateScheduleTests {
    static let data = SyntheticData.moons.generate(count: 600, seed: 4)

    static func configuration(_ schedule: LearningRateSchedule) -> TrainingConfiguration {
        var configuration = TrainingConfiguration()
        (configuration.epochs, configuration.batchSize, configuration.validationFraction) = (6, 50, 0.25)
        configuration.schedule = schedule
        return configuration
    }

    /// Each setting PyTorch refuses, or that would give a rate that is not a finite number
    /// of 0 or more, is refused by `validate()`, naming the schedule.
    @Test(arguments: [
        LearningRateSchedule(.step(stepSize: 0)), LearningRateSchedule(.step(stepSize: 2, gamma: -1)),
        LearningRateSchedule(.multiStep(milestones: [])), LearningRateSchedule(.multiStep(milestones: [4, 4])),
        LearningRateSchedule(.exponential(gamma: .infinity)), LearningRateSchedule(.cosine(period: 0)),
        LearningRateSchedule(.cosine(minimumRate: -1)), LearningRateSchedule(.linear(startFactor: 0)),
        LearningRateSchedule(.linear(endFactor: 1.5)), LearningRateSchedule(.oneCycle(warmupFraction: 1.5)),
        LearningRateSchedule(.oneCycle(maxRate: 0)), LearningRateSchedule(.plateau(factor: 1)),
        LearningRateSchedule(.plateau(patience: -1)), LearningRateSchedule(.exponential(gamma: 0.9), warmup: .init(epochs: 0)),
        LearningRateSchedule(.plateau(), warmup: .init(epochs: 2)),
    ])
    func settingsOutOfRangeAreRefused(schedule: LearningRateSchedule) {
        #expect(schedule.problem != nil)
        let error = #expect(throws: SettingError.self) { try Self.configuration(schedule).validate() }
        #expect(error?.setting == "schedule")
    }

    /// A constant rate adds nothing to a checkpoint (its bytes are those of earlier
    /// versions); a schedule and its state go through a checkpoint file unchanged.
    @Test func checkpointsKeepTheScheduleAndItsState() throws {
        let constant = try Trainer<SIMDEngine>(Self.configuration(.constant)).run(on: Self.data).progress
        let constantText = String(decoding: try JSONEncoder().encode(constant), as: UTF8.self)
        #expect(!constantText.contains("schedule") && !constantText.contains("learningRateState"))

        let schedule = LearningRateSchedule(.plateau(factor: 0.5, patience: 0, threshold: 0.5), warmup: nil)
        let progress = try Trainer<SIMDEngine>(Self.configuration(schedule)).run(on: Self.data).progress
        let state = try #require(progress.learningRateState)
        #expect(state.rate == 1.0 / 32)  // halved after each of the 5 epochs: none improves by half
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("schedule-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try progress.write(to: path)
        let read = try TrainingProgress.read(path: path)
        #expect(read.configuration.schedule == schedule && read.learningRateState == state)

        // A state no run could write, or none after the schedule stepped, is refused.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for (old, new, field) in [("\"rate\" : 0.03125", "\"rate\" : -1", "learningRateState: rate is -1.0"),
                                  ("\"learningRateState\"", "\"unknownState\"", "learningRateState is missing")] {
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: InputError.self) { try TrainingProgress.read(path: path) }
            #expect(error?.message.hasPrefix(field) == true, "\(String(describing: error))")
        }
    }

    /// A schedule's state is checked as a whole against the run: its base rate, its epochs
    /// and its rate (replayed) must be the run's, its length must be there, and plateau's
    /// counters are not another schedule's. Each tampered field is named, never trapped on.
    @Test func tamperedStatesAreRefused() throws {
        var configuration = Self.configuration(LearningRateSchedule(.cosine()))
        (configuration.epochs, configuration.validationFraction) = (3, 0)
        let progress = try Trainer<SIMDEngine>(configuration).run(on: Self.data).progress
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tampered-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try progress.write(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"epoch\" : 3,") && text.contains("\"rate\" : 0\n") && text.contains("\"period\" : 3"))
        for (old, new, message) in [
            ("\"epoch\" : 3,", "\"epoch\" : 9223372036854775807,", "learningRateState: epoch is 9223372036854775807, and the run has done 3 epochs"),
            ("\"base\" : 1,", "\"base\" : 1000,", "learningRateState: base is 1000.0, and the run's learning rate is 1.0"),
            ("\"rate\" : 0\n", "\"rate\" : 0.5\n", "learningRateState: rate is 0.5, and the schedule gives 0.0 after 3 epochs"),
            ("\"badEpochs\" : 0,", "\"badEpochs\" : 2,", "learningRateState: best, badEpochs and cooldownLeft belong to plateau"),
            (",\n          \"period\" : 3", "", "configuration.schedule: its length (cosine's period, onecycle's epochs) is missing"),
            ("\"period\" : 3", "\"period\" : 4611686018427387904", "configuration.schedule: a length of 4611686018427387904 epochs is more than"),
        ] {
            try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: InputError.self) { try TrainingProgress.read(path: path) }
            #expect(error?.message.hasPrefix(message) == true, "\(String(describing: error))")
        }
    }

    /// The cosine's period and the one cycle's length are fixed at the run's start: a run
    /// resumed for more epochs keeps its rates, and a cycle cannot be outrun.
    @Test func lengthsAreFixedAtTheStart() throws {
        var configuration = Self.configuration(LearningRateSchedule(.cosine()))
        configuration.validationFraction = 0
        let progress = try Trainer<SIMDEngine>(configuration).run(on: Self.data).progress
        #expect(progress.configuration.schedule.kind == .cosine(period: 6, minimumRate: 0))
        #expect(progress.learningRateState?.rate == 0)  // the end of the half cycle
        configuration.epochs = 9
        let longer = try Trainer<SIMDEngine>(configuration).run(on: Self.data, resuming: progress).progress
        #expect(longer.configuration.schedule.kind == .cosine(period: 6, minimumRate: 0))

        var cycle = Self.configuration(LearningRateSchedule(.oneCycle()))
        let cycled = try Trainer<SIMDEngine>(cycle).run(on: Self.data).progress
        cycle.epochs = 7
        let error = #expect(throws: SettingError.self) { try Trainer<SIMDEngine>(cycle).run(on: Self.data, resuming: cycled) }
        #expect(error?.message == "onecycle: the cycle is 6 epochs long, and the run asks for 7")
    }

    /// A schedule changes the model, and the same schedule gives the same bits on every
    /// thread count.
    @Test func aScheduleTrainsTheSameOnAnyThreadCount() throws {
        var configuration = Self.configuration(LearningRateSchedule(.exponential(gamma: 0.5), warmup: .init(epochs: 2)))
        let constant = try Trainer<SIMDEngine>(Self.configuration(.constant)).train(on: Self.data)
        let one = try Trainer<ParallelEngine>(configuration).train(on: Self.data)
        configuration.engineOptions = EngineOptions(threads: 2)
        let two = try Trainer<ParallelEngine>(configuration).train(on: Self.data)
        #expect(one == two && one != constant)
    }

    /// Every schedule, stopped at any of several points (mid-epoch included) and resumed
    /// from its checkpoint through a file, ends with the model, reports and rates of the run
    /// that never stopped.
    @Test(arguments: [
        LearningRateSchedule(.step(stepSize: 2, gamma: 0.5)), LearningRateSchedule(.multiStep(milestones: [2, 3], gamma: 0.4)),
        LearningRateSchedule(.exponential(gamma: 0.7)), LearningRateSchedule(.cosine(minimumRate: 0.05)),
        LearningRateSchedule(.linear(startFactor: 0.3, endFactor: 0.9, epochs: 4)), LearningRateSchedule(.oneCycle(warmupFraction: 0.25)),
        LearningRateSchedule(.plateau(factor: 0.5, patience: 0, threshold: 0.02, cooldown: 1)),
        LearningRateSchedule(.cosine(), warmup: .init(epochs: 2, startFactor: 0.1)),
    ])
    func everyScheduleResumesToTheSameBits(schedule: LearningRateSchedule) throws {
        let configuration = Self.configuration(schedule)
        func report(_ report: EpochReport) -> String { "\(report.epoch) \(report.loss) \(report.learningRate ?? .nan)" }
        var expected: [String] = []
        let whole = try Trainer<SIMDEngine>(configuration).run(
            on: Self.data, callbacks: TrainingCallbacks(stopInterval: 100, onEpoch: { expected.append(report($0)) }))
        #expect(Set(expected.map { $0.split(separator: " ")[2] }).count > 1)  // the rate changes
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("schedule-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for stopAfter in [1, 4, 9, 15] {  // checks of shouldStop: mid-epoch and between epochs
            var (checks, reports, saved) = (0, [String](), TrainingProgress?.none)
            let callbacks = TrainingCallbacks(
                stopInterval: 100, onEpoch: { reports.append(report($0)) }, onCheckpoint: { saved = $0 },
                shouldStop: {
                    checks += 1
                    return checks > stopAfter
                })
            let first = try Trainer<SIMDEngine>(configuration).run(on: Self.data, callbacks: callbacks)
            #expect(first.progress.outcome == .interrupted)
            try #require(saved).write(to: path)
            let resumed = try Trainer<SIMDEngine>(configuration).run(
                on: Self.data, resuming: try TrainingProgress.read(path: path),
                callbacks: TrainingCallbacks(stopInterval: 100, onEpoch: { reports.append(report($0)) }))
            #expect(resumed.model == whole.model, "stopped after \(stopAfter) checks")
            #expect(reports == expected, "stopped after \(stopAfter) checks")
        }
    }

    /// An engine's steps at a rate per mini-batch, in one call, are its steps one mini-batch
    /// a call at those rates, to the bit (loss and parameters): the SIMD engine, and the
    /// parallel engine on one thread and on two with batches split into shards.
    @Test(arguments: [(1, 7), (1, 512), (2, 512)])
    func ratesPerMiniBatchAreStepsOneByOne(threads: Int, batchSize: Int) throws {
        let data = SyntheticData.moons.generate(count: 3000, seed: 9)
        let batches = (data.count + batchSize - 1) / batchSize
        let rates = (0..<batches).map { 0.05 + 0.5 * Double(($0 * 7) % 11) / 11 }
        let rule = UpdateRule(learningRate: 1, optimizer: .adam())
        func check<Engine: TrainingEngine>(_ make: () -> Engine) {
            var (together, apart) = (make(), make())
            var (stateTogether, stateApart) = (OptimizerState(), OptimizerState())
            var (lossTogether, lossApart) = (0.0, 0.0)
            data.withMiniBatch(0..<data.count) { all in
                lossTogether = rates.withUnsafeBufferPointer {
                    together.trainEpoch(all, batchSize: batchSize, rule: rule, rates: $0, state: &stateTogether)
                }
                var index = 0
                all.forEachBatch(of: batchSize) { batch in
                    lossApart += apart.trainEpoch(batch, batchSize: batchSize, rule: rule.with(learningRate: rates[index]), state: &stateApart)
                    index += 1
                }
            }
            #expect(together.parameters == apart.parameters && lossTogether == lossApart, "\(Engine.self)")
            #expect(stateTogether == stateApart && stateTogether.steps == batches)
        }
        let start = Parameters.glorotUniform(seed: 3)
        check { SIMDEngine(parameters: start, options: EngineOptions(threads: 1)) }
        check { ParallelEngine(parameters: start, options: EngineOptions(threads: threads)) }
    }

    /// onecycle's rates computed a chunk ahead on another thread: the same model as with
    /// the whole epoch in one chunk (computed on the training thread), over several chunks
    /// and epochs.
    @Test func prefetchedRatesAreTheRunsRates() throws {
        var configuration = TrainingConfiguration()
        (configuration.epochs, configuration.batchSize) = (3, 4)
        configuration.schedule = LearningRateSchedule(.oneCycle(warmupFraction: 0.2))
        let data = SyntheticData.moons.generate(count: 20_000, seed: 6)  // 5000 mini-batches an epoch, chunks of 1024
        let prefetched = try Trainer<SIMDEngine>(configuration).run(on: data, callbacks: TrainingCallbacks(stopInterval: 4))
        let whole = try Trainer<SIMDEngine>(configuration).run(on: data, callbacks: TrainingCallbacks(stopInterval: 1 << 30))
        #expect(prefetched.model == whole.model)
        #expect(prefetched.progress.learningRateState == whole.progress.learningRateState)
    }

    /// In a population, each lane follows its own schedule with its own state (plateau's
    /// counters follow the lane's own loss, onecycle's rate changes every mini-batch): every
    /// model is its run alone, on one thread or two, whatever its neighbours' schedules.
    @Test(arguments: [1, 2]) func eachLaneFollowsItsOwnSchedule(threads: Int) throws {
        let schedules = [
            LearningRateSchedule(.cosine(minimumRate: 0.01)), .constant, LearningRateSchedule(.step(stepSize: 1, gamma: 0.5), warmup: .init(epochs: 2)),
            LearningRateSchedule(.plateau(factor: 0.5, patience: 0, threshold: 0.05)), LearningRateSchedule(.exponential(gamma: 0.8)),
            LearningRateSchedule(.linear(startFactor: 0.2, epochs: 3)), LearningRateSchedule(.multiStep(milestones: [1, 3], gamma: 0.3)),
            LearningRateSchedule(.oneCycle(warmupFraction: 0.4, annealing: .linear)),
        ]
        let configurations = PopulationTrainerTests.configurations.enumerated().map { index, configuration in
            var configuration = configuration
            configuration.schedule = schedules[index % schedules.count]
            return configuration
        }
        let (results, losses) = try PopulationTrainerTests.together(configurations, threads: threads)
        for (index, configuration) in configurations.enumerated() {
            let (alone, aloneLosses) = try PopulationTrainerTests.alone(configuration, on: PopulationTrainerTests.data([configuration])[0])
            #expect(results[index].model == alone.model, "model \(index)")
            #expect(try PopulationTrainerTests.bits(results[index].progress) == PopulationTrainerTests.bits(alone.progress), "model \(index)")
            #expect(losses[index] == aloneLosses, "model \(index)")
        }
        let (constant, _) = try PopulationTrainerTests.together(PopulationTrainerTests.configurations, threads: threads)
        #expect(results[0].model != constant[0].model && results[1].model == constant[1].model)
    }

}

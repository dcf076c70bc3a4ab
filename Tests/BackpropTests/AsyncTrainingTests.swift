import Dispatch
import Foundation
import Synchronization
import Testing

@testable import Backprop

/// Training as a task: the bits of `run`, cancelled at the next mini-batch, and resumed.
@Suite struct AsyncTrainingTests {
    static let data = SyntheticData.moons.generate(count: 2000, seed: 8)

    static var configuration: TrainingConfiguration {
        var configuration = TrainingConfiguration()
        (configuration.epochs, configuration.batchSize, configuration.validationFraction) = (6, 16, 0.2)
        return configuration
    }

    /// Not cancelled: the model and progress of `run`, and every epoch's report in order.
    @Test func anUncancelledTaskIsTheRun() async throws {
        let trainer = Trainer<SIMDEngine>(Self.configuration)
        var reports: [EpochReport] = []
        let expected = try trainer.run(on: Self.data, callbacks: TrainingCallbacks(onEpoch: { reports.append($0) }))
        let (result, history) = try await trainer.train(on: Self.data)
        #expect(result.model == expected.model && result.progress.outcome == .completed)
        #expect(history.map(\.epoch) == Array(1...6))
        #expect(history.map(\.loss) == reports.map(\.loss))
        #expect(history.map { $0.validation?.loss } == reports.map { $0.validation?.loss })
    }

    /// Cancelled as epoch 2 ends (from the training thread, so the moment is exact): the
    /// run stops before the next mini-batch, with epoch 2 done and no batch of epoch 3;
    /// its checkpoint resumes to the model of the run that never stopped.
    @Test func aCancelledTaskStopsAtTheNextMiniBatchAndResumes() async throws {
        let trainer = Trainer<SIMDEngine>(Self.configuration)
        let handle = Mutex<Task<(result: TrainingResult<SIMDEngine>, history: [EpochReport]), any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let checkpoints = Mutex<[TrainingProgress]>([])
        let task = Task {
            try await trainer.train(
                on: Self.data,
                onEpoch: { report in
                    guard report.epoch == 2 else { return }
                    ready.wait()  // until the test holds the task's handle
                    handle.withLock { $0?.cancel() }
                },
                onCheckpoint: { progress in checkpoints.withLock { $0.append(progress) } })
        }
        handle.withLock { $0 = task }
        ready.signal()
        let (stopped, history) = try await task.value
        #expect(stopped.progress.outcome == .interrupted)
        #expect(stopped.progress.epochsCompleted == 2 && stopped.progress.batchesCompleted == 0)
        #expect(history.map(\.epoch) == [1, 2])
        let last = try #require(checkpoints.withLock { $0.last })
        #expect(last.outcome == .interrupted && last.epochsCompleted == 2)
        let resumed = try await trainer.train(on: Self.data, resuming: last).result
        #expect(try resumed.model == trainer.run(on: Self.data).model)
    }

    /// The SIMD engine, counting the calls of `trainEpoch`: the 37th call cancels the task
    /// in `task` (one test uses it).
    struct CancellingEngine: TrainingEngine {
        static let task = Mutex<(calls: Int, handle: Task<(result: TrainingResult<CancellingEngine>, history: [EpochReport]), any Error>?)>((0, nil))
        var inner: SIMDEngine
        init(parameters: Parameters, options: EngineOptions) { inner = SIMDEngine(parameters: parameters, options: options) }
        var parameters: Parameters {
            get { inner.parameters }
            set { inner.parameters = newValue }
        }
        func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
            inner.lossAndGradients(batch, positiveWeight: positiveWeight)
        }
        mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, rule: UpdateRule, state: inout OptimizerState) -> Double {
            Self.task.withLock { task in
                task.calls += 1
                if task.calls == 37 { task.handle?.cancel() }
            }
            return inner.trainEpoch(data, batchSize: batchSize, rule: rule, state: &state)
        }
        func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) { inner.logits(inputs, into: output) }
    }

    /// Cancelled in the middle of an epoch, during its 37th mini-batch: the run stops after
    /// it, before the 38th (one engine call a mini-batch: 100 a 1600-sample epoch of 16),
    /// and its checkpoint resumes to the model of the run that never stopped.
    @Test func aTaskCancelledMidEpochStopsWithinOneMiniBatch() async throws {
        let trainer = Trainer<CancellingEngine>(Self.configuration)
        let ready = DispatchSemaphore(value: 0)
        let task = Task {
            ready.wait()  // until the engine holds the task's handle
            return try await trainer.train(on: Self.data)
        }
        CancellingEngine.task.withLock { $0.handle = task }
        ready.signal()
        let stopped = try await task.value.result
        #expect(stopped.progress.outcome == .interrupted)
        #expect(stopped.progress.epochsCompleted == 0 && stopped.progress.batchesCompleted == 37)
        let resumed = try await Trainer<SIMDEngine>(Self.configuration).train(on: Self.data, resuming: stopped.progress).result
        #expect(try resumed.model == Trainer<SIMDEngine>(Self.configuration).run(on: Self.data).model)
    }

    @Test func checkpointsEveryZeroEpochsAreRefused() async {
        let error = await #expect(throws: SettingError.self) {
            try await Trainer<SIMDEngine>(Self.configuration).train(on: Self.data, checkpointEvery: 0)
        }
        #expect(error?.setting == "checkpointEvery")
    }

    /// Cancelled before it starts, the run trains no mini-batch.
    @Test func aTaskCancelledBeforeItStartsTrainsNothing() async throws {
        let trainer = Trainer<SIMDEngine>(Self.configuration)
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await trainer.train(on: Self.data)
        }
        let (result, history) = try await task.value
        #expect(result.progress.outcome == .interrupted && result.progress.epochsCompleted == 0)
        #expect(result.progress.batchesCompleted == 0 && history.isEmpty)
    }
}

import Backprop

/// One run of `train`, fresh or resumed: the engine, the callbacks that report, log and
/// checkpoint, and the model saved at the end.
struct TrainingSession {
    var configuration: TrainingConfiguration
    let setup: RunSetup
    let outputs: TrainingOutputs

    init(configuration: TrainingConfiguration, setup: RunSetup, outputs: TrainingOutputs) {
        self.configuration = configuration
        self.configuration.engineOptions = EngineOptions(threads: outputs.threads ?? EngineOptions.availableCores)
        self.configuration.evaluateEvery = outputs.evaluateEvery
        self.setup = setup
        self.outputs = outputs
    }

    /// Takes the data over, so that the run can standardise it in place; returns the exit status.
    func train(_ data: consuming TrainingData, start: Model?, resuming progress: TrainingProgress?) throws -> Int32 {
        var reporter = TrainingReporter(outputs, totalEpochs: configuration.epochs)
        let log = try outputs.logPath.map { path throws(InputError) in try TrainingLog(path: path, resuming: progress) }
        var checkpointError: InputError?
        let (setup, checkpointPath) = (setup, outputs.checkpointPath)
        if reporter.style != .quiet { warnIfDebugBuild() }
        StopSignal.install()

        let callbacks = TrainingCallbacks(
            checkpointEvery: outputs.checkpointEvery,
            onEpoch: { report in
                log?.append(report)
                reporter.epoch(report)
            },
            onCheckpoint: { progress in
                guard let checkpointPath, checkpointError == nil else { return }
                log?.sync()
                var progress = progress
                progress.setup = try? JSONValue(encoding: setup.relative(toCheckpoint: checkpointPath))  // strings and numbers: never fails
                do throws(InputError) { try progress.write(to: checkpointPath) } catch { checkpointError = error }
            },
            shouldStop: { StopSignal.requested })
        let engine = EngineChoice.type(named: outputs.engineName)
        let result = try Self.run(engine, consume data, start, progress, configuration, callbacks)
        reporter.finishEpochs()
        if let checkpointError { throw checkpointError }

        if result.progress.outcome == .diverged {
            throw Failure(description: TrainingReporter.diverged(result.progress))
        }
        if result.progress.outcome == .interrupted {
            TrainingReporter.interrupted(result.progress, checkpoint: checkpointPath)
            return 128 + StopSignal.received.load(ordering: .relaxed)
        }
        try result.model.write(to: outputs.savePath)
        reporter.saved(result, to: outputs.savePath)
        // The model is saved; a log that could not be written still fails the command.
        if let error = log?.error { throw error }
        return 0
    }

    /// Opens the engine existential: the training loop itself is specialised for the engine.
    private static func run<Engine: TrainingEngine>(
        _: Engine.Type, _ data: consuming TrainingData, _ start: Model?, _ progress: TrainingProgress?,
        _ configuration: TrainingConfiguration, _ callbacks: TrainingCallbacks
    ) throws -> (model: Model, progress: TrainingProgress) {
        let trainer = Trainer<Engine>(configuration)
        let result =
            switch consume data {
            case .memory(let data): try trainer.run(on: data, from: start, resuming: progress, callbacks: callbacks)
            case .streamed(let reader): try trainer.run(streaming: reader, from: start, resuming: progress, callbacks: callbacks)
            }
        return (result.model, result.progress)
    }
}

import Backprop

extension TrainCommand {
    /// `train --resume FILE`: the data source and settings come from the checkpoint; the
    /// options given choose the length, the engine and the outputs.
    static func resume(from path: String, _ options: ParsedOptions) throws -> Int32 {
        let progress = try TrainingProgress.read(path: path)
        guard let recorded = progress.setup else {
            throw InputError(file: path, line: nil, message: "not a checkpoint of `backprop train` (no data source)")
        }
        var outputs = TrainingOutputs(options, checkpointEvery: recorded.checkpointEvery)
        outputs.engineName = options.string("--engine") ?? recorded.engine ?? outputs.engineName
        if let engine = recorded.engine, engine != outputs.engineName {
            printError(
                "warning: \(path) was trained on the \(engine) engine; resuming on \(outputs.engineName) gives other bits than the uninterrupted run")
        }
        outputs.savePath = outputs.explicitSave ?? recorded.savePath
        outputs.checkpointPath = outputs.checkpointPath ?? recorded.checkpointPath ?? path
        outputs.logPath = outputs.logPath ?? recorded.logPath
        // The checkpoint may be written back to the file it resumed from, and only there.
        var inputs = [(option: "--resume", path: path)]
        if case .file(let dataPath) = recorded.data { inputs.append(("the checkpoint's data", dataPath)) }
        try outputs.check(apartFrom: inputs.filter { input in
            !(input.option == "--resume" && outputs.checkpointPath.map { AtomicFile.wouldReplace($0, path) } == true)
        })
        let data = try recorded.data.load()
        guard data.fingerprint == recorded.dataFingerprint else {
            let file = if case .file(let dataPath) = recorded.data { dataPath } else { path }
            throw InputError(file: file, line: nil, message: "the data differs from the data of the run that wrote \(path)")
        }
        let trainingCount = Dataset.trainingCount(of: data.count, validationFraction: progress.configuration.validationFraction)
        let batchesPerEpoch = (trainingCount + progress.configuration.batchSize - 1) / progress.configuration.batchSize
        guard progress.batchesCompleted <= batchesPerEpoch else {
            throw InputError(
                file: path, line: nil,
                message: "batchesCompleted is \(progress.batchesCompleted), but an epoch of its data has \(batchesPerEpoch) mini-batches")
        }
        var configuration = progress.configuration
        configuration.epochs = options.integer("--epochs") ?? configuration.epochs
        guard configuration.epochs >= progress.epochsCompleted else {
            throw UsageError(
                description: "--epochs \(configuration.epochs) is fewer than the \(progress.epochsCompleted) epochs \(path) has done")
        }
        let setup = outputs.setup(data: recorded.data, fingerprint: recorded.dataFingerprint)
        return try TrainingSession(configuration: configuration, setup: setup, outputs: outputs)
            .train(consume data, start: nil, resuming: progress)
    }
}

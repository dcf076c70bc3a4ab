import Backprop

extension TrainCommand {
    /// `train --resume FILE`: the data source and settings come from the checkpoint; the
    /// options given choose the length, the engine and the outputs, and any setting given
    /// again must agree with the checkpoint's.
    static func resume(from path: String, _ options: ParsedOptions) throws -> Int32 {
        let progress = try TrainingProgress.read(path: path)
        guard let recorded = try progress.runSetup(checkpoint: path) else {
            throw InputError(file: path, line: nil, message: "not a checkpoint of `backprop train` (no data source)")
        }
        // The files a resumed run writes without being told stay in the checkpoint's folder:
        // an edited checkpoint must not aim a write at any file the user can write.
        for (option, field, output) in [
            ("--save", "savePath", recorded.savePath), ("--log", "logPath", recorded.logPath),
            ("--checkpoint", "checkpointPath", recorded.checkpointPath),
        ] where !options.has(option) {
            if let output, output.hasPrefix("/") || output.split(separator: "/").contains("..") {
                throw InputError(
                    file: path, line: nil, message: "setup.\(field) \(output) leaves the checkpoint's folder: give \(option) to resume it")
            }
        }
        let kept = recorded.resolved(fromCheckpoint: path)
        try checkAgreement(options, with: progress, kept, checkpoint: path)
        let outputs = try resumedOutputs(options, kept, checkpoint: path)
        let data = try TrainingData.open(kept.data, configuration: progress.configuration, stream: options.flag("--stream"))
        guard try data.fingerprint(like: kept.dataFingerprint) == kept.dataFingerprint else {
            let file = if case .file(let dataPath) = kept.data { dataPath } else { path }
            throw InputError(file: file, line: nil, message: "the data differs from the data of the run that wrote \(path)")
        }
        do throws(SettingError) { try progress.checkResumable(onSamples: data.count) } catch {
            throw InputError(file: path, line: nil, message: error.message)  // the checkpoint file is what is wrong
        }
        var configuration = progress.configuration
        configuration.epochs = options.integer("--epochs") ?? configuration.epochs
        guard configuration.epochs >= progress.epochsCompleted else {
            throw UsageError(
                description: "--epochs \(configuration.epochs) is fewer than the \(progress.epochsCompleted) epochs \(path) has done")
        }
        let setup = outputs.setup(data: kept.data, fingerprint: kept.dataFingerprint)
        return try TrainingSession(configuration: configuration, setup: setup, outputs: outputs)
            .train(consume data, start: nil, resuming: progress)
    }

    /// The outputs of a resumed run: the options given, else the checkpoint's model and log;
    /// the checkpoint goes back to the file it came from unless `--checkpoint` says otherwise.
    static func resumedOutputs(_ options: ParsedOptions, _ kept: RunSetup, checkpoint path: String) throws -> TrainingOutputs {
        var outputs = TrainingOutputs(options, checkpointEvery: kept.checkpointEvery)
        outputs.engineName = options.string("--engine") ?? kept.engine ?? outputs.engineName
        if let engine = kept.engine, engine != outputs.engineName {
            printError(
                "warning: \(path) was trained on the \(engine) engine; resuming on \(outputs.engineName) gives other bits than the uninterrupted run")
        }
        try EngineChoice.checkThreads(outputs.threads, engine: outputs.engineName, usedBy: [ParallelEngine.name])
        outputs.savePath = outputs.explicitSave ?? kept.savePath
        outputs.checkpointPath = outputs.checkpointPath ?? path
        outputs.logPath = outputs.logPath ?? kept.logPath
        // The checkpoint may be written back to the file it resumed from, and only there.
        var inputs: [(option: String, path: String)] = []
        if !AtomicFile.wouldReplace(outputs.checkpointPath!, path) { inputs.append(("--resume", path)) }
        if case .file(let dataPath) = kept.data { inputs.append(("the checkpoint's data", dataPath)) }
        try outputs.check(apartFrom: inputs)
        return outputs
    }

    /// Refuses a setting given again with `--resume` that differs from the checkpoint's,
    /// naming both values.
    static func checkAgreement(
        _ options: ParsedOptions, with progress: TrainingProgress, _ kept: RunSetup, checkpoint path: String
    ) throws(UsageError) {
        let given = configuration(options)
        let run = progress.configuration
        var pairs: [(option: String, given: String, kept: String)] = [
            ("--batch-size", "\(given.batchSize)", "\(run.batchSize)"),
            ("--learning-rate", "\(given.learningRate)", "\(run.learningRate)"),
            ("--validation-split", "\(given.validationFraction)", "\(run.validationFraction)"),
            ("--patience", "\(given.patience ?? 0)", "\(run.patience.map(String.init) ?? "none")"),
            ("--seed", "\(given.seed)", "\(run.seed)"),
            ("--no-shuffle", "given", run.shuffle ? "absent" : "given"),
            ("--shuffle", options.string("--shuffle") ?? "", run.blockShuffle == nil ? "samples" : "blocks"),
            ("--block-size", "\(given.blockShuffle?.blockSize ?? 0)", run.blockShuffle.map { "\($0.blockSize)" } ?? "none"),
            ("--no-standardize", "given", run.standardize ? "absent" : "given"),
            ("--checkpoint-every", "\(options.integer("--checkpoint-every") ?? 1)", "\(kept.checkpointEvery)"),
            ("--init", "given", progress.randomStart ? "absent (random starting weights)" : "given"),
        ] + OptimizerOptions.comparisons(options, with: run) + ScheduleOptions.comparisons(options, with: run)
        switch (dataSource(options, seed: given.seed), kept.data) {
        case (.file(let a), .file(let b)):
            pairs.append(("--data", a, AtomicFile.wouldReplace(a, b) ? a : b))
        case (.synthetic(let set, let count, let noise, _), .synthetic(let keptSet, let keptCount, let keptNoise, _)):
            pairs += [
                ("--dataset", set.rawValue, keptSet.rawValue), ("--samples", "\(count)", "\(keptCount)"),
                ("--noise", "\(noise)", "\(keptNoise)"),
            ]
        case (_, .file(let b)):
            pairs += ["--dataset", "--samples", "--noise"].map { ($0, "given", "absent: the run read \(b)") }
        case (_, .synthetic(let set, _, _, _)):
            pairs.append(("--data", "given", "absent: the run used the built-in \(set.rawValue) set"))
        }
        // The options the table marks as kept by the checkpoint, each compared as above.
        let comparisons = Dictionary(pairs.map { ($0.option, $0) }, uniquingKeysWith: { first, _ in first })
        for option in command.options where option.keptByCheckpoint && options.has(option.name) {
            guard let pair = comparisons[option.name] else {
                assertionFailure("\(option.name) is kept by the checkpoint but never compared")
                continue
            }
            guard pair.given != pair.kept else { continue }
            let value = pair.given == "given" ? "" : " \(pair.given)"
            throw UsageError(
                description: "\(pair.option)\(value) differs from the run in \(path) (\(pair.kept)); a resumed run keeps its settings")
        }
    }
}

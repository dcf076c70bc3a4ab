import Backprop

/// Where a training run writes, and how it reports: the output and engine options of `train`.
struct TrainingOutputs {
    var engineName: String
    var threads: Int?
    /// `--save` as given; a resumed run otherwise saves where the checkpoint says.
    var explicitSave: String?
    var savePath: String
    var checkpointPath: String?
    var checkpointEvery: Int
    var logPath: String?
    /// `--evaluate-every`: epochs between full evaluations of the training set.
    var evaluateEvery: Int?
    var json: Bool
    var quiet: Bool

    init(_ options: ParsedOptions, checkpointEvery: Int) {
        engineName = options.string("--engine") ?? SIMDEngine.name
        threads = options.integer("--threads")
        explicitSave = options.string("--save")
        savePath = explicitSave ?? TrainCommand.defaultSave
        checkpointPath = options.string("--checkpoint")
        self.checkpointEvery = checkpointEvery
        logPath = options.string("--log")
        evaluateEvery = options.integer("--evaluate-every")
        json = options.flag("--json")
        quiet = options.flag("--quiet")
    }

    /// The output files, each with its option.
    var files: [(option: String, path: String)] {
        givenFiles([("--save", savePath), ("--checkpoint", checkpointPath), ("--log", logPath)])
    }

    /// Fails before any training when an output file could not be written, or would
    /// replace one of `inputs` or another output.
    func check(apartFrom inputs: [(option: String, path: String)]) throws {
        try checkOutputsAreApart(files, from: inputs)
        for file in files { try AtomicFile.checkWritable(file.path) }
    }

    /// What a checkpoint keeps of the run's data and outputs.
    func setup(data: DataSource, fingerprint: String) -> RunSetup {
        RunSetup(
            data: data, dataFingerprint: fingerprint, savePath: savePath, checkpointPath: checkpointPath,
            checkpointEvery: checkpointEvery, logPath: logPath, engine: engineName)
    }
}

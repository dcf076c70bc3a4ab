import Backprop

/// What a run of `train` was set up with besides its `TrainingConfiguration`: its data and
/// its output files. A checkpoint keeps it (`TrainingProgress.setup`), so that
/// `backprop train --resume` can continue the run.
struct RunSetup: Codable, Sendable, Equatable {
    /// Where the samples come from.
    var data: DataSource
    /// `TrainingData.fingerprint` of the samples: a resumed run refuses other data.
    var dataFingerprint: String
    /// Where the model is saved at the end.
    var savePath: String
    /// Where checkpoints are written, if anywhere.
    var checkpointPath: String?
    /// Epochs between checkpoints (at least 1).
    var checkpointEvery: Int
    /// Where the per-epoch JSON log is written, if anywhere.
    var logPath: String?
    /// The engine's name (`TrainingEngine.name`): engines round differently, so a resumed
    /// run gives the uninterrupted run's bits only on the same one. Nil when not recorded.
    var engine: String?

    /// A setup of these values.
    init(
        data: DataSource, dataFingerprint: String, savePath: String, checkpointPath: String? = nil,
        checkpointEvery: Int = 1, logPath: String? = nil, engine: String? = nil
    ) {
        (self.data, self.dataFingerprint, self.engine) = (data, dataFingerprint, engine)
        (self.savePath, self.checkpointPath, self.checkpointEvery, self.logPath) = (savePath, checkpointPath, checkpointEvery, logPath)
    }

    /// The setup an earlier version recorded as text notes; nil when they name no data.
    init?(notes: [String: String]) {
        let data: DataSource
        if let path = notes["data"] {
            data = .file(path: path)
        } else if let set = notes["dataset"].flatMap(SyntheticData.init(rawValue:)),
            let count = notes["samples"].flatMap({ Int($0) }), let noise = notes["noise"].flatMap({ Double($0) }),
            let seed = notes["data-seed"].flatMap({ UInt64($0) })
        {
            data = .synthetic(set: set, count: count, noise: noise, seed: seed)
        } else {
            return nil
        }
        self.init(
            data: data, dataFingerprint: notes["fingerprint"] ?? "", savePath: notes["save"] ?? "model.json",
            checkpointPath: notes["checkpoint"], checkpointEvery: notes["checkpoint-every"].flatMap { Int($0) } ?? 1,
            logPath: notes["log"])
    }

    /// The first field of an untrusted setup (from a checkpoint) that is out of range, if any.
    func problem() -> String? {
        if checkpointEvery < 1 { return "setup.checkpointEvery is \(checkpointEvery): must be at least 1" }
        if let engine, !EngineChoice.names.contains(engine) {
            return "setup.engine is \"\(engine)\": must be one of \(EngineChoice.names.joined(separator: ", "))"
        }
        if case .synthetic(_, let count, let noise, _) = data {
            if count < 1 { return "setup.data.synthetic.count is \(count): must be at least 1" }
            if !(noise.isFinite && noise >= 0) { return "setup.data.synthetic.noise is \(noise): must be a finite number, 0 or more" }
        }
        return nil
    }
}

extension TrainingProgress {
    /// The setup `train` recorded in the checkpoint at `path` (or an earlier version's
    /// notes), checked; nil when it has none.
    func runSetup(checkpoint path: String) throws(InputError) -> RunSetup? {
        let setup: RunSetup?
        if let recorded = self.setup {
            do { setup = try recorded.decode(RunSetup.self) } catch {
                throw InputError(file: path, line: nil, message: "setup: not the setup of a `backprop train` run: \(error)")
            }
        } else {
            setup = notes.flatMap(RunSetup.init(notes:))
        }
        if let problem = setup?.problem() { throw InputError(file: path, line: nil, message: problem) }
        return setup
    }
}

import Backprop
import Foundation

/// `train --log FILE.jsonl`: one JSON object per epoch, appended (O_APPEND) at each epoch
/// and synced to disk with each checkpoint. A resumed run first cuts the log back to the
/// epochs its checkpoint had completed.
///
/// A failed write stops the logging, not the run: it is reported at once as a warning, and
/// the command exits non-zero after saving the model.
final class TrainingLog {
    let path: String
    private var descriptor: Int32
    /// The first write that failed.
    private(set) var error: InputError?

    /// Opens the log at `path`: emptied for a new run; for a resumed one, the lines of the
    /// epochs `progress` had completed are kept.
    init(path: String, resuming progress: TrainingProgress?) throws(InputError) {
        self.path = path
        var kept = ""
        if let progress, let old = FileManager.default.contents(atPath: path) {
            let lines = String(decoding: old, as: UTF8.self).split(separator: "\n")
            kept = lines.prefix(progress.epochsCompleted).map { $0 + "\n" }.joined()
        }
        try AtomicFile.write(kept, to: path)
        descriptor = System.openExistingForAppending(path)
        guard descriptor >= 0 else {
            throw InputError(file: path, line: nil, message: "cannot be opened: \(System.describe(System.errorCode))")
        }
    }

    deinit { if descriptor >= 0 { System.close(descriptor) } }

    func append(_ report: EpochReport) {
        guard descriptor >= 0 else { return }
        fail(System.writeAll(descriptor, Array((TrainingReporter.json(report) + "\n").utf8)))
    }

    /// Flushes the log to disk, so that it holds at least what a checkpoint written with it
    /// says (a pipe or a terminal needs not be).
    func sync() {
        guard descriptor >= 0 else { return }
        fail(System.sync(descriptor))
    }

    private func fail(_ code: Int32) {
        guard code != 0 else { return }
        let failure = InputError(file: path, line: nil, message: "cannot write the log: \(System.describe(code))")
        error = failure
        System.close(descriptor)
        descriptor = -1
        printError("warning: \(failure); training goes on without the log")
    }
}

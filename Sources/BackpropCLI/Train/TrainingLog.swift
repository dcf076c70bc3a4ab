import Backprop
import Foundation

/// `train --log FILE.jsonl`: one JSON object per epoch, the file rewritten atomically after
/// every epoch, so that it always holds whole lines.
struct TrainingLog {
    let path: String
    private var text = ""
    /// The first write that failed; the run goes on and the command reports it at the end.
    private(set) var error: InputError?

    /// A log at `path`; a resumed run keeps the lines of the epochs its checkpoint had completed.
    init(path: String, resuming progress: TrainingProgress?) {
        self.path = path
        if let progress, let old = FileManager.default.contents(atPath: path) {
            let lines = String(decoding: old, as: UTF8.self).split(separator: "\n")
            text = lines.prefix(progress.epochsCompleted).map { $0 + "\n" }.joined()
        }
    }

    mutating func append(_ report: EpochReport) {
        guard error == nil else { return }
        text += TrainingReporter.json(report) + "\n"
        do throws(InputError) { try AtomicFile.write(text, to: path) } catch { self.error = error }
    }
}

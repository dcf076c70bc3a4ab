import Backprop
import Foundation

/// One line of a sweep's results file: a finished configuration, its settings and scores.
struct SweepResult: Codable, Equatable {
    /// The configuration, its settings written flat in the line.
    var point: SweepGrid.Point
    /// The model file, relative to the sweep's folder; nil when the run diverged.
    var model: String?
    /// The saved model's loss and accuracy on the training part (nil when it diverged).
    var loss: Double?
    var accuracy: Double?
    /// And on the validation part, with a split.
    var validationLoss: Double?
    var validationAccuracy: Double?
    /// Epochs trained.
    var epochs: Int
    /// completed, stopped_early or diverged.
    var outcome: String

    var index: Int { point.index }

    enum CodingKeys: String, CodingKey {
        case model, loss, accuracy, epochs, outcome
        case validationLoss = "validation_loss", validationAccuracy = "validation_accuracy"
    }

    init(
        point: SweepGrid.Point, model: String? = nil, loss: Double? = nil, accuracy: Double? = nil,
        validationLoss: Double? = nil, validationAccuracy: Double? = nil, epochs: Int, outcome: String
    ) {
        (self.point, self.model, self.loss, self.accuracy) = (point, model, loss, accuracy)
        (self.validationLoss, self.validationAccuracy, self.epochs, self.outcome) = (validationLoss, validationAccuracy, epochs, outcome)
    }

    init(from decoder: any Decoder) throws {
        point = try SweepGrid.Point(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        loss = try c.decodeIfPresent(Double.self, forKey: .loss)
        accuracy = try c.decodeIfPresent(Double.self, forKey: .accuracy)
        validationLoss = try c.decodeIfPresent(Double.self, forKey: .validationLoss)
        validationAccuracy = try c.decodeIfPresent(Double.self, forKey: .validationAccuracy)
        epochs = try c.decode(Int.self, forKey: .epochs)
        outcome = try c.decode(String.self, forKey: .outcome)
    }

    /// The line as written, `null` for a missing score.
    var line: String {
        jsonObject([
            "index": point.index, "learning_rate": point.learningRate, "seed": Int(point.seed), "batch_size": point.batchSize,
            "optimizer": point.optimizer, "momentum": point.momentum, "model": model, "loss": loss, "accuracy": accuracy,
            "validation_loss": validationLoss, "validation_accuracy": validationAccuracy, "epochs": epochs, "outcome": outcome,
        ])
    }
}

/// The results files of a sweep's folder: read, merged, and rewritten whole (atomically) as
/// configurations finish, so that a killed sweep never leaves half a line.
enum SweepResults {
    /// The results in `file`, in file order; none when it does not exist.
    static func read(_ file: String) throws(InputError) -> [SweepResult] {
        guard FileManager.default.fileExists(atPath: file) else { return [] }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw InputError(file: file, line: nil, message: "cannot read a sweep's results: \(error.localizedDescription)")
        }
        var results: [SweepResult] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do {
                results.append(try JSONDecoder().decode(SweepResult.self, from: Data(line.utf8)))
            } catch {
                throw InputError(file: file, line: number + 1, message: "not a result line of `backprop sweep`")
            }
        }
        return results
    }

    /// Every results file in `folder` (one per shard), merged: one result per configuration.
    static func all(in folder: String) throws(InputError) -> [SweepResult] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw InputError(file: folder, line: nil, message: "cannot list the folder: \(error.localizedDescription)")
        }
        var merged: [Int: SweepResult] = [:]
        for name in names.sorted() where name.hasPrefix("results") && name.hasSuffix(".jsonl") {
            for result in try read((folder as NSString).appendingPathComponent(name)) { merged[result.index] = result }
        }
        return merged.values.sorted { $0.index < $1.index }
    }

    /// Writes `results` as the file's whole content, atomically.
    static func write(_ results: [SweepResult], to file: String) throws(InputError) {
        try AtomicFile.write(results.map { $0.line + "\n" }.joined(), to: file)
    }

    /// Ranked best first: by validation loss when a result has one, by training loss
    /// otherwise; diverged runs last.
    static func ranked(_ results: [SweepResult]) -> [SweepResult] {
        let byValidation = results.contains { $0.validationLoss != nil }
        func score(_ result: SweepResult) -> Double { (byValidation ? result.validationLoss : result.loss) ?? .infinity }
        return results.sorted { score($0) != score($1) ? score($0) < score($1) : $0.index < $1.index }
    }
}

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

    /// The line as written, `null` for a missing score; a schedule's settings only when the
    /// sweep sweeps schedules (so that other sweeps' lines keep their bytes).
    var line: String {
        let swept: [(key: String, value: Any?)] = [
            ("schedule", point.schedule), ("gamma", point.gamma), ("t_max", point.tMax), ("warmup_epochs", point.warmupEpochs),
        ]
        return jsonObject(
            [
                ("index", point.index), ("learning_rate", point.learningRate), ("seed", point.seed), ("batch_size", point.batchSize),
                ("optimizer", point.optimizer), ("momentum", point.momentum),
            ] + swept.filter { $0.value != nil } + [
                ("model", model), ("loss", loss), ("accuracy", accuracy), ("validation_loss", validationLoss),
                ("validation_accuracy", validationAccuracy), ("epochs", epochs), ("outcome", outcome),
            ])
    }
}

/// The results files of a sweep's folder: read, validated and merged; a line appended as
/// each configuration finishes.
enum SweepResults {
    /// The outcomes a results line may have.
    static let outcomes = ["completed", "stopped_early", "diverged"]

    /// The results in `file`, validated, in file order; none when it does not exist.
    ///
    /// A last line without its newline (a write cut short by a kill) is left out: its
    /// configuration was not written, and `complete` is then false. With `grid`, each line
    /// must be that grid's configuration of its index.
    ///
    /// - Throws: `InputError` naming the file and the line of a line that is not a result, of
    ///   a negative index, or (with `grid`) not the grid's configuration of its index.
    static func read(_ file: String, grid: SweepGrid? = nil) throws(InputError) -> (results: [SweepResult], complete: Bool) {
        guard FileManager.default.fileExists(atPath: file) else { return ([], true) }
        // No limit: a results file grows with its sweep's configurations, some 250 bytes each.
        let data = try InputFile.contents(file, kind: "a sweep's results file", limit: .max)
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let complete = lines.last?.isEmpty ?? true
        lines.removeLast()  // what follows the last newline: nothing, or a line cut short
        var results: [SweepResult] = []
        for (number, line) in lines.enumerated() where !line.isEmpty {
            let result: SweepResult
            do {
                result = try JSONDecoder().decode(SweepResult.self, from: Data(line))
            } catch {
                throw InputError(file: file, line: number + 1, message: "not a result line of `backprop sweep`\(problem(of: error))")
            }
            if let problem = problem(of: result, in: grid) { throw InputError(file: file, line: number + 1, message: problem) }
            results.append(result)
        }
        return (results, complete)
    }

    /// What is wrong with a decoded line, or nil.
    private static func problem(of result: SweepResult, in grid: SweepGrid?) -> String? {
        let index = result.index
        if index < 0 { return "index \(index) is not a configuration's number (0 or more)" }
        if result.epochs < 0 { return "epochs \(result.epochs) is negative" }
        // Every number is checked before a report or a plot computes with it.
        let point = result.point
        if !(point.learningRate.isFinite && point.learningRate > 0) { return "learning_rate \(point.learningRate) is not a number > 0" }
        if point.batchSize < 1 { return "batch_size \(point.batchSize) is not 1 or more" }
        if !(0..<1).contains(point.momentum) { return "momentum \(point.momentum) is not from 0 up to (not including) 1" }
        if !["sgd", "adam", "adamw"].contains(point.optimizer) { return "optimizer '\(point.optimizer)' is not one of sgd, adam, adamw" }
        if let schedule = point.schedule, !ScheduleOptions.names.contains(schedule) {
            return "schedule '\(schedule)' is not one of \(ScheduleOptions.names.joined(separator: ", "))"
        }
        if let gamma = point.gamma, !(gamma.isFinite && gamma > 0) { return "gamma \(gamma) is not a number > 0" }
        if let tMax = point.tMax, tMax < 1 { return "t_max \(tMax) is not 1 or more" }
        if let warmup = point.warmupEpochs, warmup < 0 { return "warmup_epochs \(warmup) is not 0 or more" }
        for (name, value, most) in [
            ("loss", result.loss, Double.infinity), ("accuracy", result.accuracy, 1),
            ("validation_loss", result.validationLoss, .infinity), ("validation_accuracy", result.validationAccuracy, 1),
        ] {
            if let value, !(value.isFinite && value >= 0 && value <= most) {
                return "\(name) \(value) is not a number from 0" + (most == 1 ? " to 1" : "")
            }
        }
        if !outcomes.contains(result.outcome) { return "outcome '\(result.outcome)' is not one of \(outcomes.joined(separator: ", "))" }
        if let grid {
            guard index < grid.points.count else {
                return "configuration \(index) is not in this grid of \(grid.points.count) configurations: is this another sweep's folder?"
            }
            let point = grid.points[index]
            guard point == result.point else {
                return "configuration \(index) there (learning rate \(result.point.learningRate), seed \(result.point.seed), batch size "
                    + "\(result.point.batchSize), \(result.point.optimizer), momentum \(result.point.momentum)) is not this grid's "
                    + "configuration \(index) (\(point.learningRate), \(point.seed), \(point.batchSize), \(point.optimizer), \(point.momentum))"
            }
        }
        if let model = result.model, model != SweepFolder.modelName(index) {
            return "model \(model) is not configuration \(index)'s file \(SweepFolder.modelName(index))"
        }
        return nil
    }

    /// The key a decoding error names, for its message.
    private static func problem(of error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _):
            return ": \(key.stringValue) missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            guard let key = context.codingPath.last?.stringValue else { return "" }
            return ": \(key) of the wrong type"
        default:
            return ""
        }
    }

    /// Every results file in `folder` (one per shard), merged: one result per configuration,
    /// the last line of a configuration written twice (after a retrain) winning.
    static func all(in folder: String) throws(InputError) -> [SweepResult] {
        var merged: [Int: SweepResult] = [:]
        for name in try SweepFolder(path: folder).resultsFiles() {
            for result in try read((folder as NSString).appendingPathComponent(name)).results { merged[result.index] = result }
        }
        return merged.values.sorted { $0.index < $1.index }
    }

    /// Ranked best first: by validation loss when a result has one, by training loss
    /// otherwise; diverged runs last.
    static func ranked(_ results: [SweepResult]) -> [SweepResult] {
        let byValidation = results.contains { $0.validationLoss != nil }
        func score(_ result: SweepResult) -> Double { (byValidation ? result.validationLoss : result.loss) ?? .infinity }
        return results.sorted { score($0) != score($1) ? score($0) < score($1) : $0.index < $1.index }
    }
}

/// A results file open for appending: each line written whole (write(2) until all of it
/// is), then synced, so the cost of a sweep's bookkeeping grows with its configurations, not with
/// their square. A kill can cut only the last line, which the next run leaves out.
struct ResultsAppender: Sendable {
    let file: String
    private let descriptor: Int32

    /// Opens `file`, creating it if needed; a symbolic link there is refused (O_NOFOLLOW).
    init(_ file: String) throws(InputError) {
        try SweepFolder.refuseLink(file)
        descriptor = System.openForAppending(file)
        guard descriptor >= 0 else { throw InputError(file: file, line: nil, message: "cannot open: \(System.describe(System.errorCode))") }
        self.file = file
    }

    /// Appends `line` and a newline, and syncs the file.
    func append(_ line: String) throws(InputError) {
        let written = System.writeAll(descriptor, Array((line + "\n").utf8))
        guard written == 0 else {
            throw InputError(file: file, line: nil, message: "cannot append a result: \(System.describe(written))", kind: .writeFailed(errno: written))
        }
        let synced = System.sync(descriptor)
        guard synced == 0 else {
            throw InputError(file: file, line: nil, message: "cannot sync: \(System.describe(synced))", kind: .writeFailed(errno: synced))
        }
    }

    func close() { System.close(descriptor) }
}

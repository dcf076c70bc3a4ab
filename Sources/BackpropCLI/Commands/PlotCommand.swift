import Backprop
import Foundation

enum PlotCommand {
    static let command = Command(
        name: "plot",
        usage: [
            "--model MODEL.json --data FILE --out FILE.svg", "--history LOG.jsonl --out FILE.svg", "--sweep DIR --out FILE.svg",
        ],
        summary: """
            Draws an SVG chart, viewable in any browser.
            With --model and --data: the predicted probability of label 1 as a heat map over the
            data's range, the 0.5 decision boundary, and the samples coloured by label.
            With --history: loss and accuracy per epoch from a log written by `train --log`.
            With --sweep: accuracy (on the validation part when the sweep had a split) against
            the learning rate, on a log scale, from a `backprop sweep` folder: one line per
            schedule when it swept several, else per optimizer when it swept several, per seed
            otherwise (other settings averaged).
            """,
        sections: [
            (
                "OPTIONS",
                [
                    Option(
                        "--model", "MODEL.json", .text, "a model saved by `backprop train`", requires: ["--data"],
                        excludes: ["--history"]),
                    Option("--data", "FILE", .text, "rows of x0,x1,label: CSV, or .npy of shape (N, 3)", requires: ["--model"]),
                    Option("--history", "LOG.jsonl", .text, "a training log (one JSON object per epoch)", excludes: ["--sweep"]),
                    Option("--sweep", "DIR", .text, "the folder of a `backprop sweep`", excludes: ["--model", "--data"]),
                    Option("--out", "FILE.svg", .text, "where to write the chart (atomically)", required: true),
                ]
            )
        ], run: run)

    static func run(_ options: ParsedOptions) throws -> Int32 {
        let modelPath = options.string("--model")
        let dataPath = options.string("--data")
        let historyPath = options.string("--history")
        let outPath = options.string("--out")!
        try checkOutputsAreApart(
            [("--out", outPath)], from: givenFiles([("--model", modelPath), ("--data", dataPath), ("--history", historyPath)]))
        let svg: String
        switch (modelPath, dataPath, historyPath) {
        case (let model?, let data?, nil):
            try AtomicFile.checkWritable(outPath)
            let loaded = try Model.read(path: model)
            svg = Plot.decisionBoundary(model: loaded, data: try Dataset.read(path: data), title: "Decision boundary of \(model)")
        case (nil, nil, let history?):
            try AtomicFile.checkWritable(outPath)
            svg = Plot.history(try Plot.readHistory(path: history), title: "Training history (\(history))")
        case (nil, nil, nil) where options.has("--sweep"):
            let folder = options.string("--sweep")!
            if let file = SweepFolder(path: folder).sweepFile(namedBy: outPath) {
                throw UsageError(description: "--out \(outPath) is \(file), a file of the sweep --sweep \(folder); give --out another path")
            }
            try AtomicFile.checkWritable(outPath)
            svg = try sweep(folder)
        default:
            throw UsageError(description: "give either --model and --data, --history, or --sweep")
        }
        try AtomicFile.write(svg, to: outPath)
        return 0
    }

    /// The chart of a sweep's folder: mean accuracy per learning rate, a line per schedule or
    /// optimizer (several swept), or per seed.
    static func sweep(_ folder: String) throws -> String {
        let results = try SweepResults.all(in: folder).filter { $0.accuracy != nil }
        guard !results.isEmpty else { throw InputError(file: folder, line: nil, message: "no finished results of `backprop sweep` here") }
        let validation = results.allSatisfy { $0.validationAccuracy != nil }
        let bySchedule = Set(results.map(\.point.scheduleLabel)).count > 1
        let byOptimizer = Set(results.map(\.point.optimizer)).count > 1
        let groups = Dictionary(grouping: results) {
            bySchedule ? $0.point.scheduleLabel ?? "constant" : byOptimizer ? $0.point.optimizer : "seed \($0.point.seed)"
        }
        let series = groups.keys.sorted().map { name in
            let byRate = Dictionary(grouping: groups[name]!, by: \.point.learningRate)
            let points = byRate.keys.sorted().map { rate in
                let accuracies = byRate[rate]!.map { (validation ? $0.validationAccuracy : $0.accuracy)! }
                return (x: Foundation.log10(rate), y: accuracies.reduce(0, +) / Double(accuracies.count))
            }
            return (name: name, points: points)
        }
        return Plot.lines(
            series, xLabel: "log10(learning rate)", yLabel: validation ? "validation accuracy" : "training accuracy",
            title: "Sweep \(folder): accuracy against learning rate")
    }
}

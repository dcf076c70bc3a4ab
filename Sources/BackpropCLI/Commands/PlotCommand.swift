import Backprop
import Foundation

enum PlotCommand {
    static let command = Command(
        name: "plot",
        usage: ["--model MODEL.json --data FILE --out FILE.svg", "--history LOG.jsonl --out FILE.svg"],
        summary: """
            Draws an SVG chart, viewable in any browser.
            With --model and --data: the predicted probability of label 1 as a heat map over the
            data's range, the 0.5 decision boundary, and the samples coloured by label.
            With --history: loss and accuracy per epoch from a log written by `train --log`.
            """,
        sections: [
            (
                "OPTIONS",
                [
                    Option(
                        "--model", "MODEL.json", .text, "a model saved by `backprop train`", requires: ["--data"],
                        excludes: ["--history"]),
                    Option("--data", "FILE", .text, "rows of x0,x1,label: CSV, or .npy of shape (N, 3)", requires: ["--model"]),
                    Option("--history", "LOG.jsonl", .text, "a training log (one JSON object per epoch)"),
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
        default:
            throw UsageError(description: "give either --model and --data, or --history")
        }
        try AtomicFile.write(svg, to: outPath)
        return 0
    }
}

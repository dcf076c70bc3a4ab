import Backprop
import Foundation

enum PlotCommand {
    static let help = """
        USAGE: backprop plot --model MODEL.json --data FILE.csv --out FILE.svg
               backprop plot --history LOG.jsonl --out FILE.svg

        Draws an SVG chart, viewable in any browser.
        With --model and --data: the predicted probability of label 1 as a heat map over the
        data's range, the 0.5 decision boundary, and the samples coloured by label.
        With --history: loss and accuracy per epoch from a log written by `train --log`.

        OPTIONS:
          --model MODEL.json   a model saved by `backprop train`
          --data FILE.csv      rows of x0,x1,label
          --history LOG.jsonl  a training log (one JSON object per epoch)
          --out FILE.svg       where to write the chart (atomically)
          -h, --help           show this help
        """

    static func run(_ arguments: inout Arguments) throws -> Int32 {
        let modelPath = try arguments.string("--model")
        let dataPath = try arguments.string("--data")
        let historyPath = try arguments.string("--history")
        guard let outPath = try arguments.string("--out") else { throw UsageError(description: "--out is required") }
        try arguments.finish()
        let svg: String
        switch (modelPath, dataPath, historyPath) {
        case (let model?, let data?, nil):
            try AtomicFile.checkWritable(outPath)
            let loaded = try Model.read(path: model)
            svg = Plot.decisionBoundary(model: loaded, data: try CSV.read(path: data), title: "Decision boundary of \(model)")
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

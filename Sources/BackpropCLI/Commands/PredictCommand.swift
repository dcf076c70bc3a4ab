import Backprop
import Foundation

enum PredictCommand {
    static let command = Command(
        name: "predict", usage: ["--model MODEL.json --data FILE [--output FILE.csv]"],
        summary: """
            Writes one row per input row: the predicted probability of label 1 and the predicted
            class (1 when the probability is at least 0.5), as CSV with the header
            `probability,class`. The model's standardisation is applied to the inputs.
            The input rows are x0,x1 or x0,x1,label (labels, if present, are not used).
            """,
        sections: [
            (
                "OPTIONS",
                [
                    Option("--model", "MODEL.json", .text, "a model saved by `backprop train`", required: true),
                    Option("--data", "FILE", .text, "rows of x0,x1 (or x0,x1,label): CSV, or .npy of shape\n(N, 2) or (N, 3)", required: true),
                    Option("--output", "FILE.csv", .text, "write here instead of stdout (atomically; - is stdout)"),
                ]
            )
        ], run: run)

static func run(_ options: ParsedOptions) throws -> Int32 {
        let modelPath = options.string("--model")!
        let dataPath = options.string("--data")!
        let outputPath = options.string("--output").flatMap { $0 == "-" ? nil : $0 }
        if let outputPath {
            try checkOutputsAreApart([("--output", outputPath)], from: [("--model", modelPath), ("--data", dataPath)])
            try AtomicFile.checkWritable(outputPath)
        }

        let model = try Model.read(path: modelPath)
        let probabilities = model.probabilities(for: try Dataset.read(path: dataPath, labels: .optional))
        var text = "probability,class\n"
        text.reserveCapacity(probabilities.count * 26)
        for p in probabilities {
            text += "\(p),\(p >= 0.5 ? 1 : 0)\n"
        }
        if let outputPath {
            try AtomicFile.write(text, to: outputPath)
        } else {
            try writeStandardOutput(text)
        }
        return 0
    }
}

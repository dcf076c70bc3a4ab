import Backprop
import Foundation

enum EvaluateCommand {
    static let command = Command(
        name: "evaluate", usage: ["--model MODEL.json --data FILE [--json]"],
        summary: """
            Prints the mean binary cross-entropy, accuracy, precision, recall and confusion
            matrix of a model on labelled data (the model's standardisation is applied).
            """,
        sections: [
            (
                "OPTIONS",
                [
                    Option("--model", "MODEL.json", .text, "a model saved by `backprop train`", required: true),
                    Option("--data", "FILE", .text, "rows of x0,x1,label: CSV, or .npy of shape (N, 3)", required: true),
                    Option.flag(
"--json", "one JSON object instead of the table"),
                ]
            )
        ], run: run)

static func run(_ options: ParsedOptions) throws -> Int32 {
        let modelPath = options.string("--model")!
        let dataPath = options.string("--data")!
        let json = options.flag("--json")

        let model = try Model.read(path: modelPath)
        let result = model.evaluate(on: try Dataset.read(path: dataPath))
        if json {
            print(
                jsonObject([
                    "samples": result.count, "loss": result.loss, "accuracy": result.accuracy,
                    "precision": result.precision, "recall": result.recall,
                    "true_positives": result.truePositives, "false_positives": result.falsePositives,
                    "true_negatives": result.trueNegatives, "false_negatives": result.falseNegatives,
                ]))
            try finishStandardOutput()
        return 0
        }
        func fixed(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "undefined" }
        func cell(_ value: Int) -> String { String(repeating: " ", count: max(0, 9 - String(value).count)) + "\(value)" }
        print("""
            samples    \(result.count)
            loss       \(String(format: "%.6f", result.loss))
            accuracy   \(percent(result.accuracy))
            precision  \(fixed(result.precision))
            recall     \(fixed(result.recall))
            confusion matrix (rows: actual label, columns: predicted)
                         pred 0   pred 1
              actual 0\(cell(result.trueNegatives))\(cell(result.falsePositives))
              actual 1\(cell(result.falseNegatives))\(cell(result.truePositives))
            """)
        try finishStandardOutput()
        return 0
    }
}

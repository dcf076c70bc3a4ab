import Backprop
import Foundation

enum EvaluateCommand {
    static let help = """
        USAGE: backprop evaluate --model MODEL.json --data FILE.csv [--json]

        Prints the mean binary cross-entropy, accuracy, precision, recall and confusion
        matrix of a model on labelled data (the model's standardisation is applied).

        OPTIONS:
          --model MODEL.json   a model saved by `backprop train`
          --data FILE.csv      rows of x0,x1,label
          --json               one JSON object instead of the table
          -h, --help           show this help
        """

    static func run(_ arguments: inout Arguments) throws -> Int32 {
        guard let modelPath = try arguments.string("--model") else { throw UsageError(description: "--model is required") }
        guard let dataPath = try arguments.string("--data") else { throw UsageError(description: "--data is required") }
        let json = arguments.flag("--json")
        try arguments.finish()

        let model = try Model.read(path: modelPath)
        let data = model.prepare(try CSV.read(path: dataPath))
        let result = SIMDEngine(parameters: model.parameters).evaluate(data)
        if json {
            print(
                jsonObject([
                    "samples": result.count, "loss": result.loss, "accuracy": result.accuracy,
                    "precision": result.precision, "recall": result.recall,
                    "true_positives": result.truePositives, "false_positives": result.falsePositives,
                    "true_negatives": result.trueNegatives, "false_negatives": result.falseNegatives,
                ]))
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
        return 0
    }
}

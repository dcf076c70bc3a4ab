import Backprop
import Foundation

enum PredictCommand {
    static let help = """
        USAGE: backprop predict --model MODEL.json --data FILE.csv [--output FILE.csv]

        Writes one row per input row: the predicted probability of label 1 and the predicted
        class (1 when the probability is at least 0.5), as CSV with the header
        `probability,class`. The model's standardisation is applied to the inputs.
        The input rows are x0,x1 or x0,x1,label (labels, if present, are not used).

        OPTIONS:
          --model MODEL.json   a model saved by `backprop train`
          --data FILE.csv      rows of x0,x1 (or x0,x1,label)
          --output FILE.csv    write here instead of stdout (atomically)
          -h, --help           show this help
        """

    static func run(_ arguments: inout Arguments) throws -> Int32 {
        guard let modelPath = try arguments.string("--model") else { throw UsageError(description: "--model is required") }
        guard let dataPath = try arguments.string("--data") else { throw UsageError(description: "--data is required") }
        let outputPath = try arguments.string("--output")
        try arguments.finish()
        if let outputPath { try AtomicFile.checkWritable(outputPath) }

        let model = try Model.read(path: modelPath)
        let data = model.prepare(try CSV.read(path: dataPath, labels: .optional))
        let probabilities = SIMDEngine(parameters: model.parameters).predict(data)
        var text = "probability,class\n"
        text.reserveCapacity(probabilities.count * 26)
        for p in probabilities {
            text += "\(p),\(p >= 0.5 ? 1 : 0)\n"
        }
        if let outputPath {
            try AtomicFile.write(text, to: outputPath)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        return 0
    }
}

import Backprop
import Foundation

/// `backprop export` and `backprop import`: a model to and from the formats other tools read.
enum ExportCommand {
    /// The formats, by name and by the output's extension.
    static let formats = ["onnx", "safetensors", "c", "swift"]
    static let extensions = ["onnx": "onnx", "safetensors": "safetensors", "h": "c", "c": "c", "swift": "swift"]

    static let command = Command(
        name: "export", usage: ["MODEL.json OUT [--format onnx|safetensors|c|swift] [--float32] [--name NAME]"],
        summary: """
            Writes a model for use elsewhere: ONNX (opset 13, for onnxruntime), safetensors with
            PyTorch's key names for nn.Sequential(Linear(2,5), Sigmoid(), Linear(5,5), Sigmoid(),
            Linear(5,1), Sigmoid()), a C99 header, or a Swift file. Each computes the probability
            of label 1 from raw inputs, the model's standardisation included.
            """,
        sections: [
            (
                "OPTIONS",
                [
                    Option(
                        "--format", "NAME", .choice(formats),
                        "onnx, safetensors, c or swift (default: from OUT's extension:\n.onnx, .safetensors, .h or .c, .swift)"),
                    Option.flag("--float32", "onnx: float32 numbers (default: float64, exact)"),
                    Option(
                        "--name", "NAME", .text,
                        "c and swift: the function's prefix (NAME_probability) or the\nstruct's name in UpperCamelCase (default: model)"),
                ]
            )
        ],
        epilogue: """
            The safetensors file holds the standardisation as standardization.mean and
            standardization.std, applied as (x - mean) / std before layer 0 (its metadata says
            so). The DocC article "Using a trained model elsewhere" shows each format used from
            Python, C and Swift. The output is written to a temporary file and renamed, so it
            is never left half-written.
            """,
        arguments: ["MODEL.json", "OUT"], run: run)

    static func run(_ options: ParsedOptions) throws -> Int32 {
        let (input, output) = (options.arguments[0], options.arguments[1])
        let suffix = (output as NSString).pathExtension.lowercased()
        guard let format = options.string("--format") ?? extensions[suffix] else {
            throw UsageError(description: "cannot tell the format from \(output): give --format onnx|safetensors|c|swift, or name it .onnx, .safetensors, .h, .c or .swift")
        }
        if options.flag("--float32") && format != "onnx" {
            throw UsageError(description: "--float32 is for --format onnx (\(format) keeps float64)")
        }
        if options.has("--name") && !["c", "swift"].contains(format) {
            throw UsageError(description: "--name is for --format c or swift")
        }
        try checkOutputsAreApart([("OUT", output)], from: [("MODEL.json", input)])
        try AtomicFile.checkWritable(output)
        let model = try Model.read(path: input)
        let name = options.string("--name") ?? "model"
        let bytes: [UInt8]
        switch format {
        case "onnx": bytes = model.onnx(float32: options.flag("--float32"))
        case "safetensors": bytes = model.safetensors()
        case "c": bytes = Array(try model.cSource(name: name).utf8)
        default: bytes = Array(try model.swiftSource(name: name).utf8)
        }
        try AtomicFile.write(bytes, to: output)
        return 0
    }
}

enum ImportCommand {
    static let command = Command(
        name: "import", usage: ["WEIGHTS.safetensors|WEIGHTS.npz OUT.json"],
        summary: """
            Writes a model file from a PyTorch state_dict of nn.Sequential(Linear(2,5), Sigmoid(),
            Linear(5,5), Sigmoid(), Linear(5,1), Sigmoid()): saved with
            safetensors.torch.save_file, or as the .npz that np.savez writes with the same keys
            (0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias; float32 or float64), and
            optionally standardization.mean and standardization.std. The model can then go to
            train --init, predict, evaluate and plot.
            """,
        sections: [("OPTIONS", [])],
        arguments: ["WEIGHTS", "OUT.json"], run: run)

    static func run(_ options: ParsedOptions) throws -> Int32 {
        let (input, output) = (options.arguments[0], options.arguments[1])
        try checkOutputsAreApart([("OUT.json", output)], from: [("WEIGHTS", input)])
        try AtomicFile.checkWritable(output)
        let bytes = [UInt8](try InputFile.contents(input, kind: "a weights file", limit: 64 << 20, binary: true))
        // Told apart by their first bytes: a ZIP archive is an .npz, anything else safetensors.
        let model = NPZ.isZip(bytes) ? try Model(npz: bytes, name: input) : try Model(safetensors: bytes, name: input)
        try model.write(to: output)
        return 0
    }
}

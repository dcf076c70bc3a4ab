import Backprop
import Foundation

enum ConvertCommand {
    static let command = Command(
        name: "convert", usage: ["INPUT OUTPUT.npy [--no-labels]"],
        summary: """
            Writes a data file as a NumPy .npy file: float64, shape (N, 3) with columns x0, x1,
            label (or (N, 2) with --no-labels), which every command reads like CSV, without
            parsing text. INPUT is CSV or .npy, told apart by its first bytes.
            """,
        sections: [
            (
                "OPTIONS",
                [
                    Option.flag(
                        "--no-labels", "rows of x0,x1 only, for `predict` (default: x0,x1,label)")
                ]
            )
        ],
        epilogue: """
            In Python: np.load("OUTPUT.npy"); the other way: np.save("data.npy",
            np.column_stack([x0, x1, y]).astype("<f8")). The output is written to a temporary
            file and renamed, so it is never left half-written.
            """,
        arguments: ["INPUT", "OUTPUT.npy"], run: run)

    static func run(_ options: ParsedOptions) throws -> Int32 {
        let (input, output) = (options.arguments[0], options.arguments[1])
        let labels = !options.flag("--no-labels")
        guard output.hasSuffix(".npy") else {
            throw UsageError(description: "the output \(output) must be named .npy (NumPy's format; CSV comes in)")
        }
        try checkOutputsAreApart([("OUTPUT", output)], from: [("INPUT", input)])
        try AtomicFile.checkWritable(output)
        let data = try Dataset.read(path: input, labels: labels ? .required : .optional)
        try NPY.write(data, to: output, labels: labels)
        return 0
    }
}

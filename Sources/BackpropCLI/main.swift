import Backprop
import Foundation

let usage = """
    USAGE: backprop <command> [options]

    Trains and uses a 2-5-5-1 sigmoid network for binary classification of two features.

    COMMANDS:
      train       train a model on a CSV file or a built-in data set, and save it
      predict     write the predicted probability and class of every row of a CSV file
      evaluate    loss, accuracy, precision, recall and confusion matrix on labelled data
      gradcheck   check an engine's gradients against finite differences
      bench       measure training throughput on the standard workload
      plot        draw a model's decision boundary, or a training log, as SVG
      convert     write a data file as a NumPy .npy file, read without parsing text
      sweep       train one model per configuration of a grid, sharded for job arrays
      export      write a model as ONNX, safetensors, a C header or a Swift file
      import      read a model from a PyTorch state_dict (safetensors or .npz)

    Run `backprop <command> --help` for a command's options, `backprop --version` for the
    version and the kernels in use.
    """

/// The tool's version.
let version = backpropVersion

/// Runs one command and maps its errors to exit statuses: 64 for usage, 1 for bad input.
func main(_ words: [String]) -> Int32 {
    if let problem = KernelVariant.environmentProblem { printError("warning: \(problem)") }
    guard let name = words.first else {
        printError(usage)
        return 64
    }
    if name == "--version" {
        print("backprop \(version) (kernels: \(KernelVariant.best.rawValue))")
        return 0
    }
    if ["-h", "--help", "help"].contains(name) {
        print(usage)
        return 0
    }
    let commands = [
        TrainCommand.command, PredictCommand.command, EvaluateCommand.command, GradcheckCommand.command,
        BenchCommand.command, PlotCommand.command, ConvertCommand.command, SweepCommand.command, ExportCommand.command,
        ImportCommand.command,
    ]
    guard let command = commands.first(where: { $0.name == name }) else {
        printError("error: unknown command '\(name)'\n\n\(usage)")
        return 64
    }
    let words = Array(words.dropFirst())
    if words.contains("--help") || words.contains("-h") {
        print(command.help)
        return 0
    }
    // The most workers a command starts: a core's each, as many prefetching workers (one a
    // sweep's worker), and one more that libdispatch may start (found under `ulimit -v`).
    let threads = 2 * EngineOptions.availableCores + 1
    if let code = System.threadStartFailure(count: threads) {
        printError("error: cannot start \(threads) threads (\(System.describe(code))): too little memory for their stacks, "
            + "or too many processes (see `ulimit -v` and `ulimit -u`)")
        return 1
    }
    do {
        return try command.run(try command.parse(words))
    } catch let error as UsageError {
        printError("error: \(error)\nRun `backprop \(name) --help` for usage.")
        return 64
    } catch let failure as Failure where failure.brokenPipe {
        return 0  // the reader of the output wanted no more (`| head`), as for any filter
    } catch let error as SettingError {
        // The options are checked as they are read: one the library refuses is a usage error too.
        printError("error: \(error)\nRun `backprop \(name) --help` for usage.")
        return 64
    } catch {
        printError("error: \(error)")
        return 1
    }
}

// A closed pipe on stdout or stderr is an EPIPE error for the writer to handle, not a signal
// that kills a training run before it saves its model.
System.ignoreBrokenPipes()
exit(main(Array(CommandLine.arguments.dropFirst())))

import Backprop
import Foundation

enum BenchCommand {
    static let help = """
        USAGE: backprop bench [--engine NAME] [--batch-size B] [--threads T] [--samples N]
                              [--epochs K] [--data FILE.csv] [--init MODEL.json] [--json]

        Measures training throughput on the standard workload: two moons (noise 0.2,
        standardised), Glorot starting weights (seed 7), learning rate 0.5, file order,
        consecutive mini-batches. One untimed warm-up epoch, then K timed epochs; prints
        samples/s of the SGD steps alone and the loss on the whole set afterwards, and the
        time it took to load (parse, or generate) the data.

        OPTIONS:
          --engine NAME    \(EngineChoice.help) (default: simd)
          --batch-size B   samples per SGD step (default: 256)
          --threads T      threads for the parallel engine (default: all cores; others use 1)
          --samples N      data set size (default: 2^20 = 1048576)
          --epochs K       timed epochs (default: 3)
          --data FILE.csv  train on this file, as it is (not standardised), instead
          --init MODEL.json  start from this model's weights instead
          --json           one JSON object instead of a line of text
          -h, --help       show this help
        """

    static func run(_ arguments: inout Arguments) throws -> Int32 {
        let engineName = try arguments.choice("--engine", EngineChoice.names) ?? "simd"
        let batchSize = try arguments.integer("--batch-size", in: 1...1 << 30) ?? 256
        let requestedThreads = try arguments.integer("--threads", in: 1...1024)
        let samples = try arguments.integer("--samples", in: 1...1 << 30) ?? StandardWorkload.samples
        let epochs = try arguments.integer("--epochs", in: 1...1_000_000) ?? 3
        let dataPath = try arguments.string("--data")
        let initPath = try arguments.string("--init")
        let json = arguments.flag("--json")
        try arguments.finish()
        let engine = try EngineChoice.type(named: engineName)
        // Only the parallel engine uses threads; the others always run on one.
        let threads = engineName == ParallelEngine.name ? requestedThreads ?? EngineOptions.availableCores : 1

        warnIfDebugBuild()
        let clock = ContinuousClock()
        let loadStarted = clock.now
        let data = try dataPath.map { path throws(InputError) in try CSV.read(path: path) }
            ?? StandardWorkload.dataset(samples: samples)
        let loadSeconds = (clock.now - loadStarted) / .seconds(1)
        let start = try initPath.map { path throws(InputError) in try Model.read(path: path).parameters }
            ?? StandardWorkload.initialParameters
        let result = StandardWorkload.measure(
            engine, on: data, batchSize: batchSize, epochs: epochs, options: EngineOptions(threads: threads), from: start)
        if json {
            print(
                jsonObject([
                    "engine": engineName, "batch_size": batchSize, "threads": threads, "samples": data.count,
                    "epochs": epochs, "samples_per_second": result.samplesPerSecond, "loss": result.loss,
                    "accuracy": result.accuracy, "seconds": result.seconds, "load_seconds": loadSeconds,
                ]))
        } else {
            print(
                "\(engineName) batch \(batchSize) threads \(threads): \(humanRate(result.samplesPerSecond)) samples/s"
                    + "  (loss \(String(format: "%.10f", result.loss)), accuracy \(percent(result.accuracy)), \(epochs) epochs of \(data.count))"
            )
            let load = dataPath.map { "read \($0)" } ?? "generated the data"
            print("\(load) in \(String(format: "%.3f", loadSeconds)) s; one epoch took \(String(format: "%.3f", result.seconds / Double(epochs))) s")
        }
        return 0
    }
}

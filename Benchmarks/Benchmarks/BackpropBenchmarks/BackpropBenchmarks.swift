@_spi(Benchmarks) import Backprop
import Benchmark
import Foundation

/// The standard workload (README, "Performance"), generated once for all benchmarks.
let workload = StandardWorkload.dataset()

/// One epoch of training per engine, batch size and thread count; throughput is reported in
/// samples per second (one iteration = one epoch of 2^20 samples, so scale the epochs/s by
/// 2^20). Allocations inside an epoch have thresholds in Thresholds/: none for the SIMD
/// engine and the parallel engine on one thread.
func trainingBenchmarks() {
    let batchSizes = [1, 32, 256, 4096, 65536]
    let engines: [(String, any TrainingEngine.Type, [Int])] = [
        // The reference engine allocates arrays per sample by design (it is written to be
        // read), so it has no allocation threshold.
        ("reference", ReferenceEngine.self, [1]),
        ("simd", SIMDEngine.self, [1]),
        ("parallel", ParallelEngine.self, [1, EngineOptions.availableCores]),
    ]
    for (name, engine, threadCounts) in engines {
        for threads in threadCounts {
            for batchSize in batchSizes {
                register(engine, name: "epoch-\(name)-threads\(threads)-B\(batchSize)", batchSize: batchSize, threads: threads)
            }
        }
    }
    // The optimizers beside plain SGD (epoch-simd-threads1-B...): their update once per batch.
    for (name, optimizer, learningRate) in [("adam", Optimizer.adam(), 0.01), ("nesterov", .sgd(momentum: 0.9, nesterov: true), 0.1)] {
        for batchSize in [256, 4096] {
            register(
                SIMDEngine.self, name: "epoch-simd-\(name)-threads1-B\(batchSize)", batchSize: batchSize, threads: 1,
                optimizer: optimizer, learningRate: learningRate)
        }
    }
}

func register<Engine: TrainingEngine>(
    _: Engine.Type, name: String, batchSize: Int, threads: Int, optimizer: Optimizer = .sgd(),
    learningRate: Double = StandardWorkload.learningRate
) {
    Benchmark(
        name,
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            warmupIterations: 1,
            maxDuration: .seconds(3),
            maxIterations: 5
        )
    ) { benchmark in
        var configuration = TrainingConfiguration()
        configuration.batchSize = batchSize
        (configuration.learningRate, configuration.optimizer) = (learningRate, optimizer)
        let trainer = Trainer<Engine>(configuration)
        var engine = Engine(parameters: StandardWorkload.initialParameters, options: EngineOptions(threads: threads))
        var state = OptimizerState()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            trainer.runEpoch(&engine, on: workload, state: &state)
        }
        benchmark.stopMeasurement()
        blackHole(engine.parameters)
    }
}

/// The population engine: one epoch of the workload for 16 models (iterations × 2^20 × 16
/// model-samples), beside epoch-simd-threads1-B... training one model.
func populationBenchmarks() {
    for (batchSize, threads) in [(1, 1), (256, 1), (1, 2), (256, 2)] {
        Benchmark(
            "epoch-population-16-models-threads\(threads)-B\(batchSize)",
            configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(3), maxIterations: 3)
        ) { benchmark in
            let starts = (1...16).map { Parameters.glorotUniform(seed: UInt64($0)) }
            var engine = PopulationEngine(
                models: starts, learningRates: [Double](repeating: StandardWorkload.learningRate, count: 16),
                batchSize: batchSize, options: EngineOptions(threads: threads))
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                workload.withMiniBatch(0..<workload.count) { blackHole(engine.trainEpoch($0)) }
            }
            benchmark.stopMeasurement()
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    trainingBenchmarks()
    populationBenchmarks()

    // A whole run, as `train` makes it: 3 epochs of 2^20 samples at batch 256, each shuffle,
    // reports and the final evaluation included; set beside epoch-simd-threads1-B256 (one
    // epoch of SGD steps alone) for the run's end-to-end rate.
    for (name, shuffle, blocks) in [("samples", true, false), ("blocks", true, true), ("none", false, false)] {
        Benchmark(
            "run-simd-B256-shuffle-\(name)-3-epochs",
            configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(3), maxIterations: 3)
        ) { benchmark in
            var configuration = TrainingConfiguration()
            (configuration.epochs, configuration.batchSize, configuration.learningRate) = (3, 256, StandardWorkload.learningRate)
            (configuration.shuffle, configuration.standardize) = (shuffle, false)
            configuration.blockShuffle = blocks ? BlockShuffle() : nil
            let trainer = Trainer<SIMDEngine>(configuration)
            for _ in benchmark.scaledIterations {
                blackHole(try! trainer.run(on: workload, from: Model(parameters: StandardWorkload.initialParameters)).model)
            }
        }
    }

    Benchmark(
        "sigmoid-vector8",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .mega, maxDuration: .seconds(2))
    ) { benchmark in
        var z = SIMD8<Double>(-3, -2, -1, -0.5, 0.5, 1, 2, 3)
        var total = SIMD8<Double>()
        for _ in benchmark.scaledIterations {
            total += sigmoid(z)
            z += 1e-9
        }
        blackHole(total)
    }

    Benchmark(
        "predict-simd-2^20",
        configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(2), maxIterations: 20)
    ) { benchmark in
        let engine = SIMDEngine(parameters: StandardWorkload.initialParameters)
        for _ in benchmark.scaledIterations {
            blackHole(engine.predict(workload))
        }
    }

    Benchmark(
        "parse-csv-2^16-rows",
        configuration: .init(metrics: [.wallClock, .throughput, .peakMemoryResident], maxDuration: .seconds(3), maxIterations: 20)
    ) { benchmark in
        var text = "x0,x1,y\n"
        let sample = workload.selecting(0..<65536)
        for i in 0..<sample.count {
            text += "\(sample.x0[i]),\(sample.x1[i]),\(Int(sample.label[i]))\n"
        }
        let bytes = Array(text.utf8)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try CSV.parse(bytes, name: "bench.csv"))
        }
        benchmark.stopMeasurement()
    }
}

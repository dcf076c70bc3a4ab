/// What every engine provides: optimizer steps, gradients and predictions for the 2-5-5-1 network.
///
/// Engines are drop-in: client code picks one by its type name and changes nothing else,
/// and generic code over this protocol (`Trainer<Engine>`) is specialised for each engine.
/// Every engine computes the same function as `ReferenceEngine`, the specification: mean
/// binary cross-entropy over the mini-batch from the output logit (positive samples
/// weighted by `UpdateRule.positiveWeight`), and the update of any `Optimizer`.
///
/// **Values.** An engine is a value: a copy is independent of the original, so training one
/// never changes the other, and an engine can be sent to another task. Like any value, one
/// engine is changed by one thread at a time; an engine that uses threads itself (as
/// `ParallelEngine` does) runs them inside a single call.
///
/// **Your own engine** needs `init(parameters:options:)`, `parameters` (get and set),
/// `lossAndGradients(_:positiveWeight:)`, and one of `logit(x0:x1:)` (one sample, no
/// pointers) or `logits(_:into:)` (many samples into a buffer, for speed): with neither, the
/// first prediction stops the process with a message that says so. Read a mini-batch
/// through `MiniBatch.samples`. Everything else has a default, every optimizer included.
public protocol TrainingEngine: Sendable, SendableMetatype {
    /// The engine's name in the CLI (`--engine NAME`); by default the type's name.
    static var name: String { get }

    /// Starts from `parameters`.
    init(parameters: Parameters, options: EngineOptions)

    /// The current parameters, in the seed's layout.
    var parameters: Parameters { get set }

    /// The mean loss over `batch` and its gradient with respect to every parameter, without
    /// updating; each positive sample's loss counts `positiveWeight` times (1: plain
    /// cross-entropy), and the mean divides by the sample count.
    ///
    /// - Precondition: `batch` is not empty.
    func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters)

    /// Optimizer steps over consecutive mini-batches of `data` (the last one may be smaller),
    /// by `rule`, continuing from `state` and leaving it where the last step left it.
    ///
    /// The default takes each mini-batch's `lossAndGradients` and applies
    /// `UpdateRule.apply(to:gradients:state:)`; an engine overrides it for speed.
    ///
    /// - Returns: the sum of the samples' (weighted) losses, each under the parameters its
    ///   mini-batch's step started from: divided by `data.count`, the mean loss of the
    ///   epoch's mini-batches, which `Trainer` reports without another pass over the data.
    /// - Precondition: `batchSize` ≥ 1.
    @discardableResult
    mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, rule: UpdateRule, state: inout OptimizerState) -> Double

    /// As `trainEpoch(_:batchSize:rule:state:)`, with mini-batch i of `data` at learning rate
    /// `rates[i]` instead of the rule's: a schedule's that changes it every mini-batch
    /// (``LearningRateSchedule/Kind/oneCycle(maxRate:epochs:warmupFraction:annealing:divFactor:finalDivFactor:)``).
    /// Mini-batches past the last rate take the rule's.
    ///
    /// The default calls `trainEpoch(_:batchSize:rule:state:)` once a mini-batch and adds
    /// their losses in order; an engine overrides it to keep its state across them.
    /// - Precondition: each rate is finite and 0 or more.
    @discardableResult
    mutating func trainEpoch(
        _ data: MiniBatch, batchSize: Int, rule: UpdateRule, rates: UnsafeBufferPointer<Double>, state: inout OptimizerState
    ) -> Double

    /// The output logit z of one sample (its inputs on the model's scale).
    ///
    /// The default calls `logits(_:into:)`; implement one of the two.
    func logit(x0: Double, x1: Double) -> Double

    /// Writes the output logit z of every sample in `inputs` to the first `inputs.count`
    /// elements of `output` (labels are ignored).
    ///
    /// The default calls `logit(x0:x1:)` for each sample; implement one of the two.
    /// - Precondition: `output` has room for `inputs.count` values.
    func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>)

    /// Writes the predicted probability σ(z) of label 1 for every sample in `inputs` to the
    /// first `inputs.count` elements of `output`.
    func predict(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>)
}

extension TrainingEngine {
    /// The type's name: `MyEngine` for `MyEngine`.
    public static var name: String { String(describing: Self.self) }

    /// Starts from `parameters` with default options (all cores).
    public init(parameters: Parameters) {
        self.init(parameters: parameters, options: EngineOptions())
    }

    @discardableResult
    public mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, rule: UpdateRule, state: inout OptimizerState) -> Double {
        precondition(batchSize >= 1, "the batch size must be at least 1")
        var loss = 0.0
        data.forEachBatch(of: batchSize) { batch in
            let (batchLoss, gradients) = lossAndGradients(batch, positiveWeight: rule.positiveWeight)
            rule.apply(to: &parameters, gradients: gradients, state: &state)
            loss += batchLoss * Double(batch.count)
        }
        return loss
    }

    @discardableResult
    public mutating func trainEpoch(
        _ data: MiniBatch, batchSize: Int, rule: UpdateRule, rates: UnsafeBufferPointer<Double>, state: inout OptimizerState
    ) -> Double {
        var (loss, index) = (0.0, 0)
        data.forEachBatch(of: batchSize) { batch in
            let batchRule = index < rates.count ? rule.with(learningRate: rates[index]) : rule
            loss += trainEpoch(batch, batchSize: batchSize, rule: batchRule, state: &state)
            index += 1
        }
        return loss
    }

    /// Plain SGD steps over consecutive mini-batches of `data`: θ ← θ − learningRate · ∇θ.
    @discardableResult
    public mutating func trainEpoch(_ data: MiniBatch, batchSize: Int, learningRate: Double) -> Double {
        var state = OptimizerState()
        return trainEpoch(data, batchSize: batchSize, rule: UpdateRule(learningRate: learningRate), state: &state)
    }

    /// One step of `rule` on `batch`; the mean loss over `batch` before the update.
    ///
    /// - Precondition: `batch` is not empty.
    public mutating func step(_ batch: MiniBatch, rule: UpdateRule, state: inout OptimizerState) -> Double {
        precondition(batch.count > 0, "a mini-batch needs at least one sample")
        return trainEpoch(batch, batchSize: batch.count, rule: rule, state: &state) / Double(batch.count)
    }

    /// One plain SGD step on `batch`: θ ← θ − learningRate · ∇θ (mean loss over the batch).
    ///
    /// - Returns: the mean loss over `batch` before the update.
    /// - Precondition: `batch` is not empty.
    public mutating func step(_ batch: MiniBatch, learningRate: Double) -> Double {
        var state = OptimizerState()
        return step(batch, rule: UpdateRule(learningRate: learningRate), state: &state)
    }

    /// The mean loss over `batch` and its gradient, unweighted (`positiveWeight` 1).
    public func lossAndGradients(_ batch: MiniBatch) -> (loss: Double, gradients: Parameters) {
        lossAndGradients(batch, positiveWeight: 1)
    }

    public func logit(x0: Double, x1: Double) -> Double {
        // Called from the default `logits`: the engine has neither of its own, and the two
        // defaults would call each other until the stack overflows.
        if DefaultPrediction.inDefaultLogits {
            fatalError("\(Self.name) implements neither logit(x0:x1:) nor logits(_:into:) of TrainingEngine: implement one of the two")
        }
        return Dataset(validatedX0: [x0], x1: [x1], label: [0]).withMiniBatch(0..<1) { batch in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 1) { output in
                logits(batch, into: output)
                return output[0]
            }
        }
    }

    public func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(output.count >= inputs.count, "output buffer too small")
        DefaultPrediction.$inDefaultLogits.withValue(true) {
            for (index, sample) in inputs.samples.enumerated() { output[index] = logit(x0: sample.x0, x1: sample.x1) }
        }
    }

    public func predict(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        logits(inputs, into: output)
        for i in 0..<inputs.count { output[i] = sigmoid(output[i]) }
    }

    /// The predicted probability of label 1 for every sample of `dataset`.
    public func predict(_ dataset: Dataset) -> [Double] {
        [Double](unsafeUninitializedCapacity: dataset.count) { buffer, initialized in
            dataset.withMiniBatch(0..<dataset.count) { predict($0, into: buffer) }
            initialized = dataset.count
        }
    }

    /// The output logit of every sample of `dataset`.
    public func logits(_ dataset: Dataset) -> [Double] {
        [Double](unsafeUninitializedCapacity: dataset.count) { buffer, initialized in
            dataset.withMiniBatch(0..<dataset.count) { logits($0, into: buffer) }
            initialized = dataset.count
        }
    }

    /// Loss, accuracy and confusion matrix of the current parameters on `dataset`.
    ///
    /// Works through the data in parts of 16,384 samples, so it needs no memory of the data's size.
    public func evaluate(_ dataset: Dataset) -> Evaluation {
        dataset.withMiniBatch(0..<dataset.count) { evaluate($0) }
    }

    /// `evaluate` on borrowed samples, in parts of `evaluationPart` (2^14) samples.
    func evaluate(_ samples: MiniBatch) -> Evaluation {
        var evaluation = Evaluation(logits: [], labels: [])
        withUnsafeTemporaryAllocation(of: Double.self, capacity: evaluationPart) { buffer in
            for start in stride(from: 0, to: samples.count, by: evaluationPart) {
                let range = start..<min(start + evaluationPart, samples.count)
                let output = UnsafeMutableBufferPointer(rebasing: buffer[..<range.count])
                logits(samples[range], into: output)
                evaluation.add(UnsafeBufferPointer(output), UnsafeBufferPointer(rebasing: samples.label[range]))
            }
        }
        return evaluation
    }

    /// The mean loss and gradients over the whole of `dataset`.
    public func lossAndGradients(_ dataset: Dataset) -> (loss: Double, gradients: Parameters) {
        dataset.withMiniBatch(0..<dataset.count) { lossAndGradients($0) }
    }
}

/// Whether the default `logits(_:into:)` is under way on this thread or task.
private enum DefaultPrediction {
    @TaskLocal static var inDefaultLogits = false
}

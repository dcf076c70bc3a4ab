import BackpropKernelStorage
import Dispatch

/// Many models trained at once on the same samples, one model per lane of `SIMD8<Double>`:
/// each sample is broadcast to eight models, every lane updates its own model, and nothing is
/// summed across lanes. For sweeps of learning rates, seeds for error bars, ensembles: at
/// small batch sizes the lanes hold models instead of samples, and the vector unit stays busy.
///
/// Each model has its own starting parameters and learning rate, and trains by plain SGD on
/// mean binary cross-entropy with the population's batch size, on the samples in the order
/// given (the same for every model). Groups of eight models are split across threads, whole
/// groups per thread: there is nothing to reduce.
///
/// **Bits.** A model's parameters depend on nothing but its own start, its learning rate and
/// the data: not on the other models, its lane, or the thread count. They agree with
/// `SIMDEngine` and `ReferenceEngine` to rounding (the gradient sums run in another order):
/// to 1e-12 after two epochs in the tests.
public struct PopulationEngine: Sendable {
    /// The engine's name in `backprop bench --engine`.
    public static let name = "population"

    /// Groups of eight models: 51 vectors (`ParameterLayout`) and their learning rates;
    /// lanes past the last model hold zeros at learning rate 0, and stay zeros.
    private var groups: [Group]
    /// The number of models.
    public let count: Int
    /// Threads for the groups (at most one a group); the copy of the kernels to run.
    public let options: EngineOptions

    private struct Group {
        var weights = InlineArray<51, Vector8>(repeating: Vector8())
        var learningRates = Vector8()
    }

    /// Models starting from `models`, model i at `learningRates[i]`.
    ///
    /// - Precondition: as many learning rates as models, at least one, each finite and
    ///   greater than 0.
    public init(models: [Parameters], learningRates: [Double], options: EngineOptions = EngineOptions()) {
        precondition(!models.isEmpty, "a population needs at least one model")
        precondition(models.count == learningRates.count, "one learning rate per model")
        precondition(learningRates.allSatisfy { $0.isFinite && $0 > 0 }, "learning rates must be finite and greater than 0")
        count = models.count
        self.options = options
        groups = [Group](repeating: Group(), count: (models.count + 7) / 8)
        for (model, parameters) in models.enumerated() {
            let (group, lane) = model.quotientAndRemainder(dividingBy: 8)
            for (index, value) in parameters.flattened.enumerated() { groups[group].weights[index][lane] = value }
            groups[group].learningRates[lane] = learningRates[model]
        }
    }

    /// Every model's current parameters, in order.
    public var parameters: [Parameters] {
        (0..<count).map { model in
            let (group, lane) = model.quotientAndRemainder(dividingBy: 8)
            return Parameters(flattened: (0..<Parameters.count).map { groups[group].weights[$0][lane] })
        }
    }

    /// True when every lane past the last model holds zeros.
    var unusedLanesAreZero: Bool {
        (count..<(8 * groups.count)).allSatisfy { model in
            let (group, lane) = model.quotientAndRemainder(dividingBy: 8)
            return (0..<Parameters.count).allSatisfy { groups[group].weights[$0][lane] == 0 }
        }
    }

    /// SGD steps over consecutive mini-batches of `data` (the last one may be smaller), for
    /// every model.
    ///
    /// - Returns: each model's sum of its samples' losses, each under the parameters its
    ///   mini-batch's step started from (divided by `data.count`: the mean loss of the epoch's
    ///   mini-batches, as `TrainingEngine.trainEpoch` returns it).
    /// - Precondition: `batchSize` ≥ 1.
    @discardableResult
    public mutating func trainEpoch(_ data: MiniBatch, batchSize: Int) -> [Double] {
        precondition(batchSize >= 1, "the batch size must be at least 1")
        var losses = [Vector8](repeating: Vector8(), count: groups.count)
        guard data.count > 0 else { return [Double](repeating: 0, count: count) }
        let kernels = options.kernel.kernels
        let threads = min(options.threads, groups.count)
        let groupCount = groups.count
        groups.withUnsafeMutableBufferPointer { groups in
            losses.withUnsafeMutableBufferPointer { losses in
                // Each thread its own groups (t, t + threads, ...): no two threads share one.
                nonisolated(unsafe) let (groups, losses, data) = (groups, losses, data)
                @Sendable func train(thread: Int) {
                    for index in stride(from: thread, to: groupCount, by: threads) {
                        withUnsafeMutablePointer(to: &groups[index].weights) { storage in
                            kernels.trainPopulation(
                                UnsafeMutableRawPointer(storage).assumingMemoryBound(to: Vector8.self),
                                learningRates: groups[index].learningRates, x0: data.x0.baseAddress!,
                                x1: data.x1.baseAddress!, label: data.label.baseAddress!, count: data.count,
                                batchSize: batchSize, losses: losses.baseAddress! + index)
                        }
                    }
                }
                if threads == 1 {
                    train(thread: 0)
                } else {
                    DispatchQueue.concurrentPerform(iterations: threads) { train(thread: $0) }
                }
            }
        }
        return (0..<count).map { losses[$0 / 8][$0 % 8] }
    }
}

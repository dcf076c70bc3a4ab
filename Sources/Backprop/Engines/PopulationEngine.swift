import BackpropKernelStorage
import Dispatch

/// Many models trained at once on the same samples, one model per lane of `SIMD8<Double>`:
/// each sample is broadcast to eight models, every lane updates its own model, and nothing is
/// summed across lanes. For sweeps of learning rates and optimizers, seeds for error bars,
/// ensembles: at small batch sizes the lanes hold models instead of samples, and the vector
/// unit stays busy.
///
/// Each model (a `Member`) has its own starting parameters, update rule (learning rate, any
/// `Optimizer` with its settings, positive weight) and batch size, and trains on the samples
/// in the order given. Models of the same kind of update (plain SGD; SGD with momentum or
/// decay; Adam; AdamW) share groups of eight lanes, whatever their batch sizes (a lane steps
/// when its own batch is complete); groups are split across threads, whole groups per
/// thread, so there is nothing to reduce.
///
/// **Bits.** A model's parameters depend on nothing but its start, its rule, its batch size
/// and the data: not on the other models, its lane, or the thread count. They agree with
/// `SIMDEngine` and `ReferenceEngine` to rounding (the gradient sums run in another order,
/// and the population runs momentum and decay terms of 0 where a model has none): to 1e-12
/// after two epochs in the tests.
public struct PopulationEngine: Sendable {
    /// The engine's name in `backprop bench --engine`.
    public static let name = "population"

    /// One model of a population.
    public struct Member: Sendable {
        /// The starting parameters.
        public var parameters: Parameters
        /// The learning rate, optimizer and positive weight.
        public var rule: UpdateRule
        /// Samples per step; an epoch's last batch may be smaller.
        public var batchSize: Int

        /// - Precondition: `batchSize` ≥ 1.
        public init(parameters: Parameters, rule: UpdateRule, batchSize: Int) {
            precondition(batchSize >= 1, "the batch size must be at least 1")
            (self.parameters, self.rule, self.batchSize) = (parameters, rule, batchSize)
        }
    }

    /// Groups of up to eight models of one kind of update.
    private var groups: [LaneGroup]
    /// Model i is lane `slots[i].lane` of group `slots[i].group`.
    private let slots: [(group: Int, lane: Int)]
    /// Threads for the groups (at most one a group); the copy of the kernels to run.
    public let options: EngineOptions

    /// The number of models.
    public var count: Int { slots.count }

    /// A population of `members`, in order.
    ///
    /// - Precondition: at least one member.
    public init(_ members: [Member], options: EngineOptions = EngineOptions()) {
        precondition(!members.isEmpty, "a population needs at least one model")
        self.options = options
        var groups: [LaneGroup] = []
        var slots: [(group: Int, lane: Int)] = []
        var open: [String: Int] = [:]  // the group still filling, per kind of update
        for member in members {
            let settings = member.rule.settings
            // Plain SGD has a step of its own: a plain model among stateful ones would round otherwise.
            let key = "\(settings.kind) \(settings.isPlainSGD)"
            if open[key].map({ groups[$0].models == 8 }) ?? true {
                open[key] = groups.count
                groups.append(LaneGroup(kind: settings.kind))
            }
            let group = open[key]!
            let lane = groups[group].models
            groups[group].place(lane, parameters: member.parameters, settings: settings, batchSize: member.batchSize, state: OptimizerState())
            slots.append((group, lane))
        }
        (self.groups, self.slots) = (groups, slots)
    }

    /// Models starting from `models`, model i by plain SGD at `learningRates[i]`, all at `batchSize`.
    public init(models: [Parameters], learningRates: [Double], batchSize: Int, options: EngineOptions = EngineOptions()) {
        precondition(models.count == learningRates.count, "one learning rate per model")
        self.init(
            zip(models, learningRates).map { Member(parameters: $0, rule: UpdateRule(learningRate: $1), batchSize: batchSize) },
            options: options)
    }

    /// Every model's current parameters, in order.
    public var parameters: [Parameters] {
        slots.map { groups[$0.group].parameters(of: $0.lane) }
    }

    /// True when every lane past a group's last model holds zeros.
    var unusedLanesAreZero: Bool {
        groups.allSatisfy { group in
            (group.models..<8).allSatisfy { lane in (0..<Parameters.count).allSatisfy { group.weights[$0][lane] == 0 } }
        }
    }

    /// Optimizer steps over consecutive mini-batches of `data` (the last one may be smaller),
    /// each model at its batch size.
    ///
    /// - Returns: each model's sum of its samples' losses, each under the parameters its
    ///   mini-batch's step started from (divided by `data.count`: the mean loss of the epoch's
    ///   mini-batches, as `TrainingEngine.trainEpoch` returns it).
    @discardableResult
    public mutating func trainEpoch(_ data: MiniBatch) -> [Double] {
        var losses = [Vector8](repeating: Vector8(), count: groups.count)
        guard data.count > 0 else { return [Double](repeating: 0, count: count) }
        let kernels = options.kernel.kernels
        let groupCount = groups.count
        let threads = min(options.threads, groupCount)
        groups.withUnsafeMutableBufferPointer { groups in
            losses.withUnsafeMutableBufferPointer { losses in
                // Each thread its own groups (t, t + threads, ...): no two threads share one.
                nonisolated(unsafe) let (groups, losses, data) = (groups, losses, data)
                // Two at a time, so that at batch 1 their steps run side by side.
                @Sendable func train(thread: Int) {
                    let mine = Array(stride(from: thread, to: groupCount, by: threads))
                    for pair in stride(from: 0, to: mine.count, by: 2) {
                        let index = mine[pair]
                        if pair + 1 < mine.count {
                            kernels.trainPopulationPair(
                                groups.baseAddress! + index, groups.baseAddress! + mine[pair + 1], x0: data.x0.baseAddress!,
                                x1: data.x1.baseAddress!, label: data.label.baseAddress!, count: data.count,
                                losses: losses.baseAddress! + index, otherLosses: losses.baseAddress! + mine[pair + 1])
                        } else {
                            kernels.trainPopulation(
                                groups.baseAddress! + index, x0: data.x0.baseAddress!, x1: data.x1.baseAddress!,
                                label: data.label.baseAddress!, count: data.count, losses: losses.baseAddress! + index)
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
        return slots.map { losses[$0.group][$0.lane] }
    }
}

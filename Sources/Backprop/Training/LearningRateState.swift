import Foundation

/// Where a run's `LearningRateSchedule` stands: the rate of the epoch under way, and what
/// its next rate depends on. A checkpoint keeps it, so that a resumed run takes the rates
/// of the run that never stopped.
///
/// Each step mirrors `scheduler.step()` in `torch.optim.lr_scheduler`, operation for
/// operation: the recurrences of `get_lr`, `SequentialLR`'s switch to the closed form at
/// its milestone, `ReduceLROnPlateau`'s counters, `OneCycleLR`'s phases.
public struct LearningRateState: Sendable, Hashable, Codable {
    /// The rate of the epoch under way (PyTorch's `param_group["lr"]`); for `oneCycle`,
    /// that of the epoch's first mini-batch.
    public internal(set) var rate: Double
    /// The base rate (`initial_lr`).
    let base: Double
    /// Epochs stepped (`SequentialLR.last_epoch`, or the schedule's own without a warmup).
    var epoch = 0
    /// `ReduceLROnPlateau`'s best loss (nil: none yet, PyTorch's `inf`), its epochs without
    /// improvement and its cooldown's epochs left.
    var best: Double?
    var badEpochs = 0
    var cooldownLeft = 0

    /// The state at the start of a run of `schedule` (resolved: `LearningRateSchedule.resolved(epochs:)`)
    /// from base rate `base`; for `oneCycle`, `rate` is set by `rate(ofBatch:batchesPerEpoch:)`.
    init(_ schedule: LearningRateSchedule, base: Double) {
        self.base = base
        rate = base
        if let warmup = schedule.warmup {
            rate = base * warmup.startFactor  // LinearLR's first epoch
        } else if case .linear(let startFactor, _, _) = schedule.kind {
            rate = base * startFactor
        }
    }

    /// The rate of mini-batch `batch` of the epoch under way: `rate`, or `oneCycle`'s rate
    /// at that step of the cycle.
    func rate(_ schedule: LearningRateSchedule, ofBatch batch: Int, batchesPerEpoch: Int) -> Double {
        guard case .oneCycle(let maxRate, let epochs?, let warmupFraction, let annealing, let divFactor, let finalDivFactor) = schedule.kind
        else { return rate }
        let highest = maxRate ?? base
        let initial = highest / divFactor
        let lowest = initial / finalDivFactor
        let step = Double(epoch * batchesPerEpoch + batch)
        let firstEnd = warmupFraction * Double(epochs * batchesPerEpoch) - 1
        let lastEnd = Double(epochs * batchesPerEpoch - 1)
        let (start, end, from, to) = step <= firstEnd ? (0.0, firstEnd, initial, highest) : (firstEnd, lastEnd, highest, lowest)
        let fraction = (step - start) / (end - start)
        switch annealing {
        case .cosine: return to + (from - to) / 2.0 * (cos(Double.pi * fraction) + 1)
        case .linear: return (to - from) * fraction + from
        }
    }

    /// The first field that no run of `schedule` from base rate `base` could have written
    /// after `epochs` epochs, if any (a checkpoint's state, checked as a whole).
    func problem(for schedule: LearningRateSchedule, base expected: Double, epochs: Int) -> String? {
        if !(rate.isFinite && rate >= 0) { return "rate is \(rate): must be a finite number, 0 or more" }
        if base != expected { return "base is \(base), and the run's learning rate is \(expected)" }
        if epoch != epochs { return "epoch is \(epoch), and the run has done \(epochs) epochs" }
        guard case .plateau(_, _, _, let cooldown, let minimumRate) = schedule.kind else {
            if best != nil || badEpochs != 0 || cooldownLeft != 0 { return "best, badEpochs and cooldownLeft belong to plateau" }
            // The rate is the schedule's after these epochs (replayed up to 10^7 of them, a second at most).
            guard epochs <= 10_000_000 else { return nil }
            var replayed = LearningRateState(schedule, base: base)
            for _ in 0..<epochs { replayed.step(schedule, loss: 0) }
            return replayed.rate == rate ? nil : "rate is \(rate), and the schedule gives \(replayed.rate) after \(epochs) epochs"
        }
        if !(0...epochs).contains(badEpochs) { return "badEpochs is \(badEpochs): must be from 0 to the epochs done, \(epochs)" }
        if !(0...cooldown).contains(cooldownLeft) { return "cooldownLeft is \(cooldownLeft): must be from 0 to the cooldown, \(cooldown)" }
        if let best, !(best.isFinite && best >= 0) { return "best is \(best): must be a finite number, 0 or more" }
        if rate != base && !(rate >= minimumRate && rate < base) {
            return "rate is \(rate): a plateau's rate is the base, \(base), or below it and at least the minimum, \(minimumRate)"
        }
        return nil
    }

    /// The rate of the epoch after this one: one `scheduler.step()` (`loss` is what
    /// `plateau` watches: the validation loss, or the epoch's training loss).
    mutating func step(_ schedule: LearningRateSchedule, loss: Double) {
        epoch += 1
        guard let warmup = schedule.warmup else {
            rate = next(schedule.kind, epoch: epoch, loss: loss)
            return
        }
        if epoch < warmup.epochs {
            rate = next(.linear(startFactor: warmup.startFactor, endFactor: 1, epochs: warmup.epochs), epoch: epoch, loss: loss)
        } else if epoch == warmup.epochs {
            rate = Self.closedFormAtStart(schedule.kind, base: base)
        } else {
            rate = next(schedule.kind, epoch: epoch - warmup.epochs, loss: loss)
        }
    }

    /// `get_lr()` of `kind` at its `last_epoch` `epoch` (at least 1), from `rate`; for
    /// `plateau`, with `loss`, whose counters it updates.
    private mutating func next(_ kind: LearningRateSchedule.Kind, epoch: Int, loss: Double) -> Double {
        switch kind {
        case .constant, .oneCycle:
            return rate
        case .step(let stepSize, let gamma):
            return epoch % stepSize != 0 ? rate : rate * gamma
        case .multiStep(let milestones, let gamma):
            return milestones.contains(epoch) ? rate * gamma : rate  // PyTorch's γ ** 1 is γ
        case .exponential(let gamma):
            return rate * gamma
        case .cosine(let period, let minimumRate):
            let period = period ?? 1  // resolved at the run's start
            let (t, cycle) = (Double(period), 2 * period)
            if ((epoch - 1 - period) % cycle + cycle) % cycle == 0 {  // Python's modulo
                return rate + (base - minimumRate) * (1 - cos(Double.pi / t)) / 2
            }
            return (1 + cos(Double.pi * Double(epoch) / t)) / (1 + cos(Double.pi * Double(epoch - 1) / t)) * (rate - minimumRate)
                + minimumRate
        case .linear(let startFactor, let endFactor, let epochs):
            if epoch > epochs { return rate }
            let change = endFactor - startFactor
            return rate * (1 + change / (Double(epochs) * startFactor + Double(epoch - 1) * change))
        case .plateau(let factor, let patience, let threshold, let cooldown, let minimumRate):
            if loss < (best ?? .infinity) * (1 - threshold) {  // PyTorch's best starts at inf
                best = loss
                badEpochs = 0
            } else {
                badEpochs += 1
            }
            if cooldownLeft > 0 {
                cooldownLeft -= 1
                badEpochs = 0
            }
            guard badEpochs > patience else { return rate }
            cooldownLeft = cooldown
            badEpochs = 0
            let reduced = max(rate * factor, minimumRate)
            return rate - reduced > 1e-8 ? reduced : rate
        }
    }

    /// `_get_closed_form_lr()` of `kind` at `last_epoch` 0: where `SequentialLR` starts the
    /// schedule after a warmup.
    private static func closedFormAtStart(_ kind: LearningRateSchedule.Kind, base: Double) -> Double {
        switch kind {
        case .constant, .step, .multiStep, .exponential, .oneCycle, .plateau:
            return base * 1.0  // base · γ⁰, or ConstantLR's base · (1 + 0)
        case .cosine(_, let minimumRate):
            return minimumRate + (base - minimumRate) * (1 + cos(0)) / 2
        case .linear(let startFactor, let endFactor, let epochs):
            return base * (startFactor + (endFactor - startFactor) * 0 / Double(epochs))
        }
    }
}

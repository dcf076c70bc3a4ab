import BackpropKernelStorage

/// How well a model fits a labelled dataset: mean loss, accuracy and the confusion matrix.
///
/// A sample is predicted as class 1 when σ(z) ≥ 0.5, that is when its logit z ≥ 0.
public struct Evaluation: Sendable, Equatable {
    /// Samples evaluated.
    public var count: Int
    /// Mean binary cross-entropy (the training loss, computed from the logits).
    public var loss: Double
    /// Label 1, predicted 1.
    public var truePositives = 0
    /// Label 0, predicted 1.
    public var falsePositives = 0
    /// Label 0, predicted 0.
    public var trueNegatives = 0
    /// Label 1, predicted 0.
    public var falseNegatives = 0

    /// Evaluates output logits against 0/1 labels.
    ///
    /// - Precondition: `logits` and `labels` have the same length.
    public init(logits: some Collection<Double>, labels: some Collection<Double>) {
        count = 0
        loss = 0
        add(logits: logits, labels: labels)
    }

    /// An evaluation of `count` samples with this mean loss and confusion matrix.
    ///
    /// - Precondition: the four counts add up to `count`.
    public init(
        count: Int, loss: Double, truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int
    ) {
        precondition(truePositives + falsePositives + trueNegatives + falseNegatives == count, "the counts must add up")
        self.count = count
        self.loss = loss
        lossSum = loss * Double(count)
        (self.truePositives, self.falsePositives) = (truePositives, falsePositives)
        (self.trueNegatives, self.falseNegatives) = (trueNegatives, falseNegatives)
    }

    /// The sum of the losses, kept so that evaluating in parts gives the bits of one pass.
    private var lossSum = 0.0

    /// Adds more samples, as if they had come after the ones evaluated so far.
    public mutating func add(logits: some Collection<Double>, labels: some Collection<Double>) {
        let (logits, labels) = (Array(logits), Array(labels))  // contiguous copies
        logits.withUnsafeBufferPointer { logits in labels.withUnsafeBufferPointer { labels in add(logits, labels) } }
    }

    /// Adds samples read in place (`evaluate` hands over its buffers): the loss eight samples
    /// at a time (see `crossEntropySum`), the confusion matrix without branches (its four
    /// cases come in no predictable order).
    mutating func add(_ logits: UnsafeBufferPointer<Double>, _ labels: UnsafeBufferPointer<Double>) {
        precondition(logits.count == labels.count, "one logit per label")
        count += labels.count
        lossSum += KernelVariant.best.kernels.crossEntropySum(logits, labels)
        var (positivePredictions, positiveHits, positives) = (0, 0, 0)
        for i in 0..<labels.count {
            let predicted = logits[i] >= 0 ? 1 : 0
            let actual = labels[i] == 1 ? 1 : 0
            positivePredictions += predicted
            positiveHits += predicted & actual
            positives += actual
        }
        truePositives += positiveHits
        falsePositives += positivePredictions - positiveHits
        falseNegatives += positives - positiveHits
        trueNegatives += labels.count - positivePredictions - positives + positiveHits
        loss = count > 0 ? lossSum / Double(count) : 0
    }

    /// Adds the samples of `other`, evaluated apart (on another part of the data): counts
    /// and the confusion matrix add exactly; the mean loss is the mean over both.
    public mutating func merge(_ other: Evaluation) {
        count += other.count
        lossSum += other.lossSum
        truePositives += other.truePositives
        falsePositives += other.falsePositives
        trueNegatives += other.trueNegatives
        falseNegatives += other.falseNegatives
        loss = count > 0 ? lossSum / Double(count) : 0
    }

    /// Fraction of samples classified correctly.
    public var accuracy: Double {
        count > 0 ? Double(truePositives + trueNegatives) / Double(count) : 0
    }

    /// TP / (TP + FP), or nil when nothing was predicted positive.
    public var precision: Double? {
        truePositives + falsePositives > 0 ? Double(truePositives) / Double(truePositives + falsePositives) : nil
    }

    /// TP / (TP + FN), or nil when there are no positive samples.
    public var recall: Double? {
        truePositives + falseNegatives > 0 ? Double(truePositives) / Double(truePositives + falseNegatives) : nil
    }
}

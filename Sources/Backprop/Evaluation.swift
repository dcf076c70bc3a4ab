/// How well a model fits a labelled dataset: mean loss, accuracy and the confusion matrix.
///
/// A sample is predicted as class 1 when σ(z) ≥ 0.5, that is when its logit z ≥ 0.
public struct Evaluation: Sendable, Equatable {
    public var count: Int
    /// Mean binary cross-entropy (the training loss, computed from the logits).
    public var loss: Double
    public var truePositives = 0
    public var falsePositives = 0
    public var trueNegatives = 0
    public var falseNegatives = 0

    /// Evaluates output logits against 0/1 labels.
    ///
    /// - Precondition: `logits` and `labels` have the same length.
    public init(logits: some Collection<Double>, labels: some Collection<Double>) {
        count = 0
        loss = 0
        add(logits: logits, labels: labels)
    }

    /// The sum of the losses, kept so that evaluating in parts gives the bits of one pass.
    private var lossSum = 0.0

    /// Adds more samples, as if they had come after the ones evaluated so far.
    mutating func add(logits: some Collection<Double>, labels: some Collection<Double>) {
        precondition(logits.count == labels.count, "one logit per label")
        count += labels.count
        for (z, y) in zip(logits, labels) {
            lossSum += binaryCrossEntropy(logit: z, label: y)
            switch (z >= 0, y == 1) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, false): trueNegatives += 1
            case (false, true): falseNegatives += 1
            }
        }
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

/// The logistic sigmoid 1 / (1 + e^-z).
///
/// Finite for every finite `z`: e^-z overflows to +infinity below z ≈ -709 and the result
/// is then exactly 0, never NaN.
@inlinable @inline(__always)
public func sigmoid(_ z: Double) -> Double {
    1.0 / (1.0 + _exp(-z))
}

/// Binary cross-entropy of one sample, from the output logit `z` and the label `y` (0 or 1).
///
/// Uses the stable form `max(z, 0) - z·y + log1p(e^-|z|)`, which equals
/// `-(y·log σ(z) + (1 - y)·log(1 - σ(z)))` without ever taking the log of 0: a confidently
/// wrong prediction costs |z|, not infinity. Its derivative with respect to `z` is
/// `σ(z) - y`, so no engine ever divides by the prediction.
@inlinable @inline(__always)
public func binaryCrossEntropy(logit z: Double, label y: Double) -> Double {
    max(z, 0) - z * y + _log1p(_exp(-abs(z)))
}

/// Binary cross-entropy summed over vectors of samples, as the kernels and `evaluate` sum it:
/// max(z, 0) − z·y in lanes, and the log1p(e^−|z|) terms as the log of the product of their
/// (1 + e^−|z|) factors, each in (1, 2], taken every 512 samples so that the product stays
/// finite (one libm log per 512 samples instead of one log1p per sample).
@usableFromInline
struct CrossEntropySum<V: SampleVector> {
    var linear = V()
    var product = V(repeating: 1)
    var logs = 0.0

    /// Adds group number `group` (0, 1, 2, ... in order) of logits `z` and labels `y`, given
    /// |z| and 1 + e^−|z|; max(z, 0) is (z + |z|)/2 exactly.
    @inline(__always)
    mutating func add(logits z: V, labels y: V, magnitude: V, onePlusT: V, group: Int) {
        linear += V.multiplyAdd(-z, y, (z + magnitude) * 0.5)
        product *= onePlusT
        if group & (512 / V.scalarCount - 1) == 512 / V.scalarCount - 1 {
            logs += V.logOfProducts(product)
            product = V(repeating: 1)
        }
    }

    var total: Double { V.laneSum(linear) + logs + V.logOfProducts(product) }
}

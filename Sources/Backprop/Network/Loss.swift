import BackpropKernelStorage

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
    crossEntropy(logit: z, label: y)
}

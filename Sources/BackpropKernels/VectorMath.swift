import BackpropKernelStorage



/// a·b + c, fused into one rounding where the build targets a CPU with FMA.
///
/// Baseline x86-64 has no FMA instruction, and there `addingProduct` becomes eight calls to
/// libm's `fma` (about 80× slower), so the baseline copy of the kernels multiplies and adds
/// instead. Package.swift defines `BACKPROP_FMA` for the copies that have FMA (x86-64-v3,
/// x86-64-v4, arm64).
@inline(__always)
func multiplyAdd(_ a: Vector8, _ b: Vector8, _ c: Vector8) -> Vector8 {
    #if BACKPROP_FMA
        return c.addingProduct(a, b)
    #else
        return a * b + c
    #endif
}

@inline(__always)
func vectorSigmoid(_ z: Vector8) -> Vector8 {
    1.0 / (1.0 + vectorExp(-z))
}

@inline(__always)
func vectorExp(_ input: Vector8) -> Vector8 {
    typealias V = Vector8
    let x = clampMagnitude(input, to: 708)

    // k = round(x / ln2) by the 1.5·2^52 trick: the sum's low mantissa bits hold k.
    let shift = V(repeating: 0x1.8p52)
    let shifted = multiplyAdd(x, V(repeating: 1.4426950408889634), shift)
    let k = shifted - shift
    // r = x - k·ln2 with ln2 split in two (fdlibm's), exact to about 2^-70.
    var r = multiplyAdd(k, V(repeating: -6.93147180369123816490e-01), x)
    r = multiplyAdd(k, V(repeating: -1.90821492927058770002e-10), r)

    // e^r = 1 + r + r²·P(r), P a degree-9 near-minimax (Chebyshev) fit of (e^r − 1 − r)/r²
    // on [−ln2/2, ln2/2] (relative error 1.6e-17 with these rounded coefficients), evaluated
    // by Estrin's scheme: four dependent steps instead of Horner's nine, so that the
    // exponentials of several neurons overlap in the pipeline.
    let r2 = r * r
    let r4 = r2 * r2
    let q0 = multiplyAdd(V(repeating: 0.16666666666666669), r, V(repeating: 0.5000000000000001))
    let q1 = multiplyAdd(V(repeating: 0.008333333333330062), r, V(repeating: 0.04166666666662413))
    let q2 = multiplyAdd(V(repeating: 0.00019841269863053618), r, V(repeating: 0.0013888888917213717))
    let q3 = multiplyAdd(V(repeating: 2.7557268459997064e-06), r, V(repeating: 2.4801521295954376e-05))
    let q4 = multiplyAdd(V(repeating: 2.510038549551032e-08), r, V(repeating: 2.7620088445409746e-07))
    let s0 = multiplyAdd(q1, r2, q0)
    let s1 = multiplyAdd(q3, r2, q2)
    let t0 = multiplyAdd(s1, r4, s0)
    let polynomial = multiplyAdd(q4, r4 * r4, t0)
    let p = 1 + multiplyAdd(r2, polynomial, r)

    // p · 2^k: add k to the exponent field. |x| ≤ 708 keeps the result a normal number.
    let kBits = unsafeBitCast(shifted, to: V.MaskStorage.self) &<< 52
    return unsafeBitCast(unsafeBitCast(p, to: V.MaskStorage.self) &+ kBits, to: V.self)
}

/// Each lane of `x` with its magnitude limited to `limit` (> 0), sign kept.
///
/// Written with integer bit operations because a compare-and-select or `pointwiseMin`
/// makes LLVM scalarise the whole kernel around it. For non-negative doubles the order of
/// the bit patterns is the order of the values, so min(|x|, limit) is an integer minimum:
/// limit + ((|x| − limit) & sign mask of the difference).
@inline(__always)
func clampMagnitude(_ x: Vector8, to limit: Double) -> Vector8 {
    typealias V = Vector8
    let bits = unsafeBitCast(x, to: V.MaskStorage.self)
    let sign = bits & Int64.min
    let limitBits = V.MaskStorage(repeating: Int64(bitPattern: limit.bitPattern))
    let difference = (bits & Int64.max) &- limitBits
    let clamped = limitBits &+ (difference & (difference &>> 63))
    return unsafeBitCast(clamped | sign, to: V.self)
}

/// `multiplyAdd` under a name that the vector types' own `multiplyAdd` does not hide.
@inline(__always)
func vector8MultiplyAdd(_ a: Vector8, _ b: Vector8, _ c: Vector8) -> Vector8 { multiplyAdd(a, b, c) }

/// `laneSum` under a name that the vector types' own `laneSum` does not hide.
@inline(__always)
func vector8LaneSum(_ v: Vector8) -> Double { laneSum(v) }

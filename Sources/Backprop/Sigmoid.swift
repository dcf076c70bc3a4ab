/// Eight doubles: one vector register of AVX-512, two of AVX2. The padded weight blocks.
public typealias Vector8 = SIMD8<Double>


/// a·b + c, fused into one rounding where the build targets a CPU with FMA.
///
/// A baseline x86-64 build has no FMA instruction, and there `addingProduct` becomes eight
/// calls to libm's `fma` (about 80× slower), so a portable build multiplies and adds instead.
/// Package.swift defines `BACKPROP_NATIVE` when it compiles for the build machine's CPU.
@inline(__always) @usableFromInline
func multiplyAdd(_ a: Vector8, _ b: Vector8, _ c: Vector8) -> Vector8 {
    #if BACKPROP_NATIVE || arch(arm64)
        return c.addingProduct(a, b)
    #else
        return a * b + c
    #endif
}

/// e^x on eight lanes: range reduction x = k·ln2 + r with |r| ≤ ln2/2, a degree-13
/// polynomial for e^r, and 2^k added to the exponent bits.
///
/// Inputs are clamped to [-708, 708], so every finite input gives a finite, positive result
/// (e^±708 for anything beyond); inside that range the error against Foundation's `exp` is
/// at most 1 ulp (measured on a dense sweep in the tests).
public func exp(_ x: Vector8) -> Vector8 {
    vectorExp(x)
}

/// The logistic sigmoid 1 / (1 + e^-z) on eight lanes, built on the vector `exp`.
///
/// Finite for every finite input: below z = -708 it returns about 3e-308 instead of 0,
/// above z = 708 exactly 1.
public func sigmoid(_ z: Vector8) -> Vector8 {
    vectorSigmoid(z)
}

@inline(__always) @usableFromInline
func vectorSigmoid(_ z: Vector8) -> Vector8 {
    1.0 / (1.0 + vectorExp(-z))
}

@inline(__always) @usableFromInline
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

    // e^r by its Taylor series to r^13: the truncation error is below 2e-17 for |r| ≤ ln2/2.
    var p = V(repeating: 1.0 / 6_227_020_800)
    p = multiplyAdd(p, r, V(repeating: 1.0 / 479_001_600))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 39_916_800))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 3_628_800))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 362_880))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 40_320))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 5_040))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 720))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 120))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 24))
    p = multiplyAdd(p, r, V(repeating: 1.0 / 6))
    p = multiplyAdd(p, r, V(repeating: 0.5))
    p = multiplyAdd(p, r, V(repeating: 1))
    p = multiplyAdd(p, r, V(repeating: 1))

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
@inline(__always) @usableFromInline
func clampMagnitude(_ x: Vector8, to limit: Double) -> Vector8 {
    typealias V = Vector8
    let bits = unsafeBitCast(x, to: V.MaskStorage.self)
    let sign = bits & Int64.min
    let limitBits = V.MaskStorage(repeating: Int64(bitPattern: limit.bitPattern))
    let difference = (bits & Int64.max) &- limitBits
    let clamped = limitBits &+ (difference & (difference &>> 63))
    return unsafeBitCast(clamped | sign, to: V.self)
}

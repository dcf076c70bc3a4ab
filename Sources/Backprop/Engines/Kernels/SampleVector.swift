/// Sixteen doubles: two independent 8-lane computations, for instruction-level parallelism.
@usableFromInline typealias Vector16 = SIMD16<Double>

/// The vector operations of the lanes kernel, for 8 or 16 samples at a time.
@usableFromInline
protocol SampleVector: SIMD where Scalar == Double, MaskStorage.Scalar == Int64 {
    static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self
    static func sigmoid(_ z: Self) -> Self
    static func exp(_ x: Self) -> Self
    /// The sum of the lanes, in a fixed order.
    static func laneSum(_ v: Self) -> Double
    /// Σ log(lane) as the log of the lanes' product (one libm log); the product must be finite.
    static func logOfProducts(_ v: Self) -> Double
    /// sum += a·b, folded into 8 lanes.
    static func accumulate(_ a: Self, _ b: Self, into sum: inout Vector8)
    /// sum += a, folded into 8 lanes.
    static func accumulate(_ a: Self, into sum: inout Vector8)
}

extension Vector8: SampleVector {
    @inline(__always) @usableFromInline
    static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self { Backprop.multiplyAdd(a, b, c) }
    @inline(__always) @usableFromInline
    static func sigmoid(_ z: Self) -> Self { vectorSigmoid(z) }
    @inline(__always) @usableFromInline
    static func exp(_ x: Self) -> Self { vectorExp(x) }
    @inline(__always) @usableFromInline
    static func laneSum(_ v: Self) -> Double { Backprop.laneSum(v) }
    @inline(__always) @usableFromInline
    static func accumulate(_ a: Self, _ b: Self, into sum: inout Vector8) { sum = Backprop.multiplyAdd(a, b, sum) }
    @inline(__always) @usableFromInline
    static func accumulate(_ a: Self, into sum: inout Vector8) { sum += a }
    @inline(never) @usableFromInline
    static func logOfProducts(_ v: Self) -> Double {
        let four = v.lowHalf * v.highHalf
        let two = four.lowHalf * four.highHalf
        return _log(two[0] * two[1])
    }
}

extension Vector16: SampleVector {
    @inline(__always) @usableFromInline
    static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self {
        Self(
            lowHalf: Backprop.multiplyAdd(a.lowHalf, b.lowHalf, c.lowHalf),
            highHalf: Backprop.multiplyAdd(a.highHalf, b.highHalf, c.highHalf))
    }
    @inline(__always) @usableFromInline
    static func sigmoid(_ z: Self) -> Self { Self(lowHalf: vectorSigmoid(z.lowHalf), highHalf: vectorSigmoid(z.highHalf)) }
    @inline(__always) @usableFromInline
    static func exp(_ x: Self) -> Self { Self(lowHalf: vectorExp(x.lowHalf), highHalf: vectorExp(x.highHalf)) }
    @inline(__always) @usableFromInline
    static func laneSum(_ v: Self) -> Double { Backprop.laneSum(v.lowHalf + v.highHalf) }
    @inline(never) @usableFromInline
    static func logOfProducts(_ v: Self) -> Double { Vector8.logOfProducts(v.lowHalf * v.highHalf) }
    @inline(__always) @usableFromInline
    static func accumulate(_ a: Self, _ b: Self, into sum: inout Vector8) {
        sum = Backprop.multiplyAdd(a.highHalf, b.highHalf, Backprop.multiplyAdd(a.lowHalf, b.lowHalf, sum))
    }
    @inline(__always) @usableFromInline
    static func accumulate(_ a: Self, into sum: inout Vector8) { sum += a.lowHalf + a.highHalf }
}

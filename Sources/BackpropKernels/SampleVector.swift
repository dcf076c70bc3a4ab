import BackpropKernelStorage

/// Sixteen doubles: two independent 8-lane computations, for instruction-level parallelism.
typealias Vector16 = SIMD16<Double>

/// The vector operations of the lanes kernel, for 8 or 16 samples at a time.
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
    @inline(__always)
    static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self { vector8MultiplyAdd(a, b, c) }
    @inline(__always)
    static func sigmoid(_ z: Self) -> Self { vectorSigmoid(z) }
    @inline(__always)
    static func exp(_ x: Self) -> Self { vectorExp(x) }
    @inline(__always)
    static func laneSum(_ v: Self) -> Double { vector8LaneSum(v) }
    @inline(__always)
    static func accumulate(_ a: Self, _ b: Self, into sum: inout Vector8) { sum = vector8MultiplyAdd(a, b, sum) }
    @inline(__always)
    static func accumulate(_ a: Self, into sum: inout Vector8) { sum += a }
    @inline(never)
    static func logOfProducts(_ v: Self) -> Double {
        let four = v.lowHalf * v.highHalf
        let two = four.lowHalf * four.highHalf
        return _log(two[0] * two[1])
    }
}

extension Vector16: SampleVector {
    @inline(__always)
    static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self {
        Self(
            lowHalf: vector8MultiplyAdd(a.lowHalf, b.lowHalf, c.lowHalf),
            highHalf: vector8MultiplyAdd(a.highHalf, b.highHalf, c.highHalf))
    }
    @inline(__always)
    static func sigmoid(_ z: Self) -> Self { Self(lowHalf: vectorSigmoid(z.lowHalf), highHalf: vectorSigmoid(z.highHalf)) }
    @inline(__always)
    static func exp(_ x: Self) -> Self { Self(lowHalf: vectorExp(x.lowHalf), highHalf: vectorExp(x.highHalf)) }
    @inline(__always)
    static func laneSum(_ v: Self) -> Double { vector8LaneSum(v.lowHalf + v.highHalf) }
    @inline(never)
    static func logOfProducts(_ v: Self) -> Double { Vector8.logOfProducts(v.lowHalf * v.highHalf) }
    @inline(__always)
    static func accumulate(_ a: Self, _ b: Self, into sum: inout Vector8) {
        sum = vector8MultiplyAdd(a.highHalf, b.highHalf, vector8MultiplyAdd(a.lowHalf, b.lowHalf, sum))
    }
    @inline(__always)
    static func accumulate(_ a: Self, into sum: inout Vector8) { sum += a.lowHalf + a.highHalf }
}

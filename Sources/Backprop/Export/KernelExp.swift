/// The vector kernels' exponential, one number at a time: the same operations in the same
/// order, with the same constants, as the exported C and Swift sources write it out, so that
/// they compute `Model.probabilities`' bits on a CPU with FMA. A test holds it to the
/// kernels' bits.
enum KernelExp {
    /// round(x / ln 2) by adding 1.5·2^52, whose sum's low mantissa bits then hold it.
    static let shift = 0x1.8p52
    static let log2e = 1.4426950408889634
    /// ln 2 in two parts (fdlibm's), for r = x − k·ln 2 exact to about 2^-70.
    static let ln2High = -6.93147180369123816490e-01
    static let ln2Low = -1.90821492927058770002e-10
    /// q_i = a_i·r + b_i, the pairs of the degree-9 polynomial's Estrin scheme.
    static let pairs: [(a: Double, b: Double)] = [
        (0.16666666666666669, 0.5000000000000001), (0.008333333333330062, 0.04166666666662413),
        (0.00019841269863053618, 0.0013888888917213717), (2.7557268459997064e-06, 2.4801521295954376e-05),
        (2.510038549551032e-08, 2.7620088445409746e-07),
    ]

    /// e^x for |x| ≤ 708 (beyond, e^±708), as `vectorExp` computes each lane.
    static func exp(_ input: Double) -> Double {
        let x = min(max(input, -708), 708)
        let shifted = shift.addingProduct(x, log2e)
        let k = shifted - shift
        let r = x.addingProduct(k, ln2High).addingProduct(k, ln2Low)
        let (r2, q) = (r * r, pairs.map { $0.b.addingProduct($0.a, r) })
        let r4 = r2 * r2
        let s0 = q[0].addingProduct(q[1], r2)
        let s1 = q[2].addingProduct(q[3], r2)
        let polynomial = s0.addingProduct(s1, r4).addingProduct(q[4], r4 * r4)
        let p = 1 + r.addingProduct(r2, polynomial)
        return Double(bitPattern: p.bitPattern &+ (shifted.bitPattern &<< 52))
    }
}

extension KernelExp {
    /// `exp` as a C99 function `name` (a union for the bit operations, `fma` from <math.h>).
    static func cFunction(_ name: String) -> String {
        let q = pairs.enumerated().map { "    q\($0.offset) = fma(\($0.element.a), r, \($0.element.b));" }.joined(separator: "\n")
        return """
            /* e^x as the backprop kernels compute it: the same operations in the same order. */
            static inline double \(name)(double x) {
                union { double d; unsigned long long u; } shifted, p;
                double k, r, r2, r4, q0, q1, q2, q3, q4;
                if (x > 708.0) x = 708.0;
                if (x < -708.0) x = -708.0;
                shifted.d = fma(x, \(log2e), \(shift));
                k = shifted.d - \(shift);
                r = fma(k, \(ln2Low), fma(k, \(ln2High), x));
                r2 = r * r;
                r4 = r2 * r2;
            \(q)
                p.d = 1.0 + fma(r2, fma(q4, r4 * r4, fma(fma(q3, r2, q2), r4, fma(q1, r2, q0))), r);
                p.u += shifted.u << 52;
                return p.d;
            }
            """
    }

    /// `exp` as a private Swift method `name`.
    static func swiftFunction(_ name: String) -> String {
        let q = pairs.map { "(\($0.b)).addingProduct(\($0.a), r)" }
        return """
                /// e^x as the backprop kernels compute it: the same operations in the same order.
                private func \(name)(_ input: Double) -> Double {
                    let x = min(max(input, -708), 708)
                    let shifted = (\(shift)).addingProduct(x, \(log2e))
                    let k = shifted - \(shift)
                    let r = x.addingProduct(k, \(ln2High)).addingProduct(k, \(ln2Low))
                    let r2 = r * r
                    let r4 = r2 * r2
                    let q: [Double] = [\(q.joined(separator: ", "))]
                    let polynomial = q[0].addingProduct(q[1], r2).addingProduct(q[2].addingProduct(q[3], r2), r4).addingProduct(q[4], r4 * r4)
                    let p = 1 + r.addingProduct(r2, polynomial)
                    return Double(bitPattern: p.bitPattern &+ (shifted.bitPattern &<< 52))
                }
            """
    }
}

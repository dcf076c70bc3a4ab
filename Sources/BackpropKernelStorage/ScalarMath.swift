// The C library's scalar math under names that never clash with a caller's own (`exp`),
// for the kernels and the library alike: the one import of the C library in the kernels.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif

@inlinable @inline(__always) public func _exp(_ x: Double) -> Double { exp(x) }
@inlinable @inline(__always) public func _log(_ x: Double) -> Double { log(x) }
@inlinable @inline(__always) public func _log1p(_ x: Double) -> Double { log1p(x) }
@inlinable @inline(__always) public func _cos(_ x: Double) -> Double { cos(x) }
@inlinable @inline(__always) public func _sin(_ x: Double) -> Double { sin(x) }

/// Binary cross-entropy of one sample in the stable form max(z, 0) − z·y + log1p(e^−|z|)
/// (the public `binaryCrossEntropy(logit:label:)` documents it): one definition for the
/// library and the kernels.
@inlinable @inline(__always) public func crossEntropy(logit z: Double, label y: Double) -> Double {
    max(z, 0) - z * y + _log1p(_exp(-abs(z)))
}
@inlinable @inline(__always) public func _pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

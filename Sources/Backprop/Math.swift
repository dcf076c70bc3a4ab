#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#elseif canImport(ucrt)
    import ucrt
#endif

// The C library's scalar functions under names that never clash with a caller's own.
@inline(__always) @usableFromInline func _exp(_ x: Double) -> Double { exp(x) }
@inline(__always) @usableFromInline func _log(_ x: Double) -> Double { log(x) }
@inline(__always) @usableFromInline func _log1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) @usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
@inline(__always) @usableFromInline func _sin(_ x: Double) -> Double { sin(x) }

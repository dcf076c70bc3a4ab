/// A value (a pointer, a closure) handed to the threads of `concurrentPerform`, which use
/// disjoint parts of what it points to: the caller vouches for that, not the compiler.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

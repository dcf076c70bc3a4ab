/// Where each of the 51 numbers sits in model-file order (`Parameters.flattened`): hidden1's
/// weights row by row, its biases, hidden2's weights, its biases, the output weights, the
/// output bias. The one definition of these offsets; the SIMD kernels index their stack
/// copies of the weights and sums with it too.
// Public, not package: the kernels inline these from another module, and the bodies of
// `@inlinable package` functions were not inlined there (287 calls left in the gradient
// kernel, 35 instead of 55 M samples/s).
public enum ParameterLayout {
    /// Number of weights and biases: 10 + 5 + 25 + 5 + 5 + 1.
    package static let count = 51

    /// The weight from input `input` (0 or 1) to first-layer neuron `neuron` (0..<5).
    @inlinable @inline(__always) public static func hidden1Weight(_ neuron: Int, _ input: Int) -> Int { 2 * neuron + input }
    @inlinable @inline(__always) public static func hidden1Bias(_ neuron: Int) -> Int { 10 + neuron }
    /// The weight from first-layer neuron `input` to second-layer neuron `neuron` (both 0..<5).
    @inlinable @inline(__always) public static func hidden2Weight(_ neuron: Int, _ input: Int) -> Int { 15 + 5 * neuron + input }
    @inlinable @inline(__always) public static func hidden2Bias(_ neuron: Int) -> Int { 40 + neuron }
    /// The weight from second-layer neuron `input` to the output.
    @inlinable @inline(__always) public static func outputWeight(_ input: Int) -> Int { 45 + input }
    @inlinable @inline(__always) public static var outputBias: Int { 50 }

    /// The groups of numbers, by name, in order.
    package static let groups: [(name: String, range: Range<Int>)] = [
        ("hidden1.weights", hidden1Weight(0, 0)..<hidden1Bias(0)),
        ("hidden1.bias", hidden1Bias(0)..<hidden2Weight(0, 0)),
        ("hidden2.weights", hidden2Weight(0, 0)..<hidden2Bias(0)),
        ("hidden2.bias", hidden2Bias(0)..<outputWeight(0)),
        ("output.weights", outputWeight(0)..<outputBias),
        ("output.bias", outputBias..<count),
    ]

    /// True for the offsets of biases.
    package static func isBias(_ offset: Int) -> Bool { groups.contains { $0.name.hasSuffix(".bias") && $0.range.contains(offset) } }
}

/// The 2-5-5-1 network's numbers in `SIMD8<Double>` blocks padded from 5 to 8 lanes.
///
/// Lane i of a block belongs to neuron i; lanes 5, 6 and 7 are padding and are exactly 0.0.
/// The same shape holds weights and gradient sums.
@usableFromInline
struct PaddedBlocks: Sendable {
    /// Lane i: the weight from input x0 to first-layer neuron i.
    var hidden1Input0 = Vector8()
    /// Lane i: the weight from input x1 to first-layer neuron i.
    var hidden1Input1 = Vector8()
    var hidden1Bias = Vector8()
    /// Block j, lane i: the weight from first-layer neuron j to second-layer neuron i (a column of W2).
    var hidden2Columns = InlineArray<5, Vector8>(repeating: Vector8())
    var hidden2Bias = Vector8()
    /// Lane j: the weight from second-layer neuron j to the output.
    var outputWeights = Vector8()
    var outputBias = 0.0

    /// Lanes 0...4 set, 5...7 clear.
    static let neuronMask = Vector8(1, 1, 1, 1, 1, 0, 0, 0)

    init() {}

    init(_ parameters: Parameters) {
        for i in 0..<5 {
            hidden1Input0[i] = parameters.hidden1.weights[i][0]
            hidden1Input1[i] = parameters.hidden1.weights[i][1]
            hidden1Bias[i] = parameters.hidden1.bias[i]
            for j in 0..<5 { hidden2Columns[j][i] = parameters.hidden2.weights[i][j] }
            hidden2Bias[i] = parameters.hidden2.bias[i]
            outputWeights[i] = parameters.output.weights[0][i]
        }
        outputBias = parameters.output.bias[0]
    }

    /// The blocks in the seed's layout, every value multiplied by `scale`.
    func parameters(scaledBy scale: Double = 1) -> Parameters {
        var result = Parameters.zero
        for i in 0..<5 {
            result.hidden1.weights[i] = [hidden1Input0[i] * scale, hidden1Input1[i] * scale]
            result.hidden1.bias[i] = hidden1Bias[i] * scale
            for j in 0..<5 { result.hidden2.weights[i][j] = hidden2Columns[j][i] * scale }
            result.hidden2.bias[i] = hidden2Bias[i] * scale
            result.output.weights[0][i] = outputWeights[i] * scale
        }
        result.output.bias[0] = outputBias * scale
        return result
    }

    /// Writes the 51 numbers to `flat` in `ParameterLayout` order.
    @inline(__always)
    func storeFlat(_ flat: UnsafeMutablePointer<Double>) {
        typealias L = ParameterLayout
        forEachNeuron { i in
            flat[L.hidden1Weight(i, 0)] = hidden1Input0[i]
            flat[L.hidden1Weight(i, 1)] = hidden1Input1[i]
            flat[L.hidden1Bias(i)] = hidden1Bias[i]
            forEachNeuron { j in flat[L.hidden2Weight(i, j)] = hidden2Columns[j][i] }
            flat[L.hidden2Bias(i)] = hidden2Bias[i]
            flat[L.outputWeight(i)] = outputWeights[i]
        }
        flat[L.outputBias] = outputBias
    }

    /// True when every padding lane is exactly 0.0.
    var paddingIsZero: Bool {
        var blocks = [hidden1Input0, hidden1Input1, hidden1Bias, hidden2Bias, outputWeights]
        for j in 0..<5 { blocks.append(hidden2Columns[j]) }
        return blocks.allSatisfy { $0[5] == 0 && $0[6] == 0 && $0[7] == 0 }
    }

    /// self += other, lane by lane.
    @inline(__always)
    mutating func add(_ other: PaddedBlocks) {
        hidden1Input0 += other.hidden1Input0
        hidden1Input1 += other.hidden1Input1
        hidden1Bias += other.hidden1Bias
        for j in 0..<5 { hidden2Columns[j] += other.hidden2Columns[j] }
        hidden2Bias += other.hidden2Bias
        outputWeights += other.outputWeights
        outputBias += other.outputBias
    }

    /// self -= scale · gradient, with the gradient's padding lanes masked off first, so
    /// that padding stays exactly 0.0 whatever the kernels put there.
    @inline(__always)
    mutating func descend(along gradient: PaddedBlocks, scale: Double) {
        let step = Vector8(repeating: scale) * Self.neuronMask
        hidden1Input0 -= step * gradient.hidden1Input0
        hidden1Input1 -= step * gradient.hidden1Input1
        hidden1Bias -= step * gradient.hidden1Bias
        for j in 0..<5 { hidden2Columns[j] -= step * gradient.hidden2Columns[j] }
        hidden2Bias -= step * gradient.hidden2Bias
        outputWeights -= step * gradient.outputWeights
        outputBias -= scale * gradient.outputBias
    }
}

/// Sum of the eight lanes as a fixed tree (halves, quarters, pairs): the same order on every run.
@inline(__always) @usableFromInline
func laneSum(_ v: Vector8) -> Double {
    let four = v.lowHalf + v.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

import BackpropKernelStorage

/// The arithmetic on the kernels' storage that runs once per mini-batch or shard: the SGD
/// update and the addition of shard sums.
extension SIMDWeights {
    /// One SGD update from the sums of a mini-batch of `count` samples (their mean gradient).
    @inline(__always)
    mutating func descend(along sums: BatchSums, count: Int, learningRate: Double) {
        blocks.descend(along: sums.gradient, scale: learningRate / Double(count))
        refreshRows()
    }
}

extension BatchSums {
    /// Sums from the lanes kernel's partial sums, one 8-lane vector per parameter in
    /// `ParameterLayout` order, each summed across its lanes.
    @inline(__always)
    init(flat partialSums: UnsafeMutablePointer<Vector8>, loss: Double) {
        typealias L = ParameterLayout
        self.init()
        self.loss = loss
        forEachNeuron { i in
            gradient.hidden1Input0[i] = laneSum(partialSums[L.hidden1Weight(i, 0)])
            gradient.hidden1Input1[i] = laneSum(partialSums[L.hidden1Weight(i, 1)])
            gradient.hidden1Bias[i] = laneSum(partialSums[L.hidden1Bias(i)])
            forEachNeuron { j in gradient.hidden2Columns[j][i] = laneSum(partialSums[L.hidden2Weight(i, j)]) }
            gradient.hidden2Bias[i] = laneSum(partialSums[L.hidden2Bias(i)])
            gradient.outputWeights[i] = laneSum(partialSums[L.outputWeight(i)])
        }
        gradient.outputBias = laneSum(partialSums[L.outputBias])
    }

    mutating func add(_ other: BatchSums) {
        gradient.add(other.gradient)
        loss += other.loss
    }
}

extension PaddedBlocks {
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
@inline(__always)
func laneSum(_ v: Vector8) -> Double {
    let four = v.lowHalf + v.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

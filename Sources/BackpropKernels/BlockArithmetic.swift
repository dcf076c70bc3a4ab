import BackpropKernelStorage

/// The arithmetic on the kernels' storage that runs once per mini-batch or shard: the SGD
/// update and the addition of shard sums.
extension SIMDWeights {
    /// One optimizer step from the sums of a mini-batch of `count` samples (their mean gradient).
    @inline(__always)
    mutating func descend(along sums: BatchSums, count: Int, settings: UpdateSettings, state: inout OptimizerBlocks) {
        if settings.isPlainSGD {
            blocks.descend(along: sums.gradient, scale: settings.learningRate / Double(count))
        } else {
            state.steps += 1
            blocks.update(along: sums.gradient, scale: 1 / Double(count), settings.kind, settings.coefficients(step: state.steps), &state)
        }
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

extension PaddedBlocks {
    /// `applyUpdate` on every block, from the gradient sums times `scale` (1/m: the mean
    /// gradient) with their padding lanes masked off, so that padding stays exactly 0.0
    /// in the weights and in the state. Once per mini-batch: not a hot loop.
    @inline(never)
    mutating func update(
        along gradient: PaddedBlocks, scale: Double, _ kind: UpdateSettings.Kind, _ coefficients: UpdateCoefficients<Vector8>,
        _ state: inout OptimizerBlocks
    ) {
        let masked = Vector8(repeating: scale) * Self.neuronMask
        func apply(_ p: inout Vector8, _ g: Vector8, _ first: inout Vector8, _ second: inout Vector8) {
            applyUpdate(&p, gradient: masked * g, first: &first, second: &second, kind, coefficients)
        }
        apply(&hidden1Input0, gradient.hidden1Input0, &state.first.hidden1Input0, &state.second.hidden1Input0)
        apply(&hidden1Input1, gradient.hidden1Input1, &state.first.hidden1Input1, &state.second.hidden1Input1)
        apply(&hidden1Bias, gradient.hidden1Bias, &state.first.hidden1Bias, &state.second.hidden1Bias)
        for j in 0..<5 {
            apply(&hidden2Columns[j], gradient.hidden2Columns[j], &state.first.hidden2Columns[j], &state.second.hidden2Columns[j])
        }
        apply(&hidden2Bias, gradient.hidden2Bias, &state.first.hidden2Bias, &state.second.hidden2Bias)
        apply(&outputWeights, gradient.outputWeights, &state.first.outputWeights, &state.second.outputWeights)
        // Lane 0 of a vector: the same numbers as a scalar's arithmetic.
        var (p, first, second) = (Vector8(), Vector8(), Vector8())
        (p[0], first[0], second[0]) = (outputBias, state.first.outputBias, state.second.outputBias)
        var g = Vector8()
        g[0] = scale * gradient.outputBias
        applyUpdate(&p, gradient: g, first: &first, second: &second, kind, coefficients)
        (outputBias, state.first.outputBias, state.second.outputBias) = (p[0], first[0], second[0])
    }
}

/// Sum of the eight lanes as a fixed tree (halves, quarters, pairs): the same order on every run.
@inline(__always)
func laneSum(_ v: Vector8) -> Double {
    let four = v.lowHalf + v.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

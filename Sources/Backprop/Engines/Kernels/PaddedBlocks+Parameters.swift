import BackpropKernelStorage

/// Between the kernels' padded blocks and the seed's weight matrices.
extension PaddedBlocks {
    init(_ parameters: Parameters) {
        self.init()
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
}

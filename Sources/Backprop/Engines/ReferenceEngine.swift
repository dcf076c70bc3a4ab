/// Straightforward scalar code on the seed's weight matrices: the specification.
///
/// Written to be read, not to be fast. Every other engine is tested against it.
///
/// For one sample x with label y (σ is the sigmoid, m the mini-batch size):
///
///     a1 = σ(W1·x + b1)        hidden layer 1, 5 neurons
///     a2 = σ(W2·a1 + b2)       hidden layer 2, 5 neurons
///     z3 = W3·a2 + b3          output logit;  prediction σ(z3)
///     loss = c·(max(z3, 0) − z3·y + log1p(e^−|z3|))   binary cross-entropy, averaged over m
///
/// where c = 1 + (w − 1)·y weights a positive sample's term by the positive weight w (1 by
/// default), and backward, for the mean loss over the mini-batch:
///
///     δ3 = c·(σ(z3) − y) / m                ∂loss/∂z3, never a division by the prediction
///     δ2 = (W3ᵀ·δ3) ⊙ a2 ⊙ (1 − a2)         σ'(z) = σ(z)(1 − σ(z))
///     δ1 = (W2ᵀ·δ2) ⊙ a1 ⊙ (1 − a1)
///     ∂W3 += δ3·a2ᵀ, ∂b3 += δ3,  ∂W2 += δ2·a1ᵀ, ∂b2 += δ2,  ∂W1 += δ1·xᵀ, ∂b1 += δ1
///
/// summed over every sample of the mini-batch (the bias gradients too). The optimizer's step
/// is `UpdateRule.apply(to:gradients:state:)`, the protocol's default.
public struct ReferenceEngine: TrainingEngine {
    public static let name = "reference"

    public var parameters: Parameters

    public init(parameters: Parameters, options: EngineOptions) {
        self.parameters = parameters
    }

    public func lossAndGradients(_ batch: MiniBatch, positiveWeight: Double) -> (loss: Double, gradients: Parameters) {
        precondition(batch.count > 0, "a mini-batch needs at least one sample")
        let m = Double(batch.count)
        let w2 = parameters.hidden2.weights
        let w3 = parameters.output.weights[0]
        var gradients = Parameters.zero
        var lossSum = 0.0
        for sample in 0..<batch.count {
            let x = [batch.x0[sample], batch.x1[sample]]
            let y = batch.label[sample]
            let (a1, a2, z3) = forward(x)
            let weight = 1 + (positiveWeight - 1) * y
            lossSum += weight * binaryCrossEntropy(logit: z3, label: y)

            let outputDelta = (sigmoid(z3) - y) * weight / m
            var delta2 = [Double](repeating: 0, count: 5)
            for j in 0..<5 {
                gradients.output.weights[0][j] += outputDelta * a2[j]
                delta2[j] = w3[j] * outputDelta * a2[j] * (1 - a2[j])
            }
            gradients.output.bias[0] += outputDelta

            var delta1 = [Double](repeating: 0, count: 5)
            for i in 0..<5 {
                for j in 0..<5 {
                    gradients.hidden2.weights[i][j] += delta2[i] * a1[j]
                    delta1[j] += w2[i][j] * delta2[i]
                }
                gradients.hidden2.bias[i] += delta2[i]
            }
            for i in 0..<5 {
                delta1[i] *= a1[i] * (1 - a1[i])
                for j in 0..<2 {
                    gradients.hidden1.weights[i][j] += delta1[i] * x[j]
                }
                gradients.hidden1.bias[i] += delta1[i]
            }
        }
        return (lossSum / m, gradients)
    }

    public func logits(_ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(output.count >= inputs.count, "output buffer too small")
        for sample in 0..<inputs.count {
            output[sample] = forward([inputs.x0[sample], inputs.x1[sample]]).z3
        }
    }

    /// The activations of both hidden layers and the output logit for one input.
    func forward(_ x: [Double]) -> (a1: [Double], a2: [Double], z3: Double) {
        func affine(_ layer: Layer, _ input: [Double]) -> [Double] {
            layer.weights.indices.map { neuron in
                zip(layer.weights[neuron], input).reduce(layer.bias[neuron]) { $0 + $1.0 * $1.1 }
            }
        }
        let a1 = affine(parameters.hidden1, x).map(sigmoid)
        let a2 = affine(parameters.hidden2, a1).map(sigmoid)
        let z3 = affine(parameters.output, a2)[0]
        return (a1, a2, z3)
    }
}

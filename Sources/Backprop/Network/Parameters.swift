import BackpropKernelStorage

/// One fully connected layer in the seed's convention: `weights[neuron][input]`, `bias[neuron]`.
public struct Layer: Codable, Equatable, Sendable {
    /// `weights[neuron][input]`: the weight from input `input` to neuron `neuron`.
    public var weights: [[Double]]
    /// `bias[neuron]`.
    public var bias: [Double]

    /// A layer of these numbers; shapes are checked where layers become `Parameters`.
    public init(weights: [[Double]], bias: [Double]) {
        self.weights = weights
        self.bias = bias
    }

    /// A layer of zeros.
    public init(neurons: Int, inputs: Int) {
        weights = Array(repeating: Array(repeating: 0, count: inputs), count: neurons)
        bias = Array(repeating: 0, count: neurons)
    }
}

/// The 51 numbers of the 2-5-5-1 network.
///
/// Gradients have the same shape and use this type too. The flat order, used by
/// `flattened` and `init(flattened:)`, is the model file's: hidden1 weights row by row, its
/// bias, hidden2 weights, its bias, output weights, output bias (`GradientCheck.groups`).
public struct Parameters: Equatable, Sendable {
    /// Inputs, first hidden layer, second hidden layer, output.
    public static let topology = [2, 5, 5, 1]
    /// Number of weights and biases: 10 + 5 + 25 + 5 + 5 + 1.
    public static let count = ParameterLayout.count

    /// Inputs to the first hidden layer: 5 × 2 weights and 5 biases.
    public internal(set) var hidden1: Layer
    /// First to second hidden layer: 5 × 5 weights and 5 biases.
    public internal(set) var hidden2: Layer
    /// Second hidden layer to the output: 1 × 5 weights and 1 bias.
    public internal(set) var output: Layer

    /// Builds parameters from three layers of the 2-5-5-1 shapes.
    ///
    /// - Precondition: the shapes match `topology`; use `validated(layers:)` for untrusted input.
    public init(hidden1: Layer, hidden2: Layer, output: Layer) {
        self.hidden1 = hidden1
        self.hidden2 = hidden2
        self.output = output
        precondition(Self.shapeProblem(in: layers) == nil, "layer shapes do not match 2-5-5-1")
    }

    /// All zeros: the starting point for accumulating gradients.
    public static let zero = Parameters(
        hidden1: Layer(neurons: 5, inputs: 2),
        hidden2: Layer(neurons: 5, inputs: 5),
        output: Layer(neurons: 1, inputs: 5))

    /// The three layers, input side first.
    public var layers: [Layer] { [hidden1, hidden2, output] }

    /// Glorot-uniform weights, U(-√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out))), and zero biases.
    ///
    /// Zero-centred and scaled to the fan-in, so no sigmoid starts saturated: the seed's
    /// all-positive `np.random.rand` start is what kept it from learning.
    public static func glorotUniform(using generator: inout SplitMix64) -> Parameters {
        var result = Parameters.zero
        func fill(_ layer: inout Layer) {
            let neurons = layer.weights.count
            let inputs = layer.weights[0].count
            let limit = (6.0 / Double(inputs + neurons)).squareRoot()
            for neuron in 0..<neurons {
                for input in 0..<inputs {
                    layer.weights[neuron][input] = generator.nextUniform(-limit, limit)
                }
            }
        }
        fill(&result.hidden1)
        fill(&result.hidden2)
        fill(&result.output)
        return result
    }

    /// Glorot-uniform parameters from a seed.
    public static func glorotUniform(seed: UInt64) -> Parameters {
        var generator = SplitMix64(seed: seed)
        return glorotUniform(using: &generator)
    }

    /// The 51 numbers in model-file order.
    public var flattened: [Double] {
        var values: [Double] = []
        values.reserveCapacity(Self.count)
        for layer in layers {
            for row in layer.weights { values += row }
            values += layer.bias
        }
        return values
    }

    /// True when no weight or bias is NaN or infinite.
    public var isFinite: Bool { flattened.allSatisfy(\.isFinite) }

    /// Rebuilds parameters from 51 numbers in model-file order.
    public init(flattened values: [Double]) {
        precondition(values.count == Self.count, "expected \(Self.count) values, got \(values.count)")
        var layers = Parameters.zero.layers
        var index = 0
        for l in layers.indices {
            for neuron in layers[l].weights.indices {
                for input in layers[l].weights[neuron].indices {
                    layers[l].weights[neuron][input] = values[index]
                    index += 1
                }
            }
            for neuron in layers[l].bias.indices {
                layers[l].bias[neuron] = values[index]
                index += 1
            }
        }
        self.init(hidden1: layers[0], hidden2: layers[1], output: layers[2])
    }

    /// Checks untrusted layers (from a file) and builds parameters from them.
    ///
    /// - Throws: a message naming the first layer, row or number that is wrong.
    public static func validated(layers: [Layer]) throws(ShapeError) -> Parameters {
        if let problem = shapeProblem(in: layers) { throw ShapeError(message: problem) }
        for (l, layer) in layers.enumerated() {
            for (neuron, row) in layer.weights.enumerated() {
                if let input = row.firstIndex(where: { !$0.isFinite }) {
                    throw ShapeError(message: "layers[\(l)].weights[\(neuron)][\(input)] is not a finite number")
                }
            }
            if let neuron = layer.bias.firstIndex(where: { !$0.isFinite }) {
                throw ShapeError(message: "layers[\(l)].bias[\(neuron)] is not a finite number")
            }
        }
        return Parameters(hidden1: layers[0], hidden2: layers[1], output: layers[2])
    }

    static func shapeProblem(in layers: [Layer]) -> String? {
        guard layers.count == 3 else {
            return "expected 3 layers for topology [2, 5, 5, 1], found \(layers.count)"
        }
        for (l, layer) in layers.enumerated() {
            let neurons = topology[l + 1]
            let inputs = topology[l]
            guard layer.weights.count == neurons else {
                return "layers[\(l)].weights has \(layer.weights.count) rows, expected \(neurons)"
            }
            for (neuron, row) in layer.weights.enumerated() where row.count != inputs {
                return "layers[\(l)].weights[\(neuron)] has \(row.count) numbers, expected \(inputs)"
            }
            guard layer.bias.count == neurons else {
                return "layers[\(l)].bias has \(layer.bias.count) numbers, expected \(neurons)"
            }
        }
        return nil
    }
}

/// A set of layers whose shapes or numbers do not fit the 2-5-5-1 network.
public struct ShapeError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, naming the layer, row or number.
    public var message: String
    public var description: String { message }
}

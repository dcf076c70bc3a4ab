/// The model as an ONNX graph (opset 13), from raw inputs to the probability of label 1.
///
/// Input `x` of shape [N, 2]; the standardisation as `Sub` and `Div` (when the model has
/// one); then `Gemm` (transB = 1, weights [out, in] as the model file keeps them) and
/// `Sigmoid`, three times. Output `probability` of shape [N, 1]. The numbers are float64,
/// or float32 (each weight rounded to nearest) with `float32`.
extension Model {
    /// The model as an ONNX file's bytes; `producerVersion` is recorded with the producer
    /// name `backprop`.
    public func onnx(float32: Bool = false, producerVersion: String = backpropVersion) -> [UInt8] {
        let graph = ONNXGraph(float32: float32)
        var nodes: [ProtobufMessage] = []
        var initializers: [ProtobufMessage] = []
        var current = "x"
        if let standardization {
            initializers += [graph.tensor("mean", dims: [2], standardization.mean), graph.tensor("std", dims: [2], standardization.std)]
            nodes += [
                graph.node("Sub", inputs: [current, "mean"], output: "centred"),
                graph.node("Div", inputs: ["centred", "std"], output: "standardized"),
            ]
            current = "standardized"
        }
        for (index, layer) in parameters.layers.enumerated() {
            let number = index + 1
            let (weights, bias) = ("W\(number)", "b\(number)")
            initializers += [
                graph.tensor(weights, dims: [layer.bias.count, layer.weights[0].count], layer.weights.flatMap { $0 }),
                graph.tensor(bias, dims: [layer.bias.count], layer.bias),
            ]
            let last = number == parameters.layers.count
            nodes += [
                graph.node("Gemm", inputs: [current, weights, bias], output: "z\(number)", transB: true),
                graph.node("Sigmoid", inputs: ["z\(number)"], output: last ? "probability" : "a\(number)"),
            ]
            current = "a\(number)"
        }
        var body = ProtobufMessage()
        for node in nodes { body.message(1, node) }  // GraphProto.node
        body.string(2, "backprop_2_5_5_1")  // name
        for initializer in initializers { body.message(5, initializer) }
        body.message(11, graph.valueInfo("x", columns: 2))  // input
        body.message(12, graph.valueInfo("probability", columns: 1))  // output

        var model = ProtobufMessage()
        model.integer(1, 7)  // ir_version: IR 7 goes with opset 13
        model.string(2, "backprop")  // producer_name
        model.string(3, producerVersion)
        model.message(7, body)  // graph
        var opset = ProtobufMessage()
        opset.string(1, "")  // the default domain
        opset.integer(2, 13)
        model.message(8, opset)  // opset_import
        for (key, value) in onnxMetadata {
            var entry = ProtobufMessage()
            entry.string(1, key)
            entry.string(2, value)
            model.message(14, entry)  // metadata_props
        }
        return model.bytes
    }

    /// What the model file keeps beside the weights, as ONNX metadata.
    var onnxMetadata: [(String, String)] {
        var entries = [("format", "backprop-model"), ("version", "1"), ("topology", "2-5-5-1")]
        if let standardization {
            entries.append(("standardization.mean", "\(standardization.mean)"))
            entries.append(("standardization.std", "\(standardization.std)"))
        }
        return entries
    }
}

/// The ONNX messages of one graph, in float64 or float32.
private struct ONNXGraph {
    let float32: Bool

    /// TensorProto.DataType: FLOAT is 1, DOUBLE 11.
    var elementType: Int { float32 ? 1 : 11 }

    /// An initializer: TensorProto with dims (1), data_type (2), name (8) and packed
    /// float_data (4) or double_data (10).
    func tensor(_ name: String, dims: [Int], _ values: [Double]) -> ProtobufMessage {
        var tensor = ProtobufMessage()
        tensor.packedIntegers(1, dims)
        tensor.integer(2, elementType)
        tensor.string(8, name)
        if float32 { tensor.packedFloats(4, values.map { Float($0) }) } else { tensor.packedDoubles(10, values) }
        return tensor
    }

    /// NodeProto: inputs (1), output (2), name (3), op_type (4), and Gemm's transB (5).
    func node(_ operation: String, inputs: [String], output: String, transB: Bool = false) -> ProtobufMessage {
        var node = ProtobufMessage()
        for input in inputs { node.string(1, input) }
        node.string(2, output)
        node.string(3, "\(operation.lowercased())_\(output)")
        node.string(4, operation)
        if transB {
            var attribute = ProtobufMessage()
            attribute.string(1, "transB")
            attribute.integer(3, 1)  // i
            attribute.integer(20, 2)  // type: INT
            node.message(5, attribute)
        }
        return node
    }

    /// ValueInfoProto of a tensor [N, columns]: name (1), type (2) holding tensor_type (1)
    /// with elem_type (1) and shape (2), whose dims (1) are "N" (dim_param, 2) and `columns`
    /// (dim_value, 1).
    func valueInfo(_ name: String, columns: Int) -> ProtobufMessage {
        var rows = ProtobufMessage()
        rows.string(2, "N")
        var width = ProtobufMessage()
        width.integer(1, columns)
        var shape = ProtobufMessage()
        shape.message(1, rows)
        shape.message(1, width)
        var tensorType = ProtobufMessage()
        tensorType.integer(1, elementType)
        tensorType.message(2, shape)
        var type = ProtobufMessage()
        type.message(1, tensorType)
        var info = ProtobufMessage()
        info.string(1, name)
        info.message(2, type)
        return info
    }
}

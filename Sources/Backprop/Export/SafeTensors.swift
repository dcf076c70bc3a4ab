import Foundation

/// The model as safetensors, with PyTorch's key names for
/// `nn.Sequential(Linear(2, 5), Sigmoid(), Linear(5, 5), Sigmoid(), Linear(5, 1), Sigmoid())`:
/// `0.weight` [5, 2], `0.bias` [5], `2.weight` [5, 5], `2.bias` [5], `4.weight` [1, 5],
/// `4.bias` [1], weights [out, in] as the model file keeps them. The standardisation goes as
/// `standardization.mean` and `standardization.std` [2], applied as `(x - mean) / std`
/// before the first layer, which the file's `__metadata__` says.
enum SafeTensors {
    /// The tensor names and shapes of the network, in file order.
    static let layers = [("0", 5, 2), ("2", 5, 5), ("4", 1, 5)]
    static let standardizationNote =
        "inputs are standardized as (x - standardization.mean) / standardization.std before layer 0"
}

extension Model {
    /// The model as a safetensors file's bytes, in float64 (`F64`).
    public func safetensors() -> [UInt8] {
        var tensors: [(name: String, shape: [Int], values: [Double])] = []
        for ((name, outputs, inputs), layer) in zip(SafeTensors.layers, parameters.layers) {
            tensors.append(("\(name).weight", [outputs, inputs], layer.weights.flatMap { $0 }))
            tensors.append(("\(name).bias", [outputs], layer.bias))
        }
        var metadata = ["format": "pt", "producer": "backprop \(backpropVersion)"]
        if let standardization {
            tensors.append(("standardization.mean", [2], standardization.mean))
            tensors.append(("standardization.std", [2], standardization.std))
            metadata["standardization"] = SafeTensors.standardizationNote
        }
        var entries: [String] = []
        var offset = 0
        for tensor in tensors {
            let end = offset + 8 * tensor.values.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\"\(tensor.name)\":{\"dtype\":\"F64\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        let meta = metadata.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        var header = Array(("{\"__metadata__\":{\(meta)}," + entries.joined(separator: ",") + "}").utf8)
        // Padded with spaces so that the data starts 8-byte aligned, as the format advises.
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        var bytes = littleEndianBytes(UInt64(header.count)) + header
        for tensor in tensors { for value in tensor.values { bytes += littleEndianBytes(value.bitPattern) } }
        return bytes
    }

    /// Reads a PyTorch state_dict of the 2-5-5-1 `nn.Sequential` saved as safetensors
    /// (`safetensors.torch.save_file`): the key names above, in float32 or float64, with
    /// `standardization.mean` and `.std` or without. `name` is the file name errors report.
    ///
    /// - Throws: `InputError` for a file that is not safetensors, or a tensor missing, of
    ///   another shape or dtype, or not finite, naming the key and what it found.
    public init(safetensors bytes: [UInt8], name: String) throws(InputError) {
        try self.init(stateDict: try SafeTensors.tensors(in: bytes, name: name), name: name)
    }

    /// The model of a state_dict's tensors (values in C order), checked: every key of the
    /// network and no other, each of its shape, every number finite, a positive std.
    init(stateDict tensors: [String: StateTensor], name: String) throws(InputError) {
        func fail(_ message: String) -> InputError { InputError(file: name, line: nil, message: message) }
        for (key, tensor) in tensors.sorted(by: { $0.key < $1.key }) {
            guard let expected = SafeTensors.shapes[key] else {
                throw fail("'\(key)' is not a tensor of the 2-5-5-1 network (expected \(SafeTensors.shapes.keys.sorted().joined(separator: ", ")))")
            }
            guard tensor.shape == expected else {
                throw fail("'\(key)' has shape \(tensor.shape), expected \(expected)")
            }
            if let bad = tensor.values.first(where: { !$0.isFinite }) { throw fail("'\(key)' holds \(bad): every number must be finite") }
        }
        var layers: [Layer] = []
        for (prefix, outputs, inputs) in SafeTensors.layers {
            guard let weights = tensors["\(prefix).weight"]?.values, let bias = tensors["\(prefix).bias"]?.values else {
                throw fail("the tensor '\(tensors["\(prefix).weight"] == nil ? "\(prefix).weight" : "\(prefix).bias")' is missing")
            }
            layers.append(Layer(weights: (0..<outputs).map { Array(weights[($0 * inputs)..<(($0 + 1) * inputs)]) }, bias: bias))
        }
        var standardization: Standardization?
        switch (tensors["standardization.mean"]?.values, tensors["standardization.std"]?.values) {
        case (nil, nil): break
        case (let mean?, let std?):
            if let bad = std.first(where: { !($0 > 0) }) { throw fail("'standardization.std' holds \(bad): must be greater than 0") }
            standardization = Standardization(mean: mean, std: std)
        case (nil, _): throw fail("'standardization.std' is there without 'standardization.mean'")
        case (_, nil): throw fail("'standardization.mean' is there without 'standardization.std'")
        }
        self.init(parameters: Parameters(hidden1: layers[0], hidden2: layers[1], output: layers[2]), standardization: standardization)
    }
}

/// One tensor of a state_dict: its shape, and its values in C order as doubles.
struct StateTensor {
    var shape: [Int]
    var values: [Double]
}

extension SafeTensors {
    /// Every tensor of the network and its shape.
    static let shapes: [String: [Int]] = {
        var shapes = ["standardization.mean": [2], "standardization.std": [2]]
        for (name, outputs, inputs) in layers {
            shapes["\(name).weight"] = [outputs, inputs]
            shapes["\(name).bias"] = [outputs]
        }
        return shapes
    }()

    /// The tensors of a safetensors file, F64 or F32, each checked to lie inside the file.
    static func tensors(in bytes: [UInt8], name: String) throws(InputError) -> [String: StateTensor] {
        func fail(_ message: String) -> InputError { InputError(file: name, line: nil, message: message) }
        guard bytes.count >= 8 else { throw fail("not a safetensors file: \(bytes.count) bytes, shorter than its 8-byte header size") }
        let size = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard size <= UInt64(bytes.count - 8) else {
            throw fail("not a safetensors file: its header size (\(size) bytes) is past the end of the file (\(bytes.count) bytes)")
        }
        let data = bytes[(8 + Int(size))...]
        let header: [String: JSONValue]
        do {
            header = try JSONDecoder().decode([String: JSONValue].self, from: Data(bytes[8..<(8 + Int(size))]))
        } catch {
            throw fail("not a safetensors file: its header is not a JSON object")
        }
        var tensors: [String: StateTensor] = [:]
        for (key, entry) in header.sorted(by: { $0.key < $1.key }) where key != "__metadata__" {
            guard case .object(let fields) = entry, case .string(let dtype)? = fields["dtype"],
                case .array(let shapeValues)? = fields["shape"], case .array(let offsetValues)? = fields["data_offsets"]
            else { throw fail("'\(key)' is not a tensor entry (dtype, shape and data_offsets)") }
            var shape: [Int] = []
            for value in shapeValues {
                guard case .integer(let n) = value, (0...(1 << 20)).contains(n) else {
                    throw fail("'\(key)' has a shape that is not a list of sizes: \(shapeValues)")
                }
                shape.append(n)
            }
            let width: Int
            switch dtype {
            case "F64": width = 8
            case "F32": width = 4
            default: throw fail("'\(key)' has dtype \(dtype): expected F64 or F32")
            }
            // Sizes beyond 2^20 are refused above, so that no product of them overflows.
            let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            guard count <= data.count, offsetValues.count == 2, case .integer(let begin) = offsetValues[0],
                case .integer(let end) = offsetValues[1], begin >= 0, end - begin == count * width, end <= data.count
            else { throw fail("'\(key)': its data_offsets do not hold \(shape) \(dtype) numbers inside the file") }
            let start = data.startIndex + begin
            tensors[key] = StateTensor(shape: shape, values: littleEndianFloats(data[start..<(start + count * width)], width: width))
        }
        return tensors
    }
}

/// Little-endian float64 (`width` 8) or float32 (4) numbers, as doubles.
func littleEndianFloats(_ bytes: ArraySlice<UInt8>, width: Int) -> [Double] {
    stride(from: bytes.startIndex, to: bytes.endIndex, by: width).map { at -> Double in
        let bits = bytes[at..<(at + width)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return width == 8 ? Double(bitPattern: bits) : Double(Float(bitPattern: UInt32(bits)))
    }
}

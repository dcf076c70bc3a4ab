import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

/// Models written for other tools, and read back from PyTorch's safetensors. The consumers
/// themselves (onnxruntime, torch, a C compiler, swiftc) check the files in CI
/// (`Tests/export/check.py`); these tests check the encodings and every refusal.
@Suite struct ExportTests {
    /// Numbers with 17 significant digits, which only a round-trip form keeps.
    static let model: Model = {
        let values: [Double] = (0..<Parameters.count).map { (index: Int) -> Double in Double(index) / 7.0 - 3.0 }
        return Model(parameters: Parameters(flattened: values), standardization: Standardization(mean: [0.25, -1.5], std: [2, 0.125]))
    }()

    @Test(arguments: [true, false])
    func safetensorsReadBackAsTheSameModel(standardized: Bool) throws {
        var model = Self.model
        if !standardized { model.standardization = nil }
        let bytes = model.safetensors()
        #expect(try Model(safetensors: bytes, name: "m.safetensors") == model)
        // The header: its size, then JSON with PyTorch's names and shapes, the data 8-byte aligned.
        let size = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let numbers = Parameters.count + (standardized ? 4 : 0)
        #expect(size % 8 == 0 && bytes.count == 8 + size + 8 * numbers)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + size)])) as? [String: Any])
        #expect((header["0.weight"] as? [String: Any])?["shape"] as? [Int] == [5, 2])
        #expect((header["4.weight"] as? [String: Any])?["shape"] as? [Int] == [1, 5])
        let metadata = header["__metadata__"] as? [String: String]
        #expect((metadata?["standardization"] != nil) == standardized)
    }

    /// Every departure from the 2-5-5-1 state_dict is named: the key, and what was found.
    @Test(arguments: [
        ("\"0.weight\":{\"dtype\":\"F64\",\"shape\":[5,2]", "\"0.weight\":{\"dtype\":\"F64\",\"shape\":[2,5]",
         "'0.weight' has shape [2, 5], expected [5, 2]"),
        ("\"2.bias\":{\"dtype\":\"F64\"", "\"2.bias\":{\"dtype\":\"F16\"", "'2.bias' has dtype F16: expected F64 or F32"),
        ("\"4.bias\"", "\"6.bias\"", "'6.bias' is not a tensor of the 2-5-5-1 network"),
        ("\"standardization.std\"", "\"standardization.sd\"", "'standardization.sd' is not a tensor of the 2-5-5-1 network"),
        ("\"data_offsets\":[0,80]", "\"data_offsets\":[0,88]", "'0.weight': its data_offsets do not hold [5, 2] F64 numbers"),
    ])
    func foreignStateDictsAreRefusedByKey(original: String, replacement: String, message: String) throws {
        let bytes = Self.model.safetensors()
        let size = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = String(decoding: bytes[8..<(8 + size)], as: UTF8.self)
        #expect(header.contains(original))
        let changed = Array(header.replacingOccurrences(of: original, with: replacement).utf8)
        let file = littleEndianBytes(UInt64(changed.count)) + changed + bytes[(8 + size)...]
        let error = #expect(throws: InputError.self) { try Model(safetensors: file, name: "w.safetensors") }
        #expect(error?.file == "w.safetensors")
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "accepted")")
    }

    @Test func truncatedAndMissingTensorsAreRefused() throws {
        let bytes = Self.model.safetensors()
        #expect(throws: InputError.self) { try Model(safetensors: Array(bytes.prefix(5)), name: "w") }
        #expect(throws: InputError.self) { try Model(safetensors: Array(bytes.dropLast(8)), name: "w") }
        var raw = Self.model
        raw.standardization = nil
        let rawBytes = raw.safetensors()
        let size = Int(rawBytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = String(decoding: rawBytes[8..<(8 + size)], as: UTF8.self)
            .replacingOccurrences(of: #","4.bias":\{[^}]*\}"#, with: "", options: .regularExpression)
        let file = littleEndianBytes(UInt64(header.utf8.count)) + Array(header.utf8) + rawBytes[(8 + size)...]
        #expect(throws: InputError(file: "w", line: nil, message: "the tensor '4.bias' is missing")) {
            try Model(safetensors: file, name: "w")
        }
    }

    /// Varints as the protobuf encoding defines them, and the ONNX file's first field.
    @Test func protobufEncoding() {
        var message = ProtobufMessage()
        message.integer(1, 300)
        #expect(message.bytes == [0x08, 0xAC, 0x02])
        message = ProtobufMessage()
        message.integer(2, -1)  // int64 -1: ten bytes
        #expect(message.bytes == [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
        message = ProtobufMessage()
        message.string(3, "Gemm")
        #expect(message.bytes == [0x1A, 4] + Array("Gemm".utf8))
        #expect(Self.model.onnx().prefix(2) == [0x08, 7])  // ir_version 7
        #expect(Self.model.onnx(float32: true).count < Self.model.onnx().count)
    }

    @Test func sourceNamesMustBeIdentifiers() throws {
        for name in ["", "9lives", "two-moons", "café", "a b"] {
            #expect(throws: SettingError.self) { try Self.model.cSource(name: name) }
            #expect(throws: SettingError.self) { try Self.model.swiftSource(name: name) }
        }
        #expect(try Self.model.cSource(name: "moons").contains("static inline double moons_probability(double x0, double x1)"))
        #expect(try Self.model.swiftSource(name: "two_moons").contains("public struct TwoMoons: Sendable"))
        // Every parameter appears in shortest round-trip form, which C and Swift read back exactly.
        let source = try Self.model.cSource()
        for value in Self.model.parameters.flattened { #expect(source.contains("\(value)")) }
    }

    /// The exported sources' exponential is the kernels' own, bit for bit, where the kernels
    /// fuse their multiply-adds (the copies for x86-64-v3 and v4, and arm64).
    @Test(.enabled(if: KernelVariant.best != .baseline))
    func theExportedExponentialIsTheKernels() {
        var generator = SplitMix64(seed: 5)
        var differences = 0
        for _ in 0..<(1 << 14) {
            var x = SIMD8<Double>()
            for lane in 0..<8 { x[lane] = generator.nextUniform(-720, 720) }
            let kernel = Backprop.exp(x)
            for lane in 0..<8 where KernelExp.exp(x[lane]).bitPattern != kernel[lane].bitPattern { differences += 1 }
        }
        #expect(differences == 0)
    }
}

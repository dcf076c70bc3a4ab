import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

@Suite struct ModelTests {
    static let model = Model(
        parameters: Parameters.glorotUniform(seed: 3),
        standardization: Standardization(mean: [0.25, -1e-300], std: [3, 0.1]))

    static func read(_ text: String) throws(InputError) -> Model {
        try Model(json: Data(text.utf8), name: "model.json")
    }

    /// The message of the error reading `text`, or nil when it reads.
    static func error(_ text: String) -> InputError? {
        do {
            _ = try read(text)
            return nil
        } catch {
            return error
        }
    }

    /// A valid model file with one piece of text replaced.
    static func mutated(_ old: String, _ new: String) -> String {
        let text = model.jsonText
        precondition(text.contains(old), "test fixture out of date: \(old)")
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test func roundTripIsBitExact() throws {
        let reread = try Self.read(Self.model.jsonText)
        #expect(reread == Self.model)
        #expect(reread.parameters.flattened.map(\.bitPattern) == Self.model.parameters.flattened.map(\.bitPattern))
        #expect(reread.jsonText == Self.model.jsonText)
    }

    @Test func standardizationIsOptional() throws {
        let raw = Model(parameters: Self.model.parameters)
        #expect(!raw.jsonText.contains("standardization"))
        #expect(try Self.read(raw.jsonText) == raw)
    }

    @Test func readsTheSharedShapeWithExtraKeysAndOtherFormatting() throws {
        // The workload's init.json shape: no format keys, other whitespace, integers for zeros.
        let text = """
            {"topology":[2,5,5,1],"extra":{"note":"ignored"},"layers":[
            {"weights":[[0.5,-1],[0,0],[1,1],[2,2],[3,3]],"bias":[0,0,0,0,0]},
            {"weights":[[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5],[1,2,3,4,5]],"bias":[0,0,0,0,0]},
            {"weights":[[1,1,1,1,1]],"bias":[-4e-2]}]}
            """
        let model = try Self.read(text)
        #expect(model.parameters.hidden1.weights[0] == [0.5, -1])
        #expect(model.parameters.output.bias == [-0.04])
        #expect(model.standardization == nil)
    }

    @Test func writesAtomicallyAndReadsBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-model-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.json").path
        try Self.model.write(to: path)
        try Self.model.write(to: path)  // replacing an existing file
        #expect(try Model.read(path: path) == Self.model)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["m.json"])
    }

    @Test(arguments: [
        // (what is broken, replaced text, replacement, expected words in the message)
        ("wrong topology", "[2, 5, 5, 1]", "[2, 4, 1]", "topology is [2, 4, 1]"),
        ("missing topology", "\"topology\": [2, 5, 5, 1],", "", "missing field \"topology\""),
        ("missing bias", "\"bias\": [", "\"bjas\": [", "missing field \"layers[0].bias\""),
        ("non-finite number", "\"weights\": [\n        [", "\"weights\": [\n        [1e999, ", "1e999 is not a finite double"),
        ("string for a number", "\"weights\": [\n        [", "\"weights\": [\n        [\"x\", ", "layers[0].weights[0][0]"),
        ("zero std", "\"std\": [3.0", "\"std\": [0.0", "standardization.std[0] must be"),
        ("short mean", "\"mean\": [0.25, ", "\"mean\": [", "standardization.mean has 1"),
        ("fraction for a whole number", "[2, 5, 5, 1]", "[2, 5.5, 5, 1]", "\"topology\" is 5.5: not a whole number"),
        ("whole number out of range", "\"version\": 1", "\"version\": 1e30", "\"version\" is 1e30: not a whole number"),
    ])
    func rejectsMalformedModels(_ what: String, _ old: String, _ new: String, _ expected: String) {
        let error = Self.error(Self.mutated(old, new))
        #expect(error?.file == "model.json", "\(what)")
        #expect(error?.message.contains(expected) == true, "\(what): \(error?.message ?? "accepted")")
    }

    @Test func rejectsWrongShapes() {
        var layers = Self.model.parameters.layers
        layers[1].weights[3].removeLast()
        #expect(Self.error(Self.json(layers))?.message == "layers[1].weights[3] has 4 numbers, expected 5")
        layers = Self.model.parameters.layers
        layers[0].weights.removeLast()
        #expect(Self.error(Self.json(layers))?.message == "layers[0].weights has 4 rows, expected 5")
        layers = Self.model.parameters.layers
        layers[2].bias.append(1)
        #expect(Self.error(Self.json(layers))?.message == "layers[2].bias has 2 numbers, expected 1")
        layers = Self.model.parameters.layers
        layers.removeLast()
        #expect(Self.error(Self.json(layers))?.message == "expected 3 layers for topology [2, 5, 5, 1], found 2")
    }

    @Test func rejectsTruncatedAndEmptyFiles() {
        let text = Self.model.jsonText
        let truncated = Self.error(String(text.prefix(text.count / 2)))
        #expect(truncated?.message.hasPrefix("not valid JSON: the file ends early") == true, "\(truncated?.message ?? "accepted")")
        #expect(truncated?.line == text.prefix(text.count / 2).filter { $0 == "\n" }.count + 1)
        #expect(Self.error("")?.message == "the file is empty")
        #expect(Self.error("[1, 2]") != nil)
        #expect(Self.error("hello")?.message == "not valid JSON: expected a value, found 'h'")
        #expect(Self.error("{\n\"topology\": [2, 5, 5, 1],\n\"layers\": [}\n")?.line == 3)
    }

    @Test func reportsMissingFilesAndDirectories() {
        #expect(throws: InputError(file: "/nonexistent/m.json", line: nil, message: "no such file", kind: .notFound)) {
            try Model.read(path: "/nonexistent/m.json")
        }
        #expect(throws: InputError(file: "/tmp", line: nil, message: "is a directory, not a model file", kind: .notAFile)) {
            try Model.read(path: "/tmp")
        }
    }

    static func json(_ layers: [Layer]) -> String {
        let body = layers.map { layer in
            "{\"weights\":\(layer.weights),\"bias\":\(layer.bias)}"
        }.joined(separator: ",")
        return "{\"topology\":[2,5,5,1],\"layers\":[\(body)]}"
    }
}

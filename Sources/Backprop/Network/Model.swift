import Foundation

/// A trained network as saved to disk: the parameters and the input standardisation.
///
/// The JSON shape is fixed so that other tools can read it:
/// `{"format":"backprop-model","version":1,"topology":[2,5,5,1],"layers":[{"weights":[[w,w],...],"bias":[...]},...],
/// "standardization":{"mean":[m0,m1],"std":[s0,s1]}}`, where `standardization` is present only
/// when the model was trained on standardised inputs. Readers ignore keys they do not know.
public struct Model: Equatable, Sendable {
    /// The 51 weights and biases.
    public var parameters: Parameters
    /// The standardisation the parameters were trained with, or nil for raw inputs.
    public var standardization: Standardization?

    /// A model of `parameters`, applied to inputs standardised by `standardization` when given.
    public init(parameters: Parameters, standardization: Standardization? = nil) {
        self.parameters = parameters
        self.standardization = standardization
    }

    /// `dataset` as this model sees it: standardised when the model was trained that way.
    /// Internal, so that no caller applies it twice or forgets it: the methods below do.
    func prepare(_ dataset: consuming Dataset) -> Dataset {
        guard let standardization else { return dataset }
        return standardization.apply(to: dataset)
    }

    // MARK: Prediction on raw inputs

    /// The probability of label 1 at each point, from raw inputs (the model applies its own
    /// standardisation), computed by the SIMD engine.
    public func probabilities(for points: Dataset) -> [Double] {
        probabilities(for: points, using: SIMDEngine.self)
    }

    /// The probability of label 1 at each point, computed by the engine `Engine`.
    public func probabilities<Engine: TrainingEngine>(for points: Dataset, using _: Engine.Type) -> [Double] {
        Engine(parameters: parameters, options: EngineOptions(threads: 1)).predict(prepare(points))
    }

    /// The probability of label 1 at the points (x0[i], x1[i]).
    ///
    /// - Throws: `SettingError` (setting `data`) when `x0` and `x1` differ in length, or a
    ///   feature is not a finite number.
    public func probabilities(x0: [Double], x1: [Double]) throws(SettingError) -> [Double] {
        probabilities(for: try Dataset(x0: x0, x1: x1))
    }

    /// The probability of label 1 at one point (NaN where a feature is not a finite number).
    public func probability(x0: Double, x1: Double) -> Double {
        probabilities(for: Dataset(validatedX0: [x0], x1: [x1], label: [0]))[0]
    }

    /// The predicted class of each point: 1 where the probability of label 1 is at least 0.5.
    public func classes(for points: Dataset) -> [Int] {
        probabilities(for: points).map { $0 >= 0.5 ? 1 : 0 }
    }

    /// Loss, accuracy and confusion matrix on labelled raw data.
    public func evaluate(on data: Dataset) -> Evaluation {
        SIMDEngine(parameters: parameters, options: EngineOptions(threads: 1)).evaluate(prepare(data))
    }

    /// Loss, accuracy and confusion matrix on every row of the `.npy` file `reader` reads
    /// (raw data, standardised here as the model says), read in parts: the bits of
    /// `evaluate(on:)` with the file in memory, in the memory of a few parts.
    public func evaluate(streaming reader: NPY.Reader) throws(InputError) -> Evaluation {
        try StreamedChunks(FileRows(reader: reader, standardization: standardization))
            .evaluate(SIMDEngine(parameters: parameters, options: EngineOptions(threads: 1)))
    }

    // MARK: JSON

    /// The model file's text: one layer row per line, numbers in shortest round-trip form.
    ///
    /// Deterministic: the same model always gives the same bytes, and reading them back
    /// gives bit-identical parameters.
    public var jsonText: String {
        func list(_ values: [Double]) -> String {
            "[" + values.map { "\($0)" }.joined(separator: ", ") + "]"
        }
        var text = "{\n  \"format\": \"backprop-model\",\n  \"version\": 1,\n  \"topology\": [2, 5, 5, 1],\n  \"layers\": [\n"
        let layers = parameters.layers
        for (l, layer) in layers.enumerated() {
            text += "    {\n      \"weights\": [\n"
            text += layer.weights.map { "        " + list($0) }.joined(separator: ",\n")
            text += "\n      ],\n      \"bias\": \(list(layer.bias))\n    }\(l + 1 < layers.count ? "," : "")\n"
        }
        text += "  ]"
        if let standardization {
            text += ",\n  \"standardization\": {\"mean\": \(list(standardization.mean)), "
            text += "\"std\": \(list(standardization.std))}"
        }
        return text + "\n}\n"
    }

    /// Reads a model from JSON `data`; `name` is the file name that errors report.
    ///
    /// Checks the topology, every shape and that every number is finite.
    public init(json data: Data, name: String) throws(InputError) {
        self = try JSONFile.decode(Model.self, from: data, name: name, kind: "a model file")
    }

    /// Reads the model file at `path`.
    public static func read(path: String) throws(InputError) -> Model {
        try Model(json: InputFile.contents(path, kind: "a model file"), name: path)
    }

    /// Reads the model file at the file URL `url`.
    public static func read(from url: URL) throws(InputError) -> Model {
        try read(path: try InputFile.path(of: url))
    }

    /// Saves the model to the file URL `url` (see `write(to:)` with a path).
    public func write(to url: URL) throws(InputError) {
        try write(to: try InputFile.path(of: url))
    }

    /// Saves the model to `path` atomically (a crash never leaves a partial file).
    ///
    /// - Throws: `InputError` when a parameter is NaN or infinite (nothing is written: such a
    ///   file could not be read back), or when the file cannot be written.
    public func write(to path: String) throws(InputError) {
        guard parameters.isFinite else {
            throw InputError(file: path, line: nil, message: "not written: the model has a NaN or infinite parameter", kind: .writeFailed(errno: nil))
        }
        try AtomicFile.write(jsonText, to: path)
    }
}

extension Model: Codable {
    /// The version of the model file this package writes, and the newest it reads.
    static let formatVersion = 1

    enum CodingKeys: String, CodingKey {
        case format, version, topology, layers, standardization
    }

    /// Decodes and checks the topology, every shape and that every number is finite.
    ///
    /// - Throws: `ShapeError` naming what is wrong, or the decoder's own errors.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let version = try container.decodeIfPresent(Int.self, forKey: .version), version > Self.formatVersion {
            throw ShapeError(
                message: "model format version \(version) is newer than this tool reads (\(Self.formatVersion)); update Backprop")
        }
        if let format = try container.decodeIfPresent(String.self, forKey: .format), format != "backprop-model" {
            throw ShapeError(message: "format is \"\(format)\", not \"backprop-model\"")
        }
        let topology = try container.decode([Int].self, forKey: .topology)
        guard topology == Parameters.topology else {
            throw ShapeError(message: "topology is \(topology), but this network is [2, 5, 5, 1]")
        }
        parameters = try Parameters.validated(layers: try container.decode([Layer].self, forKey: .layers))
        standardization = try container.decodeIfPresent(Standardization.self, forKey: .standardization)
        if let problem = standardization?.problem() { throw ShapeError(message: problem) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("backprop-model", forKey: .format)
        try container.encode(Self.formatVersion, forKey: .version)
        try container.encode(Parameters.topology, forKey: .topology)
        try container.encode(parameters.layers, forKey: .layers)
        try container.encodeIfPresent(standardization, forKey: .standardization)
    }
}

/// The model as source code with the weights as literals, for a program that needs the
/// model and nothing else: a C99 header, or a Swift file with no import of this package.
///
/// Both compute as the SIMD engine predicts: each neuron's sum as fused multiply-adds from
/// the bias, input by input, and the sigmoid `1 / (1 + e^-z)` with the kernels' own
/// exponential, written out with the same operations in the same order (`KernelExp`). On a
/// CPU with FMA their probabilities are `Model.probabilities`' bits; the baseline x86-64
/// kernels multiply and add in two roundings, and differ from them by a few ulps.
extension Model {
    /// A C99 header defining `double NAME_probability(double x0, double x1)`: no allocation,
    /// no dependency beyond `<math.h>`, weights printed in shortest round-trip form (they
    /// read back exactly).
    ///
    /// - Throws: `SettingError` (setting `name`) when `name` is not a C identifier.
    public func cSource(name: String = "model") throws(SettingError) -> String {
        try Self.checkIdentifier(name)
        let guardName = name.uppercased() + "_H"
        var text = """
            /* The 2-5-5-1 sigmoid network of a backprop model (backprop \(backpropVersion)).
               \(name)_probability(x0, x1) is the probability of label 1 at (x0, x1), raw inputs. */
            #ifndef \(guardName)
            #define \(guardName)

            #include <math.h>

            \(KernelExp.cFunction("\(name)_exp"))

            static inline double \(name)_probability(double x0, double x1) {

            """
        func array(_ label: String, _ values: [Double]) -> String {
            "    static const double \(label)[\(values.count)] = {" + values.map(Self.literal).joined(separator: ", ") + "};\n"
        }
        if let standardization {
            text += array("mean", standardization.mean) + array("std", standardization.std)
        }
        for (index, layer) in parameters.layers.enumerated() {
            text += array("w\(index + 1)", layer.weights.flatMap { $0 }) + array("b\(index + 1)", layer.bias)
        }
        text += "    double input[2] = {x0, x1}, a1[5], a2[5], z;\n    int i, j;\n"
        if standardization != nil {
            // As `Standardization` computes it: x − mean overflows for features near the
            // largest doubles, and is then taken apart.
            text += "    for (i = 0; i < 2; i++) {\n        z = input[i] - mean[i];\n"
            text += "        input[i] = isfinite(z) ? z / std[i] : input[i] / std[i] - mean[i] / std[i];\n    }\n"
        }
        text += """
                for (i = 0; i < 5; i++) {
                    z = b1[i];
                    for (j = 0; j < 2; j++) z = fma(w1[2 * i + j], input[j], z);
                    a1[i] = 1.0 / (1.0 + \(name)_exp(-z));
                }
                for (i = 0; i < 5; i++) {
                    z = b2[i];
                    for (j = 0; j < 5; j++) z = fma(w2[5 * i + j], a1[j], z);
                    a2[i] = 1.0 / (1.0 + \(name)_exp(-z));
                }
                z = b3[0];
                for (j = 0; j < 5; j++) z = fma(w3[j], a2[j], z);
                return 1.0 / (1.0 + \(name)_exp(-z));
            }

            #endif

            """
        return text
    }

    /// A Swift file defining `struct NAME` (`name` in UpperCamelCase: `moons` gives
    /// `Moons`) with `init()` and `func probability(x0: Double, x1: Double) -> Double`; it
    /// imports nothing.
    ///
    /// - Throws: `SettingError` (setting `name`) when `name` is not an identifier.
    public func swiftSource(name: String = "model") throws(SettingError) -> String {
        try Self.checkIdentifier(name)
        let typeName = Self.upperCamelCase(name)
        func array(_ label: String, _ values: [Double]) -> String {
            "    private let \(label): [Double] = [" + values.map(Self.literal).joined(separator: ", ") + "]\n"
        }
        var text = """
            // The 2-5-5-1 sigmoid network of a backprop model (backprop \(backpropVersion)).

            /// `probability(x0:x1:)` is the probability of label 1 at (x0, x1), raw inputs.
            public struct \(typeName): Sendable {

            """
        if let standardization {
            text += array("mean", standardization.mean) + array("std", standardization.std)
        }
        for (index, layer) in parameters.layers.enumerated() {
            text += array("w\(index + 1)", layer.weights.flatMap { $0 }) + array("b\(index + 1)", layer.bias)
        }
        let standardize = standardization == nil ? "" : """
                    for i in 0..<2 {
                        let difference = input[i] - mean[i]
                        input[i] = difference.isFinite ? difference / std[i] : input[i] / std[i] - mean[i] / std[i]
                    }

            """
        text += """

                public init() {}

                public func probability(x0: Double, x1: Double) -> Double {
                    \(standardization == nil ? "let" : "var") input = [x0, x1]
            \(standardize)        var a1 = [Double](repeating: 0, count: 5)
                    var a2 = [Double](repeating: 0, count: 5)
                    for i in 0..<5 {
                        var z = b1[i]
                        for j in 0..<2 { z = z.addingProduct(w1[2 * i + j], input[j]) }
                        a1[i] = 1 / (1 + exp(-z))
                    }
                    for i in 0..<5 {
                        var z = b2[i]
                        for j in 0..<5 { z = z.addingProduct(w2[5 * i + j], a1[j]) }
                        a2[i] = 1 / (1 + exp(-z))
                    }
                    var z = b3[0]
                    for j in 0..<5 { z = z.addingProduct(w3[j], a2[j]) }
                    return 1 / (1 + exp(-z))
                }

            \(KernelExp.swiftFunction("exp"))
            }

            """
        return text
    }

    /// A number as C and Swift read it back exactly: the shortest round-trip form.
    private static func literal(_ value: Double) -> String { "\(value)" }

    /// Refuses a name that is not an identifier of C and Swift: a letter or `_`, then
    /// letters, digits and `_`, in ASCII.
    private static func checkIdentifier(_ name: String) throws(SettingError) {
        let letters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
        guard let first = name.first, letters.contains(first), name.allSatisfy({ letters.contains($0) || ("0"..."9").contains($0) })
        else {
            throw SettingError(setting: "name", message: "'\(name)' is not an identifier: a letter or _, then letters, digits or _")
        }
    }

    /// `moons` → `Moons`, `two_moons` → `TwoMoons`.
    private static func upperCamelCase(_ name: String) -> String {
        let words = name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return words.isEmpty ? "Model" : words.joined()
    }
}

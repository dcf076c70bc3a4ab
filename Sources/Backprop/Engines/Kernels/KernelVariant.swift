import BackpropKernelStorage
import BackpropKernels
import BackpropKernelsV3
import BackpropKernelsV4
import CPUFeatures
import Foundation

/// The copy of the SIMD kernels that runs: each is compiled for an instruction set, and
/// the best one the CPU has is chosen at start.
///
/// `v3` and `v4` compute the same bits (the same fused multiply-adds, in the same order, on
/// 4- or 8-double registers), so models trained on AVX2 and on AVX-512 machines are
/// byte-identical. `baseline` has no fused multiply-add and rounds differently.
public enum KernelVariant: String, Sendable, CaseIterable, Codable {
    /// Baseline x86-64 (SSE2), or arm64 with NEON.
    case baseline
    /// x86-64-v3: AVX2 and FMA.
    case v3 = "x86-64-v3"
    /// x86-64-v4: AVX-512.
    case v4 = "x86-64-v4"

    /// The fastest variant this CPU runs, or the one the environment variable
    /// `BACKPROP_KERNEL` names (`baseline`, `v3` or `v4`, or the long names `x86-64-v3` and
    /// `x86-64-v4`) when the CPU runs it; `environmentProblem` says why a value was not used.
    public static let best: KernelVariant = {
        if case .success(let chosen)? = requested { return chosen }
        return allCases.last(where: \.isSupported) ?? .baseline
    }()

    /// Why the value of `BACKPROP_KERNEL` was ignored, or nil when it is unset or in use.
    public static var environmentProblem: String? {
        if case .failure(let problem)? = requested { return problem.message }
        return nil
    }

    /// The variant a name stands for: its raw value, or `v3` and `v4` for short.
    public init?(name: String) {
        switch name {
        case "v3": self = .v3
        case "v4": self = .v4
        default: self.init(rawValue: name)
        }
    }

    private struct Problem: Error { let message: String }

    /// `BACKPROP_KERNEL`, read once: nil when unset.
    private static let requested: Result<KernelVariant, Problem>? = {
        guard let name = ProcessInfo.processInfo.environment["BACKPROP_KERNEL"] else { return nil }
        guard let chosen = KernelVariant(name: name) else {
            return .failure(Problem(message: "BACKPROP_KERNEL=\(name) is not a kernel variant (baseline, v3 or v4); ignored"))
        }
        guard chosen.isSupported else {
            return .failure(Problem(message: "BACKPROP_KERNEL=\(name): this CPU does not run the \(chosen.rawValue) kernels; ignored"))
        }
        return .success(chosen)
    }()

    /// True when this CPU has the instructions the variant uses.
    public var isSupported: Bool {
        #if arch(x86_64)
            let level = Int(backprop_x86_64_level())
            switch self {
            case .baseline: return true
            case .v3: return level >= 3
            case .v4: return level >= 4
            }
        #else
            return self == .baseline
        #endif
    }

    /// The variant's kernels.
    var kernels: any KernelSet.Type {
        switch self {
        case .baseline: BackpropKernels.Kernels.self
        case .v3: BackpropKernelsV3.Kernels.self
        case .v4: BackpropKernelsV4.Kernels.self
        }
    }
}

/// e^x on eight lanes: range reduction x = k·ln2 + r with |r| ≤ ln2/2, a degree-11
/// polynomial for e^r, and 2^k added to the exponent bits.
///
/// Inputs are clamped to [-708, 708], so every finite input gives a finite, positive result
/// (e^±708 for anything beyond); inside that range the error against Foundation's `exp` is
/// at most 1 ulp (measured on a dense sweep in the tests). Runs the best kernel variant..
@_spi(Benchmarks) public func exp(_ x: SIMD8<Double>) -> SIMD8<Double> {
    KernelVariant.best.kernels.exp(x)
}

/// The logistic sigmoid 1 / (1 + e^-z) on eight lanes, built on the vector `exp`.
///
/// Finite for every finite input: below z = -708 it returns about 3e-308 instead of 0,
/// above z = 708 exactly 1.
@_spi(Benchmarks) public func sigmoid(_ z: SIMD8<Double>) -> SIMD8<Double> {
    KernelVariant.best.kernels.sigmoid(z)
}

/// The kernels' entry points on mini-batches: the one place that takes their columns apart.
extension KernelVariant {
    /// Optimizer steps over consecutive mini-batches of `data` (mini-batch i at `rates[i]`
    /// while there are rates); the sum of the samples' losses.
    func trainEpoch(
        _ weights: inout SIMDWeights, on data: MiniBatch, batchSize: Int, settings: UpdateSettings,
        rates: UnsafeBufferPointer<Double> = .noRates, state: inout OptimizerBlocks
    ) -> Double {
        kernels.trainEpoch(
            &weights, x0: data.x0.baseAddress!, x1: data.x1.baseAddress!, label: data.label.baseAddress!,
            count: data.count, batchSize: batchSize, settings: settings, rates: rates, state: &state)
    }

    /// Loss and gradient sums over `batch`, into `sums`.
    func accumulate(
        _ weights: UnsafePointer<SIMDWeights>, _ batch: MiniBatch, positiveWeight: Double,
        into sums: UnsafeMutablePointer<BatchSums>
    ) {
        kernels.accumulate(
            weights, x0: batch.x0.baseAddress!, x1: batch.x1.baseAddress!, label: batch.label.baseAddress!,
            count: batch.count, positiveWeight: positiveWeight, into: sums)
    }

    /// The logits of `inputs`, or with `probabilities` their sigmoids, into `output`.
    func forward(
        _ weights: UnsafePointer<SIMDWeights>, _ inputs: MiniBatch, into output: UnsafeMutableBufferPointer<Double>,
        probabilities: Bool
    ) {
        precondition(output.count >= inputs.count, "output buffer too small")
        guard inputs.count > 0 else { return }
        let (x0, x1, count) = (inputs.x0.baseAddress!, inputs.x1.baseAddress!, inputs.count)
        if probabilities {
            kernels.probabilities(weights, x0: x0, x1: x1, count: count, into: output.baseAddress!)
        } else {
            kernels.logits(weights, x0: x0, x1: x1, count: count, into: output.baseAddress!)
        }
    }
}

extension UnsafeBufferPointer<Double> {
    /// No rates: every mini-batch at its rule's learning rate.
    static var noRates: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: nil, count: 0) }
}

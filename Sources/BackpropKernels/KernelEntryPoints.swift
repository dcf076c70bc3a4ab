import BackpropKernelStorage

/// The kernels' entry points. This module's sources are compiled three times, into
/// BackpropKernels (baseline), BackpropKernelsV3 (x86-64-v3: AVX2 and FMA) and
/// BackpropKernelsV4 (x86-64-v4: AVX-512), each for its instruction set (Package.swift);
/// the library picks one at run time (`KernelVariant`). One source, so every copy computes
/// the same thing: v3 and v4 the same bits, baseline without fused multiply-adds.
package enum Kernels: KernelSet {
    /// SGD steps over consecutive mini-batches of `batchSize` of the `count` samples at
    /// `x0`, `x1` and `label` (the last one may be smaller), mini-batch i at learning rate
    /// `rates[i]` while there are rates.
    ///
    /// - Returns: the sum of the samples' losses, each under the weights its mini-batch's
    ///   update started from (summed batch by batch, in order).
    @inline(never)
    package static func trainEpoch(
        _ weights: inout SIMDWeights, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>, label: UnsafePointer<Double>,
        count: Int, batchSize: Int, settings: UpdateSettings, rates: UnsafeBufferPointer<Double>, state: inout OptimizerBlocks
    ) -> Double {
        // Local copies of the weights and sums: through `inout`, every step copied the weights.
        var local = weights
        var localState = state
        var sums = BatchSums()
        var settings = settings
        var (start, loss, batch) = (0, 0.0, 0)
        while start < count {
            // Tested for nil first, a loop invariant: the loop without rates keeps its speed.
            if let first = rates.baseAddress, batch < rates.count { settings.learningRate = first[batch] }
            batch += 1
            let size = min(batchSize, count - start)
            local.accumulate(x0 + start, x1 + start, label + start, count: size, positiveWeight: settings.positiveWeight, into: &sums)
            local.descend(along: sums, count: size, settings: settings, state: &localState)
            loss += sums.loss
            start += size
        }
        weights = local
        state = localState
        return loss
    }

    /// Loss and gradient sums over the `count` samples at `x0`, `x1` and `label`, into `sums`.
    @inline(never)
    package static func accumulate(
        _ weights: UnsafePointer<SIMDWeights>, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>,
        label: UnsafePointer<Double>, count: Int, positiveWeight: Double, into sums: UnsafeMutablePointer<BatchSums>
    ) {
        weights.pointee.accumulate(x0, x1, label, count: count, positiveWeight: positiveWeight, into: &sums.pointee)
    }

    /// One optimizer step from the sums of a mini-batch of `count` samples.
    @inline(never)
    package static func descend(
        _ weights: UnsafeMutablePointer<SIMDWeights>, along sums: UnsafePointer<BatchSums>, count: Int,
        settings: UpdateSettings, state: UnsafeMutablePointer<OptimizerBlocks>
    ) {
        weights.pointee.descend(along: sums.pointee, count: count, settings: settings, state: &state.pointee)
    }

    /// sums += other.
    @inline(never)
    package static func add(_ sums: UnsafeMutablePointer<BatchSums>, _ other: UnsafePointer<BatchSums>) {
        sums.pointee.add(other.pointee)
    }

    /// The output logits of the `count` samples at `x0` and `x1`, into `output`.
    @inline(never)
    package static func logits(
        _ weights: UnsafePointer<SIMDWeights>, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>, count: Int,
        into output: UnsafeMutablePointer<Double>
    ) {
        weights.pointee.logits(x0, x1, count: count, into: output)
    }

    /// The predicted probabilities of the `count` samples: the logits, then the vector
    /// sigmoid over them 8 at a time (within 4 ulps of 1 / (1 + e^-z)).
    @inline(never)
    package static func probabilities(
        _ weights: UnsafePointer<SIMDWeights>, x0: UnsafePointer<Double>, x1: UnsafePointer<Double>, count: Int,
        into output: UnsafeMutablePointer<Double>
    ) {
        weights.pointee.logits(x0, x1, count: count, into: output)
        var start = 0
        while start + 8 <= count {
            let z = UnsafeRawPointer(output + start).loadUnaligned(as: Vector8.self)
            UnsafeMutableRawPointer(output + start).storeBytes(of: vectorSigmoid(z), as: Vector8.self)
            start += 8
        }
        for i in start..<count { output[i] = 1 / (1 + _exp(-output[i])) }
    }

    /// Σ binary cross-entropy of the samples, as the kernels sum a batch's loss.
    @inline(never)
    package static func crossEntropySum(_ logits: UnsafeBufferPointer<Double>, _ labels: UnsafeBufferPointer<Double>) -> Double {
        lossSum(logits, labels)
    }

    package static func exp(_ x: SIMD8<Double>) -> SIMD8<Double> { vectorExp(x) }

    package static func sigmoid(_ z: SIMD8<Double>) -> SIMD8<Double> { vectorSigmoid(z) }
}

import BackpropKernelStorage

/// The fused forward and backward kernels of the SIMD engines.
///
/// Notation, as in `ReferenceEngine`: a1 and a2 are the hidden activations, z3 the output
/// logit, t = e^-|z3|, p = σ(z3), d3 = p − y, d2 and d1 the hidden deltas (all unscaled:
/// the 1/m of the mean is applied once per mini-batch, in the update).
///
/// Two kernels (docs/Design.md): `lanes` puts one sample in each lane and broadcasts each
/// weight, 16 samples per step (two 8-lane halves, folded into 8-lane partial sums) and then
/// one step of 8; `oneSample` puts the 5 neurons of a layer in the lanes of a padded block
/// and handles the 1 to 7 samples left over.
extension SIMDWeights {
    /// Loss and gradient sums over the `count` samples at `x0`, `x1` and `y`, written to `sums`;
    /// a positive sample's loss and output delta are multiplied by `positiveWeight` (by
    /// c = 1 + (w − 1)·y, exactly 1 for every sample when w = 1).
    ///
    /// Into the caller's storage rather than returned: returning the kilobyte of sums cost
    /// a memcpy per call, 7-11% of the time at batch size 1 (measured).
    @inline(never)
    func accumulate(
        _ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int,
        positiveWeight: Double, into sums: inout BatchSums
    ) {
        assert(count >= 0, "a negative sample count")
        // 16 samples at a time (two independent 8-lane chains for the pipeline), then 8, then one by one.
        let wideGroups = count / 16
        let weight = positiveWeight == 1 ? nil : positiveWeight
        if wideGroups > 0 {
            // Two calls, so that the unweighted one is a copy of the wide kernel with no
            // weighting code: the weighting cost 5% at weight 1 (measured).
            sums =
                weight == nil
                ? lanes(x0, x1, y, groups: wideGroups, positiveWeight: nil, as: Vector16.self)
                : lanes(x0, x1, y, groups: wideGroups, positiveWeight: weight, as: Vector16.self)
        } else {
            sums = BatchSums()
        }
        var done = wideGroups * 16
        if count - done >= 8 {
            sums.add(lanes(x0 + done, x1 + done, y + done, groups: 1, positiveWeight: weight, as: Vector8.self))
            done += 8
        }
        for s in done..<count {
            oneSample(x0[s], x1[s], y[s], positiveWeight: positiveWeight, into: &sums)
        }
    }

    /// `groups` × `V.scalarCount` samples, one per lane: every weight is
    /// broadcast to all lanes, and each of the 51 gradient sums has one partial sum per
    /// lane until the end. A nil `positiveWeight` is 1, with no weighting code at all.
    @inline(__always)
    func lanes<V: SampleVector>(
        _ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, _ y: UnsafePointer<Double>, groups: Int,
        positiveWeight: Double?, as _: V.Type
    ) -> BatchSums {
        // Weights and partial sums live in stack buffers, not in local values, which would
        // spill registers; both are indexed by `ParameterLayout`. Weights are kept as scalars
        // and broadcast at each use (one load for the 4 registers of a 16-lane operand).
        // Stack storage: `withUnsafeTemporaryAllocation` goes to the heap at these sizes,
        // which cost two mallocs per mini-batch.
        var sumStorage = InlineArray<51, Vector8>(repeating: Vector8())
        var weightStorage = InlineArray<51, Double>(repeating: 0)
        var scratchStorage = InlineArray<15, V>(repeating: V())
        return withUnsafeMutablePointer(to: &sumStorage) { sumPointer in
        withUnsafeMutablePointer(to: &weightStorage) { weightPointer in
        withUnsafeMutablePointer(to: &scratchStorage) { scratchPointer in
            let weights = UnsafeMutableRawPointer(weightPointer).assumingMemoryBound(to: Double.self)
            blocks.storeFlat(weights)
            let w = Broadcast<V>(weights)
            // Partial sums stay 8 lanes wide whatever V is: a 16-sample step folds its two
            // halves in with two fused multiply-adds, halving the loads and stores of the sums.
            let g = UnsafeMutableRawPointer(sumPointer).assumingMemoryBound(to: Vector8.self)
            // Activations and deltas of the current group, also in memory (L1).
            let scratch = LaneScratch(UnsafeMutableRawPointer(scratchPointer).assumingMemoryBound(to: V.self))
            var loss = CrossEntropySum<V>(positiveWeight: positiveWeight ?? 1)
            let extraWeight = V(repeating: (positiveWeight ?? 1) - 1)

            // The neuron loops stay loops on purpose: fully unrolled, the group's code is
            // ~25 KB, too big for the decoded-instruction cache, and decoding limits speed.
            for group in 0..<groups {
                let offset = group * V.scalarCount
                let in0 = UnsafeRawPointer(x0 + offset).loadUnaligned(as: V.self)
                let in1 = UnsafeRawPointer(x1 + offset).loadUnaligned(as: V.self)
                let label = UnsafeRawPointer(y + offset).loadUnaligned(as: V.self)
                let z3 = Self.forward(in0, in1, w, scratch)
                let output = OutputLanes(logits: z3)
                if positiveWeight == nil {
                    loss.add(logits: z3, labels: label, magnitude: output.magnitude, onePlusT: output.onePlusT, group: group)
                    Self.backward(output.probability - label, in0, in1, w, scratch, into: g)
                } else {
                    let weight = V.multiplyAdd(extraWeight, label, V(repeating: 1))
                    loss.add(
                        logits: z3, labels: label, weights: weight, magnitude: output.magnitude, onePlusT: output.onePlusT,
                        group: group)
                    Self.backward((output.probability - label) * weight, in0, in1, w, scratch, into: g)
                }
            }
            return BatchSums(flat: g, loss: loss.total)
        }
        }
        }
    }

    /// The forward pass of one group: the hidden activations into `scratch`, and the output logit.
    @inline(__always)
    static func forward<W: LaneOperands>(_ in0: W.V, _ in1: W.V, _ w: W, _ scratch: LaneScratch<W.V>) -> W.V {
        typealias V = W.V
        typealias L = ParameterLayout
        let (a1, a2) = (scratch.a1, scratch.a2)
        for i in 0..<5 {
            a1[i] = V.sigmoid(
                V.multiplyAdd(w[L.hidden1Weight(i, 1)], in1, V.multiplyAdd(w[L.hidden1Weight(i, 0)], in0, w[L.hidden1Bias(i)])))
        }
        var z3 = w[L.outputBias]
        for i in 0..<5 {
            var z = V.multiplyAdd(w[L.hidden2Weight(i, 0)], a1[0], w[L.hidden2Bias(i)])
            z = V.multiplyAdd(w[L.hidden2Weight(i, 1)], a1[1], z)
            z = V.multiplyAdd(w[L.hidden2Weight(i, 2)], a1[2], z)
            z = V.multiplyAdd(w[L.hidden2Weight(i, 3)], a1[3], z)
            z = V.multiplyAdd(w[L.hidden2Weight(i, 4)], a1[4], z)
            a2[i] = V.sigmoid(z)
            z3 = V.multiplyAdd(w[L.outputWeight(i)], a2[i], z3)
        }
        return z3
    }

    /// The backward pass of one group from its output delta d3 = p − y: every gradient's
    /// partial sums in `g` (indexed by `ParameterLayout`) grow by this group's terms.
    @inline(__always)
    static func backward<W: LaneOperands>(
        _ d3: W.V, _ in0: W.V, _ in1: W.V, _ w: W, _ scratch: LaneScratch<W.V>, into g: UnsafeMutablePointer<Vector8>
    ) {
        typealias V = W.V
        typealias L = ParameterLayout
        let (a1, a2, d2) = (scratch.a1, scratch.a2, scratch.d2)
        V.accumulate(d3, into: &g[L.outputBias])
        for i in 0..<5 {
            let activation = a2[i]
            V.accumulate(d3, activation, into: &g[L.outputWeight(i)])
            let delta = d3 * w[L.outputWeight(i)] * V.multiplyAdd(-activation, activation, activation)
            d2[i] = delta
            V.accumulate(delta, into: &g[L.hidden2Bias(i)])
        }
        for j in 0..<5 {
            let activation = a1[j]
            var e = w[L.hidden2Weight(0, j)] * d2[0]
            e = V.multiplyAdd(w[L.hidden2Weight(1, j)], d2[1], e)
            e = V.multiplyAdd(w[L.hidden2Weight(2, j)], d2[2], e)
            e = V.multiplyAdd(w[L.hidden2Weight(3, j)], d2[3], e)
            e = V.multiplyAdd(w[L.hidden2Weight(4, j)], d2[4], e)
            V.accumulate(d2[0], activation, into: &g[L.hidden2Weight(0, j)])
            V.accumulate(d2[1], activation, into: &g[L.hidden2Weight(1, j)])
            V.accumulate(d2[2], activation, into: &g[L.hidden2Weight(2, j)])
            V.accumulate(d2[3], activation, into: &g[L.hidden2Weight(3, j)])
            V.accumulate(d2[4], activation, into: &g[L.hidden2Weight(4, j)])
            let d1 = e * V.multiplyAdd(-activation, activation, activation)
            V.accumulate(d1, in0, into: &g[L.hidden1Weight(j, 0)])
            V.accumulate(d1, in1, into: &g[L.hidden1Weight(j, 1)])
            V.accumulate(d1, into: &g[L.hidden1Bias(j)])
        }
    }

    /// One sample, the 5 neurons of a layer in the lanes of a padded block.
    @inline(__always)
    func oneSample(_ x0: Double, _ x1: Double, _ y: Double, positiveWeight: Double, into sums: inout BatchSums) {
        let w = blocks
        let mask = PaddedBlocks.neuronMask
        // Padding lanes compute σ(0) = 0.5; the mask clears them before they reach a sum.
        let a1 =
            mask
            * vectorSigmoid(
                multiplyAdd(w.hidden1Input1, Vector8(repeating: x1), multiplyAdd(w.hidden1Input0, Vector8(repeating: x0), w.hidden1Bias)))
        var z2 = w.hidden2Bias
        forEachNeuron { j in z2 = multiplyAdd(w.hidden2Columns[j], Vector8(repeating: a1[j]), z2) }
        let a2 = mask * vectorSigmoid(z2)
        let z3 = laneSum(w.outputWeights * a2) + w.outputBias

        let t = _exp(-abs(z3))
        let p = (z3 >= 0 ? 1 : t) / (1 + t)
        let weight = 1 + (positiveWeight - 1) * y
        sums.loss += weight * (max(z3, 0) - z3 * y + _log1p(t))

        let d3 = (p - y) * weight
        sums.gradient.outputWeights = multiplyAdd(Vector8(repeating: d3), a2, sums.gradient.outputWeights)
        sums.gradient.outputBias += d3
        let d2 = Vector8(repeating: d3) * w.outputWeights * multiplyAdd(-a2, a2, a2)
        forEachNeuron { j in
            sums.gradient.hidden2Columns[j] = multiplyAdd(d2, Vector8(repeating: a1[j]), sums.gradient.hidden2Columns[j])
        }
        sums.gradient.hidden2Bias += d2
        var e = hidden2Rows[0] * Vector8(repeating: d2[0])
        forEachNeuron(from: 1) { i in e = multiplyAdd(hidden2Rows[i], Vector8(repeating: d2[i]), e) }
        let d1 = e * multiplyAdd(-a1, a1, a1)
        sums.gradient.hidden1Input0 = multiplyAdd(d1, Vector8(repeating: x0), sums.gradient.hidden1Input0)
        sums.gradient.hidden1Input1 = multiplyAdd(d1, Vector8(repeating: x1), sums.gradient.hidden1Input1)
        sums.gradient.hidden1Bias += d1
    }

    /// The output logits of `count` samples, 8 at a time.
    ///
    /// A last group of 1 to 7 samples goes through zero-padded 8-sample buffers and a second
    /// call: written back lane by lane from the same code, LLVM computes only the lanes it
    /// stores, one scalar sigmoid at a time, for every group (seen on AVX-512).
    @inline(never)
    func logits(_ x0: UnsafePointer<Double>, _ x1: UnsafePointer<Double>, count: Int, into output: UnsafeMutablePointer<Double>) {
        let fullGroups = count / 8
        // Two groups at a time: each layer's steps for both side by side, so that one group's
        // work fills the other's latency (one alone leaves the units idle between layers).
        var group = 0
        while group + 1 < fullGroups {
            let offset = group * 8
            let (a0, a1) = (UnsafeRawPointer(x0 + offset).loadUnaligned(as: Vector8.self), UnsafeRawPointer(x1 + offset).loadUnaligned(as: Vector8.self))
            let (b0, b1) = (UnsafeRawPointer(x0 + offset + 8).loadUnaligned(as: Vector8.self), UnsafeRawPointer(x1 + offset + 8).loadUnaligned(as: Vector8.self))
            let (za, zb) = logits(a0, a1, b0, b1)
            UnsafeMutableRawPointer(output + offset).storeBytes(of: za, as: Vector8.self)
            UnsafeMutableRawPointer(output + offset + 8).storeBytes(of: zb, as: Vector8.self)
            group += 2
        }
        if group < fullGroups {
            let offset = group * 8
            let in0 = UnsafeRawPointer(x0 + offset).loadUnaligned(as: Vector8.self)
            let in1 = UnsafeRawPointer(x1 + offset).loadUnaligned(as: Vector8.self)
            UnsafeMutableRawPointer(output + offset).storeBytes(of: logits(in0, in1), as: Vector8.self)
        }
        let done = fullGroups * 8
        guard done < count else { return }
        var inputs = InlineArray<16, Double>(repeating: 0)
        var tail = InlineArray<8, Double>(repeating: 0)
        for lane in 0..<(count - done) {
            inputs[lane] = x0[done + lane]
            inputs[8 + lane] = x1[done + lane]
        }
        withUnsafePointer(to: &inputs) { inputPointer in
            withUnsafeMutablePointer(to: &tail) { tailPointer in
                let padded = UnsafeRawPointer(inputPointer).assumingMemoryBound(to: Double.self)
                let result = UnsafeMutableRawPointer(tailPointer).assumingMemoryBound(to: Double.self)
                logits(padded, padded + 8, count: 8, into: result)
            }
        }
        for lane in 0..<(count - done) { output[done + lane] = tail[lane] }
    }

    /// The output logits of two groups of 8 samples, computed as `logits(_:_:)` computes
    /// each (the same operations, so the same bits), layer by layer side by side.
    @inline(__always)
    private func logits(_ a0: Vector8, _ a1: Vector8, _ b0: Vector8, _ b1: Vector8) -> (Vector8, Vector8) {
        let w = blocks
        var (ha, hb) = (InlineArray<5, Vector8>(repeating: Vector8()), InlineArray<5, Vector8>(repeating: Vector8()))
        forEachNeuron { i in
            let (w0, w1, bias) = (Vector8(repeating: w.hidden1Input0[i]), Vector8(repeating: w.hidden1Input1[i]), Vector8(repeating: w.hidden1Bias[i]))
            ha[i] = vectorSigmoid(multiplyAdd(w1, a1, multiplyAdd(w0, a0, bias)))
            hb[i] = vectorSigmoid(multiplyAdd(w1, b1, multiplyAdd(w0, b0, bias)))
        }
        var (za, zb) = (Vector8(repeating: w.outputBias), Vector8(repeating: w.outputBias))
        forEachNeuron { i in
            var (ya, yb) = (Vector8(repeating: w.hidden2Bias[i]), Vector8(repeating: w.hidden2Bias[i]))
            forEachNeuron { j in
                let weight = Vector8(repeating: hidden2Rows[i][j])
                ya = multiplyAdd(weight, ha[j], ya)
                yb = multiplyAdd(weight, hb[j], yb)
            }
            let out = Vector8(repeating: w.outputWeights[i])
            za = multiplyAdd(out, vectorSigmoid(ya), za)
            zb = multiplyAdd(out, vectorSigmoid(yb), zb)
        }
        return (za, zb)
    }

    /// The output logits of 8 samples, one per lane.
    @inline(__always)
    private func logits(_ in0: Vector8, _ in1: Vector8) -> Vector8 {
        let w = blocks
        var a1 = InlineArray<5, Vector8>(repeating: Vector8())
        forEachNeuron { i in
            a1[i] = vectorSigmoid(
                multiplyAdd(
                    Vector8(repeating: w.hidden1Input1[i]), in1,
                    multiplyAdd(Vector8(repeating: w.hidden1Input0[i]), in0, Vector8(repeating: w.hidden1Bias[i]))))
        }
        var z3 = Vector8(repeating: w.outputBias)
        forEachNeuron { i in
            var z = Vector8(repeating: w.hidden2Bias[i])
            forEachNeuron { j in z = multiplyAdd(Vector8(repeating: hidden2Rows[i][j]), a1[j], z) }
            z3 = multiplyAdd(Vector8(repeating: w.outputWeights[i]), vectorSigmoid(z), z3)
        }
        return z3
    }
}

/// The activations and deltas of the lanes kernel's current group: 5 vectors each, in memory.
struct LaneScratch<V: SampleVector> {
    let a1: UnsafeMutablePointer<V>
    @inline(__always) init(_ base: UnsafeMutablePointer<V>) { a1 = base }
    @inline(__always) var a2: UnsafeMutablePointer<V> { a1 + 5 }
    @inline(__always) var d2: UnsafeMutablePointer<V> { a1 + 10 }
}

/// The output's probability p = σ(z3) in every lane, from t = e^-|z3|: 1/(1+t) for z3 ≥ 0
/// and t/(1+t) below, chosen with bit operations (a compare-and-select would scalarise the
/// kernel). |z3| and 1 + t also go into the loss.
struct OutputLanes<V: SampleVector> {
    let magnitude: V
    let onePlusT: V
    let probability: V

    @inline(__always)
    init(logits z3: V) {
        let bits = unsafeBitCast(z3, to: V.MaskStorage.self)
        magnitude = unsafeBitCast(bits & Int64.max, to: V.self)
        let t = V.exp(-magnitude)
        onePlusT = 1 + t
        let negative = bits &>> 63
        let numerator =
            (unsafeBitCast(t, to: V.MaskStorage.self) & negative)
            | (unsafeBitCast(V(repeating: 1), to: V.MaskStorage.self) & ~negative)
        probability = unsafeBitCast(numerator, to: V.self) / onePlusT
    }
}

/// The weights as the forward and backward passes read them: parameter `index`
/// (`ParameterLayout`) as a vector of lanes.
protocol LaneOperands<V> {
    associatedtype V: SampleVector
    subscript(_ index: Int) -> V { get }
}

/// Scalars in memory read as vectors: one broadcast load per use, then register operands.
/// Every lane a sample of one model.
struct Broadcast<V: SampleVector>: LaneOperands {
    let base: UnsafePointer<Double>
    @inline(__always) init(_ base: UnsafeMutablePointer<Double>) { self.base = UnsafePointer(base) }
    @inline(__always) subscript(_ index: Int) -> V {
        assert((0..<ParameterLayout.count).contains(index), "not a parameter offset")
        return V(repeating: base[index])
    }
}

/// Calls `body` with 0, 1, 2, 3 and 4, fully unrolled.
///
/// The optimiser keeps `for i in 0..<5` as a loop, so arrays indexed by `i` stay in memory;
/// with constant indices the activations and deltas live in registers.
@inline(__always)
func forEachNeuron(from first: Int = 0, _ body: (Int) -> Void) {
    if first <= 0 { body(0) }
    body(1)
    body(2)
    body(3)
    body(4)
}

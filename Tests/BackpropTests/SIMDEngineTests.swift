import Foundation
import Testing

import BackpropKernelStorage
@_spi(Benchmarks) @testable import Backprop

@Suite struct SIMDEngineTests {
    @Test func paddingStaysExactlyZeroAfterManyUpdates() {
        var engine = SIMDEngine(parameters: EngineConformanceTests.randomParameters(seed: 1))
        let data = EngineConformanceTests.randomBatch(count: 64, seed: 2)
        #expect(engine.paddingIsZero)
        // 10,000 updates with batch sizes that exercise both kernels (groups of 8 and tails).
        for update in 0..<10_000 {
            let size = [1, 5, 8, 13, 64][update % 5]
            let start = (update * 7) % (64 - size + 1)
            _ = data.withMiniBatch(start..<(start + size)) { engine.step($0, learningRate: 0.5) }
        }
        #expect(engine.paddingIsZero)
        #expect(engine.parameters.flattened.allSatisfy { $0.isFinite })
        #expect(engine.parameters != EngineConformanceTests.randomParameters(seed: 1))
    }

    /// Distance in units in the last place between two positive finite doubles.
    static func ulps(_ a: Double, _ b: Double) -> UInt64 {
        let x = a.bitPattern, y = b.bitPattern
        return x > y ? x - y : y - x
    }

    /// Measured: 1 ulp at worst over 2^20 points.
    @Test func vectorExpIsWithinOneUlpOfFoundation() {
        // A dense sweep of [-708, 708] (where results are normal numbers), 2^20 points with
        // a seeded jitter so that the points do not share low bits.
        var generator = SplitMix64(seed: 12)
        var worst: UInt64 = 0
        let count = 1 << 20
        for block in 0..<(count / 8) {
            var x = Vector8()
            for lane in 0..<8 {
                let position = Double(block * 8 + lane) + generator.nextUnit()
                x[lane] = -708 + 1416 * position / Double(count)
            }
            let y = Backprop.exp(x)
            for lane in 0..<8 { worst = max(worst, Self.ulps(y[lane], Foundation.exp(x[lane]))) }
        }
        #expect(worst <= 1, "worst error \(worst) ulp")
    }

    @Test func vectorExpNearZeroAndAtTheClampLimits() {
        let x = Vector8(0, -0.0, 1e-300, -1e-17, 1e-8, 708, -708, 709.5)
        let y = Backprop.exp(x)
        for lane in 0..<7 { #expect(Self.ulps(y[lane], Foundation.exp(x[lane])) <= 1, "lane \(lane)") }
        #expect(y[7] == Foundation.exp(708.0) || Self.ulps(y[7], Foundation.exp(708.0)) <= 1)
    }

    @Test func sigmoidSaturatesWithoutNaNOrInfinity() {
        let z = Vector8(1e308, -1e308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 800, -800, 36, -36)
        let s = Backprop.sigmoid(z)
        for lane in 0..<8 { #expect(s[lane].isFinite && s[lane] >= 0 && s[lane] <= 1, "lane \(lane)") }
        #expect(s[0] == 1)
        #expect(s[1] < 1e-300)
        // σ(±36) against the scalar form: a relative error of a few ulps.
        #expect(abs(s[6] - Backprop.sigmoid(36.0)) <= 4 * Double.ulpOfOne)
        #expect(abs(s[7] - Backprop.sigmoid(-36.0)) <= 4 * Double.ulpOfOne * s[7])
    }

    /// Measured: 3 ulp at worst (the exp's 1 ulp, then an addition and a division).
    @Test func sigmoidIsWithinFourUlpsOnTheRangeThatMatters() {
        var worst: UInt64 = 0
        for block in 0..<4096 {
            var z = Vector8()
            for lane in 0..<8 { z[lane] = -40 + 80 * Double(block * 8 + lane) / 32768 }
            let s = Backprop.sigmoid(z)
            for lane in 0..<8 { worst = max(worst, Self.ulps(s[lane], 1 / (1 + Foundation.exp(-z[lane])))) }
        }
        #expect(worst <= 4, "worst error \(worst) ulp")
    }
}

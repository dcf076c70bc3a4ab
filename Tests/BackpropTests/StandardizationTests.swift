import Foundation
import Testing

@_spi(Benchmarks) @testable import Backprop

@Suite struct StandardizationTests {
    @Test func fitsMeanAndPopulationStandardDeviation() throws {
        let data = try Dataset(x0: [1, 2, 3, 4], x1: [10, 10, 30, 30], label: [0, 1, 0, 1])
        let standardization = Standardization(fitting: data)
        #expect(standardization.mean == [2.5, 20])
        #expect(abs(standardization.std[0] - 1.25.squareRoot()) < 1e-15)
        #expect(standardization.std[1] == 10)
        let scaled = standardization.apply(to: data)
        #expect(scaled.x1 == [-1, -1, 1, 1])
        #expect(abs(scaled.x0.reduce(0, +)) < 1e-15)
        #expect(scaled.label == data.label)
    }

    @Test func constantFeatureMapsToZeroWithoutDividingByZero() throws {
        let data = try Dataset(x0: [7, 7, 7], x1: [1, 2, 3], label: [0, 1, 1])
        let standardization = Standardization(fitting: data)
        #expect(standardization.std[0] == 1)
        let scaled = standardization.apply(to: data)
        #expect(scaled.x0 == [0, 0, 0])
        #expect(scaled.x1.allSatisfy { $0.isFinite })
    }

    @Test func constantFeatureTrainsAndRoundTripsThroughTheModelFile() throws {
        let data = try Dataset(x0: [5, 5, 5, 5], x1: [-1, -2, 1, 2], label: [0, 0, 1, 1])
        var configuration = TrainingConfiguration()
        configuration.epochs = 200
        configuration.batchSize = 4
        let model = try Trainer<ReferenceEngine>(configuration).train(on: data)
        #expect(model.parameters.flattened.allSatisfy { $0.isFinite })
        let reread = try Model(json: Data(model.jsonText.utf8), name: "m.json")
        #expect(reread == model)
        #expect(model.evaluate(on: data).accuracy == 1)
    }

    /// Features anywhere in the double range standardise to what the same features give
    /// unscaled: the variance is neither lost to underflow nor to overflow.
    @Test(arguments: [1e200, 1e-200, 1e307, 1e-300])
    func extremeScalesStandardiseLikeTheUnscaledData(scale: Double) {
        let data = SyntheticData.moons.generate(count: 501, seed: 4)
        let scaled = data.mapFeatures { x0, x1 in (x0 * scale, x1 * scale) }
        let expected = Standardization(fitting: data).apply(to: data)
        let got = Standardization(fitting: scaled).apply(to: scaled)
        // The scaled features carry the rounding of one multiplication (0.5 ulp each), and
        // both fits the rounding of their sums over 501 samples: a few ulps of values of
        // order 1, so 1e-12 absolute. Without rescaling the variance overflows (or
        // underflows) and std falls back to 1: errors of order 1.
        #expect(got.count == expected.count)
        for (a, b) in zip(got.x0 + got.x1, expected.x0 + expected.x1) {
            #expect(abs(a - b) <= 1e-12, "scale \(scale)")
        }
    }
}

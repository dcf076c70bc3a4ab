import Foundation
import Testing

@testable import Backprop

@Suite struct StandardizationTests {
    @Test func fitsMeanAndPopulationStandardDeviation() {
        let data = Dataset(x0: [1, 2, 3, 4], x1: [10, 10, 30, 30], label: [0, 1, 0, 1])
        let standardization = Standardization(fitting: data)
        #expect(standardization.mean == [2.5, 20])
        #expect(abs(standardization.std[0] - 1.25.squareRoot()) < 1e-15)
        #expect(standardization.std[1] == 10)
        let scaled = standardization.apply(to: data)
        #expect(scaled.x1 == [-1, -1, 1, 1])
        #expect(abs(scaled.x0.reduce(0, +)) < 1e-15)
        #expect(scaled.label == data.label)
    }

    @Test func constantFeatureMapsToZeroWithoutDividingByZero() {
        let data = Dataset(x0: [7, 7, 7], x1: [1, 2, 3], label: [0, 1, 1])
        let standardization = Standardization(fitting: data)
        #expect(standardization.std[0] == 1)
        let scaled = standardization.apply(to: data)
        #expect(scaled.x0 == [0, 0, 0])
        #expect(scaled.x1.allSatisfy { $0.isFinite })
    }

    @Test func constantFeatureTrainsAndRoundTripsThroughTheModelFile() throws {
        let data = Dataset(x0: [5, 5, 5, 5], x1: [-1, -2, 1, 2], label: [0, 0, 1, 1])
        var configuration = TrainingConfiguration()
        configuration.epochs = 200
        configuration.batchSize = 4
        let model = Trainer<ReferenceEngine>(configuration).train(on: data)
        #expect(model.parameters.flattened.allSatisfy { $0.isFinite })
        let reread = try Model(json: Data(model.jsonText.utf8), name: "m.json")
        #expect(reread == model)
        #expect(ReferenceEngine(parameters: model.parameters).evaluate(model.prepare(data)).accuracy == 1)
    }
}

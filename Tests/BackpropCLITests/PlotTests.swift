import Foundation
import Testing

import Backprop
@testable import BackpropCLI

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite struct PlotTests {
    /// Element names and counts of an XML document; nil when it does not parse.
    final class ElementCounter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        var texts: [String] = []
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            counts[name, default: 0] += 1
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }

        static func count(_ svg: String) -> ElementCounter? {
            let counter = ElementCounter()
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = counter
            return parser.parse() ? counter : nil
        }
    }

    @Test func decisionBoundaryIsValidSVGWithMapPointsAxesAndLegend() throws {
        let data = SyntheticData.moons.generate(count: 600, seed: 2)
        var configuration = TrainingConfiguration()
        configuration.epochs = 60
        let model = try Trainer<SIMDEngine>(configuration).train(on: data)
        let svg = Plot.decisionBoundary(model: model, data: data, title: "moons & <model>")
        let counter = try #require(ElementCounter.count(svg))
        #expect(counter.counts["svg"] == 1)
        #expect((counter.counts["rect"] ?? 0) > 130 * 105)  // the heat map's cells
        #expect(counter.counts["circle"] == 600 + 2)  // the samples and two legend marks
        #expect(counter.counts["path"] == 1)  // the 0.5 boundary
        let text = counter.texts.joined()
        #expect(text.contains("x0") && text.contains("x1") && text.contains("label 1"))
        #expect(text.contains("moons & <model>"))
    }

    @Test func decisionBoundaryColoursFollowTheModel() throws {
        // A model that predicts label 1 exactly where x0 > 0: the map's left half is blue.
        var (hidden1, hidden2, output) = (Layer(neurons: 5, inputs: 2), Layer(neurons: 5, inputs: 5), Layer(neurons: 1, inputs: 5))
        hidden1.weights[0] = [40, 0]
        (hidden2.weights[0][0], hidden2.bias[0]) = (40, -20)
        (output.weights[0][0], output.bias[0]) = (40, -20)
        let parameters = Parameters(hidden1: hidden1, hidden2: hidden2, output: output)
        let data = try Dataset(x0: [-1, 1], x1: [0, 1], label: [0, 1])
        let svg = Plot.decisionBoundary(model: Model(parameters: parameters), data: data)
        let cells = svg.split(separator: "\n").filter { $0.hasPrefix("<rect x=") && $0.contains("width=\"4.") }
        let leftmost = cells.first { $0.contains("x=\"70.00\"") }
        let rightmost = cells.first { $0.contains("fill=\"#ef8a62\"") }
        #expect(leftmost?.contains(Plot.heat(0)) == true)
        #expect(rightmost != nil)
    }

    @Test func historyChartAndLogParsing() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("backprop-plot-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("log.jsonl").path
        try """
            {"epoch":1,"loss":0.7,"accuracy":0.5,"validation_loss":0.71,"validation_accuracy":0.48}
            {"epoch":2,"loss":0.4,"accuracy":0.8,"validation_loss":0.45,"validation_accuracy":0.79}

            """.write(toFile: log, atomically: true, encoding: .utf8)
        let points = try Plot.readHistory(path: log)
        #expect(points.count == 2)
        #expect(points[1].validationAccuracy == 0.79)
        let counter = try #require(ElementCounter.count(Plot.history(points)))
        #expect(counter.counts["polyline"] == 4)  // loss and accuracy, training and validation

        // Since `--evaluate-every`, most epochs log no training accuracy: a dot for the one that does.
        try """
            {"epoch":1,"loss":0.7,"accuracy":null,"validation_loss":0.71,"validation_accuracy":0.48}
            {"epoch":2,"loss":0.4,"accuracy":0.8,"validation_loss":0.45,"validation_accuracy":0.79}

            """.write(toFile: log, atomically: true, encoding: .utf8)
        let sparse = try #require(ElementCounter.count(Plot.history(try Plot.readHistory(path: log))))
        #expect(sparse.counts["polyline"] == 3)
        #expect(sparse.counts["circle"] == 1)

        try "{\"epoch\":1,\"loss\":0.7,\"accuracy\":0.5}\nnot json\n".write(toFile: log, atomically: true, encoding: .utf8)
        #expect(throws: InputError(file: log, line: 2, message: "not an epoch record (expected a JSON object with epoch and loss)")) {
            try Plot.readHistory(path: log)
        }
    }
    /// Found by the fuzzer: one epoch numbered 4.6e18, where a range of ±0.5 is lost to
    /// rounding, made the tick loop append forever. Every axis, of any numbers, has a few
    /// ticks inside it.
    @Test(arguments: [[4_616_860_427_387_903.0], [1e308], [-1e308, 1e308], [0], [1e-300, 2e-300], [3, 3 + 1e-13]] as [[Double]])
    func axesOfAnyNumbersHaveAFewTicks(values: [Double]) {
        let axis = Plot.Axis.covering(values, label: "epoch")
        #expect(axis.lower < axis.upper, "\(values)")
        #expect(axis.ticks.count <= 11, "\(values)")
        #expect(axis.ticks.allSatisfy { $0 >= axis.lower && $0 <= axis.upper + axis.span * 1e-9 }, "\(values)")
    }
}

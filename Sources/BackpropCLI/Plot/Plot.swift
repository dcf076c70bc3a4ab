import Backprop
import Foundation

/// SVG charts written by the package itself: a model's decision boundary over its data, and
/// the loss and accuracy of a training run per epoch. Plain SVG 1.1, valid XML.
enum Plot {
    /// The predicted probability of class 1 as a heat map over the data's range (blue for 0,
    /// white at 0.5, red for 1), the 0.5 boundary as a line, and the samples on top,
    /// coloured by label (at most `maximumPoints`, evenly spaced through the data).
    static func decisionBoundary(
        model: Model, data: Dataset, title: String = "Decision boundary", maximumPoints: Int = 2000
    ) -> String {
        precondition(!data.isEmpty, "no data to plot")
        let frame = Frame(
            x: Axis.covering(data.x0, label: "x0"), y: Axis.covering(data.x1, label: "x1"),
            left: 70, top: 50, width: 520, height: 420)
        let columns = 130
        let rows = 105
        var gridX0 = [Double](), gridX1 = [Double]()
        for row in 0..<rows {
            for column in 0..<columns {
                gridX0.append(frame.x.lower + (Double(column) + 0.5) / Double(columns) * frame.x.span)
                gridX1.append(frame.y.upper - (Double(row) + 0.5) / Double(rows) * frame.y.span)
            }
        }
        // The grid spans the data's finite range, so its points are finite.
        let grid = try! Dataset(x0: gridX0, x1: gridX1)
        let probability = model.probabilities(for: grid)

        var svg = header(width: 760, height: 530, title: title)
        let cellWidth = frame.width / Double(columns)
        let cellHeight = frame.height / Double(rows)
        svg += "<g shape-rendering=\"crispEdges\">\n"
        for row in 0..<rows {
            for column in 0..<columns {
                let p = probability[row * columns + column]
                svg += "<rect x=\"\(f(frame.left + Double(column) * cellWidth))\" y=\"\(f(frame.top + Double(row) * cellHeight))\" "
                svg += "width=\"\(f(cellWidth + 0.05))\" height=\"\(f(cellHeight + 0.05))\" fill=\"\(heat(p))\"/>\n"
            }
        }
        svg += "</g>\n"
        // The 0.5 boundary: cell edges where the predicted class changes.
        var path = ""
        for row in 0..<rows {
            for column in 0..<columns {
                let here = probability[row * columns + column] >= 0.5
                let x = frame.left + Double(column) * cellWidth
                let y = frame.top + Double(row) * cellHeight
                if column + 1 < columns && (probability[row * columns + column + 1] >= 0.5) != here {
                    path += "M\(f(x + cellWidth)) \(f(y))v\(f(cellHeight))"
                }
                if row + 1 < rows && (probability[(row + 1) * columns + column] >= 0.5) != here {
                    path += "M\(f(x)) \(f(y + cellHeight))h\(f(cellWidth))"
                }
            }
        }
        if !path.isEmpty {
            svg += "<path d=\"\(path)\" stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>\n"
        }
        let step = max(1, (data.count + maximumPoints - 1) / maximumPoints)
        svg += "<g stroke=\"white\" stroke-width=\"0.6\">\n"
        for i in stride(from: 0, to: data.count, by: step) {
            svg += "<circle cx=\"\(f(frame.xPosition(data.x0[i])))\" cy=\"\(f(frame.yPosition(data.x1[i])))\" r=\"2.6\" "
            svg += "fill=\"\(data.label[i] == 1 ? classOneColor : classZeroColor)\"/>\n"
        }
        svg += "</g>\n"
        svg += frame.axes()
        // Legend: the two classes and the colour scale.
        let legendX = frame.left + frame.width + 25
        svg += legendEntry(x: legendX, y: frame.top + 10, color: classZeroColor, text: "label 0", circle: true)
        svg += legendEntry(x: legendX, y: frame.top + 32, color: classOneColor, text: "label 1", circle: true)
        svg += "<text x=\"\(f(legendX))\" y=\"\(f(frame.top + 72))\" font-size=\"12\">P(label 1)</text>\n"
        for step in 0..<20 {
            let p = 1 - Double(step) / 19
            svg += "<rect x=\"\(f(legendX))\" y=\"\(f(frame.top + 80 + Double(step) * 8))\" width=\"18\" height=\"8.2\" fill=\"\(heat(p))\"/>\n"
        }
        svg += "<text x=\"\(f(legendX + 24))\" y=\"\(f(frame.top + 90))\" font-size=\"11\">1.0</text>\n"
        svg += "<text x=\"\(f(legendX + 24))\" y=\"\(f(frame.top + 164))\" font-size=\"11\">0.5</text>\n"
        svg += "<text x=\"\(f(legendX + 24))\" y=\"\(f(frame.top + 238))\" font-size=\"11\">0.0</text>\n"
        return svg + "</svg>\n"
    }

    /// One epoch of a training log.
    struct HistoryPoint: Codable, Sendable, Equatable {
        /// 1-based.
        var epoch: Int
        /// Mean training loss (of the epoch's mini-batches, in logs since `--evaluate-every`).
        var loss: Double
        /// Training accuracy, 0 to 1, on the epochs that evaluated the training set.
        var accuracy: Double?
        /// Mean validation loss, when the run held out a validation set.
        var validationLoss: Double?
        /// Validation accuracy, 0 to 1.
        var validationAccuracy: Double?

        /// A point of these values.
        init(epoch: Int, loss: Double, accuracy: Double?, validationLoss: Double? = nil, validationAccuracy: Double? = nil) {
            (self.epoch, self.loss, self.accuracy) = (epoch, loss, accuracy)
            (self.validationLoss, self.validationAccuracy) = (validationLoss, validationAccuracy)
        }

        /// `loss`, typed as the other series are.
        var optionalLoss: Double? { loss }

        enum CodingKeys: String, CodingKey {
            case epoch, loss, accuracy
            case validationLoss = "validation_loss"
            case validationAccuracy = "validation_accuracy"
        }
    }

    /// Reads a training log: one JSON object per line (`backprop train --log`).
    static func readHistory(path: String) throws(InputError) -> [HistoryPoint] {
        let data = try InputFile.contents(path, kind: "a training log")
        var points: [HistoryPoint] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let point = try? JSONDecoder().decode(HistoryPoint.self, from: Data(trimmed.utf8)),
                point.loss.isFinite, point.accuracy?.isFinite ?? true
            else {
                throw InputError(file: path, line: index + 1, message: "not an epoch record (expected a JSON object with epoch and loss)")
            }
            points.append(point)
        }
        guard !points.isEmpty else { throw InputError(file: path, line: 1, message: "no epochs in the log") }
        return points
    }

    /// Loss (top) and accuracy (bottom) per epoch, training and, when logged, validation.
    static func history(_ points: [HistoryPoint], title: String = "Training history") -> String {
        precondition(!points.isEmpty, "no epochs to plot")
        let epochs = points.map { Double($0.epoch) }
        let losses = points.map(\.loss) + points.compactMap(\.validationLoss)
        let accuracies = points.compactMap(\.accuracy) + points.compactMap(\.validationAccuracy)
        let epochAxis = Axis.covering(epochs, label: "epoch", padding: 0)
        var svg = header(width: 760, height: 640, title: title)
        let panels: [(Axis, KeyPath<HistoryPoint, Double?>, KeyPath<HistoryPoint, Double?>, Double)] = [
            (Axis.covering(losses, label: "loss (binary cross-entropy)", floorAtZero: true), \.optionalLoss, \.validationLoss, 50),
            (Axis.covering(accuracies.isEmpty ? [0, 1] : accuracies, label: "accuracy"), \.accuracy, \.validationAccuracy, 350),
        ]
        for (axis, training, validation, top) in panels {
            let frame = Frame(x: epochAxis, y: axis, left: 80, top: top, width: 520, height: 230)
            svg += frame.axes()
            for (series, color, dashed) in [(training, classZeroColor, false), (validation, classOneColor, true)] {
                let drawn = points.compactMap { point in
                    point[keyPath: series].map { (frame.xPosition(Double(point.epoch)), frame.yPosition($0)) }
                }
                if drawn.count > 1 { svg += polyline(drawn, color: color, dashed: dashed) }
                // Accuracy evaluated on one epoch only (the last, by default) is a dot, not a line.
                if drawn.count == 1 {
                    svg += "<circle cx=\"\(f(drawn[0].0))\" cy=\"\(f(drawn[0].1))\" r=\"3\" fill=\"\(color)\"/>\n"
                }
            }
        }
        svg += legendEntry(x: 625, y: 70, color: classZeroColor, text: "training", circle: false)
        if points.contains(where: { $0.validationLoss != nil }) {
            svg += legendEntry(x: 625, y: 92, color: classOneColor, text: "validation", circle: false)
        }
        return svg + "</svg>\n"
    }

    /// Lines of y against x, one per named series, each point a dot: for a sweep's accuracy
    /// against its learning rate, one line per seed or optimizer.
    static func lines(
        _ series: [(name: String, points: [(x: Double, y: Double)])], xLabel: String, yLabel: String, title: String
    ) -> String {
        precondition(series.contains { !$0.points.isEmpty }, "nothing to plot")
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }
        let frame = Frame(
            x: Axis.covering(xs, label: xLabel), y: Axis.covering(ys, label: yLabel), left: 80, top: 50, width: 520, height: 400)
        var svg = header(width: 760, height: 520, title: title) + frame.axes()
        for (number, line) in series.enumerated() {
            let color = palette[number % palette.count]
            let drawn = line.points.sorted { $0.x < $1.x }.map { (frame.xPosition($0.x), frame.yPosition($0.y)) }
            if drawn.count > 1 { svg += polyline(drawn, color: color) }
            for point in drawn { svg += "<circle cx=\"\(f(point.0))\" cy=\"\(f(point.1))\" r=\"3\" fill=\"\(color)\"/>\n" }
            svg += legendEntry(x: 625, y: 70 + 22 * Double(number), color: color, text: line.name, circle: false)
        }
        return svg + "</svg>\n"
    }

    /// Colours told apart in print and by most colour-blind readers (Okabe and Ito's).
    static let palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"]

    // MARK: Drawing

    static let classZeroColor = "#1f4e9c"
    static let classOneColor = "#b2182b"

    /// A number for an SVG attribute: two decimals, no exponent.
    static func f(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Text escaped for XML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Blue (0) through white (0.5) to red (1).
    static func heat(_ p: Double) -> String {
        let t = min(max(p, 0), 1)
        let (r, g, b): (Double, Double, Double) =
            t < 0.5
            ? (103 + (255 - 103) * t * 2, 169 + (255 - 169) * t * 2, 207 + (255 - 207) * t * 2)
            : (255 - (255 - 239) * (t - 0.5) * 2, 255 - (255 - 138) * (t - 0.5) * 2, 255 - (255 - 98) * (t - 0.5) * 2)
        return String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }

    static func header(width: Int, height: Int, title: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="28" font-size="16" text-anchor="middle">\(escape(title))</text>

        """
    }

    static func legendEntry(x: Double, y: Double, color: String, text: String, circle: Bool) -> String {
        let mark =
            circle
            ? "<circle cx=\"\(f(x + 6))\" cy=\"\(f(y))\" r=\"4\" fill=\"\(color)\" stroke=\"white\" stroke-width=\"0.6\"/>"
            : "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 16))\" y2=\"\(f(y))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        return mark + "<text x=\"\(f(x + 22))\" y=\"\(f(y + 4))\" font-size=\"12\">\(escape(text))</text>\n"
    }

    static func polyline(_ points: [(Double, Double)], color: String, dashed: Bool = false) -> String {
        let list = points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
        return "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
    }

    /// A value range with round tick marks.
    struct Axis {
        var lower: Double
        var upper: Double
        var label: String
        var span: Double { upper - lower }

        static func covering(
            _ values: [Double], label: String, padding: Double = 0.05, floorAtZero: Bool = false
        ) -> Axis {
            var low = values.min() ?? 0
            var high = values.max() ?? 1
            // One value (or values too close to tell apart at their magnitude: epoch 4.6e18,
            // where ±0.5 is lost to rounding) gets a range around it.
            let magnitude = Swift.max(abs(low), abs(high))
            if high - low < Swift.max(1e-12, magnitude * 1e-9) {
                let half = Swift.max(0.5, magnitude * 0.05)
                (low, high) = (low - half, high + half)
            }
            let margin = (high - low) * padding
            low = floorAtZero ? max(0, low - margin) : low - margin
            return Axis(lower: low, upper: high + margin, label: label)
        }

        /// About five round values inside the range (at most 11, whatever the numbers: a
        /// step lost to rounding never loops).
        var ticks: [Double] {
            let raw = span / 5
            let magnitude = Foundation.pow(10, (Foundation.log10(raw)).rounded(.down))
            let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
            guard step.isFinite && step > 0 else { return [] }
            var tick = (lower / step).rounded(.up) * step
            var result: [Double] = []
            while tick <= upper + step * 1e-9 && result.count < 11 {
                result.append(abs(tick) < step * 1e-9 ? 0 : tick)
                tick += step
            }
            return result
        }
    }

    /// A plotting area and its two axes.
    struct Frame {
        var x: Axis
        var y: Axis
        var left: Double
        var top: Double
        var width: Double
        var height: Double

        func xPosition(_ value: Double) -> Double { left + (value - x.lower) / x.span * width }
        func yPosition(_ value: Double) -> Double { top + (y.upper - value) / y.span * height }

        func axes() -> String {
            var svg = "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"none\" stroke=\"#333\"/>\n"
            for tick in x.ticks {
                let position = xPosition(tick)
                svg += "<line x1=\"\(f(position))\" y1=\"\(f(top + height))\" x2=\"\(f(position))\" y2=\"\(f(top + height + 5))\" stroke=\"#333\"/>"
                svg += "<text x=\"\(f(position))\" y=\"\(f(top + height + 18))\" font-size=\"11\" text-anchor=\"middle\">\(Plot.tickLabel(tick))</text>\n"
            }
            for tick in y.ticks {
                let position = yPosition(tick)
                svg += "<line x1=\"\(f(left - 5))\" y1=\"\(f(position))\" x2=\"\(f(left))\" y2=\"\(f(position))\" stroke=\"#333\"/>"
                svg += "<text x=\"\(f(left - 8))\" y=\"\(f(position + 4))\" font-size=\"11\" text-anchor=\"end\">\(Plot.tickLabel(tick))</text>\n"
            }
            svg += "<text x=\"\(f(left + width / 2))\" y=\"\(f(top + height + 38))\" font-size=\"13\" text-anchor=\"middle\">\(escape(x.label))</text>\n"
            svg += "<text x=\"\(f(left - 50))\" y=\"\(f(top + height / 2))\" font-size=\"13\" text-anchor=\"middle\" "
            svg += "transform=\"rotate(-90 \(f(left - 50)) \(f(top + height / 2)))\">\(escape(y.label))</text>\n"
            return svg
        }
    }

    /// A tick value without trailing zeros.
    static func tickLabel(_ value: Double) -> String {
        var text = String(format: "%.6g", value)
        if text == "-0" { text = "0" }
        return text
    }
}

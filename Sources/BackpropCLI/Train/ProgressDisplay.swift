import Backprop
import Foundation

/// Training progress for people, on stderr: a line redrawn in place on a terminal, one
/// plain line per epoch otherwise.
struct ProgressDisplay {
    let totalEpochs: Int
    let live = System.isTerminal(System.standardError)
    let started = ContinuousClock.now
    var firstEpoch: Int?

    mutating func show(_ report: EpochReport) {
        let width = String(totalEpochs).count
        let epoch = String(repeating: " ", count: max(0, width - String(report.epoch).count)) + "\(report.epoch)"
        var text = "epoch \(epoch)/\(totalEpochs)"
        if live {
            let filled = totalEpochs > 0 ? 20 * report.epoch / totalEpochs : 20
            text += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "]"
        }
        // The mini-batches' loss every epoch; the whole training set's only when it was evaluated.
        text += "  loss \(String(format: "%.6f", report.loss))"
        if let rate = report.learningRate { text += "  lr \(String(format: "%.6g", rate))" }
        if let training = report.training {
            text += "  train_loss \(String(format: "%.6f", training.loss))  accuracy \(percent(training.accuracy))"
        }
        if let validation = report.validation {
            text += "  val_loss \(String(format: "%.6f", validation.loss))  val_accuracy \(percent(validation.accuracy))"
        }
        text += "  \(humanRate(report.samplesPerSecond)) samples/s (engine \(humanRate(report.engineSamplesPerSecond)))"
        if firstEpoch == nil { firstEpoch = report.epoch - 1 }
        let done = report.epoch - (firstEpoch ?? 0)
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        if done > 0 && report.epoch < totalEpochs {
            let left = seconds / Double(done) * Double(totalEpochs - report.epoch)
            text += "  \(String(format: "%.1f", left))s left"
        }
        if live {
            writeStandardError("\r\u{1B}[K" + text)
        } else {
            printError(text)
        }
    }

    /// Ends a live line so that what follows starts on a line of its own.
    func finish() {
        if live { writeStandardError("\n") }
    }
}

import Backprop
import Foundation

/// What `train` tells the user: one JSON object per epoch (`--json`), nothing but errors
/// (`--quiet`), or the progress display and a summary.
struct TrainingReporter {
    enum Style {
        case text, json, quiet
    }

    let style: Style
    private var display: ProgressDisplay
    /// The last epoch's report.
    private(set) var last: EpochReport?

    init(_ outputs: TrainingOutputs, totalEpochs: Int) {
        style = outputs.json ? .json : outputs.quiet ? .quiet : .text
        display = ProgressDisplay(totalEpochs: totalEpochs)
    }

    mutating func epoch(_ report: EpochReport) {
        last = report
        switch style {
        case .json:
            print(Self.json(report))
            _ = System.flushStandardStreams()
        case .text:
            display.show(report)
        case .quiet:
            break
        }
    }

    /// Ends the progress display once the epochs are over.
    func finishEpochs() {
        if style == .text && last != nil { display.finish() }
    }

    /// The summary after the model was saved.
    func saved(_ result: (model: Model, progress: TrainingProgress), to path: String) {
        guard style == .text else { return }
        let progress = result.progress
        if progress.outcome == .stoppedEarly, let best = progress.bestValidationLoss {
            print(
                "stopped early after epoch \(progress.epochsCompleted): the validation loss (best \(String(format: "%.6f", best))) had not improved for \(progress.configuration.patience ?? 0) epochs; kept the best model"
            )
        }
        if let last, let training = last.training {
            var summary = "final accuracy \(percent(training.accuracy)) on \(training.count) training samples"
            if let validation = last.validation {
                summary += ", \(percent(validation.accuracy)) on \(validation.count) validation samples"
            }
            print(summary)
        }
        print("saved the model to \(path)")
    }

    /// What an interrupted run says on stderr, whatever the style.
    static func interrupted(_ progress: TrainingProgress, checkpoint: String?) {
        let position = "epoch \(progress.epochsCompleted + 1), after \(progress.batchesCompleted) mini-batches"
        if let checkpoint {
            printError("interrupted in \(position); the run's state is in \(checkpoint)\ncontinue with: backprop train --resume \(checkpoint)")
        } else {
            printError("interrupted in \(position); no model was saved (use --checkpoint FILE to be able to continue)")
        }
    }

    /// Why a diverged run saved nothing, and what to try.
    static func diverged(_ progress: TrainingProgress) -> String {
        let position =
            progress.batchesCompleted > 0
            ? "in epoch \(progress.epochsCompleted + 1), by mini-batch \(progress.batchesCompleted)"
            : "at the end of epoch \(progress.epochsCompleted)"
        if let rate = progress.learningRateState?.rate, !rate.isFinite {
            return "training diverged \(position): the --schedule took the learning rate to \(rate), so no model was saved "
                + "(an existing file is left as it was); try a schedule that keeps it finite"
        }
        return "training diverged \(position): a weight or the loss became NaN or infinite, so no model was saved "
            + "(an existing file is left as it was); try a smaller --learning-rate than \(progress.configuration.learningRate)"
    }

    /// One epoch as one line of JSON (`--json` and `--log`).
    static func json(_ report: EpochReport) -> String {
        let fields: [(key: String, value: Any?)] = [
            ("epoch", report.epoch), ("loss", report.loss), ("training_loss", report.training?.loss),
            ("accuracy", report.training?.accuracy), ("samples_per_second", report.samplesPerSecond),
            ("engine_samples_per_second", report.engineSamplesPerSecond), ("validation_loss", report.validation?.loss),
            ("validation_accuracy", report.validation?.accuracy),
        ]
        // Only a run with a schedule reports its rate: a constant run's lines keep their bytes.
        return jsonObject(fields + (report.learningRate.map { [("learning_rate", $0)] } ?? []))
    }
}

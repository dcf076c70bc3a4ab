"""Epochs to 95% training accuracy on moons for each learning-rate schedule at its best
learning rate, over seeds 1-5 (docs/Schedules.md).

For each schedule, a sweep over learning rates and seeds 1-5 (`backprop sweep`, moons of
2000 samples, each seed its own draw, train's defaults otherwise: batch 32, standardised,
shuffled) picks the learning rate of the lowest mean final training loss; then each seed is
trained at that rate with `--evaluate-every 1`, so that every epoch reports the accuracy on
the whole training set, and the first epoch at 95% or more is counted.

usage: python3 epochs_to_95.py PATH/TO/backprop [EPOCHS]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

RATES = "0.1,0.3,1,3,10"
SEEDS = range(1, 6)
TARGET = 0.95
DATA = ["--dataset", "moons", "--samples", "2000"]
SCHEDULES = [
    ("constant", []),
    ("step (every 30 epochs, gamma 0.5)", ["--schedule", "step", "--step-size", "30", "--gamma", "0.5"]),
    ("multistep (50, 75; gamma 0.3)", ["--schedule", "multistep", "--milestones", "50,75", "--gamma", "0.3"]),
    ("exponential (gamma 0.97)", ["--schedule", "exponential", "--gamma", "0.97"]),
    ("cosine (t-max: the epochs)", ["--schedule", "cosine"]),
    ("linear (factor 1 to 0.1 over the epochs)", ["--schedule", "linear", "--start-factor", "1", "--end-factor", "0.1",
                                                  "--total-iters", "{epochs}"]),
    ("onecycle (defaults; the rate is the peak)", ["--schedule", "onecycle"]),
    ("plateau (patience 5, factor 0.5)", ["--schedule", "plateau", "--plateau-patience", "5", "--plateau-factor", "0.5"]),
    ("cosine after a 5-epoch warmup", ["--schedule", "cosine", "--warmup-epochs", "5"]),
]


def best_rate(binary, options, epochs, folder):
    """The learning rate of the lowest mean final training loss over the seeds."""
    out = os.path.join(folder, "sweep")
    subprocess.run(["rm", "-rf", out], check=True)
    subprocess.run([binary, "sweep", "--out", out, *DATA, "--learning-rate", RATES, "--seed", ",".join(map(str, SEEDS)),
                    "--epochs", str(epochs), *options, "--quiet"], check=True)
    losses = {}
    with open(os.path.join(out, "results.jsonl")) as f:
        for line in f:
            result = json.loads(line)
            losses.setdefault(result["learning_rate"], []).append(result["loss"] if result["loss"] is not None else float("inf"))
    return min(losses, key=lambda rate: statistics.mean(losses[rate]))


def accuracies(binary, options, rate, seed, epochs, folder):
    """The training accuracy after every epoch of one run."""
    out = subprocess.run([binary, "train", *DATA, *options, "--learning-rate", str(rate), "--seed", str(seed),
                          "--epochs", str(epochs), "--evaluate-every", "1", "--json", "--save", os.path.join(folder, "m.json")],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line)["accuracy"] for line in out.splitlines()]


def main():
    binary = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    print(f"| schedule | best learning rate of {RATES} | epochs to {TARGET:.0%}, seeds 1-5 | accuracy after {epochs} epochs, mean |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for label, options in SCHEDULES:
            options = [option.format(epochs=epochs) for option in options]
            rate = best_rate(binary, options, epochs, folder)
            runs = [accuracies(binary, options, rate, seed, epochs, folder) for seed in SEEDS]
            reached = [next((e + 1 for e, a in enumerate(run) if a >= TARGET), None) for run in runs]
            shown = ", ".join(str(r) if r else f">{epochs}" for r in reached)
            median = statistics.median(r if r else epochs + 1 for r in reached)
            print(f"| {label} | {rate} | {shown} (median {median if median <= epochs else f'>{epochs}'}) | "
                  f"{statistics.mean(run[-1] for run in runs):.1%} |")


if __name__ == "__main__":
    main()

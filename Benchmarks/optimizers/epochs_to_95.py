"""Epochs to reach 95% training accuracy, per optimizer, over seeds 1-5 (docs/Optimizers.md).

Two data sets: the built-in moons (2000 samples, noise 0.2; each seed draws its own) and a
real one, the Wisconsin breast cancer set bundled with scikit-learn (569 tumours; the two
features "worst area" and "worst concave points"; label 1 = malignant). Every run is
`backprop train` with its defaults (batch 32, standardised, shuffled) and
`--evaluate-every 1`, so each epoch reports the accuracy on the whole training set.

usage: python3 epochs_to_95.py PATH/TO/backprop [EPOCHS]
needs: pip install scikit-learn
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import load_breast_cancer

SETTINGS = [
    ("SGD, learning rate 1 (the default)", []),
    ("SGD + Nesterov momentum 0.9, learning rate 0.3", ["--momentum", "0.9", "--nesterov", "--learning-rate", "0.3"]),
    ("Adam, learning rate 0.001 (PyTorch's default)", ["--optimizer", "adam", "--learning-rate", "0.001"]),
    ("Adam, learning rate 0.01", ["--optimizer", "adam", "--learning-rate", "0.01"]),
]
SEEDS = range(1, 6)
TARGET = 0.95


def accuracies(binary, data, options, seed, epochs, folder):
    """The training accuracy after every epoch of one run."""
    out = subprocess.run([binary, "train", *data, *options, "--seed", str(seed), "--epochs", str(epochs),
                          "--evaluate-every", "1", "--json", "--save", os.path.join(folder, "m.json")],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line)["accuracy"] for line in out.splitlines()]


def main():
    binary = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as folder:
        cancer = load_breast_cancer()
        columns = [list(cancer.feature_names).index(n) for n in ("worst area", "worst concave points")]
        rows = np.column_stack([cancer.data[:, columns], 1 - cancer.target])
        path = os.path.join(folder, "breast_cancer.csv")
        np.savetxt(path, rows, delimiter=",", header="worst_area,worst_concave_points,malignant", comments="",
                   fmt=["%.17g", "%.17g", "%d"])
        sets = [("moons (2000 samples)", ["--dataset", "moons"]), ("breast cancer (569 samples)", ["--data", path])]
        print(f"| optimizer | " + " | ".join(f"{name}: epochs to {TARGET:.0%}, seeds 1-5 | accuracy at 60 epochs, mean"
                                            for name, _ in sets) + " |")
        print("|---" * (1 + 2 * len(sets)) + "|")
        for label, options in SETTINGS:
            cells = []
            for _, data in sets:
                runs = [accuracies(binary, data, options, seed, epochs, folder) for seed in SEEDS]
                reached = [next((e + 1 for e, a in enumerate(run) if a >= TARGET), None) for run in runs]
                shown = ", ".join(str(r) if r else f">{epochs}" for r in reached)
                median = statistics.median(r if r else epochs + 1 for r in reached)
                cells.append(f"{shown} (median {median if median <= epochs else f'>{epochs}'})")
                cells.append(f"{statistics.mean(run[min(60, epochs) - 1] for run in runs):.1%}")
            print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

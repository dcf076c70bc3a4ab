"""Checks `backprop train --schedule` against torch.optim.lr_scheduler.

1. The rates: for every schedule, with settings other than the defaults, 200 epochs of
   `backprop train --json` report each epoch's learning rate, and PyTorch's scheduler,
   driven as a training loop drives it (`optimizer.step()` every mini-batch, then
   `scheduler.step()` every epoch, or every mini-batch for OneCycleLR, or with the epoch's
   loss for ReduceLROnPlateau), gives its own. They must agree to 1e-15, relative.
2. The training: the weights after 3 epochs with a schedule, on every engine given, with
   plain SGD, Nesterov momentum and Adam, against the autograd oracle of
   check_against_autograd.py stepped at PyTorch's rates, to 1e-9.

usage: python3 check_schedules.py PATH/TO/backprop [ENGINE ...]
needs: pip install torch autograd numpy
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

import check_against_autograd as oracle

RATE_TOLERANCE = 1e-15
EPOCHS, SAMPLES, BATCH = 200, 64, 16  # four mini-batches an epoch

# (name, command-line options, base rate, a function making the PyTorch scheduler)
S = torch.optim.lr_scheduler
SCHEDULES = [
    ("step", ["--schedule", "step", "--step-size", "7", "--gamma", "0.7"], 0.3, lambda o: S.StepLR(o, 7, gamma=0.7)),
    ("multistep", ["--schedule", "multistep", "--milestones", "5,30,31,120", "--gamma", "0.45"], 0.3,
     lambda o: S.MultiStepLR(o, [5, 30, 31, 120], gamma=0.45)),
    ("exponential", ["--schedule", "exponential", "--gamma", "0.97"], 0.3, lambda o: S.ExponentialLR(o, 0.97)),
    ("cosine", ["--schedule", "cosine", "--t-max", "37", "--eta-min", "0.013"], 0.3,
     lambda o: S.CosineAnnealingLR(o, 37, eta_min=0.013)),
    ("cosine, run's length", ["--schedule", "cosine", "--eta-min", "0.0"], 0.7, lambda o: S.CosineAnnealingLR(o, EPOCHS)),
    ("linear", ["--schedule", "linear", "--start-factor", "0.9", "--end-factor", "0.05", "--total-iters", "150"], 0.3,
     lambda o: S.LinearLR(o, start_factor=0.9, end_factor=0.05, total_iters=150)),
    ("onecycle", ["--schedule", "onecycle", "--max-learning-rate", "0.8", "--pct-start", "0.2", "--div-factor", "10",
                  "--final-div-factor", "300"], None,
     lambda o: S.OneCycleLR(o, 0.8, epochs=EPOCHS, steps_per_epoch=SAMPLES // BATCH, pct_start=0.2, div_factor=10,
                            final_div_factor=300, cycle_momentum=False)),
    ("onecycle linear", ["--schedule", "onecycle", "--learning-rate", "0.5", "--anneal-strategy", "linear"], None,
     lambda o: S.OneCycleLR(o, 0.5, epochs=EPOCHS, steps_per_epoch=SAMPLES // BATCH, anneal_strategy="linear",
                            cycle_momentum=False)),
    ("plateau", ["--schedule", "plateau", "--plateau-factor", "0.6", "--plateau-patience", "3", "--plateau-threshold",
                 "0.01", "--cooldown", "2", "--min-learning-rate", "0.002"], 0.3,
     lambda o: S.ReduceLROnPlateau(o, factor=0.6, patience=3, threshold=0.01, cooldown=2, min_lr=0.002)),
    ("warmup, then step", ["--schedule", "step", "--step-size", "5", "--gamma", "0.8", "--warmup-epochs", "9",
                           "--warmup-start-factor", "0.1"], 0.3,
     lambda o: warmup(o, 9, 0.1, S.StepLR(o, 5, gamma=0.8))),
    ("warmup, then cosine", ["--schedule", "cosine", "--eta-min", "0.03", "--warmup-epochs", "12"], 0.3,
     lambda o: warmup(o, 12, 1 / 3, S.CosineAnnealingLR(o, EPOCHS - 12, eta_min=0.03))),
    ("warmup, then linear", ["--schedule", "linear", "--start-factor", "0.5", "--end-factor", "0.25", "--total-iters", "40",
                             "--warmup-epochs", "4"], 0.3,
     lambda o: warmup(o, 4, 1 / 3, S.LinearLR(o, start_factor=0.5, end_factor=0.25, total_iters=40))),
    ("warmup, then constant", ["--warmup-epochs", "6", "--warmup-start-factor", "0.3"], 0.3,
     lambda o: warmup(o, 6, 0.3, S.ConstantLR(o, factor=1.0, total_iters=0))),
    ("warmup, then multistep", ["--schedule", "multistep", "--milestones", "3,50", "--warmup-epochs", "5"], 0.3,
     lambda o: warmup(o, 5, 1 / 3, S.MultiStepLR(o, [3, 50]))),
    ("warmup, then exponential", ["--schedule", "exponential", "--gamma", "0.99", "--warmup-epochs", "5"], 0.3,
     lambda o: warmup(o, 5, 1 / 3, S.ExponentialLR(o, 0.99))),
]


def warmup(optimizer, epochs, start_factor, scheduler):
    """`--warmup-epochs`: SequentialLR([LinearLR, S], milestones=[epochs]), the LinearLR made
    first, as its documentation shows."""
    first = S.LinearLR(optimizer, start_factor=start_factor, end_factor=1.0, total_iters=epochs)
    return S.SequentialLR(optimizer, [first, scheduler], milestones=[epochs])


def torch_rates(make, base, epochs, steps_per_epoch, epoch_losses=None):
    """The rate of every mini-batch, as a training loop with PyTorch's scheduler takes them."""
    parameter = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([parameter], lr=base if base is not None else 1.0)
    # A scheduler made after the one it follows would see the first's rate: build in order.
    scheduler = make(optimizer)
    rates = []
    for epoch in range(epochs):
        for _ in range(steps_per_epoch):
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if isinstance(scheduler, S.OneCycleLR):
                scheduler.step()
        if isinstance(scheduler, S.ReduceLROnPlateau):
            scheduler.step(epoch_losses[epoch])
        elif not isinstance(scheduler, S.OneCycleLR):
            scheduler.step()
    return rates


def check_rates(binary, folder):
    failures = 0
    for name, options, base, make in SCHEDULES:
        rate = ["--learning-rate", str(base)] if base is not None else []
        out = subprocess.run([binary, "train", "--samples", str(SAMPLES), "--batch-size", str(BATCH), "--epochs",
                              str(EPOCHS), *rate, *options, "--json", "--save", os.path.join(folder, "m.json")],
                             check=True, capture_output=True, text=True).stdout
        reports = [json.loads(line) for line in out.splitlines()]
        ours = [r["learning_rate"] for r in reports]
        losses = [r["loss"] for r in reports]
        theirs = torch_rates(make, base, EPOCHS, SAMPLES // BATCH, losses)[::SAMPLES // BATCH]
        worst = max(abs(a - b) / abs(b) if b else abs(a) for a, b in zip(ours, theirs))
        failed = len(ours) != EPOCHS or worst > RATE_TOLERANCE
        distinct = len(set(theirs))
        failures += failed
        print(f"rates {name:26s}: {len(ours)} epochs, {distinct:3d} distinct rates, max relative difference "
              f"{worst:.1e} ({'FAILED' if failed else 'ok'}, tolerance {RATE_TOLERANCE})")
    return failures


# The training: (name, options, base rate, scheduler), each run for 3 epochs of 63 mini-batches.
TRAINING_EPOCHS = 3
TRAINED = [
    ("step after warmup", ["--schedule", "step", "--step-size", "1", "--gamma", "0.5", "--warmup-epochs", "1",
                           "--warmup-start-factor", "0.2"],
     lambda o: warmup(o, 1, 0.2, S.StepLR(o, 1, gamma=0.5))),
    ("cosine", ["--schedule", "cosine", "--eta-min", "0.001"], lambda o: S.CosineAnnealingLR(o, TRAINING_EPOCHS, eta_min=0.001)),
    ("onecycle", ["--schedule", "onecycle", "--pct-start", "0.25"],
     lambda o: S.OneCycleLR(o, o.param_groups[0]["lr"], total_steps=TRAINING_EPOCHS * 63, pct_start=0.25,
                            cycle_momentum=False)),
    ("plateau", ["--schedule", "plateau", "--plateau-patience", "0", "--plateau-factor", "0.5", "--plateau-threshold", "0.5"],
     lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=0, threshold=0.5)),
]
OPTIMIZERS = [
    ("sgd", [], 0.05, dict(kind="sgd")),
    ("nesterov", ["--momentum", "0.9", "--nesterov"], 0.02, dict(kind="sgd", momentum=0.9, nesterov=True)),
    ("adam", ["--optimizer", "adam"], 0.01, dict(kind="adam")),
]


def scheduled(make, base, steps_per_epoch):
    """The oracle's rate at each step: PyTorch's scheduler stepped as a training loop steps
    it, with the oracle's own epoch losses for ReduceLROnPlateau."""
    def rate(step, epoch_losses):
        epochs = step // steps_per_epoch + 1
        losses = epoch_losses + [0.0] * (epochs - len(epoch_losses))
        return torch_rates(make, base, epochs, steps_per_epoch, losses)[step]
    return rate


def check_training(binary, folder, engines):
    rng = np.random.default_rng(2024)
    data = oracle.make_data(rng, 1000 + 7)
    start = [oracle.glorot(rng, 5, 2), np.zeros(5), oracle.glorot(rng, 5, 5), np.zeros(5), oracle.glorot(rng, 1, 5), np.zeros(1)]
    data_path, init_path = os.path.join(folder, "data.csv"), os.path.join(folder, "init.json")
    np.savetxt(data_path, data, delimiter=",", header="x0,x1,y", comments="", fmt=["%.17g", "%.17g", "%d"])
    with open(init_path, "w") as f:
        json.dump({"topology": [2, 5, 5, 1], "layers": [{"weights": w.tolist(), "bias": b.tolist()}
                                                         for w, b in zip(start[0::2], start[1::2])]}, f)
    failures = 0
    for name, options, make in TRAINED:
        for optimizer, optimizer_options, base, settings in OPTIMIZERS:
            # The rates of every step, made once: each step's rate depends only on the steps before.
            cache = {}
            rate = scheduled(make, base, 63)

            def rates(step, epoch_losses):
                key = (step, len(epoch_losses))
                if key not in cache:
                    cache[key] = rate(step, epoch_losses)
                return cache[key]
            trained = oracle.train_oracle(start, data, 16, base, settings, 1.0, epochs=TRAINING_EPOCHS, rates=rates)
            expected = oracle.flatten([{"weights": w, "bias": b} for w, b in zip(trained[0::2], trained[1::2])])
            for engine in engines:
                out = os.path.join(folder, f"{engine}.json")
                subprocess.run([binary, "train", "--data", data_path, "--init", init_path, "--no-shuffle", "--no-standardize",
                                "--epochs", str(TRAINING_EPOCHS), "--batch-size", "16", "--learning-rate", str(base),
                                *optimizer_options, *options, "--engine", engine, "--save", out, "--quiet"], check=True)
                with open(out) as f:
                    got = oracle.flatten(json.load(f)["layers"])
                worst = float(np.max(np.abs(got - expected)))
                failures += worst > oracle.TOLERANCE
                print(f"train {name:18s} {optimizer:8s} {engine:9s}: max |w - w_autograd| = {worst:.3e} "
                      f"({'ok' if worst <= oracle.TOLERANCE else 'FAILED'}, tolerance {oracle.TOLERANCE})")
    return failures


def main():
    binary = sys.argv[1]
    engines = sys.argv[2:] or ["reference"]
    with tempfile.TemporaryDirectory() as folder:
        failures = check_rates(binary, folder) + check_training(binary, folder, engines)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

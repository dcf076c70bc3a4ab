"""Checks `backprop train` against an independent float64 autodiff implementation.

The oracle is the `autograd` package (reverse-mode autodiff over numpy): it trains the
same 2-5-5-1 network by the same rules (mean binary cross-entropy from the logit,
consecutive mini-batches in file order, a last partial batch averaged over its own size)
from the same start, on raw features, and the weights must agree to 1e-9. Every optimizer
setting is checked: the update rules below are written from PyTorch's documentation of
torch.optim.SGD, Adam and AdamW, and the positive weight from BCEWithLogitsLoss's.

The data set is kept small (126 steps at batch 16): on raw features of this spread,
longer runs become chaotic, and any two float64 implementations (this oracle included)
drift apart by rounding alone (seen with 3,000 samples: differences of order 1).

usage: python3 check_against_autograd.py PATH/TO/backprop [ENGINE ...]
needs: pip install autograd numpy
"""
import json
import os
import subprocess
import sys
import tempfile

import autograd.numpy as anp
import numpy as np
from autograd import grad

EPOCHS, SAMPLES = 2, 1000
BATCHES = [16, 1024]  # the whole set in one batch: four shards, split across threads
TOLERANCE = 1e-9


def make_data(rng, n):
    """Unscaled two moons (x spread over ~[-10, 30]) so that raw features are exercised."""
    t = rng.uniform(0, np.pi, n)
    y = (rng.uniform(0, 1, n) < 0.5).astype(float)
    x0 = np.where(y == 0, np.cos(t), 1 - np.cos(t)) + rng.normal(0, 0.2, n)
    x1 = np.where(y == 0, np.sin(t), 0.5 - np.sin(t)) + rng.normal(0, 0.2, n)
    return np.column_stack([x0 * 10 + 5, x1 * 3 - 1, y])


def glorot(rng, fan_out, fan_in):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_out, fan_in))


# (name, command-line options, learning rate, optimizer settings, positive weight)
CONFIGS = [
    ("sgd", [], 0.5, dict(kind="sgd"), 1.0),
    ("sgd momentum", ["--momentum", "0.9"], 0.05, dict(kind="sgd", momentum=0.9), 1.0),
    ("sgd nesterov decay", ["--momentum", "0.8", "--nesterov", "--weight-decay", "0.01"], 0.05,
     dict(kind="sgd", momentum=0.8, nesterov=True, weight_decay=0.01), 1.0),
    ("sgd positive-weight", ["--positive-weight", "3"], 0.2, dict(kind="sgd"), 3.0),
    ("adam", ["--optimizer", "adam"], 0.01, dict(kind="adam"), 1.0),
    ("adam betas decay", ["--optimizer", "adam", "--beta1", "0.8", "--beta2", "0.99", "--epsilon", "1e-6",
                          "--weight-decay", "0.02"], 0.01,
     dict(kind="adam", beta1=0.8, beta2=0.99, epsilon=1e-6, weight_decay=0.02), 1.0),
    ("adamw", ["--optimizer", "adamw", "--positive-weight", "0.5"], 0.01, dict(kind="adamw", weight_decay=0.01), 0.5),
]


def softplus(x):
    return anp.maximum(x, 0) + anp.log1p(anp.exp(-anp.abs(x)))


def loss(params, x, y, pos_weight):
    """BCEWithLogitsLoss(pos_weight): mean of -[w·y·log σ(z) + (1 − y)·log(1 − σ(z))]."""
    w1, b1, w2, b2, w3, b3 = params
    a1 = 1 / (1 + anp.exp(-(anp.dot(x, w1.T) + b1)))
    a2 = 1 / (1 + anp.exp(-(anp.dot(a1, w2.T) + b2)))
    z = anp.dot(a2, w3.T)[:, 0] + b3[0]
    return anp.mean(pos_weight * y * softplus(-z) + (1 - y) * softplus(z))


def train_oracle(params, data, batch_size, lr, opt, pos_weight, epochs=EPOCHS, rates=None):
    """Mini-batch steps with the update rules of PyTorch's documentation (dampening 0).
    `rates`, when given, is a learning-rate schedule: a function of the step (from 0) and
    the epoch losses so far (each the mean of its mini-batches' losses before their steps)."""
    gradient = grad(loss)
    epoch_losses = []
    kind, decay = opt["kind"], opt.get("weight_decay", 0.0)
    momentum, nesterov = opt.get("momentum", 0.0), opt.get("nesterov", False)
    beta1, beta2, eps = opt.get("beta1", 0.9), opt.get("beta2", 0.999), opt.get("epsilon", 1e-8)
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    t = 0
    for _ in range(epochs):
        loss_sum = 0.0
        for start in range(0, len(data), batch_size):
            batch = data[start:start + batch_size]
            grads = gradient(params, batch[:, :2], batch[:, 2], pos_weight)
            loss_sum += float(loss(params, batch[:, :2], batch[:, 2], pos_weight)) * len(batch)
            if rates is not None:
                lr = rates(t, epoch_losses)
            t += 1
            updated = []
            for i, (theta, g) in enumerate(zip(params, grads)):
                if kind == "sgd":
                    if decay:
                        g = g + decay * theta
                    if momentum:
                        first[i] = g if t == 1 else momentum * first[i] + g
                        g = g + momentum * first[i] if nesterov else first[i]
                    theta = theta - lr * g
                else:
                    if kind == "adamw":
                        theta = theta - lr * decay * theta
                    elif decay:
                        g = g + decay * theta
                    first[i] = beta1 * first[i] + (1 - beta1) * g
                    second[i] = beta2 * second[i] + (1 - beta2) * g * g
                    m_hat = first[i] / (1 - beta1 ** t)
                    v_hat = second[i] / (1 - beta2 ** t)
                    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
                updated.append(theta)
            params = updated
        epoch_losses.append(loss_sum / len(data))
    return params


def check_sweep(binary, folder, data_path, init_path, start, data):
    """`backprop sweep` (the population engine, eight configurations in the lanes of a core)
    over learning rates, batch sizes, optimizers and momentums: every configuration's model
    against the oracle with its settings (adamw's default decay 0.01)."""
    out = os.path.join(folder, "sweep")
    subprocess.run([binary, "sweep", "--data", data_path, "--init", init_path, "--no-shuffle", "--no-standardize",
                    "--epochs", str(EPOCHS), "--learning-rate", "0.01,0.05", "--seed", "1", "--batch-size", "16,1024",
                    "--optimizer", "sgd,adam,adamw", "--momentum", "0,0.9", "--out", out, "--threads", "2", "--quiet"],
                   check=True)
    failures = 0
    with open(os.path.join(out, "results.jsonl")) as f:
        results = [json.loads(line) for line in f]
    for result in results:
        opt = {"kind": result["optimizer"], "momentum": result["momentum"]}
        if result["optimizer"] == "adamw":
            opt["weight_decay"] = 0.01
        trained = train_oracle(start, data, result["batch_size"], result["learning_rate"], opt, 1.0)
        expected = flatten([{"weights": w, "bias": b} for w, b in zip(trained[0::2], trained[1::2])])
        with open(os.path.join(out, result["model"])) as f:
            got = flatten(json.load(f)["layers"])
        worst = float(np.max(np.abs(got - expected)))
        failures += worst > TOLERANCE
        print(f"sweep config {result['index']:2d} ({result['optimizer']:5s} lr {result['learning_rate']} "
              f"batch {result['batch_size']:4d} momentum {result['momentum']}): max |w - w_autograd| = {worst:.3e} "
              f"({'ok' if worst <= TOLERANCE else 'FAILED'}, tolerance {TOLERANCE})")
    if len(results) != 16:
        print(f"sweep: {len(results)} configurations, expected 16: FAILED")
        failures += 1
    return failures


def flatten(layers):
    return np.concatenate([np.concatenate([np.ravel(l["weights"]), l["bias"]]) for l in layers])


def main():
    binary = sys.argv[1]
    engines = sys.argv[2:] or ["reference"]
    rng = np.random.default_rng(2024)
    data = make_data(rng, SAMPLES + 7)  # 62 batches of 16 and one of 15; or one batch of 1007
    start = [glorot(rng, 5, 2), np.zeros(5), glorot(rng, 5, 5), np.zeros(5), glorot(rng, 1, 5), np.zeros(1)]
    start[1] = rng.uniform(-0.5, 0.5, 5)  # non-zero biases too
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        data_path = os.path.join(folder, "data.csv")
        np.savetxt(data_path, data, delimiter=",", header="x0,x1,y", comments="", fmt=["%.17g", "%.17g", "%d"])
        init_path = os.path.join(folder, "init.json")
        layers = [{"weights": w.tolist(), "bias": b.tolist()} for w, b in zip(start[0::2], start[1::2])]
        with open(init_path, "w") as f:
            json.dump({"topology": [2, 5, 5, 1], "layers": layers}, f)
        for (name, options, lr, opt, pos_weight) in CONFIGS:
            for batch_size in BATCHES:
                trained = train_oracle(start, data, batch_size, lr, opt, pos_weight)
                expected = flatten([{"weights": w, "bias": b} for w, b in zip(trained[0::2], trained[1::2])])
                for engine in engines:
                    saved = {}
                    for threads in ([1, 2] if engine == "parallel" else [1]):
                        out = os.path.join(folder, f"{engine}-{threads}-{batch_size}.json")
                        subprocess.run([binary, "train", "--data", data_path, "--init", init_path, "--no-shuffle",
                                        "--no-standardize", "--epochs", str(EPOCHS), "--batch-size", str(batch_size),
                                        "--learning-rate", str(lr), *options, "--engine", engine,
                                        "--threads", str(threads), "--save", out, "--quiet"], check=True)
                        with open(out, "rb") as f:
                            saved[threads] = f.read()
                        got = flatten(json.loads(saved[threads])["layers"])
                        worst = float(np.max(np.abs(got - expected)))
                        verdict = "ok" if worst <= TOLERANCE else "FAILED"
                        failures += worst > TOLERANCE
                        print(f"{name:19s} {engine:9s} threads={threads} batch={batch_size:5d}: "
                              f"max |w - w_autograd| = {worst:.3e} after {EPOCHS} epochs ({verdict}, tolerance {TOLERANCE})")
                    if len(saved) > 1:
                        same = saved[1] == saved[2]
                        failures += not same
                        print(f"{name:19s} {engine:9s} batch={batch_size:5d}: --threads 1 and 2 saved "
                              f"{'byte-identical' if same else 'DIFFERENT'} models")
        failures += check_sweep(binary, folder, data_path, init_path, start, data)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

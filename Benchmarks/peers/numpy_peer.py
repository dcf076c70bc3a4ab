"""The seed's network done right in numpy: vectorised over the mini-batch, float64.

Mean binary cross-entropy from the logit (stable form), output delta (sigmoid(z) - y) / m,
gradients summed over the batch, plain SGD, file order, a last partial batch averaged over
its own size. Prints one JSON object: samples_per_second (after one untimed warm-up epoch),
and with --loss the full-data loss and accuracy after exactly one epoch on all the data
from init.json.

usage: python3 numpy_peer.py FOLDER BATCH_SIZE [MAX_SAMPLES] [--loss]      needs: numpy
"""
import json

import numpy as np

import peer

LEARNING_RATE = 0.5


def load(folder):
    data = np.loadtxt(f"{folder}/moons.csv", delimiter=",", skiprows=1)
    with open(f"{folder}/init.json") as f:
        layers = json.load(f)["layers"]
    params = []
    for layer in layers:
        params += [np.array(layer["weights"], dtype=np.float64), np.array(layer["bias"], dtype=np.float64)]
    return data[:, :2].copy(), data[:, 2].copy(), params


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def epoch(params, x, y, batch_size):
    w1, b1, w2, b2, w3, b3 = params
    for start in range(0, len(y), batch_size):
        xb = x[start:start + batch_size]
        yb = y[start:start + batch_size]
        m = len(yb)
        a1 = sigmoid(xb @ w1.T + b1)
        a2 = sigmoid(a1 @ w2.T + b2)
        z3 = a2 @ w3[0] + b3[0]
        d3 = (sigmoid(z3) - yb) / m
        d2 = np.outer(d3, w3[0]) * a2 * (1 - a2)
        d1 = (d2 @ w2) * a1 * (1 - a1)
        w3 -= LEARNING_RATE * (d3 @ a2)[None, :]
        b3 -= LEARNING_RATE * d3.sum(keepdims=True)
        w2 -= LEARNING_RATE * (d2.T @ a1)
        b2 -= LEARNING_RATE * d2.sum(0)
        w1 -= LEARNING_RATE * (d1.T @ xb)
        b1 -= LEARNING_RATE * d1.sum(0)


def evaluate(params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    z = sigmoid(sigmoid(x @ w1.T + b1) @ w2.T + b2) @ w3[0] + b3[0]
    loss = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    return float(loss), float(np.mean((z >= 0) == (y == 1)))


def main():
    peer.run("numpy", load, lambda start: [p.copy() for p in start], epoch, evaluate)


if __name__ == "__main__":
    main()

"""The same workload in PyTorch (CPU, float64), written the idiomatic fast way: autograd,
BCEWithLogitsLoss (the stable form, mean over the batch) and torch.optim.SGD, one thread.
Prints one JSON object like numpy_peer.py (with --loss, the loss after one epoch).

usage: python3 torch_peer.py FOLDER BATCH_SIZE [MAX_SAMPLES] [--loss]      needs: pip install torch numpy
"""
import json
import sys
import time

import numpy as np
import torch

LEARNING_RATE = 0.5


def load(folder):
    data = np.loadtxt(f"{folder}/moons.csv", delimiter=",", skiprows=1)
    with open(f"{folder}/init.json") as f:
        layers = json.load(f)["layers"]
    return torch.from_numpy(data[:, :2].copy()), torch.from_numpy(data[:, 2].copy()), layers


def network(layers):
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 1)
    ).double()
    with torch.no_grad():
        for linear, layer in zip([model[0], model[2], model[4]], layers):
            linear.weight.copy_(torch.tensor(layer["weights"], dtype=torch.float64))
            linear.bias.copy_(torch.tensor(layer["bias"], dtype=torch.float64))
    return model


def epoch(model, x, y, batch_size):
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    loss_function = torch.nn.BCEWithLogitsLoss()
    for start in range(0, len(y), batch_size):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(x[start:start + batch_size])[:, 0], y[start:start + batch_size])
        loss.backward()
        optimizer.step()


def main():
    torch.set_num_threads(1)
    arguments = [a for a in sys.argv[1:] if a != "--loss"]
    folder, batch_size = arguments[0], int(arguments[1])
    limit = int(arguments[2]) if len(arguments) > 2 else None
    x, y, layers = load(folder)
    loss = accuracy = None
    if "--loss" in sys.argv:
        model = network(layers)
        epoch(model, x, y, batch_size)
        with torch.no_grad():
            z = model(x)[:, 0]
            loss = float(torch.nn.functional.binary_cross_entropy_with_logits(z, y))
            accuracy = float(((z >= 0) == (y == 1)).double().mean())
    xs, ys = (x[:limit], y[:limit]) if limit else (x, y)
    timed = network(layers)
    epoch(timed, xs, ys, batch_size)  # warm-up
    began = time.perf_counter()
    epoch(timed, xs, ys, batch_size)
    seconds = time.perf_counter() - began
    print(json.dumps({"tool": "pytorch", "batch_size": batch_size, "samples_per_second": len(ys) / seconds,
                      "loss_after_one_epoch": loss, "accuracy_after_one_epoch": accuracy}))


if __name__ == "__main__":
    main()

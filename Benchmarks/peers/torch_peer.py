"""The same workload in PyTorch (CPU, float64), written the idiomatic fast way: autograd,
BCEWithLogitsLoss (the stable form, mean over the batch) and torch.optim.SGD, one thread.
Prints one JSON object like numpy_peer.py (with --loss, the loss after one epoch).

usage: python3 torch_peer.py FOLDER BATCH_SIZE [MAX_SAMPLES] [--loss]      needs: pip install torch numpy
"""
import json

import numpy as np
import torch

import peer

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


def evaluate(model, x, y):
    with torch.no_grad():
        z = model(x)[:, 0]
        loss = float(torch.nn.functional.binary_cross_entropy_with_logits(z, y))
        return loss, float(((z >= 0) == (y == 1)).double().mean())


def main():
    torch.set_num_threads(1)
    peer.run("pytorch", load, network, epoch, evaluate)


if __name__ == "__main__":
    main()

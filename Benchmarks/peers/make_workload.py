"""Writes the standard workload: moons.csv (x0,x1,y; 2^20 rows by default, standardised),
the same numbers as raw little-endian float64 rows in moons.f64 (what the C yardstick reads)
and init.json (Glorot-uniform starting weights, seed 7), deterministically.

usage: python3 make_workload.py [N] [FOLDER]      needs: numpy
"""
import json
import sys

import numpy as np


def moons(n, noise, seed):
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = rng.uniform(0, np.pi, n_out)
    t_in = rng.uniform(0, np.pi, n_in)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], 1)
    inner = np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1)
    x = np.concatenate([outer, inner]) + rng.normal(0, noise, (n, 2))
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    order = rng.permutation(n)
    x, y = x[order], y[order]
    return (x - x.mean(0)) / x.std(0), y


def glorot(rng, fan_out, fan_in):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_out, fan_in))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 20
    folder = sys.argv[2] if len(sys.argv) > 2 else "."
    x, y = moons(n, 0.2, 0)
    np.column_stack([x, y]).astype("<f8").tofile(f"{folder}/moons.f64")
    np.savetxt(f"{folder}/moons.csv", np.column_stack([x, y]), delimiter=",", header="x0,x1,y", comments="",
               fmt=["%.17g", "%.17g", "%d"])
    rng = np.random.default_rng(7)
    layers = [{"weights": glorot(rng, o, i).tolist(), "bias": [0.0] * o} for i, o in [(2, 5), (5, 5), (5, 1)]]
    with open(f"{folder}/init.json", "w") as f:
        json.dump({"topology": [2, 5, 5, 1], "layers": layers}, f, indent=1)
    print(f"wrote {n} samples to {folder}/moons.csv, moons.f64 and init.json")


if __name__ == "__main__":
    main()

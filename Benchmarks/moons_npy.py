"""Writes 2^LOG2ROWS moons-like rows (x0, x1, label), float64, to FOLDER/data-LOG2ROWS.npy:
the data of the end-to-end benchmarks (train_vs_bench.sh, train_throughput.sh).

usage: python3 Benchmarks/moons_npy.py LOG2ROWS FOLDER   (needs numpy)
"""
import sys

import numpy as np

log2rows, folder = int(sys.argv[1]), sys.argv[2]
n = 1 << log2rows
rng = np.random.default_rng(1)
t = rng.uniform(0, np.pi, n)
y = rng.integers(0, 2, n)
x0 = np.where(y == 0, np.cos(t), 1 - np.cos(t)) + rng.normal(0, 0.2, n)
x1 = np.where(y == 0, np.sin(t), 0.5 - np.sin(t)) + rng.normal(0, 0.2, n)
np.save(f"{folder}/data-{log2rows}.npy", np.column_stack([x0, x1, y]).astype("<f8"))

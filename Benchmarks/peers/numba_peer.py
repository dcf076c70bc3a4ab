"""The same workload as hand-written loops compiled by numba (float64, one thread): one
sample at a time, gradients summed over the mini-batch, then one SGD step. Prints one JSON
object like numpy_peer.py (with --loss, the loss after one epoch).

usage: python3 numba_peer.py FOLDER BATCH_SIZE [MAX_SAMPLES] [--loss]      needs: pip install numba numpy
"""
import math

import numba
import numpy as np

import numpy_peer
import peer

LEARNING_RATE = 0.5


@numba.njit(cache=False)
def epoch_loops(w1, b1, w2, b2, w3, b3, x, y, batch_size, learning_rate):
    g1 = np.zeros((5, 2))
    gb1 = np.zeros(5)
    g2 = np.zeros((5, 5))
    gb2 = np.zeros(5)
    g3 = np.zeros(5)
    a1 = np.empty(5)
    a2 = np.empty(5)
    d2 = np.empty(5)
    n = len(y)
    for start in range(0, n, batch_size):
        end = min(start + batch_size, n)
        g1[:] = 0.0
        gb1[:] = 0.0
        g2[:] = 0.0
        gb2[:] = 0.0
        g3[:] = 0.0
        gb3 = 0.0
        for s in range(start, end):
            x0 = x[s, 0]
            x1 = x[s, 1]
            for i in range(5):
                a1[i] = 1.0 / (1.0 + math.exp(-(w1[i, 0] * x0 + w1[i, 1] * x1 + b1[i])))
            z3 = b3[0]
            for i in range(5):
                z = b2[i]
                for j in range(5):
                    z += w2[i, j] * a1[j]
                a2[i] = 1.0 / (1.0 + math.exp(-z))
                z3 += w3[0, i] * a2[i]
            d3 = 1.0 / (1.0 + math.exp(-z3)) - y[s]
            gb3 += d3
            for i in range(5):
                g3[i] += d3 * a2[i]
                d2[i] = d3 * w3[0, i] * a2[i] * (1.0 - a2[i])
                gb2[i] += d2[i]
                for j in range(5):
                    g2[i, j] += d2[i] * a1[j]
            for j in range(5):
                e = 0.0
                for i in range(5):
                    e += w2[i, j] * d2[i]
                d1 = e * a1[j] * (1.0 - a1[j])
                g1[j, 0] += d1 * x0
                g1[j, 1] += d1 * x1
                gb1[j] += d1
        scale = learning_rate / (end - start)
        w1 -= scale * g1
        b1 -= scale * gb1
        w2 -= scale * g2
        b2 -= scale * gb2
        w3[0] -= scale * g3
        b3[0] -= scale * gb3


def epoch(params, x, y, batch_size):
    epoch_loops(*params, x, y, batch_size, LEARNING_RATE)


def main():
    peer.run("numba", numpy_peer.load, lambda start: [p.copy() for p in start], epoch, numpy_peer.evaluate)


if __name__ == "__main__":
    main()

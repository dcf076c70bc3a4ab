"""The same workload in JAX (float64, CPU, one thread): the loss written once and
differentiated by jax.grad, a whole epoch's full mini-batches in one jitted lax.scan, the
last partial batch as one more jitted step. Prints one JSON object like numpy_peer.py (with
--loss, the loss after one epoch).

usage: python3 jax_peer.py FOLDER BATCH_SIZE [MAX_SAMPLES] [--loss]      needs: pip install jax numpy
"""
import os

# One thread for XLA's CPU backend; must be set before jax is imported.
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

import numpy_peer  # noqa: E402
import peer  # noqa: E402

jax.config.update("jax_enable_x64", True)
LEARNING_RATE = 0.5


def loss(params, x, y):
    w1, b1, w2, b2, w3, b3 = params
    a1 = jax.nn.sigmoid(x @ w1.T + b1)
    a2 = jax.nn.sigmoid(a1 @ w2.T + b2)
    z = a2 @ w3[0] + b3[0]
    return jnp.mean(jnp.maximum(z, 0) - z * y + jnp.log1p(jnp.exp(-jnp.abs(z))))


@jax.jit
def step(params, x, y):
    gradients = jax.grad(loss)(params, x, y)
    return [p - LEARNING_RATE * g for p, g in zip(params, gradients)]


@jax.jit
def full_batches(params, xs, ys):
    return jax.lax.scan(lambda p, batch: (step(p, *batch), None), params, (xs, ys))[0]


def epoch(state, x, y, batch_size):
    full = len(y) // batch_size * batch_size
    params = state[0]
    if full:
        params = full_batches(params, x[:full].reshape(-1, batch_size, 2), y[:full].reshape(-1, batch_size))
    if full < len(y):
        params = step(params, x[full:], y[full:])
    state[0] = jax.block_until_ready(params)


def main():
    def load(folder):
        x, y, start = numpy_peer.load(folder)
        return jnp.asarray(x), jnp.asarray(y), [jnp.asarray(p) for p in start]

    def evaluate(state, x, y):
        return numpy_peer.evaluate([jax.device_get(p).copy() for p in state[0]], jax.device_get(x), jax.device_get(y))

    peer.run("jax", load, lambda start: [list(start)], epoch, evaluate)


if __name__ == "__main__":
    main()

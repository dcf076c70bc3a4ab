"""The peer of the population engine: 16 models of the same network trained at once with
JAX's vmap (float64, CPU, one thread), each its own starting weights, a whole epoch's full
mini-batches in one jitted lax.scan of the vmapped SGD step. Prints model-samples/s of the
timed epochs (one untimed warm-up epoch first, which compiles).

usage: python3 jax_vmap_population.py BATCH_SIZE [SAMPLES] [MODELS]    needs: pip install jax numpy
(the data: the standard workload's two moons, generated here with numpy; speed does not
depend on the values)
"""
import sys
import time

# First: the single-model peer sets one XLA thread and float64 before jax starts; its loss
# and SGD step are the ones vmapped here.
from jax_peer import step

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

# Every model sees the same batch: the parameters are mapped, the data broadcast.
population_step = jax.vmap(step, in_axes=(0, None, None))


@jax.jit
def epoch(params, xs, ys):
    return jax.lax.scan(lambda p, batch: (population_step(p, *batch), None), params, (xs, ys))[0]


def main():
    batch = int(sys.argv[1])
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 16
    models = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    samples = samples // batch * batch
    rng = np.random.default_rng(7)
    t = rng.uniform(0, np.pi, samples)
    y = (rng.uniform(0, 1, samples) < 0.5).astype(float)
    x = np.column_stack([np.where(y == 0, np.cos(t), 1 - np.cos(t)), np.where(y == 0, np.sin(t), 0.5 - np.sin(t))])
    x += rng.normal(0, 0.2, x.shape)
    xs, ys = jnp.asarray(x.reshape(-1, batch, 2)), jnp.asarray(y.reshape(-1, batch))

    def glorot(fan_out, fan_in):
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (models, fan_out, fan_in))

    params = [jnp.asarray(a) for a in (glorot(5, 2), np.zeros((models, 5)), glorot(5, 5), np.zeros((models, 5)),
                                       glorot(1, 5), np.zeros((models, 1)))]
    params = jax.block_until_ready(epoch(params, xs, ys))  # compiles
    rounds = 3
    started = time.perf_counter()
    for _ in range(rounds):
        params = jax.block_until_ready(epoch(params, xs, ys))
    seconds = time.perf_counter() - started
    print(f'{{"peer": "jax-vmap", "models": {models}, "batch_size": {batch}, "samples": {samples}, '
          f'"model_samples_per_second": {models * samples * rounds / seconds:.1f}}}')


if __name__ == "__main__":
    main()

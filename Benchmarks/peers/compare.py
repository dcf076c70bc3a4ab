"""Backprop beside the tools its users would pick instead, in one run, on one machine.

Writes the standard workload (make_workload.py), then for batch sizes 1, 32, 256, 4096 and
65536 measures `backprop bench` (SIMD engine on 1 thread, parallel engine on all cores)
and the peers, each pinned to one core (numpy_peer.py; numba_peer.py, jax_peer.py and
torch_peer.py when numba, JAX and PyTorch are installed), checks that every
one reaches the same loss after one epoch at batch 256 (to 1e-9), and prints a table of
samples/s with the ratios to Backprop's single-thread SIMD engine.

Installs nothing. Needs: numpy (pip install numpy); for the other rows, pip install numba jax torch.
Build Backprop first: swift build -c release (from the package root).

usage: python3 Benchmarks/peers/compare.py [--backprop PATH] [--folder DIR]
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BATCHES = [1, 32, 256, 4096, 65536]
# Peers are slow at tiny batches: they are timed on the first 2^16 samples there.
SMALL_BATCH_SAMPLES = 1 << 16
TOLERANCE = 1e-9


def run_json(command, env=None, preexec_fn=None):
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env, preexec_fn=preexec_fn).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backprop", default=os.path.join(HERE, "..", "..", ".build", "release", "backprop"))
    parser.add_argument("--folder", default="/tmp/backprop-workload")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    if not os.path.exists(os.path.join(args.folder, "moons.csv")):
        subprocess.run([sys.executable, os.path.join(HERE, "make_workload.py"), str(1 << 20), args.folder], check=True)
    csv, init = os.path.join(args.folder, "moons.csv"), os.path.join(args.folder, "init.json")
    one_thread = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                      NUMBA_NUM_THREADS="1")

    # Peers run pinned to one core, so that no library's worker threads can use the other.
    def one_core():
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    peers = [("numpy", "numpy_peer.py")]
    for name, module, script in [("numba", "numba", "numba_peer.py"), ("jax", "jax", "jax_peer.py"),
                                 ("pytorch", "torch", "torch_peer.py")]:
        if importlib.util.find_spec(module) is not None:
            peers.append((name, script))
        else:
            print(f"{module} is not installed (pip install {module}): its row is left out.")

    # Same loss after one epoch at batch 256, from the same start.
    losses = {}
    trained = run_json([args.backprop, "train", "--data", csv, "--init", init, "--no-shuffle", "--no-standardize",
                        "--epochs", "1", "--batch-size", "256", "--learning-rate", "0.5", "--engine", "simd",
                        "--json", "--quiet",
                        "--save", os.path.join(args.folder, "backprop-one-epoch.json")])
    losses["backprop"] = trained["loss"]
    rates = {}
    for batch in BATCHES:
        for engine, threads in [("simd", 1), ("parallel", os.cpu_count() or 1)]:
            result = run_json([args.backprop, "bench", "--engine", engine, "--threads", str(threads), "--batch-size",
                               str(batch), "--data", csv, "--init", init, "--epochs", "2", "--json"])
            rates[(f"backprop {engine} ({threads} thread{'s' if threads > 1 else ''})", batch)] = \
                result["samples_per_second"]
        for name, script in peers:
            extra = [str(SMALL_BATCH_SAMPLES)] if batch <= 32 else []
            extra += ["--loss"] if batch == 256 else []
            result = run_json([sys.executable, os.path.join(HERE, script), args.folder, str(batch)] + extra,
                              env=one_thread, preexec_fn=one_core)
            rates[(f"{name} (1 thread)", batch)] = result["samples_per_second"]
            if batch == 256:
                losses[name] = result["loss_after_one_epoch"]

    reference = losses["backprop"]
    agree = all(abs(loss - reference) <= TOLERANCE for loss in losses.values())
    print("loss after one epoch at batch 256: " + ", ".join(f"{k} {v:.16g}" for k, v in losses.items())
          + f" -> {'agree' if agree else 'DISAGREE'} to {TOLERANCE}")

    rows = sorted({row for row, _ in rates}, key=lambda r: (not r.startswith("backprop"), r))
    base = "backprop simd (1 thread)"
    print()
    print("| tool | " + " | ".join(f"B={b}" for b in BATCHES) + " |")
    print("|---|" + "---|" * len(BATCHES))
    for row in rows:
        cells = []
        for batch in BATCHES:
            rate = rates[(row, batch)]
            ratio = rates[(base, batch)] / rate
            cells.append(f"{rate / 1e6:.2f} M" + ("" if row == base else f" ({ratio:.1f}x slower)" if ratio >= 1
                                                   else f" ({1 / ratio:.2f}x faster)"))
        print(f"| {row} | " + " | ".join(cells) + " |")
    sys.exit(0 if agree else 1)


if __name__ == "__main__":
    main()

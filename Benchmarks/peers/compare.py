"""Backprop beside the tools its users would pick instead, in one run, on one machine.

Writes the standard workload (make_workload.py), then for batch sizes 1, 32, 256, 4096 and
65536 measures `backprop bench` (SIMD engine on 1 thread, parallel engine on all cores)
and the peers, each pinned to one core (numpy_peer.py; numba_peer.py, jax_peer.py and
torch_peer.py when numba, JAX and PyTorch are installed), checks that every
one reaches the same loss after one epoch at batch 256 (to 1e-9: the loss of the whole
data set under the weights after the epoch, `backprop evaluate` on the model it saved,
against each peer's), and prints a table of samples/s with the ratios to Backprop's
single-thread SIMD engine. Exits 1 when a loss disagrees.

--reduced (what CI runs, so that the check cannot drift): 2^14 samples, batch 256 only,
and the peers that are installed.

Installs nothing. Needs: numpy (pip install numpy); for the other rows, pip install numba jax torch.
Build Backprop first: swift build -c release (from the package root).

usage: python3 Benchmarks/peers/compare.py [--backprop PATH] [--folder DIR] [--reduced]
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
    parser.add_argument("--folder", default=None, help="the workload's folder (default: /tmp/backprop-workload[-reduced])")
    parser.add_argument("--reduced", action="store_true", help="2^14 samples, batch 256 only: the agreement check")
    args = parser.parse_args()
    batches = [256] if args.reduced else BATCHES
    args.folder = args.folder or ("/tmp/backprop-workload-reduced" if args.reduced else "/tmp/backprop-workload")
    os.makedirs(args.folder, exist_ok=True)
    if not os.path.exists(os.path.join(args.folder, "moons.csv")):
        samples = 1 << 14 if args.reduced else 1 << 20
        subprocess.run([sys.executable, os.path.join(HERE, "make_workload.py"), str(samples), args.folder], check=True)
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

    # Same loss after one epoch at batch 256, from the same start: the whole data set's loss
    # under the weights the epoch ends with (train's own `loss` is the mean of the epoch's
    # mini-batch losses, each before its step: another quantity).
    losses = {}
    model = os.path.join(args.folder, "backprop-one-epoch.json")
    subprocess.run([args.backprop, "train", "--data", csv, "--init", init, "--no-shuffle", "--no-standardize",
                    "--epochs", "1", "--batch-size", "256", "--learning-rate", "0.5", "--engine", "simd",
                    "--quiet", "--save", model], check=True)
    losses["backprop"] = run_json([args.backprop, "evaluate", "--model", model, "--data", csv, "--json"])["loss"]
    rates = {}
    for batch in batches:
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
    print("| tool | " + " | ".join(f"B={b}" for b in batches) + " |")
    print("|---|" + "---|" * len(batches))
    for row in rows:
        cells = []
        for batch in batches:
            rate = rates[(row, batch)]
            ratio = rates[(base, batch)] / rate
            cells.append(f"{rate / 1e6:.2f} M" + ("" if row == base else f" ({ratio:.1f}x slower)" if ratio >= 1
                                                   else f" ({1 / ratio:.2f}x faster)"))
        print(f"| {row} | " + " | ".join(cells) + " |")
    sys.exit(0 if agree else 1)


if __name__ == "__main__":
    main()

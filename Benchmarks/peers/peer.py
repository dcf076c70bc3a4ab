"""What every peer does around its own training code: arguments, the one-epoch loss, timing.

A peer is run as `python3 PEER.py FOLDER BATCH_SIZE [MAX_SAMPLES] [--loss]` and prints one
JSON object: samples_per_second over one epoch (after an untimed warm-up epoch, on the first
MAX_SAMPLES samples if given) and, with --loss, the full-data loss and accuracy after exactly
one epoch on all the data from init.json.
"""
import json
import sys
import time


def run(tool, load, fresh, epoch, evaluate):
    """load(folder) -> (x, y, start); fresh(start) -> a trainable state; epoch(state, x, y, batch_size);
    evaluate(state, x, y) -> (loss, accuracy)."""
    arguments = [a for a in sys.argv[1:] if a != "--loss"]
    folder, batch_size = arguments[0], int(arguments[1])
    limit = int(arguments[2]) if len(arguments) > 2 else None
    x, y, start = load(folder)
    loss = accuracy = None
    if "--loss" in sys.argv:
        state = fresh(start)
        epoch(state, x, y, batch_size)
        loss, accuracy = evaluate(state, x, y)
    xs, ys = (x[:limit], y[:limit]) if limit else (x, y)
    timed = fresh(start)
    epoch(timed, xs, ys, batch_size)  # warm-up
    began = time.perf_counter()
    epoch(timed, xs, ys, batch_size)
    seconds = time.perf_counter() - began
    print(json.dumps({"tool": tool, "batch_size": batch_size, "samples_per_second": len(ys) / seconds,
                      "loss_after_one_epoch": loss, "accuracy_after_one_epoch": accuracy}))

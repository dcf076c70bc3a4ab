#!/usr/bin/env bash
# `train` with the default shuffle beside `bench`, the same engine and batch size on the same
# rows, alternating, round after round: the ratio of a run end to end to its SGD steps alone.
#
# Each round runs `bench --data F` (the steps alone, 3 timed epochs after a warm-up), then
# `train --data F` with each BACKPROP given, and prints each train's rate and its ratio to
# that round's bench. A train's rate is the median of its epochs' own `samples_per_second`
# (each epoch end to end: the shuffle, the chunks, the steps, the reports), over epochs 2 to
# EPOCHS - 1: the first also draws its order in line and the last evaluates the training
# set. The loading of the file and the saving of the model are not counted.
#
# On a shared machine a round's ratio moves with its neighbours; read the medians.
#
# usage: Benchmarks/train_vs_bench.sh [BACKPROP...]   (ROWS="20 24", BATCHES="256 4096",
#   ROUNDS=5, EPOCHS=10, ENGINE=simd; needs python3 and numpy; the .npy files, up to 400 MB,
#   go to a temporary folder that is removed). A second BACKPROP (another build) is measured
#   in the same rounds, for before-and-after figures.
set -euo pipefail
binaries=("$@")
[[ ${#binaries[@]} -gt 0 ]] || binaries=("$(dirname "$0")/../.build/release/backprop")
for binary in "${binaries[@]}"; do
    [[ -x $binary ]] || { echo "train_vs_bench.sh: no executable at $binary; run 'swift build -c release' first" >&2; exit 1; }
done
rows=${ROWS:-"20 24"}
batches=${BATCHES:-"256 4096"}
rounds=${ROUNDS:-5}
epochs=${EPOCHS:-10}
engine=${ENGINE:-simd}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bench() {  # bench FILE BATCH: M samples/s
    "${binaries[0]}" bench --data "$1" --batch-size "$2" --engine "$engine" --epochs 3 --json |
        python3 -c "import json, sys; print('%.1f' % (json.load(sys.stdin)['samples_per_second'] / 1e6))"
}

train() {  # train BACKPROP FILE BATCH: M samples/s, median of epochs 2 to EPOCHS - 1
    "$1" train --data "$2" --batch-size "$3" --engine "$engine" --epochs "$epochs" --json --save "$work/model.json" |
        python3 -c "
import json, statistics, sys
epochs = [json.loads(line) for line in sys.stdin][1:-1]
print('%.1f' % (statistics.median(e['samples_per_second'] for e in epochs) / 1e6))"
}

for log in $rows; do
    python3 "$(dirname "$0")/moons_npy.py" "$log" "$work"
    file=$work/data-$log.npy
    for batch in $batches; do
        declare -A ratios=()
        for round in $(seq "$rounds"); do
            steps=$(bench "$file" "$batch")
            line="2^$log rows, batch $batch, round $round: bench $steps"
            for i in "${!binaries[@]}"; do
                rate=$(train "${binaries[$i]}" "$file" "$batch")
                ratio=$(python3 -c "print('%.2f' % ($rate / $steps))")
                ratios[$i]="${ratios[$i]:-} $ratio"
                line="$line | train $rate (${ratio}x)"
            done
            echo "$line"
        done
        for i in "${!binaries[@]}"; do
            python3 -c "
import statistics, sys
r = [float(x) for x in sys.argv[2].split()]
print('2^$log rows, batch $batch, %s: median %.2fx (%.2f-%.2f)' % (sys.argv[1], statistics.median(r), min(r), max(r)))" "${binaries[$i]}" "${ratios[$i]}"
        done
    done
    rm -f "$file"
done

#!/usr/bin/env bash
# End-to-end `train` throughput beside the engine's, per epoch, on data of 2^20 and 2^24
# rows in .npy files: every shuffle (samples, blocks, none), loaded and streamed, on one
# and on two threads; then the peak memory of a run on a file larger than a memory limit.
#
# Rates are the --json reports' own: `samples_per_second` is the epoch end to end (shuffle,
# gathers, SGD steps, evaluations), `engine_samples_per_second` the SGD steps alone. The
# median over epochs 2 to EPOCHS (the first pays for page faults, the last for the final
# evaluation of the training set, and is left out).
#
# usage: Benchmarks/train_throughput.sh [BACKPROP]   (ROWS="20 24", EPOCHS=8; needs python3
#   and numpy; the files, up to 400 MB, go to a temporary folder that is removed)
set -euo pipefail
backprop=${1:-"$(dirname "$0")/../.build/release/backprop"}
[[ -x $backprop ]] || { echo "train_throughput.sh: no executable at $backprop; run 'swift build -c release' first" >&2; exit 1; }
rows=${ROWS:-"20 24"}
epochs=${EPOCHS:-8}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_file() {  # make_file LOG2ROWS: moons-like rows in $work/data-LOG2ROWS.npy
    python3 "$(dirname "$0")/moons_npy.py" "$1" "$work"
}

rates() {  # rates ARGS...: "end-to-end engine" medians, M samples/s
    "$backprop" train --epochs "$epochs" --batch-size 256 --json --save "$work/model.json" "$@" | python3 -c "
import json, statistics, sys
lines = [json.loads(l) for l in sys.stdin][1:-1]
print('%.1f %.1f' % (statistics.median(l['samples_per_second'] for l in lines) / 1e6,
                     statistics.median(l['engine_samples_per_second'] for l in lines) / 1e6))"
}

echo "| rows | threads | shuffle | data | train, end to end | engine within train |"
echo "|---|---|---|---|---|---|"
for log in $rows; do
    make_file "$log"
    file=$work/data-$log.npy
    for threads in 1 2; do
        engine=$([ "$threads" = 1 ] && echo simd || echo parallel)
        for shuffle in samples blocks none; do
            options=(--data "$file" --engine "$engine" --threads "$threads")
            case $shuffle in
            samples) ;;
            blocks) options+=(--shuffle blocks) ;;
            none) options+=(--no-shuffle) ;;
            esac
            read -r run steps < <(rates "${options[@]}")
            echo "| 2^$log | $threads | $shuffle | loaded | $run | $steps |"
            if [ "$shuffle" != samples ]; then
                read -r run steps < <(rates "${options[@]}" --stream)
                echo "| 2^$log | $threads | $shuffle | streamed | $run | $steps |"
            fi
        done
    done
    rm -f "$file"
done

# Peak memory: a 2^24-row file (384 MiB of rows), loaded and streamed, and streamed again
# under a limit of 256 MiB of address space beyond the process's start (ulimit -v).
make_file 24
file=$work/data-24.npy
peak() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
echo
echo "peak resident memory, 2^24 rows ($(du -m "$file" | cut -f1) MB file), 2 epochs, --shuffle blocks:"
echo "  loaded:   $(peak "$backprop" train --data "$file" --epochs 2 --shuffle blocks --quiet --save "$work/m.json") KB"
echo "  streamed: $(peak "$backprop" train --data "$file" --epochs 2 --shuffle blocks --stream --quiet --save "$work/m.json") KB"

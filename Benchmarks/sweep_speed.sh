#!/usr/bin/env bash
# `sweep` on the population engine beside `sweep --engine simd`, the same grid, alternating,
# round after round: the speed-ups of issue 25 (model-samples per second of the whole
# command: data, training, scoring, results).
#
# Grids, on moons (SAMPLES samples a seed, EPOCHS epochs):
#   grid     4 learning rates x 4 seeds (16 configurations), at each batch size in BATCHES,
#            on 1 and 2 threads, population and simd;
#   seeds    16 configurations of 16 different seeds beside 16 learning rates of one seed
#            (population, batch 1, 1 thread), on one data file (moons_npy.py, SAMPLES rows) so that
#            the seeds differ in their splits and orders only: what 8 orders a group cost.
# Prints each run's model-samples/s, then the medians and their ratios.
#
# usage: Benchmarks/sweep_speed.sh [BACKPROP]   (ROUNDS=3, EPOCHS=10, SAMPLES=65536,
#   BATCHES="1 32 256", THREADS="1 2"; BACKPROP_KERNEL=x86-64-v3 forces the AVX2 kernels)
set -euo pipefail
binary=${1:-"$(dirname "$0")/../.build/release/backprop"}
[[ -x $binary ]] || { echo "sweep_speed.sh: no executable at $binary; run 'swift build -c release' first" >&2; exit 1; }
rounds=${ROUNDS:-3}
epochs=${EPOCHS:-10}
samples=${SAMPLES:-65536}
batches=${BATCHES:-"1 32 256"}
threads_list=${THREADS:-"1 2"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "$("$binary" --version), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"

log2=$(python3 -c "import math; print(round(math.log2($samples)))")  # the file has 2^log2 rows
python3 "$(dirname "$0")/moons_npy.py" "$log2" "$work"
data="$work/data-$log2.npy"

rate() {  # rate NAME ARGS...: M model-samples/s of one sweep, appended to $work/NAME
    local name=$1
    shift
    rm -rf "$work/out"
    local started ended
    started=$(date +%s.%N)
    "$binary" sweep --out "$work/out" --epochs "$epochs" --quiet "$@"
    ended=$(date +%s.%N)
    local configurations
    configurations=$(wc -l < "$work/out/results.jsonl")
    python3 -c "print('%.2f' % ($configurations * $epochs * $samples / ($ended - $started) / 1e6))" >> "$work/$name"
    tail -1 "$work/$name"
}

seeds16=$(seq -s, 1 16)
rates16=$(python3 -c "print(','.join(str(round(0.1 * (i + 1), 1)) for i in range(16)))")
for round in $(seq "$rounds"); do
    for batch in $batches; do
        for threads in $threads_list; do
            for engine in population simd; do
                r=$(rate "grid-$batch-$threads-$engine" --dataset moons --samples "$samples" --engine "$engine" \
                    --threads "$threads" --batch-size "$batch" \
                    --learning-rate 0.1,0.3,1,3 --seed 1,2,3,4)
                echo "round $round: batch $batch, $threads thread(s), $engine: $r M model-samples/s"
            done
        done
    done
    r=$(rate seeds-16 --data "$data" --threads 1 --batch-size 1 --learning-rate 1 --seed "$seeds16")
    s=$(rate seeds-1 --data "$data" --threads 1 --batch-size 1 --learning-rate "$rates16" --seed 1)
    echo "round $round: 16 seeds $r, 16 learning rates of one seed $s M model-samples/s"
done

median() { sort -g "$work/$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo "medians over $rounds rounds (M model-samples/s):"
for batch in $batches; do
    for threads in $threads_list; do
        p=$(median "grid-$batch-$threads-population")
        s=$(median "grid-$batch-$threads-simd")
        echo "  batch $batch, $threads thread(s): population $p, simd $s, ratio $(python3 -c "print('%.2f' % ($p / $s))")"
    done
    if [[ " $threads_list " == *" 1 "* && " $threads_list " == *" 2 "* ]]; then
        echo "  batch $batch: population on 2 threads over 1: $(python3 -c "print('%.2f' % ($(median "grid-$batch-2-population") / $(median "grid-$batch-1-population")))")"
    fi
done
echo "  16 seeds over 16 learning rates of one seed: $(python3 -c "print('%.2f' % ($(median seeds-16) / $(median seeds-1)))")"

#!/usr/bin/env bash
# Two threads against one, for the C yardstick and for backprop, side by side.
#
# The yardstick's two-thread design (`mt-lanes`: each batch split in static halves between
# two pinned threads, one spin barrier per batch, every thread applying the summed update to
# its own copy of the weights) is what the parallel engine's scaling is measured against.
# Each round runs, in an order that rotates from round to round: yardstick mt-lanes on 1 and
# on 2 threads, `backprop bench --engine simd`, and `--engine parallel --threads 2`. On a
# shared machine a core's speed changes from second to second, so ratios are taken within
# each round, and printed beside the ratio of the medians.
#
# usage: Benchmarks/yardstick/scaling.sh YARDSTICK_DIR [BACKPROP]
#   (ROUNDS=8, BATCHES="4096 65536", EPOCHS=10: backprop's timed epochs)
#   YARDSTICK_DIR is the folder of the C yardstick (yardstick.c). Build backprop first with
#   `swift build -c release`. Needs gcc, python3 and numpy; the yardstick's build and data
#   as in compare.sh (build.sh).
set -euo pipefail
rounds=${ROUNDS:-8}
batches=${BATCHES:-"4096 65536"}
epochs=${EPOCHS:-10}
source "$(dirname "$0")/build.sh"

yardstick_rate() { DATA_DIR=$work "$yardstick" bench mt-lanes "$1" "$2" | tail -1 | sed 's/.*samples_per_s=\([0-9.e+]*\).*/\1/'; }
backprop_rate() { "$backprop" bench --json --epochs "$epochs" --batch-size "$@" | sed 's/.*"samples_per_second":\([0-9.e+-]*\).*/\1/'; }
kinds=(yardstick1 yardstick2 simd1 parallel2)

for batch in $batches; do
    for round in $(seq "$rounds"); do
        for i in 0 1 2 3; do
            kind=${kinds[(i + round) % 4]}
            case $kind in
                yardstick1) rate=$(yardstick_rate "$batch" 1) ;;
                yardstick2) rate=$(yardstick_rate "$batch" 2) ;;
                simd1) rate=$(backprop_rate "$batch" --engine simd) ;;
                parallel2) rate=$(backprop_rate "$batch" --engine parallel --threads 2) ;;
            esac
            echo "$batch $round $kind $rate"
        done
    done
done | python3 -c "
import collections, statistics as st, sys
runs = collections.defaultdict(lambda: collections.defaultdict(dict))  # batch -> round -> kind -> M/s
for line in sys.stdin:
    batch, round, kind, rate = line.split()
    runs[int(batch)][int(round)][kind] = float(rate) / 1e6
print('yardstick build: $build; M samples/s, medians of $rounds rounds')
print('| batch | yardstick 1 thread | 2 threads | ratio (median of rounds) | backprop simd | parallel, 2 threads | ratio (median of rounds) |')
print('|---|---|---|---|---|---|---|')
each = []
for batch, by_round in sorted(runs.items()):
    rounds = list(by_round.values())
    median = lambda kind: st.median(r[kind] for r in rounds)
    ratio = lambda two, one: '%.2fx (%.2fx)' % (median(two) / median(one), st.median(r[two] / r[one] for r in rounds))
    print('| %d | %.1f | %.1f | %s | %.1f | %.1f | %s |' % (batch, median('yardstick1'), median('yardstick2'),
          ratio('yardstick2', 'yardstick1'), median('simd1'), median('parallel2'), ratio('parallel2', 'simd1')))
    each.append('B=%d, each round, yardstick 2/1 and backprop parallel/simd: %s' % (batch,
          ' '.join('%.2f/%.2f' % (r['yardstick2'] / r['yardstick1'], r['parallel2'] / r['simd1']) for r in rounds)))
print('\\n'.join(each))
"

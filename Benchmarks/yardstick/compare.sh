#!/usr/bin/env bash
# Runs the C yardstick (shared/yardstick) beside `backprop bench --engine simd`, interleaved,
# on the standard workload, and prints a table of M samples/s (medians of ROUNDS runs).
#
# How the yardstick is built on a CPU without AVX-512: build.sh.
# Its `ref` kernel is plain scalar C with libm's exp (shared/PERFORMANCE.md's "scalar C" row),
# which needs no AVX-512 and runs as it would anywhere.
#
# usage: Benchmarks/yardstick/compare.sh YARDSTICK_DIR [BACKPROP]
#   YARDSTICK_DIR is the folder of the C yardstick (yardstick.c). Build backprop first with
#   `swift build -c release`. Needs gcc, python3 and numpy; the standard data set is made in
#   a temporary folder (about 70 MB).
set -euo pipefail
rounds=${ROUNDS:-3}
source "$(dirname "$0")/build.sh"

for round in $(seq "$rounds"); do
    for batch in 32 256 4096 65536; do
        for kernel in padded-il lanes ref; do
            rate=$(DATA_DIR=$work "$yardstick" bench "$kernel" "$batch" 1 | tail -1 | sed 's/.*samples_per_s=\([0-9.e+]*\).*/\1/')
            echo "yardstick $kernel|$batch|$rate"
        done
        rate=$("$backprop" bench --engine simd --batch-size "$batch" --epochs 4 --json | sed 's/.*"samples_per_second":\([0-9.e+]*\).*/\1/')
        echo "backprop simd|$batch|$rate"
    done
done | python3 -c "
import collections, statistics, sys
rates = collections.defaultdict(list)
for line in sys.stdin:
    name, batch, rate = line.strip().split('|')
    rates[(name, int(batch))].append(float(rate) / 1e6)
print('yardstick build: $build; 1 thread; M samples/s, medians of $rounds runs')
print('| | B=32 | B=256 | B=4096 | B=65536 |')
print('|---|---|---|---|---|')
for name in sorted({n for n, _ in rates}):
    print('| ' + name + ' | ' + ' | '.join('%.1f' % statistics.median(rates[(name, b)]) for b in (32, 256, 4096, 65536)) + ' |')
"

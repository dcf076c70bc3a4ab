#!/usr/bin/env bash
# Runs the C yardstick (shared/yardstick) and its AVX2 port (lanes_avx2.c) beside
# `backprop bench --engine simd` with each kernel variant the CPU runs, interleaved, on the
# standard workload, and prints a table of M samples/s (medians of ROUNDS runs). The pairs
# to compare: backprop x86-64-v4 with yardstick lanes (AVX-512), backprop x86-64-v3 with
# yardstick lanes-avx2.
#
# How the yardstick is built on a CPU without AVX-512 (emulated, a lower bound): build.sh.
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
        rate=$(DATA_DIR=$work "$lanes_avx2" bench "$batch" | sed 's/.*samples_per_s=\([0-9.e+]*\).*/\1/')
        echo "yardstick lanes-avx2|$batch|$rate"
        for kernel in v3 v4; do
            "$backprop" --version | grep -q "x86-64-v4" || [ $kernel = v3 ] || continue
            rate=$(BACKPROP_KERNEL=$kernel "$backprop" bench --engine simd --batch-size "$batch" --epochs 4 --json | sed 's/.*"samples_per_second":\([0-9.e+]*\).*/\1/')
            echo "backprop simd x86-64-$kernel|$batch|$rate"
        done
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

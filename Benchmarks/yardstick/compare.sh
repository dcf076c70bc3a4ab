#!/usr/bin/env bash
# Runs the C yardstick (shared/yardstick) beside `backprop bench --engine simd`, interleaved,
# on the standard workload, and prints a table of M samples/s (medians of ROUNDS runs).
#
# On a CPU with AVX-512 the yardstick is built as it is. Without AVX-512 it does not compile;
# it is then built with avx512_on_avx2.h, which does each of its AVX-512 intrinsics on two AVX2
# registers (rcp14 becomes an exact division), and its one asm statement that needs a zmm
# register (in `expbench`, not a kernel) gets a memory operand. The kernels are unchanged, but
# emulated they are slower than an AVX2 port written by hand would be: a lower bound.
# Its `ref` kernel is plain scalar C with libm's exp (shared/PERFORMANCE.md's "scalar C" row),
# which needs no AVX-512 and runs as it would anywhere.
#
# usage: Benchmarks/yardstick/compare.sh [YARDSTICK_DIR] [BACKPROP]
#   YARDSTICK_DIR defaults to ../shared/yardstick (from the package root); build backprop
#   first with `swift build -c release`. Needs gcc and python3; data from
#   ../shared/workload/gen_data.py is made in a temporary folder (about 70 MB).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source_dir=${1:-"$root/../shared/yardstick"}
backprop=${2:-"$root/.build/release/backprop"}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$source_dir"/*.c "$source_dir"/*.h "$work"/
python3 "$(dirname "$source_dir")/workload/gen_data.py" 1048576 "$work" > /dev/null
if grep -q avx512f /proc/cpuinfo; then
    gcc -O3 -march=native -Wall "$work/yardstick.c" -o "$work/yardstick" -lmvec -lm -lpthread
    build="native AVX-512"
else
    sed -i 's/__asm__ volatile("" : "+v"(acc));/__asm__ volatile("" : "+m"(acc));/' "$work/yardstick.c"
    gcc -O3 -march=native -Wall -Wno-psabi -include "$here/avx512_on_avx2.h" "$work/yardstick.c" \
        -o "$work/yardstick" -lmvec -lm -lpthread
    build="AVX-512 emulated on AVX2 (avx512_on_avx2.h)"
fi
DATA_DIR=$work "$work/yardstick" check 2>/dev/null | grep -q "B=256    lanes" || { echo "yardstick check failed"; exit 1; }

for round in $(seq "$rounds"); do
    for batch in 32 256 4096 65536; do
        for kernel in padded-il lanes ref; do
            rate=$(DATA_DIR=$work "$work/yardstick" bench "$kernel" "$batch" 1 | tail -1 | sed 's/.*samples_per_s=\([0-9.e+]*\).*/\1/')
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

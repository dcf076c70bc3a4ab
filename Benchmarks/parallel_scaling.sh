#!/usr/bin/env bash
# The parallel engine's scaling beside what the machine gives two threads at that moment.
#
# Each round measures, in an order that rotates from round to round:
#   one  the SIMD engine on one thread (`backprop bench --engine simd`);
#   par  the parallel engine on two threads;
#   two  two single-thread SIMD processes started together, their rates added: the most
#        two independent threads got from the machine then (an upper bound: a process that
#        ends first leaves the other the machine to itself).
# On a shared machine a core's speed changes from second to second, so a ratio means
# something only between runs made close together; each round's ratios are printed, and
# the ratio of the medians over all rounds.
#
# Every run times EPOCHS epochs (10 by default) of 2^20 samples after its warm-up epoch, so
# that the two processes' timed parts, which start after their own data generation,
# overlap almost entirely.
#
# usage: Benchmarks/parallel_scaling.sh [PATH/TO/backprop]   (ROUNDS=10, BATCHES="4096 65536", EPOCHS=10)
# Build first with `swift build -c release` in the package root.
set -euo pipefail
binary=${1:-"$(dirname "$0")/../.build/release/backprop"}
rounds=${ROUNDS:-10}
batches=${BATCHES:-"4096 65536"}
epochs=${EPOCHS:-10}
[[ -x $binary ]] || { echo "parallel_scaling.sh: no executable at $binary; run 'swift build -c release' first" >&2; exit 1; }

rate() { "$binary" bench --json --epochs "$epochs" "$@" | sed 's/.*"samples_per_second":\([0-9.e+-]*\).*/\1/'; }
one() { rate --engine simd --batch-size "$1"; }
par() { rate --engine parallel --threads 2 --batch-size "$1"; }
two() {
  local first second
  first=$(mktemp) second=$(mktemp)
  one "$1" >"$first" &
  one "$1" >"$second" &
  wait
  awk '{s += $1} END {print s}' "$first" "$second"
  rm -f "$first" "$second"
}

for batch in $batches; do
  for round in $(seq "$rounds"); do
    case $((round % 3)) in
      0) order="one par two" ;;
      1) order="par two one" ;;
      2) order="two one par" ;;
    esac
    for kind in $order; do echo "$round $kind $($kind "$batch")"; done
  done | awk -v batch="$batch" '
    { rate[$1, $2] = $3 / 1e6 }
    END {
      n = 0
      for (r = 1; (r, "one") in rate; r++) {
        n = r; one[r] = rate[r, "one"]; par[r] = rate[r, "par"]; two[r] = rate[r, "two"]
        rounds = rounds sprintf(" %.2f/%.2f", par[r] / one[r], two[r] / one[r])
      }
      mo = median(one, n); mp = median(par, n); mt = median(two, n)
      printf "B=%s, medians of %d rounds: one thread %.1f M/s, parallel engine on 2 threads %.1f M/s (%.2fx), two processes %.1f M/s (%.2fx); engine/two processes %.2f\n", batch, n, mo, mp, mp / mo, mt, mt / mo, mp / mt
      printf "  each round, parallel/one and two processes/one:%s\n", rounds
    }
    function median(values, count,    sorted, i, j, t) {
      for (i = 1; i <= count; i++) sorted[i] = values[i]
      for (i = 2; i <= count; i++) for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) { t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t }
      return count % 2 ? sorted[(count + 1) / 2] : (sorted[count / 2] + sorted[count / 2 + 1]) / 2
    }'
done

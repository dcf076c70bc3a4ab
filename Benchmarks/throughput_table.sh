#!/usr/bin/env bash
# Prints the README's throughput table: `backprop bench` for every engine and thread count
# at batch sizes 1, 32, 256, 4096 and 65536, in millions of samples/s, the median of
# ROUNDS runs. The runs of one batch size are interleaved across engines, so that a noisy
# moment of a shared machine hits them all alike.
#
# usage: Benchmarks/throughput_table.sh [PATH/TO/backprop]   (ROUNDS=3 by default)
# Build first with `swift build -c release` in the package root.
set -euo pipefail
binary=${1:-"$(dirname "$0")/../.build/release/backprop"}
rounds=${ROUNDS:-3}
[[ -x $binary ]] || { echo "throughput_table.sh: no executable at $binary; run 'swift build -c release' first" >&2; exit 1; }
batches=(1 32 256 4096 65536)
configs=("reference 1" "simd 1" "parallel 1" "parallel 2")

declare -A results
for batch in "${batches[@]}"; do
  for round in $(seq "$rounds"); do
    for config in "${configs[@]}"; do
      read -r engine threads <<<"$config"
      epochs=3
      [[ $engine == reference ]] && epochs=1
      out=$("$binary" bench --engine "$engine" --threads "$threads" --batch-size "$batch" --epochs "$epochs" --json)
      rate=$(sed 's/.*"samples_per_second":\([0-9.e+-]*\).*/\1/' <<<"$out")
      results["$config/$batch"]+="$rate "
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
printf '| engine | threads |'; for b in "${batches[@]}"; do printf ' B=%s |' "$b"; done; echo
printf '|---|---|'; for _ in "${batches[@]}"; do printf -- '---|'; done; echo
for config in "${configs[@]}"; do
  read -r engine threads <<<"$config"
  printf '| %s | %s |' "$engine" "$threads"
  for b in "${batches[@]}"; do
    m=$(median <<<"${results["$config/$b"]}")
    printf ' %s |' "$(awk -v v="$m" 'BEGIN {printf "%.2f", v/1e6}')"
  done
  echo
done

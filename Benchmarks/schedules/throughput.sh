#!/usr/bin/env bash
# `train` throughput with learning-rate schedules beside a constant rate, and a constant
# rate beside an earlier build's, at batch 1, 32 and 256: rounds of alternating runs, the
# median end-to-end samples/s over epochs 2 to EPOCHS-1 of each run (the first pays for page
# faults, the last for the final evaluation), then the median over rounds.
#
# usage: Benchmarks/schedules/throughput.sh OLD_BACKPROP NEW_BACKPROP   (ROUNDS=5, EPOCHS=5,
#   SAMPLES=1000000, BATCHES="1 32 256")
set -euo pipefail
[[ $# -eq 2 && -x $1 && -x $2 ]] || { echo "usage: $0 OLD_BACKPROP NEW_BACKPROP" >&2; exit 64; }
old=$1 new=$2
rounds=${ROUNDS:-5} epochs=${EPOCHS:-5} samples=${SAMPLES:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rate() {  # rate BINARY ARGS...: M samples/s
    "$1" train --samples "$samples" --epochs "$epochs" --json --save "$work/m.json" "${@:2}" | python3 -c "
import json, statistics, sys
lines = [json.loads(l) for l in sys.stdin][1:-1]
print('%.2f' % (statistics.median(l['samples_per_second'] for l in lines) / 1e6))"
}

runs=("old constant|$old" "constant|$new" "cosine|$new --schedule cosine" "step|$new --schedule step --step-size 2"
      "plateau|$new --schedule plateau" "onecycle|$new --schedule onecycle")
echo "| batch | $(printf '%s | ' "${runs[@]%%|*}")"
for batch in ${BATCHES:-1 32 256}; do
    declare -A all=()
    for ((r = 0; r < rounds; r++)); do
        for run in "${runs[@]}"; do
            read -r -a command <<<"${run#*|}"
            all[${run%%|*}]+="$(rate "${command[@]}" --batch-size "$batch") "
        done
    done
    line="| $batch |"
    for run in "${runs[@]}"; do
        line+=" $(python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print('%.2f (%.2f-%.2f)' % (statistics.median(v), min(v), max(v)))" ${all[${run%%|*}]}) |"
    done
    echo "$line"
    unset all
done

#!/usr/bin/env bash
# The same output bytes from two builds: a fixed script of commands (train on every engine
# and optimizer with early stopping and a checkpoint, predict, evaluate, plot, sweep) run
# with each binary in a folder of its own, then every file and every command's stdout
# compared with cmp (timings dropped). For a change that must not change behaviour; prints each difference
# and exits 1 if there is one.
#
# usage: Benchmarks/same_outputs.sh OLD_BINARY NEW_BINARY
set -euo pipefail
[[ $# -eq 2 && -x $1 && -x $2 ]] || { echo "usage: $0 OLD_BINARY NEW_BINARY (two backprop executables)" >&2; exit 64; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_script() {  # run_script BINARY FOLDER
    local b=$1
    mkdir -p "$2" && cd "$2"
    local common=(--samples 3000 --epochs 6 --quiet)
    local n=0
    out() { n=$((n + 1)); "$@" > "stdout-$n.txt" 2> /dev/null; }
    awk 'BEGIN { for (i = 0; i < 400; i++) { t = i * 0.0157; y = i % 2; printf "%.6f,%.6f,%d\n", cos(t) + y, sin(t) - y / 2, y } }' > data.csv
    for engine in reference simd parallel population; do
        out "$b" train --engine "$engine" "${common[@]}" --save "sgd-$engine.json" --log "sgd-$engine.jsonl" --json
        out "$b" train --engine "$engine" "${common[@]}" --optimizer adam --learning-rate 0.01 --save "adam-$engine.json"
        out "$b" train --engine "$engine" "${common[@]}" --momentum 0.9 --learning-rate 0.3 --validation-split 0.2 --patience 2 \
            --checkpoint "ck-$engine.json" --save "es-$engine.json"
    done
    out "$b" train --dataset circles "${common[@]}" --shuffle blocks --block-size 64 --batch-size 1 --save blocks.json
    out "$b" predict --model sgd-simd.json --data data.csv --output predictions.csv
    out "$b" evaluate --model es-simd.json --data data.csv --json
    out "$b" plot --model sgd-simd.json --data data.csv --out boundary.svg
    out "$b" plot --history sgd-simd.jsonl --out history.svg
    out "$b" sweep --out sweep --learning-rate 0.3,1 --seed 1,2 --optimizer sgd,adam --samples 1000 --epochs 4 --threads 2
    out "$b" sweep --report sweep --json
}

(run_script "$(realpath "$1")" "$work/old")
(run_script "$(realpath "$2")" "$work/new")
# Timings differ from run to run: they are dropped before comparing. A sweep's results lines
# come in the order its configurations finish, which two threads vary: sorted.
untimed() {
    sed -E 's/"(engine_)?(samples_per_second|seconds)" *: *[0-9.eE+-]+,?//g' "$1" | if [[ $1 == */results*.jsonl ]]; then sort; else cat; fi
}
differences=0
while IFS= read -r file; do
    if ! cmp -s <(untimed "$work/old/$file") <(untimed "$work/new/$file"); then
        echo "differs: $file"
        differences=$((differences + 1))
    fi
done < <(cd "$work/old" && find . -type f ! -name '*.lock*' | sort)
files=$(cd "$work/old" && find . -type f | wc -l)
[[ $(cd "$work/new" && find . -type f | wc -l) -eq $files ]] || { echo "the two runs wrote different sets of files"; differences=$((differences + 1)); }
echo "same outputs: $((files - differences)) of $files files the same bytes"
[[ $differences -eq 0 ]]

#!/usr/bin/env bash
# Builds the fuzz targets (Tests/fuzz/Targets, one per parser) with libFuzzer and
# AddressSanitizer, and runs each for SECONDS from its seed corpus (Tests/fuzz/corpus/NAME).
# Exits non-zero on any finding: a crash, a trap, a leak, an input over 1 s, or an
# allocation over the limit below. A finding's input is saved as .build-fuzz/findings/NAME-*;
# keep it in the target's corpus once fixed, so that every later run tries it first.
#
#   Tests/fuzz/run.sh SECONDS [TARGET...]    (csv npy model checkpoint results log safetensors npz)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:?usage: Tests/fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv npy model checkpoint results log safetensors npz)
declare -A source=([csv]=CSV [npy]=NPY [model]=ModelFile [checkpoint]=Checkpoint [results]=ResultsLine [log]=LogLine
    [safetensors]=SafeTensorsFile [npz]=NPZFile)

# The library and the CLI's module, instrumented for coverage and AddressSanitizer, and
# built with testing enabled so that a target can reach the CLI's readers. The targets are
# linked by hand: SwiftPM would give each executable a main of its own, and libFuzzer has one.
scratch=.build-fuzz
swift build -c release --target BackpropCLI --sanitize=address -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing \
    --scratch-path "$scratch" 2>&1 | tail -1
objects=$(swift build -c release --show-bin-path --scratch-path "$scratch")
modules=$(find "$objects" -maxdepth 1 -name '*.build' \
    ! -name 'BackpropTests.build' ! -name 'BackpropCLITests.build' ! -name 'BackpropPackage*' -print)
mkdir -p "$scratch/fuzz" "$scratch/findings"
failed=()
for target in "${targets[@]}"; do
    name=${source[$target]:?unknown target $target: one of ${!source[*]}}
    binary="$scratch/fuzz/$target"
    swiftc -O -sanitize=fuzzer,address -use-ld=lld -parse-as-library -I "$objects/Modules" \
        -Xcc -fmodule-map-file="$objects/CPUFeatures.build/module.modulemap" \
        Tests/fuzz/Targets/Support.swift "Tests/fuzz/Targets/$name.swift" \
        $(find $modules -name '*.o') -o "$binary"
    # New inputs go to the first folder (in the scratch folder); the seeds stay as they are.
    mkdir -p "$scratch/corpus/$target"
    echo "fuzz: $target for $seconds s"
    # Inputs up to 64 KiB, each within 1 s and without a single allocation over 4 MiB (64
    # times the largest input): a parser's memory and time stay in proportion to its input.
    if ! "$binary" -max_total_time="$seconds" -timeout=1 -max_len=65536 -malloc_limit_mb=4 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$scratch/findings/$target-" \
        "$scratch/corpus/$target" "Tests/fuzz/corpus/$target" > "$scratch/fuzz/$target.log" 2>&1; then
        failed+=("$target")
        tail -40 "$scratch/fuzz/$target.log"
    fi
    grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$scratch/fuzz/$target.log" | awk '!seen[$0]++' || true
    echo "  corpus: $(ls "Tests/fuzz/corpus/$target" | wc -l) seeds, $(ls "$scratch/corpus/$target" | wc -l) found"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: FINDINGS in ${failed[*]} (inputs in $scratch/findings)"
    exit 1
fi
echo "fuzz: no finding"

#!/usr/bin/env bash
# One binary on three CPUs. Under qemu's user-mode emulation of a Haswell (AVX2 and FMA,
# no AVX-512) the binary must pick the x86-64-v3 kernels, and under qemu64 (baseline
# x86-64) the baseline ones, without an illegal instruction; and the model trained with
# the v3 kernels must be byte-identical to the one trained natively with the best kernels
# of this machine when those are v3 or v4 (the same fused multiply-adds in the same order).
#
# usage: Benchmarks/check_variants.sh [BINARY]   (x86-64 only; installs Debian's qemu-user if missing)
set -euo pipefail
binary=$(realpath "${1:-"$(dirname "$0")/../.build/release/backprop"}")
[[ -x $binary ]] || { echo "check_variants.sh: no executable at $binary; run 'swift build -c release' first" >&2; exit 1; }
if [ "$(uname -m)" != x86_64 ]; then
    echo "kernel variants: skipped (not x86-64)"
    exit 0
fi
if ! command -v qemu-x86_64 > /dev/null; then
    apt-get update -q > /dev/null 2>&1 && apt-get install -y -q qemu-user > /dev/null 2>&1 || true
fi
if ! command -v qemu-x86_64 > /dev/null; then
    echo "kernel variants: skipped: qemu-user (Debian's qemu-user package) could not be installed"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
train=(train --dataset moons --samples 3000 --epochs 3 --batch-size 512 --engine parallel --threads 2 --quiet)
status=0
for cpu in "Haswell x86-64-v3" "qemu64 baseline"; do
    read -r model expected <<<"$cpu"
    got=$(qemu-x86_64 -cpu "$model" "$binary" --version 2>/dev/null)
    echo "kernel variants: on an emulated $model: $got"
    [[ $got == *"(kernels: $expected)" ]] || { echo "kernel variants: FAILED: expected the $expected kernels"; status=1; }
    (cd "$work" && qemu-x86_64 -cpu "$model" "$binary" "${train[@]}" --save "$expected.json" 2>/dev/null) \
        || { echo "kernel variants: FAILED: training on an emulated $model"; status=1; }
done
native=$("$binary" --version)
(cd "$work" && "$binary" "${train[@]}" --save native.json)
if [[ $native == *"(kernels: x86-64-v"[34]")" ]]; then
    if cmp -s "$work/native.json" "$work/x86-64-v3.json"; then
        echo "kernel variants: the v3 kernels (emulated) and this machine's (${native##*kernels: } saved byte-identical models"
    else
        echo "kernel variants: FAILED: the v3 kernels and this machine's saved different models"
        status=1
    fi
fi
exit $status

#!/usr/bin/env bash
# Checks the machine code of the SIMD kernels in a native release build: SIMD codegen is
# fragile (a `pointwiseMin` or a compare-and-select can scalarise a whole kernel, and a build
# without FMA turns `addingProduct` into libm calls), and a slow kernel still passes every test.
#
# For the gradient kernels (`SIMDWeights.accumulate`) and the prediction kernel
# (`SIMDWeights.logits`): no call to libm's `fma`, packed fused multiply-adds on 256- or
# 512-bit registers, and packed double instructions outnumbering scalar ones (on AVX2 the
# kernels as they are: 13 to 1 and 4 to 1, the prediction kernel copying its partial groups
# lane by lane; a gradient kernel scalarised by `SIMD32<Double>` arithmetic: 7.6 to 1,
# which fails). A portable build fails too: it has no vector FMAs.
#
# usage: Benchmarks/check_codegen.sh [BINARY]   (default .build/release/backprop; x86-64 only)
set -euo pipefail
binary=${1:-"$(dirname "$0")/../.build/release/backprop"}
if [ "$(uname -m)" != x86_64 ]; then
    echo "codegen check: skipped (not x86-64)"
    exit 0
fi
disassembly=$(objdump -d --no-show-raw-insn "$binary")
status=0
check() {  # check NAME SYMBOL-PATTERN MIN-FMAS MIN-RATIO
    local name=$1 pattern=$2 min_fmas=$3 min_ratio=$4
    local code
    code=$(awk -v p="$pattern" '/^[0-9a-f]+ <.*>:$/ { inside = ($0 ~ p) } inside' <<<"$disassembly")
    if [ -z "$code" ]; then
        echo "codegen check: $name: no function matching $pattern in $binary"
        status=1
        return
    fi
    local fma_calls fmas packed scalar
    fma_calls=$(grep -cE 'call.*<fmaf?@plt>' <<<"$code" || true)
    fmas=$(grep -cE 'vf(n?m(add|sub))[0-9]+pd\s.*%[yz]mm' <<<"$code" || true)
    packed=$(grep -cE '\sv[a-z0-9]+pd\s.*%[yz]mm' <<<"$code" || true)
    scalar=$(grep -E '\sv[a-z0-9]+sd\s' <<<"$code" | grep -cv vbroadcastsd || true)
    local ratio=$((packed / (scalar > 0 ? scalar : 1)))
    echo "codegen check: $name: $fmas vector FMAs, $packed packed and $scalar scalar double instructions, $fma_calls libm fma calls"
    if [ "$fma_calls" -gt 0 ] || [ "$fmas" -lt "$min_fmas" ] || [ "$ratio" -lt "$min_ratio" ]; then
        echo "codegen check: $name: FAILED (needs no fma calls, at least $min_fmas vector FMAs and $min_ratio packed per scalar)"
        status=1
    fi
}
check "gradient kernels" 'SIMDWeightsV10accumulate' 300 10
check "prediction kernel" 'SIMDWeightsV6logits' 20 3
exit $status

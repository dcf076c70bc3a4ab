#!/usr/bin/env bash
# Checks the machine code of the SIMD kernels in a native release build: SIMD codegen is
# fragile (a `pointwiseMin` or a compare-and-select can scalarise a whole kernel, and a build
# without FMA turns `addingProduct` into libm calls), and a slow kernel still passes every test.
#
# For the gradient kernels (`SIMDWeights.accumulate`) and the prediction kernel
# (`SIMDWeights.logits`): no call to libm's `fma`, a floor of packed fused multiply-adds,
# and packed double instructions outnumbering scalar ones. A portable build fails: it has
# no vector FMAs.
#
# The thresholds depend on the instruction set, read off the code itself (zmm registers mean
# AVX-512). One 8-lane operation is one zmm instruction on AVX-512 and two ymm instructions
# on AVX2, so AVX2 code counts about twice the packed instructions for the same work, while
# the scalar ones (lane sums, the 1 to 7 samples left over, copies of a last partial group)
# stay the same. Figures of the kernels as they are (packed per scalar, vector FMAs):
#   AVX2:    gradient 31:1 (482 FMAs), prediction 16:1 (340 FMAs)
#   AVX-512: gradient 26:1 (303 FMAs), prediction 8:1 (170 FMAs)
# Failures these catch: a gradient kernel scalarised by `SIMD32<Double>` arithmetic (7.6:1
# on AVX2), and a prediction kernel writing its last partial group lane by lane from the
# same code, which makes LLVM compute every group's output one scalar sigmoid at a time
# (2.3:1 on AVX-512, 4:1 on AVX2).
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
if grep -q '%zmm' <<<"$disassembly"; then
    echo "codegen check: AVX-512 code"
    check "gradient kernels" 'SIMDWeightsV10accumulate' 250 15
    check "prediction kernel" 'SIMDWeightsV6logits' 120 5
else
    echo "codegen check: AVX2 code"
    check "gradient kernels" 'SIMDWeightsV10accumulate' 400 15
    check "prediction kernel" 'SIMDWeightsV6logits' 250 10
fi
exit $status

#!/usr/bin/env bash
# Checks the machine code of every copy of the SIMD kernels in a release build: SIMD codegen
# is fragile (a `pointwiseMin` or a compare-and-select can scalarise a whole kernel, and
# `addingProduct` without FMA becomes libm calls), and a slow kernel still passes every test.
# The binary holds all three copies (baseline, x86-64-v3, x86-64-v4), so any x86-64
# machine checks them all: reading the disassembly needs no AVX-512 CPU.
#
# For the gradient kernels (`accumulate`) and the prediction kernel (`logits`) of each copy:
# no call to libm's `fma`, a floor of packed fused multiply-adds (none in baseline, which
# has no FMA), and packed double instructions outnumbering scalar ones. One 8-lane operation
# is one zmm instruction on AVX-512 and two ymm ones on AVX2, four xmm ones on SSE2, while
# the scalar ones (lane sums, the 1 to 7 samples left over, copies of a last partial group)
# stay the same. Figures of the kernels as they are (packed per scalar, vector FMAs):
#   baseline: gradient 56:1, prediction 69:1 (xmm, no FMA)
#   v3:       gradient 31:1 (482 FMAs), prediction 16:1 (340 FMAs)
#   v4:       gradient 23:1 (257 FMAs), prediction 8:1 (170 FMAs)
# and the population kernel that sweeps run (a lane's sample gathered from its rows, eight
# scalar loads a column, then whole-vector arithmetic; the lanes' batch sizes counted in
# scalar code; two samples side by side within a batch): baseline 51:1, v3 34:1 (438 FMAs),
# v4 17:1 (222 FMAs).
# Failures these catch: a gradient kernel scalarised by `SIMD32<Double>` arithmetic (7.6:1
# on AVX2), a prediction kernel writing its last partial group lane by lane from the same
# code, which makes LLVM compute every group one scalar sigmoid at a time (2.3:1 on
# AVX-512, 4:1 on AVX2), and a copy compiled for the wrong instruction set.
#
# usage: Benchmarks/check_codegen.sh [BINARY]   (default .build/release/backprop; x86-64 only)
set -euo pipefail
binary=${1:-"$(dirname "$0")/../.build/release/backprop"}
if [ "$(uname -m)" != x86_64 ]; then
    echo "codegen check: skipped (not x86-64)"
    exit 0
fi
[[ -x $binary ]] || { echo "check_codegen.sh: no executable at $binary; run 'swift build -c release' first" >&2; exit 1; }
disassembly=$(objdump -d --no-show-raw-insn "$binary")
status=0
check() {  # check NAME SYMBOL-PATTERN PACKED-REGISTERS MIN-FMAS MIN-RATIO
    local name=$1 pattern=$2 registers=$3 min_fmas=$4 min_ratio=$5
    local code
    code=$(awk -v p="$pattern" '/^[0-9a-f]+ <.*>:$/ { inside = ($0 ~ p) } inside' <<<"$disassembly")
    if [ -z "$code" ]; then
        echo "codegen check: $name: no function matching $pattern in $binary"
        status=1
        return
    fi
    local fma_calls fmas packed scalar wrong
    fma_calls=$(grep -cE 'call.*<fmaf?@plt>' <<<"$code" || true)
    fmas=$(grep -cE 'vf(n?m(add|sub))[0-9]+pd\s' <<<"$code" || true)
    packed=$(grep -cE "\s[a-z0-9]+pd\s.*%($registers)" <<<"$code" || true)
    scalar=$(grep -E '\sv?[a-z0-9]+sd\s' <<<"$code" | grep -cv broadcastsd || true)
    # A copy must not use registers its instruction set lacks.
    case $registers in
    xmm) wrong=$(grep -cE '%[yz]mm' <<<"$code" || true) ;;
    ymm) wrong=$(grep -c '%zmm' <<<"$code" || true) ;;
    *) wrong=0 ;;
    esac
    local ratio=$((packed / (scalar > 0 ? scalar : 1)))
    echo "codegen check: $name: $fmas vector FMAs, $packed packed ($registers) and $scalar scalar double instructions, $fma_calls libm fma calls"
    if [ "$fma_calls" -gt 0 ] || [ "$fmas" -lt "$min_fmas" ] || [ "$ratio" -lt "$min_ratio" ] || [ "$wrong" -gt 0 ]; then
        echo "codegen check: $name: FAILED (needs no fma calls, at least $min_fmas vector FMAs, $min_ratio packed per scalar, no wider registers than $registers)"
        status=1
    fi
}
check "baseline gradient kernels" 'SIMDWeightsV0A7KernelsE10accumulate' 'xmm' 0 20
check "baseline prediction kernel" 'SIMDWeightsV0A7KernelsE6logits' 'xmm' 0 20
check "x86-64-v3 gradient kernels" 'SIMDWeightsV0A9KernelsV3E10accumulate' 'ymm' 400 15
check "x86-64-v3 prediction kernel" 'SIMDWeightsV0A9KernelsV3E6logits' 'ymm' 250 10
check "x86-64-v4 gradient kernels" 'SIMDWeightsV0A9KernelsV4E10accumulate' 'zmm|ymm' 200 15
check "x86-64-v4 prediction kernel" 'SIMDWeightsV0A9KernelsV4E6logits' 'zmm|ymm' 120 5
# The population kernel as sweeps run it, each lane's sample gathered from its own rows.
check "baseline population kernel" 'BackpropKernels0B0O15trainPopulation_4rows' 'xmm' 0 20
check "x86-64-v3 population kernel" 'KernelsV30B0O15trainPopulation_4rows' 'ymm' 120 12
check "x86-64-v4 population kernel" 'KernelsV40B0O15trainPopulation_4rows' 'zmm|ymm' 60 8
# Two groups at once, their batch-1 steps side by side (and each alone otherwise).
check "baseline population pair kernel" 'BackpropKernels0B0O19trainPopulationPair_4rows' 'xmm' 0 20
check "x86-64-v3 population pair kernel" 'KernelsV30B0O19trainPopulationPair_4rows' 'ymm' 120 12
check "x86-64-v4 population pair kernel" 'KernelsV40B0O19trainPopulationPair_4rows' 'zmm|ymm' 60 8
exit $status

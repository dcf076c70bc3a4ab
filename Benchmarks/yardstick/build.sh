# Sourced by the yardstick scripts, with their arguments YARDSTICK_DIR [BACKPROP]: checks
# that backprop is built, makes a temporary folder $work (removed on exit), builds the C
# yardstick from YARDSTICK_DIR there and makes the standard data set
# (Benchmarks/peers/make_workload.py, the yardstick's gen_data.py's numbers); sets $backprop,
# $yardstick (the binary) and $build (how it was built), and $lanes_avx2, the hand-written
# AVX2 port of the yardstick's lanes kernel (lanes_avx2.c, built beside it with its common.h).
#
# On a CPU with AVX-512 the yardstick is built as it is. Without AVX-512 it does not compile;
# it is then built with avx512_on_avx2.h, which does each of its AVX-512 intrinsics on two AVX2
# registers (rcp14 becomes an exact division), and its one asm statement that needs a zmm
# register (in `expbench`, not a kernel) gets a memory operand. The kernels are unchanged, but
# emulated they are slower than an AVX2 port written by hand would be: a lower bound.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
source_dir=${1:?usage: $(basename "$0") YARDSTICK_DIR [BACKPROP] (the folder of the C yardstick, yardstick.c)}
backprop=${2:-"$root/.build/release/backprop"}
[[ -x $backprop ]] || { echo "$(basename "$0"): no executable at $backprop; run 'swift build -c release' first" >&2; exit 1; }
[[ -f $source_dir/yardstick.c ]] || { echo "$(basename "$0"): no yardstick.c in $source_dir (the first argument, YARDSTICK_DIR)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$source_dir"/*.c "$source_dir"/*.h "$work"/
python3 "$root/Benchmarks/peers/make_workload.py" 1048576 "$work" > /dev/null
yardstick=$work/yardstick
if grep -q avx512f /proc/cpuinfo; then
    gcc -O3 -march=native -Wall "$work/yardstick.c" -o "$yardstick" -lmvec -lm -lpthread
    build="native AVX-512"
else
    sed -i 's/__asm__ volatile("" : "+v"(acc));/__asm__ volatile("" : "+m"(acc));/' "$work/yardstick.c"
    gcc -O3 -march=native -Wall -Wno-psabi -include "$here/avx512_on_avx2.h" \
        "$work/yardstick.c" -o "$yardstick" -lmvec -lm -lpthread
    build="AVX-512 emulated on AVX2 (avx512_on_avx2.h)"
fi
lanes_avx2=$work/lanes_avx2
gcc -O3 -march=haswell -Wall -I"$work" "$here/lanes_avx2.c" -o "$lanes_avx2" -lm
DATA_DIR=$work "$lanes_avx2" check > /dev/null || { echo "$(basename "$0"): the AVX2 port's check failed" >&2; exit 1; }
DATA_DIR=$work "$yardstick" check 2>/dev/null | grep -q "B=256    lanes" || { echo "$(basename "$0"): the yardstick's own check failed" >&2; exit 1; }

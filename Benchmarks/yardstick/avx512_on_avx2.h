#define _GNU_SOURCE
/* The AVX-512 intrinsics yardstick.c uses, done on pairs of AVX2 registers, so that the
 * kernels run, unchanged, on a CPU without AVX-512 (each zmm operation becomes two ymm ones).
 * rcp14 becomes an exact division (the Newton steps after it then change nothing). */
#include <immintrin.h>
#include <stdint.h>

typedef union { __m512d v; __m256d h[2]; double d[8]; } shim_pd;
typedef union { __m512i v; __m256i h[2]; int64_t q[8]; } shim_si;
#define SHIM static inline __attribute__((always_inline))
#define LOH(x) (((shim_pd){.v = (x)}).h[0])
#define HIH(x) (((shim_pd){.v = (x)}).h[1])
SHIM __m512d shim_join(__m256d lo, __m256d hi) { shim_pd u; u.h[0] = lo; u.h[1] = hi; return u.v; }
#define SHIM2(name, op) SHIM __m512d name(__m512d a, __m512d b) { return shim_join(op(LOH(a), LOH(b)), op(HIH(a), HIH(b))); }
#define SHIM3(name, op) SHIM __m512d name(__m512d a, __m512d b, __m512d c) { return shim_join(op(LOH(a), LOH(b), LOH(c)), op(HIH(a), HIH(b), HIH(c))); }
SHIM2(shim_add_pd, _mm256_add_pd)
SHIM2(shim_sub_pd, _mm256_sub_pd)
SHIM2(shim_mul_pd, _mm256_mul_pd)
SHIM2(shim_max_pd, _mm256_max_pd)
SHIM2(shim_unpacklo_pd, _mm256_unpacklo_pd)
SHIM2(shim_unpackhi_pd, _mm256_unpackhi_pd)
SHIM3(shim_fmadd_pd, _mm256_fmadd_pd)
SHIM3(shim_fnmadd_pd, _mm256_fnmadd_pd)
SHIM3(shim_fmsub_pd, _mm256_fmsub_pd)
SHIM __m512d shim_load_pd(const void *p) { return shim_join(_mm256_load_pd((const double *)p), _mm256_load_pd((const double *)p + 4)); }
SHIM void shim_store_pd(void *p, __m512d a) { _mm256_store_pd((double *)p, LOH(a)); _mm256_store_pd((double *)p + 4, HIH(a)); }
SHIM __m512d shim_setzero_pd(void) { return shim_join(_mm256_setzero_pd(), _mm256_setzero_pd()); }
SHIM __m512d shim_set1_pd(double x) { return shim_join(_mm256_set1_pd(x), _mm256_set1_pd(x)); }
SHIM __m512i shim_set1_epi64(long long x) { shim_si u; u.h[0] = u.h[1] = _mm256_set1_epi64x(x); return u.v; }
SHIM __m512i shim_castpd_si512(__m512d a) { shim_si u; u.h[0] = _mm256_castpd_si256(LOH(a)); u.h[1] = _mm256_castpd_si256(HIH(a)); return u.v; }
/* 128-bit lanes: result lanes 0, 1 from a, 2, 3 from b, chosen by 2-bit fields of imm */
#define shim_shuffle_f64x2(a, b, imm) ({ \
    __m256d _a[2] = {LOH(a), HIH(a)}, _b[2] = {LOH(b), HIH(b)}; \
    __m128d _la[4] = {_mm256_castpd256_pd128(_a[0]), _mm256_extractf128_pd(_a[0], 1), _mm256_castpd256_pd128(_a[1]), _mm256_extractf128_pd(_a[1], 1)}; \
    __m128d _lb[4] = {_mm256_castpd256_pd128(_b[0]), _mm256_extractf128_pd(_b[0], 1), _mm256_castpd256_pd128(_b[1]), _mm256_extractf128_pd(_b[1], 1)}; \
    shim_join(_mm256_set_m128d(_la[((imm) >> 2) & 3], _la[(imm) & 3]), _mm256_set_m128d(_lb[((imm) >> 6) & 3], _lb[((imm) >> 4) & 3])); })
/* within 128-bit lanes: element i takes element (i & ~1) | bit i of imm */
#define shim_permute_pd(a, imm) shim_join(_mm256_permute_pd(LOH(a), (imm) & 0xF), _mm256_permute_pd(HIH(a), ((imm) >> 4) & 0xF))
/* within 256-bit halves: 4 elements by 2-bit fields of imm */
#define shim_permutex_pd(a, imm) shim_join(_mm256_permute4x64_pd(LOH(a), (imm)), _mm256_permute4x64_pd(HIH(a), (imm)))
/* 8-element permute by the low 3 bits of each index */
SHIM __m256d shim_perm8(__m256d lo, __m256d hi, __m256i idx)
{
    /* each double as two 32-bit halves: index 2k, 2k+1 into an 8 x 32-bit permute of each half */
    __m256i k = _mm256_and_si256(idx, _mm256_set1_epi64x(3));
    __m256i pair = _mm256_or_si256(_mm256_slli_epi64(k, 33), _mm256_slli_epi64(k, 1));
    pair = _mm256_add_epi32(pair, _mm256_set1_epi64x(1LL << 32));
    __m256d from_lo = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(lo), pair));
    __m256d from_hi = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(hi), pair));
    __m256i high = _mm256_slli_epi64(_mm256_and_si256(idx, _mm256_set1_epi64x(4)), 61);
    return _mm256_blendv_pd(from_lo, from_hi, _mm256_castsi256_pd(high));
}
SHIM __m512d shim_permutexvar_pd(__m512i idx, __m512d a)
{
    shim_si i = {.v = idx};
    return shim_join(shim_perm8(LOH(a), HIH(a), i.h[0]), shim_perm8(LOH(a), HIH(a), i.h[1]));
}
/* 16-entry table (a then b) by the low 4 bits of each index */
SHIM __m512d shim_permutex2var_pd(__m512d a, __m512i idx, __m512d b)
{
    shim_si i = {.v = idx};
    __m256d r[2];
    for (int h = 0; h < 2; h++) {
        __m256d fa = shim_perm8(LOH(a), HIH(a), i.h[h]), fb = shim_perm8(LOH(b), HIH(b), i.h[h]);
        __m256i useb = _mm256_slli_epi64(_mm256_and_si256(i.h[h], _mm256_set1_epi64x(8)), 60);
        r[h] = _mm256_blendv_pd(fa, fb, _mm256_castsi256_pd(useb));
    }
    return shim_join(r[0], r[1]);
}
/* a * 2^floor(b), in two steps so that results beyond one power's range still come out right */
SHIM __m256d shim_scalef4(__m256d a, __m256d b)
{
    __m256d n = _mm256_floor_pd(_mm256_max_pd(_mm256_min_pd(b, _mm256_set1_pd(2100)), _mm256_set1_pd(-2100)));
    __m256d n1 = _mm256_floor_pd(_mm256_mul_pd(n, _mm256_set1_pd(0.5))), n2 = _mm256_sub_pd(n, n1);
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    __m256i e1 = _mm256_slli_epi64(_mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(n1, magic)), _mm256_castpd_si256(magic)), 52);
    __m256i e2 = _mm256_slli_epi64(_mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(n2, magic)), _mm256_castpd_si256(magic)), 52);
    __m256i one = _mm256_set1_epi64x(0x3FF0000000000000LL);
    return _mm256_mul_pd(_mm256_mul_pd(a, _mm256_castsi256_pd(_mm256_add_epi64(e1, one))), _mm256_castsi256_pd(_mm256_add_epi64(e2, one)));
}
SHIM2(shim_scalef_pd, shim_scalef4)
SHIM __m512d shim_rcp14_pd(__m512d a)
{
    const __m256d one = _mm256_set1_pd(1.0);
    return shim_join(_mm256_div_pd(one, LOH(a)), _mm256_div_pd(one, HIH(a)));
}
/* lanes of half h (0 or 1) whose bit is set in m, as a blend mask */
SHIM __m256d shim_mask4(__mmask8 m, int h)
{
    __m256i bits = _mm256_and_si256(_mm256_set1_epi64x((m >> (4 * h)) & 0xF), _mm256_setr_epi64x(1, 2, 4, 8));
    return _mm256_castsi256_pd(_mm256_cmpgt_epi64(bits, _mm256_setzero_si256()));
}
SHIM __m512d shim_maskz_div_pd(__mmask8 m, __m512d a, __m512d b)
{
    return shim_join(_mm256_and_pd(shim_mask4(m, 0), _mm256_div_pd(LOH(a), LOH(b))),
                     _mm256_and_pd(shim_mask4(m, 1), _mm256_div_pd(HIH(a), HIH(b))));
}
SHIM __m512d shim_maskz_fmadd_pd(__mmask8 m, __m512d a, __m512d b, __m512d c)
{
    return shim_join(_mm256_and_pd(shim_mask4(m, 0), _mm256_fmadd_pd(LOH(a), LOH(b), LOH(c))),
                     _mm256_and_pd(shim_mask4(m, 1), _mm256_fmadd_pd(HIH(a), HIH(b), HIH(c))));
}

#define _mm512_add_pd shim_add_pd
#define _mm512_sub_pd shim_sub_pd
#define _mm512_mul_pd shim_mul_pd
#define _mm512_max_pd shim_max_pd
#define _mm512_unpacklo_pd shim_unpacklo_pd
#define _mm512_unpackhi_pd shim_unpackhi_pd
#define _mm512_fmadd_pd shim_fmadd_pd
#define _mm512_fnmadd_pd shim_fnmadd_pd
#define _mm512_fmsub_pd shim_fmsub_pd
#define _mm512_load_pd shim_load_pd
#define _mm512_store_pd shim_store_pd
#define _mm512_setzero_pd shim_setzero_pd
#define _mm512_set1_pd shim_set1_pd
#define _mm512_set1_epi64 shim_set1_epi64
#define _mm512_castpd_si512 shim_castpd_si512
#define _mm512_shuffle_f64x2 shim_shuffle_f64x2
#define _mm512_permute_pd shim_permute_pd
#define _mm512_permutex_pd shim_permutex_pd
#define _mm512_permutexvar_pd shim_permutexvar_pd
#define _mm512_permutex2var_pd shim_permutex2var_pd
#define _mm512_scalef_pd shim_scalef_pd
#define _mm512_rcp14_pd shim_rcp14_pd
#define _mm512_maskz_div_pd shim_maskz_div_pd
#define _mm512_maskz_fmadd_pd shim_maskz_fmadd_pd

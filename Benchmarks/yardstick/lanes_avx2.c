/* lanes_avx2.c - the yardstick's `lanes` kernel (shared/yardstick/yardstick.c, lanes_block and
 * lanes_epoch) ported by hand to AVX2 + FMA: the same algorithm with 4 doubles per register.
 *
 * Same as the AVX-512 kernel: samples in lanes (SoA data), weights broadcast from memory,
 * per-lane gradient sums reduced once per mini-batch, LANES_NB vectors processed layer by
 * layer, exp(-z) by k/16 range reduction + 16-entry table + degree-6 polynomial, reciprocals
 * by division. What AVX2 lacks is replaced by its nearest equivalent:
 *   - the table lookup (vpermi2pd on AVX-512): LOOKUP=0 one gather (vgatherqpd), LOOKUP=1 four
 *     in-register permutes (vpermps on pairs of floats) and three blends;
 *   - the scaling by 2^floor(k/16) (vscalefpd): an integer add to the exponent field, with z
 *     clamped to [-700, 700] so that it cannot overflow (vscalefpd needs no clamp);
 *   - rcp14 + Newton (AVX-512 only): every reciprocal is a vdivpd.
 * 16 ymm registers instead of 32: LANES_NB=4 (16 samples per step) is the default; 2 and 8
 * can be chosen with -DLANES_NB.
 *
 * Build (gcc; the folder must hold the yardstick's common.h):
 *   gcc -O3 -march=haswell -Wall lanes_avx2.c -o lanes_avx2 -lm
 * Usage: lanes_avx2 bench B        one result line, in the yardstick's format
 *        lanes_avx2 check          one epoch at B = 256 against the scalar reference
 * Data and starting weights from DATA_DIR (moons.f64, init.json), as the yardstick reads them. */
#include "common.h"

#include <immintrin.h>
#include <stdint.h>

#ifndef LANES_NB
#define LANES_NB 4
#endif
#ifndef LOOKUP
#define LOOKUP 0
#endif
#define NBV LANES_NB
#define AL64 __attribute__((aligned(64)))
#define INLINE static inline __attribute__((always_inline))

typedef __m256d V;
#define SET1 _mm256_set1_pd
#define BW(k) SET1(W[k])

static double EXPTAB[16] AL64; /* 2^(j/16), j = 0..15, correctly rounded via long double */

#define LN2HI 6.93147180369123816490e-01
#define LN2LO 1.90821492927058770002e-10
#define INV_LN2 1.4426950408889634
#define C2 0.5
#define C3 0.16666666665296223
#define C4 0.04166666666495362
#define C5 0.008333449934107185
#define C6 0.0013889034639665864

/* T[j], j = the low 4 bits of each lane of ki */
INLINE V table(__m256i ki)
{
#if LOOKUP == 0
    return _mm256_i64gather_pd(EXPTAB, _mm256_and_si256(ki, _mm256_set1_epi64x(15)), 8);
#else
    /* j = 4q + m: vpermps picks entry m of each quarter table (a double is two floats, 2m and
     * 2m+1), then bits 2 and 3 of j choose among the quarters */
    __m256i m = _mm256_and_si256(ki, _mm256_set1_epi64x(3));
    __m256i pair = _mm256_or_si256(_mm256_add_epi64(m, m), _mm256_slli_epi64(_mm256_add_epi64(m, m), 32));
    pair = _mm256_add_epi32(pair, _mm256_set1_epi64x(1LL << 32));
    V t[4];
    for (int q = 0; q < 4; q++)
        t[q] = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(_mm256_load_pd(EXPTAB + 4 * q)), pair));
    V bit2 = _mm256_castsi256_pd(_mm256_slli_epi64(ki, 61)), bit3 = _mm256_castsi256_pd(_mm256_slli_epi64(ki, 60));
    return _mm256_blendv_pd(_mm256_blendv_pd(t[0], t[1], bit2), _mm256_blendv_pd(t[2], t[3], bit2), bit3);
#endif
}

/* exp(-z), the AVX-512 kernel's vexpneg_own with the lookup and scaling above */
INLINE V vexpneg(V z)
{
    z = _mm256_max_pd(_mm256_min_pd(z, SET1(700.0)), SET1(-700.0));
    const V shift = SET1(0x1.8p48);
    V kd = _mm256_fnmadd_pd(z, SET1(INV_LN2), shift); /* shift - z/ln2 rounded to a multiple of 1/16 */
    __m256i ki = _mm256_castpd_si256(kd);
    kd = _mm256_sub_pd(kd, shift);
    V s = _mm256_fmadd_pd(kd, SET1(LN2HI), z);
    s = _mm256_fmadd_pd(kd, SET1(LN2LO), s);
    V s2 = _mm256_mul_pd(s, s);
    V A = _mm256_fmadd_pd(SET1(-C3), s, SET1(C2));
    V Bq = _mm256_fmadd_pd(SET1(-C5), s, SET1(C4));
    V P = _mm256_fmadd_pd(s2, _mm256_fmadd_pd(SET1(C6), s2, Bq), A);
    V q = _mm256_fmsub_pd(s2, P, s);
    V t = table(ki);
    /* 2^floor(k/16) as an exponent-field increment: ki minus the shift's bits is k, and
     * (k << 48) with the 4 mantissa bits cleared is floor(k/16) << 52 (no 64-bit arithmetic
     * shift on AVX2) */
    __m256i k = _mm256_sub_epi64(ki, _mm256_castpd_si256(shift));
    __m256i e = _mm256_and_si256(_mm256_slli_epi64(k, 48), _mm256_set1_epi64x((int64_t)0xFFF0000000000000ULL));
    V tq = _mm256_fmadd_pd(t, q, t);
    return _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(tq), e));
}

INLINE V vsig(V z) { return _mm256_div_pd(SET1(1.0), _mm256_add_pd(vexpneg(z), SET1(1.0))); }

static double *X0, *X1, *YY;

INLINE void lanes_block(const double *restrict W, const double *x0p, const double *x1p, const double *yp,
                        V *restrict G, const int nb)
{
    V x0[NBV], x1[NBV], a1[5][NBV], a2[5][NBV], d3[NBV], d2[5][NBV];
#pragma GCC unroll 16
    for (int b = 0; b < nb; b++) {
        x0[b] = _mm256_load_pd(x0p + 4 * b);
        x1[b] = _mm256_load_pd(x1p + 4 * b);
    }
#pragma GCC unroll 5
    for (int i = 0; i < 5; i++)
#pragma GCC unroll 16
        for (int b = 0; b < nb; b++) {
            V z = _mm256_fmadd_pd(BW(OW1 + 2 * i), x0[b], BW(OB1 + i));
            z = _mm256_fmadd_pd(BW(OW1 + 2 * i + 1), x1[b], z);
            a1[i][b] = vsig(z);
        }
#pragma GCC unroll 5
    for (int i = 0; i < 5; i++)
#pragma GCC unroll 16
        for (int b = 0; b < nb; b++) {
            V z = BW(OB2 + i);
#pragma GCC unroll 5
            for (int j = 0; j < 5; j++) z = _mm256_fmadd_pd(BW(OW2 + 5 * i + j), a1[j][b], z);
            a2[i][b] = vsig(z);
        }
#pragma GCC unroll 16
    for (int b = 0; b < nb; b++) {
        V z = BW(OB3);
#pragma GCC unroll 5
        for (int j = 0; j < 5; j++) z = _mm256_fmadd_pd(BW(OW3 + j), a2[j][b], z);
        d3[b] = _mm256_sub_pd(vsig(z), _mm256_load_pd(yp + 4 * b));
    }
#pragma GCC unroll 16
    for (int b = 0; b < nb; b++) {
#pragma GCC unroll 5
        for (int j = 0; j < 5; j++) G[OW3 + j] = _mm256_fmadd_pd(d3[b], a2[j][b], G[OW3 + j]);
        G[OB3] = _mm256_add_pd(G[OB3], d3[b]);
    }
#pragma GCC unroll 5
    for (int i = 0; i < 5; i++)
#pragma GCC unroll 16
        for (int b = 0; b < nb; b++) {
            d2[i][b] = _mm256_mul_pd(_mm256_mul_pd(d3[b], BW(OW3 + i)), _mm256_fnmadd_pd(a2[i][b], a2[i][b], a2[i][b]));
#pragma GCC unroll 5
            for (int j = 0; j < 5; j++) G[OW2 + 5 * i + j] = _mm256_fmadd_pd(d2[i][b], a1[j][b], G[OW2 + 5 * i + j]);
            G[OB2 + i] = _mm256_add_pd(G[OB2 + i], d2[i][b]);
        }
#pragma GCC unroll 5
    for (int j = 0; j < 5; j++)
#pragma GCC unroll 16
        for (int b = 0; b < nb; b++) {
            V e = _mm256_mul_pd(BW(OW2 + j), d2[0][b]);
#pragma GCC unroll 4
            for (int i = 1; i < 5; i++) e = _mm256_fmadd_pd(BW(OW2 + 5 * i + j), d2[i][b], e);
            V d1 = _mm256_mul_pd(e, _mm256_fnmadd_pd(a1[j][b], a1[j][b], a1[j][b]));
            G[OW1 + 2 * j] = _mm256_fmadd_pd(d1, x0[b], G[OW1 + 2 * j]);
            G[OW1 + 2 * j + 1] = _mm256_fmadd_pd(d1, x1[b], G[OW1 + 2 * j + 1]);
            G[OB1 + j] = _mm256_add_pd(G[OB1 + j], d1);
        }
}

/* unscaled gradient sums over samples [lo, hi) (hi - lo a multiple of 4) into g[NP] */
static void lanes_grad_range(const double *restrict W, long lo, long hi, double *restrict g)
{
    V G[NP];
    for (int k = 0; k < NP; k++) G[k] = _mm256_setzero_pd();
    long s = lo;
    for (; s + 4 * NBV <= hi; s += 4 * NBV) lanes_block(W, X0 + s, X1 + s, YY + s, G, NBV);
    for (; s < hi; s += 4) lanes_block(W, X0 + s, X1 + s, YY + s, G, 1);
    for (int k = 0; k < NP; k++) {
        double l[4] AL64;
        _mm256_store_pd(l, G[k]);
        g[k] = (l[0] + l[1]) + (l[2] + l[3]);
    }
}

static void lanes_epoch(double *restrict W, long n, long B)
{
    double g[NP];
    for (long off = 0; off < n; off += B) {
        lanes_grad_range(W, off, off + B, g);
        for (int k = 0; k < NP; k++) W[k] -= LR / B * g[k];
    }
}

/* one epoch of plain scalar SGD with libm's exp: the reference the check compares with */
static void ref_epoch(double *P, const double *d, long n, long B)
{
    for (long off = 0; off < n; off += B) {
        double g[NP] = {0};
        for (long s = off; s < off + B; s++) {
            double x0 = d[3 * s], x1 = d[3 * s + 1], y = d[3 * s + 2], a1[5], a2[5], d2[5];
            for (int i = 0; i < 5; i++) a1[i] = sig_ref(P[OB1 + i] + P[OW1 + 2 * i] * x0 + P[OW1 + 2 * i + 1] * x1);
            for (int i = 0; i < 5; i++) {
                double z = P[OB2 + i];
                for (int j = 0; j < 5; j++) z += P[OW2 + 5 * i + j] * a1[j];
                a2[i] = sig_ref(z);
            }
            double z3 = P[OB3];
            for (int j = 0; j < 5; j++) z3 += P[OW3 + j] * a2[j];
            double d3 = sig_ref(z3) - y;
            for (int j = 0; j < 5; j++) g[OW3 + j] += d3 * a2[j];
            g[OB3] += d3;
            for (int i = 0; i < 5; i++) {
                d2[i] = d3 * P[OW3 + i] * a2[i] * (1 - a2[i]);
                for (int j = 0; j < 5; j++) g[OW2 + 5 * i + j] += d2[i] * a1[j];
                g[OB2 + i] += d2[i];
            }
            for (int j = 0; j < 5; j++) {
                double e = 0;
                for (int i = 0; i < 5; i++) e += P[OW2 + 5 * i + j] * d2[i];
                double d1 = e * a1[j] * (1 - a1[j]);
                g[OW1 + 2 * j] += d1 * x0;
                g[OW1 + 2 * j + 1] += d1 * x1;
                g[OB1 + j] += d1;
            }
        }
        for (int k = 0; k < NP; k++) P[k] -= LR / B * g[k];
    }
}

int main(int argc, char **argv)
{
    for (int j = 0; j < 16; j++) EXPTAB[j] = (double)exp2l((long double)j / 16.0L);
    long n;
    double *aos = load_f64(&n);
    if (posix_memalign((void **)&X0, 64, n * 8 + 64) || posix_memalign((void **)&X1, 64, n * 8 + 64) ||
        posix_memalign((void **)&YY, 64, n * 8 + 64))
        return 3;
    for (long s = 0; s < n; s++) X0[s] = aos[3 * s], X1[s] = aos[3 * s + 1], YY[s] = aos[3 * s + 2];
    double P0[NP];
    load_init(P0);
    if (argc == 2 && !strcmp(argv[1], "check")) {
        double P[NP], R[NP], worst = 0;
        memcpy(P, P0, sizeof P);
        memcpy(R, P0, sizeof R);
        lanes_epoch(P, n, 256);
        ref_epoch(R, aos, n, 256);
        for (int k = 0; k < NP; k++) worst = fmax(worst, fabs(P[k] - R[k]));
        printf("lanes-avx2 check: one epoch at B=256, largest weight difference from the reference %.3g: %s\n", worst,
               worst < 1e-9 ? "ok" : "FAILED");
        return worst < 1e-9 ? 0 : 1;
    }
    if (argc != 3 || strcmp(argv[1], "bench")) {
        fprintf(stderr, "usage: %s bench B | check\n", argv[0]);
        return 1;
    }
    long B = atol(argv[2]);
    if (B <= 0 || B % 4 || n % B) {
        fprintf(stderr, "%s: B must be a positive multiple of 4 that divides %ld\n", argv[0], n);
        return 1;
    }
    double P[NP];
    memcpy(P, P0, sizeof P);
    double t0 = now_s();
    lanes_epoch(P, n, B); /* untimed warm-up epoch, which also sizes the timed run (about 2 s) */
    int epochs = (int)ceil(2.0 / (now_s() - t0));
    memcpy(P, P0, sizeof P);
    t0 = now_s();
    for (int e = 0; e < epochs; e++) lanes_epoch(P, n, B);
    double dt = now_s() - t0, loss, acc;
    eval_full(P, aos, n, &loss, &acc);
    printf("kernel=lanes-avx2 B=%ld T=1 epochs=%d sec=%.4f samples_per_s=%.6g loss=%.12f acc=%.6f variant=NB=%d,lookup=%s\n",
           B, epochs, dt, (double)n * epochs / dt, loss, acc, NBV, LOOKUP ? "permute" : "gather");
    return 0;
}

/* Iterative Cooley-Tukey NTT over Fr (bit-reversed input permutation, then log n butterfly stages).
 * The 2^28-th root of unity is 5^((r-1)/2^28), 5 being the smallest quadratic non-residue mod r:
 * the root ffjavascript derives (F1Field: nqr^t), so our evaluation domains are the ones the
 * snarkjs .zkey H points were made for. */
#include "bn254_ntt.h"

#include <stdlib.h>

/* 5^((r-1)/2^28) mod r, Montgomery form. */
static const fe ROOT_2_28 = {{0x636e735580d13d9cULL, 0xa22bf3742445ffd6ULL, 0x56452ac01eb203d8ULL, 0x1860ef942963f9e7ULL}};

int fr_root_of_unity(fe *out, int log_n) {
    if (log_n < 0 || log_n > FR_TWO_ADICITY) return -1;
    fe w = ROOT_2_28;
    for (int i = FR_TWO_ADICITY; i > log_n; i--) fe_sqr(&w, &w, &FR);
    *out = w;
    return 0;
}

static void bit_reverse(fe *a, long n, int log_n) {
    for (long i = 0; i < n; i++) {
        long j = 0;
        for (int b = 0; b < log_n; b++) j |= ((i >> b) & 1) << (log_n - 1 - b);
        if (i < j) {
            fe t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}

void fr_scale_by_powers(fe *a, long n, const fe *g) {
    fe power = FR.one;
    for (long i = 0; i < n; i++) {
        fe_mul(&a[i], &a[i], &power, &FR);
        fe_mul(&power, &power, g, &FR);
    }
}

int fr_ntt(fe *a, int log_n, int inverse) {
    if (log_n < 0 || log_n > FR_TWO_ADICITY || log_n > 30) return -1;
    const long n = 1L << log_n;
    if (n == 1) return 0;
    fe w;
    fr_root_of_unity(&w, log_n);
    if (inverse) fe_inv(&w, &w, &FR);
    fe *twiddles = malloc(sizeof(fe) * (size_t)(n / 2));
    if (!twiddles) return -1;
    twiddles[0] = FR.one;
    for (long i = 1; i < n / 2; i++) fe_mul(&twiddles[i], &twiddles[i - 1], &w, &FR);
    bit_reverse(a, n, log_n);
    for (long half = 1; half < n; half <<= 1) {
        const long step = n / (2 * half);
        for (long start = 0; start < n; start += 2 * half) {
            for (long j = 0; j < half; j++) {
                fe t;
                fe_mul(&t, &a[start + j + half], &twiddles[j * step], &FR);
                fe u = a[start + j];
                fe_add(&a[start + j], &u, &t, &FR);
                fe_sub(&a[start + j + half], &u, &t, &FR);
            }
        }
    }
    free(twiddles);
    if (inverse) {
        fe n_inv = {{(uint64_t)n, 0, 0, 0}};
        fe_to_mont(&n_inv, &n_inv, &FR);
        fe_inv(&n_inv, &n_inv, &FR);
        for (long i = 0; i < n; i++) fe_mul(&a[i], &a[i], &n_inv, &FR);
    }
    return 0;
}

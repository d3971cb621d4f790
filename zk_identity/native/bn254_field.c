/* BN254 field inversion (Fermat's little theorem) and batch inversion (Montgomery's trick,
 * P. L. Montgomery, "Speeding the Pollard and elliptic curve methods of factorization", 1987, §10.3.1). */
#include "bn254_field.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

int bn254_use_adx = 0;

int bn254_cpu_init(void) {
#if defined(BN254_HAVE_ASM)
    unsigned eax, ebx, ecx, edx;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        const unsigned bmi2 = 1u << 8, adx = 1u << 19; /* CPUID.(EAX=7,ECX=0):EBX */
        bn254_use_adx = (ebx & bmi2) && (ebx & adx);
    }
#endif
    return bn254_use_adx;
}

void fe_pow(fe *out, const fe *a, const uint64_t e[4], const field_params *f) {
    /* Left-to-right fixed 4-bit windows. */
    fe table[16];
    table[0] = f->one;
    for (int i = 1; i < 16; i++) fe_mul(&table[i], &table[i - 1], a, f);
    fe acc = f->one;
    for (int bit = 252; bit >= 0; bit -= 4) {
        for (int k = 0; k < 4; k++) fe_sqr(&acc, &acc, f);
        unsigned nibble = (unsigned)(e[bit / 64] >> (bit % 64)) & 15u;
        fe_mul(&acc, &acc, &table[nibble], f);
    }
    *out = acc;
}

void fe_inv(fe *out, const fe *a, const field_params *f) {
    uint64_t e[4];
    memcpy(e, f->p, sizeof e);
    e[0] -= 2; /* p is odd and p[0] >= 2 for both BN254 primes: no borrow */
    fe_pow(out, a, e, f);
}

void fe_batch_inv(fe *out, const fe *a, long n, fe *scratch, const field_params *f) {
    fe acc = f->one;
    for (long i = 0; i < n; i++) {
        scratch[i] = acc; /* product of the nonzero a[0..i-1] */
        if (!fe_is_zero(&a[i])) fe_mul(&acc, &acc, &a[i], f);
    }
    fe inv;
    fe_inv(&inv, &acc, f);
    for (long i = n - 1; i >= 0; i--) {
        if (fe_is_zero(&a[i])) {
            out[i] = a[i];
            continue;
        }
        fe ai = a[i];
        fe_mul(&out[i], &inv, &scratch[i], f);
        fe_mul(&inv, &inv, &ai, f);
    }
}

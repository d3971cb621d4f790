/* BN254 (alt_bn128) prime fields in 4x64-bit Montgomery form, R = 2^256.
 *
 * Fq: the base field, q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
 * Fr: the scalar field, r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
 * (EIP-196 §"Encoding"; the same curve as snarkjs's "bn128" and py_ecc's optimized_bn128.)
 *
 * Limbs are little-endian, as ffjavascript stores Montgomery field elements in snarkjs's .zkey files,
 * so a zkey section can be read in place on a little-endian machine.
 * Multiplication is CIOS Montgomery multiplication (Koç, Acar, Kaliski, "Analyzing and Comparing
 * Montgomery Multiplication Algorithms", IEEE Micro 1996) in the variant that drops the extra carry
 * word when the modulus' top limb is below 2^63 - 1, as it is for both BN254 primes.
 * Inputs of every function must be reduced (< p); outputs are reduced. No function branches on
 * secret data except the final conditional subtraction (this is a prover, not a signer).
 * The constants were computed with Python integers and are checked against py_ecc by the tests.
 */
#ifndef BN254_FIELD_H
#define BN254_FIELD_H

#include <stdint.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the BN254 prover reads little-endian limbs in place: little-endian hosts only"
#endif

typedef unsigned __int128 u128;

typedef struct {
    uint64_t v[4];
} fe;

typedef struct {
    uint64_t p[4];   /* the modulus */
    uint64_t pinv;   /* -p^-1 mod 2^64 */
    fe one;          /* R mod p: 1 in Montgomery form */
    fe r2;           /* R^2 mod p: converts to Montgomery form */
} field_params;

static const field_params FQ = {
    {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL},
    0x87d20782e4866389ULL,
    {{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}},
    {{0xf32cfc5b538afa89ULL, 0xb5e71911d44501fbULL, 0x47ab1eff0a417ff6ULL, 0x06d89f71cab8351fULL}},
};

static const field_params FR = {
    {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL},
    0xc2e1f593efffffffULL,
    {{0xac96341c4ffffffbULL, 0x36fc76959f60cd29ULL, 0x666ea36f7879462eULL, 0x0e0a77c19a07df2fULL}},
    {{0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL, 0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL}},
};

static inline int fe_is_zero(const fe *a) { return (a->v[0] | a->v[1] | a->v[2] | a->v[3]) == 0; }

static inline int fe_eq(const fe *a, const fe *b) {
    return ((a->v[0] ^ b->v[0]) | (a->v[1] ^ b->v[1]) | (a->v[2] ^ b->v[2]) | (a->v[3] ^ b->v[3])) == 0;
}

/* 1 when a < p (a canonical representative). */
static inline int fe_lt_p(const fe *a, const field_params *f) {
    for (int i = 3; i >= 0; i--) {
        if (a->v[i] != f->p[i]) return a->v[i] < f->p[i];
    }
    return 0;
}

/* out = t - p if t >= p else t, for t < 2p. */
static inline void fe_reduce_once(fe *out, const uint64_t t[4], const field_params *f) {
    uint64_t d[4];
    u128 x;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        x = (u128)t[i] - f->p[i] - borrow;
        d[i] = (uint64_t)x;
        borrow = (uint64_t)(x >> 64) & 1;
    }
    const uint64_t keep = 0 - borrow; /* all ones: t < p, keep t */
    for (int i = 0; i < 4; i++) out->v[i] = (t[i] & keep) | (d[i] & ~keep);
}

static inline void fe_add_c(fe *out, const fe *a, const fe *b, const field_params *f) {
    uint64_t t[4];
    u128 x = 0;
    for (int i = 0; i < 4; i++) {
        x = (u128)a->v[i] + b->v[i] + (uint64_t)(x >> 64);
        t[i] = (uint64_t)x;
    }
    /* p < 2^254, so a + b < 2^255 never carries out of the top limb. */
    fe_reduce_once(out, t, f);
}

static inline void fe_sub_c(fe *out, const fe *a, const fe *b, const field_params *f) {
    uint64_t t[4];
    u128 x;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        x = (u128)a->v[i] - b->v[i] - borrow;
        t[i] = (uint64_t)x;
        borrow = (uint64_t)(x >> 64) & 1;
    }
    const uint64_t mask = 0 - borrow; /* add p back after a borrow, without a branch */
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        x = (u128)t[i] + (f->p[i] & mask) + carry;
        out->v[i] = (uint64_t)x;
        carry = (uint64_t)(x >> 64);
    }
}

#if defined(__x86_64__) && !defined(BN254_NO_ASM)
#include "bn254_field_x86.h"
#define BN254_HAVE_ASM 1
#endif

/* Set once at module load (bn254_cpu_init): use the MULX/ADX multiplication. */
extern int bn254_use_adx;
/* Detects BMI2 + ADX (CPUID leaf 7); returns the new value of bn254_use_adx. */
int bn254_cpu_init(void);

static inline void fe_add(fe *out, const fe *a, const fe *b, const field_params *f) {
#ifdef BN254_HAVE_ASM
    fe_add_x86(out, a, b, f);
#else
    fe_add_c(out, a, b, f);
#endif
}

static inline void fe_sub(fe *out, const fe *a, const fe *b, const field_params *f) {
#ifdef BN254_HAVE_ASM
    fe_sub_x86(out, a, b, f);
#else
    fe_sub_c(out, a, b, f);
#endif
}

static inline void fe_neg(fe *out, const fe *a, const field_params *f) {
    if (fe_is_zero(a)) {
        *out = *a;
        return;
    }
    fe p;
    memcpy(p.v, f->p, sizeof p.v);
    fe_sub(out, &p, a, f);
}

static inline void fe_dbl(fe *out, const fe *a, const field_params *f) { fe_add(out, a, a, f); }

/* out = a * b / R mod p (CIOS, no final carry word: valid because p[3] < 2^63 - 1). */
static inline void fe_mul_c(fe *out, const fe *a, const fe *b, const field_params *f) {
    const uint64_t *p = f->p;
    const uint64_t pinv = f->pinv;
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; i++) {
        const uint64_t bi = b->v[i];
        u128 x;
        uint64_t A, C, m;
        x = (u128)a->v[0] * bi + t0;
        A = (uint64_t)(x >> 64);
        t0 = (uint64_t)x;
        m = t0 * pinv;
        x = (u128)m * p[0] + t0;
        C = (uint64_t)(x >> 64);
        x = (u128)a->v[1] * bi + t1 + A;
        A = (uint64_t)(x >> 64);
        t1 = (uint64_t)x;
        x = (u128)m * p[1] + t1 + C;
        C = (uint64_t)(x >> 64);
        t0 = (uint64_t)x;
        x = (u128)a->v[2] * bi + t2 + A;
        A = (uint64_t)(x >> 64);
        t2 = (uint64_t)x;
        x = (u128)m * p[2] + t2 + C;
        C = (uint64_t)(x >> 64);
        t1 = (uint64_t)x;
        x = (u128)a->v[3] * bi + t3 + A;
        A = (uint64_t)(x >> 64);
        t3 = (uint64_t)x;
        x = (u128)m * p[3] + t3 + C;
        C = (uint64_t)(x >> 64);
        t2 = (uint64_t)x;
        t3 = C + A;
    }
    const uint64_t t[4] = {t0, t1, t2, t3};
    fe_reduce_once(out, t, f);
}

static inline void fe_mul(fe *out, const fe *a, const fe *b, const field_params *f) {
#ifdef BN254_HAVE_ASM
    if (bn254_use_adx) {
        fe_mul_adx(out, a, b, f);
        return;
    }
#endif
    fe_mul_c(out, a, b, f);
}

static inline void fe_sqr(fe *out, const fe *a, const field_params *f) { fe_mul(out, a, a, f); }

static inline void fe_to_mont(fe *out, const fe *a, const field_params *f) { fe_mul(out, a, &f->r2, f); }

static inline void fe_from_mont(fe *out, const fe *a, const field_params *f) {
    static const fe one_std = {{1, 0, 0, 0}};
    fe_mul(out, a, &one_std, f);
}

/* Little-endian 32-byte standard form <-> limbs (x86-64 and other little-endian hosts only). */
static inline void fe_from_bytes(fe *out, const unsigned char *b) { memcpy(out->v, b, 32); }
static inline void fe_to_bytes(unsigned char *b, const fe *a) { memcpy(b, a->v, 32); }

/* a^e (Montgomery in, Montgomery out) for a 4-limb exponent; a^(p-2) is the inverse (Fermat). */
void fe_pow(fe *out, const fe *a, const uint64_t e[4], const field_params *f);
/* out = a^-1 (Montgomery form); the inverse of 0 is 0. */
void fe_inv(fe *out, const fe *a, const field_params *f);
/* Montgomery's trick: out[i] = a[i]^-1 for all i with one inversion; zeros stay zero.
   `scratch` holds n elements; out may alias a. */
void fe_batch_inv(fe *out, const fe *a, long n, fe *scratch, const field_params *f);

#endif

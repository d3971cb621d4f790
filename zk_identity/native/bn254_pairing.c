/* The optimal ate pairing on BN254 (see bn254_pairing.h for the tower and the references). */
#include "bn254_pairing.h"

/* Bits 0..63 of 6x + 2 = 29793968203157093288 (65 bits; its top bit is the start T = Q). */
#define ATE_LOOP_LOW 0x9d797039be763ba8ULL
#define MAX_PAIRS 16

/* xi^((p-1)/3), xi^((p-1)/2) (Fq2) and xi^((p^2-1)/3) (in Fq): the Frobenius on twist coordinates;
 * xi^(k(p^2-1)/6) for k = 0..5 (all in Fq): the p^2-power Frobenius on the w^k coefficients.
 * Computed with py_ecc's FQ2 (Montgomery form here); the tests compare pairings with py_ecc's. */
static const fe2 FROB_X1 = {
    {{0xb5773b104563ab30ULL, 0x347f91c8a9aa6454ULL, 0x7a007127242e0991ULL, 0x1956bcd8118214ecULL}},
    {{0x6e849f1ea0aa4757ULL, 0xaa1c7b6d89f89141ULL, 0xb6e713cdfae0ca3aULL, 0x26694fbb4e82ebc3ULL}}};
static const fe2 FROB_Y1 = {
    {{0xe4bbdd0c2936b629ULL, 0xbb30f162e133bacbULL, 0x31a9d1b6f9645366ULL, 0x253570bea500f8ddULL}},
    {{0xa1d77ce45ffe77c7ULL, 0x07affd117826d1dbULL, 0x6d16bd27bb7edc6bULL, 0x2c87200285defeccULL}}};
static const fe FROB_X2 = {{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}};
static const fe FROB2_W[6] = {
    {{0xd35d438dc58f0d9dULL, 0x0a78eb28f5c70b3dULL, 0x666ea36f7879462cULL, 0x0e0a77c19a07df2fULL}},
    {{0xca8d800500fa1bf2ULL, 0xf0c5d61468b39769ULL, 0x0e201271ad0d4418ULL, 0x04290f65bad856e6ULL}},
    {{0x3350c88e13e80b9cULL, 0x7dce557cdb5e56b9ULL, 0x6001b4b8b615564aULL, 0x2682e617020217e0ULL}},
    {{0x68c3488912edefaaULL, 0x8d087f6872aabf4fULL, 0x51e1a24709081231ULL, 0x2259d6b14729c0faULL}},
    {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL, 0x2c3b3f0d26594943ULL}},
    {{0x08cfc388c494f1abULL, 0x19b315148d1373d4ULL, 0x584e90fdcb6c0213ULL, 0x09e1685bdf2f8849ULL}},
};
/* (p^4 - p^2 + 1) / r, little-endian limbs (761 bits). */
static const uint64_t HARD_EXPONENT[12] = {
    0xe81bb482ccdf42b1ULL, 0x5abf5cc4f49c36d4ULL, 0xf1154e7e1da014fdULL, 0xdcc7b44c87cdbacfULL,
    0xaaa441e3954bcf8aULL, 0x6b887d56d5095f23ULL, 0x79581e16f3fd90c6ULL, 0x3b1b1355d189227dULL,
    0x4e529a5861876f6bULL, 0x6c0eb522d5b12278ULL, 0x331ec15183177fafULL, 0x01baaa710b0759adULL,
};

/* ---- Fq2 helpers ---- */

/* (a0 + a1 u)(9 + u) = (9 a0 - a1) + (a0 + 9 a1) u */
static void fq2_mul_by_xi(fe2 *o, const fe2 *a) {
    fe n0, n1;
    fq_dbl(&n0, &a->c0);
    fq_dbl(&n0, &n0);
    fq_dbl(&n0, &n0);
    fq_add(&n0, &n0, &a->c0); /* 9 a0 */
    fq_dbl(&n1, &a->c1);
    fq_dbl(&n1, &n1);
    fq_dbl(&n1, &n1);
    fq_add(&n1, &n1, &a->c1); /* 9 a1 */
    fe c0, c1;
    fq_sub(&c0, &n0, &a->c1);
    fq_add(&c1, &a->c0, &n1);
    o->c0 = c0;
    o->c1 = c1;
}

static void fq2_conj(fe2 *o, const fe2 *a) {
    o->c0 = a->c0;
    fq_neg(&o->c1, &a->c1);
}

static void fq2_mul_fq(fe2 *o, const fe2 *a, const fe *s) {
    fq_mul(&o->c0, &a->c0, s);
    fq_mul(&o->c1, &a->c1, s);
}

/* ---- Fq6 ---- */

static void fq6_add(fe6 *o, const fe6 *a, const fe6 *b) {
    fq2_add(&o->c0, &a->c0, &b->c0);
    fq2_add(&o->c1, &a->c1, &b->c1);
    fq2_add(&o->c2, &a->c2, &b->c2);
}

static void fq6_sub(fe6 *o, const fe6 *a, const fe6 *b) {
    fq2_sub(&o->c0, &a->c0, &b->c0);
    fq2_sub(&o->c1, &a->c1, &b->c1);
    fq2_sub(&o->c2, &a->c2, &b->c2);
}

static void fq6_neg(fe6 *o, const fe6 *a) {
    fq2_neg(&o->c0, &a->c0);
    fq2_neg(&o->c1, &a->c1);
    fq2_neg(&o->c2, &a->c2);
}

/* Karatsuba over v^3 = xi (Devegili, O hEigeartaigh, Scott, Dahab, "Multiplication and Squaring on
 * Pairing-Friendly Fields", 2006, §4). */
static void fq6_mul(fe6 *o, const fe6 *a, const fe6 *b) {
    fe2 v0, v1, v2, s, t, c0, c1, c2;
    fq2_mul(&v0, &a->c0, &b->c0);
    fq2_mul(&v1, &a->c1, &b->c1);
    fq2_mul(&v2, &a->c2, &b->c2);
    fq2_add(&s, &a->c1, &a->c2);
    fq2_add(&t, &b->c1, &b->c2);
    fq2_mul(&s, &s, &t);
    fq2_sub(&s, &s, &v1);
    fq2_sub(&s, &s, &v2);
    fq2_mul_by_xi(&s, &s);
    fq2_add(&c0, &s, &v0); /* v0 + xi((a1 + a2)(b1 + b2) - v1 - v2) */
    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&t, &b->c0, &b->c1);
    fq2_mul(&s, &s, &t);
    fq2_sub(&s, &s, &v0);
    fq2_sub(&s, &s, &v1);
    fq2_mul_by_xi(&t, &v2);
    fq2_add(&c1, &s, &t); /* (a0 + a1)(b0 + b1) - v0 - v1 + xi v2 */
    fq2_add(&s, &a->c0, &a->c2);
    fq2_add(&t, &b->c0, &b->c2);
    fq2_mul(&s, &s, &t);
    fq2_sub(&s, &s, &v0);
    fq2_sub(&s, &s, &v2);
    fq2_add(&c2, &s, &v1); /* (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
    o->c0 = c0;
    o->c1 = c1;
    o->c2 = c2;
}

/* (a0 + a1 v + a2 v^2) v = xi a2 + a0 v + a1 v^2 */
static void fq6_mul_by_v(fe6 *o, const fe6 *a) {
    fe2 t;
    fq2_mul_by_xi(&t, &a->c2);
    o->c2 = a->c1;
    o->c1 = a->c0;
    o->c0 = t;
}

/* 1/a = (A + B v + C v^2) / (a0 A + xi (a2 B + a1 C)), A = a0^2 - xi a1 a2, B = xi a2^2 - a0 a1,
 * C = a1^2 - a0 a2. */
static void fq6_inv(fe6 *o, const fe6 *a) {
    fe2 A, B, C, t, den;
    fq2_sqr(&A, &a->c0);
    fq2_mul(&t, &a->c1, &a->c2);
    fq2_mul_by_xi(&t, &t);
    fq2_sub(&A, &A, &t);
    fq2_sqr(&B, &a->c2);
    fq2_mul_by_xi(&B, &B);
    fq2_mul(&t, &a->c0, &a->c1);
    fq2_sub(&B, &B, &t);
    fq2_sqr(&C, &a->c1);
    fq2_mul(&t, &a->c0, &a->c2);
    fq2_sub(&C, &C, &t);
    fq2_mul(&den, &a->c2, &B);
    fq2_mul(&t, &a->c1, &C);
    fq2_add(&den, &den, &t);
    fq2_mul_by_xi(&den, &den);
    fq2_mul(&t, &a->c0, &A);
    fq2_add(&den, &den, &t);
    fq2_inv(&den, &den);
    fq2_mul(&o->c0, &A, &den);
    fq2_mul(&o->c1, &B, &den);
    fq2_mul(&o->c2, &C, &den);
}

/* ---- Fq12 ---- */

static void fq12_set_one(fe12 *o) {
    memset(o, 0, sizeof *o);
    o->c0.c0.c0 = FQ.one;
}

int fq12_is_one(const fe12 *a) {
    fe12 one;
    fq12_set_one(&one);
    return memcmp(a, &one, sizeof one) == 0;
}

/* (a0 + a1 w)(b0 + b1 w) = (a0 b0 + v a1 b1) + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) w */
static void fq12_mul(fe12 *o, const fe12 *a, const fe12 *b) {
    fe6 t0, t1, s, t;
    fq6_mul(&t0, &a->c0, &b->c0);
    fq6_mul(&t1, &a->c1, &b->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_add(&t, &b->c0, &b->c1);
    fq6_mul(&s, &s, &t);
    fq6_sub(&s, &s, &t0);
    fq6_sub(&o->c1, &s, &t1);
    fq6_mul_by_v(&t1, &t1);
    fq6_add(&o->c0, &t0, &t1);
}

static void fq12_conj(fe12 *o, const fe12 *a) { /* a^(p^6) */
    o->c0 = a->c0;
    fq6_neg(&o->c1, &a->c1);
}

/* 1/(a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2) */
static void fq12_inv(fe12 *o, const fe12 *a) {
    fe6 t0, t1;
    fq6_mul(&t0, &a->c0, &a->c0);
    fq6_mul(&t1, &a->c1, &a->c1);
    fq6_mul_by_v(&t1, &t1);
    fq6_sub(&t0, &t0, &t1);
    fq6_inv(&t0, &t0);
    fq6_mul(&o->c0, &a->c0, &t0);
    fq6_mul(&o->c1, &a->c1, &t0);
    fq6_neg(&o->c1, &o->c1);
}

/* a^(p^2): Fq2 coefficients are fixed by it; the coefficient of w^k (k = 2j + i for v^j w^i)
 * is multiplied by xi^(k (p^2 - 1)/6). */
static void fq12_frobenius2(fe12 *o, const fe12 *a) {
    o->c0.c0 = a->c0.c0;
    fq2_mul_fq(&o->c0.c1, &a->c0.c1, &FROB2_W[2]);
    fq2_mul_fq(&o->c0.c2, &a->c0.c2, &FROB2_W[4]);
    fq2_mul_fq(&o->c1.c0, &a->c1.c0, &FROB2_W[1]);
    fq2_mul_fq(&o->c1.c1, &a->c1.c1, &FROB2_W[3]);
    fq2_mul_fq(&o->c1.c2, &a->c1.c2, &FROB2_W[5]);
}

/* ---- Miller loop ---- */

/* The line through T with slope lambda (T on the twist), evaluated at P and untwisted:
 * y_P - lambda x_P w + (lambda x_T - y_T) w^3, with w^3 = v w. */
static void line_value(fe12 *l, const fe2 *lambda, const g2_affine *t, const g1_affine *p) {
    memset(l, 0, sizeof *l);
    l->c0.c0.c0 = p->y;
    fq2_mul_fq(&l->c1.c0, lambda, &p->x);
    fq2_neg(&l->c1.c0, &l->c1.c0);
    fq2_mul(&l->c1.c1, lambda, &t->x);
    fq2_sub(&l->c1.c1, &l->c1.c1, &t->y);
}

/* T <- 2T with l the tangent at T; -1 if y_T = 0. */
static int double_step(fe12 *l, g2_affine *t, const g1_affine *p) {
    fe2 lambda, num, den, x3;
    if (fq2_is_zero(&t->y)) return -1;
    fq2_sqr(&num, &t->x);
    fq2_add(&den, &num, &num);
    fq2_add(&num, &num, &den); /* 3 x^2 */
    fq2_dbl(&den, &t->y);
    fq2_inv(&den, &den);
    fq2_mul(&lambda, &num, &den);
    line_value(l, &lambda, t, p);
    fq2_sqr(&x3, &lambda);
    fq2_sub(&x3, &x3, &t->x);
    fq2_sub(&x3, &x3, &t->x);
    fq2_sub(&num, &t->x, &x3);
    fq2_mul(&num, &lambda, &num);
    fq2_sub(&t->y, &num, &t->y);
    t->x = x3;
    return 0;
}

/* T <- T + Q with l the chord through T and Q; -1 if x_T = x_Q (never for Q in G2). */
static int add_step(fe12 *l, g2_affine *t, const g2_affine *q, const g1_affine *p) {
    fe2 lambda, num, den, x3;
    fq2_sub(&den, &q->x, &t->x);
    if (fq2_is_zero(&den)) return -1;
    fq2_inv(&den, &den);
    fq2_sub(&num, &q->y, &t->y);
    fq2_mul(&lambda, &num, &den);
    line_value(l, &lambda, t, p);
    fq2_sqr(&x3, &lambda);
    fq2_sub(&x3, &x3, &t->x);
    fq2_sub(&x3, &x3, &q->x);
    fq2_sub(&num, &t->x, &x3);
    fq2_mul(&num, &lambda, &num);
    fq2_sub(&t->y, &num, &t->y);
    t->x = x3;
    return 0;
}

/* f = prod_i f_{6x+2,Q_i}(P_i) * l_{T,pi(Q_i)}(P_i) * l_{T+pi(Q_i),-pi^2(Q_i)}(P_i), one shared f. */
static int miller_loop(fe12 *f, const g1_affine *p, const g2_affine *q, int n) {
    g2_affine t[MAX_PAIRS];
    fe12 l;
    for (int i = 0; i < n; i++) t[i] = q[i];
    fq12_set_one(f);
    for (int bit = 63; bit >= 0; bit--) {
        fq12_mul(f, f, f);
        for (int i = 0; i < n; i++) {
            if (double_step(&l, &t[i], &p[i])) return -1;
            fq12_mul(f, f, &l);
        }
        if ((ATE_LOOP_LOW >> bit) & 1) {
            for (int i = 0; i < n; i++) {
                if (add_step(&l, &t[i], &q[i], &p[i])) return -1;
                fq12_mul(f, f, &l);
            }
        }
    }
    for (int i = 0; i < n; i++) {
        g2_affine q1, q2;
        fq2_conj(&q1.x, &q[i].x);
        fq2_mul(&q1.x, &q1.x, &FROB_X1);
        fq2_conj(&q1.y, &q[i].y);
        fq2_mul(&q1.y, &q1.y, &FROB_Y1);
        fq2_mul_fq(&q2.x, &q[i].x, &FROB_X2); /* -pi^2(Q): xi^((p^2-1)/2) = -1 cancels the sign */
        q2.y = q[i].y;
        if (add_step(&l, &t[i], &q1, &p[i])) return -1;
        fq12_mul(f, f, &l);
        if (add_step(&l, &t[i], &q2, &p[i])) return -1;
        fq12_mul(f, f, &l);
    }
    return 0;
}

static void final_exponentiation(fe12 *o, const fe12 *f) {
    fe12 t, u;
    fq12_conj(&t, f);
    fq12_inv(&u, f);
    fq12_mul(&t, &t, &u); /* f^(p^6 - 1) */
    fq12_frobenius2(&u, &t);
    fq12_mul(&t, &u, &t); /* ^(p^2 + 1) */
    fe12 acc;
    fq12_set_one(&acc);
    for (int bit = 12 * 64 - 1; bit >= 0; bit--) {
        fq12_mul(&acc, &acc, &acc);
        if ((HARD_EXPONENT[bit / 64] >> (bit % 64)) & 1) fq12_mul(&acc, &acc, &t);
    }
    *o = acc;
}

int bn254_pairing_product(fe12 *f, const g1_affine *p, const g2_affine *q, int n) {
    g1_affine ps[MAX_PAIRS];
    g2_affine qs[MAX_PAIRS];
    int m = 0;
    if (n < 0 || n > MAX_PAIRS) return -1;
    for (int i = 0; i < n; i++) {
        if (g1_affine_is_inf(&p[i]) || g2_affine_is_inf(&q[i])) continue; /* e(O, Q) = e(P, O) = 1 */
        ps[m] = p[i];
        qs[m] = q[i];
        m++;
    }
    fe12 g;
    if (miller_loop(&g, ps, qs, m) != 0) return -1;
    final_exponentiation(f, &g);
    return 0;
}

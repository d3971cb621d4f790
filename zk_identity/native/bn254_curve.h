/* BN254 groups G1 (over Fq) and G2 (over Fq2, the D-type sextic twist), Jacobian coordinates.
 *
 * G1: y^2 = x^3 + 3 over Fq (EIP-196).  G2: y^2 = x^3 + 3/(9+u) over Fq2 = Fq[u]/(u^2+1) (EIP-197).
 * Jacobian (X, Y, Z) stands for the affine (X/Z^2, Y/Z^3); Z = 0 is the point at infinity.
 * Affine points use (0, 0) for infinity, as ffjavascript writes it in .zkey files ((0, 0) is on
 * neither curve). All coordinates are in Montgomery form.
 * Formulas: Bernstein-Lange Explicit-Formulas Database, "g1p/shortw/jacobian-0":
 * dbl-2009-l, add-2007-bl and madd-2007-bl (a = 0).
 */
#ifndef BN254_CURVE_H
#define BN254_CURVE_H

#include "bn254_field.h"

/* ---- Fq ---- */
static inline void fq_add(fe *o, const fe *a, const fe *b) { fe_add(o, a, b, &FQ); }
static inline void fq_sub(fe *o, const fe *a, const fe *b) { fe_sub(o, a, b, &FQ); }
static inline void fq_dbl(fe *o, const fe *a) { fe_dbl(o, a, &FQ); }
static inline void fq_neg(fe *o, const fe *a) { fe_neg(o, a, &FQ); }
static inline void fq_mul(fe *o, const fe *a, const fe *b) { fe_mul(o, a, b, &FQ); }
static inline void fq_sqr(fe *o, const fe *a) { fe_mul(o, a, a, &FQ); }
static inline void fq_inv(fe *o, const fe *a) { fe_inv(o, a, &FQ); }
static inline int fq_is_zero(const fe *a) { return fe_is_zero(a); }
static inline int fq_eq(const fe *a, const fe *b) { return fe_eq(a, b); }
static inline void fq_set_one(fe *o) { *o = FQ.one; }
static inline void fq_set_zero(fe *o) { memset(o, 0, sizeof *o); }

/* ---- Fq2 = Fq[u] / (u^2 + 1) ---- */
typedef struct {
    fe c0, c1; /* c0 + c1*u */
} fe2;

static inline void fq2_add(fe2 *o, const fe2 *a, const fe2 *b) {
    fq_add(&o->c0, &a->c0, &b->c0);
    fq_add(&o->c1, &a->c1, &b->c1);
}
static inline void fq2_sub(fe2 *o, const fe2 *a, const fe2 *b) {
    fq_sub(&o->c0, &a->c0, &b->c0);
    fq_sub(&o->c1, &a->c1, &b->c1);
}
static inline void fq2_dbl(fe2 *o, const fe2 *a) { fq2_add(o, a, a); }
static inline void fq2_neg(fe2 *o, const fe2 *a) {
    fq_neg(&o->c0, &a->c0);
    fq_neg(&o->c1, &a->c1);
}
/* Karatsuba: (a0 + a1 u)(b0 + b1 u) = (a0 b0 - a1 b1) + ((a0 + a1)(b0 + b1) - a0 b0 - a1 b1) u. */
static inline void fq2_mul(fe2 *o, const fe2 *a, const fe2 *b) {
    fe v0, v1, s, t;
    fq_mul(&v0, &a->c0, &b->c0);
    fq_mul(&v1, &a->c1, &b->c1);
    fq_add(&s, &a->c0, &a->c1);
    fq_add(&t, &b->c0, &b->c1);
    fq_mul(&s, &s, &t);
    fq_sub(&s, &s, &v0);
    fq_sub(&o->c1, &s, &v1);
    fq_sub(&o->c0, &v0, &v1);
}
/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u. */
static inline void fq2_sqr(fe2 *o, const fe2 *a) {
    fe s, d, m;
    fq_add(&s, &a->c0, &a->c1);
    fq_sub(&d, &a->c0, &a->c1);
    fq_mul(&m, &a->c0, &a->c1);
    fq_mul(&o->c0, &s, &d);
    fq_dbl(&o->c1, &m);
}
/* 1 / (a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2); 0 maps to 0. */
static inline void fq2_inv(fe2 *o, const fe2 *a) {
    fe t, u;
    fq_sqr(&t, &a->c0);
    fq_sqr(&u, &a->c1);
    fq_add(&t, &t, &u);
    fq_inv(&t, &t);
    fq_mul(&o->c0, &a->c0, &t);
    fq_mul(&u, &a->c1, &t);
    fq_neg(&o->c1, &u);
}
static inline int fq2_is_zero(const fe2 *a) { return fe_is_zero(&a->c0) && fe_is_zero(&a->c1); }
static inline int fq2_eq(const fe2 *a, const fe2 *b) { return fe_eq(&a->c0, &b->c0) && fe_eq(&a->c1, &b->c1); }
static inline void fq2_set_one(fe2 *o) {
    o->c0 = FQ.one;
    fq_set_zero(&o->c1);
}
static inline void fq2_set_zero(fe2 *o) { memset(o, 0, sizeof *o); }

/* Curve constants b (Montgomery form): 3 for G1; 3/(9+u) for the twist. */
static const fe G1_B = {{0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL, 0x334bea4e696bd284ULL, 0x2a1f6744ce179d8eULL}};
static const fe2 G2_B = {
    {{0x3bf938e377b802a8ULL, 0x020b1b273633535dULL, 0x26b7edf049755260ULL, 0x2514c6324384a86dULL}},
    {{0x38e7ecccd1dcff67ULL, 0x65f0b37d93ce0d3eULL, 0xd749d0dd22ac00aaULL, 0x0141b9ce4a688d4dULL}},
};

typedef struct { fe x, y; } g1_affine;
typedef struct { fe x, y, z; } g1_jac;
typedef struct { fe2 x, y; } g2_affine;
typedef struct { fe2 x, y, z; } g2_jac;

#define BN254_DECLARE_GROUP(G, F)                                                    \
    int G##_affine_is_inf(const G##_affine *a);                                      \
    int G##_affine_on_curve(const G##_affine *a);                                    \
    int G##_is_inf(const G##_jac *p);                                                \
    void G##_set_inf(G##_jac *p);                                                    \
    void G##_from_affine(G##_jac *p, const G##_affine *a);                           \
    void G##_to_affine(G##_affine *a, const G##_jac *p);                             \
    void G##_neg(G##_jac *o, const G##_jac *p);                                      \
    void G##_dbl(G##_jac *o, const G##_jac *p);                                      \
    void G##_add(G##_jac *o, const G##_jac *p, const G##_jac *q);                    \
    void G##_madd(G##_jac *o, const G##_jac *p, const G##_affine *q);                \
    void G##_mul(G##_jac *o, const G##_jac *p, const uint64_t k[4]);

BN254_DECLARE_GROUP(g1, fe)
BN254_DECLARE_GROUP(g2, fe2)

#endif

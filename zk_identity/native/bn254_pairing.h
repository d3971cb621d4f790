/* The optimal ate pairing on BN254 (EIP-197), for the native Groth16 verifier.
 *
 * Tower: Fq2 = Fq[u]/(u^2 + 1), Fq6 = Fq2[v]/(v^3 - xi) with xi = 9 + u, Fq12 = Fq6[w]/(w^2 - v),
 * so w^6 = xi and this Fq12 is py_ecc's Fq[w]/(w^12 - 18 w^6 + 82) in another basis (the tests map
 * one onto the other and compare pairing values). G2 points are on the D-type twist
 * E'(Fq2): y^2 = x^3 + 3/xi, untwisted by (x, y) -> (x w^2, y w^3).
 * Miller loop over 6x + 2 (x = 4965661367192848881) plus the two Frobenius lines (Vercauteren,
 * "Optimal pairings", IEEE Trans. IT 2010, §IV; Beuchat et al., "High-Speed Software Implementation
 * of the Optimal Ate Pairing over Barreto-Naehrig Curves", Pairing 2010), then the final
 * exponentiation (p^12 - 1)/r = (p^6 - 1)(p^2 + 1) * (p^4 - p^2 + 1)/r, its last factor written in base p
 * with coefficients in x (three exponentiations by x). T in homogeneous projective coordinates: each line
 * is the affine one times a factor in Fq2 (mapped to 1 by the final exponentiation), so the loop has no
 * inversion; lines are multiplied in sparsely.
 * Not constant time: verification handles public data only.
 */
#ifndef BN254_PAIRING_H
#define BN254_PAIRING_H

#include "bn254_curve.h"

typedef struct {
    fe2 c0, c1, c2; /* c0 + c1 v + c2 v^2 */
} fe6;

typedef struct {
    fe6 c0, c1; /* c0 + c1 w */
} fe12;

/* f = prod_i e(P_i, Q_i) (points affine, Montgomery form, in G1 / G2, pairs with an infinite point
 * skipped). Returns 0, or -1 if a Miller step met a zero denominator (Q not in G2). */
int bn254_pairing_product(fe12 *f, const g1_affine *p, const g2_affine *q, int n);

int fq12_is_one(const fe12 *a);

#endif

/* Radix-2 number-theoretic transform over the BN254 scalar field Fr. */
#ifndef BN254_NTT_H
#define BN254_NTT_H

#include "bn254_field.h"

#define FR_TWO_ADICITY 28 /* 2^28 divides r - 1 */

/* out = the primitive 2^log_n-th root of unity snarkjs uses (ffjavascript's Fr.w[log_n]),
 * in Montgomery form; returns -1 when log_n > 28. */
int fr_root_of_unity(fe *out, int log_n);

/* In place: values (Montgomery form, natural order) -> the transform, natural order.
 * Forward: out_j = sum_i a_i w^(ij) (evaluate the polynomial with coefficients a at w^j);
 * inverse: the interpolation (coefficients of the polynomial taking value a_j at w^j).
 * Returns -1 on a bad size or when memory ran out. */
int fr_ntt(fe *a, int log_n, int inverse);

/* a_i *= g^i for i < n (moves a polynomial to the coset g*<w>); Montgomery form. */
void fr_scale_by_powers(fe *a, long n, const fe *g);

#endif

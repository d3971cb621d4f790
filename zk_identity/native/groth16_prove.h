/* A Groth16 prover for snarkjs .zkey proving keys on BN254, computing exactly what snarkjs 0.7's
 * groth16_prove.js computes (so its proofs verify against the same verification key):
 *
 *   A_T, B_T = the QAP rows evaluated on the domain <w> (w = 2^k-th root, k = log2 domainSize),
 *   C_T = A_T * B_T pointwise,
 *   for P in A, B, C: P_odd = NTT(g^i * INTT(P_T)_i), g = the 2^(k+1)-th root of unity, i.e. P on the
 *   coset g<w>, where the vanishing polynomial x^n - 1 is -2 and the zkey's H points already divide by it,
 *   h = A_odd * B_odd - C_odd,
 *   pi_A = alpha1 + sum w_i A_i + r delta1
 *   pi_B = beta2 + sum w_i B2_i + s delta2            (G2)
 *   B1   = beta1 + sum w_i B1_i + s delta1
 *   pi_C = sum_{i > nPublic} w_i C_i + sum_j h_j H_j + s pi_A + r B1 - r s delta1
 * (Groth, "On the Size of Pairing-based Non-interactive Arguments", EUROCRYPT 2016, §3.2.)
 */
#ifndef GROTH16_PROVE_H
#define GROTH16_PROVE_H

#include "bn254_curve.h"

/* Sizes of one coefficient record in zkey section 4: matrix, constraint, signal (u32 LE each),
 * then the value as a 32-byte Fr element stored as value * R^2 mod r (so that one Montgomery
 * multiplication by a standard-form witness value lands in Montgomery form). */
#define ZKEY_COEF_BYTES 44

typedef struct {
    const unsigned char *coefs; /* section 4 without its leading u32 count */
    long n_coefs;
    const g1_affine *a, *b1, *c, *h; /* sections 5, 6, 8 (n_vars - n_public - 1 points), 9 */
    const g2_affine *b2;             /* section 7 */
    long n_vars, n_public, domain_size;
    g1_affine alpha1, beta1, delta1;
    g2_affine beta2, delta2;
} groth16_key;

typedef struct {
    g1_affine a;
    g2_affine b;
    g1_affine c;
} groth16_proof; /* affine, Montgomery form */

/* Proves with `witness` (n_vars elements, standard form, each < r) and the blinding scalars r, s
 * (standard form, < r). Returns 0, or -1 with *error set to a static message. */
int groth16_prove(groth16_proof *out, const groth16_key *key, const fe *witness, const fe *r, const fe *s,
                  int threads, const char **error);

#endif

/* The Groth16 prover (see groth16_prove.h for the equations). */
#include "groth16_prove.h"

#include <stdlib.h>

#include "bn254_msm.h"
#include "bn254_ntt.h"

static int log2_exact(long n) {
    int k = 0;
    while ((1L << k) < n) k++;
    return (1L << k) == n ? k : -1;
}

/* A_T and B_T from the sparse QAP coefficients, then C_T = A_T * B_T (all Montgomery form). */
static int evaluate_rows(fe *rows[3], const groth16_key *key, const fe *witness, const char **error) {
    const long n = key->domain_size;
    for (long i = 0; i < key->n_coefs; i++) {
        const unsigned char *rec = key->coefs + (size_t)i * ZKEY_COEF_BYTES;
        uint32_t matrix, constraint, signal;
        memcpy(&matrix, rec, 4);
        memcpy(&constraint, rec + 4, 4);
        memcpy(&signal, rec + 8, 4);
        if (matrix > 1 || constraint >= (uint64_t)n || signal >= (uint64_t)key->n_vars) {
            *error = "zkey coefficient out of range (matrix, constraint or signal)";
            return -1;
        }
        fe value, term;
        memcpy(value.v, rec + 12, 32);
        fe_mul(&term, &value, &witness[signal], &FR);
        fe_add(&rows[matrix][constraint], &rows[matrix][constraint], &term, &FR);
    }
    for (long i = 0; i < n; i++) fe_mul(&rows[2][i], &rows[0][i], &rows[1][i], &FR);
    return 0;
}

/* h_j = (A*B - C)(g w^j) in standard form: the scalars of the H multi-exponentiation. */
static int quotient_scalars(fe *h, fe *rows[3], long n, const char **error) {
    const int log_n = log2_exact(n);
    if (log_n < 1 || log_n >= FR_TWO_ADICITY) {
        *error = "zkey domain size must be a power of two between 2 and 2^27";
        return -1;
    }
    fe coset;
    fr_root_of_unity(&coset, log_n + 1);
    for (int k = 0; k < 3; k++) {
        if (fr_ntt(rows[k], log_n, 1) != 0) goto oom;
        fr_scale_by_powers(rows[k], n, &coset);
        if (fr_ntt(rows[k], log_n, 0) != 0) goto oom;
    }
    for (long j = 0; j < n; j++) {
        fe t;
        fe_mul(&t, &rows[0][j], &rows[1][j], &FR);
        fe_sub(&t, &t, &rows[2][j], &FR);
        fe_from_mont(&h[j], &t, &FR);
    }
    return 0;
oom:
    *error = "out of memory in the NTT";
    return -1;
}

static void g1_add_affine(g1_jac *acc, const g1_affine *p) { g1_madd(acc, acc, p); }

static void g1_add_scaled(g1_jac *acc, const g1_jac *p, const fe *k) {
    g1_jac t;
    g1_mul(&t, p, k->v);
    g1_add(acc, acc, &t);
}

int groth16_prove(groth16_proof *out, const groth16_key *key, const fe *witness, const fe *r, const fe *s,
                  int threads, const char **error) {
    const long n = key->domain_size;
    if (key->n_public + 1 > key->n_vars || n < 2) {
        *error = "zkey sizes are inconsistent (nPublic, nVars, domainSize)";
        return -1;
    }
    for (long i = 0; i < key->n_vars; i++) {
        if (!fe_lt_p(&witness[i], &FR)) {
            *error = "a witness element is not below the scalar field modulus r";
            return -1;
        }
    }
    if (!fe_lt_p(r, &FR) || !fe_lt_p(s, &FR)) {
        *error = "the blinding scalars r, s must be below the scalar field modulus";
        return -1;
    }
    int rc = -1;
    fe *rows[3] = {calloc((size_t)n, sizeof(fe)), calloc((size_t)n, sizeof(fe)), calloc((size_t)n, sizeof(fe))};
    fe *h = malloc(sizeof(fe) * (size_t)n);
    if (!rows[0] || !rows[1] || !rows[2] || !h) {
        *error = "out of memory";
        goto done;
    }
    if (evaluate_rows(rows, key, witness, error) != 0) goto done;
    if (quotient_scalars(h, rows, n, error) != 0) goto done;

    g1_jac msm_a, msm_b1, msm_c, msm_h;
    g2_jac msm_b2;
    const long private_start = key->n_public + 1;
    msm_job jobs[5] = {
        {MSM_G2, key->b2, witness, key->n_vars, &msm_b2},
        {MSM_G1, key->a, witness, key->n_vars, &msm_a},
        {MSM_G1, key->b1, witness, key->n_vars, &msm_b1},
        {MSM_G1, key->c, witness + private_start, key->n_vars - private_start, &msm_c},
        {MSM_G1, key->h, h, n, &msm_h},
    };
    if (msm_run(jobs, 5, threads) != 0) {
        *error = "out of memory in the multi-scalar multiplication";
        goto done;
    }

    g1_jac delta1, pi_a, b1, pi_c;
    g2_jac delta2, pi_b, t2;
    g1_from_affine(&delta1, &key->delta1);
    g2_from_affine(&delta2, &key->delta2);

    pi_a = msm_a;
    g1_add_affine(&pi_a, &key->alpha1);
    g1_add_scaled(&pi_a, &delta1, r);

    pi_b = msm_b2;
    g2_madd(&pi_b, &pi_b, &key->beta2);
    g2_mul(&t2, &delta2, s->v);
    g2_add(&pi_b, &pi_b, &t2);

    b1 = msm_b1;
    g1_add_affine(&b1, &key->beta1);
    g1_add_scaled(&b1, &delta1, s);

    fe rs;
    fe_to_mont(&rs, r, &FR);
    fe_mul(&rs, &rs, s, &FR); /* (r R) * s / R = r s, standard form */
    fe_neg(&rs, &rs, &FR);
    pi_c = msm_c;
    g1_add(&pi_c, &pi_c, &msm_h);
    g1_add_scaled(&pi_c, &pi_a, s);
    g1_add_scaled(&pi_c, &b1, r);
    g1_add_scaled(&pi_c, &delta1, &rs);

    g1_to_affine(&out->a, &pi_a);
    g2_to_affine(&out->b, &pi_b);
    g1_to_affine(&out->c, &pi_c);
    rc = 0;
done:
    free(rows[0]);
    free(rows[1]);
    free(rows[2]);
    free(h);
    return rc;
}

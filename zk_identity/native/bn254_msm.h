/* Multi-scalar multiplication sum_i k_i P_i on BN254 G1 and G2 (Pippenger's bucket method,
 * with signed c-bit digits so a window needs 2^(c-1) buckets). Windows of all jobs are spread
 * over a few POSIX threads. */
#ifndef BN254_MSM_H
#define BN254_MSM_H

#include "bn254_curve.h"

typedef enum { MSM_G1 = 1, MSM_G2 = 2 } msm_group;

typedef struct {
    msm_group group;
    const void *bases;     /* n affine points in Montgomery form (g1_affine / g2_affine), (0,0) = infinity */
    const fe *scalars;     /* n scalars in standard form, each < r */
    long n;
    void *result;          /* out: g1_jac / g2_jac */
} msm_job;

/* Runs every job; returns 0, or -1 when memory ran out (results then undefined). */
int msm_run(msm_job *jobs, int njobs, int threads);

#endif

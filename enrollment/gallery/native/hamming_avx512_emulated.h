/* AVX-512 in software for tests: SIMDe (Debian's libsimde-dev, header-only) under the native names, and
 * the two intrinsics hamming_avx512.c uses that SIMDe 0.7.4 lacks, written out lane by lane with the
 * instruction's meaning (Intel's intrinsics guide). Only hamming_avx512.c includes this, and only when
 * built with -DHM_AVX512_EMULATED; the shipped extension never is. */
#ifndef HAMMING_AVX512_EMULATED_H
#define HAMMING_AVX512_EMULATED_H

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>

#ifndef __AVX512F__
typedef simde__mmask8 __mmask8; /* SIMDe aliases the vector types, not this mask type */
#endif

/* VCVTDQ2PD zmm, ymm: 8 signed 32-bit integers to 8 doubles (exact) */
static inline simde__m512d hm_emulated_cvtepi32_pd(simde__m256i a) {
    int32_t in[8];
    double out[8];
    simde_mm256_storeu_si256((simde__m256i *)in, a);
    for (int i = 0; i < 8; i++) out[i] = (double)in[i];
    return simde_mm512_loadu_pd(out);
}
#define _mm512_cvtepi32_pd(a) hm_emulated_cvtepi32_pd(a)

/* the least of 8 doubles (no NaN reaches it here: every lane is a distance in [0, 1] or +inf) */
static inline double hm_emulated_reduce_min_pd(simde__m512d a) {
    double in[8];
    simde_mm512_storeu_pd(in, a);
    double least = in[0];
    for (int i = 1; i < 8; i++) least = in[i] < least ? in[i] : least;
    return least;
}
#define _mm512_reduce_min_pd(a) hm_emulated_reduce_min_pd(a)

#endif

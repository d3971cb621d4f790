/* The x86 paths for CPUs without VPOPCNTQ: AVX2 (nibble-table popcount) and scalar POPCNT.
 *
 * AVX2 has no vector popcount. Each byte's count is looked up from two 4-bit halves with VPSHUFB and
 * kept in 8-bit lanes for 16 vectors (at most 16 * 8 = 128 per byte: no overflow), then widened once
 * with VPSADBW. A lane here is a WORD (4 per vector); the probe rotates by reading e_code/e_mask at an
 * offset, one shift after another. Both paths supply only the counting loop; hm_rows_by_shift
 * (hamming_scan.c) runs it over rows with the early stop.
 */
#include "hamming.h"

#ifdef HM_X86
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2")))
#define AVX2_INLINE static inline __attribute__((always_inline, target("avx2")))
#define CHUNK_VECTORS 16 /* byte counters stay below 256 for 16 vectors of <= 8 bits per byte */

AVX2_INLINE __m256i byte_counts(__m256i x, __m256i table, __m256i low) {
    const __m256i lo = _mm256_and_si256(x, low);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
    return _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
}

AVX2_INLINE uint32_t lanes_sum(__m256i x) {
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
    return (uint32_t)(_mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1));
}

/* Every shift over the record's blocks order[from..to): a block is 8 words, two vectors. */
AVX2 static void count_avx2(const hm_probe *p, const uint64_t *c, const uint64_t *m, int from, int to,
                            uint32_t *differing, uint32_t *compared) {
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, /* bits of 0..15 */
                                           0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0f);
    const __m256i zero = _mm256_setzero_si256();
    for (int k = 0; k < HM_SHIFTS; k++) {
        const uint64_t *pc = p->e_code + HM_E_BIAS - k, *pm = p->e_mask + HM_E_BIAS - k;
        __m256i d = zero, n = zero;
        for (int chunk = from; chunk < to; chunk += CHUNK_VECTORS / 2) {
            const int end = chunk + CHUNK_VECTORS / 2 < to ? chunk + CHUNK_VECTORS / 2 : to;
            __m256i db = zero, nb = zero;
            for (int at = chunk; at < end; at++) {
                const int line = p->order[at] * HM_BLOCK_WORDS;
                for (int j = line; j < line + HM_BLOCK_WORDS; j += 4) {
                    const __m256i both = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(m + j)),
                                                          _mm256_loadu_si256((const __m256i *)(pm + j)));
                    const __m256i x = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(c + j)),
                                                       _mm256_loadu_si256((const __m256i *)(pc + j)));
                    if (differing)
                        db = _mm256_add_epi8(db, byte_counts(_mm256_and_si256(x, both), table, low));
                    if (compared) nb = _mm256_add_epi8(nb, byte_counts(both, table, low));
                }
            }
            d = _mm256_add_epi64(d, _mm256_sad_epu8(db, zero));
            n = _mm256_add_epi64(n, _mm256_sad_epu8(nb, zero));
        }
        if (differing) differing[k] += lanes_sum(d);
        if (compared) compared[k] += lanes_sum(n);
    }
}

void hm_rows_avx2(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                  const hm_out *out, size_t first) {
    hm_rows_by_shift(p, codes, masks, rows, out, first, count_avx2);
}

#include "hamming_scalar.inc"

__attribute__((target("popcnt"))) static void count_popcnt(const hm_probe *p, const uint64_t *c,
                                                            const uint64_t *m, int from, int to,
                                                            uint32_t *differing, uint32_t *compared) {
    HM_COUNT_SCALAR_BODY
}

void hm_rows_popcnt(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                    const hm_out *out, size_t first) {
    hm_rows_by_shift(p, codes, masks, rows, out, first, count_popcnt);
}

#endif

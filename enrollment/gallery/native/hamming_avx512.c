/* AVX-512 path: VPOPCNTQ (avx512vpopcntdq; with avx512f and avx512dq), 8 shifts per vector.
 *
 * Layout: a vector lane is a SHIFT, not a word. For record word j, one broadcast of the record's
 * code word and one of its mask word meet 8 consecutive shifts of the probe, which are 8 contiguous
 * words of the reversed probe (hamming.h, a_code/a_mask), so one aligned load fetches them. Four
 * groups of 8 lanes cover the 31 shifts (lane 31 is a spare shift, computed and ignored). Per
 * (word, 8 shifts) the work is AND (mask overlap), VPTERNLOG ((code ^ probe) & overlap), two
 * VPOPCNTQ and two VPADDQ: 6 zmm operations for 512 bit-pairs, the least this CPU can do per bit-pair
 * with one popcount per counted bit (a carry-save tree costs the same 2 operations per vector).
 * With shifts in lanes, the 62 counts end the record in 8 registers already in shift order: no
 * horizontal sums, and the normalization runs 8 shifts per instruction.
 *
 * Measured on AMD Zen 4 (2 x 256-bit popcount pipes, 4 x 256-bit logic/add pipes): 6 zmm operations
 * per 512 bit-pairs take 3 cycles, ~0.92 us per record on registers alone; this loop, with its loads,
 * runs at ~1.0 us per record per core. That is compute-bound at ~4 GB/s of gallery per core, so the
 * one way to be faster is to do less of it:
 *
 * Exact early stop (hm_probe.bounded): with a threshold to search at, a row is first counted for
 * differing bits only (AND, VPTERNLOG, VPOPCNTQ, VPADDQ: 4 operations instead of 6), two rows at a
 * time so that each probe load serves both, in 8-word blocks taken densest probe mask first; at the
 * checkpoints in hamming.h the row is left once every shift has piled up so many differing bits
 * that even comparing all of the probe's mask bits could not bring it back under the threshold
 * (hamming_scan.c, least_dead_count, says why that is exact). A left row is reported as +inf; a
 * row never left is counted in full and scored exactly, so nothing within the threshold is ever
 * missed. The order and the bound come from the probe alone, never from a sample of the gallery.
 * On synthetic impostors (enrollment/gallery/synthetic_templates.py) rows are left after ~20 of 32
 * blocks at threshold 0.33 and ~18 at 0.30: about 40% of the operations of a full count.
 */
#include "hamming.h"

#ifdef HM_X86
#include <math.h>

#ifdef HM_AVX512_EMULATED
/* Tests only (tests/enrollment/test_gallery_kernel_avx512_emulated.py, make mutation-c): the same source
 * on SIMDe's portable AVX-512, so that a CPU without AVX-512 runs and mutates this path's logic. */
#include "hamming_avx512_emulated.h"
#define AVX512
#define AVX512_INLINE static inline
#else
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f,avx512dq,avx512vpopcntdq")))
#define AVX512_INLINE static inline __attribute__((always_inline, target("avx512f,avx512dq,avx512vpopcntdq")))
#endif

typedef struct {
    __m512i d[4], n[4]; /* differing and compared bits so far, lane = shift index 8g + lane */
} counts;

/* Count the record's blocks order[from..to) against all 32 lanes: differing bits when `with_d`,
 * compared bits when `with_n` (constants at every call, so each use compiles to its own loop). */
AVX512_INLINE void count_blocks(counts *acc, const hm_probe *p, const uint64_t *c, const uint64_t *m,
                                int from, int to, const int with_d, const int with_n) {
    __m512i d0 = acc->d[0], d1 = acc->d[1], d2 = acc->d[2], d3 = acc->d[3];
    __m512i n0 = acc->n[0], n1 = acc->n[1], n2 = acc->n[2], n3 = acc->n[3];
    for (int at = from; at < to; at++) {
        const int line = p->order[at] * HM_BLOCK_WORDS;
        for (int j = line; j < line + HM_BLOCK_WORDS; j++) {
            const __m512i code = _mm512_set1_epi64((long long)c[j]);
            const __m512i mask = _mm512_set1_epi64((long long)m[j]);
            const uint64_t *pc = HM_WINDOW(p->a_code, j);
            const uint64_t *pm = HM_WINDOW(p->a_mask, j);
/* 0x28 = (a ^ b) & c for ternlog operands (a, b, c) = (probe code, code, overlap); the probe load
 * comes first because VPTERNLOG overwrites its first operand, which then needs no copy */
#define HM_GROUP(g, dg, ng)                                                                             \
    do {                                                                                                \
        const __m512i both = _mm512_and_si512(mask, _mm512_load_si512(pm + 8 * (g)));                 \
        if (with_d) {                                                                                   \
            const __m512i probe = _mm512_load_si512(pc + 8 * (g));                                     \
            const __m512i diff = _mm512_ternarylogic_epi64(probe, code, both, 0x28);                    \
            dg = _mm512_add_epi64(dg, _mm512_popcnt_epi64(diff));                                       \
        }                                                                                               \
        if (with_n) ng = _mm512_add_epi64(ng, _mm512_popcnt_epi64(both));                               \
    } while (0)
            HM_GROUP(0, d0, n0);
            HM_GROUP(1, d1, n1);
            HM_GROUP(2, d2, n2);
            HM_GROUP(3, d3, n3);
#undef HM_GROUP
        }
    }
    acc->d[0] = d0, acc->d[1] = d1, acc->d[2] = d2, acc->d[3] = d3;
    acc->n[0] = n0, acc->n[1] = n1, acc->n[2] = n2, acc->n[3] = n3;
}

/* distance.normalized_distance for 8 lanes: the same IEEE operations in the same order
 * (counts < 2^31, so the int32 conversion is exact; n == 0 gives NO_OVERLAP_DISTANCE). */
AVX512_INLINE __m512d normalized8(__m512i differing, __m512i compared, __m512i ref, __m512d ref_d) {
    const __m512d half = _mm512_set1_pd(0.5);
    const __m512d d = _mm512_cvtepi32_pd(_mm512_cvtepi64_epi32(differing));
    const __m512d n = _mm512_cvtepi32_pd(_mm512_cvtepi64_epi32(compared));
    const __m512d counted = _mm512_cvtepi32_pd(_mm512_cvtepi64_epi32(_mm512_min_epu64(compared, ref)));
    const __m512d raw = _mm512_div_pd(d, n);
    const __m512d scale = _mm512_sqrt_pd(_mm512_div_pd(counted, ref_d));
    const __m512d value = _mm512_sub_pd(half, _mm512_mul_pd(_mm512_sub_pd(half, raw), scale));
    const __mmask8 none = _mm512_cmpeq_epi64_mask(compared, _mm512_setzero_si512());
    return _mm512_mask_blend_pd(none, value, half);
}

/* 1 when every shift's differing bits have reached dead_from (hamming_scan.c explains the bound):
 * one compare per 8 shifts. */
AVX512_INLINE int all_dead(const counts *acc, __m512i dead_from) {
    uint32_t dead = 0;
    for (int g = 0; g < 4; g++) dead |= (uint32_t)_mm512_cmpge_epu64_mask(acc->d[g], dead_from) << (8 * g);
    return (~dead & ((1u << HM_SHIFTS) - 1)) == 0;
}

AVX512_INLINE void finish(const counts *acc, __m512i ref, __m512d ref_d, const hm_out *out, size_t row) {
    __m512d v[4];
    for (int g = 0; g < 4; g++) v[g] = normalized8(acc->d[g], acc->n[g], ref, ref_d);
    v[3] = _mm512_mask_blend_pd((__mmask8)0x80, v[3], _mm512_set1_pd(INFINITY)); /* lane 31: no shift */
    const __m512d low = _mm512_min_pd(_mm512_min_pd(v[0], v[1]), _mm512_min_pd(v[2], v[3]));
    const double best = _mm512_reduce_min_pd(low);
    const __m512d b = _mm512_set1_pd(best);
    uint32_t at = 0;
    for (int g = 0; g < 4; g++) at |= (uint32_t)_mm512_cmp_pd_mask(v[g], b, _CMP_EQ_OQ) << (8 * g);
    const int k = __builtin_ctz(at); /* the first shift in SHIFT_ORDER with the best value wins */
    uint64_t n[8];
    _mm512_storeu_si512(n, acc->n[k / 8]);
    out->distance[row] = best;
    out->shift[row] = k - HM_MAX_SHIFT;
    out->bits[row] = n[k % 8];
}

/* Count differing bits only, for TWO records at once over blocks order[from..to): each probe
 * vector loaded serves both. Why: counting differing bits is 4 operations per (word, 8 shifts) but
 * 2 probe loads plus the record's broadcasts, so one record at a time is bound by loads (measured:
 * no faster than counting both bits); two records halve the loads per operation.
 *
 * Also prefetches the next pair (`ahead`: code, mask, code, mask), all of it, in address order,
 * over the first 8 blocks. Why by hand: this visits a record's lines out of order and leaves it
 * after ~3/5 of them, which the hardware prefetcher does not follow (measured: 3.4x slower from
 * DRAM without it, 10% slower than from L2 with it). Into L2, not L1: the probe tables fill L1. */
AVX512_INLINE void count_pair_differing(counts *a, counts *b, const hm_probe *p, const uint64_t *ca,
                                        const uint64_t *ma, const uint64_t *cb, const uint64_t *mb,
                                        const uint64_t *const *ahead, int from, int to) {
    __m512i a0 = a->d[0], a1 = a->d[1], a2 = a->d[2], a3 = a->d[3];
    __m512i b0 = b->d[0], b1 = b->d[1], b2 = b->d[2], b3 = b->d[3];
    for (int at = from; at < to; at++) {
        if (at < HM_BLOCKS / 4)
            for (int q = 0; q < 4; q++) {
                for (int line = 4 * at; line < 4 * at + 4; line++)
                    _mm_prefetch((const char *)(ahead[q] + line * HM_BLOCK_WORDS), _MM_HINT_T1);
                if (at == 0) _mm_prefetch((const char *)(ahead[q] + HM_WORDS - 1), _MM_HINT_T1);
            }
        const int line = p->order[at] * HM_BLOCK_WORDS;
        for (int j = line; j < line + HM_BLOCK_WORDS; j++) {
            const __m512i code_a = _mm512_set1_epi64((long long)ca[j]);
            const __m512i mask_a = _mm512_set1_epi64((long long)ma[j]);
            const __m512i code_b = _mm512_set1_epi64((long long)cb[j]);
            const __m512i mask_b = _mm512_set1_epi64((long long)mb[j]);
            const uint64_t *pc = HM_WINDOW(p->a_code, j);
            const uint64_t *pm = HM_WINDOW(p->a_mask, j);
/* 0x60 = (b ^ c) & a for ternlog operands (a, b, c) = (overlap, probe code, code): the overlap,
 * which VPTERNLOG overwrites, is dead afterwards; the probe code serves the second record */
#define HM_PAIR_GROUP(g, ag, bg)                                                                        \
    do {                                                                                                \
        const __m512i probe = _mm512_load_si512(pc + 8 * (g)), probe_mask = _mm512_load_si512(pm + 8 * (g)); \
        const __m512i both_a = _mm512_and_si512(mask_a, probe_mask);                                    \
        const __m512i both_b = _mm512_and_si512(mask_b, probe_mask);                                    \
        /* one row, then the other: this statement order schedules ~8% faster here (GCC 12) */       \
        const __m512i diff_a = _mm512_ternarylogic_epi64(both_a, probe, code_a, 0x60);                  \
        ag = _mm512_add_epi64(ag, _mm512_popcnt_epi64(diff_a));                                         \
        const __m512i diff_b = _mm512_ternarylogic_epi64(both_b, probe, code_b, 0x60);                  \
        bg = _mm512_add_epi64(bg, _mm512_popcnt_epi64(diff_b));                                         \
    } while (0)
            HM_PAIR_GROUP(0, a0, b0);
            HM_PAIR_GROUP(1, a1, b1);
            HM_PAIR_GROUP(2, a2, b2);
            HM_PAIR_GROUP(3, a3, b3);
#undef HM_PAIR_GROUP
        }
    }
    a->d[0] = a0, a->d[1] = a1, a->d[2] = a2, a->d[3] = a3;
    b->d[0] = b0, b->d[1] = b1, b->d[2] = b2, b->d[3] = b3;
}

/* The early stop's plan (hm_rows_by_shift follows it too): count differing bits block by block in
 * hm_probe.order, and after hm_checks[i] blocks leave the row if all_dead; a row that is never left
 * gets its compared bits counted and is scored exactly. score_from takes a row from `done` blocks
 * counted (differing bits in `acc`) to its result. */
AVX512_INLINE void score_from(counts *acc, int done, const hm_probe *p, const uint64_t *c, const uint64_t *m,
                              __m512i ref, __m512d ref_d, __m512i dead_from, const hm_out *out, size_t row) {
    for (int i = 0; i < HM_CHECKS; i++) {
        if (hm_checks[i] <= done) continue;
        count_blocks(acc, p, c, m, done, hm_checks[i], 1, 0);
        done = hm_checks[i];
        if (all_dead(acc, dead_from)) {
            out->distance[row] = INFINITY;
            out->shift[row] = 0;
            out->bits[row] = 0;
            return;
        }
    }
    count_blocks(acc, p, c, m, done, HM_BLOCKS, 1, 0);
    count_blocks(acc, p, c, m, 0, HM_BLOCKS, 0, 1);
    finish(acc, ref, ref_d, out, row);
}

AVX512 void hm_rows_avx512(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                           const hm_out *out, size_t first) {
    const __m512i ref = _mm512_set1_epi64(p->ref_bits);
    const __m512d ref_d = _mm512_set1_pd((double)p->ref_bits);
    const __m512i dead_from = _mm512_set1_epi64((long long)p->dead_from);
    const __m512i zero = _mm512_setzero_si512();
    size_t r = 0;
    if (!p->bounded) { /* no early stop: every word of every row, one row at a time */
        for (; r < rows; r++) {
            const uint64_t *c = codes + r * HM_WORDS, *m = masks + r * HM_WORDS;
            counts acc = {{zero, zero, zero, zero}, {zero, zero, zero, zero}};
            count_blocks(&acc, p, c, m, 0, HM_BLOCKS, 1, 1);
            finish(&acc, ref, ref_d, out, first + r);
        }
        return;
    }
    /* rows in pairs while both live; a row whose partner was left goes on alone */
    for (; r + 1 < rows; r += 2) {
        const uint64_t *ca = codes + r * HM_WORDS, *ma = masks + r * HM_WORDS;
        const uint64_t *cb = ca + HM_WORDS, *mb = ma + HM_WORDS;
        const size_t next = r + 3 < rows ? r + 2 : r; /* the last pair of a block prefetches itself */
        const uint64_t *const ahead[4] = {codes + next * HM_WORDS, masks + next * HM_WORDS,
                                          codes + (next + 1) * HM_WORDS, masks + (next + 1) * HM_WORDS};
        counts a = {{zero, zero, zero, zero}, {zero, zero, zero, zero}}, b = a;
        int done = 0, dead_a = 0, dead_b = 0;
        for (int i = 0; i < HM_CHECKS && !dead_a && !dead_b; i++) {
            count_pair_differing(&a, &b, p, ca, ma, cb, mb, ahead, done, hm_checks[i]);
            done = hm_checks[i];
            dead_a = all_dead(&a, dead_from);
            dead_b = all_dead(&b, dead_from);
        }
        for (int k = 0; k < 2; k++) {
            const size_t row = first + r + k;
            if (k ? dead_b : dead_a) {
                out->distance[row] = INFINITY;
                out->shift[row] = 0;
                out->bits[row] = 0;
            } else {
                score_from(k ? &b : &a, done, p, k ? cb : ca, k ? mb : ma, ref, ref_d, dead_from, out, row);
            }
        }
    }
    for (; r < rows; r++) {
        counts acc = {{zero, zero, zero, zero}, {zero, zero, zero, zero}};
        const uint64_t *c = codes + r * HM_WORDS, *m = masks + r * HM_WORDS;
        score_from(&acc, 0, p, c, m, ref, ref_d, dead_from, out, first + r);
    }
}

#endif

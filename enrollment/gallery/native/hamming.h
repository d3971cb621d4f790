/* The native 1:N kernel behind enrollment.gallery._hamming: masked fractional Hamming distance of one
 * probe against many packed templates, all 31 shifts, normalized as enrollment/gallery/distance.py.
 *
 * A template is 256 little 64-bit words of code and 256 of mask (one word per angular column); a
 * shift rotates the PROBE by whole words: rot_s[j] = probe[(j - s) mod 256], s = -15..15.
 * Every path returns, per record, exactly what distance.pair_distance returns: the smallest
 * normalized distance, the first shift (in -15..15 order) that reaches it, and the bits compared
 * there. The paths differ only in how they count bits; the normalization is the same IEEE double
 * operations in the same order (the extension is built with -ffp-contract=off so that no FMA can
 * change a rounding).
 */
#ifndef HAMMING_H
#define HAMMING_H

#include <stddef.h>
#include <stdint.h>

#define HM_WORDS 256  /* words per code (and per mask): one per angular column */
#define HM_MAX_SHIFT 15
#define HM_SHIFTS (2 * HM_MAX_SHIFT + 1)
#define HM_LANES 32   /* HM_SHIFTS rounded up to whole 8-lane vectors; lane 31 is computed and ignored */
/* E[t] = probe[(t - HM_MAX_SHIFT - 1) mod 256]: rot_k[j] = E[j - k + HM_E_BIAS] for shift index k
 * (s = k - 15), the layout of the paths that count one shift at a time (a spare word in front). */
#define HM_E_BIAS (2 * HM_MAX_SHIFT + 1)
#define HM_E_WORDS (HM_WORDS + HM_E_BIAS + 8)
/* The AVX-512 layout, where a vector lane is a shift: R[u] = probe[(HM_WORDS - 1 + HM_MAX_SHIFT - u) mod
 * 256] puts the 8 shifts 8g..8g+7 that meet record word j at R[255 - j + 8g ...], contiguous. That
 * start is misaligned by (255 - j) mod 8 words, and a load that straddles two cache lines costs two,
 * so R is stored 8 times, copy s shifted by s words: a_code[s][x] = R[x + s], and every load is
 * aligned (HM_WINDOW). 2 x 8 x 288 words = 36 KiB, about L1's size: the loop's loads come from L1
 * or L2, and with two records sharing each load (count_pair_differing) L2 keeps up. */
#define HM_A_WORDS (HM_WORDS + HM_LANES)
#define HM_WINDOW(copies, j) ((copies)[(HM_WORDS - 1 - (j)) & 7] + ((HM_WORDS - 1 - (j)) & ~7))

/* The early stop (hamming_avx512.c, and hm_rows_by_shift for the other paths) counts a record's
 * differing bits only, in blocks of 8 words (one 64-byte line of code and one of mask) taken in
 * hm_probe.order, and after hm_checks[i] blocks leaves the row if every shift is already above the
 * threshold (hm_probe.dead_from). Blocks where the probe's mask is densest come first: those are
 * where the record's differing bits pile up fastest, so the check succeeds soonest. On synthetic
 * impostors rows stop after ~20 blocks at threshold 0.33 and ~18 at 0.30; a check costs a few
 * operations, a block 128 (8 words x 4 groups of 8 shifts x 4), so the checks are dense there. */
#define HM_BLOCK_WORDS 8
#define HM_BLOCKS (HM_WORDS / HM_BLOCK_WORDS)
static const int hm_checks[] __attribute__((unused)) = {14, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 28,
                                                        30, 32};
#define HM_CHECKS ((int)(sizeof hm_checks / sizeof hm_checks[0]))

/* The probe prepared once per query: its words laid out for each path. Allocate it 64-byte aligned. */
typedef struct {
    uint64_t e_code[HM_E_WORDS], e_mask[HM_E_WORDS];
    _Alignas(64) uint64_t a_code[8][HM_A_WORDS];
    _Alignas(64) uint64_t a_mask[8][HM_A_WORDS];
    uint8_t order[HM_BLOCKS]; /* blocks by the probe's mask bits under all shifts, most first */
    /* a shift whose differing bits reach dead_from is above the threshold whatever the rest of the
     * record holds (hm_prepare); > every possible count when there is no bound */
    uint64_t dead_from;
    uint32_t ref_bits; /* distance.REFERENCE_BITS, Daugman's normalization constant */
    int bounded; /* rows provably above the bound threshold may stop early */
} hm_probe;

/* How far above the threshold a row's best case must be for the early stop: ~1e7 times the rounding
 * error of the normalization, so that no rounding can turn a stopped row into a hit. */
#define HM_BOUND_MARGIN 1e-9

typedef enum { HM_GENERIC = 0, HM_POPCNT, HM_AVX2, HM_AVX512, HM_PATHS } hm_path;

/* Per-row result. A row's distance is +inf (and shift/bits 0) only when a bound proved it above
 * bound_threshold (never when bound_threshold < 0). */
typedef struct {
    double *distance;
    int64_t *shift;
    uint64_t *bits;
} hm_out;

typedef void (*hm_rows_fn)(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                           const hm_out *out, size_t first);

void hm_prepare(hm_probe *p, const uint64_t *code, const uint64_t *mask, uint32_t ref_bits,
                double bound_threshold);
const char *hm_path_name(hm_path path);
int hm_path_supported(hm_path path); /* compiled in AND this CPU has the instructions */

/* Score rows [0, rows) with `threads` threads (the caller's thread is one of them). */
void hm_scan(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows, const hm_out *out,
             hm_path path, int threads);

/* Shared by the paths (hamming_scan.c): pick the best of HM_SHIFTS counted shifts. */
void hm_pick_best(const uint32_t *differing, const uint32_t *compared, uint32_t ref_bits, const hm_out *out,
                  size_t row);

/* The paths that count one shift at a time (generic, popcnt, avx2) supply only this: add the counts
 * of every shift over the record's blocks order[from..to) into differing[k] and compared[k]; either
 * array may be NULL, and its count is then skipped. */
typedef void (*hm_count_fn)(const hm_probe *p, const uint64_t *c, const uint64_t *m, int from, int to,
                            uint32_t *differing, uint32_t *compared);
/* ... and hm_rows_by_shift runs them over rows, with the same early stop as the AVX-512 path. */
void hm_rows_by_shift(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                      const hm_out *out, size_t first, hm_count_fn count);

/* The kernels, one per path (hamming_scan.c, hamming_avx2.c, hamming_avx512.c). */
void hm_rows_generic(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                     const hm_out *out, size_t first);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HM_X86 1
void hm_rows_popcnt(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                    const hm_out *out, size_t first);
void hm_rows_avx2(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                  const hm_out *out, size_t first);
void hm_rows_avx512(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                    const hm_out *out, size_t first);
#endif

#endif

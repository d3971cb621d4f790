/* Probe preparation, the shared normalization, the portable kernel, CPU dispatch and the thread pool. */
#include <math.h>
#include <pthread.h>

#include "hamming.h"

_Static_assert((HM_WORDS & (HM_WORDS - 1)) == 0, "word_at wraps with a mask");

static uint64_t word_at(const uint64_t *words, long index) {
    return words[(unsigned long)index & (HM_WORDS - 1)]; /* index mod 256, negative indexes too */
}

/* dead_from, the early stop's bound. While only differing bits d have been counted, a shift can in
 * the end compare at most Q bits, all of the probe's mask (a rotation keeps the count), and its d
 * can only grow. The normalized distance f(d, n) = 0.5 - (0.5 - d/n) sqrt(min(n, R)/R) never falls
 * when d grows and never rises when n grows while d/n <= 0.5 (and is >= 0.5 otherwise), so the
 * shift's final distance is at least f(d, Q): once that is above the threshold, so is the shift.
 * f(d, Q) > threshold + margin exactly when, with u = Q - 2d (0.5 - d/Q = u / 2Q),
 *     u * |u| * min(Q, R) < 4 (0.5 - threshold - margin)^2 R Q^2
 * (squared; u <= 0 means d/Q >= 0.5). The left side is an integer below 2^42, exact in a double,
 * and falls as d grows, so the least such d is found by bisection. The margin (HM_BOUND_MARGIN) is
 * far above the rounding of the right side and of the normalization itself (~1e-16): a row left by
 * the bound is above the threshold however its distance would have been rounded. */
static uint64_t least_dead_count(uint64_t total, uint32_t ref_bits, double threshold) {
    const double room = 0.5 - threshold - HM_BOUND_MARGIN;
    const double q = (double)total;
    const double rhs = 4.0 * room * room * (double)ref_bits * (q * q);
    const double counted = (double)(total < ref_bits ? total : ref_bits);
    uint64_t lo = 0, hi = total + 1; /* total + 1: never (Q == 0 leaves 0 < 0 false for every d) */
    while (lo < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        const double u = (double)((int64_t)total - 2 * (int64_t)mid);
        if (u * fabs(u) * counted < rhs) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

void hm_prepare(hm_probe *p, const uint64_t *code, const uint64_t *mask, uint32_t ref_bits,
                double bound_threshold) {
    for (long t = 0; t < HM_E_WORDS; t++) {
        p->e_code[t] = word_at(code, t - HM_MAX_SHIFT - 1);
        p->e_mask[t] = word_at(mask, t - HM_MAX_SHIFT - 1);
    }
    for (long s = 0; s < 8; s++)
        for (long x = 0; x < HM_A_WORDS; x++) {
            p->a_code[s][x] = word_at(code, HM_WORDS - 1 + HM_MAX_SHIFT - (x + s));
            p->a_mask[s][x] = word_at(mask, HM_WORDS - 1 + HM_MAX_SHIFT - (x + s));
        }
    p->ref_bits = ref_bits;
    /* below 0: no bound; at or above 0.5 - margin every row could be a hit */
    p->bounded = bound_threshold >= 0.0 && bound_threshold < 0.5 - HM_BOUND_MARGIN;
    uint64_t bits[HM_WORDS], total = 0;
    for (int j = 0; j < HM_WORDS; j++) total += bits[j] = (uint64_t)__builtin_popcountll(mask[j]);
    p->dead_from = p->bounded ? least_dead_count(total, ref_bits, bound_threshold) : total + 1;
    /* order: blocks by the probe's mask bits that meet them over all 31 shifts, most first, ties by
     * position (insertion sort, stable); without the bound, address order (a little faster) */
    uint64_t weight[HM_BLOCKS] = {0};
    for (int b = 0; b < HM_BLOCKS; b++)
        for (long k = 0; k < HM_SHIFTS; k++)
            for (long j = b * HM_BLOCK_WORDS; j < (b + 1) * HM_BLOCK_WORDS; j++)
                weight[b] += word_at(bits, j - (k - HM_MAX_SHIFT));
    for (int i = 0; i < HM_BLOCKS; i++) {
        int at = i;
        while (p->bounded && at > 0 && weight[p->order[at - 1]] < weight[i]) {
            p->order[at] = p->order[at - 1];
            at--;
        }
        p->order[at] = (uint8_t)i;
    }
}

/* distance.normalized_distance, operation for operation (IEEE double, no contraction). */
static double normalized(uint32_t differing, uint32_t compared, uint32_t ref_bits) {
    if (compared == 0) return 0.5; /* NO_OVERLAP_DISTANCE */
    const uint32_t counted = compared < ref_bits ? compared : ref_bits;
    return 0.5 - (0.5 - (double)differing / (double)compared) * sqrt((double)counted / (double)ref_bits);
}

void hm_pick_best(const uint32_t *differing, const uint32_t *compared, uint32_t ref_bits, const hm_out *out,
                  size_t row) {
    double best = INFINITY;
    int best_k = 0;
    for (int k = 0; k < HM_SHIFTS; k++) {
        const double value = normalized(differing[k], compared[k], ref_bits);
        if (value < best) { /* strictly: on a tie the earlier shift stays */
            best = value;
            best_k = k;
        }
    }
    out->distance[row] = best;
    out->shift[row] = best_k - HM_MAX_SHIFT;
    out->bits[row] = compared[best_k];
}

static int all_dead(const uint32_t *differing, const hm_probe *p) {
    for (int k = 0; k < HM_SHIFTS; k++)
        if (differing[k] < p->dead_from) return 0;
    return 1;
}

/* The plan of hm_rows_avx512 (hamming_avx512.c), one shift at a time: differing bits block by block
 * with the check at hm_checks; a row that is never left gets its compared bits counted and is
 * scored exactly. */
void hm_rows_by_shift(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                      const hm_out *out, size_t first, hm_count_fn count) {
    for (size_t r = 0; r < rows; r++) {
        const uint64_t *c = codes + r * HM_WORDS, *m = masks + r * HM_WORDS;
        if (r + 1 < rows) /* these paths take microseconds per row: a prefetch at the start is early enough */
            for (int line = 0; line <= HM_WORDS; line += HM_BLOCK_WORDS) {
                __builtin_prefetch(c + HM_WORDS + (line < HM_WORDS ? line : HM_WORDS - 1));
                __builtin_prefetch(m + HM_WORDS + (line < HM_WORDS ? line : HM_WORDS - 1));
            }
        uint32_t differing[HM_SHIFTS] = {0}, compared[HM_SHIFTS] = {0};
        if (!p->bounded) {
            count(p, c, m, 0, HM_BLOCKS, differing, compared);
            hm_pick_best(differing, compared, p->ref_bits, out, first + r);
            continue;
        }
        int done = 0, left = 0;
        for (int i = 0; i < HM_CHECKS && !left; i++) {
            count(p, c, m, done, hm_checks[i], differing, NULL);
            done = hm_checks[i];
            left = all_dead(differing, p);
        }
        if (left) {
            out->distance[first + r] = INFINITY;
            out->shift[first + r] = 0;
            out->bits[first + r] = 0;
            continue;
        }
        count(p, c, m, done, HM_BLOCKS, differing, NULL);
        count(p, c, m, 0, HM_BLOCKS, NULL, compared);
        hm_pick_best(differing, compared, p->ref_bits, out, first + r);
    }
}

#include "hamming_scalar.inc"

static void count_generic(const hm_probe *p, const uint64_t *c, const uint64_t *m, int from, int to,
                          uint32_t *differing, uint32_t *compared) {
    HM_COUNT_SCALAR_BODY
}

void hm_rows_generic(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows,
                     const hm_out *out, size_t first) {
    hm_rows_by_shift(p, codes, masks, rows, out, first, count_generic);
}

const char *hm_path_name(hm_path path) {
    static const char *names[HM_PATHS] = {"generic", "popcnt", "avx2", "avx512"};
    return path < HM_PATHS ? names[path] : "?";
}

int hm_path_supported(hm_path path) {
    switch (path) {
    case HM_GENERIC:
        return 1;
#ifdef HM_X86
    case HM_POPCNT:
        return __builtin_cpu_supports("popcnt");
    case HM_AVX2:
        return __builtin_cpu_supports("avx2");
    case HM_AVX512:
#ifdef HM_AVX512_EMULATED
        return 1; /* SIMDe in software (hamming_avx512.c): tests only */
#endif
        /* __builtin_cpu_supports also checks that the OS saves the zmm state (XCR0) */
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vpopcntdq");
#endif
    default:
        return 0;
    }
}

static hm_rows_fn rows_fn(hm_path path) {
    switch (path) {
#ifdef HM_X86
    case HM_POPCNT:
        return hm_rows_popcnt;
    case HM_AVX2:
        return hm_rows_avx2;
    case HM_AVX512:
        return hm_rows_avx512;
#endif
    default:
        return hm_rows_generic;
    }
}

/* Rows are handed out in blocks from a shared counter rather than split evenly up front: on a
 * machine shared with other work one thread may run slower, and the others take its blocks. */
#define HM_BLOCK_ROWS 256
#define HM_MAX_THREADS 256

typedef struct {
    const hm_probe *probe;
    const uint64_t *codes, *masks;
    size_t rows;
    const hm_out *out;
    hm_rows_fn fn;
    size_t next; /* atomic: first row of the next block to take */
} job;

static void *worker(void *arg) {
    job *q = arg;
    for (;;) {
        const size_t start = __atomic_fetch_add(&q->next, HM_BLOCK_ROWS, __ATOMIC_RELAXED);
        if (start >= q->rows) return NULL;
        const size_t count = q->rows - start < HM_BLOCK_ROWS ? q->rows - start : HM_BLOCK_ROWS;
        q->fn(q->probe, q->codes + start * HM_WORDS, q->masks + start * HM_WORDS, count, q->out, start);
    }
}

void hm_scan(const hm_probe *p, const uint64_t *codes, const uint64_t *masks, size_t rows, const hm_out *out,
             hm_path path, int threads) {
    job q = {p, codes, masks, rows, out, rows_fn(path), 0};
    const size_t blocks = (rows + HM_BLOCK_ROWS - 1) / HM_BLOCK_ROWS;
    if (threads > HM_MAX_THREADS) threads = HM_MAX_THREADS;
    if ((size_t)threads > blocks) threads = (int)blocks;
    pthread_t tids[HM_MAX_THREADS];
    int started = 0;
    for (int i = 1; i < threads; i++)
        if (pthread_create(&tids[started], NULL, worker, &q) == 0) started++;
    worker(&q); /* the calling thread works too, and finishes every block if no thread started */
    for (int i = 0; i < started; i++) pthread_join(tids[i], NULL);
}

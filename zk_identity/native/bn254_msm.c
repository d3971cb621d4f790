/* Pippenger multi-scalar multiplication over a small pthread pool (see bn254_msm.h). */
#include "bn254_msm.h"

#include <pthread.h>
#include <stdlib.h>

/* How two points of one bucket are combined in an affine round. */
enum { PAIR_ADD = 0, PAIR_DOUBLE = 1, PAIR_CANCEL = 2 };

#define G g1
#define F fq
#define FT fe
#include "bn254_msm_window.inc"
#undef G
#undef F
#undef FT
#define G g2
#define F fq2
#define FT fe2
#include "bn254_msm_window.inc"
#undef G
#undef F
#undef FT

#define SCALAR_BITS 254 /* r < 2^254 */
#define MAX_WINDOW_BITS 15 /* digits are int16_t and reach +-2^(c-1) */

typedef struct {
    msm_job *job;
    int c;              /* window width in bits */
    int windows;        /* ceil((SCALAR_BITS + 1) / c): room for the last carry */
    long m;             /* scalars that are nonzero with a finite base */
    uint32_t *index;    /* their positions */
    int16_t *digits;    /* [windows][m] signed digits */
    void *window_sums;  /* [windows] g1_jac / g2_jac */
} job_plan;

typedef struct {
    job_plan *plan;
    int window;
} msm_task;

typedef struct {
    msm_task *tasks;
    int ntasks;
    int next;          /* atomic: the next task to take */
    int failed;        /* atomic: set when a thread could not allocate its workspace */
    size_t work_bytes;
} task_queue;

/* Field multiplications per window: ~6 per point (batched affine additions) and ~27 per bucket
 * (a mixed and a full Jacobian addition), plus ~5 rounds of one inversion (~300). */
static int choose_window_bits(long m) {
    int best = 2;
    double best_cost = -1;
    for (int c = 2; c <= MAX_WINDOW_BITS; c++) {
        int windows = (SCALAR_BITS + c) / c;
        double cost = (double)windows * (6.0 * (double)m + 27.0 * (double)(1L << (c - 1)) + 1500.0);
        if (best_cost < 0 || cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    return best;
}

/* The c bits of k starting at bit `offset` (k is 4 limbs, little-endian). */
static inline uint64_t scalar_bits(const fe *k, int offset, int c) {
    int limb = offset / 64, shift = offset % 64;
    if (limb > 3) return 0;
    uint64_t bits = k->v[limb] >> shift;
    if (shift + c > 64 && limb < 3) bits |= k->v[limb + 1] << (64 - shift);
    return bits & ((1ULL << c) - 1);
}

/* Signed base-2^c digits: k = sum_j d_j 2^(c j), d_j in [-2^(c-1), 2^(c-1)). The last digit is not
 * wrapped; it stays <= 2^(c-1) because windows * c >= 255 and k < 2^254. */
static void signed_digits(int16_t *digits, long stride, const fe *k, int c, int windows) {
    const int64_t half = 1LL << (c - 1), full = 1LL << c;
    int64_t carry = 0;
    for (int j = 0; j < windows; j++) {
        int64_t d = (int64_t)scalar_bits(k, j * c, c) + carry;
        carry = 0;
        if (j < windows - 1 && d >= half) {
            d -= full;
            carry = 1;
        }
        digits[(long)j * stride] = (int16_t)d;
    }
}

/* At most this many points are summed by Straus's interleaving instead of Pippenger's buckets: each
 * Pippenger window pays ~1,500 multiplications for its inversions whatever m is, while Straus costs
 * ~4 doublings + m additions per 4-bit window after a 15-entry table per point (a Groth16 verifier's
 * public inputs: m = 4). E. G. Straus, "Addition chains of vectors", Amer. Math. Monthly 71 (1964). */
#define STRAUS_MAX_POINTS 8

#define DEFINE_STRAUS(G)                                                                               \
    static void G##_straus(G##_jac *out, const G##_affine *bases, const uint32_t *index, const fe *k,   \
                           long m) {                                                                   \
        G##_jac table[STRAUS_MAX_POINTS][15], acc;                                                     \
        for (long i = 0; i < m; i++) {                                                                 \
            G##_from_affine(&table[i][0], &bases[index[i]]);                                           \
            for (int d = 1; d < 15; d++) G##_madd(&table[i][d], &table[i][d - 1], &bases[index[i]]);   \
        }                                                                                              \
        G##_set_inf(&acc);                                                                             \
        for (int w = 63; w >= 0; w--) {                                                                \
            for (int s = 0; s < 4; s++) G##_dbl(&acc, &acc);                                           \
            for (long i = 0; i < m; i++) {                                                             \
                unsigned d = (unsigned)scalar_bits(&k[index[i]], 4 * w, 4);                            \
                if (d) G##_add(&acc, &acc, &table[i][d - 1]);                                          \
            }                                                                                          \
        }                                                                                              \
        *out = acc;                                                                                    \
    }
DEFINE_STRAUS(g1)
DEFINE_STRAUS(g2)

static int plan_job(job_plan *plan, msm_job *job) {
    plan->job = job;
    plan->index = malloc(sizeof(uint32_t) * (size_t)(job->n ? job->n : 1));
    if (!plan->index) return -1;
    long m = 0;
    for (long i = 0; i < job->n; i++) {
        int inf = job->group == MSM_G1 ? g1_affine_is_inf((const g1_affine *)job->bases + i)
                                       : g2_affine_is_inf((const g2_affine *)job->bases + i);
        if (!inf && !fe_is_zero(&job->scalars[i])) plan->index[m++] = (uint32_t)i;
    }
    plan->m = m;
    if (m <= STRAUS_MAX_POINTS) return 0; /* no windows: summed by Straus after the threads */
    plan->c = choose_window_bits(m);
    plan->windows = (SCALAR_BITS + plan->c) / plan->c;
    plan->digits = malloc(sizeof(int16_t) * (size_t)plan->windows * (size_t)(m ? m : 1));
    size_t point = job->group == MSM_G1 ? sizeof(g1_jac) : sizeof(g2_jac);
    plan->window_sums = malloc(point * (size_t)plan->windows);
    if (!plan->digits || !plan->window_sums) return -1;
    for (long i = 0; i < m; i++) {
        signed_digits(plan->digits + i, m, &job->scalars[plan->index[i]], plan->c, plan->windows);
    }
    return 0;
}

static size_t workspace_bytes(const job_plan *p) {
    return p->job->group == MSM_G1 ? g1_workspace_bytes(p->m, p->c) : g2_workspace_bytes(p->m, p->c);
}

static void run_task(const msm_task *task, unsigned char *work) {
    const job_plan *p = task->plan;
    const int16_t *digits = p->digits + (long)task->window * p->m;
    if (p->job->group == MSM_G1) {
        g1_window_sum((g1_jac *)p->window_sums + task->window, p->job->bases, p->index, digits, p->m, p->c,
                      work);
    } else {
        g2_window_sum((g2_jac *)p->window_sums + task->window, p->job->bases, p->index, digits, p->m, p->c,
                      work);
    }
}

static void *worker(void *arg) {
    task_queue *q = arg;
    unsigned char *work = aligned_alloc(64, (q->work_bytes + 63) / 64 * 64);
    if (!work) {
        __atomic_store_n(&q->failed, 1, __ATOMIC_SEQ_CST);
        return NULL;
    }
    for (;;) {
        int t = __atomic_fetch_add(&q->next, 1, __ATOMIC_SEQ_CST);
        if (t >= q->ntasks) break;
        run_task(&q->tasks[t], work);
    }
    free(work);
    return NULL;
}

int msm_run(msm_job *jobs, int njobs, int threads) {
    int rc = -1;
    job_plan *plans = calloc((size_t)(njobs ? njobs : 1), sizeof *plans);
    msm_task *tasks = NULL;
    if (!plans) return -1;
    int ntasks = 0;
    size_t work_bytes = 0;
    for (int i = 0; i < njobs; i++) {
        if (plan_job(&plans[i], &jobs[i]) != 0) goto done;
        ntasks += plans[i].windows;
        size_t bytes = plans[i].windows ? workspace_bytes(&plans[i]) : 0;
        if (bytes > work_bytes) work_bytes = bytes;
    }
    tasks = malloc(sizeof *tasks * (size_t)(ntasks ? ntasks : 1));
    if (!tasks) goto done;
    /* G2 windows cost ~3x G1 ones: queue them first so the threads finish together. */
    int t = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < njobs; i++) {
            if ((jobs[i].group == MSM_G2) != (pass == 0)) continue;
            for (int w = 0; w < plans[i].windows; w++) tasks[t++] = (msm_task){&plans[i], w};
        }
    }
    task_queue q = {tasks, ntasks, 0, 0, work_bytes};
    if (threads < 1) threads = 1;
    if (threads > ntasks) threads = ntasks > 0 ? ntasks : 1;
    pthread_t tids[64];
    if (threads > 64) threads = 64;
    int started = 0;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&tids[started], NULL, worker, &q) == 0) started++;
    }
    worker(&q); /* this thread works too; it finishes the queue even if no thread started */
    for (int i = 0; i < started; i++) pthread_join(tids[i], NULL);
    /* A thread that could not allocate its workspace took no task; the work is complete as long
       as every task was taken by one that could. */
    if (q.failed && q.next < ntasks) goto done;
    for (int i = 0; i < njobs; i++) {
        if (plans[i].windows == 0) {
            if (jobs[i].group == MSM_G1) {
                g1_straus(jobs[i].result, jobs[i].bases, plans[i].index, jobs[i].scalars, plans[i].m);
            } else {
                g2_straus(jobs[i].result, jobs[i].bases, plans[i].index, jobs[i].scalars, plans[i].m);
            }
        } else if (jobs[i].group == MSM_G1) {
            g1_combine(jobs[i].result, plans[i].window_sums, plans[i].windows, plans[i].c);
        } else {
            g2_combine(jobs[i].result, plans[i].window_sums, plans[i].windows, plans[i].c);
        }
    }
    rc = 0;
done:
    for (int i = 0; i < njobs; i++) {
        free(plans[i].index);
        free(plans[i].digits);
        free(plans[i].window_sums);
    }
    free(plans);
    free(tasks);
    return rc;
}

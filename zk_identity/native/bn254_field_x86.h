/* x86-64 inline assembly for the 4-limb field operations of bn254_field.h.
 *
 * fe_mul_adx: CIOS Montgomery multiplication with MULX (BMI2) and the two independent carry chains
 * of ADCX/ADOX (ADX), following the idea of Intel's white paper "New Instructions Supporting Large
 * Integer Arithmetic on Intel Architecture Processors" (Gopal et al., 2012). It is used only when
 * the CPU reports BMI2 and ADX at run time (bn254_cpu_init); the compiler flags stay at the
 * portable x86-64-v2 level, the assembler knows the instructions regardless.
 * fe_add_x86 / fe_sub_x86: carry chains and a branch-free (CMOV) final correction, base x86-64.
 *
 * Register use of fe_mul_adx: rdx is MULX's implicit operand; r8..r12 hold the five accumulator
 * limbs t0..t4, renamed each round (the limb that the reduction zeroes becomes the new t4);
 * r13/r14 are the low/high product words.
 */
#ifndef BN254_FIELD_X86_H
#define BN254_FIELD_X86_H

/* One CIOS round: t += a * b[i]; m = t0 * pinv; t = (t + m p) / 2^64.
 * T0..T4 are the accumulator registers for this round, T4 == 0 on entry. */
#define BN254_ROUND(BI, T0, T1, T2, T3, T4)                                   \
    "movq " BI "(%[b]), %%rdx\n\t"                                           \
    "xorl %%r13d, %%r13d\n\t"                                                \
    "mulxq 0(%[a]), %%r13, %%r14\n\t"                                        \
    "adoxq %%r13, " T0 "\n\t"                                                \
    "adcxq %%r14, " T1 "\n\t"                                                \
    "mulxq 8(%[a]), %%r13, %%r14\n\t"                                        \
    "adoxq %%r13, " T1 "\n\t"                                                \
    "adcxq %%r14, " T2 "\n\t"                                                \
    "mulxq 16(%[a]), %%r13, %%r14\n\t"                                       \
    "adoxq %%r13, " T2 "\n\t"                                                \
    "adcxq %%r14, " T3 "\n\t"                                                \
    "mulxq 24(%[a]), %%r13, %%r14\n\t"                                       \
    "adoxq %%r13, " T3 "\n\t"                                                \
    "adcxq %%r14, " T4 "\n\t"                                                \
    "movl $0, %%r13d\n\t"                                                    \
    "adoxq %%r13, " T4 "\n\t"                                                \
    "movq " T0 ", %%rdx\n\t"                                                 \
    "imulq 32(%[p]), %%rdx\n\t"                                              \
    "xorl %%r13d, %%r13d\n\t"                                                \
    "mulxq 0(%[p]), %%r13, %%r14\n\t"                                        \
    "adoxq %%r13, " T0 "\n\t"                                                \
    "adcxq %%r14, " T1 "\n\t"                                                \
    "mulxq 8(%[p]), %%r13, %%r14\n\t"                                        \
    "adoxq %%r13, " T1 "\n\t"                                                \
    "adcxq %%r14, " T2 "\n\t"                                                \
    "mulxq 16(%[p]), %%r13, %%r14\n\t"                                       \
    "adoxq %%r13, " T2 "\n\t"                                                \
    "adcxq %%r14, " T3 "\n\t"                                                \
    "mulxq 24(%[p]), %%r13, %%r14\n\t"                                       \
    "adoxq %%r13, " T3 "\n\t"                                                \
    "adcxq %%r14, " T4 "\n\t"                                                \
    "movl $0, %%r13d\n\t"                                                    \
    "adoxq %%r13, " T4 "\n\t"                                                \
    "xorl " T0 "d, " T0 "d\n\t" /* T0 is 0 now; make it so for the next round's T4 */

/* The `field_params` layout (p[4] then pinv) is what 0..24(%[p]) and 32(%[p]) address. */
static inline void fe_mul_adx(fe *out, const fe *a, const fe *b, const field_params *f) {
    __asm__(
        "xorl %%r8d, %%r8d\n\t"
        "xorl %%r9d, %%r9d\n\t"
        "xorl %%r10d, %%r10d\n\t"
        "xorl %%r11d, %%r11d\n\t"
        "xorl %%r12d, %%r12d\n\t"
        BN254_ROUND("0", "%%r8", "%%r9", "%%r10", "%%r11", "%%r12")
        BN254_ROUND("8", "%%r9", "%%r10", "%%r11", "%%r12", "%%r8")
        BN254_ROUND("16", "%%r10", "%%r11", "%%r12", "%%r8", "%%r9")
        BN254_ROUND("24", "%%r11", "%%r12", "%%r8", "%%r9", "%%r10")
        /* t = (r12, r8, r9, r10) < 2p: subtract p unless that borrows. */
        "movq %%r12, %%r11\n\t"
        "movq %%r8, %%r13\n\t"
        "movq %%r9, %%r14\n\t"
        "movq %%r10, %%rdx\n\t"
        "subq 0(%[p]), %%r11\n\t"
        "sbbq 8(%[p]), %%r13\n\t"
        "sbbq 16(%[p]), %%r14\n\t"
        "sbbq 24(%[p]), %%rdx\n\t"
        "cmovncq %%r11, %%r12\n\t"
        "cmovncq %%r13, %%r8\n\t"
        "cmovncq %%r14, %%r9\n\t"
        "cmovncq %%rdx, %%r10\n\t"
        "movq %%r12, 0(%[o])\n\t"
        "movq %%r8, 8(%[o])\n\t"
        "movq %%r9, 16(%[o])\n\t"
        "movq %%r10, 24(%[o])\n\t"
        : "=m"(*out)
        : [o] "r"(out->v), [a] "r"(a->v), [b] "r"(b->v), [p] "r"(f->p), "m"(*a), "m"(*b), "m"(*f)
        : "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "cc");
}

/* out = a + b mod p (a, b < p < 2^254: the sum never carries out of 256 bits). */
static inline void fe_add_x86(fe *out, const fe *a, const fe *b, const field_params *f) {
    uint64_t t0 = a->v[0], t1 = a->v[1], t2 = a->v[2], t3 = a->v[3];
    uint64_t d0, d1, d2, d3;
    __asm__(
        "addq 0(%[b]), %[t0]\n\t"
        "adcq 8(%[b]), %[t1]\n\t"
        "adcq 16(%[b]), %[t2]\n\t"
        "adcq 24(%[b]), %[t3]\n\t"
        "movq %[t0], %[d0]\n\t"
        "movq %[t1], %[d1]\n\t"
        "movq %[t2], %[d2]\n\t"
        "movq %[t3], %[d3]\n\t"
        "subq 0(%[p]), %[d0]\n\t"
        "sbbq 8(%[p]), %[d1]\n\t"
        "sbbq 16(%[p]), %[d2]\n\t"
        "sbbq 24(%[p]), %[d3]\n\t"
        "cmovncq %[d0], %[t0]\n\t"
        "cmovncq %[d1], %[t1]\n\t"
        "cmovncq %[d2], %[t2]\n\t"
        "cmovncq %[d3], %[t3]\n\t"
        : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [d0] "=&r"(d0), [d1] "=&r"(d1),
          [d2] "=&r"(d2), [d3] "=&r"(d3)
        : [b] "r"(b->v), [p] "r"(f->p), "m"(*b), "m"(*f)
        : "cc");
    out->v[0] = t0;
    out->v[1] = t1;
    out->v[2] = t2;
    out->v[3] = t3;
}

/* out = a - b mod p: subtract, then add p back under a borrow mask (branch-free). */
static inline void fe_sub_x86(fe *out, const fe *a, const fe *b, const field_params *f) {
    uint64_t t0 = a->v[0], t1 = a->v[1], t2 = a->v[2], t3 = a->v[3];
    uint64_t m0, m1, m2, m3;
    __asm__(
        "subq 0(%[b]), %[t0]\n\t"
        "sbbq 8(%[b]), %[t1]\n\t"
        "sbbq 16(%[b]), %[t2]\n\t"
        "sbbq 24(%[b]), %[t3]\n\t"
        "sbbq %[m0], %[m0]\n\t" /* all ones on borrow, else 0 */
        "movq %[m0], %[m1]\n\t"
        "movq %[m0], %[m2]\n\t"
        "movq %[m0], %[m3]\n\t"
        "andq 0(%[p]), %[m0]\n\t"
        "andq 8(%[p]), %[m1]\n\t"
        "andq 16(%[p]), %[m2]\n\t"
        "andq 24(%[p]), %[m3]\n\t"
        "addq %[m0], %[t0]\n\t"
        "adcq %[m1], %[t1]\n\t"
        "adcq %[m2], %[t2]\n\t"
        "adcq %[m3], %[t3]\n\t"
        : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [m0] "=&r"(m0), [m1] "=&r"(m1),
          [m2] "=&r"(m2), [m3] "=&r"(m3)
        : [b] "r"(b->v), [p] "r"(f->p), "m"(*b), "m"(*f)
        : "cc");
    out->v[0] = t0;
    out->v[1] = t1;
    out->v[2] = t2;
    out->v[3] = t3;
}

#endif

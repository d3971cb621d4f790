/* zk_identity._bn254: the native BN254 Groth16 prover as a CPython extension module.
 *
 * Byte conventions at this boundary: field elements are 32-byte little-endian integers in standard
 * form; affine points are their coordinates concatenated (G1: x, y; G2: x.c0, x.c1, y.c0, y.c1), with
 * all-zero bytes for the point at infinity. The two exceptions are the zkey point sections passed to
 * groth16_prove / msm / check_points, which stay in the zkey's Montgomery form so that nothing is
 * converted per proof. The wrappers in zk_identity/bn254_native.py turn these into Python ints.
 * The GIL is released while proving and during multi-scalar multiplications.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "bn254_msm.h"
#include "bn254_ntt.h"
#include "bn254_pairing.h"
#include "groth16_prove.h"

#define G1_BYTES 64
#define G2_BYTES 128
#define VK_POINTS_BYTES (G1_BYTES * 3 + G2_BYTES * 3) /* alpha1 beta1 beta2 gamma2 delta1 delta2 */

/* ---------- conversions ---------- */

static int read_fe(fe *out, const unsigned char *b, const field_params *f, const char *what) {
    fe_from_bytes(out, b);
    if (!fe_lt_p(out, f)) {
        PyErr_Format(PyExc_ValueError, "%s is not below the field modulus", what);
        return -1;
    }
    return 0;
}

/* Standard-form affine bytes -> Montgomery-form affine point; checks range and the curve equation. */
static int read_g1(g1_affine *p, const unsigned char *b) {
    fe x, y;
    if (read_fe(&x, b, &FQ, "a G1 coordinate") || read_fe(&y, b + 32, &FQ, "a G1 coordinate")) return -1;
    fe_to_mont(&p->x, &x, &FQ);
    fe_to_mont(&p->y, &y, &FQ);
    if (!g1_affine_is_inf(p) && !g1_affine_on_curve(p)) {
        PyErr_SetString(PyExc_ValueError, "the point is not on the G1 curve y^2 = x^3 + 3");
        return -1;
    }
    return 0;
}

static int read_g2(g2_affine *p, const unsigned char *b) {
    fe c[4];
    for (int i = 0; i < 4; i++) {
        if (read_fe(&c[i], b + 32 * i, &FQ, "a G2 coordinate")) return -1;
        fe_to_mont(&c[i], &c[i], &FQ);
    }
    p->x.c0 = c[0];
    p->x.c1 = c[1];
    p->y.c0 = c[2];
    p->y.c1 = c[3];
    if (!g2_affine_is_inf(p) && !g2_affine_on_curve(p)) {
        PyErr_SetString(PyExc_ValueError, "the point is not on the G2 twist y^2 = x^3 + 3/(9+u)");
        return -1;
    }
    return 0;
}

static void write_fq(unsigned char *b, const fe *m) {
    fe t;
    fe_from_mont(&t, m, &FQ);
    fe_to_bytes(b, &t);
}

static void write_g1_affine(unsigned char *b, const g1_affine *a) {
    write_fq(b, &a->x);
    write_fq(b + 32, &a->y);
}

static void write_g2_affine(unsigned char *b, const g2_affine *a) {
    write_fq(b, &a->x.c0);
    write_fq(b + 32, &a->x.c1);
    write_fq(b + 64, &a->y.c0);
    write_fq(b + 96, &a->y.c1);
}

static PyObject *g1_result(const g1_jac *p) {
    g1_affine a;
    unsigned char b[G1_BYTES];
    g1_to_affine(&a, p);
    write_g1_affine(b, &a);
    return PyBytes_FromStringAndSize((const char *)b, G1_BYTES);
}

static PyObject *g2_result(const g2_jac *p) {
    g2_affine a;
    unsigned char b[G2_BYTES];
    g2_to_affine(&a, p);
    write_g2_affine(b, &a);
    return PyBytes_FromStringAndSize((const char *)b, G2_BYTES);
}

static int check_len(const Py_buffer *b, Py_ssize_t want, const char *what) {
    if (b->len != want) {
        PyErr_Format(PyExc_ValueError, "%s must be %zd bytes, got %zd", what, want, b->len);
        return -1;
    }
    return 0;
}

static int check_aligned(const Py_buffer *b, const char *what) {
    if (((uintptr_t)b->buf) % 8 != 0) {
        PyErr_Format(PyExc_ValueError, "%s must be 8-byte aligned (pass a bytes object)", what);
        return -1;
    }
    return 0;
}

/* ---------- field operations (tests) ---------- */

static PyObject *field_binary(PyObject *args, const field_params *f, int op) {
    Py_buffer a, b = {0};
    PyObject *res = NULL;
    if (op == 0 ? !PyArg_ParseTuple(args, "y*y*", &a, &b) : !PyArg_ParseTuple(args, "y*", &a)) return NULL;
    fe x, y, z;
    if (check_len(&a, 32, "a field element") || (op == 0 && check_len(&b, 32, "a field element"))) goto out;
    if (read_fe(&x, a.buf, f, "the operand") || (op == 0 && read_fe(&y, b.buf, f, "the operand"))) goto out;
    fe_to_mont(&x, &x, f);
    if (op == 0) {
        fe_to_mont(&y, &y, f);
        fe_mul(&z, &x, &y, f);
    } else {
        fe_inv(&z, &x, f);
    }
    fe_from_mont(&z, &z, f);
    res = PyBytes_FromStringAndSize((const char *)z.v, 32);
out:
    PyBuffer_Release(&a);
    if (op == 0) PyBuffer_Release(&b);
    return res;
}

static PyObject *py_fq_mul(PyObject *self, PyObject *args) { return field_binary(args, &FQ, 0); }
static PyObject *py_fq_inv(PyObject *self, PyObject *args) { return field_binary(args, &FQ, 1); }
static PyObject *py_fr_mul(PyObject *self, PyObject *args) { return field_binary(args, &FR, 0); }
static PyObject *py_fr_inv(PyObject *self, PyObject *args) { return field_binary(args, &FR, 1); }

/* ---------- group operations (tests): op 0 add, 1 mixed add, 2 double, 3 scalar multiple ---------- */

#define GROUP_OP(G, BYTES)                                                                         \
    static PyObject *G##_op(PyObject *args, int op) {                                              \
        Py_buffer a, b = {0};                                                                      \
        PyObject *res = NULL;                                                                      \
        int two = op != 2;                                                                         \
        if (two ? !PyArg_ParseTuple(args, "y*y*", &a, &b) : !PyArg_ParseTuple(args, "y*", &a))     \
            return NULL;                                                                           \
        G##_affine p, q;                                                                           \
        G##_jac jp, jq, r;                                                                         \
        if (check_len(&a, BYTES, "a point") || read_##G(&p, a.buf)) goto out;                      \
        G##_from_affine(&jp, &p);                                                                  \
        if (op == 3) {                                                                             \
            if (check_len(&b, 32, "a scalar")) goto out;                                           \
            fe k;                                                                                  \
            fe_from_bytes(&k, b.buf);                                                              \
            G##_mul(&r, &jp, k.v);                                                                 \
        } else if (op == 2) {                                                                      \
            G##_dbl(&r, &jp);                                                                      \
        } else {                                                                                   \
            if (check_len(&b, BYTES, "a point") || read_##G(&q, b.buf)) goto out;                  \
            G##_from_affine(&jq, &q);                                                              \
            if (op == 1) G##_madd(&r, &jp, &q);                                                    \
            else G##_add(&r, &jp, &jq);                                                            \
        }                                                                                          \
        res = G##_result(&r);                                                                      \
    out:                                                                                           \
        PyBuffer_Release(&a);                                                                      \
        if (two) PyBuffer_Release(&b);                                                             \
        return res;                                                                                \
    }                                                                                              \
    static PyObject *py_##G##_add(PyObject *s, PyObject *args) { return G##_op(args, 0); }         \
    static PyObject *py_##G##_add_mixed(PyObject *s, PyObject *args) { return G##_op(args, 1); }   \
    static PyObject *py_##G##_double(PyObject *s, PyObject *args) { return G##_op(args, 2); }      \
    static PyObject *py_##G##_mul(PyObject *s, PyObject *args) { return G##_op(args, 3); }

GROUP_OP(g1, G1_BYTES)
GROUP_OP(g2, G2_BYTES)

/* ---------- zkey point checks ---------- */

/* check_points(points, group) -> index of the first point (Montgomery form, as in a zkey) that is
 * neither on the curve nor (0, 0), or -1 when all are fine. Coordinates must also be below q. */
static PyObject *py_check_points(PyObject *self, PyObject *args) {
    Py_buffer pts;
    int group;
    if (!PyArg_ParseTuple(args, "y*i", &pts, &group)) return NULL;
    const Py_ssize_t size = group == 1 ? G1_BYTES : G2_BYTES;
    long bad = -1;
    PyObject *res = NULL;
    if ((group != 1 && group != 2) || pts.len % size != 0) {
        PyErr_SetString(PyExc_ValueError, "group must be 1 or 2 and the buffer a whole number of points");
        goto out;
    }
    if (check_aligned(&pts, "points")) goto out;
    const long n = (long)(pts.len / size);
    for (long i = 0; i < n && bad < 0; i++) {
        const fe *coords = (const fe *)((const unsigned char *)pts.buf + i * size);
        for (int k = 0; k < size / 32; k++) {
            if (!fe_lt_p(&coords[k], &FQ)) bad = i;
        }
        if (bad >= 0) break;
        int ok = group == 1 ? (g1_affine_is_inf((const g1_affine *)coords) || g1_affine_on_curve((const g1_affine *)coords))
                            : (g2_affine_is_inf((const g2_affine *)coords) || g2_affine_on_curve((const g2_affine *)coords));
        if (!ok) bad = i;
    }
    res = PyLong_FromLong(bad);
out:
    PyBuffer_Release(&pts);
    return res;
}

/* ---------- multi-scalar multiplication ---------- */

/* msm(group, bases_montgomery, scalars, threads) -> affine point bytes (standard form). */
static PyObject *py_msm(PyObject *self, PyObject *args) {
    Py_buffer bases, scalars;
    int group, threads;
    if (!PyArg_ParseTuple(args, "iy*y*i", &group, &bases, &scalars, &threads)) return NULL;
    PyObject *res = NULL;
    const Py_ssize_t size = group == 1 ? G1_BYTES : G2_BYTES;
    if ((group != 1 && group != 2) || bases.len % size != 0 || scalars.len != bases.len / size * 32) {
        PyErr_SetString(PyExc_ValueError, "group must be 1 or 2, with one 32-byte scalar per point");
        goto out;
    }
    if (check_aligned(&bases, "bases") || check_aligned(&scalars, "scalars")) goto out;
    const long n = (long)(scalars.len / 32);
    for (long i = 0; i < n; i++) {
        if (!fe_lt_p((const fe *)scalars.buf + i, &FR)) {
            PyErr_SetString(PyExc_ValueError, "a scalar is not below the group order r");
            goto out;
        }
    }
    g1_jac r1;
    g2_jac r2;
    msm_job job = {group == 1 ? MSM_G1 : MSM_G2, bases.buf, scalars.buf, n, group == 1 ? (void *)&r1 : (void *)&r2};
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = msm_run(&job, 1, threads);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_NoMemory();
        goto out;
    }
    res = group == 1 ? g1_result(&r1) : g2_result(&r2);
out:
    PyBuffer_Release(&bases);
    PyBuffer_Release(&scalars);
    return res;
}

/* ---------- NTT (tests) ---------- */

/* fr_ntt(values, inverse) -> bytes: values are 2^k standard-form elements. */
static PyObject *py_fr_ntt(PyObject *self, PyObject *args) {
    Py_buffer in;
    int inverse;
    if (!PyArg_ParseTuple(args, "y*p", &in, &inverse)) return NULL;
    PyObject *res = NULL;
    fe *a = NULL;
    const long n = (long)(in.len / 32);
    int log_n = 0;
    while ((1L << log_n) < n) log_n++;
    if (in.len % 32 != 0 || n == 0 || (1L << log_n) != n || log_n > FR_TWO_ADICITY) {
        PyErr_SetString(PyExc_ValueError, "the NTT takes 2^k (k <= 28) 32-byte field elements");
        goto out;
    }
    a = malloc(sizeof(fe) * (size_t)n);
    if (!a) {
        PyErr_NoMemory();
        goto out;
    }
    for (long i = 0; i < n; i++) {
        if (read_fe(&a[i], (const unsigned char *)in.buf + 32 * i, &FR, "a value")) goto out;
        fe_to_mont(&a[i], &a[i], &FR);
    }
    if (fr_ntt(a, log_n, inverse) != 0) {
        PyErr_NoMemory();
        goto out;
    }
    for (long i = 0; i < n; i++) fe_from_mont(&a[i], &a[i], &FR);
    res = PyBytes_FromStringAndSize((const char *)a, (Py_ssize_t)(32 * n));
out:
    free(a);
    PyBuffer_Release(&in);
    return res;
}

static PyObject *py_fr_root_of_unity(PyObject *self, PyObject *args) {
    int log_n;
    if (!PyArg_ParseTuple(args, "i", &log_n)) return NULL;
    fe w;
    if (fr_root_of_unity(&w, log_n) != 0) {
        PyErr_SetString(PyExc_ValueError, "Fr has roots of unity of order 2^k for k <= 28 only");
        return NULL;
    }
    fe_from_mont(&w, &w, &FR);
    return PyBytes_FromStringAndSize((const char *)w.v, 32);
}

/* ---------- the prover ---------- */

static PyObject *py_groth16_prove(PyObject *self, PyObject *args) {
    Py_buffer coefs, a, b1, b2, c, h, vk, witness, r, s;
    long n_vars, n_public, domain_size;
    int threads;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*y*llly*y*i", &coefs, &a, &b1, &b2, &c, &h, &vk, &witness, &n_vars,
                          &n_public, &domain_size, &r, &s, &threads))
        return NULL;
    Py_buffer *all[] = {&coefs, &a, &b1, &b2, &c, &h, &vk, &witness, &r, &s};
    PyObject *res = NULL;
    const long n_private = n_vars - n_public - 1;
    if (n_vars < 1 || n_public < 0 || n_private < 0 || domain_size < 2 || coefs.len % ZKEY_COEF_BYTES != 0 ||
        check_len(&a, (Py_ssize_t)n_vars * G1_BYTES, "section A") ||
        check_len(&b1, (Py_ssize_t)n_vars * G1_BYTES, "section B1") ||
        check_len(&b2, (Py_ssize_t)n_vars * G2_BYTES, "section B2") ||
        check_len(&c, (Py_ssize_t)n_private * G1_BYTES, "section C") ||
        check_len(&h, (Py_ssize_t)domain_size * G1_BYTES, "section H") ||
        check_len(&vk, VK_POINTS_BYTES, "the header points") ||
        check_len(&witness, (Py_ssize_t)n_vars * 32, "the witness") || check_len(&r, 32, "r") ||
        check_len(&s, 32, "s")) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "inconsistent zkey sizes");
        goto out;
    }
    for (int i = 0; i < 8; i++) {
        if (check_aligned(all[i], "a zkey section or the witness")) goto out;
    }
    groth16_key key = {
        .coefs = coefs.buf,
        .n_coefs = (long)(coefs.len / ZKEY_COEF_BYTES),
        .a = a.buf,
        .b1 = b1.buf,
        .c = c.buf,
        .h = h.buf,
        .b2 = b2.buf,
        .n_vars = n_vars,
        .n_public = n_public,
        .domain_size = domain_size,
    };
    const unsigned char *v = vk.buf;
    memcpy(&key.alpha1, v, G1_BYTES);
    memcpy(&key.beta1, v + G1_BYTES, G1_BYTES);
    memcpy(&key.beta2, v + 2 * G1_BYTES, G2_BYTES);
    /* gamma2 (v + 2 G1 + G2) is the verifier's business */
    memcpy(&key.delta1, v + 2 * G1_BYTES + 2 * G2_BYTES, G1_BYTES);
    memcpy(&key.delta2, v + 3 * G1_BYTES + 2 * G2_BYTES, G2_BYTES);
    fe rr, ss;
    fe_from_bytes(&rr, r.buf);
    fe_from_bytes(&ss, s.buf);
    groth16_proof proof;
    const char *error = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = groth16_prove(&proof, &key, witness.buf, &rr, &ss, threads, &error);
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        PyErr_SetString(PyExc_ValueError, error ? error : "proving failed");
        goto out;
    }
    unsigned char outb[2 * G1_BYTES + G2_BYTES];
    write_g1_affine(outb, &proof.a);
    write_g2_affine(outb + G1_BYTES, &proof.b);
    write_g1_affine(outb + G1_BYTES + G2_BYTES, &proof.c);
    res = PyBytes_FromStringAndSize((const char *)outb, sizeof outb);
out:
    for (int i = 0; i < 10; i++) PyBuffer_Release(all[i]);
    return res;
}

/* ---------- pairings (the native verifier) ---------- */

/* Reads n G1 and n G2 points (standard form, on-curve checked; G2 subgroup membership is the
 * caller's check) and computes prod_i e(P_i, Q_i) with the GIL released. */
static int pairing_of(fe12 *f, PyObject *args) {
    Py_buffer g1s, g2s;
    if (!PyArg_ParseTuple(args, "y*y*", &g1s, &g2s)) return -1;
    int rc = -1;
    const Py_ssize_t n = g1s.len / G1_BYTES;
    g1_affine p[16];
    g2_affine q[16];
    if (g1s.len % G1_BYTES || g2s.len != n * G2_BYTES || n > 16) {
        PyErr_SetString(PyExc_ValueError, "pairing takes up to 16 G1 points and as many G2 points");
        goto out;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (read_g1(&p[i], (const unsigned char *)g1s.buf + i * G1_BYTES) ||
            read_g2(&q[i], (const unsigned char *)g2s.buf + i * G2_BYTES))
            goto out;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = bn254_pairing_product(f, p, q, (int)n);
    Py_END_ALLOW_THREADS
    if (rc != 0) PyErr_SetString(PyExc_ValueError, "a G2 point is not in the order-r subgroup");
out:
    PyBuffer_Release(&g1s);
    PyBuffer_Release(&g2s);
    return rc;
}

/* pairing_is_one(g1_points, g2_points) -> prod_i e(P_i, Q_i) == 1 */
static PyObject *py_pairing_is_one(PyObject *self, PyObject *args) {
    fe12 f;
    if (pairing_of(&f, args) != 0) return NULL;
    return PyBool_FromLong(fq12_is_one(&f));
}

/* pairing(g1_points, g2_points) -> the product as 12 standard-form Fq elements, tower order
 * (c0.c0.c0, c0.c0.c1, c0.c1.c0, ..., c1.c2.c1) for v^j w^i coefficients. */
static PyObject *py_pairing(PyObject *self, PyObject *args) {
    fe12 f;
    if (pairing_of(&f, args) != 0) return NULL;
    unsigned char out[12 * 32];
    const fe *coeffs = (const fe *)&f;
    for (int i = 0; i < 12; i++) write_fq(out + 32 * i, &coeffs[i]);
    return PyBytes_FromStringAndSize((const char *)out, sizeof out);
}

/* use_adx([enable]) -> whether the MULX/ADX multiplication is in use; enabling it is refused
 * (stays off) on a CPU without BMI2 + ADX. Lets the tests run both implementations. */
static PyObject *py_use_adx(PyObject *self, PyObject *args) {
    int enable = -1;
    if (!PyArg_ParseTuple(args, "|p", &enable)) return NULL;
    if (enable == 0) bn254_use_adx = 0;
    if (enable == 1) bn254_cpu_init();
    return PyBool_FromLong(bn254_use_adx);
}

static PyMethodDef methods[] = {
    {"groth16_prove", py_groth16_prove, METH_VARARGS,
     "groth16_prove(coefs, A, B1, B2, C, H, header_points, witness, n_vars, n_public, domain_size, r, s, "
     "threads) -> pi_a || pi_b || pi_c (affine, standard form)"},
    {"check_points", py_check_points, METH_VARARGS, "check_points(points_montgomery, group) -> first bad index or -1"},
    {"msm", py_msm, METH_VARARGS, "msm(group, bases_montgomery, scalars, threads) -> affine point"},
    {"fr_ntt", py_fr_ntt, METH_VARARGS, "fr_ntt(values, inverse) -> values"},
    {"fr_root_of_unity", py_fr_root_of_unity, METH_VARARGS, "fr_root_of_unity(log_n) -> element"},
    {"pairing_is_one", py_pairing_is_one, METH_VARARGS, "pairing_is_one(g1s, g2s) -> prod e(P_i, Q_i) == 1"},
    {"pairing", py_pairing, METH_VARARGS, "pairing(g1s, g2s) -> prod e(P_i, Q_i) as 12 Fq elements"},
    {"use_adx", py_use_adx, METH_VARARGS, "use_adx([enable]) -> bool: the MULX/ADX multiplication is in use"},
    {"fq_mul", py_fq_mul, METH_VARARGS, "fq_mul(a, b) -> a*b mod q"},
    {"fq_inv", py_fq_inv, METH_VARARGS, "fq_inv(a) -> a^-1 mod q"},
    {"fr_mul", py_fr_mul, METH_VARARGS, "fr_mul(a, b) -> a*b mod r"},
    {"fr_inv", py_fr_inv, METH_VARARGS, "fr_inv(a) -> a^-1 mod r"},
    {"g1_add", py_g1_add, METH_VARARGS, "g1_add(p, q) -> p+q (Jacobian + Jacobian)"},
    {"g1_add_mixed", py_g1_add_mixed, METH_VARARGS, "g1_add_mixed(p, q) -> p+q (Jacobian + affine)"},
    {"g1_double", py_g1_double, METH_VARARGS, "g1_double(p) -> 2p"},
    {"g1_mul", py_g1_mul, METH_VARARGS, "g1_mul(p, k) -> kp"},
    {"g2_add", py_g2_add, METH_VARARGS, "g2_add(p, q) -> p+q (Jacobian + Jacobian)"},
    {"g2_add_mixed", py_g2_add_mixed, METH_VARARGS, "g2_add_mixed(p, q) -> p+q (Jacobian + affine)"},
    {"g2_double", py_g2_double, METH_VARARGS, "g2_double(p) -> 2p"},
    {"g2_mul", py_g2_mul, METH_VARARGS, "g2_mul(p, k) -> kp"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_bn254",
    .m_doc = "Native BN254 arithmetic and a Groth16 prover for snarkjs zkeys.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__bn254(void) {
    bn254_cpu_init();
    return PyModule_Create(&module);
}

/* enrollment.gallery._hamming: the native 1:N kernel (hamming.h) as a CPython extension module.
 *
 * The arrays cross this boundary as buffers (numpy arrays, C-contiguous, checked by
 * enrollment/gallery/native_kernel.py, which is the only caller); this file checks their byte sizes
 * so that a wrong call raises instead of reading out of bounds. The GIL is released while scanning.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include "hamming.h"

static int path_from_name(const char *name, hm_path *path) {
    for (int i = 0; i < HM_PATHS; i++)
        if (strcmp(name, hm_path_name((hm_path)i)) == 0) {
            *path = (hm_path)i;
            return 0;
        }
    PyErr_Format(PyExc_ValueError, "unknown kernel path '%s'", name);
    return -1;
}

/* scan(probe_code, probe_mask, codes, masks, ref_bits, bound_threshold, path, threads,
 *      out_distance, out_shift, out_bits) -> None */
static PyObject *py_scan(PyObject *self, PyObject *args) {
    Py_buffer pc, pm, codes, masks, od, os, ob;
    unsigned int ref_bits;
    double bound;
    const char *path_name;
    int threads;
    if (!PyArg_ParseTuple(args, "y*y*y*y*Idsiw*w*w*", &pc, &pm, &codes, &masks, &ref_bits, &bound, &path_name,
                          &threads, &od, &os, &ob))
        return NULL;
    PyObject *result = NULL;
    hm_path path;
    const Py_ssize_t template_bytes = HM_WORDS * (Py_ssize_t)sizeof(uint64_t);
    const Py_ssize_t rows = codes.len / template_bytes;
    if (path_from_name(path_name, &path) != 0) goto done;
    if (!hm_path_supported(path)) {
        PyErr_Format(PyExc_ValueError, "kernel path '%s' is not supported on this CPU", path_name);
        goto done;
    }
    if (pc.len != template_bytes || pm.len != template_bytes) {
        PyErr_SetString(PyExc_ValueError, "the probe code and mask must be 256 uint64 words each");
        goto done;
    }
    if (codes.len % template_bytes || masks.len != codes.len) {
        PyErr_SetString(PyExc_ValueError, "codes and masks must be uint64[n, 256] of the same n");
        goto done;
    }
    if (od.len != rows * (Py_ssize_t)sizeof(double) || os.len != rows * (Py_ssize_t)sizeof(int64_t) ||
        ob.len != rows * (Py_ssize_t)sizeof(uint64_t)) {
        PyErr_SetString(PyExc_ValueError, "the output arrays must hold one 8-byte value per row");
        goto done;
    }
    if (ref_bits == 0 || threads < 1) {
        PyErr_SetString(PyExc_ValueError, "ref_bits and threads must be positive");
        goto done;
    }
    /* hm_probe holds 64-byte aligned tables: over-allocate and align by hand (portable C) */
    void *block = PyMem_RawMalloc(sizeof(hm_probe) + 63);
    if (block == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    hm_probe *probe = (hm_probe *)(((uintptr_t)block + 63) & ~(uintptr_t)63);
    const hm_out out = {od.buf, os.buf, ob.buf};
    Py_BEGIN_ALLOW_THREADS
    hm_prepare(probe, pc.buf, pm.buf, ref_bits, bound);
    hm_scan(probe, codes.buf, masks.buf, (size_t)rows, &out, path, threads);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(block);
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&pc);
    PyBuffer_Release(&pm);
    PyBuffer_Release(&codes);
    PyBuffer_Release(&masks);
    PyBuffer_Release(&od);
    PyBuffer_Release(&os);
    PyBuffer_Release(&ob);
    return result;
}

/* paths() -> the kernel paths this CPU runs, fastest first */
static PyObject *py_paths(PyObject *self, PyObject *unused) {
    PyObject *names = PyList_New(0);
    if (names == NULL) return NULL;
    for (int i = HM_PATHS - 1; i >= 0; i--) {
        if (!hm_path_supported((hm_path)i)) continue;
        PyObject *name = PyUnicode_FromString(hm_path_name((hm_path)i));
        if (name == NULL || PyList_Append(names, name) != 0) {
            Py_XDECREF(name);
            Py_DECREF(names);
            return NULL;
        }
        Py_DECREF(name);
    }
    PyObject *tuple = PyList_AsTuple(names);
    Py_DECREF(names);
    return tuple;
}

static PyMethodDef methods[] = {
    {"scan", py_scan, METH_VARARGS,
     "scan(probe_code, probe_mask, codes, masks, ref_bits, bound_threshold, path, threads, out_distance, "
     "out_shift, out_bits) -> None"},
    {"paths", py_paths, METH_NOARGS, "paths() -> kernel paths this CPU runs, fastest first"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_hamming",
    .m_doc = "Native 1:N masked fractional Hamming distance over 31 shifts (enrollment.gallery).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__hamming(void) {
    return PyModule_Create(&module);
}

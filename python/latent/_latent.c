/* _latent: the CPython binding of liblatent. Thin on purpose: each function converts Python
 * objects to the library's types, releases the GIL around the library call, and turns a
 * failed status into latent.Error with lt_errmsg(). The numpy-facing API is in __init__.py.
 *
 * Arrays cross this boundary through the buffer protocol: a Vecs object exports its rows as
 * a read-only (n, d) float32 buffer with the store's row stride, so numpy views it without a
 * copy (for .lvec files, a view of the mapped file); inputs are C-contiguous float32/int64
 * buffers prepared by the Python layer. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "latent/latent.h"
#include <math.h>
#include <string.h>

static PyObject *g_error;

static PyObject *fail(void) {
    PyErr_SetString(g_error, lt_errmsg()[0] ? lt_errmsg() : "latent: operation failed");
    return NULL;
}

/* A contiguous buffer of `fmt` items ('f' float32, 'q' int64) with `cols` per row (0: any). */
static int get_buf(PyObject *o, Py_buffer *b, char fmt, Py_ssize_t cols, const char *what) {
    if (PyObject_GetBuffer(o, b, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return -1;
    char f = b->format ? b->format[strlen(b->format) - 1] : 'B';
    if (fmt == 'q' && f == 'l' && b->itemsize == 8) f = 'q';
    Py_ssize_t items = b->len / (b->itemsize ? b->itemsize : 1);
    if (f != fmt || (cols > 0 && items % cols)) {
        PyErr_Format(PyExc_ValueError, "%s: expected a contiguous %s array%s", what,
                fmt == 'f' ? "float32" : "int64", cols > 0 ? " with a whole number of rows" : "");
        PyBuffer_Release(b);
        return -1;
    }
    return 0;
}

/* ---------------- Vecs: a vector store ---------------- */
typedef struct {
    PyObject_HEAD lt_vecs *v;
    lt_vecs *vn; /* unit-normalised copy, made on first use */
    Py_ssize_t shape[2], strides[2];
    int exports;
} Vecs;
static PyTypeObject VecsType;

static PyObject *vecs_wrap(lt_vecs *v) {
    Vecs *o = PyObject_New(Vecs, &VecsType);
    if (!o) {
        lt_vecs_free(v);
        return NULL;
    }
    o->v = v;
    o->vn = NULL;
    o->exports = 0;
    return (PyObject *)o;
}
static void vecs_dealloc(Vecs *o) {
    lt_vecs_free(o->v);
    lt_vecs_free(o->vn);
    PyObject_Free(o);
}
static int vecs_getbuffer(Vecs *o, Py_buffer *b, int flags) {
    if (flags & PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "latent vectors are read-only");
        return -1;
    }
    o->shape[0] = (Py_ssize_t)o->v->n;
    o->shape[1] = (Py_ssize_t)o->v->d;
    o->strides[0] = (Py_ssize_t)o->v->ld * 4;
    o->strides[1] = 4;
    b->buf = o->v->data;
    b->obj = (PyObject *)o;
    Py_INCREF(o);
    b->len = o->shape[0] * o->shape[1] * 4;
    b->readonly = 1;
    b->itemsize = 4;
    b->format = (flags & PyBUF_FORMAT) ? "f" : NULL;
    b->ndim = 2;
    b->shape = o->shape;
    b->strides = o->strides;
    b->suboffsets = NULL;
    b->internal = NULL;
    o->exports++;
    return 0;
}
static void vecs_releasebuffer(Vecs *o, Py_buffer *b) { o->exports--; }
static PyBufferProcs vecs_as_buffer = { (getbufferproc)vecs_getbuffer,
    (releasebufferproc)vecs_releasebuffer };

static const lt_vecs *vecs_norm(Vecs *o) {
    if (!o->vn) {
        Py_BEGIN_ALLOW_THREADS o->vn = lt_vecs_normalized(o->v);
        Py_END_ALLOW_THREADS
    }
    return o->vn;
}

static PyObject *py_load(PyObject *self, PyObject *args) {
    const char *path, *fmt = NULL, *enc = NULL;
    if (!PyArg_ParseTuple(args, "s|zz", &path, &fmt, &enc)) return NULL;
    lt_format f = LT_FMT_AUTO;
    if (fmt && (f = lt_format_from_name(fmt)) == LT_FMT_AUTO)
        return PyErr_Format(g_error, "unknown format '%s'", fmt);
    lt_vecs *v;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_vecs_load_encoded(path, f, enc, &v);
    Py_END_ALLOW_THREADS return rc ? fail() : vecs_wrap(v);
}

/* from_array(buf (n, d) float32, d, labels or None) */
static PyObject *py_from_array(PyObject *self, PyObject *args) {
    PyObject *arr, *labels;
    Py_ssize_t d;
    if (!PyArg_ParseTuple(args, "OnO", &arr, &d, &labels)) return NULL;
    if (d < 1) return PyErr_Format(PyExc_ValueError, "dimension must be >= 1");
    Py_buffer b;
    if (get_buf(arr, &b, 'f', d, "vectors") < 0) return NULL;
    int64_t n = (int64_t)(b.len / 4 / d);
    lt_vecs *v = lt_vecs_new(n, d);
    if (!v) {
        PyBuffer_Release(&b);
        return fail();
    }
    for (int64_t i = 0; i < n; i++)
        memcpy(lt_vecs_row(v, i), (const float *)b.buf + i * d, (size_t)d * 4);
    PyBuffer_Release(&b);
    if (labels != Py_None) {
        PyObject *seq = PySequence_Fast(labels, "labels must be a sequence of str");
        if (!seq) {
            lt_vecs_free(v);
            return NULL;
        }
        if (PySequence_Fast_GET_SIZE(seq) != n) {
            Py_DECREF(seq);
            lt_vecs_free(v);
            return PyErr_Format(PyExc_ValueError, "%zd labels for %lld rows",
                    PySequence_Fast_GET_SIZE(seq), (long long)n);
        }
        for (int64_t i = 0; i < n; i++) {
            const char *s = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i));
            if (!s || lt_vecs_set_label(v, i, s)) {
                Py_DECREF(seq);
                lt_vecs_free(v);
                return s ? fail() : NULL;
            }
        }
        Py_DECREF(seq);
    }
    return vecs_wrap(v);
}

static PyObject *vecs_labels(Vecs *o, PyObject *unused) {
    if (!o->v->labels) Py_RETURN_NONE;
    PyObject *l = PyList_New((Py_ssize_t)o->v->n);
    for (int64_t i = 0; l && i < o->v->n; i++) {
        PyObject *s = PyUnicode_DecodeUTF8(
                o->v->labels[i], (Py_ssize_t)strlen(o->v->labels[i]), "surrogateescape");
        if (!s) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)i, s);
    }
    return l;
}
static PyObject *vecs_meta(Vecs *o, PyObject *unused) {
    PyObject *d = PyDict_New();
    const char *k, *val;
    for (int i = 0; d && lt_vecs_meta_at(o->v, i, &k, &val); i++) {
        PyObject *s = PyUnicode_FromString(val);
        if (!s || PyDict_SetItemString(d, k, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(s);
    }
    return d;
}
static PyObject *vecs_set_meta(Vecs *o, PyObject *args) {
    const char *k, *val;
    if (!PyArg_ParseTuple(args, "ss", &k, &val)) return NULL;
    if (lt_vecs_meta_set(o->v, k, val)) return fail();
    Py_RETURN_NONE;
}
static PyObject *vecs_save(Vecs *o, PyObject *args) {
    const char *path, *fmt = NULL;
    int f16 = 0;
    if (!PyArg_ParseTuple(args, "s|zp", &path, &fmt, &f16)) return NULL;
    lt_format f = fmt ? lt_format_from_name(fmt) : lt_format_from_path(path);
    if (f == LT_FMT_AUTO)
        return PyErr_Format(g_error, "%s: cannot tell the format; give fmt=", path);
    lt_save_opts so;
    lt_save_opts_init(&so);
    so.f16 = f16;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_vecs_save(o->v, path, f, &so);
    Py_END_ALLOW_THREADS if (rc) return fail();
    Py_RETURN_NONE;
}
/* normalized() -> Vecs of the unit rows (shared, cached) */
static PyObject *vecs_normalized(Vecs *o, PyObject *unused) {
    const lt_vecs *vn = vecs_norm(o);
    if (!vn) return fail();
    lt_vecs *c = lt_vecs_new(vn->n, vn->d);
    if (!c) return fail();
    memcpy(c->data, vn->data, (size_t)vn->n * (size_t)vn->ld * 4);
    return vecs_wrap(c);
}

/* nearest(q float32[d], k, restrict, exclude ids tuple) -> (ids list, scores list) */
static PyObject *vecs_nearest(Vecs *o, PyObject *args) {
    PyObject *qo, *exo;
    int k;
    long long restrict_n;
    if (!PyArg_ParseTuple(args, "OiLO", &qo, &k, &restrict_n, &exo)) return NULL;
    Py_buffer qb, eb;
    if (get_buf(qo, &qb, 'f', 0, "query") < 0) return NULL;
    if (qb.len != o->v->d * 4) {
        PyBuffer_Release(&qb);
        return PyErr_Format(PyExc_ValueError, "query has the wrong dimension");
    }
    if (get_buf(exo, &eb, 'q', 0, "exclude") < 0) {
        PyBuffer_Release(&qb);
        return NULL;
    }
    const lt_vecs *vn = vecs_norm(o);
    int64_t *ids = PyMem_Malloc(sizeof(int64_t) * (size_t)(k > 0 ? k : 1));
    float *sc = PyMem_Malloc(sizeof(float) * (size_t)(k > 0 ? k : 1));
    float *q = PyMem_Malloc((size_t)o->v->ld * 4);
    int got = -1;
    if (vn && ids && sc && q) {
        memset(q, 0, (size_t)o->v->ld * 4);
        memcpy(q, qb.buf, (size_t)qb.len);
        Py_BEGIN_ALLOW_THREADS got =
                lt_nearest(vn, q, k, restrict_n, eb.buf, (int)(eb.len / 8), ids, sc);
        Py_END_ALLOW_THREADS
    } else if (vn) PyErr_NoMemory();
    PyBuffer_Release(&qb);
    PyBuffer_Release(&eb);
    PyObject *r = NULL;
    if (got >= 0) {
        PyObject *li = PyList_New(got), *ls = PyList_New(got);
        for (int i = 0; li && ls && i < got; i++) {
            PyList_SET_ITEM(li, i, PyLong_FromLongLong(ids[i]));
            PyList_SET_ITEM(ls, i, PyFloat_FromDouble(sc[i]));
        }
        r = li && ls ? Py_BuildValue("NN", li, ls) : NULL;
    } else if (!PyErr_Occurred()) fail();
    PyMem_Free(ids);
    PyMem_Free(sc);
    PyMem_Free(q);
    return r;
}

/* eval_analogy(path, restrict, mul) -> (sections [(name, correct, total, skipped)],
 *                                       items [(sec, a, b, c, d, predicted)]) */
static PyObject *vecs_eval_analogy(Vecs *o, PyObject *args) {
    const char *path;
    long long restrict_n;
    int mul;
    if (!PyArg_ParseTuple(args, "sLp", &path, &restrict_n, &mul)) return NULL;
    lt_analogy_report rep;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc =
            lt_eval_analogy(o->v, path, restrict_n, mul ? LT_ANALOGY_MUL : LT_ANALOGY_ADD, 1, &rep);
    Py_END_ALLOW_THREADS if (rc) return fail();
    PyObject *secs = PyList_New(rep.n_sections), *items = PyList_New((Py_ssize_t)rep.questions);
    for (int i = 0; secs && i < rep.n_sections; i++) {
        lt_analogy_section *s = &rep.sections[i];
        PyList_SET_ITEM(secs, i,
                Py_BuildValue("(sLLL)", s->name, (long long)s->correct, (long long)s->total,
                        (long long)s->skipped));
    }
    for (int64_t i = 0; items && i < rep.questions; i++) {
        lt_analogy_item *it = &rep.items[i];
        PyList_SET_ITEM(items, (Py_ssize_t)i,
                Py_BuildValue("(iLLLLL)", it->sec, (long long)it->q[0], (long long)it->q[1],
                        (long long)it->q[2], (long long)it->q[3], (long long)it->predicted));
    }
    lt_analogy_report_destroy(&rep);
    if (!secs || !items) {
        Py_XDECREF(secs);
        Py_XDECREF(items);
        return NULL;
    }
    return Py_BuildValue("NN", secs, items);
}
static PyObject *vecs_eval_similarity(Vecs *o, PyObject *args) {
    const char *path;
    long long restrict_n;
    if (!PyArg_ParseTuple(args, "sL", &path, &restrict_n)) return NULL;
    lt_similarity_report rep;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_eval_similarity(o->v, path, restrict_n, &rep);
    Py_END_ALLOW_THREADS if (rc) return fail();
    return Py_BuildValue(
            "(ddLL)", rep.pearson, rep.spearman, (long long)rep.used, (long long)rep.total);
}
/* subword(word) -> bytes of d float32 (a fastText model's n-gram average, fastText's
 * getWordVector), or None when no n-gram of the word has a row; -1 count: no subword data */
static PyObject *vecs_subword(Vecs *o, PyObject *args) {
    const char *s;
    if (!PyArg_ParseTuple(args, "s", &s)) return NULL;
    if (lt_vecs_subword(o->v, s, NULL) < 0) Py_RETURN_FALSE;
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)o->v->d * 4);
    if (!b) return NULL;
    int n = lt_vecs_subword(o->v, s, (float *)PyBytes_AS_STRING(b));
    if (n <= 0) {
        Py_DECREF(b);
        Py_RETURN_NONE;
    }
    return b;
}
static PyObject *vecs_find(Vecs *o, PyObject *args) {
    const char *s;
    if (!PyArg_ParseTuple(args, "s", &s)) return NULL;
    return PyLong_FromLongLong(lt_vecs_find(o->v, s));
}
static PyObject *vecs_n(Vecs *o, void *c) { return PyLong_FromLongLong(o->v->n); }
static PyObject *vecs_d(Vecs *o, void *c) { return PyLong_FromLongLong(o->v->d); }

static PyMethodDef vecs_methods[] = { { "labels", (PyCFunction)vecs_labels, METH_NOARGS,
                                              "row labels (list of str) or None" },
    { "meta", (PyCFunction)vecs_meta, METH_NOARGS, "metadata dict" },
    { "set_meta", (PyCFunction)vecs_set_meta, METH_VARARGS, "set_meta(key, value)" },
    { "save", (PyCFunction)vecs_save, METH_VARARGS, "save(path, fmt=None, f16=False)" },
    { "normalized", (PyCFunction)vecs_normalized, METH_NOARGS, "unit-length copy" },
    { "nearest", (PyCFunction)vecs_nearest, METH_VARARGS, "nearest(q, k, restrict, exclude)" },
    { "eval_analogy", (PyCFunction)vecs_eval_analogy, METH_VARARGS,
            "eval_analogy(path, restrict, mul)" },
    { "eval_similarity", (PyCFunction)vecs_eval_similarity, METH_VARARGS,
            "eval_similarity(path, restrict)" },
    { "find", (PyCFunction)vecs_find, METH_VARARGS, "row of a label or -1" },
    { "subword", (PyCFunction)vecs_subword, METH_VARARGS,
            "subword(word) -> bytes, None (no n-gram row) or False (no subword data)" },
    { NULL, NULL, 0, NULL } };
static PyGetSetDef vecs_getset[] = { { "n", (getter)vecs_n, NULL, "rows", NULL },
    { "d", (getter)vecs_d, NULL, "dimension", NULL }, { NULL, NULL, NULL, NULL, NULL } };
static PyTypeObject VecsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "latent._latent.Vecs",
    .tp_basicsize = sizeof(Vecs),
    .tp_dealloc = (destructor)vecs_dealloc,
    .tp_as_buffer = &vecs_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "a latent vector store (read-only buffer of shape (n, d))",
    .tp_methods = vecs_methods,
    .tp_getset = vecs_getset,
};

/* ---------------- word2vec training ---------------- */
typedef struct {
    PyObject *cb;
    int failed;
} progress_ctx;
static int progress_tramp(double done, double total, double loss, void *ud) {
    progress_ctx *c = ud;
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = 0;
    PyObject *r = PyObject_CallFunction(c->cb, "ddd", done, total, loss);
    if (!r) {
        c->failed = 1;
        stop = 1;
    } else {
        stop = PyObject_IsTrue(r) == 1;
        Py_DECREF(r);
    }
    PyGILState_Release(g);
    return stop;
}

static int opt_long(PyObject *d, const char *k, long long *v) {
    PyObject *x = PyDict_GetItemString(d, k);
    if (!x) return 0;
    long long t = PyLong_AsLongLong(x);
    if (t == -1 && PyErr_Occurred()) return -1;
    *v = t;
    return 1;
}
static int opt_double(PyObject *d, const char *k, double *v) {
    PyObject *x = PyDict_GetItemString(d, k);
    if (!x) return 0;
    double t = PyFloat_AsDouble(x);
    if (t == -1 && PyErr_Occurred()) return -1;
    *v = t;
    return 1;
}

/* The trainers' option dicts, field by field: an int (L) or a number (F) under key, when present,
 * into field; a value of another type raises (return NULL). Uses the caller's d, r, v and f. */
#define L(key, field) \
    do { \
        if ((r = opt_long(d, key, &v)) < 0) return NULL; \
        if (r) field = v; \
    } while (0)
#define F(key, field) \
    do { \
        if ((r = opt_double(d, key, &f)) < 0) return NULL; \
        if (r) field = f; \
    } while (0)

/* train_word2vec(corpus, opts dict of ints/floats/str, progress callable or None, fasttext=0):
 * fasttext=1 starts from the library's fastText preset (lt_fasttext_opts_init) */
static PyObject *py_train_word2vec(PyObject *self, PyObject *args) {
    const char *path;
    PyObject *d, *cb;
    int fasttext = 0;
    if (!PyArg_ParseTuple(args, "sO!O|p", &path, &PyDict_Type, &d, &cb, &fasttext)) return NULL;
    lt_w2v_opts o;
    if (fasttext) lt_fasttext_opts_init(&o);
    else lt_w2v_opts_init(&o);
    long long v;
    double f;
    int r = 0;
    L("dim", o.sg.dim);
    L("window", o.sg.window);
    L("negative", o.sg.negative);
    L("hs", o.sg.hs);
    L("cbow", o.sg.cbow);
    L("epochs", o.sg.epochs);
    L("threads", o.sg.n_threads);
    L("seed", o.sg.seed);
    L("min_count", o.vocab.min_count);
    L("lowercase", o.corpus.lower);
    L("checkpoint_every", o.sg.checkpoint_every);
    L("resume", o.resume);
    F("alpha", o.sg.alpha);
    F("sample", o.sg.sample);
    F("ns_exponent", o.sg.ns_exponent);
    L("minn", o.minn);
    L("maxn", o.maxn);
    L("bucket", o.bucket);
    PyObject *ck = PyDict_GetItemString(d, "checkpoint");
    if (ck && ck != Py_None && !(o.checkpoint = PyUnicode_AsUTF8(ck))) return NULL;
    PyObject *mo = PyDict_GetItemString(d, "model_out");
    if (mo && mo != Py_None && !(o.model_out = PyUnicode_AsUTF8(mo))) return NULL;
    if (o.minn > o.maxn) {
        PyErr_SetString(PyExc_ValueError, "minn must not exceed maxn");
        return NULL;
    }
    progress_ctx pc = { cb, 0 };
    if (cb != Py_None) {
        o.sg.progress = progress_tramp;
        o.sg.progress_ud = &pc;
    }
    lt_vecs *out = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_w2v_train(path, &o, &out);
    Py_END_ALLOW_THREADS if (pc.failed) {
        lt_vecs_free(out);
        return NULL;
    } /* the callback's exception */
    return rc ? fail() : vecs_wrap(out);
}

/* train_graph(path, second_order, opts dict, progress) -> Vecs: DeepWalk / node2vec */
static PyObject *py_train_graph(PyObject *self, PyObject *args) {
    const char *path;
    int second;
    PyObject *d, *cb;
    if (!PyArg_ParseTuple(args, "spO!O", &path, &second, &PyDict_Type, &d, &cb)) return NULL;
    lt_n2v_opts o;
    lt_n2v_opts_init(&o);
    o.walk.second_order = second;
    lt_graph_opts go;
    lt_graph_opts_init(&go);
    long long v;
    double f;
    int r = 0;
    L("dim", o.sg.dim);
    L("walk_length", o.walk.length);
    L("num_walks", o.walk.num_walks);
    L("window", o.sg.window);
    L("epochs", o.sg.epochs);
    L("negative", o.sg.negative);
    L("min_count", o.min_count);
    L("threads", o.sg.n_threads);
    L("weighted", go.weighted);
    L("directed", go.directed);
    L("cache", go.cache);
    L("header", go.header);
    L("vectors", o.vectors);
    F("p", o.walk.p);
    F("q", o.walk.q);
    F("alpha", o.sg.alpha);
    F("sample", o.sg.sample);
    if ((r = opt_long(d, "seed", &v)) < 0) return NULL;
    if (r) o.walk.seed = o.sg.seed = (uint64_t)v;
    progress_ctx pc = { cb, 0 };
    if (cb != Py_None) {
        o.sg.progress = progress_tramp;
        o.sg.progress_ud = &pc;
    }
    lt_vecs *out = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS lt_graph *g = NULL;
    rc = lt_graph_load(path, &go, &g, NULL);
    if (!rc) rc = lt_n2v_train(g, &o, &out, NULL);
    lt_graph_free(g);
    Py_END_ALLOW_THREADS if (pc.failed) {
        lt_vecs_free(out);
        return NULL;
    }
    return rc ? fail() : vecs_wrap(out);
}

/* ---------------- BERT encoder ---------------- */
typedef struct {
    PyObject_HEAD lt_bert *m;
} Bert;
static void bert_dealloc(Bert *o) {
    lt_bert_free(o->m);
    PyObject_Free(o);
}
static PyTypeObject BertType;

/* bert_load(dir, pooling "", normalize -1/0/1, max_seq 0) */
static PyObject *py_bert_load(PyObject *self, PyObject *args) {
    const char *dir, *pool = "";
    int norm = -1, max_seq = 0;
    if (!PyArg_ParseTuple(args, "s|sii", &dir, &pool, &norm, &max_seq)) return NULL;
    lt_bert_opts o;
    lt_bert_opts_init(&o);
    o.pooling = lt_pooling_from_name(pool);
    if (*pool && !o.pooling)
        return PyErr_Format(PyExc_ValueError,
                "pooling must be mean, cls, max, mean_sqrt_len_tokens, weightedmean or lasttoken");
    o.normalize = norm;
    o.max_seq = max_seq;
    lt_bert *m;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_bert_load(&m, dir, &o);
    Py_END_ALLOW_THREADS if (rc) return fail();
    Bert *b = PyObject_New(Bert, &BertType);
    if (!b) {
        lt_bert_free(m);
        return NULL;
    }
    b->m = m;
    return (PyObject *)b;
}
/* encode(list of str, batch_size, threads, latency) -> bytearray of n*dim float32: the
 * library's pipeline (lt_embed_texts), as `latent embed` runs it */
static PyObject *bert_encode(Bert *o, PyObject *args) {
    PyObject *lst;
    int batch, threads, latency = 0, dim = 0;
    const char *prompt = NULL;
    if (!PyArg_ParseTuple(args, "Oii|pzi", &lst, &batch, &threads, &latency, &prompt, &dim))
        return NULL;
    if (dim < 0 || dim > lt_bert_dim(o->m)) {
        PyErr_Format(PyExc_ValueError, "truncate_dim %d: the model has %d dimensions", dim,
                lt_bert_dim(o->m));
        return NULL;
    }
    PyObject *seq = PySequence_Fast(lst, "sentences must be a sequence of str");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int H = dim ? dim : lt_bert_dim(o->m);
    PyObject *out = PyByteArray_FromStringAndSize(NULL, n * H * 4);
    const char **texts = PyMem_Malloc(sizeof(char *) * (size_t)(n ? n : 1));
    size_t *lens = PyMem_Malloc(sizeof(size_t) * (size_t)(n ? n : 1));
    if (!out || !texts || !lens) goto bad;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t l;
        texts[i] = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, i), &l);
        if (!texts[i]) goto bad;
        lens[i] = (size_t)l;
    }
    float *dst = (float *)PyByteArray_AS_STRING(out);
    lt_ctx ctx;
    lt_ctx_init(&ctx);
    ctx.n_threads = threads < 1 ? 1 : threads;
    lt_embed_opts eo;
    lt_embed_opts_init(&eo);
    eo.batch = batch < 1 ? 1 : batch;
    eo.latency = latency;
    eo.prompt = prompt && *prompt ? prompt : NULL;
    eo.dim = H;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc =
            lt_embed_texts(o->m, texts, lens, (int64_t)n, dst, H, &eo, &ctx, NULL);
    Py_END_ALLOW_THREADS if (rc) {
        fail();
        goto bad;
    }
    PyMem_Free(texts);
    PyMem_Free(lens);
    Py_DECREF(seq);
    return out;
bad:
    PyMem_Free(texts);
    PyMem_Free(lens);
    Py_XDECREF(out);
    Py_DECREF(seq);
    return NULL;
}
/* score_pairs(list of str a, list of str b, batch, threads) -> bytearray of n*labels float32 logits */
static PyObject *bert_score_pairs(Bert *o, PyObject *args) {
    PyObject *la, *lb;
    int batch, threads;
    if (!PyArg_ParseTuple(args, "OOii", &la, &lb, &batch, &threads)) return NULL;
    PyObject *sa = PySequence_Fast(la, "first texts must be a sequence of str"),
             *sb = sa ? PySequence_Fast(lb, "second texts must be a sequence of str") : NULL;
    if (!sb) {
        Py_XDECREF(sa);
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(sa);
    int L = lt_bert_num_labels(o->m);
    PyObject *out = NULL;
    const char **ta = PyMem_Malloc(sizeof(char *) * (size_t)(n ? n : 1)),
               **tb = PyMem_Malloc(sizeof(char *) * (size_t)(n ? n : 1));
    size_t *na = PyMem_Malloc(sizeof(size_t) * (size_t)(n ? n : 1)),
           *nb = PyMem_Malloc(sizeof(size_t) * (size_t)(n ? n : 1));
    if (PySequence_Fast_GET_SIZE(sb) != n) {
        PyErr_SetString(PyExc_ValueError, "as many second texts as first ones");
        goto bad;
    }
    if (!ta || !tb || !na || !nb) {
        PyErr_NoMemory();
        goto bad;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t l;
        if (!(ta[i] = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(sa, i), &l))) goto bad;
        na[i] = (size_t)l;
        if (!(tb[i] = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(sb, i), &l))) goto bad;
        nb[i] = (size_t)l;
    }
    out = PyByteArray_FromStringAndSize(NULL, n * (L ? L : 1) * 4);
    if (!out) goto bad;
    float *dst = (float *)PyByteArray_AS_STRING(out);
    int rc = 0;
    if (batch < 1) batch = 1;
    Py_BEGIN_ALLOW_THREADS for (Py_ssize_t i = 0; i < n && !rc; i += batch) {
        int k = (int)(n - i < batch ? n - i : batch);
        rc = lt_bert_score_pairs(o->m, ta + i, na + i, tb + i, nb + i, k,
                dst + (size_t)i * (L ? L : 1), threads < 1 ? 1 : threads);
    }
    Py_END_ALLOW_THREADS if (rc) {
        fail();
        Py_CLEAR(out);
    }
bad:
    PyMem_Free(ta);
    PyMem_Free(tb);
    PyMem_Free(na);
    PyMem_Free(nb);
    Py_DECREF(sa);
    Py_DECREF(sb);
    return out;
}
/* quantize(float32 buffer, n, d, precision) -> bytes of n rows: quantize_embeddings */
static PyObject *py_quantize(PyObject *self, PyObject *args) {
    Py_buffer b;
    Py_ssize_t n, d;
    const char *name;
    if (!PyArg_ParseTuple(args, "y*nns", &b, &n, &d, &name)) return NULL;
    int q = lt_quant_from_name(name);
    if (!q || n < 0 || d <= 0 || b.len < n * d * 4) {
        PyBuffer_Release(&b);
        PyErr_Format(PyExc_ValueError, "quantize: precision %s, %zd x %zd", name, n, d);
        return NULL;
    }
    int64_t w = lt_quant_width((lt_quant)q, d);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * w);
    if (out &&
            lt_quantize((const float *)b.buf, n, d, d, (lt_quant)q, NULL,
                    (uint8_t *)PyBytes_AS_STRING(out)) < 0) {
        Py_CLEAR(out);
        fail();
    }
    PyBuffer_Release(&b);
    return out;
}
static PyObject *bert_info(Bert *o, PyObject *unused) {
    PyObject *prompts = PyDict_New();
    for (int i = 0; prompts && lt_bert_prompt_name(o->m, i); i++) {
        PyObject *t = PyUnicode_FromString(lt_bert_prompt(o->m, lt_bert_prompt_name(o->m, i)));
        if (!t || PyDict_SetItemString(prompts, lt_bert_prompt_name(o->m, i), t)) {
            Py_XDECREF(t);
            Py_CLEAR(prompts);
            break;
        }
        Py_DECREF(t);
    }
    if (!prompts) return NULL;
    const char *def = NULL;
    for (int i = 0; lt_bert_prompt_name(o->m, i); i++)
        if (lt_bert_prompt(o->m, NULL) == lt_bert_prompt(o->m, lt_bert_prompt_name(o->m, i)))
            def = lt_bert_prompt_name(o->m, i);
    return Py_BuildValue("{s:i,s:i,s:O,s:s,s:i,s:N,s:z}", "dim", lt_bert_dim(o->m), "max_seq",
            lt_bert_max_seq(o->m), "normalize", lt_bert_normalizes(o->m) ? Py_True : Py_False,
            "pooling", lt_pooling_name(lt_bert_pooling(o->m)), "labels", lt_bert_num_labels(o->m),
            "prompts", prompts, "default_prompt_name", def);
}
static PyMethodDef bert_methods[] = { { "encode", (PyCFunction)bert_encode, METH_VARARGS,
                                              "encode(list, batch, threads, latency=False)" },
    { "info", (PyCFunction)bert_info, METH_NOARGS, "dim, max_seq, normalize, pooling, labels" },
    { "score_pairs", (PyCFunction)bert_score_pairs, METH_VARARGS,
            "score_pairs(a, b, batch, threads)" },
    { NULL, NULL, 0, NULL } };
static PyTypeObject BertType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "latent._latent.Bert",
    .tp_basicsize = sizeof(Bert),
    .tp_dealloc = (destructor)bert_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = bert_methods,
};

/* ---------------- image towers ---------------- */
typedef struct {
    PyObject_HEAD lt_vision *v;
    lt_image_prep prep;
    int has_prep;
} Vision;
static void vision_dealloc(Vision *o) {
    lt_vision_free(o->v);
    PyObject_Free(o);
}
static PyTypeObject VisionType;
/* vision_load(dir, bf16) -> Vision (the preprocessing too, when the folder has one) */
static PyObject *py_vision_load(PyObject *self, PyObject *args) {
    const char *dir;
    int bf16 = 0;
    if (!PyArg_ParseTuple(args, "s|p", &dir, &bf16)) return NULL;
    lt_bert_opts o;
    lt_bert_opts_init(&o);
    o.precision = bf16 ? LT_PREC_BF16 : LT_PREC_F32;
    lt_vision *v;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_vision_load(&v, dir, &o);
    Py_END_ALLOW_THREADS if (rc) return fail();
    Vision *b = PyObject_New(Vision, &VisionType);
    if (!b) {
        lt_vision_free(v);
        return NULL;
    }
    b->v = v;
    b->has_prep = lt_image_prep_load(&b->prep, dir) == LT_OK;
    return (PyObject *)b;
}
/* encode_pixels(buffer of n*C*S*S float32, n, threads) -> bytearray of n*dim float32 */
static PyObject *vision_encode_pixels(Vision *o, PyObject *args) {
    Py_buffer buf;
    int n, threads;
    if (!PyArg_ParseTuple(args, "y*ii", &buf, &n, &threads)) return NULL;
    int S = lt_vision_image_size(o->v), C = lt_vision_channels(o->v), D = lt_vision_dim(o->v);
    if (n < 0 || buf.len != (Py_ssize_t)n * C * S * S * 4) {
        PyBuffer_Release(&buf);
        return PyErr_Format(
                PyExc_ValueError, "pixels: %d images of %dx%dx%d float32 expected", n, C, S, S);
    }
    PyObject *out = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)n * D * 4);
    int rc = 0;
    if (out) {
        float *dst = (float *)PyByteArray_AS_STRING(out);
        Py_BEGIN_ALLOW_THREADS rc =
                lt_vision_embed(o->v, buf.buf, n, dst, threads < 1 ? 1 : threads);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&buf);
    if (out && rc) {
        Py_DECREF(out);
        return fail();
    }
    return out;
}
/* preprocess(data, w, h, name) -> bytearray of C*S*S float32: RGB bytes (h, w, 3) through the
 * folder's preprocessor_config.json */
static PyObject *vision_preprocess(Vision *o, PyObject *args) {
    Py_buffer buf;
    int w, h;
    const char *name;
    if (!PyArg_ParseTuple(args, "y*iis", &buf, &w, &h, &name)) return NULL;
    int S = lt_vision_image_size(o->v), ow, oh, rc;
    if (!o->has_prep || w < 1 || h < 1 || buf.len != (Py_ssize_t)w * h * 3) {
        PyBuffer_Release(&buf);
        return PyErr_Format(PyExc_ValueError,
                o->has_prep ? "%s: an RGB image of %dx%d needs %d bytes"
                            : "%s: the model folder has no preprocessor_config.json",
                name, w, h, w * h * 3);
    }
    lt_image im = { w, h, 3, buf.buf };
    lt_image_prep_size(&o->prep, w, h, &ow, &oh);
    if (ow != S || oh != S) {
        PyBuffer_Release(&buf);
        return PyErr_Format(PyExc_ValueError, "%s: preprocesses to %dx%d, the model takes %dx%d",
                name, ow, oh, S, S);
    }
    PyObject *out = PyByteArray_FromStringAndSize(NULL, (Py_ssize_t)3 * S * S * 4);
    if (!out) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS rc =
            lt_image_prep_apply(&o->prep, &im, name, (float *)PyByteArray_AS_STRING(out), NULL);
    Py_END_ALLOW_THREADS PyBuffer_Release(&buf);
    if (rc) {
        Py_DECREF(out);
        return fail();
    }
    return out;
}
/* decode(path) -> (bytes of h*w*3, w, h): a PNG, JPEG or WebP file as RGB, upright by its
 * EXIF orientation */
static PyObject *py_image_decode(PyObject *self, PyObject *args) {
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) return NULL;
    char *b = NULL;
    size_t n, ml = 0;
    lt_image im = { 0 };
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_read_whole(path, &b, &n, &ml);
    if (!rc) rc = lt_image_decode(b, n, path, 3, &im);
    if (!rc) rc = lt_image_orient(&im, lt_image_exif_orientation(b, n));
    if (b) lt_release_whole(b, ml);
    Py_END_ALLOW_THREADS if (rc) return fail();
    PyObject *r =
            Py_BuildValue("(y#ii)", (const char *)im.px, (Py_ssize_t)im.w * im.h * 3, im.w, im.h);
    lt_image_free(&im);
    return r;
}
static PyObject *vision_info(Vision *o, PyObject *unused) {
    return Py_BuildValue("{s:i,s:i,s:i,s:O}", "dim", lt_vision_dim(o->v), "image_size",
            lt_vision_image_size(o->v), "channels", lt_vision_channels(o->v), "preprocessing",
            o->has_prep ? Py_True : Py_False);
}
static PyMethodDef vision_methods[] = { { "encode_pixels", (PyCFunction)vision_encode_pixels,
                                                METH_VARARGS,
                                                "encode_pixels(float32 buffer, n, threads)" },
    { "preprocess", (PyCFunction)vision_preprocess, METH_VARARGS,
            "preprocess(rgb bytes, w, h, name)" },
    { "info", (PyCFunction)vision_info, METH_NOARGS, "dim, image_size, channels" },
    { NULL, NULL, 0, NULL } };
static PyTypeObject VisionType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "latent._latent.Vision",
    .tp_basicsize = sizeof(Vision),
    .tp_dealloc = (destructor)vision_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = vision_methods,
};

/* ---------------- tokenizer ---------------- */
typedef struct {
    PyObject_HEAD lt_tokenizer *t;
} Tok;
static void tok_dealloc(Tok *o) {
    lt_tokenizer_free(o->t);
    PyObject_Free(o);
}
static PyTypeObject TokType;
/* tokenizer_load(path) -> Tok */
static PyObject *py_tokenizer_load(PyObject *self, PyObject *args) {
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) return NULL;
    lt_tokenizer *t;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_tokenizer_load(&t, path);
    Py_END_ALLOW_THREADS if (rc) return fail();
    Tok *o = PyObject_New(Tok, &TokType);
    if (!o) {
        lt_tokenizer_free(t);
        return NULL;
    }
    o->t = t;
    return (PyObject *)o;
}
/* encode(text, pair or None, add_special, max_len) -> (ids, byte offsets (start, stop), type ids, special) */
static PyObject *tok_encode(Tok *o, PyObject *args) {
    const char *a, *b = NULL;
    Py_ssize_t al, bl = 0;
    int special = 1, max_len = 0;
    if (!PyArg_ParseTuple(args, "s#|z#pi", &a, &al, &b, &bl, &special, &max_len)) return NULL;
    lt_encoding e = { 0 };
    int rc;
    Py_BEGIN_ALLOW_THREADS rc =
            lt_tokenizer_encode(o->t, a, (size_t)al, b, (size_t)bl, special, max_len, &e);
    Py_END_ALLOW_THREADS if (rc) {
        lt_encoding_free(&e);
        return fail();
    }
    PyObject *ids = PyList_New(e.n), *off = PyList_New(e.n), *ty = PyList_New(e.n),
             *sp = PyList_New(e.n);
    for (int i = 0; ids && off && ty && sp && i < e.n; i++) {
        PyList_SET_ITEM(ids, i, PyLong_FromLong(e.ids[i]));
        PyList_SET_ITEM(off, i, Py_BuildValue("(ii)", e.offsets[2 * i], e.offsets[2 * i + 1]));
        PyList_SET_ITEM(ty, i, PyLong_FromLong(e.type_ids[i]));
        PyList_SET_ITEM(sp, i, PyBool_FromLong(e.special[i]));
    }
    lt_encoding_free(&e);
    if (!ids || !off || !ty || !sp) {
        Py_XDECREF(ids);
        Py_XDECREF(off);
        Py_XDECREF(ty);
        Py_XDECREF(sp);
        return NULL;
    }
    return Py_BuildValue("NNNN", ids, off, ty, sp);
}
static PyObject *tok_token(Tok *o, PyObject *args) {
    int id;
    if (!PyArg_ParseTuple(args, "i", &id)) return NULL;
    const char *s = lt_tokenizer_token(o->t, id);
    if (!s) Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}
static PyObject *tok_info(Tok *o, PyObject *unused) {
    return Py_BuildValue("{s:s,s:L}", "model", lt_tokenizer_model(o->t), "vocab_size",
            (long long)lt_tokenizer_vocab_size(o->t));
}
static PyMethodDef tok_methods[] = { { "encode", (PyCFunction)tok_encode, METH_VARARGS,
                                             "encode(text, pair, add_special, max_len)" },
    { "token", (PyCFunction)tok_token, METH_VARARGS, "token(id) -> str or None" },
    { "info", (PyCFunction)tok_info, METH_NOARGS, "model, vocab_size" }, { NULL, NULL, 0, NULL } };
static PyTypeObject TokType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "latent._latent.Tokenizer",
    .tp_basicsize = sizeof(Tok),
    .tp_dealloc = (destructor)tok_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = tok_methods,
};

/* ---------------- HNSW index ---------------- */
typedef struct {
    PyObject_HEAD lt_hnsw *h;
} Hnsw;
static void hnsw_dealloc(Hnsw *o) {
    lt_hnsw_free(o->h);
    PyObject_Free(o);
}
static PyTypeObject HnswType;
static PyObject *hnsw_wrap(lt_hnsw *h) {
    Hnsw *o = PyObject_New(Hnsw, &HnswType);
    if (!o) {
        lt_hnsw_free(h);
        return NULL;
    }
    o->h = h;
    return (PyObject *)o;
}
/* hnsw_new(d, metric, M, ef_construction, seed, storage) */
static PyObject *py_hnsw_new(PyObject *self, PyObject *args) {
    long long d, seed;
    const char *metric, *storage;
    int M, efc;
    if (!PyArg_ParseTuple(args, "LsiiLs", &d, &metric, &M, &efc, &seed, &storage)) return NULL;
    lt_hnsw_opts o;
    lt_hnsw_opts_init(&o);
    if (lt_metric_from_name(metric, &o.metric))
        return PyErr_Format(g_error, "unknown metric '%s' (l2, ip, cosine)", metric);
    if (!strcmp(storage, "f32")) o.storage = LT_HNSW_F32;
    else if (!strcmp(storage, "f16")) o.storage = LT_HNSW_F16;
    else if (!strcmp(storage, "int8")) o.storage = LT_HNSW_INT8;
    else return PyErr_Format(g_error, "unknown storage '%s' (f32, f16, int8)", storage);
    o.M = M;
    o.ef_construction = efc;
    o.seed = (uint64_t)seed;
    lt_hnsw *h;
    if (lt_hnsw_new(&h, d, &o)) return fail();
    return hnsw_wrap(h);
}
static PyObject *py_hnsw_load(PyObject *self, PyObject *args) {
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) return NULL;
    lt_hnsw *h;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_hnsw_load(&h, path);
    Py_END_ALLOW_THREADS return rc ? fail() : hnsw_wrap(h);
}
/* add(x float32 (n, d), ids int64[n] or None, first_id, threads) */
static PyObject *hnsw_add(Hnsw *o, PyObject *args) {
    PyObject *xo, *ido;
    long long first;
    int threads;
    if (!PyArg_ParseTuple(args, "OOLi", &xo, &ido, &first, &threads)) return NULL;
    lt_hnsw_info in = lt_hnsw_get_info(o->h);
    Py_buffer xb, ib = { 0 };
    if (get_buf(xo, &xb, 'f', in.d, "vectors") < 0) return NULL;
    int64_t n = (int64_t)(xb.len / 4 / in.d);
    if (ido != Py_None) {
        if (get_buf(ido, &ib, 'q', 0, "ids") < 0) {
            PyBuffer_Release(&xb);
            return NULL;
        }
        if (ib.len / 8 != n) {
            PyBuffer_Release(&xb);
            PyBuffer_Release(&ib);
            return PyErr_Format(
                    PyExc_ValueError, "%zd ids for %lld vectors", ib.len / 8, (long long)n);
        }
    }
    int rc = 0;
    Py_BEGIN_ALLOW_THREADS if (ido ==
            Py_None) { /* the store API wants aligned, padded rows: copy */
        lt_vecs *tmp = lt_vecs_new(n, in.d);
        if (!tmp) rc = LT_ENOMEM;
        for (int64_t i = 0; tmp && i < n; i++)
            memcpy(lt_vecs_row(tmp, i), (float *)xb.buf + i * in.d, (size_t)in.d * 4);
        if (!rc) rc = lt_hnsw_add_store(o->h, tmp, first, threads);
        lt_vecs_free(tmp);
    }
    else {
        for (int64_t i = 0; i < n && !rc; i++)
            rc = lt_hnsw_add(o->h, (float *)xb.buf + i * in.d, ((int64_t *)ib.buf)[i]);
    }
    Py_END_ALLOW_THREADS PyBuffer_Release(&xb);
    if (ido != Py_None) PyBuffer_Release(&ib);
    if (rc) return fail();
    Py_RETURN_NONE;
}
typedef struct {
    PyObject *fn;
    int failed;
} pred_ctx;
static int pred_tramp(int64_t id, void *ud) {
    pred_ctx *c = ud;
    if (c->failed) return 0;
    PyObject *r = PyObject_CallFunction(c->fn, "L", (long long)id);
    if (!r) {
        c->failed = 1;
        return 0;
    }
    int t = PyObject_IsTrue(r) == 1;
    Py_DECREF(r);
    return t;
}
/* search(q float32 (nq, d), k, ef, allow int64 sorted or callable or None, threads) -> (D bytes, I bytes) */
static PyObject *hnsw_search(Hnsw *o, PyObject *args) {
    PyObject *qo, *fo;
    int k, ef, threads;
    if (!PyArg_ParseTuple(args, "OiiOi", &qo, &k, &ef, &fo, &threads)) return NULL;
    lt_hnsw_info in = lt_hnsw_get_info(o->h);
    Py_buffer qb, ab = { 0 };
    if (get_buf(qo, &qb, 'f', in.d, "queries") < 0) return NULL;
    int64_t nq = (int64_t)(qb.len / 4 / in.d);
    lt_filter flt = { 0 }, *fp = NULL;
    pred_ctx pc = { fo, 0 };
    if (fo != Py_None && PyCallable_Check(fo)) {
        flt.pred = pred_tramp;
        flt.ud = &pc;
        fp = &flt;
    } else if (fo != Py_None) {
        if (get_buf(fo, &ab, 'q', 0, "filter") < 0) {
            PyBuffer_Release(&qb);
            return NULL;
        }
        flt.allow = ab.buf;
        flt.n_allow = (int64_t)(ab.len / 8);
        fp = &flt;
    }
    PyObject *D = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nq * k * 4)),
             *I = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nq * k * 8));
    int rc = -1;
    if (D && I) {
        float *dp = (float *)PyBytes_AS_STRING(D);
        int64_t *ip = (int64_t *)PyBytes_AS_STRING(I);
        if (flt.pred)
            rc = lt_hnsw_search_batch(
                    o->h, qb.buf, nq, in.d, k, ef, fp, 1, dp, ip); /* calls Python: keep the GIL */
        else {
            Py_BEGIN_ALLOW_THREADS rc =
                    lt_hnsw_search_batch(o->h, qb.buf, nq, in.d, k, ef, fp, threads, dp, ip);
            Py_END_ALLOW_THREADS
        }
    }
    PyBuffer_Release(&qb);
    if (ab.obj) PyBuffer_Release(&ab);
    if (rc || pc.failed) {
        Py_XDECREF(D);
        Py_XDECREF(I);
        return pc.failed || PyErr_Occurred() ? NULL : fail();
    }
    return Py_BuildValue("NN", D, I);
}
static PyObject *hnsw_delete(Hnsw *o, PyObject *args) {
    long long id;
    if (!PyArg_ParseTuple(args, "L", &id)) return NULL;
    if (lt_hnsw_delete(o->h, id)) return fail();
    Py_RETURN_NONE;
}
static PyObject *hnsw_save(Hnsw *o, PyObject *args) {
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) return NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_hnsw_save(o->h, path);
    Py_END_ALLOW_THREADS if (rc) return fail();
    Py_RETURN_NONE;
}
static PyObject *hnsw_info(Hnsw *o, PyObject *unused) {
    lt_hnsw_info in = lt_hnsw_get_info(o->h);
    static const char *st[] = { "f32", "f16", "int8" };
    return Py_BuildValue("{s:L,s:L,s:L,s:i,s:i,s:s,s:s,s:K,s:L}", "d", (long long)in.d, "count",
            (long long)in.count, "deleted", (long long)in.deleted, "M", in.M, "ef_construction",
            in.ef_construction, "metric", lt_metric_name(in.metric), "storage", st[in.storage],
            "seed", (unsigned long long)in.seed, "next_id", (long long)in.next_id);
}
static PyMethodDef hnsw_methods[] = { { "add", (PyCFunction)hnsw_add, METH_VARARGS,
                                              "add(x, ids, first_id, threads)" },
    { "search", (PyCFunction)hnsw_search, METH_VARARGS, "search(q, k, ef, filter, threads)" },
    { "delete", (PyCFunction)hnsw_delete, METH_VARARGS, "delete(id)" },
    { "save", (PyCFunction)hnsw_save, METH_VARARGS, "save(path)" },
    { "info", (PyCFunction)hnsw_info, METH_NOARGS, "parameters and counts" },
    { NULL, NULL, 0, NULL } };
static PyTypeObject HnswType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "latent._latent.Hnsw",
    .tp_basicsize = sizeof(Hnsw),
    .tp_dealloc = (destructor)hnsw_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = hnsw_methods,
};

/* ---------------- maps ---------------- */
/* map(X Vecs, opts dict) -> (bytes of n x 2 float32, kl_divergence, exact solver used) */
static PyObject *py_map(PyObject *self, PyObject *args) {
    Vecs *X;
    PyObject *d;
    if (!PyArg_ParseTuple(args, "O!O!", &VecsType, &X, &PyDict_Type, &d)) return NULL;
    lt_map_opts o;
    lt_map_opts_init(&o);
    long long v;
    double f;
    int r = 0, rc;
    L("method", o.method);
    L("iters", o.iters);
    L("exact", o.exact);
    L("n_neighbors", o.n_neighbors);
    L("epochs", o.epochs);
    L("threads", o.n_threads);
    L("seed", o.seed);
    F("perplexity", o.perplexity);
    F("theta", o.theta);
    F("min_dist", o.min_dist);
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)X->v->n * 2 * 4);
    if (!b) return NULL;
    lt_map_result res;
    float *Y = (float *)PyBytes_AS_STRING(b);
    Py_BEGIN_ALLOW_THREADS rc = lt_map(X->v, &o, Y, &res);
    Py_END_ALLOW_THREADS if (rc) {
        Py_DECREF(b);
        return fail();
    }
    return Py_BuildValue("(Ndi)", b, res.kl_divergence, res.exact);
}

/* ---------------- the quality report ---------------- */
/* quality(V Vecs, source Vecs or None, labels int32 bytes or None, n_classes, k, sample, seed,
 * threads) -> {metric: value or None, "rows", "dim", "k", "sample", "spectrum"} (lt_quality) */
static PyObject *py_quality(PyObject *self, PyObject *args) {
    Vecs *V;
    PyObject *so, *lo;
    int n_classes, k, threads;
    long long sample, seed;
    if (!PyArg_ParseTuple(args, "O!OOiiLLi", &VecsType, &V, &so, &lo, &n_classes, &k, &sample,
                &seed, &threads))
        return NULL;
    if (so != Py_None && !PyObject_TypeCheck(so, &VecsType))
        return PyErr_Format(PyExc_TypeError, "source: rows expected");
    lt_quality_opts o;
    lt_quality_opts_init(&o);
    o.k = k;
    o.sample = sample;
    o.seed = (uint64_t)seed;
    o.n_threads = threads;
    Py_buffer lb = { 0 };
    if (lo != Py_None) {
        if (PyObject_GetBuffer(lo, &lb, PyBUF_SIMPLE) < 0) return NULL;
        if (lb.len != V->v->n * (Py_ssize_t)sizeof(int)) {
            PyBuffer_Release(&lb);
            return PyErr_Format(PyExc_ValueError, "labels: %lld expected", (long long)V->v->n);
        }
    }
    lt_quality_result q;
    int rc;
    const lt_vecs *src = so != Py_None ? ((Vecs *)so)->v : NULL;
    const int *lab = lo != Py_None ? lb.buf : NULL;
    Py_BEGIN_ALLOW_THREADS rc = lt_quality(V->v, src, lab, n_classes, &o, &q);
    Py_END_ALLOW_THREADS if (lo != Py_None) PyBuffer_Release(&lb);
    if (rc) return fail();
    PyObject *d = Py_BuildValue("{s:L,s:L,s:i,s:L}", "rows", (long long)q.n, "dim", (long long)q.d,
            "k", q.k, "sample", (long long)q.sample);
    for (int i = 0; d && i < lt_quality_n_metrics(); i++) {
        double x = lt_quality_value(&q, i);
        PyObject *v = isfinite(x) ? PyFloat_FromDouble(x) : (Py_INCREF(Py_None), Py_None);
        if (!v || PyDict_SetItemString(d, lt_quality_key(i), v) < 0) Py_CLEAR(d);
        Py_XDECREF(v);
    }
    PyObject *sp = d ? PyList_New(q.n_spectrum) : NULL;
    for (int i = 0; sp && i < q.n_spectrum; i++)
        PyList_SET_ITEM(sp, i, PyFloat_FromDouble(q.spectrum[i]));
    if (!sp || PyDict_SetItemString(d, "spectrum", sp) < 0) Py_CLEAR(d);
    Py_XDECREF(sp);
    return d;
}

/* probe(train Vecs, y int32 bytes, test Vecs or None, ytest bytes or None, n_classes, cv, seed,
 * opts) -> dict (lt_probe, or lt_probe_cv when test is None) */
static PyObject *py_probe(PyObject *self, PyObject *args) {
    Vecs *X;
    PyObject *yo, *to, *yto, *d;
    int n_classes, cv;
    long long seed;
    if (!PyArg_ParseTuple(args, "O!OOOiiLO!", &VecsType, &X, &yo, &to, &yto, &n_classes, &cv, &seed,
                &PyDict_Type, &d))
        return NULL;
    lt_probe_opts o;
    lt_probe_opts_init(&o);
    long long v;
    double f;
    int r = 0, rc;
    L("kind", o.kind);
    L("max_iter", o.max_iter);
    L("standardize", o.standardize);
    L("k", o.k);
    L("distance_weights", o.distance_weights);
    L("metric", o.metric);
    L("threads", o.n_threads);
    F("C", o.C);
    F("tol", o.tol);
    Py_buffer yb, ytb = { 0 };
    if (PyObject_GetBuffer(yo, &yb, PyBUF_SIMPLE) < 0) return NULL;
    if (to != Py_None &&
            (!PyObject_TypeCheck(to, &VecsType) ||
                    PyObject_GetBuffer(yto, &ytb, PyBUF_SIMPLE) < 0)) {
        PyBuffer_Release(&yb);
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_TypeError, "test: rows expected");
    }
    lt_probe_result res;
    const lt_vecs *T = to != Py_None ? ((Vecs *)to)->v : NULL;
    Py_BEGIN_ALLOW_THREADS rc = T
            ? lt_probe(X->v, yb.buf, T, ytb.buf, n_classes, &o, &res)
            : lt_probe_cv(X->v, yb.buf, n_classes, cv, (uint64_t)seed, &o, &res);
    Py_END_ALLOW_THREADS PyBuffer_Release(&yb);
    if (T) PyBuffer_Release(&ytb);
    if (rc) return fail();
    PyObject *auc = isfinite(res.auc) ? PyFloat_FromDouble(res.auc) : (Py_INCREF(Py_None), Py_None);
    PyObject *sd = isfinite(res.sd_accuracy) ? PyFloat_FromDouble(res.sd_accuracy)
                                             : (Py_INCREF(Py_None), Py_None);
    return Py_BuildValue("{s:d,s:d,s:N,s:N,s:L,s:L,s:i,s:i,s:i}", "accuracy", res.accuracy,
            "macro_f1", res.macro_f1, "sd_accuracy", sd, "auc", auc, "n_train",
            (long long)res.n_train, "n_test", (long long)res.n_test, "classes", res.classes,
            "iterations", res.iterations, "folds", res.folds);
}

/* eval_nodes(V, labels path, opts) / eval_links(V, pairs path, op, seed) / eval_graphs(V, labels
 * path, opts, C list) -> dict: lt_eval_nodes, lt_eval_links, lt_eval_graphs */
static PyObject *py_eval_nodes(PyObject *self, PyObject *args) {
    Vecs *V;
    const char *path;
    PyObject *d;
    if (!PyArg_ParseTuple(args, "O!sO!", &VecsType, &V, &path, &PyDict_Type, &d)) return NULL;
    lt_node_eval_opts o;
    lt_node_eval_opts_init(&o);
    long long v;
    double f;
    int r = 0, rc;
    L("repeats", o.repeats);
    L("seed", o.seed);
    L("threads", o.n_threads);
    F("train_ratio", o.train_ratio);
    F("C", o.C);
    PyObject *tl = PyDict_GetItemString(d, "train_list");
    if (tl && tl != Py_None && !(o.train_list = PyUnicode_AsUTF8(tl))) return NULL;
    lt_node_eval_result res;
    Py_BEGIN_ALLOW_THREADS rc = lt_eval_nodes(V->v, path, &o, &res);
    Py_END_ALLOW_THREADS if (rc) return fail();
    return Py_BuildValue("{s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:L,s:L,s:L,s:i,s:i}", "macro_f1",
            res.macro_topk, "micro_f1", res.micro_topk, "macro_f1_threshold", res.macro_thr,
            "micro_f1_threshold", res.micro_thr, "sd_macro_f1", res.sd_macro_topk, "sd_micro_f1",
            res.sd_micro_topk, "sd_macro_f1_threshold", res.sd_macro_thr, "sd_micro_f1_threshold",
            res.sd_micro_thr, "nodes", (long long)res.nodes, "train", (long long)res.n_train,
            "test", (long long)res.n_test, "labels", res.labels, "repeats", res.repeats);
}
static PyObject *py_eval_links(PyObject *self, PyObject *args) {
    Vecs *V;
    const char *path, *op;
    long long seed;
    if (!PyArg_ParseTuple(args, "O!ssL", &VecsType, &V, &path, &op, &seed)) return NULL;
    lt_link_op lo;
    if (lt_link_op_from_name(op, &lo)) return PyErr_Format(PyExc_ValueError, "%s", lt_errmsg());
    lt_link_result res;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_eval_links(V->v, path, lo, (uint64_t)seed, &res);
    Py_END_ALLOW_THREADS if (rc) return fail();
    return Py_BuildValue("{s:d,s:L,s:L,s:L,s:L}", "auc", res.auc, "pairs", (long long)res.pairs,
            "positives", (long long)res.positives, "trained", (long long)res.trained, "scored",
            (long long)res.scored);
}
static PyObject *py_eval_graphs(PyObject *self, PyObject *args) {
    Vecs *V;
    const char *path;
    PyObject *d, *cs;
    if (!PyArg_ParseTuple(args, "O!sO!O", &VecsType, &V, &path, &PyDict_Type, &d, &cs)) return NULL;
    lt_graph_eval_opts o;
    lt_graph_eval_opts_init(&o);
    long long v;
    double f;
    int r = 0, rc;
    L("folds", o.folds);
    L("seed", o.seed);
    L("threads", o.n_threads);
    L("svm", o.clf);
    F("gamma", o.gamma);
    PyObject *seq = PySequence_Fast(cs, "C: a list of numbers");
    if (!seq) return NULL;
    Py_ssize_t nc = PySequence_Fast_GET_SIZE(seq);
    if (nc < 1 || nc > LT_MAX_C) {
        Py_DECREF(seq);
        return PyErr_Format(PyExc_ValueError, "C: 1 to %d values", LT_MAX_C);
    }
    for (Py_ssize_t i = 0; i < nc; i++) o.C[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
    Py_DECREF(seq);
    if (PyErr_Occurred()) return NULL;
    o.n_C = (int)nc;
    lt_graph_eval_result res;
    Py_BEGIN_ALLOW_THREADS rc = lt_eval_graphs(V->v, path, &o, &res);
    Py_END_ALLOW_THREADS if (rc) return fail();
    return Py_BuildValue("{s:d,s:d,s:d,s:L,s:i,s:i}", "accuracy", res.accuracy, "sd", res.sd, "C",
            res.C, "items", (long long)res.items, "classes", res.classes, "folds", res.folds);
}

/* ---------------- GloVe training ---------------- */
typedef struct {
    progress_ctx pc;
    volatile int cancel; /* raised when the callback asks to stop or raises */
} glove_progress;
static void glove_tramp(void *ud, int stage, int epoch, double done, double total, double loss) {
    glove_progress *g = ud;
    if (stage != 1 || g->cancel) return; /* training only: done and total are records */
    if (progress_tramp(done, total, loss, &g->pc)) g->cancel = 1;
}

/* train_glove(corpus, opts dict, progress) -> Vecs: lt_glove_train_file with the CLI's options */
static PyObject *py_train_glove(PyObject *self, PyObject *args) {
    const char *path;
    PyObject *d, *cb;
    if (!PyArg_ParseTuple(args, "sO!O", &path, &PyDict_Type, &d, &cb)) return NULL;
    lt_glove_text_opts o;
    lt_glove_text_opts_init(&o);
    long long v;
    double f;
    int r = 0;
    L("dim", o.g.dim);
    L("window", o.g.window);
    L("epochs", o.g.epochs);
    L("threads", o.g.n_threads);
    L("seed", o.g.seed);
    L("min_count", o.vocab.min_count);
    L("max_vocab", o.vocab.max_size);
    L("lowercase", o.corpus.lower);
    L("symmetric", o.g.symmetric);
    L("distance_weighting", o.g.distance_weighting);
    L("output", o.g.output);
    F("x_max", o.g.x_max);
    F("weight_power", o.g.weight_power);
    F("alpha", o.g.alpha);
    F("bias_alpha", o.g.bias_alpha);
    F("grad_clip", o.g.grad_clip);
    glove_progress gp = { { cb, 0 }, 0 };
    lt_ctx ctx;
    lt_ctx_init(&ctx);
    ctx.cancel = &gp.cancel;
    o.g.ctx = &ctx;
    if (cb != Py_None) {
        o.g.progress = glove_tramp;
        o.g.progress_ud = &gp;
    }
    lt_vecs *out = NULL;
    lt_glove_info info;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_glove_train_file(path, &o, &out, &info);
    Py_END_ALLOW_THREADS if (gp.pc.failed) {
        lt_vecs_free(out);
        return NULL; /* the callback's exception */
    }
    return rc ? fail() : vecs_wrap(out);
}

/* ---------------- Model: a fitted encoder (.lmodel) ---------------- */
typedef struct {
    PyObject_HEAD lt_model *m;
} Model;
static PyTypeObject ModelType;
static PyObject *model_wrap(lt_model *m) {
    Model *o = PyObject_New(Model, &ModelType);
    if (!o) {
        lt_model_free(m);
        return NULL;
    }
    o->m = m;
    return (PyObject *)o;
}
static void model_dealloc(Model *o) {
    lt_model_free(o->m);
    PyObject_Free(o);
}

/* an option naming one of a set (scale, solver, kernel, ...), when present */
static int opt_name(PyObject *d, const char *k, const char **s) {
    PyObject *x = PyDict_GetItemString(d, k);
    if (!x || x == Py_None) return 0;
    if (!(*s = PyUnicode_AsUTF8(x))) return -1;
    return 1;
}
#define N(key, parse, field) \
    do { \
        const char *s_; \
        if ((r = opt_name(d, key, &s_)) < 0) return NULL; \
        if (r && parse(s_, &field)) return PyErr_Format(PyExc_ValueError, "%s", lt_errmsg()); \
    } while (0)

/* model_fit(kind, X Vecs, opts dict) -> Model: kind pca, rff, nystroem or kpca; the options are
 * the library's (lt_pca_opts, lt_kernel_opts) by name */
static PyObject *py_model_fit(PyObject *self, PyObject *args) {
    const char *kind;
    Vecs *X;
    PyObject *d;
    if (!PyArg_ParseTuple(args, "sO!O!", &kind, &VecsType, &X, &PyDict_Type, &d)) return NULL;
    long long v;
    double f;
    int r = 0, rc;
    lt_model *m = NULL;
    if (!strcmp(kind, "pca")) {
        lt_pca_opts o;
        lt_pca_opts_init(&o);
        L("dim", o.dim);
        L("whiten", o.whiten);
        L("threads", o.n_threads);
        L("oversample", o.oversample);
        L("power_iters", o.power_iters);
        L("seed", o.seed);
        N("solver", lt_pca_solver_from_name, o.solver);
        N("scale", lt_scale_from_name, o.scale);
        Py_BEGIN_ALLOW_THREADS rc = lt_pca_fit(X->v, &o, &m);
        Py_END_ALLOW_THREADS
    } else if (!strcmp(kind, "rff") || !strcmp(kind, "nystroem") || !strcmp(kind, "kpca")) {
        lt_kernel_opts o;
        lt_kernel_opts_init(&o);
        L("dim", o.dim);
        L("degree", o.degree);
        L("seed", o.seed);
        L("threads", o.n_threads);
        L("n_landmarks", o.n_landmarks);
        L("kmeans_iters", o.kmeans_iters);
        F("gamma", o.gamma);
        F("coef0", o.coef0);
        N("kernel", lt_kernel_from_name, o.kernel);
        N("scale", lt_scale_from_name, o.scale);
        int (*fit)(const lt_vecs *, const lt_kernel_opts *, lt_model **) = kind[0] == 'r'
                ? lt_rff_fit
                : kind[0] == 'n' ? lt_nystroem_fit
                                 : lt_kpca_fit;
        Py_BEGIN_ALLOW_THREADS rc = fit(X->v, &o, &m);
        Py_END_ALLOW_THREADS
    } else
        return PyErr_Format(PyExc_ValueError, "model kind '%s': pca, rff, nystroem or kpca", kind);
    return rc ? fail() : model_wrap(m);
}

/* a table from CSV bytes (a header line, then rows; `missing` marks missing values) */
static lt_table *table_from(Py_buffer *b, const char *missing) {
    lt_table *t = NULL;
    if (lt_table_parse(b->buf, (size_t)b->len, "X", missing, &t)) return NULL;
    return t;
}

/* model_fit_table(kind, csv bytes, missing, opts) -> Model: onehot, ordinal or hash (lt_cat_fit) */
static PyObject *py_model_fit_table(PyObject *self, PyObject *args) {
    const char *kind, *missing;
    Py_buffer b;
    PyObject *d;
    if (!PyArg_ParseTuple(args, "sy*sO!", &kind, &b, &missing, &PyDict_Type, &d)) return NULL;
    lt_cat_opts o;
    lt_cat_opts_init(&o);
    o.kind = kind;
    long long v;
    double f;
    int r = 0, rc;
    (void)f;
    L("min_frequency", o.min_frequency);
    L("dim", o.dim);
    L("unknown", o.unknown);
    L("all_categorical", o.all_categorical);
    lt_table *t = table_from(&b, missing);
    PyBuffer_Release(&b);
    if (!t) return fail();
    lt_model *m = NULL;
    Py_BEGIN_ALLOW_THREADS rc = lt_cat_fit(t, &o, &m);
    Py_END_ALLOW_THREADS lt_table_free(t);
    if (rc == LT_OK) lt_model_meta_set(m, "missing", missing);
    return rc ? fail() : model_wrap(m);
}

/* model.transform_table(csv bytes) -> Vecs (lt_cat_encode; the model's missing marker) */
static PyObject *model_transform_table(Model *o, PyObject *args) {
    Py_buffer b;
    if (!PyArg_ParseTuple(args, "y*", &b)) return NULL;
    const char *missing = lt_model_meta(o->m, "missing");
    lt_table *t = table_from(&b, missing ? missing : "?");
    PyBuffer_Release(&b);
    if (!t) return fail();
    lt_vecs *Z = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = lt_cat_encode(o->m, t, "X", &Z);
    Py_END_ALLOW_THREADS lt_table_free(t);
    return rc ? fail() : vecs_wrap(Z);
}

/* model.categories(col) -> [str or None] (None: the missing value) */
static PyObject *model_categories(Model *o, PyObject *args) {
    int col;
    if (!PyArg_ParseTuple(args, "i", &col)) return NULL;
    char **c;
    int64_t n;
    if (lt_cat_categories(o->m, col, &c, &n)) return fail();
    PyObject *l = PyList_New((Py_ssize_t)n);
    for (int64_t i = 0; l && i < n; i++) {
        PyObject *x = c[i] ? PyUnicode_DecodeUTF8(c[i], (Py_ssize_t)strlen(c[i]), "replace")
                           : (Py_INCREF(Py_None), Py_None);
        if (!x) Py_CLEAR(l);
        else PyList_SET_ITEM(l, (Py_ssize_t)i, x);
    }
    lt_cat_categories_free(c, n);
    return l;
}

/* train_neural(kind, X Vecs or None, y int32 bytes or None, n_classes, table csv or None, target,
 * opts) -> Model: lt_autoencoder_fit, lt_cnn_fit, lt_entity_fit with the CLI's options by name */
static PyObject *py_train_neural(PyObject *self, PyObject *args) {
    const char *kind, *target;
    PyObject *xo, *yo, *to, *d;
    int n_classes;
    if (!PyArg_ParseTuple(
                args, "sOOiOzO!", &kind, &xo, &yo, &n_classes, &to, &target, &PyDict_Type, &d))
        return NULL;
    lt_neural_opts o;
    lt_neural_opts_init(&o);
    lt_nn_train_opts *t = &o.train;
    long long v;
    double f;
    int r = 0, rc = LT_OK;
    L("epochs", t->epochs);
    L("batch", t->batch);
    L("threads", t->n_threads);
    L("seed", t->seed);
    L("height", o.h);
    L("width", o.w);
    L("channels", o.c);
    F("lr", t->lr);
    F("weight_decay", t->weight_decay);
    F("val", o.val_frac);
    N("optimizer", lt_optim_from_name, t->optim);
    N("loss", lt_loss_from_name, t->loss);
    N("scale", lt_scale_from_name, o.scale);
    o.seed = t->seed;
    PyObject *ao = PyDict_GetItemString(d, "arch");
    if (ao && ao != Py_None && !(o.arch = PyUnicode_AsUTF8(ao))) return NULL;
    lt_model *m = NULL;
    lt_nn_train_result res;
    memset(&res, 0, sizeof res);
    if (!strcmp(kind, "entity")) {
        Py_buffer tb;
        if (PyObject_GetBuffer(to, &tb, PyBUF_SIMPLE) < 0) return NULL;
        lt_table *tab = table_from(&tb, "\x1e");
        PyBuffer_Release(&tb);
        if (!tab) return fail();
        Py_BEGIN_ALLOW_THREADS rc = lt_entity_fit(tab, target, NULL, 0, &o, &m, &res);
        Py_END_ALLOW_THREADS lt_table_free(tab);
    } else {
        if (!PyObject_TypeCheck(xo, &VecsType))
            return PyErr_Format(PyExc_TypeError, "X: rows expected");
        const lt_vecs *X = ((Vecs *)xo)->v;
        if (!strcmp(kind, "autoencoder")) {
            Py_BEGIN_ALLOW_THREADS rc = lt_autoencoder_fit(X, &o, &m, &res);
            Py_END_ALLOW_THREADS
        } else if (!strcmp(kind, "cnn")) {
            Py_buffer yb;
            if (PyObject_GetBuffer(yo, &yb, PyBUF_SIMPLE) < 0) return NULL;
            if (yb.len != X->n * (Py_ssize_t)sizeof(int)) {
                PyBuffer_Release(&yb);
                return PyErr_Format(PyExc_ValueError, "y: %lld labels expected", (long long)X->n);
            }
            Py_BEGIN_ALLOW_THREADS rc = lt_cnn_fit(X, yb.buf, n_classes, &o, &m, &res);
            Py_END_ALLOW_THREADS PyBuffer_Release(&yb);
        } else return PyErr_Format(PyExc_ValueError, "kind '%s': autoencoder, cnn or entity", kind);
    }
    PyObject *losses = PyList_New(0);
    for (int e = 0; losses && res.per_epoch && e < res.epochs; e++) {
        PyObject *x = PyFloat_FromDouble(res.per_epoch[e].loss);
        if (!x || PyList_Append(losses, x) < 0) Py_CLEAR(losses);
        Py_XDECREF(x);
    }
    lt_free(res.per_epoch);
    if (rc || !losses) {
        Py_XDECREF(losses);
        lt_model_free(m);
        return rc ? fail() : NULL;
    }
    return Py_BuildValue("(NN)", model_wrap(m), losses);
}
#undef N

/* model.encode(X Vecs or table csv bytes, layer or None, threads, batch) -> Vecs (neural kinds) */
static PyObject *model_encode(Model *o, PyObject *args) {
    PyObject *xo;
    const char *layer;
    int threads, batch, rc;
    if (!PyArg_ParseTuple(args, "Ozii", &xo, &layer, &threads, &batch)) return NULL;
    lt_vecs *Z = NULL;
    if (PyObject_TypeCheck(xo, &VecsType)) {
        const lt_vecs *X = ((Vecs *)xo)->v;
        Py_BEGIN_ALLOW_THREADS rc = lt_neural_encode_batch(o->m, X, layer, threads, batch, &Z);
        Py_END_ALLOW_THREADS
    } else {
        Py_buffer tb;
        if (PyObject_GetBuffer(xo, &tb, PyBUF_SIMPLE) < 0) return NULL;
        lt_table *tab = table_from(&tb, "\x1e");
        PyBuffer_Release(&tb);
        if (!tab) return fail();
        Py_BEGIN_ALLOW_THREADS rc = lt_entity_encode(o->m, tab, "X", layer, threads, &Z);
        Py_END_ALLOW_THREADS lt_table_free(tab);
    }
    return rc ? fail() : vecs_wrap(Z);
}

/* model.transform(X Vecs, threads) -> Vecs, model.inverse(Z Vecs) -> Vecs (pca) */
static PyObject *model_transform(Model *o, PyObject *args) {
    Vecs *X;
    int threads = 1, rc;
    if (!PyArg_ParseTuple(args, "O!i", &VecsType, &X, &threads)) return NULL;
    lt_vecs *Z = NULL;
    Py_BEGIN_ALLOW_THREADS rc = lt_encode(o->m, X->v, threads, &Z);
    Py_END_ALLOW_THREADS return rc ? fail() : vecs_wrap(Z);
}
static PyObject *model_inverse(Model *o, PyObject *args) {
    Vecs *Z;
    if (!PyArg_ParseTuple(args, "O!", &VecsType, &Z)) return NULL;
    lt_vecs *X = NULL;
    return lt_pca_inverse(o->m, Z->v, &X) ? fail() : vecs_wrap(X);
}
static PyObject *model_save(Model *o, PyObject *args) {
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) return NULL;
    if (lt_model_save(o->m, path)) return fail();
    Py_RETURN_NONE;
}
static PyObject *py_model_load(PyObject *self, PyObject *args) {
    const char *path;
    if (!PyArg_ParseTuple(args, "s", &path)) return NULL;
    lt_model *m;
    return lt_model_load(path, &m) ? fail() : model_wrap(m);
}
/* model_parse(bytes) -> Model (the bytes of an .lmodel: pickling) */
static PyObject *py_model_parse(PyObject *self, PyObject *args) {
    Py_buffer b;
    if (!PyArg_ParseTuple(args, "y*", &b)) return NULL;
    lt_model *m;
    int rc = lt_model_parse(b.buf, (size_t)b.len, "model bytes", &m);
    PyBuffer_Release(&b);
    return rc ? fail() : model_wrap(m);
}
/* model.info() -> (kind, {key: value}, [array names]) */
static PyObject *model_info(Model *o, PyObject *unused) {
    PyObject *meta = PyDict_New(), *names = PyList_New(0);
    const char *k, *v, *an;
    int64_t rows, cols;
    for (int i = 0; meta && lt_model_meta_at(o->m, i, &k, &v); i++) {
        PyObject *s = PyUnicode_DecodeUTF8(v, (Py_ssize_t)strlen(v), "replace");
        if (!s || PyDict_SetItemString(meta, k, s) < 0) Py_CLEAR(meta);
        Py_XDECREF(s);
    }
    for (int i = 0; names && lt_model_array_at(o->m, i, &an, &rows, &cols); i++) {
        PyObject *s = PyUnicode_FromString(an);
        if (!s || PyList_Append(names, s) < 0) Py_CLEAR(names);
        Py_XDECREF(s);
    }
    if (!meta || !names) {
        Py_XDECREF(meta);
        Py_XDECREF(names);
        return NULL;
    }
    return Py_BuildValue("(sNN)", lt_model_kind(o->m), meta, names);
}
/* model.array(name) -> (rows, cols, bytes of rows x cols float64) */
static PyObject *model_array(Model *o, PyObject *args) {
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) return NULL;
    int64_t rows, cols;
    const double *a = lt_model_get(o->m, name, &rows, &cols);
    if (!a) return PyErr_Format(PyExc_KeyError, "no array '%s' in the model", name);
    return Py_BuildValue("(LLy#)", (long long)rows, (long long)cols, (const char *)a,
            (Py_ssize_t)(rows * cols * 8));
}
static PyMethodDef model_methods[] = { { "transform", (PyCFunction)model_transform, METH_VARARGS,
                                               "transform(X, threads) -> Vecs" },
    { "inverse", (PyCFunction)model_inverse, METH_VARARGS, "inverse(Z) -> Vecs (pca)" },
    { "transform_table", (PyCFunction)model_transform_table, METH_VARARGS,
            "transform_table(csv bytes) -> Vecs" },
    { "categories", (PyCFunction)model_categories, METH_VARARGS, "categories(col) -> list" },
    { "encode", (PyCFunction)model_encode, METH_VARARGS,
            "encode(X or csv, layer, threads, batch) -> Vecs" },
    { "save", (PyCFunction)model_save, METH_VARARGS, "save(path)" },
    { "info", (PyCFunction)model_info, METH_NOARGS, "info() -> (kind, meta, array names)" },
    { "array", (PyCFunction)model_array, METH_VARARGS, "array(name) -> (rows, cols, bytes)" },
    { NULL, NULL, 0, NULL } };
static PyTypeObject ModelType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "latent._latent.Model",
    .tp_basicsize = sizeof(Model),
    .tp_dealloc = (destructor)model_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_methods = model_methods,
};

/* exact k-NN: knn_exact(base Vecs, q float32 (nq, d), k, metric, threads) -> (D bytes, I bytes) */
static PyObject *py_knn_exact(PyObject *self, PyObject *args) {
    Vecs *b;
    PyObject *qo;
    int k, threads;
    const char *metric;
    if (!PyArg_ParseTuple(args, "O!Oisi", &VecsType, &b, &qo, &k, &metric, &threads)) return NULL;
    lt_metric m;
    if (lt_metric_from_name(metric, &m))
        return PyErr_Format(g_error, "unknown metric '%s'", metric);
    Py_buffer qb;
    if (get_buf(qo, &qb, 'f', b->v->d, "queries") < 0) return NULL;
    int64_t nq = (int64_t)(qb.len / 4 / b->v->d);
    PyObject *D = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nq * k * 4)),
             *I = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nq * k * 8));
    int rc = -1;
    if (D && I) {
        float *dp = (float *)PyBytes_AS_STRING(D);
        int64_t *ip = (int64_t *)PyBytes_AS_STRING(I);
        Py_BEGIN_ALLOW_THREADS rc = lt_knn_exact(b->v, qb.buf, nq, b->v->d, k, m, threads, dp, ip);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&qb);
    if (rc) {
        Py_XDECREF(D);
        Py_XDECREF(I);
        return PyErr_Occurred() ? NULL : fail();
    }
    return Py_BuildValue("NN", D, I);
}

static PyMethodDef methods[] = { { "load", py_load, METH_VARARGS, "load(path, fmt=None) -> Vecs" },
    { "from_array", py_from_array, METH_VARARGS, "from_array(buf, d, labels) -> Vecs" },
    { "quantize", py_quantize, METH_VARARGS, "quantize(buffer, n, d, precision) -> bytes" },
    { "train_word2vec", py_train_word2vec, METH_VARARGS,
            "train_word2vec(corpus, opts, progress) -> Vecs" },
    { "train_graph", py_train_graph, METH_VARARGS,
            "train_graph(edges, second_order, opts, progress) -> Vecs" },
    { "vision_load", py_vision_load, METH_VARARGS, "vision_load(dir, bf16) -> Vision" },
    { "image_decode", py_image_decode, METH_VARARGS, "image_decode(path) -> (rgb, w, h)" },
    { "bert_load", py_bert_load, METH_VARARGS,
            "bert_load(dir, pooling, normalize, max_seq) -> Bert" },
    { "tokenizer_load", py_tokenizer_load, METH_VARARGS, "tokenizer_load(path) -> Tokenizer" },
    { "hnsw_new", py_hnsw_new, METH_VARARGS, "hnsw_new(d, metric, M, efc, seed, storage) -> Hnsw" },
    { "hnsw_load", py_hnsw_load, METH_VARARGS, "hnsw_load(path) -> Hnsw" },
    { "knn_exact", py_knn_exact, METH_VARARGS, "knn_exact(vecs, q, k, metric, threads) -> (D, I)" },
    { "quality", py_quality, METH_VARARGS,
            "quality(V, source, labels, n_classes, k, sample, seed, threads) -> dict" },
    { "eval_nodes", py_eval_nodes, METH_VARARGS, "eval_nodes(V, labels, opts) -> dict" },
    { "eval_links", py_eval_links, METH_VARARGS, "eval_links(V, pairs, op, seed) -> dict" },
    { "eval_graphs", py_eval_graphs, METH_VARARGS, "eval_graphs(V, labels, opts, Cs) -> dict" },
    { "probe", py_probe, METH_VARARGS, "probe(X, y, T, yt, n_classes, cv, seed, opts) -> dict" },
    { "map", py_map, METH_VARARGS, "map(X, opts) -> (bytes n x 2 float32, kl, exact)" },
    { "train_glove", py_train_glove, METH_VARARGS, "train_glove(corpus, opts, progress) -> Vecs" },
    { "model_fit", py_model_fit, METH_VARARGS, "model_fit(kind, X, opts) -> Model" },
    { "train_neural", py_train_neural, METH_VARARGS,
            "train_neural(kind, X, y, n_classes, csv, target, opts) -> (Model, losses)" },
    { "model_fit_table", py_model_fit_table, METH_VARARGS,
            "model_fit_table(kind, csv bytes, missing, opts) -> Model" },
    { "model_load", py_model_load, METH_VARARGS, "model_load(path) -> Model" },
    { "model_parse", py_model_parse, METH_VARARGS, "model_parse(bytes) -> Model" },
    { NULL, NULL, 0, NULL } };
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, .m_name = "_latent",
    .m_doc = "liblatent binding", .m_size = -1, .m_methods = methods };

PyMODINIT_FUNC PyInit__latent(void) {
    if (PyType_Ready(&VecsType) < 0 || PyType_Ready(&BertType) < 0 || PyType_Ready(&HnswType) < 0 ||
            PyType_Ready(&TokType) < 0 || PyType_Ready(&ModelType) < 0 ||
            PyType_Ready(&VisionType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    g_error = PyErr_NewException("latent.Error", PyExc_RuntimeError, NULL);
    Py_INCREF(g_error);
    PyModule_AddObject(m, "Error", g_error);
    PyModule_AddStringConstant(m, "version", LT_VERSION);
    return m;
}

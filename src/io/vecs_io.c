/* Loading and saving the store: the format table, sniffing, whole saves and streamed writes. */
#include "latent/core.h"
#include "latent/kern.h"
#include "latent/io.h"
#include "store_impl.h"
#include <errno.h>
#include <iconv.h>
#include <strings.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const lt__format *const g_formats[] = { &lt__fmt_native, &lt__fmt_w2v_txt, &lt__fmt_vec,
    &lt__fmt_glove, &lt__fmt_w2v_bin, &lt__fmt_npy, &lt__fmt_fvecs, &lt__fmt_ivecs, &lt__fmt_bvecs,
    &lt__fmt_idx, &lt__fmt_csv, &lt__fmt_fasttext };

static const lt__format *format_of(lt_format fmt) {
    for (size_t i = 0; i < sizeof g_formats / sizeof *g_formats; i++)
        if (g_formats[i]->id == fmt) return g_formats[i];
    return NULL;
}

int lt_vecs_parse(const void *buf, size_t len, lt_format fmt, const char *name, lt_vecs **out) {
    const lt__format *F = format_of(fmt);
    *out = NULL;
    if (!F) return lt_err(LT_EINVAL, "%s: unknown vector format (use --format)", name);
    return F->parse(buf, len, name, out);
}

/* Every format but the native one is a header and then rows, so whole stores (lt_vecs_save)
 * and streamed blocks (lt_vecs_writer) share one writer of each part. */
static int streamable(lt_format fmt) {
    const lt__format *F = format_of(fmt);
    return F && F->rows;
}

/* Files people have that are not vector files latent reads: named, with what to do. */
static int foreign_kind(const char *buf, size_t len, const char *path) {
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 4 && !memcmp(buf, "PK\x03\x04", 4))
        return lt_err(LT_EFORMAT,
                "%s: offset 0: this is a zip archive (NumPy .npz?); save the array as .npy: "
                "python3 -c \"import numpy as np; np.save('x.npy', np.load('FILE.npz')['arr_0'])\"",
                path);
    if (len >= 2 && u[0] == 0x80 && u[1] >= 2 && u[1] <= 5)
        return lt_err(LT_EFORMAT,
                "%s: offset 0: this is a Python pickle (a gensim .kv/.model file?); latent does not run "
                "pickles: save the vectors with gensim's kv.save_word2vec_format('vecs.bin', binary=True)",
                path);
    if (len >= 8 && !memcmp(buf, "LTHNSW", 6))
        return lt_err(LT_EFORMAT,
                "%s: offset 0: this is a latent HNSW index, not a vector file (use latent search or "
                "latent index info)",
                path);
    return LT_OK;
}

static int vecs_load_impl(const char *path, lt_format fmt, lt_vecs **out) {
    *out = NULL;
    if (fmt == LT_FMT_AUTO) fmt = lt_format_from_path(path);
    char *buf;
    size_t len, ml;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 4 && u[0] == 0xBA && u[1] == 0x16 && u[2] == 0x4F && u[3] == 0x2F &&
            fmt != LT_FMT_NATIVE && fmt != LT_FMT_NPY)
        fmt = LT_FMT_FASTTEXT;
    if ((fmt == LT_FMT_W2V_BIN || fmt == LT_FMT_AUTO) && lt__fasttext_legacy(buf, len))
        fmt = LT_FMT_FASTTEXT; /* no magic: fastText before 2017 */
    if (fmt != LT_FMT_NATIVE && fmt != LT_FMT_NPY && fmt != LT_FMT_FASTTEXT &&
            (rc = foreign_kind(buf, len, path)))
        goto done;
    if (fmt == LT_FMT_AUTO) {
        /* sniff: native magic, npy magic, else text with or without header */
        if (len >= 8 && !memcmp(buf, "LTNTVECS", 8)) fmt = LT_FMT_NATIVE;
        else if (len >= 6 && !memcmp(buf, "\x93NUMPY", 6)) fmt = LT_FMT_NPY;
        else fmt = LT_FMT_W2V_TXT;
    }
    if (len == 0) {
        rc = lt_err(LT_EFORMAT, "%s: offset 0: file is empty", path);
        goto done;
    }
    if (fmt == LT_FMT_NATIVE && ml) {
        rc = lt__parse_native(buf, len, path, 1, out);
        if (rc == LT_OK && (*out)->in->data_owned == 0) {
            (*out)->in->map = buf;
            (*out)->in->map_len = ml;
            return LT_OK;
        }
        goto done;
    }
    lt__release_mapped = ml != 0;
    rc = lt_vecs_parse(buf, len, fmt, path, out);
    lt__release_mapped = 0;
    if (rc == LT_OK && fmt == LT_FMT_NPY) {
        char lp[4096];
        lt__npy_labels_path(path, lp, sizeof lp);
        int have = access(lp, F_OK) == 0;
        if ((rc = lt__check_labels_binding(buf, len, path, lp, have)) ||
                (have && (rc = lt__read_labels_file(*out, lp)))) {
            lt_vecs_free(*out);
            *out = NULL;
        }
    }
done:
    lt_release_whole(buf, ml);
    return rc;
}

_Thread_local lt__recoder *lt__load_recoder;

char *lt__to_utf8(lt__recoder *r, const char *s, size_t n, const char *name, int64_t row) {
    size_t cap = 4 * n + 1, left = cap - 1, inleft = n; /* at most 4 UTF-8 bytes per input byte */
    char *out = lt_malloc(cap), *o = out, *in = (char *)s;
    if (!out) {
        lt_err(LT_ENOMEM, "out of memory");
        return NULL;
    }
    iconv((iconv_t)r->cd, NULL, NULL, NULL, NULL); /* the initial shift state, for each label */
    if (iconv((iconv_t)r->cd, &in, &inleft, &o, &left) == (size_t)-1) {
        lt_err(LT_EFORMAT, "%s: row %lld: the label is not %s (byte %zu)", name, (long long)row,
                r->encoding, (size_t)(in - s));
        lt_free(out);
        return NULL;
    }
    *o = 0;
    return out;
}

/* every label of v to UTF-8 (the formats whose labels carry no hashing) */
static int recode_labels(lt_vecs *v, lt__recoder *r, const char *name) {
    for (int64_t i = 0; v->labels && i < v->n; i++) {
        char *u = lt__to_utf8(r, v->labels[i], strlen(v->labels[i]), name, i);
        if (!u) return LT_EFORMAT;
        int rc = lt_vecs_set_label(v, i, u);
        lt_free(u);
        if (rc) return rc;
    }
    return LT_OK;
}

static int is_utf8_name(const char *e) {
    return !e || !strcasecmp(e, "utf-8") || !strcasecmp(e, "utf8");
}

int lt_vecs_load_encoded(const char *path, lt_format fmt, const char *encoding, lt_vecs **out) {
    if (is_utf8_name(encoding)) return lt_vecs_load(path, fmt, out);
    iconv_t cd = iconv_open("UTF-8", encoding);
    if (cd == (iconv_t)-1)
        return lt_err(
                LT_EINVAL, "unknown encoding '%s' (an iconv name: latin1, cp1252, ...)", encoding);
    lt__recoder r = { (void *)cd, encoding, 0 };
    lt__load_recoder = &r;
    int rc = lt_vecs_load(path, fmt, out);
    lt__load_recoder = NULL;
    /* the fastText reader converts its words before it computes their vectors; others here */
    if (rc == LT_OK && !r.done && (rc = recode_labels(*out, &r, path))) {
        lt_vecs_free(*out);
        *out = NULL;
    }
    iconv_close(cd);
    return rc;
}

int lt_vecs_load(const char *path, lt_format fmt, lt_vecs **out) {
    return lt_err_in(vecs_load_impl(path, fmt, out), path);
}

int lt_vecs_save(const lt_vecs *v, const char *path, lt_format fmt, const lt_save_opts *opts) {
    lt_save_opts def;
    if (!opts) {
        lt_save_opts_init(&def);
        opts = &def;
    }
    if (fmt == LT_FMT_AUTO) fmt = lt_format_from_path(path);
    if (fmt == LT_FMT_AUTO)
        return lt_err(LT_EINVAL, "%s: cannot tell the format from the name; use --format", path);
    /* .npy + labels: the sidecar is written first and the .npy, bound to it by its size and
     * hash after the data, renamed last; a store without labels removes a sidecar left from
     * an earlier file, so a stale labels file never attaches to new vectors */
    char lp[4096] = "";
    int rc;
    if (fmt == LT_FMT_NPY && strcmp(path, "-")) {
        lt__npy_labels_path(path, lp, sizeof lp);
        if (v->labels) {
            if ((rc = lt__write_labels_file(v, lp))) return rc;
        } else if ((rc = lt__drop_stale_labels(lp))) return rc;
    }
    lt_afile a;
    rc = lt_afile_open(&a, path);
    if (rc) return rc;
    const lt__format *F = format_of(fmt);
    if (F && F->write_whole) rc = F->write_whole(v, a.f, opts);
    else if (F && F->rows) {
        if (F->header) F->header(a.f, v->n, v->d, v->labels != NULL, lt__csv_sep(path));
        rc = F->rows(v, a.f, opts, 0, lt__csv_sep(path));
        if (rc == LT_OK && lp[0] && v->labels) {
            lt__label_digest g = { 0, LT_HASH_INIT };
            for (int64_t i = 0; i < v->n; i++) {
                lt__digest_put(&g, v->labels[i], strlen(v->labels[i]));
                lt__digest_put(&g, "\n", 1);
            }
            rc = lt__put_labels_trailer(a.f, &g);
        }
    } else rc = lt_err(LT_EINVAL, "%s: cannot write this format", path);
    if (rc) {
        lt_afile_abort(&a);
        return rc;
    }
    return lt_afile_commit(&a);
}

/* ---------- streamed writes ---------- */
struct lt_vecs_writer {
    lt_afile a, lab; /* the file, and an .npy's labels sidecar */
    lt_format fmt;
    const lt__format *F;
    lt_save_opts o;
    int64_t n, d, done;
    int labelled, has_lab;
    off_t synced; /* bytes handed to writeback so far */
    lt__label_digest lab_digest; /* of the sidecar's bytes, for the .npy's binding */
    char sep; /* CSV: ',' or, for a .tsv, a tab */
    /* lt_vecs_writer_put_async: the block in flight and its thread's result */
    pthread_t th;
    int busy, wrc;
    lt_vecs blk;
    char *const *blk_labels;
    char msg[1024]; /* the writer thread's message (messages are per thread) */
};

static int put_rows(lt_vecs_writer *w, const lt_vecs *rows, char *const *labels);

/* the block in flight written: its result, with its message, as this thread's */
static int wait_async(lt_vecs_writer *w) {
    if (!w->busy) return LT_OK;
    pthread_join(w->th, NULL);
    w->busy = 0;
    return w->wrc ? lt_err(w->wrc, "%s", w->msg) : LT_OK;
}

static void *write_async(void *ud) {
    lt_vecs_writer *w = ud;
    w->wrc = put_rows(w, &w->blk, w->blk_labels);
    if (w->wrc) snprintf(w->msg, sizeof w->msg, "%s", lt_errmsg());
    return NULL;
}

int lt_vecs_writer_wait(lt_vecs_writer *w) { return wait_async(w); }

int lt_vecs_writer_put_async(lt_vecs_writer *w, const lt_vecs *rows, char *const *labels) {
    int rc = wait_async(w);
    if (rc) return rc;
    w->blk = *rows;
    w->blk_labels = labels;
    if (pthread_create(&w->th, NULL, write_async, w) == 0) {
        w->busy = 1;
        return LT_OK;
    }
    return put_rows(w, rows, labels); /* no thread: written here */
}

int lt_format_streamable(lt_format fmt) { return streamable(fmt); }

int lt_vecs_writer_open(lt_vecs_writer **out, const char *path, lt_format fmt, int64_t n, int64_t d,
        int labelled, const lt_save_opts *opts) {
    *out = NULL;
    if (fmt == LT_FMT_AUTO) fmt = lt_format_from_path(path);
    if (fmt == LT_FMT_AUTO)
        return lt_err(LT_EINVAL, "%s: cannot tell the format from the name; use --format", path);
    if (!streamable(fmt))
        return lt_err(LT_EINVAL, "%s: the %s format is written whole, not streamed", path,
                lt_format_name(fmt));
    if (n < 0 || d <= 0)
        return lt_err(LT_EINVAL, "%s: invalid shape %lld x %lld", path, (long long)n, (long long)d);
    lt_vecs_writer *w = lt_calloc(1, sizeof *w);
    if (!w) return lt_err(LT_ENOMEM, "out of memory");
    w->fmt = fmt;
    w->n = n;
    w->d = d;
    w->labelled = labelled;
    w->lab_digest.hash = LT_HASH_INIT;
    if (opts) w->o = *opts;
    else lt_save_opts_init(&w->o);
    int rc = LT_OK;
    if (fmt == LT_FMT_NPY && strcmp(path, "-")) { /* the sidecar as lt_vecs_save writes it */
        char lp[4096];
        lt__npy_labels_path(path, lp, sizeof lp);
        if (labelled) {
            if ((rc = lt_afile_open(&w->lab, lp)) == LT_OK) w->has_lab = 1;
        } else rc = lt__drop_stale_labels(lp);
    }
    if (rc == LT_OK && (rc = lt_afile_open(&w->a, path)) != LT_OK && w->has_lab) {
        lt_afile_abort(&w->lab);
        w->has_lab = 0;
    }
    if (rc) {
        lt_free(w);
        return rc;
    }
    w->sep = lt__csv_sep(path);
    w->F = format_of(fmt);
    if (w->F->header) w->F->header(w->a.f, n, d, labelled, w->sep);
    *out = w;
    return LT_OK;
}

static int put_rows(lt_vecs_writer *w, const lt_vecs *rows, char *const *labels) {
    if (rows->d != w->d)
        return lt_err(LT_EINVAL, "%s: rows of %lld columns put into a file of %lld", w->a.path,
                (long long)rows->d, (long long)w->d);
    if (rows->n > w->n - w->done)
        return lt_err(
                LT_EINVAL, "%s: more than the %lld rows announced", w->a.path, (long long)w->n);
    if (!labels != !w->labelled)
        return lt_err(LT_EINVAL, "%s: labels %s", w->a.path,
                labels ? "for an unlabelled file" : "missing");
    /* a plain file: the disk writes of each 8 MiB written start at once, so that the commit's
     * fsync finds them done (a 480 MB .npy: fsync 0.34 s after the last row without this) */
    int plain = !w->a.is_stdout && !w->a.gz && w->a.direct == 0;
    int64_t step = plain ? ((int64_t)8 << 20) / (w->d * 4 + 16) + 1 : rows->n, base = w->done;
    int rc = LT_OK;
    for (int64_t i0 = 0; rc == LT_OK && i0 < rows->n; i0 += step) {
        lt_vecs view = *rows;
        view.n = rows->n - i0 < step ? rows->n - i0 : step;
        view.data = rows->data + i0 * rows->ld;
        view.labels = labels ? (char **)labels + i0 : NULL;
        rc = w->F->rows(&view, w->a.f, &w->o, base + i0, w->sep);
        if (rc == LT_OK && plain && fflush(w->a.f) == 0) {
            off_t end = ftello(w->a.f);
            sync_file_range(fileno(w->a.f), w->synced, end - w->synced,
                    SYNC_FILE_RANGE_WRITE); /* advice: failure is harmless */
            w->synced = end;
        }
    }
    if (rc == LT_OK && w->has_lab)
        rc = lt__put_label_lines(w->lab.f, labels, rows->n, w->done, &w->lab_digest);
    if (rc == LT_OK) w->done += rows->n;
    return rc;
}

int lt_vecs_writer_put(lt_vecs_writer *w, const lt_vecs *rows, char *const *labels) {
    int rc = wait_async(w);
    return rc ? rc : put_rows(w, rows, labels);
}

void lt_vecs_writer_abort(lt_vecs_writer *w) {
    if (!w) return;
    wait_async(w);
    if (w->has_lab) lt_afile_abort(&w->lab);
    lt_afile_abort(&w->a);
    lt_free(w);
}

int lt_vecs_writer_commit(lt_vecs_writer *w) {
    int arc = wait_async(w);
    if (arc) {
        lt_vecs_writer_abort(w);
        return arc;
    }
    if (w->done != w->n) {
        int rc = lt_err(LT_EINVAL, "%s: %lld of the %lld rows announced were written", w->a.path,
                (long long)w->done, (long long)w->n);
        lt_vecs_writer_abort(w);
        return rc;
    }
    int rc = w->has_lab ? lt__put_labels_trailer(w->a.f, &w->lab_digest) : LT_OK;
    if (rc) {
        lt_vecs_writer_abort(w);
        return rc;
    }
    if (w->has_lab) rc = lt_afile_commit(&w->lab); /* the sidecar first, the .npy renamed last */
    w->has_lab = 0;
    if (rc) {
        lt_vecs_writer_abort(w);
        return rc;
    }
    rc = lt_afile_commit(&w->a);
    lt_free(w);
    return rc;
}

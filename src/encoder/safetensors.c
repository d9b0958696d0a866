/* safetensors: 8-byte little-endian header length, JSON header, raw tensor data.
 * f32 tensors are used in place (mmap), f16/bf16 converted to f32. */
#include "encoder_impl.h"
#include "latent/io.h"
#include "latent/kern.h"
#include "latent/core.h"
#include "latent/store.h"
#include <cjson/cJSON.h>
#include <string.h>
#include <sys/mman.h>

void lt__st_close(lt_st *st) {
    if (!st) return;
    for (int i = 0; i < st->n; i++) {
        lt_free(st->t[i].name);
        if (st->t[i].owned) lt_free(st->t[i].data);
    }
    lt_free(st->t);
    if (st->map) munmap(st->map, st->map_len);
    memset(st, 0, sizeof *st);
}

static float bf16_to_f32(uint16_t h) {
    uint32_t x = (uint32_t)h << 16;
    float f;
    memcpy(&f, &x, 4);
    return f;
}

int lt__st_parse(lt_st *st, const unsigned char *buf, size_t len, const char *name, int convert) {
    memset(st, 0, sizeof *st);
    if (len < 8)
        return lt_err(LT_EFORMAT, "%s: offset 0: too short for a safetensors header", name);
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--) hl = hl << 8 | buf[i];
    if (hl < 2 || hl > len - 8 || hl > (100u << 20))
        return lt_err(LT_EFORMAT,
                "%s: offset 0: header length %llu does not fit the %zu-byte file (truncated?)",
                name, (unsigned long long)hl, len);
    cJSON *j = cJSON_ParseWithLength((const char *)buf + 8, (size_t)hl);
    if (!j || !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return lt_err(LT_EFORMAT, "%s: offset 8: header is not a JSON object", name);
    }
    size_t base = 8 + (size_t)hl, dlen = len - base;
    int n = cJSON_GetArraySize(j), rc = LT_OK;
    st->t = lt_calloc((size_t)(n ? n : 1), sizeof(lt_tensor));
    if (!st->t) {
        cJSON_Delete(j);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    for (cJSON *e = j->child; e; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) continue;
        cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype"),
              *sh = cJSON_GetObjectItemCaseSensitive(e, "shape"),
              *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
        if (!cJSON_IsString(dt) || !cJSON_IsArray(sh) || !cJSON_IsArray(of) ||
                cJSON_GetArraySize(of) != 2 || cJSON_GetArraySize(sh) > 4) {
            rc = lt_err(LT_EFORMAT, "%s: tensor '%.80s': bad header entry", name, e->string);
            break;
        }
        lt_tensor *t = &st->t[st->n];
        int es = !strcmp(dt->valuestring, "F32")                                        ? 4
                : (!strcmp(dt->valuestring, "F16") || !strcmp(dt->valuestring, "BF16")) ? 2
                                                                                        : 0;
        uint64_t count = 1;
        t->ndim = cJSON_GetArraySize(sh);
        for (int k = 0; k < t->ndim; k++) {
            cJSON *x = cJSON_GetArrayItem(sh, k);
            if (!cJSON_IsNumber(x) || x->valuedouble < 0 || x->valuedouble > 1e12) {
                rc = lt_err(LT_EFORMAT, "%s: tensor '%.80s': bad shape", name, e->string);
                goto done;
            }
            t->shape[k] = (int64_t)x->valuedouble;
            if (t->shape[k] && count > UINT64_MAX / (uint64_t)t->shape[k]) {
                rc = lt_err(LT_EFORMAT, "%s: tensor '%.80s': shape overflows", name, e->string);
                goto done;
            }
            count *= (uint64_t)t->shape[k];
        }
        cJSON *b0 = cJSON_GetArrayItem(of, 0), *b1 = cJSON_GetArrayItem(of, 1);
        if (!cJSON_IsNumber(b0) || !cJSON_IsNumber(b1) || b0->valuedouble < 0 ||
                b1->valuedouble < b0->valuedouble || b1->valuedouble > (double)dlen) {
            rc = lt_err(LT_EFORMAT,
                    "%s: offset %zu: tensor '%.80s' data offsets outside the file (truncated?)",
                    name, base, e->string);
            break;
        }
        uint64_t o0 = (uint64_t)b0->valuedouble, o1 = (uint64_t)b1->valuedouble;
        if (!es) {
            /* other dtypes are only an error for tensors the model uses: keep them unloaded */
            t->name = lt_strdup(e->string);
            if (!t->name) {
                rc = LT_ENOMEM;
                break;
            }
            t->data = NULL;
            st->n++;
            continue;
        }
        if (o1 - o0 != count * (uint64_t)es) {
            rc = lt_err(LT_EFORMAT, "%s: tensor '%.80s': %llu bytes for %llu %s values", name,
                    e->string, (unsigned long long)(o1 - o0), (unsigned long long)count,
                    dt->valuestring);
            break;
        }
        t->name = lt_strdup(e->string);
        if (!t->name) {
            rc = LT_ENOMEM;
            break;
        }
        const unsigned char *src = buf + base + o0;
        if (es == 4 && ((uintptr_t)src % 4) == 0 && !convert) t->data = (float *)(void *)src;
        else if (!convert && es == 4) {
            t->data = NULL;
        } else {
            t->data = lt_malloc((size_t)(count ? count : 1) * 4);
            if (!t->data) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                lt_free(t->name);
                break;
            }
            t->owned = 1;
            for (uint64_t k = 0; k < count; k++) {
                if (es == 4) memcpy(&t->data[k], src + 4 * k, 4);
                else {
                    uint16_t h;
                    memcpy(&h, src + 2 * k, 2);
                    t->data[k] = dt->valuestring[0] == 'B' ? bf16_to_f32(h) : lt_f16_to_f32(h);
                }
            }
        }
        if (es == 4 && !t->data) {
            t->data = lt_malloc((size_t)(count ? count : 1) * 4);
            if (!t->data) {
                rc = lt_err(LT_ENOMEM, "out of memory");
                lt_free(t->name);
                break;
            }
            memcpy(t->data, src, (size_t)count * 4);
            t->owned = 1;
        }
        st->n++;
    }
done:
    cJSON_Delete(j);
    if (rc) lt__st_close(st);
    return rc;
}

int lt__st_open(lt_st *st, const char *path) {
    char *buf;
    size_t len, ml;
    int rc = lt_read_whole(path, &buf, &len, &ml);
    if (rc) return rc;
    rc = lt__st_parse(st, (const unsigned char *)buf, len, path, 0);
    if (rc) {
        lt_release_whole(buf, ml);
        return rc;
    }
    if (ml) {
        st->map = buf;
        st->map_len = ml;
    } else {
        /* a gzip-inflated buffer: tensors must own their data */
        for (int i = 0; i < st->n; i++)
            if (st->t[i].data && !st->t[i].owned) {
                size_t n = 1;
                for (int k = 0; k < st->t[i].ndim; k++) n *= (size_t)st->t[i].shape[k];
                float *d = lt_malloc(n * 4 + 4);
                if (!d) {
                    lt_free(buf);
                    lt__st_close(st);
                    return lt_err(LT_ENOMEM, "out of memory");
                }
                memcpy(d, st->t[i].data, n * 4);
                st->t[i].data = d;
                st->t[i].owned = 1;
            }
        lt_free(buf);
    }
    return LT_OK;
}

const lt_tensor *lt__st_get_p(
        const lt_st *st, const char *prefix, const char *name, int ndim, int64_t d0, int64_t d1) {
    char alt[512];
    snprintf(alt, sizeof alt, "%s.%s", prefix, name);
    for (int i = 0; i < st->n; i++)
        if (!strcmp(st->t[i].name, alt)) return lt__st_get(st, alt, ndim, d0, d1);
    return lt__st_get(st, name, ndim, d0, d1);
}

const lt_tensor *lt__st_get(const lt_st *st, const char *name, int ndim, int64_t d0, int64_t d1) {
    char alt[512], alt2[512]; /* the bare name, or under the task models' base prefix */
    snprintf(alt, sizeof alt, "bert.%s", name);
    snprintf(alt2, sizeof alt2, "roberta.%s", name);
    for (int i = 0; i < st->n; i++) {
        const lt_tensor *t = &st->t[i];
        if (strcmp(t->name, name) && strcmp(t->name, alt) && strcmp(t->name, alt2)) continue;
        if (!t->data) {
            lt_err(LT_EFORMAT, "tensor '%s' has an unsupported dtype (need F32, F16 or BF16)",
                    t->name);
            return NULL;
        }
        if (t->ndim != ndim || (d0 >= 0 && t->shape[0] != d0) ||
                (ndim > 1 && d1 >= 0 && t->shape[1] != d1)) {
            lt_err(LT_EFORMAT, "tensor '%s' has shape [%lld%s%lld], expected [%lld, %lld]", t->name,
                    (long long)t->shape[0], ndim > 1 ? ", " : "",
                    ndim > 1 ? (long long)t->shape[1] : 0LL, (long long)d0, (long long)d1);
            return NULL;
        }
        return t;
    }
    lt_err(LT_EFORMAT, "tensor '%s' is missing from model.safetensors", name);
    return NULL;
}

int lt_safetensors_check(const void *buf, size_t len, const char *name) {
    lt_st st;
    int rc = lt__st_parse(&st, buf, len, name, 1);
    if (rc == LT_OK) lt__st_close(&st);
    return rc;
}

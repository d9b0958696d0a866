/* JSON Lines inputs: each line a JSON string, or an object with a "text" string (and an
 * optional id member). cJSON validates the line; the text is then decoded again here for its
 * exact bytes, because cJSON's strings end at an escaped NUL. */
#include "latent/store.h"
#include "latent/core.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

/* Exact bytes of a JSON string literal at p[0] == '"' (cJSON stops at an escaped NUL):
 * escapes decoded to UTF-8, surrogate pairs joined, a lone surrogate as U+FFFD. Returns the
 * length written to out (room for e - p bytes suffices) and sets *end past the literal;
 * -1 when malformed. The caller has already validated the line with cJSON. */
static long json_str(const char *p, const char *e, char *out, const char **end) {
    long n = 0;
    if (p >= e || *p != '"') return -1;
    for (p++; p < e && *p != '"'; p++) {
        unsigned c = (unsigned char)*p;
        if (c != '\\') {
            out[n++] = (char)c;
            continue;
        }
        if (++p >= e) return -1;
        switch (*p) {
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        case 'u': {
            unsigned u = 0;
            if (e - p < 5 || sscanf(p + 1, "%4x", &u) != 1) return -1;
            p += 4;
            if (u >= 0xD800 && u < 0xDC00 && e - p >= 7 && p[1] == '\\' && p[2] == 'u') {
                unsigned lo = 0;
                if (sscanf(p + 3, "%4x", &lo) == 1 && lo >= 0xDC00 && lo < 0xE000) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (u >= 0xD800 && u < 0xE000) u = 0xFFFD;
            n += (long)utf8proc_encode_char((utf8proc_int32_t)u, (utf8proc_uint8_t *)out + n);
            break;
        }
        default: out[n++] = *p; break; /* \" \\ \/ */
        }
    }
    if (p >= e) return -1;
    *end = p + 1;
    return n;
}

/* skips one JSON value (already validated); returns the position after it */
static const char *json_skip(const char *p, const char *e) {
    int depth = 0;
    do {
        while (p < e && strchr(" \t\r\n,:", *p)) p++;
        if (p >= e) return e;
        if (*p == '"') {
            for (p++; p < e && *p != '"'; p++)
                if (*p == '\\') p++;
            p++;
        } else if (*p == '{' || *p == '[') {
            depth++;
            p++;
        } else if (*p == '}' || *p == ']') {
            depth--;
            p++;
        } else
            while (p < e && !strchr(" \t\r\n,:]}", *p)) p++;
    } while (depth > 0);
    return p;
}

/* the exact text of a JSONL line: the string itself, or the object's top-level "text" */
static long json_text(const char *p, const char *e, char *out) {
    while (p < e && strchr(" \t", *p)) p++;
    if (p < e && *p == '"') return json_str(p, e, out, &p);
    if (p >= e || *p != '{') return -1;
    for (p++;;) {
        while (p < e && strchr(" \t\r\n,", *p)) p++;
        if (p >= e || *p != '"') return -1;
        const char *q;
        long kl = json_str(p, e, out, &q);
        if (kl < 0) return -1;
        int is_text = kl == 4 && !memcmp(out, "text", 4);
        p = q;
        while (p < e && strchr(" \t\r\n:", *p)) p++;
        if (is_text && p < e && *p == '"') return json_str(p, e, out, &q);
        p = json_skip(p, e);
    }
}

int lt_jsonl_text(const char *line, size_t len, const char *id_field, char **text, size_t *text_len,
        char **id) {
    *text = NULL;
    *text_len = 0;
    if (id) *id = NULL;
    cJSON *j = cJSON_ParseWithLength(line, len), *t = j;
    if (j && cJSON_IsObject(j)) t = cJSON_GetObjectItemCaseSensitive(j, "text");
    if (!t || !cJSON_IsString(t)) {
        cJSON_Delete(j);
        return lt_err(LT_EFORMAT, "expected a JSON string or an object with a \"text\" string");
    }
    char *idv = NULL;
    if (id_field) {
        cJSON *idj = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, id_field) : NULL;
        char nb[64];
        if (idj && cJSON_IsString(idj)) idv = lt_strdup(idj->valuestring);
        else if (idj && cJSON_IsNumber(idj)) {
            snprintf(nb, sizeof nb, "%.17g", idj->valuedouble);
            idv = lt_strdup(nb);
        }
        if (!idv) {
            cJSON_Delete(j);
            return lt_err(LT_EFORMAT, "no string or number member \"%s\" (the id field)", id_field);
        }
    }
    cJSON_Delete(j);
    char *buf = lt_malloc(len + 1);
    long tl = buf ? json_text(line, line + len, buf) : -2;
    if (tl < 0) {
        lt_free(buf);
        lt_free(idv);
        return tl == -2 ? lt_err(LT_ENOMEM, "out of memory")
                        : lt_err(LT_EFORMAT, "malformed JSON string");
    }
    buf[tl] = 0;
    *text = buf;
    *text_len = (size_t)tl;
    if (id) *id = idv;
    else lt_free(idv);
    return LT_OK;
}

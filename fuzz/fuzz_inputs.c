/* libFuzzer harness: the inputs the other harnesses do not reach. The first byte picks:
 *   0 checkpoint (in memory; bit 7 skips the CRC so mutations reach the fields behind it),
 *   1 config.json of a model folder (a fixture's weights and tokenizer beside it: bits 3-4 pick
 *     BERT, Qwen3, ModernBERT or CLIP, whose image tower is loaded and run too),
 *   2 one JSON Lines input line (text and an id field),
 *   3 a labels sidecar for 8 rows,
 *   4-7 a gzip file's bytes (lt__gunzip: members, growth, truncation). */
#include "latent/latent.h"
#include "../src/core/fuzzing.h"
#include "../src/io/store_impl.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[64];
static void model_dir(void) {
    if (g_dir[0]) return;
    snprintf(g_dir, sizeof g_dir, "/tmp/latent-fuzz-model-%d", (int)getpid());
    static const char *const from[] = { "tests/fixtures/bert-fixtures/tiny-bert-mean/hf",
        "tests/fixtures/encoders/qwen3/st", "tests/fixtures/encoders/modernbert/st",
        "tests/fixtures/vision/clip/model" };
    for (int i = 0; i < 4; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                "mkdir -p %s/%d && cp %s/model.safetensors %s/tokenizer.json %s/%d/", g_dir, i,
                from[i], from[i], g_dir, i);
        if (system(cmd) != 0) g_dir[0] = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    switch (data[0] & 7) {
    case 0: {
        lt__fuzz_nocrc = (data[0] & 0x80) != 0;
        lt_sgns *m;
        void *b;
        size_t bl;
        if (lt_sgns_parse_checkpoint(p, n, "fuzz.ckpt", &m, &b, &bl) == LT_OK) {
            lt_sgns_free(m);
            lt_free(b);
        }
        lt__fuzz_nocrc = 0;
        break;
    }
    case 1: {
        model_dir();
        if (!g_dir[0]) break;
        char path[128], dir[96];
        int which = (data[0] >> 3) % 4;
        snprintf(dir, sizeof dir, "%s/%d", g_dir, which);
        snprintf(path, sizeof path, "%s/config.json", dir);
        FILE *f = fopen(path, "wb");
        if (!f) break;
        fwrite(p, 1, n, f);
        fclose(f);
        lt_vision *v;
        if (which == 3 && lt_vision_load(&v, dir, NULL) == LT_OK) { /* CLIP: the image tower too */
            int S = lt_vision_image_size(v), C = lt_vision_channels(v);
            float *px = (size_t)S * S * C <= (1u << 20) ? lt_calloc((size_t)S * S * C, 4) : NULL,
                  *e = lt_calloc((size_t)lt_vision_dim(v) + 1, 4);
            if (px && e) lt_vision_embed(v, px, 1, e, 1);
            lt_free(px);
            lt_free(e);
            lt_vision_free(v);
        }
        lt_bert *m;
        if (lt_bert_load(&m, dir, NULL) == LT_OK) {
            float e[4096];
            if (lt_bert_dim(m) <= 4096) lt_bert_embed(m, "a b", 3, e, NULL);
            lt_bert_free(m);
        }
        break;
    }
    case 2: {
        char *t, *id;
        size_t tl;
        if (lt_jsonl_text(p, n, "id", &t, &tl, &id) == LT_OK) {
            lt_free(t);
            lt_free(id);
        }
        break;
    }
    case 4:
    case 5:
    case 6:
    case 7: {
        char *b;
        size_t bl;
        if (lt__gunzip((const unsigned char *)p, n, "fuzz.gz", &b, &bl) == LT_OK) lt_free(b);
        break;
    }
    default: {
        lt_vecs *v = lt_vecs_new(8, 2);
        if (v) {
            lt__parse_labels(v, p, n, "fuzz.labels.txt");
            lt_vecs_free(v);
        }
    }
    }
    return 0;
}

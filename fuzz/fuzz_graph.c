/* libFuzzer harness: the edge-list parser (first byte: bit 0 directed, bit 1 weighted) and the
 * binary graph cache (bit 2; bit 7 skips its CRC), then a few walks on what parsed. Bit 3: the
 * cache as an attacker plants it beside an input: the bytes are written as
 * INPUT.undirected.lgraph next to a fixed edge list, their header's input size and hash made
 * to match it, and lt_graph_load runs the whole path (file checks, header, mapping). */
#include "latent/latent.h"
#include "../src/core/fuzzing.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char EDGES[] = "a b\nb c\nc a\nc d\nd e\n";

static char dir[64], in[96], cache[128];
static void cleanup(void) {
    unlink(cache);
    unlink(in);
    rmdir(dir);
}

static lt_graph *beside(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        atexit(cleanup);
        snprintf(dir, sizeof dir, "/tmp/fuzz_graph_%d", (int)getpid());
        mkdir(dir, 0700);
        snprintf(in, sizeof in, "%s/e.tsv", dir);
        snprintf(cache, sizeof cache, "%s.undirected.lgraph", in);
        FILE *f = fopen(in, "wb");
        if (!f) return NULL;
        fwrite(EDGES, 1, sizeof EDGES - 1, f);
        fclose(f);
    }
    uint8_t *b = malloc(size ? size : 1);
    if (!b) return NULL;
    memcpy(b, data, size);
    if (size >= 8 + 7 * 8) { /* header words 5 and 6: the input's size and FNV-1a hash */
        int64_t isz = (int64_t)(sizeof EDGES - 1),
                ih = (int64_t)lt_hash64(EDGES, sizeof EDGES - 1, LT_HASH_INIT);
        memcpy(b + 8 + 5 * 8, &isz, 8);
        memcpy(b + 8 + 6 * 8, &ih, 8);
    }
    FILE *f = fopen(cache, "wb");
    if (!f) {
        free(b);
        return NULL;
    }
    fwrite(b, 1, size, f);
    fclose(f);
    free(b);
    lt_graph_opts o;
    lt_graph_opts_init(&o);
    lt_graph *g = NULL;
    lt_graph_load(in, &o, &g, NULL);
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    lt_graph *g = NULL;
    if (data[0] & 8) {
        lt__fuzz_nocrc = (data[0] & 0x80) != 0;
        g = beside(data + 1, size - 1);
        lt__fuzz_nocrc = 0;
    } else if (data[0] & 4) {
        lt__fuzz_nocrc = (data[0] & 0x80) != 0;
        lt_graph_parse_cache(data + 1, size - 1, "fuzz.lgraph", &g);
        lt__fuzz_nocrc = 0;
    } else {
        lt_graph_opts o;
        lt_graph_opts_init(&o);
        o.directed = data[0] & 1;
        o.weighted = (data[0] >> 1) & 1;
        lt_graph_parse(data + 1, size - 1, "fuzz.tsv", &o, &g, NULL);
    }
    if (g) {
        lt_graph_info in;
        lt_graph_describe(g, &in);
        lt_walk_opts w;
        lt_walk_opts_init(&w);
        w.length = 8;
        w.p = 0.5;
        w.q = 2;
        int32_t out[8];
        for (int64_t i = 0; i < g->n && i < 16; i++) lt_graph_walk(g, &w, i, (int32_t)i, out, 8);
        lt_graph_free(g);
    }
    return 0;
}

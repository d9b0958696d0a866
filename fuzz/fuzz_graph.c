/* libFuzzer harness: the edge-list parser (first byte: bit 0 directed, bit 1 weighted) and the
 * binary graph cache (bit 2; bit 7 skips its CRC), then a few walks on what parsed. */
#include "latent/latent.h"
#include "../src/core/fuzzing.h"
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    lt_graph *g = NULL;
    if (data[0] & 4) {
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

/* libFuzzer harness: file-based parsers (vocabulary, checkpoint, analogy and similarity
 * test files) through a temporary file. */
#include "latent/latent.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    char path[] = "/tmp/latent-fuzz-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    switch (data[0] % 4) {
    case 0: {
        lt_vocab *v;
        if (lt_vocab_load(&v, path) == LT_OK) lt_vocab_free(v);
        break;
    }
    case 1: {
        lt_sgns *m;
        void *b;
        size_t bl;
        if (lt_sgns_load_checkpoint(&m, path, &b, &bl) == LT_OK) {
            lt_sgns_free(m);
            lt_free(b);
        }
        break;
    }
    case 2:
    case 3: {
        lt_vecs *v = lt_vecs_new(4, 3);
        const char *w[] = { "a", "b", "c", "d" };
        for (int i = 0; i < 4; i++) {
            lt_vecs_set_label(v, i, w[i]);
            lt_vecs_row(v, i)[i % 3] = 1;
        }
        if (data[0] % 4 == 2) {
            lt_analogy_report r;
            if (lt_eval_analogy(v, path, 0, LT_ANALOGY_ADD, 1, &r) == LT_OK)
                lt_analogy_report_destroy(&r);
        } else {
            lt_similarity_report r;
            lt_eval_similarity(v, path, 0, &r);
        }
        lt_vecs_free(v);
        break;
    }
    }
    unlink(path);
    return 0;
}

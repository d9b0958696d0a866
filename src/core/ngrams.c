/* fastText's character n-gram buckets: shared by the fastText model reader (io) and the subword
 * trainer (text), which must hash exactly alike; in core because io may not include text. */
#include "latent/core.h"
#include <string.h>

uint32_t lt_fasttext_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint32_t)(int32_t)(int8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

int64_t lt_fasttext_ngrams(
        const char *word, int minn, int maxn, int64_t bucket, int32_t *out, int64_t cap) {
    if (maxn <= 0 || bucket <= 0) return 0;
    size_t wl = strlen(word), L = wl + 2;
    char sb[256], *b = L + 1 <= sizeof sb ? sb : lt_malloc(L + 1);
    if (!b) return -1;
    b[0] = '<';
    memcpy(b + 1, word, wl);
    b[L - 1] = '>';
    b[L] = 0;
    int64_t cnt = 0;
    for (size_t i = 0; i < L; i++) {
        if ((b[i] & 0xC0) == 0x80) continue;
        size_t j = i;
        for (int n = 1; j < L && n <= maxn; n++) {
            j++;
            while (j < L && (b[j] & 0xC0) == 0x80) j++;
            if (n < minn || (n == 1 && (i == 0 || j == L))) continue;
            if (cnt < cap) out[cnt] = (int32_t)(lt_fasttext_hash(b + i, j - i) % (uint32_t)bucket);
            cnt++;
        }
    }
    if (b != sb) lt_free(b);
    return cnt;
}

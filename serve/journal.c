/* The write-ahead journal of a served index: /index/add and /index/delete append their records
 * to INDEX.journal and sync it before they answer, so a crash or kill -9 loses nothing that was
 * acknowledged; the index file itself is rewritten (atomically, by lt_hnsw_save) only at a
 * checkpoint: every 4,096 records, and at shutdown. At start the journal is replayed over the
 * file (an add replaces, a delete of a deleted id is nothing: replaying twice is harmless).
 *
 * Format: "LTJRNL01", the dimension (int64 LE); then records: op (1 add, 2 delete; uint32),
 * CRC-32 of the rest of the record (uint32), id (int64), and for an add d floats. A record cut
 * short or with a wrong CRC ends the journal (a write torn by the crash): it is cut there. */
#include "serve.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static const char MAGIC[8] = { 'L', 'T', 'J', 'R', 'N', 'L', '0', '1' };

typedef struct journal {
    int fd;
    char path[1100];
    int64_t d;
    unsigned char *rec; /* one record's bytes */
} journal;

static size_t rec_size(int64_t d, int op) { return 16 + (op == 1 ? (size_t)d * 4 : 0); }

static uint32_t rec_crc(const unsigned char *r, size_t n) {
    return (uint32_t)crc32(crc32(0, r, 4), r + 8, (uInt)(n - 8));
}

static int replay(srv_index *ix, journal *j, int64_t *applied) {
    FILE *f = fopen(j->path, "rb");
    if (!f) return errno == ENOENT ? LT_OK : lt_err(LT_EIO, "%s: %s", j->path, strerror(errno));
    char m[8];
    int64_t d = 0;
    int rc = LT_OK;
    off_t good = 16;
    if (fread(m, 1, 8, f) != 8 || memcmp(m, MAGIC, 8) || fread(&d, 8, 1, f) != 1) {
        fclose(f);
        /* an empty file is a journal created but never written: start it again */
        struct stat st;
        if (!stat(j->path, &st) && st.st_size < 16) return LT_OK;
        return lt_err(LT_EFORMAT, "%s: not a latent index journal", j->path);
    }
    if (d != j->d) {
        fclose(f);
        return lt_err(LT_EFORMAT, "%s: journal of dimension %lld for an index of %lld", j->path,
                (long long)d, (long long)j->d);
    }
    for (;;) {
        uint32_t op;
        if (fread(j->rec, 1, 4, f) != 4) break;
        memcpy(&op, j->rec, 4);
        if (op != 1 && op != 2) break;
        size_t n = rec_size(d, (int)op);
        if (fread(j->rec + 4, 1, n - 4, f) != n - 4) break;
        uint32_t crc;
        memcpy(&crc, j->rec + 4, 4);
        if (crc != rec_crc(j->rec, n)) break;
        int64_t id;
        memcpy(&id, j->rec + 8, 8);
        if (op == 1) rc = lt_hnsw_add(ix->h, (const float *)(j->rec + 16), id);
        else if (lt_hnsw_vector(ix->h, id)) rc = lt_hnsw_delete(ix->h, id);
        if (rc) break;
        good += (off_t)n;
        (*applied)++;
    }
    fclose(f);
    if (rc == LT_OK && truncate(j->path, good))
        rc = lt_err(LT_EIO, "%s: %s", j->path, strerror(errno));
    return rc;
}

int srv_journal_open(srv_index *ix) {
    journal *j = calloc(1, sizeof *j);
    if (!j) return lt_err(LT_ENOMEM, "out of memory");
    j->d = lt_hnsw_get_info(ix->h).d;
    snprintf(j->path, sizeof j->path, "%s.journal", ix->path);
    j->rec = malloc(rec_size(j->d, 1));
    int64_t applied = 0;
    int rc = j->rec ? replay(ix, j, &applied) : lt_err(LT_ENOMEM, "out of memory");
    if (rc == LT_OK) {
        j->fd = open(j->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (j->fd < 0) rc = lt_err(LT_EIO, "%s: %s", j->path, strerror(errno));
    }
    if (rc == LT_OK && lseek(j->fd, 0, SEEK_END) == 0) {
        unsigned char h[16];
        memcpy(h, MAGIC, 8);
        memcpy(h + 8, &j->d, 8);
        if (write(j->fd, h, 16) != 16 || fdatasync(j->fd))
            rc = lt_err(LT_EIO, "%s: %s", j->path, strerror(errno));
    }
    if (rc) {
        if (j->fd > 0) close(j->fd);
        free(j->rec);
        free(j);
        return rc;
    }
    ix->journal = j;
    ix->pending = applied;
    ix->next_checkpoint = 4096;
    return LT_OK;
}

static int append(srv_index *ix, int op, int64_t id, const float *x) {
    journal *j = ix->journal;
    size_t n = rec_size(j->d, op);
    uint32_t o = (uint32_t)op;
    memcpy(j->rec, &o, 4);
    memcpy(j->rec + 8, &id, 8);
    if (x) memcpy(j->rec + 16, x, (size_t)j->d * 4);
    uint32_t crc = rec_crc(j->rec, n);
    memcpy(j->rec + 4, &crc, 4);
    for (size_t w = 0; w < n;) {
        ssize_t k = write(j->fd, j->rec + w, n - w);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            /* cut what was written of this record, so the journal stays whole */
            off_t end = lseek(j->fd, 0, SEEK_END);
            if (end >= (off_t)w && ftruncate(j->fd, end - (off_t)w)) {}
            return lt_err(LT_EIO, "%s: %s", j->path, strerror(k < 0 ? errno : ENOSPC));
        }
        w += (size_t)k;
    }
    ix->pending++;
    return LT_OK;
}

int srv_journal_add(srv_index *ix, int64_t id, const float *x) { return append(ix, 1, id, x); }
int srv_journal_delete(srv_index *ix, int64_t id) { return append(ix, 2, id, NULL); }

int srv_journal_sync(srv_index *ix) {
    journal *j = ix->journal;
    return fdatasync(j->fd) ? lt_err(LT_EIO, "%s: %s", j->path, strerror(errno)) : LT_OK;
}

int srv_journal_checkpoint(srv_index *ix) {
    journal *j = ix->journal;
    if (!j || !ix->pending) return LT_OK;
    int rc = lt_hnsw_save(ix->h, ix->path); /* atomic: the old file stays on failure */
    if (rc) return rc;
    if (ftruncate(j->fd, 16) || fdatasync(j->fd))
        return lt_err(LT_EIO, "%s: %s", j->path, strerror(errno));
    ix->pending = 0;
    return LT_OK;
}

void srv_journal_close(srv_index *ix) {
    journal *j = ix->journal;
    if (!j) return;
    close(j->fd);
    free(j->rec);
    free(j);
    ix->journal = NULL;
}

/* Atomic output files (policy in store.h): temporary + fsync + rename for regular files,
 * write-through for devices and FIFOs, symlinks followed, optional gzip. */
#include "latent/store.h"
#include "latent/core.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* FILE* over a gzFile (fopencookie), so every writer stays a plain fprintf/fwrite */
static ssize_t gz_write(void *c, const char *b, size_t n) {
    size_t done = 0;
    while (done < n) {
        unsigned part = n - done > (1u << 30) ? 1u << 30 : (unsigned)(n - done);
        int w = gzwrite((gzFile)c, b + done, part);
        if (w <= 0) {
            errno = EIO;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}
static int gz_close(void *c) { return gzclose((gzFile)c) == Z_OK ? 0 : (errno = EIO, -1); }

enum { AFILE_BUF = 1 << 20 };

static int ends_gz(const char *p) {
    size_t n = strlen(p);
    return n > 3 && !strcmp(p + n - 3, ".gz");
}

/* Removes "BASE.tmp-PID-*" in the folder of `path` whose PID no longer runs. */
static void clean_stale(const char *path) {
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    char pre[PATH_MAX + 8];
    snprintf(pre, sizeof pre, "%s.tmp-", base);
    if (slash) *(slash == dir ? slash + 1 : slash) = 0;
    else snprintf(dir, sizeof dir, ".");
    DIR *d = opendir(dir);
    if (!d) return;
    size_t pl = strlen(pre);
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, pre, pl)) continue;
        char *end;
        long pid = strtol(e->d_name + pl, &end, 10);
        if (end == e->d_name + pl || *end != '-' || pid <= 0) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char full[PATH_MAX + 256];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        unlink(full);
    }
    closedir(d);
}

static int afile_open(lt_afile *a, const char *path, int implicit) {
    memset(a, 0, sizeof *a);
    if (!strcmp(path, "-")) {
        if (implicit) return lt_err(LT_EINVAL, "an implicit file cannot be stdout");
        a->f = stdout;
        a->is_stdout = 1;
        return LT_OK;
    }
    struct stat lst, st;
    char target[PATH_MAX];
    snprintf(target, sizeof target, "%s", path);
    /* a file latent writes on its own replaces only a regular file: a symbolic link, FIFO or
     * device planted under its name is left alone (the rename would replace a link planted
     * later, never write through it) */
    if (implicit && lstat(path, &lst) == 0 && !S_ISREG(lst.st_mode))
        return lt_err(LT_EIO, "%s: exists and is not a regular file; not replacing it", path);
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        if (!realpath(path, target))
            return lt_err(LT_EIO, "%s: a symbolic link to nothing (%s); refusing to write", path,
                    strerror(errno));
    }
    if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) return lt_err(LT_EIO, "%s: is a directory", path);
        /* FIFO, device, socket: write through, never replace */
        a->f = fopen(target, "wb");
        if (!a->f) return lt_err(LT_EIO, "%s: cannot open output: %s", path, strerror(errno));
        a->direct = 1;
        a->path = lt_strdup(path);
        return a->path ? LT_OK : (fclose(a->f), a->f = NULL, lt_err(LT_ENOMEM, "out of memory"));
    }
    clean_stale(target);
    size_t n = strlen(target);
    a->path = lt_strdup(target);
    a->tmp = lt_malloc(n + 48);
    if (!a->path || !a->tmp) {
        lt_afile_abort(a);
        return lt_err(LT_ENOMEM, "out of memory");
    }
    snprintf(a->tmp, n + 48, "%s.tmp-%ld-XXXXXX", target, (long)getpid());
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int e = errno;
        lt_free(a->tmp);
        a->tmp = NULL;
        lt_afile_abort(a);
        return lt_err(LT_EIO, "%s: cannot create output: %s", path, strerror(e));
    }
    fchmod(fd, 0644);
    if (ends_gz(target)) {
        int fd2 = dup(fd);
        gzFile g = fd2 >= 0 ? gzdopen(fd2, "wb6") : NULL;
        if (!g) {
            if (fd2 >= 0) close(fd2);
            close(fd);
            unlink(a->tmp);
            lt_afile_abort(a);
            return lt_err(LT_EIO, "%s: cannot start gzip", path);
        }
        a->gz = g;
        a->f = fopencookie(
                g, "wb", (cookie_io_functions_t){ .write = gz_write, .close = gz_close });
        if (!a->f) {
            gzclose(g);
            a->gz = NULL;
            close(fd);
            unlink(a->tmp);
            lt_afile_abort(a);
            return lt_err(LT_EIO, "%s: cannot open output", path);
        }
        a->direct = -fd - 1; /* the raw fd, kept for fsync after gzip's close */
    } else {
        a->f = fdopen(fd, "wb");
        if (!a->f) {
            close(fd);
            unlink(a->tmp);
            lt_afile_abort(a);
            return lt_err(LT_EIO, "%s: cannot open output", path);
        }
    }
    /* glibc ignores the size when setvbuf gets no buffer (it keeps st_blksize, 4 KiB): the
     * buffer is ours, or a 480 MB output costs 117k write calls (2.9 s of system time) */
    if ((a->buf = lt_malloc(AFILE_BUF))) setvbuf(a->f, a->buf, _IOFBF, AFILE_BUF);
    return LT_OK;
}

int lt_afile_open(lt_afile *a, const char *path) { return afile_open(a, path, 0); }
int lt_afile_open_implicit(lt_afile *a, const char *path) { return afile_open(a, path, 1); }

int lt_afile_commit(lt_afile *a) {
    if (a->is_stdout) {
        int bad = fflush(stdout) != 0 || ferror(stdout);
        a->f = NULL;
        return bad ? lt_err(LT_EIO, "<stdout>: write failed: %s", strerror(errno)) : LT_OK;
    }
    if (a->direct > 0) {
        int bad = fflush(a->f) != 0 || ferror(a->f), e = errno;
        if (fclose(a->f) != 0 && !bad) {
            bad = 1;
            e = errno;
        }
        a->f = NULL;
        lt_free(a->buf);
        a->buf = NULL;
        int rc = bad ? lt_err(LT_EIO, "%s: write failed: %s", a->path, strerror(e)) : LT_OK;
        lt_free(a->path);
        a->path = NULL;
        return rc;
    }
    int bad = fflush(a->f) != 0 || ferror(a->f);
    int e = errno;
    int raw = a->direct < 0 ? -a->direct - 1 : fileno(a->f);
    if (a->gz) { /* gzip trailer first, then the raw fd is synced and closed */
        if (fclose(a->f) != 0 && !bad) {
            bad = 1;
            e = errno;
        }
        a->f = NULL;
        a->gz = NULL;
        lt_free(a->buf);
        a->buf = NULL;
    }
    if (!bad && fsync(raw) != 0 && errno != EINVAL && errno != EROFS) {
        bad = 1;
        e = errno;
    }
    if (a->f) {
        if (fclose(a->f) != 0 && !bad) {
            bad = 1;
            e = errno;
        }
    } else close(raw);
    a->f = NULL;
    lt_free(a->buf);
    a->buf = NULL;
    a->direct = 0;
    if (bad) {
        int rc = lt_err(LT_EIO, "%s: write failed: %s", a->path, strerror(e));
        lt_afile_abort(a);
        return rc;
    }
    if (rename(a->tmp, a->path) != 0) {
        e = errno;
        int rc = lt_err(
                LT_EIO, "%s: cannot rename temporary file into place: %s", a->path, strerror(e));
        lt_afile_abort(a);
        return rc;
    }
    lt_free(a->tmp);
    a->tmp = NULL;
    lt_free(a->path);
    a->path = NULL;
    return LT_OK;
}

void lt_afile_abort(lt_afile *a) {
    if (!a) return;
    if (a->f && !a->is_stdout) fclose(a->f); /* for gzip this closes the gzFile */
    if (a->direct < 0) close(-a->direct - 1);
    a->f = NULL;
    lt_free(a->buf);
    a->buf = NULL;
    a->gz = NULL;
    a->direct = 0;
    if (a->tmp) unlink(a->tmp);
    lt_free(a->tmp);
    lt_free(a->path);
    a->tmp = a->path = NULL;
}

/* Advisory lock on a file being modified in place (flock, exclusive, non-blocking). The lock
 * is taken on the file the path names now; when a concurrent writer replaced it by rename
 * meanwhile, the lock is retaken on the new file, so a lock held always guards what the path
 * names. */
int lt_file_lock(const char *path, int *fd_out) {
    *fd_out = -1;
    for (int tries = 0; tries < 100; tries++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return lt_err(LT_EIO, "%s: cannot open: %s", path, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                return lt_err(LT_EIO,
                        "%s: is being modified by another process (locked); try again when it is done",
                        path);
            return lt_err(LT_EIO, "%s: cannot lock: %s", path, strerror(e));
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
                a.st_dev == b.st_dev) {
            *fd_out = fd;
            return LT_OK;
        }
        close(fd); /* replaced while we waited: lock the new file */
    }
    return lt_err(LT_EIO, "%s: keeps being replaced; cannot lock it", path);
}
void lt_file_unlock(int fd) {
    if (fd >= 0) close(fd);
}

/* Internal: whole-file reads shared by every loader. lt_read_whole maps a plain file
 * (private, copy-on-write) or inflates a gzip one; *map_len != 0 means the buffer is a
 * mapping. lt_release_whole frees either kind. */
#ifndef LT_READ_WHOLE_H
#define LT_READ_WHOLE_H
#include <stddef.h>
int lt_read_whole(const char *path, char **buf, size_t *len, size_t *map_len);
void lt_release_whole(void *buf, size_t map_len);
#endif

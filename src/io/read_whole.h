/* Internal: whole-file reads shared by every loader. lt__read_whole maps a plain file
 * (private, copy-on-write) or inflates a gzip one; *map_len != 0 means the buffer is a
 * mapping. lt__release_whole frees either kind. */
#ifndef LT_READ_WHOLE_H
#define LT_READ_WHOLE_H
#include <stddef.h>
int lt__read_whole(const char *path, char **buf, size_t *len, size_t *map_len);
void lt__release_whole(void *buf, size_t map_len);
#endif

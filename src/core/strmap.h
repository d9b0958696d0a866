/* Internal: a string -> dense id map (ids in insertion order), shared by capabilities that
 * turn names into rows (graph node ids; a candidate home for the text vocabulary's map).
 * Keys are copied into an arena; lookups are exact byte matches. Not thread-safe. */
#ifndef LT_STRMAP_H
#define LT_STRMAP_H
#include <stddef.h>
#include <stdint.h>
typedef struct lt__strmap lt__strmap;
lt__strmap *lt__strmap_new(void);
void lt__strmap_free(lt__strmap *m);
/* id of key (len bytes), added if absent (*added set); negative status on failure. */
int64_t lt__strmap_put(lt__strmap *m, const char *key, size_t len, int *added);
int64_t lt__strmap_get(const lt__strmap *m, const char *key, size_t len); /* -1 if absent */
const char *lt__strmap_key(const lt__strmap *m, int64_t id); /* NUL-terminated */
int64_t lt__strmap_size(const lt__strmap *m);
size_t lt__strmap_key_bytes(const lt__strmap *m); /* sum of key lengths + NULs */
#endif

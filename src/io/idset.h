/* idset.h: a set of short strings (external ids) with the line where each was first seen, used by
 * imports to catch an id given twice in one file. Open addressing, strings in one growing arena:
 * about 40 bytes per id. */
#ifndef VIGIE_IDSET_H
#define VIGIE_IDSET_H
#include <stddef.h>

typedef struct idset idset;

idset *idset_new(void);
void idset_free(idset *s);
/* Adds id; returns 0 if it was new, the line where it was first added if present, -1 if out of
 * memory. */
long idset_add(idset *s, const char *id, size_t len, long line);
/* The line where id was added, or 0. */
long idset_find(const idset *s, const char *id, size_t len);

#endif

/* idset.c: string set for duplicate detection in imports (see idset.h). */
#include "io/idset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	size_t off; /* into arena; 0 = empty slot (the arena starts with one unused byte) */
	uint32_t len;
	uint32_t hash;
	long line;
} slot;

struct idset {
	slot *slots;
	size_t nslots, n;
	char *arena;
	size_t used, cap;
};

static uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

idset *idset_new(void)
{
	idset *s = calloc(1, sizeof *s);
	if (!s) return NULL;
	s->nslots = 1024;
	s->slots = calloc(s->nslots, sizeof *s->slots);
	s->cap = 65536;
	s->arena = malloc(s->cap);
	if (!s->slots || !s->arena) {
		idset_free(s);
		return NULL;
	}
	s->used = 1;
	return s;
}

void idset_free(idset *s)
{
	if (!s) return;
	free(s->slots);
	free(s->arena);
	free(s);
}

static slot *lookup(const idset *s, const char *id, size_t len, uint32_t h)
{
	size_t j = h & (s->nslots - 1);
	for (;;) {
		slot *e = &s->slots[j];
		if (!e->off || (e->hash == h && e->len == len && memcmp(s->arena + e->off, id, len) == 0))
			return e;
		j = (j + 1) & (s->nslots - 1);
	}
}

static int grow(idset *s)
{
	size_t ns = s->nslots * 2;
	slot *old = s->slots;
	size_t on = s->nslots;
	s->slots = calloc(ns, sizeof *s->slots);
	if (!s->slots) {
		s->slots = old;
		return -1;
	}
	s->nslots = ns;
	for (size_t i = 0; i < on; i++) {
		if (!old[i].off) continue;
		size_t j = old[i].hash & (ns - 1);
		while (s->slots[j].off)
			j = (j + 1) & (ns - 1);
		s->slots[j] = old[i];
	}
	free(old);
	return 0;
}

long idset_add(idset *s, const char *id, size_t len, long line)
{
	if (len > UINT32_MAX) return -1;
	if ((s->n + 1) * 2 > s->nslots && grow(s)) return -1;
	uint32_t h = hash(id, len);
	slot *e = lookup(s, id, len, h);
	if (e->off) return e->line;
	if (s->used + len + 1 > s->cap) {
		size_t nc = s->cap * 2;
		while (s->used + len + 1 > nc)
			nc *= 2;
		char *na = realloc(s->arena, nc);
		if (!na) return -1;
		s->arena = na;
		s->cap = nc;
	}
	memcpy(s->arena + s->used, id, len);
	s->arena[s->used + len] = 0;
	e->off = s->used;
	e->len = (uint32_t)len;
	e->hash = h;
	e->line = line;
	s->used += len + 1;
	s->n++;
	return 0;
}

long idset_find(const idset *s, const char *id, size_t len)
{
	slot *e = lookup(s, id, len, hash(id, len));
	return e->off ? e->line : 0;
}

/* store_audit.h: the append-only, hash-chained audit log (store module "audit"). Every action of a
 * person or of the daily run is appended in the same transaction as the change it records. Each
 * entry's hash is SHA-256 over the previous entry's hash and the entry's fields (a fixed, documented
 * encoding: docs/security.md), so any edit, deletion or reordering breaks the chain from that entry
 * on; the store also refuses UPDATE and DELETE on the table (triggers). */
#ifndef VIGIE_STORE_AUDIT_H
#define VIGIE_STORE_AUDIT_H
#include "store/store.h"

#define STORE_AUDIT_DETAILS_MAX 2048

typedef struct {
	int64_t seq;        /* 1, 2, ... set by the store */
	civil_day day;      /* the business day of the action (the as-of date: no clock) */
	char actor[STORE_ID_MAX];   /* user name, or "system" for the daily run and imports */
	char action[STORE_ID_MAX];  /* e.g. task.outcome, approval.approve, user.add, run.day */
	char object[STORE_NAME_MAX]; /* e.g. account:L001, decision:42, user:awa */
	char details[STORE_AUDIT_DETAILS_MAX]; /* JSON object text */
	char prev_hash[65], hash[65]; /* lowercase hex */
} store_audit_entry;

/* Appends inside the caller's transaction; e->seq and hashes are set. */
store_rc store_audit_append(store *s, store_audit_entry *e);
typedef int (*store_audit_fn)(void *ctx, const store_audit_entry *e);
/* In seq order; object/actor NULL = any. */
store_rc store_audit_each(store *s, const char *object, const char *actor, store_audit_fn fn, void *ctx);
/* Recomputes the chain: *bad_seq = 0 when intact, else the first entry whose hash does not match. */
store_rc store_audit_verify(store *s, int64_t *n_entries, int64_t *bad_seq);

#endif

/* store_audit.c: store module "audit" (store_audit.h): table audit_log, append-only and hash-chained.
 *
 * Entry hash (docs/security.md, "Audit log"): SHA-256, written as 64 lowercase hex digits, over the
 * concatenation of seven fields, each encoded as a netstring "LEN:BYTES," (LEN the byte length in
 * decimal, no leading zeros), in this order:
 *   prev_hash (64 hex digits; 64 "0" for seq 1), seq (decimal), day (YYYY-MM-DD), actor, action,
 *   object, details (the JSON text as stored).
 * The length prefixes make the encoding unambiguous: no choice of field contents can make two
 * different entries encode to the same bytes.
 *
 * seq is given by the writer (last seq + 1), not by a sequence: a rolled back transaction leaves no
 * gap, and the primary key makes a second writer that read the same last entry fail instead of
 * forking the chain. On PostgreSQL the writer first takes a transaction-level advisory lock, so
 * concurrent writers queue instead of failing; SQLite's writers are already serialised (BEGIN
 * IMMEDIATE). Triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL). */
#include "store/store_audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/store_impl.h"
#include "store/store_query.h"

static const char *const V1_SQLITE[] = {
    "CREATE TABLE audit_log ("
    " seq INTEGER PRIMARY KEY,"
    " day INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " object TEXT NOT NULL,"
    " details TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL)",
    "CREATE INDEX audit_log_by_object ON audit_log (object, seq)",
    "CREATE INDEX audit_log_by_actor ON audit_log (actor, seq)",
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
    NULL};

static const char *const V1_PG[] = {
    "CREATE TABLE audit_log ("
    " seq bigint PRIMARY KEY,"
    " day integer NOT NULL,"
    " actor text COLLATE \"C\" NOT NULL,"
    " action text COLLATE \"C\" NOT NULL,"
    " object text COLLATE \"C\" NOT NULL,"
    " details text NOT NULL,"
    " prev_hash text NOT NULL,"
    " hash text NOT NULL)",
    "CREATE INDEX audit_log_by_object ON audit_log (object, seq)",
    "CREATE INDEX audit_log_by_actor ON audit_log (actor, seq)",
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $body$ BEGIN RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP; END $body$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
    NULL};

static const char *const *audit_migration(int version, int pg)
{
	if (version == 1) return pg ? V1_PG : V1_SQLITE;
	return NULL;
}

const store_module store_module_audit = {"audit", 1, audit_migration};

#define AUDIT_COLS "seq, day, actor, action, object, details, prev_hash, hash"

/* a key of its own (store_query.c's migration lock is 7384629106) */
static const store_sql2 SQL_LOCK = {"SELECT 0", "SELECT pg_advisory_xact_lock(7384629201)"};
static const store_sql2 SQL_LAST = {"SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", NULL};
static const store_sql2 SQL_INSERT = {
    "INSERT INTO audit_log (" AUDIT_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", NULL};
static const store_sql2 SQL_EACH = {
    "SELECT " AUDIT_COLS " FROM audit_log"
    " WHERE ($1 IS NULL OR object = $1) AND ($2 IS NULL OR actor = $2)"
    " ORDER BY seq",
    "SELECT " AUDIT_COLS " FROM audit_log"
    " WHERE ($1::text IS NULL OR object = $1) AND ($2::text IS NULL OR actor = $2)"
    " ORDER BY seq"};
static const store_sql2 SQL_ALL = {"SELECT " AUDIT_COLS " FROM audit_log ORDER BY seq", NULL};

static const char ZERO_HASH[65] = "0000000000000000000000000000000000000000000000000000000000000000";

static void put_field(crypto_hash_sha256_state *st, const char *v, size_t len)
{
	char pre[32];
	int n = snprintf(pre, sizeof pre, "%zu:", len);
	crypto_hash_sha256_update(st, (const unsigned char *)pre, (unsigned long long)n);
	crypto_hash_sha256_update(st, (const unsigned char *)v, len);
	crypto_hash_sha256_update(st, (const unsigned char *)",", 1);
}

static void put_str(crypto_hash_sha256_state *st, const char *v)
{
	put_field(st, v, strlen(v));
}

/* The entry hash as 64 hex digits into out[65]. */
static void entry_hash(const char *prev, int64_t seq, civil_day day, const char *actor, const char *action,
                       const char *object, const char *details, char out[65])
{
	char num[24], d[16];
	snprintf(num, sizeof num, "%lld", (long long)seq);
	date_format(day, d, sizeof d);
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	put_str(&st, prev);
	put_str(&st, num);
	put_str(&st, d);
	put_str(&st, actor);
	put_str(&st, action);
	put_str(&st, object);
	put_str(&st, details);
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

static int bounded(const char *s, size_t cap)
{
	return memchr(s, 0, cap) != NULL;
}

store_rc store_audit_append(store *s, store_audit_entry *e)
{
	if (!bounded(e->actor, sizeof e->actor) || !bounded(e->action, sizeof e->action) ||
	    !bounded(e->object, sizeof e->object) || !bounded(e->details, sizeof e->details))
		return store_fail(s, "audit: a field is not terminated");
	if (!e->actor[0] || !e->action[0])
		return store_fail(s, "audit: an entry needs an actor and an action");
	if (e->day == DATE_NONE) return store_fail(s, "audit: an entry needs a day");
	if (sodium_init() < 0) return store_fail(s, "audit: libsodium cannot start");
	if (store_q_exec_tx(s, &SQL_LOCK, NULL, "")) return STORE_ERR;
	store_q *q = store_q_open(s, &SQL_LAST);
	if (!q) return STORE_ERR;
	int r = store_q_step(q);
	int64_t last = 0;
	char prev[65];
	memcpy(prev, ZERO_HASH, sizeof prev);
	if (r > 0) {
		last = store_q_col_int(q, 0);
		store_q_col_copy(q, 1, prev, sizeof prev);
	}
	if (store_q_close(q)) return STORE_ERR;
	e->seq = last + 1;
	memcpy(e->prev_hash, prev, sizeof prev);
	entry_hash(prev, e->seq, e->day, e->actor, e->action, e->object, e->details, e->hash);
	return store_q_exec_tx(s, &SQL_INSERT, NULL, "idtttttt", e->seq, e->day, e->actor, e->action,
	                       e->object, e->details, e->prev_hash, e->hash);
}

static void read_entry(store_q *q, store_audit_entry *e)
{
	memset(e, 0, sizeof *e);
	e->seq = store_q_col_int(q, 0);
	e->day = store_q_col_day(q, 1);
	store_q_col_copy(q, 2, e->actor, sizeof e->actor);
	store_q_col_copy(q, 3, e->action, sizeof e->action);
	store_q_col_copy(q, 4, e->object, sizeof e->object);
	store_q_col_copy(q, 5, e->details, sizeof e->details);
	store_q_col_copy(q, 6, e->prev_hash, sizeof e->prev_hash);
	store_q_col_copy(q, 7, e->hash, sizeof e->hash);
}

store_rc store_audit_each(store *s, const char *object, const char *actor, store_audit_fn fn, void *ctx)
{
	store_q *q = store_q_open(s, &SQL_EACH);
	if (!q) return STORE_ERR;
	store_q_text(q, 1, object);
	store_q_text(q, 2, actor);
	store_audit_entry e;
	while (store_q_step(q) > 0) {
		read_entry(q, &e);
		if (fn(ctx, &e)) break;
	}
	return store_q_close(q);
}

/* Reads the columns as stored (not cut to the struct's sizes), so an overlong edit is seen too. */
store_rc store_audit_verify(store *s, int64_t *n_entries, int64_t *bad_seq)
{
	*n_entries = 0;
	*bad_seq = 0;
	if (sodium_init() < 0) return store_fail(s, "audit: libsodium cannot start");
	store_q *q = store_q_open(s, &SQL_ALL);
	if (!q) return STORE_ERR;
	char prev[65];
	memcpy(prev, ZERO_HASH, sizeof prev);
	int64_t want_seq = 1;
	while (store_q_step(q) > 0) {
		int64_t seq = store_q_col_int(q, 0);
		char h[65];
		entry_hash(prev, seq, store_q_col_day(q, 1), store_q_col_text(q, 2), store_q_col_text(q, 3),
		           store_q_col_text(q, 4), store_q_col_text(q, 5), h);
		(*n_entries)++;
		/* a missing seq, a prev_hash that is not the previous hash, or a hash that is not this
		 * entry's: the chain breaks at this entry */
		if (seq != want_seq || strcmp(store_q_col_text(q, 6), prev) != 0 ||
		    strcmp(store_q_col_text(q, 7), h) != 0) {
			*bad_seq = seq;
			break;
		}
		memcpy(prev, h, sizeof prev);
		want_seq = seq + 1;
	}
	return store_q_close(q);
}

/* store_sqlite.c: the SQLite back-end of the store (the embedded default).
 * WAL journal, synchronous=NORMAL; a bulk transaction switches to synchronous=OFF and a bigger page
 * cache for its duration (the commit stays atomic: only durability of the last commit on power loss
 * is traded). Statements come from store_sql.c, are prepared once on first use and reused; a
 * statement still running (a callback that re-enters the store) gets a fresh copy instead.
 *
 * Puts never read before they write: INSERT ... ON CONFLICT DO NOTHING, and sqlite3_changes() says
 * whether the row is new; only on a conflict is the existing row read to tell UNCHANGED from
 * CONFLICT. store_ledger_rebuild() walks three ordered cursors (dirty accounts, their obligations,
 * their payments, all in account id order) and merges them by account id: three queries in all.
 *
 * The batch forms insert four rows per statement (payments, accounts; obligations always do), which
 * is about a third less work per row: SQLite spends most of a small insert on the statement itself.
 *
 * Bulk loads turn SQLite's foreign-key enforcement off (it costs a lookup per row) and check by hand
 * instead, where it is not already known: an account created or marked dirty in this transaction
 * exists (the known-dirty cache), so the obligations and payments of a fresh load need no lookup; a
 * one-row account insert checks its client itself (it copies the client's ext_id, NOT NULL), a
 * four-row one beforehand (the known-clients cache, else a lookup). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_impl.h"
#include "store/store_sql.h"

#define BUSY_TIMEOUT_MS 10000
#define ROWS_MAX        1000000 /* obligations or payments of one account held by the rebuild */

typedef struct {
	store base;
	sqlite3 *db;
	sqlite3_stmt *st[ST_N];
	int bulk;
	/* rebuild buffers, grown as needed */
	obligation *ob;
	int ob_cap;
	store_payment *pay;
	int pay_cap;
	struct sq_qslot *qc; /* generic statements (store_query.h), cached by text address */
} sq_store;

static sq_store *SQ(store *s)
{
	return (sq_store *)s;
}

/* SQLite keeps global memory statistics behind a mutex on every allocation by default; the store does
 * not use them. This must run before SQLite initialises, hence once, at the first open. */
static void sq_global_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static store_rc sq_fail(sq_store *q, const char *what)
{
	return store_fail(&q->base, "%s: %s", what, sqlite3_errmsg(q->db));
}

static store_rc sq_exec(sq_store *q, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		store_fail(&q->base, "%s", msg ? msg : sqlite3_errmsg(q->db));
		sqlite3_free(msg);
		return STORE_ERR;
	}
	return STORE_OK;
}

/* --- statements ------------------------------------------------------------------------------ */

static sqlite3_stmt *sq_prepare(sq_store *q, store_stmt id)
{
	const char *sql = store_sql(id, SQL_SQLITE);
	sqlite3_stmt *st = NULL;
	if (!sql) {
		store_fail(&q->base, "internal: statement %d has no SQLite text", (int)id);
		return NULL;
	}
	if (sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sq_fail(q, "prepare");
		return NULL;
	}
	/* $1, $2, ... must be numbered as PostgreSQL numbers them (see store_sql.h) */
	for (int i = 1, n = sqlite3_bind_parameter_count(st); i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		char want[16];
		snprintf(want, sizeof want, "$%d", i);
		if (!name || strcmp(name, want) != 0) {
			store_fail(&q->base, "internal: statement %d: parameter %d is %s", (int)id, i,
			           name ? name : "anonymous");
			sqlite3_finalize(st); /* after the message: name points into st */
			return NULL;
		}
	}
	return st;
}

/* The statement for id, ready to bind; give it back with sq_put(). */
static sqlite3_stmt *sq_get(sq_store *q, store_stmt id)
{
	if (!q->st[id]) {
		q->st[id] = sq_prepare(q, id);
		return q->st[id];
	}
	if (sqlite3_stmt_busy(q->st[id]))
		return sq_prepare(q, id); /* re-entered from a callback: a private copy */
	return q->st[id];
}

static void sq_put(sq_store *q, store_stmt id, sqlite3_stmt *st)
{
	if (!st) return;
	if (st == q->st[id])
		sqlite3_reset(st);
	else
		sqlite3_finalize(st);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

static void bind_day(sqlite3_stmt *st, int i, civil_day d)
{
	if (d == DATE_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int(st, i, d);
}

static void col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	store_copy_field(dst, cap, t ? t : "", t ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

static civil_day col_day(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL) return DATE_NONE;
	return (civil_day)sqlite3_column_int(st, i);
}

/* Runs a statement that returns no row; the statement is given back. */
static store_rc sq_done(sq_store *q, store_stmt id, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	store_rc r = rc == SQLITE_DONE ? STORE_OK : sq_fail(q, what);
	sq_put(q, id, st);
	return r;
}

/* --- row readers ----------------------------------------------------------------------------- */

static void read_client(sqlite3_stmt *st, store_client *c)
{
	memset(c, 0, sizeof *c);
	c->id = sqlite3_column_int64(st, CCOL_ID);
	col_text(st, CCOL_EXT_ID, c->ext_id, sizeof c->ext_id);
	col_text(st, CCOL_NAME, c->name, sizeof c->name);
	col_text(st, CCOL_BRANCH, c->branch, sizeof c->branch);
	col_text(st, CCOL_OFFICER, c->officer, sizeof c->officer);
	col_text(st, CCOL_PHONE, c->phone, sizeof c->phone);
	col_text(st, CCOL_EMAIL, c->email, sizeof c->email);
	col_text(st, CCOL_LANGUAGE, c->language, sizeof c->language);
}

static void read_account(sqlite3_stmt *st, store_account *a)
{
	memset(a, 0, sizeof *a);
	a->id = sqlite3_column_int64(st, ACOL_ID);
	a->client_id = sqlite3_column_int64(st, ACOL_CLIENT_ID);
	a->kind = (store_kind)sqlite3_column_int(st, ACOL_KIND);
	col_text(st, ACOL_EXT_ID, a->ext_id, sizeof a->ext_id);
	col_text(st, ACOL_CLIENT_EXT_ID, a->client_ext_id, sizeof a->client_ext_id);
	col_text(st, ACOL_CURRENCY, a->currency, sizeof a->currency);
	a->principal = sqlite3_column_int64(st, ACOL_PRINCIPAL);
	a->start_on = col_day(st, ACOL_START_ON);
	a->due_on = col_day(st, ACOL_DUE_ON);
	a->written_off_on = col_day(st, ACOL_WRITTEN_OFF_ON);
	col_text(st, ACOL_PRODUCT, a->product, sizeof a->product);
	col_text(st, ACOL_BRANCH, a->branch, sizeof a->branch);
	col_text(st, ACOL_OFFICER, a->officer, sizeof a->officer);
}

static void read_payment(sqlite3_stmt *st, int off, store_payment *p)
{
	memset(p, 0, sizeof *p);
	p->id = sqlite3_column_int64(st, off + PCOL_ID);
	p->account_id = sqlite3_column_int64(st, off + PCOL_ACCOUNT_ID);
	col_text(st, off + PCOL_EXT_ID, p->ext_id, sizeof p->ext_id);
	p->paid_on = col_day(st, off + PCOL_PAID_ON);
	p->reversed_on = col_day(st, off + PCOL_REVERSED_ON);
	p->amount = sqlite3_column_int64(st, off + PCOL_AMOUNT);
	col_text(st, off + PCOL_REFERENCE, p->reference, sizeof p->reference);
}

static void read_obligation(sqlite3_stmt *st, int off, obligation *o)
{
	o->due_on = col_day(st, off + OCOL_DUE_ON);
	o->amount[COMP_PRINCIPAL] = sqlite3_column_int64(st, off + OCOL_PRINCIPAL);
	o->amount[COMP_INTEREST] = sqlite3_column_int64(st, off + OCOL_INTEREST);
	o->amount[COMP_FEE] = sqlite3_column_int64(st, off + OCOL_FEES);
	o->amount[COMP_PENALTY] = sqlite3_column_int64(st, off + OCOL_PENALTIES);
}

/* --- opening, schema, transactions ----------------------------------------------------------- */

static void sq_q_cache_free(sq_store *q);

static void sq_close(store *s)
{
	sq_store *q = SQ(s);
	sq_q_cache_free(q);
	for (int i = 0; i < ST_N; i++)
		sqlite3_finalize(q->st[i]);
	sqlite3_close(q->db);
	free(q->ob);
	free(q->pay);
	store_base_free(s);
	free(q);
}

static int sq_schema_version(store *s)
{
	sq_store *q = SQ(s);
	int v = -1;
	sqlite3_stmt *st = sq_get(q, ST_HAS_SCHEMA);
	if (!st) return -1;
	int has = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sq_put(q, ST_HAS_SCHEMA, st);
	if (!has) return -1;
	st = sq_get(q, ST_SCHEMA_VERSION);
	if (!st) return -1;
	if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
	sq_put(q, ST_SCHEMA_VERSION, st);
	return v > 0 ? v : -1;
}

static store_rc sq_init(store *s)
{
	sq_store *q = SQ(s);
	if (sq_exec(q, store_sql(ST_BEGIN, SQL_SQLITE))) return STORE_ERR;
	if (sq_exec(q, STORE_SQL_SCHEMA_VERSION_TABLE[SQL_SQLITE])) goto fail;
	int have = sq_schema_version(s);
	if (have < 0) have = 0;
	for (int v = have + 1; v <= store_migration_count(); v++) {
		for (const char *const *sql = store_migration(v, SQL_SQLITE); *sql; sql++)
			if (sq_exec(q, *sql)) goto fail;
		sqlite3_stmt *st = sq_get(q, ST_SCHEMA_VERSION_ADD);
		if (!st) goto fail;
		bind_i64(st, 1, v);
		if (sq_done(q, ST_SCHEMA_VERSION_ADD, st, "schema_version")) goto fail;
	}
	if (sq_exec(q, store_sql(ST_COMMIT, SQL_SQLITE))) goto fail;
	return STORE_OK;
fail:;
	char msg[STORE_ERRMSG_MAX];
	memcpy(msg, s->errmsg, sizeof msg);
	sqlite3_exec(q->db, store_sql(ST_ROLLBACK, SQL_SQLITE), NULL, NULL, NULL);
	return store_fail(s, "store_init: %.900s", msg);
}

static store_rc sq_pragmas(sq_store *q, int bulk)
{
	return sq_exec(q, store_sql(bulk ? ST_SETTINGS_BULK : ST_SETTINGS_NORMAL, SQL_SQLITE));
}

static store_rc sq_begin(store *s, int bulk)
{
	sq_store *q = SQ(s);
	if (bulk && sq_pragmas(q, 1)) return STORE_ERR;
	q->bulk = bulk;
	sqlite3_stmt *st = sq_get(q, ST_BEGIN);
	if (!st || sq_done(q, ST_BEGIN, st, "begin")) {
		if (bulk) sq_pragmas(q, 0);
		q->bulk = 0;
		return STORE_ERR;
	}
	return STORE_OK;
}

static store_rc sq_end(sq_store *q, store_stmt id, const char *what)
{
	sqlite3_stmt *st = sq_get(q, id);
	store_rc rc = st ? sq_done(q, id, st, what) : STORE_ERR;
	if (q->bulk && sqlite3_get_autocommit(q->db)) {
		char msg[STORE_ERRMSG_MAX];
		memcpy(msg, q->base.errmsg, sizeof msg);
		sq_pragmas(q, 0);
		memcpy(q->base.errmsg, msg, sizeof msg);
		q->bulk = 0;
	}
	return rc;
}

static store_rc sq_commit(store *s)
{
	return sq_end(SQ(s), ST_COMMIT, "commit");
}

static store_rc sq_rollback(store *s)
{
	sq_store *q = SQ(s);
	if (sqlite3_get_autocommit(q->db)) { /* SQLite already rolled back (e.g. after SQLITE_FULL) */
		if (q->bulk) sq_pragmas(q, 0);
		q->bulk = 0;
		return STORE_OK;
	}
	return sq_end(q, ST_ROLLBACK, "rollback");
}

/* --- dirty marks, existence ------------------------------------------------------------------ */

/* In a bulk load (foreign keys off), refuses an account id that does not exist, unless known. */
static store_rc sq_check_account(sq_store *q, int64_t account_id)
{
	if (!q->bulk || store_dirty_known(&q->base, account_id)) return STORE_OK;
	sqlite3_stmt *st = sq_get(q, ST_ACCOUNT_EXISTS);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, account_id);
	int rc = sqlite3_step(st);
	int found = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sq_put(q, ST_ACCOUNT_EXISTS, st);
	if (rc != SQLITE_ROW) return sq_fail(q, "account check");
	if (!found) return store_fail(&q->base, "account %lld does not exist", (long long)account_id);
	return STORE_OK;
}

static store_rc sq_mark_dirty(sq_store *q, int64_t account_id)
{
	if (store_dirty_known(&q->base, account_id)) return STORE_OK;
	sqlite3_stmt *st = sq_get(q, ST_DIRTY_MARK);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, account_id);
	if (sq_done(q, ST_DIRTY_MARK, st, "mark dirty")) return STORE_ERR;
	store_dirty_note(&q->base, account_id);
	return STORE_OK;
}

/* --- clients --------------------------------------------------------------------------------- */

static store_rc sq_client_get(store *s, const char *ext_id, store_client *out)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_CLIENT_GET);
	if (!st) return STORE_ERR;
	bind_text(st, 1, ext_id);
	int rc = sqlite3_step(st);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW)
		read_client(st, out);
	else
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_fail(q, "client get");
	sq_put(q, ST_CLIENT_GET, st);
	return r;
}

static store_rc sq_client_put(store *s, store_client *c, store_put *res)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_CLIENT_INSERT);
	if (!st) return STORE_ERR;
	bind_text(st, 1, c->ext_id);
	bind_text(st, 2, c->name);
	bind_text(st, 3, c->branch);
	bind_text(st, 4, c->officer);
	bind_text(st, 5, c->phone);
	bind_text(st, 6, c->email);
	bind_text(st, 7, c->language);
	if (sq_done(q, ST_CLIENT_INSERT, st, "client insert")) return STORE_ERR;
	if (sqlite3_changes(q->db)) {
		c->id = sqlite3_last_insert_rowid(q->db);
		store_client_note(s, c->id);
		*res = PUT_INSERTED;
		return STORE_OK;
	}
	store_client old;
	store_rc r = sq_client_get(s, c->ext_id, &old);
	if (r != STORE_OK) return r == STORE_NOT_FOUND ? store_fail(s, "client %s: vanished", c->ext_id) : r;
	c->id = old.id;
	store_client_note(s, c->id);
	if (store_client_same(c, &old)) {
		*res = PUT_UNCHANGED;
		return STORE_OK;
	}
	st = sq_get(q, ST_CLIENT_UPDATE);
	if (!st) return STORE_ERR;
	bind_text(st, 1, c->name);
	bind_text(st, 2, c->branch);
	bind_text(st, 3, c->officer);
	bind_text(st, 4, c->phone);
	bind_text(st, 5, c->email);
	bind_text(st, 6, c->language);
	bind_i64(st, 7, old.id);
	if (sq_done(q, ST_CLIENT_UPDATE, st, "client update")) return STORE_ERR;
	*res = PUT_UPDATED;
	return STORE_OK;
}

/* --- accounts -------------------------------------------------------------------------------- */

static store_rc sq_account_get(store *s, const char *ext_id, store_account *out)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_ACCOUNT_GET);
	if (!st) return STORE_ERR;
	bind_text(st, 1, ext_id);
	int rc = sqlite3_step(st);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW)
		read_account(st, out);
	else
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_fail(q, "account get");
	sq_put(q, ST_ACCOUNT_GET, st);
	return r;
}

static void bind_account(sqlite3_stmt *st, int base, const store_account *a)
{
	bind_text(st, base + 1, a->ext_id);
	bind_i64(st, base + 2, a->kind);
	bind_i64(st, base + 3, a->client_id);
	bind_text(st, base + 4, a->currency);
	bind_i64(st, base + 5, a->principal);
	bind_day(st, base + 6, a->start_on);
	bind_day(st, base + 7, a->due_on);
	bind_day(st, base + 8, a->written_off_on);
	bind_text(st, base + 9, a->product);
	bind_text(st, base + 10, a->branch);
	bind_text(st, base + 11, a->officer);
}

/* An account that already exists: UNCHANGED or CONFLICT. */
static store_rc sq_account_existing(store *s, store_account *a, store_put *res)
{
	store_account old;
	store_rc r = sq_account_get(s, a->ext_id, &old);
	if (r != STORE_OK) return r == STORE_NOT_FOUND ? store_fail(s, "account %s: vanished", a->ext_id) : r;
	if (!store_account_same(a, &old))
		return store_conflict(s, "account %s: already stored with different content", a->ext_id);
	a->id = old.id;
	*res = PUT_UNCHANGED;
	return STORE_OK;
}

static store_rc sq_account_put(store *s, store_account *a, store_put *res)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_ACCOUNT_INSERT);
	if (!st) return STORE_ERR;
	bind_account(st, 0, a);
	if (sq_done(q, ST_ACCOUNT_INSERT, st, "account insert")) {
		if (sqlite3_extended_errcode(q->db) == SQLITE_CONSTRAINT_NOTNULL)
			return store_fail(s, "account %s: client %lld does not exist", a->ext_id,
			                  (long long)a->client_id);
		return STORE_ERR;
	}
	if (sqlite3_changes(q->db)) {
		a->id = sqlite3_last_insert_rowid(q->db);
		*res = PUT_INSERTED;
		return sq_mark_dirty(q, a->id); /* no derived data yet */
	}
	return sq_account_existing(s, a, res);
}

static store_rc sq_account_write_off(store *s, int64_t account_id, civil_day on)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_ACCOUNT_WRITE_OFF);
	if (!st) return STORE_ERR;
	bind_day(st, 1, on);
	bind_i64(st, 2, account_id);
	if (sq_done(q, ST_ACCOUNT_WRITE_OFF, st, "write-off")) return STORE_ERR;
	if (!sqlite3_changes(q->db)) return STORE_NOT_FOUND;
	return sq_mark_dirty(q, account_id);
}

/* --- obligations ----------------------------------------------------------------------------- */

static store_rc sq_obligations_get(store *s, int64_t account_id, obligation *buf, int cap, int *n)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_OBLIGATIONS_GET);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, account_id);
	int rc, k = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k < cap) read_obligation(st, 0, &buf[k]);
		k++;
	}
	store_rc r = rc == SQLITE_DONE ? STORE_OK : sq_fail(q, "obligations get");
	sq_put(q, ST_OBLIGATIONS_GET, st);
	*n = k;
	return r;
}

/* Compares the stored obligations of an account with ob[0..n). */
static store_rc sq_obligations_compare(sq_store *q, int64_t account_id, const obligation *ob, int n,
                                       store_put *res)
{
	sqlite3_stmt *st = sq_get(q, ST_OBLIGATIONS_GET);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, account_id);
	int rc, k = 0, same = 1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		obligation o;
		read_obligation(st, 0, &o);
		if (k >= n || !store_obligation_same(&o, &ob[k])) same = 0;
		k++;
	}
	store_rc r = rc == SQLITE_DONE ? STORE_OK : sq_fail(q, "obligations get");
	sq_put(q, ST_OBLIGATIONS_GET, st);
	if (r) return r;
	if (!same || k != n)
		return store_conflict(&q->base, "account %lld: already has different obligations",
		                      (long long)account_id);
	*res = PUT_UNCHANGED;
	return STORE_OK;
}

static void bind_obligation(sqlite3_stmt *st, int base, int64_t account_id, int seq, const obligation *o)
{
	bind_i64(st, base + 1, account_id);
	bind_i64(st, base + 2, seq);
	bind_day(st, base + 3, o->due_on);
	bind_i64(st, base + 4, o->amount[COMP_PRINCIPAL]);
	bind_i64(st, base + 5, o->amount[COMP_INTEREST]);
	bind_i64(st, base + 6, o->amount[COMP_FEE]);
	bind_i64(st, base + 7, o->amount[COMP_PENALTY]);
}

static store_rc sq_obligations_set(store *s, int64_t account_id, const obligation *ob, int n, store_put *res)
{
	sq_store *q = SQ(s);
	if (n == 0) return sq_obligations_compare(q, account_id, ob, n, res);
	if (sq_check_account(q, account_id)) return STORE_ERR;
	for (int i = 0; i < n;) {
		int m = n - i >= 4 ? 4 : 1;
		store_stmt id = m == 4 ? ST_OBLIGATION_INSERT4 : ST_OBLIGATION_INSERT;
		sqlite3_stmt *st = sq_get(q, id);
		if (!st) return STORE_ERR;
		for (int k = 0; k < m; k++)
			bind_obligation(st, 7 * k, account_id, i + k + 1, &ob[i + k]);
		if (sq_done(q, id, st, "obligation insert")) return STORE_ERR;
		int changed = sqlite3_changes(q->db);
		if (changed == m) {
			i += m;
			continue;
		}
		if (i > 0)
			return store_fail(s, "account %lld: obligations stored in part",
			                  (long long)account_id);
		if (changed > 0) { /* an earlier set of 4 - changed rows: take back what was just added */
			st = sq_get(q, ST_OBLIGATION_UNDO);
			if (!st) return STORE_ERR;
			bind_i64(st, 1, account_id);
			bind_i64(st, 2, m - changed);
			if (sq_done(q, ST_OBLIGATION_UNDO, st, "obligation undo")) return STORE_ERR;
		}
		return sq_obligations_compare(q, account_id, ob, n, res);
	}
	*res = PUT_INSERTED;
	return sq_mark_dirty(q, account_id);
}

/* --- payments -------------------------------------------------------------------------------- */

static store_rc sq_payment_get(store *s, const char *ext_id, store_payment *out)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_PAYMENT_GET);
	if (!st) return STORE_ERR;
	bind_text(st, 1, ext_id);
	int rc = sqlite3_step(st);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW)
		read_payment(st, 0, out);
	else
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_fail(q, "payment get");
	sq_put(q, ST_PAYMENT_GET, st);
	return r;
}

static void bind_payment(sqlite3_stmt *st, int base, const store_payment *p)
{
	bind_text(st, base + 1, p->ext_id);
	bind_i64(st, base + 2, p->account_id);
	bind_day(st, base + 3, p->paid_on);
	bind_day(st, base + 4, p->reversed_on);
	bind_i64(st, base + 5, p->amount);
	bind_text(st, base + 6, p->reference);
}

/* A payment that already exists: UNCHANGED or CONFLICT. */
static store_rc sq_payment_existing(store *s, const store_payment *old, store_payment *p, store_put *res)
{
	if (!store_payment_same(p, old))
		return store_conflict(
		    s, "payment %s: already posted with a different account, date or amount", p->ext_id);
	p->id = old->id;
	*res = PUT_UNCHANGED;
	return STORE_OK;
}

static store_rc sq_payment_put(store *s, store_payment *p, store_put *res)
{
	sq_store *q = SQ(s);
	if (sq_check_account(q, p->account_id)) return STORE_ERR;
	sqlite3_stmt *st = sq_get(q, ST_PAYMENT_INSERT);
	if (!st) return STORE_ERR;
	bind_payment(st, 0, p);
	if (sq_done(q, ST_PAYMENT_INSERT, st, "payment insert")) return STORE_ERR;
	if (sqlite3_changes(q->db)) {
		p->id = sqlite3_last_insert_rowid(q->db);
		*res = PUT_INSERTED;
		return sq_mark_dirty(q, p->account_id);
	}
	store_payment old;
	store_rc r = sq_payment_get(s, p->ext_id, &old);
	if (r != STORE_OK) return r == STORE_NOT_FOUND ? store_fail(s, "payment %s: vanished", p->ext_id) : r;
	return sq_payment_existing(s, &old, p, res);
}

/* --- batches: four rows per statement -------------------------------------------------------- *
 * One statement inserts up to four rows (ON CONFLICT DO NOTHING). When all four go in, their ids
 * are consecutive: SQLite gives a new row the largest rowid + 1 (it picks at random only once the
 * largest rowid is 2^63 - 1, ruled out below). When some do not, each row is read back by ext_id:
 * an id among the last `changed` ones means this statement inserted it, else it was there before
 * (UNCHANGED or CONFLICT). Four rows with the same ext_id twice go one by one instead. */

#define ID_SANE(last) ((last) < INT64_MAX - 8)

static int distinct4(const char *a, const char *b, const char *c, const char *d)
{
	return strcmp(a, b) && strcmp(a, c) && strcmp(a, d) && strcmp(b, c) && strcmp(b, d) && strcmp(c, d);
}

static store_rc sq_payment_put_many(store *s, store_payment *p, int n, store_rc *rc, store_put *res)
{
	sq_store *q = SQ(s);
	for (int i = 0; i < n; i++)
		rc[i] = STORE_ERR;
	for (int i = 0; i < n;) {
		if (n - i < 4 || !distinct4(p[i].ext_id, p[i + 1].ext_id, p[i + 2].ext_id, p[i + 3].ext_id)) {
			if ((rc[i] = sq_payment_put(s, &p[i], &res[i])) == STORE_ERR) return STORE_ERR;
			i++;
			continue;
		}
		for (int k = 0; k < 4; k++)
			if (sq_check_account(q, p[i + k].account_id)) return STORE_ERR;
		sqlite3_stmt *st = sq_get(q, ST_PAYMENT_INSERT4);
		if (!st) return STORE_ERR;
		for (int k = 0; k < 4; k++)
			bind_payment(st, 6 * k, &p[i + k]);
		if (sq_done(q, ST_PAYMENT_INSERT4, st, "payment insert")) return STORE_ERR;
		int changed = sqlite3_changes(q->db);
		int64_t last = changed ? sqlite3_last_insert_rowid(q->db) : 0;
		if (changed && !ID_SANE(last)) return store_fail(s, "payment ids exhausted");
		for (int k = 0; k < 4; k++) {
			store_payment *pk = &p[i + k];
			if (changed == 4) {
				pk->id = last - 3 + k;
			} else {
				store_payment old;
				store_rc r = sq_payment_get(s, pk->ext_id, &old);
				if (r != STORE_OK)
					return r == STORE_NOT_FOUND
					           ? store_fail(s, "payment %s: vanished", pk->ext_id)
					           : r;
				if (!(changed && old.id > last - changed && old.id <= last)) {
					rc[i + k] = sq_payment_existing(s, &old, pk, &res[i + k]);
					continue;
				}
				pk->id = old.id;
			}
			res[i + k] = PUT_INSERTED;
			if ((rc[i + k] = sq_mark_dirty(q, pk->account_id)) == STORE_ERR) return STORE_ERR;
		}
		i += 4;
	}
	return STORE_OK;
}

/* Whether a client exists (known in this transaction, or looked up): 1, 0, or -1 on error. */
static int sq_client_exists(sq_store *q, int64_t client_id)
{
	if (store_client_known(&q->base, client_id)) return 1;
	sqlite3_stmt *st = sq_get(q, ST_CLIENT_EXISTS);
	if (!st) return -1;
	bind_i64(st, 1, client_id);
	int rc = sqlite3_step(st);
	int found = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sq_put(q, ST_CLIENT_EXISTS, st);
	if (rc != SQLITE_ROW) return sq_fail(q, "client check"), -1;
	if (found) store_client_note(&q->base, client_id);
	return found;
}

static store_rc sq_account_put_many(store *s, store_account *a, int n, store_rc *rc, store_put *res)
{
	sq_store *q = SQ(s);
	for (int i = 0; i < n; i++)
		rc[i] = STORE_ERR;
	for (int i = 0; i < n;) {
		int one =
		    n - i < 4 || !distinct4(a[i].ext_id, a[i + 1].ext_id, a[i + 2].ext_id, a[i + 3].ext_id);
		for (int k = 0; !one && k < 4; k++) {
			int e = sq_client_exists(q, a[i + k].client_id);
			if (e < 0) return STORE_ERR;
			one = !e; /* the one-row insert reports the missing client */
		}
		if (!one) {
			sqlite3_stmt *st = sq_get(q, ST_ACCOUNT_INSERT4);
			if (!st) return STORE_ERR;
			for (int k = 0; k < 4; k++)
				bind_account(st, 11 * k, &a[i + k]);
			if (sq_done(q, ST_ACCOUNT_INSERT4, st, "account insert")) return STORE_ERR;
		}
		if (one) {
			if ((rc[i] = sq_account_put(s, &a[i], &res[i])) == STORE_ERR) return STORE_ERR;
			i++;
			continue;
		}
		int changed = sqlite3_changes(q->db);
		int64_t last = changed ? sqlite3_last_insert_rowid(q->db) : 0;
		if (changed && !ID_SANE(last)) return store_fail(s, "account ids exhausted");
		if (changed == 4) {
			sqlite3_stmt *st = sq_get(q, ST_DIRTY_NEW4);
			if (!st) return STORE_ERR;
			for (int k = 0; k < 4; k++) {
				a[i + k].id = last - 3 + k;
				bind_i64(st, k + 1, a[i + k].id);
			}
			if (sq_done(q, ST_DIRTY_NEW4, st, "mark dirty")) return STORE_ERR;
			for (int k = 0; k < 4; k++) {
				store_dirty_note(s, a[i + k].id);
				res[i + k] = PUT_INSERTED;
				rc[i + k] = STORE_OK;
			}
			i += 4;
			continue;
		}
		for (int k = 0; k < 4; k++) {
			store_account *ak = &a[i + k];
			store_account old;
			store_rc r = sq_account_get(s, ak->ext_id, &old);
			if (r != STORE_OK)
				return r == STORE_NOT_FOUND
				           ? store_fail(s, "account %s: vanished", ak->ext_id)
				           : r;
			if (changed && old.id > last - changed && old.id <= last) {
				ak->id = old.id;
				res[i + k] = PUT_INSERTED;
				if ((rc[i + k] = sq_mark_dirty(q, ak->id)) == STORE_ERR) return STORE_ERR;
			} else {
				rc[i + k] = sq_account_existing(s, ak, &res[i + k]);
			}
		}
		i += 4;
	}
	return STORE_OK;
}

static store_rc sq_payment_reverse(store *s, const char *ext_id, civil_day on, store_put *res)
{
	sq_store *q = SQ(s);
	store_payment old;
	store_rc r = sq_payment_get(s, ext_id, &old);
	if (r != STORE_OK) return r;
	if (old.reversed_on == on) {
		*res = PUT_UNCHANGED;
		return STORE_OK;
	}
	if (old.reversed_on != DATE_NONE)
		return store_conflict(s, "payment %s: already reversed on another day", ext_id);
	sqlite3_stmt *st = sq_get(q, ST_PAYMENT_SET_REVERSED);
	if (!st) return STORE_ERR;
	bind_day(st, 1, on);
	bind_i64(st, 2, old.id);
	if (sq_done(q, ST_PAYMENT_SET_REVERSED, st, "payment reverse")) return STORE_ERR;
	*res = PUT_UPDATED;
	return sq_mark_dirty(q, old.account_id);
}

static store_rc sq_payments_get(store *s, int64_t account_id, store_payment *buf, int cap, int *n)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_PAYMENTS_GET);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, account_id);
	int rc, k = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k < cap) read_payment(st, 0, &buf[k]);
		k++;
	}
	store_rc r = rc == SQLITE_DONE ? STORE_OK : sq_fail(q, "payments get");
	sq_put(q, ST_PAYMENTS_GET, st);
	*n = k;
	return r;
}

/* --- derived data ---------------------------------------------------------------------------- */

static store_rc sq_bucket_history_get(store *s, int64_t account_id, ledger_bucket_interval *buf, int cap,
                                      int *n)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_HISTORY_GET);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, account_id);
	int rc, k = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k < cap) {
			buf[k].bucket = sqlite3_column_int(st, 0);
			buf[k].entered_on = col_day(st, 1);
			buf[k].left_on = col_day(st, 2);
		}
		k++;
	}
	store_rc r = rc == SQLITE_DONE ? STORE_OK : sq_fail(q, "bucket history get");
	sq_put(q, ST_HISTORY_GET, st);
	*n = k;
	return r;
}

/* Makes room for one more row in a rebuild buffer. */
static int grow(void **buf, int *cap, int need, size_t size)
{
	if (need <= *cap) return 0;
	if (need > ROWS_MAX) return -1;
	int nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	void *nb = realloc(*buf, (size_t)nc * size);
	if (!nb) return -1;
	*buf = nb;
	*cap = nc;
	return 0;
}

/* Saves one account's derived data. The ledger becomes non-NULL (empty if fn gave none), which says
 * from then on that the account may have a history to replace. */
static store_rc sq_save_derived(sq_store *q, int64_t id, int was_rebuilt, const uint8_t *blob,
                                size_t blob_len, const ledger_bucket_interval *hist, int n_hist)
{
	sqlite3_stmt *st = sq_get(q, ST_LEDGER_SAVE);
	if (!st) return STORE_ERR;
	if (blob && blob_len)
		sqlite3_bind_blob64(st, 1, blob, blob_len, SQLITE_STATIC);
	else
		sqlite3_bind_zeroblob(st, 1, 0);
	bind_i64(st, 2, id);
	if (sq_done(q, ST_LEDGER_SAVE, st, "ledger save")) return STORE_ERR;
	if (was_rebuilt) {
		st = sq_get(q, ST_HISTORY_DELETE);
		if (!st) return STORE_ERR;
		bind_i64(st, 1, id);
		if (sq_done(q, ST_HISTORY_DELETE, st, "history delete")) return STORE_ERR;
	}
	for (int i = 0; i < n_hist; i++) {
		st = sq_get(q, ST_HISTORY_INSERT);
		if (!st) return STORE_ERR;
		bind_i64(st, 1, id);
		bind_i64(st, 2, i + 1);
		bind_i64(st, 3, hist[i].bucket);
		bind_day(st, 4, hist[i].entered_on);
		bind_day(st, 5, hist[i].left_on);
		if (sq_done(q, ST_HISTORY_INSERT, st, "history insert")) return STORE_ERR;
	}
	return STORE_OK;
}

static store_rc sq_ledger_rebuild(store *s, store_ledger_fn fn, void *ctx, int64_t *n_rebuilt)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *sa = sq_get(q, ST_RB_ACCOUNTS);
	sqlite3_stmt *so = sa ? sq_get(q, ST_RB_OBLIGATIONS) : NULL;
	sqlite3_stmt *sp = so ? sq_get(q, ST_RB_PAYMENTS) : NULL;
	store_rc r = STORE_OK;
	int64_t count = 0;
	if (!sp) {
		r = STORE_ERR;
		goto out;
	}
	/* so and sp sit on their next unread row (or are done) */
	int ro = sqlite3_step(so), rp = sqlite3_step(sp), ra;
	while ((ra = sqlite3_step(sa)) == SQLITE_ROW) {
		store_account a;
		read_account(sa, &a);
		int was_rebuilt = sqlite3_column_int(sa, ACOL_N + 1);
		int n_ob = 0, n_pay = 0;
		while (ro == SQLITE_ROW && sqlite3_column_int64(so, 0) < a.id)
			ro = sqlite3_step(so); /* rows of an account no longer listed: cannot happen here */
		while (ro == SQLITE_ROW && sqlite3_column_int64(so, 0) == a.id) {
			if (grow((void **)&q->ob, &q->ob_cap, n_ob + 1, sizeof *q->ob)) {
				r = store_fail(s, "account %s: too many obligations", a.ext_id);
				goto out;
			}
			read_obligation(so, 1, &q->ob[n_ob++]);
			ro = sqlite3_step(so);
		}
		while (rp == SQLITE_ROW && sqlite3_column_int64(sp, PCOL_ACCOUNT_ID) < a.id)
			rp = sqlite3_step(sp);
		while (rp == SQLITE_ROW && sqlite3_column_int64(sp, PCOL_ACCOUNT_ID) == a.id) {
			if (grow((void **)&q->pay, &q->pay_cap, n_pay + 1, sizeof *q->pay)) {
				r = store_fail(s, "account %s: too many payments", a.ext_id);
				goto out;
			}
			read_payment(sp, 0, &q->pay[n_pay++]);
			rp = sqlite3_step(sp);
		}
		if ((ro != SQLITE_ROW && ro != SQLITE_DONE) || (rp != SQLITE_ROW && rp != SQLITE_DONE)) {
			r = sq_fail(q, "ledger rebuild");
			goto out;
		}
		const uint8_t *blob = NULL;
		size_t blob_len = 0;
		const ledger_bucket_interval *hist = NULL;
		int n_hist = 0;
		int frc = fn(ctx, &a, q->ob, n_ob, q->pay, n_pay, &blob, &blob_len, &hist, &n_hist);
		if (frc) {
			r = store_fail(
			    s, "ledger rebuild stopped at account %s: the ledger function returned %d",
			    a.ext_id, frc);
			goto out;
		}
		if (n_hist < 0 || (n_hist > 0 && !hist)) {
			r = store_fail(s, "ledger rebuild: account %s: bad bucket history", a.ext_id);
			goto out;
		}
		if ((r = sq_save_derived(q, a.id, was_rebuilt, blob, blob_len, hist, n_hist))) goto out;
		count++;
	}
	if (ra != SQLITE_DONE) {
		r = sq_fail(q, "ledger rebuild");
		goto out;
	}
out:
	sq_put(q, ST_RB_ACCOUNTS, sa);
	sq_put(q, ST_RB_OBLIGATIONS, so);
	sq_put(q, ST_RB_PAYMENTS, sp);
	if (r == STORE_OK) {
		/* one writer at a time on SQLite: every mark was just read and honoured */
		sqlite3_stmt *st = sq_get(q, ST_DIRTY_CLEAR_ALL);
		r = st ? sq_done(q, ST_DIRTY_CLEAR_ALL, st, "clear dirty marks") : STORE_ERR;
	}
	if (n_rebuilt) *n_rebuilt = count;
	return r;
}

/* --- scans and exports ----------------------------------------------------------------------- */

static store_rc stopped(store *s, const char *what, int frc)
{
	return store_fail(s, "%s stopped by the callback (it returned %d)", what, frc);
}

static store_rc sq_scan(store *s, const store_scan_filter *f, store_scan_fn fn, void *ctx)
{
	sq_store *q = SQ(s);
	store_stmt id = f->by_client ? ST_SCAN_BY_CLIENT : ST_SCAN_BY_ID;
	sqlite3_stmt *st = sq_get(q, id);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, f->kind < 0 ? -1 : f->kind);
	if (f->currency)
		bind_text(st, 2, f->currency);
	else
		sqlite3_bind_null(st, 2);
	bind_i64(st, 3, f->shards > 1 ? f->shards : 0);
	bind_i64(st, 4, f->shards > 1 ? f->shard : 0);
	int rc;
	store_rc r = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_account a;
		read_account(st, &a);
		const uint8_t *blob = sqlite3_column_blob(st, ACOL_N);
		size_t len = (size_t)sqlite3_column_bytes(st, ACOL_N);
		int frc = fn(ctx, &a, blob, len);
		if (frc) {
			r = stopped(s, "scan", frc);
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_DONE) r = sq_fail(q, "scan");
	sq_put(q, id, st);
	return r;
}

static store_rc sq_each_client(store *s, store_client_fn fn, void *ctx)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_EACH_CLIENT);
	if (!st) return STORE_ERR;
	int rc;
	store_rc r = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_client c;
		read_client(st, &c);
		int frc = fn(ctx, &c);
		if (frc) {
			r = stopped(s, "client export", frc);
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_DONE) r = sq_fail(q, "client export");
	sq_put(q, ST_EACH_CLIENT, st);
	return r;
}

static store_rc sq_each_account(store *s, int kind, store_account_fn fn, void *ctx)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_EACH_ACCOUNT);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, kind < 0 ? -1 : kind);
	int rc;
	store_rc r = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_account a;
		read_account(st, &a);
		int frc = fn(ctx, &a);
		if (frc) {
			r = stopped(s, "account export", frc);
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_DONE) r = sq_fail(q, "account export");
	sq_put(q, ST_EACH_ACCOUNT, st);
	return r;
}

static store_rc sq_each_obligation(store *s, store_obligation_fn fn, void *ctx)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_EACH_OBLIGATION);
	if (!st) return STORE_ERR;
	int rc;
	store_rc r = STORE_OK;
	store_account a = {0};
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, ACOL_ID) != a.id) read_account(st, &a);
		obligation o;
		int seq = sqlite3_column_int(st, ACOL_N);
		read_obligation(st, ACOL_N + 1, &o);
		int frc = fn(ctx, &a, seq, &o);
		if (frc) {
			r = stopped(s, "obligation export", frc);
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_DONE) r = sq_fail(q, "obligation export");
	sq_put(q, ST_EACH_OBLIGATION, st);
	return r;
}

static store_rc sq_each_payment(store *s, store_payment_fn fn, void *ctx)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_EACH_PAYMENT);
	if (!st) return STORE_ERR;
	int rc;
	store_rc r = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_account a;
		store_payment p;
		read_account(st, &a);
		read_payment(st, ACOL_N, &p);
		int frc = fn(ctx, &a, &p);
		if (frc) {
			r = stopped(s, "payment export", frc);
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_DONE) r = sq_fail(q, "payment export");
	sq_put(q, ST_EACH_PAYMENT, st);
	return r;
}

/* --- the daily run --------------------------------------------------------------------------- */

static store_rc sq_decision_put(store *s, const store_decision *d, store_put *res)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_DECISION_INSERT);
	if (!st) return STORE_ERR;
	bind_text(st, 1, d->dedupe_key);
	bind_i64(st, 2, d->account_id);
	bind_day(st, 3, d->day);
	bind_text(st, 4, d->segment);
	bind_text(st, 5, d->step);
	bind_text(st, 6, d->action);
	bind_text(st, 7, d->channels);
	bind_text(st, 8, d->template_name);
	bind_text(st, 9, d->task_kind);
	bind_text(st, 10, d->assignee);
	bind_i64(st, 11, d->four_eyes ? 1 : 0);
	bind_text(st, 12, d->status);
	bind_day(st, 13, d->created_by_run_day);
	bind_day(st, 14, d->anchor);
	bind_i64(st, 15, d->dpd);
	bind_i64(st, 16, d->late_amount);
	if (sq_done(q, ST_DECISION_INSERT, st, "decision insert")) return STORE_ERR;
	*res = sqlite3_changes(q->db) ? PUT_INSERTED : PUT_UNCHANGED;
	return STORE_OK;
}

static store_rc sq_policy_state_set(store *s, const store_policy_state *ps)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_POLICY_STATE_SET);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, ps->account_id);
	bind_day(st, 2, ps->next_eval_on);
	bind_day(st, 3, ps->last_eval_on);
	return sq_done(q, ST_POLICY_STATE_SET, st, "policy state");
}

static store_rc sq_due_accounts(store *s, civil_day day, int part, int limit, store_due_fn fn, void *ctx,
                                int *n)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_DUE_ACCOUNTS);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, part);
	bind_day(st, 2, day);
	bind_i64(st, 3, limit);
	int rc, k = 0;
	store_rc r = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_account a;
		read_account(st, &a);
		const uint8_t *blob = sqlite3_column_blob(st, ACOL_N);
		size_t len = (size_t)sqlite3_column_bytes(st, ACOL_N);
		k++;
		int frc = fn(ctx, &a, blob, len, col_day(st, ACOL_N + 1));
		if (frc) {
			r = stopped(s, "due accounts", frc);
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_DONE) r = sq_fail(q, "due accounts");
	sq_put(q, ST_DUE_ACCOUNTS, st);
	*n = k;
	return r;
}

/* Binds decision d as the 16 parameters after off. */
static void bind_decision(sqlite3_stmt *st, int off, const store_decision *d)
{
	bind_text(st, off + 1, d->dedupe_key);
	bind_i64(st, off + 2, d->account_id);
	bind_day(st, off + 3, d->day);
	bind_text(st, off + 4, d->segment);
	bind_text(st, off + 5, d->step);
	bind_text(st, off + 6, d->action);
	bind_text(st, off + 7, d->channels);
	bind_text(st, off + 8, d->template_name);
	bind_text(st, off + 9, d->task_kind);
	bind_text(st, off + 10, d->assignee);
	bind_i64(st, off + 11, d->four_eyes ? 1 : 0);
	bind_text(st, off + 12, d->status);
	bind_day(st, off + 13, d->created_by_run_day);
	bind_day(st, off + 14, d->anchor);
	bind_i64(st, off + 15, d->dpd);
	bind_i64(st, off + 16, d->late_amount);
}

/* Four rows per statement; the inserted keys come back (RETURNING) and are matched to their rows
 * (a key repeated among the four: its first row). The rest one by one. */
static store_rc sq_decision_put_many(store *s, const store_decision *d, int n, store_put *res)
{
	sq_store *q = SQ(s);
	int i = 0;
	for (; i + 4 <= n; i += 4) {
		sqlite3_stmt *st = sq_get(q, ST_DECISION_INSERT4);
		if (!st) return STORE_ERR;
		for (int k = 0; k < 4; k++) {
			bind_decision(st, 16 * k, &d[i + k]);
			res[i + k] = PUT_UNCHANGED;
		}
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *key = (const char *)sqlite3_column_text(st, 0);
			for (int k = 0; key && k < 4; k++)
				if (res[i + k] == PUT_UNCHANGED && strcmp(d[i + k].dedupe_key, key) == 0) {
					res[i + k] = PUT_INSERTED;
					break;
				}
		}
		sq_put(q, ST_DECISION_INSERT4, st);
		if (rc != SQLITE_DONE) return sq_fail(q, "decision insert");
	}
	for (; i < n; i++)
		if (sq_decision_put(s, &d[i], &res[i])) return STORE_ERR;
	return STORE_OK;
}

static store_rc sq_policy_state_set_many(store *s, const store_policy_state *ps, int n)
{
	sq_store *q = SQ(s);
	int i = 0;
	for (; i + 8 <= n; i += 8) {
		sqlite3_stmt *st = sq_get(q, ST_POLICY_STATE_SET8);
		if (!st) return STORE_ERR;
		for (int k = 0; k < 8; k++) {
			bind_i64(st, 3 * k + 1, ps[i + k].account_id);
			bind_day(st, 3 * k + 2, ps[i + k].next_eval_on);
			bind_day(st, 3 * k + 3, ps[i + k].last_eval_on);
		}
		if (sq_done(q, ST_POLICY_STATE_SET8, st, "policy state")) return STORE_ERR;
	}
	for (; i < n; i++)
		if (sq_policy_state_set(s, &ps[i])) return STORE_ERR;
	return STORE_OK;
}

static store_rc sq_run_simple(sq_store *q, store_stmt id, const char *what)
{
	sqlite3_stmt *st = sq_get(q, id);
	if (!st) return STORE_ERR;
	return sq_done(q, id, st, what);
}

static store_rc sq_policy_state_note_dirty(store *s)
{
	sq_store *q = SQ(s);
	if (sq_run_simple(q, ST_POLICY_STATE_NEW_DIRTY, "policy state of new accounts")) return STORE_ERR;
	return sq_run_simple(q, ST_POLICY_STATE_PULL_DIRTY, "policy state of accounts with payments");
}

static store_rc sq_run_day_open(store *s, civil_day day, int replan, int *created)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_RUN_DAY_OPEN);
	if (!st) return STORE_ERR;
	bind_day(st, 1, day);
	if (sq_done(q, ST_RUN_DAY_OPEN, st, "run partitions")) return STORE_ERR;
	*created = sqlite3_changes(q->db) > 0;
	if (!*created || !replan) return STORE_OK;
	st = sq_get(q, ST_RUN_DAY_REPLAN);
	if (!st) return STORE_ERR;
	bind_day(st, 1, day);
	return sq_done(q, ST_RUN_DAY_REPLAN, st, "re-plan");
}

static store_rc sq_run_part_claim(store *s, civil_day day, const char *owner, int lease_s, int *part)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_RUN_PART_CLAIM);
	if (!st) return STORE_ERR;
	bind_text(st, 1, owner);
	bind_i64(st, 2, lease_s);
	bind_day(st, 3, day);
	int rc = sqlite3_step(st);
	store_rc r = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		*part = sqlite3_column_int(st, 0);
		r = STORE_OK;
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE) r = sq_fail(q, "claim a partition");
	sq_put(q, ST_RUN_PART_CLAIM, st);
	return r;
}

static store_rc sq_run_part_update(store *s, civil_day day, int part, const char *owner, int lease_s,
                                   int64_t accounts, int64_t decisions, int64_t unchanged, int done)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_RUN_PART_UPDATE);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, accounts);
	bind_i64(st, 2, decisions);
	bind_i64(st, 3, unchanged);
	bind_i64(st, 4, done);
	bind_i64(st, 5, lease_s);
	bind_day(st, 6, day);
	bind_i64(st, 7, part);
	bind_text(st, 8, owner);
	if (sq_done(q, ST_RUN_PART_UPDATE, st, "partition update")) return STORE_ERR;
	return sqlite3_changes(q->db) ? STORE_OK : STORE_NOT_FOUND;
}

static store_rc sq_run_day_left(store *s, civil_day day, int *total, int *left)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_RUN_DAY_LEFT);
	if (!st) return STORE_ERR;
	bind_day(st, 1, day);
	int rc = sqlite3_step(st);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW) {
		*total = sqlite3_column_int(st, 0);
		*left = sqlite3_column_int(st, 1);
	} else {
		r = sq_fail(q, "partitions left");
	}
	sq_put(q, ST_RUN_DAY_LEFT, st);
	return r;
}

static store_rc sq_run_day_finish(store *s, civil_day day, const char *name, int32_t version)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_RUN_DAY_FINISH);
	if (!st) return STORE_ERR;
	bind_day(st, 1, day);
	bind_text(st, 2, name);
	bind_i64(st, 3, version);
	return sq_done(q, ST_RUN_DAY_FINISH, st, "finish the day");
}

static store_rc sq_run_log_put(store *s, const store_run_log *rl)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_RUN_LOG_PUT);
	if (!st) return STORE_ERR;
	bind_day(st, 1, rl->day);
	bind_text(st, 2, rl->policy_name);
	bind_i64(st, 3, rl->policy_version);
	bind_i64(st, 4, rl->accounts_evaluated);
	bind_i64(st, 5, rl->decisions);
	bind_i64(st, 6, rl->finished ? 1 : 0);
	return sq_done(q, ST_RUN_LOG_PUT, st, "run log");
}

static store_rc sq_run_log_last(store *s, store_run_log *out)
{
	sq_store *q = SQ(s);
	sqlite3_stmt *st = sq_get(q, ST_RUN_LOG_LAST);
	if (!st) return STORE_ERR;
	int rc = sqlite3_step(st);
	store_rc r = STORE_OK;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->day = col_day(st, RCOL_DAY);
		col_text(st, RCOL_POLICY_NAME, out->policy_name, sizeof out->policy_name);
		out->policy_version = sqlite3_column_int(st, RCOL_POLICY_VERSION);
		out->accounts_evaluated = sqlite3_column_int64(st, RCOL_ACCOUNTS);
		out->decisions = sqlite3_column_int64(st, RCOL_DECISIONS);
		out->finished = sqlite3_column_int(st, RCOL_FINISHED);
	} else {
		r = rc == SQLITE_DONE ? STORE_NOT_FOUND : sq_fail(q, "run log");
	}
	sq_put(q, ST_RUN_LOG_LAST, st);
	return r;
}

static void read_decision(sqlite3_stmt *st, store_decision *d)
{
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(st, DCOL_ID);
	col_text(st, DCOL_DEDUPE_KEY, d->dedupe_key, sizeof d->dedupe_key);
	d->account_id = sqlite3_column_int64(st, DCOL_ACCOUNT_ID);
	d->day = col_day(st, DCOL_DAY);
	col_text(st, DCOL_SEGMENT, d->segment, sizeof d->segment);
	col_text(st, DCOL_STEP, d->step, sizeof d->step);
	col_text(st, DCOL_ACTION, d->action, sizeof d->action);
	col_text(st, DCOL_CHANNELS, d->channels, sizeof d->channels);
	col_text(st, DCOL_TEMPLATE, d->template_name, sizeof d->template_name);
	col_text(st, DCOL_TASK_KIND, d->task_kind, sizeof d->task_kind);
	col_text(st, DCOL_ASSIGNEE, d->assignee, sizeof d->assignee);
	d->four_eyes = sqlite3_column_int(st, DCOL_FOUR_EYES);
	col_text(st, DCOL_STATUS, d->status, sizeof d->status);
	d->created_by_run_day = col_day(st, DCOL_CREATED_BY_RUN_DAY);
	d->anchor = col_day(st, DCOL_ANCHOR);
	d->dpd = sqlite3_column_int(st, DCOL_DPD);
	d->late_amount = sqlite3_column_int64(st, DCOL_LATE_AMOUNT);
	col_text(st, DCOL_ACCOUNT_EXT_ID, d->account_ext_id, sizeof d->account_ext_id);
	col_text(st, DCOL_CURRENCY, d->currency, sizeof d->currency);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		bind_text(st, i, s);
	else
		sqlite3_bind_null(st, i);
}

static store_rc sq_decisions_each(store *s, const store_decision_filter *f, store_decision_fn fn, void *ctx)
{
	sq_store *q = SQ(s);
	store_stmt id = f->by_priority ? ST_DECISIONS_EACH_PRIO : ST_DECISIONS_EACH;
	sqlite3_stmt *st = sq_get(q, id);
	if (!st) return STORE_ERR;
	bind_i64(st, 1, f->account_id);
	bind_text_or_null(st, 2, f->action);
	bind_text_or_null(st, 3, f->status);
	bind_day(st, 4, f->from);
	bind_day(st, 5, f->to);
	bind_text_or_null(st, 6, f->assignee);
	int rc;
	store_rc r = STORE_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_decision d;
		read_decision(st, &d);
		int frc = fn(ctx, &d);
		if (frc) {
			r = stopped(s, "decisions", frc);
			break;
		}
	}
	if (r == STORE_OK && rc != SQLITE_DONE) r = sq_fail(q, "decisions");
	sq_put(q, id, st);
	return r;
}

/* --- the back-end ---------------------------------------------------------------------------- */

/* --- generic statements (store_query.h) ------------------------------------------------------ */

#define SQ_QCACHE 128

struct sq_qslot {
	const char *sql; /* the text's address: texts are static */
	sqlite3_stmt *st;
	int busy;
};

typedef struct {
	sqlite3_stmt *st;
	struct sq_qslot *slot; /* NULL: not cached, finalised at the end */
	int64_t changes;
} sq_qh;

static void sq_q_cache_free(sq_store *q)
{
	if (!q->qc) return;
	for (int i = 0; i < SQ_QCACHE; i++)
		sqlite3_finalize(q->qc[i].st);
	free(q->qc);
	q->qc = NULL;
}

static void *sq_q_prepare(store *s, const char *sql)
{
	sq_store *q = SQ(s);
	if (!q->qc) q->qc = calloc(SQ_QCACHE, sizeof *q->qc);
	sq_qh *h = calloc(1, sizeof *h);
	if (!h || !q->qc) {
		free(h);
		store_fail(s, "out of memory");
		return NULL;
	}
	struct sq_qslot *free_slot = NULL;
	for (int i = 0; i < SQ_QCACHE; i++) {
		struct sq_qslot *e = &q->qc[i];
		if (e->sql == sql && !e->busy) {
			e->busy = 1;
			h->st = e->st;
			h->slot = e;
			return h;
		}
		if (!e->sql && !free_slot) free_slot = e;
	}
	if (sqlite3_prepare_v3(q->db, sql, -1, free_slot ? SQLITE_PREPARE_PERSISTENT : 0, &h->st, NULL) !=
	    SQLITE_OK) {
		sq_fail(q, "prepare");
		free(h);
		return NULL;
	}
	if (free_slot) {
		free_slot->sql = sql;
		free_slot->st = h->st;
		free_slot->busy = 1;
		h->slot = free_slot;
	}
	return h;
}

static int sq_q_step(store *s, void *hv, const store_qparams *p, int first)
{
	sq_store *q = SQ(s);
	sq_qh *h = hv;
	if (first) {
		for (int i = 0; i < p->n; i++) {
			char name[16];
			snprintf(name, sizeof name, "$%d", i + 1);
			int k = sqlite3_bind_parameter_index(h->st, name);
			if (!k) continue; /* not used by this text */
			int rc = p->kind[i] == 1   ? sqlite3_bind_int64(h->st, k, p->i[i])
			         : p->kind[i] == 2 ? sqlite3_bind_text(h->st, k, p->t[i], -1, SQLITE_STATIC)
			                           : sqlite3_bind_null(h->st, k);
			if (rc != SQLITE_OK) {
				sq_fail(q, "bind");
				return -1;
			}
		}
	}
	int rc = sqlite3_step(h->st);
	if (rc == SQLITE_ROW) return 1;
	if (rc == SQLITE_DONE) {
		h->changes = sqlite3_changes(q->db);
		return 0;
	}
	sq_fail(q, "statement");
	return -1;
}

static int64_t sq_q_int(void *hv, int c)
{
	return sqlite3_column_int64(((sq_qh *)hv)->st, c);
}

static const char *sq_q_text(void *hv, int c)
{
	sq_qh *h = hv;
	if (sqlite3_column_type(h->st, c) == SQLITE_NULL) return NULL;
	return (const char *)sqlite3_column_text(h->st, c);
}

static int64_t sq_q_changes(store *s, void *hv)
{
	(void)s;
	return ((sq_qh *)hv)->changes;
}

static void sq_q_finish(store *s, void *hv)
{
	(void)s;
	sq_qh *h = hv;
	if (h->slot) {
		sqlite3_reset(h->st);
		sqlite3_clear_bindings(h->st);
		h->slot->busy = 0;
	} else {
		sqlite3_finalize(h->st);
	}
	free(h);
}

static const store_ops SQLITE_OPS = {
    .name = "sqlite",
    .q_prepare = sq_q_prepare,
    .q_step = sq_q_step,
    .q_int = sq_q_int,
    .q_text = sq_q_text,
    .q_changes = sq_q_changes,
    .q_finish = sq_q_finish,
    .close = sq_close,
    .init = sq_init,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .client_put = sq_client_put,
    .client_get = sq_client_get,
    .account_put = sq_account_put,
    .account_get = sq_account_get,
    .account_write_off = sq_account_write_off,
    .obligations_set = sq_obligations_set,
    .obligations_get = sq_obligations_get,
    .payment_put = sq_payment_put,
    .payment_get = sq_payment_get,
    .payment_reverse = sq_payment_reverse,
    .payments_get = sq_payments_get,
    .account_put_many = sq_account_put_many,
    .payment_put_many = sq_payment_put_many,
    /* clients and obligation sets: store.c's loop (sets already go four rows per statement) */
    .ledger_rebuild = sq_ledger_rebuild,
    .bucket_history_get = sq_bucket_history_get,
    .scan = sq_scan,
    .each_client = sq_each_client,
    .each_account = sq_each_account,
    .each_obligation = sq_each_obligation,
    .each_payment = sq_each_payment,
    .decision_put = sq_decision_put,
    .policy_state_set = sq_policy_state_set,
    .due_accounts = sq_due_accounts,
    .run_log_put = sq_run_log_put,
    .run_log_last = sq_run_log_last,
    .decisions_each = sq_decisions_each,
    .decision_put_many = sq_decision_put_many,
    .policy_state_set_many = sq_policy_state_set_many,
    .policy_state_note_dirty = sq_policy_state_note_dirty,
    .run_day_open = sq_run_day_open,
    .run_part_claim = sq_run_part_claim,
    .run_part_update = sq_run_part_update,
    .run_day_left = sq_run_day_left,
    .run_day_finish = sq_run_day_finish,
};

store_rc store_sqlite_open(const char *path, store **out, char *err, size_t errcap)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sq_global_setup);
	*out = NULL;
	sq_store *q = calloc(1, sizeof *q);
	if (!q) {
		snprintf(err, errcap, "out of memory");
		return STORE_ERR;
	}
	q->base.ops = &SQLITE_OPS;
	int rc = sqlite3_open_v2(path, &q->db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errcap, "cannot open %s: %s", path,
		         q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
		sqlite3_close(q->db);
		free(q);
		return STORE_ERR;
	}
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(q->db, 1);
	if (sq_exec(q, store_sql(ST_SETTINGS_OPEN, SQL_SQLITE))) {
		snprintf(err, errcap, "cannot open %s: %s", path, q->base.errmsg);
		sq_close(&q->base);
		return STORE_ERR;
	}
	*out = &q->base;
	return STORE_OK;
}

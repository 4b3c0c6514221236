/* store_pg.c: the PostgreSQL back-end of the store (libpq, one connection).
 * Statements come from store_sql.c and are prepared (PQprepare) on first use, then reused.
 * Parameters: integers travel as text, strings and blobs as binary (no quoting, no terminator
 * needed); results are binary (integers big-endian, bytea raw).
 *
 * Round trips and per-statement work are the cost here. Each one-row put is one statement: a
 * data-modifying CTE that inserts with ON CONFLICT DO NOTHING and returns the existing row when
 * there was one (a failed statement would abort the caller's transaction, so nothing relies on
 * catching an error). The batch forms send up to 1000 rows per statement as arrays (unnest), and
 * join each row's fate back by its position. Scans, exports and the rebuild read through cursors
 * (FETCH 10000), so memory stays flat; the rebuild writes by chunks of 1000 accounts too. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_impl.h"
#include "store/store_sql.h"

#define PG_MAXP  16      /* parameters of the widest statement */
#define ROWS_MAX 1000000 /* obligations or payments of one account held by the rebuild */
#define OB_MAX   100000  /* obligations of one account in store_obligations_set */

typedef struct {
	store base;
	PGconn *conn;
	unsigned char prepared[ST_N];
	obligation *ob; /* rebuild buffers */
	int ob_cap;
	store_payment *pay;
	int pay_cap;
	char *arr; /* array literals of the batch being built */
	size_t arr_cap;
} pg_store;

static pg_store *PG(store *s)
{
	return (pg_store *)s;
}

/* "message" of a libpq error, without the trailing newline */
static store_rc pg_fail(pg_store *g, const char *what, const char *msg)
{
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	return store_fail(&g->base, "%s: %.*s", what, (int)(n > 900 ? 900 : n), msg);
}

/* --- parameters ------------------------------------------------------------------------------ */

typedef struct {
	int n;
	const char *v[PG_MAXP];
	int len[PG_MAXP];
	int fmt[PG_MAXP];
	char num[PG_MAXP][24];
} pgp;

static void p_i64(pgp *p, int64_t x)
{
	snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)x);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void p_day(pgp *p, civil_day d)
{
	if (d != DATE_NONE) {
		p_i64(p, d);
		return;
	}
	p->v[p->n] = NULL;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void p_bin(pgp *p, const void *b, size_t len)
{
	p->v[p->n] = b;
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = 1;
}

static void p_text(pgp *p, const char *s)
{
	p_bin(p, s, strlen(s)); /* binary text = the bytes themselves */
}

static void p_str(pgp *p, const char *s) /* text format, NUL-terminated (array literals) */
{
	p->v[p->n] = s;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

/* --- results --------------------------------------------------------------------------------- */

static int64_t g_i64(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col)) return 0;
	const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
	int len = PQgetlength(r, row, col);
	if (PQfformat(r, col) == 0) return strtoll((const char *)v, NULL, 10);
	uint64_t x = 0;
	for (int i = 0; i < len; i++)
		x = x << 8 | v[i];
	switch (len) {
	case 1:
		return (int8_t)x;
	case 2:
		return (int16_t)x;
	case 4:
		return (int32_t)x;
	default:
		return (int64_t)x;
	}
}

static civil_day g_day(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? DATE_NONE : (civil_day)g_i64(r, row, col);
}

static void g_text(const PGresult *r, int row, int col, char *dst, size_t cap)
{
	store_copy_field(dst, cap, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

static void read_client(const PGresult *r, int row, store_client *c)
{
	memset(c, 0, sizeof *c);
	c->id = g_i64(r, row, CCOL_ID);
	g_text(r, row, CCOL_EXT_ID, c->ext_id, sizeof c->ext_id);
	g_text(r, row, CCOL_NAME, c->name, sizeof c->name);
	g_text(r, row, CCOL_BRANCH, c->branch, sizeof c->branch);
	g_text(r, row, CCOL_OFFICER, c->officer, sizeof c->officer);
	g_text(r, row, CCOL_PHONE, c->phone, sizeof c->phone);
	g_text(r, row, CCOL_EMAIL, c->email, sizeof c->email);
	g_text(r, row, CCOL_LANGUAGE, c->language, sizeof c->language);
}

static void read_account(const PGresult *r, int row, store_account *a)
{
	memset(a, 0, sizeof *a);
	a->id = g_i64(r, row, ACOL_ID);
	a->client_id = g_i64(r, row, ACOL_CLIENT_ID);
	a->kind = (store_kind)g_i64(r, row, ACOL_KIND);
	g_text(r, row, ACOL_EXT_ID, a->ext_id, sizeof a->ext_id);
	g_text(r, row, ACOL_CLIENT_EXT_ID, a->client_ext_id, sizeof a->client_ext_id);
	g_text(r, row, ACOL_CURRENCY, a->currency, sizeof a->currency);
	a->principal = g_i64(r, row, ACOL_PRINCIPAL);
	a->start_on = g_day(r, row, ACOL_START_ON);
	a->due_on = g_day(r, row, ACOL_DUE_ON);
	a->written_off_on = g_day(r, row, ACOL_WRITTEN_OFF_ON);
	g_text(r, row, ACOL_PRODUCT, a->product, sizeof a->product);
	g_text(r, row, ACOL_BRANCH, a->branch, sizeof a->branch);
	g_text(r, row, ACOL_OFFICER, a->officer, sizeof a->officer);
}

static void read_payment(const PGresult *r, int row, int off, store_payment *p)
{
	memset(p, 0, sizeof *p);
	p->id = g_i64(r, row, off + PCOL_ID);
	p->account_id = g_i64(r, row, off + PCOL_ACCOUNT_ID);
	g_text(r, row, off + PCOL_EXT_ID, p->ext_id, sizeof p->ext_id);
	p->paid_on = g_day(r, row, off + PCOL_PAID_ON);
	p->reversed_on = g_day(r, row, off + PCOL_REVERSED_ON);
	p->amount = g_i64(r, row, off + PCOL_AMOUNT);
	g_text(r, row, off + PCOL_REFERENCE, p->reference, sizeof p->reference);
}

static void read_obligation(const PGresult *r, int row, int off, obligation *o)
{
	o->due_on = g_day(r, row, off + OCOL_DUE_ON);
	o->amount[COMP_PRINCIPAL] = g_i64(r, row, off + OCOL_PRINCIPAL);
	o->amount[COMP_INTEREST] = g_i64(r, row, off + OCOL_INTEREST);
	o->amount[COMP_FEE] = g_i64(r, row, off + OCOL_FEES);
	o->amount[COMP_PENALTY] = g_i64(r, row, off + OCOL_PENALTIES);
}

/* --- running statements ---------------------------------------------------------------------- */

static void stmt_name(store_stmt id, char *buf, size_t cap)
{
	snprintf(buf, cap, "vigie_%d", (int)id);
}

static store_rc pg_prepare(pg_store *g, store_stmt id)
{
	if (g->prepared[id]) return STORE_OK;
	const char *sql = store_sql(id, SQL_PG);
	if (!sql) return store_fail(&g->base, "internal: statement %d has no PostgreSQL text", (int)id);
	char name[32];
	stmt_name(id, name, sizeof name);
	PGresult *r = PQprepare(g->conn, name, sql, 0, NULL);
	store_rc rc = STORE_OK;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_fail(g, "prepare", PQresultErrorMessage(r));
	else
		g->prepared[id] = 1;
	PQclear(r);
	return rc;
}

static int pg_ok(const PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs a prepared statement; the result (binary) is the caller's to PQclear, NULL on error. */
static PGresult *pg_run(pg_store *g, store_stmt id, const pgp *p)
{
	if (pg_prepare(g, id)) return NULL;
	char name[32];
	stmt_name(id, name, sizeof name);
	PGresult *r = PQexecPrepared(g->conn, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL,
	                             p ? p->fmt : NULL, 1);
	if (!pg_ok(r)) {
		pg_fail(g, "query", r ? PQresultErrorMessage(r) : PQerrorMessage(g->conn));
		PQclear(r);
		return NULL;
	}
	return r;
}

static store_rc pg_run_done(pg_store *g, store_stmt id, const pgp *p)
{
	PGresult *r = pg_run(g, id, p);
	if (!r) return STORE_ERR;
	PQclear(r);
	return STORE_OK;
}

/* Runs an unprepared statement (cursor declarations, fetches, closes, DDL). */
static PGresult *pg_exec(pg_store *g, const char *sql, const pgp *p)
{
	PGresult *r = PQexecParams(g->conn, sql, p ? p->n : 0, NULL, p ? p->v : NULL, p ? p->len : NULL,
	                           p ? p->fmt : NULL, 1);
	if (!pg_ok(r)) {
		pg_fail(g, "query", r ? PQresultErrorMessage(r) : PQerrorMessage(g->conn));
		PQclear(r);
		return NULL;
	}
	return r;
}

static store_rc pg_exec_done(pg_store *g, const char *sql, const pgp *p)
{
	PGresult *r = pg_exec(g, sql, p);
	if (!r) return STORE_ERR;
	PQclear(r);
	return STORE_OK;
}

/* --- opening, schema, transactions ----------------------------------------------------------- */

static void pg_close(store *s)
{
	pg_store *g = PG(s);
	PQfinish(g->conn);
	free(g->ob);
	free(g->pay);
	free(g->arr);
	store_base_free(s);
	free(g);
}

static int pg_schema_version(store *s)
{
	pg_store *g = PG(s);
	PGresult *r = pg_run(g, ST_HAS_SCHEMA, NULL);
	if (!r) return -1;
	int has = PQntuples(r) == 1 && g_i64(r, 0, 0) > 0;
	PQclear(r);
	if (!has) return -1;
	r = pg_run(g, ST_SCHEMA_VERSION, NULL);
	if (!r) return -1;
	int v = PQntuples(r) == 1 ? (int)g_i64(r, 0, 0) : -1;
	PQclear(r);
	return v > 0 ? v : -1;
}

static store_rc pg_init(store *s)
{
	pg_store *g = PG(s);
	if (pg_run_done(g, ST_BEGIN, NULL)) return STORE_ERR;
	if (pg_run_done(g, ST_INIT_LOCK, NULL) ||
	    pg_exec_done(g, STORE_SQL_SCHEMA_VERSION_TABLE[SQL_PG], NULL))
		goto fail;
	int have = pg_schema_version(s);
	if (have < 0) have = 0;
	for (int v = have + 1; v <= store_migration_count(); v++) {
		for (const char *const *sql = store_migration(v, SQL_PG); *sql; sql++)
			if (pg_exec_done(g, *sql, NULL)) goto fail;
		pgp p = {0};
		p_i64(&p, v);
		if (pg_run_done(g, ST_SCHEMA_VERSION_ADD, &p)) goto fail;
	}
	if (pg_run_done(g, ST_COMMIT, NULL)) return store_fail(s, "store_init: %.900s", s->errmsg);
	return STORE_OK;
fail:;
	char msg[STORE_ERRMSG_MAX];
	memcpy(msg, s->errmsg, sizeof msg);
	pg_run_done(g, ST_ROLLBACK, NULL);
	return store_fail(s, "store_init: %.900s", msg);
}

static store_rc pg_begin(store *s, int bulk)
{
	pg_store *g = PG(s);
	if (pg_run_done(g, ST_BEGIN, NULL)) return STORE_ERR;
	if (bulk && pg_run_done(g, ST_SETTINGS_BULK, NULL)) {
		char msg[STORE_ERRMSG_MAX];
		memcpy(msg, s->errmsg, sizeof msg);
		pg_run_done(g, ST_ROLLBACK, NULL);
		memcpy(s->errmsg, msg, sizeof msg);
		return STORE_ERR;
	}
	return STORE_OK;
}

static store_rc pg_commit(store *s)
{
	return pg_run_done(PG(s), ST_COMMIT, NULL);
}

static store_rc pg_rollback(store *s)
{
	pg_store *g = PG(s);
	if (PQtransactionStatus(g->conn) == PQTRANS_IDLE)
		return STORE_OK; /* the server already ended it (a failed COMMIT) */
	return pg_run_done(g, ST_ROLLBACK, NULL);
}

/* --- puts: one statement each ---------------------------------------------------------------- */

/* What a put's result says: done (rc/res set), or retry: the statement lost a race with a
 * concurrent insert of the same key and saw neither its own row nor the other (run it again). */
enum { FIN_DONE = 0, FIN_RETRY = 1 };

typedef struct put_kind {
	store_stmt stmt;
	store_rc (*params)(pg_store *g, const void *row, pgp *p);
	int (*finish)(pg_store *g, void *row, const PGresult *r, store_rc *rc, store_put *res);
} put_kind;

/* One row, alone: one round trip (two after a lost race). */
static store_rc put_one(pg_store *g, const put_kind *k, void *row, store_put *res)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		pgp p = {0};
		if (k->params(g, row, &p)) return STORE_ERR;
		PGresult *r = pg_run(g, k->stmt, &p);
		if (!r) return STORE_ERR;
		store_rc rc = STORE_OK;
		int fin = k->finish(g, row, r, &rc, res);
		PQclear(r);
		if (fin == FIN_DONE) return rc;
	}
	return store_fail(&g->base, "put: lost a race with a concurrent writer three times");
}

/* clients */

static store_rc client_params(pg_store *g, const void *row, pgp *p)
{
	(void)g;
	const store_client *c = row;
	p_text(p, c->ext_id);
	p_text(p, c->name);
	p_text(p, c->branch);
	p_text(p, c->officer);
	p_text(p, c->phone);
	p_text(p, c->email);
	p_text(p, c->language);
	return STORE_OK;
}

static int client_finish(pg_store *g, void *row, const PGresult *r, store_rc *rc, store_put *res)
{
	(void)g;
	store_client *c = row;
	if (PQntuples(r) != 1) return FIN_RETRY;
	if (!PQgetisnull(r, 0, 0)) {
		c->id = g_i64(r, 0, 0);
		*res = PUT_INSERTED;
	} else if (!PQgetisnull(r, 0, 1)) {
		c->id = g_i64(r, 0, 1);
		*res = PUT_UPDATED;
	} else if (!PQgetisnull(r, 0, 2)) {
		c->id = g_i64(r, 0, 2);
		*res = PUT_UNCHANGED;
	} else {
		return FIN_RETRY;
	}
	*rc = STORE_OK;
	return FIN_DONE;
}

static const put_kind CLIENT_PUT = {ST_CLIENT_PUT, client_params, client_finish};

static store_rc pg_client_put(store *s, store_client *c, store_put *res)
{
	return put_one(PG(s), &CLIENT_PUT, c, res);
}

static store_rc pg_client_get(store *s, const char *ext_id, store_client *out)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_text(&p, ext_id);
	PGresult *r = pg_run(g, ST_CLIENT_GET, &p);
	if (!r) return STORE_ERR;
	store_rc rc = PQntuples(r) ? STORE_OK : STORE_NOT_FOUND;
	if (rc == STORE_OK) read_client(r, 0, out);
	PQclear(r);
	return rc;
}

/* accounts */

static store_rc account_params(pg_store *g, const void *row, pgp *p)
{
	(void)g;
	const store_account *a = row;
	p_text(p, a->ext_id);
	p_i64(p, a->kind);
	p_i64(p, a->client_id);
	p_text(p, a->currency);
	p_i64(p, a->principal);
	p_day(p, a->start_on);
	p_day(p, a->due_on);
	p_day(p, a->written_off_on);
	p_text(p, a->product);
	p_text(p, a->branch);
	p_text(p, a->officer);
	return STORE_OK;
}

static int account_finish(pg_store *g, void *row, const PGresult *r, store_rc *rc, store_put *res)
{
	store_account *a = row;
	if (PQntuples(r) != 1) return FIN_RETRY;
	if (g_i64(r, 0, 0) == 1) {
		a->id = g_i64(r, 0, 1);
		store_dirty_note(&g->base, a->id); /* born dirty: no derived data yet */
		*res = PUT_INSERTED;
		*rc = STORE_OK;
		return FIN_DONE;
	}
	store_account old = {0};
	old.id = g_i64(r, 0, 1);
	old.kind = (store_kind)g_i64(r, 0, 2);
	old.client_id = g_i64(r, 0, 3);
	g_text(r, 0, 4, old.currency, sizeof old.currency);
	old.principal = g_i64(r, 0, 5);
	old.start_on = g_day(r, 0, 6);
	old.due_on = g_day(r, 0, 7);
	old.written_off_on = g_day(r, 0, 8);
	g_text(r, 0, 9, old.product, sizeof old.product);
	g_text(r, 0, 10, old.branch, sizeof old.branch);
	g_text(r, 0, 11, old.officer, sizeof old.officer);
	if (!store_account_same(a, &old)) {
		*rc =
		    store_conflict(&g->base, "account %s: already stored with different content", a->ext_id);
		return FIN_DONE;
	}
	a->id = old.id;
	*res = PUT_UNCHANGED;
	*rc = STORE_OK;
	return FIN_DONE;
}

static const put_kind ACCOUNT_PUT = {ST_ACCOUNT_PUT, account_params, account_finish};

static store_rc pg_account_put(store *s, store_account *a, store_put *res)
{
	return put_one(PG(s), &ACCOUNT_PUT, a, res);
}

static store_rc pg_account_get(store *s, const char *ext_id, store_account *out)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_text(&p, ext_id);
	PGresult *r = pg_run(g, ST_ACCOUNT_GET, &p);
	if (!r) return STORE_ERR;
	store_rc rc = PQntuples(r) ? STORE_OK : STORE_NOT_FOUND;
	if (rc == STORE_OK) read_account(r, 0, out);
	PQclear(r);
	return rc;
}

static store_rc pg_mark_dirty(pg_store *g, int64_t account_id)
{
	if (store_dirty_known(&g->base, account_id)) return STORE_OK;
	pgp p = {0};
	p_i64(&p, account_id);
	if (pg_run_done(g, ST_DIRTY_MARK, &p)) return STORE_ERR;
	store_dirty_note(&g->base, account_id);
	return STORE_OK;
}

static store_rc pg_account_write_off(store *s, int64_t account_id, civil_day on)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_day(&p, on);
	p_i64(&p, account_id);
	PGresult *r = pg_run(g, ST_ACCOUNT_WRITE_OFF, &p);
	if (!r) return STORE_ERR;
	int changed = atoi(PQcmdTuples(r));
	PQclear(r);
	if (!changed) return STORE_NOT_FOUND;
	return pg_mark_dirty(g, account_id);
}

/* obligations */

/* Appends "{a,b,...}" of one component (or the due dates when comp < 0) to g->arr at *off. */
static void arr_put(pg_store *g, size_t *off, const obligation *ob, int n, int comp)
{
	char *b = g->arr + *off;
	size_t o = 0;
	b[o++] = '{';
	for (int i = 0; i < n; i++) {
		if (i) b[o++] = ',';
		long long v = comp < 0 ? (long long)ob[i].due_on : (long long)ob[i].amount[comp];
		o += (size_t)snprintf(b + o, 24, "%lld", v);
	}
	b[o++] = '}';
	b[o++] = '\0';
	*off += o;
}

static store_rc oblig_params(pg_store *g, const void *row, pgp *p)
{
	const store_obligation_set *set = row;
	if (set->n > OB_MAX)
		return store_fail(&g->base, "account %lld: more than %d obligations",
		                  (long long)set->account_id, OB_MAX);
	size_t need = 5 * ((size_t)set->n * 22 + 3);
	if (need > g->arr_cap) {
		char *nb = realloc(g->arr, need);
		if (!nb) return store_fail(&g->base, "out of memory");
		g->arr = nb;
		g->arr_cap = need;
	}
	/* offsets first, pointers after: the buffer no longer moves */
	size_t off = 0, at[5];
	static const int comps[5] = {-1, COMP_PRINCIPAL, COMP_INTEREST, COMP_FEE, COMP_PENALTY};
	for (int k = 0; k < 5; k++) {
		at[k] = off;
		arr_put(g, &off, set->ob, set->n, comps[k]);
	}
	p_i64(p, set->account_id);
	for (int k = 0; k < 5; k++)
		p_str(p, g->arr + at[k]);
	p_i64(p, store_dirty_known(&g->base, set->account_id) ? 0 : 1);
	return STORE_OK;
}

static int oblig_finish(pg_store *g, void *row, const PGresult *r, store_rc *rc, store_put *res)
{
	const store_obligation_set *set = row;
	int rows = PQntuples(r);
	if (rows < 1) {
		*rc = pg_fail(g, "obligations set", "no result row");
		return FIN_DONE;
	}
	int64_t inserted = g_i64(r, 0, 0);
	if (PQgetisnull(r, 0, 1)) { /* the account had no obligations */
		if (inserted == set->n) {
			if (set->n > 0) store_dirty_note(&g->base, set->account_id);
			*res = set->n > 0 ? PUT_INSERTED : PUT_UNCHANGED;
			*rc = STORE_OK;
			return FIN_DONE;
		}
		if (inserted == 0)
			return FIN_RETRY; /* a concurrent writer set them first: compare with theirs */
		*rc = store_fail(&g->base, "account %lld: obligations changed concurrently",
		                 (long long)set->account_id);
		return FIN_DONE;
	}
	int same = rows == set->n;
	for (int i = 0; same && i < rows; i++) {
		obligation o;
		read_obligation(r, i, 2, &o);
		same = store_obligation_same(&o, &set->ob[i]);
	}
	if (!same) {
		*rc = store_conflict(&g->base, "account %lld: already has different obligations",
		                     (long long)set->account_id);
		return FIN_DONE;
	}
	*res = PUT_UNCHANGED;
	*rc = STORE_OK;
	return FIN_DONE;
}

static const put_kind OBLIG_SET = {ST_OBLIGATIONS_SET, oblig_params, oblig_finish};

static store_rc pg_obligations_set(store *s, int64_t account_id, const obligation *ob, int n, store_put *res)
{
	store_obligation_set set = {.account_id = account_id, .ob = ob, .n = n};
	return put_one(PG(s), &OBLIG_SET, &set, res);
}

static store_rc pg_obligations_get(store *s, int64_t account_id, obligation *buf, int cap, int *n)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_i64(&p, account_id);
	PGresult *r = pg_run(g, ST_OBLIGATIONS_GET, &p);
	if (!r) return STORE_ERR;
	int rows = PQntuples(r);
	for (int i = 0; i < rows && i < cap; i++)
		read_obligation(r, i, 0, &buf[i]);
	*n = rows;
	PQclear(r);
	return STORE_OK;
}

/* payments */

static store_rc payment_params(pg_store *g, const void *row, pgp *p)
{
	const store_payment *pay = row;
	p_text(p, pay->ext_id);
	p_i64(p, pay->account_id);
	p_day(p, pay->paid_on);
	p_day(p, pay->reversed_on);
	p_i64(p, pay->amount);
	p_text(p, pay->reference);
	p_i64(p, store_dirty_known(&g->base, pay->account_id) ? 0 : 1);
	return STORE_OK;
}

static int payment_finish(pg_store *g, void *row, const PGresult *r, store_rc *rc, store_put *res)
{
	store_payment *pay = row;
	if (PQntuples(r) != 1) return FIN_RETRY;
	if (g_i64(r, 0, 0) == 1) {
		pay->id = g_i64(r, 0, 1);
		store_dirty_note(&g->base, pay->account_id);
		*res = PUT_INSERTED;
		*rc = STORE_OK;
		return FIN_DONE;
	}
	store_payment old = {0};
	old.id = g_i64(r, 0, 1);
	old.account_id = g_i64(r, 0, 2);
	old.paid_on = g_day(r, 0, 3);
	old.amount = g_i64(r, 0, 4);
	if (!store_payment_same(pay, &old)) {
		*rc = store_conflict(&g->base,
		                     "payment %s: already posted with a different account, date or amount",
		                     pay->ext_id);
		return FIN_DONE;
	}
	pay->id = old.id;
	*res = PUT_UNCHANGED;
	*rc = STORE_OK;
	return FIN_DONE;
}

static const put_kind PAYMENT_PUT = {ST_PAYMENT_PUT, payment_params, payment_finish};

static store_rc pg_payment_put(store *s, store_payment *p, store_put *res)
{
	return put_one(PG(s), &PAYMENT_PUT, p, res);
}

static store_rc pg_payment_get(store *s, const char *ext_id, store_payment *out)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_text(&p, ext_id);
	PGresult *r = pg_run(g, ST_PAYMENT_GET, &p);
	if (!r) return STORE_ERR;
	store_rc rc = PQntuples(r) ? STORE_OK : STORE_NOT_FOUND;
	if (rc == STORE_OK) read_payment(r, 0, 0, out);
	PQclear(r);
	return rc;
}

static store_rc pg_payment_reverse(store *s, const char *ext_id, civil_day on, store_put *res)
{
	pg_store *g = PG(s);
	store_payment old;
	store_rc rc = pg_payment_get(s, ext_id, &old);
	if (rc != STORE_OK) return rc;
	if (old.reversed_on == on) {
		*res = PUT_UNCHANGED;
		return STORE_OK;
	}
	if (old.reversed_on != DATE_NONE)
		return store_conflict(s, "payment %s: already reversed on another day", ext_id);
	pgp p = {0};
	p_day(&p, on);
	p_i64(&p, old.id);
	if (pg_run_done(g, ST_PAYMENT_SET_REVERSED, &p)) return STORE_ERR;
	*res = PUT_UPDATED;
	return pg_mark_dirty(g, old.account_id);
}

static store_rc pg_payments_get(store *s, int64_t account_id, store_payment *buf, int cap, int *n)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_i64(&p, account_id);
	PGresult *r = pg_run(g, ST_PAYMENTS_GET, &p);
	if (!r) return STORE_ERR;
	int rows = PQntuples(r);
	for (int i = 0; i < rows && i < cap; i++)
		read_payment(r, i, 0, &buf[i]);
	*n = rows;
	PQclear(r);
	return STORE_OK;
}

static store_rc pg_bucket_history_get(store *s, int64_t account_id, ledger_bucket_interval *buf, int cap,
                                      int *n)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_i64(&p, account_id);
	PGresult *r = pg_run(g, ST_HISTORY_GET, &p);
	if (!r) return STORE_ERR;
	int rows = PQntuples(r);
	for (int i = 0; i < rows && i < cap; i++) {
		buf[i].bucket = (int)g_i64(r, i, 0);
		buf[i].entered_on = g_day(r, i, 1);
		buf[i].left_on = g_day(r, i, 2);
	}
	*n = rows;
	PQclear(r);
	return STORE_OK;
}

/* --- batches: a chunk of rows per statement, as arrays ----------------------------------------- *
 * A chunk holds up to BATCH_ROWS rows with distinct keys; a row whose key already appeared in the
 * chunk, or that lost a race (no result), runs alone right after the chunk (put_one), when the
 * earlier row is stored: the result is the same as in a row-by-row run, in one round trip per chunk. */

#define BATCH_ROWS 1000
#define HASH_SLOTS 2048 /* > 2 * BATCH_ROWS, a power of two */

/* Array literals of the chunk, built in g->arr: column k starts at at[k]. */
typedef struct {
	pg_store *g;
	size_t len;
	int failed;
} abuf;

static void ab_put(abuf *b, const char *s, size_t n)
{
	if (b->failed) return;
	if (b->len + n + 1 > b->g->arr_cap) {
		size_t nc = b->g->arr_cap ? b->g->arr_cap : 65536;
		while (b->len + n + 1 > nc)
			nc *= 2;
		char *nb = realloc(b->g->arr, nc);
		if (!nb) {
			b->failed = 1;
			return;
		}
		b->g->arr = nb;
		b->g->arr_cap = nc;
	}
	memcpy(b->g->arr + b->len, s, n);
	b->len += n;
}

static void ab_i64(abuf *b, int first, int64_t v)
{
	char t[24];
	int n = snprintf(t + 1, sizeof t - 1, "%lld", (long long)v);
	t[0] = ',';
	ab_put(b, first ? t + 1 : t, (size_t)n + (first ? 0 : 1));
}

static void ab_day(abuf *b, int first, civil_day d)
{
	if (d == DATE_NONE)
		ab_put(b, first ? "NULL" : ",NULL", first ? 4 : 5);
	else
		ab_i64(b, first, d);
}

static void ab_text(abuf *b, int first, const char *s)
{
	if (!first) ab_put(b, ",", 1);
	ab_put(b, "\"", 1);
	for (const char *p = s; *p;) {
		size_t run = strcspn(p, "\"\\");
		ab_put(b, p, run);
		p += run;
		if (*p) {
			char esc[2] = {'\\', *p++};
			ab_put(b, esc, 2);
		}
	}
	ab_put(b, "\"", 1);
}

static size_t ab_open(abuf *b)
{
	size_t at = b->len;
	ab_put(b, "{", 1);
	return at;
}

static void ab_close(abuf *b)
{
	ab_put(b, "}", 2); /* with the terminating NUL */
}

/* Finds repeated keys in rows [0, n): dup[i] = 1 when an earlier row has the same key. */
typedef uint64_t (*key_hash)(const void *rows, int i);
typedef int (*key_eq)(const void *rows, int i, int j);

static void find_repeats(const void *rows, int n, key_hash h, key_eq eq, unsigned char *dup)
{
	short slot[HASH_SLOTS];
	memset(slot, 0xff, sizeof slot); /* -1: empty */
	for (int i = 0; i < n; i++) {
		dup[i] = 0;
		for (uint64_t k = h(rows, i) & (HASH_SLOTS - 1);; k = (k + 1) & (HASH_SLOTS - 1)) {
			if (slot[k] < 0) {
				slot[k] = (short)i;
				break;
			}
			if (eq(rows, slot[k], i)) {
				dup[i] = 1;
				break;
			}
		}
	}
}

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static uint64_t payment_hash(const void *rows, int i)
{
	return fnv(((const store_payment *)rows)[i].ext_id);
}

static int payment_eq(const void *rows, int i, int j)
{
	return !strcmp(((const store_payment *)rows)[i].ext_id, ((const store_payment *)rows)[j].ext_id);
}

static uint64_t account_hash(const void *rows, int i)
{
	return fnv(((const store_account *)rows)[i].ext_id);
}

static int account_eq(const void *rows, int i, int j)
{
	return !strcmp(((const store_account *)rows)[i].ext_id, ((const store_account *)rows)[j].ext_id);
}

static uint64_t set_hash(const void *rows, int i)
{
	return (uint64_t)((const store_obligation_set *)rows)[i].account_id * 0x9e3779b97f4a7c15ULL >> 17;
}

static int set_eq(const void *rows, int i, int j)
{
	return ((const store_obligation_set *)rows)[i].account_id ==
	       ((const store_obligation_set *)rows)[j].account_id;
}

/* Runs a batch statement (ST_*_BATCH): unnamed, so planned for each chunk. A plan cached once would
 * be made from the statistics of the moment, e.g. of the empty tables a bulk load starts with, and
 * scan the whole growing table for every chunk; planned each time, it sees the chunk and the tables'
 * current size (about a millisecond of planning, spread over a thousand rows). */
static PGresult *run_batch(pg_store *g, store_stmt id, const pgp *p)
{
	return pg_exec(g, store_sql(id, SQL_PG), p);
}

/* Runs a batch statement whose parameters are the nparams arrays at g->arr + at[k]. */
static PGresult *run_arrays(pg_store *g, store_stmt id, abuf *b, const size_t *at, int nparams)
{
	if (b->failed) {
		store_fail(&g->base, "out of memory");
		return NULL;
	}
	pgp p = {0};
	for (int k = 0; k < nparams; k++)
		p_str(&p, g->arr + at[k]);
	return run_batch(g, id, &p);
}

/* Rows to run alone after a chunk: repeats, and lost races. */
typedef struct {
	int idx[BATCH_ROWS];
	int n;
} later;

/* In input order: a repeat must not run before the row it repeats, if that one lost a race. */
static void later_sort(later *lt)
{
	for (int i = 1; i < lt->n; i++)
		for (int j = i; j > 0 && lt->idx[j - 1] > lt->idx[j]; j--) {
			int t = lt->idx[j];
			lt->idx[j] = lt->idx[j - 1];
			lt->idx[j - 1] = t;
		}
}

static store_rc pg_payment_put_many(store *s, store_payment *p, int n, store_rc *rc, store_put *res)
{
	pg_store *g = PG(s);
	unsigned char dup[BATCH_ROWS];
	int map[BATCH_ROWS]; /* position in the statement -> row */
	later lt;
	for (int i = 0; i < n; i++)
		rc[i] = STORE_ERR;
	for (int base = 0; base < n; base += BATCH_ROWS) {
		int m = n - base < BATCH_ROWS ? n - base : BATCH_ROWS;
		store_payment *c = p + base;
		find_repeats(c, m, payment_hash, payment_eq, dup);
		abuf b = {g, 0, 0};
		size_t at[7];
		int nu = 0;
		lt.n = 0;
		for (int i = 0; i < m; i++) {
			if (dup[i])
				lt.idx[lt.n++] = i;
			else
				map[nu++] = i;
		}
		for (int k = 0; k < 7; k++) {
			at[k] = ab_open(&b);
			for (int u = 0; u < nu; u++) {
				const store_payment *r = &c[map[u]];
				switch (k) {
				case 0:
					ab_text(&b, !u, r->ext_id);
					break;
				case 1:
					ab_i64(&b, !u, r->account_id);
					break;
				case 2:
					ab_day(&b, !u, r->paid_on);
					break;
				case 3:
					ab_day(&b, !u, r->reversed_on);
					break;
				case 4:
					ab_i64(&b, !u, r->amount);
					break;
				case 5:
					ab_text(&b, !u, r->reference);
					break;
				default:
					ab_i64(&b, !u, store_dirty_known(s, r->account_id) ? 0 : 1);
				}
			}
			ab_close(&b);
		}
		PGresult *r = nu ? run_arrays(g, ST_PAYMENT_PUT_BATCH, &b, at, 7) : NULL;
		if (nu && !r) return STORE_ERR;
		for (int row = 0; r && row < PQntuples(r); row++) {
			int u = (int)g_i64(r, row, 0) - 1;
			if (u < 0 || u >= nu) continue;
			int i = map[u];
			store_payment *pay = &c[i];
			if (!PQgetisnull(r, row, 1)) {
				pay->id = g_i64(r, row, 1);
				store_dirty_note(s, pay->account_id);
				res[base + i] = PUT_INSERTED;
				rc[base + i] = STORE_OK;
			} else if (!PQgetisnull(r, row, 2)) {
				store_payment old = {0};
				old.id = g_i64(r, row, 2);
				old.account_id = g_i64(r, row, 3);
				old.paid_on = g_day(r, row, 4);
				old.amount = g_i64(r, row, 5);
				if (store_payment_same(pay, &old)) {
					pay->id = old.id;
					res[base + i] = PUT_UNCHANGED;
					rc[base + i] = STORE_OK;
				} else {
					rc[base + i] = store_conflict(s,
					                              "payment %s: already posted with a "
					                              "different account, date or amount",
					                              pay->ext_id);
				}
			} else {
				lt.idx[lt.n++] = i; /* lost a race: see it alone */
			}
		}
		PQclear(r);
		later_sort(&lt);
		for (int k = 0; k < lt.n; k++) {
			int i = lt.idx[k];
			if ((rc[base + i] = put_one(g, &PAYMENT_PUT, &c[i], &res[base + i])) == STORE_ERR)
				return STORE_ERR;
		}
	}
	return STORE_OK;
}

static uint64_t client_hash(const void *rows, int i)
{
	return fnv(((const store_client *)rows)[i].ext_id);
}

static int client_eq(const void *rows, int i, int j)
{
	return !strcmp(((const store_client *)rows)[i].ext_id, ((const store_client *)rows)[j].ext_id);
}

static store_rc pg_client_put_many(store *s, store_client *cl, int n, store_rc *rc, store_put *res)
{
	pg_store *g = PG(s);
	unsigned char dup[BATCH_ROWS];
	int map[BATCH_ROWS];
	later lt;
	for (int i = 0; i < n; i++)
		rc[i] = STORE_ERR;
	for (int base = 0; base < n; base += BATCH_ROWS) {
		int m = n - base < BATCH_ROWS ? n - base : BATCH_ROWS;
		store_client *c = cl + base;
		find_repeats(c, m, client_hash, client_eq, dup);
		abuf b = {g, 0, 0};
		size_t at[7];
		int nu = 0;
		lt.n = 0;
		for (int i = 0; i < m; i++) {
			if (dup[i])
				lt.idx[lt.n++] = i;
			else
				map[nu++] = i;
		}
		for (int k = 0; k < 7; k++) {
			at[k] = ab_open(&b);
			for (int u = 0; u < nu; u++) {
				const store_client *r = &c[map[u]];
				const char *f[7] = {r->ext_id, r->name,  r->branch,  r->officer,
				                    r->phone,  r->email, r->language};
				ab_text(&b, !u, f[k]);
			}
			ab_close(&b);
		}
		PGresult *r = nu ? run_arrays(g, ST_CLIENT_PUT_BATCH, &b, at, 7) : NULL;
		if (nu && !r) return STORE_ERR;
		for (int row = 0; r && row < PQntuples(r); row++) {
			int u = (int)g_i64(r, row, 0) - 1;
			if (u < 0 || u >= nu) continue;
			int i = map[u];
			static const store_put fate[3] = {PUT_INSERTED, PUT_UPDATED, PUT_UNCHANGED};
			int k = 0;
			while (k < 3 && PQgetisnull(r, row, 1 + k))
				k++;
			if (k == 3) {
				lt.idx[lt.n++] = i; /* lost a race: see it alone */
				continue;
			}
			c[i].id = g_i64(r, row, 1 + k);
			res[base + i] = fate[k];
			rc[base + i] = STORE_OK;
		}
		PQclear(r);
		later_sort(&lt);
		for (int k = 0; k < lt.n; k++) {
			int i = lt.idx[k];
			if ((rc[base + i] = put_one(g, &CLIENT_PUT, &c[i], &res[base + i])) == STORE_ERR)
				return STORE_ERR;
		}
	}
	return STORE_OK;
}

static store_rc pg_account_put_many(store *s, store_account *a, int n, store_rc *rc, store_put *res)
{
	pg_store *g = PG(s);
	unsigned char dup[BATCH_ROWS];
	int map[BATCH_ROWS];
	later lt;
	for (int i = 0; i < n; i++)
		rc[i] = STORE_ERR;
	for (int base = 0; base < n; base += BATCH_ROWS) {
		int m = n - base < BATCH_ROWS ? n - base : BATCH_ROWS;
		store_account *c = a + base;
		find_repeats(c, m, account_hash, account_eq, dup);
		abuf b = {g, 0, 0};
		size_t at[11];
		int nu = 0;
		lt.n = 0;
		for (int i = 0; i < m; i++) {
			if (dup[i])
				lt.idx[lt.n++] = i;
			else
				map[nu++] = i;
		}
		for (int k = 0; k < 11; k++) {
			at[k] = ab_open(&b);
			for (int u = 0; u < nu; u++) {
				const store_account *r = &c[map[u]];
				switch (k) {
				case 0:
					ab_text(&b, !u, r->ext_id);
					break;
				case 1:
					ab_i64(&b, !u, r->kind);
					break;
				case 2:
					ab_i64(&b, !u, r->client_id);
					break;
				case 3:
					ab_text(&b, !u, r->currency);
					break;
				case 4:
					ab_i64(&b, !u, r->principal);
					break;
				case 5:
					ab_day(&b, !u, r->start_on);
					break;
				case 6:
					ab_day(&b, !u, r->due_on);
					break;
				case 7:
					ab_day(&b, !u, r->written_off_on);
					break;
				case 8:
					ab_text(&b, !u, r->product);
					break;
				case 9:
					ab_text(&b, !u, r->branch);
					break;
				default:
					ab_text(&b, !u, r->officer);
				}
			}
			ab_close(&b);
		}
		PGresult *r = nu ? run_arrays(g, ST_ACCOUNT_PUT_BATCH, &b, at, 11) : NULL;
		if (nu && !r) return store_fail(s, "store_account_put_many: %.900s", s->errmsg);
		for (int row = 0; r && row < PQntuples(r); row++) {
			int u = (int)g_i64(r, row, 0) - 1;
			if (u < 0 || u >= nu) continue;
			int i = map[u];
			store_account *acc = &c[i];
			if (!PQgetisnull(r, row, 1)) {
				acc->id = g_i64(r, row, 1);
				store_dirty_note(s, acc->id);
				res[base + i] = PUT_INSERTED;
				rc[base + i] = STORE_OK;
			} else if (!PQgetisnull(r, row, 2)) {
				store_account old = {0};
				old.id = g_i64(r, row, 2);
				old.kind = (store_kind)g_i64(r, row, 3);
				old.client_id = g_i64(r, row, 4);
				g_text(r, row, 5, old.currency, sizeof old.currency);
				old.principal = g_i64(r, row, 6);
				old.start_on = g_day(r, row, 7);
				old.due_on = g_day(r, row, 8);
				old.written_off_on = g_day(r, row, 9);
				g_text(r, row, 10, old.product, sizeof old.product);
				g_text(r, row, 11, old.branch, sizeof old.branch);
				g_text(r, row, 12, old.officer, sizeof old.officer);
				if (store_account_same(acc, &old)) {
					acc->id = old.id;
					res[base + i] = PUT_UNCHANGED;
					rc[base + i] = STORE_OK;
				} else {
					rc[base + i] = store_conflict(
					    s, "account %s: already stored with different content",
					    acc->ext_id);
				}
			} else {
				lt.idx[lt.n++] = i;
			}
		}
		PQclear(r);
		later_sort(&lt);
		for (int k = 0; k < lt.n; k++) {
			int i = lt.idx[k];
			if ((rc[base + i] = put_one(g, &ACCOUNT_PUT, &c[i], &res[base + i])) == STORE_ERR)
				return STORE_ERR;
		}
	}
	return STORE_OK;
}

static store_rc pg_obligations_set_many(store *s, const store_obligation_set *sets, int n, store_rc *rc,
                                        store_put *res)
{
	pg_store *g = PG(s);
	unsigned char dup[BATCH_ROWS];
	int map[BATCH_ROWS];
	later lt;
	for (int i = 0; i < n; i++)
		rc[i] = STORE_ERR;
	for (int base = 0; base < n; base += BATCH_ROWS) {
		int m = n - base < BATCH_ROWS ? n - base : BATCH_ROWS;
		const store_obligation_set *c = sets + base;
		find_repeats(c, m, set_hash, set_eq, dup);
		abuf b = {g, 0, 0};
		size_t at[9];
		int nu = 0;
		lt.n = 0;
		for (int i = 0; i < m; i++) {
			if (dup[i])
				lt.idx[lt.n++] = i;
			else
				map[nu++] = i;
		}
		at[0] = ab_open(&b);
		for (int u = 0; u < nu; u++)
			ab_i64(&b, !u, c[map[u]].account_id);
		ab_close(&b);
		at[1] = ab_open(&b);
		for (int u = 0; u < nu; u++)
			ab_i64(&b, !u, store_dirty_known(s, c[map[u]].account_id) ? 0 : 1);
		ab_close(&b);
		for (int k = 0; k < 7; k++) {
			static const int comp[7] = {-1,       -1,          -1, COMP_PRINCIPAL, COMP_INTEREST,
			                            COMP_FEE, COMP_PENALTY};
			at[2 + k] = ab_open(&b);
			int first = 1;
			for (int u = 0; u < nu; u++) {
				const store_obligation_set *set = &c[map[u]];
				for (int j = 0; j < set->n; j++) {
					int64_t v = k == 0   ? u + 1
					            : k == 1 ? j + 1
					            : k == 2 ? set->ob[j].due_on
					                     : set->ob[j].amount[comp[k]];
					ab_i64(&b, first, v);
					first = 0;
				}
			}
			ab_close(&b);
		}
		PGresult *r = nu ? run_arrays(g, ST_OBLIGATIONS_SET_BATCH, &b, at, 9) : NULL;
		if (nu && !r) return STORE_ERR;
		int rows = r ? PQntuples(r) : 0;
		for (int row = 0; row < rows;) {
			int u = (int)g_i64(r, row, 0) - 1;
			int end = row + 1;
			while (end < rows && g_i64(r, end, 0) - 1 == u)
				end++;
			if (u < 0 || u >= nu) {
				row = end;
				continue;
			}
			int i = map[u];
			const store_obligation_set *set = &c[i];
			int64_t inserted = PQgetisnull(r, row, 1) ? 0 : g_i64(r, row, 1);
			if (PQgetisnull(r, row, 2)) { /* the account had no obligations */
				if (inserted == set->n) {
					if (set->n > 0) store_dirty_note(s, set->account_id);
					res[base + i] = set->n > 0 ? PUT_INSERTED : PUT_UNCHANGED;
					rc[base + i] = STORE_OK;
				} else if (inserted == 0) {
					lt.idx[lt.n++] = i; /* a concurrent writer set them first */
				} else {
					PQclear(r);
					return store_fail(s, "account %lld: obligations changed concurrently",
					                  (long long)set->account_id);
				}
			} else {
				int same = end - row == set->n;
				for (int j = 0; same && j < set->n; j++) {
					obligation o;
					read_obligation(r, row + j, 3, &o);
					same = store_obligation_same(&o, &set->ob[j]);
				}
				if (same) {
					res[base + i] = PUT_UNCHANGED;
					rc[base + i] = STORE_OK;
				} else {
					rc[base + i] = store_conflict(
					    s, "account %lld: already has different obligations",
					    (long long)set->account_id);
				}
			}
			row = end;
		}
		PQclear(r);
		later_sort(&lt);
		for (int k = 0; k < lt.n; k++) {
			int i = lt.idx[k];
			store_obligation_set one = c[i];
			if ((rc[base + i] = put_one(g, &OBLIG_SET, &one, &res[base + i])) == STORE_ERR)
				return STORE_ERR;
		}
	}
	return STORE_OK;
}

/* --- cursors --------------------------------------------------------------------------------- */

typedef struct {
	store_stmt fetch, close;
	PGresult *r;
	int row, rows;
	int open, done;
} cursor;

static store_rc cur_open(pg_store *g, cursor *c, store_stmt declare, store_stmt fetch, store_stmt close,
                         const pgp *p)
{
	memset(c, 0, sizeof *c);
	c->fetch = fetch;
	c->close = close;
	PGresult *r = pg_exec(g, store_sql(declare, SQL_PG), p);
	if (!r) return STORE_ERR;
	PQclear(r);
	c->open = 1;
	c->row = c->rows = 0;
	return STORE_OK;
}

/* Moves to the next row: 1 on a row (c->r, c->row), 0 at the end, -1 on error. */
static int cur_next(pg_store *g, cursor *c)
{
	if (c->r && c->row + 1 < c->rows) {
		c->row++;
		return 1;
	}
	PQclear(c->r);
	c->r = NULL;
	c->row = c->rows = 0;
	if (c->done) return 0;
	c->r = pg_exec(g, store_sql(c->fetch, SQL_PG), NULL);
	if (!c->r) return -1;
	c->rows = PQntuples(c->r);
	if (c->rows < STORE_PG_FETCH_ROWS) c->done = 1; /* a short batch is the last one */
	if (c->rows == 0) {
		PQclear(c->r);
		c->r = NULL;
		return 0;
	}
	return 1;
}

static void cur_close(pg_store *g, cursor *c, int quiet)
{
	PQclear(c->r);
	c->r = NULL;
	if (c->open && quiet) {
		PQclear(PQexec(g->conn, store_sql(c->close, SQL_PG)));
	} else if (c->open) {
		PGresult *r = pg_exec(g, store_sql(c->close, SQL_PG), NULL);
		PQclear(r);
	}
	c->open = 0;
}

/* Streams a cursor declared by `declare` (with p) through row_fn, inside the caller's transaction or
 * a read-only one of its own. row_fn returns 0 to go on, or non-zero to stop (the stream then
 * returns STORE_ERR with row_fn's message). */
typedef int (*row_fn)(pg_store *g, const PGresult *r, int row, void *ctx);

static store_rc pg_stream(pg_store *g, store_stmt declare, const pgp *p, row_fn fn, void *ctx)
{
	int own = PQtransactionStatus(g->conn) == PQTRANS_IDLE;
	if (own && pg_run_done(g, ST_BEGIN, NULL)) return STORE_ERR;
	cursor c;
	store_rc rc = cur_open(g, &c, declare, ST_FETCH_MAIN, ST_CLOSE_MAIN, p);
	int more = 0;
	while (rc == STORE_OK && (more = cur_next(g, &c)) == 1) {
		if (fn(g, c.r, c.row, ctx)) rc = STORE_ERR;
	}
	if (more < 0) rc = STORE_ERR;
	char msg[STORE_ERRMSG_MAX];
	memcpy(msg, g->base.errmsg, sizeof msg);
	if (PQtransactionStatus(g->conn) == PQTRANS_INTRANS)
		cur_close(g, &c, 1);
	else
		PQclear(c.r);
	if (own) pg_run_done(g, rc == STORE_OK ? ST_COMMIT : ST_ROLLBACK, NULL);
	memcpy(g->base.errmsg, msg, sizeof msg);
	return rc;
}

struct scan_ctx {
	store_scan_fn fn;
	void *ctx;
};

static int scan_row(pg_store *g, const PGresult *r, int row, void *ctx)
{
	struct scan_ctx *sc = ctx;
	store_account a;
	read_account(r, row, &a);
	const uint8_t *blob = NULL;
	size_t len = 0;
	if (!PQgetisnull(r, row, ACOL_N)) {
		blob = (const uint8_t *)PQgetvalue(r, row, ACOL_N);
		len = (size_t)PQgetlength(r, row, ACOL_N);
	}
	int frc = sc->fn(sc->ctx, &a, blob, len);
	if (frc) store_fail(&g->base, "scan stopped by the callback (it returned %d)", frc);
	return frc;
}

static store_rc pg_scan(store *s, const store_scan_filter *f, store_scan_fn fn, void *ctx)
{
	pgp p = {0};
	p_i64(&p, f->kind < 0 ? -1 : f->kind);
	if (f->currency)
		p_text(&p, f->currency);
	else
		p_day(&p, DATE_NONE); /* NULL */
	p_i64(&p, f->shards > 1 ? f->shards : 0);
	p_i64(&p, f->shards > 1 ? f->shard : 0);
	struct scan_ctx sc = {fn, ctx};
	return pg_stream(PG(s), f->by_client ? ST_SCAN_BY_CLIENT : ST_SCAN_BY_ID, &p, scan_row, &sc);
}

struct each_ctx {
	void *fn;
	void *ctx;
	store_account a; /* each_obligation: the current account */
};

static int each_client_row(pg_store *g, const PGresult *r, int row, void *ctx)
{
	struct each_ctx *ec = ctx;
	store_client c;
	read_client(r, row, &c);
	int frc = ((store_client_fn)ec->fn)(ec->ctx, &c);
	if (frc) store_fail(&g->base, "client export stopped by the callback (it returned %d)", frc);
	return frc;
}

static int each_account_row(pg_store *g, const PGresult *r, int row, void *ctx)
{
	struct each_ctx *ec = ctx;
	read_account(r, row, &ec->a);
	int frc = ((store_account_fn)ec->fn)(ec->ctx, &ec->a);
	if (frc) store_fail(&g->base, "account export stopped by the callback (it returned %d)", frc);
	return frc;
}

static int each_obligation_row(pg_store *g, const PGresult *r, int row, void *ctx)
{
	struct each_ctx *ec = ctx;
	if (g_i64(r, row, ACOL_ID) != ec->a.id) read_account(r, row, &ec->a);
	obligation o;
	int seq = (int)g_i64(r, row, ACOL_N);
	read_obligation(r, row, ACOL_N + 1, &o);
	int frc = ((store_obligation_fn)ec->fn)(ec->ctx, &ec->a, seq, &o);
	if (frc) store_fail(&g->base, "obligation export stopped by the callback (it returned %d)", frc);
	return frc;
}

static int each_payment_row(pg_store *g, const PGresult *r, int row, void *ctx)
{
	struct each_ctx *ec = ctx;
	store_payment p;
	read_account(r, row, &ec->a);
	read_payment(r, row, ACOL_N, &p);
	int frc = ((store_payment_fn)ec->fn)(ec->ctx, &ec->a, &p);
	if (frc) store_fail(&g->base, "payment export stopped by the callback (it returned %d)", frc);
	return frc;
}

static store_rc pg_each_client(store *s, store_client_fn fn, void *ctx)
{
	struct each_ctx ec = {.fn = (void *)fn, .ctx = ctx};
	return pg_stream(PG(s), ST_EACH_CLIENT, NULL, each_client_row, &ec);
}

static store_rc pg_each_account(store *s, int kind, store_account_fn fn, void *ctx)
{
	struct each_ctx ec = {.fn = (void *)fn, .ctx = ctx};
	pgp p = {0};
	p_i64(&p, kind < 0 ? -1 : kind);
	return pg_stream(PG(s), ST_EACH_ACCOUNT, &p, each_account_row, &ec);
}

static store_rc pg_each_obligation(store *s, store_obligation_fn fn, void *ctx)
{
	struct each_ctx ec = {.fn = (void *)fn, .ctx = ctx};
	return pg_stream(PG(s), ST_EACH_OBLIGATION, NULL, each_obligation_row, &ec);
}

static store_rc pg_each_payment(store *s, store_payment_fn fn, void *ctx)
{
	struct each_ctx ec = {.fn = (void *)fn, .ctx = ctx};
	return pg_stream(PG(s), ST_EACH_PAYMENT, NULL, each_payment_row, &ec);
}

/* --- ledger rebuild -------------------------------------------------------------------------- */

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

/* The rebuild's writes of up to BATCH_ROWS accounts, as array literals growing one account at a time:
 * ids and gens of the accounts, their ledgers (bytea hex), the ids whose old history goes, and the
 * new history rows. */
enum { RB_ID, RB_GEN, RB_LEDGER, RB_HDEL, RB_H_ID, RB_H_SEQ, RB_H_BUCKET, RB_H_ENTERED, RB_H_LEFT, RB_NARR };
typedef struct {
	char *p[RB_NARR];
	size_t len[RB_NARR], cap[RB_NARR];
	int n[RB_NARR]; /* elements */
	int accounts;
	int failed;
} rb_batch;

static void rb_put(rb_batch *b, int k, const char *s, size_t n)
{
	if (b->failed) return;
	if (b->len[k] + n + 3 > b->cap[k]) { /* room for "}" and NUL */
		size_t nc = b->cap[k] ? b->cap[k] : 4096;
		while (b->len[k] + n + 3 > nc)
			nc *= 2;
		char *np = realloc(b->p[k], nc);
		if (!np) {
			b->failed = 1;
			return;
		}
		b->p[k] = np;
		b->cap[k] = nc;
	}
	if (b->len[k] == 0) b->p[k][b->len[k]++] = '{';
	memcpy(b->p[k] + b->len[k], s, n);
	b->len[k] += n;
}

static void rb_elem(rb_batch *b, int k, const char *s, size_t n)
{
	if (b->n[k]++) rb_put(b, k, ",", 1);
	rb_put(b, k, s, n);
}

static void rb_i64(rb_batch *b, int k, int64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof t, "%lld", (long long)v);
	rb_elem(b, k, t, (size_t)n);
}

static void rb_day(rb_batch *b, int k, civil_day d)
{
	if (d == DATE_NONE)
		rb_elem(b, k, "NULL", 4);
	else
		rb_i64(b, k, d);
}

static void rb_hex(rb_batch *b, int k, const uint8_t *blob, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	rb_elem(b, k, "\"\\\\x", 4); /* "\\x: an escaped backslash, then the hex digits */
	char chunk[256];
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		chunk[o++] = hex[blob[i] >> 4];
		chunk[o++] = hex[blob[i] & 15];
		if (o == sizeof chunk) {
			rb_put(b, k, chunk, o);
			o = 0;
		}
	}
	chunk[o++] = '"';
	rb_put(b, k, chunk, o);
}

/* The array literal of k ("{}" when empty). */
static const char *rb_array(rb_batch *b, int k)
{
	if (b->len[k] == 0) rb_put(b, k, "", 0);
	if (b->failed) return "{}";
	b->p[k][b->len[k]] = '}';
	b->p[k][b->len[k] + 1] = '\0';
	return b->p[k];
}

static void rb_reset(rb_batch *b)
{
	for (int k = 0; k < RB_NARR; k++)
		b->len[k] = 0, b->n[k] = 0;
	b->accounts = 0;
}

static void rb_free(rb_batch *b)
{
	for (int k = 0; k < RB_NARR; k++)
		free(b->p[k]);
}

/* Adds one account's derived data to the batch. */
static void rb_add(rb_batch *b, int64_t id, int64_t gen, int was_rebuilt, const uint8_t *blob,
                   size_t blob_len, const ledger_bucket_interval *hist, int n_hist)
{
	rb_i64(b, RB_ID, id);
	rb_i64(b, RB_GEN, gen);
	rb_hex(b, RB_LEDGER, blob, blob ? blob_len : 0); /* never NULL: empty when fn gave none */
	if (was_rebuilt) rb_i64(b, RB_HDEL, id);
	for (int i = 0; i < n_hist; i++) {
		rb_i64(b, RB_H_ID, id);
		rb_i64(b, RB_H_SEQ, i + 1);
		rb_i64(b, RB_H_BUCKET, hist[i].bucket);
		rb_day(b, RB_H_ENTERED, hist[i].entered_on);
		rb_day(b, RB_H_LEFT, hist[i].left_on);
	}
	b->accounts++;
}

static store_rc batch_done(pg_store *g, store_stmt id, const pgp *p)
{
	PGresult *r = run_batch(g, id, p);
	PQclear(r);
	return r ? STORE_OK : STORE_ERR;
}

/* Writes the batch: four statements, whatever the number of accounts. */
static store_rc rb_flush(pg_store *g, rb_batch *b)
{
	if (!b->accounts) return STORE_OK;
	pgp p = {0};
	store_rc rc = STORE_OK;
	p_str(&p, rb_array(b, RB_ID));
	p_str(&p, rb_array(b, RB_LEDGER));
	rc = b->failed ? store_fail(&g->base, "out of memory") : batch_done(g, ST_RB_SAVE_BATCH, &p);
	if (!rc && b->n[RB_HDEL]) {
		p.n = 0;
		p_str(&p, rb_array(b, RB_HDEL));
		rc = batch_done(g, ST_RB_HISTORY_DELETE_BATCH, &p);
	}
	if (!rc && b->n[RB_H_ID]) {
		p.n = 0;
		for (int k = RB_H_ID; k <= RB_H_LEFT; k++)
			p_str(&p, rb_array(b, k));
		rc = batch_done(g, ST_RB_HISTORY_INSERT_BATCH, &p);
	}
	if (!rc) {
		p.n = 0;
		p_str(&p, rb_array(b, RB_ID));
		p_str(&p, rb_array(b, RB_GEN));
		rc = batch_done(g, ST_RB_DIRTY_DONE_BATCH, &p);
	}
	rb_reset(b);
	return rc;
}

static store_rc pg_ledger_rebuild(store *s, store_ledger_fn fn, void *ctx, int64_t *n_rebuilt)
{
	pg_store *g = PG(s);
	rb_batch batch;
	memset(&batch, 0, sizeof batch);
	cursor ca, co, cp;
	memset(&co, 0, sizeof co);
	memset(&cp, 0, sizeof cp);
	int64_t count = 0;
	store_rc rc = cur_open(g, &ca, ST_RB_ACCOUNTS, ST_FETCH_RB_A, ST_CLOSE_RB_A, NULL);
	if (!rc) rc = cur_open(g, &co, ST_RB_OBLIGATIONS, ST_FETCH_RB_O, ST_CLOSE_RB_O, NULL);
	if (!rc) rc = cur_open(g, &cp, ST_RB_PAYMENTS, ST_FETCH_RB_P, ST_CLOSE_RB_P, NULL);
	int ho = rc ? -1 : cur_next(g, &co), hp = rc ? -1 : cur_next(g, &cp), ha = 0;
	if (ho < 0 || hp < 0) rc = STORE_ERR;
	while (!rc && (ha = cur_next(g, &ca)) == 1) {
		store_account a;
		read_account(ca.r, ca.row, &a);
		int64_t gen = g_i64(ca.r, ca.row, ACOL_N);
		int was_rebuilt = (int)g_i64(ca.r, ca.row, ACOL_N + 1);
		int n_ob = 0, n_pay = 0;
		while (ho == 1 && g_i64(co.r, co.row, 0) < a.id)
			ho = cur_next(g,
			              &co); /* an account no longer marked (cursors see their own snapshot) */
		while (ho == 1 && g_i64(co.r, co.row, 0) == a.id) {
			if (grow((void **)&g->ob, &g->ob_cap, n_ob + 1, sizeof *g->ob)) {
				rc = store_fail(s, "account %s: too many obligations", a.ext_id);
				break;
			}
			read_obligation(co.r, co.row, 1, &g->ob[n_ob++]);
			ho = cur_next(g, &co);
		}
		while (!rc && hp == 1 && g_i64(cp.r, cp.row, PCOL_ACCOUNT_ID) < a.id)
			hp = cur_next(g, &cp);
		while (!rc && hp == 1 && g_i64(cp.r, cp.row, PCOL_ACCOUNT_ID) == a.id) {
			if (grow((void **)&g->pay, &g->pay_cap, n_pay + 1, sizeof *g->pay)) {
				rc = store_fail(s, "account %s: too many payments", a.ext_id);
				break;
			}
			read_payment(cp.r, cp.row, 0, &g->pay[n_pay++]);
			hp = cur_next(g, &cp);
		}
		if (rc || ho < 0 || hp < 0) {
			rc = STORE_ERR;
			break;
		}
		const uint8_t *blob = NULL;
		size_t blob_len = 0;
		const ledger_bucket_interval *hist = NULL;
		int n_hist = 0;
		int frc = fn(ctx, &a, g->ob, n_ob, g->pay, n_pay, &blob, &blob_len, &hist, &n_hist);
		if (frc) {
			rc = store_fail(
			    s, "ledger rebuild stopped at account %s: the ledger function returned %d",
			    a.ext_id, frc);
			break;
		}
		if (n_hist < 0 || (n_hist > 0 && !hist)) {
			rc = store_fail(s, "ledger rebuild: account %s: bad bucket history", a.ext_id);
			break;
		}
		rb_add(&batch, a.id, gen, was_rebuilt, blob, blob_len, hist, n_hist);
		count++;
		if (batch.accounts >= BATCH_ROWS && (rc = rb_flush(g, &batch))) break;
	}
	if (ha < 0) rc = STORE_ERR;
	if (!rc) rc = rb_flush(g, &batch);
	rb_free(&batch);
	char msg[STORE_ERRMSG_MAX];
	memcpy(msg, s->errmsg, sizeof msg);
	int quiet = rc != STORE_OK;
	cur_close(g, &ca, quiet);
	cur_close(g, &co, quiet);
	cur_close(g, &cp, quiet);
	if (quiet) memcpy(s->errmsg, msg, sizeof msg);
	if (n_rebuilt) *n_rebuilt = count;
	return rc;
}

/* --- the daily run --------------------------------------------------------------------------- */

static void p_text_or_null(pgp *p, const char *s)
{
	if (s)
		p_text(p, s);
	else
		p_day(p, DATE_NONE); /* NULL */
}

static store_rc pg_decision_put(store *s, const store_decision *d, store_put *res)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_text(&p, d->dedupe_key);
	p_i64(&p, d->account_id);
	p_day(&p, d->day);
	p_text(&p, d->segment);
	p_text(&p, d->step);
	p_text(&p, d->action);
	p_text(&p, d->channels);
	p_text(&p, d->template_name);
	p_text(&p, d->task_kind);
	p_text(&p, d->assignee);
	p_i64(&p, d->four_eyes ? 1 : 0);
	p_text(&p, d->status);
	p_day(&p, d->created_by_run_day);
	p_day(&p, d->anchor);
	p_i64(&p, d->dpd);
	p_i64(&p, d->late_amount);
	PGresult *r = pg_run(g, ST_DECISION_INSERT, &p);
	if (!r) return STORE_ERR;
	*res = atoi(PQcmdTuples(r)) ? PUT_INSERTED : PUT_UNCHANGED;
	PQclear(r);
	return STORE_OK;
}

static store_rc pg_policy_state_set(store *s, const store_policy_state *ps)
{
	pgp p = {0};
	p_i64(&p, ps->account_id);
	p_day(&p, ps->next_eval_on);
	p_day(&p, ps->last_eval_on);
	return pg_run_done(PG(s), ST_POLICY_STATE_SET, &p);
}

static store_rc pg_due_accounts(store *s, civil_day day, int part, int limit, store_due_fn fn, void *ctx,
                                int *n)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_i64(&p, part);
	p_day(&p, day);
	p_i64(&p, limit);
	PGresult *r = pg_run(g, ST_DUE_ACCOUNTS, &p);
	if (!r) return STORE_ERR;
	int rows = PQntuples(r);
	store_rc rc = STORE_OK;
	for (int i = 0; i < rows; i++) {
		store_account a;
		read_account(r, i, &a);
		const uint8_t *blob = NULL;
		size_t len = 0;
		if (!PQgetisnull(r, i, ACOL_N)) {
			blob = (const uint8_t *)PQgetvalue(r, i, ACOL_N);
			len = (size_t)PQgetlength(r, i, ACOL_N);
		}
		int frc = fn(ctx, &a, blob, len, g_day(r, i, ACOL_N + 1));
		if (frc) {
			rc = store_fail(s, "due accounts stopped by the callback (it returned %d)", frc);
			break;
		}
	}
	PQclear(r);
	*n = rows;
	return rc;
}

/* PG_BATCH: up to BATCH_ROWS decisions per statement, as 16 arrays; the statement returns the
 * first position of each key it inserted. */
static store_rc pg_decision_put_many(store *s, const store_decision *d, int n, store_put *res)
{
	pg_store *g = PG(s);
	for (int base = 0; base < n; base += BATCH_ROWS) {
		int m = n - base < BATCH_ROWS ? n - base : BATCH_ROWS;
		const store_decision *c = d + base;
		abuf b = {g, 0, 0};
		size_t at[16];
		for (int k = 0; k < 16; k++) {
			at[k] = ab_open(&b);
			for (int i = 0; i < m; i++) {
				const store_decision *x = &c[i];
				switch (k) {
				case 0:
					ab_text(&b, !i, x->dedupe_key);
					break;
				case 1:
					ab_i64(&b, !i, x->account_id);
					break;
				case 2:
					ab_day(&b, !i, x->day);
					break;
				case 3:
					ab_text(&b, !i, x->segment);
					break;
				case 4:
					ab_text(&b, !i, x->step);
					break;
				case 5:
					ab_text(&b, !i, x->action);
					break;
				case 6:
					ab_text(&b, !i, x->channels);
					break;
				case 7:
					ab_text(&b, !i, x->template_name);
					break;
				case 8:
					ab_text(&b, !i, x->task_kind);
					break;
				case 9:
					ab_text(&b, !i, x->assignee);
					break;
				case 10:
					ab_i64(&b, !i, x->four_eyes ? 1 : 0);
					break;
				case 11:
					ab_text(&b, !i, x->status);
					break;
				case 12:
					ab_day(&b, !i, x->created_by_run_day);
					break;
				case 13:
					ab_day(&b, !i, x->anchor);
					break;
				case 14:
					ab_i64(&b, !i, x->dpd);
					break;
				default:
					ab_i64(&b, !i, x->late_amount);
				}
			}
			ab_close(&b);
		}
		PGresult *r = run_arrays(g, ST_DECISION_PUT_BATCH, &b, at, 16);
		if (!r) return STORE_ERR;
		for (int i = 0; i < m; i++)
			res[base + i] = PUT_UNCHANGED;
		for (int row = 0; row < PQntuples(r); row++) {
			int64_t ord = g_i64(r, row, 0);
			if (ord >= 1 && ord <= m) res[base + ord - 1] = PUT_INSERTED;
		}
		PQclear(r);
	}
	return STORE_OK;
}

static store_rc pg_policy_state_set_many(store *s, const store_policy_state *st, int n)
{
	pg_store *g = PG(s);
	for (int base = 0; base < n; base += BATCH_ROWS) {
		int m = n - base < BATCH_ROWS ? n - base : BATCH_ROWS;
		abuf b = {g, 0, 0};
		size_t at[3];
		for (int k = 0; k < 3; k++) {
			at[k] = ab_open(&b);
			for (int i = 0; i < m; i++) {
				const store_policy_state *x = &st[base + i];
				if (k == 0)
					ab_i64(&b, !i, x->account_id);
				else
					ab_day(&b, !i, k == 1 ? x->next_eval_on : x->last_eval_on);
			}
			ab_close(&b);
		}
		PGresult *r = run_arrays(g, ST_POLICY_STATE_SET_BATCH, &b, at, 3);
		if (!r) return STORE_ERR;
		PQclear(r);
	}
	return STORE_OK;
}

static store_rc pg_policy_state_note_dirty(store *s)
{
	pg_store *g = PG(s);
	if (pg_run_done(g, ST_POLICY_STATE_NEW_DIRTY, NULL)) return STORE_ERR;
	return pg_run_done(g, ST_POLICY_STATE_PULL_DIRTY, NULL);
}

static store_rc pg_run_day_open(store *s, civil_day day, int replan, int *created)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_day(&p, day);
	PGresult *r = pg_run(g, ST_RUN_DAY_OPEN, &p);
	if (!r) return STORE_ERR;
	*created = atoi(PQcmdTuples(r)) > 0;
	PQclear(r);
	if (!*created || !replan) return STORE_OK;
	return pg_run_done(g, ST_RUN_DAY_REPLAN, &p);
}

static store_rc pg_run_part_claim(store *s, civil_day day, const char *owner, int lease_s, int *part)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_text(&p, owner);
	p_i64(&p, lease_s);
	p_day(&p, day);
	PGresult *r = pg_run(g, ST_RUN_PART_CLAIM, &p);
	if (!r) return STORE_ERR;
	store_rc rc = PQntuples(r) ? STORE_OK : STORE_NOT_FOUND;
	if (rc == STORE_OK) *part = (int)g_i64(r, 0, 0);
	PQclear(r);
	return rc;
}

static store_rc pg_run_part_update(store *s, civil_day day, int part, const char *owner, int lease_s,
                                   int64_t accounts, int64_t decisions, int64_t unchanged, int done)
{
	pg_store *g = PG(s);
	pgp p = {0};
	p_i64(&p, accounts);
	p_i64(&p, decisions);
	p_i64(&p, unchanged);
	p_i64(&p, done);
	p_i64(&p, lease_s);
	p_day(&p, day);
	p_i64(&p, part);
	p_text(&p, owner);
	PGresult *r = pg_run(g, ST_RUN_PART_UPDATE, &p);
	if (!r) return STORE_ERR;
	int changed = atoi(PQcmdTuples(r));
	PQclear(r);
	return changed ? STORE_OK : STORE_NOT_FOUND;
}

static store_rc pg_run_day_left(store *s, civil_day day, int *total, int *left)
{
	pgp p = {0};
	p_day(&p, day);
	PGresult *r = pg_run(PG(s), ST_RUN_DAY_LEFT, &p);
	if (!r) return STORE_ERR;
	*total = PQntuples(r) ? (int)g_i64(r, 0, 0) : 0;
	*left = PQntuples(r) ? (int)g_i64(r, 0, 1) : 0;
	PQclear(r);
	return STORE_OK;
}

static store_rc pg_run_day_finish(store *s, civil_day day, const char *name, int32_t version)
{
	pgp p = {0};
	p_day(&p, day);
	p_text(&p, name);
	p_i64(&p, version);
	return pg_run_done(PG(s), ST_RUN_DAY_FINISH, &p);
}

static store_rc pg_run_log_put(store *s, const store_run_log *rl)
{
	pgp p = {0};
	p_day(&p, rl->day);
	p_text(&p, rl->policy_name);
	p_i64(&p, rl->policy_version);
	p_i64(&p, rl->accounts_evaluated);
	p_i64(&p, rl->decisions);
	p_i64(&p, rl->finished ? 1 : 0);
	return pg_run_done(PG(s), ST_RUN_LOG_PUT, &p);
}

static store_rc pg_run_log_last(store *s, store_run_log *out)
{
	PGresult *r = pg_run(PG(s), ST_RUN_LOG_LAST, NULL);
	if (!r) return STORE_ERR;
	store_rc rc = PQntuples(r) ? STORE_OK : STORE_NOT_FOUND;
	if (rc == STORE_OK) {
		memset(out, 0, sizeof *out);
		out->day = g_day(r, 0, RCOL_DAY);
		g_text(r, 0, RCOL_POLICY_NAME, out->policy_name, sizeof out->policy_name);
		out->policy_version = (int32_t)g_i64(r, 0, RCOL_POLICY_VERSION);
		out->accounts_evaluated = g_i64(r, 0, RCOL_ACCOUNTS);
		out->decisions = g_i64(r, 0, RCOL_DECISIONS);
		out->finished = (int)g_i64(r, 0, RCOL_FINISHED);
	}
	PQclear(r);
	return rc;
}

struct dec_ctx {
	store_decision_fn fn;
	void *ctx;
};

static int decision_row(pg_store *g, const PGresult *r, int row, void *ctx)
{
	struct dec_ctx *dc = ctx;
	store_decision d;
	memset(&d, 0, sizeof d);
	d.id = g_i64(r, row, DCOL_ID);
	g_text(r, row, DCOL_DEDUPE_KEY, d.dedupe_key, sizeof d.dedupe_key);
	d.account_id = g_i64(r, row, DCOL_ACCOUNT_ID);
	d.day = g_day(r, row, DCOL_DAY);
	g_text(r, row, DCOL_SEGMENT, d.segment, sizeof d.segment);
	g_text(r, row, DCOL_STEP, d.step, sizeof d.step);
	g_text(r, row, DCOL_ACTION, d.action, sizeof d.action);
	g_text(r, row, DCOL_CHANNELS, d.channels, sizeof d.channels);
	g_text(r, row, DCOL_TEMPLATE, d.template_name, sizeof d.template_name);
	g_text(r, row, DCOL_TASK_KIND, d.task_kind, sizeof d.task_kind);
	g_text(r, row, DCOL_ASSIGNEE, d.assignee, sizeof d.assignee);
	d.four_eyes = (int)g_i64(r, row, DCOL_FOUR_EYES);
	g_text(r, row, DCOL_STATUS, d.status, sizeof d.status);
	d.created_by_run_day = g_day(r, row, DCOL_CREATED_BY_RUN_DAY);
	d.anchor = g_day(r, row, DCOL_ANCHOR);
	d.dpd = (int32_t)g_i64(r, row, DCOL_DPD);
	d.late_amount = g_i64(r, row, DCOL_LATE_AMOUNT);
	g_text(r, row, DCOL_ACCOUNT_EXT_ID, d.account_ext_id, sizeof d.account_ext_id);
	g_text(r, row, DCOL_CURRENCY, d.currency, sizeof d.currency);
	int frc = dc->fn(dc->ctx, &d);
	if (frc) store_fail(&g->base, "decisions stopped by the callback (it returned %d)", frc);
	return frc;
}

static store_rc pg_decisions_each(store *s, const store_decision_filter *f, store_decision_fn fn, void *ctx)
{
	pgp p = {0};
	p_i64(&p, f->account_id);
	p_text_or_null(&p, f->action);
	p_text_or_null(&p, f->status);
	p_day(&p, f->from);
	p_day(&p, f->to);
	p_text_or_null(&p, f->assignee);
	struct dec_ctx dc = {fn, ctx};
	return pg_stream(PG(s), f->by_priority ? ST_DECISIONS_EACH_PRIO : ST_DECISIONS_EACH, &p, decision_row,
	                 &dc);
}

/* --- the back-end ---------------------------------------------------------------------------- */

/* --- generic statements (store_query.h): PQexecParams, parameters and results as text ------- */

typedef struct {
	const char *sql;
	PGresult *r;
	int row, rows;
	int64_t changes;
} pg_qh;

static void *pg_q_prepare(store *s, const char *sql)
{
	pg_qh *h = calloc(1, sizeof *h);
	if (!h) {
		store_fail(s, "out of memory");
		return NULL;
	}
	h->sql = sql;
	return h;
}

static int pg_q_step(store *s, void *hv, const store_qparams *p, int first)
{
	pg_store *g = PG(s);
	pg_qh *h = hv;
	if (first) {
		h->r = PQexecParams(g->conn, h->sql, p->n, NULL, p->t, NULL, NULL, 0);
		ExecStatusType st = PQresultStatus(h->r);
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			pg_fail(g, "statement", PQresultErrorMessage(h->r));
			return -1;
		}
		h->rows = PQntuples(h->r);
		h->row = -1;
		const char *n = PQcmdTuples(h->r);
		h->changes = n && *n ? strtoll(n, NULL, 10) : 0;
	}
	if (++h->row < h->rows) return 1;
	return 0;
}

static int64_t pg_q_int(void *hv, int c)
{
	pg_qh *h = hv;
	if (!h->r || h->row < 0 || h->row >= h->rows || c >= PQnfields(h->r) || PQgetisnull(h->r, h->row, c))
		return 0;
	const char *v = PQgetvalue(h->r, h->row, c);
	if (*v == 't') return 1; /* booleans */
	if (*v == 'f') return 0;
	return strtoll(v, NULL, 10);
}

static const char *pg_q_text(void *hv, int c)
{
	pg_qh *h = hv;
	if (!h->r || h->row < 0 || h->row >= h->rows || c >= PQnfields(h->r) || PQgetisnull(h->r, h->row, c))
		return NULL;
	return PQgetvalue(h->r, h->row, c);
}

static int64_t pg_q_changes(store *s, void *hv)
{
	(void)s;
	return ((pg_qh *)hv)->changes;
}

static void pg_q_finish(store *s, void *hv)
{
	(void)s;
	pg_qh *h = hv;
	PQclear(h->r);
	free(h);
}

static const store_ops PG_OPS = {
    .name = "postgres",
    .q_prepare = pg_q_prepare,
    .q_step = pg_q_step,
    .q_int = pg_q_int,
    .q_text = pg_q_text,
    .q_changes = pg_q_changes,
    .q_finish = pg_q_finish,
    .close = pg_close,
    .init = pg_init,
    .schema_version = pg_schema_version,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .client_put = pg_client_put,
    .client_get = pg_client_get,
    .account_put = pg_account_put,
    .account_get = pg_account_get,
    .account_write_off = pg_account_write_off,
    .obligations_set = pg_obligations_set,
    .obligations_get = pg_obligations_get,
    .payment_put = pg_payment_put,
    .payment_get = pg_payment_get,
    .payment_reverse = pg_payment_reverse,
    .payments_get = pg_payments_get,
    .client_put_many = pg_client_put_many,
    .account_put_many = pg_account_put_many,
    .obligations_set_many = pg_obligations_set_many,
    .payment_put_many = pg_payment_put_many,
    .ledger_rebuild = pg_ledger_rebuild,
    .bucket_history_get = pg_bucket_history_get,
    .scan = pg_scan,
    .each_client = pg_each_client,
    .each_account = pg_each_account,
    .each_obligation = pg_each_obligation,
    .each_payment = pg_each_payment,
    .decision_put = pg_decision_put,
    .policy_state_set = pg_policy_state_set,
    .due_accounts = pg_due_accounts,
    .run_log_put = pg_run_log_put,
    .run_log_last = pg_run_log_last,
    .decisions_each = pg_decisions_each,
    .decision_put_many = pg_decision_put_many,
    .policy_state_set_many = pg_policy_state_set_many,
    .policy_state_note_dirty = pg_policy_state_note_dirty,
    .run_day_open = pg_run_day_open,
    .run_part_claim = pg_run_part_claim,
    .run_part_update = pg_run_part_update,
    .run_day_left = pg_run_day_left,
    .run_day_finish = pg_run_day_finish,
};

/* The session settings: several commands, no parameters, hence the simple query protocol. */
static store_rc pg_session_setup(pg_store *g)
{
	PGresult *r = PQexec(g->conn, store_sql(ST_SETTINGS_OPEN, SQL_PG));
	store_rc rc = pg_ok(r) ? STORE_OK
	                       : pg_fail(g, "session", r ? PQresultErrorMessage(r) : PQerrorMessage(g->conn));
	PQclear(r);
	return rc;
}

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

store_rc store_pg_open(const char *url, store **out, char *err, size_t errcap)
{
	*out = NULL;
	char shown[512];
	store_redact_target(url, shown, sizeof shown);
	pg_store *g = calloc(1, sizeof *g);
	if (!g) {
		snprintf(err, errcap, "out of memory");
		return STORE_ERR;
	}
	g->base.ops = &PG_OPS;
	const char *const keys[] = {"dbname", "application_name", "client_encoding", NULL};
	const char *const vals[] = {url, "vigie", "UTF8", NULL};
	g->conn = PQconnectdbParams(keys, vals, 1);
	if (!g->conn || PQstatus(g->conn) != CONNECTION_OK) {
		const char *m = g->conn ? PQerrorMessage(g->conn) : "out of memory";
		size_t n = strlen(m);
		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		snprintf(err, errcap, "cannot connect to %s: %.*s", shown, (int)n, m);
		PQfinish(g->conn);
		free(g);
		return STORE_ERR;
	}
	PQsetNoticeProcessor(g->conn, quiet_notices, NULL);
	/* transaction control first: ROLLBACK must be ready even inside an aborted transaction */
	if (pg_session_setup(g) || pg_prepare(g, ST_BEGIN) || pg_prepare(g, ST_COMMIT) ||
	    pg_prepare(g, ST_ROLLBACK)) {
		snprintf(err, errcap, "cannot set up the session on %s: %s", shown, g->base.errmsg);
		pg_close(&g->base);
		return STORE_ERR;
	}
	*out = &g->base;
	return STORE_OK;
}

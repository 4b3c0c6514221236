/* store_query.c: the back-end neutral part of store_query.h (parameters, helpers, module
 * migrations); each back-end provides q_prepare / q_step / q_int / q_text / q_changes / q_finish. */
#include "store/store_query.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_impl.h"

_Static_assert(STORE_Q_MAXP == STORE_QP_MAX, "one limit for the parameters");

struct store_q {
	store *s;
	const char *sql;
	void *h;
	int started, failed, done;
	int64_t changes;
	store_qparams p;
	char num[STORE_QP_MAX][24];
	char *owned[STORE_QP_MAX]; /* copies of text parameters */
};

store_q *store_q_open(store *s, const store_sql2 *sql)
{
	int pg = strcmp(store_backend(s), "postgres") == 0;
	const char *text = pg && sql->pg ? sql->pg : sql->sqlite;
	if (!text) {
		store_fail(s, "internal: a statement has no text for %s", store_backend(s));
		return NULL;
	}
	store_q *q = calloc(1, sizeof *q);
	if (!q) {
		store_fail(s, "out of memory");
		return NULL;
	}
	q->s = s;
	q->sql = text;
	q->h = s->ops->q_prepare(s, text);
	if (!q->h) {
		free(q);
		return NULL;
	}
	return q;
}

static int slot(store_q *q, int i)
{
	if (i < 1 || i > STORE_QP_MAX || q->started) {
		q->failed = 1;
		store_fail(q->s, "internal: parameter $%d bound %s", i, q->started ? "after the first step" : "out of range");
		return -1;
	}
	free(q->owned[i - 1]);
	q->owned[i - 1] = NULL;
	if (i > q->p.n) q->p.n = i;
	return i - 1;
}

void store_q_int(store_q *q, int i, int64_t v)
{
	int k = slot(q, i);
	if (k < 0) return;
	q->p.kind[k] = 1;
	q->p.i[k] = v;
	snprintf(q->num[k], sizeof q->num[k], "%lld", (long long)v);
	q->p.t[k] = q->num[k];
}

void store_q_null(store_q *q, int i)
{
	int k = slot(q, i);
	if (k < 0) return;
	q->p.kind[k] = 0;
	q->p.t[k] = NULL;
}

void store_q_text(store_q *q, int i, const char *v)
{
	if (!v) {
		store_q_null(q, i);
		return;
	}
	int k = slot(q, i);
	if (k < 0) return;
	q->owned[k] = strdup(v);
	if (!q->owned[k]) {
		q->failed = 1;
		store_fail(q->s, "out of memory");
		return;
	}
	q->p.kind[k] = 2;
	q->p.t[k] = q->owned[k];
}

void store_q_day(store_q *q, int i, civil_day d)
{
	if (d == DATE_NONE)
		store_q_null(q, i);
	else
		store_q_int(q, i, d);
}

int store_q_step(store_q *q)
{
	if (q->failed) return -1;
	if (q->done) return 0;
	int first = !q->started;
	q->started = 1;
	int r = q->s->ops->q_step(q->s, q->h, &q->p, first);
	if (r < 0) {
		q->failed = 1;
		return -1;
	}
	if (r == 0) {
		q->done = 1;
		q->changes = q->s->ops->q_changes(q->s, q->h);
	}
	return r;
}

int64_t store_q_col_int(store_q *q, int c)
{
	return q->s->ops->q_int(q->h, c);
}

const char *store_q_col_text(store_q *q, int c)
{
	const char *t = q->s->ops->q_text(q->h, c);
	return t ? t : "";
}

int store_q_isnull(store_q *q, int c)
{
	return q->s->ops->q_text(q->h, c) == NULL;
}

civil_day store_q_col_day(store_q *q, int c)
{
	if (store_q_isnull(q, c)) return DATE_NONE;
	return (civil_day)store_q_col_int(q, c);
}

void store_q_col_copy(store_q *q, int c, char *dst, size_t cap)
{
	const char *t = store_q_col_text(q, c);
	store_copy_field(dst, cap, t, strlen(t));
}

int64_t store_q_changes(store_q *q)
{
	return q->changes;
}

store_rc store_q_close(store_q *q)
{
	if (!q) return STORE_ERR;
	int failed = q->failed;
	q->s->ops->q_finish(q->s, q->h);
	for (int i = 0; i < STORE_QP_MAX; i++)
		free(q->owned[i]);
	free(q);
	return failed ? STORE_ERR : STORE_OK;
}

/* --- helpers ---------------------------------------------------------------------------------- */

static void bind_va(store_q *q, const char *types, va_list ap)
{
	for (int i = 0; types && types[i]; i++) {
		switch (types[i]) {
		case 'i':
			store_q_int(q, i + 1, va_arg(ap, int64_t));
			break;
		case 't':
			store_q_text(q, i + 1, va_arg(ap, const char *));
			break;
		case 'd':
			store_q_day(q, i + 1, va_arg(ap, civil_day));
			break;
		default:
			q->failed = 1;
			store_fail(q->s, "internal: parameter type '%c'", types[i]);
			return;
		}
	}
}

static store_rc exec_va(store *s, const store_sql2 *sql, int64_t *changes, const char *types, va_list ap)
{
	store_q *q = store_q_open(s, sql);
	if (!q) return STORE_ERR;
	bind_va(q, types, ap);
	int r;
	while ((r = store_q_step(q)) > 0)
		;
	if (changes) *changes = store_q_changes(q);
	return store_q_close(q);
}

store_rc store_q_exec(store *s, const store_sql2 *sql, int64_t *changes, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	store_rc rc = exec_va(s, sql, changes, types, ap);
	va_end(ap);
	return rc;
}

store_rc store_q_exec_tx(store *s, const store_sql2 *sql, int64_t *changes, const char *types, ...)
{
	if (!s->in_tx) return store_fail(s, "a write outside a transaction");
	va_list ap;
	va_start(ap, types);
	store_rc rc = exec_va(s, sql, changes, types, ap);
	va_end(ap);
	return rc;
}

store_rc store_q_int1(store *s, const store_sql2 *sql, int64_t *out, const char *types, ...)
{
	store_q *q = store_q_open(s, sql);
	if (!q) return STORE_ERR;
	va_list ap;
	va_start(ap, types);
	bind_va(q, types, ap);
	va_end(ap);
	int r = store_q_step(q);
	if (r > 0) *out = store_q_col_int(q, 0);
	store_rc rc = store_q_close(q);
	if (rc != STORE_OK) return rc;
	return r > 0 ? STORE_OK : STORE_NOT_FOUND;
}

/* --- module migrations ------------------------------------------------------------------------ */

static const store_sql2 SQL_MODULE_TABLE = {
    "CREATE TABLE IF NOT EXISTS schema_module (name TEXT PRIMARY KEY, version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS schema_module (name text PRIMARY KEY, version integer NOT NULL)"};
static const store_sql2 SQL_MODULE_HAS = {
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_module'",
    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_module'"};
static const store_sql2 SQL_MODULE_GET = {"SELECT version FROM schema_module WHERE name = $1", NULL};
static const store_sql2 SQL_MODULE_SET = {
    "INSERT INTO schema_module (name, version) VALUES ($1, $2)"
    " ON CONFLICT (name) DO UPDATE SET version = excluded.version",
    NULL};
static const store_sql2 SQL_INIT_LOCK = {NULL, "SELECT pg_advisory_xact_lock(7384629106)"};

int store_module_version(store *s, const char *name)
{
	int64_t v = 0;
	if (store_q_int1(s, &SQL_MODULE_HAS, &v, "") != STORE_OK || v == 0) return 0;
	if (store_q_int1(s, &SQL_MODULE_GET, &v, "t", name) != STORE_OK) return 0;
	return (int)v;
}

/* Called by store_init() after the core migrations, outside any transaction. */
store_rc store_modules_migrate(store *s)
{
	int pg = strcmp(store_backend(s), "postgres") == 0;
	if (store_begin(s)) return STORE_ERR;
	if (pg && store_q_exec(s, &SQL_INIT_LOCK, NULL, "")) goto fail;
	if (store_q_exec(s, &SQL_MODULE_TABLE, NULL, "")) goto fail;
	for (const store_module *const *m = store_modules; *m; m++) {
		int64_t have = 0;
		store_rc rc = store_q_int1(s, &SQL_MODULE_GET, &have, "t", (*m)->name);
		if (rc == STORE_ERR) goto fail;
		if (rc == STORE_NOT_FOUND) have = 0;
		for (int v = (int)have + 1; v <= (*m)->versions; v++) {
			for (const char *const *sql = (*m)->migration(v, pg); sql && *sql; sql++) {
				store_sql2 one = {*sql, NULL};
				if (store_q_exec(s, &one, NULL, "")) goto fail;
			}
			if (store_q_exec(s, &SQL_MODULE_SET, NULL, "ti", (*m)->name, (int64_t)v)) goto fail;
		}
	}
	return store_commit(s);
fail:;
	char msg[STORE_ERRMSG_MAX];
	memcpy(msg, s->errmsg, sizeof msg);
	store_rollback(s);
	return store_fail(s, "store_init (modules): %.900s", msg);
}

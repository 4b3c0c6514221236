/* store_query.h: parameterised statements that work on both back-ends, for the store's modules
 * (people, audit, work, risk...: each one a file src/store/store_NAME.c with its own SQL texts and
 * its own tables, created by its migrations). The core tables of the ledger keep their tuned,
 * back-end specific code (store_sqlite.c, store_pg.c); the modules, whose volumes are small or whose
 * statements are few, use this layer instead, so that a module is written once.
 *
 * Promises:
 * - SQL texts use $1, $2, ...; each number is bound by store_q_int/_text/_day/_null before the first
 *   store_q_step (a number never bound is NULL). Nothing is ever concatenated into SQL from data.
 * - A text may differ by dialect (store_sql2 .pg; NULL = the same text as .sqlite).
 * - Results: store_q_step() returns 1 with a row, 0 when done, -1 on error (store_errmsg() tells);
 *   columns are numbered from 0; a NULL column reads as 0, "" or DATE_NONE (store_q_isnull tells).
 *   A text column stays valid until the next step or close.
 * - store_q_close() frees the statement and returns STORE_ERR if any step of it failed.
 * - SQLite keeps prepared statements in a cache keyed by the text's address (texts are static);
 *   PostgreSQL sends each statement with PQexecParams, the parameters as text.
 * - Writes happen inside store_begin()/store_commit() like every other write: the layer does not
 *   check which statements write, the module does (store_q_exec_tx refuses outside a transaction).
 *
 * Module migrations: a module lists its schema versions (store_module); store_init() applies the
 * versions a store lacks, in one transaction, after the core migrations, and records each module's
 * version in table schema_module. The modules are listed in store_modules.c. */
#ifndef VIGIE_STORE_QUERY_H
#define VIGIE_STORE_QUERY_H
#include <stdint.h>
#include "store/store.h"

#define STORE_Q_MAXP 32 /* parameters of one statement */

typedef struct {
	const char *sqlite;
	const char *pg; /* NULL: the same text as sqlite */
} store_sql2;

typedef struct store_q store_q;

/* NULL on error (store_errmsg). */
store_q *store_q_open(store *s, const store_sql2 *sql);
void store_q_int(store_q *q, int i, int64_t v);
void store_q_text(store_q *q, int i, const char *v); /* NULL binds NULL; copied */
void store_q_day(store_q *q, int i, civil_day d);    /* DATE_NONE binds NULL */
void store_q_null(store_q *q, int i);
int store_q_step(store_q *q);
int64_t store_q_col_int(store_q *q, int c);
const char *store_q_col_text(store_q *q, int c);
civil_day store_q_col_day(store_q *q, int c);
int store_q_isnull(store_q *q, int c);
int64_t store_q_changes(store_q *q); /* rows written by the statement (after it is done) */
store_rc store_q_close(store_q *q);

/* Copies a text column into dst (cut at cap-1 bytes). */
void store_q_col_copy(store_q *q, int c, char *dst, size_t cap);

/* One statement run to completion, rows ignored. types: one letter per parameter, in order:
 * 'i' int64_t, 't' const char * (NULL = NULL), 'd' civil_day (DATE_NONE = NULL). *changes (may be
 * NULL) gets the rows written. _tx: refused outside a transaction. */
store_rc store_q_exec(store *s, const store_sql2 *sql, int64_t *changes, const char *types, ...);
store_rc store_q_exec_tx(store *s, const store_sql2 *sql, int64_t *changes, const char *types, ...);

/* The first column of the first row as an integer: STORE_NOT_FOUND when there is no row. */
store_rc store_q_int1(store *s, const store_sql2 *sql, int64_t *out, const char *types, ...);

/* --- module migrations ------------------------------------------------------------------------ */
typedef struct {
	const char *name; /* schema_module.name */
	int versions;
	/* the statements of version v (1..versions) for a dialect (0 SQLite, 1 PostgreSQL), NULL-ended */
	const char *const *(*migration)(int version, int pg);
} store_module;

/* Every module, NULL-ended (store_modules.c). */
extern const store_module *const store_modules[];

/* The version of a module in this store, 0 when it has none (or the store is not initialised). */
int store_module_version(store *s, const char *name);

#endif

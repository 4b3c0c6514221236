/* store_impl.h: what the store's back-ends share behind store.h, and nothing the rest of Vigie sees.
 * A back-end is a struct of function pointers (store_ops) filled with designated initializers;
 * store.c checks the arguments and the transaction state once, then dispatches. Each back-end's
 * handle begins with `store base` so that a store * and the back-end's own struct convert freely.
 *
 * Also here: two caches of facts known inside the current transaction, as bitmaps of ids:
 * - known dirty: accounts already marked dirty (so a bulk load of ten payments per account does not
 *   rewrite the same mark ten times; such an account also surely exists);
 * - known clients: clients written or seen to exist (so an account insert need not look them up).
 * Both are forgotten at every transaction boundary, and the first after a rebuild (which clears the
 * marks), so they never claim something another connection could have changed in between. */
#ifndef VIGIE_STORE_IMPL_H
#define VIGIE_STORE_IMPL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

#define STORE_ERRMSG_MAX 1024

/* The parameters of a generic statement (store_query.c fills them). */
#define STORE_QP_MAX 32
typedef struct {
	int n;                        /* parameters $1..$n */
	int kind[STORE_QP_MAX];       /* 0 NULL, 1 integer, 2 text */
	int64_t i[STORE_QP_MAX];      /* integers */
	const char *t[STORE_QP_MAX];  /* texts, and integers as decimal text; NULL for NULL */
} store_qparams;

typedef struct store_ops {
	const char *name; /* "sqlite", "postgres" */
	void (*close)(store *s);
	store_rc (*init)(store *s);
	int (*schema_version)(store *s);
	store_rc (*begin)(store *s, int bulk);
	store_rc (*commit)(store *s);
	store_rc (*rollback)(store *s);

	store_rc (*client_put)(store *s, store_client *c, store_put *res);
	store_rc (*client_get)(store *s, const char *ext_id, store_client *out);
	store_rc (*account_put)(store *s, store_account *a, store_put *res);
	store_rc (*account_get)(store *s, const char *ext_id, store_account *out);
	store_rc (*account_write_off)(store *s, int64_t account_id, civil_day on);
	store_rc (*obligations_set)(store *s, int64_t account_id, const obligation *ob, int n,
	                            store_put *res);
	store_rc (*obligations_get)(store *s, int64_t account_id, obligation *buf, int cap, int *n);
	store_rc (*payment_put)(store *s, store_payment *p, store_put *res);
	store_rc (*payment_get)(store *s, const char *ext_id, store_payment *out);
	store_rc (*payment_reverse)(store *s, const char *ext_id, civil_day on, store_put *res);
	store_rc (*payments_get)(store *s, int64_t account_id, store_payment *buf, int cap, int *n);

	/* Optional batch forms (NULL: store.c loops over the one-row form). Same contract as the
	 * public store_*_put_many(): rc[i]/res[i] per row; the return value is STORE_ERR only for a
	 * database error. */
	store_rc (*client_put_many)(store *s, store_client *c, int n, store_rc *rc, store_put *res);
	store_rc (*account_put_many)(store *s, store_account *a, int n, store_rc *rc, store_put *res);
	store_rc (*obligations_set_many)(store *s, const store_obligation_set *sets, int n, store_rc *rc,
	                                 store_put *res);
	store_rc (*payment_put_many)(store *s, store_payment *p, int n, store_rc *rc, store_put *res);

	store_rc (*ledger_rebuild)(store *s, store_ledger_fn fn, void *ctx, int64_t *n_rebuilt);
	store_rc (*bucket_history_get)(store *s, int64_t account_id, ledger_bucket_interval *buf, int cap,
	                               int *n);
	store_rc (*scan)(store *s, const store_scan_filter *f, store_scan_fn fn, void *ctx);
	store_rc (*each_client)(store *s, store_client_fn fn, void *ctx);
	store_rc (*each_account)(store *s, int kind, store_account_fn fn, void *ctx);
	store_rc (*each_obligation)(store *s, store_obligation_fn fn, void *ctx);
	store_rc (*each_payment)(store *s, store_payment_fn fn, void *ctx);

	/* schema version 2: the daily run (store.c loops over the one-row puts) */
	store_rc (*decision_put)(store *s, const store_decision *d, store_put *res);
	store_rc (*policy_state_set)(store *s, const store_policy_state *st);
	store_rc (*due_accounts)(store *s, civil_day day, int part, int limit, store_due_fn fn, void *ctx,
	                         int *n);
	store_rc (*run_log_put)(store *s, const store_run_log *r);
	store_rc (*run_log_last)(store *s, store_run_log *out);
	store_rc (*decisions_each)(store *s, const store_decision_filter *f, store_decision_fn fn, void *ctx);

	/* Generic statements (store_query.h). q_prepare returns the back-end's handle (NULL on error);
	 * q_step executes on its first call (first != 0, with the parameters) and returns 1 row, 0 done,
	 * -1 error; q_finish releases the handle (back to the cache on SQLite). */
	void *(*q_prepare)(store *s, const char *sql);
	int (*q_step)(store *s, void *h, const store_qparams *p, int first);
	int64_t (*q_int)(void *h, int c);
	const char *(*q_text)(void *h, int c); /* NULL for SQL NULL */
	int64_t (*q_changes)(store *s, void *h);
	void (*q_finish)(store *s, void *h);
	/* schema version 3: batch forms (NULL: the one-row loop), partitions of a day run */
	store_rc (*decision_put_many)(store *s, const store_decision *d, int n, store_put *res);
	store_rc (*policy_state_set_many)(store *s, const store_policy_state *st, int n);
	store_rc (*policy_state_note_dirty)(store *s);
	store_rc (*run_day_open)(store *s, civil_day day, int replan, int *created);
	store_rc (*run_part_claim)(store *s, civil_day day, const char *owner, int lease_s, int *part);
	store_rc (*run_part_update)(store *s, civil_day day, int part, const char *owner, int lease_s,
	                            int64_t accounts, int64_t decisions, int64_t unchanged, int done);
	store_rc (*run_day_left)(store *s, civil_day day, int *total, int *left);
	store_rc (*run_day_finish)(store *s, civil_day day, const char *policy_name, int32_t policy_version);
} store_ops;

typedef struct {
	uint64_t *bits; /* bit i = id i is in the set */
	size_t words;   /* allocated words */
	size_t lo, hi;  /* words [lo, hi) may hold set bits */
} store_idset;

struct store {
	const store_ops *ops;
	int in_tx; /* set by store.c between a successful begin and commit/rollback */
	char errmsg[STORE_ERRMSG_MAX];
	store_idset dirty;   /* accounts marked dirty in this transaction */
	store_idset clients; /* clients known to exist in this transaction */
};

/* Back-end constructors (store.c picks one from the target). On failure *out is NULL and err tells
 * why, never with the connection password. */
store_rc store_sqlite_open(const char *path, store **out, char *err, size_t errcap);
store_rc store_pg_open(const char *url, store **out, char *err, size_t errcap);

/* Sets s->errmsg (printf style) and returns STORE_ERR. */
store_rc store_fail(store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets s->errmsg and returns STORE_CONFLICT. */
store_rc store_conflict(store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The comparisons behind PUT_UNCHANGED, the same on both back-ends. store_account_same(): a write-off
 * is a later event (store_account_write_off), so an incoming account without one matches a stored
 * account that has one. store_payment_same(): account, date and amount (the reference is free text
 * and a reversal a later event). */
int store_client_same(const store_client *in, const store_client *old);
int store_account_same(const store_account *in, const store_account *old);
int store_obligation_same(const obligation *a, const obligation *b);
int store_payment_same(const store_payment *in, const store_payment *old);

/* The caches (an id beyond 2^27 is simply never cached). */
int store_idset_has(const store_idset *set, int64_t id);
void store_idset_add(store_idset *set, int64_t id);
void store_idset_clear(store_idset *set);
#define store_dirty_known(s, id)  store_idset_has(&(s)->dirty, (id))
#define store_dirty_note(s, id)   store_idset_add(&(s)->dirty, (id))
#define store_client_known(s, id) store_idset_has(&(s)->clients, (id))
#define store_client_note(s, id)  store_idset_add(&(s)->clients, (id))
/* Applies the module migrations (store_query.c), after the core ones. */
store_rc store_modules_migrate(store *s);

void store_base_free(store *s); /* frees what the struct store part owns (not s itself) */

/* Copies a string field of at most cap-1 bytes (the rest is cut) and terminates it. */
void store_copy_field(char *dst, size_t cap, const char *src, size_t len);

/* Writes into dst a copy of a PostgreSQL URL or conninfo with any password replaced by "***". */
void store_redact_target(const char *target, char *dst, size_t cap);

#endif

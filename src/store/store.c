/* store.c: the store's front: picks the back-end from the target, checks arguments and the
 * transaction state once for both back-ends, then dispatches through the back-end's store_ops.
 * Also the helpers the back-ends share (errors, the known-dirty cache, password redaction). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_impl.h"

/* Above this id the caches stop remembering (16 MiB of bits each): ids beyond still work, they are
 * just checked or marked every time. */
#define IDSET_MAX_ID ((int64_t)1 << 27)

store_rc store_fail(store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
	va_end(ap);
	return STORE_ERR;
}

store_rc store_conflict(store *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
	va_end(ap);
	return STORE_CONFLICT;
}

int store_client_same(const store_client *a, const store_client *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->branch, b->branch) &&
	       !strcmp(a->officer, b->officer) && !strcmp(a->phone, b->phone) &&
	       !strcmp(a->email, b->email) && !strcmp(a->language, b->language);
}

int store_account_same(const store_account *in, const store_account *old)
{
	return in->kind == old->kind && in->client_id == old->client_id &&
	       !strcmp(in->currency, old->currency) && in->principal == old->principal &&
	       in->start_on == old->start_on && in->due_on == old->due_on &&
	       (in->written_off_on == DATE_NONE || in->written_off_on == old->written_off_on) &&
	       !strcmp(in->product, old->product) && !strcmp(in->branch, old->branch) &&
	       !strcmp(in->officer, old->officer);
}

int store_obligation_same(const obligation *a, const obligation *b)
{
	if (a->due_on != b->due_on) return 0;
	for (int k = 0; k < COMP_N; k++)
		if (a->amount[k] != b->amount[k]) return 0;
	return 1;
}

int store_payment_same(const store_payment *in, const store_payment *old)
{
	return in->account_id == old->account_id && in->paid_on == old->paid_on && in->amount == old->amount;
}

void store_copy_field(char *dst, size_t cap, const char *src, size_t len)
{
	if (cap == 0) return;
	if (len > cap - 1) len = cap - 1;
	if (len) memcpy(dst, src, len);
	dst[len] = '\0';
}

int store_idset_has(const store_idset *set, int64_t id)
{
	if (id <= 0 || id >= IDSET_MAX_ID) return 0;
	size_t w = (size_t)id / 64;
	return w < set->words && (set->bits[w] >> (id % 64) & 1);
}

void store_idset_add(store_idset *set, int64_t id)
{
	if (id <= 0 || id >= IDSET_MAX_ID) return;
	size_t w = (size_t)id / 64;
	if (w >= set->words) {
		size_t nw = set->words ? set->words : 1024;
		while (nw <= w)
			nw *= 2;
		uint64_t *nb = realloc(set->bits, nw * sizeof *nb);
		if (!nb) return; /* only a cache: the fact is simply checked again next time */
		memset(nb + set->words, 0, (nw - set->words) * sizeof *nb);
		set->bits = nb;
		set->words = nw;
	}
	set->bits[w] |= (uint64_t)1 << (id % 64);
	if (set->lo >= set->hi) {
		set->lo = w;
		set->hi = w + 1;
	} else {
		if (w < set->lo) set->lo = w;
		if (w >= set->hi) set->hi = w + 1;
	}
}

void store_idset_clear(store_idset *set)
{
	if (set->lo < set->hi) memset(set->bits + set->lo, 0, (set->hi - set->lo) * sizeof *set->bits);
	set->lo = set->hi = 0;
}

static void idset_free(store_idset *set)
{
	free(set->bits);
	memset(set, 0, sizeof *set);
}

void store_base_free(store *s)
{
	idset_free(&s->dirty);
	idset_free(&s->clients);
}

/* Forgets what the caches know (at transaction boundaries). */
static void forget(store *s)
{
	store_idset_clear(&s->dirty);
	store_idset_clear(&s->clients);
}

/* postgresql://user:secret@host/db?password=secret -> postgresql://user:***@host/db?password=*** */
void store_redact_target(const char *t, char *dst, size_t cap)
{
	if (!cap) return;
	size_t o = 0;
	const char *scheme = strstr(t, "://");
	const char *auth = scheme ? scheme + 3 : NULL;
	const char *at = auth ? strpbrk(auth, "@/?") : NULL;
	const char *colon = NULL;
	if (at && *at == '@') {
		colon = memchr(auth, ':', (size_t)(at - auth));
	}
	for (const char *p = t; *p && o + 1 < cap;) {
		if (colon && p == colon + 1) {
			for (const char *r = "***"; *r && o + 1 < cap; r++)
				dst[o++] = *r;
			p = at;
			continue;
		}
		if (strncmp(p, "password=", 9) == 0 &&
		    (p == t || p[-1] == '?' || p[-1] == '&' || p[-1] == ' ')) {
			for (const char *r = "password=***"; *r && o + 1 < cap; r++)
				dst[o++] = *r;
			p += 9;
			while (*p && *p != '&' && *p != ' ')
				p++;
			continue;
		}
		dst[o++] = *p++;
	}
	dst[o] = '\0';
}

/* --- opening --------------------------------------------------------------------------------- */

store_rc store_open(const char *target, store **out, char *err, size_t errcap)
{
	if (out) *out = NULL;
	if (!target || !out) {
		if (err && errcap) snprintf(err, errcap, "store_open: no target");
		return STORE_ERR;
	}
	if (strncmp(target, "postgres://", 11) == 0 || strncmp(target, "postgresql://", 13) == 0)
		return store_pg_open(target, out, err, errcap);
	return store_sqlite_open(target, out, err, errcap);
}

void store_close(store *s)
{
	if (s) s->ops->close(s);
}

const char *store_errmsg(const store *s)
{
	return s ? s->errmsg : "no store";
}

const char *store_backend(const store *s)
{
	return s ? s->ops->name : "none";
}

store_rc store_init(store *s)
{
	if (s->in_tx) return store_fail(s, "store_init: called inside a transaction");
	if (s->ops->init(s)) return STORE_ERR;
	return store_modules_migrate(s);
}

int store_schema_version(store *s)
{
	return s->ops->schema_version(s);
}

/* --- transactions ---------------------------------------------------------------------------- */

static store_rc begin(store *s, int bulk)
{
	if (s->in_tx) return store_fail(s, "store_begin: a transaction is already open");
	forget(s);
	store_rc rc = s->ops->begin(s, bulk);
	if (rc == STORE_OK) s->in_tx = 1;
	return rc;
}

store_rc store_begin(store *s)
{
	return begin(s, 0);
}

store_rc store_begin_bulk(store *s)
{
	return begin(s, 1);
}

store_rc store_commit(store *s)
{
	if (!s->in_tx) return store_fail(s, "store_commit: no transaction is open");
	store_rc rc = s->ops->commit(s);
	if (rc != STORE_OK) {
		/* make sure nothing stays half-open; keep the commit's error */
		char msg[STORE_ERRMSG_MAX];
		memcpy(msg, s->errmsg, sizeof msg);
		s->ops->rollback(s);
		memcpy(s->errmsg, msg, sizeof msg);
	}
	s->in_tx = 0;
	forget(s);
	return rc;
}

store_rc store_rollback(store *s)
{
	if (!s->in_tx) return store_fail(s, "store_rollback: no transaction is open");
	store_rc rc = s->ops->rollback(s);
	s->in_tx = 0;
	forget(s);
	return rc;
}

static store_rc need_tx(store *s, const char *fn)
{
	if (!s->in_tx) return store_fail(s, "%s: writes need a transaction (store_begin)", fn);
	return STORE_OK;
}

/* --- argument checks ------------------------------------------------------------------------- */

static int empty(const char *f, size_t cap)
{
	return strnlen(f, cap) == 0;
}

/* Every string field must be a C string inside its array: the back-ends rely on it. */
#define UNTERMINATED(F) (strnlen((F), sizeof(F)) == sizeof(F))

static store_rc check_client(store *s, const store_client *c)
{
	if (UNTERMINATED(c->ext_id) || UNTERMINATED(c->name) || UNTERMINATED(c->branch) ||
	    UNTERMINATED(c->officer) || UNTERMINATED(c->phone) || UNTERMINATED(c->email) ||
	    UNTERMINATED(c->language))
		return store_fail(s, "client: a field is not NUL-terminated");
	if (empty(c->ext_id, sizeof c->ext_id)) return store_fail(s, "client: empty external id");
	return STORE_OK;
}

static store_rc check_account(store *s, const store_account *a)
{
	if (UNTERMINATED(a->ext_id) || UNTERMINATED(a->currency) || UNTERMINATED(a->product) ||
	    UNTERMINATED(a->branch) || UNTERMINATED(a->officer))
		return store_fail(s, "account: a field is not NUL-terminated");
	if (empty(a->ext_id, sizeof a->ext_id)) return store_fail(s, "account: empty external id");
	if (a->kind != STORE_LOAN && a->kind != STORE_INVOICE)
		return store_fail(s, "account %.63s: bad kind %d", a->ext_id, (int)a->kind);
	if (a->client_id <= 0) return store_fail(s, "account %.63s: no client id", a->ext_id);
	if (empty(a->currency, sizeof a->currency))
		return store_fail(s, "account %.63s: no currency", a->ext_id);
	return STORE_OK;
}

static store_rc check_obligations(store *s, int64_t account_id, const obligation *ob, int n)
{
	if (account_id <= 0) return store_fail(s, "obligations: no account id");
	if (n < 0 || (n > 0 && !ob))
		return store_fail(s, "obligations of account %lld: bad count %d", (long long)account_id, n);
	for (int i = 0; i < n; i++) {
		if (ob[i].due_on == DATE_NONE)
			return store_fail(s, "obligations of account %lld: row %d has no due date",
			                  (long long)account_id, i + 1);
		if (i && ob[i].due_on < ob[i - 1].due_on)
			return store_fail(s, "obligations of account %lld: not sorted by due date at row %d",
			                  (long long)account_id, i + 1);
		for (int k = 0; k < COMP_N; k++)
			if (ob[i].amount[k] < 0)
				return store_fail(s, "obligations of account %lld: negative amount at row %d",
				                  (long long)account_id, i + 1);
	}
	return STORE_OK;
}

static store_rc check_payment(store *s, const store_payment *p)
{
	if (UNTERMINATED(p->ext_id) || UNTERMINATED(p->reference))
		return store_fail(s, "payment: a field is not NUL-terminated");
	if (empty(p->ext_id, sizeof p->ext_id)) return store_fail(s, "payment: empty external id");
	if (p->account_id <= 0) return store_fail(s, "payment %.63s: no account id", p->ext_id);
	if (p->paid_on == DATE_NONE) return store_fail(s, "payment %.63s: no payment date", p->ext_id);
	if (p->amount <= 0) return store_fail(s, "payment %.63s: amount must be > 0", p->ext_id);
	return STORE_OK;
}

static store_rc check_list(store *s, const void *buf, int cap, const int *n)
{
	if (!n || cap < 0 || (cap > 0 && !buf)) return store_fail(s, "bad output buffer");
	return STORE_OK;
}

/* --- clients, accounts, obligations, payments ------------------------------------------------ */

store_rc store_client_put(store *s, store_client *c, store_put *res)
{
	if (!c || !res) return store_fail(s, "store_client_put: no row or result");
	if (need_tx(s, "store_client_put") || check_client(s, c)) return STORE_ERR;
	return s->ops->client_put(s, c, res);
}

store_rc store_client_get(store *s, const char *ext_id, store_client *out)
{
	if (!ext_id || !out) return store_fail(s, "store_client_get: no ext_id or output");
	return s->ops->client_get(s, ext_id, out);
}

store_rc store_account_put(store *s, store_account *a, store_put *res)
{
	if (!a || !res) return store_fail(s, "store_account_put: no row or result");
	if (need_tx(s, "store_account_put") || check_account(s, a)) return STORE_ERR;
	return s->ops->account_put(s, a, res);
}

store_rc store_account_get(store *s, const char *ext_id, store_account *out)
{
	if (!ext_id || !out) return store_fail(s, "store_account_get: no ext_id or output");
	return s->ops->account_get(s, ext_id, out);
}

store_rc store_account_write_off(store *s, int64_t account_id, civil_day on)
{
	if (need_tx(s, "store_account_write_off")) return STORE_ERR;
	return s->ops->account_write_off(s, account_id, on);
}

store_rc store_obligations_set(store *s, int64_t account_id, const obligation *ob, int n, store_put *res)
{
	if (!res) return store_fail(s, "store_obligations_set: no result");
	if (need_tx(s, "store_obligations_set") || check_obligations(s, account_id, ob, n)) return STORE_ERR;
	return s->ops->obligations_set(s, account_id, ob, n, res);
}

store_rc store_obligations_get(store *s, int64_t account_id, obligation *buf, int cap, int *n)
{
	if (check_list(s, buf, cap, n)) return STORE_ERR;
	return s->ops->obligations_get(s, account_id, buf, cap, n);
}

store_rc store_payment_put(store *s, store_payment *p, store_put *res)
{
	if (!p || !res) return store_fail(s, "store_payment_put: no row or result");
	if (need_tx(s, "store_payment_put") || check_payment(s, p)) return STORE_ERR;
	return s->ops->payment_put(s, p, res);
}

store_rc store_payment_get(store *s, const char *ext_id, store_payment *out)
{
	if (!ext_id || !out) return store_fail(s, "store_payment_get: no ext_id or output");
	return s->ops->payment_get(s, ext_id, out);
}

store_rc store_payment_reverse(store *s, const char *ext_id, civil_day on, store_put *res)
{
	if (need_tx(s, "store_payment_reverse")) return STORE_ERR;
	if (!ext_id || !res) return store_fail(s, "store_payment_reverse: no ext_id or result");
	if (on == DATE_NONE) return store_fail(s, "payment %.63s: no reversal date", ext_id);
	return s->ops->payment_reverse(s, ext_id, on, res);
}

store_rc store_payments_get(store *s, int64_t account_id, store_payment *buf, int cap, int *n)
{
	if (check_list(s, buf, cap, n)) return STORE_ERR;
	return s->ops->payments_get(s, account_id, buf, cap, n);
}

/* --- batches --------------------------------------------------------------------------------- */

static store_rc check_batch(store *s, const char *fn, const void *rows, int n, const store_rc *rc,
                            const store_put *res)
{
	if (need_tx(s, fn)) return STORE_ERR;
	if (n < 0 || (n > 0 && (!rows || !rc || !res))) return store_fail(s, "%s: bad arguments", fn);
	return STORE_OK;
}

/* The loop that stands in for a back-end without a batch form: stops at the first database error
 * (the rows after it get STORE_ERR too). */
#define BATCH_LOOP(ONE)                                                                                      \
	do {                                                                                                 \
		for (int i = 0; i < n; i++) {                                                                \
			rc[i] = (ONE);                                                                       \
			if (rc[i] == STORE_ERR) {                                                            \
				for (int j = i + 1; j < n; j++)                                              \
					rc[j] = STORE_ERR;                                                   \
				return STORE_ERR;                                                            \
			}                                                                                    \
		}                                                                                            \
		return STORE_OK;                                                                             \
	} while (0)

store_rc store_client_put_many(store *s, store_client *c, int n, store_rc *rc, store_put *res)
{
	if (check_batch(s, "store_client_put_many", c, n, rc, res)) return STORE_ERR;
	for (int i = 0; i < n; i++)
		if (check_client(s, &c[i])) return store_fail(s, "row %d: %.900s", i + 1, s->errmsg);
	if (s->ops->client_put_many) return s->ops->client_put_many(s, c, n, rc, res);
	BATCH_LOOP(s->ops->client_put(s, &c[i], &res[i]));
}

store_rc store_account_put_many(store *s, store_account *a, int n, store_rc *rc, store_put *res)
{
	if (check_batch(s, "store_account_put_many", a, n, rc, res)) return STORE_ERR;
	for (int i = 0; i < n; i++)
		if (check_account(s, &a[i])) return store_fail(s, "row %d: %.900s", i + 1, s->errmsg);
	if (s->ops->account_put_many) return s->ops->account_put_many(s, a, n, rc, res);
	BATCH_LOOP(s->ops->account_put(s, &a[i], &res[i]));
}

store_rc store_obligations_set_many(store *s, const store_obligation_set *sets, int n, store_rc *rc,
                                    store_put *res)
{
	if (check_batch(s, "store_obligations_set_many", sets, n, rc, res)) return STORE_ERR;
	for (int i = 0; i < n; i++)
		if (check_obligations(s, sets[i].account_id, sets[i].ob, sets[i].n))
			return store_fail(s, "row %d: %.900s", i + 1, s->errmsg);
	if (s->ops->obligations_set_many) return s->ops->obligations_set_many(s, sets, n, rc, res);
	BATCH_LOOP(s->ops->obligations_set(s, sets[i].account_id, sets[i].ob, sets[i].n, &res[i]));
}

store_rc store_payment_put_many(store *s, store_payment *p, int n, store_rc *rc, store_put *res)
{
	if (check_batch(s, "store_payment_put_many", p, n, rc, res)) return STORE_ERR;
	for (int i = 0; i < n; i++)
		if (check_payment(s, &p[i])) return store_fail(s, "row %d: %.900s", i + 1, s->errmsg);
	if (s->ops->payment_put_many) return s->ops->payment_put_many(s, p, n, rc, res);
	BATCH_LOOP(s->ops->payment_put(s, &p[i], &res[i]));
}

/* --- derived data, scans, exports ------------------------------------------------------------ */

store_rc store_ledger_rebuild(store *s, store_ledger_fn fn, void *ctx, int64_t *n_rebuilt)
{
	if (n_rebuilt) *n_rebuilt = 0;
	if (need_tx(s, "store_ledger_rebuild")) return STORE_ERR;
	if (!fn) return store_fail(s, "store_ledger_rebuild: no function");
	store_rc rc = s->ops->ledger_rebuild(s, fn, ctx, n_rebuilt);
	/* the marks are cleared (or the caller must roll back): either way the cache is stale */
	store_idset_clear(&s->dirty);
	return rc;
}

store_rc store_bucket_history_get(store *s, int64_t account_id, ledger_bucket_interval *buf, int cap, int *n)
{
	if (check_list(s, buf, cap, n)) return STORE_ERR;
	return s->ops->bucket_history_get(s, account_id, buf, cap, n);
}

store_rc store_scan(store *s, const store_scan_filter *f, store_scan_fn fn, void *ctx)
{
	static const store_scan_filter all = {.kind = -1, .currency = NULL, .by_client = 0};
	if (!fn) return store_fail(s, "store_scan: no function");
	if (f && f->shards > 1 && (f->shard < 0 || f->shard >= f->shards))
		return store_fail(s, "store_scan: shard %d out of 0..%d", f->shard, f->shards - 1);
	return s->ops->scan(s, f ? f : &all, fn, ctx);
}

store_rc store_each_client(store *s, store_client_fn fn, void *ctx)
{
	if (!fn) return store_fail(s, "store_each_client: no function");
	return s->ops->each_client(s, fn, ctx);
}

store_rc store_each_account(store *s, int kind, store_account_fn fn, void *ctx)
{
	if (!fn) return store_fail(s, "store_each_account: no function");
	return s->ops->each_account(s, kind, fn, ctx);
}

store_rc store_each_obligation(store *s, store_obligation_fn fn, void *ctx)
{
	if (!fn) return store_fail(s, "store_each_obligation: no function");
	return s->ops->each_obligation(s, fn, ctx);
}

store_rc store_each_payment(store *s, store_payment_fn fn, void *ctx)
{
	if (!fn) return store_fail(s, "store_each_payment: no function");
	return s->ops->each_payment(s, fn, ctx);
}

/* --- the daily run --------------------------------------------------------------------------- */

static store_rc check_decision(store *s, const store_decision *d)
{
	if (UNTERMINATED(d->dedupe_key) || UNTERMINATED(d->segment) || UNTERMINATED(d->step) ||
	    UNTERMINATED(d->action) || UNTERMINATED(d->channels) || UNTERMINATED(d->template_name) ||
	    UNTERMINATED(d->task_kind) || UNTERMINATED(d->assignee) || UNTERMINATED(d->status))
		return store_fail(s, "decision: a field is not NUL-terminated");
	if (empty(d->dedupe_key, sizeof d->dedupe_key)) return store_fail(s, "decision: empty dedupe key");
	if (d->account_id <= 0) return store_fail(s, "decision %.200s: no account id", d->dedupe_key);
	if (d->day == DATE_NONE || d->created_by_run_day == DATE_NONE)
		return store_fail(s, "decision %.200s: no day", d->dedupe_key);
	if (empty(d->action, sizeof d->action) || empty(d->status, sizeof d->status))
		return store_fail(s, "decision %.200s: no action or status", d->dedupe_key);
	return STORE_OK;
}

store_rc store_decision_put_many(store *s, const store_decision *d, int n, store_put *res)
{
	if (need_tx(s, "store_decision_put_many")) return STORE_ERR;
	if (n < 0 || (n > 0 && (!d || !res))) return store_fail(s, "store_decision_put_many: bad arguments");
	for (int i = 0; i < n; i++)
		if (check_decision(s, &d[i])) return store_fail(s, "row %d: %.900s", i + 1, s->errmsg);
	if (n == 0) return STORE_OK;
	if (s->ops->decision_put_many) return s->ops->decision_put_many(s, d, n, res);
	for (int i = 0; i < n; i++)
		if (s->ops->decision_put(s, &d[i], &res[i])) return STORE_ERR;
	return STORE_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

store_rc store_policy_state_set_many(store *s, const store_policy_state *st, int n)
{
	if (need_tx(s, "store_policy_state_set_many")) return STORE_ERR;
	if (n < 0 || (n > 0 && !st)) return store_fail(s, "store_policy_state_set_many: bad arguments");
	for (int i = 0; i < n; i++)
		if (st[i].account_id <= 0) return store_fail(s, "policy state row %d: no account id", i + 1);
	if (n == 0) return STORE_OK;
	/* distinct ids: a PostgreSQL upsert cannot touch a row twice, and SQLite would keep the last */
	int64_t *ids = malloc(sizeof *ids * (size_t)n);
	if (!ids) return store_fail(s, "out of memory");
	for (int i = 0; i < n; i++)
		ids[i] = st[i].account_id;
	qsort(ids, (size_t)n, sizeof *ids, cmp_i64);
	int64_t rep = 0;
	for (int i = 1; i < n && !rep; i++)
		if (ids[i] == ids[i - 1]) rep = ids[i];
	free(ids);
	if (rep)
		return store_fail(s, "store_policy_state_set_many: account %lld given twice", (long long)rep);
	if (s->ops->policy_state_set_many) return s->ops->policy_state_set_many(s, st, n);
	for (int i = 0; i < n; i++)
		if (s->ops->policy_state_set(s, &st[i])) return STORE_ERR;
	return STORE_OK;
}

store_rc store_policy_state_note_dirty(store *s)
{
	if (need_tx(s, "store_policy_state_note_dirty")) return STORE_ERR;
	if (!s->ops->policy_state_note_dirty || store_schema_version(s) < 3) return STORE_OK;
	return s->ops->policy_state_note_dirty(s);
}

store_rc store_due_accounts(store *s, civil_day day, int part, int limit, store_due_fn fn, void *ctx, int *n)
{
	if (n) *n = 0;
	if (!fn || !n || limit <= 0 || day == DATE_NONE || part < 0 || part >= STORE_RUN_PARTS)
		return store_fail(s, "store_due_accounts: bad arguments");
	return s->ops->due_accounts(s, day, part, limit, fn, ctx, n);
}

store_rc store_run_day_open(store *s, civil_day day, int replan, int *created)
{
	if (need_tx(s, "store_run_day_open")) return STORE_ERR;
	if (day == DATE_NONE || !created) return store_fail(s, "store_run_day_open: bad arguments");
	*created = 0;
	return s->ops->run_day_open(s, day, replan, created);
}

static int bad_owner(const char *owner)
{
	return !owner || !owner[0] || strnlen(owner, STORE_NAME_MAX) == STORE_NAME_MAX;
}

store_rc store_run_part_claim(store *s, civil_day day, const char *owner, int lease_s, int *part)
{
	if (need_tx(s, "store_run_part_claim")) return STORE_ERR;
	if (day == DATE_NONE || bad_owner(owner) || lease_s <= 0 || !part)
		return store_fail(s, "store_run_part_claim: bad arguments");
	*part = -1;
	return s->ops->run_part_claim(s, day, owner, lease_s, part);
}

store_rc store_run_part_update(store *s, civil_day day, int part, const char *owner, int lease_s,
                               int64_t accounts, int64_t decisions, int64_t unchanged, int done)
{
	if (need_tx(s, "store_run_part_update")) return STORE_ERR;
	if (day == DATE_NONE || part < 0 || part >= STORE_RUN_PARTS || bad_owner(owner) || lease_s <= 0 ||
	    accounts < 0 || decisions < 0 || unchanged < 0)
		return store_fail(s, "store_run_part_update: bad arguments");
	return s->ops->run_part_update(s, day, part, owner, lease_s, accounts, decisions, unchanged,
	                               done ? 1 : 0);
}

store_rc store_run_day_left(store *s, civil_day day, int *total, int *left)
{
	if (day == DATE_NONE || !total || !left) return store_fail(s, "store_run_day_left: bad arguments");
	return s->ops->run_day_left(s, day, total, left);
}

store_rc store_run_day_finish(store *s, civil_day day, const char *policy_name, int32_t policy_version)
{
	if (need_tx(s, "store_run_day_finish")) return STORE_ERR;
	if (day == DATE_NONE || !policy_name || strnlen(policy_name, STORE_ID_MAX) == STORE_ID_MAX)
		return store_fail(s, "store_run_day_finish: bad arguments");
	return s->ops->run_day_finish(s, day, policy_name, policy_version);
}

store_rc store_run_log_put(store *s, const store_run_log *r)
{
	if (need_tx(s, "store_run_log_put")) return STORE_ERR;
	if (!r || r->day == DATE_NONE || UNTERMINATED(r->policy_name))
		return store_fail(s, "store_run_log_put: bad arguments");
	return s->ops->run_log_put(s, r);
}

store_rc store_run_log_last(store *s, store_run_log *out)
{
	if (!out) return store_fail(s, "store_run_log_last: no output");
	return s->ops->run_log_last(s, out);
}

store_rc store_decisions_each(store *s, const store_decision_filter *f, store_decision_fn fn, void *ctx)
{
	static const store_decision_filter all = {.from = DATE_NONE, .to = DATE_NONE};
	if (!fn) return store_fail(s, "store_decisions_each: no function");
	return s->ops->decisions_each(s, f ? f : &all, fn, ctx);
}

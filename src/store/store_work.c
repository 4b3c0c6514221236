/* store_work.c: the store module "work" (store_work.h): task outcomes, promises, alerts, approvals
 * and holds, written once for both back-ends with the generic statements of store_query.h.
 *
 * Schema (module version 1):
 * - task_outcome: one row per task (decision_id is the key), so an outcome is recorded once.
 * - promise: promises to pay; decision_id NULL when not made through a task.
 * - alert: unique by dedupe_key (raising again inserts nothing); account_id NULL when not about one.
 * - approval: requests with maker and checker; decision_id (a four-eyes step) is unique when set
 *   (NULLs are distinct on both back-ends), so a step has at most one approval.
 * - hold: account_id set (an account hold) or NULL with client_ext_id (every account of the client);
 *   ending a hold sets to_on and keeps the row (the history).
 * Dates are civil days (INTEGER), NULL for DATE_NONE, as in the core tables. */
#include "store/store_work.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "store/store_impl.h"
#include "store/store_query.h"

/* --- migrations ------------------------------------------------------------------------------ */

#define WORK_V1(ID, TEXT, INT, BIGINT)                                                                       \
	"CREATE TABLE task_outcome ("                                                                        \
	" decision_id " BIGINT " PRIMARY KEY REFERENCES decision (id),"                                      \
	" outcome " TEXT " NOT NULL,"                                                                        \
	" day " INT " NOT NULL,"                                                                             \
	" actor " TEXT " NOT NULL,"                                                                          \
	" note " TEXT " NOT NULL,"                                                                           \
	" promise_amount " BIGINT " NOT NULL,"                                                               \
	" promise_on " INT ")",                                                                              \
	    "CREATE TABLE promise ("                                                                         \
	    " id " ID ","                                                                                    \
	    " account_id " BIGINT " NOT NULL REFERENCES account (id),"                                       \
	    " decision_id " BIGINT " REFERENCES decision (id),"                                              \
	    " made_on " INT " NOT NULL,"                                                                     \
	    " due_on " INT " NOT NULL,"                                                                      \
	    " amount " BIGINT " NOT NULL,"                                                                   \
	    " actor " TEXT " NOT NULL)",                                                                     \
	    "CREATE INDEX promise_by_account ON promise (account_id, made_on)",                              \
	    "CREATE TABLE alert ("                                                                           \
	    " id " ID ","                                                                                    \
	    " dedupe_key " TEXT " NOT NULL UNIQUE,"                                                          \
	    " account_id " BIGINT " REFERENCES account (id),"                                                \
	    " client_ext_id " TEXT " NOT NULL,"                                                              \
	    " day " INT " NOT NULL,"                                                                         \
	    " kind " TEXT " NOT NULL,"                                                                       \
	    " severity " TEXT " NOT NULL,"                                                                   \
	    " reason " TEXT " NOT NULL,"                                                                     \
	    " details " TEXT " NOT NULL,"                                                                    \
	    " assignee " TEXT " NOT NULL,"                                                                   \
	    " branch " TEXT " NOT NULL,"                                                                     \
	    " status " TEXT " NOT NULL,"                                                                     \
	    " ack_by " TEXT " NOT NULL,"                                                                     \
	    " ack_on " INT ")",                                                                              \
	    "CREATE INDEX alert_by_account ON alert (account_id, day)",                                      \
	    "CREATE INDEX alert_by_status ON alert (status, day)",                                           \
	    "CREATE TABLE approval ("                                                                        \
	    " id " ID ","                                                                                    \
	    " kind " TEXT " NOT NULL,"                                                                       \
	    " account_id " BIGINT " REFERENCES account (id),"                                                \
	    " subject " TEXT " NOT NULL,"                                                                    \
	    " decision_id " BIGINT " REFERENCES decision (id),"                                              \
	    " payload " TEXT " NOT NULL,"                                                                    \
	    " maker " TEXT " NOT NULL,"                                                                      \
	    " made_on " INT " NOT NULL,"                                                                     \
	    " branch " TEXT " NOT NULL,"                                                                     \
	    " status " TEXT " NOT NULL,"                                                                     \
	    " checker " TEXT " NOT NULL,"                                                                    \
	    " checked_on " INT ","                                                                           \
	    " note " TEXT " NOT NULL)",                                                                      \
	    "CREATE UNIQUE INDEX approval_of_decision ON approval (decision_id)",                            \
	    "CREATE INDEX approval_by_status ON approval (status, id)",                                      \
	    "CREATE TABLE hold ("                                                                            \
	    " id " ID ","                                                                                    \
	    " kind " INT " NOT NULL,"                                                                        \
	    " account_id " BIGINT " REFERENCES account (id),"                                                \
	    " client_ext_id " TEXT " NOT NULL,"                                                              \
	    " from_on " INT " NOT NULL,"                                                                     \
	    " to_on " INT ","                                                                                \
	    " reason " TEXT " NOT NULL,"                                                                     \
	    " actor " TEXT " NOT NULL,"                                                                      \
	    " created_on " INT " NOT NULL,"                                                                  \
	    " ended_by " TEXT " NOT NULL,"                                                                   \
	    " ended_on " INT ")",                                                                            \
	    "CREATE INDEX hold_by_account ON hold (account_id, from_on)",                                    \
	    "CREATE INDEX hold_by_client ON hold (client_ext_id, from_on)"

static const char *const V1_SQLITE[] = {
    WORK_V1("INTEGER PRIMARY KEY", "TEXT", "INTEGER", "INTEGER"),
    NULL,
};
static const char *const V1_PG[] = {
    WORK_V1("bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "text COLLATE \"C\"", "integer", "bigint"),
    NULL,
};

static const char *const *work_migration(int version, int pg)
{
	if (version == 1) return pg ? V1_PG : V1_SQLITE;
	return NULL;
}

const store_module store_module_work = {.name = "work", .versions = 1, .migration = work_migration};

/* --- helpers --------------------------------------------------------------------------------- */

static int need_tx(store *s, const char *fn)
{
	if (s->in_tx) return 0;
	store_fail(s, "%s: a write outside a transaction", fn);
	return 1;
}

static const char *nz(const char *v)
{
	return v ? v : "";
}

/* An id that may be 0 (none) as a parameter: NULL for 0. */
static void bind_id(store_q *q, int i, int64_t v)
{
	if (v)
		store_q_int(q, i, v);
	else
		store_q_null(q, i);
}

/* Runs an INSERT ... RETURNING id (or a SELECT of one id): *id, or STORE_NOT_FOUND without a row. */
static store_rc one_id(store_q *q, int64_t *id)
{
	int r = store_q_step(q);
	if (r > 0) *id = store_q_col_int(q, 0);
	while (r > 0)
		r = store_q_step(q);
	store_rc rc = store_q_close(q);
	if (rc) return rc;
	return r < 0 ? STORE_ERR : STORE_OK;
}

/* --- decisions ------------------------------------------------------------------------------- */

static const store_sql2 SQL_DECISION_GET = {
    "SELECT d.id, d.dedupe_key, d.account_id, d.day, d.segment, d.step, d.action, d.channels, d.template,"
    " d.task_kind, d.assignee, d.four_eyes, d.status, d.created_by_run_day, d.anchor, d.dpd, d.late_amount,"
    " a.ext_id, a.currency FROM decision d JOIN account a ON a.id = d.account_id WHERE d.id = $1",
    NULL};
static const store_sql2 SQL_DECISION_STATUS = {"UPDATE decision SET status = $2 WHERE id = $1", NULL};

static void read_decision(store_q *q, store_decision *out)
{
	memset(out, 0, sizeof *out);
	out->id = store_q_col_int(q, 0);
	store_q_col_copy(q, 1, out->dedupe_key, sizeof out->dedupe_key);
	out->account_id = store_q_col_int(q, 2);
	out->day = store_q_col_day(q, 3);
	store_q_col_copy(q, 4, out->segment, sizeof out->segment);
	store_q_col_copy(q, 5, out->step, sizeof out->step);
	store_q_col_copy(q, 6, out->action, sizeof out->action);
	store_q_col_copy(q, 7, out->channels, sizeof out->channels);
	store_q_col_copy(q, 8, out->template_name, sizeof out->template_name);
	store_q_col_copy(q, 9, out->task_kind, sizeof out->task_kind);
	store_q_col_copy(q, 10, out->assignee, sizeof out->assignee);
	out->four_eyes = (int)store_q_col_int(q, 11);
	store_q_col_copy(q, 12, out->status, sizeof out->status);
	out->created_by_run_day = store_q_col_day(q, 13);
	out->anchor = store_q_col_day(q, 14);
	out->dpd = (int32_t)store_q_col_int(q, 15);
	out->late_amount = store_q_col_int(q, 16);
	store_q_col_copy(q, 17, out->account_ext_id, sizeof out->account_ext_id);
	store_q_col_copy(q, 18, out->currency, sizeof out->currency);
}

/* Decisions of the run that still need their follow-up (see store_work.h). */
static const store_sql2 SQL_FOLLOWUPS = {
    "SELECT d.id, d.dedupe_key, d.account_id, d.day, d.segment, d.step, d.action, d.channels, d.template,"
    " d.task_kind, d.assignee, d.four_eyes, d.status, d.created_by_run_day, d.anchor, d.dpd, d.late_amount,"
    " a.ext_id, a.currency, a.branch, a.client_ext_id"
    " FROM decision d JOIN account a ON a.id = d.account_id"
    " WHERE d.id > $1 AND ("
    "  (d.action IN ('alert', 'escalation') AND NOT EXISTS (SELECT 1 FROM alert x WHERE x.dedupe_key = d.dedupe_key))"
    "  OR (d.four_eyes = 1 AND d.status = 'open' AND NOT EXISTS (SELECT 1 FROM approval p WHERE p.decision_id = d.id)))"
    " ORDER BY d.id LIMIT $2",
    NULL};
static const store_sql2 SQL_MAX_DECISION = {"SELECT COALESCE(max(id), 0) FROM decision", NULL};

store_rc store_work_decision_max_id(store *s, int64_t *id)
{
	return store_q_int1(s, &SQL_MAX_DECISION, id, "");
}

store_rc store_work_followups(store *s, int64_t after_id, int limit, store_followup *buf, int *n)
{
	*n = 0;
	store_q *q = store_q_open(s, &SQL_FOLLOWUPS);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, after_id);
	store_q_int(q, 2, limit);
	while (*n < limit && store_q_step(q) > 0) {
		store_followup *f = &buf[(*n)++];
		read_decision(q, &f->d);
		store_q_col_copy(q, 19, f->branch, sizeof f->branch);
		store_q_col_copy(q, 20, f->client_ext_id, sizeof f->client_ext_id);
	}
	return store_q_close(q);
}

store_rc store_work_decision_get(store *s, int64_t id, store_decision *out)
{
	store_q *q = store_q_open(s, &SQL_DECISION_GET);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, id);
	int r = store_q_step(q);
	if (r > 0) read_decision(q, out);
	store_rc rc = store_q_close(q);
	if (rc || r < 0) return STORE_ERR;
	return r > 0 ? STORE_OK : STORE_NOT_FOUND;
}

store_rc store_work_decision_status(store *s, int64_t id, const char *status)
{
	if (need_tx(s, "store_work_decision_status")) return STORE_ERR;
	int64_t ch = 0;
	if (store_q_exec_tx(s, &SQL_DECISION_STATUS, &ch, "it", id, status)) return STORE_ERR;
	return ch ? STORE_OK : STORE_NOT_FOUND;
}

/* --- obligations ----------------------------------------------------------------------------- */

static const store_sql2 SQL_OBLIGATIONS_DELETE = {"DELETE FROM obligation WHERE account_id = $1", NULL};

store_rc store_work_obligations_replace(store *s, int64_t account_id, const obligation *ob, int n)
{
	if (need_tx(s, "store_work_obligations_replace")) return STORE_ERR;
	if (n < 1)
		return store_fail(s, "account %lld: a schedule needs an installment", (long long)account_id);
	if (store_q_exec_tx(s, &SQL_OBLIGATIONS_DELETE, NULL, "i", account_id)) return STORE_ERR;
	store_put res;
	store_rc rc = store_obligations_set(s, account_id, ob, n, &res);
	if (rc == STORE_OK && res != PUT_INSERTED)
		return store_fail(s, "account %lld: obligations not replaced", (long long)account_id);
	return rc;
}

/* --- the daily run looks again -------------------------------------------------------------
 * A new fact (an outcome, a promise, an alert, a hold or its end) dated D changes what the policy does
 * from D on: the account (or every account of the client) is made due on D and, when days from D on
 * were already evaluated, its last evaluation moves back to D - 1 so that the next run replays them.
 * A replay is safe: decisions already stored keep their dedupe keys (nothing is sent twice), and the
 * steps the fact triggers get their own days, whichever run sees the fact first (so a catch-up and a
 * day-by-day run store the same decisions). An account never evaluated is left alone. */
#define TOUCH_SET                                                                                          \
	"UPDATE policy_state SET next_eval_on = CASE WHEN next_eval_on IS NULL OR next_eval_on > $2 THEN $2"   \
	" ELSE next_eval_on END, last_eval_on = CASE WHEN last_eval_on IS NOT NULL AND last_eval_on >= $2"       \
	" THEN $2 - 1 ELSE last_eval_on END"
#define TOUCH_SET_PG                                                                                       \
	"UPDATE policy_state SET next_eval_on = CASE WHEN next_eval_on IS NULL OR next_eval_on > $2::integer"  \
	" THEN $2::integer ELSE next_eval_on END, last_eval_on = CASE WHEN last_eval_on IS NOT NULL AND"        \
	" last_eval_on >= $2::integer THEN $2::integer - 1 ELSE last_eval_on END"
static const store_sql2 SQL_TOUCH_ACCOUNT = {TOUCH_SET " WHERE account_id = $1",
                                             TOUCH_SET_PG " WHERE account_id = $1"};
static const store_sql2 SQL_TOUCH_CLIENT = {
    TOUCH_SET " WHERE account_id IN (SELECT id FROM account WHERE client_ext_id = $1)",
    TOUCH_SET_PG " WHERE account_id IN (SELECT id FROM account WHERE client_ext_id = $1)"};

static store_rc touch(store *s, int64_t account_id, const char *client_ext_id, civil_day day)
{
	if (day == DATE_NONE) return STORE_OK;
	if (account_id) return store_q_exec_tx(s, &SQL_TOUCH_ACCOUNT, NULL, "id", account_id, day);
	if (client_ext_id && client_ext_id[0])
		return store_q_exec_tx(s, &SQL_TOUCH_CLIENT, NULL, "td", client_ext_id, day);
	return STORE_OK;
}

/* --- task outcomes --------------------------------------------------------------------------- */

static const char *const OUTCOME_NAMES[OUTCOME_N] = {"reached", "promise",  "dispute", "unreachable",
                                                     "paid",    "verified", "failed"};

const char *store_outcome_name(store_outcome_kind k)
{
	return (unsigned)k < OUTCOME_N ? OUTCOME_NAMES[k] : "?";
}

int store_outcome_parse(const char *s)
{
	for (int i = 0; s && i < OUTCOME_N; i++)
		if (strcmp(s, OUTCOME_NAMES[i]) == 0) return i;
	return -1;
}

static const store_sql2 SQL_OUTCOME_GET = {
    "SELECT decision_id, outcome, day, actor, note, promise_amount, promise_on FROM task_outcome"
    " WHERE decision_id = $1",
    NULL};
static const store_sql2 SQL_OUTCOME_INSERT = {
    "INSERT INTO task_outcome (decision_id, outcome, day, actor, note, promise_amount, promise_on)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)",
    NULL};

store_rc store_task_outcome_get(store *s, int64_t decision_id, store_task_outcome *out)
{
	store_q *q = store_q_open(s, &SQL_OUTCOME_GET);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, decision_id);
	int r = store_q_step(q);
	if (r > 0) {
		memset(out, 0, sizeof *out);
		out->decision_id = store_q_col_int(q, 0);
		int k = store_outcome_parse(store_q_col_text(q, 1));
		out->outcome = k < 0 ? OUTCOME_REACHED : (store_outcome_kind)k;
		out->day = store_q_col_day(q, 2);
		store_q_col_copy(q, 3, out->actor, sizeof out->actor);
		store_q_col_copy(q, 4, out->note, sizeof out->note);
		out->promise_amount = store_q_col_int(q, 5);
		out->promise_on = store_q_col_day(q, 6);
	}
	store_rc rc = store_q_close(q);
	if (rc || r < 0) return STORE_ERR;
	return r > 0 ? STORE_OK : STORE_NOT_FOUND;
}

store_rc store_task_outcome_put(store *s, const store_task_outcome *o, store_put *res)
{
	if (need_tx(s, "store_task_outcome_put")) return STORE_ERR;
	if ((unsigned)o->outcome >= OUTCOME_N)
		return store_fail(s, "task outcome: unknown outcome %d", (int)o->outcome);
	int promise = o->outcome == OUTCOME_PROMISE;
	if (promise && (o->promise_amount <= 0 || o->promise_on == DATE_NONE || o->promise_on < o->day))
		return store_fail(
		    s, "task outcome: a promise needs an amount > 0 and a date on or after the outcome's");
	if (!promise && (o->promise_amount != 0 || o->promise_on != DATE_NONE))
		return store_fail(s, "task outcome: only a promise has an amount and a date");
	store_decision d;
	store_rc rc = store_work_decision_get(s, o->decision_id, &d);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && strcmp(d.action, "task") != 0)) {
		store_fail(s, "no task %lld", (long long)o->decision_id);
		return STORE_NOT_FOUND;
	}
	if (rc) return rc;
	store_task_outcome old;
	rc = store_task_outcome_get(s, o->decision_id, &old);
	if (rc == STORE_OK) {
		if (old.outcome == o->outcome && old.promise_amount == o->promise_amount &&
		    old.promise_on == o->promise_on) {
			*res = PUT_UNCHANGED;
			return STORE_OK;
		}
		return store_conflict(s, "task %lld already has the outcome %s (by %s)",
		                      (long long)o->decision_id, store_outcome_name(old.outcome), old.actor);
	}
	if (rc != STORE_NOT_FOUND) return rc;
	if (strcmp(d.status, "open") != 0)
		return store_conflict(s, "task %lld is %s, not open", (long long)o->decision_id, d.status);
	store_approval ap;
	rc = store_approval_of_decision(s, o->decision_id, &ap);
	if (rc == STORE_OK && strcmp(ap.status, "pending") == 0)
		return store_conflict(s, "task %lld awaits approval (request %lld)",
		                      (long long)o->decision_id, (long long)ap.id);
	if (rc != STORE_OK && rc != STORE_NOT_FOUND) return rc;
	if (store_q_exec_tx(s, &SQL_OUTCOME_INSERT, NULL, "itdttid", o->decision_id,
	                    OUTCOME_NAMES[o->outcome], o->day, o->actor, o->note, o->promise_amount,
	                    o->promise_on))
		return STORE_ERR;
	if (store_work_decision_status(s, o->decision_id, "done")) return STORE_ERR;
	if (touch(s, d.account_id, NULL, o->day)) return STORE_ERR;
	if (promise) {
		store_promise p = {.account_id = d.account_id,
		                   .decision_id = o->decision_id,
		                   .made_on = o->day,
		                   .due_on = o->promise_on,
		                   .amount = o->promise_amount};
		store_copy_field(p.actor, sizeof p.actor, o->actor, strlen(o->actor));
		store_put pr;
		if (store_promise_put(s, &p, &pr)) return STORE_ERR;
	}
	*res = PUT_INSERTED;
	return STORE_OK;
}

/* --- promises -------------------------------------------------------------------------------- */

static const store_sql2 SQL_PROMISE_INSERT = {
    "INSERT INTO promise (account_id, decision_id, made_on, due_on, amount, actor)"
    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    NULL};
static const store_sql2 SQL_PROMISES = {
    "SELECT p.id, p.account_id, p.decision_id, p.made_on, p.due_on, p.amount, p.actor, a.ext_id"
    " FROM promise p JOIN account a ON a.id = p.account_id"
    " WHERE CAST($1 AS BIGINT) = 0 OR p.account_id = $1 ORDER BY p.due_on, p.id",
    NULL};

store_rc store_promise_put(store *s, store_promise *p, store_put *res)
{
	if (need_tx(s, "store_promise_put")) return STORE_ERR;
	if (p->amount <= 0 || p->made_on == DATE_NONE || p->due_on == DATE_NONE || p->due_on < p->made_on)
		return store_fail(s,
		                  "promise: expected an amount > 0 and a due date on or after the day made");
	store_q *q = store_q_open(s, &SQL_PROMISE_INSERT);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, p->account_id);
	bind_id(q, 2, p->decision_id);
	store_q_day(q, 3, p->made_on);
	store_q_day(q, 4, p->due_on);
	store_q_int(q, 5, p->amount);
	store_q_text(q, 6, p->actor);
	if (one_id(q, &p->id)) return STORE_ERR;
	if (touch(s, p->account_id, NULL, p->made_on)) return STORE_ERR;
	*res = PUT_INSERTED;
	return STORE_OK;
}

store_rc store_promises_each(store *s, int64_t account_id, store_promise_fn fn, void *ctx)
{
	store_q *q = store_q_open(s, &SQL_PROMISES);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, account_id);
	int r, stop = 0;
	while (!stop && (r = store_q_step(q)) > 0) {
		store_promise p = {0};
		p.id = store_q_col_int(q, 0);
		p.account_id = store_q_col_int(q, 1);
		p.decision_id = store_q_col_int(q, 2);
		p.made_on = store_q_col_day(q, 3);
		p.due_on = store_q_col_day(q, 4);
		p.amount = store_q_col_int(q, 5);
		store_q_col_copy(q, 6, p.actor, sizeof p.actor);
		store_q_col_copy(q, 7, p.account_ext_id, sizeof p.account_ext_id);
		stop = fn(ctx, &p);
	}
	store_rc rc = store_q_close(q);
	if (rc) return rc;
	return stop ? store_fail(s, "promises: stopped by the caller") : STORE_OK;
}

int store_promise_status(store *s, const store_promise *p, civil_day as_of, int64_t *paid)
{
	*paid = 0;
	int n = 0;
	if (store_payments_get(s, p->account_id, NULL, 0, &n)) return -1;
	store_payment *pay = n ? calloc((size_t)n, sizeof *pay) : NULL;
	if (n && !pay) {
		store_fail(s, "out of memory");
		return -1;
	}
	if (n && store_payments_get(s, p->account_id, pay, n, &n)) {
		free(pay);
		return -1;
	}
	civil_day last = p->due_on < as_of ? p->due_on : as_of;
	int64_t sum = 0;
	for (int i = 0; i < n; i++) {
		const store_payment *y = &pay[i];
		if (y->paid_on < p->made_on || y->paid_on > last) continue;
		if (y->reversed_on != DATE_NONE && y->reversed_on <= as_of) continue;
		if (money_add(sum, y->amount, &sum)) break;
	}
	free(pay);
	*paid = sum;
	if (sum >= p->amount) return 1;
	return as_of > p->due_on ? 2 : 0;
}

const char *store_promise_status_name(int st)
{
	return st == 1 ? "kept" : st == 2 ? "broken" : "open";
}

/* --- alerts ---------------------------------------------------------------------------------- */

#define ALERT_COLS                                                                                           \
	"t.id, t.dedupe_key, t.account_id, t.client_ext_id, t.day, t.kind, t.severity, t.reason, t.details," \
	" t.assignee, t.branch, t.status, t.ack_by, t.ack_on, a.ext_id"
static const store_sql2 SQL_ALERT_INSERT = {
    "INSERT INTO alert (dedupe_key, account_id, client_ext_id, day, kind, severity, reason, details, "
    "assignee,"
    " branch, status, ack_by, ack_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', '', NULL)"
    " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    NULL};
static const store_sql2 SQL_ALERT_BY_KEY = {"SELECT id FROM alert WHERE dedupe_key = $1", NULL};
static const store_sql2 SQL_ALERT_GET = {
    "SELECT " ALERT_COLS " FROM alert t LEFT JOIN account a ON a.id = t.account_id WHERE t.id = $1", NULL};
static const store_sql2 SQL_ALERT_ACK = {
    "UPDATE alert SET status = 'acknowledged', ack_by = $2, ack_on = $3 WHERE id = $1 AND status = 'open'",
    NULL};
static const store_sql2 SQL_ALERTS = {
    "SELECT " ALERT_COLS " FROM alert t LEFT JOIN account a ON a.id = t.account_id"
    " WHERE (CAST($1 AS TEXT) IS NULL OR t.status = $1) AND (CAST($2 AS TEXT) IS NULL OR t.kind = $2)"
    " AND (CAST($3 AS TEXT) IS NULL OR t.branch = $3) AND (CAST($4 AS TEXT) IS NULL OR t.assignee = $4)"
    " AND (CAST($5 AS BIGINT) = 0 OR t.account_id = $5) ORDER BY t.day, t.id",
    NULL};

static int valid_severity(const char *s)
{
	return strcmp(s, "info") == 0 || strcmp(s, "warning") == 0 || strcmp(s, "critical") == 0;
}

static const store_sql2 SQL_DECISION_WITH_KEY = {"SELECT count(*) FROM decision WHERE dedupe_key = $1", NULL};

store_rc store_alert_raise(store *s, store_alert *a, store_put *res)
{
	if (need_tx(s, "store_alert_raise")) return STORE_ERR;
	if (!a->dedupe_key[0] || !a->kind[0] || a->day == DATE_NONE)
		return store_fail(s, "alert: a dedupe key, a kind and a day are needed");
	if (!valid_severity(a->severity))
		return store_fail(s, "alert: severity: expected info, warning or critical, found \"%s\"",
		                  a->severity);
	store_q *q = store_q_open(s, &SQL_ALERT_INSERT);
	if (!q) return STORE_ERR;
	store_q_text(q, 1, a->dedupe_key);
	bind_id(q, 2, a->account_id);
	store_q_text(q, 3, a->client_ext_id);
	store_q_day(q, 4, a->day);
	store_q_text(q, 5, a->kind);
	store_q_text(q, 6, a->severity);
	store_q_text(q, 7, a->reason);
	store_q_text(q, 8, a->details[0] ? a->details : "{}");
	store_q_text(q, 9, a->assignee);
	store_q_text(q, 10, a->branch);
	int64_t id = 0;
	if (one_id(q, &id)) return STORE_ERR;
	if (id) {
		a->id = id;
		/* the policy's own alerts (same key as its decision) are not facts for it: no replay */
		int64_t own = 0;
		if (store_q_int1(s, &SQL_DECISION_WITH_KEY, &own, "t", a->dedupe_key) == STORE_ERR) return STORE_ERR;
		if (!own && touch(s, a->account_id, a->client_ext_id, a->day)) return STORE_ERR;
		snprintf(a->status, sizeof a->status, "open");
		*res = PUT_INSERTED;
		return STORE_OK;
	}
	if (store_q_int1(s, &SQL_ALERT_BY_KEY, &a->id, "t", a->dedupe_key)) return STORE_ERR;
	*res = PUT_UNCHANGED;
	return STORE_OK;
}

static void read_alert(store_q *q, store_alert *a)
{
	memset(a, 0, sizeof *a);
	a->id = store_q_col_int(q, 0);
	store_q_col_copy(q, 1, a->dedupe_key, sizeof a->dedupe_key);
	a->account_id = store_q_col_int(q, 2);
	store_q_col_copy(q, 3, a->client_ext_id, sizeof a->client_ext_id);
	a->day = store_q_col_day(q, 4);
	store_q_col_copy(q, 5, a->kind, sizeof a->kind);
	store_q_col_copy(q, 6, a->severity, sizeof a->severity);
	store_q_col_copy(q, 7, a->reason, sizeof a->reason);
	store_q_col_copy(q, 8, a->details, sizeof a->details);
	store_q_col_copy(q, 9, a->assignee, sizeof a->assignee);
	store_q_col_copy(q, 10, a->branch, sizeof a->branch);
	store_q_col_copy(q, 11, a->status, sizeof a->status);
	store_q_col_copy(q, 12, a->ack_by, sizeof a->ack_by);
	a->ack_on = store_q_col_day(q, 13);
	store_q_col_copy(q, 14, a->account_ext_id, sizeof a->account_ext_id);
}

store_rc store_alert_get(store *s, int64_t id, store_alert *out)
{
	store_q *q = store_q_open(s, &SQL_ALERT_GET);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, id);
	int r = store_q_step(q);
	if (r > 0) read_alert(q, out);
	store_rc rc = store_q_close(q);
	if (rc || r < 0) return STORE_ERR;
	return r > 0 ? STORE_OK : STORE_NOT_FOUND;
}

store_rc store_alert_ack(store *s, int64_t id, const char *by, civil_day on)
{
	if (need_tx(s, "store_alert_ack")) return STORE_ERR;
	int64_t ch = 0;
	if (store_q_exec_tx(s, &SQL_ALERT_ACK, &ch, "itd", id, nz(by), on)) return STORE_ERR;
	if (ch) return STORE_OK;
	store_alert a;
	store_rc rc = store_alert_get(s, id, &a);
	if (rc == STORE_NOT_FOUND) {
		store_fail(s, "no alert %lld", (long long)id);
		return STORE_NOT_FOUND;
	}
	if (rc) return rc;
	return store_conflict(s, "alert %lld is already %s (by %s)", (long long)id, a.status, a.ack_by);
}

store_rc store_alerts_each(store *s, const store_alert_filter *f, store_alert_fn fn, void *ctx)
{
	store_q *q = store_q_open(s, &SQL_ALERTS);
	if (!q) return STORE_ERR;
	store_q_text(q, 1, f ? f->status : NULL);
	store_q_text(q, 2, f ? f->kind : NULL);
	store_q_text(q, 3, f ? f->branch : NULL);
	store_q_text(q, 4, f ? f->assignee : NULL);
	store_q_int(q, 5, f ? f->account_id : 0);
	int r, stop = 0;
	while (!stop && (r = store_q_step(q)) > 0) {
		store_alert a;
		read_alert(q, &a);
		stop = fn(ctx, &a);
	}
	store_rc rc = store_q_close(q);
	if (rc) return rc;
	return stop ? store_fail(s, "alerts: stopped by the caller") : STORE_OK;
}

/* --- approvals ------------------------------------------------------------------------------- */

static const char *const APPROVAL_KINDS[] = {"step",       "reschedule",   "write_off",
                                             "fee_waiver", "credit_limit", "policy_change"};

#define APPROVAL_COLS                                                                                        \
	"id, kind, account_id, subject, decision_id, payload, maker, made_on, branch, status, checker,"      \
	" checked_on, note"
static const store_sql2 SQL_APPROVAL_INSERT = {
    "INSERT INTO approval (kind, account_id, subject, decision_id, payload, maker, made_on, branch, status,"
    " checker, checked_on, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', '', NULL, $9) RETURNING "
    "id",
    NULL};
static const store_sql2 SQL_APPROVAL_GET = {"SELECT " APPROVAL_COLS " FROM approval WHERE id = $1", NULL};
static const store_sql2 SQL_APPROVAL_OF_DECISION = {
    "SELECT " APPROVAL_COLS " FROM approval WHERE decision_id = $1", NULL};
static const store_sql2 SQL_APPROVAL_DECIDE = {
    "UPDATE approval SET status = $2, checker = $3, checked_on = $4, note = $5"
    " WHERE id = $1 AND status = 'pending' AND maker <> $3",
    NULL};
static const store_sql2 SQL_APPROVAL_APPLIED = {
    "UPDATE approval SET status = 'applied' WHERE id = $1 AND status = 'approved'", NULL};
static const store_sql2 SQL_APPROVALS = {"SELECT " APPROVAL_COLS
                                         " FROM approval WHERE (CAST($1 AS TEXT) IS NULL OR status = $1)"
                                         " AND (CAST($2 AS TEXT) IS NULL OR branch = $2) ORDER BY id",
                                         NULL};

static void read_approval(store_q *q, store_approval *a)
{
	memset(a, 0, sizeof *a);
	a->id = store_q_col_int(q, 0);
	store_q_col_copy(q, 1, a->kind, sizeof a->kind);
	a->account_id = store_q_col_int(q, 2);
	store_q_col_copy(q, 3, a->subject, sizeof a->subject);
	a->decision_id = store_q_col_int(q, 4);
	store_q_col_copy(q, 5, a->payload, sizeof a->payload);
	store_q_col_copy(q, 6, a->maker, sizeof a->maker);
	a->made_on = store_q_col_day(q, 7);
	store_q_col_copy(q, 8, a->branch, sizeof a->branch);
	store_q_col_copy(q, 9, a->status, sizeof a->status);
	store_q_col_copy(q, 10, a->checker, sizeof a->checker);
	a->checked_on = store_q_col_day(q, 11);
	store_q_col_copy(q, 12, a->note, sizeof a->note);
}

static store_rc approval_one(store *s, const store_sql2 *sql, int64_t key, store_approval *out)
{
	store_q *q = store_q_open(s, sql);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, key);
	int r = store_q_step(q);
	if (r > 0) read_approval(q, out);
	store_rc rc = store_q_close(q);
	if (rc || r < 0) return STORE_ERR;
	return r > 0 ? STORE_OK : STORE_NOT_FOUND;
}

store_rc store_approval_get(store *s, int64_t id, store_approval *out)
{
	return approval_one(s, &SQL_APPROVAL_GET, id, out);
}

store_rc store_approval_of_decision(store *s, int64_t decision_id, store_approval *out)
{
	return approval_one(s, &SQL_APPROVAL_OF_DECISION, decision_id, out);
}

store_rc store_approval_request(store *s, store_approval *a)
{
	if (need_tx(s, "store_approval_request")) return STORE_ERR;
	int known = 0;
	for (size_t i = 0; i < sizeof APPROVAL_KINDS / sizeof *APPROVAL_KINDS; i++)
		known |= strcmp(a->kind, APPROVAL_KINDS[i]) == 0;
	if (!known) return store_fail(s, "approval: unknown kind \"%s\"", a->kind);
	if (!a->maker[0] || a->made_on == DATE_NONE)
		return store_fail(s, "approval: a maker and a day are needed");
	if ((strcmp(a->kind, "step") == 0) != (a->decision_id != 0))
		return store_fail(s, "approval: a step approval, and only it, names a decision");
	if (a->decision_id) {
		store_approval old;
		store_rc rc = store_approval_of_decision(s, a->decision_id, &old);
		if (rc == STORE_OK)
			return store_conflict(s, "decision %lld already has approval request %lld (%s)",
			                      (long long)a->decision_id, (long long)old.id, old.status);
		if (rc != STORE_NOT_FOUND) return rc;
	}
	store_q *q = store_q_open(s, &SQL_APPROVAL_INSERT);
	if (!q) return STORE_ERR;
	store_q_text(q, 1, a->kind);
	bind_id(q, 2, a->account_id);
	store_q_text(q, 3, a->subject);
	bind_id(q, 4, a->decision_id);
	store_q_text(q, 5, a->payload[0] ? a->payload : "{}");
	store_q_text(q, 6, a->maker);
	store_q_day(q, 7, a->made_on);
	store_q_text(q, 8, a->branch);
	store_q_text(q, 9, a->note);
	if (one_id(q, &a->id)) return STORE_ERR;
	snprintf(a->status, sizeof a->status, "pending");
	a->checker[0] = 0;
	a->checked_on = DATE_NONE;
	return STORE_OK;
}

store_rc store_approval_decide(store *s, int64_t id, int approve, const char *checker, civil_day on,
                               const char *note)
{
	if (need_tx(s, "store_approval_decide")) return STORE_ERR;
	if (!checker || !*checker || on == DATE_NONE)
		return store_fail(s, "approval: a checker and a day are needed");
	int64_t ch = 0;
	if (store_q_exec_tx(s, &SQL_APPROVAL_DECIDE, &ch, "ittdt", id, approve ? "approved" : "rejected",
	                    checker, on, nz(note)))
		return STORE_ERR;
	if (ch) return STORE_OK;
	store_approval a;
	store_rc rc = store_approval_get(s, id, &a);
	if (rc == STORE_NOT_FOUND) {
		store_fail(s, "no approval request %lld", (long long)id);
		return STORE_NOT_FOUND;
	}
	if (rc) return rc;
	if (strcmp(a.status, "pending") != 0)
		return store_conflict(s, "approval request %lld is %s, not pending", (long long)id, a.status);
	return store_conflict(s, "approval request %lld was made by %s: the checker must be someone else",
	                      (long long)id, a.maker);
}

store_rc store_approval_mark_applied(store *s, int64_t id)
{
	if (need_tx(s, "store_approval_mark_applied")) return STORE_ERR;
	int64_t ch = 0;
	if (store_q_exec_tx(s, &SQL_APPROVAL_APPLIED, &ch, "i", id)) return STORE_ERR;
	if (ch) return STORE_OK;
	store_approval a;
	store_rc rc = store_approval_get(s, id, &a);
	if (rc == STORE_NOT_FOUND) return STORE_NOT_FOUND;
	if (rc) return rc;
	return store_conflict(s, "approval request %lld is %s, not approved", (long long)id, a.status);
}

store_rc store_approvals_each(store *s, const char *status, const char *branch, store_approval_fn fn,
                              void *ctx)
{
	store_q *q = store_q_open(s, &SQL_APPROVALS);
	if (!q) return STORE_ERR;
	store_q_text(q, 1, status);
	store_q_text(q, 2, branch);
	int r, stop = 0;
	while (!stop && (r = store_q_step(q)) > 0) {
		store_approval a;
		read_approval(q, &a);
		stop = fn(ctx, &a);
	}
	store_rc rc = store_q_close(q);
	if (rc) return rc;
	return stop ? store_fail(s, "approvals: stopped by the caller") : STORE_OK;
}

/* --- holds ----------------------------------------------------------------------------------- */

#define HOLD_COLS                                                                                            \
	"h.id, h.kind, h.account_id, h.client_ext_id, h.from_on, h.to_on, h.reason, h.actor, h.created_on,"  \
	" h.ended_by, h.ended_on, a.ext_id"
static const store_sql2 SQL_HOLD_INSERT = {
    "INSERT INTO hold (kind, account_id, client_ext_id, from_on, to_on, reason, actor, created_on, ended_by,"
    " ended_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', NULL) RETURNING id",
    NULL};
static const store_sql2 SQL_CLIENT_KNOWN = {"SELECT count(*) FROM client WHERE ext_id = $1", NULL};
static const store_sql2 SQL_ACCOUNT_KNOWN = {"SELECT count(*) FROM account WHERE id = $1", NULL};
static const store_sql2 SQL_HOLD_GET = {
    "SELECT " HOLD_COLS " FROM hold h LEFT JOIN account a ON a.id = h.account_id WHERE h.id = $1", NULL};
static const store_sql2 SQL_HOLD_END = {
    "UPDATE hold SET to_on = $2, ended_by = $3, ended_on = $2 WHERE id = $1", NULL};
static const store_sql2 SQL_HOLDS = {
    "SELECT " HOLD_COLS " FROM hold h LEFT JOIN account a ON a.id = h.account_id"
    " WHERE CAST($1 AS BIGINT) = 0 OR h.account_id = $1 OR (h.account_id IS NULL AND h.client_ext_id ="
    " (SELECT client_ext_id FROM account WHERE id = $1)) ORDER BY h.from_on, h.id",
    NULL};

store_rc store_hold_put(store *s, store_hold *h)
{
	if (need_tx(s, "store_hold_put")) return STORE_ERR;
	if (h->kind != HOLD_EXCLUSION && h->kind != HOLD_PAUSE) return store_fail(s, "hold: unknown kind");
	if (h->from_on == DATE_NONE || (h->to_on != DATE_NONE && h->to_on < h->from_on))
		return store_fail(s, "hold: expected a start date, and an end on or after it");
	if (!h->reason[0]) return store_fail(s, "hold: a reason is needed");
	int64_t n = 0;
	if (h->account_id) {
		h->client_ext_id[0] = 0;
		if (store_q_int1(s, &SQL_ACCOUNT_KNOWN, &n, "i", h->account_id)) return STORE_ERR;
		if (!n) {
			store_fail(s, "hold: no account %lld", (long long)h->account_id);
			return STORE_NOT_FOUND;
		}
	} else {
		if (store_q_int1(s, &SQL_CLIENT_KNOWN, &n, "t", h->client_ext_id)) return STORE_ERR;
		if (!n) {
			store_fail(s, "hold: no client \"%s\"", h->client_ext_id);
			return STORE_NOT_FOUND;
		}
	}
	store_q *q = store_q_open(s, &SQL_HOLD_INSERT);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, h->kind);
	bind_id(q, 2, h->account_id);
	store_q_text(q, 3, h->client_ext_id);
	store_q_day(q, 4, h->from_on);
	store_q_day(q, 5, h->to_on);
	store_q_text(q, 6, h->reason);
	store_q_text(q, 7, h->actor);
	store_q_day(q, 8, h->created_on);
	if (one_id(q, &h->id)) return STORE_ERR;
	if (touch(s, h->account_id, h->client_ext_id, h->from_on)) return STORE_ERR;
	h->ended_by[0] = 0;
	h->ended_on = DATE_NONE;
	return STORE_OK;
}

static void read_hold(store_q *q, store_hold *h)
{
	memset(h, 0, sizeof *h);
	h->id = store_q_col_int(q, 0);
	h->kind = store_q_col_int(q, 1) == HOLD_PAUSE ? HOLD_PAUSE : HOLD_EXCLUSION;
	h->account_id = store_q_col_int(q, 2);
	store_q_col_copy(q, 3, h->client_ext_id, sizeof h->client_ext_id);
	h->from_on = store_q_col_day(q, 4);
	h->to_on = store_q_col_day(q, 5);
	store_q_col_copy(q, 6, h->reason, sizeof h->reason);
	store_q_col_copy(q, 7, h->actor, sizeof h->actor);
	h->created_on = store_q_col_day(q, 8);
	store_q_col_copy(q, 9, h->ended_by, sizeof h->ended_by);
	h->ended_on = store_q_col_day(q, 10);
	store_q_col_copy(q, 11, h->account_ext_id, sizeof h->account_ext_id);
}

store_rc store_hold_get(store *s, int64_t id, store_hold *out)
{
	store_q *q = store_q_open(s, &SQL_HOLD_GET);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, id);
	int r = store_q_step(q);
	if (r > 0) read_hold(q, out);
	store_rc rc = store_q_close(q);
	if (rc || r < 0) return STORE_ERR;
	return r > 0 ? STORE_OK : STORE_NOT_FOUND;
}

store_rc store_hold_end(store *s, int64_t id, civil_day on, const char *actor)
{
	if (need_tx(s, "store_hold_end")) return STORE_ERR;
	store_hold h;
	store_rc rc = store_hold_get(s, id, &h);
	if (rc == STORE_NOT_FOUND) {
		store_fail(s, "no hold %lld", (long long)id);
		return STORE_NOT_FOUND;
	}
	if (rc) return rc;
	char d[16];
	if (h.to_on != DATE_NONE && h.to_on < on) {
		date_format(h.to_on, d, sizeof d);
		return store_conflict(s, "hold %lld is already over (it ended on %s)", (long long)id, d);
	}
	if (on < h.from_on) {
		date_format(h.from_on, d, sizeof d);
		return store_conflict(s, "hold %lld starts on %s, after the day it would end", (long long)id,
		                      d);
	}
	if (store_q_exec_tx(s, &SQL_HOLD_END, NULL, "idt", id, on, nz(actor))) return STORE_ERR;
	return touch(s, h.account_id, h.client_ext_id, on);
}

store_rc store_holds_each(store *s, int64_t account_id, store_hold_fn fn, void *ctx)
{
	store_q *q = store_q_open(s, &SQL_HOLDS);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, account_id);
	int r, stop = 0;
	while (!stop && (r = store_q_step(q)) > 0) {
		store_hold h;
		read_hold(q, &h);
		stop = fn(ctx, &h);
	}
	store_rc rc = store_q_close(q);
	if (rc) return rc;
	return stop ? store_fail(s, "holds: stopped by the caller") : STORE_OK;
}

/* --- facts for the policy evaluation --------------------------------------------------------- */

static const store_sql2 SQL_FACT_PROMISES = {
    "SELECT id, made_on, due_on, amount FROM promise WHERE account_id = $1 AND made_on <= $2"
    " ORDER BY made_on, id",
    NULL};
static const store_sql2 SQL_FACT_HOLDS = {
    "SELECT from_on, to_on, kind FROM hold WHERE (account_id = $1 OR (account_id IS NULL AND client_ext_id ="
    " (SELECT client_ext_id FROM account WHERE id = $1))) AND from_on <= $2 ORDER BY from_on, id",
    NULL};
/* kind 0 task_failed, 1 task_overdue, 2 alert; sorted in C */
static const store_sql2 SQL_FACT_EVENTS = {
    "SELECT o.day, 0, d.task_kind, d.dedupe_key FROM task_outcome o JOIN decision d ON d.id = o.decision_id"
    " WHERE d.account_id = $1 AND o.outcome = 'failed' AND o.day <= $2"
    " UNION ALL"
    " SELECT d.day + $3, 1, d.task_kind, d.dedupe_key FROM decision d LEFT JOIN task_outcome o ON o.decision_id = "
    "d.id"
    " WHERE d.account_id = $1 AND d.action = 'task' AND d.status <> 'cancelled' AND d.day + $3 <= $2"
    " AND (o.decision_id IS NULL OR o.day > d.day + $3)"
    " UNION ALL"
    " SELECT x.day, 2, x.kind, x.dedupe_key FROM alert x WHERE x.account_id = $1 AND x.day <= $2"
    /* not the alerts the policy raised itself (its alert and escalation steps): an alert event is a
     * signal from outside the policy (risk, limits, people), else an escalation would feed itself */
    " AND NOT EXISTS (SELECT 1 FROM decision y WHERE y.dedupe_key = x.dedupe_key)",
    NULL};

void store_work_event_ref(char kind, const char *dedupe_key, char out[STORE_EVENT_REF_MAX])
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const char *k = dedupe_key; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ull;
	snprintf(out, STORE_EVENT_REF_MAX, "%c%016llx", kind, (unsigned long long)h);
}

static const store_sql2 SQL_FACT_ACCOUNTS = {
    "SELECT account_id FROM promise"
    /* open tasks (index decision_by_status): they can become overdue; tasks with an outcome */
    " UNION SELECT account_id FROM decision WHERE status = 'open' AND action = 'task'"
    " UNION SELECT d.account_id FROM task_outcome o JOIN decision d ON d.id = o.decision_id"
    " UNION SELECT account_id FROM alert WHERE account_id IS NOT NULL AND account_id <> 0"
    " UNION SELECT account_id FROM hold WHERE account_id IS NOT NULL AND account_id <> 0"
    " UNION SELECT a.id FROM hold h JOIN account a ON a.client_ext_id = h.client_ext_id"
    " WHERE h.account_id IS NULL OR h.account_id = 0 ORDER BY 1",
    NULL};

store_rc store_work_fact_accounts(store *s, store_work_account_fn fn, void *ctx)
{
	store_q *q = store_q_open(s, &SQL_FACT_ACCOUNTS);
	if (!q) return STORE_ERR;
	while (store_q_step(q) > 0)
		if (fn(ctx, store_q_col_int(q, 0))) break;
	return store_q_close(q);
}

static int grow(void **arr, int *cap, int need, size_t size)
{
	if (need <= *cap) return 0;
	int nc = *cap ? *cap * 2 : 8;
	while (nc < need)
		nc *= 2;
	void *p = realloc(*arr, size * (size_t)nc);
	if (!p) return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

static int cmp_event(const void *x, const void *y)
{
	const store_fact_event *a = x, *b = y;
	if (a->day != b->day) return a->day < b->day ? -1 : 1;
	if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
	return strcmp(a->ref, b->ref);
}

store_rc store_work_facts_get(store *s, int64_t account_id, civil_day until, store_work_facts *f)
{
	return store_work_facts_get_n(s, account_id, until, STORE_TASK_OVERDUE_DAYS, f);
}

store_rc store_work_facts_get_n(store *s, int64_t account_id, civil_day until, int overdue_days,
                                store_work_facts *f)
{
	f->n_promises = f->n_holds = f->n_events = 0;
	if (overdue_days < 0) return store_fail(s, "facts: overdue days must be >= 0");
	store_q *q = store_q_open(s, &SQL_FACT_PROMISES);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, account_id);
	store_q_day(q, 2, until);
	int r, oom = 0;
	while (!oom && (r = store_q_step(q)) > 0) {
		if (grow((void **)&f->promises, &f->cap_promises, f->n_promises + 1, sizeof *f->promises)) {
			oom = 1;
			break;
		}
		store_fact_promise *p = &f->promises[f->n_promises++];
		memset(p, 0, sizeof *p);
		snprintf(p->ref, sizeof p->ref, "P%lld", (long long)store_q_col_int(q, 0));
		p->made_on = store_q_col_day(q, 1);
		p->due_on = store_q_col_day(q, 2);
		p->amount = store_q_col_int(q, 3);
	}
	if (store_q_close(q)) return STORE_ERR;
	if (oom) return store_fail(s, "out of memory");

	q = store_q_open(s, &SQL_FACT_HOLDS);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, account_id);
	store_q_day(q, 2, until);
	while (!oom && (r = store_q_step(q)) > 0) {
		if (grow((void **)&f->holds, &f->cap_holds, f->n_holds + 1, sizeof *f->holds)) {
			oom = 1;
			break;
		}
		store_fact_hold *h = &f->holds[f->n_holds++];
		h->from_on = store_q_col_day(q, 0);
		h->to_on = store_q_col_day(q, 1);
		h->kind = store_q_col_int(q, 2) == HOLD_PAUSE ? HOLD_PAUSE : HOLD_EXCLUSION;
	}
	if (store_q_close(q)) return STORE_ERR;
	if (oom) return store_fail(s, "out of memory");

	q = store_q_open(s, &SQL_FACT_EVENTS);
	if (!q) return STORE_ERR;
	store_q_int(q, 1, account_id);
	store_q_day(q, 2, until);
	store_q_int(q, 3, overdue_days);
	while (!oom && (r = store_q_step(q)) > 0) {
		if (grow((void **)&f->events, &f->cap_events, f->n_events + 1, sizeof *f->events)) {
			oom = 1;
			break;
		}
		store_fact_event *e = &f->events[f->n_events++];
		memset(e, 0, sizeof *e);
		e->day = store_q_col_day(q, 0);
		e->kind = (int)store_q_col_int(q, 1);
		store_q_col_copy(q, 2, e->name, sizeof e->name);
		store_work_event_ref(e->kind == 2 ? 'A' : 'T', store_q_col_text(q, 3), e->ref);
	}
	if (store_q_close(q)) return STORE_ERR;
	if (oom) return store_fail(s, "out of memory");
	if (f->n_events > 1) qsort(f->events, (size_t)f->n_events, sizeof *f->events, cmp_event);
	return STORE_OK;
}

void store_work_facts_free(store_work_facts *f)
{
	free(f->promises);
	free(f->holds);
	free(f->events);
	memset(f, 0, sizeof *f);
}

/* store_work.h: what people do with the daily run's decisions (store module "work"): task outcomes,
 * promises to pay, alerts, approval requests (four-eyes) and holds (exclusions from collection,
 * delinquency pauses). Every write happens inside the caller's transaction and is idempotent where
 * it can be replayed (alerts by dedupe key; an outcome once per task). The policy evaluation reads
 * promises, holds and dated events (failed/overdue tasks, alerts) back through store_work_facts(). */
#ifndef VIGIE_STORE_WORK_H
#define VIGIE_STORE_WORK_H
#include "store/store.h"

#define STORE_NOTE_MAX    512
#define STORE_PAYLOAD_MAX 65536 /* an approval's JSON payload, terminator included */

/* --- task outcomes ------------------------------------------------------------------------------ */
typedef enum {
	OUTCOME_REACHED = 0,
	OUTCOME_PROMISE, /* a promise to pay: amount and date */
	OUTCOME_DISPUTE,
	OUTCOME_UNREACHABLE,
	OUTCOME_PAID,
	OUTCOME_VERIFIED, /* loan-use verification, document check passed */
	OUTCOME_FAILED,   /* verification failed, visit failed */
	OUTCOME_N
} store_outcome_kind;
const char *store_outcome_name(store_outcome_kind k);
int store_outcome_parse(const char *s); /* -1 when unknown */

typedef struct {
	int64_t decision_id; /* the task */
	store_outcome_kind outcome;
	civil_day day;
	char actor[STORE_ID_MAX];
	char note[STORE_NOTE_MAX];
	int64_t promise_amount; /* OUTCOME_PROMISE: minor units of the account's currency */
	civil_day promise_on;   /* OUTCOME_PROMISE: the promised date */
} store_task_outcome;
/* Records the outcome and closes the task (status done); a promise outcome also creates the promise.
 * STORE_NOT_FOUND: no such task; STORE_CONFLICT: the task already has a different outcome (the same
 * outcome again is PUT_UNCHANGED). */
store_rc store_task_outcome_put(store *s, const store_task_outcome *o, store_put *res);
store_rc store_task_outcome_get(store *s, int64_t decision_id, store_task_outcome *out);

/* --- promises ----------------------------------------------------------------------------------- */
typedef struct {
	int64_t id;
	int64_t account_id;
	int64_t decision_id; /* 0 when not made through a task */
	civil_day made_on, due_on;
	int64_t amount;
	char actor[STORE_ID_MAX];
	char account_ext_id[STORE_ID_MAX]; /* filled on reads */
} store_promise;
store_rc store_promise_put(store *s, store_promise *p, store_put *res);
typedef int (*store_promise_fn)(void *ctx, const store_promise *p);
/* An account's promises (0 = every account), by (due_on, id). */
store_rc store_promises_each(store *s, int64_t account_id, store_promise_fn fn, void *ctx);
/* Kept, broken or open as of `as_of`, from the account's payments: the payments dated in
 * [made_on, min(due_on, as_of)] and not reversed on or before as_of add up to *paid; kept when
 * *paid >= amount, else broken once as_of > due_on, else open. Returns 0 open, 1 kept, 2 broken,
 * -1 on a store error. */
int store_promise_status(store *s, const store_promise *p, civil_day as_of, int64_t *paid);
const char *store_promise_status_name(int st); /* open, kept, broken */

/* --- alerts ------------------------------------------------------------------------------------- */
typedef struct {
	int64_t id;
	char dedupe_key[STORE_DEDUPE_MAX]; /* unique: raising the same alert again is PUT_UNCHANGED */
	int64_t account_id;                /* 0 when about a client or a group */
	char client_ext_id[STORE_ID_MAX];  /* "" when about an account only */
	civil_day day;
	char kind[STORE_ID_MAX];     /* task_failed, dpd_threshold, grade_down, limit_exceeded, legal, ... */
	char severity[16];           /* info | warning | critical */
	char reason[STORE_NOTE_MAX]; /* readable: why, with what moved */
	char details[2048];          /* JSON object: the variables that moved */
	char assignee[STORE_ID_MAX]; /* user name or "role:supervisor" */
	char branch[STORE_ID_MAX];   /* for routing and access */
	char status[16];             /* open | acknowledged */
	char ack_by[STORE_ID_MAX];
	civil_day ack_on;
	char account_ext_id[STORE_ID_MAX]; /* filled on reads */
} store_alert;
store_rc store_alert_raise(store *s, store_alert *a, store_put *res);
store_rc store_alert_ack(store *s, int64_t id, const char *by,
                         civil_day on); /* NOT_FOUND; CONFLICT if acked */
store_rc store_alert_get(store *s, int64_t id, store_alert *out);
typedef struct {
	const char *status, *kind, *branch, *assignee; /* NULL = any */
	int64_t account_id;                            /* 0 = any */
} store_alert_filter;
typedef int (*store_alert_fn)(void *ctx, const store_alert *a);
store_rc store_alerts_each(store *s, const store_alert_filter *f, store_alert_fn fn, void *ctx);

/* --- approvals (four-eyes) ---------------------------------------------------------------------- */
typedef struct {
	int64_t id;
	char kind[STORE_ID_MAX];    /* step, reschedule, write_off, fee_waiver, credit_limit, policy_change */
	int64_t account_id;         /* 0 when not about an account */
	char subject[STORE_ID_MAX]; /* what it is about: account ext id, client ext id, group, policy name */
	int64_t decision_id;        /* a four-eyes step of the run, else 0 */
	char payload[STORE_PAYLOAD_MAX]; /* JSON object: what is to be done once approved (docs/work.md) */
	char maker[STORE_ID_MAX];
	civil_day made_on;
	char branch[STORE_ID_MAX];
	char status[16]; /* pending | approved | rejected | applied */
	char checker[STORE_ID_MAX];
	civil_day checked_on;
	char note[STORE_NOTE_MAX];
} store_approval;
store_rc store_approval_request(store *s, store_approval *a); /* sets id, status pending */
store_rc store_approval_get(store *s, int64_t id, store_approval *out);
/* pending -> approved/rejected by checker (the caller checked access_can_check); CONFLICT when not
 * pending or when checker = maker. */
store_rc store_approval_decide(store *s, int64_t id, int approve, const char *checker, civil_day on,
                               const char *note);
store_rc store_approval_mark_applied(store *s, int64_t id);
/* The approval of a four-eyes step (kind step) of decision_id: STORE_NOT_FOUND when none. There is at
 * most one per decision (unique index). */
store_rc store_approval_of_decision(store *s, int64_t decision_id, store_approval *out);
typedef int (*store_approval_fn)(void *ctx, const store_approval *a);
store_rc store_approvals_each(store *s, const char *status, const char *branch, store_approval_fn fn,
                              void *ctx);

/* --- holds -------------------------------------------------------------------------------------- */
typedef enum { HOLD_EXCLUSION = 0, HOLD_PAUSE = 1 } store_hold_kind;
typedef struct {
	int64_t id;
	store_hold_kind kind;
	int64_t account_id; /* 0 when on a client (every account of the client) */
	char client_ext_id[STORE_ID_MAX];
	civil_day from_on, to_on; /* inclusive; to_on DATE_NONE = until ended */
	char reason[STORE_NOTE_MAX];
	char actor[STORE_ID_MAX];
	civil_day created_on;
	char ended_by[STORE_ID_MAX];       /* set by store_hold_end */
	civil_day ended_on;                /* the day it was ended (DATE_NONE: not ended) */
	char account_ext_id[STORE_ID_MAX]; /* filled on reads ("" on a client hold) */
} store_hold;
/* Inserts (sets id); an account hold needs account_id, a client hold client_ext_id of a known client
 * (STORE_NOT_FOUND otherwise); to_on, when set, is on or after from_on. */
store_rc store_hold_put(store *s, store_hold *h);
store_rc store_hold_get(store *s, int64_t id, store_hold *out);
/* Ends a hold on `on` (to_on = on, ended_by, ended_on); the history is kept. STORE_NOT_FOUND;
 * STORE_CONFLICT when the hold is already over before `on`, or starts after `on`. */
store_rc store_hold_end(store *s, int64_t id, civil_day on, const char *actor);
typedef int (*store_hold_fn)(void *ctx, const store_hold *h);
/* By (from_on, id). account_id 0 = all; else the account's holds and its client's. */
store_rc store_holds_each(store *s, int64_t account_id, store_hold_fn fn, void *ctx);

/* --- decisions read and changed by people ----------------------------------------------------------- */
/* A decision by id (with account_ext_id and currency): STORE_NOT_FOUND. */
store_rc store_work_decision_get(store *s, int64_t id, store_decision *out);
/* Sets a decision's status (a four-eyes step approved or rejected: queued, open, done, cancelled). */
store_rc store_work_decision_status(store *s, int64_t id, const char *status);
/* Replaces an account's obligations (a rescheduling, a fee waiver) inside the caller's transaction:
 * the rows are deleted and ob[0..n) stored through store_obligations_set (sorted by due_on), which
 * marks the account dirty; the caller rebuilds the ledger (ledger_sync_rebuild) before commit. */
store_rc store_work_obligations_replace(store *s, int64_t account_id, const obligation *ob, int n);

/* --- facts for the policy evaluation of one account ----------------------------------------------- */
typedef struct {
	civil_day made_on, due_on;
	int64_t amount;
	char ref[32]; /* "P<id>" */
} store_fact_promise;
typedef struct {
	civil_day from_on, to_on; /* to_on DATE_NONE = open */
	store_hold_kind kind;
} store_fact_hold;
typedef struct {
	civil_day day;
	int kind;                /* 0 task_failed, 1 task_overdue, 2 alert */
	char name[STORE_ID_MAX]; /* task kind or alert kind */
	char ref[32];            /* "T" or "A" + 16 hex digits: FNV-1a of the task's or alert's dedupe key */
} store_fact_event;
typedef struct {
	store_fact_promise *promises;
	int n_promises, cap_promises;
	store_fact_hold *holds;
	int n_holds, cap_holds;
	store_fact_event *events;
	int n_events, cap_events;
} store_work_facts;
/* Fills f (arrays grown as needed; free with store_work_facts_free) with the account's promises
 * (made on or before `until`, by made_on), holds (its own and its client's, starting on or before
 * `until`, by from_on) and events dated on or before `until` (by day, then kind, then id):
 *   task_failed   a task whose outcome is failed, on the outcome's day;
 *   task_overdue  a task (not cancelled) with no outcome within overdue_days of its day, on
 *                 day + overdue_days (whether done later or still open);
 *   alert         an alert on the account, on its day.
 * store_work_facts_get uses STORE_TASK_OVERDUE_DAYS. f may be reused: it is emptied first. */
#define STORE_TASK_OVERDUE_DAYS 3
store_rc store_work_facts_get(store *s, int64_t account_id, civil_day until, store_work_facts *f);
store_rc store_work_facts_get_n(store *s, int64_t account_id, civil_day until, int overdue_days,
                                store_work_facts *f);
void store_work_facts_free(store_work_facts *f);
/* --- follow-ups of the run's decisions ------------------------------------------------------------
 * Decisions with id > after_id (in id order, at most limit) that still need what the run owes them:
 * an alert or escalation decision without its alert row (same dedupe key), a four-eyes decision
 * still open without its approval request. One bounded query (engine/run_followup.h). */
typedef struct {
	store_decision d;
	char branch[STORE_ID_MAX];        /* the account's */
	char client_ext_id[STORE_ID_MAX]; /* the account's client */
} store_followup;
store_rc store_work_followups(store *s, int64_t after_id, int limit, store_followup *buf, int *n);
/* The highest decision id (0 when none). */
store_rc store_work_decision_max_id(store *s, int64_t *id);

/* The ref of a dated event: kind ('T' a task, 'A' an alert) and the FNV-1a hash of the task's or
 * alert's dedupe key in 16 hex digits (never a row id: a catch-up and day-by-day runs number rows
 * differently). The daily run computes the same ref for the tasks it has just created. */
#define STORE_EVENT_REF_MAX 24
void store_work_event_ref(char kind, const char *dedupe_key, char out[STORE_EVENT_REF_MAX]);

/* Every account that has, or may have, such facts (a promise, an open task or a task with an
 * outcome, an alert, a hold of its own or of its client), in id order: the others need no
 * store_work_facts_get. */
typedef int (*store_work_account_fn)(void *ctx, int64_t account_id);
store_rc store_work_fact_accounts(store *s, store_work_account_fn fn, void *ctx);

#endif

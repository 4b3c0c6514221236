/* daily_run.h: the persisted daily run of a policy (`vigie run --as-of D`). For each day from the
 * day after the last finished run (or, on a first run, the as-of day alone) to the as-of day, in
 * order, it evaluates only the accounts due that day: next_eval_on <= day in their policy state (an
 * index range; the store keeps next_eval_on pulled back to new accounts and payment events, see
 * store_policy_state_note_dirty), or every account on the first day run under a new policy name or
 * version. Each account is evaluated over the days since its last evaluation, so that a caught-up
 * decision keeps its own day.
 *
 * A day is split into STORE_RUN_PARTS partitions (blocks of ids). A worker leases a partition,
 * evaluates its due accounts by batches (one transaction per batch: decisions under their dedupe
 * keys, policy states, the partition's counts and lease renewal), marks it done with its last batch,
 * and leases the next; when none is left to lease it waits for the partitions others hold, and the
 * day is finished (run_log) when all are done. Several workers (processes, each with its own
 * connection) can so share a day on PostgreSQL: a partition whose owner's connection is gone or
 * whose lease expired is taken over, and a batch whose lease was lost is rolled back. On SQLite (one
 * writer) a run takes over any partition not done.
 *
 * A run killed at any point and run again ends in the state of one clean run: committed batches are
 * not re-evaluated (their accounts' next_eval_on moved past the day) and a decision already stored
 * is never stored twice (its dedupe key). docs/daily-run.md, docs/policies.md "Daily run". */
#ifndef VIGIE_DAILY_RUN_H
#define VIGIE_DAILY_RUN_H
#include <stddef.h>
#include <stdint.h>

#include "core/policy.h"
#include "store/store.h"

#define DAILY_RUN_BATCH    1000 /* accounts per transaction (default) */
#define DAILY_RUN_MAX_DAYS 3660 /* days caught up by one run */
#define DAILY_RUN_HORIZON  3660 /* days looked ahead for an account's next evaluation day */
#define DAILY_RUN_LEASE_S  60   /* seconds a worker holds a partition without renewing it (default) */
#define DAILY_RUN_POLL_MS  200  /* wait between looks at a day's partitions held by other workers */

typedef struct {
	civil_day day;
	int64_t accounts;  /* accounts evaluated that day (this run) */
	int64_t inserted;  /* decisions created */
	int64_t unchanged; /* decisions already stored (dedupe key) */
} daily_run_day;

/* Called after each day is finished; non-zero stops the run (the next days stay to do). */
typedef int (*daily_run_day_fn)(void *ctx, const daily_run_day *d);

typedef struct {
	const policy *p;
	civil_day as_of;
	alloc_order order;
	int batch; /* accounts per transaction; <= 0: DAILY_RUN_BATCH */
	daily_run_day_fn on_day;
	void *ctx;
	const char *owner; /* this worker's name in partition leases; NULL: "host:pid" */
	int lease_s;       /* <= 0: DAILY_RUN_LEASE_S; renewed by every batch */
	int poll_ms;       /* <= 0: DAILY_RUN_POLL_MS */
} daily_run_opts;

typedef struct {
	civil_day from, to;    /* days run; from > to when there was nothing to do */
	civil_day last_before; /* last finished day before this run, DATE_NONE on a first run */
	int days;
	int policy_changed; /* a new policy name or version: every account was re-planned */
	int64_t accounts, inserted, unchanged;
} daily_run_result;

/* 0, or -1 with a message (store error, corrupt ledger, as-of too far after the last run). */
int daily_run(store *s, const daily_run_opts *o, daily_run_result *r, char *err, size_t errcap);

/* The decision's status when it is created: "open" (tasks, four-eyes decisions), "queued"
 * (messages) or "done". */
const char *daily_run_status(const policy_decision *d);

#endif

/* test_store_decisions.c: the daily run's store functions (schema versions 2 and 3: decisions, policy
 * state kept due by payment events, due accounts by partition, run partitions and their leases, run
 * log), on both back-ends like test_store.c: a fresh SQLite file, then a fresh
 * PostgreSQL database on the server named by $VIGIE_PG_BASE (required). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/store.h"
#include "t.h"

#define STORE_FIXTURE_PREFIX "vigie_test_dec"
#include "store_fixture.h"

#define N_ACC 5
/* One client and N_ACC loans L1..L5 (ids in ids[]), committed. */
static void setup(store *s, int64_t *ids)
{
	store_put res;
	store_client c;
	memset(&c, 0, sizeof c);
	snprintf(c.ext_id, sizeof c.ext_id, "C1");
	snprintf(c.name, sizeof c.name, "Awa");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "client");
	for (int i = 0; i < N_ACC; i++) {
		store_account a;
		memset(&a, 0, sizeof a);
		a.client_id = c.id;
		a.kind = STORE_LOAN;
		snprintf(a.ext_id, sizeof a.ext_id, "L%d", i + 1);
		snprintf(a.currency, sizeof a.currency, "XOF");
		a.principal = 1000 * (i + 1);
		a.start_on = 19000;
		a.due_on = a.written_off_on = DATE_NONE;
		snprintf(a.officer, sizeof a.officer, "O%d", i % 2 + 1);
		T_EQ_INT(store_account_put(s, &a, &res), STORE_OK, "account");
		ids[i] = a.id;
	}
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
}

static store_decision mk_dec(int64_t account, const char *key, civil_day day, const char *action,
                             const char *status, int32_t dpd, int64_t late, const char *assignee)
{
	store_decision d;
	memset(&d, 0, sizeof d);
	snprintf(d.dedupe_key, sizeof d.dedupe_key, "%s", key);
	d.account_id = account;
	d.day = day;
	snprintf(d.segment, sizeof d.segment, "standard");
	snprintf(d.step, sizeof d.step, "step-%s", key);
	snprintf(d.action, sizeof d.action, "%s", action);
	if (!strcmp(action, "message")) {
		snprintf(d.channels, sizeof d.channels, "sms,email");
		snprintf(d.template_name, sizeof d.template_name, "reminder");
	}
	if (!strcmp(action, "task")) snprintf(d.task_kind, sizeof d.task_kind, "call");
	snprintf(d.assignee, sizeof d.assignee, "%s", assignee);
	snprintf(d.status, sizeof d.status, "%s", status);
	d.created_by_run_day = day + 1;
	d.anchor = day - dpd;
	d.dpd = dpd;
	d.late_amount = late;
	return d;
}

typedef struct {
	int n;
	char keys[16][64];
	store_decision first;
} dec_rec;

static int dec_fn(void *ctx, const store_decision *d)
{
	dec_rec *r = ctx;
	if (r->n == 0) r->first = *d;
	if (r->n < 16) snprintf(r->keys[r->n], sizeof r->keys[r->n], "%.63s", d->dedupe_key);
	r->n++;
	return 0;
}

static void each(store *s, const store_decision_filter *f, dec_rec *r)
{
	memset(r, 0, sizeof *r);
	T_EQ_INT(store_decisions_each(s, f, dec_fn, r), STORE_OK, "decisions_each");
}

static void test_decisions(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	T_EQ_INT(store_schema_version(s), 3, "schema version 3");
	int64_t id[N_ACC];
	setup(s, id);
	store_decision d[5] = {
	    mk_dec(id[0], "L1|standard|sms|19030|0", 19030, "message", "queued", 0, 0, ""),
	    mk_dec(id[0], "L1|standard|call|19040|0", 19045, "task", "open", 5, 700, "O1"),
	    mk_dec(id[1], "L2|standard|call|19040|0", 19050, "task", "open", 10, 300, "O2"),
	    mk_dec(id[1], "L2|standard|visit|19040|0", 19050, "task", "open", 10, 900, "O2"),
	    mk_dec(id[2], "L3|case_closed|19060", 19060, "case_closed", "done", 0, 0, ""),
	};
	store_put res[5];
	T_EQ_INT(store_decision_put_many(s, d, 5, res), STORE_ERR, "outside a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_decision_put_many(s, d, 5, res), STORE_OK, "put");
	int ins = 0;
	for (int i = 0; i < 5; i++)
		ins += res[i] == PUT_INSERTED;
	T_EQ_INT(ins, 5, "all inserted");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	/* again, with other content under the same keys: unchanged, the first stands */
	d[0].day = 1;
	snprintf(d[0].status, sizeof d[0].status, "done");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_decision_put_many(s, d, 5, res), STORE_OK, "put again");
	int unch = 0;
	for (int i = 0; i < 5; i++)
		unch += res[i] == PUT_UNCHANGED;
	T_EQ_INT(unch, 5, "all unchanged");
	store_decision bad = d[1];
	bad.dedupe_key[0] = '\0';
	T_EQ_INT(store_decision_put_many(s, &bad, 1, res), STORE_ERR, "empty dedupe key refused");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	/* a rolled-back batch leaves nothing */
	store_decision r1 = mk_dec(id[3], "L4|x|y|1|0", 19070, "alert", "done", 0, 0, "");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_decision_put_many(s, &r1, 1, res), STORE_OK, "put");
	T_EQ_INT(res[0], PUT_INSERTED, "inserted");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");

	dec_rec r;
	store_decision_filter all = {.from = DATE_NONE, .to = DATE_NONE};
	each(s, &all, &r);
	T_EQ_INT(r.n, 5, "five decisions, none twice, the rolled back one gone");
	T_EQ_STR(r.keys[0], "L1|standard|sms|19030|0", "by day: first");
	T_EQ_STR(r.keys[4], "L3|case_closed|19060", "by day: last");
	T_EQ_INT(r.first.day, 19030, "the first put stands (day)");
	T_EQ_STR(r.first.status, "queued", "the first put stands (status)");
	T_EQ_STR(r.first.channels, "sms,email", "channels");
	T_EQ_STR(r.first.account_ext_id, "L1", "account ext id read");
	T_EQ_STR(r.first.currency, "XOF", "currency read");
	T_EQ_INT(r.first.created_by_run_day, 19031, "created by run day");

	store_decision_filter outbox = {
	    .action = "message", .status = "queued", .from = DATE_NONE, .to = DATE_NONE};
	each(s, &outbox, &r);
	T_EQ_INT(r.n, 1, "outbox");
	store_decision_filter tasks = {
	    .status = "open", .from = DATE_NONE, .to = DATE_NONE, .by_priority = 1};
	each(s, &tasks, &r);
	T_EQ_INT(r.n, 3, "open tasks");
	T_EQ_STR(r.keys[0], "L2|standard|visit|19040|0", "priority: dpd then amount");
	T_EQ_STR(r.keys[1], "L2|standard|call|19040|0", "priority: second");
	T_EQ_STR(r.keys[2], "L1|standard|call|19040|0", "priority: last");
	tasks.assignee = "O1";
	each(s, &tasks, &r);
	T_EQ_INT(r.n, 1, "tasks of O1");
	store_decision_filter acc = {.account_id = id[1], .from = 19050, .to = 19050};
	each(s, &acc, &r);
	T_EQ_INT(r.n, 2, "one account, one day");
	acc.to = 19049;
	each(s, &acc, &r);
	T_EQ_INT(r.n, 0, "empty range");
	done(&fx, s);
}

typedef struct {
	int n;
	int64_t ids[16];
	civil_day last[16];
} due_rec;

static int due_fn(void *ctx, const store_account *a, const uint8_t *blob, size_t len, civil_day last_eval_on)
{
	(void)blob;
	(void)len;
	due_rec *r = ctx;
	if (r->n < 16) {
		r->ids[r->n] = a->id;
		r->last[r->n] = last_eval_on;
	}
	r->n++;
	return 0;
}

/* Due accounts on day, all partitions, sorted by id. */
static int due(store *s, civil_day day, due_rec *r)
{
	memset(r, 0, sizeof *r);
	for (int part = 0; part < STORE_RUN_PARTS; part++) {
		int n = -1, before = r->n;
		T_EQ_INT(store_due_accounts(s, day, part, 100, due_fn, r, &n), STORE_OK, "due accounts");
		T_EQ_INT(n, r->n - before, "count = rows seen");
	}
	for (int i = 1; i < r->n && i < 16; i++)
		for (int j = i; j > 0 && r->ids[j - 1] > r->ids[j]; j--) {
			int64_t t = r->ids[j];
			civil_day tl = r->last[j];
			r->ids[j] = r->ids[j - 1], r->last[j] = r->last[j - 1];
			r->ids[j - 1] = t, r->last[j - 1] = tl;
		}
	return r->n;
}

static void note_dirty(store *s)
{
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_note_dirty(s), STORE_OK, "note dirty");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
}

static void test_state_and_due(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	int64_t id[N_ACC];
	setup(s, id);
	due_rec r;
	T_EQ_INT(due(s, 19100, &r), 0, "no state before the writers note their dirty accounts");
	T_EQ_INT(store_policy_state_note_dirty(s), STORE_ERR, "note dirty needs a transaction");
	note_dirty(s);
	T_EQ_INT(due(s, 19100, &r), N_ACC, "new accounts: every one is due");
	T_EQ_INT(r.last[0], DATE_NONE, "no last evaluation");
	int n = -1;
	memset(&r, 0, sizeof r);
	/* partitions are blocks of 1024 ids: the five accounts are all in the first one */
	T_EQ_INT(store_due_accounts(s, 19100, (int)(id[1] / 1024 % STORE_RUN_PARTS), 100, due_fn, &r, &n),
	         STORE_OK, "one partition");
	T_EQ_INT(n, N_ACC, "one partition: the block of the five accounts");
	T_EQ_INT(r.ids[0], id[0], "in id order when due the same day");
	memset(&r, 0, sizeof r);
	T_EQ_INT(store_due_accounts(s, 19100, (int)(id[1] / 1024 % STORE_RUN_PARTS + 1), 100, due_fn, &r, &n),
	         STORE_OK, "the next partition");
	T_EQ_INT(n, 0, "the next partition: none");
	memset(&r, 0, sizeof r);
	T_EQ_INT(store_due_accounts(s, 19100, STORE_RUN_PARTS, 100, due_fn, &r, &n), STORE_ERR,
	         "partition out of range");

	store_policy_state st[N_ACC];
	for (int i = 0; i < N_ACC; i++)
		st[i] = (store_policy_state){id[i], 19100 + 10 * i, 19100};
	st[4].next_eval_on = 19300;
	T_EQ_INT(store_policy_state_set_many(s, st, N_ACC), STORE_ERR, "outside a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_policy_state twice[2] = {st[0], st[0]};
	T_EQ_INT(store_policy_state_set_many(s, twice, 2), STORE_ERR, "an account twice in one call");
	T_EQ_INT(store_policy_state_set_many(s, st, N_ACC), STORE_OK, "set");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(due(s, 19099, &r), 0, "due on 19099: none");
	T_EQ_INT(due(s, 19100, &r), 1, "due on 19100: next_eval_on reached");
	T_EQ_INT(r.ids[0], id[0], "L1");
	T_EQ_INT(r.last[0], 19100, "its last evaluation");
	T_EQ_INT(due(s, 19125, &r), 3, "due on 19125: three");

	/* upsert: moves L1 on; a payment after L5's last evaluation pulls it back to its date, once the
	 * writer notes its dirty accounts; a payment dated before the last evaluation does not */
	st[0] = (store_policy_state){id[0], 19200, 19150};
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_set_many(s, st, 1), STORE_OK, "update");
	store_payment p;
	memset(&p, 0, sizeof p);
	snprintf(p.ext_id, sizeof p.ext_id, "P1");
	p.account_id = id[4];
	p.paid_on = 19105;
	p.reversed_on = DATE_NONE;
	p.amount = 10;
	store_put pr;
	T_EQ_INT(store_payment_put(s, &p, &pr), STORE_OK, "payment");
	snprintf(p.ext_id, sizeof p.ext_id, "P2");
	p.account_id = id[3];
	p.paid_on = 19090;
	T_EQ_INT(store_payment_put(s, &p, &pr), STORE_OK, "payment before L4's last evaluation");
	T_EQ_INT(store_policy_state_note_dirty(s), STORE_OK, "note dirty");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(due(s, 19104, &r), 0, "before the payment: none");
	T_EQ_INT(due(s, 19105, &r), 1, "on the payment day: L5");
	T_EQ_INT(r.ids[0], id[4], "L5");
	T_EQ_INT(due(s, 19125, &r), 3, "L1 moved on: L2, L3 and L5");
	T_EQ_INT(due(s, 19130, &r), 4, "L4 on its own day, 19130");

	/* a reversal later than the last evaluation pulls back too */
	for (int i = 0; i < N_ACC; i++)
		st[i] = (store_policy_state){id[i], 19300, 19290};
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_set_many(s, st, N_ACC), STORE_OK, "all due on 19300");
	for (int i = 0; i < N_ACC; i++)
		st[i].last_eval_on = 19110;
	T_EQ_INT(store_policy_state_set_many(s, st, N_ACC), STORE_OK, "all evaluated on 19110");
	T_EQ_INT(store_payment_reverse(s, "P1", 19120, &pr), STORE_OK, "reversal");
	T_EQ_INT(store_policy_state_note_dirty(s), STORE_OK, "note dirty");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(due(s, 19119, &r), 0, "before the reversal: none");
	T_EQ_INT(due(s, 19120, &r), 1, "on the reversal day: L5");
	/* a run that read L5 before the reversal was committed keeps the pulled day */
	store_policy_state l5 = {id[4], 19400, 19115};
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_set_many(s, &l5, 1), STORE_OK, "a stale evaluation");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(due(s, 19120, &r), 1, "the pull back stands");
	l5.last_eval_on = 19120;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_set_many(s, &l5, 1), STORE_OK, "evaluated on the reversal day");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(due(s, 19399, &r), N_ACC - 1, "then moved on: the others only");
	T_OK(r.ids[3] != id[4], "L5 not due before 19400");

	/* batches wider than a multi-row statement: 9 states, 10 decisions (one key twice) */
	store_policy_state many[N_ACC];
	for (int i = 0; i < N_ACC; i++)
		many[i] = (store_policy_state){id[i], 19500 + i, 19400};
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_set_many(s, many, N_ACC), STORE_OK, "set again");
	store_decision d[10];
	store_put res[10];
	for (int i = 0; i < 10; i++) {
		char key[32];
		snprintf(key, sizeof key, "K%d", i == 9 ? 2 : i);
		d[i] = mk_dec(id[i % N_ACC], key, 19400, "alert", "done", 0, 0, "");
	}
	T_EQ_INT(store_decision_put_many(s, d, 10, res), STORE_OK, "ten decisions");
	int ins = 0;
	for (int i = 0; i < 10; i++)
		ins += res[i] == PUT_INSERTED;
	T_EQ_INT(ins, 9, "nine distinct keys inserted");
	T_EQ_INT(res[2], PUT_INSERTED, "the first of a repeated key");
	T_EQ_INT(res[9], PUT_UNCHANGED, "its repeat");
	T_EQ_INT(store_decision_put_many(s, d, 10, res), STORE_OK, "again");
	ins = 0;
	for (int i = 0; i < 10; i++)
		ins += res[i] == PUT_INSERTED;
	T_EQ_INT(ins, 0, "none inserted the second time");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(due(s, 19502, &r), 3, "the batch set every state");
	done(&fx, s);
}

/* Partitions of a day: open (once), claim until none is left, update only by the owner, finish. */
static void test_partitions(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	int64_t id[N_ACC];
	setup(s, id);
	note_dirty(s);
	int created = -1, total = -1, left = -1, part = -1;
	T_EQ_INT(store_run_day_left(s, 19100, &total, &left), STORE_OK, "left before");
	T_EQ_INT(total, 0, "no partitions yet");
	store_policy_state st[N_ACC];
	for (int i = 0; i < N_ACC; i++)
		st[i] = (store_policy_state){id[i], 19200, 19099};
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_set_many(s, st, N_ACC), STORE_OK, "states");
	T_EQ_INT(store_run_day_open(s, 19100, 1, &created), STORE_OK, "open with re-plan");
	T_EQ_INT(created, 1, "created");
	T_EQ_INT(store_run_day_open(s, 19100, 1, &created), STORE_OK, "open again");
	T_EQ_INT(created, 0, "already there");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	due_rec r;
	T_EQ_INT(due(s, 19100, &r), N_ACC, "re-plan: every account due on the day");
	T_EQ_INT(store_run_day_left(s, 19100, &total, &left), STORE_OK, "left");
	T_EQ_INT(total, STORE_RUN_PARTS, "every partition");
	T_EQ_INT(left, STORE_RUN_PARTS, "none done");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_run_part_claim(s, 19100, "w1", 60, &part), STORE_OK, "claim");
	T_EQ_INT(part, 0, "the first partition");
	T_EQ_INT(store_run_part_update(s, 19100, part, "w2", 60, 1, 1, 0, 1), STORE_NOT_FOUND,
	         "another owner cannot update it");
	T_EQ_INT(store_run_part_update(s, 19100, part, "w1", 60, 3, 2, 1, 0), STORE_OK, "a batch");
	T_EQ_INT(store_run_part_update(s, 19100, part, "w1", 60, 2, 1, 0, 1), STORE_OK, "the last batch");
	T_EQ_INT(store_run_part_update(s, 19100, part, "w1", 60, 2, 1, 0, 1), STORE_NOT_FOUND,
	         "done: no more updates");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	int claimed = 1, prev = 0, ordered = 1;
	for (;;) {
		T_EQ_INT(store_begin(s), STORE_OK, "begin");
		store_rc rc = store_run_part_claim(s, 19100, "w1", 60, &part);
		if (rc == STORE_OK) {
			ordered &= part > prev;
			prev = part;
			rc = store_run_part_update(s, 19100, part, "w1", 60, 0, 0, 0, 1);
			T_EQ_INT(rc, STORE_OK, "done");
		}
		T_EQ_INT(store_commit(s), STORE_OK, "commit");
		if (rc != STORE_OK) break;
		claimed++;
	}
	T_EQ_INT(claimed, STORE_RUN_PARTS, "every partition claimed once");
	T_OK(ordered, "in partition order");
	T_EQ_INT(store_run_day_left(s, 19100, &total, &left), STORE_OK, "left");
	T_EQ_INT(left, 0, "all done");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_run_day_finish(s, 19100, "mf", 2), STORE_OK, "finish");
	T_EQ_INT(store_run_day_finish(s, 19100, "mf", 2), STORE_OK, "finish again");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_run_log got;
	T_EQ_INT(store_run_log_last(s, &got), STORE_OK, "run log");
	T_EQ_INT(got.day, 19100, "day");
	T_EQ_INT(got.accounts_evaluated, 5, "the partitions' accounts, once");
	T_EQ_INT(got.decisions, 3, "the partitions' decisions, once");
	T_EQ_INT(got.policy_version, 2, "version");
	T_EQ_STR(got.policy_name, "mf", "name");
	done(&fx, s);
}

static void test_run_log(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_run_log got;
	T_EQ_INT(store_run_log_last(s, &got), STORE_NOT_FOUND, "no run yet");
	store_run_log rl = {
	    .day = 19100, .policy_version = 3, .accounts_evaluated = 10, .decisions = 4, .finished = 0};
	snprintf(rl.policy_name, sizeof rl.policy_name, "mf");
	T_EQ_INT(store_run_log_put(s, &rl), STORE_ERR, "outside a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_run_log_put(s, &rl), STORE_OK, "a first batch");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_run_log_last(s, &got), STORE_NOT_FOUND, "unfinished day: not the last run");
	rl.accounts_evaluated = 5;
	rl.decisions = 1;
	rl.finished = 1;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_run_log_put(s, &rl), STORE_OK, "the last batch");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_run_log_last(s, &got), STORE_OK, "finished");
	T_EQ_INT(got.day, 19100, "day");
	T_EQ_STR(got.policy_name, "mf", "policy");
	T_EQ_INT(got.policy_version, 3, "version");
	T_EQ_INT(got.accounts_evaluated, 15, "counts add up");
	T_EQ_INT(got.decisions, 5, "decisions add up");
	rl.finished = 0;
	rl.accounts_evaluated = rl.decisions = 0;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_run_log_put(s, &rl), STORE_OK, "again unfinished");
	rl.day = 19099;
	rl.finished = 1;
	T_EQ_INT(store_run_log_put(s, &rl), STORE_OK, "an earlier day");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_run_log_last(s, &got), STORE_OK, "last");
	T_EQ_INT(got.day, 19100, "finished stays set; the latest day wins");
	done(&fx, s);
}

static void run_all(int pg)
{
	test_decisions(pg);
	test_state_and_due(pg);
	test_run_log(pg);
	test_partitions(pg);
}

int main(void)
{
	return store_fixture_main("test_store_decisions", run_all);
}

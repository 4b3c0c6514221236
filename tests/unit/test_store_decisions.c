/* test_store_decisions.c: the daily run's store functions (schema version 2: decisions, policy state,
 * due accounts, run log), on both back-ends like test_store.c: a fresh SQLite file, then a fresh
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
	T_EQ_INT(store_schema_version(s), 2, "schema version 2");
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

static int due(store *s, civil_day day, int all, int64_t after, int limit, due_rec *r)
{
	memset(r, 0, sizeof *r);
	int n = -1;
	T_EQ_INT(store_due_accounts(s, day, all, after, limit, due_fn, r, &n), STORE_OK, "due accounts");
	T_EQ_INT(n, r->n, "count = rows seen");
	return n;
}

static void test_state_and_due(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	int64_t id[N_ACC];
	setup(s, id);
	due_rec r;
	T_EQ_INT(due(s, 19100, 0, 0, 100, &r), N_ACC, "no state: every account is due");
	T_EQ_INT(r.last[0], DATE_NONE, "no last evaluation");
	T_EQ_INT(due(s, 19100, 0, 0, 2, &r), 2, "a page of two");
	T_EQ_INT(r.ids[1], id[1], "in id order");
	T_EQ_INT(due(s, 19100, 0, id[1], 2, &r), 2, "the next page");
	T_EQ_INT(r.ids[0], id[2], "after the last id");

	store_policy_state st[N_ACC];
	for (int i = 0; i < N_ACC; i++)
		st[i] = (store_policy_state){id[i], 19100 + 10 * i, 19100};
	st[4].next_eval_on = DATE_NONE;
	T_EQ_INT(store_policy_state_set_many(s, st, N_ACC), STORE_ERR, "outside a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_set_many(s, st, N_ACC), STORE_OK, "set");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(due(s, 19100, 0, 0, 100, &r), 1, "due on 19100: next_eval_on reached");
	T_EQ_INT(r.ids[0], id[0], "L1");
	T_EQ_INT(r.last[0], 19100, "its last evaluation");
	T_EQ_INT(due(s, 19125, 0, 0, 100, &r), 3, "due on 19125: three");
	T_EQ_INT(due(s, 19125, 1, 0, 100, &r), N_ACC, "all: every account");

	/* upsert: moves L1 on */
	st[0] = (store_policy_state){id[0], 19200, 19150};
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_policy_state_set_many(s, st, 1), STORE_OK, "update");
	/* a payment after L5's last evaluation makes it due from its date */
	store_payment p;
	memset(&p, 0, sizeof p);
	snprintf(p.ext_id, sizeof p.ext_id, "P1");
	p.account_id = id[4];
	p.paid_on = 19105;
	p.reversed_on = DATE_NONE;
	p.amount = 10;
	store_put pr;
	T_EQ_INT(store_payment_put(s, &p, &pr), STORE_OK, "payment");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(due(s, 19104, 0, 0, 100, &r), 0, "before the payment: none");
	T_EQ_INT(due(s, 19105, 0, 0, 100, &r), 1, "on the payment day: L5");
	T_EQ_INT(r.ids[0], id[4], "L5");
	T_EQ_INT(due(s, 19125, 0, 0, 100, &r), 3, "L1 moved on: L2, L3 and L5");
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
	printf("# %s\n", pg ? "postgres" : "sqlite");
	test_decisions(pg);
	test_state_and_due(pg);
	test_run_log(pg);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/vigie-test-dec.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	run_all(0);
	rmdir(tmpdir);
	static char base[400];
	const char *env = getenv("VIGIE_PG_BASE");
	T_OK(env && *env, "VIGIE_PG_BASE is not set: the PostgreSQL half of these tests needs a server");
	if (env && *env) {
		snprintf(base, sizeof base, "%s", env);
		size_t l = strlen(base);
		while (l && base[l - 1] == '/')
			base[--l] = '\0';
		pg_base = base;
		run_all(1);
	}
	return t_done("test_store_decisions");
}

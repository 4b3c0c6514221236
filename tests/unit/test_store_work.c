/* test_store_work.c: the store module "work" (store/store_work.h): task outcomes, promises, alerts,
 * approvals, holds and the facts the policy evaluation reads back, on both back-ends: a fresh SQLite
 * file, then a fresh PostgreSQL database on the server named by $VIGIE_PG_BASE (required). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_query.h"
#include "store/store_work.h"
#include "t.h"

#define STORE_FIXTURE_PREFIX "vigie_test_work"
#include "store_fixture.h"

#define D0 19800 /* 2024-03-18 */

typedef struct {
	int64_t l1, l2, l3; /* L1, L2 of client C1; L3 of client C2 */
	int64_t task1, task2, task3, msg, step;
} ids;

static void client(store *s, const char *ext, int64_t *id)
{
	store_client c;
	store_put res;
	memset(&c, 0, sizeof c);
	snprintf(c.ext_id, sizeof c.ext_id, "%s", ext);
	snprintf(c.name, sizeof c.name, "client %s", ext);
	snprintf(c.branch, sizeof c.branch, "Dakar");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "client");
	*id = c.id;
}

static int64_t loan(store *s, int64_t client_id, const char *ext)
{
	store_account a;
	store_put res;
	memset(&a, 0, sizeof a);
	a.client_id = client_id;
	a.kind = STORE_LOAN;
	snprintf(a.ext_id, sizeof a.ext_id, "%s", ext);
	snprintf(a.currency, sizeof a.currency, "XOF");
	a.principal = 3000;
	a.start_on = D0 - 60;
	a.due_on = a.written_off_on = DATE_NONE;
	snprintf(a.officer, sizeof a.officer, "O1");
	snprintf(a.branch, sizeof a.branch, "Dakar");
	T_EQ_INT(store_account_put(s, &a, &res), STORE_OK, "account");
	obligation ob[3];
	memset(ob, 0, sizeof ob);
	for (int i = 0; i < 3; i++) {
		ob[i].due_on = D0 - 30 + 30 * i;
		ob[i].amount[COMP_PRINCIPAL] = 1000;
		ob[i].amount[COMP_INTEREST] = 50;
		ob[i].amount[COMP_FEE] = 20;
	}
	T_EQ_INT(store_obligations_set(s, a.id, ob, 3, &res), STORE_OK, "obligations");
	return a.id;
}

static store_decision dec(int64_t account, const char *key, civil_day day, const char *action, int four_eyes)
{
	store_decision d;
	memset(&d, 0, sizeof d);
	snprintf(d.dedupe_key, sizeof d.dedupe_key, "%s", key);
	d.account_id = account;
	d.day = day;
	snprintf(d.segment, sizeof d.segment, "standard");
	snprintf(d.step, sizeof d.step, "s-%s", key);
	snprintf(d.action, sizeof d.action, "%s", action);
	if (!strcmp(action, "task")) snprintf(d.task_kind, sizeof d.task_kind, "call");
	if (!strcmp(action, "message")) snprintf(d.channels, sizeof d.channels, "sms");
	snprintf(d.assignee, sizeof d.assignee, "O1");
	d.four_eyes = four_eyes;
	snprintf(d.status, sizeof d.status, "%s",
	         !strcmp(action, "message") && !four_eyes ? "queued" : "open");
	d.created_by_run_day = day;
	d.anchor = day;
	return d;
}

typedef struct {
	int n;
	char key[16][64];
	int64_t id[16];
} dec_ids;

static int dec_fn(void *ctx, const store_decision *d)
{
	dec_ids *r = ctx;
	if (r->n < 16) {
		snprintf(r->key[r->n], sizeof r->key[r->n], "%.63s", d->dedupe_key);
		r->id[r->n] = d->id;
	}
	r->n++;
	return 0;
}

static int64_t dec_id(const dec_ids *r, const char *key)
{
	for (int i = 0; i < r->n && i < 16; i++)
		if (!strcmp(r->key[i], key)) return r->id[i];
	return 0;
}

static void setup(store *s, ids *x)
{
	int64_t c1, c2;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	client(s, "C1", &c1);
	client(s, "C2", &c2);
	x->l1 = loan(s, c1, "L1");
	x->l2 = loan(s, c1, "L2");
	x->l3 = loan(s, c2, "L3");
	store_decision d[5] = {dec(x->l1, "t1", D0, "task", 0), dec(x->l1, "t2", D0 + 1, "task", 0),
	                       dec(x->l2, "t3", D0, "task", 0), dec(x->l1, "m1", D0, "message", 0),
	                       dec(x->l1, "s1", D0 + 2, "message", 1)};
	store_put res[5];
	T_EQ_INT(store_decision_put_many(s, d, 5, res), STORE_OK, "decisions");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	dec_ids r = {0};
	store_decision_filter f = {.from = DATE_NONE, .to = DATE_NONE};
	T_EQ_INT(store_decisions_each(s, &f, dec_fn, &r), STORE_OK, "decisions read");
	x->task1 = dec_id(&r, "t1");
	x->task2 = dec_id(&r, "t2");
	x->task3 = dec_id(&r, "t3");
	x->msg = dec_id(&r, "m1");
	x->step = dec_id(&r, "s1");
	T_OK(x->task1 && x->task2 && x->task3 && x->msg && x->step, "decision ids");
}

static store_task_outcome outcome(int64_t task, store_outcome_kind k, civil_day day)
{
	store_task_outcome o;
	memset(&o, 0, sizeof o);
	o.decision_id = task;
	o.outcome = k;
	o.day = day;
	o.promise_on = DATE_NONE;
	snprintf(o.actor, sizeof o.actor, "O1");
	snprintf(o.note, sizeof o.note, "called at home");
	return o;
}

static void test_outcomes(store *s, const ids *x)
{
	T_EQ_INT(store_outcome_parse("promise"), OUTCOME_PROMISE, "parse promise");
	T_EQ_INT(store_outcome_parse("nope"), -1, "parse unknown");
	T_EQ_STR(store_outcome_name(OUTCOME_UNREACHABLE), "unreachable", "name");
	store_task_outcome o = outcome(x->task1, OUTCOME_PROMISE, D0 + 1);
	o.promise_amount = 1500;
	o.promise_on = D0 + 10;
	store_put res = PUT_UPDATED;
	T_EQ_INT(store_task_outcome_put(s, &o, &res), STORE_ERR, "outside a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_task_outcome_put(s, &o, &res), STORE_OK, "promise outcome");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_decision d;
	T_EQ_INT(store_work_decision_get(s, x->task1, &d), STORE_OK, "task read");
	T_EQ_STR(d.status, "done", "the task is closed");
	T_EQ_STR(d.account_ext_id, "L1", "with its account");
	store_task_outcome got;
	T_EQ_INT(store_task_outcome_get(s, x->task1, &got), STORE_OK, "outcome read");
	T_EQ_INT(got.outcome, OUTCOME_PROMISE, "outcome kind");
	T_EQ_INT(got.promise_amount, 1500, "amount");
	T_EQ_INT(got.promise_on, D0 + 10, "promised day");
	T_EQ_STR(got.note, "called at home", "note");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_task_outcome_put(s, &o, &res), STORE_OK, "same outcome again");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	store_task_outcome o2 = outcome(x->task1, OUTCOME_UNREACHABLE, D0 + 1);
	T_EQ_INT(store_task_outcome_put(s, &o2, &res), STORE_CONFLICT, "another outcome");
	o2 = o;
	o2.promise_amount = 1600;
	T_EQ_INT(store_task_outcome_put(s, &o2, &res), STORE_CONFLICT, "another promised amount");
	o2 = outcome(999999, OUTCOME_REACHED, D0);
	T_EQ_INT(store_task_outcome_put(s, &o2, &res), STORE_NOT_FOUND, "unknown task");
	o2 = outcome(x->msg, OUTCOME_REACHED, D0);
	T_EQ_INT(store_task_outcome_put(s, &o2, &res), STORE_NOT_FOUND, "a message is not a task");
	o2 = outcome(x->task2, OUTCOME_PROMISE, D0 + 3);
	T_EQ_INT(store_task_outcome_put(s, &o2, &res), STORE_ERR, "a promise without an amount");
	o2 = outcome(x->task2, OUTCOME_REACHED, D0 + 3);
	o2.promise_amount = 5;
	T_EQ_INT(store_task_outcome_put(s, &o2, &res), STORE_ERR, "an amount without a promise");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	/* task3 failed (an event), task2 left open (overdue) */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	o2 = outcome(x->task3, OUTCOME_FAILED, D0 + 5);
	T_EQ_INT(store_task_outcome_put(s, &o2, &res), STORE_OK, "failed outcome");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
}

typedef struct {
	int n;
	store_promise p[8];
} prom_rec;

static int prom_fn(void *ctx, const store_promise *p)
{
	prom_rec *r = ctx;
	if (r->n < 8) r->p[r->n] = *p;
	r->n++;
	return 0;
}

static void pay(store *s, const char *ext, int64_t account, civil_day on, int64_t amount)
{
	store_payment p;
	store_put res;
	memset(&p, 0, sizeof p);
	snprintf(p.ext_id, sizeof p.ext_id, "%s", ext);
	p.account_id = account;
	p.paid_on = on;
	p.reversed_on = DATE_NONE;
	p.amount = amount;
	T_EQ_INT(store_payment_put(s, &p, &res), STORE_OK, "payment");
}

static void test_promises(store *s, const ids *x)
{
	prom_rec r = {0};
	T_EQ_INT(store_promises_each(s, x->l1, prom_fn, &r), STORE_OK, "promises of L1");
	T_EQ_INT(r.n, 1, "the outcome made one promise");
	if (r.n < 1) return;
	store_promise p = r.p[0];
	T_EQ_INT(p.decision_id, x->task1, "through the task");
	T_EQ_INT(p.made_on, D0 + 1, "made on the outcome's day");
	T_EQ_STR(p.account_ext_id, "L1", "account ext id");
	int64_t paid = -1;
	T_EQ_INT(store_promise_status(s, &p, D0 + 5, &paid), 0, "open before its day");
	T_EQ_INT(store_promise_status(s, &p, D0 + 11, &paid), 2, "broken after its day, nothing paid");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	pay(s, "PY0", x->l1, D0, 5000);     /* before the promise: not counted */
	pay(s, "PY1", x->l1, D0 + 4, 1000); /* counted */
	pay(s, "PY2", x->l1, D0 + 9, 600);  /* counted: 1600 >= 1500 */
	pay(s, "PY3", x->l1, D0 + 12, 900); /* after its day */
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_promise_status(s, &p, D0 + 5, &paid), 0, "still open with part paid");
	T_EQ_INT(paid, 1000, "part paid");
	T_EQ_INT(store_promise_status(s, &p, D0 + 9, &paid), 1, "kept once paid in full");
	T_EQ_INT(paid, 1600, "paid in the window");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_put pr;
	T_EQ_INT(store_payment_reverse(s, "PY2", D0 + 11, &pr), STORE_OK, "reverse PY2");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_promise_status(s, &p, D0 + 10, &paid), 1, "kept as of before the reversal");
	T_EQ_INT(store_promise_status(s, &p, D0 + 11, &paid), 2, "broken once reversed");
	T_EQ_STR(store_promise_status_name(2), "broken", "status name");

	store_promise q = {.account_id = x->l3, .made_on = D0, .due_on = D0 - 1, .amount = 10};
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_promise_put(s, &q, &pr), STORE_ERR, "due before made");
	q.due_on = D0 + 2;
	snprintf(q.actor, sizeof q.actor, "O2");
	T_EQ_INT(store_promise_put(s, &q, &pr), STORE_OK, "a promise without a task");
	T_OK(q.id > 0, "with an id");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	r.n = 0;
	T_EQ_INT(store_promises_each(s, 0, prom_fn, &r), STORE_OK, "every promise");
	T_EQ_INT(r.n, 2, "two promises");
	T_EQ_INT(r.p[0].due_on, D0 + 2, "ordered by due day");
}

typedef struct {
	int n;
	store_alert a[8];
} alert_rec;

static int alert_fn(void *ctx, const store_alert *a)
{
	alert_rec *r = ctx;
	if (r->n < 8) r->a[r->n] = *a;
	r->n++;
	return 0;
}

static store_alert mk_alert(int64_t account, const char *key, civil_day day, const char *kind)
{
	store_alert a;
	memset(&a, 0, sizeof a);
	snprintf(a.dedupe_key, sizeof a.dedupe_key, "%s", key);
	a.account_id = account;
	a.day = day;
	snprintf(a.kind, sizeof a.kind, "%s", kind);
	snprintf(a.severity, sizeof a.severity, "warning");
	snprintf(a.reason, sizeof a.reason, "days past due crossed 30");
	snprintf(a.details, sizeof a.details, "{\"dpd\":31}");
	snprintf(a.assignee, sizeof a.assignee, "role:supervisor");
	snprintf(a.branch, sizeof a.branch, "Dakar");
	return a;
}

static void test_alerts(store *s, const ids *x)
{
	store_alert a = mk_alert(x->l1, "L1|dpd30", D0 + 4, "dpd_threshold");
	store_put res = PUT_UPDATED;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_alert_raise(s, &a, &res), STORE_OK, "raise");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	int64_t id = a.id;
	store_alert b = mk_alert(x->l1, "L1|dpd30", D0 + 6, "other");
	T_EQ_INT(store_alert_raise(s, &b, &res), STORE_OK, "raise again");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	T_EQ_INT(b.id, id, "the same alert");
	store_alert c = mk_alert(0, "C2|legal", D0 + 1, "legal");
	snprintf(c.client_ext_id, sizeof c.client_ext_id, "C2");
	snprintf(c.severity, sizeof c.severity, "critical");
	T_EQ_INT(store_alert_raise(s, &c, &res), STORE_OK, "client alert");
	store_alert bad = mk_alert(x->l1, "L1|x", D0, "x");
	snprintf(bad.severity, sizeof bad.severity, "loud");
	T_EQ_INT(store_alert_raise(s, &bad, &res), STORE_ERR, "bad severity");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	alert_rec r = {0};
	store_alert_filter f = {.status = "open"};
	T_EQ_INT(store_alerts_each(s, &f, alert_fn, &r), STORE_OK, "open alerts");
	T_EQ_INT(r.n, 2, "two open");
	T_EQ_STR(r.a[0].kind, "legal", "by day");
	T_EQ_STR(r.a[1].account_ext_id, "L1", "account ext id");
	T_EQ_STR(r.a[1].details, "{\"dpd\":31}", "details");
	T_EQ_INT(store_alert_ack(s, id, "sup", D0 + 5), STORE_ERR, "ack outside a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_alert_ack(s, id, "sup", D0 + 5), STORE_OK, "ack");
	T_EQ_INT(store_alert_ack(s, id, "sup2", D0 + 6), STORE_CONFLICT, "ack twice");
	T_EQ_INT(store_alert_ack(s, 424242, "sup", D0 + 6), STORE_NOT_FOUND, "ack unknown");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_alert got;
	T_EQ_INT(store_alert_get(s, id, &got), STORE_OK, "get");
	T_EQ_STR(got.status, "acknowledged", "acknowledged");
	T_EQ_STR(got.ack_by, "sup", "by");
	T_EQ_INT(got.ack_on, D0 + 5, "on");
	r.n = 0;
	f = (store_alert_filter){.account_id = x->l1};
	T_EQ_INT(store_alerts_each(s, &f, alert_fn, &r), STORE_OK, "alerts of L1");
	T_EQ_INT(r.n, 1, "one");
	r.n = 0;
	f = (store_alert_filter){.kind = "legal", .branch = "Dakar", .assignee = "role:supervisor"};
	T_EQ_INT(store_alerts_each(s, &f, alert_fn, &r), STORE_OK, "by kind, branch and assignee");
	T_EQ_INT(r.n, 1, "one legal");
}

typedef struct {
	int n;
	store_approval a[8];
} appr_rec;

static int appr_fn(void *ctx, const store_approval *a)
{
	appr_rec *r = ctx;
	if (r->n < 8) r->a[r->n] = *a;
	r->n++;
	return 0;
}

static store_approval mk_req(const char *kind, int64_t account, const char *maker)
{
	store_approval a;
	memset(&a, 0, sizeof a);
	snprintf(a.kind, sizeof a.kind, "%s", kind);
	a.account_id = account;
	snprintf(a.subject, sizeof a.subject, "L1");
	snprintf(a.payload, sizeof a.payload, "{\"reason\":\"deceased\"}");
	snprintf(a.maker, sizeof a.maker, "%s", maker);
	a.made_on = D0 + 3;
	snprintf(a.branch, sizeof a.branch, "Dakar");
	return a;
}

static void test_approvals(store *s, const ids *x)
{
	store_approval a = mk_req("write_off", x->l1, "agent1");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_approval_request(s, &a), STORE_OK, "request");
	T_OK(a.id > 0, "an id");
	T_EQ_STR(a.status, "pending", "pending");
	store_approval bad = mk_req("free_money", x->l1, "agent1");
	T_EQ_INT(store_approval_request(s, &bad), STORE_ERR, "unknown kind");
	bad = mk_req("step", x->l1, "system");
	T_EQ_INT(store_approval_request(s, &bad), STORE_ERR, "a step needs its decision");
	store_approval st = mk_req("step", x->l1, "system");
	st.decision_id = x->step;
	T_EQ_INT(store_approval_request(s, &st), STORE_OK, "step request");
	store_approval st2 = st;
	T_EQ_INT(store_approval_request(s, &st2), STORE_CONFLICT, "one approval per step");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_approval_decide(s, a.id, 1, "agent1", D0 + 4, "ok"), STORE_CONFLICT,
	         "maker = checker");
	T_EQ_INT(store_approval_decide(s, 55555, 1, "sup", D0 + 4, "ok"), STORE_NOT_FOUND, "unknown request");
	T_EQ_INT(store_approval_mark_applied(s, a.id), STORE_CONFLICT, "not approved yet");
	T_EQ_INT(store_approval_decide(s, a.id, 1, "sup", D0 + 4, "checked the file"), STORE_OK, "approved");
	T_EQ_INT(store_approval_decide(s, a.id, 0, "sup2", D0 + 4, "no"), STORE_CONFLICT, "pending only");
	T_EQ_INT(store_approval_mark_applied(s, a.id), STORE_OK, "applied");
	T_EQ_INT(store_approval_decide(s, st.id, 0, "sup", D0 + 4, "not now"), STORE_OK, "step rejected");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_approval got;
	T_EQ_INT(store_approval_get(s, a.id, &got), STORE_OK, "get");
	T_EQ_STR(got.status, "applied", "status");
	T_EQ_STR(got.checker, "sup", "checker");
	T_EQ_INT(got.checked_on, D0 + 4, "checked on");
	T_EQ_STR(got.note, "checked the file", "note");
	T_EQ_STR(got.payload, "{\"reason\":\"deceased\"}", "payload");
	T_EQ_INT(store_approval_of_decision(s, x->step, &got), STORE_OK, "the step's approval");
	T_EQ_STR(got.status, "rejected", "rejected");
	T_EQ_INT(store_approval_of_decision(s, x->task2, &got), STORE_NOT_FOUND, "none for task2");

	appr_rec r = {0};
	T_EQ_INT(store_approvals_each(s, "rejected", NULL, appr_fn, &r), STORE_OK, "rejected ones");
	T_EQ_INT(r.n, 1, "one rejected");
	r.n = 0;
	T_EQ_INT(store_approvals_each(s, NULL, "Dakar", appr_fn, &r), STORE_OK, "of Dakar");
	T_EQ_INT(r.n, 2, "two of Dakar");
	r.n = 0;
	T_EQ_INT(store_approvals_each(s, NULL, "Thies", appr_fn, &r), STORE_OK, "of Thies");
	T_EQ_INT(r.n, 0, "none of Thies");
}

typedef struct {
	int n;
	store_hold h[8];
} hold_rec;

static int hold_fn(void *ctx, const store_hold *h)
{
	hold_rec *r = ctx;
	if (r->n < 8) r->h[r->n] = *h;
	r->n++;
	return 0;
}

static store_hold mk_hold(store_hold_kind k, int64_t account, const char *client, civil_day from,
                          civil_day to)
{
	store_hold h;
	memset(&h, 0, sizeof h);
	h.kind = k;
	h.account_id = account;
	snprintf(h.client_ext_id, sizeof h.client_ext_id, "%s", client);
	h.from_on = from;
	h.to_on = to;
	snprintf(h.reason, sizeof h.reason, "flood in the district");
	snprintf(h.actor, sizeof h.actor, "sup");
	h.created_on = from;
	return h;
}

static void test_holds(store *s, const ids *x)
{
	store_hold a = mk_hold(HOLD_PAUSE, x->l1, "", D0 + 2, DATE_NONE);
	store_hold c = mk_hold(HOLD_EXCLUSION, 0, "C1", D0 + 1, D0 + 20);
	store_hold o = mk_hold(HOLD_EXCLUSION, 0, "C2", D0, DATE_NONE);
	T_EQ_INT(store_hold_put(s, &a), STORE_ERR, "outside a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_hold_put(s, &a), STORE_OK, "account pause");
	T_EQ_INT(store_hold_put(s, &c), STORE_OK, "client exclusion");
	T_EQ_INT(store_hold_put(s, &o), STORE_OK, "another client's");
	store_hold bad = mk_hold(HOLD_PAUSE, 0, "C9", D0, DATE_NONE);
	T_EQ_INT(store_hold_put(s, &bad), STORE_NOT_FOUND, "unknown client");
	bad = mk_hold(HOLD_PAUSE, x->l1, "", D0, D0 - 1);
	T_EQ_INT(store_hold_put(s, &bad), STORE_ERR, "ends before it starts");
	bad = mk_hold(HOLD_PAUSE, x->l1, "", D0, DATE_NONE);
	bad.reason[0] = 0;
	T_EQ_INT(store_hold_put(s, &bad), STORE_ERR, "no reason");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_hold_end(s, a.id, D0 + 1, "sup"), STORE_CONFLICT, "ending before its start");
	T_EQ_INT(store_hold_end(s, a.id, D0 + 8, "sup2"), STORE_OK, "ended");
	T_EQ_INT(store_hold_end(s, a.id, D0 + 9, "sup2"), STORE_CONFLICT, "already over");
	T_EQ_INT(store_hold_end(s, 98765, D0 + 9, "sup2"), STORE_NOT_FOUND, "unknown hold");
	T_EQ_INT(store_hold_end(s, c.id, D0 + 10, "sup"), STORE_OK, "a planned end brought forward");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	store_hold got;
	T_EQ_INT(store_hold_get(s, a.id, &got), STORE_OK, "get");
	T_EQ_INT(got.to_on, D0 + 8, "ends on the day");
	T_EQ_STR(got.ended_by, "sup2", "ended by");
	T_EQ_INT(got.ended_on, D0 + 8, "ended on");
	T_EQ_STR(got.reason, "flood in the district", "reason kept");
	T_EQ_STR(got.account_ext_id, "L1", "account ext id");
	hold_rec r = {0};
	T_EQ_INT(store_holds_each(s, x->l1, hold_fn, &r), STORE_OK, "holds of L1");
	T_EQ_INT(r.n, 2, "its own and its client's (history kept)");
	T_EQ_INT(r.h[0].id, c.id, "by start day");
	T_EQ_STR(r.h[0].client_ext_id, "C1", "the client's");
	r.n = 0;
	T_EQ_INT(store_holds_each(s, x->l3, hold_fn, &r), STORE_OK, "holds of L3");
	T_EQ_INT(r.n, 1, "only C2's");
	r.n = 0;
	T_EQ_INT(store_holds_each(s, 0, hold_fn, &r), STORE_OK, "every hold");
	T_EQ_INT(r.n, 3, "three");
}

static void test_facts(store *s, const ids *x)
{
	store_work_facts f;
	memset(&f, 0, sizeof f);
	/* L1: promise made D0+1; holds C1 from D0+1, own from D0+2; task2 (day D0+1) open: overdue on
	 * D0+4; task1 done on D0+1 (in time); alert on D0+4. */
	T_EQ_INT(store_work_facts_get(s, x->l1, D0 + 3, &f), STORE_OK, "facts until D0+3");
	T_EQ_INT(f.n_promises, 1, "one promise");
	T_EQ_INT(f.n_holds, 2, "two holds");
	T_EQ_INT(f.n_events, 0, "no event yet");
	if (f.n_promises == 1) {
		T_EQ_INT(f.promises[0].amount, 1500, "promised amount");
		T_EQ_INT(f.promises[0].due_on, D0 + 10, "promised day");
		T_OK(f.promises[0].ref[0] == 'P', "ref P...: %s", f.promises[0].ref);
	}
	if (f.n_holds == 2) {
		T_EQ_INT(f.holds[0].from_on, D0 + 1, "the client's first");
		T_EQ_INT(f.holds[0].kind, HOLD_EXCLUSION, "exclusion");
		T_EQ_INT(f.holds[0].to_on, D0 + 10, "ended");
		T_EQ_INT(f.holds[1].kind, HOLD_PAUSE, "then the pause");
	}
	T_EQ_INT(store_work_facts_get(s, x->l1, D0 + 30, &f), STORE_OK, "facts until D0+30");
	T_EQ_INT(f.n_events, 2, "overdue task and alert");
	if (f.n_events == 2) {
		/* the ref: "T" and the FNV-1a hash of the task's dedupe key, in 16 hex digits */
		char ref[32] = "";
		store_decision td;
		if (store_work_decision_get(s, x->task2, &td) == STORE_OK) {
			uint64_t h = 1469598103934665603ull; /* FNV-1a, written out: the test checks the rule */
			for (const char *k = td.dedupe_key; *k; k++)
				h = (h ^ (unsigned char)*k) * 1099511628211ull;
			snprintf(ref, sizeof ref, "T%016llx", (unsigned long long)h);
			char via[STORE_EVENT_REF_MAX];
			store_work_event_ref('T', td.dedupe_key, via);
			T_EQ_STR(via, ref, "store_work_event_ref gives the documented ref");
		}
		T_EQ_INT(f.events[0].day, D0 + 4, "overdue on day + 3");
		T_EQ_INT(f.events[0].kind, 1, "task_overdue");
		T_EQ_STR(f.events[0].ref, ref, "task ref");
		T_EQ_STR(f.events[0].name, "call", "task kind");
		T_EQ_INT(f.events[1].kind, 2, "then the alert");
		T_EQ_STR(f.events[1].name, "dpd_threshold", "alert kind");
		T_OK(f.events[1].ref[0] == 'A', "alert ref");
	}
	T_EQ_INT(store_work_facts_get_n(s, x->l1, D0 + 30, 0, &f), STORE_OK, "facts with N = 0");
	T_EQ_INT(f.n_events, 3, "task1 done a day late and task2 open are overdue, and the alert");
	T_EQ_INT(store_work_facts_get_n(s, x->l1, D0 + 30, 10, &f), STORE_OK, "facts with N = 10");
	T_EQ_INT(f.n_events, 2, "task2 overdue on D0+11, and the alert");
	if (f.n_events == 2) T_EQ_INT(f.events[1].day, D0 + 11, "sorted by day");
	T_EQ_INT(store_work_facts_get(s, x->l2, D0 + 30, &f), STORE_OK, "facts of L2");
	T_EQ_INT(f.n_events, 2, "the task done late: overdue, then failed");
	if (f.n_events == 2) {
		T_EQ_INT(f.events[0].kind, 1, "task_overdue (done after day + 3)");
		T_EQ_INT(f.events[0].day, D0 + 3, "on day + 3");
		T_EQ_INT(f.events[1].kind, 0, "task_failed");
		T_EQ_INT(f.events[1].day, D0 + 5, "on the outcome's day");
	}
	T_EQ_INT(f.n_promises, 0, "no promise");
	T_EQ_INT(f.n_holds, 1, "the client's hold");
	T_EQ_INT(store_work_facts_get(s, x->l3, D0 + 30, &f), STORE_OK, "facts of L3");
	T_EQ_INT(f.n_holds, 1, "C2's hold");
	T_EQ_INT(f.n_events, 0, "the client alert is not the account's");
	store_work_facts_free(&f);
	T_OK(f.events == NULL, "freed");
}

static void test_step_and_obligations(store *s, const ids *x)
{
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_work_decision_status(s, x->step, "cancelled"), STORE_OK, "step cancelled");
	T_EQ_INT(store_work_decision_status(s, 77777, "done"), STORE_NOT_FOUND, "unknown decision");
	obligation ob[2];
	memset(ob, 0, sizeof ob);
	ob[0].due_on = D0 + 30;
	ob[0].amount[COMP_PRINCIPAL] = 1500;
	ob[1].due_on = D0 + 60;
	ob[1].amount[COMP_PRINCIPAL] = 1500;
	ob[1].amount[COMP_INTEREST] = 90;
	T_EQ_INT(store_work_obligations_replace(s, x->l2, ob, 2), STORE_OK, "replace");
	T_EQ_INT(store_work_obligations_replace(s, x->l2, ob, 0), STORE_ERR, "an empty schedule");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_decision d;
	T_EQ_INT(store_work_decision_get(s, x->step, &d), STORE_OK, "get");
	T_EQ_STR(d.status, "cancelled", "status set");
	obligation got[4];
	int n = 0;
	T_EQ_INT(store_obligations_get(s, x->l2, got, 4, &n), STORE_OK, "obligations");
	T_EQ_INT(n, 2, "two now");
	T_EQ_INT(got[1].amount[COMP_INTEREST], 90, "the new ones");
	T_EQ_INT(store_obligations_get(s, x->l1, got, 4, &n), STORE_OK, "L1's");
	T_EQ_INT(n, 3, "L1 untouched");
}

static void test_work(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	T_EQ_INT(store_module_version(s, "work"), 1, "module work at version 1");
	ids x;
	memset(&x, 0, sizeof x);
	setup(s, &x);
	test_outcomes(s, &x);
	test_promises(s, &x);
	test_alerts(s, &x);
	test_approvals(s, &x);
	test_holds(s, &x);
	test_facts(s, &x);
	test_step_and_obligations(s, &x);
	done(&fx, s);
}

int main(void)
{
	return store_fixture_main("test_store_work", test_work);
}

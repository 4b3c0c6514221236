/* test_policy.c: evaluation of follow-up and collection policies (core/policy.c), on a small loan
 * worked out by hand (days in the comments), the account facts (promises, pauses, exclusions, dated
 * events) on tables of cases, and properties on generated (seeded) ledgers and facts: a range equals
 * its days one by one, policy_next_day is the first day something fires, keys are stable. */
#include <stdlib.h>

#include "core/policy.h"
#include "core/policy_next.h"
#include "t.h"

static civil_day D(const char *s)
{
	civil_day d = DATE_NONE;
	date_parse(s, strlen(s), &d);
	return d;
}

static policy_step *add_step(policy_segment *g, const char *id, policy_event ev, int32_t off,
                             policy_action act)
{
	policy_step *s = &g->steps[g->n_steps++];
	memset(s, 0, sizeof *s);
	snprintf(s->id, sizeof s->id, "%s", id);
	s->event = ev;
	s->offset = off;
	s->action = act;
	s->times = 1;
	s->max_dpd_ever = -1;
	s->only_if_unpaid = 1;
	if (act == PACT_MESSAGE) {
		s->channels = PCH_SMS;
		snprintf(s->template_name, sizeof s->template_name, "%s", id);
	}
	return s;
}

/* The reference policy: one segment, the whole lifecycle; tolerance XOF 500. */
static policy *ref_policy(void)
{
	policy *p = calloc(1, sizeof *p);
	snprintf(p->name, sizeof p->name, "ref");
	p->version = 1;
	snprintf(p->tol[0].currency, 4, "XOF");
	p->tol[0].amount = 500;
	p->n_tol = 1;
	policy_segment *g = &p->seg[p->n_seg++];
	snprintf(g->name, sizeof g->name, "all");
	add_step(g, "loan-use", PEV_DISBURSEMENT, 14, PACT_TASK)->task = PTASK_LOAN_USE_VERIFICATION;
	policy_step *m = add_step(g, "monitor", PEV_DISBURSEMENT, 30, PACT_TASK);
	m->task = PTASK_MONITORING_VISIT;
	m->every = 30;
	m->times = 3;
	add_step(g, "pre3", PEV_DUE_DATE, -3, PACT_MESSAGE);
	add_step(g, "d1", PEV_DPD, 1, PACT_MESSAGE);
	add_step(g, "d7", PEV_DPD, 7, PACT_TASK)->task = PTASK_CALL;
	add_step(g, "d15", PEV_DUE_DATE, 15, PACT_TASK)->task = PTASK_VISIT;
	add_step(g, "renew", PEV_MATURITY, -10, PACT_RENEWAL_CHECK)->max_dpd_ever = 5;
	return p;
}

/* L1: XOF, disbursed 2024-01-31, 3 x 40000 due 02-29, 03-31, 04-30. */
static obligation OB[3];
static int64_t WORK[64][COMP_N];

static policy_account loan(const ledger_payment *pay, int n_pay)
{
	OB[0] = (obligation){.due_on = D("2024-02-29"), .amount = {[COMP_PRINCIPAL] = 40000}};
	OB[1] = (obligation){.due_on = D("2024-03-31"), .amount = {[COMP_PRINCIPAL] = 40000}};
	OB[2] = (obligation){.due_on = D("2024-04-30"), .amount = {[COMP_PRINCIPAL] = 40000}};
	policy_account a = {.id = "L1",
	                    .product = "individual",
	                    .branch = "Dakar",
	                    .grade = "",
	                    .currency = "XOF",
	                    .amount = 120000,
	                    .start_on = D("2024-01-31"),
	                    .written_off_on = DATE_NONE,
	                    .ob = OB,
	                    .n_ob = 3,
	                    .pay = pay,
	                    .n_pay = n_pay,
	                    .order = ALLOC_DEFAULT,
	                    .work = WORK};
	return a;
}

/* Decisions as text lines "DAY STEP ANCHOR REP" ("DAY closed"), appended to a buffer. */
#define KEYS_MAX 1024
typedef struct {
	char text[65536];
	char keys[KEYS_MAX][POLICY_DEDUPE_MAX];
	int n;
	int32_t dpd[KEYS_MAX], dpd_raw[KEYS_MAX];
	civil_day first_day;
} collect;

static int collect_fn(void *vc, const policy_decision *d)
{
	collect *c = vc;
	char day[16], anc[16], line[160];
	date_format(d->day, day, sizeof day);
	date_format(d->anchor, anc, sizeof anc);
	if (d->kind == PDEC_CASE_CLOSED)
		snprintf(line, sizeof line, "%s closed\n", day);
	else
		snprintf(line, sizeof line, "%s %s %s %d\n", day, d->s->id, anc, (int)d->repetition);
	strncat(c->text, line, sizeof c->text - strlen(c->text) - 1);
	if (c->n == 0) c->first_day = d->day;
	if (c->n < KEYS_MAX) {
		snprintf(c->keys[c->n], POLICY_DEDUPE_MAX, "%s", d->dedupe);
		c->dpd[c->n] = d->dpd;
		c->dpd_raw[c->n] = d->dpd_raw;
	}
	c->n++;
	return 0;
}

static const char *range(const policy *p, const policy_account *a, const char *from, const char *to,
                         collect *c)
{
	memset(c, 0, sizeof *c);
	policy_err e = policy_evaluate_range(p, a, D(from), D(to), collect_fn, c);
	if (e) snprintf(c->text, sizeof c->text, "error %s", policy_strerror(e));
	return c->text;
}

typedef struct {
	const char *name;
	ledger_payment pay[4];
	int n_pay;
	const char *want;
} range_case;

#define P(day, amt)                                                                                          \
	{                                                                                                    \
		D(day), DATE_NONE, amt                                                                       \
	}

static void test_lifecycle(void)
{
	policy *p = ref_policy();
	static collect c;
	const range_case cases[] = {
	    {"no payment: reminders, graduated path on anchor 02-29, monitoring limited to 3, no renewal",
	     {{0}},
	     0,
	     "2024-02-14 loan-use 2024-01-31 0\n"
	     "2024-02-26 pre3 2024-02-29 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-07 d7 2024-02-29 0\n"
	     "2024-03-15 d15 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 monitor 2024-01-31 2\n"},
	    {"paid on time: reminders, renewal (never late), case closed on the last payment day",
	     {P("2024-02-29", 40000), P("2024-03-31", 40000), P("2024-04-30", 40000)},
	     3,
	     "2024-02-14 loan-use 2024-01-31 0\n"
	     "2024-02-26 pre3 2024-02-29 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-20 renew 2024-04-30 0\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 closed\n"},
	    {"prepaid installment: no reminder for it",
	     {P("2024-02-20", 80000), P("2024-04-30", 40000)},
	     2,
	     "2024-02-14 loan-use 2024-01-31 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-20 renew 2024-04-30 0\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 closed\n"},
	    {"late payment of #1 on 03-10 moves the anchor: no stale d15 on 03-15, new path from 03-31",
	     {P("2024-03-10", 40000)},
	     1,
	     "2024-02-14 loan-use 2024-01-31 0\n"
	     "2024-02-26 pre3 2024-02-29 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-07 d7 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-01 d1 2024-03-31 0\n"
	     "2024-04-07 d7 2024-03-31 0\n"
	     "2024-04-15 d15 2024-03-31 0\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 monitor 2024-01-31 2\n"},
	    {"partial payment that leaves #1 unpaid keeps the anchor: d15 still fires",
	     {P("2024-03-10", 20000)},
	     1,
	     "2024-02-14 loan-use 2024-01-31 0\n"
	     "2024-02-26 pre3 2024-02-29 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-07 d7 2024-02-29 0\n"
	     "2024-03-15 d15 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 monitor 2024-01-31 2\n"},
	    {"anchor moves to a date already late (04-05: #1 paid, #2 5 days late): path goes on from "
	     "DPD 5",
	     {P("2024-04-05", 40000)},
	     1,
	     "2024-02-14 loan-use 2024-01-31 0\n"
	     "2024-02-26 pre3 2024-02-29 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-07 d7 2024-02-29 0\n"
	     "2024-03-15 d15 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-07 d7 2024-03-31 0\n"
	     "2024-04-15 d15 2024-03-31 0\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 monitor 2024-01-31 2\n"},
	    {"tolerance: 200 left on #1 (<= 500) triggers nothing; collection starts from #2",
	     {P("2024-02-29", 39800)},
	     1,
	     "2024-02-14 loan-use 2024-01-31 0\n"
	     "2024-02-26 pre3 2024-02-29 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-01 d1 2024-03-31 0\n"
	     "2024-04-07 d7 2024-03-31 0\n"
	     "2024-04-15 d15 2024-03-31 0\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 monitor 2024-01-31 2\n"},
	    {"settled in one payment while late: case closed that day, nothing after",
	     {P("2024-03-05", 120000)},
	     1,
	     "2024-02-14 loan-use 2024-01-31 0\n"
	     "2024-02-26 pre3 2024-02-29 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-05 closed\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		policy_account a = loan(cases[i].pay, cases[i].n_pay);
		const char *got = range(p, &a, "2024-01-01", "2024-06-30", &c);
		T_OK(strcmp(got, cases[i].want) == 0, "%s: got\n%swant\n%s", cases[i].name, got, cases[i].want);
	}
	free(p);
}

static void test_backdated(void)
{
	policy *p = ref_policy();
	static collect c;
	/* Before the payment is known, 03-07 gives the call task; once a payment dated 03-05 that
	 * pays #1 is imported, replaying 03-07 gives nothing. */
	policy_account a = loan(NULL, 0);
	memset(&c, 0, sizeof c);
	policy_evaluate_day(p, &a, D("2024-03-07"), collect_fn, &c);
	T_EQ_STR(c.text, "2024-03-07 d7 2024-02-29 0\n", "03-07 before the back-dated payment");
	ledger_payment pay[] = {P("2024-03-05", 40000)};
	a = loan(pay, 1);
	memset(&c, 0, sizeof c);
	policy_evaluate_day(p, &a, D("2024-03-07"), collect_fn, &c);
	T_EQ_STR(c.text, "", "03-07 replayed with the back-dated payment");
	/* a reversal on 03-20 reopens #1: the path resumes on its old anchor (d15 of 02-29 is past) */
	ledger_payment rev[] = {{D("2024-03-05"), D("2024-03-20"), 40000}};
	a = loan(rev, 1);
	T_EQ_STR(range(p, &a, "2024-03-02", "2024-04-10", &c),
	         "2024-03-28 pre3 2024-03-31 0\n"
	         "2024-03-31 monitor 2024-01-31 1\n",
	         "reversal: no step of anchor 02-29 before its next threshold");
	free(p);
}

static void test_keys(void)
{
	policy *p = ref_policy();
	static collect c1, c2;
	policy_account a = loan(NULL, 0);
	range(p, &a, "2024-01-01", "2024-06-30", &c1);
	T_EQ_STR(c1.keys[0], "L1|all|loan-use|2024-01-31|0", "key format");
	T_EQ_STR(c1.keys[6], "L1|all|pre3|2024-03-31|0", "reminder key names the due date");
	int dup = 0;
	for (int i = 0; i < c1.n; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(c1.keys[i], c1.keys[j]) == 0) dup++;
	T_EQ_INT(dup, 0, "keys unique over the range");
	range(p, &a, "2024-01-01", "2024-06-30", &c2);
	T_EQ_INT(memcmp(c1.keys, c2.keys, sizeof c1.keys), 0, "the same range again: the same keys");
	ledger_payment pay[] = {P("2024-02-29", 40000), P("2024-03-31", 40000), P("2024-04-30", 40000)};
	a = loan(pay, 3);
	memset(&c1, 0, sizeof c1);
	policy_evaluate_day(p, &a, D("2024-04-30"), collect_fn, &c1);
	T_EQ_STR(c1.keys[0], "L1|case_closed|2024-04-30", "case closed key");
	memset(&c1, 0, sizeof c1);
	policy_evaluate_day(p, &a, D("2024-05-01"), collect_fn, &c1);
	T_EQ_INT(c1.n, 0, "closed the day before: nothing");
	free(p);
}

static void test_segments(void)
{
	policy *p = calloc(1, sizeof *p);
	p->version = 1;
	policy_segment *g = &p->seg[p->n_seg++];
	snprintf(g->name, sizeof g->name, "big");
	g->has_amount = 1;
	snprintf(g->amount_currency, 4, "XOF");
	g->amount_min = 100000;
	g->amount_max = INT64_MAX;
	add_step(g, "big-pre", PEV_DUE_DATE, -3, PACT_MESSAGE);
	g = &p->seg[p->n_seg++];
	snprintf(g->name, sizeof g->name, "sme");
	g->n_products = 1;
	snprintf(g->products[0], POLICY_ID_MAX, "sme");
	add_step(g, "sme-pre", PEV_DUE_DATE, -3, PACT_MESSAGE);
	g = &p->seg[p->n_seg++];
	snprintf(g->name, sizeof g->name, "late");
	g->has_dpd = 1;
	g->dpd_min = 1;
	g->dpd_max = 9999;
	add_step(g, "late-call", PEV_DPD, 3, PACT_TASK)->task = PTASK_CALL;
	g = &p->seg[p->n_seg++];
	snprintf(g->name, sizeof g->name, "rest");
	add_step(g, "rest-pre", PEV_DUE_DATE, -3, PACT_MESSAGE);
	add_step(g, "rest-call", PEV_DPD, 3, PACT_TASK)->task = PTASK_CALL;
	static collect c;
	/* outstanding 120000 until #1 is paid (big), then 80000 (rest); late on #2 from 04-01 */
	ledger_payment pay[] = {P("2024-02-29", 40000)};
	policy_account a = loan(pay, 1);
	T_EQ_STR(range(p, &a, "2024-01-01", "2024-04-10", &c),
	         "2024-02-26 big-pre 2024-02-29 0\n"
	         "2024-03-28 rest-pre 2024-03-31 0\n"
	         "2024-04-03 late-call 2024-03-31 0\n",
	         "first matching segment, re-evaluated each day");
	int seg;
	civil_day anchor;
	int32_t dpd;
	policy_segment_of(p, &a, D("2024-04-03"), &seg, &anchor, &dpd);
	T_EQ_INT(seg, 2, "segment on 04-03");
	T_EQ_INT(dpd, 3, "collection dpd on 04-03");
	a.product = "sme";
	T_EQ_STR(range(p, &a, "2024-03-01", "2024-03-31", &c), "2024-03-28 sme-pre 2024-03-31 0\n",
	         "product list");
	a.currency = "EUR";
	a.product = "individual";
	T_EQ_STR(range(p, &a, "2024-02-01", "2024-02-29", &c), "2024-02-26 rest-pre 2024-02-29 0\n",
	         "amount range in another currency does not match");
	free(p);
}

/* Range evaluation equals day-by-day evaluation, on generated ledgers. */
static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void test_catch_up(void)
{
	policy *p = ref_policy();
	policy_step *s = add_step(&p->seg[0], "d30-weekly", PEV_DPD, 30, PACT_TASK);
	s->every = 7;
	s->times = 4;
	add_step(&p->seg[0], "after-due", PEV_DUE_DATE, 2, PACT_MESSAGE)->only_if_unpaid = 0;
	add_step(&p->seg[0], "on-due", PEV_DUE_DATE, 0, PACT_MESSAGE);
	static collect a1, a2;
	static obligation ob[12];
	ledger_payment pay[16];
	int mismatches = 0, total = 0;
	for (int iter = 0; iter < 300; iter++) {
		civil_day start = D("2024-01-01") + (civil_day)rnd(60);
		int n_ob = 1 + (int)rnd(12), n_pay = (int)rnd(16);
		for (int i = 0; i < n_ob; i++)
			ob[i] = (obligation){
			    .due_on = start + 30 * (i + 1),
			    .amount = {
			        [COMP_INTEREST] = rnd(3) * 100, [COMP_PRINCIPAL] = 1000 + rnd(5) * 1000}};
		civil_day d = start;
		for (int i = 0; i < n_pay; i++) {
			d += (civil_day)rnd(40);
			pay[i] = (ledger_payment){d, rnd(8) == 0 ? d + 1 + (civil_day)rnd(20) : DATE_NONE,
			                          100 + rnd(40) * 100};
		}
		policy_account a = loan(pay, n_pay);
		a.ob = ob;
		a.n_ob = n_ob;
		a.start_on = start;
		civil_day from = start - 5, to = start + 500;
		memset(&a1, 0, sizeof a1);
		policy_evaluate_range(p, &a, from, to, collect_fn, &a1);
		memset(&a2, 0, sizeof a2);
		for (civil_day x = from; x <= to; x++)
			policy_evaluate_day(p, &a, x, collect_fn, &a2);
		total += a2.n;
		if (strcmp(a1.text, a2.text) != 0) {
			if (!mismatches) printf("# range:\n%s# day by day:\n%s", a1.text, a2.text);
			mismatches++;
		}
	}
	T_EQ_INT(mismatches, 0, "range == day by day on 300 generated ledgers");
	T_OK(total > 3000, "the generated ledgers give decisions (%d)", total);
	free(p);
}

/* ---- account facts: promises, pauses, exclusions, dated events ---- */

/* The reference policy with a 30-day stage, broken-promise steps and dated-event steps. */
static policy *facts_policy(void)
{
	policy *p = ref_policy();
	policy_segment *g = &p->seg[0];
	add_step(g, "d30", PEV_DPD, 30, PACT_MESSAGE);
	add_step(g, "bp-alert", PEV_BROKEN_PROMISE, 0, PACT_ALERT);
	add_step(g, "bp-visit", PEV_BROKEN_PROMISE, 1, PACT_TASK)->task = PTASK_VISIT;
	policy_step *s = add_step(g, "vf-alert", PEV_TASK_FAILED, 0, PACT_ALERT);
	snprintf(s->on, sizeof s->on, "loan_use_verification");
	snprintf(s->assignee, sizeof s->assignee, "role:supervisor");
	add_step(g, "al-esc", PEV_ALERT, 0, PACT_ESCALATION)->four_eyes = 1;
	add_step(g, "ov-call", PEV_TASK_OVERDUE, 2, PACT_TASK)->task = PTASK_CALL;
	return p;
}

typedef struct {
	const char *name;
	ledger_payment pay[3];
	int n_pay;
	policy_promise prom[2];
	int n_prom;
	policy_hold pause[2];
	int n_pause;
	policy_hold excl[2];
	int n_excl;
	policy_fact_event ev[4];
	int n_ev;
	const char *from, *to, *want;
} facts_case;

static void test_facts(void)
{
	policy *p = facts_policy();
	static collect c;
	/* L1: 3 x 40000 due 02-29, 03-31, 04-30; without facts d1 03-01, d7 03-07, d15 03-15, d30
	 * 03-30 on anchor 02-29 while #1 stays unpaid. */
	const facts_case cases[] = {
	    {"partial payment during a promise: path held 03-03..03-10 (d7 03-07 -> 03-15, d15 -> 03-23), "
	     "promise broken on 03-11: alert that day, visit the next",
	     {P("2024-03-08", 20000)}, 1,
	     {{D("2024-03-03"), D("2024-03-10"), 40000, "PR1"}}, 1,
	     {{0}}, 0, {{0}}, 0, {{0}}, 0,
	     "2024-03-01", "2024-03-31",
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-11 bp-alert 2024-03-11 0\n"
	     "2024-03-12 bp-visit 2024-03-11 0\n"
	     "2024-03-15 d7 2024-02-29 0\n"
	     "2024-03-23 d15 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"},
	    {"promise kept (20000 of 20000) but #1 still late: the path only pauses, no broken-promise step",
	     {P("2024-03-08", 20000)}, 1,
	     {{D("2024-03-03"), D("2024-03-10"), 20000, "PR1"}}, 1,
	     {{0}}, 0, {{0}}, 0, {{0}}, 0,
	     "2024-03-01", "2024-03-31",
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-15 d7 2024-02-29 0\n"
	     "2024-03-23 d15 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"},
	    {"promise broken, then a payment on 03-12 clears #1: alert on 03-11, no visit (no anchor), "
	     "the path of #2 is not shifted",
	     {P("2024-03-12", 40000)}, 1,
	     {{D("2024-03-03"), D("2024-03-10"), 40000, "PR1"}}, 1,
	     {{0}}, 0, {{0}}, 0, {{0}}, 0,
	     "2024-03-01", "2024-04-10",
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-11 bp-alert 2024-03-11 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-01 d1 2024-03-31 0\n"
	     "2024-04-07 d7 2024-03-31 0\n"},
	    {"the payment that kept the promise is reversed on 03-09: broken on 03-11 after all",
	     {{D("2024-03-05"), D("2024-03-09"), 40000}}, 1,
	     {{D("2024-03-03"), D("2024-03-10"), 40000, "PR1"}}, 1,
	     {{0}}, 0, {{0}}, 0, {{0}}, 0,
	     "2024-03-01", "2024-03-31",
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-11 bp-alert 2024-03-11 0\n"
	     "2024-03-12 bp-visit 2024-03-11 0\n"
	     "2024-03-15 d7 2024-02-29 0\n"
	     "2024-03-23 d15 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"},
	    {"a payment dated in the promise and reversed on 03-20: kept until the reversal, broken from "
	     "then on, but its steps' days (03-11, 03-12) are past; anchor 02-29 is back and its path, "
	     "held during the promise, reaches d15 on 03-23",
	     {{D("2024-03-05"), D("2024-03-20"), 40000}}, 1,
	     {{D("2024-03-03"), D("2024-03-10"), 40000, "PR1"}}, 1,
	     {{0}}, 0, {{0}}, 0, {{0}}, 0,
	     "2024-03-01", "2024-03-31",
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-23 d15 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"},
	    {"pause 03-05..03-09 (5 days): d7 on 03-12, d15 on 03-20, d30 on 04-04",
	     {{0}}, 0, {{0}}, 0,
	     {{D("2024-03-05"), D("2024-03-09"), "flood"}}, 1, {{0}}, 0, {{0}}, 0,
	     "2024-03-01", "2024-04-05",
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-12 d7 2024-02-29 0\n"
	     "2024-03-20 d15 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-04 d30 2024-02-29 0\n"},
	    {"open-ended pause from 03-05: nothing more of the collection path, reminders and monitoring go "
	     "on; the effective DPD never went above 4, so the renewal check (max_dpd_ever 5) fires",
	     {{0}}, 0, {{0}}, 0,
	     {{D("2024-03-05"), DATE_NONE, "dispute"}}, 1, {{0}}, 0, {{0}}, 0,
	     "2024-03-01", "2024-04-30",
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-28 pre3 2024-03-31 0\n"
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-20 renew 2024-04-30 0\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 monitor 2024-01-31 2\n"},
	    {"exclusion 03-20..04-05 (17 days): reminder of 03-28 dropped, monitoring goes on, d30 shifted "
	     "from 03-30 to 04-16",
	     {{0}}, 0, {{0}}, 0, {{0}}, 0,
	     {{D("2024-03-20"), D("2024-04-05"), "litigation"}}, 1, {{0}}, 0,
	     "2024-03-16", "2024-04-30",
	     "2024-03-31 monitor 2024-01-31 1\n"
	     "2024-04-16 d30 2024-02-29 0\n"
	     "2024-04-27 pre3 2024-04-30 0\n"
	     "2024-04-30 monitor 2024-01-31 2\n"},
	    {"pause and exclusion overlapping (03-03..03-06 and 03-05..03-08): 6 days on hold, d7 on 03-13",
	     {{0}}, 0, {{0}}, 0,
	     {{D("2024-03-03"), D("2024-03-06"), NULL}}, 1,
	     {{D("2024-03-05"), D("2024-03-08"), NULL}}, 1, {{0}}, 0,
	     "2024-03-01", "2024-03-14",
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-01 d1 2024-02-29 0\n"
	     "2024-03-13 d7 2024-02-29 0\n"},
	    {"failed verifications (two refs) -> two alerts; a failed call does not match `on`; an alert "
	     "-> escalation; an overdue visit -> call 2 days later",
	     {P("2024-02-29", 40000)}, 1, {{0}}, 0, {{0}}, 0, {{0}}, 0,
	     {{D("2024-02-20"), PEV_TASK_FAILED, "loan_use_verification", "T17"},
	      {D("2024-02-22"), PEV_TASK_FAILED, "call", "T18"},
	      {D("2024-03-02"), PEV_ALERT, "grade_down", "A5"},
	      {D("2024-03-03"), PEV_TASK_OVERDUE, "visit", "T19"}},
	     4, "2024-02-15", "2024-03-06",
	     "2024-02-20 vf-alert 2024-02-20 0\n"
	     "2024-02-26 pre3 2024-02-29 0\n"
	     "2024-03-01 monitor 2024-01-31 0\n"
	     "2024-03-02 al-esc 2024-03-02 0\n"
	     "2024-03-05 ov-call 2024-03-03 0\n"},
	    {"dated events fire during an exclusion",
	     {P("2024-02-29", 40000)}, 1, {{0}}, 0, {{0}}, 0,
	     {{D("2024-02-01"), D("2024-03-31"), NULL}}, 1,
	     {{D("2024-02-20"), PEV_TASK_FAILED, "loan_use_verification", "T17"}}, 1,
	     "2024-02-15", "2024-02-29",
	     "2024-02-20 vf-alert 2024-02-20 0\n"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const facts_case *k = &cases[i];
		policy_account a = loan(k->pay, k->n_pay);
		a.promises = k->prom;
		a.n_promises = k->n_prom;
		a.pauses = k->pause;
		a.n_pauses = k->n_pause;
		a.exclusions = k->excl;
		a.n_exclusions = k->n_excl;
		a.events = k->ev;
		a.n_events = k->n_ev;
		const char *got = range(p, &a, k->from, k->to, &c);
		T_OK(strcmp(got, k->want) == 0, "%s: got\n%swant\n%s", k->name, got, k->want);
	}

	/* keys: the promise's and the event's refs are in them */
	policy_promise prom[] = {{D("2024-03-03"), D("2024-03-10"), 40000, "PR1"}};
	policy_account a = loan(NULL, 0);
	a.promises = prom;
	a.n_promises = 1;
	range(p, &a, "2024-03-11", "2024-03-12", &c);
	T_EQ_INT(c.n, 2, "broken promise: two decisions");
	T_EQ_STR(c.keys[0], "L1|all|bp-alert|2024-03-11|0|PR1", "broken promise key");
	T_EQ_STR(c.keys[1], "L1|all|bp-visit|2024-03-11|0|PR1", "broken promise key (offset 1)");
	policy_fact_event ev[] = {{D("2024-02-20"), PEV_TASK_FAILED, "loan_use_verification", "T17"},
	                          {D("2024-02-20"), PEV_TASK_FAILED, "loan_use_verification", "T20"}};
	a = loan(NULL, 0);
	a.events = ev;
	a.n_events = 2;
	range(p, &a, "2024-02-20", "2024-02-20", &c);
	T_EQ_INT(c.n, 2, "two failures the same day: two decisions");
	T_EQ_STR(c.keys[0], "L1|all|vf-alert|2024-02-20|0|T17", "event key");
	T_EQ_STR(c.keys[1], "L1|all|vf-alert|2024-02-20|0|T20", "event key of the second failure");

	/* raw and effective DPD; segments use the effective one */
	policy_hold pause[] = {{D("2024-03-05"), D("2024-03-09"), "flood"}};
	a = loan(NULL, 0);
	a.pauses = pause;
	a.n_pauses = 1;
	range(p, &a, "2024-03-12", "2024-03-12", &c);
	T_EQ_INT(c.n, 1, "d7 on 03-12");
	T_EQ_INT(c.dpd_raw[0], 12, "raw DPD");
	T_EQ_INT(c.dpd[0], 7, "effective DPD");
	policy *q = facts_policy();
	memmove(&q->seg[1], &q->seg[0], sizeof q->seg[0]);
	policy_segment *g = &q->seg[0];
	memset(g, 0, sizeof *g);
	snprintf(g->name, sizeof g->name, "late10");
	g->has_dpd = 1;
	g->dpd_min = 10;
	g->dpd_max = 9999;
	add_step(g, "l10", PEV_DPD, 10, PACT_HOLD);
	q->n_seg = 2;
	int seg;
	civil_day anchor;
	int32_t dpd;
	T_EQ_INT(policy_segment_of(q, &a, D("2024-03-12"), &seg, &anchor, &dpd), POLICY_OK, "segment_of");
	T_EQ_INT(seg, 1, "raw DPD 12 but effective 7: not in late10");
	T_EQ_INT(dpd, 7, "segment_of gives the effective DPD");
	T_EQ_STR(range(q, &a, "2024-03-01", "2024-03-20", &c),
	         "2024-03-01 monitor 2024-01-31 0\n"
	         "2024-03-01 d1 2024-02-29 0\n"
	         "2024-03-12 d7 2024-02-29 0\n"
	         "2024-03-15 l10 2024-02-29 0\n",
	         "late10 from effective DPD 10 (03-15), its l10 fires then; d15 (03-20) is in all, not "
	         "reached by late10 accounts");
	free(q);

	/* invalid facts */
	policy_promise bad_prom[] = {{D("2024-03-10"), D("2024-03-03"), 40000, "PR1"}};
	policy_promise bad_ref[] = {{D("2024-03-03"), D("2024-03-10"), 40000, "P|R"}};
	policy_promise bad_amt[] = {{D("2024-03-03"), D("2024-03-10"), 0, "PR1"}};
	policy_hold bad_hold[] = {{D("2024-03-10"), D("2024-03-03"), NULL}};
	policy_fact_event bad_kind[] = {{D("2024-03-03"), PEV_DPD, "x", "E1"}};
	policy_fact_event no_ref[] = {{D("2024-03-03"), PEV_ALERT, "x", NULL}};
	struct {
		const char *name;
		policy_account a;
	} bad[6];
	for (int i = 0; i < 6; i++)
		bad[i].a = loan(NULL, 0);
	bad[0].name = "promise made after it is due";
	bad[0].a.promises = bad_prom, bad[0].a.n_promises = 1;
	bad[1].name = "ref with a |";
	bad[1].a.promises = bad_ref, bad[1].a.n_promises = 1;
	bad[2].name = "promise of 0";
	bad[2].a.promises = bad_amt, bad[2].a.n_promises = 1;
	bad[3].name = "exclusion ending before it starts";
	bad[3].a.exclusions = bad_hold, bad[3].a.n_exclusions = 1;
	bad[4].name = "event of kind dpd";
	bad[4].a.events = bad_kind, bad[4].a.n_events = 1;
	bad[5].name = "event without ref";
	bad[5].a.events = no_ref, bad[5].a.n_events = 1;
	for (int i = 0; i < 6; i++) {
		T_OK(policy_evaluate_day(p, &bad[i].a, D("2024-03-05"), collect_fn, &c) == POLICY_ERR_INVALID,
		     "%s: day", bad[i].name);
		T_OK(policy_evaluate_range(p, &bad[i].a, D("2024-03-01"), D("2024-03-05"), collect_fn, &c) ==
		         POLICY_ERR_INVALID,
		     "%s: range", bad[i].name);
	}
	free(p);
}

/* Generated ledgers with generated facts: range == day by day (decisions and keys), keys unique and
 * the same when evaluated again, policy_next_day == the first day something fires. */
static void test_generated_facts(void)
{
	policy *p = facts_policy();
	/* a first segment by effective DPD, with its own path and a repeating broken-promise step */
	memmove(&p->seg[1], &p->seg[0], sizeof p->seg[0]);
	policy_segment *g = &p->seg[0];
	memset(g, 0, sizeof *g);
	snprintf(g->name, sizeof g->name, "deep");
	g->has_dpd = 1;
	g->dpd_min = 20;
	g->dpd_max = 9999;
	policy_step *s = add_step(g, "deep-weekly", PEV_DPD, 21, PACT_TASK);
	s->task = PTASK_VISIT;
	s->every = 7;
	s->times = 5;
	s = add_step(g, "deep-bp", PEV_BROKEN_PROMISE, 2, PACT_ESCALATION);
	s->every = 3;
	s->times = 3;
	add_step(g, "deep-due", PEV_DUE_DATE, 10, PACT_MESSAGE);
	add_step(g, "deep-pre", PEV_DUE_DATE, -1, PACT_MESSAGE);
	s = add_step(g, "deep-alert", PEV_ALERT, 1, PACT_ESCALATION);
	s->every = 5;
	s->times = 2;
	p->n_seg = 2;
	static collect a1, a2, a3;
	static obligation ob[12];
	ledger_payment pay[16];
	policy_promise prom[3];
	policy_hold pause[3], excl[2];
	policy_fact_event ev[4];
	static const char *const refs[] = {"R0", "R1", "R2", "R3"};
	static const char *const names[] = {"loan_use_verification", "call", "visit", "grade_down"};
	int mismatches = 0, next_bad = 0, key_bad = 0, total = 0, with_facts = 0, bp_seen = 0;
	for (int iter = 0; iter < 300; iter++) {
		civil_day start = D("2024-01-01") + (civil_day)rnd(60);
		int n_ob = 1 + (int)rnd(12), n_pay = (int)rnd(10);
		for (int i = 0; i < n_ob; i++)
			ob[i] = (obligation){.due_on = start + 30 * (i + 1),
			                     .amount = {[COMP_INTEREST] = rnd(3) * 100,
			                                [COMP_PRINCIPAL] = 1000 + rnd(5) * 1000}};
		civil_day d = start;
		for (int i = 0; i < n_pay; i++) {
			d += (civil_day)rnd(50);
			pay[i] = (ledger_payment){d, rnd(8) == 0 ? d + 1 + (civil_day)rnd(20) : DATE_NONE,
			                          100 + rnd(40) * 100};
		}
		policy_account a = loan(pay, n_pay);
		a.ob = ob;
		a.n_ob = n_ob;
		a.start_on = start;
		a.n_promises = (int)rnd(4);
		for (int i = 0; i < a.n_promises; i++) {
			civil_day m = start + 20 + (civil_day)rnd(300);
			prom[i] = (policy_promise){m, m + (civil_day)rnd(15), 500 + rnd(8) * 500, refs[i]};
		}
		a.promises = prom;
		a.n_pauses = (int)rnd(4);
		for (int i = 0; i < a.n_pauses; i++) {
			civil_day f = start + (civil_day)rnd(350);
			pause[i] = (policy_hold){f, rnd(6) == 0 ? DATE_NONE : f + (civil_day)rnd(20), "p"};
		}
		a.pauses = pause;
		a.n_exclusions = (int)rnd(3);
		for (int i = 0; i < a.n_exclusions; i++) {
			civil_day f = start + (civil_day)rnd(350);
			excl[i] = (policy_hold){f, rnd(6) == 0 ? DATE_NONE : f + (civil_day)rnd(30), "x"};
		}
		a.exclusions = excl;
		a.n_events = (int)rnd(5);
		for (int i = 0; i < a.n_events; i++) {
			static const policy_event kinds[] = {PEV_TASK_FAILED, PEV_TASK_OVERDUE, PEV_ALERT};
			ev[i] = (policy_fact_event){start + (civil_day)rnd(300), kinds[rnd(3)], names[rnd(4)],
			                            refs[i]};
		}
		a.events = ev;
		with_facts += a.n_promises + a.n_pauses + a.n_exclusions + a.n_events > 0;
		civil_day from = start - 5, to = start + 450;
		memset(&a1, 0, sizeof a1);
		policy_evaluate_range(p, &a, from, to, collect_fn, &a1);
		memset(&a2, 0, sizeof a2);
		for (civil_day x = from; x <= to; x++)
			policy_evaluate_day(p, &a, x, collect_fn, &a2);
		memset(&a3, 0, sizeof a3);
		policy_evaluate_range(p, &a, from, to, collect_fn, &a3);
		total += a2.n;
		bp_seen += strstr(a2.text, "bp-") != NULL;
		if (strcmp(a1.text, a2.text) != 0) {
			if (!mismatches) printf("# iter %d range:\n%s# day by day:\n%s", iter, a1.text, a2.text);
			mismatches++;
		}
		int n = a2.n < KEYS_MAX ? a2.n : KEYS_MAX;
		if (a1.n != a2.n || a3.n != a2.n || memcmp(a1.keys, a2.keys, sizeof a1.keys[0] * (size_t)n) ||
		    memcmp(a3.keys, a2.keys, sizeof a1.keys[0] * (size_t)n))
			key_bad++;
		for (int i = 0; i < n; i++)
			for (int j = 0; j < i; j++)
				if (strcmp(a2.keys[i], a2.keys[j]) == 0) key_bad++;
		/* policy_next_day from a few points: the first day of the day-by-day decisions after it */
		for (int t = 0; t < 4; t++) {
			civil_day after = from + (civil_day)rnd(400), until = after + 1 + (civil_day)rnd(120);
			if (until > to) until = to;
			if (until <= after) continue;
			civil_day want = DATE_NONE, got;
			memset(&a3, 0, sizeof a3);
			for (civil_day x = after + 1; x <= until && want == DATE_NONE; x++) {
				policy_evaluate_day(p, &a, x, collect_fn, &a3);
				if (a3.n) want = x;
			}
			if (policy_next_day(p, &a, after, until, &got) != POLICY_OK || got != want) {
				if (!next_bad) printf("# iter %d: next_day after %d: got %d, want %d\n", iter,
				                      (int)after, (int)got, (int)want);
				next_bad++;
			}
		}
	}
	T_EQ_INT(mismatches, 0, "with facts: range == day by day on 300 generated accounts");
	T_EQ_INT(key_bad, 0, "with facts: keys unique, equal day by day and when evaluated again");
	T_EQ_INT(next_bad, 0, "with facts: policy_next_day is the first day something fires");
	T_OK(total > 3000, "the generated accounts give decisions (%d)", total);
	T_OK(with_facts > 250, "most generated accounts have facts (%d)", with_facts);
	T_OK(bp_seen > 20, "broken promises fire in the generated cases (%d accounts)", bp_seen);
	free(p);
}

static void test_names(void)
{
	T_EQ_INT(policy_event_parse("maturity"), PEV_MATURITY, "event parse");
	T_EQ_INT(policy_event_parse("nope"), -1, "unknown event");
	T_EQ_INT(policy_action_parse("court_file"), PACT_COURT_FILE, "action parse");
	T_EQ_INT(policy_task_parse("loan_use_verification"), PTASK_LOAN_USE_VERIFICATION, "task parse");
	T_EQ_INT(policy_task_parse(""), -1, "empty task kind");
	T_EQ_INT(policy_channel_parse("letter"), PCH_LETTER, "channel parse");
	char b[32];
	T_EQ_STR(policy_channels_text(PCH_EMAIL | PCH_LETTER, b, sizeof b), "email+letter", "channels text");
}

int main(void)
{
	test_lifecycle();
	test_backdated();
	test_keys();
	test_segments();
	test_catch_up();
	test_facts();
	test_generated_facts();
	test_names();
	return t_done("test_policy");
}

/* test_policy.c: evaluation of follow-up and collection policies (core/policy.c), on a small loan
 * worked out by hand (days in the comments), and a comparison of range evaluation with day-by-day
 * evaluation on generated ledgers. */
#include <stdlib.h>

#include "core/policy.h"
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
typedef struct {
	char text[8192];
	char keys[256][POLICY_DEDUPE_MAX];
	int n;
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
	if (c->n < 256) snprintf(c->keys[c->n], POLICY_DEDUPE_MAX, "%s", d->dedupe);
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
	test_names();
	return t_done("test_policy");
}

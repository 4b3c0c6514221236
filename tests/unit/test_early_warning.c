/* test_early_warning.c: the early-warning rules of engine/early_warning.c on both back-ends, on a
 * small portfolio and a scorecard trained here on one variable (dpd_now) with grades set by hand:
 * each alert kind fires when it should and not otherwise (grade drop by the threshold vs one grade
 * less, score drop, limit exceeded, a legal_proceeding fact raised once, payments of the last 30 days
 * against the 90 before, an orders_drop fact, a cluster of K clients of one officer or group), each
 * reason names what moved, and dedupe keys are stable from one run to the next. */
#include <math.h>
#include <stdlib.h>
#include "engine/early_warning.h"
#include "io/import.h"
#include "store/store_risk.h"
#include "t.h"

#define STORE_FIXTURE_PREFIX "vigie_test_ew"
#include "store_fixture.h"

static civil_day day(const char *s)
{
	civil_day d = DATE_NONE;
	date_parse(s, strlen(s), &d);
	return d;
}

static void imp(store *s, import_kind k, const char *text)
{
	char path[600], err[2048] = "";
	snprintf(path, sizeof path, "%s/in.csv", tmpdir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	FILE *e = fmemopen(err, sizeof err, "w");
	import_stats st;
	import_rc rc = import_csv(s, k, path, "in.csv", e, &st);
	fclose(e);
	T_OK(rc == IMPORT_DONE, "import %d: %s", (int)k, err);
}

/* A recording sink: every alert handed over, nothing written. */
typedef struct {
	store_alert a[64];
	int n;
} rec;

static int record(void *ctx, store *s, store_alert *a, store_put *res)
{
	(void)s;
	rec *r = ctx;
	if (r->n < 64) r->a[r->n++] = *a;
	*res = PUT_INSERTED;
	return 0;
}

static const store_alert *find(const rec *r, const char *kind, const char *client)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->a[i].kind, kind) == 0 && strcmp(r->a[i].client_ext_id, client) == 0) return &r->a[i];
	return NULL;
}

static int count(const rec *r, const char *kind)
{
	int n = 0;
	for (int i = 0; i < r->n; i++)
		n += strcmp(r->a[i].kind, kind) == 0;
	return n;
}

static int run(store *s, const ew_opts *o, rec *r, ew_stats *st)
{
	char err[512] = "";
	memset(r, 0, sizeof *r);
	risk_alert_sink sink = {record, r};
	int rc = early_warning_refresh(s, o, &sink, st, err, sizeof err);
	T_OK(rc == 0, "refresh: %s", err);
	return rc;
}

/* One variable, dpd_now: 0 is good, 30 is bad (not perfectly separated). */
static sc_model *train(double *s_good, double *s_bad)
{
	enum { N = 200 };
	static double x[N];
	static unsigned char bad[N];
	for (int i = 0; i < N; i++) {
		x[i] = i < N / 2 ? 0 : 30;
		bad[i] = i < N / 2 ? (i % 10 == 0) : (i % 10 != 0);
	}
	sc_column c = {.name = "dpd_now", .x = x};
	sc_params p;
	sc_params_default(&p);
	sc_model *m = NULL;
	char msg[256] = "";
	T_OK(sc_train(&c, 1, bad, NULL, N, &p, &m, msg, sizeof msg) == SC_OK, "train: %s", msg);
	if (!m) return NULL;
	double two[2] = {0, 45}, sc[2];
	uint8_t bins[2];
	sc_column q = {.name = "dpd_now", .x = two};
	T_EQ_INT(sc_score_columns(m, &q, 2, sc, bins), SC_OK, "score");
	*s_good = sc[0];
	*s_bad = sc[1];
	T_OK(*s_good > *s_bad + 2, "dpd 0 scores higher: %g > %g", *s_good, *s_bad);
	return m;
}

/* Grades A > B > C: the bad score in C (two grades down) or in B (one grade down). */
static void grades(sc_model *m, double s_good, double s_bad, int bad_in_b)
{
	m->n_grades = 3;
	snprintf(m->grades[0].name, sizeof m->grades[0].name, "A");
	snprintf(m->grades[1].name, sizeof m->grades[1].name, "B");
	snprintf(m->grades[2].name, sizeof m->grades[2].name, "C");
	m->grades[0].min_score = s_good - 1;
	m->grades[1].min_score = bad_in_b ? s_bad - 1 : s_bad + 1;
	m->grades[2].min_score = -INFINITY;
}

static void test_rules(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	/* C1..C3: moussa's, group ACME, no payment (dpd 0 in January, 42 on 03-15); C4: moussa's, pays
	 * on time; C5: awa's (THS), paid until January then stopped */
	imp(s, IMPORT_CLIENTS,
	    "client_id,name,branch,officer\nC1,A,DKR,moussa\nC2,B,DKR,moussa\nC3,C,DKR,moussa\n"
	    "C4,D,DKR,moussa\nC5,E,THS,awa\n");
	imp(s, IMPORT_LOANS,
	    "loan_id,client_id,currency,principal,disbursed_on,installments\n"
	    "L1,C1,XOF,3000,2026-01-01,3\nL2,C2,XOF,3000,2026-01-01,3\nL3,C3,XOF,3000,2026-01-01,3\n"
	    "L4,C4,XOF,4000,2026-01-01,4\nL5,C5,XOF,12000,2025-06-01,12\n");
	imp(s, IMPORT_PAYMENTS,
	    "payment_id,account_id,paid_on,amount\nP1,L4,2026-02-01,1000\nP2,L4,2026-03-01,1000\n"
	    "P3,L5,2025-12-01,1000\nP4,L5,2026-01-01,1000\n");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_put p;
	T_EQ_INT(store_risk_group_set(s, "C1", "ACME", &p), STORE_OK, "group");
	T_EQ_INT(store_risk_group_set(s, "C2", "ACME", &p), STORE_OK, "group");
	T_EQ_INT(store_risk_group_set(s, "C3", "ACME", &p), STORE_OK, "group");
	store_risk_fact legal = {.client_ext_id = "C1", .fact_on = day("2026-03-10"), .kind = "legal_proceeding",
	                         .text = "RG 26/117", .source = "court"};
	T_EQ_INT(store_risk_fact_put(s, &legal, &p), STORE_OK, "legal fact");
	store_risk_fact old = {.client_ext_id = "C2", .fact_on = day("2026-01-10"), .kind = "legal_proceeding",
	                       .source = "court"};
	T_EQ_INT(store_risk_fact_put(s, &old, &p), STORE_OK, "an old legal fact");
	store_risk_fact orders = {.client_ext_id = "C4", .fact_on = day("2026-03-14"), .kind = "orders_drop",
	                          .value = 40, .has_value = 1, .text = "orders -40%", .source = "sales"};
	T_EQ_INT(store_risk_fact_put(s, &orders, &p), STORE_OK, "orders fact");
	store_risk_limit lim = {.subject_kind = RISK_SUBJECT_CLIENT, .subject = "C4", .currency = "XOF",
	                        .amount = 1500, .from_on = day("2026-01-01"), .effective = 1};
	T_EQ_INT(store_risk_limit_put(s, &lim), STORE_OK, "C4 limit");
	store_risk_limit lim2 = {.subject_kind = RISK_SUBJECT_CLIENT, .subject = "C1", .currency = "XOF",
	                         .amount = 3000, .from_on = day("2026-01-01"), .effective = 1};
	T_EQ_INT(store_risk_limit_put(s, &lim2), STORE_OK, "C1 limit");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	double sg = 0, sb = 0;
	sc_model *m = train(&sg, &sb);
	if (!m) {
		done(&fx, s);
		return;
	}
	grades(m, sg, sb, 0);
	ew_opts o;
	early_warning_defaults(&o);
	o.model = m;
	o.model_name = "b.json";
	o.score_drop = 100000; /* grade drops only */
	rec r;
	ew_stats st;
	o.as_of = day("2026-01-20");
	run(s, &o, &r, &st);
	T_EQ_INT(st.scored, 5, "five clients scored");
	T_EQ_INT(count(&r, "grade_down"), 0, "no previous score: no grade_down");
	T_EQ_INT(count(&r, "legal"), 1, "one legal fact in (D - 30, D]");
	T_OK(find(&r, "legal", "C2") != NULL, "C2's of 01-10");

	/* 03-15: C1..C3 A -> C (two grades); C4 stays A; C5 was already late (C) in January */
	o.as_of = day("2026-03-15");
	run(s, &o, &r, &st);
	T_EQ_INT(count(&r, "grade_down"), 3, "grade_down for the three clients late since");
	T_OK(find(&r, "grade_down", "C5") == NULL, "C5: the same grade as before");
	const store_alert *a = find(&r, "grade_down", "C1");
	T_OK(a != NULL, "C1 graded down");
	if (a) {
		T_EQ_STR(a->dedupe_key, "grade_down:C1:b.json:2026-03-15", "dedupe key");
		T_OK(strstr(a->reason, "grade A -> C") != NULL, "reason: the grades: %s", a->reason);
		T_OK(strstr(a->reason, "dpd_now 0 -> 42") != NULL, "reason: the variable that moved: %s", a->reason);
		T_OK(strstr(a->details, "\"variable\":\"dpd_now\"") != NULL, "details: %s", a->details);
		T_EQ_STR(a->assignee, "moussa", "to the officer");
		T_EQ_STR(a->branch, "DKR", "of the branch");
	}
	T_OK(find(&r, "grade_down", "C4") == NULL, "C4 paid: no grade_down");
	/* clusters: moussa's C1..C3 and group ACME (3 >= K = 3); awa has one */
	T_EQ_INT(count(&r, "cluster_down"), 2, "officer moussa and group ACME");
	char k1[STORE_DEDUPE_MAX] = "";
	for (int i = 0; i < r.n; i++)
		if (strcmp(r.a[i].kind, "cluster_down") == 0 && strstr(r.a[i].dedupe_key, "officer:moussa")) {
			snprintf(k1, sizeof k1, "%s", r.a[i].dedupe_key);
			T_OK(strstr(r.a[i].reason, "C1,C2,C3") != NULL, "names the clients: %s", r.a[i].reason);
			T_EQ_STR(r.a[i].assignee, "role:supervisor", "one branch: its supervisor");
			T_EQ_STR(r.a[i].branch, "DKR", "DKR");
		}
	T_OK(k1[0] != 0, "moussa's cluster");
	/* legal: C1's fact of 03-10 in (D - 30, D]; C2's of 01-10 is too old */
	a = find(&r, "legal", "C1");
	T_OK(a != NULL && strstr(a->reason, "RG 26/117") && strstr(a->reason, "court"), "legal: %s",
	     a ? a->reason : "none");
	T_OK(find(&r, "legal", "C2") == NULL, "an old fact raises nothing");
	T_EQ_INT(count(&r, "orders_drop"), 1, "orders_drop of C4");
	a = find(&r, "orders_drop", "C4");
	T_OK(a && strstr(a->reason, "orders -40%"), "orders reason");
	/* payments: C5 paid 2000 in the 90 days before and nothing in the last 30 while 1000 fell due */
	a = find(&r, "payments_drop", "C5");
	T_OK(a != NULL, "payments_drop of C5");
	if (a) {
		T_OK(strstr(a->reason, "last 30 days 0 XOF against 2000 XOF in the 90 days before") != NULL,
		     "reason: %s", a->reason);
		T_EQ_STR(a->dedupe_key, "payments_drop:C5:2026-03-15", "key");
		T_EQ_STR(a->assignee, "awa", "awa's");
	}
	T_OK(find(&r, "payments_drop", "C4") == NULL, "C4 pays as before: no payments_drop");
	T_OK(find(&r, "payments_drop", "C1") == NULL, "C1 never paid: nothing to compare");
	/* limits: C4 owes 2000 > 1500; C1 owes 3000 = its limit */
	a = find(&r, "limit_exceeded", "C4");
	T_OK(a && strstr(a->reason, "exposure 2000 XOF above the limit 1500 XOF"), "limit: %s", a ? a->reason : "none");
	T_EQ_INT(count(&r, "limit_exceeded"), 1, "C1 at its limit: not exceeded");

	/* one grade less (A -> B) is not a grade_down with grade_drop 2 */
	grades(m, sg, sb, 1);
	run(s, &o, &r, &st);
	T_EQ_INT(count(&r, "grade_down"), 0, "one grade less: nothing");
	o.grade_drop = 1;
	run(s, &o, &r, &st);
	T_EQ_INT(count(&r, "grade_down"), 3, "grade_drop 1: the three");
	/* by score: the fall against score_drop */
	o.grade_drop = 15;
	o.score_drop = (int)floor(sg - sb) - 1;
	run(s, &o, &r, &st);
	T_EQ_INT(count(&r, "grade_down"), 3, "score fell by more than score_drop");
	o.score_drop = (int)ceil(sg - sb) + 1;
	run(s, &o, &r, &st);
	T_EQ_INT(count(&r, "grade_down"), 0, "score fell by less than score_drop");
	o.score_drop = 100000;
	o.grade_drop = 2;
	grades(m, sg, sb, 0);
	/* cluster of K = 4: moussa has only 3 down */
	o.cluster_k = 4;
	run(s, &o, &r, &st);
	T_EQ_INT(count(&r, "cluster_down"), 0, "K = 4: no cluster");
	o.cluster_k = 3;

	/* stored: the same day again raises nothing new, keys stable; the legal fact once */
	ew_stats s1, s2;
	char err[512] = "";
	T_OK(early_warning_refresh(s, &o, &RISK_ALERT_STORE, &s1, err, sizeof err) == 0, "stored: %s", err);
	long new1 = 0;
	for (int k = 0; k < EW_N; k++)
		new1 += s1.raised[k];
	T_OK(new1 >= 9, "alerts raised: %ld", new1);
	T_OK(early_warning_refresh(s, &o, &RISK_ALERT_STORE, &s2, err, sizeof err) == 0, "again: %s", err);
	long new2 = 0;
	for (int k = 0; k < EW_N; k++)
		new2 += s2.raised[k];
	T_EQ_INT(new2, 0, "nothing new the second time");
	T_EQ_INT(s2.known, new1, "all known");
	o.as_of = day("2026-03-20");
	o.model = NULL;
	T_OK(early_warning_refresh(s, &o, &RISK_ALERT_STORE, &s2, err, sizeof err) == 0, "03-20: %s", err);
	T_EQ_INT(s2.raised[EW_LEGAL], 0, "the legal fact is raised once");
	T_EQ_INT(s2.raised[EW_ORDERS], 0, "the orders fact too");
	sc_model_free(m);
	done(&fx, s);
}

int main(void)
{
	return store_fixture_main("test_early_warning", test_rules);
}

/* test_store_risk.c: the store module "risk" (store/store_risk.h) on both back-ends: a fresh SQLite
 * file, then a fresh PostgreSQL database ($VIGIE_PG_BASE). */
#include <stdlib.h>
#include "store/store_query.h"
#include "store/store_risk.h"
#include "t.h"

#define STORE_FIXTURE_PREFIX "vigie_test_risk"
#include "store_fixture.h"

static civil_day day(const char *s)
{
	civil_day d = DATE_NONE;
	date_parse(s, strlen(s), &d);
	return d;
}

static int count_fact(void *ctx, const store_risk_fact *f)
{
	(void)f;
	(*(int *)ctx)++;
	return 0;
}

static int count_commit(void *ctx, const store_risk_commitment *c)
{
	*(int64_t *)ctx += c->amount;
	return 0;
}

typedef struct {
	int n;
	char last[STORE_ID_MAX];
	char grades[256];
} grade_acc;

static int grade_cb(void *ctx, const char *client, const char *grade, civil_day on)
{
	grade_acc *g = ctx;
	(void)on;
	g->n++;
	size_t l = strlen(g->grades);
	snprintf(g->grades + l, sizeof g->grades - l, "%s=%s;", client, grade);
	return 0;
}

static int watch_cb(void *ctx, const store_risk_watch *w)
{
	grade_acc *g = ctx;
	g->n++;
	snprintf(g->last, sizeof g->last, "%s", w->subject);
	return 0;
}

static void put_client(store *s, const char *id)
{
	store_client c = {0};
	snprintf(c.ext_id, sizeof c.ext_id, "%s", id);
	snprintf(c.name, sizeof c.name, "Client %s", id);
	store_put res;
	T_OK(store_client_put(s, &c, &res) == STORE_OK, "client %s", id);
}

static void test_risk(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_put res;
	T_EQ_INT(store_module_version(s, "risk"), 2, "module risk at version 2 (score_history_by_day)");

	/* writes outside a transaction are refused */
	T_EQ_INT(store_risk_group_set(s, "C1", "G", &res), STORE_ERR, "group outside a transaction");
	store_risk_limit l0 = {.subject_kind = RISK_SUBJECT_CLIENT,
	                       .subject = "C1",
	                       .currency = "XOF",
	                       .amount = 1,
	                       .from_on = day("2026-01-01")};
	T_EQ_INT(store_risk_limit_put(s, &l0), STORE_ERR, "limit outside a transaction");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	put_client(s, "C1");
	put_client(s, "C2");
	put_client(s, "C3");

	/* groups */
	T_EQ_INT(store_risk_group_set(s, "C1", "ACME", &res), STORE_OK, "group C1");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	T_EQ_INT(store_risk_group_set(s, "C1", "ACME", &res), STORE_OK, "again");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	T_EQ_INT(store_risk_group_set(s, "C2", "ACME", &res), STORE_OK, "group C2");
	T_EQ_INT(store_risk_group_set(s, "C3", "OTHER", &res), STORE_OK, "group C3");
	T_EQ_INT(store_risk_group_set(s, "C3", "", &res), STORE_OK, "ungroup C3");
	T_EQ_INT(res, PUT_UPDATED, "updated");
	char g[STORE_ID_MAX];
	T_EQ_INT(store_risk_group_of(s, "C3", g), STORE_NOT_FOUND, "C3 has no group");
	T_EQ_INT(store_risk_group_of(s, "C2", g), STORE_OK, "C2's group");
	T_EQ_STR(g, "ACME", "C2 in ACME");

	/* facts */
	store_risk_fact f = {.client_ext_id = "C1",
	                     .fact_on = day("2026-03-01"),
	                     .kind = "legal_proceeding",
	                     .text = "Tribunal de commerce, RG 26/117",
	                     .source = "court"};
	T_EQ_INT(store_risk_fact_put(s, &f, &res), STORE_OK, "fact");
	T_EQ_INT(res, PUT_INSERTED, "fact inserted");
	T_OK(f.id > 0, "fact id");
	T_EQ_INT(store_risk_fact_put(s, &f, &res), STORE_OK, "fact again");
	T_EQ_INT(res, PUT_UNCHANGED, "fact unchanged");
	snprintf(f.text, sizeof f.text, "another text");
	T_EQ_INT(store_risk_fact_put(s, &f, &res), STORE_CONFLICT, "a different fact under the same key");
	store_risk_fact rev = {.client_ext_id = "C1",
	                       .fact_on = day("2026-02-01"),
	                       .kind = "revenue",
	                       .value = 1250000000,
	                       .has_value = 1,
	                       .source = "statements"};
	T_EQ_INT(store_risk_fact_put(s, &rev, &res), STORE_OK, "revenue");
	int nf = 0;
	store_risk_fact_filter flt = {.client_ext_id = "C1", .from = DATE_NONE, .to = DATE_NONE};
	T_EQ_INT(store_risk_facts_each(s, &flt, count_fact, &nf), STORE_OK, "facts of C1");
	T_EQ_INT(nf, 2, "two facts");
	nf = 0;
	store_risk_fact_filter flt2 = {
	    .kind = "legal_proceeding", .from = day("2026-03-02"), .to = DATE_NONE};
	T_EQ_INT(store_risk_facts_each(s, &flt2, count_fact, &nf), STORE_OK, "legal after");
	T_EQ_INT(nf, 0, "none after 03-02");

	/* limits: pending until approved; the latest effective one counts */
	store_risk_limit l1 = {.subject_kind = RISK_SUBJECT_CLIENT,
	                       .subject = "C1",
	                       .currency = "XOF",
	                       .amount = 500000,
	                       .from_on = day("2026-01-01"),
	                       .effective = 1,
	                       .set_by = "import"};
	T_EQ_INT(store_risk_limit_put(s, &l1), STORE_OK, "limit 1 (admin import)");
	store_risk_limit l2 = {.subject_kind = RISK_SUBJECT_CLIENT,
	                       .subject = "C1",
	                       .currency = "XOF",
	                       .amount = 900000,
	                       .from_on = day("2026-02-01"),
	                       .approval_id = 42,
	                       .set_by = "awa"};
	T_EQ_INT(store_risk_limit_put(s, &l2), STORE_OK, "limit 2 (pending)");
	store_risk_limit got;
	T_EQ_INT(store_risk_limit_in_force(s, RISK_SUBJECT_CLIENT, "C1", "XOF", day("2026-03-01"), &got),
	         STORE_OK, "in force");
	T_EQ_INT(got.amount, 500000, "the pending limit does not count");
	T_EQ_INT(store_risk_limit_approve(s, 43, &res), STORE_NOT_FOUND, "no limit for request 43");
	T_EQ_INT(store_risk_limit_approve(s, 42, &res), STORE_OK, "approve 42");
	T_EQ_INT(res, PUT_UPDATED, "made effective");
	T_EQ_INT(store_risk_limit_approve(s, 42, &res), STORE_OK, "approve 42 again");
	T_EQ_INT(res, PUT_UNCHANGED, "already effective");
	T_EQ_INT(store_risk_limit_in_force(s, RISK_SUBJECT_CLIENT, "C1", "XOF", day("2026-03-01"), &got),
	         STORE_OK, "in force");
	T_EQ_INT(got.amount, 900000, "the approved limit counts");
	T_EQ_INT(got.approval_id, 42, "with its approval");
	T_EQ_INT(store_risk_limit_in_force(s, RISK_SUBJECT_CLIENT, "C1", "XOF", day("2026-01-15"), &got),
	         STORE_OK, "in force in January");
	T_EQ_INT(got.amount, 500000, "before its from_on, the older one");
	T_EQ_INT(store_risk_limit_in_force(s, RISK_SUBJECT_CLIENT, "C1", "XOF", day("2025-12-31"), &got),
	         STORE_NOT_FOUND, "none before");
	T_EQ_INT(store_risk_limit_in_force(s, RISK_SUBJECT_GROUP, "C1", "XOF", day("2026-03-01"), &got),
	         STORE_NOT_FOUND, "a client limit is not a group limit");

	/* commitments */
	store_risk_commitment c = {.ext_id = "K1",
	                           .client_ext_id = "C1",
	                           .currency = "XOF",
	                           .amount = 200000,
	                           .approved_on = day("2026-02-10"),
	                           .ends_on = DATE_NONE};
	T_EQ_INT(store_risk_commitment_put(s, &c, &res), STORE_OK, "commitment");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	T_EQ_INT(store_risk_commitment_put(s, &c, &res), STORE_OK, "again");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	int64_t sum = 0;
	T_EQ_INT(store_risk_commitments_open(s, "C1", day("2026-02-10"), count_commit, &sum), STORE_OK,
	         "open");
	T_EQ_INT(sum, 200000, "open on its day");
	sum = 0;
	T_EQ_INT(store_risk_commitments_open(s, NULL, day("2026-02-09"), count_commit, &sum), STORE_OK,
	         "open");
	T_EQ_INT(sum, 0, "not the day before");
	c.ends_on = day("2026-03-01");
	T_EQ_INT(store_risk_commitment_put(s, &c, &res), STORE_OK, "disbursed");
	T_EQ_INT(res, PUT_UPDATED, "ended");
	sum = 0;
	T_EQ_INT(store_risk_commitments_open(s, NULL, day("2026-03-01"), count_commit, &sum), STORE_OK,
	         "open");
	T_EQ_INT(sum, 0, "not from its end");
	c.amount = 1;
	T_EQ_INT(store_risk_commitment_put(s, &c, &res), STORE_CONFLICT, "another amount");

	/* scores and grades */
	store_risk_score r = {.client_ext_id = "C1",
	                      .day = day("2026-03-01"),
	                      .model = "b1",
	                      .score_x100 = 61234,
	                      .grade = "B",
	                      .pd_ppm = 12345,
	                      .reasons = "dpd_now"};
	T_EQ_INT(store_risk_score_put(s, &r), STORE_OK, "score C1 03-01");
	r.day = day("2026-04-01");
	snprintf(r.grade, sizeof r.grade, "D");
	T_EQ_INT(store_risk_score_put(s, &r), STORE_OK, "score C1 04-01");
	snprintf(r.grade, sizeof r.grade, "E");
	T_EQ_INT(store_risk_score_put(s, &r), STORE_OK, "replaced");
	store_risk_score r2 = {.client_ext_id = "C2", .day = day("2026-03-15"), .model = "b1", .grade = "A"};
	T_EQ_INT(store_risk_score_put(s, &r2), STORE_OK, "score C2");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	char gr[RISK_GRADE_MAX];
	T_EQ_INT(store_risk_grade_of(s, "C1", day("2026-03-31"), gr), STORE_OK, "grade of C1 in March");
	T_EQ_STR(gr, "B", "B");
	T_EQ_INT(store_risk_grade_of(s, "C1", day("2026-04-01"), gr), STORE_OK, "grade of C1 on 04-01");
	T_EQ_STR(gr, "E", "E (replaced)");
	T_EQ_INT(store_risk_grade_of(s, "C1", day("2026-02-28"), gr), STORE_NOT_FOUND, "none before");
	store_risk_score prev;
	T_EQ_INT(store_risk_score_before(s, "C1", "b1", day("2026-04-01"), &prev), STORE_OK, "before");
	T_EQ_INT(prev.score_x100, 61234, "previous score");
	T_EQ_INT(prev.pd_ppm, 12345, "previous pd");
	grade_acc ga = {0};
	T_EQ_INT(store_risk_grades_as_of(s, day("2026-03-20"), grade_cb, &ga), STORE_OK, "bulk");
	T_EQ_STR(ga.grades, "C1=B;C2=A;", "bulk grades as of 03-20");
	memset(&ga, 0, sizeof ga);
	T_EQ_INT(store_risk_grades_as_of(s, day("2026-04-20"), grade_cb, &ga), STORE_OK, "bulk");
	T_EQ_STR(ga.grades, "C1=E;C2=A;", "bulk grades as of 04-20");

	/* watch list */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_risk_watch w = {.subject_kind = RISK_SUBJECT_ACCOUNT,
	                      .subject = "L1",
	                      .reason = "sector in crisis",
	                      .added_by = "awa",
	                      .added_on = day("2026-03-01")};
	T_EQ_INT(store_risk_watch_add(s, &w), STORE_OK, "watch L1");
	T_EQ_INT(store_risk_watch_add(s, &w), STORE_CONFLICT, "already watched");
	T_EQ_INT(store_risk_watch_remove(s, RISK_SUBJECT_ACCOUNT, "L1", day("2026-03-10"), "awa"), STORE_OK,
	         "remove");
	T_EQ_INT(store_risk_watch_remove(s, RISK_SUBJECT_ACCOUNT, "L1", day("2026-03-11"), "awa"),
	         STORE_NOT_FOUND, "not watched any more");
	T_EQ_INT(store_risk_watch_add(s, &w), STORE_OK, "watched again");
	T_EQ_INT(store_risk_setting_set(s, "limit_breach", "refuse"), STORE_OK, "setting");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	memset(&ga, 0, sizeof ga);
	T_EQ_INT(store_risk_watch_each(s, day("2026-03-05"), watch_cb, &ga), STORE_OK, "watched on 03-05");
	T_EQ_INT(ga.n, 2, "the first entry, and the second added with the same date");
	memset(&ga, 0, sizeof ga);
	T_EQ_INT(store_risk_watch_each(s, DATE_NONE, watch_cb, &ga), STORE_OK, "all");
	T_EQ_INT(ga.n, 2, "history kept");
	char v[RISK_SETTING_MAX];
	T_EQ_INT(store_risk_setting_get(s, "limit_breach", v), STORE_OK, "setting read");
	T_EQ_STR(v, "refuse", "refuse");
	T_EQ_INT(store_risk_setting_get(s, "nothing", v), STORE_NOT_FOUND, "unset");

	/* a rollback leaves nothing */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_risk_group_set(s, "C3", "LOST", &res), STORE_OK, "group C3");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");
	T_EQ_INT(store_risk_group_of(s, "C3", g), STORE_NOT_FOUND, "rolled back");
	done(&fx, s);
}

int main(void)
{
	return store_fixture_main("test_store_risk", test_risk);
}

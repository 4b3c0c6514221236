/* test_exposure.c: exposure per client and group (engine/exposure.h) and the limit check of the
 * imports, on both back-ends: exact sums (loans, invoices, commitments; payments and write-offs
 * taken off), group aggregation, a breach flagged (written, warned) or refused (nothing written). */
#include <stdlib.h>
#include "engine/exposure.h"
#include "io/import.h"
#include "t.h"

#define STORE_FIXTURE_PREFIX "vigie_test_exposure"
#include "store_fixture.h"

static civil_day day(const char *s)
{
	civil_day d = DATE_NONE;
	date_parse(s, strlen(s), &d);
	return d;
}

static const char *write_file(const char *name, const char *text)
{
	static char path[8][600];
	static int k;
	char *p = path[k++ % 8];
	snprintf(p, 600, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return p;
}

/* Imports text as kind; returns the import's result; err gets the messages. */
static import_rc imp(store *s, import_kind k, const char *text, char *err, size_t cap)
{
	const char *p = write_file("in.csv", text);
	FILE *e = fmemopen(err, cap, "w");
	import_stats st;
	import_rc rc = import_csv(s, k, p, "in.csv", e, &st);
	fclose(e);
	return rc;
}

typedef struct {
	int n;
	store_alert last;
} alert_seen;

static int count_alert(void *ctx, const store_alert *a)
{
	alert_seen *c = ctx;
	c->n++;
	c->last = *a;
	return 0;
}

static int64_t total(const exposure *e, const char *cur)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->line[i].currency, cur) == 0) return e->line[i].total;
	return -1;
}

static void test_exposure(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	char err[4096], msg[512];
	T_EQ_INT(
	    imp(s, IMPORT_CLIENTS,
	        "client_id,name,branch,officer\nC1,Awa,DKR,moussa\nC2,Binta,DKR,moussa\nC3,Coumba,THS,\n",
	        err, sizeof err),
	    IMPORT_DONE, "clients");
	/* C1: a loan of 1200 in 12 months (100 principal a month), an invoice of 300, a loan in EUR */
	T_EQ_INT(
	    imp(s, IMPORT_LOANS,
	        "loan_id,client_id,currency,principal,disbursed_on,installments\n"
	        "L1,C1,XOF,1200,2026-01-10,12\nL2,C1,EUR,500.00,2026-01-10,5\nL3,C2,XOF,600,2026-01-05,6\n"
	        "L4,C2,XOF,999,2026-01-05,3\n",
	        err, sizeof err),
	    IMPORT_DONE, "loans");
	T_EQ_INT(imp(s, IMPORT_INVOICES,
	             "invoice_id,client_id,currency,amount,issued_on,due_on\nI1,C1,XOF,300,2026-02-01,2026-"
	             "03-01\n",
	             err, sizeof err),
	         IMPORT_DONE, "invoice");
	/* C1 pays 250 on L1 (two installments and a half) and 100 on the invoice; L4 is written off */
	T_EQ_INT(imp(s, IMPORT_PAYMENTS,
	             "payment_id,account_id,paid_on,amount\nP1,L1,2026-03-10,250\nP2,I1,2026-03-01,100\n",
	             err, sizeof err),
	         IMPORT_DONE, "payments");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_account l4;
	T_EQ_INT(store_account_get(s, "L4", &l4), STORE_OK, "L4");
	T_EQ_INT(store_account_write_off(s, l4.id, day("2026-02-01")), STORE_OK, "L4 written off");
	store_risk_commitment k = {.ext_id = "K1",
	                           .client_ext_id = "C1",
	                           .currency = "XOF",
	                           .amount = 5000,
	                           .approved_on = day("2026-03-01"),
	                           .ends_on = day("2026-04-01")};
	store_put res;
	T_EQ_INT(store_risk_commitment_put(s, &k, &res), STORE_OK, "commitment");
	T_EQ_INT(store_risk_group_set(s, "C1", "ACME", &res), STORE_OK, "C1 in ACME");
	T_EQ_INT(store_risk_group_set(s, "C2", "ACME", &res), STORE_OK, "C2 in ACME");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	exposure e;
	T_EQ_INT(exposure_client(s, "C1", day("2026-01-09"), &e, msg, sizeof msg), 0, "C1 before anything");
	T_EQ_INT(e.n, 0, "no currency");
	T_OK(exposure_client(s, "C1", day("2026-03-15"), &e, msg, sizeof msg) == 0, "C1 on 03-15: %s", msg);
	/* L1: 1200 - 250 paid (interest 0) = 950; I1: 300 - 100 = 200; K1: 5000 */
	T_EQ_INT(e.n, 2, "two currencies");
	T_EQ_STR(e.line[0].currency, "EUR", "EUR first");
	T_EQ_INT(e.line[0].total, 50000, "EUR: the loan, nothing paid");
	T_EQ_INT(e.line[1].loans, 950, "XOF loans");
	T_EQ_INT(e.line[1].invoices, 200, "XOF invoices");
	T_EQ_INT(e.line[1].commitments, 5000, "XOF commitments");
	T_EQ_INT(e.line[1].total, 6150, "XOF total");
	T_EQ_STR(e.officer, "moussa", "routed to the officer of its largest account");
	T_EQ_STR(e.branch, "DKR", "of its branch");
	T_EQ_INT(exposure_client(s, "C1", day("2026-04-01"), &e, msg, sizeof msg), 0, "C1 on 04-01");
	T_EQ_INT(total(&e, "XOF"), 1150, "the commitment ended");
	T_EQ_INT(exposure_client(s, "C2", day("2026-03-15"), &e, msg, sizeof msg), 0, "C2");
	T_EQ_INT(total(&e, "XOF"), 600, "L3 only (L4 written off)");
	T_EQ_INT(exposure_client(s, "C2", day("2026-01-31"), &e, msg, sizeof msg), 0, "C2 in January");
	T_EQ_INT(total(&e, "XOF"), 1599, "L3 and L4 before the write-off");
	T_EQ_INT(exposure_group(s, "ACME", day("2026-03-15"), &e, msg, sizeof msg), 0, "group ACME");
	T_EQ_INT(total(&e, "XOF"), 6750, "C1 + C2 in XOF");
	T_EQ_INT(total(&e, "EUR"), 50000, "C1 in EUR");
	T_OK(!e.line[0].has_limit && !e.line[1].has_limit, "no limits yet");
	T_OK(!e.many_branches && strcmp(e.branch, "DKR") == 0, "group of one branch: %s", e.branch);

	/* limits: C1 7000 XOF (admin import), ACME 8000 XOF; a pending one is ignored */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_risk_limit lc = {.subject_kind = RISK_SUBJECT_CLIENT,
	                       .subject = "C1",
	                       .currency = "XOF",
	                       .amount = 7000,
	                       .from_on = day("2026-01-01"),
	                       .effective = 1};
	store_risk_limit lg = {.subject_kind = RISK_SUBJECT_GROUP,
	                       .subject = "ACME",
	                       .currency = "XOF",
	                       .amount = 8000,
	                       .from_on = day("2026-01-01"),
	                       .effective = 1};
	store_risk_limit lp = {.subject_kind = RISK_SUBJECT_CLIENT,
	                       .subject = "C2",
	                       .currency = "XOF",
	                       .amount = 1,
	                       .from_on = day("2026-01-01"),
	                       .approval_id = 9};
	T_OK(store_risk_limit_put(s, &lc) == STORE_OK && store_risk_limit_put(s, &lg) == STORE_OK &&
	         store_risk_limit_put(s, &lp) == STORE_OK,
	     "limits");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(exposure_client(s, "C1", day("2026-03-15"), &e, msg, sizeof msg), 0, "C1 with limit");
	T_OK(e.line[1].has_limit && e.line[1].limit.amount == 7000, "C1's limit in XOF");
	T_OK(!e.line[0].has_limit, "none in EUR");

	/* a new loan of 1000 to C1 on 03-15: C1 7150 > 7000 and ACME 7750 <= 8000: flagged, written */
	T_EQ_INT(imp(s, IMPORT_LOANS,
	             "loan_id,client_id,currency,principal,disbursed_on,installments\nL5,C1,XOF,1000,2026-03-"
	             "15,4\n",
	             err, sizeof err),
	         IMPORT_DONE, "flagged: imported");
	T_OK(
	    strstr(
	        err,
	        "in.csv:2: warning: limit exceeded: client C1: exposure 7150 XOF above the limit 7000 XOF") !=
	        NULL,
	    "warned at its line: %s", err);
	T_OK(strstr(err, "group ACME") == NULL, "the group is within its limit");
	store_account a;
	T_EQ_INT(store_account_get(s, "L5", &a), STORE_OK, "L5 written");
	store_alert_filter af = {.kind = "limit_exceeded"};
	alert_seen as = {0};
	T_EQ_INT(store_alerts_each(s, &af, count_alert, &as), STORE_OK, "alerts");
	T_EQ_INT(as.n, 1, "the breach's alert is stored with the posting");
	T_EQ_STR(as.last.assignee, "moussa", "routed to C1's officer");
	T_EQ_STR(as.last.branch, "DKR", "with its branch");
	T_EQ_STR(as.last.client_ext_id, "C1", "about C1");

	/* refuse: a loan of 900 to C2 on 03-15 takes ACME to 8650 > 8000: refused, nothing written */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_risk_setting_set(s, "limit_breach", "refuse"), STORE_OK, "refuse");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(imp(s, IMPORT_LOANS,
	             "loan_id,client_id,currency,principal,disbursed_on,installments\n"
	             "L6,C3,XOF,100000,2026-03-15,4\nL7,C2,XOF,900,2026-03-15,3\n",
	             err, sizeof err),
	         IMPORT_REJECTED, "refused");
	T_OK(strstr(err, "in.csv:3: principal: expected an exposure within the limit, found group ACME: "
	                 "exposure 8650 XOF"
	                 " above the limit 8000 XOF") != NULL,
	     "the error at its line: %s", err);
	T_EQ_INT(store_account_get(s, "L7", &a), STORE_NOT_FOUND, "L7 not written");
	T_EQ_INT(store_account_get(s, "L6", &a), STORE_NOT_FOUND, "nor L6 (all or nothing)");
	T_OK(strstr(err, "no alert raised") != NULL, "says no alert is raised: %s", err);
	as.n = 0;
	T_EQ_INT(store_alerts_each(s, &af, count_alert, &as), STORE_OK, "alerts");
	T_EQ_INT(as.n, 1, "a refused posting raises no alert");
	/* within the limits the same mode lets it through */
	T_EQ_INT(imp(s, IMPORT_LOANS,
	             "loan_id,client_id,currency,principal,disbursed_on,installments\nL7,C2,XOF,200,2026-03-"
	             "15,2\n",
	             err, sizeof err),
	         IMPORT_DONE, "within the limit");
	/* an invoice is a posting too */
	T_EQ_INT(imp(s, IMPORT_INVOICES,
	             "invoice_id,client_id,currency,amount,issued_on,due_on\nI2,C2,XOF,5000,2026-03-20,2026-"
	             "04-20\n",
	             err, sizeof err),
	         IMPORT_REJECTED, "an invoice over the group limit");
	/* a bad setting is an error, not a silent flag */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_risk_setting_set(s, "limit_breach", "maybe"), STORE_OK, "bad setting");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(
	    imp(s, IMPORT_INVOICES,
	        "invoice_id,client_id,currency,amount,issued_on,due_on\nI3,C3,XOF,5,2026-03-20,2026-04-20\n",
	        err, sizeof err),
	    IMPORT_FAILED, "import refused with a bad setting");
	T_OK(strstr(err, "expected flag or refuse") != NULL, "said why: %s", err);

	/* alerts */
	exposure_breach b = {
	    .kind = RISK_SUBJECT_CLIENT, .subject = "C1", .client_ext_id = "C1", .day = day("2026-03-15")};
	b.line = e.line[1];
	b.line.total = 7150;
	store_alert al;
	exposure_breach_alert(&b, &al);
	T_EQ_STR(al.kind, "limit_exceeded", "alert kind");
	T_EQ_STR(al.assignee, "role:supervisor", "no officer in the breach: the branch's supervisor");
	snprintf(b.officer, sizeof b.officer, "moussa");
	exposure_breach_alert(&b, &al);
	T_EQ_STR(al.assignee, "moussa", "routed by exposure_breach_alert");
	T_OK(strstr(al.dedupe_key, "limit_exceeded:client:C1:XOF:") == al.dedupe_key, "dedupe key %s",
	     al.dedupe_key);
	b.kind = RISK_SUBJECT_GROUP;
	b.many_branches = 1;
	exposure_breach_alert(&b, &al);
	T_EQ_STR(al.assignee, "role:manager", "a group over several branches: a manager");
	b.kind = RISK_SUBJECT_CLIENT;
	exposure_breach_alert(&b, &al);
	risk_alert_route_one(&al, "moussa", "DKR");
	T_EQ_STR(al.assignee, "moussa", "to the officer");
	risk_alert_route_one(&al, "", "THS");
	T_EQ_STR(al.assignee, "role:supervisor", "else the branch's supervisor");
	T_EQ_STR(al.branch, "THS", "of that branch");
	risk_alert_route_many(&al, NULL);
	T_EQ_STR(al.assignee, "role:manager", "several branches: a manager");
	done(&fx, s);
}

int main(void)
{
	return store_fixture_main("test_exposure", test_exposure);
}

/* test_report.c: the ledger blob codec, report aggregation and ratios, the JSON writer, the id set. */
#include <stdlib.h>

#include "core/ledger_blob.h"
#include "core/report.h"
#include "io/csv_out.h"
#include "io/idset.h"
#include "io/json_out.h"
#include "t.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Field by field: the structs have padding, which memcmp would compare too. */
static int same(const obligation *a, const obligation *b, int no, const ledger_payment *p,
                const ledger_payment *q, int np)
{
	for (int i = 0; i < no; i++) {
		if (a[i].due_on != b[i].due_on) return 0;
		for (int c = 0; c < COMP_N; c++)
			if (a[i].amount[c] != b[i].amount[c]) return 0;
	}
	for (int i = 0; i < np; i++)
		if (p[i].paid_on != q[i].paid_on || p[i].reversed_on != q[i].reversed_on ||
		    p[i].amount != q[i].amount)
			return 0;
	return 1;
}

static void test_blob_roundtrip(void)
{
	obligation ob[40], ob2[40];
	ledger_payment pay[60], pay2[60];
	uint8_t buf[8192];
	for (int round = 0; round < 300; round++) {
		int no = (int)(next() % 40), np = (int)(next() % 60);
		civil_day d = (civil_day)(next() % 40000) - 10000;
		for (int i = 0; i < no; i++) {
			d += (civil_day)(next() % 40);
			ob[i].due_on = d;
			for (int c = 0; c < COMP_N; c++)
				ob[i].amount[c] =
				    round % 7 == 0 ? (int64_t)(next() >> 1) : (int64_t)(next() % 1000000);
		}
		d = (civil_day)(next() % 40000) - 10000;
		for (int i = 0; i < np; i++) {
			d += (civil_day)(next() % 20);
			pay[i].paid_on = d;
			pay[i].amount = (int64_t)(next() % 5000000) + 1;
			pay[i].reversed_on = next() % 5 == 0 ? d + (civil_day)(next() % 30) : DATE_NONE;
		}
		size_t len = ledger_blob_encode(ob, no, pay, np, buf, sizeof buf);
		T_OK(len > 0 && len <= ledger_blob_bound(no, np), "encode round %d", round);
		int n1, n2;
		T_OK(ledger_blob_counts(buf, len, &n1, &n2) == 0 && n1 == no && n2 == np, "counts round %d",
		     round);
		T_OK(ledger_blob_decode(buf, len, ob2, 40, &n1, pay2, 60, &n2) == 0, "decode round %d",
		     round);
		T_OK(n1 == no && n2 == np && same(ob, ob2, no, pay, pay2, np),
		     "round trip identical, round %d", round);
		/* every truncation is rejected, never read past the end */
		for (size_t cut = 0; cut < len; cut += 1 + len / 17) {
			uint8_t *t = malloc(cut ? cut : 1);
			memcpy(t, buf, cut);
			T_OK(ledger_blob_decode(t, cut, ob2, 40, &n1, pay2, 60, &n2) != 0,
			     "truncated at %zu rejected", cut);
			free(t);
		}
		if (no > 2)
			T_EQ_INT(ledger_blob_decode(buf, len, ob2, 1, &n1, pay2, 60, &n2), -2,
			         "too small arrays");
	}
	T_EQ_INT(ledger_blob_encode(ob, 1, pay, 0, buf, 3), 0, "cap too small gives 0");
	uint8_t bad[] = {9, 0, 0};
	int a, b;
	T_OK(ledger_blob_counts(bad, 3, &a, &b) != 0, "unknown version rejected");
	uint8_t huge[] = {1, 0xff, 0xff, 0xff, 0x7f, 0};
	T_OK(ledger_blob_counts(huge, sizeof huge, &a, &b) != 0, "impossible count rejected");
	uint8_t trailing[] = {1, 0, 0, 0};
	T_OK(ledger_blob_decode(trailing, 4, ob2, 1, &a, pay2, 1, &b) != 0, "trailing bytes rejected");
}

static void test_ratio(void)
{
	static const struct {
		int64_t num, den;
		const char *want;
	} cases[] = {
	    {0, 100, "0.000000"},
	    {1, 3, "0.333333"},
	    {2, 3, "0.666667"},
	    {1, 2, "0.500000"},
	    {100, 100, "1.000000"},
	    {5, 0, "0.000000"},
	    {1, 2000000, "0.000001"},
	    {1, 2000001, "0.000000"},
	    {INT64_MAX, INT64_MAX, "1.000000"},
	    {123456789, 1000000000, "0.123457"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char b[32];
		report_ratio(cases[i].num, cases[i].den, b, sizeof b);
		T_EQ_STR(b, cases[i].want, "ratio");
	}
}

static void test_par_agg(void)
{
	report_agg *a = report_agg_new(REPORT_PAR);
	/* XOF: dpd 0, 5, 31, 45, 95, 200; EUR: 0 and 30 */
	T_OK(report_agg_add_par(a, "XOF", "Thies", 0, 1000) == 0, "add");
	report_agg_add_par(a, "XOF", "Thies", 5, 2000);
	report_agg_add_par(a, "XOF", "Dakar", 31, 3000);
	report_agg_add_par(a, "XOF", "Dakar", 45, 4000);
	report_agg_add_par(a, "XOF", "", 95, 5000);
	report_agg_add_par(a, "XOF", "Dakar", 200, 6000);
	report_agg_add_par(a, "EUR", "Lyon", 0, 100);
	report_agg_add_par(a, "EUR", "Lyon", 30, 50);
	const par_row *r;
	size_t n = report_agg_rows(a, &r, NULL);
	T_EQ_INT(n, 6, "rows: EUR total, Lyon, XOF total, (none), Dakar, Thies");
	T_EQ_STR(r[0].currency, "EUR", "sorted by currency");
	T_EQ_STR(r[0].key, "", "total first");
	T_EQ_INT(r[0].gross, 150, "EUR gross");
	T_EQ_INT(r[0].amount[PAR_1_30], 50, "30 days is 1-30");
	T_EQ_STR(r[2].currency, "XOF", "XOF");
	T_EQ_INT(r[2].gross, 21000, "XOF gross");
	T_EQ_INT(r[2].loans, 6, "XOF loans");
	T_EQ_INT(r[2].amount[PAR_CURRENT], 1000, "current");
	T_EQ_INT(r[2].amount[PAR_1_30], 2000, "1-30");
	T_EQ_INT(r[2].amount[PAR_31_60], 7000, "31-60 (31 and 45)");
	T_EQ_INT(r[2].amount[PAR_91_180], 5000, "91-180");
	T_EQ_INT(r[2].amount[PAR_OVER_180], 6000, "over 180");
	T_EQ_INT(r[2].count[PAR_31_60], 2, "two loans 31-60");
	T_EQ_STR(r[3].key, "(none)", "empty group key shown as (none)");
	T_EQ_STR(r[4].key, "Dakar", "groups sorted");
	T_EQ_INT(r[4].gross, 13000, "Dakar gross");
	/* adding after reading keeps working (index rebuilt) */
	T_OK(report_agg_add_par(a, "XOF", "Dakar", 1, 7) == 0, "add after read");
	n = report_agg_rows(a, &r, NULL);
	T_EQ_INT(n, 6, "no new row for an existing key");
	T_EQ_INT(r[4].gross, 13007, "Dakar updated");
	T_OK(report_agg_add_par(a, "XOF", NULL, 0, INT64_MAX) != 0, "overflow reported");
	report_agg_free(a);

	/* many groups: the hash grows */
	a = report_agg_new(REPORT_PAR);
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "officer-%04d", i % 1000);
		report_agg_add_par(a, "XOF", key, i % 200, 10);
	}
	n = report_agg_rows(a, &r, NULL);
	T_EQ_INT(n, 1001, "1000 groups and a total");
	T_EQ_INT(r[0].gross, 50000, "total of many");
	T_EQ_INT(r[1].gross, 50, "each group 5 loans");
	report_agg_free(a);
}

/* Two halves merged give the figures of the whole. */
static void test_merge(void)
{
	report_agg *whole = report_agg_new(REPORT_PAR), *a = report_agg_new(REPORT_PAR),
	           *b = report_agg_new(REPORT_PAR);
	static const char *keys[] = {"Dakar", "Thies", "Lyon", ""};
	static const char *curs[] = {"XOF", "EUR"};
	for (int i = 0; i < 500; i++) {
		const char *k = keys[i % 4], *c = curs[i % 3 == 0];
		int32_t dpd = (i * 37) % 250;
		int64_t amt = 1000 + i * 13;
		report_agg_add_par(whole, c, k, dpd, amt);
		report_agg_add_par(i % 2 ? a : b, c, k, dpd, amt);
	}
	T_OK(report_agg_merge(a, b) == 0, "merge");
	const par_row *rw, *ra;
	size_t nw = report_agg_rows(whole, &rw, NULL), na = report_agg_rows(a, &ra, NULL);
	T_EQ_INT(na, nw, "same rows");
	int same = na == nw;
	for (size_t i = 0; same && i < nw; i++)
		same = strcmp(rw[i].currency, ra[i].currency) == 0 && strcmp(rw[i].key, ra[i].key) == 0 &&
		       rw[i].gross == ra[i].gross && rw[i].loans == ra[i].loans &&
		       memcmp(rw[i].amount, ra[i].amount, sizeof rw[i].amount) == 0 &&
		       memcmp(rw[i].count, ra[i].count, sizeof rw[i].count) == 0;
	T_OK(same, "merged halves equal the whole");
	report_agg *g = report_agg_new(REPORT_AGEING);
	T_OK(report_agg_merge(g, a) != 0, "kinds must agree");
	report_agg_free(g);
	report_agg_free(whole);
	report_agg_free(a);
	report_agg_free(b);
}

static void test_ageing(void)
{
	obligation ob[4] = {{.due_on = 100}, {.due_on = 130}, {.due_on = 160}, {.due_on = 300}};
	int64_t paid[4][COMP_N] = {{0}};
	for (int i = 0; i < 4; i++) {
		ob[i].amount[COMP_PRINCIPAL] = 1000;
		ob[i].amount[COMP_INTEREST] = 100;
	}
	paid[0][COMP_INTEREST] = 100;
	paid[0][COMP_PRINCIPAL] = 400; /* 600 left, 100 days late on day 200 */
	paid[1][COMP_INTEREST] = 100;
	paid[1][COMP_PRINCIPAL] = 1000; /* fully paid */
	int64_t amount[AGE_NBUCKETS], count[AGE_NBUCKETS];
	report_age_account(ob, 4, (const int64_t(*)[COMP_N])paid, 200, amount, count);
	T_EQ_INT(amount[AGE_OVER_90], 600, "100 days: over 90");
	T_EQ_INT(amount[AGE_31_60], 1100, "40 days: 31-60");
	T_EQ_INT(amount[AGE_NOT_DUE], 1100, "future: not due");
	T_EQ_INT(count[AGE_1_30] + amount[AGE_1_30], 0, "nothing 1-30");
	report_age_account(ob, 4, (const int64_t(*)[COMP_N])paid, 160, amount, count);
	T_EQ_INT(amount[AGE_NOT_DUE], 2200, "due today is not overdue");
	T_EQ_INT(amount[AGE_31_60], 600, "60 days: 31-60");

	report_agg *a = report_agg_new(REPORT_AGEING);
	int64_t am[AGE_NBUCKETS] = {10, 20, 0, 0, 5}, ct[AGE_NBUCKETS] = {1, 2, 0, 0, 1};
	report_agg_add_ageing(a, "EUR", "Paris", am, ct, 7);
	report_agg_add_ageing(a, "EUR", "Lyon", am, ct, 0);
	const ageing_row *r;
	size_t n = report_agg_rows(a, NULL, &r);
	T_EQ_INT(n, 3, "total and two groups");
	T_EQ_INT(r[0].total, 70, "total unpaid");
	T_EQ_INT(r[0].credit, 7, "credit kept apart");
	T_EQ_INT(r[0].accounts[AGE_1_30], 2, "accounts per bucket");
	T_EQ_INT(r[0].count[AGE_1_30], 4, "obligations per bucket");
	T_EQ_INT(r[0].accounts[AGE_31_60], 0, "no account in an empty bucket");
	report_agg_free(a);
	report_group g;
	T_OK(report_group_parse("officer", &g) == 0 && g == GROUP_OFFICER, "group parse");
	T_OK(report_group_parse("region", &g) != 0, "unknown group");
}

static void test_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_out j;
	json_init(&j, f, 0);
	json_obj_begin(&j);
	json_kstr(&j, "a", "x\"y\\z\n\x01é");
	json_key(&j, "l");
	json_arr_begin(&j);
	json_int(&j, -5);
	json_raw(&j, "0.5");
	json_obj_begin(&j);
	json_obj_end(&j);
	json_arr_begin(&j);
	json_arr_end(&j);
	json_nullv(&j);
	json_bool(&j, 1);
	json_arr_end(&j);
	json_obj_end(&j);
	fclose(f);
	T_EQ_STR(buf, "{\"a\":\"x\\\"y\\\\z\\n\\u0001é\",\"l\":[-5,0.5,{},[],null,true]}", "json text");
	free(buf);
	f = open_memstream(&buf, &len);
	json_init(&j, f, 0);
	for (int i = 0; i < JSON_OUT_DEPTH + 3; i++)
		json_arr_begin(&j);
	fclose(f);
	T_OK(j.err, "too deep is flagged");
	free(buf);
}

static void test_csv_out(void)
{
	static const char *in[] = {"plain", "a,b", "say \"hi\"", "two\nlines", ""};
	static const char *want[] = {"plain", "\"a,b\"", "\"say \"\"hi\"\"\"", "\"two\nlines\"", ""};
	for (int i = 0; i < 5; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		csv_out_field(f, in[i]);
		fclose(f);
		T_EQ_STR(buf, want[i], "csv field");
		free(buf);
	}
}

static void test_idset(void)
{
	idset *s = idset_new();
	char id[32];
	for (long i = 0; i < 100000; i++) {
		int n = snprintf(id, sizeof id, "L%07ld", i);
		if (idset_add(s, id, (size_t)n, i + 2) != 0) {
			T_OK(0, "new id %s reported as seen", id);
			break;
		}
	}
	T_EQ_INT(idset_add(s, "L0000042", 8, 999), 44, "duplicate gives the first line");
	T_EQ_INT(idset_find(s, "L0099999", 8), 100001, "find");
	T_EQ_INT(idset_find(s, "L0100000", 8), 0, "absent");
	T_EQ_INT(idset_find(s, "L000004", 7), 0, "prefix is not a match");
	idset_free(s);
}

int main(void)
{
	test_blob_roundtrip();
	test_ratio();
	test_par_agg();
	test_ageing();
	test_merge();
	test_json();
	test_csv_out();
	test_idset();
	return t_done("test_report");
}

/* test_schedule.c: unit tests of schedule.c: hand-computed schedules (flat, declining, weekly,
 * biweekly, monthly), month-end anchoring, grace periods, single installment, zero rate, errors and
 * overflow, and properties checked on a few thousand deterministic pseudo-random loans against an
 * independent re-statement of the rules written here. */
#include <stdint.h>
#include <string.h>

#include "core/date.h"
#include "core/schedule.h"
#include "t.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static civil_day D(const char *s)
{
	civil_day d = DATE_NONE;
	if (date_parse(s, strlen(s), &d) != DATE_OK) printf("# bad date in test: %s\n", s);
	return d;
}

static schedule_terms terms(int64_t principal, const char *disbursed, int n, schedule_freq f,
                            schedule_method m, int64_t rate_ppm, int grace, int64_t fee)
{
	schedule_terms t;
	memset(&t, 0, sizeof t);
	t.principal = principal;
	t.disbursed_on = D(disbursed);
	t.n_installments = n;
	t.freq = f;
	t.method = m;
	t.annual_rate_ppm = rate_ppm;
	t.grace_periods = grace;
	t.fee_per_installment = fee;
	return t;
}

struct row {
	const char *due;
	int64_t interest, principal;
};

/* Compares a generated schedule with the expected rows (fee and penalty checked too). */
static void check_rows(const char *what, const obligation *ob, const struct row *rows, int n, int64_t fee)
{
	for (int k = 0; k < n; k++) {
		char got_due[16];
		date_format(ob[k].due_on, got_due, sizeof got_due);
		T_OK(ob[k].due_on == D(rows[k].due), "%s #%d: due %s, want %s", what, k + 1, got_due,
		     rows[k].due);
		T_OK(ob[k].amount[COMP_INTEREST] == rows[k].interest, "%s #%d: interest %lld, want %lld",
		     what, k + 1, (long long)ob[k].amount[COMP_INTEREST], (long long)rows[k].interest);
		T_OK(ob[k].amount[COMP_PRINCIPAL] == rows[k].principal, "%s #%d: principal %lld, want %lld",
		     what, k + 1, (long long)ob[k].amount[COMP_PRINCIPAL], (long long)rows[k].principal);
		T_OK(ob[k].amount[COMP_FEE] == fee, "%s #%d: fee %lld", what, k + 1,
		     (long long)ob[k].amount[COMP_FEE]);
		T_OK(ob[k].amount[COMP_PENALTY] == 0, "%s #%d: penalty", what, k + 1);
	}
}

/* ---- hand-computed schedules ------------------------------------------------------------------ */

/* 1,000,000 XOF at 24% a year, 12 monthly installments, declining balance, disbursed 2024-01-31.
 * Period rate r = 0.24 / 12 = 2%. The exact annuity is
 *   A = P r / (1 - (1 + r)^-12) = 20000 / (1 - 1/1.26824179) = 20000 / 0.21150682 = 94,559.60 XOF,
 * so the smallest whole level amount that repays the loan is 94,560 (94,559 leaves 7 XOF unpaid).
 * Each line: interest = 2% of the balance rounded half up, principal = 94,560 - interest:
 *   1: 2% of 1,000,000 = 20,000.00 -> 20000, principal 74,560, balance 925,440
 *   2: 2% of 925,440 = 18,508.8 -> 18509, principal 76,051, balance 849,389
 *   3: 2% of 849,389 = 16,987.78 -> 16988, principal 77,572, balance 771,817 ... and so on;
 *  12: 2% of 92,701 = 1,854.02 -> 1854, the last takes the residue 92,701 (installment 94,555).
 * Due dates stay on month ends (Jan 31 is a month end): Feb 29, Mar 31, Apr 30, ... */
static const struct row declining12[] = {
    {"2024-02-29", 20000, 74560}, {"2024-03-31", 18509, 76051}, {"2024-04-30", 16988, 77572},
    {"2024-05-31", 15436, 79124}, {"2024-06-30", 13854, 80706}, {"2024-07-31", 12240, 82320},
    {"2024-08-31", 10593, 83967}, {"2024-09-30", 8914, 85646},  {"2024-10-31", 7201, 87359},
    {"2024-11-30", 5454, 89106},  {"2024-12-31", 3672, 90888},  {"2025-01-31", 1854, 92701},
};

static void test_declining_monthly(void)
{
	obligation ob[12];
	schedule_terms t = terms(1000000, "2024-01-31", 12, FREQ_MONTHLY, INTEREST_DECLINING, 240000, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 12), SCHEDULE_OK, "declining 12");
	check_rows("declining 12", ob, declining12, 12, 0);
	for (int k = 0; k < 11; k++)
		T_EQ_INT(ob[k].amount[COMP_INTEREST] + ob[k].amount[COMP_PRINCIPAL], 94560,
		         "level installment");
	T_EQ_INT(ob[11].amount[COMP_INTEREST] + ob[11].amount[COMP_PRINCIPAL], 94555, "last installment");

	/* the same loan with a fee of 500 per installment: only the fee column changes */
	t.fee_per_installment = 500;
	T_EQ_INT(schedule_generate(&t, ob, 12), SCHEDULE_OK, "declining 12 with fee");
	check_rows("declining 12 with fee", ob, declining12, 12, 500);
}

/* 100,000 XOF flat at 52% a year, 10 weekly installments, fee 250, disbursed Monday 2024-03-04.
 * Period rate 52% / 52 = 1%: interest 1% of 100,000 = 1,000 every week on the original principal;
 * principal 100,000 / 10 = 10,000 each. Due every Monday, 7 days apart. */
static const struct row flat_weekly[] = {
    {"2024-03-11", 1000, 10000}, {"2024-03-18", 1000, 10000}, {"2024-03-25", 1000, 10000},
    {"2024-04-01", 1000, 10000}, {"2024-04-08", 1000, 10000}, {"2024-04-15", 1000, 10000},
    {"2024-04-22", 1000, 10000}, {"2024-04-29", 1000, 10000}, {"2024-05-06", 1000, 10000},
    {"2024-05-13", 1000, 10000},
};

static void test_flat_weekly(void)
{
	obligation ob[10];
	schedule_terms t = terms(100000, "2024-03-04", 10, FREQ_WEEKLY, INTEREST_FLAT, 520000, 0, 250);
	T_EQ_INT(schedule_generate(&t, ob, 10), SCHEDULE_OK, "flat weekly");
	check_rows("flat weekly", ob, flat_weekly, 10, 250);
	for (int k = 0; k < 10; k++)
		T_EQ_INT(date_weekday(ob[k].due_on), 0, "flat weekly: due on Mondays");
}

/* 1,000.00 (minor 1000) flat at 12% a year, 3 monthly installments: interest 1% of 1000 = 10 each;
 * principal 1000 / 3 = 333 each, remainder 1 on the last (334). Disbursed 2024-01-15. */
static const struct row flat_remainder[] = {
    {"2024-02-15", 10, 333},
    {"2024-03-15", 10, 333},
    {"2024-04-15", 10, 334},
};

/* Interest rounding half up: 1,250 flat at 12% monthly gives 12.5 -> 13 interest per period. */
static const struct row flat_half_up[] = {
    {"2024-02-15", 13, 625},
    {"2024-03-15", 13, 625},
};

static void test_flat_monthly(void)
{
	obligation ob[3];
	schedule_terms t = terms(1000, "2024-01-15", 3, FREQ_MONTHLY, INTEREST_FLAT, 120000, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 3), SCHEDULE_OK, "flat remainder");
	check_rows("flat remainder", ob, flat_remainder, 3, 0);

	t = terms(1250, "2024-01-15", 2, FREQ_MONTHLY, INTEREST_FLAT, 120000, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 3), SCHEDULE_OK, "flat half up");
	check_rows("flat half up", ob, flat_half_up, 2, 0);

	/* 1,249 at 12% gives 12.49 -> 12 */
	t.principal = 1249;
	T_EQ_INT(schedule_generate(&t, ob, 3), SCHEDULE_OK, "flat below half");
	T_EQ_INT(ob[0].amount[COMP_INTEREST], 12, "12.49 rounds down");
	T_EQ_INT(ob[0].amount[COMP_PRINCIPAL] + ob[1].amount[COMP_PRINCIPAL], 1249, "flat below half sum");
}

/* 2,600.00 (minor 260000) at 26% a year, 4 biweekly installments, declining, disbursed 2024-12-20.
 * Period rate 26% / 26 = 1%. Annuity 2600 / (1 - 1/1.04060401) = 2600 / 0.03901966 = 66,633.08, so
 * the level amount is 66,634:
 *   1: 1% of 260,000 = 2,600, principal 64,034, balance 195,966
 *   2: 1% of 195,966 = 1,959.66 -> 1,960, principal 64,674, balance 131,292
 *   3: 1% of 131,292 = 1,312.92 -> 1,313, principal 65,321, balance 65,971
 *   4: 1% of 65,971 = 659.71 -> 660, last principal 65,971 (installment 66,631).
 * Due every 14 days, across the new year. */
static const struct row declining_biweekly[] = {
    {"2025-01-03", 2600, 64034},
    {"2025-01-17", 1960, 64674},
    {"2025-01-31", 1313, 65321},
    {"2025-02-14", 660, 65971},
};

static void test_biweekly(void)
{
	obligation ob[4];
	schedule_terms t = terms(260000, "2024-12-20", 4, FREQ_BIWEEKLY, INTEREST_DECLINING, 260000, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OK, "biweekly");
	check_rows("biweekly", ob, declining_biweekly, 4, 0);
}

/* ---- grace periods ---------------------------------------------------------------------------- */

/* 1,000,000 XOF at 24%, 6 monthly installments of which 2 are grace: interest only (20,000) for 2
 * months, then a 4-period annuity: 20000 / (1 - 1/1.08243216) = 20000 / 0.07615475 = 262,623.75,
 * level amount 262,624:
 *   3: 20,000 interest, principal 242,624, balance 757,376
 *   4: 2% of 757,376 = 15,147.52 -> 15,148, principal 247,476, balance 509,900
 *   5: 2% of 509,900 = 10,198, principal 252,426, balance 257,474
 *   6: 2% of 257,474 = 5,149.48 -> 5,149, last principal 257,474. */
static const struct row grace_declining[] = {
    {"2024-02-10", 20000, 0},      {"2024-03-10", 20000, 0},      {"2024-04-10", 20000, 242624},
    {"2024-05-10", 15148, 247476}, {"2024-06-10", 10198, 252426}, {"2024-07-10", 5149, 257474},
};

/* The same in flat: 20,000 interest every period on the original principal, 1,000,000 / 4 = 250,000
 * of principal in each of the 4 periods after the grace. */
static const struct row grace_flat[] = {
    {"2024-02-10", 20000, 0},      {"2024-03-10", 20000, 0},      {"2024-04-10", 20000, 250000},
    {"2024-05-10", 20000, 250000}, {"2024-06-10", 20000, 250000}, {"2024-07-10", 20000, 250000},
};

static void test_grace(void)
{
	obligation ob[6];
	schedule_terms t = terms(1000000, "2024-01-10", 6, FREQ_MONTHLY, INTEREST_DECLINING, 240000, 2, 300);
	T_EQ_INT(schedule_generate(&t, ob, 6), SCHEDULE_OK, "grace declining");
	check_rows("grace declining", ob, grace_declining, 6, 300);
	t.method = INTEREST_FLAT;
	T_EQ_INT(schedule_generate(&t, ob, 6), SCHEDULE_OK, "grace flat");
	check_rows("grace flat", ob, grace_flat, 6, 300);

	/* the largest grace: everything on the last installment */
	t = terms(90000, "2024-01-10", 3, FREQ_WEEKLY, INTEREST_DECLINING, 520000, 2, 0);
	T_EQ_INT(schedule_generate(&t, ob, 6), SCHEDULE_OK, "grace n-1");
	static const struct row grace_max[] = {
	    {"2024-01-17", 900, 0},
	    {"2024-01-24", 900, 0},
	    {"2024-01-31", 900, 90000},
	};
	check_rows("grace n-1", ob, grace_max, 3, 0);
}

/* ---- month ends, single installment, zero rate ------------------------------------------------ */

static void test_month_ends(void)
{
	obligation ob[13];
	/* Jan 31 is a month end: every due date is the last day of its month (anchored, not chained:
	 * chaining would give Feb 29, Mar 29, Apr 29, ...). */
	static const char *const from_jan31[] = {
	    "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31", "2024-08-31",
	    "2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31", "2025-01-31", "2025-02-28"};
	schedule_terms t = terms(1300000, "2024-01-31", 13, FREQ_MONTHLY, INTEREST_FLAT, 0, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 13), SCHEDULE_OK, "from Jan 31");
	for (int k = 0; k < 13; k++)
		T_OK(ob[k].due_on == D(from_jan31[k]), "from Jan 31 #%d: want %s", k + 1, from_jan31[k]);

	/* Feb 29 2024 is a month end: the end-of-month rule keeps the schedule on month ends */
	static const char *const from_feb29[] = {"2024-03-31", "2024-04-30", "2024-05-31", "2025-02-28"};
	t = terms(1200000, "2024-02-29", 12, FREQ_MONTHLY, INTEREST_DECLINING, 180000, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 13), SCHEDULE_OK, "from Feb 29");
	T_OK(ob[0].due_on == D(from_feb29[0]), "from Feb 29 #1");
	T_OK(ob[1].due_on == D(from_feb29[1]), "from Feb 29 #2");
	T_OK(ob[2].due_on == D(from_feb29[2]), "from Feb 29 #3");
	T_OK(ob[11].due_on == D(from_feb29[3]), "from Feb 29 #12");

	/* Jan 30 is not a month end: the 30th, clipped to Feb 29 once, back to the 30th after */
	static const char *const from_jan30[] = {"2024-02-29", "2024-03-30", "2024-04-30", "2024-05-30"};
	t = terms(400000, "2024-01-30", 4, FREQ_MONTHLY, INTEREST_DECLINING, 120000, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 13), SCHEDULE_OK, "from Jan 30");
	for (int k = 0; k < 4; k++)
		T_OK(ob[k].due_on == D(from_jan30[k]), "from Jan 30 #%d: want %s", k + 1, from_jan30[k]);

	/* Feb 28 2023 is a month end (not a leap year): Mar 31, Apr 30, ..., Feb 29 2024 */
	t = terms(120000, "2023-02-28", 12, FREQ_MONTHLY, INTEREST_FLAT, 0, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 13), SCHEDULE_OK, "from Feb 28 2023");
	T_OK(ob[0].due_on == D("2023-03-31"), "from Feb 28 2023 #1");
	T_OK(ob[1].due_on == D("2023-04-30"), "from Feb 28 2023 #2");
	T_OK(ob[11].due_on == D("2024-02-29"), "from Feb 28 2023 #12");

	/* Feb 28 2024 is not a month end: stays on the 28th */
	t.disbursed_on = D("2024-02-28");
	T_EQ_INT(schedule_generate(&t, ob, 13), SCHEDULE_OK, "from Feb 28 2024");
	T_OK(ob[0].due_on == D("2024-03-28"), "from Feb 28 2024 #1");
	T_OK(ob[11].due_on == D("2025-02-28"), "from Feb 28 2024 #12");
}

static void test_single(void)
{
	obligation ob[1];
	/* 50,000 at 24% for one month: 2% = 1,000 interest, everything repaid at once */
	schedule_terms t = terms(50000, "2024-01-31", 1, FREQ_MONTHLY, INTEREST_DECLINING, 240000, 0, 100);
	T_EQ_INT(schedule_generate(&t, ob, 1), SCHEDULE_OK, "single declining");
	static const struct row single[] = {{"2024-02-29", 1000, 50000}};
	check_rows("single declining", ob, single, 1, 100);
	t.method = INTEREST_FLAT;
	T_EQ_INT(schedule_generate(&t, ob, 1), SCHEDULE_OK, "single flat");
	check_rows("single flat", ob, single, 1, 100);
	/* a week at 52%: 1% of 50,000 = 500 */
	t = terms(50000, "2024-01-31", 1, FREQ_WEEKLY, INTEREST_DECLINING, 520000, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 1), SCHEDULE_OK, "single weekly");
	static const struct row single_week[] = {{"2024-02-07", 500, 50000}};
	check_rows("single weekly", ob, single_week, 1, 0);
	/* one minor unit */
	t = terms(1, "2024-01-31", 1, FREQ_MONTHLY, INTEREST_FLAT, 240000, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 1), SCHEDULE_OK, "single minor unit");
	T_EQ_INT(ob[0].amount[COMP_PRINCIPAL], 1, "single minor unit principal");
	T_EQ_INT(ob[0].amount[COMP_INTEREST], 0, "0.02 rounds to 0");
}

static void test_zero_rate(void)
{
	static const struct {
		int64_t p;
		int n, g;
		int64_t parts[6]; /* principal per installment */
	} cases[] = {
	    {1000, 3, 0, {333, 333, 334}},
	    {10, 4, 0, {2, 2, 2, 4}},
	    {3, 5, 0, {0, 0, 0, 0, 3}}, /* fewer minor units than installments */
	    {1200, 4, 1, {0, 400, 400, 400}},
	    {7, 1, 0, {7}},
	    {600000, 6, 0, {100000, 100000, 100000, 100000, 100000, 100000}},
	};
	for (size_t i = 0; i < N(cases); i++) {
		for (int method = 0; method < 2; method++) {
			obligation ob[6];
			schedule_terms t = terms(cases[i].p, "2024-05-31", cases[i].n, FREQ_MONTHLY,
			                         (schedule_method)method, 0, cases[i].g, 0);
			T_EQ_INT(schedule_generate(&t, ob, 6), SCHEDULE_OK, "zero rate");
			for (int k = 0; k < cases[i].n; k++) {
				T_OK(ob[k].amount[COMP_PRINCIPAL] == cases[i].parts[k],
				     "zero rate %lld/%d method %d #%d: %lld, want %lld",
				     (long long)cases[i].p, cases[i].n, method, k + 1,
				     (long long)ob[k].amount[COMP_PRINCIPAL], (long long)cases[i].parts[k]);
				T_OK(ob[k].amount[COMP_INTEREST] == 0, "zero rate: no interest");
			}
		}
	}
}

/* ---- errors ----------------------------------------------------------------------------------- */

static void test_errors(void)
{
	obligation ob[4];
	const schedule_terms ok =
	    terms(100000, "2024-01-15", 3, FREQ_MONTHLY, INTEREST_DECLINING, 240000, 1, 0);
	T_EQ_INT(schedule_generate(&ok, ob, 4), SCHEDULE_OK, "valid terms");

	static const struct {
		const char *what;
		int field; /* which field to break */
		int64_t value;
		schedule_err err;
	} cases[] = {
	    {"principal 0", 0, 0, SCHEDULE_BAD_PRINCIPAL},
	    {"principal -1", 0, -1, SCHEDULE_BAD_PRINCIPAL},
	    {"principal INT64_MIN", 0, INT64_MIN, SCHEDULE_BAD_PRINCIPAL},
	    {"count 0", 1, 0, SCHEDULE_BAD_COUNT},
	    {"count -3", 1, -3, SCHEDULE_BAD_COUNT},
	    {"count 1001", 1, 1001, SCHEDULE_BAD_COUNT},
	    {"rate -1", 2, -1, SCHEDULE_BAD_RATE},
	    {"grace -1", 3, -1, SCHEDULE_BAD_GRACE},
	    {"grace n", 3, 3, SCHEDULE_BAD_GRACE},
	    {"grace n+1", 3, 4, SCHEDULE_BAD_GRACE},
	    {"fee -1", 4, -1, SCHEDULE_BAD_FEE},
	    {"freq 3", 5, 3, SCHEDULE_BAD_FREQ},
	    {"freq -1", 5, -1, SCHEDULE_BAD_FREQ},
	    {"method 2", 6, 2, SCHEDULE_BAD_METHOD},
	    {"disbursed DATE_NONE", 7, DATE_NONE, SCHEDULE_BAD_DATE},
	    {"disbursed after DATE_MAX", 7, DATE_MAX + 1, SCHEDULE_BAD_DATE},
	    {"disbursed before DATE_MIN", 7, DATE_MIN - 1, SCHEDULE_BAD_DATE},
	    {"due after 9999-12-31", 7, DATE_MAX - 40, SCHEDULE_BAD_DATE},
	    {"overflow: principal near INT64_MAX with interest", 0, INT64_MAX - 5, SCHEDULE_OVERFLOW},
	    {"overflow: fees", 4, INT64_MAX / 3, SCHEDULE_OVERFLOW},
	};
	for (size_t i = 0; i < N(cases); i++) {
		schedule_terms t = ok;
		switch (cases[i].field) {
		case 0:
			t.principal = cases[i].value;
			break;
		case 1:
			t.n_installments = (int)cases[i].value;
			break;
		case 2:
			t.annual_rate_ppm = cases[i].value;
			break;
		case 3:
			t.grace_periods = (int)cases[i].value;
			break;
		case 4:
			t.fee_per_installment = cases[i].value;
			break;
		case 5:
			t.freq = (schedule_freq)cases[i].value;
			break;
		case 6:
			t.method = (schedule_method)cases[i].value;
			break;
		case 7:
			t.disbursed_on = (civil_day)cases[i].value;
			break;
		}
		schedule_err e = schedule_generate(&t, ob, 4);
		T_OK(e == cases[i].err, "%s: %d (%s), want %d", cases[i].what, (int)e, schedule_strerror(e),
		     (int)cases[i].err);
	}

	T_EQ_INT(schedule_generate(&ok, ob, 2), SCHEDULE_NO_ROOM, "cap too small");
	T_EQ_INT(schedule_generate(&ok, NULL, 4), SCHEDULE_NO_ROOM, "NULL out");
	T_EQ_INT(schedule_generate(NULL, ob, 4), SCHEDULE_BAD_PRINCIPAL, "NULL terms");

	/* exact overflow boundary: the total of the schedule is principal + interest + fees */
	schedule_terms t = terms(INT64_MAX - 30, "2024-01-15", 3, FREQ_MONTHLY, INTEREST_FLAT, 0, 0, 10);
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OK, "total exactly INT64_MAX");
	T_EQ_INT(ob[0].amount[COMP_PRINCIPAL] + ob[1].amount[COMP_PRINCIPAL] + ob[2].amount[COMP_PRINCIPAL],
	         INT64_MAX - 30, "huge principal sums exactly");
	t.fee_per_installment = 11;
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OVERFLOW, "total INT64_MAX + 3");
	t = terms(INT64_MAX, "2024-01-15", 1, FREQ_MONTHLY, INTEREST_DECLINING, 0, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OK, "INT64_MAX at zero rate");
	t.annual_rate_ppm = 1; /* 1 ppm of INT64_MAX a year is still 768 billion a month */
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OVERFLOW, "INT64_MAX with interest");
	/* an absurd rate still computes exactly while the amounts fit: 10,000 at INT64_MAX ppm a year
	 * is 7.7e15 of interest in the first month, then the balance is gone */
	t = terms(10000, "2024-01-15", 3, FREQ_MONTHLY, INTEREST_DECLINING, INT64_MAX, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OK, "absurd rate, small loan");
	T_EQ_INT(ob[0].amount[COMP_PRINCIPAL] + ob[1].amount[COMP_PRINCIPAL] + ob[2].amount[COMP_PRINCIPAL],
	         10000, "absurd rate sums exactly");
	T_EQ_INT(ob[0].amount[COMP_INTEREST], 7686143364045647, "absurd rate interest");
	t.principal = 1000000000000; /* 7.7e23 of interest: cannot be represented */
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OVERFLOW, "absurd rate, big loan");
	t = terms(1000, "9999-11-30", 1, FREQ_MONTHLY, INTEREST_FLAT, 0, 0, 0);
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OK, "last possible due date");
	T_EQ_INT(ob[0].due_on, DATE_MAX, "due on 9999-12-31");
	t.freq = FREQ_WEEKLY;
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_OK, "weekly near the end");
	t.disbursed_on = DATE_MAX - 6;
	T_EQ_INT(schedule_generate(&t, ob, 4), SCHEDULE_BAD_DATE, "weekly past the end");

	/* the maximum number of installments */
	static obligation big[SCHEDULE_MAX_INSTALLMENTS];
	t = terms(123456789, "2000-01-31", SCHEDULE_MAX_INSTALLMENTS, FREQ_WEEKLY, INTEREST_DECLINING, 150000,
	          10, 5);
	T_EQ_INT(schedule_generate(&t, big, SCHEDULE_MAX_INSTALLMENTS), SCHEDULE_OK, "1000 installments");
	int64_t sum = 0;
	for (int k = 0; k < SCHEDULE_MAX_INSTALLMENTS; k++)
		sum += big[k].amount[COMP_PRINCIPAL];
	T_EQ_INT(sum, 123456789, "1000 installments sum");
}

static void test_names(void)
{
	schedule_freq f = FREQ_MONTHLY;
	schedule_method m = INTEREST_FLAT;
	T_EQ_INT(schedule_freq_parse("weekly", &f), 0, "weekly");
	T_EQ_INT(f, FREQ_WEEKLY, "weekly value");
	T_EQ_INT(schedule_freq_parse("biweekly", &f), 0, "biweekly");
	T_EQ_INT(f, FREQ_BIWEEKLY, "biweekly value");
	T_EQ_INT(schedule_freq_parse("monthly", &f), 0, "monthly");
	T_EQ_INT(f, FREQ_MONTHLY, "monthly value");
	T_EQ_INT(schedule_freq_parse("Monthly", &f), -1, "case-sensitive");
	T_EQ_INT(schedule_freq_parse("month", &f), -1, "prefix");
	T_EQ_INT(schedule_freq_parse("monthly ", &f), -1, "trailing space");
	T_EQ_INT(schedule_freq_parse("", &f), -1, "empty");
	T_EQ_INT(schedule_freq_parse(NULL, &f), -1, "NULL");
	T_EQ_INT(f, FREQ_MONTHLY, "untouched on error");
	T_EQ_INT(schedule_method_parse("declining", &m), 0, "declining");
	T_EQ_INT(m, INTEREST_DECLINING, "declining value");
	T_EQ_INT(schedule_method_parse("flat", &m), 0, "flat");
	T_EQ_INT(m, INTEREST_FLAT, "flat value");
	T_EQ_INT(schedule_method_parse("FLAT", &m), -1, "method case");
	T_EQ_INT(schedule_method_parse("annuity", &m), -1, "unknown method");
	T_EQ_INT(schedule_method_parse(NULL, &m), -1, "NULL method");
	for (int e = SCHEDULE_OK; e <= SCHEDULE_BAD_DATE; e++)
		T_OK(strlen(schedule_strerror((schedule_err)e)) > 0, "strerror %d", e);
	T_EQ_STR(schedule_strerror(SCHEDULE_OK), "ok", "strerror ok");
	T_OK(strlen(schedule_strerror((schedule_err)99)) > 0, "strerror unknown");
}

/* ---- properties over many loans --------------------------------------------------------------- */

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005u + 1442695040888963407u;
	return *s >> 11; /* the high bits of an LCG are the good ones */
}

static int64_t pick(uint64_t *s, int64_t lo, int64_t hi) /* lo..hi inclusive, small ranges */
{
	return lo + (int64_t)(lcg(s) % (uint64_t)(hi - lo + 1));
}

static int ppy_of(schedule_freq f)
{
	return f == FREQ_WEEKLY ? 52 : f == FREQ_BIWEEKLY ? 26 : 12;
}

/* The rules restated independently: interest = floor((2 b r + D) / 2D) with D = 10^6 ppy, which is
 * round half up of b r / D. */
static int64_t ref_interest(int64_t b, int64_t rate, int ppy)
{
	__int128 den = (__int128)1000000 * ppy;
	return (int64_t)(((__int128)2 * b * rate + den) / (2 * den));
}

/* Balance left after m level payments of a (each principal part = a - interest, within 0..balance). */
static int64_t ref_residual(int64_t p, int64_t a, int m, int64_t rate, int ppy)
{
	int64_t b = p;
	for (int k = 0; k < m; k++) {
		int64_t pr = a - ref_interest(b, rate, ppy);
		pr = pr < 0 ? 0 : pr > b ? b : pr;
		b -= pr;
	}
	return b;
}

static void test_properties(void)
{
	static obligation ob[SCHEDULE_MAX_INSTALLMENTS];
	uint64_t seed = 2024;
	int loans = 0, bad_sum = 0, bad_due = 0, bad_int = 0, bad_level = 0, bad_min = 0, bad_grace = 0;
	int bad_rc = 0, bad_neg = 0, bad_flat = 0;
	for (int iter = 0; iter < 20000; iter++) {
		schedule_terms t;
		memset(&t, 0, sizeof t);
		static const int64_t scales[] = {10,         1000,          100000,          10000000,
		                                 1000000000, 1000000000000, 1000000000000000};
		t.principal = pick(&seed, 1, scales[lcg(&seed) % N(scales)]);
		t.n_installments = (int)(iter % 50 == 0 ? pick(&seed, 200, 1000) : pick(&seed, 1, 60));
		t.freq = (schedule_freq)pick(&seed, 0, 2);
		t.method = (schedule_method)pick(&seed, 0, 1);
		static const int64_t rates[] = {0, 1, 999, 120000, 240000, 365000, 600000, 1000000, 3000000};
		t.annual_rate_ppm =
		    lcg(&seed) % 3 == 0 ? rates[lcg(&seed) % N(rates)] : pick(&seed, 0, 1200000);
		t.grace_periods = (int)pick(&seed, 0, t.n_installments - 1 < 6 ? t.n_installments - 1 : 6);
		t.fee_per_installment = lcg(&seed) % 2 ? 0 : pick(&seed, 0, 5000);
		/* any day 1990..2059, so month ends, leap days and year ends all come up */
		t.disbursed_on =
		    (civil_day)pick(&seed, date_from_ymd(1990, 1, 1), date_from_ymd(2059, 12, 31));

		schedule_err e = schedule_generate(&t, ob, SCHEDULE_MAX_INSTALLMENTS);
		if (e != SCHEDULE_OK) {
			if (bad_rc++ < 3) printf("# loan %d: %s\n", iter, schedule_strerror(e));
			continue;
		}
		loans++;
		const int n = t.n_installments, g = t.grace_periods, m = n - g, ppy = ppy_of(t.freq);
		const int eom = t.freq == FREQ_MONTHLY && date_is_month_end(t.disbursed_on);

		int64_t sum = 0, bal = t.principal, a = -1;
		int sum_bad = 0, due_bad = 0, int_bad = 0, level_bad = 0, neg_bad = 0, grace_bad = 0,
		    flat_bad = 0;
		for (int k = 0; k < n; k++) {
			const int64_t *amt = ob[k].amount;
			const int64_t in = amt[COMP_INTEREST], pr = amt[COMP_PRINCIPAL];
			civil_day want_due =
			    t.freq == FREQ_MONTHLY
			        ? date_add_months(t.disbursed_on, k + 1, eom)
			        : t.disbursed_on + (k + 1) * (t.freq == FREQ_WEEKLY ? 7 : 14);
			if (ob[k].due_on != want_due || (k > 0 && ob[k].due_on <= ob[k - 1].due_on))
				due_bad = 1;
			if (in < 0 || pr < 0 || amt[COMP_PENALTY] != 0 ||
			    amt[COMP_FEE] != t.fee_per_installment)
				neg_bad = 1;
			int64_t want_in = ref_interest(t.method == INTEREST_FLAT ? t.principal : bal,
			                               t.annual_rate_ppm, ppy);
			if (in != want_in) int_bad = 1;
			if (k < g && pr != 0) grace_bad = 1;
			if (k >= g && k < n - 1 && (t.method == INTEREST_FLAT || t.annual_rate_ppm == 0) &&
			    pr != t.principal / m)
				flat_bad = 1;
			if (k >= g && t.method == INTEREST_DECLINING && t.annual_rate_ppm != 0 && bal > 0) {
				/* level installments while there is a balance (principal part a - interest,
				 * or the balance when smaller); the last one is at most the level */
				if (a < 0)
					a = in + pr;
				else if (k < n - 1 ? pr != (a - in < bal ? a - in : bal) : in + pr > a)
					level_bad = 1;
			}
			bal -= pr;
			sum += pr;
		}
		if (sum != t.principal || bal != 0) sum_bad = 1;
		if (t.method == INTEREST_DECLINING && t.annual_rate_ppm != 0 && m > 1) {
			/* the level amount repays the loan, and one unit less would not */
			if (ref_residual(t.principal, a, m, t.annual_rate_ppm, ppy) != 0 ||
			    ref_residual(t.principal, a - 1, m, t.annual_rate_ppm, ppy) == 0)
				bad_min++;
		}
		bad_sum += sum_bad;
		bad_due += due_bad;
		bad_int += int_bad;
		bad_level += level_bad;
		bad_neg += neg_bad;
		bad_grace += grace_bad;
		bad_flat += flat_bad;
		if ((sum_bad | due_bad | int_bad | level_bad | neg_bad | grace_bad | flat_bad) &&
		    bad_sum + bad_due + bad_int + bad_level + bad_neg + bad_grace + bad_flat < 5)
			printf("# loan %d: P %lld n %d g %d freq %d method %d rate %lld\n", iter,
			       (long long)t.principal, n, g, (int)t.freq, (int)t.method,
			       (long long)t.annual_rate_ppm);
	}
	printf("# %d pseudo-random loans checked\n", loans);
	T_EQ_INT(bad_rc, 0, "random loans: all generated");
	T_EQ_INT(bad_sum, 0, "random loans: principal parts sum exactly to the principal");
	T_EQ_INT(bad_due, 0, "random loans: due dates anchored and increasing");
	T_EQ_INT(bad_neg, 0, "random loans: amounts non-negative, fee and penalty columns");
	T_EQ_INT(bad_int, 0, "random loans: interest of each period");
	T_EQ_INT(bad_grace, 0, "random loans: no principal in grace");
	T_EQ_INT(bad_flat, 0, "random loans: equal parts for flat and zero rate");
	T_EQ_INT(bad_level, 0, "random loans: level installments");
	T_EQ_INT(bad_min, 0, "random loans: smallest level amount");
}

int main(void)
{
	test_declining_monthly();
	test_flat_weekly();
	test_flat_monthly();
	test_biweekly();
	test_grace();
	test_month_ends();
	test_single();
	test_zero_rate();
	test_errors();
	test_names();
	test_properties();
	return t_done("test_schedule");
}

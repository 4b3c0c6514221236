/* test_date.c: unit tests of date.c: day numbers, ISO 8601 parsing and formatting, leap years,
 * month arithmetic with the end-of-month rule, weekdays. Known day numbers come from the Unix epoch
 * (1970-01-01 = 0) and can be checked with `date -u -d 2000-01-01 +%s` / 86400. */
#include <stdint.h>
#include <string.h>

#include "core/date.h"
#include "t.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static civil_day D(const char *s)
{
	civil_day d = DATE_NONE;
	if (date_parse(s, strlen(s), &d) != DATE_OK) printf("# bad date in test: %s\n", s);
	return d;
}

/* ---- known day numbers ------------------------------------------------------------------------ */

static const struct {
	int y, m, d;
	civil_day day;
	int weekday; /* 0 = Monday */
} known[] = {
    {1970, 1, 1, 0, 3},                                                              /* Thursday */
    {1970, 1, 2, 1, 4},          {1969, 12, 31, -1, 2},      {2000, 1, 1, 10957, 5}, /* Saturday */
    {2000, 2, 29, 11016, 1},                                                         /* Tuesday */
    {2000, 3, 1, 11017, 2},      {1900, 1, 1, -25567, 0},                            /* Monday */
    {1900, 3, 1, -25508, 3},                                 /* 1900 is not leap: Feb has 28 days */
    {2024, 2, 29, 19782, 3},                                 /* Thursday */
    {2024, 1, 31, 19753, 2},                                 /* Wednesday */
    {2038, 1, 19, 24855, 1},                                 /* the 32-bit time_t day */
    {1600, 1, 1, -135140, 5},    {1, 1, 1, DATE_MIN, 0},     /* Monday in the proleptic Gregorian calendar */
    {9999, 12, 31, DATE_MAX, 4},                             /* Friday */
    {2100, 12, 31, 47846, 4},    {1582, 10, 15, -141427, 4}, /* first Gregorian day, a Friday */
};

static void test_known(void)
{
	for (size_t i = 0; i < N(known); i++) {
		int y, m, d;
		civil_day day = date_from_ymd(known[i].y, known[i].m, known[i].d);
		T_OK(day == known[i].day, "from_ymd %04d-%02d-%02d: %ld, want %ld", known[i].y, known[i].m,
		     known[i].d, (long)day, (long)known[i].day);
		date_to_ymd(known[i].day, &y, &m, &d);
		T_OK(y == known[i].y && m == known[i].m && d == known[i].d, "to_ymd %ld: %d-%d-%d",
		     (long)known[i].day, y, m, d);
		T_OK(date_weekday(known[i].day) == known[i].weekday, "weekday of %04d-%02d-%02d: %d",
		     known[i].y, known[i].m, known[i].d, date_weekday(known[i].day));
	}
}

/* ---- every day round-trips -------------------------------------------------------------------- */

/* Walks the calendar with nested loops over years, months and days (built from date_days_in_month,
 * independent of the conversion), and checks each day is the previous plus one, converts back to
 * the same y-m-d, formats and parses back, and has the next weekday. */
static void walk(int y0, int y1, const char *what)
{
	civil_day expect = date_from_ymd(y0, 1, 1);
	int bad_seq = 0, bad_ymd = 0, bad_text = 0, bad_wd = 0, bad_end = 0;
	long count = 0;
	int wd = date_weekday(expect);
	for (int y = y0; y <= y1; y++) {
		for (int m = 1; m <= 12; m++) {
			int dim = date_days_in_month(y, m);
			for (int d = 1; d <= dim; d++) {
				civil_day day = date_from_ymd(y, m, d);
				if (day != expect) bad_seq++;
				int yy, mm, dd;
				date_to_ymd(day, &yy, &mm, &dd);
				if (yy != y || mm != m || dd != d) bad_ymd++;
				char buf[11];
				civil_day back = DATE_NONE;
				if (date_format(day, buf, sizeof buf) != 10 ||
				    date_parse(buf, 10, &back) != DATE_OK || back != day)
					bad_text++;
				if (date_weekday(day) != wd) bad_wd++;
				if (date_is_month_end(day) != (d == dim)) bad_end++;
				wd = (wd + 1) % 7;
				expect = day + 1;
				count++;
			}
		}
	}
	T_OK(bad_seq == 0, "%s: %d days not consecutive", what, bad_seq);
	T_OK(bad_ymd == 0, "%s: %d days not round-tripping through ymd", what, bad_ymd);
	T_OK(bad_text == 0, "%s: %d days not round-tripping through text", what, bad_text);
	T_OK(bad_wd == 0, "%s: %d wrong weekdays", what, bad_wd);
	T_OK(bad_end == 0, "%s: %d wrong month ends", what, bad_end);
	printf("# %s: %ld days walked\n", what, count);
}

static void test_walk(void)
{
	walk(1900, 2100, "1900..2100");
	T_EQ_INT(date_from_ymd(2101, 1, 1) - date_from_ymd(1900, 1, 1), 73414, "days 1900..2100");
	walk(1, 9999, "0001..9999");
	T_EQ_INT(date_from_ymd(10000, 1, 1) - 1, DATE_MAX, "DATE_MAX is 9999-12-31");
	/* 400 Gregorian years are exactly 146097 days (ISO 8601 uses the Gregorian calendar) */
	T_EQ_INT(date_from_ymd(2400, 3, 1) - date_from_ymd(2000, 3, 1), 146097, "400-year cycle");
}

/* ---- leap years, month lengths ---------------------------------------------------------------- */

static void test_leap(void)
{
	static const struct {
		int y, leap;
	} cases[] = {
	    {2000, 1}, {1900, 0}, {2024, 1}, {2023, 0}, {2100, 0}, {2400, 1}, {1600, 1},
	    {1700, 0}, {1800, 0}, {1996, 1}, {2004, 1}, {2001, 0}, {4, 1},    {1, 0},
	    {9996, 1}, {9999, 0}, {0, 1},    {-4, 1},   {-100, 0}, {-400, 1},
	};
	for (size_t i = 0; i < N(cases); i++)
		T_OK(date_is_leap(cases[i].y) == cases[i].leap, "is_leap(%d)", cases[i].y);

	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	for (int m = 1; m <= 12; m++) {
		T_OK(date_days_in_month(2023, m) == dim[m - 1], "days in 2023-%02d", m);
		T_OK(date_days_in_month(2024, m) == (m == 2 ? 29 : dim[m - 1]), "days in 2024-%02d", m);
	}
	T_EQ_INT(date_days_in_month(1900, 2), 28, "1900-02");
	T_EQ_INT(date_days_in_month(2000, 2), 29, "2000-02");
	T_EQ_INT(date_days_in_month(2024, 0), 0, "month 0");
	T_EQ_INT(date_days_in_month(2024, 13), 0, "month 13");
}

/* ---- parse ------------------------------------------------------------------------------------ */

static const struct {
	const char *text;
	date_err err;
} parse_cases[] = {
    {"2024-02-29", DATE_OK},
    {"2000-02-29", DATE_OK},
    {"2023-12-31", DATE_OK},
    {"0001-01-01", DATE_OK},
    {"9999-12-31", DATE_OK},
    {"1970-01-01", DATE_OK},
    {"2023-02-29", DATE_BAD_DAY},
    {"1900-02-29", DATE_BAD_DAY},
    {"2100-02-29", DATE_BAD_DAY},
    {"2024-02-30", DATE_BAD_DAY},
    {"2024-04-31", DATE_BAD_DAY},
    {"2024-06-31", DATE_BAD_DAY},
    {"2024-09-31", DATE_BAD_DAY},
    {"2024-11-31", DATE_BAD_DAY},
    {"2024-01-32", DATE_BAD_DAY},
    {"2024-01-00", DATE_BAD_DAY},
    {"2024-13-01", DATE_BAD_MONTH},
    {"2024-00-10", DATE_BAD_MONTH},
    {"2024-99-99", DATE_BAD_MONTH},
    {"2024-1-01", DATE_BAD_FORMAT},
    {"2024-01-1", DATE_BAD_FORMAT},
    {"24-01-01", DATE_BAD_FORMAT},
    {"2024/01/01", DATE_BAD_FORMAT},
    {"2024.01.01", DATE_BAD_FORMAT},
    {"20240101", DATE_BAD_FORMAT},
    {"2024-01-01T00:00", DATE_BAD_FORMAT},
    {"2024-01-01 ", DATE_BAD_FORMAT},
    {" 2024-01-01", DATE_BAD_FORMAT},
    {"2024-01-01Z", DATE_BAD_FORMAT},
    {"2024-01-0a", DATE_BAD_FORMAT},
    {"2O24-01-01", DATE_BAD_FORMAT},
    {"+024-01-01", DATE_BAD_FORMAT},
    {"-024-01-01", DATE_BAD_FORMAT},
    {"2024--1-01", DATE_BAD_FORMAT},
    {"2024-01--1", DATE_BAD_FORMAT},
    {"2024-01+01", DATE_BAD_FORMAT},
    {"0000-01-01", DATE_BAD_FORMAT},
    {"01-01-2024", DATE_BAD_FORMAT},
    {"", DATE_BAD_FORMAT},
    {"2024-01-", DATE_BAD_FORMAT},
    {"----------", DATE_BAD_FORMAT},
};

static void test_parse(void)
{
	for (size_t i = 0; i < N(parse_cases); i++) {
		civil_day d = 12345;
		date_err e = date_parse(parse_cases[i].text, strlen(parse_cases[i].text), &d);
		T_OK(e == parse_cases[i].err, "parse \"%s\": %d (%s), want %d", parse_cases[i].text, (int)e,
		     date_strerror(e), (int)parse_cases[i].err);
		if (parse_cases[i].err != DATE_OK)
			T_OK(d == 12345, "parse \"%s\" wrote its output on error", parse_cases[i].text);
	}
	civil_day d = 0;
	T_EQ_INT(date_parse("2024-01-31,XOF", 10, &d), DATE_OK, "prefix of a longer buffer");
	T_EQ_INT(d, 19753, "prefix value");
	T_EQ_INT(date_parse("2024-01-31", 11, &d), DATE_BAD_FORMAT, "NUL within len");
	T_EQ_INT(date_parse(NULL, 10, &d), DATE_BAD_FORMAT, "NULL");
	T_EQ_INT(date_parse("2024-01-31", 10, NULL), DATE_OK, "NULL out");
	T_OK(strlen(date_strerror(DATE_BAD_DAY)) > 0, "strerror");
	T_OK(strlen(date_strerror((date_err)42)) > 0, "strerror unknown");
}

static void test_format(void)
{
	char buf[16];
	T_EQ_INT(date_format(0, buf, sizeof buf), 10, "format epoch");
	T_EQ_STR(buf, "1970-01-01", "format epoch text");
	T_EQ_INT(date_format(DATE_MIN, buf, sizeof buf), 10, "format min");
	T_EQ_STR(buf, "0001-01-01", "format min text");
	T_EQ_INT(date_format(DATE_MAX, buf, sizeof buf), 10, "format max");
	T_EQ_STR(buf, "9999-12-31", "format max text");
	date_format(date_from_ymd(812, 7, 4), buf, sizeof buf);
	T_EQ_STR(buf, "0812-07-04", "zero-padded year");
	T_EQ_INT(date_format(0, buf, 11), 10, "cap 11");
	T_EQ_INT(date_format(0, buf, 10), 0, "cap 10 too small");
	T_EQ_STR(buf, "", "cap 10 leaves an empty string");
	T_EQ_INT(date_format(DATE_NONE, buf, sizeof buf), 0, "DATE_NONE");
	T_EQ_INT(date_format(DATE_MAX + 1, buf, sizeof buf), 0, "after DATE_MAX");
	T_EQ_INT(date_format(DATE_MIN - 1, buf, sizeof buf), 0, "before DATE_MIN");
	T_EQ_INT(date_format(0, NULL, 11), 0, "NULL buffer");
}

/* ---- add_days, add_months --------------------------------------------------------------------- */

static const struct {
	const char *from;
	int n, eom;
	const char *want; /* NULL: DATE_NONE */
} month_cases[] = {
    /* end-of-month clipping without eom */
    {"2024-01-31", 1, 0, "2024-02-29"},
    {"2023-01-31", 1, 0, "2023-02-28"},
    {"2024-01-30", 1, 0, "2024-02-29"},
    {"2024-01-29", 1, 0, "2024-02-29"},
    {"2024-01-28", 1, 0, "2024-02-28"},
    {"2024-01-31", 2, 0, "2024-03-31"},
    {"2024-01-31", 3, 0, "2024-04-30"},
    {"2024-03-31", 1, 0, "2024-04-30"},
    {"2024-02-29", 1, 0, "2024-03-29"},
    {"2024-02-29", 12, 0, "2025-02-28"},
    {"2024-02-29", 48, 0, "2028-02-29"},
    {"2024-04-30", 1, 0, "2024-05-30"},
    {"2024-12-31", 2, 0, "2025-02-28"},
    {"2024-08-31", 6, 0, "2025-02-28"},
    {"1999-12-31", 2, 0, "2000-02-29"},
    {"1899-12-31", 2, 0, "1900-02-28"},
    /* with eom: month ends stay month ends */
    {"2024-02-29", 1, 1, "2024-03-31"},
    {"2024-02-29", 2, 1, "2024-04-30"},
    {"2023-02-28", 1, 1, "2023-03-31"},
    {"2023-02-28", 12, 1, "2024-02-29"},
    {"2024-02-28", 1, 1, "2024-03-28"}, /* not a month end in 2024 */
    {"2024-04-30", 1, 1, "2024-05-31"},
    {"2024-01-31", 1, 1, "2024-02-29"},
    {"2024-01-30", 1, 1, "2024-02-29"}, /* clipped, though not a month end */
    {"2024-01-30", 2, 1, "2024-03-30"},
    {"2024-06-30", -1, 1, "2024-05-31"},
    {"2024-03-31", -1, 1, "2024-02-29"},
    /* ordinary and negative */
    {"2024-01-15", 1, 0, "2024-02-15"},
    {"2024-01-15", 12, 0, "2025-01-15"},
    {"2024-01-15", -1, 0, "2023-12-15"},
    {"2024-01-15", -12, 0, "2023-01-15"},
    {"2024-01-15", -13, 0, "2022-12-15"},
    {"2024-03-31", -1, 0, "2024-02-29"},
    {"2024-03-31", -13, 0, "2023-02-28"},
    {"2024-05-31", -1, 0, "2024-04-30"},
    {"2024-01-31", -24, 0, "2022-01-31"},
    {"2024-01-31", 0, 0, "2024-01-31"},
    {"2024-02-29", 0, 1, "2024-02-29"},
    {"2024-07-15", 120, 0, "2034-07-15"},
    {"2024-07-15", -1200, 0, "1924-07-15"},
    {"0001-01-31", 1, 0, "0001-02-28"},
    {"9999-11-30", 1, 1, "9999-12-31"},
    /* out of range */
    {"9999-12-31", 1, 0, NULL},
    {"9999-12-01", 1, 0, NULL},
    {"0001-01-31", -1, 0, NULL},
    {"2024-01-01", INT32_MAX, 0, NULL},
    {"2024-01-01", INT32_MIN, 0, NULL},
};

static void test_add_months(void)
{
	char buf[16];
	for (size_t i = 0; i < N(month_cases); i++) {
		civil_day got = date_add_months(D(month_cases[i].from), month_cases[i].n, month_cases[i].eom);
		if (month_cases[i].want == NULL) {
			T_OK(got == DATE_NONE, "%s %+d months (eom %d): want DATE_NONE", month_cases[i].from,
			     month_cases[i].n, month_cases[i].eom);
			continue;
		}
		date_format(got, buf, sizeof buf);
		T_OK(got == D(month_cases[i].want), "%s %+d months (eom %d): got %s, want %s",
		     month_cases[i].from, month_cases[i].n, month_cases[i].eom, buf, month_cases[i].want);
	}
	T_OK(date_add_months(DATE_NONE, 1, 0) == DATE_NONE, "DATE_NONE + 1 month");
}

static void test_add_days(void)
{
	T_EQ_INT(date_add_days(D("2024-02-28"), 1), D("2024-02-29"), "leap day");
	T_EQ_INT(date_add_days(D("2023-02-28"), 1), D("2023-03-01"), "no leap day");
	T_EQ_INT(date_add_days(D("2024-12-31"), 1), D("2025-01-01"), "new year");
	T_EQ_INT(date_add_days(D("2024-01-01"), -1), D("2023-12-31"), "back a year");
	T_EQ_INT(date_add_days(D("2024-01-01"), 366), D("2025-01-01"), "366 days in 2024");
	T_EQ_INT(date_add_days(D("2024-01-01"), 0), D("2024-01-01"), "zero");
	T_EQ_INT(date_add_days(DATE_MAX, 0), DATE_MAX, "max + 0");
	T_EQ_INT(date_add_days(DATE_MAX, 1), DATE_NONE, "max + 1");
	T_EQ_INT(date_add_days(DATE_MIN, -1), DATE_NONE, "min - 1");
	T_EQ_INT(date_add_days(DATE_MIN, DATE_MAX - DATE_MIN), DATE_MAX, "whole range");
	T_EQ_INT(date_add_days(0, INT32_MAX), DATE_NONE, "INT32_MAX days");
	T_EQ_INT(date_add_days(0, INT32_MIN), DATE_NONE, "INT32_MIN days");
	T_EQ_INT(date_add_days(DATE_NONE, 1), DATE_NONE, "DATE_NONE + 1");
}

static void test_month_end(void)
{
	T_OK(date_is_month_end(D("2024-02-29")), "2024-02-29 is a month end");
	T_OK(!date_is_month_end(D("2024-02-28")), "2024-02-28 is not");
	T_OK(date_is_month_end(D("2023-02-28")), "2023-02-28 is");
	T_OK(date_is_month_end(D("2024-04-30")), "2024-04-30 is");
	T_OK(date_is_month_end(D("2024-12-31")), "2024-12-31 is");
	T_OK(!date_is_month_end(D("2024-12-30")), "2024-12-30 is not");
	T_OK(!date_is_month_end(D("2024-01-01")), "2024-01-01 is not");
}

static void test_weekday(void)
{
	static const struct {
		const char *date;
		int wd;
	} cases[] = {
	    {"2024-01-01", 0}, /* Monday */
	    {"2024-01-06", 5}, /* Saturday */
	    {"2024-01-07", 6}, /* Sunday */
	    {"2024-12-25", 2}, /* Wednesday */
	    {"1969-12-28", 6}, /* Sunday, before the epoch */
	    {"1969-12-29", 0}, {"2001-09-09", 6}, {"0001-01-01", 0},
	};
	for (size_t i = 0; i < N(cases); i++)
		T_OK(date_weekday(D(cases[i].date)) == cases[i].wd, "weekday %s: %d", cases[i].date,
		     date_weekday(D(cases[i].date)));
}

int main(void)
{
	test_known();
	test_walk();
	test_leap();
	test_parse();
	test_format();
	test_add_months();
	test_add_days();
	test_month_end();
	test_weekday();
	return t_done("test_date");
}

/* date.c: civil dates of the proleptic Gregorian calendar as a day count since 1970-01-01, their
 * ISO 8601 calendar-date text (YYYY-MM-DD: ISO 8601:2004 4.1.2.2, calendar date, complete
 * representation, extended format) and month arithmetic with the end-of-month rule.
 *
 * The conversions are the days_from_civil / civil_from_days algorithms of Howard Hinnant
 * ("chrono-Compatible Low-Level Date Algorithms", 2013), rewritten here: they shift the year to start
 * on March 1st so that the leap day is the last day of the year, then count 400-year eras of
 * 146097 days. They are exact for any date, so no table and no clock are needed. Intermediate values
 * are int64 so that no input can overflow, even though valid dates fit int32 comfortably. */
#include "core/date.h"

#include <stdint.h>

/* 1970-01-01 is day 719468 counted from 0000-03-01 (the algorithm's epoch). */
#define EPOCH_SHIFT 719468

/* Floor division for a positive divisor (C's / truncates toward zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b) != 0 && a < 0) q--;
	return q;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2; /* Jan, Feb belong to the previous year */
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365], from March 1st */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + doe - EPOCH_SHIFT;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += EPOCH_SHIFT;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;                                      /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11], 0 = March */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

civil_day date_from_ymd(int y, int m, int d)
{
	return (civil_day)days_from_civil(y, m, d);
}

void date_to_ymd(civil_day day, int *y, int *m, int *d)
{
	int64_t yy;
	int mm, dd;
	civil_from_days(day, &yy, &mm, &dd);
	if (y != NULL) *y = (int)yy;
	if (m != NULL) *m = mm;
	if (d != NULL) *d = dd;
}

int date_is_leap(int y)
{
	/* Gregorian rule (ISO 8601 uses the Gregorian calendar): every 4th year, except centuries,
	 * except every 4th century: 2000 and 2024 are leap years, 1900 is not. */
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12) return 0;
	if (m == 2 && date_is_leap(y)) return 29;
	return days[m - 1];
}

int date_is_month_end(civil_day day)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	return d == date_days_in_month(y, m);
}

static int in_range(int64_t day)
{
	return day >= DATE_MIN && day <= DATE_MAX;
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

date_err date_parse(const char *s, size_t len, civil_day *out)
{
	/* Strict: exactly the 10 characters of the extended complete form. No basic form
	 * ("20240101"), no time part, no sign or expanded year, no padding. */
	int y, m, d;
	if (s == NULL || len != 10 || s[4] != '-' || s[7] != '-') return DATE_BAD_FORMAT;
	if (digits(s, 4, &y) != 0 || digits(s + 5, 2, &m) != 0 || digits(s + 8, 2, &d) != 0)
		return DATE_BAD_FORMAT;
	if (y == 0) return DATE_BAD_FORMAT; /* year 0000 is outside the supported range 0001..9999 */
	if (m < 1 || m > 12) return DATE_BAD_MONTH;
	if (d < 1 || d > date_days_in_month(y, m)) return DATE_BAD_DAY;
	if (out != NULL) *out = date_from_ymd(y, m, d);
	return DATE_OK;
}

size_t date_format(civil_day day, char *buf, size_t cap)
{
	if (buf == NULL) return 0;
	/* Out-of-range days (DATE_NONE among them) have no 4-digit year: write "" and return 0
	 * rather than a misleading text. */
	if (cap < 11 || !in_range(day)) {
		if (cap > 0) buf[0] = '\0';
		return 0;
	}
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
	return 10;
}

const char *date_strerror(date_err e)
{
	switch (e) {
	case DATE_OK:
		return "ok";
	case DATE_BAD_FORMAT:
		return "date is not YYYY-MM-DD";
	case DATE_BAD_MONTH:
		return "month out of range";
	case DATE_BAD_DAY:
		return "day out of range for the month";
	}
	return "unknown date error";
}

civil_day date_add_days(civil_day day, int32_t n)
{
	/* DATE_NONE stays "no date", and a result outside 0001..9999 is not a date either: returning
	 * DATE_NONE lets callers detect it instead of wrapping around int32. */
	if (day == DATE_NONE) return DATE_NONE;
	int64_t r = (int64_t)day + n;
	return in_range(r) ? (civil_day)r : DATE_NONE;
}

civil_day date_add_months(civil_day day, int32_t n, int eom)
{
	if (day == DATE_NONE) return DATE_NONE;
	int64_t y;
	int m, d;
	civil_from_days(day, &y, &m, &d);

	int64_t total = y * 12 + (m - 1) + n; /* months since year 0, int64: no overflow */
	int64_t ny = floor_div(total, 12);
	int nm = (int)(total - ny * 12) + 1;
	if (ny < 1 || ny > 9999) return DATE_NONE;
	int dim = date_days_in_month((int)ny, nm);

	/* End-of-month rule of date.h (the usual month-end roll convention of loan schedules): a day
	 * past the end of the target month is clipped to its last day; with eom, a date that is the
	 * last day of its month maps to the last day of the target month. */
	int nd = d;
	if (eom && d == date_days_in_month((int)y, m))
		nd = dim;
	else if (nd > dim)
		nd = dim;
	int64_t r = days_from_civil(ny, nm, nd);
	return in_range(r) ? (civil_day)r : DATE_NONE;
}

int date_weekday(civil_day day)
{
	/* 1970-01-01 was a Thursday, weekday 3 with Monday = 0 (ISO 8601 numbers Monday 1 .. Sunday 7;
	 * this is that number minus one). */
	int64_t w = ((int64_t)day % 7 + 7 + 3) % 7;
	return (int)w;
}

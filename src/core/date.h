/* date.h: civil days (proleptic Gregorian), as a count of days since 1970-01-01.
 * Promises: pure arithmetic, no clock, no time zone. Valid range 0001-01-01 .. 9999-12-31.
 * Month arithmetic follows the end-of-month rule: adding months to the 31st lands on the last day of
 * a shorter month (2024-01-31 + 1 month = 2024-02-29); with `eom` set, a date that is the last day of
 * its month stays on the last day (2024-02-29 + 1 month = 2024-03-31). */
#ifndef VIGIE_DATE_H
#define VIGIE_DATE_H
#include <stddef.h>
#include <stdint.h>

typedef int32_t civil_day;

#define DATE_NONE INT32_MIN /* "no date" (never paid, never reversed, ...) */
#define DATE_MAX 2932896    /* 9999-12-31 */
#define DATE_MIN (-719162)  /* 0001-01-01 */

typedef enum {
	DATE_OK = 0,
	DATE_BAD_FORMAT, /* not YYYY-MM-DD */
	DATE_BAD_MONTH,
	DATE_BAD_DAY, /* e.g. 2023-02-29 */
} date_err;

civil_day date_from_ymd(int y, int m, int d); /* no validation: caller gives a real date */
void date_to_ymd(civil_day day, int *y, int *m, int *d);
int date_is_leap(int y);
int date_days_in_month(int y, int m);
int date_is_month_end(civil_day day);

/* Strict ISO 8601 calendar date "YYYY-MM-DD" at s[0..len). */
date_err date_parse(const char *s, size_t len, civil_day *out);
/* Writes "YYYY-MM-DD" (11 bytes with the NUL); returns 10. Returns 0 (and writes "" when cap > 0)
 * when cap < 11 or day is outside DATE_MIN..DATE_MAX (DATE_NONE included). */
size_t date_format(civil_day day, char *buf, size_t cap);
const char *date_strerror(date_err e);

/* Both return DATE_NONE when day is DATE_NONE or the result is outside DATE_MIN..DATE_MAX. */
civil_day date_add_days(civil_day day, int32_t n);
civil_day date_add_months(civil_day day, int32_t n, int eom);
int date_weekday(civil_day day); /* 0 = Monday .. 6 = Sunday */

#endif

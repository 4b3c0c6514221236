/* schedule.h: installment schedules generated from loan terms.
 * Promises: integer arithmetic only; the principal parts add up exactly to the loan principal; interest
 * of each period is rounded half-up to the minor unit and the rounding of level payments is absorbed
 * by the last installment. Due dates are anchored on the disbursement date (period k is
 * disbursed_on + k periods, never chained from the previous date), so month ends do not drift.
 *
 * Flat interest: interest per period = principal x period rate (on the original principal), principal
 *   repaid in equal parts (remainder on the last installment).
 * Declining balance: interest per period = outstanding principal x period rate, level installments
 *   (annuity) whose amount is found exactly in integers (smallest level amount that repays the loan
 *   by the last period; the last installment takes the residue).
 * At a zero rate both methods give the same schedule: equal principal parts, remainder on the last.
 * Period rate = annual_rate / periods per year (12 monthly, 26 every two weeks, 52 weekly).
 * Grace: the first grace_periods installments carry interest (and fees) but no principal. */
#ifndef VIGIE_SCHEDULE_H
#define VIGIE_SCHEDULE_H
#include <stdint.h>
#include "core/date.h"
#include "core/ledger.h"

typedef enum { FREQ_WEEKLY = 0, FREQ_BIWEEKLY, FREQ_MONTHLY } schedule_freq;
typedef enum { INTEREST_FLAT = 0, INTEREST_DECLINING } schedule_method;

#define SCHEDULE_MAX_INSTALLMENTS 1000

typedef struct {
	int64_t principal;         /* minor units, > 0 */
	civil_day disbursed_on;
	int n_installments;        /* 1..SCHEDULE_MAX_INSTALLMENTS, grace periods included */
	schedule_freq freq;
	schedule_method method;
	int64_t annual_rate_ppm;   /* annual nominal rate in millionths: 24% = 240000 */
	int grace_periods;         /* 0..n_installments-1 */
	int64_t fee_per_installment; /* minor units, >= 0 */
} schedule_terms;

typedef enum {
	SCHEDULE_OK = 0,
	SCHEDULE_BAD_PRINCIPAL,
	SCHEDULE_BAD_COUNT,
	SCHEDULE_BAD_RATE,
	SCHEDULE_BAD_GRACE,
	SCHEDULE_BAD_FEE,
	SCHEDULE_OVERFLOW,
	SCHEDULE_NO_ROOM,
	SCHEDULE_BAD_FREQ,   /* freq is not one of schedule_freq */
	SCHEDULE_BAD_METHOD, /* method is not one of schedule_method */
	SCHEDULE_BAD_DATE,   /* disbursed_on or a due date outside DATE_MIN..DATE_MAX */
} schedule_err;

/* Fills out[0..n_installments) (cap must be >= n_installments). Penalties are 0.
 * SCHEDULE_OVERFLOW when the total of all amounts of the schedule would not fit int64 (so every sum a
 * caller makes over it is safe). On error, out[] may be partly written. */
schedule_err schedule_generate(const schedule_terms *t, obligation *out, int cap);
const char *schedule_strerror(schedule_err e);
/* Parses "weekly", "biweekly", "monthly" / "flat", "declining"; return 0 on success. */
int schedule_freq_parse(const char *s, schedule_freq *out);
int schedule_method_parse(const char *s, schedule_method *out);

#endif

/* schedule.c: generates a loan's installment schedule (due dates and the principal, interest and fee
 * of each installment) from its terms, in exact integer arithmetic.
 *
 * Why integers only: a schedule is a contract, and the principal parts must add up to the loan to the
 * last minor unit, whatever the rate or the number of periods. The annuity formula
 * A = P r / (1 - (1 + r)^-n) needs real numbers, so instead of evaluating it the level amount is
 * searched in integers: the amortisation balance left after n periods only decreases when the level
 * amount grows, so a binary search finds the smallest amount that repays the loan, using the very
 * same rounding of interest as the schedule itself. Products are __int128 so that no step can
 * overflow before the final range checks. */
#include "core/schedule.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int periods_per_year(schedule_freq f)
{
	switch (f) {
	case FREQ_WEEKLY:
		return 52;
	case FREQ_BIWEEKLY:
		return 26;
	case FREQ_MONTHLY:
		return 12;
	}
	return 0;
}

/* Interest of one period on base: round_half_up(base * annual_rate_ppm / (10^6 * ppy)).
 * base and rate are >= 0, so half-up is also half away from zero. base * rate < 2^126: exact. */
static __int128 period_interest(__int128 base, int64_t rate_ppm, int ppy)
{
	const __int128 den = (__int128)1000000 * ppy; /* even, so den / 2 is the exact half */
	return (base * rate_ppm + den / 2) / den;
}

/* Principal left after m periods paying the level amount a, with the schedule's own rule:
 * principal part = a - interest, never negative, never more than the balance. */
static __int128 residual_after(int64_t principal, __int128 a, int m, int64_t rate_ppm, int ppy)
{
	__int128 bal = principal;
	for (int k = 0; k < m && bal > 0; k++) {
		__int128 pr = a - period_interest(bal, rate_ppm, ppy);
		if (pr < 0) pr = 0;
		if (pr > bal) pr = bal;
		bal -= pr;
	}
	return bal;
}

/* Smallest level amount that repays principal within m periods. The residual is non-increasing in
 * the amount (a larger payment leaves a smaller balance, hence less interest, hence more principal
 * next time), which is what makes the binary search valid. */
static __int128 level_amount(int64_t principal, int m, int64_t rate_ppm, int ppy)
{
	/* lo never repays (0 repays nothing of a positive principal); hi always does (it repays all the
	 * principal plus the first interest in period 1). */
	__int128 lo = 0;
	__int128 hi = (__int128)principal + period_interest(principal, rate_ppm, ppy);
	while (hi - lo > 1) {
		__int128 mid = lo + (hi - lo) / 2;
		if (residual_after(principal, mid, m, rate_ppm, ppy) == 0)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static civil_day due_date(const schedule_terms *t, int k, int eom)
{
	switch (t->freq) {
	case FREQ_WEEKLY:
		return date_add_days(t->disbursed_on, 7 * k);
	case FREQ_BIWEEKLY:
		return date_add_days(t->disbursed_on, 14 * k);
	case FREQ_MONTHLY:
		/* Anchored on the disbursement date, never chained: Jan 31 gives Feb 29, Mar 31, Apr 30
		 * rather than Feb 29, Mar 29, Apr 29. */
		return date_add_months(t->disbursed_on, k, eom);
	}
	return DATE_NONE;
}

static schedule_err validate(const schedule_terms *t, const obligation *out, int cap)
{
	if (t == NULL || t->principal <= 0) return SCHEDULE_BAD_PRINCIPAL;
	if (t->n_installments < 1 || t->n_installments > SCHEDULE_MAX_INSTALLMENTS) return SCHEDULE_BAD_COUNT;
	if (t->annual_rate_ppm < 0) return SCHEDULE_BAD_RATE;
	if (t->grace_periods < 0 || t->grace_periods >= t->n_installments) return SCHEDULE_BAD_GRACE;
	if (t->fee_per_installment < 0) return SCHEDULE_BAD_FEE;
	if (periods_per_year(t->freq) == 0) return SCHEDULE_BAD_FREQ;
	if (t->method != INTEREST_FLAT && t->method != INTEREST_DECLINING) return SCHEDULE_BAD_METHOD;
	if (t->disbursed_on < DATE_MIN || t->disbursed_on > DATE_MAX) return SCHEDULE_BAD_DATE;
	if (out == NULL || cap < t->n_installments) return SCHEDULE_NO_ROOM;
	return SCHEDULE_OK;
}

schedule_err schedule_generate(const schedule_terms *t, obligation *out, int cap)
{
	schedule_err e = validate(t, out, cap);
	if (e != SCHEDULE_OK) return e;

	const int n = t->n_installments, g = t->grace_periods, m = n - g; /* m >= 1 amortising periods */
	const int ppy = periods_per_year(t->freq);
	const int64_t p = t->principal, rate = t->annual_rate_ppm;
	const int eom = t->freq == FREQ_MONTHLY && date_is_month_end(t->disbursed_on);
	/* At a zero rate there is no interest to level out: both methods repay equal parts, remainder
	 * on the last, so that flat and declining give the same schedule (the annuity search would give
	 * ceil(P/m) parts and a smaller last one, which differs from flat for no reason). */
	const int level = t->method == INTEREST_DECLINING && rate != 0;
	const __int128 a = level ? level_amount(p, m, rate, ppy) : 0;
	const __int128 flat_interest = period_interest(p, rate, ppy);

	__int128 bal = p;   /* outstanding principal */
	__int128 total = 0; /* everything due, to guarantee all sums over the schedule fit int64 */
	for (int k = 0; k < n; k++) {
		civil_day due = due_date(t, k + 1, eom);
		if (due == DATE_NONE) return SCHEDULE_BAD_DATE;

		__int128 interest =
		    t->method == INTEREST_FLAT ? flat_interest : period_interest(bal, rate, ppy);
		__int128 pr;
		if (k < g) {
			pr = 0; /* grace: interest and fees only */
		} else if (k == n - 1) {
			pr = bal; /* the last takes the exact residue: parts sum to the principal */
		} else if (level) {
			pr = a - interest;
			if (pr < 0) pr = 0;
			if (pr > bal) pr = bal;
		} else {
			pr = p / m;
		}
		bal -= pr;

		total += pr + interest + t->fee_per_installment;
		if (interest > INT64_MAX || total > INT64_MAX) return SCHEDULE_OVERFLOW;

		memset(&out[k], 0, sizeof out[k]);
		out[k].due_on = due;
		out[k].amount[COMP_PENALTY] = 0;
		out[k].amount[COMP_FEE] = t->fee_per_installment;
		out[k].amount[COMP_INTEREST] = (int64_t)interest;
		out[k].amount[COMP_PRINCIPAL] = (int64_t)pr;
	}
	return SCHEDULE_OK;
}

const char *schedule_strerror(schedule_err e)
{
	switch (e) {
	case SCHEDULE_OK:
		return "ok";
	case SCHEDULE_BAD_PRINCIPAL:
		return "principal must be positive";
	case SCHEDULE_BAD_COUNT:
		return "number of installments must be 1..1000";
	case SCHEDULE_BAD_RATE:
		return "rate must not be negative";
	case SCHEDULE_BAD_GRACE:
		return "grace periods must be 0..installments-1";
	case SCHEDULE_BAD_FEE:
		return "fee must not be negative";
	case SCHEDULE_OVERFLOW:
		return "schedule amounts out of range";
	case SCHEDULE_NO_ROOM:
		return "no room for the installments";
	case SCHEDULE_BAD_FREQ:
		return "unknown frequency";
	case SCHEDULE_BAD_METHOD:
		return "unknown interest method";
	case SCHEDULE_BAD_DATE:
		return "date out of range";
	}
	return "unknown schedule error";
}

int schedule_freq_parse(const char *s, schedule_freq *out)
{
	static const struct {
		const char *name;
		schedule_freq f;
	} names[] = {{"weekly", FREQ_WEEKLY}, {"biweekly", FREQ_BIWEEKLY}, {"monthly", FREQ_MONTHLY}};
	if (s == NULL) return -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i].name) == 0) {
			if (out != NULL) *out = names[i].f;
			return 0;
		}
	}
	return -1;
}

int schedule_method_parse(const char *s, schedule_method *out)
{
	static const struct {
		const char *name;
		schedule_method m;
	} names[] = {{"flat", INTEREST_FLAT}, {"declining", INTEREST_DECLINING}};
	if (s == NULL) return -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i].name) == 0) {
			if (out != NULL) *out = names[i].m;
			return 0;
		}
	}
	return -1;
}

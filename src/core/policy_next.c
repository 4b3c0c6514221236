/* policy_next.c: the next day on which a policy can fire for an account (see policy_next.h): the
 * core's range evaluation, stopped at its first decision. */
#include "core/policy_next.h"

static int first_day(void *ctx, const policy_decision *d)
{
	*(civil_day *)ctx = d->day;
	return 1; /* stop: the decisions come in day order */
}

policy_err policy_next_day(const policy *p, const policy_account *a, civil_day after, civil_day until,
                           civil_day *next)
{
	*next = DATE_NONE;
	if (after == DATE_NONE || until == DATE_NONE || until <= after) return POLICY_OK;
	policy_err e = policy_evaluate_range(p, a, after + 1, until, first_day, next);
	return e == POLICY_ERR_STOPPED ? POLICY_OK : e;
}

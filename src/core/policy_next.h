/* policy_next.h: the next day on which a policy can fire for an account, from the policy core's own
 * evaluation (pure, no allocation). The daily run stores it per account (policy_state.next_eval_on)
 * so that a day evaluates only the accounts whose state can change on it. */
#ifndef VIGIE_POLICY_NEXT_H
#define VIGIE_POLICY_NEXT_H
#include "core/policy.h"

/* The first day in (after, until] on which policy_evaluate_range() gives the account a decision,
 * assuming its ledger and its facts do not change (a new payment or reversal can close the account
 * or move its collection anchor; a new promise, pause, exclusion or dated event can hold, shift or
 * fire steps: the caller must re-evaluate the account when any of them is recorded). *next =
 * DATE_NONE when nothing fires in the window. */
policy_err policy_next_day(const policy *p, const policy_account *a, civil_day after, civil_day until,
                           civil_day *next);

#endif

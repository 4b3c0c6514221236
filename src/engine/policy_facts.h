/* policy_facts.h: what the policy evaluation of an account needs beyond its ledger, read from the
 * store's modules: promises to pay, holds (exclusions from collection, delinquency pauses), dated
 * events (failed and overdue tasks, alerts) from the work module, and the client's risk grade from
 * the risk module (the segment key of the policies). Shared by the simulation and the daily run.
 *
 * policy_facts_open() reads, once, the set of accounts that have such facts and every client's grade
 * as of a day; policy_facts_fill() then completes a policy_account (built by simulate_account_facts)
 * with its grade and, only for the accounts of the set, its facts dated up to `until` (one round of
 * queries per such account). The arrays it points pa into stay valid until the next fill or close.
 * Accounts without facts cost a binary search and a hash lookup. */
#ifndef VIGIE_POLICY_FACTS_H
#define VIGIE_POLICY_FACTS_H
#include <stddef.h>
#include <stdint.h>
#include "core/policy.h"
#include "store/store.h"
#include "store/store_work.h"

typedef struct policy_facts policy_facts;

/* grade_day DATE_NONE: no grades (every account's grade ""). NULL on failure, with err. */
policy_facts *policy_facts_open(store *s, civil_day grade_day, char *err, size_t errcap);
/* 0, or -1 with err (store error, invalid facts). */
int policy_facts_fill(policy_facts *f, store *s, const store_account *a, civil_day until, policy_account *pa,
                      char *err, size_t errcap);
/* The grade of a client ("" when unknown); valid until close. */
const char *policy_facts_grade(const policy_facts *f, const char *client_ext_id);
/* The day after the grade day on which a stored score changed the client's grade (DATE_NONE: none):
 * the account's next evaluation must not pass it. */
civil_day policy_facts_next_grade_day(const policy_facts *f, const char *client_ext_id);
/* 1 when the account may have facts (in the set read at open). */
int policy_facts_has(const policy_facts *f, int64_t account_id);
void policy_facts_close(policy_facts *f);

#endif

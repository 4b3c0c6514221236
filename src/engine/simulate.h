/* simulate.h: a policy replayed over the store's history without writing anything: every account is
 * read once (one streaming scan, its compact ledger decoded as the reports do) and the policy is
 * evaluated over [from, to] in the core; the decisions go to a callback and are counted per day.
 * Memory depends on the number of days and the largest account, never on the portfolio's size.
 * The work module's facts (promises, holds, failed and overdue tasks, alerts) recorded up to `to`
 * and the clients' grades as of `from` take part (engine/policy_facts.h), so a replay shows what the
 * policy does with them; the daily run shares simulate_account_facts and policy_facts. */
#ifndef VIGIE_SIMULATE_H
#define VIGIE_SIMULATE_H
#include <stdint.h>

#include "core/policy.h"
#include "engine/ledger_sync.h"
#include "store/store.h"

#define SIM_MAX_DAYS 3660 /* a range of at most about ten years */

/* Count columns: one per action, then per message channel, then cases closed. */
enum { SIM_SMS = PACT_N, SIM_EMAIL, SIM_LETTER, SIM_CLOSED, SIM_NCOUNT };
const char *simulate_count_name(int k); /* "message", ..., "hold", "sms", "email", "letter", "case_closed" */

typedef struct {
	const policy *p;
	civil_day from, to;
	const char *account; /* only this account (ext id), or NULL */
	alloc_order order;
} simulate_opts;

typedef struct {
	int n_days;                 /* to - from + 1 */
	int64_t (*day)[SIM_NCOUNT]; /* counts per day */
	int64_t total[SIM_NCOUNT];
	int64_t decisions;
	int64_t accounts;     /* accounts evaluated */
	int64_t accounts_hit; /* accounts with at least one decision */
} simulate_result;

/* Called for each decision, account by account (scan order), day by day within an account. */
typedef int (*simulate_fn)(void *ctx, const store_account *a, const policy_decision *d);

/* 0, or -1 with a message (store error, corrupt ledger, bad range, out of memory). fn may be NULL. */
int simulate_run(store *s, const simulate_opts *o, simulate_fn fn, void *ctx, simulate_result *r, char *err,
                 size_t errcap);
void simulate_result_free(simulate_result *r);

/* What the policy core needs of one account, shared by the simulation and the daily run: decodes the
 * account's ledger into buf, grows the scratch rows (*work, *cap_work) to its obligations, and fills
 * pa (pointing into a, buf and *work). 0, or -1 with the reason in err. */
int simulate_account_facts(const store_account *a, const uint8_t *blob, size_t len, const alloc_order *order,
                           ledger_buf *buf, int64_t (**work)[COMP_N], int *cap_work, policy_account *pa,
                           char *err, size_t errcap);

#endif

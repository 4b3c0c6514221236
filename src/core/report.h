/* report.h: aggregation of account states into the portfolio reports (PAR and ageing), per currency
 * and optionally per group (branch, officer, product).
 * Promises: exact int64 sums (an overflow is reported, never wrapped); rows come out sorted by
 * (currency, group key); memory grows with the number of distinct (currency, group) pairs only,
 * never with the number of accounts. Ratios are computed in integers.
 *
 * PAR follows CGAP / IRIS: a loan's whole outstanding principal (late and not yet due, no interest)
 * is classed by the loan's days past due; PARn = outstanding principal of loans with more than n
 * days past due (PAR1: 1 or more, PAR30: 31 or more, PAR90: 91 or more) over the gross outstanding
 * principal of all active loans (disbursed, not closed, not written off). */
#ifndef VIGIE_REPORT_H
#define VIGIE_REPORT_H
#include <stddef.h>
#include <stdint.h>
#include "core/ledger.h"

typedef enum { GROUP_NONE = 0, GROUP_BRANCH, GROUP_OFFICER, GROUP_PRODUCT } report_group;
int report_group_parse(const char *s, report_group *out); /* "none"/"branch"/"officer"/"product" */
const char *report_group_name(report_group g);

#define REPORT_KEY_MAX 64

typedef struct {
	char currency[4];
	char key[REPORT_KEY_MAX];     /* "" for the currency's total */
	int64_t count[PAR_NBUCKETS];  /* loans */
	int64_t amount[PAR_NBUCKETS]; /* outstanding principal */
	int64_t gross;                /* gross outstanding principal of active loans */
	int64_t loans;                /* active loans */
} par_row;

typedef struct {
	char currency[4];
	char key[REPORT_KEY_MAX];
	int64_t count[AGE_NBUCKETS];    /* obligations with an unpaid amount in the bucket */
	int64_t accounts[AGE_NBUCKETS]; /* accounts with an unpaid amount in the bucket */
	int64_t amount[AGE_NBUCKETS];
	int64_t total;  /* all unpaid */
	int64_t credit; /* credit balances (overpayments), not netted against the buckets */
} ageing_row;

typedef struct report_agg report_agg;

typedef enum { REPORT_PAR = 0, REPORT_AGEING } report_kind;

report_agg *report_agg_new(report_kind kind);
void report_agg_free(report_agg *a);

/* Adds one active loan's state to the currency total and, when key is not NULL, to its group row.
 * Loans that are not active as of the date (not started, closed, written off) must not be added.
 * Returns 0, -1 on overflow or out of memory. */
int report_agg_add_par(report_agg *a, const char *currency, const char *key, int32_t dpd,
                       int64_t outstanding_principal);

/* Adds one account's ageing: amount[b] unpaid in bucket b (and how many obligations), and credit. */
int report_agg_add_ageing(report_agg *a, const char *currency, const char *key,
                          const int64_t amount[AGE_NBUCKETS], const int64_t count[AGE_NBUCKETS],
                          int64_t credit);

/* Adds every row of src into dst (same kind): the aggregation of two disjoint sets of accounts.
 * Returns 0, -1 on overflow, out of memory or different kinds. */
int report_agg_merge(report_agg *dst, report_agg *src);

/* Rows sorted by (currency, key); the total of a currency (key "") comes first. Valid until the next
 * add or free. */
size_t report_agg_rows(report_agg *a, const par_row **par, const ageing_row **ageing);

/* Ages one account as of D: for each obligation, its unpaid amount by its own days overdue.
 * paid has n_ob rows (from ledger_state_as_of). Fills amount and count (zeroed first). */
void report_age_account(const obligation *ob, int n_ob, const int64_t (*paid)[COMP_N], civil_day as_of,
                        int64_t amount[AGE_NBUCKETS], int64_t count[AGE_NBUCKETS]);

/* num/den as a decimal with 6 digits ("0.123457"), rounded half up; "0.000000" when den is 0. */
void report_ratio(int64_t num, int64_t den, char *buf, size_t cap);

#endif

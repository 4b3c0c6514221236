/* ledger.h: what an account owes as of a date, from its obligations and its payments.
 * Promises: pure functions over caller-owned arrays; no allocation, no clock.
 * An account (a loan or an invoice) has obligations (a loan's installments; an invoice is one
 * obligation with only a principal part), each split into components. Payments are allocated in
 * date order (ties by their order in the array) following an allocation order; the state as of D
 * uses only the payments dated on or before D and not reversed on or before D, so a back-dated
 * payment or a reversal replays correctly. Allocation is therefore derived, never stored.
 *
 * Allocation orders:
 *   ALLOC_VERTICAL (default): oldest obligation first; within it, components in `order`
 *     (default penalties, fees, interest, principal). Money left after the due obligations goes on
 *     to the next ones (prepayment), in the same way; what is left after everything is a credit.
 *   ALLOC_HORIZONTAL: first component `order[0]` of every obligation due on or before the payment
 *     date, oldest first, then order[1] of those, ...; then what is left is prepaid vertically.
 *
 * Days past due as of D (CGAP; glossary): D minus the due date of the oldest obligation still unpaid
 * (any component) and due before D; 0 when none. An obligation due on D is not late on D. */
#ifndef VIGIE_LEDGER_H
#define VIGIE_LEDGER_H
#include <stdint.h>
#include "core/date.h"

typedef enum { COMP_PENALTY = 0, COMP_FEE, COMP_INTEREST, COMP_PRINCIPAL, COMP_N } ledger_component;

typedef struct {
	civil_day due_on;
	int64_t amount[COMP_N]; /* minor units, each >= 0 */
} obligation;

typedef struct {
	civil_day paid_on;
	civil_day reversed_on; /* DATE_NONE unless reversed; a reversal counts from that day on */
	int64_t amount;        /* > 0, minor units */
} ledger_payment;

typedef enum { ALLOC_VERTICAL = 0, ALLOC_HORIZONTAL } alloc_mode;

typedef struct {
	alloc_mode mode;
	ledger_component order[COMP_N]; /* a permutation of the components */
} alloc_order;

/* penalties, fees, interest, principal; vertical */
extern const alloc_order ALLOC_DEFAULT;

typedef enum {
	ACCOUNT_NOT_STARTED = 0, /* D before disbursement / issue */
	ACCOUNT_ACTIVE,
	ACCOUNT_CLOSED,      /* everything due over the whole life is paid */
	ACCOUNT_WRITTEN_OFF, /* written off on or before D */
} account_status;

typedef struct {
	int64_t total_due[COMP_N];    /* over all obligations */
	int64_t paid[COMP_N];         /* allocated by D, including prepayment of later obligations */
	int64_t arrears[COMP_N];      /* due on or before D and unpaid, per component */
	int64_t outstanding_principal;/* principal not yet repaid (late and not yet due) */
	int64_t credit;               /* overpayment kept as a credit balance */
	int32_t dpd;                  /* days past due */
	civil_day oldest_unpaid_due;  /* due date of the oldest obligation not fully paid, or DATE_NONE */
	int n_paid_payments;          /* payments counted as of D */
	account_status status;
} ledger_state;

typedef struct {
	civil_day start_on;       /* disbursement or issue date */
	civil_day written_off_on; /* DATE_NONE if never */
} ledger_account;

/* State of the account as of D. obligations sorted by due_on; payments sorted by paid_on (stable).
 * paid_out, when not NULL, receives per obligation and component what is allocated as of D
 * (n_obligations rows). Returns 0, or -1 on overflow or invalid input (unsorted arrays, negative
 * amounts, bad order permutation). */
int ledger_state_as_of(const ledger_account *acct, const obligation *ob, int n_ob,
                       const ledger_payment *pay, int n_pay, const alloc_order *order, civil_day as_of,
                       int64_t (*paid_out)[COMP_N], ledger_state *out);

/* Allocation of one payment: what payment number `which` (index in pay[]) took from each obligation
 * and component, as of D (replayed with all earlier payments). alloc_out has n_ob rows; *credit_out
 * receives the part kept as credit. Returns 0 or -1 (as above, or `which` not counted as of D). */
int ledger_payment_allocation(const ledger_account *acct, const obligation *ob, int n_ob,
                              const ledger_payment *pay, int n_pay, const alloc_order *order,
                              int which, civil_day as_of, int64_t (*alloc_out)[COMP_N],
                              int64_t *credit_out);

/* Parses an allocation order: "vertical:penalty,fee,interest,principal" or
 * "horizontal:interest,principal,fee,penalty" (all four components once). 0 on success. */
int ledger_order_parse(const char *s, alloc_order *out);
const char *ledger_component_name(ledger_component c); /* "penalty", "fee", "interest", "principal" */
const char *ledger_status_name(account_status s);      /* "not_started", "active", "closed", "written_off" */

/* PAR buckets of a loan by its days past due: 0 current, 1 1-30, 2 31-60, 3 61-90, 4 91-180, 5 >180. */
enum { PAR_CURRENT = 0, PAR_1_30, PAR_31_60, PAR_61_90, PAR_91_180, PAR_OVER_180, PAR_NBUCKETS };
int ledger_par_bucket(int32_t dpd);
const char *ledger_par_bucket_name(int b); /* "current", "1-30", "31-60", "61-90", "91-180", "over_180" */

/* Ageing buckets of one obligation by its own days overdue: 0 not due, 1 1-30, 2 31-60, 3 61-90, 4 >90. */
enum { AGE_NOT_DUE = 0, AGE_1_30, AGE_31_60, AGE_61_90, AGE_OVER_90, AGE_NBUCKETS };
int ledger_age_bucket(int32_t days_overdue);
const char *ledger_age_bucket_name(int b); /* "not_due", "1-30", "31-60", "61-90", "over_90" */

/* The history of a loan's PAR buckets implied by its ledger: intervals [entered_on, left_on) in which
 * the loan stayed in one bucket, from start_on until it closes or is written off (then the last
 * interval ends that day) or forever (left_on = DATE_NONE). Given the ledger alone, so it is the same
 * whatever the as-of date; a caller that reports as of D keeps the intervals with entered_on <= D.
 * Exactly the days on which the loan is active are covered: if a reversal reopens a loan that had
 * closed, a new interval starts on the reversal day, leaving a gap for the days it was closed.
 * Fills out[0..cap) and returns the number of intervals (which may exceed cap: call again bigger),
 * or -1 on invalid input. */
typedef struct {
	int bucket;
	civil_day entered_on;
	civil_day left_on;
} ledger_bucket_interval;
int ledger_bucket_history(const ledger_account *acct, const obligation *ob, int n_ob,
                          const ledger_payment *pay, int n_pay, const alloc_order *order,
                          ledger_bucket_interval *out, int cap);

#endif

/* behaviour.h: the behavioural variables of every client as of a date, computed from the store's
 * ledgers (payment history, loan cycle, relationship age, exposure), and the outcome over a horizon,
 * as an in-memory data set (io/dataset.h) that the scorecard engine trains on and scores unchanged
 * (`vigie score train|eval|apply|features --from-ledger`). Exact definitions: docs/scoring.md,
 * "Behavioural score from the ledger".
 *
 * Promises:
 *   - read-only: one streaming scan of the loans in client order (store_scan, by_client); each
 *     loan's compact ledger is decoded and its state computed by the core (ledger_state_as_of) at D
 *     and on its payment days, never at every day;
 *   - the history is the one known at D: a payment reversed on or before D counts as never made (and
 *     at D + horizon for the outcome);
 *   - one row per client that has at least one loan active at D (clients without one are left
 *     out and counted); memory grows with those rows only, not with the loans or payments;
 *   - every figure depends only on the ledger and the dates given (no clock), so a past D replays
 *     exactly; the outcome uses the payments after D, which a store holds when D is in the past;
 *   - undefined values (no installment due in the window, no payment yet, amounts in several
 *     currencies) are missing (NaN), which the scorecard bins apart. */
#ifndef VIGIE_BEHAVIOUR_H
#define VIGIE_BEHAVIOUR_H
#include <stdint.h>

#include "core/ledger.h"
#include "io/dataset.h"
#include "store/store.h"

/* Column names of the data set, in order (the id first; the target last, with a horizon only). */
#define BH_ID     "client_id"
#define BH_TARGET "bad"
enum {
	BH_MAX_DPD_3M = 0,       /* largest DPD of any loan on a day of (D - 3 months, D] */
	BH_MAX_DPD_6M,           /* ... (D - 6 months, D] */
	BH_MAX_DPD_12M,          /* ... (D - 12 months, D] */
	BH_DPD_NOW,              /* largest DPD at D among the active loans */
	BH_ON_TIME_SHARE_12M,    /* installments due in (D - 12 months, D] paid in full by their due date */
	BH_PARTIAL_PAYMENTS_12M, /* payments in the window that left their installment unpaid */
	BH_LOANS,                /* loans disbursed on or before D (loan cycle) */
	BH_RELATIONSHIP_DAYS,    /* D minus the first disbursement */
	BH_OUTSTANDING,          /* outstanding principal of the active loans, major units */
	BH_OUTSTANDING_SHARE,    /* that over their disbursed principal */
	BH_ACTIVE_LOANS,         /* loans active at D */
	BH_DAYS_SINCE_PAYMENT,   /* D minus the last payment counted at D */
	BH_N_VARS
};
extern const char *const BH_VAR_NAMES[BH_N_VARS];

/* Target: bad = 1 when a loan active at D is 31 or more days past due on some day of
 * (D, D + horizon], or is written off in that interval. */
#define BH_BAD_DPD     31
#define BH_MAX_HORIZON 3650

typedef struct {
	civil_day as_of;
	int horizon;          /* days, 1..BH_MAX_HORIZON; 0: no target column */
	alloc_order order;    /* payment allocation (ALLOC_DEFAULT) */
	const char *currency; /* only the loans in this currency; NULL: all */
	const char *db;       /* the store's target (path or URL), for the extra connections of threads */
	int threads;          /* connections sharing the scan (<= 1: one; needs db) */
	int exact_replay;     /* tests: one ledger replay per payment day even with vertical allocation */
} behaviour_opts;
#define BH_MAX_THREADS 16

typedef struct {
	long loans;             /* loans read (disbursed on or before D) */
	long clients;           /* clients with a loan disbursed on or before D */
	long rows;              /* clients with an active loan at D: the rows */
	long bads;              /* rows with bad = 1 (with a horizon) */
	civil_day last_paid_on; /* the latest payment date in the store's loans (DATE_NONE: none) */
} behaviour_stats;

/* Computes the data set as of o->as_of: column BH_ID (DS_ID), the BH_N_VARS variables (DS_NUMERIC,
 * NaN = missing) and, when o->horizon > 0, BH_TARGET (DS_BINARY). Rows in client id order.
 * Returns 0 and *out (free with dataset_free), or -1 with a message in err. */
int behaviour_dataset(store *s, const behaviour_opts *o, dataset **out, behaviour_stats *st, char *err,
                      size_t errcap);

#endif

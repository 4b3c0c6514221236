/* early_warning.h: the risk refresh of a day (`vigie risk refresh --as-of D`; the daily run calls
 * the same function): scores every client with the behavioural model (when one is given), keeps the
 * scores in score_history, and raises the early-warning alerts, each saying why with the variables
 * that moved (docs/risk.md, "Early-warning alerts"):
 *   grade_down     grade worse by >= grade_drop grades, or score lower by >= score_drop points, than
 *                  the client's previous score with the same model;
 *   limit_exceeded exposure above the limit in force (clients and groups that have a limit);
 *   legal          a legal_proceeding fact dated in (D - fact_lookback, D];
 *   orders_drop    an orders_drop fact dated in that window;
 *   payments_drop  payments in (D - recent, D] at a daily rate below (100 - pay_drop_pct)% of the
 *                  rate of the `before` days preceding, while something fell due in the recent days;
 *   cluster_down   >= cluster_k clients of one group, or of one officer, whose grade is worse than
 *                  their grade cluster_window days earlier.
 * Idempotent: scores are replaced by (client, day, model); alerts carry dedupe keys, so a second run
 * of the same day raises nothing new. Reads first (the previous scores in one query for all clients,
 * not one per client), then writes the scores, the alerts (through the sink: RISK_ALERT_STORE raises
 * them with store_alert_raise) and the audit entry in one transaction of its own. */
#ifndef VIGIE_EARLY_WARNING_H
#define VIGIE_EARLY_WARNING_H
#include "core/scorecard.h"
#include "engine/risk_alert.h"

typedef struct {
	civil_day as_of;
	const sc_model *model;                    /* NULL: no scoring (nor grade_down, cluster_down) */
	const char *model_name;                   /* score_history.model */
	int grade_drop;                           /* 2 */
	int score_drop;                           /* points, 40 */
	int fact_lookback;                        /* days, 30 */
	int pay_recent, pay_before, pay_drop_pct; /* 30, 90, 50 */
	int cluster_k, cluster_window;            /* 3, 30 */
	const char *actor; /* who runs it (a user, or "system"): the audit entry risk.refresh, dated as_of,
	                      in the refresh's transaction; NULL = no audit entry */
} ew_opts;

void early_warning_defaults(ew_opts *o);

enum { EW_GRADE_DOWN = 0, EW_LIMIT, EW_LEGAL, EW_ORDERS, EW_PAYMENTS, EW_CLUSTER, EW_N };
const char *early_warning_kind_name(int k); /* the alert kinds above */

typedef struct {
	long clients;      /* clients with an account active at D */
	long scored;       /* rows written to score_history */
	long raised[EW_N]; /* new alerts, by kind */
	long known;        /* alerts already raised (same dedupe key) */
} ew_stats;

/* 0, or -1 with a message in err (nothing written then). */
int early_warning_refresh(store *s, const ew_opts *o, const risk_alert_sink *sink, ew_stats *st, char *err,
                          size_t errcap);

#endif

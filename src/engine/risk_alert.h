/* risk_alert.h: how the risk engines (exposure, early warning) raise alerts, and to whom.
 * Alerts are the work module's (store_work.h, store_alert); the engines hand them to a sink, a
 * struct of one function pointer, so that the store-backed sink RISK_ALERT_STORE (store_alert_raise,
 * in the caller's transaction, idempotent by dedupe key) and a recording double in the tests are
 * interchangeable. The import paths (io/import.c, io/risk_import.c) raise breaches in the store
 * directly, in the import's transaction.
 *
 * Routing (docs/risk.md, "Who gets an alert"): an alert about an account or a client goes to the
 * officer of the account (for a client: of its account with the largest outstanding principal);
 * when there is no officer, to "role:supervisor" of that branch. An alert about a group of clients
 * or an officer's portfolio goes to "role:supervisor" of the branch when every client concerned is
 * in one branch, else to "role:manager" (branch ""). */
#ifndef VIGIE_RISK_ALERT_H
#define VIGIE_RISK_ALERT_H
#include "store/store.h"
#include "store/store_work.h"

typedef struct {
	/* Raises one alert: 0 (res: PUT_INSERTED, or PUT_UNCHANGED when its dedupe key is known), -1 on
	 * error (a message in the store or the sink). */
	int (*raise)(void *ctx, store *s, store_alert *a, store_put *res);
	void *ctx;
} risk_alert_sink;

/* The sink of the CLI and the daily run: store_alert_raise(s, a, res) in the caller's transaction
 * (alerts are unique by dedupe key: raising one again is PUT_UNCHANGED). */
extern const risk_alert_sink RISK_ALERT_STORE;

/* Fills a->assignee and a->branch for an alert about one account or client (see above). */
void risk_alert_route_one(store_alert *a, const char *officer, const char *branch);
/* For an alert about several clients: one_branch is the branch when they share one, else NULL. */
void risk_alert_route_many(store_alert *a, const char *one_branch);

#endif

/* risk_alert.c: routing of the risk alerts and the store-backed sink (see risk_alert.h). */
#include "engine/risk_alert.h"

#include <stdio.h>

void risk_alert_route_one(store_alert *a, const char *officer, const char *branch)
{
	snprintf(a->branch, sizeof a->branch, "%s", branch ? branch : "");
	if (officer && *officer)
		snprintf(a->assignee, sizeof a->assignee, "%s", officer);
	else
		snprintf(a->assignee, sizeof a->assignee, "role:supervisor");
}

void risk_alert_route_many(store_alert *a, const char *one_branch)
{
	if (one_branch) {
		snprintf(a->branch, sizeof a->branch, "%s", one_branch);
		snprintf(a->assignee, sizeof a->assignee, "role:supervisor");
	} else {
		a->branch[0] = 0;
		snprintf(a->assignee, sizeof a->assignee, "role:manager");
	}
}

static int store_raise(void *ctx, store *s, store_alert *a, store_put *res)
{
	(void)ctx;
	return store_alert_raise(s, a, res) == STORE_OK ? 0 : -1;
}

const risk_alert_sink RISK_ALERT_STORE = {store_raise, NULL};

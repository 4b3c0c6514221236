/* run_followup.h: what the daily run owes its decisions beyond storing them, done after each run
 * (and safe to do again): an alert or escalation decision raises its alert (table alert, same
 * dedupe key: routed to the step's assignee, e.g. role:supervisor, in the account's branch, so that
 * it can be acknowledged and feeds the policies' `alert` events); a four-eyes decision gets its
 * approval request (kind step, maker "system") so that it waits in the approval queue until someone
 * approves or rejects it. Batches of decisions, one transaction each; idempotent (the alert's dedupe
 * key, one request per decision), so a run killed in between and run again ends the same. */
#ifndef VIGIE_RUN_FOLLOWUP_H
#define VIGIE_RUN_FOLLOWUP_H
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

typedef struct {
	int64_t alerts, requests;
} run_followup_result;

/* 0, or -1 with err. */
int run_followup(store *s, civil_day as_of, run_followup_result *r, char *err, size_t errcap);

#endif

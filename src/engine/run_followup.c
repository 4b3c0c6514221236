/* run_followup.c: see run_followup.h. */
#include "engine/run_followup.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/currency.h"
#include "core/money.h"
#include "engine/approval_apply.h"
#include "store/store_settings.h"
#include "store/store_work.h"

#define BATCH 500
#define FOLLOWUP_MARK "run.followup_after" /* setting: the last decision id followed up */

static int raise_alert(store *s, const store_followup *f, run_followup_result *r, char *err, size_t errcap)
{
	const store_decision *d = &f->d;
	store_alert a;
	memset(&a, 0, sizeof a);
	snprintf(a.dedupe_key, sizeof a.dedupe_key, "%s", d->dedupe_key);
	a.account_id = d->account_id;
	snprintf(a.client_ext_id, sizeof a.client_ext_id, "%s", f->client_ext_id);
	a.day = d->day;
	snprintf(a.kind, sizeof a.kind, "%s", d->step);
	snprintf(a.severity, sizeof a.severity, "%s", strcmp(d->action, "escalation") == 0 ? "critical" : "warning");
	const currency_info *ci = currency_find(d->currency, strlen(d->currency));
	char late[40];
	money_format(d->late_amount, ci ? ci->exponent : 0, late, sizeof late);
	snprintf(a.reason, sizeof a.reason, "%s of policy step %s (segment %s) on %s: %d days past due, %s %s late",
	         d->action, d->step, d->segment, d->account_ext_id, (int)d->dpd, late, d->currency);
	snprintf(a.details, sizeof a.details,
	         "{\"decision_id\": %lld, \"step\": \"%s\", \"segment\": \"%s\", \"dpd\": %d, \"late_amount\": %lld}",
	         (long long)d->id, d->step, d->segment, (int)d->dpd, (long long)d->late_amount);
	/* the step's assignee: "officer" was resolved to the account's officer by the run */
	snprintf(a.assignee, sizeof a.assignee, "%s", d->assignee[0] ? d->assignee : "role:supervisor");
	snprintf(a.branch, sizeof a.branch, "%s", f->branch);
	store_put res;
	if (store_alert_raise(s, &a, &res)) {
		snprintf(err, errcap, "decision %lld: alert: %s", (long long)d->id, store_errmsg(s));
		return -1;
	}
	if (res == PUT_INSERTED) r->alerts++;
	return 0;
}

static int request_approval(store *s, const store_followup *f, run_followup_result *r, char *err, size_t errcap)
{
	const store_decision *d = &f->d;
	store_approval *ap = calloc(1, sizeof *ap);
	if (!ap) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	char msg[256];
	store_decision cur;
	if (approval_step_payload(s, d->id, &cur, ap->payload, sizeof ap->payload, msg, sizeof msg) != APPLY_OK) {
		snprintf(err, errcap, "decision %lld: %s", (long long)d->id, msg);
		free(ap);
		return -1;
	}
	snprintf(ap->kind, sizeof ap->kind, "step");
	ap->account_id = d->account_id;
	snprintf(ap->subject, sizeof ap->subject, "%s", d->account_ext_id);
	ap->decision_id = d->id;
	snprintf(ap->maker, sizeof ap->maker, "system");
	ap->made_on = d->day;
	snprintf(ap->branch, sizeof ap->branch, "%s", f->branch);
	snprintf(ap->note, sizeof ap->note, "four-eyes step %s of the daily run", d->step);
	int rc = 0;
	if (store_approval_request(s, ap)) {
		snprintf(err, errcap, "decision %lld: approval request: %s", (long long)d->id, store_errmsg(s));
		rc = -1;
	} else {
		r->requests++;
	}
	free(ap);
	return rc;
}

int run_followup(store *s, civil_day as_of, run_followup_result *r, char *err, size_t errcap)
{
	memset(r, 0, sizeof *r);
	store_followup *buf = calloc(BATCH, sizeof *buf);
	if (!buf) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	/* decisions up to the marker were followed up by an earlier run: a run reads only the new ones
	 * (its cost does not grow with the history); killed before the marker moves, the next run reads
	 * them again, which is harmless (idempotent) */
	int64_t after = 0, upto = 0;
	char mark[32];
	if (store_setting_get_or(s, FOLLOWUP_MARK, "0", mark, sizeof mark)) goto store_fail;
	after = strtoll(mark, NULL, 10);
	if (store_work_decision_max_id(s, &upto)) goto store_fail;
	for (;;) {
		int n = 0;
		if (store_begin(s)) goto store_fail;
		if (store_work_followups(s, after, BATCH, buf, &n)) goto rollback;
		for (int i = 0; i < n; i++) {
			const store_decision *d = &buf[i].d;
			int is_alert = strcmp(d->action, "alert") == 0 || strcmp(d->action, "escalation") == 0;
			if (is_alert && raise_alert(s, &buf[i], r, err, errcap)) goto rollback_msg;
			if (d->four_eyes && strcmp(d->status, "open") == 0) {
				store_approval have;
				store_rc rc = store_approval_of_decision(s, d->id, &have);
				if (rc == STORE_NOT_FOUND) {
					if (request_approval(s, &buf[i], r, err, errcap)) goto rollback_msg;
				} else if (rc) {
					goto rollback;
				}
			}
			after = d->id;
		}
		if (store_commit(s)) goto store_fail;
		if (n < BATCH) break;
	}
	snprintf(mark, sizeof mark, "%lld", (long long)upto);
	store_put pr;
	if (store_begin(s) || store_setting_set(s, FOLLOWUP_MARK, mark, as_of, "system", &pr) || store_commit(s)) {
		store_rollback(s);
		goto store_fail;
	}
	free(buf);
	return 0;
rollback:
	snprintf(err, errcap, "%s", store_errmsg(s));
rollback_msg:
	store_rollback(s);
	free(buf);
	return -1;
store_fail:
	snprintf(err, errcap, "%s", store_errmsg(s));
	free(buf);
	return -1;
}

/* daily_run.c: the persisted daily run of a policy (see daily_run.h). */
#include "engine/daily_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy_next.h"
#include "engine/ledger_sync.h"
#include "engine/simulate.h"

const char *daily_run_status(const policy_decision *d)
{
	if (d->kind == PDEC_CASE_CLOSED) return "done";
	if (d->s->four_eyes || d->s->action == PACT_TASK) return "open";
	if (d->s->action == PACT_MESSAGE) return "queued";
	return "done";
}

typedef struct {
	const daily_run_opts *o;
	civil_day day;
	int all;
	/* the batch being built */
	store_decision *dec;
	int n_dec, cap_dec;
	store_policy_state *st;
	int n_st;
	int64_t last_id;
	const store_account *cur;
	ledger_buf buf;
	int64_t (*work)[COMP_N];
	int cap_work;
	char err[256];
} run_ctx;

static int copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap) return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* policy_decision -> store_decision, appended to the batch. */
static int on_decision(void *vc, const policy_decision *d)
{
	run_ctx *c = vc;
	if (c->n_dec == c->cap_dec) {
		int nc = c->cap_dec ? c->cap_dec * 2 : 1024;
		void *np = realloc(c->dec, sizeof *c->dec * (size_t)nc);
		if (!np) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return -1;
		}
		c->dec = np;
		c->cap_dec = nc;
	}
	store_decision *o = &c->dec[c->n_dec];
	memset(o, 0, sizeof *o);
	const policy_step *s = d->s;
	int bad = copy(o->dedupe_key, sizeof o->dedupe_key, d->dedupe);
	o->account_id = c->cur->id;
	o->day = d->day;
	o->created_by_run_day = c->day;
	o->anchor = d->anchor;
	o->dpd = d->dpd;
	o->late_amount = d->late;
	bad |= copy(o->status, sizeof o->status, daily_run_status(d));
	if (!s) {
		bad |= copy(o->action, sizeof o->action, "case_closed");
	} else {
		bad |= copy(o->segment, sizeof o->segment, d->segment_name);
		bad |= copy(o->step, sizeof o->step, s->id);
		bad |= copy(o->action, sizeof o->action, policy_action_name(s->action));
		policy_channels_text(s->channels, o->channels, sizeof o->channels);
		for (char *p = o->channels; *p; p++)
			if (*p == '+') *p = ',';
		bad |= copy(o->template_name, sizeof o->template_name, s->template_name);
		bad |= copy(o->task_kind, sizeof o->task_kind, policy_task_name(s->task));
		/* tasks go to the account's officer unless the step names a role */
		const char *who = s->assignee;
		if (strcmp(who, "officer") == 0 || (!who[0] && s->action == PACT_TASK)) who = c->cur->officer;
		bad |= copy(o->assignee, sizeof o->assignee, who);
		o->four_eyes = s->four_eyes;
	}
	if (bad) {
		snprintf(c->err, sizeof c->err, "account %s: a decision's field is too long", c->cur->ext_id);
		return -1;
	}
	c->n_dec++;
	return 0;
}

static int on_account(void *vc, const store_account *a, const uint8_t *blob, size_t len,
                      civil_day last_eval_on)
{
	run_ctx *c = vc;
	c->last_id = a->id;
	policy_account pa;
	if (simulate_account_facts(a, blob, len, &c->o->order, &c->buf, &c->work, &c->cap_work, &pa, c->err,
	                           sizeof c->err))
		return -1;
	c->cur = a;
	/* an account seen for the first time starts on the day run: no flood of past decisions */
	civil_day from = last_eval_on == DATE_NONE ? c->day : last_eval_on + 1;
	civil_day last = last_eval_on != DATE_NONE && last_eval_on > c->day ? last_eval_on : c->day;
	policy_err e = POLICY_OK;
	if (from <= c->day) e = policy_evaluate_range(c->o->p, &pa, from, c->day, on_decision, c);
	civil_day next = DATE_NONE;
	if (!e) e = policy_next_day(c->o->p, &pa, last, last + DAILY_RUN_HORIZON, &next);
	if (e) {
		if (!c->err[0])
			snprintf(c->err, sizeof c->err, "account %s: %s", a->ext_id, policy_strerror(e));
		return -1;
	}
	/* nothing within the horizon: look again at its end */
	c->st[c->n_st++] =
	    (store_policy_state){a->id, next != DATE_NONE ? next : last + DAILY_RUN_HORIZON, last};
	return 0;
}

/* One batch of day c->day: *more is set when the day may have more due accounts. */
static int run_batch(store *s, run_ctx *c, int batch, daily_run_day *dd, int *more, char *err, size_t errcap)
{
	c->n_dec = c->n_st = 0;
	c->err[0] = '\0';
	store_put *res = NULL;
	int n = 0;
	if (store_begin(s)) goto fail;
	if (store_due_accounts(s, c->day, c->all, c->last_id, batch, on_account, c, &n)) goto fail;
	res = malloc(sizeof *res * (size_t)(c->n_dec ? c->n_dec : 1));
	if (!res) {
		snprintf(c->err, sizeof c->err, "out of memory");
		goto fail;
	}
	if (store_decision_put_many(s, c->dec, c->n_dec, res)) goto fail;
	int64_t ins = 0;
	for (int i = 0; i < c->n_dec; i++)
		ins += res[i] == PUT_INSERTED;
	if (store_policy_state_set_many(s, c->st, c->n_st)) goto fail;
	*more = n == batch;
	store_run_log rl = {.day = c->day,
	                    .policy_version = c->o->p->version,
	                    .accounts_evaluated = n,
	                    .decisions = ins,
	                    .finished = !*more};
	snprintf(rl.policy_name, sizeof rl.policy_name, "%s", c->o->p->name);
	if (store_run_log_put(s, &rl)) goto fail;
	if (store_commit(s)) goto fail;
	free(res);
	dd->accounts += n;
	dd->inserted += ins;
	dd->unchanged += c->n_dec - ins;
	return 0;
fail:
	snprintf(err, errcap, "%s", c->err[0] ? c->err : store_errmsg(s));
	free(res);
	store_rollback(s); /* fails harmlessly when no transaction is open */
	return -1;
}

int daily_run(store *s, const daily_run_opts *o, daily_run_result *r, char *err, size_t errcap)
{
	memset(r, 0, sizeof *r);
	r->last_before = DATE_NONE;
	if (o->as_of == DATE_NONE) {
		snprintf(err, errcap, "no as-of date");
		return -1;
	}
	store_run_log last;
	store_rc lrc = store_run_log_last(s, &last);
	if (lrc != STORE_OK && lrc != STORE_NOT_FOUND) {
		snprintf(err, errcap, "%s", store_errmsg(s));
		return -1;
	}
	if (lrc == STORE_OK) {
		r->last_before = last.day;
		r->from = last.day + 1;
		r->policy_changed =
		    strcmp(last.policy_name, o->p->name) != 0 || last.policy_version != o->p->version;
	} else {
		r->from = o->as_of; /* a first run starts on its as-of day: no replay of the past */
	}
	r->to = o->as_of;
	if (r->from > r->to) return 0; /* already run */
	if ((int64_t)r->to - r->from + 1 > DAILY_RUN_MAX_DAYS) {
		snprintf(err, errcap, "%lld days to catch up since the last run; at most %d in one run",
		         (long long)r->to - r->from + 1, DAILY_RUN_MAX_DAYS);
		return -1;
	}
	int batch = o->batch > 0 ? o->batch : DAILY_RUN_BATCH;
	run_ctx c = {.o = o};
	c.st = malloc(sizeof *c.st * (size_t)batch);
	if (!c.st) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	int rc = 0;
	for (civil_day day = r->from; day <= r->to && !rc; day++) {
		daily_run_day dd = {.day = day};
		c.day = day;
		c.all = r->policy_changed && day == r->from;
		c.last_id = 0;
		int more = 1;
		while (more && !rc)
			rc = run_batch(s, &c, batch, &dd, &more, err, errcap);
		if (rc) break;
		r->days++;
		r->accounts += dd.accounts;
		r->inserted += dd.inserted;
		r->unchanged += dd.unchanged;
		if (o->on_day && o->on_day(o->ctx, &dd)) break;
	}
	free(c.dec);
	free(c.st);
	free(c.work);
	ledger_buf_free(&c.buf);
	return rc;
}

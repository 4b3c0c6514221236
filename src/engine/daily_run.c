/* daily_run.c: the persisted daily run of a policy (see daily_run.h). */
#include "engine/daily_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/policy_next.h"
#include "engine/ledger_sync.h"
#include "engine/policy_facts.h"
#include "engine/simulate.h"
#include "store/store_work.h"

const char *daily_run_status(const policy_decision *d)
{
	if (d->kind == PDEC_CASE_CLOSED) return "done";
	if (d->s->four_eyes || d->s->action == PACT_TASK) return "open";
	if (d->s->action == PACT_MESSAGE) return "queued";
	return "done";
}

typedef struct {
	const daily_run_opts *o;
	store *s;
	policy_facts *facts; /* the day's: work facts and grades (engine/policy_facts.h) */
	civil_day day;
	/* the batch being built */
	store_decision *dec;
	int n_dec, cap_dec;
	store_policy_state *st;
	int n_st;
	const store_account *cur;
	ledger_buf buf;
	int64_t (*work)[COMP_N];
	int cap_work;
	char owner[STORE_NAME_MAX];
	int lease_s;
	char err[256];
	/* the account's events plus the overdue events of the tasks this evaluation creates */
	policy_fact_event *ev;
	char (*ev_ref)[STORE_EVENT_REF_MAX];
	int cap_ev;
	int first_dec; /* the account's first decision in dec (dedupe of a second pass) */
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
	/* a second pass over the account's days (own overdue tasks) gives its decisions again */
	for (int i = c->first_dec; i < c->n_dec; i++)
		if (strcmp(c->dec[i].dedupe_key, d->dedupe) == 0) return 0;
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

/* The first payment or reversal of the account dated after `after` (DATE_NONE: none). A payment
 * can close an account or move its collection anchor, so the account must be looked at on that
 * day; the store does the same for payments posted later (store_policy_state_note_dirty). */
static civil_day first_payment_event(const policy_account *pa, civil_day after)
{
	civil_day first = DATE_NONE;
	for (int i = 0; i < pa->n_pay; i++) {
		civil_day e[2] = {pa->pay[i].paid_on, pa->pay[i].reversed_on};
		for (int k = 0; k < 2; k++)
			if (e[k] != DATE_NONE && e[k] > after && (first == DATE_NONE || e[k] < first))
				first = e[k];
	}
	return first;
}

/* Tasks this evaluation created (open, in dec[first..n)) become overdue STORE_TASK_OVERDUE_DAYS
 * later unless someone records an outcome: the facts read before they existed cannot say so. They
 * are added to pa's events (the same ref as store_work_facts_get gives once stored), so that the
 * next evaluation day accounts for them and, when that day is already within the days evaluated (a
 * catch-up), those days are evaluated again: a catch-up then stores what day-by-day runs store.
 * Returns the earliest such day within the range (DATE_NONE: none), or -2 on failure. */
static civil_day own_overdue(run_ctx *c, policy_account *pa, int first)
{
	int add = 0;
	for (int i = first; i < c->n_dec; i++)
		add += strcmp(c->dec[i].action, "task") == 0 && strcmp(c->dec[i].status, "open") == 0;
	if (!add) return DATE_NONE;
	int need = pa->n_events + add;
	if (need > c->cap_ev) {
		void *ne = realloc(c->ev, sizeof *c->ev * (size_t)need);
		if (ne) c->ev = ne;
		void *nr = realloc(c->ev_ref, sizeof *c->ev_ref * (size_t)need);
		if (nr) c->ev_ref = nr;
		if (!ne || !nr) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return -2;
		}
		c->cap_ev = need;
	}
	if (pa->events != c->ev) {
		for (int i = 0; i < pa->n_events; i++)
			c->ev[i] = pa->events[i];
	}
	int n = pa->n_events;
	civil_day earliest = DATE_NONE;
	for (int i = first; i < c->n_dec; i++) {
		const store_decision *d = &c->dec[i];
		if (strcmp(d->action, "task") != 0 || strcmp(d->status, "open") != 0) continue;
		char ref[STORE_EVENT_REF_MAX];
		store_work_event_ref('T', d->dedupe_key, ref);
		int known = 0;
		for (int j = 0; j < n && !known; j++)
			known = c->ev[j].kind == PEV_TASK_OVERDUE && strcmp(c->ev[j].ref, ref) == 0;
		if (known) continue;
		memcpy(c->ev_ref[n], ref, sizeof ref);
		civil_day day = d->day + STORE_TASK_OVERDUE_DAYS;
		c->ev[n] = (policy_fact_event){.day = day, .kind = PEV_TASK_OVERDUE, .name = d->task_kind,
		                               .ref = c->ev_ref[n]};
		n++;
		if (day <= c->day && (earliest == DATE_NONE || day < earliest)) earliest = day;
	}
	pa->events = c->ev;
	pa->n_events = n;
	return earliest;
}

static int on_account(void *vc, const store_account *a, const uint8_t *blob, size_t len,
                      civil_day last_eval_on)
{
	run_ctx *c = vc;
	policy_account pa;
	if (simulate_account_facts(a, blob, len, &c->o->order, &c->buf, &c->work, &c->cap_work, &pa, c->err,
	                           sizeof c->err))
		return -1;
	/* facts up to the horizon: a task that will be overdue, a hold planned ahead set the next day */
	if (policy_facts_fill(c->facts, c->s, a, c->day + DAILY_RUN_HORIZON, &pa, c->err, sizeof c->err)) return -1;
	c->cur = a;
	/* an account seen for the first time starts on the day run: no flood of past decisions */
	civil_day from = last_eval_on == DATE_NONE ? c->day : last_eval_on + 1;
	civil_day last = last_eval_on != DATE_NONE && last_eval_on > c->day ? last_eval_on : c->day;
	policy_err e = POLICY_OK;
	c->first_dec = c->n_dec;
	if (from <= c->day) e = policy_evaluate_range(c->o->p, &pa, from, c->day, on_decision, c);
	/* the tasks just created, overdue within the days evaluated or later (a few passes at most:
	 * an overdue step may create a task in turn) */
	for (int pass = 0, first = c->first_dec; !e && pass < 4; pass++) {
		int before = c->n_dec;
		civil_day again = own_overdue(c, &pa, first);
		if (again == -2) return -1;
		if (again == DATE_NONE) break;
		e = policy_evaluate_range(c->o->p, &pa, again > from ? again : from, c->day, on_decision, c);
		first = before;
		if (c->n_dec == before) break;
	}
	civil_day next = DATE_NONE;
	if (!e) e = policy_next_day(c->o->p, &pa, last, last + DAILY_RUN_HORIZON, &next);
	if (e) {
		if (!c->err[0])
			snprintf(c->err, sizeof c->err, "account %s: %s", a->ext_id, policy_strerror(e));
		return -1;
	}
	/* nothing within the horizon: look again at its end */
	if (next == DATE_NONE) next = last + DAILY_RUN_HORIZON;
	civil_day ev = first_payment_event(&pa, last);
	if (ev != DATE_NONE && ev < next) next = ev;
	/* a score already stored for a later day may change the grade, hence the segment */
	civil_day g = policy_facts_next_grade_day(c->facts, a->client_ext_id);
	if (g != DATE_NONE && g > last && g < next) next = g;
	if (next <= c->day) next = c->day + 1; /* due again on a later day, never twice the same day */
	c->st[c->n_st++] = (store_policy_state){a->id, next, last};
	return 0;
}

enum { BATCH_OK = 0, BATCH_FAIL = -1, BATCH_LOST = 1 };

/* One batch of partition part on day c->day: *more is set when the partition may have more due
 * accounts. BATCH_LOST: another worker took the partition over (nothing written). */
static int run_batch(store *s, run_ctx *c, int part, int batch, daily_run_day *dd, int *more, char *err,
                     size_t errcap)
{
	c->n_dec = c->n_st = 0;
	c->err[0] = '\0';
	store_put *res = NULL;
	int n = 0;
	if (store_begin(s)) goto fail;
	if (store_due_accounts(s, c->day, part, batch, on_account, c, &n)) goto fail;
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
	store_rc urc =
	    store_run_part_update(s, c->day, part, c->owner, c->lease_s, n, ins, c->n_dec - ins, !*more);
	if (urc == STORE_NOT_FOUND) {
		free(res);
		store_rollback(s);
		return BATCH_LOST;
	}
	if (urc || store_commit(s)) goto fail;
	free(res);
	dd->accounts += n;
	dd->inserted += ins;
	dd->unchanged += c->n_dec - ins;
	return BATCH_OK;
fail:
	snprintf(err, errcap, "%s", c->err[0] ? c->err : store_errmsg(s));
	free(res);
	store_rollback(s); /* fails harmlessly when no transaction is open */
	return BATCH_FAIL;
}

static int fail_store(store *s, char *err, size_t errcap)
{
	snprintf(err, errcap, "%s", store_errmsg(s));
	store_rollback(s);
	return -1;
}

static void pause_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int run_parts(store *s, run_ctx *c, int batch, daily_run_day *dd, char *err, size_t errcap);

/* Runs day c->day as one of its workers, until every partition is done. */
static int run_day(store *s, run_ctx *c, int replan, int batch, daily_run_day *dd, char *err, size_t errcap)
{
	int created;
	if (store_begin(s) || store_run_day_open(s, c->day, replan, &created) || store_commit(s))
		return fail_store(s, err, errcap);
	/* read once per day (not per run): a run killed and run again sees what a clean run saw */
	c->facts = policy_facts_open(s, c->day, err, errcap);
	if (!c->facts) return -1;
	int out = run_parts(s, c, batch, dd, err, errcap);
	policy_facts_close(c->facts);
	c->facts = NULL;
	if (out) return -1;
	if (store_begin(s) || store_run_day_finish(s, c->day, c->o->p->name, c->o->p->version) ||
	    store_commit(s))
		return fail_store(s, err, errcap);
	return 0;
}

/* The partitions of day c->day, claimed one after another until none is left. */
static int run_parts(store *s, run_ctx *c, int batch, daily_run_day *dd, char *err, size_t errcap)
{
	for (;;) {
		int part;
		if (store_begin(s)) return fail_store(s, err, errcap);
		store_rc crc = store_run_part_claim(s, c->day, c->owner, c->lease_s, &part);
		if ((crc != STORE_OK && crc != STORE_NOT_FOUND) || store_commit(s))
			return fail_store(s, err, errcap);
		if (crc == STORE_NOT_FOUND) {
			int total, left;
			if (store_run_day_left(s, c->day, &total, &left)) return fail_store(s, err, errcap);
			if (left == 0) break;
			pause_ms(c->o->poll_ms > 0 ? c->o->poll_ms : DAILY_RUN_POLL_MS); /* others at work */
			continue;
		}
		int more = 1, rc = BATCH_OK;
		while (more && rc == BATCH_OK)
			rc = run_batch(s, c, part, batch, dd, &more, err, errcap);
		if (rc == BATCH_FAIL) return -1;
	}
	return 0;
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
	run_ctx c = {.o = o, .s = s, .lease_s = o->lease_s > 0 ? o->lease_s : DAILY_RUN_LEASE_S};
	if (o->owner && o->owner[0]) {
		snprintf(c.owner, sizeof c.owner, "%s", o->owner);
	} else {
		char host[64] = "";
		gethostname(host, sizeof host - 1);
		snprintf(c.owner, sizeof c.owner, "%.63s:%ld", host, (long)getpid());
	}
	c.st = malloc(sizeof *c.st * (size_t)batch);
	if (!c.st) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	int rc = 0;
	for (civil_day day = r->from; day <= r->to && !rc; day++) {
		daily_run_day dd = {.day = day};
		c.day = day;
		rc = run_day(s, &c, r->policy_changed && day == r->from, batch, &dd, err, errcap);
		if (rc) break;
		r->days++;
		r->accounts += dd.accounts;
		r->inserted += dd.inserted;
		r->unchanged += dd.unchanged;
		if (o->on_day && o->on_day(o->ctx, &dd)) break;
	}
	free(c.dec);
	free(c.ev);
	free(c.ev_ref);
	free(c.st);
	free(c.work);
	ledger_buf_free(&c.buf);
	return rc;
}

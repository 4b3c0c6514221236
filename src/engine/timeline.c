/* timeline.c: see timeline.h. */
#include "engine/timeline.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/currency.h"
#include "core/ledger.h"
#include "core/money.h"
#include "store/store_outbox.h"
#include "store/store_work.h"

enum { O_PAYMENT = 0, O_BUCKET, O_DECISION, O_MESSAGE, O_PEOPLE };

typedef struct {
	timeline *t;
	const store_account *a;
	civil_day to;
	store *s;
	int64_t seq;
	int oom;
	int64_t *msg_decisions; /* decisions that may have messages */
	size_t n_msg, cap_msg;
} tl_ctx;

static timeline_event *add(tl_ctx *c, civil_day day, int order, const char *kind)
{
	if (c->to != DATE_NONE && day != DATE_NONE && day > c->to) return NULL;
	timeline *t = c->t;
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 64;
		timeline_event *ne = realloc(t->ev, nc * sizeof *ne);
		if (!ne) {
			c->oom = 1;
			return NULL;
		}
		t->ev = ne;
		t->cap = nc;
	}
	timeline_event *e = &t->ev[t->n++];
	memset(e, 0, sizeof *e);
	e->day = day;
	e->order = order;
	e->seq = c->seq++;
	snprintf(e->kind, sizeof e->kind, "%s", kind);
	return e;
}

static void fmt(char *dst, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *dst, size_t cap, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	vsnprintf(dst, cap, f, ap);
	va_end(ap);
}

static const char *amount(const store_account *a, int64_t v, char *buf, size_t cap)
{
	const currency_info *ci = currency_find(a->currency, strlen(a->currency));
	money_format(v, ci ? ci->exponent : 0, buf, cap);
	return buf;
}

static int on_decision(void *ctx, const store_decision *d)
{
	tl_ctx *c = ctx;
	timeline_event *e = add(c, d->day, O_DECISION, "decision");
	if (!e) return c->oom;
	fmt(e->ref, sizeof e->ref, "%lld", (long long)d->id);
	if (!d->step[0])
		fmt(e->what, sizeof e->what, "%s", d->action);
	else
		fmt(e->what, sizeof e->what, "%s %s", d->step, d->action);
	char late[40], who[STORE_ID_MAX + 8] = "";
	if (d->assignee[0]) fmt(who, sizeof who, "for %s, ", d->assignee);
	fmt(e->detail, sizeof e->detail, "%s%s%s%s%sdpd %d, late %s%s", d->task_kind, d->task_kind[0] ? " " : "",
	    d->channels, d->channels[0] ? " " : "", who, (int)d->dpd, amount(c->a, d->late_amount, late, sizeof late),
	    d->four_eyes ? ", four eyes" : "");
	fmt(e->status, sizeof e->status, "%s", d->status);
	if (d->template_name[0] || strcmp(d->action, "message") == 0) {
		if (c->n_msg == c->cap_msg) {
			size_t nc = c->cap_msg ? c->cap_msg * 2 : 32;
			int64_t *n = realloc(c->msg_decisions, nc * sizeof *n);
			if (!n) {
				c->oom = 1;
				return 1;
			}
			c->msg_decisions = n;
			c->cap_msg = nc;
		}
		c->msg_decisions[c->n_msg++] = d->id;
	}
	if (strcmp(d->action, "task") == 0 && strcmp(d->status, "done") == 0) {
		store_task_outcome o;
		if (store_task_outcome_get(c->s, d->id, &o) == STORE_OK) {
			timeline_event *x = add(c, o.day, O_PEOPLE, "outcome");
			if (!x) return c->oom;
			fmt(x->ref, sizeof x->ref, "%lld", (long long)d->id);
			fmt(x->what, sizeof x->what, "%s %s", d->task_kind, store_outcome_name(o.outcome));
			fmt(x->detail, sizeof x->detail, "%s", o.note);
			fmt(x->actor, sizeof x->actor, "%s", o.actor);
		}
	}
	return 0;
}

static int on_message(void *ctx, const store_message *m)
{
	tl_ctx *c = ctx;
	timeline_event *e = add(c, m->day, O_MESSAGE, "message");
	if (!e) return c->oom;
	fmt(e->ref, sizeof e->ref, "%lld", (long long)m->id);
	fmt(e->what, sizeof e->what, "%s %s%s%s", m->channel, m->template_name, m->language[0] ? " " : "",
	    m->language);
	if (m->error[0])
		fmt(e->detail, sizeof e->detail, "%s", m->error);
	else
		fmt(e->detail, sizeof e->detail, "to %s", m->recipient);
	fmt(e->status, sizeof e->status, "%s", m->status);
	return 0;
}

static int on_promise(void *ctx, const store_promise *p)
{
	tl_ctx *c = ctx;
	timeline_event *e = add(c, p->made_on, O_PEOPLE, "promise");
	if (!e) return c->oom;
	char am[40], paid_s[40], due[16];
	int64_t paid = 0;
	civil_day as_of = c->to != DATE_NONE ? c->to : DATE_MAX;
	int st = store_promise_status(c->s, p, as_of, &paid);
	if (st < 0) return 1;
	date_format(p->due_on, due, sizeof due);
	fmt(e->ref, sizeof e->ref, "P%lld", (long long)p->id);
	fmt(e->what, sizeof e->what, "%s %s by %s", amount(c->a, p->amount, am, sizeof am), c->a->currency, due);
	fmt(e->detail, sizeof e->detail, "paid %s since", amount(c->a, paid, paid_s, sizeof paid_s));
	fmt(e->status, sizeof e->status, "%s", store_promise_status_name(st));
	fmt(e->actor, sizeof e->actor, "%s", p->actor);
	return 0;
}

static int on_alert(void *ctx, const store_alert *a)
{
	tl_ctx *c = ctx;
	timeline_event *e = add(c, a->day, O_PEOPLE, "alert");
	if (!e) return c->oom;
	fmt(e->ref, sizeof e->ref, "A%lld", (long long)a->id);
	fmt(e->what, sizeof e->what, "%s (%s)", a->kind, a->severity);
	fmt(e->detail, sizeof e->detail, "%s%s%s", a->reason, a->assignee[0] ? "; for " : "", a->assignee);
	fmt(e->status, sizeof e->status, "%s", a->status);
	if (a->ack_on != DATE_NONE) {
		timeline_event *x = add(c, a->ack_on, O_PEOPLE, "alert_ack");
		if (!x) return c->oom;
		fmt(x->ref, sizeof x->ref, "A%lld", (long long)a->id);
		fmt(x->what, sizeof x->what, "%s acknowledged", a->kind);
		fmt(x->actor, sizeof x->actor, "%s", a->ack_by);
	}
	return 0;
}

static int on_approval(void *ctx, const store_approval *ap)
{
	tl_ctx *c = ctx;
	if (ap->account_id != c->a->id) return 0;
	timeline_event *e = add(c, ap->made_on, O_PEOPLE, "request");
	if (!e) return c->oom;
	fmt(e->ref, sizeof e->ref, "R%lld", (long long)ap->id);
	fmt(e->what, sizeof e->what, "%s", ap->kind);
	fmt(e->status, sizeof e->status, "%s", ap->status);
	fmt(e->actor, sizeof e->actor, "%s", ap->maker);
	if (ap->checked_on != DATE_NONE) {
		int rejected = strcmp(ap->status, "rejected") == 0;
		timeline_event *x = add(c, ap->checked_on, O_PEOPLE, rejected ? "rejection" : "approval");
		if (!x) return c->oom;
		fmt(x->ref, sizeof x->ref, "R%lld", (long long)ap->id);
		fmt(x->what, sizeof x->what, "%s %s", ap->kind, rejected ? "rejected" : "approved");
		fmt(x->detail, sizeof x->detail, "%s", ap->note);
		fmt(x->actor, sizeof x->actor, "%s", ap->checker);
	}
	return 0;
}

static int on_hold(void *ctx, const store_hold *h)
{
	tl_ctx *c = ctx;
	const char *kind = h->kind == HOLD_PAUSE ? "pause" : "exclusion";
	timeline_event *e = add(c, h->from_on, O_PEOPLE, "hold");
	if (!e) return c->oom;
	char to[16] = "open";
	if (h->to_on != DATE_NONE) date_format(h->to_on, to, sizeof to);
	fmt(e->ref, sizeof e->ref, "H%lld", (long long)h->id);
	fmt(e->what, sizeof e->what, "%s%s until %s", kind, h->account_id ? "" : " (client)", to);
	fmt(e->detail, sizeof e->detail, "%s", h->reason);
	fmt(e->actor, sizeof e->actor, "%s", h->actor);
	if (h->ended_on != DATE_NONE) {
		timeline_event *x = add(c, h->ended_on, O_PEOPLE, "hold_end");
		if (!x) return c->oom;
		fmt(x->ref, sizeof x->ref, "H%lld", (long long)h->id);
		fmt(x->what, sizeof x->what, "%s ended", kind);
		fmt(x->actor, sizeof x->actor, "%s", h->ended_by);
	}
	return 0;
}

static int cmp_event(const void *x, const void *y)
{
	const timeline_event *a = x, *b = y;
	if (a->day != b->day) return a->day < b->day ? -1 : 1;
	if (a->order != b->order) return a->order < b->order ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

void timeline_free(timeline *t)
{
	free(t->ev);
	memset(t, 0, sizeof *t);
}

int timeline_build(store *s, const store_account *a, civil_day to, timeline *t, char *err, size_t errcap)
{
	t->n = 0;
	tl_ctx c = {.t = t, .a = a, .to = to, .s = s};
	char am[40];
	/* payments and reversals */
	int np = 0;
	store_payment *pay = NULL;
	if (store_payments_get(s, a->id, NULL, 0, &np)) goto store_err;
	if (np > 0) {
		pay = calloc((size_t)np, sizeof *pay);
		if (!pay) goto oom;
		if (store_payments_get(s, a->id, pay, np, &np)) goto store_err;
	}
	for (int i = 0; i < np; i++) {
		timeline_event *e = add(&c, pay[i].paid_on, O_PAYMENT, "payment");
		if (c.oom) goto oom;
		if (e) {
			fmt(e->ref, sizeof e->ref, "%s", pay[i].ext_id);
			fmt(e->what, sizeof e->what, "%s %s", amount(a, pay[i].amount, am, sizeof am), a->currency);
			fmt(e->detail, sizeof e->detail, "%s", pay[i].reference);
		}
		if (pay[i].reversed_on != DATE_NONE) {
			e = add(&c, pay[i].reversed_on, O_PAYMENT, "reversal");
			if (c.oom) goto oom;
			if (e) {
				fmt(e->ref, sizeof e->ref, "%s", pay[i].ext_id);
				fmt(e->what, sizeof e->what, "%s %s", amount(a, pay[i].amount, am, sizeof am),
				    a->currency);
			}
		}
	}
	free(pay);
	pay = NULL;
	/* PAR buckets (loans) */
	ledger_bucket_interval bh[256];
	int nb = 0;
	if (store_bucket_history_get(s, a->id, bh, 256, &nb)) goto store_err;
	for (int i = 0; i < nb && i < 256; i++) {
		timeline_event *e = add(&c, bh[i].entered_on, O_BUCKET, "bucket");
		if (c.oom) goto oom;
		if (e) fmt(e->what, sizeof e->what, "enters %s", ledger_par_bucket_name(bh[i].bucket));
	}
	if (a->written_off_on != DATE_NONE) {
		timeline_event *e = add(&c, a->written_off_on, O_BUCKET, "write_off");
		if (c.oom) goto oom;
		if (e) fmt(e->what, sizeof e->what, "written off");
	}
	/* the run's decisions (with task outcomes), then their messages */
	store_decision_filter df = {.account_id = a->id, .from = DATE_NONE, .to = to};
	if (store_decisions_each(s, &df, on_decision, &c)) goto fail;
	for (size_t i = 0; i < c.n_msg; i++) {
		store_message_filter mf = {.decision_id = c.msg_decisions[i], .to = DATE_NONE};
		if (store_messages_each(s, &mf, on_message, &c)) goto fail;
	}
	if (store_promises_each(s, a->id, on_promise, &c)) goto fail;
	store_alert_filter af = {.account_id = a->id};
	if (store_alerts_each(s, &af, on_alert, &c)) goto fail;
	if (store_approvals_each(s, NULL, NULL, on_approval, &c)) goto fail;
	if (store_holds_each(s, a->id, on_hold, &c)) goto fail;
	free(c.msg_decisions);
	if (t->n > 1) qsort(t->ev, t->n, sizeof *t->ev, cmp_event);
	return 0;
fail:
	if (c.oom) goto oom;
store_err:
	snprintf(err, errcap, "%s", store_errmsg(s));
	free(pay);
	free(c.msg_decisions);
	return -1;
oom:
	snprintf(err, errcap, "out of memory");
	free(pay);
	free(c.msg_decisions);
	return -1;
}

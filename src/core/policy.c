/* policy.c: evaluation of a follow-up and collection policy for one account (see policy.h for the
 * rules, docs/policies.md for the reasons).
 *
 * Everything is recomputed from the ledger and the account's facts as of the day asked, so
 * evaluating a day twice gives the same decisions and keys, and a range gives the same decisions as
 * its days one by one: the range walk only skips days on which no step can fire (a step's day is an
 * event date plus its offset plus a multiple of its period, counted in calendar days or, for the
 * collection path and broken promises, in non-hold days; an account closes only on a payment day). */
#include "core/policy.h"

#include <stdio.h>
#include <string.h>

static const char *const EVENTS[PEV_N] = {"disbursement",   "due_date",    "dpd",   "maturity",
                                          "broken_promise", "task_failed", "alert", "task_overdue"};
static const char *const ACTIONS[PACT_N] = {
    "message",       "task",          "alert",      "escalation",       "plan_proposal",
    "renewal_check", "formal_notice", "court_file", "insurance_notice", "hold"};
static const char *const TASKS[PTASK_N] = {
    "", "call", "visit", "loan_use_verification", "monitoring_visit", "document_check"};
static const char *const CHANNELS[PCH_N] = {"sms", "email", "letter"};

const char *policy_strerror(policy_err e)
{
	switch (e) {
	case POLICY_OK:
		return "ok";
	case POLICY_ERR_INVALID:
		return "invalid account ledger or facts";
	case POLICY_ERR_STOPPED:
		return "stopped";
	}
	return "unknown error";
}

const char *policy_event_name(policy_event e)
{
	return (unsigned)e < PEV_N ? EVENTS[e] : "?";
}

const char *policy_action_name(policy_action a)
{
	return (unsigned)a < PACT_N ? ACTIONS[a] : "?";
}

const char *policy_task_name(policy_task_kind k)
{
	return (unsigned)k < PTASK_N ? TASKS[k] : "?";
}

const char *policy_channel_name(unsigned bit)
{
	for (int i = 0; i < PCH_N; i++)
		if (bit == 1u << i) return CHANNELS[i];
	return "?";
}

static int find_name(const char *const *names, int n, const char *s, int from)
{
	for (int i = from; i < n; i++)
		if (strcmp(names[i], s) == 0) return i;
	return -1;
}

int policy_event_parse(const char *s)
{
	return find_name(EVENTS, PEV_N, s, 0);
}

int policy_action_parse(const char *s)
{
	return find_name(ACTIONS, PACT_N, s, 0);
}

int policy_task_parse(const char *s)
{
	return find_name(TASKS, PTASK_N, s, 1);
}

int policy_channel_parse(const char *s)
{
	int i = find_name(CHANNELS, PCH_N, s, 0);
	return i < 0 ? -1 : 1 << i;
}

char *policy_channels_text(unsigned channels, char *buf, int cap)
{
	int len = 0;
	if (cap <= 0) return buf;
	buf[0] = 0;
	for (int i = 0; i < PCH_N; i++)
		if (channels & (1u << i)) {
			int w = snprintf(buf + len, (size_t)(cap - len), "%s%s", len ? "+" : "", CHANNELS[i]);
			if (w < 0 || w >= cap - len) break;
			len += w;
		}
	return buf;
}

int64_t policy_tolerance_of(const policy *p, const char *currency)
{
	for (int i = 0; i < p->n_tol; i++)
		if (strcmp(p->tol[i].currency, currency) == 0) return p->tol[i].amount;
	return 0;
}

/* ---- holds: pauses, exclusions, open promises ---- */

enum { H_PAUSE = 1, H_EXCL = 2, H_PROMISE = 4, H_ALL = 7 };

static void consider(civil_day f, civil_day t, civil_day cur, civil_day *end, civil_day *next)
{
	if (f <= cur && cur <= t) {
		if (*end == DATE_NONE || t > *end) *end = t;
	} else if (f > cur && (*next == DATE_NONE || f < *next)) {
		*next = f;
	}
}

/* Among the hold intervals selected by mask: the furthest end of those containing cur (DATE_NONE:
 * cur is not held) and the nearest start after cur (DATE_NONE: none). */
static void hold_around(const policy_account *a, unsigned mask, civil_day cur, civil_day *end, civil_day *next)
{
	*end = *next = DATE_NONE;
	if (mask & H_PAUSE)
		for (int i = 0; i < a->n_pauses; i++)
			consider(a->pauses[i].from, a->pauses[i].to == DATE_NONE ? DATE_MAX : a->pauses[i].to, cur,
			         end, next);
	if (mask & H_EXCL)
		for (int i = 0; i < a->n_exclusions; i++)
			consider(a->exclusions[i].from,
			         a->exclusions[i].to == DATE_NONE ? DATE_MAX : a->exclusions[i].to, cur, end, next);
	if (mask & H_PROMISE)
		for (int i = 0; i < a->n_promises; i++)
			consider(a->promises[i].made_on, a->promises[i].due_on, cur, end, next);
}

/* 1 when the account has no hold of the kinds in mask (the common case: nothing to skip). */
static int no_holds(const policy_account *a, unsigned mask)
{
	return (!(mask & H_PAUSE) || a->n_pauses == 0) && (!(mask & H_EXCL) || a->n_exclusions == 0) &&
	       (!(mask & H_PROMISE) || a->n_promises == 0);
}

static int held(const policy_account *a, unsigned mask, civil_day day)
{
	if (no_holds(a, mask)) return 0;
	civil_day end, next;
	hold_around(a, mask, day, &end, &next);
	return end != DATE_NONE;
}

/* Number of held days in [lo, hi] (intervals may overlap: each day counts once). */
static int64_t held_days(const policy_account *a, unsigned mask, civil_day lo, civil_day hi)
{
	if (no_holds(a, mask)) return 0;
	int64_t n = 0, cur = lo;
	while (cur <= hi) {
		civil_day end, next;
		hold_around(a, mask, (civil_day)cur, &end, &next);
		if (end != DATE_NONE) {
			int64_t e = end < hi ? end : hi;
			n += e - cur + 1;
			cur = e + 1;
		} else if (next == DATE_NONE || next > hi) {
			break;
		} else {
			cur = next;
		}
	}
	return n;
}

/* Path position on day: the days in (base, day] that are not held (0 when day <= base). */
static int64_t path_pos(const policy_account *a, civil_day base, civil_day day)
{
	if (day <= base) return 0;
	return ((int64_t)day - base) - held_days(a, H_ALL, base + 1, day);
}

/* The day after base whose path position is v (>= 1) and that is not held, or DATE_NONE. */
static civil_day path_day(const policy_account *a, civil_day base, int64_t v)
{
	int64_t cur = (int64_t)base + 1;
	if (no_holds(a, H_ALL)) {
		if (v < 1) return DATE_NONE;
		int64_t x = cur + v - 1;
		return x > DATE_MAX ? DATE_NONE : (civil_day)x;
	}
	while (v >= 1 && cur <= DATE_MAX) {
		civil_day end, next;
		hold_around(a, H_ALL, (civil_day)cur, &end, &next);
		if (end != DATE_NONE) {
			cur = (int64_t)end + 1;
			continue;
		}
		int64_t run = next == DATE_NONE ? INT64_MAX : (int64_t)next - cur;
		if (v <= run) {
			int64_t x = cur + v - 1;
			return x > DATE_MAX ? DATE_NONE : (civil_day)x;
		}
		v -= run;
		cur = next;
	}
	return DATE_NONE;
}

/* A ref goes into dedupe keys: 1..63 bytes, no '|'. */
static int ref_ok(const char *r)
{
	size_t n = r ? strlen(r) : 0;
	return n >= 1 && n < POLICY_ID_MAX && !strchr(r, '|');
}

static int day_ok(civil_day d)
{
	return d >= DATE_MIN && d <= DATE_MAX;
}

static int hold_ok(const policy_hold *h)
{
	return day_ok(h->from) && (h->to == DATE_NONE || (day_ok(h->to) && h->to >= h->from));
}

static int facts_ok(const policy_account *a)
{
	if (a->n_promises < 0 || a->n_pauses < 0 || a->n_exclusions < 0 || a->n_events < 0) return 0;
	if ((a->n_promises && !a->promises) || (a->n_pauses && !a->pauses) ||
	    (a->n_exclusions && !a->exclusions) || (a->n_events && !a->events))
		return 0;
	for (int i = 0; i < a->n_promises; i++) {
		const policy_promise *q = &a->promises[i];
		if (!day_ok(q->made_on) || !day_ok(q->due_on) || q->due_on >= DATE_MAX || q->made_on > q->due_on ||
		    q->amount <= 0 || !ref_ok(q->ref))
			return 0;
	}
	for (int i = 0; i < a->n_pauses; i++)
		if (!hold_ok(&a->pauses[i])) return 0;
	for (int i = 0; i < a->n_exclusions; i++)
		if (!hold_ok(&a->exclusions[i])) return 0;
	for (int i = 0; i < a->n_events; i++) {
		const policy_fact_event *e = &a->events[i];
		if (!day_ok(e->day) || !e->name || !ref_ok(e->ref) ||
		    (e->kind != PEV_TASK_FAILED && e->kind != PEV_TASK_OVERDUE && e->kind != PEV_ALERT))
			return 0;
	}
	return 1;
}

/* Kept as of day: the payments dated in [made_on, due_on], not reversed by day, cover the amount. */
static int promise_kept(const policy_account *a, const policy_promise *q, civil_day day)
{
	int64_t paid = 0;
	for (int i = 0; i < a->n_pay && a->pay[i].paid_on <= q->due_on; i++) {
		const ledger_payment *p = &a->pay[i];
		if (p->paid_on < q->made_on) continue;
		if (p->reversed_on != DATE_NONE && p->reversed_on <= day) continue;
		paid += p->amount;
		if (paid >= q->amount) return 1;
	}
	return 0;
}

/* ---- the account on one day ---- */

typedef struct {
	ledger_state st;
	civil_day anchor; /* collection anchor, DATE_NONE */
	int32_t cdpd;     /* effective collection DPD */
	int32_t rdpd;     /* raw collection DPD */
	int64_t late;     /* unpaid amount of obligations due before the day */
} day_state;

static int64_t ob_unpaid(const policy_account *a, int i)
{
	int64_t t = 0;
	for (int c = 0; c < COMP_N; c++)
		t += a->ob[i].amount[c] - a->work[i][c];
	return t;
}

static int state_on(const policy *p, const policy_account *a, civil_day day, day_state *ds)
{
	ledger_account la = {.start_on = a->start_on, .written_off_on = a->written_off_on};
	if (ledger_state_as_of(&la, a->ob, a->n_ob, a->pay, a->n_pay, &a->order, day, a->work, &ds->st))
		return -1;
	int64_t tol = policy_tolerance_of(p, a->currency), cum = 0;
	ds->anchor = DATE_NONE;
	ds->cdpd = ds->rdpd = 0;
	for (int i = 0; i < a->n_ob && a->ob[i].due_on < day; i++) {
		int64_t u = ob_unpaid(a, i);
		if (u <= 0) continue;
		if (cum > INT64_MAX - u) return -1;
		cum += u;
		if (ds->anchor == DATE_NONE && cum > tol) ds->anchor = a->ob[i].due_on;
	}
	ds->late = cum;
	if (ds->anchor != DATE_NONE) {
		ds->rdpd = day - ds->anchor;
		ds->cdpd = (int32_t)(ds->rdpd - held_days(a, H_PAUSE, ds->anchor + 1, day));
	}
	return 0;
}

static int in_list(const char (*list)[POLICY_ID_MAX], int n, const char *v)
{
	if (n == 0) return 1;
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], v ? v : "") == 0) return 1;
	return 0;
}

static int segment_match(const policy_segment *s, const policy_account *a, const day_state *ds)
{
	if (!in_list(s->products, s->n_products, a->product)) return 0;
	if (!in_list(s->branches, s->n_branches, a->branch)) return 0;
	/* Grades come with the risk module: an account without a grade matches any grade list. */
	if (a->grade && a->grade[0] && !in_list(s->grades, s->n_grades, a->grade)) return 0;
	if (s->has_amount) {
		if (strcmp(s->amount_currency, a->currency ? a->currency : "") != 0) return 0;
		int64_t amt = a->is_invoice ? a->amount : ds->st.outstanding_principal;
		if (amt < s->amount_min || amt > s->amount_max) return 0;
	}
	if (s->has_dpd && (ds->cdpd < s->dpd_min || ds->cdpd > s->dpd_max)) return 0;
	return 1;
}

static int find_segment(const policy *p, const policy_account *a, const day_state *ds)
{
	for (int i = 0; i < p->n_seg; i++)
		if (segment_match(&p->seg[i], a, ds)) return i;
	return -1;
}

policy_err policy_segment_of(const policy *p, const policy_account *a, civil_day day, int *segment,
                             civil_day *anchor, int32_t *dpd)
{
	day_state ds;
	if (day == DATE_NONE || !facts_ok(a) || state_on(p, a, day, &ds)) return POLICY_ERR_INVALID;
	*segment = find_segment(p, a, &ds);
	*anchor = ds.anchor;
	*dpd = ds.cdpd;
	return POLICY_OK;
}

/* Occurrence number of a step whose first day is base on `day`, or -1. */
static int32_t occurrence(const policy_step *s, civil_day base, civil_day day)
{
	if (base == DATE_NONE || day < base) return -1;
	int64_t d = (int64_t)day - base;
	if (s->every <= 0) return d == 0 ? 0 : -1;
	if (d % s->every) return -1;
	int64_t k = d / s->every;
	return k < (s->times > 0 ? s->times : 1) ? (int32_t)k : -1;
}

static civil_day maturity_of(const policy_account *a)
{
	return a->n_ob ? a->ob[a->n_ob - 1].due_on : DATE_NONE;
}

/* The highest collection DPD of the account over [start, day]: between two payment events the
 * anchor does not move back and the DPD only grows, so the highest values are on the eve of each
 * payment or reversal, and on the day itself. */
static int max_dpd_ever(const policy *p, const policy_account *a, civil_day day, int32_t *out)
{
	day_state ds;
	if (state_on(p, a, day, &ds)) return -1;
	int32_t m = ds.cdpd;
	for (int i = 0; i < a->n_pay; i++) {
		civil_day ev[2] = {a->pay[i].paid_on, a->pay[i].reversed_on};
		for (int k = 0; k < 2; k++) {
			if (ev[k] == DATE_NONE || ev[k] > day || ev[k] - 1 < a->start_on) continue;
			if (state_on(p, a, ev[k] - 1, &ds)) return -1;
			if (ds.cdpd > m) m = ds.cdpd;
		}
	}
	*out = m;
	return 0;
}

static void make_key(policy_decision *d, const char *acct, const char *seg, const char *step)
{
	char ad[16];
	if (d->kind == PDEC_CASE_CLOSED) {
		date_format(d->day, ad, sizeof ad);
		snprintf(d->dedupe, sizeof d->dedupe, "%s|case_closed|%s", acct, ad);
		return;
	}
	date_format(d->anchor, ad, sizeof ad);
	snprintf(d->dedupe, sizeof d->dedupe, "%s|%s|%s|%s|%ld%s%s", acct, seg, step, ad, (long)d->repetition,
	         d->ref ? "|" : "", d->ref ? d->ref : "");
}

static int emit_ref(const policy *p, const policy_account *a, const day_state *ds, civil_day day, int seg,
                    int step, civil_day anchor, int32_t rep, const char *ref, const char *ev_name,
                    policy_decision_fn fn, void *ctx)
{
	policy_decision d;
	memset(&d, 0, sizeof d);
	d.kind = PDEC_STEP;
	d.day = day;
	d.segment = seg;
	d.step = step;
	d.s = &p->seg[seg].steps[step];
	d.segment_name = p->seg[seg].name;
	d.anchor = anchor;
	d.repetition = rep;
	d.dpd = ds->cdpd;
	d.dpd_raw = ds->rdpd;
	d.late = ds->late;
	d.ref = ref;
	d.event_name = ev_name;
	make_key(&d, a->id ? a->id : "", d.segment_name, d.s->id);
	return fn(ctx, &d);
}

static int emit(const policy *p, const policy_account *a, const day_state *ds, civil_day day, int seg,
                int step, civil_day anchor, int32_t rep, policy_decision_fn fn, void *ctx)
{
	return emit_ref(p, a, ds, day, seg, step, anchor, rep, NULL, NULL, fn, ctx);
}

/* Occurrence number of a step counted in path days: position pos, first at position first. */
static int32_t path_occurrence(const policy_step *s, int64_t first, int64_t pos)
{
	if (pos < first || pos > (int64_t)DATE_MAX - DATE_MIN) return -1;
	return occurrence(s, (civil_day)first, (civil_day)pos);
}

policy_err policy_evaluate_day(const policy *p, const policy_account *a, civil_day day, policy_decision_fn fn,
                               void *ctx)
{
	day_state ds;
	if (day == DATE_NONE || !facts_ok(a) || state_on(p, a, day, &ds)) return POLICY_ERR_INVALID;
	if (ds.st.status == ACCOUNT_CLOSED) {
		day_state prev;
		if (state_on(p, a, day - 1, &prev)) return POLICY_ERR_INVALID;
		if (prev.st.status == ACCOUNT_CLOSED || prev.st.status == ACCOUNT_WRITTEN_OFF)
			return POLICY_OK;
		policy_decision d;
		memset(&d, 0, sizeof d);
		d.kind = PDEC_CASE_CLOSED;
		d.day = day;
		d.segment = d.step = -1;
		d.segment_name = "";
		d.anchor = day;
		make_key(&d, a->id ? a->id : "", "", "");
		return fn(ctx, &d) ? POLICY_ERR_STOPPED : POLICY_OK;
	}
	if (ds.st.status != ACCOUNT_ACTIVE) return POLICY_OK;
	int seg = find_segment(p, a, &ds);
	if (seg < 0) return POLICY_OK;
	const policy_segment *S = &p->seg[seg];
	int64_t tol = policy_tolerance_of(p, a->currency);
	int on_hold = held(a, H_ALL, day), excluded = held(a, H_EXCL, day);
	int64_t pos = ds.anchor != DATE_NONE ? path_pos(a, ds.anchor, day) : 0;
	for (int k = 0; k < S->n_steps; k++) {
		const policy_step *s = &S->steps[k];
		int32_t rep;
		switch (s->event) {
		case PEV_DISBURSEMENT:
			rep = occurrence(s, date_add_days(a->start_on, s->offset), day);
			if (rep >= 0 && emit(p, a, &ds, day, seg, k, a->start_on, rep, fn, ctx))
				return POLICY_ERR_STOPPED;
			break;
		case PEV_DPD:
		case PEV_DUE_DATE:
			if (s->event == PEV_DPD || (s->offset > 0 && s->only_if_unpaid)) { /* collection */
				if (ds.anchor == DATE_NONE || on_hold) break;
				rep = path_occurrence(s, s->offset, pos);
				if (rep >= 0 && emit(p, a, &ds, day, seg, k, ds.anchor, rep, fn, ctx))
					return POLICY_ERR_STOPPED;
				break;
			}
			if (excluded) break;
			/* relative to each due date (sum over obligations sharing one) */
			for (int i = 0; i < a->n_ob;) {
				civil_day due = a->ob[i].due_on;
				int64_t unpaid = 0;
				for (; i < a->n_ob && a->ob[i].due_on == due; i++)
					unpaid += ob_unpaid(a, i);
				rep = occurrence(s, date_add_days(due, s->offset), day);
				if (rep < 0) continue;
				if (s->only_if_unpaid && unpaid <= tol) continue;
				if (emit(p, a, &ds, day, seg, k, due, rep, fn, ctx))
					return POLICY_ERR_STOPPED;
			}
			break;
		case PEV_MATURITY: {
			civil_day mat = maturity_of(a);
			rep = occurrence(s, date_add_days(mat, s->offset), day);
			if (rep < 0) break;
			if (s->max_dpd_ever >= 0) {
				int32_t m;
				if (max_dpd_ever(p, a, day, &m)) return POLICY_ERR_INVALID;
				if (state_on(p, a, day, &ds)) return POLICY_ERR_INVALID; /* work rows again */
				if (m > s->max_dpd_ever) break;
			}
			if (emit(p, a, &ds, day, seg, k, mat, rep, fn, ctx)) return POLICY_ERR_STOPPED;
			break;
		}
		case PEV_BROKEN_PROMISE:
			if (ds.anchor == DATE_NONE || on_hold) break;
			for (int i = 0; i < a->n_promises; i++) {
				const policy_promise *q = &a->promises[i];
				civil_day broken = q->due_on + 1;
				if (day < broken || promise_kept(a, q, day)) continue;
				/* the broken day is position 1 of its own path */
				rep = path_occurrence(s, (int64_t)s->offset + 1, path_pos(a, q->due_on, day));
				if (rep >= 0 &&
				    emit_ref(p, a, &ds, day, seg, k, broken, rep, q->ref, NULL, fn, ctx))
					return POLICY_ERR_STOPPED;
			}
			break;
		case PEV_TASK_FAILED:
		case PEV_TASK_OVERDUE:
		case PEV_ALERT:
			for (int i = 0; i < a->n_events; i++) {
				const policy_fact_event *e = &a->events[i];
				if (e->kind != s->event || (s->on[0] && strcmp(s->on, e->name) != 0)) continue;
				rep = occurrence(s, date_add_days(e->day, s->offset), day);
				if (rep >= 0 &&
				    emit_ref(p, a, &ds, day, seg, k, e->day, rep, e->ref, e->name, fn, ctx))
					return POLICY_ERR_STOPPED;
			}
			break;
		default:
			break;
		}
	}
	return POLICY_OK;
}

/* ---- ranges ---- */

/* First day > after on which a step with first day base occurs, or DATE_NONE. */
static civil_day next_occurrence(const policy_step *s, civil_day base, civil_day after)
{
	if (base == DATE_NONE) return DATE_NONE;
	if (base > after) return base;
	if (s->every <= 0) return DATE_NONE;
	int64_t k = ((int64_t)after - base) / s->every + 1;
	if (k >= (s->times > 0 ? s->times : 1)) return DATE_NONE;
	int64_t d = base + k * s->every;
	return d > DATE_MAX ? DATE_NONE : (civil_day)d;
}

static void take(civil_day *best, civil_day c)
{
	if (c != DATE_NONE && (*best == DATE_NONE || c < *best)) *best = c;
}

/* The first value > pos in first, first + every, ... (times in all), or -1. */
static int64_t next_path_value(const policy_step *s, int64_t first, int64_t pos)
{
	if (first > pos) return first;
	if (s->every <= 0) return -1;
	int64_t k = (pos - first) / s->every + 1;
	return k < (s->times > 0 ? s->times : 1) ? first + k * s->every : -1;
}

/* First day > after on which a collection step can fire, whatever the anchor: any anchor is a due
 * date; for a later due date the step's first day is not earlier, so once a due date's first
 * occurrence is past `after` the later ones cannot give an earlier day. */
static civil_day next_collection(const policy_account *a, const policy_step *s, civil_day after)
{
	civil_day best = DATE_NONE;
	for (int i = 0; i < a->n_ob; i++) {
		if (i > 0 && a->ob[i].due_on == a->ob[i - 1].due_on) continue;
		civil_day due = a->ob[i].due_on;
		int64_t pos = path_pos(a, due, after);
		int64_t v = next_path_value(s, s->offset, pos);
		if (v > 0) take(&best, path_day(a, due, v));
		if (v == s->offset) break;
	}
	return best;
}

/* The first day after `after` on which anything can fire for this account, or DATE_NONE. */
static civil_day next_day(const policy *p, const policy_account *a, civil_day after)
{
	civil_day best = DATE_NONE, mat = maturity_of(a);
	for (int i = 0; i < a->n_pay; i++)
		if (a->pay[i].paid_on > after) {
			take(&best, a->pay[i].paid_on);
			break; /* sorted */
		}
	for (int g = 0; g < p->n_seg; g++) {
		const policy_segment *S = &p->seg[g];
		for (int k = 0; k < S->n_steps; k++) {
			const policy_step *s = &S->steps[k];
			switch (s->event) {
			case PEV_DISBURSEMENT:
				take(&best, next_occurrence(s, date_add_days(a->start_on, s->offset), after));
				break;
			case PEV_MATURITY:
				take(&best, next_occurrence(s, date_add_days(mat, s->offset), after));
				break;
			case PEV_DUE_DATE:
			case PEV_DPD:
				if (s->event == PEV_DPD || (s->offset > 0 && s->only_if_unpaid)) {
					take(&best, next_collection(a, s, after));
					break;
				}
				/* due dates are sorted, so once a base is past `after` the later ones
				 * cannot be earlier */
				for (int i = 0; i < a->n_ob; i++) {
					civil_day base = date_add_days(a->ob[i].due_on, s->offset);
					take(&best, next_occurrence(s, base, after));
					if (base != DATE_NONE && base > after) break;
				}
				break;
			case PEV_BROKEN_PROMISE:
				for (int i = 0; i < a->n_promises; i++) {
					civil_day b = a->promises[i].due_on; /* the path starts after it */
					int64_t v = next_path_value(s, (int64_t)s->offset + 1, path_pos(a, b, after));
					if (v > 0) take(&best, path_day(a, b, v));
				}
				break;
			case PEV_TASK_FAILED:
			case PEV_TASK_OVERDUE:
			case PEV_ALERT:
				for (int i = 0; i < a->n_events; i++) {
					const policy_fact_event *e = &a->events[i];
					if (e->kind != s->event || (s->on[0] && strcmp(s->on, e->name) != 0))
						continue;
					take(&best, next_occurrence(s, date_add_days(e->day, s->offset), after));
				}
				break;
			default:
				break;
			}
		}
	}
	return best;
}

policy_err policy_evaluate_range(const policy *p, const policy_account *a, civil_day from, civil_day to,
                                 policy_decision_fn fn, void *ctx)
{
	if (from == DATE_NONE || to == DATE_NONE || !facts_ok(a)) return POLICY_ERR_INVALID;
	civil_day d = from;
	if (d < a->start_on) d = a->start_on;
	d = next_day(p, a, d - 1);
	while (d != DATE_NONE && d <= to) {
		if (a->written_off_on != DATE_NONE && d >= a->written_off_on) break;
		policy_err e = policy_evaluate_day(p, a, d, fn, ctx);
		if (e) return e;
		civil_day nd = next_day(p, a, d);
		d = nd == DATE_NONE || nd > d ? nd : d + 1; /* always forward, whatever the candidates */
	}
	return POLICY_OK;
}

/* policy.c: evaluation of a follow-up and collection policy for one account (see policy.h for the
 * rules, docs/policies.md for the reasons).
 *
 * Everything is recomputed from the ledger as of the day asked, so evaluating a day twice gives the
 * same decisions and keys, and a range gives the same decisions as its days one by one: the range
 * walk only skips days on which no step can fire (a step's day is always an event date plus its
 * offset plus a multiple of its period, and an account closes only on a payment day). */
#include "core/policy.h"

#include <stdio.h>
#include <string.h>

static const char *const EVENTS[PEV_N] = {"disbursement",   "due_date",    "dpd",  "maturity",
                                          "broken_promise", "task_failed", "alert"};
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
		return "invalid account ledger";
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

/* ---- the account on one day ---- */

typedef struct {
	ledger_state st;
	civil_day anchor; /* collection anchor, DATE_NONE */
	int32_t cdpd;     /* collection DPD */
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
	ds->cdpd = 0;
	for (int i = 0; i < a->n_ob && a->ob[i].due_on < day; i++) {
		int64_t u = ob_unpaid(a, i);
		if (u <= 0) continue;
		if (cum > INT64_MAX - u) return -1;
		cum += u;
		if (ds->anchor == DATE_NONE && cum > tol) ds->anchor = a->ob[i].due_on;
	}
	ds->late = cum;
	if (ds->anchor != DATE_NONE) ds->cdpd = day - ds->anchor;
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
	if (state_on(p, a, day, &ds)) return POLICY_ERR_INVALID;
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
	snprintf(d->dedupe, sizeof d->dedupe, "%s|%s|%s|%s|%ld", acct, seg, step, ad, (long)d->repetition);
}

static int emit(const policy *p, const policy_account *a, const day_state *ds, civil_day day, int seg,
                int step, civil_day anchor, int32_t rep, policy_decision_fn fn, void *ctx)
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
	d.late = ds->late;
	make_key(&d, a->id ? a->id : "", d.segment_name, d.s->id);
	return fn(ctx, &d);
}

policy_err policy_evaluate_day(const policy *p, const policy_account *a, civil_day day, policy_decision_fn fn,
                               void *ctx)
{
	day_state ds;
	if (day == DATE_NONE || state_on(p, a, day, &ds)) return POLICY_ERR_INVALID;
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
			if (ds.anchor == DATE_NONE) break;
			rep = occurrence(s, date_add_days(ds.anchor, s->offset), day);
			if (rep >= 0 && emit(p, a, &ds, day, seg, k, ds.anchor, rep, fn, ctx))
				return POLICY_ERR_STOPPED;
			break;
		case PEV_DUE_DATE:
			if (s->offset > 0 && s->only_if_unpaid) { /* collection */
				if (ds.anchor == DATE_NONE) break;
				rep = occurrence(s, date_add_days(ds.anchor, s->offset), day);
				if (rep >= 0 && emit(p, a, &ds, day, seg, k, ds.anchor, rep, fn, ctx))
					return POLICY_ERR_STOPPED;
				break;
			}
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
		default: /* broken_promise, task_failed, alert: not evaluated yet */
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
				/* any anchor is a due date; due dates are sorted, so once a base is past
				 * `after` the later ones cannot be earlier */
				for (int i = 0; i < a->n_ob; i++) {
					civil_day base = date_add_days(a->ob[i].due_on, s->offset);
					take(&best, next_occurrence(s, base, after));
					if (base != DATE_NONE && base > after) break;
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
	if (from == DATE_NONE || to == DATE_NONE) return POLICY_ERR_INVALID;
	civil_day d = from;
	if (d < a->start_on) d = a->start_on;
	d = next_day(p, a, d - 1);
	while (d != DATE_NONE && d <= to) {
		if (a->written_off_on != DATE_NONE && d >= a->written_off_on) break;
		policy_err e = policy_evaluate_day(p, a, d, fn, ctx);
		if (e) return e;
		d = next_day(p, a, d);
	}
	return POLICY_OK;
}

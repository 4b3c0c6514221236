/* ledger.c: replays an account's payments over its obligations to say what it owes as of a date
 * (arrears, days past due, status), what one payment paid, and the PAR-bucket history of a loan.
 *
 * Nothing here stores an allocation: every answer is recomputed from the obligations and the
 * payments counted as of the date, so a back-dated payment or a reversal changes the answer the
 * next time it is asked, with no correction entries to keep in sync.
 *
 * Representation of an allocation. Both orders keep an invariant that makes the whole allocation
 * fit in COMP_N numbers: for every component c, the amounts paid to c over the obligations form a
 * prefix fill (obligations 0..a-1 fully paid in c, obligation a partly, the later ones not at all).
 * Horizontal allocation fills one component oldest first, which keeps its prefix; vertical
 * allocation (and the prepayment step of horizontal) only starts on obligation i when all of
 * 0..i-1 are fully paid, and then fills i's components, which also keeps every prefix. So the
 * cumulative amount s[c] paid to component c determines what each obligation received:
 * paid(i, c) = clamp(s[c] - (amount of c in obligations before i), 0, amount(i, c)).
 * That is why no scratch array (and no malloc) is needed, and why a replay is linear in
 * n_obligations + n_payments: two cursors (the first obligation not fully paid, and the first
 * obligation not yet due at the payment date) only move forward. */
#include "core/ledger.h"

#include <stddef.h>

/* The product's default (ledger.h): penalties, fees and interest are recovered before the
 * principal, so a partial payment leaves the principal in arrears rather than the charges. */
const alloc_order ALLOC_DEFAULT = {ALLOC_VERTICAL, {COMP_PENALTY, COMP_FEE, COMP_INTEREST, COMP_PRINCIPAL}};

static int add_checked(int64_t a, int64_t b, int64_t *out)
{
	/* Amounts are validated >= 0 before they are added, so only the upper bound can overflow. */
	if (a > INT64_MAX - b) return -1;
	*out = a + b;
	return 0;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int date_in_range(civil_day d)
{
	return d >= DATE_MIN && d <= DATE_MAX;
}

static int order_valid(const alloc_order *order)
{
	int seen[COMP_N] = {0};

	if (!order || (order->mode != ALLOC_VERTICAL && order->mode != ALLOC_HORIZONTAL)) return 0;
	for (int m = 0; m < COMP_N; m++) {
		int c = (int)order->order[m];
		if (c < 0 || c >= COMP_N || seen[c]) return 0;
		seen[c] = 1;
	}
	return 1;
}

/* Checks everything the replay relies on (sorted dates, amounts in range, totals that fit in
 * int64) once, so the replay itself can add amounts without checking each sum. Fills total[]. */
static int validate(const obligation *ob, int n_ob, const ledger_payment *pay, int n_pay,
                    const alloc_order *order, int64_t total[COMP_N])
{
	if (n_ob < 0 || n_pay < 0 || (n_ob > 0 && !ob) || (n_pay > 0 && !pay) || !order_valid(order))
		return -1;
	for (int c = 0; c < COMP_N; c++)
		total[c] = 0;
	for (int i = 0; i < n_ob; i++) {
		if (!date_in_range(ob[i].due_on) || (i > 0 && ob[i].due_on < ob[i - 1].due_on)) return -1;
		for (int c = 0; c < COMP_N; c++)
			if (ob[i].amount[c] < 0 || add_checked(total[c], ob[i].amount[c], &total[c]))
				return -1;
	}
	for (int j = 0; j < n_pay; j++) {
		if (!date_in_range(pay[j].paid_on) || (j > 0 && pay[j].paid_on < pay[j - 1].paid_on))
			return -1;
		if (pay[j].amount <= 0) return -1;
		/* A reversal dated on or before its payment simply means the payment never counts
		 * (see counted()), so it is accepted rather than rejected. */
		if (pay[j].reversed_on != DATE_NONE && !date_in_range(pay[j].reversed_on)) return -1;
	}
	return 0;
}

static int account_valid(const ledger_account *acct)
{
	return acct && date_in_range(acct->start_on) &&
	       (acct->written_off_on == DATE_NONE || date_in_range(acct->written_off_on));
}

/* The product's rule: a payment counts as of D from its date until the day of its reversal. */
static int counted(const ledger_payment *p, int64_t d)
{
	return p->paid_on <= d && (p->reversed_on == DATE_NONE || p->reversed_on > d);
}

typedef struct {
	const obligation *ob;
	int n_ob;
	const alloc_order *order;
	int64_t s[COMP_N]; /* cumulative amount allocated to each component (see the file comment) */
	int64_t credit;
	int f;                 /* first obligation not fully paid (all before it are) */
	int64_t cum_f[COMP_N]; /* amounts of obligations 0..f-1 */
	int k;                 /* obligations 0..k-1 are due on or before the last payment date */
	int64_t cum_k[COMP_N]; /* amounts of obligations 0..k-1 */
	int n_counted;
} replay;

static void replay_init(replay *r, const obligation *ob, int n_ob, const alloc_order *order)
{
	*r = (replay){.ob = ob, .n_ob = n_ob, .order = order};
}

static int fully_paid(const replay *r, int i)
{
	for (int c = 0; c < COMP_N; c++)
		if (r->s[c] < r->cum_f[c] + r->ob[i].amount[c]) return 0;
	return 1;
}

/* Moves f past fully paid obligations; horizontal allocation can pay several at once, and an
 * obligation whose components are all zero is paid from the start. */
static void replay_settle(replay *r)
{
	while (r->f < r->n_ob && fully_paid(r, r->f)) {
		for (int c = 0; c < COMP_N; c++)
			r->cum_f[c] += r->ob[r->f].amount[c];
		r->f++;
	}
}

static int replay_apply(replay *r, const ledger_payment *p)
{
	int64_t rem = p->amount;

	r->n_counted++;
	if (r->order->mode == ALLOC_HORIZONTAL) {
		while (r->k < r->n_ob && r->ob[r->k].due_on <= p->paid_on) {
			for (int c = 0; c < COMP_N; c++)
				r->cum_k[c] += r->ob[r->k].amount[c];
			r->k++;
		}
		/* One component at a time across every due obligation, oldest first: since each
		 * component is a prefix fill, "oldest first" is just raising s[c] up to cum_k[c]. */
		for (int m = 0; m < COMP_N && rem > 0; m++) {
			int c = (int)r->order->order[m];
			int64_t take = min64(rem, r->cum_k[c] - r->s[c]);
			if (take > 0) {
				r->s[c] += take;
				rem -= take;
			}
		}
	}
	/* Vertical: what is left (all of it in vertical mode) fills the oldest obligation not fully
	 * paid, component by component; in horizontal mode every due obligation is already paid when
	 * money is left, so this is the prepayment of the next ones. */
	replay_settle(r);
	while (rem > 0 && r->f < r->n_ob) {
		const obligation *o = &r->ob[r->f];
		for (int m = 0; m < COMP_N && rem > 0; m++) {
			int c = (int)r->order->order[m];
			int64_t take = min64(rem, r->cum_f[c] + o->amount[c] - r->s[c]);
			if (take > 0) {
				r->s[c] += take;
				rem -= take;
			}
		}
		replay_settle(r);
	}
	if (rem > 0 && add_checked(r->credit, rem, &r->credit)) return -1;
	return 0;
}

/* Replays, in array order, the payments among pay[0..limit) counted as of D. */
static int replay_as_of(replay *r, const ledger_payment *pay, int limit, int64_t d)
{
	for (int j = 0; j < limit && pay[j].paid_on <= d; j++)
		if (counted(&pay[j], d) && replay_apply(r, &pay[j])) return -1;
	replay_settle(r);
	return 0;
}

/* What obligation i received in component c, given the cumulative amounts s[] and the amounts of
 * c in obligations before i. */
static int64_t cell_paid(int64_t s, int64_t cum_before, int64_t amount)
{
	if (s <= cum_before) return 0;
	return min64(s - cum_before, amount);
}

int ledger_state_as_of(const ledger_account *acct, const obligation *ob, int n_ob, const ledger_payment *pay,
                       int n_pay, const alloc_order *order, civil_day as_of, int64_t (*paid_out)[COMP_N],
                       ledger_state *out)
{
	int64_t total[COMP_N], cum[COMP_N] = {0}, due_cum[COMP_N] = {0};
	replay r;

	if (!out || !account_valid(acct) || !date_in_range(as_of) ||
	    validate(ob, n_ob, pay, n_pay, order, total))
		return -1;
	replay_init(&r, ob, n_ob, order);
	if (replay_as_of(&r, pay, n_pay, as_of)) return -1;

	for (int i = 0; i < n_ob; i++) {
		for (int c = 0; c < COMP_N; c++) {
			if (paid_out) paid_out[i][c] = cell_paid(r.s[c], cum[c], ob[i].amount[c]);
			cum[c] += ob[i].amount[c];
			if (ob[i].due_on <= as_of) due_cum[c] = cum[c];
		}
	}

	*out = (ledger_state){0};
	for (int c = 0; c < COMP_N; c++) {
		out->total_due[c] = total[c];
		out->paid[c] = r.s[c];
		/* Prefix fills: what is unpaid among the due obligations is what s[c] has not reached. */
		out->arrears[c] = due_cum[c] > r.s[c] ? due_cum[c] - r.s[c] : 0;
	}
	out->outstanding_principal = total[COMP_PRINCIPAL] - r.s[COMP_PRINCIPAL];
	out->credit = r.credit;
	out->n_paid_payments = r.n_counted;
	/* Days past due, CGAP (Microfinance Consensus Guidelines, "Definitions of Selected Financial
	 * Terms, Ratios and Adjustments for Microfinance", 2003: a loan is past due once any payment
	 * has fallen due and remains unpaid; its age runs from the oldest unpaid installment). The
	 * oldest obligation not fully paid is r.f because all earlier ones are paid; it is late only
	 * if it fell due strictly before D. */
	out->oldest_unpaid_due = r.f < n_ob ? ob[r.f].due_on : DATE_NONE;
	out->dpd = (r.f < n_ob && ob[r.f].due_on < as_of) ? as_of - ob[r.f].due_on : 0;
	if (as_of < acct->start_on)
		out->status = ACCOUNT_NOT_STARTED;
	else if (acct->written_off_on != DATE_NONE && acct->written_off_on <= as_of)
		out->status = ACCOUNT_WRITTEN_OFF;
	else if (r.f == n_ob)
		out->status = ACCOUNT_CLOSED;
	else
		out->status = ACCOUNT_ACTIVE;
	return 0;
}

int ledger_payment_allocation(const ledger_account *acct, const obligation *ob, int n_ob,
                              const ledger_payment *pay, int n_pay, const alloc_order *order, int which,
                              civil_day as_of, int64_t (*alloc_out)[COMP_N], int64_t *credit_out)
{
	int64_t total[COMP_N], cum[COMP_N] = {0}, before[COMP_N];
	replay r;

	if ((acct && !account_valid(acct)) || !date_in_range(as_of) ||
	    validate(ob, n_ob, pay, n_pay, order, total) || which < 0 || which >= n_pay ||
	    !counted(&pay[which], as_of) || (n_ob > 0 && !alloc_out) || !credit_out)
		return -1;
	replay_init(&r, ob, n_ob, order);
	if (replay_as_of(&r, pay, which, as_of)) return -1;
	for (int c = 0; c < COMP_N; c++)
		before[c] = r.s[c];
	int64_t credit_before = r.credit;
	if (replay_apply(&r, &pay[which])) return -1;
	for (int i = 0; i < n_ob; i++) {
		for (int c = 0; c < COMP_N; c++) {
			alloc_out[i][c] = cell_paid(r.s[c], cum[c], ob[i].amount[c]) -
			                  cell_paid(before[c], cum[c], ob[i].amount[c]);
			cum[c] += ob[i].amount[c];
		}
	}
	*credit_out = r.credit - credit_before;
	return 0;
}

const char *ledger_component_name(ledger_component c)
{
	/* Compared as int: an out-of-range value must not index the table. */
	static const char *const names[COMP_N] = {"penalty", "fee", "interest", "principal"};
	if ((int)c < 0 || (int)c >= COMP_N) return "unknown";
	return names[c];
}

const char *ledger_status_name(account_status s)
{
	switch (s) {
	case ACCOUNT_NOT_STARTED:
		return "not_started";
	case ACCOUNT_ACTIVE:
		return "active";
	case ACCOUNT_CLOSED:
		return "closed";
	case ACCOUNT_WRITTEN_OFF:
		return "written_off";
	}
	return "unknown";
}

/* Matches s[0..len) against a whole word (no prefix matches: "fe" is not "fee"). */
static int word_is(const char *s, size_t len, const char *w)
{
	size_t i = 0;
	for (; i < len && w[i]; i++)
		if (s[i] != w[i]) return 0;
	return i == len && w[i] == '\0';
}

int ledger_order_parse(const char *s, alloc_order *out)
{
	alloc_order o;
	int seen[COMP_N] = {0};
	const char *p;
	size_t len;

	if (!s || !out) return -1;
	for (len = 0; s[len] && s[len] != ':'; len++)
		;
	if (s[len] != ':') return -1;
	if (word_is(s, len, "vertical"))
		o.mode = ALLOC_VERTICAL;
	else if (word_is(s, len, "horizontal"))
		o.mode = ALLOC_HORIZONTAL;
	else
		return -1;
	p = s + len + 1;
	for (int m = 0; m < COMP_N; m++) {
		int found = -1;
		for (len = 0; p[len] && p[len] != ','; len++)
			;
		for (int c = 0; c < COMP_N; c++)
			if (word_is(p, len, ledger_component_name((ledger_component)c))) found = c;
		if (found < 0 || seen[found]) return -1;
		seen[found] = 1;
		o.order[m] = (ledger_component)found;
		/* Exactly COMP_N names: a comma after the last one, or none before it, is an error. */
		if (m < COMP_N - 1 ? p[len] != ',' : p[len] != '\0') return -1;
		p += len + 1;
	}
	*out = o;
	return 0;
}

/* Days past due at which bucket b + 1 begins, for b < PAR_OVER_180. The bucket history computes
 * its crossing days from this same function, so the two cannot disagree. */
static int32_t par_next_start(int b)
{
	static const int32_t start[PAR_OVER_180] = {1, 31, 61, 91, 181};
	return start[b];
}

/* Portfolio at risk buckets, CGAP (Microfinance Consensus Guidelines, 2003): PAR > x days is the
 * outstanding principal of the loans with a payment more than x days past due; the buckets here
 * are the usual reporting cut-offs of that definition. */
int ledger_par_bucket(int32_t dpd)
{
	int b = PAR_CURRENT;
	while (b < PAR_OVER_180 && dpd >= par_next_start(b))
		b++;
	return b;
}

const char *ledger_par_bucket_name(int b)
{
	static const char *const names[PAR_NBUCKETS] = {"current", "1-30",   "31-60",
	                                                "61-90",   "91-180", "over_180"};
	if (b < 0 || b >= PAR_NBUCKETS) return "unknown";
	return names[b];
}

int ledger_age_bucket(int32_t days_overdue)
{
	if (days_overdue <= 0) return AGE_NOT_DUE;
	if (days_overdue <= 30) return AGE_1_30;
	if (days_overdue <= 60) return AGE_31_60;
	if (days_overdue <= 90) return AGE_61_90;
	return AGE_OVER_90;
}

const char *ledger_age_bucket_name(int b)
{
	static const char *const names[AGE_NBUCKETS] = {"not_due", "1-30", "31-60", "61-90", "over_90"};
	if (b < 0 || b >= AGE_NBUCKETS) return "unknown";
	return names[b];
}

/* Bucket history. */

/* "Forever": one day past the calendar's end stands for an open interval. */
#define HIST_OPEN ((int64_t)DATE_MAX + 1)

typedef struct {
	ledger_bucket_interval *out;
	int cap;
	int n;        /* intervals finished so far (may exceed cap) */
	int have_cur; /* an interval is being extended */
	int cur_bucket;
	int64_t cur_from, cur_to;
} history;

static void hist_flush(history *h)
{
	if (!h->have_cur) return;
	if (h->n < h->cap)
		h->out[h->n] = (ledger_bucket_interval){
		    .bucket = h->cur_bucket,
		    .entered_on = (civil_day)h->cur_from,
		    .left_on = h->cur_to == HIST_OPEN ? DATE_NONE : (civil_day)h->cur_to,
		};
	h->n++;
	h->have_cur = 0;
}

/* Adds [from, to) in bucket b, merging it into the previous interval when it continues it. */
static void hist_add(history *h, int b, int64_t from, int64_t to)
{
	if (from >= to) return;
	if (h->have_cur && h->cur_bucket == b && h->cur_to == from) {
		h->cur_to = to;
		return;
	}
	hist_flush(h);
	h->have_cur = 1;
	h->cur_bucket = b;
	h->cur_from = from;
	h->cur_to = to;
}

/* Adds the days [from, to) during which the replay state does not change. The oldest unpaid due
 * date is then fixed, so DPD grows by one a day and the bucket changes only on the days DPD
 * reaches a cut-off: at most PAR_NBUCKETS pieces, whatever the length of the span. */
static void hist_span(history *h, const replay *r, int64_t from, int64_t to)
{
	if (r->f >= r->n_ob) return; /* closed: fully paid, so in no bucket */
	int64_t due = r->ob[r->f].due_on;
	while (from < to) {
		int64_t dpd = from - due;
		int b = ledger_par_bucket(dpd <= 0 ? 0 : (int32_t)min64(dpd, INT32_MAX));
		int64_t end = b < PAR_OVER_180 ? min64(to, due + par_next_start(b)) : to;
		hist_add(h, b, from, end);
		from = end;
	}
}

/* Earliest reversal strictly after `after` of a payment that counted at some point (a reversal on
 * or before its payment's date changes nothing); INT64_MAX if none. A scan rather than a sort, as
 * the core allocates nothing and reversals are expected to be rare. */
static int64_t next_reversal(const ledger_payment *pay, int n_pay, int64_t after)
{
	int64_t best = INT64_MAX;
	for (int j = 0; j < n_pay; j++) {
		int64_t rv = pay[j].reversed_on;
		if (pay[j].reversed_on != DATE_NONE && rv > pay[j].paid_on && rv > after && rv < best)
			best = rv;
	}
	return best;
}

/* Sweeps the payment events in date order. A new payment is dated on or after every payment
 * already counted, so it is appended to the replay; a reversal removes a payment from the middle,
 * so the replay restarts as of that day. Cost: O((n_ob + n_pay) * (1 + distinct reversal days)). */
int ledger_bucket_history(const ledger_account *acct, const obligation *ob, int n_ob,
                          const ledger_payment *pay, int n_pay, const alloc_order *order,
                          ledger_bucket_interval *out, int cap)
{
	int64_t total[COMP_N];
	history h = {.out = out, .cap = cap};
	replay r;
	int j = 0;

	if (!account_valid(acct) || cap < 0 || (cap > 0 && !out) ||
	    validate(ob, n_ob, pay, n_pay, order, total))
		return -1;
	/* The last day in a bucket is the day before the write-off. */
	int64_t end = acct->written_off_on != DATE_NONE ? acct->written_off_on : HIST_OPEN;
	int64_t day = acct->start_on;
	if (day >= end) return 0;

	replay_init(&r, ob, n_ob, order);
	if (replay_as_of(&r, pay, n_pay, day)) return -1;
	while (j < n_pay && pay[j].paid_on <= day)
		j++;
	int64_t rev = next_reversal(pay, n_pay, day);
	for (;;) {
		int64_t next = j < n_pay ? pay[j].paid_on : INT64_MAX;
		if (rev < next) next = rev;
		if (next >= end) {
			hist_span(&h, &r, day, end);
			break;
		}
		hist_span(&h, &r, day, next);
		if (rev == next) {
			replay_init(&r, ob, n_ob, order);
			if (replay_as_of(&r, pay, n_pay, next)) return -1;
			while (j < n_pay && pay[j].paid_on <= next)
				j++;
			rev = next_reversal(pay, n_pay, next);
		} else {
			for (; j < n_pay && pay[j].paid_on == next; j++)
				if (counted(&pay[j], next) && replay_apply(&r, &pay[j])) return -1;
			replay_settle(&r);
		}
		day = next;
	}
	hist_flush(&h);
	return h.n;
}

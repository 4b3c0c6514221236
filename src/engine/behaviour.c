/* behaviour.c: behavioural variables per client from the store's ledgers, and the outcome over a
 * horizon (see behaviour.h; definitions in docs/scoring.md).
 *
 * How a loan's history is walked without visiting every day: the oldest obligation not fully paid
 * (ledger_state.oldest_unpaid_due, u) changes only on a day when a payment is counted. Between two
 * such days u is constant and DPD(t) = t - u grows by one a day, so the largest DPD over a window is
 * reached on the last day of one of these segments, or on the window's last day. The core computes
 * u once per payment day (ledger_state_as_of); everything else (DPD in any window, whether an
 * installment was paid by its due date, whether a payment left its installment unpaid) is read from
 * that short list of segments. The history is the one known at D: a payment reversed on or before D
 * (a bounced payment) is left out as if never made; the outcome is judged the same way at D + horizon.
 * Obligations are always paid oldest first (both allocation orders fill them in due order), so the
 * installment due on day t is fully paid on t exactly when u(t) is later than t. */
#include "engine/behaviour.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "engine/ledger_sync.h"

const char *const BH_VAR_NAMES[BH_N_VARS] = {
    "max_dpd_3m",
    "max_dpd_6m",
    "max_dpd_12m",
    "dpd_now",
    "on_time_share_12m",
    "partial_payments_12m",
    "loans",
    "relationship_days",
    "outstanding_principal",
    "outstanding_share",
    "active_loans",
    "days_since_last_payment",
};

/* One segment of a loan's history: from `day` on (until the next segment), the oldest obligation not
 * fully paid falls due on u (DATE_NONE: everything is paid). */
typedef struct {
	civil_day day;
	civil_day u;
} segment;

/* What is accumulated over the loans of one client. */
typedef struct {
	int64_t client_id;
	size_t id_off;      /* the client's ext id in the shard's ids */
	int32_t max_dpd[3]; /* 3, 6, 12 months */
	int32_t dpd_now;
	long due, on_time, partials;
	long loans, active;
	civil_day first_start, last_paid;
	int64_t outstanding, principal; /* of the active loans, minor units */
	char currency[4];
	int exponent;
	int mixed; /* active loans in more than one currency */
	int bad;
} client_acc;

typedef struct {
	const behaviour_opts *o;
	civil_day from[3]; /* first day of the 3, 6 and 12 month windows */
	civil_day until;   /* D + horizon (D without a horizon) */
	ledger_buf buf;
	segment *seg;
	int cap_seg;
	ledger_payment *fpay; /* the payments of the walk (see build_segments) */
	int n_fpay, cap_fpay;
	/* one shard's clients, in scan order (client ext id): partial when the accounts of a client
	 * are spread over several shards */
	client_acc *accs;
	size_t n_accs, cap_accs;
	char *ids;
	size_t ids_len, ids_cap;
	behaviour_stats st;
	char err[256];
} ctx;

/* The data set being built from the merged clients, column by column. */
typedef struct {
	const behaviour_opts *o;
	double *col[BH_N_VARS + 1];
	size_t n_missing[BH_N_VARS + 1];
	char *ids;
	size_t ids_len, ids_cap;
	size_t *off;
	size_t n_rows, cap_rows;
	behaviour_stats st;
} row_set;

static int grow(void **p, int *cap, int need, size_t size)
{
	if (need <= *cap) return 0;
	int nc = *cap ? *cap : 32;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, size * (size_t)nc);
	if (!np) return -1;
	*p = np;
	*cap = nc;
	return 0;
}

/* DPD on day t in a segment whose oldest unpaid obligation falls due on u. */
static int32_t dpd_at(civil_day u, civil_day t)
{
	return u != DATE_NONE && u < t ? t - u : 0;
}

/* The segment holding day t (the last one starting on or before t). */
static int seg_of(const segment *s, int n, civil_day t)
{
	int lo = 0, hi = n - 1; /* s[0].day is before any day */
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (s[mid].day <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* The largest DPD on a day of [lo, hi], clipped to the days the loan is followed: from its start to
 * the day before its write-off. */
static int32_t max_dpd(const segment *s, int n, civil_day lo, civil_day hi, const store_account *a)
{
	if (lo < a->start_on) lo = a->start_on;
	if (a->written_off_on != DATE_NONE && hi >= a->written_off_on) hi = a->written_off_on - 1;
	int32_t best = 0;
	if (lo > hi) return 0;
	for (int i = seg_of(s, n, lo); i < n && s[i].day <= hi; i++) {
		civil_day end = i + 1 < n ? s[i + 1].day - 1 : hi; /* the segment's last day */
		if (end > hi) end = hi;
		int32_t v = dpd_at(s[i].u, end);
		if (v > best) best = v;
	}
	return best;
}

/* The segments of a loan's history as known on `cutoff`: the payments reversed on or before it are
 * left out as if never made (a bounced payment paid nothing), the others count from their date;
 * only the days up to `cutoff` are walked. The kept payments stay in c->fpay[0..c->n_fpay). */
static int build_segments(ctx *c, const ledger_account *acct, civil_day cutoff, int *ns_out)
{
	const obligation *ob = c->buf.ob;
	const ledger_payment *pay = c->buf.pay;
	int n_ob = c->buf.n_ob, n_pay = c->buf.n_pay;
	if (grow((void **)&c->fpay, &c->cap_fpay, n_pay + 1, sizeof *c->fpay) ||
	    grow((void **)&c->seg, &c->cap_seg, n_pay + 1, sizeof *c->seg))
		return -2;
	int nf = 0;
	for (int i = 0; i < n_pay; i++) {
		if (pay[i].paid_on > cutoff) break; /* sorted by date */
		if (pay[i].reversed_on != DATE_NONE && pay[i].reversed_on <= cutoff) continue;
		c->fpay[nf] = pay[i];
		c->fpay[nf++].reversed_on = DATE_NONE;
	}
	c->n_fpay = nf;
	segment *s = c->seg;
	ledger_state x;
	/* before any payment: the first obligation with something due */
	civil_day u0 = DATE_NONE;
	for (int i = 0; i < n_ob && u0 == DATE_NONE; i++)
		for (int m = 0; m < COMP_N; m++)
			if (ob[i].amount[m] > 0) u0 = ob[i].due_on;
	int ns = 0;
	s[ns++] = (segment){DATE_MIN - 1, u0};
	if (c->o->order.mode == ALLOC_VERTICAL && !c->o->exact_replay) {
		/* Vertical allocation fills the obligations strictly in order, every component of one
		 * before the next (ledger.h), so after the payments of a day the oldest obligation not
		 * fully paid is the first whose cumulative total exceeds the cumulative payments: one
		 * pass instead of one replay per payment day. */
		int64_t paid = 0, due = 0;
		int j = 0; /* obligations [0, j) are fully paid by `paid` */
		for (int i = 0; i < nf; i++) {
			if (__builtin_add_overflow(paid, c->fpay[i].amount, &paid)) return -1;
			if (i + 1 < nf && c->fpay[i + 1].paid_on == c->fpay[i].paid_on) continue;
			while (j < n_ob) {
				int64_t t = 0;
				for (int m = 0; m < COMP_N; m++)
					if (ob[j].amount[m] < 0 ||
					    __builtin_add_overflow(t, ob[j].amount[m], &t))
						return -1;
				if (__builtin_add_overflow(due, t, &t)) return -1;
				if (t > paid) break;
				due = t;
				j++;
			}
			s[ns++] = (segment){c->fpay[i].paid_on, j < n_ob ? ob[j].due_on : DATE_NONE};
		}
		*ns_out = ns;
		return 0;
	}
	for (int i = 0; i < nf; i++) {
		if (i + 1 < nf && c->fpay[i + 1].paid_on == c->fpay[i].paid_on) continue; /* the day's last */
		if (ledger_state_as_of(acct, ob, n_ob, c->fpay, i + 1, &c->o->order, c->fpay[i].paid_on, NULL,
		                       &x))
			return -1;
		s[ns++] = (segment){c->fpay[i].paid_on, x.oldest_unpaid_due};
	}
	*ns_out = ns;
	return 0;
}

/* Adds one decoded loan (disbursed on or before D) to the client's accumulator. */
static int add_loan(ctx *c, const store_account *a)
{
	const behaviour_opts *o = c->o;
	const civil_day D = o->as_of;
	const obligation *ob = c->buf.ob;
	const ledger_payment *pay = c->buf.pay;
	int n_ob = c->buf.n_ob, n_pay = c->buf.n_pay;
	ledger_account acct = {.start_on = a->start_on, .written_off_on = a->written_off_on};
	ledger_state st;
	client_acc *k = &c->accs[c->n_accs - 1];
	int r;

	if (ledger_state_as_of(&acct, ob, n_ob, pay, n_pay, &o->order, D, NULL, &st)) goto invalid;
	int active = st.status == ACCOUNT_ACTIVE;
	int target = active && o->horizon > 0;
	/* One walk serves the variables and the outcome unless a payment is reversed after D and by
	 * D + horizon (known at D + horizon, not at D). */
	int shared = target;
	for (int i = 0; i < n_pay; i++) {
		if (pay[i].paid_on > c->st.last_paid_on || c->st.last_paid_on == DATE_NONE)
			c->st.last_paid_on = pay[i].paid_on;
		if (pay[i].reversed_on != DATE_NONE && pay[i].reversed_on > D &&
		    pay[i].reversed_on <= c->until)
			shared = 0;
	}
	int ns;
	if ((r = build_segments(c, &acct, shared ? c->until : D, &ns))) goto fail;
	const segment *s = c->seg;

	/* DPD in the windows, and now */
	for (int w = 0; w < 3; w++) {
		int32_t v = max_dpd(s, ns, c->from[w], D, a);
		if (v > k->max_dpd[w]) k->max_dpd[w] = v;
	}
	if (active && st.dpd > k->dpd_now) k->dpd_now = st.dpd;

	/* installments due in the 12-month window (and before a write-off): paid by their due date? */
	for (int i = 0; i < n_ob; i++) {
		civil_day due = ob[i].due_on;
		if (due < c->from[2] || due > D) continue;
		if (a->written_off_on != DATE_NONE && due >= a->written_off_on) continue;
		int64_t total = 0;
		for (int m = 0; m < COMP_N; m++)
			total += ob[i].amount[m];
		if (total <= 0) continue;
		civil_day u = s[seg_of(s, ns, due)].u;
		k->due++;
		/* obligations are paid oldest first, so the one due on `due` is paid iff u is later */
		if (u == DATE_NONE || u > due) k->on_time++;
	}

	/* payments (those not reversed by D) in the window after whose day the installment they went
	 * to, the oldest not fully paid before that day, is still not fully paid */
	for (int i = 0; i < c->n_fpay && c->fpay[i].paid_on <= D; i++) {
		civil_day day = c->fpay[i].paid_on;
		if (k->last_paid == DATE_NONE || day > k->last_paid) k->last_paid = day;
		if (day < c->from[2]) continue;
		int j = seg_of(s, ns, day);
		if (j > 0 && s[j].day == day && s[j - 1].u != DATE_NONE && s[j].u == s[j - 1].u)
			k->partials++;
	}

	/* the outcome: 31+ days past due on a day of (D, D + horizon], or written off then */
	if (target) {
		if (!shared && (r = build_segments(c, &acct, c->until, &ns))) goto fail;
		if (max_dpd(c->seg, ns, D + 1, c->until, a) >= BH_BAD_DPD ||
		    (a->written_off_on != DATE_NONE && a->written_off_on <= c->until))
			k->bad = 1;
	}

	/* cycle, relationship, exposure */
	k->loans++;
	if (k->first_start == DATE_NONE || a->start_on < k->first_start) k->first_start = a->start_on;
	if (active) {
		if (k->active == 0) {
			memcpy(k->currency, a->currency, sizeof k->currency);
			const currency_info *ci = currency_find(a->currency, strlen(a->currency));
			k->exponent = ci ? ci->exponent : 0;
		} else if (strcmp(k->currency, a->currency) != 0) {
			k->mixed = 1;
		}
		k->active++;
		if (__builtin_add_overflow(k->outstanding, st.outstanding_principal, &k->outstanding) ||
		    __builtin_add_overflow(k->principal, a->principal, &k->principal))
			k->mixed = 1; /* not representable: leave the amounts missing */
	}
	c->st.loans++;
	return 0;
fail:
	if (r == -2) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return -1;
	}
invalid:
	snprintf(c->err, sizeof c->err, "account %s: invalid ledger (overflow or unsorted rows)", a->ext_id);
	return -1;
}

/* Starts the accumulator of a new client in the shard. */
static int acc_push(ctx *c, const store_account *a)
{
	if (c->n_accs == c->cap_accs) {
		size_t nc = c->cap_accs ? c->cap_accs * 2 : 1024;
		client_acc *p = realloc(c->accs, sizeof *p * nc);
		if (!p) return -1;
		c->accs = p;
		c->cap_accs = nc;
	}
	size_t len = strlen(a->client_ext_id) + 1;
	if (c->ids_len + len > c->ids_cap) {
		size_t nc = c->ids_cap ? c->ids_cap * 2 : 16384;
		while (nc < c->ids_len + len)
			nc *= 2;
		char *p = realloc(c->ids, nc);
		if (!p) return -1;
		c->ids = p;
		c->ids_cap = nc;
	}
	memcpy(c->ids + c->ids_len, a->client_ext_id, len);
	client_acc *k = &c->accs[c->n_accs++];
	memset(k, 0, sizeof *k);
	k->client_id = a->client_id;
	k->id_off = c->ids_len;
	c->ids_len += len;
	k->first_start = DATE_NONE;
	k->last_paid = DATE_NONE;
	return 0;
}

static int one(void *vc, const store_account *a, const uint8_t *blob, size_t len)
{
	ctx *c = vc;
	if (a->kind != STORE_LOAN || a->start_on > c->o->as_of) return 0;
	if (c->n_accs == 0 || a->client_id != c->accs[c->n_accs - 1].client_id) {
		if (acc_push(c, a)) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return -1;
		}
	}
	if (ledger_buf_decode(&c->buf, blob, len)) {
		snprintf(c->err, sizeof c->err, "account %s: corrupt ledger data", a->ext_id);
		return -1;
	}
	return add_loan(c, a);
}

/* Adds the partial accumulator b (the same client seen by another shard) into a. */
static void acc_merge(client_acc *a, const client_acc *b)
{
	for (int w = 0; w < 3; w++)
		if (b->max_dpd[w] > a->max_dpd[w]) a->max_dpd[w] = b->max_dpd[w];
	if (b->dpd_now > a->dpd_now) a->dpd_now = b->dpd_now;
	a->due += b->due;
	a->on_time += b->on_time;
	a->partials += b->partials;
	a->loans += b->loans;
	if (b->first_start != DATE_NONE && (a->first_start == DATE_NONE || b->first_start < a->first_start))
		a->first_start = b->first_start;
	if (b->last_paid != DATE_NONE && (a->last_paid == DATE_NONE || b->last_paid > a->last_paid))
		a->last_paid = b->last_paid;
	if (b->active) {
		if (a->active == 0) {
			memcpy(a->currency, b->currency, sizeof a->currency);
			a->exponent = b->exponent;
		} else if (strcmp(a->currency, b->currency) != 0) {
			a->mixed = 1;
		}
		a->mixed |= b->mixed;
		a->active += b->active;
		if (__builtin_add_overflow(a->outstanding, b->outstanding, &a->outstanding) ||
		    __builtin_add_overflow(a->principal, b->principal, &a->principal))
			a->mixed = 1;
	}
	a->bad |= b->bad;
}

static int grow_rows(row_set *c)
{
	if (c->n_rows < c->cap_rows) return 0;
	size_t nc = c->cap_rows ? c->cap_rows * 2 : 1024;
	for (int j = 0; j <= BH_N_VARS; j++) {
		double *p = realloc(c->col[j], sizeof *p * nc);
		if (!p) return -1;
		c->col[j] = p;
	}
	size_t *off = realloc(c->off, sizeof *off * nc);
	if (!off) return -1;
	c->off = off;
	c->cap_rows = nc;
	return 0;
}

static void put(row_set *c, int j, double v)
{
	c->col[j][c->n_rows] = v;
	if (isnan(v)) c->n_missing[j]++;
}

/* Writes a (whole) client's row when it has an active loan at D. */
static int emit(row_set *c, const client_acc *k, const char *ext_id)
{
	c->st.clients++;
	if (k->active == 0) return 0;
	size_t len = strlen(ext_id) + 1;
	if (grow_rows(c)) return -1;
	if (c->ids_len + len > c->ids_cap) {
		size_t nc = c->ids_cap ? c->ids_cap * 2 : 16384;
		while (nc < c->ids_len + len)
			nc *= 2;
		char *p = realloc(c->ids, nc);
		if (!p) return -1;
		c->ids = p;
		c->ids_cap = nc;
	}
	memcpy(c->ids + c->ids_len, ext_id, len);
	c->off[c->n_rows] = c->ids_len;
	c->ids_len += len;

	const civil_day D = c->o->as_of;
	double scale = pow(10.0, k->exponent);
	put(c, BH_MAX_DPD_3M, k->max_dpd[0]);
	put(c, BH_MAX_DPD_6M, k->max_dpd[1]);
	put(c, BH_MAX_DPD_12M, k->max_dpd[2]);
	put(c, BH_DPD_NOW, k->dpd_now);
	put(c, BH_ON_TIME_SHARE_12M, k->due ? (double)k->on_time / (double)k->due : NAN);
	put(c, BH_PARTIAL_PAYMENTS_12M, (double)k->partials);
	put(c, BH_LOANS, (double)k->loans);
	put(c, BH_RELATIONSHIP_DAYS, (double)(D - k->first_start));
	put(c, BH_OUTSTANDING, k->mixed ? NAN : (double)k->outstanding / scale);
	put(c, BH_OUTSTANDING_SHARE,
	    k->mixed || k->principal <= 0 ? NAN : (double)k->outstanding / (double)k->principal);
	put(c, BH_ACTIVE_LOANS, (double)k->active);
	put(c, BH_DAYS_SINCE_PAYMENT, k->last_paid == DATE_NONE ? NAN : (double)(D - k->last_paid));
	c->col[BH_N_VARS][c->n_rows] = k->bad;
	c->st.bads += k->bad;
	c->n_rows++;
	c->st.rows++;
	return 0;
}

/* Merges the shards' client lists (each in client ext id order, bytewise, as the scan returns
 * them) into rows, adding up the partial accumulators of a client seen by several shards. */
static int merge_shards(ctx *const *sh, int n, row_set *out)
{
	size_t pos[BH_MAX_THREADS] = {0};
	for (;;) {
		int best = -1;
		for (int k = 0; k < n; k++) {
			if (pos[k] >= sh[k]->n_accs) continue;
			if (best < 0 || strcmp(sh[k]->ids + sh[k]->accs[pos[k]].id_off,
			                       sh[best]->ids + sh[best]->accs[pos[best]].id_off) < 0)
				best = k;
		}
		if (best < 0) return 0;
		client_acc acc = sh[best]->accs[pos[best]];
		const char *id = sh[best]->ids + acc.id_off;
		pos[best]++;
		for (int k = 0; k < n; k++)
			while (pos[k] < sh[k]->n_accs && sh[k]->accs[pos[k]].client_id == acc.client_id &&
			       strcmp(sh[k]->ids + sh[k]->accs[pos[k]].id_off, id) == 0)
				acc_merge(&acc, &sh[k]->accs[pos[k]++]);
		if (emit(out, &acc, id)) return -1;
	}
}

/* Hands the columns over to a data set (the context keeps nothing). */
static int to_dataset(row_set *c, dataset **out)
{
	int with_target = c->o->horizon > 0;
	int n_cols = 1 + BH_N_VARS + with_target;
	dataset *d = calloc(1, sizeof *d);
	if (!d) return -1;
	d->cols = calloc((size_t)n_cols, sizeof *d->cols);
	size_t rows = c->n_rows ? c->n_rows : 1;
	d->line = malloc(sizeof *d->line * rows);
	if (!d->cols || !d->line || grow_rows(c) /* at least one row of room */) {
		free(d->cols);
		free(d->line);
		free(d);
		return -1;
	}
	for (size_t i = 0; i < c->n_rows; i++)
		d->line[i] = (long)i + 2; /* as in the CSV that `score features` writes */
	d->n_rows = c->n_rows;
	d->rows_cap = c->n_rows;
	d->n_cols = n_cols;
	int fail = 0;
	ds_column *col = &d->cols[0];
	col->name = strdup(BH_ID);
	col->kind = DS_ID;
	col->text = c->ids ? c->ids : calloc(1, 1);
	col->off = c->off;
	c->ids = NULL;
	c->off = NULL;
	fail |= !col->name || !col->text;
	for (int j = 0; j < BH_N_VARS + with_target; j++) {
		col = &d->cols[1 + j];
		col->name = strdup(j < BH_N_VARS ? BH_VAR_NAMES[j] : BH_TARGET);
		col->kind = j < BH_N_VARS ? DS_NUMERIC : DS_BINARY;
		col->num = c->col[j];
		col->n_missing = c->n_missing[j];
		c->col[j] = NULL;
		fail |= !col->name;
	}
	if (fail) {
		dataset_free(d);
		return -1;
	}
	*out = d;
	return 0;
}

static void ctx_free(ctx *c)
{
	ledger_buf_free(&c->buf);
	free(c->seg);
	free(c->fpay);
	free(c->accs);
	free(c->ids);
}

/* One shard of the scan (every loan when shards <= 1). */
static int run_shard(store *s, ctx *c, int shards, int shard)
{
	store_scan_filter f = {
	    .kind = STORE_LOAN, .currency = c->o->currency, .by_client = 1, .shards = shards, .shard = shard};
	if (store_scan(s, &f, one, c) != STORE_OK) {
		if (!c->err[0]) snprintf(c->err, sizeof c->err, "%s", store_errmsg(s));
		return -1;
	}
	return 0;
}

typedef struct {
	ctx *c;
	int shards, shard;
	int rc;
} shard_job;

static void *shard_main(void *arg)
{
	shard_job *j = arg;
	store *s;
	j->rc = -1;
	if (store_open(j->c->o->db, &s, j->c->err, sizeof j->c->err) != STORE_OK) return NULL;
	j->rc = run_shard(s, j->c, j->shards, j->shard);
	store_close(s);
	return NULL;
}

int behaviour_dataset(store *s, const behaviour_opts *o, dataset **out, behaviour_stats *st, char *err,
                      size_t errcap)
{
	*out = NULL;
	if (o->horizon < 0 || o->horizon > BH_MAX_HORIZON || date_add_days(o->as_of, 0) == DATE_NONE ||
	    date_add_months(o->as_of, -12, 0) == DATE_NONE ||
	    date_add_days(o->as_of, o->horizon) == DATE_NONE) {
		snprintf(err, errcap, "as-of date or horizon out of range");
		return -1;
	}
	int t = o->threads > BH_MAX_THREADS ? BH_MAX_THREADS : o->threads;
	if (t < 1 || !o->db) t = 1;
	ctx cs[BH_MAX_THREADS];
	ctx *sh[BH_MAX_THREADS];
	static const int months[3] = {3, 6, 12};
	for (int k = 0; k < t; k++) {
		cs[k] = (ctx){.o = o};
		cs[k].st.last_paid_on = DATE_NONE;
		for (int w = 0; w < 3; w++)
			cs[k].from[w] = date_add_months(o->as_of, -months[w], 0) + 1;
		cs[k].until = o->as_of + o->horizon;
		sh[k] = &cs[k];
	}
	/* The shards split the loans by id, so one client's loans may be in several of them: each
	 * shard keeps its partial accumulators, merged afterwards (every figure is a sum, a max, a
	 * min or an or over the loans). */
	shard_job jobs[BH_MAX_THREADS];
	pthread_t tid[BH_MAX_THREADS];
	int started[BH_MAX_THREADS] = {0};
	for (int k = 1; k < t; k++) {
		jobs[k] = (shard_job){.c = &cs[k], .shards = t, .shard = k, .rc = -1};
		started[k] = pthread_create(&tid[k], NULL, shard_main, &jobs[k]) == 0;
		if (!started[k]) snprintf(cs[k].err, sizeof cs[k].err, "cannot start a thread");
	}
	int r = run_shard(s, &cs[0], t, 0);
	if (r) snprintf(err, errcap, "%s", cs[0].err);
	for (int k = 1; k < t; k++) {
		if (started[k]) pthread_join(tid[k], NULL);
		if ((!started[k] || jobs[k].rc) && r == 0) {
			snprintf(err, errcap, "%s", cs[k].err);
			r = -1;
		}
	}
	row_set rw = {.o = o};
	rw.st.last_paid_on = DATE_NONE;
	for (int k = 0; k < t; k++) {
		rw.st.loans += cs[k].st.loans;
		civil_day lp = cs[k].st.last_paid_on;
		if (lp != DATE_NONE && (rw.st.last_paid_on == DATE_NONE || lp > rw.st.last_paid_on))
			rw.st.last_paid_on = lp;
	}
	if (r == 0 && (merge_shards(sh, t, &rw) || to_dataset(&rw, out))) {
		snprintf(err, errcap, "out of memory");
		r = -1;
	}
	if (st) *st = rw.st;
	for (int k = 0; k < t; k++)
		ctx_free(&cs[k]);
	for (int j = 0; j <= BH_N_VARS; j++)
		free(rw.col[j]);
	free(rw.ids);
	free(rw.off);
	return r;
}

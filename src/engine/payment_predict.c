/* payment_predict.c: payment prediction per open obligation (see payment_predict.h; method in
 * docs/scoring.md, "Payment prediction").
 *
 * An account's history is read as in engine/behaviour.c: the oldest obligation not fully paid (u)
 * changes only on payment days, so the list of (payment day, u) segments says when each obligation
 * was fully paid: on the first segment whose u is later than its due date (obligations are filled
 * in due order by both allocation orders, and u never goes back once reversed payments are left
 * out). Days late follow, for the past obligations (features) and for the open ones (outcome). */
#include "engine/payment_predict.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ledger_sync.h"
#include "io/json_out.h"
#include "io/model_file.h"

const char *const PP_VAR_NAMES[PP_N_VARS] = {
    "on_time_share_12m", "mean_days_late_3m",    "mean_days_late_6m", "mean_days_late_12m",
    "max_days_late_12m", "partial_payments_12m", "dpd_now",           "amount_vs_usual",
    "paid_share",        "days_to_due",          "installment",       "loans",
    "invoice",
};

typedef struct {
	civil_day day, u;
} seg;

/* Work buffers reused from one account to the next (no allocation per account once grown). */
typedef struct {
	ledger_buf buf;
	ledger_payment *fpay;
	seg *s;
	int cap_pay;
	int64_t (*paid)[COMP_N];
	int cap_ob;
} work;

static void work_free(work *w)
{
	ledger_buf_free(&w->buf);
	free(w->fpay);
	free(w->s);
	free(w->paid);
}

static int work_grow(work *w, int n_pay, int n_ob)
{
	if (n_pay + 1 > w->cap_pay) {
		int nc = (n_pay + 1) * 2;
		ledger_payment *p = realloc(w->fpay, sizeof *p * (size_t)nc);
		if (!p) return -1;
		w->fpay = p;
		seg *q = realloc(w->s, sizeof *q * (size_t)nc);
		if (!q) return -1;
		w->s = q;
		w->cap_pay = nc;
	}
	if (n_ob + 1 > w->cap_ob) {
		int nc = (n_ob + 1) * 2;
		int64_t(*p)[COMP_N] = realloc(w->paid, sizeof *p * (size_t)nc);
		if (!p) return -1;
		w->paid = p;
		w->cap_ob = nc;
	}
	return 0;
}

static int64_t ob_total(const obligation *o)
{
	int64_t t = 0;
	for (int m = 0; m < COMP_N; m++)
		t += o->amount[m]; /* validated by ledger_state_as_of before (no overflow) */
	return t;
}

/* Segments of the history known at `cutoff` (payments after it, or reversed by it, left out). */
static int segments(work *w, const ledger_account *acct, const alloc_order *order, civil_day cutoff,
                    int *ns_out)
{
	const obligation *ob = w->buf.ob;
	int n_ob = w->buf.n_ob, nf = 0;
	for (int i = 0; i < w->buf.n_pay; i++) {
		const ledger_payment *p = &w->buf.pay[i];
		if (p->paid_on > cutoff) break;
		if (p->reversed_on != DATE_NONE && p->reversed_on <= cutoff) continue;
		w->fpay[nf] = *p;
		w->fpay[nf++].reversed_on = DATE_NONE;
	}
	int ns = 0, j = 0;
	while (j < n_ob && ob_total(&ob[j]) <= 0)
		j++;
	w->s[ns++] = (seg){DATE_MIN - 1, j < n_ob ? ob[j].due_on : DATE_NONE};
	int64_t paid = 0, due = 0;
	j = 0;
	for (int i = 0; i < nf; i++) {
		if (__builtin_add_overflow(paid, w->fpay[i].amount, &paid)) return -1;
		if (i + 1 < nf && w->fpay[i + 1].paid_on == w->fpay[i].paid_on) continue;
		civil_day u;
		if (order->mode == ALLOC_VERTICAL) { /* cumulative fill, as in engine/behaviour.c */
			while (j < n_ob) {
				int64_t t;
				if (__builtin_add_overflow(due, ob_total(&ob[j]), &t)) return -1;
				if (t > paid) break;
				due = t;
				j++;
			}
			u = j < n_ob ? ob[j].due_on : DATE_NONE;
		} else {
			ledger_state x;
			if (ledger_state_as_of(acct, ob, n_ob, w->fpay, i + 1, order, w->fpay[i].paid_on,
			                       NULL, &x))
				return -1;
			u = x.oldest_unpaid_due;
		}
		w->s[ns++] = (seg){w->fpay[i].paid_on, u};
	}
	*ns_out = ns;
	return 0;
}

/* The day obligation due on `due` is fully paid in the segments, or DATE_NONE. */
static civil_day paid_day(const seg *s, int ns, civil_day due)
{
	for (int k = 0; k < ns; k++)
		if (s[k].u == DATE_NONE || s[k].u > due) return k == 0 ? DATE_MIN : s[k].day;
	return DATE_NONE;
}

typedef int (*row_fn)(void *ctx, const store_account *a, civil_day due, int64_t left, const double *x,
                      double days_late);

/* The open obligations of one decoded account as of D, with their features (and outcome). */
static int account_rows(work *w, const store_account *a, civil_day D, int window, int with_outcome,
                        const alloc_order *order, int client_loans, row_fn fn, void *ctx)
{
	ledger_account acct = {.start_on = a->start_on, .written_off_on = a->written_off_on};
	int n_ob = w->buf.n_ob;
	const obligation *ob = w->buf.ob;
	if (work_grow(w, w->buf.n_pay, n_ob)) return -2;
	ledger_state st;
	if (ledger_state_as_of(&acct, ob, n_ob, w->buf.pay, w->buf.n_pay, order, D, w->paid, &st)) return -1;
	if (st.status != ACCOUNT_ACTIVE) return 0;
	int ns;
	if (segments(w, &acct, order, D, &ns)) return -1;
	civil_day from3 = date_add_months(D, -3, 0) + 1, from6 = date_add_months(D, -6, 0) + 1,
	          from12 = date_add_months(D, -12, 0) + 1;
	double late_sum[3] = {0}, n_due[3] = {0}, on_time = 0, max_late = 0, amount_sum = 0;
	for (int i = 0; i < n_ob; i++) {
		civil_day due = ob[i].due_on;
		int64_t tot = ob_total(&ob[i]);
		if (due < from12 || due > D || tot <= 0) continue;
		if (a->written_off_on != DATE_NONE && due >= a->written_off_on) continue;
		civil_day pd = paid_day(w->s, ns, due);
		double late = pd == DATE_NONE ? (double)(D - due) : pd > due ? (double)(pd - due) : 0;
		for (int k = 0; k < 3; k++) {
			civil_day from = k == 0 ? from3 : k == 1 ? from6 : from12;
			if (due >= from) {
				late_sum[k] += late;
				n_due[k]++;
			}
		}
		if (late == 0) on_time++;
		if (late > max_late) max_late = late;
		amount_sum += (double)tot;
	}
	double partials = 0;
	for (int k = 1; k < ns; k++)
		if (w->s[k].day >= from12 && w->s[k].day <= D && w->s[k - 1].u != DATE_NONE &&
		    w->s[k].u == w->s[k - 1].u)
			partials++;
	double x[PP_N_VARS];
	x[PP_ON_TIME_SHARE_12M] = n_due[2] ? on_time / n_due[2] : NAN;
	x[PP_MEAN_LATE_3M] = n_due[0] ? late_sum[0] / n_due[0] : NAN;
	x[PP_MEAN_LATE_6M] = n_due[1] ? late_sum[1] / n_due[1] : NAN;
	x[PP_MEAN_LATE_12M] = n_due[2] ? late_sum[2] / n_due[2] : NAN;
	x[PP_MAX_LATE_12M] = n_due[2] ? max_late : NAN;
	x[PP_PARTIALS_12M] = partials;
	x[PP_DPD_NOW] = st.dpd;
	x[PP_LOANS] = client_loans > 0 ? client_loans : NAN;
	x[PP_INVOICE] = a->kind == STORE_INVOICE;
	int nso = 0;
	civil_day cutoff = D + window + PP_LATE_CAP;
	for (int i = 0; i < n_ob; i++) {
		civil_day due = ob[i].due_on;
		if (due < D || due > D + window) continue;
		int64_t tot = ob_total(&ob[i]), paid = 0;
		for (int m = 0; m < COMP_N; m++)
			paid += w->paid[i][m];
		if (tot <= 0 || paid >= tot) continue;
		x[PP_AMOUNT_RATIO] = n_due[2] ? (double)tot / (amount_sum / n_due[2]) : NAN;
		x[PP_PAID_SHARE] = (double)paid / (double)tot;
		x[PP_DAYS_TO_DUE] = due - D;
		x[PP_INSTALLMENT] = i + 1;
		double days_late = NAN;
		if (with_outcome) {
			if (!nso && segments(w, &acct, order, cutoff, &nso)) return -1;
			civil_day pd = paid_day(w->s, nso, due);
			if (a->written_off_on != DATE_NONE && (pd == DATE_NONE || pd >= a->written_off_on))
				pd = DATE_NONE;
			days_late = pd == DATE_NONE ? PP_LATE_CAP : pd <= due ? 0 : (double)(pd - due);
			if (days_late > PP_LATE_CAP) days_late = PP_LATE_CAP;
		}
		if (fn(ctx, a, due, tot - paid, x, days_late)) return -3;
	}
	return 0;
}

/* ---- rows from the store ---- */

void pp_rows_free(pp_rows *r)
{
	if (!r) return;
	free(r->account);
	free(r->currency);
	free(r->due_on);
	free(r->amount);
	for (int j = 0; j < PP_N_VARS; j++)
		free(r->x[j]);
	free(r->days_late);
	free(r->late);
	free(r);
}

static int rows_grow(pp_rows *r)
{
	if (r->n < r->cap) return 0;
	size_t nc = r->cap ? r->cap * 2 : 1024;
#define GROW(p)                                                                                              \
	do {                                                                                                 \
		void *q_ = realloc((p), sizeof *(p)*nc);                                                     \
		if (!q_) return -1;                                                                          \
		(p) = q_;                                                                                    \
	} while (0)
	GROW(r->account);
	GROW(r->currency);
	GROW(r->due_on);
	GROW(r->amount);
	GROW(r->days_late);
	GROW(r->late);
	for (int j = 0; j < PP_N_VARS; j++)
		GROW(r->x[j]);
#undef GROW
	r->cap = nc;
	return 0;
}

typedef struct {
	const pp_opts *o;
	work w;
	pp_rows *r;
	int64_t client_id;
	size_t client_first; /* the current client's first row */
	int client_loans;
	char err[256];
} scan_ctx;

static int add_row(void *vc, const store_account *a, civil_day due, int64_t left, const double *x,
                   double days_late)
{
	scan_ctx *c = vc;
	pp_rows *r = c->r;
	if (rows_grow(r)) return -1;
	size_t i = r->n++;
	snprintf(r->account[i], STORE_ID_MAX, "%s", a->ext_id);
	memcpy(r->currency[i], a->currency, 4);
	r->due_on[i] = due;
	r->amount[i] = left;
	for (int j = 0; j < PP_N_VARS; j++)
		r->x[j][i] = x[j];
	r->days_late[i] = days_late;
	r->late[i] = days_late > 0;
	return 0;
}

/* The client's loan cycle is known once all its accounts are read: filled in then. */
static void close_client(scan_ctx *c)
{
	for (size_t i = c->client_first; i < c->r->n; i++)
		c->r->x[PP_LOANS][i] = c->client_loans > 0 ? c->client_loans : NAN;
}

static int scan_one(void *vc, const store_account *a, const uint8_t *blob, size_t len)
{
	scan_ctx *c = vc;
	const pp_opts *o = c->o;
	if (a->client_id != c->client_id) {
		close_client(c);
		c->client_id = a->client_id;
		c->client_first = c->r->n;
		c->client_loans = 0;
	}
	if (a->start_on > o->as_of) return 0;
	if (a->kind == STORE_LOAN) c->client_loans++;
	if (ledger_buf_decode(&c->w.buf, blob, len)) {
		snprintf(c->err, sizeof c->err, "account %s: corrupt ledger data", a->ext_id);
		return -1;
	}
	for (int i = 0; i < c->w.buf.n_pay; i++)
		if (c->r->last_paid_on == DATE_NONE || c->w.buf.pay[i].paid_on > c->r->last_paid_on)
			c->r->last_paid_on = c->w.buf.pay[i].paid_on;
	int rc = account_rows(&c->w, a, o->as_of, o->window, o->with_outcome, &o->order, 0, add_row, c);
	if (rc == -1) snprintf(c->err, sizeof c->err, "account %s: invalid ledger", a->ext_id);
	if (rc == -2 || rc == -3) snprintf(c->err, sizeof c->err, "out of memory");
	return rc ? -1 : 0;
}

int pp_rows_from_store(store *s, const pp_opts *o, pp_rows **out, char *err, size_t errcap)
{
	*out = NULL;
	if (o->window < 0 || o->window > PP_MAX_WINDOW || date_add_months(o->as_of, -12, 0) == DATE_NONE ||
	    date_add_days(o->as_of, o->window + PP_LATE_CAP) == DATE_NONE) {
		snprintf(err, errcap, "as-of date or window out of range");
		return -1;
	}
	scan_ctx c = {.o = o, .client_id = -1};
	c.r = calloc(1, sizeof *c.r);
	if (!c.r || rows_grow(c.r)) {
		pp_rows_free(c.r);
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	c.r->last_paid_on = DATE_NONE;
	store_scan_filter f = {.kind = -1, .currency = o->currency, .by_client = 1};
	store_rc rc = store_scan(s, &f, scan_one, &c);
	work_free(&c.w);
	if (rc != STORE_OK) {
		snprintf(err, errcap, "%s", c.err[0] ? c.err : store_errmsg(s));
		pp_rows_free(c.r);
		return -1;
	}
	close_client(&c);
	*out = c.r;
	return 0;
}

/* ---- the model ---- */

void pp_model_free(pp_model *m)
{
	if (!m) return;
	sc_model_free(m->sc);
	free(m);
}

static int map_vars(pp_model *m, char *err, size_t errcap)
{
	for (int j = 0; j < m->sc->n_vars; j++) {
		m->var_of[j] = -1;
		for (int k = 0; k < PP_N_VARS; k++)
			if (strcmp(m->sc->vars[j].name, PP_VAR_NAMES[k]) == 0) m->var_of[j] = k;
		if (m->var_of[j] < 0 && m->sc->vars[j].used) {
			snprintf(err, errcap, "variable %s is not a payment prediction variable",
			         m->sc->vars[j].name);
			return -1;
		}
	}
	return 0;
}

static double score_x(const pp_model *m, const double *x)
{
	uint8_t bins[SC_MAX_VARS];
	for (int j = 0; j < m->sc->n_vars; j++)
		bins[j] = m->var_of[j] >= 0 ? (uint8_t)sc_bin_of_number(&m->sc->vars[j], x[m->var_of[j]]) : 0;
	return sc_score_bins(m->sc, bins);
}

static void predict_x(const pp_model *m, const double *x, double *p, double *days)
{
	double s = score_x(m, x);
	*p = 1 - sc_prob_bad(m->sc, s);
	int b = 0;
	while (b < m->n_bands - 1 && s < m->band_min[b])
		b++;
	*days = m->band_days[b];
}

void pp_predict_row(const pp_model *m, const pp_rows *r, size_t i, double *p_on_time,
                    double *expected_days_late)
{
	double x[PP_N_VARS];
	for (int j = 0; j < PP_N_VARS; j++)
		x[j] = r->x[j][i];
	predict_x(m, x, p_on_time, expected_days_late);
}

int pp_evaluate(const pp_model *m, const pp_rows *r, pp_metrics *out)
{
	memset(out, 0, sizeof *out);
	out->rows = r->n;
	if (r->n == 0) {
		out->auc = out->mae = NAN;
		return 0;
	}
	double *p = malloc(sizeof *p * r->n);
	if (!p) return -1;
	double ae = 0, sd = 0, se = 0;
	for (size_t i = 0; i < r->n; i++) {
		double e;
		pp_predict_row(m, r, i, &p[i], &e);
		out->late += r->late[i];
		ae += fabs(e - r->days_late[i]);
		sd += r->days_late[i];
		se += e;
	}
	/* sc_auc ranks "higher is less risk" against bad = 1: here p_on_time against late */
	if (sc_auc(p, r->late, r->n, &out->auc)) out->auc = NAN;
	out->mae = ae / (double)r->n;
	out->mean_days_late = sd / (double)r->n;
	out->mean_expected = se / (double)r->n;
	free(p);
	return 0;
}

int pp_train(const pp_rows *r, const pp_opts *o, pp_model **out, char *err, size_t errcap)
{
	*out = NULL;
	sc_column cols[PP_N_VARS];
	for (int j = 0; j < PP_N_VARS; j++)
		cols[j] = (sc_column){.name = PP_VAR_NAMES[j], .x = r->x[j]};
	sc_params p;
	sc_params_default(&p);
	pp_model *m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	m->window = o->window;
	if (sc_train(cols, PP_N_VARS, r->late, NULL, r->n, &p, &m->sc, err, errcap) ||
	    map_vars(m, err, errcap)) {
		pp_model_free(m);
		return -1;
	}
	double *s = malloc(sizeof *s * (r->n ? r->n : 1));
	if (!s) {
		pp_model_free(m);
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	double x[PP_N_VARS];
	for (size_t i = 0; i < r->n; i++) {
		for (int j = 0; j < PP_N_VARS; j++)
			x[j] = r->x[j][i];
		s[i] = score_x(m, x);
	}
	/* bands: tenths of the training scores, highest first (sc_grades_by_quantiles) */
	sc_grade g[SC_MAX_GRADES];
	m->n_bands = PP_BANDS;
	if (sc_grades_by_quantiles(s, r->n, g, PP_BANDS)) {
		free(s);
		pp_model_free(m);
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	double sum[PP_BANDS] = {0};
	for (int b = 0; b < PP_BANDS; b++)
		m->band_min[b] = g[b].min_score;
	for (size_t i = 0; i < r->n; i++) {
		int b = 0;
		while (b < PP_BANDS - 1 && s[i] < m->band_min[b])
			b++;
		sum[b] += r->days_late[i];
		m->band_rows[b]++;
	}
	double all = 0;
	for (int b = 0; b < PP_BANDS; b++)
		all += sum[b];
	for (int b = 0; b < PP_BANDS; b++) /* an empty band (ties) gets the overall mean */
		m->band_days[b] = m->band_rows[b] ? sum[b] / (double)m->band_rows[b] : all / (double)r->n;
	free(s);
	pp_metrics mt;
	if (pp_evaluate(m, r, &mt)) {
		pp_model_free(m);
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	m->train_auc = mt.auc;
	m->train_mae = mt.mae;
	*out = m;
	return 0;
}

/* ---- the model file: the scorecard's JSON with a "payment_prediction" object ---- */

int pp_model_save(const char *path, const pp_model *m, char *err, size_t errcap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	mf_err e = model_file_write(mem, m->sc);
	fclose(mem);
	char *end = buf ? strrchr(buf, '}') : NULL;
	if (e || !end) {
		free(buf);
		snprintf(err, errcap, "cannot write the model");
		return -1;
	}
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		free(buf);
		snprintf(err, errcap, "%s: cannot write", tmp);
		return -1;
	}
	fwrite(buf, 1, (size_t)(end - buf), f);
	fputs(",\n  \"payment_prediction\": ", f);
	json_out j;
	json_init(&j, f, 0);
	json_obj_begin(&j);
	json_kstr(&j, "format", PP_FORMAT);
	json_kint(&j, "version", 1);
	json_kint(&j, "window", m->window);
	json_kint(&j, "late_cap", PP_LATE_CAP);
	char num[64];
	sc_format_double(m->train_auc, num, sizeof num);
	json_key(&j, "training_auc");
	json_raw(&j, num);
	sc_format_double(m->train_mae, num, sizeof num);
	json_key(&j, "training_mae_days");
	json_raw(&j, num);
	json_key(&j, "bands");
	json_arr_begin(&j);
	for (int b = 0; b < m->n_bands; b++) {
		json_obj_begin(&j);
		json_key(&j, "min_score");
		if (isfinite(m->band_min[b])) {
			sc_format_double(m->band_min[b], num, sizeof num);
			json_raw(&j, num);
		} else {
			json_nullv(&j);
		}
		json_kint(&j, "rows", m->band_rows[b]);
		sc_format_double(m->band_days[b], num, sizeof num);
		json_key(&j, "mean_days_late");
		json_raw(&j, num);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	fputs("\n}\n", f);
	free(buf);
	if (fclose(f) || rename(tmp, path)) {
		snprintf(err, errcap, "%s: cannot write", path);
		return -1;
	}
	return 0;
}

int pp_model_load(const char *path, pp_model **out, char *err, size_t errcap)
{
	*out = NULL;
	pp_model *m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	if (model_file_load(path, &m->sc, err, errcap) || map_vars(m, err, errcap)) {
		pp_model_free(m);
		return -1;
	}
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	json_t *pp = root ? json_object_get(root, "payment_prediction") : NULL;
	json_t *bands = pp ? json_object_get(pp, "bands") : NULL;
	const char *fmt = pp ? json_string_value(json_object_get(pp, "format")) : NULL;
	int ok = fmt && strcmp(fmt, PP_FORMAT) == 0 &&
	         json_integer_value(json_object_get(pp, "version")) == 1 &&
	         json_is_integer(json_object_get(pp, "window")) && json_is_array(bands) &&
	         json_array_size(bands) >= 1 && json_array_size(bands) <= PP_BANDS;
	if (ok) {
		m->window = (int)json_integer_value(json_object_get(pp, "window"));
		ok = m->window >= 0 && m->window <= PP_MAX_WINDOW;
		m->n_bands = (int)json_array_size(bands);
		for (int b = 0; ok && b < m->n_bands; b++) {
			json_t *e = json_array_get(bands, (size_t)b);
			json_t *ms = json_object_get(e, "min_score"),
			       *d = json_object_get(e, "mean_days_late");
			int last = b == m->n_bands - 1;
			ok = json_is_number(d) && (last ? json_is_null(ms) : json_is_number(ms));
			if (!ok) break;
			m->band_min[b] = last ? -INFINITY : json_number_value(ms);
			m->band_days[b] = json_number_value(d);
			m->band_rows[b] = json_integer_value(json_object_get(e, "rows"));
			ok = isfinite(m->band_days[b]) && m->band_days[b] >= 0 &&
			     (b == 0 || m->band_min[b] < m->band_min[b - 1]);
		}
		json_t *a = json_object_get(pp, "training_auc"),
		       *e = json_object_get(pp, "training_mae_days");
		m->train_auc = json_is_number(a) ? json_number_value(a) : NAN;
		m->train_mae = json_is_number(e) ? json_number_value(e) : NAN;
	}
	json_decref(root);
	if (!ok) {
		snprintf(err, errcap,
		         "%s: payment_prediction: expected a \"%s\" version 1 object with window and bands "
		         "(min_score decreasing, the last null; mean_days_late >= 0); is it a payment model "
		         "(vigie score predict train)?",
		         path, PP_FORMAT);
		pp_model_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

/* ---- one account, for the daily run ---- */

typedef struct {
	const pp_model *m;
	pp_fn fn;
	void *ctx;
} one_ctx;

static int one_row(void *vc, const store_account *a, civil_day due, int64_t left, const double *x,
                   double days_late)
{
	(void)days_late;
	one_ctx *c = vc;
	double p, e;
	predict_x(c->m, x, &p, &e);
	return c->fn(c->ctx, a, due, left, p, e);
}

int payment_predict_account(const pp_model *m, const store_account *a, const uint8_t *blob, size_t len,
                            civil_day as_of, int client_loans, pp_fn fn, void *ctx)
{
	if (a->start_on > as_of) return 0;
	work w = {0};
	one_ctx c = {m, fn, ctx};
	int rc = ledger_buf_decode(&w.buf, blob, len)
	             ? -1
	             : account_rows(&w, a, as_of, m->window, 0, &ALLOC_DEFAULT, client_loans, one_row, &c);
	work_free(&w);
	return rc ? -1 : 0;
}

/* early_warning.c: the risk refresh of a day (see early_warning.h). Three phases: read (one scan of
 * the ledgers in client order, the behavioural data set, facts, limits), decide (pure arithmetic on
 * those figures), write (score rows and alerts in one transaction). */
#include "engine/early_warning.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "core/money.h"
#include "engine/behaviour.h"
#include "engine/exposure.h"
#include "engine/ledger_sync.h"
#include "store/store_audit.h"
#include "store/store_risk.h"

static const char *const KINDS[EW_N] = {"grade_down",  "limit_exceeded", "legal",
                                        "orders_drop", "payments_drop",  "cluster_down"};

const char *early_warning_kind_name(int k)
{
	return k >= 0 && k < EW_N ? KINDS[k] : "?";
}

void early_warning_defaults(ew_opts *o)
{
	memset(o, 0, sizeof *o);
	o->as_of = DATE_NONE;
	o->grade_drop = 2;
	o->score_drop = 40;
	o->fact_lookback = 30;
	o->pay_recent = 30;
	o->pay_before = 90;
	o->pay_drop_pct = 50;
	o->cluster_k = 3;
	o->cluster_window = 30;
}

typedef struct {
	char client[STORE_ID_MAX];
	char officer[STORE_ID_MAX], branch[STORE_ID_MAX];
	int64_t main_out;
	char currency[4]; /* of the account with the largest outstanding: the payments compared */
	int64_t paid_recent, paid_before, due_recent;
	int grade_now, grade_then; /* indexes in the model's grades, -1 when none */
} ew_client;

typedef struct {
	const ew_opts *o;
	ew_client *c;
	size_t n, cap;
	ledger_buf buf;
	char err[256];
	/* alerts to raise */
	store_alert *al;
	size_t n_al, cap_al;
} ew_ctx;

static int push_alert(ew_ctx *x, const store_alert *a)
{
	if (x->n_al == x->cap_al) {
		size_t nc = x->cap_al ? x->cap_al * 2 : 64;
		void *p = realloc(x->al, sizeof *x->al * nc);
		if (!p) return -1;
		x->al = p;
		x->cap_al = nc;
	}
	x->al[x->n_al++] = *a;
	return 0;
}

static ew_client *find_client(ew_ctx *x, const char *id)
{
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(x->c[mid].client, id);
		if (!c) return &x->c[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- read: one scan of every account in client order ------------------------------------------- */
static int scan_one(void *vc, const store_account *a, const uint8_t *blob, size_t len)
{
	ew_ctx *x = vc;
	const ew_opts *o = x->o;
	civil_day d = o->as_of;
	if (a->start_on == DATE_NONE || a->start_on > d) return 0;
	if (ledger_buf_decode(&x->buf, blob, len)) {
		snprintf(x->err, sizeof x->err, "account %s: corrupt ledger data", a->ext_id);
		return -1;
	}
	ledger_account acct = {.start_on = a->start_on, .written_off_on = a->written_off_on};
	ledger_state st;
	if (ledger_state_as_of(&acct, x->buf.ob, x->buf.n_ob, x->buf.pay, x->buf.n_pay, &ALLOC_DEFAULT, d,
	                       NULL, &st)) {
		snprintf(x->err, sizeof x->err, "account %s: invalid ledger", a->ext_id);
		return -1;
	}
	if (st.status != ACCOUNT_ACTIVE) return 0;
	ew_client *c = x->n ? &x->c[x->n - 1] : NULL;
	if (!c || strcmp(c->client, a->client_ext_id) != 0) {
		if (x->n == x->cap) {
			size_t nc = x->cap ? x->cap * 2 : 256;
			void *p = realloc(x->c, sizeof *x->c * nc);
			if (!p) {
				snprintf(x->err, sizeof x->err, "out of memory");
				return -1;
			}
			x->c = p;
			x->cap = nc;
		}
		c = &x->c[x->n++];
		memset(c, 0, sizeof *c);
		snprintf(c->client, sizeof c->client, "%s", a->client_ext_id);
		c->main_out = -1;
		c->grade_now = c->grade_then = -1;
	}
	if (st.outstanding_principal > c->main_out) {
		if (strcmp(c->currency, a->currency) != 0)
			c->paid_recent = c->paid_before = c->due_recent = 0;
		c->main_out = st.outstanding_principal;
		snprintf(c->officer, sizeof c->officer, "%s", a->officer);
		snprintf(c->branch, sizeof c->branch, "%s", a->branch);
		snprintf(c->currency, sizeof c->currency, "%s", a->currency);
	}
	if (strcmp(c->currency, a->currency) != 0) return 0;
	civil_day r0 = d - o->pay_recent, b0 = r0 - o->pay_before;
	for (int i = 0; i < x->buf.n_pay; i++) {
		const ledger_payment *p = &x->buf.pay[i];
		if (p->paid_on > d || (p->reversed_on != DATE_NONE && p->reversed_on <= d)) continue;
		if (p->paid_on > r0)
			c->paid_recent += p->amount;
		else if (p->paid_on > b0)
			c->paid_before += p->amount;
	}
	for (int i = 0; i < x->buf.n_ob; i++)
		if (x->buf.ob[i].due_on > r0 && x->buf.ob[i].due_on <= d)
			for (int k = 0; k < COMP_N; k++)
				c->due_recent += x->buf.ob[i].amount[k];
	return 0;
}

static void route(ew_ctx *x, store_alert *a, const char *client)
{
	ew_client *c = find_client(x, client);
	risk_alert_route_one(a, c ? c->officer : "", c ? c->branch : "");
}

static void base_alert(store_alert *a, int kind, const char *client, civil_day d, const char *severity)
{
	memset(a, 0, sizeof *a);
	snprintf(a->kind, sizeof a->kind, "%s", KINDS[kind]);
	snprintf(a->client_ext_id, sizeof a->client_ext_id, "%s", client);
	snprintf(a->severity, sizeof a->severity, "%s", severity);
	snprintf(a->status, sizeof a->status, "open");
	a->day = d;
}

/* --- scoring ----------------------------------------------------------------------------------- */
static int grade_index(const sc_model *m, const char *g)
{
	for (int i = 0; i < m->n_grades; i++)
		if (strcmp(m->grades[i].name, g) == 0) return i;
	return -1;
}

/* "name=value:points_x100;" for every used variable; reasons: the three lowest points. */
static void describe(const sc_model *m, const sc_column *cols, size_t row, const uint8_t *bins, char *vars,
                     size_t vcap, char *reasons, size_t rcap)
{
	size_t l = 0;
	vars[0] = reasons[0] = 0;
	int worst[3] = {-1, -1, -1};
	for (int j = 0; j < m->n_vars; j++) {
		if (!m->vars[j].used) continue;
		double pts = m->vars[j].bins[bins[j]].points;
		char val[64];
		if (m->vars[j].categorical) {
			int32_t code = cols[j].code ? cols[j].code[row] : -1;
			snprintf(val, sizeof val, "%s", code >= 0 ? cols[j].levels[code] : "NA");
		} else {
			double v = cols[j].x ? cols[j].x[row] : NAN;
			if (isnan(v))
				snprintf(val, sizeof val, "NA");
			else
				snprintf(val, sizeof val, "%.10g", v);
		}
		int w = snprintf(vars + l, vcap - l, "%s=%s:%lld;", m->vars[j].name, val,
		                 (long long)llround(pts * 100));
		if (w > 0 && (size_t)w < vcap - l) l += (size_t)w;
		for (int k = 0; k < 3; k++)
			if (worst[k] < 0 || pts < m->vars[worst[k]].bins[bins[worst[k]]].points) {
				for (int z = 2; z > k; z--)
					worst[z] = worst[z - 1];
				worst[k] = j;
				break;
			}
	}
	size_t rl = 0;
	for (int k = 0; k < 3 && worst[k] >= 0; k++) {
		const sc_var *v = &m->vars[worst[k]];
		int w = snprintf(reasons + rl, rcap - rl, "%s%s %s (%.2f points)", k ? "; " : "", v->name,
		                 v->bins[bins[worst[k]]].label, v->bins[bins[worst[k]]].points);
		if (w > 0 && (size_t)w < rcap - rl) rl += (size_t)w;
	}
}

/* The points (x100) and value of a variable in a "variables" text; 0 when absent. */
static int var_in(const char *vars, const char *name, char *val, size_t cap, long long *pts)
{
	size_t n = strlen(name);
	for (const char *p = vars; p && *p;) {
		const char *end = strchr(p, ';');
		if (!end) break;
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			const char *colon = memchr(p, ':', (size_t)(end - p));
			const char *v = p + n + 1;
			if (!colon) return 0;
			snprintf(val, cap, "%.*s", (int)(colon - v), v);
			*pts = atoll(colon + 1);
			return 1;
		}
		p = end + 1;
	}
	return 0;
}

/* The variables whose points fell, largest fall first (at most 5), as readable text and JSON. */
static void moved(const char *before, const char *now, char *txt, size_t tcap, char *json, size_t jcap)
{
	typedef struct {
		char name[64], from[64], to[64];
		long long fall;
	} mv;
	mv top[5];
	int n = 0;
	for (const char *p = now; *p;) {
		const char *eq = strchr(p, '='), *end = strchr(p, ';');
		if (!eq || !end || eq > end) break;
		char name[64], vnow[64], vbefore[64];
		snprintf(name, sizeof name, "%.*s", (int)(eq - p), p);
		long long pn = 0, pb = 0;
		if (var_in(now, name, vnow, sizeof vnow, &pn) &&
		    var_in(before, name, vbefore, sizeof vbefore, &pb) && pn < pb) {
			mv m = {.fall = pb - pn};
			snprintf(m.name, sizeof m.name, "%s", name);
			snprintf(m.from, sizeof m.from, "%s", vbefore);
			snprintf(m.to, sizeof m.to, "%s", vnow);
			int k;
			if (n < 5)
				k = n++;
			else if (top[4].fall >= m.fall)
				goto next;
			else
				k = 4;
			top[k] = m;
			while (k > 0 && top[k].fall > top[k - 1].fall) {
				mv t = top[k];
				top[k] = top[k - 1];
				top[k - 1] = t;
				k--;
			}
		}
	next:
		p = end + 1;
	}
	size_t tl = 0, jl = 0;
	txt[0] = 0;
	jl = (size_t)snprintf(json, jcap, "[");
	for (int k = 0; k < n; k++) {
		int w = snprintf(txt + tl, tcap - tl, "%s%s %s -> %s (-%lld.%02lld points)", k ? ", " : "",
		                 top[k].name, top[k].from, top[k].to, top[k].fall / 100, top[k].fall % 100);
		if (w > 0 && (size_t)w < tcap - tl) tl += (size_t)w;
		w = snprintf(
		    json + jl, jcap - jl,
		    "%s{\"variable\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"points_lost\":%lld.%02lld}",
		    k ? "," : "", top[k].name, top[k].from, top[k].to, top[k].fall / 100, top[k].fall % 100);
		if (w > 0 && (size_t)w < jcap - jl) jl += (size_t)w;
	}
	if (jl + 2 <= jcap) snprintf(json + jl, jcap - jl, "]");
}

typedef struct {
	store_risk_score *rows;
	size_t n;
} score_set;

static int score_all(store *s, ew_ctx *x, score_set *out, char *err, size_t errcap)
{
	const ew_opts *o = x->o;
	const sc_model *m = o->model;
	behaviour_opts bo = {.as_of = o->as_of, .horizon = 0, .order = ALLOC_DEFAULT};
	behaviour_stats bst;
	dataset *d = NULL;
	if (behaviour_dataset(s, &bo, &d, &bst, err, errcap)) return -1;
	int rc = -1;
	size_t nv = (size_t)m->n_vars, nr = d->n_rows;
	sc_column *cols = calloc(nv ? nv : 1, sizeof *cols);
	double *score = malloc(sizeof *score * (nr ? nr : 1));
	uint8_t *bins = malloc(nv * (nr ? nr : 1) + 1);
	out->rows = calloc(nr ? nr : 1, sizeof *out->rows);
	out->n = 0;
	if (!cols || !score || !bins || !out->rows) {
		snprintf(err, errcap, "out of memory");
		goto done;
	}
	for (size_t j = 0; j < nv; j++) {
		cols[j].name = m->vars[j].name;
		cols[j].categorical = m->vars[j].categorical;
		int c = dataset_find(d, m->vars[j].name);
		if (c < 0 && m->vars[j].used) {
			snprintf(err, errcap,
			         "the model uses %s, which is not a behavioural variable (docs/scoring.md)",
			         m->vars[j].name);
			goto done;
		}
		if (c < 0) continue;
		cols[j].x = d->cols[c].num;
		cols[j].code = d->cols[c].code;
		cols[j].n_levels = d->cols[c].n_levels;
		cols[j].levels = (const char *const *)d->cols[c].levels;
	}
	if (sc_score_columns(m, cols, nr, score, bins)) {
		snprintf(err, errcap, "the behavioural data do not fit the model");
		goto done;
	}
	int ic = dataset_find(d, BH_ID);
	for (size_t i = 0; i < nr; i++) {
		store_risk_score *r = &out->rows[out->n++];
		snprintf(r->client_ext_id, sizeof r->client_ext_id, "%s", dataset_text(d, ic, i));
		r->day = o->as_of;
		snprintf(r->model, sizeof r->model, "%s", o->model_name);
		r->score_x100 = llround(score[i] * 100);
		snprintf(r->grade, sizeof r->grade, "%s", m->grades[sc_grade_of(m, score[i])].name);
		r->pd_ppm = llround(sc_prob_bad(m, score[i]) * 1e6);
		describe(m, cols, i, bins + i * nv, r->variables, sizeof r->variables, r->reasons,
		         sizeof r->reasons);
	}
	rc = 0;
done:
	free(cols);
	free(score);
	free(bins);
	dataset_free(d);
	return rc;
}

static int by_client(const void *a, const void *b)
{
	return strcmp(((const store_risk_score *)a)->client_ext_id, ((const store_risk_score *)b)->client_ext_id);
}

typedef struct {
	ew_ctx *x;
	score_set *ss;
	int oom;
} gd_ctx;

/* One client's previous score (from the bulk read) against today's: a grade_down alert when the
 * grade fell by grade_drop grades or more, or the score by score_drop points or more. */
static int grade_down_one(void *vc, const store_risk_score *prev)
{
	gd_ctx *g = vc;
	ew_ctx *x = g->x;
	const ew_opts *o = x->o;
	const sc_model *m = o->model;
	store_risk_score *r = bsearch(prev, g->ss->rows, g->ss->n, sizeof *g->ss->rows, by_client);
	if (!r) return 0;
	int gnew = grade_index(m, r->grade), gold = grade_index(m, prev->grade);
	int by_grade = gnew >= 0 && gold >= 0 && gnew - gold >= o->grade_drop;
	int by_score = prev->score_x100 - r->score_x100 >= (int64_t)o->score_drop * 100;
	if (!by_grade && !by_score) return 0;
	store_alert a;
	char day[16], pday[16], txt[400], js[1200];
	date_format(o->as_of, day, sizeof day);
	date_format(prev->day, pday, sizeof pday);
	moved(prev->variables, r->variables, txt, sizeof txt, js, sizeof js);
	base_alert(&a, EW_GRADE_DOWN, r->client_ext_id, o->as_of, gnew - gold >= 2 ? "critical" : "warning");
	snprintf(a.dedupe_key, sizeof a.dedupe_key, "grade_down:%s:%s:%s", r->client_ext_id, o->model_name, day);
	snprintf(a.reason, sizeof a.reason, "grade %s -> %s, score %lld.%02lld -> %lld.%02lld since %s: %s",
	         prev->grade, r->grade, (long long)(prev->score_x100 / 100),
	         (long long)llabs(prev->score_x100 % 100), (long long)(r->score_x100 / 100),
	         (long long)llabs(r->score_x100 % 100), pday, txt[0] ? txt : "no single variable moved");
	snprintf(a.details, sizeof a.details,
	         "{\"model\":\"%s\",\"from\":{\"day\":\"%s\",\"grade\":\"%s\",\"score_x100\":%lld},"
	         "\"to\":{\"day\":\"%s\",\"grade\":\"%s\",\"score_x100\":%lld},\"moved\":%s}",
	         o->model_name, pday, prev->grade, (long long)prev->score_x100, day, r->grade,
	         (long long)r->score_x100, js);
	route(x, &a, r->client_ext_id);
	if (push_alert(x, &a)) {
		g->oom = 1;
		return -1;
	}
	return 0;
}

/* grade_down: every client's previous score in one ordered query (store_risk_scores_before), each
 * matched to today's row by binary search: no query per client. */
static int grade_downs(store *s, ew_ctx *x, score_set *ss, char *err, size_t errcap)
{
	const sc_model *m = x->o->model;
	qsort(ss->rows, ss->n, sizeof *ss->rows, by_client);
	for (size_t i = 0; i < ss->n; i++) {
		ew_client *c = find_client(x, ss->rows[i].client_ext_id);
		if (c) c->grade_now = grade_index(m, ss->rows[i].grade);
	}
	gd_ctx g = {x, ss, 0};
	if (store_risk_scores_before(s, x->o->model_name, x->o->as_of, grade_down_one, &g) != STORE_OK) {
		snprintf(err, errcap, "previous scores: %s", g.oom ? "out of memory" : store_errmsg(s));
		return -1;
	}
	return 0;
}

/* --- grade of every client cluster_window days ago, for cluster_down ---------------------------- */
typedef struct {
	ew_ctx *x;
	const sc_model *m;
} then_ctx;

static int grade_then(void *vc, const char *client, const char *grade, civil_day on)
{
	then_ctx *t = vc;
	(void)on;
	ew_client *c = find_client(t->x, client);
	if (c) c->grade_then = grade_index(t->m, grade);
	return 0;
}

typedef struct {
	char key[STORE_ID_MAX + 8]; /* "group:G" or "officer:O" */
	char branch[STORE_ID_MAX];
	int many_branches;
	int n;
	char members[1024];
} cluster;

typedef struct {
	ew_ctx *x;
	cluster *cl;
	int n, cap;
} cluster_ctx;

static cluster *cluster_of(cluster_ctx *cc, const char *key)
{
	for (int i = 0; i < cc->n; i++)
		if (strcmp(cc->cl[i].key, key) == 0) return &cc->cl[i];
	if (cc->n == cc->cap) {
		int nc = cc->cap ? cc->cap * 2 : 16;
		void *p = realloc(cc->cl, sizeof *cc->cl * (size_t)nc);
		if (!p) return NULL;
		cc->cl = p;
		cc->cap = nc;
	}
	cluster *c = &cc->cl[cc->n++];
	memset(c, 0, sizeof *c);
	snprintf(c->key, sizeof c->key, "%s", key);
	return c;
}

static void cluster_add(cluster_ctx *cc, const char *key, const ew_client *c)
{
	cluster *k = cluster_of(cc, key);
	if (!k) return;
	if (k->n == 0)
		snprintf(k->branch, sizeof k->branch, "%s", c->branch);
	else if (strcmp(k->branch, c->branch) != 0)
		k->many_branches = 1;
	k->n++;
	size_t l = strlen(k->members);
	snprintf(k->members + l, sizeof k->members - l, "%s%s", l ? "," : "", c->client);
}

static int cluster_group(void *vc, const char *client, const char *group)
{
	cluster_ctx *cc = vc;
	ew_client *c = find_client(cc->x, client);
	if (c && c->grade_now >= 0 && c->grade_then >= 0 && c->grade_now > c->grade_then) {
		char key[STORE_ID_MAX + 8];
		snprintf(key, sizeof key, "group:%s", group);
		cluster_add(cc, key, c);
	}
	return 0;
}

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int clusters(store *s, ew_ctx *x)
{
	const ew_opts *o = x->o;
	then_ctx t = {x, o->model};
	if (store_risk_grades_as_of(s, o->as_of - o->cluster_window, grade_then, &t) != STORE_OK) return -1;
	cluster_ctx cc = {.x = x};
	for (size_t i = 0; i < x->n; i++) {
		ew_client *c = &x->c[i];
		if (c->officer[0] && c->grade_now >= 0 && c->grade_then >= 0 &&
		    c->grade_now > c->grade_then) {
			char key[STORE_ID_MAX + 8];
			snprintf(key, sizeof key, "officer:%s", c->officer);
			cluster_add(&cc, key, c);
		}
	}
	if (store_risk_groups_each(s, cluster_group, &cc) != STORE_OK) {
		free(cc.cl);
		return -1;
	}
	char day[16];
	date_format(o->as_of, day, sizeof day);
	for (int i = 0; i < cc.n; i++) {
		cluster *k = &cc.cl[i];
		if (k->n < o->cluster_k) continue;
		store_alert a;
		base_alert(&a, EW_CLUSTER, "", o->as_of, "critical");
		/* the same set of clients is the same alert; one more client makes a new one */
		snprintf(a.dedupe_key, sizeof a.dedupe_key, "cluster_down:%s:%016llx", k->key,
		         (unsigned long long)fnv(k->members));
		snprintf(a.reason, sizeof a.reason,
		         "%d clients of %.80s graded worse than %d days earlier: %.300s", k->n, k->key,
		         o->cluster_window, k->members);
		snprintf(a.details, sizeof a.details,
		         "{\"scope\":\"%s\",\"clients\":%d,\"window_days\":%d,\"day\":\"%s\"}", k->key, k->n,
		         o->cluster_window, day);
		risk_alert_route_many(&a, k->many_branches ? NULL : k->branch);
		push_alert(x, &a);
	}
	free(cc.cl);
	return 0;
}

/* --- facts, payments, limits ------------------------------------------------------------------- */
typedef struct {
	ew_ctx *x;
	int kind;
} fact_ctx;

static int fact_alert(void *vc, const store_risk_fact *f)
{
	fact_ctx *fc = vc;
	store_alert a;
	char day[16];
	date_format(f->fact_on, day, sizeof day);
	base_alert(&a, fc->kind, f->client_ext_id, fc->x->o->as_of,
	           fc->kind == EW_LEGAL ? "critical" : "warning");
	snprintf(a.dedupe_key, sizeof a.dedupe_key, "%s:fact:%lld", KINDS[fc->kind], (long long)f->id);
	snprintf(a.reason, sizeof a.reason, "%.60s on %s%s%.300s%s%.60s", f->kind, day,
	         f->text[0] ? ": " : "", f->text, f->source[0] ? " (source: " : "",
	         f->source[0] ? f->source : "");
	if (f->source[0]) strncat(a.reason, ")", sizeof a.reason - strlen(a.reason) - 1);
	snprintf(a.details, sizeof a.details,
	         "{\"fact_id\":%lld,\"kind\":\"%s\",\"fact_on\":\"%s\",\"value\":%lld}", (long long)f->id,
	         f->kind, day, (long long)f->value);
	route(fc->x, &a, f->client_ext_id);
	return push_alert(fc->x, &a);
}

static void payment_drops(ew_ctx *x)
{
	const ew_opts *o = x->o;
	char day[16];
	date_format(o->as_of, day, sizeof day);
	for (size_t i = 0; i < x->n; i++) {
		ew_client *c = &x->c[i];
		if (c->paid_before <= 0 || c->due_recent <= 0) continue;
		/* recent / R < (100 - pct)% of before / B, in integers (128-bit products) */
		__int128 lhs = (__int128)c->paid_recent * o->pay_before * 100;
		__int128 rhs = (__int128)c->paid_before * o->pay_recent * (100 - o->pay_drop_pct);
		if (lhs >= rhs) continue;
		store_alert a;
		base_alert(&a, EW_PAYMENTS, c->client, o->as_of, "warning");
		snprintf(a.dedupe_key, sizeof a.dedupe_key, "payments_drop:%s:%s", c->client, day);
		const currency_info *ci = currency_find(c->currency, strlen(c->currency));
		int ex = ci ? ci->exponent : 0;
		char recent[40], before[40], due[40];
		money_format(c->paid_recent, ex, recent, sizeof recent);
		money_format(c->paid_before, ex, before, sizeof before);
		money_format(c->due_recent, ex, due, sizeof due);
		snprintf(a.reason, sizeof a.reason,
		         "payments of the last %d days %s %s against %s %s in the %d days before, while %s %s fell due",
		         o->pay_recent, recent, c->currency, before, c->currency, o->pay_before, due, c->currency);
		snprintf(a.details, sizeof a.details,
		         "{\"currency\":\"%s\",\"paid_recent\":%lld,\"recent_days\":%d,\"paid_before\":%lld,"
		         "\"before_days\":%d,\"due_recent\":%lld,\"drop_pct\":%d}",
		         c->currency, (long long)c->paid_recent, o->pay_recent, (long long)c->paid_before,
		         o->pay_before, (long long)c->due_recent, o->pay_drop_pct);
		risk_alert_route_one(&a, c->officer, c->branch);
		push_alert(x, &a);
	}
}

typedef struct {
	store_risk_subject k;
	char subject[STORE_ID_MAX];
} subj;
typedef struct {
	subj *v;
	int n, cap;
} subj_list;

static int subj_push(void *vc, const store_risk_limit *l)
{
	subj_list *sl = vc;
	if (!l->effective) return 0;
	if (sl->n && sl->v[sl->n - 1].k == l->subject_kind &&
	    strcmp(sl->v[sl->n - 1].subject, l->subject) == 0)
		return 0;
	if (sl->n == sl->cap) {
		int nc = sl->cap ? sl->cap * 2 : 16;
		void *p = realloc(sl->v, sizeof *sl->v * (size_t)nc);
		if (!p) return -1;
		sl->v = p;
		sl->cap = nc;
	}
	sl->v[sl->n].k = l->subject_kind;
	snprintf(sl->v[sl->n].subject, sizeof sl->v[sl->n].subject, "%s", l->subject);
	sl->n++;
	return 0;
}

static int limits(store *s, ew_ctx *x, char *err, size_t errcap)
{
	subj_list sl = {0};
	if (store_risk_limits_each(s, subj_push, &sl) != STORE_OK) {
		snprintf(err, errcap, "limits: %s", store_errmsg(s));
		free(sl.v);
		return -1;
	}
	for (int i = 0; i < sl.n; i++) {
		exposure e;
		int r = sl.v[i].k == RISK_SUBJECT_GROUP
		            ? exposure_group(s, sl.v[i].subject, x->o->as_of, &e, err, errcap)
		            : exposure_client(s, sl.v[i].subject, x->o->as_of, &e, err, errcap);
		if (r) {
			free(sl.v);
			return -1;
		}
		for (int j = 0; j < e.n; j++) {
			if (!e.line[j].has_limit || e.line[j].total <= e.line[j].limit.amount) continue;
			exposure_breach b = {.kind = sl.v[i].k, .day = x->o->as_of, .line = e.line[j]};
			snprintf(b.subject, sizeof b.subject, "%s", sl.v[i].subject);
			if (sl.v[i].k == RISK_SUBJECT_CLIENT)
				snprintf(b.client_ext_id, sizeof b.client_ext_id, "%s", b.subject);
			snprintf(b.officer, sizeof b.officer, "%s", e.officer);
			snprintf(b.branch, sizeof b.branch, "%s", e.branch);
			b.many_branches = e.many_branches;
			store_alert a;
			exposure_breach_alert(&b, &a);
			if (push_alert(x, &a)) {
				snprintf(err, errcap, "out of memory");
				free(sl.v);
				return -1;
			}
		}
	}
	free(sl.v);
	return 0;
}

/* The refresh's audit entry: action risk.refresh, object day:D, details the counts. */
static store_rc audit(store *s, const ew_opts *o, const ew_stats *st)
{
	store_audit_entry e;
	memset(&e, 0, sizeof e);
	e.day = o->as_of;
	snprintf(e.actor, sizeof e.actor, "%s", o->actor);
	snprintf(e.action, sizeof e.action, "risk.refresh");
	char day[16];
	date_format(o->as_of, day, sizeof day);
	snprintf(e.object, sizeof e.object, "day:%s", day);
	size_t l = (size_t)snprintf(e.details, sizeof e.details, "{\"model\":\"");
	for (const char *p = o->model ? o->model_name : ""; *p && l + 8 < sizeof e.details; p++)
		if (*p == '"' || *p == '\\')
			l += (size_t)snprintf(e.details + l, sizeof e.details - l, "\\%c", *p);
		else if ((unsigned char)*p >= 0x20)
			e.details[l++] = *p;
	l += (size_t)snprintf(e.details + l, sizeof e.details - l, "\",\"clients\":%ld,\"scored\":%ld,\"known\":%ld",
	                      st->clients, st->scored, st->known);
	for (int k = 0; k < EW_N && l < sizeof e.details; k++)
		l += (size_t)snprintf(e.details + l, sizeof e.details - l, ",\"%s\":%ld", KINDS[k], st->raised[k]);
	if (l < sizeof e.details) snprintf(e.details + l, sizeof e.details - l, "}");
	return store_audit_append(s, &e);
}

int early_warning_refresh(store *s, const ew_opts *o, const risk_alert_sink *sink, ew_stats *st, char *err,
                          size_t errcap)
{
	memset(st, 0, sizeof *st);
	ew_ctx x = {.o = o};
	score_set ss = {0};
	int rc = -1;
	store_scan_filter f = {.kind = -1, .by_client = 1};
	if (store_scan(s, &f, scan_one, &x) != STORE_OK) {
		snprintf(err, errcap, "%s", x.err[0] ? x.err : store_errmsg(s));
		goto out;
	}
	st->clients = (long)x.n;
	if (o->model) {
		if (score_all(s, &x, &ss, err, errcap)) goto out;
		if (grade_downs(s, &x, &ss, err, errcap)) goto out;
		if (clusters(s, &x)) {
			snprintf(err, errcap, "grades: %s", store_errmsg(s));
			goto out;
		}
	}
	for (int k = EW_LEGAL; k <= EW_ORDERS; k++) {
		fact_ctx fc = {&x, k};
		store_risk_fact_filter ff = {.kind = k == EW_LEGAL ? "legal_proceeding" : "orders_drop",
		                             .from = o->as_of - o->fact_lookback + 1,
		                             .to = o->as_of};
		if (store_risk_facts_each(s, &ff, fact_alert, &fc) != STORE_OK) {
			snprintf(err, errcap, "facts: %s", store_errmsg(s));
			goto out;
		}
	}
	payment_drops(&x);
	if (limits(s, &x, err, errcap)) goto out;

	/* write */
	if (store_begin(s) != STORE_OK) {
		snprintf(err, errcap, "%s", store_errmsg(s));
		goto out;
	}
	for (size_t i = 0; i < ss.n; i++)
		if (store_risk_score_put(s, &ss.rows[i]) != STORE_OK) {
			snprintf(err, errcap, "score_history: %s", store_errmsg(s));
			goto rollback;
		}
	st->scored = (long)ss.n;
	/* a client whose grade changed: its accounts are due today (their policy segment may change) */
	if (ss.n && store_schema_version(s) >= 3 && store_risk_touch_regraded(s, o->model_name, o->as_of) != STORE_OK) {
		snprintf(err, errcap, "grade changes: %s", store_errmsg(s));
		goto rollback;
	}
	for (size_t i = 0; i < x.n_al; i++) {
		store_put res = PUT_INSERTED;
		if (sink && sink->raise(sink->ctx, s, &x.al[i], &res)) {
			snprintf(err, errcap, "raising an alert: %s", store_errmsg(s));
			goto rollback;
		}
		if (res == PUT_UNCHANGED) {
			st->known++;
			continue;
		}
		for (int k = 0; k < EW_N; k++)
			if (strcmp(x.al[i].kind, KINDS[k]) == 0) st->raised[k]++;
	}
	if (o->actor && audit(s, o, st) != STORE_OK) {
		snprintf(err, errcap, "audit log: %s", store_errmsg(s));
		goto rollback;
	}
	if (store_commit(s) != STORE_OK) {
		snprintf(err, errcap, "commit: %s", store_errmsg(s));
		goto rollback;
	}
	rc = 0;
	goto out;
rollback:
	store_rollback(s);
out:
	free(x.c);
	free(x.al);
	free(ss.rows);
	ledger_buf_free(&x.buf);
	return rc;
}

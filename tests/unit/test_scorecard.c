/* test_scorecard.c: unit tests of the scorecard engine (src/core/scorecard.c), the data set reader
 * (src/io/dataset.c) and the model file (src/io/model_file.c).
 * Data sets are generated with a known true logistic model from a seeded PRNG (splitmix64): the
 * fitted scorecard must rank the held-out rows almost as well as the true model does (AUC within
 * 0.015 of the true model's AUC on the same rows). Then the edge cases: constant, duplicated
 * (perfectly collinear) and all-missing columns, a dummy column for every level, a perfectly
 * separating column, a tiny data set, unseen categories, one class, no rows, l2 = 0 on collinear
 * columns; AUC/KS with ties against hand-worked values; scaling identities; grade parsing; the
 * CSV reader's detection and errors (target not 0/1, NaN/inf text, empty file, short rows); and the
 * model file's exact round trip and its refusals. */
#include "core/scorecard.h"
#include "io/dataset.h"
#include "io/model_file.h"
#include "t.h"

#include <math.h>
#include <stdlib.h>

/* ---- deterministic random numbers ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double unif(void)
{
	return ((double)(rnd() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

/* T_EQ_INT and T_EQ_STR with a formatted name */
#define EQ_INTF(got, want, fmt, ...)                                                                         \
	do {                                                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);                                     \
		T_OK(g_ == w_, fmt ": got %lld, want %lld", __VA_ARGS__, g_, w_);                            \
	} while (0)
#define EQ_STRF(got, want, fmt, ...)                                                                         \
	do {                                                                                                 \
		const char *g_ = (got), *w_ = (want);                                                        \
		T_OK(g_ &&w_ &&strcmp(g_, w_) == 0, fmt ": got \"%s\", want \"%s\"", __VA_ARGS__,            \
		     g_ ? g_ : "(null)", w_ ? w_ : "(null)");                                                \
	} while (0)

static double sigmoid(double z)
{
	return 1 / (1 + exp(-z));
}

/* ---- a generated data set ---- */

enum { NV = 6 };
static const char *const CAT_LEVELS[] = {"retail", "farming", "services", "transport", "crafts"};
static const double CAT_EFFECT[] = {0.0, 0.6, -0.4, 0.9, 0.2};

typedef struct {
	size_t n;
	double *x[NV]; /* numeric columns (x[3] unused: categorical) */
	int32_t *code; /* categorical column 3 */
	unsigned char *y;
	double *eta; /* true linear predictor */
	unsigned char *train;
	sc_column cols[NV];
} gen;

/* Columns: income (linear, strong), age (U-shaped), seniority (linear, 10% missing, missing is
 * risky), sector (categorical, one rare level under 2%), noise (no effect), income_copy (when
 * dup is set: the same as income, else an independent normal). */
static void gen_make(gen *g, size_t n, uint64_t seed, int dup)
{
	rng_state = seed;
	g->n = n;
	for (int j = 0; j < NV; j++)
		g->x[j] = malloc(sizeof(double) * n);
	g->code = malloc(sizeof(int32_t) * n);
	g->y = malloc(n);
	g->eta = malloc(sizeof(double) * n);
	g->train = malloc(n);
	for (size_t i = 0; i < n; i++) {
		double income = normal(), age = 18 + 50 * unif(), sen = 20 * unif(), noise = normal();
		int miss = unif() < 0.10;
		double u = unif();
		int32_t c = u < 0.40 ? 0 : u < 0.65 ? 1 : u < 0.85 ? 2 : u < 0.985 ? 3 : 4; /* crafts: 1.5% */
		double eta =
		    -1.2 - 0.9 * income + 0.002 * (age - 42) * (age - 42) - 0.08 * sen + CAT_EFFECT[c];
		if (miss) eta = -1.2 - 0.9 * income + 0.002 * (age - 42) * (age - 42) + 0.7 + CAT_EFFECT[c];
		g->x[0][i] = income;
		g->x[1][i] = round(age);
		g->x[2][i] = miss ? NAN : round(sen * 10) / 10;
		g->x[3][i] = NAN;
		g->code[i] = c;
		g->x[4][i] = noise;
		g->x[5][i] = dup ? income : normal();
		g->eta[i] = eta;
		g->y[i] = unif() < sigmoid(eta);
		g->train[i] = i % 2 == 0;
	}
	static const char *const names[NV] = {"income", "age", "seniority", "sector", "noise", "income_copy"};
	for (int j = 0; j < NV; j++) {
		g->cols[j] = (sc_column){names[j], 0, g->x[j], NULL, 0, NULL};
	}
	g->cols[3] = (sc_column){"sector", 1, NULL, g->code, 5, CAT_LEVELS};
}

static void gen_free(gen *g)
{
	for (int j = 0; j < NV; j++)
		free(g->x[j]);
	free(g->code);
	free(g->y);
	free(g->eta);
	free(g->train);
}

/* AUC on the rows where use[i] == want, of a score (higher = less risky). */
static double auc_of(const double *score, const unsigned char *y, const unsigned char *use, int want,
                     size_t n)
{
	double *s = malloc(sizeof(double) * n);
	unsigned char *b = malloc(n);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (use[i] == want) s[k] = score[i], b[k++] = y[i];
	double a = NAN;
	sc_auc(s, b, k, &a);
	free(s);
	free(b);
	return a;
}

static sc_model *train_gen(gen *g, const sc_params *p, int ncols)
{
	char msg[256];
	sc_model *m = NULL;
	sc_err e = sc_train(g->cols, ncols, g->y, g->train, g->n, p, &m, msg, sizeof msg);
	T_EQ_INT(e, SC_OK, "train on generated data");
	if (e) printf("# %s\n", msg);
	return m;
}

static double *score_all(const sc_model *m, const sc_column *cols, size_t n)
{
	double *s = malloc(sizeof(double) * n);
	T_EQ_INT(sc_score_columns(m, cols, n, s, NULL), SC_OK, "score columns");
	return s;
}

static void test_recovery(void)
{
	gen g;
	size_t n = 40000;
	gen_make(&g, n, 42, 0);
	double *neg_eta = malloc(sizeof(double) * n);
	for (size_t i = 0; i < n; i++)
		neg_eta[i] = -g.eta[i];
	double true_auc = auc_of(neg_eta, g.y, g.train, 0, n);
	sc_params p;
	sc_params_default(&p);
	p.monotonic = 0; /* age has a U shape */
	sc_model *m = train_gen(&g, &p, NV);
	if (!m) return;
	double *s = score_all(m, g.cols, n);
	double fit_auc = auc_of(s, g.y, g.train, 0, n);
	printf("# true model AUC %.4f, fitted scorecard AUC %.4f on %zu test rows\n", true_auc, fit_auc,
	       n / 2);
	T_OK(fit_auc > true_auc - 0.015, "fitted AUC %.4f close to the true model's %.4f", fit_auc, true_auc);
	T_OK(m->train.converged, "IRLS converged");
	/* the informative variables are used with coefficients near -1 (the WoE is the right scale) */
	for (int j = 0; j < 4; j++)
		T_OK(m->vars[j].used && m->vars[j].coef < -0.5 && m->vars[j].coef > -1.6, "%s: coef %.3f",
		     m->vars[j].name, m->vars[j].coef);
	T_OK(m->vars[4].iv < 0.02, "noise has no information value (IV %.4f)", m->vars[4].iv);
	/* the rare sector level is pooled, a new one goes there too */
	const sc_var *sec = &m->vars[3];
	T_OK(sec->other_bin >= 0, "rare sector pooled in (other)");
	T_EQ_INT(sc_bin_of_text(sec, "crafts"), sec->other_bin, "pooled level -> (other)");
	T_EQ_INT(sc_bin_of_text(sec, "mining"), sec->other_bin, "unseen level -> (other)");
	T_EQ_INT(sc_bin_of_text(sec, NULL), sec->missing_bin, "missing level -> (missing)");
	T_EQ_STR(sec->bins[sc_bin_of_text(sec, "farming")].label, "farming", "known level");
	/* seniority: missing is risky and has its own bin with a negative WoE */
	const sc_var *sen = &m->vars[2];
	T_OK(sen->bins[sen->missing_bin].woe < -0.3, "missing seniority WoE %.3f",
	     sen->bins[sen->missing_bin].woe);
	/* scaling identities, on every row: score = offset - factor * logit(P(bad)) */
	int bad_ident = 0;
	uint8_t *bins = malloc((size_t)m->n_vars * n);
	sc_score_columns(m, g.cols, n, s, bins);
	for (size_t i = 0; i < n; i++) {
		double eta = m->intercept;
		for (int j = 0; j < m->n_vars; j++)
			eta += m->vars[j].coef * m->vars[j].bins[bins[i * (size_t)m->n_vars + (size_t)j]].woe;
		double want = m->offset - m->factor * eta;
		if (fabs(s[i] - want) > 1e-9 * fabs(want) ||
		    fabs(sc_prob_bad(m, s[i]) - sigmoid(eta)) > 1e-12)
			bad_ident++;
		if (s[i] != sc_score_bins(m, bins + i * (size_t)m->n_vars)) bad_ident++;
	}
	T_EQ_INT(bad_ident, 0, "score = sum of points = offset - factor * logit, on every row");
	double p0 = sc_prob_bad(m, m->base_score);
	T_OK(fabs((1 - p0) / p0 - m->base_odds) < 1e-9, "base score has the base odds");
	double p1 = sc_prob_bad(m, m->base_score + m->pdo);
	T_OK(fabs((1 - p1) / p1 - 2 * m->base_odds) < 1e-9, "pdo more points double the odds");
	/* metrics on the test rows */
	size_t k = 0;
	double *ts = malloc(sizeof(double) * n);
	unsigned char *ty = malloc(n);
	for (size_t i = 0; i < n; i++)
		if (!g.train[i]) ts[k] = s[i], ty[k++] = g.y[i];
	sc_metrics mt;
	T_EQ_INT(sc_evaluate(m, ts, ty, k, &mt), SC_OK, "evaluate");
	T_OK(fabs(mt.auc - fit_auc) < 1e-12 && fabs(mt.gini - (2 * fit_auc - 1)) < 1e-12, "auc and gini");
	int64_t rows = 0, bads = 0, grows = 0;
	double pred = 0;
	for (int c = 0; c < mt.n_calib; c++) {
		rows += mt.calib[c].rows;
		bads += mt.calib[c].bads;
		pred += mt.calib[c].p_mean * (double)mt.calib[c].rows;
		if (c) T_OK(mt.calib[c].p_min >= mt.calib[c - 1].p_max, "deciles in order");
		T_OK(llabs(mt.calib[c].rows - (int64_t)k / 10) <= 1, "deciles of equal counts");
	}
	for (int gr = 0; gr < mt.n_grades; gr++)
		grows += mt.grade[gr].rows;
	T_EQ_INT(rows, (int64_t)k, "calibration covers the rows");
	T_EQ_INT(bads, mt.bads, "calibration covers the bads");
	T_EQ_INT(grows, (int64_t)k, "grades cover the rows");
	T_OK(fabs(pred / (double)k - (double)mt.bads / (double)k) < 0.02,
	     "calibrated on average: %.4f vs %.4f", pred / (double)k, (double)mt.bads / (double)k);
	/* the monotonic default on the same data: still close (age is U-shaped, so a little lower) */
	sc_params pm;
	sc_params_default(&pm);
	sc_model *mm = train_gen(&g, &pm, NV);
	if (mm) {
		double *sm = score_all(mm, g.cols, n);
		double a = auc_of(sm, g.y, g.train, 0, n);
		T_OK(a > true_auc - 0.03, "monotonic scorecard AUC %.4f", a);
		for (int j = 0; j < mm->n_vars; j++) {
			const sc_var *v = &mm->vars[j];
			if (v->categorical || v->n_ranges < 3) continue;
			int up = 0, down = 0;
			for (int b = 1; b < v->n_ranges; b++)
				up |= v->bins[b].woe > v->bins[b - 1].woe,
				    down |= v->bins[b].woe < v->bins[b - 1].woe;
			T_OK(!(up && down), "%s: WoE monotonic over its %d ranges", v->name, v->n_ranges);
		}
		free(sm);
		sc_model_free(mm);
	}
	free(ts);
	free(ty);
	free(bins);
	free(s);
	free(neg_eta);
	sc_model_free(m);
	gen_free(&g);
}

/* ---- edge cases ---- */

static void test_edge_columns(void)
{
	size_t n = 4000;
	gen g;
	gen_make(&g, n, 7, 1); /* income_copy == income: perfectly collinear */
	double *cst = malloc(sizeof(double) * n), *allmiss = malloc(sizeof(double) * n);
	double *d1 = malloc(sizeof(double) * n), *d2 = malloc(sizeof(double) * n),
	       *d3 = malloc(sizeof(double) * n);
	for (size_t i = 0; i < n; i++) {
		cst[i] = 5;
		allmiss[i] = NAN;
		/* a dummy for every group of sector levels: they sum to 1, like the intercept */
		d1[i] = g.code[i] == 0;
		d2[i] = g.code[i] == 1;
		d3[i] = g.code[i] >= 2;
	}
	sc_column cols[NV + 5];
	memcpy(cols, g.cols, sizeof g.cols);
	cols[NV] = (sc_column){"constant", 0, cst, NULL, 0, NULL};
	cols[NV + 1] = (sc_column){"all_missing", 0, allmiss, NULL, 0, NULL};
	cols[NV + 2] = (sc_column){"is_retail", 0, d1, NULL, 0, NULL};
	cols[NV + 3] = (sc_column){"is_farming", 0, d2, NULL, 0, NULL};
	cols[NV + 4] = (sc_column){"is_other", 0, d3, NULL, 0, NULL};
	sc_params p;
	sc_params_default(&p);
	char msg[256];
	sc_model *m = NULL;
	sc_err e = sc_train(cols, NV + 5, g.y, g.train, n, &p, &m, msg, sizeof msg);
	EQ_INTF(e, SC_OK, "rank-deficient columns train: %s", e ? msg : "");
	if (m) {
		T_OK(!m->vars[NV].used && m->vars[NV].note && strstr(m->vars[NV].note, "single bin"),
		     "constant column dropped with a note");
		T_OK(!m->vars[NV + 1].used && m->vars[NV + 1].note && strstr(m->vars[NV + 1].note, "missing"),
		     "all-missing column dropped with a note");
		T_OK(m->vars[0].used && m->vars[5].used, "duplicated column kept: the L2 penalty shares it");
		T_OK(fabs(m->vars[0].coef - m->vars[5].coef) < 1e-6,
		     "duplicates get equal coefficients (%.6f, %.6f)", m->vars[0].coef, m->vars[5].coef);
		int finite = 1;
		for (int j = 0; j < m->n_vars; j++)
			for (int b = 0; b < m->vars[j].n_bins; b++)
				finite &= isfinite(m->vars[j].bins[b].points) && isfinite(m->vars[j].coef);
		T_OK(finite, "every point finite");
		T_OK(m->train.converged, "converged despite collinearity");
		/* the dropped constant column scores nothing and needs no data */
		cols[NV].x = NULL;
		double *s = malloc(sizeof(double) * n);
		T_EQ_INT(sc_score_columns(m, cols, n, s, NULL), SC_OK, "dropped column need not be given");
		free(s);
		cols[NV].x = cst;
		sc_model_free(m);
	}
	/* the same collinear columns without a penalty: a clear error, no crash */
	p.l2 = 0;
	e = sc_train(cols, NV, g.y, g.train, n, &p, &m, msg, sizeof msg);
	T_EQ_INT(e, SC_ERR_SINGULAR, "l2 = 0 on duplicated columns");
	T_OK(strstr(msg, "L2") != NULL, "message suggests L2: %s", msg);
	/* only dropped columns: nothing to learn */
	e = sc_train(cols + NV, 2, g.y, g.train, n, &p, &m, msg, sizeof msg);
	T_EQ_INT(e, SC_ERR_NO_VARIABLE, "constant and all-missing only");
	free(cst);
	free(allmiss);
	free(d1);
	free(d2);
	free(d3);
	gen_free(&g);
}

static void test_separation_and_tiny(void)
{
	/* x < 0 is always bad, x >= 0 always good: perfect separation stays finite */
	enum { N = 600 };
	double x[N];
	unsigned char y[N];
	rng_state = 99;
	for (int i = 0; i < N; i++) {
		x[i] = normal();
		y[i] = x[i] < 0;
	}
	sc_column c = {"separating", 0, x, NULL, 0, NULL};
	sc_params p;
	sc_params_default(&p);
	char msg[256];
	sc_model *m = NULL;
	T_EQ_INT(sc_train(&c, 1, y, NULL, N, &p, &m, msg, sizeof msg), SC_OK, "separating column trains");
	if (m) {
		T_OK(isfinite(m->vars[0].coef) && isfinite(m->intercept), "finite coefficient %.3f",
		     m->vars[0].coef);
		T_OK(m->train.auc > 0.99, "training AUC %.4f", m->train.auc);
		T_OK(sc_prob_bad(m, m->vars[0].bins[0].points) > 0.9, "the bad side scores as bad");
		sc_model_free(m);
	}
	/* tiny data sets: a model or a clear error, never a crash */
	double tx[6] = {1, 2, 3, 4, 5, 6};
	unsigned char ty[6] = {1, 1, 0, 1, 0, 0};
	sc_column tc = {"x", 0, tx, NULL, 0, NULL};
	sc_err e = sc_train(&tc, 1, ty, NULL, 6, &p, &m, msg, sizeof msg);
	T_OK(e == SC_OK || e == SC_ERR_NO_VARIABLE, "6 rows: %s", sc_strerror(e));
	if (m) {
		T_OK(m->n_used == 1 && isfinite(m->intercept), "6 rows: a finite model");
		sc_model_free(m);
	}
	unsigned char ty2[2] = {1, 0};
	e = sc_train(&tc, 1, ty2, NULL, 2, &p, &m, msg, sizeof msg);
	T_OK(e == SC_OK || e == SC_ERR_NO_VARIABLE, "2 rows: %s", sc_strerror(e));
	sc_model_free(m);
	unsigned char same[6] = {0, 0, 0, 0, 0, 0};
	T_EQ_INT(sc_train(&tc, 1, same, NULL, 6, &p, &m, msg, sizeof msg), SC_ERR_ONE_CLASS, "all good");
	unsigned char none[6] = {0};
	T_EQ_INT(sc_train(&tc, 1, ty, none, 6, &p, &m, msg, sizeof msg), SC_ERR_NO_ROWS, "no training rows");
	unsigned char two[6] = {1, 2, 0, 1, 0, 0};
	T_EQ_INT(sc_train(&tc, 1, two, NULL, 6, &p, &m, msg, sizeof msg), SC_ERR_ARG, "outcome 2");
	p.max_bins = 1;
	T_EQ_INT(sc_train(&tc, 1, ty, NULL, 6, &p, &m, msg, sizeof msg), SC_ERR_ARG, "1 bin");
	T_OK(m == NULL, "no model on error");
	/* a categorical column where a level is pure: finite thanks to the smoothing */
	static const char *const lv[] = {"a", "b"};
	int32_t code[40];
	unsigned char cy[40];
	for (int i = 0; i < 40; i++)
		code[i] = i % 2, cy[i] = i % 2 ? (i % 3 == 0) : 1;
	sc_column cc = {"cat", 1, NULL, code, 2, lv};
	sc_params_default(&p);
	T_EQ_INT(sc_train(&cc, 1, cy, NULL, 40, &p, &m, msg, sizeof msg), SC_OK, "pure level trains");
	if (m) {
		T_OK(isfinite(m->vars[0].bins[0].woe) && fabs(m->vars[0].bins[0].woe) < 10,
		     "pure level WoE %.3f", m->vars[0].bins[0].woe);
		T_EQ_INT(m->vars[0].other_bin, -1, "no (other) bin without rare levels");
		T_EQ_INT(sc_bin_of_text(&m->vars[0], "zzz"), m->vars[0].missing_bin, "unseen -> (missing)");
		sc_model_free(m);
	}
}

/* ---- metrics by hand ---- */

static void test_auc_ks(void)
{
	/* scores 1,2,2,3 with bads at 1 and 2: pairs (good > bad): (2,1) 1, (2,2) 1/2, (3,1) 1, (3,2) 1 */
	double s[] = {1, 2, 2, 3};
	unsigned char b[] = {1, 1, 0, 0};
	double a;
	T_EQ_INT(sc_auc(s, b, 4, &a), SC_OK, "auc");
	T_OK(fabs(a - 0.875) < 1e-15, "AUC with a tie: %.6f, want 0.875", a);
	double t[] = {5, 5, 5, 5};
	sc_auc(t, b, 4, &a);
	T_OK(fabs(a - 0.5) < 1e-15, "all tied: 0.5");
	double r[] = {3, 2, 2, 1};
	sc_auc(r, b, 4, &a);
	T_OK(fabs(a - 0.125) < 1e-15, "reversed: 0.125");
	unsigned char one[] = {1, 1, 1, 1};
	sc_auc(s, one, 4, &a);
	T_OK(isnan(a), "one class: NaN");
	T_EQ_INT(sc_auc(s, b, 0, &a), SC_ERR_NO_ROWS, "no rows");
	/* KS: sorted scores 1(b) 2(b,g) 3(g): after 1: F_b .5 F_g 0 -> .5; after 2: 1 vs .5 -> .5; */
	sc_model *m = sc_model_new();
	char msg[64];
	sc_grades_parse("A:2.5,B:1.5", m->grades, &m->n_grades, msg, sizeof msg);
	m->factor = 20 / log(2.0);
	m->offset = 500;
	sc_metrics mt;
	T_EQ_INT(sc_evaluate(m, s, b, 4, &mt), SC_OK, "evaluate");
	T_OK(fabs(mt.ks - 0.5) < 1e-15, "KS %.3f", mt.ks);
	T_EQ_INT(mt.n_calib, 4, "4 rows: 4 calibration groups");
	T_EQ_INT(mt.grade[0].rows, 1, "A: score 3");
	T_EQ_INT(mt.grade[1].rows, 2, "B: scores 2");
	T_EQ_INT(mt.grade[2].rows, 1, "C: score 1");
	T_EQ_INT(mt.grade[2].bads, 1, "C: bad");
	T_EQ_STR(m->grades[2].name, "C", "bottom grade named after B");
	sc_model_free(m);
}

static void test_grades(void)
{
	static const struct {
		const char *in;
		int ok, n;
		const char *last;
	} cases[] = {
	    {"A:700,B:650,C:600,D:550", 1, 5, "E"},
	    {"A:700, B:650 ,C:600", 1, 4, "D"},
	    {"A:560,B:530,C:500,D:470,E", 1, 5, "E"},
	    {"low:500", 1, 2, "below"},
	    {"A:700.5,B:-10", 1, 3, "C"},
	    {"A:700,B:700", 0, 0, NULL},
	    {"A:600,B:650", 0, 0, NULL},
	    {"A:700,A:650", 0, 0, NULL},
	    {"A:abc", 0, 0, NULL},
	    {"A:inf", 0, 0, NULL},
	    {"A", 0, 0, NULL},
	    {"", 0, 0, NULL},
	    {"A:700,", 0, 0, NULL},
	    {"A:700,E,F", 0, 0, NULL},
	    {"A B:700", 0, 0, NULL},
	    {"ABCDEFGHIJKLMNOPQ:1", 0, 0, NULL},
	    {"Y:2,Z:1", 1, 3, "below"},
	    {"A:9,B:8,C:7,D:6,E:5,F:4,G:3,H:2,I:1,J:0,K:-1,L:-2,M:-3,N:-4,O:-5", 1, 16, "P"},
	    {"A:9,B:8,C:7,D:6,E:5,F:4,G:3,H:2,I:1,J:0,K:-1,L:-2,M:-3,N:-4,O:-5,P:-6", 0, 0, NULL},
	};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		sc_grade g[SC_MAX_GRADES];
		int n = 0;
		char msg[200] = "";
		sc_err e = sc_grades_parse(cases[k].in, g, &n, msg, sizeof msg);
		EQ_INTF(e == SC_OK, cases[k].ok, "grades \"%s\" (%s)", cases[k].in, msg);
		if (cases[k].ok && e == SC_OK) {
			EQ_INTF(n, cases[k].n, "grades \"%s\": count", cases[k].in);
			EQ_STRF(g[n - 1].name, cases[k].last, "grades \"%s\": bottom", cases[k].in);
			T_OK(g[n - 1].min_score == -INFINITY, "bottom grade open");
		} else {
			T_OK(msg[0] != 0, "grades \"%s\": a message", cases[k].in);
		}
	}
	char b[40];
	sc_format_double(10, b, sizeof b);
	T_EQ_STR(b, "10", "10 without exponent");
	sc_format_double(0.1, b, sizeof b);
	T_EQ_STR(b, "0.1", "0.1");
	sc_format_double(1e-7, b, sizeof b);
	T_EQ_STR(b, "1e-07", "1e-07");
	sc_format_double(123456789.125, b, sizeof b);
	T_EQ_STR(b, "123456789.125", "long");
	sc_range_label(-INFINITY, 30, b, sizeof b);
	T_EQ_STR(b, "[-inf, 30)", "range label");
}

/* ---- the data set reader ---- */

static dataset *read_csv(const char *text, const ds_want *w, int nw, ds_kind others, ds_err *e, char *err,
                         size_t cap)
{
	ds_opts o = {w, nw, others, 0};
	dataset *d = NULL;
	*e = dataset_read_memory(text, strlen(text), "f.csv", &o, &d, err, cap);
	return d;
}

static void test_dataset(void)
{
	static const struct {
		const char *s;
		ds_num_class k;
		double v;
	} nums[] = {
	    {"12", DS_NUM_FINITE, 12},
	    {" -3.5 ", DS_NUM_FINITE, -3.5},
	    {"1e3", DS_NUM_FINITE, 1000},
	    {".5", DS_NUM_FINITE, 0.5},
	    {"5.", DS_NUM_FINITE, 5},
	    {"-0", DS_NUM_FINITE, 0},
	    {"", DS_NUM_MISSING, 0},
	    {"  ", DS_NUM_MISSING, 0},
	    {"NA", DS_NUM_MISSING, 0},
	    {"inf", DS_NUM_NONFINITE, 0},
	    {"-Infinity", DS_NUM_NONFINITE, 0},
	    {"NaN", DS_NUM_NONFINITE, 0},
	    {"1e999", DS_NUM_NONFINITE, 0},
	    {"0x10", DS_NUM_TEXT, 0},
	    {"1,5", DS_NUM_TEXT, 0},
	    {"e5", DS_NUM_TEXT, 0},
	    {"1e", DS_NUM_TEXT, 0},
	    {"+", DS_NUM_TEXT, 0},
	    {"na", DS_NUM_TEXT, 0},
	    {"12abc", DS_NUM_TEXT, 0},
	    {"infinit", DS_NUM_TEXT, 0},
	};
	for (size_t k = 0; k < sizeof nums / sizeof *nums; k++) {
		double v = -99;
		ds_num_class c = dataset_parse_number(nums[k].s, strlen(nums[k].s), &v);
		EQ_INTF(c, nums[k].k, "number \"%s\"", nums[k].s);
		if (c == DS_NUM_FINITE)
			T_OK(v == nums[k].v && (v != 0 || !signbit(v)), "value of \"%s\"", nums[k].s);
	}
	char err[2048];
	ds_err e;
	ds_want tw[] = {{"bad", DS_BINARY, 1}, {"id", DS_ID, 0}};
	dataset *d = read_csv("id,x,city,bad\nC1,1.5,Dakar,0\nC2,,NA,1\nC3, 2 ,Thies ,0\n\"C,4\",NA,\"\",1\n",
	                      tw, 2, DS_AUTO, &e, err, sizeof err);
	EQ_INTF(e, DS_OK, "read: %s", err);
	if (d) {
		int x = dataset_find(d, "x"), c = dataset_find(d, "city"), b = dataset_find(d, "bad");
		T_EQ_INT(d->n_rows, 4, "rows");
		T_EQ_INT(d->cols[x].kind, DS_NUMERIC, "x numeric");
		T_EQ_INT(d->cols[c].kind, DS_TEXT, "city text");
		T_OK(d->cols[x].num[0] == 1.5 && isnan(d->cols[x].num[1]) && d->cols[x].num[2] == 2 &&
		         isnan(d->cols[x].num[3]),
		     "x values, blanks and NA missing");
		T_EQ_INT(d->cols[x].n_missing, 2, "x missing");
		T_EQ_INT(d->cols[c].n_levels, 2, "city levels (trimmed)");
		T_EQ_STR(dataset_text(d, c, 2), "Thies", "trimmed category");
		T_OK(dataset_text(d, c, 1) == NULL && dataset_text(d, c, 3) == NULL, "NA and empty: missing");
		T_EQ_STR(dataset_text(d, dataset_find(d, "id"), 3), "C,4", "quoted id");
		T_OK(d->cols[b].num[1] == 1 && d->cols[b].num[0] == 0, "target");
		T_EQ_INT(d->line[3], 5, "line of row 4");
		dataset_free(d);
	}
	/* a column with one word among numbers is categorical; inf among numbers is an error */
	d = read_csv("x,y,bad\n1,3,0\ntwo,inf,1\n3,4,0\n", tw, 1, DS_AUTO, &e, err, sizeof err);
	T_EQ_INT(e, DS_ERR_BAD_INPUT, "inf in a numeric column");
	T_EQ_STR(err, "f.csv:3: y: expected a finite number or an empty field (missing), found \"inf\"\n",
	         "inf message");
	d = read_csv("x,bad\nnan,0\n1,1\n", tw, 1, DS_AUTO, &e, err, sizeof err);
	T_OK(e == DS_ERR_BAD_INPUT && strstr(err, "f.csv:2: x: expected a finite number"), "nan message: %s",
	     err);
	d = read_csv("x,bad\n1,0\n2,2\n3,yes\n4,\n", tw, 1, DS_AUTO, &e, err, sizeof err);
	T_EQ_INT(e, DS_ERR_BAD_INPUT, "target not 0/1");
	T_EQ_STR(err,
	         "f.csv:3: bad: expected 0 or 1, found \"2\"\nf.csv:4: bad: expected 0 or 1, found \"yes\"\n"
	         "f.csv:5: bad: expected 0 or 1, found \"\"\n",
	         "target messages");
	d = read_csv("", tw, 1, DS_AUTO, &e, err, sizeof err);
	T_EQ_INT(e, DS_ERR_BAD_INPUT, "empty file");
	T_EQ_STR(err, "f.csv:1: header: expected a header line naming the columns, found an empty file\n",
	         "empty");
	d = read_csv("x,bad\n", tw, 1, DS_AUTO, &e, err, sizeof err);
	T_OK(e == DS_OK && d && d->n_rows == 0, "header only: no rows");
	dataset_free(d);
	d = read_csv("x,y\n1,0\n", tw, 1, DS_AUTO, &e, err, sizeof err);
	T_EQ_STR(err, "f.csv:1: header: expected a column \"bad\", found none\n", "missing target");
	d = read_csv("x,x,bad\n1,2,0\n", tw, 1, DS_AUTO, &e, err, sizeof err);
	T_OK(e == DS_ERR_BAD_INPUT && strstr(err, "expected unique column names, found \"x\" twice"),
	     "duplicate: %s", err);
	d = read_csv("x,bad\n1,0\n2\n3,1,4\n\"a,1\n", tw, 1, DS_AUTO, &e, err, sizeof err);
	T_OK(e == DS_ERR_BAD_INPUT && strstr(err, "f.csv:3: expected 2 fields as in the header, found 1") &&
	         strstr(err, "f.csv:4: expected 2 fields as in the header, found 3") &&
	         strstr(err, "f.csv:5:"),
	     "short, long and unterminated rows: %s", err);
	/* a forced numeric column refuses words (apply on a model's numeric variable) */
	ds_want nw[] = {{"x", DS_NUMERIC, 1}};
	d = read_csv("x,z\n1,a\nabc,b\n", nw, 1, DS_SKIP, &e, err, sizeof err);
	T_EQ_STR(err, "f.csv:3: x: expected a number or an empty field (missing), found \"abc\"\n",
	         "forced numeric");
	d = read_csv("x,z\n1,a\n", nw, 1, DS_SKIP, &e, err, sizeof err);
	T_OK(e == DS_OK && d && d->n_cols == 1, "skipped columns are not read");
	dataset_free(d);
	/* many errors: the first 20, then a count */
	char big[4096] = "x,bad\n";
	for (int i = 0; i < 30; i++)
		strcat(big, "1,7\n");
	d = read_csv(big, tw, 1, DS_AUTO, &e, err, sizeof err);
	T_OK(strstr(err, "f.csv: ... and 10 more errors") != NULL, "error count: %s", err + strlen(err) - 40);
	/* an id column refuses an empty id */
	ds_want iw[] = {{"id", DS_ID, 1}};
	d = read_csv("id\nA\n \n", iw, 1, DS_SKIP, &e, err, sizeof err);
	T_EQ_STR(err, "f.csv:3: id: expected an id, found an empty field\n", "empty id");
	/* long values are cut in messages */
	d = read_csv("bad\n0123456789012345678901234567890123456789012345\n", tw, 1, DS_AUTO, &e, err,
	             sizeof err);
	T_EQ_STR(err,
	         "f.csv:2: bad: expected 0 or 1, found \"0123456789012345678901234567890123456789...\"\n",
	         "long value cut");
}

/* ---- from CSV to model file and back ---- */

static void test_model_file(void)
{
	/* a CSV data set from the generator */
	gen g;
	size_t n = 3000;
	gen_make(&g, n, 5, 0);
	size_t cap = n * 120 + 100, len = 0;
	char *csv = malloc(cap);
	len += (size_t)snprintf(csv + len, cap - len, "id,income,age,seniority,sector,noise,split,bad\n");
	for (size_t i = 0; i < n; i++) {
		char sen[32] = "";
		if (!isnan(g.x[2][i])) snprintf(sen, sizeof sen, "%.1f", g.x[2][i]);
		len += (size_t)snprintf(csv + len, cap - len, "C%zu,%.4f,%.0f,%s,%s,%.3f,%s,%d\n", i,
		                        g.x[0][i], g.x[1][i], sen, CAT_LEVELS[g.code[i]], g.x[4][i],
		                        g.train[i] ? "train" : "test", g.y[i]);
	}
	ds_want w[] = {{"bad", DS_BINARY, 1}, {"split", DS_TEXT, 1}, {"id", DS_ID, 1}};
	char err[1024];
	ds_err de;
	dataset *d = read_csv(csv, w, 3, DS_AUTO, &de, err, sizeof err);
	EQ_INTF(de, DS_OK, "generated CSV reads: %s", err);
	if (!d) return;
	int sc = dataset_find(d, "split"), bc = dataset_find(d, "bad");
	unsigned char *use = malloc(n), *y = malloc(n);
	for (size_t i = 0; i < n; i++) {
		use[i] = strcmp(dataset_text(d, sc, i), "train") == 0;
		y[i] = (unsigned char)d->cols[bc].num[i];
	}
	sc_column cols[8];
	int nc = 0;
	for (int c = 0; c < d->n_cols; c++) {
		const ds_column *dc = &d->cols[c];
		if (c == sc || c == bc || dc->kind == DS_ID) continue;
		cols[nc++] = (sc_column){dc->name, dc->kind == DS_TEXT, dc->num,
		                         dc->code, dc->n_levels,        (const char *const *)dc->levels};
	}
	T_EQ_INT(nc, 5, "five candidate variables");
	sc_params p;
	sc_params_default(&p);
	sc_model *m = NULL;
	char msg[256];
	EQ_INTF(sc_train(cols, nc, y, use, n, &p, &m, msg, sizeof msg), SC_OK, "train from CSV: %s", msg);
	if (!m) return;
	m->target = strdup("bad");
	m->split_column = strdup("split");
	m->data = strdup("gen.csv");
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	T_EQ_INT(model_file_write(f, m), MF_OK, "write");
	fclose(f);
	sc_model *m2 = NULL;
	mf_err me = model_file_parse(buf, blen, "m.json", &m2, err, sizeof err);
	EQ_INTF(me, MF_OK, "read back: %s", err);
	if (m2) {
		double *s1 = malloc(sizeof(double) * n), *s2 = malloc(sizeof(double) * n);
		sc_score_columns(m, cols, n, s1, NULL);
		sc_score_columns(m2, cols, n, s2, NULL);
		size_t diff = 0;
		for (size_t i = 0; i < n; i++)
			diff += s1[i] != s2[i];
		T_EQ_INT(diff, 0, "the model read back scores every row exactly as before");
		T_EQ_STR(m2->split_column, "split", "split column kept");
		T_EQ_INT(m2->n_grades, 5, "grades kept");
		T_OK(m2->train.auc == m->train.auc && m2->train.rows == m->train.rows,
		     "training summary kept");
		/* write again: the same bytes */
		char *buf2 = NULL;
		size_t blen2 = 0;
		f = open_memstream(&buf2, &blen2);
		model_file_write(f, m2);
		fclose(f);
		T_OK(blen == blen2 && memcmp(buf, buf2, blen) == 0, "written again: the same file");
		free(buf2);
		free(s1);
		free(s2);
		sc_model_free(m2);
	}
	T_OK(strstr(buf, "\"format\": \"vigie-scorecard\"") && strstr(buf, "\"version\": 1"), "versioned");
	T_OK(strstr(buf, "\"bin\": \"(missing)\"") && strstr(buf, "\"points_rounded\""), "readable bins");
	/* refusals */
	static const struct {
		const char *from, *to, *want;
		mf_err e;
	} bad[] = {
	    {"\"vigie-scorecard\"", "\"other-format\"", "m.json: format: expected \"vigie-scorecard\"",
	     MF_ERR_FORMAT},
	    {"\"version\": 1", "\"version\": 2",
	     "m.json: version: expected 1 (the version this vigie reads), found 2", MF_ERR_FORMAT},
	    {"\"pdo\": 20", "\"pdo\": -20", "m.json: model: expected a finite base score", MF_ERR_INVALID},
	    {"\"pdo\": 20", "\"pdo\": 21", "m.json: scaling: expected factor", MF_ERR_INVALID},
	    {"\"intercept\": ", "\"intercept\": \"x\", \"i\": ",
	     "m.json: intercept: expected a number, found a string", MF_ERR_INVALID},
	    {"\"type\": \"numeric\"", "\"type\": \"date\"", "m.json: variables[0].type: expected",
	     MF_ERR_INVALID},
	    {"\"lower\": null", "\"lower\": 0", "expected the ranges to start at -inf", MF_ERR_INVALID},
	    {"\"grade\": \"B\"", "\"grade\": \"A\"", "grade A is given twice", MF_ERR_INVALID},
	    {"\"variables\": [", "\"variables\": 3, \"v\": [", "m.json: variables: expected an array",
	     MF_ERR_INVALID},
	    {"{", "[", "m.json:2: expected JSON", MF_ERR_JSON},
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		const char *at = strstr(buf, bad[k].from);
		T_OK(at != NULL, "case %zu: \"%s\" is in the file", k, bad[k].from);
		if (!at) continue;
		size_t pre = (size_t)(at - buf), fl = strlen(bad[k].from), tl = strlen(bad[k].to);
		char *b2 = malloc(blen + tl + 1);
		memcpy(b2, buf, pre);
		memcpy(b2 + pre, bad[k].to, tl);
		memcpy(b2 + pre + tl, at + fl, blen - pre - fl);
		sc_model *mb = NULL;
		mf_err e = model_file_parse(b2, blen - fl + tl, "m.json", &mb, err, sizeof err);
		EQ_INTF(e, bad[k].e, "refused: %s", bad[k].to);
		T_OK(mb == NULL && strstr(err, bad[k].want), "message \"%s\" in \"%s\"", bad[k].want, err);
		free(b2);
	}
	/* a point edited by hand no longer follows from the coefficients */
	char *pt = strstr(buf, "\"points\": ");
	if (pt) {
		pt += 10;
		*pt = *pt == '9' ? '8' : '9';
		sc_model *mb = NULL;
		T_EQ_INT(model_file_parse(buf, blen, "m.json", &mb, err, sizeof err), MF_ERR_INVALID,
		         "edited points");
		T_OK(strstr(err, "variables[0].bins[0]: points: expected") != NULL, "%s", err);
	}
	T_EQ_INT(model_file_parse(buf, blen / 2, "m.json", &m2, err, sizeof err), MF_ERR_JSON, "truncated");
	T_EQ_INT(model_file_load("/nonexistent/m.json", &m2, err, sizeof err), MF_ERR_IO, "missing file");
	free(buf);
	free(use);
	free(y);
	free(csv);
	sc_model_free(m);
	dataset_free(d);
	gen_free(&g);
}

/* Default cut-offs: the quantiles of the training scores, in whole points, strictly decreasing even
 * with ties, and used by sc_train unless the caller gives its own. */
static void test_grades_by_quantiles(void)
{
	sc_params p;
	sc_params_default(&p);
	T_EQ_INT(p.grades_auto, 1, "automatic cut-offs by default");
	double s[1000];
	for (int i = 0; i < 1000; i++)
		s[i] = 1000 - i; /* 1000 .. 1 */
	sc_grade g[SC_MAX_GRADES];
	memcpy(g, p.grades, sizeof g);
	T_EQ_INT(sc_grades_by_quantiles(s, 1000, g, 5), SC_OK, "quintiles");
	/* the top 200 are 1000..801: the cut-off is round((801 + 800) / 2) = 801 */
	T_OK(g[0].min_score == 801 && g[1].min_score == 601 && g[2].min_score == 401 && g[3].min_score == 201,
	     "cut-offs %g %g %g %g", g[0].min_score, g[1].min_score, g[2].min_score, g[3].min_score);
	T_OK(isinf(g[4].min_score) && g[4].min_score < 0, "bottom grade unbounded");
	T_EQ_STR(g[0].name, "A", "names kept");
	/* 70% of the scores tied at 700: cut-offs stay strictly decreasing */
	for (int i = 0; i < 1000; i++)
		s[i] = i < 700 ? 700 : 400 + i % 100;
	T_EQ_INT(sc_grades_by_quantiles(s, 1000, g, 5), SC_OK, "ties");
	for (int k = 1; k < 4; k++)
		T_OK(g[k].min_score < g[k - 1].min_score, "strictly decreasing at %d", k);
	T_EQ_INT(g[0].min_score, 700, "the tie is in the top grade");
	double one = 512.4;
	T_EQ_INT(sc_grades_by_quantiles(&one, 1, g, 5), SC_OK, "one score");
	T_OK(g[0].min_score == 512 && g[3].min_score == 509, "one score: %g %g", g[0].min_score,
	     g[3].min_score);
	double bad[2] = {1, NAN};
	T_EQ_INT(sc_grades_by_quantiles(bad, 2, g, 5), SC_ERR_ARG, "NaN score refused");
	T_EQ_INT(sc_grades_by_quantiles(s, 0, g, 5), SC_ERR_ARG, "no score refused");
	T_EQ_INT(sc_grades_by_quantiles(s, 10, g, 0), SC_ERR_ARG, "no grade refused");
}

int main(void)
{
	test_grades_by_quantiles();
	test_recovery();
	test_edge_columns();
	test_separation_and_tiny();
	test_auc_ks();
	test_grades();
	test_dataset();
	test_model_file();
	return t_done("scorecard");
}

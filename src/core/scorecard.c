/* scorecard.c: the credit scorecard engine (see scorecard.h; the method is defended in
 * docs/scoring.md). References: N. Siddiqi, "Credit Risk Scorecards" (Wiley, 2006), ch. 6 (binning,
 * WoE, IV) and ch. 7 (scaling, points allocation); Hastie, Tibshirani, Friedman, "The Elements of
 * Statistical Learning", 4.4.1 (IRLS) and 3.4.1 (ridge); Mann-Whitney U for the AUC with ties. */
#include "core/scorecard.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double WOE_SMOOTH = 0.5;    /* added to every good and bad count of a bin */
static const double PURE_EXPECTED = 5.0; /* a pure bin is kept when the absent class was expected
                                            at least this many times (chance exp(-5) < 0.7%) */

const char *sc_strerror(sc_err e)
{
	switch (e) {
	case SC_OK:
		return "ok";
	case SC_ERR_ARG:
		return "invalid argument";
	case SC_ERR_NOMEM:
		return "out of memory";
	case SC_ERR_NO_ROWS:
		return "no rows";
	case SC_ERR_ONE_CLASS:
		return "the rows are all good or all bad";
	case SC_ERR_NO_VARIABLE:
		return "no usable variable";
	case SC_ERR_SINGULAR:
		return "singular system (collinear variables without an L2 penalty)";
	case SC_ERR_MODEL:
		return "inconsistent model";
	case SC_ERR_GRADES:
		return "malformed grades";
	}
	return "unknown error";
}

static sc_err fail(char *msg, size_t cap, sc_err e, const char *fmt, ...)
{
	if (msg && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, cap, fmt, ap);
		va_end(ap);
	}
	return e;
}

/* ---- parameters and grades ---- */

void sc_params_default(sc_params *p)
{
	memset(p, 0, sizeof *p);
	p->max_bins = 10;
	p->min_bin_share = 0.05;
	p->rare_share = 0.02;
	p->monotonic = 1;
	p->l2 = -1;
	p->max_iter = 50;
	p->tol = 1e-10;
	p->base_score = 600;
	p->base_odds = 50;
	p->pdo = 20;
	char msg[8];
	sc_grades_parse("A:700,B:650,C:600,D:550", p->grades, &p->n_grades, msg, sizeof msg);
	p->grades_auto = 1;
}

static int cmp_desc(const void *a, const void *b)
{
	double u = *(const double *)a, v = *(const double *)b;
	return (u < v) - (u > v);
}

sc_err sc_grades_by_quantiles(const double *score, size_t n, sc_grade *grades, int n_grades)
{
	if (n_grades < 1 || n_grades > SC_MAX_GRADES || n == 0 || n > SC_MAX_ROWS) return SC_ERR_ARG;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(score[i])) return SC_ERR_ARG;
	double *s = malloc(sizeof *s * n);
	if (!s) return SC_ERR_NOMEM;
	memcpy(s, score, sizeof *s * n);
	qsort(s, n, sizeof *s, cmp_desc);
	double prev = INFINITY;
	for (int g = 1; g < n_grades; g++) {
		/* the top t scores are in grades 0..g-1 */
		size_t t = (size_t)floor((double)g * (double)n / (double)n_grades + 0.5);
		if (t < 1) t = 1;
		if (t > n - 1) t = n > 1 ? n - 1 : 1;
		double cut = n > 1 ? floor((s[t - 1] + s[t]) / 2 + 0.5) : floor(s[0] + 0.5);
		if (!(cut < prev)) cut = prev - 1;
		grades[g - 1].min_score = cut;
		prev = cut;
	}
	grades[n_grades - 1].min_score = -INFINITY;
	free(s);
	return SC_OK;
}

static int grade_name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= SC_GRADE_NAME_MAX) return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-'))
			return 0;
	}
	return 1;
}

sc_err sc_grades_parse(const char *text, sc_grade *grades, int *n_grades, char *msg, size_t cap)
{
	*n_grades = 0;
	if (!text || !*text)
		return fail(msg, cap, SC_ERR_GRADES,
		            "expected cut-offs like A:700,B:650,C:600,D:550, found \"\"");
	int n = 0, bottom_named = 0;
	const char *p = text;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		const char *colon = memchr(p, ':', len);
		size_t nlen = colon ? (size_t)(colon - p) : len;
		if (bottom_named)
			return fail(msg, cap, SC_ERR_GRADES,
			            "only the last grade may come without a score, found more after it");
		if (!grade_name_ok(p, nlen))
			return fail(
			    msg, cap, SC_ERR_GRADES,
			    "expected a grade name of 1 to %d letters, digits, _, + or -, found \"%.*s\"",
			    SC_GRADE_NAME_MAX - 1, (int)(nlen > 40 ? 40 : nlen), p);
		if (n >= SC_MAX_GRADES)
			return fail(msg, cap, SC_ERR_GRADES, "expected at most %d grades", SC_MAX_GRADES);
		double v = -INFINITY;
		if (colon) {
			char num[64];
			size_t vlen = len - nlen - 1;
			if (vlen == 0 || vlen >= sizeof num)
				return fail(msg, cap, SC_ERR_GRADES, "grade %.*s: expected a score after ':'",
				            (int)nlen, p);
			memcpy(num, colon + 1, vlen);
			num[vlen] = 0;
			char *e;
			v = strtod(num, &e);
			if (*e || !isfinite(v))
				return fail(msg, cap, SC_ERR_GRADES,
				            "grade %.*s: expected a finite score, found \"%s\"", (int)nlen, p,
				            num);
			if (n > 0 && !(v < grades[n - 1].min_score))
				return fail(
				    msg, cap, SC_ERR_GRADES,
				    "grade %.*s: expected a cut-off below %g (cut-offs go down), found %s",
				    (int)nlen, p, grades[n - 1].min_score, num);
		} else {
			if (n == 0)
				return fail(msg, cap, SC_ERR_GRADES,
				            "expected at least one grade with a cut-off, like A:700");
			bottom_named = 1;
		}
		for (int k = 0; k < n; k++)
			if (strlen(grades[k].name) == nlen && memcmp(grades[k].name, p, nlen) == 0)
				return fail(msg, cap, SC_ERR_GRADES, "grade %.*s is given twice", (int)nlen,
				            p);
		memcpy(grades[n].name, p, nlen);
		grades[n].name[nlen] = 0;
		grades[n].min_score = v;
		n++;
		if (!end) break;
		p = end + 1;
		if (!*p) return fail(msg, cap, SC_ERR_GRADES, "expected a grade after the last ','");
	}
	if (!bottom_named) {
		/* the bottom grade: the letter after the last name (D -> E), else "below" + last */
		if (n >= SC_MAX_GRADES)
			return fail(msg, cap, SC_ERR_GRADES, "expected at most %d grades", SC_MAX_GRADES);
		const char *last = grades[n - 1].name;
		char name[SC_GRADE_NAME_MAX];
		if (strlen(last) == 1 &&
		    ((last[0] >= 'A' && last[0] < 'Z') || (last[0] >= 'a' && last[0] < 'z'))) {
			name[0] = (char)(last[0] + 1);
			name[1] = 0;
		} else {
			snprintf(name, sizeof name, "below");
		}
		for (int k = 0; k < n; k++)
			if (strcmp(grades[k].name, name) == 0)
				return fail(
				    msg, cap, SC_ERR_GRADES,
				    "the bottom grade would be %s, already given: name it after the last "
				    "cut-off (e.g. ...,D:550,E)",
				    name);
		memcpy(grades[n].name, name, sizeof name);
		grades[n].min_score = -INFINITY;
		n++;
	}
	*n_grades = n;
	return SC_OK;
}

/* ---- text ---- */

void sc_format_double(double v, char *buf, size_t cap)
{
	if (!isfinite(v)) {
		snprintf(buf, cap, isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
		return;
	}
	/* no exponent for the numbers people write without one (10, not 1e+01) */
	int plain = v == 0 || (fabs(v) >= 1e-4 && fabs(v) < 1e17);
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, cap, "%.*g", prec, v);
		if (plain && prec < 17 && strchr(buf, 'e')) continue;
		if (strtod(buf, NULL) == v) return;
	}
}

void sc_range_label(double lo, double hi, char *buf, size_t cap)
{
	char a[32], b[32];
	sc_format_double(lo, a, sizeof a);
	sc_format_double(hi, b, sizeof b);
	snprintf(buf, cap, "[%s, %s)", a, b);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d) memcpy(d, s, n);
	return d;
}

/* ---- the model ---- */

sc_model *sc_model_new(void)
{
	sc_model *m = calloc(1, sizeof *m);
	if (!m) return NULL;
	m->base_score = 600;
	m->base_odds = 50;
	m->pdo = 20;
	return m;
}

static void free_var(sc_var *v)
{
	for (int b = 0; b < v->n_bins; b++) {
		free(v->bins[b].label);
		for (int k = 0; k < v->bins[b].n_members; k++)
			free(v->bins[b].members[k]);
		free(v->bins[b].members);
	}
	free(v->bins);
	free(v->cuts);
	free(v->name);
	free(v->note);
}

void sc_model_free(sc_model *m)
{
	if (!m) return;
	for (int j = 0; j < m->n_vars; j++)
		free_var(&m->vars[j]);
	free(m->vars);
	free(m->target);
	free(m->id_column);
	free(m->split_column);
	free(m->data);
	free(m);
}

static sc_err check_var(sc_var *v, int j, char *msg, size_t cap)
{
	if (!v->name || !v->name[0]) return fail(msg, cap, SC_ERR_MODEL, "variable %d has no name", j + 1);
	const char *nm = v->name;
	if (v->n_bins < 1 || v->n_bins > SC_MAX_BINS || !v->bins)
		return fail(msg, cap, SC_ERR_MODEL, "variable %s: expected 1 to %d bins, found %d", nm,
		            SC_MAX_BINS, v->n_bins);
	int nb = v->n_bins;
	if (v->bins[nb - 1].kind != SC_BIN_MISSING)
		return fail(msg, cap, SC_ERR_MODEL, "variable %s: expected the missing bin last", nm);
	int r = 0;
	v->other_bin = -1;
	v->missing_bin = nb - 1;
	if (!v->categorical) {
		while (r < nb && v->bins[r].kind == SC_BIN_RANGE)
			r++;
		if (r < 1 || r != nb - 1)
			return fail(msg, cap, SC_ERR_MODEL,
			            "variable %s: expected numeric ranges then one missing bin", nm);
		if (v->bins[0].lo != -INFINITY || v->bins[r - 1].hi != INFINITY)
			return fail(msg, cap, SC_ERR_MODEL,
			            "variable %s: expected the ranges to start at -inf and end at +inf", nm);
		for (int b = 0; b < r; b++) {
			const sc_bin *s = &v->bins[b];
			if (!(s->lo < s->hi) || isnan(s->lo) || isnan(s->hi) || (b > 0 && !isfinite(s->lo)) ||
			    (b < r - 1 && !isfinite(s->hi)))
				return fail(msg, cap, SC_ERR_MODEL,
				            "variable %s, bin %d: expected finite bounds lower < upper", nm,
				            b + 1);
			if (b + 1 < r && s->hi != v->bins[b + 1].lo)
				return fail(
				    msg, cap, SC_ERR_MODEL,
				    "variable %s, bin %d: expected its upper bound to be the next bin's "
				    "lower bound",
				    nm, b + 1);
		}
		free(v->cuts);
		v->cuts = malloc(sizeof(double) * (size_t)(r > 1 ? r - 1 : 1));
		if (!v->cuts) return SC_ERR_NOMEM;
		for (int b = 0; b + 1 < r; b++)
			v->cuts[b] = v->bins[b + 1].lo;
		v->n_ranges = r;
		v->n_levels = 0;
		for (int b = 0; b < r; b++) {
			char lab[80];
			sc_range_label(v->bins[b].lo, v->bins[b].hi, lab, sizeof lab);
			char *d = dup_str(lab);
			if (!d) return SC_ERR_NOMEM;
			free(v->bins[b].label);
			v->bins[b].label = d;
		}
	} else {
		while (r < nb && v->bins[r].kind == SC_BIN_LEVEL)
			r++;
		for (int b = 0; b < r; b++) {
			const char *l = v->bins[b].label;
			if (!l || !l[0])
				return fail(msg, cap, SC_ERR_MODEL,
				            "variable %s, bin %d: expected a category", nm, b + 1);
			if (b > 0 && strcmp(v->bins[b - 1].label, l) >= 0)
				return fail(
				    msg, cap, SC_ERR_MODEL,
				    "variable %s: expected the categories sorted and unique, found \"%s\" "
				    "after \"%s\"",
				    nm, l, v->bins[b - 1].label);
		}
		if (r < nb - 1) {
			if (v->bins[r].kind != SC_BIN_OTHER || r != nb - 2)
				return fail(
				    msg, cap, SC_ERR_MODEL,
				    "variable %s: expected the categories, then \"other\" (optional), "
				    "then the missing bin",
				    nm);
			v->other_bin = r;
		}
		v->n_levels = r;
		v->n_ranges = 0;
		for (int b = r; b < nb; b++) {
			if (v->bins[b].label) continue;
			v->bins[b].label = dup_str(v->bins[b].kind == SC_BIN_OTHER ? "(other)" : "(missing)");
			if (!v->bins[b].label) return SC_ERR_NOMEM;
		}
	}
	if (!v->bins[nb - 1].label && !(v->bins[nb - 1].label = dup_str("(missing)"))) return SC_ERR_NOMEM;
	for (int b = 0; b < nb; b++) {
		const sc_bin *s = &v->bins[b];
		if (!isfinite(s->woe) || fabs(s->woe) > 100)
			return fail(msg, cap, SC_ERR_MODEL, "variable %s, bin %d: expected a finite WoE", nm,
			            b + 1);
		if (s->goods < 0 || s->bads < 0)
			return fail(msg, cap, SC_ERR_MODEL, "variable %s, bin %d: negative counts", nm,
			            b + 1);
	}
	if (!isfinite(v->coef) || fabs(v->coef) > 1e6)
		return fail(msg, cap, SC_ERR_MODEL, "variable %s: expected a finite coefficient", nm);
	if (!v->used && v->coef != 0)
		return fail(msg, cap, SC_ERR_MODEL, "variable %s: not used, so its coefficient must be 0",
		            nm);
	return SC_OK;
}

sc_err sc_model_finish(sc_model *m, char *msg, size_t cap)
{
	if (m->n_vars < 1 || m->n_vars > SC_MAX_VARS || !m->vars)
		return fail(msg, cap, SC_ERR_MODEL, "expected 1 to %d variables, found %d", SC_MAX_VARS,
		            m->n_vars);
	if (!isfinite(m->base_score) || !(m->base_odds > 0) || !isfinite(m->base_odds) || !(m->pdo > 0) ||
	    !isfinite(m->pdo))
		return fail(msg, cap, SC_ERR_MODEL,
		            "expected a finite base score, and base odds and pdo above 0");
	if (m->n_grades < 1 || m->n_grades > SC_MAX_GRADES)
		return fail(msg, cap, SC_ERR_MODEL, "expected 1 to %d grades", SC_MAX_GRADES);
	for (int g = 0; g < m->n_grades; g++) {
		const sc_grade *gr = &m->grades[g];
		size_t len = strnlen(gr->name, SC_GRADE_NAME_MAX);
		if (!grade_name_ok(gr->name, len))
			return fail(msg, cap, SC_ERR_MODEL, "grade %d: expected a name", g + 1);
		int last = g == m->n_grades - 1;
		if (last ? gr->min_score != -INFINITY : !isfinite(gr->min_score))
			return fail(msg, cap, SC_ERR_MODEL,
			            "grade %s: expected a finite cut-off, and none for the bottom grade",
			            gr->name);
		if (g > 0 && !(gr->min_score < m->grades[g - 1].min_score))
			return fail(msg, cap, SC_ERR_MODEL, "grade %s: expected cut-offs going down",
			            gr->name);
		for (int k = 0; k < g; k++)
			if (strcmp(m->grades[k].name, gr->name) == 0)
				return fail(msg, cap, SC_ERR_MODEL, "grade %s is given twice", gr->name);
	}
	if (!isfinite(m->intercept) || fabs(m->intercept) > 1e6)
		return fail(msg, cap, SC_ERR_MODEL, "expected a finite intercept");
	int used = 0;
	for (int j = 0; j < m->n_vars; j++) {
		sc_err e = check_var(&m->vars[j], j, msg, cap);
		if (e) return e;
		for (int k = 0; k < j; k++)
			if (strcmp(m->vars[k].name, m->vars[j].name) == 0)
				return fail(msg, cap, SC_ERR_MODEL, "variable %s is given twice",
				            m->vars[j].name);
		used += m->vars[j].used != 0;
	}
	if (used == 0) return fail(msg, cap, SC_ERR_MODEL, "expected at least one variable used");
	m->n_used = used;
	m->factor = m->pdo / log(2.0);
	m->offset = m->base_score - m->factor * log(m->base_odds);
	double k = used;
	for (int j = 0; j < m->n_vars; j++) {
		sc_var *v = &m->vars[j];
		for (int b = 0; b < v->n_bins; b++)
			v->bins[b].points =
			    v->used
			        ? -(v->coef * v->bins[b].woe + m->intercept / k) * m->factor + m->offset / k
			        : 0.0;
	}
	return SC_OK;
}

/* ---- lookups and scoring ---- */

int sc_bin_of_number(const sc_var *v, double x)
{
	if (isnan(x)) return v->missing_bin;
	/* the number of cuts <= x */
	int lo = 0, hi = v->n_ranges - 1;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (v->cuts[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int sc_bin_of_text(const sc_var *v, const char *s)
{
	if (!s) return v->missing_bin;
	int lo = 0, hi = v->n_levels;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		int c = strcmp(v->bins[mid].label, s);
		if (c == 0) return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return v->other_bin >= 0 ? v->other_bin : v->missing_bin;
}

double sc_score_bins(const sc_model *m, const uint8_t *bins)
{
	double s = 0;
	for (int j = 0; j < m->n_vars; j++)
		if (m->vars[j].used) s += m->vars[j].bins[bins[j]].points;
	return s;
}

double sc_prob_bad(const sc_model *m, double score)
{
	double z = (score - m->offset) / m->factor; /* ln(good:bad odds) */
	if (z >= 0) {
		double e = exp(-z);
		return e / (1 + e);
	}
	return 1 / (1 + exp(z));
}

int sc_grade_of(const sc_model *m, double score)
{
	for (int g = 0; g < m->n_grades - 1; g++)
		if (score >= m->grades[g].min_score) return g;
	return m->n_grades - 1;
}

sc_err sc_score_columns(const sc_model *m, const sc_column *cols, size_t n, double *score, uint8_t *bins)
{
	if (n > SC_MAX_ROWS) return SC_ERR_ARG;
	for (size_t i = 0; i < n; i++)
		score[i] = 0;
	int nv = m->n_vars;
	for (int j = 0; j < nv; j++) {
		const sc_var *v = &m->vars[j];
		const sc_column *c = &cols[j];
		if (!v->used) {
			if (bins)
				for (size_t i = 0; i < n; i++)
					bins[i * (size_t)nv + (size_t)j] = (uint8_t)v->missing_bin;
			continue;
		}
		if (!c->categorical != !v->categorical) return SC_ERR_ARG;
		if (!v->categorical) {
			if (!c->x && n) return SC_ERR_ARG;
			for (size_t i = 0; i < n; i++) {
				int b = sc_bin_of_number(v, c->x[i]);
				score[i] += v->bins[b].points;
				if (bins) bins[i * (size_t)nv + (size_t)j] = (uint8_t)b;
			}
			continue;
		}
		if ((!c->code && n) || c->n_levels < 0 || (c->n_levels > 0 && !c->levels)) return SC_ERR_ARG;
		uint8_t *map = malloc((size_t)c->n_levels + 1);
		if (!map) return SC_ERR_NOMEM;
		for (int32_t l = 0; l < c->n_levels; l++)
			map[l] = (uint8_t)sc_bin_of_text(v, c->levels[l]);
		sc_err e = SC_OK;
		for (size_t i = 0; i < n; i++) {
			int32_t code = c->code[i];
			int b;
			if (code < 0) {
				b = v->missing_bin;
			} else if (code >= c->n_levels) {
				e = SC_ERR_ARG;
				break;
			} else {
				b = map[code];
			}
			score[i] += v->bins[b].points;
			if (bins) bins[i * (size_t)nv + (size_t)j] = (uint8_t)b;
		}
		free(map);
		if (e) return e;
	}
	return SC_OK;
}

/* ---- binning ---- */

typedef struct {
	double x;
	unsigned char bad;
} xy;

static int cmp_xy(const void *a, const void *b)
{
	double u = ((const xy *)a)->x, v = ((const xy *)b)->x;
	return (u > v) - (u < v);
}

typedef struct {
	double lo; /* lower bound; -inf for the first group */
	int64_t g, b;
} grp;

typedef struct {
	int64_t rows, goods, bads; /* all training rows */
} totals;

static double rate(const grp *s)
{
	return (double)s->b / (double)(s->g + s->b);
}

/* Merges group i with its neighbour of the closest bad rate (the merge that loses the least). */
static void merge_with_neighbour(grp *gs, int *ng, int i)
{
	int left;
	if (i == 0)
		left = 0;
	else if (i == *ng - 1)
		left = i - 1;
	else
		left = fabs(rate(&gs[i - 1]) - rate(&gs[i])) <= fabs(rate(&gs[i + 1]) - rate(&gs[i])) ? i - 1
		                                                                                      : i;
	gs[left].g += gs[left + 1].g;
	gs[left].b += gs[left + 1].b;
	memmove(&gs[left + 1], &gs[left + 2], sizeof *gs * (size_t)(*ng - left - 2));
	(*ng)--;
}

static double smoothed_logodds(const grp *s)
{
	return log(((double)s->g + WOE_SMOOTH) / ((double)s->b + WOE_SMOOTH));
}

/* Cut points by quantiles of the sorted values, then merges (see docs/scoring.md). */
static int numeric_groups(const xy *v, size_t m, const totals *t, const sc_params *p, grp *gs)
{
	int ng = 0;
	gs[ng++] = (grp){-INFINITY, 0, 0};
	for (int k = 1; k < p->max_bins; k++) {
		size_t idx = (size_t)((double)k * (double)m / p->max_bins);
		if (idx >= m) break;
		double c = v[idx].x;
		if (c > v[0].x && c > gs[ng - 1].lo) gs[ng++] = (grp){c, 0, 0};
	}
	int gi = 0;
	for (size_t i = 0; i < m; i++) {
		while (gi + 1 < ng && v[i].x >= gs[gi + 1].lo)
			gi++;
		if (v[i].bad)
			gs[gi].b++;
		else
			gs[gi].g++;
	}
	/* each bin at least min_bin_share of the training rows */
	double min_count = ceil(p->min_bin_share * (double)t->rows);
	if (min_count < 1) min_count = 1;
	while (ng > 1) {
		int best = 0;
		for (int i = 1; i < ng; i++)
			if (gs[i].g + gs[i].b < gs[best].g + gs[best].b) best = i;
		if ((double)(gs[best].g + gs[best].b) >= min_count) break;
		merge_with_neighbour(gs, &ng, best);
	}
	/* both goods and bads, unless the bin is so large that its purity cannot be chance */
	double share_g = (double)t->goods / (double)t->rows, share_b = (double)t->bads / (double)t->rows;
	while (ng > 1) {
		int best = -1;
		for (int i = 0; i < ng; i++) {
			double rows = (double)(gs[i].g + gs[i].b);
			int chance = (gs[i].b == 0 && rows * share_b < PURE_EXPECTED) ||
			             (gs[i].g == 0 && rows * share_g < PURE_EXPECTED);
			if (chance && (best < 0 || gs[i].g + gs[i].b < gs[best].g + gs[best].b)) best = i;
		}
		if (best < 0) break;
		merge_with_neighbour(gs, &ng, best);
	}
	if (p->monotonic) {
		while (ng > 2) {
			/* the trend: sign of the row-weighted covariance of bin rank and log-odds */
			double sw = 0, si = 0, sl = 0, sil = 0;
			for (int i = 0; i < ng; i++) {
				double w = (double)(gs[i].g + gs[i].b), l = smoothed_logodds(&gs[i]);
				sw += w, si += w * i, sl += w * l, sil += w * i * l;
			}
			int dir = sil - si * sl / sw >= 0 ? 1 : -1;
			int best = -1;
			double best_d = 0;
			for (int i = 0; i + 1 < ng; i++) {
				double d = smoothed_logodds(&gs[i + 1]) - smoothed_logodds(&gs[i]);
				if (d * dir < 0 && (best < 0 || fabs(d) < best_d)) best = i, best_d = fabs(d);
			}
			if (best < 0) break;
			gs[best].g += gs[best + 1].g;
			gs[best].b += gs[best + 1].b;
			memmove(&gs[best + 1], &gs[best + 2], sizeof *gs * (size_t)(ng - best - 2));
			ng--;
		}
	}
	return ng;
}

static int set_label(sc_bin *b, const char *s)
{
	b->label = dup_str(s);
	return b->label ? 0 : -1;
}

static sc_err bin_numeric(const sc_column *c, const unsigned char *bad, const unsigned char *use, size_t n,
                          const totals *t, const sc_params *p, sc_var *v)
{
	xy *vals = malloc(sizeof *vals * (size_t)(t->rows ? t->rows : 1));
	if (!vals) return SC_ERR_NOMEM;
	size_t m = 0;
	int64_t mg = 0, mb = 0;
	for (size_t i = 0; i < n; i++) {
		if (use && !use[i]) continue;
		if (isnan(c->x[i])) {
			if (bad[i])
				mb++;
			else
				mg++;
			continue;
		}
		vals[m++] = (xy){c->x[i], bad[i]};
	}
	grp gs[SC_MAX_CUTS_BINS + 1];
	int ng = 1;
	gs[0] = (grp){-INFINITY, 0, 0};
	if (m > 0) {
		qsort(vals, m, sizeof *vals, cmp_xy);
		ng = numeric_groups(vals, m, t, p, gs);
	}
	free(vals);
	v->bins = calloc((size_t)ng + 1, sizeof *v->bins);
	if (!v->bins) return SC_ERR_NOMEM;
	v->n_bins = ng + 1;
	for (int i = 0; i < ng; i++) {
		sc_bin *b = &v->bins[i];
		b->kind = SC_BIN_RANGE;
		b->lo = gs[i].lo;
		b->hi = i + 1 < ng ? gs[i + 1].lo : INFINITY;
		b->goods = gs[i].g;
		b->bads = gs[i].b;
	}
	sc_bin *mbin = &v->bins[ng];
	mbin->kind = SC_BIN_MISSING;
	mbin->goods = mg;
	mbin->bads = mb;
	if (set_label(mbin, "(missing)")) return SC_ERR_NOMEM;
	return SC_OK;
}

typedef struct {
	int32_t code;
	int64_t n, g, b;
	const char *name;
} level_count;

static int cmp_level_name(const void *a, const void *b)
{
	return strcmp(((const level_count *)a)->name, ((const level_count *)b)->name);
}

static int cmp_level_freq(const void *a, const void *b)
{
	const level_count *u = a, *v = b;
	if (u->n != v->n) return u->n > v->n ? -1 : 1;
	return strcmp(u->name, v->name);
}

static sc_err bin_categorical(const sc_column *c, const unsigned char *bad, const unsigned char *use,
                              size_t n, const totals *t, const sc_params *p, sc_var *v, char *msg, size_t cap)
{
	if (c->n_levels < 0 || (c->n_levels > 0 && !c->levels) || (!c->code && n))
		return fail(msg, cap, SC_ERR_ARG, "column %s: malformed categories", c->name);
	size_t nl = (size_t)c->n_levels;
	level_count *lc = calloc(nl ? nl : 1, sizeof *lc);
	if (!lc) return SC_ERR_NOMEM;
	int64_t mg = 0, mb = 0;
	for (size_t i = 0; i < n; i++) {
		if (use && !use[i]) continue;
		int32_t code = c->code[i];
		if (code < 0) {
			if (bad[i])
				mb++;
			else
				mg++;
			continue;
		}
		if ((size_t)code >= nl) {
			free(lc);
			return fail(msg, cap, SC_ERR_ARG, "column %s: category code %ld out of range",
			            c->name, (long)code);
		}
		lc[code].n++;
		if (bad[i])
			lc[code].b++;
		else
			lc[code].g++;
	}
	for (size_t l = 0; l < nl; l++) {
		lc[l].code = (int32_t)l;
		lc[l].name = c->levels[l];
		if (!lc[l].name) {
			free(lc);
			return fail(msg, cap, SC_ERR_ARG, "column %s: a category without a name", c->name);
		}
	}
	/* keep the frequent levels, pool the rare ones; levels without training rows are unseen */
	double min_rows = p->rare_share * (double)t->rows;
	size_t kept = 0, pooled = 0;
	qsort(lc, nl, sizeof *lc, cmp_level_freq);
	for (size_t l = 0; l < nl; l++) {
		if (lc[l].n == 0) break;
		if ((double)lc[l].n >= min_rows && kept < SC_MAX_BINS - 2)
			kept++;
		else
			break;
	}
	for (size_t l = kept; l < nl && lc[l].n > 0; l++)
		pooled++;
	qsort(lc, kept, sizeof *lc, cmp_level_name);
	for (size_t l = 1; l < kept; l++)
		if (strcmp(lc[l - 1].name, lc[l].name) == 0) {
			char nm[64];
			snprintf(nm, sizeof nm, "%s", lc[l].name);
			free(lc);
			return fail(msg, cap, SC_ERR_ARG, "column %s: category \"%s\" given twice", c->name,
			            nm);
		}
	int nb = (int)kept + (pooled ? 1 : 0) + 1;
	v->bins = calloc((size_t)nb, sizeof *v->bins);
	if (!v->bins) {
		free(lc);
		return SC_ERR_NOMEM;
	}
	v->n_bins = nb;
	sc_err e = SC_OK;
	for (size_t l = 0; l < kept && !e; l++) {
		sc_bin *b = &v->bins[l];
		b->kind = SC_BIN_LEVEL;
		b->goods = lc[l].g;
		b->bads = lc[l].b;
		if (set_label(b, lc[l].name)) e = SC_ERR_NOMEM;
	}
	if (pooled && !e) {
		sc_bin *b = &v->bins[kept];
		b->kind = SC_BIN_OTHER;
		if (set_label(b, "(other)")) e = SC_ERR_NOMEM;
		size_t list = pooled < SC_OTHER_LIST_MAX ? pooled : SC_OTHER_LIST_MAX;
		b->members = calloc(list, sizeof *b->members);
		if (!b->members) e = SC_ERR_NOMEM;
		for (size_t l = kept; l < kept + pooled; l++) {
			b->goods += lc[l].g;
			b->bads += lc[l].b;
			if (e) continue;
			if (l - kept < list) {
				if (!(b->members[l - kept] = dup_str(lc[l].name))) e = SC_ERR_NOMEM;
				b->n_members++;
			} else {
				b->more_members++;
			}
		}
	}
	free(lc);
	if (e) return e;
	sc_bin *mbin = &v->bins[nb - 1];
	mbin->kind = SC_BIN_MISSING;
	mbin->goods = mg;
	mbin->bads = mb;
	if (set_label(mbin, "(missing)")) return SC_ERR_NOMEM;
	return SC_OK;
}

/* WoE and IV from the bin counts; returns the number of bins with a WoE of their own. A missing
 * or "(other)" bin cannot be merged with a neighbour like a small numeric range: when it holds
 * fewer rows than the minimum bin size its own odds are not trusted and it gets WoE 0, the
 * population's odds (it also receives the categories unseen in training). */
static int set_woe(sc_var *v, const totals *t, const sc_params *p)
{
	double min_count = ceil(p->min_bin_share * (double)t->rows);
	int k = 0;
	for (int b = 0; b < v->n_bins; b++)
		k += v->bins[b].goods + v->bins[b].bads > 0;
	double G = (double)t->goods + WOE_SMOOTH * k, B = (double)t->bads + WOE_SMOOTH * k;
	v->iv = 0;
	int informative = 0;
	for (int b = 0; b < v->n_bins; b++) {
		sc_bin *s = &v->bins[b];
		int64_t rows = s->goods + s->bads;
		if (rows == 0 ||
		    (s->kind != SC_BIN_RANGE && s->kind != SC_BIN_LEVEL && (double)rows < min_count)) {
			s->woe = 0; /* no (or too little) evidence: the population's own odds */
			continue;
		}
		double dg = ((double)s->goods + WOE_SMOOTH) / G, db = ((double)s->bads + WOE_SMOOTH) / B;
		s->woe = log(dg / db);
		v->iv += (dg - db) * s->woe;
		informative++;
	}
	return informative;
}

/* ---- logistic regression: IRLS (Newton) with an L2 penalty, Cholesky on the Hessian ---- */

typedef struct {
	const uint8_t *bins; /* n rows x k variables */
	const unsigned char *y;
	size_t n;
	int k;
	const double *const *woe; /* woe[j][bin] */
	double lambda;
} lr_problem;

static double softplus(double z)
{
	return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

static double sigmoid(double z)
{
	if (z >= 0) return 1 / (1 + exp(-z));
	double e = exp(z);
	return e / (1 + e);
}

/* One pass over the rows at beta: returns the negative log-likelihood; fills the gradient and
 * the lower triangle of the Hessian (q = k + 1, index 0 the intercept). */
static double lr_pass(const lr_problem *P, const double *beta, double *H, double *g)
{
	int q = P->k + 1;
	memset(H, 0, sizeof *H * (size_t)q * (size_t)q);
	memset(g, 0, sizeof *g * (size_t)q);
	double x[SC_MAX_VARS + 1];
	double nll = 0;
	x[0] = 1;
	for (size_t i = 0; i < P->n; i++) {
		const uint8_t *row = P->bins + i * (size_t)P->k;
		double eta = beta[0];
		for (int j = 0; j < P->k; j++) {
			x[j + 1] = P->woe[j][row[j]];
			eta += beta[j + 1] * x[j + 1];
		}
		double y = P->y[i];
		double pr = sigmoid(eta);
		nll += softplus(eta) - y * eta;
		double r = pr - y, w = pr * (1 - pr);
		for (int a = 0; a < q; a++) {
			g[a] += r * x[a];
			double wa = w * x[a];
			double *Ha = H + (size_t)a * (size_t)q;
			for (int b = 0; b <= a; b++)
				Ha[b] += wa * x[b];
		}
	}
	return nll;
}

/* Solves A d = g for a symmetric positive definite A (lower triangle given); A is overwritten by
 * its Cholesky factor. Returns -1 when A is not positive definite. */
static int cholesky_solve(double *A, int q, const double *g, double *d)
{
	double maxdiag = 0;
	for (int i = 0; i < q; i++)
		if (A[i * q + i] > maxdiag) maxdiag = A[i * q + i];
	for (int j = 0; j < q; j++) {
		double s = A[j * q + j];
		for (int k = 0; k < j; k++)
			s -= A[j * q + k] * A[j * q + k];
		if (!(s > 1e-13 * maxdiag) || !isfinite(s)) return -1;
		double l = sqrt(s);
		A[j * q + j] = l;
		for (int i = j + 1; i < q; i++) {
			double t = A[i * q + j];
			for (int k = 0; k < j; k++)
				t -= A[i * q + k] * A[j * q + k];
			A[i * q + j] = t / l;
		}
	}
	for (int i = 0; i < q; i++) { /* L z = g */
		double t = g[i];
		for (int k = 0; k < i; k++)
			t -= A[i * q + k] * d[k];
		d[i] = t / A[i * q + i];
	}
	for (int i = q - 1; i >= 0; i--) { /* L' d = z */
		double t = d[i];
		for (int k = i + 1; k < q; k++)
			t -= A[k * q + i] * d[k];
		d[i] = t / A[i * q + i];
	}
	return 0;
}

static double penalty(const lr_problem *P, const double *beta)
{
	double s = 0;
	for (int j = 1; j <= P->k; j++)
		s += beta[j] * beta[j];
	return 0.5 * P->lambda * s;
}

static sc_err lr_fit(const lr_problem *P, int max_iter, double tol, double *beta, int *iters, int *conv,
                     double *deviance)
{
	int q = P->k + 1;
	double *H = malloc(sizeof *H * (size_t)q * (size_t)q);
	double *work = malloc(sizeof *work * (size_t)q * 3);
	if (!H || !work) {
		free(H);
		free(work);
		return SC_ERR_NOMEM;
	}
	double *g = work, *d = work + q, *old = work + 2 * q;
	sc_err e = SC_OK;
	*conv = 0;
	*iters = 0;
	double nll = lr_pass(P, beta, H, g);
	double obj = nll + penalty(P, beta);
	for (int it = 1; it <= max_iter; it++) {
		*iters = it;
		for (int j = 1; j < q; j++) {
			H[j * q + j] += P->lambda;
			g[j] += P->lambda * beta[j];
		}
		if (cholesky_solve(H, q, g, d)) {
			e = SC_ERR_SINGULAR;
			break;
		}
		memcpy(old, beta, sizeof *beta * (size_t)q);
		double step = 1, new_nll = 0, new_obj = 0;
		for (;;) { /* step halving keeps every iteration a descent */
			for (int a = 0; a < q; a++)
				beta[a] = old[a] - step * d[a];
			new_nll = lr_pass(P, beta, H, g);
			new_obj = new_nll + penalty(P, beta);
			if (new_obj <= obj + 1e-12 * (1 + fabs(obj)) || step < 1.0 / 1024) break;
			step /= 2;
		}
		double maxstep = 0, maxb = 0;
		for (int a = 0; a < q; a++) {
			if (fabs(step * d[a]) > maxstep) maxstep = fabs(step * d[a]);
			if (fabs(beta[a]) > maxb) maxb = fabs(beta[a]);
		}
		nll = new_nll;
		obj = new_obj;
		if (!isfinite(obj)) {
			e = SC_ERR_SINGULAR;
			break;
		}
		if (maxstep <= tol * (1 + maxb)) {
			*conv = 1;
			break;
		}
	}
	*deviance = 2 * nll;
	free(H);
	free(work);
	return e;
}

/* ---- training ---- */

static sc_err check_params(const sc_params *p, char *msg, size_t cap)
{
	if (p->max_bins < 2 || p->max_bins > SC_MAX_CUTS_BINS)
		return fail(msg, cap, SC_ERR_ARG, "bins: expected 2 to %d, found %d", SC_MAX_CUTS_BINS,
		            p->max_bins);
	if (!(p->min_bin_share >= 0 && p->min_bin_share <= 0.5))
		return fail(msg, cap, SC_ERR_ARG, "min bin share: expected 0 to 0.5");
	if (!(p->rare_share >= 0.005 && p->rare_share <= 0.5))
		return fail(msg, cap, SC_ERR_ARG, "rare share: expected 0.005 to 0.5");
	if (!(p->l2 < 0 || (p->l2 >= 0 && p->l2 <= 1e12)))
		return fail(msg, cap, SC_ERR_ARG, "l2: expected 0 to 1e12");
	if (p->max_iter < 1 || p->max_iter > 1000 || !(p->tol > 0 && p->tol < 1))
		return fail(msg, cap, SC_ERR_ARG, "iterations: expected 1 to 1000, tolerance in (0, 1)");
	return SC_OK;
}

sc_err sc_train(const sc_column *cols, int n_cols, const unsigned char *bad, const unsigned char *use,
                size_t n, const sc_params *p, sc_model **out, char *msg, size_t cap)
{
	*out = NULL;
	if (msg && cap) msg[0] = 0;
	sc_err e = check_params(p, msg, cap);
	if (e) return e;
	if (n_cols < 1 || n_cols > SC_MAX_VARS)
		return fail(msg, cap, SC_ERR_ARG, "expected 1 to %d candidate variables, found %d",
		            SC_MAX_VARS, n_cols);
	if (n > SC_MAX_ROWS) return fail(msg, cap, SC_ERR_ARG, "more than %u rows", SC_MAX_ROWS);
	totals t = {0, 0, 0};
	for (size_t i = 0; i < n; i++) {
		if (use && !use[i]) continue;
		if (bad[i] > 1)
			return fail(msg, cap, SC_ERR_ARG, "row %zu: the outcome must be 0 or 1", i + 1);
		t.rows++;
		if (bad[i])
			t.bads++;
		else
			t.goods++;
	}
	if (t.rows == 0) return fail(msg, cap, SC_ERR_NO_ROWS, "no training rows");
	if (t.bads == 0 || t.goods == 0)
		return fail(msg, cap, SC_ERR_ONE_CLASS,
		            "the %lld training rows are all %s: a scorecard needs goods and bads",
		            (long long)t.rows, t.bads ? "bad" : "good");
	sc_model *m = sc_model_new();
	if (!m) return SC_ERR_NOMEM;
	m->vars = calloc((size_t)n_cols, sizeof *m->vars);
	if (!m->vars) {
		sc_model_free(m);
		return SC_ERR_NOMEM;
	}
	m->base_score = p->base_score;
	m->base_odds = p->base_odds;
	m->pdo = p->pdo;
	m->n_grades = p->n_grades;
	memcpy(m->grades, p->grades, sizeof m->grades);
	double lambda = p->l2 >= 0 ? p->l2 : 1e-4 * (double)t.rows;
	m->train = (sc_training){.rows = t.rows,
	                         .goods = t.goods,
	                         .bads = t.bads,
	                         .max_bins = p->max_bins,
	                         .min_bin_share = p->min_bin_share,
	                         .rare_share = p->rare_share,
	                         .monotonic = p->monotonic,
	                         .l2 = lambda};
	int used[SC_MAX_VARS], k = 0;
	uint8_t *X = NULL;
	unsigned char *yv = NULL;
	double *scores = NULL;
	for (int j = 0; j < n_cols; j++) {
		const sc_column *c = &cols[j];
		sc_var *v = &m->vars[j];
		m->n_vars = j + 1;
		if (!c->name || !c->name[0]) {
			e = fail(msg, cap, SC_ERR_ARG, "column %d has no name", j + 1);
			goto out;
		}
		if (!(v->name = dup_str(c->name))) {
			e = SC_ERR_NOMEM;
			goto out;
		}
		v->categorical = c->categorical != 0;
		if (!v->categorical && !c->x && n) {
			e = fail(msg, cap, SC_ERR_ARG, "column %s has no values", c->name);
			goto out;
		}
		e = v->categorical ? bin_categorical(c, bad, use, n, &t, p, v, msg, cap)
		                   : bin_numeric(c, bad, use, n, &t, p, v);
		if (e) goto out;
		int filled = set_woe(v, &t, p);
		if (filled >= 2) {
			v->used = 1;
			used[k++] = j;
		} else {
			int missing = v->bins[v->n_bins - 1].goods + v->bins[v->n_bins - 1].bads == t.rows;
			if (!(v->note =
			          dup_str(missing ? "dropped: every value is missing on the training rows"
			                          : "dropped: a single bin on the training rows (constant, "
			                            "or too few rows to split)"))) {
				e = SC_ERR_NOMEM;
				goto out;
			}
		}
	}
	if (k == 0) {
		e = fail(msg, cap, SC_ERR_NO_VARIABLE,
		         "no variable has two bins or more on the training rows: nothing to score with");
		goto out;
	}
	/* the design: each training row's bin per used variable */
	X = malloc((size_t)t.rows * (size_t)k);
	yv = malloc((size_t)t.rows);
	if (!X || !yv) {
		e = SC_ERR_NOMEM;
		goto out;
	}
	for (int u = 0; u < k; u++) {
		const sc_column *c = &cols[used[u]];
		sc_var *v = &m->vars[used[u]];
		e = check_var(v, used[u], msg, cap); /* derives the lookup tables used below */
		if (e) goto out;
		uint8_t *map = NULL;
		if (v->categorical) {
			map = malloc((size_t)c->n_levels + 1);
			if (!map) {
				e = SC_ERR_NOMEM;
				goto out;
			}
			for (int32_t l = 0; l < c->n_levels; l++)
				map[l] = (uint8_t)sc_bin_of_text(v, c->levels[l]);
		}
		size_t r = 0;
		for (size_t i = 0; i < n; i++) {
			if (use && !use[i]) continue;
			int b;
			if (v->categorical)
				b = c->code[i] < 0 ? v->missing_bin : map[c->code[i]];
			else
				b = sc_bin_of_number(v, c->x[i]);
			X[r * (size_t)k + (size_t)u] = (uint8_t)b;
			r++;
		}
		free(map);
	}
	{
		size_t r = 0;
		for (size_t i = 0; i < n; i++)
			if (!use || use[i]) yv[r++] = bad[i];
	}
	const double *woe[SC_MAX_VARS];
	double woe_tab[SC_MAX_VARS][SC_MAX_BINS];
	for (int u = 0; u < k; u++) {
		const sc_var *v = &m->vars[used[u]];
		for (int b = 0; b < v->n_bins; b++)
			woe_tab[u][b] = v->bins[b].woe;
		woe[u] = woe_tab[u];
	}
	lr_problem P = {X, yv, (size_t)t.rows, k, woe, lambda};
	double beta[SC_MAX_VARS + 1] = {0};
	beta[0] = log((double)t.bads / (double)t.goods);
	e = lr_fit(&P, p->max_iter, p->tol, beta, &m->train.iterations, &m->train.converged,
	           &m->train.deviance);
	if (e == SC_ERR_SINGULAR) {
		fail(msg, cap, e,
		     "the regularised Hessian is singular (collinear variables): use an L2 penalty above 0");
		goto out;
	}
	if (e) goto out;
	m->intercept = beta[0];
	for (int u = 0; u < k; u++)
		m->vars[used[u]].coef = beta[u + 1];
	e = sc_model_finish(m, msg, cap);
	if (e) goto out;
	/* the training rows' own metrics */
	scores = malloc(sizeof *scores * (size_t)t.rows);
	if (!scores) {
		e = SC_ERR_NOMEM;
		goto out;
	}
	for (size_t r = 0; r < (size_t)t.rows; r++) {
		double s = 0;
		for (int u = 0; u < k; u++)
			s += m->vars[used[u]].bins[X[r * (size_t)k + (size_t)u]].points;
		scores[r] = s;
	}
	if (p->grades_auto && (e = sc_grades_by_quantiles(scores, (size_t)t.rows, m->grades, m->n_grades)))
		goto out;
	sc_metrics mt;
	e = sc_evaluate(m, scores, yv, (size_t)t.rows, &mt);
	if (e) goto out;
	m->train.auc = mt.auc;
	m->train.gini = mt.gini;
	m->train.ks = mt.ks;
out:
	free(X);
	free(yv);
	free(scores);
	if (e) {
		if (e == SC_ERR_NOMEM) fail(msg, cap, e, "out of memory");
		sc_model_free(m);
		return e;
	}
	*out = m;
	return SC_OK;
}

/* ---- metrics ---- */

typedef struct {
	double s;
	unsigned char bad;
} sb;

static int cmp_sb(const void *a, const void *b)
{
	double u = ((const sb *)a)->s, v = ((const sb *)b)->s;
	return (u > v) - (u < v);
}

static sc_err sorted_pairs(const double *score, const unsigned char *bad, size_t n, sb **out, int64_t *goods,
                           int64_t *bads)
{
	if (n == 0) return SC_ERR_NO_ROWS;
	if (n > SC_MAX_ROWS) return SC_ERR_ARG;
	sb *a = malloc(sizeof *a * n);
	if (!a) return SC_ERR_NOMEM;
	*goods = *bads = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(score[i]) || bad[i] > 1) {
			free(a);
			return SC_ERR_ARG;
		}
		a[i] = (sb){score[i], bad[i]};
		if (bad[i])
			(*bads)++;
		else
			(*goods)++;
	}
	qsort(a, n, sizeof *a, cmp_sb);
	*out = a;
	return SC_OK;
}

/* AUC (Mann-Whitney, ties counted half) and KS from the rows sorted by score ascending. */
static void auc_ks(const sb *a, size_t n, int64_t G, int64_t B, double *auc, double *ks, double *ks_score)
{
	double pairs = 0, best = -1;
	int64_t bads_below = 0, goods_below = 0;
	*ks_score = NAN;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		int64_t gg = 0, gb = 0;
		while (j < n && a[j].s == a[i].s) {
			if (a[j].bad)
				gb++;
			else
				gg++;
			j++;
		}
		pairs += (double)gg * (double)bads_below + 0.5 * (double)gg * (double)gb;
		bads_below += gb;
		goods_below += gg;
		if (G > 0 && B > 0) {
			double d = fabs((double)bads_below / (double)B - (double)goods_below / (double)G);
			if (d > best) best = d, *ks_score = a[i].s;
		}
		i = j;
	}
	if (G > 0 && B > 0) {
		*auc = pairs / ((double)G * (double)B);
		*ks = best;
	} else {
		*auc = NAN;
		*ks = NAN;
	}
}

sc_err sc_auc(const double *score, const unsigned char *bad, size_t n, double *auc)
{
	sb *a;
	int64_t G, B;
	sc_err e = sorted_pairs(score, bad, n, &a, &G, &B);
	if (e) return e;
	double ks, kss;
	auc_ks(a, n, G, B, auc, &ks, &kss);
	free(a);
	return SC_OK;
}

sc_err sc_evaluate(const sc_model *m, const double *score, const unsigned char *bad, size_t n,
                   sc_metrics *out)
{
	memset(out, 0, sizeof *out);
	sb *a;
	int64_t G, B;
	sc_err e = sorted_pairs(score, bad, n, &a, &G, &B);
	if (e) return e;
	out->rows = (int64_t)n;
	out->goods = G;
	out->bads = B;
	auc_ks(a, n, G, B, &out->auc, &out->ks, &out->ks_score);
	out->gini = 2 * out->auc - 1;
	/* calibration: rows by predicted P(bad) ascending = score descending, in equal-count groups */
	int ng = n < SC_CALIB_GROUPS ? (int)n : SC_CALIB_GROUPS;
	out->n_calib = ng;
	for (int g = 0; g < ng; g++)
		out->calib[g] = (sc_calib_row){0, 0, INFINITY, -INFINITY, 0, 0};
	double brier = 0, ll = 0;
	for (size_t r = 0; r < n; r++) {
		const sb *row = &a[n - 1 - r];
		double pr = sc_prob_bad(m, row->s);
		int g = (int)((double)r * ng / (double)n);
		if (g >= ng) g = ng - 1;
		sc_calib_row *c = &out->calib[g];
		c->rows++;
		c->bads += row->bad;
		c->p_mean += pr;
		if (pr < c->p_min) c->p_min = pr;
		if (pr > c->p_max) c->p_max = pr;
		brier += (pr - row->bad) * (pr - row->bad);
		double pc = pr < 1e-15 ? 1e-15 : pr > 1 - 1e-15 ? 1 - 1e-15 : pr;
		ll -= row->bad ? log(pc) : log(1 - pc);
	}
	for (int g = 0; g < ng; g++) {
		sc_calib_row *c = &out->calib[g];
		if (c->rows) {
			c->p_mean /= (double)c->rows;
			c->bad_rate = (double)c->bads / (double)c->rows;
		}
	}
	out->brier = brier / (double)n;
	out->log_loss = ll / (double)n;
	out->n_grades = m->n_grades;
	for (int g = 0; g < m->n_grades; g++)
		out->grade[g] = (sc_grade_row){0, 0, NAN, NAN};
	for (size_t r = 0; r < n; r++) {
		sc_grade_row *gr = &out->grade[sc_grade_of(m, a[r].s)];
		if (gr->rows == 0) gr->min_score = a[r].s;
		gr->max_score = a[r].s;
		gr->rows++;
		gr->bads += a[r].bad;
	}
	free(a);
	return SC_OK;
}

/* model_file.c: the scorecard model file, JSON written with io/json_out and read with jansson (see
 * model_file.h for what is promised, docs/scoring.md for the layout). */
#include "io/model_file.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "io/json_out.h"
#include <jansson.h>

#define MF_NAME_MAX  1024  /* bytes of a variable name, target, id or split column */
#define MF_LABEL_MAX 65536 /* bytes of a category */

const char *model_file_strerror(mf_err e)
{
	switch (e) {
	case MF_OK:
		return "ok";
	case MF_ERR_IO:
		return "cannot read or write the model file";
	case MF_ERR_JSON:
		return "not JSON";
	case MF_ERR_FORMAT:
		return "not a Vigie scorecard of a supported version";
	case MF_ERR_INVALID:
		return "invalid model";
	case MF_ERR_NOMEM:
		return "out of memory";
	case MF_ERR_TOO_LARGE:
		return "model file too large";
	}
	return "unknown error";
}

/* ---- writing ---- */

static void num(json_out *j, const char *k, double v)
{
	char b[40];
	json_key(j, k);
	if (!isfinite(v)) {
		json_raw(j, "null");
		return;
	}
	sc_format_double(v, b, sizeof b);
	json_raw(j, b);
}

static void write_bin(json_out *j, const sc_var *v, const sc_bin *b)
{
	json_obj_begin(j);
	json_kstr(j, "bin", b->label);
	switch (b->kind) {
	case SC_BIN_RANGE:
		num(j, "lower", b->lo);
		num(j, "upper", b->hi);
		break;
	case SC_BIN_LEVEL:
		json_kstr(j, "category", b->label);
		break;
	case SC_BIN_OTHER:
		json_key(j, "other");
		json_bool(j, 1);
		json_key(j, "categories");
		json_arr_begin(j);
		for (int k = 0; k < b->n_members; k++)
			json_str(j, b->members[k]);
		json_arr_end(j);
		if (b->more_members) json_kint(j, "more_categories", b->more_members);
		break;
	case SC_BIN_MISSING:
		json_key(j, "missing");
		json_bool(j, 1);
		break;
	}
	json_kint(j, "goods", b->goods);
	json_kint(j, "bads", b->bads);
	num(j, "woe", b->woe);
	num(j, "points", b->points);
	json_kint(j, "points_rounded", (int64_t)llround(v->used ? b->points : 0));
	json_obj_end(j);
}

mf_err model_file_write(FILE *f, const sc_model *m)
{
	json_out j;
	json_init(&j, f, 1);
	json_obj_begin(&j);
	json_kstr(&j, "format", MF_FORMAT);
	json_kint(&j, "version", MF_VERSION);
	json_kstr(&j, "about",
	          "Credit scorecard. score = sum over the variables of the points of the bin the client "
	          "falls in; higher is less risky. P(bad) = 1 / (1 + exp((score - offset) / factor)). "
	          "points = -(coefficient * woe + intercept / variables_used) * factor + offset / "
	          "variables_used. See docs/scoring.md.");
	json_kstr(&j, "target", m->target ? m->target : "bad");
	json_key(&j, "id_column");
	if (m->id_column)
		json_str(&j, m->id_column);
	else
		json_raw(&j, "null");
	json_key(&j, "scaling");
	json_obj_begin(&j);
	num(&j, "base_score", m->base_score);
	num(&j, "base_odds", m->base_odds);
	num(&j, "pdo", m->pdo);
	num(&j, "factor", m->factor);
	num(&j, "offset", m->offset);
	json_obj_end(&j);
	num(&j, "intercept", m->intercept);
	json_kint(&j, "variables_used", m->n_used);
	json_key(&j, "grades");
	json_arr_begin(&j);
	for (int g = 0; g < m->n_grades; g++) {
		json_obj_begin(&j);
		json_kstr(&j, "grade", m->grades[g].name);
		num(&j, "min_score", m->grades[g].min_score);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	const sc_training *t = &m->train;
	json_key(&j, "training");
	json_obj_begin(&j);
	json_key(&j, "data");
	if (m->data)
		json_str(&j, m->data);
	else
		json_raw(&j, "null");
	json_key(&j, "split_column");
	if (m->split_column)
		json_str(&j, m->split_column);
	else
		json_raw(&j, "null");
	json_kint(&j, "rows", t->rows);
	json_kint(&j, "goods", t->goods);
	json_kint(&j, "bads", t->bads);
	json_kint(&j, "max_bins", t->max_bins);
	num(&j, "min_bin_share", t->min_bin_share);
	num(&j, "rare_share", t->rare_share);
	json_key(&j, "monotonic");
	json_bool(&j, t->monotonic);
	num(&j, "l2", t->l2);
	json_kint(&j, "iterations", t->iterations);
	json_key(&j, "converged");
	json_bool(&j, t->converged);
	num(&j, "deviance", t->deviance);
	num(&j, "auc", t->auc);
	num(&j, "gini", t->gini);
	num(&j, "ks", t->ks);
	json_obj_end(&j);
	json_key(&j, "variables");
	json_arr_begin(&j);
	for (int k = 0; k < m->n_vars; k++) {
		const sc_var *v = &m->vars[k];
		json_obj_begin(&j);
		json_kstr(&j, "name", v->name);
		json_kstr(&j, "type", v->categorical ? "categorical" : "numeric");
		json_key(&j, "used");
		json_bool(&j, v->used);
		if (v->note) json_kstr(&j, "note", v->note);
		num(&j, "coefficient", v->coef);
		num(&j, "information_value", v->iv);
		json_key(&j, "bins");
		json_arr_begin(&j);
		for (int b = 0; b < v->n_bins; b++)
			write_bin(&j, v, &v->bins[b]);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
	return j.err || ferror(f) ? MF_ERR_IO : MF_OK;
}

mf_err model_file_save(const char *path, const sc_model *m, char *err, size_t cap)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 5);
	if (!tmp) return MF_ERR_NOMEM;
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".tmp", 5);
	FILE *f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, cap, "%s: cannot write: %s", tmp, strerror(errno));
		free(tmp);
		return MF_ERR_IO;
	}
	mf_err e = model_file_write(f, m);
	if (fclose(f) != 0) e = MF_ERR_IO;
	if (!e && rename(tmp, path) != 0) e = MF_ERR_IO;
	if (e) {
		snprintf(err, cap, "%s: cannot write: %s", path, strerror(errno));
		remove(tmp);
	}
	free(tmp);
	return e;
}

/* ---- reading ---- */

typedef struct {
	const char *label;
	char *err;
	size_t cap;
} rd;

static mf_err bad(rd *r, const char *path, const char *fmt, ...)
{
	if (!r->err || !r->cap) return MF_ERR_INVALID;
	int n = snprintf(r->err, r->cap, "%s: %s: ", r->label, path);
	if (n >= 0 && (size_t)n < r->cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->cap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MF_ERR_INVALID;
}

static const char *type_name(const json_t *v)
{
	if (!v) return "nothing";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "something else";
}

/* "path.key" (truncated if need be: it only names a place in messages). */
static void join(char *buf, size_t cap, const char *path, const char *key)
{
	int n = path[0] ? snprintf(buf, cap, "%s.%s", path, key) : snprintf(buf, cap, "%s", key);
	if (n < 0) buf[0] = 0;
}

/* A finite number; null allowed (gives null_value) when nullable. */
static mf_err get_num(rd *r, const json_t *o, const char *path, const char *key, int nullable,
                      double null_value, double *out)
{
	char p[256];
	join(p, sizeof p, path, key);
	const json_t *v = json_object_get(o, key);
	if (nullable && v && json_is_null(v)) {
		*out = null_value;
		return MF_OK;
	}
	if (!v || !json_is_number(v))
		return bad(r, p, "expected a number%s, found %s", nullable ? " or null" : "", type_name(v));
	double d = json_number_value(v);
	if (!isfinite(d)) return bad(r, p, "expected a finite number");
	*out = d;
	return MF_OK;
}

static mf_err get_count(rd *r, const json_t *o, const char *path, const char *key, int64_t *out)
{
	char p[256];
	join(p, sizeof p, path, key);
	const json_t *v = json_object_get(o, key);
	if (!v || !json_is_integer(v) || json_integer_value(v) < 0)
		return bad(r, p, "expected a whole number >= 0, found %s", type_name(v));
	*out = (int64_t)json_integer_value(v);
	return MF_OK;
}

static mf_err get_bool(rd *r, const json_t *o, const char *path, const char *key, int *out)
{
	char p[256];
	join(p, sizeof p, path, key);
	const json_t *v = json_object_get(o, key);
	if (!v || !json_is_boolean(v)) return bad(r, p, "expected true or false, found %s", type_name(v));
	*out = json_is_true(v);
	return MF_OK;
}

/* A string of 1..max bytes copied to *out; null allowed (gives NULL) when nullable. */
static mf_err get_str(rd *r, const json_t *o, const char *path, const char *key, int nullable, size_t max,
                      char **out)
{
	char p[256];
	join(p, sizeof p, path, key);
	const json_t *v = json_object_get(o, key);
	*out = NULL;
	if (nullable && (!v || json_is_null(v))) return MF_OK;
	if (!v || !json_is_string(v))
		return bad(r, p, "expected a string%s, found %s", nullable ? " or null" : "", type_name(v));
	size_t n = json_string_length(v);
	const char *s = json_string_value(v);
	if (n == 0 || n > max || strlen(s) != n)
		return bad(r, p, "expected 1 to %zu bytes of text without NUL", max);
	*out = malloc(n + 1);
	if (!*out) return MF_ERR_NOMEM;
	memcpy(*out, s, n + 1);
	return MF_OK;
}

static int is_flag(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static mf_err read_bin(rd *r, const json_t *o, const char *path, const sc_var *v, sc_bin *b)
{
	if (!json_is_object(o)) return bad(r, path, "expected an object, found %s", type_name(o));
	mf_err e;
	if (is_flag(o, "missing")) {
		b->kind = SC_BIN_MISSING;
	} else if (!v->categorical) {
		b->kind = SC_BIN_RANGE;
		if ((e = get_num(r, o, path, "lower", 1, -INFINITY, &b->lo))) return e;
		if ((e = get_num(r, o, path, "upper", 1, INFINITY, &b->hi))) return e;
	} else if (is_flag(o, "other")) {
		b->kind = SC_BIN_OTHER;
		const json_t *cats = json_object_get(o, "categories");
		if (cats) {
			char p[256];
			join(p, sizeof p, path, "categories");
			if (!json_is_array(cats) || json_array_size(cats) > SC_OTHER_LIST_MAX)
				return bad(r, p, "expected an array of at most %d names", SC_OTHER_LIST_MAX);
			size_t nc = json_array_size(cats);
			b->members = calloc(nc ? nc : 1, sizeof *b->members);
			if (!b->members) return MF_ERR_NOMEM;
			for (size_t k = 0; k < nc; k++) {
				const json_t *c = json_array_get(cats, k);
				if (!json_is_string(c) || json_string_length(c) > MF_LABEL_MAX ||
				    strlen(json_string_value(c)) != json_string_length(c))
					return bad(r, p, "expected category names");
				b->members[k] = strdup(json_string_value(c));
				if (!b->members[k]) return MF_ERR_NOMEM;
				b->n_members++;
			}
		}
		const json_t *more = json_object_get(o, "more_categories");
		if (more && (e = get_count(r, o, path, "more_categories", &b->more_members))) return e;
	} else {
		b->kind = SC_BIN_LEVEL;
		if ((e = get_str(r, o, path, "category", 0, MF_LABEL_MAX, &b->label))) return e;
	}
	if ((e = get_count(r, o, path, "goods", &b->goods))) return e;
	if ((e = get_count(r, o, path, "bads", &b->bads))) return e;
	if ((e = get_num(r, o, path, "woe", 0, 0, &b->woe))) return e;
	return MF_OK;
}

static mf_err read_var(rd *r, const json_t *o, const char *path, sc_var *v)
{
	if (!json_is_object(o)) return bad(r, path, "expected an object, found %s", type_name(o));
	mf_err e;
	if ((e = get_str(r, o, path, "name", 0, MF_NAME_MAX, &v->name))) return e;
	char *type;
	if ((e = get_str(r, o, path, "type", 0, 32, &type))) return e;
	int cat = strcmp(type, "categorical") == 0, numeric = strcmp(type, "numeric") == 0;
	free(type);
	char p[256];
	join(p, sizeof p, path, "type");
	if (!cat && !numeric) return bad(r, p, "expected \"numeric\" or \"categorical\"");
	v->categorical = cat;
	if ((e = get_bool(r, o, path, "used", &v->used))) return e;
	if ((e = get_str(r, o, path, "note", 1, MF_NAME_MAX, &v->note))) return e;
	if ((e = get_num(r, o, path, "coefficient", 0, 0, &v->coef))) return e;
	if (json_object_get(o, "information_value") &&
	    (e = get_num(r, o, path, "information_value", 1, 0, &v->iv)))
		return e;
	const json_t *bins = json_object_get(o, "bins");
	join(p, sizeof p, path, "bins");
	if (!json_is_array(bins) || json_array_size(bins) < 1 || json_array_size(bins) > SC_MAX_BINS)
		return bad(r, p, "expected an array of 1 to %d bins, found %s", SC_MAX_BINS, type_name(bins));
	size_t nb = json_array_size(bins);
	v->bins = calloc(nb, sizeof *v->bins);
	if (!v->bins) return MF_ERR_NOMEM;
	v->n_bins = (int)nb;
	for (size_t b = 0; b < nb; b++) {
		char bp[256];
		if (snprintf(bp, sizeof bp, "%s[%zu]", p, b) < 0) bp[0] = 0;
		if ((e = read_bin(r, json_array_get(bins, b), bp, v, &v->bins[b]))) return e;
	}
	return MF_OK;
}

static mf_err read_training(rd *r, const json_t *o, sc_model *m)
{
	if (!o || json_is_null(o)) return MF_OK;
	if (!json_is_object(o)) return bad(r, "training", "expected an object, found %s", type_name(o));
	sc_training *t = &m->train;
	mf_err e;
	const char *P = "training";
	if ((e = get_str(r, o, P, "data", 1, 4096, &m->data))) return e;
	if ((e = get_str(r, o, P, "split_column", 1, MF_NAME_MAX, &m->split_column))) return e;
	if ((e = get_count(r, o, P, "rows", &t->rows)) || (e = get_count(r, o, P, "goods", &t->goods)) ||
	    (e = get_count(r, o, P, "bads", &t->bads)))
		return e;
	int64_t mb = 0, it = 0;
	if ((e = get_count(r, o, P, "max_bins", &mb)) || (e = get_count(r, o, P, "iterations", &it)))
		return e;
	if (mb > SC_MAX_CUTS_BINS || it > 100000) return bad(r, P, "max_bins or iterations out of range");
	t->max_bins = (int)mb;
	t->iterations = (int)it;
	if ((e = get_num(r, o, P, "min_bin_share", 0, 0, &t->min_bin_share)) ||
	    (e = get_num(r, o, P, "rare_share", 0, 0, &t->rare_share)) ||
	    (e = get_bool(r, o, P, "monotonic", &t->monotonic)) ||
	    (e = get_num(r, o, P, "l2", 0, 0, &t->l2)) ||
	    (e = get_bool(r, o, P, "converged", &t->converged)) ||
	    (e = get_num(r, o, P, "deviance", 1, NAN, &t->deviance)) ||
	    (e = get_num(r, o, P, "auc", 1, NAN, &t->auc)) ||
	    (e = get_num(r, o, P, "gini", 1, NAN, &t->gini)) || (e = get_num(r, o, P, "ks", 1, NAN, &t->ks)))
		return e;
	return MF_OK;
}

static mf_err read_model(rd *r, const json_t *root, sc_model *m)
{
	if (!json_is_object(root)) return bad(r, "(top)", "expected an object, found %s", type_name(root));
	const json_t *fmt = json_object_get(root, "format");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), MF_FORMAT) != 0) {
		bad(r, "format", "expected \"%s\": this is not a Vigie scorecard model", MF_FORMAT);
		return MF_ERR_FORMAT;
	}
	const json_t *ver = json_object_get(root, "version");
	if (!json_is_integer(ver) || json_integer_value(ver) != MF_VERSION) {
		if (json_is_integer(ver))
			bad(r, "version", "expected %d (the version this vigie reads), found %lld",
			    MF_VERSION, (long long)json_integer_value(ver));
		else
			bad(r, "version", "expected %d, found %s", MF_VERSION, type_name(ver));
		return MF_ERR_FORMAT;
	}
	mf_err e;
	if ((e = get_str(r, root, "", "target", 0, MF_NAME_MAX, &m->target))) return e;
	if ((e = get_str(r, root, "", "id_column", 1, MF_NAME_MAX, &m->id_column))) return e;
	const json_t *sc = json_object_get(root, "scaling");
	if (!json_is_object(sc)) return bad(r, "scaling", "expected an object, found %s", type_name(sc));
	if ((e = get_num(r, sc, "scaling", "base_score", 0, 0, &m->base_score)) ||
	    (e = get_num(r, sc, "scaling", "base_odds", 0, 0, &m->base_odds)) ||
	    (e = get_num(r, sc, "scaling", "pdo", 0, 0, &m->pdo)))
		return e;
	if ((e = get_num(r, root, "", "intercept", 0, 0, &m->intercept))) return e;
	const json_t *grades = json_object_get(root, "grades");
	if (!json_is_array(grades) || json_array_size(grades) < 1 || json_array_size(grades) > SC_MAX_GRADES)
		return bad(r, "grades", "expected an array of 1 to %d grades, found %s", SC_MAX_GRADES,
		           type_name(grades));
	m->n_grades = (int)json_array_size(grades);
	for (int g = 0; g < m->n_grades; g++) {
		char p[64];
		if (snprintf(p, sizeof p, "grades[%d]", g) < 0) p[0] = 0;
		const json_t *go = json_array_get(grades, (size_t)g);
		if (!json_is_object(go)) return bad(r, p, "expected an object, found %s", type_name(go));
		char *name;
		if ((e = get_str(r, go, p, "grade", 0, SC_GRADE_NAME_MAX - 1, &name))) return e;
		memcpy(m->grades[g].name, name, strlen(name) + 1);
		free(name);
		if ((e = get_num(r, go, p, "min_score", 1, -INFINITY, &m->grades[g].min_score))) return e;
	}
	if ((e = read_training(r, json_object_get(root, "training"), m))) return e;
	const json_t *vars = json_object_get(root, "variables");
	if (!json_is_array(vars) || json_array_size(vars) < 1 || json_array_size(vars) > SC_MAX_VARS)
		return bad(r, "variables", "expected an array of 1 to %d variables, found %s", SC_MAX_VARS,
		           type_name(vars));
	size_t nv = json_array_size(vars);
	m->vars = calloc(nv, sizeof *m->vars);
	if (!m->vars) return MF_ERR_NOMEM;
	m->n_vars = (int)nv;
	for (size_t k = 0; k < nv; k++) {
		char p[64];
		if (snprintf(p, sizeof p, "variables[%zu]", k) < 0) p[0] = 0;
		if ((e = read_var(r, json_array_get(vars, k), p, &m->vars[k]))) return e;
	}
	char msg[400];
	sc_err se = sc_model_finish(m, msg, sizeof msg);
	if (se == SC_ERR_NOMEM) return MF_ERR_NOMEM;
	if (se) return bad(r, "model", "%s", msg);
	/* the scaling and points written must follow from the rest */
	double f, off;
	if ((e = get_num(r, sc, "scaling", "factor", 0, 0, &f)) ||
	    (e = get_num(r, sc, "scaling", "offset", 0, 0, &off)))
		return e;
	if (fabs(f - m->factor) > 1e-9 * fmax(1, fabs(m->factor)) ||
	    fabs(off - m->offset) > 1e-9 * fmax(1, fabs(m->offset)))
		return bad(r, "scaling",
		           "expected factor = pdo / ln 2 = %.10g and offset = base_score - factor "
		           "* ln(base_odds) = %.10g",
		           m->factor, m->offset);
	for (size_t k = 0; k < nv; k++) {
		const json_t *bins = json_object_get(json_array_get(vars, k), "bins");
		const sc_var *v = &m->vars[k];
		for (int b = 0; b < v->n_bins; b++) {
			char p[200];
			if (snprintf(p, sizeof p, "variables[%zu].bins[%d]", k, b) < 0) p[0] = 0;
			double pts;
			if ((e = get_num(r, json_array_get(bins, (size_t)b), p, "points", 0, 0, &pts)))
				return e;
			double want = v->bins[b].points;
			if (fabs(pts - want) > 1e-6 * fmax(1, fabs(want)))
				return bad(r, p,
				           "points: expected %.10g (from the coefficient, WoE, intercept and "
				           "scaling), found %.10g",
				           want, pts);
		}
	}
	return MF_OK;
}

mf_err model_file_parse(const char *buf, size_t len, const char *label, sc_model **out, char *err, size_t cap)
{
	*out = NULL;
	rd r = {label ? label : "(model)", err, cap};
	if (err && cap) err[0] = 0;
	if (len > MF_MAX_BYTES) {
		if (err)
			snprintf(err, cap, "%s: more than %zu bytes: not a model file", r.label,
			         MF_MAX_BYTES);
		return MF_ERR_TOO_LARGE;
	}
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (err)
			snprintf(err, cap, "%s:%d: expected JSON, found an error: %s", r.label, je.line,
			         je.text);
		return MF_ERR_JSON;
	}
	sc_model *m = sc_model_new();
	mf_err e = m ? read_model(&r, root, m) : MF_ERR_NOMEM;
	json_decref(root);
	if (e) {
		if (e == MF_ERR_NOMEM && err) snprintf(err, cap, "%s: out of memory", r.label);
		sc_model_free(m);
		return e;
	}
	*out = m;
	return MF_OK;
}

mf_err model_file_load(const char *path, sc_model **out, char *err, size_t cap)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, cap, "%s: cannot open: %s", path, strerror(errno));
		return MF_ERR_IO;
	}
	size_t n = 0, bcap = 1 << 16;
	char *buf = malloc(bcap);
	mf_err e = buf ? MF_OK : MF_ERR_NOMEM;
	while (!e) {
		if (n == bcap) {
			if (bcap > MF_MAX_BYTES) {
				e = MF_ERR_TOO_LARGE;
				snprintf(err, cap, "%s: more than %zu bytes: not a model file", path,
				         MF_MAX_BYTES);
				break;
			}
			char *nb = realloc(buf, bcap * 2);
			if (!nb) {
				e = MF_ERR_NOMEM;
				break;
			}
			buf = nb;
			bcap *= 2;
		}
		size_t got = fread(buf + n, 1, bcap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				e = MF_ERR_IO;
				snprintf(err, cap, "%s: cannot read: %s", path, strerror(errno));
			}
			break;
		}
	}
	fclose(f);
	if (!e)
		e = model_file_parse(buf, n, path, out, err, cap);
	else if (e == MF_ERR_NOMEM)
		snprintf(err, cap, "%s: out of memory", path);
	free(buf);
	return e;
}

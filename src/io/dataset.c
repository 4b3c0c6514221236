/* dataset.c: a CSV data set read into columns for the scorecard (see dataset.h). Two passes over
 * the file when a column's kind must be detected (the first only classifies values), one otherwise;
 * the second pass stores values and reports every bad field with its line. */
#include "io/dataset.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "io/csv.h"

const char *dataset_strerror(ds_err e)
{
	switch (e) {
	case DS_OK:
		return "ok";
	case DS_ERR_OPEN:
		return "cannot open or read the file";
	case DS_ERR_BAD_INPUT:
		return "malformed data";
	case DS_ERR_NOMEM:
		return "out of memory";
	case DS_ERR_TOO_LARGE:
		return "data set too large";
	case DS_ERR_ARG:
		return "invalid argument";
	}
	return "unknown error";
}

/* ---- numbers ---- */

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

ds_num_class dataset_parse_number(const char *s, size_t len, double *out)
{
	while (len && blank(*s))
		s++, len--;
	while (len && blank(s[len - 1]))
		len--;
	if (len == 0 || (len == 2 && s[0] == 'N' && s[1] == 'A')) return DS_NUM_MISSING;
	size_t i = 0;
	int sign = s[0] == '+' || s[0] == '-';
	i += (size_t)sign;
	static const char *const words[] = {"inf", "infinity", "nan"};
	for (size_t w = 0; w < sizeof words / sizeof *words; w++)
		if (len - i == strlen(words[w]) && strncasecmp(s + i, words[w], len - i) == 0)
			return DS_NUM_NONFINITE;
	size_t digits = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (digits == 0) return DS_NUM_TEXT;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-')) i++;
		size_t ed = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, ed++;
		if (ed == 0) return DS_NUM_TEXT;
	}
	if (i != len) return DS_NUM_TEXT;
	errno = 0;
	double v = strtod(s, NULL); /* stops at the trailing blanks or the NUL */
	if (!isfinite(v)) return DS_NUM_NONFINITE;
	*out = v == 0 ? 0.0 : v; /* no negative zero */
	return DS_NUM_FINITE;
}

/* ---- errors ---- */

typedef struct {
	const char *label;
	char *buf;
	size_t cap, used;
	long count;
	int max;
} errs;

static void verr(errs *E, long line, const char *field, const char *fmt, va_list ap)
{
	E->count++;
	if (E->count > E->max || !E->buf || E->used + 1 >= E->cap) return;
	char *p = E->buf + E->used;
	size_t room = E->cap - E->used;
	int n =
	    line > 0 ? snprintf(p, room, "%s:%ld: ", E->label, line) : snprintf(p, room, "%s: ", E->label);
	if (n > 0 && (size_t)n < room && field) n += snprintf(p + n, room - (size_t)n, "%s: ", field);
	if (n > 0 && (size_t)n < room) n += vsnprintf(p + n, room - (size_t)n, fmt, ap);
	if (n > 0 && (size_t)n + 1 < room) {
		p[n++] = '\n';
		p[n] = 0;
	}
	if (n < 0) return;
	E->used += (size_t)n < room ? (size_t)n : room - 1;
}

static void add_err(errs *E, long line, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(E, line, field, fmt, ap);
	va_end(ap);
}

/* A value shown in a message: quoted, at most 40 bytes, control characters as '?'. */
static const char *shown(const char *s, char *buf, size_t cap)
{
	size_t n = strlen(s), k = 0;
	int cut = n > 40;
	if (cut) n = 40;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80 && cut) /* do not split a UTF-8 character */
		n--;
	buf[k++] = '"';
	for (size_t i = 0; i < n && k + 5 < cap; i++)
		buf[k++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	if (cut && k + 5 < cap) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k++] = '"';
	buf[k] = 0;
	return buf;
}

/* ---- columns ---- */

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d) return NULL;
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* The level code of s (trimmed), added when new; -1 out of memory. */
static int32_t intern(ds_column *c, const char *s, size_t n)
{
	if ((uint64_t)c->n_levels * 2 >= c->n_slots) {
		uint32_t ns = c->n_slots ? c->n_slots * 2 : 64;
		if (ns > (1u << 30)) return -1;
		uint32_t *slots = calloc(ns, sizeof *slots);
		if (!slots) return -1;
		for (int32_t l = 0; l < c->n_levels; l++) {
			uint64_t h = hash(c->levels[l], strlen(c->levels[l]));
			uint32_t k = (uint32_t)h & (ns - 1);
			while (slots[k])
				k = (k + 1) & (ns - 1);
			slots[k] = (uint32_t)l + 1;
		}
		free(c->slots);
		c->slots = slots;
		c->n_slots = ns;
	}
	uint64_t h = hash(s, n);
	uint32_t k = (uint32_t)h & (c->n_slots - 1);
	while (c->slots[k]) {
		const char *l = c->levels[c->slots[k] - 1];
		if (strncmp(l, s, n) == 0 && l[n] == 0) return (int32_t)c->slots[k] - 1;
		k = (k + 1) & (c->n_slots - 1);
	}
	if (c->n_levels == c->levels_cap) {
		int32_t nc = c->levels_cap ? c->levels_cap * 2 : 16;
		char **lv = realloc(c->levels, sizeof *lv * (size_t)nc);
		if (!lv) return -1;
		c->levels = lv;
		c->levels_cap = nc;
	}
	char *d = dup_n(s, n);
	if (!d) return -1;
	c->levels[c->n_levels] = d;
	c->slots[k] = (uint32_t)c->n_levels + 1;
	return c->n_levels++;
}

static int add_text(ds_column *c, size_t row, const char *s, size_t n)
{
	if (c->text_len + n + 1 > c->text_cap) {
		size_t nc = c->text_cap ? c->text_cap : 4096;
		while (nc < c->text_len + n + 1)
			nc *= 2;
		char *t = realloc(c->text, nc);
		if (!t) return -1;
		c->text = t;
		c->text_cap = nc;
	}
	memcpy(c->text + c->text_len, s, n);
	c->text[c->text_len + n] = 0;
	c->off[row] = c->text_len;
	c->text_len += n + 1;
	return 0;
}

static void free_column(ds_column *c)
{
	free(c->name);
	free(c->num);
	free(c->code);
	for (int32_t l = 0; l < c->n_levels; l++)
		free(c->levels[l]);
	free(c->levels);
	free(c->text);
	free(c->off);
	free(c->slots);
}

void dataset_free(dataset *d)
{
	if (!d) return;
	for (int i = 0; i < d->n_cols; i++)
		free_column(&d->cols[i]);
	free(d->cols);
	free(d->line);
	free(d);
}

int dataset_find(const dataset *d, const char *name)
{
	for (int i = 0; i < d->n_cols; i++)
		if (strcmp(d->cols[i].name, name) == 0) return i;
	return -1;
}

const char *dataset_text(const dataset *d, int col, size_t row)
{
	if (col < 0 || col >= d->n_cols || row >= d->n_rows) return NULL;
	const ds_column *c = &d->cols[col];
	if (c->kind == DS_ID) return c->text + c->off[row];
	if (c->kind == DS_TEXT) return c->code[row] < 0 ? NULL : c->levels[c->code[row]];
	return NULL;
}

static int grow_rows(dataset *d)
{
	if (d->n_rows < d->rows_cap) return 0;
	size_t nc = d->rows_cap ? d->rows_cap * 2 : 1024;
	long *line = realloc(d->line, sizeof *line * nc);
	if (!line) return -1;
	d->line = line;
	for (int i = 0; i < d->n_cols; i++) {
		ds_column *c = &d->cols[i];
		if (c->kind == DS_NUMERIC || c->kind == DS_BINARY) {
			double *v = realloc(c->num, sizeof *v * nc);
			if (!v) return -1;
			c->num = v;
		} else if (c->kind == DS_TEXT) {
			int32_t *v = realloc(c->code, sizeof *v * nc);
			if (!v) return -1;
			c->code = v;
		} else {
			size_t *v = realloc(c->off, sizeof *v * nc);
			if (!v) return -1;
			c->off = v;
		}
	}
	d->rows_cap = nc;
	return 0;
}

/* ---- reading ---- */

typedef struct {
	const char *path; /* or NULL: buf */
	const char *buf;
	size_t len;
} source;

static csv_reader *open_source(const source *s, errs *E, ds_err *why)
{
	if (!s->path) {
		csv_reader *r = csv_open_memory(s->buf, s->len);
		if (!r) *why = DS_ERR_NOMEM;
		return r;
	}
	char msg[512];
	csv_reader *r = csv_open(s->path, msg, sizeof msg);
	if (!r) {
		*why = DS_ERR_OPEN;
		add_err(E, 0, NULL, "%s", msg);
	}
	return r;
}

typedef struct {
	int n_header;
	int *col_of; /* header index -> column index, or -1 */
	char **names;
} header;

static void free_header(header *h)
{
	for (int i = 0; i < h->n_header; i++)
		free(h->names[i]);
	free(h->names);
	free(h->col_of);
}

/* Maps the header to the columns to read; reports a missing required column or a duplicate. */
static ds_err read_header(const csv_row *row, const ds_opts *o, dataset *d, header *h, errs *E)
{
	h->n_header = row->n;
	h->col_of = malloc(sizeof *h->col_of * (size_t)row->n);
	h->names = calloc((size_t)row->n, sizeof *h->names);
	d->cols = calloc((size_t)row->n, sizeof *d->cols);
	if (!h->col_of || !h->names || !d->cols) return DS_ERR_NOMEM;
	int bad = 0;
	char sh[64];
	for (int i = 0; i < row->n; i++) {
		const char *s = row->field[i];
		size_t n = row->len[i];
		while (n && blank(*s))
			s++, n--;
		while (n && blank(s[n - 1]))
			n--;
		if (!(h->names[i] = dup_n(s, n))) return DS_ERR_NOMEM;
		ds_kind k = o->others;
		for (int w = 0; w < o->n_want; w++)
			if (strcmp(o->want[w].name, h->names[i]) == 0) k = o->want[w].kind;
		h->col_of[i] = -1;
		if (k == DS_SKIP) continue;
		if (n == 0) {
			add_err(E, row->line, "header", "expected a name for column %d, found an empty field",
			        i + 1);
			bad = 1;
			continue;
		}
		for (int j = 0; j < i; j++)
			if (strcmp(h->names[j], h->names[i]) == 0) {
				add_err(E, row->line, "header",
				        "expected unique column names, found %s twice",
				        shown(h->names[i], sh, sizeof sh));
				bad = 1;
			}
		ds_column *c = &d->cols[d->n_cols];
		if (!(c->name = dup_n(h->names[i], strlen(h->names[i])))) return DS_ERR_NOMEM;
		c->kind = k;
		h->col_of[i] = d->n_cols++;
	}
	for (int w = 0; w < o->n_want; w++) {
		if (!o->want[w].required) continue;
		int found = 0;
		for (int i = 0; i < row->n; i++)
			found |= strcmp(h->names[i], o->want[w].name) == 0;
		if (!found) {
			add_err(E, row->line, "header", "expected a column %s, found none",
			        shown(o->want[w].name, sh, sizeof sh));
			bad = 1;
		}
	}
	return bad ? DS_ERR_BAD_INPUT : DS_OK;
}

/* First pass: the kind of every DS_AUTO column (text as soon as one value is not a number). */
static ds_err detect(const source *src, dataset *d, const header *h, errs *E)
{
	ds_err why = DS_OK;
	csv_reader *r = open_source(src, E, &why);
	if (!r) return why;
	int *is_text = calloc((size_t)d->n_cols + 1, sizeof *is_text);
	if (!is_text) {
		csv_close(r);
		return DS_ERR_NOMEM;
	}
	csv_row row;
	csv_rc rc;
	int first = 1;
	size_t rows = 0;
	while ((rc = csv_next(r, &row)) == CSV_ROW || rc == CSV_BAD_ROW) {
		if (rc == CSV_BAD_ROW || row.n != h->n_header) continue;
		if (first) {
			first = 0;
			continue;
		}
		if (++rows > DS_MAX_ROWS) {
			why = DS_ERR_TOO_LARGE;
			break;
		}
		for (int i = 0; i < row.n; i++) {
			int c = h->col_of[i];
			if (c < 0 || d->cols[c].kind != DS_AUTO || is_text[c]) continue;
			double v;
			if (dataset_parse_number(row.field[i], row.len[i], &v) == DS_NUM_TEXT) is_text[c] = 1;
		}
	}
	csv_close(r);
	for (int c = 0; c < d->n_cols; c++)
		if (d->cols[c].kind == DS_AUTO) d->cols[c].kind = is_text[c] ? DS_TEXT : DS_NUMERIC;
	free(is_text);
	return why;
}

/* Stores one field; returns 0, or -1 after reporting it. */
static int store_field(dataset *d, ds_column *c, size_t row, const char *s, size_t n, long line, errs *E,
                       int *nomem)
{
	char sh[64];
	double v = NAN;
	switch (c->kind) {
	case DS_NUMERIC:
	case DS_BINARY: {
		ds_num_class k = dataset_parse_number(s, n, &v);
		c->num[row] = NAN;
		if (c->kind == DS_BINARY) {
			if (k != DS_NUM_FINITE || (v != 0 && v != 1)) {
				add_err(E, line, c->name, "expected 0 or 1, found %s",
				        shown(s, sh, sizeof sh));
				return -1;
			}
		} else if (k == DS_NUM_TEXT) {
			add_err(E, line, c->name, "expected a number or an empty field (missing), found %s",
			        shown(s, sh, sizeof sh));
			return -1;
		} else if (k == DS_NUM_NONFINITE) {
			add_err(E, line, c->name,
			        "expected a finite number or an empty field (missing), found %s",
			        shown(s, sh, sizeof sh));
			return -1;
		} else if (k == DS_NUM_MISSING) {
			c->n_missing++;
			return 0;
		}
		c->num[row] = v;
		return 0;
	}
	case DS_TEXT: {
		while (n && blank(*s))
			s++, n--;
		while (n && blank(s[n - 1]))
			n--;
		if (n == 0 || (n == 2 && s[0] == 'N' && s[1] == 'A')) {
			c->code[row] = -1;
			c->n_missing++;
			return 0;
		}
		int32_t code = intern(c, s, n);
		if (code < 0) {
			*nomem = 1;
			code = -1;
		}
		c->code[row] = code;
		return 0;
	}
	case DS_ID: {
		while (n && blank(*s))
			s++, n--;
		while (n && blank(s[n - 1]))
			n--;
		if (add_text(c, row, s, n)) {
			*nomem = 1;
			return -1;
		}
		if (n == 0) {
			add_err(E, line, c->name, "expected an id, found an empty field");
			return -1;
		}
		return 0;
	}
	default:
		(void)d;
		return 0;
	}
}

static ds_err fill(const source *src, dataset *d, const header *h, errs *E)
{
	ds_err why = DS_OK;
	csv_reader *r = open_source(src, E, &why);
	if (!r) return why;
	csv_row row;
	int first = 1, nomem = 0;
	for (;;) {
		csv_rc rc = csv_next(r, &row);
		if (rc == CSV_EOF) break;
		if (rc == CSV_FATAL) {
			add_err(E, csv_errline(r), NULL, "%s", csv_errmsg(r));
			why = DS_ERR_BAD_INPUT;
			break;
		}
		if (rc == CSV_BAD_ROW) {
			add_err(E, csv_errline(r), NULL,
			        "expected a well-formed CSV row (RFC 4180), found %s", csv_errmsg(r));
			if (first) break;
			continue;
		}
		if (first) {
			first = 0;
			continue;
		}
		if (row.n != h->n_header) {
			add_err(E, row.line, NULL, "expected %d fields as in the header, found %d",
			        h->n_header, row.n);
			continue;
		}
		if (d->n_rows >= DS_MAX_ROWS) {
			why = DS_ERR_TOO_LARGE;
			add_err(E, row.line, NULL, "expected at most %u rows", DS_MAX_ROWS);
			break;
		}
		if (grow_rows(d)) {
			nomem = 1;
			break;
		}
		size_t i = d->n_rows;
		d->line[i] = row.line;
		for (int f = 0; f < row.n; f++) {
			int c = h->col_of[f];
			if (c >= 0)
				store_field(d, &d->cols[c], i, row.field[f], row.len[f], row.line, E, &nomem);
		}
		if (nomem) break;
		d->n_rows++;
	}
	csv_close(r);
	if (nomem) return DS_ERR_NOMEM;
	return why;
}

static ds_err read_source(const source *src, const char *label, const ds_opts *o, dataset **out, char *err,
                          size_t errcap)
{
	*out = NULL;
	if (err && errcap) err[0] = 0;
	errs E = {label, err, errcap, 0, 0, o->max_errors > 0 ? o->max_errors : DS_MAX_ERRORS};
	if (o->others != DS_AUTO && o->others != DS_SKIP) return DS_ERR_ARG;
	dataset *d = calloc(1, sizeof *d);
	if (!d) return DS_ERR_NOMEM;
	header h = {0, NULL, NULL};
	ds_err why = DS_OK;
	csv_reader *r = open_source(src, &E, &why);
	if (!r) {
		free(d);
		return why;
	}
	csv_row row;
	csv_rc rc = csv_next(r, &row);
	if (rc == CSV_EOF) {
		add_err(&E, 1, "header", "expected a header line naming the columns, found an empty file");
		why = DS_ERR_BAD_INPUT;
	} else if (rc != CSV_ROW) {
		add_err(&E, csv_errline(r), "header", "expected a well-formed CSV header, found %s",
		        csv_errmsg(r));
		why = DS_ERR_BAD_INPUT;
	} else {
		why = read_header(&row, o, d, &h, &E);
	}
	csv_close(r);
	int auto_kind = 0;
	for (int c = 0; c < d->n_cols; c++)
		auto_kind |= d->cols[c].kind == DS_AUTO;
	if (!why && auto_kind) why = detect(src, d, &h, &E);
	if (!why) why = fill(src, d, &h, &E);
	if (!why && E.count) why = DS_ERR_BAD_INPUT;
	if (E.count > E.max && err && E.used + 1 < errcap)
		snprintf(err + E.used, errcap - E.used, "%s: ... and %ld more errors\n", label,
		         E.count - E.max);
	if (why == DS_ERR_NOMEM && err && !E.count) snprintf(err, errcap, "%s: out of memory\n", label);
	if (why == DS_ERR_TOO_LARGE && err && !E.count)
		snprintf(err, errcap, "%s: more than %u rows\n", label, DS_MAX_ROWS);
	free_header(&h);
	if (why) {
		dataset_free(d);
		return why;
	}
	*out = d;
	return DS_OK;
}

ds_err dataset_read_memory(const char *buf, size_t len, const char *label, const ds_opts *o, dataset **out,
                           char *err, size_t errcap)
{
	source s = {NULL, buf, len};
	return read_source(&s, label ? label : "(memory)", o, out, err, errcap);
}

/* Standard input, held in memory: the reader goes over the data more than once. */
static ds_err slurp_stdin(char **buf, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *b = malloc(cap);
	if (!b) return DS_ERR_NOMEM;
	for (;;) {
		if (n == cap) {
			if (cap >= DS_MAX_STDIN) {
				free(b);
				return DS_ERR_TOO_LARGE;
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				return DS_ERR_NOMEM;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t got = read(0, b + n, cap - n);
		if (got < 0 && errno == EINTR) continue;
		if (got < 0) {
			free(b);
			return DS_ERR_OPEN;
		}
		if (got == 0) break;
		n += (size_t)got;
	}
	*buf = b;
	*len = n;
	return DS_OK;
}

ds_err dataset_read(const char *path, const char *label, const ds_opts *o, dataset **out, char *err,
                    size_t errcap)
{
	if (!label) label = strcmp(path, "-") == 0 ? "(stdin)" : path;
	if (strcmp(path, "-") == 0) { /* read more than once (header, detection, values) */
		char *buf;
		size_t len;
		ds_err e = slurp_stdin(&buf, &len);
		if (e) {
			*out = NULL;
			if (err && errcap) snprintf(err, errcap, "%s: %s\n", label, dataset_strerror(e));
			return e;
		}
		e = dataset_read_memory(buf, len, label, o, out, err, errcap);
		free(buf);
		return e;
	}
	source s = {path, NULL, 0};
	return read_source(&s, label, o, out, err, errcap);
}

/* risk_import.c: CSV imports of the risk module (see risk_import.h). Small files (facts, groups,
 * limits, commitments), so rows are written one by one in one transaction; every row is checked even
 * after an error, and any error rolls everything back. */
#include "io/risk_import.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "core/money.h"
#include "engine/exposure.h"
#include "io/csv.h"
#include "io/json_out.h"
#include "store/store_audit.h"
#include "store/store_risk.h"

static const char *const KINDS[] = {"facts", "groups", "limits", "commitments"};

/* Columns of each kind; a leading '*' marks a required one. */
static const char *const COLS[4][8] = {
    {"*client_id", "*fact_on", "*kind", "value", "text", "source", NULL},
    {"*client_id", "*group", NULL},
    {"*subject_kind", "*subject", "*currency", "*amount", "*from_on", "document", NULL},
    {"*commitment_id", "*client_id", "*currency", "*amount", "*approved_on", "ends_on", NULL},
};

int risk_import_kind_parse(const char *s, risk_import_kind *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, KINDS[i]) == 0) {
			*out = (risk_import_kind)i;
			return 0;
		}
	return -1;
}

typedef struct {
	const char *label;
	FILE *err;
	import_stats *st;
	csv_row row;
	int col[8];
	long alerts; /* limit_exceeded alerts newly raised */
} rctx;

static void bad(rctx *c, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void bad(rctx *c, const char *field, const char *fmt, ...)
{
	c->st->errors++;
	if (c->st->errors > IMPORT_MAX_REPORTED) return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(c->err, "%s:%ld: %s: ", c->label, c->row.line, field);
	vfprintf(c->err, fmt, ap);
	fputc('\n', c->err);
	va_end(ap);
}

static const char *cell(rctx *c, int i)
{
	return c->col[i] >= 0 ? c->row.field[c->col[i]] : "";
}

static const char *name_of(risk_import_kind k, int i)
{
	return COLS[k][i] + (COLS[k][i][0] == '*');
}

/* Text value: required ones non-empty; at most cap-1 bytes. -1 after reporting. */
static int text(rctx *c, risk_import_kind k, int i, char *out, size_t cap)
{
	const char *v = cell(c, i);
	size_t n = strlen(v);
	if (COLS[k][i][0] == '*' && n == 0) {
		bad(c, name_of(k, i), "expected a value, found an empty field");
		return -1;
	}
	if (n >= cap) {
		bad(c, name_of(k, i), "expected at most %zu bytes, found %zu", cap - 1, n);
		return -1;
	}
	memcpy(out, v, n + 1);
	return 0;
}

static int day_of(rctx *c, risk_import_kind k, int i, civil_day *out)
{
	const char *v = cell(c, i);
	*out = DATE_NONE;
	if (!*v && COLS[k][i][0] != '*') return 0;
	if (date_parse(v, strlen(v), out) != DATE_OK) {
		bad(c, name_of(k, i), "expected a date YYYY-MM-DD, found \"%.40s\"", v);
		return -1;
	}
	return 0;
}

static int amount_of(rctx *c, risk_import_kind k, int i, const char *cur, int64_t *out)
{
	const char *v = cell(c, i);
	const currency_info *ci = currency_find(cur, strlen(cur));
	if (!ci) return -1; /* the currency was reported */
	if (money_parse(v, strlen(v), ci->exponent, out) != MONEY_OK || *out < 0) {
		bad(c, name_of(k, i),
		    "expected an amount >= 0 with at most %d decimals for %s, found \"%.40s\"", ci->exponent,
		    cur, v);
		return -1;
	}
	return 0;
}

static int currency_of(rctx *c, risk_import_kind k, int i, char out[4])
{
	const char *v = cell(c, i);
	if (strlen(v) != 3 || !currency_find(v, 3)) {
		bad(c, name_of(k, i), "expected an ISO 4217 currency code, found \"%.40s\"", v);
		return -1;
	}
	memcpy(out, v, 4);
	return 0;
}

static void count(rctx *c, store_put p)
{
	if (p == PUT_INSERTED)
		c->st->inserted++;
	else if (p == PUT_UPDATED)
		c->st->updated++;
	else
		c->st->unchanged++;
}

static int known_client(store *s, rctx *c, const char *field, const char *id)
{
	store_client cl;
	store_rc rc = store_client_get(s, id, &cl);
	if (rc == STORE_NOT_FOUND)
		bad(c, field, "expected a known client (import clients first), found \"%.60s\"", id);
	return rc == STORE_OK ? 0 : rc == STORE_NOT_FOUND ? -1 : -2;
}

/* One row; -2 on a store error (stop). */
static int row(store *s, rctx *c, risk_import_kind k, const char *actor)
{
	store_put p = PUT_UNCHANGED;
	store_rc rc = STORE_OK;
	int r;
	switch (k) {
	case RISK_IMPORT_FACTS: {
		store_risk_fact f = {0};
		int e = text(c, k, 0, f.client_ext_id, sizeof f.client_ext_id) | day_of(c, k, 1, &f.fact_on) |
		        text(c, k, 2, f.kind, sizeof f.kind) | text(c, k, 4, f.text, sizeof f.text) |
		        text(c, k, 5, f.source, sizeof f.source);
		const char *v = cell(c, 3);
		if (*v) {
			char *end;
			long long x = strtoll(v, &end, 10);
			if (*end || end == v) {
				bad(c, "value",
				    "expected an integer (minor units for amounts), found \"%.40s\"", v);
				e = -1;
			}
			f.value = x;
			f.has_value = 1;
		}
		if (e) return -1;
		if ((r = known_client(s, c, "client_id", f.client_ext_id))) return r;
		rc = store_risk_fact_put(s, &f, &p);
		if (rc == STORE_CONFLICT) {
			bad(c, "kind",
			    "expected the same fact as already stored for (%s, %s, %s), found a different "
			    "value or text",
			    f.client_ext_id, cell(c, 1), f.kind);
			return -1;
		}
		break;
	}
	case RISK_IMPORT_GROUPS: {
		char id[STORE_ID_MAX], g[STORE_ID_MAX];
		if (text(c, k, 0, id, sizeof id) | text(c, k, 1, g, sizeof g)) return -1;
		if ((r = known_client(s, c, "client_id", id))) return r;
		rc = store_risk_group_set(s, id, g, &p);
		break;
	}
	case RISK_IMPORT_LIMITS: {
		store_risk_limit l = {.effective = 1};
		char kind[16];
		int e = text(c, k, 0, kind, sizeof kind) | text(c, k, 1, l.subject, sizeof l.subject) |
		        day_of(c, k, 4, &l.from_on) | text(c, k, 5, l.document, sizeof l.document);
		int sk = store_risk_subject_parse(kind);
		if (!e && sk != RISK_SUBJECT_CLIENT && sk != RISK_SUBJECT_GROUP) {
			bad(c, "subject_kind", "expected client or group, found \"%.40s\"", kind);
			e = -1;
		}
		if (currency_of(c, k, 2, l.currency) || amount_of(c, k, 3, l.currency, &l.amount)) e = -1;
		if (e) return -1;
		l.subject_kind = (store_risk_subject)sk;
		if (sk == RISK_SUBJECT_CLIENT && (r = known_client(s, c, "subject", l.subject))) return r;
		snprintf(l.set_by, sizeof l.set_by, "%s", actor ? actor : "import");
		/* the same limit again (subject, currency, day, amount) is unchanged */
		store_risk_limit cur;
		if (store_risk_limit_in_force(s, l.subject_kind, l.subject, l.currency, l.from_on, &cur) ==
		        STORE_OK &&
		    cur.from_on == l.from_on && cur.amount == l.amount) {
			c->st->unchanged++;
			return 0;
		}
		rc = store_risk_limit_put(s, &l);
		p = PUT_INSERTED;
		break;
	}
	case RISK_IMPORT_COMMITMENTS: {
		store_risk_commitment m = {0};
		int e = text(c, k, 0, m.ext_id, sizeof m.ext_id) |
		        text(c, k, 1, m.client_ext_id, sizeof m.client_ext_id) |
		        day_of(c, k, 4, &m.approved_on) | day_of(c, k, 5, &m.ends_on);
		if (currency_of(c, k, 2, m.currency) || amount_of(c, k, 3, m.currency, &m.amount)) e = -1;
		if (e) return -1;
		if ((r = known_client(s, c, "client_id", m.client_ext_id))) return r;
		rc = store_risk_commitment_put(s, &m, &p);
		if (rc == STORE_CONFLICT) {
			bad(c, "commitment_id",
			    "expected a new id or the same commitment, found \"%s\" stored differently",
			    m.ext_id);
			return -1;
		}
		break;
	}
	}
	if (rc != STORE_OK) return -2;
	count(c, p);
	return 0;
}

typedef struct {
	rctx *c;
	store *s;
	int refuse;
	int store_failed;
} commit_guard;

/* A breach of a commitment: refused (an error at its line, nothing written, no alert), or flagged
 * (the alert raised in the import's transaction, a warning printed). */
static int breach(void *ctx, const exposure_breach *b)
{
	commit_guard *cg = ctx;
	store_alert a;
	exposure_breach_alert(b, &a);
	if (cg->refuse) {
		cg->c->row.line = b->source_line;
		bad(cg->c, "amount",
		    "expected an exposure within the limit, found %s (limit_breach = refuse: refused, no alert "
		    "raised)",
		    a.reason);
		return 0;
	}
	store_put res;
	if (store_alert_raise(cg->s, &a, &res) != STORE_OK) {
		cg->store_failed = 1;
		return -1;
	}
	cg->c->alerts += res == PUT_INSERTED;
	fprintf(cg->c->err, "%s:%ld: warning: limit exceeded: %s (alert %lld %s %s)\n", cg->c->label,
	        b->source_line, a.reason, (long long)a.id, res == PUT_INSERTED ? "raised to" : "already raised to",
	        a.assignee);
	return 0;
}

/* The audit entry of an import by a person (docs/security.md), in the import's transaction. */
static store_rc audit(store *s, risk_import_kind k, const char *path, const char *actor, civil_day on,
                      const import_stats *st, long alerts)
{
	store_audit_entry e;
	memset(&e, 0, sizeof e);
	e.day = on;
	snprintf(e.actor, sizeof e.actor, "%s", actor);
	snprintf(e.action, sizeof e.action, "risk.import.%s", KINDS[k]);
	const char *base = strrchr(path, '/');
	snprintf(e.object, sizeof e.object, "file:%s", base ? base + 1 : path);
	FILE *m = fmemopen(e.details, sizeof e.details, "w");
	if (!m) return STORE_ERR;
	json_out j;
	json_init(&j, m, 0);
	json_obj_begin(&j);
	json_kstr(&j, "file", path);
	json_kint(&j, "rows", st->rows);
	json_kint(&j, "inserted", st->inserted);
	json_kint(&j, "updated", st->updated);
	json_kint(&j, "unchanged", st->unchanged);
	json_kint(&j, "alerts", alerts);
	json_obj_end(&j);
	int bad = ferror(m);
	long len = ftell(m);
	fclose(m);
	if (bad || len < 0 || (size_t)len >= sizeof e.details) snprintf(e.details, sizeof e.details, "{\"truncated\":true}");
	e.details[strcspn(e.details, "\n")] = 0;
	return store_audit_append(s, &e);
}

import_rc risk_import_csv(store *s, risk_import_kind k, const char *path, const char *actor, civil_day on,
                          FILE *err, import_stats *st)
{
	char msg[512];
	memset(st, 0, sizeof *st);
	rctx c = {.label = path, .err = err, .st = st};
	csv_reader *r = csv_open(path, msg, sizeof msg);
	if (!r) {
		fprintf(err, "%s\n", msg);
		return IMPORT_FAILED;
	}
	if (store_begin(s) != STORE_OK) {
		fprintf(err, "%s: cannot start the import: %s\n", path, store_errmsg(s));
		csv_close(r);
		return IMPORT_FAILED;
	}
	exposure_guard *g = NULL;
	if (k == RISK_IMPORT_COMMITMENTS && !(g = exposure_guard_new(s, msg, sizeof msg))) {
		fprintf(err, "%s: %s\n", path, msg);
		store_rollback(s);
		csv_close(r);
		return IMPORT_FAILED;
	}
	int header = 0, failed = 0;
	csv_rc rc;
	while ((rc = csv_next(r, &c.row)) != CSV_EOF) {
		if (rc == CSV_FATAL || (rc == CSV_BAD_ROW && !header)) {
			c.row.line = csv_errline(r);
			bad(&c, "file", "expected well-formed CSV, found %s", csv_errmsg(r));
			break;
		}
		if (rc == CSV_BAD_ROW) {
			c.row.line = csv_errline(r);
			bad(&c, "row", "expected a well-formed CSV row (RFC 4180), found %s", csv_errmsg(r));
			continue;
		}
		if (!header) {
			header = 1;
			int missing = 0;
			for (int i = 0; COLS[k][i]; i++) {
				c.col[i] = -1;
				for (int j = 0; j < c.row.n; j++)
					if (strcmp(c.row.field[j], name_of(k, i)) == 0) c.col[i] = j;
				if (c.col[i] < 0 && COLS[k][i][0] == '*') {
					bad(&c, name_of(k, i),
					    "expected a column named %s in the header, found none",
					    name_of(k, i));
					missing = 1;
				}
			}
			if (missing) break;
			continue;
		}
		st->rows++;
		int x = row(s, &c, k, actor);
		if (x == -2) {
			fprintf(err, "%s:%ld: store error: %s\n", path, c.row.line, store_errmsg(s));
			failed = 1;
			break;
		}
		if (x == 0 && g && k == RISK_IMPORT_COMMITMENTS) {
			civil_day d;
			date_parse(cell(&c, 4), strlen(cell(&c, 4)), &d);
			if (exposure_guard_note(g, cell(&c, 1), d, c.row.line)) failed = 1;
		}
	}
	if (!header && !st->errors) {
		c.row.line = 1;
		bad(&c, "header", "expected a header line naming the columns, found an empty file");
	}
	if (g && !failed && !st->errors) {
		commit_guard cg = {&c, s, exposure_guard_mode(g) == EXPOSURE_REFUSE, 0};
		if (exposure_guard_check(g, breach, &cg, msg, sizeof msg)) {
			fprintf(err, "%s: limit check: %s\n", path, cg.store_failed ? store_errmsg(s) : msg);
			failed = 1;
		}
	}
	if (!failed && !st->errors && actor && on != DATE_NONE && audit(s, k, path, actor, on, st, c.alerts) != STORE_OK) {
		fprintf(err, "%s: audit log: %s\n", path, store_errmsg(s));
		failed = 1;
	}
	exposure_guard_free(g);
	csv_close(r);
	if (st->errors > IMPORT_MAX_REPORTED)
		fprintf(err, "%s: ... and %ld more errors\n", path, st->errors - IMPORT_MAX_REPORTED);
	if (failed || st->errors) {
		store_rollback(s);
		return failed ? IMPORT_FAILED : IMPORT_REJECTED;
	}
	if (store_commit(s) != STORE_OK) {
		fprintf(err, "%s: commit failed: %s\n", path, store_errmsg(s));
		store_rollback(s);
		return IMPORT_FAILED;
	}
	return IMPORT_DONE;
}

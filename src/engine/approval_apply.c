/* approval_apply.c: four-eyes requests, their payloads and their effect (approval_apply.h). Payloads
 * are written and read with jansson; amounts in them are integers in minor units. */
#include "engine/approval_apply.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "core/money.h"
#include "core/schedule.h"
#include "engine/ledger_sync.h"
#include "io/csv.h"
#include "store/store_outbox.h"
#include "store/store_risk.h"

static apply_rc say(apply_rc rc, char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static apply_rc say(apply_rc rc, char *msg, size_t cap, const char *fmt, ...)
{
	if (msg && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, cap, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static apply_rc store_said(store *s, store_rc rc, char *msg, size_t cap)
{
	say(APPLY_STORE, msg, cap, "%s", store_errmsg(s));
	return rc == STORE_NOT_FOUND ? APPLY_NOT_FOUND : rc == STORE_CONFLICT ? APPLY_CONFLICT : APPLY_STORE;
}

/* Writes the JSON object o (consumed) into payload. */
static apply_rc dump(json_t *o, char *payload, size_t cap, char *msg, size_t msgcap)
{
	if (!o) return say(APPLY_STORE, msg, msgcap, "out of memory");
	char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!t) return say(APPLY_STORE, msg, msgcap, "out of memory");
	size_t n = strlen(t);
	if (n >= cap) {
		free(t);
		return say(APPLY_BAD_INPUT, msg, msgcap,
		           "payload: expected at most %zu bytes of JSON, found %zu", cap - 1, n);
	}
	memcpy(payload, t, n + 1);
	free(t);
	return APPLY_OK;
}

static int exponent_of(const char *currency)
{
	const currency_info *ci = currency_find(currency, strlen(currency));
	return ci ? ci->exponent : 0;
}

/* --- reschedule ------------------------------------------------------------------------------ */

enum { RC_LOAN, RC_DUE, RC_PRINCIPAL, RC_INTEREST, RC_FEES, RC_PENALTIES, RC_N };
static const char *const RC_NAMES[RC_N] = {"loan_id", "due_on", "principal", "interest", "fees", "penalties"};

typedef struct {
	const char *label;
	FILE *err;
	int errors;
} rs_ctx;

static void rs_error(rs_ctx *c, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void rs_error(rs_ctx *c, long line, const char *field, const char *fmt, ...)
{
	c->errors++;
	if (c->errors > 100) return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(c->err, "%s:%ld: %s: ", c->label, line, field);
	vfprintf(c->err, fmt, ap);
	fputc('\n', c->err);
	va_end(ap);
}

static int cmp_ob(const void *x, const void *y)
{
	const obligation *a = x, *b = y;
	return (a->due_on > b->due_on) - (a->due_on < b->due_on);
}

/* Reads the file into ob (grown); 0 when every row is valid. */
static int rs_read(rs_ctx *c, const store_account *a, const char *path, obligation **ob, int *n)
{
	char e[256];
	csv_reader *r = csv_open(path, e, sizeof e);
	if (!r) {
		fprintf(c->err, "%s: %s\n", c->label, e);
		c->errors++;
		return -1;
	}
	int col[RC_N], header = 1, cap = 0, exp = exponent_of(a->currency);
	csv_row row;
	csv_rc rc;
	while ((rc = csv_next(r, &row)) != CSV_EOF) {
		if (rc == CSV_FATAL || rc == CSV_BAD_ROW) {
			fprintf(c->err, "%s:%ld: %s\n", c->label, csv_errline(r), csv_errmsg(r));
			c->errors++;
			if (rc == CSV_FATAL) break;
			continue;
		}
		if (header) {
			header = 0;
			for (int i = 0; i < RC_N; i++)
				col[i] = -1;
			for (int k = 0; k < row.n; k++) {
				int found = -1;
				for (int i = 0; i < RC_N; i++)
					if (strcmp(row.field[k], RC_NAMES[i]) == 0) found = i;
				if (found < 0)
					rs_error(c, row.line, "header",
					         "expected loan_id, due_on, principal, interest, fees, "
					         "penalties, found "
					         "\"%.60s\"",
					         row.field[k]);
				else
					col[found] = k;
			}
			for (int i = 0; i < RC_PENALTIES; i++)
				if (col[i] < 0)
					rs_error(c, row.line, RC_NAMES[i], "expected a column, found none");
			if (c->errors) break;
			continue;
		}
		const char *v[RC_N];
		size_t len[RC_N];
		for (int i = 0; i < RC_N; i++) {
			int k = col[i];
			v[i] = k >= 0 && k < row.n ? row.field[k] : "";
			len[i] = k >= 0 && k < row.n ? row.len[k] : 0;
		}
		if (strcmp(v[RC_LOAN], a->ext_id) != 0) {
			rs_error(c, row.line, "loan_id",
			         "expected %s (the account of the request), found \"%.60s\"", a->ext_id,
			         v[RC_LOAN]);
			continue;
		}
		obligation o;
		memset(&o, 0, sizeof o);
		int bad = 0;
		if (date_parse(v[RC_DUE], len[RC_DUE], &o.due_on) != DATE_OK) {
			rs_error(c, row.line, "due_on", "expected a date YYYY-MM-DD, found \"%.60s\"",
			         v[RC_DUE]);
			bad = 1;
		}
		static const int comp[RC_N] = {[RC_PRINCIPAL] = COMP_PRINCIPAL,
		                               [RC_INTEREST] = COMP_INTEREST,
		                               [RC_FEES] = COMP_FEE,
		                               [RC_PENALTIES] = COMP_PENALTY};
		for (int i = RC_PRINCIPAL; i < RC_N; i++) {
			if (i == RC_PENALTIES && len[i] == 0) continue;
			int64_t m;
			money_err me = money_parse(v[i], len[i], exp, &m);
			if (me != MONEY_OK || m < 0) {
				rs_error(c, row.line, RC_NAMES[i],
				         "expected an amount >= 0 in %s, found \"%.60s\"%s%s", a->currency,
				         v[i], me ? ": " : "", me ? money_strerror(me) : "");
				bad = 1;
				continue;
			}
			o.amount[comp[i]] = m;
		}
		if (bad) continue;
		if (*n >= SCHEDULE_MAX_INSTALLMENTS) {
			rs_error(c, row.line, "loan_id", "expected at most %d installments, found more",
			         SCHEDULE_MAX_INSTALLMENTS);
			break;
		}
		if (*n == cap) {
			int nc = cap ? cap * 2 : 32;
			obligation *nb = realloc(*ob, sizeof *nb * (size_t)nc);
			if (!nb) {
				fprintf(c->err, "%s: out of memory\n", c->label);
				c->errors++;
				break;
			}
			*ob = nb;
			cap = nc;
		}
		(*ob)[(*n)++] = o;
	}
	if (header && !c->errors) {
		fprintf(
		    c->err,
		    "%s:1: header: expected loan_id,due_on,principal,interest,fees, found an empty file\n",
		    c->label);
		c->errors++;
	}
	csv_close(r);
	return c->errors ? -1 : 0;
}

/* Checks a whole schedule for loan a; messages through c (line 0: the file as a whole). */
static void rs_check(rs_ctx *c, const store_account *a, obligation *ob, int n)
{
	if (n == 0) {
		rs_error(c, 0, "loan_id", "expected the installments of %s, found none", a->ext_id);
		return;
	}
	qsort(ob, (size_t)n, sizeof *ob, cmp_ob);
	int64_t sum = 0;
	char d[16];
	for (int i = 0; i < n; i++) {
		date_format(ob[i].due_on, d, sizeof d);
		if (i > 0 && ob[i].due_on == ob[i - 1].due_on)
			rs_error(c, 0, "due_on", "expected one installment per date, found %s twice", d);
		if (ob[i].due_on < a->start_on)
			rs_error(c, 0, "due_on", "expected dates on or after the disbursement, found %s", d);
		if (money_add(sum, ob[i].amount[COMP_PRINCIPAL], &sum)) {
			rs_error(c, 0, "principal", "expected amounts whose sum fits, found an overflow");
			return;
		}
	}
	if (sum != a->principal) {
		char want[40], got[40];
		money_format(a->principal, exponent_of(a->currency), want, sizeof want);
		money_format(sum, exponent_of(a->currency), got, sizeof got);
		rs_error(c, 0, "principal",
		         "expected the installments to add up to the principal %s, found %s", want, got);
	}
}

apply_rc approval_reschedule_payload(const store_account *a, const char *path, const char *label,
                                     const char *reason, char *payload, size_t cap, FILE *err)
{
	rs_ctx c = {.label = label ? label : path, .err = err};
	if (a->kind != STORE_LOAN) {
		fprintf(err, "%s: loan_id: expected a loan, found %s, an invoice\n", c.label, a->ext_id);
		return APPLY_BAD_INPUT;
	}
	if (a->written_off_on != DATE_NONE) {
		fprintf(err, "%s: loan_id: expected a loan not written off, found %s written off\n", c.label,
		        a->ext_id);
		return APPLY_CONFLICT;
	}
	obligation *ob = NULL;
	int n = 0;
	if (rs_read(&c, a, path, &ob, &n) == 0) rs_check(&c, a, ob, n);
	if (c.errors) {
		free(ob);
		return APPLY_BAD_INPUT;
	}
	json_t *rows = json_array();
	for (int i = 0; rows && i < n; i++) {
		char d[16];
		date_format(ob[i].due_on, d, sizeof d);
		json_array_append_new(rows, json_pack("[sIIII]", d, (json_int_t)ob[i].amount[COMP_PRINCIPAL],
		                                      (json_int_t)ob[i].amount[COMP_INTEREST],
		                                      (json_int_t)ob[i].amount[COMP_FEE],
		                                      (json_int_t)ob[i].amount[COMP_PENALTY]));
	}
	free(ob);
	const char *base = strrchr(c.label, '/');
	json_t *o = rows ? json_pack("{s:s, s:s, s:s, s:o}", "reason", reason ? reason : "", "file",
	                             base ? base + 1 : c.label, "currency", a->currency, "installments", rows)
	                 : NULL;
	char msg[200];
	apply_rc rc = dump(o, payload, cap, msg, sizeof msg);
	if (rc) fprintf(err, "%s: %s\n", c.label, msg);
	return rc;
}

/* The payload's schedule, checked again against the account as it is now. */
static apply_rc reschedule_apply(store *s, const store_approval *ap, json_t *p, char *msg, size_t cap)
{
	store_account a;
	store_rc sr = store_account_get(s, ap->subject, &a);
	if (sr) return store_said(s, sr, msg, cap);
	if (a.written_off_on != DATE_NONE)
		return say(APPLY_CONFLICT, msg, cap, "account %s was written off since the request",
		           a.ext_id);
	json_t *rows = json_object_get(p, "installments");
	size_t n = json_array_size(rows);
	if (!n || n > SCHEDULE_MAX_INSTALLMENTS)
		return say(APPLY_BAD_INPUT, msg, cap,
		           "payload: installments: expected 1 to %d rows, found %zu",
		           SCHEDULE_MAX_INSTALLMENTS, n);
	obligation *ob = calloc(n, sizeof *ob);
	if (!ob) return say(APPLY_STORE, msg, cap, "out of memory");
	apply_rc rc = APPLY_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		const char *d = NULL;
		json_int_t pr = 0, in = 0, fe = 0, pe = 0;
		if (json_unpack(json_array_get(rows, i), "[sIIII]", &d, &pr, &in, &fe, &pe) ||
		    date_parse(d, strlen(d), &ob[i].due_on) != DATE_OK || pr < 0 || in < 0 || fe < 0 ||
		    pe < 0)
			rc = say(APPLY_BAD_INPUT, msg, cap,
			         "payload: installments[%zu]: expected [\"YYYY-MM-DD\", principal, interest, "
			         "fees, "
			         "penalties] with amounts >= 0",
			         i);
		ob[i].amount[COMP_PRINCIPAL] = pr;
		ob[i].amount[COMP_INTEREST] = in;
		ob[i].amount[COMP_FEE] = fe;
		ob[i].amount[COMP_PENALTY] = pe;
	}
	if (!rc) {
		char buf[512] = "";
		FILE *m = fmemopen(buf, sizeof buf, "w");
		rs_ctx c = {.label = "payload", .err = m ? m : stderr};
		rs_check(&c, &a, ob, (int)n);
		if (m) fclose(m);
		if (c.errors) rc = say(APPLY_CONFLICT, msg, cap, "%s", buf);
	}
	if (!rc && (sr = store_work_obligations_replace(s, a.id, ob, (int)n)))
		rc = store_said(s, sr, msg, cap);
	free(ob);
	return rc;
}

/* --- fee waiver ------------------------------------------------------------------------------ */

/* Loads a's obligations; *k = the index of the one due on due_on, -1 when none. */
static apply_rc load_obligations(store *s, int64_t account_id, obligation **ob, int *n, char *msg, size_t cap)
{
	*ob = NULL;
	if (store_obligations_get(s, account_id, NULL, 0, n)) return store_said(s, STORE_ERR, msg, cap);
	if (*n == 0) return APPLY_OK;
	*ob = calloc((size_t)*n, sizeof **ob);
	if (!*ob) return say(APPLY_STORE, msg, cap, "out of memory");
	if (store_obligations_get(s, account_id, *ob, *n, n)) {
		free(*ob);
		*ob = NULL;
		return store_said(s, STORE_ERR, msg, cap);
	}
	return APPLY_OK;
}

/* Checks that a's installment due on due_on has at least the fees and penalties waived; ob, n and k
 * get the obligations (caller frees) and the installment's index. */
static apply_rc waiver_check(store *s, const store_account *a, civil_day due_on, int64_t fees,
                             int64_t penalties, obligation **ob, int *n, int *k, char *msg, size_t cap)
{
	char d[16];
	date_format(due_on, d, sizeof d);
	apply_rc rc = load_obligations(s, a->id, ob, n, msg, cap);
	if (rc) return rc;
	*k = -1;
	for (int i = 0; i < *n; i++)
		if ((*ob)[i].due_on == due_on) *k = i;
	if (*k < 0)
		return say(APPLY_BAD_INPUT, msg, cap,
		           "due-on: expected an installment of %s, found none due on %s", a->ext_id, d);
	int e = exponent_of(a->currency);
	char have[40], want[40];
	if ((*ob)[*k].amount[COMP_FEE] < fees) {
		money_format((*ob)[*k].amount[COMP_FEE], e, have, sizeof have);
		money_format(fees, e, want, sizeof want);
		return say(APPLY_BAD_INPUT, msg, cap,
		           "fees: expected at most the installment's fees %s, found %s", have, want);
	}
	if ((*ob)[*k].amount[COMP_PENALTY] < penalties) {
		money_format((*ob)[*k].amount[COMP_PENALTY], e, have, sizeof have);
		money_format(penalties, e, want, sizeof want);
		return say(APPLY_BAD_INPUT, msg, cap,
		           "penalties: expected at most the installment's penalties %s, found %s", have,
		           want);
	}
	return APPLY_OK;
}

apply_rc approval_fee_waiver_payload(store *s, const store_account *a, civil_day due_on, int64_t fees,
                                     int64_t penalties, const char *reason, char *payload, size_t cap,
                                     char *msg, size_t msgcap)
{
	if (fees < 0 || penalties < 0 || (fees == 0 && penalties == 0))
		return say(APPLY_BAD_INPUT, msg, msgcap,
		           "fees, penalties: expected amounts >= 0, not both 0");
	if (a->written_off_on != DATE_NONE)
		return say(APPLY_CONFLICT, msg, msgcap, "account %s is written off", a->ext_id);
	obligation *ob;
	int n, k;
	apply_rc rc = waiver_check(s, a, due_on, fees, penalties, &ob, &n, &k, msg, msgcap);
	free(ob);
	if (rc) return rc;
	char d[16];
	date_format(due_on, d, sizeof d);
	return dump(json_pack("{s:s, s:s, s:s, s:I, s:I}", "reason", reason ? reason : "", "due_on", d,
	                      "currency", a->currency, "fees", (json_int_t)fees, "penalties",
	                      (json_int_t)penalties),
	            payload, cap, msg, msgcap);
}

static apply_rc fee_waiver_apply(store *s, const store_approval *ap, json_t *p, char *msg, size_t cap)
{
	store_account a;
	store_rc sr = store_account_get(s, ap->subject, &a);
	if (sr) return store_said(s, sr, msg, cap);
	const char *d = NULL;
	json_int_t fees, pen;
	civil_day due_on;
	if (json_unpack(p, "{s:s, s:I, s:I}", "due_on", &d, "fees", &fees, "penalties", &pen) ||
	    date_parse(d, strlen(d), &due_on) != DATE_OK || fees < 0 || pen < 0)
		return say(APPLY_BAD_INPUT, msg, cap,
		           "payload: expected {\"due_on\": \"YYYY-MM-DD\", \"fees\": N, \"penalties\": N}");
	obligation *ob;
	int n, k;
	apply_rc rc = waiver_check(s, &a, due_on, fees, pen, &ob, &n, &k, msg, cap);
	if (rc == APPLY_BAD_INPUT) rc = APPLY_CONFLICT; /* valid when requested: the account moved since */
	if (!rc) {
		ob[k].amount[COMP_FEE] -= fees;
		ob[k].amount[COMP_PENALTY] -= pen;
		if ((sr = store_work_obligations_replace(s, a.id, ob, n))) rc = store_said(s, sr, msg, cap);
	}
	free(ob);
	return rc;
}

/* --- the others ------------------------------------------------------------------------------ */

apply_rc approval_write_off_payload(const store_account *a, const char *reason, char *payload, size_t cap,
                                    char *msg, size_t msgcap)
{
	if (a->written_off_on != DATE_NONE)
		return say(APPLY_CONFLICT, msg, msgcap, "account %s is already written off", a->ext_id);
	return dump(json_pack("{s:s}", "reason", reason ? reason : ""), payload, cap, msg, msgcap);
}

apply_rc approval_step_payload(store *s, int64_t decision_id, store_decision *d, char *payload, size_t cap,
                               char *msg, size_t msgcap)
{
	store_rc sr = store_work_decision_get(s, decision_id, d);
	if (sr == STORE_NOT_FOUND)
		return say(APPLY_NOT_FOUND, msg, msgcap, "no decision %lld", (long long)decision_id);
	if (sr) return store_said(s, sr, msg, msgcap);
	if (!d->four_eyes || strcmp(d->status, "open") != 0)
		return say(APPLY_CONFLICT, msg, msgcap,
		           "decision %lld is not an open four-eyes step (status %s)", (long long)decision_id,
		           d->status);
	char day[16];
	date_format(d->day, day, sizeof day);
	return dump(json_pack("{s:I, s:s, s:s, s:s, s:s}", "decision_id", (json_int_t)decision_id, "day", day,
	                      "step", d->step, "action", d->action, "dedupe_key", d->dedupe_key),
	            payload, cap, msg, msgcap);
}

apply_rc approval_credit_limit_payload(const char *client, const char *currency, int64_t limit,
                                       const char *reason, char *payload, size_t cap, char *msg,
                                       size_t msgcap)
{
	const currency_info *ci = currency ? currency_find(currency, strlen(currency)) : NULL;
	if (!ci)
		return say(APPLY_BAD_INPUT, msg, msgcap, "currency: expected an ISO 4217 code, found \"%s\"",
		           currency ? currency : "");
	if (limit < 0) return say(APPLY_BAD_INPUT, msg, msgcap, "limit: expected an amount >= 0");
	char text[40];
	money_format(limit, ci->exponent, text, sizeof text);
	return dump(json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "scope", "client", "client", client,
	                      "currency", currency, "limit", (json_int_t)limit, "limit_text", text, "reason",
	                      reason ? reason : ""),
	            payload, cap, msg, msgcap);
}

apply_rc approval_policy_change_payload(const char *policy_name, int version, const char *path,
                                        const char *reason, char *payload, size_t cap, char *msg,
                                        size_t msgcap)
{
	return dump(json_pack("{s:s, s:i, s:s, s:s}", "policy", policy_name, "version", version, "file", path,
	                      "reason", reason ? reason : ""),
	            payload, cap, msg, msgcap);
}

/* --- deciding -------------------------------------------------------------------------------- */

/* An approved credit limit becomes effective from the approval day: the limit row the risk module
 * stored pending for this request (vigie risk limit request --approval N), else a new row from the
 * payload (vigie request credit-limit). */
static apply_rc credit_limit_apply(store *s, const store_approval *ap, json_t *p, civil_day on, char *msg,
                                   size_t cap)
{
	store_put res;
	store_rc sr = store_risk_limit_approve(s, ap->id, &res);
	if (sr != STORE_NOT_FOUND) return sr ? store_said(s, sr, msg, cap) : APPLY_OK;
	const char *client = json_string_value(json_object_get(p, "client"));
	const char *currency = json_string_value(json_object_get(p, "currency"));
	json_t *limit = json_object_get(p, "limit");
	if (!client || !currency || strlen(currency) != 3 || !json_is_integer(limit) || json_integer_value(limit) < 0)
		return say(APPLY_BAD_INPUT, msg, cap,
		           "payload of request %lld: expected client, currency and limit (minor units)",
		           (long long)ap->id);
	store_risk_limit l;
	memset(&l, 0, sizeof l);
	l.subject_kind = RISK_SUBJECT_CLIENT;
	snprintf(l.subject, sizeof l.subject, "%s", client);
	memcpy(l.currency, currency, 4);
	l.amount = (int64_t)json_integer_value(limit);
	l.from_on = on;
	l.approval_id = ap->id;
	l.effective = 1;
	snprintf(l.set_by, sizeof l.set_by, "%s", ap->maker);
	snprintf(l.document, sizeof l.document, "approval %lld", (long long)ap->id);
	if ((sr = store_risk_limit_put(s, &l))) return store_said(s, sr, msg, cap);
	return APPLY_OK;
}

static apply_rc step_apply(store *s, const store_approval *ap, int approve, char *msg, size_t cap)
{
	store_decision d;
	store_rc sr = store_work_decision_get(s, ap->decision_id, &d);
	if (sr) return store_said(s, sr, msg, cap);
	if (strcmp(d.status, "open") != 0)
		return say(APPLY_CONFLICT, msg, cap, "decision %lld is %s, not open", (long long)d.id,
		           d.status);
	const char *st = !approve                           ? "cancelled"
	                 : strcmp(d.action, "message") == 0 ? "queued"
	                 : strcmp(d.action, "task") == 0    ? "open"
	                                                    : "done";
	if ((sr = store_work_decision_status(s, d.id, st))) return store_said(s, sr, msg, cap);
	/* its rendered messages, held until now, go out or are cancelled with it */
	if ((sr = store_message_release(s, d.id, approve, NULL))) return store_said(s, sr, msg, cap);
	return APPLY_OK;
}

apply_rc approval_decide(store *s, int64_t id, int approve, const char *checker, civil_day on,
                         const char *note, store_approval *out, char *msg, size_t msgcap)
{
	store_approval *ap = malloc(sizeof *ap);
	if (!ap) return say(APPLY_STORE, msg, msgcap, "out of memory");
	apply_rc rc = APPLY_OK;
	store_rc sr = store_approval_decide(s, id, approve, checker, on, note);
	if (sr == STORE_NOT_FOUND) {
		rc = say(APPLY_NOT_FOUND, msg, msgcap, "no approval request %lld", (long long)id);
		goto out;
	}
	if (sr || (sr = store_approval_get(s, id, ap))) {
		rc = store_said(s, sr, msg, msgcap);
		goto out;
	}
	int applies = 1;
	if (strcmp(ap->kind, "step") == 0) {
		rc = step_apply(s, ap, approve, msg, msgcap);
	} else if (!approve || strcmp(ap->kind, "policy_change") == 0) {
		applies = 0;
	} else {
		json_error_t je;
		json_t *p = json_loads(ap->payload, 0, &je);
		if (!json_is_object(p)) {
			rc = say(APPLY_BAD_INPUT, msg, msgcap,
			         "payload of request %lld: expected a JSON object: %s", (long long)id,
			         je.text);
		} else if (strcmp(ap->kind, "write_off") == 0) {
			store_account a;
			sr = store_account_get(s, ap->subject, &a);
			if (!sr && a.written_off_on != DATE_NONE)
				rc = say(APPLY_CONFLICT, msg, msgcap, "account %s is already written off",
				         a.ext_id);
			else if (sr || (sr = store_account_write_off(s, a.id, on)))
				rc = store_said(s, sr, msg, msgcap);
		} else if (strcmp(ap->kind, "reschedule") == 0) {
			rc = reschedule_apply(s, ap, p, msg, msgcap);
		} else if (strcmp(ap->kind, "fee_waiver") == 0) {
			rc = fee_waiver_apply(s, ap, p, msg, msgcap);
		} else if (strcmp(ap->kind, "credit_limit") == 0) {
			rc = credit_limit_apply(s, ap, p, on, msg, msgcap);
		}
		json_decref(p);
	}
	if (!rc && applies && approve) {
		char err[512];
		if (ledger_sync_rebuild(s, NULL, err, sizeof err)) {
			rc = say(APPLY_STORE, msg, msgcap, "%s", err);
		} else if ((sr = store_approval_mark_applied(s, id))) {
			rc = store_said(s, sr, msg, msgcap);
		} else {
			snprintf(ap->status, sizeof ap->status, "applied");
		}
	}
	if (!rc && out) *out = *ap;
out:
	free(ap);
	return rc;
}

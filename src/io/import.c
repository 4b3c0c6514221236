/* import.c: CSV imports (see import.h). One pass over the file inside one bulk transaction: each row
 * is checked and written; the first bad row turns the import into a rejection (the remaining rows are
 * still checked, so that every error is reported) and the transaction is rolled back at the end.
 * Lookups of clients and accounts go through small caches, because rows of one account usually
 * follow each other. */
#include "io/import.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "core/date.h"
#include "core/money.h"
#include "core/schedule.h"
#include "engine/exposure.h"
#include "engine/ledger_sync.h"
#include "io/csv.h"
#include "io/idset.h"

/* ---- column specifications ---- */

typedef struct {
	const char *name;
	int required;
} col_spec;

enum { MAX_COLS = 16 };

static const col_spec CLIENT_COLS[] = {{"client_id", 1}, {"name", 1},  {"branch", 0},   {"officer", 0},
                                       {"phone", 0},     {"email", 0}, {"language", 0}, {NULL, 0}};
enum { CL_ID, CL_NAME, CL_BRANCH, CL_OFFICER, CL_PHONE, CL_EMAIL, CL_LANGUAGE };

static const col_spec LOAN_COLS[] = {{"loan_id", 1},        {"client_id", 1},
                                     {"currency", 1},       {"principal", 1},
                                     {"disbursed_on", 1},   {"product", 0},
                                     {"branch", 0},         {"officer", 0},
                                     {"installments", 0},   {"frequency", 0},
                                     {"method", 0},         {"annual_rate", 0},
                                     {"grace_periods", 0},  {"fee_per_installment", 0},
                                     {"written_off_on", 0}, {NULL, 0}};
enum {
	LO_ID,
	LO_CLIENT,
	LO_CURRENCY,
	LO_PRINCIPAL,
	LO_DISBURSED,
	LO_PRODUCT,
	LO_BRANCH,
	LO_OFFICER,
	LO_N,
	LO_FREQ,
	LO_METHOD,
	LO_RATE,
	LO_GRACE,
	LO_FEE,
	LO_WRITTEN_OFF
};

static const col_spec SCHEDULE_COLS[] = {{"loan_id", 1}, {"due_on", 1},    {"principal", 1}, {"interest", 1},
                                         {"fees", 1},    {"penalties", 0}, {NULL, 0}};
enum { SC_LOAN, SC_DUE, SC_PRINCIPAL, SC_INTEREST, SC_FEES, SC_PENALTIES };

static const col_spec INVOICE_COLS[] = {{"invoice_id", 1},     {"client_id", 1}, {"currency", 1},
                                        {"amount", 1},         {"issued_on", 1}, {"due_on", 1},
                                        {"branch", 0},         {"officer", 0},   {"product", 0},
                                        {"written_off_on", 0}, {NULL, 0}};
enum {
	IN_ID,
	IN_CLIENT,
	IN_CURRENCY,
	IN_AMOUNT,
	IN_ISSUED,
	IN_DUE,
	IN_BRANCH,
	IN_OFFICER,
	IN_PRODUCT,
	IN_WRITTEN_OFF
};

static const col_spec PAYMENT_COLS[] = {{"payment_id", 1},  {"account_id", 1}, {"paid_on", 1},
                                        {"amount", 1},      {"currency", 0},   {"reference", 0},
                                        {"reversed_on", 0}, {NULL, 0}};
enum { PA_ID, PA_ACCOUNT, PA_PAID, PA_AMOUNT, PA_CURRENCY, PA_REFERENCE, PA_REVERSED };

static const col_spec *const SPECS[] = {CLIENT_COLS, LOAN_COLS, SCHEDULE_COLS, INVOICE_COLS, PAYMENT_COLS};
static const char *const KIND_NAMES[] = {"clients", "loans", "schedules", "invoices", "payments"};

int import_kind_parse(const char *s, import_kind *out)
{
	for (int i = 0; i < 5; i++)
		if (strcmp(s, KIND_NAMES[i]) == 0) {
			*out = (import_kind)i;
			return 0;
		}
	return -1;
}

const char *import_kind_name(import_kind k)
{
	return (unsigned)k < 5 ? KIND_NAMES[k] : "?";
}

/* ---- the import context ---- */

#define ACCT_CACHE        4096
#define BATCH             1024 /* rows per *_many call */
#define BATCH_OBLIGATIONS 16384

typedef struct {
	store *s;
	import_kind kind;
	const char *label;
	FILE *err;
	import_stats *st;
	int col[MAX_COLS]; /* spec index -> CSV column, -1 if absent */
	const col_spec *spec;
	csv_row row;
	int failed; /* a store error: stop */
	idset *seen;
	/* caches */
	store_client client;
	int client_valid;
	store_account acct_cache[ACCT_CACHE];
	/* schedules: the block of the current loan */
	store_account sched_acct;
	int sched_acct_ok;
	char sched_loan[STORE_ID_MAX];
	long sched_line;
	obligation *sched;
	long *sched_lines;
	int n_sched, cap_sched;
	/* batches written with the store's *_many functions (one statement for many rows) */
	store_payment pay[BATCH];
	long pay_line[BATCH];
	civil_day pay_rev[BATCH];
	char pay_cur[BATCH][4];
	store_rc pay_rc[BATCH];
	store_put pay_res[BATCH];
	int n_pay;
	obligation *bob; /* obligations of the pending schedule blocks, back to back */
	int n_bob, cap_bob;
	store_obligation_set bset[BATCH];
	int bset_off[BATCH];
	long bset_line[BATCH];
	char bset_ext[BATCH][STORE_ID_MAX];
	store_rc bset_rc[BATCH];
	store_put bset_res[BATCH];
	int n_bset;
	exposure_guard *guard; /* loans and invoices: the limit check on posting (exposure.h) */
} imp;

static void error_at(imp *c, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void error_at(imp *c, long line, const char *field, const char *fmt, ...)
{
	c->st->errors++;
	if (c->st->errors > IMPORT_MAX_REPORTED) return;
	va_list ap;
	va_start(ap, fmt);
	if (field)
		fprintf(c->err, "%s:%ld: %s: ", c->label, line, field);
	else
		fprintf(c->err, "%s:%ld: ", c->label, line);
	vfprintf(c->err, fmt, ap);
	fputc('\n', c->err);
	va_end(ap);
}

static void store_failed(imp *c, const char *what)
{
	if (!c->failed)
		fprintf(c->err, "%s:%ld: %s: store error: %s\n", c->label, c->row.line, what,
		        store_errmsg(c->s));
	c->failed = 1;
}

/* The value of spec column i in the current row ("" when the column is absent). */
static const char *val(const imp *c, int i, size_t *len)
{
	int k = c->col[i];
	if (k < 0) {
		if (len) *len = 0;
		return "";
	}
	if (len) *len = c->row.len[k];
	return c->row.field[k];
}

static const char *cname(const imp *c, int i)
{
	return c->spec[i].name;
}

/* Text of a found value for messages: quoted, cut at 60 bytes. */
static const char *shown(const char *v, char *buf, size_t cap)
{
	size_t n = strlen(v);
	if (n > 60)
		snprintf(buf, cap, "\"%.57s...\"", v);
	else
		snprintf(buf, cap, "\"%s\"", v);
	return buf;
}

static int has_ctl(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) return 1;
	return 0;
}

/* An identifier: required, 1..63 bytes, no control characters, no surrounding spaces. */
static int get_id(imp *c, int i, char *out)
{
	size_t n;
	const char *v = val(c, i, &n);
	char b[80];
	if (n == 0) {
		error_at(c, c->row.line, cname(c, i), "expected an identifier, found an empty field");
		return -1;
	}
	if (n >= STORE_ID_MAX || has_ctl(v, n) || v[0] == ' ' || v[n - 1] == ' ') {
		error_at(
		    c, c->row.line, cname(c, i),
		    "expected an identifier of 1 to %d characters without control characters or surrounding "
		    "spaces, found %s",
		    STORE_ID_MAX - 1, shown(v, b, sizeof b));
		return -1;
	}
	memcpy(out, v, n + 1);
	return 0;
}

/* Optional free text of at most cap-1 bytes. */
static int get_text(imp *c, int i, char *out, size_t cap)
{
	size_t n;
	const char *v = val(c, i, &n);
	char b[80];
	if (n >= cap || has_ctl(v, n)) {
		error_at(c, c->row.line, cname(c, i),
		         "expected text of at most %zu characters without control characters, found %s",
		         cap - 1, shown(v, b, sizeof b));
		return -1;
	}
	memcpy(out, v, n + 1);
	return 0;
}

static int get_date(imp *c, int i, int optional, civil_day *out)
{
	size_t n;
	const char *v = val(c, i, &n);
	char b[80];
	if (n == 0 && optional) {
		*out = DATE_NONE;
		return 0;
	}
	date_err e = date_parse(v, n, out);
	if (e != DATE_OK) {
		error_at(c, c->row.line, cname(c, i), "expected a date YYYY-MM-DD (%s), found %s",
		         date_strerror(e), n ? shown(v, b, sizeof b) : "an empty field");
		return -1;
	}
	return 0;
}

static const currency_info *get_currency(imp *c, int i)
{
	size_t n;
	const char *v = val(c, i, &n);
	char b[80];
	const currency_info *cur = n == 3 ? currency_find(v, 3) : NULL;
	if (!cur)
		error_at(c, c->row.line, cname(c, i),
		         "expected an ISO 4217 currency code such as XOF or EUR, found %s",
		         n ? shown(v, b, sizeof b) : "an empty field");
	return cur;
}

/* An amount in major units with at most cur's decimals; min_zero allows 0, else it must be > 0. */
static int get_amount(imp *c, int i, const currency_info *cur, int allow_zero, int optional, int64_t *out)
{
	size_t n;
	const char *v = val(c, i, &n);
	char b[80];
	if (n == 0 && optional) {
		*out = 0;
		return 0;
	}
	money_err e = money_parse(v, n, cur->exponent, out);
	if (e == MONEY_TOO_MANY_DECIMALS) {
		error_at(c, c->row.line, cname(c, i),
		         "expected an amount with at most %d decimal%s for %s, found %s", cur->exponent,
		         cur->exponent == 1 ? "" : "s", cur->code, shown(v, b, sizeof b));
		return -1;
	}
	if (e != MONEY_OK) {
		error_at(c, c->row.line, cname(c, i),
		         "expected an amount like 1500 or 1500.25 (%s), found %s", money_strerror(e),
		         n ? shown(v, b, sizeof b) : "an empty field");
		return -1;
	}
	if (*out < 0 || (*out == 0 && !allow_zero)) {
		error_at(c, c->row.line, cname(c, i), "expected a %s amount, found %s",
		         allow_zero ? "non-negative" : "positive", shown(v, b, sizeof b));
		return -1;
	}
	return 0;
}

/* A whole number in [lo, hi]; optional fields give def when empty. */
static int get_int(imp *c, int i, long lo, long hi, long def, long *out)
{
	size_t n;
	const char *v = val(c, i, &n);
	char b[80];
	if (n == 0) {
		*out = def;
		return 0;
	}
	int64_t x;
	if (money_parse(v, n, 0, &x) != MONEY_OK || x < lo || x > hi) {
		error_at(c, c->row.line, cname(c, i), "expected a whole number from %ld to %ld, found %s", lo,
		         hi, shown(v, b, sizeof b));
		return -1;
	}
	*out = (long)x;
	return 0;
}

static void fmt_amount(int64_t v, const char *currency, char *buf, size_t cap)
{
	const currency_info *cur = currency_find(currency, 3);
	size_t n = money_format(v, cur ? cur->exponent : 0, buf, cap);
	if (n && n + 5 < cap) snprintf(buf + n, cap - n, " %s", currency);
}

/* ---- lookups through caches ---- */

static int find_client(imp *c, const char *ext_id, store_client *out)
{
	if (c->client_valid && strcmp(c->client.ext_id, ext_id) == 0) {
		*out = c->client;
		return STORE_OK;
	}
	store_rc rc = store_client_get(c->s, ext_id, out);
	if (rc == STORE_OK) {
		c->client = *out;
		c->client_valid = 1;
	}
	return rc;
}

static uint32_t hash_id(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static store_rc find_account(imp *c, const char *ext_id, store_account *out)
{
	store_account *e = &c->acct_cache[hash_id(ext_id) % ACCT_CACHE];
	if (e->id && strcmp(e->ext_id, ext_id) == 0) {
		*out = *e;
		return STORE_OK;
	}
	store_rc rc = store_account_get(c->s, ext_id, out);
	if (rc == STORE_OK) *e = *out;
	return rc;
}

static void count_put(imp *c, store_put p)
{
	if (p == PUT_INSERTED)
		c->st->inserted++;
	else if (p == PUT_UPDATED)
		c->st->updated++;
	else
		c->st->unchanged++;
}

/* An id seen earlier in this file is an error naming the earlier line. */
static int check_dup(imp *c, int i, const char *id)
{
	long first = idset_add(c->seen, id, strlen(id), c->row.line);
	if (first < 0) {
		fprintf(c->err, "%s: out of memory\n", c->label);
		c->failed = 1;
		return -1;
	}
	if (first > 0) {
		error_at(c, c->row.line, cname(c, i),
		         "expected a unique id, found \"%s\" already given at line %ld", id, first);
		return -1;
	}
	return 0;
}

/* ---- rows ---- */

static void row_client(imp *c)
{
	store_client cl = {0};
	int bad = get_id(c, CL_ID, cl.ext_id);
	if (!bad) bad = check_dup(c, CL_ID, cl.ext_id) != 0;
	bad |= get_text(c, CL_NAME, cl.name, sizeof cl.name);
	if (!bad && cl.name[0] == 0) {
		error_at(c, c->row.line, "name", "expected the client's name, found an empty field");
		bad = 1;
	}
	bad |= get_text(c, CL_BRANCH, cl.branch, sizeof cl.branch);
	bad |= get_text(c, CL_OFFICER, cl.officer, sizeof cl.officer);
	bad |= get_text(c, CL_PHONE, cl.phone, sizeof cl.phone);
	bad |= get_text(c, CL_EMAIL, cl.email, sizeof cl.email);
	bad |= get_text(c, CL_LANGUAGE, cl.language, sizeof cl.language);
	if (cl.language[0] && strcmp(cl.language, "fr") != 0 && strcmp(cl.language, "en") != 0) {
		error_at(c, c->row.line, "language", "expected fr or en, found \"%s\"", cl.language);
		bad = 1;
	}
	if (bad) return;
	store_put p;
	if (store_client_put(c->s, &cl, &p) != STORE_OK) {
		store_failed(c, "client_id");
		return;
	}
	count_put(c, p);
}

/* Common part of loans and invoices: the client and the account's branch/officer defaults. */
static int account_client(imp *c, int col_client, store_account *a)
{
	store_client cl;
	if (get_id(c, col_client, a->client_ext_id)) return -1;
	store_rc rc = find_client(c, a->client_ext_id, &cl);
	if (rc == STORE_NOT_FOUND) {
		error_at(c, c->row.line, cname(c, col_client),
		         "expected a known client (import clients first), found \"%s\"", a->client_ext_id);
		return -1;
	}
	if (rc != STORE_OK) {
		store_failed(c, cname(c, col_client));
		return -1;
	}
	a->client_id = cl.id;
	if (!a->branch[0]) memcpy(a->branch, cl.branch, sizeof a->branch);
	if (!a->officer[0]) memcpy(a->officer, cl.officer, sizeof a->officer);
	return 0;
}

/* ---- the limit check on posting (engine/exposure.h; docs/risk.md) ---- */

/* Notes a new loan or invoice: its client's exposure is checked on its start day before commit. */
static int posting_note(imp *c, const store_account *a)
{
	if (!c->guard) return 0;
	if (exposure_guard_note(c->guard, a->client_ext_id, a->start_on, c->row.line)) {
		store_failed(c, "client_id");
		return -1;
	}
	return 0;
}

/* A breach: with limit_breach = refuse, an error at the posting's line (the whole file is rolled
 * back: nothing is written, no alert either); with flag, the limit_exceeded alert is raised in the
 * import's transaction (store_alert_raise, routed by exposure_breach_alert) and a warning printed. */
static int posting_breach(void *ctx, const exposure_breach *b)
{
	imp *c = ctx;
	store_alert al;
	exposure_breach_alert(b, &al);
	if (exposure_guard_mode(c->guard) == EXPOSURE_REFUSE) {
		error_at(c, b->source_line, "principal",
		         "expected an exposure within the limit, found %s (limit_breach = refuse: refused, no "
		         "alert raised)",
		         al.reason);
		return 0;
	}
	store_put res;
	if (store_alert_raise(c->s, &al, &res) != STORE_OK) {
		store_failed(c, "alert");
		return -1;
	}
	fprintf(c->err, "%s:%ld: warning: limit exceeded: %s (alert %lld %s %s)\n", c->label, b->source_line,
	        al.reason, (long long)al.id, res == PUT_INSERTED ? "raised to" : "already raised to",
	        al.assignee);
	return 0;
}

static int posting_check(imp *c, char *msg, size_t cap)
{
	if (!c->guard) return 0;
	return exposure_guard_check(c->guard, posting_breach, c, msg, cap);
}

/* Writes the account; a re-import that only adds a write-off date writes the loan off. */
static int put_account(imp *c, store_account *a, int col_id)
{
	store_put p;
	store_rc rc = store_account_put(c->s, a, &p);
	if (rc == STORE_CONFLICT) {
		store_account old;
		if (store_account_get(c->s, a->ext_id, &old) != STORE_OK) {
			store_failed(c, cname(c, col_id));
			return -1;
		}
		store_account cmp = *a;
		cmp.id = old.id;
		cmp.client_id = old.client_id;
		cmp.written_off_on = old.written_off_on;
		memcpy(cmp.client_ext_id, old.client_ext_id, sizeof cmp.client_ext_id);
		if (old.kind == a->kind && old.written_off_on == DATE_NONE &&
		    a->written_off_on != DATE_NONE && memcmp(&cmp, &old, sizeof cmp) == 0) {
			if (store_account_write_off(c->s, old.id, a->written_off_on) != STORE_OK) {
				store_failed(c, "written_off_on");
				return -1;
			}
			a->id = old.id;
			c->st->updated++;
			return 0;
		}
		error_at(c, c->row.line, cname(c, col_id),
		         "expected a new id or the same data as already stored, found \"%s\" stored with "
		         "different data "
		         "(a %s of client %s)",
		         a->ext_id, old.kind == STORE_LOAN ? "loan" : "invoice", old.client_ext_id);
		return -1;
	}
	if (rc != STORE_OK) {
		store_failed(c, cname(c, col_id));
		return -1;
	}
	count_put(c, p);
	if (p == PUT_INSERTED && posting_note(c, a)) return -1;
	return 0;
}

static int put_obligations(imp *c, const store_account *a, const obligation *ob, int n, long line)
{
	store_put p;
	store_rc rc = store_obligations_set(c->s, a->id, ob, n, &p);
	if (rc == STORE_CONFLICT) {
		error_at(c, line, c->kind == IMPORT_SCHEDULES ? "loan_id" : NULL,
		         "expected the schedule already stored for %s (a schedule is changed by "
		         "rescheduling, not by "
		         "import), found a different one",
		         a->ext_id);
		return -1;
	}
	if (rc != STORE_OK) {
		store_failed(c, "schedule");
		return -1;
	}
	if (c->kind == IMPORT_SCHEDULES) /* rows of schedules.csv count one by one */
		for (int i = 0; i < n; i++)
			count_put(c, p);
	return 0;
}

static void row_loan(imp *c)
{
	store_account a = {.kind = STORE_LOAN, .due_on = DATE_NONE};
	const currency_info *cur;
	int bad = get_id(c, LO_ID, a.ext_id);
	if (!bad) bad = check_dup(c, LO_ID, a.ext_id) != 0;
	bad |= get_text(c, LO_PRODUCT, a.product, sizeof a.product);
	bad |= get_text(c, LO_BRANCH, a.branch, sizeof a.branch);
	bad |= get_text(c, LO_OFFICER, a.officer, sizeof a.officer);
	bad |= account_client(c, LO_CLIENT, &a);
	if ((cur = get_currency(c, LO_CURRENCY)) != NULL) {
		memcpy(a.currency, cur->code, 4);
		bad |= get_amount(c, LO_PRINCIPAL, cur, 0, 0, &a.principal);
	} else {
		bad = 1;
	}
	bad |= get_date(c, LO_DISBURSED, 0, &a.start_on);
	bad |= get_date(c, LO_WRITTEN_OFF, 1, &a.written_off_on);
	if (!bad && a.written_off_on != DATE_NONE && a.written_off_on < a.start_on) {
		error_at(c, c->row.line, "written_off_on",
		         "expected a date on or after disbursed_on, found %s", val(c, LO_WRITTEN_OFF, NULL));
		bad = 1;
	}
	/* schedule terms: all or nothing */
	size_t nlen;
	val(c, LO_N, &nlen);
	schedule_terms t = {0};
	if (nlen) {
		long n, grace;
		size_t len;
		const char *v;
		bad |= get_int(c, LO_N, 1, SCHEDULE_MAX_INSTALLMENTS, 0, &n);
		t.n_installments = (int)n;
		v = val(c, LO_FREQ, &len);
		if (schedule_freq_parse(len ? v : "monthly", &t.freq)) {
			error_at(c, c->row.line, "frequency",
			         "expected weekly, biweekly or monthly, found \"%s\"", v);
			bad = 1;
		}
		v = val(c, LO_METHOD, &len);
		if (schedule_method_parse(len ? v : "declining", &t.method)) {
			error_at(c, c->row.line, "method", "expected flat or declining, found \"%s\"", v);
			bad = 1;
		}
		static const currency_info rate_digits = {"%", 4};
		bad |= get_amount(c, LO_RATE, &rate_digits, 1, 1,
		                  &t.annual_rate_ppm); /* percent, 4 decimals = ppm */
		bad |= get_int(c, LO_GRACE, 0, SCHEDULE_MAX_INSTALLMENTS - 1, 0, &grace);
		t.grace_periods = (int)grace;
		if (cur) bad |= get_amount(c, LO_FEE, cur, 1, 1, &t.fee_per_installment);
	} else {
		static const int term_cols[] = {LO_FREQ, LO_METHOD, LO_RATE, LO_GRACE, LO_FEE};
		for (size_t k = 0; k < sizeof term_cols / sizeof *term_cols; k++) {
			size_t len;
			val(c, term_cols[k], &len);
			if (len) {
				error_at(c, c->row.line, "installments",
				         "expected the number of installments when %s is given, found an "
				         "empty field",
				         cname(c, term_cols[k]));
				bad = 1;
				break;
			}
		}
	}
	if (bad || put_account(c, &a, LO_ID)) return;
	if (nlen) {
		t.principal = a.principal;
		t.disbursed_on = a.start_on;
		obligation *ob = malloc(sizeof *ob * (size_t)t.n_installments);
		if (!ob) {
			c->failed = 1;
			return;
		}
		schedule_err e = schedule_generate(&t, ob, t.n_installments);
		if (e != SCHEDULE_OK)
			error_at(c, c->row.line, "installments",
			         "expected terms a schedule can be made from, found: %s",
			         schedule_strerror(e));
		else
			put_obligations(c, &a, ob, t.n_installments, c->row.line);
		free(ob);
	}
}

static void row_invoice(imp *c)
{
	store_account a = {.kind = STORE_INVOICE};
	const currency_info *cur;
	int bad = get_id(c, IN_ID, a.ext_id);
	if (!bad) bad = check_dup(c, IN_ID, a.ext_id) != 0;
	bad |= get_text(c, IN_PRODUCT, a.product, sizeof a.product);
	bad |= get_text(c, IN_BRANCH, a.branch, sizeof a.branch);
	bad |= get_text(c, IN_OFFICER, a.officer, sizeof a.officer);
	bad |= account_client(c, IN_CLIENT, &a);
	if ((cur = get_currency(c, IN_CURRENCY)) != NULL) {
		memcpy(a.currency, cur->code, 4);
		bad |= get_amount(c, IN_AMOUNT, cur, 0, 0, &a.principal);
	} else {
		bad = 1;
	}
	bad |= get_date(c, IN_ISSUED, 0, &a.start_on);
	bad |= get_date(c, IN_DUE, 0, &a.due_on);
	bad |= get_date(c, IN_WRITTEN_OFF, 1, &a.written_off_on);
	if (!bad && a.due_on < a.start_on) {
		error_at(c, c->row.line, "due_on", "expected a date on or after issued_on, found %s",
		         val(c, IN_DUE, NULL));
		bad = 1;
	}
	if (bad || put_account(c, &a, IN_ID)) return;
	obligation ob = {.due_on = a.due_on};
	ob.amount[COMP_PRINCIPAL] = a.principal;
	put_obligations(c, &a, &ob, 1, c->row.line);
}

/* Writes the buffered payments in one batch and reports each row's outcome at its own line. */
static void flush_payments(imp *c)
{
	int n = c->n_pay;
	c->n_pay = 0;
	if (!n || c->failed) return;
	if (store_payment_put_many(c->s, c->pay, n, c->pay_rc, c->pay_res) != STORE_OK) {
		store_failed(c, "payment_id");
		return;
	}
	for (int i = 0; i < n; i++) {
		store_payment *p = &c->pay[i];
		store_put put = c->pay_res[i];
		if (c->pay_rc[i] == STORE_CONFLICT) {
			store_payment old;
			char d[16], amt[48];
			if (store_payment_get(c->s, p->ext_id, &old) != STORE_OK) {
				store_failed(c, "payment_id");
				return;
			}
			date_format(old.paid_on, d, sizeof d);
			fmt_amount(old.amount, c->pay_cur[i], amt, sizeof amt);
			error_at(
			    c, c->pay_line[i], "payment_id",
			    "expected a new payment id or the payment already posted under it, found \"%s\" "
			    "already posted with other data (%s on %s)",
			    p->ext_id, amt, d);
			continue;
		}
		if (c->pay_rc[i] != STORE_OK) {
			store_failed(c, "payment_id");
			return;
		}
		if (c->pay_rev[i] != DATE_NONE) {
			store_put rp;
			store_rc rc = store_payment_reverse(c->s, p->ext_id, c->pay_rev[i], &rp);
			if (rc == STORE_CONFLICT) {
				char d[16];
				date_format(c->pay_rev[i], d, sizeof d);
				error_at(c, c->pay_line[i], "reversed_on",
				         "expected the reversal date already stored for %s, found %s",
				         p->ext_id, d);
				continue;
			}
			if (rc != STORE_OK) {
				store_failed(c, "reversed_on");
				return;
			}
			if (put == PUT_UNCHANGED && rp != PUT_UNCHANGED) put = PUT_UPDATED;
		}
		count_put(c, put);
	}
}

static void row_payment(imp *c)
{
	store_payment p = {.reversed_on = DATE_NONE};
	store_account a;
	char acct_id[STORE_ID_MAX];
	int bad = get_id(c, PA_ID, p.ext_id);
	if (!bad) bad = check_dup(c, PA_ID, p.ext_id) != 0;
	bad |= get_text(c, PA_REFERENCE, p.reference, sizeof p.reference);
	bad |= get_date(c, PA_PAID, 0, &p.paid_on);
	bad |= get_date(c, PA_REVERSED, 1, &p.reversed_on);
	if (get_id(c, PA_ACCOUNT, acct_id)) return;
	store_rc rc = find_account(c, acct_id, &a);
	if (rc == STORE_NOT_FOUND) {
		error_at(c, c->row.line, "account_id", "expected a known loan or invoice id, found \"%s\"",
		         acct_id);
		return;
	}
	if (rc != STORE_OK) {
		store_failed(c, "account_id");
		return;
	}
	const currency_info *cur = currency_find(a.currency, 3);
	if (!cur) {
		store_failed(c, "account_id");
		return;
	}
	size_t clen;
	const char *cv = val(c, PA_CURRENCY, &clen);
	if (clen && (clen != 3 || memcmp(cv, a.currency, 3) != 0)) {
		error_at(c, c->row.line, "currency", "expected %s, the currency of %s, found \"%s\"",
		         a.currency, acct_id, cv);
		bad = 1;
	}
	bad |= get_amount(c, PA_AMOUNT, cur, 0, 0, &p.amount);
	if (!bad && p.paid_on < a.start_on) {
		char d[16];
		date_format(a.start_on, d, sizeof d);
		error_at(c, c->row.line, "paid_on",
		         "expected a date on or after %s, when %s started, found %s", d, acct_id,
		         val(c, PA_PAID, NULL));
		bad = 1;
	}
	if (!bad && p.reversed_on != DATE_NONE && p.reversed_on < p.paid_on) {
		error_at(c, c->row.line, "reversed_on", "expected a date on or after paid_on, found %s",
		         val(c, PA_REVERSED, NULL));
		bad = 1;
	}
	if (bad) return;
	p.account_id = a.id;
	int k = c->n_pay++;
	c->pay_rev[k] = p.reversed_on; /* applied after the put, so a re-import compares as before */
	p.reversed_on = DATE_NONE;
	c->pay[k] = p;
	c->pay_line[k] = c->row.line;
	memcpy(c->pay_cur[k], a.currency, 4);
	if (c->n_pay == BATCH) flush_payments(c);
}

/* ---- schedules: rows of one loan form a block, checked and written as a whole ---- */

static int cmp_due(const void *x, const void *y)
{
	const obligation *a = x, *b = y;
	return (a->due_on > b->due_on) - (a->due_on < b->due_on);
}

/* Writes the queued schedule blocks in one batch; each block's outcome is reported at its first line. */
static void flush_schedules(imp *c)
{
	int n = c->n_bset;
	c->n_bset = 0;
	c->n_bob = 0;
	if (!n || c->failed) return;
	for (int i = 0; i < n; i++) /* the buffer may have moved while blocks were queued */
		c->bset[i].ob = c->bob + c->bset_off[i];
	if (store_obligations_set_many(c->s, c->bset, n, c->bset_rc, c->bset_res) != STORE_OK) {
		store_failed(c, "schedule");
		return;
	}
	for (int i = 0; i < n; i++) {
		if (c->bset_rc[i] == STORE_CONFLICT) {
			error_at(c, c->bset_line[i], "loan_id",
			         "expected the schedule already stored for %s (a schedule is changed by "
			         "rescheduling, "
			         "not by import), found a different one",
			         c->bset_ext[i]);
			continue;
		}
		if (c->bset_rc[i] != STORE_OK) {
			store_failed(c, "schedule");
			return;
		}
		for (int k = 0; k < c->bset[i].n; k++) /* rows of schedules.csv count one by one */
			count_put(c, c->bset_res[i]);
	}
}

static void queue_schedule(imp *c, const store_account *a, const obligation *ob, int n, long line)
{
	if (c->n_bob + n > c->cap_bob) {
		int nc = c->cap_bob ? c->cap_bob : BATCH_OBLIGATIONS;
		while (nc < c->n_bob + n)
			nc *= 2;
		obligation *nb = realloc(c->bob, sizeof *nb * (size_t)nc);
		if (!nb) {
			fprintf(c->err, "%s: out of memory\n", c->label);
			c->failed = 1;
			return;
		}
		c->bob = nb;
		c->cap_bob = nc;
	}
	int k = c->n_bset++;
	memcpy(c->bob + c->n_bob, ob, sizeof *ob * (size_t)n);
	c->bset[k] = (store_obligation_set){.account_id = a->id, .n = n};
	c->bset_off[k] = c->n_bob;
	c->bset_line[k] = line;
	memcpy(c->bset_ext[k], a->ext_id, STORE_ID_MAX);
	c->n_bob += n;
	if (c->n_bset == BATCH || c->n_bob >= BATCH_OBLIGATIONS) flush_schedules(c);
}

static void flush_schedule(imp *c)
{
	if (!c->sched_loan[0]) return;
	int n = c->n_sched;
	store_account *a = &c->sched_acct;
	int ok = c->sched_acct_ok && n > 0;
	c->sched_loan[0] = 0;
	c->n_sched = 0;
	if (!ok) return;
	/* rows may come in any order within the block: sort by due date (lines follow their rows) */
	for (int i = 1; i < n; i++)
		if (c->sched[i].due_on < c->sched[i - 1].due_on) {
			/* keep lines aligned: sort pairs by insertion (blocks are small) */
			for (int k = 1; k < n; k++) {
				obligation o = c->sched[k];
				long l = c->sched_lines[k];
				int j = k - 1;
				while (j >= 0 && cmp_due(&c->sched[j], &o) > 0) {
					c->sched[j + 1] = c->sched[j];
					c->sched_lines[j + 1] = c->sched_lines[j];
					j--;
				}
				c->sched[j + 1] = o;
				c->sched_lines[j + 1] = l;
			}
			break;
		}
	int bad = 0;
	int64_t sum = 0;
	for (int i = 0; i < n; i++) {
		char d[16];
		if (i > 0 && c->sched[i].due_on == c->sched[i - 1].due_on) {
			date_format(c->sched[i].due_on, d, sizeof d);
			error_at(c, c->sched_lines[i], "due_on",
			         "expected one installment per date, found %s also at line %ld", d,
			         c->sched_lines[i - 1]);
			bad = 1;
		}
		if (c->sched[i].due_on < a->start_on) {
			date_format(a->start_on, d, sizeof d);
			error_at(c, c->sched_lines[i], "due_on",
			         "expected a date on or after the disbursement (%s), found it before", d);
			bad = 1;
		}
		if (money_add(sum, c->sched[i].amount[COMP_PRINCIPAL], &sum)) {
			error_at(c, c->sched_lines[i], "principal",
			         "expected amounts whose sum fits, found an overflow");
			return;
		}
	}
	if (sum != a->principal) {
		char want[48], got[48];
		fmt_amount(a->principal, a->currency, want, sizeof want);
		fmt_amount(sum, a->currency, got, sizeof got);
		error_at(
		    c, c->sched_line, "principal",
		    "expected the installments of %s to add up to its principal %s, found %s (lines %ld-%ld)",
		    a->ext_id, want, got, c->sched_line, c->sched_lines[n - 1]);
		bad = 1;
	}
	if (!bad) queue_schedule(c, a, c->sched, n, c->sched_line);
}

static void row_schedule(imp *c)
{
	char loan[STORE_ID_MAX];
	if (get_id(c, SC_LOAN, loan)) return;
	if (strcmp(loan, c->sched_loan) != 0) {
		flush_schedule(c);
		long first = idset_add(c->seen, loan, strlen(loan), c->row.line);
		if (first < 0) {
			c->failed = 1;
			return;
		}
		if (first > 0) {
			error_at(c, c->row.line, "loan_id",
			         "expected the rows of loan \"%s\" together, found them again after other "
			         "loans (first at line %ld)",
			         loan, first);
			return;
		}
		memcpy(c->sched_loan, loan, sizeof loan);
		c->sched_line = c->row.line;
		c->sched_acct_ok = 0;
		store_rc rc = find_account(c, loan, &c->sched_acct);
		if (rc == STORE_NOT_FOUND) {
			error_at(c, c->row.line, "loan_id",
			         "expected a known loan (import loans first), found \"%s\"", loan);
		} else if (rc != STORE_OK) {
			{
				store_failed(c, "loan_id");
				return;
			}
		} else if (c->sched_acct.kind != STORE_LOAN) {
			error_at(c, c->row.line, "loan_id", "expected a loan, found \"%s\", an invoice",
			         loan);
		} else {
			c->sched_acct_ok = 1;
		}
	}
	if (!c->sched_acct_ok) return;
	const currency_info *cur = currency_find(c->sched_acct.currency, 3);
	if (!cur) {
		store_failed(c, "loan_id");
		return;
	}
	obligation o = {0};
	int bad = get_date(c, SC_DUE, 0, &o.due_on);
	bad |= get_amount(c, SC_PRINCIPAL, cur, 1, 0, &o.amount[COMP_PRINCIPAL]);
	bad |= get_amount(c, SC_INTEREST, cur, 1, 0, &o.amount[COMP_INTEREST]);
	bad |= get_amount(c, SC_FEES, cur, 1, 0, &o.amount[COMP_FEE]);
	bad |= get_amount(c, SC_PENALTIES, cur, 1, 1, &o.amount[COMP_PENALTY]);
	if (bad) {
		c->sched_acct_ok = 0; /* the block is already wrong: no sum check on top */
		return;
	}
	if (c->n_sched == c->cap_sched) {
		int nc = c->cap_sched ? c->cap_sched * 2 : 64;
		obligation *no = realloc(c->sched, sizeof *no * (size_t)nc);
		if (no) c->sched = no;
		long *nl = realloc(c->sched_lines, sizeof *nl * (size_t)nc);
		if (nl) c->sched_lines = nl;
		if (!no || !nl) {
			c->failed = 1;
			return;
		}
		c->cap_sched = nc;
	}
	if (c->n_sched >= SCHEDULE_MAX_INSTALLMENTS) {
		error_at(c, c->row.line, "loan_id", "expected at most %d installments per loan, found more",
		         SCHEDULE_MAX_INSTALLMENTS);
		c->sched_acct_ok = 0;
		return;
	}
	c->sched_lines[c->n_sched] = c->row.line;
	c->sched[c->n_sched++] = o;
}

/* ---- the header ---- */

static int read_header(imp *c)
{
	int n = 0;
	while (c->spec[n].name)
		n++;
	for (int i = 0; i < n; i++)
		c->col[i] = -1;
	int bad = 0;
	for (int k = 0; k < c->row.n; k++) {
		const char *h = c->row.field[k];
		int found = -1;
		for (int i = 0; i < n; i++)
			if (strcmp(h, c->spec[i].name) == 0) found = i;
		if (found < 0) {
			char list[512] = "";
			for (int i = 0; i < n; i++)
				snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				         i ? ", " : "", c->spec[i].name);
			char b[80];
			error_at(c, c->row.line, "header", "expected only the columns %s, found %s", list,
			         shown(h, b, sizeof b));
			bad = 1;
		} else if (c->col[found] >= 0) {
			error_at(c, c->row.line, "header", "expected each column once, found %s twice", h);
			bad = 1;
		} else {
			c->col[found] = k;
		}
	}
	for (int i = 0; i < n; i++)
		if (c->spec[i].required && c->col[i] < 0) {
			error_at(c, c->row.line, "header", "expected a column %s, found none",
			         c->spec[i].name);
			bad = 1;
		}
	return bad ? -1 : 0;
}

/* ---- the import ---- */

import_rc import_csv(store *s, import_kind k, const char *path, const char *label, FILE *err,
                     import_stats *st)
{
	char msg[512];
	memset(st, 0, sizeof *st);
	imp *c = calloc(1, sizeof *c);
	if (!c) {
		fprintf(err, "%s: out of memory\n", label ? label : path);
		return IMPORT_FAILED;
	}
	c->s = s;
	c->kind = k;
	c->label = label ? label : path;
	c->err = err;
	c->st = st;
	c->spec = SPECS[k];
	csv_reader *r = csv_open(path, msg, sizeof msg);
	if (!r) {
		fprintf(err, "%s\n", msg);
		free(c);
		return IMPORT_FAILED;
	}
	c->seen = idset_new();
	import_rc result = IMPORT_FAILED;
	if (!c->seen || store_begin_bulk(s) != STORE_OK) {
		fprintf(err, "%s: cannot start the import: %s\n", c->label,
		        c->seen ? store_errmsg(s) : "out of memory");
		goto out;
	}
	if ((k == IMPORT_LOANS || k == IMPORT_INVOICES) && !(c->guard = exposure_guard_new(s, msg, sizeof msg))) {
		fprintf(err, "%s: cannot start the import: %s\n", c->label, msg);
		store_rollback(s);
		goto out;
	}
	int have_header = 0, fatal = 0;
	int ncols = 0;
	for (;;) {
		csv_rc rc = csv_next(r, &c->row);
		if (rc == CSV_EOF) break;
		if (rc == CSV_FATAL) {
			error_at(c, csv_errline(r), NULL, "%s", csv_errmsg(r));
			fatal = 1;
			break;
		}
		if (rc == CSV_BAD_ROW) {
			error_at(c, csv_errline(r), NULL,
			         "expected a well-formed CSV row (RFC 4180), found %s", csv_errmsg(r));
			if (!have_header) {
				fatal = 1;
				break;
			}
			continue;
		}
		if (!have_header) {
			have_header = 1;
			ncols = c->row.n;
			if (read_header(c)) {
				fatal = 1;
				break;
			}
			continue;
		}
		st->rows++;
		if (c->row.n != ncols) {
			error_at(c, c->row.line, NULL, "expected %d fields as in the header, found %d", ncols,
			         c->row.n);
			continue;
		}
		switch (k) {
		case IMPORT_CLIENTS:
			row_client(c);
			break;
		case IMPORT_LOANS:
			row_loan(c);
			break;
		case IMPORT_SCHEDULES:
			row_schedule(c);
			break;
		case IMPORT_INVOICES:
			row_invoice(c);
			break;
		case IMPORT_PAYMENTS:
			row_payment(c);
			break;
		}
		if (c->failed) break;
	}
	if (!c->failed && !fatal && k == IMPORT_SCHEDULES) {
		flush_schedule(c);
		flush_schedules(c);
	}
	if (!c->failed && !fatal && k == IMPORT_PAYMENTS) flush_payments(c);
	if (!have_header && !fatal && !c->failed)
		error_at(c, 1, "header", "expected a header line naming the columns, found an empty file");
	if (!c->failed && !fatal && !st->errors && posting_check(c, msg, sizeof msg)) {
		if (!c->failed) fprintf(err, "%s: limit check: %s\n", c->label, msg);
		c->failed = 1;
	}
	if (st->errors > IMPORT_MAX_REPORTED)
		fprintf(err, "%s: ... and %ld more errors\n", c->label, st->errors - IMPORT_MAX_REPORTED);
	if (c->failed) {
		store_rollback(s);
		result = IMPORT_FAILED;
	} else if (st->errors) {
		store_rollback(s);
		result = IMPORT_REJECTED;
	} else if (ledger_sync_rebuild(s, &st->accounts_rebuilt, msg, sizeof msg)) {
		fprintf(err, "%s: %s\n", c->label, msg);
		store_rollback(s);
		result = IMPORT_FAILED;
	} else if (store_commit(s) != STORE_OK) {
		fprintf(err, "%s: commit failed: %s\n", c->label, store_errmsg(s));
		store_rollback(s);
		result = IMPORT_FAILED;
	} else {
		result = IMPORT_DONE;
	}
out:
	exposure_guard_free(c->guard);
	csv_close(r);
	idset_free(c->seen);
	free(c->sched);
	free(c->sched_lines);
	free(c->bob);
	free(c);
	return result;
}

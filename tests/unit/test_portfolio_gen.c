/* test_portfolio_gen.c: unit tests of the portfolio generator (io/portfolio_gen): files and headers,
 * determinism by seed, row counts, schedules that add up to each loan, payments never after as_of and
 * always on a known account, decimals per currency, every payment behaviour present, bench shape.
 * The CSV files are read back with a small parser of our own (the generator's ids and amounts are
 * never quoted; names may be). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/currency.h"
#include "core/date.h"
#include "core/money.h"
#include "io/portfolio_gen.h"
#include "t.h"

static const char *const FILES[5] = {"clients.csv", "loans.csv", "schedules.csv", "invoices.csv",
                                     "payments.csv"};
static const char *const HEADERS[5] = {
    "client_id,name,branch,officer,phone,email,language",
    "loan_id,client_id,currency,principal,disbursed_on,product,branch,officer,written_off_on",
    "loan_id,due_on,principal,interest,fees",
    "invoice_id,client_id,currency,amount,issued_on,due_on,branch,officer",
    "payment_id,account_id,paid_on,amount",
};

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL) return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (nb == NULL) free(buf);
			buf = nb;
		}
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

static void remove_dir(const char *dir)
{
	char path[1024];
	for (int i = 0; i < 5; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, FILES[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Next line of *s (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **s)
{
	if (**s == '\0') return NULL;
	char *line = *s, *nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*s = nl + 1;
	} else {
		*s = line + strlen(line);
	}
	return line;
}

/* Splits a CSV line in place (quoted fields unescaped); returns the number of fields, -1 if malformed. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max) return -1;
		if (*p == '"') {
			char *out = p, *in = p + 1;
			f[n++] = out;
			for (;;) {
				if (*in == '\0') return -1;
				if (*in == '"') {
					if (in[1] == '"') {
						*out++ = '"';
						in += 2;
						continue;
					}
					in++;
					break;
				}
				*out++ = *in++;
			}
			if (*in != ',' && *in != '\0') return -1;
			char c = *in;
			*out = '\0';
			if (c == '\0') return n;
			p = in + 1;
		} else {
			f[n++] = p;
			char *c = strchr(p, ',');
			if (c == NULL) return n;
			if (memchr(p, '"', (size_t)(c - p)) != NULL) return -1;
			*c = '\0';
			p = c + 1;
		}
	}
}

/* The 0-based index of an id like "L0000042" (prefix, `width` digits at least), or -1. */
static long id_index(const char *s, char prefix, int width, long n)
{
	if (s[0] != prefix || (int)strlen(s + 1) < width) return -1;
	long v = 0;
	for (const char *p = s + 1; *p; p++) {
		if (*p < '0' || *p > '9') return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= n ? v - 1 : -1;
}

static int parse_date(const char *s, civil_day *out)
{
	return date_parse(s, strlen(s), out) == DATE_OK ? 0 : -1;
}

/* An amount with exactly `exp` decimals (no point at all when exp is 0), >= 0. */
static int parse_amount(const char *s, int exp, int64_t *out)
{
	const char *dot = strchr(s, '.');
	if (exp == 0 ? dot != NULL : (dot == NULL || (int)strlen(dot + 1) != exp)) return -1;
	if (money_parse(s, strlen(s), exp, out) != MONEY_OK || *out < 0) return -1;
	return 0;
}

#define MAX_INST 32
#define MAX_PAY  128

typedef struct {
	long client;
	int exp;
	int64_t principal, sched_principal;
	civil_day disbursed, written_off;
	int n;
	civil_day due[MAX_INST];
	int64_t tot[MAX_INST];
	int npay;
	civil_day pd[MAX_PAY];
	int64_t pa[MAX_PAY];
} tloan;

typedef struct {
	long client;
	int64_t amount, paid;
	civil_day issued, due, last_paid;
	int npay;
} tinvoice;

typedef struct {
	tloan *loans;
	tinvoice *inv;
	long n_loans, n_inv, n_clients, rows[5];
	int bad_rows, bad_refs, bad_amounts, bad_dates, bad_order, after_as_of, nonpositive, before_start;
	int quoted_names, bad_lang, bad_phone, sched_overflow, pay_overflow;
	int feb29, month_end_pay, on_due_date;
} run;

static int exp_of(const char *ccy)
{
	const currency_info *c = currency_find(ccy, strlen(ccy));
	return c ? c->exponent : -1;
}

/* Reads the five files of dir (generated with o) into r, counting every defect found. */
static int load_run(const char *dir, const gen_options *o, run *r)
{
	memset(r, 0, sizeof *r);
	r->n_clients = o->n_clients;
	r->loans = calloc((size_t)o->n_loans + 1, sizeof *r->loans);
	r->inv = calloc((size_t)o->n_invoices + 1, sizeof *r->inv);
	char *buf[5];
	for (int i = 0; i < 5; i++) {
		size_t len;
		buf[i] = slurp(dir, FILES[i], &len);
		if (buf[i] == NULL) return -1;
	}
	char *f[16];
	char *s, *line;

	s = buf[0];
	next_line(&s);
	while ((line = next_line(&s)) != NULL) {
		r->rows[0]++;
		if (line[0] != '\0' && strchr(line, '"')) r->quoted_names++;
		int n = split(line, f, 16);
		if (n != 7 || id_index(f[0], 'C', 6, o->n_clients) != r->rows[0] - 1 || f[1][0] == '\0' ||
		    id_index(f[3], 'O', 3, 999) < 0) {
			r->bad_rows++;
			continue;
		}
		if (strcmp(f[6], "fr") != 0 && strcmp(f[6], "en") != 0) r->bad_lang++;
		if (f[4][0] != '+' || strlen(f[4]) < 11) r->bad_phone++;
	}

	s = buf[1];
	next_line(&s);
	while ((line = next_line(&s)) != NULL) {
		long i = r->rows[1]++;
		int n = split(line, f, 16);
		if (n != 9 || id_index(f[0], 'L', 7, o->n_loans) != i) {
			r->bad_rows++;
			continue;
		}
		tloan *l = &r->loans[i];
		l->client = id_index(f[1], 'C', 6, o->n_clients);
		if (l->client < 0) r->bad_refs++;
		l->exp = exp_of(f[2]);
		if (l->exp < 0 || parse_amount(f[3], l->exp, &l->principal) != 0 || l->principal <= 0)
			r->bad_amounts++;
		if (parse_date(f[4], &l->disbursed) != 0 || l->disbursed >= o->as_of) r->bad_dates++;
		l->written_off = DATE_NONE;
		if (f[8][0] != '\0' && (parse_date(f[8], &l->written_off) != 0 || l->written_off > o->as_of))
			r->bad_dates++;
		r->n_loans++;
	}

	s = buf[2];
	next_line(&s);
	while ((line = next_line(&s)) != NULL) {
		r->rows[2]++;
		int n = split(line, f, 16);
		long i = n == 5 ? id_index(f[0], 'L', 7, r->n_loans) : -1;
		if (i < 0) {
			r->bad_refs++;
			continue;
		}
		tloan *l = &r->loans[i];
		civil_day due;
		int64_t p, in, fee;
		if (parse_date(f[1], &due) != 0 || due <= l->disbursed ||
		    (l->n > 0 && due <= l->due[l->n - 1]))
			r->bad_dates++;
		if (parse_amount(f[2], l->exp, &p) != 0 || parse_amount(f[3], l->exp, &in) != 0 ||
		    parse_amount(f[4], l->exp, &fee) != 0) {
			r->bad_amounts++;
			continue;
		}
		if (l->n == MAX_INST) {
			r->sched_overflow++;
			continue;
		}
		l->due[l->n] = due;
		l->tot[l->n] = p + in + fee;
		l->n++;
		l->sched_principal += p;
	}

	s = buf[3];
	next_line(&s);
	while ((line = next_line(&s)) != NULL) {
		long i = r->rows[3]++;
		int n = split(line, f, 16);
		if (n != 8 || id_index(f[0], 'I', 7, o->n_invoices) != i) {
			r->bad_rows++;
			continue;
		}
		tinvoice *v = &r->inv[i];
		v->client = id_index(f[1], 'C', 6, o->n_clients);
		if (v->client < 0) r->bad_refs++;
		if (strcmp(f[2], "EUR") != 0 || parse_amount(f[3], 2, &v->amount) != 0 || v->amount <= 0)
			r->bad_amounts++;
		if (parse_date(f[4], &v->issued) != 0 || parse_date(f[5], &v->due) != 0 ||
		    v->issued > o->as_of)
			r->bad_dates++;
		long terms = (long)v->due - v->issued;
		if (terms != 30 && terms != 45 && terms != 60) r->bad_dates++;
		v->last_paid = DATE_NONE;
		r->n_inv++;
	}

	s = buf[4];
	next_line(&s);
	while ((line = next_line(&s)) != NULL) {
		long k = r->rows[4]++;
		int n = split(line, f, 16);
		if (n != 4 || id_index(f[0], 'P', 8, 1L << 40) != k) {
			r->bad_rows++;
			continue;
		}
		civil_day d;
		int64_t a = 0;
		if (parse_date(f[2], &d) != 0) {
			r->bad_dates++;
			continue;
		}
		if (d > o->as_of) r->after_as_of++;
		int y, m, dd;
		date_to_ymd(d, &y, &m, &dd);
		if (m == 2 && dd == 29)
			r->feb29++;
		else if (date_is_month_end(d))
			r->month_end_pay++;
		long li = id_index(f[1], 'L', 7, r->n_loans), ii = id_index(f[1], 'I', 7, r->n_inv);
		if (li >= 0) {
			tloan *l = &r->loans[li];
			if (parse_amount(f[3], l->exp, &a) != 0) {
				r->bad_amounts++;
				continue;
			}
			if (d <= l->disbursed || (l->written_off != DATE_NONE && d > l->written_off))
				r->before_start++;
			if (l->npay > 0 && d < l->pd[l->npay - 1]) r->bad_order++;
			for (int j = 0; j < l->n; j++)
				if (l->due[j] == d) r->on_due_date++;
			if (l->npay == MAX_PAY) {
				r->pay_overflow++;
				continue;
			}
			l->pd[l->npay] = d;
			l->pa[l->npay] = a;
			l->npay++;
		} else if (ii >= 0) {
			tinvoice *v = &r->inv[ii];
			if (parse_amount(f[3], 2, &a) != 0) {
				r->bad_amounts++;
				continue;
			}
			if (d <= v->issued) r->before_start++;
			if (v->last_paid != DATE_NONE && d < v->last_paid) r->bad_order++;
			v->paid += a;
			v->last_paid = d;
			v->npay++;
		} else {
			r->bad_refs++;
			continue;
		}
		if (a <= 0) r->nonpositive++;
	}
	for (int i = 0; i < 5; i++)
		free(buf[i]);
	return 0;
}

static void free_run(run *r)
{
	free(r->loans);
	free(r->inv);
}

/* Structural checks shared by demo and bench runs. */
static void check_run(const char *what, const run *r, const gen_counts *c)
{
	printf("# %s: %ld clients, %ld loans, %ld schedule rows, %ld invoices, %ld payments\n", what,
	       c->clients, c->loans, c->schedule_rows, c->invoices, c->payments);
	T_EQ_INT(r->rows[0], c->clients, "clients.csv rows = counts.clients");
	T_EQ_INT(r->rows[1], c->loans, "loans.csv rows = counts.loans");
	T_EQ_INT(r->rows[2], c->schedule_rows, "schedules.csv rows = counts.schedule_rows");
	T_EQ_INT(r->rows[3], c->invoices, "invoices.csv rows = counts.invoices");
	T_EQ_INT(r->rows[4], c->payments, "payments.csv rows = counts.payments");
	T_EQ_INT(r->bad_rows, 0, "rows with the wrong fields or ids out of sequence");
	T_EQ_INT(r->bad_refs, 0, "references to unknown clients, loans or invoices");
	T_EQ_INT(r->bad_amounts, 0, "amounts with the wrong decimals for their currency");
	T_EQ_INT(r->bad_dates, 0, "bad or out of order dates");
	T_EQ_INT(r->bad_lang, 0, "languages other than fr/en");
	T_EQ_INT(r->bad_phone, 0, "phones not in international form");
	T_EQ_INT(r->after_as_of, 0, "payments after as_of");
	T_EQ_INT(r->nonpositive, 0, "payments <= 0");
	T_EQ_INT(r->before_start, 0, "payments before disbursement/issue or after write-off");
	T_EQ_INT(r->bad_order, 0, "payments of an account out of date order");
	T_EQ_INT(r->sched_overflow + r->pay_overflow, 0, "test capacity");
	long sum_mismatch = 0, no_schedule = 0;
	for (long i = 0; i < r->n_loans; i++) {
		if (r->loans[i].n == 0) no_schedule++;
		if (r->loans[i].sched_principal != r->loans[i].principal) sum_mismatch++;
	}
	T_EQ_INT(no_schedule, 0, "loans without a schedule");
	T_EQ_INT(sum_mismatch, 0, "loans whose schedule principal parts do not add up to the principal");
}

static int same_file(const char *d1, const char *d2, const char *name)
{
	size_t n1 = 0, n2 = 0;
	char *a = slurp(d1, name, &n1), *b = slurp(d2, name, &n2);
	int same = a && b && n1 == n2 && memcmp(a, b, n1) == 0;
	free(a);
	free(b);
	return same;
}

static int make_dir(char *tmpl)
{
	strcpy(tmpl, "/tmp/vigie-gen-XXXXXX");
	return mkdtemp(tmpl) != NULL ? 0 : -1;
}

static void check_headers(const char *dir)
{
	for (int i = 0; i < 5; i++) {
		size_t len = 0;
		char *b = slurp(dir, FILES[i], &len);
		T_OK(b != NULL, "%s exists", FILES[i]);
		if (b == NULL) continue;
		char *nl = strchr(b, '\n');
		if (nl) *nl = '\0';
		T_EQ_STR(b, HEADERS[i], "header");
		free(b);
	}
}

/* How the loan's installments due by as_of were covered (first in, first out): the latest coverage
 * in days after a due date, whether all were covered by their due dates, how many are still open. */
typedef struct {
	int due_n, covered_n;
	int max_late, min_late;
	int64_t total, paid;
	civil_day last_paid;
} cover;

static cover coverage(const tloan *l, civil_day as_of)
{
	cover cv = {0, 0, -100000, 100000, 0, 0, DATE_NONE};
	int64_t cum = 0, paid = 0;
	int k = 0;
	for (int j = 0; j < l->n; j++)
		cv.total += l->tot[j];
	for (int i = 0; i < l->npay; i++)
		cv.paid += l->pa[i];
	if (l->npay > 0) cv.last_paid = l->pd[l->npay - 1];
	for (int j = 0; j < l->n && l->due[j] <= as_of; j++) {
		cv.due_n++;
		cum += l->tot[j];
		while (paid < cum && k < l->npay)
			paid += l->pa[k++];
		if (paid < cum) break;
		int late = l->pd[k - 1] - l->due[j];
		cv.covered_n++;
		if (late > cv.max_late) cv.max_late = late;
		if (late < cv.min_late) cv.min_late = late;
	}
	return cv;
}

static void test_demo(void)
{
	char d1[64], d2[64], d3[64];
	T_OK(make_dir(d1) == 0 && make_dir(d2) == 0 && make_dir(d3) == 0, "mkdtemp");
	gen_options o = {.seed = 42,
	                 .n_clients = 300,
	                 .n_loans = 500,
	                 .n_invoices = 200,
	                 .as_of = date_from_ymd(2025, 6, 30),
	                 .bench = 0};
	gen_counts c, c2, c3;
	char err[256];
	T_EQ_INT(gen_portfolio(&o, d1, &c, err, sizeof err), 0, "demo generation");
	T_EQ_INT(c.clients, 300, "clients");
	T_EQ_INT(c.loans, 500, "loans");
	T_EQ_INT(c.invoices, 200, "invoices");
	T_OK(c.payments > 2000, "many payments: %ld", c.payments);
	check_headers(d1);

	T_EQ_INT(gen_portfolio(&o, d2, &c2, err, sizeof err), 0, "demo generation again");
	for (int i = 0; i < 5; i++)
		T_OK(same_file(d1, d2, FILES[i]), "same seed, same bytes: %s", FILES[i]);
	T_EQ_INT(c2.payments, c.payments, "same seed, same counts");
	gen_options o3 = o;
	o3.seed = 43;
	T_EQ_INT(gen_portfolio(&o3, d3, &c3, err, sizeof err), 0, "demo generation, other seed");
	T_OK(!same_file(d1, d3, "loans.csv"), "other seed, other loans");
	T_OK(!same_file(d1, d3, "payments.csv"), "other seed, other payments");
	T_OK(!same_file(d1, d3, "clients.csv"), "other seed, other clients");

	run r;
	T_EQ_INT(load_run(d1, &o, &r), 0, "read back");
	check_run("demo", &r, &c);
	T_OK(r.quoted_names > 0, "some names need quoting");

	/* Loans per client: 0..3. */
	int *per_client = calloc((size_t)o.n_clients, sizeof *per_client);
	int over3 = 0, eur = 0, xof = 0;
	for (long i = 0; i < r.n_loans; i++) {
		if (r.loans[i].client >= 0 && ++per_client[r.loans[i].client] > 3) over3++;
		if (r.loans[i].exp == 2)
			eur++;
		else if (r.loans[i].exp == 0)
			xof++;
	}
	free(per_client);
	T_EQ_INT(over3, 0, "clients with more than 3 loans");
	T_OK(eur > 0 && xof > 0, "loans in EUR (%d) and in XOF (%d)", eur, xof);

	/* Behaviours. */
	int on_time = 0, late90 = 0, chronic = 0, prepaid = 0, written_off = 0, stopped = 0, not_started = 0,
	    finished = 0, mid_life = 0, part_payments = 0;
	for (long i = 0; i < r.n_loans; i++) {
		const tloan *l = &r.loans[i];
		cover cv = coverage(l, o.as_of);
		if (cv.due_n >= 2 && cv.covered_n == cv.due_n && cv.max_late <= 0) on_time++;
		if (cv.covered_n > 0 && cv.max_late > 90) late90++;
		if (cv.due_n >= 3 && cv.covered_n == cv.due_n && cv.min_late >= 1) chronic++;
		if (l->n > 0 && cv.paid == cv.total && cv.last_paid < l->due[l->n - 1]) prepaid++;
		if (l->written_off != DATE_NONE) written_off++;
		if (cv.covered_n < cv.due_n && l->due[cv.covered_n] < o.as_of - 90 &&
		    (l->npay == 0 || l->pd[l->npay - 1] < o.as_of - 90))
			stopped++;
		if (cv.due_n == 0)
			not_started++;
		else if (cv.due_n == l->n)
			finished++;
		else
			mid_life++;
		int64_t min_tot = INT64_MAX;
		for (int j = 0; j < l->n; j++)
			if (l->tot[j] < min_tot) min_tot = l->tot[j];
		for (int k = 0; k < l->npay; k++)
			if (l->pa[k] < min_tot) part_payments++;
	}
	printf("# on time %d, late > 90 days %d, always late %d, prepaid %d, written off %d, stopped %d, "
	       "part payments %d, not started %d, mid-life %d, finished %d\n",
	       on_time, late90, chronic, prepaid, written_off, stopped, part_payments, not_started, mid_life,
	       finished);
	printf("# payments on Feb 29: %d, on other month ends: %d, on a due date: %d\n", r.feb29,
	       r.month_end_pay, r.on_due_date);
	T_OK(on_time > 0, "a loan paid entirely on time");
	T_OK(late90 > 0, "a loan with a payment more than 90 days after a due date");
	T_OK(chronic > 0, "a loan always paid late");
	T_OK(prepaid > 0, "a loan prepaid (closed before its last due date)");
	T_OK(written_off > 0, "a written-off loan");
	T_OK(stopped > 0, "a loan that stopped paying");
	T_OK(part_payments > 0, "payments of part of an installment");
	T_OK(not_started > 0 && mid_life > 0 && finished > 0, "loans just disbursed, mid-life and finished");
	T_OK(r.feb29 > 0, "a payment on Feb 29");
	T_OK(r.month_end_pay > 0, "a payment on a month end");
	T_OK(r.on_due_date > 0, "a payment on its due date");

	int inv_on_time = 0, inv_late = 0, inv_partial = 0, inv_unpaid = 0, inv_overpaid = 0;
	for (long i = 0; i < r.n_inv; i++) {
		const tinvoice *v = &r.inv[i];
		if (v->paid > v->amount)
			inv_overpaid++;
		else if (v->paid == v->amount)
			*(v->last_paid <= v->due ? &inv_on_time : &inv_late) += 1;
		else if (v->paid > 0)
			inv_partial++;
		else if (v->due < o.as_of)
			inv_unpaid++;
	}
	printf("# invoices: on time %d, late %d, partial %d, unpaid past due %d\n", inv_on_time, inv_late,
	       inv_partial, inv_unpaid);
	T_EQ_INT(inv_overpaid, 0, "invoices paid more than their amount");
	T_OK(inv_on_time > 0 && inv_late > 0 && inv_partial > 0 && inv_unpaid > 0,
	     "invoices paid on time, late, partially and unpaid");
	free_run(&r);

	remove_dir(d1);
	remove_dir(d2);
	remove_dir(d3);
}

static void test_bench(void)
{
	char d[64];
	T_OK(make_dir(d) == 0, "mkdtemp");
	gen_options o = {.seed = 7,
	                 .n_clients = 50,
	                 .n_loans = 400,
	                 .n_invoices = 10,
	                 .as_of = date_from_ymd(2024, 3, 31),
	                 .bench = 1};
	gen_counts c;
	char err[256];
	T_EQ_INT(gen_portfolio(&o, d, &c, err, sizeof err), 0, "bench generation");
	check_headers(d);
	T_EQ_INT(c.clients, 50, "bench clients");
	T_EQ_INT(c.loans, 400, "bench loans");
	T_EQ_INT(c.invoices, 0, "no invoices in bench mode");
	T_EQ_INT(c.schedule_rows, 400 * 12, "12 installments a loan");
	size_t len = 0;
	char *inv = slurp(d, "invoices.csv", &len);
	T_OK(inv && len == strlen(HEADERS[3]) + 1, "invoices.csv holds the header only");
	free(inv);

	run r;
	o.n_invoices = 0;
	T_EQ_INT(load_run(d, &o, &r), 0, "read back");
	check_run("bench", &r, &c);
	int not12 = 0, not_rr = 0, not_xof = 0, paid_some = 0, late = 0;
	for (long i = 0; i < r.n_loans; i++) {
		const tloan *l = &r.loans[i];
		if (l->n != 12) not12++;
		if (l->client != i % o.n_clients) not_rr++;
		if (l->exp != 0) not_xof++;
		if (l->disbursed < o.as_of - 366) not_rr++;
		if (l->npay > 0) paid_some++;
		cover cv = coverage(l, o.as_of);
		if (cv.covered_n > 0 && cv.max_late >= 5) late++;
	}
	T_EQ_INT(not12, 0, "bench loans without exactly 12 installments");
	T_EQ_INT(not_rr, 0, "bench loans not assigned round-robin or disbursed more than a year before");
	T_EQ_INT(not_xof, 0, "bench loans not in XOF");
	T_OK(paid_some > 300, "most bench loans have payments (%d)", paid_some);
	T_OK(late > 0, "some bench installments are paid late (%d loans)", late);
	free_run(&r);
	remove_dir(d);
}

static void test_errors(void)
{
	char d[64], err[256];
	gen_counts c;
	T_OK(make_dir(d) == 0, "mkdtemp");
	gen_options o = {.seed = 1, .n_clients = 10, .n_loans = 31, .as_of = date_from_ymd(2025, 1, 1)};
	err[0] = '\0';
	T_EQ_INT(gen_portfolio(&o, d, &c, err, sizeof err), -1, "more than 3 loans a client in demo mode");
	T_OK(err[0] != '\0', "an error message");
	o.n_loans = 30;
	T_EQ_INT(gen_portfolio(&o, d, &c, err, sizeof err), 0, "exactly 3 loans a client");
	T_EQ_INT(c.loans, 30, "30 loans");
	o.n_loans = -1;
	T_EQ_INT(gen_portfolio(&o, d, &c, err, sizeof err), -1, "negative count");
	o.n_loans = 5;
	o.n_clients = 0;
	T_EQ_INT(gen_portfolio(&o, d, &c, err, sizeof err), -1, "loans without clients");
	o.n_clients = 10;
	err[0] = '\0';
	T_EQ_INT(gen_portfolio(&o, "/nonexistent/vigie-gen", &c, err, sizeof err), -1, "directory missing");
	T_OK(strstr(err, "nonexistent") != NULL, "the message names the path: %s", err);
	o.n_clients = o.n_loans = 0;
	T_EQ_INT(gen_portfolio(&o, d, &c, err, sizeof err), 0, "an empty portfolio");
	T_EQ_INT(c.clients + c.loans + c.payments, 0, "nothing but headers");
	check_headers(d);
	remove_dir(d);
}

int main(void)
{
	test_demo();
	test_bench();
	test_errors();
	return t_done("test_portfolio_gen");
}

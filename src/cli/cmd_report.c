/* cmd_report.c: `vigie report par|ageing`: runs engine/reports and prints table, CSV or JSON. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/currency.h"
#include "core/money.h"
#include "engine/reports.h"
#include "io/csv_out.h"
#include "io/json_out.h"

static const char HELP[] =
    "usage: vigie [--db PATH|URL] report par|ageing --as-of DATE [options]\n"
    "\n"
    "  par      portfolio at risk (CGAP/IRIS): each active loan's whole outstanding principal\n"
    "           (late and not yet due, no interest) classed by the loan's days past due:\n"
    "           current, 1-30, 31-60, 61-90, 91-180, over 180; PAR1, PAR30 (31+ days), PAR90 (91+)\n"
    "           over the gross outstanding principal of active loans, per currency.\n"
    "  ageing   aged balance (balance agee): every unpaid amount of loans and invoices by its own\n"
    "           days overdue: not due, 1-30, 31-60, 61-90, over 90, per currency; credit balances\n"
    "           (overpayments) are shown apart, not netted.\n"
    "\n"
    "Options:\n"
    "  --as-of DATE          the day of the report (required; any past day can be replayed)\n"
    "  --format table|csv|json   output format (default table)\n"
    "  --by branch|officer|product   also break the figures down by this group\n"
    "  --currency CODE       only this currency\n"
    "  --kind loan|invoice   ageing: only loans or only invoices (default both)\n"
    "  --detail              ageing: one line per account, in client order\n"
    "  --threads N           connections sharing the scan (default: the number of processors)\n"
    "  --allocation ORDER    payment allocation order (default vertical:penalty,fee,interest,principal;\n"
    "                        or horizontal:..., see docs/ledger.md)\n";

typedef struct {
	const cli_env *e;
	int format; /* 0 table, 1 csv, 2 json */
	json_out j;
	int detail_rows;
} out_ctx;

static int exponent_of(const char *code)
{
	const currency_info *c = currency_find(code, 3);
	return c ? c->exponent : 0;
}

static const char *amt(int64_t v, const char *cur, char *buf)
{
	money_format(v, exponent_of(cur), buf, 32);
	return buf;
}

/* The same, grouped by thousands, for tables. */
static const char *tamt(int64_t v, const char *cur, char *buf)
{
	return cli_group_digits((char *)amt(v, cur, buf));
}

/* ---- PAR ---- */

static void par_sums(const par_row *r, int64_t *p1, int64_t *p30, int64_t *p90)
{
	*p1 = *p30 = *p90 = 0;
	for (int b = PAR_1_30; b < PAR_NBUCKETS; b++)
		*p1 += r->amount[b];
	for (int b = PAR_31_60; b < PAR_NBUCKETS; b++)
		*p30 += r->amount[b];
	for (int b = PAR_91_180; b < PAR_NBUCKETS; b++)
		*p90 += r->amount[b];
}

static void par_json_row(json_out *j, const par_row *r)
{
	char b[32], ratio[32];
	int64_t p[3];
	par_sums(r, &p[0], &p[1], &p[2]);
	json_kstr(j, "gross_outstanding", amt(r->gross, r->currency, b));
	json_kint(j, "loans", r->loans);
	json_key(j, "buckets");
	json_arr_begin(j);
	for (int k = 0; k < PAR_NBUCKETS; k++) {
		json_obj_begin(j);
		json_kstr(j, "name", ledger_par_bucket_name(k));
		json_kint(j, "accounts", r->count[k]);
		json_kstr(j, "amount", amt(r->amount[k], r->currency, b));
		json_obj_end(j);
	}
	json_arr_end(j);
	static const char *names[] = {"par1", "par30", "par90"};
	for (int k = 0; k < 3; k++) {
		json_key(j, names[k]);
		json_obj_begin(j);
		json_kstr(j, "amount", amt(p[k], r->currency, b));
		report_ratio(p[k], r->gross, ratio, sizeof ratio);
		json_key(j, "ratio");
		json_raw(j, ratio);
		json_obj_end(j);
	}
}

static void pct(int64_t num, int64_t den, char *buf, size_t cap)
{
	/* a percentage with 2 decimals, from the exact ratio */
	char r[32];
	report_ratio(num, den, r, sizeof r);
	long long whole = 0, frac = 0;
	sscanf(r, "%lld.%lld", &whole, &frac);
	long long bp = whole * 1000000 + frac; /* millionths */
	long long p100 = (bp + 50) / 100;      /* hundredths of a percent */
	snprintf(buf, cap, "%lld.%02lld%%", p100 / 100, p100 % 100);
}

/* The "currencies" array of a JSON report: each currency's total row (key "") with its figures and,
 * when grouped, its group rows. rows is a par_row[] or ageing_row[] of n rows of size rsz, sorted by
 * (currency, key); put writes one row's figures. */
_Static_assert(offsetof(par_row, currency) == 0 && offsetof(par_row, key) == 4 &&
                   offsetof(ageing_row, currency) == 0 && offsetof(ageing_row, key) == 4,
               "report rows start with currency and key");

static void json_currencies(json_out *j, const void *rows, size_t n, size_t rsz, int grouped,
                            void (*put)(json_out *, const void *))
{
	/* both row types start with currency[4] and key[REPORT_KEY_MAX] (asserted below) */
	const char *base = rows;
#define ROW_CURRENCY(i) (base + (i)*rsz)
#define ROW_KEY(i)      (base + (i)*rsz + 4)
	json_key(j, "currencies");
	json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		if (ROW_KEY(i)[0]) continue;
		json_obj_begin(j);
		json_kstr(j, "currency", ROW_CURRENCY(i));
		put(j, base + i * rsz);
		if (grouped) {
			json_key(j, "groups");
			json_arr_begin(j);
			for (size_t g = i + 1; g < n && strcmp(ROW_CURRENCY(g), ROW_CURRENCY(i)) == 0; g++) {
				json_obj_begin(j);
				json_kstr(j, "key", ROW_KEY(g));
				put(j, base + g * rsz);
				json_obj_end(j);
			}
			json_arr_end(j);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
#undef ROW_CURRENCY
#undef ROW_KEY
}

static void par_json_put(json_out *j, const void *r)
{
	par_json_row(j, r);
}

static void print_par(out_ctx *c, const report_opts *o, const par_row *rows, size_t n)
{
	FILE *f = c->e->out;
	char d[16], b[40], b2[40], r1[32], r30[32], r90[32];
	date_format(o->as_of, d, sizeof d);
	if (c->format == 2) {
		json_out *j = &c->j;
		json_init(j, f, 1);
		json_obj_begin(j);
		json_kstr(j, "report", "par");
		json_kstr(j, "as_of", d);
		json_kstr(j, "group_by", report_group_name(o->group));
		json_currencies(j, rows, n, sizeof *rows, o->group != GROUP_NONE, par_json_put);
		json_obj_end(j);
		json_end(j);
		return;
	}
	if (c->format == 1) {
		fprintf(f, "as_of,currency,group,loans,gross_outstanding");
		for (int k = 0; k < PAR_NBUCKETS; k++)
			fprintf(f, ",%s_loans,%s_amount", ledger_par_bucket_name(k),
			        ledger_par_bucket_name(k));
		fprintf(f, ",par1_amount,par1_ratio,par30_amount,par30_ratio,par90_amount,par90_ratio\n");
		for (size_t i = 0; i < n; i++) {
			const par_row *r = &rows[i];
			int64_t p[3];
			par_sums(r, &p[0], &p[1], &p[2]);
			fprintf(f, "%s,%s,", d, r->currency);
			csv_out_field(f, r->key);
			fprintf(f, ",%lld,%s", (long long)r->loans, amt(r->gross, r->currency, b));
			for (int k = 0; k < PAR_NBUCKETS; k++)
				fprintf(f, ",%lld,%s", (long long)r->count[k],
				        amt(r->amount[k], r->currency, b));
			for (int k = 0; k < 3; k++) {
				report_ratio(p[k], r->gross, r1, sizeof r1);
				fprintf(f, ",%s,%s", amt(p[k], r->currency, b), r1);
			}
			fputc('\n', f);
		}
		return;
	}
	fprintf(f, "Portfolio at risk as of %s\n", d);
	if (n == 0) fprintf(f, "\nNo active loan.\n");
	for (size_t i = 0; i < n; i++) {
		const par_row *r = &rows[i];
		if (r->key[0]) continue;
		int64_t p[3];
		par_sums(r, &p[0], &p[1], &p[2]);
		fprintf(f, "\n%s: %lld active loans, gross outstanding principal %s\n", r->currency,
		        (long long)r->loans, tamt(r->gross, r->currency, b));
		fprintf(f, "  %-12s %10s %22s %9s\n", "days late", "loans", "outstanding", "share");
		for (int k = 0; k < PAR_NBUCKETS; k++) {
			pct(r->amount[k], r->gross, r1, sizeof r1);
			fprintf(f, "  %-12s %10lld %22s %9s\n", ledger_par_bucket_name(k),
			        (long long)r->count[k], tamt(r->amount[k], r->currency, b), r1);
		}
		static const char *names[] = {"PAR1", "PAR30", "PAR90"};
		for (int k = 0; k < 3; k++) {
			pct(p[k], r->gross, r1, sizeof r1);
			fprintf(f, "  %-12s %10s %22s %9s\n", names[k], "", tamt(p[k], r->currency, b), r1);
		}
		if (o->group != GROUP_NONE) {
			fprintf(f, "\n  %-24s %8s %22s %9s %9s %9s\n", report_group_name(o->group), "loans",
			        "outstanding", "PAR1", "PAR30", "PAR90");
			for (size_t g = i + 1; g < n && strcmp(rows[g].currency, r->currency) == 0; g++) {
				int64_t q[3];
				par_sums(&rows[g], &q[0], &q[1], &q[2]);
				pct(q[0], rows[g].gross, r1, sizeof r1);
				pct(q[1], rows[g].gross, r30, sizeof r30);
				pct(q[2], rows[g].gross, r90, sizeof r90);
				fprintf(f, "  %-24s %8lld %22s %9s %9s %9s\n", rows[g].key,
				        (long long)rows[g].loans, tamt(rows[g].gross, r->currency, b2), r1,
				        r30, r90);
			}
		}
	}
}

/* ---- ageing ---- */

static int detail_row(void *vc, const store_account *a, const int64_t amount[AGE_NBUCKETS], int64_t total,
                      int64_t credit, int32_t dpd)
{
	out_ctx *c = vc;
	FILE *f = c->e->out;
	char b[40];
	if (c->format == 2) {
		json_out *j = &c->j;
		json_obj_begin(j);
		json_kstr(j, "client_id", a->client_ext_id);
		json_kstr(j, "account_id", a->ext_id);
		json_kstr(j, "kind", a->kind == STORE_LOAN ? "loan" : "invoice");
		json_kstr(j, "currency", a->currency);
		json_kint(j, "days_past_due", dpd);
		json_key(j, "buckets");
		json_arr_begin(j);
		for (int k = 0; k < AGE_NBUCKETS; k++) {
			json_obj_begin(j);
			json_kstr(j, "name", ledger_age_bucket_name(k));
			json_kstr(j, "amount", amt(amount[k], a->currency, b));
			json_obj_end(j);
		}
		json_arr_end(j);
		json_kstr(j, "total", amt(total, a->currency, b));
		json_kstr(j, "credit", amt(credit, a->currency, b));
		json_obj_end(j);
	} else if (c->format == 1) {
		if (!c->detail_rows++)
			fprintf(f, "client_id,account_id,kind,currency,days_past_due,not_due,1-30,31-60,61-"
			           "90,over_90,total,"
			           "credit\n");
		csv_out_field(f, a->client_ext_id);
		fputc(',', f);
		csv_out_field(f, a->ext_id);
		fprintf(f, ",%s,%s,%d", a->kind == STORE_LOAN ? "loan" : "invoice", a->currency, dpd);
		for (int k = 0; k < AGE_NBUCKETS; k++)
			fprintf(f, ",%s", amt(amount[k], a->currency, b));
		fprintf(f, ",%s", amt(total, a->currency, b));
		fprintf(f, ",%s\n", amt(credit, a->currency, b));
	} else {
		if (!c->detail_rows++)
			fprintf(f, "%-12s %-12s %-3s %5s %14s %14s %14s %14s %14s %14s\n", "client",
			        "account", "cur", "dpd", "not due", "1-30", "31-60", "61-90", "over 90",
			        "total");
		fprintf(f, "%-12s %-12s %-3s %5d", a->client_ext_id, a->ext_id, a->currency, dpd);
		for (int k = 0; k < AGE_NBUCKETS; k++)
			fprintf(f, " %14s", tamt(amount[k], a->currency, b));
		fprintf(f, " %14s\n", tamt(total, a->currency, b));
	}
	return ferror(f) ? -1 : 0;
}

static void ageing_json_row(json_out *j, const ageing_row *r)
{
	char b[32];
	json_kstr(j, "total", amt(r->total, r->currency, b));
	json_kstr(j, "credit", amt(r->credit, r->currency, b));
	json_key(j, "buckets");
	json_arr_begin(j);
	for (int k = 0; k < AGE_NBUCKETS; k++) {
		json_obj_begin(j);
		json_kstr(j, "name", ledger_age_bucket_name(k));
		json_kint(j, "accounts", r->accounts[k]);
		json_kint(j, "obligations", r->count[k]);
		json_kstr(j, "amount", amt(r->amount[k], r->currency, b));
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void ageing_json_put(json_out *j, const void *r)
{
	ageing_json_row(j, r);
}

static void print_ageing(out_ctx *c, const report_opts *o, const ageing_row *rows, size_t n)
{
	FILE *f = c->e->out;
	char d[16], b[40];
	date_format(o->as_of, d, sizeof d);
	if (c->format == 2) {
		json_out *j = &c->j;
		if (!o->by_client) { /* no detail array was opened */
			json_init(j, f, 1);
			json_obj_begin(j);
			json_kstr(j, "report", "ageing");
			json_kstr(j, "as_of", d);
		}
		json_kstr(j, "group_by", report_group_name(o->group));
		json_currencies(j, rows, n, sizeof *rows, o->group != GROUP_NONE, ageing_json_put);
		json_obj_end(j);
		json_end(j);
		return;
	}
	if (c->format == 1) {
		if (c->detail_rows) return; /* CSV detail is one table; totals are in the non-detail report */
		fprintf(f, "as_of,currency,group,total");
		for (int k = 0; k < AGE_NBUCKETS; k++)
			fprintf(f, ",%s_accounts,%s", ledger_age_bucket_name(k), ledger_age_bucket_name(k));
		fprintf(f, ",credit\n");
		for (size_t i = 0; i < n; i++) {
			const ageing_row *r = &rows[i];
			fprintf(f, "%s,%s,", d, r->currency);
			csv_out_field(f, r->key);
			fprintf(f, ",%s", amt(r->total, r->currency, b));
			for (int k = 0; k < AGE_NBUCKETS; k++)
				fprintf(f, ",%lld,%s", (long long)r->accounts[k],
				        amt(r->amount[k], r->currency, b));
			fprintf(f, ",%s\n", amt(r->credit, r->currency, b));
		}
		return;
	}
	fprintf(f, "%sAged balance as of %s\n", c->detail_rows ? "\n" : "", d);
	if (n == 0) fprintf(f, "\nNothing unpaid.\n");
	for (size_t i = 0; i < n; i++) {
		const ageing_row *r = &rows[i];
		if (r->key[0]) continue;
		fprintf(f, "\n%s: unpaid %s", r->currency, tamt(r->total, r->currency, b));
		if (r->credit) fprintf(f, ", credit balances %s", tamt(r->credit, r->currency, b));
		fputc('\n', f);
		fprintf(f, "  %-26s %14s %14s %14s %14s %14s %16s\n",
		        o->group == GROUP_NONE ? "" : report_group_name(o->group), "not due", "1-30", "31-60",
		        "61-90", "over 90", "total");
		for (size_t g = i; g < n && strcmp(rows[g].currency, r->currency) == 0; g++) {
			fprintf(f, "  %-26s", rows[g].key[0] ? rows[g].key : "all");
			for (int k = 0; k < AGE_NBUCKETS; k++)
				fprintf(f, " %14s", tamt(rows[g].amount[k], r->currency, b));
			fprintf(f, " %16s\n", tamt(rows[g].total, r->currency, b));
		}
		fprintf(f, "  %-26s", "accounts");
		for (int k = 0; k < AGE_NBUCKETS; k++)
			fprintf(f, " %14lld", (long long)r->accounts[k]);
		fputc('\n', f);
	}
}

int cmd_report(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *format = NULL, *by = NULL, *currency = NULL, *kind = NULL, *detail = NULL,
	           *alloc = NULL, *threads = NULL;
	const cli_opt opts[] = {{"as-of", 1, &as_of},       {"format", 1, &format},   {"by", 1, &by},
	                        {"currency", 1, &currency}, {"kind", 1, &kind},       {"detail", 0, &detail},
	                        {"allocation", 1, &alloc},  {"threads", 1, &threads}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "report", argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP, e->out);
		return EXIT_OK;
	}
	int is_par;
	if (n != 1 || (!(is_par = strcmp(pos[0], "par") == 0) && strcmp(pos[0], "ageing") != 0)) {
		fprintf(e->err, "vigie report: expected par or ageing (see vigie report --help)\n");
		return EXIT_USAGE;
	}
	report_opts o = {.kind = -1, .order = ALLOC_DEFAULT};
	if (cli_date(e, "report", "as-of", as_of, &o.as_of)) return EXIT_USAGE;
	out_ctx c = {.e = e};
	if (format && strcmp(format, "table") != 0) {
		if (strcmp(format, "csv") == 0)
			c.format = 1;
		else if (strcmp(format, "json") == 0)
			c.format = 2;
		else {
			fprintf(e->err, "vigie report: --format: expected table, csv or json, found \"%s\"\n",
			        format);
			return EXIT_USAGE;
		}
	}
	if (by && report_group_parse(by, &o.group)) {
		fprintf(e->err, "vigie report: --by: expected branch, officer or product, found \"%s\"\n",
		        by);
		return EXIT_USAGE;
	}
	if (currency) {
		if (!currency_find(currency, strlen(currency)) || strlen(currency) != 3) {
			fprintf(e->err, "vigie report: --currency: expected an ISO 4217 code, found \"%s\"\n",
			        currency);
			return EXIT_USAGE;
		}
		o.currency = currency;
	}
	if (kind) {
		if (is_par) {
			fprintf(e->err,
			        "vigie report: --kind is for the ageing report (PAR is about loans)\n");
			return EXIT_USAGE;
		}
		if (strcmp(kind, "loan") == 0)
			o.kind = STORE_LOAN;
		else if (strcmp(kind, "invoice") == 0)
			o.kind = STORE_INVOICE;
		else {
			fprintf(e->err, "vigie report: --kind: expected loan or invoice, found \"%s\"\n",
			        kind);
			return EXIT_USAGE;
		}
	}
	if (detail && is_par) {
		fprintf(e->err, "vigie report: --detail is for the ageing report\n");
		return EXIT_USAGE;
	}
	if (alloc && ledger_order_parse(alloc, &o.order)) {
		fprintf(e->err,
		        "vigie report: --allocation: expected e.g. vertical:penalty,fee,interest,principal, "
		        "found "
		        "\"%s\"\n",
		        alloc);
		return EXIT_USAGE;
	}
	o.db = e->db;
	long nproc = sysconf(_SC_NPROCESSORS_ONLN);
	o.threads = nproc > 0 ? (int)nproc : 1;
	if (threads) {
		char *end;
		long t = strtol(threads, &end, 10);
		if (*end || end == threads || t < 1 || t > REPORTS_MAX_THREADS) {
			fprintf(
			    e->err,
			    "vigie report: --threads: expected a whole number from 1 to %d, found \"%s\"\n",
			    REPORTS_MAX_THREADS, threads);
			return EXIT_USAGE;
		}
		o.threads = (int)t;
	}
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	char err[256];
	report_agg *agg = NULL;
	int rc = EXIT_OK;
	if (is_par) {
		if (reports_par(s, &o, &agg, err, sizeof err) == 0) {
			const par_row *rows;
			size_t nr = report_agg_rows(agg, &rows, NULL);
			print_par(&c, &o, rows, nr);
		} else {
			rc = EXIT_STORE;
		}
	} else {
		o.by_client = detail != NULL;
		if (o.by_client && c.format == 2) {
			char d[16];
			date_format(o.as_of, d, sizeof d);
			json_init(&c.j, e->out, 1);
			json_obj_begin(&c.j);
			json_kstr(&c.j, "report", "ageing");
			json_kstr(&c.j, "as_of", d);
			json_key(&c.j, "accounts");
			json_arr_begin(&c.j);
		}
		if (reports_ageing(s, &o, o.by_client ? detail_row : NULL, &c, &agg, err, sizeof err) == 0) {
			if (o.by_client && c.format == 2) json_arr_end(&c.j);
			const ageing_row *rows;
			size_t nr = report_agg_rows(agg, NULL, &rows);
			print_ageing(&c, &o, rows, nr);
		} else {
			rc = EXIT_STORE;
		}
	}
	if (rc != EXIT_OK) fprintf(e->err, "vigie report: %s\n", err);
	report_agg_free(agg);
	store_close(s);
	return rc;
}

/* cmd_export.c: `vigie export --dir DIR`: the store written back as import CSV files (clients,
 * loans, schedules, invoices, payments), so that export then import into an empty store gives the
 * same store. Files are written under temporary names and renamed at the end, so a failed export
 * never leaves a half-written file under a final name. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/currency.h"
#include "core/money.h"
#include "io/csv_out.h"

static const char HELP[] =
    "usage: vigie [--db PATH|URL] export --dir DIR\n"
    "Writes clients.csv, loans.csv, schedules.csv, invoices.csv and payments.csv into DIR\n"
    "(created if missing), in the import formats of docs/formats.md.\n";

enum { F_CLIENTS, F_LOANS, F_SCHEDULES, F_INVOICES, F_PAYMENTS, F_N };
static const char *const NAMES[F_N] = {"clients.csv", "loans.csv", "schedules.csv", "invoices.csv",
                                       "payments.csv"};

typedef struct {
	FILE *f[F_N];
} ex_ctx;

static void put_amount(FILE *f, int64_t v, const char *cur)
{
	const currency_info *c = currency_find(cur, 3);
	char b[32];
	money_format(v, c ? c->exponent : 0, b, sizeof b);
	fputs(b, f);
}

static void put_date(FILE *f, civil_day d)
{
	char b[16];
	if (d == DATE_NONE) return;
	date_format(d, b, sizeof b);
	fputs(b, f);
}

static int ex_client(void *vc, const store_client *c)
{
	FILE *f = ((ex_ctx *)vc)->f[F_CLIENTS];
	const char *fields[] = {c->ext_id, c->name, c->branch, c->officer, c->phone, c->email, c->language};
	for (int i = 0; i < 7; i++) {
		if (i) fputc(',', f);
		csv_out_field(f, fields[i]);
	}
	fputc('\n', f);
	return ferror(f);
}

static int ex_account(void *vc, const store_account *a)
{
	ex_ctx *c = vc;
	FILE *f = c->f[a->kind == STORE_LOAN ? F_LOANS : F_INVOICES];
	csv_out_field(f, a->ext_id);
	fputc(',', f);
	csv_out_field(f, a->client_ext_id);
	fprintf(f, ",%s,", a->currency);
	put_amount(f, a->principal, a->currency);
	fputc(',', f);
	put_date(f, a->start_on);
	fputc(',', f);
	if (a->kind == STORE_INVOICE) {
		put_date(f, a->due_on);
		fputc(',', f);
	}
	csv_out_field(f, a->product);
	fputc(',', f);
	csv_out_field(f, a->branch);
	fputc(',', f);
	csv_out_field(f, a->officer);
	fputc(',', f);
	put_date(f, a->written_off_on);
	fputc('\n', f);
	return ferror(f);
}

static int ex_obligation(void *vc, const store_account *a, int seq, const obligation *o)
{
	(void)seq;
	if (a->kind != STORE_LOAN) return 0; /* an invoice's one obligation is the invoice row itself */
	FILE *f = ((ex_ctx *)vc)->f[F_SCHEDULES];
	csv_out_field(f, a->ext_id);
	fputc(',', f);
	put_date(f, o->due_on);
	static const ledger_component order[] = {COMP_PRINCIPAL, COMP_INTEREST, COMP_FEE, COMP_PENALTY};
	for (int i = 0; i < 4; i++) {
		fputc(',', f);
		put_amount(f, o->amount[order[i]], a->currency);
	}
	fputc('\n', f);
	return ferror(f);
}

static int ex_payment(void *vc, const store_account *a, const store_payment *p)
{
	FILE *f = ((ex_ctx *)vc)->f[F_PAYMENTS];
	csv_out_field(f, p->ext_id);
	fputc(',', f);
	csv_out_field(f, a->ext_id);
	fputc(',', f);
	put_date(f, p->paid_on);
	fputc(',', f);
	put_amount(f, p->amount, a->currency);
	fprintf(f, ",%s,", a->currency);
	csv_out_field(f, p->reference);
	fputc(',', f);
	put_date(f, p->reversed_on);
	fputc('\n', f);
	return ferror(f);
}

int cmd_export(const cli_env *e, int argc, char **argv)
{
	const char *dir = NULL;
	const cli_opt opts[] = {{"dir", 1, &dir}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "export", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP, e->out);
		return EXIT_OK;
	}
	if (!dir) {
		fprintf(e->err, "vigie export: --dir DIR is required\n");
		return EXIT_USAGE;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(e->err, "vigie export: cannot create %s: %s\n", dir, strerror(errno));
		return EXIT_STORE;
	}
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	ex_ctx c = {0};
	char tmp[F_N][4096], fin[F_N][4096];
	int rc = EXIT_OK;
	static const char *headers[F_N] = {
	    "client_id,name,branch,officer,phone,email,language\n",
	    "loan_id,client_id,currency,principal,disbursed_on,product,branch,officer,written_off_on\n",
	    "loan_id,due_on,principal,interest,fees,penalties\n",
	    "invoice_id,client_id,currency,amount,issued_on,due_on,product,branch,officer,written_off_on\n",
	    "payment_id,account_id,paid_on,amount,currency,reference,reversed_on\n"};
	for (int i = 0; i < F_N && rc == EXIT_OK; i++) {
		snprintf(fin[i], sizeof fin[i], "%s/%s", dir, NAMES[i]);
		snprintf(tmp[i], sizeof tmp[i], "%s/.%s.tmp", dir, NAMES[i]);
		if (!(c.f[i] = fopen(tmp[i], "w"))) {
			fprintf(e->err, "vigie export: cannot write %s: %s\n", tmp[i], strerror(errno));
			rc = EXIT_STORE;
		} else {
			fputs(headers[i], c.f[i]);
		}
	}
	/* one read transaction, so the five files are one consistent picture */
	if (rc == EXIT_OK && (store_begin(s) != STORE_OK || store_each_client(s, ex_client, &c) != STORE_OK ||
	                      store_each_account(s, -1, ex_account, &c) != STORE_OK ||
	                      store_each_obligation(s, ex_obligation, &c) != STORE_OK ||
	                      store_each_payment(s, ex_payment, &c) != STORE_OK)) {
		fprintf(e->err, "vigie export: %s\n", store_errmsg(s));
		rc = EXIT_STORE;
	}
	store_rollback(s);
	for (int i = 0; i < F_N; i++) {
		if (c.f[i] && fclose(c.f[i]) != 0 && rc == EXIT_OK) {
			fprintf(e->err, "vigie export: writing %s failed: %s\n", tmp[i], strerror(errno));
			rc = EXIT_STORE;
		}
	}
	for (int i = 0; i < F_N; i++) {
		if (rc == EXIT_OK && rename(tmp[i], fin[i]) != 0) {
			fprintf(e->err, "vigie export: cannot rename %s: %s\n", tmp[i], strerror(errno));
			rc = EXIT_STORE;
		}
		if (rc != EXIT_OK) remove(tmp[i]);
	}
	if (rc == EXIT_OK) fprintf(e->out, "exported to %s\n", dir);
	store_close(s);
	return rc;
}

/* cmd_demo.c: `vigie demo`: generates a realistic, reproducible demo portfolio as CSV files
 * (io/portfolio_gen) and imports them through the ordinary import path, so the demo store is
 * exactly what a user's files would give. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "io/import.h"
#include "io/portfolio_gen.h"

static const char HELP[] =
    "usage: vigie [--db PATH|URL] demo --dir DIR --as-of DATE [--seed N] [--clients N] [--loans N]\n"
    "                                  [--invoices N] [--no-import]\n"
    "Writes a demo portfolio (microfinance loans in XOF, SME loans and B2B invoices in EUR, with\n"
    "on-time, late-then-cured, chronic late, partial and defaulting payers) as import CSV files\n"
    "into DIR, then initialises the store and imports them. The same options give the same files.\n"
    "Defaults: --seed 42 --clients 3000 --loans 4000 --invoices 1500.\n";

static int get_long(const cli_env *e, const char *opt, const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long x = v ? strtol(v, &end, 10) : 0;
	if (!v || errno || *end || end == v || x < lo || x > hi) {
		fprintf(e->err, "vigie demo: --%s: expected a whole number from %ld to %ld, found \"%s\"\n",
		        opt, lo, hi, v ? v : "");
		return -1;
	}
	*out = x;
	return 0;
}

int cmd_demo(const cli_env *e, int argc, char **argv)
{
	const char *dir = NULL, *as_of = NULL, *seed = "42", *clients = "3000", *loans = "4000",
	           *invoices = "1500", *no_import = NULL;
	const cli_opt opts[] = {{"dir", 1, &dir},
	                        {"as-of", 1, &as_of},
	                        {"seed", 1, &seed},
	                        {"clients", 1, &clients},
	                        {"loans", 1, &loans},
	                        {"invoices", 1, &invoices},
	                        {"no-import", 0, &no_import},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "demo", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP, e->out);
		return EXIT_OK;
	}
	gen_options o = {0};
	long sd;
	if (!dir) {
		fprintf(e->err, "vigie demo: --dir DIR is required\n");
		return EXIT_USAGE;
	}
	if (cli_date(e, "demo", "as-of", as_of, &o.as_of) || get_long(e, "seed", seed, 0, 2147483647L, &sd) ||
	    get_long(e, "clients", clients, 1, 10000000L, &o.n_clients) ||
	    get_long(e, "loans", loans, 0, 10000000L, &o.n_loans) ||
	    get_long(e, "invoices", invoices, 0, 10000000L, &o.n_invoices))
		return EXIT_USAGE;
	o.seed = (uint64_t)sd;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(e->err, "vigie demo: cannot create %s: %s\n", dir, strerror(errno));
		return EXIT_STORE;
	}
	char err[512];
	gen_counts cnt;
	if (gen_portfolio(&o, dir, &cnt, err, sizeof err)) {
		fprintf(e->err, "vigie demo: %s\n", err);
		return EXIT_STORE;
	}
	fprintf(e->out,
	        "demo portfolio written to %s: %ld clients, %ld loans (%ld installments), %ld invoices, %ld "
	        "payments\n",
	        dir, cnt.clients, cnt.loans, cnt.schedule_rows, cnt.invoices, cnt.payments);
	if (no_import) return EXIT_OK;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	int rc = EXIT_OK;
	if (store_init(s) != STORE_OK) {
		fprintf(e->err, "vigie demo: %s\n", store_errmsg(s));
		rc = EXIT_STORE;
	}
	static const struct {
		import_kind k;
		const char *file;
	} steps[] = {{IMPORT_CLIENTS, "clients.csv"},
	             {IMPORT_LOANS, "loans.csv"},
	             {IMPORT_SCHEDULES, "schedules.csv"},
	             {IMPORT_INVOICES, "invoices.csv"},
	             {IMPORT_PAYMENTS, "payments.csv"}};
	for (size_t i = 0; i < sizeof steps / sizeof *steps && rc == EXIT_OK; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, steps[i].file);
		import_stats st;
		import_rc r = import_csv(s, steps[i].k, path, NULL, e->err, &st);
		if (r != IMPORT_DONE)
			rc = r == IMPORT_REJECTED ? EXIT_BAD_INPUT : EXIT_STORE;
		else
			fprintf(e->out, "imported %s: %ld rows (%ld inserted, %ld unchanged)\n", path,
			        st.rows, st.inserted, st.unchanged);
	}
	store_close(s);
	return rc;
}

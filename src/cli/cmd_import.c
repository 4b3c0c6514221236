/* cmd_import.c: `vigie init` and `vigie import KIND FILE`. */
#include <string.h>

#include "cli/cli.h"
#include "io/import.h"

static const char INIT_HELP[] =
    "usage: vigie [--db PATH|URL] init\n"
    "Creates the store, or migrates it to the current schema. Safe to run again.\n";

int cmd_init(const cli_env *e, int argc, char **argv)
{
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "init", argc, argv, NULL, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(INIT_HELP, e->out);
		return EXIT_OK;
	}
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	int rc = EXIT_OK;
	if (store_init(s) != STORE_OK) {
		fprintf(e->err, "vigie init: %s\n", store_errmsg(s));
		rc = EXIT_STORE;
	} else {
		fprintf(e->out, "store ready (%s, schema version %d)\n", store_backend(s),
		        store_schema_version(s));
	}
	store_close(s);
	return rc;
}

static const char IMPORT_HELP[] =
    "usage: vigie [--db PATH|URL] import clients|loans|schedules|invoices|payments FILE.csv\n"
    "Imports a CSV file (formats: docs/formats.md; FILE may be - for standard input).\n"
    "The whole file is checked in one transaction: on any error nothing is written and every\n"
    "error is printed as FILE:LINE: field: what was expected, what was found. Rows already\n"
    "stored with the same content are left unchanged, so importing a file again is safe.\n"
    "Import clients before loans and invoices, loans before schedules, accounts before payments.\n";

int cmd_import(const cli_env *e, int argc, char **argv)
{
	const char *pos[2];
	int n, help;
	if (cli_parse(e, "import", argc, argv, NULL, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(IMPORT_HELP, e->out);
		return EXIT_OK;
	}
	import_kind k;
	if (n != 2 || import_kind_parse(pos[0], &k)) {
		fprintf(
		    e->err,
		    "vigie import: expected KIND FILE with KIND one of clients, loans, schedules, invoices, "
		    "payments\n");
		return EXIT_USAGE;
	}
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	int rc;
	if (store_schema_version(s) < 1) {
		fprintf(e->err, "vigie import: the store is not initialised (run vigie init)\n");
		store_close(s);
		return EXIT_STORE;
	}
	import_stats st;
	import_rc r = import_csv(s, k, pos[1], strcmp(pos[1], "-") == 0 ? "<stdin>" : pos[1], e->err, &st);
	switch (r) {
	case IMPORT_DONE:
		fprintf(e->out, "%s: %ld rows: %ld inserted, %ld updated, %ld unchanged\n", pos[1], st.rows,
		        st.inserted, st.updated, st.unchanged);
		rc = EXIT_OK;
		break;
	case IMPORT_REJECTED:
		fprintf(e->err, "%s: rejected: %ld error%s in %ld rows; nothing was imported\n", pos[1],
		        st.errors, st.errors == 1 ? "" : "s", st.rows);
		rc = EXIT_BAD_INPUT;
		break;
	default:
		fprintf(e->err, "%s: import failed; nothing was imported\n", pos[1]);
		rc = EXIT_STORE;
	}
	store_close(s);
	return rc;
}

/* import.h: `vigie import KIND FILE.csv`: CSV files into the store, all or nothing.
 * Promises: the whole file is read and checked in one transaction; on any error nothing is written
 * and every error is reported, one per line, as "FILE:LINE: field: what was expected, what was found";
 * importing the same file again changes nothing (rows already there and identical are "unchanged").
 * Formats: docs/formats.md. */
#ifndef VIGIE_IMPORT_H
#define VIGIE_IMPORT_H
#include <stdio.h>
#include "store/store.h"

typedef enum { IMPORT_CLIENTS = 0, IMPORT_LOANS, IMPORT_SCHEDULES, IMPORT_INVOICES, IMPORT_PAYMENTS } import_kind;

typedef struct {
	long rows, inserted, updated, unchanged, errors;
	int64_t accounts_rebuilt;
} import_stats;

typedef enum {
	IMPORT_DONE = 0,     /* committed */
	IMPORT_REJECTED = 1, /* bad input: errors reported, nothing written */
	IMPORT_FAILED = 3,   /* store or I/O failure: reported, nothing written */
} import_rc;

#define IMPORT_MAX_REPORTED 1000 /* error lines printed; the rest are counted */

int import_kind_parse(const char *s, import_kind *out); /* "clients", "loans", ... */
const char *import_kind_name(import_kind k);

/* Imports path ("-" = standard input; label is the name used in messages, NULL = path) into s.
 * Errors are written to err. */
import_rc import_csv(store *s, import_kind k, const char *path, const char *label, FILE *err, import_stats *st);

#endif

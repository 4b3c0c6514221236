/* risk_import.h: CSV imports of the risk module (docs/risk.md, "Files"): client facts, client groups,
 * credit limits set by an admin import (effective at once) and commitments. Same contract as
 * io/import.h: one transaction, all or nothing, every error as FILE:LINE: field: expected ..., found
 * "...", the same file again changes nothing. */
#ifndef VIGIE_RISK_IMPORT_H
#define VIGIE_RISK_IMPORT_H
#include <stdio.h>
#include "io/import.h"
#include "store/store.h"

typedef enum {
	RISK_IMPORT_FACTS = 0,
	RISK_IMPORT_GROUPS,
	RISK_IMPORT_LIMITS,
	RISK_IMPORT_COMMITMENTS
} risk_import_kind;

int risk_import_kind_parse(const char *s,
                           risk_import_kind *out); /* "facts", "groups", "limits", "commitments" */

/* actor: who imports (set_by of the limits). */
import_rc risk_import_csv(store *s, risk_import_kind k, const char *path, const char *actor, FILE *err,
                          import_stats *st);

#endif

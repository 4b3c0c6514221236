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

/* actor: who imports (set_by of the limits; the caller checked access_can(ACT_IMPORT)). With an actor
 * and a day `on` (not DATE_NONE), the import appends its audit entry (action risk.import.KIND, object
 * file:NAME, details: the counts) in its own transaction. A commitment over a limit: with
 * limit_breach = flag, its limit_exceeded alert is raised in the same transaction (and printed as a
 * warning); with refuse, the file is rejected and nothing is written (no alert). */
import_rc risk_import_csv(store *s, risk_import_kind k, const char *path, const char *actor, civil_day on,
                          FILE *err, import_stats *st);

#endif

/* exposure.h: a client's (or a group's) credit exposure as of a day, per currency, against the
 * limit in force, and the check run on every posting (docs/risk.md, "Limits and exposure").
 *
 * Exposure as of D, per currency = outstanding principal of the loans active at D
 *                                + unpaid amount of the invoices active at D
 *                                + commitments open at D (approved, not yet disbursed or cancelled).
 * A loan or invoice is active at D when started on or before D, not closed, not written off
 * (core/ledger.h). A group's exposure is the sum of its members' (store_risk groups).
 *
 * Promises:
 * - read-only over the normalised rows (obligations and payments), so it is exact inside the
 *   writer's transaction, before the ledger blobs are rebuilt;
 * - exact int64 sums (an overflow is an error, never wrapped); no clock: D is always given;
 * - the posting guard checks only clients and groups that have a limit in some currency, so an
 *   import into a store without limits costs one query. */
#ifndef VIGIE_EXPOSURE_H
#define VIGIE_EXPOSURE_H
#include <stdint.h>
#include "engine/risk_alert.h"
#include "store/store_risk.h"

#define EXPOSURE_MAX_CURRENCIES 16

typedef struct {
	char currency[4];
	int64_t loans;       /* outstanding principal of active loans */
	int64_t invoices;    /* unpaid invoices */
	int64_t commitments; /* undisbursed commitments */
	int64_t total;
	int has_limit;
	store_risk_limit limit; /* the limit in force at D, when has_limit */
} exposure_line;

typedef struct {
	int n;
	exposure_line line[EXPOSURE_MAX_CURRENCIES]; /* sorted by currency */
	/* Who its alerts go to (risk_alert.h): for a client, the officer and branch of its active account
	 * with the largest outstanding principal (the client's own when it has none); for a group, the
	 * branch when every member's is the same (many_branches 0), officer "". */
	char officer[STORE_ID_MAX], branch[STORE_ID_MAX];
	int many_branches;
} exposure;

/* One client's exposure at d, with the client limits in force. 0, or -1 with a message in err. */
int exposure_client(store *s, const char *client_ext_id, civil_day d, exposure *out, char *err,
                    size_t errcap);
/* A group's exposure at d (the sum over its members), with the group limits in force. */
int exposure_group(store *s, const char *group, civil_day d, exposure *out, char *err, size_t errcap);

/* A breach: exposure above the limit in force. */
typedef struct {
	store_risk_subject kind; /* client or group */
	char subject[STORE_ID_MAX];
	char client_ext_id[STORE_ID_MAX]; /* the client whose posting caused it */
	civil_day day;
	exposure_line line;
	long source_line; /* the file line of the posting (0 when not from a file) */
	char officer[STORE_ID_MAX], branch[STORE_ID_MAX]; /* routing, from the exposure */
	int many_branches;
} exposure_breach;

/* Fills alert a for a breach (kind limit_exceeded, dedupe key per limit and day, reason and details
 * with the figures) and routes it (risk_alert.h): a client's to its officer (or role:supervisor of
 * its branch), a group's to role:supervisor of the group's branch, or role:manager. */
void exposure_breach_alert(const exposure_breach *b, store_alert *a);

/* --- the posting guard ------------------------------------------------------------------------- */
typedef enum { EXPOSURE_FLAG = 0, EXPOSURE_REFUSE = 1 } exposure_mode;
/* The institution's choice: setting limit_breach = flag (default) | refuse (store_risk settings).
 * -1 when the setting holds another value (the message names it). */
int exposure_mode_get(store *s, exposure_mode *mode, char *err, size_t errcap);

typedef struct exposure_guard exposure_guard;
/* Reads the mode and which clients and groups have limits. NULL on error (message in err). */
exposure_guard *exposure_guard_new(store *s, char *err, size_t errcap);
void exposure_guard_free(exposure_guard *g);
exposure_mode exposure_guard_mode(const exposure_guard *g);
/* Notes a posting (a new loan, invoice or commitment of client on day d, from a file's line). -1
 * when out of memory. Postings of clients without any limit (theirs or their group's) are dropped. */
int exposure_guard_note(exposure_guard *g, const char *client_ext_id, civil_day d, long line);
/* Computes the exposure of every noted (client, day) and of its group, and calls fn for each breach
 * (a group breach once per group and day). fn returns 0 to go on. 0, or -1 with a message. */
typedef int (*exposure_breach_fn)(void *ctx, const exposure_breach *b);
int exposure_guard_check(exposure_guard *g, exposure_breach_fn fn, void *ctx, char *err, size_t errcap);

#endif

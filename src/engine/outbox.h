/* outbox.h: renders the daily run's message decisions into the outbox (store/store_outbox.h).
 * For every decision up to the as-of day that needs a message (action message: one per channel;
 * another action naming a template, such as formal_notice: a letter) and has no message row yet,
 * it gathers the values (client, the account's ledger as of the decision's day, officer,
 * institution settings, B2B mentions: docs/outbox.md), renders the template in the client's
 * language (falling back on the default_language setting) and stores one row per channel: queued,
 * held (four-eyes decision not yet approved) or failed_render with the reason (missing value,
 * missing template, no recipient). By batches of decisions, one transaction each: a render killed
 * at any point and run again ends with the same rows as one clean render; rendering again adds
 * nothing (unique (decision, channel)). The rendered text depends only on the store's data and
 * the decision's day, never on the clock or the as-of day. */
#ifndef VIGIE_OUTBOX_H
#define VIGIE_OUTBOX_H
#include <stddef.h>
#include <stdint.h>

#include "core/ledger.h"
#include "io/template_set.h"
#include "store/store_outbox.h"

#define OUTBOX_BATCH    200         /* decisions per transaction (default) */
#define OUTBOX_BODY_MAX (96 * 1024) /* one rendered body */
#define OUTBOX_ERR_MAX  512         /* one failure's reason */

/* Called for each message that failed to render (m->error says why); non-zero stops the render
 * (after the current batch is rolled back). */
typedef int (*outbox_failed_fn)(void *ctx, const store_outbox_job *j, const store_message *m);

typedef struct {
	int batch;         /* decisions per transaction; <= 0: OUTBOX_BATCH */
	int retry_failed;  /* render again the decisions with a failed_render row (those rows replaced) */
	alloc_order order; /* allocation for the ledger state; ALLOC_DEFAULT when opts is NULL */
	outbox_failed_fn on_failed;
	void *ctx;
} outbox_opts;

typedef struct {
	int64_t decisions;            /* decisions rendered now */
	int64_t queued, held, failed; /* message rows stored now, by status */
	int64_t unchanged;            /* rows another renderer stored first */
} outbox_result;

/* 0, or -1 with why in err (the store lacks the modules: vigie init; a store error). opts may be
 * NULL (defaults). */
int outbox_render(store *s, const tpl_set *ts, civil_day as_of, const outbox_opts *opts, outbox_result *r,
                  char *err, size_t errcap);

#endif

/* reports.h: the portfolio reports computed over the store as of a date: PAR and ageing.
 * Promises: one streaming pass over the accounts' ledger blobs (memory bounded by the largest
 * account and the number of groups, not by the portfolio); every figure is recomputed from the
 * ledger as of the date, so any past day can be replayed exactly. */
#ifndef VIGIE_REPORTS_H
#define VIGIE_REPORTS_H
#include "core/report.h"
#include "store/store.h"

typedef struct {
	civil_day as_of;
	report_group group;
	const char *currency; /* NULL = all */
	int kind;             /* ageing: -1 all, STORE_LOAN, STORE_INVOICE; PAR is always loans */
	alloc_order order;
	int by_client;  /* ageing detail in client order */
	const char *db; /* the store's target (path or URL), for the extra connections of threads */
	int threads;    /* connections that share the scan (<= 1: one); needs db; not with detail */
} report_opts;

#define REPORTS_MAX_THREADS 16

/* One account of the ageing detail (only accounts with something unpaid or a credit). */
typedef int (*ageing_detail_fn)(void *ctx, const store_account *a, const int64_t amount[AGE_NBUCKETS],
                                int64_t total, int64_t credit, int32_t dpd);

/* Fills *out (caller frees with report_agg_free). 0, or -1 with a message in err. */
int reports_par(store *s, const report_opts *o, report_agg **out, char *err, size_t errcap);
int reports_ageing(store *s, const report_opts *o, ageing_detail_fn detail, void *ctx, report_agg **out,
                   char *err, size_t errcap);

/* The group key of an account for o->group (NULL for GROUP_NONE). */
const char *reports_group_key(const store_account *a, report_group g);

#endif

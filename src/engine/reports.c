/* reports.c: PAR and ageing over the store (see reports.h). The scan hands each account's compact
 * ledger to the core, which computes its state as of the date; the aggregation is core/report.c. */
#include "engine/reports.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ledger_sync.h"

typedef struct {
	const report_opts *o;
	report_agg *agg;
	ledger_buf buf;
	int64_t (*paid)[COMP_N];
	int cap_paid;
	ageing_detail_fn detail;
	void *detail_ctx;
	char err[256];
} scan_ctx;

const char *reports_group_key(const store_account *a, report_group g)
{
	switch (g) {
	case GROUP_BRANCH:
		return a->branch;
	case GROUP_OFFICER:
		return a->officer;
	case GROUP_PRODUCT:
		return a->product;
	default:
		return NULL;
	}
}

/* Decodes the account's ledger and computes its state as of the date (paid per obligation too). */
static int state_of(scan_ctx *c, const store_account *a, const uint8_t *blob, size_t len, ledger_state *st)
{
	if (ledger_buf_decode(&c->buf, blob, len)) {
		snprintf(c->err, sizeof c->err, "account %s: corrupt ledger data", a->ext_id);
		return -1;
	}
	if (c->buf.n_ob > c->cap_paid) {
		int nc = c->buf.n_ob * 2;
		void *np = realloc(c->paid, sizeof *c->paid * (size_t)nc);
		if (!np) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return -1;
		}
		c->paid = np;
		c->cap_paid = nc;
	}
	ledger_account acct = {.start_on = a->start_on, .written_off_on = a->written_off_on};
	if (ledger_state_as_of(&acct, c->buf.ob, c->buf.n_ob, c->buf.pay, c->buf.n_pay, &c->o->order,
	                       c->o->as_of, c->paid, st)) {
		snprintf(c->err, sizeof c->err, "account %s: invalid ledger (overflow or unsorted rows)",
		         a->ext_id);
		return -1;
	}
	return 0;
}

static int par_one(void *vc, const store_account *a, const uint8_t *blob, size_t len)
{
	scan_ctx *c = vc;
	ledger_state st;
	if (a->kind != STORE_LOAN || a->start_on > c->o->as_of) return 0;
	if (state_of(c, a, blob, len, &st)) return -1;
	if (st.status != ACCOUNT_ACTIVE) return 0;
	if (report_agg_add_par(c->agg, a->currency, reports_group_key(a, c->o->group), st.dpd,
	                       st.outstanding_principal)) {
		snprintf(c->err, sizeof c->err, "amounts overflow in currency %s", a->currency);
		return -1;
	}
	return 0;
}

static int ageing_one(void *vc, const store_account *a, const uint8_t *blob, size_t len)
{
	scan_ctx *c = vc;
	ledger_state st;
	int64_t amount[AGE_NBUCKETS], count[AGE_NBUCKETS];
	if (a->start_on > c->o->as_of) return 0;
	if (state_of(c, a, blob, len, &st)) return -1;
	if (st.status == ACCOUNT_WRITTEN_OFF) return 0;
	report_age_account(c->buf.ob, c->buf.n_ob, (const int64_t(*)[COMP_N])c->paid, c->o->as_of, amount,
	                   count);
	int64_t total = 0;
	for (int b = 0; b < AGE_NBUCKETS; b++)
		total += amount[b];
	if (total == 0 && st.credit == 0) return 0;
	if (report_agg_add_ageing(c->agg, a->currency, reports_group_key(a, c->o->group), amount, count,
	                          st.credit)) {
		snprintf(c->err, sizeof c->err, "amounts overflow in currency %s", a->currency);
		return -1;
	}
	if (c->detail && c->detail(c->detail_ctx, a, amount, total, st.credit, st.dpd)) {
		snprintf(c->err, sizeof c->err, "writing the report failed");
		return -1;
	}
	return 0;
}

/* One shard of the scan (all accounts when shards <= 1) into a new aggregate. */
static int run_shard(store *s, const report_opts *o, report_kind kind, store_scan_fn fn,
                     ageing_detail_fn detail, void *dctx, int shards, int shard, report_agg **out, char *err,
                     size_t errcap)
{
	scan_ctx c = {.o = o, .detail = detail, .detail_ctx = dctx};
	c.agg = report_agg_new(kind);
	if (!c.agg) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	store_scan_filter f = {.kind = kind == REPORT_PAR ? STORE_LOAN : o->kind,
	                       .currency = o->currency,
	                       .by_client = o->by_client,
	                       .shards = shards,
	                       .shard = shard};
	store_rc rc = store_scan(s, &f, fn, &c);
	ledger_buf_free(&c.buf);
	free(c.paid);
	if (rc != STORE_OK) {
		snprintf(err, errcap, "%s", c.err[0] ? c.err : store_errmsg(s));
		report_agg_free(c.agg);
		return -1;
	}
	*out = c.agg;
	return 0;
}

/* A shard scanned by another thread, on a connection of its own. */
typedef struct {
	const report_opts *o;
	report_kind kind;
	store_scan_fn fn;
	int shards, shard;
	report_agg *agg;
	int rc;
	char err[256];
} shard_job;

static void *shard_main(void *arg)
{
	shard_job *j = arg;
	store *s;
	j->rc = -1;
	if (store_open(j->o->db, &s, j->err, sizeof j->err) != STORE_OK) return NULL;
	j->rc = run_shard(s, j->o, j->kind, j->fn, NULL, NULL, j->shards, j->shard, &j->agg, j->err,
	                  sizeof j->err);
	store_close(s);
	return NULL;
}

/* The whole scan: split over o->threads connections when it can be (a store named by o->db, no
 * detail to stream in order), since a report is one independent computation per account and the sums
 * do not depend on the order they are made in. */
static int run(store *s, const report_opts *o, report_kind kind, store_scan_fn fn, ageing_detail_fn detail,
               void *dctx, report_agg **out, char *err, size_t errcap)
{
	int t = o->threads > REPORTS_MAX_THREADS ? REPORTS_MAX_THREADS : o->threads;
	if (t <= 1 || !o->db || detail || o->by_client)
		return run_shard(s, o, kind, fn, detail, dctx, 0, 0, out, err, errcap);
	shard_job jobs[REPORTS_MAX_THREADS];
	pthread_t tid[REPORTS_MAX_THREADS];
	int started[REPORTS_MAX_THREADS] = {0};
	for (int k = 1; k < t; k++) {
		jobs[k] = (shard_job){.o = o, .kind = kind, .fn = fn, .shards = t, .shard = k, .rc = -1};
		started[k] = pthread_create(&tid[k], NULL, shard_main, &jobs[k]) == 0;
		if (!started[k]) snprintf(jobs[k].err, sizeof jobs[k].err, "cannot start a thread");
	}
	report_agg *agg = NULL;
	int rc = run_shard(s, o, kind, fn, NULL, NULL, t, 0, &agg, err, errcap);
	for (int k = 1; k < t; k++) {
		if (started[k]) pthread_join(tid[k], NULL);
		if (jobs[k].rc == 0) {
			if (rc == 0 && report_agg_merge(agg, jobs[k].agg)) {
				snprintf(err, errcap, "amounts overflow when adding up the shards");
				rc = -1;
			}
			report_agg_free(jobs[k].agg);
		} else if (rc == 0) {
			snprintf(err, errcap, "%s", jobs[k].err);
			rc = -1;
		}
	}
	if (rc) {
		report_agg_free(agg);
		return -1;
	}
	*out = agg;
	return 0;
}

int reports_par(store *s, const report_opts *o, report_agg **out, char *err, size_t errcap)
{
	return run(s, o, REPORT_PAR, par_one, NULL, NULL, out, err, errcap);
}

int reports_ageing(store *s, const report_opts *o, ageing_detail_fn detail, void *ctx, report_agg **out,
                   char *err, size_t errcap)
{
	return run(s, o, REPORT_AGEING, ageing_one, detail, ctx, out, err, errcap);
}

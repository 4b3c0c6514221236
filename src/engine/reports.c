/* reports.c: PAR and ageing over the store (see reports.h). The scan hands each account's compact
 * ledger to the core, which computes its state as of the date; the aggregation is core/report.c. */
#include "engine/reports.h"

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

static int run(store *s, const report_opts *o, report_kind kind, store_scan_fn fn, ageing_detail_fn detail,
               void *dctx, report_agg **out, char *err, size_t errcap)
{
	scan_ctx c = {.o = o, .detail = detail, .detail_ctx = dctx};
	c.agg = report_agg_new(kind);
	if (!c.agg) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	store_scan_filter f = {.kind = kind == REPORT_PAR ? STORE_LOAN : o->kind,
	                       .currency = o->currency,
	                       .by_client = o->by_client};
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

int reports_par(store *s, const report_opts *o, report_agg **out, char *err, size_t errcap)
{
	return run(s, o, REPORT_PAR, par_one, NULL, NULL, out, err, errcap);
}

int reports_ageing(store *s, const report_opts *o, ageing_detail_fn detail, void *ctx, report_agg **out,
                   char *err, size_t errcap)
{
	return run(s, o, REPORT_AGEING, ageing_one, detail, ctx, out, err, errcap);
}

/* ledger_sync.c: derived data of accounts (see ledger_sync.h): the shell between the store's
 * rebuild callback and the pure core (ledger_blob, ledger_bucket_history). */
#include "engine/ledger_sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ledger_blob.h"

typedef struct {
	ledger_payment *pay;
	int cap_pay;
	uint8_t *blob;
	size_t cap_blob;
	ledger_bucket_interval *hist;
	int cap_hist;
} sync_ctx;

/* Grows the array whose pointer is at pp (any object pointer type) to hold need elements. */
static int grow(void *pp, int *cap, int need, size_t elem)
{
	if (need <= *cap) return 0;
	int nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	void *old, *np;
	memcpy(&old, pp, sizeof old);
	np = realloc(old, (size_t)nc * elem);
	if (!np) return -1;
	memcpy(pp, &np, sizeof np);
	*cap = nc;
	return 0;
}

static int rebuild_one(void *vctx, const store_account *a, const obligation *ob, int n_ob,
                       const store_payment *sp, int n_pay, const uint8_t **blob, size_t *blob_len,
                       const ledger_bucket_interval **hist, int *n_hist)
{
	sync_ctx *c = vctx;
	if (grow(&c->pay, &c->cap_pay, n_pay, sizeof *c->pay)) return -1;
	for (int i = 0; i < n_pay; i++) {
		c->pay[i].paid_on = sp[i].paid_on;
		c->pay[i].reversed_on = sp[i].reversed_on;
		c->pay[i].amount = sp[i].amount;
	}
	size_t bound = ledger_blob_bound(n_ob, n_pay);
	if (bound > c->cap_blob) {
		uint8_t *nb = realloc(c->blob, bound);
		if (!nb) return -1;
		c->blob = nb;
		c->cap_blob = bound;
	}
	*blob_len = ledger_blob_encode(ob, n_ob, c->pay, n_pay, c->blob, c->cap_blob);
	if (!*blob_len) return -1;
	*blob = c->blob;
	ledger_account acct = {.start_on = a->start_on, .written_off_on = a->written_off_on};
	for (;;) {
		int n = ledger_bucket_history(&acct, ob, n_ob, c->pay, n_pay, &ALLOC_DEFAULT, c->hist,
		                              c->cap_hist);
		if (n < 0) return -1;
		if (n <= c->cap_hist) {
			*hist = c->hist;
			*n_hist = n;
			return 0;
		}
		if (grow(&c->hist, &c->cap_hist, n, sizeof *c->hist)) return -1;
	}
}

int ledger_sync_rebuild(store *s, int64_t *n, char *err, size_t errcap)
{
	sync_ctx c = {0};
	/* before the marks are cleared: new accounts get a policy state, and a payment or reversal
	 * makes its account due on its date (the daily run then finds it through an index) */
	if (store_policy_state_note_dirty(s) != STORE_OK) {
		snprintf(err, errcap, "updating the policy state of changed accounts: %s", store_errmsg(s));
		return -1;
	}
	store_rc rc = store_ledger_rebuild(s, rebuild_one, &c, n);
	free(c.pay);
	free(c.blob);
	free(c.hist);
	if (rc != STORE_OK) {
		snprintf(err, errcap, "rebuilding account ledgers: %s", store_errmsg(s));
		return -1;
	}
	return 0;
}

void ledger_buf_free(ledger_buf *b)
{
	free(b->ob);
	free(b->spay);
	free(b->pay);
	*b = (ledger_buf){0};
}

int ledger_buf_load(store *s, int64_t account_id, ledger_buf *b)
{
	int n;
	for (;;) {
		if (store_obligations_get(s, account_id, b->ob, b->cap_ob, &n) != STORE_OK) return -1;
		if (n <= b->cap_ob) break;
		if (grow(&b->ob, &b->cap_ob, n, sizeof *b->ob)) return -1;
	}
	b->n_ob = n;
	for (;;) {
		if (store_payments_get(s, account_id, b->spay, b->cap_spay, &n) != STORE_OK) return -1;
		if (n <= b->cap_spay) break;
		if (grow(&b->spay, &b->cap_spay, n, sizeof *b->spay)) return -1;
	}
	if (grow(&b->pay, &b->cap_pay, n, sizeof *b->pay)) return -1;
	b->n_pay = n;
	for (int i = 0; i < n; i++) {
		b->pay[i].paid_on = b->spay[i].paid_on;
		b->pay[i].reversed_on = b->spay[i].reversed_on;
		b->pay[i].amount = b->spay[i].amount;
	}
	return 0;
}

int ledger_buf_decode(ledger_buf *b, const uint8_t *blob, size_t len)
{
	int no, np;
	if (ledger_blob_counts(blob, len, &no, &np)) return -1;
	if (grow(&b->ob, &b->cap_ob, no, sizeof *b->ob) || grow(&b->pay, &b->cap_pay, np, sizeof *b->pay))
		return -1;
	return ledger_blob_decode(blob, len, b->ob, b->cap_ob, &b->n_ob, b->pay, b->cap_pay, &b->n_pay) ? -1
	                                                                                                : 0;
}

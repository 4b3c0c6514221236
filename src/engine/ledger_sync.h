/* ledger_sync.h: keeps each account's derived data (compact ledger blob and PAR-bucket history) in
 * step with its normalised rows. Writers call ledger_sync_rebuild() inside their transaction, after
 * their writes and before commit, so the derived data is never out of date in a committed store. */
#ifndef VIGIE_LEDGER_SYNC_H
#define VIGIE_LEDGER_SYNC_H
#include <stdint.h>
#include "store/store.h"

/* Rebuilds the derived data of every account the transaction touched (first noting, for the daily
 * run, their new payment events: store_policy_state_note_dirty). 0, or -1 with the store's
 * message in err. *n (may be NULL) gets the number of accounts rebuilt. */
int ledger_sync_rebuild(store *s, int64_t *n, char *err, size_t errcap);

/* Growable arrays holding one account's ledger, for callers that need all of it (account show). */
typedef struct {
	obligation *ob;
	int n_ob, cap_ob;
	store_payment *spay; /* filled by ledger_buf_load only */
	int cap_spay;
	ledger_payment *pay;
	int n_pay, cap_pay;
} ledger_buf;

void ledger_buf_free(ledger_buf *b);
/* Loads an account's obligations and payments from the normalised rows. 0, or -1 (store error or
 * out of memory). */
int ledger_buf_load(store *s, int64_t account_id, ledger_buf *b);
/* Decodes a blob into b (growing it). 0, or -1 if corrupt / out of memory. */
int ledger_buf_decode(ledger_buf *b, const uint8_t *blob, size_t len);

#endif

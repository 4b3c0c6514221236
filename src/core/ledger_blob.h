/* ledger_blob.h: the compact binary form of one account's ledger (obligations and payments), kept by
 * the store next to the normalised rows so that a report reads one row per account instead of ~25.
 * Promises: lossless (decode(encode(x)) == x, reversal dates included); about 10-20 bytes per
 * installment and 6-10 per payment (LEB128 varints, dates as deltas); decoding never reads past the
 * given length and rejects corrupt or truncated input; pure, no allocation. */
#ifndef VIGIE_LEDGER_BLOB_H
#define VIGIE_LEDGER_BLOB_H
#include <stddef.h>
#include <stdint.h>
#include "core/ledger.h"

#define LEDGER_BLOB_VERSION 1

/* Bytes that are always enough for n_ob obligations and n_pay payments. */
size_t ledger_blob_bound(int n_ob, int n_pay);

/* Encodes into buf (cap bytes); returns the length, or 0 if cap is too small or input invalid. */
size_t ledger_blob_encode(const obligation *ob, int n_ob, const ledger_payment *pay, int n_pay, uint8_t *buf,
			  size_t cap);

/* Reads the counts only. Returns 0, or -1 if the blob is corrupt. */
int ledger_blob_counts(const uint8_t *blob, size_t len, int *n_ob, int *n_pay);

/* Decodes into caller arrays with room for cap_ob / cap_pay entries. Returns 0, -1 if corrupt,
 * -2 if the arrays are too small (use ledger_blob_counts to size them). */
int ledger_blob_decode(const uint8_t *blob, size_t len, obligation *ob, int cap_ob, int *n_ob,
		       ledger_payment *pay, int cap_pay, int *n_pay);

#endif

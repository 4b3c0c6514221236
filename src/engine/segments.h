/* segments.h: the loan portfolio as of D cut into segments (grade, product, branch, officer, PAR
 * bucket, amount band), with counts and amounts per segment and currency: `vigie segments`, and the
 * JSON the HTTP API will serve (docs/risk.md, "Segments").
 *
 * Promises:
 * - the population is the one of `vigie report par`: loans active at D (started, not closed, not
 *   written off); so per currency the totals (loans, outstanding, PAR30) equal the PAR report's
 *   (when no visibility filter restricts it to one user's loans);
 * - one streaming scan of the ledgers in client order (store_scan), grades merged in the same order
 *   from score_history (store_risk_grades_as_of); memory grows with the segments only;
 * - exact int64 sums (an overflow is an error); no clock. */
#ifndef VIGIE_SEGMENTS_H
#define VIGIE_SEGMENTS_H
#include <stdint.h>
#include "store/store.h"

typedef enum {
	SEG_GRADE = 0,
	SEG_PRODUCT,
	SEG_BRANCH,
	SEG_OFFICER,
	SEG_BUCKET,
	SEG_AMOUNT_BAND,
	SEG_N
} seg_by;
int segments_by_parse(const char *s, seg_by *out); /* "grade", "product", ... ; 0 or -1 */
const char *segments_by_name(seg_by b);

#define SEG_MAX_BANDS 8

typedef struct {
	char currency[4];
	char key[64];  /* "" for the currency's total; "(none)" for an empty product/branch/officer/grade */
	int64_t loans; /* active loans */
	int64_t outstanding; /* outstanding principal */
	int64_t arrears;     /* due and unpaid, every component */
	int64_t par30;       /* outstanding principal of the loans more than 30 days past due */
	int64_t par30_loans;
} seg_row;

typedef struct {
	civil_day as_of;
	seg_by by;
	/* SEG_AMOUNT_BAND: upper bounds of the bands in major units, ascending (n_bands of them): a loan
	 * whose outstanding principal is below bands[0] is in band "<bands[0]", ... */
	int64_t bands[SEG_MAX_BANDS];
	int n_bands;
	const char *currency; /* NULL = all */
	/* Only the loans someone may see (access_can_see of the loan's branch and officer); NULL = all. */
	int (*visible)(void *ctx, const char *branch, const char *officer);
	void *visible_ctx;
} seg_opts;

typedef struct {
	seg_row *rows; /* sorted by (currency, key); each currency's total first */
	int n, cap;
} seg_result;

/* 0, or -1 with a message in err. Free with segments_free. */
int segments_compute(store *s, const seg_opts *o, seg_result *out, char *err, size_t errcap);
void segments_free(seg_result *r);

#endif

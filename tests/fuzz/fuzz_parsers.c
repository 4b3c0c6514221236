/* fuzz_parsers.c: libFuzzer target for the small parsers of the core: amounts, dates, allocation
 * orders and the ledger blob. Invariants: no crash; what parses formats back to an equal value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/ledger.h"
#include "core/ledger_blob.h"
#include "core/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Field by field: the structs have padding, which memcmp would compare too. */
static int same(const obligation *a, const obligation *b, int no, const ledger_payment *p,
                const ledger_payment *q, int np)
{
	for (int i = 0; i < no; i++) {
		if (a[i].due_on != b[i].due_on) return 0;
		for (int c = 0; c < COMP_N; c++)
			if (a[i].amount[c] != b[i].amount[c]) return 0;
	}
	for (int i = 0; i < np; i++)
		if (p[i].paid_on != q[i].paid_on || p[i].reversed_on != q[i].reversed_on ||
		    p[i].amount != q[i].amount)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	for (int e = 0; e <= 3; e++) {
		int64_t v, w;
		if (money_parse(s, size, e, &v) == MONEY_OK) {
			char buf[40];
			size_t n = money_format(v, e, buf, sizeof buf);
			if (!n || money_parse(buf, n, e, &w) != MONEY_OK || w != v) abort();
		}
	}
	civil_day d, d2;
	if (date_parse(s, size, &d) == DATE_OK) {
		char buf[16];
		if (date_format(d, buf, sizeof buf) != 10 || memcmp(buf, s, 10) != 0 ||
		    date_parse(buf, 10, &d2) || d2 != d)
			abort();
	}
	if (size < 128) {
		char z[128];
		memcpy(z, s, size);
		z[size] = 0;
		alloc_order o;
		(void)ledger_order_parse(z, &o);
	}
	obligation ob[64];
	ledger_payment pay[64];
	int no, np;
	if (ledger_blob_decode(data, size, ob, 64, &no, pay, 64, &np) == 0) {
		uint8_t *buf = malloc(ledger_blob_bound(no, np));
		size_t n = ledger_blob_encode(ob, no, pay, np, buf, ledger_blob_bound(no, np));
		if (n == 0 || n != size || memcmp(buf, data, n) != 0) {
			/* a decodable blob may use non-minimal varints; it must still re-decode to the same
			 */
			obligation ob2[64];
			ledger_payment pay2[64];
			int no2, np2;
			if (n == 0 || ledger_blob_decode(buf, n, ob2, 64, &no2, pay2, 64, &np2) ||
			    no2 != no || np2 != np || !same(ob, ob2, no, pay, pay2, np))
				abort();
		}
		free(buf);
	}
	return 0;
}

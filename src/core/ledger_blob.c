/* ledger_blob.c: encoding of an account's ledger as varints (see ledger_blob.h).
 * Layout: version, n_ob, n_pay, then per obligation: zigzag(due_on - previous due_on) and the four
 * components (unsigned), then per payment: zigzag(paid_on - previous paid_on), amount, and
 * reversed_on as 0 (never) or 1 + zigzag(reversed_on - paid_on). The first "previous" date is 0. */
#include "core/ledger_blob.h"

static size_t put_u(uint8_t *buf, size_t cap, size_t pos, uint64_t v)
{
	do {
		if (pos >= cap) return 0;
		uint8_t b = v & 0x7f;
		v >>= 7;
		buf[pos++] = b | (v ? 0x80 : 0);
	} while (v);
	return pos;
}

static uint64_t zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzz(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int get_u(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*pos >= len) return -1;
		uint8_t b = buf[(*pos)++];
		if (shift == 63 && (b & 0x7e)) return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

size_t ledger_blob_bound(int n_ob, int n_pay)
{
	return 3 * 10 + (size_t)(n_ob > 0 ? n_ob : 0) * 5 * 10 + (size_t)(n_pay > 0 ? n_pay : 0) * 3 * 10;
}

size_t ledger_blob_encode(const obligation *ob, int n_ob, const ledger_payment *pay, int n_pay, uint8_t *buf,
                          size_t cap)
{
	size_t pos = 0;
	if (n_ob < 0 || n_pay < 0) return 0;
	if (!(pos = put_u(buf, cap, pos, LEDGER_BLOB_VERSION)) ||
	    !(pos = put_u(buf, cap, pos, (uint64_t)n_ob)) || !(pos = put_u(buf, cap, pos, (uint64_t)n_pay)))
		return 0;
	int64_t prev = 0;
	for (int i = 0; i < n_ob; i++) {
		if (!(pos = put_u(buf, cap, pos, zz((int64_t)ob[i].due_on - prev)))) return 0;
		prev = ob[i].due_on;
		for (int c = 0; c < COMP_N; c++) {
			if (ob[i].amount[c] < 0 || !(pos = put_u(buf, cap, pos, (uint64_t)ob[i].amount[c])))
				return 0;
		}
	}
	prev = 0;
	for (int i = 0; i < n_pay; i++) {
		if (pay[i].amount < 0 || !(pos = put_u(buf, cap, pos, zz((int64_t)pay[i].paid_on - prev))) ||
		    !(pos = put_u(buf, cap, pos, (uint64_t)pay[i].amount)))
			return 0;
		prev = pay[i].paid_on;
		uint64_t rev = pay[i].reversed_on == DATE_NONE
		                   ? 0
		                   : 1 + zz((int64_t)pay[i].reversed_on - (int64_t)pay[i].paid_on);
		if (!(pos = put_u(buf, cap, pos, rev))) return 0;
	}
	return pos;
}

static int read_header(const uint8_t *blob, size_t len, size_t *pos, int *n_ob, int *n_pay)
{
	uint64_t ver, a, b;
	if (get_u(blob, len, pos, &ver) || ver != LEDGER_BLOB_VERSION || get_u(blob, len, pos, &a) ||
	    get_u(blob, len, pos, &b) || a > INT32_MAX || b > INT32_MAX)
		return -1;
	/* every obligation takes at least 5 bytes and every payment 3: reject impossible counts */
	if (a * 5 + b * 3 > len) return -1;
	*n_ob = (int)a;
	*n_pay = (int)b;
	return 0;
}

int ledger_blob_counts(const uint8_t *blob, size_t len, int *n_ob, int *n_pay)
{
	size_t pos = 0;
	return read_header(blob, len, &pos, n_ob, n_pay);
}

static int read_date(const uint8_t *blob, size_t len, size_t *pos, int64_t base, civil_day *out)
{
	uint64_t v;
	if (get_u(blob, len, pos, &v)) return -1;
	int64_t d = base + unzz(v);
	if (d < DATE_MIN || d > DATE_MAX) return -1;
	*out = (civil_day)d;
	return 0;
}

int ledger_blob_decode(const uint8_t *blob, size_t len, obligation *ob, int cap_ob, int *n_ob,
                       ledger_payment *pay, int cap_pay, int *n_pay)
{
	size_t pos = 0;
	int no, np;
	if (read_header(blob, len, &pos, &no, &np)) return -1;
	*n_ob = no;
	*n_pay = np;
	if (no > cap_ob || np > cap_pay) return -2;
	int64_t prev = 0;
	for (int i = 0; i < no; i++) {
		if (read_date(blob, len, &pos, prev, &ob[i].due_on)) return -1;
		prev = ob[i].due_on;
		for (int c = 0; c < COMP_N; c++) {
			uint64_t v;
			if (get_u(blob, len, &pos, &v) || v > INT64_MAX) return -1;
			ob[i].amount[c] = (int64_t)v;
		}
	}
	prev = 0;
	for (int i = 0; i < np; i++) {
		uint64_t amt, rev;
		if (read_date(blob, len, &pos, prev, &pay[i].paid_on) || get_u(blob, len, &pos, &amt) ||
		    amt > INT64_MAX || get_u(blob, len, &pos, &rev))
			return -1;
		prev = pay[i].paid_on;
		pay[i].amount = (int64_t)amt;
		if (rev == 0) {
			pay[i].reversed_on = DATE_NONE;
		} else {
			int64_t r = (int64_t)pay[i].paid_on + unzz(rev - 1);
			if (r < DATE_MIN || r > DATE_MAX) return -1;
			pay[i].reversed_on = (civil_day)r;
		}
	}
	return pos == len ? 0 : -1;
}

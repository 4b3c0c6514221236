/* money.c: exact money amounts, as int64 counts of a currency's minor unit (ISO 4217 exponent), and
 * their decimal text.
 *
 * Everything here is integer arithmetic: a binary float cannot hold 0.10 exactly, and a collection
 * ledger must balance to the minor unit, so no float or double appears anywhere. Parsing rejects
 * rather than rounds (a file with "12.345" XOF is wrong, not "about 12"), and formatting is the exact
 * inverse of parsing, so format(parse(x)) round-trips.
 *
 * The header promises exponents 0..3 (ISO 4217 has nothing larger among real currencies); the code
 * works for 0..18, the largest scale where 10^exponent still fits int64, and treats anything else as
 * an error (MONEY_OVERFLOW from money_parse, 0 from money_format). */
#include "core/money.h"

#include <stdint.h>

#define MONEY_MAX_EXPONENT 18

money_err money_parse(const char *s, size_t len, int exponent, int64_t *out)
{
	if (s == NULL || len == 0) return MONEY_EMPTY;
	if (exponent < 0 || exponent > MONEY_MAX_EXPONENT) return MONEY_OVERFLOW;

	/* First pass: syntax only. Checking the whole text before the value means the error does not
	 * depend on where the scan happened to stop: bad characters win over too many decimals, which
	 * win over overflow ("1.234x" is BAD_CHAR, "99999999999999999999.999" at exponent 2 is
	 * TOO_MANY_DECIMALS). */
	size_t i = 0;
	int neg = 0;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (len == 1) return MONEY_EMPTY; /* "-" alone: no digits */
	}
	size_t int_start = i;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	size_t int_end = i;
	if (int_end == int_start)
		return MONEY_BAD_CHAR; /* ".5", "+1", " 1", "--1": a digit must come first */
	size_t frac_start = len, frac_end = len;
	if (i < len) {
		if (s[i] != '.') return MONEY_BAD_CHAR; /* "1,5", "1e3", "1 " */
		i++;
		frac_start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		frac_end = i;
		if (frac_end == frac_start) return MONEY_BAD_CHAR; /* "12.": a digit must follow the point */
		if (i < len) return MONEY_BAD_CHAR;                /* "1.2.3", "1.5x" */
	}
	size_t nfrac = frac_end - frac_start;
	if (nfrac > (size_t)exponent) return MONEY_TOO_MANY_DECIMALS;

	/* Second pass: the value in minor units is the integer digits, then the decimals, then
	 * (exponent - nfrac) zeros, read as one integer. The magnitude is accumulated unsigned against
	 * a limit of 2^63 for negatives and 2^63-1 for positives, so INT64_MIN parses although its
	 * magnitude does not fit int64. */
	const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
	uint64_t mag = 0;
	size_t ndigits = (int_end - int_start) + nfrac + (size_t)(exponent - (int)nfrac);
	for (size_t k = 0; k < ndigits; k++) {
		size_t nint = int_end - int_start;
		unsigned d;
		if (k < nint)
			d = (unsigned)(s[int_start + k] - '0');
		else if (k < nint + nfrac)
			d = (unsigned)(s[frac_start + (k - nint)] - '0');
		else
			d = 0;
		if (mag > (limit - d) / 10u) return MONEY_OVERFLOW;
		mag = mag * 10u + d;
	}

	int64_t v;
	if (!neg)
		v = (int64_t)mag;
	else if (mag == (uint64_t)INT64_MAX + 1u)
		v = INT64_MIN;
	else
		v = -(int64_t)mag;
	if (out != NULL) *out = v;
	return MONEY_OK;
}

size_t money_format(int64_t minor, int exponent, char *buf, size_t cap)
{
	if (buf == NULL) return 0;
	if (exponent < 0 || exponent > MONEY_MAX_EXPONENT) {
		if (cap > 0) buf[0] = '\0';
		return 0;
	}

	/* Magnitude as unsigned: -(INT64_MIN) overflows int64, so negate in uint64 (well defined). */
	int neg = minor < 0;
	uint64_t mag = neg ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;

	/* Built backwards into tmp: at most max(19, exponent + 1) <= 19 digits, a point and a sign,
	 * so 21 characters; 32 bytes are plenty. */
	char tmp[32];
	size_t n = 0;
	int digits = 0;
	do {
		if (exponent > 0 && digits == exponent) tmp[n++] = '.';
		tmp[n++] = (char)('0' + (int)(mag % 10u));
		mag /= 10u;
		digits++;
	} while (mag != 0 || digits <= exponent); /* at least one digit before the point */
	if (neg) tmp[n++] = '-';

	if (cap < n + 1) {
		if (cap > 0) buf[0] = '\0';
		return 0;
	}
	for (size_t k = 0; k < n; k++)
		buf[k] = tmp[n - 1 - k];
	buf[n] = '\0';
	return n;
}

const char *money_strerror(money_err e)
{
	switch (e) {
	case MONEY_OK:
		return "ok";
	case MONEY_EMPTY:
		return "empty amount";
	case MONEY_BAD_CHAR:
		return "bad character in amount";
	case MONEY_TOO_MANY_DECIMALS:
		return "too many decimals";
	case MONEY_OVERFLOW:
		return "amount out of range";
	}
	return "unknown money error";
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
	/* Checked before adding: signed overflow is undefined behaviour in C, so it must never happen. */
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b)) return -1;
	*out = a + b;
	return 0;
}

int money_mul_ratio(int64_t a, int64_t num, int64_t den, int64_t *out)
{
	if (den == 0) return -1;
	/* |a * num| <= 2^126 fits __int128 (max 2^127 - 1), so the product is exact. */
	__int128 p = (__int128)a * num;
	__int128 d = den;
	__int128 q = p / d; /* C division truncates toward zero */
	__int128 r = p % d; /* same sign as p, |r| < |d| */
	__int128 ar = r < 0 ? -r : r;
	__int128 ad = d < 0 ? -d : d;
	/* Half away from zero: bump the magnitude of the truncated quotient when the discarded part
	 * is at least half of the divisor. 2|r| < 2^64, no overflow. */
	if (2 * ar >= ad) {
		if ((p < 0) != (d < 0))
			q -= 1;
		else
			q += 1;
	}
	if (q > INT64_MAX || q < INT64_MIN) return -1;
	*out = (int64_t)q;
	return 0;
}

/* money.h: exact amounts as int64 minor units of a currency, and their decimal text.
 * Promises: parsing and formatting are exact (no float anywhere), locale-independent, and reject
 * rather than round: too many decimals, overflow of int64, bad characters and empty text are errors.
 * Accepted text: optional '-', digits, optional '.' followed by at most `exponent` digits
 * ("12", "12.5", "12.50", "-0.05", ".5" is rejected: a digit is needed before the point;
 * "12." is rejected too). No '+' sign, no spaces, no thousands separators, no exponent notation. */
#ifndef VIGIE_MONEY_H
#define VIGIE_MONEY_H
#include <stddef.h>
#include <stdint.h>

typedef enum {
	MONEY_OK = 0,
	MONEY_EMPTY,             /* no digits */
	MONEY_BAD_CHAR,          /* a character that is not a digit, '-' first or one '.' */
	MONEY_TOO_MANY_DECIMALS, /* more decimals than the currency's exponent */
	MONEY_OVERFLOW,          /* does not fit int64 minor units */
} money_err;

/* Parses s[0..len) as an amount with `exponent` decimals (0..3) into *out (minor units). */
money_err money_parse(const char *s, size_t len, int exponent, int64_t *out);

/* Writes the amount as a decimal string with exactly `exponent` decimals ("1234.50", "-0.05", "1500"
 * for exponent 0). Returns the length written (buf is NUL-terminated), or 0 when cap is too small.
 * 32 bytes are always enough. */
size_t money_format(int64_t minor, int exponent, char *buf, size_t cap);

/* Text for an error code, e.g. "too many decimals". */
const char *money_strerror(money_err e);

/* Checked arithmetic: return 0 on success, -1 on overflow (leaving *out untouched). */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_mul_ratio(int64_t a, int64_t num, int64_t den, int64_t *out); /* round half away from zero */

#endif

/* currency.h: ISO 4217 currencies and their minor-unit exponents.
 * Promises: a fixed, sorted table (no I/O, no allocation); lookups are exact and case-sensitive on the
 * three upper-case letters. XOF/XAF have exponent 0, EUR/USD/KES/GHS/NGN/MAD 2, TND 3, among others. */
#ifndef VIGIE_CURRENCY_H
#define VIGIE_CURRENCY_H

typedef struct {
	char code[4]; /* "XOF", NUL-terminated */
	int exponent; /* digits after the decimal point of the minor unit: 0..3 */
} currency_info;

/* The currency named by the 3 letters at code (need not be NUL-terminated after 3 chars when len==3),
 * or NULL when the code is not a known ISO 4217 currency. */
const currency_info *currency_find(const char *code, unsigned long len);

#endif

/* test_money.c: unit tests of money.c (parse, format, checked arithmetic) and currency.c (ISO 4217
 * lookups). Table-driven: each row is one case, so adding a case is adding a line. */
#include <stdint.h>
#include <string.h>

#include "core/currency.h"
#include "core/money.h"
#include "t.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- money_parse ---------------------------------------------------------------------------- */

struct parse_case {
	const char *text;
	int exponent;
	money_err err;
	int64_t want; /* only when err == MONEY_OK */
};

static const struct parse_case parse_cases[] = {
    /* valid, exponent 2 */
    {"12", 2, MONEY_OK, 1200},
    {"12.5", 2, MONEY_OK, 1250},
    {"12.50", 2, MONEY_OK, 1250},
    {"12.05", 2, MONEY_OK, 1205},
    {"0", 2, MONEY_OK, 0},
    {"0.00", 2, MONEY_OK, 0},
    {"0.01", 2, MONEY_OK, 1},
    {"-0.05", 2, MONEY_OK, -5},
    {"-0", 2, MONEY_OK, 0},
    {"-0.00", 2, MONEY_OK, 0},
    {"-12.34", 2, MONEY_OK, -1234},
    {"1234.50", 2, MONEY_OK, 123450},
    {"007", 2, MONEY_OK, 700},
    {"000000000000000000000000000001", 2, MONEY_OK, 100},
    {"1000000", 2, MONEY_OK, 100000000},
    /* exponent 0 */
    {"1500", 0, MONEY_OK, 1500},
    {"-1500", 0, MONEY_OK, -1500},
    {"0", 0, MONEY_OK, 0},
    {"1.5", 0, MONEY_TOO_MANY_DECIMALS, 0},
    {"1.0", 0, MONEY_TOO_MANY_DECIMALS, 0}, /* even a zero decimal: XOF has no decimals at all */
    {"1.", 0, MONEY_BAD_CHAR, 0},
    /* exponent 3 */
    {"1.234", 3, MONEY_OK, 1234},
    {"1.23", 3, MONEY_OK, 1230},
    {"1.2", 3, MONEY_OK, 1200},
    {"1", 3, MONEY_OK, 1000},
    {"-0.001", 3, MONEY_OK, -1},
    {"1.2345", 3, MONEY_TOO_MANY_DECIMALS, 0},
    /* too many decimals */
    {"12.345", 2, MONEY_TOO_MANY_DECIMALS, 0},
    {"0.001", 2, MONEY_TOO_MANY_DECIMALS, 0},
    {"-0.001", 2, MONEY_TOO_MANY_DECIMALS, 0},
    {"12.000", 2, MONEY_TOO_MANY_DECIMALS, 0},
    /* syntax */
    {"", 2, MONEY_EMPTY, 0},
    {"-", 2, MONEY_EMPTY, 0},
    {"12.", 2, MONEY_BAD_CHAR, 0},
    {".5", 2, MONEY_BAD_CHAR, 0},
    {"-.5", 2, MONEY_BAD_CHAR, 0},
    {".", 2, MONEY_BAD_CHAR, 0},
    {"-.", 2, MONEY_BAD_CHAR, 0},
    {"+1", 2, MONEY_BAD_CHAR, 0},
    {" 1", 2, MONEY_BAD_CHAR, 0},
    {"1 ", 2, MONEY_BAD_CHAR, 0},
    {"1,5", 2, MONEY_BAD_CHAR, 0},
    {"1,000.00", 2, MONEY_BAD_CHAR, 0},
    {"1 000", 0, MONEY_BAD_CHAR, 0},
    {"1e3", 2, MONEY_BAD_CHAR, 0},
    {"1E3", 0, MONEY_BAD_CHAR, 0},
    {"1.5e1", 2, MONEY_BAD_CHAR, 0},
    {"--1", 2, MONEY_BAD_CHAR, 0},
    {"1-", 2, MONEY_BAD_CHAR, 0},
    {"1.2.3", 3, MONEY_BAD_CHAR, 0},
    {"1..2", 2, MONEY_BAD_CHAR, 0},
    {"0x10", 2, MONEY_BAD_CHAR, 0},
    {"abc", 2, MONEY_BAD_CHAR, 0},
    {"12a", 2, MONEY_BAD_CHAR, 0},
    {"1.2a", 2, MONEY_BAD_CHAR, 0},
    {"\xc2\xa0"
     "1",
     2, MONEY_BAD_CHAR, 0}, /* no-break space */
    /* precedence: syntax before decimals before overflow */
    {"1.234x", 2, MONEY_BAD_CHAR, 0},
    {"99999999999999999999.999", 2, MONEY_TOO_MANY_DECIMALS, 0},
    {"99999999999999999999x", 0, MONEY_BAD_CHAR, 0},
    /* exact boundaries, exponent 0 */
    {"9223372036854775807", 0, MONEY_OK, INT64_MAX},
    {"9223372036854775808", 0, MONEY_OVERFLOW, 0},
    {"-9223372036854775808", 0, MONEY_OK, INT64_MIN},
    {"-9223372036854775809", 0, MONEY_OVERFLOW, 0},
    {"9223372036854775806", 0, MONEY_OK, INT64_MAX - 1},
    {"-9223372036854775807", 0, MONEY_OK, INT64_MIN + 1},
    {"9223372036854775810", 0, MONEY_OVERFLOW, 0},
    {"10000000000000000000", 0, MONEY_OVERFLOW, 0},
    {"18446744073709551616", 0, MONEY_OVERFLOW, 0}, /* 2^64: must not wrap to 0 */
    {"18446744073709551617", 0, MONEY_OVERFLOW, 0},
    {"99999999999999999999999999999", 0, MONEY_OVERFLOW, 0},
    {"00009223372036854775807", 0, MONEY_OK, INT64_MAX},
    /* exponent 2 */
    {"92233720368547758.07", 2, MONEY_OK, INT64_MAX},
    {"92233720368547758.08", 2, MONEY_OVERFLOW, 0},
    {"-92233720368547758.08", 2, MONEY_OK, INT64_MIN},
    {"-92233720368547758.09", 2, MONEY_OVERFLOW, 0},
    {"92233720368547758", 2, MONEY_OK, 9223372036854775800},
    {"92233720368547758.1", 2, MONEY_OVERFLOW, 0},
    {"92233720368547758.0", 2, MONEY_OK, 9223372036854775800},
    {"92233720368547759", 2, MONEY_OVERFLOW, 0},
    {"-92233720368547759", 2, MONEY_OVERFLOW, 0},
    {"9223372036854775807", 2, MONEY_OVERFLOW, 0}, /* fits at exponent 0, not once scaled */
    /* exponent 3 */
    {"9223372036854775.807", 3, MONEY_OK, INT64_MAX},
    {"9223372036854775.808", 3, MONEY_OVERFLOW, 0},
    {"-9223372036854775.808", 3, MONEY_OK, INT64_MIN},
    {"-9223372036854775.809", 3, MONEY_OVERFLOW, 0},
    {"9223372036854775.8", 3, MONEY_OK, 9223372036854775800},
    {"9223372036854775.81", 3, MONEY_OVERFLOW, 0},
    {"-9223372036854775.81", 3, MONEY_OVERFLOW, 0},
    {"9223372036854775.9", 3, MONEY_OVERFLOW, 0},
    {"9223372036854775", 3, MONEY_OK, 9223372036854775000},
    {"9223372036854776", 3, MONEY_OVERFLOW, 0},
    /* exponents out of the supported range */
    {"1", -1, MONEY_OVERFLOW, 0},
    {"1", 19, MONEY_OVERFLOW, 0},
    {"9", 18, MONEY_OK, 9000000000000000000},
    {"10", 18, MONEY_OVERFLOW, 0},
};

static void test_parse(void)
{
	for (size_t i = 0; i < N(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		int64_t got = 0x5a5a5a5a; /* must stay untouched on error */
		money_err e = money_parse(c->text, strlen(c->text), c->exponent, &got);
		char what[96];
		snprintf(what, sizeof what, "parse \"%s\" exp %d", c->text, c->exponent);
		T_OK(e == c->err, "%s: err %d (%s), want %d", what, (int)e, money_strerror(e), (int)c->err);
		if (c->err == MONEY_OK)
			T_OK(got == c->want, "%s: got %lld, want %lld", what, (long long)got,
			     (long long)c->want);
		else
			T_OK(got == 0x5a5a5a5a, "%s: out written on error", what);
	}
}

static void test_parse_len(void)
{
	int64_t v = -1;
	/* len bounds the text: neither NUL-terminated nor stopping at a NUL */
	T_EQ_INT(money_parse("12.50EUR", 5, 2, &v), MONEY_OK, "prefix of a longer buffer");
	T_EQ_INT(v, 1250, "prefix value");
	T_EQ_INT(money_parse("12.50", 2, 2, &v), MONEY_OK, "shorter len");
	T_EQ_INT(v, 1200, "shorter len value");
	T_EQ_INT(money_parse("1\0"
	                     "2",
	                     3, 2, &v),
	         MONEY_BAD_CHAR, "embedded NUL");
	T_EQ_INT(money_parse("12", 0, 2, &v), MONEY_EMPTY, "len 0");
	T_EQ_INT(money_parse(NULL, 0, 2, &v), MONEY_EMPTY, "NULL text");
	T_EQ_INT(money_parse("7", 1, 0, NULL), MONEY_OK, "NULL out is allowed");
}

/* ---- money_format --------------------------------------------------------------------------- */

struct format_case {
	int64_t minor;
	int exponent;
	const char *want;
};

static const struct format_case format_cases[] = {
    {123450, 2, "1234.50"},
    {-5, 2, "-0.05"},
    {1500, 0, "1500"},
    {0, 0, "0"},
    {0, 2, "0.00"},
    {0, 3, "0.000"},
    {1, 2, "0.01"},
    {-1, 2, "-0.01"},
    {10, 2, "0.10"},
    {100, 2, "1.00"},
    {-100, 2, "-1.00"},
    {1, 3, "0.001"},
    {1234, 3, "1.234"},
    {-1234567, 3, "-1234.567"},
    {-1, 0, "-1"},
    {1000000, 0, "1000000"},
    {INT64_MAX, 0, "9223372036854775807"},
    {INT64_MIN, 0, "-9223372036854775808"},
    {INT64_MAX, 2, "92233720368547758.07"},
    {INT64_MIN, 2, "-92233720368547758.08"},
    {INT64_MAX, 3, "9223372036854775.807"},
    {INT64_MIN, 3, "-9223372036854775.808"},
    {INT64_MIN + 1, 0, "-9223372036854775807"},
    {INT64_MIN, 18, "-9.223372036854775808"},
    {5, 18, "0.000000000000000005"},
};

static void test_format(void)
{
	for (size_t i = 0; i < N(format_cases); i++) {
		const struct format_case *c = &format_cases[i];
		char buf[32];
		memset(buf, 'x', sizeof buf);
		size_t n = money_format(c->minor, c->exponent, buf, sizeof buf);
		T_EQ_STR(buf, c->want, "format");
		T_EQ_INT(n, strlen(c->want), "format length");
		/* and the text parses back to the same amount */
		int64_t back = 0;
		T_EQ_INT(money_parse(buf, n, c->exponent, &back), MONEY_OK, "format parses back");
		T_EQ_INT(back, c->minor, "format round trip");
	}
}

static void test_format_cap(void)
{
	char buf[32];
	/* "-0.05" is 5 characters: needs 6 bytes */
	T_EQ_INT(money_format(-5, 2, buf, 6), 5, "cap exact");
	T_EQ_STR(buf, "-0.05", "cap exact text");
	T_EQ_INT(money_format(-5, 2, buf, 5), 0, "cap one short");
	T_EQ_STR(buf, "", "cap one short leaves an empty string");
	T_EQ_INT(money_format(-5, 2, buf, 0), 0, "cap 0");
	T_EQ_INT(money_format(INT64_MIN, 0, buf, 21), 20, "INT64_MIN in 21 bytes");
	T_EQ_INT(money_format(INT64_MIN, 0, buf, 20), 0, "INT64_MIN in 20 bytes");
	T_EQ_INT(money_format(1, 2, NULL, 32), 0, "NULL buffer");
	T_EQ_INT(money_format(1, -1, buf, sizeof buf), 0, "negative exponent");
	T_EQ_INT(money_format(1, 19, buf, sizeof buf), 0, "exponent 19");
}

/* Deterministic pseudo-random values (a 64-bit LCG, Knuth's MMIX constants): the same cases on
 * every run, spread over all magnitudes. */
static uint64_t lcg(uint64_t *state)
{
	*state = *state * 6364136223846793005u + 1442695040888963407u;
	return *state;
}

static void test_round_trip(void)
{
	uint64_t seed = 42;
	int bad = 0, n = 0;
	for (int i = 0; i < 20000; i++) {
		uint64_t r = lcg(&seed);
		int shift = (int)(lcg(&seed) >> 58); /* 0..63: small and large magnitudes alike */
		int64_t v = (int64_t)(r >> shift);
		if (lcg(&seed) & 1) v = -v;
		for (int exp = 0; exp <= 3; exp++) {
			char buf[32];
			int64_t back = 0;
			size_t len = money_format(v, exp, buf, sizeof buf);
			n++;
			if (len == 0 || money_parse(buf, len, exp, &back) != MONEY_OK || back != v) {
				if (bad++ < 5)
					printf("# round trip failed: %lld exp %d -> \"%s\"\n", (long long)v,
					       exp, buf);
			}
		}
	}
	T_EQ_INT(bad, 0, "format/parse round trip of 80000 values");
	T_OK(n == 80000, "round trip count");
}

/* ---- strerror --------------------------------------------------------------------------------- */

static void test_strerror(void)
{
	T_EQ_STR(money_strerror(MONEY_OK), "ok", "strerror ok");
	T_EQ_STR(money_strerror(MONEY_TOO_MANY_DECIMALS), "too many decimals", "strerror decimals");
	T_OK(strlen(money_strerror(MONEY_EMPTY)) > 0, "strerror empty");
	T_OK(strlen(money_strerror(MONEY_BAD_CHAR)) > 0, "strerror bad char");
	T_OK(strlen(money_strerror(MONEY_OVERFLOW)) > 0, "strerror overflow");
	T_OK(strlen(money_strerror((money_err)99)) > 0, "strerror unknown");
}

/* ---- money_add / money_mul_ratio -------------------------------------------------------------- */

struct add_case {
	int64_t a, b;
	int rc;
	int64_t want;
};

static const struct add_case add_cases[] = {
    {1, 2, 0, 3},
    {-1, -2, 0, -3},
    {INT64_MAX, 0, 0, INT64_MAX},
    {INT64_MAX, 1, -1, 0},
    {INT64_MAX - 1, 1, 0, INT64_MAX},
    {INT64_MIN, -1, -1, 0},
    {INT64_MIN + 1, -1, 0, INT64_MIN},
    {INT64_MIN, 0, 0, INT64_MIN},
    {INT64_MAX, INT64_MIN, 0, -1},
    {INT64_MIN, INT64_MAX, 0, -1},
    {INT64_MAX, INT64_MAX, -1, 0},
    {INT64_MIN, INT64_MIN, -1, 0},
    {-5, 5, 0, 0},
};

struct ratio_case {
	int64_t a, num, den;
	int rc;
	int64_t want;
};

static const struct ratio_case ratio_cases[] = {
    {10, 1, 3, 0, 3},  /* 3.33 */
    {20, 1, 3, 0, 7},  /* 6.67 */
    {5, 1, 2, 0, 3},   /* 2.5: half away from zero */
    {-5, 1, 2, 0, -3}, /* -2.5 */
    {5, -1, 2, 0, -3},
    {5, 1, -2, 0, -3},
    {-5, -1, 2, 0, 3},
    {-5, 1, -2, 0, 3},
    {-5, -1, -2, 0, -3},
    {15, 1, 10, 0, 2}, /* 1.5 */
    {14, 1, 10, 0, 1}, /* 1.4 */
    {-14, 1, 10, 0, -1},
    {-16, 1, 10, 0, -2},
    {7, 0, 3, 0, 0},
    {0, 5, 7, 0, 0},
    {1000000, 240000, 12000000, 0, 20000}, /* 2% of a million */
    {925440, 240000, 12000000, 0, 18509},  /* 18508.8 */
    {1, 1, 0, -1, 0},                      /* division by zero */
    {INT64_MAX, 2, 2, 0, INT64_MAX},       /* the product overflows int64 but not __int128 */
    {INT64_MAX, INT64_MAX, INT64_MAX, 0, INT64_MAX},
    {INT64_MIN, INT64_MIN, INT64_MIN, 0, INT64_MIN},
    {INT64_MIN, INT64_MAX, INT64_MIN, 0, INT64_MAX},
    {INT64_MAX, 2, 1, -1, 0},
    {INT64_MIN, -1, 1, -1, 0},
    {INT64_MIN, 1, -1, -1, 0},
    {INT64_MIN, -1, -1, 0, INT64_MIN},
    {INT64_MIN, 1, 1, 0, INT64_MIN},
    {INT64_MAX, 1, 2, 0, 4611686018427387904}, /* 4611686018427387903.5 up */
    {INT64_MIN, 1, 2, 0, -4611686018427387904},
    {INT64_MIN + 1, 1, 2, 0, -4611686018427387904}, /* -...903.5 away from zero */
    {3, 1, INT64_MIN, 0, 0},
    {INT64_MIN, 1, INT64_MIN, 0, 1},
    {INT64_MAX, INT64_MAX, 1, -1, 0},
};

static void test_arith(void)
{
	for (size_t i = 0; i < N(add_cases); i++) {
		const struct add_case *c = &add_cases[i];
		int64_t got = 77;
		int rc = money_add(c->a, c->b, &got);
		T_OK(rc == c->rc, "add %lld + %lld: rc %d", (long long)c->a, (long long)c->b, rc);
		T_OK(got == (c->rc == 0 ? c->want : 77), "add %lld + %lld: got %lld", (long long)c->a,
		     (long long)c->b, (long long)got);
	}
	for (size_t i = 0; i < N(ratio_cases); i++) {
		const struct ratio_case *c = &ratio_cases[i];
		int64_t got = 77;
		int rc = money_mul_ratio(c->a, c->num, c->den, &got);
		T_OK(rc == c->rc, "mul_ratio %lld*%lld/%lld: rc %d", (long long)c->a, (long long)c->num,
		     (long long)c->den, rc);
		T_OK(got == (c->rc == 0 ? c->want : 77), "mul_ratio %lld*%lld/%lld: got %lld",
		     (long long)c->a, (long long)c->num, (long long)c->den, (long long)got);
	}
}

/* ---- currency_find ---------------------------------------------------------------------------- */

/* Every code of the table, with its ISO 4217 exponent: finding each one proves both the table and
 * its sort order (a misplaced entry is missed by the binary search). */
static const currency_info known[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2},
    {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2},
    {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
    {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2},
    {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2},
    {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
    {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2},
    {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2},
    {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SYP", 2}, {"SZL", 2},
    {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2},
    {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VES", 2}, {"VND", 0},
    {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2},
    {"ZMW", 2}, {"ZWG", 2},
};

static const char *const unknown[] = {
    "AAA", "ABC", "ZZZ", "ZZY", "XXX", "XTS", "XAU", "XDR", "CLF", "BOV",
    "EUS", "USN", "XOG", "XOE", "EUQ", "AEE", "ZWM", "FRF", "DEM", "QQQ",
};

/* Exponent of a code, -1 when unknown (so a missing entry fails the check instead of crashing). */
static int exponent_of(const char *code)
{
	const currency_info *c = currency_find(code, strlen(code));
	return c ? c->exponent : -1;
}

static void test_currency(void)
{
	for (size_t i = 1; i < N(known); i++)
		T_OK(strcmp(known[i - 1].code, known[i].code) < 0, "test table sorted at %s", known[i].code);
	for (size_t i = 0; i < N(known); i++) {
		const currency_info *c = currency_find(known[i].code, 3);
		T_OK(c != NULL, "currency %s found", known[i].code);
		if (c != NULL) {
			T_EQ_STR(c->code, known[i].code, "currency code");
			T_OK(c->exponent == known[i].exponent, "currency %s exponent %d, want %d",
			     known[i].code, c->exponent, known[i].exponent);
		}
	}
	for (size_t i = 0; i < N(unknown); i++)
		T_OK(currency_find(unknown[i], 3) == NULL, "currency %s is unknown", unknown[i]);

	/* the exponents the platform relies on most */
	T_EQ_INT(exponent_of("XOF"), 0, "XOF");
	T_EQ_INT(exponent_of("XAF"), 0, "XAF");
	T_EQ_INT(exponent_of("EUR"), 2, "EUR");
	T_EQ_INT(exponent_of("USD"), 2, "USD");
	T_EQ_INT(exponent_of("KES"), 2, "KES");
	T_EQ_INT(exponent_of("GHS"), 2, "GHS");
	T_EQ_INT(exponent_of("NGN"), 2, "NGN");
	T_EQ_INT(exponent_of("MAD"), 2, "MAD");
	T_EQ_INT(exponent_of("TND"), 3, "TND");
	T_EQ_INT(exponent_of("JPY"), 0, "JPY");

	/* case, length, characters */
	T_OK(currency_find("xof", 3) == NULL, "lower case rejected");
	T_OK(currency_find("Xof", 3) == NULL, "mixed case rejected");
	T_OK(currency_find("eur", 3) == NULL, "eur rejected");
	T_OK(currency_find("XO", 2) == NULL, "2 letters");
	T_OK(currency_find("XOFX", 4) == NULL, "4 letters");
	T_OK(currency_find("", 0) == NULL, "empty");
	T_OK(currency_find(NULL, 3) == NULL, "NULL");
	T_OK(currency_find("X0F", 3) == NULL, "digit");
	T_OK(currency_find(" XO", 3) == NULL, "space");
	T_OK(currency_find("XO\0", 3) == NULL, "NUL inside");
	T_OK(currency_find("\xc3\x89UR", 3) == NULL, "non-ASCII");
	const currency_info *c = currency_find("XOFEUR", 3); /* not NUL-terminated after 3 chars */
	T_OK(c != NULL && strcmp(c->code, "XOF") == 0, "first 3 letters of a longer buffer");
	c = currency_find(&"EURXOF"[3], 3);
	T_OK(c != NULL && strcmp(c->code, "XOF") == 0, "3 letters inside a buffer");
}

int main(void)
{
	test_parse();
	test_parse_len();
	test_format();
	test_format_cap();
	test_round_trip();
	test_strerror();
	test_arith();
	test_currency();
	return t_done("test_money");
}

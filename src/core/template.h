/* template.h: message templates (SMS, email, letter) with {{variable}} placeholders, rendered in
 * French or English, and the SMS encoding and segment count of a text.
 * Promises: pure (no I/O, no clock, no allocation: the caller owns the template, the values and the
 * output buffers). A template is plain UTF-8 text; {{name}} (spaces inside the braces allowed) is
 * replaced by the value of one of the known variables (TPL_VAR_*), and nothing else is syntax.
 * Parsing rejects an unknown variable, an unclosed or stray brace pair, invalid UTF-8, a byte-order
 * mark, CR and control characters other than LF and TAB, every problem as
 * "FILE:LINE: expected ..., found ...". Rendering never leaves a placeholder empty: a variable
 * without a value is an error naming it. Money is int64 minor units formatted with the currency's
 * ISO 4217 exponent (no float, no rounding); dates are civil days. The formats are in
 * docs/templates.md. Email templates start with "Subject: ..." and a blank line; the subject and
 * the body are rendered apart. Trailing newlines of a file are not part of the body. */
#ifndef VIGIE_TEMPLATE_H
#define VIGIE_TEMPLATE_H
#include <stddef.h>
#include <stdint.h>

#include "core/currency.h"
#include "core/date.h"

#define TPL_MAX_BYTES  (64 * 1024) /* one template file */
#define TPL_MAX_PARTS  512         /* literal runs and placeholders of one template */
#define TPL_MAX_ERRORS 50
#define TPL_MSG_MAX    640
#define TPL_NAME_MAX   64 /* template names, as policy template names (POLICY_ID_MAX) */

typedef enum {
	TPL_OK = 0,
	TPL_ERR_SYNTAX,    /* the template is malformed: see the errors */
	TPL_ERR_MISSING,   /* a variable used by the template has no value */
	TPL_ERR_TOO_LONG,  /* the output buffer is too small */
	TPL_ERR_BAD_VALUE, /* a value of the wrong kind, invalid UTF-8 or control characters */
	TPL_ERR_NOT_FOUND, /* (template sets) no such template */
	TPL_ERR_IO,        /* (template sets) a file or directory cannot be read */
	TPL_ERR_NOMEM,
} tpl_err;
const char *tpl_strerror(tpl_err e);

/* Languages with formatting rules. */
typedef enum { TPL_FR = 0, TPL_EN, TPL_LANG_N } tpl_lang;
int tpl_lang_parse(const char *s); /* "fr" -> TPL_FR; -1 when unsupported */
const char *tpl_lang_name(tpl_lang l);

/* Channels are the policy's channel bits (core/policy.h): PCH_SMS, PCH_EMAIL, PCH_LETTER. */

typedef enum {
	TPL_CLIENT_NAME = 0,
	TPL_ACCOUNT_ID,
	TPL_CURRENCY, /* the ISO 4217 code, as text */
	TPL_AMOUNT_LATE,
	TPL_OUTSTANDING,
	TPL_DUE_DATE,
	TPL_DUE_AMOUNT,
	TPL_NEXT_DUE_DATE,
	TPL_NEXT_DUE_AMOUNT,
	TPL_DAYS_LATE,
	TPL_INSTITUTION_NAME,
	TPL_INSTITUTION_PHONE,
	TPL_OFFICER_NAME,
	TPL_OFFICER_PHONE,
	TPL_PROMISE_AMOUNT,
	TPL_PROMISE_DATE,
	TPL_TODAY,
	TPL_INVOICE_NUMBER, /* B2B */
	TPL_INVOICE_DATE,
	TPL_INTEREST_RATE, /* late-payment interest rate, in basis points (1215 = 12.15 %) */
	TPL_INDEMNITY,     /* fixed recovery indemnity (40 EUR in France, C. com. D441-5) */
	TPL_VAR_N
} tpl_var;

typedef enum { TPLK_TEXT = 0, TPLK_MONEY, TPLK_DATE, TPLK_INT, TPLK_RATE } tpl_kind;

const char *tpl_var_name(tpl_var v);
tpl_kind tpl_var_kind(tpl_var v);
int tpl_var_parse(const char *s, size_t len); /* -1 when unknown */

/* The French fixed indemnity for recovery costs, in euro cents (Code de commerce, D441-5). */
#define TPL_INDEMNITY_EUR_MINOR 4000

/* Values of the variables for one message. Text values are borrowed (the caller keeps them alive). */
typedef struct {
	uint32_t set; /* bit (1u << var) when the variable has a value */
	const char *text[TPL_VAR_N];
	int64_t num[TPL_VAR_N]; /* money minor units, integers, rates in basis points */
	const currency_info *cur[TPL_VAR_N];
	civil_day day[TPL_VAR_N];
} tpl_values;

void tpl_values_init(tpl_values *v);
/* Each returns TPL_ERR_BAD_VALUE when the variable is not of that kind; text must be valid UTF-8
 * without control characters (a newline in a name must not start a new email header line). */
tpl_err tpl_val_text(tpl_values *v, tpl_var var, const char *text);
tpl_err tpl_val_money(tpl_values *v, tpl_var var, int64_t minor, const char *currency);
tpl_err tpl_val_date(tpl_values *v, tpl_var var, civil_day day);
tpl_err tpl_val_int(tpl_values *v, tpl_var var, int64_t n);
tpl_err tpl_val_rate(tpl_values *v, tpl_var var, int64_t basis_points);
/* Parses the text form of a value ("12500.50" with the currency's decimals, "2026-11-25", "12",
 * "12.15" for a rate); money needs currency (an ISO 4217 code). text is borrowed for text values.
 * On error writes why into err. */
tpl_err tpl_val_parse(tpl_values *v, tpl_var var, const char *text, const char *currency, char *err,
                      size_t cap);

/* Formatting used by rendering, exported for tests and reports. Each returns the length written
 * (NUL-terminated), or 0 when cap is too small (64 bytes are always enough).
 *   money fr: "12 500 FCFA" (XOF, XAF), "1 234,56 €", "1 234,567 TND"; en: "XOF 12,500", "€1,234.56",
 *             "$1,234.56", "£3.50", "TND 1,234.567". sms != 0: plain spaces; otherwise the French
 *             group separator is U+202F (narrow no-break space) and the space before the unit U+00A0.
 *   date  fr: "25/11/2026"; en: "25 Nov 2026".
 *   rate  fr: "12,15 %"; en: "12.15%" (basis points, always two decimals). */
size_t tpl_format_money(int64_t minor, const currency_info *c, tpl_lang lang, int sms, char *buf, size_t cap);
size_t tpl_format_date(civil_day day, tpl_lang lang, char *buf, size_t cap);
size_t tpl_format_rate(int64_t basis_points, tpl_lang lang, int sms, char *buf, size_t cap);

typedef struct {
	uint32_t off, len; /* in the template's text */
	int32_t var;       /* -1: literal text; otherwise the tpl_var */
	int32_t line;
} tpl_part;

/* A parsed template. It points into the text it was parsed from (not copied): keep the text alive. */
typedef struct {
	unsigned channel; /* PCH_* */
	const char *text;
	int n_subject; /* parts[0 .. n_subject) are the email subject; the body follows */
	int n_parts;
	uint32_t vars; /* bit per variable used */
	tpl_part parts[TPL_MAX_PARTS];
} tpl;

typedef struct {
	int n;    /* messages kept */
	int more; /* errors left out beyond TPL_MAX_ERRORS */
	char msg[TPL_MAX_ERRORS][TPL_MSG_MAX];
} tpl_errors;
void tpl_errors_init(tpl_errors *e);
void tpl_errors_add(tpl_errors *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses text[0..len) (at most TPL_MAX_BYTES) as a template of one channel; label names the file in
 * messages. Every error is added to errs; returns TPL_ERR_SYNTAX when there was any. */
tpl_err tpl_parse(const char *text, size_t len, unsigned channel, const char *label, tpl *out,
                  tpl_errors *errs);

/* Renders the template. subject gets the email subject ("" for other channels; may be NULL then);
 * body the text. Text is rendered for the channel (SMS: plain spaces in numbers). When variables used
 * by the template have no value returns TPL_ERR_MISSING with their bits in *missing (may be NULL);
 * nothing is rendered then. */
tpl_err tpl_render(const tpl *t, const tpl_values *v, tpl_lang lang, char *subject, size_t subject_cap,
                   char *body, size_t body_cap, uint32_t *missing);

/* "client_name, due_date" for the bits of mask, into buf; returns buf. */
char *tpl_vars_text(uint32_t mask, char *buf, size_t cap);

/* SMS encoding of a text: GSM-7 (3GPP TS 23.038 default alphabet and its extension table, whose
 * characters such as € { } [ ] ~ | \ ^ count two septets) when every character is in it, UCS-2
 * otherwise (e.g. "ê", "ç", "’" or U+202F). One message holds 160 septets or 70 UTF-16 units; a
 * longer one is split in segments of 153 septets or 67 units, never cutting an escape pair or a
 * surrogate pair. */
typedef enum { SMS_GSM7 = 0, SMS_UCS2 } sms_encoding;
typedef struct {
	sms_encoding encoding;
	int units;    /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	int segments; /* 0 for an empty text */
} sms_info;
/* TPL_ERR_BAD_VALUE for invalid UTF-8. */
tpl_err tpl_sms_measure(const char *text, size_t len, sms_info *out);
/* The SMS a template gives at most when each variable's value is no longer than the budgets of
 * docs/templates.md (names 30 characters, amounts 16, ...) and is in GSM-7. */
tpl_err tpl_sms_estimate(const tpl *t, sms_info *out);
const char *sms_encoding_name(sms_encoding e); /* "GSM-7", "UCS-2" */
/* Offset of the first character of text that is not in GSM-7 (its code point in *cp), or len when
 * there is none (or the text is not valid UTF-8 there). */
size_t tpl_sms_first_ucs2(const char *text, size_t len, uint32_t *cp);

#endif

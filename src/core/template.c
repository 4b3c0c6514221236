/* template.c: parsing and rendering of message templates, French and English formats of money,
 * dates and rates, SMS encoding and segments (see template.h and docs/templates.md). */
#include "core/template.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/policy.h"

static const struct {
	const char *name;
	tpl_kind kind;
	int sms_budget; /* characters assumed for the SMS estimate */
} VARS[TPL_VAR_N] = {
    [TPL_CLIENT_NAME] = {"client_name", TPLK_TEXT, 30},
    [TPL_ACCOUNT_ID] = {"account_id", TPLK_TEXT, 16},
    [TPL_CURRENCY] = {"currency", TPLK_TEXT, 3},
    [TPL_AMOUNT_LATE] = {"amount_late", TPLK_MONEY, 16},
    [TPL_OUTSTANDING] = {"outstanding", TPLK_MONEY, 16},
    [TPL_DUE_DATE] = {"due_date", TPLK_DATE, 11},
    [TPL_DUE_AMOUNT] = {"due_amount", TPLK_MONEY, 16},
    [TPL_NEXT_DUE_DATE] = {"next_due_date", TPLK_DATE, 11},
    [TPL_NEXT_DUE_AMOUNT] = {"next_due_amount", TPLK_MONEY, 16},
    [TPL_DAYS_LATE] = {"days_late", TPLK_INT, 4},
    [TPL_INSTITUTION_NAME] = {"institution_name", TPLK_TEXT, 20},
    [TPL_INSTITUTION_PHONE] = {"institution_phone", TPLK_TEXT, 16},
    [TPL_OFFICER_NAME] = {"officer_name", TPLK_TEXT, 30},
    [TPL_OFFICER_PHONE] = {"officer_phone", TPLK_TEXT, 16},
    [TPL_PROMISE_AMOUNT] = {"promise_amount", TPLK_MONEY, 16},
    [TPL_PROMISE_DATE] = {"promise_date", TPLK_DATE, 11},
    [TPL_TODAY] = {"today", TPLK_DATE, 11},
    [TPL_INVOICE_NUMBER] = {"invoice_number", TPLK_TEXT, 20},
    [TPL_INVOICE_DATE] = {"invoice_date", TPLK_DATE, 11},
    [TPL_INTEREST_RATE] = {"interest_rate", TPLK_RATE, 8},
    [TPL_INDEMNITY] = {"indemnity", TPLK_MONEY, 16},
};

const char *tpl_strerror(tpl_err e)
{
	switch (e) {
	case TPL_OK:
		return "ok";
	case TPL_ERR_SYNTAX:
		return "malformed template";
	case TPL_ERR_MISSING:
		return "a variable has no value";
	case TPL_ERR_TOO_LONG:
		return "rendered text too long";
	case TPL_ERR_BAD_VALUE:
		return "bad value";
	case TPL_ERR_NOT_FOUND:
		return "no such template";
	case TPL_ERR_IO:
		return "cannot read";
	case TPL_ERR_NOMEM:
		return "out of memory";
	}
	return "unknown error";
}

int tpl_lang_parse(const char *s)
{
	if (strcmp(s, "fr") == 0) return TPL_FR;
	if (strcmp(s, "en") == 0) return TPL_EN;
	return -1;
}

const char *tpl_lang_name(tpl_lang l)
{
	return l == TPL_FR ? "fr" : l == TPL_EN ? "en" : "?";
}

const char *tpl_var_name(tpl_var v)
{
	return (unsigned)v < TPL_VAR_N ? VARS[v].name : "?";
}
tpl_kind tpl_var_kind(tpl_var v)
{
	return VARS[v].kind;
}

int tpl_var_parse(const char *s, size_t len)
{
	for (int i = 0; i < TPL_VAR_N; i++)
		if (strlen(VARS[i].name) == len && memcmp(VARS[i].name, s, len) == 0) return i;
	return -1;
}

char *tpl_vars_text(uint32_t mask, char *buf, size_t cap)
{
	size_t n = 0;
	if (cap) buf[0] = 0;
	for (int i = 0; i < TPL_VAR_N; i++)
		if (mask & (1u << i)) {
			int w = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", VARS[i].name);
			if (w < 0 || (size_t)w >= cap - n) break;
			n += (size_t)w;
		}
	return buf;
}

/* ---- UTF-8 ---- */

/* Decodes one code point at s[0..len); returns its byte length, or 0 when invalid (overlong forms,
 * surrogates and values above U+10FFFF included). */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (!len) return 0;
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if ((c & 0xE0) == 0xC0) {
		n = 2, v = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3, v = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n) return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
	*cp = v;
	return n;
}

/* Valid UTF-8 without control characters (TAB and LF allowed when allow_lf). */
static int text_ok(const char *s, size_t len, int allow_lf)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(u + i, len - i, &cp);
		if (!n) return 0;
		if ((cp < 0x20 && !(allow_lf && (cp == '\n' || cp == '\t'))) || cp == 0x7F ||
		    (cp >= 0x80 && cp < 0xA0))
			return 0;
		i += n;
	}
	return 1;
}

/* ---- values ---- */

void tpl_values_init(tpl_values *v)
{
	memset(v, 0, sizeof *v);
}

static tpl_err kind_is(tpl_var var, tpl_kind k)
{
	return (unsigned)var < TPL_VAR_N && VARS[var].kind == k ? TPL_OK : TPL_ERR_BAD_VALUE;
}

tpl_err tpl_val_text(tpl_values *v, tpl_var var, const char *text)
{
	if (kind_is(var, TPLK_TEXT) || !text || !text_ok(text, strlen(text), 0)) return TPL_ERR_BAD_VALUE;
	v->text[var] = text;
	v->set |= 1u << var;
	return TPL_OK;
}

tpl_err tpl_val_money(tpl_values *v, tpl_var var, int64_t minor, const char *currency)
{
	const currency_info *c = currency ? currency_find(currency, strlen(currency)) : NULL;
	if (kind_is(var, TPLK_MONEY) || !c) return TPL_ERR_BAD_VALUE;
	v->num[var] = minor;
	v->cur[var] = c;
	v->set |= 1u << var;
	return TPL_OK;
}

tpl_err tpl_val_date(tpl_values *v, tpl_var var, civil_day day)
{
	if (kind_is(var, TPLK_DATE) || day < DATE_MIN || day > DATE_MAX) return TPL_ERR_BAD_VALUE;
	v->day[var] = day;
	v->set |= 1u << var;
	return TPL_OK;
}

tpl_err tpl_val_int(tpl_values *v, tpl_var var, int64_t n)
{
	if (kind_is(var, TPLK_INT)) return TPL_ERR_BAD_VALUE;
	v->num[var] = n;
	v->set |= 1u << var;
	return TPL_OK;
}

tpl_err tpl_val_rate(tpl_values *v, tpl_var var, int64_t basis_points)
{
	if (kind_is(var, TPLK_RATE)) return TPL_ERR_BAD_VALUE;
	v->num[var] = basis_points;
	v->set |= 1u << var;
	return TPL_OK;
}

tpl_err tpl_val_parse(tpl_values *v, tpl_var var, const char *text, const char *currency, char *err,
                      size_t cap)
{
	size_t len = strlen(text);
	int64_t n;
	civil_day d;
	switch (VARS[var].kind) {
	case TPLK_TEXT:
		if (tpl_val_text(v, var, text) == TPL_OK) return TPL_OK;
		snprintf(err, cap, "%s: expected UTF-8 text without control characters, found \"%s\"",
		         VARS[var].name, text);
		return TPL_ERR_BAD_VALUE;
	case TPLK_MONEY: {
		const currency_info *c = currency ? currency_find(currency, strlen(currency)) : NULL;
		if (!c) {
			snprintf(err, cap, "%s: expected a currency (set the variable currency), found %s",
			         VARS[var].name, currency ? currency : "none");
			return TPL_ERR_BAD_VALUE;
		}
		money_err me = money_parse(text, len, c->exponent, &n);
		if (me != MONEY_OK) {
			snprintf(err, cap,
			         "%s: expected an amount in %s with at most %d decimals, found \"%s\" (%s)",
			         VARS[var].name, c->code, c->exponent, text, money_strerror(me));
			return TPL_ERR_BAD_VALUE;
		}
		return tpl_val_money(v, var, n, c->code);
	}
	case TPLK_DATE:
		if (date_parse(text, len, &d) != DATE_OK) {
			snprintf(err, cap, "%s: expected a date YYYY-MM-DD, found \"%s\"", VARS[var].name,
			         text);
			return TPL_ERR_BAD_VALUE;
		}
		return tpl_val_date(v, var, d);
	case TPLK_INT:
		if (money_parse(text, len, 0, &n) != MONEY_OK) {
			snprintf(err, cap, "%s: expected a whole number, found \"%s\"", VARS[var].name, text);
			return TPL_ERR_BAD_VALUE;
		}
		return tpl_val_int(v, var, n);
	case TPLK_RATE:
		if (money_parse(text, len, 2, &n) != MONEY_OK) {
			snprintf(err, cap,
			         "%s: expected a percentage with at most 2 decimals (12.15), found \"%s\"",
			         VARS[var].name, text);
			return TPL_ERR_BAD_VALUE;
		}
		return tpl_val_rate(v, var, n);
	}
	return TPL_ERR_BAD_VALUE;
}

/* ---- formatting ---- */

#define NNBSP "\xE2\x80\xAF" /* U+202F narrow no-break space */
#define NBSP  "\xC2\xA0"     /* U+00A0 no-break space */

/* Writes |minor| as a decimal with `exponent` decimals, groups of three digits separated by sep, and
 * the decimal mark dec. Returns the length, 0 when cap is too small. */
static size_t group_number(uint64_t mag, int exponent, const char *sep, char dec, char *buf, size_t cap)
{
	char digits[24];
	int nd = 0;
	do {
		digits[nd++] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag);
	while (nd <= exponent)
		digits[nd++] = '0'; /* 0.05 -> "005" reversed */
	int ni = nd - exponent;     /* integer digits */
	size_t seplen = strlen(sep), n = 0;
	for (int i = 0; i < ni; i++) {
		if (i && (ni - i) % 3 == 0) {
			if (n + seplen >= cap) return 0;
			memcpy(buf + n, sep, seplen);
			n += seplen;
		}
		if (n + 1 >= cap) return 0;
		buf[n++] = digits[nd - 1 - i];
	}
	if (exponent) {
		if (n + 1 + (size_t)exponent >= cap) return 0;
		buf[n++] = dec;
		for (int i = exponent - 1; i >= 0; i--)
			buf[n++] = digits[i];
	}
	buf[n] = 0;
	return n;
}

static size_t put(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static size_t put(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= cap) {
		if (cap) buf[0] = 0;
		return 0;
	}
	return (size_t)w;
}

size_t tpl_format_money(int64_t minor, const currency_info *c, tpl_lang lang, int sms, char *buf, size_t cap)
{
	char num[48];
	uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	const char *sign = minor < 0 ? "-" : "";
	const char *code = c->code;
	if (lang == TPL_FR) {
		if (!group_number(mag, c->exponent, sms ? " " : NNBSP, ',', num, sizeof num)) return 0;
		/* FCFA: the usual written name of both CFA francs (XOF, BCEAO; XAF, BEAC) in French */
		const char *unit = strcmp(code, "XOF") == 0 || strcmp(code, "XAF") == 0 ? "FCFA"
		                   : strcmp(code, "EUR") == 0                           ? "€"
		                                                                        : code;
		return put(buf, cap, "%s%s%s%s", sign, num, sms ? " " : NBSP, unit);
	}
	if (!group_number(mag, c->exponent, ",", '.', num, sizeof num)) return 0;
	const char *sym = strcmp(code, "EUR") == 0   ? "€"
	                  : strcmp(code, "USD") == 0 ? "$"
	                  : strcmp(code, "GBP") == 0 ? "£"
	                                             : NULL;
	if (sym) return put(buf, cap, "%s%s%s", sign, sym, num);
	return put(buf, cap, "%s%s %s", sign, code, num);
}

size_t tpl_format_date(civil_day day, tpl_lang lang, char *buf, size_t cap)
{
	static const char *const MON[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	if (day < DATE_MIN || day > DATE_MAX) return 0;
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	if (lang == TPL_FR) return put(buf, cap, "%02d/%02d/%04d", d, m, y);
	return put(buf, cap, "%d %s %04d", d, MON[m - 1], y);
}

size_t tpl_format_rate(int64_t bp, tpl_lang lang, int sms, char *buf, size_t cap)
{
	char num[48];
	uint64_t mag = bp < 0 ? (uint64_t)0 - (uint64_t)bp : (uint64_t)bp;
	const char *sign = bp < 0 ? "-" : "";
	if (lang == TPL_FR) {
		if (!group_number(mag, 2, sms ? " " : NNBSP, ',', num, sizeof num)) return 0;
		return put(buf, cap, "%s%s%s%%", sign, num, sms ? " " : NBSP);
	}
	if (!group_number(mag, 2, ",", '.', num, sizeof num)) return 0;
	return put(buf, cap, "%s%s%%", sign, num);
}

/* ---- errors ---- */

void tpl_errors_init(tpl_errors *e)
{
	memset(e, 0, sizeof *e);
}

void tpl_errors_add(tpl_errors *e, const char *fmt, ...)
{
	if (e->n >= TPL_MAX_ERRORS) {
		e->more++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg[e->n++], TPL_MSG_MAX, fmt, ap);
	va_end(ap);
}

/* ---- parsing ---- */

static void expected_vars(char *buf, size_t cap)
{
	tpl_vars_text((1u << TPL_VAR_N) - 1, buf, cap);
}

static int add_part(tpl *t, uint32_t off, uint32_t len, int32_t var, int32_t line, const char *label,
                    tpl_errors *errs)
{
	if (var < 0 && len == 0) return 0;
	if (t->n_parts >= TPL_MAX_PARTS) {
		if (t->n_parts++ == TPL_MAX_PARTS)
			tpl_errors_add(errs,
			               "%s:%d: expected at most %d placeholders and text runs, found more",
			               label, (int)line, TPL_MAX_PARTS);
		return -1;
	}
	t->parts[t->n_parts++] = (tpl_part){off, len, var, line};
	if (var >= 0) t->vars |= 1u << var;
	return 0;
}

/* Splits text[from..to) (starting on line `line`) into literal runs and placeholders. */
static int parse_span(tpl *t, const char *text, size_t from, size_t to, int line, const char *label,
                      tpl_errors *errs)
{
	int bad = 0;
	size_t lit = from;
	for (size_t i = from; i < to;) {
		if (text[i] == '\n') {
			line++;
			i++;
			continue;
		}
		if (i + 1 < to && text[i] == '}' && text[i + 1] == '}') {
			tpl_errors_add(errs, "%s:%d: expected }} only after {{variable, found a stray }}",
			               label, line);
			bad = 1;
			i += 2;
			continue;
		}
		if (!(i + 1 < to && text[i] == '{' && text[i + 1] == '{')) {
			i++;
			continue;
		}
		size_t close = i + 2;
		while (close + 1 < to && text[close] != '\n' &&
		       !(text[close] == '}' && text[close + 1] == '}'))
			close++;
		if (!(close + 1 < to && text[close] == '}' && text[close + 1] == '}')) {
			tpl_errors_add(
			    errs, "%s:%d: expected }} closing {{ on the same line, found the end of the line",
			    label, line);
			bad = 1;
			while (i < to && text[i] != '\n')
				i++;
			lit = i;
			continue;
		}
		size_t a = i + 2, b = close;
		while (a < b && (text[a] == ' ' || text[a] == '\t'))
			a++;
		while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t'))
			b--;
		int var = tpl_var_parse(text + a, b - a);
		if (var < 0) {
			char list[400];
			expected_vars(list, sizeof list);
			tpl_errors_add(errs, "%s:%d: expected one of %s, found \"%.*s\"", label, line, list,
			               (int)(b - a > 80 ? 80 : b - a), text + a);
			bad = 1;
		} else {
			if (add_part(t, (uint32_t)lit, (uint32_t)(i - lit), -1, line, label, errs) ||
			    add_part(t, (uint32_t)i, (uint32_t)(close + 2 - i), var, line, label, errs))
				bad = 1;
		}
		i = close + 2;
		lit = i;
	}
	if (add_part(t, (uint32_t)lit, (uint32_t)(to - lit), -1, line, label, errs)) bad = 1;
	return bad ? -1 : 0;
}

tpl_err tpl_parse(const char *text, size_t len, unsigned channel, const char *label, tpl *t, tpl_errors *errs)
{
	memset(t, 0, offsetof(tpl, parts));
	t->channel = channel;
	t->text = text;
	int before = errs->n + errs->more;
	if (len > TPL_MAX_BYTES) {
		tpl_errors_add(errs, "%s:1: expected at most %d bytes, found %zu", label, TPL_MAX_BYTES, len);
		return TPL_ERR_SYNTAX;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		tpl_errors_add(errs, "%s:1: expected UTF-8 text without a byte-order mark, found one", label);
		return TPL_ERR_SYNTAX;
	}
	/* characters: one error per bad line */
	int line = 1, line_bad = 0;
	const unsigned char *u = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(u + i, len - i, &cp);
		if (!n || (cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F ||
		    (cp >= 0x80 && cp < 0xA0)) {
			if (!line_bad)
				tpl_errors_add(errs, "%s:%d: expected UTF-8 text with LF line ends, found %s",
				               label, line,
				               !n           ? "invalid UTF-8"
				               : cp == '\r' ? "a carriage return (CRLF line ends)"
				                            : "a control character");
			line_bad = 1;
			i += n ? n : 1;
			continue;
		}
		if (cp == '\n') line++, line_bad = 0;
		i += n;
	}
	if (errs->n + errs->more > before) return TPL_ERR_SYNTAX;

	size_t end = len;
	while (end > 0 && text[end - 1] == '\n')
		end--;
	size_t body = 0;
	int body_line = 1;
	if (channel == PCH_EMAIL) {
		static const char SUBJ[] = "Subject:";
		size_t nl = 0;
		while (nl < end && text[nl] != '\n')
			nl++;
		if (nl < sizeof SUBJ - 1 || memcmp(text, SUBJ, sizeof SUBJ - 1) != 0) {
			tpl_errors_add(
			    errs,
			    "%s:1: expected \"Subject: ...\" on the first line of an email, found \"%.*s\"",
			    label, (int)(nl > 60 ? 60 : nl), text);
			return TPL_ERR_SYNTAX;
		}
		size_t s = sizeof SUBJ - 1;
		while (s < nl && (text[s] == ' ' || text[s] == '\t'))
			s++;
		if (s == nl) {
			tpl_errors_add(errs,
			               "%s:1: expected the email's subject after \"Subject:\", found nothing",
			               label);
			return TPL_ERR_SYNTAX;
		}
		if (nl + 1 >= len || text[nl + 1] != '\n') {
			tpl_errors_add(
			    errs, "%s:2: expected a blank line between the subject and the body, found %s",
			    label, nl + 1 >= len ? "the end of the file" : "text");
			return TPL_ERR_SYNTAX;
		}
		int bad = parse_span(t, text, s, nl, 1, label, errs);
		t->n_subject = t->n_parts;
		body = nl + 2;
		body_line = 3;
		if (bad) return TPL_ERR_SYNTAX;
	}
	if (body >= end) {
		tpl_errors_add(errs, "%s:%d: expected the message's text, found an empty %s", label,
		               body_line, channel == PCH_EMAIL ? "body" : "file");
		return TPL_ERR_SYNTAX;
	}
	if (parse_span(t, text, body, end, body_line, label, errs)) return TPL_ERR_SYNTAX;
	return TPL_OK;
}

/* ---- rendering ---- */

typedef struct {
	char *buf;
	size_t cap, n;
	int over;
} out_buf;

static void out_put(out_buf *o, const char *s, size_t len)
{
	if (o->over || o->n + len >= o->cap) {
		o->over = 1;
		return;
	}
	memcpy(o->buf + o->n, s, len);
	o->n += len;
	o->buf[o->n] = 0;
}

static void render_value(out_buf *o, const tpl_values *v, tpl_var var, tpl_lang lang, int sms)
{
	char tmp[64];
	size_t n = 0;
	switch (VARS[var].kind) {
	case TPLK_TEXT:
		out_put(o, v->text[var], strlen(v->text[var]));
		return;
	case TPLK_MONEY:
		n = tpl_format_money(v->num[var], v->cur[var], lang, sms, tmp, sizeof tmp);
		break;
	case TPLK_DATE:
		n = tpl_format_date(v->day[var], lang, tmp, sizeof tmp);
		break;
	case TPLK_INT:
		n = put(tmp, sizeof tmp, "%lld", (long long)v->num[var]);
		break;
	case TPLK_RATE:
		n = tpl_format_rate(v->num[var], lang, sms, tmp, sizeof tmp);
		break;
	}
	out_put(o, tmp, n);
}

static int render_parts(const tpl *t, int from, int to, const tpl_values *v, tpl_lang lang, char *buf,
                        size_t cap)
{
	out_buf o = {buf, cap, 0, 0};
	if (!cap) return -1;
	buf[0] = 0;
	for (int i = from; i < to; i++) {
		const tpl_part *p = &t->parts[i];
		if (p->var < 0)
			out_put(&o, t->text + p->off, p->len);
		else
			render_value(&o, v, (tpl_var)p->var, lang, t->channel == PCH_SMS);
	}
	return o.over ? -1 : 0;
}

tpl_err tpl_render(const tpl *t, const tpl_values *v, tpl_lang lang, char *subject, size_t subject_cap,
                   char *body, size_t body_cap, uint32_t *missing)
{
	uint32_t miss = t->vars & ~v->set;
	if (missing) *missing = miss;
	if (subject && subject_cap) subject[0] = 0;
	if (body && body_cap) body[0] = 0;
	if (miss) return TPL_ERR_MISSING;
	if (t->n_subject) {
		if (!subject || render_parts(t, 0, t->n_subject, v, lang, subject, subject_cap))
			return TPL_ERR_TOO_LONG;
	}
	if (!body || render_parts(t, t->n_subject, t->n_parts, v, lang, body, body_cap))
		return TPL_ERR_TOO_LONG;
	return TPL_OK;
}

/* ---- SMS ---- */

/* GSM 03.38 default alphabet: characters outside ASCII, and the ASCII ones that are not in it. */
static const uint32_t GSM_BASIC_EXTRA[] = {
    0xA3,  0xA5,  0xE8,  0xE9,  0xF9,  0xEC,  0xF2,  0xC7,  0xD8,  0xF8, 0xC5, 0xE5, 0x394,
    0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E, 0xC6, 0xE6, 0xDF, 0xC9,
    0xA4,  0xA1,  0xC4,  0xD6,  0xD1,  0xDC,  0xA7,  0xBF,  0xE4,  0xF6, 0xF1, 0xFC, 0xE0};

/* Septets of a code point in GSM-7: 1, 2 (extension table) or 0 (not representable). */
static int gsm_septets(uint32_t cp)
{
	if (cp == '\n' || cp == '\r') return 1;
	if (cp == 0x0C || cp == '^' || cp == '{' || cp == '}' || cp == '\\' || cp == '[' || cp == '~' ||
	    cp == ']' || cp == '|' || cp == 0x20AC)
		return 2;
	if (cp >= 0x20 && cp < 0x7F) return cp == '`' ? 0 : 1;
	for (size_t i = 0; i < sizeof GSM_BASIC_EXTRA / sizeof *GSM_BASIC_EXTRA; i++)
		if (GSM_BASIC_EXTRA[i] == cp) return 1;
	return 0;
}

/* Segments for a sequence of characters of widths w (1 or 2 units), packed without splitting one. */
static int count_segments(const char *text, size_t len, int gsm, int total)
{
	int single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
	if (total == 0) return 0;
	if (total <= single) return 1;
	const unsigned char *u = (const unsigned char *)text;
	int segs = 1, used = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(u + i, len - i, &cp);
		int w = gsm ? gsm_septets(cp) : (cp > 0xFFFF ? 2 : 1);
		if (used + w > multi) segs++, used = 0;
		used += w;
		i += n;
	}
	return segs;
}

tpl_err tpl_sms_measure(const char *text, size_t len, sms_info *out)
{
	const unsigned char *u = (const unsigned char *)text;
	int septets = 0, units = 0, gsm = 1;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(u + i, len - i, &cp);
		if (!n) return TPL_ERR_BAD_VALUE;
		int s = gsm_septets(cp);
		if (!s) gsm = 0;
		septets += s;
		units += cp > 0xFFFF ? 2 : 1;
		i += n;
	}
	out->encoding = gsm ? SMS_GSM7 : SMS_UCS2;
	out->units = gsm ? septets : units;
	out->segments = count_segments(text, len, gsm, out->units);
	return TPL_OK;
}

tpl_err tpl_sms_estimate(const tpl *t, sms_info *out)
{
	char buf[TPL_MAX_BYTES + TPL_MAX_PARTS * 32];
	size_t n = 0;
	for (int i = t->n_subject; i < t->n_parts; i++) {
		const tpl_part *p = &t->parts[i];
		size_t add = p->var < 0 ? p->len : (size_t)VARS[p->var].sms_budget;
		if (n + add > sizeof buf) return TPL_ERR_TOO_LONG;
		if (p->var < 0)
			memcpy(buf + n, t->text + p->off, p->len);
		else
			memset(buf + n, 'x', add);
		n += add;
	}
	return tpl_sms_measure(buf, n, out);
}

const char *sms_encoding_name(sms_encoding e)
{
	return e == SMS_GSM7 ? "GSM-7" : "UCS-2";
}

size_t tpl_sms_first_ucs2(const char *text, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_next(u + i, len - i, cp);
		if (!n) return len;
		if (!gsm_septets(*cp)) return i;
		i += n;
	}
	return len;
}

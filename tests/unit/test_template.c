/* test_template.c: core/template (formats, parsing errors, rendering, SMS segments) and
 * io/template_set (loading tests/unit/fixtures/templates, fallback, policy check), and the shipped
 * templates/ directory: it covers the two policies/ examples in fr and en, its SMS are GSM-7 and every
 * template renders with a full set of values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/policy.h"
#include "core/template.h"
#include "io/policy_file.h"
#include "io/template_set.h"
#include "t.h"

static const char *root(void)
{
	static char dir[4096];
	const char *r = getenv("ROOT");
	if (r && *r) return r;
	const char *file = __FILE__, *slash = strrchr(file, '/');
	if (slash)
		snprintf(dir, sizeof dir, "%.*s/../..", (int)(slash - file), file);
	else
		snprintf(dir, sizeof dir, "../..");
	return dir;
}

static const currency_info *cur(const char *code)
{
	return currency_find(code, strlen(code));
}

static void test_money(void)
{
	static const struct {
		const char *code;
		int64_t minor;
		const char *fr_sms, *en;
	} CASES[] = {
	    {"XOF", 12500, "12 500 FCFA", "XOF 12,500"},
	    {"XOF", 0, "0 FCFA", "XOF 0"},
	    {"XOF", 999, "999 FCFA", "XOF 999"},
	    {"XOF", 1000, "1 000 FCFA", "XOF 1,000"},
	    {"XAF", 1234567, "1 234 567 FCFA", "XAF 1,234,567"},
	    {"EUR", 123456, "1 234,56 €", "€1,234.56"},
	    {"EUR", 5, "0,05 €", "€0.05"},
	    {"EUR", 4000, "40,00 €", "€40.00"},
	    {"EUR", -123456, "-1 234,56 €", "-€1,234.56"},
	    {"EUR", 100000000, "1 000 000,00 €", "€1,000,000.00"},
	    {"USD", 100, "1,00 USD", "$1.00"},
	    {"GBP", 350, "3,50 GBP", "£3.50"},
	    {"KES", 5000050, "50 000,50 KES", "KES 50,000.50"},
	    {"TND", 1234567, "1 234,567 TND", "TND 1,234.567"},
	    {"TND", 5, "0,005 TND", "TND 0.005"},
	    {"JPY", 1000000, "1 000 000 JPY", "JPY 1,000,000"},
	    {"EUR", INT64_MAX, "92 233 720 368 547 758,07 €", "€92,233,720,368,547,758.07"},
	    {"EUR", INT64_MIN, "-92 233 720 368 547 758,08 €", "-€92,233,720,368,547,758.08"},
	};
	char buf[64];
	for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
		const currency_info *c = cur(CASES[i].code);
		T_OK(c != NULL, "currency %s", CASES[i].code);
		if (!c) continue;
		T_OK(tpl_format_money(CASES[i].minor, c, TPL_FR, 1, buf, sizeof buf) > 0, "fr %zu", i);
		T_EQ_STR(buf, CASES[i].fr_sms, "money fr sms");
		T_OK(tpl_format_money(CASES[i].minor, c, TPL_EN, 1, buf, sizeof buf) > 0, "en %zu", i);
		T_EQ_STR(buf, CASES[i].en, "money en");
		T_OK(tpl_format_money(CASES[i].minor, c, TPL_EN, 0, buf, sizeof buf) > 0, "en letter %zu", i);
		T_EQ_STR(buf, CASES[i].en, "money en is the same in letters");
	}
	/* letters and emails: narrow no-break space between groups, no-break space before the unit */
	tpl_format_money(123456, cur("EUR"), TPL_FR, 0, buf, sizeof buf);
	T_EQ_STR(buf,
	         "1\xE2\x80\xAF"
	         "234,56\xC2\xA0€",
	         "money fr letter");
	tpl_format_money(12500, cur("XOF"), TPL_FR, 0, buf, sizeof buf);
	T_EQ_STR(buf,
	         "12\xE2\x80\xAF"
	         "500\xC2\xA0"
	         "FCFA",
	         "money fr letter XOF");
	T_EQ_INT(tpl_format_money(123456, cur("EUR"), TPL_FR, 1, buf, 5), 0, "too small a buffer");
}

static void test_dates_rates(void)
{
	char buf[64];
	tpl_format_date(date_from_ymd(2026, 11, 25), TPL_FR, buf, sizeof buf);
	T_EQ_STR(buf, "25/11/2026", "date fr");
	tpl_format_date(date_from_ymd(2026, 11, 25), TPL_EN, buf, sizeof buf);
	T_EQ_STR(buf, "25 Nov 2026", "date en");
	tpl_format_date(date_from_ymd(2024, 2, 29), TPL_FR, buf, sizeof buf);
	T_EQ_STR(buf, "29/02/2024", "date fr leap");
	tpl_format_date(date_from_ymd(2026, 1, 5), TPL_FR, buf, sizeof buf);
	T_EQ_STR(buf, "05/01/2026", "date fr zero-padded");
	tpl_format_date(date_from_ymd(2026, 1, 5), TPL_EN, buf, sizeof buf);
	T_EQ_STR(buf, "5 Jan 2026", "date en");
	T_EQ_INT(tpl_format_date(DATE_NONE, TPL_EN, buf, sizeof buf), 0, "no date");
	tpl_format_rate(1215, TPL_FR, 1, buf, sizeof buf);
	T_EQ_STR(buf, "12,15 %", "rate fr");
	tpl_format_rate(1215, TPL_EN, 1, buf, sizeof buf);
	T_EQ_STR(buf, "12.15%", "rate en");
	tpl_format_rate(1000, TPL_FR, 0, buf, sizeof buf);
	T_EQ_STR(buf, "10,00\xC2\xA0%", "rate fr letter");
}

static tpl T; /* large: not on the stack */
static tpl_errors E;

static tpl_err parse(const char *text, unsigned channel)
{
	tpl_errors_init(&E);
	return tpl_parse(text, strlen(text), channel, "x", &T, &E);
}

static void test_parse_errors(void)
{
	T_EQ_INT(parse("Bonjour {{client_name}}.\nMontant {{ montant }} !\n", PCH_SMS), TPL_ERR_SYNTAX,
	         "unknown");
	T_EQ_INT(E.n, 1, "one error");
	T_OK(strncmp(E.msg[0], "x:2: expected one of client_name, account_id, currency, amount_late, ", 68) ==
	         0,
	     "unknown variable message: %s", E.msg[0]);
	T_OK(strstr(E.msg[0], "interest_rate, indemnity, found \"montant\"") != NULL, "found: %s", E.msg[0]);
	T_EQ_INT(parse("{{#if promise_date}}x{{/if}}", PCH_SMS), TPL_ERR_SYNTAX, "no logic");
	T_EQ_INT(E.n, 2, "two errors");
	T_OK(strstr(E.msg[0], "found \"#if promise_date\"") != NULL, "%s", E.msg[0]);
	T_EQ_INT(parse("a\nb {{client_name\nc\n", PCH_SMS), TPL_ERR_SYNTAX, "unclosed");
	T_EQ_STR(E.msg[0], "x:2: expected }} closing {{ on the same line, found the end of the line");
	T_EQ_INT(parse("a }} b", PCH_LETTER), TPL_ERR_SYNTAX, "stray");
	T_EQ_STR(E.msg[0], "x:1: expected }} only after {{variable, found a stray }}");
	T_EQ_INT(parse("a\r\nb\r\n", PCH_LETTER), TPL_ERR_SYNTAX, "CRLF");
	T_EQ_STR(E.msg[0],
	         "x:1: expected UTF-8 text with LF line ends, found a carriage return (CRLF line ends)");
	T_EQ_INT(parse("ok\nbad \xC3\x28\n", PCH_LETTER), TPL_ERR_SYNTAX, "bad UTF-8");
	T_EQ_STR(E.msg[0], "x:2: expected UTF-8 text with LF line ends, found invalid UTF-8");
	T_EQ_INT(parse("\xEF\xBB\xBFhello", PCH_LETTER), TPL_ERR_SYNTAX, "BOM");
	T_EQ_INT(parse("\n\n", PCH_SMS), TPL_ERR_SYNTAX, "empty");
	T_EQ_STR(E.msg[0], "x:1: expected the message's text, found an empty file");
	T_EQ_INT(parse("Hello\n\nbody", PCH_EMAIL), TPL_ERR_SYNTAX, "no subject");
	T_EQ_STR(E.msg[0], "x:1: expected \"Subject: ...\" on the first line of an email, found \"Hello\"");
	T_EQ_INT(parse("Subject: hi\nbody", PCH_EMAIL), TPL_ERR_SYNTAX, "no blank line");
	T_EQ_STR(E.msg[0], "x:2: expected a blank line between the subject and the body, found text");
	T_EQ_INT(parse("Subject:  \n\nbody", PCH_EMAIL), TPL_ERR_SYNTAX, "empty subject");
	T_EQ_INT(parse("Subject: {{nope}}\n\nbody {{nope2}}", PCH_EMAIL), TPL_ERR_SYNTAX, "bad subject");
	T_EQ_INT(parse("Subject: a\n\n", PCH_EMAIL), TPL_ERR_SYNTAX, "empty body");
	T_EQ_STR(E.msg[0], "x:3: expected the message's text, found an empty body");
	T_EQ_INT(parse("{single} braces and { { are text", PCH_SMS), TPL_OK, "single braces");
}

static void full_values(tpl_values *v)
{
	tpl_values_init(v);
	tpl_val_text(v, TPL_CLIENT_NAME, "Awa Diop");
	tpl_val_text(v, TPL_ACCOUNT_ID, "L-0042");
	tpl_val_text(v, TPL_CURRENCY, "XOF");
	tpl_val_money(v, TPL_AMOUNT_LATE, 12500, "XOF");
	tpl_val_money(v, TPL_OUTSTANDING, 250000, "XOF");
	tpl_val_date(v, TPL_DUE_DATE, date_from_ymd(2026, 11, 25));
	tpl_val_money(v, TPL_DUE_AMOUNT, 26000, "XOF");
	tpl_val_date(v, TPL_NEXT_DUE_DATE, date_from_ymd(2026, 12, 25));
	tpl_val_money(v, TPL_NEXT_DUE_AMOUNT, 26000, "XOF");
	tpl_val_int(v, TPL_DAYS_LATE, 12);
	tpl_val_text(v, TPL_INSTITUTION_NAME, "Caisse Vigie");
	tpl_val_text(v, TPL_INSTITUTION_PHONE, "+221 33 800 00 00");
	tpl_val_text(v, TPL_OFFICER_NAME, "Moussa Ndiaye");
	tpl_val_text(v, TPL_OFFICER_PHONE, "+221 77 000 00 00");
	tpl_val_money(v, TPL_PROMISE_AMOUNT, 10000, "XOF");
	tpl_val_date(v, TPL_PROMISE_DATE, date_from_ymd(2026, 12, 1));
	tpl_val_date(v, TPL_TODAY, date_from_ymd(2026, 11, 27));
	tpl_val_text(v, TPL_INVOICE_NUMBER, "F2026-0117");
	tpl_val_date(v, TPL_INVOICE_DATE, date_from_ymd(2026, 10, 26));
	tpl_val_rate(v, TPL_INTEREST_RATE, 1215);
	tpl_val_money(v, TPL_INDEMNITY, TPL_INDEMNITY_EUR_MINOR, "EUR");
}

static void test_render(void)
{
	tpl_values v;
	char subj[256], body[512];
	uint32_t missing = 0;
	T_EQ_INT(parse("Bonjour {{ client_name }}, {{amount_late}} dus depuis le {{due_date}}.\n\n", PCH_SMS),
	         TPL_OK, "parse sms");
	full_values(&v);
	T_EQ_INT(tpl_render(&T, &v, TPL_FR, NULL, 0, body, sizeof body, &missing), TPL_OK, "render fr");
	T_EQ_STR(body, "Bonjour Awa Diop, 12 500 FCFA dus depuis le 25/11/2026.",
	         "sms fr, trailing newlines cut");
	T_EQ_INT(tpl_render(&T, &v, TPL_EN, NULL, 0, body, sizeof body, &missing), TPL_OK, "render en");
	T_EQ_STR(body, "Bonjour Awa Diop, XOF 12,500 dus depuis le 25 Nov 2026.",
	         "formats follow the language");
	T_EQ_INT(tpl_render(&T, &v, TPL_FR, NULL, 0, body, 20, &missing), TPL_ERR_TOO_LONG, "too long");

	/* a missing value is an error naming it, never an empty placeholder */
	tpl_values_init(&v);
	tpl_val_text(&v, TPL_CLIENT_NAME, "Awa");
	T_EQ_INT(tpl_render(&T, &v, TPL_FR, NULL, 0, body, sizeof body, &missing), TPL_ERR_MISSING,
	         "missing");
	T_EQ_INT(missing, (1u << TPL_AMOUNT_LATE) | (1u << TPL_DUE_DATE), "missing bits");
	char names[128];
	T_EQ_STR(tpl_vars_text(missing, names, sizeof names), "amount_late, due_date", "missing names");
	T_EQ_STR(body, "", "nothing rendered");

	/* email: subject and body apart; letters keep spaces that do not break */
	T_EQ_INT(parse("Subject: Facture {{invoice_number}} - {{client_name}}\n\nMontant : {{due_amount}}\n"
	               "Taux : {{interest_rate}}\n",
	               PCH_EMAIL),
	         TPL_OK, "parse email");
	full_values(&v);
	tpl_val_money(&v, TPL_DUE_AMOUNT, 123456, "EUR");
	T_EQ_INT(tpl_render(&T, &v, TPL_FR, subj, sizeof subj, body, sizeof body, &missing), TPL_OK, "email");
	T_EQ_STR(subj, "Facture F2026-0117 - Awa Diop", "subject");
	T_EQ_STR(body,
	         "Montant : 1\xE2\x80\xAF"
	         "234,56\xC2\xA0€\nTaux : 12,15\xC2\xA0%",
	         "body");

	/* values are checked */
	T_EQ_INT(tpl_val_text(&v, TPL_CLIENT_NAME, "Awa\nBcc: x@y"), TPL_ERR_BAD_VALUE, "newline in a name");
	T_EQ_INT(tpl_val_text(&v, TPL_CLIENT_NAME, "\xC3"), TPL_ERR_BAD_VALUE, "bad UTF-8 value");
	T_EQ_INT(tpl_val_money(&v, TPL_AMOUNT_LATE, 1, "ZZZ"), TPL_ERR_BAD_VALUE, "unknown currency");
	T_EQ_INT(tpl_val_money(&v, TPL_DUE_DATE, 1, "EUR"), TPL_ERR_BAD_VALUE, "a date is not money");
	T_EQ_INT(tpl_val_text(&v, TPL_AMOUNT_LATE, "12"), TPL_ERR_BAD_VALUE, "money is not text");
	char err[256];
	tpl_values_init(&v);
	T_EQ_INT(tpl_val_parse(&v, TPL_AMOUNT_LATE, "12500.5", "XOF", err, sizeof err), TPL_ERR_BAD_VALUE,
	         "XOF has no decimals");
	T_EQ_INT(tpl_val_parse(&v, TPL_AMOUNT_LATE, "1234.56", "EUR", err, sizeof err), TPL_OK, "EUR");
	T_EQ_INT(v.num[TPL_AMOUNT_LATE], 123456, "minor units");
	T_EQ_INT(tpl_val_parse(&v, TPL_AMOUNT_LATE, "1.5", NULL, err, sizeof err), TPL_ERR_BAD_VALUE,
	         "no currency");
	T_EQ_INT(tpl_val_parse(&v, TPL_INTEREST_RATE, "12.15", NULL, err, sizeof err), TPL_OK, "rate");
	T_EQ_INT(v.num[TPL_INTEREST_RATE], 1215, "basis points");
	T_EQ_INT(tpl_val_parse(&v, TPL_DUE_DATE, "2026-02-30", NULL, err, sizeof err), TPL_ERR_BAD_VALUE,
	         "date");
}

static sms_info sms(const char *s)
{
	sms_info i = {SMS_UCS2, -1, -1};
	T_EQ_INT(tpl_sms_measure(s, strlen(s), &i), TPL_OK, "measure");
	return i;
}

static char *rep(char *p, const char *unit, int n)
{
	for (int i = 0; i < n; i++) {
		strcpy(p, unit);
		p += strlen(unit);
	}
	return p;
}

static void test_sms(void)
{
	static char buf[4096];
	sms_info i = sms("");
	T_EQ_INT(i.segments, 0, "empty");
	rep(buf, "a", 160);
	i = sms(buf);
	T_OK(i.encoding == SMS_GSM7 && i.units == 160 && i.segments == 1, "160 septets: 1 segment");
	rep(buf, "a", 161);
	i = sms(buf);
	T_OK(i.units == 161 && i.segments == 2, "161 septets: 2 segments");
	rep(buf, "a", 306);
	T_EQ_INT(sms(buf).segments, 2, "306 septets: 2 x 153");
	rep(buf, "a", 307);
	T_EQ_INT(sms(buf).segments, 3, "307 septets: 3");
	i = sms("Prix: 5€ [x]");
	T_OK(i.encoding == SMS_GSM7 && i.units == 15, "€ [ ] count two septets: %d", i.units);
	rep(buf, "€", 80);
	i = sms(buf);
	T_OK(i.encoding == SMS_GSM7 && i.units == 160 && i.segments == 1, "80 euros: 160 septets");
	/* an escape pair is never cut: 152 a, €, 152 a = 306 septets but 3 segments */
	rep(rep(rep(buf, "a", 152), "€", 1), "a", 152);
	i = sms(buf);
	T_OK(i.units == 306 && i.segments == 3, "escape pair kept whole: %d septets, %d segments", i.units,
	     i.segments);
	i = sms("Votre échéance à régler où vous êtes");
	T_OK(i.encoding == SMS_UCS2 && i.units == 36 && i.segments == 1, "ê is not GSM-7: UCS-2");
	i = sms("Votre échéance à régler où vous étiez, Ç");
	T_OK(i.encoding == SMS_GSM7 && i.units == 40, "é è à ù Ç are GSM-7");
	T_EQ_INT(sms("reçu").encoding, SMS_UCS2, "ç is not GSM-7");
	T_EQ_INT(sms("l’échéance").encoding, SMS_UCS2, "typographic apostrophe is not GSM-7");
	T_EQ_INT(sms("12\xE2\x80\xAF"
	             "500")
	             .encoding,
	         SMS_UCS2, "narrow no-break space is not GSM-7");
	T_EQ_INT(sms("a`b").encoding, SMS_UCS2, "backquote is not GSM-7");
	rep(buf, "ê", 70);
	i = sms(buf);
	T_OK(i.units == 70 && i.segments == 1, "70 UCS-2: 1 segment");
	rep(buf, "ê", 71);
	T_EQ_INT(sms(buf).segments, 2, "71 UCS-2: 2 segments");
	rep(buf, "ê", 135);
	T_EQ_INT(sms(buf).segments, 3, "135 UCS-2: 3 segments (67 each)");
	/* a surrogate pair is never cut: 66 a, U+1F600, 66 a = 134 units but 3 segments */
	rep(rep(rep(buf, "a", 66), "\xF0\x9F\x98\x80", 1), "a", 66);
	i = sms(buf);
	T_OK(i.encoding == SMS_UCS2 && i.units == 134 && i.segments == 3, "surrogate pair whole: %d, %d",
	     i.units, i.segments);
	T_EQ_INT(tpl_sms_measure("\xC3", 1, &i), TPL_ERR_BAD_VALUE, "bad UTF-8");
	uint32_t cp = 0;
	const char *s = "abc ê";
	T_EQ_INT(tpl_sms_first_ucs2(s, strlen(s), &cp), 4, "first UCS-2 offset");
	T_EQ_INT(cp, 0xEA, "first UCS-2 character");
	/* estimate: each variable counts its budget */
	T_EQ_INT(parse("{{client_name}}", PCH_SMS), TPL_OK, "parse");
	T_EQ_INT(tpl_sms_estimate(&T, &i), TPL_OK, "estimate");
	T_EQ_INT(i.units, 30, "client_name budget");
}

static tpl_set *load(const char *sub, tpl_errors *errs, tpl_err *rc)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/tests/unit/fixtures/templates/%s", root(), sub);
	tpl_set *s = NULL;
	tpl_errors_init(errs);
	*rc = tpl_set_load(dir, &s, errs);
	return s;
}

static void test_set(void)
{
	tpl_err rc;
	tpl_set *s = load("good", &E, &rc);
	T_EQ_INT(rc, TPL_OK, "load good");
	for (int i = 0; i < E.n; i++)
		printf("  %s\n", E.msg[i]);
	if (!s) return;
	T_EQ_INT(tpl_set_size(s), 4, "4 templates (README ignored)");
	tpl_set_item it = tpl_set_at(s, 0);
	T_OK(it.lang == TPL_FR && strcmp(it.name, "hello") == 0 && it.channel == PCH_SMS, "sorted: fr first");
	T_OK(tpl_set_find(s, "hello", TPL_EN, PCH_SMS) != NULL, "find");
	T_OK(tpl_set_find(s, "hello", TPL_EN, PCH_EMAIL) == NULL, "no such channel");
	tpl_lang used = TPL_LANG_N;
	T_OK(tpl_set_find_fallback(s, "only_fr", TPL_EN, TPL_FR, PCH_EMAIL, &used) != NULL && used == TPL_FR,
	     "fallback to fr");
	T_OK(tpl_set_find_fallback(s, "only_fr", TPL_EN, TPL_EN, PCH_EMAIL, &used) == NULL, "no fallback");
	T_OK(tpl_set_find_fallback(s, "hello", TPL_EN, TPL_FR, PCH_SMS, &used) != NULL && used == TPL_EN,
	     "own language first");

	tpl_values v;
	full_values(&v);
	char subj[256], body[512];
	uint32_t missing;
	T_EQ_INT(tpl_set_render(s, "only_en", TPL_FR, TPL_EN, PCH_LETTER, &v, subj, sizeof subj, body,
	                        sizeof body, &used, &missing),
	         TPL_OK, "render with fallback");
	T_EQ_INT(used, TPL_EN, "rendered in en");
	T_EQ_STR(body, "Dear Awa Diop,\n\nThis letter is only in English.", "letter body");
	T_EQ_INT(tpl_set_render(s, "nope", TPL_FR, TPL_EN, PCH_LETTER, &v, subj, sizeof subj, body,
	                        sizeof body, &used, &missing),
	         TPL_ERR_NOT_FOUND, "not found");
	T_EQ_INT(tpl_set_render(s, "hello", TPL_EN, TPL_FR, PCH_SMS, &v, NULL, 0, body, sizeof body, &used,
	                        &missing),
	         TPL_OK, "render en sms");
	T_EQ_STR(body, "Hello Awa Diop, XOF 26,000 is due on 25 Nov 2026.", "en sms");

	/* policy check: every channel of every message step, in every language */
	static const char POL[] =
	    "name: t\nversion: 1\nsegments:\n"
	    "  - name: all\n"
	    "    steps:\n"
	    "      - {id: a, event: dpd, offset: 1, action: message, channels: [sms], template: hello}\n"
	    "      - {id: b, event: dpd, offset: 2, action: message, channels: [email, letter], template: "
	    "only_fr}\n"
	    "      - {id: c, event: dpd, offset: 3, action: formal_notice, template: notice}\n"
	    "      - {id: d, event: dpd, offset: 4, action: message, channels: [letter], template: only_fr}\n"
	    "      - {id: e, event: dpd, offset: 5, action: task, task: call}\n";
	static policy p;
	static pf_errors pe;
	T_EQ_INT(policy_file_parse(POL, sizeof POL - 1, "p.yaml", &p, &pe), PF_OK, "policy");
	tpl_lang langs[2] = {TPL_FR, TPL_EN};
	tpl_errors_init(&E);
	int n = tpl_set_check_policy(s, "T", &p, "p.yaml", langs, 2, &E);
	T_EQ_INT(n, 5, "missing: fr/en only_fr.letter, en only_fr.email, fr/en notice.letter");
	T_EQ_INT(E.n, 5, "one message each");
	if (E.n == 5) {
		T_EQ_STR(E.msg[0], "p.yaml:7: segments[1].steps[2].template: expected T/fr/only_fr.letter, "
		                   "found no such template");
		T_EQ_STR(E.msg[1], "p.yaml:7: segments[1].steps[2].template: expected T/en/only_fr.email, "
		                   "found no such template");
		T_EQ_STR(E.msg[2], "p.yaml:7: segments[1].steps[2].template: expected T/en/only_fr.letter, "
		                   "found no such template");
		T_EQ_STR(E.msg[3], "p.yaml:8: segments[1].steps[3].template: expected T/fr/notice.letter, "
		                   "found no such template");
	}
	tpl_errors_init(&E);
	T_EQ_INT(tpl_set_check_policy(s, "T", &p, "p.yaml", langs, 1, &E), 2, "fr only: 2 missing");
	tpl_set_free(s);

	s = load("bad", &E, &rc);
	T_OK(s == NULL && rc == TPL_ERR_SYNTAX, "bad set refused");
	T_EQ_INT(E.n, 4, "every problem reported");
	int seen = 0;
	for (int i = 0; i < E.n; i++) {
		seen |= strstr(E.msg[i], "/bad/de: expected a language directory (fr or en), found \"de\"")
		            ? 1
		            : 0;
		seen |= strstr(E.msg[i], "/bad/fr/no_subject.email:1: expected \"Subject: ...\"") ? 2 : 0;
		seen |=
		    strstr(E.msg[i], "/bad/fr/notes.txt: expected a file NAME.sms, NAME.email or NAME.letter")
		        ? 4
		        : 0;
		seen |= strstr(E.msg[i], "/bad/fr/unknown.sms:2: expected one of client_name,") ? 8 : 0;
	}
	T_EQ_INT(seen, 15, "the four errors");
	s = load("nope", &E, &rc);
	T_OK(s == NULL && rc == TPL_ERR_IO && E.n == 1, "missing directory");
}

/* The shipped templates cover the shipped policies, in both languages, and all render. */
static void test_shipped(void)
{
	char dir[4200], path[4300];
	snprintf(dir, sizeof dir, "%s/templates", root());
	tpl_set *s = NULL;
	tpl_errors_init(&E);
	T_EQ_INT(tpl_set_load(dir, &s, &E), TPL_OK, "shipped templates load");
	for (int i = 0; i < E.n; i++)
		printf("  %s\n", E.msg[i]);
	if (!s) return;
	static const char *const POLICIES[] = {"microfinance.yaml", "trade-receivables-fr.yaml"};
	tpl_lang langs[2] = {TPL_FR, TPL_EN};
	static policy p;
	static pf_errors pe;
	for (int k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "%s/policies/%s", root(), POLICIES[k]);
		T_OK(policy_file_load(path, &p, &pe) == PF_OK, "%s loads", POLICIES[k]);
		tpl_errors_init(&E);
		int missing = tpl_set_check_policy(s, dir, &p, path, langs, 2, &E);
		T_OK(missing == 0, "%s covered in fr and en: %d missing", POLICIES[k], missing);
		for (int i = 0; i < E.n; i++)
			printf("  %s\n", E.msg[i]);
	}
	/* names the extended policies use */
	static const char *const NAMES[] = {
	    "reminder_before_due",  "reminder_due_today", "first_late",    "second_late",
	    "final_reminder",       "visit_notice",       "formal_notice", "payment_plan_proposal",
	    "promise_confirmation", "promise_broken",     "renewal_offer", "insurance_notice",
	    "court_file_notice"};
	for (size_t k = 0; k < sizeof NAMES / sizeof *NAMES; k++)
		for (int l = 0; l < 2; l++) {
			int any = 0;
			for (unsigned ch = 1; ch < (1u << PCH_N); ch <<= 1)
				any += tpl_set_find(s, NAMES[k], (tpl_lang)l, ch) != NULL;
			T_OK(any > 0, "%s has a template in %s", NAMES[k], tpl_lang_name((tpl_lang)l));
		}
	/* every template renders with a full set of values; SMS are GSM-7 and fit 2 segments */
	tpl_values v, veur;
	full_values(&v);
	full_values(&veur);
	for (int i = TPL_AMOUNT_LATE; i < TPL_VAR_N; i++)
		if (tpl_var_kind((tpl_var)i) == TPLK_MONEY) tpl_val_money(&veur, (tpl_var)i, 123456, "EUR");
	static char subj[1024], body[TPL_MAX_BYTES * 2];
	for (int i = 0; i < tpl_set_size(s); i++) {
		tpl_set_item it = tpl_set_at(s, i);
		uint32_t missing = 0;
		tpl_err te = tpl_render(it.t, &v, it.lang, subj, sizeof subj, body, sizeof body, &missing);
		T_OK(te == TPL_OK, "%s renders: %s", it.path, tpl_strerror(te));
		if (it.channel != PCH_SMS) continue;
		sms_info si;
		T_EQ_INT(tpl_sms_measure(body, strlen(body), &si), TPL_OK, "measure");
		T_OK(si.encoding == SMS_GSM7, "%s is GSM-7", it.path);
		T_OK(si.segments <= 2, "%s fits 2 segments (%d septets)", it.path, si.units);
		T_EQ_INT(tpl_render(it.t, &veur, it.lang, subj, sizeof subj, body, sizeof body, &missing),
		         TPL_OK, "eur");
		T_OK(tpl_sms_measure(body, strlen(body), &si) == TPL_OK && si.segments <= 2,
		     "%s in EUR fits 2 segments", it.path);
	}
	tpl_set_free(s);
}

int main(void)
{
	test_money();
	test_dates_rates();
	test_parse_errors();
	test_render();
	test_sms();
	test_set();
	test_shipped();
	return t_done("test_template");
}

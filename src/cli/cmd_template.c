/* cmd_template.c: `vigie template check` (load a template directory, warn about long SMS, check that
 * policies have every template they need) and `vigie template render` (one message, from values
 * given on the command line). See docs/templates.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/policy_file.h"
#include "io/template_set.h"

static const char TEMPLATE_HELP[] =
    "usage: vigie template check --templates DIR [--policy FILE]... [--languages fr,en]\n"
    "                            [--max-sms-segments N]\n"
    "       vigie template render NAME --templates DIR --lang fr|en --channel sms|email|letter\n"
    "                            [--fallback fr|en] [--var NAME=VALUE]...\n"
    "\n"
    "Message templates live in DIR/<lang>/<name>.<channel> (docs/templates.md).\n"
    "\n"
    "check   loads every template of DIR and reports every error as FILE:LINE: expected ..., found ...;\n"
    "        with --policy (repeatable), every template the policy's steps name must exist for each\n"
    "        of their channels (a letter for formal notices, insurance notices and court files) in\n"
    "        each language of --languages (default fr,en); each missing one is listed. Warns (without\n"
    "        failing) about SMS templates written in UCS-2 or that may need more than N segments\n"
    "        (default 2) with long values. Exit 1 on any error or missing template.\n"
    "render  prints the message: for an email \"Subject: ...\", a blank line and the body. For an SMS,\n"
    "        standard error gets its encoding (GSM-7 or UCS-2), length and number of segments.\n"
    "        Values: --var client_name=\"Awa Diop\" --var currency=XOF --var amount_late=12500\n"
    "        --var due_date=2026-11-25 --var interest_rate=12.15 (amounts with the currency's\n"
    "        decimals, dates YYYY-MM-DD, rates in percent). A variable the template uses without a\n"
    "        value is an error (exit 1). --fallback: the language used when NAME has no template in\n"
    "        --lang.\n"
    "Variables: client_name account_id currency amount_late outstanding due_date due_amount\n"
    "  next_due_date next_due_amount days_late institution_name institution_phone officer_name\n"
    "  officer_phone promise_amount promise_date today invoice_number invoice_date interest_rate\n"
    "  indemnity\n";

/* Declared in cli.h once the lead wires the command in; repeated here so this file builds alone. */
int cmd_template(const cli_env *e, int argc, char **argv);

#define MAX_REPEAT 64

/* Takes every "--NAME VALUE" / "--NAME=VALUE" out of argv (in place) into vals; returns the new argc,
 * or -1 (message printed) on a missing value or too many. */
static int take_repeated(const cli_env *e, const char *cmd, const char *name, int argc, char **argv,
                         const char **vals, int *n_vals)
{
	size_t nl = strlen(name);
	int w = 0;
	*n_vals = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
		if (strncmp(a, "--", 2) == 0 && strncmp(a + 2, name, nl) == 0 &&
		    (a[2 + nl] == 0 || a[2 + nl] == '=')) {
			if (a[2 + nl] == '=') {
				v = a + 3 + nl;
			} else if (i + 1 < argc) {
				v = argv[++i];
			} else {
				fprintf(e->err, "vigie %s: option --%s needs a value\n", cmd, name);
				return -1;
			}
			if (*n_vals >= MAX_REPEAT) {
				fprintf(e->err, "vigie %s: expected at most %d --%s options\n", cmd,
				        MAX_REPEAT, name);
				return -1;
			}
			vals[(*n_vals)++] = v;
			continue;
		}
		argv[w++] = argv[i];
	}
	return w;
}

static void print_errors(const cli_env *e, const tpl_errors *errs)
{
	for (int i = 0; i < errs->n; i++)
		fprintf(e->err, "%s\n", errs->msg[i]);
	if (errs->more) fprintf(e->err, "... and %d more errors\n", errs->more);
}

/* Loads the set, printing errors; *rc gets the exit code on failure. */
static tpl_set *load_set(const cli_env *e, const char *dir, tpl_errors *errs, int *rc)
{
	tpl_set *s = NULL;
	tpl_err te = tpl_set_load(dir, &s, errs);
	if (te == TPL_OK) return s;
	print_errors(e, errs);
	if (te == TPL_ERR_NOMEM) fprintf(e->err, "vigie: out of memory\n");
	*rc = te == TPL_ERR_IO ? EXIT_NOT_FOUND : te == TPL_ERR_NOMEM ? EXIT_STORE : EXIT_BAD_INPUT;
	return NULL;
}

static int parse_langs(const cli_env *e, const char *cmd, const char *text, tpl_lang *langs, int *n)
{
	*n = 0;
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, ",");
		char buf[8];
		int l = -1;
		if (len < sizeof buf) {
			memcpy(buf, p, len);
			buf[len] = 0;
			l = tpl_lang_parse(buf);
		}
		if (l < 0) {
			fprintf(e->err, "vigie %s: --languages: expected fr or en, found \"%.*s\"\n", cmd,
			        (int)len, p);
			return -1;
		}
		int dup = 0;
		for (int i = 0; i < *n; i++)
			dup |= langs[i] == (tpl_lang)l;
		if (!dup) langs[(*n)++] = (tpl_lang)l;
		p += len;
		if (*p == ',') p++;
	}
	if (!*n) {
		fprintf(e->err, "vigie %s: --languages: expected fr, en or fr,en, found nothing\n", cmd);
		return -1;
	}
	return 0;
}

/* Warnings about SMS templates: UCS-2 text, and more than max segments with long values. */
static void sms_warnings(const cli_env *e, const tpl_set *s, int max)
{
	for (int i = 0; i < tpl_set_size(s); i++) {
		tpl_set_item it = tpl_set_at(s, i);
		if (it.channel != PCH_SMS) continue;
		const tpl *t = it.t;
		for (int k = 0; k < t->n_parts; k++) {
			const tpl_part *p = &t->parts[k];
			uint32_t cp;
			size_t off;
			if (p->var >= 0 ||
			    (off = tpl_sms_first_ucs2(t->text + p->off, p->len, &cp)) == p->len)
				continue;
			int line = p->line;
			for (size_t j = p->off; j < p->off + off; j++)
				line += t->text[j] == '\n';
			fprintf(
			    e->err,
			    "%s:%d: warning: U+%04X is not in the GSM-7 alphabet: the SMS is sent in UCS-2 "
			    "(70 characters per segment instead of 160)\n",
			    it.path, line, (unsigned)cp);
			break;
		}
		sms_info si;
		if (tpl_sms_estimate(t, &si) == TPL_OK && si.segments > max)
			fprintf(
			    e->err,
			    "%s: warning: may need %d SMS segments (more than %d): %d %s with long values "
			    "(docs/templates.md)\n",
			    it.path, si.segments, max, si.units,
			    si.encoding == SMS_GSM7 ? "septets" : "UCS-2 characters");
	}
}

static int cmd_check(const cli_env *e, int argc, char **argv)
{
	const char *policies[MAX_REPEAT];
	int n_pol;
	argc = take_repeated(e, "template check", "policy", argc, argv, policies, &n_pol);
	if (argc < 0) return EXIT_USAGE;
	const char *dir = NULL, *langs_text = "fr,en", *max_text = NULL;
	const cli_opt opts[] = {{"templates", 1, &dir},
	                        {"languages", 1, &langs_text},
	                        {"max-sms-segments", 1, &max_text},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "template check", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(TEMPLATE_HELP, e->out);
		return EXIT_OK;
	}
	if (!dir) {
		fprintf(e->err, "vigie template check: --templates DIR is required\n");
		return EXIT_USAGE;
	}
	tpl_lang langs[TPL_LANG_N];
	int n_langs;
	if (parse_langs(e, "template check", langs_text, langs, &n_langs)) return EXIT_USAGE;
	int max = 2;
	if (max_text) {
		char *end;
		long v = strtol(max_text, &end, 10);
		if (*end || end == max_text || v < 1 || v > 255) {
			fprintf(e->err,
			        "vigie template check: --max-sms-segments: expected 1 to 255, found \"%s\"\n",
			        max_text);
			return EXIT_USAGE;
		}
		max = (int)v;
	}
	tpl_errors *errs = malloc(sizeof *errs);
	if (!errs) return EXIT_STORE;
	tpl_errors_init(errs);
	int rc = EXIT_OK;
	tpl_set *s = load_set(e, dir, errs, &rc);
	if (!s) {
		free(errs);
		return rc;
	}
	int count[TPL_LANG_N] = {0};
	for (int i = 0; i < tpl_set_size(s); i++)
		count[tpl_set_at(s, i).lang]++;
	fprintf(e->out, "%s: %d templates OK (fr: %d, en: %d)\n", dir, tpl_set_size(s), count[TPL_FR],
	        count[TPL_EN]);
	sms_warnings(e, s, max);
	for (int k = 0; k < n_pol; k++) {
		int prc = EXIT_OK;
		policy *p = malloc(sizeof *p);
		pf_errors *perrs = malloc(sizeof *perrs);
		if (!p || !perrs) {
			free(p);
			free(perrs);
			rc = EXIT_STORE;
			break;
		}
		pf_err pe = policy_file_load(policies[k], p, perrs);
		if (pe != PF_OK) {
			for (int i = 0; i < perrs->n; i++)
				fprintf(e->err, "%s\n", perrs->msg[i]);
			if (perrs->n == 0) fprintf(e->err, "%s: %s\n", policies[k], policy_file_strerror(pe));
			prc = pe == PF_ERR_IO ? EXIT_NOT_FOUND : EXIT_BAD_INPUT;
		} else {
			tpl_errors_init(errs);
			int missing = tpl_set_check_policy(s, dir, p, policies[k], langs, n_langs, errs);
			print_errors(e, errs);
			if (missing) {
				fprintf(e->err, "%s: %d templates missing\n", policies[k], missing);
				prc = EXIT_BAD_INPUT;
			} else {
				fprintf(e->out, "%s: every template found in", policies[k]);
				for (int i = 0; i < n_langs; i++)
					fprintf(e->out, "%s%s", i ? ", " : " ", tpl_lang_name(langs[i]));
				fputc('\n', e->out);
			}
		}
		if (prc != EXIT_OK && (rc == EXIT_OK || prc > rc)) rc = prc;
		free(p);
		free(perrs);
	}
	tpl_set_free(s);
	free(errs);
	return rc;
}

static int cmd_render(const cli_env *e, int argc, char **argv)
{
	const char *vars[MAX_REPEAT];
	int n_vars;
	argc = take_repeated(e, "template render", "var", argc, argv, vars, &n_vars);
	if (argc < 0) return EXIT_USAGE;
	const char *dir = NULL, *lang_text = NULL, *channel_text = NULL, *fallback_text = NULL;
	const cli_opt opts[] = {{"templates", 1, &dir},
	                        {"lang", 1, &lang_text},
	                        {"channel", 1, &channel_text},
	                        {"fallback", 1, &fallback_text},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "template render", argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(TEMPLATE_HELP, e->out);
		return EXIT_OK;
	}
	if (n != 1 || !dir || !lang_text || !channel_text) {
		fprintf(e->err, "vigie template render: expected NAME --templates DIR --lang fr|en --channel "
		                "sms|email|letter (see vigie template --help)\n");
		return EXIT_USAGE;
	}
	int lang = tpl_lang_parse(lang_text), fallback = fallback_text ? tpl_lang_parse(fallback_text) : lang;
	int channel = policy_channel_parse(channel_text);
	if (lang < 0 || fallback < 0) {
		fprintf(e->err, "vigie template render: --%s: expected fr or en, found \"%s\"\n",
		        lang < 0 ? "lang" : "fallback", lang < 0 ? lang_text : fallback_text);
		return EXIT_USAGE;
	}
	if (channel < 0) {
		fprintf(e->err,
		        "vigie template render: --channel: expected sms, email or letter, found \"%s\"\n",
		        channel_text);
		return EXIT_USAGE;
	}
	/* values: the currency first, since amounts are read with its decimals */
	tpl_values v;
	tpl_values_init(&v);
	const char *currency = NULL;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n_vars; i++) {
			const char *eq = strchr(vars[i], '=');
			int var = eq ? tpl_var_parse(vars[i], (size_t)(eq - vars[i])) : -1;
			if (var < 0) {
				if (pass) continue;
				fprintf(
				    e->err,
				    "vigie template render: --var: expected NAME=VALUE with NAME one of the "
				    "variables (see vigie template --help), found \"%s\"\n",
				    vars[i]);
				return EXIT_USAGE;
			}
			if ((var == TPL_CURRENCY) != (pass == 0)) continue;
			char err[256];
			if (tpl_val_parse(&v, (tpl_var)var, eq + 1, currency, err, sizeof err) != TPL_OK) {
				fprintf(e->err, "vigie template render: --var %s\n", err);
				return EXIT_USAGE;
			}
			if (var == TPL_CURRENCY) currency = eq + 1;
		}
	tpl_errors *errs = malloc(sizeof *errs);
	if (!errs) return EXIT_STORE;
	tpl_errors_init(errs);
	int rc = EXIT_OK;
	tpl_set *s = load_set(e, dir, errs, &rc);
	free(errs);
	if (!s) return rc;
	static char subject[4096], body[TPL_MAX_BYTES * 4];
	tpl_lang used = (tpl_lang)lang;
	uint32_t missing = 0;
	tpl_err te = tpl_set_render(s, pos[0], (tpl_lang)lang, (tpl_lang)fallback, (unsigned)channel, &v,
	                            subject, sizeof subject, body, sizeof body, &used, &missing);
	tpl_set_free(s);
	if (te == TPL_ERR_NOT_FOUND) {
		fprintf(e->err, "vigie template render: expected a template %s/%s/%s.%s, found none\n", dir,
		        tpl_lang_name((tpl_lang)lang), pos[0], channel_text);
		return EXIT_NOT_FOUND;
	}
	if (te == TPL_ERR_MISSING) {
		char names[512];
		fprintf(e->err,
		        "vigie template render: %s/%s/%s.%s: no value for %s (give --var NAME=VALUE)\n", dir,
		        tpl_lang_name(used), pos[0], channel_text,
		        tpl_vars_text(missing, names, sizeof names));
		return EXIT_BAD_INPUT;
	}
	if (te != TPL_OK) {
		fprintf(e->err, "vigie template render: %s\n", tpl_strerror(te));
		return EXIT_BAD_INPUT;
	}
	if (used != (tpl_lang)lang)
		fprintf(e->err, "note: no %s template %s.%s, rendered the %s one\n",
		        tpl_lang_name((tpl_lang)lang), pos[0], channel_text, tpl_lang_name(used));
	if (channel == PCH_EMAIL) fprintf(e->out, "Subject: %s\n\n", subject);
	fprintf(e->out, "%s\n", body);
	if (channel == PCH_SMS) {
		sms_info si;
		tpl_sms_measure(body, strlen(body), &si);
		fprintf(e->err, "sms: %s, %d %s, %d segment%s\n", sms_encoding_name(si.encoding), si.units,
		        si.encoding == SMS_GSM7 ? "septets" : "UTF-16 units", si.segments,
		        si.segments == 1 ? "" : "s");
	}
	return EXIT_OK;
}

int cmd_template(const cli_env *e, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "check") == 0) return cmd_check(e, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "render") == 0) return cmd_render(e, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		fputs(TEMPLATE_HELP, e->out);
		return EXIT_OK;
	}
	fprintf(e->err, "vigie template: expected check or render (see vigie template --help)\n");
	return EXIT_USAGE;
}

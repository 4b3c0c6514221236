/* cmd_work_common.c: helpers of the work commands (cmd_work.h). */
#include "cli/cmd_work.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "core/money.h"
#include "store/store_audit.h"
#include "store/store_query.h"

int work_parse(const cli_env *e, const char *cmd, int argc, char **argv, const cli_opt *opts, const char **pos,
               int max_pos, int *n, const char *help_text)
{
	int help;
	if (cli_parse(e, cmd, argc, argv, opts, pos, max_pos, n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(help_text, e->out);
		return EXIT_OK;
	}
	return -1;
}

store *work_open_modules(const cli_env *e, const char *cmd, const char *m1, const char *m2, const char *lack)
{
	store *s = cli_open_store(e);
	if (!s) return NULL;
	if (store_module_version(s, m1) < 1 || (m2 && store_module_version(s, m2) < 1)) {
		fprintf(e->err, "vigie %s: the store has no %s: run vigie init\n", cmd, lack);
		store_close(s);
		return NULL;
	}
	return s;
}

store *work_open(const cli_env *e, const char *cmd)
{
	return work_open_modules(e, cmd, "work", "people", "tables for people and their work");
}

int work_id_on(const cli_env *e, const char *cmd, int n, const char *const *pos, const char *what, const char *on,
               int64_t *id, civil_day *day)
{
	if (n != 1) {
		fprintf(e->err, "vigie %s: expected one %s\n", cmd, what);
		return EXIT_USAGE;
	}
	if (work_id(e, cmd, "ID", pos[0], id)) return EXIT_BAD_INPUT;
	if (cli_date(e, cmd, "on", on, day)) return EXIT_USAGE;
	return 0;
}

int work_lookup_fail(const cli_env *e, const char *cmd, store *s, store_rc sr, const char *fmt, ...)
{
	if (sr != STORE_NOT_FOUND) return work_fail(e, cmd, s, sr);
	va_list ap;
	va_start(ap, fmt);
	fprintf(e->err, "vigie %s: ", cmd);
	vfprintf(e->err, fmt, ap);
	fputc('\n', e->err);
	va_end(ap);
	return EXIT_NOT_FOUND;
}

int work_actor_load(const cli_env *e, store *s, const char *cmd, const char *name, work_actor *w)
{
	(void)cmd;
	return cli_actor(e, s, name, &w->a, &w->u);
}

int work_allow(const cli_env *e, const char *cmd, const work_actor *w, access_action act, const char *branch,
               const char *officer)
{
	if (!access_can(&w->a, act)) {
		fprintf(e->err, "vigie %s: %s (%s) may not %s\n", cmd, w->u.name, access_role_name(w->u.role),
		        access_action_name(act));
		return EXIT_BAD_INPUT;
	}
	if (branch && !access_can_see(&w->a, branch, officer)) {
		fprintf(e->err, "vigie %s: %s (%s, branch %s) may not act on branch %s, officer %s\n", cmd,
		        w->u.name, access_role_name(w->u.role), w->u.branch[0] ? w->u.branch : "any",
		        branch[0] ? branch : "-", officer && officer[0] ? officer : "-");
		return EXIT_BAD_INPUT;
	}
	return 0;
}

int work_sees(const work_actor *w, const char *branch, const char *officer)
{
	return !w || access_can_see(&w->a, branch, officer);
}

void work_json_list_begin(json_out *j, FILE *out, int pretty, const char *key)
{
	json_init(j, out, pretty);
	json_obj_begin(j);
	json_key(j, key);
	json_arr_begin(j);
}

void work_json_list_end(json_out *j, int count)
{
	json_arr_end(j);
	if (count >= 0) json_kint(j, "count", count);
	json_obj_end(j);
	json_end(j);
}

void work_list_end(const cli_env *e, int fmt, json_out *j, int shown, const char *noun)
{
	if (fmt)
		work_json_list_end(j, shown);
	else
		fprintf(e->out, "%d %s\n", shown, noun);
}

store_rc work_audit(store *s, civil_day day, const char *actor, const char *action, const char *object,
                    const char *details)
{
	store_audit_entry a;
	memset(&a, 0, sizeof a);
	a.day = day;
	snprintf(a.actor, sizeof a.actor, "%s", actor);
	snprintf(a.action, sizeof a.action, "%s", action);
	snprintf(a.object, sizeof a.object, "%s", object);
	if (strlen(details) >= sizeof a.details) details = "{\"truncated\":true}";
	snprintf(a.details, sizeof a.details, "%s", details);
	return store_audit_append(s, &a);
}

int work_fail(const cli_env *e, const char *cmd, store *s, store_rc rc)
{
	fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
	switch (rc) {
	case STORE_NOT_FOUND:
		return EXIT_NOT_FOUND;
	case STORE_CONFLICT:
		return EXIT_BAD_INPUT;
	default:
		return EXIT_STORE;
	}
}

int work_id(const cli_env *e, const char *cmd, const char *field, const char *v, int64_t *out)
{
	char *end;
	long long n = v && *v ? strtoll(v, &end, 10) : 0;
	if (!v || !*v || *end || n <= 0) {
		fprintf(e->err, "vigie %s: %s: expected a positive whole number, found \"%s\"\n", cmd, field,
		        v ? v : "");
		return -1;
	}
	*out = n;
	return 0;
}

int work_text(const cli_env *e, const char *cmd, const char *field, const char *v, size_t cap, int required)
{
	if (!v || !*v) {
		if (!required) return 0;
		fprintf(e->err, "vigie %s: --%s: expected a text, found none\n", cmd, field);
		return -1;
	}
	if (strlen(v) >= cap) {
		fprintf(e->err, "vigie %s: --%s: expected at most %zu bytes, found %zu\n", cmd, field,
		        cap - 1, strlen(v));
		return -1;
	}
	return 0;
}

int work_amount_parse(const cli_env *e, const char *cmd, const char *field, const char *v,
                      const char *currency, int64_t *out)
{
	const currency_info *ci = currency_find(currency, strlen(currency));
	int exp = ci ? ci->exponent : 0;
	money_err me = v ? money_parse(v, strlen(v), exp, out) : MONEY_EMPTY;
	if (me != MONEY_OK) {
		fprintf(
		    e->err,
		    "vigie %s: --%s: expected an amount in %s with at most %d decimals, found \"%s\" (%s)\n",
		    cmd, field, currency, exp, v ? v : "", money_strerror(me));
		return -1;
	}
	return 0;
}

void work_amount_text(int64_t minor, const char *currency, char *buf, size_t cap)
{
	const currency_info *ci = currency_find(currency, strlen(currency));
	money_format(minor, ci ? ci->exponent : 0, buf, cap);
}

int work_format(const cli_env *e, const char *cmd, const char *v)
{
	if (!v || strcmp(v, "table") == 0) return 0;
	if (strcmp(v, "json") == 0) return 1;
	fprintf(e->err, "vigie %s: --format: expected table or json, found \"%s\"\n", cmd, v);
	return -1;
}

void work_details(char *buf, size_t cap, const char *const *kv)
{
	FILE *m = fmemopen(buf, cap, "w");
	if (!m) {
		snprintf(buf, cap, "{}");
		return;
	}
	json_out j;
	json_init(&j, m, 0);
	json_obj_begin(&j);
	for (int i = 0; kv[i]; i += 2)
		json_kstr(&j, kv[i], kv[i + 1] ? kv[i + 1] : "");
	json_obj_end(&j);
	int bad = ferror(m);
	long len = ftell(m);
	fclose(m);
	if (bad || len < 0 || (size_t)len >= cap) {
		snprintf(buf, cap, "{\"truncated\":true}");
		return;
	}
	buf[strcspn(buf, "\n")] = 0;
}

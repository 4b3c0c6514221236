/* cmd_work_common.c: helpers of the work commands (cmd_work.h). */
#include "cli/cmd_work.h"

#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "core/money.h"
#include "store/store_audit.h"
#include "store/store_query.h"

store *work_open(const cli_env *e, const char *cmd)
{
	store *s = cli_open_store(e);
	if (!s) return NULL;
	if (store_module_version(s, "work") < 1 || store_module_version(s, "people") < 1) {
		fprintf(e->err,
		        "vigie %s: the store has no tables for people and their work: run vigie init\n", cmd);
		store_close(s);
		return NULL;
	}
	return s;
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

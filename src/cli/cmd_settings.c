/* cmd_settings.c: `vigie settings list|get|set`: the institution's settings (store/store_settings.h).
 * Reading needs no user; set needs an admin (core/access.h, ACT_USERS: whoever manages users manages
 * the institution's configuration) and appends a settings.set entry to the audit log in the same
 * transaction as the change. docs/outbox.md, "Settings". */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/csv_out.h"
#include "io/json_out.h"
#include "store/store_audit.h"
#include "store/store_query.h"
#include "store/store_settings.h"


static const char SETTINGS_HELP[] =
    "usage: vigie [--db PATH|URL] settings COMMAND ...\n"
    "\n"
    "  settings list [--format table|csv|json]\n"
    "        every known key (with its value, its default, or \"not set\") and every other key set\n"
    "  settings get KEY\n"
    "        the value (or the known default); exit 4 when neither\n"
    "  settings set KEY VALUE --as USER --on DATE\n"
    "        an admin sets a value; recorded in the audit log (settings.set, setting:KEY)\n"
    "\n"
    "Known keys: institution_name, institution_phone, institution_email, institution_address,\n"
    "default_language (fr|en), late_interest_rate (percent, B2B), recovery_indemnity (\"40.00 EUR\", B2B).\n"
    "Other keys (a-z 0-9 _ . -) are free, for modules that need a switch (limit_mode, ...).\n"
    "Exit codes: 0 success; 1 refused or invalid value; 2 usage; 3 store failure; 4 not set.\n";

static store *open_settings(const cli_env *e, const char *cmd)
{
	store *s = cli_open_store(e);
	if (!s) return NULL;
	if (store_module_version(s, "settings") < 1) {
		fprintf(e->err, "vigie %s: the store has no settings yet: run vigie init\n", cmd);
		store_close(s);
		return NULL;
	}
	return s;
}

/* --- list ------------------------------------------------------------------------------------- */

typedef struct {
	const cli_env *e;
	int format, rows;
	json_out j;
} list_ctx;

static void row(list_ctx *c, const char *key, const char *value, const char *source, civil_day on,
                const char *by)
{
	FILE *f = c->e->out;
	char day[16] = "";
	if (on != DATE_NONE) date_format(on, day, sizeof day);
	if (c->format == 2) {
		json_obj_begin(&c->j);
		json_kstr(&c->j, "key", key);
		json_kstr(&c->j, "value", value);
		json_kstr(&c->j, "source", source);
		json_kstr(&c->j, "updated_on", day);
		json_kstr(&c->j, "updated_by", by);
		json_obj_end(&c->j);
	} else if (c->format == 1) {
		if (!c->rows) fputs("key,value,source,updated_on,updated_by\n", f);
		const char *v[] = {key, value, source, day, by};
		for (int i = 0; i < 5; i++) {
			if (i) fputc(',', f);
			csv_out_field(f, v[i]);
		}
		fputc('\n', f);
	} else {
		if (!c->rows)
			fprintf(f, "%-22s %-9s %-10s %-12s %s\n", "key", "source", "updated", "by", "value");
		fprintf(f, "%-22s %-9s %-10s %-12s %s\n", key, source, day, by, value);
	}
	c->rows++;
}

static int list_other(void *ctx, const store_setting *st)
{
	if (store_setting_find_known(st->key)) return 0;
	row(ctx, st->key, st->value, "set", st->updated_on, st->updated_by);
	return 0;
}

static int settings_list(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "settings list";
	const char *fmt = NULL;
	const cli_opt opts[] = {{"format", 1, &fmt}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	list_ctx c = {.e = e};
	if (cli_parse(e, cmd, argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(SETTINGS_HELP, e->out);
		return EXIT_OK;
	}
	if (cli_format(e, cmd, fmt, &c.format)) return EXIT_USAGE;
	store *s = open_settings(e, cmd);
	if (!s) return EXIT_STORE;
	if (c.format == 2) {
		json_init(&c.j, e->out, 1);
		json_obj_begin(&c.j);
		json_key(&c.j, "settings");
		json_arr_begin(&c.j);
	}
	int rc = EXIT_OK;
	for (const store_setting_known *k = store_settings_known; k->key && !rc; k++) {
		store_setting st;
		store_rc g = store_setting_get(s, k->key, &st);
		if (g == STORE_OK)
			row(&c, k->key, st.value, "set", st.updated_on, st.updated_by);
		else if (g == STORE_NOT_FOUND)
			row(&c, k->key, k->default_value ? k->default_value : "",
			    k->default_value ? "default" : "not set", DATE_NONE, "");
		else
			rc = EXIT_STORE;
	}
	if (!rc && store_settings_each(s, list_other, &c)) rc = EXIT_STORE;
	if (rc) fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
	if (c.format == 2) {
		json_arr_end(&c.j);
		json_obj_end(&c.j);
		json_end(&c.j);
	}
	store_close(s);
	return rc;
}

/* --- get -------------------------------------------------------------------------------------- */

static int settings_get(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "settings get";
	const cli_opt opts[] = {{NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, cmd, argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(SETTINGS_HELP, e->out);
		return EXIT_OK;
	}
	if (n != 1) {
		fprintf(e->err, "vigie %s: expected KEY (see vigie settings --help)\n", cmd);
		return EXIT_USAGE;
	}
	store *s = open_settings(e, cmd);
	if (!s) return EXIT_STORE;
	store_setting st;
	store_rc g = store_setting_get(s, pos[0], &st);
	const store_setting_known *k = store_setting_find_known(pos[0]);
	int rc = EXIT_OK;
	if (g == STORE_OK) {
		fprintf(e->out, "%s\n", st.value);
	} else if (g == STORE_NOT_FOUND && k && k->default_value) {
		fprintf(e->out, "%s\n", k->default_value);
	} else if (g == STORE_NOT_FOUND) {
		fprintf(e->err, "vigie %s: %s is not set\n", cmd, pos[0]);
		rc = EXIT_NOT_FOUND;
	} else {
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		rc = EXIT_STORE;
	}
	store_close(s);
	return rc;
}

/* --- set -------------------------------------------------------------------------------------- */

/* The audit details {"value": ..., "previous": ... | null} into buf; -1 when too long. */
static int details_json(char *buf, size_t cap, const char *value, const char *previous)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	if (!f) return -1;
	json_out j;
	json_init(&j, f, 0);
	json_obj_begin(&j);
	json_kstr(&j, "value", value);
	json_key(&j, "previous");
	if (previous)
		json_str(&j, previous);
	else
		json_nullv(&j);
	json_obj_end(&j);
	fclose(f);
	int ok = mem && len < cap && !j.err;
	if (ok) memcpy(buf, mem, len + 1);
	free(mem);
	return ok ? 0 : -1;
}

static int failed(const cli_env *e, const char *cmd, store *s, int code)
{
	if (code == EXIT_STORE) fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
	store_rollback(s);
	store_close(s);
	return code;
}

static int settings_set(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "settings set";
	const char *as = NULL, *on = NULL;
	const cli_opt opts[] = {{"as", 1, &as}, {"on", 1, &on}, {NULL, 0, NULL}};
	const char *pos[2];
	int n, help;
	if (cli_parse(e, cmd, argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(SETTINGS_HELP, e->out);
		return EXIT_OK;
	}
	if (n != 2) {
		fprintf(e->err, "vigie %s: expected KEY VALUE (see vigie settings --help)\n", cmd);
		return EXIT_USAGE;
	}
	civil_day day;
	if (cli_date(e, cmd, "on", on, &day)) return EXIT_USAGE;
	char why[512];
	if (store_setting_check(pos[0], pos[1], why, sizeof why)) {
		fprintf(e->err, "vigie %s: %s\n", cmd, why);
		return EXIT_BAD_INPUT;
	}
	store *s = open_settings(e, cmd);
	if (!s) return EXIT_STORE;
	if (store_module_version(s, "audit") < 1) {
		fprintf(e->err, "vigie %s: the store has no audit log yet: run vigie init\n", cmd);
		store_close(s);
		return EXIT_STORE;
	}
	if (store_begin(s)) return failed(e, cmd, s, EXIT_STORE);
	access_user a;
	store_user ubuf;
	int rc = cli_actor(e, s, as, &a, &ubuf);
	if (rc) return failed(e, cmd, s, rc);
	if (!access_can(&a, ACT_USERS)) {
		fprintf(e->err, "vigie %s: %s (%s) may not change the settings (admins only)\n", cmd, a.name,
		        access_role_name(a.role));
		return failed(e, cmd, s, EXIT_BAD_INPUT);
	}
	store_setting old;
	store_rc g = store_setting_get(s, pos[0], &old);
	if (g == STORE_ERR) return failed(e, cmd, s, EXIT_STORE);
	store_put res;
	if (store_setting_set(s, pos[0], pos[1], day, a.name, &res)) return failed(e, cmd, s, EXIT_STORE);
	if (res == PUT_UNCHANGED) {
		store_rollback(s);
		store_close(s);
		fprintf(e->out, "%s unchanged\n", pos[0]);
		return EXIT_OK;
	}
	store_audit_entry ae;
	memset(&ae, 0, sizeof ae);
	ae.day = day;
	snprintf(ae.actor, sizeof ae.actor, "%s", a.name);
	snprintf(ae.action, sizeof ae.action, "settings.set");
	snprintf(ae.object, sizeof ae.object, "setting:%s", pos[0]);
	if (details_json(ae.details, sizeof ae.details, pos[1], g == STORE_OK ? old.value : NULL)) {
		fprintf(e->err, "vigie %s: the audit details exceed %d bytes: shorten the value\n", cmd,
		        STORE_AUDIT_DETAILS_MAX - 1);
		return failed(e, cmd, s, EXIT_BAD_INPUT);
	}
	if (store_audit_append(s, &ae) || store_commit(s)) return failed(e, cmd, s, EXIT_STORE);
	store_close(s);
	fprintf(e->out, "%s %s\n", pos[0], res == PUT_INSERTED ? "set" : "changed");
	return EXIT_OK;
}

int cmd_settings(const cli_env *e, int argc, char **argv)
{
	if (argc < 1 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
		fputs(SETTINGS_HELP, argc < 1 ? e->err : e->out);
		return argc < 1 ? EXIT_USAGE : EXIT_OK;
	}
	if (strcmp(argv[0], "list") == 0) return settings_list(e, argc - 1, argv + 1);
	if (strcmp(argv[0], "get") == 0) return settings_get(e, argc - 1, argv + 1);
	if (strcmp(argv[0], "set") == 0) return settings_set(e, argc - 1, argv + 1);
	fprintf(e->err, "vigie settings: unknown command '%s' (see vigie settings --help)\n", argv[0]);
	return EXIT_USAGE;
}

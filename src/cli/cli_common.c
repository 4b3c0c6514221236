/* cli_common.c: option parsing and store opening shared by the sub-commands (see cli.h). */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "store/store_query.h"

int cli_parse(const cli_env *e, const char *cmd, int argc, char **argv, const cli_opt *opts, const char **pos,
              int max_pos, int *n_pos, int *help)
{
	*n_pos = 0;
	*help = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			*help = 1;
			return 0;
		}
		if (strncmp(a, "--", 2) != 0 || a[2] == 0) {
			if (*n_pos >= max_pos) {
				fprintf(e->err, "vigie %s: unexpected argument '%s' (see vigie %s --help)\n",
				        cmd, a, cmd);
				return -1;
			}
			pos[(*n_pos)++] = a;
			continue;
		}
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		const cli_opt *o = NULL;
		for (const cli_opt *p = opts; p && p->name; p++)
			if (strlen(p->name) == nlen && strncmp(p->name, a + 2, nlen) == 0) o = p;
		if (!o) {
			fprintf(e->err, "vigie %s: unknown option '%s' (see vigie %s --help)\n", cmd, a, cmd);
			return -1;
		}
		if (!o->takes_value) {
			if (eq) {
				fprintf(e->err, "vigie %s: option --%s takes no value\n", cmd, o->name);
				return -1;
			}
			*o->value = "";
		} else if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			fprintf(e->err, "vigie %s: option --%s needs a value\n", cmd, o->name);
			return -1;
		}
	}
	return 0;
}

store *cli_open_store(const cli_env *e)
{
	char err[512];
	store *s;
	if (store_open(e->db, &s, err, sizeof err) != STORE_OK) {
		fprintf(e->err, "vigie: cannot open the store: %s\n", err);
		return NULL;
	}
	return s;
}

int cli_date(const cli_env *e, const char *cmd, const char *opt, const char *v, civil_day *out)
{
	if (!v) {
		fprintf(e->err, "vigie %s: --%s DATE is required (YYYY-MM-DD; Vigie has no hidden clock)\n",
		        cmd, opt);
		return -1;
	}
	date_err de = date_parse(v, strlen(v), out);
	if (de != DATE_OK) {
		fprintf(e->err, "vigie %s: --%s: expected a date YYYY-MM-DD, found \"%s\" (%s)\n", cmd, opt,
		        v, date_strerror(de));
		return -1;
	}
	return 0;
}

char *cli_group_digits(char *buf)
{
	char *p = buf + (buf[0] == '-');
	size_t digits = strcspn(p, ".");
	size_t tail = strlen(p + digits);
	size_t groups = digits ? (digits - 1) / 3 : 0;
	if (!groups) return buf;
	/* move from the end: the fraction, then digits with a space every three */
	char *src = p + digits + tail, *dst = src + groups;
	for (size_t i = 0; i <= tail; i++)
		*dst-- = *src--;
	for (size_t i = 0; i < digits; i++) {
		*dst-- = *src--;
		if (i % 3 == 2 && i + 1 < digits) *dst-- = ' ';
	}
	return buf;
}

int cli_format(const cli_env *e, const char *cmd, const char *v, int *out)
{
	*out = 0;
	if (!v || strcmp(v, "table") == 0) return 0;
	if (strcmp(v, "csv") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(v, "json") == 0) {
		*out = 2;
		return 0;
	}
	fprintf(e->err, "vigie %s: --format: expected table, csv or json, found \"%s\"\n", cmd, v);
	return -1;
}

int cli_actor(const cli_env *e, store *s, const char *as, access_user *out, store_user *buf)
{
	const char *name = as;
	const char *from = "--as";
	if (!name) {
		name = getenv("VIGIE_USER");
		from = "$VIGIE_USER";
	}
	if (!name || !*name) {
		fprintf(e->err, "vigie: who is acting? give --as USER or set $VIGIE_USER\n");
		return EXIT_USAGE;
	}
	if (store_module_version(s, "people") < 1) {
		fprintf(e->err, "vigie: the store has no users yet: run vigie init, then vigie user add\n");
		return EXIT_STORE;
	}
	store_rc rc = store_user_get(s, name, buf);
	if (rc == STORE_ERR) {
		fprintf(e->err, "vigie: %s\n", store_errmsg(s));
		return EXIT_STORE;
	}
	if (rc == STORE_NOT_FOUND) {
		fprintf(e->err,
		        "vigie: %s: expected a user of this store, found \"%s\" (see vigie user list)\n",
		        from, name);
		return EXIT_BAD_INPUT;
	}
	if (!buf->active) {
		fprintf(e->err, "vigie: %s: user \"%s\" is disabled\n", from, name);
		return EXIT_BAD_INPUT;
	}
	out->name = buf->name;
	out->role = buf->role;
	out->branch = buf->branch;
	return 0;
}

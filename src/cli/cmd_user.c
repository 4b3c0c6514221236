/* cmd_user.c: `vigie user add|list|set|passwd|check`: the users of a store (store/store_people.h).
 * Only an admin manages users (core/access.h, ACT_USERS), except the bootstrap: the first user of an
 * empty store, an admin, is created without --as. Every change is appended to the audit log in the
 * same transaction (user.add, user.set, user.passwd), its details a JSON object without any hash.
 * Passwords come from a file or $VIGIE_PASSWORD, are hashed (core/password.h) before the store is
 * opened, wiped from memory after, and never printed. docs/security.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_work.h"
#include "core/password.h"
#include "io/csv_out.h"
#include "io/json_out.h"
#include "store/store_audit.h"
#include "store/store_query.h"

static const char USER_HELP[] =
    "usage: vigie [--db PATH|URL] user COMMAND ...\n"
    "\n"
    "  user add NAME --role ROLE --on DATE [--as USER] [--branch B] [--display \"Full Name\"]\n"
    "           [--phone P] [--email E] [--language fr|en] [--password-file F]\n"
    "  user set NAME --on DATE [--as USER] [--role ROLE] [--branch B] [--display ...] [--phone P]\n"
    "           [--email E] [--language fr|en] [--active yes|no]\n"
    "  user passwd NAME --on DATE [--as USER] [--password-file F]\n"
    "  user check NAME [--password-file F]\n"
    "  user list [--as USER] [--format table|csv|json]\n"
    "\n"
    "Roles: agent, supervisor, manager, admin, auditor (docs/security.md). --branch \"\" (the default)\n"
    "binds the user to no branch. NAME is the login and the officer name on accounts (1 to 63 bytes,\n"
    "no spaces or control characters; names are case-sensitive).\n"
    "\n"
    "The acting user is --as USER or $VIGIE_USER: an active admin for add, set and passwd (a user may\n"
    "also change their own password), an admin or an auditor for list. Bootstrap: the first user of a\n"
    "store must be an admin and is created without --as (it is recorded as its own actor).\n"
    "--on DATE is the business day recorded in the audit log (required: Vigie has no clock).\n"
    "\n"
    "The password is the first line of --password-file F, else $VIGIE_PASSWORD; add without either\n"
    "creates a user who cannot log in yet. It is stored as an argon2id hash and never printed.\n"
    "user check exits 0 when the password matches an active user's, 1 otherwise.\n"
    "Exit codes: 0 success; 1 refused or bad input (nothing written); 2 usage error; 3 store or I/O\n"
    "failure; 4 no such user.\n";

/* --- input checks ------------------------------------------------------------------------------ */

static int has_ctl(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) return 1;
	return 0;
}

static int check_name(const cli_env *e, const char *cmd, const char *v)
{
	size_t n = strlen(v);
	int ok = n >= 1 && n < STORE_ID_MAX && !has_ctl(v) && !strchr(v, ' ');
	if (!ok)
		fprintf(e->err,
		        "vigie %s: NAME: expected 1 to 63 bytes without spaces or control characters, found "
		        "\"%s\"\n",
		        cmd, v);
	return ok ? 0 : -1;
}

/* An optional text option: at most cap-1 bytes, no control characters. */
static int check_text(const cli_env *e, const char *cmd, const char *opt, const char *v, size_t cap)
{
	if (!v) return 0;
	if (strlen(v) < cap && !has_ctl(v)) return 0;
	fprintf(e->err,
	        "vigie %s: --%s: expected at most %zu bytes without control characters, found \"%.80s\"\n",
	        cmd, opt, cap - 1, v);
	return -1;
}

typedef struct {
	const char *role, *branch, *display, *phone, *email, *language, *active;
} user_opts;

static int check_opts(const cli_env *e, const char *cmd, const user_opts *o, int *role)
{
	if (o->role) {
		*role = access_role_parse(o->role);
		if (*role < 0) {
			fprintf(e->err,
			        "vigie %s: --role: expected agent, supervisor, manager, admin or auditor, "
			        "found \"%s\"\n",
			        cmd, o->role);
			return -1;
		}
	}
	if (check_text(e, cmd, "branch", o->branch, STORE_ID_MAX) ||
	    check_text(e, cmd, "display", o->display, STORE_NAME_MAX) ||
	    check_text(e, cmd, "phone", o->phone, STORE_ID_MAX) ||
	    check_text(e, cmd, "email", o->email, STORE_NAME_MAX))
		return -1;
	if (o->email && *o->email && !strchr(o->email, '@')) {
		fprintf(e->err, "vigie %s: --email: expected an address with @, found \"%s\"\n", cmd,
		        o->email);
		return -1;
	}
	if (o->language && strcmp(o->language, "fr") && strcmp(o->language, "en")) {
		fprintf(e->err, "vigie %s: --language: expected fr or en, found \"%s\"\n", cmd, o->language);
		return -1;
	}
	if (o->active && strcmp(o->active, "yes") && strcmp(o->active, "no")) {
		fprintf(e->err, "vigie %s: --active: expected yes or no, found \"%s\"\n", cmd, o->active);
		return -1;
	}
	return 0;
}

static void apply_opts(store_user *u, const user_opts *o, int role)
{
	if (o->role) u->role = (access_role)role;
	if (o->branch) snprintf(u->branch, sizeof u->branch, "%s", o->branch);
	if (o->display) snprintf(u->display, sizeof u->display, "%s", o->display);
	if (o->phone) snprintf(u->phone, sizeof u->phone, "%s", o->phone);
	if (o->email) snprintf(u->email, sizeof u->email, "%s", o->email);
	if (o->language) snprintf(u->language, sizeof u->language, "%s", o->language);
	if (o->active) u->active = strcmp(o->active, "yes") == 0;
}

/* The password from --password-file, else $VIGIE_PASSWORD, hashed into hash. *given = 0 when
 * neither is there. Returns 0 or an exit code (after printing why). The clear text is wiped. */
static int read_password(const cli_env *e, const char *cmd, const char *file, char *pw, size_t cap,
                         size_t *len, int *given)
{
	*given = 0;
	*len = 0;
	password_rc rc;
	if (file) {
		int err = 0;
		rc = password_read_file(file, pw, cap, len, &err);
		if (rc == PASSWORD_IO) {
			fprintf(e->err, "vigie %s: --password-file %s: %s\n", cmd, file, strerror(err));
			return EXIT_STORE;
		}
		if (rc) {
			fprintf(e->err, "vigie %s: --password-file %s: %s\n", cmd, file,
			        password_strerror(rc));
			return EXIT_BAD_INPUT;
		}
	} else {
		const char *env = getenv("VIGIE_PASSWORD");
		if (!env) return 0;
		size_t n = strlen(env);
		if (n > PASSWORD_MAX || n >= cap) {
			fprintf(e->err, "vigie %s: $VIGIE_PASSWORD: %s\n", cmd,
			        password_strerror(PASSWORD_TOO_LONG));
			return EXIT_BAD_INPUT;
		}
		if (n == 0) {
			fprintf(e->err, "vigie %s: $VIGIE_PASSWORD: %s\n", cmd,
			        password_strerror(PASSWORD_EMPTY));
			return EXIT_BAD_INPUT;
		}
		memcpy(pw, env, n + 1);
		*len = n;
	}
	*given = 1;
	return 0;
}

static int hash_password(const cli_env *e, const char *cmd, const char *file, char *hash, size_t cap,
                         int *given)
{
	char pw[PASSWORD_MAX + 2];
	size_t len;
	int rc = read_password(e, cmd, file, pw, sizeof pw, &len, given);
	if (rc == 0 && *given) {
		password_rc pr = password_hash(pw, len, hash, cap);
		if (pr) {
			fprintf(e->err, "vigie %s: %s\n", cmd, password_strerror(pr));
			rc = pr == PASSWORD_CRYPTO ? EXIT_STORE : EXIT_BAD_INPUT;
		}
	}
	password_wipe(pw, sizeof pw);
	return rc;
}

/* --- store helpers ----------------------------------------------------------------------------- */

static store *open_people(const cli_env *e, const char *cmd, int *rc)
{
	store *s = work_open_modules(e, cmd, "people", "audit", "users table yet");
	if (!s) *rc = EXIT_STORE;
	return s;
}

/* work_parse with the users' help, then exactly one NAME: -1 when the command goes on, else the exit
 * code to return. */
static int parse_name(const cli_env *e, const char *cmd, int argc, char **argv, const cli_opt *opts,
                      const char **pos)
{
	int n, rc = work_parse(e, cmd, argc, argv, opts, pos, 1, &n, USER_HELP);
	if (rc >= 0) return rc;
	if (n != 1) {
		fprintf(e->err, "vigie %s: expected NAME (see vigie user --help)\n", cmd);
		return EXIT_USAGE;
	}
	return -1;
}

/* Writes a JSON object into buf through fn; -1 when it does not fit. */
static int json_text(char *buf, size_t cap, void (*fn)(json_out *j, const void *ctx), const void *ctx)
{
	char *mem = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&mem, &n);
	if (!f) return -1;
	json_out j;
	json_init(&j, f, 0);
	fn(&j, ctx);
	fclose(f);
	int ok = mem && n < cap && !j.err;
	if (ok) memcpy(buf, mem, n + 1);
	free(mem);
	return ok ? 0 : -1;
}

typedef struct {
	const store_user *old, *now; /* old NULL: a new user */
	int password;                /* a password was set */
} user_change;

static void change_json(json_out *j, const void *ctx)
{
	const user_change *c = ctx;
	const store_user *o = c->old, *u = c->now;
	json_obj_begin(j);
#define FIELD(key, a, b)                                                                                     \
	do {                                                                                                 \
		if (!o) {                                                                                    \
			json_kstr(j, key, b);                                                                \
		} else if (strcmp(a, b) != 0) {                                                              \
			json_key(j, key);                                                                    \
			json_obj_begin(j);                                                                   \
			json_kstr(j, "from", a);                                                             \
			json_kstr(j, "to", b);                                                               \
			json_obj_end(j);                                                                     \
		}                                                                                            \
	} while (0)
	FIELD("role", o ? access_role_name(o->role) : "", access_role_name(u->role));
	FIELD("branch", o ? o->branch : "", u->branch);
	FIELD("display", o ? o->display : "", u->display);
	FIELD("phone", o ? o->phone : "", u->phone);
	FIELD("email", o ? o->email : "", u->email);
	FIELD("language", o ? o->language : "", u->language);
	FIELD("active", o ? (o->active ? "yes" : "no") : "", u->active ? "yes" : "no");
#undef FIELD
	if (c->password) json_kstr(j, "password", "set");
	json_obj_end(j);
}

/* Appends one user.* entry in the open transaction. */
static store_rc audit_user(const cli_env *e, store *s, civil_day on, const char *actor, const char *action,
                           const char *name, const user_change *c)
{
	char obj[STORE_NAME_MAX], details[STORE_AUDIT_DETAILS_MAX];
	snprintf(obj, sizeof obj, "user:%s", name);
	if (json_text(details, sizeof details, change_json, c)) {
		fprintf(e->err,
		        "vigie: the audit details of this change exceed %d bytes: shorten the fields\n",
		        STORE_AUDIT_DETAILS_MAX - 1);
		return STORE_ERR;
	}
	return work_audit(s, on, actor, action, obj, details);
}

typedef struct {
	int64_t admins; /* active admins other than `except` */
	const char *except;
} admin_count;

static int count_admins(void *ctx, const store_user *u)
{
	admin_count *c = ctx;
	if (u->role == ROLE_ADMIN && u->active && strcmp(u->name, c->except) != 0) c->admins++;
	return 0;
}

/* Rolls the open transaction back and closes the store; returns rc. */
static int abandon(store *s, int rc)
{
	store_rollback(s);
	store_close(s);
	return rc;
}

/* Prints the error of a failed transaction step, rolls back, closes; returns EXIT_STORE. */
static int store_failed(const cli_env *e, const char *cmd, store *s)
{
	fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
	return abandon(s, EXIT_STORE);
}

static int refuse(const cli_env *e, const char *cmd, store *s, const access_user *a, const char *what)
{
	fprintf(e->err, "vigie %s: %s (%s) may not %s\n", cmd, a->name, access_role_name(a->role), what);
	return abandon(s, EXIT_BAD_INPUT);
}

/* --- user add ---------------------------------------------------------------------------------- */

static int user_add(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "user add";
	user_opts o = {0};
	const char *on = NULL, *as = NULL, *pwfile = NULL;
	const cli_opt opts[] = {{"role", 1, &o.role},
	                        {"branch", 1, &o.branch},
	                        {"display", 1, &o.display},
	                        {"phone", 1, &o.phone},
	                        {"email", 1, &o.email},
	                        {"language", 1, &o.language},
	                        {"password-file", 1, &pwfile},
	                        {"on", 1, &on},
	                        {"as", 1, &as},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int role = -1, rc = parse_name(e, cmd, argc, argv, opts, pos);
	if (rc >= 0) return rc;
	if (!o.role) {
		fprintf(e->err, "vigie %s: --role is required (see vigie user --help)\n", cmd);
		return EXIT_USAGE;
	}
	civil_day day;
	if (check_name(e, cmd, pos[0]) || check_opts(e, cmd, &o, &role) || cli_date(e, cmd, "on", on, &day))
		return EXIT_USAGE;
	store_user u;
	memset(&u, 0, sizeof u);
	snprintf(u.name, sizeof u.name, "%s", pos[0]);
	u.active = 1;
	apply_opts(&u, &o, role);

	char hash[PASSWORD_HASH_MAX] = "";
	int given = 0;
	if ((rc = hash_password(e, cmd, pwfile, hash, sizeof hash, &given))) return rc;
	store *s = open_people(e, cmd, &rc);
	if (!s) return rc;
	if (store_begin(s)) return store_failed(e, cmd, s);
	int64_t count = 0;
	store_user abuf;
	if (store_user_count(s, &count)) return store_failed(e, cmd, s);
	const char *actor = u.name;
	if (count == 0) {
		/* bootstrap: nobody can vouch for the first user, so it must be able to manage the rest */
		if (u.role != ROLE_ADMIN) {
			fprintf(e->err,
			        "vigie %s: the first user of a store must be an admin (--role admin), found "
			        "--role %s\n",
			        cmd, o.role);
			return abandon(s, EXIT_BAD_INPUT);
		}
		if (as && strcmp(as, u.name) != 0) {
			fprintf(e->err,
			        "vigie %s: --as %s: the store has no users yet; create the first admin "
			        "without --as\n",
			        cmd, as);
			return abandon(s, EXIT_BAD_INPUT);
		}
	} else {
		access_user a;
		if ((rc = cli_actor(e, s, as, &a, &abuf))) return abandon(s, rc);
		if (!access_can(&a, ACT_USERS)) return refuse(e, cmd, s, &a, "manage users (admins only)");
		actor = abuf.name;
		store_user old;
		store_rc g = store_user_get(s, u.name, &old);
		if (g == STORE_ERR) return store_failed(e, cmd, s);
		if (g == STORE_OK) {
			fprintf(e->err, "vigie %s: NAME: user \"%s\" exists already (see vigie user set)\n",
			        cmd, u.name);
			return abandon(s, EXIT_BAD_INPUT);
		}
	}
	store_put res;
	user_change c = {NULL, &u, given};
	if (store_user_put(s, &u, given ? hash : NULL, &res) ||
	    audit_user(e, s, day, actor, "user.add", u.name, &c) || store_commit(s)) {
		password_wipe(hash, sizeof hash);
		return store_failed(e, cmd, s);
	}
	password_wipe(hash, sizeof hash);
	store_close(s);
	fprintf(e->out, "user %s added: %s%s%s%s\n", u.name, access_role_name(u.role),
	        u.branch[0] ? ", branch " : "", u.branch, given ? "" : ", no password yet");
	return EXIT_OK;
}

/* --- user set ---------------------------------------------------------------------------------- */

static int user_set(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "user set";
	user_opts o = {0};
	const char *on = NULL, *as = NULL;
	const cli_opt opts[] = {
	    {"role", 1, &o.role},     {"branch", 1, &o.branch}, {"display", 1, &o.display},
	    {"phone", 1, &o.phone},   {"email", 1, &o.email},   {"language", 1, &o.language},
	    {"active", 1, &o.active}, {"on", 1, &on},           {"as", 1, &as},
	    {NULL, 0, NULL}};
	const char *pos[1];
	int role = -1, rc = parse_name(e, cmd, argc, argv, opts, pos);
	if (rc >= 0) return rc;
	civil_day day;
	if (check_opts(e, cmd, &o, &role) || cli_date(e, cmd, "on", on, &day)) return EXIT_USAGE;
	store *s = open_people(e, cmd, &rc);
	if (!s) return rc;
	if (store_begin(s)) return store_failed(e, cmd, s);
	access_user a;
	store_user abuf, old, u;
	if ((rc = cli_actor(e, s, as, &a, &abuf))) return abandon(s, rc);
	if (!access_can(&a, ACT_USERS)) return refuse(e, cmd, s, &a, "manage users (admins only)");
	store_rc g = store_user_get(s, pos[0], &old);
	if (g == STORE_ERR) return store_failed(e, cmd, s);
	if (g == STORE_NOT_FOUND) {
		fprintf(e->err, "vigie %s: NAME: no user named \"%s\"\n", cmd, pos[0]);
		return abandon(s, EXIT_NOT_FOUND);
	}
	u = old;
	apply_opts(&u, &o, role);
	/* a store without an active admin could never manage its users again */
	if (old.role == ROLE_ADMIN && old.active && (u.role != ROLE_ADMIN || !u.active)) {
		admin_count ac = {0, u.name};
		if (store_users_each(s, count_admins, &ac)) return store_failed(e, cmd, s);
		if (ac.admins == 0) {
			fprintf(e->err, "vigie %s: %s is the last active admin: add another admin first\n",
			        cmd, u.name);
			return abandon(s, EXIT_BAD_INPUT);
		}
	}
	store_put res;
	user_change c = {&old, &u, 0};
	if (store_user_put(s, &u, NULL, &res)) return store_failed(e, cmd, s);
	if (res == PUT_UNCHANGED) {
		store_rollback(s);
		store_close(s);
		fprintf(e->out, "user %s unchanged\n", u.name);
		return EXIT_OK;
	}
	if (audit_user(e, s, day, a.name, "user.set", u.name, &c) || store_commit(s))
		return store_failed(e, cmd, s);
	store_close(s);
	fprintf(e->out, "user %s updated: %s%s%s%s\n", u.name, access_role_name(u.role),
	        u.branch[0] ? ", branch " : "", u.branch, u.active ? "" : ", disabled");
	return EXIT_OK;
}

/* --- user passwd ------------------------------------------------------------------------------- */

static int user_passwd(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "user passwd";
	const char *on = NULL, *as = NULL, *pwfile = NULL;
	const cli_opt opts[] = {
	    {"password-file", 1, &pwfile}, {"on", 1, &on}, {"as", 1, &as}, {NULL, 0, NULL}};
	const char *pos[1];
	int rc = parse_name(e, cmd, argc, argv, opts, pos);
	if (rc >= 0) return rc;
	civil_day day;
	if (cli_date(e, cmd, "on", on, &day)) return EXIT_USAGE;
	char hash[PASSWORD_HASH_MAX] = "";
	int given = 0;
	if ((rc = hash_password(e, cmd, pwfile, hash, sizeof hash, &given))) return rc;
	if (!given) {
		fprintf(e->err, "vigie %s: a password is required: --password-file F or $VIGIE_PASSWORD\n",
		        cmd);
		return EXIT_USAGE;
	}
	store *s = open_people(e, cmd, &rc);
	if (!s) {
		password_wipe(hash, sizeof hash);
		return rc;
	}
	access_user a;
	store_user abuf, u;
	if (store_begin(s)) goto fail;
	if ((rc = cli_actor(e, s, as, &a, &abuf))) {
		password_wipe(hash, sizeof hash);
		return abandon(s, rc);
	}
	if (!access_can(&a, ACT_USERS) && strcmp(a.name, pos[0]) != 0) {
		password_wipe(hash, sizeof hash);
		return refuse(e, cmd, s, &a, "change another user's password (admins only)");
	}
	store_rc g = store_user_get(s, pos[0], &u);
	if (g == STORE_ERR) goto fail;
	if (g == STORE_NOT_FOUND) {
		password_wipe(hash, sizeof hash);
		fprintf(e->err, "vigie %s: NAME: no user named \"%s\"\n", cmd, pos[0]);
		return abandon(s, EXIT_NOT_FOUND);
	}
	store_put res;
	user_change c = {&u, &u, 1};
	if (store_user_put(s, &u, hash, &res) || audit_user(e, s, day, a.name, "user.passwd", u.name, &c) ||
	    store_commit(s))
		goto fail;
	password_wipe(hash, sizeof hash);
	store_close(s);
	fprintf(e->out, "password of %s changed\n", u.name);
	return EXIT_OK;
fail:
	password_wipe(hash, sizeof hash);
	return store_failed(e, cmd, s);
}

/* --- user check -------------------------------------------------------------------------------- */

static int user_check(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "user check";
	const char *pwfile = NULL;
	const cli_opt opts[] = {{"password-file", 1, &pwfile}, {NULL, 0, NULL}};
	const char *pos[1];
	int rc = parse_name(e, cmd, argc, argv, opts, pos);
	if (rc >= 0) return rc;
	char pw[PASSWORD_MAX + 2];
	size_t len;
	int given;
	if ((rc = read_password(e, cmd, pwfile, pw, sizeof pw, &len, &given))) return rc;
	if (!given) {
		fprintf(e->err, "vigie %s: a password is required: --password-file F or $VIGIE_PASSWORD\n",
		        cmd);
		return EXIT_USAGE;
	}
	store *s = open_people(e, cmd, &rc);
	if (!s) {
		password_wipe(pw, sizeof pw);
		return rc;
	}
	store_user u;
	char hash[STORE_HASH_MAX] = "";
	store_rc g = store_user_get(s, pos[0], &u);
	if (g == STORE_OK) g = store_user_password_hash(s, pos[0], hash, sizeof hash);
	if (g == STORE_ERR) {
		password_wipe(pw, sizeof pw);
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		store_close(s);
		return EXIT_STORE;
	}
	/* one answer for an unknown user, a disabled one, no password and a wrong one */
	int ok = g == STORE_OK && u.active && password_verify(hash, pw, len);
	password_wipe(pw, sizeof pw);
	password_wipe(hash, sizeof hash);
	store_close(s);
	if (!ok) {
		fprintf(e->err, "vigie %s: %s: the password does not match an active user's\n", cmd, pos[0]);
		return EXIT_BAD_INPUT;
	}
	fprintf(e->out, "%s: the password matches\n", pos[0]);
	return EXIT_OK;
}

/* --- user list --------------------------------------------------------------------------------- */

typedef struct {
	const cli_env *e;
	int format, rows;
	json_out j;
} list_ctx;

static int print_user(void *ctx, const store_user *u)
{
	list_ctx *c = ctx;
	FILE *f = c->e->out;
	c->rows++;
	const char *role = access_role_name(u->role), *active = u->active ? "yes" : "no";
	if (c->format == 0) {
		fprintf(f, "%-16s %-10s %-12s %-8s %-6s %s\n", u->name, role, u->branch[0] ? u->branch : "-",
		        u->language[0] ? u->language : "-", active, u->display);
	} else if (c->format == 1) {
		const char *v[] = {u->name,  u->display, role,        u->branch,
		                   u->phone, u->email,   u->language, active};
		for (int i = 0; i < 8; i++) {
			if (i) fputc(',', f);
			csv_out_field(f, v[i]);
		}
		fputc('\n', f);
	} else {
		json_obj_begin(&c->j);
		json_kstr(&c->j, "name", u->name);
		json_kstr(&c->j, "display", u->display);
		json_kstr(&c->j, "role", role);
		json_kstr(&c->j, "branch", u->branch);
		json_kstr(&c->j, "phone", u->phone);
		json_kstr(&c->j, "email", u->email);
		json_kstr(&c->j, "language", u->language);
		json_key(&c->j, "active");
		json_bool(&c->j, u->active);
		json_obj_end(&c->j);
	}
	return 0;
}

static int user_list(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "user list";
	const char *as = NULL, *fmt = NULL;
	const cli_opt opts[] = {{"as", 1, &as}, {"format", 1, &fmt}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, rc = work_parse(e, cmd, argc, argv, opts, pos, 0, &n, USER_HELP);
	list_ctx c = {.e = e};
	if (rc >= 0) return rc;
	if (cli_format(e, cmd, fmt, &c.format)) return EXIT_USAGE;
	store *s = open_people(e, cmd, &rc);
	if (!s) return rc;
	access_user a;
	store_user abuf;
	if ((rc = cli_actor(e, s, as, &a, &abuf))) {
		store_close(s);
		return rc;
	}
	if (!access_can(&a, ACT_USERS) && !access_can(&a, ACT_AUDIT)) {
		fprintf(e->err, "vigie %s: %s (%s) may not list users (admins and auditors only)\n", cmd,
		        a.name, access_role_name(a.role));
		store_close(s);
		return EXIT_BAD_INPUT;
	}
	if (c.format == 0)
		fprintf(e->out, "%-16s %-10s %-12s %-8s %-6s %s\n", "name", "role", "branch", "language",
		        "active", "display");
	else if (c.format == 1)
		fputs("name,display,role,branch,phone,email,language,active\n", e->out);
	else
		work_json_list_begin(&c.j, e->out, 0, "users");
	store_rc sr = store_users_each(s, print_user, &c);
	if (c.format == 2) work_json_list_end(&c.j, -1);
	if (sr) {
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		store_close(s);
		return EXIT_STORE;
	}
	store_close(s);
	return EXIT_OK;
}

int cmd_user(const cli_env *e, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const cli_env *, int, char **);
	} sub[] = {{"add", user_add},
	           {"set", user_set},
	           {"passwd", user_passwd},
	           {"check", user_check},
	           {"list", user_list}};
	for (size_t i = 0; argc >= 1 && i < sizeof sub / sizeof sub[0]; i++)
		if (strcmp(argv[0], sub[i].name) == 0) return sub[i].fn(e, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
		fputs(USER_HELP, e->out);
		return EXIT_OK;
	}
	fprintf(e->err, "vigie user: expected add, set, passwd, check or list (see vigie user --help)\n");
	return EXIT_USAGE;
}

/* cmd_audit.c: `vigie audit list|verify`: reading and checking the hash-chained audit log
 * (store/store_audit.h). Both need an acting user who may read the log (core/access.h, ACT_AUDIT:
 * auditors and admins). docs/security.md tells the entry format and how to verify it by hand. */
#include <string.h>

#include "cli/cmd_work.h"
#include "io/csv_out.h"
#include "io/json_out.h"
#include "store/store_audit.h"
#include "store/store_query.h"

static const char AUDIT_HELP[] =
    "usage: vigie [--db PATH|URL] audit COMMAND ...\n"
    "\n"
    "  audit list [--object X] [--actor U] [--as USER] [--format table|csv|json]\n"
    "        the entries in order (of one object, e.g. user:awa or account:L001, and/or one actor);\n"
    "        csv and json include each entry's prev_hash and hash\n"
    "  audit verify [--as USER]\n"
    "        recomputes the hash chain: exit 0 when intact (prints the count and the last hash, to\n"
    "        keep elsewhere: a deleted tail is only seen against a kept hash), 1 with the first\n"
    "        entry that does not match\n"
    "\n"
    "The acting user (--as USER or $VIGIE_USER) must be an auditor or an admin.\n"
    "Exit codes: 0 success (intact); 1 refused, or the chain is broken; 2 usage error; 3 store failure.\n";

/* The acting user, allowed to read the log; 0 or an exit code. */
static int auditor(const cli_env *e, const char *cmd, store *s, const char *as)
{
	access_user a;
	store_user buf;
	int rc = cli_actor(e, s, as, &a, &buf);
	if (rc) return rc;
	if (!access_can(&a, ACT_AUDIT)) {
		fprintf(e->err, "vigie %s: %s (%s) may not read the audit log (auditors and admins only)\n",
		        cmd, a.name, access_role_name(a.role));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static store *open_audit(const cli_env *e, const char *cmd, const char *as, int *rc)
{
	store *s = work_open_modules(e, cmd, "audit", NULL, "audit log yet");
	if (!s) {
		*rc = EXIT_STORE;
		return NULL;
	}
	*rc = auditor(e, cmd, s, as);
	if (*rc) {
		store_close(s);
		return NULL;
	}
	return s;
}

typedef struct {
	const cli_env *e;
	int format;
	json_out j;
} list_ctx;

static int print_entry(void *ctx, const store_audit_entry *a)
{
	list_ctx *c = ctx;
	FILE *f = c->e->out;
	char day[16], seq[24];
	date_format(a->day, day, sizeof day);
	snprintf(seq, sizeof seq, "%lld", (long long)a->seq);
	if (c->format == 0) {
		fprintf(f, "%6s  %-10s  %-12s  %-14s  %-20s  %s\n", seq, day, a->actor, a->action, a->object,
		        a->details);
	} else if (c->format == 1) {
		const char *v[] = {seq,       day,        a->actor,     a->action,
		                   a->object, a->details, a->prev_hash, a->hash};
		for (int i = 0; i < 8; i++) {
			if (i) fputc(',', f);
			csv_out_field(f, v[i]);
		}
		fputc('\n', f);
	} else {
		json_obj_begin(&c->j);
		json_kint(&c->j, "seq", a->seq);
		json_kstr(&c->j, "day", day);
		json_kstr(&c->j, "actor", a->actor);
		json_kstr(&c->j, "action", a->action);
		json_kstr(&c->j, "object", a->object);
		json_kstr(&c->j, "details", a->details); /* the stored text, as hashed */
		json_kstr(&c->j, "prev_hash", a->prev_hash);
		json_kstr(&c->j, "hash", a->hash);
		json_obj_end(&c->j);
	}
	return 0;
}

static int audit_list(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "audit list";
	const char *as = NULL, *fmt = NULL, *object = NULL, *actor = NULL;
	const cli_opt opts[] = {{"as", 1, &as},
	                        {"format", 1, &fmt},
	                        {"object", 1, &object},
	                        {"actor", 1, &actor},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int n, rc = work_parse(e, cmd, argc, argv, opts, pos, 0, &n, AUDIT_HELP);
	list_ctx c = {.e = e};
	if (rc >= 0) return rc;
	if (cli_format(e, cmd, fmt, &c.format)) return EXIT_USAGE;
	store *s = open_audit(e, cmd, as, &rc);
	if (!s) return rc;
	if (c.format == 0)
		fprintf(e->out, "%6s  %-10s  %-12s  %-14s  %-20s  %s\n", "seq", "day", "actor", "action",
		        "object", "details");
	else if (c.format == 1)
		fputs("seq,day,actor,action,object,details,prev_hash,hash\n", e->out);
	else
		work_json_list_begin(&c.j, e->out, 0, "entries");
	store_rc sr = store_audit_each(s, object, actor, print_entry, &c);
	if (c.format == 2) work_json_list_end(&c.j, -1);
	if (sr) {
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		store_close(s);
		return EXIT_STORE;
	}
	store_close(s);
	return EXIT_OK;
}

static int keep_last(void *ctx, const store_audit_entry *a)
{
	memcpy(ctx, a->hash, sizeof a->hash);
	return 0;
}

static int audit_verify(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "audit verify";
	const char *as = NULL;
	const cli_opt opts[] = {{"as", 1, &as}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, rc = work_parse(e, cmd, argc, argv, opts, pos, 0, &n, AUDIT_HELP);
	if (rc >= 0) return rc;
	store *s = open_audit(e, cmd, as, &rc);
	if (!s) return rc;
	int64_t entries = 0, bad = 0;
	char last[65] = "";
	if (store_audit_verify(s, &entries, &bad) ||
	    (!bad && store_audit_each(s, NULL, NULL, keep_last, last))) {
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		store_close(s);
		return EXIT_STORE;
	}
	store_close(s);
	if (bad) {
		fprintf(e->out,
		        "audit log broken at seq %lld: the entry does not follow the one before it (edited, "
		        "or an entry "
		        "before it deleted or moved)\n",
		        (long long)bad);
		return EXIT_BAD_INPUT;
	}
	fprintf(e->out, "audit log intact: %lld entries, last hash %s\n", (long long)entries,
	        entries ? last : "(none)");
	return EXIT_OK;
}

int cmd_audit(const cli_env *e, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "list") == 0) return audit_list(e, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "verify") == 0) return audit_verify(e, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
		fputs(AUDIT_HELP, e->out);
		return EXIT_OK;
	}
	fprintf(e->err, "vigie audit: expected list or verify (see vigie audit --help)\n");
	return EXIT_USAGE;
}

/* cmd_hold.c: `vigie hold add|end` and `vigie holds`: exclusions from collection and delinquency
 * pauses, on an account or on every account of a client, with a reason, dates and their history.
 * docs/work.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_work.h"

static const char HOLD_HELP[] =
    "usage: vigie [--db PATH|URL] hold add ACCOUNT|--client C --kind exclusion|pause --from DATE\n"
    "                                [--to DATE] --reason TEXT --as USER --on DATE\n"
    "       vigie [--db PATH|URL] hold end ID --as USER --on DATE\n"
    "\n"
    "exclusion: the account (or every account of the client) is left out of collection from --from\n"
    "to --to (inclusive; open-ended without --to). pause: days past due are not counted over those\n"
    "days (a disaster, a dispute). `hold end` ends a hold on DATE (its last day); the hold and who\n"
    "ended it stay in the history (vigie holds).\n";

static const char HOLDS_HELP[] =
    "usage: vigie [--db PATH|URL] holds [ACCOUNT] [--as USER] [--format table|json]\n"
    "\n"
    "Every hold (of ACCOUNT: its own and its client's), ended ones included, by start date.\n";

static const char *kind_name(store_hold_kind k)
{
	return k == HOLD_PAUSE ? "pause" : "exclusion";
}

static int hold_add(const cli_env *e, int argc, char **argv)
{
	const char *client = NULL, *kind = NULL, *from = NULL, *to = NULL, *reason = NULL, *as = NULL,
	           *on = NULL;
	const cli_opt opts[] = {{"client", 1, &client}, {"kind", 1, &kind},     {"from", 1, &from},
	                        {"to", 1, &to},         {"reason", 1, &reason}, {"as", 1, &as},
	                        {"on", 1, &on},         {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = "hold add";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 1, &n, HOLD_HELP);
	if (rc >= 0) return rc;
	if ((n == 1) == (client != NULL)) {
		fprintf(e->err,
		        "vigie %s: expected an ACCOUNT or --client C, one of them (see vigie hold --help)\n",
		        cmd);
		return EXIT_USAGE;
	}
	store_hold h;
	memset(&h, 0, sizeof h);
	h.to_on = DATE_NONE;
	if (!kind || (strcmp(kind, "exclusion") && strcmp(kind, "pause"))) {
		fprintf(e->err, "vigie %s: --kind: expected exclusion or pause, found \"%s\"\n", cmd,
		        kind ? kind : "");
		return EXIT_BAD_INPUT;
	}
	h.kind = strcmp(kind, "pause") == 0 ? HOLD_PAUSE : HOLD_EXCLUSION;
	if (cli_date(e, cmd, "on", on, &h.created_on) || cli_date(e, cmd, "from", from, &h.from_on))
		return EXIT_BAD_INPUT;
	if (to && cli_date(e, cmd, "to", to, &h.to_on)) return EXIT_BAD_INPUT;
	if (h.to_on != DATE_NONE && h.to_on < h.from_on) {
		fprintf(e->err, "vigie %s: --to: expected a day on or after --from %s, found %s\n", cmd, from,
		        to);
		return EXIT_BAD_INPUT;
	}
	if (work_text(e, cmd, "reason", reason, sizeof h.reason, 1)) return EXIT_BAD_INPUT;
	if (client && work_text(e, cmd, "client", client, sizeof h.client_ext_id, 1)) return EXIT_BAD_INPUT;
	snprintf(h.reason, sizeof h.reason, "%s", reason);
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	store_rc sr;
	char obj[160];
	if ((rc = work_actor_load(e, s, cmd, as, &w))) goto out;
	if (client) {
		store_client c;
		if ((sr = store_client_get(s, client, &c))) {
			rc = work_lookup_fail(e, cmd, s, sr, "--client: expected a known client, found \"%s\"",
			                      client);
			goto out;
		}
		if ((rc = work_allow(e, cmd, &w, ACT_HOLD, c.branch, c.officer))) goto out;
		snprintf(h.client_ext_id, sizeof h.client_ext_id, "%s", c.ext_id);
		snprintf(obj, sizeof obj, "client:%s", c.ext_id);
	} else {
		store_account a;
		if ((sr = store_account_get(s, pos[0], &a))) {
			rc = work_lookup_fail(e, cmd, s, sr, "ACCOUNT: expected a known account, found \"%s\"",
			                      pos[0]);
			goto out;
		}
		if ((rc = work_allow(e, cmd, &w, ACT_HOLD, a.branch, a.officer))) goto out;
		h.account_id = a.id;
		snprintf(obj, sizeof obj, "account:%s", a.ext_id);
	}
	snprintf(h.actor, sizeof h.actor, "%s", w.u.name);
	if ((sr = store_begin(s)) || (sr = store_hold_put(s, &h))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	char id[24], details[1024];
	snprintf(id, sizeof id, "%lld", (long long)h.id);
	const char *kv[] = {"hold", id,           "kind",   kind,     "from", from,
	                    "to",   to ? to : "", "reason", h.reason, NULL};
	work_details(details, sizeof details, kv);
	if ((sr = work_audit(s, h.created_on, w.u.name, "hold.add", obj, details)) ||
	    (sr = store_commit(s))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	fprintf(e->out, "hold %lld: %s of %s from %s%s%s\n", (long long)h.id, kind, obj, from,
	        to ? " to " : "", to ? to : "");
out:
	store_close(s);
	return rc;
}

/* The branch and officer that decide who may act on hold h. */
static store_rc hold_owner(store *s, const store_hold *h, char *branch, char *officer)
{
	if (h->account_id) {
		store_account a;
		store_rc sr = store_account_get(s, h->account_ext_id, &a);
		if (!sr) {
			memcpy(branch, a.branch, STORE_ID_MAX);
			memcpy(officer, a.officer, STORE_ID_MAX);
		}
		return sr;
	}
	store_client c;
	store_rc sr = store_client_get(s, h->client_ext_id, &c);
	if (!sr) {
		memcpy(branch, c.branch, STORE_ID_MAX);
		memcpy(officer, c.officer, STORE_ID_MAX);
	}
	return sr;
}

static int hold_end(const cli_env *e, int argc, char **argv)
{
	const char *as = NULL, *on = NULL;
	const cli_opt opts[] = {{"as", 1, &as}, {"on", 1, &on}, {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = "hold end";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 1, &n, HOLD_HELP);
	if (rc >= 0) return rc;
	int64_t id;
	civil_day day;
	if ((rc = work_id_on(e, cmd, n, pos, "hold ID (see vigie holds)", on, &id, &day))) return rc;
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	store_hold h;
	store_rc sr;
	char branch[STORE_ID_MAX], officer[STORE_ID_MAX], obj[64], details[512];
	if ((rc = work_actor_load(e, s, cmd, as, &w))) goto out;
	if ((sr = store_hold_get(s, id, &h))) {
		rc = work_lookup_fail(e, cmd, s, sr, "ID: expected a hold (see vigie holds), found no hold %lld",
		                      (long long)id);
		goto out;
	}
	if ((sr = hold_owner(s, &h, branch, officer))) {
		rc = work_fail(e, cmd, s, sr);
		goto out;
	}
	if ((rc = work_allow(e, cmd, &w, ACT_HOLD, branch, officer))) goto out;
	snprintf(obj, sizeof obj, "hold:%lld", (long long)id);
	const char *kv[] = {"kind",   kind_name(h.kind), "account", h.account_ext_id,
	                    "client", h.client_ext_id,   NULL};
	work_details(details, sizeof details, kv);
	if ((sr = store_begin(s)) || (sr = store_hold_end(s, id, day, w.u.name)) ||
	    (sr = work_audit(s, day, w.u.name, "hold.end", obj, details)) || (sr = store_commit(s))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	fprintf(e->out, "hold %lld ended on %s by %s\n", (long long)id, on, w.u.name);
out:
	store_close(s);
	return rc;
}

int cmd_hold(const cli_env *e, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "add") == 0) return hold_add(e, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "end") == 0) return hold_end(e, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		fputs(HOLD_HELP, e->out);
		return EXIT_OK;
	}
	fprintf(e->err, "vigie hold: expected add or end (see vigie hold --help)\n");
	return EXIT_USAGE;
}

typedef struct {
	const cli_env *e;
	store *s;
	const work_actor *w;
	int fmt, shown;
	json_out j;
} holds_ctx;

static int hold_row(void *ctx, const store_hold *h)
{
	holds_ctx *c = ctx;
	if (c->w) {
		char branch[STORE_ID_MAX], officer[STORE_ID_MAX];
		if (hold_owner(c->s, h, branch, officer) || !work_sees(c->w, branch, officer)) return 0;
	}
	char from[16], to[16] = "", created[16], ended[16] = "";
	date_format(h->from_on, from, sizeof from);
	date_format(h->created_on, created, sizeof created);
	if (h->to_on != DATE_NONE) date_format(h->to_on, to, sizeof to);
	if (h->ended_on != DATE_NONE) date_format(h->ended_on, ended, sizeof ended);
	FILE *f = c->e->out;
	if (c->fmt) {
		json_out *j = &c->j;
		json_obj_begin(j);
		json_kint(j, "id", h->id);
		json_kstr(j, "kind", kind_name(h->kind));
		json_kstr(j, "account_id", h->account_ext_id);
		json_kstr(j, "client_id", h->client_ext_id);
		json_kstr(j, "from", from);
		json_kstr(j, "to", to);
		json_kstr(j, "reason", h->reason);
		json_kstr(j, "by", h->actor);
		json_kstr(j, "created_on", created);
		json_kstr(j, "ended_by", h->ended_by);
		json_kstr(j, "ended_on", ended);
		json_obj_end(j);
	} else {
		if (!c->shown)
			fprintf(f, "%-6s %-10s %-14s %-10s %-10s %-12s %-12s %s\n", "id", "kind", "on",
			        "from", "to", "by", "ended by", "reason");
		char who[80];
		snprintf(who, sizeof who, "%s%s", h->account_id ? "" : "client ",
		         h->account_id ? h->account_ext_id : h->client_ext_id);
		fprintf(f, "%-6lld %-10s %-14s %-10s %-10s %-12s %-12s %s\n", (long long)h->id,
		        kind_name(h->kind), who, from, to[0] ? to : "-", h->actor,
		        h->ended_by[0] ? h->ended_by : "-", h->reason);
	}
	c->shown++;
	return ferror(f) ? -1 : 0;
}

int cmd_holds(const cli_env *e, int argc, char **argv)
{
	const char *as = NULL, *format = NULL;
	const cli_opt opts[] = {{"as", 1, &as}, {"format", 1, &format}, {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = "holds";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 1, &n, HOLDS_HELP);
	if (rc >= 0) return rc;
	int fmt = work_format(e, cmd, format);
	if (fmt < 0) return EXIT_USAGE;
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	holds_ctx c = {.e = e, .s = s, .fmt = fmt};
	rc = EXIT_OK;
	store_rc sr;
	int64_t account_id = 0;
	if (as) {
		if ((rc = work_actor_load(e, s, cmd, as, &w))) goto out;
		c.w = &w;
	}
	if (n == 1) {
		store_account a;
		if ((sr = store_account_get(s, pos[0], &a))) {
			rc = work_lookup_fail(e, cmd, s, sr, "ACCOUNT: expected a known account, found \"%s\"",
			                      pos[0]);
			goto out;
		}
		account_id = a.id;
	}
	if (fmt) work_json_list_begin(&c.j, e->out, 1, "holds");
	if ((sr = store_holds_each(s, account_id, hold_row, &c))) rc = work_fail(e, cmd, s, sr);
	work_list_end(e, fmt, &c.j, c.shown, "holds");
out:
	store_close(s);
	return rc;
}

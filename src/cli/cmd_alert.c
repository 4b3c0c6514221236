/* cmd_alert.c: `vigie alerts` (alerts and escalations, by day) and `vigie alert ack ID`. docs/work.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_work.h"

static const char ALERTS_HELP[] =
    "usage: vigie [--db PATH|URL] alerts [--status open|acknowledged] [--kind KIND] [--account ID]\n"
    "                                [--as USER] [--format table|json]\n"
    "\n"
    "Lists alerts and escalations by day: kind, severity, why, assignee, status. With --as, only\n"
    "those USER may see (their branch; an agent: the accounts assigned to them or alerts assigned\n"
    "to them by name).\n";

static const char ALERT_HELP[] =
    "usage: vigie [--db PATH|URL] alert ack ID --as USER --on DATE\n"
    "\n"
    "Acknowledges alert ID (a supervisor of its branch, or a manager). Acknowledging twice is an\n"
    "error; the audit log records who and when.\n";

/* The officer that decides who sees an alert: the account's, else the alert's assignee. */
static int alert_visible(store *s, const work_actor *w, const store_alert *a)
{
	if (!w) return 1;
	const char *officer = a->assignee;
	store_account acc;
	if (a->account_ext_id[0] && store_account_get(s, a->account_ext_id, &acc) == STORE_OK) {
		if (work_sees(w, acc.branch, acc.officer)) return 1;
		officer = a->assignee;
	}
	return work_sees(w, a->branch, officer);
}

typedef struct {
	const cli_env *e;
	store *s;
	const work_actor *w;
	int fmt, shown;
	json_out j;
} alerts_ctx;

static int alert_row(void *ctx, const store_alert *a)
{
	alerts_ctx *c = ctx;
	if (!alert_visible(c->s, c->w, a)) return 0;
	char day[16], ack[16] = "";
	date_format(a->day, day, sizeof day);
	if (a->ack_on != DATE_NONE) date_format(a->ack_on, ack, sizeof ack);
	FILE *f = c->e->out;
	if (c->fmt) {
		json_out *j = &c->j;
		json_obj_begin(j);
		json_kint(j, "id", a->id);
		json_kstr(j, "day", day);
		json_kstr(j, "account_id", a->account_ext_id);
		json_kstr(j, "client_id", a->client_ext_id);
		json_kstr(j, "kind", a->kind);
		json_kstr(j, "severity", a->severity);
		json_kstr(j, "reason", a->reason);
		json_key(j, "details");
		json_raw(j, a->details[0] ? a->details : "{}");
		json_kstr(j, "assignee", a->assignee);
		json_kstr(j, "branch", a->branch);
		json_kstr(j, "status", a->status);
		json_kstr(j, "ack_by", a->ack_by);
		json_kstr(j, "ack_on", ack);
		json_kstr(j, "dedupe_key", a->dedupe_key);
		json_obj_end(j);
	} else {
		if (!c->shown)
			fprintf(f, "%-6s %-10s %-12s %-16s %-8s %-18s %-12s %s\n", "id", "day", "account",
			        "kind", "severity", "assignee", "status", "reason");
		fprintf(f, "%-6lld %-10s %-12s %-16s %-8s %-18s %-12s %s\n", (long long)a->id, day,
		        a->account_ext_id[0] ? a->account_ext_id : a->client_ext_id, a->kind, a->severity,
		        a->assignee, a->status, a->reason);
	}
	c->shown++;
	return ferror(f) ? -1 : 0;
}

int cmd_alerts(const cli_env *e, int argc, char **argv)
{
	const char *status = NULL, *kind = NULL, *account = NULL, *as = NULL, *format = NULL;
	const cli_opt opts[] = {{"status", 1, &status}, {"kind", 1, &kind},     {"account", 1, &account},
	                        {"as", 1, &as},         {"format", 1, &format}, {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = "alerts";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 0, &n, ALERTS_HELP);
	if (rc >= 0) return rc;
	if (status && strcmp(status, "open") != 0 && strcmp(status, "acknowledged") != 0) {
		fprintf(e->err, "vigie %s: --status: expected open or acknowledged, found \"%s\"\n", cmd,
		        status);
		return EXIT_BAD_INPUT;
	}
	int fmt = work_format(e, cmd, format);
	if (fmt < 0) return EXIT_USAGE;
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	alerts_ctx c = {.e = e, .s = s, .fmt = fmt};
	rc = EXIT_OK;
	store_rc sr;
	if (as) {
		if ((rc = work_actor_load(e, s, cmd, as, &w))) goto out;
		c.w = &w;
	}
	store_alert_filter f = {.status = status, .kind = kind};
	if (account) {
		store_account a;
		if ((sr = store_account_get(s, account, &a))) {
			rc = work_fail(e, cmd, s, sr);
			goto out;
		}
		f.account_id = a.id;
	}
	if (fmt) work_json_list_begin(&c.j, e->out, 1, "alerts");
	if ((sr = store_alerts_each(s, &f, alert_row, &c))) rc = work_fail(e, cmd, s, sr);
	work_list_end(e, fmt, &c.j, c.shown, "alerts");
out:
	store_close(s);
	return rc;
}

static int alert_ack(const cli_env *e, int argc, char **argv)
{
	const char *as = NULL, *on = NULL;
	const cli_opt opts[] = {{"as", 1, &as}, {"on", 1, &on}, {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = "alert ack";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 1, &n, ALERT_HELP);
	if (rc >= 0) return rc;
	int64_t id;
	civil_day day;
	if ((rc = work_id_on(e, cmd, n, pos, "alert ID (see vigie alerts)", on, &id, &day))) return rc;
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	store_alert a;
	store_rc sr;
	if ((rc = work_actor_load(e, s, cmd, as, &w))) goto out;
	if ((sr = store_alert_get(s, id, &a))) {
		rc = work_lookup_fail(e, cmd, s, sr, "ID: expected an alert (see vigie alerts), found no alert %lld",
		                      (long long)id);
		goto out;
	}
	if ((rc = work_allow(e, cmd, &w, ACT_ALERT_ACK, NULL, NULL))) goto out;
	if (!alert_visible(s, &w, &a)) {
		fprintf(e->err, "vigie %s: %s may not act on alert %lld (branch %s)\n", cmd, w.u.name,
		        (long long)id, a.branch[0] ? a.branch : "-");
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	char obj[64], details[512];
	snprintf(obj, sizeof obj, "alert:%lld", (long long)id);
	const char *kv[] = {"account", a.account_ext_id, "kind", a.kind, "dedupe_key", a.dedupe_key, NULL};
	work_details(details, sizeof details, kv);
	if ((sr = store_begin(s)) || (sr = store_alert_ack(s, id, w.u.name, day)) ||
	    (sr = work_audit(s, day, w.u.name, "alert.ack", obj, details)) || (sr = store_commit(s))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	fprintf(e->out, "alert %lld acknowledged by %s\n", (long long)id, w.u.name);
out:
	store_close(s);
	return rc;
}

int cmd_alert(const cli_env *e, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "ack") == 0) return alert_ack(e, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		fputs(ALERT_HELP, e->out);
		return EXIT_OK;
	}
	fprintf(e->err, "vigie alert: expected ack (see vigie alert --help)\n");
	return EXIT_USAGE;
}

/* cmd_account_timeline.c: `vigie account timeline ID` (also `vigie timeline ID`): everything that
 * happened to one account, in date order (engine/timeline.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "engine/timeline.h"
#include "io/csv_out.h"
#include "io/json_out.h"

static const char HELP[] =
    "usage: vigie [--db PATH|URL] account timeline ID --as-of DATE [--format table|csv|json] [--as USER]\n"
    "\n"
    "Everything that happened to the loan or invoice, in date order: payments and reversals, PAR\n"
    "bucket changes, the write-off, every decision of the daily run (with its id, for `vigie task\n"
    "done ID`, and its status), the messages rendered for it, task outcomes, promises to pay (open,\n"
    "kept or broken as of DATE), alerts and their acknowledgement, approval requests and their\n"
    "decisions, holds and their end, up to DATE (a bucket change is known in advance: the timeline\n"
    "stops at DATE so that it shows what had happened by then). --as USER: refused\n"
    "unless USER may see the account (role and branch; docs/security.md).\n";

int cmd_account_timeline(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *format = NULL, *as = NULL;
	const cli_opt opts[] = {{"as-of", 1, &as_of}, {"format", 1, &format}, {"as", 1, &as}, {NULL, 0, NULL}};
	const char *pos[2];
	int n, help, fmt = 0;
	const char *cmd = "account timeline";
	if (cli_parse(e, cmd, argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP, e->out);
		return EXIT_OK;
	}
	if (n != 1) {
		fprintf(e->err, "vigie %s: expected one account ID (see vigie account timeline --help)\n", cmd);
		return EXIT_USAGE;
	}
	civil_day to = DATE_NONE;
	if (cli_date(e, cmd, "as-of", as_of, &to) || (format && cli_format(e, cmd, format, &fmt)))
		return EXIT_USAGE;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	store_account a;
	store_rc sr = store_account_get(s, pos[0], &a);
	if (sr != STORE_OK) {
		if (sr == STORE_NOT_FOUND)
			fprintf(e->err, "vigie %s: no account %s\n", cmd, pos[0]);
		else
			fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		store_close(s);
		return sr == STORE_NOT_FOUND ? EXIT_NOT_FOUND : EXIT_STORE;
	}
	if (as) {
		access_user u;
		store_user ub;
		int rc = cli_actor(e, s, as, &u, &ub);
		if (rc) {
			store_close(s);
			return rc;
		}
		if (!access_can(&u, ACT_READ) || !access_can_see(&u, a.branch, a.officer)) {
			fprintf(e->err, "vigie %s: %s (%s) may not see account %s (branch %s, officer %s)\n", cmd, u.name,
			        access_role_name(u.role), a.ext_id, a.branch[0] ? a.branch : "-",
			        a.officer[0] ? a.officer : "-");
			store_close(s);
			return EXIT_BAD_INPUT;
		}
	}
	timeline t = {0};
	char err[512];
	if (timeline_build(s, &a, to, &t, err, sizeof err)) {
		fprintf(e->err, "vigie %s: %s\n", cmd, err);
		timeline_free(&t);
		store_close(s);
		return EXIT_STORE;
	}
	FILE *f = e->out;
	char day[16];
	if (fmt == 2) {
		json_out j;
		json_init(&j, f, 1);
		json_obj_begin(&j);
		json_kstr(&j, "account_id", a.ext_id);
		json_kstr(&j, "client_id", a.client_ext_id);
		json_kstr(&j, "currency", a.currency);
		json_kstr(&j, "branch", a.branch);
		json_kstr(&j, "officer", a.officer);
		json_key(&j, "timeline");
		json_arr_begin(&j);
		for (size_t i = 0; i < t.n; i++) {
			const timeline_event *v = &t.ev[i];
			date_format(v->day, day, sizeof day);
			json_obj_begin(&j);
			json_kstr(&j, "day", day);
			json_kstr(&j, "kind", v->kind);
			json_kstr(&j, "ref", v->ref);
			json_kstr(&j, "what", v->what);
			json_kstr(&j, "detail", v->detail);
			json_kstr(&j, "status", v->status);
			json_kstr(&j, "actor", v->actor);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
		json_end(&j);
	} else if (fmt == 1) {
		fputs("day,kind,ref,what,detail,status,actor\n", f);
		for (size_t i = 0; i < t.n; i++) {
			const timeline_event *v = &t.ev[i];
			date_format(v->day, day, sizeof day);
			fprintf(f, "%s,%s,", day, v->kind);
			csv_out_field(f, v->ref);
			fputc(',', f);
			csv_out_field(f, v->what);
			fputc(',', f);
			csv_out_field(f, v->detail);
			fprintf(f, ",%s,", v->status);
			csv_out_field(f, v->actor);
			fputc('\n', f);
		}
	} else {
		fprintf(f, "Timeline of %s (client %s, %s, branch %s, officer %s)%s%s\n", a.ext_id, a.client_ext_id,
		        a.currency, a.branch[0] ? a.branch : "-", a.officer[0] ? a.officer : "-", " up to ", as_of);
		for (size_t i = 0; i < t.n; i++) {
			const timeline_event *v = &t.ev[i];
			date_format(v->day, day, sizeof day);
			fprintf(f, "%-10s %-9s %-8s %-40s %-10s %s%s%s%s\n", day, v->kind, v->ref, v->what, v->status,
			        v->detail, v->actor[0] ? " [" : "", v->actor, v->actor[0] ? "]" : "");
		}
		fprintf(f, "%zu events\n", t.n);
	}
	timeline_free(&t);
	store_close(s);
	return ferror(f) ? EXIT_STORE : EXIT_OK;
}

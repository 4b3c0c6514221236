/* cmd_account_assign.c: `vigie account assign ID --officer NAME --as USER --on DATE`: gives an
 * account to another officer (a user of the account's branch), audited. The policies' tasks for
 * "officer" go to the new officer from the next decision on; open tasks keep their assignee. Who may:
 * access_can(ACT_ASSIGN) on the account's branch (a supervisor of the branch, a manager). */
#include <stdio.h>
#include <string.h>
#include "cli/cmd_work.h"
#include "store/store_people.h"

static const char HELP[] =
    "usage: vigie [--db PATH|URL] account assign ID --officer NAME --as USER --on DATE\n"
    "\n"
    "Assigns the loan or invoice to the officer NAME (an active agent or supervisor whose branch is\n"
    "the account's, or who has no branch). Who may: a supervisor of the account's branch, or a manager\n"
    "(docs/security.md). Recorded in the audit log (account.assign) in the same transaction.\n"
    "The daily run gives the account's next tasks to the new officer; open tasks keep theirs.\n";

int cmd_account_assign(const cli_env *e, int argc, char **argv)
{
	const char *cmd = "account assign";
	const char *officer = NULL, *as = NULL, *on = NULL;
	const cli_opt opts[] = {{"officer", 1, &officer}, {"as", 1, &as}, {"on", 1, &on}, {NULL, 0, NULL}};
	const char *pos[2];
	int n, help;
	if (cli_parse(e, cmd, argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP, e->out);
		return EXIT_OK;
	}
	if (n != 1) {
		fprintf(e->err, "vigie %s: expected one account ID (see vigie account assign --help)\n", cmd);
		return EXIT_USAGE;
	}
	if (!officer || !*officer) {
		fprintf(e->err, "vigie %s: --officer NAME is required\n", cmd);
		return EXIT_USAGE;
	}
	civil_day day;
	if (cli_date(e, cmd, "on", on, &day)) return EXIT_USAGE;
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	int rc = work_actor_load(e, s, cmd, as, &w);
	if (rc) {
		store_close(s);
		return rc;
	}
	store_account a;
	store_rc sr = store_account_get(s, pos[0], &a);
	if (sr) {
		if (sr == STORE_NOT_FOUND) fprintf(e->err, "vigie %s: ID: no account %s\n", cmd, pos[0]);
		rc = sr == STORE_NOT_FOUND ? EXIT_NOT_FOUND : work_fail(e, cmd, s, sr);
		store_close(s);
		return rc;
	}
	if ((rc = work_allow(e, cmd, &w, ACT_ASSIGN, a.branch, a.officer))) {
		store_close(s);
		return rc;
	}
	store_user to;
	sr = store_user_get(s, officer, &to);
	if (sr == STORE_NOT_FOUND || (sr == STORE_OK && !to.active)) {
		fprintf(e->err, "vigie %s: --officer: expected an active user, found \"%s\"\n", cmd, officer);
		store_close(s);
		return EXIT_BAD_INPUT;
	}
	if (sr) {
		rc = work_fail(e, cmd, s, sr);
		store_close(s);
		return rc;
	}
	if ((to.role != ROLE_AGENT && to.role != ROLE_SUPERVISOR) || (to.branch[0] && strcmp(to.branch, a.branch) != 0)) {
		fprintf(e->err,
		        "vigie %s: --officer: expected an agent or supervisor of branch %s, found %s (%s, branch %s)\n",
		        cmd, a.branch[0] ? a.branch : "-", to.name, access_role_name(to.role),
		        to.branch[0] ? to.branch : "-");
		store_close(s);
		return EXIT_BAD_INPUT;
	}
	if (strcmp(a.officer, officer) == 0) {
		fprintf(e->out, "account %s is already assigned to %s (unchanged)\n", a.ext_id, officer);
		store_close(s);
		return EXIT_OK;
	}
	char details[512], obj[STORE_NAME_MAX];
	const char *kv[] = {"from", a.officer, "to", officer, NULL};
	work_details(details, sizeof details, kv);
	snprintf(obj, sizeof obj, "account:%s", a.ext_id);
	if (store_begin(s) || store_account_assign(s, a.id, officer) ||
	    work_audit(s, day, w.u.name, "account.assign", obj, details) || store_commit(s)) {
		rc = work_fail(e, cmd, s, STORE_ERR);
		store_rollback(s);
		store_close(s);
		return rc;
	}
	fprintf(e->out, "account %s assigned to %s (was %s)\n", a.ext_id, officer, a.officer[0] ? a.officer : "-");
	store_close(s);
	return EXIT_OK;
}

/* cli.h: what the `vigie` sub-commands share: exit codes, option parsing, opening the store.
 * Exit codes (documented in `vigie --help` and docs/cli.md):
 *   0 success; 1 bad input (nothing written); 2 usage error; 3 store or I/O failure; 4 not found. */
#ifndef VIGIE_CLI_H
#define VIGIE_CLI_H
#include <stdio.h>
#include "core/date.h"
#include "store/store.h"
#include "store/store_people.h"

enum { EXIT_OK = 0, EXIT_BAD_INPUT = 1, EXIT_USAGE = 2, EXIT_STORE = 3, EXIT_NOT_FOUND = 4 };

typedef struct {
	const char *db; /* --db, or $VIGIE_DB, or ./vigie.db */
	FILE *out, *err;
} cli_env;

/* One option of a sub-command: "--name VALUE" or "--name=VALUE", or a flag "--name". */
typedef struct {
	const char *name;
	int takes_value;
	const char **value; /* set to the value, or to "" for a flag given */
} cli_opt;

/* Parses argv[0..argc) against opts; positional arguments go to pos (at most max_pos). Returns 0, or
 * prints a usage error naming the command and returns -1. "-h"/"--help" sets *help. */
int cli_parse(const cli_env *e, const char *cmd, int argc, char **argv, const cli_opt *opts, const char **pos,
              int max_pos, int *n_pos, int *help);

/* Opens the store named by e->db; on failure prints why and returns NULL. */
store *cli_open_store(const cli_env *e);
/* A required --as-of / --on date; prints a usage error and returns -1 when missing or malformed. */
int cli_date(const cli_env *e, const char *cmd, const char *opt, const char *v, civil_day *out);

/* Puts a space between groups of three digits of a formatted amount, in place, for tables meant to
 * be read ("645435230.50" -> "645 435 230.50"). buf must have room for 8 more bytes. */
char *cli_group_digits(char *buf);

/* --format table|csv|json (NULL = table) into *out: 0 table, 1 csv, 2 json; prints a usage error and
 * returns -1 otherwise. */
int cli_format(const cli_env *e, const char *cmd, const char *v, int *out);

/* The acting user: `--as NAME` (as), else $VIGIE_USER, must name an active user of the store (whose
 * "people" module must exist: vigie init). Fills *buf and *out (out's strings point into buf).
 * Returns 0, or prints why and returns the exit code: EXIT_USAGE when no name is given,
 * EXIT_BAD_INPUT for an unknown or disabled user, EXIT_STORE on a store error. The CLI trusts the
 * name for attribution (docs/security.md); callers then ask core/access.h what it may do. */
int cli_actor(const cli_env *e, store *s, const char *as, access_user *out, store_user *buf);

int cmd_init(const cli_env *e, int argc, char **argv);
int cmd_import(const cli_env *e, int argc, char **argv);
int cmd_report(const cli_env *e, int argc, char **argv);
int cmd_account(const cli_env *e, int argc, char **argv);
int cmd_payment(const cli_env *e, int argc, char **argv);
int cmd_export(const cli_env *e, int argc, char **argv);
int cmd_demo(const cli_env *e, int argc, char **argv);
int cmd_score(const cli_env *e, int argc, char **argv);
int cmd_policy(const cli_env *e, int argc, char **argv);
int cmd_simulate(const cli_env *e, int argc, char **argv);
int cmd_run(const cli_env *e, int argc, char **argv);
int cmd_outbox(const cli_env *e, int argc, char **argv);
int cmd_decisions(const cli_env *e, int argc, char **argv);
int cmd_tasks(const cli_env *e, int argc, char **argv);
int cmd_account_timeline(const cli_env *e, int argc, char **argv);
int cmd_account_assign(const cli_env *e, int argc, char **argv);
int cmd_template(const cli_env *e, int argc, char **argv);
int cmd_user(const cli_env *e, int argc, char **argv);
int cmd_audit(const cli_env *e, int argc, char **argv);
int cmd_risk(const cli_env *e, int argc, char **argv);
int cmd_watch(const cli_env *e, int argc, char **argv);
int cmd_segments(const cli_env *e, int argc, char **argv);
/* the work commands: cmd_task.c, cmd_alert.c, cmd_approval.c, cmd_hold.c (docs/work.md) */
int cmd_task(const cli_env *e, int argc, char **argv);
int cmd_promises(const cli_env *e, int argc, char **argv);
int cmd_alerts(const cli_env *e, int argc, char **argv);
int cmd_alert(const cli_env *e, int argc, char **argv);
int cmd_approvals(const cli_env *e, int argc, char **argv);
int cmd_approve(const cli_env *e, int argc, char **argv);
int cmd_reject(const cli_env *e, int argc, char **argv);
int cmd_request(const cli_env *e, int argc, char **argv);
int cmd_hold(const cli_env *e, int argc, char **argv);
int cmd_holds(const cli_env *e, int argc, char **argv);
int cmd_settings(const cli_env *e, int argc, char **argv);

#endif

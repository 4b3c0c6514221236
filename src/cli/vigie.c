/* vigie.c: the `vigie` command: global options, then one sub-command (see cli.h for exit codes). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define VIGIE_VERSION "0.1.0"

static const char USAGE[] =
    "usage: vigie [--db PATH|URL] COMMAND [ARGS]\n"
    "\n"
    "Vigie: credit-risk monitoring and debt collection. Every computation takes an explicit date.\n"
    "\n"
    "Commands:\n"
    "  init                                   create or migrate the store\n"
    "  import clients|loans|schedules|invoices|payments FILE.csv\n"
    "                                         import a CSV file, all or nothing\n"
    "  report par|ageing --as-of DATE [--format table|csv|json] [--by branch|officer|product] ...\n"
    "                                         portfolio at risk; aged balance\n"
    "  account show ID --as-of DATE [--format table|json]\n"
    "                                         schedule, what is paid and late, DPD, payments, buckets\n"
    "  account write-off ID --on DATE         write a loan or invoice off\n"
    "  payment reverse ID --on DATE           reverse a payment (counted before DATE, not from it)\n"
    "  export --dir DIR                       write the store as import CSV files\n"
    "  demo --dir DIR [--as-of DATE] ...      generate a demo portfolio and import it\n"
    "  score train|eval|apply|features ...    credit scorecard: fit on a CSV data set or on the ledger's\n"
    "                                         history (--from-ledger), evaluate or back-test (AUC, KS,\n"
    "                                         calibration, grades), score clients (--explain)\n"
    "  policy check FILE.yaml                 validate a follow-up and collection policy\n"
    "  simulate --policy FILE --from DATE --to DATE [--format table|csv|json] [--detail] [--account ID]\n"
    "                                         replay history under a policy, writing nothing\n"
    "  run --policy FILE --as-of DATE [--batch N]\n"
    "                                         run the policy for the days since the last run (caught up\n"
    "                                         in order); store its decisions once each (dedupe keys)\n"
    "  decisions [--as-of DATE] [--action A] [--status S] ...\n"
    "                                         the run's decisions (ids, steps, status)\n"
    "  outbox [render] ...                    rendered messages (sms, email, letter); render them\n"
    "                                         from templates (docs/outbox.md)\n"
    "  tasks [--officer O] [--as-of DATE]     open tasks and approvals, by priority\n"
    "  timeline ID --as-of DATE               = account timeline: everything that happened to an account\n"
    "  template check|render ...              check message templates (and that a policy has all it\n"
    "                                         needs); render one message (docs/templates.md)\n"
    "  user add|set|passwd|check|list ...     users, roles and branches (--as USER --on DATE; the first\n"
    "                                         user of a store is an admin, created without --as)\n"
    "  audit list|verify [--as USER]          the hash-chained audit log of every user action\n"
    "  risk import|limit|exposure|set|refresh|grade ...\n"
    "                                         client facts, groups, credit limits and exposure, the risk\n"
    "                                         refresh (scores, early-warning alerts), grades (docs/risk.md)\n"
    "  watch add|remove|list ...              the watch list of accounts and clients\n"
    "  segments --as-of DATE --by grade|product|branch|officer|bucket|amount_band [--format ...]\n"
    "                                         active loans per segment: counts, outstanding, arrears, PAR30\n"
    "  task done ID --outcome O --as U --on D record a task's outcome (a promise: --amount, --promise-date)\n"
    "  promises --as-of DATE [--status S]     promises to pay: open, kept or broken (from the payments)\n"
    "  alerts [--status open] [--as U]        alerts and escalations; alert ack ID --as U --on D\n"
    "  request KIND SUBJECT ... --as U --on D ask for an approval: write-off, reschedule, fee-waiver,\n"
    "                                         step, credit-limit, policy-change\n"
    "  approvals [--status pending]           the approval queue; approve ID / reject ID --note T\n"
    "                                         (--as U --on D; never the maker)\n"
    "  hold add ACCOUNT|--client C --kind exclusion|pause --from D [--to D] --reason T --as U --on D\n"
    "                                         leave out of collection, or pause days past due; hold end ID\n"
    "  holds [ACCOUNT]                        every hold, ended ones included\n"

    "  settings list|get|set ...              the institution's settings (set: admins, audited)\n"
    "\n"
    "Global options:\n"
    "  --db PATH|URL   SQLite file (default ./vigie.db, or $VIGIE_DB) or PostgreSQL URL\n"
    "                  (postgresql://user@host:port/dbname)\n"
    "  -h, --help      this help; `vigie COMMAND --help` for a command\n"
    "  --version       print the version\n"
    "\n"
    "Exit codes: 0 success; 1 bad input (nothing written); 2 usage error; 3 store or I/O failure;\n"
    "4 not found.\n";

int main(int argc, char **argv)
{
	cli_env e = {.db = getenv("VIGIE_DB"), .out = stdout, .err = stderr};
	if (!e.db || !*e.db) e.db = "vigie.db";
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "vigie: --db needs a value\n");
				return EXIT_USAGE;
			}
			e.db = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			e.db = a + 5;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(USAGE, stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("vigie %s\n", VIGIE_VERSION);
			return EXIT_OK;
		} else if (a[0] == '-') {
			fprintf(stderr, "vigie: unknown option '%s'\n%s", a, USAGE);
			return EXIT_USAGE;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fputs(USAGE, stderr);
		return EXIT_USAGE;
	}
	static const struct {
		const char *name;
		int (*fn)(const cli_env *, int, char **);
	} cmds[] = {{"init", cmd_init},         {"import", cmd_import},    {"report", cmd_report},
	            {"account", cmd_account},   {"payment", cmd_payment},  {"export", cmd_export},
	            {"demo", cmd_demo},         {"score", cmd_score},      {"policy", cmd_policy},
	            {"simulate", cmd_simulate}, {"run", cmd_run},          {"outbox", cmd_outbox},
	            {"tasks", cmd_tasks},       {"timeline", cmd_account_timeline},
	            {"template", cmd_template}, {"user", cmd_user},         {"audit", cmd_audit},
	            {"risk", cmd_risk},         {"watch", cmd_watch},       {"segments", cmd_segments},
	            {"task", cmd_task},         {"promises", cmd_promises}, {"alerts", cmd_alerts},
	            {"alert", cmd_alert},       {"approvals", cmd_approvals}, {"approve", cmd_approve},
	            {"reject", cmd_reject},     {"request", cmd_request},  {"hold", cmd_hold},
	            {"holds", cmd_holds},       {"settings", cmd_settings}, {"decisions", cmd_decisions}};
	for (size_t k = 0; k < sizeof cmds / sizeof *cmds; k++)
		if (strcmp(argv[i], cmds[k].name) == 0) {
			int rc = cmds[k].fn(&e, argc - i - 1, argv + i + 1);
			if (fflush(stdout) != 0 && rc == EXIT_OK) {
				fprintf(stderr, "vigie: writing the output failed\n");
				rc = EXIT_STORE;
			}
			return rc;
		}
	fprintf(stderr, "vigie: unknown command '%s'\n%s", argv[i], USAGE);
	return EXIT_USAGE;
}

/* cmd_task.c: `vigie task done ID --outcome ...` (a task's outcome, a promise to pay) and
 * `vigie promises` (promises, kept or broken as of a date, from the payments). docs/work.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_work.h"

static const char TASK_HELP[] =
    "usage: vigie [--db PATH|URL] task done ID --outcome OUTCOME --as USER --on DATE\n"
    "                                [--amount X --promise-date DATE] [--note TEXT]\n"
    "       vigie [--db PATH|URL] task list [...]   (the same as vigie tasks)\n"
    "\n"
    "Records the outcome of task ID (see vigie tasks) and closes it. OUTCOME: reached, promise,\n"
    "dispute, unreachable, paid, verified, failed. A promise needs --amount (decimal text in the\n"
    "account's currency) and --promise-date (on or after DATE), and creates the promise. An outcome\n"
    "is recorded once: the same again changes nothing, a different one is refused. USER must be\n"
    "allowed to record outcomes on the account (an agent: the accounts assigned to them).\n";

static const char PROMISES_HELP[] =
    "usage: vigie [--db PATH|URL] promises --as-of DATE [--status open|kept|broken] [--account ID]\n"
    "                                [--as USER] [--format table|json]\n"
    "\n"
    "Lists promises to pay, by promised date, each with what was paid towards it: the payments dated\n"
    "from the day it was made to the promised date (reversals on or before DATE left out). Kept: paid\n"
    "in full; broken: the promised date is past (before DATE) and not paid in full; open otherwise.\n"
    "With --as, only the accounts USER may see.\n";

static int task_done(const cli_env *e, int argc, char **argv)
{
	const char *outcome = NULL, *amount = NULL, *pdate = NULL, *note = NULL, *as = NULL, *on = NULL;
	const cli_opt opts[] = {{"outcome", 1, &outcome}, {"amount", 1, &amount}, {"promise-date", 1, &pdate},
	                        {"note", 1, &note},       {"as", 1, &as},         {"on", 1, &on},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = "task done";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 1, &n, TASK_HELP);
	if (rc >= 0) return rc;
	store_task_outcome o;
	memset(&o, 0, sizeof o);
	o.promise_on = DATE_NONE;
	if ((rc = work_id_on(e, cmd, n, pos, "task ID (see vigie task --help)", on, &o.decision_id, &o.day)))
		return rc;
	int k = store_outcome_parse(outcome);
	if (k < 0) {
		fprintf(
		    e->err,
		    "vigie %s: --outcome: expected reached, promise, dispute, unreachable, paid, verified or "
		    "failed, found \"%s\"\n",
		    cmd, outcome ? outcome : "");
		return outcome ? EXIT_BAD_INPUT : EXIT_USAGE;
	}
	o.outcome = (store_outcome_kind)k;
	if (o.outcome == OUTCOME_PROMISE) {
		if (!amount || !pdate) {
			fprintf(e->err,
			        "vigie %s: --outcome promise: expected --amount X and --promise-date DATE\n",
			        cmd);
			return EXIT_BAD_INPUT;
		}
		if (cli_date(e, cmd, "promise-date", pdate, &o.promise_on)) return EXIT_BAD_INPUT;
		if (o.promise_on < o.day) {
			fprintf(e->err,
			        "vigie %s: --promise-date: expected a day on or after --on %s, found %s\n",
			        cmd, on, pdate);
			return EXIT_BAD_INPUT;
		}
	} else if (amount || pdate) {
		fprintf(e->err, "vigie %s: --amount, --promise-date: expected only with --outcome promise\n",
		        cmd);
		return EXIT_BAD_INPUT;
	}
	if (work_text(e, cmd, "note", note, sizeof o.note, 0)) return EXIT_BAD_INPUT;
	snprintf(o.note, sizeof o.note, "%s", note ? note : "");

	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	rc = work_actor_load(e, s, cmd, as, &w);
	store_decision d;
	store_account a;
	store_rc sr = STORE_OK;
	if (rc) goto out;
	sr = store_work_decision_get(s, o.decision_id, &d);
	if (sr == STORE_NOT_FOUND || (!sr && strcmp(d.action, "task") != 0)) {
		fprintf(e->err, "vigie %s: ID: expected a task (see vigie tasks), found no task %lld\n", cmd,
		        (long long)o.decision_id);
		rc = EXIT_NOT_FOUND;
		goto out;
	}
	if (sr || (sr = store_account_get(s, d.account_ext_id, &a))) {
		rc = work_fail(e, cmd, s, sr);
		goto out;
	}
	if ((rc = work_allow(e, cmd, &w, ACT_TASK_OUTCOME, a.branch, a.officer))) goto out;
	if (o.day < d.day) {
		char dd[16];
		date_format(d.day, dd, sizeof dd);
		fprintf(e->err, "vigie %s: --on: expected a day on or after the task's day %s, found %s\n",
		        cmd, dd, on);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	if (o.outcome == OUTCOME_PROMISE) {
		if (work_amount_parse(e, cmd, "amount", amount, a.currency, &o.promise_amount)) {
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		if (o.promise_amount <= 0) {
			fprintf(e->err, "vigie %s: --amount: expected an amount > 0, found %s\n", cmd,
			        amount);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
	}
	snprintf(o.actor, sizeof o.actor, "%s", w.u.name);
	store_put res;
	if ((sr = store_begin(s)) || (sr = store_task_outcome_put(s, &o, &res))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	char amt[40] = "", pd[16] = "", obj[64], details[1024];
	if (o.outcome == OUTCOME_PROMISE) {
		work_amount_text(o.promise_amount, a.currency, amt, sizeof amt);
		date_format(o.promise_on, pd, sizeof pd);
	}
	if (res == PUT_UNCHANGED) {
		store_rollback(s);
		fprintf(e->out, "task %lld: outcome %s already recorded (unchanged)\n",
		        (long long)o.decision_id, store_outcome_name(o.outcome));
		goto out;
	}
	snprintf(obj, sizeof obj, "decision:%lld", (long long)o.decision_id);
	const char *kv[] = {"account",    a.ext_id,   "task",
	                    d.task_kind,  "outcome",  store_outcome_name(o.outcome),
	                    "note",       o.note,     o.outcome == OUTCOME_PROMISE ? "amount" : NULL,
	                    amt,          "currency", a.currency,
	                    "promise_on", pd,         NULL};
	work_details(details, sizeof details, kv);
	if ((sr = work_audit(s, o.day, w.u.name, "task.outcome", obj, details)) || (sr = store_commit(s))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	if (o.outcome == OUTCOME_PROMISE)
		fprintf(e->out, "task %lld (%s) done: promise of %s %s by %s\n", (long long)o.decision_id,
		        a.ext_id, amt, a.currency, pd);
	else
		fprintf(e->out, "task %lld (%s) done: %s\n", (long long)o.decision_id, a.ext_id,
		        store_outcome_name(o.outcome));
out:
	store_close(s);
	return rc;
}

int cmd_task(const cli_env *e, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "done") == 0) return task_done(e, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "list") == 0) return cmd_tasks(e, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		fputs(TASK_HELP, e->out);
		return EXIT_OK;
	}
	fprintf(e->err, "vigie task: expected done or list (see vigie task --help)\n");
	return EXIT_USAGE;
}

/* --- vigie promises -------------------------------------------------------------------------- */

typedef struct {
	store_promise *p;
	int n, cap;
} prom_list;

static int collect(void *ctx, const store_promise *p)
{
	prom_list *l = ctx;
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 64;
		store_promise *np = realloc(l->p, sizeof *np * (size_t)nc);
		if (!np) return -1;
		l->p = np;
		l->cap = nc;
	}
	l->p[l->n++] = *p;
	return 0;
}

int cmd_promises(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *status = NULL, *account = NULL, *as = NULL, *format = NULL;
	const cli_opt opts[] = {{"as-of", 1, &as_of}, {"status", 1, &status}, {"account", 1, &account},
	                        {"as", 1, &as},       {"format", 1, &format}, {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = "promises";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 0, &n, PROMISES_HELP);
	if (rc >= 0) return rc;
	civil_day day;
	if (cli_date(e, cmd, "as-of", as_of, &day)) return EXIT_USAGE;
	int want = -1;
	if (status) {
		want = strcmp(status, "open") == 0     ? 0
		       : strcmp(status, "kept") == 0   ? 1
		       : strcmp(status, "broken") == 0 ? 2
		                                       : -2;
		if (want == -2) {
			fprintf(e->err, "vigie %s: --status: expected open, kept or broken, found \"%s\"\n",
			        cmd, status);
			return EXIT_BAD_INPUT;
		}
	}
	int fmt = work_format(e, cmd, format);
	if (fmt < 0) return EXIT_USAGE;
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w, *wp = NULL;
	rc = EXIT_OK;
	prom_list l = {0};
	store_rc sr;
	if (as) {
		if ((rc = work_actor_load(e, s, cmd, as, &w))) goto out;
		wp = &w;
	}
	int64_t account_id = 0;
	if (account) {
		store_account a;
		if ((sr = store_account_get(s, account, &a))) {
			rc = work_fail(e, cmd, s, sr);
			goto out;
		}
		account_id = a.id;
	}
	if ((sr = store_promises_each(s, account_id, collect, &l))) {
		rc = work_fail(e, cmd, s, sr);
		goto out;
	}
	json_out j;
	if (fmt) work_json_list_begin(&j, e->out, 1, "promises");
	int shown = 0;
	for (int i = 0; i < l.n; i++) {
		const store_promise *p = &l.p[i];
		if (p->made_on > day) continue; /* not made yet as of the date */
		store_account a;
		if ((sr = store_account_get(s, p->account_ext_id, &a))) {
			rc = work_fail(e, cmd, s, sr);
			break;
		}
		if (!work_sees(wp, a.branch, a.officer)) continue;
		int64_t paid;
		int st = store_promise_status(s, p, day, &paid);
		if (st < 0) {
			rc = work_fail(e, cmd, s, STORE_ERR);
			break;
		}
		if (want >= 0 && st != want) continue;
		char made[16], due[16], amt[40], pd[40];
		date_format(p->made_on, made, sizeof made);
		date_format(p->due_on, due, sizeof due);
		work_amount_text(p->amount, a.currency, amt, sizeof amt);
		work_amount_text(paid, a.currency, pd, sizeof pd);
		if (fmt) {
			json_obj_begin(&j);
			json_kint(&j, "id", p->id);
			json_kstr(&j, "account_id", p->account_ext_id);
			json_kstr(&j, "made_on", made);
			json_kstr(&j, "due_on", due);
			json_kstr(&j, "amount", amt);
			json_kstr(&j, "paid", pd);
			json_kstr(&j, "currency", a.currency);
			json_kstr(&j, "status", store_promise_status_name(st));
			json_kstr(&j, "by", p->actor);
			if (p->decision_id)
				json_kint(&j, "task", p->decision_id);
			else {
				json_key(&j, "task");
				json_nullv(&j);
			}
			json_obj_end(&j);
		} else {
			if (!shown)
				fprintf(e->out, "%-6s %-12s %-10s %-10s %14s %14s %-4s %-7s %s\n", "id",
				        "account", "made", "due", "amount", "paid", "cur", "status", "by");
			fprintf(e->out, "%-6lld %-12s %-10s %-10s %14s %14s %-4s %-7s %s\n", (long long)p->id,
			        p->account_ext_id, made, due, amt, pd, a.currency,
			        store_promise_status_name(st), p->actor);
		}
		shown++;
	}
	work_list_end(e, fmt, &j, shown, "promises");
out:
	free(l.p);
	store_close(s);
	return rc;
}

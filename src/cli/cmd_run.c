/* cmd_run.c: the persisted daily run and what it leaves behind: `vigie run` (engine/daily_run),
 * `vigie outbox` (queued messages), `vigie tasks` (open tasks by priority) and `vigie timeline`
 * (every decision and payment of one account, in date order). */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/currency.h"
#include "core/money.h"
#include "engine/daily_run.h"
#include "engine/early_warning.h"
#include "engine/outbox.h"
#include "engine/run_followup.h"
#include "io/model_file.h"
#include "io/template_set.h"
#include "store/store_audit.h"
#include "store/store_settings.h"
#include "store/store_work.h"
#include <jansson.h>
#include "io/csv_out.h"
#include "io/json_out.h"
#include "io/policy_file.h"

static const char RUN_HELP[] =
    "usage: vigie [--db PATH|URL] run --policy FILE --as-of DATE [--allocation ORDER]\n"
    "                                 [--batch N] [--workers N] [--lease SECONDS]\n"
    "                                 [--model MODEL.json] [--templates DIR]\n"
    "\n"
    "Runs the policy for every day from the day after the last run to DATE, in order (a first run:\n"
    "DATE alone), and stores its decisions: messages (queued in the outbox), tasks, and the other\n"
    "actions. Each day evaluates only the accounts whose state can change on it. Running a day again\n"
    "changes nothing; a run interrupted at any point and run again ends as one clean run would.\n"
    "Prints per day the accounts evaluated and the decisions created and already stored.\n"
    "\n"
    "  --batch N        accounts per transaction (default 1000)\n"
    "  --workers N      PostgreSQL: N processes, each with its own connection, share each day's 64\n"
    "                   partitions (default 1; SQLite has one writer and accepts only 1). Several\n"
    "                   `vigie run` started separately on the same PostgreSQL database share the days\n"
    "                   the same way; a worker that dies leaves its partition to the others.\n"
    "  --lease SECONDS  how long a partition stays a silent worker's (default 60; each batch renews\n"
    "                   it); a worker whose connection is gone loses it at once\n"
    "  --model FILE     first, the risk refresh as of DATE with this behavioural model: every client\n"
    "                   scored and graded (the grades are the policies' segments), early-warning\n"
    "                   alerts raised (vigie risk refresh; docs/risk.md)\n"
    "  --templates DIR  last, render the messages of the run's decisions (vigie outbox render)\n"
    "\n"
    "After the run, its follow-ups (safe to repeat): every alert or escalation decision raises its\n"
    "alert (vigie alerts), every four-eyes decision waits in the approval queue (vigie approvals).\n";

static const char DECISIONS_HELP[] =
    "usage: vigie [--db PATH|URL] decisions [--from DATE] [--as-of DATE] [--action A] [--status S]\n"
    "                                       [--as USER] [--format table|csv|json]\n"
    "\n"
    "Lists the daily run's decisions by day (from/to DATE when given): id, account, segment, step,\n"
    "action (message, task, alert, escalation, ...), channels or task, template, assignee, status\n"
    "(open, queued, done, cancelled), collection days past due and late amount on its day, dedupe key.\n"
    "--as USER: only the accounts USER may see (docs/security.md).\n";

static const char TASKS_HELP[] =
    "usage: vigie [--db PATH|URL] tasks [--officer NAME] [--as-of DATE] [--as USER] [--format table|csv|json]\n"
    "\n"
    "Lists the open tasks and four-eyes decisions (due on or before DATE when given; of one officer\n"
    "or role:NAME), by priority: days late on the decision's day, then late amount, descending.\n"
    "--as USER: only the accounts USER may see (an agent: the accounts assigned to them; a supervisor:\n"
    "their branch; docs/security.md). Without --as, the operator sees everything.\n";


static int parse_format(const cli_env *e, const char *cmd, const char *v, int *out)
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

/* --- vigie run ------------------------------------------------------------------------------- */

typedef struct {
	const cli_env *e;
	int worker; /* 0: the only one; else its number, printed before each line */
} day_out;

static int print_day(void *ctx, const daily_run_day *d)
{
	const day_out *o = ctx;
	char day[16];
	date_format(d->day, day, sizeof day);
	if (o->worker) fprintf(o->e->out, "worker %d: ", o->worker);
	fprintf(o->e->out, "%s: %lld accounts evaluated, %lld decisions created, %lld unchanged\n", day,
	        (long long)d->accounts, (long long)d->inserted, (long long)d->unchanged);
	fflush(o->e->out);
	return 0;
}

static int parse_int(const cli_env *e, const char *opt, const char *v, long lo, long hi, int *out)
{
	char *end;
	long x = strtol(v, &end, 10);
	if (!*v || *end || x < lo || x > hi) {
		fprintf(e->err, "vigie run: --%s: expected a number from %ld to %ld, found \"%s\"\n", opt, lo,
		        hi, v);
		return -1;
	}
	*out = (int)x;
	return 0;
}

static void print_result(const cli_env *e, const policy *p, const daily_run_result *r)
{
	char from[16], to[16], last[16];
	if (r->days == 0) {
		date_format(r->last_before, last, sizeof last);
		fprintf(e->out, "nothing to do: the last day run is %s\n", last);
		return;
	}
	date_format(r->from, from, sizeof from);
	date_format(r->to, to, sizeof to);
	if (r->last_before == DATE_NONE)
		fprintf(e->out, "first run: from %s only (earlier days are not replayed)\n", from);
	if (r->policy_changed)
		fprintf(e->out,
		        "policy %s version %d differs from the last run's: every account "
		        "re-planned\n",
		        p->name, (int)p->version);
	fprintf(e->out,
	        "policy %s version %d: %d days run (%s to %s), %lld accounts evaluated, %lld "
	        "decisions created, %lld unchanged\n",
	        p->name, (int)p->version, r->days, from, to, (long long)r->accounts, (long long)r->inserted,
	        (long long)r->unchanged);
}

/* One worker process: its own connection; its result goes to the parent through fd. */
static int worker_main(const cli_env *e, daily_run_opts o, int k, int fd)
{
	day_out out = {e, k};
	o.on_day = print_day;
	o.ctx = &out;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	daily_run_result r;
	char err[512];
	int rc = EXIT_OK;
	if (daily_run(s, &o, &r, err, sizeof err)) {
		fprintf(e->err, "vigie run: worker %d: %s\n", k, err);
		rc = EXIT_STORE;
	} else if (write(fd, &r, sizeof r) != (ssize_t)sizeof r) {
		rc = EXIT_STORE;
	}
	store_close(s);
	fflush(e->out);
	fflush(e->err);
	return rc;
}

/* --workers N: N processes share each day; the parent adds up what they did. */
static int run_workers(const cli_env *e, const daily_run_opts *o, int n, const policy *p)
{
	pid_t pid[64];
	int fd[64];
	int started = 0, rc = EXIT_OK;
	fflush(e->out);
	fflush(e->err);
	for (int k = 0; k < n; k++) {
		int pfd[2];
		if (pipe(pfd)) {
			fprintf(e->err, "vigie run: cannot start worker %d\n", k + 1);
			rc = EXIT_STORE;
			break;
		}
		pid_t c = fork();
		if (c < 0) {
			close(pfd[0]);
			close(pfd[1]);
			fprintf(e->err, "vigie run: cannot start worker %d\n", k + 1);
			rc = EXIT_STORE;
			break;
		}
		if (c == 0) {
			close(pfd[0]);
			for (int j = 0; j < started; j++)
				close(fd[j]);
			_exit(worker_main(e, *o, k + 1, pfd[1]));
		}
		close(pfd[1]);
		pid[started] = c;
		fd[started++] = pfd[0];
	}
	daily_run_result sum;
	memset(&sum, 0, sizeof sum);
	sum.last_before = DATE_NONE;
	int got = 0;
	for (int k = 0; k < started; k++) {
		int status = 0;
		daily_run_result r;
		ssize_t len = read(fd[k], &r, sizeof r);
		close(fd[k]);
		while (waitpid(pid[k], &status, 0) < 0)
			;
		int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && len == (ssize_t)sizeof r;
		if (!ok) {
			if (WIFSIGNALED(status))
				fprintf(e->err, "vigie run: worker %d killed by signal %d\n", k + 1,
				        WTERMSIG(status));
			rc = EXIT_STORE;
			continue;
		}
		if (r.days > 0) {
			if (!got || r.from < sum.from) sum.from = r.from;
			if (!got || r.to > sum.to) sum.to = r.to;
			if (r.days > sum.days) sum.days = r.days;
			sum.policy_changed |= r.policy_changed;
			if (!got || r.last_before == DATE_NONE) sum.last_before = r.last_before;
			got = 1;
		} else if (!got) {
			sum.last_before = r.last_before;
		}
		sum.accounts += r.accounts;
		sum.inserted += r.inserted;
		sum.unchanged += r.unchanged;
	}
	if (rc == EXIT_OK) print_result(e, p, &sum);
	return rc;
}

/* The setting policy_approval = yes: the policy's name and version need an approved (or applied)
 * policy-change request (vigie request policy-change FILE; four eyes). */
typedef struct {
	const policy *p;
	int found;
} pa_ctx;

static int pa_one(void *vc, const store_approval *a)
{
	pa_ctx *c = vc;
	if (strcmp(a->kind, "policy_change") != 0) return 0;
	json_t *j = json_loads(a->payload, 0, NULL);
	const char *name = json_string_value(json_object_get(j, "policy"));
	json_t *ver = json_object_get(j, "version");
	if (name && strcmp(name, c->p->name) == 0 && json_is_integer(ver) && json_integer_value(ver) == c->p->version)
		c->found = 1;
	json_decref(j);
	return 0;
}

static int policy_approved(const cli_env *e, store *s, const policy *p)
{
	char v[16];
	if (store_setting_get_or(s, "policy_approval", "no", v, sizeof v)) return EXIT_OK; /* no settings module */
	if (strcmp(v, "yes") != 0) return EXIT_OK;
	pa_ctx c = {p, 0};
	if (store_approvals_each(s, "approved", NULL, pa_one, &c) || store_approvals_each(s, "applied", NULL, pa_one, &c)) {
		fprintf(e->err, "vigie run: %s\n", store_errmsg(s));
		return EXIT_STORE;
	}
	if (!c.found) {
		fprintf(e->err,
		        "vigie run: policy %s version %d has no approved policy-change request, and the setting "
		        "policy_approval is yes: vigie request policy-change FILE, then another person approves it\n",
		        p->name, (int)p->version);
		return EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

/* --model: the risk refresh as of the run's day, before the run (its grades are the segments). */
static int risk_refresh(const cli_env *e, store *s, const char *path, civil_day as_of)
{
	sc_model *m = NULL;
	char err[1024], name[STORE_ID_MAX];
	if (model_file_load(path, &m, err, sizeof err) != MF_OK) {
		fprintf(e->err, "vigie run: --model: %s\n", err);
		return EXIT_BAD_INPUT;
	}
	const char *base = strrchr(path, '/');
	snprintf(name, sizeof name, "%s", base ? base + 1 : path);
	ew_opts o;
	early_warning_defaults(&o);
	o.as_of = as_of;
	o.model = m;
	o.model_name = name;
	o.actor = "system";
	ew_stats st;
	int rc = EXIT_OK;
	if (early_warning_refresh(s, &o, &RISK_ALERT_STORE, &st, err, sizeof err)) {
		fprintf(e->err, "vigie run: risk refresh: %s\n", err);
		rc = EXIT_STORE;
	} else {
		long raised = 0;
		for (int k = 0; k < EW_N; k++)
			raised += st.raised[k];
		fprintf(e->out, "risk refresh: %ld clients scored, %ld early-warning alerts raised\n", st.scored,
		        raised);
	}
	sc_model_free(m);
	return rc;
}

/* After the run: its follow-ups, recorded in the audit log with the run, then (--templates) the
 * messages rendered. */
static int after_run(const cli_env *e, store *s, const policy *p, civil_day as_of, const tpl_set *ts)
{
	run_followup_result fr;
	char err[512];
	if (run_followup(s, as_of, &fr, err, sizeof err)) {
		fprintf(e->err, "vigie run: follow-up: %s\n", err);
		return EXIT_STORE;
	}
	store_audit_entry *ae = calloc(1, sizeof *ae);
	if (!ae) return EXIT_STORE;
	ae->day = as_of;
	snprintf(ae->actor, sizeof ae->actor, "system");
	snprintf(ae->action, sizeof ae->action, "run");
	snprintf(ae->object, sizeof ae->object, "policy:%s", p->name);
	snprintf(ae->details, sizeof ae->details,
	         "{\"policy\": \"%s\", \"version\": %d, \"alerts\": %lld, \"approval_requests\": %lld}", p->name,
	         (int)p->version, (long long)fr.alerts, (long long)fr.requests);
	if (store_begin(s) || store_audit_append(s, ae) || store_commit(s)) {
		fprintf(e->err, "vigie run: audit: %s\n", store_errmsg(s));
		store_rollback(s);
		free(ae);
		return EXIT_STORE;
	}
	free(ae);
	fprintf(e->out, "follow-up: %lld alerts raised, %lld decisions waiting for approval\n", (long long)fr.alerts,
	        (long long)fr.requests);
	if (!ts) return EXIT_OK;
	outbox_result r;
	int rc = EXIT_OK;
	if (outbox_render(s, ts, as_of, NULL, &r, err, sizeof err)) {
		fprintf(e->err, "vigie run: outbox: %s\n", err);
		rc = EXIT_STORE;
	} else {
		fprintf(e->out,
		        "outbox: %lld decisions rendered: %lld messages queued, %lld held for approval, %lld failed to "
		        "render (vigie outbox --status failed_render)\n",
		        (long long)r.decisions, (long long)r.queued, (long long)r.held, (long long)r.failed);
	}
	return rc;
}

/* --templates DIR, loaded before anything is written: a bad template set stops the run at once. */
static int load_templates(const cli_env *e, const char *dir, tpl_set **ts)
{
	*ts = NULL;
	if (!dir) return EXIT_OK;
	tpl_errors *errs = malloc(sizeof *errs);
	if (!errs) return EXIT_STORE;
	tpl_errors_init(errs);
	tpl_err te = tpl_set_load(dir, ts, errs);
	if (te != TPL_OK) {
		for (int i = 0; i < errs->n; i++)
			fprintf(e->err, "%s\n", errs->msg[i]);
		if (!errs->n) fprintf(e->err, "vigie run: --templates %s: %s\n", dir, tpl_strerror(te));
		free(errs);
		*ts = NULL;
		return te == TPL_ERR_IO ? EXIT_NOT_FOUND : EXIT_BAD_INPUT;
	}
	free(errs);
	return EXIT_OK;
}

int cmd_run(const cli_env *e, int argc, char **argv)
{
	const char *pol = NULL, *as_of = NULL, *alloc = NULL, *batch = NULL, *workers = NULL, *lease = NULL,
	           *model = NULL, *templates = NULL;
	const cli_opt opts[] = {{"policy", 1, &pol},        {"as-of", 1, &as_of},     {"allocation", 1, &alloc},
	                        {"batch", 1, &batch},       {"workers", 1, &workers}, {"lease", 1, &lease},
	                        {"model", 1, &model},       {"templates", 1, &templates},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "run", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(RUN_HELP, e->out);
		return EXIT_OK;
	}
	if (!pol) {
		fprintf(e->err, "vigie run: --policy FILE is required (see vigie run --help)\n");
		return EXIT_USAGE;
	}
	day_out out = {e, 0};
	daily_run_opts o = {.order = ALLOC_DEFAULT, .on_day = print_day, .ctx = &out};
	if (cli_date(e, "run", "as-of", as_of, &o.as_of)) return EXIT_USAGE;
	if (alloc && ledger_order_parse(alloc, &o.order)) {
		fprintf(e->err,
		        "vigie run: --allocation: expected e.g. vertical:penalty,fee,interest,principal, "
		        "found \"%s\"\n",
		        alloc);
		return EXIT_USAGE;
	}
	if (batch && parse_int(e, "batch", batch, 1, 100000, &o.batch)) return EXIT_USAGE;
	int n_workers = 1;
	if (workers && parse_int(e, "workers", workers, 1, 64, &n_workers)) return EXIT_USAGE;
	if (lease && parse_int(e, "lease", lease, 1, 86400, &o.lease_s)) return EXIT_USAGE;
	policy *p = malloc(sizeof *p);
	pf_errors *errs = malloc(sizeof *errs);
	if (!p || !errs) {
		free(p);
		free(errs);
		fprintf(e->err, "vigie: out of memory\n");
		return EXIT_STORE;
	}
	pf_err pe = policy_file_load(pol, p, errs);
	if (pe != PF_OK) {
		for (int i = 0; i < errs->n; i++)
			fprintf(e->err, "%s\n", errs->msg[i]);
		if (errs->n == 0) fprintf(e->err, "%s: %s\n", pol, policy_file_strerror(pe));
		free(p);
		free(errs);
		return pe == PF_ERR_IO ? EXIT_NOT_FOUND : pe == PF_ERR_NOMEM ? EXIT_STORE : EXIT_BAD_INPUT;
	}
	free(errs);
	o.p = p;
	tpl_set *ts = NULL;
	int trc = load_templates(e, templates, &ts);
	if (trc) {
		free(p);
		return trc;
	}
	store *s = cli_open_store(e);
	if (!s) {
		tpl_set_free(ts);
		free(p);
		return EXIT_STORE;
	}
	int rc = EXIT_OK;
	if (store_schema_version(s) < 3) {
		fprintf(e->err, "vigie run: the store needs schema version 3: run vigie init\n");
		rc = EXIT_STORE;
	} else if ((rc = policy_approved(e, s, p)) != EXIT_OK) {
		/* said */
	} else if (model && (rc = risk_refresh(e, s, model, o.as_of)) != EXIT_OK) {
		/* said */
	} else if (n_workers > 1 && strcmp(store_backend(s), "postgres") != 0) {
		fprintf(e->err,
		        "vigie run: --workers %d: several workers need PostgreSQL; SQLite has one writer, "
		        "run with one worker\n",
		        n_workers);
		rc = EXIT_USAGE;
	} else if (n_workers > 1) {
		store_close(s); /* each worker opens its own connection */
		s = NULL;
		rc = run_workers(e, &o, n_workers, p);
	} else {
		daily_run_result r;
		char err[512];
		if (daily_run(s, &o, &r, err, sizeof err)) {
			fprintf(e->err, "vigie run: %s\n", err);
			rc = EXIT_STORE;
		} else {
			print_result(e, p, &r);
		}
	}
	if (rc == EXIT_OK && !s) s = cli_open_store(e); /* the workers' parent */
	if (rc == EXIT_OK && !s) rc = EXIT_STORE;
	if (rc == EXIT_OK) rc = after_run(e, s, p, o.as_of, ts);
	if (s) store_close(s);
	tpl_set_free(ts);
	free(p);
	return rc;
}

/* --- listing decisions ----------------------------------------------------------------------- */

typedef struct {
	const cli_env *e;
	int format;
	int rows;
	json_out j;
	/* --as USER: only the decisions of accounts the user may see (role and branch) */
	store *s;
	const access_user *u;
	char last_account[STORE_ID_MAX];
	int last_visible;
} list_out;

/* 1 when the listing shows decisions of this account (no --as: every account). */
static int visible(list_out *c, const store_decision *d)
{
	if (!c->u) return 1;
	if (strcmp(c->last_account, d->account_ext_id) != 0) {
		store_account a;
		snprintf(c->last_account, sizeof c->last_account, "%s", d->account_ext_id);
		c->last_visible = store_account_get(c->s, d->account_ext_id, &a) == STORE_OK &&
		                  access_can(c->u, ACT_READ) && access_can_see(c->u, a.branch, a.officer);
	}
	return c->last_visible;
}

static void amount_text(int64_t minor, const char *currency, char *buf, size_t cap)
{
	const currency_info *ci = currency_find(currency, strlen(currency));
	money_format(minor, ci ? ci->exponent : 0, buf, cap);
}

/* One decision as a row (kind "decision"), in the list's format. */
static int decision_row(void *ctx, const store_decision *d)
{
	list_out *c = ctx;
	if (!visible(c, d)) return 0;
	FILE *f = c->e->out;
	char day[16], anchor[16] = "", amount[40];
	date_format(d->day, day, sizeof day);
	if (d->anchor != DATE_NONE) date_format(d->anchor, anchor, sizeof anchor);
	amount_text(d->late_amount, d->currency, amount, sizeof amount);
	const char *what = d->channels[0] ? d->channels : d->task_kind;
	if (c->format == 2) {
		json_out *j = &c->j;
		json_obj_begin(j);
		json_kint(j, "id", d->id);
		json_kstr(j, "day", day);
		json_kstr(j, "account_id", d->account_ext_id);
		json_kstr(j, "segment", d->segment);
		json_kstr(j, "step", d->step);
		json_kstr(j, "action", d->action);
		json_kstr(j, "channels", d->channels);
		json_kstr(j, "template", d->template_name);
		json_kstr(j, "task", d->task_kind);
		json_kstr(j, "assignee", d->assignee);
		json_key(j, "four_eyes");
		json_bool(j, d->four_eyes);
		json_kstr(j, "status", d->status);
		json_kstr(j, "anchor", anchor);
		json_kint(j, "days_past_due", d->dpd);
		json_kstr(j, "late_amount", amount);
		json_kstr(j, "currency", d->currency);
		json_kstr(j, "dedupe_key", d->dedupe_key);
		json_obj_end(j);
	} else if (c->format == 1) {
		if (!c->rows)
			fprintf(
			    f, "id,day,account_id,segment,step,action,channels,template,task,assignee,four_eyes,"
			       "status,anchor,days_past_due,late_amount,currency,dedupe_key\n");
		fprintf(f, "%lld,%s,", (long long)d->id, day);
		csv_out_field(f, d->account_ext_id);
		fputc(',', f);
		csv_out_field(f, d->segment);
		fputc(',', f);
		csv_out_field(f, d->step);
		fprintf(f, ",%s,", d->action);
		csv_out_field(f, d->channels);
		fputc(',', f);
		csv_out_field(f, d->template_name);
		fprintf(f, ",%s,", d->task_kind);
		csv_out_field(f, d->assignee);
		fprintf(f, ",%s,%s,%s,%d,%s,%s,", d->four_eyes ? "yes" : "no", d->status, anchor, (int)d->dpd,
		        amount, d->currency);
		csv_out_field(f, d->dedupe_key);
		fputc('\n', f);
	} else {
		if (!c->rows)
			fprintf(f, "%-8s %-10s %-12s %-10s %-18s %-16s %-22s %-22s %-16s %-6s %5s %14s\n", "id",
			        "day", "account", "segment", "step", "action", "channels/task", "template",
			        "assignee", "status", "dpd", "late");
		fprintf(f, "%-8lld %-10s %-12s %-10s %-18s %-16s %-22s %-22s %-16s %-6s %5d %14s%s\n",
		        (long long)d->id, day, d->account_ext_id, d->segment, d->step, d->action, what, d->template_name,
		        d->assignee, d->status, (int)d->dpd, amount, d->four_eyes ? " (four eyes)" : "");
	}
	c->rows++;
	return ferror(f) ? -1 : 0;
}

static int list(const cli_env *e, const char *cmd, const store_decision_filter *flt, int format,
                const char *what, const char *as)
{
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	if (store_schema_version(s) < 3) {
		fprintf(e->err, "vigie %s: the store needs schema version 3: run vigie init\n", cmd);
		store_close(s);
		return EXIT_STORE;
	}
	list_out c = {.e = e, .format = format, .s = s};
	access_user u;
	store_user ub;
	if (as) {
		int arc = cli_actor(e, s, as, &u, &ub);
		if (arc) {
			store_close(s);
			return arc;
		}
		c.u = &u;
	}
	if (format == 2) {
		json_init(&c.j, e->out, 1);
		json_obj_begin(&c.j);
		json_key(&c.j, what);
		json_arr_begin(&c.j);
	}
	int rc = EXIT_OK;
	if (store_decisions_each(s, flt, decision_row, &c)) {
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		rc = EXIT_STORE;
	}
	if (format == 2) {
		json_arr_end(&c.j);
		json_kint(&c.j, "count", c.rows);
		json_obj_end(&c.j);
		json_end(&c.j);
	} else if (format == 0) {
		fprintf(e->out, "%d %s\n", c.rows, what);
	}
	store_close(s);
	return rc;
}

int cmd_decisions(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *format = NULL, *action = NULL, *status = NULL, *from = NULL, *as = NULL;
	const cli_opt opts[] = {{"as-of", 1, &as_of},   {"from", 1, &from},     {"format", 1, &format},
	                        {"action", 1, &action}, {"status", 1, &status}, {"as", 1, &as},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int n, help, fmt;
	if (cli_parse(e, "decisions", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(DECISIONS_HELP, e->out);
		return EXIT_OK;
	}
	store_decision_filter f = {.action = action, .status = status, .from = DATE_NONE, .to = DATE_NONE};
	if ((as_of && cli_date(e, "decisions", "as-of", as_of, &f.to)) ||
	    (from && cli_date(e, "decisions", "from", from, &f.from)) || parse_format(e, "decisions", format, &fmt))
		return EXIT_USAGE;
	return list(e, "decisions", &f, fmt, "decisions", as);
}

int cmd_tasks(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *format = NULL, *officer = NULL, *as = NULL;
	const cli_opt opts[] = {{"as-of", 1, &as_of},     {"format", 1, &format}, {"officer", 1, &officer},
	                        {"as", 1, &as},           {NULL, 0, NULL}};
	const char *pos[1];
	int n, help, fmt;
	if (cli_parse(e, "tasks", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(TASKS_HELP, e->out);
		return EXIT_OK;
	}
	store_decision_filter f = {
	    .status = "open", .assignee = officer, .from = DATE_NONE, .to = DATE_NONE, .by_priority = 1};
	if ((as_of && cli_date(e, "tasks", "as-of", as_of, &f.to)) || parse_format(e, "tasks", format, &fmt))
		return EXIT_USAGE;
	return list(e, "tasks", &f, fmt, "tasks", as);
}


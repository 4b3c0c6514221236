/* cmd_run.c: the persisted daily run and what it leaves behind: `vigie run` (engine/daily_run),
 * `vigie outbox` (queued messages), `vigie tasks` (open tasks by priority) and `vigie timeline`
 * (every decision and payment of one account, in date order). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/currency.h"
#include "core/money.h"
#include "engine/daily_run.h"
#include "io/csv_out.h"
#include "io/json_out.h"
#include "io/policy_file.h"

static const char RUN_HELP[] =
    "usage: vigie [--db PATH|URL] run --policy FILE --as-of DATE [--allocation ORDER]\n"
    "\n"
    "Runs the policy for every day from the day after the last run to DATE, in order (a first run:\n"
    "DATE alone), and stores its decisions: messages (queued in the outbox), tasks, and the other\n"
    "actions. Each day evaluates only the accounts whose state can change on it. Running a day again\n"
    "changes nothing; a run interrupted at any point and run again ends as one clean run would.\n"
    "Prints per day the accounts evaluated and the decisions created and already stored.\n";

static const char OUTBOX_HELP[] =
    "usage: vigie [--db PATH|URL] outbox [--as-of DATE] [--format table|csv|json]\n"
    "\n"
    "Lists the queued messages (due on or before DATE when given), by day.\n";

static const char TASKS_HELP[] =
    "usage: vigie [--db PATH|URL] tasks [--officer NAME] [--as-of DATE] [--format table|csv|json]\n"
    "\n"
    "Lists the open tasks and four-eyes decisions (due on or before DATE when given; of one officer\n"
    "or role:NAME), by priority: days late on the decision's day, then late amount, descending.\n";

static const char TIMELINE_HELP[] =
    "usage: vigie [--db PATH|URL] timeline ID [--as-of DATE] [--format table|csv|json]\n"
    "\n"
    "Every decision (message, task, other step, case closed) and every payment of one account, in\n"
    "date order (on or before DATE when given).\n";

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

static int print_day(void *ctx, const daily_run_day *d)
{
	const cli_env *e = ctx;
	char day[16];
	date_format(d->day, day, sizeof day);
	fprintf(e->out, "%s: %lld accounts evaluated, %lld decisions created, %lld unchanged\n", day,
	        (long long)d->accounts, (long long)d->inserted, (long long)d->unchanged);
	fflush(e->out);
	return 0;
}

int cmd_run(const cli_env *e, int argc, char **argv)
{
	const char *pol = NULL, *as_of = NULL, *alloc = NULL, *batch = NULL;
	const cli_opt opts[] = {{"policy", 1, &pol},
	                        {"as-of", 1, &as_of},
	                        {"allocation", 1, &alloc},
	                        {"batch", 1, &batch},
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
	daily_run_opts o = {.order = ALLOC_DEFAULT, .on_day = print_day, .ctx = (void *)e};
	if (cli_date(e, "run", "as-of", as_of, &o.as_of)) return EXIT_USAGE;
	if (alloc && ledger_order_parse(alloc, &o.order)) {
		fprintf(e->err,
		        "vigie run: --allocation: expected e.g. vertical:penalty,fee,interest,principal, "
		        "found \"%s\"\n",
		        alloc);
		return EXIT_USAGE;
	}
	if (batch) {
		char *end;
		long b = strtol(batch, &end, 10);
		if (*end || b < 1 || b > 100000) {
			fprintf(e->err,
			        "vigie run: --batch: expected a number from 1 to 100000, found \"%s\"\n",
			        batch);
			return EXIT_USAGE;
		}
		o.batch = (int)b;
	}
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
	store *s = cli_open_store(e);
	if (!s) {
		free(p);
		return EXIT_STORE;
	}
	int rc = EXIT_OK;
	if (store_schema_version(s) < 2) {
		fprintf(e->err, "vigie run: the store needs schema version 2: run vigie init\n");
		rc = EXIT_STORE;
	} else {
		daily_run_result r;
		char err[512], from[16], to[16], last[16];
		if (daily_run(s, &o, &r, err, sizeof err)) {
			fprintf(e->err, "vigie run: %s\n", err);
			rc = EXIT_STORE;
		} else if (r.days == 0) {
			date_format(r.last_before, last, sizeof last);
			fprintf(e->out, "nothing to do: the last day run is %s\n", last);
		} else {
			date_format(r.from, from, sizeof from);
			date_format(r.to, to, sizeof to);
			if (r.last_before == DATE_NONE)
				fprintf(e->out, "first run: from %s only (earlier days are not replayed)\n",
				        from);
			if (r.policy_changed)
				fprintf(e->out,
				        "policy %s version %d differs from the last run's: every account "
				        "re-planned\n",
				        p->name, (int)p->version);
			fprintf(e->out,
			        "policy %s version %d: %d days run (%s to %s), %lld accounts evaluated, %lld "
			        "decisions created, %lld unchanged\n",
			        p->name, (int)p->version, r.days, from, to, (long long)r.accounts,
			        (long long)r.inserted, (long long)r.unchanged);
		}
	}
	store_close(s);
	free(p);
	return rc;
}

/* --- listing decisions ----------------------------------------------------------------------- */

typedef struct {
	const cli_env *e;
	int format;
	int rows;
	json_out j;
} list_out;

static void amount_text(int64_t minor, const char *currency, char *buf, size_t cap)
{
	const currency_info *ci = currency_find(currency, strlen(currency));
	money_format(minor, ci ? ci->exponent : 0, buf, cap);
}

/* One decision as a row (kind "decision"), in the list's format. */
static int decision_row(void *ctx, const store_decision *d)
{
	list_out *c = ctx;
	FILE *f = c->e->out;
	char day[16], anchor[16] = "", amount[40];
	date_format(d->day, day, sizeof day);
	if (d->anchor != DATE_NONE) date_format(d->anchor, anchor, sizeof anchor);
	amount_text(d->late_amount, d->currency, amount, sizeof amount);
	const char *what = d->channels[0] ? d->channels : d->task_kind;
	if (c->format == 2) {
		json_out *j = &c->j;
		json_obj_begin(j);
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
			    f, "day,account_id,segment,step,action,channels,template,task,assignee,four_eyes,"
			       "status,anchor,days_past_due,late_amount,currency,dedupe_key\n");
		fprintf(f, "%s,", day);
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
			fprintf(f, "%-10s %-12s %-10s %-18s %-16s %-22s %-22s %-16s %-6s %5s %14s\n", "day",
			        "account", "segment", "step", "action", "channels/task", "template",
			        "assignee", "status", "dpd", "late");
		fprintf(f, "%-10s %-12s %-10s %-18s %-16s %-22s %-22s %-16s %-6s %5d %14s%s\n", day,
		        d->account_ext_id, d->segment, d->step, d->action, what, d->template_name,
		        d->assignee, d->status, (int)d->dpd, amount, d->four_eyes ? " (four eyes)" : "");
	}
	c->rows++;
	return ferror(f) ? -1 : 0;
}

static int list(const cli_env *e, const char *cmd, const store_decision_filter *flt, int format,
                const char *what)
{
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	if (store_schema_version(s) < 2) {
		fprintf(e->err, "vigie %s: the store needs schema version 2: run vigie init\n", cmd);
		store_close(s);
		return EXIT_STORE;
	}
	list_out c = {.e = e, .format = format};
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

int cmd_outbox(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *format = NULL;
	const cli_opt opts[] = {{"as-of", 1, &as_of}, {"format", 1, &format}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, help, fmt;
	if (cli_parse(e, "outbox", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(OUTBOX_HELP, e->out);
		return EXIT_OK;
	}
	store_decision_filter f = {
	    .action = "message", .status = "queued", .from = DATE_NONE, .to = DATE_NONE};
	if ((as_of && cli_date(e, "outbox", "as-of", as_of, &f.to)) ||
	    parse_format(e, "outbox", format, &fmt))
		return EXIT_USAGE;
	return list(e, "outbox", &f, fmt, "messages");
}

int cmd_tasks(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *format = NULL, *officer = NULL;
	const cli_opt opts[] = {
	    {"as-of", 1, &as_of}, {"format", 1, &format}, {"officer", 1, &officer}, {NULL, 0, NULL}};
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
	return list(e, "tasks", &f, fmt, "tasks");
}

/* --- vigie timeline -------------------------------------------------------------------------- */

typedef struct {
	list_out *out;
	const store_payment *pay;
	int n_pay, next_pay;
	civil_day to;
	const store_account *a;
} tl_ctx;

static void payment_row(list_out *c, const store_account *a, const store_payment *p)
{
	FILE *f = c->e->out;
	char day[16], amount[40], rev[16] = "";
	date_format(p->paid_on, day, sizeof day);
	amount_text(p->amount, a->currency, amount, sizeof amount);
	if (p->reversed_on != DATE_NONE) date_format(p->reversed_on, rev, sizeof rev);
	if (c->format == 2) {
		json_out *j = &c->j;
		json_obj_begin(j);
		json_kstr(j, "day", day);
		json_kstr(j, "kind", "payment");
		json_kstr(j, "payment_id", p->ext_id);
		json_kstr(j, "amount", amount);
		json_kstr(j, "currency", a->currency);
		json_kstr(j, "reversed_on", rev);
		json_obj_end(j);
	} else if (c->format == 1) {
		fprintf(f, "%s,payment,", day);
		csv_out_field(f, p->ext_id);
		fprintf(f, ",%s,%s,%s\n", amount, a->currency, rev);
	} else {
		fprintf(f, "%-10s payment  %-20s %14s %s%s%s\n", day, p->ext_id, amount, a->currency,
		        rev[0] ? " reversed on " : "", rev);
	}
	c->rows++;
}

static void flush_payments(tl_ctx *t, civil_day upto)
{
	while (t->next_pay < t->n_pay && t->pay[t->next_pay].paid_on <= upto)
		payment_row(t->out, t->a, &t->pay[t->next_pay++]);
}

static int tl_decision(void *ctx, const store_decision *d)
{
	tl_ctx *t = ctx;
	flush_payments(t, d->day); /* a payment comes before the decisions of its day */
	list_out *c = t->out;
	FILE *f = c->e->out;
	if (c->format == 1) {
		char day[16];
		date_format(d->day, day, sizeof day);
		fprintf(f, "%s,decision,", day);
		csv_out_field(f, d->dedupe_key);
		fprintf(f, ",%s,%s,%s\n", d->action, d->channels[0] ? d->channels : d->task_kind, d->status);
		c->rows++;
		return ferror(f) ? -1 : 0;
	}
	if (c->format == 0) {
		char day[16];
		date_format(d->day, day, sizeof day);
		fprintf(f, "%-10s decision %-16s %-12s %-22s %-16s %-6s dpd %d\n", day, d->action,
		        d->step[0] ? d->step : "-", d->channels[0] ? d->channels : d->task_kind, d->assignee,
		        d->status, (int)d->dpd);
		c->rows++;
		return ferror(f) ? -1 : 0;
	}
	return decision_row(c, d);
}

int cmd_timeline(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *format = NULL;
	const cli_opt opts[] = {{"as-of", 1, &as_of}, {"format", 1, &format}, {NULL, 0, NULL}};
	const char *pos[2];
	int n, help, fmt;
	if (cli_parse(e, "timeline", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(TIMELINE_HELP, e->out);
		return EXIT_OK;
	}
	if (n != 1) {
		fprintf(e->err, "vigie timeline: expected one account ID (see vigie timeline --help)\n");
		return EXIT_USAGE;
	}
	civil_day to = DATE_NONE;
	if ((as_of && cli_date(e, "timeline", "as-of", as_of, &to)) ||
	    parse_format(e, "timeline", format, &fmt))
		return EXIT_USAGE;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	store_account a;
	store_rc sr = store_account_get(s, pos[0], &a);
	if (sr != STORE_OK) {
		if (sr == STORE_NOT_FOUND)
			fprintf(e->err, "vigie timeline: no account %s\n", pos[0]);
		else
			fprintf(e->err, "vigie timeline: %s\n", store_errmsg(s));
		store_close(s);
		return sr == STORE_NOT_FOUND ? EXIT_NOT_FOUND : EXIT_STORE;
	}
	if (store_schema_version(s) < 2) {
		fprintf(e->err, "vigie timeline: the store needs schema version 2: run vigie init\n");
		store_close(s);
		return EXIT_STORE;
	}
	int np = 0, rc = EXIT_OK;
	store_payment *pay = NULL;
	if (store_payments_get(s, a.id, NULL, 0, &np) == STORE_OK && np > 0) {
		pay = calloc((size_t)np, sizeof *pay);
		if (!pay || store_payments_get(s, a.id, pay, np, &np)) {
			fprintf(e->err, "vigie timeline: %s\n", pay ? store_errmsg(s) : "out of memory");
			free(pay);
			store_close(s);
			return EXIT_STORE;
		}
	}
	int shown = np;
	while (to != DATE_NONE && shown > 0 && pay[shown - 1].paid_on > to)
		shown--;
	list_out c = {.e = e, .format = fmt};
	tl_ctx t = {.out = &c, .pay = pay, .n_pay = shown, .a = &a, .to = to};
	if (fmt == 2) {
		json_init(&c.j, e->out, 1);
		json_obj_begin(&c.j);
		json_kstr(&c.j, "account_id", a.ext_id);
		json_key(&c.j, "timeline");
		json_arr_begin(&c.j);
	} else if (fmt == 1) {
		fprintf(e->out, "day,kind,id,what,detail,status\n");
	} else {
		fprintf(e->out, "Timeline of %s (%s, officer %s)\n", a.ext_id, a.currency,
		        a.officer[0] ? a.officer : "-");
	}
	store_decision_filter f = {.account_id = a.id, .from = DATE_NONE, .to = to};
	if (store_decisions_each(s, &f, tl_decision, &t)) {
		fprintf(e->err, "vigie timeline: %s\n", store_errmsg(s));
		rc = EXIT_STORE;
	}
	flush_payments(&t, DATE_MAX);
	if (fmt == 2) {
		json_arr_end(&c.j);
		json_obj_end(&c.j);
		json_end(&c.j);
	}
	free(pay);
	store_close(s);
	return rc;
}

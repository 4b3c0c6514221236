/* cmd_policy.c: `vigie policy check FILE` (load and validate a policy file) and `vigie simulate`
 * (replay a policy over the store's history without writing, and report what it would have done). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/simulate.h"
#include "io/csv_out.h"
#include "io/json_out.h"
#include "io/policy_file.h"

static const char POLICY_HELP[] = "usage: vigie policy check FILE.yaml\n"
                                  "\n"
                                  "Loads a follow-up and collection policy and validates it. Prints\n"
                                  "  FILE: policy NAME version N OK (S segments, T steps)\n"
                                  "or every error as FILE:LINE: FIELD: expected ..., found ... (exit 1).\n"
                                  "The format is described in docs/policies.md; examples are in policies/.\n";

static const char SIMULATE_HELP[] =
    "usage: vigie [--db PATH|URL] simulate --policy FILE --from DATE --to DATE [options]\n"
    "\n"
    "Replays the store's history under a policy, day by day from DATE to DATE, without writing\n"
    "anything, and reports what the policy would have done: per day the number of messages (by\n"
    "channel), tasks, alerts, escalations, notices, court files, ... and the total.\n"
    "\n"
    "Options:\n"
    "  --policy FILE             the policy (YAML, see docs/policies.md)\n"
    "  --from DATE, --to DATE    the days replayed (at most 3660)\n"
    "  --format table|csv|json   output format (default table)\n"
    "  --account ID              only this account, with the list of its decisions\n"
    "  --detail                  the list of every decision (day, account, segment, step, action,\n"
    "                            channels, template, assignee, four eyes, dedupe key)\n"
    "  --allocation ORDER        payment allocation order (default "
    "vertical:penalty,fee,interest,principal)\n";

/* Loads a policy, printing the errors. Returns NULL (errors printed) or the policy. */
static policy *load(const cli_env *e, const char *path, int *rc)
{
	policy *p = malloc(sizeof *p);
	pf_errors *errs = malloc(sizeof *errs);
	if (!p || !errs) {
		free(p);
		free(errs);
		fprintf(e->err, "vigie: out of memory\n");
		*rc = EXIT_STORE;
		return NULL;
	}
	pf_err pe = policy_file_load(path, p, errs);
	if (pe != PF_OK) {
		for (int i = 0; i < errs->n; i++)
			fprintf(e->err, "%s\n", errs->msg[i]);
		if (errs->more) fprintf(e->err, "%s: ... and %d more errors\n", path, errs->more);
		if (errs->n == 0) fprintf(e->err, "%s: %s\n", path, policy_file_strerror(pe));
		*rc = pe == PF_ERR_IO ? EXIT_NOT_FOUND : pe == PF_ERR_NOMEM ? EXIT_STORE : EXIT_BAD_INPUT;
		free(p);
		p = NULL;
	}
	free(errs);
	return p;
}

int cmd_policy(const cli_env *e, int argc, char **argv)
{
	const cli_opt opts[] = {{NULL, 0, NULL}};
	const char *pos[2];
	int n, help;
	if (cli_parse(e, "policy", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(POLICY_HELP, e->out);
		return EXIT_OK;
	}
	if (n != 2 || strcmp(pos[0], "check") != 0) {
		fprintf(e->err, "vigie policy: expected check FILE (see vigie policy --help)\n");
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	policy *p = load(e, pos[1], &rc);
	if (!p) return rc;
	fprintf(e->out, "%s: policy %s version %d OK (%d segments, %d steps)\n", pos[1], p->name,
	        (int)p->version, p->n_seg, policy_file_count_steps(p));
	free(p);
	return EXIT_OK;
}

typedef struct {
	const cli_env *e;
	int format; /* 0 table, 1 csv, 2 json */
	json_out j;
	int rows;
} sim_out;

static int detail_row(void *vc, const store_account *a, const policy_decision *d)
{
	sim_out *c = vc;
	FILE *f = c->e->out;
	char day[16], anchor[16], ch[32] = "";
	date_format(d->day, day, sizeof day);
	date_format(d->anchor, anchor, sizeof anchor);
	const policy_step *s = d->s;
	const char *action = s ? policy_action_name(s->action) : "case_closed";
	if (s) policy_channels_text(s->channels, ch, sizeof ch);
	const char *tmpl = s ? s->template_name : "", *assignee = s ? s->assignee : "",
	           *task = s ? policy_task_name(s->task) : "", *step = s ? s->id : "";
	int four = s ? s->four_eyes : 0;
	if (c->format == 2) {
		json_out *j = &c->j;
		json_obj_begin(j);
		json_kstr(j, "day", day);
		json_kstr(j, "account_id", a->ext_id);
		json_kstr(j, "client_id", a->client_ext_id);
		json_kstr(j, "segment", d->segment_name);
		json_kstr(j, "step", step);
		json_kstr(j, "action", action);
		json_key(j, "channels");
		json_arr_begin(j);
		for (int i = 0; s && i < PCH_N; i++)
			if (s->channels & (1u << i)) json_str(j, policy_channel_name(1u << i));
		json_arr_end(j);
		json_kstr(j, "template", tmpl);
		json_kstr(j, "task", task);
		json_kstr(j, "assignee", assignee);
		json_key(j, "four_eyes");
		json_bool(j, four);
		json_kstr(j, "anchor", anchor);
		json_kint(j, "days_past_due", d->dpd);
		json_kstr(j, "dedupe_key", d->dedupe);
		json_obj_end(j);
	} else if (c->format == 1) {
		if (!c->rows++)
			fprintf(
			    f, "day,account_id,segment,step,action,channels,template,task,assignee,four_eyes,"
			       "anchor,days_past_due,dedupe_key\n");
		fprintf(f, "%s,", day);
		csv_out_field(f, a->ext_id);
		fputc(',', f);
		csv_out_field(f, d->segment_name);
		fprintf(f, ",%s,%s,%s,%s,%s,%s,%s,%s,%d,", step, action, ch, tmpl, task, assignee,
		        four ? "yes" : "no", anchor, (int)d->dpd);
		csv_out_field(f, d->dedupe);
		fputc('\n', f);
	} else {
		if (!c->rows++)
			fprintf(f, "%-10s %-12s %-10s %-18s %-16s %-17s %-22s %-16s %-5s %s\n", "day",
			        "account", "segment", "step", "action", "channels/task", "template",
			        "assignee", "4eyes", "dedupe key");
		fprintf(f, "%-10s %-12s %-10s %-18s %-16s %-17s %-22s %-16s %-5s %s\n", day, a->ext_id,
		        d->segment_name, step, action, ch[0] ? ch : task, tmpl, assignee, four ? "yes" : "",
		        d->dedupe);
	}
	return ferror(f) ? -1 : 0;
}

static void print_summary(sim_out *c, const policy *p, const simulate_opts *o, const simulate_result *r,
                          int detail)
{
	FILE *f = c->e->out;
	char day[16], from[16], to[16];
	date_format(o->from, from, sizeof from);
	date_format(o->to, to, sizeof to);
	if (c->format == 2) {
		json_out *j = &c->j;
		if (!detail) {
			json_init(j, f, 1);
			json_obj_begin(j);
		}
		json_kstr(j, "policy", p->name);
		json_kint(j, "version", p->version);
		json_kstr(j, "from", from);
		json_kstr(j, "to", to);
		json_kint(j, "accounts", r->accounts);
		json_kint(j, "accounts_with_decisions", r->accounts_hit);
		json_kint(j, "total_decisions", r->decisions);
		json_key(j, "totals");
		json_obj_begin(j);
		for (int k = 0; k < SIM_NCOUNT; k++)
			json_kint(j, simulate_count_name(k), r->total[k]);
		json_obj_end(j);
		json_key(j, "days");
		json_arr_begin(j);
		for (int i = 0; i < r->n_days; i++) {
			int64_t tot = 0;
			for (int k = 0; k < SIM_NCOUNT; k++)
				if (k < SIM_SMS || k == SIM_CLOSED) tot += r->day[i][k];
			if (!tot) continue;
			date_format(o->from + i, day, sizeof day);
			json_obj_begin(j);
			json_kstr(j, "day", day);
			json_kint(j, "total", tot);
			for (int k = 0; k < SIM_NCOUNT; k++)
				if (r->day[i][k]) json_kint(j, simulate_count_name(k), r->day[i][k]);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
		json_end(j);
		return;
	}
	if (c->format == 1) {
		if (detail) return; /* the CSV detail is one table */
		fprintf(f, "day,total");
		for (int k = 0; k < SIM_NCOUNT; k++)
			fprintf(f, ",%s", simulate_count_name(k));
		fputc('\n', f);
		for (int i = 0; i < r->n_days; i++) {
			int64_t tot = 0;
			for (int k = 0; k < SIM_NCOUNT; k++)
				if (k < SIM_SMS || k == SIM_CLOSED) tot += r->day[i][k];
			if (!tot) continue;
			date_format(o->from + i, day, sizeof day);
			fprintf(f, "%s,%lld", day, (long long)tot);
			for (int k = 0; k < SIM_NCOUNT; k++)
				fprintf(f, ",%lld", (long long)r->day[i][k]);
			fputc('\n', f);
		}
		return;
	}
	static const char *const head[SIM_NCOUNT] = {"msg",   "task",   "alert",  "escal", "plan",
	                                             "renew", "notice", "court",  "insur", "hold",
	                                             "sms",   "email",  "letter", "closed"};
	fprintf(f, "%sSimulation of policy %s version %d from %s to %s (nothing written)\n",
	        detail ? "\n" : "", p->name, (int)p->version, from, to);
	fprintf(f, "%lld accounts, %lld with decisions, %lld decisions\n\n", (long long)r->accounts,
	        (long long)r->accounts_hit, (long long)r->decisions);
	fprintf(f, "%-10s %6s", "day", "total");
	for (int k = 0; k < SIM_NCOUNT; k++)
		fprintf(f, " %6s", head[k]);
	fputc('\n', f);
	for (int i = 0; i <= r->n_days; i++) {
		const int64_t *row = i < r->n_days ? r->day[i] : r->total;
		int64_t tot = 0;
		for (int k = 0; k < SIM_NCOUNT; k++)
			if (k < SIM_SMS || k == SIM_CLOSED) tot += row[k];
		if (!tot && i < r->n_days) continue;
		if (i < r->n_days)
			date_format(o->from + i, day, sizeof day);
		else
			snprintf(day, sizeof day, "total");
		fprintf(f, "%-10s %6lld", day, (long long)tot);
		for (int k = 0; k < SIM_NCOUNT; k++)
			fprintf(f, " %6lld", (long long)row[k]);
		fputc('\n', f);
	}
}

int cmd_simulate(const cli_env *e, int argc, char **argv)
{
	const char *pol = NULL, *from = NULL, *to = NULL, *format = NULL, *account = NULL, *detail = NULL,
	           *alloc = NULL;
	const cli_opt opts[] = {{"policy", 1, &pol},       {"from", 1, &from},       {"to", 1, &to},
	                        {"format", 1, &format},    {"account", 1, &account}, {"detail", 0, &detail},
	                        {"allocation", 1, &alloc}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "simulate", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(SIMULATE_HELP, e->out);
		return EXIT_OK;
	}
	if (!pol) {
		fprintf(e->err, "vigie simulate: --policy FILE is required (see vigie simulate --help)\n");
		return EXIT_USAGE;
	}
	simulate_opts o = {.account = account, .order = ALLOC_DEFAULT};
	if (cli_date(e, "simulate", "from", from, &o.from) || cli_date(e, "simulate", "to", to, &o.to))
		return EXIT_USAGE;
	if (o.to < o.from || (int64_t)o.to - o.from + 1 > SIM_MAX_DAYS) {
		fprintf(e->err, "vigie simulate: expected --from <= --to and at most %d days\n",
		        SIM_MAX_DAYS);
		return EXIT_USAGE;
	}
	sim_out c = {.e = e};
	if (format && strcmp(format, "table") != 0) {
		if (strcmp(format, "csv") == 0)
			c.format = 1;
		else if (strcmp(format, "json") == 0)
			c.format = 2;
		else {
			fprintf(e->err,
			        "vigie simulate: --format: expected table, csv or json, found \"%s\"\n",
			        format);
			return EXIT_USAGE;
		}
	}
	if (alloc && ledger_order_parse(alloc, &o.order)) {
		fprintf(
		    e->err,
		    "vigie simulate: --allocation: expected e.g. vertical:penalty,fee,interest,principal, "
		    "found \"%s\"\n",
		    alloc);
		return EXIT_USAGE;
	}
	int rc = EXIT_OK;
	policy *p = load(e, pol, &rc);
	if (!p) return rc;
	o.p = p;
	store *s = cli_open_store(e);
	if (!s) {
		free(p);
		return EXIT_STORE;
	}
	int want_detail = detail != NULL || account != NULL;
	if (account) {
		store_account a;
		if (store_account_get(s, account, &a) == STORE_NOT_FOUND) {
			fprintf(e->err, "vigie simulate: no account %s\n", account);
			store_close(s);
			free(p);
			return EXIT_NOT_FOUND;
		}
	}
	if (want_detail && c.format == 2) {
		json_init(&c.j, e->out, 1);
		json_obj_begin(&c.j);
		json_key(&c.j, "decisions");
		json_arr_begin(&c.j);
	}
	simulate_result r;
	char err[256];
	if (simulate_run(s, &o, want_detail ? detail_row : NULL, &c, &r, err, sizeof err) == 0) {
		if (want_detail && c.format == 2) json_arr_end(&c.j);
		print_summary(&c, p, &o, &r, want_detail);
		simulate_result_free(&r);
	} else {
		fprintf(e->err, "vigie simulate: %s\n", err);
		rc = EXIT_STORE;
	}
	store_close(s);
	free(p);
	return rc;
}

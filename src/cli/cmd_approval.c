/* cmd_approval.c: four-eyes requests: `vigie request KIND ...` (the maker), `vigie approvals` (the
 * queue), `vigie approve ID` and `vigie reject ID` (the checker, never the maker). What an approved
 * request does: engine/approval_apply.h; payloads: docs/work.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_work.h"
#include "engine/approval_apply.h"
#include "io/policy_file.h"

static const char REQUEST_HELP[] =
    "usage: vigie [--db PATH|URL] request KIND SUBJECT [OPTIONS] --reason TEXT --as USER --on DATE\n"
    "\n"
    "Asks for a four-eyes approval; someone else approves or rejects it (vigie approve / reject).\n"
    "  write-off ACCOUNT                  write the account off (on the approval day)\n"
    "  reschedule ACCOUNT --file F.csv    replace its schedule by the one in F.csv (the import format\n"
    "                                     of schedules: loan_id,due_on,principal,interest,fees[,penalties];\n"
    "                                     checked now: principals add up to the loan's principal)\n"
    "  fee-waiver ACCOUNT --due-on DATE [--fees X] [--penalties X]\n"
    "                                     waive fees/penalties of the installment due on DATE\n"
    "  step DECISION_ID                   approve a four-eyes step of the daily run (--reason optional)\n"
    "  credit-limit CLIENT --limit X --currency CUR\n"
    "                                     a client's credit limit (stored; applied by the limits module)\n"
    "  policy-change FILE.yaml            a new policy version (checked now; stored for approval)\n"
    "Amounts are decimal text in the account's (or --currency's) decimals.\n";

static const char APPROVALS_HELP[] =
    "usage: vigie [--db PATH|URL] approvals [--status pending|approved|rejected|applied] [--as USER]\n"
    "                                [--format table|json]\n"
    "\n"
    "The approval queue, oldest first. With --as, only the requests of the branches USER may see.\n";

static const char APPROVE_HELP[] =
    "usage: vigie [--db PATH|URL] approve ID [--note TEXT] --as USER --on DATE\n"
    "       vigie [--db PATH|URL] reject ID --note TEXT --as USER --on DATE\n"
    "\n"
    "Approves or rejects a pending request. The checker may not be its maker and must be allowed to\n"
    "approve on its branch. Approved, the request is applied in the same transaction (a write-off,\n"
    "a new schedule, a fee waiver, a four-eyes step going on), all or nothing; rejected, nothing is\n"
    "applied (a four-eyes step is cancelled).\n";

/* --- vigie request --------------------------------------------------------------------------- */

static int account_of(const cli_env *e, const char *cmd, store *s, const char *ext, store_account *a)
{
	store_rc sr = store_account_get(s, ext, a);
	return sr ? work_lookup_fail(e, cmd, s, sr, "ACCOUNT: expected a known account, found \"%s\"", ext) : 0;
}

static int apply_said(const cli_env *e, const char *cmd, apply_rc ar, const char *msg)
{
	if (msg && *msg) fprintf(e->err, "vigie %s: %s\n", cmd, msg);
	switch (ar) {
	case APPLY_OK:
		return EXIT_OK;
	case APPLY_NOT_FOUND:
		return EXIT_NOT_FOUND;
	case APPLY_STORE:
		return EXIT_STORE;
	default:
		return EXIT_BAD_INPUT;
	}
}

int cmd_request(const cli_env *e, int argc, char **argv)
{
	const char *reason = NULL, *as = NULL, *on = NULL, *file = NULL, *due = NULL, *fees = NULL,
	           *pen = NULL, *limit = NULL, *currency = NULL;
	const cli_opt opts[] = {{"reason", 1, &reason}, {"as", 1, &as},       {"on", 1, &on},
	                        {"file", 1, &file},     {"due-on", 1, &due},  {"fees", 1, &fees},
	                        {"penalties", 1, &pen}, {"limit", 1, &limit}, {"currency", 1, &currency},
	                        {NULL, 0, NULL}};
	const char *pos[2];
	int n;
	const char *cmd = "request";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 2, &n, REQUEST_HELP);
	if (rc >= 0) return rc;
	static const char *const KINDS[][2] = {
	    {"write-off", "write_off"}, {"reschedule", "reschedule"},     {"fee-waiver", "fee_waiver"},
	    {"step", "step"},           {"credit-limit", "credit_limit"}, {"policy-change", "policy_change"}};
	const char *kind = NULL;
	for (size_t i = 0; n >= 1 && i < sizeof KINDS / sizeof *KINDS; i++)
		if (strcmp(pos[0], KINDS[i][0]) == 0) kind = KINDS[i][1];
	if (n != 2 || !kind) {
		fprintf(e->err,
		        "vigie %s: expected write-off|reschedule|fee-waiver ACCOUNT, step DECISION_ID, "
		        "credit-limit "
		        "CLIENT or policy-change FILE (see vigie request --help)\n",
		        cmd);
		return EXIT_USAGE;
	}
	civil_day day;
	if (cli_date(e, cmd, "on", on, &day)) return EXIT_USAGE;
	int is_step = strcmp(kind, "step") == 0;
	if (work_text(e, cmd, "reason", reason, STORE_NOTE_MAX, !is_step)) return EXIT_BAD_INPUT;
	/* options that belong to other kinds are mistakes, not ignored */
	struct {
		const char *v, *name, *kind;
	} only[] = {{file, "file", "reschedule"},     {due, "due-on", "fee_waiver"},
	            {fees, "fees", "fee_waiver"},     {pen, "penalties", "fee_waiver"},
	            {limit, "limit", "credit_limit"}, {currency, "currency", "credit_limit"}};
	for (size_t i = 0; i < sizeof only / sizeof *only; i++)
		if (only[i].v && strcmp(kind, only[i].kind) != 0) {
			fprintf(e->err, "vigie %s: --%s: expected only with a %s request\n", cmd,
			        only[i].name, only[i].kind);
			return EXIT_BAD_INPUT;
		}
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	store_approval *ap = calloc(1, sizeof *ap);
	work_actor w;
	store_account a;
	rc = ap ? work_actor_load(e, s, cmd, as, &w) : EXIT_STORE;
	char msg[1024] = "";
	apply_rc ar = APPLY_OK;
	if (rc) goto out;
	snprintf(ap->kind, sizeof ap->kind, "%s", kind);
	snprintf(ap->maker, sizeof ap->maker, "%s", w.u.name);
	snprintf(ap->note, sizeof ap->note, "%s", reason ? reason : "");
	ap->made_on = day;
	const char *subject = pos[1];
	if (strcmp(kind, "step") == 0) {
		store_decision d;
		if (work_id(e, cmd, "DECISION_ID", subject, &ap->decision_id)) {
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		ar = approval_step_payload(s, ap->decision_id, &d, ap->payload, sizeof ap->payload, msg,
		                           sizeof msg);
		if (ar) goto said;
		if ((rc = account_of(e, cmd, s, d.account_ext_id, &a)) ||
		    (rc = work_allow(e, cmd, &w, ACT_REQUEST, a.branch, a.officer)))
			goto out;
		ap->account_id = a.id;
		snprintf(ap->subject, sizeof ap->subject, "%s", a.ext_id);
		snprintf(ap->branch, sizeof ap->branch, "%s", a.branch);
	} else if (strcmp(kind, "credit_limit") == 0) {
		store_client c;
		store_rc sr = store_client_get(s, subject, &c);
		if (sr) {
			rc = work_lookup_fail(e, cmd, s, sr, "CLIENT: expected a known client, found \"%s\"",
			                      subject);
			goto out;
		}
		if ((rc = work_allow(e, cmd, &w, ACT_LIMIT, c.branch, c.officer))) goto out;
		if (!limit || !currency) {
			fprintf(e->err, "vigie %s: credit-limit: expected --limit X and --currency CUR\n",
			        cmd);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		int64_t lim;
		if (work_amount_parse(e, cmd, "limit", limit, currency, &lim)) {
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		ar = approval_credit_limit_payload(c.ext_id, currency, lim, reason, ap->payload,
		                                   sizeof ap->payload, msg, sizeof msg);
		if (ar) goto said;
		snprintf(ap->subject, sizeof ap->subject, "%s", c.ext_id);
		snprintf(ap->branch, sizeof ap->branch, "%s", c.branch);
	} else if (strcmp(kind, "policy_change") == 0) {
		if ((rc = work_allow(e, cmd, &w, ACT_POLICY, NULL, NULL))) goto out;
		policy *p = malloc(sizeof *p);
		pf_errors *errs = malloc(sizeof *errs);
		pf_err pe = p && errs ? policy_file_load(subject, p, errs) : PF_ERR_NOMEM;
		if (pe != PF_OK) {
			for (int i = 0; errs && i < errs->n; i++)
				fprintf(e->err, "%s\n", errs->msg[i]);
			if (!errs || errs->n == 0)
				fprintf(e->err, "%s: %s\n", subject, policy_file_strerror(pe));
			rc = pe == PF_ERR_IO      ? EXIT_NOT_FOUND
			     : pe == PF_ERR_NOMEM ? EXIT_STORE
			                          : EXIT_BAD_INPUT;
		} else {
			ar = approval_policy_change_payload(p->name, (int)p->version, subject, reason,
			                                    ap->payload, sizeof ap->payload, msg, sizeof msg);
			snprintf(ap->subject, sizeof ap->subject, "%s", p->name);
		}
		free(p);
		free(errs);
		if (rc) goto out;
		if (ar) goto said;
	} else {
		if ((rc = account_of(e, cmd, s, subject, &a)) ||
		    (rc = work_allow(e, cmd, &w, ACT_REQUEST, a.branch, a.officer)))
			goto out;
		ap->account_id = a.id;
		snprintf(ap->subject, sizeof ap->subject, "%s", a.ext_id);
		snprintf(ap->branch, sizeof ap->branch, "%s", a.branch);
		if (strcmp(kind, "write_off") == 0) {
			ar = approval_write_off_payload(&a, reason, ap->payload, sizeof ap->payload, msg,
			                                sizeof msg);
		} else if (strcmp(kind, "reschedule") == 0) {
			if (!file) {
				fprintf(e->err,
				        "vigie %s: reschedule: expected --file F.csv (the new schedule)\n",
				        cmd);
				rc = EXIT_BAD_INPUT;
				goto out;
			}
			ar = approval_reschedule_payload(&a, file, NULL, reason, ap->payload,
			                                 sizeof ap->payload, e->err);
		} else { /* fee_waiver */
			civil_day due_on;
			int64_t f = 0, p = 0;
			if (!due || (!fees && !pen)) {
				fprintf(e->err,
				        "vigie %s: fee-waiver: expected --due-on DATE and --fees X or "
				        "--penalties X\n",
				        cmd);
				rc = EXIT_BAD_INPUT;
				goto out;
			}
			if (cli_date(e, cmd, "due-on", due, &due_on) ||
			    (fees && work_amount_parse(e, cmd, "fees", fees, a.currency, &f)) ||
			    (pen && work_amount_parse(e, cmd, "penalties", pen, a.currency, &p))) {
				rc = EXIT_BAD_INPUT;
				goto out;
			}
			ar = approval_fee_waiver_payload(s, &a, due_on, f, p, reason, ap->payload,
			                                 sizeof ap->payload, msg, sizeof msg);
		}
		if (ar) goto said;
	}
	char obj[64], details[1024];
	store_rc sr;
	if ((sr = store_begin(s)) || (sr = store_approval_request(s, ap))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	snprintf(obj, sizeof obj, "approval:%lld", (long long)ap->id);
	const char *kv[] = {"kind",     ap->kind, "subject", ap->subject, "branch",
	                    ap->branch, "reason", ap->note,  NULL};
	work_details(details, sizeof details, kv);
	if ((sr = work_audit(s, day, w.u.name, "approval.request", obj, details)) || (sr = store_commit(s))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	fprintf(e->out, "request %lld (%s of %s) pending approval by someone other than %s\n",
	        (long long)ap->id, ap->kind, ap->subject, ap->maker);
	goto out;
said:
	rc = apply_said(e, cmd, ar, msg);
out:
	free(ap);
	store_close(s);
	return rc;
}

/* --- vigie approvals ------------------------------------------------------------------------- */

typedef struct {
	const cli_env *e;
	const work_actor *w;
	int fmt, shown;
	json_out j;
} appr_ctx;

static int approval_row(void *ctx, const store_approval *a)
{
	appr_ctx *c = ctx;
	if (c->w && !access_can_see(&c->w->a, a->branch, NULL) && strcmp(c->w->u.name, a->maker) != 0)
		return 0;
	char made[16], checked[16] = "";
	date_format(a->made_on, made, sizeof made);
	if (a->checked_on != DATE_NONE) date_format(a->checked_on, checked, sizeof checked);
	FILE *f = c->e->out;
	if (c->fmt) {
		json_out *j = &c->j;
		json_obj_begin(j);
		json_kint(j, "id", a->id);
		json_kstr(j, "kind", a->kind);
		json_kstr(j, "subject", a->subject);
		if (a->decision_id)
			json_kint(j, "decision_id", a->decision_id);
		else {
			json_key(j, "decision_id");
			json_nullv(j);
		}
		json_key(j, "payload");
		json_raw(j, a->payload[0] ? a->payload : "{}");
		json_kstr(j, "maker", a->maker);
		json_kstr(j, "made_on", made);
		json_kstr(j, "branch", a->branch);
		json_kstr(j, "status", a->status);
		json_kstr(j, "checker", a->checker);
		json_kstr(j, "checked_on", checked);
		json_kstr(j, "note", a->note);
		json_obj_end(j);
	} else {
		if (!c->shown)
			fprintf(f, "%-6s %-14s %-12s %-10s %-12s %-10s %-10s %-12s %s\n", "id", "kind",
			        "subject", "made", "maker", "branch", "status", "checker", "note");
		fprintf(f, "%-6lld %-14s %-12s %-10s %-12s %-10s %-10s %-12s %s\n", (long long)a->id, a->kind,
		        a->subject, made, a->maker, a->branch[0] ? a->branch : "-", a->status,
		        a->checker[0] ? a->checker : "-", a->note);
	}
	c->shown++;
	return ferror(f) ? -1 : 0;
}

int cmd_approvals(const cli_env *e, int argc, char **argv)
{
	const char *status = NULL, *as = NULL, *format = NULL;
	const cli_opt opts[] = {
	    {"status", 1, &status}, {"as", 1, &as}, {"format", 1, &format}, {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = "approvals";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 0, &n, APPROVALS_HELP);
	if (rc >= 0) return rc;
	if (status && strcmp(status, "pending") && strcmp(status, "approved") && strcmp(status, "rejected") &&
	    strcmp(status, "applied")) {
		fprintf(e->err,
		        "vigie %s: --status: expected pending, approved, rejected or applied, found \"%s\"\n",
		        cmd, status);
		return EXIT_BAD_INPUT;
	}
	int fmt = work_format(e, cmd, format);
	if (fmt < 0) return EXIT_USAGE;
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	appr_ctx c = {.e = e, .fmt = fmt};
	rc = EXIT_OK;
	if (as) {
		if ((rc = work_actor_load(e, s, cmd, as, &w))) goto out;
		c.w = &w;
	}
	if (fmt) work_json_list_begin(&c.j, e->out, 1, "approvals");
	store_rc sr = store_approvals_each(s, status, NULL, approval_row, &c);
	if (sr) rc = work_fail(e, cmd, s, sr);
	work_list_end(e, fmt, &c.j, c.shown, "requests");
out:
	store_close(s);
	return rc;
}

/* --- vigie approve / reject ------------------------------------------------------------------ */

static int decide(const cli_env *e, int approve, int argc, char **argv)
{
	const char *note = NULL, *as = NULL, *on = NULL;
	const cli_opt opts[] = {{"note", 1, &note}, {"as", 1, &as}, {"on", 1, &on}, {NULL, 0, NULL}};
	const char *pos[1];
	int n;
	const char *cmd = approve ? "approve" : "reject";
	int rc = work_parse(e, cmd, argc, argv, opts, pos, 1, &n, APPROVE_HELP);
	if (rc >= 0) return rc;
	int64_t id;
	civil_day day;
	if ((rc = work_id_on(e, cmd, n, pos, "request ID (see vigie approvals)", on, &id, &day))) return rc;
	if (work_text(e, cmd, "note", note, STORE_NOTE_MAX, !approve)) return EXIT_BAD_INPUT;
	store *s = work_open(e, cmd);
	if (!s) return EXIT_STORE;
	work_actor w;
	store_approval *ap = malloc(sizeof *ap);
	rc = ap ? work_actor_load(e, s, cmd, as, &w) : EXIT_STORE;
	store_rc sr;
	if (rc) goto out;
	if ((sr = store_approval_get(s, id, ap))) {
		rc = work_lookup_fail(e, cmd, s, sr,
		                      "ID: expected a request (see vigie approvals), found no request %lld",
		                      (long long)id);
		goto out;
	}
	if (strcmp(ap->maker, w.u.name) == 0) {
		fprintf(e->err,
		        "vigie %s: %s made request %lld: the checker must be someone else (four eyes)\n", cmd,
		        w.u.name, (long long)id);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	if (!access_can_check(&w.a, ap->maker, ap->branch)) {
		fprintf(e->err, "vigie %s: %s (%s, branch %s) may not check requests of branch %s\n", cmd,
		        w.u.name, access_role_name(w.u.role), w.u.branch[0] ? w.u.branch : "any",
		        ap->branch[0] ? ap->branch : "-");
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	if (strcmp(ap->kind, "credit_limit") == 0 && !access_can(&w.a, ACT_LIMIT)) {
		fprintf(e->err, "vigie %s: %s (%s) may not approve credit limits\n", cmd, w.u.name,
		        access_role_name(w.u.role));
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	if (strcmp(ap->kind, "policy_change") == 0 && !access_can(&w.a, ACT_POLICY)) {
		fprintf(e->err, "vigie %s: %s (%s) may not approve policy changes\n", cmd, w.u.name,
		        access_role_name(w.u.role));
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	char msg[1024] = "", obj[64], details[1024];
	if ((sr = store_begin(s))) {
		rc = work_fail(e, cmd, s, sr);
		goto out;
	}
	apply_rc ar = approval_decide(s, id, approve, w.u.name, day, note ? note : "", ap, msg, sizeof msg);
	if (ar) {
		store_rollback(s);
		rc = apply_said(e, cmd, ar, msg);
		goto out;
	}
	snprintf(obj, sizeof obj, "approval:%lld", (long long)id);
	const char *kv[] = {"kind",   ap->kind,   "subject", ap->subject,      "maker", ap->maker,
	                    "status", ap->status, "note",    note ? note : "", NULL};
	work_details(details, sizeof details, kv);
	if ((sr = work_audit(s, day, w.u.name, approve ? "approval.approve" : "approval.reject", obj,
	                     details)) ||
	    (sr = store_commit(s))) {
		rc = work_fail(e, cmd, s, sr);
		store_rollback(s);
		goto out;
	}
	fprintf(e->out, "request %lld (%s of %s) %s by %s\n", (long long)id, ap->kind, ap->subject,
	        ap->status, w.u.name);
out:
	free(ap);
	store_close(s);
	return rc;
}

int cmd_approve(const cli_env *e, int argc, char **argv)
{
	return decide(e, 1, argc, argv);
}

int cmd_reject(const cli_env *e, int argc, char **argv)
{
	return decide(e, 0, argc, argv);
}

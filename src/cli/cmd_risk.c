/* cmd_risk.c: `vigie risk ...` (facts, groups, limits, commitments, exposure, settings, the refresh,
 * grades), `vigie watch ...` and `vigie segments ...`. docs/risk.md.
 * Acting commands take --as USER (cli_actor) and --on DATE, check core/access.h and write their
 * audit entry in the transaction of the change; read commands show everything without --as (the
 * CLI operator: docs/security.md) and only what USER may see with it. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_work.h"
#include "core/currency.h"
#include "core/money.h"
#include "core/report.h"
#include "engine/early_warning.h"
#include "engine/exposure.h"
#include "engine/segments.h"
#include "io/csv_out.h"
#include "io/json_out.h"
#include "io/model_file.h"
#include "io/risk_import.h"
#include "store/store_risk.h"

static const char RISK_USAGE[] =
    "usage: vigie risk COMMAND ...\n"
    "  import facts|groups|limits|commitments FILE.csv --as USER --on DATE\n"
    "                                  an admin (import); all or nothing; limits imported are\n"
    "                                  effective at once\n"
    "  limit request --client ID|--group G --currency C --amount A --from DATE --approval N\n"
    "                --as USER --on DATE\n"
    "                                  a manager (limit), the maker of pending credit_limit request N:\n"
    "                                  the limit waits for N (the simple path: vigie request\n"
    "                                  credit-limit, then vigie approve, applies it)\n"
    "  limit approve N --as USER --on DATE\n"
    "                                  make the limits of approved request N effective (approve)\n"
    "  exposure ID|--group G --as-of DATE [--as USER]\n"
    "                                  exposure per currency against the limit in force\n"
    "  set limit_breach flag|refuse --as USER --on DATE\n"
    "                                  an admin: what a posting over a limit does (default flag)\n"
    "  refresh --as-of DATE --as USER [--model FILE] [--grade-drop N] [--score-drop P] [--cluster K] ...\n"
    "                                  an admin (run): score clients, store the scores, raise the\n"
    "                                  early-warning alerts (vigie alerts lists them)\n"
    "  grade ID --as-of DATE [--as USER]   the client's grade as of DATE (latest score on or before)\n"
    "Read commands without --as show everything (the CLI operator, who can open the store anyway:\n"
    "docs/security.md); with --as, only the clients USER may see (branch, officer).\n";

static int usage(const cli_env *e, const char *u)
{
	fputs(u, e->err);
	return EXIT_USAGE;
}

static void money_text(int64_t v, const char *cur, char *buf, size_t cap)
{
	const currency_info *ci = currency_find(cur, strlen(cur));
	money_format(v, ci ? ci->exponent : 0, buf, cap);
}

/* The acting user of a write: opens the store (with the people and work modules), loads --as, checks
 * the action (admin_only: the role must be admin) and reads --on. NULL after printing why (*rc). */
static store *acting(const cli_env *e, const char *cmd, const char *as, const char *on, access_action act,
                     int admin_only, work_actor *w, civil_day *day, int *rc)
{
	if (cli_date(e, cmd, strcmp(cmd, "risk refresh") == 0 ? "as-of" : "on", on, day)) {
		*rc = EXIT_USAGE;
		return NULL;
	}
	store *s = work_open(e, cmd);
	if (!s) {
		*rc = EXIT_STORE;
		return NULL;
	}
	if ((*rc = work_actor_load(e, s, cmd, as, w)) != 0) goto fail;
	if (admin_only && w->a.role != ROLE_ADMIN) {
		fprintf(e->err, "vigie %s: %s (%s) may not change risk settings: an admin does\n", cmd, w->u.name,
		        access_role_name(w->u.role));
		*rc = EXIT_BAD_INPUT;
		goto fail;
	}
	if (!admin_only && (*rc = work_allow(e, cmd, w, act, NULL, NULL)) != 0) goto fail;
	return s;
fail:
	store_close(s);
	return NULL;
}

/* The reader of a read command: NULL without --as (everything), else w loaded (0), or an exit code. */
static int reader(const cli_env *e, store *s, const char *as, work_actor *w, const work_actor **out)
{
	*out = NULL;
	if (!as) return 0;
	int rc = work_actor_load(e, s, "risk", as, w);
	if (!rc) *out = w;
	return rc;
}

/* 1 when w (NULL: everyone) may see the client (its branch and officer). */
static int sees_client(store *s, const work_actor *w, const char *client, store_rc *rc)
{
	*rc = STORE_OK;
	if (!w) return 1;
	store_client c;
	*rc = store_client_get(s, client, &c);
	return *rc == STORE_OK && work_sees(w, c.branch, c.officer);
}

/* The CLI's alert sink: raises in the store (RISK_ALERT_STORE), and prints the new ones. */
static int raise_and_print(void *ctx, store *s, store_alert *a, store_put *res)
{
	const cli_env *e = ctx;
	if (RISK_ALERT_STORE.raise(RISK_ALERT_STORE.ctx, s, a, res)) return -1;
	if (*res == PUT_INSERTED)
		fprintf(e->out, "alert %lld %s [%s] %s -> %s: %s\n", (long long)a->id, a->kind, a->severity,
		        a->dedupe_key, a->assignee, a->reason);
	return 0;
}

static int risk_import(const cli_env *e, int argc, char **argv)
{
	const char *as = NULL, *on = NULL, *pos[2];
	int n, help, rc;
	cli_opt opts[] = {{"as", 1, &as}, {"on", 1, &on}, {NULL, 0, NULL}};
	if (cli_parse(e, "risk import", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	risk_import_kind k;
	if (help || n != 2 || risk_import_kind_parse(pos[0], &k)) return usage(e, RISK_USAGE);
	work_actor w;
	civil_day day;
	store *s = acting(e, "risk import", as, on, ACT_IMPORT, 0, &w, &day, &rc);
	if (!s) return rc;
	import_stats st;
	import_rc r = risk_import_csv(s, k, pos[1], w.u.name, day, e->err, &st);
	if (r == IMPORT_DONE)
		fprintf(e->out, "%s: %ld rows: %ld inserted, %ld updated, %ld unchanged\n", pos[1], st.rows,
		        st.inserted, st.updated, st.unchanged);
	store_close(s);
	return r == IMPORT_DONE ? EXIT_OK : r == IMPORT_REJECTED ? EXIT_BAD_INPUT : EXIT_STORE;
}

/* Approval n must be a credit_limit request in one of the states (a '|'-separated list). */
static int approval_is(const cli_env *e, store *s, int64_t n, const char *states, store_approval *ap)
{
	store_rc r = store_approval_get(s, n, ap);
	if (r == STORE_NOT_FOUND) {
		fprintf(e->err, "vigie risk limit: --approval: expected a request number, found %lld (no such "
		                "request)\n",
		        (long long)n);
		return EXIT_NOT_FOUND;
	}
	if (r) return work_fail(e, "risk limit", s, r);
	size_t l = strlen(ap->status);
	const char *p = strstr(states, ap->status);
	if (strcmp(ap->kind, "credit_limit") != 0 || !p || (p[l] && p[l] != '|') ||
	    (p != states && p[-1] != '|')) {
		fprintf(e->err, "vigie risk limit: request %lld: expected a %s credit_limit request, found a %s %s\n",
		        (long long)n, states, ap->status, ap->kind);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int risk_limit_approve(const cli_env *e, const char *id, const char *as, const char *on)
{
	int64_t n;
	int rc;
	if (work_id(e, "risk limit approve", "N", id, &n)) return EXIT_USAGE;
	work_actor w;
	civil_day day;
	store *s = acting(e, "risk limit approve", as, on, ACT_APPROVE, 0, &w, &day, &rc);
	if (!s) return rc;
	store_approval ap;
	if ((rc = approval_is(e, s, n, "approved|applied", &ap)) != 0) {
		store_close(s);
		return rc;
	}
	store_put res = PUT_UNCHANGED;
	char obj[64], det[256];
	snprintf(obj, sizeof obj, "approval:%lld", (long long)n);
	const char *kv[] = {"subject", ap.subject, NULL};
	work_details(det, sizeof det, kv);
	store_rc r = store_begin(s);
	if (!r) r = store_risk_limit_approve(s, n, &res);
	if (!r && res == PUT_UPDATED) r = work_audit(s, day, w.u.name, "limit.approve", obj, det);
	if (!r) r = store_commit(s);
	if (r) store_rollback(s);
	if (r == STORE_NOT_FOUND) {
		fprintf(e->err, "vigie risk limit approve: no limit waits for approval %lld\n", (long long)n);
		rc = EXIT_NOT_FOUND;
	} else if (r) {
		rc = work_fail(e, "risk limit approve", s, r);
	} else {
		fprintf(e->out, "approval %lld: limit %s\n", (long long)n,
		        res == PUT_UPDATED ? "effective" : "already effective");
	}
	store_close(s);
	return rc;
}

static int risk_limit(const cli_env *e, int argc, char **argv)
{
	const char *client = NULL, *group = NULL, *cur = NULL, *amount = NULL, *from = NULL, *approval = NULL,
	           *as = NULL, *on = NULL, *pos[2];
	int n, help, rc;
	cli_opt opts[] = {{"client", 1, &client}, {"group", 1, &group}, {"currency", 1, &cur},
	                  {"amount", 1, &amount}, {"from", 1, &from},   {"approval", 1, &approval},
	                  {"as", 1, &as},         {"on", 1, &on},       {NULL, 0, NULL}};
	if (cli_parse(e, "risk limit", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help || n < 1) return usage(e, RISK_USAGE);
	if (strcmp(pos[0], "approve") == 0 && n == 2) return risk_limit_approve(e, pos[1], as, on);
	if (strcmp(pos[0], "request") != 0 || n != 1 || (!client == !group) || !cur || !amount || !approval)
		return usage(e, RISK_USAGE);
	store_risk_limit l = {.subject_kind = client ? RISK_SUBJECT_CLIENT : RISK_SUBJECT_GROUP};
	snprintf(l.subject, sizeof l.subject, "%s", client ? client : group);
	const currency_info *ci = currency_find(cur, strlen(cur));
	if (!ci || strlen(cur) != 3) {
		fprintf(e->err, "vigie risk limit: --currency: expected an ISO 4217 code, found \"%s\"\n", cur);
		return EXIT_USAGE;
	}
	memcpy(l.currency, cur, 4);
	if (work_amount_parse(e, "risk limit", "amount", amount, cur, &l.amount)) return EXIT_USAGE;
	if (l.amount < 0) {
		fprintf(e->err, "vigie risk limit: --amount: expected an amount >= 0, found \"%s\"\n", amount);
		return EXIT_USAGE;
	}
	if (work_id(e, "risk limit", "approval", approval, &l.approval_id)) return EXIT_USAGE;
	if (cli_date(e, "risk limit", "from", from, &l.from_on)) return EXIT_USAGE;
	work_actor w;
	civil_day day;
	store *s = acting(e, "risk limit", as, on, ACT_LIMIT, 0, &w, &day, &rc);
	if (!s) return rc;
	snprintf(l.set_by, sizeof l.set_by, "%s", w.u.name);
	/* the request must be the same limit: its maker, subject, currency and amount */
	store_approval ap;
	if ((rc = approval_is(e, s, l.approval_id, "pending", &ap)) != 0) goto out;
	json_error_t je;
	json_t *p = json_loads(ap.payload, 0, &je);
	const char *pc = p ? json_string_value(json_object_get(p, "currency")) : NULL;
	json_t *pl = p ? json_object_get(p, "limit") : NULL;
	int same = strcmp(ap.maker, w.u.name) == 0 && strcmp(ap.subject, l.subject) == 0 && pc &&
	           strcmp(pc, l.currency) == 0 && json_is_integer(pl) && json_integer_value(pl) == l.amount;
	json_decref(p);
	if (!same) {
		fprintf(e->err,
		        "vigie risk limit: request %lld: expected a request by %s for %s %s %s, found one by %s "
		        "for %s (payload %s)\n",
		        (long long)l.approval_id, w.u.name, l.subject, amount, cur, ap.maker, ap.subject, ap.payload);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	char obj[STORE_ID_MAX + 16], det[512], from_t[16], id_t[24];
	snprintf(obj, sizeof obj, "%s:%s", store_risk_subject_name(l.subject_kind), l.subject);
	date_format(l.from_on, from_t, sizeof from_t);
	snprintf(id_t, sizeof id_t, "%lld", (long long)l.approval_id);
	const char *kv[] = {"currency", cur, "amount", amount, "from", from_t, "approval", id_t, NULL};
	work_details(det, sizeof det, kv);
	store_rc r = store_begin(s);
	if (!r) r = store_risk_limit_put(s, &l);
	if (!r) r = work_audit(s, day, w.u.name, "limit.request", obj, det);
	if (!r) r = store_commit(s);
	if (r) {
		store_rollback(s);
		rc = work_fail(e, "risk limit", s, r);
	} else {
		fprintf(e->out, "limit %lld pending approval %lld\n", (long long)l.id, (long long)l.approval_id);
	}
out:
	store_close(s);
	return rc;
}

typedef struct {
	store *s;
	const work_actor *w;
	int hidden;
	store_rc rc;
} members_ctx;

static int member_seen(void *ctx, const char *client)
{
	members_ctx *m = ctx;
	if (!sees_client(m->s, m->w, client, &m->rc)) m->hidden = 1;
	return m->rc != STORE_OK;
}

static int risk_exposure(const cli_env *e, int argc, char **argv)
{
	const char *group = NULL, *asof = NULL, *as = NULL, *pos[1];
	int n, help, rc;
	cli_opt opts[] = {{"group", 1, &group}, {"as-of", 1, &asof}, {"as", 1, &as}, {NULL, 0, NULL}};
	if (cli_parse(e, "risk exposure", argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help || (n == 1) == (group != NULL)) return usage(e, RISK_USAGE);
	civil_day d;
	if (cli_date(e, "risk exposure", "as-of", asof, &d)) return EXIT_USAGE;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	work_actor wa;
	const work_actor *w;
	if ((rc = reader(e, s, as, &wa, &w)) != 0) goto out;
	store_rc sr = STORE_OK;
	int seen = 1;
	if (group) {
		members_ctx m = {s, w, 0, STORE_OK};
		if (w) sr = store_risk_group_members(s, group, member_seen, &m);
		if (!sr) sr = m.rc;
		seen = !m.hidden;
	} else {
		seen = sees_client(s, w, pos[0], &sr);
		if (sr == STORE_NOT_FOUND) seen = 0, sr = STORE_OK;
	}
	if (sr) {
		rc = work_fail(e, "risk exposure", s, sr);
		goto out;
	}
	if (!seen) {
		fprintf(e->err, "vigie risk exposure: %s may not see %s %s%s\n", w->u.name, group ? "group" : "client",
		        group ? group : pos[0], group ? " (not every member)" : "");
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	exposure x;
	char err[512];
	int r = group ? exposure_group(s, group, d, &x, err, sizeof err)
	              : exposure_client(s, pos[0], d, &x, err, sizeof err);
	if (r) {
		fprintf(e->err, "vigie risk exposure: %s\n", err);
		rc = EXIT_STORE;
		goto out;
	}
	fprintf(e->out, "currency,loans,invoices,commitments,exposure,limit,headroom\n");
	for (int i = 0; i < x.n; i++) {
		const exposure_line *l = &x.line[i];
		char a[40], b[40], c[40], t[40], li[40] = "", h[40] = "";
		money_text(l->loans, l->currency, a, sizeof a);
		money_text(l->invoices, l->currency, b, sizeof b);
		money_text(l->commitments, l->currency, c, sizeof c);
		money_text(l->total, l->currency, t, sizeof t);
		if (l->has_limit) {
			money_text(l->limit.amount, l->currency, li, sizeof li);
			money_text(l->limit.amount - l->total, l->currency, h, sizeof h);
		}
		fprintf(e->out, "%s,%s,%s,%s,%s,%s,%s\n", l->currency, a, b, c, t, li, h);
	}
out:
	store_close(s);
	return rc;
}

static int risk_set(const cli_env *e, int argc, char **argv)
{
	const char *as = NULL, *on = NULL, *pos[2];
	int n, help, rc;
	cli_opt opts[] = {{"as", 1, &as}, {"on", 1, &on}, {NULL, 0, NULL}};
	if (cli_parse(e, "risk set", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help || n != 2 || strcmp(pos[0], "limit_breach") != 0 ||
	    (strcmp(pos[1], "flag") != 0 && strcmp(pos[1], "refuse") != 0))
		return usage(e, RISK_USAGE);
	work_actor w;
	civil_day day;
	store *s = acting(e, "risk set", as, on, ACT_N, 1, &w, &day, &rc);
	if (!s) return rc;
	char old[RISK_SETTING_MAX], obj[RISK_SETTING_MAX + 16], det[512];
	store_rc r = store_begin(s);
	if (!r) {
		r = store_risk_setting_get(s, pos[0], old);
		if (r == STORE_NOT_FOUND) snprintf(old, sizeof old, "(default) flag"), r = STORE_OK;
	}
	snprintf(obj, sizeof obj, "setting:%s", pos[0]);
	const char *kv[] = {"from", old, "to", pos[1], NULL};
	work_details(det, sizeof det, kv);
	if (!r) r = store_risk_setting_set(s, pos[0], pos[1]);
	if (!r) r = work_audit(s, day, w.u.name, "risk.set", obj, det);
	if (!r) r = store_commit(s);
	if (r) {
		store_rollback(s);
		rc = work_fail(e, "risk set", s, r);
	} else {
		fprintf(e->out, "%s = %s (was %s)\n", pos[0], pos[1], old);
	}
	store_close(s);
	return rc;
}

static int int_opt(const cli_env *e, const char *name, const char *v, int lo, int hi, int *out)
{
	if (!v) return 0;
	char *end;
	long x = strtol(v, &end, 10);
	if (*end || end == v || x < lo || x > hi) {
		fprintf(e->err, "vigie risk refresh: --%s: expected an integer %d..%d, found \"%s\"\n", name,
		        lo, hi, v);
		return -1;
	}
	*out = (int)x;
	return 0;
}

static int risk_refresh(const cli_env *e, int argc, char **argv)
{
	const char *asof = NULL, *model = NULL, *gd = NULL, *sd = NULL, *ck = NULL, *cw = NULL, *lb = NULL,
	           *pr = NULL, *pb = NULL, *pp = NULL, *as = NULL, *pos[1];
	int n, help, rc;
	cli_opt opts[] = {{"as-of", 1, &asof},
	                  {"as", 1, &as},
	                  {"model", 1, &model},
	                  {"grade-drop", 1, &gd},
	                  {"score-drop", 1, &sd},
	                  {"cluster", 1, &ck},
	                  {"cluster-window", 1, &cw},
	                  {"fact-lookback", 1, &lb},
	                  {"payments-recent", 1, &pr},
	                  {"payments-before", 1, &pb},
	                  {"payments-drop", 1, &pp},
	                  {NULL, 0, NULL}};
	if (cli_parse(e, "risk refresh", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) return usage(e, RISK_USAGE);
	ew_opts o;
	early_warning_defaults(&o);
	if (cli_date(e, "risk refresh", "as-of", asof, &o.as_of)) return EXIT_USAGE;
	if (int_opt(e, "grade-drop", gd, 1, 15, &o.grade_drop) ||
	    int_opt(e, "score-drop", sd, 1, 100000, &o.score_drop) ||
	    int_opt(e, "cluster", ck, 2, 100000, &o.cluster_k) ||
	    int_opt(e, "cluster-window", cw, 1, 3650, &o.cluster_window) ||
	    int_opt(e, "fact-lookback", lb, 1, 3650, &o.fact_lookback) ||
	    int_opt(e, "payments-recent", pr, 1, 3650, &o.pay_recent) ||
	    int_opt(e, "payments-before", pb, 1, 3650, &o.pay_before) ||
	    int_opt(e, "payments-drop", pp, 1, 100, &o.pay_drop_pct))
		return EXIT_USAGE;
	sc_model *m = NULL;
	char err[1024], name[STORE_ID_MAX];
	if (model) {
		if (model_file_load(model, &m, err, sizeof err) != MF_OK) {
			fprintf(e->err, "vigie risk refresh: %s\n", err);
			return EXIT_BAD_INPUT;
		}
		const char *base = strrchr(model, '/');
		snprintf(name, sizeof name, "%s", base ? base + 1 : model);
		o.model = m;
		o.model_name = name;
	}
	work_actor w;
	civil_day day;
	store *s = acting(e, "risk refresh", as, asof, ACT_RUN, 0, &w, &day, &rc);
	if (!s) {
		sc_model_free(m);
		return rc;
	}
	o.actor = w.u.name;
	risk_alert_sink sink = {raise_and_print, (void *)e};
	ew_stats st;
	int r = early_warning_refresh(s, &o, &sink, &st, err, sizeof err);
	if (r)
		fprintf(e->err, "vigie risk refresh: %s\n", err);
	else {
		fprintf(e->out, "clients %ld, scored %ld, alerts already raised %ld\n", st.clients, st.scored,
		        st.known);
		for (int k = 0; k < EW_N; k++)
			fprintf(e->out, "new %s alerts: %ld\n", early_warning_kind_name(k), st.raised[k]);
	}
	store_close(s);
	sc_model_free(m);
	return r ? EXIT_STORE : EXIT_OK;
}

static int risk_grade(const cli_env *e, int argc, char **argv)
{
	const char *asof = NULL, *as = NULL, *pos[1];
	int n, help;
	cli_opt opts[] = {{"as-of", 1, &asof}, {"as", 1, &as}, {NULL, 0, NULL}};
	if (cli_parse(e, "risk grade", argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help || n != 1) return usage(e, RISK_USAGE);
	civil_day d;
	if (cli_date(e, "risk grade", "as-of", asof, &d)) return EXIT_USAGE;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	work_actor wa;
	const work_actor *w;
	int rc = reader(e, s, as, &wa, &w);
	store_rc r = STORE_OK;
	if (!rc && !sees_client(s, w, pos[0], &r) && r != STORE_ERR) {
		fprintf(e->err, "vigie risk grade: %s may not see client %s\n", w->u.name, pos[0]);
		rc = EXIT_BAD_INPUT;
	}
	if (rc || r == STORE_ERR) {
		if (r == STORE_ERR) rc = work_fail(e, "risk grade", s, r);
		store_close(s);
		return rc;
	}
	char g[RISK_GRADE_MAX];
	r = store_risk_grade_of(s, pos[0], d, g);
	if (r == STORE_OK) fprintf(e->out, "%s\n", g);
	if (r == STORE_NOT_FOUND)
		fprintf(e->err, "vigie risk grade: %s has no score on or before that day\n", pos[0]);
	if (r == STORE_ERR) fprintf(e->err, "vigie risk grade: %s\n", store_errmsg(s));
	store_close(s);
	return r == STORE_OK ? EXIT_OK : r == STORE_NOT_FOUND ? EXIT_NOT_FOUND : EXIT_STORE;
}

int cmd_risk(const cli_env *e, int argc, char **argv)
{
	if (argc < 1) return usage(e, RISK_USAGE);
	const char *c = argv[0];
	if (strcmp(c, "import") == 0) return risk_import(e, argc - 1, argv + 1);
	if (strcmp(c, "limit") == 0) return risk_limit(e, argc - 1, argv + 1);
	if (strcmp(c, "exposure") == 0) return risk_exposure(e, argc - 1, argv + 1);
	if (strcmp(c, "set") == 0) return risk_set(e, argc - 1, argv + 1);
	if (strcmp(c, "refresh") == 0) return risk_refresh(e, argc - 1, argv + 1);
	if (strcmp(c, "grade") == 0) return risk_grade(e, argc - 1, argv + 1);
	if (strcmp(c, "-h") == 0 || strcmp(c, "--help") == 0) {
		fputs(RISK_USAGE, e->out);
		return EXIT_OK;
	}
	return usage(e, RISK_USAGE);
}

/* --- watch ------------------------------------------------------------------------------------- */
static const char WATCH_USAGE[] =
    "usage: vigie watch add ACCOUNT|--client ID --on DATE [--reason TEXT] --as USER\n"
    "       vigie watch remove ACCOUNT|--client ID --on DATE --as USER\n"
    "       vigie watch list [--as-of DATE] [--as USER] (default: every entry ever)\n"
    "  add, remove: a role with hold (a supervisor of the branch, a manager), audited;\n"
    "  list: everything without --as (the CLI operator), else what USER may see\n";

typedef struct {
	FILE *f;
	store *s;
	const work_actor *w;
	store_rc rc;
} watch_ctx;

/* The branch and officer of a watched subject (an account's, or a client's). */
static store_rc subject_owner(store *s, store_risk_subject k, const char *subject, char branch[STORE_ID_MAX],
                              char officer[STORE_ID_MAX])
{
	store_rc r;
	if (k == RISK_SUBJECT_CLIENT) {
		store_client c;
		if ((r = store_client_get(s, subject, &c)) == STORE_OK) {
			memcpy(branch, c.branch, STORE_ID_MAX);
			memcpy(officer, c.officer, STORE_ID_MAX);
		}
	} else {
		store_account a;
		if ((r = store_account_get(s, subject, &a)) == STORE_OK) {
			memcpy(branch, a.branch, STORE_ID_MAX);
			memcpy(officer, a.officer, STORE_ID_MAX);
		}
	}
	return r;
}

static int watch_row(void *ctx, const store_risk_watch *w)
{
	watch_ctx *c = ctx;
	FILE *f = c->f;
	if (c->w) {
		char br[STORE_ID_MAX], of[STORE_ID_MAX];
		store_rc r = subject_owner(c->s, w->subject_kind, w->subject, br, of);
		if (r == STORE_ERR) {
			c->rc = r;
			return -1;
		}
		if (r != STORE_OK || !work_sees(c->w, br, of)) return 0;
	}
	char a[16], r[16] = "";
	date_format(w->added_on, a, sizeof a);
	if (w->removed_on != DATE_NONE) date_format(w->removed_on, r, sizeof r);
	fprintf(f, "%s,", store_risk_subject_name(w->subject_kind));
	csv_out_field(f, w->subject);
	fprintf(f, ",%s,%s,", a, r);
	csv_out_field(f, w->added_by);
	fputc(',', f);
	csv_out_field(f, w->reason);
	fputc('\n', f);
	return 0;
}

int cmd_watch(const cli_env *e, int argc, char **argv)
{
	const char *client = NULL, *on = NULL, *asof = NULL, *reason = NULL, *as = NULL, *pos[2];
	int n, help, rc;
	cli_opt opts[] = {{"client", 1, &client}, {"on", 1, &on}, {"as-of", 1, &asof},
	                  {"reason", 1, &reason}, {"as", 1, &as}, {NULL, 0, NULL}};
	if (cli_parse(e, "watch", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(WATCH_USAGE, e->out);
		return EXIT_OK;
	}
	if (n < 1) return usage(e, WATCH_USAGE);
	store *s;
	if (strcmp(pos[0], "list") == 0) {
		civil_day d = DATE_NONE;
		if (asof && cli_date(e, "watch", "as-of", asof, &d)) return EXIT_USAGE;
		if (!(s = cli_open_store(e))) return EXIT_STORE;
		work_actor wa;
		watch_ctx c = {e->out, s, NULL, STORE_OK};
		if ((rc = reader(e, s, as, &wa, &c.w)) == 0) {
			fputs("kind,subject,added_on,removed_on,added_by,reason\n", e->out);
			store_rc r = store_risk_watch_each(s, d, watch_row, &c);
			if (r) rc = work_fail(e, "watch", s, r);
		}
		store_close(s);
		return rc;
	}
	int add = strcmp(pos[0], "add") == 0;
	if ((!add && strcmp(pos[0], "remove") != 0) || (n == 2) == (client != NULL))
		return usage(e, WATCH_USAGE);
	if (work_text(e, "watch", "reason", reason, RISK_TEXT_MAX, 0)) return EXIT_USAGE;
	work_actor w;
	civil_day d;
	if (!(s = acting(e, "watch", as, on, ACT_HOLD, 0, &w, &d, &rc))) return rc;
	store_risk_watch wt = {.subject_kind = client ? RISK_SUBJECT_CLIENT : RISK_SUBJECT_ACCOUNT, .added_on = d};
	snprintf(wt.subject, sizeof wt.subject, "%s", client ? client : pos[1]);
	snprintf(wt.reason, sizeof wt.reason, "%s", reason ? reason : "");
	snprintf(wt.added_by, sizeof wt.added_by, "%s", w.u.name);
	char br[STORE_ID_MAX], of[STORE_ID_MAX];
	store_rc r = subject_owner(s, wt.subject_kind, wt.subject, br, of);
	if (r == STORE_NOT_FOUND) {
		fprintf(e->err, "vigie watch: %s: not found\n", wt.subject);
		rc = EXIT_NOT_FOUND;
		goto out;
	}
	if (r) {
		rc = work_fail(e, "watch", s, r);
		goto out;
	}
	if ((rc = work_allow(e, "watch", &w, ACT_HOLD, br, of)) != 0) goto out;
	char obj[STORE_ID_MAX + 16], det[RISK_TEXT_MAX + 64];
	snprintf(obj, sizeof obj, "%s:%s", store_risk_subject_name(wt.subject_kind), wt.subject);
	const char *kv[] = {"reason", wt.reason, NULL};
	work_details(det, sizeof det, kv);
	r = store_begin(s);
	int began = !r;
	if (!r)
		r = add ? store_risk_watch_add(s, &wt)
		        : store_risk_watch_remove(s, wt.subject_kind, wt.subject, d, w.u.name);
	if (!r) r = work_audit(s, d, w.u.name, add ? "watch.add" : "watch.remove", obj, det);
	if (!r) r = store_commit(s);
	if (r) {
		if (began) store_rollback(s);
		if (r == STORE_CONFLICT)
			fprintf(e->err, "vigie watch: %s is already on the watch list\n", wt.subject),
			    rc = EXIT_BAD_INPUT;
		else if (r == STORE_NOT_FOUND)
			fprintf(e->err, "vigie watch: %s: not found on the watch list\n", wt.subject),
			    rc = EXIT_NOT_FOUND;
		else
			rc = work_fail(e, "watch", s, r);
	}
out:
	store_close(s);
	return rc;
}

/* --- segments ---------------------------------------------------------------------------------- */
static const char SEG_USAGE[] =
    "usage: vigie segments --as-of DATE --by grade|product|branch|officer|bucket|amount_band\n"
    "                      [--bands B1,B2,...] [--currency C] [--format table|csv|json]\n"
    "                      [--as USER]\n"
    "  active loans per segment: loans, outstanding principal, arrears, PAR30 (as vigie report par);\n"
    "  every loan without --as (the CLI operator), else only the loans USER may see\n";

static int seg_visible(void *ctx, const char *branch, const char *officer)
{
	return work_sees(ctx, branch, officer);
}

int cmd_segments(const cli_env *e, int argc, char **argv)
{
	const char *asof = NULL, *by = NULL, *bands = NULL, *cur = NULL, *format = NULL, *as = NULL, *pos[1];
	int n, help;
	cli_opt opts[] = {{"as-of", 1, &asof},     {"by", 1, &by}, {"bands", 1, &bands}, {"currency", 1, &cur},
	                  {"format", 1, &format}, {"as", 1, &as}, {NULL, 0, NULL}};
	if (cli_parse(e, "segments", argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(SEG_USAGE, e->out);
		return EXIT_OK;
	}
	seg_opts o = {.currency = cur, .n_bands = 3, .bands = {100000, 1000000, 10000000}};
	if (cli_date(e, "segments", "as-of", asof, &o.as_of)) return EXIT_USAGE;
	if (!by || segments_by_parse(by, &o.by)) return usage(e, SEG_USAGE);
	int fmt = !format || strcmp(format, "table") == 0 ? 0
	          : strcmp(format, "csv") == 0            ? 1
	          : strcmp(format, "json") == 0           ? 2
	                                                  : -1;
	if (fmt < 0) return usage(e, SEG_USAGE);
	if (bands) {
		o.n_bands = 0;
		for (const char *p = bands; *p;) {
			char *end;
			long long v = strtoll(p, &end, 10);
			if (end == p || (*end && *end != ',') || o.n_bands == SEG_MAX_BANDS ||
			    (o.n_bands && v <= o.bands[o.n_bands - 1]) || v <= 0) {
				fprintf(e->err,
				        "vigie segments: --bands: expected ascending whole amounts, at most "
				        "%d, found \"%s\"\n",
				        SEG_MAX_BANDS, bands);
				return EXIT_USAGE;
			}
			o.bands[o.n_bands++] = v;
			p = *end ? end + 1 : end;
		}
	}
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	work_actor wa;
	const work_actor *who;
	int rc = reader(e, s, as, &wa, &who);
	if (rc) {
		store_close(s);
		return rc;
	}
	if (who) {
		o.visible = seg_visible;
		o.visible_ctx = (void *)who;
	}
	seg_result r;
	char err[512];
	if (segments_compute(s, &o, &r, err, sizeof err)) {
		fprintf(e->err, "vigie segments: %s\n", err);
		store_close(s);
		return EXIT_STORE;
	}
	FILE *f = e->out;
	char day[16];
	date_format(o.as_of, day, sizeof day);
	json_out j;
	if (fmt == 2) {
		json_init(&j, f, 1);
		json_obj_begin(&j);
		json_kstr(&j, "as_of", day);
		json_kstr(&j, "by", segments_by_name(o.by));
		json_key(&j, "segments");
		json_arr_begin(&j);
	}
	if (fmt == 1) fputs("currency,segment,loans,outstanding,arrears,par30,par30_loans,par30_ratio\n", f);
	if (fmt == 0)
		fprintf(f, "%-4s %-24s %8s %20s %20s %20s %9s\n", "cur", segments_by_name(o.by), "loans",
		        "outstanding", "arrears", "par30", "par30 %");
	for (int i = 0; i < r.n; i++) {
		const seg_row *w = &r.rows[i];
		char a[40], b[40], c[40], ratio[32];
		money_text(w->outstanding, w->currency, a, sizeof a);
		money_text(w->arrears, w->currency, b, sizeof b);
		money_text(w->par30, w->currency, c, sizeof c);
		report_ratio(w->par30, w->outstanding, ratio, sizeof ratio);
		const char *key = w->key[0] ? w->key : "(total)";
		if (fmt == 1) {
			fprintf(f, "%s,", w->currency);
			csv_out_field(f, key);
			fprintf(f, ",%lld,%s,%s,%s,%lld,%s\n", (long long)w->loans, a, b, c,
			        (long long)w->par30_loans, ratio);
		} else if (fmt == 0) {
			fprintf(f, "%-4s %-24s %8lld %20s %20s %20s %9s\n", w->currency, key,
			        (long long)w->loans, a, b, c, ratio);
		} else {
			json_obj_begin(&j);
			json_kstr(&j, "currency", w->currency);
			json_kstr(&j, "segment", key);
			json_kint(&j, "loans", w->loans);
			json_kstr(&j, "outstanding", a);
			json_kstr(&j, "arrears", b);
			json_kstr(&j, "par30", c);
			json_kint(&j, "par30_loans", w->par30_loans);
			json_key(&j, "par30_ratio");
			json_raw(&j, ratio);
			json_obj_end(&j);
		}
	}
	if (fmt == 2) {
		json_arr_end(&j);
		json_obj_end(&j);
		json_end(&j);
	}
	segments_free(&r);
	store_close(s);
	return EXIT_OK;
}

/* cmd_risk.c: `vigie risk ...` (facts, groups, limits, commitments, exposure, settings, the refresh,
 * grades), `vigie watch ...` and `vigie segments ...`. docs/risk.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
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
    "  import facts|groups|limits|commitments FILE.csv [--by USER]\n"
    "                                  all or nothing; limits imported are effective at once\n"
    "  limit request --client ID|--group G --currency C --amount A --from DATE --approval N [--by USER]\n"
    "                                  a limit waiting for its four-eyes approval N\n"
    "  limit approve N                 make the limits of approved request N effective\n"
    "  exposure ID|--group G --as-of DATE   exposure per currency against the limit in force\n"
    "  set limit_breach flag|refuse    what a posting over a limit does (default flag)\n"
    "  refresh --as-of DATE [--model FILE] [--grade-drop N] [--score-drop P] [--cluster K] ...\n"
    "                                  score clients, store the scores, raise early-warning alerts\n"
    "  grade ID --as-of DATE           the client's grade as of DATE (latest score on or before)\n";

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

/* The alert sink of the CLI until the work module is merged: alerts are printed, one line each.
 * (With h-work: store_alert_raise(s, a, res), in the refresh's transaction.) */
static int print_alert(void *ctx, store *s, store_alert *a, store_put *res)
{
	(void)s;
	const cli_env *e = ctx;
	fprintf(e->out, "alert %s [%s] %s -> %s: %s\n", a->kind, a->severity, a->dedupe_key, a->assignee,
	        a->reason);
	*res = PUT_INSERTED;
	return 0;
}

static int risk_import(const cli_env *e, int argc, char **argv)
{
	const char *by = NULL, *pos[2];
	int n, help;
	cli_opt opts[] = {{"by", 1, &by}, {NULL, 0, NULL}};
	if (cli_parse(e, "risk import", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	risk_import_kind k;
	if (help || n != 2 || risk_import_kind_parse(pos[0], &k)) return usage(e, RISK_USAGE);
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	import_stats st;
	import_rc rc = risk_import_csv(s, k, pos[1], by, e->err, &st);
	if (rc == IMPORT_DONE)
		fprintf(e->out, "%s: %ld rows: %ld inserted, %ld updated, %ld unchanged\n", pos[1], st.rows,
		        st.inserted, st.updated, st.unchanged);
	store_close(s);
	return rc == IMPORT_DONE ? EXIT_OK : rc == IMPORT_REJECTED ? EXIT_BAD_INPUT : EXIT_STORE;
}

static int risk_limit(const cli_env *e, int argc, char **argv)
{
	const char *client = NULL, *group = NULL, *cur = NULL, *amount = NULL, *from = NULL, *approval = NULL,
	           *by = NULL, *pos[2];
	int n, help;
	cli_opt opts[] = {{"client", 1, &client}, {"group", 1, &group}, {"currency", 1, &cur},
	                  {"amount", 1, &amount}, {"from", 1, &from},   {"approval", 1, &approval},
	                  {"by", 1, &by},         {NULL, 0, NULL}};
	if (cli_parse(e, "risk limit", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help || n < 1) return usage(e, RISK_USAGE);
	store *s = NULL;
	int rc = EXIT_OK;
	if (strcmp(pos[0], "approve") == 0 && n == 2) {
		long long id = atoll(pos[1]);
		if (id <= 0) return usage(e, RISK_USAGE);
		if (!(s = cli_open_store(e))) return EXIT_STORE;
		store_put res;
		store_rc r = store_begin(s);
		if (!r) r = store_risk_limit_approve(s, id, &res);
		if (!r) r = store_commit(s);
		if (r == STORE_NOT_FOUND) {
			fprintf(e->err, "vigie risk limit approve: no limit waits for approval %lld\n", id);
			rc = EXIT_NOT_FOUND;
		} else if (r) {
			fprintf(e->err, "vigie risk limit approve: %s\n", store_errmsg(s));
			rc = EXIT_STORE;
		} else {
			fprintf(e->out, "approval %lld: limit %s\n", id,
			        res == PUT_UPDATED ? "effective" : "already effective");
		}
		if (r) store_rollback(s);
		store_close(s);
		return rc;
	}
	if (strcmp(pos[0], "request") != 0 || n != 1 || (!client == !group) || !cur || !amount || !approval)
		return usage(e, RISK_USAGE);
	store_risk_limit l = {.subject_kind = client ? RISK_SUBJECT_CLIENT : RISK_SUBJECT_GROUP,
	                      .approval_id = atoll(approval)};
	snprintf(l.subject, sizeof l.subject, "%s", client ? client : group);
	snprintf(l.set_by, sizeof l.set_by, "%s", by ? by : "");
	const currency_info *ci = currency_find(cur, strlen(cur));
	if (!ci || strlen(cur) != 3 || money_parse(amount, strlen(amount), ci->exponent, &l.amount) ||
	    l.amount < 0 || l.approval_id <= 0) {
		fprintf(e->err, "vigie risk limit: --currency, --amount or --approval: expected a currency, "
		                "an amount and a "
		                "request number\n");
		return EXIT_USAGE;
	}
	memcpy(l.currency, cur, 4);
	if (cli_date(e, "risk limit", "from", from, &l.from_on)) return EXIT_USAGE;
	if (!(s = cli_open_store(e))) return EXIT_STORE;
	store_rc r = store_begin(s);
	if (!r) r = store_risk_limit_put(s, &l);
	if (!r) r = store_commit(s);
	if (r) {
		fprintf(e->err, "vigie risk limit: %s\n", store_errmsg(s));
		store_rollback(s);
		rc = EXIT_STORE;
	} else {
		fprintf(e->out, "limit %lld pending approval %lld\n", (long long)l.id,
		        (long long)l.approval_id);
	}
	store_close(s);
	return rc;
}

static int risk_exposure(const cli_env *e, int argc, char **argv)
{
	const char *group = NULL, *asof = NULL, *pos[1];
	int n, help;
	cli_opt opts[] = {{"group", 1, &group}, {"as-of", 1, &asof}, {NULL, 0, NULL}};
	if (cli_parse(e, "risk exposure", argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help || (n == 1) == (group != NULL)) return usage(e, RISK_USAGE);
	civil_day d;
	if (cli_date(e, "risk exposure", "as-of", asof, &d)) return EXIT_USAGE;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	exposure x;
	char err[512];
	int r = group ? exposure_group(s, group, d, &x, err, sizeof err)
	              : exposure_client(s, pos[0], d, &x, err, sizeof err);
	if (r) {
		fprintf(e->err, "vigie risk exposure: %s\n", err);
		store_close(s);
		return EXIT_STORE;
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
	store_close(s);
	return EXIT_OK;
}

static int risk_set(const cli_env *e, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[0], "limit_breach") != 0 ||
	    (strcmp(argv[1], "flag") != 0 && strcmp(argv[1], "refuse") != 0))
		return usage(e, RISK_USAGE);
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	store_rc r = store_begin(s);
	if (!r) r = store_risk_setting_set(s, argv[0], argv[1]);
	if (!r) r = store_commit(s);
	if (r) {
		fprintf(e->err, "vigie risk set: %s\n", store_errmsg(s));
		store_rollback(s);
	}
	store_close(s);
	return r ? EXIT_STORE : EXIT_OK;
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
	           *pr = NULL, *pb = NULL, *pp = NULL, *pos[1];
	int n, help;
	cli_opt opts[] = {{"as-of", 1, &asof},
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
	store *s = cli_open_store(e);
	if (!s) {
		sc_model_free(m);
		return EXIT_STORE;
	}
	risk_alert_sink sink = {print_alert, (void *)e};
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
	const char *asof = NULL, *pos[1];
	int n, help;
	cli_opt opts[] = {{"as-of", 1, &asof}, {NULL, 0, NULL}};
	if (cli_parse(e, "risk grade", argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help || n != 1) return usage(e, RISK_USAGE);
	civil_day d;
	if (cli_date(e, "risk grade", "as-of", asof, &d)) return EXIT_USAGE;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	char g[RISK_GRADE_MAX];
	store_rc r = store_risk_grade_of(s, pos[0], d, g);
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
    "usage: vigie watch add ACCOUNT|--client ID --on DATE [--reason TEXT] [--by USER]\n"
    "       vigie watch remove ACCOUNT|--client ID --on DATE [--by USER]\n"
    "       vigie watch list [--as-of DATE] (default: every entry ever)\n";

static int watch_row(void *ctx, const store_risk_watch *w)
{
	FILE *f = ctx;
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
	const char *client = NULL, *on = NULL, *asof = NULL, *reason = NULL, *by = NULL, *pos[2];
	int n, help;
	cli_opt opts[] = {{"client", 1, &client}, {"on", 1, &on}, {"as-of", 1, &asof},
	                  {"reason", 1, &reason}, {"by", 1, &by}, {NULL, 0, NULL}};
	if (cli_parse(e, "watch", argc, argv, opts, pos, 2, &n, &help)) return EXIT_USAGE;
	if (help || n < 1) return usage(e, WATCH_USAGE);
	store *s;
	if (strcmp(pos[0], "list") == 0) {
		civil_day d = DATE_NONE;
		if (asof && cli_date(e, "watch", "as-of", asof, &d)) return EXIT_USAGE;
		if (!(s = cli_open_store(e))) return EXIT_STORE;
		fputs("kind,subject,added_on,removed_on,added_by,reason\n", e->out);
		store_rc r = store_risk_watch_each(s, d, watch_row, e->out);
		if (r) fprintf(e->err, "vigie watch: %s\n", store_errmsg(s));
		store_close(s);
		return r ? EXIT_STORE : EXIT_OK;
	}
	int add = strcmp(pos[0], "add") == 0;
	if ((!add && strcmp(pos[0], "remove") != 0) || (n == 2) == (client != NULL))
		return usage(e, WATCH_USAGE);
	civil_day d;
	if (cli_date(e, "watch", "on", on, &d)) return EXIT_USAGE;
	if (!(s = cli_open_store(e))) return EXIT_STORE;
	store_risk_watch w = {.subject_kind = client ? RISK_SUBJECT_CLIENT : RISK_SUBJECT_ACCOUNT,
	                      .added_on = d};
	snprintf(w.subject, sizeof w.subject, "%s", client ? client : pos[1]);
	snprintf(w.reason, sizeof w.reason, "%s", reason ? reason : "");
	snprintf(w.added_by, sizeof w.added_by, "%s", by ? by : "");
	store_rc r = STORE_OK;
	if (client) {
		store_client c;
		r = store_client_get(s, w.subject, &c);
	} else {
		store_account a;
		r = store_account_get(s, w.subject, &a);
	}
	int began = 0;
	if (!r && !(r = store_begin(s))) began = 1;
	if (!r)
		r = add ? store_risk_watch_add(s, &w)
		        : store_risk_watch_remove(s, w.subject_kind, w.subject, d, by);
	if (!r) r = store_commit(s);
	int rc = EXIT_OK;
	if (r) {
		if (began) store_rollback(s);
		if (r == STORE_CONFLICT)
			fprintf(e->err, "vigie watch: %s is already on the watch list\n", w.subject),
			    rc = EXIT_BAD_INPUT;
		else if (r == STORE_NOT_FOUND)
			fprintf(e->err, "vigie watch: %s: not found%s\n", w.subject,
			        add ? "" : " on the watch list"),
			    rc = EXIT_NOT_FOUND;
		else
			fprintf(e->err, "vigie watch: %s\n", store_errmsg(s)), rc = EXIT_STORE;
	}
	store_close(s);
	return rc;
}

/* --- segments ---------------------------------------------------------------------------------- */
static const char SEG_USAGE[] =
    "usage: vigie segments --as-of DATE --by grade|product|branch|officer|bucket|amount_band\n"
    "                      [--bands B1,B2,...] [--currency C] [--format table|csv|json]\n"
    "  active loans per segment: loans, outstanding principal, arrears, PAR30 (as vigie report par)\n";

int cmd_segments(const cli_env *e, int argc, char **argv)
{
	const char *asof = NULL, *by = NULL, *bands = NULL, *cur = NULL, *format = NULL, *pos[1];
	int n, help;
	cli_opt opts[] = {{"as-of", 1, &asof},   {"by", 1, &by},         {"bands", 1, &bands},
	                  {"currency", 1, &cur}, {"format", 1, &format}, {NULL, 0, NULL}};
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

/* cmd_account.c: `vigie account show|write-off` and `vigie payment reverse`: one account's ledger
 * as of a date (schedule with what is paid and late, DPD, arrears, payments with their allocation,
 * PAR-bucket history), and the two corrections a back office makes on it. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/currency.h"
#include "core/money.h"
#include "engine/ledger_sync.h"
#include "io/json_out.h"

static const char ACCOUNT_HELP[] =
    "usage: vigie [--db PATH|URL] account show ID --as-of DATE [--format table|json] [--allocation ORDER]\n"
    "       vigie [--db PATH|URL] account write-off ID --on DATE\n"
    "       vigie [--db PATH|URL] account timeline ID --as-of DATE [--format table|csv|json] [--as USER]\n"
    "       vigie [--db PATH|URL] account assign ID --officer NAME --as USER --on DATE\n"
    "\n"
    "show       the loan or invoice as of DATE: status, days past due, outstanding principal, arrears\n"
    "           per component, credit balance; every installment with what is paid and how late it\n"
    "           is; every payment counted as of DATE with what it paid; the PAR-bucket history up to\n"
    "           DATE. Only payments dated on or before DATE (and not reversed by then) count.\n"
    "write-off  removes the account from the active portfolio from DATE on (PAR and ageing).\n"
    "timeline   everything that happened to the account, in date order (vigie account timeline --help).\n"
    "assign     gives the account to another officer of its branch (vigie account assign --help).\n";

static const char PAYMENT_HELP[] =
    "usage: vigie [--db PATH|URL] payment reverse ID --on DATE\n"
    "Reverses a payment: it counts as of dates before DATE and not from DATE on.\n"
    "Reversing again with the same date changes nothing.\n";

typedef struct {
	const store_account *a;
	int exp;
	ledger_buf b;
	ledger_state st;
	int64_t (*paid)[COMP_N];
	civil_day *settled_on; /* per obligation: the day it was fully paid, or DATE_NONE */
	int64_t (*alloc)[COMP_N];
	ledger_bucket_interval *hist;
	int n_hist;
} view;

static const char *amt(const view *v, int64_t x, char *buf)
{
	money_format(x, v->exp, buf, 32);
	return buf;
}

static const char *tamt(const view *v, int64_t x, char *buf)
{
	return cli_group_digits((char *)amt(v, x, buf));
}

static int64_t sum4(const int64_t a[COMP_N])
{
	return a[0] + a[1] + a[2] + a[3];
}

/* Status text of obligation i as of D. */
static void ob_status(const view *v, int i, civil_day as_of, char *buf, size_t cap)
{
	int64_t due = sum4(v->b.ob[i].amount), paid = sum4(v->paid[i]);
	civil_day due_on = v->b.ob[i].due_on;
	char d[16];
	if (paid >= due) {
		date_format(v->settled_on[i], d, sizeof d);
		if (v->settled_on[i] > due_on)
			snprintf(buf, cap, "paid %s (%d day%s late)", d, (int)(v->settled_on[i] - due_on),
			         v->settled_on[i] - due_on == 1 ? "" : "s");
		else
			snprintf(buf, cap, "paid %s", d);
	} else if (due_on < as_of) {
		snprintf(buf, cap, "%s, %d days late", paid ? "partly paid" : "unpaid",
		         (int)(as_of - due_on));
	} else if (due_on == as_of) {
		snprintf(buf, cap, "%s today", paid ? "partly paid, due" : "due");
	} else {
		snprintf(buf, cap, "%s", paid ? "partly prepaid" : "not due");
	}
}

/* Replays payments one by one to find what each paid and when each obligation was settled. */
static int compute(view *v, civil_day as_of, const alloc_order *order)
{
	int n = v->b.n_ob;
	ledger_account acct = {.start_on = v->a->start_on, .written_off_on = v->a->written_off_on};
	v->paid = calloc((size_t)n + 1, sizeof *v->paid);
	v->alloc = calloc(((size_t)n + 1) * ((size_t)v->b.n_pay + 1), sizeof *v->alloc);
	v->settled_on = calloc((size_t)n + 1, sizeof *v->settled_on);
	if (!v->paid || !v->alloc || !v->settled_on) return -1;
	if (ledger_state_as_of(&acct, v->b.ob, n, v->b.pay, v->b.n_pay, order, as_of, v->paid, &v->st))
		return -1;
	for (int i = 0; i < n; i++)
		v->settled_on[i] = sum4(v->b.ob[i].amount) == 0 ? v->b.ob[i].due_on : DATE_NONE;
	int64_t(*cum)[COMP_N] = calloc((size_t)n + 1, sizeof *cum);
	if (!cum) return -1;
	for (int p = 0; p < v->b.n_pay; p++) {
		const ledger_payment *lp = &v->b.pay[p];
		if (lp->paid_on > as_of || (lp->reversed_on != DATE_NONE && lp->reversed_on <= as_of))
			continue;
		int64_t credit;
		int64_t(*al)[COMP_N] = v->alloc + (size_t)p * (size_t)n;
		if (ledger_payment_allocation(&acct, v->b.ob, n, v->b.pay, v->b.n_pay, order, p, as_of, al,
		                              &credit)) {
			free(cum);
			return -1;
		}
		for (int i = 0; i < n; i++) {
			for (int c = 0; c < COMP_N; c++)
				cum[i][c] += al[i][c];
			if (v->settled_on[i] == DATE_NONE && sum4(cum[i]) >= sum4(v->b.ob[i].amount))
				v->settled_on[i] = lp->paid_on;
		}
	}
	free(cum);
	for (;;) {
		int cap = v->n_hist;
		int k = ledger_bucket_history(&acct, v->b.ob, n, v->b.pay, v->b.n_pay, &ALLOC_DEFAULT,
		                              v->hist, cap);
		if (k < 0) return -1;
		if (k <= cap) {
			v->n_hist = k;
			return 0;
		}
		free(v->hist);
		v->hist = calloc((size_t)k, sizeof *v->hist);
		if (!v->hist) return -1;
		v->n_hist = k;
	}
}

static void show_table(FILE *f, const view *v, const store_client *cl, civil_day as_of)
{
	const store_account *a = v->a;
	char d[16], d2[16], b1[40], b2[40], b3[40], b4[40], b5[40], b6[40];
	date_format(a->start_on, d, sizeof d);
	fprintf(f, "%s %s of client %s (%s), %s %s, %s %s\n", a->kind == STORE_LOAN ? "Loan" : "Invoice",
	        a->ext_id, a->client_ext_id, cl->name, a->currency, tamt(v, a->principal, b1),
	        a->kind == STORE_LOAN ? "disbursed" : "issued", d);
	fprintf(f, "Product %s, branch %s, officer %s", a->product[0] ? a->product : "-",
	        a->branch[0] ? a->branch : "-", a->officer[0] ? a->officer : "-");
	if (a->written_off_on != DATE_NONE) {
		date_format(a->written_off_on, d, sizeof d);
		fprintf(f, ", written off %s", d);
	}
	fputc('\n', f);
	date_format(as_of, d, sizeof d);
	const ledger_state *st = &v->st;
	fprintf(f, "\nAs of %s: %s, %d days past due (PAR bucket %s)\n", d, ledger_status_name(st->status),
	        st->dpd, ledger_par_bucket_name(ledger_par_bucket(st->dpd)));
	fprintf(f, "Outstanding principal %s; arrears %s (principal %s, interest %s, fees %s, penalties %s)",
	        tamt(v, st->outstanding_principal, b1), tamt(v, sum4(st->arrears), b2),
	        tamt(v, st->arrears[COMP_PRINCIPAL], b3), tamt(v, st->arrears[COMP_INTEREST], b4),
	        tamt(v, st->arrears[COMP_FEE], b5), tamt(v, st->arrears[COMP_PENALTY], b6));
	if (st->credit) fprintf(f, "; credit balance %s", tamt(v, st->credit, b1));
	fputc('\n', f);

	fprintf(f, "\n%4s  %-10s %14s %14s %12s %12s %14s %14s  %s\n", "#", "due on", "principal", "interest",
	        "fees", "penalties", "paid", "unpaid", "status");
	for (int i = 0; i < v->b.n_ob; i++) {
		const obligation *o = &v->b.ob[i];
		char status[64];
		ob_status(v, i, as_of, status, sizeof status);
		date_format(o->due_on, d, sizeof d);
		int64_t due = sum4(o->amount), paid = sum4(v->paid[i]);
		fprintf(f, "%4d  %-10s %14s %14s %12s %12s %14s %14s  %s\n", i + 1, d,
		        tamt(v, o->amount[COMP_PRINCIPAL], b1), tamt(v, o->amount[COMP_INTEREST], b2),
		        tamt(v, o->amount[COMP_FEE], b3), tamt(v, o->amount[COMP_PENALTY], b4),
		        tamt(v, paid, b5), tamt(v, due - paid, b6), status);
	}

	fprintf(f, "\nPayments\n");
	int shown = 0;
	for (int p = 0; p < v->b.n_pay; p++) {
		const ledger_payment *lp = &v->b.pay[p];
		const store_payment *sp = &v->b.spay[p];
		if (lp->paid_on > as_of) continue;
		shown++;
		date_format(lp->paid_on, d, sizeof d);
		fprintf(f, "  %-14s %s %14s", sp->ext_id, d, tamt(v, lp->amount, b1));
		if (lp->reversed_on != DATE_NONE && lp->reversed_on <= as_of) {
			date_format(lp->reversed_on, d2, sizeof d2);
			fprintf(f, "  reversed %s\n", d2);
			continue;
		}
		fprintf(f, "  ->");
		const int64_t(*al)[COMP_N] =
		    (const int64_t(*)[COMP_N])(v->alloc + (size_t)p * (size_t)v->b.n_ob);
		int64_t used = 0;
		for (int i = 0; i < v->b.n_ob; i++) {
			int64_t x = sum4(al[i]);
			if (!x) continue;
			used += x;
			fprintf(f, " #%d %s", i + 1, tamt(v, x, b1));
		}
		if (used < lp->amount) fprintf(f, " credit %s", tamt(v, lp->amount - used, b1));
		fputc('\n', f);
	}
	if (!shown) fprintf(f, "  none\n");

	fprintf(f, "\nPAR-bucket history\n");
	for (int h = 0; h < v->n_hist; h++) {
		if (v->hist[h].entered_on > as_of) break;
		date_format(v->hist[h].entered_on, d, sizeof d);
		if (v->hist[h].left_on != DATE_NONE && v->hist[h].left_on <= as_of) {
			date_format(v->hist[h].left_on, d2, sizeof d2);
			fprintf(f, "  %-10s from %s to %s\n", ledger_par_bucket_name(v->hist[h].bucket), d,
			        d2);
		} else {
			fprintf(f, "  %-10s from %s\n", ledger_par_bucket_name(v->hist[h].bucket), d);
		}
	}
}

static void comp_json(json_out *j, const view *v, const char *key, const int64_t a[COMP_N])
{
	char b[32];
	json_key(j, key);
	json_obj_begin(j);
	for (int c = 0; c < COMP_N; c++)
		json_kstr(j, ledger_component_name((ledger_component)c), amt(v, a[c], b));
	json_kstr(j, "total", amt(v, sum4(a), b));
	json_obj_end(j);
}

static void show_json(FILE *f, const view *v, const store_client *cl, civil_day as_of)
{
	const store_account *a = v->a;
	char d[16], b[32];
	json_out j;
	json_init(&j, f, 1);
	json_obj_begin(&j);
	date_format(as_of, d, sizeof d);
	json_kstr(&j, "as_of", d);
	json_kstr(&j, "account_id", a->ext_id);
	json_kstr(&j, "kind", a->kind == STORE_LOAN ? "loan" : "invoice");
	json_kstr(&j, "client_id", a->client_ext_id);
	json_kstr(&j, "client_name", cl->name);
	json_kstr(&j, "currency", a->currency);
	json_kstr(&j, "principal", amt(v, a->principal, b));
	date_format(a->start_on, d, sizeof d);
	json_kstr(&j, "start_on", d);
	json_kstr(&j, "product", a->product);
	json_kstr(&j, "branch", a->branch);
	json_kstr(&j, "officer", a->officer);
	json_kstr(&j, "status", ledger_status_name(v->st.status));
	json_kint(&j, "days_past_due", v->st.dpd);
	json_kstr(&j, "par_bucket", ledger_par_bucket_name(ledger_par_bucket(v->st.dpd)));
	json_kstr(&j, "outstanding_principal", amt(v, v->st.outstanding_principal, b));
	comp_json(&j, v, "arrears", v->st.arrears);
	json_kstr(&j, "credit", amt(v, v->st.credit, b));
	json_key(&j, "schedule");
	json_arr_begin(&j);
	for (int i = 0; i < v->b.n_ob; i++) {
		char status[64];
		json_obj_begin(&j);
		json_kint(&j, "number", i + 1);
		date_format(v->b.ob[i].due_on, d, sizeof d);
		json_kstr(&j, "due_on", d);
		comp_json(&j, v, "due", v->b.ob[i].amount);
		comp_json(&j, v, "paid", v->paid[i]);
		ob_status(v, i, as_of, status, sizeof status);
		json_kstr(&j, "status", status);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "payments");
	json_arr_begin(&j);
	for (int p = 0; p < v->b.n_pay; p++) {
		if (v->b.pay[p].paid_on > as_of) continue;
		json_obj_begin(&j);
		json_kstr(&j, "payment_id", v->b.spay[p].ext_id);
		date_format(v->b.pay[p].paid_on, d, sizeof d);
		json_kstr(&j, "paid_on", d);
		json_kstr(&j, "amount", amt(v, v->b.pay[p].amount, b));
		int rev = v->b.pay[p].reversed_on != DATE_NONE && v->b.pay[p].reversed_on <= as_of;
		if (rev) {
			date_format(v->b.pay[p].reversed_on, d, sizeof d);
			json_kstr(&j, "reversed_on", d);
		} else {
			json_key(&j, "allocation");
			json_arr_begin(&j);
			const int64_t(*al)[COMP_N] =
			    (const int64_t(*)[COMP_N])(v->alloc + (size_t)p * (size_t)v->b.n_ob);
			for (int i = 0; i < v->b.n_ob; i++) {
				if (!sum4(al[i])) continue;
				json_obj_begin(&j);
				json_kint(&j, "installment", i + 1);
				for (int c = 0; c < COMP_N; c++)
					json_kstr(&j, ledger_component_name((ledger_component)c),
					          amt(v, al[i][c], b));
				json_obj_end(&j);
			}
			json_arr_end(&j);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "bucket_history");
	json_arr_begin(&j);
	for (int h = 0; h < v->n_hist && v->hist[h].entered_on <= as_of; h++) {
		json_obj_begin(&j);
		json_kstr(&j, "bucket", ledger_par_bucket_name(v->hist[h].bucket));
		date_format(v->hist[h].entered_on, d, sizeof d);
		json_kstr(&j, "entered_on", d);
		if (v->hist[h].left_on != DATE_NONE && v->hist[h].left_on <= as_of) {
			date_format(v->hist[h].left_on, d, sizeof d);
			json_kstr(&j, "left_on", d);
		} else {
			json_key(&j, "left_on");
			json_nullv(&j);
		}
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static int account_show(const cli_env *e, int argc, char **argv)
{
	const char *as_of = NULL, *format = NULL, *alloc = NULL;
	const cli_opt opts[] = {
	    {"as-of", 1, &as_of}, {"format", 1, &format}, {"allocation", 1, &alloc}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, "account show", argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(ACCOUNT_HELP, e->out);
		return EXIT_OK;
	}
	civil_day d;
	alloc_order order = ALLOC_DEFAULT;
	if (n != 1) {
		fprintf(e->err, "vigie account show: expected the account id (a loan or invoice id)\n");
		return EXIT_USAGE;
	}
	if (cli_date(e, "account show", "as-of", as_of, &d)) return EXIT_USAGE;
	int json = 0;
	if (format && strcmp(format, "table") != 0) {
		if (strcmp(format, "json") != 0) {
			fprintf(e->err,
			        "vigie account show: --format: expected table or json, found \"%s\"\n",
			        format);
			return EXIT_USAGE;
		}
		json = 1;
	}
	if (alloc && ledger_order_parse(alloc, &order)) {
		fprintf(e->err,
		        "vigie account show: --allocation: expected e.g. "
		        "vertical:penalty,fee,interest,principal, "
		        "found \"%s\"\n",
		        alloc);
		return EXIT_USAGE;
	}
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	store_account a;
	store_client cl;
	view v = {.a = &a};
	int rc = EXIT_OK;
	store_rc sr = store_account_get(s, pos[0], &a);
	if (sr == STORE_NOT_FOUND) {
		fprintf(e->err, "vigie account show: no loan or invoice with id \"%s\"\n", pos[0]);
		rc = EXIT_NOT_FOUND;
	} else if (sr != STORE_OK || store_client_get(s, a.client_ext_id, &cl) != STORE_OK ||
	           ledger_buf_load(s, a.id, &v.b)) {
		fprintf(e->err, "vigie account show: %s\n", store_errmsg(s));
		rc = EXIT_STORE;
	} else {
		const currency_info *cur = currency_find(a.currency, 3);
		v.exp = cur ? cur->exponent : 0;
		if (compute(&v, d, &order)) {
			fprintf(e->err, "vigie account show: the ledger of %s is invalid or too large\n",
			        a.ext_id);
			rc = EXIT_STORE;
		} else if (json) {
			show_json(e->out, &v, &cl, d);
		} else {
			show_table(e->out, &v, &cl, d);
		}
	}
	ledger_buf_free(&v.b);
	free(v.paid);
	free(v.alloc);
	free(v.settled_on);
	free(v.hist);
	store_close(s);
	return rc;
}

/* Runs one correction in a transaction, with the derived data rebuilt before commit. */
typedef store_rc (*correction_fn)(store *s, const char *id, civil_day on, store_put *res);

static store_rc do_write_off(store *s, const char *id, civil_day on, store_put *res)
{
	store_account a;
	store_rc rc = store_account_get(s, id, &a);
	if (rc != STORE_OK) return rc;
	if (a.written_off_on == on) {
		*res = PUT_UNCHANGED;
		return STORE_OK;
	}
	if (a.written_off_on != DATE_NONE) return STORE_CONFLICT;
	*res = PUT_UPDATED;
	return store_account_write_off(s, a.id, on);
}

static int correction(const cli_env *e, const char *cmd, const char *help_text, correction_fn fn, int argc,
                      char **argv)
{
	const char *on = NULL;
	const cli_opt opts[] = {{"on", 1, &on}, {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, cmd, argc, argv, opts, pos, 1, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(help_text, e->out);
		return EXIT_OK;
	}
	civil_day d;
	if (n != 1) {
		fprintf(e->err, "vigie %s: expected an id\n", cmd);
		return EXIT_USAGE;
	}
	if (cli_date(e, cmd, "on", on, &d)) return EXIT_USAGE;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	int rc = EXIT_OK;
	char err[256];
	store_put res = PUT_UNCHANGED;
	if (store_begin(s) != STORE_OK) {
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		store_close(s);
		return EXIT_STORE;
	}
	store_rc sr = fn(s, pos[0], d, &res);
	if (sr == STORE_NOT_FOUND) {
		fprintf(e->err, "vigie %s: no such id \"%s\"\n", cmd, pos[0]);
		rc = EXIT_NOT_FOUND;
	} else if (sr == STORE_CONFLICT) {
		fprintf(e->err, "vigie %s: \"%s\" was already done with another date; nothing changed\n", cmd,
		        pos[0]);
		rc = EXIT_BAD_INPUT;
	} else if (sr != STORE_OK) {
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		rc = EXIT_STORE;
	} else if (ledger_sync_rebuild(s, NULL, err, sizeof err)) {
		fprintf(e->err, "vigie %s: %s\n", cmd, err);
		rc = EXIT_STORE;
	} else if (store_commit(s) != STORE_OK) {
		fprintf(e->err, "vigie %s: %s\n", cmd, store_errmsg(s));
		rc = EXIT_STORE;
	}
	if (rc != EXIT_OK)
		store_rollback(s);
	else
		fprintf(e->out, "%s: %s\n", pos[0],
		        res == PUT_UNCHANGED ? "unchanged (already done)" : "done");
	store_close(s);
	return rc;
}

int cmd_account(const cli_env *e, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "show") == 0) return account_show(e, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "timeline") == 0) return cmd_account_timeline(e, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "assign") == 0) return cmd_account_assign(e, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "write-off") == 0)
		return correction(e, "account write-off", ACCOUNT_HELP, do_write_off, argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
		fputs(ACCOUNT_HELP, e->out);
		return EXIT_OK;
	}
	fprintf(e->err, "vigie account: expected show, timeline, assign or write-off (see vigie account --help)\n");
	return EXIT_USAGE;
}

int cmd_payment(const cli_env *e, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "reverse") == 0)
		return correction(e, "payment reverse", PAYMENT_HELP, store_payment_reverse, argc - 1,
		                  argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
		fputs(PAYMENT_HELP, e->out);
		return EXIT_OK;
	}
	fprintf(e->err, "vigie payment: expected reverse (see vigie payment --help)\n");
	return EXIT_USAGE;
}

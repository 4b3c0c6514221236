/* test_behaviour.c: engine/behaviour on a small SQLite store imported from the CSV fixtures in
 * tests/unit/fixtures/behaviour/ (through io/import, as a user would load it). Every client's history
 * is worked out by hand below (D = 2025-06-30, so the windows start on 2025-03-31, 2024-12-31 and
 * 2024-07-01, and the horizon of 90 days ends on 2025-09-28):
 *   CA  12 monthly installments of 100 due 2024-07-01..2025-06-01. Paid: 09-09 (100: 69 DPD on
 *       09-08), 09-20 (200), 10-01, 11-01, 12-01 on time, 2025-02-10 (39 DPD on 02-09), 02-20,
 *       03-01 on time, 04-01 50 and 04-15 30 (two partials), 05-01 120 (29 DPD on 04-30; pays
 *       05-01 on time); 06-01 unpaid: 29 DPD at D, 31 on 07-02 (bad). On time 5 of 12.
 *   CB  a closed first loan (2023) and a second: 4 x 300 due 04-15, 05-15, 06-15, 07-15, paid
 *       04-15, 05-14, 06-20 (4 DPD on 06-19), 07-30 (14 DPD at most after D: good). On time 2/3.
 *   CC  only a loan closed in 2024: counted as a client, no row.
 *   CE  a loan disbursed after D: not counted.
 *   CF  a loan never paid (due 2024-09-01, 10-01) written off on 2025-03-01 (180 DPD on 02-28, in
 *       the 6 and 12 month windows only; its installments count as not on time), and an active loan
 *       not due yet, paid on its due date after D (good). No payment: days since payment missing.
 *   CG  nothing due yet (on-time share missing); due 07-20, never paid: bad.
 *   CH  due on D (not late on D, not paid on D: not on time), paid 07-31: 30 DPD at most: good.
 *   CI  the same paid 08-01: 31 DPD on 07-31: bad (and only with a horizon of 31 days or more).
 *   CJ  installment due 04-01 paid that day by a payment reversed on 04-20 (a bounced payment:
 *       left out), paid again 05-10: 38 DPD on 05-09; not on time.
 *   CL  due 2025-02-15, paid 04-10: 53 DPD on 04-09, inside the 3-month window.
 *   CM  the same paid 03-31: 43 DPD on 03-30, the day before the 3-month window: 0 there.
 *   CN  due 07-01, paid that day by a payment reversed on 08-15: bad with a horizon reaching 08-15
 *       (46 days), good with 45 (the reversal is not known yet).
 *   CP  active loans in XOF (1000) and EUR (50.50): outstanding amounts missing, unless one
 *       currency is chosen. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/behaviour.h"
#include "io/import.h"
#include "io/portfolio_gen.h"
#include "t.h"

#define NA NAN

/* t.h's T_EQ_INT and T_EQ_STR with a printf-style name. */
#define EQ_INT(got, want, ...)                                                                               \
	do {                                                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);                                     \
		char n_[1024];                                                                               \
		snprintf(n_, sizeof n_, __VA_ARGS__);                                                        \
		T_OK(g_ == w_, "%s: got %lld, want %lld", n_, g_, w_);                                       \
	} while (0)
#define EQ_STR(got, want, ...)                                                                               \
	do {                                                                                                 \
		const char *g_ = (got), *w_ = (want);                                                        \
		char n_[1024];                                                                               \
		snprintf(n_, sizeof n_, __VA_ARGS__);                                                        \
		T_OK(g_ &&w_ &&strcmp(g_, w_) == 0, "%s: got \"%s\", want \"%s\"", n_, g_ ? g_ : "(null)",   \
		     w_ ? w_ : "(null)");                                                                    \
	} while (0)

static char tmpdir[256];
static char dbpath[300];

static const char *fixture_dir(void)
{
	static char dir[4096];
	const char *root = getenv("ROOT");
	if (root && *root) {
		snprintf(dir, sizeof dir, "%s/tests/unit/fixtures/behaviour", root);
	} else {
		const char *file = __FILE__, *slash = strrchr(file, '/');
		if (slash)
			snprintf(dir, sizeof dir, "%.*s/fixtures/behaviour", (int)(slash - file), file);
		else
			snprintf(dir, sizeof dir, "fixtures/behaviour");
	}
	return dir;
}

static store *open_fixture_store(void)
{
	char err[512];
	store *s = NULL;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/vigie-test-behaviour.XXXXXX");
	if (!mkdtemp(tmpdir)) return NULL;
	snprintf(dbpath, sizeof dbpath, "%s/b.db", tmpdir);
	if (store_open(dbpath, &s, err, sizeof err) != STORE_OK) {
		printf("# store_open: %s\n", err);
		return NULL;
	}
	EQ_INT(store_init(s), STORE_OK, "store_init");
	static const struct {
		import_kind k;
		const char *file;
	} files[] = {{IMPORT_CLIENTS, "clients.csv"},
	             {IMPORT_LOANS, "loans.csv"},
	             {IMPORT_SCHEDULES, "schedules.csv"},
	             {IMPORT_PAYMENTS, "payments.csv"}};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[4200];
		import_stats st;
		snprintf(path, sizeof path, "%s/%s", fixture_dir(), files[i].file);
		EQ_INT(import_csv(s, files[i].k, path, files[i].file, stderr, &st), IMPORT_DONE, "import %s",
		       files[i].file);
	}
	return s;
}

static void remove_store(void)
{
	char p[400];
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", dbpath, suffix[i]);
		unlink(p);
	}
	rmdir(tmpdir);
}

static civil_day day(const char *s)
{
	civil_day d = DATE_NONE;
	date_parse(s, strlen(s), &d);
	return d;
}

static int same(double got, double want)
{
	if (isnan(want)) return isnan(got);
	return fabs(got - want) <= 1e-12 * (1 + fabs(want));
}

typedef struct {
	const char *id;
	double v[BH_N_VARS];
	int bad;
} want_row;

/* D = 2025-06-30, horizon 90: the rows in client id order. Columns: max DPD 3m, 6m, 12m, DPD now,
 * on-time share, partials, loans, relationship days, outstanding, outstanding share, active loans,
 * days since the last payment. */
static const want_row WANT[] = {
    {"CA", {29, 39, 69, 29, 5.0 / 12, 2, 1, 394, 100, 100.0 / 1200, 1, 60}, 1},
    {"CB", {4, 4, 4, 0, 2.0 / 3, 0, 2, 902, 300, 0.25, 1, 10}, 0},
    {"CF", {0, 180, 180, 0, 0, 0, 2, 333, 500, 1, 1, NA}, 0},
    {"CG", {0, 0, 0, 0, NA, 0, 1, 10, 200, 1, 1, NA}, 1},
    {"CH", {0, 0, 0, 0, 0, 0, 1, 31, 100, 1, 1, NA}, 0},
    {"CI", {0, 0, 0, 0, 0, 0, 1, 31, 100, 1, 1, NA}, 1},
    {"CJ", {38, 38, 38, 0, 0, 0, 1, 121, 100, 0.5, 1, 51}, 0},
    {"CL", {53, 53, 53, 0, 0, 0, 1, 166, 100, 0.5, 1, 81}, 0},
    {"CM", {0, 43, 43, 0, 0, 0, 1, 166, 100, 0.5, 1, 91}, 0},
    {"CN", {0, 0, 0, 0, NA, 0, 1, 29, 100, 1, 1, NA}, 1},
    {"CP", {0, 0, 0, 0, NA, 0, 2, 29, NA, NA, 2, NA}, 0},
};
#define N_WANT (sizeof WANT / sizeof WANT[0])

static dataset *compute(store *s, const char *as_of, int horizon, const char *currency, behaviour_stats *st)
{
	behaviour_opts o = {
	    .as_of = day(as_of), .horizon = horizon, .order = ALLOC_DEFAULT, .currency = currency};
	dataset *d = NULL;
	char err[256] = "";
	behaviour_stats tmp;
	int r = behaviour_dataset(s, &o, &d, st ? st : &tmp, err, sizeof err);
	EQ_INT(r, 0, "behaviour_dataset %s h=%d: %s", as_of, horizon, err);
	return d;
}

/* The row of a client, or -1. */
static long row_of(const dataset *d, const char *id)
{
	for (size_t i = 0; i < d->n_rows; i++)
		if (strcmp(dataset_text(d, 0, i), id) == 0) return (long)i;
	return -1;
}

static double val(const dataset *d, const char *id, const char *col)
{
	long r = row_of(d, id);
	int c = dataset_find(d, col);
	if (r < 0 || c < 0) return -12345;
	return d->cols[c].num[r];
}

static void test_layout_and_values(store *s)
{
	behaviour_stats st;
	dataset *d = compute(s, "2025-06-30", 90, NULL, &st);
	if (!d) return;
	EQ_INT(d->n_cols, 1 + BH_N_VARS + 1, "columns: id, variables, target");
	EQ_STR(d->cols[0].name, BH_ID, "id column");
	EQ_INT(d->cols[0].kind, DS_ID, "id column kind");
	for (int j = 0; j < BH_N_VARS; j++) {
		EQ_STR(d->cols[1 + j].name, BH_VAR_NAMES[j], "variable %d name", j);
		EQ_INT(d->cols[1 + j].kind, DS_NUMERIC, "variable %s kind", BH_VAR_NAMES[j]);
	}
	EQ_STR(d->cols[1 + BH_N_VARS].name, BH_TARGET, "target column");
	EQ_INT(d->cols[1 + BH_N_VARS].kind, DS_BINARY, "target kind");
	EQ_INT(d->n_rows, N_WANT, "rows: clients with an active loan at D (CC and CE left out)");
	EQ_INT(st.loans, 15, "loans disbursed on or before D");
	EQ_INT(st.clients, 12, "clients with such a loan (CC included, CE not)");
	EQ_INT(st.rows, 11, "rows");
	EQ_INT(st.bads, 4, "bads: CA, CG, CI, CN");
	EQ_INT(st.last_paid_on, day("2025-08-01"), "latest payment");
	EQ_INT(row_of(d, "CC"), -1, "a client whose loans are all closed has no row");
	EQ_INT(row_of(d, "CE"), -1, "a client whose loan starts after D has no row");
	size_t missing[BH_N_VARS] = {0};
	for (size_t i = 0; i < N_WANT && i < d->n_rows; i++) {
		const want_row *w = &WANT[i];
		EQ_STR(dataset_text(d, 0, i), w->id, "row %zu id (client order)", i);
		for (int j = 0; j < BH_N_VARS; j++) {
			double got = d->cols[1 + j].num[i];
			T_OK(same(got, w->v[j]), "%s %s: got %.17g, want %.17g", w->id, BH_VAR_NAMES[j], got,
			     w->v[j]);
			missing[j] += isnan(w->v[j]);
		}
		EQ_INT(d->cols[1 + BH_N_VARS].num[i], w->bad, "%s bad", w->id);
	}
	for (int j = 0; j < BH_N_VARS; j++)
		EQ_INT(d->cols[1 + j].n_missing, missing[j], "%s missing count", BH_VAR_NAMES[j]);
	dataset_free(d);
}

static void test_no_horizon(store *s)
{
	dataset *d = compute(s, "2025-06-30", 0, NULL, NULL);
	if (!d) return;
	EQ_INT(d->n_cols, 1 + BH_N_VARS, "no target column without a horizon");
	EQ_INT(dataset_find(d, BH_TARGET), -1, "no bad column");
	EQ_INT(d->n_rows, N_WANT, "the same rows");
	T_OK(same(val(d, "CA", "on_time_share_12m"), 5.0 / 12), "the same variables");
	EQ_INT(val(d, "CA", "max_dpd_12m"), 69, "the same variables (12m)");
	dataset_free(d);
}

/* The outcome's bounds: (D, D + horizon], 31 days past due, reversals known at D + horizon. */
static void test_horizon_bounds(store *s)
{
	static const struct {
		int horizon;
		const char *id;
		int bad;
	} cases[] = {
	    {1, "CA", 0},  /* 30 DPD on 07-01 */
	    {2, "CA", 1},  /* 31 on 07-02 */
	    {30, "CI", 0}, /* 30 on 07-30 */
	    {31, "CI", 1}, /* 31 on 07-31 */
	    {30, "CG", 0}, /* due 07-20: 10 DPD on 07-30 */
	    {50, "CG", 0}, /* 30 on 08-19 */
	    {51, "CG", 1}, /* 31 on 08-20 */
	    {45, "CN", 0}, /* paid 07-01; the reversal of 08-15 is not known on 08-14 */
	    {46, "CN", 1}, /* reversed on 08-15: never paid, 45 DPD on 08-15 */
	    {90, "CH", 0}, /* 30 DPD at most */
	    {3650, "CB", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		dataset *d = compute(s, "2025-06-30", cases[i].horizon, NULL, NULL);
		if (!d) continue;
		EQ_INT(val(d, cases[i].id, BH_TARGET), cases[i].bad, "%s bad with a horizon of %d days",
		       cases[i].id, cases[i].horizon);
		dataset_free(d);
	}
	dataset *d = compute(s, "2025-06-30", 30, NULL, NULL);
	if (d) {
		double n = 0;
		for (size_t i = 0; i < d->n_rows; i++)
			n += d->cols[1 + BH_N_VARS].num[i];
		EQ_INT(n, 1, "horizon 30: only CA is bad");
		dataset_free(d);
	}
}

/* Earlier as-of dates replay the history as it was. */
static void test_earlier_dates(store *s)
{
	dataset *d = compute(s, "2024-09-08", 0, NULL, NULL);
	if (d) {
		EQ_INT(val(d, "CA", "dpd_now"), 69, "CA on 2024-09-08: 69 DPD");
		EQ_INT(val(d, "CA", "max_dpd_3m"), 69, "CA on 2024-09-08: 3m max is today");
		T_OK(isnan(val(d, "CA", "days_since_last_payment")), "CA on 2024-09-08: never paid yet");
		EQ_INT(val(d, "CA", "on_time_share_12m"), 0, "CA on 2024-09-08: 0 of 3 on time");
		EQ_INT(val(d, "CA", "outstanding_principal"), 1200, "CA on 2024-09-08: nothing repaid");
		EQ_INT(row_of(d, "CB"), -1,
		       "CB on 2024-09-08: its first loan is closed, the second not started");
		EQ_INT(val(d, "CF", "dpd_now"), 7, "CF on 2024-09-08: 7 DPD");
		dataset_free(d);
	}
	d = compute(s, "2024-09-09", 0, NULL, NULL);
	if (d) {
		EQ_INT(val(d, "CA", "dpd_now"), 39, "CA on 2024-09-09: 39 DPD after paying the first");
		EQ_INT(val(d, "CA", "max_dpd_3m"), 69, "CA on 2024-09-09: 69 the day before");
		EQ_INT(val(d, "CA", "days_since_last_payment"), 0, "CA on 2024-09-09: paid today");
		EQ_INT(val(d, "CA", "partial_payments_12m"), 0, "CA on 2024-09-09: a full installment");
		dataset_free(d);
	}
	d = compute(s, "2025-04-19", 0, NULL, NULL);
	if (d) {
		/* before the reversal of 04-20, CJ's payment of 04-01 counts */
		EQ_INT(val(d, "CJ", "on_time_share_12m"), 1, "CJ on 2025-04-19: paid on its due date");
		EQ_INT(val(d, "CJ", "dpd_now"), 0, "CJ on 2025-04-19: current");
		EQ_INT(val(d, "CA", "partial_payments_12m"), 2, "CA on 2025-04-19: two partials");
		EQ_INT(val(d, "CA", "dpd_now"), 18, "CA on 2025-04-19: 18 DPD");
		dataset_free(d);
	}
	d = compute(s, "2025-04-20", 0, NULL, NULL);
	if (d) {
		EQ_INT(val(d, "CJ", "on_time_share_12m"), 0, "CJ on 2025-04-20: the payment bounced");
		EQ_INT(val(d, "CJ", "dpd_now"), 19, "CJ on 2025-04-20: 19 DPD");
		EQ_INT(val(d, "CJ", "max_dpd_3m"), 19, "CJ on 2025-04-20: late since 04-01 as known now");
		T_OK(isnan(val(d, "CJ", "days_since_last_payment")), "CJ on 2025-04-20: no payment left");
		dataset_free(d);
	}
}

static void test_currency(store *s)
{
	dataset *d = compute(s, "2025-06-30", 90, "EUR", NULL);
	if (d) {
		EQ_INT(d->n_rows, 1, "EUR: one client");
		T_OK(same(val(d, "CP", "outstanding_principal"), 50.5), "EUR: outstanding in major units");
		T_OK(same(val(d, "CP", "outstanding_share"), 1), "EUR: outstanding share");
		EQ_INT(val(d, "CP", "loans"), 1, "EUR: one loan");
		dataset_free(d);
	}
	d = compute(s, "2025-06-30", 0, "XOF", NULL);
	if (d) {
		EQ_INT(d->n_rows, N_WANT, "XOF: every client");
		T_OK(same(val(d, "CP", "outstanding_principal"), 1000), "XOF: CP's XOF loan only");
		EQ_INT(val(d, "CP", "active_loans"), 1, "XOF: one active loan");
		dataset_free(d);
	}
}

static void test_edges(store *s)
{
	behaviour_opts o = {
	    .as_of = day("2025-06-30"), .horizon = BH_MAX_HORIZON + 1, .order = ALLOC_DEFAULT};
	dataset *d = NULL;
	char err[256] = "";
	EQ_INT(behaviour_dataset(s, &o, &d, NULL, err, sizeof err), -1, "horizon too long");
	T_OK(d == NULL && err[0], "refused with a message");
	o.horizon = -1;
	EQ_INT(behaviour_dataset(s, &o, &d, NULL, err, sizeof err), -1, "negative horizon");
	/* before any disbursement: no rows, a valid empty data set */
	behaviour_stats st;
	d = compute(s, "2022-01-01", 90, NULL, &st);
	if (d) {
		EQ_INT(d->n_rows, 0, "no loan yet: no rows");
		EQ_INT(st.clients, 0, "no client yet");
		EQ_INT(d->n_cols, 1 + BH_N_VARS + 1, "still every column");
		dataset_free(d);
	}
}

/* The same data set, cell by cell (NaN equal to NaN). */
static int same_dataset(const dataset *a, const dataset *b, const char *what)
{
	if (!a || !b || a->n_rows != b->n_rows || a->n_cols != b->n_cols) {
		T_OK(0, "%s: shapes differ (%zu vs %zu rows)", what, a ? a->n_rows : 0, b ? b->n_rows : 0);
		return 0;
	}
	for (size_t i = 0; i < a->n_rows; i++) {
		if (strcmp(dataset_text(a, 0, i), dataset_text(b, 0, i)) != 0) {
			T_OK(0, "%s: row %zu: client %s vs %s", what, i, dataset_text(a, 0, i),
			     dataset_text(b, 0, i));
			return 0;
		}
		for (int c = 1; c < a->n_cols; c++)
			if (!same(a->cols[c].num[i], b->cols[c].num[i])) {
				T_OK(0, "%s: client %s: %s: %g vs %g", what, dataset_text(a, 0, i),
				     a->cols[c].name, a->cols[c].num[i], b->cols[c].num[i]);
				return 0;
			}
	}
	T_OK(1, "%s: %zu rows equal", what, a->n_rows);
	return 1;
}

/* The fast paths give exactly the figures of the plain one: segments of a vertically allocated
 * loan from one pass (instead of one ledger replay per payment day), and the scan split over 3
 * connections (a client's loans spread over shards, partial figures merged). On the hand-worked
 * fixture store (reversals, write-offs, two currencies) and on a generated demo portfolio (every
 * payment behaviour), at several dates, with and without a horizon, in both allocation orders. */
static void test_fast_paths(const char *target, const char *what)
{
	static const char *const dates[] = {"2024-12-31", "2025-06-30", "2026-02-28", "2026-08-31"};
	store *s = NULL;
	char err[512] = "";
	T_EQ_INT(store_open(target, &s, err, sizeof err), STORE_OK, "open for the fast paths");
	if (!s) return;
	size_t compared = 0;
	for (int order = 0; order < 2; order++)
		for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++)
			for (int h = 0; h <= 90; h += 90) {
				behaviour_opts o = {
				    .as_of = day(dates[k]), .horizon = h, .order = ALLOC_DEFAULT};
				if (order)
					ledger_order_parse("horizontal:interest,principal,fee,penalty",
					                   &o.order);
				dataset *ref = NULL, *fast = NULL;
				behaviour_stats st1, st2;
				o.exact_replay = 1;
				EQ_INT(behaviour_dataset(s, &o, &ref, &st1, err, sizeof err), 0, "exact: %s",
				       err);
				o.exact_replay = 0;
				o.db = target;
				o.threads = 3;
				EQ_INT(behaviour_dataset(s, &o, &fast, &st2, err, sizeof err), 0, "fast: %s",
				       err);
				char name[200];
				snprintf(name, sizeof name, "%s, %s, as of %s, horizon %d, 3 threads", what,
				         order ? "horizontal" : "vertical", dates[k], h);
				if (same_dataset(ref, fast, name)) compared += ref->n_rows;
				EQ_INT(st1.clients * 1000000L + st1.loans, st2.clients * 1000000L + st2.loans,
				       "%s: counts", name);
				EQ_INT(st1.last_paid_on, st2.last_paid_on, "%s: last payment", name);
				dataset_free(ref);
				dataset_free(fast);
			}
	printf("# %s: %zu rows compared\n", what, compared);
	T_OK(compared >= 40, "%s: rows to compare", what);
	store_close(s);
}

/* A generated demo portfolio imported into a store of its own in tmpdir/gen; returns its path. */
static const char *generated_store(void)
{
	static char path[400];
	char dir[300], err[512];
	snprintf(dir, sizeof dir, "%s/gen", tmpdir);
	snprintf(path, sizeof path, "%s/g.db", tmpdir);
	if (mkdir(dir, 0700)) return NULL;
	gen_options g = {
	    .seed = 7, .n_clients = 150, .n_loans = 300, .n_invoices = 0, .as_of = day("2026-11-25")};
	gen_counts gc;
	EQ_INT(gen_portfolio(&g, dir, &gc, err, sizeof err), 0, "gen_portfolio: %s", err);
	store *s = NULL;
	if (store_open(path, &s, err, sizeof err) != STORE_OK) return NULL;
	EQ_INT(store_init(s), STORE_OK, "store_init");
	static const struct {
		import_kind k;
		const char *file;
	} files[] = {{IMPORT_CLIENTS, "clients.csv"},
	             {IMPORT_LOANS, "loans.csv"},
	             {IMPORT_SCHEDULES, "schedules.csv"},
	             {IMPORT_INVOICES, "invoices.csv"},
	             {IMPORT_PAYMENTS, "payments.csv"}};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char f[400];
		import_stats ist;
		snprintf(f, sizeof f, "%s/%s", dir, files[i].file);
		EQ_INT(import_csv(s, files[i].k, f, files[i].file, stderr, &ist), IMPORT_DONE, "import %s",
		       files[i].file);
		unlink(f);
	}
	rmdir(dir);
	store_close(s);
	return path;
}

static void remove_generated(void)
{
	char p[400];
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/g.db%s", tmpdir, suffix[i]);
		unlink(p);
	}
}

int main(void)
{
	store *s = open_fixture_store();
	T_OK(s != NULL, "fixture store");
	if (s) {
		test_layout_and_values(s);
		test_no_horizon(s);
		test_horizon_bounds(s);
		test_earlier_dates(s);
		test_currency(s);
		test_edges(s);
		store_close(s);
		test_fast_paths(dbpath, "fixture");
		const char *g = generated_store();
		T_OK(g != NULL, "generated store");
		if (g) test_fast_paths(g, "generated demo portfolio");
		remove_generated();
	}
	remove_store();
	return t_done("test_behaviour");
}

/* test_payment_predict.c: engine/payment_predict on a generated ledger whose payers have known
 * behaviours: 60 clients with 2 loans each of 24 monthly installments of 100 from 2024-01-15, a
 * third always paying on the due date, a third always 20 days late, a third paying 10 days late
 * about half the time (a fixed hash of client, loan and installment decides). Trained as of 2025-03-31,
 * back-tested as of 2025-06-30 (window 30): the on-time probability must rank the punctual above the late
 * (AUC > 0.8: the sometimes-late are a coin toss), the expected days late must order them the other way
 * round; features and outcome are checked for one client of each kind by hand; the model file round trip
 * predicts the same; the per-account function gives the same predictions as the scan. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/ledger_sync.h"
#include "engine/payment_predict.h"
#include "io/import.h"
#include "t.h"

static char tmpdir[256];

static civil_day day(const char *s)
{
	civil_day d = DATE_NONE;
	date_parse(s, strlen(s), &d);
	return d;
}

static int kind_of(int c)
{
	return c % 3; /* 0 punctual, 1 always 20 days late, 2 sometimes late */
}

/* Days late of installment k of loan l of client c. */
static int late_of(int c, int l, int k)
{
	if (kind_of(c) == 0) return 0;
	if (kind_of(c) == 1) return 20;
	unsigned h = (unsigned)(c * 7919 + l * 104729 + k * 1299709);
	h ^= h >> 13;
	h *= 0x5bd1e995u;
	h ^= h >> 15;
	return h & 1 ? 10 : 0;
}

static void write_files(void)
{
	char p[400];
	FILE *cl, *lo, *sc, *pa;
	snprintf(p, sizeof p, "%s/clients.csv", tmpdir);
	cl = fopen(p, "w");
	snprintf(p, sizeof p, "%s/loans.csv", tmpdir);
	lo = fopen(p, "w");
	snprintf(p, sizeof p, "%s/schedules.csv", tmpdir);
	sc = fopen(p, "w");
	snprintf(p, sizeof p, "%s/payments.csv", tmpdir);
	pa = fopen(p, "w");
	T_OK(cl && lo && sc && pa, "fixture files");
	if (!cl || !lo || !sc || !pa) return;
	fputs("client_id,name\n", cl);
	fputs("loan_id,client_id,currency,principal,disbursed_on,written_off_on\n", lo);
	fputs("loan_id,due_on,principal,interest,fees\n", sc);
	fputs("payment_id,account_id,paid_on,amount,reversed_on\n", pa);
	civil_day start = day("2023-12-15"), last = day("2025-11-30");
	int pid = 0;
	for (int c = 0; c < 60; c++) {
		fprintf(cl, "C%02d,client %d\n", c, c);
		for (int l = 0; l < 2; l++) {
			fprintf(lo, "L%02d_%d,C%02d,XOF,2400,2023-12-15,\n", c, l, c);
			for (int k = 1; k <= 24; k++) {
				civil_day due = date_add_months(start, k, 0);
				char d[16], pd[16];
				date_format(due, d, sizeof d);
				fprintf(sc, "L%02d_%d,%s,100,0,0\n", c, l, d);
				int late = late_of(c, l, k);
				if (due + late > last) continue;
				date_format(due + late, pd, sizeof pd);
				fprintf(pa, "P%d,L%02d_%d,%s,100,\n", ++pid, c, l, pd);
			}
		}
	}
	fclose(cl);
	fclose(lo);
	fclose(sc);
	fclose(pa);
}

static store *make_store(const char *path)
{
	char err[512];
	store *s = NULL;
	if (store_open(path, &s, err, sizeof err) != STORE_OK) return NULL;
	T_EQ_INT(store_init(s), STORE_OK, "store_init");
	static const struct {
		import_kind k;
		const char *f;
	} files[] = {{IMPORT_CLIENTS, "clients.csv"},
	             {IMPORT_LOANS, "loans.csv"},
	             {IMPORT_SCHEDULES, "schedules.csv"},
	             {IMPORT_PAYMENTS, "payments.csv"}};
	for (int i = 0; i < 4; i++) {
		char p[400];
		import_stats st;
		snprintf(p, sizeof p, "%s/%s", tmpdir, files[i].f);
		T_OK(import_csv(s, files[i].k, p, files[i].f, stderr, &st) == IMPORT_DONE, "import %s",
		     files[i].f);
		unlink(p);
	}
	return s;
}

static long row_of(const pp_rows *r, const char *account, const char *due)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->account[i], account) == 0 && r->due_on[i] == day(due)) return (long)i;
	return -1;
}

typedef struct {
	const pp_model *m;
	const pp_rows *r;
	int n, mismatch;
} cmp_ctx;

static int cmp_one(void *vc, const store_account *a, civil_day due, int64_t amount, double p, double e)
{
	cmp_ctx *c = vc;
	c->n++;
	for (size_t i = 0; i < c->r->n; i++)
		if (strcmp(c->r->account[i], a->ext_id) == 0 && c->r->due_on[i] == due) {
			double p2, e2;
			pp_predict_row(c->m, c->r, i, &p2, &e2);
			if (fabs(p - p2) > 1e-12 || fabs(e - e2) > 1e-12 || amount != c->r->amount[i])
				c->mismatch++;
			return 0;
		}
	c->mismatch++;
	return 0;
}

typedef struct {
	const pp_model *m;
	const pp_rows *r;
	civil_day as_of;
	cmp_ctx *cc;
} scan_cmp;

static int scan_cb(void *vc, const store_account *a, const uint8_t *blob, size_t len)
{
	scan_cmp *c = vc;
	return payment_predict_account(c->m, a, blob, len, c->as_of, 2, cmp_one, c->cc);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/vigie-test-pp.XXXXXX");
	if (!mkdtemp(tmpdir)) return 1;
	write_files();
	char db[300], err[512] = "";
	snprintf(db, sizeof db, "%s/p.db", tmpdir);
	store *s = make_store(db);
	T_OK(s != NULL, "store");
	if (!s) return t_done("payment_predict");

	pp_opts o = {.as_of = day("2025-03-31"), .window = 30, .with_outcome = 1, .order = ALLOC_DEFAULT};
	pp_rows *tr = NULL;
	T_EQ_INT(pp_rows_from_store(s, &o, &tr, err, sizeof err), 0, "training rows");
	/* every loan has one installment due 2025-04-15 */
	T_EQ_INT(tr ? (long long)tr->n : -1, 120, "one open installment per loan");
	if (tr) {
		long i0 = row_of(tr, "L00_0", "2025-04-15"), i1 = row_of(tr, "L01_0", "2025-04-15"),
		     i2 = row_of(tr, "L02_0", "2025-04-15");
		T_OK(i0 >= 0 && i1 >= 0 && i2 >= 0, "rows found");
		if (i0 >= 0 && i1 >= 0 && i2 >= 0) {
			T_OK(tr->x[PP_ON_TIME_SHARE_12M][i0] == 1, "punctual: on time share 1");
			T_OK(tr->x[PP_ON_TIME_SHARE_12M][i1] == 0, "late payer: on time share 0");
			/* due 2024-04-15 .. 2025-03-15, 20 days late; the last one, paid 04-04, is still
			 * unpaid at D: 16 days late then */
			T_OK(fabs(tr->x[PP_MEAN_LATE_12M][i1] - (11 * 20 + 16) / 12.0) < 1e-12 &&
			         tr->x[PP_MAX_LATE_12M][i1] == 20,
			     "late payer: mean %g, max %g", tr->x[PP_MEAN_LATE_12M][i1],
			     tr->x[PP_MAX_LATE_12M][i1]);
			/* the 3-month window (2025-01-01 .. 03-31) holds installments 13, 14, 15 */
			double want = (late_of(2, 0, 13) + late_of(2, 0, 14) + late_of(2, 0, 15)) / 3.0;
			T_OK(fabs(tr->x[PP_MEAN_LATE_3M][i2] - want) < 1e-12,
			     "sometimes late: 3-month mean %g, want %g", tr->x[PP_MEAN_LATE_3M][i2], want);
			T_OK(tr->x[PP_LOANS][i0] == 2, "loan cycle");
			T_OK(tr->x[PP_DAYS_TO_DUE][i0] == 15, "days to due");
			T_OK(tr->x[PP_INSTALLMENT][i0] == 16, "installment number");
			T_OK(tr->days_late[i0] == 0 && !tr->late[i0], "punctual: outcome on time");
			T_OK(tr->days_late[i1] == 20 && tr->late[i1], "late payer: outcome 20 days");
			T_OK(tr->days_late[i2] == late_of(2, 0, 16), "sometimes late: outcome %g",
			     tr->days_late[i2]);
			T_EQ_INT(tr->amount[i0], 100, "amount left");
		}
	}
	pp_model *m = NULL;
	if (tr) T_EQ_INT(pp_train(tr, &o, &m, err, sizeof err), 0, "train");
	if (m) {
		o.as_of = day("2025-06-30");
		pp_rows *te = NULL;
		T_EQ_INT(pp_rows_from_store(s, &o, &te, err, sizeof err), 0, "test rows");
		pp_metrics mt;
		if (te && pp_evaluate(m, te, &mt) == 0) {
			printf("# back-test: %zu rows, %zu late, AUC %.4f, MAE %.2f days\n", mt.rows, mt.late,
			       mt.auc, mt.mae);
			T_OK(mt.auc > 0.8, "back-test AUC %.3f > 0.8", mt.auc);
			T_OK(mt.mae < 5, "back-test MAE %.2f < 5 days", mt.mae);
			double p[3] = {0}, e[3] = {0};
			int n[3] = {0};
			for (size_t i = 0; i < te->n; i++) {
				int c = atoi(te->account[i] + 1), k = kind_of(c);
				double pi, ei;
				pp_predict_row(m, te, i, &pi, &ei);
				p[k] += pi;
				e[k] += ei;
				n[k]++;
			}
			for (int k = 0; k < 3; k++) {
				p[k] /= n[k] ? n[k] : 1;
				e[k] /= n[k] ? n[k] : 1;
			}
			T_OK(p[0] > 0.9 && p[0] > p[2] && p[2] > p[1] && p[1] < 0.1,
			     "p on time: punctual %.3f > sometimes late %.3f > late %.3f", p[0], p[2], p[1]);
			T_OK(e[0] < 1 && e[1] > 15 && e[1] < 25,
			     "expected days late: punctual %.2f, late %.2f", e[0], e[1]);
			/* model file round trip */
			char path[400];
			snprintf(path, sizeof path, "%s/pm.json", tmpdir);
			T_OK(pp_model_save(path, m, err, sizeof err) == 0, "save: %s", err);
			pp_model *m2 = NULL;
			T_OK(pp_model_load(path, &m2, err, sizeof err) == 0, "load: %s", err);
			if (m2) {
				int diff = 0;
				for (size_t i = 0; i < te->n; i++) {
					double a1, b1, a2, b2;
					pp_predict_row(m, te, i, &a1, &b1);
					pp_predict_row(m2, te, i, &a2, &b2);
					diff += a1 != a2 || b1 != b2;
				}
				T_EQ_INT(diff, 0, "the model read back predicts the same");
				/* the per-account function, as the daily run calls it */
				cmp_ctx cc = {m2, te, 0, 0};
				scan_cmp sc = {m2, te, o.as_of, &cc};
				store_scan_filter f = {.kind = -1, .by_client = 1};
				T_EQ_INT(store_scan(s, &f, scan_cb, &sc), STORE_OK, "scan");
				T_EQ_INT(cc.n, (long long)te->n, "per account: every open obligation");
				T_EQ_INT(cc.mismatch, 0, "per account: the same predictions");
				pp_model_free(m2);
			}
			unlink(path);
			/* a file that is a scorecard but not a payment model is refused */
			FILE *f = fopen(path, "w");
			if (f) {
				fputs("{\"format\": \"vigie-scorecard\"}", f);
				fclose(f);
			}
			T_OK(pp_model_load(path, &m2, err, sizeof err) != 0, "not a payment model refused");
			unlink(path);
		}
		pp_rows_free(te);
		pp_model_free(m);
	}
	pp_rows_free(tr);
	o.window = PP_MAX_WINDOW + 1;
	T_OK(pp_rows_from_store(s, &o, &tr, err, sizeof err) != 0, "window out of range refused");
	store_close(s);
	char p[400];
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s%s", db, suffix[i]);
		unlink(p);
	}
	rmdir(tmpdir);
	return t_done("payment_predict");
}

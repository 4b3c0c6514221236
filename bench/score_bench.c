/* score_bench.c: how fast the scorecard engine trains and scores (figures, no assertions).
 * Generates N rows (default 1,000,000) of 10 variables (7 numeric, one with 10% missing; 3
 * categorical, one with rare levels) from a known logistic model with a seeded PRNG, then times
 * sc_train on all N rows, sc_score_columns on all N rows, and the per-row lookups
 * (sc_bin_of_number / sc_bin_of_text + sc_score_bins) that a streaming scorer would use.
 *   build/rel/bench/score_bench [N]            the timings above
 *   build/rel/bench/score_bench N --csv FILE   only write the rows as CSV (id, 10 variables, split,
 *                                              bad) to time `vigie score train|apply` on them
 * Build: make build/rel/bench/score_bench */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/scorecard.h"

static uint64_t state = 20261125;

static uint64_t rnd(void)
{
	uint64_t z = (state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double unif(void)
{
	return ((double)(rnd() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

enum { NNUM = 7, NCAT = 3, NV = NNUM + NCAT };
static const char *const NAMES[NV] = {"income", "age",   "seniority", "amount", "term",
                                      "debt",   "noise", "region",    "sector", "channel"};
static const char *const REGION[] = {"north", "south", "east", "west", "centre", "coast", "islands"};
static const char *const SECTOR[] = {"retail", "farming", "services", "transport", "crafts", "fishing"};
static const char *const CHANNEL[] = {"branch", "agent", "mobile"};
static const int NLEV[NCAT] = {7, 6, 3};

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	const char *csv = argc > 3 && strcmp(argv[2], "--csv") == 0 ? argv[3] : NULL;
	if (n < 100 || n > SC_MAX_ROWS) {
		fprintf(stderr, "usage: score_bench [N >= 100] [--csv FILE]\n");
		return 2;
	}
	double *x[NNUM];
	int32_t *code[NCAT];
	for (int j = 0; j < NNUM; j++)
		x[j] = malloc(sizeof(double) * n);
	for (int j = 0; j < NCAT; j++)
		code[j] = malloc(sizeof(int32_t) * n);
	unsigned char *y = malloc(n), *train = malloc(n);
	if (!y || !train) return 3;
	static const double reg_eff[] = {0, 0.3, -0.2, 0.5, 0.1, -0.4, 0.8};
	static const double sec_eff[] = {0, 0.6, -0.4, 0.9, 0.2, 1.2};
	static const double ch_eff[] = {0, 0.25, -0.15};
	for (size_t i = 0; i < n; i++) {
		double inc = exp(5 + 0.6 * normal()), age = 18 + 50 * unif(), sen = 20 * unif();
		double amt = 500 + 5000 * unif(), term = 6 + 6 * (double)(rnd() % 10),
		       debt = unif() < 0.7 ? 0 : 3000 * unif();
		int sen_missing = unif() < 0.10;
		double u = unif();
		int32_t sec = u < 0.4 ? 0 : u < 0.65 ? 1 : u < 0.85 ? 2 : u < 0.97 ? 3 : u < 0.985 ? 4 : 5;
		int32_t reg = (int32_t)(rnd() % 7), ch = (int32_t)(rnd() % 3);
		double eta = -1.5 - 0.9 * (log(inc) - 5) / 0.6 + 0.002 * (age - 42) * (age - 42) +
		             (sen_missing ? 0.7 : -0.08 * sen) + 0.0002 * amt + 0.02 * term + 0.0003 * debt +
		             reg_eff[reg] + sec_eff[sec] + ch_eff[ch];
		x[0][i] = round(inc);
		x[1][i] = round(age);
		x[2][i] = sen_missing ? NAN : round(sen);
		x[3][i] = round(amt);
		x[4][i] = term;
		x[5][i] = round(debt);
		x[6][i] = round(normal() * 1000) / 1000;
		code[0][i] = reg;
		code[1][i] = sec;
		code[2][i] = ch;
		y[i] = unif() < 1 / (1 + exp(-eta));
		train[i] = i % 2 == 0;
	}
	if (csv) {
		FILE *f = fopen(csv, "w");
		if (!f) {
			perror(csv);
			return 3;
		}
		fprintf(f, "id");
		for (int j = 0; j < NV; j++)
			fprintf(f, ",%s", NAMES[j]);
		fprintf(f, ",split,bad\n");
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "C%zu", i + 1);
			for (int j = 0; j < NNUM; j++)
				if (isnan(x[j][i]))
					fputs(",", f);
				else
					fprintf(f, ",%.10g", x[j][i]);
			fprintf(f, ",%s,%s,%s,%s,%d\n", REGION[code[0][i]], SECTOR[code[1][i]],
			        CHANNEL[code[2][i]], train[i] ? "train" : "test", y[i]);
		}
		return fclose(f) ? 3 : 0;
	}
	sc_column cols[NV];
	static const char *const *levels[NCAT] = {REGION, SECTOR, CHANNEL};
	for (int j = 0; j < NNUM; j++)
		cols[j] = (sc_column){NAMES[j], 0, x[j], NULL, 0, NULL};
	for (int j = 0; j < NCAT; j++)
		cols[NNUM + j] = (sc_column){NAMES[NNUM + j], 1, NULL, code[j], NLEV[j], levels[j]};
	sc_params p;
	sc_params_default(&p);
	sc_model *m = NULL;
	char msg[256];
	double t0 = now();
	if (sc_train(cols, NV, y, NULL, n, &p, &m, msg, sizeof msg)) {
		fprintf(stderr, "train: %s\n", msg);
		return 1;
	}
	double t1 = now();
	printf("train: %zu rows x %d variables in %.3f s (%d Newton iterations), training AUC %.4f\n", n, NV,
	       t1 - t0, m->train.iterations, m->train.auc);
	double *score = malloc(sizeof(double) * n);
	t0 = now();
	sc_score_columns(m, cols, n, score, NULL);
	t1 = now();
	printf("score (columns): %zu rows in %.3f s (%.1f M rows/s)\n", n, t1 - t0,
	       (double)n / (t1 - t0) / 1e6);
	/* row by row, as a streaming scorer would: one bin lookup per variable, no allocation */
	uint8_t bins[NV];
	double sum = 0;
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < NNUM; j++)
			bins[j] = (uint8_t)sc_bin_of_number(&m->vars[j], x[j][i]);
		for (int j = 0; j < NCAT; j++)
			bins[NNUM + j] = (uint8_t)sc_bin_of_text(&m->vars[NNUM + j], levels[j][code[j][i]]);
		sum += sc_score_bins(m, bins);
	}
	t1 = now();
	printf("score (row by row, text lookups): %zu rows in %.3f s (%.1f M rows/s; checksum %.1f)\n", n,
	       t1 - t0, (double)n / (t1 - t0) / 1e6, sum / (double)n);
	sc_metrics mt;
	unsigned char *ty = malloc(n / 2 + 1);
	double *ts = malloc(sizeof(double) * (n / 2 + 1));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!train[i]) ts[k] = score[i], ty[k++] = y[i];
	t0 = now();
	sc_evaluate(m, ts, ty, k, &mt);
	t1 = now();
	printf("evaluate: %zu rows (split = test) in %.3f s: AUC %.4f, KS %.4f\n", k, t1 - t0, mt.auc, mt.ks);
	sc_model_free(m);
	for (int j = 0; j < NNUM; j++)
		free(x[j]);
	for (int j = 0; j < NCAT; j++)
		free(code[j]);
	free(y);
	free(train);
	free(score);
	free(ts);
	free(ty);
	return 0;
}

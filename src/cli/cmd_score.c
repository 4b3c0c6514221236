/* cmd_score.c: `vigie score train|eval|apply|features`: fits a credit scorecard on a data set and
 * writes it as a model file (io/model_file), evaluates a model on test rows (AUC, Gini, KS,
 * calibration, grades), and scores clients with, on request, every variable's bin and points. The
 * data set is a CSV file (io/dataset), or, with --from-ledger, the behavioural variables of every
 * client computed from the store's ledgers as of a date (engine/behaviour), with the outcome over a
 * horizon for training and back-testing; `features` writes that data set as CSV. The statistics are
 * core/scorecard. Only the --from-ledger forms read the store, and they never write to it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/currency.h"
#include "core/money.h"
#include "core/scorecard.h"
#include "engine/behaviour.h"
#include "engine/payment_predict.h"
#include "io/csv_out.h"
#include "io/dataset.h"
#include "io/json_out.h"
#include "io/model_file.h"

static const char HELP[] =
    "usage: vigie score train|eval|apply|features|predict [options]   (vigie score SUBCOMMAND --help)\n"
    "\n"
    "  train     fit a credit scorecard on a CSV data set and write it as a model file\n"
    "  eval      AUC, Gini, KS, calibration and the distribution by grade of a model on test rows\n"
    "  apply     score clients: id, score, grade, probability of bad; --explain adds the bin and\n"
    "            points of every variable\n"
    "  features  write the behavioural variables computed from the ledger as CSV\n"
    "  predict   per open installment or invoice: probability of paying on time, expected days\n"
    "            late (predict train / predict eval: fit and back-test the payment model)\n"
    "\n"
    "With --from-ledger --as-of DATE, train, eval and apply take the behavioural data set computed\n"
    "from the store's ledgers instead of a CSV file: one row per client with a loan active at DATE\n"
    "(payment history, loan cycle, relationship age, exposure), and for train and eval the outcome\n"
    "over --horizon days (bad = a loan 31 or more days past due, or written off, within it).\n"
    "The method and the exact definitions are in docs/scoring.md. Only --from-ledger reads the\n"
    "store (--db), and nothing here writes to it.\n";

static const char HELP_TRAIN[] =
    "usage: vigie score train --data FILE.csv --target COL [options]\n"
    "\n"
    "Fits a credit scorecard. Every column other than the target, split, id and excluded columns is\n"
    "a candidate variable: numeric when all its values are numbers, else categorical; an empty field\n"
    "or NA is missing. Numeric variables are binned by quantiles of the training rows (at most --bins\n"
    "bins, merged until each holds 5% of the rows, then until the WoE goes one way); categories get\n"
    "a bin each (those under 2% of the rows are pooled in \"(other)\"); missing values their own bin.\n"
    "Each bin's weight of evidence feeds a logistic regression (IRLS with an L2 penalty); points are\n"
    "scaled so that --base-score points mean odds of --base-odds good for one bad, and --pdo more\n"
    "points double the odds. A variable with a single bin is dropped (the model file says so).\n"
    "\n"
    "Options:\n"
    "  --data FILE           the CSV data set, with a header row (\"-\": standard input)\n"
    "  --target COL          the outcome: 1 = bad, 0 = good\n"
    "  --split-column COL    train on the rows whose COL is \"train\" only (default: every row)\n"
    "  --id-column COL       the client id column (not a variable)\n"
    "  --exclude COL,...     other columns that are not variables\n"
    "  --out MODEL.json      the model file to write (default model.json)\n"
    "  --bins N              numeric variables: at most N bins (default 10; 2 to 100)\n"
    "  --shape monotonic|free  numeric variables: merge adjacent bins until the WoE goes one way\n"
    "                        (default monotonic), or keep the shape of the data (free)\n"
    "  --min-bin-share S     numeric variables: each bin holds at least this share of the\n"
    "                        training rows (default 0.05)\n"
    "  --l2 LAMBDA           L2 penalty on the coefficients (default 1e-4 x training rows)\n"
    "  --base-score S        points at the base odds (default 600)\n"
    "  --base-odds O         the base odds, good:bad (default 50)\n"
    "  --pdo P               points to double the odds (default 20)\n"
    "  --grades SPEC         grade cut-offs, e.g. A:700,B:650,C:600,D:550: A when the score is 700\n"
    "                        or more, ..., E below 550; a last name without a score names the\n"
    "                        bottom grade (A:560,B:530,C:500,D:470,E). Default: grades A to E\n"
    "                        with cut-offs at the quintiles of the training scores (each grade\n"
    "                        holds a fifth of the training rows), written in the model file\n"
    "\n"
    "From the ledger (instead of --data, --target, --split-column, --id-column):\n"
    "  --from-ledger         train on the behavioural data set computed from the store\n"
    "  --as-of DATE          the observation date: the variables as of DATE ...\n"
    "  --horizon DAYS        ... and the outcome over (DATE, DATE + DAYS]: bad = 1 when a loan active\n"
    "                        at DATE is 31 or more days past due on one of those days (or written off)\n"
    "  --currency CODE       only the loans in this currency\n"
    "  --allocation ORDER    payment allocation order (default vertical:penalty,fee,interest,principal)\n"
    "  --threads N           connections sharing the scan of the ledger (default: processors)\n"
    "\n"
    "Exit codes: 0 the model is written; 1 bad data (FILE:LINE: messages); 2 usage; 3 I/O failure.\n";

static const char HELP_EVAL[] =
    "usage: vigie score eval --model MODEL.json --data FILE.csv [options]\n"
    "\n"
    "Scores the rows and compares with the outcome (the model's target column): AUC (exact, ties\n"
    "counted half), Gini = 2 AUC - 1, KS, Brier score and log loss, a calibration table by deciles of\n"
    "the predicted probability of bad (predicted vs observed bad rate), and the rows, bads and bad\n"
    "rate per grade.\n"
    "\n"
    "Options:\n"
    "  --model MODEL.json    the model (from vigie score train)\n"
    "  --data FILE           the CSV data set (\"-\": standard input)\n"
    "  --split-column COL    evaluate the rows whose COL is --split-value (default: the model's split\n"
    "                        column when the data has it, else every row)\n"
    "  --split-value V       (default test)\n"
    "  --all                 every row, whatever the split column\n"
    "  --format table|json   (default table)\n"
    "\n"
    "Back-test on the ledger (instead of --data): the model, trained at an earlier date, scores the\n"
    "clients as of --as-of, and the outcome is what the ledger shows over the next --horizon days.\n"
    "  --from-ledger --as-of DATE --horizon DAYS [--currency CODE] [--allocation ORDER] [--threads N]\n";

static const char HELP_APPLY[] =
    "usage: vigie score apply --model MODEL.json --data FILE.csv [options]\n"
    "\n"
    "Scores every row: id, score (the exact sum of the points, shown with 2 decimals), grade and\n"
    "probability of bad. A missing value goes to the variable's missing bin, a category not seen in\n"
    "training to its \"other\" bin (or the missing bin when it has none).\n"
    "\n"
    "Options:\n"
    "  --model MODEL.json    the model (from vigie score train)\n"
    "  --data FILE           the CSV data set (\"-\": standard input)\n"
    "  --id-column COL       the id column (default: the model's id column when the data has it,\n"
    "                        else the row number)\n"
    "  --explain             also each variable's bin and points (they add up to the score)\n"
    "  --format csv|json     (default csv)\n"
    "\n"
    "Score every client with a loan active at DATE from the ledger (instead of --data; the id is\n"
    "the client id):\n"
    "  --from-ledger --as-of DATE [--currency CODE] [--allocation ORDER] [--threads N]\n";

static const char HELP_FEATURES[] =
    "usage: vigie [--db PATH|URL] score features --from-ledger --as-of DATE [options]\n"
    "\n"
    "Writes, as CSV on standard output, the behavioural data set computed from the store's ledgers:\n"
    "one row per client with a loan active at DATE, in client id order:\n"
    "  client_id, max_dpd_3m, max_dpd_6m, max_dpd_12m, dpd_now, on_time_share_12m,\n"
    "  partial_payments_12m, loans, relationship_days, outstanding_principal, outstanding_share,\n"
    "  active_loans, days_since_last_payment[, bad]\n"
    "An empty field is missing. The file can be read by `vigie score train --data FILE --target bad\n"
    "--id-column client_id`. Definitions: docs/scoring.md, \"Behavioural score from the ledger\".\n"
    "\n"
    "Options:\n"
    "  --from-ledger         (the only source of these variables; accepted for symmetry)\n"
    "  --as-of DATE          the observation date\n"
    "  --horizon DAYS        also the outcome column bad over (DATE, DATE + DAYS]\n"
    "  --currency CODE       only the loans in this currency\n"
    "  --allocation ORDER    payment allocation order (default vertical:penalty,fee,interest,principal)\n"
    "  --threads N           connections sharing the scan of the ledger (default: processors)\n";

#define ERRBUF   8192
#define MAX_WANT 300 /* target, split, id and the excluded columns */

/* ---- small helpers ---- */

static int num_opt(const cli_env *e, const char *cmd, const char *name, const char *v, double *out)
{
	if (!v) return 0;
	char *end;
	double d = strtod(v, &end);
	if (!*v || *end || !isfinite(d)) {
		fprintf(e->err, "vigie %s: --%s: expected a number, found \"%s\"\n", cmd, name, v);
		return -1;
	}
	*out = d;
	return 0;
}

static void print_data_error(const cli_env *e, const char *cmd, ds_err de, const char *err)
{
	if (err[0])
		fputs(err, e->err);
	else
		fprintf(e->err, "vigie %s: %s\n", cmd, dataset_strerror(de));
}

static int data_exit(ds_err de)
{
	return de == DS_ERR_OPEN || de == DS_ERR_NOMEM ? EXIT_STORE : EXIT_BAD_INPUT;
}

static void fmt(char *buf, size_t cap, const char *f, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "null");
	else
		snprintf(buf, cap, f, v);
}

static void jnum(json_out *j, const char *k, const char *f, double v)
{
	char b[64];
	fmt(b, sizeof b, f, v);
	json_key(j, k);
	json_raw(j, b);
}

/* Finds the model's variables in the data set: cols[j] for model variable j. */
static void columns_for(const sc_model *m, const dataset *d, sc_column *cols)
{
	for (int j = 0; j < m->n_vars; j++) {
		memset(&cols[j], 0, sizeof cols[j]);
		cols[j].name = m->vars[j].name;
		cols[j].categorical = m->vars[j].categorical;
		int c = dataset_find(d, m->vars[j].name);
		if (c < 0) continue;
		const ds_column *dc = &d->cols[c];
		cols[j].x = dc->num;
		cols[j].code = dc->code;
		cols[j].n_levels = dc->n_levels;
		cols[j].levels = (const char *const *)dc->levels;
	}
}

/* Reads the data a model needs: its used variables (each of its kind), plus extra columns. */
static int read_for_model(const cli_env *e, const char *cmd, const sc_model *m, const char *path,
                          const ds_want *extra, int n_extra, dataset **d)
{
	ds_want want[SC_MAX_VARS + 4];
	int n = 0;
	for (int j = 0; j < m->n_vars; j++)
		if (m->vars[j].used)
			want[n++] =
			    (ds_want){m->vars[j].name, m->vars[j].categorical ? DS_TEXT : DS_NUMERIC, 1};
	for (int k = 0; k < n_extra; k++) {
		for (int w = 0; w < n; w++)
			if (strcmp(want[w].name, extra[k].name) == 0) {
				fprintf(e->err, "vigie %s: column %s is a variable of the model\n", cmd,
				        extra[k].name);
				return EXIT_USAGE;
			}
		want[n++] = extra[k];
	}
	ds_opts o = {want, n, DS_SKIP, 0};
	char *err = malloc(ERRBUF);
	if (!err) return EXIT_STORE;
	ds_err de = dataset_read(path, NULL, &o, d, err, ERRBUF);
	if (de) print_data_error(e, cmd, de, err);
	free(err);
	return de ? data_exit(de) : EXIT_OK;
}

static int load_model(const cli_env *e, const char *cmd, const char *path, sc_model **m)
{
	char err[1024];
	mf_err me = model_file_load(path, m, err, sizeof err);
	if (me) {
		fprintf(e->err, "vigie %s: %s\n", cmd, err);
		return me == MF_ERR_IO || me == MF_ERR_NOMEM ? EXIT_STORE : EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

/* ---- the behavioural data set from the ledger ---- */

typedef struct {
	const char *from_ledger, *as_of, *horizon, *currency, *allocation, *threads;
} ledger_args;

enum { HORIZON_NONE = 0, HORIZON_REQUIRED, HORIZON_OPTIONAL };

/* Computes the behavioural data set from the store (engine/behaviour). label receives its
 * description (for messages and the model file). Returns an exit code. */
static int ledger_read(const cli_env *e, const char *cmd, const ledger_args *la, int horizon_mode,
                       dataset **d, behaviour_stats *st, char *label, size_t cap)
{
	behaviour_opts o = {.order = ALLOC_DEFAULT, .currency = la->currency};
	if (cli_date(e, cmd, "as-of", la->as_of, &o.as_of)) return EXIT_USAGE;
	if (horizon_mode == HORIZON_NONE && la->horizon) {
		fprintf(e->err, "vigie %s: --horizon is for train, eval and features\n", cmd);
		return EXIT_USAGE;
	}
	if (horizon_mode == HORIZON_REQUIRED && !la->horizon) {
		fprintf(e->err, "vigie %s: --horizon DAYS is required with --from-ledger (see --help)\n",
		        cmd);
		return EXIT_USAGE;
	}
	if (la->horizon) {
		char *end;
		long h = strtol(la->horizon, &end, 10);
		if (!*la->horizon || *end || h < 1 || h > BH_MAX_HORIZON) {
			fprintf(e->err,
			        "vigie %s: --horizon: expected a whole number of days from 1 to %d, found "
			        "\"%s\"\n",
			        cmd, BH_MAX_HORIZON, la->horizon);
			return EXIT_USAGE;
		}
		o.horizon = (int)h;
	}
	if (la->allocation && ledger_order_parse(la->allocation, &o.order)) {
		fprintf(e->err,
		        "vigie %s: --allocation: expected e.g. vertical:penalty,fee,interest,principal, "
		        "found \"%s\"\n",
		        cmd, la->allocation);
		return EXIT_USAGE;
	}
	o.db = e->db;
	long nproc = sysconf(_SC_NPROCESSORS_ONLN);
	o.threads = nproc > 0 ? (int)(nproc < BH_MAX_THREADS ? nproc : BH_MAX_THREADS) : 1;
	if (la->threads) {
		char *end;
		long t = strtol(la->threads, &end, 10);
		if (!*la->threads || *end || t < 1 || t > BH_MAX_THREADS) {
			fprintf(e->err,
			        "vigie %s: --threads: expected a whole number from 1 to %d, found \"%s\"\n",
			        cmd, BH_MAX_THREADS, la->threads);
			return EXIT_USAGE;
		}
		o.threads = (int)t;
	}
	char day[16], end_day[16];
	date_format(o.as_of, day, sizeof day);
	if (o.horizon)
		snprintf(label, cap, "ledger as of %s, horizon %d days%s%s", day, o.horizon,
		         la->currency ? ", " : "", la->currency ? la->currency : "");
	else
		snprintf(label, cap, "ledger as of %s%s%s", day, la->currency ? ", " : "",
		         la->currency ? la->currency : "");
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	char err[512];
	int r = behaviour_dataset(s, &o, d, st, err, sizeof err);
	store_close(s);
	if (r) {
		fprintf(e->err, "vigie %s: %s\n", cmd, err);
		return EXIT_STORE;
	}
	civil_day until = date_add_days(o.as_of, o.horizon);
	if (o.horizon && (st->last_paid_on == DATE_NONE || st->last_paid_on < until)) {
		date_format(until, end_day, sizeof end_day);
		if (st->last_paid_on == DATE_NONE)
			fprintf(e->err, "vigie %s: note: the store holds no payment\n", cmd);
		else {
			date_format(st->last_paid_on, day, sizeof day);
			fprintf(e->err,
			        "vigie %s: note: the latest payment in the store is on %s, before %s (as-of "
			        "date plus "
			        "horizon): the outcome after it is not known yet\n",
			        cmd, day, end_day);
		}
	}
	return EXIT_OK;
}

/* The model's variables must be numeric variables of the ledger data set. */
static int check_ledger_model(const cli_env *e, const char *cmd, const sc_model *m, const dataset *d)
{
	for (int j = 0; j < m->n_vars; j++) {
		const sc_var *v = &m->vars[j];
		if (!v->used) continue;
		int c = dataset_find(d, v->name);
		if (c < 0 || d->cols[c].kind != DS_NUMERIC || v->categorical) {
			fprintf(
			    e->err,
			    "vigie %s: the model's variable %s is not a behavioural variable of the ledger "
			    "(see vigie score features --help)\n",
			    cmd, v->name);
			return EXIT_BAD_INPUT;
		}
	}
	return EXIT_OK;
}

static int check_ledger_args(const cli_env *e, const char *cmd, const ledger_args *la)
{
	if (!la->from_ledger && (la->as_of || la->horizon || la->currency || la->allocation || la->threads)) {
		fprintf(e->err,
		        "vigie %s: --as-of, --horizon, --currency, --allocation and --threads go with "
		        "--from-ledger\n",
		        cmd);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* ---- train ---- */

static void print_training(const cli_env *e, const sc_model *m, const char *split, const char *out,
                           int grades_auto)
{
	FILE *f = e->out;
	const sc_training *t = &m->train;
	fprintf(f, "Scorecard trained on %lld rows of %s", (long long)t->rows, m->data ? m->data : "?");
	if (split) fprintf(f, " (%s = train)", split);
	fprintf(f, ": %lld bad (%.2f%%), %lld good\n", (long long)t->bads,
	        100.0 * (double)t->bads / (double)t->rows, (long long)t->goods);
	fprintf(f, "Logistic regression on the WoE: %d Newton iteration%s, %s; L2 lambda %g; deviance %.2f\n",
	        t->iterations, t->iterations == 1 ? "" : "s", t->converged ? "converged" : "NOT converged",
	        t->l2, t->deviance);
	fprintf(f, "Training rows: AUC %.4f, Gini %.4f, KS %.4f\n", t->auc, t->gini, t->ks);
	fprintf(f, "Scaling: %g points at odds %g:1, %g points to double the odds; intercept %.4f\n\n",
	        m->base_score, m->base_odds, m->pdo, m->intercept);
	fprintf(f, "  %-24s %-11s %4s %8s %12s %16s\n", "variable", "type", "bins", "IV", "coefficient",
	        "points min..max");
	for (int j = 0; j < m->n_vars; j++) {
		const sc_var *v = &m->vars[j];
		if (!v->used) continue;
		double lo = INFINITY, hi = -INFINITY;
		for (int b = 0; b < v->n_bins; b++) {
			if (v->bins[b].points < lo) lo = v->bins[b].points;
			if (v->bins[b].points > hi) hi = v->bins[b].points;
		}
		fprintf(f, "  %-24s %-11s %4d %8.4f %12.4f %7.0f..%-7.0f\n", v->name,
		        v->categorical ? "categorical" : "numeric", v->n_bins, v->iv, v->coef, lo, hi);
	}
	for (int j = 0; j < m->n_vars; j++)
		if (!m->vars[j].used)
			fprintf(f, "  %-24s %s\n", m->vars[j].name,
			        m->vars[j].note ? m->vars[j].note : "dropped");
	fprintf(f, "\nGrades (%s):",
	        grades_auto ? "cut-offs at the quintiles of the training scores" : "cut-offs as given");
	for (int g = 0; g < m->n_grades; g++) {
		if (isfinite(m->grades[g].min_score))
			fprintf(f, " %s >= %g,", m->grades[g].name, m->grades[g].min_score);
		else
			fprintf(f, " %s below\n", m->grades[g].name);
	}
	fprintf(f, "\nModel written to %s\n", out);
}

static int score_train(const cli_env *e, int argc, char **argv)
{
	const char *cmd = "score train";
	const char *data = NULL, *target = NULL, *split = NULL, *id = NULL, *exclude = NULL, *out = NULL,
	           *bins = NULL, *shape = NULL, *minshare = NULL, *l2 = NULL, *bs = NULL, *bo = NULL,
	           *pdo = NULL, *grades = NULL;
	ledger_args la = {0};
	const cli_opt opts[] = {{"data", 1, &data},
	                        {"target", 1, &target},
	                        {"split-column", 1, &split},
	                        {"id-column", 1, &id},
	                        {"exclude", 1, &exclude},
	                        {"out", 1, &out},
	                        {"bins", 1, &bins},
	                        {"shape", 1, &shape},
	                        {"l2", 1, &l2},
	                        {"base-score", 1, &bs},
	                        {"base-odds", 1, &bo},
	                        {"pdo", 1, &pdo},
	                        {"grades", 1, &grades},
	                        {"min-bin-share", 1, &minshare},
	                        {"from-ledger", 0, &la.from_ledger},
	                        {"as-of", 1, &la.as_of},
	                        {"horizon", 1, &la.horizon},
	                        {"currency", 1, &la.currency},
	                        {"allocation", 1, &la.allocation},
	                        {"threads", 1, &la.threads},
	                        {NULL, 0, NULL}};
	int n_pos, help;
	if (cli_parse(e, cmd, argc, argv, opts, NULL, 0, &n_pos, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP_TRAIN, e->out);
		return EXIT_OK;
	}
	if (check_ledger_args(e, cmd, &la)) return EXIT_USAGE;
	if (la.from_ledger) {
		if (data || target || split || id) {
			fprintf(
			    e->err,
			    "vigie %s: --from-ledger takes the place of --data, --target, --split-column and "
			    "--id-column\n",
			    cmd);
			return EXIT_USAGE;
		}
		target = BH_TARGET;
		id = BH_ID;
	} else if (!data || !target) {
		fprintf(e->err,
		        "vigie %s: --data FILE and --target COL (or --from-ledger --as-of DATE --horizon "
		        "DAYS) are "
		        "required (see --help)\n",
		        cmd);
		return EXIT_USAGE;
	}
	if (!out) out = "model.json";
	sc_params p;
	sc_params_default(&p);
	double v;
	if (bins) {
		char *end;
		long b = strtol(bins, &end, 10);
		if (!*bins || *end || b < 2 || b > SC_MAX_CUTS_BINS) {
			fprintf(e->err,
			        "vigie %s: --bins: expected a whole number from 2 to %d, found \"%s\"\n", cmd,
			        SC_MAX_CUTS_BINS, bins);
			return EXIT_USAGE;
		}
		p.max_bins = (int)b;
	}
	if (shape && strcmp(shape, "monotonic") != 0 && strcmp(shape, "free") != 0) {
		fprintf(e->err, "vigie %s: --shape: expected monotonic or free, found \"%s\"\n", cmd, shape);
		return EXIT_USAGE;
	}
	p.monotonic = !shape || strcmp(shape, "monotonic") == 0;
	if (minshare) {
		if (num_opt(e, cmd, "min-bin-share", minshare, &v)) return EXIT_USAGE;
		if (v < 0 || v > 0.5) {
			fprintf(e->err,
			        "vigie %s: --min-bin-share: expected a number from 0 to 0.5, found \"%s\"\n",
			        cmd, minshare);
			return EXIT_USAGE;
		}
		p.min_bin_share = v;
	}
	if (l2) {
		if (num_opt(e, cmd, "l2", l2, &v)) return EXIT_USAGE;
		if (v < 0 || v > 1e12) {
			fprintf(e->err, "vigie %s: --l2: expected a number from 0 to 1e12, found \"%s\"\n",
			        cmd, l2);
			return EXIT_USAGE;
		}
		p.l2 = v;
	}
	if (num_opt(e, cmd, "base-score", bs, &p.base_score) ||
	    num_opt(e, cmd, "base-odds", bo, &p.base_odds) || num_opt(e, cmd, "pdo", pdo, &p.pdo))
		return EXIT_USAGE;
	if (!(p.base_odds > 0) || !(p.pdo > 0)) {
		fprintf(e->err, "vigie %s: --base-odds and --pdo: expected numbers above 0\n", cmd);
		return EXIT_USAGE;
	}
	if (grades) {
		char msg[256];
		if (sc_grades_parse(grades, p.grades, &p.n_grades, msg, sizeof msg)) {
			fprintf(e->err, "vigie %s: --grades: %s\n", cmd, msg);
			return EXIT_USAGE;
		}
		p.grades_auto = 0;
	}
	/* the columns that are not variables */
	ds_want want[MAX_WANT];
	int nw = 0;
	want[nw++] = (ds_want){target, DS_BINARY, 1};
	if (split) want[nw++] = (ds_want){split, DS_TEXT, 1};
	if (id) want[nw++] = (ds_want){id, DS_ID, 1};
	char *excl = exclude ? strdup(exclude) : NULL;
	if (exclude && !excl) return EXIT_STORE;
	for (char *tok = excl ? strtok(excl, ",") : NULL; tok; tok = strtok(NULL, ",")) {
		if (nw >= MAX_WANT) {
			fprintf(e->err, "vigie %s: --exclude: too many columns\n", cmd);
			free(excl);
			return EXIT_USAGE;
		}
		want[nw++] = (ds_want){tok, DS_SKIP, 0};
	}
	for (int a = 0; a < nw; a++)
		for (int b = 0; b < a; b++)
			if (strcmp(want[a].name, want[b].name) == 0) {
				fprintf(e->err,
				        "vigie %s: column %s is given twice (target, split, id, exclude)\n",
				        cmd, want[a].name);
				free(excl);
				return EXIT_USAGE;
			}
	ds_opts o = {want, nw, DS_AUTO, 0};
	dataset *d = NULL;
	char *err = malloc(ERRBUF);
	if (!err) {
		free(excl);
		return EXIT_STORE;
	}
	int rc = EXIT_OK;
	unsigned char *y = NULL, *use = NULL;
	sc_column *cols = NULL;
	sc_model *m = NULL;
	char ledger_label[160];
	const char *label = ledger_label;
	if (la.from_ledger) {
		behaviour_stats bst;
		rc = ledger_read(e, cmd, &la, HORIZON_REQUIRED, &d, &bst, ledger_label, sizeof ledger_label);
		if (rc) goto out;
		for (int w = 1; w < nw; w++)
			if (dataset_find(d, want[w].name) < 0) {
				fprintf(e->err, "vigie %s: --exclude: %s is not a behavioural variable\n",
				        cmd, want[w].name);
				rc = EXIT_USAGE;
				goto out;
			}
		if (d->n_rows == 0) {
			fprintf(e->err, "vigie %s: %s: no client has a loan active on that day\n", cmd,
			        label);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		fprintf(
		    e->out,
		    "Behavioural data set from the %s: %ld clients with an active loan (of %ld with loans; "
		    "%ld loans), %ld bad\n",
		    label, bst.rows, bst.clients, bst.loans, bst.bads);
	} else {
		label = strcmp(data, "-") == 0 ? "(stdin)" : data;
		ds_err de = dataset_read(data, NULL, &o, &d, err, ERRBUF);
		if (de) {
			print_data_error(e, cmd, de, err);
			rc = data_exit(de);
			goto out;
		}
	}
	if (d->n_rows == 0) {
		fprintf(e->err, "%s: expected data rows after the header, found none\n", label);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	y = malloc(d->n_rows);
	cols = calloc((size_t)d->n_cols, sizeof *cols);
	if (!y || !cols) {
		rc = EXIT_STORE;
		goto out;
	}
	int tc = dataset_find(d, target);
	for (size_t i = 0; i < d->n_rows; i++)
		y[i] = (unsigned char)d->cols[tc].num[i];
	if (split) {
		int sc = dataset_find(d, split);
		const ds_column *s = &d->cols[sc];
		int32_t train = -1;
		for (int32_t l = 0; l < s->n_levels; l++)
			if (strcmp(s->levels[l], "train") == 0) train = l;
		if (train < 0) {
			fprintf(e->err, "%s: %s: expected rows whose %s is \"train\", found none\n", label,
			        split, split);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		if (!(use = malloc(d->n_rows))) {
			rc = EXIT_STORE;
			goto out;
		}
		for (size_t i = 0; i < d->n_rows; i++)
			use[i] = s->code[i] == train;
	}
	int nc = 0;
	for (int c = 0; c < d->n_cols; c++) {
		const ds_column *dc = &d->cols[c];
		int special = 0;
		for (int w = 0; w < nw; w++)
			special |= strcmp(want[w].name, dc->name) == 0;
		if (special) continue;
		if (nc >= SC_MAX_VARS) {
			fprintf(e->err, "%s: expected at most %d candidate variables\n", label, SC_MAX_VARS);
			rc = EXIT_BAD_INPUT;
			goto out;
		}
		cols[nc++] = (sc_column){dc->name, dc->kind == DS_TEXT, dc->num,
		                         dc->code, dc->n_levels,        (const char *const *)dc->levels};
	}
	if (nc == 0) {
		fprintf(e->err,
		        "%s: expected at least one column besides the target, split and id, found none\n",
		        label);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	char msg[512];
	sc_err se = sc_train(cols, nc, y, use, d->n_rows, &p, &m, msg, sizeof msg);
	if (se) {
		fprintf(e->err, "vigie %s: %s: %s\n", cmd, label, msg);
		rc = se == SC_ERR_NOMEM ? EXIT_STORE : EXIT_BAD_INPUT;
		goto out;
	}
	m->target = strdup(target);
	m->id_column = id ? strdup(id) : NULL;
	m->split_column = split ? strdup(split) : NULL;
	m->data = strdup(label);
	if (!m->target || (id && !m->id_column) || (split && !m->split_column) || !m->data) {
		rc = EXIT_STORE;
		goto out;
	}
	if (model_file_save(out, m, msg, sizeof msg)) {
		fprintf(e->err, "vigie %s: %s\n", cmd, msg);
		rc = EXIT_STORE;
		goto out;
	}
	print_training(e, m, split, out, p.grades_auto);
out:
	free(excl);
	free(err);
	free(y);
	free(use);
	free(cols);
	sc_model_free(m);
	dataset_free(d);
	return rc;
}

/* ---- eval ---- */

static void print_eval_table(const cli_env *e, const sc_model *m, const sc_metrics *mt, const char *model,
                             const char *data, const char *sel)
{
	FILE *f = e->out;
	fprintf(f, "Evaluation of %s on %lld rows of %s (%s): %lld bad, %lld good\n", model,
	        (long long)mt->rows, data, sel, (long long)mt->bads, (long long)mt->goods);
	if (isnan(mt->auc))
		fprintf(f, "AUC, Gini, KS: not defined (the rows need goods and bads)\n");
	else
		fprintf(f, "AUC %.4f   Gini %.4f   KS %.4f (at score %.2f)\n", mt->auc, mt->gini, mt->ks,
		        mt->ks_score);
	fprintf(f, "Brier score %.4f   log loss %.4f\n", mt->brier, mt->log_loss);
	fprintf(f, "\nCalibration, by deciles of the predicted probability of bad:\n");
	fprintf(f, "  %6s %8s %10s %10s %8s %21s\n", "group", "rows", "predicted", "observed", "bads",
	        "predicted range");
	for (int g = 0; g < mt->n_calib; g++) {
		const sc_calib_row *c = &mt->calib[g];
		fprintf(f, "  %6d %8lld %9.2f%% %9.2f%% %8lld %9.2f%% - %7.2f%%\n", g + 1, (long long)c->rows,
		        100 * c->p_mean, 100 * c->bad_rate, (long long)c->bads, 100 * c->p_min,
		        100 * c->p_max);
	}
	fprintf(f, "\nBy grade:\n");
	fprintf(f, "  %-6s %10s %8s %8s %8s %9s %17s\n", "grade", "min score", "rows", "share", "bads",
	        "bad rate", "scores seen");
	for (int g = 0; g < mt->n_grades; g++) {
		const sc_grade_row *r = &mt->grade[g];
		char ms[32], seen[48];
		if (isfinite(m->grades[g].min_score))
			snprintf(ms, sizeof ms, "%.2f", m->grades[g].min_score);
		else
			snprintf(ms, sizeof ms, "below");
		if (r->rows)
			snprintf(seen, sizeof seen, "%.1f - %.1f", r->min_score, r->max_score);
		else
			snprintf(seen, sizeof seen, "-");
		fprintf(f, "  %-6s %10s %8lld %7.2f%% %8lld %8.2f%% %17s\n", m->grades[g].name, ms,
		        (long long)r->rows, 100.0 * (double)r->rows / (double)mt->rows, (long long)r->bads,
		        r->rows ? 100.0 * (double)r->bads / (double)r->rows : 0.0, seen);
	}
}

static void print_eval_json(const cli_env *e, const sc_model *m, const sc_metrics *mt, const char *model,
                            const char *data, const char *split, const char *value)
{
	json_out j;
	json_init(&j, e->out, 1);
	json_obj_begin(&j);
	json_kstr(&j, "model", model);
	json_kstr(&j, "data", data);
	json_key(&j, "split_column");
	if (split)
		json_str(&j, split);
	else
		json_raw(&j, "null");
	json_key(&j, "split_value");
	if (split)
		json_str(&j, value);
	else
		json_raw(&j, "null");
	json_kint(&j, "rows", mt->rows);
	json_kint(&j, "goods", mt->goods);
	json_kint(&j, "bads", mt->bads);
	jnum(&j, "auc", "%.6f", mt->auc);
	jnum(&j, "gini", "%.6f", mt->gini);
	jnum(&j, "ks", "%.6f", mt->ks);
	jnum(&j, "ks_score", "%.4f", mt->ks_score);
	jnum(&j, "brier", "%.6f", mt->brier);
	jnum(&j, "log_loss", "%.6f", mt->log_loss);
	json_key(&j, "calibration");
	json_arr_begin(&j);
	for (int g = 0; g < mt->n_calib; g++) {
		const sc_calib_row *c = &mt->calib[g];
		json_obj_begin(&j);
		json_kint(&j, "group", g + 1);
		json_kint(&j, "rows", c->rows);
		json_kint(&j, "bads", c->bads);
		jnum(&j, "predicted_bad_rate", "%.6f", c->p_mean);
		jnum(&j, "observed_bad_rate", "%.6f", c->bad_rate);
		jnum(&j, "predicted_min", "%.6f", c->p_min);
		jnum(&j, "predicted_max", "%.6f", c->p_max);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "grades");
	json_arr_begin(&j);
	for (int g = 0; g < mt->n_grades; g++) {
		const sc_grade_row *r = &mt->grade[g];
		json_obj_begin(&j);
		json_kstr(&j, "grade", m->grades[g].name);
		jnum(&j, "min_score", "%.4f",
		     isfinite(m->grades[g].min_score) ? m->grades[g].min_score : NAN);
		json_kint(&j, "rows", r->rows);
		json_kint(&j, "bads", r->bads);
		jnum(&j, "share", "%.6f", (double)r->rows / (double)mt->rows);
		jnum(&j, "bad_rate", "%.6f", r->rows ? (double)r->bads / (double)r->rows : NAN);
		jnum(&j, "score_min", "%.4f", r->rows ? r->min_score : NAN);
		jnum(&j, "score_max", "%.4f", r->rows ? r->max_score : NAN);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static int score_eval(const cli_env *e, int argc, char **argv)
{
	const char *cmd = "score eval";
	const char *model = NULL, *data = NULL, *split = NULL, *value = NULL, *all = NULL, *format = NULL;
	ledger_args la = {0};
	const cli_opt opts[] = {{"model", 1, &model},
	                        {"data", 1, &data},
	                        {"split-column", 1, &split},
	                        {"split-value", 1, &value},
	                        {"all", 0, &all},
	                        {"format", 1, &format},
	                        {"from-ledger", 0, &la.from_ledger},
	                        {"as-of", 1, &la.as_of},
	                        {"horizon", 1, &la.horizon},
	                        {"currency", 1, &la.currency},
	                        {"allocation", 1, &la.allocation},
	                        {"threads", 1, &la.threads},
	                        {NULL, 0, NULL}};
	int n_pos, help;
	if (cli_parse(e, cmd, argc, argv, opts, NULL, 0, &n_pos, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP_EVAL, e->out);
		return EXIT_OK;
	}
	if (check_ledger_args(e, cmd, &la)) return EXIT_USAGE;
	if (la.from_ledger && (data || split || value || all)) {
		fprintf(
		    e->err,
		    "vigie %s: --from-ledger takes the place of --data, --split-column, --split-value and "
		    "--all\n",
		    cmd);
		return EXIT_USAGE;
	}
	if (!model || (!data && !la.from_ledger)) {
		fprintf(e->err,
		        "vigie %s: --model MODEL.json and --data FILE (or --from-ledger --as-of DATE "
		        "--horizon DAYS) "
		        "are required (see --help)\n",
		        cmd);
		return EXIT_USAGE;
	}
	int json = 0;
	if (format && strcmp(format, "json") == 0)
		json = 1;
	else if (format && strcmp(format, "table") != 0) {
		fprintf(e->err, "vigie %s: --format: expected table or json, found \"%s\"\n", cmd, format);
		return EXIT_USAGE;
	}
	if (all && (split || value)) {
		fprintf(e->err,
		        "vigie %s: --all evaluates every row: no --split-column or --split-value with it\n",
		        cmd);
		return EXIT_USAGE;
	}
	if (!value) value = "test";
	sc_model *m = NULL;
	int rc = load_model(e, cmd, model, &m);
	if (rc) return rc;
	char ledger_label[160];
	const char *label = la.from_ledger ? ledger_label : strcmp(data, "-") == 0 ? "(stdin)" : data;
	const char *target = la.from_ledger ? BH_TARGET : m->target;
	ds_want extra[2] = {{NULL, DS_SKIP, 0}, {NULL, DS_SKIP, 0}};
	int ne = 0;
	extra[ne++] = (ds_want){m->target, DS_BINARY, 1};
	const char *split_col = all || la.from_ledger ? NULL : split ? split : m->split_column;
	if (split_col && strcmp(split_col, m->target) == 0) {
		fprintf(e->err, "vigie %s: the split column cannot be the target\n", cmd);
		sc_model_free(m);
		return EXIT_USAGE;
	}
	if (split_col) extra[ne++] = (ds_want){split_col, DS_TEXT, split != NULL};
	dataset *d = NULL;
	double *score = NULL, *sel_score = NULL;
	unsigned char *sel_y = NULL;
	sc_column *cols = NULL;
	if (la.from_ledger) {
		behaviour_stats bst;
		rc = ledger_read(e, cmd, &la, HORIZON_REQUIRED, &d, &bst, ledger_label, sizeof ledger_label);
		if (!rc) rc = check_ledger_model(e, cmd, m, d);
	} else {
		rc = read_for_model(e, cmd, m, data, extra, ne, &d);
	}
	if (rc) goto out;
	int sc = split_col ? dataset_find(d, split_col) : -1;
	int32_t want_code = -2; /* -2: every row */
	if (sc >= 0) {
		want_code = -3; /* no row has the value */
		for (int32_t l = 0; l < d->cols[sc].n_levels; l++)
			if (strcmp(d->cols[sc].levels[l], value) == 0) want_code = l;
	} else {
		split_col = NULL;
	}
	score = malloc(sizeof *score * (d->n_rows ? d->n_rows : 1));
	sel_score = malloc(sizeof *sel_score * (d->n_rows ? d->n_rows : 1));
	sel_y = malloc(d->n_rows ? d->n_rows : 1);
	cols = calloc((size_t)m->n_vars, sizeof *cols);
	if (!score || !sel_score || !sel_y || !cols) {
		rc = EXIT_STORE;
		goto out;
	}
	columns_for(m, d, cols);
	if (sc_score_columns(m, cols, d->n_rows, score, NULL)) {
		fprintf(e->err, "vigie %s: the data do not fit the model\n", cmd);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	int tc = dataset_find(d, target);
	size_t n = 0;
	for (size_t i = 0; i < d->n_rows; i++) {
		if (want_code != -2 && d->cols[sc].code[i] != want_code) continue;
		sel_score[n] = score[i];
		sel_y[n++] = (unsigned char)d->cols[tc].num[i];
	}
	if (n == 0) {
		if (split_col)
			fprintf(e->err, "%s: %s: expected rows whose %s is \"%s\", found none\n", label,
			        split_col, split_col, value);
		else if (la.from_ledger)
			fprintf(e->err, "vigie %s: %s: no client has a loan active on that day\n", cmd,
			        label);
		else
			fprintf(e->err, "%s: expected data rows after the header, found none\n", label);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	sc_metrics mt;
	if (sc_evaluate(m, sel_score, sel_y, n, &mt)) {
		rc = EXIT_STORE;
		goto out;
	}
	char sel[256];
	if (split_col)
		snprintf(sel, sizeof sel, "%s = %s", split_col, value);
	else if (la.from_ledger)
		snprintf(sel, sizeof sel, "every client with an active loan");
	else
		snprintf(sel, sizeof sel, "every row");
	if (json)
		print_eval_json(e, m, &mt, model, label, split_col, value);
	else
		print_eval_table(e, m, &mt, model, label, sel);
out:
	free(score);
	free(sel_score);
	free(sel_y);
	free(cols);
	dataset_free(d);
	sc_model_free(m);
	return rc;
}

/* ---- apply ---- */

static void free_cells(const sc_model *m, char **cells)
{
	if (!cells) return;
	for (size_t k = 0; k < (size_t)m->n_vars * SC_MAX_BINS; k++)
		free(cells[k]);
	free(cells);
}

/* ",label,points" of every bin of every used variable, as CSV. */
static int explain_cells(const sc_model *m, char ***out)
{
	char **cells = calloc((size_t)m->n_vars * SC_MAX_BINS, sizeof *cells);
	if (!cells) return EXIT_STORE;
	*out = cells;
	for (int v = 0; v < m->n_vars; v++) {
		const sc_var *var = &m->vars[v];
		if (!var->used) continue;
		for (int b = 0; b < var->n_bins; b++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *mf = open_memstream(&buf, &len);
			if (!mf) return EXIT_STORE;
			fputc(',', mf);
			csv_out_field(mf, var->bins[b].label);
			fprintf(mf, ",%.2f", var->bins[b].points);
			if (fclose(mf) != 0) {
				free(buf);
				return EXIT_STORE;
			}
			cells[(size_t)v * SC_MAX_BINS + (size_t)b] = buf;
		}
	}
	return EXIT_OK;
}

static int score_apply(const cli_env *e, int argc, char **argv)
{
	const char *cmd = "score apply";
	const char *model = NULL, *data = NULL, *id = NULL, *explain = NULL, *format = NULL;
	ledger_args la = {0};
	const cli_opt opts[] = {{"model", 1, &model},          {"data", 1, &data},
	                        {"id-column", 1, &id},         {"explain", 0, &explain},
	                        {"format", 1, &format},        {"from-ledger", 0, &la.from_ledger},
	                        {"as-of", 1, &la.as_of},       {"horizon", 1, &la.horizon},
	                        {"currency", 1, &la.currency}, {"allocation", 1, &la.allocation},
	                        {"threads", 1, &la.threads},   {NULL, 0, NULL}};
	int n_pos, help;
	if (cli_parse(e, cmd, argc, argv, opts, NULL, 0, &n_pos, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP_APPLY, e->out);
		return EXIT_OK;
	}
	if (check_ledger_args(e, cmd, &la)) return EXIT_USAGE;
	if (la.from_ledger && (data || id)) {
		fprintf(e->err, "vigie %s: --from-ledger takes the place of --data and --id-column\n", cmd);
		return EXIT_USAGE;
	}
	if (!model || (!data && !la.from_ledger)) {
		fprintf(e->err,
		        "vigie %s: --model MODEL.json and --data FILE (or --from-ledger --as-of DATE) are "
		        "required "
		        "(see --help)\n",
		        cmd);
		return EXIT_USAGE;
	}
	int json = 0;
	if (format && strcmp(format, "json") == 0)
		json = 1;
	else if (format && strcmp(format, "csv") != 0) {
		fprintf(e->err, "vigie %s: --format: expected csv or json, found \"%s\"\n", cmd, format);
		return EXIT_USAGE;
	}
	sc_model *m = NULL;
	int rc = load_model(e, cmd, model, &m);
	if (rc) return rc;
	const char *id_col = la.from_ledger ? BH_ID : id ? id : m->id_column;
	ds_want extra[1] = {{NULL, DS_SKIP, 0}};
	int ne = 0;
	if (id_col) extra[ne++] = (ds_want){id_col, DS_ID, id != NULL};
	dataset *d = NULL;
	double *score = NULL;
	uint8_t *bins = NULL;
	sc_column *cols = NULL;
	char **cells = NULL;
	if (la.from_ledger) {
		behaviour_stats bst;
		char label[160];
		rc = ledger_read(e, cmd, &la, HORIZON_NONE, &d, &bst, label, sizeof label);
		if (!rc) rc = check_ledger_model(e, cmd, m, d);
	} else {
		rc = read_for_model(e, cmd, m, data, extra, ne, &d);
	}
	if (rc) goto out;
	int ic = id_col ? dataset_find(d, id_col) : -1;
	size_t nv = (size_t)m->n_vars;
	score = malloc(sizeof *score * (d->n_rows ? d->n_rows : 1));
	bins = explain ? malloc(nv * (d->n_rows ? d->n_rows : 1)) : NULL;
	cols = calloc(nv, sizeof *cols);
	if (!score || (explain && !bins) || !cols) {
		rc = EXIT_STORE;
		goto out;
	}
	columns_for(m, d, cols);
	if (sc_score_columns(m, cols, d->n_rows, score, bins)) {
		fprintf(e->err, "vigie %s: the data do not fit the model\n", cmd);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	FILE *f = e->out;
	json_out j;
	char b[64], rowid[32];
	/* CSV --explain: the text of each (variable, bin), made once, not per row */
	if (explain && !json && (rc = explain_cells(m, &cells)) != EXIT_OK) goto out;
	if (json) {
		json_init(&j, f, 1);
		json_obj_begin(&j);
		json_kstr(&j, "model", model);
		json_kint(&j, "rows", (int64_t)d->n_rows);
		json_key(&j, "scores");
		json_arr_begin(&j);
	} else {
		fputs("id,score,grade,probability_bad", f);
		if (explain)
			for (size_t v = 0; v < nv; v++) {
				if (!m->vars[v].used) continue;
				char h[1100];
				snprintf(h, sizeof h, "%s_bin", m->vars[v].name);
				fputc(',', f);
				csv_out_field(f, h);
				snprintf(h, sizeof h, "%s_points", m->vars[v].name);
				fputc(',', f);
				csv_out_field(f, h);
			}
		fputc('\n', f);
	}
	for (size_t i = 0; i < d->n_rows; i++) {
		const char *rid = ic >= 0 ? dataset_text(d, ic, i) : NULL;
		if (!rid) {
			snprintf(rowid, sizeof rowid, "%zu", i + 1);
			rid = rowid;
		}
		double s = score[i];
		const char *grade = m->grades[sc_grade_of(m, s)].name;
		double pb = sc_prob_bad(m, s);
		if (json) {
			json_obj_begin(&j);
			json_kstr(&j, "id", rid);
			snprintf(b, sizeof b, "%.2f", s);
			json_key(&j, "score");
			json_raw(&j, b);
			json_kstr(&j, "grade", grade);
			snprintf(b, sizeof b, "%.6f", pb);
			json_key(&j, "probability_bad");
			json_raw(&j, b);
			if (explain) {
				json_key(&j, "explain");
				json_arr_begin(&j);
				for (size_t v = 0; v < nv; v++) {
					const sc_var *var = &m->vars[v];
					if (!var->used) continue;
					const sc_bin *bn = &var->bins[bins[i * nv + v]];
					json_obj_begin(&j);
					json_kstr(&j, "variable", var->name);
					json_kstr(&j, "bin", bn->label);
					snprintf(b, sizeof b, "%.2f", bn->points);
					json_key(&j, "points");
					json_raw(&j, b);
					json_obj_end(&j);
				}
				json_arr_end(&j);
			}
			json_obj_end(&j);
		} else {
			csv_out_field(f, rid);
			fprintf(f, ",%.2f,", s);
			csv_out_field(f, grade);
			fprintf(f, ",%.6f", pb);
			if (explain)
				for (size_t v = 0; v < nv; v++)
					if (m->vars[v].used)
						fputs(cells[v * SC_MAX_BINS + bins[i * nv + v]], f);
			fputc('\n', f);
		}
	}
	if (json) {
		json_arr_end(&j);
		json_obj_end(&j);
		json_end(&j);
	}
	if (ferror(f)) rc = EXIT_STORE;
out:
	free_cells(m, cells);
	free(score);
	free(bins);
	free(cols);
	dataset_free(d);
	sc_model_free(m);
	return rc;
}

/* ---- features ---- */

static int score_features(const cli_env *e, int argc, char **argv)
{
	const char *cmd = "score features";
	ledger_args la = {0};
	const cli_opt opts[] = {{"from-ledger", 0, &la.from_ledger},
	                        {"as-of", 1, &la.as_of},
	                        {"horizon", 1, &la.horizon},
	                        {"currency", 1, &la.currency},
	                        {"allocation", 1, &la.allocation},
	                        {"threads", 1, &la.threads},
	                        {NULL, 0, NULL}};
	int n_pos, help;
	if (cli_parse(e, cmd, argc, argv, opts, NULL, 0, &n_pos, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP_FEATURES, e->out);
		return EXIT_OK;
	}
	dataset *d = NULL;
	behaviour_stats bst;
	char label[160];
	int rc = ledger_read(e, cmd, &la, HORIZON_OPTIONAL, &d, &bst, label, sizeof label);
	if (rc) return rc;
	FILE *f = e->out;
	char b[64];
	for (int c = 0; c < d->n_cols; c++) {
		if (c) fputc(',', f);
		fputs(d->cols[c].name, f);
	}
	fputc('\n', f);
	for (size_t i = 0; i < d->n_rows; i++) {
		for (int c = 0; c < d->n_cols; c++) {
			const ds_column *col = &d->cols[c];
			if (c) fputc(',', f);
			if (col->kind == DS_ID) {
				csv_out_field(f, dataset_text(d, c, i));
			} else if (!isnan(col->num[i])) {
				/* shortest text that reads back exactly: training on this file gives the same
				 * model (whole numbers, most of the values, the fast way) */
				double x = col->num[i];
				if (x == floor(x) && fabs(x) < 1e15) {
					fprintf(f, "%lld", (long long)x);
				} else {
					sc_format_double(x, b, sizeof b);
					fputs(b, f);
				}
			}
		}
		fputc('\n', f);
	}
	if (fflush(f) != 0 || ferror(f)) rc = EXIT_STORE;
	dataset_free(d);
	return rc;
}

/* ---- predict: payment prediction per open obligation ---- */

static const char HELP_PREDICT[] =
    "usage: vigie [--db PATH|URL] score predict --from-ledger --as-of DATE [--model M] [options]\n"
    "       vigie score predict train --from-ledger --as-of DATE [--window DAYS] [--out M]\n"
    "       vigie score predict eval --from-ledger --as-of DATE --model M\n"
    "\n"
    "For every installment or invoice of an active account falling due in [DATE, DATE + window]\n"
    "and not fully paid at DATE: the probability of paying it in full by its due date and the\n"
    "expected days late, from the account's own history (share paid on time, mean and largest\n"
    "days late over 3, 6 and 12 months, partial payments, days past due now, amount against the\n"
    "usual, loan cycle). train fits the model on the obligations open at DATE and what happened to\n"
    "them (DATE must be at least window + 90 days in the past); eval back-tests a model trained at\n"
    "an earlier date: AUC of the on-time probability, mean absolute error of the days late.\n"
    "The list is ordered as the store scans (client, account, due date). Method: docs/scoring.md.\n"
    "\n"
    "Options:\n"
    "  --as-of DATE          the day of the prediction\n"
    "  --window DAYS         obligations due within DAYS of DATE (default: the model's, train 30)\n"
    "  --model M             the payment model (default payment_model.json)\n"
    "  --out M               train: the model file to write (default payment_model.json)\n"
    "  --format csv|json     (default csv): account, due_on, amount, currency, p_on_time,\n"
    "                        expected_days_late\n"
    "  --currency CODE       only the accounts in this currency\n";

static int predict_rows(const cli_env *e, const char *cmd, const char *as_of, const char *currency,
                        int window, int with_outcome, pp_rows **r)
{
	pp_opts o = {
	    .window = window, .with_outcome = with_outcome, .order = ALLOC_DEFAULT, .currency = currency};
	if (cli_date(e, cmd, "as-of", as_of, &o.as_of)) return EXIT_USAGE;
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	char err[512];
	int rc = pp_rows_from_store(s, &o, r, err, sizeof err);
	store_close(s);
	if (rc) {
		fprintf(e->err, "vigie %s: %s\n", cmd, err);
		return EXIT_STORE;
	}
	civil_day until = o.as_of + window + PP_LATE_CAP;
	if (with_outcome && ((*r)->last_paid_on == DATE_NONE || (*r)->last_paid_on < until)) {
		char d[16];
		date_format(until, d, sizeof d);
		fprintf(e->err,
		        "vigie %s: note: the store's payments end before %s (as-of date + window + %d "
		        "days): the outcome after them is not known yet\n",
		        cmd, d, PP_LATE_CAP);
	}
	return EXIT_OK;
}

static int score_predict(const cli_env *e, int argc, char **argv)
{
	const char *cmd = "score predict";
	const char *mode = NULL;
	if (argc > 0 && (strcmp(argv[0], "train") == 0 || strcmp(argv[0], "eval") == 0)) {
		mode = argv[0];
		cmd = mode[0] == 't' ? "score predict train" : "score predict eval";
		argc--;
		argv++;
	}
	const char *from = NULL, *as_of = NULL, *window = NULL, *model = NULL, *out = NULL, *format = NULL,
	           *currency = NULL;
	const cli_opt opts[] = {{"from-ledger", 0, &from},  {"as-of", 1, &as_of}, {"window", 1, &window},
	                        {"model", 1, &model},       {"out", 1, &out},     {"format", 1, &format},
	                        {"currency", 1, &currency}, {NULL, 0, NULL}};
	int n_pos, help;
	if (cli_parse(e, cmd, argc, argv, opts, NULL, 0, &n_pos, &help)) return EXIT_USAGE;
	if (help) {
		fputs(HELP_PREDICT, e->out);
		return EXIT_OK;
	}
	if (!from || !as_of) {
		fprintf(e->err, "vigie %s: --from-ledger --as-of DATE are required (see --help)\n", cmd);
		return EXIT_USAGE;
	}
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		fprintf(e->err, "vigie %s: --format: expected csv or json, found \"%s\"\n", cmd, format);
		return EXIT_USAGE;
	}
	int win = -1;
	if (window) {
		char *end;
		long w = strtol(window, &end, 10);
		if (!*window || *end || w < 0 || w > PP_MAX_WINDOW) {
			fprintf(e->err,
			        "vigie %s: --window: expected a whole number of days from 0 to %d, found "
			        "\"%s\"\n",
			        cmd, PP_MAX_WINDOW, window);
			return EXIT_USAGE;
		}
		win = (int)w;
	}
	char err[512];
	pp_rows *r = NULL;
	pp_model *m = NULL;
	int rc = EXIT_OK;
	if (mode && mode[0] == 't') {
		if (model || format) {
			fprintf(e->err, "vigie %s: --model and --format are for predict and predict eval\n",
			        cmd);
			return EXIT_USAGE;
		}
		if (!out) out = "payment_model.json";
		pp_opts o = {.window = win < 0 ? 30 : win, .order = ALLOC_DEFAULT};
		if ((rc = predict_rows(e, cmd, as_of, currency, o.window, 1, &r))) goto done;
		size_t late = 0;
		for (size_t i = 0; i < r->n; i++)
			late += r->late[i];
		if (pp_train(r, &o, &m, err, sizeof err)) {
			fprintf(e->err, "vigie %s: %zu obligations (%zu late): %s\n", cmd, r->n, late, err);
			rc = EXIT_BAD_INPUT;
			goto done;
		}
		if (pp_model_save(out, m, err, sizeof err)) {
			fprintf(e->err, "vigie %s: %s\n", cmd, err);
			rc = EXIT_STORE;
			goto done;
		}
		fprintf(
		    e->out,
		    "Payment model trained on %zu obligations open at %s and due within %d days: %zu late "
		    "(%.2f%%)\nTraining rows: AUC of the on-time probability %.4f, mean absolute error of "
		    "the "
		    "days late %.2f\nExpected days late by score band (highest scores first):",
		    r->n, as_of, o.window, late, r->n ? 100.0 * (double)late / (double)r->n : 0.0,
		    m->train_auc, m->train_mae);
		for (int b = 0; b < m->n_bands; b++)
			fprintf(e->out, " %.1f", m->band_days[b]);
		fprintf(e->out, "\nModel written to %s\n", out);
		goto done;
	}
	if (out) {
		fprintf(e->err, "vigie %s: --out is for predict train\n", cmd);
		return EXIT_USAGE;
	}
	if (!model) model = "payment_model.json";
	if (pp_model_load(model, &m, err, sizeof err)) {
		fprintf(e->err, "vigie %s: %s\n", cmd, err);
		return EXIT_BAD_INPUT;
	}
	if (win >= 0) m->window = win;
	if ((rc = predict_rows(e, cmd, as_of, currency, m->window, mode != NULL, &r))) goto done;
	int json = format && strcmp(format, "json") == 0;
	if (mode) { /* eval */
		pp_metrics mt;
		if (pp_evaluate(m, r, &mt)) {
			rc = EXIT_STORE;
			goto done;
		}
		if (json) {
			json_out j;
			json_init(&j, e->out, 1);
			json_obj_begin(&j);
			json_kstr(&j, "as_of", as_of);
			json_kint(&j, "window", m->window);
			json_kint(&j, "obligations", (int64_t)mt.rows);
			json_kint(&j, "late", (int64_t)mt.late);
			jnum(&j, "auc", "%.6f", mt.auc);
			jnum(&j, "mae_days", "%.4f", mt.mae);
			jnum(&j, "mean_days_late", "%.4f", mt.mean_days_late);
			jnum(&j, "mean_expected_days_late", "%.4f", mt.mean_expected);
			json_obj_end(&j);
			json_end(&j);
		} else {
			fprintf(
			    e->out,
			    "Back-test of %s as of %s: %zu obligations due within %d days, %zu late\n"
			    "AUC of the on-time probability %.4f; mean absolute error of the days late %.2f "
			    "(observed mean %.2f, predicted mean %.2f)\n",
			    model, as_of, mt.rows, m->window, mt.late, mt.auc, mt.mae, mt.mean_days_late,
			    mt.mean_expected);
		}
		goto done;
	}
	json_out j;
	if (json) {
		json_init(&j, e->out, 1);
		json_obj_begin(&j);
		json_kstr(&j, "as_of", as_of);
		json_kint(&j, "window", m->window);
		json_key(&j, "predictions");
		json_arr_begin(&j);
	} else {
		fputs("account,due_on,amount,currency,p_on_time,expected_days_late\n", e->out);
	}
	for (size_t i = 0; i < r->n; i++) {
		double p, d;
		pp_predict_row(m, r, i, &p, &d);
		char due[16], amt[48];
		date_format(r->due_on[i], due, sizeof due);
		const currency_info *ci = currency_find(r->currency[i], strlen(r->currency[i]));
		money_format(r->amount[i], ci ? ci->exponent : 0, amt, sizeof amt);
		if (json) {
			json_obj_begin(&j);
			json_kstr(&j, "account", r->account[i]);
			json_kstr(&j, "due_on", due);
			json_key(&j, "amount");
			json_raw(&j, amt);
			json_kstr(&j, "currency", r->currency[i]);
			jnum(&j, "p_on_time", "%.4f", p);
			jnum(&j, "expected_days_late", "%.2f", d);
			json_obj_end(&j);
		} else {
			csv_out_field(e->out, r->account[i]);
			fprintf(e->out, ",%s,%s,%s,%.4f,%.2f\n", due, amt, r->currency[i], p, d);
		}
	}
	if (json) {
		json_arr_end(&j);
		json_obj_end(&j);
		json_end(&j);
	}
done:
	pp_rows_free(r);
	pp_model_free(m);
	return rc;
}

int cmd_score(const cli_env *e, int argc, char **argv);

int cmd_score(const cli_env *e, int argc, char **argv)
{
	if (argc < 1) {
		fputs(HELP, e->err);
		return EXIT_USAGE;
	}
	const char *sub = argv[0];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		fputs(HELP, e->out);
		return EXIT_OK;
	}
	if (strcmp(sub, "train") == 0) return score_train(e, argc - 1, argv + 1);
	if (strcmp(sub, "eval") == 0) return score_eval(e, argc - 1, argv + 1);
	if (strcmp(sub, "apply") == 0) return score_apply(e, argc - 1, argv + 1);
	if (strcmp(sub, "features") == 0) return score_features(e, argc - 1, argv + 1);
	if (strcmp(sub, "predict") == 0) return score_predict(e, argc - 1, argv + 1);
	fprintf(e->err, "vigie score: unknown sub-command '%s' (train, eval, apply, features or predict)\n%s",
	        sub, HELP);
	return EXIT_USAGE;
}

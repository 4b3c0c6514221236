/* scorecard.h: the credit scorecard engine: binning, weight of evidence (WoE), a logistic regression
 * on the WoE-encoded variables fitted by IRLS (Newton) with an L2 penalty, scorecard scaling (base
 * score at base odds, points to double the odds), scoring with the points of every variable kept,
 * grades, and the usual validation metrics (AUC, Gini, KS, calibration, distribution by grade).
 * Method and the reasons for each choice: docs/scoring.md.
 *
 * Promises: pure (no I/O, no clock, no globals); allocates only the model and, inside a call, work
 * arrays proportional to the rows (freed before it returns); never produces an infinite or NaN
 * WoE, coefficient or point (smoothing and the L2 penalty keep them finite); scoring a row is
 * allocation-free (binary search on the cut points or on the sorted category names).
 * Odds are good:bad throughout, as in credit scorecards: a higher score is a lower risk.
 *   factor = pdo / ln 2, offset = base_score - factor * ln(base_odds)
 *   points(var, bin) = -(coef * woe + intercept / k) * factor + offset / k   (k = variables used)
 *   score = sum of the points = offset - factor * logit(P(bad))                                  */
#ifndef VIGIE_SCORECARD_H
#define VIGIE_SCORECARD_H
#include <stddef.h>
#include <stdint.h>

#define SC_MAX_VARS       256        /* variables in a model */
#define SC_MAX_BINS       256        /* bins of one variable (a bin index fits in a uint8_t) */
#define SC_MAX_CUTS_BINS  100        /* the largest --bins for numeric variables */
#define SC_MAX_GRADES     16         /* grades, the bottom one included */
#define SC_GRADE_NAME_MAX 16         /* bytes of a grade name, NUL included */
#define SC_MAX_ROWS       100000000u /* rows given to one call */
#define SC_CALIB_GROUPS   10         /* calibration table: deciles */
#define SC_OTHER_LIST_MAX 50         /* pooled category names kept for display in the "other" bin */

typedef enum {
	SC_OK = 0,
	SC_ERR_ARG,         /* a parameter out of its range, or inconsistent inputs */
	SC_ERR_NOMEM,       /* out of memory */
	SC_ERR_NO_ROWS,     /* no training rows */
	SC_ERR_ONE_CLASS,   /* the training rows are all good or all bad */
	SC_ERR_NO_VARIABLE, /* no variable has two bins or more with training rows */
	SC_ERR_SINGULAR,    /* the regularised Hessian is not positive definite (only with l2 = 0) */
	SC_ERR_MODEL,       /* an inconsistent model (e.g. read from a file): the message says what */
	SC_ERR_GRADES,      /* a malformed grade specification */
} sc_err;

const char *sc_strerror(sc_err e);

typedef enum {
	SC_BIN_RANGE = 0, /* numeric: lo <= x < hi (lo = -inf for the first, hi = +inf for the last) */
	SC_BIN_LEVEL,     /* categorical: one category */
	SC_BIN_OTHER,     /* categorical: the rare categories pooled, and categories unseen in training */
	SC_BIN_MISSING,   /* the value is missing */
} sc_bin_kind;

typedef struct {
	sc_bin_kind kind;
	char *label;         /* "[30, 45)", "rent", "(other)", "(missing)" */
	double lo, hi;       /* SC_BIN_RANGE only */
	int64_t goods, bads; /* training rows in the bin */
	double woe;          /* ln(share of goods / share of bads), smoothed; 0 for a bin without rows */
	double points;       /* exact (unrounded) points of the bin; 0 for a variable not used */
	char **members;      /* SC_BIN_OTHER: pooled category names (display only, at most 50) */
	int n_members;
	int64_t more_members; /* pooled categories not listed */
} sc_bin;

/* Bins are in canonical order: numeric: the ranges ascending, then the missing bin; categorical: the
 * categories sorted by strcmp, then "other" (when there is one), then the missing bin. */
typedef struct {
	char *name;
	int categorical;
	int used;    /* 0: dropped before the regression (note says why); its points are all 0 */
	char *note;  /* NULL, or why the variable was dropped */
	double coef; /* logistic coefficient on the WoE (logit of P(bad)); 0 when not used */
	double iv;   /* information value on the training rows */
	int n_bins;
	sc_bin *bins;
	/* derived by sc_model_finish */
	int n_ranges;               /* numeric: bins[0..n_ranges) are the ranges */
	int n_levels;               /* categorical: bins[0..n_levels) are the categories */
	int other_bin, missing_bin; /* index, or -1 (other) */
	double *cuts;               /* numeric: cuts[i] = bins[i + 1].lo, i < n_ranges - 1 */
} sc_var;

typedef struct {
	char name[SC_GRADE_NAME_MAX];
	double min_score; /* the grade is given when score >= min_score; -INFINITY for the bottom grade */
} sc_grade;

typedef struct {
	int64_t rows, goods, bads; /* training rows */
	int max_bins;
	double min_bin_share, rare_share;
	int monotonic;
	double l2;      /* the lambda used */
	int iterations; /* Newton iterations */
	int converged;
	double deviance; /* -2 log-likelihood on the training rows, without the penalty */
	double auc, gini, ks;
} sc_training;

typedef struct {
	int n_vars;
	sc_var *vars;
	double intercept;
	double base_score, base_odds, pdo;
	int n_grades;
	sc_grade grades[SC_MAX_GRADES];
	sc_training train;
	/* names kept for the shell (may be NULL): */
	char *target, *id_column, *split_column, *data;
	/* derived by sc_model_finish */
	double factor, offset;
	int n_used;
} sc_model;

/* Training parameters. */
typedef struct {
	int max_bins;         /* numeric: at most this many bins, 2..SC_MAX_CUTS_BINS (default 10) */
	double min_bin_share; /* numeric: each bin holds at least this share of training rows (0.05) */
	double rare_share;    /* categorical: levels under this share go to "other" (0.02; >= 0.005) */
	int monotonic;        /* numeric: also merge adjacent bins until the WoE is monotonic (1) */
	double l2;            /* L2 penalty lambda; negative: the default 1e-4 * training rows */
	int max_iter;         /* Newton iterations at most (50) */
	double tol;           /* convergence: largest step <= tol * (1 + largest |coef|) (1e-10) */
	double base_score, base_odds, pdo; /* 600, 50, 20 */
	int n_grades;
	sc_grade grades[SC_MAX_GRADES]; /* names (and cut-offs when grades_auto is 0): A to E */
	int grades_auto; /* 1 (default): cut-offs at the quantiles of the training scores, so that each
	                    grade holds about 1/n_grades of the training rows (sc_grades_by_quantiles);
	                    0: the cut-offs in grades[] as given */
} sc_params;

void sc_params_default(sc_params *p);

/* Parses "A:700,B:650,C:600,D:550": A when score >= 700, ..., and a bottom grade below the last
 * cut-off, named by a last item without a score ("...,D:550,E") or else the letter after the last
 * name (E after D). Cut-offs strictly decreasing and finite, names unique, 1..15 bytes of
 * [A-Za-z0-9_+-]. Returns SC_OK or SC_ERR_GRADES with the reason in msg. */
sc_err sc_grades_parse(const char *text, sc_grade *grades, int *n_grades, char *msg, size_t cap);

/* Sets the cut-offs grades[0..n_grades-2].min_score (names kept; the bottom grade's is -INFINITY)
 * so that each of the n_grades grades holds about the same share of the n scores: the cut-off
 * between grade g-1 and g is the midpoint of the scores ranked round(g n / n_grades) and the next,
 * in descending order, rounded to a whole point (a risk manager reads "A from 622"); when ties or
 * rounding would make it not strictly below the previous cut-off, previous - 1 (that grade is then
 * empty or small rather than the order broken). n_grades 1..SC_MAX_GRADES, n >= 1, finite scores.
 * Allocates a sorted copy. */
sc_err sc_grades_by_quantiles(const double *score, size_t n, sc_grade *grades, int n_grades);

/* One column of training or scoring data. */
typedef struct {
	const char *name;
	int categorical;
	const double *x;     /* numeric: one value per row, NaN = missing */
	const int32_t *code; /* categorical: level code per row, -1 = missing */
	int32_t n_levels;
	const char *const *levels; /* categorical: code -> name */
} sc_column;

/* Fits a scorecard on the rows i < n where use[i] (use NULL: every row); bad[i] is 0 or 1.
 * Every column is a candidate variable. On success *out is a finished model (free with
 * sc_model_free); on failure msg says why. */
sc_err sc_train(const sc_column *cols, int n_cols, const unsigned char *bad, const unsigned char *use,
                size_t n, const sc_params *p, sc_model **out, char *msg, size_t cap);

/* An empty model, for a reader to fill; then sc_model_finish. */
sc_model *sc_model_new(void);
void sc_model_free(sc_model *m);
/* Checks a filled model (canonical bin order, contiguous finite cuts, unique names, finite numbers,
 * at least one variable used, positive odds and pdo, decreasing grades) and derives factor, offset,
 * the points and the lookup tables. Returns SC_OK or SC_ERR_MODEL with the reason in msg. */
sc_err sc_model_finish(sc_model *m, char *msg, size_t cap);
/* The display label of a numeric range: "[30, 45)", "[-inf, 30)", "[45, inf)". */
void sc_range_label(double lo, double hi, char *buf, size_t cap);
/* Shortest decimal text that reads back as exactly v (finite v): "0.1", "-1.25e-07". */
void sc_format_double(double v, char *buf, size_t cap);

/* Bin lookups, allocation-free: a NaN number or a NULL text is missing; a category not in the
 * model goes to "other", or to the missing bin when the variable has no "other". */
int sc_bin_of_number(const sc_var *v, double x);
int sc_bin_of_text(const sc_var *v, const char *s);

/* Scores rows: cols[j] is the data of model variable j (only used variables are read; kinds must
 * match). score[i] receives the score of row i; bins (NULL, or n * n_vars entries) the bin of
 * each variable, row-major. */
sc_err sc_score_columns(const sc_model *m, const sc_column *cols, size_t n, double *score, uint8_t *bins);
/* The score of a row from its bin per variable (bins[j] for variable j). */
double sc_score_bins(const sc_model *m, const uint8_t *bins);
/* P(bad) for a score: 1 / (1 + exp((score - offset) / factor)). */
double sc_prob_bad(const sc_model *m, double score);
/* Index in m->grades of the grade of a score. */
int sc_grade_of(const sc_model *m, double score);

typedef struct {
	int64_t rows, bads;
	double p_min, p_max, p_mean; /* predicted probability of bad */
	double bad_rate;             /* observed */
} sc_calib_row;

typedef struct {
	int64_t rows, bads;
	double min_score, max_score; /* observed among the rows (NaN when none) */
} sc_grade_row;

typedef struct {
	int64_t rows, goods, bads;
	double auc;      /* P(score of a good > score of a bad) + P(tie)/2; NaN with one class */
	double gini;     /* 2 AUC - 1 */
	double ks;       /* max |F_bad(s) - F_good(s)| over scores s */
	double ks_score; /* a score where the KS is reached */
	double brier;    /* mean (p - bad)^2 */
	double log_loss; /* mean -ln P(observed outcome), p clamped to [1e-15, 1 - 1e-15] */
	int n_calib;
	sc_calib_row calib[SC_CALIB_GROUPS]; /* by predicted probability, ascending, equal counts */
	int n_grades;                        /* m->n_grades */
	sc_grade_row grade[SC_MAX_GRADES];
} sc_metrics;

/* Metrics of the scores of n rows with outcomes bad[i] in {0, 1}. */
sc_err sc_evaluate(const sc_model *m, const double *score, const unsigned char *bad, size_t n,
                   sc_metrics *out);
/* AUC alone, for any risk ranking where a higher score means less risk (NaN with one class). */
sc_err sc_auc(const double *score, const unsigned char *bad, size_t n, double *auc);

#endif

/* payment_predict.h: for every open installment or invoice as of a date D, the probability of paying
 * it in full by its due date and the expected days late, learned from the ledger's own history
 * (`vigie score predict`). Definitions and method: docs/scoring.md, "Payment prediction".
 *
 * Promises:
 *   - rows: the obligations (loan installments, invoices) of the accounts active at D that fall due
 *     in [D, D + window] and are not fully paid at D, in scan order (client, account, due date);
 *   - features come from the account's own past obligations as known at D (a payment reversed on
 *     or before D never happened) plus the client's loan cycle; nothing after D is read unless an
 *     outcome is asked for;
 *   - outcome (training, back-testing): days late = the day the obligation is fully paid minus its
 *     due date, 0 when paid by then, capped at PP_LATE_CAP (also when never paid or written off),
 *     judged on the ledger as known at D + window + PP_LATE_CAP; on time = 0 days late;
 *   - the model is a scorecard (core/scorecard.h) on these features with bad = late, plus the mean
 *     days late of the training rows in each tenth of the training scores; p_on_time is
 *     1 - P(bad) of the score, expected_days_late the mean of the score's band;
 *   - payment_predict_account predicts one account from its ledger blob without the store, so the
 *     daily run can call it on the accounts it visits. */
#ifndef VIGIE_PAYMENT_PREDICT_H
#define VIGIE_PAYMENT_PREDICT_H
#include <stddef.h>
#include <stdint.h>

#include "core/ledger.h"
#include "core/scorecard.h"
#include "store/store.h"

#define PP_LATE_CAP   90  /* days late are capped here (and unpaid obligations count as this) */
#define PP_MAX_WINDOW 366 /* days ahead listed */
#define PP_BANDS      10  /* expected days late: one mean per tenth of the training scores */
#define PP_FORMAT     "vigie-payment-model"

enum {
	PP_ON_TIME_SHARE_12M = 0, /* the account's obligations due in (D - 12 months, D] paid by due date */
	PP_MEAN_LATE_3M,          /* mean days late of those due in (D - 3 months, D] (unpaid: D - due) */
	PP_MEAN_LATE_6M,
	PP_MEAN_LATE_12M,
	PP_MAX_LATE_12M,
	PP_PARTIALS_12M, /* payments in the 12 months that left their obligation part-paid */
	PP_DPD_NOW,      /* the account's days past due at D */
	PP_AMOUNT_RATIO, /* this obligation's amount over the mean of those due in the 12 months */
	PP_PAID_SHARE,   /* share of this obligation already paid at D (prepaid) */
	PP_DAYS_TO_DUE,  /* due date minus D */
	PP_INSTALLMENT,  /* position of the obligation in the account (1 = first) */
	PP_LOANS,        /* the client's loans disbursed on or before D (loan cycle); missing if unknown */
	PP_INVOICE,      /* 1 for an invoice, 0 for a loan installment */
	PP_N_VARS
};
extern const char *const PP_VAR_NAMES[PP_N_VARS];

typedef struct {
	civil_day as_of;
	int window;           /* 0..PP_MAX_WINDOW */
	int with_outcome;     /* also days_late and late (training, back-testing) */
	alloc_order order;    /* ALLOC_DEFAULT */
	const char *currency; /* NULL: all */
} pp_opts;

typedef struct {
	size_t n, cap;
	char (*account)[STORE_ID_MAX];
	char (*currency)[4];
	civil_day *due_on;
	int64_t *amount; /* what is left to pay at D, minor units */
	double *x[PP_N_VARS];
	double *days_late;      /* with_outcome */
	unsigned char *late;    /* with_outcome: 1 when days_late > 0 */
	civil_day last_paid_on; /* the latest payment in the accounts read (DATE_NONE: none) */
} pp_rows;

void pp_rows_free(pp_rows *r);

/* Scans the store (loans and invoices, in client order) and returns the rows as of o->as_of.
 * 0, or -1 with a message. */
int pp_rows_from_store(store *s, const pp_opts *o, pp_rows **out, char *err, size_t errcap);

typedef struct {
	sc_model *sc;
	int window;
	int var_of[SC_MAX_VARS]; /* model variable -> PP_* index */
	int n_bands;
	double band_min[PP_BANDS];  /* band b holds the scores >= band_min[b] (the last: -inf) */
	double band_days[PP_BANDS]; /* mean days late of its training rows */
	int64_t band_rows[PP_BANDS];
	double train_auc, train_mae;
} pp_model;

/* Trains on rows with an outcome. 0, or -1 with a message. */
int pp_train(const pp_rows *r, const pp_opts *o, pp_model **out, char *err, size_t errcap);
void pp_model_free(pp_model *m);
/* The model file: the scorecard (io/model_file.h) with a "payment_prediction" object added. */
int pp_model_save(const char *path, const pp_model *m, char *err, size_t errcap);
int pp_model_load(const char *path, pp_model **out, char *err, size_t errcap);

/* The prediction of row i. */
void pp_predict_row(const pp_model *m, const pp_rows *r, size_t i, double *p_on_time,
                    double *expected_days_late);

/* Back-test: AUC of p_on_time against on time, mean absolute error of expected days late. */
typedef struct {
	size_t rows, late;
	double auc, mae, mean_days_late, mean_expected;
} pp_metrics;
int pp_evaluate(const pp_model *m, const pp_rows *r, pp_metrics *out);

/* For the daily run: the predictions of one account's open obligations as of D, from the account
 * and its ledger blob (as store_scan and store_due_accounts give them). client_loans is the
 * client's loan cycle (0: unknown). Calls fn for each obligation due in [D, D + m->window] not fully
 * paid at D; returns 0, or -1 on a corrupt ledger or when fn returns non-zero. */
typedef int (*pp_fn)(void *ctx, const store_account *a, civil_day due_on, int64_t amount, double p_on_time,
                     double expected_days_late);
int payment_predict_account(const pp_model *m, const store_account *a, const uint8_t *blob, size_t len,
                            civil_day as_of, int client_loans, pp_fn fn, void *ctx);

#endif

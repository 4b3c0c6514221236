/* portfolio_gen.h: a realistic, reproducible (seeded) portfolio, written as Vigie's import CSV files.
 * Promises: the same options give byte-identical files; every file is valid input for `vigie import`
 * (see docs/formats.md); memory does not grow with the portfolio (rows are streamed to the files).
 *
 * Files written into dir: clients.csv, loans.csv, schedules.csv, invoices.csv, payments.csv.
 * Demo mode: microfinance loans in XOF (group loans weekly/biweekly flat, individual monthly
 * declining, agricultural with a grace period) and SME loans in EUR, plus B2B invoices in EUR, with
 * branches and officers, and payment behaviours: on time, early/prepaying, late then cured, chronic
 * late, partial payer, default (stops paying), so every report is interesting as of `as_of`.
 * Bench mode: uniform loans of 12 monthly installments (declining balance) and their payments, for
 * measuring; invoices are not generated. Payments are generated up to and including as_of. */
#ifndef VIGIE_PORTFOLIO_GEN_H
#define VIGIE_PORTFOLIO_GEN_H
#include <stdint.h>
#include "core/date.h"

typedef struct {
	uint64_t seed;
	long n_clients;  /* clients; each has 0..3 loans (demo) or exactly loans/clients (bench) */
	long n_loans;
	long n_invoices; /* demo mode only */
	civil_day as_of; /* the "today" of the portfolio: disbursements before it, payments up to it */
	int bench;       /* 1 = bench mode */
} gen_options;

typedef struct {
	long clients, loans, schedule_rows, invoices, payments; /* rows written */
} gen_counts;

/* Returns 0, or -1 with a message in err (I/O error, bad options). */
int gen_portfolio(const gen_options *o, const char *dir, gen_counts *counts, char *err, size_t errcap);

#endif

/* bench/gen.c: writes the bench portfolio (io/portfolio_gen.h, bench mode) for `make bench`.
 *
 *   gen DIR N_LOANS [AS_OF [SEED]]
 *
 * N_LOANS uniform loans of 12 monthly installments (declining balance, XOF) for N_LOANS/4 clients,
 * disbursed over the year before AS_OF (default 2026-11-25), with their payments up to AS_OF; seed
 * default 20261125. Writes clients.csv, loans.csv, schedules.csv, invoices.csv (empty in bench mode)
 * and payments.csv into DIR, then prints the row counts and the time as `key=value` lines that
 * bench/run.sh reads (and a human can too). Same arguments, byte-identical files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/date.h"
#include "io/portfolio_gen.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || v < lo || v > hi) return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: gen DIR N_LOANS [AS_OF [SEED]]\n");
		return 2;
	}
	long n_loans, seed = 20261125;
	if (parse_long(argv[2], 1, 999999999L, &n_loans)) {
		fprintf(stderr, "gen: N_LOANS: expected 1..999999999, found \"%s\"\n", argv[2]);
		return 2;
	}
	civil_day as_of;
	const char *as_of_s = argc > 3 ? argv[3] : "2026-11-25";
	if (date_parse(as_of_s, strlen(as_of_s), &as_of) != DATE_OK) {
		fprintf(stderr, "gen: AS_OF: expected YYYY-MM-DD, found \"%s\"\n", as_of_s);
		return 2;
	}
	if (argc > 4 && parse_long(argv[4], 0, 2147483647L, &seed)) {
		fprintf(stderr, "gen: SEED: expected 0..2147483647, found \"%s\"\n", argv[4]);
		return 2;
	}

	gen_options o = {
	    .seed = (uint64_t)seed,
	    .n_clients = n_loans / 4 > 0 ? n_loans / 4 : 1,
	    .n_loans = n_loans,
	    .n_invoices = 0,
	    .as_of = as_of,
	    .bench = 1,
	};
	gen_counts c;
	char err[512];
	double t0 = now_s();
	if (gen_portfolio(&o, argv[1], &c, err, sizeof err) != 0) {
		fprintf(stderr, "gen: %s\n", err);
		return 1;
	}
	double dt = now_s() - t0;
	printf("as_of=%s\n", as_of_s);
	printf("seed=%ld\n", seed);
	printf("clients=%ld\n", c.clients);
	printf("loans=%ld\n", c.loans);
	printf("schedules=%ld\n", c.schedule_rows);
	printf("invoices=%ld\n", c.invoices);
	printf("payments=%ld\n", c.payments);
	printf("rows=%ld\n", c.clients + c.loans + c.schedule_rows + c.invoices + c.payments);
	printf("seconds=%.3f\n", dt);
	return 0;
}

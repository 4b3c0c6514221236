/* test_ledger.c: unit tests of core/ledger: the state of an account as of a date (table of hand-worked
 * cases), the allocation of one payment, the order parser, names and buckets, and the PAR-bucket
 * history, which is checked against a day-by-day brute force on generated ledgers. The generated
 * ledgers are also replayed by a naive allocator written here straight from the definitions, so the
 * compact representation used by ledger.c is checked against the obvious one. */
#include <stdint.h>

#include "core/date.h"
#include "core/ledger.h"
#include "t.h"

#define D0     19723 /* 2024-01-01, checked against date_from_ymd below */
#define MAXOB  8
#define MAXPAY 10

/* t.h wants a literal for the check's name; these take a case name known only at run time and
 * also say which expression failed. */
#define CHECK_EQ(got, want, name)                                                                            \
	do {                                                                                                 \
		long long c_g_ = (long long)(got), c_w_ = (long long)(want);                                 \
		T_OK(c_g_ == c_w_, "%s: %s: got %lld, want %lld", (name), #got, c_g_, c_w_);                 \
	} while (0)
#define CHECK_STR(got, want, name)                                                                           \
	do {                                                                                                 \
		const char *c_g_ = (got), *c_w_ = (want);                                                    \
		T_OK(c_g_ &&c_w_ &&strcmp(c_g_, c_w_) == 0, "%s: %s: got \"%s\", want \"%s\"", (name), #got, \
		     c_g_ ? c_g_ : "(null)", c_w_ ? c_w_ : "(null)");                                        \
	} while (0)

#define INST(d, pen, fee, intr, prin)                                                                        \
	{                                                                                                    \
		.due_on = (d), .amount = {(pen), (fee), (intr), (prin) }                                     \
	}
#define PAY(d, a)                                                                                            \
	{                                                                                                    \
		.paid_on = (d), .reversed_on = DATE_NONE, .amount = (a)                                      \
	}
#define PAYREV(d, r, a)                                                                                      \
	{                                                                                                    \
		.paid_on = (d), .reversed_on = (r), .amount = (a)                                            \
	}
/* The standard test loan: three monthly installments of fee 10, interest 50, principal 1000. */
#define L3                                                                                                   \
	.n_ob = 3, .ob = {INST(D0 + 30, 0, 10, 50, 1000), INST(D0 + 60, 0, 10, 50, 1000),                    \
	                  INST(D0 + 90, 0, 10, 50, 1000)}
/* The same with a penalty of 5 on the first installment, to see penalties go first. */
#define L3P                                                                                                  \
	.n_ob = 3, .ob = {INST(D0 + 30, 5, 10, 50, 1000), INST(D0 + 60, 0, 10, 50, 1000),                    \
	                  INST(D0 + 90, 0, 10, 50, 1000)}

typedef struct {
	const char *name;
	civil_day start_on, written_off_on; /* written_off_on 0 in the table means never */
	int n_ob;
	obligation ob[MAXOB];
	int n_pay;
	ledger_payment pay[MAXPAY];
	const char *order; /* NULL: ALLOC_DEFAULT */
	civil_day as_of;
	int rc;
	int64_t paid[COMP_N], arrears[COMP_N];
	int64_t outstanding, credit;
	int32_t dpd;
	civil_day oldest;
	int n_paid;
	account_status status;
} state_case;

/* All cases start on D0 unless they say otherwise (start_on 0 means D0). */
static const state_case state_cases[] = {
    {.name = "on time, no late installment",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 30, 1060), PAY(D0 + 60, 1060)},
     .as_of = D0 + 75,
     .paid = {0, 20, 100, 2000},
     .outstanding = 1000,
     .oldest = D0 + 90,
     .n_paid = 2,
     .status = ACCOUNT_ACTIVE},
    {.name = "installment due on D is not late",
     L3,
     .as_of = D0 + 30,
     .arrears = {0, 10, 50, 1000},
     .outstanding = 3000,
     .oldest = D0 + 30,
     .status = ACCOUNT_ACTIVE},
    {.name = "one day after the due date",
     L3,
     .as_of = D0 + 31,
     .arrears = {0, 10, 50, 1000},
     .outstanding = 3000,
     .dpd = 1,
     .oldest = D0 + 30,
     .status = ACCOUNT_ACTIVE},
    {.name = "before any due date",
     L3,
     .as_of = D0 + 29,
     .outstanding = 3000,
     .oldest = D0 + 30,
     .status = ACCOUNT_ACTIVE},
    {.name = "partial payment covers penalty, fee, interest before principal",
     L3P,
     .n_pay = 1,
     .pay = {PAY(D0 + 30, 40)},
     .as_of = D0 + 45,
     .paid = {5, 10, 25, 0},
     .arrears = {0, 0, 25, 1000},
     .outstanding = 3000,
     .dpd = 15,
     .oldest = D0 + 30,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "partial payments keep the oldest due date",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 30, 500), PAY(D0 + 50, 500)},
     .as_of = D0 + 70,
     .paid = {0, 10, 50, 940},
     .arrears = {0, 10, 50, 1060},
     .outstanding = 2060,
     .dpd = 40,
     .oldest = D0 + 30,
     .n_paid = 2,
     .status = ACCOUNT_ACTIVE},
    {.name = "prepayment of later installments",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 20, 2120)},
     .as_of = D0 + 61,
     .paid = {0, 20, 100, 2000},
     .outstanding = 1000,
     .oldest = D0 + 90,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "partial prepayment of the next installment",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 30, 1500)},
     .as_of = D0 + 61,
     .paid = {0, 20, 100, 1380},
     .arrears = {0, 0, 0, 620},
     .outstanding = 1620,
     .dpd = 1,
     .oldest = D0 + 60,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "overpayment kept as credit",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 10, 3500)},
     .as_of = D0 + 10,
     .paid = {0, 30, 150, 3000},
     .credit = 320,
     .oldest = DATE_NONE,
     .n_paid = 1,
     .status = ACCOUNT_CLOSED},
    {.name = "a later payment is not counted yet",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 30, 1060), PAY(D0 + 65, 1060)},
     .as_of = D0 + 62,
     .paid = {0, 10, 50, 1000},
     .arrears = {0, 10, 50, 1000},
     .outstanding = 2000,
     .dpd = 2,
     .oldest = D0 + 60,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "the later payment counts from its date",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 30, 1060), PAY(D0 + 65, 1060)},
     .as_of = D0 + 65,
     .paid = {0, 20, 100, 2000},
     .outstanding = 1000,
     .oldest = D0 + 90,
     .n_paid = 2,
     .status = ACCOUNT_ACTIVE},
    {.name = "a back-dated payment goes before a later one",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 40, 500), PAY(D0 + 65, 1060)},
     .as_of = D0 + 70,
     .paid = {0, 20, 100, 1440},
     .arrears = {0, 0, 0, 560},
     .outstanding = 1560,
     .dpd = 10,
     .oldest = D0 + 60,
     .n_paid = 2,
     .status = ACCOUNT_ACTIVE},
    {.name = "reversed payment counts before its reversal",
     L3,
     .n_pay = 1,
     .pay = {PAYREV(D0 + 30, D0 + 50, 1060)},
     .as_of = D0 + 49,
     .paid = {0, 10, 50, 1000},
     .outstanding = 2000,
     .oldest = D0 + 60,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "reversal counts from reversed_on",
     L3,
     .n_pay = 1,
     .pay = {PAYREV(D0 + 30, D0 + 50, 1060)},
     .as_of = D0 + 50,
     .arrears = {0, 10, 50, 1000},
     .outstanding = 3000,
     .dpd = 20,
     .oldest = D0 + 30,
     .status = ACCOUNT_ACTIVE},
    {.name = "a reversal re-allocates the later payments",
     L3,
     .n_pay = 2,
     .pay = {PAYREV(D0 + 30, D0 + 70, 1060), PAY(D0 + 60, 1060)},
     .as_of = D0 + 70,
     .paid = {0, 10, 50, 1000},
     .arrears = {0, 10, 50, 1000},
     .outstanding = 2000,
     .dpd = 10,
     .oldest = D0 + 60,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "payment reversed on its own date never counts",
     L3,
     .n_pay = 1,
     .pay = {PAYREV(D0 + 30, D0 + 30, 1060)},
     .as_of = D0 + 30,
     .arrears = {0, 10, 50, 1000},
     .outstanding = 3000,
     .oldest = D0 + 30,
     .status = ACCOUNT_ACTIVE},
    {.name = "written off on D",
     L3,
     .written_off_on = D0 + 100,
     .as_of = D0 + 100,
     .arrears = {0, 30, 150, 3000},
     .outstanding = 3000,
     .dpd = 70,
     .oldest = D0 + 30,
     .status = ACCOUNT_WRITTEN_OFF},
    {.name = "active the day before the write-off",
     L3,
     .written_off_on = D0 + 100,
     .as_of = D0 + 99,
     .arrears = {0, 30, 150, 3000},
     .outstanding = 3000,
     .dpd = 69,
     .oldest = D0 + 30,
     .status = ACCOUNT_ACTIVE},
    {.name = "written off then fully paid stays written off",
     L3,
     .written_off_on = D0 + 100,
     .n_pay = 1,
     .pay = {PAY(D0 + 120, 3180)},
     .as_of = D0 + 120,
     .paid = {0, 30, 150, 3000},
     .oldest = DATE_NONE,
     .n_paid = 1,
     .status = ACCOUNT_WRITTEN_OFF},
    {.name = "closed when everything is paid",
     L3,
     .n_pay = 3,
     .pay = {PAY(D0 + 30, 1060), PAY(D0 + 60, 1060), PAY(D0 + 90, 1060)},
     .as_of = D0 + 90,
     .paid = {0, 30, 150, 3000},
     .oldest = DATE_NONE,
     .n_paid = 3,
     .status = ACCOUNT_CLOSED},
    {.name = "not started",
     L3,
     .as_of = D0 - 1,
     .outstanding = 3000,
     .oldest = D0 + 30,
     .status = ACCOUNT_NOT_STARTED},
    {.name = "vertical: oldest installment first",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 65, 1100)},
     .as_of = D0 + 65,
     .paid = {0, 20, 80, 1000},
     .arrears = {0, 0, 20, 1000},
     .outstanding = 2000,
     .dpd = 5,
     .oldest = D0 + 60,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "horizontal: fees and interest of every due installment first",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 65, 1100)},
     .order = "horizontal:penalty,fee,interest,principal",
     .as_of = D0 + 65,
     .paid = {0, 20, 100, 980},
     .arrears = {0, 0, 0, 1020},
     .outstanding = 2020,
     .dpd = 35,
     .oldest = D0 + 30,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "horizontal: principal first",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 65, 2050)},
     .order = "horizontal:principal,interest,fee,penalty",
     .as_of = D0 + 65,
     .paid = {0, 0, 50, 2000},
     .arrears = {0, 20, 50, 0},
     .outstanding = 1000,
     .dpd = 35,
     .oldest = D0 + 30,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "horizontal: leftover prepaid vertically",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 65, 2200)},
     .order = "horizontal:penalty,fee,interest,principal",
     .as_of = D0 + 65,
     .paid = {0, 30, 150, 2020},
     .outstanding = 980,
     .oldest = D0 + 90,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "horizontal: due as of the payment date, not as of D",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 45, 1100)},
     .order = "horizontal:penalty,fee,interest,principal",
     .as_of = D0 + 65,
     .paid = {0, 20, 80, 1000},
     .arrears = {0, 0, 20, 1000},
     .outstanding = 2000,
     .dpd = 5,
     .oldest = D0 + 60,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "vertical with principal first",
     L3P,
     .n_pay = 1,
     .pay = {PAY(D0 + 30, 1000)},
     .order = "vertical:principal,interest,fee,penalty",
     .as_of = D0 + 40,
     .paid = {0, 0, 0, 1000},
     .arrears = {5, 10, 50, 0},
     .outstanding = 2000,
     .dpd = 10,
     .oldest = D0 + 30,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "invoice partly paid",
     .n_ob = 1,
     .ob = {INST(D0 + 30, 0, 0, 0, 5000)},
     .n_pay = 1,
     .pay = {PAY(D0 + 40, 2000)},
     .as_of = D0 + 50,
     .paid = {0, 0, 0, 2000},
     .arrears = {0, 0, 0, 3000},
     .outstanding = 3000,
     .dpd = 20,
     .oldest = D0 + 30,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "invoice paid",
     .n_ob = 1,
     .ob = {INST(D0 + 30, 0, 0, 0, 5000)},
     .n_pay = 1,
     .pay = {PAY(D0 + 40, 5000)},
     .as_of = D0 + 50,
     .paid = {0, 0, 0, 5000},
     .oldest = DATE_NONE,
     .n_paid = 1,
     .status = ACCOUNT_CLOSED},
    {.name = "an all-zero obligation is never late",
     .n_ob = 2,
     .ob = {INST(D0 + 30, 0, 0, 0, 0), INST(D0 + 60, 0, 0, 100, 1000)},
     .as_of = D0 + 45,
     .outstanding = 1000,
     .oldest = D0 + 60,
     .status = ACCOUNT_ACTIVE},
    {.name = "zero-amount components are skipped",
     .n_ob = 2,
     .ob = {INST(D0 + 30, 0, 0, 0, 1000), INST(D0 + 60, 0, 0, 0, 1000)},
     .n_pay = 1,
     .pay = {PAY(D0 + 30, 1500)},
     .as_of = D0 + 61,
     .paid = {0, 0, 0, 1500},
     .arrears = {0, 0, 0, 500},
     .outstanding = 500,
     .dpd = 1,
     .oldest = D0 + 60,
     .n_paid = 1,
     .status = ACCOUNT_ACTIVE},
    {.name = "no obligations: payments are credit",
     .n_pay = 1,
     .pay = {PAY(D0 + 1, 100)},
     .as_of = D0 + 5,
     .credit = 100,
     .oldest = DATE_NONE,
     .n_paid = 1,
     .status = ACCOUNT_CLOSED},
    {.name = "payments on the same day, in array order",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 30, 1000), PAY(D0 + 30, 100)},
     .as_of = D0 + 30,
     .paid = {0, 20, 80, 1000},
     .arrears = {0, 0, 0, 0},
     .outstanding = 2000,
     .oldest = D0 + 60,
     .n_paid = 2,
     .status = ACCOUNT_ACTIVE},
    {.name = "huge credit that still fits",
     .n_ob = 1,
     .ob = {INST(D0 + 30, 0, 0, 0, 1)},
     .n_pay = 2,
     .pay = {PAY(D0 + 1, INT64_MAX), PAY(D0 + 2, INT64_MAX)},
     .as_of = D0 + 1,
     .paid = {0, 0, 0, 1},
     .credit = INT64_MAX - 1,
     .oldest = DATE_NONE,
     .n_paid = 1,
     .status = ACCOUNT_CLOSED},
    {.name = "overflow of the credit",
     .n_ob = 1,
     .ob = {INST(D0 + 30, 0, 0, 0, 1)},
     .n_pay = 2,
     .pay = {PAY(D0 + 1, INT64_MAX), PAY(D0 + 2, INT64_MAX)},
     .as_of = D0 + 2,
     .rc = -1},
    {.name = "overflow of the total due",
     .n_ob = 2,
     .ob = {INST(D0 + 30, 0, 0, 0, INT64_MAX), INST(D0 + 60, 0, 0, 0, 1)},
     .as_of = D0,
     .rc = -1},
    {.name = "unsorted obligations",
     .n_ob = 2,
     .ob = {INST(D0 + 60, 0, 0, 0, 1), INST(D0 + 30, 0, 0, 0, 1)},
     .as_of = D0,
     .rc = -1},
    {.name = "unsorted payments",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 31, 1), PAY(D0 + 30, 1)},
     .as_of = D0,
     .rc = -1},
    {.name = "negative component", .n_ob = 1, .ob = {INST(D0 + 30, 0, -1, 0, 1)}, .as_of = D0, .rc = -1},
    {.name = "zero payment", L3, .n_pay = 1, .pay = {PAY(D0 + 30, 0)}, .as_of = D0, .rc = -1},
    {.name = "negative payment", L3, .n_pay = 1, .pay = {PAY(D0 + 30, -5)}, .as_of = D0, .rc = -1},
    {.name = "due date missing", .n_ob = 1, .ob = {INST(DATE_NONE, 0, 0, 0, 1)}, .as_of = D0, .rc = -1},
    {.name = "as-of date missing", L3, .as_of = DATE_NONE, .rc = -1},
};

/* Field by field: a memcmp would also compare padding. */
static int state_equal(const ledger_state *a, const ledger_state *b)
{
	for (int c = 0; c < COMP_N; c++)
		if (a->total_due[c] != b->total_due[c] || a->paid[c] != b->paid[c] ||
		    a->arrears[c] != b->arrears[c])
			return 0;
	return a->outstanding_principal == b->outstanding_principal && a->credit == b->credit &&
	       a->dpd == b->dpd && a->oldest_unpaid_due == b->oldest_unpaid_due &&
	       a->n_paid_payments == b->n_paid_payments && a->status == b->status;
}

static int get_order(const char *s, alloc_order *o)
{
	if (!s) {
		*o = ALLOC_DEFAULT;
		return 0;
	}
	return ledger_order_parse(s, o);
}

static ledger_account case_account(civil_day start_on, civil_day written_off_on)
{
	return (ledger_account){.start_on = start_on ? start_on : D0,
	                        .written_off_on = written_off_on ? written_off_on : DATE_NONE};
}

static void test_state_cases(void)
{
	for (size_t i = 0; i < sizeof state_cases / sizeof state_cases[0]; i++) {
		const state_case *tc = &state_cases[i];
		ledger_account acct = case_account(tc->start_on, tc->written_off_on);
		alloc_order order;
		ledger_state st;
		int64_t paid_out[MAXOB][COMP_N];

		CHECK_EQ(get_order(tc->order, &order), 0, tc->name);
		int rc = ledger_state_as_of(&acct, tc->ob, tc->n_ob, tc->pay, tc->n_pay, &order, tc->as_of,
		                            paid_out, &st);
		CHECK_EQ(rc, tc->rc, tc->name);
		if (rc != 0 || tc->rc != 0) continue;
		for (int c = 0; c < COMP_N; c++) {
			int64_t total = 0, rows = 0;
			for (int k = 0; k < tc->n_ob; k++) {
				total += tc->ob[k].amount[c];
				rows += paid_out[k][c];
			}
			CHECK_EQ(st.total_due[c], total, tc->name);
			CHECK_EQ(st.paid[c], tc->paid[c], tc->name);
			CHECK_EQ(rows, st.paid[c], tc->name);
			CHECK_EQ(st.arrears[c], tc->arrears[c], tc->name);
		}
		CHECK_EQ(st.outstanding_principal, tc->outstanding, tc->name);
		CHECK_EQ(st.credit, tc->credit, tc->name);
		CHECK_EQ(st.dpd, tc->dpd, tc->name);
		CHECK_EQ(st.oldest_unpaid_due, tc->oldest, tc->name);
		CHECK_EQ(st.n_paid_payments, tc->n_paid, tc->name);
		CHECK_STR(ledger_status_name(st.status), ledger_status_name(tc->status), tc->name);
		/* Without paid_out the answer is the same. */
		ledger_state st2;
		CHECK_EQ(ledger_state_as_of(&acct, tc->ob, tc->n_ob, tc->pay, tc->n_pay, &order, tc->as_of,
		                            NULL, &st2),
		         0, tc->name);
		T_OK(state_equal(&st, &st2), "%s: same state without paid_out", tc->name);
	}
}

typedef struct {
	const char *name;
	int n_ob;
	obligation ob[MAXOB];
	int n_pay;
	ledger_payment pay[MAXPAY];
	const char *order;
	int which;
	civil_day as_of;
	int rc;
	int64_t alloc[MAXOB][COMP_N];
	int64_t credit;
} alloc_case;

static const alloc_case alloc_cases[] = {
    {.name = "a single late payment",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 65, 1060)},
     .which = 0,
     .as_of = D0 + 65,
     .alloc = {{0, 10, 50, 1000}}},
    {.name = "a back-dated payment shifts the later one",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 40, 500), PAY(D0 + 65, 1060)},
     .which = 1,
     .as_of = D0 + 65,
     .alloc = {{0, 0, 0, 560}, {0, 10, 50, 440}}},
    {.name = "the back-dated payment itself",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 40, 500), PAY(D0 + 65, 1060)},
     .which = 0,
     .as_of = D0 + 65,
     .alloc = {{0, 10, 50, 440}}},
    {.name = "later payments do not change an earlier allocation",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 40, 500), PAY(D0 + 65, 1060)},
     .which = 0,
     .as_of = D0 + 100,
     .alloc = {{0, 10, 50, 440}}},
    {.name = "payment not counted yet",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 40, 500), PAY(D0 + 65, 1060)},
     .which = 1,
     .as_of = D0 + 64,
     .rc = -1},
    {.name = "reversed payment is not counted",
     L3,
     .n_pay = 1,
     .pay = {PAYREV(D0 + 30, D0 + 50, 1060)},
     .which = 0,
     .as_of = D0 + 50,
     .rc = -1},
    {.name = "before its reversal, the payment paid the first installment",
     L3,
     .n_pay = 2,
     .pay = {PAYREV(D0 + 30, D0 + 70, 1060), PAY(D0 + 60, 1060)},
     .which = 1,
     .as_of = D0 + 69,
     .alloc = {{0}, {0, 10, 50, 1000}}},
    {.name = "after the reversal, the next payment takes its place",
     L3,
     .n_pay = 2,
     .pay = {PAYREV(D0 + 30, D0 + 70, 1060), PAY(D0 + 60, 1060)},
     .which = 1,
     .as_of = D0 + 70,
     .alloc = {{0, 10, 50, 1000}}},
    {.name = "overpayment goes to credit",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 10, 3500)},
     .which = 0,
     .as_of = D0 + 10,
     .alloc = {{0, 10, 50, 1000}, {0, 10, 50, 1000}, {0, 10, 50, 1000}},
     .credit = 320},
    {.name = "a payment after closure is all credit",
     L3,
     .n_pay = 2,
     .pay = {PAY(D0 + 10, 3180), PAY(D0 + 20, 70)},
     .which = 1,
     .as_of = D0 + 20,
     .credit = 70},
    {.name = "horizontal allocation",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 65, 1100)},
     .order = "horizontal:penalty,fee,interest,principal",
     .which = 0,
     .as_of = D0 + 65,
     .alloc = {{0, 10, 50, 980}, {0, 10, 50, 0}}},
    {.name = "which out of range",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 65, 1100)},
     .which = 1,
     .as_of = D0 + 65,
     .rc = -1},
    {.name = "negative which",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 65, 1100)},
     .which = -1,
     .as_of = D0 + 65,
     .rc = -1},
};

static void test_alloc_cases(void)
{
	ledger_account acct = case_account(0, 0);

	for (size_t i = 0; i < sizeof alloc_cases / sizeof alloc_cases[0]; i++) {
		const alloc_case *tc = &alloc_cases[i];
		alloc_order order;
		int64_t got[MAXOB][COMP_N], credit = -1;

		CHECK_EQ(get_order(tc->order, &order), 0, tc->name);
		int rc = ledger_payment_allocation(&acct, tc->ob, tc->n_ob, tc->pay, tc->n_pay, &order,
		                                   tc->which, tc->as_of, got, &credit);
		CHECK_EQ(rc, tc->rc, tc->name);
		if (rc != 0 || tc->rc != 0) continue;
		for (int k = 0; k < tc->n_ob; k++)
			for (int c = 0; c < COMP_N; c++)
				T_OK(got[k][c] == tc->alloc[k][c],
				     "%s: obligation %d %s: got %lld, want %lld", tc->name, k,
				     ledger_component_name((ledger_component)c), (long long)got[k][c],
				     (long long)tc->alloc[k][c]);
		CHECK_EQ(credit, tc->credit, tc->name);
	}
}

static void test_bad_order(void)
{
	static const obligation ob[] = {INST(D0 + 30, 0, 10, 50, 1000)};
	static const ledger_payment pay[] = {PAY(D0 + 30, 100)};
	const alloc_order dup = {ALLOC_VERTICAL, {COMP_FEE, COMP_FEE, COMP_INTEREST, COMP_PRINCIPAL}};
	const alloc_order mode = {(alloc_mode)7, {COMP_PENALTY, COMP_FEE, COMP_INTEREST, COMP_PRINCIPAL}};
	const alloc_order range = {ALLOC_VERTICAL, {COMP_PENALTY, COMP_FEE, COMP_INTEREST, COMP_N}};
	const alloc_order *bad[] = {&dup, &mode, &range, NULL};
	ledger_account acct = case_account(0, 0);
	ledger_state st;
	int64_t a[1][COMP_N], credit;
	ledger_bucket_interval iv[4];

	for (int i = 0; i < 4; i++) {
		T_EQ_INT(ledger_state_as_of(&acct, ob, 1, pay, 1, bad[i], D0 + 40, NULL, &st), -1,
		         "bad order state");
		T_EQ_INT(ledger_payment_allocation(&acct, ob, 1, pay, 1, bad[i], 0, D0 + 40, a, &credit), -1,
		         "bad order allocation");
		T_EQ_INT(ledger_bucket_history(&acct, ob, 1, pay, 1, bad[i], iv, 4), -1, "bad order history");
	}
	T_EQ_INT(ledger_state_as_of(NULL, ob, 1, pay, 1, &ALLOC_DEFAULT, D0, NULL, &st), -1, "no account");
	T_EQ_INT(ledger_state_as_of(&acct, ob, 1, pay, 1, &ALLOC_DEFAULT, D0, NULL, NULL), -1, "no output");
	T_EQ_INT(ledger_state_as_of(&acct, NULL, 1, pay, 1, &ALLOC_DEFAULT, D0, NULL, &st), -1,
	         "no obligations");
	T_EQ_INT(ledger_state_as_of(&acct, ob, -1, pay, 1, &ALLOC_DEFAULT, D0, NULL, &st), -1,
	         "negative count");
	T_EQ_INT(ledger_bucket_history(&acct, ob, 1, pay, 1, &ALLOC_DEFAULT, NULL, 3), -1,
	         "history without out");
	T_EQ_INT(ledger_bucket_history(&acct, ob, 1, pay, 1, &ALLOC_DEFAULT, iv, -1), -1, "negative cap");
}

typedef struct {
	const char *s;
	int rc;
	alloc_mode mode;
	ledger_component order[COMP_N];
} parse_case;

static const parse_case parse_cases[] = {
    {"vertical:penalty,fee,interest,principal",
     0,
     ALLOC_VERTICAL,
     {COMP_PENALTY, COMP_FEE, COMP_INTEREST, COMP_PRINCIPAL}},
    {"horizontal:interest,principal,fee,penalty",
     0,
     ALLOC_HORIZONTAL,
     {COMP_INTEREST, COMP_PRINCIPAL, COMP_FEE, COMP_PENALTY}},
    {"vertical:principal,interest,fee,penalty",
     0,
     ALLOC_VERTICAL,
     {COMP_PRINCIPAL, COMP_INTEREST, COMP_FEE, COMP_PENALTY}},
    {"", -1, 0, {0}},
    {"vertical", -1, 0, {0}},
    {"vertical:", -1, 0, {0}},
    {"diagonal:penalty,fee,interest,principal", -1, 0, {0}},
    {"Vertical:penalty,fee,interest,principal", -1, 0, {0}},
    {" vertical:penalty,fee,interest,principal", -1, 0, {0}},
    {"vertical :penalty,fee,interest,principal", -1, 0, {0}},
    {"vertical:penalty,fee,interest", -1, 0, {0}},
    {"vertical:penalty,fee,interest,principal,fee", -1, 0, {0}},
    {"vertical:penalty,fee,interest,principal,", -1, 0, {0}},
    {"vertical:penalty,penalty,interest,principal", -1, 0, {0}},
    {"vertical:penalty,fee,,principal", -1, 0, {0}},
    {"vertical:penalty,fe,interest,principal", -1, 0, {0}},
    {"vertical:penalty,fees,interest,principal", -1, 0, {0}},
    {"vertical:penalty fee,interest,principal", -1, 0, {0}},
    {"vertical:penalty,fee,interest,principal ", -1, 0, {0}},
    {"vertical;penalty,fee,interest,principal", -1, 0, {0}},
    {"horizontal:penalty:fee,interest,principal", -1, 0, {0}},
};

static void test_order_parse(void)
{
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const parse_case *tc = &parse_cases[i];
		alloc_order o = ALLOC_DEFAULT;
		int rc = ledger_order_parse(tc->s, &o);
		CHECK_EQ(rc, tc->rc, tc->s);
		if (rc != 0) {
			T_OK(memcmp(&o, &ALLOC_DEFAULT, sizeof o) == 0, "\"%s\": output untouched on error",
			     tc->s);
			continue;
		}
		CHECK_EQ(o.mode, tc->mode, tc->s);
		for (int m = 0; m < COMP_N; m++)
			CHECK_EQ(o.order[m], tc->order[m], tc->s);
	}
	alloc_order o;
	T_EQ_INT(ledger_order_parse(NULL, &o), -1, "NULL string");
	T_EQ_INT(ledger_order_parse("vertical:penalty,fee,interest,principal", NULL), -1, "NULL output");
}

static void test_names_and_buckets(void)
{
	static const struct {
		int32_t days;
		int par, age;
	} b[] = {{-5, PAR_CURRENT, AGE_NOT_DUE},   {0, PAR_CURRENT, AGE_NOT_DUE},
	         {1, PAR_1_30, AGE_1_30},          {30, PAR_1_30, AGE_1_30},
	         {31, PAR_31_60, AGE_31_60},       {60, PAR_31_60, AGE_31_60},
	         {61, PAR_61_90, AGE_61_90},       {90, PAR_61_90, AGE_61_90},
	         {91, PAR_91_180, AGE_OVER_90},    {180, PAR_91_180, AGE_OVER_90},
	         {181, PAR_OVER_180, AGE_OVER_90}, {100000, PAR_OVER_180, AGE_OVER_90}};
	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
		T_EQ_INT(ledger_par_bucket(b[i].days), b[i].par, "par bucket");
		T_EQ_INT(ledger_age_bucket(b[i].days), b[i].age, "age bucket");
	}
	static const char *const par[] = {"current", "1-30", "31-60", "61-90", "91-180", "over_180"};
	static const char *const age[] = {"not_due", "1-30", "31-60", "61-90", "over_90"};
	for (int i = 0; i < PAR_NBUCKETS; i++)
		T_EQ_STR(ledger_par_bucket_name(i), par[i], "par bucket name");
	for (int i = 0; i < AGE_NBUCKETS; i++)
		T_EQ_STR(ledger_age_bucket_name(i), age[i], "age bucket name");
	T_EQ_STR(ledger_par_bucket_name(PAR_NBUCKETS), "unknown", "par bucket name out of range");
	T_EQ_STR(ledger_age_bucket_name(-1), "unknown", "age bucket name out of range");
	T_EQ_STR(ledger_component_name(COMP_PENALTY), "penalty", "component name");
	T_EQ_STR(ledger_component_name(COMP_FEE), "fee", "component name");
	T_EQ_STR(ledger_component_name(COMP_INTEREST), "interest", "component name");
	T_EQ_STR(ledger_component_name(COMP_PRINCIPAL), "principal", "component name");
	T_EQ_STR(ledger_component_name(COMP_N), "unknown", "component name out of range");
	T_EQ_STR(ledger_status_name(ACCOUNT_NOT_STARTED), "not_started", "status name");
	T_EQ_STR(ledger_status_name(ACCOUNT_ACTIVE), "active", "status name");
	T_EQ_STR(ledger_status_name(ACCOUNT_CLOSED), "closed", "status name");
	T_EQ_STR(ledger_status_name(ACCOUNT_WRITTEN_OFF), "written_off", "status name");
	T_EQ_STR(ledger_status_name((account_status)9), "unknown", "status name out of range");
}

#define NIV 8
typedef struct {
	const char *name;
	civil_day start_on, written_off_on;
	int n_ob;
	obligation ob[MAXOB];
	int n_pay;
	ledger_payment pay[MAXPAY];
	int n_iv;
	ledger_bucket_interval iv[NIV];
} history_case;

#define IV(b, from, to)                                                                                      \
	{                                                                                                    \
		.bucket = (b), .entered_on = (from), .left_on = (to)                                         \
	}

static const history_case history_cases[] = {
    {.name = "never paid",
     L3,
     .n_iv = 6,
     .iv = {IV(PAR_CURRENT, D0, D0 + 31), IV(PAR_1_30, D0 + 31, D0 + 61), IV(PAR_31_60, D0 + 61, D0 + 91),
            IV(PAR_61_90, D0 + 91, D0 + 121), IV(PAR_91_180, D0 + 121, D0 + 211),
            IV(PAR_OVER_180, D0 + 211, DATE_NONE)}},
    {.name = "paid on time, closed with the last payment",
     L3,
     .n_pay = 3,
     .pay = {PAY(D0 + 30, 1060), PAY(D0 + 60, 1060), PAY(D0 + 90, 1060)},
     .n_iv = 1,
     .iv = {IV(PAR_CURRENT, D0, D0 + 90)}},
    {.name = "late then cured",
     L3,
     .n_pay = 3,
     .pay = {PAY(D0 + 40, 1060), PAY(D0 + 60, 1060), PAY(D0 + 90, 1060)},
     .n_iv = 3,
     .iv = {IV(PAR_CURRENT, D0, D0 + 31), IV(PAR_1_30, D0 + 31, D0 + 40), IV(PAR_CURRENT, D0 + 40, D0 + 90)}},
    {.name = "a partial payment does not cure",
     L3,
     .n_pay = 1,
     .pay = {PAY(D0 + 40, 1000)},
     .n_iv = 6,
     .iv = {IV(PAR_CURRENT, D0, D0 + 31), IV(PAR_1_30, D0 + 31, D0 + 61), IV(PAR_31_60, D0 + 61, D0 + 91),
            IV(PAR_61_90, D0 + 91, D0 + 121), IV(PAR_91_180, D0 + 121, D0 + 211),
            IV(PAR_OVER_180, D0 + 211, DATE_NONE)}},
    {.name = "written off",
     L3,
     .written_off_on = D0 + 100,
     .n_iv = 4,
     .iv = {IV(PAR_CURRENT, D0, D0 + 31), IV(PAR_1_30, D0 + 31, D0 + 61), IV(PAR_31_60, D0 + 61, D0 + 91),
            IV(PAR_61_90, D0 + 91, D0 + 100)}},
    {.name = "written off on the start day", L3, .written_off_on = D0, .n_iv = 0},
    {.name = "a reversal reopens a closed loan",
     L3,
     .n_pay = 1,
     .pay = {PAYREV(D0 + 10, D0 + 120, 3180)},
     .n_iv = 4,
     .iv = {IV(PAR_CURRENT, D0, D0 + 10), IV(PAR_61_90, D0 + 120, D0 + 121),
            IV(PAR_91_180, D0 + 121, D0 + 211), IV(PAR_OVER_180, D0 + 211, DATE_NONE)}},
    {.name = "a reversal moves the loan back in arrears",
     L3,
     .n_pay = 1,
     .pay = {PAYREV(D0 + 30, D0 + 50, 1060)},
     .n_iv = 6,
     .iv = {IV(PAR_CURRENT, D0, D0 + 50), IV(PAR_1_30, D0 + 50, D0 + 61), IV(PAR_31_60, D0 + 61, D0 + 91),
            IV(PAR_61_90, D0 + 91, D0 + 121), IV(PAR_91_180, D0 + 121, D0 + 211),
            IV(PAR_OVER_180, D0 + 211, DATE_NONE)}},
    {.name = "already late on the start day",
     .start_on = D0 + 40,
     L3,
     .n_iv = 5,
     .iv = {IV(PAR_1_30, D0 + 40, D0 + 61), IV(PAR_31_60, D0 + 61, D0 + 91), IV(PAR_61_90, D0 + 91, D0 + 121),
            IV(PAR_91_180, D0 + 121, D0 + 211), IV(PAR_OVER_180, D0 + 211, DATE_NONE)}},
    {.name = "paid in full before the start", L3, .n_pay = 1, .pay = {PAY(D0 - 5, 3180)}, .n_iv = 0},
    {.name = "no obligations", .n_iv = 0},
};

static void test_history_cases(void)
{
	for (size_t i = 0; i < sizeof history_cases / sizeof history_cases[0]; i++) {
		const history_case *tc = &history_cases[i];
		ledger_account acct = case_account(tc->start_on, tc->written_off_on);
		ledger_bucket_interval got[NIV];

		int n = ledger_bucket_history(&acct, tc->ob, tc->n_ob, tc->pay, tc->n_pay, &ALLOC_DEFAULT,
		                              got, NIV);
		CHECK_EQ(n, tc->n_iv, tc->name);
		for (int k = 0; k < n && k < tc->n_iv; k++) {
			CHECK_STR(ledger_par_bucket_name(got[k].bucket),
			          ledger_par_bucket_name(tc->iv[k].bucket), tc->name);
			CHECK_EQ(got[k].entered_on, tc->iv[k].entered_on, tc->name);
			CHECK_EQ(got[k].left_on, tc->iv[k].left_on, tc->name);
		}
	}
	/* A small buffer gets the first intervals and the full count. */
	const history_case *tc = &history_cases[0];
	ledger_account acct = case_account(0, 0);
	ledger_bucket_interval small[3];
	small[2].bucket = -7;
	T_EQ_INT(ledger_bucket_history(&acct, tc->ob, tc->n_ob, tc->pay, tc->n_pay, &ALLOC_DEFAULT, small, 2),
	         6, "count beyond cap");
	T_EQ_INT(small[1].entered_on, D0 + 31, "first intervals within cap");
	T_EQ_INT(small[2].bucket, -7, "nothing written beyond cap");
	T_EQ_INT(ledger_bucket_history(&acct, tc->ob, tc->n_ob, tc->pay, tc->n_pay, &ALLOC_DEFAULT, NULL, 0),
	         6, "count only");
}

/* Generated ledgers. */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64: deterministic, so a failure always reproduces with the same case number. */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

static int rnd(int lo, int hi) /* inclusive */
{
	return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

typedef struct {
	ledger_account acct;
	int n_ob, n_pay;
	obligation ob[MAXOB];
	ledger_payment pay[MAXPAY];
	alloc_order order;
	civil_day last_day; /* after it nothing changes but the passing of days */
} gen_ledger;

static void gen(gen_ledger *g)
{
	civil_day start = D0 + rnd(-10, 10), d, last;

	*g = (gen_ledger){.acct = {.start_on = start, .written_off_on = DATE_NONE}};
	g->n_ob = rnd(0, 6);
	d = start + rnd(-15, 40);
	last = start;
	for (int i = 0; i < g->n_ob; i++) {
		g->ob[i].due_on = d;
		for (int c = 0; c < COMP_N; c++)
			g->ob[i].amount[c] = rnd(0, 2) ? rnd(1, c == COMP_PRINCIPAL ? 500 : 60) : 0;
		last = d;
		d += rnd(0, 2) ? rnd(1, 40) : 0; /* same-day obligations happen */
	}
	g->n_pay = rnd(0, MAXPAY - 2);
	d = start + rnd(-20, 30);
	for (int j = 0; j < g->n_pay; j++) {
		ledger_payment *p = &g->pay[j];
		int kind = rnd(0, 9);
		p->paid_on = d;
		p->amount = kind < 5 ? rnd(1, 150) : kind < 9 ? rnd(100, 700) : rnd(700, 4000);
		p->reversed_on = rnd(0, 3) ? DATE_NONE : d + rnd(0, 80);
		if (p->paid_on > last) last = p->paid_on;
		if (p->reversed_on != DATE_NONE && p->reversed_on > last) last = p->reversed_on;
		d += rnd(0, 2) ? rnd(0, 40) : 0;
	}
	if (!rnd(0, 4)) {
		g->acct.written_off_on = start + rnd(-5, 300);
		if (g->acct.written_off_on > last) last = g->acct.written_off_on;
	}
	g->order.mode = rnd(0, 1) ? ALLOC_HORIZONTAL : ALLOC_VERTICAL;
	for (int m = 0; m < COMP_N; m++)
		g->order.order[m] = (ledger_component)m;
	for (int m = COMP_N - 1; m > 0; m--) {
		int o = rnd(0, m);
		ledger_component t = g->order.order[m];
		g->order.order[m] = g->order.order[o];
		g->order.order[o] = t;
	}
	g->last_day = last > start ? last : start;
}

static int ref_counted(const ledger_payment *p, civil_day d)
{
	return p->paid_on <= d && (p->reversed_on == DATE_NONE || p->reversed_on > d);
}

/* The allocation as the product describes it, on a full matrix: no cleverness to share bugs with. */
static void ref_allocate(const gen_ledger *g, civil_day d, int64_t paid[MAXOB][COMP_N], int64_t *credit,
                         int *n)
{
	memset(paid, 0, sizeof(int64_t) * MAXOB * COMP_N);
	*credit = 0;
	*n = 0;
	for (int j = 0; j < g->n_pay; j++) {
		if (!ref_counted(&g->pay[j], d)) continue;
		int64_t rem = g->pay[j].amount;
		int from = 0;
		(*n)++;
		if (g->order.mode == ALLOC_HORIZONTAL) {
			while (from < g->n_ob && g->ob[from].due_on <= g->pay[j].paid_on)
				from++;
			for (int m = 0; m < COMP_N; m++) {
				int c = (int)g->order.order[m];
				for (int i = 0; i < from; i++) {
					int64_t need = g->ob[i].amount[c] - paid[i][c];
					int64_t take = need < rem ? need : rem;
					paid[i][c] += take;
					rem -= take;
				}
			}
		}
		for (int i = from; i < g->n_ob; i++) {
			for (int m = 0; m < COMP_N; m++) {
				int c = (int)g->order.order[m];
				int64_t need = g->ob[i].amount[c] - paid[i][c];
				int64_t take = need < rem ? need : rem;
				paid[i][c] += take;
				rem -= take;
			}
		}
		*credit += rem;
	}
}

static int ob_paid(const gen_ledger *g, int64_t paid[MAXOB][COMP_N], int i)
{
	for (int c = 0; c < COMP_N; c++)
		if (paid[i][c] != g->ob[i].amount[c]) return 0;
	return 1;
}

/* The expected state of a generated ledger as of D, straight from the definitions. */
static void ref_state(const gen_ledger *g, civil_day d, int64_t paid[MAXOB][COMP_N], ledger_state *st)
{
	int all_paid = 1;

	*st = (ledger_state){.oldest_unpaid_due = DATE_NONE};
	ref_allocate(g, d, paid, &st->credit, &st->n_paid_payments);
	for (int i = 0; i < g->n_ob; i++) {
		for (int c = 0; c < COMP_N; c++) {
			st->total_due[c] += g->ob[i].amount[c];
			st->paid[c] += paid[i][c];
			if (g->ob[i].due_on <= d) st->arrears[c] += g->ob[i].amount[c] - paid[i][c];
		}
		if (!ob_paid(g, paid, i)) {
			if (all_paid) st->oldest_unpaid_due = g->ob[i].due_on;
			if (all_paid && g->ob[i].due_on < d) st->dpd = d - g->ob[i].due_on;
			all_paid = 0;
		}
	}
	st->outstanding_principal = st->total_due[COMP_PRINCIPAL] - st->paid[COMP_PRINCIPAL];
	if (d < g->acct.start_on)
		st->status = ACCOUNT_NOT_STARTED;
	else if (g->acct.written_off_on != DATE_NONE && g->acct.written_off_on <= d)
		st->status = ACCOUNT_WRITTEN_OFF;
	else if (all_paid)
		st->status = ACCOUNT_CLOSED;
	else
		st->status = ACCOUNT_ACTIVE;
}

#define MAXIV 64

/* The bucket history day by day from ledger_state_as_of: a day is in the history when the loan is
 * active then; consecutive days in one bucket make an interval. Past last_day + 181 the bucket can no
 * longer change, so an interval still running then is open. Returns the count, or -1. */
static int brute_history(const gen_ledger *g, ledger_bucket_interval *iv, int *state_mismatch)
{
	int n = 0;
	civil_day horizon = g->last_day + 182;

	for (civil_day d = g->acct.start_on; d <= horizon; d++) {
		ledger_state st, want;
		int64_t paid_out[MAXOB][COMP_N], want_paid[MAXOB][COMP_N];
		if (ledger_state_as_of(&g->acct, g->ob, g->n_ob, g->pay, g->n_pay, &g->order, d, paid_out,
		                       &st))
			return -1;
		ref_state(g, d, want_paid, &want);
		if (!state_equal(&st, &want) ||
		    (g->n_ob && memcmp(paid_out, want_paid, sizeof(int64_t) * COMP_N * (size_t)g->n_ob) != 0))
			(*state_mismatch)++;
		if (st.status != ACCOUNT_ACTIVE) continue;
		int b = ledger_par_bucket(st.dpd);
		if (n > 0 && iv[n - 1].bucket == b && iv[n - 1].left_on == d) {
			iv[n - 1].left_on = d + 1;
		} else {
			if (n == MAXIV) return -1;
			iv[n++] = (ledger_bucket_interval){.bucket = b, .entered_on = d, .left_on = d + 1};
		}
	}
	if (n > 0 && iv[n - 1].left_on == horizon + 1) iv[n - 1].left_on = DATE_NONE;
	return n;
}

/* Every counted payment's allocation adds up to its amount, and all of them to the state's matrix. */
static int check_allocations(const gen_ledger *g, civil_day d)
{
	int64_t sum[MAXOB][COMP_N] = {{0}}, paid_out[MAXOB][COMP_N], credit_sum = 0;
	ledger_state st;

	if (ledger_state_as_of(&g->acct, g->ob, g->n_ob, g->pay, g->n_pay, &g->order, d, paid_out, &st))
		return 0;
	for (int j = 0; j < g->n_pay; j++) {
		int64_t a[MAXOB][COMP_N], credit, total;
		int rc = ledger_payment_allocation(&g->acct, g->ob, g->n_ob, g->pay, g->n_pay, &g->order, j,
		                                   d, a, &credit);
		if (rc != (ref_counted(&g->pay[j], d) ? 0 : -1)) return 0;
		if (rc) continue;
		total = credit;
		for (int i = 0; i < g->n_ob; i++)
			for (int c = 0; c < COMP_N; c++) {
				if (a[i][c] < 0) return 0;
				total += a[i][c];
				sum[i][c] += a[i][c];
			}
		if (total != g->pay[j].amount) return 0;
		credit_sum += credit;
	}
	for (int i = 0; i < g->n_ob; i++)
		for (int c = 0; c < COMP_N; c++)
			if (sum[i][c] != paid_out[i][c]) return 0;
	return credit_sum == st.credit;
}

static void print_ledger(const gen_ledger *g)
{
	printf("# start %d, written off %d, %s order %d%d%d%d\n", g->acct.start_on - D0,
	       g->acct.written_off_on == DATE_NONE ? -1 : g->acct.written_off_on - D0,
	       g->order.mode == ALLOC_HORIZONTAL ? "horizontal" : "vertical", g->order.order[0],
	       g->order.order[1], g->order.order[2], g->order.order[3]);
	for (int i = 0; i < g->n_ob; i++)
		printf("#   due %d: %lld %lld %lld %lld\n", g->ob[i].due_on - D0,
		       (long long)g->ob[i].amount[0], (long long)g->ob[i].amount[1],
		       (long long)g->ob[i].amount[2], (long long)g->ob[i].amount[3]);
	for (int j = 0; j < g->n_pay; j++)
		printf("#   paid %d: %lld, reversed %d\n", g->pay[j].paid_on - D0,
		       (long long)g->pay[j].amount,
		       g->pay[j].reversed_on == DATE_NONE ? -1 : g->pay[j].reversed_on - D0);
}

static void test_generated(void)
{
	int bad_history = 0, bad_state_cases = 0, bad_alloc = 0, printed = 0;
	const int n_cases = 3000;

	rng_state = 20240101;
	for (int k = 0; k < n_cases; k++) {
		gen_ledger g;
		ledger_bucket_interval want[MAXIV], got[MAXIV];
		int mismatch = 0;

		gen(&g);
		int nw = brute_history(&g, want, &mismatch);
		int ng = ledger_bucket_history(&g.acct, g.ob, g.n_ob, g.pay, g.n_pay, &g.order, got, MAXIV);
		int same = nw >= 0 && ng == nw;
		for (int i = 0; same && i < nw; i++)
			same = got[i].bucket == want[i].bucket && got[i].entered_on == want[i].entered_on &&
			       got[i].left_on == want[i].left_on;
		/* A short buffer: same count, same first intervals. */
		if (same && nw > 0) {
			ledger_bucket_interval part[MAXIV];
			int cap = rnd(0, nw - 1);
			same = ledger_bucket_history(&g.acct, g.ob, g.n_ob, g.pay, g.n_pay, &g.order, part,
			                             cap) == nw &&
			       memcmp(part, got, sizeof part[0] * (size_t)cap) == 0;
		}
		if (!same) {
			bad_history++;
			if (printed++ < 3) {
				printf("# generated case %d: history has %d intervals, brute force %d\n", k,
				       ng, nw);
				print_ledger(&g);
				for (int i = 0; i < ng && i < MAXIV; i++)
					printf("#   got  %d [%d, %d)\n", got[i].bucket,
					       got[i].entered_on - D0,
					       got[i].left_on == DATE_NONE ? -1 : got[i].left_on - D0);
				for (int i = 0; i < nw; i++)
					printf("#   want %d [%d, %d)\n", want[i].bucket,
					       want[i].entered_on - D0,
					       want[i].left_on == DATE_NONE ? -1 : want[i].left_on - D0);
			}
		}
		if (mismatch) {
			bad_state_cases++;
			if (printed++ < 3) {
				printf("# generated case %d: state differs from the reference on %d days\n",
				       k, mismatch);
				print_ledger(&g);
			}
		}
		if (!check_allocations(&g, g.acct.start_on + rnd(-5, g.last_day - g.acct.start_on + 10))) {
			bad_alloc++;
			if (printed++ < 3) {
				printf("# generated case %d: allocations do not add up\n", k);
				print_ledger(&g);
			}
		}
	}
	T_EQ_INT(bad_history, 0, "generated ledgers: fast history equals the day-by-day history");
	T_EQ_INT(bad_state_cases, 0, "generated ledgers: state equals the reference allocator every day");
	T_EQ_INT(bad_alloc, 0, "generated ledgers: payment allocations add up to the state");
	printf("# %d generated ledgers checked\n", n_cases);
}

int main(void)
{
	T_EQ_INT(date_from_ymd(2024, 1, 1), D0, "D0 is 2024-01-01");
	test_state_cases();
	test_alloc_cases();
	test_bad_order();
	test_order_parse();
	test_names_and_buckets();
	test_history_cases();
	test_generated();
	return t_done("test_ledger");
}

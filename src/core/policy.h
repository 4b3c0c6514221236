/* policy.h: follow-up and collection policies (the model) and their evaluation for one account on
 * one day or over a range of days. Pure: no I/O, no clock, no allocation; the caller owns every
 * array. The file format and the rules are described in docs/policies.md; io/policy_file.h loads
 * and validates a policy file into this model.
 *
 * A policy has segments, tried in order (the first whose match conditions hold on day D wins), and
 * per segment ordered steps. A step fires on a day computed from an event:
 *   disbursement  start + offset (+ k * every, k < times)
 *   due_date      offset <= 0: offset days before (or on) each due date of an installment still
 *                 unpaid (beyond the tolerance) on that day (a reminder);
 *                 offset > 0: a collection step, offset days after the collection anchor (below);
 *                 with only_if_unpaid false: relative to every due date, paid or not.
 *   dpd           the day the collection days past due reach offset (>= 1): anchor + offset.
 *   maturity      last due date + offset, while the account is active; with max_dpd_ever >= 0,
 *                 only when the collection DPD never exceeded it so far (renewal eligibility).
 *   broken_promise, task_failed, alert: kept in the model, not evaluated yet.
 * The collection anchor as of D is the due date of the oldest obligation due before D from which the
 * cumulative unpaid amount (oldest first) exceeds the currency's tolerance; none when all that is
 * late is within the tolerance. Collection DPD = D - anchor (0 without anchor). A collection step for
 * anchor A fires on A + offset (+ k * every) only if A is still the anchor that day: a payment that
 * moves the anchor re-plans the path from the new anchor, and a step of an old anchor never fires.
 * An account that closes (everything paid) on D gets one "case closed" decision on D and no step.
 * Every decision has a dedupe key "ACCOUNT|SEGMENT|STEP|ANCHOR|REPETITION" (the case closed one:
 * "ACCOUNT|case_closed|DAY"), stable when the same day is evaluated again. */
#ifndef VIGIE_POLICY_H
#define VIGIE_POLICY_H
#include <stdint.h>
#include "core/date.h"
#include "core/ledger.h"

#define POLICY_ID_MAX       64 /* names, step ids, templates, assignees, list items: at most 63 bytes */
#define POLICY_MAX_SEGMENTS 32
#define POLICY_MAX_STEPS    48 /* per segment */
#define POLICY_MAX_LIST     16 /* products, branches or grades of one segment */
#define POLICY_MAX_TOL      16 /* currencies with a tolerance */
#define POLICY_MAX_OFFSET   3660
#define POLICY_MAX_TIMES    1000
#define POLICY_DEDUPE_MAX   256

typedef enum {
	POLICY_OK = 0,
	POLICY_ERR_INVALID, /* invalid ledger (unsorted, overflow) or account facts */
	POLICY_ERR_STOPPED, /* the callback asked to stop */
} policy_err;
const char *policy_strerror(policy_err e);

typedef enum {
	PEV_DISBURSEMENT = 0,
	PEV_DUE_DATE,
	PEV_DPD,
	PEV_MATURITY,
	PEV_BROKEN_PROMISE,
	PEV_TASK_FAILED,
	PEV_ALERT,
	PEV_N
} policy_event;

typedef enum {
	PACT_MESSAGE = 0,
	PACT_TASK,
	PACT_ALERT,
	PACT_ESCALATION,
	PACT_PLAN_PROPOSAL,
	PACT_RENEWAL_CHECK,
	PACT_FORMAL_NOTICE,
	PACT_COURT_FILE,
	PACT_INSURANCE_NOTICE,
	PACT_HOLD,
	PACT_N
} policy_action;

enum { PCH_SMS = 1, PCH_EMAIL = 2, PCH_LETTER = 4, PCH_N = 3 }; /* channel bits */

typedef enum {
	PTASK_NONE = 0,
	PTASK_CALL,
	PTASK_VISIT,
	PTASK_LOAN_USE_VERIFICATION,
	PTASK_MONITORING_VISIT,
	PTASK_DOCUMENT_CHECK,
	PTASK_N
} policy_task_kind;

typedef struct {
	char id[POLICY_ID_MAX];
	policy_event event;
	int32_t offset; /* days; negative = before; for dpd the threshold */
	int32_t every;  /* repeat every N days; 0 = no repeat */
	int32_t times;  /* occurrences in all (1 without repeat) */
	policy_action action;
	unsigned channels; /* PCH_* bits, messages */
	char template_name[POLICY_ID_MAX];
	policy_task_kind task;
	char assignee[POLICY_ID_MAX]; /* "officer", "role:NAME" or "" */
	int four_eyes;
	int32_t max_dpd_ever; /* maturity condition; -1 = none */
	int only_if_unpaid;   /* due_date and dpd steps (default 1) */
	int line;             /* line in the policy file, 0 when unknown */
} policy_step;

typedef struct {
	char name[POLICY_ID_MAX];
	char products[POLICY_MAX_LIST][POLICY_ID_MAX];
	int n_products; /* 0 = any */
	char branches[POLICY_MAX_LIST][POLICY_ID_MAX];
	int n_branches;
	char grades[POLICY_MAX_LIST][POLICY_ID_MAX];
	int n_grades;
	int has_amount; /* amount range, in one currency: other currencies do not match */
	char amount_currency[4];
	int64_t amount_min, amount_max; /* minor units, inclusive */
	int has_dpd;
	int32_t dpd_min, dpd_max; /* collection DPD, inclusive */
	policy_step steps[POLICY_MAX_STEPS];
	int n_steps;
} policy_segment;

typedef struct {
	char currency[4];
	int64_t amount; /* minor units: late amounts at or below it trigger no collection */
} policy_tolerance;

typedef struct {
	char name[POLICY_ID_MAX];
	int32_t version;
	policy_tolerance tol[POLICY_MAX_TOL];
	int n_tol;
	policy_segment seg[POLICY_MAX_SEGMENTS];
	int n_seg;
} policy;

/* One account's facts. The amount a segment's range is compared with is the outstanding principal
 * as of D for a loan, the invoice amount for an invoice. work must have n_ob rows (scratch). */
typedef struct {
	const char *id;
	int is_invoice;
	const char *product, *branch, *grade, *currency; /* "" when unknown; grade "" matches any */
	int64_t amount;                                  /* loan principal or invoice amount */
	civil_day start_on, written_off_on;
	const obligation *ob; /* sorted by due_on */
	int n_ob;
	const ledger_payment *pay; /* sorted by paid_on */
	int n_pay;
	alloc_order order;
	int64_t (*work)[COMP_N];
} policy_account;

typedef enum { PDEC_STEP = 0, PDEC_CASE_CLOSED } policy_decision_kind;

typedef struct {
	policy_decision_kind kind;
	civil_day day;
	int segment, step;    /* indices into the policy (-1 for case closed) */
	const policy_step *s; /* NULL for case closed */
	const char *segment_name;
	civil_day anchor; /* the event's date: start, due date, collection anchor, maturity */
	int32_t repetition;
	int32_t dpd;  /* collection DPD on the day */
	int64_t late; /* late amount on the day (minor units) */
	char dedupe[POLICY_DEDUPE_MAX];
} policy_decision;

/* Returns non-zero to stop. */
typedef int (*policy_decision_fn)(void *ctx, const policy_decision *d);

/* Decisions that fall due on day D (in segment step order; the case closed one alone). */
policy_err policy_evaluate_day(const policy *p, const policy_account *a, civil_day day, policy_decision_fn fn,
                               void *ctx);
/* The same for every day of [from, to], in day order, visiting only the days on which something can
 * fire (step days computed from the start, due dates and maturity; payment days). */
policy_err policy_evaluate_range(const policy *p, const policy_account *a, civil_day from, civil_day to,
                                 policy_decision_fn fn, void *ctx);

/* The segment matching the account on day D (-1 none), with the collection anchor and DPD. */
policy_err policy_segment_of(const policy *p, const policy_account *a, civil_day day, int *segment,
                             civil_day *anchor, int32_t *dpd);
/* Tolerance of a currency (0 when the policy names none). */
int64_t policy_tolerance_of(const policy *p, const char *currency);

/* Names: parse returns -1 when unknown. */
const char *policy_event_name(policy_event e);
const char *policy_action_name(policy_action a);
const char *policy_task_name(policy_task_kind k); /* "" for PTASK_NONE */
const char *policy_channel_name(unsigned bit);
int policy_event_parse(const char *s);
int policy_action_parse(const char *s);
int policy_task_parse(const char *s);
int policy_channel_parse(const char *s); /* returns the bit */

/* "sms+email" etc. into buf; returns buf. */
char *policy_channels_text(unsigned channels, char *buf, int cap);

#endif

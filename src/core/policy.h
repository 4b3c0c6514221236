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
 *                 offset > 0: a collection step, on the collection path of the anchor (below);
 *                 with only_if_unpaid false: relative to every due date, paid or not.
 *   dpd           a collection step: when the path position reaches offset (>= 1).
 *   maturity      last due date + offset, while the account is active; with max_dpd_ever >= 0,
 *                 only when the effective collection DPD never exceeded it so far (renewal).
 *   broken_promise  offset (>= 0) path days from the day a promise is broken (its due_on + 1),
 *                 while the promise is broken as of that day and the account has an anchor.
 *   task_failed, task_overdue, alert  the account's dated event of that kind (and of the step's
 *                 `on` name when set) + offset (>= 0) (+ repeats).
 * The collection anchor as of D is the due date of the oldest obligation due before D from which the
 * cumulative unpaid amount (oldest first) exceeds the currency's tolerance; none when all that is
 * late is within the tolerance. Raw DPD = D - anchor; effective DPD = raw DPD - paused days in
 * (anchor, D] (0 without anchor): segments' dpd ranges and max_dpd_ever use the effective DPD.
 * Hold days: paused days, excluded days and days inside an open promise [made_on, due_on]. The path
 * position of anchor A on D is the number of days in (A, D] that are not hold days; a collection
 * step fires on the non-hold day whose position is offset (+ k * every) if A is still the anchor
 * that day, so a hold shifts the path and skips no stage. Broken-promise steps count their offset
 * the same way from the broken day. Excluded days also stop reminders (dropped, not shifted).
 * A payment that moves the anchor re-plans the path from the new anchor; a step of an old anchor
 * never fires. An account that closes (everything paid) on D gets one "case closed" decision on D.
 * Every decision has a dedupe key "ACCOUNT|SEGMENT|STEP|ANCHOR|REPETITION", with "|REF" appended for
 * broken_promise and dated-event steps (REF: the promise's or the event's ref); the case closed one:
 * "ACCOUNT|case_closed|DAY". Keys are stable when the same day is evaluated again. */
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
	PEV_TASK_OVERDUE,
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
	char on[POLICY_ID_MAX]; /* task_failed/task_overdue/alert steps: only events of this name ("" any) */
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

/* A promise to pay: kept when the payments dated in [made_on, due_on] and not reversed as of the
 * evaluated day total at least amount; otherwise broken on due_on + 1. While it is open
 * (made_on <= D <= due_on) its days are hold days. */
typedef struct {
	civil_day made_on, due_on;
	int64_t amount;  /* minor units, > 0 */
	const char *ref; /* identifier (1..63 bytes, no '|'): goes into dedupe keys */
} policy_promise;

/* A delinquency pause (days not counted as late) or an exclusion from collection: [from, to]. */
typedef struct {
	civil_day from;
	civil_day to;       /* inclusive; DATE_NONE = open-ended */
	const char *reason; /* free text, not used by the evaluation (may be NULL) */
} policy_hold;

/* A dated event of the account: a task that failed or is overdue, an alert. */
typedef struct {
	civil_day day;
	policy_event kind; /* PEV_TASK_FAILED, PEV_TASK_OVERDUE or PEV_ALERT */
	const char *name;  /* task kind (loan_use_verification, ...) or alert kind (grade_down, ...) */
	const char *ref;   /* identifier (1..63 bytes, no '|'): goes into dedupe keys */
} policy_fact_event;

/* One account's facts. The amount a segment's range is compared with is the outstanding principal
 * as of D for a loan, the invoice amount for an invoice. work must have n_ob rows (scratch).
 * The optional facts (promises, pauses, exclusions, events) are NULL/0 when there are none; any
 * order; an invalid one (dates, amount, kind, ref) makes the evaluation fail with
 * POLICY_ERR_INVALID. */
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
	const policy_promise *promises;
	int n_promises;
	const policy_hold *pauses; /* delinquency pauses (disaster, dispute) */
	int n_pauses;
	const policy_hold *exclusions; /* exclusions from collection */
	int n_exclusions;
	const policy_fact_event *events;
	int n_events;
} policy_account;

typedef enum { PDEC_STEP = 0, PDEC_CASE_CLOSED } policy_decision_kind;

typedef struct {
	policy_decision_kind kind;
	civil_day day;
	int segment, step;    /* indices into the policy (-1 for case closed) */
	const policy_step *s; /* NULL for case closed */
	const char *segment_name;
	civil_day anchor; /* the event's date: start, due date, collection anchor, maturity, broken
	                   * day (promise due_on + 1), dated event's day */
	int32_t repetition;
	int32_t dpd;     /* effective collection DPD on the day (paused days not counted) */
	int32_t dpd_raw; /* raw collection DPD on the day (day - anchor, 0 without anchor) */
	int64_t late;    /* late amount on the day (minor units) */
	const char *ref; /* the promise's or event's ref (broken_promise, dated events), else NULL */
	const char *event_name; /* the dated event's name (dated-event steps), else NULL */
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

/* The segment matching the account on day D (-1 none), with the collection anchor and the
 * effective DPD. */
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

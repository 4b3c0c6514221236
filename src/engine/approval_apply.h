/* approval_apply.h: what a four-eyes request is, and what it does once approved (docs/work.md).
 *
 * Promises:
 * - A request's payload is built and checked when it is made (approval_*_payload), so a checker
 *   approves exactly what was validated; payloads are JSON objects documented in docs/work.md.
 * - approval_decide() approves or rejects a pending request and, once approved, applies it, inside
 *   the caller's transaction: the caller commits only on APPLY_OK and rolls back otherwise, so an
 *   approval and its effect are written together or not at all.
 *     step        the four-eyes decision of the run goes on: a message is queued, a task stays open
 *                 (now actionable), anything else is done; rejected, the decision is cancelled.
 *     write_off   the account is written off on the approval day.
 *     reschedule  the account's obligations are replaced by the payload's schedule (payments are
 *                 re-allocated by the ledger rebuild).
 *     fee_waiver  the fees and penalties of one installment are reduced by the payload's amounts.
 *     credit_limit, policy_change: approved only (status stays "approved"); read by their owners.
 *   The others end "applied". Every error names what is wrong in msg. */
#ifndef VIGIE_APPROVAL_APPLY_H
#define VIGIE_APPROVAL_APPLY_H
#include <stdio.h>
#include "store/store_work.h"

typedef enum {
	APPLY_OK = 0,
	APPLY_BAD_INPUT, /* the request or its payload is not valid: msg says which field */
	APPLY_NOT_FOUND, /* no such request, account or decision */
	APPLY_CONFLICT,  /* not pending, maker = checker, or the account no longer allows it */
	APPLY_STORE,     /* store failure */
} apply_rc;

/* A reschedule from a CSV file in the import format of schedules (loan_id, due_on, principal,
 * interest, fees[, penalties]; docs/formats.md) for loan a: the rows must all name a, one
 * installment per date, dates on or after the disbursement, principals adding up to the loan's
 * principal. Every error goes to err as "FILE:LINE: field: expected ..., found ...". label names
 * the file in messages (NULL = path). */
apply_rc approval_reschedule_payload(const store_account *a, const char *path, const char *label,
                                     const char *reason, char *payload, size_t cap, FILE *err);
/* A waiver of fees and penalties (minor units, >= 0, not both 0) of a's installment due on due_on,
 * no more than it has. */
apply_rc approval_fee_waiver_payload(store *s, const store_account *a, civil_day due_on, int64_t fees,
                                     int64_t penalties, const char *reason, char *payload, size_t cap,
                                     char *msg, size_t msgcap);
/* A write-off of a (not already written off). */
apply_rc approval_write_off_payload(const store_account *a, const char *reason, char *payload, size_t cap,
                                    char *msg, size_t msgcap);
/* A four-eyes step: decision_id must be an open decision with four_eyes set; *d gets it. */
apply_rc approval_step_payload(store *s, int64_t decision_id, store_decision *d, char *payload, size_t cap,
                               char *msg, size_t msgcap);
/* A credit limit for a client (minor units of currency, >= 0). */
apply_rc approval_credit_limit_payload(const char *client, const char *currency, int64_t limit,
                                       const char *reason, char *payload, size_t cap, char *msg,
                                       size_t msgcap);
/* A policy change: the policy file's name, version and path (checked by the caller). */
apply_rc approval_policy_change_payload(const char *policy_name, int version, const char *path,
                                        const char *reason, char *payload, size_t cap, char *msg,
                                        size_t msgcap);

/* Approves (approve = 1) or rejects request id as checker on `on` with a note, then applies an
 * approved request (see above). *out (may be NULL) gets the request as it ends. */
apply_rc approval_decide(store *s, int64_t id, int approve, const char *checker, civil_day on,
                         const char *note, store_approval *out, char *msg, size_t msgcap);

#endif

/* store_outbox.h: the outbox (store module "outbox"): table message, one row per (decision, channel),
 * holding the message rendered for it (engine/outbox.h renders them) or why it could not be.
 * Promises:
 * - (decision_id, channel) is unique: putting a row again is PUT_UNCHANGED, never a second row and
 *   never an overwrite; so rendering again is idempotent, and two renderers racing on PostgreSQL
 *   leave one row each.
 * - status: queued (ready to send), held (its decision awaits four-eyes approval), failed_render
 *   (error says why: a missing value, a missing template, no recipient; never an empty message),
 *   sent (set by the sending gateways of a later issue), cancelled (its four-eyes decision was
 *   rejected). error is "" unless failed_render (a CHECK).
 * - Writes happen inside the caller's transaction; reads stream in (day, id) order. */
#ifndef VIGIE_STORE_OUTBOX_H
#define VIGIE_STORE_OUTBOX_H
#include "store/store.h"

#define STORE_RECIPIENT_MAX  512
#define STORE_MSG_STATUS_MAX 16

typedef struct {
	int64_t id; /* set by the store */
	int64_t decision_id, account_id;
	civil_day day;   /* the decision's day */
	char channel[8]; /* sms | email | letter */
	char template_name[STORE_ID_MAX];
	char language[8];                    /* the template's language used; "" when nothing rendered */
	char recipient[STORE_RECIPIENT_MAX]; /* phone, email, or the client's name and branch (letters) */
	const char *subject;                 /* "" except emails; borrowed (valid during the callback) */
	const char *body;                    /* "" when the render failed; borrowed */
	const char *error;                   /* "" unless failed_render; borrowed */
	char sms_encoding[8];                /* "GSM-7", "UCS-2", "" for other channels */
	int32_t sms_units, sms_segments;
	char status[STORE_MSG_STATUS_MAX];
	civil_day created_on;              /* the as-of day of the render that stored it */
	char account_ext_id[STORE_ID_MAX]; /* filled on reads */
} store_message;

/* A decision to render, with its account and client (filled by store_outbox_pending). d.account_ext_id
 * and d.currency are filled; a.ext_id, kind, currency, principal, start_on, due_on, product, branch,
 * officer; c.ext_id, name, branch, phone, email, language. */
typedef struct {
	store_decision d;
	store_account a;
	store_client c;
} store_outbox_job;

/* Decisions with day <= as_of that need a message (action 'message', or another action naming a
 * template: a document sent as a letter) and have no message row yet (with retry_failed, also those
 * with a failed_render row), id > after_id, in id order: at most cap into buf, *n the count. One
 * bounded query: may run inside the transaction that then writes. */
store_rc store_outbox_pending(store *s, civil_day as_of, int retry_failed, int64_t after_id,
                              store_outbox_job *buf, int cap, int *n);

/* Inserts unless (decision_id, channel) is stored: *res PUT_INSERTED or PUT_UNCHANGED. */
store_rc store_message_put(store *s, const store_message *m, store_put *res);
/* Deletes the failed_render rows of a decision (before rendering it again); *n (may be NULL) rows. */
store_rc store_message_forget_failed(store *s, int64_t decision_id, int64_t *n);

/* Filter: 0 / NULL / DATE_NONE = any. */
typedef struct {
	int64_t id, decision_id;
	civil_day to; /* decision day <= to */
	const char *status, *channel;
} store_message_filter;
typedef int (*store_message_fn)(void *ctx, const store_message *m);
/* The messages held for a four-eyes decision: queued once it is approved, cancelled when rejected
 * (inside the approval's transaction). *n (may be NULL) gets how many. */
store_rc store_message_release(store *s, int64_t decision_id, int approved, int64_t *n);
store_rc store_messages_each(store *s, const store_message_filter *f, store_message_fn fn, void *ctx);

#endif

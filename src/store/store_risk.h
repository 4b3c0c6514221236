/* store_risk.h: what the risk side knows about clients beyond the ledger (store module "risk"):
 * groups of related clients, dated client facts (financials, ratings, legal proceedings, drops in
 * orders), credit limits (per client or per group, per currency, dated, effective only once
 * approved), commitments (approved amounts not yet disbursed), the history of behavioural scores,
 * the watch list, and the institution's risk settings. docs/risk.md.
 *
 * Promises:
 * - every write happens inside the caller's transaction (STORE_ERR outside one); every statement is
 *   parameterised (store_query.h), one text for both back-ends where they agree;
 * - facts, commitments and score rows are idempotent by their natural keys: the same row again is
 *   PUT_UNCHANGED, a different one under the same key STORE_CONFLICT (score rows: replaced, since a
 *   refresh of the same day with the same model recomputes them);
 * - a limit counts only once effective: approved through its four-eyes request
 *   (store_risk_limit_approve) or set by an admin import (status effective from the start);
 * - amounts are int64 minor units of the row's currency; dates are civil days; scores are stored as
 *   integer hundredths of a point and probabilities as integer parts per million (no float stored). */
#ifndef VIGIE_STORE_RISK_H
#define VIGIE_STORE_RISK_H
#include <stdint.h>
#include "store/store.h"

#define RISK_TEXT_MAX  512
#define RISK_GRADE_MAX 8

/* --- groups of related clients ----------------------------------------------------------------- */
/* Sets (or changes) the group of a client; group "" removes it. PUT_INSERTED/UPDATED/UNCHANGED. */
store_rc store_risk_group_set(store *s, const char *client_ext_id, const char *group, store_put *res);
/* The client's group ("" and STORE_NOT_FOUND when none). */
store_rc store_risk_group_of(store *s, const char *client_ext_id, char group[STORE_ID_MAX]);
/* Every (client, group), by client. */
typedef int (*store_risk_group_fn)(void *ctx, const char *client_ext_id, const char *group);
store_rc store_risk_groups_each(store *s, store_risk_group_fn fn, void *ctx);

/* --- client facts ------------------------------------------------------------------------------ */
typedef struct {
	int64_t id; /* set by the store */
	char client_ext_id[STORE_ID_MAX];
	civil_day fact_on;
	char kind[STORE_ID_MAX];  /* revenue, debts, equity, external_rating, legal_proceeding, orders_drop,
	                             ... */
	int64_t value;            /* minor units for amounts, else an integer (a rating rank, a percentage) */
	int has_value;            /* 0: no number (a text-only fact) */
	char text[RISK_TEXT_MAX]; /* free text ("" = none) */
	char source[STORE_ID_MAX]; /* who reported it: sales, bureau, court, ... ("" = none) */
} store_risk_fact;
/* Unique by (client, fact_on, kind, source). */
store_rc store_risk_fact_put(store *s, store_risk_fact *f, store_put *res);
/* Facts by (client, fact_on, id); filters NULL / DATE_NONE = any; from/to inclusive. */
typedef struct {
	const char *client_ext_id, *kind;
	civil_day from, to;
} store_risk_fact_filter;
typedef int (*store_risk_fact_fn)(void *ctx, const store_risk_fact *f);
store_rc store_risk_facts_each(store *s, const store_risk_fact_filter *flt, store_risk_fact_fn fn, void *ctx);

/* --- credit limits ----------------------------------------------------------------------------- */
typedef enum { RISK_SUBJECT_CLIENT = 0, RISK_SUBJECT_GROUP = 1, RISK_SUBJECT_ACCOUNT = 2 } store_risk_subject;
const char *store_risk_subject_name(store_risk_subject k); /* "client", "group", "account" */
int store_risk_subject_parse(const char *s);               /* -1 when unknown */

typedef struct {
	int64_t id;                      /* set by the store */
	store_risk_subject subject_kind; /* client or group */
	char subject[STORE_ID_MAX];
	char currency[4];
	int64_t amount; /* minor units, >= 0 */
	civil_day from_on;
	int64_t approval_id;          /* the four-eyes request (h-work's approval table); 0 = none */
	int effective;                /* 1 once approved, or set by an admin import */
	char set_by[STORE_ID_MAX];    /* maker */
	char document[RISK_TEXT_MAX]; /* credit committee minute, reference ("" = none) */
} store_risk_limit;
/* Inserts a limit (l->id set). A limit is never edited: a change is a new row with a later from_on. */
store_rc store_risk_limit_put(store *s, store_risk_limit *l);
/* Makes the limits of an approved request effective: PUT_UPDATED, PUT_UNCHANGED when they already
 * were, STORE_NOT_FOUND when no limit carries that approval id. */
store_rc store_risk_limit_approve(store *s, int64_t approval_id, store_put *res);
/* The limit in force on day d for (subject, currency): the effective row with the latest from_on <= d
 * (ties: the latest id). STORE_NOT_FOUND when none. */
store_rc store_risk_limit_in_force(store *s, store_risk_subject k, const char *subject, const char *currency,
                                   civil_day d, store_risk_limit *out);
/* Every limit (pending ones too), by (subject kind, subject, currency, from_on, id). */
typedef int (*store_risk_limit_fn)(void *ctx, const store_risk_limit *l);
store_rc store_risk_limits_each(store *s, store_risk_limit_fn fn, void *ctx);

/* --- commitments (approved, not yet disbursed) ------------------------------------------------- */
typedef struct {
	int64_t id;
	char ext_id[STORE_ID_MAX];
	char client_ext_id[STORE_ID_MAX];
	char currency[4];
	int64_t amount;        /* minor units, > 0 */
	civil_day approved_on; /* counts from that day */
	civil_day ends_on;     /* disbursed or cancelled: counts until the day before; DATE_NONE = open */
} store_risk_commitment;
/* Unique by ext_id: identical again PUT_UNCHANGED; the same with ends_on newly set PUT_UPDATED (the
 * commitment was disbursed or cancelled); anything else different STORE_CONFLICT. */
store_rc store_risk_commitment_put(store *s, store_risk_commitment *c, store_put *res);
/* Commitments open on day d (approved_on <= d < ends_on), of one client or all (NULL), by client. */
typedef int (*store_risk_commitment_fn)(void *ctx, const store_risk_commitment *c);
store_rc store_risk_commitments_open(store *s, const char *client_ext_id, civil_day d,
                                     store_risk_commitment_fn fn, void *ctx);

/* --- score history ----------------------------------------------------------------------------- */
typedef struct {
	char client_ext_id[STORE_ID_MAX];
	civil_day day;
	char model[STORE_ID_MAX]; /* the model's name (its file's base name) */
	int64_t score_x100;       /* score in hundredths of a point */
	char grade[RISK_GRADE_MAX];
	int64_t pd_ppm;              /* P(bad) in parts per million */
	char reasons[RISK_TEXT_MAX]; /* the variables that cost the most points, readable */
	char variables[2048];        /* every variable: "name=value:points;..." (points x100) */
} store_risk_score;
/* Inserts or replaces the row of (client, day, model). */
store_rc store_risk_score_put(store *s, const store_risk_score *r);
/* The latest row of the client strictly before day `before` (any model when model is NULL). */
store_rc store_risk_score_before(store *s, const char *client_ext_id, const char *model, civil_day before,
                                 store_risk_score *out);
/* Every client's latest row of `model` strictly before day `before`, by client ext id (byte order):
 * one query for all clients (the refresh's grade_down reads the previous scores with it). */
typedef int (*store_risk_score_fn)(void *ctx, const store_risk_score *r);
store_rc store_risk_scores_before(store *s, const char *model, civil_day before, store_risk_score_fn fn,
                                  void *ctx);
/* The grade of a client as of d: that of its latest score on or before d (ties: the latest model
 * name). STORE_NOT_FOUND (grade "") when it has none. */
store_rc store_risk_grade_of(store *s, const char *client_ext_id, civil_day d, char grade[RISK_GRADE_MAX]);
/* The same for every client that has a score on or before d, by client ext id: one query, one index
 * seek per client. For the daily run and the segments. */
typedef int (*store_risk_grade_fn)(void *ctx, const char *client_ext_id, const char *grade,
                                   civil_day scored_on);
store_rc store_risk_grades_as_of(store *s, civil_day d, store_risk_grade_fn fn, void *ctx);

/* --- watch list -------------------------------------------------------------------------------- */
typedef struct {
	int64_t id;
	store_risk_subject subject_kind; /* account or client */
	char subject[STORE_ID_MAX];
	char reason[RISK_TEXT_MAX];
	char added_by[STORE_ID_MAX];
	civil_day added_on;
	civil_day removed_on; /* DATE_NONE while watched */
	char removed_by[STORE_ID_MAX];
} store_risk_watch;
/* Adds (w->id set). STORE_CONFLICT when the subject is already on the list (not removed). */
store_rc store_risk_watch_add(store *s, store_risk_watch *w);
/* Removes the subject from the list on `on`. STORE_NOT_FOUND when it is not on it. */
store_rc store_risk_watch_remove(store *s, store_risk_subject k, const char *subject, civil_day on,
                                 const char *by);
/* Entries watched on day d (added_on <= d, not removed on or before d); DATE_NONE = every entry ever.
 * By (added_on, id). */
typedef int (*store_risk_watch_fn)(void *ctx, const store_risk_watch *w);
store_rc store_risk_watch_each(store *s, civil_day d, store_risk_watch_fn fn, void *ctx);

/* --- settings ---------------------------------------------------------------------------------- */
/* Known settings and their values: docs/risk.md ("Settings"). */
#define RISK_SETTING_MAX 128
store_rc store_risk_setting_set(store *s, const char *name, const char *value);
/* STORE_NOT_FOUND (value "") when not set. */
store_rc store_risk_setting_get(store *s, const char *name, char value[RISK_SETTING_MAX]);

/* Accounts of a client (ext ids, in ext id order): for recomputing one client's exposure. */
typedef int (*store_risk_account_fn)(void *ctx, const char *account_ext_id);
store_rc store_risk_client_accounts(store *s, const char *client_ext_id, store_risk_account_fn fn, void *ctx);
/* Members of a group (client ext ids, in order). */
store_rc store_risk_group_members(store *s, const char *group, store_risk_account_fn fn, void *ctx);

/* The daily run and grade changes. _touch_regraded: inside the refresh's transaction, every account
 * of a client whose score of `day` (model) changed its grade becomes due on `day` (or the day after
 * its last evaluation), as a new payment would. _next_scores: every client's first score dated after
 * `after` that changed its grade (from the client's previous score): the run's next evaluation day
 * must not pass a grade change already stored, as in a catch-up over days already scored; so a
 * catch-up and day-by-day runs with daily refreshes store the same decisions. */
store_rc store_risk_touch_regraded(store *s, const char *model, civil_day day);
/* 1 when any score is stored, 0 when none, -1 on a store error (the run skips the grades then). */
int store_risk_has_scores(store *s);
typedef int (*store_risk_next_fn)(void *ctx, const char *client_ext_id, civil_day day);
store_rc store_risk_next_scores(store *s, civil_day after, store_risk_next_fn fn, void *ctx);

#endif

/* store.h: Vigie's one store interface, with two back-ends: SQLite (embedded default, WAL) and
 * PostgreSQL (libpq). Chosen by the target given to store_open(): a "postgres://" or "postgresql://"
 * URL selects PostgreSQL, anything else is a SQLite file path.
 *
 * Promises:
 * - Every statement is parameterised; SQL texts live in one table per back-end.
 * - Writes happen only between store_begin() and store_commit(); store_rollback() undoes them all.
 *   A write outside a transaction fails with STORE_ERR.
 * - Schema migrations are versioned (table schema_version) and applied by store_init(), idempotently.
 * - Payments are unique by their external id: posting the same one twice is UNCHANGED, posting a
 *   different one under the same id is CONFLICT, never an overwrite.
 * - Scans stream: memory does not grow with the number of accounts.
 * - Errors: functions return store_rc; store_errmsg() tells the last error's text (never a password).
 *
 * Model: client 1-n account (a loan or an invoice) 1-n obligation (installments; an invoice has one),
 * account 1-n payment. Each account also keeps derived data, rebuilt in the writer's transaction by
 * store_ledger_rebuild(): a compact ledger blob (see core/ledger_blob.h) that reports read instead of
 * the normalised rows, and its PAR-bucket history (table bucket_history). */
#ifndef VIGIE_STORE_H
#define VIGIE_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "core/date.h"
#include "core/ledger.h"

typedef struct store store;

typedef enum {
	STORE_OK = 0,
	STORE_ERR,       /* database error: see store_errmsg() */
	STORE_NOT_FOUND,
	STORE_CONFLICT,  /* an existing row with the same external id and different content */
} store_rc;

typedef enum { PUT_INSERTED = 0, PUT_UPDATED, PUT_UNCHANGED } store_put;
typedef enum { STORE_LOAN = 0, STORE_INVOICE = 1 } store_kind;

#define STORE_ID_MAX 64 /* external ids, branch, officer, product: at most 63 bytes */
#define STORE_NAME_MAX 256

typedef struct {
	int64_t id; /* internal key, set by the store */
	char ext_id[STORE_ID_MAX];
	char name[STORE_NAME_MAX];
	char branch[STORE_ID_MAX];  /* "" = none */
	char officer[STORE_ID_MAX];
	char phone[STORE_ID_MAX];
	char email[STORE_NAME_MAX];
	char language[8];           /* "fr", "en", "" */
} store_client;

typedef struct {
	int64_t id;        /* internal key, set by the store */
	int64_t client_id; /* internal key of the client */
	store_kind kind;
	char ext_id[STORE_ID_MAX];
	char client_ext_id[STORE_ID_MAX]; /* filled on reads */
	char currency[4];
	int64_t principal;        /* loan principal, or invoice amount; minor units */
	civil_day start_on;       /* disbursed_on, or issued_on */
	civil_day due_on;         /* invoice due date; DATE_NONE for loans */
	civil_day written_off_on; /* DATE_NONE if not written off */
	char product[STORE_ID_MAX];
	char branch[STORE_ID_MAX];  /* the account's branch and officer (import default: the client's) */
	char officer[STORE_ID_MAX];
} store_account;

typedef struct {
	int64_t id;         /* internal key, set by the store */
	int64_t account_id; /* internal key */
	char ext_id[STORE_ID_MAX];
	civil_day paid_on;
	civil_day reversed_on; /* DATE_NONE unless reversed */
	int64_t amount;        /* minor units of the account's currency, > 0 */
	char reference[STORE_ID_MAX]; /* free text: bank or mobile-money reference, "" = none */
} store_payment;

/* Opening and schema */
store_rc store_open(const char *target, store **out, char *err, size_t errcap);
void store_close(store *s);
const char *store_errmsg(const store *s);
const char *store_backend(const store *s); /* "sqlite" or "postgres" */
store_rc store_init(store *s);             /* create or migrate the schema; idempotent */
int store_schema_version(store *s);        /* -1 when not initialised */

/* Transactions. For bulk imports, store_begin_bulk() may relax durability settings that are safe
 * for an all-or-nothing load (the commit is still atomic). */
store_rc store_begin(store *s);
store_rc store_begin_bulk(store *s);
store_rc store_commit(store *s);
store_rc store_rollback(store *s);

/* Clients: insert, or update the other fields of an existing ext_id (PUT_UPDATED / PUT_UNCHANGED). */
store_rc store_client_put(store *s, store_client *c, store_put *res);
store_rc store_client_get(store *s, const char *ext_id, store_client *out); /* STORE_NOT_FOUND */

/* Accounts: insert; an existing ext_id with the same content is PUT_UNCHANGED, with different
 * content STORE_CONFLICT. Fills a->id. An invoice and a loan may not share an ext_id.
 * (written_off_on is compared only when given: a write-off is a later event.) A new account is
 * marked dirty (it has no derived data yet). */
store_rc store_account_put(store *s, store_account *a, store_put *res);
store_rc store_account_get(store *s, const char *ext_id, store_account *out); /* STORE_NOT_FOUND */
store_rc store_account_write_off(store *s, int64_t account_id, civil_day on);

/* Obligations of an account, sorted by due_on. _set replaces nothing: an account that has
 * obligations gets PUT_UNCHANGED when they are identical and STORE_CONFLICT otherwise.
 * _set takes them sorted by due_on (STORE_ERR otherwise) and numbers them seq 1..n.
 * _get fills at most cap rows and sets *n to the real count (call again with more room if bigger). */
store_rc store_obligations_set(store *s, int64_t account_id, const obligation *ob, int n, store_put *res);
store_rc store_obligations_get(store *s, int64_t account_id, obligation *buf, int cap, int *n);

/* Payments. _put: PUT_INSERTED, PUT_UNCHANGED (same ext_id, same account, date and amount; the
 * reference is not compared), STORE_CONFLICT (same ext_id, anything of those different), never
 * an overwrite; a payment put with reversed_on set is stored reversed. _reverse marks a payment
 * reversed as of `on` (PUT_UPDATED; PUT_UNCHANGED if already reversed that day, STORE_CONFLICT if
 * reversed another day). _get lists an account's payments sorted by (paid_on, id), same cap/n
 * contract as above. */
store_rc store_payment_put(store *s, store_payment *p, store_put *res);
store_rc store_payment_get(store *s, const char *ext_id, store_payment *out);
store_rc store_payment_reverse(store *s, const char *ext_id, civil_day on, store_put *res);
store_rc store_payments_get(store *s, int64_t account_id, store_payment *buf, int cap, int *n);

/* Batches, for imports: the same as calling the one-row put on each of the n rows in order (ids
 * filled the same way), with row i's result in rc[i] (STORE_OK with res[i], or STORE_CONFLICT),
 * and much faster: SQLite inserts four rows per statement, PostgreSQL sends up to 1000 rows per
 * statement (one round trip) instead of one. Returns STORE_ERR if a row is invalid (nothing written
 * then, store_errmsg() names the row) or on a database error (the rows from there on get STORE_ERR
 * in rc[]; roll back), else STORE_OK. */
typedef struct {
	int64_t account_id;
	const obligation *ob; /* sorted by due_on */
	int n;
} store_obligation_set;
store_rc store_client_put_many(store *s, store_client *c, int n, store_rc *rc, store_put *res);
store_rc store_account_put_many(store *s, store_account *a, int n, store_rc *rc, store_put *res);
store_rc store_obligations_set_many(store *s, const store_obligation_set *sets, int n, store_rc *rc,
                                    store_put *res);
store_rc store_payment_put_many(store *s, store_payment *p, int n, store_rc *rc, store_put *res);

/* Derived data. Writing obligations, payments, a reversal or a write-off marks the account dirty;
 * store_ledger_rebuild() calls fn once per dirty account, in account id order, with the account,
 * its obligations and payments; fn fills *blob and *blob_len (bytes valid until fn's next call) and the
 * bucket intervals (*hist, *n_hist); the store saves both and clears the mark. fn returns 0, or
 * non-zero to stop (the store then returns STORE_ERR with fn's message). Runs in the caller's
 * transaction. *n_rebuilt (may be NULL) gets the count. */
typedef int (*store_ledger_fn)(void *ctx, const store_account *a, const obligation *ob, int n_ob,
                               const store_payment *pay, int n_pay, const uint8_t **blob,
                               size_t *blob_len, const ledger_bucket_interval **hist, int *n_hist);
store_rc store_ledger_rebuild(store *s, store_ledger_fn fn, void *ctx, int64_t *n_rebuilt);

/* Bucket history of one account, sorted by entered_on (same cap/n contract). */
store_rc store_bucket_history_get(store *s, int64_t account_id, ledger_bucket_interval *buf, int cap,
                                  int *n);

/* Streaming scan for reports: every account (optionally of one kind, one currency) with its ledger
 * blob, in ascending order of (client ext_id, account ext_id) when by_client is set, else of account
 * id. fn returns 0 to go on, non-zero to stop (then the scan returns STORE_ERR). Ext ids compare
 * bytewise on both back-ends. blob_len is 0 for an account never rebuilt (blob may then be NULL).
 * fn may call the store's one-row functions, but not start another scan or export, nor a
 * transaction. */
typedef struct {
	int kind;             /* -1 = all, else store_kind */
	const char *currency; /* NULL = all */
	int by_client;
	int shards, shard;    /* shards > 1: only the accounts with id % shards == shard, so that several
	                         connections can share one scan (0 = all accounts) */
} store_scan_filter;
typedef int (*store_scan_fn)(void *ctx, const store_account *a, const uint8_t *blob, size_t blob_len);
store_rc store_scan(store *s, const store_scan_filter *f, store_scan_fn fn, void *ctx);

/* Streaming export of the normalised rows, in id order, for `vigie export`. */
typedef int (*store_client_fn)(void *ctx, const store_client *c);
typedef int (*store_account_fn)(void *ctx, const store_account *a);
typedef int (*store_obligation_fn)(void *ctx, const store_account *a, int seq, const obligation *o);
typedef int (*store_payment_fn)(void *ctx, const store_account *a, const store_payment *p);
store_rc store_each_client(store *s, store_client_fn fn, void *ctx);
store_rc store_each_account(store *s, int kind, store_account_fn fn, void *ctx);
store_rc store_each_obligation(store *s, store_obligation_fn fn, void *ctx);
store_rc store_each_payment(store *s, store_payment_fn fn, void *ctx);

/* --- the daily run (schema versions 2 and 3) --------------------------------------------------------- *
 * Decisions are unique by dedupe_key: putting one again is PUT_UNCHANGED, never a second row (its
 * other fields are not compared: the first one stands). Written inside a transaction. */
#define STORE_DEDUPE_MAX 256
#define STORE_ACTION_MAX 32
typedef struct {
	int64_t id; /* set by the store on reads */
	char dedupe_key[STORE_DEDUPE_MAX];
	int64_t account_id;
	civil_day day;
	char segment[STORE_ID_MAX];      /* "" for a case closed */
	char step[STORE_ID_MAX];         /* "" for a case closed */
	char action[STORE_ACTION_MAX];   /* message, task, ..., case_closed */
	char channels[STORE_ACTION_MAX]; /* "sms,email": messages */
	char template_name[STORE_ID_MAX];
	char task_kind[STORE_ACTION_MAX];
	char assignee[STORE_ID_MAX]; /* the officer's name, "role:NAME" or "" */
	int four_eyes;
	char status[16];                   /* open | queued | done */
	civil_day created_by_run_day;      /* the run day that created it (later than day when caught up) */
	civil_day anchor;                  /* the event's date */
	int32_t dpd;                       /* collection days past due on the decision's day */
	int64_t late_amount;               /* late amount on that day, minor units */
	char account_ext_id[STORE_ID_MAX]; /* filled on reads */
	char currency[4];                  /* the account's, filled on reads */
} store_decision;

/* Inserts each decision unless its dedupe key is stored: res[i] PUT_INSERTED or PUT_UNCHANGED (a
 * key repeated in the call: its first row only can be PUT_INSERTED). By multi-row statements:
 * SQLite four rows per statement, PostgreSQL up to 1000 (arrays). */
store_rc store_decision_put_many(store *s, const store_decision *d, int n, store_put *res);

/* Per-account policy state: the last day evaluated and the next day on which the account must be
 * evaluated (DATE_NONE: none known). Upserts, by multi-row statements; the account ids of one call
 * must be distinct (STORE_ERR otherwise). One exception to the upsert: a stored next_eval_on later
 * than the new last_eval_on and earlier than the new next_eval_on stays (a payment event noted by
 * another connection after the caller read the account). From schema version 3 every account has one (see
 * store_policy_state_note_dirty) and next_eval_on alone says when it is due. */
typedef struct {
	int64_t account_id;
	civil_day next_eval_on, last_eval_on;
} store_policy_state;
store_rc store_policy_state_set_many(store *s, const store_policy_state *st, int n);

/* For every account marked dirty (see store_ledger_rebuild): creates its policy state when it has
 * none, due at once (next_eval_on = DATE_MIN, last_eval_on DATE_NONE), and pulls an existing
 * state's next_eval_on back to the first payment or reversal dated after its last_eval_on. Writers
 * call it in their transaction before the rebuild clears the marks (engine/ledger_sync.c does). Its
 * cost grows with the dirty accounts only. Needs schema version 3 (a no-op below). */
store_rc store_policy_state_note_dirty(store *s);

/* The daily run is split into STORE_RUN_PARTS partitions: account id / 1024 modulo STORE_RUN_PARTS
 * (blocks of 1024 consecutive ids, for locality). */
#define STORE_RUN_PARTS 64

/* Due accounts of partition `part` on `day`: at most `limit` accounts whose next_eval_on <= day,
 * ordered by (next_eval_on, id), each with its ledger blob (as store_scan) and last_eval_on
 * (DATE_NONE before its first evaluation). One index range; the caller moves each account's
 * next_eval_on past the day (policy state) before asking for the next page. *n gets the page's size.
 * A page is one bounded query, so it may run inside a transaction that then writes; fn may read
 * the store (the daily run reads each account's work facts) but must not write. */
typedef int (*store_due_fn)(void *ctx, const store_account *a, const uint8_t *blob, size_t blob_len,
                            civil_day last_eval_on);
store_rc store_due_accounts(store *s, civil_day day, int part, int limit, store_due_fn fn, void *ctx,
                            int *n);

/* Partitions of a day run (table run_partition), shared by workers. All in the caller's transaction.
 * _day_open: creates the day's partitions unless they exist (*created 1 when this call did); with
 *   replan set and created, also makes every account due on the day (a new policy).
 * _part_claim: leases a partition of the day not done for lease_s seconds to owner (*part);
 *   STORE_NOT_FOUND when none is free. PostgreSQL: free = never leased, lease expired, or the owner's
 *   connection is gone (FOR UPDATE SKIP LOCKED: concurrent claims never get the same one). SQLite
 *   (one writer): any partition not done.
 * _part_update: adds a batch's counts, renews the lease, sets done; STORE_NOT_FOUND when owner no
 *   longer holds the partition (the caller must roll back: another worker took it over).
 * _day_left: *total partitions of the day (0: not opened) and *left of them not done.
 * _day_finish: writes the day's run_log row (the sums of its partitions), finished. Idempotent. */
store_rc store_run_day_open(store *s, civil_day day, int replan, int *created);
store_rc store_run_part_claim(store *s, civil_day day, const char *owner, int lease_s, int *part);
store_rc store_run_part_update(store *s, civil_day day, int part, const char *owner, int lease_s,
                               int64_t accounts, int64_t decisions, int64_t unchanged, int done);
store_rc store_run_day_left(store *s, civil_day day, int *total, int *left);
store_rc store_run_day_finish(store *s, civil_day day, const char *policy_name, int32_t policy_version);

/* Run log: one row per day run. _put upserts: the counts are added to the row's (an interrupted day
 * sums its attempts) and finished, once set, stays set. _last: the finished run with the latest day
 * (STORE_NOT_FOUND when none). */
typedef struct {
	civil_day day;
	char policy_name[STORE_ID_MAX];
	int32_t policy_version;
	int64_t accounts_evaluated, decisions;
	int finished;
} store_run_log;
store_rc store_run_log_put(store *s, const store_run_log *r);
store_rc store_run_log_last(store *s, store_run_log *out);

/* Streams decisions through fn, filtered (0 / NULL / DATE_NONE = any), ordered by (day, id), or with
 * by_priority by (dpd desc, late_amount desc, day, id). Same rules as the other streams. */
typedef struct {
	int64_t account_id;
	const char *action, *status, *assignee;
	civil_day from, to;
	int by_priority;
} store_decision_filter;
typedef int (*store_decision_fn)(void *ctx, const store_decision *d);
store_rc store_decisions_each(store *s, const store_decision_filter *f, store_decision_fn fn, void *ctx);

#endif

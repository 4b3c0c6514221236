/* store_sql.h: every SQL text of the store, named by an enum, for both back-ends (store_sql.c).
 * Where SQLite and PostgreSQL agree, one text serves both; the texts use $1, $2, ... and each
 * parameter first appears in numeric order, so SQLite numbers them as PostgreSQL does (the SQLite
 * back-end checks this when it prepares a statement). Nothing is ever concatenated into SQL from data.
 *
 * Column lists shared by several readers are fixed here (see the *_COL_* enums) so that a reader and
 * its statements cannot drift apart. */
#ifndef VIGIE_STORE_SQL_H
#define VIGIE_STORE_SQL_H

typedef enum { SQL_SQLITE = 0, SQL_PG = 1 } store_dialect;

typedef enum {
	ST_BEGIN = 0,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_HAS_SCHEMA,
	ST_SCHEMA_VERSION,
	ST_SCHEMA_VERSION_ADD,
	ST_INIT_LOCK,       /* pg: serialises concurrent store_init() */
	ST_SETTINGS_OPEN,   /* connection settings, run once at open (several statements on SQLite) */
	ST_SETTINGS_NORMAL, /* sqlite: back from a bulk load */
	ST_SETTINGS_BULK,   /* inside (pg) or before (sqlite) a bulk transaction */

	ST_CLIENT_INSERT, /* sqlite: insert or nothing; then get + update */
	ST_CLIENT_UPDATE,
	ST_CLIENT_GET,
	ST_CLIENT_EXISTS,    /* sqlite: before a multi-row account insert */
	ST_CLIENT_PUT,       /* pg: the whole put in one statement */
	ST_CLIENT_PUT_BATCH, /* pg: a chunk of clients in one statement */

	ST_ACCOUNT_INSERT, /* sqlite */
	ST_ACCOUNT_INSERT4,
	ST_DIRTY_NEW4,
	ST_ACCOUNT_GET,
	ST_ACCOUNT_EXISTS,    /* sqlite bulk loads: the foreign-key check by hand */
	ST_ACCOUNT_PUT,       /* pg */
	ST_ACCOUNT_PUT_BATCH, /* pg: a chunk of accounts in one statement */
	ST_ACCOUNT_WRITE_OFF,
	ST_DIRTY_MARK,

	ST_OBLIGATION_INSERT, /* sqlite: rows of a set, one or four at a time */
	ST_OBLIGATION_INSERT4,
	ST_OBLIGATION_UNDO,
	ST_OBLIGATIONS_GET,
	ST_OBLIGATIONS_SET,       /* pg: all rows of an account in one statement */
	ST_OBLIGATIONS_SET_BATCH, /* pg: a chunk of sets in one statement */

	ST_PAYMENT_INSERT, /* sqlite */
	ST_PAYMENT_INSERT4,
	ST_PAYMENT_GET,
	ST_PAYMENT_PUT,       /* pg */
	ST_PAYMENT_PUT_BATCH, /* pg: a chunk of payments in one statement */
	ST_PAYMENT_SET_REVERSED,
	ST_PAYMENTS_GET,

	ST_HISTORY_GET,
	ST_HISTORY_DELETE,
	ST_HISTORY_INSERT,
	ST_LEDGER_SAVE,
	ST_DIRTY_CLEAR_ALL, /* sqlite: the rebuild saw every mark (single writer) */
	ST_RB_SAVE_BATCH,   /* pg: the rebuild's writes, by chunks of accounts */
	ST_RB_HISTORY_DELETE_BATCH,
	ST_RB_HISTORY_INSERT_BATCH,
	ST_RB_DIRTY_DONE_BATCH, /* clears a mark only if no one re-marked it since it was read */

	/* Streams: a query on SQLite, a cursor declaration on PostgreSQL (fetched with ST_FETCH_*). */
	ST_RB_ACCOUNTS,
	ST_RB_OBLIGATIONS,
	ST_RB_PAYMENTS,
	ST_SCAN_BY_ID,
	ST_SCAN_BY_CLIENT,
	ST_EACH_CLIENT,
	ST_EACH_ACCOUNT,
	ST_EACH_OBLIGATION,
	ST_EACH_PAYMENT,

	/* pg cursors: "main" for scans and exports, three for the rebuild */
	ST_FETCH_MAIN,
	ST_CLOSE_MAIN,
	ST_FETCH_RB_A,
	ST_CLOSE_RB_A,
	ST_FETCH_RB_O,
	ST_CLOSE_RB_O,
	ST_FETCH_RB_P,
	ST_CLOSE_RB_P,

	/* Schema version 2: the daily run (decisions, per-account policy state, run log) */
	ST_DECISION_INSERT,     /* ON CONFLICT (dedupe_key) DO NOTHING */
	ST_POLICY_STATE_SET,    /* upsert */
	ST_DUE_ACCOUNTS,        /* a page of due accounts (bounded: LIMIT), with ledger and last_eval_on */
	ST_RUN_LOG_LAST,        /* the last finished run */
	ST_RUN_LOG_PUT,         /* upsert; adds the counts */
	ST_DECISIONS_EACH,      /* stream: by day, id (cursor on PostgreSQL) */
	ST_DECISIONS_EACH_PRIO, /* stream: by dpd desc, late amount desc, day, id */

	/* Schema version 3: the daily run by partitions (due = next_eval_on <= day, through an index) */
	ST_DECISION_INSERT4,       /* sqlite: four decisions, RETURNING the inserted keys */
	ST_DECISION_PUT_BATCH,     /* pg: a chunk of decisions (arrays), returns the inserted positions */
	ST_POLICY_STATE_SET8,      /* sqlite: eight upserts in one statement */
	ST_POLICY_STATE_SET_BATCH, /* pg: a chunk of upserts (arrays) */
	ST_POLICY_STATE_NEW_DIRTY, /* a state, due at once, for each dirty account without one */
	ST_POLICY_STATE_PULL_DIRTY, /* next_eval_on pulled back to a dirty account's new payment events */
	ST_RUN_DAY_OPEN,           /* the day's partitions, if not there yet */
	ST_RUN_DAY_REPLAN,         /* a new policy: every account due on the day */
	ST_RUN_PART_CLAIM,         /* lease a partition of a day (RETURNING part) */
	ST_RUN_PART_UPDATE,        /* add a batch's counts, renew the lease, maybe done; only for its owner */
	ST_RUN_DAY_LEFT,           /* partitions of a day, and those not done */
	ST_RUN_DAY_FINISH,         /* run_log row of a finished day (sums of its partitions) */
	ST_N
} store_stmt;

/* The text of a statement in a dialect, or NULL when that back-end does not use it. */
const char *store_sql(store_stmt id, store_dialect d);

/* Rows per FETCH of a PostgreSQL cursor (the FETCH texts say the same number). */
#define STORE_PG_FETCH_ROWS 10000

/* Migrations: version v (1-based) is the list store_migration(v, d) of statements, NULL-terminated.
 * store_init() applies, in one transaction, every version above the recorded one. */
int store_migration_count(void);
const char *const *store_migration(int version, store_dialect d);
extern const char *const STORE_SQL_SCHEMA_VERSION_TABLE[2];

/* Column order of the account readers: ST_ACCOUNT_GET, the scans (+ ledger), the exports and the
 * rebuild (+ gen). */
enum {
	ACOL_ID = 0,
	ACOL_CLIENT_ID,
	ACOL_KIND,
	ACOL_EXT_ID,
	ACOL_CLIENT_EXT_ID,
	ACOL_CURRENCY,
	ACOL_PRINCIPAL,
	ACOL_START_ON,
	ACOL_DUE_ON,
	ACOL_WRITTEN_OFF_ON,
	ACOL_PRODUCT,
	ACOL_BRANCH,
	ACOL_OFFICER,
	ACOL_N, /* the next column: the ledger in scans, gen (then "was rebuilt") in ST_RB_ACCOUNTS, seq in
	         * ST_EACH_OBLIGATION */
};
/* Payment readers (ST_PAYMENT_GET, ST_PAYMENTS_GET, ST_RB_PAYMENTS; after ACOL_N in ST_EACH_PAYMENT). */
enum {
	PCOL_ID = 0,
	PCOL_ACCOUNT_ID,
	PCOL_EXT_ID,
	PCOL_PAID_ON,
	PCOL_REVERSED_ON,
	PCOL_AMOUNT,
	PCOL_REFERENCE,
	PCOL_N
};
/* Client readers (ST_CLIENT_GET, ST_EACH_CLIENT). */
enum {
	CCOL_ID = 0,
	CCOL_EXT_ID,
	CCOL_NAME,
	CCOL_BRANCH,
	CCOL_OFFICER,
	CCOL_PHONE,
	CCOL_EMAIL,
	CCOL_LANGUAGE,
	CCOL_N
};
/* Decision readers (ST_DECISIONS_EACH*): the decision's columns, then the account's ext_id and
 * currency. */
enum {
	DCOL_ID = 0,
	DCOL_DEDUPE_KEY,
	DCOL_ACCOUNT_ID,
	DCOL_DAY,
	DCOL_SEGMENT,
	DCOL_STEP,
	DCOL_ACTION,
	DCOL_CHANNELS,
	DCOL_TEMPLATE,
	DCOL_TASK_KIND,
	DCOL_ASSIGNEE,
	DCOL_FOUR_EYES,
	DCOL_STATUS,
	DCOL_CREATED_BY_RUN_DAY,
	DCOL_ANCHOR,
	DCOL_DPD,
	DCOL_LATE_AMOUNT,
	DCOL_ACCOUNT_EXT_ID,
	DCOL_CURRENCY,
	DCOL_N
};
/* Run log reader (ST_RUN_LOG_LAST). */
enum {
	RCOL_DAY = 0,
	RCOL_POLICY_NAME,
	RCOL_POLICY_VERSION,
	RCOL_ACCOUNTS,
	RCOL_DECISIONS,
	RCOL_FINISHED,
	RCOL_N
};
/* Obligation readers: due_on then the four components (ST_OBLIGATIONS_GET; after the account id in
 * ST_RB_OBLIGATIONS, after ACOL_N + seq in ST_EACH_OBLIGATION). */
enum { OCOL_DUE_ON = 0, OCOL_PRINCIPAL, OCOL_INTEREST, OCOL_FEES, OCOL_PENALTIES, OCOL_N };

#endif

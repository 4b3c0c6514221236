/* test_store_people.c: store modules "people" (users) and "audit" (the hash-chained, append-only log)
 * on both back-ends: a fresh SQLite file, then a fresh PostgreSQL database ($VIGIE_PG_BASE). The
 * tampering cases edit the table through a direct connection (sqlite3 / libpq), after dropping the
 * triggers, as someone with the database's credentials could. */
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "store/store_audit.h"
#include "store/store_people.h"
#include "store/store_query.h"
#include "t.h"

#define STORE_FIXTURE_PREFIX "vigie_test_people"
#include "store_fixture.h"

static store_user mk_user(const char *name, access_role role, const char *branch)
{
	store_user u;
	memset(&u, 0, sizeof u);
	snprintf(u.name, sizeof u.name, "%s", name);
	snprintf(u.display, sizeof u.display, "%s Diop", name);
	u.role = role;
	snprintf(u.branch, sizeof u.branch, "%s", branch);
	snprintf(u.phone, sizeof u.phone, "+221770000001");
	snprintf(u.email, sizeof u.email, "%s@example.sn", name);
	snprintf(u.language, sizeof u.language, "fr");
	u.active = 1;
	return u;
}

static int collect(void *ctx, const store_user *u)
{
	char *names = ctx;
	strcat(names, u->name);
	strcat(names, ",");
	return 0;
}

static void test_people(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	int64_t n = -1;
	T_EQ_INT(store_user_count(s, &n), STORE_OK, "count");
	T_EQ_INT(n, 0, "no user yet");
	store_user u = mk_user("awa", ROLE_AGENT, "Dakar"), got;
	store_put res = PUT_UNCHANGED;
	T_EQ_INT(store_user_put(s, &u, "$argon2id$fake1", &res), STORE_ERR, "a write outside a transaction");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_user_put(s, &u, "$argon2id$fake1", &res), STORE_OK, "insert");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	store_user adm = mk_user("Awa", ROLE_ADMIN, ""); /* another user: names are exact */
	T_EQ_INT(store_user_put(s, &adm, NULL, &res), STORE_OK, "insert without a password");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	store_user bad = mk_user("", ROLE_AGENT, "");
	T_EQ_INT(store_user_put(s, &bad, NULL, &res), STORE_ERR, "an empty name is refused");
	bad = mk_user("zed", ROLE_N, "");
	T_EQ_INT(store_user_put(s, &bad, NULL, &res), STORE_ERR, "an unknown role is refused");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	T_EQ_INT(store_user_get(s, "awa", &got), STORE_OK, "get");
	T_EQ_STR(got.name, "awa", "name");
	T_EQ_STR(got.display, "awa Diop", "display");
	T_EQ_INT(got.role, ROLE_AGENT, "role");
	T_EQ_STR(got.branch, "Dakar", "branch");
	T_EQ_STR(got.phone, "+221770000001", "phone");
	T_EQ_STR(got.email, "awa@example.sn", "email");
	T_EQ_STR(got.language, "fr", "language");
	T_EQ_INT(got.active, 1, "active");
	T_OK(got.id > 0, "an id");
	T_EQ_INT(store_user_get(s, "AWA", &got), STORE_NOT_FOUND, "unknown");
	T_EQ_INT(store_user_get(s, "Awa", &got), STORE_OK, "the other one");
	T_EQ_INT(got.role, ROLE_ADMIN, "its role");

	char h[STORE_HASH_MAX];
	T_EQ_INT(store_user_password_hash(s, "awa", h, sizeof h), STORE_OK, "hash");
	T_EQ_STR(h, "$argon2id$fake1", "as given");
	T_EQ_INT(store_user_password_hash(s, "Awa", h, sizeof h), STORE_OK, "no hash");
	T_EQ_STR(h, "", "empty");
	T_EQ_INT(store_user_password_hash(s, "nobody", h, sizeof h), STORE_NOT_FOUND, "unknown user");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_user_put(s, &u, NULL, &res), STORE_OK, "same again");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	u.role = ROLE_SUPERVISOR;
	u.active = 0;
	snprintf(u.language, sizeof u.language, "en");
	T_EQ_INT(store_user_put(s, &u, NULL, &res), STORE_OK, "change");
	T_EQ_INT(res, PUT_UPDATED, "updated");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_user_get(s, "awa", &got), STORE_OK, "get");
	T_EQ_INT(got.role, ROLE_SUPERVISOR, "new role");
	T_EQ_INT(got.active, 0, "disabled");
	T_EQ_STR(got.language, "en", "new language");
	T_EQ_INT(store_user_password_hash(s, "awa", h, sizeof h), STORE_OK, "hash");
	T_EQ_STR(h, "$argon2id$fake1", "kept by an update without one");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_user_put(s, &u, "$argon2id$fake2", &res), STORE_OK, "new password");
	T_EQ_INT(res, PUT_UPDATED, "a new hash is an update");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_user_password_hash(s, "awa", h, sizeof h), STORE_OK, "hash");
	T_EQ_STR(h, "$argon2id$fake2", "replaced");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_user b = mk_user("bineta", ROLE_AUDITOR, "");
	T_EQ_INT(store_user_put(s, &b, NULL, &res), STORE_OK, "third");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");
	T_EQ_INT(store_user_count(s, &n), STORE_OK, "count");
	T_EQ_INT(n, 2, "the rolled back user is not there");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_user_put(s, &b, NULL, &res), STORE_OK, "third");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	char names[256] = "";
	T_EQ_INT(store_users_each(s, collect, names), STORE_OK, "each");
	T_EQ_STR(names, "Awa,awa,bineta,", "by name, byte order");

	/* assignment of an account to an officer */
	store_client c;
	memset(&c, 0, sizeof c);
	snprintf(c.ext_id, sizeof c.ext_id, "C1");
	snprintf(c.name, sizeof c.name, "Client");
	store_account a;
	memset(&a, 0, sizeof a);
	snprintf(a.ext_id, sizeof a.ext_id, "L1");
	snprintf(a.currency, sizeof a.currency, "XOF");
	snprintf(a.branch, sizeof a.branch, "Dakar");
	snprintf(a.officer, sizeof a.officer, "moussa");
	a.principal = 100000;
	a.start_on = 19000;
	a.due_on = DATE_NONE;
	a.written_off_on = DATE_NONE;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "client");
	a.client_id = c.id;
	T_EQ_INT(store_account_put(s, &a, &res), STORE_OK, "account");
	T_EQ_INT(store_account_assign(s, a.id, "awa"), STORE_OK, "assign");
	T_EQ_INT(store_account_assign(s, a.id + 1000, "awa"), STORE_NOT_FOUND, "no such account");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_account_assign(s, a.id, "awa"), STORE_ERR, "assign outside a transaction");
	store_account back;
	T_EQ_INT(store_account_get(s, "L1", &back), STORE_OK, "get account");
	T_EQ_STR(back.officer, "awa", "reassigned");
	done(&fx, s);
}

/* --- audit ------------------------------------------------------------------------------------ */

/* The documented encoding, written again independently of store_audit.c. */
static void ref_hash(const char *prev, int64_t seq, const char *day, const char *actor, const char *action,
                     const char *object, const char *details, char out[65])
{
	const char *f[7];
	char num[24];
	snprintf(num, sizeof num, "%lld", (long long)seq);
	f[0] = prev, f[1] = num, f[2] = day, f[3] = actor, f[4] = action, f[5] = object, f[6] = details;
	static char buf[8192];
	size_t n = 0;
	for (int i = 0; i < 7; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%zu:%s,", strlen(f[i]), f[i]);
	unsigned char h[32];
	crypto_hash_sha256(h, (const unsigned char *)buf, n);
	sodium_bin2hex(out, 65, h, sizeof h);
}

static const char ZERO[] = "0000000000000000000000000000000000000000000000000000000000000000";

static store_rc append(store *s, civil_day day, const char *actor, const char *action, const char *object,
                       const char *details, store_audit_entry *e)
{
	memset(e, 0, sizeof *e);
	e->day = day;
	snprintf(e->actor, sizeof e->actor, "%s", actor);
	snprintf(e->action, sizeof e->action, "%s", action);
	snprintf(e->object, sizeof e->object, "%s", object);
	snprintf(e->details, sizeof e->details, "%s", details);
	return store_audit_append(s, e);
}

typedef struct {
	char seqs[256];
} seen;

static int collect_seq(void *ctx, const store_audit_entry *e)
{
	seen *v = ctx;
	size_t l = strlen(v->seqs);
	snprintf(v->seqs + l, sizeof v->seqs - l, "%lld,", (long long)e->seq);
	return 0;
}

/* 2024-05-20 is day 19863 */
#define D0 19863

/* A store with four entries: seq 1..4. */
static store *four(fixture *fx, int pg)
{
	store *s = fresh_init(fx, pg);
	if (!s) return NULL;
	store_audit_entry e;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(append(s, D0, "admin", "user.add", "user:admin", "{\"role\":\"admin\"}", &e), STORE_OK, "1");
	T_EQ_INT(append(s, D0, "admin", "user.add", "user:awa", "{\"role\":\"agent\"}", &e), STORE_OK, "2");
	T_EQ_INT(append(s, D0 + 1, "awa", "task.outcome", "account:L1", "{\"outcome\":\"reached\"}", &e),
	         STORE_OK, "3");
	T_EQ_INT(append(s, D0 + 1, "system", "run.day", "run:2024-05-21", "{}", &e), STORE_OK, "4");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	return s;
}

/* Runs SQL through a connection of its own, not the store's. */
static void direct(const fixture *fx, const char *sql)
{
	if (fx->pg) {
		PGconn *c = PQconnectdb(fx->target);
		T_OK(PQstatus(c) == CONNECTION_OK, "direct connection: %s", PQerrorMessage(c));
		PGresult *r = PQexec(c, sql);
		T_OK(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db = NULL;
		T_OK(sqlite3_open(fx->target, &db) == SQLITE_OK, "direct open");
		char *err = NULL;
		T_OK(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err ? err : "");
		sqlite3_free(err);
		sqlite3_close(db);
	}
}

static const char *drop_triggers(int pg)
{
	return pg ? "DROP TRIGGER audit_log_no_change ON audit_log"
	          : "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete";
}

static void expect_bad(store *s, int64_t want_bad, int64_t want_n, const char *what)
{
	int64_t n = -1, bad = -1;
	T_EQ_INT(store_audit_verify(s, &n, &bad), STORE_OK, "verify runs");
	T_OK(bad == want_bad, "%s: bad seq %lld, want %lld", what, (long long)bad, (long long)want_bad);
	T_OK(n == want_n, "%s: %lld entries read, want %lld", what, (long long)n, (long long)want_n);
}

static void test_audit(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_audit_entry e1, e2, e;
	int64_t n = -1, bad = -1;
	T_EQ_INT(store_audit_verify(s, &n, &bad), STORE_OK, "verify an empty log");
	T_EQ_INT(n, 0, "no entry");
	T_EQ_INT(bad, 0, "intact");
	T_EQ_INT(append(s, D0, "admin", "user.add", "user:awa", "{}", &e), STORE_ERR,
	         "outside a transaction");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(append(s, D0, "admin", "user.add", "user:admin", "{\"role\":\"admin\"}", &e1), STORE_OK,
	         "append 1");
	T_EQ_INT(e1.seq, 1, "seq 1");
	T_EQ_STR(e1.prev_hash, ZERO, "the first prev_hash is 64 zeros");
	char want[65];
	ref_hash(ZERO, 1, "2024-05-20", "admin", "user.add", "user:admin", "{\"role\":\"admin\"}", want);
	T_EQ_STR(e1.hash, want, "the documented encoding");
	/* an unambiguous encoding: moving a byte between two fields changes the hash */
	char other[65];
	ref_hash(ZERO, 1, "2024-05-20", "admi", "nuser.add", "user:admin", "{\"role\":\"admin\"}", other);
	T_OK(strcmp(want, other) != 0, "field boundaries count");
	T_EQ_INT(append(s, D0 + 2, "Awa", "task.outcome", "account:L'1", "{\"note\":\"é \\\" ,:\"}", &e2),
	         STORE_OK, "append 2");
	T_EQ_INT(e2.seq, 2, "seq 2");
	T_EQ_STR(e2.prev_hash, e1.hash, "chained");
	ref_hash(e1.hash, 2, "2024-05-22", "Awa", "task.outcome", "account:L'1", "{\"note\":\"é \\\" ,:\"}",
	         want);
	T_EQ_STR(e2.hash, want, "second hash");
	T_EQ_INT(append(s, DATE_NONE, "admin", "x", "y", "{}", &e), STORE_ERR, "a day is required");
	T_EQ_INT(append(s, D0, "", "x", "y", "{}", &e), STORE_ERR, "an actor is required");
	/* those were refused before any SQL: the transaction is still good */
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_audit_verify(s, &n, &bad), STORE_OK, "verify");
	T_EQ_INT(n, 2, "two entries");
	T_EQ_INT(bad, 0, "intact");
	done(&fx, s);
}

static void test_audit_log(int pg)
{
	fixture fx;
	store *s = four(&fx, pg);
	if (!s) return;
	store_audit_entry e;
	int64_t n = -1, bad = -1;
	T_EQ_INT(store_audit_verify(s, &n, &bad), STORE_OK, "verify");
	T_EQ_INT(n, 4, "four entries");
	T_EQ_INT(bad, 0, "intact");

	/* a rolled back append leaves no gap */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(append(s, D0 + 2, "awa", "x", "y", "{}", &e), STORE_OK, "append");
	T_EQ_INT(e.seq, 5, "seq 5");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(append(s, D0 + 2, "awa", "promise.add", "account:L1", "{}", &e), STORE_OK, "append");
	T_EQ_INT(e.seq, 5, "seq 5 again");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	seen v = {""};
	T_EQ_INT(store_audit_each(s, NULL, NULL, collect_seq, &v), STORE_OK, "each");
	T_EQ_STR(v.seqs, "1,2,3,4,5,", "all in order");
	memset(&v, 0, sizeof v);
	T_EQ_INT(store_audit_each(s, "account:L1", NULL, collect_seq, &v), STORE_OK, "each of an object");
	T_EQ_STR(v.seqs, "3,5,", "by object");
	memset(&v, 0, sizeof v);
	T_EQ_INT(store_audit_each(s, NULL, "admin", collect_seq, &v), STORE_OK, "each of an actor");
	T_EQ_STR(v.seqs, "1,2,", "by actor");
	memset(&v, 0, sizeof v);
	T_EQ_INT(store_audit_each(s, "account:L1", "awa", collect_seq, &v), STORE_OK, "both");
	T_EQ_STR(v.seqs, "3,5,", "by object and actor");
	memset(&v, 0, sizeof v);
	T_EQ_INT(store_audit_each(s, "account:L1", "admin", collect_seq, &v), STORE_OK, "none");
	T_EQ_STR(v.seqs, "", "nothing");

	/* the store refuses UPDATE and DELETE */
	static const store_sql2 UPD = {"UPDATE audit_log SET details = '{}' WHERE seq = 2", NULL};
	static const store_sql2 DEL = {"DELETE FROM audit_log WHERE seq = 5", NULL};
	static const store_sql2 TRUNC = {"DELETE FROM audit_log", "TRUNCATE audit_log"};
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_q_exec_tx(s, &UPD, NULL, ""), STORE_ERR, "UPDATE refused");
	T_OK(strstr(store_errmsg(s), "append-only") != NULL, "says why: %s", store_errmsg(s));
	store_rollback(s);
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_q_exec_tx(s, &DEL, NULL, ""), STORE_ERR, "DELETE refused");
	T_OK(strstr(store_errmsg(s), "append-only") != NULL, "says why: %s", store_errmsg(s));
	store_rollback(s);
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_q_exec_tx(s, &TRUNC, NULL, ""), STORE_ERR, "emptying refused");
	store_rollback(s);
	T_EQ_INT(store_audit_verify(s, &n, &bad), STORE_OK, "verify");
	T_EQ_INT(n, 5, "five entries");
	T_EQ_INT(bad, 0, "still intact");
	done(&fx, s);
}

static void test_tamper(int pg)
{
	char sql[1024], h[65];
	fixture fx;
	store *s;

	/* an edited field */
	if ((s = four(&fx, pg))) {
		direct(&fx, drop_triggers(pg));
		direct(&fx, "UPDATE audit_log SET details = '{\"role\":\"admin\"}' WHERE seq = 2");
		expect_bad(s, 2, 2, "edited details");
		done(&fx, s);
	}
	/* an edited day */
	if ((s = four(&fx, pg))) {
		direct(&fx, drop_triggers(pg));
		direct(&fx, "UPDATE audit_log SET day = day - 1 WHERE seq = 3");
		expect_bad(s, 3, 3, "edited day");
		done(&fx, s);
	}
	/* an edit whose own hash is recomputed: the next entry's prev_hash no longer matches */
	if ((s = four(&fx, pg))) {
		direct(&fx, drop_triggers(pg));
		/* entry 1's hash, from the reference encoding */
		char h1[65];
		ref_hash(ZERO, 1, "2024-05-20", "admin", "user.add", "user:admin", "{\"role\":\"admin\"}",
		         h1);
		ref_hash(h1, 2, "2024-05-20", "admin", "user.add", "user:awa", "{\"role\":\"admin\"}", h);
		snprintf(sql, sizeof sql,
		         "UPDATE audit_log SET details = '{\"role\":\"admin\"}', hash = '%s' WHERE seq = 2",
		         h);
		direct(&fx, sql);
		expect_bad(s, 3, 3, "edited and rehashed");
		done(&fx, s);
	}
	/* a deleted entry in the middle */
	if ((s = four(&fx, pg))) {
		direct(&fx, drop_triggers(pg));
		direct(&fx, "DELETE FROM audit_log WHERE seq = 2");
		expect_bad(s, 3, 2, "deleted entry");
		done(&fx, s);
	}
	/* two entries swapped (seq exchanged) */
	if ((s = four(&fx, pg))) {
		direct(&fx, drop_triggers(pg));
		direct(&fx, "UPDATE audit_log SET seq = -seq WHERE seq IN (2, 3)");
		direct(&fx, "UPDATE audit_log SET seq = 5 + seq WHERE seq < 0");
		expect_bad(s, 2, 2, "reordered");
		done(&fx, s);
	}
	/* the last entry deleted: the chain alone cannot tell (docs/security.md: keep the last hash) */
	if ((s = four(&fx, pg))) {
		direct(&fx, drop_triggers(pg));
		direct(&fx, "DELETE FROM audit_log WHERE seq = 4");
		expect_bad(s, 0, 3, "truncated tail");
		done(&fx, s);
	}
}

/* PostgreSQL: a second writer waits for the first one's commit (advisory lock) instead of reading
 * the same last entry and failing on seq, or forking the chain. */
typedef struct {
	const char *target;
	int64_t seq;
	store_rc rc;
} writer;

static void *second_writer(void *p)
{
	writer *w = p;
	store *s = NULL;
	char err[256];
	w->rc = STORE_ERR;
	if (store_open(w->target, &s, err, sizeof err) != STORE_OK) return NULL;
	store_audit_entry e;
	if (store_begin(s) == STORE_OK && append(s, D0, "w2", "x", "y", "{}", &e) == STORE_OK &&
	    store_commit(s) == STORE_OK) {
		w->rc = STORE_OK;
		w->seq = e.seq;
	}
	store_close(s);
	return NULL;
}

static void test_concurrent(void)
{
	fixture fx;
	store *s = four(&fx, 1);
	if (!s) return;
	store_audit_entry e;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(append(s, D0, "w1", "x", "y", "{}", &e), STORE_OK, "first writer appends");
	writer w = {fx.target, 0, STORE_ERR};
	pthread_t t;
	T_EQ_INT(pthread_create(&t, NULL, second_writer, &w), 0, "thread");
	usleep(300 * 1000); /* the second writer is now waiting on the lock */
	T_EQ_INT(store_commit(s), STORE_OK, "first writer commits");
	pthread_join(t, NULL);
	T_EQ_INT(w.rc, STORE_OK, "the second writer succeeded");
	T_EQ_INT(e.seq, 5, "first got 5");
	T_EQ_INT(w.seq, 6, "second got 6");
	expect_bad(s, 0, 6, "two writers");
	done(&fx, s);
}

static void run_all(int pg)
{
	test_people(pg);
	test_audit(pg);
	test_audit_log(pg);
	test_tamper(pg);
	if (pg) test_concurrent();
}

int main(void)
{
	if (sodium_init() < 0) return 1;
	return store_fixture_main("test_store_people", run_all);
}

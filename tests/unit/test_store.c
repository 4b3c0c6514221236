/* test_store.c: the store's contract (store.h), checked on both back-ends with the same test
 * functions: each runs on a fresh SQLite file in a temporary directory, then on a fresh PostgreSQL
 * database created on the server named by $VIGIE_PG_BASE (scripts/pg-test-server.sh start prints it).
 * Without VIGIE_PG_BASE the PostgreSQL half fails, loudly: it is not optional. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/store.h"
#include "t.h"

/* --- fixtures -------------------------------------------------------------------------------- */

#define STORE_FIXTURE_PREFIX "vigie_test_store"
#include "store_fixture.h"

static store_client mk_client(const char *ext, const char *name)
{
	store_client c;
	memset(&c, 0, sizeof c);
	snprintf(c.ext_id, sizeof c.ext_id, "%s", ext);
	snprintf(c.name, sizeof c.name, "%s", name);
	snprintf(c.branch, sizeof c.branch, "DKR");
	snprintf(c.officer, sizeof c.officer, "off1");
	snprintf(c.phone, sizeof c.phone, "+221770000000");
	snprintf(c.email, sizeof c.email, "%s@example.org", ext);
	snprintf(c.language, sizeof c.language, "fr");
	return c;
}

static store_account mk_account(const char *ext, int64_t client_id, store_kind kind, const char *cur,
                                int64_t principal, civil_day start)
{
	store_account a;
	memset(&a, 0, sizeof a);
	a.client_id = client_id;
	a.kind = kind;
	snprintf(a.ext_id, sizeof a.ext_id, "%s", ext);
	snprintf(a.currency, sizeof a.currency, "%s", cur);
	a.principal = principal;
	a.start_on = start;
	a.due_on = kind == STORE_INVOICE ? start + 30 : DATE_NONE;
	a.written_off_on = DATE_NONE;
	snprintf(a.product, sizeof a.product, "%s", kind == STORE_INVOICE ? "invoice" : "group");
	snprintf(a.branch, sizeof a.branch, "DKR");
	snprintf(a.officer, sizeof a.officer, "off1");
	return a;
}

static store_payment mk_payment(const char *ext, int64_t account_id, civil_day on, int64_t amount)
{
	store_payment p;
	memset(&p, 0, sizeof p);
	snprintf(p.ext_id, sizeof p.ext_id, "%s", ext);
	p.account_id = account_id;
	p.paid_on = on;
	p.reversed_on = DATE_NONE;
	p.amount = amount;
	snprintf(p.reference, sizeof p.reference, "ref-%s", ext);
	return p;
}

static obligation mk_ob(civil_day due, int64_t principal, int64_t interest, int64_t fees, int64_t penalties)
{
	obligation o;
	memset(&o, 0, sizeof o);
	o.due_on = due;
	o.amount[COMP_PRINCIPAL] = principal;
	o.amount[COMP_INTEREST] = interest;
	o.amount[COMP_FEE] = fees;
	o.amount[COMP_PENALTY] = penalties;
	return o;
}

/* One client and one loan, committed; returns the loan's id. */
static int64_t setup_loan(store *s, const char *client, const char *loan)
{
	store_put res;
	store_client c = mk_client(client, "Client");
	store_account a;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "setup client");
	a = mk_account(loan, c.id, STORE_LOAN, "XOF", 100000, 19000);
	T_EQ_INT(store_account_put(s, &a, &res), STORE_OK, "setup loan");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	return a.id;
}

/* --- opening, schema, transactions ----------------------------------------------------------- */

static void test_init(int pg)
{
	fixture fx;
	store *s = fresh(&fx, pg);
	if (!s) return;
	T_EQ_STR(store_backend(s), pg ? "postgres" : "sqlite", "backend name");
	T_EQ_INT(store_schema_version(s), -1, "version before init");
	T_EQ_INT(store_init(s), STORE_OK, "init");
	T_EQ_INT(store_schema_version(s), 3, "version after init");
	T_EQ_INT(store_init(s), STORE_OK, "init twice");
	T_EQ_INT(store_schema_version(s), 3, "version after second init");
	/* a second handle on the same database sees the schema and can init again */
	store *s2 = NULL;
	char err[256];
	T_EQ_INT(store_open(fx.target, &s2, err, sizeof err), STORE_OK, "second open");
	if (s2) {
		T_EQ_INT(store_schema_version(s2), 3, "version seen by a second handle");
		T_EQ_INT(store_init(s2), STORE_OK, "init from a second handle");
		store_close(s2);
	}
	done(&fx, s);
}

static void test_tx_rules(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_client c = mk_client("C1", "Awa");
	store_put res;
	T_EQ_INT(store_client_put(s, &c, &res), STORE_ERR, "write outside a transaction");
	T_OK(strstr(store_errmsg(s), "transaction") != NULL, "message says why: %s", store_errmsg(s));
	T_EQ_INT(store_commit(s), STORE_ERR, "commit without begin");
	T_EQ_INT(store_rollback(s), STORE_ERR, "rollback without begin");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_begin(s), STORE_ERR, "begin twice");
	T_EQ_INT(store_init(s), STORE_ERR, "init inside a transaction");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "write inside");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_client got;
	T_EQ_INT(store_client_get(s, "C1", &got), STORE_OK, "committed client");

	/* bulk transactions commit the same way */
	T_EQ_INT(store_begin_bulk(s), STORE_OK, "begin bulk");
	store_client c2 = mk_client("C2", "Binta");
	T_EQ_INT(store_client_put(s, &c2, &res), STORE_OK, "bulk write");
	T_EQ_INT(store_commit(s), STORE_OK, "bulk commit");
	T_EQ_INT(store_client_get(s, "C2", &got), STORE_OK, "bulk-committed client");
	T_EQ_INT(store_begin_bulk(s), STORE_OK, "begin bulk again");
	store_client c3 = mk_client("C3", "Coumba");
	T_EQ_INT(store_client_put(s, &c3, &res), STORE_OK, "bulk write 2");
	T_EQ_INT(store_rollback(s), STORE_OK, "bulk rollback");
	T_EQ_INT(store_client_get(s, "C3", &got), STORE_NOT_FOUND, "bulk rollback undid the write");

	/* a database error inside a transaction: roll back, and the store works again */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_payment p = mk_payment("P-orphan", 999999, 19000, 100);
	T_EQ_INT(store_payment_put(s, &p, &res), STORE_ERR, "payment of a missing account");
	T_OK(store_errmsg(s)[0] != '\0', "error message set");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback after an error");
	T_EQ_INT(store_begin(s), STORE_OK, "begin after the error");
	store_client c4 = mk_client("C4", "Dieynaba");
	T_EQ_INT(store_client_put(s, &c4, &res), STORE_OK, "write after the error");
	T_EQ_INT(store_commit(s), STORE_OK, "commit after the error");

	/* invalid input is refused before it reaches the database, and does not spoil the transaction */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_client bad = mk_client("", "Nobody");
	T_EQ_INT(store_client_put(s, &bad, &res), STORE_ERR, "empty ext id");
	store_payment zero = mk_payment("P0", 1, 19000, 0);
	T_EQ_INT(store_payment_put(s, &zero, &res), STORE_ERR, "zero amount");
	store_client c5 = mk_client("C5", "Fatou");
	T_EQ_INT(store_client_put(s, &c5, &res), STORE_OK, "write after refused input");
	T_EQ_INT(store_commit(s), STORE_OK, "commit after refused input");
	done(&fx, s);
}

static void test_open_errors(void)
{
	store *s = (store *)1;
	char err[512] = "";
	T_EQ_INT(store_open("/nonexistent-dir/sub/x.db", &s, err, sizeof err), STORE_ERR,
	         "sqlite in a missing dir");
	T_OK(s == NULL, "no handle on failure");
	T_OK(err[0] != '\0', "sqlite open error has a message");
	err[0] = '\0';
	T_EQ_INT(store_open("postgresql://vigie:s3cr3t-pw@127.0.0.1:1/nodb?password=s3cr3t-pw", &s, err,
	                    sizeof err),
	         STORE_ERR, "postgres unreachable");
	T_OK(err[0] != '\0', "postgres open error has a message");
	T_OK(strstr(err, "s3cr3t") == NULL, "the password is never shown: %s", err);
	T_OK(strstr(err, "127.0.0.1") != NULL, "the message names the server: %s", err);
}

/* --- clients, accounts ----------------------------------------------------------------------- */

static void test_clients(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_put res = PUT_UPDATED;
	store_client c = mk_client("C1", "Awa Ndiaye"), got;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "insert");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	T_OK(c.id > 0, "id set");
	int64_t id = c.id;
	store_client same = mk_client("C1", "Awa Ndiaye");
	T_EQ_INT(store_client_put(s, &same, &res), STORE_OK, "same again");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	T_EQ_INT(same.id, id, "unchanged keeps the id");
	store_client moved = mk_client("C1", "Awa Ndiaye");
	snprintf(moved.phone, sizeof moved.phone, "+221771111111");
	snprintf(moved.language, sizeof moved.language, "en");
	T_EQ_INT(store_client_put(s, &moved, &res), STORE_OK, "changed");
	T_EQ_INT(res, PUT_UPDATED, "updated");
	T_EQ_INT(moved.id, id, "updated keeps the id");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_client_get(s, "C1", &got), STORE_OK, "get");
	T_EQ_INT(got.id, id, "get id");
	T_EQ_STR(got.ext_id, "C1", "get ext_id");
	T_EQ_STR(got.name, "Awa Ndiaye", "get name");
	T_EQ_STR(got.phone, "+221771111111", "get updated phone");
	T_EQ_STR(got.language, "en", "get updated language");
	T_EQ_STR(got.email, "C1@example.org", "get email");
	T_EQ_STR(got.branch, "DKR", "get branch");
	T_EQ_INT(store_client_get(s, "nobody", &got), STORE_NOT_FOUND, "missing client");

	/* UTF-8 and quotes travel untouched (parameters, never SQL text) */
	store_client odd = mk_client("C'2;--", "Ndèye \"Fatou\" Sène'); DROP TABLE client; --");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &odd, &res), STORE_OK, "odd insert");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_client_get(s, "C'2;--", &got), STORE_OK, "odd get");
	T_EQ_STR(got.name, "Ndèye \"Fatou\" Sène'); DROP TABLE client; --", "odd name");
	done(&fx, s);
}

static void test_accounts(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_put res;
	store_client c = mk_client("C1", "Awa");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "client");
	store_account a = mk_account("L1", c.id, STORE_LOAN, "XOF", 500000, 19000);
	T_EQ_INT(store_account_put(s, &a, &res), STORE_OK, "insert loan");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	T_OK(a.id > 0, "id set");
	store_account again = mk_account("L1", c.id, STORE_LOAN, "XOF", 500000, 19000);
	T_EQ_INT(store_account_put(s, &again, &res), STORE_OK, "same loan");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	T_EQ_INT(again.id, a.id, "unchanged fills the id");
	store_account other = mk_account("L1", c.id, STORE_LOAN, "XOF", 600000, 19000);
	T_EQ_INT(store_account_put(s, &other, &res), STORE_CONFLICT, "different principal");
	T_OK(strstr(store_errmsg(s), "L1") != NULL, "conflict message names the account: %s",
	     store_errmsg(s));
	store_account inv = mk_account("L1", c.id, STORE_INVOICE, "XOF", 500000, 19000);
	T_EQ_INT(store_account_put(s, &inv, &res), STORE_CONFLICT, "an invoice may not reuse a loan's id");
	store_account i1 = mk_account("I1", c.id, STORE_INVOICE, "EUR", 120000, 19010);
	T_EQ_INT(store_account_put(s, &i1, &res), STORE_OK, "insert invoice (after conflicts, same tx)");
	T_EQ_INT(res, PUT_INSERTED, "invoice inserted");
	T_EQ_INT(store_account_write_off(s, a.id, 19500), STORE_OK, "write off");
	T_EQ_INT(store_account_write_off(s, 999999, 19500), STORE_NOT_FOUND, "write off a missing account");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	store_account got;
	T_EQ_INT(store_account_get(s, "L1", &got), STORE_OK, "get");
	T_EQ_INT(got.id, a.id, "id");
	T_EQ_INT(got.client_id, c.id, "client id");
	T_EQ_STR(got.client_ext_id, "C1", "client ext id filled");
	T_EQ_INT(got.kind, STORE_LOAN, "kind");
	T_EQ_STR(got.currency, "XOF", "currency");
	T_EQ_INT(got.principal, 500000, "principal");
	T_EQ_INT(got.start_on, 19000, "start");
	T_EQ_INT(got.due_on, DATE_NONE, "no due date for a loan");
	T_EQ_INT(got.written_off_on, 19500, "written off");
	T_EQ_STR(got.product, "group", "product");
	T_EQ_INT(store_account_get(s, "I1", &got), STORE_OK, "get invoice");
	T_EQ_INT(got.due_on, 19040, "invoice due date");
	T_EQ_INT(got.written_off_on, DATE_NONE, "not written off");
	T_EQ_INT(store_account_get(s, "nothing", &got), STORE_NOT_FOUND, "missing account");

	/* re-import after a write-off: the import has no write-off date, still the same account */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_account re = mk_account("L1", c.id, STORE_LOAN, "XOF", 500000, 19000);
	T_EQ_INT(store_account_put(s, &re, &res), STORE_OK, "re-import without the write-off");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	re.written_off_on = 19600;
	T_EQ_INT(store_account_put(s, &re, &res), STORE_CONFLICT, "re-import with another write-off date");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	done(&fx, s);
}

/* --- obligations, payments ------------------------------------------------------------------- */

static void test_obligations(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	int64_t id = setup_loan(s, "C1", "L1");
	int64_t id2 = setup_loan(s, "C2", "L2");
	obligation ob[3] = {mk_ob(19030, 1000, 100, 10, 0), mk_ob(19060, 1000, 90, 10, 0),
	                    mk_ob(19090, 1000, 80, 10, 5)};
	store_put res;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_obligations_set(s, id2, ob, 0, &res), STORE_OK, "no obligations on an empty account");
	T_EQ_INT(res, PUT_UNCHANGED, "nothing to do");
	T_EQ_INT(store_obligations_set(s, id, ob, 3, &res), STORE_OK, "set");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	T_EQ_INT(store_obligations_set(s, id, ob, 3, &res), STORE_OK, "same again");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	obligation changed[3] = {ob[0], ob[1], ob[2]};
	changed[1].amount[COMP_INTEREST] = 91;
	T_EQ_INT(store_obligations_set(s, id, changed, 3, &res), STORE_CONFLICT, "one amount differs");
	T_EQ_INT(store_obligations_set(s, id, ob, 2, &res), STORE_CONFLICT, "fewer rows");
	obligation more[4] = {ob[0], ob[1], ob[2], mk_ob(19120, 1, 0, 0, 0)};
	T_EQ_INT(store_obligations_set(s, id, more, 4, &res), STORE_CONFLICT, "more rows");
	T_EQ_INT(store_obligations_set(s, id, ob, 0, &res), STORE_CONFLICT, "none, where there are some");
	obligation unsorted[2] = {ob[1], ob[0]};
	T_EQ_INT(store_obligations_set(s, id2, unsorted, 2, &res), STORE_ERR, "unsorted refused");
	obligation same_day[2] = {mk_ob(19030, 5, 0, 0, 0), mk_ob(19030, 6, 0, 0, 0)};
	T_EQ_INT(store_obligations_set(s, id2, same_day, 2, &res), STORE_OK, "two on the same day");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	obligation buf[3];
	int n = -1;
	T_EQ_INT(store_obligations_get(s, id, buf, 3, &n), STORE_OK, "get");
	T_EQ_INT(n, 3, "count");
	for (int i = 0; i < 3; i++) {
		T_EQ_INT(buf[i].due_on, ob[i].due_on, "due_on");
		for (int k = 0; k < COMP_N; k++)
			T_EQ_INT(buf[i].amount[k], ob[i].amount[k], "component");
	}
	memset(buf, 0, sizeof buf);
	T_EQ_INT(store_obligations_get(s, id, buf, 2, &n), STORE_OK, "get with a small buffer");
	T_EQ_INT(n, 3, "real count beyond cap");
	T_EQ_INT(buf[1].due_on, 19060, "the rows that fit");
	T_EQ_INT(store_obligations_get(s, id, NULL, 0, &n), STORE_OK, "count only");
	T_EQ_INT(n, 3, "count only");
	T_EQ_INT(store_obligations_get(s, id2, buf, 3, &n), STORE_OK, "same-day rows");
	T_EQ_INT(n, 2, "same-day count");
	T_EQ_INT(buf[0].amount[COMP_PRINCIPAL], 5, "same-day rows keep their order");
	T_EQ_INT(buf[1].amount[COMP_PRINCIPAL], 6, "same-day rows keep their order (2)");
	T_EQ_INT(store_obligations_get(s, 999999, buf, 3, &n), STORE_OK, "missing account");
	T_EQ_INT(n, 0, "no rows");
	done(&fx, s);
}

static void test_payments(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	int64_t id = setup_loan(s, "C1", "L1");
	int64_t id2 = setup_loan(s, "C2", "L2");
	store_put res;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_payment p3 = mk_payment("P3", id, 19100, 3000);
	store_payment p1 = mk_payment("P1", id, 19050, 1000);
	store_payment p2 = mk_payment("P2", id, 19050, 2000);
	T_EQ_INT(store_payment_put(s, &p3, &res), STORE_OK, "put P3");
	T_EQ_INT(res, PUT_INSERTED, "P3 inserted");
	T_EQ_INT(store_payment_put(s, &p1, &res), STORE_OK, "put P1");
	T_EQ_INT(store_payment_put(s, &p2, &res), STORE_OK, "put P2");
	T_OK(p1.id > 0 && p2.id > p1.id, "ids set and increasing");
	store_payment again = mk_payment("P1", id, 19050, 1000);
	snprintf(again.reference, sizeof again.reference, "another reference");
	T_EQ_INT(store_payment_put(s, &again, &res), STORE_OK, "idempotent repost");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	T_EQ_INT(again.id, p1.id, "unchanged fills the id");
	store_payment amount = mk_payment("P1", id, 19050, 1001);
	T_EQ_INT(store_payment_put(s, &amount, &res), STORE_CONFLICT, "different amount");
	store_payment day = mk_payment("P1", id, 19051, 1000);
	T_EQ_INT(store_payment_put(s, &day, &res), STORE_CONFLICT, "different day");
	store_payment acct = mk_payment("P1", id2, 19050, 1000);
	T_EQ_INT(store_payment_put(s, &acct, &res), STORE_CONFLICT, "different account");
	store_payment q1 = mk_payment("Q1", id2, 19070, 700);
	T_EQ_INT(store_payment_put(s, &q1, &res), STORE_OK, "put after conflicts (same tx)");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	store_payment got;
	T_EQ_INT(store_payment_get(s, "P3", &got), STORE_OK, "get");
	T_EQ_INT(got.id, p3.id, "id");
	T_EQ_INT(got.account_id, id, "account");
	T_EQ_INT(got.paid_on, 19100, "paid_on");
	T_EQ_INT(got.reversed_on, DATE_NONE, "not reversed");
	T_EQ_INT(got.amount, 3000, "amount");
	T_EQ_STR(got.reference, "ref-P3", "reference");
	T_EQ_INT(store_payment_get(s, "nope", &got), STORE_NOT_FOUND, "missing payment");

	store_payment list[4];
	int n = 0;
	T_EQ_INT(store_payments_get(s, id, list, 4, &n), STORE_OK, "list");
	T_EQ_INT(n, 3, "count");
	T_EQ_STR(list[0].ext_id, "P1", "order by (paid_on, id): 1");
	T_EQ_STR(list[1].ext_id, "P2", "order by (paid_on, id): 2");
	T_EQ_STR(list[2].ext_id, "P3", "order by (paid_on, id): 3");
	T_EQ_INT(store_payments_get(s, id, list, 1, &n), STORE_OK, "list with a small buffer");
	T_EQ_INT(n, 3, "real count");
	T_EQ_STR(list[0].ext_id, "P1", "first row");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_payment_reverse(s, "P2", 19200, &res), STORE_OK, "reverse");
	T_EQ_INT(res, PUT_UPDATED, "reversed");
	T_EQ_INT(store_payment_reverse(s, "P2", 19200, &res), STORE_OK, "reverse again, same day");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	T_EQ_INT(store_payment_reverse(s, "P2", 19201, &res), STORE_CONFLICT, "reverse on another day");
	T_EQ_INT(store_payment_reverse(s, "nope", 19200, &res), STORE_NOT_FOUND, "reverse a missing payment");
	store_payment p2again = mk_payment("P2", id, 19050, 2000);
	T_EQ_INT(store_payment_put(s, &p2again, &res), STORE_OK, "repost a reversed payment");
	T_EQ_INT(res, PUT_UNCHANGED, "still the same payment");
	store_payment rev = mk_payment("P4", id, 19110, 400);
	rev.reversed_on = 19120;
	T_EQ_INT(store_payment_put(s, &rev, &res), STORE_OK, "import an already reversed payment");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_payment_get(s, "P2", &got), STORE_OK, "get reversed");
	T_EQ_INT(got.reversed_on, 19200, "reversed_on");
	T_EQ_INT(store_payment_get(s, "P4", &got), STORE_OK, "get imported reversal");
	T_EQ_INT(got.reversed_on, 19120, "imported reversed_on");
	done(&fx, s);
}

static void test_rollback(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	int64_t kept = setup_loan(s, "C0", "L0");
	store_put res;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_client c = mk_client("C1", "Awa");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "client");
	store_account a = mk_account("L1", c.id, STORE_LOAN, "XOF", 1000, 19000);
	T_EQ_INT(store_account_put(s, &a, &res), STORE_OK, "account");
	obligation ob[1] = {mk_ob(19030, 1000, 0, 0, 0)};
	T_EQ_INT(store_obligations_set(s, a.id, ob, 1, &res), STORE_OK, "obligations");
	T_EQ_INT(store_obligations_set(s, kept, ob, 1, &res), STORE_OK, "obligations of a kept account");
	store_payment p = mk_payment("P1", a.id, 19020, 500);
	T_EQ_INT(store_payment_put(s, &p, &res), STORE_OK, "payment");
	store_payment pk = mk_payment("PK", kept, 19020, 500);
	T_EQ_INT(store_payment_put(s, &pk, &res), STORE_OK, "payment of a kept account");
	T_EQ_INT(store_account_write_off(s, kept, 19400), STORE_OK, "write-off of a kept account");
	store_client c0 = mk_client("C0", "Changed");
	T_EQ_INT(store_client_put(s, &c0, &res), STORE_OK, "client update");
	T_EQ_INT(res, PUT_UPDATED, "updated");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");

	store_client gc;
	store_account ga;
	store_payment gp;
	obligation gb[2];
	int n = -1;
	T_EQ_INT(store_client_get(s, "C1", &gc), STORE_NOT_FOUND, "client undone");
	T_EQ_INT(store_client_get(s, "C0", &gc), STORE_OK, "old client kept");
	T_EQ_STR(gc.name, "Client", "client update undone");
	T_EQ_INT(store_account_get(s, "L1", &ga), STORE_NOT_FOUND, "account undone");
	T_EQ_INT(store_account_get(s, "L0", &ga), STORE_OK, "old account kept");
	T_EQ_INT(ga.written_off_on, DATE_NONE, "write-off undone");
	T_EQ_INT(store_payment_get(s, "P1", &gp), STORE_NOT_FOUND, "payment undone");
	T_EQ_INT(store_payment_get(s, "PK", &gp), STORE_NOT_FOUND, "payment of the kept account undone");
	T_EQ_INT(store_obligations_get(s, kept, gb, 2, &n), STORE_OK, "obligations of the kept account");
	T_EQ_INT(n, 0, "obligations undone");
	T_EQ_INT(store_schema_version(s), 3, "schema untouched");

	/* the same rows go in again as new */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_client c1 = mk_client("C1", "Awa");
	T_EQ_INT(store_client_put(s, &c1, &res), STORE_OK, "client again");
	T_EQ_INT(res, PUT_INSERTED, "inserted again");
	store_account a1 = mk_account("L1", c1.id, STORE_LOAN, "XOF", 1000, 19000);
	T_EQ_INT(store_account_put(s, &a1, &res), STORE_OK, "account again");
	T_EQ_INT(res, PUT_INSERTED, "inserted again");
	store_payment p1 = mk_payment("P1", a1.id, 19020, 500);
	T_EQ_INT(store_payment_put(s, &p1, &res), STORE_OK, "payment again");
	T_EQ_INT(res, PUT_INSERTED, "inserted again");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	done(&fx, s);
}

/* --- ledger rebuild -------------------------------------------------------------------------- */

#define RB_MAX 64
typedef struct {
	int n;
	int64_t ids[RB_MAX];
	int n_ob[RB_MAX], n_pay[RB_MAX];
	int64_t paid[RB_MAX]; /* sum of payments not reversed */
	int bad_rows;         /* rows of another account, or out of order */
	int stop_at;          /* return non-zero on this visit (1-based), 0 = never */
	char blob[256];
	ledger_bucket_interval hist[2];
} rb_rec;

static int rb_fn(void *ctx, const store_account *a, const obligation *ob, int n_ob, const store_payment *pay,
                 int n_pay, const uint8_t **blob, size_t *blob_len, const ledger_bucket_interval **hist,
                 int *n_hist)
{
	rb_rec *r = ctx;
	if (r->stop_at && r->n + 1 == r->stop_at) return 7;
	int i = r->n < RB_MAX ? r->n : RB_MAX - 1;
	r->ids[i] = a->id;
	r->n_ob[i] = n_ob;
	r->n_pay[i] = n_pay;
	r->paid[i] = 0;
	for (int k = 0; k < n_ob; k++)
		if (k && ob[k].due_on < ob[k - 1].due_on) r->bad_rows++;
	for (int k = 0; k < n_pay; k++) {
		if (pay[k].account_id != a->id) r->bad_rows++;
		if (k && (pay[k].paid_on < pay[k - 1].paid_on ||
		          (pay[k].paid_on == pay[k - 1].paid_on && pay[k].id < pay[k - 1].id)))
			r->bad_rows++;
		if (pay[k].reversed_on == DATE_NONE) r->paid[i] += pay[k].amount;
	}
	r->n++;
	snprintf(r->blob, sizeof r->blob, "%s|%d|%d|%lld|%s", a->ext_id, n_ob, n_pay, (long long)r->paid[i],
	         a->client_ext_id);
	*blob = (const uint8_t *)r->blob;
	*blob_len = strlen(r->blob);
	r->hist[0] = (ledger_bucket_interval){PAR_CURRENT, a->start_on, a->start_on + 31};
	r->hist[1] = (ledger_bucket_interval){PAR_31_60, a->start_on + 31,
	                                      a->written_off_on != DATE_NONE ? a->written_off_on : DATE_NONE};
	*hist = r->hist;
	*n_hist = n_pay > 0 ? 2 : 1;
	return 0;
}

/* Collects blobs by account id through store_scan. */
typedef struct {
	int n;
	int64_t ids[RB_MAX];
	char blobs[RB_MAX][256];
} blob_rec;

static int blob_fn(void *ctx, const store_account *a, const uint8_t *blob, size_t len)
{
	blob_rec *b = ctx;
	if (b->n < RB_MAX) {
		b->ids[b->n] = a->id;
		snprintf(b->blobs[b->n], sizeof b->blobs[b->n], "%.*s", blob ? (int)len : 0,
		         blob ? (const char *)blob : "");
	}
	b->n++;
	return 0;
}

static const char *blob_of(const blob_rec *b, int64_t id)
{
	for (int i = 0; i < b->n && i < RB_MAX; i++)
		if (b->ids[i] == id) return b->blobs[i];
	return "(none)";
}

static int rebuild(store *s, rb_rec *r)
{
	int64_t n = -1;
	memset(r, 0, sizeof *r);
	T_EQ_INT(store_begin(s), STORE_OK, "begin rebuild");
	T_EQ_INT(store_ledger_rebuild(s, rb_fn, r, &n), STORE_OK, "rebuild");
	T_EQ_INT(store_commit(s), STORE_OK, "commit rebuild");
	T_EQ_INT(n, r->n, "n_rebuilt = visits");
	T_EQ_INT(r->bad_rows, 0, "rows of the right account, in order");
	return (int)n;
}

static void test_rebuild(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_put res;
	store_client c = mk_client("C1", "Awa");
	int64_t ids[5];
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &c, &res), STORE_OK, "client");
	for (int i = 0; i < 5; i++) {
		char ext[16];
		snprintf(ext, sizeof ext, "L%d", i + 1);
		store_account a = mk_account(ext, c.id, STORE_LOAN, "XOF", 10000, 19000 + i);
		T_EQ_INT(store_account_put(s, &a, &res), STORE_OK, "account");
		ids[i] = a.id;
	}
	/* L1: 2 obligations, 3 payments (inserted out of date order); L3: 1 obligation; others bare */
	obligation ob[2] = {mk_ob(19030, 5000, 100, 0, 0), mk_ob(19060, 5000, 50, 0, 0)};
	T_EQ_INT(store_obligations_set(s, ids[0], ob, 2, &res), STORE_OK, "obligations L1");
	T_EQ_INT(store_obligations_set(s, ids[2], ob, 1, &res), STORE_OK, "obligations L3");
	store_payment p[3] = {mk_payment("P1", ids[0], 19040, 300), mk_payment("P2", ids[0], 19020, 200),
	                      mk_payment("P3", ids[0], 19040, 100)};
	for (int i = 0; i < 3; i++)
		T_EQ_INT(store_payment_put(s, &p[i], &res), STORE_OK, "payment");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	/* every new account is dirty: all five, in id order, with their rows */
	rb_rec r;
	T_EQ_INT(rebuild(s, &r), 5, "first rebuild visits every new account");
	for (int i = 0; i < 5; i++)
		T_EQ_INT(r.ids[i], ids[i], "id order");
	T_EQ_INT(r.n_ob[0], 2, "L1 obligations");
	T_EQ_INT(r.n_pay[0], 3, "L1 payments");
	T_EQ_INT(r.paid[0], 600, "L1 paid");
	T_EQ_INT(r.n_ob[1], 0, "L2 obligations");
	T_EQ_INT(r.n_pay[1], 0, "L2 payments");
	T_EQ_INT(r.n_ob[2], 1, "L3 obligations");

	blob_rec b = {0};
	T_EQ_INT(store_scan(s, NULL, blob_fn, &b), STORE_OK, "scan");
	T_EQ_STR(blob_of(&b, ids[0]), "L1|2|3|600|C1", "L1 blob stored");
	T_EQ_STR(blob_of(&b, ids[1]), "L2|0|0|0|C1", "L2 blob stored");
	ledger_bucket_interval h[3];
	int n = -1;
	T_EQ_INT(store_bucket_history_get(s, ids[0], h, 3, &n), STORE_OK, "history");
	T_EQ_INT(n, 2, "L1 history rows");
	T_EQ_INT(h[0].bucket, PAR_CURRENT, "first bucket");
	T_EQ_INT(h[0].entered_on, 19000, "entered");
	T_EQ_INT(h[0].left_on, 19031, "left");
	T_EQ_INT(h[1].bucket, PAR_31_60, "second bucket");
	T_EQ_INT(h[1].left_on, DATE_NONE, "open interval");
	T_EQ_INT(store_bucket_history_get(s, ids[1], h, 1, &n), STORE_OK, "history L2");
	T_EQ_INT(n, 1, "L2 history rows");

	/* nothing dirty: nothing visited */
	T_EQ_INT(rebuild(s, &r), 0, "clean: nothing to rebuild");

	/* a payment, a reversal, a write-off, obligations: exactly those accounts, in id order */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_payment p4 = mk_payment("P4", ids[3], 19050, 50);
	T_EQ_INT(store_payment_put(s, &p4, &res), STORE_OK, "payment L4");
	T_EQ_INT(store_payment_reverse(s, "P1", 19100, &res), STORE_OK, "reverse P1 (L1)");
	T_EQ_INT(store_account_write_off(s, ids[4], 19300), STORE_OK, "write off L5");
	T_EQ_INT(store_obligations_set(s, ids[1], ob, 2, &res), STORE_OK, "obligations L2");
	store_payment p1again = mk_payment("P3", ids[0], 19040, 100);
	T_EQ_INT(store_payment_put(s, &p1again, &res), STORE_OK, "unchanged repost");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(rebuild(s, &r), 4, "four dirty accounts");
	T_EQ_INT(r.ids[0], ids[0], "L1 (reversal)");
	T_EQ_INT(r.ids[1], ids[1], "L2 (obligations)");
	T_EQ_INT(r.ids[2], ids[3], "L4 (payment)");
	T_EQ_INT(r.ids[3], ids[4], "L5 (write-off)");
	T_EQ_INT(r.paid[0], 300, "L1 paid without the reversed payment");
	T_EQ_INT(r.n_pay[0], 3, "reversed payments are still listed");
	memset(&b, 0, sizeof b);
	T_EQ_INT(store_scan(s, NULL, blob_fn, &b), STORE_OK, "scan");
	T_EQ_STR(blob_of(&b, ids[0]), "L1|2|3|300|C1", "L1 blob replaced");
	T_EQ_INT(store_bucket_history_get(s, ids[4], h, 3, &n), STORE_OK, "history L5");
	T_EQ_INT(n, 1, "L5 history replaced, not appended");
	T_EQ_INT(store_bucket_history_get(s, ids[3], h, 3, &n), STORE_OK, "history L4");
	T_EQ_INT(n, 2, "L4 history replaced");

	/* an unchanged repost marks nothing */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_payment_put(s, &p1again, &res), STORE_OK, "unchanged repost");
	T_EQ_INT(store_obligations_set(s, ids[0], ob, 2, &res), STORE_OK, "unchanged obligations");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(rebuild(s, &r), 0, "unchanged writes mark nothing");

	/* marks survive a rolled-back rebuild, and a stopped one */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_payment p5 = mk_payment("P5", ids[1], 19070, 10);
	store_payment p6 = mk_payment("P6", ids[2], 19070, 10);
	T_EQ_INT(store_payment_put(s, &p5, &res), STORE_OK, "payment L2");
	T_EQ_INT(store_payment_put(s, &p6, &res), STORE_OK, "payment L3");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	memset(&r, 0, sizeof r);
	int64_t nr = -1;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_ledger_rebuild(s, rb_fn, &r, &nr), STORE_OK, "rebuild to be rolled back");
	T_EQ_INT(nr, 2, "two");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");
	memset(&r, 0, sizeof r);
	r.stop_at = 2;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_ledger_rebuild(s, rb_fn, &r, &nr), STORE_ERR, "the function stops the rebuild");
	T_OK(strstr(store_errmsg(s), "L3") != NULL, "message names the account: %s", store_errmsg(s));
	T_EQ_INT(nr, 1, "one done before the stop");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");
	T_EQ_INT(rebuild(s, &r), 2, "both still dirty");
	T_EQ_INT(r.ids[0], ids[1], "L2");
	T_EQ_INT(r.ids[1], ids[2], "L3");

	/* within one transaction: a write after a rebuild marks again (no stale "already dirty") */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_payment p7 = mk_payment("P7", ids[1], 19080, 10);
	T_EQ_INT(store_payment_put(s, &p7, &res), STORE_OK, "payment L2");
	memset(&r, 0, sizeof r);
	T_EQ_INT(store_ledger_rebuild(s, rb_fn, &r, &nr), STORE_OK, "rebuild in the same transaction");
	T_EQ_INT(nr, 1, "L2");
	store_payment p8 = mk_payment("P8", ids[1], 19090, 10);
	T_EQ_INT(store_payment_put(s, &p8, &res), STORE_OK, "another payment L2, same transaction");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(rebuild(s, &r), 1, "L2 dirty again");
	T_EQ_INT(r.ids[0], ids[1], "L2");
	T_EQ_INT(r.n_pay[0], 3, "L2 has its three payments");

	T_EQ_INT(store_ledger_rebuild(s, rb_fn, &r, &nr), STORE_ERR, "rebuild needs a transaction");
	done(&fx, s);
}

/* --- scans and exports ----------------------------------------------------------------------- */

typedef struct {
	int n;
	char ext[RB_MAX][STORE_ID_MAX];
	int64_t ids[RB_MAX];
	int with_blob;
	int stop_at;
} scan_rec;

static int scan_fn(void *ctx, const store_account *a, const uint8_t *blob, size_t len)
{
	scan_rec *r = ctx;
	if (r->stop_at && r->n + 1 == r->stop_at) return 1;
	if (r->n < RB_MAX) {
		snprintf(r->ext[r->n], sizeof r->ext[r->n], "%s", a->ext_id);
		r->ids[r->n] = a->id;
	}
	if (blob && len) r->with_blob++;
	r->n++;
	return 0;
}

static void scan(store *s, int kind, const char *cur, int by_client, scan_rec *r)
{
	store_scan_filter f = {.kind = kind, .currency = cur, .by_client = by_client};
	memset(r, 0, sizeof *r);
	T_EQ_INT(store_scan(s, &f, scan_fn, r), STORE_OK, "scan");
}

static int rb_trivial(void *ctx, const store_account *a, const obligation *ob, int n_ob,
                      const store_payment *pay, int n_pay, const uint8_t **blob, size_t *blob_len,
                      const ledger_bucket_interval **hist, int *n_hist)
{
	(void)ctx;
	(void)ob;
	(void)pay;
	(void)n_pay;
	(void)hist;
	(void)n_hist;
	static uint8_t b[8];
	memcpy(b, &a->id, sizeof b);
	*blob = b;
	*blob_len = n_ob ? sizeof b : 0; /* accounts without obligations keep no blob */
	return 0;
}

static void test_scan(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_put res;
	/* clients inserted in an order different from their ext id order */
	store_client cz = mk_client("Z-client", "Zeynab"), ca = mk_client("A-client", "Aminata");
	store_client cm = mk_client("M-client", "Mariama");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &cz, &res), STORE_OK, "client Z");
	T_EQ_INT(store_client_put(s, &ca, &res), STORE_OK, "client A");
	T_EQ_INT(store_client_put(s, &cm, &res), STORE_OK, "client M");
	struct {
		const char *ext;
		int64_t client;
		store_kind kind;
		const char *cur;
	} acc[] = {
	    {"L-9", cz.id, STORE_LOAN, "XOF"},    {"L-2", ca.id, STORE_LOAN, "XOF"},
	    {"I-5", cz.id, STORE_INVOICE, "EUR"}, {"L-1", cz.id, STORE_LOAN, "EUR"},
	    {"I-1", ca.id, STORE_INVOICE, "EUR"}, {"L-10", ca.id, STORE_LOAN, "XOF"},
	};
	int64_t ids[6];
	for (int i = 0; i < 6; i++) {
		store_account a = mk_account(acc[i].ext, acc[i].client, acc[i].kind, acc[i].cur, 1000, 19000);
		T_EQ_INT(store_account_put(s, &a, &res), STORE_OK, "account");
		ids[i] = a.id;
	}
	obligation ob[1] = {mk_ob(19030, 1000, 0, 0, 0)};
	T_EQ_INT(store_obligations_set(s, ids[0], ob, 1, &res), STORE_OK, "obligations");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	scan_rec r;
	scan(s, -1, NULL, 0, &r);
	T_EQ_INT(r.n, 6, "all accounts");
	for (int i = 0; i < 6; i++)
		T_EQ_INT(r.ids[i], ids[i], "by id");
	T_EQ_INT(r.with_blob, 0, "no blob before a rebuild");

	scan(s, -1, NULL, 1, &r);
	static const char *const by_client[] = {"I-1", "L-10", "L-2", "I-5", "L-1", "L-9"};
	T_EQ_INT(r.n, 6, "all accounts by client");
	for (int i = 0; i < 6; i++)
		T_EQ_STR(r.ext[i], by_client[i], "by (client ext_id, account ext_id), bytewise");

	scan(s, STORE_LOAN, NULL, 0, &r);
	T_EQ_INT(r.n, 4, "loans");
	T_EQ_STR(r.ext[0], "L-9", "first loan");
	T_EQ_STR(r.ext[3], "L-10", "last loan");
	scan(s, STORE_INVOICE, NULL, 1, &r);
	T_EQ_INT(r.n, 2, "invoices");
	T_EQ_STR(r.ext[0], "I-1", "invoices by client");
	scan(s, -1, "EUR", 0, &r);
	T_EQ_INT(r.n, 3, "EUR accounts");
	scan(s, STORE_LOAN, "EUR", 1, &r);
	T_EQ_INT(r.n, 1, "EUR loans");
	T_EQ_STR(r.ext[0], "L-1", "the EUR loan");
	scan(s, -1, "GBP", 0, &r);
	T_EQ_INT(r.n, 0, "no GBP");

	memset(&r, 0, sizeof r);
	r.stop_at = 3;
	store_scan_filter all = {.kind = -1, .currency = NULL, .by_client = 0};
	T_EQ_INT(store_scan(s, &all, scan_fn, &r), STORE_ERR, "a callback stops the scan");
	T_EQ_INT(r.n, 2, "two seen before the stop");
	scan(s, -1, NULL, 0, &r);
	T_EQ_INT(r.n, 6, "a scan after a stopped one");

	/* scans inside a transaction see its writes */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_account extra = mk_account("A-0", cm.id, STORE_LOAN, "XOF", 1, 19000);
	T_EQ_INT(store_account_put(s, &extra, &res), STORE_OK, "account in the transaction");
	scan(s, -1, NULL, 1, &r);
	T_EQ_INT(r.n, 7, "the uncommitted account is seen");
	T_EQ_STR(r.ext[6], "L-9", "Z-client's last");
	T_EQ_STR(r.ext[3], "A-0", "M-client's account between A and Z");
	int64_t nr = 0;
	T_EQ_INT(store_ledger_rebuild(s, rb_trivial, NULL, &nr), STORE_OK, "rebuild");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	scan(s, -1, NULL, 0, &r);
	T_EQ_INT(r.with_blob, 1, "blob of the one account with obligations");
	done(&fx, s);
}

typedef struct {
	int n;
	char first[64], last[64];
	int64_t prev_id, prev_acc;
	int prev_seq, bad_order;
	int64_t sum;
} each_rec;

static void each_note(each_rec *e, const char *ext)
{
	if (!e->n) snprintf(e->first, sizeof e->first, "%s", ext);
	snprintf(e->last, sizeof e->last, "%s", ext);
	e->n++;
}

static int each_client_fn(void *ctx, const store_client *c)
{
	each_rec *e = ctx;
	if (c->id <= e->prev_id) e->bad_order++;
	e->prev_id = c->id;
	each_note(e, c->ext_id);
	return 0;
}

static int each_account_fn(void *ctx, const store_account *a)
{
	each_rec *e = ctx;
	if (a->id <= e->prev_id || !a->client_ext_id[0]) e->bad_order++;
	e->prev_id = a->id;
	each_note(e, a->ext_id);
	return 0;
}

static int each_obligation_fn(void *ctx, const store_account *a, int seq, const obligation *o)
{
	each_rec *e = ctx;
	if (a->id < e->prev_acc || (a->id == e->prev_acc && seq != e->prev_seq + 1) ||
	    (a->id != e->prev_acc && seq != 1))
		e->bad_order++;
	e->prev_acc = a->id;
	e->prev_seq = seq;
	e->sum += o->amount[COMP_PRINCIPAL];
	each_note(e, a->ext_id);
	return 0;
}

static int each_payment_fn(void *ctx, const store_account *a, const store_payment *p)
{
	each_rec *e = ctx;
	if (p->id <= e->prev_id || p->account_id != a->id) e->bad_order++;
	e->prev_id = p->id;
	e->sum += p->amount;
	each_note(e, p->ext_id);
	return 0;
}

static int each_stop_fn(void *ctx, const store_client *c)
{
	(void)c;
	return ++*(int *)ctx == 2;
}

static void test_exports(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_put res;
	store_client c2 = mk_client("K2", "Second"), c1 = mk_client("K1", "First");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put(s, &c2, &res), STORE_OK, "client");
	T_EQ_INT(store_client_put(s, &c1, &res), STORE_OK, "client");
	store_account l1 = mk_account("L1", c2.id, STORE_LOAN, "XOF", 1, 19000);
	store_account i1 = mk_account("I1", c1.id, STORE_INVOICE, "EUR", 2, 19000);
	store_account l2 = mk_account("L2", c1.id, STORE_LOAN, "XOF", 3, 19000);
	T_EQ_INT(store_account_put(s, &l1, &res), STORE_OK, "account");
	T_EQ_INT(store_account_put(s, &i1, &res), STORE_OK, "account");
	T_EQ_INT(store_account_put(s, &l2, &res), STORE_OK, "account");
	obligation o3[3] = {mk_ob(19030, 10, 1, 0, 0), mk_ob(19060, 20, 1, 0, 0), mk_ob(19090, 30, 1, 0, 0)};
	obligation o1[1] = {mk_ob(19040, 2, 0, 0, 0)};
	/* set the later account first: the export still goes by account id */
	T_EQ_INT(store_obligations_set(s, l2.id, o3, 3, &res), STORE_OK, "obligations L2");
	T_EQ_INT(store_obligations_set(s, i1.id, o1, 1, &res), STORE_OK, "obligations I1");
	T_EQ_INT(store_obligations_set(s, l1.id, o3, 2, &res), STORE_OK, "obligations L1");
	store_payment pb = mk_payment("PB", l2.id, 19020, 5), pa = mk_payment("PA", l1.id, 19010, 7);
	T_EQ_INT(store_payment_put(s, &pb, &res), STORE_OK, "payment");
	T_EQ_INT(store_payment_put(s, &pa, &res), STORE_OK, "payment");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	each_rec e = {0};
	T_EQ_INT(store_each_client(s, each_client_fn, &e), STORE_OK, "clients");
	T_EQ_INT(e.n, 2, "client count");
	T_EQ_STR(e.first, "K2", "clients in id order");
	T_EQ_INT(e.bad_order, 0, "ids ascending");
	memset(&e, 0, sizeof e);
	T_EQ_INT(store_each_account(s, -1, each_account_fn, &e), STORE_OK, "accounts");
	T_EQ_INT(e.n, 3, "account count");
	T_EQ_STR(e.first, "L1", "accounts in id order");
	T_EQ_STR(e.last, "L2", "last account");
	T_EQ_INT(e.bad_order, 0, "ids ascending, client ext id filled");
	memset(&e, 0, sizeof e);
	T_EQ_INT(store_each_account(s, STORE_INVOICE, each_account_fn, &e), STORE_OK, "invoices");
	T_EQ_INT(e.n, 1, "invoice count");
	T_EQ_STR(e.first, "I1", "the invoice");
	memset(&e, 0, sizeof e);
	T_EQ_INT(store_each_obligation(s, each_obligation_fn, &e), STORE_OK, "obligations");
	T_EQ_INT(e.n, 6, "obligation count");
	T_EQ_STR(e.first, "L1", "obligations by account id");
	T_EQ_STR(e.last, "L2", "last obligation's account");
	T_EQ_INT(e.sum, 10 + 20 + 2 + 10 + 20 + 30, "principal sum");
	T_EQ_INT(e.bad_order, 0, "seq 1..n per account, accounts ascending");
	memset(&e, 0, sizeof e);
	T_EQ_INT(store_each_payment(s, each_payment_fn, &e), STORE_OK, "payments");
	T_EQ_INT(e.n, 2, "payment count");
	T_EQ_STR(e.first, "PB", "payments in id order");
	T_EQ_INT(e.sum, 12, "payment sum");
	T_EQ_INT(e.bad_order, 0, "ids ascending, account matches");
	int calls = 0;
	T_EQ_INT(store_each_client(s, each_stop_fn, &calls), STORE_ERR, "a callback stops the export");
	T_EQ_INT(calls, 2, "stopped at the second");
	memset(&e, 0, sizeof e);
	T_EQ_INT(store_each_client(s, each_client_fn, &e), STORE_OK, "an export after a stopped one");
	T_EQ_INT(e.n, 2, "complete");
	done(&fx, s);
}

/* --- batches and volume ---------------------------------------------------------------------- */

static void test_batches(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_rc rc[4];
	store_put res[4];
	store_client cl[3] = {mk_client("B1", "One"), mk_client("B2", "Two"), mk_client("B1", "One")};
	T_EQ_INT(store_client_put_many(s, cl, 3, rc, res), STORE_ERR, "batches need a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_client_put_many(s, cl, 3, rc, res), STORE_OK, "clients");
	T_EQ_INT(rc[0], STORE_OK, "row 1");
	T_EQ_INT(res[0], PUT_INSERTED, "row 1 inserted");
	T_EQ_INT(res[1], PUT_INSERTED, "row 2 inserted");
	T_EQ_INT(res[2], PUT_UNCHANGED, "row 3: same as row 1");
	T_EQ_INT(cl[2].id, cl[0].id, "row 3 id");
	snprintf(cl[1].phone, sizeof cl[1].phone, "+33100000000");
	T_EQ_INT(store_client_put_many(s, cl + 1, 1, rc, res), STORE_OK, "client update");
	T_EQ_INT(res[0], PUT_UPDATED, "updated");

	store_account ac[4] = {mk_account("A1", cl[0].id, STORE_LOAN, "XOF", 100, 19000),
	                       mk_account("A2", cl[1].id, STORE_LOAN, "XOF", 200, 19000),
	                       mk_account("A1", cl[0].id, STORE_LOAN, "XOF", 100, 19000),
	                       mk_account("A2", cl[1].id, STORE_LOAN, "XOF", 999, 19000)};
	T_EQ_INT(store_account_put_many(s, ac, 4, rc, res), STORE_OK, "accounts");
	T_EQ_INT(res[0], PUT_INSERTED, "A1");
	T_EQ_INT(res[1], PUT_INSERTED, "A2");
	T_EQ_INT(rc[2], STORE_OK, "A1 again");
	T_EQ_INT(res[2], PUT_UNCHANGED, "A1 unchanged");
	T_EQ_INT(ac[2].id, ac[0].id, "A1 id");
	T_EQ_INT(rc[3], STORE_CONFLICT, "A2 with another principal");

	obligation o2[2] = {mk_ob(19030, 50, 5, 0, 0), mk_ob(19060, 50, 4, 0, 0)};
	obligation o1[1] = {mk_ob(19030, 51, 5, 0, 0)};
	store_obligation_set sets[3] = {{ac[0].id, o2, 2}, {ac[1].id, o1, 1}, {ac[0].id, o1, 1}};
	T_EQ_INT(store_obligations_set_many(s, sets, 3, rc, res), STORE_OK, "obligation sets");
	T_EQ_INT(res[0], PUT_INSERTED, "A1 set");
	T_EQ_INT(res[1], PUT_INSERTED, "A2 set");
	T_EQ_INT(rc[2], STORE_CONFLICT, "A1 again, different");
	store_obligation_set again[1] = {{ac[0].id, o2, 2}};
	T_EQ_INT(store_obligations_set_many(s, again, 1, rc, res), STORE_OK, "A1 same set");
	T_EQ_INT(res[0], PUT_UNCHANGED, "unchanged");

	store_payment pa[4] = {mk_payment("X1", ac[0].id, 19010, 10), mk_payment("X2", ac[1].id, 19011, 20),
	                       mk_payment("X1", ac[0].id, 19010, 10), mk_payment("X2", ac[1].id, 19011, 21)};
	T_EQ_INT(store_payment_put_many(s, pa, 4, rc, res), STORE_OK, "payments");
	T_EQ_INT(res[0], PUT_INSERTED, "X1");
	T_EQ_INT(res[1], PUT_INSERTED, "X2");
	T_EQ_INT(rc[2], STORE_OK, "X1 again");
	T_EQ_INT(res[2], PUT_UNCHANGED, "X1 unchanged");
	T_EQ_INT(pa[2].id, pa[0].id, "X1 id");
	T_EQ_INT(rc[3], STORE_CONFLICT, "X2 another amount");
	store_payment badp[2] = {mk_payment("X3", ac[0].id, 19010, 10),
	                         mk_payment("X4", ac[0].id, 19010, -1)};
	T_EQ_INT(store_payment_put_many(s, badp, 2, rc, res), STORE_ERR, "an invalid row refuses the batch");
	T_OK(strstr(store_errmsg(s), "row 2") != NULL, "names the row: %s", store_errmsg(s));
	T_EQ_INT(store_payment_put_many(s, badp, 0, rc, res), STORE_OK, "empty batch");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_payment got;
	T_EQ_INT(store_payment_get(s, "X3", &got), STORE_NOT_FOUND, "nothing of the refused batch");
	T_EQ_INT(store_payment_get(s, "X2", &got), STORE_OK, "X2 stored");
	T_EQ_INT(got.amount, 20, "first X2 kept");

	rb_rec r;
	T_EQ_INT(rebuild(s, &r), 2, "batch writes mark their accounts");
	T_EQ_INT(r.n_ob[0], 2, "A1 obligations");
	T_EQ_INT(r.n_pay[0], 1, "A1 payments");
	T_EQ_INT(r.n_ob[1], 1, "A2 obligations");
	done(&fx, s);
}

/* Batches of distinct rows where some exist already: SQLite inserts them four per statement and
 * must still tell each row's fate; the ids must be the ones the store keeps. */
static void test_batches_mixed(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	int64_t l0 = setup_loan(s, "C0", "L0");
	store_client c;
	T_EQ_INT(store_client_get(s, "C0", &c), STORE_OK, "client");
	store_rc rc[9];
	store_put res[9];
	store_put one;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	store_payment old1 = mk_payment("M2", l0, 19010, 20), old2 = mk_payment("M4", l0, 19010, 40);
	T_EQ_INT(store_payment_put(s, &old1, &one), STORE_OK, "existing M2");
	T_EQ_INT(store_payment_put(s, &old2, &one), STORE_OK, "existing M4");
	store_payment p[9];
	for (int i = 0; i < 9; i++) {
		char ext[16];
		snprintf(ext, sizeof ext, "M%d", i + 1);
		p[i] = mk_payment(ext, l0, 19010, 10 * (i + 1));
	}
	p[3].amount = 41; /* M4 differs from the stored one */
	T_EQ_INT(store_payment_put_many(s, p, 9, rc, res), STORE_OK, "payments");
	static const int want_rc[9] = {STORE_OK, STORE_OK, STORE_OK, STORE_CONFLICT, STORE_OK,
	                               STORE_OK, STORE_OK, STORE_OK, STORE_OK};
	static const int want_res[9] = {PUT_INSERTED, PUT_UNCHANGED, PUT_INSERTED, -1,          PUT_INSERTED,
	                                PUT_INSERTED, PUT_INSERTED,  PUT_INSERTED, PUT_INSERTED};
	for (int i = 0; i < 9; i++) {
		T_EQ_INT(rc[i], want_rc[i], "payment row rc");
		if (want_res[i] >= 0) T_EQ_INT(res[i], want_res[i], "payment row result");
		if (rc[i] != STORE_OK) continue;
		store_payment got;
		T_EQ_INT(store_payment_get(s, p[i].ext_id, &got), STORE_OK, "stored");
		T_EQ_INT(got.id, p[i].id, "the id given is the stored one");
		T_EQ_INT(got.amount, i == 1 ? 20 : p[i].amount, "stored amount");
	}
	T_EQ_INT(p[1].id, old1.id, "unchanged row keeps its id");

	store_account a[9];
	for (int i = 0; i < 9; i++) {
		char ext[16];
		snprintf(ext, sizeof ext, "N%d", i + 1);
		a[i] = mk_account(ext, c.id, STORE_LOAN, "XOF", 100 + i, 19000);
	}
	store_account pre = a[2];
	T_EQ_INT(store_account_put(s, &pre, &one), STORE_OK, "existing N3");
	a[5].principal = 1; /* N6 exists with another principal */
	store_account pre6 = mk_account("N6", c.id, STORE_LOAN, "XOF", 105, 19000);
	T_EQ_INT(store_account_put(s, &pre6, &one), STORE_OK, "existing N6");
	T_EQ_INT(store_account_put_many(s, a, 9, rc, res), STORE_OK, "accounts");
	for (int i = 0; i < 9; i++) {
		T_EQ_INT(rc[i], i == 5 ? STORE_CONFLICT : STORE_OK, "account row rc");
		if (rc[i] != STORE_OK) continue;
		T_EQ_INT(res[i], i == 2 ? PUT_UNCHANGED : PUT_INSERTED, "account row result");
		store_account got;
		T_EQ_INT(store_account_get(s, a[i].ext_id, &got), STORE_OK, "stored");
		T_EQ_INT(got.id, a[i].id, "the id given is the stored one");
		T_EQ_STR(got.client_ext_id, "C0", "client ext id copied");
	}
	/* a missing client in a batch: the whole call fails, naming the account */
	store_account bad[4] = {mk_account("Q1", c.id, STORE_LOAN, "XOF", 1, 19000),
	                        mk_account("Q2", 424242, STORE_LOAN, "XOF", 1, 19000),
	                        mk_account("Q3", c.id, STORE_LOAN, "XOF", 1, 19000),
	                        mk_account("Q4", c.id, STORE_LOAN, "XOF", 1, 19000)};
	T_EQ_INT(store_account_put_many(s, bad, 4, rc, res), STORE_ERR, "missing client");
	T_OK(strstr(store_errmsg(s), "Q2") != NULL || strstr(store_errmsg(s), "client") != NULL,
	     "message: %s", store_errmsg(s));
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");

	/* strings with quotes, backslashes, commas, braces and NULL-looking text travel intact in batches */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	static const char *const odd[4] = {"a\"b", "c\\d", "{e,f}", "NULL"};
	store_payment op[4];
	store_account oa[4];
	for (int i = 0; i < 4; i++) {
		op[i] = mk_payment(odd[i], l0, 19010, 5);
		snprintf(op[i].reference, sizeof op[i].reference, "ref %s ''", odd[i]);
		oa[i] = mk_account(odd[i], c.id, STORE_LOAN, "XOF", 7, 19000);
		snprintf(oa[i].product, sizeof oa[i].product, "%s", odd[3 - i]);
	}
	T_EQ_INT(store_payment_put_many(s, op, 4, rc, res), STORE_OK, "odd payments");
	T_EQ_INT(store_account_put_many(s, oa, 4, rc, res), STORE_OK, "odd accounts");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	for (int i = 0; i < 4; i++) {
		store_payment gp;
		store_account ga;
		char want[64];
		T_EQ_INT(store_payment_get(s, odd[i], &gp), STORE_OK, "odd payment stored");
		snprintf(want, sizeof want, "ref %s ''", odd[i]);
		T_EQ_STR(gp.reference, want, "odd reference");
		T_EQ_INT(store_account_get(s, odd[i], &ga), STORE_OK, "odd account stored");
		T_EQ_STR(ga.product, odd[3 - i], "odd product");
	}

	/* obligations: a set of five over an account holding two is a conflict, and leaves the two */
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	obligation two[2] = {mk_ob(19030, 1, 0, 0, 0), mk_ob(19060, 2, 0, 0, 0)};
	obligation five[5] = {two[0], two[1], mk_ob(19090, 3, 0, 0, 0), mk_ob(19120, 4, 0, 0, 0),
	                      mk_ob(19150, 5, 0, 0, 0)};
	T_EQ_INT(store_obligations_set(s, l0, two, 2, &one), STORE_OK, "two");
	T_EQ_INT(store_obligations_set(s, l0, five, 5, &one), STORE_CONFLICT, "five over two");
	obligation buf[6];
	int n = 0;
	T_EQ_INT(store_obligations_get(s, l0, buf, 6, &n), STORE_OK, "get");
	T_EQ_INT(n, 2, "still two");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	done(&fx, s);
}

/* Enough accounts to cross several PostgreSQL FETCH batches (10000) and batch chunks (1000). */
#define VOL_N 12500
typedef struct {
	int n, bad;
	int64_t last_id;
} vol_rec;

static int vol_rebuild_fn(void *ctx, const store_account *a, const obligation *ob, int n_ob,
                          const store_payment *pay, int n_pay, const uint8_t **blob, size_t *blob_len,
                          const ledger_bucket_interval **hist, int *n_hist)
{
	vol_rec *v = ctx;
	static char b[32];
	static ledger_bucket_interval h[1];
	int i = atoi(a->ext_id + 1);
	if (a->id <= v->last_id) v->bad++;
	v->last_id = a->id;
	int want_ob = i % 4, want_pay = i % 3;
	if (n_ob != want_ob || n_pay != want_pay) v->bad++;
	for (int k = 0; k < n_ob; k++)
		if (ob[k].amount[COMP_PRINCIPAL] != (int64_t)i * 10 + k || ob[k].due_on != 19000 + 30 * k)
			v->bad++;
	for (int k = 0; k < n_pay; k++)
		if (pay[k].amount != i + k + 1 || pay[k].account_id != a->id) v->bad++;
	v->n++;
	snprintf(b, sizeof b, "%d", i);
	*blob = (const uint8_t *)b;
	*blob_len = strlen(b);
	h[0] = (ledger_bucket_interval){PAR_CURRENT, 19000, DATE_NONE};
	*hist = h;
	*n_hist = 1;
	return 0;
}

static int vol_scan_fn(void *ctx, const store_account *a, const uint8_t *blob, size_t len)
{
	vol_rec *v = ctx;
	char want[32];
	snprintf(want, sizeof want, "%d", atoi(a->ext_id + 1));
	if (!blob || len != strlen(want) || memcmp(blob, want, len) != 0) v->bad++;
	if (a->id <= v->last_id) v->bad++;
	v->last_id = a->id;
	v->n++;
	return 0;
}

static void test_volume(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	store_client c = mk_client("V", "Volume");
	store_put one;
	T_EQ_INT(store_begin_bulk(s), STORE_OK, "begin bulk");
	T_EQ_INT(store_client_put(s, &c, &one), STORE_OK, "client");
	store_account *acc = calloc(VOL_N, sizeof *acc);
	store_rc *rc = calloc(VOL_N * 2, sizeof *rc);
	store_put *res = calloc(VOL_N * 2, sizeof *res);
	store_obligation_set *sets = calloc(VOL_N, sizeof *sets);
	obligation *obs = calloc(VOL_N * 3, sizeof *obs);
	store_payment *pays = calloc(VOL_N * 2, sizeof *pays);
	for (int i = 0; i < VOL_N; i++) {
		char ext[16];
		snprintf(ext, sizeof ext, "V%d", i);
		acc[i] = mk_account(ext, c.id, STORE_LOAN, "XOF", 1000 + i, 19000);
	}
	T_EQ_INT(store_account_put_many(s, acc, VOL_N, rc, res), STORE_OK, "accounts");
	int ok = 0, np = 0, ns = 0;
	for (int i = 0; i < VOL_N; i++) {
		ok += rc[i] == STORE_OK && res[i] == PUT_INSERTED;
		/* obligations inserted in reverse account order: the rebuild must still merge by id */
		int j = VOL_N - 1 - i;
		for (int k = 0; k < j % 4; k++)
			obs[j * 3 + k] = mk_ob(19000 + 30 * k, (int64_t)j * 10 + k, 1, 0, 0);
		if (j % 4) sets[ns++] = (store_obligation_set){acc[j].id, &obs[j * 3], j % 4};
		for (int k = 0; k < j % 3; k++) {
			char ext[32];
			snprintf(ext, sizeof ext, "VP%d-%d", j, k);
			pays[np++] = mk_payment(ext, acc[j].id, 19010 + k, j + k + 1);
		}
	}
	T_EQ_INT(ok, VOL_N, "all accounts inserted");
	T_EQ_INT(store_obligations_set_many(s, sets, ns, rc, res), STORE_OK, "obligation sets");
	ok = 0;
	for (int i = 0; i < ns; i++)
		ok += rc[i] == STORE_OK && res[i] == PUT_INSERTED;
	T_EQ_INT(ok, ns, "all sets inserted");
	T_EQ_INT(store_payment_put_many(s, pays, np, rc, res), STORE_OK, "payments");
	ok = 0;
	for (int i = 0; i < np; i++)
		ok += rc[i] == STORE_OK && res[i] == PUT_INSERTED;
	T_EQ_INT(ok, np, "all payments inserted");
	T_EQ_INT(store_commit(s), STORE_OK, "commit bulk");

	vol_rec v = {0};
	int64_t n = 0;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_ledger_rebuild(s, vol_rebuild_fn, &v, &n), STORE_OK, "rebuild");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(n, VOL_N, "every account rebuilt");
	T_EQ_INT(v.bad, 0, "each account got exactly its rows");
	memset(&v, 0, sizeof v);
	T_EQ_INT(store_scan(s, NULL, vol_scan_fn, &v), STORE_OK, "scan");
	T_EQ_INT(v.n, VOL_N, "scan count");
	T_EQ_INT(v.bad, 0, "scan order and blobs");
	free(acc);
	free(rc);
	free(res);
	free(sets);
	free(obs);
	free(pays);
	done(&fx, s);
}

/* --- main ------------------------------------------------------------------------------------ */

static void run_all(int pg)
{
	if (!pg) test_open_errors();
	test_init(pg);
	test_tx_rules(pg);
	test_clients(pg);
	test_accounts(pg);
	test_obligations(pg);
	test_payments(pg);
	test_rollback(pg);
	test_rebuild(pg);
	test_scan(pg);
	test_exports(pg);
	test_batches(pg);
	test_batches_mixed(pg);
	test_volume(pg);
}

int main(void)
{
	return store_fixture_main("test_store", run_all);
}

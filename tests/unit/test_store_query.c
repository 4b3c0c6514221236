/* test_store_query.c: the generic statement layer (store/store_query.h) and the module migrations,
 * on both back-ends: a fresh SQLite file, then a fresh PostgreSQL database ($VIGIE_PG_BASE). */
#include <stdlib.h>
#include "store/store_query.h"
#include "t.h"

#define STORE_FIXTURE_PREFIX "vigie_test_q"
#include "store_fixture.h"

static const store_sql2 MK = {"CREATE TABLE qt (id INTEGER PRIMARY KEY, name TEXT, n INTEGER, d INTEGER)",
                              "CREATE TABLE qt (id bigint PRIMARY KEY, name text, n bigint, d integer)"};
static const store_sql2 INS = {"INSERT INTO qt (id, name, n, d) VALUES ($1, $2, $3, $4)", NULL};
static const store_sql2 SEL = {"SELECT id, name, n, d FROM qt WHERE n >= $1 ORDER BY id", NULL};
static const store_sql2 UPD = {"UPDATE qt SET n = n + $2 WHERE id <= $1", NULL};
static const store_sql2 CNT = {"SELECT count(*) FROM qt WHERE name = $1", NULL};
static const store_sql2 BAD = {"SELECT no_such_column FROM qt", NULL};
/* the same parameter twice, and in reverse order of first appearance */
static const store_sql2 REV = {"SELECT count(*) FROM qt WHERE n = $2 OR id = $1 OR n = $2", NULL};

static void test_query(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	T_EQ_INT(store_q_exec_tx(s, &INS, NULL, "itid", (int64_t)1, "x", (int64_t)1, (civil_day)1), STORE_ERR,
	         "a write outside a transaction is refused");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_OK(store_q_exec(s, &MK, NULL, "") == STORE_OK, "create: %s", store_errmsg(s));
	int64_t ch = -1;
	T_OK(store_q_exec_tx(s, &INS, &ch, "itid", (int64_t)1, "Awa d'Abidjan", (int64_t)-5, (civil_day)20000) ==
	         STORE_OK, "insert 1: %s", store_errmsg(s));
	T_EQ_INT(ch, 1, "one row written");
	T_EQ_INT(store_q_exec_tx(s, &INS, NULL, "itid", (int64_t)2, (const char *)NULL, (int64_t)7, DATE_NONE),
	         STORE_OK, "insert 2 (NULLs)");
	T_EQ_INT(store_q_exec_tx(s, &INS, NULL, "itid", (int64_t)3, "\xc3\xa9t\xc3\xa9", INT64_MAX, (civil_day)-3),
	         STORE_OK, "insert 3");
	T_EQ_INT(store_q_exec_tx(s, &INS, NULL, "itid", (int64_t)3, "dup", (int64_t)0, (civil_day)0), STORE_ERR,
	         "a duplicate key is an error");
	T_OK(strlen(store_errmsg(s)) > 0, "with a message");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");

	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_q_exec(s, &MK, NULL, ""), STORE_OK, "create");
	T_EQ_INT(store_q_exec_tx(s, &INS, NULL, "itid", (int64_t)1, "Awa d'Abidjan", (int64_t)-5, (civil_day)20000),
	         STORE_OK, "insert 1");
	T_EQ_INT(store_q_exec_tx(s, &INS, NULL, "itid", (int64_t)2, (const char *)NULL, (int64_t)7, DATE_NONE),
	         STORE_OK, "insert 2");
	T_EQ_INT(store_q_exec_tx(s, &INS, NULL, "itid", (int64_t)3, "\xc3\xa9t\xc3\xa9", INT64_MAX, (civil_day)-3),
	         STORE_OK, "insert 3");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");

	store_q *q = store_q_open(s, &SEL);
	T_OK(q != NULL, "open");
	if (q) {
		store_q_int(q, 1, -5);
		int rows = 0;
		while (store_q_step(q) > 0) {
			rows++;
			int64_t id = store_q_col_int(q, 0);
			if (id == 1) {
				T_EQ_STR(store_q_col_text(q, 1), "Awa d'Abidjan", "text with a quote");
				T_EQ_INT(store_q_col_int(q, 2), -5, "negative");
				T_EQ_INT(store_q_col_day(q, 3), 20000, "day");
				T_EQ_INT(store_q_isnull(q, 1), 0, "not null");
			} else if (id == 2) {
				T_EQ_INT(store_q_isnull(q, 1), 1, "NULL text");
				T_EQ_STR(store_q_col_text(q, 1), "", "NULL reads as empty");
				T_EQ_INT(store_q_col_day(q, 3), DATE_NONE, "NULL day");
			} else {
				T_EQ_STR(store_q_col_text(q, 1), "\xc3\xa9t\xc3\xa9", "UTF-8");
				T_OK(store_q_col_int(q, 2) == INT64_MAX, "int64 max");
				T_EQ_INT(store_q_col_day(q, 3), -3, "negative day");
			}
		}
		T_EQ_INT(rows, 3, "three rows");
		T_EQ_INT(store_q_step(q), 0, "done stays done");
		T_EQ_INT(store_q_close(q), STORE_OK, "close");
	}
	/* the cached statement again, with another parameter; and re-entered while busy */
	q = store_q_open(s, &SEL);
	store_q *q2 = store_q_open(s, &SEL);
	T_OK(q && q2, "two at once");
	if (q && q2) {
		store_q_int(q, 1, 0);
		store_q_int(q2, 1, 8);
		int a = 0, b = 0;
		while (store_q_step(q) > 0) {
			a++;
			if (a == 1) {
				while (store_q_step(q2) > 0)
					b++;
			}
		}
		T_EQ_INT(a, 2, "n >= 0: two rows");
		T_EQ_INT(b, 1, "n >= 8: one row, while the other runs");
	}
	store_q_close(q);
	store_q_close(q2);

	int64_t v = -1;
	T_EQ_INT(store_q_int1(s, &CNT, &v, "t", "Awa d'Abidjan"), STORE_OK, "count");
	T_EQ_INT(v, 1, "found by text");
	T_EQ_INT(store_q_int1(s, &REV, &v, "ii", (int64_t)1, (int64_t)7), STORE_OK, "params out of order");
	T_EQ_INT(v, 2, "id 1 or n 7");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_q_exec_tx(s, &UPD, &ch, "ii", (int64_t)2, (int64_t)1), STORE_OK, "update");
	T_EQ_INT(ch, 2, "two rows changed");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	T_EQ_INT(store_q_int1(s, &BAD, &v, ""), STORE_ERR, "a bad statement is an error");
	T_OK(strstr(store_errmsg(s), "no_such_column") != NULL, "naming the problem: %s", store_errmsg(s));
	T_EQ_INT(store_q_int1(s, &CNT, &v, "t", "nobody"), STORE_OK, "count of nothing is a row");
	T_EQ_INT(v, 0, "zero");

	/* module migrations: every listed module is at its last version, and init again changes nothing */
	for (const store_module *const *m = store_modules; *m; m++)
		T_OK(store_module_version(s, (*m)->name) == (*m)->versions, "module %s migrated", (*m)->name);
	T_EQ_INT(store_init(s), STORE_OK, "init again");
	for (const store_module *const *m = store_modules; *m; m++)
		T_OK(store_module_version(s, (*m)->name) == (*m)->versions, "module %s unchanged", (*m)->name);
	T_EQ_INT(store_module_version(s, "no_such_module"), 0, "an unknown module is at 0");
	done(&fx, s);
}

int main(void)
{
	return store_fixture_main("test_store_query", test_query);
}

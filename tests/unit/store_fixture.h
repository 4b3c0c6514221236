/* store_fixture.h: fresh, empty stores of either back-end for the store unit tests: a SQLite file in
 * a temporary folder, or a new database on the PostgreSQL server named by $VIGIE_PG_BASE (the test
 * runner starts one on 127.0.0.1). Define STORE_FIXTURE_PREFIX (the database name prefix) before
 * including; the test's main is `return store_fixture_main("test_x", run);`, which makes tmpdir,
 * runs run(0) on SQLite then run(1) on PostgreSQL, and removes tmpdir with all the test left in it. */
#ifndef VIGIE_STORE_FIXTURE_H
#define VIGIE_STORE_FIXTURE_H
#include <dirent.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "t.h"

static char tmpdir[256];
static const char *pg_base;
static int db_seq;

static void pg_admin(const char *sql)
{
	char url[512];
	snprintf(url, sizeof url, "%s/postgres", pg_base);
	PGconn *c = PQconnectdb(url);
	T_OK(PQstatus(c) == CONNECTION_OK, "admin connection: %s", PQerrorMessage(c));
	if (PQstatus(c) == CONNECTION_OK) {
		PQclear(PQexec(c, "SET client_min_messages TO warning"));
		PGresult *r = PQexec(c, sql);
		T_OK(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
		PQclear(r);
	}
	PQfinish(c);
}

typedef struct {
	int pg;
	char target[512];
	char dbname[64];
} fixture;

/* A fresh, empty store of the given back-end (not initialised). */
static store *fresh(fixture *fx, int pg)
{
	memset(fx, 0, sizeof *fx);
	fx->pg = pg;
	db_seq++;
	if (pg) {
		char sql[256];
		snprintf(fx->dbname, sizeof fx->dbname, STORE_FIXTURE_PREFIX "_%ld_%d", (long)getpid(),
		         db_seq);
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", fx->dbname);
		pg_admin(sql);
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", fx->dbname);
		pg_admin(sql);
		snprintf(fx->target, sizeof fx->target, "%s/%s", pg_base, fx->dbname);
	} else {
		snprintf(fx->target, sizeof fx->target, "%s/db%d.sqlite", tmpdir, db_seq);
	}
	store *s = NULL;
	char err[512] = "";
	T_EQ_INT(store_open(fx->target, &s, err, sizeof err), STORE_OK, "store_open");
	T_OK(s != NULL, "store_open %s: %s", fx->target, err);
	return s;
}

static store *fresh_init(fixture *fx, int pg)
{
	store *s = fresh(fx, pg);
	if (s) T_EQ_INT(store_init(s), STORE_OK, "store_init");
	return s;
}

static void done(fixture *fx, store *s)
{
	store_close(s);
	if (fx->pg) {
		char sql[256];
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", fx->dbname);
		pg_admin(sql);
	} else {
		static const char *const suffix[] = {"", "-wal", "-shm"};
		for (int i = 0; i < 3; i++) {
			char p[600];
			snprintf(p, sizeof p, "%s%s", fx->target, suffix[i]);
			unlink(p);
		}
	}
}

/* Removes the folder path and everything below it (links are removed, not followed). */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
			char p[1024];
			snprintf(p, sizeof p, "%s/%s", path, e->d_name);
			struct stat st;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* The whole main of a store test named name: a fresh temporary folder (tmpdir), run(0) on SQLite,
 * then run(1) on the PostgreSQL server of $VIGIE_PG_BASE (required: a missing one is a failure),
 * then the folder removed; returns t_done(name). */
static int store_fixture_main(const char *name, void (*run)(int pg))
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/vigie-%s.XXXXXX", name);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("# sqlite\n");
	run(0);
	static char base[400];
	const char *env = getenv("VIGIE_PG_BASE");
	T_OK(env && *env,
	     "VIGIE_PG_BASE is not set: the PostgreSQL half of these tests needs a server "
	     "(eval \"$(scripts/pg-test-server.sh start | sed -n 2p | sed 's/^/export VIGIE_PG_BASE=/')\")");
	if (env && *env) {
		snprintf(base, sizeof base, "%s", env);
		size_t l = strlen(base);
		while (l && base[l - 1] == '/')
			base[--l] = '\0';
		pg_base = base;
		printf("# postgres\n");
		run(1);
	}
	remove_tree(tmpdir);
	return t_done(name);
}

#endif

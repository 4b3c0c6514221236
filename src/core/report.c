/* report.c: the aggregation behind `vigie report par` and `vigie report ageing` (see report.h).
 * Rows live in one growable array, found through a small open-addressing hash on (currency, key);
 * sorting happens once, when the rows are read. */
#include "core/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

struct report_agg {
	report_kind kind;
	void *rows; /* par_row[] or ageing_row[], by kind */
	size_t rsz; /* sizeof one row */
	size_t n, cap;
	size_t *slots; /* index+1 into rows, 0 = empty */
	size_t nslots;
	int sorted; /* rows were reordered since the index was built */
};

static void *row_at(const report_agg *a, size_t i)
{
	return (unsigned char *)a->rows + i * a->rsz;
}

static const char *row_currency(const report_agg *a, size_t i)
{
	return a->kind == REPORT_PAR ? ((par_row *)a->rows)[i].currency : ((ageing_row *)a->rows)[i].currency;
}

static const char *row_key(const report_agg *a, size_t i)
{
	return a->kind == REPORT_PAR ? ((par_row *)a->rows)[i].key : ((ageing_row *)a->rows)[i].key;
}

int report_group_parse(const char *s, report_group *out)
{
	static const char *names[] = {"none", "branch", "officer", "product"};
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (report_group)i;
			return 0;
		}
	return -1;
}

const char *report_group_name(report_group g)
{
	static const char *names[] = {"none", "branch", "officer", "product"};
	return g <= GROUP_PRODUCT ? names[g] : "?";
}

report_agg *report_agg_new(report_kind kind)
{
	report_agg *a = calloc(1, sizeof *a);
	if (!a) return NULL;
	a->kind = kind;
	a->rsz = kind == REPORT_PAR ? sizeof(par_row) : sizeof(ageing_row);
	a->nslots = 64;
	a->slots = calloc(a->nslots, sizeof *a->slots);
	if (!a->slots) {
		free(a);
		return NULL;
	}
	return a;
}

void report_agg_free(report_agg *a)
{
	if (!a) return;
	free(a->rows);
	free(a->slots);
	free(a);
}

static uint64_t hash_key(const char *cur, const char *key)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const char *p = cur; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	return h;
}

static int reindex(report_agg *a, size_t ns)
{
	size_t *slots = calloc(ns, sizeof *slots);
	if (!slots) return -1;
	for (size_t i = 0; i < a->n; i++) {
		uint64_t h = hash_key(row_currency(a, i), row_key(a, i));
		size_t j = h & (ns - 1);
		while (slots[j])
			j = (j + 1) & (ns - 1);
		slots[j] = i + 1;
	}
	free(a->slots);
	a->slots = slots;
	a->nslots = ns;
	return 0;
}

/* The row of (currency, key), created zeroed when new; NULL when out of memory. */
static void *find_row(report_agg *a, const char *cur, const char *key)
{
	if (a->sorted) { /* rows were reordered by a read: rebuild the index */
		if (reindex(a, a->nslots)) return NULL;
		a->sorted = 0;
	}
	if ((a->n + 1) * 2 > a->nslots && reindex(a, a->nslots * 2)) return NULL;
	uint64_t h = hash_key(cur, key);
	size_t j = h & (a->nslots - 1);
	while (a->slots[j]) {
		size_t i = a->slots[j] - 1;
		if (strcmp(row_currency(a, i), cur) == 0 && strcmp(row_key(a, i), key) == 0)
			return row_at(a, i);
		j = (j + 1) & (a->nslots - 1);
	}
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 16;
		void *nr = realloc(a->rows, nc * a->rsz);
		if (!nr) return NULL;
		a->rows = nr;
		a->cap = nc;
	}
	void *r = row_at(a, a->n);
	memset(r, 0, a->rsz);
	char *rc = a->kind == REPORT_PAR ? ((par_row *)r)->currency : ((ageing_row *)r)->currency;
	char *rk = a->kind == REPORT_PAR ? ((par_row *)r)->key : ((ageing_row *)r)->key;
	snprintf(rc, 4, "%s", cur);
	snprintf(rk, REPORT_KEY_MAX, "%s", key);
	a->slots[j] = ++a->n;
	return r;
}

static int add(int64_t *acc, int64_t v)
{
	return money_add(*acc, v, acc);
}

static int par_add_one(par_row *r, int b, int64_t amount)
{
	r->count[b]++;
	r->loans++;
	return add(&r->amount[b], amount) || add(&r->gross, amount) ? -1 : 0;
}

int report_agg_add_par(report_agg *a, const char *currency, const char *key, int32_t dpd,
                       int64_t outstanding_principal)
{
	int b = ledger_par_bucket(dpd);
	par_row *t = find_row(a, currency, "");
	if (!t || par_add_one(t, b, outstanding_principal)) return -1;
	if (key) {
		par_row *g = find_row(a, currency, key[0] ? key : "(none)");
		if (!g || par_add_one(g, b, outstanding_principal)) return -1;
	}
	return 0;
}

static int age_add_one(ageing_row *r, const int64_t amount[AGE_NBUCKETS], const int64_t count[AGE_NBUCKETS],
                       int64_t credit)
{
	for (int b = 0; b < AGE_NBUCKETS; b++) {
		if (!count[b]) continue;
		r->count[b] += count[b];
		r->accounts[b]++;
		if (add(&r->amount[b], amount[b]) || add(&r->total, amount[b])) return -1;
	}
	return add(&r->credit, credit);
}

int report_agg_add_ageing(report_agg *a, const char *currency, const char *key,
                          const int64_t amount[AGE_NBUCKETS], const int64_t count[AGE_NBUCKETS],
                          int64_t credit)
{
	ageing_row *t = find_row(a, currency, "");
	if (!t || age_add_one(t, amount, count, credit)) return -1;
	if (key) {
		ageing_row *g = find_row(a, currency, key[0] ? key : "(none)");
		if (!g || age_add_one(g, amount, count, credit)) return -1;
	}
	return 0;
}

int report_agg_merge(report_agg *dst, report_agg *src)
{
	if (dst->kind != src->kind) return -1;
	for (size_t i = 0; i < src->n; i++) {
		void *d = find_row(dst, row_currency(src, i), row_key(src, i));
		if (!d) return -1;
		if (src->kind == REPORT_PAR) {
			par_row *a = d;
			const par_row *b = row_at(src, i);
			for (int k = 0; k < PAR_NBUCKETS; k++)
				if (add(&a->count[k], b->count[k]) || add(&a->amount[k], b->amount[k]))
					return -1;
			if (add(&a->gross, b->gross) || add(&a->loans, b->loans)) return -1;
		} else {
			ageing_row *a = d;
			const ageing_row *b = row_at(src, i);
			for (int k = 0; k < AGE_NBUCKETS; k++)
				if (add(&a->count[k], b->count[k]) || add(&a->accounts[k], b->accounts[k]) ||
				    add(&a->amount[k], b->amount[k]))
					return -1;
			if (add(&a->total, b->total) || add(&a->credit, b->credit)) return -1;
		}
	}
	return 0;
}

static int cmp_par(const void *x, const void *y)
{
	const par_row *a = x, *b = y;
	int c = strcmp(a->currency, b->currency);
	return c ? c : strcmp(a->key, b->key);
}

static int cmp_age(const void *x, const void *y)
{
	const ageing_row *a = x, *b = y;
	int c = strcmp(a->currency, b->currency);
	return c ? c : strcmp(a->key, b->key);
}

size_t report_agg_rows(report_agg *a, const par_row **par, const ageing_row **ageing)
{
	qsort(a->rows, a->n, a->rsz, a->kind == REPORT_PAR ? cmp_par : cmp_age);
	a->sorted = 1;
	if (par) *par = a->kind == REPORT_PAR ? (const par_row *)a->rows : NULL;
	if (ageing) *ageing = a->kind == REPORT_AGEING ? (const ageing_row *)a->rows : NULL;
	return a->n;
}

void report_age_account(const obligation *ob, int n_ob, const int64_t (*paid)[COMP_N], civil_day as_of,
                        int64_t amount[AGE_NBUCKETS], int64_t count[AGE_NBUCKETS])
{
	memset(amount, 0, sizeof(int64_t) * AGE_NBUCKETS);
	memset(count, 0, sizeof(int64_t) * AGE_NBUCKETS);
	for (int i = 0; i < n_ob; i++) {
		int64_t unpaid = 0;
		for (int c = 0; c < COMP_N; c++)
			unpaid += ob[i].amount[c] - paid[i][c];
		if (unpaid <= 0) continue;
		int b = ledger_age_bucket((int32_t)((int64_t)as_of - ob[i].due_on));
		amount[b] += unpaid;
		count[b]++;
	}
}

void report_ratio(int64_t num, int64_t den, char *buf, size_t cap)
{
	if (den <= 0 || num < 0) {
		snprintf(buf, cap, "0.000000");
		return;
	}
	__int128 q = ((__int128)num * 2000000 + den) / ((__int128)den * 2);
	long long whole = (long long)(q / 1000000), frac = (long long)(q % 1000000);
	snprintf(buf, cap, "%lld.%06lld", whole, frac);
}

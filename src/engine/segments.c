/* segments.c: the portfolio by segment as of a day (see segments.h). */
#include "engine/segments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "engine/ledger_sync.h"
#include "store/store_risk.h"

static const char *const NAMES[SEG_N] = {"grade", "product", "branch", "officer", "bucket", "amount_band"};

int segments_by_parse(const char *s, seg_by *out)
{
	for (int i = 0; i < SEG_N; i++)
		if (strcmp(s, NAMES[i]) == 0) {
			*out = (seg_by)i;
			return 0;
		}
	return -1;
}

const char *segments_by_name(seg_by b)
{
	return (unsigned)b < SEG_N ? NAMES[b] : "?";
}

typedef struct {
	char client[STORE_ID_MAX];
	char grade[RISK_GRADE_MAX];
} client_grade;

typedef struct {
	const seg_opts *o;
	seg_result *r;
	ledger_buf buf;
	client_grade *grades;
	size_t n_grades, cap_grades, next_grade;
	char err[256];
} seg_ctx;

static int grade_push(void *vc, const char *client, const char *grade, civil_day on)
{
	seg_ctx *c = vc;
	(void)on;
	if (c->n_grades == c->cap_grades) {
		size_t nc = c->cap_grades ? c->cap_grades * 2 : 1024;
		void *p = realloc(c->grades, sizeof *c->grades * nc);
		if (!p) return -1;
		c->grades = p;
		c->cap_grades = nc;
	}
	client_grade *g = &c->grades[c->n_grades++];
	snprintf(g->client, sizeof g->client, "%s", client);
	snprintf(g->grade, sizeof g->grade, "%s", grade);
	return 0;
}

/* The grade of a client: the scan and the grades are both in bytewise client order, so a cursor
 * moving forward finds it. */
static const char *grade_of(seg_ctx *c, const char *client)
{
	while (c->next_grade < c->n_grades && strcmp(c->grades[c->next_grade].client, client) < 0)
		c->next_grade++;
	if (c->next_grade < c->n_grades && strcmp(c->grades[c->next_grade].client, client) == 0)
		return c->grades[c->next_grade].grade;
	return "";
}

static seg_row *row_of(seg_result *r, const char *currency, const char *key)
{
	int lo = 0, hi = r->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int cmp = strcmp(r->rows[mid].currency, currency);
		if (!cmp) cmp = strcmp(r->rows[mid].key, key);
		if (!cmp) return &r->rows[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (r->n == r->cap) {
		int nc = r->cap ? r->cap * 2 : 32;
		void *p = realloc(r->rows, sizeof *r->rows * (size_t)nc);
		if (!p) return NULL;
		r->rows = p;
		r->cap = nc;
	}
	memmove(&r->rows[lo + 1], &r->rows[lo], sizeof *r->rows * (size_t)(r->n - lo));
	memset(&r->rows[lo], 0, sizeof r->rows[lo]);
	snprintf(r->rows[lo].currency, sizeof r->rows[lo].currency, "%s", currency);
	snprintf(r->rows[lo].key, sizeof r->rows[lo].key, "%s", key);
	r->n++;
	return &r->rows[lo];
}

static int add_to(seg_row *w, const ledger_state *st, int64_t arrears)
{
	int ov = 0;
	ov |= __builtin_add_overflow(w->loans, 1, &w->loans);
	ov |= __builtin_add_overflow(w->outstanding, st->outstanding_principal, &w->outstanding);
	ov |= __builtin_add_overflow(w->arrears, arrears, &w->arrears);
	if (st->dpd > 30) {
		ov |= __builtin_add_overflow(w->par30, st->outstanding_principal, &w->par30);
		w->par30_loans++;
	}
	return ov ? -1 : 0;
}

static void band_key(const seg_opts *o, const char *currency, int64_t outstanding, char *key, size_t cap)
{
	const currency_info *ci = currency_find(currency, strlen(currency));
	int64_t unit = 1;
	for (int e = ci ? ci->exponent : 0; e > 0; e--)
		unit *= 10;
	int64_t major = outstanding / unit;
	int i = 0;
	while (i < o->n_bands && major >= o->bands[i])
		i++;
	if (i == 0)
		snprintf(key, cap, "<%lld", (long long)o->bands[0]);
	else if (i == o->n_bands)
		snprintf(key, cap, ">=%lld", (long long)o->bands[i - 1]);
	else
		snprintf(key, cap, "%lld-%lld", (long long)o->bands[i - 1], (long long)o->bands[i]);
}

static int seg_one(void *vc, const store_account *a, const uint8_t *blob, size_t len)
{
	seg_ctx *c = vc;
	const seg_opts *o = c->o;
	if (a->kind != STORE_LOAN || a->start_on > o->as_of) return 0;
	if (o->visible && !o->visible(o->visible_ctx, a->branch, a->officer)) return 0;
	if (ledger_buf_decode(&c->buf, blob, len)) {
		snprintf(c->err, sizeof c->err, "account %s: corrupt ledger data", a->ext_id);
		return -1;
	}
	ledger_account acct = {.start_on = a->start_on, .written_off_on = a->written_off_on};
	ledger_state st;
	if (ledger_state_as_of(&acct, c->buf.ob, c->buf.n_ob, c->buf.pay, c->buf.n_pay, &ALLOC_DEFAULT,
	                       o->as_of, NULL, &st)) {
		snprintf(c->err, sizeof c->err, "account %s: invalid ledger", a->ext_id);
		return -1;
	}
	if (st.status != ACCOUNT_ACTIVE) return 0;
	int64_t arrears = 0;
	for (int k = 0; k < COMP_N; k++)
		arrears += st.arrears[k];
	char key[64];
	const char *k = "";
	switch (o->by) {
	case SEG_GRADE:
		k = grade_of(c, a->client_ext_id);
		break;
	case SEG_PRODUCT:
		k = a->product;
		break;
	case SEG_BRANCH:
		k = a->branch;
		break;
	case SEG_OFFICER:
		k = a->officer;
		break;
	case SEG_BUCKET:
		k = ledger_par_bucket_name(ledger_par_bucket(st.dpd));
		break;
	case SEG_AMOUNT_BAND:
		band_key(o, a->currency, st.outstanding_principal, key, sizeof key);
		k = key;
		break;
	default:
		break;
	}
	if (!*k) k = "(none)";
	seg_row *tot = row_of(c->r, a->currency, "");
	if (!tot || add_to(tot, &st, arrears)) goto overflow;
	seg_row *w = row_of(c->r, a->currency, k);
	if (!w || add_to(w, &st, arrears)) goto overflow;
	return 0;
overflow:
	snprintf(c->err, sizeof c->err, "amounts overflow in currency %s (or out of memory)", a->currency);
	return -1;
}

int segments_compute(store *s, const seg_opts *o, seg_result *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof *out);
	if (o->by == SEG_AMOUNT_BAND && o->n_bands < 1) {
		snprintf(err, errcap, "amount bands: expected at least one bound");
		return -1;
	}
	seg_ctx c = {.o = o, .r = out};
	if (o->by == SEG_GRADE && store_risk_grades_as_of(s, o->as_of, grade_push, &c) != STORE_OK) {
		snprintf(err, errcap, "grades: %s",
		         c.n_grades == c.cap_grades ? "out of memory" : store_errmsg(s));
		goto fail;
	}
	store_scan_filter f = {.kind = STORE_LOAN, .currency = o->currency, .by_client = o->by == SEG_GRADE};
	if (store_scan(s, &f, seg_one, &c) != STORE_OK) {
		snprintf(err, errcap, "%s", c.err[0] ? c.err : store_errmsg(s));
		goto fail;
	}
	ledger_buf_free(&c.buf);
	free(c.grades);
	return 0;
fail:
	ledger_buf_free(&c.buf);
	free(c.grades);
	segments_free(out);
	return -1;
}

void segments_free(seg_result *r)
{
	free(r->rows);
	memset(r, 0, sizeof *r);
}

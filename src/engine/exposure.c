/* exposure.c: exposure per client and group as of a day, and the posting guard (see exposure.h). */
#include "engine/exposure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "core/money.h"
#include "engine/ledger_sync.h"

/* --- sums -------------------------------------------------------------------------------------- */
static exposure_line *line_of(exposure *e, const char *currency)
{
	int i = 0;
	while (i < e->n && strcmp(e->line[i].currency, currency) < 0)
		i++;
	if (i < e->n && strcmp(e->line[i].currency, currency) == 0) return &e->line[i];
	if (e->n == EXPOSURE_MAX_CURRENCIES) return NULL;
	memmove(&e->line[i + 1], &e->line[i], sizeof e->line[0] * (size_t)(e->n - i));
	memset(&e->line[i], 0, sizeof e->line[i]);
	snprintf(e->line[i].currency, sizeof e->line[i].currency, "%s", currency);
	e->n++;
	return &e->line[i];
}

static int add(int64_t *dst, int64_t v)
{
	return __builtin_add_overflow(*dst, v, dst) ? -1 : 0;
}

typedef struct {
	char (*ids)[STORE_ID_MAX];
	int n, cap;
} id_list;

static int id_push(void *ctx, const char *id)
{
	id_list *l = ctx;
	if (l->n == l->cap) {
		int nc = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->ids, sizeof *l->ids * (size_t)nc);
		if (!p) return -1;
		l->ids = p;
		l->cap = nc;
	}
	snprintf(l->ids[l->n++], STORE_ID_MAX, "%s", id);
	return 0;
}

typedef struct {
	exposure *e;
	int overflow;
} commit_acc;

static int commit_add(void *ctx, const store_risk_commitment *c)
{
	commit_acc *a = ctx;
	exposure_line *l = line_of(a->e, c->currency);
	if (!l || add(&l->commitments, c->amount) || add(&l->total, c->amount)) a->overflow = 1;
	return a->overflow;
}

/* Adds one client's accounts and commitments into e (no limits); officer/branch: the routing of the
 * client's alerts (its active account with the largest outstanding principal, else the client's). */
static int add_client(store *s, const char *client, civil_day d, exposure *e, ledger_buf *buf, char *err,
                      size_t errcap, char officer[STORE_ID_MAX], char branch[STORE_ID_MAX])
{
	id_list ids = {0};
	int rc = -1;
	int64_t best = -1;
	if (store_risk_client_accounts(s, client, id_push, &ids) != STORE_OK) {
		snprintf(err, errcap, "client %s: accounts: %s", client, store_errmsg(s));
		goto out;
	}
	for (int i = 0; i < ids.n; i++) {
		store_account a;
		if (store_account_get(s, ids.ids[i], &a) != STORE_OK || ledger_buf_load(s, a.id, buf)) {
			snprintf(err, errcap, "account %s: %s", ids.ids[i], store_errmsg(s));
			goto out;
		}
		if (a.start_on == DATE_NONE || a.start_on > d) continue;
		if (a.written_off_on != DATE_NONE && a.written_off_on <= d) continue;
		int64_t owed;
		if (buf->n_ob == 0) {
			/* a loan whose schedule is not imported yet: all its principal is outstanding */
			owed = a.principal;
		} else {
			ledger_account acct = {.start_on = a.start_on, .written_off_on = a.written_off_on};
			ledger_state st;
			if (ledger_state_as_of(&acct, buf->ob, buf->n_ob, buf->pay, buf->n_pay,
			                       &ALLOC_DEFAULT, d, NULL, &st)) {
				snprintf(err, errcap, "account %s: invalid ledger", a.ext_id);
				goto out;
			}
			if (st.status != ACCOUNT_ACTIVE) continue;
			owed = st.outstanding_principal;
		}
		if (owed > best) {
			best = owed;
			snprintf(officer, STORE_ID_MAX, "%s", a.officer);
			snprintf(branch, STORE_ID_MAX, "%s", a.branch);
		}
		exposure_line *l = line_of(e, a.currency);
		if (!l || add(a.kind == STORE_LOAN ? &l->loans : &l->invoices, owed) ||
		    add(&l->total, owed)) {
			snprintf(err, errcap, "client %s: exposure overflows (or more than %d currencies)",
			         client, EXPOSURE_MAX_CURRENCIES);
			goto out;
		}
	}
	if (best < 0) {
		store_client c;
		store_rc cr = store_client_get(s, client, &c);
		if (cr == STORE_ERR) {
			snprintf(err, errcap, "client %s: %s", client, store_errmsg(s));
			goto out;
		}
		snprintf(officer, STORE_ID_MAX, "%s", cr == STORE_OK ? c.officer : "");
		snprintf(branch, STORE_ID_MAX, "%s", cr == STORE_OK ? c.branch : "");
	}
	commit_acc ca = {e, 0};
	if (store_risk_commitments_open(s, client, d, commit_add, &ca) != STORE_OK) {
		snprintf(err, errcap, "client %s: %s", client,
		         ca.overflow ? "exposure overflows" : store_errmsg(s));
		goto out;
	}
	rc = 0;
out:
	free(ids.ids);
	return rc;
}

static int add_limits(store *s, store_risk_subject k, const char *subject, civil_day d, exposure *e,
                      char *err, size_t errcap)
{
	for (int i = 0; i < e->n; i++) {
		store_rc rc =
		    store_risk_limit_in_force(s, k, subject, e->line[i].currency, d, &e->line[i].limit);
		if (rc == STORE_ERR) {
			snprintf(err, errcap, "limits of %s: %s", subject, store_errmsg(s));
			return -1;
		}
		e->line[i].has_limit = rc == STORE_OK;
	}
	return 0;
}

int exposure_client(store *s, const char *client, civil_day d, exposure *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof *out);
	ledger_buf buf = {0};
	int rc = add_client(s, client, d, out, &buf, err, errcap, out->officer, out->branch);
	ledger_buf_free(&buf);
	if (rc) return -1;
	return add_limits(s, RISK_SUBJECT_CLIENT, client, d, out, err, errcap);
}

int exposure_group(store *s, const char *group, civil_day d, exposure *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof *out);
	id_list members = {0};
	ledger_buf buf = {0};
	int rc = -1;
	if (store_risk_group_members(s, group, id_push, &members) != STORE_OK) {
		snprintf(err, errcap, "group %s: %s", group, store_errmsg(s));
		goto out;
	}
	for (int i = 0; i < members.n; i++) {
		char officer[STORE_ID_MAX], branch[STORE_ID_MAX];
		if (add_client(s, members.ids[i], d, out, &buf, err, errcap, officer, branch)) goto out;
		if (i == 0)
			snprintf(out->branch, sizeof out->branch, "%s", branch);
		else if (strcmp(out->branch, branch) != 0)
			out->many_branches = 1;
	}
	rc = add_limits(s, RISK_SUBJECT_GROUP, group, d, out, err, errcap);
out:
	free(members.ids);
	ledger_buf_free(&buf);
	return rc;
}

/* --- alerts ------------------------------------------------------------------------------------ */
static void fmt_money(int64_t v, const char *currency, char *buf, size_t cap)
{
	const currency_info *ci = currency_find(currency, strlen(currency));
	if (!money_format(v, ci ? ci->exponent : 0, buf, cap)) snprintf(buf, cap, "%lld", (long long)v);
}

void exposure_breach_alert(const exposure_breach *b, store_alert *a)
{
	memset(a, 0, sizeof *a);
	char day[16], ex[40], li[40], lo[40], in[40], co[40];
	date_format(b->day, day, sizeof day);
	const exposure_line *l = &b->line;
	fmt_money(l->total, l->currency, ex, sizeof ex);
	fmt_money(l->limit.amount, l->currency, li, sizeof li);
	fmt_money(l->loans, l->currency, lo, sizeof lo);
	fmt_money(l->invoices, l->currency, in, sizeof in);
	fmt_money(l->commitments, l->currency, co, sizeof co);
	const char *kind = store_risk_subject_name(b->kind);
	/* one alert per limit and day of breach: the same posting or refresh again is the same alert */
	snprintf(a->dedupe_key, sizeof a->dedupe_key, "limit_exceeded:%s:%s:%s:L%lld:%s", kind, b->subject,
	         l->currency, (long long)l->limit.id, day);
	snprintf(a->client_ext_id, sizeof a->client_ext_id, "%s", b->client_ext_id);
	a->day = b->day;
	snprintf(a->kind, sizeof a->kind, "limit_exceeded");
	snprintf(a->severity, sizeof a->severity, "critical");
	snprintf(a->reason, sizeof a->reason,
	         "%s %s: exposure %s %s above the limit %s %s (loans %s, invoices %s, commitments %s)", kind,
	         b->subject, ex, l->currency, li, l->currency, lo, in, co);
	snprintf(
	    a->details, sizeof a->details,
	    "{\"subject_kind\":\"%s\",\"subject\":\"%s\",\"currency\":\"%s\",\"exposure\":\"%s\",\"limit\":"
	    "\"%s\","
	    "\"loans\":\"%s\",\"invoices\":\"%s\",\"commitments\":\"%s\",\"limit_id\":%lld,\"day\":\"%s\"}",
	    kind, b->subject, l->currency, ex, li, lo, in, co, (long long)l->limit.id, day);
	snprintf(a->status, sizeof a->status, "open");
	if (b->kind == RISK_SUBJECT_GROUP)
		risk_alert_route_many(a, b->many_branches ? NULL : b->branch);
	else
		risk_alert_route_one(a, b->officer, b->branch);
}

/* --- the posting guard ------------------------------------------------------------------------- */
typedef struct {
	char client[STORE_ID_MAX];
	civil_day day;
	long line;
} posting;

struct exposure_guard {
	store *s;
	exposure_mode mode;
	id_list limited_clients, limited_groups; /* subjects with some limit, sorted */
	posting *p;
	int n, cap;
};

int exposure_mode_get(store *s, exposure_mode *mode, char *err, size_t errcap)
{
	char v[RISK_SETTING_MAX];
	store_rc rc = store_risk_setting_get(s, "limit_breach", v);
	*mode = EXPOSURE_FLAG;
	if (rc == STORE_ERR) {
		snprintf(err, errcap, "settings: %s", store_errmsg(s));
		return -1;
	}
	if (rc == STORE_NOT_FOUND || strcmp(v, "flag") == 0) return 0;
	if (strcmp(v, "refuse") == 0) {
		*mode = EXPOSURE_REFUSE;
		return 0;
	}
	snprintf(err, errcap, "setting limit_breach: expected flag or refuse, found \"%s\"", v);
	return -1;
}

static int collect_subject(void *ctx, const store_risk_limit *l)
{
	exposure_guard *g = ctx;
	id_list *dst = l->subject_kind == RISK_SUBJECT_GROUP ? &g->limited_groups : &g->limited_clients;
	if (dst->n && strcmp(dst->ids[dst->n - 1], l->subject) == 0) return 0; /* sorted by subject */
	return id_push(dst, l->subject);
}

static int has_id(const id_list *l, const char *id)
{
	int lo = 0, hi = l->n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(l->ids[mid], id);
		if (c == 0) return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

exposure_guard *exposure_guard_new(store *s, char *err, size_t errcap)
{
	exposure_guard *g = calloc(1, sizeof *g);
	if (!g) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	g->s = s;
	if (exposure_mode_get(s, &g->mode, err, errcap)) goto fail;
	if (store_risk_limits_each(s, collect_subject, g) != STORE_OK) {
		snprintf(err, errcap, "limits: %s", store_errmsg(s));
		goto fail;
	}
	return g;
fail:
	exposure_guard_free(g);
	return NULL;
}

void exposure_guard_free(exposure_guard *g)
{
	if (!g) return;
	free(g->limited_clients.ids);
	free(g->limited_groups.ids);
	free(g->p);
	free(g);
}

exposure_mode exposure_guard_mode(const exposure_guard *g)
{
	return g->mode;
}

int exposure_guard_note(exposure_guard *g, const char *client, civil_day d, long line)
{
	if (!g->limited_clients.n && !g->limited_groups.n) return 0;
	if (!has_id(&g->limited_clients, client)) {
		char grp[STORE_ID_MAX];
		if (!g->limited_groups.n) return 0;
		store_rc rc = store_risk_group_of(g->s, client, grp);
		if (rc == STORE_ERR) return -1;
		if (rc == STORE_NOT_FOUND || !has_id(&g->limited_groups, grp)) return 0;
	}
	if (g->n == g->cap) {
		int nc = g->cap ? g->cap * 2 : 64;
		void *p = realloc(g->p, sizeof *g->p * (size_t)nc);
		if (!p) return -1;
		g->p = p;
		g->cap = nc;
	}
	posting *p = &g->p[g->n++];
	snprintf(p->client, sizeof p->client, "%s", client);
	p->day = d;
	p->line = line;
	return 0;
}

static int check_lines(const exposure *e, store_risk_subject k, const char *subject, const posting *p,
                       exposure_breach_fn fn, void *ctx)
{
	for (int i = 0; i < e->n; i++) {
		const exposure_line *l = &e->line[i];
		if (!l->has_limit || l->total <= l->limit.amount) continue;
		exposure_breach b = {.kind = k, .day = p->day, .line = *l, .source_line = p->line};
		snprintf(b.subject, sizeof b.subject, "%s", subject);
		snprintf(b.client_ext_id, sizeof b.client_ext_id, "%s", p->client);
		snprintf(b.officer, sizeof b.officer, "%s", e->officer);
		snprintf(b.branch, sizeof b.branch, "%s", e->branch);
		b.many_branches = e->many_branches;
		if (fn(ctx, &b)) return -1;
	}
	return 0;
}

int exposure_guard_check(exposure_guard *g, exposure_breach_fn fn, void *ctx, char *err, size_t errcap)
{
	/* the last posting of each (client, day) carries the line: one check per pair */
	for (int i = 0; i < g->n; i++) {
		posting *p = &g->p[i];
		int later = 0;
		for (int j = i + 1; j < g->n && !later; j++)
			later = g->p[j].day == p->day && strcmp(g->p[j].client, p->client) == 0;
		if (later) continue;
		exposure e;
		if (has_id(&g->limited_clients, p->client)) {
			if (exposure_client(g->s, p->client, p->day, &e, err, errcap)) return -1;
			if (check_lines(&e, RISK_SUBJECT_CLIENT, p->client, p, fn, ctx)) {
				snprintf(err, errcap, "stopped");
				return -1;
			}
		}
		char grp[STORE_ID_MAX];
		store_rc rc = store_risk_group_of(g->s, p->client, grp);
		if (rc == STORE_ERR) {
			snprintf(err, errcap, "group of %s: %s", p->client, store_errmsg(g->s));
			return -1;
		}
		if (rc == STORE_OK && has_id(&g->limited_groups, grp)) {
			if (exposure_group(g->s, grp, p->day, &e, err, errcap)) return -1;
			if (check_lines(&e, RISK_SUBJECT_GROUP, grp, p, fn, ctx)) {
				snprintf(err, errcap, "stopped");
				return -1;
			}
		}
	}
	return 0;
}

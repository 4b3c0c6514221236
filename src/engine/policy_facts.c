/* policy_facts.c: see policy_facts.h. */
#include "engine/policy_facts.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store/store_risk.h"

typedef struct {
	char *client; /* NULL = empty slot */
	char grade[8];
	civil_day next_score; /* the client's first score after the day (DATE_NONE: none) */
} grade_slot;

struct policy_facts {
	int64_t *ids; /* accounts with facts, ascending */
	size_t n_ids, cap_ids;
	grade_slot *g; /* open addressing, power-of-two size */
	size_t g_cap, g_n;
	store_work_facts wf;
	policy_promise *pr;
	policy_hold *pause, *excl;
	policy_fact_event *ev;
	int cap_pr, cap_hold, cap_ev;
	int oom;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int grade_grow(policy_facts *f)
{
	size_t nc = f->g_cap ? f->g_cap * 2 : 1024;
	grade_slot *ng = calloc(nc, sizeof *ng);
	if (!ng) return -1;
	for (size_t i = 0; i < f->g_cap; i++) {
		if (!f->g[i].client) continue;
		size_t k = hash(f->g[i].client) & (nc - 1);
		while (ng[k].client)
			k = (k + 1) & (nc - 1);
		ng[k] = f->g[i];
	}
	free(f->g);
	f->g = ng;
	f->g_cap = nc;
	return 0;
}

static grade_slot *slot_of(policy_facts *f, const char *client)
{
	if ((f->g_n + 1) * 2 > f->g_cap && grade_grow(f)) return NULL;
	size_t k = hash(client) & (f->g_cap - 1);
	while (f->g[k].client && strcmp(f->g[k].client, client) != 0)
		k = (k + 1) & (f->g_cap - 1);
	if (!f->g[k].client) {
		f->g[k].client = strdup(client);
		if (!f->g[k].client) return NULL;
		f->g[k].grade[0] = '\0';
		f->g[k].next_score = DATE_NONE;
		f->g_n++;
	}
	return &f->g[k];
}

static int on_grade(void *ctx, const char *client, const char *grade, civil_day scored_on)
{
	(void)scored_on;
	policy_facts *f = ctx;
	grade_slot *g = slot_of(f, client);
	if (!g) {
		f->oom = 1;
		return 1;
	}
	snprintf(g->grade, sizeof g->grade, "%s", grade);
	return 0;
}

static int on_next_score(void *ctx, const char *client, civil_day day)
{
	policy_facts *f = ctx;
	grade_slot *g = slot_of(f, client);
	if (!g) {
		f->oom = 1;
		return 1;
	}
	g->next_score = day;
	return 0;
}

civil_day policy_facts_next_grade_day(const policy_facts *f, const char *client)
{
	if (!f->g_cap) return DATE_NONE;
	size_t k = hash(client) & (f->g_cap - 1);
	while (f->g[k].client) {
		if (strcmp(f->g[k].client, client) == 0) return f->g[k].next_score;
		k = (k + 1) & (f->g_cap - 1);
	}
	return DATE_NONE;
}

const char *policy_facts_grade(const policy_facts *f, const char *client)
{
	if (!f->g_cap) return "";
	size_t k = hash(client) & (f->g_cap - 1);
	while (f->g[k].client) {
		if (strcmp(f->g[k].client, client) == 0) return f->g[k].grade;
		k = (k + 1) & (f->g_cap - 1);
	}
	return "";
}

static int on_account(void *ctx, int64_t id)
{
	policy_facts *f = ctx;
	if (f->n_ids == f->cap_ids) {
		size_t nc = f->cap_ids ? f->cap_ids * 2 : 1024;
		int64_t *ni = realloc(f->ids, nc * sizeof *ni);
		if (!ni) {
			f->oom = 1;
			return 1;
		}
		f->ids = ni;
		f->cap_ids = nc;
	}
	f->ids[f->n_ids++] = id;
	return 0;
}

int policy_facts_has(const policy_facts *f, int64_t id)
{
	size_t lo = 0, hi = f->n_ids;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n_ids && f->ids[lo] == id;
}

void policy_facts_close(policy_facts *f)
{
	if (!f) return;
	for (size_t i = 0; i < f->g_cap; i++)
		free(f->g[i].client);
	free(f->g);
	free(f->ids);
	store_work_facts_free(&f->wf);
	free(f->pr);
	free(f->pause);
	free(f->excl);
	free(f->ev);
	free(f);
}

policy_facts *policy_facts_open(store *s, civil_day grade_day, char *err, size_t errcap)
{
	policy_facts *f = calloc(1, sizeof *f);
	if (!f) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	if (store_work_fact_accounts(s, on_account, f) != STORE_OK || f->oom) {
		snprintf(err, errcap, "facts: %s", f->oom ? "out of memory" : store_errmsg(s));
		policy_facts_close(f);
		return NULL;
	}
	int scored = grade_day != DATE_NONE ? store_risk_has_scores(s) : 0;
	if (scored < 0) {
		snprintf(err, errcap, "grades: %s", store_errmsg(s));
		policy_facts_close(f);
		return NULL;
	}
	/* no score stored (no risk refresh yet): every grade is "", nothing to read per client */
	if (scored && (store_risk_grades_as_of(s, grade_day, on_grade, f) != STORE_OK || f->oom ||
	                               store_risk_next_scores(s, grade_day, on_next_score, f) != STORE_OK || f->oom)) {
		snprintf(err, errcap, "grades: %s", f->oom ? "out of memory" : store_errmsg(s));
		policy_facts_close(f);
		return NULL;
	}
	return f;
}

static int ensure(void **arr, int *cap, int need, size_t size)
{
	if (need <= *cap) return 0;
	int nc = *cap ? *cap : 8;
	while (nc < need)
		nc *= 2;
	void *p = realloc(*arr, size * (size_t)nc);
	if (!p) return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

int policy_facts_fill(policy_facts *f, store *s, const store_account *a, civil_day until, policy_account *pa,
                      char *err, size_t errcap)
{
	pa->grade = policy_facts_grade(f, a->client_ext_id);
	pa->promises = NULL;
	pa->n_promises = pa->n_pauses = pa->n_exclusions = pa->n_events = 0;
	pa->pauses = pa->exclusions = NULL;
	pa->events = NULL;
	if (!policy_facts_has(f, a->id)) return 0;
	store_work_facts *w = &f->wf;
	w->n_promises = w->n_holds = w->n_events = 0;
	if (store_work_facts_get(s, a->id, until, w) != STORE_OK) {
		snprintf(err, errcap, "account %s: facts: %s", a->ext_id, store_errmsg(s));
		return -1;
	}
	int nh = w->n_holds;
	if (ensure((void **)&f->pr, &f->cap_pr, w->n_promises, sizeof *f->pr) ||
	    ensure((void **)&f->ev, &f->cap_ev, w->n_events, sizeof *f->ev)) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	if (nh > f->cap_hold) {
		policy_hold *p1 = realloc(f->pause, sizeof *p1 * (size_t)nh);
		if (p1) f->pause = p1;
		policy_hold *p2 = realloc(f->excl, sizeof *p2 * (size_t)nh);
		if (p2) f->excl = p2;
		if (!p1 || !p2) {
			snprintf(err, errcap, "out of memory");
			return -1;
		}
		f->cap_hold = nh;
	}
	for (int i = 0; i < w->n_promises; i++)
		f->pr[i] = (policy_promise){.made_on = w->promises[i].made_on,
		                            .due_on = w->promises[i].due_on,
		                            .amount = w->promises[i].amount,
		                            .ref = w->promises[i].ref};
	int np = 0, ne = 0;
	for (int i = 0; i < nh; i++) {
		policy_hold h = {.from = w->holds[i].from_on, .to = w->holds[i].to_on, .reason = ""};
		if (w->holds[i].kind == HOLD_PAUSE)
			f->pause[np++] = h;
		else
			f->excl[ne++] = h;
	}
	for (int i = 0; i < w->n_events; i++) {
		static const policy_event kinds[] = {PEV_TASK_FAILED, PEV_TASK_OVERDUE, PEV_ALERT};
		int k = w->events[i].kind;
		f->ev[i] = (policy_fact_event){.day = w->events[i].day,
		                               .kind = k >= 0 && k < 3 ? kinds[k] : PEV_ALERT,
		                               .name = w->events[i].name,
		                               .ref = w->events[i].ref};
	}
	pa->promises = f->pr;
	pa->n_promises = w->n_promises;
	pa->pauses = f->pause;
	pa->n_pauses = np;
	pa->exclusions = f->excl;
	pa->n_exclusions = ne;
	pa->events = f->ev;
	pa->n_events = w->n_events;
	return 0;
}

/* simulate.c: replays a policy over the store without writing (see simulate.h). */
#include "engine/simulate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ledger_sync.h"
#include "engine/policy_facts.h"

const char *simulate_count_name(int k)
{
	static const char *const extra[] = {"sms", "email", "letter", "case_closed"};
	if (k >= 0 && k < PACT_N) return policy_action_name((policy_action)k);
	if (k >= SIM_SMS && k < SIM_NCOUNT) return extra[k - SIM_SMS];
	return "?";
}

typedef struct {
	const simulate_opts *o;
	simulate_result *r;
	simulate_fn fn;
	void *fn_ctx;
	const store_account *cur;
	store *s;
	policy_facts *facts;
	int hit;
	ledger_buf buf;
	int64_t (*work)[COMP_N];
	int cap_work;
	char err[256];
} sim_ctx;

static int on_decision(void *vc, const policy_decision *d)
{
	sim_ctx *c = vc;
	simulate_result *r = c->r;
	int64_t *row = r->day[d->day - c->o->from];
	int ks[1 + PCH_N], n = 0;
	if (d->kind == PDEC_CASE_CLOSED) {
		ks[n++] = SIM_CLOSED;
	} else {
		ks[n++] = (int)d->s->action;
		if (d->s->action == PACT_MESSAGE)
			for (int i = 0; i < PCH_N; i++)
				if (d->s->channels & (1u << i)) ks[n++] = SIM_SMS + i;
	}
	for (int i = 0; i < n; i++) {
		row[ks[i]]++;
		r->total[ks[i]]++;
	}
	r->decisions++;
	c->hit = 1;
	if (c->fn && c->fn(c->fn_ctx, c->cur, d)) {
		snprintf(c->err, sizeof c->err, "writing the decisions failed");
		return -1;
	}
	return 0;
}

int simulate_account_facts(const store_account *a, const uint8_t *blob, size_t len, const alloc_order *order,
                           ledger_buf *buf, int64_t (**work)[COMP_N], int *cap_work, policy_account *pa,
                           char *err, size_t errcap)
{
	if (ledger_buf_decode(buf, blob, len)) {
		snprintf(err, errcap, "account %s: corrupt ledger data", a->ext_id);
		return -1;
	}
	if (buf->n_ob > *cap_work) {
		int nc = buf->n_ob * 2;
		void *np = realloc(*work, sizeof **work * (size_t)nc);
		if (!np) {
			snprintf(err, errcap, "out of memory");
			return -1;
		}
		*work = np;
		*cap_work = nc;
	}
	*pa = (policy_account){.id = a->ext_id,
	                       .is_invoice = a->kind == STORE_INVOICE,
	                       .product = a->product,
	                       .branch = a->branch,
	                       .grade = "",
	                       .currency = a->currency,
	                       .amount = a->principal,
	                       .start_on = a->start_on,
	                       .written_off_on = a->written_off_on,
	                       .ob = buf->ob,
	                       .n_ob = buf->n_ob,
	                       .pay = buf->pay,
	                       .n_pay = buf->n_pay,
	                       .order = *order,
	                       .work = *work};
	return 0;
}

static int one(void *vc, const store_account *a, const uint8_t *blob, size_t len)
{
	sim_ctx *c = vc;
	if (c->o->account && strcmp(c->o->account, a->ext_id) != 0) return 0;
	if (a->start_on > c->o->to) return 0;
	policy_account pa;
	if (simulate_account_facts(a, blob, len, &c->o->order, &c->buf, &c->work, &c->cap_work, &pa, c->err,
	                           sizeof c->err))
		return -1;
	if (policy_facts_fill(c->facts, c->s, a, c->o->to, &pa, c->err, sizeof c->err)) return -1;
	c->cur = a;
	c->hit = 0;
	c->r->accounts++;
	policy_err e = policy_evaluate_range(c->o->p, &pa, c->o->from, c->o->to, on_decision, c);
	if (e) {
		if (!c->err[0])
			snprintf(c->err, sizeof c->err, "account %s: %s", a->ext_id, policy_strerror(e));
		return -1;
	}
	c->r->accounts_hit += c->hit;
	return 0;
}

int simulate_run(store *s, const simulate_opts *o, simulate_fn fn, void *ctx, simulate_result *r, char *err,
                 size_t errcap)
{
	memset(r, 0, sizeof *r);
	if (o->from == DATE_NONE || o->to == DATE_NONE || o->to < o->from ||
	    (int64_t)o->to - o->from + 1 > SIM_MAX_DAYS) {
		snprintf(err, errcap, "the range must be from <= to and at most %d days", SIM_MAX_DAYS);
		return -1;
	}
	r->n_days = o->to - o->from + 1;
	r->day = calloc((size_t)r->n_days, sizeof *r->day);
	if (!r->day) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	sim_ctx c = {.o = o, .r = r, .fn = fn, .fn_ctx = ctx, .s = s};
	/* grades as of the first day: what was known when the replayed period began */
	c.facts = policy_facts_open(s, o->from, err, errcap);
	if (!c.facts) {
		simulate_result_free(r);
		return -1;
	}
	store_scan_filter f = {.kind = -1, .currency = NULL, .by_client = 0};
	store_rc rc = store_scan(s, &f, one, &c);
	ledger_buf_free(&c.buf);
	free(c.work);
	policy_facts_close(c.facts);
	if (rc != STORE_OK) {
		snprintf(err, errcap, "%s", c.err[0] ? c.err : store_errmsg(s));
		simulate_result_free(r);
		return -1;
	}
	return 0;
}

void simulate_result_free(simulate_result *r)
{
	free(r->day);
	r->day = NULL;
}

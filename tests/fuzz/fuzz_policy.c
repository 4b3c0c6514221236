/* fuzz_policy.c: libFuzzer target for the YAML policy loader (src/io/policy_file.c, with libyaml).
 * Any input must be either refused with at least one message (each "LABEL:..." and NUL-terminated)
 * and an empty policy, or give a policy within the model's bounds that the core can evaluate on a
 * small loan over a year without error. Build: make fuzz (then build/fuzz/fuzz_policy
 * -max_total_time=60 policies/). Seeds: the files in policies/. */
#include "io/policy_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_fn(void *ctx, const policy_decision *d)
{
	if (!d->dedupe[0]) abort();
	(*(int *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static policy p;
	static pf_errors e;
	pf_err rc = policy_file_parse((const char *)data, size, "fuzz", &p, &e);
	if (rc != PF_OK) {
		if (e.n < 1 || p.n_seg != 0) abort();
		for (int i = 0; i < e.n; i++)
			if (strncmp(e.msg[i], "fuzz", 4) != 0 || !memchr(e.msg[i], 0, PF_MSG_MAX)) abort();
		return 0;
	}
	if (p.n_seg < 1 || p.n_seg > POLICY_MAX_SEGMENTS || p.version < 1) abort();
	for (int g = 0; g < p.n_seg; g++) {
		if (p.seg[g].n_steps < 1 || p.seg[g].n_steps > POLICY_MAX_STEPS) abort();
		for (int k = 0; k < p.seg[g].n_steps; k++) {
			const policy_step *s = &p.seg[g].steps[k];
			if (s->action == PACT_MESSAGE && (!s->channels || !s->template_name[0])) abort();
			if (s->every < 0 || s->times < 1) abort();
		}
	}
	/* a 3-installment loan, one partial payment, over a year */
	obligation ob[3];
	int64_t work[3][COMP_N];
	for (int i = 0; i < 3; i++)
		ob[i] = (obligation){.due_on = 19783 + 30 * (i + 1), .amount = {[COMP_PRINCIPAL] = 40000}};
	ledger_payment pay[1] = {{19783 + 45, DATE_NONE, 30000}};
	policy_account a = {.id = "L",
	                    .product = "individual",
	                    .branch = "",
	                    .grade = "",
	                    .currency = "XOF",
	                    .amount = 120000,
	                    .start_on = 19783,
	                    .written_off_on = DATE_NONE,
	                    .ob = ob,
	                    .n_ob = 3,
	                    .pay = pay,
	                    .n_pay = 1,
	                    .order = ALLOC_DEFAULT,
	                    .work = work};
	int n = 0;
	if (policy_evaluate_range(&p, &a, 19783 - 10, 19783 + 365, count_fn, &n) != POLICY_OK) abort();
	return 0;
}

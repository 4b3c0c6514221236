/* fuzz_model.c: libFuzzer target for the scorecard model file reader (src/io/model_file.c, with
 * jansson). Any input must be either refused with a message or give a finished model whose every
 * point, WoE and coefficient is finite; such a model is written back, read again, and the two must
 * score a set of probe values (each bin's bounds, NaN, each category, an unseen one) identically.
 * Build: make fuzz (then build/fuzz/fuzz_model -max_total_time=60). A seed: any model.json written
 * by `vigie score train`. */
#include "io/model_file.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The score of one probe row: variable j takes its probe value k (cycling through its bins). */
static double probe(const sc_model *m, int k)
{
	uint8_t bins[SC_MAX_VARS];
	for (int j = 0; j < m->n_vars; j++) {
		const sc_var *v = &m->vars[j];
		const sc_bin *b = &v->bins[k % v->n_bins];
		int bin;
		if (v->categorical)
			bin = b->kind == SC_BIN_LEVEL
			          ? sc_bin_of_text(v, b->label)
			          : sc_bin_of_text(v, b->kind == SC_BIN_MISSING ? NULL : "\x01unseen");
		else
			bin = b->kind == SC_BIN_MISSING
			          ? sc_bin_of_number(v, NAN)
			          : sc_bin_of_number(v, isfinite(b->lo) ? b->lo : b->hi - 1);
		if (bin < 0 || bin >= v->n_bins) abort();
		bins[j] = (uint8_t)bin;
	}
	return sc_score_bins(m, bins);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	sc_model *m = NULL;
	mf_err e = model_file_parse((const char *)data, size, "fuzz", &m, err, sizeof err);
	if (e) {
		if (m || !err[0]) abort(); /* refused: no model, and a reason */
		return 0;
	}
	for (int j = 0; j < m->n_vars; j++) {
		const sc_var *v = &m->vars[j];
		if (!isfinite(v->coef)) abort();
		for (int b = 0; b < v->n_bins; b++)
			if (!isfinite(v->bins[b].points) || !isfinite(v->bins[b].woe)) abort();
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f || model_file_write(f, m) != MF_OK) abort();
	fclose(f);
	sc_model *m2 = NULL;
	if (model_file_parse(buf, len, "again", &m2, err, sizeof err) != MF_OK) abort(); /* reads back */
	for (int k = 0; k < SC_MAX_BINS; k++) {
		double a = probe(m, k), b = probe(m2, k);
		if (!(a == b) && !(isnan(a) && isnan(b))) abort();
		if (sc_grade_of(m, a) != sc_grade_of(m2, b)) abort();
	}
	free(buf);
	sc_model_free(m);
	sc_model_free(m2);
	return 0;
}

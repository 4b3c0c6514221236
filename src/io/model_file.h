/* model_file.h: the scorecard model file: JSON, versioned ("format": "vigie-scorecard",
 * "version": 1), written with io/json_out.h and read with jansson, meant to be read by a risk
 * manager: every variable with its bins (bounds or categories), training counts, WoE, coefficient
 * and points per bin (exact and rounded), the scaling (base score, base odds, pdo, factor, offset),
 * the grade cut-offs and a training summary. The layout is documented in docs/scoring.md.
 * Promises: numbers are written in the shortest form that reads back exactly, so a model written
 * then read scores every row exactly as before; the reader refuses (with the JSON path of the fault)
 * a file over MF_MAX_BYTES, another format or version, a missing or mistyped field, an inconsistent
 * model (sc_model_finish), and points that do not follow from the coefficients and WoE (a file
 * edited by hand must stay consistent). Unknown keys are ignored. */
#ifndef VIGIE_MODEL_FILE_H
#define VIGIE_MODEL_FILE_H
#include <stddef.h>
#include <stdio.h>

#include "core/scorecard.h"

#define MF_FORMAT    "vigie-scorecard"
#define MF_VERSION   1
#define MF_MAX_BYTES ((size_t)64 << 20)

typedef enum {
	MF_OK = 0,
	MF_ERR_IO,      /* cannot open, read or write the file */
	MF_ERR_JSON,    /* not JSON */
	MF_ERR_FORMAT,  /* not a Vigie scorecard, or another version */
	MF_ERR_INVALID, /* a field missing, mistyped or inconsistent */
	MF_ERR_NOMEM,
	MF_ERR_TOO_LARGE,
} mf_err;

const char *model_file_strerror(mf_err e);

/* Writes the model as JSON to f. */
mf_err model_file_write(FILE *f, const sc_model *m);
/* Writes the model to path (through path.tmp renamed, so a reader never sees half a file). */
mf_err model_file_save(const char *path, const sc_model *m, char *err, size_t cap);
/* Reads a model from a buffer; label names it in messages. *out is a finished model. */
mf_err model_file_parse(const char *buf, size_t len, const char *label, sc_model **out, char *err,
                        size_t cap);
/* Reads a model from a file. */
mf_err model_file_load(const char *path, sc_model **out, char *err, size_t cap);

#endif

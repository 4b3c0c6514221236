/* dataset.h: reads a CSV data set (a header row, then one row per client) into columns, for the
 * scorecard (`vigie score`). Built on io/csv.h, so it inherits its bounds (field and row sizes,
 * UTF-8) and its line numbers.
 * Promises:
 *   - a column's kind is given by the caller or detected: numeric when every non-missing value is a
 *     number (decimal syntax, surrounding blanks allowed), categorical text otherwise;
 *   - missing is an empty (or blank) field or "NA" (R's spelling), in every kind of column;
 *   - "inf", "nan", "infinity" (any case, signed) and numbers that overflow a double are refused in
 *     a numeric column, never read as values;
 *   - every bad row and field is reported as FILE:LINE: field: expected ..., found "..." (at most
 *     max_errors of them, then a count), and a data set with any error is not returned;
 *   - at most DS_MAX_ROWS rows; a file is read twice when a kind must be detected; standard input
 *     ("-") is held in memory, at most DS_MAX_STDIN bytes. */
#ifndef VIGIE_DATASET_H
#define VIGIE_DATASET_H
#include <stddef.h>
#include <stdint.h>

#define DS_MAX_ROWS   100000000u
#define DS_MAX_STDIN  ((size_t)8 << 30)
#define DS_MAX_ERRORS 20

typedef enum {
	DS_OK = 0,
	DS_ERR_OPEN,      /* the file cannot be opened or read */
	DS_ERR_BAD_INPUT, /* malformed content: the message lists FILE:LINE: errors */
	DS_ERR_NOMEM,     /* out of memory */
	DS_ERR_TOO_LARGE, /* over DS_MAX_ROWS rows or DS_MAX_STDIN bytes */
	DS_ERR_ARG,       /* a bad call */
} ds_err;

const char *dataset_strerror(ds_err e);

typedef enum {
	DS_AUTO = 0, /* detect: DS_NUMERIC or DS_TEXT */
	DS_NUMERIC,  /* numbers; missing = NaN */
	DS_TEXT,     /* categories, interned; missing = code -1 */
	DS_BINARY,   /* 0 or 1, never missing (an outcome) */
	DS_ID,       /* one non-empty text per row, not interned (client ids) */
	DS_SKIP,     /* not read */
} ds_kind;

typedef struct {
	const char *name;
	ds_kind kind;
	int required; /* an error when the header lacks it */
} ds_want;

typedef struct {
	const ds_want *want;
	int n_want;
	ds_kind others; /* columns not in want: DS_AUTO (read, kind detected) or DS_SKIP */
	int max_errors; /* 0: DS_MAX_ERRORS */
} ds_opts;

typedef struct {
	char *name;
	ds_kind kind;  /* DS_NUMERIC, DS_TEXT, DS_BINARY or DS_ID */
	double *num;   /* DS_NUMERIC, DS_BINARY: a value per row (NaN = missing) */
	int32_t *code; /* DS_TEXT: a level per row, -1 = missing */
	char **levels; /* DS_TEXT: level names in order of first appearance */
	int32_t n_levels;
	char *text; /* DS_ID: row i's text is text + off[i] */
	size_t *off;
	size_t n_missing;
	/* private */
	uint32_t *slots;
	uint32_t n_slots;
	size_t text_len, text_cap;
	int32_t levels_cap;
} ds_column;

typedef struct {
	size_t n_rows;
	int n_cols;
	ds_column *cols; /* in header order; skipped columns are absent */
	long *line;      /* the file line where each row starts */
	size_t rows_cap;
} dataset;

/* Reads path ("-": standard input); label names the file in messages (NULL: path). On failure err
 * holds the reason, one line per error (FILE:LINE: field: expected ..., found "..."). */
ds_err dataset_read(const char *path, const char *label, const ds_opts *o, dataset **out, char *err,
                    size_t errcap);
/* The same from a caller-owned buffer. */
ds_err dataset_read_memory(const char *buf, size_t len, const char *label, const ds_opts *o, dataset **out,
                           char *err, size_t errcap);
/* Index of the column named name, or -1. */
int dataset_find(const dataset *d, const char *name);
/* The text of a DS_TEXT or DS_ID column at a row (NULL when missing or not text). */
const char *dataset_text(const dataset *d, int col, size_t row);
void dataset_free(dataset *d);

typedef enum { DS_NUM_MISSING, DS_NUM_FINITE, DS_NUM_NONFINITE, DS_NUM_TEXT } ds_num_class;
/* Classifies one field (NUL-terminated at s[len]) and, for DS_NUM_FINITE, stores its value. */
ds_num_class dataset_parse_number(const char *s, size_t len, double *out);

#endif

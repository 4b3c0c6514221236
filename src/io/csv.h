/* csv.h: a streaming RFC 4180 CSV reader with line numbers, for imports.
 * Promises: reads a file in large blocks (memory bounded by the longest row, never the file);
 * accepts a UTF-8 BOM at the start, LF or CRLF line ends, quoted fields with "" escapes and embedded
 * commas and line breaks; rejects (with the line number and what was wrong) an unterminated quote, a
 * quote inside an unquoted field, text after a closing quote, a field over CSV_FIELD_MAX bytes, a row
 * over CSV_FIELDS_MAX fields, a NUL byte, and invalid UTF-8. After a row-level error the reader
 * resynchronises at the next line so every bad row can be reported; a fatal error (unterminated quote
 * at end of file, read error) ends the reading with CSV_FATAL.
 * A blank line (nothing between two line ends) is skipped. */
#ifndef VIGIE_CSV_H
#define VIGIE_CSV_H
#include <stddef.h>

#define CSV_FIELD_MAX 65536
#define CSV_FIELDS_MAX 256

typedef struct csv_reader csv_reader;

typedef struct {
	int n;                 /* number of fields */
	char *const *field;    /* field[i] is NUL-terminated, unescaped; valid until the next csv_next */
	const size_t *len;     /* len[i] = strlen-equivalent byte length of field[i] */
	long line;             /* line number (1-based) where the row starts */
} csv_row;

typedef enum {
	CSV_EOF = 0,
	CSV_ROW = 1,
	CSV_BAD_ROW = 2, /* this row is malformed: csv_errmsg() and csv_errline() say why; go on */
	CSV_FATAL = 3,   /* cannot go on (I/O error, unterminated quote at EOF): csv_errmsg() */
} csv_rc;

/* Opens a file ("-" is standard input). NULL on failure with the reason in err. */
csv_reader *csv_open(const char *path, char *err, size_t errcap);
/* Reads from a caller-owned buffer (not copied; must outlive the reader). */
csv_reader *csv_open_memory(const char *buf, size_t len);
csv_rc csv_next(csv_reader *r, csv_row *row);
const char *csv_errmsg(const csv_reader *r); /* e.g. "unterminated quoted field" */
long csv_errline(const csv_reader *r);
void csv_close(csv_reader *r);

#endif

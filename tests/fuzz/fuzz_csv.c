/* fuzz_csv.c: libFuzzer target for the CSV reader (src/io/csv.c), an RFC 4180
 * (https://www.rfc-editor.org/rfc/rfc4180) reader. Reads the input from memory until EOF or FATAL
 * and checks the promises of csv.h: 1 <= n <= CSV_FIELDS_MAX, len[i] == strlen(field[i]) <=
 * CSV_FIELD_MAX, every field valid UTF-8, row lines never decrease, an error line is not before its
 * row, the reader ends within one call per input byte, EOF and FATAL are sticky. Then it writes the
 * good rows back as CSV (every field quoted) and reads that again: the same fields must come back.
 * Build: clang -std=c17 -D_DEFAULT_SOURCE -Isrc -g -O1 -fsanitize=fuzzer,address,undefined \
 *          tests/fuzz/fuzz_csv.c src/io/csv.c -o /tmp/fuzz_csv   (or: make fuzz) */
#include "io/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	char *s;
	size_t len, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n)
			cap *= 2;
		b->s = realloc(b->s, cap);
		if (!b->s) abort();
		b->cap = cap;
	}
	if (n) memcpy(b->s + b->len, p, n);
	b->len += n;
}

/* RFC 3629 validity: no overlongs, no surrogates, nothing above U+10FFFF. */
static int valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		uint32_t cp;
		size_t k;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			k = 1, cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2, cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3, cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= k) return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80) return 0;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* Reads everything; appends each good row (fields as "len:bytes") to rows and, if csv is not
 * NULL, the row written back as CSV. */
static void run(const char *in, size_t size, buf *rows, buf *csv)
{
	csv_reader *r = csv_open_memory(in, size);
	if (!r) abort();
	csv_row row;
	long last = 0;
	csv_rc rc;
	for (size_t calls = 0;; calls++) {
		if (calls > size + 2) abort(); /* every call but the last consumes input */
		rc = csv_next(r, &row);
		if (rc == CSV_EOF || rc == CSV_FATAL) break;
		if (rc != CSV_ROW && rc != CSV_BAD_ROW) abort();
		if (row.line < last || row.line < 1) abort();
		last = row.line;
		if (rc == CSV_BAD_ROW) {
			if (csv_errline(r) < row.line || !csv_errmsg(r)[0]) abort();
			continue;
		}
		if (row.n < 1 || row.n > CSV_FIELDS_MAX) abort();
		for (int i = 0; i < row.n; i++) {
			if (row.len[i] != strlen(row.field[i]) || row.len[i] > CSV_FIELD_MAX) abort();
			if (!valid_utf8((const unsigned char *)row.field[i], row.len[i])) abort();
			put(rows, &row.len[i], sizeof row.len[i]);
			put(rows, row.field[i], row.len[i]);
			if (csv) {
				put(csv, i ? ",\"" : "\"", i ? 2 : 1);
				for (const char *p = row.field[i]; *p; p++) {
					put(csv, p, 1);
					if (*p == '"') put(csv, "\"", 1);
				}
				put(csv, "\"", 1);
			}
		}
		put(rows, "\n", 1);
		if (csv) put(csv, "\r\n", 2);
	}
	if (rc == CSV_FATAL && !csv_errmsg(r)[0]) abort();
	if (csv_next(r, &row) != rc) /* sticky */
		abort();
	csv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	buf rows = {0}, csv = {0}, again = {0};
	run((const char *)data, size, &rows, &csv);
	run(csv.s, csv.len, &again, NULL);
	if (rows.len != again.len || (rows.len && memcmp(rows.s, again.s, rows.len) != 0))
		abort(); /* the rows written back did not read back the same */
	free(rows.s);
	free(csv.s);
	free(again.s);
	return 0;
}

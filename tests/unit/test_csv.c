/* test_csv.c: unit tests of the streaming CSV reader (src/io/csv.c, contract in src/io/csv.h), which
 * reads RFC 4180 CSV (https://www.rfc-editor.org/rfc/rfc4180) plus a BOM, blank lines, UTF-8 checks.
 * Each table case runs three ways: from memory, from a temporary file, and from standard input fed
 * one byte per read(2) (an AF_UNIX SOCK_SEQPACKET socket keeps message boundaries), so that every
 * construct also lands on a block boundary. Then: fields of CSV_FIELD_MAX bytes and one more,
 * CSV_FIELDS_MAX fields and one more, a file of several blocks with constructs straddling the block
 * boundaries (compared with the memory reader), random inputs (memory vs. chunked vs. file), the
 * fixtures in tests/unit/fixtures/csv/, open errors and read errors. */
#include "io/csv.h"
#include "t.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CSV_BLOCK
#define CSV_BLOCK (1u << 20) /* the reader's block size (src/io/csv.c) */
#endif

/* ---- growable string ---- */
typedef struct {
	char *s;
	size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = realloc(b->s, cap);
		if (!b->s) {
			perror("realloc");
			exit(2);
		}
		b->cap = cap;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_printf(sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	sb_add(b, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void sb_repeat(sbuf *b, char c, size_t n)
{
	char chunk[4096];
	memset(chunk, c, sizeof chunk);
	while (n) {
		size_t k = n < sizeof chunk ? n : sizeof chunk;
		sb_add(b, chunk, k);
		n -= k;
	}
}

/* A field, readable: \n \r \\ | and non-ASCII bytes escaped; long fields abbreviated. */
static void sb_field(sbuf *b, const char *f, size_t len)
{
	if (len > 80) {
		sb_printf(b, "<%zu bytes %02x..%02x>", len, (unsigned char)f[0], (unsigned char)f[len - 1]);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)f[i];
		if (c == '\n')
			sb_str(b, "\\n");
		else if (c == '\r')
			sb_str(b, "\\r");
		else if (c == '\\' || c == '|')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			sb_printf(b, "\\x%02x", c);
		else
			sb_add(b, &c, 1);
	}
}

/* ---- traces: what a reader returns, as text ---- */
static const char *rc_name(csv_rc rc)
{
	switch (rc) {
	case CSV_EOF:
		return "EOF";
	case CSV_ROW:
		return "ROW";
	case CSV_BAD_ROW:
		return "BAD";
	case CSV_FATAL:
		return "FATAL";
	}
	return "?";
}

/* Reads r to its end (EOF or FATAL, then once more: both are sticky) and writes one line per result:
 * "ROW <line> [f1|f2]", "BAD <line> @<errline> <message>", "FATAL @<errline> <message>", "EOF".
 * Checks the invariants of csv.h on the way and writes "!..." into the trace when one breaks. */
static void trace(csv_reader *r, sbuf *out)
{
	csv_row row;
	long last_line = 0;
	int terminal = 0;
	for (long calls = 0;; calls++) {
		csv_rc rc = csv_next(r, &row);
		sb_str(out, rc_name(rc));
		if (rc == CSV_ROW || rc == CSV_BAD_ROW) {
			sb_printf(out, " %ld", row.line);
			if (row.line < last_line) sb_str(out, " !LINE_DECREASED");
			last_line = row.line;
		}
		if (rc == CSV_ROW) {
			sb_str(out, " [");
			if (row.n < 1 || row.n > CSV_FIELDS_MAX) sb_printf(out, "!N=%d", row.n);
			for (int i = 0; i < row.n && i < CSV_FIELDS_MAX; i++) {
				if (i) sb_str(out, "|");
				sb_field(out, row.field[i], row.len[i]);
				if (strlen(row.field[i]) != row.len[i])
					sb_printf(out, "!LEN(%zu!=%zu)", strlen(row.field[i]), row.len[i]);
			}
			sb_str(out, "]");
		} else if (rc == CSV_BAD_ROW || rc == CSV_FATAL) {
			sb_printf(out, " @%ld %s", csv_errline(r), csv_errmsg(r));
			if (rc == CSV_BAD_ROW && csv_errline(r) < row.line)
				sb_str(out, " !ERRLINE_BEFORE_ROW");
		}
		sb_str(out, "\n");
		if (rc == CSV_EOF || rc == CSV_FATAL) {
			if (++terminal == 2) break;
		} else if (terminal) {
			sb_str(out, "!NOT_STICKY\n");
			break;
		}
		if (calls > 10000000) {
			sb_str(out, "!RUNAWAY\n");
			break;
		}
	}
}

/* ---- the three ways to read ---- */
static char *write_temp(const void *data, size_t len)
{
	char *path = strdup("/tmp/test_csv.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n <= 0) {
			perror("write");
			exit(2);
		}
		p += n;
		len -= (size_t)n;
	}
	close(fd);
	return path;
}

static void trace_memory(const char *data, size_t len, sbuf *out)
{
	csv_reader *r = csv_open_memory(data, len);
	if (!r) {
		sb_str(out, "!OPEN\n");
		return;
	}
	trace(r, out);
	csv_close(r);
}

static void trace_file(const char *data, size_t len, sbuf *out)
{
	char err[256];
	char *path = write_temp(data, len);
	csv_reader *r = csv_open(path, err, sizeof err);
	if (!r) {
		sb_printf(out, "!OPEN %s\n", err);
	} else {
		trace(r, out);
		csv_close(r);
	}
	unlink(path);
	free(path);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Reads data through "-" (standard input), fed by a child process in messages of 1..maxchunk bytes
 * on a SOCK_SEQPACKET socket, so each read(2) of the reader gets exactly one message. */
static void trace_chunked(const char *data, size_t len, size_t maxchunk, sbuf *out)
{
	int sv[2];
	if (maxchunk > CSV_BLOCK / 2) /* a message longer than a read would be cut */
		maxchunk = CSV_BLOCK / 2 ? CSV_BLOCK / 2 : 1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0) {
		perror("socketpair");
		exit(2);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		close(sv[0]);
		for (size_t off = 0; off < len;) {
			size_t k = maxchunk > 1 ? 1 + (size_t)(rnd() % maxchunk) : 1;
			if (k > len - off) k = len - off;
			if (write(sv[1], data + off, k) != (ssize_t)k) _exit(1);
			off += k;
		}
		_exit(0);
	}
	close(sv[1]);
	int saved = dup(STDIN_FILENO);
	dup2(sv[0], STDIN_FILENO);
	close(sv[0]);
	char err[256];
	csv_reader *r = csv_open("-", err, sizeof err);
	if (!r) {
		sb_printf(out, "!OPEN %s\n", err);
	} else {
		trace(r, out);
		csv_close(r);
	}
	dup2(saved, STDIN_FILENO); /* also closes the socket */
	close(saved);
	int status;
	waitpid(pid, &status, 0);
	rnd(); /* the child's draws did not advance ours */
}

/* ---- the table ---- */
#define MAXF 8
#define MAXE 12
typedef struct {
	csv_rc rc;
	long line;    /* row.line (ROW, BAD) */
	long errline; /* csv_errline() (BAD, FATAL) */
	const char *msg;
	int n;
	const char *f[MAXF];
} expect;

typedef struct {
	const char *name;
	const char *in; /* input bytes, or NULL with fixture set */
	size_t len;
	const char *fixture; /* a file under tests/unit/fixtures/csv/ */
	expect e[MAXE];      /* up to the first EOF or FATAL */
} tcase;

#define IN(s)      .in = s, .len = sizeof(s) - 1
#define NARGS(...) ((int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)))
#define ROW(l, ...)                                                                                          \
	{                                                                                                    \
		.rc = CSV_ROW, .line = (l), .n = NARGS(__VA_ARGS__), .f = { __VA_ARGS__ }                    \
	}
#define BAD(l, el, m)                                                                                        \
	{                                                                                                    \
		.rc = CSV_BAD_ROW, .line = (l), .errline = (el), .msg = (m)                                  \
	}
#define FATAL(el, m)                                                                                         \
	{                                                                                                    \
		.rc = CSV_FATAL, .errline = (el), .msg = (m)                                                 \
	}
#define END                                                                                                  \
	{                                                                                                    \
		.rc = CSV_EOF                                                                                \
	}
#define UNTERM(l) "unterminated quoted field (opened on line " #l ")"

static const tcase cases[] = {
    /* basics */
    {"empty input", IN(""), .e = {END}},
    {"one row", IN("a,b,c\n"), .e = {ROW(1, "a", "b", "c"), END}},
    {"rows", IN("a,b\nc,d\ne,f\n"), .e = {ROW(1, "a", "b"), ROW(2, "c", "d"), ROW(3, "e", "f"), END}},
    {"no final newline", IN("a,b\nc,d"), .e = {ROW(1, "a", "b"), ROW(2, "c", "d"), END}},
    {"single field", IN("x"), .e = {ROW(1, "x"), END}},
    {"CRLF", IN("a,b\r\nc,d\r\n"), .e = {ROW(1, "a", "b"), ROW(2, "c", "d"), END}},
    {"mixed LF and CRLF", IN("a\r\nb\nc\r\nd"),
     .e = {ROW(1, "a"), ROW(2, "b"), ROW(3, "c"), ROW(4, "d"), END}},
    {"CR at end of input", IN("a,b\r"), .e = {ROW(1, "a", "b"), END}},
    {"bare CR is data", IN("a\rb,c\n"), .e = {ROW(1, "a\rb", "c"), END}},
    {"bare CR field", IN("a,\r,b\n"), .e = {ROW(1, "a", "\r", "b"), END}},
    {"CR CR LF", IN("\r\r\n"), .e = {ROW(1, "\r"), END}},
    {"tab is data", IN("a\tb,\"c\td\"\n"), .e = {ROW(1, "a\tb", "c\td"), END}},
    {"spaces kept", IN(" a , b \n"), .e = {ROW(1, " a ", " b "), END}},
    {"long fields (vector path)",
     IN("abcdefghijklmnopqrstuvwxyz0123456789,\"ABCDEFGHIJKLMNOPQRSTUVWXYZ,\"\"0123456789\"\"abcdefghij\"\n"),
     .e = {ROW(1, "abcdefghijklmnopqrstuvwxyz0123456789",
               "ABCDEFGHIJKLMNOPQRSTUVWXYZ,\"0123456789\"abcdefghij"),
           END}},
    {"empty fields", IN(",,\n"), .e = {ROW(1, "", "", ""), END}},
    {"trailing comma", IN("a,b,\nc\n"), .e = {ROW(1, "a", "b", ""), ROW(2, "c"), END}},
    {"trailing comma at end of input", IN("a,"), .e = {ROW(1, "a", ""), END}},
    {"lone comma", IN(","), .e = {ROW(1, "", ""), END}},
    /* BOM */
    {"BOM",
     IN("\xEF\xBB\xBF"
        "a,b\n"),
     .e = {ROW(1, "a", "b"), END}},
    {"BOM only", IN("\xEF\xBB\xBF"), .e = {END}},
    {"BOM then blank lines", IN("\xEF\xBB\xBF\n\r\nx\n"), .e = {ROW(3, "x"), END}},
    {"BOM then quoted field", IN("\xEF\xBB\xBF\"a\"\n"), .e = {ROW(1, "a"), END}},
    {"BOM later is data",
     IN("a\n\xEF\xBB\xBF"
        "b\n"),
     .e = {ROW(1, "a"),
           ROW(2, "\xEF\xBB\xBF"
                  "b"),
           END}},
    {"two BOMs: the second is data",
     IN("\xEF\xBB\xBF\xEF\xBB\xBF"
        "a\n"),
     .e = {ROW(1, "\xEF\xBB\xBF"
                  "a"),
           END}},
    {"truncated BOM",
     IN("\xEF\xBB"
        "a\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), END}},
    /* quotes */
    {"quoted comma", IN("\"a,b\",c\n"), .e = {ROW(1, "a,b", "c"), END}},
    {"escaped quotes", IN("\"he said \"\"hi\"\"\"\n"), .e = {ROW(1, "he said \"hi\""), END}},
    {"only an escaped quote", IN("\"\"\"\""), .e = {ROW(1, "\""), END}},
    {"empty quoted field", IN("\"\"\n"), .e = {ROW(1, ""), END}},
    {"empty quoted fields", IN("\"\",\"\"\n"), .e = {ROW(1, "", ""), END}},
    {"empty quoted then empty", IN("\"\",\n"), .e = {ROW(1, "", ""), END}},
    {"quoted at end of input", IN("a,\"b\""), .e = {ROW(1, "a", "b"), END}},
    {"quoted then CRLF", IN("\"a\"\r\n\"b\"\r\n"), .e = {ROW(1, "a"), ROW(2, "b"), END}},
    {"quoted then CR at end", IN("\"a\"\r"), .e = {ROW(1, "a"), END}},
    {"embedded newline", IN("\"a\nb\",c\nd\n"), .e = {ROW(1, "a\nb", "c"), ROW(3, "d"), END}},
    {"embedded CRLF kept", IN("\"a\r\nb\"\r\nc\r\n"), .e = {ROW(1, "a\r\nb"), ROW(3, "c"), END}},
    {"embedded blank lines", IN("\"a\n\nb\"\nc"), .e = {ROW(1, "a\n\nb"), ROW(4, "c"), END}},
    {"everything in one field", IN("\"x,\ny\"\"z\",\"\",w\n"), .e = {ROW(1, "x,\ny\"z", "", "w"), END}},
    {"quoted newline only", IN("\"\n\"\n\"\n\"\n"), .e = {ROW(1, "\n"), ROW(3, "\n"), END}},
    /* blank lines */
    {"blank lines", IN("\n\na\n\n\nb\n\n"), .e = {ROW(3, "a"), ROW(6, "b"), END}},
    {"blank CRLF lines", IN("\r\n\r\na\r\n\r\n"), .e = {ROW(3, "a"), END}},
    {"only line ends", IN("\n\r\n\n"), .e = {END}},
    {"lone CR", IN("\r"), .e = {END}},
    {"space line is a row", IN(" \n"), .e = {ROW(1, " "), END}},
    /* UTF-8 */
    {"UTF-8 2, 3, 4 bytes", IN("caf\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80\n"),
     .e = {ROW(1, "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"), END}},
    {"UTF-8 edges",
     IN("\xC2\x80,\xDF\xBF,\xE0\xA0\x80,\xED\x9F\xBF,\xEE\x80\x80,\xEF\xBF\xBF,\xF0\x90\x80\x80,"
        "\xF4\x8F\xBF\xBF\n"),
     .e = {ROW(1, "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF",
               "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"),
           END}},
    {"UTF-8 in quotes", IN("\"Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale, \xE2\x82\xAC\"\n"),
     .e = {ROW(1, "Soci\xC3\xA9t\xC3\xA9 G\xC3\xA9n\xC3\xA9rale, \xE2\x82\xAC"), END}},
    {"UTF-8 in a long field",
     IN("Cr\xC3\xA9\x64it Agricole Mutuel de la R\xC3\xA9union et de Mayotte \xE2\x80\x94 agence,x\n"),
     .e = {ROW(1, "Cr\xC3\xA9\x64it Agricole Mutuel de la R\xC3\xA9union et de Mayotte \xE2\x80\x94 agence",
               "x"),
           END}},
    /* errors, each followed by a good row */
    {"quote inside unquoted field", IN("a,b\"c,d\nx\n"),
     .e = {BAD(1, 1, "quote inside unquoted field 2"), ROW(2, "x"), END}},
    {"quote at end of unquoted field", IN("ab\"\nx\n"),
     .e = {BAD(1, 1, "quote inside unquoted field 1"), ROW(2, "x"), END}},
    {"doubled quote in unquoted field", IN("a\"\"b\nx\n"),
     .e = {BAD(1, 1, "quote inside unquoted field 1"), ROW(2, "x"), END}},
    {"text after closing quote", IN("\"a\"b,c\nx\n"),
     .e = {BAD(1, 1, "text after closing quote in field 1"), ROW(2, "x"), END}},
    {"space after closing quote", IN("x,\"a\" ,b\r\ny\r\n"),
     .e = {BAD(1, 1, "text after closing quote in field 2"), ROW(2, "y"), END}},
    {"CR then text after closing quote", IN("\"a\"\rb\nx\n"),
     .e = {BAD(1, 1, "text after closing quote in field 1"), ROW(2, "x"), END}},
    {"NUL after closing quote", IN("\"a\"\0\nx\n"),
     .e = {BAD(1, 1, "text after closing quote in field 1"), ROW(2, "x"), END}},
    {"NUL in unquoted field", IN("a,b\0c\nx\n"), .e = {BAD(1, 1, "NUL byte in field 2"), ROW(2, "x"), END}},
    {"NUL in quoted field", IN("\"a\0\"\nx\n"), .e = {BAD(1, 1, "NUL byte in field 1"), ROW(2, "x"), END}},
    {"NUL alone", IN("\0"), .e = {BAD(1, 1, "NUL byte in field 1"), END}},
    {"lone continuation byte", IN("a\x80\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"overlong C0 80", IN("a,b,\xC0\x80\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 3"), ROW(2, "x"), END}},
    {"overlong C1 BF", IN("\xC1\xBF\nx\n"), .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"overlong E0 80 80", IN("\xE0\x80\x80\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"overlong E0 9F BF", IN("\xE0\x9F\xBF\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"overlong F0 8F BF BF", IN("\xF0\x8F\xBF\xBF\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"surrogate ED A0 80", IN("\xED\xA0\x80\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"surrogate ED BF BF", IN("\"\xED\xBF\xBF\"\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"above U+10FFFF", IN("\xF4\x90\x80\x80\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"lead F5", IN("\xF5\x80\x80\x80\nx\n"), .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"byte FF", IN("a,\xFF\nx\n"), .e = {BAD(1, 1, "invalid UTF-8 in field 2"), ROW(2, "x"), END}},
    {"truncated at end of input", IN("x\nab\xC3"),
     .e = {ROW(1, "x"), BAD(2, 2, "invalid UTF-8 in field 1"), END}},
    {"truncated before comma", IN("\xC3,b\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"truncated before newline", IN("\xE2\x82\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(2, "x"), END}},
    {"truncated before quoted newline", IN("\"\xE2\x82\ny\"\nx\n"),
     .e = {BAD(1, 1, "invalid UTF-8 in field 1"), ROW(3, "x"), END}},
    {"error on the second line of a row", IN("\"a\nb\",c\"d\nx\n"),
     .e = {BAD(1, 2, "quote inside unquoted field 2"), ROW(3, "x"), END}},
    {"recovery skips a quoted line break", IN("a\"b,\"c\nd\",e\nf\n"),
     .e = {BAD(1, 1, "quote inside unquoted field 1"), ROW(3, "f"), END}},
    {"recovery skips escaped quotes", IN("\"a\"x,\"\"\"\n\"\"\"\nf\n"),
     .e = {BAD(1, 1, "text after closing quote in field 1"), ROW(3, "f"), END}},
    {"recovery with CRLF", IN("a\0\r\nb\r\n"), .e = {BAD(1, 1, "NUL byte in field 1"), ROW(2, "b"), END}},
    {"every bad row is reported", IN("a\"\nb\"\n\"c\"d\ne\n"),
     .e = {BAD(1, 1, "quote inside unquoted field 1"), BAD(2, 2, "quote inside unquoted field 1"),
           BAD(3, 3, "text after closing quote in field 1"), ROW(4, "e"), END}},
    {"bad last line without newline", IN("x\n\"a\"b"),
     .e = {ROW(1, "x"), BAD(2, 2, "text after closing quote in field 1"), END}},
    {"blank lines around a bad row", IN("\n\"a\"b\n\nc\n"),
     .e = {BAD(2, 2, "text after closing quote in field 1"), ROW(4, "c"), END}},
    /* fatal errors */
    {"unterminated quote", IN("a\n\"b,c\nd\n"), .e = {ROW(1, "a"), FATAL(2, UNTERM(2))}},
    {"unterminated after escaped quote", IN("\"\"\""), .e = {FATAL(1, UNTERM(1))}},
    {"unterminated in field 3", IN("x\ny\na,b,\"c\n\n\n"),
     .e = {ROW(1, "x"), ROW(2, "y"), FATAL(3, UNTERM(3))}},
    {"unterminated quote after a bad row", IN("a\"b,\"c\n"),
     .e = {BAD(1, 1, "quote inside unquoted field 1"), FATAL(1, UNTERM(1))}},
    {"unterminated quote in a bad quoted field", IN("\"a\0b\nc\n"),
     .e = {BAD(1, 1, "NUL byte in field 1"), FATAL(1, UNTERM(1))}},
    /* fixtures: realistic files with several problems */
    {"fixture bad_rows.csv", .fixture = "bad_rows.csv",
     .e = {ROW(1, "person_id", "name", "city", "balance"),
           ROW(2, "P0000001", "Awa Diop", "Dakar", "125000.00"), BAD(3, 3, "quote inside unquoted field 2"),
           ROW(4, "P0000003", "Fran\xC3\xA7oise \"Fanny\" Martin", "Saint-\xC3\x89tienne", "-50.00"),
           BAD(5, 5, "text after closing quote in field 3"), BAD(6, 6, "invalid UTF-8 in field 2"),
           ROW(7, "P0000006", "Mamadou\nBa", "Thi\xC3\xA8s", "0"), ROW(9, "P0000007", "", "", ""), END}},
    {"fixture bom_crlf.csv", .fixture = "bom_crlf.csv",
     .e = {ROW(1, "loan_id", "amount", "note"), ROW(2, "L1", "1000.00", "first, with comma"),
           ROW(4, "L2", "2000.00", "two\r\nlines"), ROW(6, "L3", "3000.00", ""), END}},
    {"fixture unterminated.csv", .fixture = "unterminated.csv",
     .e = {ROW(1, "id", "comment"), ROW(2, "1", "fine"), FATAL(3, UNTERM(3))}},
    {"fixture nul.csv", .fixture = "nul.csv",
     .e = {ROW(1, "id", "v"), BAD(2, 2, "NUL byte in field 2"), ROW(3, "2", "ok"), END}},
    {"fixture overlong.csv", .fixture = "overlong.csv",
     .e = {ROW(1, "id", "name"), BAD(2, 2, "invalid UTF-8 in field 2"), BAD(3, 3, "invalid UTF-8 in field 2"),
           BAD(4, 4, "invalid UTF-8 in field 2"), ROW(5, "4", "\xE2\x82\xAC"), END}},
};

static void check_trace(const char *got, const char *want, const char *name, const char *how)
{
	T_OK(got && want && strcmp(got, want) == 0, "%s (%s): got\n%swant\n%s", name, how,
	     got ? got : "(null)\n", want ? want : "(null)\n");
}

static void expected_trace(const tcase *c, sbuf *out)
{
	for (int i = 0; i < MAXE; i++) {
		const expect *e = &c->e[i];
		sb_str(out, rc_name(e->rc));
		if (e->rc == CSV_ROW) {
			sb_printf(out, " %ld [", e->line);
			for (int j = 0; j < e->n; j++) {
				if (j) sb_str(out, "|");
				sb_field(out, e->f[j], strlen(e->f[j]));
			}
			sb_str(out, "]");
		} else if (e->rc == CSV_BAD_ROW) {
			sb_printf(out, " %ld @%ld %s", e->line, e->errline, e->msg);
		} else if (e->rc == CSV_FATAL) {
			sb_printf(out, " @%ld %s", e->errline, e->msg);
		}
		sb_str(out, "\n");
		if (e->rc == CSV_EOF || e->rc == CSV_FATAL) break;
	}
}

static const char *fixture_dir(void)
{
	static char dir[4096];
	const char *root = getenv("ROOT");
	if (root && *root) {
		snprintf(dir, sizeof dir, "%s/tests/unit/fixtures/csv", root);
	} else {
		const char *file = __FILE__, *slash = strrchr(file, '/');
		if (slash)
			snprintf(dir, sizeof dir, "%.*s/fixtures/csv", (int)(slash - file), file);
		else
			snprintf(dir, sizeof dir, "fixtures/csv");
	}
	return dir;
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", fixture_dir(), name);
	FILE *f = fopen(path, "rb");
	if (!f) return NULL;
	sbuf b = {0};
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		sb_add(&b, tmp, n);
	fclose(f);
	if (!b.s) sb_add(&b, "", 0);
	*len = b.len;
	return b.s;
}

static void test_table(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const tcase *c = &cases[i];
		const char *in = c->in;
		size_t len = c->len;
		char *owned = NULL;
		if (c->fixture) {
			owned = read_fixture(c->fixture, &len);
			T_OK(owned != NULL, "%s: cannot read fixture %s in %s", c->name, c->fixture,
			     fixture_dir());
			if (!owned) continue;
			in = owned;
		}
		sbuf want = {0}, mem = {0}, file = {0}, chunked = {0};
		expected_trace(c, &want);
		/* the expected trace repeats its last line: EOF and FATAL are sticky */
		const char *last = want.s + want.len - 1;
		while (last > want.s && last[-1] != '\n')
			last--;
		char *dup = strdup(last);
		sb_str(&want, dup);
		free(dup);
		trace_memory(in, len, &mem);
		trace_file(in, len, &file);
		trace_chunked(in, len, 1, &chunked);
		check_trace(mem.s, want.s, c->name, "memory");
		check_trace(file.s, want.s, c->name, "file");
		check_trace(chunked.s, want.s, c->name, "stdin, 1 byte per read");
		free(want.s);
		free(mem.s);
		free(file.s);
		free(chunked.s);
		free(owned);
	}
}

/* Runs data through the three readers and compares each trace with want. */
static void check_all(const char *name, const char *data, size_t len, const char *want, size_t maxchunk)
{
	sbuf mem = {0}, file = {0}, chunked = {0};
	trace_memory(data, len, &mem);
	check_trace(mem.s, want, name, "memory");
	trace_file(data, len, &file);
	check_trace(file.s, want, name, "file");
	if (maxchunk) {
		trace_chunked(data, len, maxchunk, &chunked);
		check_trace(chunked.s, want, name, "stdin, small reads");
	}
	free(mem.s);
	free(file.s);
	free(chunked.s);
}

/* ---- CSV_FIELD_MAX ---- */
static void test_field_max(void)
{
	const size_t M = CSV_FIELD_MAX;
	struct {
		const char *name, *pre;
		char fill;
		size_t n;
		const char *post, *want;
	} t[] = {
	    {"unquoted field of CSV_FIELD_MAX", "x,", 'a', M, "\ny\n",
	     "ROW 1 [x|<65536 bytes 61..61>]\nROW 2 [y]\n"},
	    {"unquoted field one byte over", "x,", 'a', M + 1, "\ny\n",
	     "BAD 1 @1 field 2 longer than 65536 bytes\nROW 2 [y]\n"},
	    {"unquoted field far over", "", 'a', 3 * M, ",b\ny\n",
	     "BAD 1 @1 field 1 longer than 65536 bytes\nROW 2 [y]\n"},
	    {"quoted field of CSV_FIELD_MAX", "\"", 'b', M - 1, "\"\"\"\ny\n",
	     "ROW 1 [<65536 bytes 62..22>]\nROW 2 [y]\n"},
	    {"quoted field one byte over", "\"", 'b', M, "\"\"\"\ny\n",
	     "BAD 1 @1 field 1 longer than 65536 bytes\nROW 2 [y]\n"},
	    {"quoted newline at the limit", "\"", 'b', M - 1, "\n\",c\ny\n",
	     "ROW 1 [<65536 bytes 62..0a>|c]\nROW 3 [y]\n"},
	    {"quoted newline over the limit", "\"", 'b', M, "\n\",c\ny\n",
	     "BAD 1 @1 field 1 longer than 65536 bytes\nROW 3 [y]\n"},
	    {"UTF-8 at the limit", "", 'c', M - 2, "\xC3\xA9\ny\n",
	     "ROW 1 [<65536 bytes 63..a9>]\nROW 2 [y]\n"},
	    {"UTF-8 over the limit", "", 'c', M - 1, "\xC3\xA9\ny\n",
	     "BAD 1 @1 field 1 longer than 65536 bytes\nROW 2 [y]\n"},
	    {"quoted UTF-8 over the limit", "\"", 'c', M - 3, "\xF0\x9F\x98\x80\"\ny\n",
	     "BAD 1 @1 field 1 longer than 65536 bytes\nROW 2 [y]\n"},
	    {"CRLF after a full field", "", 'd', M, "\r\ny\n", "ROW 1 [<65536 bytes 64..64>]\nROW 2 [y]\n"},
	    {"bare CR over the limit", "", 'd', M, "\rx\ny\n",
	     "BAD 1 @1 field 1 longer than 65536 bytes\nROW 2 [y]\n"},
	    {"too long then recovery inside quotes", "z,\"", 'e', M + 100, "\n,\"\"x\"\ny\n",
	     "BAD 1 @1 field 2 longer than 65536 bytes\nROW 3 [y]\n"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		sbuf in = {0}, want = {0};
		sb_str(&in, t[i].pre);
		sb_repeat(&in, t[i].fill, t[i].n);
		sb_str(&in, t[i].post);
		sb_str(&want, t[i].want);
		sb_str(&want, "EOF\nEOF\n");
		check_all(t[i].name, in.s, in.len, want.s, 257);
		free(in.s);
		free(want.s);
	}
}

/* ---- CSV_FIELDS_MAX ---- */
static void test_fields_max(void)
{
	sbuf in = {0}, want = {0};
	/* exactly 256 fields, then 257, then 257 with the 257th on line 3, then a good row */
	for (int k = 0; k < CSV_FIELDS_MAX; k++)
		sb_printf(&in, "%sf%d", k ? "," : "", k);
	sb_str(&in, "\n");
	sb_str(&want, "ROW 1 [");
	for (int k = 0; k < CSV_FIELDS_MAX; k++)
		sb_printf(&want, "%sf%d", k ? "|" : "", k);
	sb_str(&want, "]\n");
	for (int k = 0; k <= CSV_FIELDS_MAX; k++)
		sb_printf(&in, "%sg%d", k ? "," : "", k);
	sb_str(&in, "\n");
	sb_str(&want, "BAD 2 @2 more than 256 fields\n");
	sb_str(&in, "\"two\nlines\"");
	for (int k = 1; k <= CSV_FIELDS_MAX; k++)
		sb_str(&in, k == 200 ? ",\"x\ny\"" : ",");
	sb_str(&in, "\nok\n");
	sb_str(&want, "BAD 3 @5 more than 256 fields\nROW 6 [ok]\nEOF\nEOF\n");
	check_all("256 and 257 fields", in.s, in.len, want.s, 7);

	/* 256 empty fields (",,,") and 257 */
	in.len = want.len = 0;
	sb_repeat(&in, ',', CSV_FIELDS_MAX - 1);
	sb_str(&in, "\n");
	sb_repeat(&in, ',', CSV_FIELDS_MAX);
	sb_str(&in, "\n");
	sb_str(&want, "ROW 1 [");
	sb_repeat(&want, '|', CSV_FIELDS_MAX - 1);
	sb_str(&want, "]\nBAD 2 @2 more than 256 fields\nEOF\nEOF\n");
	check_all("256 and 257 empty fields", in.s, in.len, want.s, 3);

	/* the largest row: 256 fields of CSV_FIELD_MAX bytes (the row buffer grows to 16 MiB) */
	in.len = want.len = 0;
	for (int k = 0; k < CSV_FIELDS_MAX; k++) {
		if (k) sb_str(&in, ",");
		sb_repeat(&in, (char)('A' + k % 26), CSV_FIELD_MAX);
	}
	sb_str(&in, "\r\nlast\r\n");
	sb_str(&want, "ROW 1 [");
	for (int k = 0; k < CSV_FIELDS_MAX; k++)
		sb_printf(&want, "%s<65536 bytes %02x..%02x>", k ? "|" : "", 'A' + k % 26, 'A' + k % 26);
	sb_str(&want, "]\nROW 2 [last]\nEOF\nEOF\n");
	check_all("256 fields of CSV_FIELD_MAX bytes", in.s, in.len, want.s, 0);
	free(in.s);
	free(want.s);
}

/* ---- block boundaries: a file of several blocks, each boundary inside a construct ---- */
static void filler_until(sbuf *b, size_t pos, long *rows)
{
	while (b->len + 5000 < pos) {
		sb_printf(b, "filler%ld,", *rows);
		sb_repeat(b, 'f', 3000 + (size_t)(rnd() % 900));
		sb_printf(b, ",%ld\n", *rows);
		++*rows;
	}
	if (b->len < pos) {
		sb_repeat(b, 'g', pos - b->len - 1); /* one byte short: a blank line */
		sb_str(b, "\n");
	}
}

static void test_blocks(void)
{
	sbuf in = {0}, mem = {0}, file = {0};
	long rows = 0;
	sbuf longq = {0};
	sb_str(&longq, "\"");
	for (int i = 0; i < 3000; i++)
		sb_str(&longq, i % 7 ? "long quoted, field " : "line\nbreak \"\"quoted\"\" ");
	sb_str(&longq, "\",end\n");
	sbuf full = {0}, over = {0};
	sb_repeat(&full, 'u', CSV_FIELD_MAX);
	sb_str(&full, ",v\n");
	sb_repeat(&over, 'o', CSV_FIELD_MAX + 1);
	sb_str(&over, ",v\nafter\n");

	struct {
		const char *s;
		size_t len, split; /* s[split] is the first byte of a block */
	} k[] = {
#define KS(lit, split) lit, sizeof(lit) - 1, split
	    {KS("a,b\r\nc\n", 4)},
	    {KS("\"x\"\"y\",z\n", 3)},
	    {KS("\"x\",z\n", 3)},
	    {KS("\"x\"\r\nz\n", 4)},
	    {KS("caf\xC3\xA9\n", 4)},
	    {KS("\xF0\x9F\x98\x80,e\n", 2)},
	    {longq.s, longq.len, 30000},
	    {KS("ab\"c,\"d\n\ne\",f\ng\n", 5)},
	    {KS("x,\n", 2)},
	    {KS("x,\n", 3)},
	    {KS("h,\ri\n", 3)},
	    {full.s, full.len, 40000},
	    {over.s, over.len, 65536},
	    {KS("\xE2\x82\ny\n", 2)},
	    {KS("\"unterminated\nfield, to the end\n", 14)},
	};
#undef KS
	size_t nk = sizeof k / sizeof k[0];
	for (size_t i = 0; i < nk; i++) {
		/* the next block boundary far enough on (each one, with the reader's 1 MiB blocks) */
		size_t boundary = (in.len + k[i].split + CSV_BLOCK - 1) / CSV_BLOCK * CSV_BLOCK;
		filler_until(&in, boundary - k[i].split, &rows);
		T_OK(in.len + k[i].split == boundary, "construct %zu placed on a block boundary", i);
		sb_add(&in, k[i].s, k[i].len);
	}
	trace_memory(in.s, in.len, &mem);
	trace_file(in.s, in.len, &file);
	T_OK(in.len > 2 * (size_t)CSV_BLOCK && in.len > nk * 1000, "the file spans blocks (%zu bytes)",
	     in.len);
	T_OK(mem.len == file.len && memcmp(mem.s, file.s, mem.len) == 0,
	     "file reader == memory reader across %zu blocks", in.len / CSV_BLOCK + 1);
	if (mem.len != file.len || memcmp(mem.s, file.s, mem.len) != 0) {
		size_t d = 0;
		while (d < mem.len && d < file.len && mem.s[d] == file.s[d])
			d++;
		size_t from = d > 200 ? d - 200 : 0;
		printf("# first difference at trace byte %zu\n# memory: %.400s\n# file:   %.400s\n", d,
		       mem.s + from, file.s + from);
	}
	/* and the memory trace holds what the constructs should give */
	const char *expect_in_trace[] = {
	    "[a|b]\nROW",
	    "[c]\n",
	    "[x\"y|z]\n",
	    "[x|z]\n",
	    "[x]\n",
	    "[z]\n",
	    "[caf\\xc3\\xa9]\n",
	    "[\\xf0\\x9f\\x98\\x80|e]\n",
	    "|end]\n",
	    "quote inside unquoted field 1\n",
	    "[g]\n",
	    "[x|]\n",
	    "[h|\\ri]\n",
	    "[<65536 bytes 75..75>|v]\n",
	    "longer than 65536 bytes\nROW",
	    "[after]\n",
	    "invalid UTF-8 in field 1\nROW",
	    "[y]\n",
	    "FATAL @",
	};
	for (size_t i = 0; i < sizeof expect_in_trace / sizeof expect_in_trace[0]; i++)
		T_OK(strstr(mem.s, expect_in_trace[i]) != NULL, "block test trace holds \"%s\"",
		     expect_in_trace[i]);
	int bad = 0;
	for (const char *p = mem.s; (p = strstr(p, "\nBAD ")) != NULL; p++)
		bad++;
	T_EQ_INT(bad, 3, "bad rows in the block test");
	const char *fatal = strstr(mem.s, "FATAL @");
	T_OK(fatal && strstr(fatal, "unterminated quoted field (opened on line"),
	     "block test ends on the unterminated quote");
	if (getenv("CSV_TEST_DUMP")) {
		FILE *f = fopen(getenv("CSV_TEST_DUMP"), "w");
		fputs(mem.s, f);
		fclose(f);
	}
	free(in.s);
	free(mem.s);
	free(file.s);
	free(longq.s);
	free(full.s);
	free(over.s);
}

/* ---- random inputs: the three readers agree, whatever the input and the read sizes ---- */
static void test_random(void)
{
	static const char *tok[] = {"a",
	                            "bc",
	                            "0123456789abcdefghijk",
	                            ",",
	                            ",",
	                            "\"",
	                            "\"",
	                            "\"\"",
	                            "\n",
	                            "\n",
	                            "\r\n",
	                            "\r",
	                            "\xC3\xA9",
	                            "\xE2\x82\xAC",
	                            "\xF0\x9F\x98\x80",
	                            "\xC3",
	                            "\x80",
	                            "\xED\xA0\x80",
	                            "\xEF\xBB\xBF",
	                            " ",
	                            "\t"};
	const int N = 300;
	int agree = 0;
	for (int i = 0; i < N; i++) {
		sbuf in = {0}, mem = {0}, file = {0}, chunked = {0};
		size_t ntok = (size_t)(rnd() % 60);
		for (size_t t = 0; t < ntok; t++) {
			uint64_t x = rnd() % (sizeof tok / sizeof tok[0] + 1);
			if (x == sizeof tok / sizeof tok[0])
				sb_add(&in, "", 1); /* a NUL byte */
			else
				sb_str(&in, tok[x]);
		}
		if (!in.s) sb_add(&in, "", 0);
		trace_memory(in.s, in.len, &mem);
		trace_file(in.s, in.len, &file);
		trace_chunked(in.s, in.len, 5, &chunked);
		int ok = strcmp(mem.s, file.s) == 0 && strcmp(mem.s, chunked.s) == 0 && !strchr(mem.s, '!');
		if (!ok) {
			sbuf shown = {0};
			sb_field(&shown, in.s, in.len);
			printf("# random input %d: %s\n# memory:\n%s# file:\n%s# chunked:\n%s", i, shown.s,
			       mem.s, file.s, chunked.s);
			free(shown.s);
		}
		agree += ok;
		free(in.s);
		free(mem.s);
		free(file.s);
		free(chunked.s);
	}
	T_EQ_INT(agree, N, "random inputs where memory, file and chunked readers agree");
}

/* ---- opening, read errors, odds and ends ---- */
static void test_open(void)
{
	char err[256];
	csv_reader *r = csv_open("/nonexistent-dir/loans.csv", err, sizeof err);
	T_OK(r == NULL, "missing file: NULL");
	T_EQ_STR(err, "cannot open /nonexistent-dir/loans.csv: No such file or directory",
	         "missing file message");
	csv_close(r);

	char *path = write_temp("x", 1);
	unlink(path);
	r = csv_open(path, err, sizeof err);
	char want[300];
	snprintf(want, sizeof want, "cannot open %s: No such file or directory", path);
	T_OK(r == NULL, "removed temp file: NULL");
	T_EQ_STR(err, want, "removed temp file message");
	free(path);

	r = csv_open("/tmp", err, sizeof err);
	T_OK(r == NULL, "directory: NULL");
	T_EQ_STR(err, "cannot open /tmp: Is a directory", "directory message");
	csv_close(r);

	T_OK(csv_open("/nonexistent-dir/x", NULL, 0) == NULL, "missing file without err buffer");
	char small[10];
	T_OK(csv_open("/nonexistent-dir/x", small, sizeof small) == NULL, "missing file, small err buffer");
	T_EQ_STR(small, "cannot op", "err is truncated, NUL-terminated");

	/* a good file, and the reader's state before and after */
	path = write_temp("a,b\n\"c\"d\n", 9);
	r = csv_open(path, err, sizeof err);
	T_OK(r != NULL, "open a file: %s", err);
	if (r) {
		csv_row row;
		T_EQ_STR(csv_errmsg(r), "", "no error yet");
		T_EQ_INT(csv_errline(r), 0, "no error line yet");
		T_EQ_INT(csv_next(r, &row), CSV_ROW, "first row");
		T_EQ_INT(row.n, 2, "two fields");
		T_EQ_STR(row.field[1], "b", "field 2");
		T_EQ_INT(csv_next(r, &row), CSV_BAD_ROW, "bad row");
		T_EQ_INT(row.n, 0, "a bad row has no fields");
		T_EQ_INT(row.line, 2, "bad row line");
		T_EQ_INT(csv_errline(r), 2, "bad row error line");
		T_EQ_INT(csv_next(r, &row), CSV_EOF, "then EOF");
		T_EQ_INT(row.n, 0, "EOF has no fields");
		csv_close(r);
	}
	unlink(path);
	free(path);

	csv_close(NULL);
	r = csv_open_memory(NULL, 0);
	T_OK(r != NULL, "memory reader on NULL");
	if (r) {
		csv_row row;
		T_EQ_INT(csv_next(r, &row), CSV_EOF, "NULL buffer is empty");
		csv_close(r);
	}
}

static void test_read_error(void)
{
	/* reading /proc/self/mem at offset 0 (never mapped) fails with EIO */
	char err[256];
	csv_reader *r = csv_open("/proc/self/mem", err, sizeof err);
	if (!r) {
		printf("# skipped the read error test: %s\n", err);
		return;
	}
	csv_row row;
	T_EQ_INT(csv_next(r, &row), CSV_FATAL, "read error is fatal");
	T_OK(strncmp(csv_errmsg(r), "read error: ", 12) == 0, "read error message: %s", csv_errmsg(r));
	T_EQ_INT(csv_next(r, &row), CSV_FATAL, "and stays fatal");
	csv_close(r);
}

int main(void)
{
	test_table();
	test_field_max();
	test_fields_max();
	test_blocks();
	test_random();
	test_open();
	test_read_error();
	return t_done("test_csv");
}

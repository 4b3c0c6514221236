/* csv.c: the streaming CSV reader behind Vigie's imports (contract in csv.h).
 * Grammar: RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180), section 2: fields separated by commas,
 * records by CRLF (a bare LF is accepted too), the last record may lack its line break, a field may
 * be enclosed in double quotes and then hold commas, CR, LF and doubled quotes ("" stands for ").
 * Beyond the RFC: a UTF-8 byte order mark at the very start is skipped, blank lines are skipped,
 * fields must be valid UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF)
 * without NUL bytes. A CR not followed by LF outside quotes is kept as data.
 *
 * How: input comes in blocks of CSV_BLOCK bytes (read(2)) or straight from the caller's buffer; a
 * vector scan (SSE2, else 8 bytes at a time) with a table-driven byte loop behind it copies each
 * field's bytes, unescaped, into one reusable row buffer where the fields lie end to end, each
 * NUL-terminated (no allocation per row or field). Since a row is copied out as it is parsed, the
 * input block can be refilled at any byte, and memory is one block plus the longest row (the row
 * buffer grows to at most CSV_FIELDS_MAX * (CSV_FIELD_MAX + 1) bytes), never the file.
 * Line numbers count every LF, inside quotes too; row.line is where a row starts and csv_errline()
 * the line of the offending byte (later than row.line when a quoted field spans lines; for an
 * unterminated quote, the line where it opened). After a row-level error the reader skips to the
 * next line end outside quotes (quotes are tracked leniently: a field that starts with " is quoted,
 * "" inside it is a quote, a stray " elsewhere is data) and goes on. */
#include "io/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CSV_BLOCK /* overridable for testing, e.g. -DCSV_BLOCK=7 */
#define CSV_BLOCK (1u << 20)
#endif
#if CSV_BLOCK < 4
#error "CSV_BLOCK must hold a BOM and one more byte"
#endif

/* Byte classes: 0 is a plain byte copied as is; anything else stops the fast loop. */
enum { C_PLAIN = 0, C_COMMA, C_LF, C_CR, C_QUOTE, C_NUL, C_HIGH };

/* States of the resynchronisation after a row-level error. */
enum { S_FIELD, S_UNQUOTED, S_QUOTED, S_AFTER_QUOTE };

struct csv_reader {
	const unsigned char *p, *end; /* unread input */
	unsigned char *blk;           /* file mode: the block buffer; NULL in memory mode */
	int fd;                       /* -1 in memory mode */
	int own_fd;                   /* close fd in csv_close (not for standard input) */
	int eof;                      /* no input beyond end */
	int started;                  /* the BOM check is done */
	int done;                     /* CSV_EOF was returned */
	int fatal;                    /* CSV_FATAL was returned: sticky */
	int io_error;                 /* a read failed: the next return is CSV_FATAL */
	long pending_quote;           /* a resync ran into EOF inside a quote opened on this line */
	long line;                    /* line of the next unread byte (1-based) */
	long errline;
	char *rb; /* row buffer: the fields, end to end, each NUL-terminated */
	size_t rbcap;
	char *field[CSV_FIELDS_MAX];
	size_t len[CSV_FIELDS_MAX];
	char err[128];
	char ioerr[128];
};

/* Byte classes outside and inside quotes (constant: readers may run in several threads). */
#define HIGH16                                                                                               \
	C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH, C_HIGH,      \
	    C_HIGH, C_HIGH, C_HIGH, C_HIGH
#define HIGH128 HIGH16, HIGH16, HIGH16, HIGH16, HIGH16, HIGH16, HIGH16, HIGH16
static const unsigned char cls_unquoted[256] = {
    [0] = C_NUL, ['\n'] = C_LF, ['\r'] = C_CR, ['"'] = C_QUOTE, [','] = C_COMMA, [0x80] = HIGH128,
};
static const unsigned char cls_quoted[256] = {
    [0] = C_NUL,
    ['\n'] = C_LF,
    ['"'] = C_QUOTE,
    [0x80] = HIGH128,
};
#undef HIGH16
#undef HIGH128

/* The fast path: copy_plain() copies 16 (SSE2) or 8 (SWAR, little-endian) bytes at a time from
 * [p, lim) to w, as long as none is special, and returns how many bytes before the first special one
 * it copied (it may store up to 16 bytes past that, so w needs that much room). A special byte is
 * any control byte (< 0x20), any byte >= 0x80, '"', and ',' outside quotes; the caller checks those
 * one at a time with its class table (so TAB, or CR inside quotes, is just copied there). */
#if defined(__SSE2__) && !defined(CSV_SCALAR) /* -DCSV_SCALAR: the byte loop only, for testing */
#include <emmintrin.h>

static inline size_t copy_plain(const unsigned char *p, const unsigned char *lim, unsigned char *w,
                                int quoted)
{
	const __m128i ctl = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
	const __m128i comma = _mm_set1_epi8(quoted ? '"' : ','); /* inside quotes, ',' is plain */
	size_t k = 0;
	while (lim - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		_mm_storeu_si128((__m128i *)(void *)w, v);
		/* signed compare: bytes >= 0x80 are negative, so below 0x20 too */
		__m128i sp = _mm_or_si128(_mm_cmplt_epi8(v, ctl),
		                          _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, comma)));
		unsigned m = (unsigned)_mm_movemask_epi8(sp);
		if (m) return k + (unsigned)__builtin_ctz(m);
		p += 16;
		w += 16;
		k += 16;
	}
	return k;
}
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && !defined(CSV_SCALAR) &&                                \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Each term's lowest set bit is exact (false positives only sit above a true match, where a borrow
 * came from), so the lowest set bit of their OR marks the first special byte. */
static inline size_t copy_plain(const unsigned char *p, const unsigned char *lim, unsigned char *w,
                                int quoted)
{
	const uint64_t q = ONES * '"', c = ONES * (quoted ? '"' : ',');
	size_t k = 0;
	while (lim - p >= 8) {
		uint64_t v, xq, xc, m;
		memcpy(&v, p, 8);
		memcpy(w, &v, 8);
		xq = v ^ q;
		xc = v ^ c;
		m = (((v - ONES * 0x20) & ~v) | ((xq - ONES) & ~xq) | ((xc - ONES) & ~xc) | v) & HIGHS;
		if (m) return k + (unsigned)__builtin_ctzll(m) / 8;
		p += 8;
		w += 8;
		k += 8;
	}
	return k;
}
#else
static inline size_t copy_plain(const unsigned char *p, const unsigned char *lim, unsigned char *w,
                                int quoted)
{
	(void)p, (void)lim, (void)w, (void)quoted;
	return 0;
}
#endif

static csv_reader *new_reader(void)
{
	csv_reader *r = calloc(1, sizeof *r);
	if (!r) return NULL;
	r->rbcap = 2 * (size_t)(CSV_FIELD_MAX + 1);
	r->rb = malloc(r->rbcap);
	if (!r->rb) {
		free(r);
		return NULL;
	}
	r->fd = -1;
	r->line = 1;
	return r;
}

csv_reader *csv_open(const char *path, char *err, size_t errcap)
{
	const char *why = NULL;
	int fd = -1, own = 0;
	csv_reader *r = NULL;

	if (err && errcap) err[0] = '\0';
	if (!path) {
		errno = EINVAL;
		path = "(null)";
		why = strerror(errno);
		goto fail;
	}
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		struct stat st;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			why = strerror(errno);
			goto fail;
		}
		own = 1;
		if (fstat(fd, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				why = strerror(EISDIR);
				goto fail;
			}
			if (S_ISREG(st.st_mode)) (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		}
	}
	r = new_reader();
	if (r) r->blk = malloc(CSV_BLOCK);
	if (!r || !r->blk) {
		why = "out of memory";
		goto fail;
	}
	r->fd = fd;
	r->own_fd = own;
	r->p = r->end = r->blk;
	return r;
fail:
	if (err && errcap) snprintf(err, errcap, "cannot open %s: %s", path, why);
	if (own) close(fd);
	if (r) {
		free(r->rb);
		free(r);
	}
	return NULL;
}

csv_reader *csv_open_memory(const char *buf, size_t len)
{
	csv_reader *r = new_reader();
	if (!r) return NULL;
	if (!buf) {
		buf = "";
		len = 0;
	}
	r->p = (const unsigned char *)buf;
	r->end = r->p + len;
	r->eof = 1;
	return r;
}

void csv_close(csv_reader *r)
{
	if (!r) return;
	if (r->own_fd) close(r->fd);
	free(r->blk);
	free(r->rb);
	free(r);
}

const char *csv_errmsg(const csv_reader *r)
{
	return r ? r->err : "no reader";
}

long csv_errline(const csv_reader *r)
{
	return r ? r->errline : 0;
}

/* Reads the next block into blk[have..]; returns the number of bytes added (0 at EOF or on error). */
static size_t read_more(csv_reader *r, size_t have)
{
	if (r->eof) return 0;
	for (;;) {
		ssize_t n = read(r->fd, r->blk + have, CSV_BLOCK - have);
		if (n > 0) {
			r->p = r->blk;
			r->end = r->blk + have + (size_t)n;
			return (size_t)n;
		}
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) {
			snprintf(r->ioerr, sizeof r->ioerr, "read error: %s", strerror(errno));
			r->io_error = 1;
		}
		r->eof = 1;
		return 0;
	}
}

/* Called when p == end: gets more input; 0 at end of input. */
static int refill(csv_reader *r)
{
	return r->blk ? read_more(r, 0) > 0 : 0;
}

static void set_err(csv_reader *r, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	r->errline = line;
}

/* Skips the rest of a bad row, from state st, up to and including the next line end outside quotes.
 * qline is where the quote of the current field opened when st is S_QUOTED. */
static void skip_row(csv_reader *r, int st, long qline)
{
	for (;;) {
		if (r->p == r->end && !refill(r)) {
			if (st == S_QUOTED) r->pending_quote = qline;
			return;
		}
		unsigned char c = *r->p++;
		switch (st) {
		case S_FIELD:
			if (c == '"') {
				st = S_QUOTED;
				qline = r->line;
				break;
			}
			st = S_UNQUOTED;
			/* fall through */
		case S_UNQUOTED:
			if (c == ',') {
				st = S_FIELD;
			} else if (c == '\n') {
				r->line++;
				return;
			}
			break;
		case S_QUOTED:
			if (c == '\n')
				r->line++;
			else if (c == '"')
				st = S_AFTER_QUOTE;
			break;
		case S_AFTER_QUOTE:
			if (c == '"') {
				st = S_QUOTED;
			} else if (c == ',') {
				st = S_FIELD;
			} else if (c == '\n') {
				r->line++;
				return;
			} else {
				st = S_UNQUOTED;
			}
			break;
		}
	}
}

/* Validates the UTF-8 sequence whose lead byte (>= 0x80) is at r->p (RFC 3629 section 4, Unicode
 * table 3-7), copies it to out and returns its length; or returns 0 with r->p on the first byte
 * that cannot belong to it (a bad lead byte is consumed). */
static int utf8_take(csv_reader *r, unsigned char *out)
{
	unsigned char c = *r->p++, lo = 0x80, hi = 0xBF;
	int n;

	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0; /* continuation byte, overlong C0/C1, or F5..FF */
	}
	out[0] = c;
	for (int i = 1; i <= n; i++) {
		if (r->p == r->end && !refill(r)) return 0;
		unsigned char d = *r->p;
		if (d < lo || d > hi) return 0;
		out[i] = d;
		r->p++;
		lo = 0x80;
		hi = 0xBF;
	}
	return n + 1;
}

static int grow_row(csv_reader *r, size_t need)
{
	size_t cap = r->rbcap;
	while (cap < need)
		cap *= 2;
	char *nb = realloc(r->rb, cap);
	if (!nb) return -1;
	r->rb = nb;
	r->rbcap = cap;
	return 0;
}

/* Parses one row from r->p (which has at least one byte) into the row buffer. On CSV_ROW, *nfields
 * is the field count and *blank tells a blank line (one empty unquoted field). */
static csv_rc parse_row(csv_reader *r, int *nfields, int *blank)
{
	const unsigned char *p = r->p, *end = r->end;
	unsigned char *fb = NULL, *w = NULL; /* start of the current field, write position */
	unsigned char u8[4];
	size_t off = 0; /* offset of the current field in the row buffer */
	long qline = 0;
	int nf = 0, first_quoted = 0, st = S_UNQUOTED, k;
	unsigned c;

#define SAVE() (r->p = p)
#define LOAD() (p = r->p, end = r->end)
#define ROOM() ((size_t)CSV_FIELD_MAX - (size_t)(w - fb))
#define FINISH_FIELD()                                                                                       \
	do {                                                                                                 \
		*w = '\0';                                                                                   \
		r->len[nf] = (size_t)(w - fb);                                                               \
		off += r->len[nf] + 1;                                                                       \
		nf++;                                                                                        \
	} while (0)

next_field:
	if (nf == CSV_FIELDS_MAX) {
		SAVE();
		set_err(r, r->line, "more than %d fields", CSV_FIELDS_MAX);
		st = S_FIELD;
		goto bad;
	}
	if (r->rbcap - off < (size_t)CSV_FIELD_MAX + 1 && grow_row(r, off + CSV_FIELD_MAX + 1) < 0) {
		SAVE();
		set_err(r, r->line, "out of memory");
		r->fatal = 1;
		return CSV_FATAL;
	}
	fb = w = (unsigned char *)r->rb + off;
	if (p == end) {
		SAVE();
		refill(r);
		LOAD();
		if (p == end) /* "a," at end of input: an empty last field */
			goto field_row_end;
	}
	if (*p == '"') goto quoted;

	/* unquoted field */
	st = S_UNQUOTED;
	for (;;) {
		size_t room = ROOM();
		const unsigned char *lim = (size_t)(end - p) > room ? p + room : end;
		size_t plain = copy_plain(p, lim, w, 0);
		p += plain;
		w += plain;
		if (p < lim && cls_unquoted[*p] == C_PLAIN) { /* a TAB, or the last bytes before lim */
			*w++ = *p++;
			continue;
		}
		if (p == end) {
			SAVE();
			refill(r);
			LOAD();
			if (p == end) goto field_row_end;
			continue;
		}
		c = *p;
		if (c == ',') { /* the common cases first */
			p++;
			FINISH_FIELD();
			goto next_field;
		}
		switch (cls_unquoted[c]) {
		case C_PLAIN: /* stopped by lim: no room left */
			SAVE();
			goto too_long;
		case C_COMMA:
			p++;
			FINISH_FIELD();
			goto next_field;
		case C_LF:
			p++;
			r->line++;
			goto field_row_end;
		case C_CR:
			p++;
			if (p == end) {
				SAVE();
				refill(r);
				LOAD();
			}
			if (p == end) goto field_row_end;
			if (*p == '\n') {
				p++;
				r->line++;
				goto field_row_end;
			}
			if (ROOM() == 0) {
				SAVE();
				goto too_long;
			}
			*w++ = '\r';
			break;
		case C_QUOTE:
			SAVE();
			r->p++;
			set_err(r, r->line, "quote inside unquoted field %d", nf + 1);
			goto bad;
		case C_NUL:
			SAVE();
			r->p++;
			set_err(r, r->line, "NUL byte in field %d", nf + 1);
			goto bad;
		default: /* C_HIGH */
			SAVE();
			k = utf8_take(r, u8);
			LOAD();
			if (k == 0) {
				set_err(r, r->line, "invalid UTF-8 in field %d", nf + 1);
				goto bad;
			}
			if (ROOM() < (size_t)k) goto too_long;
			memcpy(w, u8, (size_t)k);
			w += k;
			break;
		}
	}

quoted:
	st = S_QUOTED;
	qline = r->line;
	if (nf == 0) first_quoted = 1;
	p++;
	for (;;) {
		size_t room = ROOM();
		const unsigned char *lim = (size_t)(end - p) > room ? p + room : end;
		size_t plain = copy_plain(p, lim, w, 1);
		p += plain;
		w += plain;
		if (p < lim && cls_quoted[*p] == C_PLAIN) {
			*w++ = *p++;
			continue;
		}
		if (p == end) {
			SAVE();
			refill(r);
			LOAD();
			if (p == end) {
				set_err(r, qline, "unterminated quoted field (opened on line %ld)", qline);
				r->fatal = 1;
				return CSV_FATAL;
			}
			continue;
		}
		c = *p;
		switch (cls_quoted[c]) {
		case C_PLAIN:
			SAVE();
			goto too_long;
		case C_LF:
			if (ROOM() == 0) {
				SAVE();
				goto too_long;
			}
			*w++ = '\n';
			p++;
			r->line++;
			break;
		case C_NUL:
			SAVE();
			r->p++;
			set_err(r, r->line, "NUL byte in field %d", nf + 1);
			goto bad;
		case C_HIGH:
			SAVE();
			k = utf8_take(r, u8);
			LOAD();
			if (k == 0) {
				set_err(r, r->line, "invalid UTF-8 in field %d", nf + 1);
				goto bad;
			}
			if (ROOM() < (size_t)k) goto too_long;
			memcpy(w, u8, (size_t)k);
			w += k;
			break;
		default: /* C_QUOTE: an escaped quote or the end of the field */
			p++;
			if (p == end) {
				SAVE();
				refill(r);
				LOAD();
				if (p == end) goto field_row_end;
			}
			if (*p == '"') {
				if (ROOM() == 0) {
					p++; /* the skip goes on inside the quotes */
					SAVE();
					goto too_long;
				}
				*w++ = '"';
				p++;
				break;
			}
			st = S_UNQUOTED;
			if (*p == ',') {
				p++;
				FINISH_FIELD();
				goto next_field;
			}
			if (*p == '\n') {
				p++;
				r->line++;
				goto field_row_end;
			}
			if (*p == '\r') {
				p++;
				if (p == end) {
					SAVE();
					refill(r);
					LOAD();
				}
				if (p == end) goto field_row_end;
				if (*p == '\n') {
					p++;
					r->line++;
					goto field_row_end;
				}
			}
			SAVE();
			set_err(r, r->line, "text after closing quote in field %d", nf + 1);
			goto bad;
		}
	}

field_row_end:
	FINISH_FIELD();
	SAVE();
	*nfields = nf;
	*blank = nf == 1 && r->len[0] == 0 && !first_quoted;
	return CSV_ROW;

too_long:
	set_err(r, r->line, "field %d longer than %d bytes", nf + 1, CSV_FIELD_MAX);
bad:
	skip_row(r, st, qline);
	return CSV_BAD_ROW;
#undef SAVE
#undef LOAD
#undef ROOM
#undef FINISH_FIELD
}

static csv_rc fatal_io(csv_reader *r)
{
	memcpy(r->err, r->ioerr, sizeof r->err);
	r->errline = r->line;
	r->fatal = 1;
	return CSV_FATAL;
}

csv_rc csv_next(csv_reader *r, csv_row *row)
{
	row->n = 0;
	row->field = r->field;
	row->len = r->len;
	row->line = r->line;
	if (r->fatal) return CSV_FATAL;
	if (r->done) return CSV_EOF;
	if (r->pending_quote) {
		set_err(r, r->pending_quote, "unterminated quoted field (opened on line %ld)",
		        r->pending_quote);
		r->fatal = 1;
		return CSV_FATAL;
	}
	if (!r->started) {
		r->started = 1;
		if (r->blk)
			while (r->end - r->p < 3 && read_more(r, (size_t)(r->end - r->p)) > 0)
				;
		if (r->end - r->p >= 3 && r->p[0] == 0xEF && r->p[1] == 0xBB && r->p[2] == 0xBF) r->p += 3;
	}
	for (;;) {
		int n, blank;
		if (r->p == r->end && !refill(r)) {
			if (r->io_error) return fatal_io(r);
			r->done = 1;
			return CSV_EOF;
		}
		row->line = r->line;
		csv_rc rc = parse_row(r, &n, &blank);
		if (r->io_error) return fatal_io(r);
		if (rc == CSV_ROW && blank) continue;
		if (rc == CSV_ROW) {
			char *f = r->rb;
			for (int i = 0; i < n; i++) {
				r->field[i] = f;
				f += r->len[i] + 1;
			}
			row->n = n;
		}
		return rc;
	}
}

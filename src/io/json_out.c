/* json_out.c: streaming JSON writer (see json_out.h). */
#include "io/json_out.h"

#include <inttypes.h>

void json_init(json_out *j, FILE *f, int pretty)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = 1;
	j->after_key = 0;
	j->pretty = pretty;
	j->err = 0;
}

static void indent(json_out *j)
{
	if (!j->pretty) return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Before a value or a key: the comma and indentation the position needs. */
static void sep(json_out *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (!j->first[j->depth]) fputc(',', j->f);
	j->first[j->depth] = 0;
	if (j->depth > 0) indent(j);
}

static void open_(json_out *j, char c)
{
	sep(j);
	fputc(c, j->f);
	if (j->depth + 1 >= JSON_OUT_DEPTH) {
		j->err = 1;
		return;
	}
	j->depth++;
	j->first[j->depth] = 1;
}

static void close_(json_out *j, char c)
{
	if (j->depth == 0) {
		j->err = 1;
		return;
	}
	int empty = j->first[j->depth];
	j->depth--;
	if (!empty) indent(j);
	fputc(c, j->f);
}

void json_obj_begin(json_out *j)
{
	open_(j, '{');
}
void json_obj_end(json_out *j)
{
	close_(j, '}');
}
void json_arr_begin(json_out *j)
{
	open_(j, '[');
}
void json_arr_end(json_out *j)
{
	close_(j, ']');
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_key(json_out *j, const char *k)
{
	sep(j);
	put_string(j->f, k);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = 1;
}

void json_str(json_out *j, const char *s)
{
	sep(j);
	put_string(j->f, s ? s : "");
}

void json_int(json_out *j, int64_t v)
{
	sep(j);
	fprintf(j->f, "%" PRId64, v);
}

void json_raw(json_out *j, const char *number)
{
	sep(j);
	fputs(number, j->f);
}

void json_bool(json_out *j, int v)
{
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void json_nullv(json_out *j)
{
	sep(j);
	fputs("null", j->f);
}

void json_kstr(json_out *j, const char *k, const char *s)
{
	json_key(j, k);
	json_str(j, s);
}

void json_kint(json_out *j, const char *k, int64_t v)
{
	json_key(j, k);
	json_int(j, v);
}

void json_end(json_out *j)
{
	fputc('\n', j->f);
}

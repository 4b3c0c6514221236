/* json_out.h: a small streaming JSON writer (RFC 8259) for reports and the API.
 * Promises: well-formed output whatever the call order mistakes (commas and nesting are tracked;
 * nesting deeper than JSON_OUT_DEPTH is refused), strings escaped (control characters, quote,
 * backslash; UTF-8 passed through), amounts written as decimal strings by the caller. */
#ifndef VIGIE_JSON_OUT_H
#define VIGIE_JSON_OUT_H
#include <stdint.h>
#include <stdio.h>

#define JSON_OUT_DEPTH 32

typedef struct {
	FILE *f;
	int depth;
	int first[JSON_OUT_DEPTH]; /* no element written yet at this level */
	int after_key;
	int pretty;
	int err; /* set on misuse (too deep); output stays well-formed where possible */
} json_out;

void json_init(json_out *j, FILE *f, int pretty);
void json_obj_begin(json_out *j);
void json_obj_end(json_out *j);
void json_arr_begin(json_out *j);
void json_arr_end(json_out *j);
void json_key(json_out *j, const char *k);
void json_str(json_out *j, const char *s);
void json_int(json_out *j, int64_t v);
void json_raw(json_out *j, const char *number); /* a number already formatted */
void json_bool(json_out *j, int v);
void json_nullv(json_out *j); /* "null" (not json_null: jansson has one) */
/* key + value shorthands */
void json_kstr(json_out *j, const char *k, const char *s);
void json_kint(json_out *j, const char *k, int64_t v);
void json_end(json_out *j); /* final newline */

#endif

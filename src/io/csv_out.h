/* csv_out.h: writing CSV fields (RFC 4180): a field is quoted only when it holds a comma, a quote,
 * CR or LF, with quotes doubled, so that `vigie export` output reads back through `vigie import`. */
#ifndef VIGIE_CSV_OUT_H
#define VIGIE_CSV_OUT_H
#include <stdio.h>

void csv_out_field(FILE *f, const char *s);

#endif

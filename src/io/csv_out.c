/* csv_out.c: CSV field writer (see csv_out.h). */
#include "io/csv_out.h"

#include <string.h>

void csv_out_field(FILE *f, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"') fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

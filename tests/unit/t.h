/* t.h: the tiny test harness of Vigie's unit tests.
 * Each check prints "ok - name" or "not ok - file:line: name: detail"; t_done() prints
 * "N passed, N failed" and returns the exit code. scripts/run-tests.sh adds the counts up. */
#ifndef VIGIE_T_H
#define VIGIE_T_H
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define T_OK(cond, ...)                                                                  \
	do {                                                                                 \
		if (cond) {                                                                      \
			t_pass++;                                                                    \
		} else {                                                                         \
			t_fail++;                                                                    \
			printf("not ok - %s:%d: ", __FILE__, __LINE__);                             \
			printf(__VA_ARGS__);                                                         \
			printf("\n");                                                                \
		}                                                                                \
	} while (0)

#define T_EQ_INT(got, want, ...)                                                         \
	do {                                                                                 \
		long long t_g_ = (long long)(got), t_w_ = (long long)(want);                     \
		T_OK(t_g_ == t_w_, "%s: got %lld, want %lld", (__VA_ARGS__ ""), t_g_, t_w_);   \
	} while (0)

#define T_EQ_STR(got, want, ...)                                                         \
	do {                                                                                 \
		const char *t_g_ = (got), *t_w_ = (want);                                        \
		T_OK(t_g_ && t_w_ && strcmp(t_g_, t_w_) == 0, "%s: got \"%s\", want \"%s\"",   \
		     (__VA_ARGS__ ""), t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)");        \
	} while (0)

static inline int t_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, t_pass, t_fail);
	return t_fail ? 1 : 0;
}
#endif

/* policy_file.h: reads a follow-up and collection policy from a YAML file (libyaml) into the model of
 * core/policy.h, and validates it. The format (every key) is in docs/policies.md.
 * Promises: every problem is reported, not only the first (up to PF_MAX_ERRORS), each as
 * "FILE:LINE: FIELD: expected ..., found ..." where FIELD is a path such as
 * segments[2].steps[1].event (lists counted from 1); unknown keys, wrong types, unknown names,
 * duplicates and inconsistent steps are errors. Input is bounded: at most PF_MAX_BYTES, a nesting
 * depth of PF_MAX_DEPTH, PF_MAX_EVENTS parser events; anchors and aliases are refused; only one YAML
 * document. On any error the policy is left zeroed. */
#ifndef VIGIE_POLICY_FILE_H
#define VIGIE_POLICY_FILE_H
#include <stddef.h>

#include "core/policy.h"

#define PF_MAX_BYTES  ((size_t)1 << 20)
#define PF_MAX_DEPTH  16
#define PF_MAX_EVENTS 200000
#define PF_MAX_ERRORS 50
#define PF_MSG_MAX    320

typedef enum {
	PF_OK = 0,
	PF_ERR_IO,        /* cannot open or read the file */
	PF_ERR_TOO_LARGE, /* over PF_MAX_BYTES, too deep or too many events */
	PF_ERR_YAML,      /* not well-formed YAML */
	PF_ERR_INVALID,   /* YAML, but not a valid policy */
	PF_ERR_NOMEM,
} pf_err;

const char *policy_file_strerror(pf_err e);

typedef struct {
	int n;    /* messages kept */
	int more; /* errors left out beyond PF_MAX_ERRORS */
	int line[PF_MAX_ERRORS];
	char msg[PF_MAX_ERRORS][PF_MSG_MAX]; /* "FILE:LINE: ..." */
} pf_errors;

/* Parses buf[0..len); label names the file in messages. out and errs are caller-owned. */
pf_err policy_file_parse(const char *buf, size_t len, const char *label, policy *out, pf_errors *errs);
/* Reads the file at path (label = path). */
pf_err policy_file_load(const char *path, policy *out, pf_errors *errs);

/* Number of steps over all segments. */
int policy_file_count_steps(const policy *p);

#endif

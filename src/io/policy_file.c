/* policy_file.c: YAML policy file -> core/policy.h model, with every validation error reported as
 * FILE:LINE: FIELD: expected ..., found ... (see policy_file.h and docs/policies.md).
 *
 * Two passes over the text with libyaml: the event parser first checks the bounds (depth, number
 * of events, one document, no anchors or aliases), then the document loader builds the node tree
 * that the schema walk below reads. The walk only descends where the schema expects a mapping or a
 * list, so its depth is bounded by the schema, whatever the input. */
#include "io/policy_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/currency.h"
#include "core/money.h"

const char *policy_file_strerror(pf_err e)
{
	switch (e) {
	case PF_OK:
		return "ok";
	case PF_ERR_IO:
		return "cannot read the file";
	case PF_ERR_TOO_LARGE:
		return "file too large or too deeply nested";
	case PF_ERR_YAML:
		return "not well-formed YAML";
	case PF_ERR_INVALID:
		return "invalid policy";
	case PF_ERR_NOMEM:
		return "out of memory";
	}
	return "unknown error";
}

typedef struct {
	yaml_document_t *doc;
	const char *label;
	pf_errors *e;
} walk;

static void add_err(pf_errors *e, const char *label, int line, const char *fmt, ...)
{
	if (e->n >= PF_MAX_ERRORS) {
		e->more++;
		return;
	}
	char *m = e->msg[e->n];
	int k = line > 0 ? snprintf(m, PF_MSG_MAX, "%s:%d: ", label, line)
	                 : snprintf(m, PF_MSG_MAX, "%s: ", label);
	if (k < 0 || k >= PF_MSG_MAX) k = PF_MSG_MAX - 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m + k, (size_t)(PF_MSG_MAX - k), fmt, ap);
	va_end(ap);
	e->line[e->n] = line;
	e->n++;
}

static int line_of(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

#define ERR(w, node, ...) add_err((w)->e, (w)->label, line_of(node), __VA_ARGS__)

/* What a node is, for "found ...". */
static const char *found(const yaml_node_t *n, char *buf, size_t cap)
{
	if (!n) return "nothing";
	if (n->type == YAML_SEQUENCE_NODE) return "a list";
	if (n->type == YAML_MAPPING_NODE) return "a mapping";
	if (n->data.scalar.length == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) return "nothing";
	size_t len = n->data.scalar.length;
	int cut = len > 40;
	char text[48];
	size_t k = 0;
	for (size_t i = 0; i < len && k < 40; i++) {
		unsigned char ch = n->data.scalar.value[i];
		text[k++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
	}
	text[k] = 0;
	snprintf(buf, cap, "\"%s%s\"", text, cut ? "..." : "");
	return buf;
}

static yaml_node_t *node(walk *w, int index)
{
	return yaml_document_get_node(w->doc, index);
}

/* A scalar's text as a C string (NULL when the node is not a scalar, is empty/null, holds a NUL,
 * or is longer than cap - 1: an error is reported). */
static const char *text_of(walk *w, const yaml_node_t *n, const char *path, char *buf, size_t cap,
                           const char *expected)
{
	char f[64];
	if (!n || n->type != YAML_SCALAR_NODE ||
	    (n->data.scalar.length == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)) {
		ERR(w, n, "%s: expected %s, found %s", path, expected, found(n, f, sizeof f));
		return NULL;
	}
	size_t len = n->data.scalar.length;
	if (memchr(n->data.scalar.value, 0, len)) {
		ERR(w, n, "%s: expected %s, found a text with a NUL character", path, expected);
		return NULL;
	}
	if (len >= cap) {
		ERR(w, n, "%s: expected %s of at most %zu bytes, found %zu bytes", path, expected, cap - 1,
		    len);
		return NULL;
	}
	memcpy(buf, n->data.scalar.value, len);
	buf[len] = 0;
	return buf;
}

/* An identifier: letters, digits, '_', '-', '.', ':' (it goes into dedupe keys). */
static int id_ok(const char *s)
{
	if (!*s) return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.' || *s == ':'))
			return 0;
	return 1;
}

static int get_id(walk *w, const yaml_node_t *n, const char *path, char *out)
{
	char buf[POLICY_ID_MAX];
	if (!text_of(w, n, path, buf, sizeof buf, "an identifier")) return -1;
	if (!id_ok(buf)) {
		char f[64];
		ERR(w, n, "%s: expected an identifier (letters, digits, _ - . :), found %s", path,
		    found(n, f, sizeof f));
		return -1;
	}
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

static int get_int(walk *w, const yaml_node_t *n, const char *path, int64_t lo, int64_t hi, int32_t *out)
{
	char buf[32], f[64];
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.length == 0 ||
	    n->data.scalar.length >= sizeof buf) {
		ERR(w, n, "%s: expected an integer, found %s", path, found(n, f, sizeof f));
		return -1;
	}
	memcpy(buf, n->data.scalar.value, n->data.scalar.length);
	buf[n->data.scalar.length] = 0;
	const char *p = buf;
	int neg = 0;
	if (*p == '-' || *p == '+') neg = *p++ == '-';
	int64_t v = 0;
	if (!*p) p = "x";
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100000000) {
			ERR(w, n, "%s: expected an integer, found %s", path, found(n, f, sizeof f));
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	if (neg) v = -v;
	if (v < lo || v > hi) {
		ERR(w, n, "%s: expected an integer from %lld to %lld, found %lld", path, (long long)lo,
		    (long long)hi, (long long)v);
		return -1;
	}
	*out = (int32_t)v;
	return 0;
}

static int get_bool(walk *w, const yaml_node_t *n, const char *path, int *out)
{
	char f[64];
	if (n && n->type == YAML_SCALAR_NODE) {
		const char *s = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		if (len == 4 && memcmp(s, "true", 4) == 0) return *out = 1, 0;
		if (len == 5 && memcmp(s, "false", 5) == 0) return *out = 0, 0;
	}
	ERR(w, n, "%s: expected true or false, found %s", path, found(n, f, sizeof f));
	return -1;
}

static int get_amount(walk *w, const yaml_node_t *n, const char *path, const char *currency, int64_t *out)
{
	char buf[40], f[64];
	const currency_info *ci = currency_find(currency, strlen(currency));
	int exp = ci ? ci->exponent : 0;
	if (!n || n->type != YAML_SCALAR_NODE || n->data.scalar.length == 0 ||
	    n->data.scalar.length >= sizeof buf) {
		ERR(w, n, "%s: expected an amount in %s, found %s", path, currency, found(n, f, sizeof f));
		return -1;
	}
	memcpy(buf, n->data.scalar.value, n->data.scalar.length);
	buf[n->data.scalar.length] = 0;
	money_err me = money_parse(buf, strlen(buf), exp, out);
	if (me != MONEY_OK || *out < 0) {
		ERR(w, n, "%s: expected an amount >= 0 in %s (%d decimals), found %s (%s)", path, currency,
		    exp, found(n, f, sizeof f), me ? money_strerror(me) : "negative");
		return -1;
	}
	return 0;
}

/* A mapping's pairs, checked against the allowed keys: calls fn(w, key_index, value_node, ctx) for
 * each known key; reports unknown and duplicate keys. Returns -1 when n is not a mapping. */
typedef void (*key_fn)(walk *w, int key, const yaml_node_t *knode, const yaml_node_t *v, const char *path,
                       void *ctx);

static int each_key(walk *w, const yaml_node_t *n, const char *path, const char *const *keys, key_fn fn,
                    void *ctx)
{
	char f[64], kb[POLICY_ID_MAX], sub[256];
	if (!n || n->type != YAML_MAPPING_NODE) {
		ERR(w, n, "%s: expected a mapping, found %s", path[0] ? path : "document",
		    found(n, f, sizeof f));
		return -1;
	}
	unsigned long seen = 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(w, p->key), *v = node(w, p->value);
		if (!k || k->type != YAML_SCALAR_NODE || k->data.scalar.length >= sizeof kb) {
			ERR(w, k, "%s: expected a key, found %s", path[0] ? path : "document",
			    found(k, f, sizeof f));
			continue;
		}
		memcpy(kb, k->data.scalar.value, k->data.scalar.length);
		kb[k->data.scalar.length] = 0;
		int idx = -1;
		for (int i = 0; keys[i]; i++)
			if (strcmp(keys[i], kb) == 0) idx = i;
		snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", kb);
		if (idx < 0) {
			char list[256] = "";
			for (int i = 0; keys[i]; i++) {
				strncat(list, i ? ", " : "", sizeof list - strlen(list) - 1);
				strncat(list, keys[i], sizeof list - strlen(list) - 1);
			}
			ERR(w, k, "%s: expected one of the keys %s, found an unknown key", sub, list);
			continue;
		}
		if (seen & (1ul << idx)) {
			ERR(w, k, "%s: expected each key once, found it again", sub);
			continue;
		}
		seen |= 1ul << idx;
		fn(w, idx, k, v, sub, ctx);
	}
	return 0;
}

/* A list of identifiers (a single one is accepted as a list of one). */
static int get_id_list(walk *w, const yaml_node_t *n, const char *path, char (*out)[POLICY_ID_MAX],
                       int *n_out)
{
	char f[64], sub[256];
	*n_out = 0;
	if (n && n->type == YAML_SCALAR_NODE) return get_id(w, n, path, out[(*n_out)++]);
	if (!n || n->type != YAML_SEQUENCE_NODE) {
		ERR(w, n, "%s: expected a list, found %s", path, found(n, f, sizeof f));
		return -1;
	}
	long count = n->data.sequence.items.top - n->data.sequence.items.start;
	if (count == 0 || count > POLICY_MAX_LIST) {
		ERR(w, n, "%s: expected 1 to %d items, found %ld", path, POLICY_MAX_LIST, count);
		return -1;
	}
	int rc = 0;
	for (long i = 0; i < count; i++) {
		snprintf(sub, sizeof sub, "%s[%ld]", path, i + 1);
		if (get_id(w, node(w, n->data.sequence.items.start[i]), sub, out[*n_out]) == 0)
			(*n_out)++;
		else
			rc = -1;
	}
	return rc;
}

/* ---- steps ---- */

static const char *const STEP_KEYS[] = {"id",        "description", "event",          "offset", "repeat",
                                        "action",    "channels",    "template",       "task",   "assignee",
                                        "four_eyes", "condition",   "only_if_unpaid", "on",     NULL};
enum {
	SK_ID,
	SK_DESC,
	SK_EVENT,
	SK_OFFSET,
	SK_REPEAT,
	SK_ACTION,
	SK_CHANNELS,
	SK_TEMPLATE,
	SK_TASK,
	SK_ASSIGNEE,
	SK_FOUR_EYES,
	SK_CONDITION,
	SK_ONLY_IF_UNPAID,
	SK_ON
};

typedef struct {
	policy_step *s;
	unsigned long given; /* SK_* bits */
	const yaml_node_t *at[16];
	int bad; /* a key's value was invalid (its own error given) */
} step_ctx;

static const char *const REPEAT_KEYS[] = {"every", "times", NULL};
static const char *const COND_KEYS[] = {"max_dpd_ever", NULL};

static void repeat_key(walk *w, int key, const yaml_node_t *k, const yaml_node_t *v, const char *path,
                       void *vc)
{
	(void)k;
	step_ctx *c = vc;
	if (key == 0) {
		if (get_int(w, v, path, 1, POLICY_MAX_OFFSET, &c->s->every)) c->bad = 1;
	} else if (get_int(w, v, path, 1, POLICY_MAX_TIMES, &c->s->times)) {
		c->bad = 1;
	}
	c->given |= 1ul << (20 + key);
}

static void cond_key(walk *w, int key, const yaml_node_t *k, const yaml_node_t *v, const char *path, void *vc)
{
	(void)k;
	(void)key;
	step_ctx *c = vc;
	if (get_int(w, v, path, 0, POLICY_MAX_OFFSET, &c->s->max_dpd_ever)) c->bad = 1;
}

static void step_key(walk *w, int key, const yaml_node_t *k, const yaml_node_t *v, const char *path, void *vc)
{
	step_ctx *c = vc;
	policy_step *s = c->s;
	char buf[POLICY_ID_MAX], f[64], sub[300];
	c->given |= 1ul << key;
	c->at[key] = k;
	int rc = 0;
	switch (key) {
	case SK_ID:
		rc = get_id(w, v, path, s->id);
		break;
	case SK_DESC:
		if (!v || v->type != YAML_SCALAR_NODE) {
			ERR(w, v, "%s: expected a text, found %s", path, found(v, f, sizeof f));
			rc = -1;
		}
		break;
	case SK_EVENT: {
		if (!text_of(w, v, path, buf, sizeof buf, "an event")) {
			rc = -1;
			break;
		}
		int e = policy_event_parse(buf);
		if (e < 0) {
			ERR(w, v,
			    "%s: expected disbursement, due_date, dpd, maturity, broken_promise, task_failed, "
			    "task_overdue or alert, found %s",
			    path, found(v, f, sizeof f));
			rc = -1;
		} else {
			s->event = (policy_event)e;
		}
		break;
	}
	case SK_OFFSET:
		rc = get_int(w, v, path, -POLICY_MAX_OFFSET, POLICY_MAX_OFFSET, &s->offset);
		break;
	case SK_REPEAT: {
		if (each_key(w, v, path, REPEAT_KEYS, repeat_key, c)) {
			rc = -1;
			break;
		}
		if (!(c->given & (1ul << 20))) {
			ERR(w, v, "%s.every: expected a number of days, found nothing", path);
			rc = -1;
		}
		if (!(c->given & (1ul << 21))) {
			ERR(w, v, "%s.times: expected a number of occurrences (1 to %d), found nothing", path,
			    POLICY_MAX_TIMES);
			rc = -1;
		}
		break;
	}
	case SK_ACTION: {
		if (!text_of(w, v, path, buf, sizeof buf, "an action")) {
			rc = -1;
			break;
		}
		int a = policy_action_parse(buf);
		if (a < 0) {
			ERR(w, v,
			    "%s: expected message, task, alert, escalation, plan_proposal, renewal_check, "
			    "formal_notice, court_file, insurance_notice or hold, found %s",
			    path, found(v, f, sizeof f));
			rc = -1;
		} else {
			s->action = (policy_action)a;
		}
		break;
	}
	case SK_CHANNELS: {
		const yaml_node_t *items[8];
		int n = 0;
		if (v && v->type == YAML_SCALAR_NODE) {
			items[n++] = v;
		} else if (v && v->type == YAML_SEQUENCE_NODE) {
			long count = v->data.sequence.items.top - v->data.sequence.items.start;
			if (count < 1 || count > 3) {
				ERR(w, v, "%s: expected 1 to 3 channels, found %ld", path, count);
				rc = -1;
				break;
			}
			for (long i = 0; i < count; i++)
				items[n++] = node(w, v->data.sequence.items.start[i]);
		} else {
			ERR(w, v, "%s: expected a list of channels (sms, email, letter), found %s", path,
			    found(v, f, sizeof f));
			rc = -1;
			break;
		}
		for (int i = 0; i < n; i++) {
			snprintf(sub, sizeof sub, "%s[%d]", path, i + 1);
			int ch = -1;
			if (text_of(w, items[i], sub, buf, sizeof buf, "a channel")) {
				ch = policy_channel_parse(buf);
				if (ch < 0)
					ERR(w, items[i], "%s: expected sms, email or letter, found %s", sub,
					    found(items[i], f, sizeof f));
				else if (s->channels & (unsigned)ch)
					ERR(w, items[i], "%s: expected each channel once, found %s again",
					    sub, found(items[i], f, sizeof f));
			}
			if (ch < 0 || (s->channels & (unsigned)ch))
				rc = -1;
			else
				s->channels |= (unsigned)ch;
		}
		break;
	}
	case SK_TEMPLATE:
		rc = get_id(w, v, path, s->template_name);
		break;
	case SK_TASK: {
		if (!text_of(w, v, path, buf, sizeof buf, "a task kind")) {
			rc = -1;
			break;
		}
		int t = policy_task_parse(buf);
		if (t < 0) {
			ERR(w, v,
			    "%s: expected call, visit, loan_use_verification, monitoring_visit or "
			    "document_check, "
			    "found %s",
			    path, found(v, f, sizeof f));
			rc = -1;
		} else {
			s->task = (policy_task_kind)t;
		}
		break;
	}
	case SK_ASSIGNEE:
		if (!text_of(w, v, path, buf, sizeof buf, "an assignee")) {
			rc = -1;
			break;
		}
		if (strcmp(buf, "officer") != 0 && !(strncmp(buf, "role:", 5) == 0 && id_ok(buf + 5))) {
			ERR(w, v, "%s: expected officer or role:NAME, found %s", path, found(v, f, sizeof f));
			rc = -1;
			break;
		}
		memcpy(s->assignee, buf, strlen(buf) + 1);
		break;
	case SK_FOUR_EYES:
		rc = get_bool(w, v, path, &s->four_eyes);
		break;
	case SK_CONDITION:
		rc = each_key(w, v, path, COND_KEYS, cond_key, c);
		break;
	case SK_ONLY_IF_UNPAID:
		rc = get_bool(w, v, path, &s->only_if_unpaid);
		break;
	case SK_ON:
		rc = get_id(w, v, path, s->on);
		break;
	}
	if (rc) c->bad = 1;
}

static void parse_step(walk *w, const yaml_node_t *n, const char *path, policy_step *s)
{
	memset(s, 0, sizeof *s);
	s->times = 1;
	s->max_dpd_ever = -1;
	s->only_if_unpaid = 1;
	s->line = line_of(n);
	step_ctx c = {.s = s};
	if (each_key(w, n, path, STEP_KEYS, step_key, &c)) return;
#define MISSING(bit, what)                                                                                   \
	do {                                                                                                 \
		if (!(c.given & (1ul << (bit)))) {                                                           \
			ERR(w, n, "%s.%s: expected %s, found nothing", path, STEP_KEYS[bit], what);          \
			c.bad = 1;                                                                           \
		}                                                                                            \
	} while (0)
	MISSING(SK_ID, "the step's identifier");
	MISSING(SK_EVENT, "an event");
	MISSING(SK_ACTION, "an action");
	if (c.bad) return;
		/* consistency of the step */
#define AT(key) (c.at[key] ? c.at[key] : n)
	if (s->action == PACT_MESSAGE) {
		MISSING(SK_CHANNELS, "the message's channels (sms, email, letter)");
		MISSING(SK_TEMPLATE, "the message's template");
	} else if (c.given & (1ul << SK_CHANNELS)) {
		ERR(w, AT(SK_CHANNELS),
		    "%s.channels: expected no channels for a %s step (only messages have "
		    "channels), found some",
		    path, policy_action_name(s->action));
	}
	if (s->action == PACT_TASK) {
		MISSING(SK_TASK, "the task kind");
		if (!s->assignee[0]) snprintf(s->assignee, sizeof s->assignee, "officer");
	} else if (c.given & (1ul << SK_TASK)) {
		ERR(w, AT(SK_TASK), "%s.task: expected no task kind for a %s step, found one", path,
		    policy_action_name(s->action));
	}
	if ((c.given & (1ul << SK_CONDITION)) && s->event != PEV_MATURITY)
		ERR(w, AT(SK_CONDITION),
		    "%s.condition: expected a condition only on maturity steps, found one "
		    "on a %s step",
		    path, policy_event_name(s->event));
	if ((c.given & (1ul << SK_ONLY_IF_UNPAID)) && s->event != PEV_DUE_DATE && s->event != PEV_DPD)
		ERR(w, AT(SK_ONLY_IF_UNPAID),
		    "%s.only_if_unpaid: expected only on due_date and dpd steps, found "
		    "it on a %s step",
		    path, policy_event_name(s->event));
	if (s->event == PEV_DPD && !s->only_if_unpaid)
		ERR(w, AT(SK_ONLY_IF_UNPAID),
		    "%s.only_if_unpaid: expected true for a dpd step (days past due "
		    "imply something unpaid), found false",
		    path);
	if (s->event == PEV_DPD && s->offset < 1)
		ERR(w, AT(SK_OFFSET), "%s.offset: expected a days-past-due threshold of at least 1, found %d",
		    path, (int)s->offset);
	if (s->event == PEV_DISBURSEMENT && s->offset < 0)
		ERR(w, AT(SK_OFFSET), "%s.offset: expected 0 or more days after disbursement, found %d", path,
		    (int)s->offset);
	int dated = s->event == PEV_TASK_FAILED || s->event == PEV_TASK_OVERDUE || s->event == PEV_ALERT;
	if ((dated || s->event == PEV_BROKEN_PROMISE) && s->offset < 0)
		ERR(w, AT(SK_OFFSET), "%s.offset: expected 0 or more days after the %s event, found %d", path,
		    policy_event_name(s->event), (int)s->offset);
	if ((c.given & (1ul << SK_ON)) && !dated)
		ERR(w, AT(SK_ON),
		    "%s.on: expected `on` only on task_failed, task_overdue and alert steps, found it on a %s "
		    "step",
		    path, policy_event_name(s->event));
	else if ((c.given & (1ul << SK_ON)) && s->event != PEV_ALERT && policy_task_parse(s->on) < 0)
		ERR(w, c.at[SK_ON],
		    "%s.on: expected a task kind (call, visit, loan_use_verification, monitoring_visit or "
		    "document_check), found \"%s\"",
		    path, s->on);
#undef AT
#undef MISSING
}

/* ---- segments ---- */

static const char *const SEG_KEYS[] = {"name", "description", "match", "steps", NULL};
static const char *const MATCH_KEYS[] = {"products", "branches", "grades", "amount", "dpd", NULL};
static const char *const AMOUNT_KEYS[] = {"currency", "min", "max", NULL};
static const char *const DPD_KEYS[] = {"min", "max", NULL};

typedef struct {
	policy_segment *g;
	const yaml_node_t *amount_min, *amount_max, *amount_at;
	int has_steps;
	int has_name;
	int has_currency;
} seg_ctx;

static void amount_key(walk *w, int key, const yaml_node_t *k, const yaml_node_t *v, const char *path,
                       void *vc)
{
	(void)k;
	seg_ctx *c = vc;
	char buf[8], f[64];
	if (key == 0) {
		if (!text_of(w, v, path, buf, sizeof buf, "a currency code")) return;
		if (strlen(buf) != 3 || !currency_find(buf, 3)) {
			ERR(w, v, "%s: expected an ISO 4217 currency code, found %s", path,
			    found(v, f, sizeof f));
			return;
		}
		memcpy(c->g->amount_currency, buf, 4);
		c->has_currency = 1;
	} else if (key == 1) {
		c->amount_min = v;
	} else {
		c->amount_max = v;
	}
}

static void dpd_key(walk *w, int key, const yaml_node_t *k, const yaml_node_t *v, const char *path, void *vc)
{
	(void)k;
	seg_ctx *c = vc;
	get_int(w, v, path, 0, 100000, key == 0 ? &c->g->dpd_min : &c->g->dpd_max);
}

static void match_key(walk *w, int key, const yaml_node_t *k, const yaml_node_t *v, const char *path,
                      void *vc)
{
	(void)k;
	seg_ctx *c = vc;
	policy_segment *g = c->g;
	switch (key) {
	case 0:
		get_id_list(w, v, path, g->products, &g->n_products);
		break;
	case 1:
		get_id_list(w, v, path, g->branches, &g->n_branches);
		break;
	case 2:
		get_id_list(w, v, path, g->grades, &g->n_grades);
		break;
	case 3: {
		g->has_amount = 1;
		g->amount_min = 0;
		g->amount_max = INT64_MAX;
		if (each_key(w, v, path, AMOUNT_KEYS, amount_key, c)) break;
		if (!c->has_currency) {
			ERR(w, v, "%s.currency: expected the currency of the range, found nothing", path);
			break;
		}
		char sub[256];
		snprintf(sub, sizeof sub, "%s.min", path);
		if (c->amount_min) get_amount(w, c->amount_min, sub, g->amount_currency, &g->amount_min);
		snprintf(sub, sizeof sub, "%s.max", path);
		if (c->amount_max) get_amount(w, c->amount_max, sub, g->amount_currency, &g->amount_max);
		if (g->amount_min > g->amount_max)
			ERR(w, v, "%s: expected min <= max, found min above max", path);
		break;
	}
	case 4:
		g->has_dpd = 1;
		g->dpd_min = 0;
		g->dpd_max = 100000;
		if (each_key(w, v, path, DPD_KEYS, dpd_key, c)) break;
		if (g->dpd_min > g->dpd_max)
			ERR(w, v, "%s: expected min <= max, found %d > %d", path, (int)g->dpd_min,
			    (int)g->dpd_max);
		break;
	}
}

static void seg_key(walk *w, int key, const yaml_node_t *k, const yaml_node_t *v, const char *path, void *vc)
{
	(void)k;
	seg_ctx *c = vc;
	policy_segment *g = c->g;
	char f[64], sub[300];
	switch (key) {
	case 0:
		c->has_name = 1;
		get_id(w, v, path, g->name);
		break;
	case 1:
		if (!v || v->type != YAML_SCALAR_NODE)
			ERR(w, v, "%s: expected a text, found %s", path, found(v, f, sizeof f));
		break;
	case 2:
		each_key(w, v, path, MATCH_KEYS, match_key, c);
		break;
	case 3: {
		c->has_steps = 1;
		if (!v || v->type != YAML_SEQUENCE_NODE) {
			ERR(w, v, "%s: expected a list of steps, found %s", path, found(v, f, sizeof f));
			break;
		}
		long count = v->data.sequence.items.top - v->data.sequence.items.start;
		if (count == 0) {
			ERR(w, v, "%s: expected at least one step, found none", path);
			break;
		}
		if (count > POLICY_MAX_STEPS) {
			ERR(w, v, "%s: expected at most %d steps, found %ld", path, POLICY_MAX_STEPS, count);
			count = POLICY_MAX_STEPS;
		}
		for (long i = 0; i < count; i++) {
			const yaml_node_t *sn = node(w, v->data.sequence.items.start[i]);
			snprintf(sub, sizeof sub, "%s[%ld]", path, i + 1);
			policy_step *s = &g->steps[g->n_steps];
			parse_step(w, sn, sub, s);
			for (int j = 0; j < g->n_steps && s->id[0]; j++)
				if (strcmp(g->steps[j].id, s->id) == 0) {
					ERR(w, sn,
					    "%s.id: expected an identifier unique within the segment, found "
					    "\"%s\" again (first at line %d)",
					    sub, s->id, g->steps[j].line);
					break;
				}
			g->n_steps++;
		}
		break;
	}
	}
}

/* ---- the document ---- */

static const char *const TOP_KEYS[] = {"name", "version", "description", "tolerances", "segments", NULL};

typedef struct {
	policy *p;
	int has_name, has_version, has_segments;
} top_ctx;

static void top_key(walk *w, int key, const yaml_node_t *k, const yaml_node_t *v, const char *path, void *vc)
{
	(void)k;
	top_ctx *c = vc;
	policy *p = c->p;
	char f[64], sub[300], kb[8];
	switch (key) {
	case 0:
		c->has_name = 1;
		get_id(w, v, path, p->name);
		break;
	case 1:
		c->has_version = 1;
		get_int(w, v, path, 1, 1000000000, &p->version);
		break;
	case 2:
		if (!v || v->type != YAML_SCALAR_NODE)
			ERR(w, v, "%s: expected a text, found %s", path, found(v, f, sizeof f));
		break;
	case 3:
		if (!v || v->type != YAML_MAPPING_NODE) {
			ERR(w, v, "%s: expected a mapping of currency codes to amounts, found %s", path,
			    found(v, f, sizeof f));
			break;
		}
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			const yaml_node_t *kn = node(w, q->key), *vn = node(w, q->value);
			if (!text_of(w, kn, path, kb, sizeof kb, "a currency code")) continue;
			snprintf(sub, sizeof sub, "%s.%s", path, kb);
			if (strlen(kb) != 3 || !currency_find(kb, 3)) {
				ERR(w, kn, "%s: expected an ISO 4217 currency code, found \"%s\"", sub, kb);
				continue;
			}
			int dup = 0;
			for (int i = 0; i < p->n_tol; i++)
				if (strcmp(p->tol[i].currency, kb) == 0) dup = 1;
			if (dup) {
				ERR(w, kn, "%s: expected each currency once, found it again", sub);
				continue;
			}
			if (p->n_tol >= POLICY_MAX_TOL) {
				ERR(w, kn, "%s: expected at most %d currencies, found more", path,
				    POLICY_MAX_TOL);
				break;
			}
			policy_tolerance *t = &p->tol[p->n_tol];
			if (get_amount(w, vn, sub, kb, &t->amount) == 0) {
				memcpy(t->currency, kb, 4);
				p->n_tol++;
			}
		}
		break;
	case 4: {
		c->has_segments = 1;
		if (!v || v->type != YAML_SEQUENCE_NODE) {
			ERR(w, v, "%s: expected a list of segments, found %s", path, found(v, f, sizeof f));
			break;
		}
		long count = v->data.sequence.items.top - v->data.sequence.items.start;
		if (count == 0) {
			ERR(w, v, "%s: expected at least one segment, found none", path);
			break;
		}
		if (count > POLICY_MAX_SEGMENTS) {
			ERR(w, v, "%s: expected at most %d segments, found %ld", path, POLICY_MAX_SEGMENTS,
			    count);
			count = POLICY_MAX_SEGMENTS;
		}
		for (long i = 0; i < count; i++) {
			const yaml_node_t *sn = node(w, v->data.sequence.items.start[i]);
			snprintf(sub, sizeof sub, "%s[%ld]", path, i + 1);
			policy_segment *g = &p->seg[p->n_seg];
			memset(g, 0, sizeof *g);
			seg_ctx sc = {.g = g};
			if (each_key(w, sn, sub, SEG_KEYS, seg_key, &sc) == 0) {
				if (!sc.has_name)
					ERR(w, sn, "%s.name: expected the segment's name, found nothing",
					    sub);
				if (!sc.has_steps)
					ERR(w, sn, "%s.steps: expected the segment's steps, found nothing",
					    sub);
				for (int j = 0; j < p->n_seg && g->name[0]; j++)
					if (strcmp(p->seg[j].name, g->name) == 0) {
						ERR(w, sn,
						    "%s.name: expected a unique segment name, found \"%s\" "
						    "again",
						    sub, g->name);
						break;
					}
			}
			p->n_seg++;
		}
		break;
	}
	}
}

/* First pass: bounds and YAML well-formedness with the event parser. */
static pf_err prescan(const char *buf, size_t len, const char *label, pf_errors *e)
{
	yaml_parser_t ps;
	if (!yaml_parser_initialize(&ps)) return PF_ERR_NOMEM;
	yaml_parser_set_input_string(&ps, (const unsigned char *)buf, len);
	pf_err rc = PF_OK;
	int depth = 0, docs = 0;
	long events = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&ps, &ev)) {
			add_err(e, label, (int)ps.problem_mark.line + 1, "YAML: %s%s%s",
			        ps.problem ? ps.problem : "syntax error", ps.context ? " " : "",
			        ps.context ? ps.context : "");
			rc = ps.error == YAML_MEMORY_ERROR ? PF_ERR_NOMEM : PF_ERR_YAML;
			break;
		}
		int line = (int)ev.start_mark.line + 1;
		yaml_event_type_t t = ev.type;
		int anchored = (t == YAML_SCALAR_EVENT && ev.data.scalar.anchor) ||
		               (t == YAML_SEQUENCE_START_EVENT && ev.data.sequence_start.anchor) ||
		               (t == YAML_MAPPING_START_EVENT && ev.data.mapping_start.anchor);
		yaml_event_delete(&ev);
		if (++events > PF_MAX_EVENTS) {
			add_err(e, label, line, "document: expected at most %d YAML nodes, found more",
			        PF_MAX_EVENTS);
			rc = PF_ERR_TOO_LARGE;
			break;
		}
		if (t == YAML_ALIAS_EVENT || anchored) {
			add_err(e, label, line,
			        "document: expected plain YAML, found an anchor or alias (not supported)");
			rc = PF_ERR_INVALID;
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
			add_err(e, label, line, "document: expected one YAML document, found another");
			rc = PF_ERR_INVALID;
			break;
		}
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			if (++depth > PF_MAX_DEPTH) {
				add_err(e, label, line,
				        "document: expected at most %d levels of nesting, found more",
				        PF_MAX_DEPTH);
				rc = PF_ERR_TOO_LARGE;
				break;
			}
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
			depth--;
		} else if (t == YAML_STREAM_END_EVENT) {
			break;
		}
	}
	yaml_parser_delete(&ps);
	return rc;
}

int policy_file_count_steps(const policy *p)
{
	int n = 0;
	for (int i = 0; i < p->n_seg; i++)
		n += p->seg[i].n_steps;
	return n;
}

pf_err policy_file_parse(const char *buf, size_t len, const char *label, policy *out, pf_errors *errs)
{
	memset(out, 0, sizeof *out);
	memset(errs, 0, sizeof *errs);
	if (len > PF_MAX_BYTES) {
		add_err(errs, label, 1, "file: expected at most %zu bytes, found %zu", PF_MAX_BYTES, len);
		return PF_ERR_TOO_LARGE;
	}
	pf_err rc = prescan(buf, len, label, errs);
	if (rc) return rc;
	yaml_parser_t ps;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&ps)) return PF_ERR_NOMEM;
	yaml_parser_set_input_string(&ps, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&ps, &doc)) {
		add_err(errs, label, (int)ps.problem_mark.line + 1, "YAML: %s",
		        ps.problem ? ps.problem : "syntax error");
		rc = ps.error == YAML_MEMORY_ERROR ? PF_ERR_NOMEM : PF_ERR_YAML;
		yaml_parser_delete(&ps);
		return rc;
	}
	walk w = {.doc = &doc, .label = label, .e = errs};
	const yaml_node_t *root = yaml_document_get_root_node(&doc);
	top_ctx c = {.p = out};
	if (!root) {
		add_err(errs, label, 1, "document: expected a policy (a mapping), found an empty file");
	} else if (each_key(&w, root, "", TOP_KEYS, top_key, &c) == 0) {
		if (!c.has_name) ERR(&w, root, "name: expected the policy's name, found nothing");
		if (!c.has_version)
			ERR(&w, root, "version: expected the policy's version (1 or more), found nothing");
		if (!c.has_segments) ERR(&w, root, "segments: expected a list of segments, found nothing");
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&ps);
	if (errs->n || errs->more) {
		memset(out, 0, sizeof *out);
		return PF_ERR_INVALID;
	}
	return PF_OK;
}

pf_err policy_file_load(const char *path, policy *out, pf_errors *errs)
{
	memset(errs, 0, sizeof *errs);
	FILE *f = fopen(path, "rb");
	if (!f) {
		add_err(errs, path, 0, "file: cannot open it");
		return PF_ERR_IO;
	}
	char *buf = malloc(PF_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return PF_ERR_NOMEM;
	}
	size_t len = fread(buf, 1, PF_MAX_BYTES + 1, f);
	int bad = ferror(f);
	fclose(f);
	pf_err rc;
	if (bad) {
		add_err(errs, path, 0, "file: cannot read it");
		rc = PF_ERR_IO;
	} else {
		rc = policy_file_parse(buf, len, path, out, errs);
	}
	free(buf);
	return rc;
}

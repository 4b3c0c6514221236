/* test_policy_file.c: the YAML policy loader (io/policy_file.c): the shipped examples load, and each
 * kind of validation error is reported with its line, all of them at once. Run from the repository
 * root (the examples are read from policies/). */
#include <stdlib.h>

#include "io/policy_file.h"
#include "t.h"

static policy P;
static pf_errors E;

static pf_err parse(const char *text)
{
	return policy_file_parse(text, strlen(text), "t.yaml", &P, &E);
}

static int has_msg(const char *want)
{
	for (int i = 0; i < E.n; i++)
		if (strcmp(E.msg[i], want) == 0) return 1;
	return 0;
}

static void dump(void)
{
	for (int i = 0; i < E.n; i++)
		printf("#   %s\n", E.msg[i]);
}

static void test_examples(void)
{
	pf_err e = policy_file_load("policies/microfinance.yaml", &P, &E);
	T_EQ_INT(e, PF_OK, "microfinance.yaml loads");
	if (e) dump();
	T_EQ_STR(P.name, "microfinance-standard", "name");
	T_EQ_INT(P.n_seg, 3, "segments");
	T_EQ_INT(policy_tolerance_of(&P, "XOF"), 500, "XOF tolerance");
	T_EQ_INT(policy_tolerance_of(&P, "EUR"), 100, "EUR tolerance in cents");
	T_EQ_INT(P.seg[0].amount_min, 1000000, "watch amount");
	T_EQ_INT(P.seg[0].steps[1].every, 30, "monitoring every 30 days");
	T_EQ_INT(P.seg[0].steps[1].times, 11, "monitoring 11 times");
	T_EQ_STR(P.seg[0].steps[0].assignee, "officer", "task default assignee");
	T_EQ_INT(P.seg[0].steps[0].task, PTASK_LOAN_USE_VERIFICATION, "loan use task");
	T_EQ_INT(P.seg[0].steps[11].four_eyes, 1, "plan needs four eyes");
	T_EQ_INT(P.seg[2].steps[11].max_dpd_ever, 7, "renewal condition");
	e = policy_file_load("policies/trade-receivables-fr.yaml", &P, &E);
	T_EQ_INT(e, PF_OK, "trade-receivables-fr.yaml loads");
	if (e) dump();
	T_EQ_INT(P.seg[1].steps[2].channels, PCH_EMAIL | PCH_LETTER, "email and letter");
	T_EQ_INT(P.seg[1].steps[6].action, PACT_COURT_FILE, "court file");
	T_EQ_INT(P.seg[1].steps[6].four_eyes, 1, "court file needs four eyes");
	T_EQ_INT(P.seg[0].amount_min, 1000000, "EUR 10000.00 in cents");
	T_EQ_INT(policy_file_count_steps(&P), 17, "steps");
}

typedef struct {
	const char *name, *text, *want;
} bad_case;

#define HEAD "name: p\nversion: 1\nsegments:\n  - name: s\n    steps:\n"
/* line 6 is the first step */

static void test_errors(void)
{
	const bad_case cases[] = {
	    {"unknown top key", "name: p\nversion: 1\nsegmnts: []\n",
	     "t.yaml:3: segmnts: expected one of the keys name, version, description, tolerances, segments, "
	     "found an unknown key"},
	    {"missing version", "name: p\nsegments: []\n",
	     "t.yaml:1: version: expected the policy's version (1 or more), found nothing"},
	    {"version type", "name: p\nversion: two\nsegments: []\n",
	     "t.yaml:2: version: expected an integer, found \"two\""},
	    {"no segment", "name: p\nversion: 1\nsegments: []\n",
	     "t.yaml:3: segments: expected at least one segment, found none"},
	    {"segment without steps", "name: p\nversion: 1\nsegments:\n  - name: s\n    steps: []\n",
	     "t.yaml:5: segments[1].steps: expected at least one step, found none"},
	    {"segment steps missing", "name: p\nversion: 1\nsegments:\n  - name: s\n",
	     "t.yaml:4: segments[1].steps: expected the segment's steps, found nothing"},
	    {"unknown event", HEAD "      - {id: a, event: payday, action: hold}\n",
	     "t.yaml:6: segments[1].steps[1].event: expected disbursement, due_date, dpd, maturity, "
	     "broken_promise, task_failed, task_overdue or alert, found \"payday\""},
	    {"unknown action", HEAD "      - {id: a, event: dpd, offset: 3, action: shout}\n",
	     "t.yaml:6: segments[1].steps[1].action: expected message, task, alert, escalation, "
	     "plan_proposal, "
	     "renewal_check, formal_notice, court_file, insurance_notice or hold, found \"shout\""},
	    {"unknown channel",
	     HEAD "      - id: a\n        event: dpd\n        offset: 1\n        action: message\n"
	          "        template: t\n        channels: [sms, pigeon]\n",
	     "t.yaml:11: segments[1].steps[1].channels[2]: expected sms, email or letter, found \"pigeon\""},
	    {"unknown task kind", HEAD "      - {id: a, event: dpd, offset: 3, action: task, task: dance}\n",
	     "t.yaml:6: segments[1].steps[1].task: expected call, visit, loan_use_verification, "
	     "monitoring_visit or document_check, found \"dance\""},
	    {"duplicate step ids",
	     HEAD
	     "      - {id: a, event: dpd, offset: 3, action: hold}\n      - {id: a, event: dpd, offset: 5, "
	     "action: hold}\n",
	     "t.yaml:7: segments[1].steps[2].id: expected an identifier unique within the segment, found "
	     "\"a\" again (first at line 6)"},
	    {"negative repeat",
	     HEAD "      - {id: a, event: disbursement, offset: 30, action: hold, repeat: {every: -30, "
	          "times: 3}}\n",
	     "t.yaml:6: segments[1].steps[1].repeat.every: expected an integer from 1 to 3660, found -30"},
	    {"message without channels",
	     HEAD "      - {id: a, event: dpd, offset: 1, action: message, template: t}\n",
	     "t.yaml:6: segments[1].steps[1].channels: expected the message's channels (sms, email, letter), "
	     "found nothing"},
	    {"message without template",
	     HEAD "      - {id: a, event: dpd, offset: 1, action: message, channels: sms}\n",
	     "t.yaml:6: segments[1].steps[1].template: expected the message's template, found nothing"},
	    {"unknown currency in tolerances",
	     "name: p\nversion: 1\ntolerances:\n  XYZ: 5\nsegments:\n  - name: s\n    steps:\n"
	     "      - {id: a, event: dpd, offset: 3, action: hold}\n",
	     "t.yaml:4: tolerances.XYZ: expected an ISO 4217 currency code, found \"XYZ\""},
	    {"tolerance decimals", "name: p\nversion: 1\ntolerances:\n  XOF: 5.5\nsegments: []\n",
	     "t.yaml:4: tolerances.XOF: expected an amount >= 0 in XOF (0 decimals), found \"5.5\" (too many "
	     "decimals)"},
	    {"wrong type for steps", "name: p\nversion: 1\nsegments:\n  - name: s\n    steps: {id: a}\n",
	     "t.yaml:5: segments[1].steps: expected a list of steps, found a mapping"},
	    {"dpd threshold 0", HEAD "      - {id: a, event: dpd, offset: 0, action: hold}\n",
	     "t.yaml:6: segments[1].steps[1].offset: expected a days-past-due threshold of at least 1, found "
	     "0"},
	    {"condition on a dpd step",
	     HEAD "      - {id: a, event: dpd, offset: 2, action: hold, condition: {max_dpd_ever: 3}}\n",
	     "t.yaml:6: segments[1].steps[1].condition: expected a condition only on maturity steps, found "
	     "one "
	     "on a dpd step"},
	    {"bad assignee",
	     HEAD "      - {id: a, event: dpd, offset: 2, action: task, task: call, assignee: boss}\n",
	     "t.yaml:6: segments[1].steps[1].assignee: expected officer or role:NAME, found \"boss\""},
	    {"bad bool", HEAD "      - {id: a, event: dpd, offset: 2, action: hold, four_eyes: maybe}\n",
	     "t.yaml:6: segments[1].steps[1].four_eyes: expected true or false, found \"maybe\""},
	    {"unknown step key", HEAD "      - {id: a, event: dpd, ofset: 2, action: hold}\n",
	     "t.yaml:6: segments[1].steps[1].ofset: expected one of the keys id, description, event, offset, "
	     "repeat, action, channels, template, task, assignee, four_eyes, condition, only_if_unpaid, on, "
	     "found an unknown key"},
	    {"on a dpd step", HEAD "      - {id: a, event: dpd, offset: 2, action: hold, on: visit}\n",
	     "t.yaml:6: segments[1].steps[1].on: expected `on` only on task_failed, task_overdue and alert "
	     "steps, found it on a dpd step"},
	    {"on: unknown task kind",
	     HEAD "      - id: a\n        event: task_failed\n        on: loan_use\n        action: alert\n",
	     "t.yaml:8: segments[1].steps[1].on: expected a task kind (call, visit, loan_use_verification, "
	     "monitoring_visit or document_check), found \"loan_use\""},
	    {"on: not an identifier", HEAD "      - {id: a, event: alert, on: \"grade down\", action: escalation}\n",
	     "t.yaml:6: segments[1].steps[1].on: expected an identifier (letters, digits, _ - . :), found "
	     "\"grade down\""},
	    {"negative offset on a broken promise",
	     HEAD "      - {id: a, event: broken_promise, offset: -1, action: task, task: visit}\n",
	     "t.yaml:6: segments[1].steps[1].offset: expected 0 or more days after the broken_promise event, "
	     "found -1"},
	    {"negative offset on an alert",
	     HEAD "      - id: a\n        event: alert\n        action: escalation\n        offset: -2\n",
	     "t.yaml:9: segments[1].steps[1].offset: expected 0 or more days after the alert event, found -2"},
	    {"amount range",
	     "name: p\nversion: 1\nsegments:\n  - name: s\n    match:\n      amount: {currency: "
	     "EUR, min: \"10.00\", max: \"5.00\"}\n    steps:\n      - {id: a, event: dpd, "
	     "offset: 2, action: hold}\n",
	     "t.yaml:6: segments[1].match.amount: expected min <= max, found min above max"},
	    {"yaml syntax", "name: p\nversion: [1\n",
	     "t.yaml:3: YAML: did not find expected ',' or ']' while "
	     "parsing a flow sequence"},
	    {"alias refused", "name: &n p\nversion: 1\nsegments: []\n",
	     "t.yaml:1: document: expected plain YAML, found an anchor or alias (not supported)"},
	    {"too deep", "name: [[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]\n",
	     "t.yaml:1: document: expected at most 16 levels of nesting, found more"},
	    {"two documents", "name: p\n---\nname: q\n",
	     "t.yaml:2: document: expected one YAML document, found another"},
	    {"empty", "", "t.yaml:1: document: expected a policy (a mapping), found an empty file"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		pf_err e = parse(cases[i].text);
		int found = e != PF_OK && has_msg(cases[i].want);
		T_OK(found, "%s: no message \"%s\" (rc %d)", cases[i].name, cases[i].want, (int)e);
		if (!found) dump();
		T_EQ_INT(P.n_seg, 0, "a refused policy is left empty");
	}
	/* all errors at once, each with its line */
	pf_err e = parse("name: p\nversion: 0\nsegments:\n  - name: s\n    steps:\n"
	                 "      - {id: a, event: nope, action: hold}\n"
	                 "      - {id: b, event: dpd, offset: 1, action: message}\n");
	T_EQ_INT(e, PF_ERR_INVALID, "invalid");
	T_EQ_INT(E.n, 4, "four errors");
	T_EQ_INT(E.line[0], 2, "version line");
	T_EQ_INT(E.line[1], 6, "event line");
	T_EQ_INT(E.line[2], 7, "channels line");
	T_EQ_INT(E.line[3], 7, "template line");
	char *doc = malloc(PF_MAX_BYTES + 10);
	memset(doc, '#', PF_MAX_BYTES + 5);
	T_EQ_INT(policy_file_parse(doc, PF_MAX_BYTES + 5, "big", &P, &E), PF_ERR_TOO_LARGE, "size bound");
	/* the new events and `on` are read into the model */
	e = parse(HEAD "      - {id: a, event: task_failed, on: loan_use_verification, action: alert, assignee: "
	               "\"role:supervisor\"}\n"
	               "      - {id: b, event: task_overdue, offset: 2, action: task, task: call}\n"
	               "      - {id: c, event: alert, on: grade_down, action: escalation}\n"
	               "      - {id: d, event: broken_promise, offset: 1, action: task, task: visit}\n");
	T_EQ_INT(e, PF_OK, "new events load");
	if (e) dump();
	T_EQ_STR(P.seg[0].steps[0].on, "loan_use_verification", "on: a task kind");
	T_EQ_INT(P.seg[0].steps[1].event, PEV_TASK_OVERDUE, "task_overdue");
	T_EQ_STR(P.seg[0].steps[1].on, "", "no on: any name");
	T_EQ_STR(P.seg[0].steps[2].on, "grade_down", "on: an alert kind");
	T_EQ_INT(P.seg[0].steps[3].offset, 1, "broken promise offset");
	free(doc);
	T_EQ_INT(policy_file_load("/nonexistent/p.yaml", &P, &E), PF_ERR_IO, "missing file");
}

int main(void)
{
	test_examples();
	test_errors();
	return t_done("test_policy_file");
}

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

static int step_of(const policy_segment *g, const char *id)
{
	for (int i = 0; i < g->n_steps; i++)
		if (strcmp(g->steps[i].id, id) == 0) return i;
	return -1;
}

/* A step of the segment by id (a zeroed step when missing: the checks then fail). */
static const policy_step *S(const policy_segment *g, const char *id)
{
	static const policy_step none;
	int i = step_of(g, id);
	T_OK(i >= 0, "segment %s has a step %s", g->name, id);
	return i >= 0 ? &g->steps[i] : &none;
}

static void test_examples(void)
{
	pf_err e = policy_file_load("policies/microfinance.yaml", &P, &E);
	T_EQ_INT(e, PF_OK, "microfinance.yaml loads");
	if (e) dump();
	T_EQ_STR(P.name, "microfinance-standard", "name");
	T_EQ_INT(P.n_seg, 4, "segments");
	T_EQ_INT(policy_tolerance_of(&P, "XOF"), 500, "XOF tolerance");
	T_EQ_INT(policy_tolerance_of(&P, "EUR"), 100, "EUR tolerance in cents");
	const policy_segment *grp = &P.seg[0], *std = &P.seg[1], *ab = &P.seg[2], *de = &P.seg[3];
	T_EQ_STR(std->name, "standard", "grade C segment");
	T_EQ_INT(std->n_grades, 1, "standard: one grade");
	T_EQ_STR(ab->grades[0], "A", "low-risk: A");
	T_EQ_STR(ab->grades[1], "B", "low-risk: B");
	T_EQ_STR(de->grades[1], "E", "high-risk: E");
	T_EQ_INT(S(std, "monitoring")->every, 30, "monitoring every 30 days");
	T_EQ_INT(S(std, "monitoring")->times, 11, "monitoring 11 times");
	T_OK(S(de, "monitoring")->every < S(ab, "monitoring")->every, "riskier grades: more visits");
	T_EQ_STR(S(std, "loan-use")->assignee, "officer", "task default assignee");
	T_EQ_INT(S(std, "loan-use")->task, PTASK_LOAN_USE_VERIFICATION, "loan use task");
	for (int g = 0; g < P.n_seg; g++) {
		const policy_step *vf = S(&P.seg[g], "verification-failed");
		T_EQ_INT(vf->event, PEV_TASK_FAILED, "failed verification event");
		T_EQ_STR(vf->on, "loan_use_verification", "on the loan-use verification");
		T_EQ_INT(vf->action, PACT_ALERT, "raises an alert");
		T_EQ_STR(vf->assignee, "role:supervisor", "to the supervisor");
	}
	int reminders[4] = {0};
	int32_t first_call[4] = {0};
	for (int g = 0; g < P.n_seg; g++)
		for (int k = 0; k < P.seg[g].n_steps; k++) {
			const policy_step *s = &P.seg[g].steps[k];
			if (s->event == PEV_DUE_DATE && s->offset < 0) reminders[g]++;
			if (s->event == PEV_DPD && s->task == PTASK_CALL) first_call[g] = s->offset;
		}
	T_OK(reminders[3] > reminders[1] && reminders[1] > reminders[2], "reminders D/E %d > C %d > A/B %d",
	     reminders[3], reminders[1], reminders[2]);
	T_OK(first_call[3] < first_call[1] && first_call[1] < first_call[2], "call: D/E %d < C %d < A/B %d",
	     first_call[3], first_call[1], first_call[2]);
	T_EQ_INT(S(std, "plan-45")->four_eyes, 1, "plan needs four eyes");
	T_EQ_INT(S(de, "escalate-30")->four_eyes, 1, "high-risk escalation needs four eyes");
	T_EQ_INT(S(std, "promise-broken-visit")->event, PEV_BROKEN_PROMISE, "broken promise -> visit");
	T_EQ_STR(S(std, "promise-broken-alert")->assignee, "role:supervisor", "broken promise -> supervisor");
	T_EQ_INT(S(std, "alert-escalation")->action, PACT_ESCALATION, "alert -> escalation");
	T_EQ_STR(S(ab, "grade-down-escalation")->on, "grade_down", "on grade_down");
	T_EQ_INT(S(de, "task-overdue")->event, PEV_TASK_OVERDUE, "overdue task -> alert");
	T_EQ_INT(S(std, "renewal")->max_dpd_ever, 7, "renewal condition");
	T_EQ_INT(S(grp, "renewal")->max_dpd_ever, 15, "group renewal condition");
	e = policy_file_load("policies/trade-receivables-fr.yaml", &P, &E);
	T_EQ_INT(e, PF_OK, "trade-receivables-fr.yaml loads");
	if (e) dump();
	T_EQ_INT(P.n_seg, 3, "segments by amount and grade");
	T_EQ_INT(P.seg[0].amount_min, 1000000, "EUR 10000.00 in cents");
	T_EQ_INT(S(&P.seg[1], "email-letter-8")->channels, PCH_EMAIL | PCH_LETTER, "email and letter");
	T_EQ_INT(S(&P.seg[1], "injonction-60")->action, PACT_COURT_FILE, "court file");
	T_EQ_INT(S(&P.seg[1], "injonction-60")->four_eyes, 1, "court file needs four eyes");
	T_EQ_INT(S(&P.seg[1], "assureur-45")->action, PACT_INSURANCE_NOTICE, "credit insurance notice");
	T_EQ_STR(S(&P.seg[1], "mise-en-demeure-30")->template_name, "mise_en_demeure", "mise en demeure");
	T_EQ_STR(P.seg[2].grades[0], "D", "risky: D");
	T_EQ_INT(policy_file_count_steps(&P), 32, "steps");
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

/* The microfinance example on one grade-E loan with facts: what the lifecycle looks like. */
static char LINES[8192];

static int line_fn(void *ctx, const policy_decision *d)
{
	(void)ctx;
	char day[16], l[160];
	date_format(d->day, day, sizeof day);
	snprintf(l, sizeof l, "%s %s %s\n", day, d->segment_name, d->s ? d->s->id : "closed");
	strncat(LINES, l, sizeof LINES - strlen(LINES) - 1);
	return 0;
}

static civil_day DAY(const char *s)
{
	civil_day d = DATE_NONE;
	date_parse(s, strlen(s), &d);
	return d;
}

static void test_example_lifecycle(void)
{
	pf_err e = policy_file_load("policies/microfinance.yaml", &P, &E);
	T_EQ_INT(e, PF_OK, "microfinance.yaml loads");
	static obligation ob[3];
	static int64_t work[3][COMP_N];
	for (int i = 0; i < 3; i++)
		ob[i] = (obligation){.due_on = DAY(i == 0 ? "2024-02-29" : i == 1 ? "2024-03-31" : "2024-04-30"),
		                     .amount = {[COMP_PRINCIPAL] = 40000}};
	/* verification failed on 02-08; promise made 03-02 for 03-06, not kept; an alert on 03-20 */
	policy_fact_event ev[] = {{DAY("2024-02-08"), PEV_TASK_FAILED, "loan_use_verification", "T1"},
	                          {DAY("2024-03-20"), PEV_ALERT, "grade_down", "A1"}};
	policy_promise prom[] = {{DAY("2024-03-02"), DAY("2024-03-06"), 40000, "PR1"}};
	policy_account a = {.id = "L9", .product = "individual", .branch = "", .grade = "E", .currency = "XOF",
	                    .amount = 120000, .start_on = DAY("2024-01-31"), .written_off_on = DATE_NONE,
	                    .ob = ob, .n_ob = 3, .order = ALLOC_DEFAULT, .work = work,
	                    .promises = prom, .n_promises = 1, .events = ev, .n_events = 2};
	LINES[0] = 0;
	T_EQ_INT(policy_evaluate_range(&P, &a, DAY("2024-02-01"), DAY("2024-03-20"), line_fn, NULL), POLICY_OK,
	         "evaluate");
	/* path of anchor 02-29: 03-01 is position 1, the promise holds 03-02..03-06, the broken day
	 * 03-07 is position 2 (and position 1 of the broken-promise count), 03-08 position 3, ... */
	T_EQ_STR(LINES,
	         "2024-02-07 high-risk loan-use\n"
	         "2024-02-08 high-risk verification-failed\n"
	         "2024-02-11 high-risk verification-failed-visit\n"
	         "2024-02-15 high-risk monitoring\n"
	         "2024-02-22 high-risk sms-before-7\n"
	         "2024-02-26 high-risk sms-before-3\n"
	         "2024-02-28 high-risk sms-before-1\n"
	         "2024-03-01 high-risk monitoring\n"
	         "2024-03-01 high-risk sms-late-1\n"
	         "2024-03-07 high-risk call-2\n"
	         "2024-03-07 high-risk promise-broken-visit\n"
	         "2024-03-07 high-risk promise-broken-alert\n"
	         "2024-03-10 high-risk visit-5\n"
	         "2024-03-15 high-risk letter-10\n"
	         "2024-03-16 high-risk monitoring\n"
	         "2024-03-20 high-risk alert-escalation\n",
	         "grade E lifecycle with a failed verification, a broken promise and an alert");
	a.grade = "A";
	LINES[0] = 0;
	policy_evaluate_range(&P, &a, DAY("2024-02-01"), DAY("2024-03-20"), line_fn, NULL);
	T_EQ_STR(LINES,
	         "2024-02-08 low-risk verification-failed\n"
	         "2024-02-14 low-risk loan-use\n"
	         "2024-02-27 low-risk sms-before-2\n"
	         "2024-03-08 low-risk sms-late-3\n"
	         "2024-03-08 low-risk promise-broken-call\n"
	         "2024-03-14 low-risk promise-broken-visit\n"
	         "2024-03-15 low-risk call-10\n"
	         "2024-03-20 low-risk grade-down-escalation\n",
	         "grade A: gentler, the same facts");
}

int main(void)
{
	test_examples();
	test_errors();
	test_example_lifecycle();
	return t_done("test_policy_file");
}

/* test_store_outbox.c: the settings and outbox store modules (store_settings.h, store_outbox.h) and
 * the rendering of message decisions (engine/outbox.h), on both back-ends: a fresh SQLite file, then
 * a fresh PostgreSQL database ($VIGIE_PG_BASE). Values, languages, fallbacks, every kind of failure
 * (missing template, missing value, no recipient), four-eyes holds, idempotence, and a render
 * stopped mid-way then run again giving the rows of one clean render. */
#include <stdlib.h>
#include <sys/stat.h>

#include "engine/outbox.h"
#include "store/store_outbox.h"
#include "store/store_people.h"
#include "store/store_query.h"
#include "store/store_settings.h"
#include "t.h"

#define STORE_FIXTURE_PREFIX "vigie_test_outbox"
#include "store_fixture.h"

static char tpldir[300];

static void write_file(const char *rel, const char *text)
{
	char p[600];
	snprintf(p, sizeof p, "%s/%s", tpldir, rel);
	FILE *f = fopen(p, "w");
	T_OK(f != NULL, "write %s", p);
	if (!f) return;
	fputs(text, f);
	fclose(f);
}

static void make_templates(void)
{
	snprintf(tpldir, sizeof tpldir, "%s/tpl", tmpdir);
	char p[400];
	mkdir(tpldir, 0700);
	snprintf(p, sizeof p, "%s/fr", tpldir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/en", tpldir);
	mkdir(p, 0700);
	write_file("fr/late.sms",
	           "{{institution_name}}: {{client_name}}, {{amount_late}} en retard depuis le "
	           "{{due_date}} ({{days_late}} j). Prochaine: {{next_due_date}} {{next_due_amount}}.\n");
	write_file("en/late.email", "Subject: Invoice {{invoice_number}} overdue\n\nDear {{client_name}},\n"
	                            "invoice {{invoice_number}} of {{invoice_date}}: {{amount_late}} late; "
	                            "indemnity {{indemnity}}.\n{{institution_name}}\n");
	write_file("fr/notice.letter",
	           "{{institution_name}}\n{{client_name}}\nMise en demeure: {{amount_late}}, "
	           "capital restant {{outstanding}}. Agent: {{officer_name}}.\n");
	write_file("fr/officer.letter", "Contact {{officer_name}} {{officer_phone}}\n");
}

static store_decision dec(int64_t account, const char *key, civil_day day, const char *action,
                          const char *channels, const char *tname, const char *status, int four_eyes,
                          civil_day anchor, int32_t dpd, int64_t late)
{
	store_decision d;
	memset(&d, 0, sizeof d);
	snprintf(d.dedupe_key, sizeof d.dedupe_key, "%s", key);
	d.account_id = account;
	d.day = day;
	d.created_by_run_day = day;
	snprintf(d.segment, sizeof d.segment, "s");
	snprintf(d.step, sizeof d.step, "%s", key);
	snprintf(d.action, sizeof d.action, "%s", action);
	snprintf(d.channels, sizeof d.channels, "%s", channels);
	snprintf(d.template_name, sizeof d.template_name, "%s", tname);
	snprintf(d.status, sizeof d.status, "%s", status);
	d.four_eyes = four_eyes;
	d.anchor = anchor;
	d.dpd = dpd;
	d.late_amount = late;
	return d;
}

static civil_day day_of(const char *iso)
{
	civil_day d = DATE_NONE;
	date_parse(iso, strlen(iso), &d);
	return d;
}

/* Clients, accounts, obligations and decisions; 0 on success. */
static int setup(store *s)
{
	static const struct {
		const char *id, *name, *branch, *officer, *phone, *email, *lang;
	} cl[] = {{"C1", "Awa Diop", "Dakar", "O1", "+221770000001", "", "fr"},
	          {"C2", "John Smith", "Paris", "O2", "", "john@example.com", "en"},
	          {"C3", "Sans Contact", "Thies", "O1", "", "", ""}};
	int64_t acc[3];
	store_put res;
	int bad = store_begin(s) != STORE_OK;
	for (int i = 0; i < 3 && !bad; i++) {
		store_client c;
		memset(&c, 0, sizeof c);
		snprintf(c.ext_id, sizeof c.ext_id, "%s", cl[i].id);
		snprintf(c.name, sizeof c.name, "%s", cl[i].name);
		snprintf(c.branch, sizeof c.branch, "%s", cl[i].branch);
		snprintf(c.officer, sizeof c.officer, "%s", cl[i].officer);
		snprintf(c.phone, sizeof c.phone, "%s", cl[i].phone);
		snprintf(c.email, sizeof c.email, "%s", cl[i].email);
		snprintf(c.language, sizeof c.language, "%s", cl[i].lang);
		bad |= store_client_put(s, &c, &res) != STORE_OK;
		store_account a;
		memset(&a, 0, sizeof a);
		a.client_id = c.id;
		a.kind = i == 1 ? STORE_INVOICE : STORE_LOAN;
		snprintf(a.ext_id, sizeof a.ext_id, "%s", i == 0 ? "L1" : i == 1 ? "I1" : "L3");
		snprintf(a.currency, sizeof a.currency, "%s", i == 1 ? "EUR" : "XOF");
		a.principal = i == 1 ? 120050 : 20000;
		a.start_on = day_of(i == 1 ? "2024-01-10" : "2024-01-01");
		a.due_on = i == 1 ? day_of("2024-02-01") : DATE_NONE;
		a.written_off_on = DATE_NONE;
		snprintf(a.officer, sizeof a.officer, "%s", cl[i].officer);
		snprintf(a.branch, sizeof a.branch, "%s", cl[i].branch);
		bad |= store_account_put(s, &a, &res) != STORE_OK;
		acc[i] = a.id;
		obligation ob[2] = {{day_of("2024-02-01"), {0, 0, 500, 10000}},
		                    {day_of("2024-03-01"), {0, 0, 500, 10000}}};
		if (i == 1) ob[0] = (obligation){day_of("2024-02-01"), {0, 0, 0, 120050}};
		bad |= store_obligations_set(s, a.id, ob, i == 1 ? 1 : 2, &res) != STORE_OK;
	}
	civil_day a1 = day_of("2024-02-01");
	store_decision d[] = {
	    dec(acc[0], "L1|late", day_of("2024-02-03"), "message", "sms", "late", "queued", 0, a1, 2, 10500),
	    dec(acc[1], "I1|late", day_of("2024-02-05"), "message", "sms,email", "late", "queued", 0, a1, 4,
	        120050),
	    dec(acc[2], "L3|late", day_of("2024-02-03"), "message", "sms", "nope", "queued", 0, a1, 2, 10500),
	    dec(acc[0], "L1|notice", day_of("2024-02-10"), "formal_notice", "", "notice", "open", 1, a1, 9,
	        10500),
	    dec(acc[0], "L1|officer", day_of("2024-02-11"), "message", "letter", "officer", "queued", 0, a1,
	        10, 10500),
	    dec(acc[0], "L1|task", day_of("2024-02-11"), "task", "", "", "open", 0, a1, 10, 10500),
	    dec(acc[0], "L1|later", day_of("2024-03-20"), "message", "sms", "late", "queued", 0, a1, 48,
	        21000),
	};
	int n = (int)(sizeof d / sizeof *d);
	store_put r[8];
	bad |= store_decision_put_many(s, d, n, r) != STORE_OK;
	bad |= store_setting_set(s, "institution_name", "Caisse", day_of("2024-01-01"), "admin", &res) !=
	       STORE_OK;
	bad |= store_commit(s) != STORE_OK;
	T_OK(!bad, "setup: %s", store_errmsg(s));
	return bad;
}

static void test_settings(store *s)
{
	char err[512], buf[256];
	store_put res;
	T_EQ_INT(store_setting_check("default_language", "de", err, sizeof err), -1, "default_language de");
	T_OK(strstr(err, "expected fr or en") != NULL, "says why: %s", err);
	T_EQ_INT(store_setting_check("late_interest_rate", "douze", err, sizeof err), -1, "bad rate");
	T_EQ_INT(store_setting_check("late_interest_rate", "12.15", err, sizeof err), 0, "rate 12.15");
	T_EQ_INT(store_setting_check("recovery_indemnity", "40", err, sizeof err), -1,
	         "indemnity without currency");
	T_EQ_INT(store_setting_check("recovery_indemnity", "40.00 EUR", err, sizeof err), 0, "40.00 EUR");
	T_EQ_INT(store_setting_check("Bad Key", "x", err, sizeof err), -1, "bad key");
	T_EQ_INT(store_setting_check("institution_name", "a\nb", err, sizeof err), -1, "newline in a name");
	T_EQ_INT(store_setting_check("institution_address", "1 rue X\n75001 Paris", err, sizeof err), 0,
	         "newline in the address");
	T_EQ_INT(store_setting_check("institution_email", "nobody", err, sizeof err), -1, "email without @");
	T_EQ_INT(store_setting_check("limit_mode", "strict", err, sizeof err), 0, "a free key");
	T_EQ_INT(store_setting_check("limit_mode", "\xff", err, sizeof err), -1, "invalid UTF-8");

	T_EQ_INT(store_setting_set(s, "limit_mode", "strict", 19000, "admin", &res), STORE_ERR,
	         "outside a transaction");
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_setting_set(s, "default_language", "de", 19000, "admin", &res), STORE_ERR, "refused");
	T_EQ_INT(store_setting_set(s, "limit_mode", "strict", 19000, "admin", &res), STORE_OK, "set");
	T_EQ_INT(res, PUT_INSERTED, "inserted");
	T_EQ_INT(store_setting_set(s, "limit_mode", "strict", 19001, "bob", &res), STORE_OK, "same again");
	T_EQ_INT(res, PUT_UNCHANGED, "unchanged");
	T_EQ_INT(store_setting_set(s, "limit_mode", "soft", 19002, "bob", &res), STORE_OK, "change");
	T_EQ_INT(res, PUT_UPDATED, "updated");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_setting st;
	T_EQ_INT(store_setting_get(s, "limit_mode", &st), STORE_OK, "get");
	T_EQ_STR(st.value, "soft", "value");
	T_EQ_STR(st.updated_by, "bob", "by");
	T_EQ_INT(st.updated_on, 19002, "on");
	T_EQ_INT(store_setting_get(s, "default_language", &st), STORE_NOT_FOUND, "never set");
	T_EQ_INT(store_setting_get_or(s, "default_language", "xx", buf, sizeof buf), STORE_OK, "get_or");
	T_EQ_STR(buf, "fr", "the known default");
	T_EQ_INT(store_setting_get_or(s, "other", "dflt", buf, sizeof buf), STORE_OK, "get_or free");
	T_EQ_STR(buf, "dflt", "the caller's default");
}

typedef struct {
	int n;
	char text[8192];
} digest;

static int dig(void *ctx, const store_message *m)
{
	digest *d = ctx;
	d->n++;
	size_t l = strlen(d->text);
	snprintf(d->text + l, sizeof d->text - l, "%lld|%s|%s|%s|%s|%s|%s|%s|%d\n", (long long)m->decision_id,
	         m->channel, m->status, m->language, m->recipient, m->subject, m->body, m->error,
	         (int)m->sms_segments);
	return 0;
}

static int find_msg(void *ctx, const store_message *m)
{
	store_message *out = ctx;
	*out = *m;
	/* copy the borrowed texts into static buffers (one message at a time in this test) */
	static char subj[1024], body[4096], err[512];
	snprintf(subj, sizeof subj, "%s", m->subject);
	snprintf(body, sizeof body, "%s", m->body);
	snprintf(err, sizeof err, "%s", m->error);
	out->subject = subj;
	out->body = body;
	out->error = err;
	return 1;
}

static int stop_at_failure(void *ctx, const store_outbox_job *j, const store_message *m)
{
	(void)j;
	(void)m;
	return ++*(int *)ctx >= 2;
}

static void test_outbox(int pg)
{
	fixture fx;
	store *s = fresh_init(&fx, pg);
	if (!s) return;
	T_EQ_INT(store_module_version(s, "outbox"), 1, "module outbox");
	T_EQ_INT(store_module_version(s, "settings"), 1, "module settings");
	test_settings(s);
	if (setup(s)) {
		done(&fx, s);
		return;
	}
	tpl_set *ts = NULL;
	tpl_errors errs;
	tpl_errors_init(&errs);
	T_EQ_INT(tpl_set_load(tpldir, &ts, &errs), TPL_OK, "templates");
	if (!ts) {
		done(&fx, s);
		return;
	}

	/* the store functions alone */
	store_outbox_job jobs[10];
	int n = -1;
	T_EQ_INT(store_outbox_pending(s, day_of("2024-02-28"), 0, 0, jobs, 10, &n), STORE_OK, "pending");
	T_EQ_INT(n, 5, "five decisions need a message by 2024-02-28 (not the task, not the later one)");
	T_EQ_STR(jobs[1].c.email, "john@example.com", "the client comes along");
	T_EQ_STR(jobs[1].a.ext_id, "I1", "the account too");
	T_EQ_INT(jobs[1].a.kind, STORE_INVOICE, "an invoice");
	T_EQ_INT(store_outbox_pending(s, day_of("2024-02-28"), 0, jobs[1].d.id, jobs, 2, &n), STORE_OK,
	         "paged");
	T_EQ_INT(n, 2, "a page of two after the second");
	T_EQ_STR(jobs[0].a.ext_id, "L3", "in id order");

	store_message m;
	memset(&m, 0, sizeof m);
	m.decision_id = jobs[0].d.id;
	m.account_id = jobs[0].d.account_id;
	m.day = jobs[0].d.day;
	snprintf(m.channel, sizeof m.channel, "sms");
	snprintf(m.status, sizeof m.status, "failed_render");
	m.subject = m.body = m.error = "";
	store_put res;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_message_put(s, &m, &res), STORE_ERR, "failed_render without a reason is refused");
	T_EQ_INT(store_rollback(s), STORE_OK, "rollback");

	/* render: batches of one decision */
	outbox_result r;
	char err[512];
	outbox_opts o = {.batch = 1, .order = ALLOC_DEFAULT};
	T_EQ_INT(outbox_render(s, ts, DATE_NONE, &o, &r, err, sizeof err), -1, "no as-of date");
	T_OK(outbox_render(s, ts, day_of("2024-02-28"), &o, &r, err, sizeof err) == 0, "render: %s", err);
	T_EQ_INT(r.decisions, 5, "five decisions");
	T_EQ_INT(r.queued, 2, "queued: the French SMS, the English email");
	T_EQ_INT(r.held, 1, "held: the four-eyes formal notice");
	T_EQ_INT(r.failed, 3, "failed: two SMS without a phone, a letter without officer_phone");

	digest d1 = {0};
	T_EQ_INT(store_messages_each(s, NULL, dig, &d1), STORE_OK, "list");
	T_EQ_INT(d1.n, 6, "six rows");
	T_OK(strstr(d1.text,
	            "1|sms|queued|fr|+221770000001||Caisse: Awa Diop, 10 500 FCFA en retard depuis le "
	            "01/02/2024 (2 j). Prochaine: 01/03/2024 10 500 FCFA.||1\n") != NULL,
	     "the French SMS:\n%s", d1.text);
	T_OK(strstr(d1.text,
	            "2|email|queued|en|john@example.com|Invoice I1 overdue|Dear John Smith,\ninvoice I1 of "
	            "10 Jan 2024: \xe2\x82\xac"
	            "1,200.50 late; indemnity \xe2\x82\xac"
	            "40.00.\nCaisse||0\n") != NULL,
	     "the English email:\n%s", d1.text);
	T_OK(strstr(d1.text, "2|sms|failed_render|||||missing values: next_due_date, next_due_amount; no "
	                     "recipient: client C2 has no "
	                     "phone|0\n") != NULL,
	     "no English SMS: the French one (fallback) lacks values for an invoice, and there is no "
	     "phone:\n%s",
	     d1.text);
	T_OK(strstr(d1.text,
	            "3|sms|failed_render|||||no template nope.sms in fr; no recipient: client C3 has no "
	            "phone|0\n") != NULL,
	     "a missing template and no phone:\n%s", d1.text);
	T_OK(
	    strstr(
	        d1.text,
	        "4|letter|held|fr|Awa Diop, Dakar||Caisse\nAwa Diop\nMise en demeure: 10\u202f500\u00a0FCFA, "
	        "capital restant 20\u202f000\u00a0FCFA. Agent: O1.||0\n") != NULL,
	    "the formal notice: a letter (French spaces), held for approval, the officer's name without a "
	    "user:\n%s",
	    d1.text);
	T_OK(strstr(d1.text, "5|letter|failed_render||Awa Diop, Dakar|||missing values: officer_phone|0\n") !=
	         NULL,
	     "a missing value is named (the officer is not a user: no phone):\n%s", d1.text);

	/* again: nothing new */
	T_EQ_INT(outbox_render(s, ts, day_of("2024-02-28"), &o, &r, err, sizeof err), 0, "again");
	T_EQ_INT(r.decisions, 0, "nothing to render again");
	digest d2 = {0};
	store_messages_each(s, NULL, dig, &d2);
	T_EQ_STR(d2.text, d1.text, "same rows");

	/* the officer becomes a user with a phone; retry the failed ones */
	store_user u;
	memset(&u, 0, sizeof u);
	snprintf(u.name, sizeof u.name, "O1");
	snprintf(u.display, sizeof u.display, "Fatou Sall");
	snprintf(u.phone, sizeof u.phone, "+221 77 100");
	u.role = ROLE_AGENT;
	u.active = 1;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_user_put(s, &u, NULL, &res), STORE_OK, "user O1");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	o.retry_failed = 1;
	T_OK(outbox_render(s, ts, day_of("2024-02-28"), &o, &r, err, sizeof err) == 0, "retry: %s", err);
	T_EQ_INT(r.decisions, 3, "three decisions had a failed row");
	T_EQ_INT(r.queued, 1, "the officer letter renders now");
	T_EQ_INT(r.failed, 2, "no phone is still no phone");
	T_EQ_INT(r.unchanged, 1, "the English email was kept, not rendered twice");
	store_message_filter fl = {.to = DATE_NONE, .channel = "letter", .status = "queued"};
	memset(&m, 0, sizeof m);
	T_EQ_INT(store_messages_each(s, &fl, find_msg, &m), STORE_OK, "find");
	T_EQ_STR(m.body, "Contact Fatou Sall +221 77 100", "the officer's name and phone from the users");
	store_message_filter ff = {.to = DATE_NONE, .status = "failed_render"};
	digest d3 = {0};
	store_messages_each(s, &ff, dig, &d3);
	T_EQ_INT(d3.n, 2, "two failed rows left");
	store_message_filter upto = {.to = day_of("2024-02-04")};
	digest d4 = {0};
	store_messages_each(s, &upto, dig, &d4);
	T_EQ_INT(d4.n, 2, "two messages of decisions up to 2024-02-04");
	T_EQ_INT(outbox_render(s, ts, day_of("2024-03-31"), NULL, &r, err, sizeof err), 0, "later day");
	T_EQ_INT(r.decisions, 1, "the later decision");
	T_EQ_INT(store_message_forget_failed(s, 1, NULL), STORE_ERR, "forget outside a transaction refused");

	/* the held letter goes out once its four-eyes decision is approved (cancelled when rejected) */
	store_message_filter fh = {.to = DATE_NONE, .status = "held"};
	memset(&m, 0, sizeof m);
	T_EQ_INT(store_messages_each(s, &fh, find_msg, &m), STORE_OK, "find the held letter");
	T_OK(m.decision_id > 0, "held letter found");
	int64_t n_rel = -1;
	T_EQ_INT(store_begin(s), STORE_OK, "begin");
	T_EQ_INT(store_message_release(s, m.decision_id + 1000, 1, &n_rel), STORE_OK, "release another decision");
	T_EQ_INT(n_rel, 0, "nothing held there");
	T_EQ_INT(store_message_release(s, m.decision_id, 1, &n_rel), STORE_OK, "release on approval");
	T_EQ_INT(n_rel, 1, "one letter released");
	T_EQ_INT(store_message_release(s, m.decision_id, 0, &n_rel), STORE_OK, "reject after release");
	T_EQ_INT(n_rel, 0, "a released letter is not cancelled afterwards");
	T_EQ_INT(store_commit(s), STORE_OK, "commit");
	store_message_filter fq = {.to = DATE_NONE, .decision_id = m.decision_id};
	int64_t held_id = m.id;
	memset(&m, 0, sizeof m);
	T_EQ_INT(store_messages_each(s, &fq, find_msg, &m), STORE_OK, "find it again");
	T_EQ_INT(m.id, held_id, "the same row");
	T_EQ_STR(m.status, "queued", "queued now");

	/* a render stopped mid-way (its batch rolled back), then run again = one clean render */
	fixture fx2;
	store *s2 = fresh_init(&fx2, pg);
	if (s2 && !setup(s2)) {
		int calls = 0;
		outbox_opts stop = {
		    .batch = 2, .order = ALLOC_DEFAULT, .on_failed = stop_at_failure, .ctx = &calls};
		T_EQ_INT(outbox_render(s2, ts, day_of("2024-02-28"), &stop, &r, err, sizeof err), -1,
		         "stopped");
		digest part = {0};
		store_messages_each(s2, NULL, dig, &part);
		T_OK(part.n > 0 && part.n < 6, "some rows committed, not all (%d)", part.n);
		T_OK(outbox_render(s2, ts, day_of("2024-02-28"), NULL, &r, err, sizeof err) == 0,
		     "resumed: %s", err);
		digest full = {0};
		store_messages_each(s2, NULL, dig, &full);
		T_EQ_STR(full.text, d1.text, "the same rows as one clean render");
	}
	if (s2) done(&fx2, s2);
	tpl_set_free(ts);
	done(&fx, s);
}

static void run_all(int pg)
{
	if (!pg) make_templates();
	test_outbox(pg);
}

int main(void)
{
	return store_fixture_main("test_store_outbox", run_all);
}

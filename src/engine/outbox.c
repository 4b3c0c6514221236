/* outbox.c: renders message decisions into the outbox (see outbox.h; values: docs/outbox.md). */
#include "engine/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ledger_sync.h"
#include "store/store_people.h"
#include "store/store_query.h"
#include "store/store_settings.h"

/* The institution's settings, read once per render. */
typedef struct {
	char name[STORE_SETTING_VALUE_MAX], phone[STORE_SETTING_VALUE_MAX];
	char lang_text[16], rate[64], indemnity[64];
	tpl_lang lang; /* default_language: clients without one, and the fallback */
	int has_rate;
	int64_t rate_bp;
	int has_indemnity;
	int64_t indemnity_minor;
	char indemnity_cur[4];
	int people; /* the people module exists: officers are looked up */
} inst_info;

typedef struct {
	store *s;
	const tpl_set *ts;
	civil_day as_of;
	outbox_opts o;
	outbox_result *r;
	inst_info in;
	ledger_buf buf;
	int64_t (*paid)[COMP_N];
	int cap_paid;
	store_outbox_job *jobs;
	char *subject, *body;
	char err[512];
} render_ctx;

static int load_settings(store *s, inst_info *in, char *err, size_t cap)
{
	memset(in, 0, sizeof *in);
	if (store_setting_get_or(s, "institution_name", "", in->name, sizeof in->name) ||
	    store_setting_get_or(s, "institution_phone", "", in->phone, sizeof in->phone) ||
	    store_setting_get_or(s, "default_language", "fr", in->lang_text, sizeof in->lang_text) ||
	    store_setting_get_or(s, "late_interest_rate", "", in->rate, sizeof in->rate) ||
	    store_setting_get_or(s, "recovery_indemnity", "", in->indemnity, sizeof in->indemnity)) {
		snprintf(err, cap, "reading the settings: %s", store_errmsg(s));
		return -1;
	}
	int l = tpl_lang_parse(in->lang_text);
	in->lang = l < 0 ? TPL_FR : (tpl_lang)l;
	tpl_values v;
	tpl_values_init(&v);
	char why[256];
	if (in->rate[0] && tpl_val_parse(&v, TPL_INTEREST_RATE, in->rate, NULL, why, sizeof why) == TPL_OK) {
		in->has_rate = 1;
		in->rate_bp = v.num[TPL_INTEREST_RATE];
	}
	const char *sp = strrchr(in->indemnity, ' ');
	if (sp && strlen(sp + 1) == 3) {
		char amount[64];
		snprintf(amount, sizeof amount, "%.*s", (int)(sp - in->indemnity), in->indemnity);
		if (tpl_val_parse(&v, TPL_INDEMNITY, amount, sp + 1, why, sizeof why) == TPL_OK) {
			in->has_indemnity = 1;
			in->indemnity_minor = v.num[TPL_INDEMNITY];
			memcpy(in->indemnity_cur, sp + 1, 4);
		}
	}
	in->people = store_module_version(s, "people") >= 1;
	return 0;
}

/* Values kept alive while one job renders (texts are borrowed by tpl_values). */
typedef struct {
	tpl_values v;
	uint32_t bad; /* variables whose value was refused (invalid text) */
	char officer_name[STORE_NAME_MAX], officer_phone[STORE_ID_MAX];
} job_values;

static void put_text(job_values *jv, tpl_var var, const char *text)
{
	if (!text || !text[0]) return; /* no value: a template that uses it fails, naming it */
	if (tpl_val_text(&jv->v, var, text) != TPL_OK) jv->bad |= 1u << var;
}

static void put_money(job_values *jv, tpl_var var, int64_t minor, const char *cur)
{
	if (tpl_val_money(&jv->v, var, minor, cur) != TPL_OK) jv->bad |= 1u << var;
}

static int64_t unpaid_of(const obligation *o, const int64_t paid[COMP_N])
{
	int64_t u = 0;
	for (int c = 0; c < COMP_N; c++)
		u += o->amount[c] - paid[c];
	return u;
}

/* Gathers the values of one decision: 0, or -1 on a store or ledger error (c->err). */
static int gather(render_ctx *c, const store_outbox_job *j, job_values *jv)
{
	const store_decision *d = &j->d;
	const store_account *a = &j->a;
	memset(jv, 0, sizeof *jv);
	tpl_values_init(&jv->v);
	put_text(jv, TPL_CLIENT_NAME, j->c.name);
	put_text(jv, TPL_ACCOUNT_ID, a->ext_id);
	put_text(jv, TPL_CURRENCY, a->currency);
	put_money(jv, TPL_AMOUNT_LATE, d->late_amount, a->currency);
	tpl_val_int(&jv->v, TPL_DAYS_LATE, d->dpd);
	tpl_val_date(&jv->v, TPL_TODAY, d->day);
	put_text(jv, TPL_INSTITUTION_NAME, c->in.name);
	put_text(jv, TPL_INSTITUTION_PHONE, c->in.phone);

	/* the ledger as of the decision's day */
	if (ledger_buf_load(c->s, a->id, &c->buf)) {
		snprintf(c->err, sizeof c->err, "account %s: reading its ledger: %s", a->ext_id,
		         store_errmsg(c->s));
		return -1;
	}
	ledger_buf *b = &c->buf;
	if (b->n_ob > c->cap_paid) {
		void *np = realloc(c->paid, sizeof *c->paid * (size_t)b->n_ob);
		if (!np) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return -1;
		}
		c->paid = np;
		c->cap_paid = b->n_ob;
	}
	ledger_account la = {.start_on = a->start_on, .written_off_on = DATE_NONE};
	ledger_state st;
	if (ledger_state_as_of(&la, b->ob, b->n_ob, b->pay, b->n_pay, &c->o.order, d->day, c->paid, &st)) {
		snprintf(c->err, sizeof c->err, "account %s: invalid ledger", a->ext_id);
		return -1;
	}
	put_money(jv, TPL_OUTSTANDING, st.outstanding_principal, a->currency);
	/* due_date: the installment the decision is about (its anchor) when still unpaid, else the
	 * oldest unpaid one; next_due_date: the first unpaid one due after the decision's day */
	int due = -1, next = -1;
	for (int i = 0; i < b->n_ob; i++) {
		int64_t u = unpaid_of(&b->ob[i], c->paid[i]);
		if (u <= 0) continue;
		if (b->ob[i].due_on == d->anchor) due = i;
		if (next < 0 && b->ob[i].due_on > d->day) next = i;
	}
	if (due < 0)
		for (int i = 0; i < b->n_ob && due < 0; i++)
			if (unpaid_of(&b->ob[i], c->paid[i]) > 0) due = i;
	if (due >= 0) {
		tpl_val_date(&jv->v, TPL_DUE_DATE, b->ob[due].due_on);
		put_money(jv, TPL_DUE_AMOUNT, unpaid_of(&b->ob[due], c->paid[due]), a->currency);
	}
	if (next >= 0) {
		tpl_val_date(&jv->v, TPL_NEXT_DUE_DATE, b->ob[next].due_on);
		put_money(jv, TPL_NEXT_DUE_AMOUNT, unpaid_of(&b->ob[next], c->paid[next]), a->currency);
	}

	/* the officer: the user's full name and phone, else the officer's name alone */
	if (a->officer[0]) {
		snprintf(jv->officer_name, sizeof jv->officer_name, "%s", a->officer);
		if (c->in.people) {
			store_user u;
			store_rc rc = store_user_get(c->s, a->officer, &u);
			if (rc == STORE_ERR) {
				snprintf(c->err, sizeof c->err, "%s", store_errmsg(c->s));
				return -1;
			}
			if (rc == STORE_OK) {
				if (u.display[0])
					snprintf(jv->officer_name, sizeof jv->officer_name, "%s", u.display);
				snprintf(jv->officer_phone, sizeof jv->officer_phone, "%s", u.phone);
			}
		}
		put_text(jv, TPL_OFFICER_NAME, jv->officer_name);
		put_text(jv, TPL_OFFICER_PHONE, jv->officer_phone);
	}

	/* B2B mentions (C. com. L441-10, D441-5) */
	if (a->kind == STORE_INVOICE) {
		put_text(jv, TPL_INVOICE_NUMBER, a->ext_id);
		tpl_val_date(&jv->v, TPL_INVOICE_DATE, a->start_on);
		if (c->in.has_rate) tpl_val_rate(&jv->v, TPL_INTEREST_RATE, c->in.rate_bp);
		if (c->in.has_indemnity)
			put_money(jv, TPL_INDEMNITY, c->in.indemnity_minor, c->in.indemnity_cur);
	}
	return 0;
}

static void append(char *buf, size_t cap, const char *fmt, const char *a, const char *b)
{
	size_t n = strlen(buf);
	if (n >= cap) return;
	snprintf(buf + n, cap - n, fmt, n ? "; " : "", a, b);
}

/* Renders one channel of a job into m (status, texts); m->error points into errbuf. */
static void render_channel(render_ctx *c, const store_outbox_job *j, const job_values *jv, unsigned ch,
                           store_message *m, char *errbuf, size_t errcap)
{
	const store_decision *d = &j->d;
	errbuf[0] = '\0';
	memset(m, 0, sizeof *m);
	m->decision_id = d->id;
	m->account_id = d->account_id;
	m->day = d->day;
	m->created_on = c->as_of;
	snprintf(m->channel, sizeof m->channel, "%s", policy_channel_name(ch));
	snprintf(m->template_name, sizeof m->template_name, "%s", d->template_name);
	c->subject[0] = c->body[0] = '\0';

	int l = tpl_lang_parse(j->c.language);
	tpl_lang lang = l < 0 ? c->in.lang : (tpl_lang)l, used = lang;
	uint32_t missing = 0;
	tpl_err te = tpl_set_render(c->ts, d->template_name, lang, c->in.lang, ch, &jv->v, c->subject, 1024,
	                            c->body, OUTBOX_BODY_MAX, &used, &missing);
	char names[512];
	if (te == TPL_ERR_NOT_FOUND) {
		char what[160];
		snprintf(what, sizeof what, "%s.%s", d->template_name, m->channel);
		append(errbuf, errcap, "%sno template %s in %s", what,
		       lang == c->in.lang ? tpl_lang_name(lang)
		                          : (lang == TPL_FR ? "fr nor en" : "en nor fr"));
	} else if (te == TPL_ERR_MISSING) {
		if (missing & ~jv->bad)
			append(errbuf, errcap, "%smissing values: %s%s",
			       tpl_vars_text(missing & ~jv->bad, names, sizeof names), "");
		if (missing & jv->bad)
			append(errbuf, errcap, "%sinvalid values: %s%s",
			       tpl_vars_text(missing & jv->bad, names, sizeof names), "");
	} else if (te == TPL_ERR_TOO_LONG) {
		append(errbuf, errcap, "%sthe rendered message is longer than %s%s", "96 KiB", "");
	} else if (te != TPL_OK) {
		append(errbuf, errcap, "%srendering: %s%s", tpl_strerror(te), "");
	} else {
		snprintf(m->language, sizeof m->language, "%s", tpl_lang_name(used));
	}

	/* the recipient (postal addresses are not in the store yet: a letter names the client) */
	if (ch == PCH_SMS) {
		snprintf(m->recipient, sizeof m->recipient, "%s", j->c.phone);
		if (!j->c.phone[0])
			append(errbuf, errcap, "%sno recipient: client %s has no phone%s", j->c.ext_id, "");
	} else if (ch == PCH_EMAIL) {
		snprintf(m->recipient, sizeof m->recipient, "%s", j->c.email);
		if (!j->c.email[0])
			append(errbuf, errcap, "%sno recipient: client %s has no email%s", j->c.ext_id, "");
	} else {
		const char *br = j->c.branch[0] ? j->c.branch : j->a.branch;
		snprintf(m->recipient, sizeof m->recipient, "%s%s%s%s",
		         strcmp(d->action, "insurance_notice") == 0 ? "credit insurer, re: " : "", j->c.name,
		         br[0] ? ", " : "", br);
		if (!j->c.name[0])
			append(errbuf, errcap, "%sno recipient: client %s has no name%s", j->c.ext_id, "");
	}

	if (errbuf[0]) {
		snprintf(m->status, sizeof m->status, "failed_render");
		m->subject = m->body = "";
		m->language[0] = '\0';
		m->error = errbuf;
		return;
	}
	m->subject = c->subject;
	m->body = c->body;
	m->error = "";
	if (ch == PCH_SMS) {
		sms_info si;
		if (tpl_sms_measure(c->body, strlen(c->body), &si) == TPL_OK) {
			snprintf(m->sms_encoding, sizeof m->sms_encoding, "%s",
			         sms_encoding_name(si.encoding));
			m->sms_units = si.units;
			m->sms_segments = si.segments;
		}
	}
	snprintf(m->status, sizeof m->status, "%s",
	         d->four_eyes && strcmp(d->status, "open") == 0 ? "held" : "queued");
}

/* The channels of a job: a message's, or a letter for a document. */
static unsigned job_channels(const store_outbox_job *j)
{
	if (strcmp(j->d.action, "message") != 0) return PCH_LETTER;
	unsigned bits = 0;
	char tmp[STORE_ACTION_MAX];
	snprintf(tmp, sizeof tmp, "%s", j->d.channels);
	for (char *save = NULL, *t = strtok_r(tmp, ",+", &save); t; t = strtok_r(NULL, ",+", &save)) {
		int b = policy_channel_parse(t);
		if (b > 0) bits |= (unsigned)b;
	}
	return bits;
}

static int render_job(render_ctx *c, const store_outbox_job *j)
{
	job_values jv;
	if (gather(c, j, &jv)) return -1;
	if (c->o.retry_failed && store_message_forget_failed(c->s, j->d.id, NULL)) return -1;
	unsigned bits = job_channels(j);
	char errbuf[OUTBOX_ERR_MAX];
	for (unsigned ch = 1; ch < (1u << PCH_N); ch <<= 1) {
		store_message m;
		if (bits && !(bits & ch)) continue;
		if (!bits) { /* never empty: the row says the decision named no channel */
			if (ch != PCH_LETTER) continue;
			render_channel(c, j, &jv, ch, &m, errbuf, sizeof errbuf);
			snprintf(errbuf, sizeof errbuf, "the decision names no channel (\"%s\")",
			         j->d.channels);
			snprintf(m.status, sizeof m.status, "failed_render");
			m.subject = m.body = m.error = "";
			m.error = errbuf;
			m.language[0] = m.sms_encoding[0] = '\0';
		} else {
			render_channel(c, j, &jv, ch, &m, errbuf, sizeof errbuf);
		}
		store_put res;
		if (store_message_put(c->s, &m, &res)) return -1;
		if (res == PUT_UNCHANGED) {
			c->r->unchanged++;
			continue;
		}
		if (strcmp(m.status, "failed_render") == 0) {
			c->r->failed++;
			if (c->o.on_failed && c->o.on_failed(c->o.ctx, j, &m)) {
				snprintf(c->err, sizeof c->err, "stopped");
				return -1;
			}
		} else if (strcmp(m.status, "held") == 0) {
			c->r->held++;
		} else {
			c->r->queued++;
		}
	}
	c->r->decisions++;
	return 0;
}

int outbox_render(store *s, const tpl_set *ts, civil_day as_of, const outbox_opts *opts, outbox_result *r,
                  char *err, size_t errcap)
{
	memset(r, 0, sizeof *r);
	if (as_of == DATE_NONE) {
		snprintf(err, errcap, "no as-of date");
		return -1;
	}
	if (store_schema_version(s) < 2 || store_module_version(s, "outbox") < 1 ||
	    store_module_version(s, "settings") < 1) {
		snprintf(err, errcap, "the store has no outbox yet: run vigie init");
		return -1;
	}
	render_ctx c = {.s = s, .ts = ts, .as_of = as_of, .r = r};
	if (opts)
		c.o = *opts;
	else
		c.o.order = ALLOC_DEFAULT;
	int batch = c.o.batch > 0 ? c.o.batch : OUTBOX_BATCH;
	if (load_settings(s, &c.in, err, errcap)) return -1;
	c.jobs = malloc(sizeof *c.jobs * (size_t)batch);
	c.subject = malloc(1024);
	c.body = malloc(OUTBOX_BODY_MAX);
	int rc = 0;
	if (!c.jobs || !c.subject || !c.body) {
		snprintf(err, errcap, "out of memory");
		rc = -1;
	}
	int64_t after = 0;
	for (int more = 1; more && !rc;) {
		int n = 0;
		outbox_result before = *r;
		c.err[0] = '\0';
		if (store_begin(s) ||
		    store_outbox_pending(s, as_of, c.o.retry_failed, after, c.jobs, batch, &n)) {
			rc = -1;
		}
		for (int i = 0; i < n && !rc; i++)
			rc = render_job(&c, &c.jobs[i]);
		if (!rc && store_commit(s)) rc = -1;
		if (rc) {
			snprintf(err, errcap, "%s", c.err[0] ? c.err : store_errmsg(s));
			store_rollback(s); /* harmless without a transaction */
			*r = before;
			break;
		}
		if (n) after = c.jobs[n - 1].d.id;
		more = n == batch;
	}
	free(c.jobs);
	free(c.subject);
	free(c.body);
	free(c.paid);
	ledger_buf_free(&c.buf);
	return rc;
}

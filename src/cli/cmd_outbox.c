/* cmd_outbox.c: `vigie outbox render` (engine/outbox.h: message decisions -> rendered messages) and
 * `vigie outbox` (the rendered messages, one whole with --show). docs/outbox.md. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/outbox.h"
#include "io/csv_out.h"
#include "io/json_out.h"
#include "io/template_set.h"
#include "store/store_query.h"


static const char OUTBOX_HELP[] =
    "usage: vigie [--db PATH|URL] outbox [--as-of DATE] [--status S] [--channel C] [--format "
    "table|csv|json]\n"
    "       vigie [--db PATH|URL] outbox --show ID [--format table|json]\n"
    "       vigie [--db PATH|URL] outbox render --templates DIR --as-of DATE [--retry-failed] [--batch N]\n"
    "\n"
    "render: renders every message decision of the daily run up to DATE that has no message yet, one\n"
    "  message per channel, in the client's language (else the default_language setting, also the\n"
    "  fallback template language); prints the counts and each failure with its reason (missing value,\n"
    "  missing template, no recipient). Rendering again adds nothing; --retry-failed renders the\n"
    "  failed ones again (after a template or a phone number was fixed).\n"
    "list: the rendered messages (decision day <= DATE), by day: status queued, held (four-eyes\n"
    "  decision awaiting approval), failed_render or sent; channel sms, email or letter.\n"
    "--show ID: one message whole (recipient, subject, body, SMS encoding and segments, or the error).\n"
    "Exit codes: 0 success (failed renders are stored and listed, not an error); 2 usage; 3 store\n"
    "failure; 1 bad templates; 4 no such message or template directory.\n";

/* --- vigie outbox render ------------------------------------------------------------------------ */

#define SHOW_FAILED 20

typedef struct {
	const cli_env *e;
	int64_t shown, more;
} failed_ctx;

static int print_failed(void *ctx, const store_outbox_job *j, const store_message *m)
{
	failed_ctx *c = ctx;
	if (c->shown >= SHOW_FAILED) {
		c->more++;
		return 0;
	}
	char day[16];
	date_format(m->day, day, sizeof day);
	fprintf(c->e->out, "failed: %s %s decision %lld %s %s: %s\n", day, j->a.ext_id,
	        (long long)m->decision_id, m->template_name, m->channel, m->error);
	c->shown++;
	return 0;
}

static int outbox_render_cmd(const cli_env *e, int argc, char **argv)
{
	static const char cmd[] = "outbox render";
	const char *dir = NULL, *as_of = NULL, *retry = NULL, *batch = NULL;
	const cli_opt opts[] = {{"templates", 1, &dir},
	                        {"as-of", 1, &as_of},
	                        {"retry-failed", 0, &retry},
	                        {"batch", 1, &batch},
	                        {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, cmd, argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(OUTBOX_HELP, e->out);
		return EXIT_OK;
	}
	civil_day day;
	if (!dir) {
		fprintf(e->err, "vigie %s: --templates DIR is required (see vigie outbox --help)\n", cmd);
		return EXIT_USAGE;
	}
	if (cli_date(e, cmd, "as-of", as_of, &day)) return EXIT_USAGE;
	failed_ctx fc = {.e = e};
	outbox_opts o = {
	    .order = ALLOC_DEFAULT, .retry_failed = retry != NULL, .on_failed = print_failed, .ctx = &fc};
	if (batch) {
		char *end;
		long b = strtol(batch, &end, 10);
		if (*end || b < 1 || b > 100000) {
			fprintf(e->err,
			        "vigie %s: --batch: expected a number from 1 to 100000, found \"%s\"\n", cmd,
			        batch);
			return EXIT_USAGE;
		}
		o.batch = (int)b;
	}
	tpl_errors *errs = malloc(sizeof *errs);
	if (!errs) {
		fprintf(e->err, "vigie: out of memory\n");
		return EXIT_STORE;
	}
	tpl_errors_init(errs);
	tpl_set *ts = NULL;
	tpl_err te = tpl_set_load(dir, &ts, errs);
	if (te != TPL_OK) {
		for (int i = 0; i < errs->n; i++)
			fprintf(e->err, "%s\n", errs->msg[i]);
		if (errs->more) fprintf(e->err, "... and %d more errors\n", errs->more);
		if (!errs->n) fprintf(e->err, "vigie %s: %s: %s\n", cmd, dir, tpl_strerror(te));
		free(errs);
		return te == TPL_ERR_IO ? EXIT_NOT_FOUND : te == TPL_ERR_NOMEM ? EXIT_STORE : EXIT_BAD_INPUT;
	}
	free(errs);
	store *s = cli_open_store(e);
	if (!s) {
		tpl_set_free(ts);
		return EXIT_STORE;
	}
	outbox_result r;
	char err[512];
	int rc = EXIT_OK;
	if (outbox_render(s, ts, day, &o, &r, err, sizeof err)) {
		fprintf(e->err, "vigie %s: %s\n", cmd, err);
		rc = EXIT_STORE;
	} else {
		if (fc.more)
			fprintf(e->out, "... and %lld more failed (vigie outbox --status failed_render)\n",
			        (long long)fc.more);
		fprintf(e->out,
		        "%lld decisions rendered: %lld messages queued, %lld held for approval, %lld failed "
		        "to render",
		        (long long)r.decisions, (long long)r.queued, (long long)r.held, (long long)r.failed);
		/* a retried decision's channels that rendered before, or rows another render stored first */
		if (r.unchanged) fprintf(e->out, ", %lld already stored", (long long)r.unchanged);
		fputc('\n', e->out);
	}
	store_close(s);
	tpl_set_free(ts);
	return rc;
}

/* --- vigie outbox [list | --show ID] ------------------------------------------------------------- */

typedef struct {
	const cli_env *e;
	int format, show;
	int64_t rows;
	json_out j;
} list_ctx;

/* The first line of a text, at most max bytes, cut on a UTF-8 boundary. */
static void first_line(const char *t, char *buf, size_t cap, size_t max)
{
	size_t n = strcspn(t, "\n");
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
			n--;
	}
	if (n >= cap) n = cap - 1;
	memcpy(buf, t, n);
	buf[n] = '\0';
}

static const char *summary(const store_message *m, char *buf, size_t cap)
{
	const char *t = m->error[0] ? m->error : m->subject[0] ? m->subject : m->body;
	first_line(t, buf, cap, 60);
	return buf;
}

static void json_message(json_out *j, const store_message *m, int whole)
{
	char day[16], created[16];
	date_format(m->day, day, sizeof day);
	date_format(m->created_on, created, sizeof created);
	json_obj_begin(j);
	json_kint(j, "id", m->id);
	json_kint(j, "decision_id", m->decision_id);
	json_kstr(j, "day", day);
	json_kstr(j, "account_id", m->account_ext_id);
	json_kstr(j, "channel", m->channel);
	json_kstr(j, "template", m->template_name);
	json_kstr(j, "language", m->language);
	json_kstr(j, "recipient", m->recipient);
	json_kstr(j, "status", m->status);
	if (strcmp(m->channel, "sms") == 0 && !m->error[0]) {
		json_kstr(j, "sms_encoding", m->sms_encoding);
		json_kint(j, "sms_units", m->sms_units);
		json_kint(j, "sms_segments", m->sms_segments);
	}
	json_kstr(j, "subject", m->subject);
	if (whole) {
		json_kstr(j, "body", m->body);
	} else {
		char line[256];
		first_line(m->body, line, sizeof line, 200);
		json_kstr(j, "first_line", line);
	}
	json_kstr(j, "error", m->error);
	json_kstr(j, "created_on", created);
	json_obj_end(j);
}

static int list_row(void *ctx, const store_message *m)
{
	list_ctx *c = ctx;
	FILE *f = c->e->out;
	char day[16], sum[256];
	date_format(m->day, day, sizeof day);
	if (c->format == 2) {
		json_message(&c->j, m, 1);
	} else if (c->format == 1) {
		if (!c->rows)
			fputs("id,decision_id,day,account_id,channel,template,language,status,recipient,sms_"
			      "encoding,"
			      "sms_segments,subject,body,error\n",
			      f);
		fprintf(f, "%lld,%lld,%s,", (long long)m->id, (long long)m->decision_id, day);
		const char *v[] = {m->account_ext_id, m->channel,   m->template_name, m->language,
		                   m->status,         m->recipient, m->sms_encoding};
		for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
			csv_out_field(f, v[i]);
			fputc(',', f);
		}
		if (m->sms_segments) fprintf(f, "%d", (int)m->sms_segments);
		fputc(',', f);
		csv_out_field(f, m->subject);
		fputc(',', f);
		csv_out_field(f, m->body);
		fputc(',', f);
		csv_out_field(f, m->error);
		fputc('\n', f);
	} else {
		if (!c->rows)
			fprintf(f, "%6s %-10s %-12s %-6s %-4s %-13s %4s %-24s %s\n", "id", "day", "account",
			        "chan", "lang", "status", "segs", "recipient", "first line / error");
		char segs[8] = "";
		if (m->sms_segments) snprintf(segs, sizeof segs, "%d", (int)m->sms_segments);
		char rcp[64];
		first_line(m->recipient, rcp, sizeof rcp, 24);
		fprintf(f, "%6lld %-10s %-12s %-6s %-4s %-13s %4s %-24s %s\n", (long long)m->id, day,
		        m->account_ext_id, m->channel, m->language, m->status, segs, rcp,
		        summary(m, sum, sizeof sum));
	}
	c->rows++;
	return ferror(f) ? -1 : 0;
}

static int show_row(void *ctx, const store_message *m)
{
	list_ctx *c = ctx;
	FILE *f = c->e->out;
	c->rows++;
	if (c->format == 2) {
		json_message(&c->j, m, 1);
		return 0;
	}
	char day[16], created[16];
	date_format(m->day, day, sizeof day);
	date_format(m->created_on, created, sizeof created);
	fprintf(f, "message %lld: decision %lld, account %s, %s\n", (long long)m->id,
	        (long long)m->decision_id, m->account_ext_id, day);
	fprintf(f, "channel: %s\ntemplate: %s%s%s%s\nrecipient: %s\nstatus: %s\n", m->channel,
	        m->template_name, m->language[0] ? " (" : "", m->language, m->language[0] ? ")" : "",
	        m->recipient, m->status);
	if (strcmp(m->channel, "sms") == 0 && !m->error[0])
		fprintf(f, "sms: %s, %d %s, %d segment%s\n", m->sms_encoding, (int)m->sms_units,
		        strcmp(m->sms_encoding, "GSM-7") == 0 ? "septets" : "UTF-16 units",
		        (int)m->sms_segments, m->sms_segments == 1 ? "" : "s");
	fprintf(f, "rendered on: %s\n", created);
	if (m->error[0]) {
		fprintf(f, "error: %s\n", m->error);
		return 0;
	}
	fputc('\n', f);
	if (m->subject[0]) fprintf(f, "Subject: %s\n\n", m->subject);
	fprintf(f, "%s\n", m->body);
	return 0;
}

static int one_of(const cli_env *e, const char *opt, const char *v, const char *const *ok)
{
	if (!v) return 0;
	for (const char *const *p = ok; *p; p++)
		if (strcmp(*p, v) == 0) return 0;
	fprintf(e->err, "vigie outbox: --%s: expected %s", opt, ok[0]);
	for (const char *const *p = ok + 1; *p; p++)
		fprintf(e->err, "%s%s", p[1] ? ", " : " or ", *p);
	fprintf(e->err, ", found \"%s\"\n", v);
	return -1;
}

int cmd_outbox(const cli_env *e, int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "render") == 0) return outbox_render_cmd(e, argc - 1, argv + 1);
	static const char cmd[] = "outbox";
	const char *as_of = NULL, *status = NULL, *channel = NULL, *format = NULL, *show = NULL;
	const cli_opt opts[] = {{"as-of", 1, &as_of},   {"status", 1, &status}, {"channel", 1, &channel},
	                        {"format", 1, &format}, {"show", 1, &show},     {NULL, 0, NULL}};
	const char *pos[1];
	int n, help;
	if (cli_parse(e, cmd, argc, argv, opts, pos, 0, &n, &help)) return EXIT_USAGE;
	if (help) {
		fputs(OUTBOX_HELP, e->out);
		return EXIT_OK;
	}
	static const char *const STATUSES[] = {"queued", "held", "failed_render", "sent", NULL};
	static const char *const CHANNELS[] = {"sms", "email", "letter", NULL};
	list_ctx c = {.e = e};
	store_message_filter f = {.to = DATE_NONE, .status = status, .channel = channel};
	if ((as_of && cli_date(e, cmd, "as-of", as_of, &f.to)) || one_of(e, "status", status, STATUSES) ||
	    one_of(e, "channel", channel, CHANNELS) || cli_format(e, cmd, format, &c.format))
		return EXIT_USAGE;
	if (show) {
		char *end;
		long long id = strtoll(show, &end, 10);
		if (*end || id < 1) {
			fprintf(e->err, "vigie outbox: --show: expected a message id, found \"%s\"\n", show);
			return EXIT_USAGE;
		}
		if (c.format == 1) {
			fprintf(e->err, "vigie outbox: --show: expected --format table or json, found csv\n");
			return EXIT_USAGE;
		}
		f = (store_message_filter){.id = id, .to = DATE_NONE};
		c.show = 1;
	}
	store *s = cli_open_store(e);
	if (!s) return EXIT_STORE;
	if (store_module_version(s, "outbox") < 1) {
		fprintf(e->err, "vigie outbox: the store has no outbox yet: run vigie init\n");
		store_close(s);
		return EXIT_STORE;
	}
	if (c.format == 2) {
		json_init(&c.j, e->out, 1);
		if (!c.show) {
			json_obj_begin(&c.j);
			json_key(&c.j, "messages");
			json_arr_begin(&c.j);
		}
	}
	int rc = EXIT_OK;
	if (store_messages_each(s, &f, c.show ? show_row : list_row, &c)) {
		fprintf(e->err, "vigie outbox: %s\n", store_errmsg(s));
		rc = EXIT_STORE;
	}
	if (c.show && !c.rows && rc == EXIT_OK) {
		fprintf(e->err, "vigie outbox: --show: no message %s\n", show);
		rc = EXIT_NOT_FOUND;
	}
	if (c.format == 2) {
		if (!c.show) {
			json_arr_end(&c.j);
			json_kint(&c.j, "count", c.rows);
			json_obj_end(&c.j);
		}
		if (c.rows || !c.show) json_end(&c.j);
	} else if (c.format == 0 && !c.show) {
		fprintf(e->out, "%lld messages\n", (long long)c.rows);
	}
	store_close(s);
	return rc;
}

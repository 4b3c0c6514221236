/* portfolio_gen.c: writes a seeded, reproducible portfolio (clients, loans, schedules, invoices,
 * payments) as Vigie's five import CSV files, for demos (realistic microfinance and SME lending with
 * varied payment behaviours) and for benchmarks (a million uniform loans in seconds).
 *
 * Determinism: every random draw comes from a xoshiro256** generator seeded from the options' seed
 * and the index of the entity being drawn (client, loan, invoice), never from rand() or a clock, so
 * the same options write byte-identical files, and a client's attributes can be recomputed wherever
 * they are needed (a loan's branch, an invoice's company) instead of being kept in memory.
 *
 * Streaming: each loan is generated with its schedule and its payments and written at once to the
 * loans, schedules and payments files; each file has its own large output buffer filled with
 * hand-written number and date formatting, so memory does not depend on the portfolio size.
 * Amounts are integers in minor units from start to end (money_format writes the decimals). */
#include "io/portfolio_gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/currency.h"
#include "core/date.h"
#include "core/ledger.h"
#include "core/money.h"
#include "core/schedule.h"

/* ---- pseudo-random numbers: splitmix64 to seed, xoshiro256** to draw ---- */

typedef struct {
	uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

enum { STREAM_CLIENT = 1, STREAM_LOAN, STREAM_INVOICE, STREAM_ALLOC, STREAM_BENCH_LOAN };

/* An independent generator for entity `index` of a kind (`stream`), from the portfolio seed. */
static void rng_seed(rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
	uint64_t x = seed;
	uint64_t h = splitmix64(&x) ^ (stream * 0xD1B54A32D192ED03u);
	x = h;
	h = splitmix64(&x) + index;
	x = h;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n) for n >= 1 (multiply-shift, no modulo bias worth the name). */
static inline int64_t rng_below(rng *r, int64_t n)
{
	return (int64_t)(((unsigned __int128)rng_next(r) * (uint64_t)n) >> 64);
}

/* Uniform in [lo, hi]; lo when hi < lo. */
static inline int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
	return hi <= lo ? lo : lo + rng_below(r, hi - lo + 1);
}

/* True with probability per10k / 10,000. */
static inline int rng_chance(rng *r, int per10k)
{
	return rng_below(r, 10000) < per10k;
}

/* ---- output: one large buffer per file, rows written in place ---- */

#define WBUF_CAP (1u << 20)
#define ROW_MAX  1024 /* no row we write is longer */

typedef struct {
	FILE *f;
	char *buf;
	size_t n;
	int failed; /* errno of the first write error, or 0 */
} wbuf;

static void wb_flush(wbuf *w)
{
	errno = 0;
	if (w->n > 0 && !w->failed && fwrite(w->buf, 1, w->n, w->f) != w->n) w->failed = errno ? errno : EIO;
	w->n = 0;
}

/* Where the next row goes: at least ROW_MAX bytes of room. */
static inline char *wb_row(wbuf *w)
{
	if (w->n > WBUF_CAP - ROW_MAX) wb_flush(w);
	return w->buf + w->n;
}

static inline void wb_end(wbuf *w, char *p)
{
	w->n = (size_t)(p - w->buf);
}

static const char DIGITS2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int i = 20;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		i -= 2;
		memcpy(tmp + i, DIGITS2 + 2 * r, 2);
	}
	if (v >= 10) {
		i -= 2;
		memcpy(tmp + i, DIGITS2 + 2 * v, 2);
	} else {
		tmp[--i] = (char)('0' + v);
	}
	memcpy(p, tmp + i, (size_t)(20 - i));
	return p + (20 - i);
}

/* A prefix letter and a number zero-padded to at least `width` digits: "L0000042". */
static inline char *put_id(char *p, char prefix, uint64_t num, int width)
{
	char tmp[24];
	char *e = put_u64(tmp, num);
	int len = (int)(e - tmp);
	*p++ = prefix;
	for (; len < width; width--)
		*p++ = '0';
	memcpy(p, tmp, (size_t)len);
	return p + len;
}

static inline char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

/* A CSV field: quoted (quotes doubled) only when it holds a comma, a quote or a line break. */
static char *put_field(char *p, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) return put_str(p, s);
	*p++ = '"';
	for (; *s; s++) {
		if (*s == '"') *p++ = '"';
		*p++ = *s;
	}
	*p++ = '"';
	return p;
}

/* ---- the generator's state ---- */

enum { F_CLIENTS = 0, F_LOANS, F_SCHEDULES, F_INVOICES, F_PAYMENTS, F_N };

static const char *const FILE_NAME[F_N] = {"clients.csv", "loans.csv", "schedules.csv", "invoices.csv",
                                           "payments.csv"};
static const char *const FILE_HEADER[F_N] = {
    "client_id,name,branch,officer,phone,email,language\n",
    "loan_id,client_id,currency,principal,disbursed_on,product,branch,officer,written_off_on\n",
    "loan_id,due_on,principal,interest,fees\n",
    "invoice_id,client_id,currency,amount,issued_on,due_on,branch,officer\n",
    "payment_id,account_id,paid_on,amount\n",
};

#define DATE_WINDOW 4096 /* dates within as_of +- this are formatted once, into a table */

typedef struct {
	const gen_options *o;
	wbuf w[F_N];
	char *dates; /* 10 characters per day of [dlo, dhi] */
	civil_day dlo, dhi;
	int exp_xof, exp_eur;
	long payment_no;
	gen_counts c;
} gen;

static inline char *put_date(const gen *g, char *p, civil_day d)
{
	if (d >= g->dlo && d <= g->dhi) {
		memcpy(p, g->dates + (size_t)(d - g->dlo) * 10, 10);
		return p + 10;
	}
	char tmp[16];
	size_t n = date_format(d, tmp, sizeof tmp);
	memcpy(p, tmp, n);
	return p + n;
}

/* An amount in major units with the currency's exponent: exactly money_format's text (exponent 0 is
 * plain integer text, written here directly because it is the bulk of a bench portfolio). */
static inline char *put_amount(char *p, int64_t minor, int exponent)
{
	if (exponent == 0) {
		if (minor < 0) {
			*p++ = '-';
			return put_u64(p, (uint64_t)0 - (uint64_t)minor);
		}
		return put_u64(p, (uint64_t)minor);
	}
	return p + money_format(minor, exponent, p, 32);
}

static void write_payment(gen *g, const char *acct, size_t acct_len, civil_day d, int64_t amount,
                          int exponent)
{
	wbuf *w = &g->w[F_PAYMENTS];
	char *p = wb_row(w);
	p = put_id(p, 'P', (uint64_t)++g->payment_no, 8);
	*p++ = ',';
	memcpy(p, acct, acct_len);
	p += acct_len;
	*p++ = ',';
	p = put_date(g, p, d);
	*p++ = ',';
	p = put_amount(p, amount, exponent);
	*p++ = '\n';
	wb_end(w, p);
	g->c.payments++;
}

/* ---- clients ---- */

typedef enum { REG_SN = 0, REG_CI, REG_FR } region;

typedef struct {
	const char *name;
	region reg;
	int weight; /* share of clients, out of 100 */
} branch_def;

static const branch_def BRANCHES[] = {
    {"Dakar-Plateau", REG_SN, 22},  {"Thies", REG_SN, 15},  {"Kaolack", REG_SN, 13},
    {"Abidjan-Cocody", REG_CI, 20}, {"Bouake", REG_CI, 12}, {"Lyon", REG_FR, 9},
    {"Paris", REG_FR, 9},
};
#define N_BRANCHES          ((int)(sizeof BRANCHES / sizeof BRANCHES[0]))
#define OFFICERS_PER_BRANCH 3

#define NAMES_PER_TABLE 20
static const char *const FIRST_NAMES[3][NAMES_PER_TABLE] = {
    {"Aminata", "Fatou",  "Moussa",    "Ibrahima", "Mamadou",  "Awa",      "Khady",
     "Ousmane", "Cheikh", "Abdoulaye", "Mariama",  "Seynabou", "Aissatou", "Babacar",
     "Ndeye",   "Modou",  "Coumba",    "Pape",     "Astou",    "Lamine"},
    {"Kouadio", "Adjoua", "Yao",    "Affoue", "Konan",  "Aya",    "Seydou", "Salimata", "Drissa", "Fanta",
     "Amenan",  "Koffi",  "Akissi", "Brou",   "Mariam", "Issouf", "Nadège", "Kouamé",   "Serge",  "Adama"},
    {"Jean",     "Marie",  "Pierre",   "Sophie",  "Nicolas", "Camille", "Hélène",
     "François", "Élodie", "Julien",   "Chloé",   "Thomas",  "Léa",     "Mathieu",
     "Anne",     "Luc",    "Isabelle", "Antoine", "Margaux", "Rémi"},
};
static const char *const LAST_NAMES[3][NAMES_PER_TABLE] = {
    {"Diop",  "Ndiaye", "Fall",  "Sow",  "Ba",    "Diallo", "Faye", "Gueye",   "Sarr",  "Mbaye",
     "Cisse", "Sy",     "Ndour", "Seck", "Thiam", "Niang",  "Kane", "Mbengue", "Dieng", "N'Diaye"},
    {"Kouassi", "Kone",  "Kouame", "Traore", "Yao",   "Ouattara", "Coulibaly", "Bamba", "N'Guessan", "Konan",
     "Diabate", "Toure", "Kra",    "Aka",    "Tanoh", "Soro",     "Fofana",    "Yeo",   "Dosso",     "Koné"},
    {"Martin",   "Bernard", "Dubois", "Thomas",  "Robert",    "Richard", "Petit",
     "Durand",   "Leroy",   "Moreau", "Lefèvre", "Girard",    "Mercier", "Fontaine",
     "Rousseau", "Blanc",   "Guérin", "Faure",   "Chevalier", "Lambert"},
};

/* Company names around a family name: some hold a comma or quotes, as real ones do. */
#define N_COMPANY_KINDS 6
static const char *const COMPANY_BEFORE[N_COMPANY_KINDS] = {"", "Établissements ", "", "Boulangerie \"Chez ",
                                                            "", "Cabinet "};
static const char *const COMPANY_AFTER[N_COMPANY_KINDS] = {
    " & Fils SARL", ", Frères et Cie", " Transports SA", "\"", " Agro-Services SARL", " et Associés"};

typedef enum { B_ON_TIME = 0, B_EARLY, B_LATE_CURED, B_CHRONIC_LATE, B_PARTIAL, B_DEFAULT, B_N } behaviour;
static const int BEHAVIOUR_SHARE[B_N] = {6000, 500, 1200, 1000, 800, 500}; /* per 10,000 */

typedef struct {
	int branch;
	int officer;  /* 1-based officer number, "O%03d" */
	int company;  /* 0 = a person, else 1 + company kind */
	int name_reg; /* table of the names (a Lyon client may have a Senegalese name) */
	int first, last;
	int lang_en;
	behaviour beh;
} client_info;

static int pick_weighted(rng *r, const int *w, int n, int total)
{
	int64_t u = rng_below(r, total);
	for (int i = 0; i < n - 1; i++) {
		if (u < w[i]) return i;
		u -= w[i];
	}
	return n - 1;
}

/* The attributes of client `idx` (0-based): a pure function of the seed and idx. *r_out, when given,
 * receives the generator to go on drawing the client's row (phone, email). */
static void client_attrs(const gen *g, long idx, client_info *ci, rng *r_out)
{
	rng r;
	rng_seed(&r, g->o->seed, STREAM_CLIENT, (uint64_t)idx);
	int w[N_BRANCHES];
	for (int i = 0; i < N_BRANCHES; i++)
		w[i] = BRANCHES[i].weight;
	ci->branch = pick_weighted(&r, w, N_BRANCHES, 100);
	ci->officer = ci->branch * OFFICERS_PER_BRANCH + (int)rng_below(&r, OFFICERS_PER_BRANCH) + 1;
	ci->company = rng_chance(&r, 1500) ? 1 + (int)rng_below(&r, N_COMPANY_KINDS) : 0;
	region reg = BRANCHES[ci->branch].reg;
	ci->name_reg = (int)reg;
	if (reg == REG_FR && rng_chance(&r, 2500))
		ci->name_reg = (int)rng_below(&r, 2); /* diaspora clients in France */
	ci->first = (int)rng_below(&r, NAMES_PER_TABLE);
	ci->last = (int)rng_below(&r, NAMES_PER_TABLE);
	ci->lang_en = rng_chance(&r, reg == REG_FR ? 1500 : 800);
	ci->beh = (behaviour)pick_weighted(&r, BEHAVIOUR_SHARE, B_N, 10000);
	if (r_out) *r_out = r;
}

/* Lower-case ASCII of a UTF-8 name for e-mail addresses: accents dropped, apostrophes and spaces
 * removed. */
static char *put_slug(char *p, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		unsigned c = *u++;
		if (c == 0xC3 && *u) {
			unsigned b = *u++ | 0x20u; /* upper-case Latin-1 letters to lower-case */
			if (b >= 0xA0 && b <= 0xA5)
				*p++ = 'a';
			else if (b == 0xA7)
				*p++ = 'c';
			else if (b >= 0xA8 && b <= 0xAB)
				*p++ = 'e';
			else if (b >= 0xAC && b <= 0xAF)
				*p++ = 'i';
			else if (b >= 0xB2 && b <= 0xB6)
				*p++ = 'o';
			else if (b >= 0xB9 && b <= 0xBC)
				*p++ = 'u';
		} else if (c >= 'A' && c <= 'Z') {
			*p++ = (char)(c - 'A' + 'a');
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
			*p++ = (char)c;
		} else if (c >= 0x80) {
			while ((*u & 0xC0) == 0x80)
				u++;
		}
	}
	return p;
}

static char *put_digits(char *p, rng *r, int n)
{
	for (int i = 0; i < n; i++)
		*p++ = (char)('0' + rng_below(r, 10));
	return p;
}

static void write_client(gen *g, long idx)
{
	client_info ci;
	rng r;
	client_attrs(g, idx, &ci, &r);
	const char *first = FIRST_NAMES[ci.name_reg][ci.first];
	const char *last = LAST_NAMES[ci.name_reg][ci.last];
	region reg = BRANCHES[ci.branch].reg;

	char name[160];
	char *q = name;
	if (ci.company) {
		q = put_str(q, COMPANY_BEFORE[ci.company - 1]);
		q = put_str(q, last);
		q = put_str(q, COMPANY_AFTER[ci.company - 1]);
	} else {
		q = put_str(q, first);
		*q++ = ' ';
		q = put_str(q, last);
	}
	*q = '\0';

	wbuf *w = &g->w[F_CLIENTS];
	char *p = wb_row(w);
	p = put_id(p, 'C', (uint64_t)idx + 1, 6);
	*p++ = ',';
	p = put_field(p, name);
	*p++ = ',';
	p = put_str(p, BRANCHES[ci.branch].name);
	*p++ = ',';
	p = put_id(p, 'O', (uint64_t)ci.officer, 3);
	*p++ = ',';
	switch (reg) {
	case REG_SN: /* +221 7X XXX XX XX */
		p = put_str(p, "+2217");
		*p++ = "05678"[rng_below(&r, 5)];
		p = put_digits(p, &r, 7);
		break;
	case REG_CI: /* +225 0X XX XX XX XX */
		p = put_str(p, "+2250");
		*p++ = "157"[rng_below(&r, 3)];
		p = put_digits(p, &r, 8);
		break;
	case REG_FR: /* +33 6 XX XX XX XX */
		p = put_str(p, "+33");
		*p++ = "67"[rng_below(&r, 2)];
		p = put_digits(p, &r, 8);
		break;
	}
	*p++ = ',';
	if (ci.company) {
		p = put_str(p, "contact@");
		p = put_slug(p, last);
		*p++ = '-';
		p = put_u64(p, (uint64_t)idx + 1);
		p = put_str(p, ".example.com");
	} else if (rng_chance(&r, reg == REG_FR ? 9500 : 5500)) {
		p = put_slug(p, first);
		*p++ = '.';
		p = put_slug(p, last);
		*p++ = '.';
		p = put_u64(p, (uint64_t)idx + 1);
		p = put_str(p, "@example.com");
	} /* else: no e-mail, common among microfinance clients */
	*p++ = ',';
	p = put_str(p, ci.lang_en ? "en" : "fr");
	*p++ = '\n';
	wb_end(w, p);
	g->c.clients++;
}

/* ---- loans ---- */

typedef enum { CUR_XOF = 0, CUR_EUR } cur;

typedef struct {
	const char *name;
	cur currency;
	int n;
	schedule_freq freq;
	schedule_method method;
	int64_t rate_ppm;
	int grace;
	int64_t fee_major;                  /* per installment, major units */
	int64_t min_major, max_major, step; /* principal range, major units */
} product;

enum { P_GROUP_WEEKLY = 0, P_GROUP_BIWEEKLY, P_INDIVIDUAL, P_AGRI, P_SME, P_N };
static const product PRODUCTS[P_N] = {
    {"group-weekly", CUR_XOF, 16, FREQ_WEEKLY, INTEREST_FLAT, 240000, 0, 100, 50000, 300000, 5000},
    {"group-biweekly", CUR_XOF, 12, FREQ_BIWEEKLY, INTEREST_FLAT, 240000, 0, 200, 50000, 500000, 5000},
    {"individual", CUR_XOF, 12, FREQ_MONTHLY, INTEREST_DECLINING, 240000, 0, 0, 200000, 2000000, 5000},
    {"agri", CUR_XOF, 10, FREQ_MONTHLY, INTEREST_DECLINING, 180000, 3, 500, 100000, 1000000, 5000},
    {"sme", CUR_EUR, 24, FREQ_MONTHLY, INTEREST_DECLINING, 90000, 0, 0, 3000, 80000, 50},
};
#define MAX_INSTALLMENTS 24 /* the longest product */

static int64_t pow10i(int e)
{
	int64_t v = 1;
	while (e-- > 0)
		v *= 10;
	return v;
}

static int period_days(schedule_freq f)
{
	return f == FREQ_WEEKLY ? 7 : f == FREQ_BIWEEKLY ? 14 : 30;
}

static int64_t installment_total(const obligation *ob)
{
	return ob->amount[COMP_PENALTY] + ob->amount[COMP_FEE] + ob->amount[COMP_INTEREST] +
	       ob->amount[COMP_PRINCIPAL];
}

/* Payments of one account before they are written: sorted by date, only those up to as_of. */
#define MAX_EVENTS (4 * MAX_INSTALLMENTS + 16)
typedef struct {
	civil_day d;
	int64_t amount;
} pay_event;

typedef struct {
	civil_day start, as_of;
	int n;
	pay_event ev[MAX_EVENTS];
} pay_plan;

static void plan_add(pay_plan *pl, civil_day d, int64_t amount)
{
	if (amount <= 0) return;
	if (d <= pl->start)
		d = pl->start + 1; /* nobody pays before the money is lent or the invoice issued */
	if (d > pl->as_of || pl->n >= MAX_EVENTS) return;
	pl->ev[pl->n].d = d;
	pl->ev[pl->n].amount = amount;
	pl->n++;
}

static void plan_sort(pay_plan *pl)
{
	for (int i = 1; i < pl->n; i++) { /* insertion sort: stable, and plans are short */
		pay_event e = pl->ev[i];
		int j = i;
		while (j > 0 && pl->ev[j - 1].d > e.d) {
			pl->ev[j] = pl->ev[j - 1];
			j--;
		}
		pl->ev[j] = e;
	}
}

/* A part of an amount as people pay it: rounded down to `unit`, kept whole when that leaves nothing
 * or everything. pct in 1..99. */
static int64_t part_of(int64_t amount, int64_t pct, int64_t unit)
{
	int64_t part = amount * pct / 100;
	if (part >= unit) part -= part % unit;
	if (part <= 0 || part >= amount) return amount;
	return part;
}

/* The payments of a loan with the client's behaviour; *written_off set for some defaults. */
static void plan_loan(rng *r, behaviour beh, const product *pr, const obligation *ob, int n, int exponent,
                      pay_plan *pl, civil_day *written_off)
{
	const int pd = period_days(pr->freq);
	const int64_t unit = exponent == 0 ? 100 : 1000; /* 100 XOF, 10.00 EUR */
	int64_t tot[MAX_INSTALLMENTS];
	for (int j = 0; j < n; j++)
		tot[j] = installment_total(&ob[j]);
	*written_off = DATE_NONE;

	switch (beh) {
	case B_ON_TIME:
		for (int j = 0; j < n; j++) {
			civil_day due = ob[j].due_on, d = due;
			int y, m, day;
			date_to_ymd(due, &y, &m, &day);
			if (pr->freq == FREQ_MONTHLY && day <= 7 && rng_chance(r, 2500))
				d = due - day; /* on the last day of the month before (payday) */
			else if (rng_chance(r, 1500))
				d = due - (civil_day)rng_range(r, 1, 3);
			if (rng_chance(r, 1000)) { /* in two parts */
				int64_t first = part_of(tot[j], rng_range(r, 30, 70), unit);
				if (first < tot[j]) {
					plan_add(pl, d - (civil_day)rng_range(r, 1, pd - 1 < 6 ? pd - 1 : 6),
					         first);
					plan_add(pl, d, tot[j] - first);
					continue;
				}
			}
			plan_add(pl, d, tot[j]);
		}
		break;
	case B_EARLY: {
		int m = n >= 4 && rng_chance(r, 6000) ? (int)rng_range(r, n / 3, n - 2) : n;
		int maxe = pd - 1 < 10 ? pd - 1 : 10;
		for (int j = 0; j < m; j++)
			plan_add(pl, ob[j].due_on - (civil_day)rng_range(r, maxe < 3 ? 1 : 3, maxe), tot[j]);
		if (m < n) { /* prepays everything left and closes the loan */
			int64_t rest = 0;
			for (int j = m; j < n; j++)
				rest += tot[j];
			plan_add(pl, ob[m].due_on - (civil_day)rng_range(r, 1, maxe), rest);
		}
		break;
	}
	case B_LATE_CURED: {
		int len = (int)(pr->freq == FREQ_MONTHLY ? rng_range(r, 3, 5) : rng_range(r, 3, 8));
		if (len > n) len = n;
		int a = (int)rng_below(r, n - len + 1);
		int64_t behind = 0;
		for (int j = 0; j < n; j++) {
			if (j >= a && j < a + len) {
				behind += tot[j];
				if (j == a + len - 1) /* catches up with everything at once */
					plan_add(pl, ob[j].due_on + (civil_day)rng_range(r, 0, pd - 1),
					         behind);
				continue;
			}
			plan_add(pl, ob[j].due_on + (civil_day)(rng_chance(r, 2000) ? rng_range(r, 1, 3) : 0),
			         tot[j]);
		}
		break;
	}
	case B_CHRONIC_LATE:
		for (int j = 0; j < n; j++)
			plan_add(pl, ob[j].due_on + (civil_day)rng_range(r, 5, 40), tot[j]);
		break;
	case B_PARTIAL: {
		int64_t shortfall = 0;
		for (int j = 0; j < n; j++) {
			int64_t part = part_of(tot[j], rng_range(r, 50, 90), unit);
			plan_add(pl, ob[j].due_on + (civil_day)rng_range(r, 0, 3), part);
			shortfall += tot[j] - part;
			if (shortfall > 0 && (j == n - 1 || rng_chance(r, 3500))) {
				plan_add(pl, ob[j].due_on + (civil_day)rng_range(r, 7, 25), shortfall);
				shortfall = 0;
			}
		}
		break;
	}
	case B_DEFAULT: {
		int k = (int)rng_range(r, n >= 3 ? 1 : 0, n * 2 / 3);
		for (int j = 0; j < k; j++)
			plan_add(pl, ob[j].due_on + (civil_day)rng_range(r, 0, 3), tot[j]);
		if (k < n) {
			if (rng_chance(r, 4000)) /* one last small payment after stopping */
				plan_add(pl, ob[k].due_on + (civil_day)rng_range(r, 15, 60),
				         part_of(tot[k], rng_range(r, 20, 50), unit));
			/* Written off once more than 180 days late, a few months before as_of. */
			civil_day wo = ob[k].due_on + 181 + (civil_day)rng_range(r, 0, 90);
			if (wo <= pl->as_of - 30 && rng_chance(r, 8000)) *written_off = wo;
		}
		break;
	}
	case B_N:
		break;
	}
	plan_sort(pl);
}

static char *put_loan_row(gen *g, char *p, const char *loan_id, size_t id_len, long client, const char *ccy,
                          int64_t principal, int exponent, civil_day disbursed, const char *product_name,
                          const client_info *ci, civil_day written_off)
{
	memcpy(p, loan_id, id_len);
	p += id_len;
	*p++ = ',';
	p = put_id(p, 'C', (uint64_t)client + 1, 6);
	*p++ = ',';
	p = put_str(p, ccy);
	*p++ = ',';
	p = put_amount(p, principal, exponent);
	*p++ = ',';
	p = put_date(g, p, disbursed);
	*p++ = ',';
	p = put_str(p, product_name);
	*p++ = ',';
	p = put_str(p, BRANCHES[ci->branch].name);
	*p++ = ',';
	p = put_id(p, 'O', (uint64_t)ci->officer, 3);
	*p++ = ',';
	if (written_off != DATE_NONE) p = put_date(g, p, written_off);
	*p++ = '\n';
	return p;
}

static void write_schedule(gen *g, const char *loan_id, size_t id_len, const obligation *ob, int n,
                           int exponent)
{
	wbuf *w = &g->w[F_SCHEDULES];
	for (int j = 0; j < n; j++) {
		char *p = wb_row(w);
		memcpy(p, loan_id, id_len);
		p += id_len;
		*p++ = ',';
		p = put_date(g, p, ob[j].due_on);
		*p++ = ',';
		p = put_amount(p, ob[j].amount[COMP_PRINCIPAL], exponent);
		*p++ = ',';
		p = put_amount(p, ob[j].amount[COMP_INTEREST], exponent);
		*p++ = ',';
		p = put_amount(p, ob[j].amount[COMP_FEE], exponent);
		*p++ = '\n';
		wb_end(w, p);
	}
	g->c.schedule_rows += n;
}

static int pick_product(rng *r, const client_info *ci)
{
	if (BRANCHES[ci->branch].reg == REG_FR) return P_SME;
	if (ci->company) return rng_chance(r, 4000) ? P_SME : P_INDIVIDUAL;
	int64_t u = rng_below(r, 100);
	return u < 30 ? P_GROUP_WEEKLY : u < 50 ? P_GROUP_BIWEEKLY : u < 80 ? P_INDIVIDUAL : P_AGRI;
}

static int set_err(char *err, size_t errcap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int set_err(char *err, size_t errcap, const char *fmt, ...)
{
	if (err != NULL && errcap > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errcap, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int demo_loan(gen *g, long loan_idx, long client, const client_info *ci, char *err, size_t errcap)
{
	const gen_options *o = g->o;
	rng r;
	rng_seed(&r, o->seed, STREAM_LOAN, (uint64_t)loan_idx);
	const product *pr = &PRODUCTS[pick_product(&r, ci)];
	const int exponent = pr->currency == CUR_XOF ? g->exp_xof : g->exp_eur;
	const int64_t scale = pow10i(exponent);
	int64_t major =
	    pr->min_major + pr->step * rng_below(&r, (pr->max_major - pr->min_major) / pr->step + 1);

	/* Disbursed over the 24 months before as_of, a tenth in the last month. */
	civil_day disbursed =
	    o->as_of - (civil_day)(rng_chance(&r, 1000) ? rng_range(&r, 1, 30) : rng_range(&r, 1, 730));
	if (pr->freq == FREQ_MONTHLY && rng_chance(&r, 1200)) { /* some on a month end: EOM due dates */
		int y, m, dd;
		date_to_ymd(disbursed, &y, &m, &dd);
		civil_day eom = date_from_ymd(y, m, date_days_in_month(y, m));
		if (eom < o->as_of) disbursed = eom;
	}

	schedule_terms t = {
	    .principal = major * scale,
	    .disbursed_on = disbursed,
	    .n_installments = pr->n,
	    .freq = pr->freq,
	    .method = pr->method,
	    .annual_rate_ppm = pr->rate_ppm,
	    .grace_periods = pr->grace,
	    .fee_per_installment = pr->fee_major * scale,
	};
	obligation ob[MAX_INSTALLMENTS];
	char id[32];
	size_t id_len = (size_t)(put_id(id, 'L', (uint64_t)loan_idx + 1, 7) - id);
	schedule_err se = schedule_generate(&t, ob, MAX_INSTALLMENTS);
	if (se != SCHEDULE_OK)
		return set_err(err, errcap, "schedule of %.*s: %s", (int)id_len, id, schedule_strerror(se));

	pay_plan pl;
	pl.start = disbursed;
	pl.as_of = o->as_of;
	pl.n = 0;
	civil_day written_off;
	plan_loan(&r, ci->beh, pr, ob, pr->n, exponent, &pl, &written_off);

	wbuf *w = &g->w[F_LOANS];
	char *p = wb_row(w);
	p = put_loan_row(g, p, id, id_len, client, pr->currency == CUR_XOF ? "XOF" : "EUR", t.principal,
	                 exponent, disbursed, pr->name, ci, written_off);
	wb_end(w, p);
	g->c.loans++;
	write_schedule(g, id, id_len, ob, pr->n, exponent);
	for (int i = 0; i < pl.n; i++)
		write_payment(g, id, id_len, pl.ev[i].d, pl.ev[i].amount, exponent);
	return 0;
}

/* Demo: each client gets 0..3 loans, drawn so that the total is exactly n_loans. */
static int demo_loans(gen *g, char *err, size_t errcap)
{
	const gen_options *o = g->o;
	rng alloc;
	rng_seed(&alloc, o->seed, STREAM_ALLOC, 0);
	long left = o->n_loans, loan_idx = 0;
	for (long c = 0; c < o->n_clients && left > 0; c++) {
		long clients_left = o->n_clients - c;
		long lo = left - 3 * (clients_left - 1), hi = left < 3 ? left : 3;
		if (lo < 0) lo = 0;
		long k = left / clients_left + (rng_below(&alloc, clients_left) < left % clients_left);
		if (rng_chance(&alloc, 3000)) k += rng_chance(&alloc, 5000) ? 1 : -1;
		k = k < lo ? lo : k > hi ? hi : k;
		if (k == 0) continue;
		client_info ci;
		client_attrs(g, c, &ci, NULL);
		for (long i = 0; i < k; i++)
			if (demo_loan(g, loan_idx++, c, &ci, err, errcap) != 0) return -1;
		left -= k;
	}
	return 0;
}

/* ---- invoices (demo) ---- */

static void demo_invoice(gen *g, long idx)
{
	const gen_options *o = g->o;
	rng r;
	rng_seed(&r, o->seed, STREAM_INVOICE, (uint64_t)idx);
	/* B2B: a random company (drawn among all clients until one is a company; a person if none is
	 * found, in a portfolio with very few companies). */
	long client = 0;
	client_info ci;
	for (int tries = 0; tries < 64; tries++) {
		client = (long)rng_below(&r, o->n_clients);
		client_attrs(g, client, &ci, NULL);
		if (ci.company) break;
	}
	static const int TERMS[3] = {30, 45, 60};
	const int exponent = g->exp_eur;
	int64_t amount = rng_range(&r, 500, 50000) * pow10i(exponent) + rng_below(&r, pow10i(exponent));
	civil_day issued = o->as_of - (civil_day)rng_range(&r, 0, 300);
	civil_day due = issued + TERMS[rng_below(&r, 3)];

	char id[32];
	size_t id_len = (size_t)(put_id(id, 'I', (uint64_t)idx + 1, 7) - id);
	wbuf *w = &g->w[F_INVOICES];
	char *p = wb_row(w);
	memcpy(p, id, id_len);
	p += id_len;
	*p++ = ',';
	p = put_id(p, 'C', (uint64_t)client + 1, 6);
	p = put_str(p, ",EUR,");
	p = put_amount(p, amount, exponent);
	*p++ = ',';
	p = put_date(g, p, issued);
	*p++ = ',';
	p = put_date(g, p, due);
	*p++ = ',';
	p = put_str(p, BRANCHES[ci.branch].name);
	*p++ = ',';
	p = put_id(p, 'O', (uint64_t)ci.officer, 3);
	*p++ = '\n';
	wb_end(w, p);
	g->c.invoices++;

	pay_plan pl;
	pl.start = issued;
	pl.as_of = o->as_of;
	pl.n = 0;
	int64_t u = rng_below(&r, 100);
	if (u < 50) { /* on time */
		plan_add(&pl, due - (civil_day)rng_range(&r, 0, 15), amount);
	} else if (u < 75) { /* late */
		plan_add(&pl, due + (civil_day)rng_range(&r, 1, 90), amount);
	} else if (u < 85) { /* partially, the rest later or never */
		int64_t part = part_of(amount, rng_range(&r, 30, 70), 1000);
		plan_add(&pl, due - (civil_day)rng_range(&r, 0, 5), part);
		if (rng_chance(&r, 5000))
			plan_add(&pl, due + (civil_day)rng_range(&r, 15, 60), amount - part);
	} /* else unpaid */
	plan_sort(&pl);
	for (int i = 0; i < pl.n; i++)
		write_payment(g, id, id_len, pl.ev[i].d, pl.ev[i].amount, exponent);
}

/* ---- bench ---- */

/* Bench loans all have the same terms but the principal (a multiple of 5,000 XOF) and the disbursement
 * date (one of 365 days). Per schedule.h, amounts depend only on the terms without the date (period
 * rate = annual rate / periods per year) and due dates only on the date and the frequency, so
 * schedule_generate is called once per principal and once per date, and its results combined. */
#define BENCH_N    12
#define BENCH_MIN  50000
#define BENCH_MAX  2000000
#define BENCH_STEP 5000
#define BENCH_NP   ((BENCH_MAX - BENCH_MIN) / BENCH_STEP + 1)
#define BENCH_DAYS 365

typedef struct {
	int64_t amount[BENCH_NP][BENCH_N][COMP_N];
	unsigned char have_amount[BENCH_NP];
	civil_day due[BENCH_DAYS + 1][BENCH_N];
	unsigned char have_due[BENCH_DAYS + 1];
} bench_cache;

static int bench_loans(gen *g, char *err, size_t errcap)
{
	const gen_options *o = g->o;
	const int exponent = g->exp_xof;
	const int64_t scale = pow10i(exponent);
	const product *pr = &PRODUCTS[P_INDIVIDUAL];
	bench_cache *bc = calloc(1, sizeof *bc);
	if (bc == NULL) return set_err(err, errcap, "out of memory");

	for (long i = 0; i < o->n_loans; i++) {
		long client = i % o->n_clients;
		client_info ci;
		client_attrs(g, client, &ci, NULL);
		rng r;
		rng_seed(&r, o->seed, STREAM_BENCH_LOAN, (uint64_t)i);
		int pi = (int)rng_below(&r, BENCH_NP);
		int back = (int)rng_range(&r, 1, BENCH_DAYS);
		civil_day disbursed = o->as_of - back;
		int64_t principal = (BENCH_MIN + (int64_t)pi * BENCH_STEP) * scale;

		char id[32];
		size_t id_len = (size_t)(put_id(id, 'L', (uint64_t)i + 1, 7) - id);
		if (!bc->have_amount[pi] || !bc->have_due[back]) {
			schedule_terms t = {
			    .principal = principal,
			    .disbursed_on = disbursed,
			    .n_installments = BENCH_N,
			    .freq = pr->freq,
			    .method = pr->method,
			    .annual_rate_ppm = pr->rate_ppm,
			    .grace_periods = 0,
			    .fee_per_installment = 0,
			};
			obligation tmp[BENCH_N];
			schedule_err se = schedule_generate(&t, tmp, BENCH_N);
			if (se != SCHEDULE_OK) {
				free(bc);
				return set_err(err, errcap, "schedule of %.*s: %s", (int)id_len, id,
				               schedule_strerror(se));
			}
			for (int j = 0; j < BENCH_N; j++) {
				memcpy(bc->amount[pi][j], tmp[j].amount, sizeof tmp[j].amount);
				bc->due[back][j] = tmp[j].due_on;
			}
			bc->have_amount[pi] = bc->have_due[back] = 1;
		}
		obligation ob[BENCH_N];
		for (int j = 0; j < BENCH_N; j++) {
			ob[j].due_on = bc->due[back][j];
			memcpy(ob[j].amount, bc->amount[pi][j], sizeof ob[j].amount);
		}

		wbuf *w = &g->w[F_LOANS];
		char *p = wb_row(w);
		p = put_loan_row(g, p, id, id_len, client, "XOF", principal, exponent, disbursed, pr->name,
		                 &ci, DATE_NONE);
		wb_end(w, p);
		g->c.loans++;
		write_schedule(g, id, id_len, ob, BENCH_N, exponent);

		/* Mostly on or near the due date in one payment, about 10% late, 3% stop paying. */
		int k = rng_chance(&r, 300) ? (int)rng_below(&r, BENCH_N) : BENCH_N;
		civil_day last = disbursed + 1;
		for (int j = 0; j < k; j++) {
			civil_day d = ob[j].due_on;
			int64_t u = rng_below(&r, 100);
			if (u < 10)
				d += (civil_day)rng_range(&r, 5, 60);
			else if (u < 30)
				d += (civil_day)rng_range(&r, -3, 3);
			if (d < last) d = last;
			if (d > o->as_of) break;
			write_payment(g, id, id_len, d, installment_total(&ob[j]), exponent);
			last = d;
		}
		if ((i & 4095) == 0 &&
		    (g->w[F_LOANS].failed || g->w[F_PAYMENTS].failed || g->w[F_SCHEDULES].failed))
			break; /* reported by the caller */
	}
	free(bc);
	return 0;
}

/* ---- driver ---- */

static int validate(const gen_options *o, const char *dir, char *err, size_t errcap)
{
	if (o == NULL || dir == NULL) return set_err(err, errcap, "no options or no directory");
	if (o->n_clients < 0 || o->n_loans < 0 || o->n_invoices < 0)
		return set_err(err, errcap, "counts must not be negative");
	if (o->n_loans > 999999999L || o->n_clients > 999999999L || o->n_invoices > 999999999L)
		return set_err(err, errcap, "counts above 999,999,999 are not supported");
	if (o->n_loans > 0 && o->n_clients == 0)
		return set_err(err, errcap, "loans need at least one client");
	if (!o->bench && o->n_invoices > 0 && o->n_clients == 0)
		return set_err(err, errcap, "invoices need at least one client");
	if (!o->bench && (o->n_loans + 2) / 3 > o->n_clients)
		return set_err(err, errcap,
		               "demo mode gives each client at most 3 loans: %ld loans need %ld clients",
		               o->n_loans, (o->n_loans + 2) / 3);
	if (o->as_of < (civil_day)(DATE_MIN + 2 * DATE_WINDOW) ||
	    o->as_of > (civil_day)(DATE_MAX - 2 * DATE_WINDOW))
		return set_err(err, errcap, "as_of out of range");
	return 0;
}

int gen_portfolio(const gen_options *o, const char *dir, gen_counts *counts, char *err, size_t errcap)
{
	if (counts != NULL) memset(counts, 0, sizeof *counts);
	if (err != NULL && errcap > 0) err[0] = '\0';
	if (validate(o, dir, err, errcap) != 0) return -1;

	gen g;
	memset(&g, 0, sizeof g);
	g.o = o;
	const currency_info *xof = currency_find("XOF", 3), *eur = currency_find("EUR", 3);
	if (xof == NULL || eur == NULL)
		return set_err(err, errcap, "XOF or EUR missing from the currency table");
	g.exp_xof = xof->exponent;
	g.exp_eur = eur->exponent;

	int rc = 0;
	g.dlo = o->as_of - DATE_WINDOW;
	g.dhi = o->as_of + DATE_WINDOW;
	g.dates = malloc((size_t)(g.dhi - g.dlo + 1) * 10 + 16);
	if (g.dates == NULL) {
		rc = set_err(err, errcap, "out of memory");
		goto out;
	}
	for (civil_day d = g.dlo; d <= g.dhi; d++) {
		char tmp[16];
		date_format(d, tmp, sizeof tmp);
		memcpy(g.dates + (size_t)(d - g.dlo) * 10, tmp, 10);
	}

	for (int i = 0; i < F_N; i++) {
		char path[4096];
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, FILE_NAME[i]) >= sizeof path) {
			rc = set_err(err, errcap, "directory name too long");
			goto out;
		}
		g.w[i].buf = malloc(WBUF_CAP);
		if (g.w[i].buf == NULL) {
			rc = set_err(err, errcap, "out of memory");
			goto out;
		}
		g.w[i].f = fopen(path, "wb");
		if (g.w[i].f == NULL) {
			rc = set_err(err, errcap, "cannot create %s: %s", path, strerror(errno));
			goto out;
		}
		char *p = wb_row(&g.w[i]);
		wb_end(&g.w[i], put_str(p, FILE_HEADER[i]));
	}

	for (long c = 0; c < o->n_clients; c++)
		write_client(&g, c);
	if (o->bench) {
		rc = bench_loans(&g, err, errcap);
	} else {
		rc = demo_loans(&g, err, errcap);
		for (long i = 0; rc == 0 && i < o->n_invoices; i++)
			demo_invoice(&g, i);
	}

out:
	for (int i = 0; i < F_N; i++) {
		wbuf *w = &g.w[i];
		if (w->f != NULL) {
			wb_flush(w);
			errno = 0;
			if (fclose(w->f) != 0 && !w->failed) w->failed = errno ? errno : EIO;
			if (w->failed && rc == 0)
				rc = set_err(err, errcap, "cannot write %s/%s: %s", dir, FILE_NAME[i],
				             strerror(w->failed));
		}
		free(w->buf);
	}
	free(g.dates);
	if (rc == 0 && counts != NULL) *counts = g.c;
	return rc;
}

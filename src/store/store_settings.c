/* store_settings.c: store module "settings" (store_settings.h): table setting, one row per key. */
#include "store/store_settings.h"

#include <stdio.h>
#include <string.h>

#include "core/template.h"
#include "store/store_impl.h"
#include "store/store_query.h"

static const char *const V1_SQLITE[] = {"CREATE TABLE setting ("
                                        " key TEXT PRIMARY KEY,"
                                        " value TEXT NOT NULL,"
                                        " updated_on INTEGER NOT NULL,"
                                        " updated_by TEXT NOT NULL)",
                                        NULL};

static const char *const V1_PG[] = {"CREATE TABLE setting ("
                                    " key text COLLATE \"C\" PRIMARY KEY,"
                                    " value text NOT NULL,"
                                    " updated_on integer NOT NULL,"
                                    " updated_by text NOT NULL)",
                                    NULL};

static const char *const *settings_migration(int version, int pg)
{
	if (version == 1) return pg ? V1_PG : V1_SQLITE;
	return NULL;
}

const store_module store_module_settings = {"settings", 1, settings_migration};

const store_setting_known store_settings_known[] = {
    {"institution_name", NULL, "the institution's name, as messages sign"},
    {"institution_phone", NULL, "the phone number messages give"},
    {"institution_email", NULL, "the institution's email address"},
    {"institution_address", NULL, "the postal address letters give (may span lines)"},
    {"default_language", "fr", "fr or en: for clients without a language, and the fallback template"},
    {"late_interest_rate", NULL, "B2B late-payment interest rate in percent (12.15), C. com. L441-10"},
    {"recovery_indemnity", "40.00 EUR", "B2B fixed recovery indemnity, AMOUNT CURRENCY, C. com. D441-5"},
    {"policy_approval", "no", "yes: vigie run refuses a policy (name and version) without an approved policy-change request"},
    {NULL, NULL, NULL},
};

const store_setting_known *store_setting_find_known(const char *key)
{
	for (const store_setting_known *k = store_settings_known; k->key; k++)
		if (strcmp(k->key, key) == 0) return k;
	return NULL;
}

static int key_ok(const char *key)
{
	size_t n = strlen(key);
	if (n == 0 || n >= STORE_SETTING_KEY_MAX) return 0;
	for (const char *p = key; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
		      *p == '-'))
			return 0;
	return 1;
}

int store_setting_check(const char *key, const char *value, char *err, size_t cap)
{
	if (!key_ok(key)) {
		snprintf(err, cap, "key: expected 1 to 63 of a-z 0-9 _ . -, found \"%.80s\"", key);
		return -1;
	}
	size_t len = strlen(value);
	if (len >= STORE_SETTING_VALUE_MAX) {
		snprintf(err, cap, "%s: expected at most %d bytes, found %zu", key,
		         STORE_SETTING_VALUE_MAX - 1, len);
		return -1;
	}
	sms_info si;
	if (tpl_sms_measure(value, len, &si) != TPL_OK) {
		snprintf(err, cap, "%s: expected UTF-8 text, found invalid bytes", key);
		return -1;
	}
	int lf_ok = strcmp(key, "institution_address") == 0;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if ((*p < 0x20 && !(*p == '\n' && lf_ok)) || *p == 0x7f) {
			snprintf(err, cap, "%s: expected text without control characters, found byte 0x%02x",
			         key, *p);
			return -1;
		}
	tpl_values v;
	tpl_values_init(&v);
	char why[256] = "";
	if (strcmp(key, "default_language") == 0 && tpl_lang_parse(value) < 0) {
		snprintf(err, cap, "%s: expected fr or en, found \"%.80s\"", key, value);
		return -1;
	}
	if (strcmp(key, "late_interest_rate") == 0 &&
	    tpl_val_parse(&v, TPL_INTEREST_RATE, value, NULL, why, sizeof why) != TPL_OK) {
		snprintf(err, cap, "%s: expected a rate in percent such as 12.15, found \"%.80s\" (%s)", key,
		         value, why);
		return -1;
	}
	if (strcmp(key, "recovery_indemnity") == 0) {
		const char *sp = strrchr(value, ' ');
		char amount[64];
		if (!sp || (size_t)(sp - value) >= sizeof amount ||
		    (memcpy(amount, value, (size_t)(sp - value)), amount[sp - value] = '\0',
		     tpl_val_parse(&v, TPL_INDEMNITY, amount, sp + 1, why, sizeof why) != TPL_OK)) {
			snprintf(err, cap,
			         "%s: expected AMOUNT CURRENCY such as \"40.00 EUR\", found \"%.80s\"%s%s%s",
			         key, value, why[0] ? " (" : "", why, why[0] ? ")" : "");
			return -1;
		}
	}
	if (strcmp(key, "policy_approval") == 0 && strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
		snprintf(err, cap, "%s: expected yes or no, found \"%.80s\"", key, value);
		return -1;
	}
	if (strcmp(key, "institution_email") == 0) {
		const char *at = strchr(value, '@');
		if (!at || at == value || !at[1] || strchr(value, ' ')) {
			snprintf(err, cap, "%s: expected an address NAME@DOMAIN, found \"%.80s\"", key,
			         value);
			return -1;
		}
	}
	return 0;
}

#define SETTING_COLS "key, value, updated_on, updated_by"
static const store_sql2 SQL_GET = {"SELECT " SETTING_COLS " FROM setting WHERE key = $1", NULL};
static const store_sql2 SQL_EACH = {"SELECT " SETTING_COLS " FROM setting ORDER BY key", NULL};
static const store_sql2 SQL_INSERT = {"INSERT INTO setting (" SETTING_COLS ") VALUES ($1, $2, $3, $4)", NULL};
static const store_sql2 SQL_UPDATE = {
    "UPDATE setting SET value = $2, updated_on = $3, updated_by = $4 WHERE key = $1", NULL};

static void read_setting(store_q *q, store_setting *st)
{
	memset(st, 0, sizeof *st);
	store_q_col_copy(q, 0, st->key, sizeof st->key);
	store_q_col_copy(q, 1, st->value, sizeof st->value);
	st->updated_on = store_q_col_day(q, 2);
	store_q_col_copy(q, 3, st->updated_by, sizeof st->updated_by);
}

store_rc store_setting_get(store *s, const char *key, store_setting *out)
{
	store_q *q = store_q_open(s, &SQL_GET);
	if (!q) return STORE_ERR;
	store_q_text(q, 1, key);
	int r = store_q_step(q);
	if (r > 0) read_setting(q, out);
	store_rc rc = store_q_close(q);
	if (rc != STORE_OK) return rc;
	return r > 0 ? STORE_OK : STORE_NOT_FOUND;
}

store_rc store_setting_get_or(store *s, const char *key, const char *def, char *buf, size_t cap)
{
	store_setting st;
	store_rc rc = store_setting_get(s, key, &st);
	if (rc == STORE_ERR) return rc;
	const store_setting_known *k = store_setting_find_known(key);
	const char *v = rc == STORE_OK ? st.value : k && k->default_value ? k->default_value : def ? def : "";
	snprintf(buf, cap, "%s", v);
	return STORE_OK;
}

store_rc store_setting_set(store *s, const char *key, const char *value, civil_day on, const char *by,
                           store_put *res)
{
	char err[512];
	if (store_setting_check(key, value, err, sizeof err)) return store_fail(s, "%s", err);
	store_setting old;
	store_rc rc = store_setting_get(s, key, &old);
	if (rc == STORE_ERR) return rc;
	if (rc == STORE_OK && strcmp(old.value, value) == 0) {
		if (res) *res = PUT_UNCHANGED;
		return STORE_OK;
	}
	int existed = rc == STORE_OK;
	rc = store_q_exec_tx(s, existed ? &SQL_UPDATE : &SQL_INSERT, NULL, "ttdt", key, value, on,
	                     by ? by : "");
	if (rc == STORE_OK && res) *res = existed ? PUT_UPDATED : PUT_INSERTED;
	return rc;
}

store_rc store_settings_each(store *s, store_setting_fn fn, void *ctx)
{
	store_q *q = store_q_open(s, &SQL_EACH);
	if (!q) return STORE_ERR;
	store_setting st;
	while (store_q_step(q) > 0) {
		read_setting(q, &st);
		if (fn(ctx, &st)) break;
	}
	return store_q_close(q);
}

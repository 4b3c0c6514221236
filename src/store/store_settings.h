/* store_settings.h: the institution's settings (store module "settings"): one text value per key,
 * with the day and the user of its last change. Known keys (store_settings_known) are checked and
 * documented; other keys are free, for the modules that need a switch of their own (limit_mode...):
 * a key is 1 to 63 bytes of a-z, 0-9, '_', '.' and '-'.
 * Promises: a value is valid UTF-8 without control characters (institution_address may hold LF), at
 * most STORE_SETTING_VALUE_MAX - 1 bytes; store_setting_set writes inside the caller's transaction
 * (the CLI appends the audit entry in the same one); reads of a key never set give STORE_NOT_FOUND
 * (store_setting_get_or gives the known default instead). */
#ifndef VIGIE_STORE_SETTINGS_H
#define VIGIE_STORE_SETTINGS_H
#include "store/store.h"

#define STORE_SETTING_KEY_MAX   64
#define STORE_SETTING_VALUE_MAX 1024

typedef struct {
	char key[STORE_SETTING_KEY_MAX];
	char value[STORE_SETTING_VALUE_MAX];
	civil_day updated_on;
	char updated_by[STORE_ID_MAX];
} store_setting;

typedef struct {
	const char *key;
	const char *default_value; /* NULL: none */
	const char *help;
} store_setting_known;
/* NULL-ended: institution_name, institution_phone, institution_email, institution_address,
 * default_language, late_interest_rate, recovery_indemnity. */
extern const store_setting_known store_settings_known[];
const store_setting_known *store_setting_find_known(const char *key);

/* 0 when key and value may be stored; else -1 with "KEY: expected ..., found ..." in err. */
int store_setting_check(const char *key, const char *value, char *err, size_t cap);

/* Fills *out (STORE_NOT_FOUND when the key was never set). */
store_rc store_setting_get(store *s, const char *key, store_setting *out);
/* The value, or the known default, or def when neither; copied into buf. STORE_OK or STORE_ERR. */
store_rc store_setting_get_or(store *s, const char *key, const char *def, char *buf, size_t cap);
/* Inserts or updates, inside a transaction; STORE_ERR with store_setting_check's text when refused.
 * *res: PUT_INSERTED, PUT_UPDATED, or PUT_UNCHANGED (same value: nothing written). */
store_rc store_setting_set(store *s, const char *key, const char *value, civil_day on, const char *by,
                           store_put *res);
typedef int (*store_setting_fn)(void *ctx, const store_setting *st);
store_rc store_settings_each(store *s, store_setting_fn fn, void *ctx); /* by key */

#endif

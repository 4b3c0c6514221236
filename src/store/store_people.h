/* store_people.h: users of Vigie (store module "people"): name, role, branch, contact, argon2id
 * password hash, active flag. Accounts are assigned to officers by account.officer = user name.
 * Passwords never reach the store in clear: callers pass the hash (see core/password.h). */
#ifndef VIGIE_STORE_PEOPLE_H
#define VIGIE_STORE_PEOPLE_H
#include "core/access.h"
#include "store/store.h"

#define STORE_HASH_MAX 256

typedef struct {
	int64_t id; /* set by the store */
	char name[STORE_ID_MAX];      /* login, unique; the officer name on accounts */
	char display[STORE_NAME_MAX]; /* full name */
	access_role role;
	char branch[STORE_ID_MAX]; /* "" = every branch */
	char phone[STORE_ID_MAX];
	char email[STORE_NAME_MAX];
	char language[8]; /* "fr", "en" */
	int active;
} store_user;

/* Inserts or updates (by name) inside a transaction. password_hash NULL keeps the stored hash (an
 * update) or stores none (a new user who cannot log in yet). */
store_rc store_user_put(store *s, const store_user *u, const char *password_hash, store_put *res);
store_rc store_user_get(store *s, const char *name, store_user *out); /* STORE_NOT_FOUND */
/* The stored hash ("" when none). STORE_NOT_FOUND for an unknown user. */
store_rc store_user_password_hash(store *s, const char *name, char *hash, size_t cap);
typedef int (*store_user_fn)(void *ctx, const store_user *u);
store_rc store_users_each(store *s, store_user_fn fn, void *ctx); /* by name */
store_rc store_user_count(store *s, int64_t *n);
/* Reassigns an account to an officer (a user name), inside a transaction. */
store_rc store_account_assign(store *s, int64_t account_id, const char *officer);

#endif

/* cmd_work.h: what the work commands share (task, promises, alerts, approvals, requests, holds):
 * parsing with --help, opening the store, the acting user (--as), access checks, look-up failures,
 * the audit entry of each write, and output helpers. The user and audit commands use the parsing,
 * opening and listing helpers too. */
#ifndef VIGIE_CMD_WORK_H
#define VIGIE_CMD_WORK_H
#include "cli/cli.h"
#include "core/access.h"
#include "io/json_out.h"
#include "store/store_people.h"
#include "store/store_work.h"

typedef struct {
	store_user u;
	access_user a; /* points into u */
} work_actor;

/* cli_parse, then -h/--help prints help_text: -1 when the command goes on, else the exit code to
 * return at once (EXIT_USAGE after a usage error, EXIT_OK after the help). */
int work_parse(const cli_env *e, const char *cmd, int argc, char **argv, const cli_opt *opts, const char **pos,
               int max_pos, int *n, const char *help_text);
/* Opens the store and checks that the modules m1 and m2 (NULL: none) are there; else prints
 * "vigie CMD: the store has no LACK: run vigie init" and returns NULL (NULL too when it cannot open). */
store *work_open_modules(const cli_env *e, const char *cmd, const char *m1, const char *m2, const char *lack);
/* Opens the store and checks that the modules work and people are there; NULL after printing why. */
store *work_open(const cli_env *e, const char *cmd);
/* The ID and --on DATE of a command on one object: n must be 1 (else "expected one WHAT" and
 * EXIT_USAGE), pos[0] a positive id (else EXIT_BAD_INPUT), on a date (else EXIT_USAGE). 0 or that
 * exit code, after printing why. */
int work_id_on(const cli_env *e, const char *cmd, int n, const char *const *pos, const char *what, const char *on,
               int64_t *id, civil_day *day);
/* A failed look-up: STORE_NOT_FOUND prints "vigie CMD: " and the formatted message and returns
 * EXIT_NOT_FOUND; any other result is work_fail's. */
int work_lookup_fail(const cli_env *e, const char *cmd, store *s, store_rc sr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The acting user (--as NAME, else $VIGIE_USER: cli_actor) into w: 0, or an exit code after printing why. */
int work_actor_load(const cli_env *e, store *s, const char *cmd, const char *name, work_actor *w);
/* 0 when w may do `act` on an account of branch/officer, else prints why and returns EXIT_BAD_INPUT. */
int work_allow(const cli_env *e, const char *cmd, const work_actor *w, access_action act, const char *branch,
               const char *officer);
/* Appends the audit entry of a write (inside the transaction). details: a JSON object text. */
store_rc work_audit(store *s, civil_day day, const char *actor, const char *action, const char *object,
                    const char *details);
/* Writes a JSON object of text values into buf from kv: key, value, key, value, ..., NULL (a NULL
 * key ends it). Cut to {"truncated":true} when it does not fit. */
void work_details(char *buf, size_t cap, const char *const *kv);
/* Maps a store result to an exit code after printing the store's message. */
int work_fail(const cli_env *e, const char *cmd, store *s, store_rc rc);
/* A positive integer id: 0, or -1 after printing "FIELD: expected ..., found ...". */
int work_id(const cli_env *e, const char *cmd, const char *field, const char *v, int64_t *out);
/* A text option of at most cap-1 bytes: 0, or -1 after printing why. required: missing is an error. */
int work_text(const cli_env *e, const char *cmd, const char *field, const char *v, size_t cap, int required);
/* An amount in the currency's decimals: 0, or -1 after printing why. */
int work_amount_parse(const cli_env *e, const char *cmd, const char *field, const char *v,
                      const char *currency, int64_t *out);
void work_amount_text(int64_t minor, const char *currency, char *buf, size_t cap);
/* --format table|json: 0 table, 1 json, -1 after printing why. */
int work_format(const cli_env *e, const char *cmd, const char *v);
/* 1 when w (NULL = no --as: everything) may see an account of branch/officer. */
int work_sees(const work_actor *w, const char *branch, const char *officer);
/* A listing's JSON frame: {"KEY": [ rows ], "count": N}; count < 0 leaves the count out. */
void work_json_list_begin(json_out *j, FILE *out, int pretty, const char *key);
void work_json_list_end(json_out *j, int count);
/* The end of a work listing: fmt 1, the JSON frame closed with its count; else the line "N NOUN". */
void work_list_end(const cli_env *e, int fmt, json_out *j, int shown, const char *noun);

/* The commands themselves are declared in cli/cli.h (dispatched from vigie.c). */

#endif

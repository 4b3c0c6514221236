/* cmd_work.h: what the work commands share (task, promises, alerts, approvals, requests, holds):
 * the acting user (--as), access checks, the audit entry of each write, and output helpers. */
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

/* Opens the store and checks that the module work is there; NULL after printing why. */
store *work_open(const cli_env *e, const char *cmd);
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

/* The commands (dispatched from vigie.c) */
int cmd_task(const cli_env *e, int argc, char **argv);
int cmd_promises(const cli_env *e, int argc, char **argv);
int cmd_alerts(const cli_env *e, int argc, char **argv);
int cmd_alert(const cli_env *e, int argc, char **argv);
int cmd_approvals(const cli_env *e, int argc, char **argv);
int cmd_approve(const cli_env *e, int argc, char **argv);
int cmd_reject(const cli_env *e, int argc, char **argv);
int cmd_request(const cli_env *e, int argc, char **argv);
int cmd_hold(const cli_env *e, int argc, char **argv);
int cmd_holds(const cli_env *e, int argc, char **argv);

#endif

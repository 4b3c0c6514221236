/* access.c: the role x action table and the visibility rules of access.h (docs/security.md). Pure. */
#include "core/access.h"

#include <string.h>

static const char *const ROLE_NAMES[ROLE_N] = {"agent", "supervisor", "manager", "admin", "auditor"};

static const char *const ACTION_NAMES[ACT_N] = {
    "read",  "task_outcome", "alert_ack", "request", "approve", "hold",  "assign",
    "limit", "policy",       "import",    "run",     "users",   "audit",
};

/* What each role may do at all; where, is access_can_see's business. One row per role, one column
 * per action, in the order of access_action. Kept as a literal table so docs/security.md can show
 * it as it is (and test_access.c checks every cell). */
static const unsigned char CAN[ROLE_N][ACT_N] = {
    /*              read outc ack  req  appr hold asgn lim  pol  imp  run  usr  aud */
    [ROLE_AGENT] = {1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    [ROLE_SUPERVISOR] = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0},
    [ROLE_MANAGER] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
    [ROLE_ADMIN] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1},
    [ROLE_AUDITOR] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
};

static int valid_role(const access_user *u)
{
	return u && (int)u->role >= 0 && u->role < ROLE_N;
}

static int nonempty(const char *s)
{
	return s && *s;
}

/* The user is bound to no branch, or to this one. */
static int in_branch(const access_user *u, const char *branch)
{
	if (!nonempty(u->branch)) return 1;
	return branch && strcmp(u->branch, branch) == 0;
}

int access_can_see(const access_user *u, const char *branch, const char *officer)
{
	if (!valid_role(u)) return 0;
	switch (u->role) {
	case ROLE_AGENT:
		/* an agent sees only what is assigned to them by name, in their branch */
		return nonempty(u->name) && officer && strcmp(u->name, officer) == 0 && in_branch(u, branch);
	case ROLE_SUPERVISOR:
		return in_branch(u, branch);
	case ROLE_MANAGER:
	case ROLE_ADMIN:
	case ROLE_AUDITOR:
		return 1;
	default:
		return 0;
	}
}

int access_can(const access_user *u, access_action a)
{
	if (!valid_role(u) || (int)a < 0 || a >= ACT_N) return 0;
	return CAN[u->role][a];
}

int access_can_check(const access_user *u, const char *maker, const char *branch)
{
	if (!access_can(u, ACT_APPROVE)) return 0;
	/* four eyes: a request without a known maker cannot prove two people saw it */
	if (!nonempty(maker) || !nonempty(u->name) || strcmp(maker, u->name) == 0) return 0;
	/* the checker must see the branch as a whole, not only accounts assigned to them */
	if (u->role == ROLE_SUPERVISOR) return in_branch(u, branch);
	return 1;
}

const char *access_role_name(access_role r)
{
	return (int)r >= 0 && r < ROLE_N ? ROLE_NAMES[r] : "?";
}

int access_role_parse(const char *s)
{
	for (int i = 0; s && i < ROLE_N; i++)
		if (strcmp(s, ROLE_NAMES[i]) == 0) return i;
	return -1;
}

const char *access_action_name(access_action a)
{
	return (int)a >= 0 && a < ACT_N ? ACTION_NAMES[a] : "?";
}

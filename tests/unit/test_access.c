/* test_access.c: every cell of the role x action table, the visibility rules (branch, officer) and
 * the four-eyes check of core/access.h, as tables of cases. */
#include "core/access.h"
#include "t.h"

/* Written out again here from docs/security.md (not derived from access.c's table). */
static const struct {
	access_role role;
	const char *can; /* the actions the role may do, by name; every other one is refused */
} ROLE_CAN[] = {
    {ROLE_AGENT, " read task_outcome request "},
    {ROLE_SUPERVISOR, " read task_outcome alert_ack request approve hold assign "},
    {ROLE_MANAGER, " read task_outcome alert_ack request approve hold assign limit policy "},
    {ROLE_ADMIN, " read import run users audit "},
    {ROLE_AUDITOR, " read audit "},
};

static void test_table(void)
{
	int cells = 0;
	for (size_t i = 0; i < sizeof ROLE_CAN / sizeof ROLE_CAN[0]; i++) {
		access_user u = {"someone", ROLE_CAN[i].role, ""};
		for (int a = 0; a < ACT_N; a++) {
			char word[40];
			snprintf(word, sizeof word, " %s ", access_action_name((access_action)a));
			int want = strstr(ROLE_CAN[i].can, word) != NULL;
			T_OK(access_can(&u, (access_action)a) == want, "%s may%s: want %d",
			     access_role_name(u.role), word, want);
			cells++;
		}
	}
	T_EQ_INT(cells, ROLE_N * ACT_N, "every cell checked");
	access_user bad = {"x", ROLE_N, ""};
	T_EQ_INT(access_can(&bad, ACT_READ), 0, "an unknown role may do nothing");
	access_user adm = {"x", ROLE_ADMIN, ""};
	T_EQ_INT(access_can(&adm, ACT_N), 0, "an unknown action is refused");
	T_EQ_INT(access_can(NULL, ACT_READ), 0, "no user");
	/* no action name is "?" and names are distinct */
	for (int a = 0; a < ACT_N; a++)
		for (int b = a + 1; b < ACT_N; b++)
			T_OK(strcmp(access_action_name((access_action)a),
			            access_action_name((access_action)b)) != 0,
			     "action names %d and %d differ", a, b);
}

static void test_roles(void)
{
	static const char *const names[] = {"agent", "supervisor", "manager", "admin", "auditor"};
	for (int r = 0; r < ROLE_N; r++) {
		T_EQ_STR(access_role_name((access_role)r), names[r], "role name");
		T_OK(access_role_parse(names[r]) == r, "role parse %s", names[r]);
	}
	T_EQ_INT(access_role_parse("Admin"), -1, "case matters");
	T_EQ_INT(access_role_parse(""), -1, "empty");
	T_EQ_INT(access_role_parse(NULL), -1, "NULL");
	T_EQ_INT(access_role_parse("root"), -1, "unknown");
	T_EQ_STR(access_role_name(ROLE_N), "?", "out of range");
}

static void test_see(void)
{
	static const struct {
		const char *name;
		access_role role;
		const char *ubranch;
		const char *branch, *officer;
		int want;
	} C[] = {
	    /* agent: their branch and assigned to them, both */
	    {"awa", ROLE_AGENT, "Dakar", "Dakar", "awa", 1},
	    {"awa", ROLE_AGENT, "Dakar", "Dakar", "moussa", 0},
	    {"awa", ROLE_AGENT, "Dakar", "Thies", "awa", 0},
	    {"awa", ROLE_AGENT, "Dakar", "Dakar", "", 0},
	    {"awa", ROLE_AGENT, "Dakar", "Dakar", NULL, 0},
	    {"awa", ROLE_AGENT, "Dakar", NULL, "awa", 0},
	    {"awa", ROLE_AGENT, "Dakar", "Dakar", "Awa", 0}, /* names compare byte for byte */
	    {"awa", ROLE_AGENT, "Dakar", "dakar", "awa", 0},
	    {"awa", ROLE_AGENT, "", "Thies", "awa", 1}, /* not bound to a branch */
	    {"awa", ROLE_AGENT, "", "Thies", "moussa", 0},
	    {"", ROLE_AGENT, "Dakar", "Dakar", "", 0}, /* a nameless agent sees nothing unassigned */
	    /* supervisor: every account of their branch */
	    {"sy", ROLE_SUPERVISOR, "Dakar", "Dakar", "awa", 1},
	    {"sy", ROLE_SUPERVISOR, "Dakar", "Dakar", "", 1},
	    {"sy", ROLE_SUPERVISOR, "Dakar", "Thies", "awa", 0},
	    {"sy", ROLE_SUPERVISOR, "Dakar", "", "awa", 0},
	    {"sy", ROLE_SUPERVISOR, "Dakar", NULL, NULL, 0},
	    {"sy", ROLE_SUPERVISOR, "", "Thies", "awa", 1},
	    /* manager, admin, auditor: everything, their branch notwithstanding */
	    {"mg", ROLE_MANAGER, "", "Thies", "awa", 1},
	    {"mg", ROLE_MANAGER, "Dakar", "Thies", "awa", 1},
	    {"ad", ROLE_ADMIN, "", "Thies", "", 1},
	    {"ad", ROLE_ADMIN, "Dakar", "Thies", NULL, 1},
	    {"au", ROLE_AUDITOR, "", "", "", 1},
	    {"au", ROLE_AUDITOR, "Dakar", "Thies", "awa", 1},
	    /* an unknown role sees nothing */
	    {"xx", ROLE_N, "", "Dakar", "xx", 0},
	};
	for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
		access_user u = {C[i].name, C[i].role, C[i].ubranch};
		T_OK(access_can_see(&u, C[i].branch, C[i].officer) == C[i].want,
		     "case %zu: %s of %s sees %s/%s", i, access_role_name(C[i].role), C[i].ubranch,
		     C[i].branch ? C[i].branch : "(null)", C[i].officer ? C[i].officer : "(null)");
	}
	T_EQ_INT(access_can_see(NULL, "Dakar", "awa"), 0, "no user");
}

static void test_check(void)
{
	static const struct {
		const char *name;
		access_role role;
		const char *ubranch;
		const char *maker, *branch;
		int want;
	} C[] = {
	    {"sy", ROLE_SUPERVISOR, "Dakar", "awa", "Dakar", 1},
	    {"sy", ROLE_SUPERVISOR, "Dakar", "sy", "Dakar", 0},  /* maker != checker */
	    {"sy", ROLE_SUPERVISOR, "Dakar", "awa", "Thies", 0}, /* not their branch */
	    {"sy", ROLE_SUPERVISOR, "", "awa", "Thies", 1},
	    {"sy", ROLE_SUPERVISOR, "Dakar", "", "Dakar", 0}, /* no maker: no four eyes */
	    {"sy", ROLE_SUPERVISOR, "Dakar", NULL, "Dakar", 0},
	    {"sy", ROLE_SUPERVISOR, "Dakar", "system", "Dakar", 1}, /* the daily run's requests */
	    {"sy", ROLE_SUPERVISOR, "Dakar", "SY", "Dakar", 1},     /* another user (names are exact) */
	    {"mg", ROLE_MANAGER, "", "sy", "Thies", 1},
	    {"mg", ROLE_MANAGER, "Dakar", "sy", "Thies", 1},
	    {"mg", ROLE_MANAGER, "", "mg", "Thies", 0},
	    {"awa", ROLE_AGENT, "Dakar", "moussa", "Dakar", 0}, /* agents never check */
	    {"ad", ROLE_ADMIN, "", "awa", "Dakar", 0},          /* nor admins */
	    {"au", ROLE_AUDITOR, "", "awa", "Dakar", 0},        /* nor auditors */
	    {"", ROLE_MANAGER, "", "awa", "Dakar", 0},          /* a nameless checker */
	};
	for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
		access_user u = {C[i].name, C[i].role, C[i].ubranch};
		T_OK(access_can_check(&u, C[i].maker, C[i].branch) == C[i].want,
		     "case %zu: %s checks %s's request", i, C[i].name, C[i].maker ? C[i].maker : "(null)");
	}
}

int main(void)
{
	test_table();
	test_roles();
	test_see();
	test_check();
	return t_done("test_access");
}

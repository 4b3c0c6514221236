/* access.h: who may see and do what (roles and branches). Pure: no I/O; the CLI and, later, the HTTP
 * API ask it before every read of an account and every action. docs/security.md.
 *
 * Roles (issue 3, "People and tasks"):
 *   agent       a loan officer or collector: sees the accounts of their branch assigned to them
 *               (account.officer = user name); records task outcomes, promises; requests approvals.
 *   supervisor  sees every account of their branch; acknowledges alerts and escalations, approves or
 *               rejects requests (never their own: maker != checker), manages holds, reassigns.
 *   manager     sees every branch; everything a supervisor does, on every branch; sets credit limits
 *               (with four-eyes), approves policy changes.
 *   admin       manages users, imports and runs; sees everything.
 *   auditor     reads everything, the audit log included; changes nothing.
 * A user whose branch is "" is not bound to a branch (managers, admins and auditors usually). */
#ifndef VIGIE_ACCESS_H
#define VIGIE_ACCESS_H

typedef enum { ROLE_AGENT = 0, ROLE_SUPERVISOR, ROLE_MANAGER, ROLE_ADMIN, ROLE_AUDITOR, ROLE_N } access_role;

typedef enum {
	ACT_READ = 0,       /* see accounts, tasks, timelines (subject to access_can_see) */
	ACT_TASK_OUTCOME,   /* record a task's outcome, a promise to pay */
	ACT_ALERT_ACK,      /* acknowledge an alert or an escalation */
	ACT_REQUEST,        /* ask for an approval (rescheduling, write-off, fee waiver, limit, policy) */
	ACT_APPROVE,        /* approve or reject someone else's request */
	ACT_HOLD,           /* exclusions from collection, delinquency pauses */
	ACT_ASSIGN,         /* assign accounts to officers */
	ACT_LIMIT,          /* request a credit-limit change (approved by another) */
	ACT_POLICY,         /* request a policy change */
	ACT_IMPORT,         /* imports, payments, reversals */
	ACT_RUN,            /* the daily run */
	ACT_USERS,          /* create, change and disable users */
	ACT_AUDIT,          /* read the audit log */
	ACT_N
} access_action;

typedef struct {
	const char *name;
	access_role role;
	const char *branch; /* "" = every branch */
} access_user;

/* 1 when the user may see an account of that branch assigned to that officer. */
int access_can_see(const access_user *u, const char *branch, const char *officer);
/* 1 when the role allows the action at all (the branch is checked with access_can_see). */
int access_can(const access_user *u, access_action a);
/* 1 when the user may check (approve or reject) a request made by `maker` on an account of `branch`:
 * the role allows ACT_APPROVE, the user sees the branch, and the user is not the maker. */
int access_can_check(const access_user *u, const char *maker, const char *branch);

const char *access_role_name(access_role r);
int access_role_parse(const char *s); /* -1 when unknown */
const char *access_action_name(access_action a);

#endif

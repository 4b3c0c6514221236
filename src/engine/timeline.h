/* timeline.h: an account's full timeline as of a day, in date order: every decision of the daily run
 * (with its id and status), every message rendered for it, every payment and reversal, every change
 * of PAR bucket, task outcomes, promises to pay (and whether they were kept or broken), alerts and
 * their acknowledgement, approval requests and decisions, holds and their end, the write-off. One
 * list read from the store's modules; the CLI prints it (`vigie account timeline ID`). Within a day
 * the order is: payments, bucket changes, decisions, messages, then what people did. */
#ifndef VIGIE_TIMELINE_H
#define VIGIE_TIMELINE_H
#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

typedef struct {
	civil_day day;
	int order;          /* position within the day (see above), then seq */
	int64_t seq;        /* insertion order */
	char kind[16];      /* payment, reversal, bucket, decision, message, outcome, promise, alert,
	                       alert_ack, request, approval, rejection, hold, hold_end, write_off */
	char ref[32];       /* decision id, payment id, alert id, request id, hold id ... */
	char what[96];      /* the step and action, the bucket, the outcome ... */
	char detail[256];   /* amounts, channels, assignee, reason ... */
	char status[24];    /* the decision's or message's status, kept/broken, ... */
	char actor[64];     /* who did it ("" for the run) */
} timeline_event;

typedef struct {
	timeline_event *ev;
	size_t n, cap;
} timeline;

/* Fills t (emptied first) with what happened to the account up to `to` (DATE_NONE: everything).
 * 0, or -1 with err. */
int timeline_build(store *s, const store_account *a, civil_day to, timeline *t, char *err, size_t errcap);
void timeline_free(timeline *t);

#endif

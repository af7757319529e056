/*
 * The follow-up plan of a registration (seed 001 §二(二)): the service intent chosen on the
 * form (服务需求: a job, training, starting a business, unemployment insurance, not sure
 * yet) names what the hall does next, and by when — within FOLLOWUP_WORKING_DAYS working
 * days of registering (the Level I help and its "131" service). Only the plan's names and
 * its date are here; its words are the strings' ("done.plan.<name>", "receipt.plan.<name>").
 * No I/O; any thread.
 */
#ifndef KIOSK_FOLLOWUP_H
#define KIOSK_FOLLOWUP_H

#include "core/kiosk_clock.h"

/* Seed 001: the Level I help reaches every registered citizen within 5 working days. */
#define FOLLOWUP_WORKING_DAYS 5

typedef enum followup_intent {
    FOLLOWUP_JOB = 0,   /* service code 1 找工作: the "131" service */
    FOLLOWUP_TRAINING,  /* 2 参加职业培训 */
    FOLLOWUP_BUSINESS,  /* 3 自主创业 */
    FOLLOWUP_INSURANCE, /* 4 申领失业保险金 */
    FOLLOWUP_UNSURE,    /* 5 还没想好 */
    FOLLOWUP_COUNT
} followup_intent;

/* "job", "training", "business", "insurance", "unsure"; NULL outside the enum. */
const char *followup_intent_name(followup_intent intent);

/* The intent of a service code ("1" … "5"); -1 for another code (6 其他: the hall's
 * general follow-up, no plan of its own) or NULL. */
int followup_intent_of_code(const char *code);

/* The plans of the codes chosen (n codes, borrowed), as bits 1 << followup_intent; 0 when
 * none has a plan of its own — the caller then shows the general "131" plan
 * (FOLLOWUP_JOB) only if it wants one. */
unsigned followup_plans(const char *const *codes, size_t n);

/* The date of the plan: FOLLOWUP_WORKING_DAYS working days after today by the hall's
 * calendar (NULL: weekends only). */
kiosk_date followup_due(kiosk_date today, const kiosk_calendar *cal);

#endif

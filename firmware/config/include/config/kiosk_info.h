/*
 * The hall's Level I information (seed 000, 001, 004): its policies (title, who qualifies,
 * how to apply) and its service agencies at the four levels (city, district, street or
 * township, community or village: name, address, phone, hours), one file per language
 * (assets/info/<lang>.ini, the strings' INI style, what a hall technician edits), and the
 * hall's calendar of public holidays and make-up working days (assets/info/calendar.ini).
 * Parsing is strict: a line that is not understood refuses the whole file, with its line
 * number. Loaded once; read-only afterwards (any thread).
 */
#ifndef KIOSK_INFO_H
#define KIOSK_INFO_H

#include <stddef.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"

#define KIOSK_INFO_ID_MAX 32
#define KIOSK_INFO_POLICIES_MAX 16
#define KIOSK_INFO_AGENCIES_MAX 32
#define KIOSK_INFO_DATES_MAX 64

/* The four levels of seed 000, top down. */
typedef enum kiosk_info_level {
    KIOSK_INFO_CITY = 0,  /* 市 */
    KIOSK_INFO_DISTRICT,  /* 县（市、区） */
    KIOSK_INFO_STREET,    /* 街道（乡镇） */
    KIOSK_INFO_COMMUNITY, /* 社区（村） */
    KIOSK_INFO_LEVEL_COUNT
} kiosk_info_level;

/* "city", "district", "street", "community"; NULL outside the enum. */
const char *kiosk_info_level_name(kiosk_info_level level);

typedef struct kiosk_info_policy {
    char id[KIOSK_INFO_ID_MAX];    /* the section's name after "policy." */
    const char *title, *who, *how; /* borrowed from the kiosk_info */
} kiosk_info_policy;

typedef struct kiosk_info_agency {
    char id[KIOSK_INFO_ID_MAX];
    kiosk_info_level level;
    const char *name, *address, *phone, *hours; /* borrowed from the kiosk_info */
} kiosk_info_agency;

typedef struct kiosk_info kiosk_info;

/* Load <dir>/<lang>.ini:
 *
 *   [policy.<id>]   title = … / who = … / how = …          (all three)
 *   [agency.<id>]   level = city|district|street|community, name, address, phone, hours
 *
 * ids are [a-z0-9_], 1..31 characters, each once; "; " starts a comment line; "\n" in a
 * value is a line break; lines up to KIOSK_INI_LINE_MAX - 1 bytes. Items keep the file's
 * order. On success *out is owned (kiosk_info_destroy); on failure *out is NULL and
 * *bad_line (if not NULL) the first line refused (0: the file could not be read; a
 * section missing a key is refused at its header's line). KIOSK_NOT_FOUND, KIOSK_IO,
 * KIOSK_CORRUPT, KIOSK_NOMEM. */
kiosk_rc kiosk_info_load(const char *dir, const char *lang, kiosk_info **out, int *bad_line);

/* The same from a file by path (tests, fuzzing, kioskctl). */
kiosk_rc kiosk_info_load_file(const char *path, kiosk_info **out, int *bad_line);

void kiosk_info_destroy(kiosk_info *info);

/* Counts, and the i-th item in file order (borrowed; NULL out of range). */
size_t kiosk_info_policy_count(const kiosk_info *info);
const kiosk_info_policy *kiosk_info_policy_at(const kiosk_info *info, size_t i);
size_t kiosk_info_agency_count(const kiosk_info *info);
const kiosk_info_agency *kiosk_info_agency_at(const kiosk_info *info, size_t i);

/* The i-th agency of a level (file order among that level), NULL past the last; and how
 * many that level has. */
const kiosk_info_agency *kiosk_info_agency_of(const kiosk_info *info, kiosk_info_level level,
                                              size_t i);
size_t kiosk_info_agency_count_of(const kiosk_info *info, kiosk_info_level level);

/* The hall's calendar, loaded from a file:
 *
 *   [holidays]  YYYY-MM-DD = name        days off that fall on a weekday
 *   [workdays]  YYYY-MM-DD = name        make-up working days (调休) on a weekend
 *
 * Each date once (a date in both lists is refused), real dates only, up to
 * KIOSK_INFO_DATES_MAX each. cal is the caller's; its lists point into dates (the
 * caller's storage, at least 2 * KIOSK_INFO_DATES_MAX). KIOSK_NOT_FOUND (no file: the
 * caller goes on with weekends only), KIOSK_IO, KIOSK_CORRUPT with *bad_line. */
typedef struct kiosk_info_calendar {
    kiosk_date dates[2 * KIOSK_INFO_DATES_MAX];
    kiosk_calendar cal; /* points into dates */
} kiosk_info_calendar;
kiosk_rc kiosk_info_calendar_load(const char *path, kiosk_info_calendar *out, int *bad_line);

#endif

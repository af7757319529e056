/* libFuzzer target: arbitrary bytes as the hall's policies and agencies
 * (assets/info/<lang>.ini) and as its calendar (assets/info/calendar.ini), both of which a
 * hall edits. Loading must refuse with a line or give lists whose every item has all its
 * texts; never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/kiosk_info.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("fz.ini", data, size);
    kiosk_info *info = (kiosk_info *)1;
    int bad_line = -1;
    kiosk_rc rc = kiosk_info_load(fuzz_scratch(), "fz", &info, &bad_line);
    if (rc != KIOSK_OK) {
        if (info != NULL || (rc == KIOSK_CORRUPT && bad_line <= 0))
            abort();
    } else {
        for (size_t i = 0; i < kiosk_info_policy_count(info); i++) {
            const kiosk_info_policy *p = kiosk_info_policy_at(info, i);
            if (!p->title[0] || !p->who[0] || !p->how[0] || !p->id[0])
                abort();
        }
        size_t by_level = 0;
        for (int l = 0; l < KIOSK_INFO_LEVEL_COUNT; l++)
            for (size_t i = 0; kiosk_info_agency_of(info, (kiosk_info_level)l, i); i++)
                by_level++;
        if (by_level != kiosk_info_agency_count(info))
            abort();
        for (size_t i = 0; i < kiosk_info_agency_count(info); i++) {
            const kiosk_info_agency *a = kiosk_info_agency_at(info, i);
            if (!a->name[0] || !a->address[0] || !a->phone[0] || !a->hours[0] ||
                !kiosk_info_level_name(a->level))
                abort();
        }
        kiosk_info_destroy(info);
    }
    char path[600];
    snprintf(path, sizeof path, "%s/fz.ini", fuzz_scratch());
    kiosk_info_calendar cal;
    rc = kiosk_info_calendar_load(path, &cal, &bad_line);
    if (rc == KIOSK_OK) {
        if (cal.cal.nholidays > KIOSK_INFO_DATES_MAX || cal.cal.nworkdays > KIOSK_INFO_DATES_MAX)
            abort();
        kiosk_date d = kiosk_date_add_working_days_in((kiosk_date){2026, 12, 31}, 5, &cal.cal);
        if (kiosk_date_check(d) != KIOSK_OK)
            abort();
    } else if (rc == KIOSK_CORRUPT && bad_line <= 0) {
        abort();
    }
    return 0;
}

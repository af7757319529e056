/*
 * A record's processing state set by staff: the CSV lines of the provincial system's
 * answer (hub_state.h). Storage is hub_db_state_set, one transaction per line.
 */
#include "hub/hub_state.h"

#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES 256

const char *hub_state_apply_line(hub_db *db, const char *line, const char *actor, int64_t now_ms,
                                 int *fatal)
{
    *fatal = 0;
    char buf[LINE_MAX_BYTES];
    size_t len = strlen(line);
    if (len >= sizeof buf)
        return "line too long";
    memcpy(buf, line, len + 1);
    if (len && buf[len - 1] == '\r')
        buf[--len] = '\0';
    const char *p = buf;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p || *p == '#' || strcmp(p, "uuid,state,note") == 0)
        return "skip";
    char *f[3] = {NULL, NULL, NULL};
    size_t nf = 0;
    char *s = buf;
    for (;;) {
        if (nf == 3)
            return "more than three fields (uuid,state,note)";
        f[nf++] = s;
        char *comma = strchr(s, ',');
        if (!comma)
            break;
        *comma = '\0';
        s = comma + 1;
    }
    if (nf < 2)
        return "fewer than two fields (uuid,state,note)";
    const char *note = nf == 3 ? f[2] : "";
    if (!sync_uuid_valid(f[0]))
        return "not a record uuid";
    sync_state st;
    if (!sync_state_parse(f[1], &st) || st == SYNC_STATE_UNKNOWN)
        return "unknown state (received, processing, approved, needs_materials)";
    if (!sync_state_note_valid(note))
        return "unknown note code";
    if (note[0] && st != SYNC_STATE_NEEDS_MATERIALS)
        return "a note goes only with needs_materials";
    kiosk_rc rc = hub_db_state_set(db, f[0], st, note, actor, now_ms);
    if (rc == KIOSK_OK)
        return NULL;
    if (rc == KIOSK_NOT_FOUND)
        return "no such record at this hub";
    if (rc == KIOSK_INVALID)
        return "refused";
    *fatal = 1;
    return kiosk_strerror(rc);
}

kiosk_rc hub_state_import(hub_db *db, FILE *in, const char *actor, int64_t now_ms,
                          hub_state_refused_cb refused, void *ctx, hub_state_import_result *res)
{
    memset(res, 0, sizeof *res);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    size_t no = 0;
    kiosk_rc rc = KIOSK_OK;
    while ((got = getline(&line, &cap, in)) >= 0) {
        no++;
        if (got > 0 && line[got - 1] == '\n')
            line[--got] = '\0';
        int fatal = 0;
        const char *why = (size_t)got != strlen(line)
                              ? "a NUL byte in the line"
                              : hub_state_apply_line(db, line, actor, now_ms, &fatal);
        if (!why) {
            res->applied++;
            continue;
        }
        if (strcmp(why, "skip") == 0)
            continue;
        if (fatal) {
            rc = KIOSK_IO;
            if (refused)
                refused(ctx, no, why);
            break;
        }
        res->refused++;
        if (refused)
            refused(ctx, no, why);
    }
    if (rc == KIOSK_OK && ferror(in))
        rc = KIOSK_IO;
    free(line);
    return rc;
}

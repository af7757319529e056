/*
 * The reader health file: four "key=value" lines. Written whole to a temporary name in
 * the same directory and renamed over the old one, so a reader of it sees either the old
 * state or the new. Whether its writer still runs is asked of the kernel (kill 0).
 */
#include "identity/identity_health.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void health_path(const char *dir, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

kiosk_rc identity_health_write(const char *dir, const identity_health *h)
{
    char path[4096], tmp[4096];
    health_path(dir, IDENTITY_HEALTH_FILE, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s/.%s.%ld", dir, IDENTITY_HEALTH_FILE, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return KIOSK_IO;
    const char *state = h->state == IDENTITY_HEALTH_OK      ? "ok"
                        : h->state == IDENTITY_HEALTH_FAULT ? "fault"
                                                            : "unknown";
    int ok = fprintf(f, "state=%s\nsince_ms=%" PRId64 "\nreason=%s\npid=%ld\n", state, h->since_ms,
                     h->reason, h->pid) > 0;
    ok = fflush(f) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return KIOSK_IO;
    }
    return KIOSK_OK;
}

kiosk_rc identity_health_read(const char *dir, identity_health *out)
{
    memset(out, 0, sizeof *out);
    char path[4096], line[160];
    health_path(dir, IDENTITY_HEALTH_FILE, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? KIOSK_OK : KIOSK_IO;
    int have_state = 0, have_pid = 0;
    kiosk_rc rc = KIOSK_OK;
    while (rc == KIOSK_OK && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq) {
            rc = KIOSK_CORRUPT;
            break;
        }
        *eq = '\0';
        const char *v = eq + 1;
        char *end = NULL;
        if (!strcmp(line, "state")) {
            have_state = 1;
            if (!strcmp(v, "ok"))
                out->state = IDENTITY_HEALTH_OK;
            else if (!strcmp(v, "fault"))
                out->state = IDENTITY_HEALTH_FAULT;
            else if (strcmp(v, "unknown"))
                rc = KIOSK_CORRUPT;
        } else if (!strcmp(line, "since_ms")) {
            out->since_ms = strtoll(v, &end, 10);
            if (end == v || *end)
                rc = KIOSK_CORRUPT;
        } else if (!strcmp(line, "reason")) {
            snprintf(out->reason, sizeof out->reason, "%s", v);
        } else if (!strcmp(line, "pid")) {
            out->pid = strtol(v, &end, 10);
            have_pid = end != v && !*end && out->pid > 0;
        }
    }
    fclose(f);
    if (rc == KIOSK_OK && (!have_state || !have_pid))
        rc = KIOSK_CORRUPT;
    if (rc != KIOSK_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    /* a kiosk that died without removing its file says nothing about the reader now */
    if (kill((pid_t)out->pid, 0) != 0 && errno == ESRCH)
        out->state = IDENTITY_HEALTH_UNKNOWN;
    return KIOSK_OK;
}

void identity_health_remove(const char *dir)
{
    char path[4096];
    health_path(dir, IDENTITY_HEALTH_FILE, path, sizeof path);
    unlink(path);
}

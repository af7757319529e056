/*
 * The hub's update routes (private to the hub): the signed manifest naming the newest
 * bundle for a unit, and the bundle's bytes with HTTP Range so an interrupted download
 * resumes. Bundles are plain files: "<dir>/kiosk-<version>-<arch>.raucb" is offered to
 * every unit, "<dir>/units/<device hex>/kiosk-…" to that unit only (the first unit of a
 * roll-out); the newest version wins, the unit's own on a tie. Nothing is stored in the
 * database. Runs on the server's polling thread only.
 */
#ifndef KIOSK_HUB_UPDATE_H
#define KIOSK_HUB_UPDATE_H

#include <microhttpd.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "hub/hub_db.h"

typedef struct hub_update hub_update;

/* dir (copied; NULL or "": no updates offered, every manifest says so). *out owned
 * (hub_update_destroy). KIOSK_NOMEM. */
kiosk_rc hub_update_create(const char *dir, hub_update **out);
void hub_update_destroy(hub_update *u);

/* 1 when url (borrowed) is one of the update routes. */
int hub_update_path(const char *url);

/* What the handler needs of the server (borrowed for the call). */
typedef struct hub_update_env {
    hub_db *db;
    const uint8_t *sign_sk; /* 64 bytes: signs the manifest reply */
    int64_t now_ms;
} hub_update_env;

/* Answer a request to an update route on c: the device's signed headers are checked as
 * for records (known device, time window, signature over method and path with an empty
 * body, not a replay), then the manifest (200, X-Hub-Signature) or the bundle (200, or
 * 206 from "Range: bytes=N-"; 416 past its end). */
enum MHD_Result hub_update_handle(hub_update *u, const hub_update_env *env,
                                  struct MHD_Connection *c, const char *url, const char *method);

#endif

/*
 * The hub's web console for hall and region staff, served by the hub's own HTTP service
 * under /console/ (server-rendered HTML, one small stylesheet, no script): the units with
 * their last contact, records, gaps and store-epoch conflicts; one unit's gaps, recent
 * records and refusals and help requests; records per hall per day; help requests as they
 * arrive (a page that reloads itself); the CSV export for the provincial system; the
 * audit log (region staff). Behind staff accounts (hub_staff.h): hall staff see only their
 * halls' units. No page shows personal data: records stay sealed, and the export opens
 * them only with the upstream key file named in the hub's config.
 */
#ifndef KIOSK_HUB_CONSOLE_H
#define KIOSK_HUB_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "hub/hub_db.h"

#define HUB_CONSOLE_PATH "/console"
#define HUB_CONSOLE_MAX_BODY 4096 /* bytes of a form posted to the console */

struct MHD_Connection;
typedef struct hub_console hub_console;

typedef struct hub_console_options {
    /* The upstream secret key (32 bytes, readable by the hub's user only) and the assets
     * folder (codes, divisions) for the CSV export; NULL: the export page says to use
     * `kiosk-hub export` instead. Read at each export, wiped after. Borrowed for create. */
    const char *upstream_key_file;
    const char *assets_dir;
    int tls;               /* the hub serves HTTPS */
    int allow_plain_login; /* TEST/DEV: allow a login over plain HTTP (loopback tests) */
} hub_console_options;

/* A console on db (kept, used from the server thread only). opt borrowed (strings copied).
 * KIOSK_OK, KIOSK_NOMEM. */
kiosk_rc hub_console_create(hub_db *db, const hub_console_options *opt, hub_console **out);
void hub_console_destroy(hub_console *con);

/* Work a request left running away from the server thread (a login's password check). */
typedef struct hub_console_pending hub_console_pending;

/* Answer one request under HUB_CONSOLE_PATH (hub_http's handler, server thread): method and
 * url (the path, without the query) borrowed; body (NULL for a GET) the form posted. Queues
 * the response on c and returns libmicrohttpd's MHD_YES / MHD_NO. With pending (the
 * request's; NULL: everything now, on this thread) a login's password is checked on a
 * thread of its own while c is suspended (the daemon allows suspend and resume): *pending
 * is set, MHD_YES returned without a response, and when libmicrohttpd calls the handler
 * again the same call with the same *pending finishes the login. */
int hub_console_serve(hub_console *con, struct MHD_Connection *c, const char *method,
                      const char *url, const char *body, size_t len, int64_t now_ms,
                      hub_console_pending **pending);

/* Free a request's pending work (NULL is fine) once its connection is done with; its
 * thread has ended by then (it resumes the connection last). */
void hub_console_pending_free(hub_console_pending *p);

/* Wait until no password check is running, and start none after (before the daemon
 * stops: a suspended connection must have been resumed; a login then checks on the server
 * thread). */
void hub_console_quiesce(hub_console *con);

/* The value of key (borrowed) in an application/x-www-form-urlencoded body (len bytes,
 * borrowed, need not be terminated), decoded ('+' and %XX) into out (cap >= 1 bytes, the
 * terminator included). 1 when found and it fits; 0 when absent or too long (out wiped,
 * then ""). The first key=value of that name counts. Any thread. */
int hub_console_form_get(const char *body, size_t len, const char *key, char *out, size_t cap);

#endif

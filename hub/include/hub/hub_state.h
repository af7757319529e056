/*
 * Staff's side of a record's processing state (hub_db_state_set): one line of the
 * provincial system's answer, and a whole CSV file of them. The web console calls
 * hub_db_state_set directly.
 */
#ifndef KIOSK_HUB_STATE_H
#define KIOSK_HUB_STATE_H

#include <stdio.h>

#include "hub/hub_db.h"

/* The CSV import (kiosk-hub state import): one line per record, UTF-8 or ASCII,
 *   <record uuid>,<state>,<note code or empty>
 * state: processing, approved, needs_materials (or received, to set it back); note: a
 * sync_state_notes code, only with needs_materials. An optional header line
 * "uuid,state,note", blank lines and lines starting with '#' are skipped; a trailing CR
 * is ignored. Each line is applied on its own (one transaction: never half a line); a
 * line refused is reported through refused() with its number and the reason, and the
 * import goes on. */
typedef struct hub_state_import_result {
    size_t applied;
    size_t refused;
} hub_state_import_result;
typedef void (*hub_state_refused_cb)(void *ctx, size_t line, const char *reason);

/* Import every line of in as actor (borrowed). KIOSK_OK once the whole file was read
 * (refused lines included, counted in *res); a database error stops it (lines before
 * stay applied, each whole), KIOSK_IO when in cannot be read. */
kiosk_rc hub_state_import(hub_db *db, FILE *in, const char *actor, int64_t now_ms,
                          hub_state_refused_cb refused, void *ctx, hub_state_import_result *res);

/* One line (borrowed, without its newline) as the import takes it: NULL when applied, or
 * the reason it was refused ("skip" for a header, blank or comment line); *fatal 1 when
 * the reason is a database error that should stop an import. */
const char *hub_state_apply_line(hub_db *db, const char *line, const char *actor, int64_t now_ms,
                                 int *fatal);

#endif

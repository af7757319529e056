/*
 * The screens after identity that are not the registration: the services screen (big
 * tiles, an icon drawn from geometry each, in the order of flow_service: 失业登记 and
 * 我的办理记录 go on; a tile whose service is not on this kiosk says so on the tile and,
 * tapped, says what to do instead) and 我的办理记录 (the citizen's records on this unit:
 * date, record type, receipt number, sync state in words, a 副本 reprint each; what the
 * unit knows of the hub). Draws only; ui_app hands taps on these ids to
 * ui_services_tap.
 */
#ifndef UI_SERVICES_H
#define UI_SERVICES_H

#include "app/session.h"
#include "flow/flow.h"
#include "ui/ui_journey.h"

/* Draw v->step's screen (FLOW_SERVICES or FLOW_RECORDS) in frame f. */
void ui_services_draw(ui_ctx *c, const ui_journey_frame *f, const flow_view *v,
                      const ui_journey_env *env);

/* A tap on id while step is FLOW_SERVICES or FLOW_RECORDS: the session's intent. Returns
 * the voice prompt to say for it (a tile's note), or NULL. */
const char *ui_services_tap(session *s, flow_step step, const char *id);

/* Widget ids (scripts tap them by these names). */
#define UI_ID_SERVICE_PREFIX "svc_"     /* "svc_register", "svc_records", … (flow_service_name) */
#define UI_ID_RECORD_REPRINT "reprint_" /* "reprint_0" … : 副本 of view.records[i] */

#endif

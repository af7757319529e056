/*
 * 政策和服务机构 (FLOW_INFO): the hall's policies and its service agencies at four levels
 * (session_view.info), in the theme's large roles, one thing per screen where it needs the
 * room — the policies' titles (▲ ▼ by pages), one policy (who qualifies, how to apply),
 * the agencies of one level (name, address, phone, hours; ▲ ▼ between several) — with 打印
 * for a slip. Two tabs (政策, 服务机构) and four level buttons; any item is at most four taps
 * from the services screen. Draws only; ui_app hands taps on these ids to ui_info_tap.
 */
#ifndef UI_INFO_H
#define UI_INFO_H

#include <stddef.h>

#include "app/session.h"
#include "flow/flow.h"
#include "ui/ui_journey.h"

/* Draw FLOW_INFO's page of v in frame f. */
void ui_info_draw(ui_ctx *c, const ui_journey_frame *f, const flow_view *v,
                  const ui_journey_env *env);

/* A tap on id while the step is FLOW_INFO: the session's intent. Returns the voice prompt
 * of the item it opened ("policy_<id>", "agency_<id>", written into prompt) or NULL. */
const char *ui_info_tap(session *s, const flow_view *v, const char *id, char *prompt, size_t size);

/* Widget ids (scripts tap them by these names). */
#define UI_ID_INFO_POLICIES "info_policies" /* the tab: the policies' titles */
#define UI_ID_INFO_AGENCIES "info_agencies" /* the tab: the agencies, city level first */
#define UI_ID_INFO_POLICY "info_policy_"    /* "info_policy_0" …: open that policy */
#define UI_ID_INFO_LEVEL "info_level_"      /* "info_level_0" (city) … "info_level_3" */
#define UI_ID_INFO_FIRST "info_first_"      /* ▲ ▼: "info_first_<n>", the list from item n */
#define UI_ID_INFO_PRINT "info_print"       /* 打印: the slip of the item shown */

#endif

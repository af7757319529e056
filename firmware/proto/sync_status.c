/*
 * The record processing state's names, note codes and the POST /v3/status bodies
 * (sync_status.h). Outside bytes are parsed strictly: exact keys, known names only.
 */
#include "proto/sync_status.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[SYNC_STATE_COUNT] = {
    [SYNC_STATE_UNKNOWN] = "unknown",
    [SYNC_STATE_RECEIVED] = "received",
    [SYNC_STATE_PROCESSING] = "processing",
    [SYNC_STATE_APPROVED] = "approved",
    [SYNC_STATE_NEEDS_MATERIALS] = "needs_materials",
};

/* The materials a hall may ask for (seed 000's registration file list, by kind). */
const char *const sync_state_notes[] = {
    "id_document",  /* 身份证件 */
    "household",    /* 户口簿或居住证 */
    "contract_end", /* 解除或终止劳动合同证明 */
    "photo",        /* 照片 */
    "bank_account", /* 银行账户 */
    "education",    /* 学历证明 */
    "signature",    /* 本人签字 */
    "other",        /* 其他（请到窗口） */
    NULL,
};

const char *sync_state_name(sync_state s)
{
    return (unsigned)s < SYNC_STATE_COUNT ? state_names[s] : NULL;
}

int sync_state_parse(const char *s, sync_state *out)
{
    for (int i = 0; s && i < SYNC_STATE_COUNT; i++)
        if (strcmp(s, state_names[i]) == 0) {
            *out = (sync_state)i;
            return 1;
        }
    return 0;
}

int sync_state_note_valid(const char *note)
{
    if (!note)
        return 0;
    if (!note[0])
        return 1;
    for (size_t i = 0; sync_state_notes[i]; i++)
        if (strcmp(note, sync_state_notes[i]) == 0)
            return 1;
    return 0;
}

static kiosk_rc dump(json_t *o, char **body, size_t *len)
{
    *body = NULL;
    if (len)
        *len = 0;
    if (!o)
        return KIOSK_NOMEM;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return KIOSK_NOMEM;
    *body = s;
    if (len)
        *len = strlen(s);
    return KIOSK_OK;
}

static int uuids_ok(const char (*uuids)[SYNC_UUID_LEN + 1], size_t n)
{
    if (n == 0 || n > SYNC_STATUS_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!sync_uuid_valid(uuids[i]))
            return 0;
        for (size_t k = 0; k < i; k++)
            if (strcmp(uuids[k], uuids[i]) == 0)
                return 0;
    }
    return 1;
}

kiosk_rc sync_status_request_encode(const char (*uuids)[SYNC_UUID_LEN + 1], size_t n, char **body,
                                    size_t *len)
{
    *body = NULL;
    if (len)
        *len = 0;
    if (!uuids_ok(uuids, n))
        return KIOSK_INVALID;
    json_t *o = json_object(), *arr = json_array();
    int ok = o && arr && json_object_set(o, "uuids", arr) == 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = json_array_append_new(arr, json_string(uuids[i])) == 0;
    json_decref(arr);
    if (!ok) {
        json_decref(o);
        o = NULL;
    }
    return dump(o, body, len);
}

kiosk_rc sync_status_request_decode(const char *body, size_t len, char (*uuids)[SYNC_UUID_LEN + 1],
                                    size_t *n)
{
    *n = 0;
    if (len > SYNC_STATUS_MAX_BODY)
        return KIOSK_RANGE;
    json_error_t err;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    json_t *arr = json_object_get(o, "uuids");
    int ok = json_is_object(o) && json_object_size(o) == 1 && json_is_array(arr) &&
             json_array_size(arr) >= 1 && json_array_size(arr) <= SYNC_STATUS_MAX;
    size_t count = ok ? json_array_size(arr) : 0;
    for (size_t i = 0; ok && i < count; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        ok = s && sync_uuid_valid(s);
        if (ok)
            memcpy(uuids[i], s, SYNC_UUID_LEN + 1);
    }
    json_decref(o);
    if (!ok || !uuids_ok((const char(*)[SYNC_UUID_LEN + 1]) uuids, count))
        return KIOSK_INVALID;
    *n = count;
    return KIOSK_OK;
}

static int state_ok(const sync_record_state *s)
{
    return sync_uuid_valid(s->uuid) && (unsigned)s->state < SYNC_STATE_COUNT &&
           sync_state_note_valid(s->note) &&
           (s->note[0] == 0 || s->state == SYNC_STATE_NEEDS_MATERIALS) && s->changed_ms >= 0;
}

kiosk_rc sync_status_reply_encode(const sync_record_state *states, size_t n, int64_t now_ms,
                                  char **body, size_t *len)
{
    *body = NULL;
    if (len)
        *len = 0;
    if (n > SYNC_STATUS_MAX)
        return KIOSK_INVALID;
    for (size_t i = 0; i < n; i++)
        if (!state_ok(&states[i]))
            return KIOSK_INVALID;
    json_t *o = json_object(), *arr = json_array();
    int ok = o && arr && json_object_set_new(o, "now_ms", json_integer(now_ms)) == 0 &&
             json_object_set(o, "states", arr) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *e = json_object();
        ok = e && json_object_set_new(e, "uuid", json_string(states[i].uuid)) == 0 &&
             json_object_set_new(e, "state", json_string(state_names[states[i].state])) == 0 &&
             json_object_set_new(e, "note", json_string(states[i].note)) == 0 &&
             json_object_set_new(e, "changed_ms", json_integer(states[i].changed_ms)) == 0;
        ok = e && json_array_append_new(arr, e) == 0 && ok;
    }
    json_decref(arr);
    if (!ok) {
        json_decref(o);
        o = NULL;
    }
    return dump(o, body, len);
}

kiosk_rc sync_status_reply_decode(const char *body, size_t len, sync_record_state *states,
                                  size_t *n, int64_t *now_ms)
{
    *n = 0;
    *now_ms = 0;
    if (len > SYNC_STATUS_MAX_BODY)
        return KIOSK_RANGE;
    json_error_t err;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    json_t *arr = json_object_get(o, "states"), *t = json_object_get(o, "now_ms");
    int ok = json_is_object(o) && json_is_array(arr) &&
             json_object_size(o) == (size_t)(t ? 2 : 1) &&
             json_array_size(arr) <= SYNC_STATUS_MAX && (!t || json_is_integer(t));
    size_t count = ok ? json_array_size(arr) : 0;
    for (size_t i = 0; ok && i < count; i++) {
        json_t *e = json_array_get(arr, i);
        const char *uuid = json_string_value(json_object_get(e, "uuid"));
        const char *state = json_string_value(json_object_get(e, "state"));
        const char *note = json_string_value(json_object_get(e, "note"));
        json_t *ch = json_object_get(e, "changed_ms");
        ok = json_is_object(e) && json_object_size(e) == 4 && uuid && state && note &&
             json_is_integer(ch) && strlen(uuid) == SYNC_UUID_LEN &&
             strlen(note) < SYNC_STATE_NOTE_MAX && sync_state_parse(state, &states[i].state);
        if (!ok)
            break;
        memcpy(states[i].uuid, uuid, SYNC_UUID_LEN + 1);
        memcpy(states[i].note, note, strlen(note) + 1);
        states[i].changed_ms = (int64_t)json_integer_value(ch);
        ok = state_ok(&states[i]);
    }
    int64_t now = ok && t ? (int64_t)json_integer_value(t) : 0;
    json_decref(o);
    if (!ok)
        return KIOSK_INVALID;
    *n = count;
    *now_ms = now;
    return KIOSK_OK;
}

/*
 * Descriptions and names of the project error codes. Strings shown to citizens live in
 * assets (keyed by kiosk_rc_name); these are for logs and staff tools.
 */
#include "core/kiosk_error.h"

#include <stddef.h>

static const struct {
    const char *name;
    const char *text;
} rc_table[] = {
    [KIOSK_OK] = {"KIOSK_OK", "no error"},
    [KIOSK_NOMEM] = {"KIOSK_NOMEM", "out of memory"},
    [KIOSK_IO] = {"KIOSK_IO", "input/output error"},
    [KIOSK_TIMEOUT] = {"KIOSK_TIMEOUT", "timed out"},
    [KIOSK_NO_CARD] = {"KIOSK_NO_CARD", "no card on the reader"},
    [KIOSK_CARD_REMOVED] = {"KIOSK_CARD_REMOVED", "card removed"},
    [KIOSK_PIN_WRONG] = {"KIOSK_PIN_WRONG", "wrong PIN"},
    [KIOSK_PIN_BLOCKED] = {"KIOSK_PIN_BLOCKED", "PIN blocked"},
    [KIOSK_PAPER_OUT] = {"KIOSK_PAPER_OUT", "printer out of paper"},
    [KIOSK_NET] = {"KIOSK_NET", "network error"},
    [KIOSK_BUSY] = {"KIOSK_BUSY", "busy"},
    [KIOSK_CORRUPT] = {"KIOSK_CORRUPT", "data corrupt"},
    [KIOSK_INVALID] = {"KIOSK_INVALID", "invalid input"},
    [KIOSK_NOT_FOUND] = {"KIOSK_NOT_FOUND", "not found"},
    [KIOSK_UNSUPPORTED] = {"KIOSK_UNSUPPORTED", "not supported"},
    [KIOSK_DISK_FULL] = {"KIOSK_DISK_FULL", "disk full"},
    [KIOSK_READ_ONLY] = {"KIOSK_READ_ONLY", "storage is read-only"},
    [KIOSK_CONFIG] = {"KIOSK_CONFIG", "configuration error"},
    [KIOSK_CRYPTO] = {"KIOSK_CRYPTO", "cryptographic check failed"},
    [KIOSK_UNKNOWN_CODE] = {"KIOSK_UNKNOWN_CODE", "unknown code"},
    [KIOSK_RANGE] = {"KIOSK_RANGE", "value out of range"},
    [KIOSK_READER] = {"KIOSK_READER", "card reader fault"},
    [KIOSK_PRINTER] = {"KIOSK_PRINTER", "printer fault"},
    [KIOSK_CARD] = {"KIOSK_CARD", "unexpected card response"},
    [KIOSK_FONT] = {"KIOSK_FONT", "font or glyph missing"},
    [KIOSK_AUTH] = {"KIOSK_AUTH", "authentication refused"},
    [KIOSK_NO_MEDIUM] = {"KIOSK_NO_MEDIUM", "no medium mounted"},
};

const char *kiosk_strerror(kiosk_rc rc)
{
    if ((unsigned)rc >= sizeof rc_table / sizeof rc_table[0] || rc_table[rc].text == NULL)
        return "unknown error";
    return rc_table[rc].text;
}

const char *kiosk_rc_name(kiosk_rc rc)
{
    if ((unsigned)rc >= sizeof rc_table / sizeof rc_table[0] || rc_table[rc].name == NULL)
        return "KIOSK_UNKNOWN";
    return rc_table[rc].name;
}

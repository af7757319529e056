/* libFuzzer target: a form posted to the hub's web console (hub_console_form_get), as the
 * login and every POST read it: the csrf, name and password fields, into buffers of the
 * console's sizes and of one byte. Never a crash or overread; a value found fits its
 * buffer, terminated; one given back percent-encoded decodes to the same bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hub_console.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct {
        const char *key;
        size_t cap;
    } fields[] = {{"csrf", 66}, {"name", 65}, {"password", 258}, {"csrf", 1}};
    /* the body as the hub holds it: its own copy, not terminated */
    char *body = malloc(size ? size : 1);
    if (!body)
        abort();
    memcpy(body, data, size);
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        char out[258];
        int found = hub_console_form_get(body, size, fields[f].key, out, fields[f].cap);
        size_t n = strnlen(out, fields[f].cap);
        if (n >= fields[f].cap)
            abort(); /* not terminated within its buffer */
        if (!found && n != 0)
            abort();
        if (!found || memchr(out, '\0', n) != NULL)
            continue;
        /* percent-encode what was found and read it back */
        char form[16 + 3 * sizeof out], again[258];
        size_t o = (size_t)snprintf(form, sizeof form, "x=1&%s=", fields[f].key);
        for (size_t i = 0; i < n; i++)
            o += (size_t)snprintf(form + o, sizeof form - o, "%%%02X", (unsigned char)out[i]);
        if (hub_console_form_get(form, o, fields[f].key, again, fields[f].cap) != 1 ||
            strcmp(again, out) != 0)
            abort();
    }
    free(body);
    return 0;
}

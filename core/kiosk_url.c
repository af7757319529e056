/* The hub URL rule (kiosk_url.h). */
#include "core/kiosk_url.h"

#include <string.h>
#include <strings.h>

int kiosk_url_hub_allowed(const char *url, int allow_plain_http_loopback)
{
    if (!url)
        return 0;
    if (!strncasecmp(url, "https://", 8))
        return url[8] != '\0' && url[8] != '/';
    if (!allow_plain_http_loopback || strncasecmp(url, "http://", 7) != 0)
        return 0;
    static const char *const hosts[] = {"127.0.0.1", "[::1]"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t n = strlen(hosts[i]);
        if (!strncmp(url + 7, hosts[i], n) && strchr(":/", url[7 + n]))
            return 1; /* strchr also matches the terminator: the host alone */
    }
    return 0;
}

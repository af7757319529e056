/*
 * Where records may go: the one rule for the hub's URL, shared by the configuration
 * reader (which names the line) and the sync client (which checks again before
 * sending). Any thread.
 */
#ifndef KIOSK_URL_H
#define KIOSK_URL_H

/* 1 when url is https:// with a host, or — only with allow_plain_http_loopback, a
 * development setting — plain http:// to 127.0.0.1 or [::1]. The scheme is matched
 * without regard to case, as URLs are. 0 otherwise (NULL too). */
int kiosk_url_hub_allowed(const char *url, int allow_plain_http_loopback);

#endif

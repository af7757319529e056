/*
 * The systemd service protocol without libsystemd: READY=1, WATCHDOG=1, STOPPING=1 and
 * STATUS= datagrams to $NOTIFY_SOCKET (a path or an abstract '@' name), and the
 * watchdog interval from $WATCHDOG_USEC / $WATCHDOG_PID. Outside systemd every call is
 * a harmless no-op. Any thread.
 */
#ifndef KIOSK_NOTIFY_H
#define KIOSK_NOTIFY_H

#include <stdint.h>

#include "core/kiosk_error.h"

/* Send state ("READY=1", "WATCHDOG=1", "STATUS=…"). KIOSK_OK also when not under
 * systemd (nothing to tell); KIOSK_IO when the socket refuses. */
kiosk_rc kiosk_notify(const char *state);

/* How often to ping: half of the watchdog timeout systemd set for this process, in
 * milliseconds; 0 when there is no watchdog. */
int64_t kiosk_notify_watchdog_ms(void);

#endif

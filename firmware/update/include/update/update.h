/*
 * Updates reach the unit: the hub's signed manifest (proto/update_manifest.h), the
 * bundle downloaded in the background into <state_dir>/update/ (resumed with HTTP Range,
 * disk space first, size and SHA-256 checked), RAUC's signature check, the install only
 * when the kiosk has been idle a while and no citizen is being served, the reboot at a
 * quiet moment, and the result in <state_dir>/update-status.json:
 *
 *   {"version":"2.0","result":"installed","at_ms":1764921600000,"detail":"reboot_pending"}
 *
 * result: installed | failed | refused | fallback; detail: a short ASCII code. The same
 * install path serves the worker, `kioskctl update install` and the maintenance menu's
 * USB stick. RAUC is behind update_rauc (the CLI for real, a double in tests). Every step
 * is audited (actor "update"), never with personal data. Not a UI: it never reads the
 * screen's state; the app tells it how long the kiosk has been idle (update_idle_fn).
 */
#ifndef KIOSK_UPDATE_H
#define KIOSK_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_clock.h"
#include "core/kiosk_error.h"
#include "proto/update_manifest.h"
#include "store/store.h"

#define UPDATE_DETAIL_MAX 48
#define UPDATE_STATUS_FILE "update-status.json"

/* ---- RAUC behind ops ---- */

typedef struct update_rauc {
    /* Check bundle's signature against the keyring; its version into version
     * (UPDATE_VERSION_MAX). KIOSK_CRYPTO for a bad signature (detail "bad_signature"). */
    kiosk_rc (*info)(void *ctx, const char *bundle, char *version, char *detail, size_t dn);
    /* Install bundle into the inactive slot (RAUC checks the signature again and its
     * pre-install handler refuses a downgrade). detail: "older_version", "bad_signature",
     * "not_compatible", "install_failed". progress (NULL: not asked): RAUC's percentage
     * (0..100) stored as it goes, from the installing thread. */
    kiosk_rc (*install)(void *ctx, const char *bundle, _Atomic int *progress, char *detail,
                        size_t dn);
    /* The booted slot's boot name ("A", "B") into slot. */
    kiosk_rc (*booted)(void *ctx, char *slot, size_t n);
    /* Reboot now (systemctl reboot). */
    kiosk_rc (*reboot)(void *ctx);
    void *ctx; /* kept */
} update_rauc;

/* The percentage of a line `rauc install` prints as it goes ("  40% Copying image to
 * rootfs.1"), or -1 for any other line. */
int update_rauc_progress_line(const char *line);

/* The real one: the rauc command line (install goes through RAUC's D-Bus service). */
typedef struct update_rauc_cli {
    char keyring[512];        /* --keyring for `rauc info`; "" : system.conf's */
    char reboot_command[256]; /* "" : systemctl reboot */
} update_rauc_cli;
/* Fill ops with the CLI; cli is caller storage (kept by ops). keyring may be NULL. */
void update_rauc_cli_init(update_rauc *ops, update_rauc_cli *cli, const char *keyring);

/* ---- the unit's version, the status file ---- */

/* The running system's version: KIOSK_VERSION= in release_file (/etc/kiosk-release, put
 * in every image by make-bundle.sh), else fallback (the firmware's own). out holds
 * UPDATE_VERSION_MAX. */
void update_running_version(const char *release_file, const char *fallback, char *out);

/* dpkg's name of this build's architecture ("amd64", "arm64", "armhf"). */
const char *update_arch(void);

typedef struct update_status {
    char version[UPDATE_VERSION_MAX];
    char result[16];
    int64_t at_ms;
    char detail[UPDATE_DETAIL_MAX];
} update_status;

/* Write <state_dir>/update-status.json atomically (temp file, fsync, rename). */
kiosk_rc update_status_write(const char *state_dir, const update_status *st);
/* Read it back; KIOSK_NOT_FOUND when there is none, KIOSK_INVALID when malformed. */
kiosk_rc update_status_read(const char *state_dir, update_status *st);

/* ---- configuration ---- */

typedef struct update_config {
    const char *url;               /* hub base URL (copied by the worker) */
    int allow_plain_http_loopback; /* tests and the demo: http://127.0.0.1 */
    const char *ca_file;           /* NULL: system CAs */
    const uint8_t *hub_key;        /* 32 bytes; NULL: the store's (store_hub_key) */
    const store_device_key *key;   /* kept: signs the requests */
    const char *state_dir;         /* downloads in <state_dir>/update/, the status file */
    const char *db_path;           /* the store, for the audit (the worker opens its own) */
    const char *hall_code;
    const char *running_version; /* the version running now */
    uint64_t margin_bytes;       /* free space to leave after a download; 0: 256 MiB */
    long timeout_s;              /* the manifest request; 0: 30 s */
    int64_t check_interval_ms;   /* ask the hub this often; 0: 1 h */
    int64_t idle_min_ms;         /* idle this long before installing; 0: 5 min */
    int reboot_hour;             /* -1: reboot as soon as idle after installing; else
                                  * at this local hour (0..23), when idle */
    int reboot_minute;
    int64_t reboot_retry_ms;  /* a reboot the system refused is asked again after this
                               * (when idle, at the reboot time); 0: 1 h */
    _Atomic int *progress;    /* update_install: RAUC's percentage as it goes; NULL: none */
    const kiosk_clock *clock; /* kept; NULL: the system clock */
    const char *boot_id_file; /* this boot's id; NULL: /proc/sys/kernel/random/boot_id */
} update_config;

/* ---- one step at a time (the worker, kioskctl, tests) ---- */

/* Ask the hub which bundle it offers this unit. KIOSK_OK with m->version "" when none;
 * KIOSK_NET (hub down), KIOSK_CRYPTO (the reply is not signed by the hub key: ignored),
 * KIOSK_INVALID (not the protocol), KIOSK_AUTH (4xx), KIOSK_CONFIG (no hub key). */
kiosk_rc update_check(const update_config *cfg, const uint8_t hub_key[32], update_manifest *m,
                      char *error, size_t error_size);

typedef struct update_fetched {
    char path[1024];       /* the verified bundle (when KIOSK_OK) */
    uint64_t resumed_from; /* bytes already there from an interrupted download */
    uint64_t received;     /* bytes received in this call */
} update_fetched;

/* Download m's bundle into <state_dir>/update/ ("<sha256 hex>.part", resumed on a later
 * call, then "<sha256 hex>.raucb" once its size and hash match). Refuses before
 * downloading when the disk would keep less than the margin (KIOSK_RANGE, detail
 * "no_space"). KIOSK_CORRUPT: wrong size or hash ("hash_mismatch"; the part is removed);
 * KIOSK_NET ("hub_down": the part stays for the next try). */
kiosk_rc update_download(const update_config *cfg, const update_manifest *m, update_fetched *out,
                         char *detail, size_t dn);

/* Check a bundle (signature, version newer than running or equal) and install it:
 * status file, audit (s may be NULL: no audit) and the boot marker that
 * update_boot_check reads. version (UPDATE_VERSION_MAX, may be NULL) gets the bundle's.
 * KIOSK_OK installed (reboot to run it); KIOSK_CRYPTO bad signature, KIOSK_RANGE older
 * than running, other codes as RAUC failed; detail names it. */
kiosk_rc update_install(const update_config *cfg, const update_rauc *rauc, store *s,
                        const char *bundle, char *version, char *detail, size_t dn);

/* At start-up: when a bundle was installed before the last reboot, is this the system it
 * installed? The status becomes "installed"/"booted" or "fallback"/"old_slot_booted"
 * (audited). A kiosk restarted without a reboot since the install (the same boot id)
 * changes nothing: the update still waits for its reboot. 1 when a fallback was found,
 * 0 otherwise. */
int update_boot_check(const update_config *cfg, const update_rauc *rauc, store *s);

/* ---- the worker ---- */

/* How long the kiosk has been idle, in ms; negative while a citizen's session (or the
 * staff desk) is open. Called from the worker's thread: must be thread-safe. */
typedef int64_t (*update_idle_fn)(void *ctx);

typedef struct update_worker update_worker;

/* Start the worker thread: the boot check, then the manifest every check interval, the
 * download, the install when idle, the reboot. cfg and rauc are copied (their strings
 * too); idle (required) with idle_ctx (kept). KIOSK_CONFIG without url or key. */
kiosk_rc update_worker_create(const update_config *cfg, const update_rauc *rauc,
                              update_idle_fn idle, void *idle_ctx, update_worker **out);
/* Stop (a download in flight is abandoned within about a second; its part stays). */
void update_worker_destroy(update_worker *w);
/* Ask the hub now. Any thread. */
void update_worker_wake(update_worker *w);

typedef struct update_worker_info {
    int installs;                     /* bundles installed by this worker */
    int waiting_idle;                 /* a verified bundle waits for an idle kiosk */
    int reboot_asked;                 /* the reboot was asked for */
    char version[UPDATE_VERSION_MAX]; /* the bundle it holds or installed */
} update_worker_info;
void update_worker_info_get(update_worker *w, update_worker_info *out);

#endif

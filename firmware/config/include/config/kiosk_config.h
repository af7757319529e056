/*
 * The kiosk's configuration: one INI file read with inih over the embedded defaults.
 * Every key is documented in README.md with its default. Unknown sections or keys and
 * bad values are errors reported with their line number: the kiosk refuses to start
 * rather than guess. Plain value type; nothing here touches hardware.
 */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "core/kiosk_error.h"
#include "core/kiosk_log.h"

#define KIOSK_CONFIG_PATH_MAX 256
#define KIOSK_CONFIG_TEXT_MAX 128

/* Longest [receipt] verify_url (the QR code must stay readable at 58 mm). */
#define KIOSK_RECEIPT_URL_MAX 97

typedef enum kiosk_mode {
    KIOSK_MODE_HALL = 0,     /* portrait hall kiosk */
    KIOSK_MODE_PORTABLE = 1, /* landscape portable unit, battery, often offline */
} kiosk_mode;

typedef enum kiosk_reader_backend {
    KIOSK_READER_SIMULATED = 0,
    KIOSK_READER_LIBNFC = 1,
    KIOSK_READER_PCSC = 2, /* a contact (or dual) reader through pcscd: connstring names it */
} kiosk_reader_backend;

/* What the citizen does with the card, as the readers fitted allow: tap it on the NFC reader
 * (also the simulated one), insert it into a PC/SC contact slot, or either. */
typedef enum kiosk_card_entry {
    KIOSK_CARD_TAP = 0,
    KIOSK_CARD_INSERT = 1,
    KIOSK_CARD_EITHER = 2,
} kiosk_card_entry;

typedef enum kiosk_printer_backend {
    KIOSK_PRINTER_FILE = 0, /* the image printer: receipts as PNGs in printer.output_dir */
    KIOSK_PRINTER_USB = 1,  /* /dev/usb/lp* */
    KIOSK_PRINTER_SERIAL = 2,
} kiosk_printer_backend;

typedef struct kiosk_config {
    /* [device] */
    kiosk_mode mode;
    char hall_code[16];
    char hall_name[KIOSK_CONFIG_TEXT_MAX];
    char agency_address[KIOSK_CONFIG_TEXT_MAX]; /* printed on receipts */
    char agency_phone[32];
    char division[16]; /* the hall's division code (GB/T 2260 and statistical): the address
                          picker opens there; "" at the provinces */
    char power_supply[KIOSK_CONFIG_PATH_MAX]; /* portable: batteries and mains (sysfs) */
    char export_dir[KIOSK_CONFIG_PATH_MAX];   /* where staff export bundles (a USB stick) */
    int export_mount;   /* export_dir must be a mounted stick: never write to the unit itself */
    int retention_days; /* purge acknowledged records older than */
    /* [paths] */
    char state_dir[KIOSK_CONFIG_PATH_MAX];
    char assets_dir[KIOSK_CONFIG_PATH_MAX];
    char fonts_dir[KIOSK_CONFIG_PATH_MAX];
    /* [display] */
    int width, height; /* 0: the mode's default (1080x1920 hall, 1280x800 portable) */
    int fullscreen;
    int rotation_quarters; /* turn the picture clockwise by 90° × this (0..3) */
    int dpi;
    char language[8]; /* "zh_CN", "en" or "zh_Hant" (kiosk_langs) */
    /* [reader] */
    kiosk_reader_backend reader_backend;
    char reader_connstring[KIOSK_CONFIG_TEXT_MAX];
    char reader_contact[KIOSK_CONFIG_TEXT_MAX]; /* a PC/SC contact slot beside the NFC reader */
    char psam_reader[KIOSK_CONFIG_TEXT_MAX];    /* the PSAM's PC/SC SAM slot; "": no PSAM */
    int psam_key;                               /* the PSAM's key index for authentication */
    char reader_card_profile[KIOSK_CONFIG_PATH_MAX]; /* the simulated reader's card */
    /* [printer] */
    kiosk_printer_backend printer_backend;
    char printer_device[KIOSK_CONFIG_PATH_MAX];
    int printer_width_dots; /* 384 (58 mm) or 576 (80 mm) */
    int printer_baud;       /* serial printers */
    char printer_output_dir[KIOSK_CONFIG_PATH_MAX];
    int printer_required; /* no printer: out of service (else registrations go on, told) */
    /* [receipt] */
    char receipt_verify_url[KIOSK_RECEIPT_URL_MAX]; /* the hub's public check page, ending
                                                       in '/': the QR is this + the payload;
                                                       "" = the bare payload */
    /* [policy] */
    int processing_days; /* working days to finish a registration */
    int idle_timeout_s;  /* seconds without a touch before the "more time?" dialog */
    /* [sync] */
    char sync_url[KIOSK_CONFIG_PATH_MAX];     /* the hub; "" = no network sync (bundles only) */
    char sync_ca_file[KIOSK_CONFIG_PATH_MAX]; /* PEM CA for the hub; "" = the system's */
    int sync_allow_plain_http_loopback;       /* development only: http:// to 127.0.0.1/[::1] */
    int sync_batch;                           /* records per request */
    int sync_retry_max_s;                     /* cap of the retry delay */
    int sync_health_interval_min; /* a health report to the hub at most this often (minutes) */
    /* [log] */
    kiosk_log_level log_level;
    /* [input] */
    char handwriting_model[KIOSK_CONFIG_PATH_MAX]; /* Zinnia model; missing: pinyin only */
    /* [voice] */
    int voice_enabled;                             /* the hall's default for the 🔊 toggle */
    int voice_volume;                              /* 0..100 */
    char voice_prompts_dir[KIOSK_CONFIG_PATH_MAX]; /* <dir>/<lang>/<step>.wav; "" = the build's */
    /* [update] (README: "Updates") */
    int update_enabled;                              /* fetch what the hub offers ([sync] url) */
    char update_keyring[KIOSK_CONFIG_PATH_MAX];      /* RAUC's keyring for `rauc info` */
    char update_release_file[KIOSK_CONFIG_PATH_MAX]; /* KIOSK_VERSION= of the running system */
    int update_idle_min_s;       /* no session for this long before installing */
    int update_reboot_hour;      /* -1: reboot once idle after installing; 0..23: that hour */
    int update_margin_mb;        /* free disk left after a download, for the records */
    int update_check_interval_s; /* ask the hub this often */
} kiosk_config;

/* Where a parse failed, for the message staff see. */
typedef struct kiosk_config_error {
    int line; /* 1-based line of the file, 0 when the file could not be opened */
    char message[200];
} kiosk_config_error;

/* Fill cfg with the embedded defaults. assets_dir and fonts_dir default to the given
 * install locations (borrowed, copied). */
void kiosk_config_defaults(kiosk_config *cfg, const char *assets_dir, const char *fonts_dir);

/* Where a device keeps its configuration. */
#define KIOSK_CONFIG_SYSTEM_PATH "/etc/kiosk/kiosk.conf"

/* The configuration file to use when none is named: $KIOSK_CONFIG when set (empty: none,
 * the embedded defaults), else KIOSK_CONFIG_SYSTEM_PATH when it exists, else NULL. So a
 * technician's `kioskctl status` on a device reads the device's state, not a new empty
 * one under the working directory. */
const char *kiosk_config_default_path(void);

/* How a card goes on the readers cfg configures (the attract screen and its prompt). */
kiosk_card_entry kiosk_config_card_entry(const kiosk_config *cfg);

/* inih (Debian's build) reads lines into a buffer of this many bytes: a longer line
 * would reach its parser in pieces. */
#define KIOSK_INI_LINE_MAX 200

/* fgets for an inih reader: NULL with *overlong = 1 at a line that does not fit in size,
 * so that the caller can stop and name it rather than let inih parse its pieces. */
char *kiosk_ini_gets(char *buf, int size, FILE *f, int *overlong);

/* Read path over cfg (which should hold the defaults). On failure cfg may be partly
 * changed and err says where and why: KIOSK_NOT_FOUND/KIOSK_IO for the file,
 * KIOSK_CONFIG for a bad line. Main thread, at start. */
kiosk_rc kiosk_config_load(kiosk_config *cfg, const char *path, kiosk_config_error *err);

/* The same, from a string (tests, fuzzing). */
kiosk_rc kiosk_config_load_string(kiosk_config *cfg, const char *text, kiosk_config_error *err);

/* 1 when url (borrowed) may be the hub: https://HOST…, or, with
 * allow_plain_http_loopback, http://127.0.0.1… or http://[::1]…; else 0. Loading a
 * configuration whose [sync] url fails this is KIOSK_CONFIG with the url's line. */
int kiosk_config_sync_url_ok(const char *url, int allow_plain_http_loopback);

/* The effective screen size for cfg's mode. */
void kiosk_config_screen_size(const kiosk_config *cfg, int *w, int *h);

/* The font stack the screen and the receipt draw with, first font first: each character
 * comes from the first font that has it, so a font added at the end changes no glyph of
 * the others (fonts/README.md says what each file holds). */
#define KIOSK_FONTS 4
typedef struct kiosk_config_fonts {
    char path[KIOSK_FONTS][KIOSK_CONFIG_PATH_MAX + 64];
    const char *list[KIOSK_FONTS]; /* path[i], as ui_text_create and receipt_fonts_load take */
    size_t n;
} kiosk_config_fonts;

/* Fill out (caller's storage) with the stack's files under cfg->fonts_dir: the three
 * Simplified fonts (SC face, its other ideographs, the rare-name font). Any thread. */
void kiosk_config_font_paths(const kiosk_config *cfg, kiosk_config_fonts *out);

/* The same for lang (borrowed; NULL: the Simplified stack): Traditional Chinese puts the
 * TC subset first, so its characters take the TC face's shapes and everything else
 * (Latin, rare characters) falls back to the Simplified stack. Any thread. */
void kiosk_config_font_paths_lang(const kiosk_config *cfg, const char *lang,
                                  kiosk_config_fonts *out);

#endif

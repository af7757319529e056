/*
 * The one error enum of the whole firmware. Every fallible call returns a kiosk_rc;
 * drivers translate their library's codes into it at the boundary. The enum is only
 * ever appended to (values are logged and stored), never renumbered.
 */
#ifndef KIOSK_ERROR_H
#define KIOSK_ERROR_H

typedef enum kiosk_rc {
    KIOSK_OK = 0,
    KIOSK_NOMEM = 1,         /* out of memory */
    KIOSK_IO = 2,            /* read/write failed */
    KIOSK_TIMEOUT = 3,       /* a peer did not answer in time */
    KIOSK_NO_CARD = 4,       /* no card on the reader */
    KIOSK_CARD_REMOVED = 5,  /* the card left during an exchange */
    KIOSK_PIN_WRONG = 6,     /* wrong PIN, tries left */
    KIOSK_PIN_BLOCKED = 7,   /* PIN blocked on the card */
    KIOSK_PAPER_OUT = 8,     /* printer has no paper */
    KIOSK_NET = 9,           /* network unreachable or HTTP failure */
    KIOSK_BUSY = 10,         /* resource busy, try later */
    KIOSK_CORRUPT = 11,      /* stored or received data is damaged */
    KIOSK_INVALID = 12,      /* malformed input */
    KIOSK_NOT_FOUND = 13,    /* no such file, code, record */
    KIOSK_UNSUPPORTED = 14,  /* valid but not supported here */
    KIOSK_DISK_FULL = 15,    /* no space left for durable storage */
    KIOSK_READ_ONLY = 16,    /* storage cannot be written */
    KIOSK_CONFIG = 17,       /* bad configuration */
    KIOSK_CRYPTO = 18,       /* signature or decryption failed */
    KIOSK_UNKNOWN_CODE = 19, /* a code not in its code table */
    KIOSK_RANGE = 20,        /* a value outside its allowed range */
    KIOSK_READER = 21,       /* the card reader is missing or faulty */
    KIOSK_PRINTER = 22,      /* the printer is missing, offline or faulty */
    KIOSK_CARD = 23,         /* the card answered something unexpected */
    KIOSK_FONT = 24,         /* a font is missing, or a character has no glyph */
    KIOSK_AUTH = 25,         /* a peer or a person was refused: unknown key, bad PIN */
    KIOSK_NO_MEDIUM = 26,    /* no USB stick (or other medium) where one is needed */
} kiosk_rc;

/* A short English description of rc for logs and staff tools; never NULL. Any thread. */
const char *kiosk_strerror(kiosk_rc rc);

/* The symbolic name of rc ("KIOSK_PIN_WRONG") for logs and JSON; never NULL. */
const char *kiosk_rc_name(kiosk_rc rc);

#endif

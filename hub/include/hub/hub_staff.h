/*
 * Staff accounts of the hub's web console: hall staff see the units of their halls,
 * region staff see every unit and the audit log. Passwords are kept as argon2id strings
 * (libsodium crypto_pwhash_str, interactive limits); five wrong passwords in a row lock an
 * account for 15 minutes; a session is a random 256-bit token of which the hub keeps only
 * the SHA-256, with a CSRF token beside it, ended by logout or 30 minutes idle. Every
 * login, failed login, lockout and account change is written to the audit table — never a
 * password. The tables live in the hub's store (both backends, through hub_db_query).
 */
#ifndef KIOSK_HUB_STAFF_H
#define KIOSK_HUB_STAFF_H

#include <stddef.h>
#include <stdint.h>

#include "core/kiosk_error.h"
#include "hub/hub_db.h"

#define HUB_STAFF_NAME_MAX 64          /* bytes of a name, terminator included: [A-Za-z0-9._-] */
#define HUB_STAFF_HALLS_MAX 256        /* hall codes, space-separated, terminator included */
#define HUB_STAFF_PASSWORD_MIN 10      /* bytes */
#define HUB_STAFF_PASSWORD_MAX 256     /* bytes */
#define HUB_STAFF_LOCK_FAILURES 5      /* wrong passwords in a row that lock */
#define HUB_STAFF_LOCK_MS (15 * 60000) /* for this long */
#define HUB_STAFF_IDLE_MS (30 * 60000) /* a session unused this long is over */
#define HUB_STAFF_SESSION_MS (12 * 3600000) /* and any session after this */
#define HUB_STAFF_TOKEN_HEX 65              /* 32 random bytes in hex, terminator included */

typedef enum hub_staff_role {
    HUB_STAFF_HALL = 0,   /* sees the units of its halls */
    HUB_STAFF_REGION = 1, /* sees every unit, the audit log */
} hub_staff_role;

typedef struct hub_staff {
    char name[HUB_STAFF_NAME_MAX];
    hub_staff_role role;
    char halls[HUB_STAFF_HALLS_MAX]; /* hall codes separated by one space ("" for region) */
    int disabled;
    int failures;            /* wrong passwords since the last good one */
    int64_t locked_until_ms; /* 0: not locked */
} hub_staff;

/* "hall" or "region" to a role; 0 on success, -1 for another word. */
int hub_staff_role_parse(const char *word, hub_staff_role *out);
const char *hub_staff_role_name(hub_staff_role role);

/* 1 when name (borrowed) is a valid account name. */
int hub_staff_name_ok(const char *name);

/* 1 when s may see a unit of hall (borrowed): region staff see all, hall staff their own
 * halls (a unit of no hall is the region's only). */
int hub_staff_sees_hall(const hub_staff *s, const char *hall);

/* Create an account. password (borrowed) is hashed here and never kept. halls (borrowed,
 * codes separated by spaces or commas) is required for a hall account. actor (borrowed) is
 * who made the change, for the audit ("cli" from the command line). KIOSK_OK; KIOSK_INVALID
 * for a bad name, a password shorter than HUB_STAFF_PASSWORD_MIN, a hall account without
 * halls, or a name taken; KIOSK_NOMEM; a database error. */
kiosk_rc hub_staff_add(hub_db *db, const char *name, const char *password, hub_staff_role role,
                       const char *halls, const char *actor, int64_t now_ms);

/* Every account, ordered by name; *out owned (free()), NULL when *n is 0. */
kiosk_rc hub_staff_list(hub_db *db, hub_staff **out, size_t *n);

/* Disable (1) or enable (0) an account; disabling ends its sessions. KIOSK_NOT_FOUND. */
kiosk_rc hub_staff_set_disabled(hub_db *db, const char *name, int disabled, const char *actor,
                                int64_t now_ms);

/* A new password (borrowed; checked as in add): ends its sessions, clears the lockout.
 * KIOSK_NOT_FOUND, KIOSK_INVALID. */
kiosk_rc hub_staff_set_password(hub_db *db, const char *name, const char *password,
                                const char *actor, int64_t now_ms);

/* A login from address (borrowed, for the audit). On success a new session: token and
 * csrf (caller storage, HUB_STAFF_TOKEN_HEX) and *who filled. KIOSK_AUTH for an unknown
 * name, a wrong password or a disabled account (one answer for all three, and as slow);
 * KIOSK_BUSY while the account is locked (the right password too); a database error. */
kiosk_rc hub_staff_login(hub_db *db, const char *name, const char *password, const char *address,
                         int64_t now_ms, char token[HUB_STAFF_TOKEN_HEX],
                         char csrf[HUB_STAFF_TOKEN_HEX], hub_staff *who);

/* The same login in three steps, so that the password's check (argon2id, ~0.2 s and
 * 64 MiB) runs away from the thread that holds the database — a hub's one polling thread,
 * whose kiosks would wait: begin (database: the account's row; name, password and address
 * borrowed, copied into job), check (any thread: the password against the hash, nothing
 * else; the password wiped), finish (database: lockout, session, audit; the job wiped).
 * finish answers as hub_staff_login; begin fails only on a database error. */
#define HUB_STAFF_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
typedef struct hub_staff_login_job {
    char name[HUB_STAFF_NAME_MAX], shown[HUB_STAFF_NAME_MAX], address[64];
    char password[HUB_STAFF_PASSWORD_MAX + 1];
    char hash[HUB_STAFF_HASH_MAX]; /* the account's, or a dummy one for a name unknown */
    int64_t now_ms;
    int found; /* the account exists: staff is its row */
    hub_staff staff;
    int good; /* check: the password is right */
} hub_staff_login_job;
kiosk_rc hub_staff_login_begin(hub_db *db, const char *name, const char *password,
                               const char *address, int64_t now_ms, hub_staff_login_job *job);
void hub_staff_login_check(hub_staff_login_job *job);
kiosk_rc hub_staff_login_finish(hub_db *db, hub_staff_login_job *job,
                                char token[HUB_STAFF_TOKEN_HEX], char csrf[HUB_STAFF_TOKEN_HEX],
                                hub_staff *who);

/* The session of token (borrowed): KIOSK_OK with *who and csrf (caller storage) filled and
 * its idle time restarted; KIOSK_AUTH when there is none, it is over (then removed), or
 * its account is disabled. */
kiosk_rc hub_staff_session(hub_db *db, const char *token, int64_t now_ms, hub_staff *who,
                           char csrf[HUB_STAFF_TOKEN_HEX]);

/* End the session of token (borrowed); unknown tokens are fine. */
kiosk_rc hub_staff_logout(hub_db *db, const char *token, const char *address, int64_t now_ms);

/* Append to the audit: who, action ("login", "login_failed", "locked", "export", …) and
 * detail (borrowed; never a password, nothing about a citizen). */
kiosk_rc hub_staff_audit(hub_db *db, int64_t now_ms, const char *who, const char *action,
                         const char *detail, const char *address);

/* Set the hall code of a registered device (public key borrowed; hall borrowed, "" for
 * none). KIOSK_NOT_FOUND for a device never added. */
kiosk_rc hub_device_set_hall(hub_db *db, const uint8_t public_key[32], const char *hall);

#endif

/*
 * RAUC through its command line: `rauc info` checks a bundle's signature against the
 * keyring and names its version, `rauc install` hands the bundle to RAUC's service (over
 * D-Bus), `rauc status` names the booted slot. Output is read to classify a failure into
 * a short code; it is never shown to citizens.
 */
#include <errno.h>
#include <jansson.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/kiosk_log.h"
#include "update/update.h"

extern char **environ;

#define OUT_MAX (256 * 1024)

int update_rauc_progress_line(const char *line)
{
    while (*line == ' ')
        line++;
    int pct = 0, digits = 0;
    for (; *line >= '0' && *line <= '9' && digits < 4; line++, digits++)
        pct = pct * 10 + (*line - '0');
    return digits >= 1 && digits <= 3 && pct <= 100 && line[0] == '%' && line[1] == ' ' ? pct : -1;
}

/* Each whole line of out[from, len) that is a progress line, into *progress. */
static void take_progress(const char *out, size_t *from, size_t len, _Atomic int *progress)
{
    for (size_t i = *from; i < len; i++) {
        if (out[i] != '\n')
            continue;
        char line[160];
        size_t n = i - *from < sizeof line - 1 ? i - *from : sizeof line - 1;
        memcpy(line, out + *from, n);
        line[n] = '\0';
        int pct = update_rauc_progress_line(line);
        if (pct >= 0)
            atomic_store(progress, pct);
        *from = i + 1;
    }
}

/* Run argv, its stdout and stderr into out (NUL-terminated, *out owned, free()); with
 * progress (not NULL), each percentage line as it comes. The exit status, or -1 when it
 * could not run. */
static int run_progress(char *const argv[], char **out, _Atomic int *progress)
{
    *out = NULL;
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return -1;
    }
    char *buf = malloc(OUT_MAX + 1);
    size_t len = 0, seen = 0;
    ssize_t n;
    char sink[4096];
    while ((n = read(fds[0], buf && len < OUT_MAX ? buf + len : sink,
                     buf && len < OUT_MAX ? OUT_MAX - len : sizeof sink)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (buf && len < OUT_MAX) {
            len += (size_t)n;
            if (progress)
                take_progress(buf, &seen, len, progress);
        }
    }
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (buf)
        buf[len] = '\0';
    *out = buf;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run(char *const argv[], char **out)
{
    return run_progress(argv, out, NULL);
}

static const char *classify(const char *out)
{
    if (!out)
        return "install_failed";
    if (strstr(out, "refusing downgrade"))
        return "older_version";
    if (strstr(out, "signature") || strstr(out, "Signature") || strstr(out, "certificate"))
        return "bad_signature";
    if (strstr(out, "ompatible"))
        return "not_compatible";
    if (strstr(out, "No space") || strstr(out, "no space"))
        return "no_space";
    return "install_failed";
}

static kiosk_rc cli_info(void *ctx, const char *bundle, char *version, char *detail, size_t dn)
{
    update_rauc_cli *cli = ctx;
    char kr[600];
    snprintf(kr, sizeof kr, "--keyring=%s", cli->keyring);
    char *argv[] = {"rauc", "info", "--output-format=json", cli->keyring[0] ? kr : NULL,
                    NULL,   NULL};
    if (cli->keyring[0])
        argv[4] = (char *)bundle;
    else
        argv[3] = (char *)bundle;
    char *out;
    int st = run(argv, &out);
    kiosk_rc rc = KIOSK_CRYPTO;
    version[0] = '\0';
    if (st == 0 && out) {
        /* the JSON is the last line (RAUC may log before it) */
        char *j = strrchr(out, '{') ? strstr(out, "{\"") : NULL;
        json_error_t err;
        json_t *root = j ? json_loads(j, JSON_DISABLE_EOF_CHECK, &err) : NULL;
        const char *v = json_string_value(json_object_get(root, "version"));
        if (v && update_version_ok(v)) {
            snprintf(version, UPDATE_VERSION_MAX, "%s", v);
            rc = KIOSK_OK;
        } else {
            snprintf(detail, dn, "bad_bundle");
            rc = KIOSK_INVALID;
        }
        json_decref(root);
    } else {
        snprintf(detail, dn, st < 0 && !out ? "no_rauc" : "bad_signature");
        if (out)
            kiosk_log_info("update", "rauc info refused the bundle: %.200s", out);
    }
    free(out);
    return rc;
}

static kiosk_rc cli_install(void *ctx, const char *bundle, _Atomic int *progress, char *detail,
                            size_t dn)
{
    (void)ctx;
    char *argv[] = {"rauc", "install", (char *)bundle, NULL};
    char *out;
    int st = run_progress(argv, &out, progress);
    if (st == 0) {
        free(out);
        return KIOSK_OK;
    }
    snprintf(detail, dn, "%s", classify(out));
    kiosk_log_info("update", "rauc install failed: %.300s", out ? out : "(did not run)");
    free(out);
    return strcmp(detail, "bad_signature") == 0   ? KIOSK_CRYPTO
           : strcmp(detail, "older_version") == 0 ? KIOSK_RANGE
                                                  : KIOSK_IO;
}

static kiosk_rc cli_booted(void *ctx, char *slot, size_t n)
{
    (void)ctx;
    char *argv[] = {"rauc", "status", "--output-format=json", NULL};
    char *out;
    int st = run(argv, &out);
    kiosk_rc rc = KIOSK_IO;
    slot[0] = '\0';
    if (st == 0 && out) {
        char *j = strstr(out, "{\"");
        json_error_t err;
        json_t *root = j ? json_loads(j, JSON_DISABLE_EOF_CHECK, &err) : NULL;
        const char *b = json_string_value(json_object_get(root, "booted"));
        if (b) {
            snprintf(slot, n, "%s", b);
            rc = KIOSK_OK;
        }
        json_decref(root);
    }
    free(out);
    return rc;
}

static kiosk_rc cli_reboot(void *ctx)
{
    update_rauc_cli *cli = ctx;
    char *out;
    int st;
    if (cli->reboot_command[0]) {
        char *argv[] = {"/bin/sh", "-c", cli->reboot_command, NULL};
        st = run(argv, &out);
    } else {
        char *argv[] = {"systemctl", "reboot", NULL};
        st = run(argv, &out);
    }
    free(out);
    return st == 0 ? KIOSK_OK : KIOSK_IO;
}

void update_rauc_cli_init(update_rauc *ops, update_rauc_cli *cli, const char *keyring)
{
    memset(ops, 0, sizeof *ops);
    snprintf(cli->keyring, sizeof cli->keyring, "%s", keyring ? keyring : "");
    ops->info = cli_info;
    ops->install = cli_install;
    ops->booted = cli_booted;
    ops->reboot = cli_reboot;
    ops->ctx = cli;
}

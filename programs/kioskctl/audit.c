/*
 * `kioskctl audit`: the hash-chained audit log shown and verified.
 */
#include "kioskctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/kiosk_config.h"
#include "store/store.h"

static int print_audit(void *ctx, const store_audit_entry *e)
{
    (void)ctx;
    time_t t = (time_t)(e->at_ms / 1000);
    struct tm tm;
    char when[32];
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    printf("%6lld %s %-12s %-22s %s%s%s\n", (long long)e->id, when, e->actor, e->action, e->subject,
           e->subject[0] && e->detail[0] ? " " : "", e->detail);
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"lines", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL;
    long lines = 30;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "c:n:", opts, NULL)) != -1) {
        if (c == 'c')
            config_path = optarg;
        else if (c == 'n')
            lines = strtol(optarg, NULL, 10);
        else
            return EXIT_USAGE;
    }
    const char *what = optind < argc ? argv[optind] : "";
    if (optind != argc - 1 || (strcmp(what, "verify") && strcmp(what, "show")) || lines < 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    kiosk_config cfg;
    store_device_key key;
    store *st;
    int code = open_state(config_path, &cfg, &key, &st);
    if (code != EXIT_VALID)
        return code;
    if (!strcmp(what, "show")) {
        code = store_audit_recent(st, (size_t)lines, print_audit, NULL) == KIOSK_OK ? EXIT_VALID
                                                                                    : EXIT_STATE;
    } else {
        store_audit_check chk;
        kiosk_rc rc = store_audit_verify(st, &chk);
        int64_t anchor = 0;
        kiosk_rc arc = rc == KIOSK_OK ? store_audit_anchor_verify(st, &anchor) : KIOSK_OK;
        if (rc == KIOSK_OK && arc == KIOSK_CORRUPT) {
            /* whole in itself, but not the log the hub was shown: rolled back or copied */
            printf("audit log rolled back: the hub holds entry %lld, which this log lacks"
                   " (%lld entries)\n",
                   (long long)anchor, (long long)chk.entries);
            code = EXIT_ALTERED;
        } else if (rc == KIOSK_OK && arc != KIOSK_OK) {
            code = EXIT_STATE;
        } else if (rc == KIOSK_OK) {
            printf("audit log intact: %lld entries", (long long)chk.entries);
            if (anchor)
                printf(", the hub's anchor (entry %lld) included", (long long)anchor);
            printf("\n");
        } else if (rc == KIOSK_CORRUPT) {
            printf("audit log altered: entry %lld was changed, removed or cut off\n",
                   (long long)chk.first_bad);
            code = EXIT_ALTERED;
        } else {
            code = EXIT_STATE;
        }
    }
    close_state(st, &key);
    return code;
}

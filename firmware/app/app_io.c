/*
 * The I/O worker: one thread, one job slot. Jobs are small structs; the submission's
 * texts are heap copies wiped after the save.
 */
#include "app/app_io.h"

#include <dirent.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "config/kiosk_config.h"
#include "config/kiosk_strings.h"
#include "proto/sync_proto.h"
#include "core/kiosk_log.h"
#include "proto/health_proto.h"
#include "identity/identity_health.h"
#include "power/power.h"
#include "domain/followup.h"
#include "receipt/receipt_job.h"
#include "proto/receipt_payload.h"
#include "store/draft.h"
#include "store/staff.h"
#include "store/store.h"
#include "proto/sync_proto.h"
#include "sync/sync.h"
#include "update/update.h"

typedef struct job {
    app_io_kind kind;
    char *registration_json, *evidence_json, *version, *masked_name, *masked_id, *id_number;
    uint8_t sha[32];
    char receipt_no[40];
    int copy;
    int hant;             /* print in Traditional Chinese */
    char record_type[16]; /* APP_IO_SAVE: the record's type */
    char pin[24];
    char who[32], action[48], subject[64], detail[160];
    char dir[512];
    int days;
    app_io_plan plan;
    bool slip_agency;
    int slip_level;
    char slip_title[256], slip_values[3][512];
} job;

struct app_io {
    kiosk_config cfg;
    const kiosk_clock *clock; /* kept: receipt numbers, record times, the purge cut-off */
    app_io_callback cb;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    job queue[APP_IO_QUEUE];
    size_t head, count;
    /* the draft slot (app_io_draft_put/clear): 0 nothing to do, 1 write, 2 remove */
    int draft_op;
    char *draft_id, *draft_body;
    /* owned by the thread */
    int draft_there; /* a draft file may be on disk: the idle sweep looks at it */
    store_device_key key;
    store *store;
    receipt_fonts *fonts;
    int fonts_hant;         /* fonts is the Traditional stack */
    kiosk_strings *strings; /* the receipt's Chinese: zh_CN */
    kiosk_strings *hant;    /* zh_Hant, loaded at the first Traditional receipt */
    printer *printer;       /* NULL: none could be opened (printer_rc says why) */
    kiosk_rc printer_rc;
    int printer_reported; /* printer_rc was reported at least once */
    kiosk_rc store_rc;    /* the last store_ready said */
    int store_reported;
    int64_t store_checked_ms;
    kiosk_rc open_rc;
    /* 软件更新: RAUC (the command line, or a test's double; under mu) */
    update_rauc rauc;
    update_rauc_cli rauc_cli;
    _Atomic int update_progress; /* the install's percentage; -1 before one */
};

/* The printer as last seen, for the health report (app_io_printer_health). */
static atomic_int printer_health = HEALTH_PRINTER_UNKNOWN;

int app_io_printer_health(void)
{
    return atomic_load(&printer_health);
}

/* What a printer's rc says of it. */
static void note_printer(const app_io *io, kiosk_rc rc)
{
    int h = rc == KIOSK_OK ? (io->cfg.printer_backend == KIOSK_PRINTER_FILE ? HEALTH_PRINTER_IMAGE
                                                                            : HEALTH_PRINTER_OK)
            : rc == KIOSK_PAPER_OUT ? HEALTH_PRINTER_PAPER_OUT
            : !io->printer          ? HEALTH_PRINTER_OFFLINE
                                    : HEALTH_PRINTER_FAULT;
    atomic_store(&printer_health, h);
}

/* How often a missing printer is looked for again. */
#define PRINTER_RETRY_MS 3000

static void wipe_text(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

static void job_clear(job *j)
{
    wipe_text(j->registration_json);
    wipe_text(j->evidence_json);
    wipe_text(j->masked_name);
    wipe_text(j->masked_id);
    wipe_text(j->id_number);
    free(j->version);
    explicit_bzero(j, sizeof *j); /* the PIN too */
}

/* Open what the jobs need; a failure is kept and answered to every job. */
static void open_all(app_io *io)
{
    char path[KIOSK_CONFIG_PATH_MAX + 64];
    kiosk_rc rc = store_device_key_load(io->cfg.state_dir, &io->key);
    if (rc == KIOSK_OK) {
        snprintf(path, sizeof path, "%s/kiosk.db", io->cfg.state_dir);
        rc = store_open(path, io->cfg.hall_code, &io->key, io->clock, &io->store);
    }
    if (rc != KIOSK_OK)
        kiosk_log_error("io", "the record store in %s cannot be used: %s", io->cfg.state_dir,
                        kiosk_strerror(rc));
    if (rc == KIOSK_OK) {
        /* the purge floor: the same configured retention as kioskctl's */
        store_set_retention_days(io->store, io->cfg.retention_days);
        kiosk_config_fonts fonts;
        kiosk_config_font_paths(&io->cfg, &fonts);
        char dir[KIOSK_CONFIG_PATH_MAX + 16];
        snprintf(dir, sizeof dir, "%s/strings", io->cfg.assets_dir);
        /* receipts are printed in Chinese (zh_Hant for a Traditional reader: receipt_strings) */
        /* the fonts are checked here and opened again for each print: FreeType's faces and
         * caches stay out of memory between receipts */
        rc = receipt_fonts_load(fonts.list, fonts.n, &io->fonts);
        receipt_fonts_destroy(io->fonts);
        io->fonts = NULL;
        if (rc == KIOSK_OK)
            rc = kiosk_strings_load(dir, "zh_CN", &io->strings, NULL);
        if (rc != KIOSK_OK)
            kiosk_log_error("io", "receipt fonts or strings missing: %s", kiosk_strerror(rc));
    }
    io->open_rc = rc;
}

/* Open the configured printer if it is not open, and say so when that changes: a
 * printer that cannot be opened is a fault (the screens tell citizens and staff), and
 * it is looked for again every PRINTER_RETRY_MS, as the reader is. */
static void open_printer(app_io *io)
{
    if (io->printer)
        return;
    kiosk_rc rc = receipt_printer_open(&io->cfg, &io->printer);
    if (rc == io->printer_rc && io->printer_reported)
        return;
    if (rc == KIOSK_OK)
        kiosk_log_info("io", "the printer is ready");
    else
        kiosk_log_error("io", "printer fault: %s cannot be opened: %s",
                        io->cfg.printer_backend == KIOSK_PRINTER_FILE ? io->cfg.printer_output_dir
                                                                      : io->cfg.printer_device,
                        kiosk_strerror(rc));
    io->printer_rc = rc;
    io->printer_reported = 1;
    note_printer(io, rc);
    app_io_result r = {.kind = APP_IO_PRINTER, .rc = rc};
    io->cb(io->ctx, &r);
}

/* Can a record be saved now? Say so when that changes, so a kiosk that cannot save is
 * out of service before a citizen starts, not after the form. */
static void check_store(app_io *io)
{
    kiosk_rc rc =
        io->open_rc != KIOSK_OK ? io->open_rc : store_ready(io->store, APP_IO_MIN_FREE_BYTES);
    io->store_checked_ms = kiosk_clock_mono_ms(kiosk_clock_system());
    if (rc == io->store_rc && io->store_reported)
        return;
    if (rc == KIOSK_OK)
        kiosk_log_info("io", "records can be saved");
    else
        kiosk_log_error("io", "records cannot be saved now: %s", kiosk_strerror(rc));
    io->store_rc = rc;
    io->store_reported = 1;
    app_io_result r = {.kind = APP_IO_STORE, .rc = rc};
    io->cb(io->ctx, &r);
}

/* A print failed in a way that may mean the device went away: close it, so the next
 * job (or the retry) opens it afresh — and reports a fault if it is gone. */
static void recheck_printer(app_io *io, kiosk_rc print_rc)
{
    if (print_rc != KIOSK_PRINTER && print_rc != KIOSK_IO && print_rc != KIOSK_NOT_FOUND)
        return;
    printer_close(io->printer);
    io->printer = NULL;
    open_printer(io);
}

static kiosk_rc open_fonts(app_io *io, int hant)
{
    if (io->fonts && io->fonts_hant == hant)
        return KIOSK_OK;
    receipt_fonts_destroy(io->fonts);
    io->fonts = NULL;
    kiosk_config_fonts fonts;
    kiosk_config_font_paths_lang(&io->cfg, hant ? "zh_Hant" : NULL, &fonts);
    io->fonts_hant = hant;
    return receipt_fonts_load(fonts.list, fonts.n, &io->fonts);
}

/* The receipt's strings: zh_CN, or zh_Hant for a citizen who read Traditional Chinese (a
 * unit without the file prints Simplified). English screens print Chinese: the receipt is
 * also the hall's record, read by its staff. */
static const kiosk_strings *receipt_strings(app_io *io, int hant)
{
    if (hant && !io->hant) {
        char dir[KIOSK_CONFIG_PATH_MAX + 16];
        snprintf(dir, sizeof dir, "%s/strings", io->cfg.assets_dir);
        if (kiosk_strings_load(dir, "zh_Hant", &io->hant, NULL) != KIOSK_OK)
            kiosk_log_error("io", "no zh_Hant strings: the receipt is printed in zh_CN");
    }
    return hant && io->hant ? io->hant : io->strings;
}

static void close_fonts(app_io *io)
{
    receipt_fonts_destroy(io->fonts);
    io->fonts = NULL;
    malloc_trim(0);
}

/* 1 when dir is the top of a mounted filesystem (a USB stick), not a folder of the
 * filesystem it sits in. */
static int is_mount_point(const char *dir)
{
    char parent[PATH_MAX];
    struct stat d, p;
    snprintf(parent, sizeof parent, "%s/..", dir);
    if (stat(dir, &d) != 0 || !S_ISDIR(d.st_mode) || stat(parent, &p) != 0)
        return 0;
    return d.st_dev != p.st_dev || d.st_ino == p.st_ino;
}

/* The rejected records counted by the hub's reason, for the dashboard: "seq_conflict 2,
 * bad_record_signature 1" into out (cut short when long). */
typedef struct reason_count {
    char reason[8][SYNC_REASON_MAX];
    int64_t n[8];
    size_t k;
} reason_count;

static int count_refused(void *ctx, const store_summary *rec, const char *reason)
{
    (void)rec;
    reason_count *rc = ctx;
    size_t i = 0;
    while (i < rc->k && strcmp(rc->reason[i], reason) != 0)
        i++;
    if (i == rc->k) {
        if (rc->k == 8)
            return 0;
        snprintf(rc->reason[rc->k++], SYNC_REASON_MAX, "%s", reason[0] ? reason : "?");
    }
    rc->n[i]++;
    return 0;
}

static void refused_reasons(store *s, char *out, size_t size)
{
    reason_count rc = {0};
    out[0] = '\0';
    if (store_rejected_each(s, count_refused, &rc) != KIOSK_OK)
        return;
    size_t len = 0;
    for (size_t i = 0; i < rc.k && len < size; i++) {
        int w = snprintf(out + len, size - len, "%s%s %lld", i ? ", " : "", rc.reason[i],
                         (long long)rc.n[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

/* 我的办理记录: the states last heard for the records in r (found: their summaries), the
 * local list reported at once, then the hub asked (APP_IO_HUB_TIMEOUT_S at most) and r
 * turned into the APP_IO_RECORD_STATES the worker reports. */
static void records_hub_states(app_io *io, const store_summary *found, app_io_result *r)
{
    char uuids[APP_IO_RECORDS_MAX][SYNC_UUID_LEN + 1];
    size_t n = 0;
    for (int i = 0; i < r->nrecords; i++) {
        store_hub_state hs;
        if (store_hub_state_get(io->store, found[i].uuid, &hs) == KIOSK_OK &&
            hs.state > SYNC_STATE_UNKNOWN && hs.state < SYNC_STATE_COUNT) {
            r->records[i].hub_state = hs.state;
            snprintf(r->records[i].hub_note, sizeof r->records[i].hub_note, "%s", hs.note);
            r->records[i].hub_changed_ms = hs.changed_ms;
            if (hs.heard_ms > r->hub_heard_ms)
                r->hub_heard_ms = hs.heard_ms;
        }
        if (sync_uuid_valid(found[i].uuid))
            memcpy(uuids[n++], found[i].uuid, SYNC_UUID_LEN + 1);
    }
    int ask = io->cfg.sync_url[0] && n == (size_t)r->nrecords && n > 0;
    r->hub_answer = ask ? 0 : 2;
    io->cb(io->ctx, r); /* the local list, at once */
    if (!ask)
        return;
    r->kind = APP_IO_RECORD_STATES;
    sync_config sc = {
        .url = io->cfg.sync_url,
        .allow_plain_http_loopback = io->cfg.sync_allow_plain_http_loopback,
        .ca_file = io->cfg.sync_ca_file[0] ? io->cfg.sync_ca_file : NULL,
        .key = &io->key,
        .timeout_s = APP_IO_HUB_TIMEOUT_S,
        .clock = io->clock,
    };
    sync_record_state st[APP_IO_RECORDS_MAX];
    int64_t hub_now = 0;
    char why[160] = "";
    kiosk_rc rc = sync_query_states(&sc, io->store, (const char(*)[SYNC_UUID_LEN + 1]) uuids, n, st,
                                    &hub_now, why, sizeof why);
    if (rc != KIOSK_OK) {
        kiosk_log_warn("io", "the hub's states of %zu records were not had: %s", n, why);
        r->hub_answer = -1;
        r->rc = rc;
        return;
    }
    int64_t heard = kiosk_clock_now_ms(io->clock);
    for (size_t i = 0; i < n; i++) {
        app_io_record *o = &r->records[i];
        o->hub_state = (int)st[i].state;
        snprintf(o->hub_note, sizeof o->hub_note, "%s", st[i].note);
        o->hub_changed_ms = st[i].changed_ms;
        if (st[i].state == SYNC_STATE_UNKNOWN)
            continue; /* not at the hub (yet): nothing to keep */
        store_hub_state hs = {
            .state = (int)st[i].state, .changed_ms = st[i].changed_ms, .heard_ms = heard};
        snprintf(hs.note, sizeof hs.note, "%s", st[i].note);
        if (store_hub_state_put(io->store, uuids[i], &hs) != KIOSK_OK)
            kiosk_log_warn("io", "a record's hub state could not be kept");
    }
    r->hub_answer = 1;
    r->hub_heard_ms = heard;
    kiosk_log_info("io", "the hub answered for %zu records", n);
}

/* ---- 软件更新 from a stick ---- */

static int bundle_cmp(const void *a, const void *b)
{
    return strcmp(((const app_io_bundle *)a)->name, ((const app_io_bundle *)b)->name);
}

static void run_update_job(app_io *io, job *j, app_io_result *r)
{
    pthread_mutex_lock(&io->mu);
    update_rauc rauc = io->rauc;
    pthread_mutex_unlock(&io->mu);
    if (j->kind == APP_IO_UPDATE_REBOOT) {
        store_audit(io->store, j->who, "update.reboot", "", "menu");
        r->rc = rauc.reboot ? rauc.reboot(rauc.ctx) : KIOSK_UNSUPPORTED;
        return;
    }
    if (io->cfg.export_mount && !is_mount_point(j->dir)) {
        r->rc = KIOSK_NO_MEDIUM;
        return;
    }
    if (j->kind == APP_IO_UPDATE_LIST) {
        DIR *d = opendir(j->dir);
        if (!d) {
            r->rc = KIOSK_NO_MEDIUM;
            return;
        }
        struct dirent *e;
        while ((e = readdir(d)) != NULL && r->nbundles < APP_IO_BUNDLES_MAX) {
            if (!update_name_ok(e->d_name))
                continue;
            app_io_bundle *b = &r->bundles[r->nbundles++];
            snprintf(b->name, sizeof b->name, "%.127s", e->d_name);
        }
        closedir(d);
        qsort(r->bundles, (size_t)r->nbundles, sizeof r->bundles[0], bundle_cmp);
        for (int i = 0; i < r->nbundles; i++) {
            app_io_bundle *b = &r->bundles[i];
            char path[700];
            snprintf(path, sizeof path, "%s/%s", j->dir, b->name);
            b->valid =
                rauc.info(rauc.ctx, path, b->version, b->detail, sizeof b->detail) == KIOSK_OK;
        }
        r->rc = r->nbundles ? KIOSK_OK : KIOSK_NOT_FOUND;
        return;
    }
    char path[700], running[UPDATE_VERSION_MAX], db[KIOSK_CONFIG_PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", j->dir, j->detail);
    update_running_version(io->cfg.update_release_file, "", running);
    snprintf(db, sizeof db, "%s/kiosk.db", io->cfg.state_dir);
    update_config uc = {.key = &io->key,
                        .state_dir = io->cfg.state_dir,
                        .db_path = db,
                        .hall_code = io->cfg.hall_code,
                        .running_version = running[0] ? running : NULL,
                        .margin_bytes = (uint64_t)io->cfg.update_margin_mb << 20,
                        .progress = &io->update_progress,
                        .clock = io->clock};
    if (!update_name_ok(j->detail)) {
        r->rc = KIOSK_INVALID;
        snprintf(r->update_detail, sizeof r->update_detail, "bad_bundle");
    } else {
        r->rc = update_install(&uc, &rauc, io->store, path, r->update_version, r->update_detail,
                               sizeof r->update_detail);
    }
    store_audit(io->store, j->who, "update.usb", j->detail, r->update_detail);
}

static void run_job(app_io *io, job *j, app_io_result *r)
{
    memset(r, 0, sizeof *r);
    r->kind = j->kind;
    if (io->open_rc != KIOSK_OK) {
        r->rc = io->open_rc;
        return;
    }
    switch (j->kind) {
    case APP_IO_UPDATE_LIST:
    case APP_IO_UPDATE_INSTALL:
    case APP_IO_UPDATE_REBOOT:
        run_update_job(io, j, r);
        break;
    case APP_IO_READY:
        r->rc = store_ready(io->store, APP_IO_MIN_FREE_BYTES);
        break;
    case APP_IO_SAVE: {
        store_submission sub = {j->registration_json,
                                j->evidence_json,
                                j->version,
                                j->sha,
                                j->masked_name,
                                j->masked_id,
                                j->record_type[0] ? j->record_type : NULL};
        store_saved saved;
        r->rc = store_save_citizen(io->store, &sub, j->id_number, &saved);
        if (r->rc == KIOSK_OK)
            snprintf(r->receipt_no, sizeof r->receipt_no, "%s", saved.receipt_no);
        else
            kiosk_log_error("io", "saving a registration failed: %s", kiosk_strerror(r->rc));
        if (r->rc == KIOSK_OK && j->plan.on) {
            /* the plan beside the record, for a 副本 (lost with a power cut just here: the
             * copy then prints without it, as records of before do) */
            char due[16];
            snprintf(due, sizeof due, "%04d-%02d-%02d", j->plan.by.year, j->plan.by.month,
                     j->plan.by.day);
            kiosk_rc pr = store_set_plan(io->store, saved.receipt_no, j->plan.intents, due);
            if (pr != KIOSK_OK)
                kiosk_log_warn("io", "the follow-up plan is not kept: %s", kiosk_strerror(pr));
        }
        break;
    }
    case APP_IO_PRINT: {
        const kiosk_strings *strings = receipt_strings(io, j->hant);
        int hant = strings != io->strings;
        if (open_fonts(io, hant) != KIOSK_OK) {
            r->rc = KIOSK_FONT;
            break;
        }
        open_printer(io);
        receipt_job rj = {io->store, &io->key, io->fonts, strings, &io->cfg, io->printer};
        receipt_plan plan = {.n = 0};
        store_summary kept;
        if (!j->plan.on && j->copy && store_find(io->store, j->receipt_no, &kept) == KIOSK_OK &&
            kept.plan_on && kiosk_date_parse(kept.plan_due, &j->plan.by) == KIOSK_OK) {
            /* a 副本 from 我的办理记录: the plan the original printed, kept beside it */
            j->plan.on = true;
            j->plan.intents = kept.plan_intents;
        }
        if (j->plan.on) {
            static const char *const keys[FOLLOWUP_COUNT] = {
                "plan.job", "plan.training", "plan.business", "plan.insurance", "plan.unsure"};
            for (int i = 0; i < FOLLOWUP_COUNT && plan.n < RECEIPT_PLAN_MAX; i++)
                if (j->plan.intents & (1u << i))
                    plan.keys[plan.n++] = keys[i];
            if (plan.n == 0)
                plan.keys[plan.n++] = "plan.general";
            plan.by = j->plan.by;
        }
        for (int i = 0; i < j->plan.lines.n && i < RECEIPT_TYPE_LINES_MAX; i++) {
            plan.line_keys[plan.nlines] = j->plan.lines.key[i];
            plan.line_values[plan.nlines++] = j->plan.lines.value[i];
        }
        snprintf(r->receipt_no, sizeof r->receipt_no, "%s", j->receipt_no);
        r->rc = receipt_job_print_plan(&rj, j->receipt_no, j->copy, &plan, &r->preview);
        if (r->rc != KIOSK_OK && r->rc != KIOSK_NOT_FOUND)
            recheck_printer(io, r->rc);
        if (j->copy && r->rc != KIOSK_NOT_FOUND)
            store_audit(io->store, j->who[0] ? j->who : "citizen", "receipt.reprint", j->receipt_no,
                        kiosk_rc_name(r->rc));
        break;
    }
    case APP_IO_SLIP: {
        const kiosk_strings *strings = receipt_strings(io, j->hant);
        if (open_fonts(io, strings != io->strings) != KIOSK_OK) {
            r->rc = KIOSK_FONT;
            break;
        }
        open_printer(io);
        static const char *const levels[4] = {"info.level_city", "info.level_district",
                                              "info.level_street", "info.level_community"};
        receipt_slip slip = {.kind =
                                 kiosk_strings_get(strings, j->slip_agency ? "receipt.slip_agency"
                                                                           : "receipt.slip_policy"),
                             .title = j->slip_title,
                             .job_title = j->slip_agency ? "slip-agency" : "slip-policy"};
        if (j->slip_agency) {
            int l = j->slip_level >= 0 && j->slip_level < 4 ? j->slip_level : 0;
            slip.lines[slip.nlines++] =
                (receipt_line){kiosk_strings_get(strings, "receipt.slip_level"),
                               kiosk_strings_get(strings, levels[l])};
            slip.lines[slip.nlines++] =
                (receipt_line){kiosk_strings_get(strings, "info.address"), j->slip_values[0]};
            slip.lines[slip.nlines++] =
                (receipt_line){kiosk_strings_get(strings, "info.phone"), j->slip_values[1]};
            slip.lines[slip.nlines++] =
                (receipt_line){kiosk_strings_get(strings, "info.hours"), j->slip_values[2]};
        } else {
            slip.lines[slip.nlines++] =
                (receipt_line){kiosk_strings_get(strings, "info.who"), j->slip_values[0]};
            slip.lines[slip.nlines++] =
                (receipt_line){kiosk_strings_get(strings, "info.how"), j->slip_values[1]};
        }
        r->rc = receipt_slip_print(io->fonts, strings, &io->cfg, io->printer, &slip, &r->preview);
        if (r->rc != KIOSK_OK)
            recheck_printer(io, r->rc);
        /* a print like any other in the audit log: what was printed, never who asked */
        store_audit(io->store, "citizen", "slip.print", j->subject, kiosk_rc_name(r->rc));
        break;
    }
    case APP_IO_LOGIN: {
        staff_account who;
        r->rc =
            staff_login(io->store, j->subject[0] ? j->subject : NULL, j->pin, &who, &r->retry_ms);
        if (r->rc == KIOSK_OK) {
            snprintf(r->name, sizeof r->name, "%s", who.name);
            r->role = (int)who.role;
        }
        break;
    }
    case APP_IO_DASHBOARD: {
        store_counts n;
        store_sync_note note;
        r->rc = store_count(io->store, &n);
        if (r->rc == KIOSK_OK)
            r->rc = store_sync_info(io->store, &note);
        if (r->rc == KIOSK_OK) {
            memcpy(r->counts, n.by_state, sizeof r->counts);
            r->last_sync_ok_ms = note.last_ok_ms;
            r->last_sync_attempt_ms = note.last_attempt_ms;
            snprintf(r->last_sync_error, sizeof r->last_sync_error, "%s", note.last_error);
        }
        if (r->rc == KIOSK_OK && n.by_state[STORE_REJECTED] > 0)
            refused_reasons(io->store, r->refused, sizeof r->refused);
        struct statvfs vfs;
        if (statvfs(io->cfg.state_dir, &vfs) == 0)
            r->free_mb = (uint64_t)vfs.f_bavail * vfs.f_frsize >> 20;
        /* the printer as it says it is now (DLE EOT), not as configured */
        if (io->cfg.printer_backend == KIOSK_PRINTER_FILE) {
            r->printer_state = 0;
        } else if (!io->printer) {
            r->printer_state = 3;
        } else {
            escpos_status ps;
            kiosk_rc prc = io->printer->ops->status(io->printer, &ps);
            if (prc == KIOSK_OK)
                prc = escpos_status_rc(&ps);
            r->printer_state = prc == KIOSK_OK            ? 1
                               : prc == KIOSK_PAPER_OUT   ? 2
                               : prc == KIOSK_UNSUPPORTED ? 1
                                                          : 3;
            note_printer(io, prc == KIOSK_UNSUPPORTED ? KIOSK_OK : prc);
        }
        receipt_device_id(io->key.public_key, r->device_id);
        uint8_t h[32];
        crypto_hash_sha256(h, io->key.public_key, 32);
        sodium_bin2hex(r->fingerprint, sizeof r->fingerprint, h, 8);
        break;
    }
    case APP_IO_PRINT_TEST:
        open_printer(io);
        r->rc = io->cfg.printer_backend == KIOSK_PRINTER_FILE
                    ? KIOSK_OK /* the image printer: nothing to test */
                : !io->printer ? io->printer_rc
                : open_fonts(io, 0) != KIOSK_OK
                    ? KIOSK_FONT
                    : receipt_print_test_page(io->fonts, io->strings, &io->cfg, io->printer);
        if (io->printer && r->rc != KIOSK_OK)
            recheck_printer(io, r->rc);
        store_audit(io->store, j->who[0] ? j->who : "staff", "printer.test", "",
                    kiosk_rc_name(r->rc));
        break;
    case APP_IO_IMPORT_ACKS: {
        if (io->cfg.export_mount && !is_mount_point(j->dir)) {
            r->rc = KIOSK_NO_MEDIUM;
            store_audit(io->store, j->who, "acks.import", "", kiosk_rc_name(r->rc));
            break;
        }
        char name[SYNC_ACKS_NAME_MAX];
        sync_acks_file_name(io->key.public_key, name);
        snprintf(r->png, sizeof r->png, "%s/%s", j->dir, name);
        sync_acks_report rep = {0};
        char err[160] = "";
        /* sync_import_acks writes the audit entry, refused or not */
        r->rc = sync_import_acks(io->store, &io->key, r->png, j->who, &rep, err, sizeof err);
        if (r->rc != KIOSK_OK)
            kiosk_log_warn("io", "acknowledgements not imported: %s",
                           err[0] ? err : kiosk_strerror(r->rc));
        r->count = (int64_t)rep.acked;
        r->counts[0] = (int64_t)rep.listed;
        r->counts[1] = (int64_t)rep.mismatched;
        break;
    }
    case APP_IO_EXPORT: {
        char path[700];
        time_t now = time(NULL);
        if (io->cfg.export_mount && !is_mount_point(j->dir)) {
            /* no stick: writing there would leave the bundle on the unit itself */
            r->rc = KIOSK_NO_MEDIUM;
            store_audit(io->store, j->who, "bundle.export", "", kiosk_rc_name(r->rc));
            break;
        }
        if (!io->cfg.export_mount)
            mkdir(j->dir, 0700);
        /* as many bundles as the hub's import limit needs, each importable alone */
        receipt_bundle_base(io->cfg.hall_code, io->key.public_key, now, path, sizeof path);
        sync_export_result res;
        /* with the unit's health ("-health.kb") */
        sync_health_source hs = {.version = KIOSK_VERSION_STRING,
                                 .state_dir = io->cfg.state_dir,
                                 .fill = app_io_health_fill,
                                 .ctx = io->cfg.state_dir};
        sync_export_options eo = {.health = &hs};
        r->rc =
            sync_export_bundles(io->store, &io->key, j->dir, path, (int64_t)now * 1000, &eo, &res);
        r->count = (int64_t)res.records;
        snprintf(r->png, sizeof r->png, "%s", res.first);
        /* and the records the hub refused, in bundles of their own ("-refused"), for the
         * hub's reconciliation: counts[STORE_REJECTED] says how many went */
        if (r->rc == KIOSK_OK || r->rc == KIOSK_NOT_FOUND) {
            size_t pending = res.records, files = res.files;
            char first[sizeof r->png];
            snprintf(first, sizeof first, "%s", res.first);
            sync_export_options ro = {.refused = 1};
            snprintf(path + strlen(path), sizeof path - strlen(path), "-refused");
            kiosk_rc rr = sync_export_bundles(io->store, &io->key, j->dir, path,
                                              (int64_t)now * 1000, &ro, &res);
            if (rr == KIOSK_OK) {
                r->counts[STORE_REJECTED] = (int64_t)res.records;
                r->count += (int64_t)res.records;
                if (r->rc == KIOSK_NOT_FOUND)
                    snprintf(first, sizeof first, "%s", res.first);
                r->rc = KIOSK_OK;
            } else if (rr != KIOSK_NOT_FOUND) {
                r->rc = rr; /* said as a failed export: the refused ones did not go */
            }
            snprintf(r->png, sizeof r->png, "%s", first);
            res.records += pending;
            res.files += files;
        }
        char detail[48];
        snprintf(detail, sizeof detail, "%zu records, %zu files", res.records, res.files);
        store_audit(io->store, j->who, "bundle.export", "",
                    r->rc == KIOSK_OK ? detail : kiosk_rc_name(r->rc));
        break;
    }
    case APP_IO_PURGE: {
        int64_t cutoff = kiosk_clock_now_ms(io->clock) - (int64_t)j->days * 86400000;
        r->rc = store_purge_acked(io->store, cutoff, j->who, &r->count);
        break;
    }
    case APP_IO_AUDIT:
        r->rc = store_audit(io->store, j->who, j->action, j->subject, j->detail);
        break;
    case APP_IO_HELP:
        r->rc = store_event_add(io->store, SYNC_EVENT_HELP, j->subject, NULL);
        if (r->rc != KIOSK_OK)
            kiosk_log_error("io", "a help request could not be queued: %s", kiosk_strerror(r->rc));
        break;
    case APP_IO_RECORDS: {
        store_summary found[APP_IO_RECORDS_MAX];
        size_t n = 0;
        r->rc = j->id_number
                    ? store_records_of(io->store, j->id_number, found, APP_IO_RECORDS_MAX, &n)
                    : KIOSK_INVALID;
        for (size_t i = 0; r->rc == KIOSK_OK && i < n; i++) {
            app_io_record *o = &r->records[r->nrecords++];
            snprintf(o->receipt_no, sizeof o->receipt_no, "%s", found[i].receipt_no);
            o->created_ms = found[i].created_ms;
            o->state = (int)found[i].state;
            snprintf(o->print_outcome, sizeof o->print_outcome, "%s", found[i].print_outcome);
            snprintf(o->record_type, sizeof o->record_type, "%s", found[i].record_type);
        }
        store_sync_note note;
        if (r->rc == KIOSK_OK && store_sync_info(io->store, &note) == KIOSK_OK)
            r->last_sync_ok_ms = note.last_ok_ms;
        if (r->rc != KIOSK_OK)
            kiosk_log_error("io", "the records could not be looked up: %s", kiosk_strerror(r->rc));
        else
            records_hub_states(io, found, r);
        explicit_bzero(found, sizeof found);
        break;
    }
    case APP_IO_DRAFT: {
        int64_t now = kiosk_clock_now_ms(io->clock);
        uint8_t *body = NULL;
        size_t n = 0;
        store_draft_clear_expired(io->cfg.state_dir, &io->key, now, APP_IO_DRAFT_MAX_AGE_MS);
        r->rc = io->open_rc != KIOSK_OK
                    ? io->open_rc
                    : store_draft_read(io->cfg.state_dir, &io->key, j->id_number, now,
                                       APP_IO_DRAFT_MAX_AGE_MS, &body, &n, &r->created_ms);
        if (r->rc == KIOSK_OK) {
            r->draft = (char *)body; /* the session's now */
            r->draft_len = n;
        } else if (r->rc != KIOSK_NOT_FOUND) {
            kiosk_log_error("io", "an unfinished form could not be read: %s",
                            kiosk_strerror(r->rc));
        }
        break;
    }
    case APP_IO_PRINTER: /* reported by the worker, never queued */
    case APP_IO_STORE:
    case APP_IO_RECORD_STATES: /* the second half of APP_IO_RECORDS */
        r->rc = KIOSK_INVALID;
        break;
    case APP_IO_SESSION_END:
        r->rc = store_health_note_session(io->store, j->days);
        break;
    case APP_IO_SERVICE:
        if (j->days >= 0)
            r->rc = store_set_out_of_service(io->store, j->days, j->who);
        r->count = store_out_of_service(io->store);
        break;
    }
}

/* Worker: remove a draft older than APP_IO_DRAFT_MAX_AGE_MS (or not this device's), at
 * start and on each idle wake (every APP_IO_STORE_CHECK_MS, PRINTER_RETRY_MS without a
 * printer) while one may be on disk. */
static void sweep_draft(app_io *io)
{
    if (!io->draft_there || io->open_rc != KIOSK_OK)
        return;
    char path[sizeof io->cfg.state_dir + 16];
    if (store_draft_clear_expired(io->cfg.state_dir, &io->key, kiosk_clock_now_ms(io->clock),
                                  APP_IO_DRAFT_MAX_AGE_MS))
        kiosk_log_info("io", "an old unfinished form was removed");
    store_draft_path(io->cfg.state_dir, path, sizeof path);
    io->draft_there = access(path, F_OK) == 0;
}

/* Worker: carry out the draft slot's request, if any (taken under the lock). */
static void run_draft(app_io *io)
{
    pthread_mutex_lock(&io->mu);
    int op = io->draft_op;
    char *id = io->draft_id, *body = io->draft_body;
    io->draft_op = 0;
    io->draft_id = io->draft_body = NULL;
    pthread_mutex_unlock(&io->mu);
    kiosk_rc rc = KIOSK_OK;
    if (op == 1 && io->open_rc == KIOSK_OK)
        rc = store_draft_write(io->cfg.state_dir, &io->key, id, body, strlen(body),
                               kiosk_clock_now_ms(io->clock));
    else if (op == 2)
        rc = store_draft_clear(io->cfg.state_dir);
    if (rc != KIOSK_OK)
        kiosk_log_warn("io", "the unfinished form could not be %s: %s",
                       op == 1 ? "kept" : "removed", kiosk_strerror(rc));
    if (op == 1 && rc == KIOSK_OK)
        io->draft_there = 1;
    else if (op == 2 && rc == KIOSK_OK)
        io->draft_there = 0;
    wipe_text(id);
    wipe_text(body);
}

static void *worker(void *arg)
{
    app_io *io = arg;
    open_all(io);
    if (io->open_rc == KIOSK_OK) {
        /* the kiosk starts as staff left it */
        app_io_result r = {
            .kind = APP_IO_SERVICE, .count = store_out_of_service(io->store), .at_start = 1};
        io->cb(io->ctx, &r);
    }
    open_printer(io);
    check_store(io);
    io->draft_there = 1; /* whatever a power cut left: swept now, then while idle */
    sweep_draft(io);
    for (;;) {
        run_draft(io);
        pthread_mutex_lock(&io->mu);
        while (!io->count && !io->stop && !io->draft_op) {
            /* no printer: look for it again now and then; the store: now and then */
            struct timespec until =
                kiosk_deadline_in_ms(io->printer ? APP_IO_STORE_CHECK_MS : PRINTER_RETRY_MS);
            if (pthread_cond_timedwait(&io->cv, &io->mu, &until) != 0 && !io->count && !io->stop) {
                pthread_mutex_unlock(&io->mu);
                if (!io->printer)
                    open_printer(io);
                if (kiosk_clock_mono_ms(kiosk_clock_system()) - io->store_checked_ms >=
                    APP_IO_STORE_CHECK_MS)
                    check_store(io);
                sweep_draft(io); /* a form left by a power cut goes even if nobody comes */
                pthread_mutex_lock(&io->mu);
            }
        }
        if (io->draft_op && !io->stop) {
            pthread_mutex_unlock(&io->mu);
            continue; /* the slot first (run_draft at the top) */
        }
        if (!io->count) {
            pthread_mutex_unlock(&io->mu);
            run_draft(io); /* a last clear or put is not lost at a clean stop */
            break;
        }
        job j = io->queue[io->head];
        memset(&io->queue[io->head], 0, sizeof io->queue[0]);
        io->head = (io->head + 1) % APP_IO_QUEUE;
        io->count--;
        pthread_mutex_unlock(&io->mu);
        app_io_result r;
        app_io_kind kind = j.kind;
        run_job(io, &j, &r);
        if (io->fonts)
            close_fonts(io);
        job_clear(&j); /* the citizen's texts leave memory once sealed */
        io->cb(io->ctx, &r);
        explicit_bzero(&r, sizeof r);
        if (kind == APP_IO_SAVE || kind == APP_IO_READY || kind == APP_IO_PURGE)
            check_store(io); /* a save may have taken the last room */
        if ((kind == APP_IO_PRINT || kind == APP_IO_PRINT_TEST || kind == APP_IO_SLIP) &&
            io->open_rc == KIOSK_OK &&
            (r.rc == KIOSK_OK || r.rc == KIOSK_PAPER_OUT || r.rc == KIOSK_PRINTER ||
             r.rc == KIOSK_IO))
            note_printer(io, r.rc);
    }
    printer_close(io->printer);
    kiosk_strings_destroy(io->strings);
    kiosk_strings_destroy(io->hant);
    receipt_fonts_destroy(io->fonts);
    store_close(io->store);
    explicit_bzero(&io->key, sizeof io->key);
    return NULL;
}

kiosk_rc app_io_start(const kiosk_config *cfg, const kiosk_clock *clock, app_io_callback cb,
                      void *ctx, app_io **out)
{
    *out = NULL;
    app_io *io = calloc(1, sizeof *io);
    if (!io)
        return KIOSK_NOMEM;
    io->cfg = *cfg;
    io->clock = clock ? clock : kiosk_clock_system();
    io->cb = cb;
    io->ctx = ctx;
    pthread_mutex_init(&io->mu, NULL);
    atomic_init(&io->update_progress, -1);
    update_rauc_cli_init(&io->rauc, &io->rauc_cli, io->cfg.update_keyring);
    pthread_cond_init(&io->cv, NULL);
    if (pthread_create(&io->thread, NULL, worker, io) != 0) {
        pthread_mutex_destroy(&io->mu);
        pthread_cond_destroy(&io->cv);
        free(io);
        return KIOSK_NOMEM;
    }
    *out = io;
    return KIOSK_OK;
}

void app_io_stop(app_io *io)
{
    if (!io)
        return;
    pthread_mutex_lock(&io->mu);
    io->stop = 1;
    pthread_cond_signal(&io->cv);
    pthread_mutex_unlock(&io->mu);
    pthread_join(io->thread, NULL);
    for (size_t i = 0; i < APP_IO_QUEUE; i++)
        job_clear(&io->queue[i]);
    wipe_text(io->draft_id);
    wipe_text(io->draft_body);
    pthread_mutex_destroy(&io->mu);
    pthread_cond_destroy(&io->cv);
    free(io);
}

static kiosk_rc queue(app_io *io, job *j)
{
    pthread_mutex_lock(&io->mu);
    if (io->count == APP_IO_QUEUE || io->stop) {
        pthread_mutex_unlock(&io->mu);
        job_clear(j);
        return KIOSK_BUSY;
    }
    io->queue[(io->head + io->count) % APP_IO_QUEUE] = *j;
    io->count++;
    explicit_bzero(j, sizeof *j);
    pthread_cond_signal(&io->cv);
    pthread_mutex_unlock(&io->mu);
    return KIOSK_OK;
}

kiosk_rc app_io_check_ready(app_io *io)
{
    job j = {.kind = APP_IO_READY};
    return queue(io, &j);
}

kiosk_rc app_io_save(app_io *io, const app_io_submission *sub)
{
    job j = {.kind = APP_IO_SAVE};
    j.registration_json = strdup(sub->registration_json);
    j.evidence_json = strdup(sub->evidence_json);
    j.version = strdup(sub->commitment_version);
    j.masked_name = strdup(sub->masked_name);
    j.masked_id = strdup(sub->masked_id);
    j.id_number = sub->id_number ? strdup(sub->id_number) : NULL;
    memcpy(j.sha, sub->commitment_sha256, 32);
    snprintf(j.record_type, sizeof j.record_type, "%s", sub->record_type ? sub->record_type : "");
    j.plan = (app_io_plan){.on = sub->plan_on, .intents = sub->plan_intents, .by = sub->plan_by};
    if (!j.registration_json || !j.evidence_json || !j.version || !j.masked_name || !j.masked_id ||
        (sub->id_number && !j.id_number)) {
        job_clear(&j);
        return KIOSK_NOMEM;
    }
    return queue(io, &j);
}

kiosk_rc app_io_print(app_io *io, const char *receipt_no, int copy)
{
    return app_io_print_lang(io, receipt_no, copy, "zh_CN");
}

kiosk_rc app_io_print_lang(app_io *io, const char *receipt_no, int copy, const char *lang)
{
    job j = {.kind = APP_IO_PRINT, .copy = copy, .hant = kiosk_lang_is_hant(lang)};
    snprintf(j.receipt_no, sizeof j.receipt_no, "%s", receipt_no);
    return queue(io, &j);
}

kiosk_rc app_io_print_plan(app_io *io, const char *receipt_no, int copy, const char *lang,
                           const app_io_plan *plan)
{
    job j = {.kind = APP_IO_PRINT, .copy = copy, .hant = kiosk_lang_is_hant(lang)};
    snprintf(j.receipt_no, sizeof j.receipt_no, "%s", receipt_no);
    if (plan)
        j.plan = *plan;
    return queue(io, &j);
}

kiosk_rc app_io_print_slip(app_io *io, const app_io_slip *slip, const char *lang)
{
    job j = {.kind = APP_IO_SLIP, .hant = kiosk_lang_is_hant(lang)};
    j.slip_agency = slip->agency;
    j.slip_level = slip->level;
    snprintf(j.subject, sizeof j.subject, "%s", slip->id ? slip->id : "");
    snprintf(j.slip_title, sizeof j.slip_title, "%s", slip->title ? slip->title : "");
    for (int i = 0; i < 3; i++)
        snprintf(j.slip_values[i], sizeof j.slip_values[i], "%s",
                 slip->values[i] ? slip->values[i] : "");
    return queue(io, &j);
}

kiosk_rc app_io_login(app_io *io, const char *card_uid, const char *pin)
{
    job j = {.kind = APP_IO_LOGIN};
    snprintf(j.pin, sizeof j.pin, "%s", pin);
    snprintf(j.subject, sizeof j.subject, "%s", card_uid ? card_uid : "");
    return queue(io, &j);
}

kiosk_rc app_io_dashboard(app_io *io)
{
    job j = {.kind = APP_IO_DASHBOARD};
    return queue(io, &j);
}

kiosk_rc app_io_print_test(app_io *io)
{
    job j = {.kind = APP_IO_PRINT_TEST};
    return queue(io, &j);
}

kiosk_rc app_io_export(app_io *io, const char *dir, const char *who)
{
    job j = {.kind = APP_IO_EXPORT};
    snprintf(j.dir, sizeof j.dir, "%s", dir);
    snprintf(j.who, sizeof j.who, "%s", who);
    return queue(io, &j);
}

kiosk_rc app_io_import_acks(app_io *io, const char *dir, const char *who)
{
    job j = {.kind = APP_IO_IMPORT_ACKS};
    snprintf(j.dir, sizeof j.dir, "%s", dir);
    snprintf(j.who, sizeof j.who, "%s", who);
    return queue(io, &j);
}

kiosk_rc app_io_update_list(app_io *io, const char *dir)
{
    job j = {.kind = APP_IO_UPDATE_LIST};
    snprintf(j.dir, sizeof j.dir, "%s", dir);
    return queue(io, &j);
}

kiosk_rc app_io_update_install(app_io *io, const char *dir, const char *name, const char *who)
{
    atomic_store(&io->update_progress, 0);
    job j = {.kind = APP_IO_UPDATE_INSTALL};
    snprintf(j.dir, sizeof j.dir, "%s", dir);
    snprintf(j.detail, sizeof j.detail, "%s", name); /* up to UPDATE_NAME_MAX */
    snprintf(j.who, sizeof j.who, "%s", who);
    return queue(io, &j);
}

kiosk_rc app_io_update_reboot(app_io *io, const char *who)
{
    job j = {.kind = APP_IO_UPDATE_REBOOT};
    snprintf(j.who, sizeof j.who, "%s", who);
    return queue(io, &j);
}

int app_io_update_progress(app_io *io)
{
    return atomic_load(&io->update_progress);
}

void app_io_set_update_rauc(app_io *io, const update_rauc *ops)
{
    pthread_mutex_lock(&io->mu);
    if (ops)
        io->rauc = *ops;
    else
        update_rauc_cli_init(&io->rauc, &io->rauc_cli, io->cfg.update_keyring);
    pthread_mutex_unlock(&io->mu);
}

kiosk_rc app_io_purge(app_io *io, int days, const char *who)
{
    job j = {.kind = APP_IO_PURGE, .days = days};
    snprintf(j.who, sizeof j.who, "%s", who);
    return queue(io, &j);
}

kiosk_rc app_io_audit(app_io *io, const char *who, const char *action, const char *subject,
                      const char *detail)
{
    job j = {.kind = APP_IO_AUDIT};
    snprintf(j.who, sizeof j.who, "%s", who);
    snprintf(j.action, sizeof j.action, "%s", action);
    snprintf(j.subject, sizeof j.subject, "%s", subject ? subject : "");
    snprintf(j.detail, sizeof j.detail, "%s", detail ? detail : "");
    return queue(io, &j);
}

kiosk_rc app_io_records(app_io *io, const char *id_number)
{
    job j = {.kind = APP_IO_RECORDS};
    j.id_number = strdup(id_number ? id_number : "");
    if (!j.id_number)
        return KIOSK_NOMEM;
    return queue(io, &j);
}

kiosk_rc app_io_help(app_io *io, const char *step)
{
    job j = {.kind = APP_IO_HELP};
    snprintf(j.subject, sizeof j.subject, "%s", step ? step : "");
    return queue(io, &j);
}

void app_io_health_fill(void *ctx, health_report *r)
{
    const char *state_dir = ctx;
    identity_health ih;
    if (state_dir && identity_health_read(state_dir, &ih) == KIOSK_OK)
        r->reader = ih.state == IDENTITY_HEALTH_OK      ? HEALTH_READER_OK
                    : ih.state == IDENTITY_HEALTH_FAULT ? HEALTH_READER_FAULT
                                                        : HEALTH_READER_UNKNOWN;
    r->printer = (health_printer)app_io_printer_health();
    power *pw = NULL;
    power_status ps;
    if (power_open_sysfs(POWER_SYSFS_ROOT, &pw) == KIOSK_OK && power_read(pw, &ps) == KIOSK_OK) {
        if (!ps.has_battery) {
            r->power = HEALTH_POWER_MAINS; /* a hall kiosk: no battery, often no mains entry */
        } else {
            r->power = ps.charging ? HEALTH_POWER_CHARGING : HEALTH_POWER_BATTERY;
            r->battery_pct = ps.percent >= 0 && ps.percent <= 100 ? ps.percent : -1;
        }
    }
    power_close(pw);
}

kiosk_rc app_io_session_end(app_io *io, int taps)
{
    job j = {.kind = APP_IO_SESSION_END, .days = taps < 0 ? 0 : taps};
    return queue(io, &j);
}

kiosk_rc app_io_service(app_io *io, int out_of_service, const char *who)
{
    job j = {.kind = APP_IO_SERVICE, .days = out_of_service ? 1 : 0};
    snprintf(j.who, sizeof j.who, "%s", who);
    return queue(io, &j);
}

/* Replace the draft slot's request (the one not yet carried out is wiped). */
static kiosk_rc draft_slot(app_io *io, int op, const char *id_number, const char *body)
{
    char *id = NULL, *copy = NULL;
    if (op == 1) {
        id = strdup(id_number ? id_number : "");
        copy = strdup(body ? body : "");
        if (!id || !copy) {
            wipe_text(id);
            wipe_text(copy);
            return KIOSK_NOMEM;
        }
    }
    pthread_mutex_lock(&io->mu);
    char *old_id = io->draft_id, *old_body = io->draft_body;
    io->draft_op = op;
    io->draft_id = id;
    io->draft_body = copy;
    pthread_cond_signal(&io->cv);
    pthread_mutex_unlock(&io->mu);
    wipe_text(old_id);
    wipe_text(old_body);
    return KIOSK_OK;
}

kiosk_rc app_io_draft_put(app_io *io, const char *id_number, const char *body)
{
    return draft_slot(io, 1, id_number, body);
}

kiosk_rc app_io_draft_clear(app_io *io)
{
    return draft_slot(io, 2, NULL, NULL);
}

kiosk_rc app_io_draft_take(app_io *io, const char *id_number)
{
    job j = {.kind = APP_IO_DRAFT};
    j.id_number = strdup(id_number ? id_number : "");
    if (!j.id_number)
        return KIOSK_NOMEM;
    return queue(io, &j);
}

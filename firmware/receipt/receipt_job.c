/*
 * The receipt print job. Texts come from the string table with {days}, {address} and
 * {phone} filled in; the time printed is the record's own creation time, the same one
 * the QR payload carries.
 */
#include "receipt/receipt_job.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/kiosk_buf.h"
#include "core/kiosk_log.h"
#include "proto/receipt_payload.h"

/* template into out with its one {name} filled in. */
static void fill(const char *template, const char *name, const char *value, char *out, size_t size)
{
    kiosk_strings_fill(template, &name, &value, 1, out, size);
}

/* The text of key for the record's type: "<key>_<type>" ("receipt.title_jobseeker") when
 * the strings have it, else key's own (a registration's, and records saved before the
 * types). */
static const char *typed(const kiosk_strings *s, const char *key, const char *type)
{
    char k[96];
    snprintf(k, sizeof k, "%s_%s", key, type);
    const char *t = type[0] && strcmp(type, "registration") != 0 ? kiosk_strings_find(s, k) : NULL;
    return t ? t : kiosk_strings_get(s, key);
}

kiosk_rc receipt_printer_open(const kiosk_config *cfg, printer **out)
{
    *out = NULL;
    switch (cfg->printer_backend) {
    case KIOSK_PRINTER_USB:
        return printer_open_usb(cfg->printer_device, out);
    case KIOSK_PRINTER_SERIAL:
        return printer_open_serial(cfg->printer_device, cfg->printer_baud, out);
    case KIOSK_PRINTER_FILE:
        return printer_open_images(cfg->printer_output_dir, cfg->printer_width_dots, out);
    }
    return KIOSK_CONFIG;
}

kiosk_rc receipt_job_print(const receipt_job *job, const char *receipt_no, int copy,
                           receipt_bitmap *preview)
{
    return receipt_job_print_plan(job, receipt_no, copy, NULL, preview);
}

kiosk_rc receipt_job_print_plan(const receipt_job *job, const char *receipt_no, int copy,
                                const receipt_plan *pl, receipt_bitmap *preview)
{
    if (preview)
        memset(preview, 0, sizeof *preview);
    store_summary sum;
    kiosk_rc rc = store_find(job->store, receipt_no, &sum);
    if (rc != KIOSK_OK)
        return rc;
    time_t t = (time_t)(sum.created_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[15], when[32];
    strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    char payload[RECEIPT_PAYLOAD_MAX];
    rc = receipt_payload_make(receipt_no, stamp, sum.hash, job->key->secret_key,
                              job->key->public_key, payload);
    if (rc != KIOSK_OK)
        return rc;
    /* with the hub's check page configured, a phone's camera opens it */
    char qr[KIOSK_RECEIPT_URL_MAX + RECEIPT_PAYLOAD_MAX];
    snprintf(qr, sizeof qr, "%s%s", job->cfg->receipt_verify_url, payload);

    const kiosk_strings *s = job->strings;
    char days[16], next[512], address[256], phone[128];
    snprintf(days, sizeof days, "%d", job->cfg->processing_days);
    fill(typed(s, "receipt.next", sum.record_type), "days", days, next, sizeof next);
    fill(kiosk_strings_get(s, "receipt.address"), "address", job->cfg->agency_address, address,
         sizeof address);
    fill(kiosk_strings_get(s, "receipt.phone"), "phone", job->cfg->agency_phone, phone,
         sizeof phone);
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.title = typed(s, "receipt.title", sum.record_type);
    d.copy_mark = copy ? kiosk_strings_get(s, "receipt.copy") : NULL;
    d.hall_name = job->cfg->hall_name;
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.number"), receipt_no};
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.name"), sum.masked_name};
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.id"), sum.masked_id};
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.service"),
                                         typed(s, "receipt.service_value", sum.record_type)};
    for (size_t i = 0; pl && i < pl->nlines && i < RECEIPT_TYPE_LINES_MAX; i++)
        if (pl->line_keys[i] && pl->line_values[i] && pl->line_values[i][0])
            d.lines[d.nlines++] =
                (receipt_line){kiosk_strings_get(s, pl->line_keys[i]), pl->line_values[i]};
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.time"), when};
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.commitment"),
                                         kiosk_strings_get(s, "receipt.commitment_value")};
    char plan[1024] = "";
    if (pl && pl->n > 0) {
        /* 后续服务: the date, then a line of each plan (never more than the lines allow) */
        char date[64], y[8], m[8], dd[8];
        snprintf(y, sizeof y, "%d", pl->by.year);
        snprintf(m, sizeof m, "%d", pl->by.month);
        snprintf(dd, sizeof dd, "%d", pl->by.day);
        const char *const dn[] = {"year", "month", "day"}, *const dv[] = {y, m, dd};
        kiosk_strings_fill(kiosk_strings_get(s, "plan.date"), dn, dv, 3, date, sizeof date);
        fill(kiosk_strings_get(s, "plan.by"), "date", date, plan, sizeof plan);
        for (size_t i = 0; i < pl->n && i < RECEIPT_PLAN_MAX; i++) {
            size_t len = strlen(plan);
            snprintf(plan + len, sizeof plan - len, "\n%s", kiosk_strings_get(s, pl->keys[i]));
        }
        d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "plan.title"), plan};
    }
    d.paras[d.nparas++] = next;
    d.paras[d.nparas++] = kiosk_strings_get(s, "receipt.bring");
    d.paras[d.nparas++] = address;
    d.paras[d.nparas++] = phone;
    d.qr_payload = qr;
    d.qr_caption = kiosk_strings_get(s, "receipt.qr_caption");

    receipt_bitmap bmp;
    rc = receipt_render(job->fonts, &d, job->cfg->printer_width_dots, &bmp);
    if (rc != KIOSK_OK)
        return rc;
    if (!job->printer) {
        rc = KIOSK_PRINTER; /* none could be opened: a fault, never a silent image */
    } else {
        char title[STORE_RECEIPT_NO_MAX + 8];
        snprintf(title, sizeof title, "%s%s", receipt_no, copy ? "-copy" : "");
        kiosk_buf buf;
        kiosk_buf_init(&buf, 1 << 20, 0);
        rc = receipt_encode_escpos(&bmp, &buf);
        printer_set_title(job->printer, title);
        if (rc == KIOSK_OK)
            rc = printer_print(job->printer, buf.data, buf.len);
        kiosk_buf_deinit(&buf);
    }
    if (preview)
        *preview = bmp; /* the caller's now */
    else
        receipt_bitmap_deinit(&bmp);
    kiosk_rc stored = store_set_print_outcome(job->store, receipt_no,
                                              rc == KIOSK_OK ? "printed" : kiosk_rc_name(rc));
    if (stored != KIOSK_OK)
        kiosk_log_error("receipt", "cannot store the print outcome: %s", kiosk_strerror(stored));
    if (rc != KIOSK_OK)
        kiosk_log_warn("receipt", "receipt %s not printed: %s", receipt_no, kiosk_strerror(rc));
    return rc;
}

kiosk_rc receipt_print_test_page(receipt_fonts *fonts, const kiosk_strings *s,
                                 const kiosk_config *cfg, printer *p)
{
    time_t t = time(NULL);
    struct tm tm;
    char when[32], width[48];
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    snprintf(width, sizeof width, "%d dots (%s)", cfg->printer_width_dots,
             cfg->printer_width_dots >= 576 ? "80 mm" : "58 mm");
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.title = kiosk_strings_get(s, "receipt.test_title");
    d.hall_name = cfg->hall_name;
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.test_time"), when};
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.test_width"), width};
    d.paras[d.nparas++] = kiosk_strings_get(s, "receipt.test_ok");
    d.qr_payload = "KIOSK PRINTER TEST";
    d.qr_caption = kiosk_strings_get(s, "receipt.test_title");
    receipt_bitmap bmp;
    kiosk_rc rc = receipt_render(fonts, &d, cfg->printer_width_dots, &bmp);
    if (rc != KIOSK_OK)
        return rc;
    kiosk_buf buf;
    kiosk_buf_init(&buf, 1 << 20, 0);
    rc = receipt_encode_escpos(&bmp, &buf);
    if (rc == KIOSK_OK)
        rc = printer_print(p, buf.data, buf.len);
    kiosk_buf_deinit(&buf);
    receipt_bitmap_deinit(&bmp);
    return rc;
}

kiosk_rc receipt_slip_print(receipt_fonts *fonts, const kiosk_strings *s, const kiosk_config *cfg,
                            printer *p, const receipt_slip *slip, receipt_bitmap *preview)
{
    if (preview)
        memset(preview, 0, sizeof *preview);
    time_t t = time(NULL);
    struct tm tm;
    char when[32], ask[128], tel[64];
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    fill(kiosk_strings_get(s, "receipt.slip_ask"), "phone", cfg->agency_phone, ask, sizeof ask);
    snprintf(tel, sizeof tel, "tel:%s", cfg->agency_phone);
    receipt_doc d;
    memset(&d, 0, sizeof d);
    d.title = kiosk_strings_get(s, "receipt.slip_title");
    d.hall_name = cfg->hall_name;
    d.lines[d.nlines++] = (receipt_line){slip->kind, slip->title};
    for (size_t i = 0; i < slip->nlines && i < 4; i++)
        d.lines[d.nlines++] = slip->lines[i];
    d.lines[d.nlines++] = (receipt_line){kiosk_strings_get(s, "receipt.slip_time"), when};
    d.paras[d.nparas++] = ask;
    d.qr_payload = tel; /* a phone's camera offers to call the hall */
    d.qr_caption = kiosk_strings_get(s, "receipt.slip_qr");
    receipt_bitmap bmp;
    kiosk_rc rc = receipt_render(fonts, &d, cfg->printer_width_dots, &bmp);
    if (rc != KIOSK_OK)
        return rc;
    if (!p) {
        rc = KIOSK_PRINTER;
    } else {
        kiosk_buf buf;
        kiosk_buf_init(&buf, 1 << 20, 0);
        rc = receipt_encode_escpos(&bmp, &buf);
        printer_set_title(p, slip->job_title ? slip->job_title : "slip");
        if (rc == KIOSK_OK)
            rc = printer_print(p, buf.data, buf.len);
        kiosk_buf_deinit(&buf);
    }
    if (preview)
        *preview = bmp;
    else
        receipt_bitmap_deinit(&bmp);
    return rc;
}

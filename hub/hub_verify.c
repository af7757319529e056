/*
 * The receipt check page: the issuing unit found by the payload's device id among the
 * registered devices, the signature checked with its key, the answer as a small page.
 */
#include "hub/hub_verify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kiosk_buf.h"

kiosk_rc hub_verify_receipt(hub_db *db, const char *text, hub_receipt_check *out)
{
    memset(out, 0, sizeof *out);
    out->verdict = HUB_RECEIPT_UNREADABLE;
    const char *payload = receipt_payload_in(text);
    receipt_claim claim;
    if (!payload || receipt_payload_parse(payload, &claim) != KIOSK_OK)
        return KIOSK_OK;
    out->claim = claim;
    out->verdict = HUB_RECEIPT_UNKNOWN_DEVICE;
    hub_device *devs;
    size_t n;
    kiosk_rc rc = hub_db_device_list(db, &devs, &n);
    if (rc != KIOSK_OK)
        return rc;
    /* a unit's id is 40 bits of its key's hash: two registered units could share one, so
     * every unit of that id is tried, a current one first */
    for (int retired = 0; retired <= 1 && out->verdict != HUB_RECEIPT_VALID; retired++) {
        for (size_t i = 0; i < n; i++) {
            char id[RECEIPT_DEVICE_ID_LEN + 1];
            receipt_device_id(devs[i].public_key, id);
            if (strcmp(id, claim.device_id) != 0 || devs[i].removed != retired)
                continue;
            rc = receipt_payload_verify(payload, devs[i].public_key, NULL);
            if (rc == KIOSK_OK) {
                out->verdict = retired ? HUB_RECEIPT_RETIRED : HUB_RECEIPT_VALID;
                memcpy(out->unit_name, devs[i].name, sizeof out->unit_name);
                /* the record's processing state, when the unit has sent it */
                char uuid[SYNC_UUID_LEN + 1];
                kiosk_rc f = hub_db_find_receipt(db, devs[i].public_key, claim.receipt_no, uuid);
                if (f == KIOSK_OK)
                    f = hub_db_state_get(db, devs[i].public_key, uuid, &out->state);
                if (f != KIOSK_OK && f != KIOSK_NOT_FOUND) {
                    free(devs);
                    return f;
                }
                break;
            }
            rc = KIOSK_OK;
            out->verdict = HUB_RECEIPT_ALTERED;
        }
        if (out->verdict == HUB_RECEIPT_RETIRED)
            break;
    }
    free(devs);
    return KIOSK_OK;
}

/* text with the five characters HTML gives meaning escaped */
static kiosk_rc append_escaped(kiosk_buf *b, const char *text)
{
    kiosk_rc rc = KIOSK_OK;
    for (const char *p = text; *p && rc == KIOSK_OK; p++) {
        switch (*p) {
        case '&':
            rc = kiosk_buf_append_str(b, "&amp;");
            break;
        case '<':
            rc = kiosk_buf_append_str(b, "&lt;");
            break;
        case '>':
            rc = kiosk_buf_append_str(b, "&gt;");
            break;
        case '"':
            rc = kiosk_buf_append_str(b, "&quot;");
            break;
        case '\'':
            rc = kiosk_buf_append_str(b, "&#39;");
            break;
        default:
            rc = kiosk_buf_append(b, p, 1);
        }
    }
    return rc;
}

typedef struct verdict_text {
    const char *mark, *colour, *zh, *en, *zh_more, *en_more;
} verdict_text;

static const verdict_text verdicts[] = {
    [HUB_RECEIPT_VALID] = {"&#10004;", "#1b5e20", "回执真实有效", "This receipt is genuine",
                           "由下列登记过的自助设备开具，内容未被改动。",
                           "Issued by the registered kiosk below, and unaltered."},
    [HUB_RECEIPT_RETIRED] = {"&#10004;", "#1b5e20", "回执真实有效", "This receipt is genuine",
                             "开具它的自助设备已停用；回执内容未被改动。",
                             "The kiosk that issued it has since been retired; it is unaltered."},
    [HUB_RECEIPT_ALTERED] = {"&#10008;", "#b71c1c", "回执内容与签名不符",
                             "This receipt was altered",
                             "二维码中的内容被改动过，或不是这台设备开具的。请到人工窗口核实。",
                             "Its code does not match its signature. Please ask at a counter."},
    [HUB_RECEIPT_UNKNOWN_DEVICE] = {"?", "#8a5a00", "无法核验", "Cannot be checked",
                                    "开具回执的设备没有在本中心登记。请到人工窗口核实。",
                                    "The issuing kiosk is not registered here. Please ask at a "
                                    "counter."},
    [HUB_RECEIPT_UNREADABLE] = {"?", "#8a5a00", "这不是回执二维码", "Not a receipt code",
                                "请扫描回执下方的二维码。",
                                "Please scan the code printed at the foot of the receipt."},
};

/* The processing state's words (Chinese, English), a material's too. */
static const struct {
    const char *zh, *en;
} state_words[SYNC_STATE_COUNT] = {
    [SYNC_STATE_UNKNOWN] = {"本机尚未上传，状态未知",
                            "Not yet sent by the kiosk: its state is not known here"},
    [SYNC_STATE_RECEIVED] = {"已收到，等待办理", "Received, waiting to be processed"},
    [SYNC_STATE_PROCESSING] = {"办理中", "Being processed"},
    [SYNC_STATE_APPROVED] = {"已办结", "Approved"},
    [SYNC_STATE_NEEDS_MATERIALS] = {"需补充材料", "More papers are needed"},
};

static const struct {
    const char *code, *zh, *en;
} materials[] = {
    {"id_document", "身份证件", "identity document"},
    {"household", "户口簿或居住证", "household or residence papers"},
    {"contract_end", "劳动合同解除证明", "proof your job ended"},
    {"photo", "照片", "photo"},
    {"bank_account", "银行账户", "bank account"},
    {"education", "学历证明", "proof of education"},
    {"signature", "本人签字", "your signature"},
    {"other", "请到人工窗口询问", "please ask at a counter"},
};

/* "办理进度" of a genuine receipt: the state, a material, when it changed. */
static kiosk_rc append_state(kiosk_buf *b, const hub_record_state *st)
{
    sync_state s = (unsigned)st->s.state < SYNC_STATE_COUNT ? st->s.state : SYNC_STATE_UNKNOWN;
    const char *mzh = "", *men = "";
    for (size_t i = 0; s == SYNC_STATE_NEEDS_MATERIALS && i < sizeof materials / sizeof *materials;
         i++)
        if (!strcmp(st->s.note, materials[i].code)) {
            mzh = materials[i].zh;
            men = materials[i].en;
        }
    char when[40] = "";
    if (s != SYNC_STATE_UNKNOWN && st->s.changed_ms > 0) {
        time_t t = (time_t)(st->s.changed_ms / 1000);
        struct tm tm;
        if (localtime_r(&t, &tm))
            strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    }
    return kiosk_buf_printf(b,
                            "</dd><dt>办理进度 Progress</dt><dd>%s%s%s%s%s"
                            "<br><span class=\"en\">%s%s%s%s%s</span>",
                            state_words[s].zh, mzh[0] ? "：" : "", mzh,
                            when[0] ? "<br>更新于 " : "", when, state_words[s].en,
                            men[0] ? ": " : "", men, when[0] ? " · updated " : "", when);
}

kiosk_rc hub_verify_page(const hub_receipt_check *chk, char **html, size_t *len)
{
    *html = NULL;
    *len = 0;
    const verdict_text *v =
        &verdicts[chk->verdict <= HUB_RECEIPT_UNREADABLE ? chk->verdict : HUB_RECEIPT_UNREADABLE];
    kiosk_buf b;
    kiosk_buf_init(&b, 64 * 1024, 0);
    kiosk_rc rc = kiosk_buf_printf(
        &b,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>回执核验 Receipt check</title><style>"
        "body{font-family:sans-serif;margin:0;padding:1.2em;font-size:20px;line-height:1.5;"
        "color:#222;background:#fafafa}"
        "h1{font-size:1.6em;margin:.2em 0;color:%s}.mark{font-size:2.4em;color:%s}"
        ".en{color:#555;font-size:.85em}dl{margin:1em 0}dt{color:#555;font-size:.85em}"
        "dd{margin:0 0 .6em 0;font-size:1.1em}.top{color:#555;font-size:.8em}</style></head><body>"
        "<div class=\"top\">公共就业服务 回执核验 · Receipt check</div><div "
        "class=\"mark\">%s</div><h1>%s</h1><p class=\"en\">%s</p><p>%s</p>"
        "<p class=\"en\">%s</p>",
        v->colour, v->colour, v->mark, v->zh, v->en, v->zh_more, v->en_more);
    if (rc == KIOSK_OK &&
        (chk->verdict == HUB_RECEIPT_VALID || chk->verdict == HUB_RECEIPT_RETIRED)) {
        const receipt_claim *c = &chk->claim;
        rc = kiosk_buf_append_str(&b, "<dl><dt>开具设备 Issued by</dt><dd>");
        if (rc == KIOSK_OK)
            rc = append_escaped(&b, chk->unit_name[0] ? chk->unit_name : c->device_id);
        if (rc == KIOSK_OK)
            rc =
                kiosk_buf_printf(&b,
                                 "</dd><dt>开具时间 Issued at</dt><dd>%.4s-%.2s-%.2s %.2s:%.2s</dd>"
                                 "<dt>回执编号 Receipt number</dt><dd>",
                                 c->time, c->time + 4, c->time + 6, c->time + 8, c->time + 10);
        if (rc == KIOSK_OK)
            rc = append_escaped(&b, c->receipt_no);
        if (rc == KIOSK_OK)
            rc = append_state(&b, &chk->state);
        if (rc == KIOSK_OK)
            rc = kiosk_buf_append_str(&b, "</dd></dl>");
    }
    if (rc == KIOSK_OK)
        rc = kiosk_buf_append_str(&b, "</body></html>\n");
    if (rc == KIOSK_OK)
        rc = kiosk_buf_take(&b, html, len);
    kiosk_buf_deinit(&b);
    return rc;
}

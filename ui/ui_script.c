/*
 * The script interpreter: a line at a time, each command through the same entry points
 * a finger and the reader use (ui_app_tap, the simulated reader), with the event loop
 * pumped between commands so worker events arrive as they would on a kiosk.
 */
#include "ui/ui_script.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kiosk_log.h"

const char *ui_script_step_name(flow_step step)
{
    return flow_step_name(step);
}

static int step_of(const char *name, flow_step *out)
{
    for (int i = 0; i < FLOW_STEP_COUNT; i++)
        if (!strcmp(flow_step_name((flow_step)i), name)) {
            *out = (flow_step)i;
            return 1;
        }
    return 0;
}

__attribute__((format(printf, 3, 4))) static kiosk_rc fail(ui_script_result *res, kiosk_rc rc,
                                                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
    return rc;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Pump the loop for ms milliseconds, or until the journey reaches *until (if given). */
static int pump_for(ui_app *app, long ms, const flow_step *until)
{
    int64_t end = mono_ms() + ms;
    for (;;) {
        ui_app_pump(app);
        if (until && ui_app_view(app)->step == *until)
            return 1;
        if (mono_ms() >= end)
            return until == NULL;
        SDL_Delay(5);
    }
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || errno || end == s || *end || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

#define MAX_WORDS 33

/* A finger drawing through the points (pad pixels), with a move every few pixels and
 * real time passing, as a touch panel reports it. */
static void draw_polyline(ui_app *app, SDL_Rect pad, const long *pts, int npts)
{
    for (int i = 0; i < npts; i++) {
        int x = pad.x + (int)pts[2 * i], y = pad.y + (int)pts[2 * i + 1];
        if (i == 0) {
            ui_app_stroke(app, 0, x, y);
            continue;
        }
        int x0 = pad.x + (int)pts[2 * i - 2], y0 = pad.y + (int)pts[2 * i - 1];
        int steps = (abs(x - x0) + abs(y - y0)) / 6 + 1;
        for (int k = 1; k <= steps; k++) {
            ui_app_stroke(app, 1, x0 + (x - x0) * k / steps, y0 + (y - y0) * k / steps);
            SDL_Delay(1);
        }
    }
    if (npts > 0)
        ui_app_stroke(app, 2, pad.x + (int)pts[2 * npts - 2], pad.y + (int)pts[2 * npts - 1]);
    ui_app_pump(app);
}

/* A handwritten-looking 张三: strokes in a 100 × 60 box scaled to the pad. */
static kiosk_rc sign_name(ui_app *app, SDL_Rect pad)
{
    static const long strokes[][12] = {
        {10, 12, 28, 12, 26, 24, -1},
        {8, 24, 28, 26, 22, 50, 14, 46, -1},
        {30, 8, 30, 55, -1},
        {40, 20, 50, 10, -1},
        {36, 28, 56, 30, 54, 40, 38, 52, -1},
        {58, 15, 88, 14, -1},
        {62, 32, 86, 33, -1},
        {56, 52, 94, 50, -1},
    };
    long pts[12];
    for (size_t s = 0; s < sizeof strokes / sizeof strokes[0]; s++) {
        int n = 0;
        for (; n < 12 && strokes[s][n] >= 0; n += 2) {
            pts[n] = pad.w / 10 + strokes[s][n] * pad.w * 8 / 1000;
            pts[n + 1] = pad.h / 8 + strokes[s][n + 1] * pad.h * 10 / 600;
        }
        draw_polyline(app, pad, pts, n / 2);
    }
    return KIOSK_OK;
}

/* A tap on widget id, counted in res->taps when it hit a widget (the touches a citizen
 * would make: page turns and keys included). */
static kiosk_rc tap_counted(ui_app *app, const char *id, ui_script_result *res)
{
    kiosk_rc rc = ui_app_tap_id(app, id);
    res->taps += rc == KIOSK_OK;
    return rc;
}

static kiosk_rc run_line(ui_app *app, char *line, const char *shot_dir, ui_script_result *res)
{
    char *w[MAX_WORDS] = {0};
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(line, " \t", &save); tok && n < MAX_WORDS;
         tok = strtok_r(NULL, " \t", &save))
        w[n++] = tok;
    if (n == 0)
        return KIOSK_OK;
    const char *cmd = w[0];
    long a, b;
    if (!strcmp(cmd, "tap") && n == 2) {
        ui_app_pump(app);
        kiosk_rc rc = tap_counted(app, w[1], res);
        if (rc != KIOSK_OK)
            return fail(res, rc, "no widget '%s' on the %s screen", w[1],
                        ui_script_step_name(ui_app_view(app)->step));
        ui_app_pump(app);
        return KIOSK_OK;
    }
    if (!strcmp(cmd, "pick") && (n == 2 || n == 3)) {
        /* a choice that may be on a later page of a list: page on until it shows */
        const char *next = n == 3 ? w[2] : "list_next";
        for (int turns = 0; turns < 100; turns++) {
            ui_app_pump(app);
            if (tap_counted(app, w[1], res) == KIOSK_OK) {
                ui_app_pump(app);
                return KIOSK_OK;
            }
            if (tap_counted(app, next, res) != KIOSK_OK)
                break;
        }
        return fail(res, KIOSK_NOT_FOUND, "'%s' is on no page of the %s screen", w[1],
                    ui_script_step_name(ui_app_view(app)->step));
    }
    if (!strcmp(cmd, "tap-while") && n == 2) {
        /* tap until the widget is gone (scrolling to the end) */
        for (int turns = 0; turns < 100; turns++) {
            ui_app_pump(app);
            if (tap_counted(app, w[1], res) != KIOSK_OK)
                return KIOSK_OK;
        }
        return fail(res, KIOSK_RANGE, "'%s' still there after 100 taps", w[1]);
    }
    if (!strcmp(cmd, "wait-login") && (n == 1 || n == 2)) {
        /* until a staff login's check has answered (argon2id is slow on a busy machine) */
        a = 10000;
        if (n == 2 && !parse_long(w[1], 0, 3600000, &a))
            return fail(res, KIOSK_INVALID, "wait-login [MS]");
        int64_t end = mono_ms() + a;
        do {
            ui_app_pump(app);
            if (!ui_app_menu_checking(app))
                return KIOSK_OK;
            SDL_Delay(5);
        } while (mono_ms() < end);
        return fail(res, KIOSK_TIMEOUT, "the staff login was not checked in time");
    }
    if ((!strcmp(cmd, "wait-menu") || !strcmp(cmd, "expect-menu")) && (n == 2 || n == 3)) {
        static const char *const screens[] = {"off",   "login", "home",   "reprint",
                                              "purge", "log",   "reader", "update"};
        int want = -1;
        for (int k = 0; k < 8; k++)
            if (!strcmp(w[1], screens[k]))
                want = k;
        a = !strcmp(cmd, "wait-menu") ? 5000 : 0;
        if (want < 0 || (n == 3 && !parse_long(w[2], 0, 3600000, &a)))
            return fail(res, KIOSK_INVALID,
                        "%s off|login|home|reprint|purge|log|reader|update [MS]", cmd);
        int64_t end = mono_ms() + a;
        do {
            ui_app_pump(app);
            if (ui_app_menu_screen(app) == want)
                return KIOSK_OK;
            SDL_Delay(5);
        } while (mono_ms() < end);
        return fail(res, KIOSK_TIMEOUT, "the menu is not at %s", w[1]);
    }
    if (!strcmp(cmd, "tap-at") && n == 3 && parse_long(w[1], 0, 100000, &a) &&
        parse_long(w[2], 0, 100000, &b)) {
        ui_app_touch(app, 0, (int)a, (int)b);
        ui_app_touch(app, 2, (int)a, (int)b);
        ui_app_pump(app);
        return KIOSK_OK;
    }
    long c2, d2;
    if (!strcmp(cmd, "swipe") && n == 5 && parse_long(w[1], 0, 100000, &a) &&
        parse_long(w[2], 0, 100000, &b) && parse_long(w[3], 0, 100000, &c2) &&
        parse_long(w[4], 0, 100000, &d2)) {
        /* a finger down, moved a few pixels at a time, up: a drag */
        int steps = (int)((labs(c2 - a) + labs(d2 - b)) / 8 + 1);
        ui_app_touch(app, 0, (int)a, (int)b);
        for (int k = 1; k <= steps; k++)
            ui_app_touch(app, 1, (int)(a + (c2 - a) * k / steps), (int)(b + (d2 - b) * k / steps));
        ui_app_touch(app, 2, (int)c2, (int)d2);
        ui_app_pump(app);
        return KIOSK_OK;
    }
    if (!strcmp(cmd, "pin") && n == 2) {
        for (const char *d = w[1]; *d; d++) {
            char id[8];
            if (*d < '0' || *d > '9')
                return fail(res, KIOSK_INVALID, "pin takes digits only");
            snprintf(id, sizeof id, "key%c", *d);
            ui_app_pump(app);
            if (tap_counted(app, id, res) != KIOSK_OK)
                return fail(res, KIOSK_NOT_FOUND, "no keypad on the %s screen",
                            ui_script_step_name(ui_app_view(app)->step));
        }
        ui_app_pump(app);
        return KIOSK_OK;
    }
    if (!strcmp(cmd, "type") && n >= 2) {
        /* every word after "type", separated by single spaces */
        for (int k = 1; k < n; k++) {
            for (const char *ch = w[k]; *ch; ch++) {
                char id[16];
                if ((unsigned char)*ch >= 0x80)
                    return fail(res, KIOSK_INVALID,
                                "type takes keyboard keys; for Chinese type pinyin, then choose");
                snprintf(id, sizeof id, "kb_%c", *ch);
                ui_app_pump(app);
                if (tap_counted(app, id, res) != KIOSK_OK)
                    return fail(res, KIOSK_NOT_FOUND, "no key '%c' on the %s screen", *ch,
                                ui_script_step_name(ui_app_view(app)->step));
            }
            if (k + 1 < n && tap_counted(app, "kb_space", res) != KIOSK_OK)
                return fail(res, KIOSK_NOT_FOUND, "no space key");
        }
        ui_app_pump(app);
        return KIOSK_OK;
    }
    if (!strcmp(cmd, "choose") && n == 2 && parse_long(w[1], 0, 9, &a)) {
        char id[16];
        snprintf(id, sizeof id, "cand_%ld", a);
        ui_app_pump(app);
        if (tap_counted(app, id, res) != KIOSK_OK)
            return fail(res, KIOSK_NOT_FOUND, "no candidate %ld to choose", a);
        ui_app_pump(app);
        return KIOSK_OK;
    }
    if ((!strcmp(cmd, "stroke") && n >= 5 && n % 2 == 1) || (!strcmp(cmd, "sign") && n == 1)) {
        SDL_Rect pad;
        ui_app_pump(app);
        if (!ui_app_pad_rect(app, &pad))
            return fail(res, KIOSK_NOT_FOUND, "no pad to draw on on the %s screen",
                        ui_script_step_name(ui_app_view(app)->step));
        if (!strcmp(cmd, "sign"))
            return sign_name(app, pad);
        long pts[MAX_WORDS];
        for (int k = 1; k < n; k++)
            if (!parse_long(w[k], 0, 100000, &pts[k - 1]))
                return fail(res, KIOSK_INVALID, "stroke X Y X Y …: numbers inside the pad");
        draw_polyline(app, pad, pts, (n - 1) / 2);
        return KIOSK_OK;
    }
    if (!strcmp(cmd, "card") && n == 2 && (!strcmp(w[1], "insert") || !strcmp(w[1], "remove"))) {
        kiosk_rc rc = ui_app_sim_card(app, !strcmp(w[1], "insert"));
        if (rc != KIOSK_OK)
            return fail(res, rc, "card commands need the simulated reader");
        return KIOSK_OK;
    }
    if (!strcmp(cmd, "wait") && n == 2 && parse_long(w[1], 0, 3600000, &a)) {
        pump_for(app, a, NULL);
        return KIOSK_OK;
    }
    flow_step step;
    if (!strcmp(cmd, "wait-for") && (n == 2 || n == 3) && step_of(w[1], &step)) {
        a = 5000;
        if (n == 3 && !parse_long(w[2], 0, 3600000, &a))
            return fail(res, KIOSK_INVALID, "wait-for STEP [MS]: MS is a number");
        if (!pump_for(app, a, &step))
            return fail(res, KIOSK_TIMEOUT, "still at %s after %ld ms, not %s",
                        ui_script_step_name(ui_app_view(app)->step), a, w[1]);
        return KIOSK_OK;
    }
    if (!strcmp(cmd, "expect") && n == 2 && step_of(w[1], &step)) {
        ui_app_pump(app);
        if (ui_app_view(app)->step != step)
            return fail(res, KIOSK_RANGE, "at %s, expected %s",
                        ui_script_step_name(ui_app_view(app)->step), w[1]);
        return KIOSK_OK;
    }
    if (!strcmp(cmd, "screenshot") && n == 2) {
        char path[1024];
        if (w[1][0] != '/' && shot_dir && *shot_dir)
            snprintf(path, sizeof path, "%s/%s", shot_dir, w[1]);
        else
            snprintf(path, sizeof path, "%s", w[1]);
        ui_app_pump(app);
        kiosk_rc rc = ui_app_screenshot(app, path);
        if (rc != KIOSK_OK)
            return fail(res, KIOSK_IO, "cannot write %s: %s", path, kiosk_strerror(rc));
        res->screenshots++;
        return KIOSK_OK;
    }
    if ((!strcmp(cmd, "wait-for") || !strcmp(cmd, "expect")) && n >= 2 && !step_of(w[1], &step))
        return fail(res, KIOSK_INVALID, "unknown step '%s'", w[1]);
    return fail(res, KIOSK_INVALID, "not a command: '%s' (see ui_script.h or the README)", cmd);
}

kiosk_rc ui_script_run(ui_app *app, const char *text, const char *shot_dir, ui_script_result *res)
{
    memset(res, 0, sizeof *res);
    int lineno = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char line[1024];
        if (len >= sizeof line) {
            res->line = lineno;
            return fail(res, KIOSK_INVALID, "line too long");
        }
        memcpy(line, p, len);
        line[len] = '\0';
        if (len && line[len - 1] == '\r')
            line[len - 1] = '\0';
        char *start = line + strspn(line, " \t");
        if (*start && *start != '#') {
            kiosk_rc rc = run_line(app, start, shot_dir, res);
            if (rc != KIOSK_OK) {
                res->line = lineno;
                kiosk_log_warn("script", "line %d: %s", lineno, res->message);
                return rc;
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    return KIOSK_OK;
}

kiosk_rc ui_script_run_file(ui_app *app, const char *path, const char *shot_dir,
                            ui_script_result *res)
{
    memset(res, 0, sizeof *res);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(res, errno == ENOENT ? KIOSK_NOT_FOUND : KIOSK_IO, "cannot open %s", path);
    enum { MAX = 1 << 20 };
    char *text = malloc(MAX + 1);
    size_t n = text ? fread(text, 1, MAX + 1, f) : 0;
    fclose(f);
    if (!text || n > MAX) {
        free(text);
        return fail(res, text ? KIOSK_RANGE : KIOSK_NOMEM, "%s is over 1 MiB", path);
    }
    text[n] = '\0';
    char dir[1024];
    if (!shot_dir) {
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        shot_dir = dir;
    }
    kiosk_rc rc = ui_script_run(app, text, shot_dir, res);
    free(text);
    return rc;
}

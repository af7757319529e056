/*
 * The visual theme: colours named by their role, for the normal and high-contrast modes;
 * text sizes named by their role, for the portrait and landscape layouts, and the
 * large-text mode that multiplies every one of them (and the targets that carry text) by
 * one factor; lengths scaled by screen density; and the minimum touch target (9 mm
 * at the configured DPI). One layout is designed at a base size (1080×1920
 * portrait, 1280×800 landscape) and scaled; nothing here draws.
 */
#ifndef UI_THEME_H
#define UI_THEME_H

#include <SDL.h>

typedef struct ui_theme {
    /* colours by role; high contrast picks its own in ui_theme_init */
    SDL_Color bg;          /* behind everything */
    SDL_Color fg;          /* text */
    SDL_Color muted;       /* secondary text, frames of keys and boxes */
    SDL_Color panel;       /* panels, key faces, the header */
    SDL_Color accent;      /* titles, the way forward, outlines */
    SDL_Color on_accent;   /* text on the accent */
    SDL_Color error;       /* what needs putting right: a wrong PIN, a problem, a low battery */
    SDL_Color on_error;    /* text on the error colour (the low-battery banner) */
    SDL_Color success;     /* a good outcome's icon (saved, done) */
    SDL_Color notice;      /* a notice's icon: not an error, but not what was hoped for */
    SDL_Color veil;        /* darkens the screen under a dialog */
    SDL_Color veil_closed; /* darkens the attract screen while out of service */
    SDL_Color pressed;     /* laid over a button while a finger is on it */
    SDL_Color card, on_card, card_shadow, chip; /* the card drawn on the attract screen */
    SDL_Color paper, paper_rule, ink;           /* the signature pad, its baseline, the signature */

    float scale;       /* screen pixels per layout pixel */
    float text_scale;  /* extra factor for large text */
    int landscape;     /* 1 for the portable unit's layout */
    int min_target_px; /* smallest touch target, screen pixels */
    int drag_px;       /* a touch that moves farther (3 mm) is a drag, not a tap */
    int large_text, high_contrast;
} ui_theme;

/* Text sizes by role. Each has a portrait and a landscape size (the table in ui_theme.c);
 * where two roles have the same sizes today they are still two roles. */
typedef enum ui_size {
    /* the citizen screens' frame and texts */
    UI_SIZE_TITLE = 0,     /* a screen's title */
    UI_SIZE_STEP,          /* "第2步，共5步" in the header */
    UI_SIZE_TOGGLE,        /* language, large text and contrast switches in the header */
    UI_SIZE_HEADLINE,      /* what a waiting screen says ("正在读卡") */
    UI_SIZE_LEAD,          /* the line under it; a question; the receipt number */
    UI_SIZE_EXPLAIN,       /* an explanation panel (eligibility, messages) */
    UI_SIZE_BODY,          /* the done screen's message */
    UI_SIZE_READING,       /* the commitment's long text */
    UI_SIZE_HINT,          /* a hint line: signature, address picker, countdown note */
    UI_SIZE_PIN_HINT,      /* the PIN screen's hint and tries left */
    UI_SIZE_PAGE_HINT,     /* the line above a form page */
    UI_SIZE_FIELD_LABEL,   /* a form row's label and its message */
    UI_SIZE_FIELD_VALUE,   /* a form row's value */
    UI_SIZE_CARD_HEAD,     /* a page's name on its review card */
    UI_SIZE_REVIEW_ROW,    /* a line on a review card */
    UI_SIZE_DIALOG,        /* the question of the "more time?" dialog */
    UI_SIZE_BIG_DIGIT,     /* its seconds */
    UI_SIZE_NOTICE,        /* "out of service" */
    UI_SIZE_STATUS,        /* battery and network line on the attract screen */
    UI_SIZE_BANNER,        /* the low-battery banner */
    UI_SIZE_NOTICE_BANNER, /* the no-printer notice over the attract screen's steps */
    /* field editors */
    UI_SIZE_EDIT_TITLE, /* the field's name */
    UI_SIZE_EDIT_VALUE, /* the value being edited */
    UI_SIZE_OPTION,     /* a choice of a list */
    UI_SIZE_YEAR,       /* the year of the month picker */
    UI_SIZE_MONTH,      /* a month's button */
    UI_SIZE_KEY,        /* a keyboard letter */
    UI_SIZE_CANDIDATE,  /* a pinyin candidate */
    UI_SIZE_SPELLING,   /* the pinyin typed so far */
    /* the maintenance menu */
    UI_SIZE_MENU_TITLE,   /* the bar's title */
    UI_SIZE_MENU_HEADING, /* the login's prompt */
    UI_SIZE_MENU_TEXT,    /* the purge question, the reader test */
    UI_SIZE_MENU_HINT,    /* the reprint's hint */
    UI_SIZE_MENU_VALUE,   /* the receipt number being typed */
    UI_SIZE_MENU_NOTE,    /* the outcome of the last action; "card seen" */
    UI_SIZE_MENU_ROW,     /* a dashboard line */
    UI_SIZE_MENU_ACTION,  /* an action's button */
    UI_SIZE_LOG,          /* a log line */
    /* the attract screen */
    UI_SIZE_ATTRACT_TITLE,
    UI_SIZE_ATTRACT_SUBTITLE,
    UI_SIZE_ATTRACT_INSTRUCTION,
    UI_SIZE_ATTRACT_STEP,  /* the five steps' names */
    UI_SIZE_ATTRACT_SMALL, /* the kiosk's name, the help line, the hall */
    UI_SIZE_ATTRACT_TOGGLE,
    /* buttons and keys (the same in both layouts) */
    UI_SIZE_BUTTON_MAIN,    /* the way forward in the footer; "more time" */
    UI_SIZE_BUTTON,         /* back; yes and no; an editor's done; a staff keypad's confirm */
    UI_SIZE_BUTTON_SMALL,   /* an editor's cancel; clear the signature; the purge's buttons */
    UI_SIZE_BUTTON_COMPACT, /* the header's cancel; list pages; keyboard mode, space, delete */
    UI_SIZE_BUTTON_BAR,     /* the menu bar's exit; the address picker's "up" */
    UI_SIZE_BUTTON_EDIT,    /* a review card's "change" */
    UI_SIZE_SCROLL,         /* the ▲ ▼ scroll buttons */
    UI_SIZE_PIN_DIGIT,      /* a digit of the citizen's PIN keypad */
    UI_SIZE_PAD_DIGIT,      /* a digit of the form's number pad */
    UI_SIZE_STAFF_DIGIT,    /* a digit of a staff keypad */
    UI_SIZE_KEY_SYMBOL,     /* "-" or "X" on the number pad; the year's − and + */
    UI_SIZE_KEY_WORD,       /* clear and delete on the PIN keypad and the number pad */
    UI_SIZE_STAFF_KEY_WORD, /* delete on a staff keypad */
    UI_SIZE_COUNT
} ui_size;

/* Set up a theme for a w×h screen at dpi with the given modes. */
void ui_theme_init(ui_theme *t, int w, int h, int dpi, int large_text, int high_contrast);

/* A layout length in screen pixels. */
int ui_theme_px(const ui_theme *t, int layout_px);

/* A font size in screen pixels (large text applied). */
int ui_theme_font_px(const ui_theme *t, int layout_px);

/* The layout font size of role in this orientation: what ui_label and ui_button take
 * (they scale it and apply large text). */
int ui_theme_size(const ui_theme *t, ui_size role);

/* The text size of role in screen pixels: orientation, scale and large text applied. */
int ui_theme_size_px(const ui_theme *t, ui_size role);

/* A touch target's side in screen pixels: layout size, but never under 9 mm. */
int ui_theme_target_px(const ui_theme *t, int layout_px);

/* The side of a target that carries text (an option, a key, a candidate, a dialog's
 * button): grown with the text by large text's one factor, never under 9 mm. */
int ui_theme_text_target_px(const ui_theme *t, int layout_px);

#endif

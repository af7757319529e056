/*
 * Voice guidance without a sound device: the prompt of each step, the help chime
 * synthesised (no recorded asset), the volume. The sound device is the UI's (ui_voice.c).
 */
#include "app/voice.h"

#include <math.h>

static const char *const prompts[] = {
    [FLOW_ATTRACT] = "attract",
    [FLOW_READING_CARD] = "reading_card",
    [FLOW_PIN] = "pin",
    [FLOW_CHECKING_PIN] = "checking_pin",
    [FLOW_QUESTIONS] = "questions",
    [FLOW_ELIGIBILITY] = "eligibility",
    [FLOW_FORM] = "form",
    [FLOW_REVIEW] = "review",
    [FLOW_COMMITMENT] = "commitment",
    [FLOW_SIGNATURE] = "signature",
    [FLOW_SAVING] = "saving",
    [FLOW_PRINTING] = "printing",
    [FLOW_DONE] = "done",
    [FLOW_MESSAGE] = "message",
    [FLOW_CARD_AWAY] = "card_away",
    [FLOW_SERVICES] = "services",
    [FLOW_RECORDS] = "records",
    [FLOW_INFO] = "info",
};

const char *voice_attract_prompt(kiosk_card_entry entry)
{
    return entry == KIOSK_CARD_INSERT   ? "attract_insert"
           : entry == KIOSK_CARD_EITHER ? "attract_either"
                                        : "attract";
}

const char *voice_resume_prompt(registration_type type)
{
    return type == REGISTRATION_TYPE_DEREGISTRATION ? "resume_deregistration"
           : type == REGISTRATION_TYPE_JOBSEEKER    ? "resume_jobseeker"
                                                    : "resume";
}

const char *voice_prompt_name(flow_step step)
{
    return (unsigned)step < sizeof prompts / sizeof prompts[0] ? prompts[step] : NULL;
}

const char *voice_prompt_name_page(flow_step step, flow_page page)
{
    if (step == FLOW_FORM && page == FLOW_PAGE_DEREGISTRATION)
        return "form_deregistration";
    if (step == FLOW_FORM && page == FLOW_PAGE_JOBSEEKER)
        return "form_jobseeker";
    return voice_prompt_name(step);
}

/* Each tone 180 ms, 40 ms apart: a doorbell's "ding-dong", short enough not to startle. */
#define TONE_MS 180
#define GAP_MS 40

size_t voice_chime_samples(int rate)
{
    return (size_t)rate * (2 * TONE_MS + GAP_MS) / 1000;
}

size_t voice_chime(int16_t *pcm, size_t n, int rate, int volume)
{
    static const double hz[2] = {1318.5, 1046.5}; /* E6, C6 */
    size_t total = voice_chime_samples(rate), tone = (size_t)rate * TONE_MS / 1000,
           gap = (size_t)rate * GAP_MS / 1000, ramp = (size_t)rate * 15 / 1000;
    if (total > n)
        total = n;
    double amp = 0.5 * 32767.0 * (volume < 0 ? 0 : volume > 100 ? 100 : volume) / 100.0;
    for (size_t i = 0; i < total; i++) {
        size_t t = i < tone + gap ? i : i - tone - gap;
        int which = i < tone + gap ? 0 : 1;
        if (t >= tone) {
            pcm[i] = 0; /* the gap (and any rounding left at the end) */
            continue;
        }
        /* a linear ramp in and out, so neither tone clicks */
        double env = 1.0;
        if (t < ramp)
            env = (double)t / (double)ramp;
        else if (tone - t < ramp)
            env = (double)(tone - t) / (double)ramp;
        pcm[i] = (int16_t)lrint(amp * env * sin(2.0 * M_PI * hz[which] * (double)t / rate));
    }
    return total;
}

void voice_scale(int16_t *pcm, size_t n, int volume)
{
    if (volume >= 100)
        return;
    if (volume < 0)
        volume = 0;
    for (size_t i = 0; i < n; i++)
        pcm[i] = (int16_t)((int32_t)pcm[i] * volume / 100);
}

/*
 * The kiosk's sound through SDL audio: a queue, no callback — a prompt or the chime is
 * converted to the device's format once and queued whole. Files are read when a step
 * begins (one prompt, about 100 KB), never per frame. No speech is made here: the
 * prompts were rendered by espeak-ng at build time.
 */
#include "ui/ui_voice.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/voice.h"
#include "core/kiosk_log.h"

#ifndef UI_VOICE_PROMPTS_DEFAULT
#define UI_VOICE_PROMPTS_DEFAULT "prompts"
#endif

#define RATE 22050

struct ui_voice {
    SDL_AudioDeviceID dev;
    int volume;
    char dir[512];
};

kiosk_rc ui_voice_create(const char *prompts_dir, int volume, ui_voice **out)
{
    *out = NULL;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        kiosk_log_warn("voice", "no sound (SDL audio: %s): the kiosk runs silent", SDL_GetError());
        return KIOSK_UNSUPPORTED;
    }
    ui_voice *v = calloc(1, sizeof *v);
    if (!v) {
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        return KIOSK_NOMEM;
    }
    SDL_AudioSpec want, have;
    SDL_zero(want);
    want.freq = RATE;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 1024;
    /* no allowed changes: SDL converts to whatever the device really takes */
    v->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!v->dev) {
        kiosk_log_warn("voice", "no sound device (%s): the kiosk runs silent", SDL_GetError());
        free(v);
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        return KIOSK_UNSUPPORTED;
    }
    v->volume = volume < 0 ? 0 : volume > 100 ? 100 : volume;
    snprintf(v->dir, sizeof v->dir, "%s",
             prompts_dir && prompts_dir[0] ? prompts_dir : UI_VOICE_PROMPTS_DEFAULT);
    kiosk_log_info("voice", "sound through SDL's %s driver, volume %d, prompts in %s",
                   SDL_GetCurrentAudioDriver(), v->volume, v->dir);
    SDL_PauseAudioDevice(v->dev, 0);
    *out = v;
    return KIOSK_OK;
}

void ui_voice_destroy(ui_voice *v)
{
    if (!v)
        return;
    SDL_CloseAudioDevice(v->dev);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    free(v);
}

void ui_voice_stop(ui_voice *v)
{
    if (v)
        SDL_ClearQueuedAudio(v->dev);
}

unsigned ui_voice_queued(const ui_voice *v)
{
    return v ? SDL_GetQueuedAudioSize(v->dev) : 0;
}

/* Queue 16-bit mono samples at RATE (scaled in place to the volume). */
static kiosk_rc queue(ui_voice *v, int16_t *pcm, size_t n)
{
    voice_scale(pcm, n, v->volume);
    SDL_ClearQueuedAudio(v->dev);
    if (SDL_QueueAudio(v->dev, pcm, (Uint32)(n * sizeof *pcm)) != 0) {
        kiosk_log_warn("voice", "cannot queue sound: %s", SDL_GetError());
        return KIOSK_IO;
    }
    return KIOSK_OK;
}

kiosk_rc ui_voice_say(ui_voice *v, const char *lang, const char *name)
{
    if (!v || !name)
        return KIOSK_INVALID;
    char path[700];
    snprintf(path, sizeof path, "%s/%s/%s.wav", v->dir, lang, name);
    SDL_AudioSpec spec;
    Uint8 *buf = NULL;
    Uint32 len = 0;
    if (!SDL_LoadWAV(path, &spec, &buf, &len)) {
        kiosk_log_warn("voice", "cannot read the prompt %s: %s", path, SDL_GetError());
        SDL_RWops *probe = SDL_RWFromFile(path, "rb");
        if (!probe)
            return KIOSK_NOT_FOUND;
        SDL_RWclose(probe);
        return KIOSK_CORRUPT;
    }
    /* espeak-ng writes 22050 Hz 16-bit mono already; anything else is converted */
    SDL_AudioCVT cvt;
    int need =
        SDL_BuildAudioCVT(&cvt, spec.format, spec.channels, spec.freq, AUDIO_S16SYS, 1, RATE);
    if (need < 0) {
        SDL_FreeWAV(buf);
        return KIOSK_CORRUPT;
    }
    kiosk_rc rc;
    if (need == 0) {
        rc = queue(v, (int16_t *)(void *)buf, len / sizeof(int16_t));
        SDL_FreeWAV(buf);
        return rc;
    }
    cvt.len = (int)len;
    cvt.buf = malloc((size_t)len * (size_t)cvt.len_mult);
    if (!cvt.buf) {
        SDL_FreeWAV(buf);
        return KIOSK_NOMEM;
    }
    memcpy(cvt.buf, buf, len);
    SDL_FreeWAV(buf);
    if (SDL_ConvertAudio(&cvt) != 0) {
        free(cvt.buf);
        return KIOSK_CORRUPT;
    }
    rc = queue(v, (int16_t *)(void *)cvt.buf, (size_t)cvt.len_cvt / sizeof(int16_t));
    free(cvt.buf);
    return rc;
}

kiosk_rc ui_voice_chime(ui_voice *v)
{
    if (!v)
        return KIOSK_INVALID;
    static int16_t pcm[RATE / 2]; /* the chime is 0.4 s; UI thread only */
    size_t n = voice_chime(pcm, sizeof pcm / sizeof pcm[0], RATE, 100);
    return queue(v, pcm, n);
}

/*
 * The kiosk's sound through SDL audio: a queue, no callback — a prompt or the chime is
 * converted to the device's format once and queued whole. A prompt (a WAV file of 150-420
 * KB) is read, converted and queued by a loader thread of its own, so asking for it costs
 * the UI thread a stat and a signal, never a frame (read on the UI thread it took up to
 * 6.5 ms with the file in the page cache, a disk's latency without). One request waits
 * at most: a newer one replaces it; stop and the chime cancel it, and a prompt loaded
 * after it was cancelled is dropped, not played. No speech is made here: the prompts
 * were rendered by espeak-ng at build time.
 */
#include "ui/ui_voice.h"

#include <SDL.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
    pthread_t loader;
    pthread_mutex_t lock; /* guards what follows, and every queue change */
    pthread_cond_t wake;
    char want[700];  /* the prompt's path to load next; "" none */
    unsigned serial; /* bumped by every say, stop and chime: a load of an older one is dropped */
    int busy;        /* the loader is reading a prompt */
    int quit;
};

static void *loader_main(void *arg);

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
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->wake, NULL);
    if (pthread_create(&v->loader, NULL, loader_main, v) != 0) {
        pthread_cond_destroy(&v->wake);
        pthread_mutex_destroy(&v->lock);
        SDL_CloseAudioDevice(v->dev);
        free(v);
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        return KIOSK_NOMEM;
    }
    SDL_PauseAudioDevice(v->dev, 0);
    *out = v;
    return KIOSK_OK;
}

void ui_voice_destroy(ui_voice *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    v->quit = 1;
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
    pthread_join(v->loader, NULL);
    pthread_cond_destroy(&v->wake);
    pthread_mutex_destroy(&v->lock);
    SDL_CloseAudioDevice(v->dev);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    free(v);
}

void ui_voice_stop(ui_voice *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    v->want[0] = '\0';
    v->serial++;
    SDL_ClearQueuedAudio(v->dev);
    pthread_mutex_unlock(&v->lock);
}

unsigned ui_voice_queued(const ui_voice *v)
{
    if (!v)
        return 0;
    ui_voice *m = (ui_voice *)v; /* the lock is not part of what v means */
    pthread_mutex_lock(&m->lock);
    unsigned n = SDL_GetQueuedAudioSize(m->dev);
    if (n == 0 && (m->want[0] || m->busy))
        n = 1; /* a prompt on its way */
    pthread_mutex_unlock(&m->lock);
    return n;
}

/* Queue 16-bit mono samples at RATE (already scaled to the volume), in place of whatever
 * was queued. Called with v->lock held. */
static kiosk_rc queue(ui_voice *v, int16_t *pcm, size_t n)
{
    SDL_ClearQueuedAudio(v->dev);
    if (SDL_QueueAudio(v->dev, pcm, (Uint32)(n * sizeof *pcm)) != 0) {
        kiosk_log_warn("voice", "cannot queue sound: %s", SDL_GetError());
        return KIOSK_IO;
    }
    return KIOSK_OK;
}

/* Read the WAV at path and convert it to RATE 16-bit mono: *pcm owned (free), *n samples.
 * Loader thread. */
static kiosk_rc load(const char *path, int16_t **pcm, size_t *n)
{
    *pcm = NULL;
    *n = 0;
    SDL_AudioSpec spec;
    Uint8 *buf = NULL;
    Uint32 len = 0;
    if (!SDL_LoadWAV(path, &spec, &buf, &len)) {
        kiosk_log_warn("voice", "cannot read the prompt %s: %s", path, SDL_GetError());
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
    cvt.len = (int)len;
    cvt.buf = malloc((size_t)len * (size_t)(need ? cvt.len_mult : 1));
    if (!cvt.buf) {
        SDL_FreeWAV(buf);
        return KIOSK_NOMEM;
    }
    memcpy(cvt.buf, buf, len);
    SDL_FreeWAV(buf);
    cvt.len_cvt = (int)len;
    if (need && SDL_ConvertAudio(&cvt) != 0) {
        free(cvt.buf);
        return KIOSK_CORRUPT;
    }
    *pcm = (int16_t *)(void *)cvt.buf;
    *n = (size_t)cvt.len_cvt / sizeof(int16_t);
    return KIOSK_OK;
}

static void *loader_main(void *arg)
{
    ui_voice *v = arg;
    pthread_mutex_lock(&v->lock);
    for (;;) {
        while (!v->quit && !v->want[0])
            pthread_cond_wait(&v->wake, &v->lock);
        if (v->quit)
            break;
        char path[sizeof v->want];
        memcpy(path, v->want, sizeof path);
        v->want[0] = '\0';
        unsigned serial = v->serial;
        v->busy = 1;
        pthread_mutex_unlock(&v->lock);
        int16_t *pcm;
        size_t n;
        kiosk_rc rc = load(path, &pcm, &n);
        if (rc == KIOSK_OK)
            voice_scale(pcm, n, v->volume);
        pthread_mutex_lock(&v->lock);
        if (rc == KIOSK_OK && serial == v->serial && !v->quit)
            queue(v, pcm, n);
        free(pcm);
        v->busy = 0;
    }
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

kiosk_rc ui_voice_say(ui_voice *v, const char *lang, const char *name)
{
    if (!v || !lang || !name)
        return KIOSK_INVALID;
    char path[sizeof v->want];
    int len = snprintf(path, sizeof path, "%s/%s/%s.wav", v->dir, lang, name);
    struct stat st;
    if (len <= 0 || (size_t)len >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        kiosk_log_warn("voice", "no prompt %s", path);
        return KIOSK_NOT_FOUND;
    }
    pthread_mutex_lock(&v->lock);
    memcpy(v->want, path, (size_t)len + 1);
    v->serial++;
    SDL_ClearQueuedAudio(v->dev); /* the last prompt stops now, not when this one is read */
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
    return KIOSK_OK;
}

kiosk_rc ui_voice_chime(ui_voice *v)
{
    if (!v)
        return KIOSK_INVALID;
    static int16_t pcm[RATE / 2]; /* the chime is 0.4 s; UI thread only */
    size_t n = voice_chime(pcm, sizeof pcm / sizeof pcm[0], RATE, 100);
    voice_scale(pcm, n, v->volume);
    pthread_mutex_lock(&v->lock);
    v->want[0] = '\0'; /* a prompt on its way is not played over the chime */
    v->serial++;
    kiosk_rc rc = queue(v, pcm, n);
    pthread_mutex_unlock(&v->lock);
    return rc;
}

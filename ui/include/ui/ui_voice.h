/*
 * The kiosk's sound: the spoken prompt of a step and the help chime through SDL audio
 * (SDL_OpenAudioDevice + SDL_QueueAudio, 22050 Hz 16-bit mono). The prompts are WAV
 * files rendered from the strings at build time (<prompts_dir>/<lang>/<name>.wav, see
 * toolchain/render-prompts.sh); what to say when is app/voice.h's and the session's.
 * A unit with no sound device runs silent (ui_voice_create fails, the kiosk goes on).
 * Prompts are read by a loader thread of ui_voice's own. UI thread only.
 */
#ifndef UI_VOICE_H
#define UI_VOICE_H

#include "core/kiosk_error.h"

typedef struct ui_voice ui_voice;

/* Open the default sound device. prompts_dir is copied ("" or NULL: the build's own);
 * volume 0..100. KIOSK_UNSUPPORTED when SDL has no sound device (logged once). *out is
 * owned: ui_voice_destroy. */
kiosk_rc ui_voice_create(const char *prompts_dir, int volume, ui_voice **out);
void ui_voice_destroy(ui_voice *v); /* NULL is fine */

/* Say prompt name (borrowed) in lang ("zh_CN", "en"): whatever was playing stops now and
 * the prompt is read, converted and queued by the loader thread (the UI thread only
 * checks that the file exists and signals). KIOSK_NOT_FOUND without its file; a file SDL
 * cannot read is logged by the loader and not played. */
kiosk_rc ui_voice_say(ui_voice *v, const char *lang, const char *name);
/* The help chime (app/voice.h), after stopping whatever was playing. */
kiosk_rc ui_voice_chime(ui_voice *v);
/* Silence now. */
void ui_voice_stop(ui_voice *v);
/* Bytes still queued for the device, or 1 while a prompt is being read (0: quiet). */
unsigned ui_voice_queued(const ui_voice *v);

#endif

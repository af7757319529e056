/*
 * Voice guidance without a sound device: which prompt each step of the journey speaks
 * (one per screen, a key of the strings' [voice] section and the name of its WAV file
 * rendered at build time), the help chime as samples, and the volume. The UI plays what
 * this gives it (ui_voice.h); nothing here opens a device, and nothing spoken is ever
 * about the citizen — the prompts are fixed texts from the assets.
 */
#ifndef KIOSK_APP_VOICE_H
#define KIOSK_APP_VOICE_H

#include <stddef.h>
#include <stdint.h>

#include "config/kiosk_config.h"
#include "domain/registration.h"
#include "flow/flow.h"

/* The prompt of step ("pin", "form" …; the file <prompts>/<lang>/<name>.wav and the
 * string "voice.<name>"), static; NULL for a step that says nothing. */
const char *voice_prompt_name(flow_step step);
/* The same for a form page: another record type's one page has its own prompt
 * ("form_deregistration", "form_jobseeker"); any other step or page: voice_prompt_name. */
const char *voice_prompt_name_page(flow_step step, flow_page page);

/* The unfinished form's offer on the services screen, by the kept form's type: "resume"
 * (失业登记), "resume_deregistration" or "resume_jobseeker". */
const char *voice_resume_prompt(registration_type type);

/* The attract screen's prompt as the readers fitted take the card: "attract" (tap it),
 * "attract_insert" or "attract_either". */
const char *voice_attract_prompt(kiosk_card_entry entry);

/* The help chime: two tones (E6 then C6), each with a soft start and end, at rate Hz,
 * 16-bit mono, scaled to volume (0..100). Writes at most n samples into pcm (caller's
 * storage) and returns how many it wrote (voice_chime_samples(rate) when n allows). */
size_t voice_chime(int16_t *pcm, size_t n, int rate, int volume);
size_t voice_chime_samples(int rate);

/* Scale 16-bit samples in place to volume (0..100; 100 leaves them as they are). */
void voice_scale(int16_t *pcm, size_t n, int volume);

#endif

/* libFuzzer target: arbitrary bytes as a card profile of the simulated reader (the
 * default backend: a technician's file). Parsing must refuse or build a card; the card
 * must then answer the whole read — card, PIN, holder — without a crash or overread. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "ssc/reader_sim.h"
#include "ssc/ssc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_scratch(); /* quiet logs */
    reader *r = (reader *)1;
    reader_sim_faults faults = {0, 0, 0, size % 2}; /* T=0 GET RESPONSE on odd sizes */
    kiosk_rc rc = reader_sim_create_mem((const char *)data, size, &faults, &r);
    if (rc != KIOSK_OK) {
        if (r != NULL || (rc != KIOSK_CONFIG && rc != KIOSK_NOMEM))
            abort();
        return 0;
    }
    reader_target t;
    if (r->ops->poll(r, 0, &t) != KIOSK_OK)
        abort(); /* the card is on the reader */
    ssc_card card;
    ssc_holder h;
    int tries = -1;
    if (ssc_read_card(r, &card) == KIOSK_OK && strlen(card.card_number) > 9)
        abort();
    (void)ssc_verify_pin(r, "123456", &tries);
    /* the holder's sex comes from the ID number, by the caller: not checked here */
    if (ssc_read_holder(r, &h) == KIOSK_OK && (strlen(h.id_number) != 18 || !h.name[0]))
        abort();
    reader_close(r);
    return 0;
}

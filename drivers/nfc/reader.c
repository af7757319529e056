/* Backend-independent reader helpers. */
#include "nfc/reader.h"

void reader_close(reader *r)
{
    if (r)
        r->ops->close(r);
}

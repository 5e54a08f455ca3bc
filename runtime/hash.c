/* hash.c - the runtime's content digest. */
#include "fart.h"

#include <string.h>

void fart_hash_init(fart_hash *h)
{
    h->a = 0xcbf29ce484222325ULL;
    h->b = 0x6a09e667f3bcc909ULL;
}

void fart_hash_update(fart_hash *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t a = h->a, b = h->b;
    for (size_t i = 0; i < n; i++) {
        a = (a ^ p[i]) * 0x100000001b3ULL;
        b = (b + p[i] + 1) * 0xff51afd7ed558ccdULL;
        b ^= b >> 29;
    }
    h->a = a;
    h->b = b;
}

void fart_hash_str(fart_hash *h, const char *s)
{
    fart_hash_update(h, s, strlen(s) + 1);
}

void fart_hash_int(fart_hash *h, int64_t v)
{
    fart_hash_update(h, &v, sizeof v);
}

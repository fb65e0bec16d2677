/* marvin.c — Marvin32, the keyed hash Windows uses to validate new-format
 * transaction log entries (Hash-1 over the entry data, Hash-2 over the
 * header).  Written from the published description of the algorithm: two
 * 32-bit state words seeded from a 64-bit key, one mixing round per
 * little-endian dword, a 0x80 terminator byte after the tail, two final
 * rounds. */
#include "recover_internal.h"

static inline uint32_t rotl32(uint32_t x, unsigned r)
{
    return (x << r) | (x >> (32u - r));
}

static inline void marvin_round(uint32_t *lo, uint32_t *hi)
{
    *hi ^= *lo;
    *lo = rotl32(*lo, 20);
    *lo += *hi;
    *hi = rotl32(*hi, 9);
    *hi ^= *lo;
    *lo = rotl32(*lo, 27);
    *lo += *hi;
    *hi = rotl32(*hi, 19);
}

void bl_marvin32_init(bl_marvin32_state *st, uint64_t seed)
{
    st->lo = (uint32_t)seed;
    st->hi = (uint32_t)(seed >> 32);
}

void bl_marvin32_update(bl_marvin32_state *st, const uint8_t *p, size_t n)
{
    for (; n >= 4; p += 4, n -= 4) {
        st->lo += bl_le32_at(p);
        marvin_round(&st->lo, &st->hi);
    }
}

uint64_t bl_marvin32_final(bl_marvin32_state *st, const uint8_t *p, size_t n)
{
    bl_marvin32_update(st, p, n);
    p += n & ~(size_t)3;
    n &= 3;
    /* The 1..3 leftover bytes are padded with 0x80 so that messages that
     * differ only by trailing zero bytes hash differently. */
    uint32_t last = 0x80;
    for (size_t i = n; i-- > 0;)
        last = (last << 8) | p[i];
    st->lo += last;
    marvin_round(&st->lo, &st->hi);
    marvin_round(&st->lo, &st->hi);
    return (uint64_t)st->hi << 32 | st->lo;
}

uint64_t bl_marvin32(const uint8_t *p, size_t n, uint64_t seed)
{
    bl_marvin32_state st;
    bl_marvin32_init(&st, seed);
    return bl_marvin32_final(&st, p, n);
}

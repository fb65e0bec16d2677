/* sha256.c — SHA-256 of evidence (hive files, logs, disk images) for the
 * inputs the reports list.  Nettle does the hashing: it picks the CPU's SHA
 * instructions at run time (about 1.5 GB/s here, several times what a
 * portable implementation reaches), which matters when a multi-gigabyte
 * image is hashed; this file only wraps it in the project's types. */
#include "bootlens/util.h"

#include <nettle/sha2.h>
#include <string.h>

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((bl_sha256_ctx *)0)->state),
               "bl_sha256 must hold nettle's context");

void bl_sha256_init(bl_sha256_ctx *s)
{
    sha256_init((struct sha256_ctx *)(void *)s->state);
}

void bl_sha256_update(bl_sha256_ctx *s, const void *data, size_t n)
{
    sha256_update((struct sha256_ctx *)(void *)s->state, n, data);
}

void bl_sha256_final(bl_sha256_ctx *s, uint8_t digest[BL_SHA256_SIZE])
{
    sha256_digest((struct sha256_ctx *)(void *)s->state, BL_SHA256_SIZE, digest);
}

void bl_sha256(const void *data, size_t n, uint8_t digest[BL_SHA256_SIZE])
{
    bl_sha256_ctx s;
    bl_sha256_init(&s);
    bl_sha256_update(&s, data, n);
    bl_sha256_final(&s, digest);
}

void bl_sha256_hex(const uint8_t digest[BL_SHA256_SIZE], char hex[BL_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < BL_SHA256_SIZE; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[2 * BL_SHA256_SIZE] = '\0';
}

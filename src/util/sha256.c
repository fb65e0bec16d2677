/* sha256.c — SHA-256 of evidence (hive files, logs, disk images) and of the
 * other files a report was computed from, for the inputs the reports list.  Nettle does the hashing: it picks the CPU's SHA
 * instructions at run time (about 1.5 GB/s here, several times what a
 * portable implementation reaches), which matters when a multi-gigabyte
 * image is hashed; this file only wraps it in the project's types. */
#include "bootlens/util.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void bl_file_digest_compute(bl_file_digest *d, const char *role, const char *path)
{
    memset(d, 0, sizeof *d);
    d->role = role;
    d->path = path;
    /* Never blocks on a FIFO or grabs a terminal: only a regular file is
     * hashed (the parser that read it refuses anything else). */
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return;
    }
    enum { BLOCK = 1 << 16 };
    uint8_t *buf = bl_xmalloc(BLOCK);
    bl_sha256_ctx s;
    bl_sha256_init(&s);
    uint64_t total = 0;
    bool ok = true;
    for (;;) {
        ssize_t n = read(fd, buf, BLOCK);
        if (n < 0) {
            ok = false;
            break;
        }
        if (n == 0)
            break;
        bl_sha256_update(&s, buf, (size_t)n);
        total += (uint64_t)n;
    }
    free(buf);
    close(fd);
    if (!ok)
        return;
    bl_sha256_final(&s, d->sha256);
    d->size = total;
    d->hashed = true;
}

void bl_util_libraries(bl_libraries *l)
{
    /* nettle_version_major/minor (nettle >= 3.1) report the loaded library. */
    char run[32], built[32];
    snprintf(run, sizeof run, "%d.%d", nettle_version_major(), nettle_version_minor());
    snprintf(built, sizeof built, "%d.%d", NETTLE_VERSION_MAJOR, NETTLE_VERSION_MINOR);
    bl_libraries_add(l, "nettle", run, built);
}

/* bfio.c — the callbacks of a read-only libbfio handle over a read
 * function (see bfio.h).  libbfio 20170123's own memory range copies the
 * full requested size when a read starts inside the buffer and runs past its
 * end (a heap over-read our fuzzer found through libregf's hive-bin reader):
 * these clamp every read to the size, and every seek to what off64_t holds. */
#include "bfio.h"

#include "bootlens/util.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

typedef struct reader {
    bl_bfio_read_fn read;
    void *ctx;
    uint64_t size, pos;
    bool open;
} reader;

static int r_free(intptr_t **io, libbfio_error_t **e)
{
    (void)e;
    free(*io);
    *io = NULL;
    return 1;
}

static int r_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **e)
{
    (void)e;
    reader *c = bl_xmalloc(sizeof *c);
    *c = *(reader *)src;
    c->pos = 0;
    c->open = false;
    *dst = (intptr_t *)c;
    return 1;
}

static int r_open(intptr_t *io, int flags, libbfio_error_t **e)
{
    (void)e;
    if (flags & LIBBFIO_ACCESS_FLAG_WRITE)
        return -1; /* evidence is read-only */
    ((reader *)io)->open = true;
    ((reader *)io)->pos = 0;
    return 1;
}

static int r_close(intptr_t *io, libbfio_error_t **e)
{
    (void)e;
    ((reader *)io)->open = false;
    return 0;
}

static ssize_t r_read(intptr_t *io, uint8_t *buf, size_t size, libbfio_error_t **e)
{
    (void)e;
    reader *r = (reader *)io;
    if (!r->open || size > SSIZE_MAX)
        return -1;
    if (r->pos >= r->size)
        return 0;
    size_t n = r->size - r->pos < size ? (size_t)(r->size - r->pos) : size;
    if (r->read(r->ctx, r->pos, buf, n) != 0)
        return -1;
    r->pos += n;
    return (ssize_t)n;
}

static ssize_t r_write(intptr_t *io, const uint8_t *buf, size_t size, libbfio_error_t **e)
{
    (void)io, (void)buf, (void)size, (void)e;
    return -1;
}

static off64_t r_seek(intptr_t *io, off64_t offset, int whence, libbfio_error_t **e)
{
    (void)e;
    reader *r = (reader *)io;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return -1;
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)r->pos : (int64_t)r->size;
    if ((offset < 0 && -offset > base) || offset > INT64_MAX - base)
        return -1;
    r->pos = (uint64_t)(base + offset);
    return (off64_t)r->pos;
}

static int r_exists(intptr_t *io, libbfio_error_t **e)
{
    (void)io, (void)e;
    return 1;
}

static int r_is_open(intptr_t *io, libbfio_error_t **e)
{
    (void)e;
    return ((reader *)io)->open ? 1 : 0;
}

static int r_get_size(intptr_t *io, size64_t *size, libbfio_error_t **e)
{
    (void)e;
    *size = ((reader *)io)->size;
    return 1;
}

int bl_bfio_reader(libbfio_handle_t **out, uint64_t size, bl_bfio_read_fn read, void *ctx)
{
    reader *r = bl_xcalloc(1, sizeof *r);
    r->read = read;
    r->ctx = ctx;
    r->size = size > INT64_MAX ? INT64_MAX : size;
    libbfio_error_t *be = NULL;
    if (libbfio_handle_initialize(out, (intptr_t *)r, r_free, r_clone, r_open, r_close, r_read, r_write, r_seek,
                                  r_exists, r_is_open, r_get_size,
                                  LIBBFIO_FLAG_IO_HANDLE_MANAGED | LIBBFIO_FLAG_IO_HANDLE_CLONE_BY_FUNCTION,
                                  &be) != 1) {
        libbfio_error_free(&be);
        free(r);
        return -1;
    }
    return 0;
}

/* bfio.h — a read-only libbfio handle whose reads go through a callback:
 * how libregf reads a hive held in memory (hive/open.c) and libfsntfs a
 * volume inside a disk image (image/ntfs.c).  Every read is clamped to the
 * size given; writes are refused (evidence is read-only). */
#ifndef BL_UTIL_BFIO_H
#define BL_UTIL_BFIO_H

#include <libbfio.h>
#include <stddef.h>
#include <stdint.h>

/* Reads n bytes at off (off + n never past the size): 0, or -1 on failure. */
typedef int (*bl_bfio_read_fn)(void *ctx, uint64_t off, uint8_t *buf, size_t n);

/* A managed handle reading [0, size) through read(ctx, ...); ctx must
 * outlive it (and its clones).  0, or -1 when libbfio refuses. */
int bl_bfio_reader(libbfio_handle_t **out, uint64_t size, bl_bfio_read_fn read, void *ctx);

#endif

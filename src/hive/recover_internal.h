/* recover_internal.h — helpers shared by the base block checks, the log
 * replay and their tests: little-endian field access, the raw base block
 * layout, and Marvin32 (the hash that guards new-format log entries).  Not a
 * public interface: only src/hive/ and its unit test include it. */
#ifndef BOOTLENS_RECOVER_INTERNAL_H
#define BOOTLENS_RECOVER_INTERNAL_H

#include "bootlens/hive.h"

#include <stddef.h>
#include <stdint.h>

/* Sizes fixed by the on-disk format. */
#define BL_BASE_BLOCK_SIZE 4096u /* base block of a primary file */
#define BL_HBIN_ALIGN 4096u      /* hive bins data grows in 4 KiB steps */
#define BL_SECTOR 512u           /* log structures sit on 512-byte boundaries */
#define BL_CHECKSUM_BYTES 508u   /* the base block checksum covers 127 dwords */

/* Base block field offsets (the same in primaries and in log base blocks). */
enum {
    BL_BB_SIGNATURE = 0,
    BL_BB_PRIMARY_SEQ = 4,
    BL_BB_SECONDARY_SEQ = 8,
    BL_BB_LAST_WRITTEN = 12,
    BL_BB_MAJOR = 20,
    BL_BB_MINOR = 24,
    BL_BB_FILE_TYPE = 28,
    BL_BB_FILE_FORMAT = 32,
    BL_BB_ROOT_CELL = 36,
    BL_BB_HIVE_BINS_SIZE = 40,
    BL_BB_CLUSTERING = 44,
    BL_BB_FILE_NAME = 48,
    BL_BB_FILE_NAME_LEN = 64,
    BL_BB_RM_ID = 112, /* GUIDs of Vista and later (KTM), valid with the signature */
    BL_BB_LOG_ID = 128,
    BL_BB_FLAGS = 144,
    BL_BB_TM_ID = 148,
    BL_BB_GUID_SIGNATURE = 164, /* "rmtm" */
    BL_BB_CHECKSUM = 508,
};

/* File types found in base blocks. */
enum {
    BL_FILE_PRIMARY = 0,
    BL_FILE_LOG_OLD = 1,     /* .LOG of Windows XP..8 (dirty vector) */
    BL_FILE_LOG_OLD_ALT = 2, /* same layout, written by some older writers */
    BL_FILE_LOG_NEW = 6,     /* .LOG1/.LOG2 of Windows 8.1+ (HvLE entries) */
};

/* Windows' seed for the Marvin32 hashes of registry log entries. */
#define BL_LOG_MARVIN_SEED UINT64_C(0x82EF4D887A4E55C5)

static inline uint32_t bl_le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t bl_le64_at(const uint8_t *p)
{
    return (uint64_t)bl_le32_at(p) | (uint64_t)bl_le32_at(p + 4) << 32;
}

static inline void bl_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Fills every field of out from the first 512 bytes at block (which must hold
 * at least BL_SECTOR bytes), without judging any of them.  Log base blocks
 * are only a sector long, so this is the part primaries and logs share. */
void bl_base_block_read(const uint8_t *block, bl_base_block *out);

/* bl_base_block_parse with the kind of failure spelled out: recovery treats
 * a bad checksum and a short file differently from a file that is no hive. */
typedef enum bl_base_verdict {
    BL_BASE_OK,
    BL_BASE_BAD,          /* not a usable primary base block */
    BL_BASE_BAD_CHECKSUM, /* fields read, checksum wrong: a log may replace it */
    BL_BASE_TRUNCATED,    /* everything else fine, hive bins cut short */
} bl_base_verdict;
bl_base_verdict bl_base_block_check(const uint8_t *data, size_t size, const char *label,
                                    bl_base_block *out, bl_error *err);

/* Where a recovered image lives.  start returns len bytes whose first
 * primary_size are the primary's and the rest zero (no request will ever
 * exceed most bytes); grow extends it to len, new bytes zero; release frees
 * it.  bl_image_heap copies the primary to the heap; the hive opener maps the
 * file copy-on-write instead, so that replaying a few pages into a large
 * hive touches only those pages. */
typedef struct bl_image_alloc {
    uint8_t *(*start)(void *ctx, const uint8_t *primary, size_t primary_size, size_t len, size_t most);
    uint8_t *(*grow)(void *ctx, uint8_t *img, size_t old_len, size_t len);
    void (*release)(void *ctx, uint8_t *img, size_t len);
    void *ctx;
} bl_image_alloc;
extern const bl_image_alloc bl_image_heap;

/* bl_hive_recover with the image placed by alloc (*out is released with
 * alloc->release, *out_size bytes).  logs_mapped: the logs' data are
 * read-only file mappings, whose pages are given back once hashed (a log may
 * hold a gigabyte of entries; what stays resident must not). */
int bl_hive_recover_with(const bl_image_alloc *alloc, bool logs_mapped, const uint8_t *primary, size_t size,
                         const char *label, const bl_log_file *logs, size_t nlogs, uint8_t **out, size_t *out_size,
                         bl_recovery *rep, bl_error *err);

/* Marvin32 over n bytes with a 64-bit seed: the low dword of the result is
 * the first state word, the high dword the second, which is how log entries
 * store it (8 bytes, little-endian). */
uint64_t bl_marvin32(const uint8_t *p, size_t n, uint64_t seed);
/* The same in pieces, for data too large to touch at once: update takes a
 * multiple of 4 bytes, final the rest (any length). */
typedef struct bl_marvin32_state {
    uint32_t lo, hi;
} bl_marvin32_state;
void bl_marvin32_init(bl_marvin32_state *st, uint64_t seed);
void bl_marvin32_update(bl_marvin32_state *st, const uint8_t *p, size_t n);
uint64_t bl_marvin32_final(bl_marvin32_state *st, const uint8_t *p, size_t n);

#endif

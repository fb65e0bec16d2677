/* baseblock.c — the 4096-byte base block ("regf" header) at the start of a
 * hive: reading its fields, its XOR checksum, and deciding whether it
 * describes a primary hive we can read.  Every problem becomes one line,
 * "LABEL: what is wrong", for the user. */
#include "recover_internal.h"

#include <stdio.h>
#include <string.h>

uint32_t bl_base_block_checksum(const uint8_t *block)
{
    uint32_t sum = 0;
    for (size_t off = 0; off < BL_CHECKSUM_BYTES; off += 4)
        sum ^= bl_le32_at(block + off);
    /* Windows never stores 0 or -1 as a checksum (they read as "not set"),
     * so it nudges those two results by one. */
    if (sum == 0)
        sum = 1;
    else if (sum == UINT32_MAX)
        sum = UINT32_MAX - 1;
    return sum;
}

void bl_base_block_read(const uint8_t *block, bl_base_block *out)
{
    memset(out, 0, sizeof *out);
    out->primary_seq = bl_le32_at(block + BL_BB_PRIMARY_SEQ);
    out->secondary_seq = bl_le32_at(block + BL_BB_SECONDARY_SEQ);
    out->last_written = bl_le64_at(block + BL_BB_LAST_WRITTEN);
    out->major = bl_le32_at(block + BL_BB_MAJOR);
    out->minor = bl_le32_at(block + BL_BB_MINOR);
    out->file_type = bl_le32_at(block + BL_BB_FILE_TYPE);
    out->file_format = bl_le32_at(block + BL_BB_FILE_FORMAT);
    out->root_cell = bl_le32_at(block + BL_BB_ROOT_CELL);
    out->hive_bins_size = bl_le32_at(block + BL_BB_HIVE_BINS_SIZE);
    out->clustering = bl_le32_at(block + BL_BB_CLUSTERING);
    out->checksum = bl_le32_at(block + BL_BB_CHECKSUM);
    out->computed_checksum = bl_base_block_checksum(block);
    out->has_guids = memcmp(block + BL_BB_GUID_SIGNATURE, "rmtm", 4) == 0;
    if (out->has_guids) {
        memcpy(out->rm_id, block + BL_BB_RM_ID, 16);
        memcpy(out->log_id, block + BL_BB_LOG_ID, 16);
        memcpy(out->tm_id, block + BL_BB_TM_ID, 16);
    }

    bl_sb name = {0};
    bl_utf16le_to_utf8(block + BL_BB_FILE_NAME, BL_BB_FILE_NAME_LEN, &name);
    /* Truncate on a character boundary so the copy stays valid UTF-8. */
    size_t n = name.len < sizeof out->file_name ? name.len : sizeof out->file_name - 1;
    while (n > 0 && n < name.len && ((unsigned char)name.buf[n] & 0xC0) == 0x80)
        n--;
    if (n)
        memcpy(out->file_name, name.buf, n);
    out->file_name[n] = '\0';
    bl_sb_free(&name);
}

static bl_base_verdict fail(bl_base_verdict v, bl_error *err, const char *label, const char *fmt,
                            ...) BL_PRINTF(4, 5);

static bl_base_verdict fail(bl_base_verdict v, bl_error *err, const char *label, const char *fmt,
                            ...)
{
    if (!err)
        return v;
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    bl_error_set(err, "%s: %s", label, what);
    return v;
}

/* The checks run in a fixed order so that the failures a caller may work
 * around are recognisable:
 *   - a checksum mismatch is reported before any field check (a bad checksum
 *     means the other fields cannot be trusted either), and a transaction
 *     log may supply a good base block, as Windows does;
 *   - truncation is checked last, so it means every other check passed.
 * Sequence numbers are not judged here: a dirty hive is still a hive. */
bl_base_verdict bl_base_block_check(const uint8_t *data, size_t size, const char *label,
                                    bl_base_block *out, bl_error *err)
{
    memset(out, 0, sizeof *out);
    if (!label)
        label = "hive";
    if (size >= BL_SECTOR)
        bl_base_block_read(data, out);
    if (size < BL_BASE_BLOCK_SIZE)
        return fail(BL_BASE_BAD, err, label,
                    "too small for a registry hive: %zu bytes (the base block alone is %u)", size,
                    BL_BASE_BLOCK_SIZE);
    if (memcmp(data, "regf", 4) != 0)
        return fail(BL_BASE_BAD, err, label, "not a registry hive (no \"regf\" signature)");
    if (out->checksum != out->computed_checksum)
        return fail(BL_BASE_BAD_CHECKSUM, err, label,
                    "base block checksum mismatch (stored 0x%08x, computed 0x%08x)", out->checksum,
                    out->computed_checksum);
    if (out->file_type == BL_FILE_LOG_OLD || out->file_type == BL_FILE_LOG_OLD_ALT ||
        out->file_type == BL_FILE_LOG_NEW)
        return fail(BL_BASE_BAD, err, label, "this is a transaction log, not a hive (file type %u)",
                    out->file_type);
    if (out->file_type != BL_FILE_PRIMARY)
        return fail(BL_BASE_BAD, err, label,
                    "unknown file type %u in the base block (0 is a primary hive)", out->file_type);
    if (out->major != 1 || out->minor < 2 || out->minor > 6)
        return fail(BL_BASE_BAD, err, label,
                    "unsupported hive format version %u.%u (expected 1.2 to 1.6)", out->major,
                    out->minor);
    if (out->file_format != 1)
        return fail(BL_BASE_BAD, err, label,
                    "unsupported file format %u (expected 1, direct memory load)",
                    out->file_format);
    if (out->hive_bins_size == 0 || out->hive_bins_size % BL_HBIN_ALIGN != 0)
        return fail(BL_BASE_BAD, err, label,
                    "bad hive bins data size %u (must be a non-zero multiple of 4096)",
                    out->hive_bins_size);
    if ((size_t)out->hive_bins_size > BL_HIVE_MAX_SIZE - BL_BASE_BLOCK_SIZE)
        return fail(BL_BASE_BAD, err, label, "hive bins data size %u is beyond the %zu-byte limit",
                    out->hive_bins_size, BL_HIVE_MAX_SIZE);
    if (out->root_cell >= out->hive_bins_size)
        return fail(BL_BASE_BAD, err, label,
                    "root cell offset 0x%x lies outside the %u bytes of hive bins", out->root_cell,
                    out->hive_bins_size);
    if (size >= BL_BASE_BLOCK_SIZE + 4 && memcmp(data + BL_BASE_BLOCK_SIZE, "hbin", 4) != 0)
        return fail(BL_BASE_BAD, err, label,
                    "no hive bin at offset 0x1000 (\"hbin\" signature missing)");
    size_t held = size - BL_BASE_BLOCK_SIZE;
    if (out->hive_bins_size > held)
        return fail(BL_BASE_TRUNCATED, err, label,
                    "truncated: the base block announces %u bytes of hive bins, the file holds %zu",
                    out->hive_bins_size, held);
    return BL_BASE_OK;
}

/* Contract: returns 0 when data starts with a usable primary base block,
 * else -1 with one line in err (err may be NULL).  out is always written:
 * zeroed when fewer than 512 bytes are there, otherwise every field as read.
 * A checksum mismatch shows as out->checksum != out->computed_checksum (the
 * caller may repair it from a log); "truncated" means every other check
 * passed and 4096 + out->hive_bins_size > size. */
int bl_base_block_parse(const uint8_t *data, size_t size, const char *label, bl_base_block *out,
                        bl_error *err)
{
    return bl_base_block_check(data, size, label, out, err) == BL_BASE_OK ? 0 : -1;
}

/* mkdirty.c — test tool: turns a clean hive into a dirty one with its
 * transaction logs, the way Windows leaves a hive whose last writes reached
 * only the logs (Windows 8.1+ "HvLE" format).
 *
 *   mkdirty HIVE OUT 'KEY' VALUE DWORD ['KEY' VALUE DWORD]...
 *
 * OUT is HIVE with each named REG_DWORD (stored inline in its value cell)
 * set to the stale DWORD, and sequence numbers saying a write did not
 * complete; OUT.LOG1 and OUT.LOG2 hold, in turn, one log entry per change
 * with HIVE's own page.  Replaying the logs onto OUT gives HIVE's cells
 * back exactly: the tests use it to prove that logs found inside a disk
 * image are replayed as logs beside a file are.  Exit 0, or 1 with a reason. */
#include "bootlens/hive.h"

#include "../../src/hive/recover_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHANGES 8
#define HVLE_HEADER 40u /* an HvLE entry header: signature .. hash-2 */

static int die(const char *what, const char *arg)
{
    fprintf(stderr, "mkdirty: %s: %s\n", arg, what);
    return 1;
}

static int write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        return die("cannot write", path);
    return 0;
}

static void put_le64(uint8_t *p, uint64_t v)
{
    bl_put_le32(p, (uint32_t)v);
    bl_put_le32(p + 4, (uint32_t)(v >> 32));
}

int main(int argc, char **argv)
{
    if (argc < 6 || (argc - 3) % 3 != 0 || (argc - 3) / 3 > MAX_CHANGES) {
        fprintf(stderr, "usage: mkdirty HIVE OUT 'KEY' VALUE DWORD...\n");
        return 2;
    }
    bl_hive_options ho = {0};
    ho.no_recovery = true;
    bl_hive *h;
    bl_error err = {{0}};
    if (bl_hive_open(argv[1], &ho, &h, &err) != 0)
        return die(err.msg, argv[1]);
    size_t size;
    const uint8_t *orig = bl_hive_image(h, &size);
    const bl_hive_info *hi = bl_hive_get_info(h);
    if (hi->dirty)
        return die("already dirty", argv[1]);
    uint8_t *primary = malloc(size);
    memcpy(primary, orig, size);
    uint32_t hbins = hi->base.hive_bins_size;
    uint32_t seq = hi->base.secondary_seq + 1;
    int nchanges = (argc - 3) / 3;
    uint8_t *logs[2] = {NULL, NULL};
    size_t log_len[2] = {0, 0};
    for (int i = 0; i < nchanges; i++) {
        const char *key = argv[3 + 3 * i], *name = argv[4 + 3 * i];
        uint32_t stale = (uint32_t)strtoul(argv[5 + 3 * i], NULL, 0);
        bl_key *k = bl_key_open(h, NULL, key);
        bl_value v;
        if (!k || !bl_key_value_by_name(k, name, &v) || v.type != BL_REG_DWORD || v.size != 4 ||
            v.data < orig + BL_BASE_BLOCK_SIZE || v.data >= orig + size)
            return die("no inline REG_DWORD of that name", key);
        size_t at = (size_t)(v.data - orig);
        bl_put_le32(primary + at, stale);
        bl_key_close(k);
        /* One entry: the whole 4 KiB page of HIVE around the value. */
        uint32_t page = (uint32_t)((at - BL_BASE_BLOCK_SIZE) / BL_HBIN_ALIGN * BL_HBIN_ALIGN);
        int which = i % 2;
        if (!logs[which]) {
            logs[which] = calloc(1, BL_SECTOR);
            memcpy(logs[which], orig, BL_SECTOR);
            bl_put_le32(logs[which] + BL_BB_PRIMARY_SEQ, seq + (uint32_t)i);
            bl_put_le32(logs[which] + BL_BB_SECONDARY_SEQ, seq + (uint32_t)i);
            bl_put_le32(logs[which] + BL_BB_FILE_TYPE, BL_FILE_LOG_NEW);
            bl_put_le32(logs[which] + BL_BB_CHECKSUM, bl_base_block_checksum(logs[which]));
            log_len[which] = BL_SECTOR;
        }
        size_t esize = (HVLE_HEADER + 8 + BL_HBIN_ALIGN + BL_SECTOR - 1) / BL_SECTOR * BL_SECTOR;
        logs[which] = realloc(logs[which], log_len[which] + esize);
        uint8_t *e = logs[which] + log_len[which];
        memset(e, 0, esize);
        memcpy(e, "HvLE", 4);
        bl_put_le32(e + 4, (uint32_t)esize);
        bl_put_le32(e + 12, seq + (uint32_t)i);
        bl_put_le32(e + 16, hbins);
        bl_put_le32(e + 20, 1);
        bl_put_le32(e + HVLE_HEADER, page);
        bl_put_le32(e + HVLE_HEADER + 4, BL_HBIN_ALIGN);
        memcpy(e + HVLE_HEADER + 8, orig + BL_BASE_BLOCK_SIZE + page, BL_HBIN_ALIGN);
        put_le64(e + 24, bl_marvin32(e + HVLE_HEADER, esize - HVLE_HEADER, BL_LOG_MARVIN_SEED));
        put_le64(e + 32, bl_marvin32(e, 32, BL_LOG_MARVIN_SEED));
        log_len[which] += esize;
    }
    /* The write began (primary sequence advanced) but never finished. */
    bl_put_le32(primary + BL_BB_PRIMARY_SEQ, seq + (uint32_t)nchanges);
    bl_put_le32(primary + BL_BB_SECONDARY_SEQ, seq);
    bl_put_le32(primary + BL_BB_CHECKSUM, bl_base_block_checksum(primary));
    int rc = write_file(argv[2], primary, size);
    const char *suffix[2] = {".LOG1", ".LOG2"};
    for (int i = 0; i < 2 && !rc; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s%s", argv[2], suffix[i]);
        /* A log with no entry is still written: Windows keeps both files. */
        if (!logs[i]) {
            logs[i] = calloc(1, BL_SECTOR);
            memcpy(logs[i], orig, BL_SECTOR);
            bl_put_le32(logs[i] + BL_BB_FILE_TYPE, BL_FILE_LOG_NEW);
            bl_put_le32(logs[i] + BL_BB_CHECKSUM, bl_base_block_checksum(logs[i]));
            log_len[i] = BL_SECTOR;
        }
        rc = write_file(path, logs[i], log_len[i]);
    }
    free(logs[0]);
    free(logs[1]);
    free(primary);
    bl_hive_close(h);
    return rc;
}

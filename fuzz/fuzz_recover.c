/* fuzz_recover.c — libFuzzer target for transaction-log recovery
 * (bl_hive_recover) and the base block checks under it.
 *
 * Input layout, chosen so that small seeds reach deep code:
 *   byte 0        flags: bit 0 = repair checksums and entry hashes before the
 *                 call (so mutations get past the integrity checks and
 *                 exercise replay itself); bit 1 = compact primary (below)
 *   then          primary, log 1, log 2, log 3 separated by "BLSPLIT!"
 * A compact primary is a base block prefix (up to 512 bytes, zero-filled to
 * 4096) followed by hive bins data zero-filled to a multiple of 4096, so a
 * seed does not have to carry kilobytes of zeros.
 *
 * The seeds in fuzz/corpus/fuzz_recover/ come from the synthetic cases of
 * tests/unit/test_recover.c (`build/tests/test_recover --write-fuzz-seeds
 * DIR` regenerates them).
 *
 * Besides "no crash, no leak, no hang", every recovered image must have a
 * clean base block: valid checksum, equal sequence numbers matching the
 * report, and room for the hive bins it announces. */
#include "../src/hive/recover_internal.h"

#include <stdlib.h>
#include <string.h>

#define SEPARATOR "BLSPLIT!"
#define MAX_PARTS 4

static const uint8_t *find_sep(const uint8_t *p, size_t n)
{
    const size_t k = sizeof SEPARATOR - 1;
    const uint8_t *end = p + n;
    while ((size_t)(end - p) >= k) {
        const uint8_t *b = memchr(p, SEPARATOR[0], (size_t)(end - p) - k + 1);
        if (!b)
            return NULL;
        if (memcmp(b, SEPARATOR, k) == 0)
            return b;
        p = b + 1;
    }
    return NULL;
}

static uint8_t *compact_primary(const uint8_t *p, size_t n, size_t *out_n)
{
    size_t head = n < 512 ? n : 512;
    size_t body = n - head;
    size_t total = 4096 + (body + 4095) / 4096 * 4096;
    uint8_t *buf = calloc(1, total);
    if (!buf)
        return NULL;
    memcpy(buf, p, head);
    memcpy(buf + 4096, p + head, body);
    *out_n = total;
    return buf;
}

static void fix_base_checksum(uint8_t *p, size_t n)
{
    if (n >= 512)
        bl_put_le32(p + BL_BB_CHECKSUM, bl_base_block_checksum(p));
}

/* Recomputes Hash-1 and Hash-2 of the HvLE entries of a new-format log,
 * walking them the way the reader does (bounded by the buffer). */
static void fix_entry_hashes(uint8_t *p, size_t n)
{
    size_t off = 512;
    while (off < n && n - off >= 40 && memcmp(p + off, "HvLE", 4) == 0) {
        uint32_t size = bl_le32_at(p + off + 4);
        if (size < 40 || size > n - off)
            return;
        uint64_t h1 = bl_marvin32(p + off + 40, size - 40, BL_LOG_MARVIN_SEED);
        bl_put_le32(p + off + 24, (uint32_t)h1);
        bl_put_le32(p + off + 28, (uint32_t)(h1 >> 32));
        uint64_t h2 = bl_marvin32(p + off, 32, BL_LOG_MARVIN_SEED);
        bl_put_le32(p + off + 32, (uint32_t)h2);
        bl_put_le32(p + off + 36, (uint32_t)(h2 >> 32));
        if (size < 512)
            return;
        off += size;
    }
}

static void check_image(const uint8_t *img, size_t n, const bl_recovery *rep)
{
    if (n < 4096)
        abort();
    uint32_t seq1 = bl_le32_at(img + BL_BB_PRIMARY_SEQ),
             seq2 = bl_le32_at(img + BL_BB_SECONDARY_SEQ);
    uint32_t hbins = bl_le32_at(img + BL_BB_HIVE_BINS_SIZE);
    if (bl_le32_at(img + BL_BB_CHECKSUM) != bl_base_block_checksum(img) || seq1 != seq2 ||
        seq1 != rep->final_seq || bl_le32_at(img + BL_BB_FILE_TYPE) != 0 ||
        (size_t)hbins + 4096 > n || !rep->dirty || rep->logs_applied == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t flags = data[0];
    data++;
    size--;

    const uint8_t *part[MAX_PARTS];
    size_t part_n[MAX_PARTS], nparts = 0;
    while (nparts < MAX_PARTS) {
        const uint8_t *sep = nparts + 1 < MAX_PARTS ? find_sep(data, size) : NULL;
        size_t n = sep ? (size_t)(sep - data) : size;
        part[nparts] = data;
        part_n[nparts++] = n;
        if (!sep)
            break;
        data = sep + sizeof SEPARATOR - 1;
        size -= n + sizeof SEPARATOR - 1;
    }

    uint8_t *bufs[MAX_PARTS] = {0};
    size_t buf_n[MAX_PARTS];
    for (size_t i = 0; i < nparts; i++) {
        if (i == 0 && (flags & 2)) {
            bufs[0] = compact_primary(part[0], part_n[0], &buf_n[0]);
        } else {
            bufs[i] = malloc(part_n[i] ? part_n[i] : 1);
            if (bufs[i])
                memcpy(bufs[i], part[i], part_n[i]);
            buf_n[i] = part_n[i];
        }
        if (!bufs[i])
            goto out;
        if (flags & 1) {
            if (i > 0)
                fix_entry_hashes(bufs[i], buf_n[i]);
            fix_base_checksum(bufs[i], buf_n[i]);
        }
    }

    bl_log_file logs[MAX_PARTS - 1];
    static const char *const names[] = {"FUZZ.LOG1", "FUZZ.LOG2", "FUZZ.LOG"};
    for (size_t i = 1; i < nparts; i++) {
        logs[i - 1].path = names[i - 1];
        logs[i - 1].data = bufs[i];
        logs[i - 1].size = buf_n[i];
    }
    uint8_t *img = NULL;
    size_t img_n = 0;
    bl_recovery rep;
    bl_error err = {{0}};
    int rc = bl_hive_recover(bufs[0], buf_n[0], "FUZZ", logs, nparts - 1, &img, &img_n, &rep, &err);
    if (rc == 0 && img)
        check_image(img, img_n, &rep);
    if (rc != 0 && (!err.msg[0] || strchr(err.msg, '\n')))
        abort(); /* a refusal always carries one line */
    free(img);
out:
    for (size_t i = 0; i < nparts; i++)
        free(bufs[i]);
    return 0;
}

/* test_recover.c — base block checks, Marvin32, transaction log replay
 * (both formats) and log discovery.
 *
 * Most tests build hives and logs byte by byte here, so recovery is proven
 * without any external data; the shared cases then check real Windows 10
 * files: NewDirtyHive1 must recover to exactly the bytes Windows itself
 * produced, and every damaged case must end in a defined result.
 *
 * `test_recover --write-fuzz-seeds DIR` writes the synthetic cases in the
 * input format of fuzz/fuzz_recover.c (how its seed corpus was made). */
#include "testutil.h"

#include "../../src/hive/recover_internal.h"

#include <dirent.h>
#include <libbfio.h>
#include <libregf.h>

#define TS UINT64_C(0x01D2952F1A2B3C4D) /* a FILETIME shared by primaries and old logs */
#define FILL_PRIMARY 0xAA

/* ---- builders ---- */

static void put_le64(uint8_t *p, uint64_t v)
{
    bl_put_le32(p, (uint32_t)v);
    bl_put_le32(p + 4, (uint32_t)(v >> 32));
}

static size_t round512(size_t n)
{
    return (n + 511) / 512 * 512;
}

static void fill_base(uint8_t *b, uint32_t seq1, uint32_t seq2, uint32_t type, uint32_t hbins)
{
    memcpy(b, "regf", 4);
    bl_put_le32(b + BL_BB_PRIMARY_SEQ, seq1);
    bl_put_le32(b + BL_BB_SECONDARY_SEQ, seq2);
    put_le64(b + BL_BB_LAST_WRITTEN, TS);
    bl_put_le32(b + BL_BB_MAJOR, 1);
    bl_put_le32(b + BL_BB_MINOR, 5);
    bl_put_le32(b + BL_BB_FILE_TYPE, type);
    bl_put_le32(b + BL_BB_FILE_FORMAT, 1);
    bl_put_le32(b + BL_BB_ROOT_CELL, 0x20);
    bl_put_le32(b + BL_BB_HIVE_BINS_SIZE, hbins);
    bl_put_le32(b + BL_BB_CLUSTERING, 1);
    const char *name = "SYNTH";
    for (size_t i = 0; name[i]; i++)
        b[BL_BB_FILE_NAME + 2 * i] = (uint8_t)name[i];
    bl_put_le32(b + BL_BB_CHECKSUM, bl_base_block_checksum(b));
}

/* A primary with one hive bin spanning hbins bytes, its cells area filled
 * with FILL_PRIMARY so replayed pages are easy to spot. */
static uint8_t *make_primary(uint32_t seq1, uint32_t seq2, uint32_t hbins, size_t *n)
{
    *n = BL_BASE_BLOCK_SIZE + hbins;
    uint8_t *p = calloc(1, *n);
    fill_base(p, seq1, seq2, 0, hbins);
    memset(p + BL_BASE_BLOCK_SIZE, FILL_PRIMARY, hbins);
    memset(p + BL_BASE_BLOCK_SIZE, 0, 32);
    memcpy(p + BL_BASE_BLOCK_SIZE, "hbin", 4);
    bl_put_le32(p + BL_BASE_BLOCK_SIZE + 8, hbins);
    put_le64(p + BL_BASE_BLOCK_SIZE + 20, TS);
    return p;
}

typedef struct page_spec {
    uint32_t off, len;
    uint8_t fill;
} page_spec;

typedef struct entry_spec {
    uint32_t seq, hbins, npages;
    page_spec pages[3];
} entry_spec;

static size_t entry_size(const entry_spec *e)
{
    size_t n = 40 + 8 * (size_t)e->npages;
    for (uint32_t i = 0; i < e->npages; i++)
        n += e->pages[i].len;
    return round512(n);
}

/* A new-format log (type 6): base block sector, then HvLE entries with
 * correct Marvin32 hashes. */
static uint8_t *make_new_log(uint32_t base_seq, const entry_spec *e, size_t ne, size_t *n)
{
    *n = 512;
    for (size_t i = 0; i < ne; i++)
        *n += entry_size(&e[i]);
    uint8_t *p = calloc(1, *n);
    fill_base(p, base_seq, base_seq, BL_FILE_LOG_NEW, ne ? e[0].hbins : 4096);
    size_t off = 512;
    for (size_t i = 0; i < ne; i++) {
        uint8_t *h = p + off;
        uint32_t size = (uint32_t)entry_size(&e[i]);
        memcpy(h, "HvLE", 4);
        bl_put_le32(h + 4, size);
        bl_put_le32(h + 12, e[i].seq);
        bl_put_le32(h + 16, e[i].hbins);
        bl_put_le32(h + 20, e[i].npages);
        uint8_t *data = h + 40 + 8 * (size_t)e[i].npages;
        for (uint32_t k = 0; k < e[i].npages; k++) {
            bl_put_le32(h + 40 + 8 * k, e[i].pages[k].off);
            bl_put_le32(h + 44 + 8 * k, e[i].pages[k].len);
            memset(data, e[i].pages[k].fill, e[i].pages[k].len);
            data += e[i].pages[k].len;
        }
        put_le64(h + 24, bl_marvin32(h + 40, size - 40, BL_LOG_MARVIN_SEED));
        put_le64(h + 32, bl_marvin32(h, 32, BL_LOG_MARVIN_SEED));
        off += size;
    }
    return p;
}

/* Recomputes both hashes of the size-byte entry at off after a test edited
 * it (size is passed because the size field may be one of the edits). */
static void rehash_entry(uint8_t *log, size_t off, uint32_t size)
{
    uint8_t *h = log + off;
    put_le64(h + 24, bl_marvin32(h + 40, size - 40, BL_LOG_MARVIN_SEED));
    put_le64(h + 32, bl_marvin32(h, 32, BL_LOG_MARVIN_SEED));
}

/* An old-format log (type 1): base block sector, "DIRT" + bitmap, then one
 * 512-byte page per set bit (bits ascending), page k filled with fill + k. */
static uint8_t *make_old_log(uint32_t seq, uint32_t hbins, const uint32_t *bits, size_t nbits,
                             uint8_t fill, size_t *n)
{
    size_t bitmap = hbins / 4096;
    size_t pages_off = round512(512 + 4 + bitmap);
    *n = pages_off + 512 * nbits;
    uint8_t *p = calloc(1, *n);
    fill_base(p, seq, seq, BL_FILE_LOG_OLD, hbins);
    memcpy(p + 512, "DIRT", 4);
    for (size_t k = 0; k < nbits; k++) {
        p[516 + bits[k] / 8] |= (uint8_t)(1u << (bits[k] % 8));
        memset(p + pages_off + 512 * k, fill + (int)k, 512);
    }
    return p;
}

typedef struct result {
    int rc;
    uint8_t *img;
    size_t size;
    bl_recovery rep;
    bl_error err;
} result;

static result run(const uint8_t *primary, size_t n, const bl_log_file *logs, size_t nlogs)
{
    result r;
    memset(&r, 0, sizeof r);
    /* Inputs must come back untouched: keep copies to compare. */
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, primary, n);
    uint8_t *log_copies[BL_MAX_LOGS];
    size_t kept[BL_MAX_LOGS];
    for (size_t i = 0; i < nlogs; i++) {
        /* a test may pass a fake size over the limit: nothing to compare */
        kept[i] = logs[i].size <= BL_LOG_MAX_SIZE ? logs[i].size : 0;
        log_copies[i] = malloc(kept[i] ? kept[i] : 1);
        memcpy(log_copies[i], logs[i].data, kept[i]);
    }
    r.rc = bl_hive_recover(primary, n, "HIVE", logs, nlogs, &r.img, &r.size, &r.rep, &r.err);
    assert_memory_equal(copy, primary, n);
    for (size_t i = 0; i < nlogs; i++) {
        assert_memory_equal(log_copies[i], logs[i].data, kept[i]);
        free(log_copies[i]);
    }
    free(copy);
    if (r.rc != 0) {
        assert_null(r.img);
        assert_non_null(strstr(r.err.msg, ": "));
        assert_null(strchr(r.err.msg, '\n'));
    }
    return r;
}

/* A recovered image must carry a clean, self-consistent base block. */
static void assert_clean(const result *r, uint32_t seq)
{
    assert_int_equal(r->rc, 0);
    assert_non_null(r->img);
    assert_true(r->rep.dirty);
    bl_base_block bb;
    bl_error err = {{0}};
    assert_int_equal(bl_base_block_parse(r->img, r->size, "OUT", &bb, &err), 0);
    assert_int_equal(bb.primary_seq, seq);
    assert_int_equal(bb.secondary_seq, seq);
    assert_int_equal(r->rep.final_seq, seq);
    assert_int_equal(bb.checksum, bb.computed_checksum);
}

static bool has_note(const bl_recovery *rep, const char *a, const char *b)
{
    for (uint32_t i = 0; i < rep->nnotes; i++)
        if (strstr(rep->notes[i], a) && (!b || strstr(rep->notes[i], b)))
            return true;
    return false;
}

static bool page_is(const uint8_t *img, uint32_t off, uint32_t len, uint8_t v)
{
    for (uint32_t i = 0; i < len; i++)
        if (img[BL_BASE_BLOCK_SIZE + off + i] != v)
            return false;
    return true;
}

/* ---- base block ---- */

static uint8_t *valid_block(size_t *n)
{
    return make_primary(7, 7, 8192, n);
}

static void expect_parse_error(const uint8_t *p, size_t n, const char *needle)
{
    bl_base_block bb;
    bl_error err = {{0}};
    assert_int_equal(bl_base_block_parse(p, n, "LABEL", &bb, &err), -1);
    assert_true(strncmp(err.msg, "LABEL: ", 7) == 0);
    assert_null(strchr(err.msg, '\n'));
    if (!strstr(err.msg, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, err.msg);
}

static void test_base_block_valid(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = valid_block(&n);
    bl_base_block bb;
    bl_error err = {{0}};
    assert_int_equal(bl_base_block_parse(p, n, "LABEL", &bb, &err), 0);
    assert_int_equal(bb.primary_seq, 7);
    assert_int_equal(bb.major, 1);
    assert_int_equal(bb.minor, 5);
    assert_int_equal(bb.hive_bins_size, 8192);
    assert_int_equal(bb.root_cell, 0x20);
    assert_int_equal(bb.last_written, TS);
    assert_string_equal(bb.file_name, "SYNTH");
    assert_int_equal(bb.checksum, bb.computed_checksum);
    /* A dirty hive is still a hive: sequence numbers are recovery's call. */
    bl_put_le32(p + BL_BB_PRIMARY_SEQ, 8);
    bl_put_le32(p + BL_BB_CHECKSUM, bl_base_block_checksum(p));
    assert_int_equal(bl_base_block_parse(p, n, "LABEL", &bb, NULL), 0);
    /* minor versions 2 and 6 are the edges of what Windows writes */
    for (uint32_t minor = 2; minor <= 6; minor++) {
        bl_put_le32(p + BL_BB_MINOR, minor);
        bl_put_le32(p + BL_BB_CHECKSUM, bl_base_block_checksum(p));
        assert_int_equal(bl_base_block_parse(p, n, "LABEL", &bb, NULL), 0);
    }
    free(p);
}

static void test_base_block_size_and_signature(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = valid_block(&n);
    expect_parse_error(p, 4095, "too small for a registry hive: 4095 bytes");
    expect_parse_error(p, 100, "too small");
    expect_parse_error(p, 0, "too small");
    memcpy(p, "regF", 4);
    expect_parse_error(p, n, "not a registry hive");
    free(p);
}

static void test_base_block_checksum_mismatch_keeps_fields(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = valid_block(&n);
    bl_put_le32(p + BL_BB_CHECKSUM, 0x12345678);
    /* also break a field: the checksum is what gets reported, because a bad
     * checksum means no field can be trusted */
    bl_put_le32(p + BL_BB_MINOR, 1);
    expect_parse_error(p, n, "base block checksum mismatch (stored 0x12345678");
    bl_base_block bb;
    assert_int_equal(bl_base_block_parse(p, n, "LABEL", &bb, NULL), -1);
    assert_int_equal(bb.checksum, 0x12345678);
    assert_int_not_equal(bb.computed_checksum, 0x12345678);
    assert_int_equal(bb.hive_bins_size, 8192); /* fields still parsed for the caller */
    assert_int_equal(bb.primary_seq, 7);
    assert_int_equal(bl_base_block_check(p, n, "LABEL", &bb, NULL), BL_BASE_BAD_CHECKSUM);
    free(p);
}

/* Sets the dword at 112 (reserved) so that the XOR of the 127 dwords is x. */
static void force_xor(uint8_t *p, uint32_t x)
{
    bl_put_le32(p + 112, 0);
    uint32_t sum = 0;
    for (size_t off = 0; off < 508; off += 4)
        sum ^= bl_le32_at(p + off);
    bl_put_le32(p + 112, sum ^ x);
}

static void test_base_block_checksum_special_cases(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = valid_block(&n);
    bl_base_block bb;

    force_xor(p, 0);
    assert_int_equal(bl_base_block_checksum(p), 1);
    bl_put_le32(p + BL_BB_CHECKSUM, 1);
    assert_int_equal(bl_base_block_parse(p, n, "LABEL", &bb, NULL), 0);
    bl_put_le32(p + BL_BB_CHECKSUM, 0);
    expect_parse_error(p, n, "checksum mismatch");

    force_xor(p, UINT32_MAX);
    assert_int_equal(bl_base_block_checksum(p), UINT32_MAX - 1);
    bl_put_le32(p + BL_BB_CHECKSUM, UINT32_MAX - 1);
    assert_int_equal(bl_base_block_parse(p, n, "LABEL", &bb, NULL), 0);
    bl_put_le32(p + BL_BB_CHECKSUM, UINT32_MAX);
    expect_parse_error(p, n, "checksum mismatch");

    force_xor(p, 0x1234);
    assert_int_equal(bl_base_block_checksum(p), 0x1234);
    free(p);
}

/* Edits one field, fixes the checksum, and expects the named complaint. */
static void expect_field_error(uint32_t off, uint32_t value, const char *needle)
{
    size_t n;
    uint8_t *p = valid_block(&n);
    bl_put_le32(p + off, value);
    bl_put_le32(p + BL_BB_CHECKSUM, bl_base_block_checksum(p));
    expect_parse_error(p, n, needle);
    free(p);
}

static void test_base_block_fields(void **state)
{
    (void)state;
    expect_field_error(BL_BB_FILE_TYPE, 1, "this is a transaction log, not a hive");
    expect_field_error(BL_BB_FILE_TYPE, 2, "this is a transaction log, not a hive");
    expect_field_error(BL_BB_FILE_TYPE, 6, "this is a transaction log, not a hive");
    expect_field_error(BL_BB_FILE_TYPE, 3, "unknown file type 3");
    expect_field_error(BL_BB_MAJOR, 2, "unsupported hive format version 2.5");
    expect_field_error(BL_BB_MINOR, 1, "unsupported hive format version 1.1");
    expect_field_error(BL_BB_MINOR, 7, "unsupported hive format version 1.7");
    expect_field_error(BL_BB_FILE_FORMAT, 0, "unsupported file format 0");
    expect_field_error(BL_BB_HIVE_BINS_SIZE, 0, "bad hive bins data size 0");
    expect_field_error(BL_BB_HIVE_BINS_SIZE, 5000, "bad hive bins data size 5000");
    expect_field_error(BL_BB_ROOT_CELL, 8192,
                       "root cell offset 0x2000 lies outside the 8192 bytes");
    expect_field_error(BL_BB_ROOT_CELL, UINT32_MAX, "root cell offset");
}

static void test_base_block_hbin_and_truncation(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = valid_block(&n);
    memcpy(p + 4096, "hbix", 4);
    expect_parse_error(p, n, "no hive bin at offset 0x1000");
    memcpy(p + 4096, "hbin", 4);
    expect_parse_error(
        p, n - 4096,
        "LABEL: truncated: the base block announces 8192 bytes of hive bins, the file holds 4096");
    bl_base_block bb;
    assert_int_equal(bl_base_block_check(p, n - 4096, "LABEL", &bb, NULL), BL_BASE_TRUNCATED);
    /* announcing more than 2 GiB is refused before any size arithmetic */
    bl_put_le32(p + BL_BB_HIVE_BINS_SIZE, 0xFFFFF000u);
    bl_put_le32(p + BL_BB_CHECKSUM, bl_base_block_checksum(p));
    expect_parse_error(p, n, "beyond");
    /* padding after the hive bins is allowed */
    uint8_t *big = calloc(1, n + 4096);
    memcpy(big, p, n);
    bl_put_le32(big + BL_BB_HIVE_BINS_SIZE, 8192);
    bl_put_le32(big + BL_BB_CHECKSUM, bl_base_block_checksum(big));
    assert_int_equal(bl_base_block_parse(big, n + 4096, "LABEL", &bb, NULL), 0);
    free(big);
    free(p);
}

/* ---- Marvin32 ---- */

static void test_marvin32_known_answers(void **state)
{
    (void)state;
    /* Published test vectors for seed 0x004FB61A001BDBCC. */
    const uint64_t seed = UINT64_C(0x004FB61A001BDBCC);
    const uint8_t a[] = {0xAF}, b[] = {0xE7, 0x0F}, c[] = {0x37, 0xF4, 0x95};
    assert_true(bl_marvin32(a, 1, seed) == UINT64_C(0x48E73FC77D75DDC1));
    assert_true(bl_marvin32(b, 2, seed) == UINT64_C(0xB5F6E1FC485DBFF8));
    assert_true(bl_marvin32(c, 3, seed) == UINT64_C(0xF0B07C789B8CF7E8));
    /* The padding byte makes trailing zeros count. */
    const uint8_t z[8] = {0};
    assert_true(bl_marvin32(z, 4, seed) != bl_marvin32(z, 5, seed));
}

/* ---- new-format replay ---- */

static void test_clean_hive_needs_nothing(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = make_primary(5, 5, 8192, &n);
    result r = run(p, n, NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_null(r.img);
    assert_false(r.rep.dirty);
    /* a log with only entries the primary already holds changes nothing */
    entry_spec e[] = {{4, 8192, 1, {{0x200, 0x200, 0x11}}}};
    size_t ln;
    uint8_t *log = make_new_log(4, e, 1, &ln);
    bl_log_file lf = {"HIVE.LOG1", log, ln};
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, 0);
    assert_null(r.img);
    assert_false(r.rep.dirty);
    free(log);
    free(p);
}

static void test_new_single_entry(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    entry_spec e[] = {{2, 8192, 2, {{0x200, 0x200, 0x11}, {0x1000, 0x400, 0x12}}}};
    uint8_t *log = make_new_log(2, e, 1, &ln);
    bl_log_file lf = {"dir/HIVE.LOG1", log, ln};
    result r = run(p, n, &lf, 1);
    assert_clean(&r, 3);
    assert_string_equal(r.rep.format, "new");
    assert_int_equal(r.rep.entries, 1);
    assert_int_equal(r.rep.pages, 2);
    assert_int_equal(r.rep.logs_applied, 1);
    assert_string_equal(r.rep.applied[0], "dir/HIVE.LOG1");
    assert_non_null(strstr(r.rep.why, "sequence numbers differ (primary 3, secondary 2)"));
    assert_true(page_is(r.img, 0x200, 0x200, 0x11));
    assert_true(page_is(r.img, 0x1000, 0x400, 0x12));
    assert_true(page_is(r.img, 0x400, 0x200, FILL_PRIMARY)); /* untouched page */
    assert_int_equal(r.size, n);
    free(r.img);
    free(log);
    free(p);
}

/* The chain follows sequence numbers from LOG1 into LOG2, in whatever order
 * the logs are given, and skips entries the primary already holds. */
static void test_new_chain_across_logs(void **state)
{
    (void)state;
    size_t n, n1, n2;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    entry_spec e1[] = {{1, 8192, 1, {{0x200, 0x200, 0x01}}}, {2, 8192, 1, {{0x200, 0x200, 0x22}}}};
    entry_spec e2[] = {{3, 8192, 1, {{0x400, 0x200, 0x33}}}, {4, 8192, 1, {{0x200, 0x200, 0x44}}}};
    uint8_t *l1 = make_new_log(1, e1, 2, &n1), *l2 = make_new_log(3, e2, 2, &n2);
    bl_log_file fwd[] = {{"HIVE.LOG1", l1, n1}, {"HIVE.LOG2", l2, n2}};
    bl_log_file rev[] = {{"HIVE.LOG2", l2, n2}, {"HIVE.LOG1", l1, n1}};
    for (int order = 0; order < 2; order++) {
        result r = run(p, n, order ? rev : fwd, 2);
        assert_clean(&r, 5);
        assert_int_equal(r.rep.entries, 3); /* 2, 3, 4: entry 1 is older than the primary */
        assert_int_equal(r.rep.logs_applied, 2);
        assert_string_equal(r.rep.applied[0], "HIVE.LOG1");
        assert_string_equal(r.rep.applied[1], "HIVE.LOG2");
        assert_true(page_is(r.img, 0x200, 0x200, 0x44));
        assert_true(page_is(r.img, 0x400, 0x200, 0x33));
        free(r.img);
    }
    /* NewDirtyHive2's shape: the primary already holds LOG1's entries */
    uint8_t *p2 = make_primary(4, 3, 8192, &n);
    result r = run(p2, n, fwd, 2);
    assert_clean(&r, 5);
    assert_int_equal(r.rep.entries, 2);
    assert_int_equal(r.rep.logs_applied, 1);
    assert_string_equal(r.rep.applied[0], "HIVE.LOG2");
    free(r.img);
    free(p2);
    free(l1);
    free(l2);
    free(p);
}

static void test_new_stops_at_bad_hash(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    entry_spec e[] = {{2, 8192, 1, {{0x200, 0x200, 0x22}}},
                      {3, 8192, 1, {{0x200, 0x200, 0x33}}},
                      {4, 8192, 1, {{0x200, 0x200, 0x44}}}};
    uint8_t *log = make_new_log(2, e, 3, &ln);
    size_t second = 512 + entry_size(&e[0]);
    log[second + 100] ^= 1; /* damage entry 2's data: hash-1 no longer matches */
    bl_log_file lf = {"X.LOG2", log, ln};
    result r = run(p, n, &lf, 1);
    assert_clean(&r, 3);
    assert_int_equal(r.rep.entries, 1);
    assert_true(page_is(r.img, 0x200, 0x200, 0x22));
    assert_true(has_note(&r.rep, "X.LOG2: entry 2", "hash-1"));
    free(r.img);

    /* header damage: hash-2 catches it even when hash-1 is recomputed */
    log[second + 100] ^= 1;
    bl_put_le32(log + second + 16, 4096 * 3);
    put_le64(log + second + 24, bl_marvin32(log + second + 40, 512 - 40, BL_LOG_MARVIN_SEED));
    r = run(p, n, &lf, 1);
    assert_clean(&r, 3);
    assert_true(has_note(&r.rep, "entry 2", "hash-2"));
    free(r.img);

    /* the very first entry bad: nothing to replay, a one-line refusal */
    log[512 + 60] ^= 1;
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_true(r.rep.dirty);
    assert_non_null(strstr(r.err.msg, "HIVE: dirty hive"));
    assert_non_null(strstr(r.err.msg, "X.LOG2: entry 1 (offset 0x200, sequence number 2): hash-1"));
    free(log);
    free(p);
}

static void test_new_hive_growth(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    entry_spec e[] = {{2, 16384, 2, {{0x2000, 0x1000, 0x55}, {0x3000, 0x1000, 0x56}}}};
    uint8_t *log = make_new_log(2, e, 1, &ln);
    bl_log_file lf = {"HIVE.LOG1", log, ln};
    result r = run(p, n, &lf, 1);
    assert_clean(&r, 3);
    assert_int_equal(r.size, 4096 + 16384);
    assert_int_equal(bl_le32_at(r.img + BL_BB_HIVE_BINS_SIZE), 16384);
    assert_true(page_is(r.img, 0x2000, 0x1000, 0x55));
    assert_true(page_is(r.img, 0x3000, 0x1000, 0x56));
    assert_true(page_is(r.img, 0x200, 0x200, FILL_PRIMARY));
    free(r.img);
    free(log);
    free(p);
}

static void test_new_sequence_gaps(void **state)
{
    (void)state;
    size_t n, n1, n2;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    /* Partial reconcile: entries 2..4 were overwritten after the primary got
     * their data; replay starts at the oldest entry still there. */
    entry_spec e1[] = {{5, 8192, 1, {{0x200, 0x200, 0x55}}}, {6, 8192, 1, {{0x400, 0x200, 0x66}}}};
    uint8_t *l1 = make_new_log(5, e1, 2, &n1);
    bl_log_file lf = {"HIVE.LOG1", l1, n1};
    result r = run(p, n, &lf, 1);
    assert_clean(&r, 7);
    assert_int_equal(r.rep.entries, 2);
    assert_true(has_note(&r.rep, "log entries 2..4 are missing", NULL));
    free(r.img);

    /* A gap inside the chain ends it. */
    entry_spec a[] = {{2, 8192, 1, {{0x200, 0x200, 0x22}}}, {3, 8192, 1, {{0x200, 0x200, 0x33}}}};
    entry_spec b[] = {{5, 8192, 1, {{0x200, 0x200, 0x55}}}};
    uint8_t *la = make_new_log(2, a, 2, &n1), *lb = make_new_log(5, b, 1, &n2);
    bl_log_file two[] = {{"HIVE.LOG1", la, n1}, {"HIVE.LOG2", lb, n2}};
    r = run(p, n, two, 2);
    assert_clean(&r, 4);
    assert_int_equal(r.rep.logs_applied, 1);
    assert_true(page_is(r.img, 0x200, 0x200, 0x33));
    free(r.img);

    /* A damaged entry that claims a missing number is damage, not a
     * reconcile: the gap is not bridged. */
    entry_spec c[] = {{2, 8192, 1, {{0x200, 0x200, 0x22}}}};
    uint8_t *lc = make_new_log(2, c, 1, &n1);
    lc[512 + 100] ^= 1;
    bl_log_file damaged[] = {{"HIVE.LOG1", lc, n1}, {"HIVE.LOG2", lb, n2}};
    r = run(p, n, damaged, 2);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "HIVE.LOG1: entry 1"));
    free(lc);
    free(la);
    free(lb);
    free(l1);
    free(p);
}

static void test_new_log_newer_than_clean_primary(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(2, 2, 8192, &n);
    entry_spec e[] = {{2, 8192, 1, {{0x200, 0x200, 0x22}}}};
    uint8_t *log = make_new_log(2, e, 1, &ln);
    bl_log_file lf = {"HIVE.LOG1", log, ln};
    result r = run(p, n, &lf, 1);
    assert_clean(&r, 3);
    assert_non_null(strstr(
        r.rep.why, "HIVE.LOG1 holds log entry 2, which the primary (sequence numbers 2/2) lacks"));
    free(r.img);
    free(log);
    free(p);
}

static void test_dirty_without_usable_log(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    result r = run(p, n, NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_true(r.rep.dirty);
    assert_string_equal(r.err.msg,
                        "HIVE: dirty hive (sequence numbers differ (primary 3, secondary "
                        "2): a write was not completed) and no transaction log can "
                        "recover it: no transaction log found");

    entry_spec e[] = {{2, 8192, 1, {{0x200, 0x200, 0x22}}}};
    uint8_t *log = make_new_log(2, e, 1, &ln);
    log[BL_BB_CHECKSUM] ^= 1;
    bl_log_file lf[] = {{"HIVE.LOG", (const uint8_t *)"", 0}, {"HIVE.LOG1", log, ln}};
    r = run(p, n, lf, 2);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "HIVE.LOG1: log base block checksum mismatch"));
    assert_null(strstr(r.err.msg, "HIVE.LOG:")); /* an empty .LOG is normal, not a complaint */

    /* a log whose entries are all older than the primary needs */
    log[BL_BB_CHECKSUM] ^= 1;
    uint8_t *p4 = make_primary(5, 4, 8192, &n);
    r = run(p4, n, &lf[1], 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "HIVE.LOG1: entries 2..2, none with sequence number 4"));
    free(p4);
    free(log);
    free(p);
}

/* set_name(BLOCK, NAME): the base block's embedded name, checksum redone. */
static void set_name(uint8_t *b, const char *name)
{
    memset(b + BL_BB_FILE_NAME, 0, BL_BB_FILE_NAME_LEN);
    for (size_t i = 0; name[i] && i < BL_BB_FILE_NAME_LEN / 2; i++)
        b[BL_BB_FILE_NAME + 2 * i] = (uint8_t)name[i];
    bl_put_le32(b + BL_BB_CHECKSUM, bl_base_block_checksum(b));
}

/* set_guids(BLOCK, BYTE): RmId, LogId, TmId filled with byte and the "rmtm"
 * signature (0: none), checksum redone. */
static void set_guids(uint8_t *b, uint8_t byte)
{
    memset(b + BL_BB_RM_ID, byte, 16);
    memset(b + BL_BB_LOG_ID, byte, 16);
    memset(b + BL_BB_TM_ID, byte, 16);
    memcpy(b + BL_BB_GUID_SIGNATURE, byte ? "rmtm" : "\0\0\0\0", 4);
    bl_put_le32(b + BL_BB_CHECKSUM, bl_base_block_checksum(b));
}

/* A log is a copy of its own hive's base block plus entries: one whose
 * embedded name or KTM GUIDs are another hive's is not replayed (it would
 * write that hive's pages into this one), whatever its sequence numbers;
 * a field only one side has is no evidence. */
static void test_log_of_another_hive(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    entry_spec e[] = {{2, 8192, 1, {{0x200, 0x200, 0x33}}}};
    uint8_t *log = make_new_log(2, e, 1, &ln);
    bl_log_file lf = {"HIVE.LOG1", log, ln};
    set_name(log, "OTHERHIVE");
    result r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_null(r.img);
    assert_non_null(strstr(
        r.err.msg, "HIVE.LOG1: belongs to another hive (it names \"OTHERHIVE\", the primary \"SYNTH\")"));
    /* A hostile name stays on one line. */
    set_name(log, "OTHER\nHIVE");
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_null(strchr(r.err.msg, '\n'));
    assert_non_null(strstr(r.err.msg, "it names \"OTHER?HIVE\""));
    /* The same name in another case is the same hive. */
    set_name(log, "synth");
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, 0);
    free(r.img);
    /* GUIDs: different on both sides refuse; one side without them does not. */
    set_guids(p, 0x11);
    set_guids(log, 0x22);
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "HIVE.LOG1: belongs to another hive (its resource manager GUIDs"));
    set_guids(log, 0x11);
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, 0);
    free(r.img);
    set_guids(p, 0);
    set_guids(log, 0x22);
    set_name(p, "");
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, 0);
    free(r.img);
    /* A clean primary beside another hive's newer log is simply clean. */
    uint8_t *clean = make_primary(2, 2, 8192, &n);
    set_name(log, "OTHERHIVE");
    r = run(clean, n, &lf, 1);
    assert_int_equal(r.rc, 0);
    assert_false(r.rep.dirty);
    free(r.img);
    free(clean);
    free(log);
    free(p);
}

static void test_primary_base_block_from_log(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    bl_put_le32(p + BL_BB_CHECKSUM, 0x4C564E49); /* "INVL", as in yarp's test hives */
    entry_spec e[] = {{2, 8192, 1, {{0x200, 0x200, 0x22}}}};
    uint8_t *log = make_new_log(2, e, 1, &ln);
    bl_log_file lf = {"HIVE.LOG1", log, ln};
    result r = run(p, n, &lf, 1);
    assert_clean(&r, 3);
    assert_non_null(strstr(r.rep.why, "base block checksum mismatch"));
    assert_true(has_note(&r.rep, "base block taken from HIVE.LOG1", NULL));
    assert_int_equal(bl_le32_at(r.img + BL_BB_FILE_TYPE), 0);
    free(r.img);

    /* no log to take it from: not recoverable, but not refused either; the
     * caller decides whether to read the hive as it is */
    r = run(p, n, NULL, 0);
    assert_int_equal(r.rc, 0);
    assert_null(r.img);
    assert_false(r.rep.dirty);
    assert_true(has_note(&r.rep, "checksum mismatch", NULL));
    free(log);
    free(p);
}

static void test_primary_not_a_hive(void **state)
{
    (void)state;
    uint8_t junk[8192];
    memset(junk, 'x', sizeof junk);
    result r = run(junk, sizeof junk, NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.err.msg, "HIVE: not a registry hive (no \"regf\" signature)");
    r = run(junk, 10, NULL, 0);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "too small"));
}

/* Every length field lies in turn; each must end in a clean refusal. */
static void test_new_malformed_lengths(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(3, 2, 8192, &n);
    entry_spec e[] = {{2, 8192, 1, {{0x200, 0x200, 0x22}}}};
    struct {
        uint32_t off, value;
        const char *why;
    } lies[] = {
        {4, 0xFFFFFE00u, "runs past the end"},
        {4, 0, "bad entry size"},
        {4, 1000, "bad entry size"},
        {16, 0, "not a multiple of 4096"},
        {16, 5000, "not a multiple of 4096"},
        {16, 0x7FFFF000u, "larger than the hive"},
        {20, 0xFFFFFFFFu, "too many dirty pages"},
        {20, 200, "too many dirty pages"},
        {40, 0x1F00, "beyond the hive bins data"},
        {40, 0xFFFFFF00u, "beyond the hive bins"},
        {44, 0xFFFFFFFFu, "beyond the hive bins data"},
        {44, 0x1000, "past the end of the entry"},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(lies); i++) {
        uint8_t *log = make_new_log(2, e, 1, &ln);
        bl_put_le32(log + 512 + lies[i].off, lies[i].value);
        rehash_entry(log, 512,
                     (uint32_t)entry_size(&e[0])); /* so that the lie itself is what gets judged */
        bl_log_file lf = {"L", log, ln};
        result r = run(p, n, &lf, 1);
        assert_int_equal(r.rc, -1);
        if (!strstr(r.err.msg, lies[i].why))
            fail_msg("lie %zu: expected \"%s\" in \"%s\"", i, lies[i].why, r.err.msg);
        free(log);
    }
    /* a log over the size limit is not even looked at (the size is checked
     * before the data, so a small buffer can stand for a huge file) */
    uint8_t small[16] = {0};
    bl_log_file huge = {"HUGE", small, BL_LOG_MAX_SIZE + 1};
    result big = run(p, n, &huge, 1);
    assert_int_equal(big.rc, -1);
    assert_non_null(strstr(big.err.msg, "HUGE: larger than the"));

    /* a log cut inside an entry */
    uint8_t *log = make_new_log(2, e, 1, &ln);
    bl_log_file cut = {"L", log, ln - 100};
    result r = run(p, n, &cut, 1);
    assert_int_equal(r.rc, -1);
    cut.size = 530;
    r = run(p, n, &cut, 1);
    assert_int_equal(r.rc, -1);
    cut.size = 100; /* shorter than a base block sector */
    r = run(p, n, &cut, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "L: not a transaction log"));
    free(log);

    /* A size beyond what the pages need (Windows pads to 4 KiB at most) is
     * a lie caught before any hashing: a gigabyte-long "entry" costs
     * nothing. */
    log = make_new_log(2, e, 1, &ln);
    uint8_t *longer = calloc(1, 512 + 16384);
    memcpy(longer, log, ln);
    bl_put_le32(longer + 512 + 4, 16384);
    rehash_entry(longer, 512, 16384);
    bl_log_file padded = {"L", longer, 512 + 16384};
    r = run(p, n, &padded, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "larger than its pages need"));
    free(longer);
    free(log);
    /* More dirty pages than the hive bins hold (a page listed twice). */
    entry_spec twice[] = {{2, 8192, 3, {{0, 0x1000, 0x22}, {0x1000, 0x1000, 0x23}, {0, 0x1000, 0x24}}}};
    log = make_new_log(2, twice, 1, &ln);
    bl_log_file dup = {"L", log, ln};
    r = run(p, n, &dup, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "more dirty pages than the hive bins"));
    free(log);
    free(p);
}

/* ---- old-format replay ---- */

static void test_old_format_replay(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(5, 4, 8192, &n);
    const uint32_t bits[] = {1, 9, 10};
    uint8_t *log = make_old_log(5, 8192, bits, 3, 0x61, &ln);
    bl_log_file lf = {"HIVE.LOG", log, ln};
    result r = run(p, n, &lf, 1);
    assert_clean(&r, 5);
    assert_string_equal(r.rep.format, "old");
    assert_int_equal(r.rep.pages, 3);
    assert_int_equal(r.rep.entries, 0);
    assert_true(page_is(r.img, 512 * 1, 512, 0x61));
    assert_true(page_is(r.img, 512 * 9, 512, 0x62));
    assert_true(page_is(r.img, 512 * 10, 512, 0x63));
    assert_true(page_is(r.img, 512 * 2, 512, FILL_PRIMARY));
    free(r.img);

    /* growth: the log's hive bins size is the new one */
    const uint32_t grow[] = {16, 17};
    uint8_t *log2 = make_old_log(5, 12288, grow, 2, 0x70, &ln);
    bl_log_file lf2 = {"HIVE.LOG", log2, ln};
    r = run(p, n, &lf2, 1);
    assert_clean(&r, 5);
    assert_int_equal(r.size, 4096 + 12288);
    assert_true(page_is(r.img, 8192, 512, 0x70));
    free(r.img);
    free(log2);

    /* two logs of this primary (Vista..8 alternate .LOG1/.LOG2): the one
     * written last wins, whatever the order they are given in */
    const uint32_t later_bits[] = {1};
    uint8_t *later = make_old_log(6, 8192, later_bits, 1, 0x7A, &ln);
    size_t first_n = 0;
    uint8_t *first = make_old_log(5, 8192, bits, 3, 0x61, &first_n);
    bl_log_file both[] = {{"HIVE.LOG2", later, ln}, {"HIVE.LOG1", first, first_n}};
    r = run(p, n, both, 2);
    assert_clean(&r, 6);
    assert_string_equal(r.rep.applied[0], "HIVE.LOG2");
    assert_true(page_is(r.img, 512, 512, 0x7A));
    free(r.img);
    free(later);
    free(first);

    /* the primary's base block is damaged: the log's copy replaces it */
    bl_put_le32(p + BL_BB_CHECKSUM, 0x4C564E49);
    r = run(p, n, &lf, 1);
    assert_clean(&r, 5);
    assert_true(has_note(&r.rep, "base block taken from HIVE.LOG", NULL));
    free(r.img);
    free(log);
    free(p);
}

static void test_old_format_refusals(void **state)
{
    (void)state;
    size_t n, ln;
    uint8_t *p = make_primary(5, 4, 8192, &n);
    const uint32_t bits[] = {1, 2};

    uint8_t *log = make_old_log(5, 8192, bits, 2, 0x61, &ln);
    put_le64(log + BL_BB_LAST_WRITTEN, TS + 1);
    bl_put_le32(log + BL_BB_CHECKSUM, bl_base_block_checksum(log));
    bl_log_file lf = {"HIVE.LOG", log, ln};
    result r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "HIVE.LOG: written at another time"));
    free(log);

    log = make_old_log(5, 8192, bits, 2, 0x61, &ln);
    lf.data = log;
    lf.size = ln - 1; /* the last page is cut */
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(
        strstr(r.err.msg, "truncated: the dirty vector marks 2 pages, the log holds 1"));
    lf.size = 517; /* cut inside the bitmap */
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "truncated dirty vector"));

    lf.size = ln;
    memcpy(log + 512, "INVL", 4);
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "no dirty vector"));
    memcpy(log + 512, "DIRT", 4);

    bl_put_le32(log + BL_BB_PRIMARY_SEQ, 6); /* log write never finished */
    bl_put_le32(log + BL_BB_CHECKSUM, bl_base_block_checksum(log));
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "incomplete log"));

    bl_put_le32(log + BL_BB_PRIMARY_SEQ, 5);
    bl_put_le32(log + BL_BB_HIVE_BINS_SIZE, 0x40000000u); /* more than anything here can fill */
    bl_put_le32(log + BL_BB_CHECKSUM, bl_base_block_checksum(log));
    r = run(p, n, &lf, 1);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err.msg, "bad hive bins data size"));
    free(log);
    free(p);
}

/* ---- finding logs ---- */

static void touch(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static void test_find_logs_any_case(void **state)
{
    (void)state;
    char dir[] = "/tmp/bootlens-logs-XXXXXX";
    assert_non_null(mkdtemp(dir));
    touch(dir, "System");
    touch(dir, "SYSTEM.log1");
    touch(dir, "system.LOG2");
    touch(dir, "SyStEm.LoG");
    touch(dir, "system.LOG3");
    touch(dir, "systemx.LOG1");
    touch(dir, "SOFTWARE.LOG1");
    char hive[600];
    snprintf(hive, sizeof hive, "%s/System", dir);
    char *paths[BL_MAX_LOGS] = {0};
    size_t n = bl_find_logs(hive, paths, BL_MAX_LOGS);
    assert_int_equal(n, 3);
    char want[600];
    snprintf(want, sizeof want, "%s/SyStEm.LoG", dir);
    assert_string_equal(paths[0], want);
    snprintf(want, sizeof want, "%s/SYSTEM.log1", dir);
    assert_string_equal(paths[1], want);
    snprintf(want, sizeof want, "%s/system.LOG2", dir);
    assert_string_equal(paths[2], want);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);

    assert_int_equal(bl_find_logs(hive, paths, 1), 1); /* max is honoured */
    free(paths[0]);

    /* a bare file name means the current directory, and paths stay bare */
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    n = bl_find_logs("SYSTEM", paths, BL_MAX_LOGS);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(n, 3);
    assert_string_equal(paths[1], "SYSTEM.log1");
    for (size_t i = 0; i < n; i++)
        free(paths[i]);

    snprintf(hive, sizeof hive, "%s/SAM", dir);
    assert_int_equal(bl_find_logs(hive, paths, BL_MAX_LOGS), 0);
    assert_int_equal(bl_find_logs("/nonexistent-dir/SYSTEM", paths, BL_MAX_LOGS), 0);
    assert_int_equal(bl_find_logs("", paths, BL_MAX_LOGS), 0);

    DIR *d = opendir(dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- shared data: real Windows 10 files ---- */

typedef struct file_buf {
    uint8_t *data;
    size_t size;
    char path[256];
} file_buf;

static void load_xz(const char *shared, const char *rel, file_buf *f)
{
    assert_int_equal(bl_test_unxz(shared, rel, f->path, sizeof f->path), 0);
    bl_error err = {{0}};
    assert_int_equal(bl_read_file(f->path, BL_HIVE_MAX_SIZE, &f->data, &f->size, &err), 0);
    unlink(f->path);
    /* name the buffer after the file, not the temporary copy */
    snprintf(f->path, sizeof f->path, "%s", strrchr(rel, '/') + 1);
    char *xz = strstr(f->path, ".xz");
    if (xz)
        *xz = '\0';
}

typedef struct walk_stats {
    unsigned keys, values;
} walk_stats;

static int walk_key(libregf_key_t *key, walk_stats *st, int depth)
{
    int nsub = 0, nval = 0;
    if (depth > 64 || libregf_key_get_number_of_sub_keys(key, &nsub, NULL) != 1 ||
        libregf_key_get_number_of_values(key, &nval, NULL) != 1)
        return -1;
    st->keys++;
    st->values += (unsigned)nval;
    for (int i = 0; i < nsub; i++) {
        libregf_key_t *sub = NULL;
        if (libregf_key_get_sub_key(key, i, &sub, NULL) != 1)
            return -1;
        int rc = walk_key(sub, st, depth + 1);
        libregf_key_free(&sub, NULL);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Opens an image with libregf (as the hive module does) and walks every
 * key; returns 0 when the whole tree reads. */
static int regf_walk(uint8_t *img, size_t n, walk_stats *st, const char *need_path)
{
    memset(st, 0, sizeof *st);
    libbfio_handle_t *io = NULL;
    libregf_file_t *file = NULL;
    libregf_key_t *root = NULL;
    int rc = -1;
    if (libbfio_memory_range_initialize(&io, NULL) != 1 ||
        libbfio_memory_range_set(io, img, n, NULL) != 1 ||
        libregf_file_initialize(&file, NULL) != 1 ||
        libregf_file_open_file_io_handle(file, io, LIBREGF_OPEN_READ, NULL) != 1 ||
        libregf_file_get_root_key(file, &root, NULL) != 1)
        goto out;
    rc = walk_key(root, st, 0);
    if (rc == 0 && need_path) {
        libregf_key_t *k = NULL;
        if (libregf_key_get_sub_key_by_utf8_path(root, (const uint8_t *)need_path,
                                                 strlen(need_path), &k, NULL) != 1)
            rc = -1;
        libregf_key_free(&k, NULL);
    }
out:
    libregf_key_free(&root, NULL);
    if (file) {
        libregf_file_close(file, NULL);
        libregf_file_free(&file, NULL);
    }
    libbfio_handle_free(&io, NULL);
    return rc;
}

static void test_shared_new_dirty_hive1_matches_windows(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    file_buf hive, l1, l2, win;
    load_xz(shared, "hives/logs/NewDirtyHive1/NewDirtyHive.xz", &hive);
    load_xz(shared, "hives/logs/NewDirtyHive1/NewDirtyHive.LOG1.xz", &l1);
    load_xz(shared, "hives/logs/NewDirtyHive1/NewDirtyHive.LOG2.xz", &l2);
    load_xz(shared, "hives/logs/NewDirtyHive1/RecoveredHive_Windows10.xz", &win);
    bl_log_file fwd[] = {{"NewDirtyHive.LOG1", l1.data, l1.size},
                         {"NewDirtyHive.LOG2", l2.data, l2.size}};
    bl_log_file rev[] = {{"NewDirtyHive.LOG2", l2.data, l2.size},
                         {"NewDirtyHive.LOG1", l1.data, l1.size}};
    for (int order = 0; order < 2; order++) {
        result r = run(hive.data, hive.size, order ? rev : fwd, 2);
        assert_clean(&r, 6);
        assert_int_equal(r.rep.entries, 4);
        assert_int_equal(r.rep.logs_applied, 2);
        assert_string_equal(r.rep.applied[0], "NewDirtyHive.LOG1");
        /* The strongest check that holds: the whole file, base block and
         * hive bins and the padding after them, is byte for byte what
         * Windows 10 wrote after its own recovery (so keys, values, cells
         * and free space are all the same). */
        assert_int_equal(r.size, win.size);
        assert_memory_equal(r.img, win.data, win.size);
        free(r.img);
    }
    /* and it reads: the keys the logs created are there, the deleted ones gone */
    walk_stats st, st_win;
    assert_int_equal(regf_walk(win.data, win.size, &st_win, "Key3\\Key3_3"), 0);
    result r = run(hive.data, hive.size, fwd, 2);
    assert_int_equal(regf_walk(r.img, r.size, &st, "Key3\\Key3_3"), 0);
    assert_int_equal(st.keys, st_win.keys);
    assert_int_equal(st.values, st_win.values);
    assert_int_not_equal(regf_walk(r.img, r.size, &st, "Key1"), 0);
    free(r.img);
    free(hive.data);
    free(l1.data);
    free(l2.data);
    free(win.data);
}

static void test_shared_new_dirty_hive2(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    file_buf hive, l1, l2;
    load_xz(shared, "hives/logs/NewDirtyHive2/NewDirtyHive.xz", &hive);
    load_xz(shared, "hives/logs/NewDirtyHive2/NewDirtyHive.LOG1.xz", &l1);
    load_xz(shared, "hives/logs/NewDirtyHive2/NewDirtyHive.LOG2.xz", &l2);
    bl_log_file logs[] = {{"NewDirtyHive.LOG1", l1.data, l1.size},
                          {"NewDirtyHive.LOG2", l2.data, l2.size}};
    result r = run(hive.data, hive.size, logs, 2);
    assert_clean(&r, 6); /* entries 3..5: LOG1's entry 2 is already in the primary */
    assert_int_equal(r.rep.entries, 3);
    assert_int_equal(r.rep.logs_applied, 1);
    assert_string_equal(r.rep.applied[0], "NewDirtyHive.LOG2");
    /* NewDirtyHive2's primary is NewDirtyHive1's with sequence numbers one
     * higher (entry 2 counted as reconciled), and entry 4 rewrites all hive
     * bins, so skipping entry 2 must still give exactly Windows' result. */
    file_buf win;
    load_xz(shared, "hives/logs/NewDirtyHive1/RecoveredHive_Windows10.xz", &win);
    assert_int_equal(r.size, win.size);
    assert_memory_equal(r.img, win.data, win.size);
    walk_stats st;
    assert_int_equal(regf_walk(r.img, r.size, &st, "Key3\\Key3_1"), 0);
    assert_true(st.keys > 1);
    free(win.data);
    free(r.img);
    free(hive.data);
    free(l1.data);
    free(l2.data);
}

static void test_shared_bad_base_block_hive(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    file_buf hive, l1, l2;
    load_xz(shared, "hives/logs/BadBaseBlockHive/BadBaseBlockHive.xz", &hive);
    load_xz(shared, "hives/logs/BadBaseBlockHive/BadBaseBlockHive.LOG1.xz", &l1);
    load_xz(shared, "hives/logs/BadBaseBlockHive/BadBaseBlockHive.LOG2.xz", &l2);
    bl_base_block bb;
    bl_error err = {{0}};
    assert_int_equal(bl_base_block_parse(hive.data, hive.size, "BadBaseBlockHive", &bb, &err), -1);
    assert_non_null(strstr(err.msg, "checksum mismatch"));
    bl_log_file logs[] = {{"BadBaseBlockHive.LOG1", l1.data, l1.size},
                          {"BadBaseBlockHive.LOG2", l2.data, l2.size}};
    result r = run(hive.data, hive.size, logs, 2);
    /* Outcome: recovered from the old-format LOG1 (dirty vector), base block
     * included; version 1.3 comes back from the log's copy. */
    assert_clean(&r, 5);
    assert_string_equal(r.rep.format, "old");
    assert_true(has_note(&r.rep, "base block taken from BadBaseBlockHive.LOG1", NULL));
    assert_int_equal(bl_base_block_parse(r.img, r.size, "OUT", &bb, NULL), 0);
    assert_int_equal(bb.minor, 3);
    walk_stats st;
    assert_int_equal(regf_walk(r.img, r.size, &st, "key_with_many_subkeys\\2119"), 0);
    assert_true(st.keys > 5000);
    free(r.img);
    free(hive.data);
    free(l1.data);
    free(l2.data);
}

/* yarp's bad-log hives: each ends in a one-line refusal naming the log and
 * what is wrong with it (Windows would not use these logs either). */
static void test_shared_bad_logs_refused(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    static const struct {
        const char *dir, *reason;
    } cases[] = {
        {"BadLogHive1", "BadLogHive.LOG1: log base block checksum mismatch"},
        {"BadLogHive2", "BadLogHive.LOG1: no dirty vector (\"DIRT\") at offset 0x200"},
        {"BadLogHive3", "BadLogHive.LOG2: log base block checksum mismatch"},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        char rel[256];
        file_buf hive, l1, l2;
        snprintf(rel, sizeof rel, "hives/logs/%s/BadLogHive.xz", cases[i].dir);
        load_xz(shared, rel, &hive);
        snprintf(rel, sizeof rel, "hives/logs/%s/BadLogHive.LOG1.xz", cases[i].dir);
        load_xz(shared, rel, &l1);
        snprintf(rel, sizeof rel, "hives/logs/%s/BadLogHive.LOG2.xz", cases[i].dir);
        load_xz(shared, rel, &l2);
        bl_log_file logs[] = {{"BadLogHive.LOG1", l1.data, l1.size},
                              {"BadLogHive.LOG2", l2.data, l2.size}};
        result r = run(hive.data, hive.size, logs, 2);
        assert_int_equal(r.rc, -1);
        assert_true(r.rep.dirty);
        assert_true(strncmp(r.err.msg, "HIVE: dirty hive (sequence numbers differ", 41) == 0);
        if (!strstr(r.err.msg, cases[i].reason))
            fail_msg("%s: expected \"%s\" in \"%s\"", cases[i].dir, cases[i].reason, r.err.msg);
        free(hive.data);
        free(l1.data);
        free(l2.data);
    }
}

static void test_shared_malformed_base_blocks(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    static const struct {
        const char *file, *message;
        int recover_rc;
    } cases[] = {
        {"TruncatedHive",
         "X: truncated: the base block announces 487424 bytes of hive bins, the file holds 8192",
         0},
        {"TruncatedDirtyHive",
         "X: truncated: the base block announces 487424 bytes of hive bins, the file holds 8192",
         -1},
        {"TruncatedHiveBin",
         "X: too small for a registry hive: 1024 bytes (the base block alone is 4096)", -1},
        {"GarbageHive", "X: base block checksum mismatch (stored 0x4c564e49, computed 0x94d865b7)",
         0},
        {"EmptyHive", "", 0},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        char rel[256];
        file_buf f;
        snprintf(rel, sizeof rel, "hives/malformed/%s.xz", cases[i].file);
        load_xz(shared, rel, &f);
        bl_base_block bb;
        bl_error err = {{0}};
        int rc = bl_base_block_parse(f.data, f.size, "X", &bb, &err);
        assert_int_equal(rc, cases[i].message[0] ? -1 : 0);
        if (strcmp(err.msg, cases[i].message) != 0)
            fail_msg("%s: got \"%s\"", cases[i].file, err.msg);
        result r = run(f.data, f.size, NULL, 0);
        assert_int_equal(r.rc, cases[i].recover_rc);
        assert_null(r.img);
        free(f.data);
    }
}

/* ---- fuzz seeds ---- */

static void write_seed(const char *dir, const char *name, uint8_t flags, const uint8_t *primary,
                       size_t pn, const uint8_t *l1, size_t n1, const uint8_t *l2, size_t n2)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputc(flags, f);
    if (flags & 2) {
        /* compact primary: first 512 bytes of the base block, then the hive
         * bins without their trailing zeros */
        fwrite(primary, 1, 512, f);
        size_t body = pn - 4096;
        while (body > 0 && primary[4096 + body - 1] == 0)
            body--;
        fwrite(primary + 4096, 1, body, f);
    } else {
        fwrite(primary, 1, pn, f);
    }
    if (l1) {
        fputs("BLSPLIT!", f);
        fwrite(l1, 1, n1, f);
    }
    if (l2) {
        fputs("BLSPLIT!", f);
        fwrite(l2, 1, n2, f);
    }
    fclose(f);
}

/* Small hives for the seeds: one 4 KiB bin, zero cells (the fuzzer only
 * needs the structure the recovery code reads). */
static uint8_t *seed_primary(uint32_t s1, uint32_t s2, size_t *n)
{
    uint8_t *p = make_primary(s1, s2, 4096, n);
    memset(p + BL_BASE_BLOCK_SIZE + 32, 0, 4096 - 32);
    return p;
}

static int write_fuzz_seeds(const char *dir)
{
    size_t pn, n1, n2;
    uint8_t *p = seed_primary(3, 2, &pn);
    entry_spec a[] = {{2, 4096, 1, {{0x200, 0x100, 0x22}}}};
    entry_spec b[] = {{3, 4096, 1, {{0x400, 0x80, 0x33}}}, {4, 8192, 1, {{0x1000, 0x100, 0x44}}}};
    uint8_t *l1 = make_new_log(2, a, 1, &n1), *l2 = make_new_log(3, b, 2, &n2);
    write_seed(dir, "new-two-logs", 3, p, pn, l1, n1, l2, n2);
    write_seed(dir, "new-one-log-exact-hashes", 2, p, pn, l2, n2, NULL, 0);
    bl_put_le32(p + BL_BB_CHECKSUM, 0);
    write_seed(dir, "new-bad-primary-checksum", 2, p, pn, l1, n1, NULL, 0);
    free(p);
    p = seed_primary(5, 4, &pn);
    const uint32_t bits[] = {1, 3};
    uint8_t *old = make_old_log(5, 4096, bits, 2, 0x61, &n1);
    write_seed(dir, "old-dirty-vector", 3, p, pn, old, n1, NULL, 0);
    free(old);
    free(l1);
    free(l2);
    free(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write-fuzz-seeds") == 0)
        return write_fuzz_seeds(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_block_valid),
        cmocka_unit_test(test_base_block_size_and_signature),
        cmocka_unit_test(test_base_block_checksum_mismatch_keeps_fields),
        cmocka_unit_test(test_base_block_checksum_special_cases),
        cmocka_unit_test(test_base_block_fields),
        cmocka_unit_test(test_base_block_hbin_and_truncation),
        cmocka_unit_test(test_marvin32_known_answers),
        cmocka_unit_test(test_clean_hive_needs_nothing),
        cmocka_unit_test(test_new_single_entry),
        cmocka_unit_test(test_new_chain_across_logs),
        cmocka_unit_test(test_new_stops_at_bad_hash),
        cmocka_unit_test(test_new_hive_growth),
        cmocka_unit_test(test_new_sequence_gaps),
        cmocka_unit_test(test_new_log_newer_than_clean_primary),
        cmocka_unit_test(test_dirty_without_usable_log),
        cmocka_unit_test(test_log_of_another_hive),
        cmocka_unit_test(test_primary_base_block_from_log),
        cmocka_unit_test(test_primary_not_a_hive),
        cmocka_unit_test(test_new_malformed_lengths),
        cmocka_unit_test(test_old_format_replay),
        cmocka_unit_test(test_old_format_refusals),
        cmocka_unit_test(test_find_logs_any_case),
        cmocka_unit_test(test_shared_new_dirty_hive1_matches_windows),
        cmocka_unit_test(test_shared_new_dirty_hive2),
        cmocka_unit_test(test_shared_bad_base_block_hive),
        cmocka_unit_test(test_shared_bad_logs_refused),
        cmocka_unit_test(test_shared_malformed_base_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

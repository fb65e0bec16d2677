/* test_image.c — the image module on disks built byte by byte here: MBR
 * primaries and an extended chain, a chain that loops, overlapping
 * partitions, GPT with its CRCs (and a damaged primary header that the
 * backup replaces), file system sniffing (BitLocker, FAT, empty), the
 * origin syntax, CRC32 and SHA-256 known answers.  The containers and NTFS
 * are tested end to end on images made by Debian's tools
 * (tests/images/run.sh). */
#include "testutil.h"

#include <fcntl.h>

#include "bootlens/image.h"
#include "../../src/image/internal.h"

#define SECTOR 512u
#define DISK_SECTORS 65536u /* 32 MiB */

static uint8_t *disk;

static int setup(void **state)
{
    (void)state;
    disk = calloc(DISK_SECTORS, SECTOR);
    return disk ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(disk);
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void mbr_entry(uint64_t sector, int i, uint8_t type, uint32_t lba, uint32_t count)
{
    uint8_t *e = disk + sector * SECTOR + 446 + 16 * i;
    e[4] = type;
    put32(e + 8, lba);
    put32(e + 12, count);
    disk[sector * SECTOR + 510] = 0x55;
    disk[sector * SECTOR + 511] = 0xAA;
}

static void ntfs_boot(uint32_t lba, const char *oem)
{
    memcpy(disk + (uint64_t)lba * SECTOR + 3, oem, 8);
}

static bl_image *open_disk(void)
{
    bl_image *img = NULL;
    bl_error err = {{0}};
    assert_int_equal(bl_image_open_memory(disk, (size_t)DISK_SECTORS * SECTOR, "disk.img", &img, &err), 0);
    return img;
}

static bool notes_have(const bl_image_info *ii, const char *what)
{
    for (uint32_t i = 0; i < ii->nnotes; i++)
        if (strstr(ii->notes[i], what))
            return true;
    return false;
}

static void test_mbr_extended_chain(void **state)
{
    (void)state;
    mbr_entry(0, 0, 0x07, 2048, 2048);
    mbr_entry(0, 1, 0x0F, 8192, 16384);
    /* Three logical partitions: each EBR's second entry links to the next,
     * relative to the start of the extended partition. */
    mbr_entry(8192, 0, 0x07, 64, 1000);
    mbr_entry(8192, 1, 0x05, 2048, 2048);
    mbr_entry(10240, 0, 0x0C, 64, 1000);
    mbr_entry(10240, 1, 0x05, 4096, 2048);
    mbr_entry(12288, 0, 0x07, 64, 1000);
    ntfs_boot(2048, "-FVE-FS-");
    ntfs_boot(8192 + 64, "NTFS    ");
    bl_image *img = open_disk();
    const bl_image_info *ii = bl_image_get_info(img);
    assert_int_equal(ii->nvolumes, 4);
    assert_string_equal(ii->volumes[0].name, "p1");
    assert_string_equal(ii->volumes[0].fs, "bitlocker");
    assert_non_null(strstr(ii->volumes[0].problem, "BitLocker"));
    assert_string_equal(ii->volumes[1].name, "p5");
    assert_int_equal(ii->volumes[1].offset, (8192u + 64u) * SECTOR);
    assert_string_equal(ii->volumes[2].name, "p6");
    assert_string_equal(ii->volumes[2].type, "0x0C");
    assert_int_equal(ii->volumes[2].offset, (10240u + 64u) * SECTOR);
    assert_string_equal(ii->volumes[3].name, "p7");
    assert_string_equal(ii->volumes[1].scheme, "mbr");
    assert_int_equal(ii->nnotes, 0);
    /* p5 holds a boot sector that says NTFS and nothing else: unreadable. */
    assert_string_equal(ii->volumes[1].fs, "ntfs");
    assert_non_null(ii->volumes[1].problem);
    assert_int_equal(bl_image_find_volume(img, "P6"), 2);
    assert_int_equal(bl_image_find_volume(img, "p9"), -1);
    bl_sb o = {0};
    bl_image_origin(img, 1, "/Windows/System32/config/SYSTEM", &o);
    assert_string_equal(bl_sb_str(&o), "disk.img#p5:/Windows/System32/config/SYSTEM");
    bl_sb_free(&o);
    bl_image_close(img);
}

static void test_mbr_chain_loop(void **state)
{
    (void)state;
    mbr_entry(0, 0, 0x05, 8192, 16384);
    mbr_entry(8192, 0, 0x07, 64, 1000);
    mbr_entry(8192, 1, 0x05, 2048, 2048);
    mbr_entry(10240, 0, 0x07, 64, 1000);
    mbr_entry(10240, 1, 0x05, 0, 2048); /* back to the first EBR */
    bl_image *img = open_disk();
    const bl_image_info *ii = bl_image_get_info(img);
    assert_int_equal(ii->nvolumes, 2);
    assert_true(notes_have(ii, "loops back to sector 8192"));
    bl_image_close(img);
}

static void test_mbr_overlap(void **state)
{
    (void)state;
    mbr_entry(0, 0, 0x07, 2048, 4096);
    mbr_entry(0, 1, 0x07, 4096, 4096);
    mbr_entry(0, 2, 0x07, 16384, 100); /* apart: fine */
    bl_image *img = open_disk();
    const bl_image_info *ii = bl_image_get_info(img);
    assert_int_equal(ii->nvolumes, 3);
    assert_non_null(strstr(ii->volumes[0].problem, "overlaps p2"));
    assert_non_null(strstr(ii->volumes[1].problem, "overlaps p1"));
    assert_non_null(strstr(ii->volumes[2].problem, "no file system"));
    bl_image_close(img);
}

/* A GPT with two entries at lba 1 (and its backup at the last sector). */
static void gpt_header(uint64_t at, uint64_t backup, uint64_t entries)
{
    uint8_t *h = disk + at * SECTOR;
    memset(h, 0, SECTOR);
    memcpy(h, "EFI PART", 8);
    put32(h + 8, 0x00010000);
    put32(h + 12, 92);
    put64(h + 24, at);
    put64(h + 32, backup);
    put64(h + 40, 34);
    put64(h + 48, DISK_SECTORS - 34);
    put64(h + 72, entries);
    put32(h + 80, 128);
    put32(h + 84, 128);
    put32(h + 88, bl_crc32(disk + entries * SECTOR, 128 * 128));
    put32(h + 16, bl_crc32(h, 92));
}

static void make_gpt(void)
{
    mbr_entry(0, 0, 0xEE, 1, DISK_SECTORS - 1);
    static const uint8_t basic[16] = {0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
                                      0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7};
    uint8_t *e = disk + 2 * SECTOR;
    memcpy(e, basic, 16);
    e[16] = 1;
    put64(e + 32, 2048);
    put64(e + 40, 4095);
    memcpy(e + 128, basic, 16);
    e[128 + 16] = 2;
    put64(e + 128 + 32, 4096);
    put64(e + 128 + 40, 8191);
    memcpy(disk + (DISK_SECTORS - 33) * SECTOR, e, 128 * 128);
    gpt_header(1, DISK_SECTORS - 1, 2);
    gpt_header(DISK_SECTORS - 1, 1, DISK_SECTORS - 33);
    ntfs_boot(4096, "NTFS    ");
    memcpy(disk + 2048 * SECTOR + 82, "FAT32   ", 8);
}

static void test_gpt(void **state)
{
    (void)state;
    make_gpt();
    bl_image *img = open_disk();
    const bl_image_info *ii = bl_image_get_info(img);
    assert_int_equal(ii->nvolumes, 2);
    assert_string_equal(ii->volumes[0].scheme, "gpt");
    assert_string_equal(ii->volumes[0].type, "Microsoft basic data");
    assert_int_equal(ii->volumes[0].offset, 2048u * SECTOR);
    assert_int_equal(ii->volumes[0].size, 2048u * SECTOR);
    assert_string_equal(ii->volumes[0].fs, "fat");
    assert_non_null(strstr(ii->volumes[0].problem, "unsupported file system (FAT)"));
    assert_string_equal(ii->volumes[1].name, "p2");
    assert_int_equal(ii->nnotes, 0);
    bl_image_close(img);
}

static void test_gpt_backup_header(void **state)
{
    (void)state;
    make_gpt();
    disk[SECTOR + 40] ^= 1; /* the primary header's CRC no longer matches */
    bl_image *img = open_disk();
    const bl_image_info *ii = bl_image_get_info(img);
    assert_int_equal(ii->nvolumes, 2);
    assert_true(notes_have(ii, "backup header was used"));
    bl_image_close(img);
    /* Entries damaged too: read anyway, with a note. */
    disk[2 * SECTOR + 100] ^= 1;
    img = open_disk();
    assert_true(notes_have(bl_image_get_info(img), "CRC32 mismatch"));
    bl_image_close(img);
}

static void test_bare_volume_and_sniff(void **state)
{
    (void)state;
    uint8_t s[4096] = {0};
    assert_string_equal(bl_fs_sniff(s, sizeof s), "empty");
    memcpy(s + 3, "-FVE-FS-", 8);
    assert_string_equal(bl_fs_sniff(s, sizeof s), "bitlocker");
    memcpy(s + 3, "EXFAT   ", 8);
    assert_string_equal(bl_fs_sniff(s, sizeof s), "exfat");
    memset(s, 0, sizeof s);
    s[1080] = 0x53, s[1081] = 0xEF;
    assert_string_equal(bl_fs_sniff(s, sizeof s), "ext");
    s[7] = 1;
    /* A volume image without a partition table is one volume named "". */
    ntfs_boot(0, "-FVE-FS-");
    disk[510] = 0x55, disk[511] = 0xAA;
    bl_image *img = open_disk();
    const bl_image_info *ii = bl_image_get_info(img);
    assert_int_equal(ii->nvolumes, 1);
    assert_string_equal(ii->volumes[0].name, "");
    assert_string_equal(ii->volumes[0].scheme, "none");
    assert_int_equal(bl_image_find_volume(img, NULL), 0);
    bl_sb o = {0};
    bl_image_origin(img, 0, "/x", &o);
    assert_string_equal(bl_sb_str(&o), "disk.img#/x");
    bl_sb_free(&o);
    uint8_t *data;
    size_t n;
    char *spelled, *bad;
    bl_error err = {{0}};
    assert_int_equal(bl_image_read_file(img, 0, "/x", 100, &data, &n, &spelled, &bad, &err), -1);
    assert_non_null(strstr(err.msg, "disk.img#/x: BitLocker-encrypted volume"));
    bl_image_close(img);
}

static void test_known_answers(void **state)
{
    (void)state;
    assert_int_equal(bl_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    uint8_t d[BL_SHA256_SIZE];
    char hex[BL_SHA256_HEX];
    bl_sha256("abc", 3, d);
    bl_sha256_hex(d, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    bl_sha256_ctx c;
    bl_sha256_init(&c);
    bl_sha256_update(&c, "a", 1);
    bl_sha256_update(&c, "bc", 2);
    bl_sha256_final(&c, d);
    bl_sha256_hex(d, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_probe_and_refusals(void **state)
{
    (void)state;
    char path[] = "/tmp/bootlens-test-image-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "regf", 4), 4);
    close(fd);
    bl_error err = {{0}};
    assert_int_equal(bl_image_probe(path, &err), 0); /* a hive */
    fd = open(path, O_WRONLY | O_TRUNC);
    uint8_t e01[16] = {'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00, 1, 1, 0, 0, 0};
    assert_int_equal(write(fd, e01, sizeof e01), (ssize_t)sizeof e01);
    close(fd);
    assert_int_equal(bl_image_probe(path, &err), 1);
    bl_image *img;
    /* Not named NAME.E01, and a truncated segment besides. */
    assert_int_equal(bl_image_open(path, &img, &err), -1);
    assert_non_null(strstr(err.msg, path));
    unlink(path);
    assert_int_equal(bl_image_probe("/nonexistent/disk.E01", &err), -1);
}

/* touch DIR/NAME */
static void touch(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    close(fd);
}

/* write_file(DIR, NAME, DATA, N) */
static void write_file(const char *dir, const char *name, const uint8_t *data, size_t n)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

/* part_of(DIR, NAME, FIRST): whether DIR/NAME is a later file of the
 * image DIR/FIRST (FIRST NULL: of none). */
static void part_of(const char *dir, const char *name, const char *first)
{
    char p[512], f[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    bl_sb sb = {0};
    bool part = bl_image_part_of(p, &sb);
    if (!first) {
        if (part)
            fail_msg("%s is taken for a part of %s", name, bl_sb_str(&sb));
    } else {
        snprintf(f, sizeof f, "%s/%s", dir, first);
        if (!part)
            fail_msg("%s is not taken for a part of %s", name, first);
        assert_string_equal(bl_sb_str(&sb), f);
    }
    bl_sb_free(&sb);
}

static void test_split_image_parts(void **state)
{
    (void)state;
    char dir[] = "/tmp/bootlens-test-parts-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *files[] = {"case.E01",     "case.E02",       "case.E99",     "case.EAA",     "low.e01",
                           "low.e02",      "disk.001",       "disk.002",     "disk.123",     "vm.vmdk",
                           "vm-s001.vmdk", "vm-s012.vmdk",   "vm-flat.vmdk", "vm-f001.vmdk", "lone.E02",
                           "lone.002",     "lone-s001.vmdk", "case.E0x",     "SYSTEM"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        touch(dir, files[i]);
    /* A later file needs a first file that is an image by its signature. */
    static const uint8_t evf[8] = {'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00};
    write_file(dir, "case.E01", evf, sizeof evf);
    write_file(dir, "low.e01", evf, sizeof evf);
    write_file(dir, "vm.vmdk", (const uint8_t *)"# Disk DescriptorFile\n", 22);
    part_of(dir, "case.E02", "case.E01");
    part_of(dir, "case.E99", "case.E01");
    part_of(dir, "case.EAA", "case.E01");
    part_of(dir, "low.e02", "low.e01");
    part_of(dir, "disk.002", "disk.001");
    part_of(dir, "disk.123", "disk.001");
    part_of(dir, "vm-s001.vmdk", "vm.vmdk");
    part_of(dir, "vm-s012.vmdk", "vm.vmdk");
    part_of(dir, "vm-flat.vmdk", "vm.vmdk");
    part_of(dir, "vm-f001.vmdk", "vm.vmdk");
    /* Hives named like segments are hives: SYSTEM.002 beside the hive
     * SYSTEM.001 is no part of it, nor is a hive named like a segment. */
    write_file(dir, "hive.001", (const uint8_t *)"regf", 4);
    write_file(dir, "hive.002", (const uint8_t *)"regf", 4);
    part_of(dir, "hive.002", NULL);
    write_file(dir, "disk.003", (const uint8_t *)"regf", 4);
    part_of(dir, "disk.003", NULL);
    /* The parts of one image, listed for the output checks. */
    char fp[512];
    snprintf(fp, sizeof fp, "%s/case.E01", dir);
    char **parts;
    size_t np = bl_image_parts(fp, &parts);
    assert_int_equal(np, 3); /* E02, E99, EAA */
    for (size_t i = 0; i < np; i++)
        free(parts[i]);
    free(parts);
    /* First files, files without their first beside them, other names. */
    const char *alone[] = {"case.E01", "low.e01",        "disk.001", "vm.vmdk", "lone.E02",
                           "lone.002", "lone-s001.vmdk", "case.E0x", "SYSTEM"};
    for (size_t i = 0; i < sizeof alone / sizeof *alone; i++)
        part_of(dir, alone[i], NULL);
    const char *extra[] = {"hive.001", "hive.002", "disk.003"};
    for (size_t i = 0; i < sizeof files / sizeof *files + 3; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir,
                 i < sizeof files / sizeof *files ? files[i] : extra[i - sizeof files / sizeof *files]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mbr_extended_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mbr_chain_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mbr_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gpt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gpt_backup_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bare_volume_and_sniff, setup, teardown),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_probe_and_refusals),
        cmocka_unit_test(test_split_image_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

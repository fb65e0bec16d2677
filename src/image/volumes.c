/* volumes.c — the volume system of a disk: MBR (with its chain of extended
 * boot records), GPT (UEFI 2.x, chapter 5), or none (a volume image).
 * Partition tables are hostile input like everything else: chains are
 * followed with a visited list and a count bound, GPT headers and entry
 * arrays are checked against their CRC32 (the backup header is used when the
 * primary is damaged), sizes are bounded before anything is allocated, and
 * partitions that overlap are marked unusable instead of being trusted. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GPT_MAX_TABLE ((size_t)1 << 20) /* entries array bytes (128 × 128 is the norm) */
#define MBR_MAX_CHAIN 128               /* extended boot records followed */

uint32_t bl_crc32(const uint8_t *p, size_t n)
{
    /* Reflected IEEE 802.3 polynomial, nibble-wise: GPT tables are small. */
    static const uint32_t t[16] = {0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
                                   0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
                                   0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C};
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        c = (c >> 4) ^ t[c & 15];
        c = (c >> 4) ^ t[c & 15];
    }
    return ~c;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void note(bl_vol_list *l, const char *fmt, ...) BL_PRINTF(2, 3);
static void note(bl_vol_list *l, const char *fmt, ...)
{
    if (l->notes.len)
        bl_sb_add(&l->notes, "; ");
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&l->notes, fmt, ap);
    va_end(ap);
}

static bl_image_volume *add_volume(bl_vol_list *l, uint32_t number, uint64_t off, uint64_t size)
{
    if (l->n >= BL_IMAGE_MAX_VOLUMES)
        return NULL;
    bl_grow((void **)&l->v, sizeof *l->v, &l->cap, l->n + 1);
    bl_image_volume *v = &l->v[l->n++];
    memset(v, 0, sizeof *v);
    if (number)
        snprintf(v->name, sizeof v->name, "p%u", number);
    v->scheme = l->scheme;
    v->offset = off;
    v->size = size;
    v->fs = "unknown";
    return v;
}

void bl_volumes_free(bl_vol_list *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        free(l->v[i].label);
        free(l->v[i].problem);
    }
    free(l->v);
    bl_sb_free(&l->notes);
    memset(l, 0, sizeof *l);
}

void bl_volume_problem(bl_image_volume *v, const char *fmt, ...)
{
    if (v->problem)
        return;
    bl_sb sb = {0};
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    v->problem = bl_sb_detach(&sb);
}

/* A partition given in sectors, checked against the disk. */
static void add_partition(bl_vol_list *l, bl_disk *d, uint32_t number, uint64_t lba, uint64_t count,
                          const char *type)
{
    uint64_t ss = d->sector_size;
    uint64_t off = lba * ss, size = count * ss;
    if (lba > UINT64_MAX / ss || count > UINT64_MAX / ss || off > UINT64_MAX - size) {
        note(l, "partition %u has an impossible extent", number);
        return;
    }
    bl_image_volume *v = add_volume(l, number, off, size);
    if (!v) {
        note(l, "more than %u partitions: the rest were not read", BL_IMAGE_MAX_VOLUMES);
        return;
    }
    snprintf(v->type, sizeof v->type, "%s", type);
    if (count == 0)
        bl_volume_problem(v, "empty partition");
    else if (off >= d->size)
        bl_volume_problem(v, "starts beyond the end of the image (sector %llu; the image has %llu): truncated image?",
                    (unsigned long long)lba, (unsigned long long)(d->size / ss));
}

static int read_sector(bl_disk *d, uint64_t lba, uint8_t *buf)
{
    char why[256];
    if (lba > UINT64_MAX / d->sector_size)
        return -1;
    return bl_disk_read(d, lba * d->sector_size, buf, d->sector_size, why, sizeof why);
}

/* ---- MBR ---- */

static bool mbr_is_extended(uint8_t type)
{
    return type == 0x05 || type == 0x0F || type == 0x85;
}

/* Whether sector 0 is a partition table rather than a volume boot sector
 * (both end in 55 AA). */
static bool looks_like_mbr(const uint8_t *s)
{
    if (s[510] != 0x55 || s[511] != 0xAA)
        return false;
    if (strcmp(bl_fs_sniff(s, 512), "unknown") != 0)
        return false; /* a volume boot sector */
    bool any = false;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = s + 446 + 16 * i;
        if (e[0] != 0x00 && e[0] != 0x80)
            return false;
        any |= e[4] != 0;
    }
    return any;
}

static void mbr_chain(bl_vol_list *l, bl_disk *d, uint64_t ext_start, uint64_t ext_count, uint8_t *buf)
{
    uint64_t visited[MBR_MAX_CHAIN];
    uint32_t nvisited = 0, number = 5;
    uint64_t ebr = ext_start;
    while (ebr) {
        for (uint32_t i = 0; i < nvisited; i++)
            if (visited[i] == ebr) {
                note(l, "the extended partition chain loops back to sector %llu: logical partitions after "
                        "p%u were not read",
                     (unsigned long long)ebr, number - 1);
                return;
            }
        if (nvisited >= MBR_MAX_CHAIN) {
            note(l, "more than %u logical partitions: the rest were not read", MBR_MAX_CHAIN);
            return;
        }
        visited[nvisited++] = ebr;
        if (read_sector(d, ebr, buf) != 0 || buf[510] != 0x55 || buf[511] != 0xAA) {
            note(l, "extended boot record at sector %llu is unreadable or invalid: logical partitions "
                    "from p%u on were not read",
                 (unsigned long long)ebr, number);
            return;
        }
        const uint8_t *e0 = buf + 446, *e1 = buf + 462;
        uint64_t next = 0;
        if (e0[4]) {
            char type[8];
            snprintf(type, sizeof type, "0x%02X", e0[4]);
            add_partition(l, d, number, ebr + le32(e0 + 8), le32(e0 + 12), type);
        }
        number++;
        if (e1[4] && mbr_is_extended(e1[4])) {
            next = ext_start + le32(e1 + 8);
            if (le32(e1 + 8) >= ext_count) {
                note(l, "extended boot record at sector %llu links outside the extended partition",
                     (unsigned long long)ebr);
                return;
            }
        }
        ebr = next;
    }
}

static void read_mbr(bl_vol_list *l, bl_disk *d, const uint8_t *s0)
{
    l->scheme = "mbr";
    uint8_t mbr[512];
    memcpy(mbr, s0, 512);
    uint8_t *buf = bl_xmalloc(d->sector_size);
    bool seen_ext = false;
    for (uint32_t i = 0; i < 4; i++) {
        const uint8_t *e = mbr + 446 + 16 * i;
        uint8_t type = e[4];
        if (!type)
            continue;
        uint64_t lba = le32(e + 8), count = le32(e + 12);
        if (mbr_is_extended(type)) {
            if (seen_ext) {
                note(l, "a second extended partition (entry %u) was ignored", i + 1);
                continue;
            }
            seen_ext = true;
            mbr_chain(l, d, lba, count, buf);
            continue;
        }
        char t[8];
        snprintf(t, sizeof t, "0x%02X", type);
        add_partition(l, d, i + 1, lba, count, t);
    }
    free(buf);
}

/* ---- GPT ---- */

static const struct {
    const char *guid; /* mixed-endian text form */
    const char *name;
} gpt_types[] = {
    {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "Microsoft basic data"},
    {"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "EFI system"},
    {"E3C9E316-0B5C-4DB8-817D-F92DF00215AE", "Microsoft reserved"},
    {"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", "Windows recovery"},
    {"5808C8AA-7E8F-42E0-85D2-E1E90434CFB3", "LDM metadata"},
    {"AF9B60A0-1431-4F62-BC68-3311714A69AD", "LDM data"},
    {"E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D", "Storage Spaces"},
    {"0FC63DAF-8483-4772-8E79-3D69D8477DE4", "Linux filesystem"},
    {"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "Linux swap"},
};

static void guid_text(const uint8_t *g, char *out, size_t n)
{
    snprintf(out, n, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", le32(g),
             (unsigned)(g[4] | g[5] << 8), (unsigned)(g[6] | g[7] << 8), g[8], g[9], g[10], g[11], g[12],
             g[13], g[14], g[15]);
}

/* Checks a GPT header at lba; fills the table location.  NULL if sound,
 * else why not. */
static const char *gpt_header(bl_disk *d, uint64_t lba, uint8_t *h, uint64_t *entries_lba, uint32_t *count,
                              uint32_t *esize, uint32_t *ecrc)
{
    uint32_t ss = d->sector_size;
    if (read_sector(d, lba, h) != 0)
        return "unreadable";
    if (memcmp(h, "EFI PART", 8) != 0)
        return "no \"EFI PART\" signature";
    uint32_t hsize = le32(h + 12);
    if (hsize < 92 || hsize > ss)
        return "impossible header size";
    uint32_t crc = le32(h + 16);
    memset(h + 16, 0, 4);
    if (bl_crc32(h, hsize) != crc)
        return "header CRC32 mismatch";
    *entries_lba = le64(h + 72);
    *count = le32(h + 80);
    *esize = le32(h + 84);
    *ecrc = le32(h + 88);
    if (*esize < 128 || *esize % 8 || *count == 0 || (uint64_t)*count * *esize > GPT_MAX_TABLE)
        return "impossible partition entry array";
    return NULL;
}

/* Reads the GPT; false when there is none to speak of (no valid header and
 * no protective MBR claiming one), so the MBR is read instead. */
static bool read_gpt(bl_vol_list *l, bl_disk *d, bool protective)
{
    uint32_t ss = d->sector_size;
    uint64_t last = d->size / ss - 1;
    uint8_t *h = bl_xmalloc(ss);
    uint64_t elba = 0;
    uint32_t count = 0, esize = 0, ecrc = 0;
    const char *why = gpt_header(d, 1, h, &elba, &count, &esize, &ecrc);
    if (why) {
        const char *bwhy = gpt_header(d, last, h, &elba, &count, &esize, &ecrc);
        if (bwhy) {
            free(h);
            if (!protective)
                return false;
            note(l, "GPT header damaged (%s), and so is its backup at the last sector (%s)", why, bwhy);
            l->scheme = "gpt";
            return true;
        }
        note(l, "primary GPT header damaged (%s): the backup header was used", why);
    }
    l->scheme = "gpt";
    size_t tsize = (size_t)count * esize;
    uint8_t *t = bl_xmalloc(tsize);
    char rwhy[256];
    if (elba > last || bl_disk_read(d, elba * ss, t, tsize, rwhy, sizeof rwhy) != 0) {
        note(l, "GPT partition entry array unreadable");
    } else {
        if (bl_crc32(t, tsize) != ecrc)
            note(l, "GPT partition entry array CRC32 mismatch: entries read anyway");
        for (uint32_t i = 0; i < count; i++) {
            const uint8_t *e = t + (size_t)i * esize;
            static const uint8_t zero[16];
            if (memcmp(e, zero, 16) == 0)
                continue;
            uint64_t first = le64(e + 32), end = le64(e + 40);
            char guid[40];
            guid_text(e, guid, sizeof guid);
            const char *type = guid;
            for (size_t k = 0; k < BL_ARRAY_LEN(gpt_types); k++)
                if (strcmp(gpt_types[k].guid, guid) == 0)
                    type = gpt_types[k].name;
            if (end < first) {
                note(l, "GPT entry %u ends before it starts", i + 1);
                continue;
            }
            add_partition(l, d, i + 1, first, end - first + 1, type);
        }
    }
    free(t);
    free(h);
    return true;
}

/* ---- overlap and the whole ---- */

static int by_offset(const void *a, const void *b)
{
    const bl_image_volume *x = *(bl_image_volume *const *)a, *y = *(bl_image_volume *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static void mark_overlaps(bl_vol_list *l)
{
    bl_image_volume **s = bl_xmalloc((l->n + 1) * sizeof *s);
    for (uint32_t i = 0; i < l->n; i++)
        s[i] = &l->v[i];
    qsort(s, l->n, sizeof *s, by_offset);
    /* After sorting, a partition overlaps an earlier one exactly when it
     * starts before the furthest end seen so far. */
    bl_image_volume *far = NULL;
    for (uint32_t i = 0; i < l->n; i++) {
        if (s[i]->size == 0)
            continue;
        if (far && s[i]->offset < far->offset + far->size) {
            bl_volume_problem(s[i], "overlaps %s: the partition table is inconsistent", far->name);
            bl_volume_problem(far, "overlaps %s: the partition table is inconsistent", s[i]->name);
        }
        if (!far || s[i]->offset + s[i]->size > far->offset + far->size)
            far = s[i];
    }
    free(s);
}

void bl_volumes_read(bl_disk *d, bl_vol_list *l)
{
    memset(l, 0, sizeof *l);
    l->scheme = "none";
    uint8_t s0[4096] = {0};
    char why[256];
    size_t n = d->size < sizeof s0 ? (size_t)d->size : sizeof s0;
    if (n < 512 || bl_disk_read(d, 0, s0, n, why, sizeof why) != 0) {
        note(l, "the first sector cannot be read");
        return;
    }
    bool protective = false;
    if (looks_like_mbr(s0))
        for (int i = 0; i < 4; i++)
            protective |= s0[446 + 16 * i + 4] == 0xEE;
    /* GPT behind a protective MBR; also a GPT whose MBR was wiped. */
    if ((protective || memcmp(s0 + 512, "EFI PART", 8) == 0 ||
         (d->sector_size == 4096 && n >= 4104 && memcmp(s0 + 4096, "EFI PART", 8) == 0)) &&
        read_gpt(l, d, protective)) {
        /* done */
    } else if (looks_like_mbr(s0)) {
        read_mbr(l, d, s0);
    } else {
        add_volume(l, 0, 0, d->size);
    }
    mark_overlaps(l);
}

/* ntfs.c — file systems in a volume: NTFS read through libfsntfs, the
 * others recognized by their boot sector so they can be named when refused
 * (BitLocker's "-FVE-FS-" above all: the hive is there, but encrypted).
 *
 * libfsntfs reads through a libbfio handle whose reads are ours
 * (util/bfio.h): a window [offset, offset+size) over the disk,
 * bounds-checked, read-only.
 * libfsntfs reads only what it is asked for (the boot sector, $MFT entries
 * of the path walked, the runs of the file read), so a 2 TB volume costs the
 * same as a small one. */
#include "internal.h"

#include "../util/bfio.h"

#include <libbfio.h>
#include <libfsntfs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unreadable ranges described to the user, at most. */
#define MAX_BAD_RANGES 8
#define READ_CHUNK ((size_t)1 << 20)
#define RETRY_CHUNK ((size_t)4096)
/* Root directory entries looked at for Windows directories. */
#define MAX_ROOT_ENTRIES 4096

struct bl_ntfs {
    libbfio_handle_t *bfio;
    libfsntfs_volume_t *vol;
    bl_disk *disk; /* the volume is [off, off + size) of it */
    uint64_t off;
};


const char *bl_fs_sniff(const uint8_t *s, size_t n)
{
    if (n >= 11 && memcmp(s + 3, "NTFS    ", 8) == 0)
        return "ntfs";
    if (n >= 11 && memcmp(s + 3, "-FVE-FS-", 8) == 0)
        return "bitlocker";
    if (n >= 11 && memcmp(s + 3, "EXFAT   ", 8) == 0)
        return "exfat";
    if (n >= 11 && memcmp(s + 3, "ReFS\0\0\0\0", 8) == 0)
        return "refs";
    if (n >= 90 && (memcmp(s + 54, "FAT12   ", 8) == 0 || memcmp(s + 54, "FAT16   ", 8) == 0 ||
                    memcmp(s + 82, "FAT32   ", 8) == 0))
        return "fat";
    if (n >= 1082 && s[1080] == 0x53 && s[1081] == 0xEF)
        return "ext";
    size_t i = 0;
    while (i < n && i < 4096 && s[i] == 0)
        i++;
    return i == n || i == 4096 ? "empty" : "unknown";
}

/* ---- the window libfsntfs reads ---- */

static int window_read(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
    const bl_ntfs *fs = ctx;
    char why[256];
    return bl_disk_read(fs->disk, fs->off + off, buf, n, why, sizeof why) != 0 ? -1 : 0;
}

/* ---- libfsntfs ---- */

static void fs_error(libfsntfs_error_t *e, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!e)
        return;
    char tmp[2048];
    if (libfsntfs_error_backtrace_sprint(e, tmp, sizeof tmp) > 0)
        bl_yal_last_line(tmp, buf, size);
    libfsntfs_error_free(&e);
}

int bl_ntfs_open(bl_disk *d, uint64_t off, uint64_t size, bl_ntfs **out, bl_error *err)
{
    bl_ntfs *fs = bl_xcalloc(1, sizeof *fs);
    fs->disk = d;
    fs->off = off;
    /* A partition running past a truncated image is read as far as it goes;
     * what lies beyond fails to read, cluster by cluster. */
    if (bl_bfio_reader(&fs->bfio, size, window_read, fs) != 0) {
        free(fs);
        bl_error_set(err, "cannot set up a reader");
        return -1;
    }
    libfsntfs_error_t *e = NULL;
    char why[512];
    if (libfsntfs_volume_initialize(&fs->vol, &e) != 1 ||
        libfsntfs_volume_open_file_io_handle(fs->vol, fs->bfio, LIBFSNTFS_OPEN_READ, &e) != 1) {
        fs_error(e, why, sizeof why);
        bl_error_set(err, "NTFS volume unreadable (%s)", why);
        bl_ntfs_close(fs);
        return -1;
    }
    *out = fs;
    return 0;
}

void bl_ntfs_close(bl_ntfs *fs)
{
    if (!fs)
        return;
    libfsntfs_error_t *e = NULL;
    if (fs->vol) {
        libfsntfs_volume_close(fs->vol, &e);
        libfsntfs_error_free(&e);
        libfsntfs_volume_free(&fs->vol, &e);
        libfsntfs_error_free(&e);
    }
    if (fs->bfio) {
        libbfio_error_t *be = NULL;
        libbfio_handle_free(&fs->bfio, &be);
        libbfio_error_free(&be);
    }
    free(fs);
}

char *bl_ntfs_label(bl_ntfs *fs)
{
    size_t n = 0;
    if (libfsntfs_volume_get_utf8_name_size(fs->vol, &n, NULL) != 1 || n <= 1 || n > 1024)
        return NULL;
    char *s = bl_xmalloc(n);
    if (libfsntfs_volume_get_utf8_name(fs->vol, (uint8_t *)s, n, NULL) != 1) {
        free(s);
        return NULL;
    }
    s[n - 1] = '\0';
    return s;
}

static char *entry_name(libfsntfs_file_entry_t *f)
{
    size_t n = 0;
    if (libfsntfs_file_entry_get_utf8_name_size(f, &n, NULL) != 1 || n <= 1 || n > 1024)
        return NULL;
    char *s = bl_xmalloc(n);
    if (libfsntfs_file_entry_get_utf8_name(f, (uint8_t *)s, n, NULL) != 1) {
        free(s);
        return NULL;
    }
    s[n - 1] = '\0';
    return s;
}

/* libfsntfs wants '\' separated paths from the root. */
static char *fs_path(const char *path, size_t n)
{
    bl_sb sb = {0};
    if (n == 0 || (path[0] != '/' && path[0] != '\\'))
        bl_sb_addc(&sb, '\\');
    for (size_t i = 0; i < n; i++)
        bl_sb_addc(&sb, path[i] == '/' ? '\\' : path[i]);
    return bl_sb_detach(&sb);
}

/* Looks one path up: 1 found, 0 absent, -1 error (err set). */
static int lookup(bl_ntfs *fs, const char *path, size_t n, libfsntfs_file_entry_t **f, bl_error *err)
{
    char *p = fs_path(path, n);
    libfsntfs_error_t *e = NULL;
    int rc = libfsntfs_volume_get_file_entry_by_utf8_path(fs->vol, (const uint8_t *)p, strlen(p), f, &e);
    if (rc < 0) {
        char why[512];
        fs_error(e, why, sizeof why);
        bl_error_set(err, "%s unreadable (%s)", p, why);
    }
    free(p);
    return rc;
}

int bl_ntfs_stat(bl_ntfs *fs, const char *path, bool want_dir, uint64_t *size, char **spelled, bl_error *err)
{
    libfsntfs_file_entry_t *f = NULL;
    int rc = lookup(fs, path, strlen(path), &f, err);
    if (rc != 1)
        return rc;
    int is_dir = libfsntfs_file_entry_has_directory_entries_index(f, NULL);
    size64_t sz = 0;
    if (is_dir != (want_dir ? 1 : 0) || libfsntfs_file_entry_get_size(f, &sz, NULL) != 1) {
        libfsntfs_file_entry_free(&f, NULL);
        return 0;
    }
    libfsntfs_file_entry_free(&f, NULL);
    *size = sz;
    if (spelled) {
        /* Spell each component as the file system does (one lookup per
         * prefix: paths here are a handful of components). */
        bl_sb sb = {0};
        const char *p = path;
        while (*p) {
            while (*p == '/' || *p == '\\')
                p++;
            const char *end = p;
            while (*end && *end != '/' && *end != '\\')
                end++;
            if (end == p)
                break;
            libfsntfs_file_entry_t *c = NULL;
            bl_error ignored;
            char *name = NULL;
            if (lookup(fs, path, (size_t)(end - path), &c, &ignored) == 1) {
                name = entry_name(c);
                libfsntfs_file_entry_free(&c, NULL);
            }
            bl_sb_addc(&sb, '/');
            if (name)
                bl_sb_add(&sb, name);
            else
                bl_sb_addn(&sb, p, (size_t)(end - p));
            free(name);
            p = end;
        }
        *spelled = bl_sb_detach(&sb);
    }
    return 1;
}

uint32_t bl_ntfs_root_dirs(bl_ntfs *fs, char **names, uint32_t max)
{
    libfsntfs_file_entry_t *root = NULL;
    if (libfsntfs_volume_get_root_directory(fs->vol, &root, NULL) != 1)
        return 0;
    int n = 0;
    uint32_t got = 0;
    if (libfsntfs_file_entry_get_number_of_sub_file_entries(root, &n, NULL) == 1)
        for (int i = 0; i < n && i < MAX_ROOT_ENTRIES && got < max; i++) {
            libfsntfs_file_entry_t *c = NULL;
            if (libfsntfs_file_entry_get_sub_file_entry_by_index(root, i, &c, NULL) != 1)
                continue;
            char *name = NULL;
            if (libfsntfs_file_entry_has_directory_entries_index(c, NULL) == 1)
                name = entry_name(c);
            libfsntfs_file_entry_free(&c, NULL);
            if (name && name[0] != '$' && strcmp(name, ".") != 0)
                names[got++] = name;
            else
                free(name);
        }
    libfsntfs_file_entry_free(&root, NULL);
    return got;
}

typedef struct bad_ranges {
    uint64_t start[MAX_BAD_RANGES], end[MAX_BAD_RANGES];
    uint32_t n, more;
    uint64_t total;
} bad_ranges;

static void bad_add(bad_ranges *b, uint64_t start, uint64_t end)
{
    b->total += end - start;
    if (b->n && b->end[b->n - 1] == start) {
        b->end[b->n - 1] = end;
        return;
    }
    if (b->n >= MAX_BAD_RANGES) {
        b->more++;
        return;
    }
    b->start[b->n] = start;
    b->end[b->n++] = end;
}

static bool read_at(libfsntfs_file_entry_t *f, uint8_t *buf, size_t n, uint64_t off)
{
    libfsntfs_error_t *e = NULL;
    ssize_t k = libfsntfs_file_entry_read_buffer_at_offset(f, buf, n, (off64_t)off, &e);
    libfsntfs_error_free(&e);
    return k == (ssize_t)n;
}

int bl_ntfs_read(bl_ntfs *fs, const char *path, uint8_t *buf, uint64_t size, char **unreadable, bl_error *err)
{
    *unreadable = NULL;
    libfsntfs_file_entry_t *f = NULL;
    int rc = lookup(fs, path, strlen(path), &f, err);
    if (rc != 1) {
        if (rc == 0)
            bl_error_set(err, "%s vanished while it was read", path);
        return -1;
    }
    bad_ranges bad = {0};
    for (uint64_t off = 0; off < size;) {
        size_t n = size - off < READ_CHUNK ? (size_t)(size - off) : READ_CHUNK;
        if (!read_at(f, buf + off, n, off)) {
            /* Narrow the damage down to pages; zeros stand in for them. */
            for (uint64_t o = off; o < off + n;) {
                size_t m = off + n - o < RETRY_CHUNK ? (size_t)(off + n - o) : RETRY_CHUNK;
                if (!read_at(f, buf + o, m, o)) {
                    memset(buf + o, 0, m);
                    bad_add(&bad, o, o + m);
                }
                o += m;
            }
        }
        off += n;
    }
    libfsntfs_file_entry_free(&f, NULL);
    if (bad.n) {
        bl_sb sb = {0};
        bl_sb_addf(&sb, "%llu of its %llu bytes could not be read from the image and read as zeros (",
                   (unsigned long long)bad.total, (unsigned long long)size);
        for (uint32_t i = 0; i < bad.n; i++)
            bl_sb_addf(&sb, "%s0x%llx-0x%llx", i ? ", " : "", (unsigned long long)bad.start[i],
                       (unsigned long long)bad.end[i]);
        if (bad.more)
            bl_sb_addf(&sb, " and %u more ranges", bad.more);
        bl_sb_add(&sb, ")");
        *unreadable = bl_sb_detach(&sb);
    }
    return 0;
}

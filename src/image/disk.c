/* disk.c — a disk image, whatever its container, as one read function:
 * raw and split raw through pread, EWF in ewf.c, VHD/VHDX through
 * libvhdi (differencing images get their parent from beside them), VMDK
 * through libvmdk, QCOW2 through libqcow.  Every file is opened read-only;
 * nothing is written or cached on disk.  The container is told by its
 * signature, never by the file name (except for split raw, whose segments
 * only their names tie together). */
#include "internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libqcow.h>
#include <libvhdi.h>
#include <libvmdk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A differencing VHD(X) chain deeper than this is refused (a parent that
 * names itself, or a crafted chain). */
#define MAX_PARENT_DEPTH 16
/* Largest single read handed to a library (callers read clusters). */
#define MAX_READ ((size_t)64 << 20)

static void disk_add_file(bl_disk *d, const char *path)
{
    if (d->nfiles >= BL_IMAGE_MAX_FILES)
        return;
    d->files = bl_xrealloc(d->files, (d->nfiles + 1) * sizeof *d->files);
    d->files[d->nfiles++] = bl_xstrdup(path);
}

static bl_disk *disk_new(const char *format)
{
    bl_disk *d = bl_xcalloc(1, sizeof *d);
    d->format = format;
    d->sector_size = 512;
    return d;
}

void bl_disk_close(bl_disk *d)
{
    if (!d)
        return;
    if (d->close)
        d->close(d);
    for (uint32_t i = 0; i < d->nfiles; i++)
        free(d->files[i]);
    free(d->files);
    free(d);
}

int bl_disk_read(bl_disk *d, uint64_t off, void *buf, size_t n, char *why, size_t whysz)
{
    if (off > d->size || n > d->size - off) {
        snprintf(why, whysz, "bytes %llu..%llu lie beyond the end of the %llu-byte disk",
                 (unsigned long long)off, (unsigned long long)(off + n), (unsigned long long)d->size);
        return -1;
    }
    if (n == 0)
        return 0;
    if (n > MAX_READ) {
        snprintf(why, whysz, "read of %zu bytes is over the %zu-byte bound", n, MAX_READ);
        return -1;
    }
    return d->read(d, off, buf, n, why, whysz);
}

/* The innermost line of a libyal error backtrace (every library of the
 * family prints the same shape: they share libcerror). */
void bl_yal_last_line(char *tmp, char *buf, size_t size)
{
    char *last = tmp, *save = NULL;
    for (char *line = strtok_r(tmp, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (*line)
            last = line;
    size_t n = strlen(last) < size ? strlen(last) : size - 1;
    memcpy(buf, last, n);
    buf[n] = '\0';
}

#define YAL_TEXT(lib, e, buf, size)                                                                  \
    do {                                                                                             \
        char yal_tmp_[2048];                                                                         \
        (buf)[0] = '\0';                                                                             \
        if ((e) && lib##_error_backtrace_sprint((e), yal_tmp_, sizeof yal_tmp_) > 0)                 \
            bl_yal_last_line(yal_tmp_, (buf), (size));                                           \
    } while (0)

/* ---- raw and split raw: the files themselves ---- */

typedef struct raw_seg {
    int fd;
    uint64_t start, size;
} raw_seg;

typedef struct raw_impl {
    raw_seg *segs;
    uint32_t n;
    const uint8_t *mem; /* bl_disk_memory */
} raw_impl;

static int raw_read(bl_disk *d, uint64_t off, void *buf, size_t n, char *why, size_t whysz)
{
    raw_impl *r = d->impl;
    if (r->mem) {
        memcpy(buf, r->mem + off, n);
        return 0;
    }
    uint8_t *p = buf;
    /* Segments are few (at most BL_IMAGE_MAX_FILES): a linear search. */
    for (uint32_t i = 0; i < r->n && n; i++) {
        raw_seg *s = &r->segs[i];
        if (off >= s->start + s->size)
            continue;
        uint64_t in = off - s->start;
        size_t take = (size_t)(s->size - in < n ? s->size - in : n);
        size_t got = 0;
        while (got < take) {
            ssize_t k = pread(s->fd, p + got, take - got, (off_t)(in + got));
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                snprintf(why, whysz, "%s", k < 0 ? strerror(errno) : "the file is shorter than it was");
                return -1;
            }
            got += (size_t)k;
        }
        p += take;
        off += take;
        n -= take;
    }
    return n ? -1 : 0;
}

static void raw_close(bl_disk *d)
{
    raw_impl *r = d->impl;
    if (!r)
        return;
    for (uint32_t i = 0; i < r->n; i++)
        close(r->segs[i].fd);
    free(r->segs);
    free(r);
}

/* Opened as every input is (util/files.c): never blocking on a FIFO or a
 * device, regular files only. */
static int open_regular(const char *path, uint64_t *size, bl_error *err)
{
    struct stat st;
    int fd = bl_open_input(path, &st, err);
    if (fd >= 0)
        *size = (uint64_t)st.st_size;
    return fd;
}

/* "x.001" → the number's position, or NULL. */
static const char *split_number(const char *path)
{
    size_t n = strlen(path);
    if (n < 4 || path[n - 4] != '.')
        return NULL;
    for (size_t i = n - 3; i < n; i++)
        if (path[i] < '0' || path[i] > '9')
            return NULL;
    return path + n - 3;
}

static int raw_open(const char *path, bl_disk **out, bl_error *err)
{
    const char *num = split_number(path);
    bool split = num && strcmp(num, "001") == 0;
    bl_disk *d = disk_new(split ? "split raw" : "raw");
    raw_impl *r = bl_xcalloc(1, sizeof *r);
    d->impl = r;
    d->read = raw_read;
    d->close = raw_close;
    char *name = bl_xstrdup(path);
    for (uint32_t i = 0; i < BL_IMAGE_MAX_FILES; i++) {
        if (i > 0) {
            if (!split || i >= 999)
                break;
            snprintf(name + (num - path), 4, "%03u", i + 1);
            if (access(name, F_OK) != 0)
                break;
        }
        uint64_t size;
        int fd = open_regular(name, &size, err);
        if (fd < 0) {
            free(name);
            bl_disk_close(d);
            return -1;
        }
        r->segs = bl_xrealloc(r->segs, (r->n + 1) * sizeof *r->segs);
        r->segs[r->n++] = (raw_seg){fd, d->size, size};
        d->size += size;
        disk_add_file(d, name);
    }
    free(name);
    if (split)
        snprintf(d->detail, sizeof d->detail, "%u segment%s", r->n, r->n == 1 ? "" : "s");
    *out = d;
    return 0;
}

bl_disk *bl_disk_memory(const uint8_t *data, size_t size)
{
    bl_disk *d = disk_new("raw");
    raw_impl *r = bl_xcalloc(1, sizeof *r);
    r->mem = data;
    d->impl = r;
    d->size = size;
    d->read = raw_read;
    d->close = raw_close;
    return d;
}

/* ---- VHD and VHDX ---- */

typedef struct vhdi_impl {
    libvhdi_file_t *files[MAX_PARENT_DEPTH + 1]; /* [0] the image, then its parents */
    uint32_t n;
} vhdi_impl;

static void vhdi_text(libvhdi_error_t *e, char *buf, size_t size)
{
    YAL_TEXT(libvhdi, e, buf, size);
}

static int vhdi_read(bl_disk *d, uint64_t off, void *buf, size_t n, char *why, size_t whysz)
{
    vhdi_impl *v = d->impl;
    libvhdi_error_t *e = NULL;
    ssize_t k = libvhdi_file_read_buffer_at_offset(v->files[0], buf, n, (off64_t)off, &e);
    if (k == (ssize_t)n)
        return 0;
    vhdi_text(e, why, whysz);
    libvhdi_error_free(&e);
    if (!why[0])
        snprintf(why, whysz, "short read from the virtual disk");
    return -1;
}

static void vhdi_close(bl_disk *d)
{
    vhdi_impl *v = d->impl;
    if (!v)
        return;
    for (uint32_t i = 0; i < v->n; i++) {
        libvhdi_error_t *e = NULL;
        libvhdi_file_close(v->files[i], &e);
        libvhdi_error_free(&e);
        libvhdi_file_free(&v->files[i], &e);
        libvhdi_error_free(&e);
    }
    free(v);
}

/* The file a differencing image names as its parent, looked for beside it
 * (the name it records may be a Windows path: only its last part counts). */
static char *parent_beside(const char *child, const char *recorded)
{
    const char *base = recorded;
    for (const char *p = recorded; *p; p++)
        if (*p == '\\' || *p == '/')
            base = p + 1;
    const char *slash = strrchr(child, '/');
    bl_sb sb = {0};
    if (slash)
        bl_sb_addn(&sb, child, (size_t)(slash - child + 1));
    bl_sb_add(&sb, base);
    return bl_sb_detach(&sb);
}

static int vhdi_open(const char *path, bl_disk **out, bl_error *err)
{
    bl_disk *d = disk_new("VHD");
    vhdi_impl *v = bl_xcalloc(1, sizeof *v);
    d->impl = v;
    d->read = vhdi_read;
    d->close = vhdi_close;
    char why[512];
    char *cur = bl_xstrdup(path);
    int rc = 0;
    for (uint32_t depth = 0; rc == 0; depth++) {
        libvhdi_error_t *e = NULL;
        libvhdi_file_t *f = NULL;
        if (libvhdi_file_initialize(&f, &e) != 1 || libvhdi_file_open(f, cur, LIBVHDI_OPEN_READ, &e) != 1) {
            vhdi_text(e, why, sizeof why);
            if (depth == 0)
                bl_error_set(err, "%s: not a readable VHD/VHDX image (%s)", path, why);
            else
                bl_error_set(err, "%s: its parent %s is not a readable VHD/VHDX image (%s)", path, cur, why);
            libvhdi_error_free(&e);
            libvhdi_file_free(&f, NULL);
            rc = -1;
            break;
        }
        v->files[v->n++] = f;
        disk_add_file(d, cur);
        int type = 0;
        uint32_t disk_type = 0;
        libvhdi_file_get_file_type(f, &type, NULL);
        libvhdi_file_get_disk_type(f, &disk_type, NULL);
        if (depth == 0) {
            d->format = type == LIBVHDI_FILE_TYPE_VHDX ? "VHDX" : "VHD";
            snprintf(d->detail, sizeof d->detail, "%s",
                     disk_type == LIBVHDI_DISK_TYPE_FIXED     ? "fixed"
                     : disk_type == LIBVHDI_DISK_TYPE_DYNAMIC ? "dynamic"
                     : disk_type == LIBVHDI_DISK_TYPE_DIFFERENTIAL ? "differencing"
                                                                   : "");
            size64_t size = 0;
            uint32_t bps = 0;
            libvhdi_file_get_media_size(f, &size, NULL);
            if (libvhdi_file_get_bytes_per_sector(f, &bps, NULL) == 1 && (bps == 512 || bps == 4096))
                d->sector_size = bps;
            d->size = size;
        }
        if (disk_type != LIBVHDI_DISK_TYPE_DIFFERENTIAL)
            break;
        /* A differencing image reads through its parent, which must be the
         * one it was made from (same identifier). */
        uint8_t name[1024];
        if (libvhdi_file_get_utf8_parent_filename(f, name, sizeof name, NULL) != 1) {
            bl_error_set(err, "%s: differencing image without a parent file name", path);
            rc = -1;
            break;
        }
        name[sizeof name - 1] = 0;
        if (depth + 1 >= BL_ARRAY_LEN(v->files)) {
            bl_error_set(err, "%s: chain of differencing parents deeper than %u", path, MAX_PARENT_DEPTH);
            rc = -1;
            break;
        }
        char *parent = parent_beside(cur, (const char *)name);
        struct stat st;
        if (stat(parent, &st) != 0) {
            bl_error_set(err, "%s: differencing image whose parent %s is missing (looked for %s)", path,
                         (const char *)name, parent);
            free(parent);
            rc = -1;
            break;
        }
        free(cur);
        cur = parent;
    }
    free(cur);
    /* Link each image to its parent, outermost parent first. */
    for (uint32_t i = v->n; rc == 0 && i-- > 1;) {
        libvhdi_error_t *e = NULL;
        uint8_t want[16], have[16];
        if (libvhdi_file_get_parent_identifier(v->files[i - 1], want, 16, NULL) == 1 &&
            libvhdi_file_get_identifier(v->files[i], have, 16, NULL) == 1 && memcmp(want, have, 16) != 0) {
            bl_error_set(err, "%s: parent %s is not the image it was made from (identifiers differ)", path,
                         d->files[i]);
            rc = -1;
            break;
        }
        if (libvhdi_file_set_parent_file(v->files[i - 1], v->files[i], &e) != 1) {
            vhdi_text(e, why, sizeof why);
            libvhdi_error_free(&e);
            bl_error_set(err, "%s: cannot attach parent %s (%s)", path, d->files[i], why);
            rc = -1;
        }
    }
    if (rc != 0) {
        bl_disk_close(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* ---- VMDK ---- */

static void vmdk_text(libvmdk_error_t *e, char *buf, size_t size)
{
    YAL_TEXT(libvmdk, e, buf, size);
}

static int vmdk_read(bl_disk *d, uint64_t off, void *buf, size_t n, char *why, size_t whysz)
{
    libvmdk_error_t *e = NULL;
    ssize_t k = libvmdk_handle_read_buffer_at_offset(d->impl, buf, n, (off64_t)off, &e);
    if (k == (ssize_t)n)
        return 0;
    vmdk_text(e, why, whysz);
    libvmdk_error_free(&e);
    if (!why[0])
        snprintf(why, whysz, "short read from the VMDK image");
    return -1;
}

static void vmdk_close(bl_disk *d)
{
    libvmdk_handle_t *h = d->impl;
    if (!h)
        return;
    libvmdk_error_t *e = NULL;
    libvmdk_handle_close(h, &e);
    libvmdk_error_free(&e);
    libvmdk_handle_free(&h, &e);
    libvmdk_error_free(&e);
}

static int vmdk_open(const char *path, bl_disk **out, bl_error *err)
{
    bl_disk *d = disk_new("VMDK");
    d->read = vmdk_read;
    d->close = vmdk_close;
    libvmdk_handle_t *h = NULL;
    libvmdk_error_t *e = NULL;
    char why[512];
    if (libvmdk_handle_initialize(&h, &e) != 1 || libvmdk_handle_open(h, path, LIBVMDK_OPEN_READ, &e) != 1) {
        vmdk_text(e, why, sizeof why);
        bl_error_set(err, "%s: not a readable VMDK image (%s)", path, why);
        libvmdk_error_free(&e);
        libvmdk_handle_free(&h, NULL);
        bl_disk_close(d);
        return -1;
    }
    d->impl = h;
    disk_add_file(d, path);
    /* Extent files live beside the descriptor. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? bl_xstrndup(path, (size_t)(slash - path) + 1) : bl_xstrdup("./");
    int n = 0;
    if (libvmdk_handle_set_extent_data_files_path(h, dir, strlen(dir), &e) != 1 ||
        libvmdk_handle_open_extent_data_files(h, &e) != 1) {
        vmdk_text(e, why, sizeof why);
        bl_error_set(err, "%s: cannot open the VMDK's extent files (%s)", path, why);
        libvmdk_error_free(&e);
        free(dir);
        bl_disk_close(d);
        return -1;
    }
    if (libvmdk_handle_get_number_of_extents(h, &n, NULL) == 1) {
        for (int i = 0; i < n; i++) {
            libvmdk_extent_descriptor_t *x = NULL;
            uint8_t name[1024];
            if (libvmdk_handle_get_extent_descriptor(h, i, &x, NULL) != 1)
                continue;
            if (libvmdk_extent_descriptor_get_utf8_filename(x, name, sizeof name, NULL) == 1) {
                name[sizeof name - 1] = 0;
                char *full = parent_beside(path, (const char *)name);
                /* A monolithic sparse file is its own extent. */
                if (strcmp(full, path) != 0)
                    disk_add_file(d, full);
                free(full);
            }
            libvmdk_extent_descriptor_free(&x, NULL);
        }
        snprintf(d->detail, sizeof d->detail, "%d extent%s", n, n == 1 ? "" : "s");
    }
    free(dir);
    size64_t size = 0;
    libvmdk_handle_get_media_size(h, &size, NULL);
    d->size = size;
    *out = d;
    return 0;
}

/* ---- QCOW2 ---- */

static void qcow_text(libqcow_error_t *e, char *buf, size_t size)
{
    YAL_TEXT(libqcow, e, buf, size);
}

static int qcow_read(bl_disk *d, uint64_t off, void *buf, size_t n, char *why, size_t whysz)
{
    libqcow_error_t *e = NULL;
    ssize_t k = libqcow_file_read_buffer_at_offset(d->impl, buf, n, (off64_t)off, &e);
    if (k == (ssize_t)n)
        return 0;
    qcow_text(e, why, whysz);
    libqcow_error_free(&e);
    if (!why[0])
        snprintf(why, whysz, "short read from the QCOW image");
    return -1;
}

static void qcow_close(bl_disk *d)
{
    libqcow_file_t *f = d->impl;
    if (!f)
        return;
    libqcow_error_t *e = NULL;
    libqcow_file_close(f, &e);
    libqcow_error_free(&e);
    libqcow_file_free(&f, &e);
    libqcow_error_free(&e);
}

static int qcow_open(const char *path, bl_disk **out, bl_error *err)
{
    bl_disk *d = disk_new("QCOW2");
    d->read = qcow_read;
    d->close = qcow_close;
    libqcow_file_t *f = NULL;
    libqcow_error_t *e = NULL;
    char why[512];
    if (libqcow_file_initialize(&f, &e) != 1 || libqcow_file_open(f, path, LIBQCOW_OPEN_READ, &e) != 1) {
        qcow_text(e, why, sizeof why);
        bl_error_set(err, "%s: not a readable QCOW image (%s)", path, why);
        libqcow_error_free(&e);
        libqcow_file_free(&f, NULL);
        bl_disk_close(d);
        return -1;
    }
    d->impl = f;
    disk_add_file(d, path);
    uint32_t version = 0, enc = 0;
    libqcow_file_get_format_version(f, &version, NULL);
    if (version != 2 && version != 3)
        d->format = "QCOW";
    if (libqcow_file_get_encryption_method(f, &enc, NULL) == 1 && enc != 0) {
        bl_error_set(err, "%s: encrypted QCOW image: decrypt it first (qemu-img convert)", path);
        bl_disk_close(d);
        return -1;
    }
    size_t bsize = 0;
    if (libqcow_file_get_utf8_backing_filename_size(f, &bsize, NULL) == 1 && bsize > 1) {
        bl_error_set(err, "%s: QCOW image with a backing file: flatten it first (qemu-img convert)", path);
        bl_disk_close(d);
        return -1;
    }
    size64_t size = 0;
    libqcow_file_get_media_size(f, &size, NULL);
    d->size = size;
    *out = d;
    return 0;
}

/* ---- detection ---- */

typedef enum kind { K_NONE, K_RAW, K_EWF, K_VHDI, K_VMDK, K_QCOW } kind;

/* The container a file's first bytes (and, for VHD, its last 512) name. */
static kind sniff(const char *path, const uint8_t *h, size_t n, int fd)
{
    if (n >= 8 && (memcmp(h, "EVF\x09\x0d\x0a\xff\x00", 8) == 0 || memcmp(h, "EVF2\x0d\x0a\x81\x00", 8) == 0))
        return K_EWF;
    if (n >= 8 && memcmp(h, "vhdxfile", 8) == 0)
        return K_VHDI;
    if (n >= 8 && memcmp(h, "conectix", 8) == 0)
        return K_VHDI;
    if (n >= 4 && (memcmp(h, "KDMV", 4) == 0 || memcmp(h, "COWD", 4) == 0))
        return K_VMDK;
    if (n >= 21 && memcmp(h, "# Disk DescriptorFile", 21) == 0)
        return K_VMDK;
    if (n >= 4 && memcmp(h, "QFI\xfb", 4) == 0)
        return K_QCOW;
    if (n >= 4 && memcmp(h, "regf", 4) == 0)
        return K_NONE;
    /* A fixed VHD is raw data with a footer at the end. */
    if (fd >= 0) {
        struct stat st;
        uint8_t foot[8];
        if (fstat(fd, &st) == 0 && st.st_size >= 1024 &&
            pread(fd, foot, 8, st.st_size - 512) == 8 && memcmp(foot, "conectix", 8) == 0)
            return K_VHDI;
    }
    const char *num = split_number(path);
    if (num && strcmp(num, "001") == 0)
        return K_RAW;
    /* Raw: a partition table or a volume boot sector. */
    if (n >= 512 && h[510] == 0x55 && h[511] == 0xAA)
        return K_RAW;
    if (n >= 11 && (memcmp(h + 3, "NTFS    ", 8) == 0 || memcmp(h + 3, "-FVE-FS-", 8) == 0))
        return K_RAW;
    if (n >= 520 && memcmp(h + 512, "EFI PART", 8) == 0)
        return K_RAW;
    return K_NONE;
}

bool bl_disk_looks_like_image(const char *path, const uint8_t *head, size_t n)
{
    return sniff(path, head, n, -1) != K_NONE;
}

static kind sniff_file(const char *path, bl_error *err)
{
    uint64_t size;
    int fd = open_regular(path, &size, err);
    if (fd < 0)
        return (kind)-1;
    uint8_t head[1024];
    ssize_t n = pread(fd, head, sizeof head, 0);
    kind k = sniff(path, head, n > 0 ? (size_t)n : 0, fd);
    close(fd);
    return k;
}

/* Whether path starts with "regf": a hive (SYSTEM.001 is no raw segment). */
static bool is_regf(const char *path)
{
    char sig[4];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return false;
    bool yes = read(fd, sig, 4) == 4 && memcmp(sig, "regf", 4) == 0;
    close(fd);
    return yes;
}

/* Whether the would-be first file (st: its stat) is a disk image by its
 * signature, remembering the last answer (a case folder asks about the
 * same first file once per segment).  Not thread-safe: the callers list
 * directories on the main thread. */
static bool first_is_image(const char *first, const struct stat *st)
{
    static dev_t dev;
    static ino_t ino;
    static struct timespec mtime;
    static bool known, answer;
    if (known && st->st_dev == dev && st->st_ino == ino && st->st_mtim.tv_sec == mtime.tv_sec &&
        st->st_mtim.tv_nsec == mtime.tv_nsec)
        return answer;
    bl_error err;
    kind k = sniff_file(first, &err);
    answer = (int)k > 0 && k != K_NONE;
    dev = st->st_dev, ino = st->st_ino, mtime = st->st_mtim, known = true;
    return answer;
}

/* "02"…"99" or "AA"…"ZZ" (either case): an EWF segment after the first. */
static bool ewf_later_segment(const char *x)
{
    if (isdigit((unsigned char)x[0]) && isdigit((unsigned char)x[1]))
        return !(x[0] == '0' && x[1] <= '1');
    return isalpha((unsigned char)x[0]) && isalpha((unsigned char)x[1]);
}

/* A later file of a split image: NAME.E02…EZZ beside NAME.E01, NAME.002…
 * beside NAME.001, or a VMDK extent NAME-s001.vmdk, NAME-f001.vmdk,
 * NAME-flat.vmdk beside its descriptor NAME.vmdk.  By name only: the image
 * opens by its first file and finds the others itself. */
bool bl_image_part_of(const char *path, bl_sb *first)
{
    size_t n = strlen(path);
    char *f = bl_xstrdup(path);
    bool part = false;
    const char *num = split_number(path);
    if (num && strcmp(num, "001") != 0 && strcmp(num, "000") != 0) {
        memcpy(f + (num - path), "001", 3);
        part = true;
    } else if (n >= 4 && path[n - 4] == '.' && (path[n - 3] | 0x20) == 'e' &&
               ewf_later_segment(path + n - 2)) {
        f[n - 2] = '0';
        f[n - 1] = '1';
        part = true;
    } else if (n > 5 && bl_fold_eq(path + n - 5, ".vmdk")) {
        size_t stem = n - 5, cut = 0;
        if (stem > 5 && strncasecmp(path + stem - 5, "-flat", 5) == 0)
            cut = 5;
        else if (stem > 5 && path[stem - 5] == '-' &&
                 ((path[stem - 4] | 0x20) == 's' || (path[stem - 4] | 0x20) == 'f') &&
                 isdigit((unsigned char)path[stem - 3]) && isdigit((unsigned char)path[stem - 2]) &&
                 isdigit((unsigned char)path[stem - 1]))
            cut = 5;
        if (cut) {
            memmove(f + stem - cut, path + stem, 6);
            part = true;
        }
    }
    struct stat st;
    part = part && strcmp(f, path) != 0 && stat(f, &st) == 0 && S_ISREG(st.st_mode) && !is_regf(path) &&
           first_is_image(f, &st);
    if (part && first)
        bl_sb_addf(first, "%s", f);
    free(f);
    return part;
}

/* The later files of the split images of one directory, sorted by the
 * identity of their first file: listed once per directory, so that a case
 * folder of many images is not read again for each of them. */
typedef struct part_entry {
    dev_t dev;
    ino_t ino;
    char *path;
} part_entry;

static int part_cmp(const void *a, const void *b)
{
    const part_entry *x = a, *y = b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static struct {
    char *dir;
    part_entry *v;
    uint32_t n, cap;
} parts_cache;

static void parts_cache_fill(const char *dir, bool bare)
{
    for (uint32_t i = 0; i < parts_cache.n; i++)
        free(parts_cache.v[i].path);
    parts_cache.n = 0;
    free(parts_cache.dir);
    parts_cache.dir = bl_xstrdup(dir);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        bl_sb p = {0}, f = {0};
        bl_sb_addf(&p, "%s%s", bare ? "" : dir, e->d_name);
        struct stat st;
        if (e->d_name[0] != '.' && bl_image_part_of(bl_sb_str(&p), &f) && stat(bl_sb_str(&f), &st) == 0) {
            bl_grow((void **)&parts_cache.v, sizeof *parts_cache.v, &parts_cache.cap, parts_cache.n + 1);
            parts_cache.v[parts_cache.n++] = (part_entry){st.st_dev, st.st_ino, bl_sb_detach(&p)};
        }
        bl_sb_free(&p);
        bl_sb_free(&f);
    }
    if (d)
        closedir(d);
    if (parts_cache.n)
        qsort(parts_cache.v, parts_cache.n, sizeof *parts_cache.v, part_cmp);
}

size_t bl_image_parts(const char *first, char ***out)
{
    *out = NULL;
    size_t n = strlen(first), count = 0;
    bool e01 = bl_ewf_first_name(first);
    bool raw = n >= 4 && strcmp(first + n - 4, ".001") == 0;
    bool vmdk = n > 5 && bl_fold_eq(first + n - 5, ".vmdk");
    struct stat fst;
    if (!(e01 || raw || vmdk) || stat(first, &fst) != 0)
        return 0;
    const char *slash = strrchr(first, '/');
    char *dir = slash ? bl_xstrndup(first, (size_t)(slash - first) + 1) : bl_xstrdup("./");
    /* A first file named without a directory gets its parts named so
     * ("segs.E02", not "./segs.E02"): the cache key tells the two apart. */
    bl_sb k = {0};
    bl_sb_addf(&k, "%s%s", slash ? "" : "\x01", dir);
    if (!parts_cache.dir || strcmp(parts_cache.dir, bl_sb_str(&k)) != 0) {
        parts_cache_fill(dir, !slash);
        free(parts_cache.dir);
        parts_cache.dir = bl_sb_detach(&k);
    }
    bl_sb_free(&k);
    free(dir);
    part_entry want = {fst.st_dev, fst.st_ino, NULL};
    part_entry *hit =
        parts_cache.n ? bsearch(&want, parts_cache.v, parts_cache.n, sizeof *parts_cache.v, part_cmp) : NULL;
    if (!hit)
        return 0;
    while (hit > parts_cache.v && part_cmp(hit - 1, &want) == 0)
        hit--;
    uint32_t cap = 0;
    for (; hit < parts_cache.v + parts_cache.n && part_cmp(hit, &want) == 0; hit++) {
        bl_grow((void **)out, sizeof **out, &cap, (uint32_t)count + 1);
        (*out)[count++] = bl_xstrdup(hit->path);
    }
    return count;
}

int bl_image_probe(const char *path, bl_error *err)
{
    int k = (int)sniff_file(path, err);
    return k < 0 ? -1 : k != K_NONE;
}

int bl_disk_open(const char *path, bl_disk **out, bl_error *err)
{
    switch ((int)sniff_file(path, err)) {
    case -1: return -1;
    case K_EWF: return bl_ewf_open(path, out, err);
    case K_VHDI: return vhdi_open(path, out, err);
    case K_VMDK: return vmdk_open(path, out, err);
    case K_QCOW: return qcow_open(path, out, err);
    default: return raw_open(path, out, err);
    }
}

/* image.c — the image/ module's public face (include/bootlens/image.h):
 * open the container, read the volume system, recognize each volume's file
 * system, find the Windows installations, read a file, hash the evidence.
 * Everything is read-only; the only writes are to memory. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libfsntfs.h>
#include <libqcow.h>
#include <libvhdi.h>
#include <libvmdk.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

#define MAX_NOTES 16
#define HASH_BLOCK ((size_t)1 << 20)

struct bl_image {
    char *path;
    bl_disk *disk;
    bl_vol_list vols;
    bl_ntfs **fs; /* per volume, NULL unless NTFS opened */
    bl_image_installation inst[BL_IMAGE_MAX_INSTALLATIONS];
    uint32_t ninst;
    bl_image_file *files;
    char *notes[MAX_NOTES];
    uint32_t nnotes;
    bl_image_info info;
    pthread_t hasher;
    bool hashing, joined;
};

static void image_note(bl_image *img, const char *fmt, ...) BL_PRINTF(2, 3);
static void image_note(bl_image *img, const char *fmt, ...)
{
    if (img->nnotes >= MAX_NOTES)
        return;
    bl_sb sb = {0};
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    img->notes[img->nnotes++] = bl_sb_detach(&sb);
}

static const char *fs_display(const char *fs)
{
    return strcmp(fs, "fat") == 0     ? "FAT"
           : strcmp(fs, "exfat") == 0 ? "exFAT"
           : strcmp(fs, "refs") == 0  ? "ReFS"
           : strcmp(fs, "ext") == 0   ? "ext2/3/4"
                                      : fs;
}

/* Recognizes and, for NTFS, opens volume i. */
static void open_volume(bl_image *img, uint32_t i)
{
    bl_image_volume *v = &img->vols.v[i];
    if (v->problem)
        return;
    uint8_t head[4096];
    char why[256];
    size_t n = v->size < sizeof head ? (size_t)v->size : sizeof head;
    if (v->offset + n > img->disk->size)
        n = img->disk->size > v->offset ? (size_t)(img->disk->size - v->offset) : 0;
    if (n < 512 || bl_disk_read(img->disk, v->offset, head, n, why, sizeof why) != 0) {
        bl_volume_problem(v, "its first sector cannot be read");
        return;
    }
    v->fs = bl_fs_sniff(head, n);
    if (strcmp(v->fs, "ntfs") == 0) {
        bl_error err = {{0}};
        if (bl_ntfs_open(img->disk, v->offset, v->size, &img->fs[i], &err) != 0)
            bl_volume_problem(v, "%s", err.msg);
        else
            v->label = bl_ntfs_label(img->fs[i]);
        /* The boot sector knows how large the volume is (sectors, less the
         * backup boot sector); an image cut short holds less. */
        uint64_t bps = (uint64_t)(head[11] | head[12] << 8);
        uint64_t sectors = (uint64_t)head[40] | (uint64_t)head[41] << 8 | (uint64_t)head[42] << 16 |
                           (uint64_t)head[43] << 24 | (uint64_t)head[44] << 32 | (uint64_t)head[45] << 40;
        uint64_t claimed = bps && sectors < UINT64_MAX / bps ? sectors * bps : 0;
        uint64_t held = img->disk->size > v->offset ? img->disk->size - v->offset : 0;
        if (v->size < held)
            held = v->size;
        if (claimed > held)
            image_note(img, "%s%sNTFS volume is %llu bytes but the image holds only %llu of them (truncated "
                            "image?): what lies past the end cannot be read",
                       v->name, v->name[0] ? ": " : "the ", (unsigned long long)claimed,
                       (unsigned long long)held);
    } else if (strcmp(v->fs, "bitlocker") == 0) {
        bl_volume_problem(v, "BitLocker-encrypted volume (signature -FVE-FS-): decrypt it first (e.g. bdemount "
                       "from libbde-utils, with the recovery key) and give bootlens the decrypted volume");
    } else if (strcmp(v->fs, "empty") == 0) {
        bl_volume_problem(v, "no file system (its first sector is zeros)");
    } else if (strcmp(v->fs, "unknown") == 0) {
        bl_volume_problem(v, "no file system bootlens recognizes");
    } else {
        bl_volume_problem(v, "unsupported file system (%s): bootlens reads Windows installations on NTFS",
                    fs_display(v->fs));
    }
}

static void fill_hive_file(bl_ntfs *fs, const char *path, bl_image_hive_file *out)
{
    bl_error err;
    uint64_t size = 0;
    char *spelled = NULL;
    if (bl_ntfs_stat(fs, path, false, &size, &spelled, &err) == 1) {
        out->path = spelled;
        out->size = size;
    }
}

static void add_installation(bl_image *img, uint32_t vi, const char *windir)
{
    bl_ntfs *fs = img->fs[vi];
    bl_sb p = {0};
    bl_sb_addf(&p, "%s/System32/config", windir);
    uint64_t size;
    char *spelled = NULL;
    bl_error err;
    if (bl_ntfs_stat(fs, bl_sb_str(&p), true, &size, &spelled, &err) != 1) {
        bl_sb_free(&p);
        return;
    }
    if (img->ninst >= BL_IMAGE_MAX_INSTALLATIONS) {
        image_note(img, "more than %u Windows installations: the rest were not listed",
                   BL_IMAGE_MAX_INSTALLATIONS);
        free(spelled);
        bl_sb_free(&p);
        return;
    }
    bl_image_installation *in = &img->inst[img->ninst++];
    memset(in, 0, sizeof *in);
    in->volume = vi;
    /* The Windows directory as spelled: the config path minus its tail. */
    in->windir = bl_xstrndup(spelled, strlen(spelled) - strlen("/System32/config"));
    static const char *const logs[BL_IMAGE_LOG_NAMES] = {".LOG", ".LOG1", ".LOG2"};
    bl_sb f = {0};
    bl_sb_addf(&f, "%s/SYSTEM", spelled);
    fill_hive_file(fs, bl_sb_str(&f), &in->system);
    for (int i = 0; i < BL_IMAGE_LOG_NAMES; i++) {
        bl_sb_reset(&f);
        bl_sb_addf(&f, "%s/SYSTEM%s", spelled, logs[i]);
        fill_hive_file(fs, bl_sb_str(&f), &in->logs[i]);
    }
    bl_sb_reset(&f);
    bl_sb_addf(&f, "%s/RegBack/SYSTEM", spelled);
    fill_hive_file(fs, bl_sb_str(&f), &in->regback);
    bl_sb_free(&f);
    free(spelled);
    bl_sb_free(&p);
}

/* Every directory at the root with System32\config below it is a Windows
 * installation (Windows, WINNT, WINDOWS on XP…), and so is the Windows
 * directory a previous version left in Windows.old. */
static void find_installations(bl_image *img, uint32_t vi)
{
    char *names[256];
    uint32_t n = bl_ntfs_root_dirs(img->fs[vi], names, BL_ARRAY_LEN(names));
    for (uint32_t i = 0; i < n; i++) {
        bl_sb d = {0};
        bl_sb_addf(&d, "/%s", names[i]);
        add_installation(img, vi, bl_sb_str(&d));
        if (bl_fold_has_prefix(names[i], "Windows.old")) {
            bl_sb_add(&d, "/Windows");
            add_installation(img, vi, bl_sb_str(&d));
        }
        bl_sb_free(&d);
        free(names[i]);
    }
}

static int image_setup(bl_image *img, bl_error *err)
{
    (void)err;
    bl_volumes_read(img->disk, &img->vols);
    if (img->vols.notes.len)
        image_note(img, "%s", bl_sb_str(&img->vols.notes));
    img->fs = bl_xcalloc(img->vols.n + 1, sizeof *img->fs);
    for (uint32_t i = 0; i < img->vols.n; i++) {
        open_volume(img, i);
        if (img->fs[i])
            find_installations(img, i);
    }
    bl_image_info *in = &img->info;
    in->path = img->path;
    in->format = img->disk->format;
    in->detail = img->disk->detail;
    in->media_size = img->disk->size;
    in->sector_size = img->disk->sector_size;
    img->files = bl_xcalloc(img->disk->nfiles + 1, sizeof *img->files);
    for (uint32_t i = 0; i < img->disk->nfiles; i++) {
        struct stat st;
        img->files[i].path = bl_xstrdup(img->disk->files[i]);
        if (stat(img->files[i].path, &st) == 0)
            img->files[i].size = (uint64_t)st.st_size;
    }
    in->files = img->files;
    in->nfiles = img->disk->nfiles;
    in->volumes = img->vols.v;
    in->nvolumes = img->vols.n;
    in->installations = img->inst;
    in->ninstallations = img->ninst;
    in->notes = (const char *const *)img->notes;
    in->nnotes = img->nnotes;
    return 0;
}

int bl_image_open(const char *path, bl_image **out, bl_error *err)
{
    bl_image *img = bl_xcalloc(1, sizeof *img);
    img->path = bl_xstrdup(path);
    if (bl_disk_open(path, &img->disk, err) != 0 || image_setup(img, err) != 0) {
        bl_image_close(img);
        return -1;
    }
    *out = img;
    return 0;
}

int bl_image_open_memory(const uint8_t *data, size_t size, const char *label, bl_image **out, bl_error *err)
{
    bl_image *img = bl_xcalloc(1, sizeof *img);
    img->path = bl_xstrdup(label);
    img->disk = bl_disk_memory(data, size);
    if (image_setup(img, err) != 0) {
        bl_image_close(img);
        return -1;
    }
    *out = img;
    return 0;
}

void bl_image_close(bl_image *img)
{
    if (!img)
        return;
    bl_image_hash_wait(img);
    for (uint32_t i = 0; img->fs && i < img->vols.n; i++)
        bl_ntfs_close(img->fs[i]);
    free(img->fs);
    for (uint32_t i = 0; i < img->ninst; i++) {
        bl_image_installation *in = &img->inst[i];
        free(in->windir);
        free(in->system.path);
        for (int k = 0; k < BL_IMAGE_LOG_NAMES; k++)
            free(in->logs[k].path);
        free(in->regback.path);
    }
    for (uint32_t i = 0; img->files && i < img->disk->nfiles; i++)
        free(img->files[i].path);
    free(img->files);
    for (uint32_t i = 0; i < img->nnotes; i++)
        free(img->notes[i]);
    bl_volumes_free(&img->vols);
    bl_disk_close(img->disk);
    free(img->path);
    free(img);
}

const bl_image_info *bl_image_get_info(const bl_image *img)
{
    return &img->info;
}

/* ---- hashing the evidence ---- */

static void *hash_files(void *arg)
{
    bl_image *img = arg;
    uint8_t *buf = bl_xmalloc(HASH_BLOCK);
    for (uint32_t i = 0; i < img->info.nfiles; i++) {
        bl_image_file *f = &img->files[i];
        struct stat st;
        bl_error oe;
        int fd = bl_open_input(f->path, &st, &oe);
        if (fd < 0)
            continue;
        bl_sha256_ctx c;
        bl_sha256_init(&c);
        uint64_t total = 0;
        bool ok = true;
        for (;;) {
            ssize_t k = read(fd, buf, HASH_BLOCK);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0)
                ok = false;
            if (k <= 0)
                break;
            bl_sha256_update(&c, buf, (size_t)k);
            total += (uint64_t)k;
        }
        close(fd);
        if (ok) {
            bl_sha256_final(&c, f->sha256);
            f->size = total;
            f->hashed = true;
        }
    }
    free(buf);
    return NULL;
}

void bl_image_hash_start(bl_image *img)
{
    if (img->hashing || !img->info.nfiles)
        return;
    img->info.hashing = true;
    img->hashing = pthread_create(&img->hasher, NULL, hash_files, img) == 0;
    if (!img->hashing) {
        hash_files(img); /* no thread to be had: hash here */
        img->joined = true;
    }
}

void bl_image_hash_wait(bl_image *img)
{
    if (img->hashing && !img->joined) {
        pthread_join(img->hasher, NULL);
        img->joined = true;
        for (uint32_t i = 0; i < img->info.nfiles; i++)
            if (!img->files[i].hashed)
                image_note(img, "%s: could not be read to compute its SHA-256", img->files[i].path);
        img->info.nnotes = img->nnotes;
    }
}

/* ---- reading ---- */

int bl_image_find_volume(const bl_image *img, const char *name)
{
    if (!name || !*name)
        return img->vols.n == 1 ? 0 : -1;
    for (uint32_t i = 0; i < img->vols.n; i++)
        if (bl_fold_eq(img->vols.v[i].name, name))
            return (int)i;
    return -1;
}

void bl_image_origin(const bl_image *img, uint32_t v, const char *path, bl_sb *sb)
{
    bl_sb_addf(sb, "%s#", img->path);
    if (v < img->vols.n && img->vols.v[v].name[0])
        bl_sb_addf(sb, "%s:", img->vols.v[v].name);
    bl_sb_add(sb, path);
}

int bl_image_read_file(bl_image *img, uint32_t v, const char *path, size_t max, uint8_t **data, size_t *size,
                       char **spelled, char **unreadable, bl_error *err)
{
    *data = NULL;
    *unreadable = NULL;
    *spelled = NULL;
    bl_sb origin = {0};
    bl_image_origin(img, v, path, &origin);
    if (v >= img->vols.n || !img->fs[v]) {
        const bl_image_volume *vol = v < img->vols.n ? &img->vols.v[v] : NULL;
        bl_error_set(err, "%s: %s", bl_sb_str(&origin),
                     vol && vol->problem ? vol->problem : "no NTFS volume there");
        bl_sb_free(&origin);
        return -1;
    }
    uint64_t fsize = 0;
    bl_error e = {{0}};
    int rc = bl_ntfs_stat(img->fs[v], path, false, &fsize, spelled, &e);
    if (rc != 1) {
        if (rc < 0)
            bl_error_set(err, "%s: %s", bl_sb_str(&origin), e.msg);
        bl_sb_free(&origin);
        return rc;
    }
    bl_sb_reset(&origin);
    bl_image_origin(img, v, *spelled, &origin);
    const bl_image_volume *vol = &img->vols.v[v];
    if (fsize > vol->size) {
        bl_error_set(err, "%s: claims %llu bytes, more than its %llu-byte volume holds", bl_sb_str(&origin),
                     (unsigned long long)fsize, (unsigned long long)vol->size);
        rc = -1;
    } else if (fsize > max) {
        bl_error_set(err, "%s: %llu bytes is larger than any file bootlens reads (limit %zu)",
                     bl_sb_str(&origin), (unsigned long long)fsize, max);
        rc = -1;
    }
    if (rc == 1) {
        *data = bl_xmalloc(fsize ? (size_t)fsize : 1);
        if (bl_ntfs_read(img->fs[v], path, *data, fsize, unreadable, &e) != 0) {
            bl_error_set(err, "%s: %s", bl_sb_str(&origin), e.msg);
            free(*data);
            *data = NULL;
            rc = -1;
        } else {
            *size = (size_t)fsize;
        }
    }
    if (rc != 1) {
        free(*spelled);
        *spelled = NULL;
    }
    bl_sb_free(&origin);
    return rc;
}

void bl_image_libraries(bl_libraries *l)
{
    bl_libraries_add(l, "libvhdi", libvhdi_get_version(), LIBVHDI_VERSION_STRING);
    bl_libraries_add(l, "libvmdk", libvmdk_get_version(), LIBVMDK_VERSION_STRING);
    bl_libraries_add(l, "libqcow", libqcow_get_version(), LIBQCOW_VERSION_STRING);
    bl_libraries_add(l, "libfsntfs", libfsntfs_get_version(), LIBFSNTFS_VERSION_STRING);
    bl_libraries_add(l, "libdeflate", NULL, LIBDEFLATE_VERSION_STRING); /* no run-time version function */
}

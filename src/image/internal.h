/* internal.h — the pieces of image/ and how they meet: a disk (container
 * formats, disk.c) is read by the volume system parser (volumes.c), whose
 * volumes are read as file systems (ntfs.c); image.c puts them together
 * behind include/bootlens/image.h. */
#ifndef BOOTLENS_IMAGE_INTERNAL_H
#define BOOTLENS_IMAGE_INTERNAL_H

#include "bootlens/image.h"

/* ---- disk.c: one readable disk, whatever the container ---- */

typedef struct bl_disk bl_disk;
struct bl_disk {
    const char *format;
    char detail[64];
    uint64_t size;
    uint32_t sector_size;
    /* Reads exactly n bytes at off (off + n <= size).  Returns 0, or -1 with
     * a static-or-buffered reason in why. */
    int (*read)(bl_disk *d, uint64_t off, void *buf, size_t n, char *why, size_t whysz);
    void (*close)(bl_disk *d);
    void *impl;
    /* The files it is made of, for hashing (paths malloc'd). */
    char **files;
    uint32_t nfiles;
};

/* Opens path as the container its signature (or segment name) says.
 * Returns 0, or -1 with "PATH: what is wrong". */
int bl_disk_open(const char *path, bl_disk **out, bl_error *err);
/* The innermost (last non-empty) line of a libyal error backtrace in tmp
 * (modified), copied to buf: the libraries share libcerror's format. */
void bl_yal_last_line(char *tmp, char *buf, size_t size);
/* EWF (E01) segments from their first, NAME.E01 (ewf.c). */
/* Whether path is named as the first segment of an EWF image (NAME.E01,
 * either case): the only name an EWF image is opened by. */
bool bl_ewf_first_name(const char *path);
int bl_ewf_open(const char *path, bl_disk **out, bl_error *err);
/* Whether path's first bytes or name make it a container (not a hive). */
bool bl_disk_looks_like_image(const char *path, const uint8_t *head, size_t n);
/* A raw disk over caller-owned memory. */
bl_disk *bl_disk_memory(const uint8_t *data, size_t size);
void bl_disk_close(bl_disk *d);
/* Bounds-checked read: -1 with why when off/n fall outside the disk. */
int bl_disk_read(bl_disk *d, uint64_t off, void *buf, size_t n, char *why, size_t whysz);

/* ---- volumes.c: partition tables ---- */

typedef struct bl_vol_list {
    bl_image_volume *v;
    uint32_t n, cap;
    const char *scheme; /* "mbr", "gpt", "none" */
    bl_sb notes;        /* problems with the table itself, "; "-separated */
} bl_vol_list;

/* Reads the partition table of d into out: MBR (extended chains followed
 * with loop and count bounds), GPT (header and entry CRCs checked, backup
 * header when the primary is damaged), or one volume spanning the disk when
 * there is none.  Overlapping partitions are marked with a problem.  Never
 * fails: what it cannot make sense of becomes a note. */
void bl_volumes_read(bl_disk *d, bl_vol_list *out);
void bl_volumes_free(bl_vol_list *l);
/* Marks v unusable with a reason (the first one given stays). */
void bl_volume_problem(bl_image_volume *v, const char *fmt, ...) BL_PRINTF(2, 3);
uint32_t bl_crc32(const uint8_t *p, size_t n);

/* ---- ntfs.c: NTFS through libfsntfs, other file systems recognized ---- */

typedef struct bl_ntfs bl_ntfs;

/* Names the file system from a volume's first sector ("ntfs",
 * "bitlocker", "fat", "exfat", "refs", "unknown"; "empty" for zeros). */
const char *bl_fs_sniff(const uint8_t *sector, size_t n);
/* Opens the NTFS in [off, off+size) of d.  -1 with a reason in err
 * (a sentence, no file name). */
int bl_ntfs_open(bl_disk *d, uint64_t off, uint64_t size, bl_ntfs **out, bl_error *err);
void bl_ntfs_close(bl_ntfs *fs);
/* The volume label (malloc'd) or NULL. */
char *bl_ntfs_label(bl_ntfs *fs);
/* Looks up a path case-insensitively ('/' separated, from the root).
 * Returns 1 with the size and the path as spelled (malloc'd) when it is a
 * file with data, 0 if absent (or a directory when want_dir is false), -1
 * with err on a read error. */
int bl_ntfs_stat(bl_ntfs *fs, const char *path, bool want_dir, uint64_t *size, char **spelled,
                 bl_error *err);
/* The names of the root directory's subdirectories (malloc'd array of
 * malloc'd names; at most max). */
uint32_t bl_ntfs_root_dirs(bl_ntfs *fs, char **names, uint32_t max);
/* Reads a file found by bl_ntfs_stat into buf (size bytes); what cannot be
 * read is zero-filled and described in *unreadable. */
int bl_ntfs_read(bl_ntfs *fs, const char *path, uint8_t *buf, uint64_t size, char **unreadable,
                 bl_error *err);

#endif

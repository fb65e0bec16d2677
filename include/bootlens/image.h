/* image.h — evidence as analysts receive it: disk and volume images.
 *
 * The first stage of the pipeline (image/ → hive/ → …).  It opens a disk
 * image read-only — raw/dd and split raw (.001…), EWF (E01 and its .E02…
 * segments), VHD and VHDX (fixed, dynamic, differencing with the parent
 * beside it), VMDK (monolithic, split, sparse or flat), QCOW2 — through
 * Debian's libyal libraries, reads its volume system (MBR with extended
 * partitions, GPT; or none: a bare volume image), recognizes each volume's
 * file system (NTFS through libfsntfs; BitLocker and others are named and
 * refused), and finds every Windows installation with its SYSTEM hive, the
 * hive's transaction logs and config\RegBack\SYSTEM.  Only the sectors these
 * need are read (no copy of a disk, nothing written or cached anywhere), and
 * memory stays bounded whatever sizes an image claims.
 *
 * Names used in every message and report:
 *   volume   "p2" (partition 2: MBR primaries 1-4, logical partitions from
 *            5, GPT entries by index), or "" for a volume image without a
 *            partition table;
 *   origin   IMAGE#p2:/Windows/System32/config/SYSTEM (IMAGE#/Windows/… for
 *            a bare volume), the path spelled as the file system spells it. */
#ifndef BOOTLENS_IMAGE_H
#define BOOTLENS_IMAGE_H

#include "bootlens/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on what an image may make us do. */
#define BL_IMAGE_MAX_VOLUMES 128      /* partitions considered (MBR chains, GPT entries in use) */
#define BL_IMAGE_MAX_INSTALLATIONS 32 /* Windows directories per image */
#define BL_IMAGE_MAX_FILES 256        /* files making up one image (segments, extents, parents) */

/* One file the image is made of (segment, extent, parent), with its
 * SHA-256 once bl_image_hash_wait has returned. */
typedef struct bl_image_file {
    char *path;
    uint64_t size;
    bool hashed;
    uint8_t sha256[BL_SHA256_SIZE];
} bl_image_file;

typedef struct bl_image_volume {
    char name[12];        /* "p2", or "" for the whole image */
    const char *scheme;   /* "mbr", "gpt" or "none" */
    char type[48];        /* partition type: "0x07", "Microsoft basic data", … */
    uint64_t offset, size; /* bytes in the disk */
    const char *fs;       /* "ntfs", "bitlocker", "fat", "exfat", "refs", "ext", "unknown" */
    char *label;          /* NTFS volume name, or NULL */
    char *problem;        /* why it cannot be read (a sentence), or NULL */
} bl_image_volume;

#define BL_IMAGE_LOG_NAMES 3 /* SYSTEM.LOG, .LOG1, .LOG2 */

typedef struct bl_image_hive_file {
    char *path; /* as spelled on the volume, "/Windows/System32/config/SYSTEM"; NULL if absent */
    uint64_t size;
} bl_image_hive_file;

typedef struct bl_image_installation {
    uint32_t volume;            /* index into volumes */
    char *windir;               /* "/Windows" as spelled */
    bl_image_hive_file system;  /* config\SYSTEM */
    bl_image_hive_file logs[BL_IMAGE_LOG_NAMES];
    bl_image_hive_file regback; /* config\RegBack\SYSTEM (path NULL when absent) */
} bl_image_installation;

typedef struct bl_image_info {
    const char *path;   /* as given */
    const char *format; /* "raw", "split raw", "EWF", "VHD", "VHDX", "VMDK", "QCOW2" */
    const char *detail; /* e.g. "dynamic", "differencing", "3 segments" ("" if none) */
    uint64_t media_size;
    uint32_t sector_size;
    const bl_image_file *files;
    uint32_t nfiles;
    bool hashing;      /* bl_image_hash_start was called */
    const bl_image_volume *volumes;
    uint32_t nvolumes;
    const bl_image_installation *installations;
    uint32_t ninstallations;
    const char *const *notes; /* what could not be read, one sentence each */
    uint32_t nnotes;
} bl_image_info;

typedef struct bl_image bl_image;

/* Whether path looks like a disk or volume image rather than a hive: 1 yes
 * (by signature or segment name), 0 no, -1 cannot be read (err set). */
int bl_image_probe(const char *path, bl_error *err);

/* Whether path is a later file of a split image whose first file is beside
 * it (NAME.E02 with NAME.E01, NAME.002 with NAME.001, NAME-s001.vmdk or
 * NAME-flat.vmdk with NAME.vmdk): the image is read through its first file.
 * first (may be NULL) receives that file's path. */
bool bl_image_part_of(const char *path, bl_sb *first);

/* The later files beside the first file of a split image (by name, as
 * bl_image_part_of tells them), for the output checks: *out (caller frees
 * each and the array) gets their paths; returns how many. */
size_t bl_image_parts(const char *first, char ***out);

/* Opens path read-only, reads its volume system and finds the Windows
 * installations.  Returns 0 (an image with no installation opens fine: ls
 * lists its volumes), or -1 with a one-line reason naming the image when the
 * container itself is unusable (damaged, truncated, missing parent…). */
int bl_image_open(const char *path, bl_image **out, bl_error *err);
/* The same over bytes in memory (not copied; must outlive the image): a raw
 * disk or volume image.  For tests and fuzzers. */
int bl_image_open_memory(const uint8_t *data, size_t size, const char *label, bl_image **out,
                         bl_error *err);
void bl_image_close(bl_image *img);
const bl_image_info *bl_image_get_info(const bl_image *img);
/* The image libraries' versions (bootlens --version): libvhdi, libvmdk,
 * libqcow, libfsntfs, zlib. */
void bl_image_libraries(bl_libraries *l);

/* SHA-256 of every file of the image, computed on a thread of its own while
 * the caller goes on (a multi-gigabyte image costs seconds); wait joins it.
 * A file that cannot be read is left unhashed, with a note. */
void bl_image_hash_start(bl_image *img);
void bl_image_hash_wait(bl_image *img);

/* The volume named name ("p2"; "" or NULL means the only volume), or -1. */
int bl_image_find_volume(const bl_image *img, const char *name);

/* Reads the file at path (case-insensitive, '/' or '\' separated) on volume
 * v.  Returns 1 with *data (malloc'd), *size and *spelled (the path as the
 * volume spells it, malloc'd); 0 if there is no such file; -1 with err.
 * Files larger than max are refused.  Ranges of the file that cannot be
 * read (outside a truncated image, a damaged chunk) read as zeros and are
 * described in *unreadable (malloc'd sentence, NULL when all was read). */
int bl_image_read_file(bl_image *img, uint32_t v, const char *path, size_t max, uint8_t **data,
                       size_t *size, char **spelled, char **unreadable, bl_error *err);

/* "IMAGE#p2:/path" (or "IMAGE#/path" for a bare volume) into sb. */
void bl_image_origin(const bl_image *img, uint32_t v, const char *path, bl_sb *sb);

#endif

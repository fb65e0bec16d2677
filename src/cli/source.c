/* source.c — what a HIVE argument names, for every hive-reading command:
 *
 *   FILE                      a hive file (its logs beside it), or a disk or
 *                             volume image, told by its signature: the
 *                             Windows installation found in it (--volume,
 *                             --installation choose among several)
 *   IMAGE#SYSTEM              that installation's config\SYSTEM
 *   IMAGE#RegBack             its config\RegBack\SYSTEM (an older state)
 *   IMAGE#p2:SYSTEM           the same on volume p2 (also p2:RegBack)
 *   IMAGE#p2:/PATH            any hive by its path on volume p2
 *   IMAGE#/PATH               …on the only volume (a volume image)
 *
 * A name that exists as a file is a file, even with a '#' in it.  A hive
 * from an image is read into memory (only its clusters) with the logs from
 * its folder and handed to hive/ under its origin, so every message and
 * report names "IMAGE#p2:/Windows/System32/config/SYSTEM". */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void bl_source_close(bl_source *s)
{
    bl_image_close(s->image);
    free(s->path);
    free(s->installation);
    free(s->unreadable);
    memset(s, 0, sizeof *s);
}

/* "p2" at the start of spec, followed by ':'; returns what follows. */
static const char *spec_volume(const char *spec, char *vol, size_t n)
{
    vol[0] = '\0';
    if ((spec[0] | 0x20) != 'p' || spec[1] < '0' || spec[1] > '9')
        return spec;
    size_t i = 1;
    while (spec[i] >= '0' && spec[i] <= '9')
        i++;
    if (spec[i] != ':' || i >= n)
        return spec;
    memcpy(vol, spec, i);
    vol[i] = '\0';
    return spec + i + 1;
}

int bl_source_split(const char *arg, char **path, const char **spec)
{
    struct stat st;
    const char *hash = strrchr(arg, '#');
    if (stat(arg, &st) == 0 || !hash) {
        *path = bl_xstrdup(arg);
        *spec = NULL;
        return 0;
    }
    *path = bl_xstrndup(arg, (size_t)(hash - arg));
    *spec = hash + 1;
    return 1;
}

int bl_source_open_image(const bl_cli *c, const char *path, bl_image **img, bl_error *err)
{
    if (bl_image_open(path, img, err) != 0)
        return -1;
    if (c->hash_image)
        bl_image_hash_start(*img);
    return 0;
}

/* Why an image offers nothing to analyze, in one line. */
static void explain_nothing(const bl_image *img, const char *vol, bl_error *err)
{
    const bl_image_info *ii = bl_image_get_info(img);
    int only = -1, usable = 0;
    for (uint32_t i = 0; i < ii->nvolumes; i++)
        if (!vol || !*vol || bl_fold_eq(ii->volumes[i].name, vol)) {
            only = (int)i;
            usable++;
        }
    if (usable == 1 && ii->volumes[only].problem && !ii->nnotes) {
        bl_sb o = {0};
        bl_image_origin(img, (uint32_t)only, "", &o);
        if (o.len && o.buf[o.len - 1] == ':')
            o.buf[--o.len] = '\0';
        if (o.len && o.buf[o.len - 1] == '#')
            o.buf[--o.len] = '\0';
        bl_error_set(err, "%s: %s", bl_sb_str(&o), ii->volumes[only].problem);
        bl_sb_free(&o);
        return;
    }
    bl_sb sb = {0};
    bl_sb_addf(&sb, "%s: no Windows installation found", ii->path);
    if (vol && *vol)
        bl_sb_addf(&sb, " on %s", vol);
    if (ii->nvolumes == 0)
        bl_sb_add(&sb, " (no volume)");
    const char *sep = " (";
    for (uint32_t i = 0; i < ii->nvolumes; i++) {
        const bl_image_volume *v = &ii->volumes[i];
        if (vol && *vol && !bl_fold_eq(v->name, vol))
            continue;
        bl_sb_addf(&sb, "%s%s: %s", sep, v->name[0] ? v->name : "volume",
                   v->problem ? v->problem : "NTFS, no Windows directory");
        sep = "; ";
    }
    for (uint32_t i = 0; i < ii->nnotes; i++) {
        bl_sb_addf(&sb, "%s%s", sep, ii->notes[i]);
        sep = "; ";
    }
    if (strcmp(sep, "; ") == 0)
        bl_sb_add(&sb, ")");
    bl_error_set(err, "%s", bl_sb_str(&sb));
    bl_sb_free(&sb);
}

/* Whether installation in matches --installation (a Windows directory,
 * optionally with its volume: "p2:/Windows"). */
static bool installation_matches(const bl_image_info *ii, const bl_image_installation *in, const char *want)
{
    char vol[12];
    const char *dir = spec_volume(want, vol, sizeof vol);
    if (*vol && !bl_fold_eq(ii->volumes[in->volume].name, vol))
        return false;
    /* "/Windows", "\Windows" and "Windows" name the same directory. */
    while (*dir == '/' || *dir == '\\')
        dir++;
    const char *have = in->windir + 1;
    for (; *dir && *have; dir++, have++) {
        char a = *dir == '\\' ? '/' : *dir, b = *have;
        if ((a | 0x20) != (b | 0x20) && a != b)
            return false;
    }
    return !*have && (!*dir || ((*dir == '/' || *dir == '\\') && !dir[1]));
}

/* Picks the installation: the only one left after --volume/--installation. */
static int choose_installation(const bl_cli *c, const bl_image *img, const char *vol, bl_error *err)
{
    const bl_image_info *ii = bl_image_get_info(img);
    if (vol && *vol && bl_image_find_volume(img, vol) < 0) {
        bl_error_set(err, "%s: no volume %s (bootlens ls %s lists them)", ii->path, vol, ii->path);
        return -1;
    }
    int pick = -1, n = 0;
    bl_sb list = {0};
    for (uint32_t i = 0; i < ii->ninstallations; i++) {
        const bl_image_installation *in = &ii->installations[i];
        if (vol && *vol && !bl_fold_eq(ii->volumes[in->volume].name, vol))
            continue;
        if (c->installation && !installation_matches(ii, in, c->installation))
            continue;
        pick = (int)i;
        n++;
        bl_sb_addf(&list, "%s%s%s%s", list.len ? ", " : "", ii->volumes[in->volume].name,
                   ii->volumes[in->volume].name[0] ? ":" : "", in->windir);
    }
    if (n == 1) {
        bl_sb_free(&list);
        return pick;
    }
    if (n == 0 && c->installation)
        bl_error_set(err, "%s: no Windows installation %s (bootlens ls %s lists them)", ii->path,
                     c->installation, ii->path);
    else if (n == 0)
        explain_nothing(img, vol, err);
    else
        bl_error_set(err, "%s: %d Windows installations (%s): choose one with --installation or --volume "
                          "(bootlens ls %s lists them)",
                     ii->path, n, bl_sb_str(&list), ii->path);
    bl_sb_free(&list);
    return -1;
}

/* The volume for a hive named by path: the one named, else the only NTFS
 * volume. */
static int choose_volume(const bl_image *img, const char *vol, bl_error *err)
{
    const bl_image_info *ii = bl_image_get_info(img);
    if (vol && *vol) {
        int v = bl_image_find_volume(img, vol);
        if (v < 0)
            bl_error_set(err, "%s: no volume %s (bootlens ls %s lists them)", ii->path, vol, ii->path);
        return v;
    }
    int pick = -1, n = 0;
    for (uint32_t i = 0; i < ii->nvolumes; i++)
        if (strcmp(ii->volumes[i].fs, "ntfs") == 0 && !ii->volumes[i].problem) {
            pick = (int)i;
            n++;
        }
    if (n == 1)
        return pick;
    if (n == 0)
        explain_nothing(img, vol, err);
    else
        bl_error_set(err, "%s: %d NTFS volumes: name one (%s#p2:/PATH or --volume)", ii->path, n, ii->path);
    return -1;
}

/* Reads the logs beside the hive at path (spelled) on volume v. */
static size_t read_logs(bl_image *img, uint32_t v, const char *path, bl_log_file *logs, char **labels,
                        bl_sb *notes)
{
    static const char *const suffixes[] = {".LOG", ".LOG1", ".LOG2"};
    size_t n = 0;
    for (size_t i = 0; i < BL_ARRAY_LEN(suffixes); i++) {
        bl_sb p = {0};
        bl_sb_addf(&p, "%s%s", path, suffixes[i]);
        uint8_t *data;
        size_t size;
        char *spelled, *bad;
        bl_error e = {{0}};
        int rc = bl_image_read_file(img, v, bl_sb_str(&p), BL_LOG_MAX_SIZE, &data, &size, &spelled, &bad, &e);
        bl_sb_free(&p);
        if (rc < 0) {
            bl_sb_addf(notes, "%stransaction log not used: %s", notes->len ? "\n" : "", e.msg);
            continue;
        }
        if (rc == 0)
            continue;
        bl_sb label = {0};
        bl_image_origin(img, v, spelled, &label);
        if (bad)
            bl_sb_addf(notes, "%s%s: %s", notes->len ? "\n" : "", bl_sb_str(&label), bad);
        labels[n] = bl_sb_detach(&label);
        logs[n] = (bl_log_file){labels[n], data, size};
        n++;
        free(spelled);
        free(bad);
    }
    return n;
}

int bl_source_open_hive(const bl_cli *c, const char *arg, const bl_hive_options *ho, bl_hive **hive,
                        bl_source *src, bl_error *err)
{
    memset(src, 0, sizeof *src);
    char *path;
    const char *spec;
    bl_source_split(arg, &path, &spec);
    if (!spec) {
        int probe = bl_image_probe(path, err);
        if (probe <= 0) {
            free(path);
            if (probe == 0 && (c->volume || c->installation)) {
                bl_error_set(err,
                             "%s: %s names a volume or installation of a disk image, and this is no image",
                             arg, c->volume ? "--volume" : "--installation");
                return -1;
            }
            /* A hive file (or something that fails as one, with the
             * hive module's message). */
            return bl_hive_open(arg, ho, hive, err);
        }
    }
    int rc = bl_source_open_image(c, path, &src->image, err);
    free(path);
    if (rc != 0)
        return -1;
    bl_image *img = src->image;
    const bl_image_info *ii = bl_image_get_info(img);
    char vol[12] = "";
    const char *what = spec ? spec_volume(spec, vol, sizeof vol) : "";
    if (!*vol && c->volume)
        snprintf(vol, sizeof vol, "%s", c->volume);
    int v;
    const char *hive_path;
    if (*what == '/' || *what == '\\') {
        if ((v = choose_volume(img, vol, err)) < 0)
            goto fail;
        hive_path = what;
    } else if (!*what || bl_fold_eq(what, "SYSTEM") || bl_fold_eq(what, "RegBack")) {
        int i = choose_installation(c, img, vol, err);
        if (i < 0)
            goto fail;
        const bl_image_installation *in = &ii->installations[i];
        v = (int)in->volume;
        src->installation = bl_xstrdup(in->windir);
        bool regback = bl_fold_eq(what, "RegBack");
        const bl_image_hive_file *hf = regback ? &in->regback : &in->system;
        if (!hf->path) {
            bl_sb o = {0};
            bl_image_origin(img, in->volume, in->windir, &o);
            bl_error_set(err, "%s: no %s there", bl_sb_str(&o),
                         regback ? "System32\\config\\RegBack\\SYSTEM" : "System32\\config\\SYSTEM hive");
            bl_sb_free(&o);
            goto fail;
        }
        if (regback && hf->size == 0) {
            bl_sb o = {0};
            bl_image_origin(img, in->volume, hf->path, &o);
            bl_error_set(err, "%s: empty file (Windows 10 1803 and later no longer back the registry up "
                              "to RegBack)",
                         bl_sb_str(&o));
            bl_sb_free(&o);
            goto fail;
        }
        hive_path = hf->path;
    } else {
        bl_error_set(err, "%s: unknown hive in the image \"%s\" (SYSTEM, RegBack or a path: IMAGE#p2:/PATH)",
                     arg, what);
        goto fail;
    }
    uint8_t *data;
    size_t size;
    char *bad = NULL;
    rc = bl_image_read_file(img, (uint32_t)v, hive_path, BL_HIVE_MAX_SIZE, &data, &size, &src->path, &bad, err);
    if (rc == 0) {
        bl_sb o = {0};
        bl_image_origin(img, (uint32_t)v, hive_path, &o);
        bl_error_set(err, "%s: no such file in the image", bl_sb_str(&o));
        bl_sb_free(&o);
    }
    if (rc != 1)
        goto fail;
    bl_sb origin = {0};
    bl_image_origin(img, (uint32_t)v, src->path, &origin);
    bl_log_file logs[BL_IMAGE_LOG_NAMES];
    char *labels[BL_IMAGE_LOG_NAMES];
    bl_sb notes = {0};
    size_t nlogs = ho->no_recovery ? 0 : read_logs(img, (uint32_t)v, src->path, logs, labels, &notes);
    bl_hive_bytes in = {data, size, bl_sb_str(&origin), logs, nlogs, notes.len ? bl_sb_str(&notes) : NULL};
    rc = bl_hive_open_bytes(&in, ho, hive, err);
    if (rc != 0 && bad) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (%s)", bad);
    } else if (rc == 0 && bad) {
        bl_hive_add_problem(*hive, "", "%s: %s", bl_sb_str(&origin), bad);
        src->unreadable = bad;
    }
    for (size_t i = 0; i < nlogs; i++) {
        free(labels[i]);
        free((void *)logs[i].data);
    }
    if (rc != 0 || !src->unreadable)
        free(bad);
    bl_sb_free(&notes);
    bl_sb_free(&origin);
    if (rc != 0)
        goto fail;
    src->evidence.image = ii;
    src->evidence.volume = ii->volumes[v].name;
    src->evidence.installation = src->installation;
    src->evidence.path = src->path;
    src->evidence.hash_skipped = !c->hash_image;
    return 0;
fail:
    bl_source_close(src);
    return -1;
}

bool bl_source_is_input(const bl_source *src, const char *path)
{
    if (!src->image)
        return false;
    const bl_image_info *ii = bl_image_get_info(src->image);
    struct stat a, b;
    if (stat(path, &a) != 0)
        return false;
    for (uint32_t i = 0; i < ii->nfiles; i++)
        if (stat(ii->files[i].path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            return true;
    return false;
}

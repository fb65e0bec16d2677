/* open.c — opening a hive: map the file read-only, check the base block,
 * replay transaction logs when the hive is dirty (into a copy-on-write
 * mapping of the file, so only replayed pages are copied), find where the
 * valid hive bins end, and hand libregf exactly those bytes through a libbfio
 * memory range (no per-value syscalls).  Also the key/value accessors, which
 * turn failures on a damaged subtree into recorded problems instead of
 * aborting.
 *
 * Nothing is read that is not needed: files are mapped, not read, so a huge
 * or sparse file costs only the pages that are looked at; every read of keys
 * and values is charged to a budget proportional to the hive's size, so that
 * cross-linked lists cannot make a small hive cost more than a big one. */
#include "bootlens/hive.h"

#include "cells.h"
#include "recover_internal.h"
#include "../util/bfio.h"

#include <errno.h>
#include <fcntl.h>
#include <libbfio.h>
#include <libregf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <limits.h>
#include <unistd.h>

/* A hive with this many unreadable subtrees is reported as hopeless: the
 * list would be noise and memory must stay bounded. */
#define MAX_PROBLEMS 200

/* The reading budget (see spend()), in bytes of cells read.  A key costs at
 * least the smallest nk cell and a value the smallest vk cell, so reading a
 * whole hive once costs at most its hive bins; the model reads what it needs
 * about once (1.5 times the bins at most, measured on 100k services), so 4
 * times the bins plus a floor is ample, and it bounds what cross-linked
 * lists can make bootlens build from a hive of a given size. */
#define BUDGET_PER_BYTE 4u
#define BUDGET_FLOOR ((uint64_t)16 << 20)
#define KEY_COST 80u
#define VALUE_COST 24u

/* Where a recovered image lives: a private (copy-on-write) mapping of the
 * primary file inside an anonymous reservation, or the heap. */
typedef struct image_place {
    int fd;          /* the primary file, -1 when there is none */
    size_t reserved; /* bytes mapped at the image; 0: on the heap */
} image_place;

struct bl_hive {
    char *path;
    const uint8_t *map; /* the file as mapped (or copied) */
    size_t map_size;
    bool mapped;
    uint64_t dev, ino;     /* of the primary file, to recognise links to it */
    uint8_t *owned;        /* recovered image */
    size_t owned_size;
    image_place place;     /* how owned was allocated */
    const uint8_t *image;  /* what libregf reads */
    size_t image_size;
    /* libregf sees a base block announcing only the valid hive bins. */
    uint8_t head[4096];
    bool head_patched;
    uint64_t budget; /* see spend() */
    bool budget_spent;
    libbfio_handle_t *bfio;
    libregf_file_t *regf;
    bool fast;      /* keys and values through the direct cell reader */
    bl_cells cells;
    bl_hive_info info;
    bl_hive_problem *problems;
    uint32_t nproblems, capproblems;
    uint32_t dropped_problems;
    bl_hive_input inputs[1 + BL_MAX_LOGS]; /* the primary, then each log read */
};

struct bl_key {
    bl_hive *hive;
    char *name;
    char *path;
    /* libregf reader */
    libregf_key_t *key;
    libregf_value_t *value; /* current value (valid until the next value call) */
    char *value_name;
    uint8_t *value_data;
    /* direct cell reader */
    bl_cells_nk nk;
    uint32_t *subs, nsubs;
    bool subs_loaded, subs_failed;
    bl_sb vname, big; /* current value's name; big data reassembled */
};

/* One line from a libregf error: the innermost message is the most useful. */
static void regf_error_text(libregf_error_t *e, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!e)
        return;
    char tmp[2048];
    if (libregf_error_backtrace_sprint(e, tmp, sizeof tmp) > 0) {
        /* The backtrace lists outer calls first; keep the last non-empty line. */
        char *last = tmp, *line = strtok(tmp, "\n");
        while (line) {
            if (*line)
                last = line;
            line = strtok(NULL, "\n");
        }
        size_t n = strlen(last);
        if (n >= size)
            n = size - 1;
        memcpy(buf, last, n);
        buf[n] = '\0';
    }
    libregf_error_free(&e);
    /* libregf prefixes messages with its function names; keep them, they
     * help when reporting a damaged cell. */
}

const char *bl_hive_problem_for(const bl_hive *h, const char *path)
{
    for (uint32_t i = 0; i < h->nproblems; i++)
        if (bl_fold_eq(h->problems[i].path, path))
            return h->problems[i].reason;
    return NULL;
}

void bl_hive_add_problem(bl_hive *h, const char *path, const char *fmt, ...)
{
    if (h->nproblems >= MAX_PROBLEMS) {
        h->dropped_problems++;
        return;
    }
    bl_sb sb = {0};
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    bl_grow((void **)&h->problems, sizeof *h->problems, &h->capproblems, h->nproblems + 1);
    h->problems[h->nproblems].path = bl_xstrdup(path ? path : "");
    h->problems[h->nproblems].reason = bl_sb_detach(&sb);
    h->nproblems++;
    h->info.problems = h->problems;
    h->info.nproblems = h->nproblems;
}

/* A note about the file as a whole (logs, recovery), kept with the recovery
 * report rather than with the unreadable parts. */
static void hive_note(bl_hive *h, const char *fmt, ...) BL_PRINTF(2, 3);
static void hive_note(bl_hive *h, const char *fmt, ...)
{
    bl_recovery *r = &h->info.recovery;
    if (r->nnotes >= BL_ARRAY_LEN(r->notes))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->notes[r->nnotes++], sizeof r->notes[0], fmt, ap);
    va_end(ap);
}

/* Remembers one file read for the report's inputs, hashed when asked.  A
 * mapped file is hashed in slices whose pages are given back as it goes:
 * the digest of a 1.9 GB sparse hive must not leave 1.9 GB resident. */
static void record_input(bl_hive *h, const bl_hive_options *opt, const char *path, const uint8_t *data,
                         size_t size, bool is_log, bool mapped)
{
    if (h->info.ninputs >= BL_ARRAY_LEN(h->inputs))
        return;
    bl_hive_input *in = &h->inputs[h->info.ninputs++];
    in->path = bl_xstrdup(path);
    in->size = size;
    in->is_log = is_log;
    in->hashed = opt && opt->hash_inputs;
    h->info.inputs = h->inputs;
    if (!in->hashed)
        return;
    static const size_t slice = (size_t)8 << 20; /* a multiple of the page size */
    bl_sha256_ctx ctx;
    bl_sha256_init(&ctx);
    for (size_t off = 0; off < size; off += slice) {
        size_t n = size - off < slice ? size - off : slice;
        bl_sha256_update(&ctx, data + off, n);
        if (mapped)
            madvise((void *)(data + off), n & ~(size_t)4095, MADV_DONTNEED);
    }
    bl_sha256_final(&ctx, in->sha256);
}

static int map_file(bl_hive *h, const char *path, bl_error *err)
{
    struct stat st;
    int fd = bl_open_input(path, &st, err);
    if (fd < 0)
        return -1;
    if (st.st_size == 0) {
        bl_error_set(err, "%s: empty file, not a registry hive", path);
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > BL_HIVE_MAX_SIZE) {
        bl_error_set(err, "%s: %lld bytes is more than the %zu-byte limit for a hive (the format addresses 2 GiB)",
                     path, (long long)st.st_size, BL_HIVE_MAX_SIZE);
        close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        bl_error_set(err, "%s: cannot map: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    h->map = p;
    h->map_size = n;
    h->mapped = true;
    h->dev = (uint64_t)st.st_dev;
    h->ino = (uint64_t)st.st_ino;
    h->place.fd = fd; /* kept until setup is done, for the recovered image */
    h->info.file_size = n;
    return 0;
}

/* Maps one transaction log.  A log found beside the hive that cannot be
 * used is skipped with a note (0, nothing in *out); one named by --log is an
 * error (-1 with err), since the user asked for it. */
static int map_log(bl_hive *h, const bl_hive_options *opt, const char *path, bool named, bl_log_file *out,
                   bl_sb *notes, bl_error *err)
{
    bl_error e = {{0}};
    struct stat st;
    memset(out, 0, sizeof *out);
    int fd = bl_open_input(path, &st, &e);
    if (fd >= 0 && h->mapped && (uint64_t)st.st_dev == h->dev && (uint64_t)st.st_ino == h->ino)
        bl_error_set(&e, "%s: is the hive %s itself (a link to it), not a transaction log", path, h->path);
    else if (fd >= 0 && (uint64_t)st.st_size > BL_LOG_MAX_SIZE)
        bl_error_set(&e, "%s: %lld bytes is more than the %zu-byte limit for a transaction log", path,
                     (long long)st.st_size, BL_LOG_MAX_SIZE);
    else if (fd >= 0) {
        size_t n = (size_t)st.st_size;
        void *p = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
        if (p == MAP_FAILED)
            bl_error_set(&e, "%s: cannot map: %s", path, strerror(errno));
        else {
            close(fd);
            out->path = bl_xstrdup(path);
            out->data = p;
            out->size = n;
            record_input(h, opt, path, p, n, true, n > 0);
            return 0;
        }
    }
    if (fd >= 0)
        close(fd);
    if (named) {
        *err = e;
        return -1;
    }
    bl_sb_addf(notes, "%stransaction log not used: %s", notes->len ? "\n" : "", e.msg);
    return 0;
}

static void unmap_log(bl_log_file *f)
{
    if (f->size) /* only non-empty logs are mapped */
        munmap((void *)f->data, f->size);
    free((char *)f->path);
    memset(f, 0, sizeof *f);
}

/* Maps the logs to replay: explicit ones, or those found beside the hive.
 * Returns how many, or -1 with err when a named log is unusable. */
static int load_logs(bl_hive *h, const bl_hive_options *opt, bl_log_file *logs, bl_sb *notes, bl_error *err)
{
    char *found[BL_MAX_LOGS] = {0};
    const char *paths[BL_MAX_LOGS];
    size_t n = 0;
    bool named = opt && opt->logs;
    if (named) {
        for (size_t i = 0; i < opt->nlogs && n < BL_MAX_LOGS; i++)
            paths[n++] = opt->logs[i];
    } else {
        n = bl_find_logs(h->path, found, BL_MAX_LOGS);
        for (size_t i = 0; i < n; i++)
            paths[i] = found[i];
    }
    int got = 0;
    for (size_t i = 0; i < n; i++) {
        if (map_log(h, opt, paths[i], named, &logs[got], notes, err) != 0) {
            for (int k = 0; k < got; k++)
                unmap_log(&logs[k]);
            got = -1;
            break;
        }
        if (logs[got].path)
            got++;
    }
    for (size_t i = 0; i < BL_MAX_LOGS; i++)
        free(found[i]);
    return got;
}

/* ---- the recovered image: copy-on-write over the primary file ---- */

static size_t page_size(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    return ps > 0 ? (size_t)ps : 4096;
}

static uint8_t *place_start(void *ctx, const uint8_t *primary, size_t primary_size, size_t len, size_t most)
{
    image_place *pl = ctx;
    size_t page = page_size();
    size_t reserve = (most + page - 1) / page * page;
    void *base = pl->fd >= 0 ? mmap(NULL, reserve, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                             : MAP_FAILED;
    if (base != MAP_FAILED && primary_size) {
        /* The primary's pages come from the file until replay writes one. */
        size_t file_pages = (primary_size + page - 1) / page * page;
        if (mmap(base, file_pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, pl->fd, 0) == MAP_FAILED)
            memcpy(base, primary, primary_size);
    }
    if (base == MAP_FAILED) {
        pl->reserved = 0;
        return bl_image_heap.start(NULL, primary, primary_size, len, most);
    }
    pl->reserved = reserve;
    return base;
}

static uint8_t *place_grow(void *ctx, uint8_t *img, size_t old_len, size_t len)
{
    image_place *pl = ctx;
    if (!pl->reserved)
        return bl_image_heap.grow(NULL, img, old_len, len);
    if (len > pl->reserved)
        bl_die("recovered image beyond its reservation (%zu > %zu bytes)", len, pl->reserved);
    return img; /* the reservation is already zero */
}

static void place_release(void *ctx, uint8_t *img, size_t len)
{
    image_place *pl = ctx;
    if (pl->reserved)
        munmap(img, pl->reserved);
    else
        bl_image_heap.release(NULL, img, len);
    pl->reserved = 0;
}

/* ---- libregf reads the image in memory ----
 * through a bounds-checked reader (util/bfio.h); the patched base block,
 * when there is one, replaces the image's first 4096 bytes. */
static int image_read(void *ctx, uint64_t off, uint8_t *buf, size_t n)
{
    const bl_hive *h = ctx;
    size_t done = 0;
    if (h->head_patched && off < 4096) {
        done = 4096 - off < n ? (size_t)(4096 - off) : n;
        memcpy(buf, h->head + off, done);
    }
    memcpy(buf + done, h->image + off + done, n - done);
    return 0;
}

static int open_regf(bl_hive *h, bl_error *err)
{
    if (bl_bfio_reader(&h->bfio, h->image_size, image_read, h) != 0) {
        bl_error_set(err, "%s: cannot set up an in-memory reader", h->path);
        return -1;
    }
    libregf_error_t *e = NULL;
    if (libregf_file_initialize(&h->regf, &e) != 1) {
        libregf_error_free(&e);
        bl_error_set(err, "%s: cannot initialize libregf", h->path);
        return -1;
    }
    if (libregf_file_open_file_io_handle(h->regf, h->bfio, LIBREGF_OPEN_READ, &e) != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        bl_error_set(err, "%s: not a readable registry hive (%s)", h->path, why);
        return -1;
    }
    return 0;
}

/* Finds where the valid hive bins of the image end.  Windows keeps the bins
 * as a chain (each one records its own offset and size); where the chain
 * breaks before the size the base block announces, the rest is damage, or a
 * lie (a sparse file of zeros behind a few real bins): it is recorded as a
 * problem and never read, and libregf is shown a base block announcing only
 * the valid part. */
static int bound_bins(bl_hive *h, bl_error *err)
{
    size_t avail = h->image_size > 4096 ? h->image_size - 4096 : 0;
    size_t bins = h->info.base.hive_bins_size;
    if (!bins || bins > avail)
        bins = avail;
    const char *why = NULL;
    uint32_t extent = bl_cells_bins_extent(h->image + 4096, (uint32_t)bins, &why);
    if (extent == 0) {
        bl_error_set(err, "%s: no valid hive bin at offset 0x1000 (%s)", h->path, why);
        return -1;
    }
    h->cells.base = h->image + 4096;
    h->cells.size = extent;
    h->cells.minor = h->info.base.minor;
    if (extent < bins) {
        bl_hive_add_problem(h, "",
                            "the hive bins end at file offset 0x%zx (%s); the base block announces %zu bytes of "
                            "hive bins: the remaining %zu bytes are not read",
                            (size_t)extent + 4096, why, bins, bins - extent);
        memcpy(h->head, h->image, sizeof h->head);
        bl_put_le32(h->head + BL_BB_HIVE_BINS_SIZE, extent);
        bl_put_le32(h->head + BL_BB_CHECKSUM, bl_base_block_checksum(h->head));
        h->head_patched = true;
    }
    h->budget = (uint64_t)extent * BUDGET_PER_BYTE + BUDGET_FLOOR;
    return 0;
}

/* The note for a broken base block no log repaired, with why the logs could
 * not (when recovery said). */
static void unrepaired(bl_error *err, const bl_error *bberr, const bl_error *rerr, const bl_sb *log_notes)
{
    const char *tag = "no transaction log can recover it: ";
    const char *why = strstr(rerr->msg, tag);
    bl_sb sb = {0};
    bl_sb_add(&sb, bberr->msg);
    bl_sb_add(&sb, "; no transaction log repairs it");
    if (why && !strstr(why, "no transaction log found"))
        bl_sb_addf(&sb, " (%s)", why + strlen(tag));
    else if (log_notes->len)
        bl_sb_addf(&sb, " (%s)", bl_sb_str(log_notes));
    for (char *p = sb.buf; p && *p; p++)
        if (*p == '\n')
            *p = ';';
    bl_error_set(err, "%s", bl_sb_str(&sb));
    bl_sb_free(&sb);
}

/* Checks the base block, replays logs when needed, bounds the bins, opens
 * libregf.  `given` are logs already in memory (read from a disk image, with
 * `given_notes` about those that could not be); explicit --log files replace
 * them. */
static int hive_setup(bl_hive *h, const bl_hive_options *opt, bool allow_logs, const bl_log_file *given,
                      size_t ngiven, const char *given_notes, bl_error *err)
{
    h->fast = !(opt && opt->libregf_reader);
    bl_error bberr = {{0}};
    bl_base_verdict verdict = bl_base_block_check(h->map, h->map_size, h->path, &h->info.base, &bberr);
    bool base_ok = verdict == BL_BASE_OK;
    /* A bad checksum or a file cut short may still be repaired from the
     * transaction logs (Windows tries too); anything else is no hive. */
    bool repairable = verdict == BL_BASE_BAD_CHECKSUM || verdict == BL_BASE_TRUNCATED;
    if (!base_ok && !(repairable && allow_logs)) {
        *err = bberr;
        return -1;
    }
    h->image = h->map;
    h->image_size = h->map_size;
    h->info.dirty = !base_ok || h->info.base.primary_seq != h->info.base.secondary_seq;

    bool no_recovery = opt && opt->no_recovery;
    if (allow_logs && !no_recovery) {
        bl_log_file logs[BL_MAX_LOGS];
        bl_sb log_notes = {0};
        bool borrowed = given && !(opt && opt->logs);
        int nlogs;
        if (borrowed) {
            nlogs = (int)(ngiven < BL_MAX_LOGS ? ngiven : BL_MAX_LOGS);
            for (int i = 0; i < nlogs; i++) {
                logs[i] = given[i];
                record_input(h, opt, given[i].path, given[i].data, given[i].size, true, false);
            }
            if (given_notes)
                bl_sb_add(&log_notes, given_notes);
        } else if ((nlogs = load_logs(h, opt, logs, &log_notes, err)) < 0) {
            bl_sb_free(&log_notes);
            return -1;
        }
        uint8_t *out = NULL;
        size_t out_size = 0;
        bl_error rerr = {{0}};
        bl_image_alloc alloc = {place_start, place_grow, place_release, &h->place};
        int rc = bl_hive_recover_with(&alloc, !borrowed, h->map, h->map_size, h->path, logs, (size_t)nlogs, &out, &out_size,
                                      &h->info.recovery, &rerr);
        for (int i = 0; i < nlogs && !borrowed; i++)
            unmap_log(&logs[i]);
        if (h->info.recovery.dirty)
            h->info.dirty = true;
        /* A dirty hive no log recovers: why, including the logs that were
         * not even tried (a FIFO, a link to the hive itself). */
        const char *none = "no transaction log found";
        char *lost = rc != 0 && base_ok && log_notes.len ? strstr(rerr.msg, none) : NULL;
        if (lost) {
            bl_sb why = {0};
            bl_sb_addn(&why, rerr.msg, (size_t)(lost - rerr.msg));
            bl_sb_add(&why, bl_sb_str(&log_notes));
            bl_sb_add(&why, lost + strlen(none));
            for (char *p = why.buf; *p; p++)
                if (*p == '\n')
                    *p = ';';
            bl_error_set(&rerr, "%s", bl_sb_str(&why));
            bl_sb_free(&why);
        } else {
            /* Recovery resets its report: add what happened to the logs after. */
            for (char *line = log_notes.buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
                nl = strchr(line, '\n');
                if (nl)
                    *nl = '\0';
                hive_note(h, "%s", line);
                if (nl)
                    *nl = '\n';
            }
        }
        if (rc == 0 && out) {
            h->owned = out;
            h->owned_size = out_size;
            h->image = out;
            h->image_size = out_size;
            h->info.recovered = true;
            bl_base_block_parse(out, out_size, h->path, &h->info.base, NULL);
        } else if (!base_ok) {
            /* A broken base block we could not repair: nothing to read. */
            unrepaired(err, &bberr, &rerr, &log_notes);
            bl_sb_free(&log_notes);
            return -1;
        } else if (rc != 0) {
            hive_note(h, "%s", rerr.msg);
        }
        bl_sb_free(&log_notes);
    } else if (!base_ok) {
        *err = bberr;
        return -1;
    }
    if (h->place.fd >= 0) {
        close(h->place.fd);
        h->place.fd = -1;
    }
    if (bound_bins(h, err) != 0)
        return -1;
    return open_regf(h, err);
}

static bl_hive *hive_new(const char *path)
{
    bl_hive *h = bl_xcalloc(1, sizeof *h);
    h->path = bl_xstrdup(path);
    h->info.path = h->path;
    h->place.fd = -1;
    return h;
}

int bl_hive_open(const char *path, const bl_hive_options *opt, bl_hive **out, bl_error *err)
{
    bl_hive *h = hive_new(path);
    if (map_file(h, path, err) != 0) {
        bl_hive_close(h);
        return -1;
    }
    record_input(h, opt, path, h->map, h->map_size, false, true);
    if (hive_setup(h, opt, true, NULL, 0, NULL, err) != 0) {
        bl_hive_close(h);
        return -1;
    }
    *out = h;
    return 0;
}

int bl_hive_open_bytes(const bl_hive_bytes *in, const bl_hive_options *opt, bl_hive **out, bl_error *err)
{
    bl_hive *h = hive_new(in->label);
    /* The same refusals as for a file of its own. */
    if (in->size == 0)
        bl_error_set(err, "%s: empty file, not a registry hive", in->label);
    else if (in->size > BL_HIVE_MAX_SIZE)
        bl_error_set(err, "%s: %zu bytes is more than the %zu-byte limit for a hive (the format addresses 2 GiB)",
                     in->label, in->size, BL_HIVE_MAX_SIZE);
    if (in->size == 0 || in->size > BL_HIVE_MAX_SIZE) {
        free(in->data);
        bl_hive_close(h);
        return -1;
    }
    h->map = in->data;
    h->map_size = in->size;
    h->info.file_size = in->size;
    record_input(h, opt, in->label, in->data, in->size, false, false);
    if (hive_setup(h, opt, true, in->logs, in->nlogs, in->log_notes, err) != 0) {
        bl_hive_close(h);
        return -1;
    }
    *out = h;
    return 0;
}

int bl_hive_open_memory(const uint8_t *data, size_t size, const char *label, bl_hive **out,
                        bl_error *err)
{
    bl_hive *h = hive_new(label);
    if (size == 0) {
        bl_error_set(err, "%s: empty file, not a registry hive", label);
        bl_hive_close(h);
        return -1;
    }
    uint8_t *copy = bl_xmalloc(size);
    memcpy(copy, data, size);
    h->map = copy;
    h->map_size = size;
    h->info.file_size = size;
    if (hive_setup(h, NULL, false, NULL, 0, NULL, err) != 0) {
        bl_hive_close(h);
        return -1;
    }
    *out = h;
    return 0;
}

void bl_hive_close(bl_hive *h)
{
    if (!h)
        return;
    libregf_error_t *e = NULL;
    if (h->regf) {
        libregf_file_close(h->regf, &e);
        libregf_error_free(&e);
        libregf_file_free(&h->regf, &e);
        libregf_error_free(&e);
    }
    if (h->bfio) {
        libbfio_error_t *be = NULL;
        libbfio_handle_free(&h->bfio, &be);
        libbfio_error_free(&be);
    }
    if (h->mapped)
        munmap((void *)h->map, h->map_size);
    else
        free((void *)h->map);
    if (h->owned)
        place_release(&h->place, h->owned, h->owned_size);
    if (h->place.fd >= 0)
        close(h->place.fd);
    for (uint32_t i = 0; i < h->nproblems; i++) {
        free(h->problems[i].path);
        free(h->problems[i].reason);
    }
    free(h->problems);
    for (uint32_t i = 0; i < h->info.ninputs; i++)
        free(h->inputs[i].path);
    free(h->path);
    free(h);
}

const bl_hive_info *bl_hive_get_info(const bl_hive *h)
{
    return &h->info;
}

const uint8_t *bl_hive_image(const bl_hive *h, size_t *size)
{
    *size = h->image_size;
    return h->image;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    /* Each byte equals the next and the first is zero (memcmp is fast). */
    return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Contract: see hive.h.  Pages of the file mapping are given back once
 * written (the kernel reads them again from the file if needed), so writing
 * out a large mostly-unmodified hive keeps little resident. */
int bl_hive_write_image(const bl_hive *h, int fd, const char *label, bl_error *err)
{
    static const size_t chunk = (size_t)1 << 20;
    static const uint8_t zeros[4096];
    bool can_seek = lseek(fd, 0, SEEK_CUR) >= 0;
    bool pending_hole = false;
    for (size_t off = 0; off < h->image_size; off += chunk) {
        size_t n = h->image_size - off < chunk ? h->image_size - off : chunk;
        const uint8_t *p = h->image + off;
        int rc = 0;
        if (all_zero(p, n)) {
            if (can_seek) {
                rc = lseek(fd, (off_t)n, SEEK_CUR) < 0 ? -1 : 0;
                pending_hole = true;
            } else {
                for (size_t k = 0; k < n && rc == 0; k += sizeof zeros)
                    rc = write_all(fd, zeros, n - k < sizeof zeros ? n - k : sizeof zeros);
            }
        } else {
            rc = write_all(fd, p, n);
            pending_hole = false;
        }
        if (rc != 0) {
            bl_error_set(err, "%s: cannot write: %s", label, strerror(errno));
            return -1;
        }
        /* Unmodified file pages can simply be dropped; pages replay wrote
         * are anonymous and must stay (MADV_PAGEOUT leaves those alone when
         * there is no swap, and drops clean file pages). */
        if (h->image == h->map && h->mapped)
            madvise((void *)((uintptr_t)p & ~(uintptr_t)4095), n & ~(size_t)4095, MADV_DONTNEED);
#ifdef MADV_PAGEOUT
        else if (h->owned && h->place.reserved)
            madvise((void *)((uintptr_t)p & ~(uintptr_t)4095), n & ~(size_t)4095, MADV_PAGEOUT);
#endif
    }
    if (pending_hole && ftruncate(fd, (off_t)h->image_size) != 0) {
        bl_error_set(err, "%s: cannot write: %s", label, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- keys ----
 * Two readers sit behind one API: the direct cell reader (cells.c, the
 * default: O(1) per cell) and libregf (`--reader libregf`, the reference).
 * Both record the same kinds of problems for damaged parts. */

static char *key_utf8_name(libregf_key_t *k)
{
    libregf_error_t *e = NULL;
    size_t n = 0;
    if (libregf_key_get_utf8_name_size(k, &n, &e) != 1 || n == 0 || n > 65536) {
        libregf_error_free(&e);
        return bl_xstrdup("");
    }
    uint8_t *buf = bl_xmalloc(n);
    if (libregf_key_get_utf8_name(k, buf, n, &e) != 1) {
        libregf_error_free(&e);
        free(buf);
        return bl_xstrdup("");
    }
    buf[n - 1] = 0;
    return (char *)buf;
}

static char *join_path(const char *parent, const char *name)
{
    bl_sb p = {0};
    if (parent && *parent) {
        bl_sb_add(&p, parent);
        bl_sb_addc(&p, '\\');
    }
    bl_sb_add(&p, name);
    return bl_sb_detach(&p);
}

/* Charges units to the hive's reading budget.  Every key, subkey list and
 * value read costs its size; a hive read as the model reads it stays far
 * inside the budget (BUDGET_PER_BYTE per byte of hive bins), while lists
 * cross-linked to make one cell count a million times exhaust it: reading
 * then stops, with one problem saying why, and what was read is analyzed.
 * This is what bounds the work on any input by the input's size. */
static bool spend(bl_hive *h, uint64_t units)
{
    if (h->budget >= units) {
        h->budget -= units;
        return true;
    }
    if (!h->budget_spent) {
        h->budget_spent = true;
        bl_hive_add_problem(h, "",
                            "reading stopped: keys and values are referenced far more often than %u bytes of "
                            "hive bins can hold (cross-linked lists?)",
                            h->cells.size);
    }
    h->budget = 0;
    return false;
}

static bl_key *key_new(bl_hive *h, char *name, char *path)
{
    bl_key *key = bl_xcalloc(1, sizeof *key);
    key->hive = h;
    key->name = name;
    key->path = path;
    return key;
}

static bl_key *fast_wrap(bl_hive *h, const bl_cells_nk *nk, const char *parent_path)
{
    bl_sb name = {0};
    bl_cells_key_name(nk, &name);
    char *n = bl_sb_detach(&name);
    bl_key *key = key_new(h, n, join_path(parent_path, n));
    key->nk = *nk;
    return key;
}

/* libregf reads a key's subkey lists as soon as the key is opened, and
 * follows them recursively, trusting them (an ri index naming itself
 * overflows its stack).  So a key is handed to libregf only once the
 * bounds-checked cell reader has accepted its subkey list. */
static bool regf_list_ok(bl_hive *h, const bl_cells_nk *nk, const char *path)
{
    uint32_t *offs = NULL, n;
    const char *why;
    if (!spend(h, 8 * (uint64_t)nk->nsubkeys))
        return false;
    int rc = bl_cells_subkeys(&h->cells, nk, &offs, &n, &why);
    free(offs);
    if (rc != 0)
        bl_hive_add_problem(h, path, "subkey list unreadable: %s", why);
    return rc == 0;
}

/* The same for the subkey of parent named name (absent or refused: false). */
static bool regf_child_ok(bl_hive *h, const bl_cells_nk *parent, const char *name, const char *path)
{
    bl_cells_nk child;
    const char *why;
    int rc = bl_cells_find_subkey(&h->cells, parent, name, &child, &why);
    if (rc < 0)
        bl_hive_add_problem(h, path, "key unreadable: %s", why);
    return rc > 0 && regf_list_ok(h, &child, path);
}

/* The cell reader's view of a key libregf opened (for regf_children_ok). */
static void regf_locate(bl_key *k)
{
    off64_t at = 0;
    libregf_error_t *e = NULL;
    const char *why;
    memset(&k->nk, 0, sizeof k->nk);
    if (libregf_key_get_offset(k->key, &at, &e) == 1 && at >= 4096 + 4 &&
        bl_cells_key(&k->hive->cells, (uint32_t)(at - 4096 - 4), &k->nk, &why) != 0)
        bl_cells_key(&k->hive->cells, (uint32_t)(at - 4096), &k->nk, &why);
    libregf_error_free(&e);
}

static bool regf_root(bl_hive *h, bl_cells_nk *root)
{
    const char *why;
    if (bl_cells_key(&h->cells, h->info.base.root_cell, root, &why) != 0) {
        bl_hive_add_problem(h, "", "root key unreadable: %s", why);
        return false;
    }
    return true;
}

bl_key *bl_hive_root(bl_hive *h)
{
    if (h->fast) {
        bl_cells_nk nk;
        const char *why;
        if (bl_cells_key(&h->cells, h->info.base.root_cell, &nk, &why) != 0) {
            bl_hive_add_problem(h, "", "root key unreadable: %s", why);
            return NULL;
        }
        bl_key *k = fast_wrap(h, &nk, NULL);
        free(k->path);
        k->path = bl_xstrdup(""); /* paths are reported relative to the root */
        return k;
    }
    libregf_key_t *k = NULL;
    libregf_error_t *e = NULL;
    bl_cells_nk root;
    if (!regf_root(h, &root) || !regf_list_ok(h, &root, ""))
        return NULL;
    int rc = libregf_file_get_root_key(h->regf, &k, &e);
    if (rc != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        if (rc < 0)
            bl_hive_add_problem(h, "", "root key unreadable: %s", why);
        return NULL;
    }
    bl_key *key = key_new(h, key_utf8_name(k), bl_xstrdup(""));
    key->key = k;
    regf_locate(key);
    return key;
}

static bl_key *fast_open(bl_hive *h, bl_key *parent, const char *path, const char *full)
{
    bl_cells_nk cur;
    const char *why;
    if (parent) {
        cur = parent->nk;
    } else if (bl_cells_key(&h->cells, h->info.base.root_cell, &cur, &why) != 0) {
        bl_hive_add_problem(h, "", "root key unreadable: %s", why);
        return NULL;
    }
    /* The path is rebuilt from the names as the hive spells them. */
    bl_sb spelled = {0};
    if (parent)
        bl_sb_add(&spelled, parent->path);
    char *copy = bl_xstrdup(path), *save = NULL;
    for (char *part = strtok_r(copy, "\\", &save); part; part = strtok_r(NULL, "\\", &save)) {
        bl_cells_nk next;
        int rc = spend(h, KEY_COST + 8 * (uint64_t)cur.nsubkeys)
                     ? bl_cells_find_subkey(&h->cells, &cur, part, &next, &why)
                     : 0;
        if (rc <= 0) {
            if (rc < 0)
                bl_hive_add_problem(h, full, "key unreadable: %s", why);
            free(copy);
            bl_sb_free(&spelled);
            return NULL;
        }
        cur = next;
        if (spelled.len)
            bl_sb_addc(&spelled, '\\');
        bl_cells_key_name(&cur, &spelled);
    }
    free(copy);
    bl_key *k = fast_wrap(h, &cur, NULL);
    free(k->path);
    k->path = bl_sb_detach(&spelled);
    return k;
}

bl_key *bl_key_open(bl_hive *h, bl_key *parent, const char *path)
{
    /* Keep the path as requested below the parent, for messages. */
    char *full = join_path(parent ? parent->path : NULL, path);
    if (h->fast) {
        bl_key *k = fast_open(h, parent, path, full);
        free(full);
        return k;
    }
    const char *sep = strchr(path, '\\');
    if (sep && sep != path) {
        /* One component at a time, so the path is spelled as the hive
         * spells each key (as the cell reader does). */
        char *first = bl_xstrndup(path, (size_t)(sep - path));
        bl_key *mid = bl_key_open(h, parent, first);
        free(first);
        bl_key *k = mid ? bl_key_open(h, mid, sep + 1) : NULL;
        bl_key_close(mid);
        free(full);
        return k;
    }
    libregf_key_t *k = NULL;
    libregf_error_t *e = NULL;
    int rc;
    bl_cells_nk root;
    if (!parent && !regf_root(h, &root)) {
        free(full);
        return NULL;
    }
    if (!regf_child_ok(h, parent ? &parent->nk : &root, path, full)) {
        free(full);
        return NULL;
    }
    if (parent)
        rc = libregf_key_get_sub_key_by_utf8_path(parent->key, (const uint8_t *)path,
                                                   strlen(path), &k, &e);
    else
        rc = libregf_file_get_key_by_utf8_path(h->regf, (const uint8_t *)path, strlen(path), &k,
                                               &e);
    if (rc != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        if (rc < 0)
            bl_hive_add_problem(h, full, "key unreadable: %s", why);
        free(full);
        return NULL;
    }
    char *name = key_utf8_name(k);
    if (!strchr(path, '\\')) {
        /* One component: spell the path as the hive does. */
        free(full);
        full = join_path(parent ? parent->path : NULL, name);
    }
    bl_key *key = key_new(h, name, full);
    key->key = k;
    regf_locate(key);
    return key;
}

static void value_release(bl_key *k)
{
    libregf_error_t *e = NULL;
    if (k->value) {
        libregf_value_free(&k->value, &e);
        libregf_error_free(&e);
    }
    free(k->value_name);
    free(k->value_data);
    k->value_name = NULL;
    k->value_data = NULL;
}

void bl_key_close(bl_key *k)
{
    if (!k)
        return;
    value_release(k);
    if (k->key) {
        libregf_error_t *e = NULL;
        libregf_key_free(&k->key, &e);
        libregf_error_free(&e);
    }
    free(k->subs);
    bl_sb_free(&k->big);
    bl_sb_free(&k->vname);
    free(k->name);
    free(k->path);
    free(k);
}

const char *bl_key_name(const bl_key *k)
{
    return k->name;
}

const char *bl_key_path(const bl_key *k)
{
    return k->path;
}

/* The fast reader resolves a key's subkey lists once. */
static bool fast_subs(bl_key *k)
{
    if (k->subs_loaded)
        return !k->subs_failed;
    k->subs_loaded = true;
    const char *why;
    if (!spend(k->hive, 8 * (uint64_t)k->nk.nsubkeys)) {
        k->subs_failed = true;
        return false;
    }
    if (bl_cells_subkeys(&k->hive->cells, &k->nk, &k->subs, &k->nsubs, &why) != 0) {
        bl_hive_add_problem(k->hive, k->path, "subkey list unreadable: %s", why);
        k->subs_failed = true;
        return false;
    }
    return true;
}

uint32_t bl_key_subkey_count(bl_key *k)
{
    if (k->hive->fast)
        return fast_subs(k) ? k->nsubs : 0;
    int n = 0;
    libregf_error_t *e = NULL;
    if (libregf_key_get_number_of_sub_keys(k->key, &n, &e) != 1 || n < 0) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        bl_hive_add_problem(k->hive, k->path, "subkey list unreadable: %s", why);
        return 0;
    }
    return spend(k->hive, 8 * (uint64_t)n) ? (uint32_t)n : 0;
}

bl_key *bl_key_subkey(bl_key *k, uint32_t index)
{
    if (!spend(k->hive, KEY_COST))
        return NULL;
    if (k->hive->fast) {
        if (!fast_subs(k) || index >= k->nsubs)
            return NULL;
        bl_cells_nk nk;
        const char *why;
        if (bl_cells_key(&k->hive->cells, k->subs[index], &nk, &why) != 0) {
            bl_hive_add_problem(k->hive, k->path, "subkey #%u unreadable: %s", index, why);
            return NULL;
        }
        /* Each key sits in its parent's list and records that parent, as
         * Windows' own hive check requires: a key listed elsewhere too is
         * cross-linked (damage, or a hive built to make one key count many
         * times) and is read only under its own parent. */
        if (nk.parent != k->nk.off) {
            bl_hive_add_problem(k->hive, k->path, "subkey #%u belongs to another key (cross-linked list): skipped",
                                index);
            return NULL;
        }
        return fast_wrap(k->hive, &nk, k->path);
    }
    libregf_key_t *sub = NULL;
    libregf_error_t *e = NULL;
    bl_cells_nk child;
    const char *bad;
    if (!fast_subs(k) || index >= k->nsubs || bl_cells_key(&k->hive->cells, k->subs[index], &child, &bad) != 0 ||
        !regf_list_ok(k->hive, &child, k->path))
        return NULL;
    if (index > INT32_MAX || libregf_key_get_sub_key(k->key, (int)index, &sub, &e) != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        bl_hive_add_problem(k->hive, k->path, "subkey #%u unreadable: %s", index, why);
        return NULL;
    }
    char *name = key_utf8_name(sub);
    bl_key *key = key_new(k->hive, name, join_path(k->path, name));
    key->key = sub;
    regf_locate(key);
    return key;
}

uint64_t bl_key_last_written(bl_key *k)
{
    if (k->hive->fast)
        return k->nk.last_written;
    uint64_t t = 0;
    libregf_error_t *e = NULL;
    if (libregf_key_get_last_written_time(k->key, &t, &e) != 1) {
        libregf_error_free(&e);
        return 0;
    }
    return t;
}

uint32_t bl_key_value_count(bl_key *k)
{
    if (k->hive->fast) {
        /* One check of the value list, so a broken list is one problem, not
         * one per value. */
        const char *why;
        if (bl_cells_value_list_ok(&k->hive->cells, &k->nk, &why) != 0) {
            bl_hive_add_problem(k->hive, k->path, "value list unreadable: %s", why);
            return 0;
        }
        return k->nk.nvalues;
    }
    int n = 0;
    libregf_error_t *e = NULL;
    if (libregf_key_get_number_of_values(k->key, &n, &e) != 1 || n < 0) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        bl_hive_add_problem(k->hive, k->path, "value list unreadable: %s", why);
        return 0;
    }
    return (uint32_t)n;
}

static bool fast_value(bl_key *k, uint32_t index, bl_value *out)
{
    bl_cells_vk vk;
    const char *why;
    if (bl_cells_value(&k->hive->cells, &k->nk, index, &vk, &why) != 0) {
        bl_hive_add_problem(k->hive, k->path, "value #%u unreadable: %s", index, why);
        return false;
    }
    bl_sb_reset(&k->vname);
    bl_cells_value_name(&vk, &k->vname);
    if (!spend(k->hive, VALUE_COST + (vk.data_size & 0x7FFFFFFFu) + vk.name_len))
        return false;
    if (bl_cells_value_data(&k->hive->cells, &vk, BL_VALUE_MAX_SIZE, &k->big, &out->data, &out->size,
                            &why) != 0) {
        bl_hive_add_problem(k->hive, k->path, "value \"%s\" unreadable: %s", bl_sb_str(&k->vname), why);
        return false;
    }
    out->name = bl_sb_str(&k->vname);
    out->type = vk.type;
    return true;
}

/* Fills out from the libregf value held in k->value. */
static bool regf_value_fill(bl_key *k, bl_value *out)
{
    libregf_error_t *e = NULL;
    size_t nsize = 0;
    if (libregf_value_get_utf8_name_size(k->value, &nsize, &e) != 1) {
        libregf_error_free(&e);
        nsize = 0;
    }
    if (nsize > 1 && nsize <= 65536) {
        k->value_name = bl_xmalloc(nsize);
        if (libregf_value_get_utf8_name(k->value, (uint8_t *)k->value_name, nsize, &e) != 1) {
            libregf_error_free(&e);
            k->value_name[0] = 0;
        }
        k->value_name[nsize - 1] = 0;
    } else {
        k->value_name = bl_xstrdup("");
    }
    uint32_t type = 0;
    if (libregf_value_get_value_type(k->value, &type, &e) != 1) {
        libregf_error_free(&e);
        return false;
    }
    size_t dsize = 0;
    if (libregf_value_get_value_data_size(k->value, &dsize, &e) != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        bl_hive_add_problem(k->hive, k->path, "value \"%s\" unreadable: %s", k->value_name, why);
        return false;
    }
    if (!spend(k->hive, VALUE_COST + dsize + nsize))
        return false;
    if (dsize > BL_VALUE_MAX_SIZE) {
        bl_hive_add_problem(k->hive, k->path, "value \"%s\" is %zu bytes, over the %zu-byte limit",
                            k->value_name, dsize, BL_VALUE_MAX_SIZE);
        return false;
    }
    k->value_data = bl_xmalloc(dsize + 2);
    if (dsize && libregf_value_get_value_data(k->value, k->value_data, dsize, &e) != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        bl_hive_add_problem(k->hive, k->path, "value \"%s\" data unreadable: %s", k->value_name,
                            why);
        return false;
    }
    /* libregf returns the wrong bytes for 1-3 byte values kept inside the
     * value key itself; take them from the vk cell (checked to be one). */
    if (dsize >= 1 && dsize <= 3) {
        off64_t at = 0;
        const uint8_t *img = k->hive->image;
        if (libregf_value_get_offset(k->value, &at, &e) == 1 && at > 0 &&
            (uint64_t)at + 12 <= k->hive->image_size && img[at] == 'v' && img[at + 1] == 'k' &&
            (img[at + 7] & 0x80))
            memcpy(k->value_data, img + at + 8, dsize);
        libregf_error_free(&e);
    }
    k->value_data[dsize] = k->value_data[dsize + 1] = 0;
    out->name = k->value_name;
    out->type = type;
    out->data = k->value_data;
    out->size = dsize;
    return true;
}

bool bl_key_value(bl_key *k, uint32_t index, bl_value *out)
{
    if (k->hive->fast)
        return fast_value(k, index, out);
    value_release(k);
    libregf_error_t *e = NULL;
    if (index > INT32_MAX || libregf_key_get_value(k->key, (int)index, &k->value, &e) != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        bl_hive_add_problem(k->hive, k->path, "value #%u unreadable: %s", index, why);
        return false;
    }
    return regf_value_fill(k, out);
}

bool bl_key_value_by_name(bl_key *k, const char *name, bl_value *out)
{
    if (k->hive->fast) {
        uint32_t n = bl_key_value_count(k);
        bl_sb vn = {0};
        for (uint32_t i = 0; i < n; i++) {
            bl_cells_vk vk;
            const char *why;
            if (!spend(k->hive, VALUE_COST))
                break;
            if (bl_cells_value(&k->hive->cells, &k->nk, i, &vk, &why) != 0)
                continue;
            bl_sb_reset(&vn);
            bl_cells_value_name(&vk, &vn);
            if (bl_fold_eq(bl_sb_str(&vn), name)) {
                bl_sb_free(&vn);
                return fast_value(k, i, out);
            }
        }
        bl_sb_free(&vn);
        return false;
    }
    if (!*name) {
        /* libregf does not find the default (unnamed) value by name. */
        uint32_t n = bl_key_value_count(k);
        for (uint32_t i = 0; i < n; i++)
            if (bl_key_value(k, i, out) && !*out->name)
                return true;
        return false;
    }
    value_release(k);
    libregf_error_t *e = NULL;
    int rc = libregf_key_get_value_by_utf8_name(k->key, (const uint8_t *)name, strlen(name),
                                                &k->value, &e);
    if (rc != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        if (rc < 0)
            bl_hive_add_problem(k->hive, k->path, "value \"%s\" unreadable: %s", name, why);
        return false;
    }
    return regf_value_fill(k, out);
}

void bl_hive_libraries(bl_libraries *l)
{
    bl_libraries_add(l, "libregf", libregf_get_version(), LIBREGF_VERSION_STRING);
    bl_libraries_add(l, "libbfio", libbfio_get_version(), LIBBFIO_VERSION_STRING);
}

/* open.c — opening a hive: map the file read-only, check the base block,
 * replay transaction logs in memory when the hive is dirty, and hand libregf
 * the resulting bytes through a libbfio memory range (no per-value
 * syscalls).  Also the key/value accessors, which turn libregf failures on a
 * damaged subtree into recorded problems instead of aborting. */
#include "bootlens/hive.h"

#include "cells.h"
#include "recover_internal.h"

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

struct bl_hive {
    char *path;
    const uint8_t *map; /* the file as mapped (or copied) */
    size_t map_size;
    bool mapped;
    uint8_t *owned;        /* recovered image or in-memory copy */
    const uint8_t *image;  /* what libregf reads */
    size_t image_size;
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

/* Remembers one file read for the report's inputs, hashed when asked. */
static void record_input(bl_hive *h, const bl_hive_options *opt, const char *path, const uint8_t *data,
                         size_t size, bool is_log)
{
    if (h->info.ninputs >= BL_ARRAY_LEN(h->inputs))
        return;
    bl_hive_input *in = &h->inputs[h->info.ninputs++];
    in->path = bl_xstrdup(path);
    in->size = size;
    in->is_log = is_log;
    in->hashed = opt && opt->hash_inputs;
    if (in->hashed)
        bl_sha256(data, size, in->sha256);
    h->info.inputs = h->inputs;
}

static int map_file(bl_hive *h, const char *path, bl_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        bl_error_set(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        bl_error_set(err, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        bl_error_set(err, "%s: is a directory, not a hive file", path);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        bl_error_set(err, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_size == 0) {
        bl_error_set(err, "%s: empty file, not a registry hive", path);
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > BL_HIVE_MAX_SIZE) {
        bl_error_set(err, "%s: %lld bytes is larger than any SYSTEM hive (limit %zu)", path,
                     (long long)st.st_size, BL_HIVE_MAX_SIZE);
        close(fd);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        bl_error_set(err, "%s: cannot map: %s", path, strerror(errno));
        return -1;
    }
    h->map = p;
    h->map_size = n;
    h->mapped = true;
    h->info.file_size = n;
    return 0;
}

/* Reads the logs to replay: explicit ones, or those found beside the hive. */
static size_t load_logs(bl_hive *h, const bl_hive_options *opt, bl_log_file *logs,
                        uint8_t **bufs, bl_sb *errors)
{
    char *found[BL_MAX_LOGS] = {0};
    const char *paths[BL_MAX_LOGS];
    size_t n = 0;
    if (opt && opt->logs) {
        for (size_t i = 0; i < opt->nlogs && n < BL_MAX_LOGS; i++)
            paths[n++] = opt->logs[i];
    } else {
        n = bl_find_logs(h->path, found, BL_MAX_LOGS);
        for (size_t i = 0; i < n; i++)
            paths[i] = found[i];
    }
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        bl_error e = {{0}};
        uint8_t *data;
        size_t size;
        if (bl_read_file(paths[i], BL_LOG_MAX_SIZE, &data, &size, &e) != 0) {
            bl_sb_addf(errors, "%stransaction log not used: %s", errors->len ? "\n" : "", e.msg);
            continue;
        }
        record_input(h, opt, paths[i], data, size, true);
        bufs[got] = data;
        logs[got].path = bl_xstrdup(paths[i]);
        logs[got].data = data;
        logs[got].size = size;
        got++;
    }
    for (size_t i = 0; i < BL_MAX_LOGS; i++)
        free(found[i]);
    return got;
}

/* ---- a bounds-checked memory range for libbfio ----
 * libbfio 20170123's own memory range copies the full requested size when a
 * read starts inside the buffer and runs past its end (a heap over-read our
 * fuzzer found through libregf's hive-bin reader).  These callbacks, given
 * to libbfio's custom-handle API, clamp every read to the image. */
typedef struct mem_io {
    const uint8_t *data;
    size_t size;
    size_t pos;
    bool open;
} mem_io;

static int mem_free(intptr_t **io, libbfio_error_t **e)
{
    (void)e;
    free(*io);
    *io = NULL;
    return 1;
}

static int mem_clone(intptr_t **dst, intptr_t *src, libbfio_error_t **e)
{
    (void)e;
    mem_io *c = bl_xmalloc(sizeof *c);
    *c = *(mem_io *)src;
    c->pos = 0;
    c->open = false;
    *dst = (intptr_t *)c;
    return 1;
}

static int mem_open(intptr_t *io, int flags, libbfio_error_t **e)
{
    (void)e;
    if (flags & LIBBFIO_ACCESS_FLAG_WRITE)
        return -1; /* evidence is read-only */
    ((mem_io *)io)->open = true;
    ((mem_io *)io)->pos = 0;
    return 1;
}

static int mem_close(intptr_t *io, libbfio_error_t **e)
{
    (void)e;
    ((mem_io *)io)->open = false;
    return 0;
}

static ssize_t mem_read(intptr_t *io, uint8_t *buf, size_t size, libbfio_error_t **e)
{
    (void)e;
    mem_io *m = (mem_io *)io;
    if (!m->open || size > SSIZE_MAX)
        return -1;
    if (m->pos >= m->size)
        return 0;
    size_t n = m->size - m->pos < size ? m->size - m->pos : size;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (ssize_t)n;
}

static ssize_t mem_write(intptr_t *io, const uint8_t *buf, size_t size, libbfio_error_t **e)
{
    (void)io, (void)buf, (void)size, (void)e;
    return -1;
}

static off64_t mem_seek(intptr_t *io, off64_t offset, int whence, libbfio_error_t **e)
{
    (void)e;
    mem_io *m = (mem_io *)io;
    off64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (off64_t)m->pos : (off64_t)m->size;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return -1;
    if ((offset < 0 && -offset > base) || offset > INT64_MAX - base)
        return -1;
    m->pos = (size_t)(base + offset);
    return (off64_t)m->pos;
}

static int mem_exists(intptr_t *io, libbfio_error_t **e)
{
    (void)io, (void)e;
    return 1;
}

static int mem_is_open(intptr_t *io, libbfio_error_t **e)
{
    (void)e;
    return ((mem_io *)io)->open ? 1 : 0;
}

static int mem_get_size(intptr_t *io, size64_t *size, libbfio_error_t **e)
{
    (void)e;
    *size = ((mem_io *)io)->size;
    return 1;
}

static int open_regf(bl_hive *h, bl_error *err)
{
    libbfio_error_t *be = NULL;
    mem_io *io = bl_xcalloc(1, sizeof *io);
    io->data = h->image;
    io->size = h->image_size;
    if (libbfio_handle_initialize(&h->bfio, (intptr_t *)io, mem_free, mem_clone, mem_open, mem_close,
                                  mem_read, mem_write, mem_seek, mem_exists, mem_is_open, mem_get_size,
                                  LIBBFIO_FLAG_IO_HANDLE_MANAGED | LIBBFIO_FLAG_IO_HANDLE_CLONE_BY_FUNCTION,
                                  &be) != 1) {
        libbfio_error_free(&be);
        free(io);
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
    /* The cell reader sees exactly the hive bins libregf accepted. */
    size_t avail = h->image_size > 4096 ? h->image_size - 4096 : 0;
    size_t bins = h->info.base.hive_bins_size;
    h->cells.base = h->image + 4096;
    h->cells.size = (uint32_t)(bins && bins < avail ? bins : (avail > UINT32_MAX ? UINT32_MAX : avail));
    h->cells.minor = h->info.base.minor;
    return 0;
}

/* Checks the base block, replays logs when needed, opens libregf.  `given`
 * are logs already in memory (read from a disk image, with `given_notes`
 * about those that could not be); explicit --log files replace them. */
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
        uint8_t *bufs[BL_MAX_LOGS];
        bl_sb log_errors = {0};
        size_t nlogs;
        if (given && !(opt && opt->logs)) {
            nlogs = ngiven < BL_MAX_LOGS ? ngiven : BL_MAX_LOGS;
            for (size_t i = 0; i < nlogs; i++) {
                logs[i] = given[i];
                logs[i].path = bl_xstrdup(given[i].path);
                bufs[i] = NULL; /* borrowed */
                record_input(h, opt, given[i].path, given[i].data, given[i].size, true);
            }
            if (given_notes)
                bl_sb_add(&log_errors, given_notes);
        } else {
            nlogs = load_logs(h, opt, logs, bufs, &log_errors);
        }
        uint8_t *out = NULL;
        size_t out_size = 0;
        bl_error rerr = {{0}};
        int rc = bl_hive_recover(h->map, h->map_size, h->path, logs, nlogs, &out, &out_size,
                                 &h->info.recovery, &rerr);
        for (size_t i = 0; i < nlogs; i++) {
            free(bufs[i]);
            free((char *)logs[i].path);
        }
        if (h->info.recovery.dirty)
            h->info.dirty = true;
        /* Recovery resets its report: add what happened to the logs after. */
        for (char *line = log_errors.buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
            nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            hive_note(h, "%s", line);
        }
        bl_sb_free(&log_errors);
        if (rc == 0 && out) {
            h->owned = out;
            h->image = out;
            h->image_size = out_size;
            h->info.recovered = true;
            bl_base_block_parse(out, out_size, h->path, &h->info.base, NULL);
        } else if (rc != 0 || verdict == BL_BASE_TRUNCATED) {
            if (!base_ok) {
                /* A broken base block we could not repair: nothing to read. */
                if (rerr.msg[0])
                    bl_error_set(err, "%s; no transaction log repairs it (%s)", bberr.msg,
                                 strstr(rerr.msg, "no transaction log can recover it: ")
                                     ? strstr(rerr.msg, "no transaction log can recover it: ") + 35
                                     : rerr.msg);
                else
                    *err = bberr;
                return -1;
            }
            hive_note(h, "%s", rerr.msg);
        }
    } else if (!base_ok) {
        *err = bberr;
        return -1;
    }
    return open_regf(h, err);
}

static bl_hive *hive_new(const char *path)
{
    bl_hive *h = bl_xcalloc(1, sizeof *h);
    h->path = bl_xstrdup(path);
    h->info.path = h->path;
    return h;
}

int bl_hive_open(const char *path, const bl_hive_options *opt, bl_hive **out, bl_error *err)
{
    bl_hive *h = hive_new(path);
    if (map_file(h, path, err) != 0) {
        bl_hive_close(h);
        return -1;
    }
    record_input(h, opt, path, h->map, h->map_size, false);
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
        bl_error_set(err, "%s: %zu bytes is larger than any SYSTEM hive (limit %zu)", in->label, in->size,
                     BL_HIVE_MAX_SIZE);
    if (in->size == 0 || in->size > BL_HIVE_MAX_SIZE) {
        free(in->data);
        bl_hive_close(h);
        return -1;
    }
    h->map = in->data;
    h->map_size = in->size;
    h->info.file_size = in->size;
    record_input(h, opt, in->label, in->data, in->size, false);
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
    free(h->owned);
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
        int rc = bl_cells_find_subkey(&h->cells, &cur, part, &next, &why);
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
    return (uint32_t)n;
}

bl_key *bl_key_subkey(bl_key *k, uint32_t index)
{
    if (k->hive->fast) {
        if (!fast_subs(k) || index >= k->nsubs)
            return NULL;
        bl_cells_nk nk;
        const char *why;
        if (bl_cells_key(&k->hive->cells, k->subs[index], &nk, &why) != 0) {
            bl_hive_add_problem(k->hive, k->path, "subkey #%u unreadable: %s", index, why);
            return NULL;
        }
        return fast_wrap(k->hive, &nk, k->path);
    }
    libregf_key_t *sub = NULL;
    libregf_error_t *e = NULL;
    if (index > INT32_MAX || libregf_key_get_sub_key(k->key, (int)index, &sub, &e) != 1) {
        char why[512];
        regf_error_text(e, why, sizeof why);
        bl_hive_add_problem(k->hive, k->path, "subkey #%u unreadable: %s", index, why);
        return NULL;
    }
    char *name = key_utf8_name(sub);
    bl_key *key = key_new(k->hive, name, join_path(k->path, name));
    key->key = sub;
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

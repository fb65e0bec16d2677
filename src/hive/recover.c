/* recover.c — replaying transaction logs onto a dirty hive, in memory.
 *
 * Windows writes registry changes to a log first and to the primary file
 * later, so a hive copied off a disk is often "dirty": its base block says a
 * write was under way, and the newest data sits in HIVE.LOG1/.LOG2 (Windows
 * 8.1+, "HvLE" log entries) or HIVE.LOG (Windows XP..8, a dirty-page bitmap).
 * This file decides whether a primary is dirty, checks every log it is given
 * and builds a new image with the logged pages applied and a clean base
 * block.  The inputs are never written; every length read from a file is
 * bounded before use, because logs copied from evidence are often damaged. */
#include "recover_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HVLE_HEADER 40u /* signature .. hash-2 */
#define HVLE_PAGE_REF 8u
#define HBIN_TIMESTAMP 20u /* first hive bin's copy of the last-written time */
#define HASH_SLICE ((size_t)8 << 20) /* entry data is hashed this much at a time */

enum log_format { LOG_UNUSABLE, LOG_OLD, LOG_NEW };

typedef struct log_entry {
    size_t off; /* in the log file */
    uint32_t size, flags, seq, hive_bins_size, npages;
} log_entry;

/* What we learnt about one log file before replaying anything. */
typedef struct log_view {
    const bl_log_file *file;
    bool mapped; /* file->data is a read-only file mapping (pages may be given back) */
    const char *name; /* file name without directories, for notes */
    bl_base_block base;
    enum log_format format;
    char problem[320]; /* why the log cannot be used at all */
    /* new format: the valid entries from the start of the file, in order */
    log_entry *entries;
    uint32_t nentries, cap;
    size_t bad_off; /* offset of the entry that ended the scan for a fault, 0 if none */
    uint32_t bad_index, bad_seq;
    char bad_why[120];
    /* old format: where the bitmap and the pages are */
    size_t bitmap_off, pages_off;
    uint32_t npages;
} log_view;

typedef struct replay {
    const uint8_t *primary;
    size_t primary_size;
    bl_base_block pb;
    bool checksum_bad;
    log_view *views;
    size_t nviews;
    bl_recovery *rep;
    uint64_t max_hbins; /* no entry may make the hive larger than this */
    const bl_image_alloc *alloc;
    uint8_t *img;
    size_t img_len;
} replay;

static void note(bl_recovery *rep, const char *fmt, ...) BL_PRINTF(2, 3);

static void note(bl_recovery *rep, const char *fmt, ...)
{
    if (rep->nnotes >= BL_ARRAY_LEN(rep->notes))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->notes[rep->nnotes++], sizeof rep->notes[0], fmt, ap);
    va_end(ap);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static uint64_t round_up(uint64_t v, uint64_t align)
{
    return (v + align - 1) / align * align;
}

/* ---- reading one log ---- */

/* Gives back the whole pages of a mapped log inside [p, p + n): they have
 * been read and are read again only if their entry is replayed.  A log can
 * hold a gigabyte of entries; this keeps what stays resident bounded. */
static void release_pages(bool mapped, const uint8_t *p, size_t n)
{
    static size_t page;
    if (!mapped)
        return;
    if (!page) {
        long ps = sysconf(_SC_PAGESIZE);
        page = ps > 0 ? (size_t)ps : 4096;
    }
    uintptr_t start = ((uintptr_t)p + page - 1) / page * page, end = ((uintptr_t)p + n) / page * page;
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}

/* Hash-1 of an entry, over its data in slices released as they are done. */
static uint64_t entry_data_hash(bool mapped, const uint8_t *p, size_t n)
{
    bl_marvin32_state st;
    bl_marvin32_init(&st, BL_LOG_MARVIN_SEED);
    while (n > HASH_SLICE) {
        bl_marvin32_update(&st, p, HASH_SLICE);
        release_pages(mapped, p, HASH_SLICE);
        p += HASH_SLICE;
        n -= HASH_SLICE;
    }
    uint64_t h = bl_marvin32_final(&st, p, n);
    release_pages(mapped, p, n);
    return h;
}

/* Returns NULL when the entry at e (avail bytes to the end of the log) is
 * sound, else why not.  Both hashes are checked so that a torn write or a
 * remnant of an older round is never replayed.  Everything the header claims
 * is checked against itself first, so that a lying size costs nothing: an
 * entry holds its header, its page references and the pages, padded to the
 * next 4 KiB at most (as Windows writes them), and never more pages than the
 * hive bins it describes. */
static const char *entry_problem(bool mapped, const uint8_t *e, size_t avail, uint64_t max_hbins,
                                 log_entry *out)
{
    out->size = bl_le32_at(e + 4);
    out->flags = bl_le32_at(e + 8);
    out->seq = bl_le32_at(e + 12);
    out->hive_bins_size = bl_le32_at(e + 16);
    out->npages = bl_le32_at(e + 20);
    if (out->size < HVLE_HEADER || out->size % BL_SECTOR != 0)
        return "bad entry size";
    if (out->size > avail)
        return "entry runs past the end of the log";
    if (out->hive_bins_size == 0 || out->hive_bins_size % BL_HBIN_ALIGN != 0)
        return "hive bins data size is not a multiple of 4096";
    if (out->hive_bins_size > max_hbins)
        return "hive bins data size is larger than the hive and its logs can fill";
    if (HVLE_HEADER + (uint64_t)out->npages * HVLE_PAGE_REF > out->size)
        return "too many dirty pages for the entry size";
    uint64_t used = HVLE_HEADER + (uint64_t)out->npages * HVLE_PAGE_REF, paged = 0;
    for (uint32_t i = 0; i < out->npages; i++) {
        const uint8_t *ref = e + HVLE_HEADER + (size_t)i * HVLE_PAGE_REF;
        uint64_t off = bl_le32_at(ref), len = bl_le32_at(ref + 4);
        if (off + len > out->hive_bins_size)
            return "dirty page lies beyond the hive bins data";
        used += len;
        paged += len;
        if (used > out->size)
            return "dirty pages run past the end of the entry";
    }
    if (paged > out->hive_bins_size)
        return "more dirty pages than the hive bins data holds";
    if (out->size > round_up(used, BL_HBIN_ALIGN))
        return "entry size is larger than its pages need";
    if (bl_marvin32(e, 32, BL_LOG_MARVIN_SEED) != bl_le64_at(e + 32))
        return "hash-2 (header) mismatch";
    if (entry_data_hash(mapped, e + HVLE_HEADER, out->size - HVLE_HEADER) != bl_le64_at(e + 24))
        return "hash-1 (data) mismatch";
    return NULL;
}

/* Collects the valid entries from the start of a new-format log, stopping
 * at the first that is not an entry (the end) or not valid (recorded in
 * bad_* so replay can say where it stopped and why). */
static void scan_entries(log_view *v, uint64_t max_hbins)
{
    const uint8_t *d = v->file->data;
    size_t n = v->file->size, off = BL_SECTOR;
    while (off < n && n - off >= HVLE_HEADER && memcmp(d + off, "HvLE", 4) == 0) {
        log_entry ent;
        const char *why = entry_problem(v->mapped, d + off, n - off, max_hbins, &ent);
        if (why) {
            v->bad_off = off;
            v->bad_index = v->nentries + 1;
            v->bad_seq = ent.seq;
            snprintf(v->bad_why, sizeof v->bad_why, "%s", why);
            return;
        }
        ent.off = off;
        bl_grow((void **)&v->entries, sizeof *v->entries, &v->cap, v->nentries + 1);
        v->entries[v->nentries++] = ent;
        off += ent.size; /* size >= 512 was checked: the scan always advances */
    }
}

/* Validates an old-format log: a finished write (equal sequence numbers),
 * the "DIRT" vector, and as many 512-byte pages as the bitmap marks. */
static void check_dirty_vector(log_view *v, uint64_t max_hbins)
{
    const uint8_t *d = v->file->data;
    size_t n = v->file->size;
    if (v->base.primary_seq != v->base.secondary_seq) {
        snprintf(v->problem, sizeof v->problem,
                 "incomplete log (sequence numbers %u and %u differ)", v->base.primary_seq,
                 v->base.secondary_seq);
        return;
    }
    /* The vector starts at the second sector; with 4 KiB sectors that is
     * 4096, with 512-byte ones 512. */
    size_t vec = BL_SECTOR;
    if (v->base.clustering > 1 && v->base.clustering <= 8 &&
        (size_t)v->base.clustering * BL_SECTOR + 4 <= n &&
        memcmp(d + (size_t)v->base.clustering * BL_SECTOR, "DIRT", 4) == 0)
        vec = (size_t)v->base.clustering * BL_SECTOR;
    if (n < vec + 4 || memcmp(d + vec, "DIRT", 4) != 0) {
        snprintf(v->problem, sizeof v->problem, "no dirty vector (\"DIRT\") at offset 0x%zx", vec);
        return;
    }
    uint32_t hbins = v->base.hive_bins_size;
    if (hbins == 0 || hbins % BL_HBIN_ALIGN != 0 || hbins > max_hbins) {
        snprintf(v->problem, sizeof v->problem, "bad hive bins data size %u in the log", hbins);
        return;
    }
    size_t bitmap_bytes = hbins / BL_SECTOR / 8;
    if (n - vec - 4 < bitmap_bytes) {
        snprintf(v->problem, sizeof v->problem, "truncated dirty vector");
        return;
    }
    uint32_t pages = 0;
    for (size_t i = 0; i < bitmap_bytes; i++)
        for (unsigned byte = d[vec + 4 + i]; byte; byte &= byte - 1)
            pages++;
    size_t pages_off = (size_t)round_up(vec + 4 + bitmap_bytes, BL_SECTOR);
    if (pages_off > n || (n - pages_off) / BL_SECTOR < pages) {
        snprintf(v->problem, sizeof v->problem,
                 "truncated: the dirty vector marks %u pages, the log holds %zu", pages,
                 pages_off > n ? (size_t)0 : (n - pages_off) / BL_SECTOR);
        return;
    }
    v->bitmap_off = vec + 4;
    v->pages_off = pages_off;
    v->npages = pages;
}

/* Classifies a log and checks everything that does not depend on the
 * primary.  Empty files (a .LOG beside .LOG1/.LOG2 usually is) are simply
 * unusable, without a complaint. */
static void analyze_log(log_view *v, uint64_t max_hbins)
{
    const uint8_t *d = v->file->data;
    size_t n = v->file->size;
    if (n == 0 || !d) {
        snprintf(v->problem, sizeof v->problem, "empty");
        return;
    }
    if (n > BL_LOG_MAX_SIZE) {
        snprintf(v->problem, sizeof v->problem, "larger than the %zu-byte limit for a log",
                 (size_t)BL_LOG_MAX_SIZE);
        return;
    }
    if (n < BL_SECTOR || memcmp(d, "regf", 4) != 0) {
        snprintf(v->problem, sizeof v->problem, "not a transaction log (no \"regf\" base block)");
        return;
    }
    bl_base_block_read(d, &v->base);
    if (v->base.checksum != v->base.computed_checksum) {
        snprintf(v->problem, sizeof v->problem,
                 "log base block checksum mismatch (stored 0x%08x, computed 0x%08x)",
                 v->base.checksum, v->base.computed_checksum);
        return;
    }
    switch (v->base.file_type) {
    case BL_FILE_LOG_NEW:
        v->format = LOG_NEW;
        scan_entries(v, max_hbins);
        break;
    case BL_FILE_LOG_OLD:
    case BL_FILE_LOG_OLD_ALT:
        check_dirty_vector(v, max_hbins);
        if (!v->problem[0])
            v->format = LOG_OLD;
        break;
    default:
        snprintf(v->problem, sizeof v->problem, "file type %u is not a transaction log",
                 v->base.file_type);
    }
}

/* Whether log base block lb can belong to the primary pb: a log's base
 * block is a copy of its hive's, so the embedded name and, when both carry
 * them, the KTM GUIDs are the same (the bins size, sequence numbers and
 * time move on).  Fields one side lacks (an empty name, no "rmtm": a hive
 * written by a tool, then loaded by Windows) are no evidence either way. */
/* A name from a base block, fit for a one-line message: control characters
 * (hostile or damaged bytes) become '?'. */
static void printable_name(const char *s, char *out, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++)
        out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    out[i] = '\0';
}

static bool log_of_other_hive(const bl_base_block *pb, const bl_base_block *lb, char *why, size_t n)
{
    if (pb->file_name[0] && lb->file_name[0] && !bl_fold_eq(pb->file_name, lb->file_name)) {
        char ln[sizeof lb->file_name], pn[sizeof pb->file_name];
        printable_name(lb->file_name, ln, sizeof ln);
        printable_name(pb->file_name, pn, sizeof pn);
        snprintf(why, n, "belongs to another hive (it names \"%s\", the primary \"%s\")", ln, pn);
        return true;
    }
    if (pb->has_guids && lb->has_guids &&
        (memcmp(pb->rm_id, lb->rm_id, 16) != 0 || memcmp(pb->tm_id, lb->tm_id, 16) != 0)) {
        snprintf(why, n, "belongs to another hive (its resource manager GUIDs are not the primary's)");
        return true;
    }
    return false;
}

/* ---- building the image ---- */

/* Starts the image from the primary; when the primary's base block is bad,
 * from the log's copy of it (only its first sector is in the log). */
static void image_start(replay *r, const log_view *base_from, uint32_t hbins)
{
    size_t want = BL_BASE_BLOCK_SIZE + (size_t)hbins;
    size_t most = BL_BASE_BLOCK_SIZE + (size_t)r->max_hbins;
    r->img_len = r->primary_size > want ? r->primary_size : want;
    r->img = r->alloc->start(r->alloc->ctx, r->primary, r->primary_size, r->img_len,
                             r->primary_size > most ? r->primary_size : most);
    if (base_from) {
        memset(r->img, 0, BL_BASE_BLOCK_SIZE);
        memcpy(r->img, base_from->file->data, BL_SECTOR);
        bl_put_le32(r->img + BL_BB_FILE_TYPE, BL_FILE_PRIMARY);
    }
}

/* Makes room for hbins bytes of hive bins; new bytes are zero.  Entries were
 * checked against max_hbins, so this stays within what start was told. */
static void image_grow(replay *r, uint32_t hbins)
{
    size_t want = BL_BASE_BLOCK_SIZE + (size_t)hbins;
    if (want <= r->img_len)
        return;
    r->img = r->alloc->grow(r->alloc->ctx, r->img, r->img_len, want);
    r->img_len = want;
}

/* Writes the clean base block: both sequence numbers equal to seq (the
 * sequence number the next log entry would carry, as Windows leaves it), the
 * final size, primary file type, and a fresh checksum. */
static void image_finish(replay *r, uint32_t seq, uint32_t hbins)
{
    bl_put_le32(r->img + BL_BB_PRIMARY_SEQ, seq);
    bl_put_le32(r->img + BL_BB_SECONDARY_SEQ, seq);
    bl_put_le32(r->img + BL_BB_HIVE_BINS_SIZE, hbins);
    bl_put_le32(r->img + BL_BB_FILE_TYPE, BL_FILE_PRIMARY);
    bl_put_le32(r->img + BL_BB_CHECKSUM, bl_base_block_checksum(r->img));
    r->rep->final_seq = seq;
}

/* Records that v contributed, once, in the order logs were first used. */
static void mark_applied(replay *r, const log_view *v)
{
    bl_recovery *rep = r->rep;
    const char *path = v->file->path ? v->file->path : v->name;
    for (uint32_t i = 0; i < rep->logs_applied; i++)
        if (strcmp(rep->applied[i], path) == 0)
            return;
    if (rep->logs_applied < BL_MAX_LOGS)
        snprintf(rep->applied[rep->logs_applied++], sizeof rep->applied[0], "%s", path);
}

/* Writes the dirty pages of a validated entry (scan_entries checked every
 * reference against the entry's hive bins size, which the image is grown
 * to first). */
static void apply_entry(replay *r, const log_view *v, const log_entry *e)
{
    const uint8_t *base = v->file->data + e->off;
    const uint8_t *page = base + HVLE_HEADER + (size_t)e->npages * HVLE_PAGE_REF;
    image_grow(r, e->hive_bins_size);
    for (uint32_t i = 0; i < e->npages; i++) {
        const uint8_t *ref = base + HVLE_HEADER + (size_t)i * HVLE_PAGE_REF;
        uint32_t off = bl_le32_at(ref), len = bl_le32_at(ref + 4);
        memcpy(r->img + BL_BASE_BLOCK_SIZE + off, page, len);
        page += len;
    }
    /* The entry carries the base block's flags and size as of its write. */
    bl_put_le32(r->img + BL_BB_FLAGS, e->flags);
    bl_put_le32(r->img + BL_BB_HIVE_BINS_SIZE, e->hive_bins_size);
    r->rep->entries++;
    r->rep->pages += e->npages;
}

/* ---- new format ---- */

/* The log whose base block can stand in for a broken primary one: the
 * oldest (lowest sequence number), because replay must start from there and
 * re-applying entries the primary already holds is harmless. */
static const log_view *new_base_supplier(const replay *r)
{
    const log_view *best = NULL;
    for (size_t i = 0; i < r->nviews; i++) {
        const log_view *v = &r->views[i];
        uint32_t hbins = v->base.hive_bins_size;
        if (v->format != LOG_NEW || hbins == 0 || hbins % BL_HBIN_ALIGN != 0 ||
            hbins > r->max_hbins)
            continue;
        if (!best || v->base.secondary_seq < best->base.secondary_seq)
            best = v;
    }
    return best;
}

/* First entry of v at or after index from whose sequence number is >= seq. */
static bool find_entry(const log_view *v, uint32_t from, uint32_t seq, uint32_t *index)
{
    for (uint32_t i = from; i < v->nentries; i++)
        if (v->entries[i].seq >= seq) {
            *index = i;
            return true;
        }
    return false;
}

/* Is there an invalid entry that claims a sequence number in [lo, hi)?  Then
 * a gap in the chain is damage, not a partial reconcile. */
static const log_view *bad_entry_between(const replay *r, uint32_t lo, uint32_t hi)
{
    for (size_t i = 0; i < r->nviews; i++) {
        const log_view *v = &r->views[i];
        if (v->format == LOG_NEW && v->bad_off && v->bad_seq >= lo && v->bad_seq < hi)
            return v;
    }
    return NULL;
}

/* Follows sequence numbers across the logs: entry N, then N+1 wherever it
 * is, until no log holds the next one.  Returns how many entries were
 * applied; *next is the sequence number the hive expects next. */
static uint32_t replay_chain(replay *r, uint32_t *next, const log_view **last)
{
    uint32_t pos[BL_MAX_LOGS] = {0}, applied = 0;
    for (;;) {
        log_view *best = NULL;
        uint32_t best_i = 0;
        for (size_t k = 0; k < r->nviews; k++) {
            log_view *v = &r->views[k];
            uint32_t i;
            if (v->format == LOG_NEW && find_entry(v, pos[k], *next, &i) &&
                (!best || v->entries[i].seq < best->entries[best_i].seq)) {
                best = v;
                best_i = i;
            }
        }
        if (!best)
            break;
        uint32_t seq = best->entries[best_i].seq;
        if (seq != *next) {
            /* Entries are missing.  At the very start this is what a partial
             * reconcile leaves (the primary already holds them, see the
             * format notes); later in the chain it ends the replay. */
            if (applied || bad_entry_between(r, *next, seq))
                break;
            note(r->rep,
                 "log entries %u..%u are missing (already reconciled into the primary?); replay "
                 "starts at %u",
                 *next, seq - 1, seq);
            *next = seq;
        }
        size_t k = (size_t)(best - r->views);
        uint32_t i = best_i;
        for (; i < best->nentries && best->entries[i].seq == *next; i++) {
            apply_entry(r, best, &best->entries[i]);
            applied++;
            if (++*next == 0) /* sequence numbers never wrap in practice; stop */
                break;
        }
        pos[k] = i;
        mark_applied(r, best);
        *last = best;
        if (*next == 0)
            break;
    }
    return applied;
}

/* Says, per new-format log, why none of its entries could start replay at
 * sequence number want. */
static void describe_new_failure(const replay *r, uint32_t want, bl_sb *why)
{
    for (size_t i = 0; i < r->nviews; i++) {
        const log_view *v = &r->views[i];
        if (v->format != LOG_NEW)
            continue;
        if (v->bad_off)
            bl_sb_addf(why, "; %s: entry %u (offset 0x%zx, sequence number %u): %s", v->name,
                       v->bad_index, v->bad_off, v->bad_seq, v->bad_why);
        else if (v->nentries == 0)
            bl_sb_addf(why, "; %s: no log entries", v->name);
        else
            bl_sb_addf(why, "; %s: entries %u..%u, none with sequence number %u", v->name,
                       v->entries[0].seq, v->entries[v->nentries - 1].seq, want);
    }
}

/* Returns 1 when an image was built, 0 when no new-format log applies
 * (reasons appended to why). */
static int recover_new(replay *r, bl_sb *why)
{
    bool any = false;
    for (size_t i = 0; i < r->nviews; i++)
        any |= r->views[i].format == LOG_NEW;
    if (!any)
        return 0;
    const log_view *base_from = NULL;
    uint32_t next = r->pb.secondary_seq, hbins = r->pb.hive_bins_size;
    if (r->checksum_bad) {
        base_from = new_base_supplier(r);
        if (!base_from)
            return 0;
        next = base_from->base.secondary_seq;
        hbins = base_from->base.hive_bins_size;
    }
    /* The primary's size only sizes the start image; entries set the real
     * size, and a bogus primary value must not make us allocate it. */
    if ((uint64_t)hbins > r->max_hbins)
        hbins = 0;
    image_start(r, base_from, hbins);
    uint32_t want = next;
    const log_view *last = NULL;
    uint32_t applied = replay_chain(r, &next, &last);
    if (applied == 0 && !base_from) {
        describe_new_failure(r, want, why);
        r->alloc->release(r->alloc->ctx, r->img, r->img_len);
        r->img = NULL;
        return 0;
    }
    if (base_from) {
        note(r->rep, "base block taken from %s (the primary's is damaged)", base_from->name);
        mark_applied(r, base_from);
    }
    /* Say where the replay ended when a damaged entry ended it: either the
     * entry right after the last one applied, or one claiming the next
     * sequence number in another log. */
    const log_view *bad = bad_entry_between(r, next, next + 1);
    if (!bad && last && last->bad_off && last->entries[last->nentries - 1].seq + 1 == next)
        bad = last;
    if (bad)
        note(r->rep,
             "%s: entry %u (offset 0x%zx) is invalid (%s); replay stopped after sequence number %u",
             bad->name, bad->bad_index, bad->bad_off, bad->bad_why, next - 1);
    snprintf(r->rep->format, sizeof r->rep->format, "new");
    image_finish(r, next, bl_le32_at(r->img + BL_BB_HIVE_BINS_SIZE));
    return 1;
}

/* ---- old format ---- */

/* Whether an old-format log belongs to this primary: it must carry the
 * primary's last-written time.  When the primary's base block is damaged, its
 * time field may still be intact, and the first hive bin keeps a copy of the
 * time as well; either one matching is accepted. */
static bool old_log_matches(const replay *r, const log_view *v)
{
    if (v->base.last_written == r->pb.last_written)
        return true;
    size_t at = BL_BASE_BLOCK_SIZE + HBIN_TIMESTAMP;
    return r->checksum_bad && r->primary_size >= at + 8 &&
           v->base.last_written == bl_le64_at(r->primary + at);
}

/* Windows XP..8 keep one dirty vector per log and apply the log that
 * belongs to the primary; if several do (Vista..8 alternate .LOG1/.LOG2),
 * the one written last carries the newest pages. */
static int recover_old(replay *r, bl_sb *why)
{
    const log_view *v = NULL;
    for (size_t k = 0; k < r->nviews; k++) {
        const log_view *c = &r->views[k];
        if (c->format != LOG_OLD)
            continue;
        if (!old_log_matches(r, c))
            bl_sb_addf(why, "; %s: written at another time than the primary (not its log)",
                       c->name);
        else if (!v || c->base.secondary_seq > v->base.secondary_seq)
            v = c;
    }
    if (!v)
        return 0;
    image_start(r, r->checksum_bad ? v : NULL, v->base.hive_bins_size);
    const uint8_t *bitmap = v->file->data + v->bitmap_off;
    const uint8_t *page = v->file->data + v->pages_off;
    uint32_t bits = v->base.hive_bins_size / BL_SECTOR;
    for (uint32_t bit = 0; bit < bits; bit++) {
        if (!(bitmap[bit / 8] >> (bit % 8) & 1))
            continue;
        memcpy(r->img + BL_BASE_BLOCK_SIZE + (size_t)bit * BL_SECTOR, page, BL_SECTOR);
        page += BL_SECTOR;
    }
    r->rep->pages += v->npages;
    if (r->checksum_bad)
        note(r->rep, "base block taken from %s (the primary's is damaged)", v->name);
    mark_applied(r, v);
    snprintf(r->rep->format, sizeof r->rep->format, "old");
    image_finish(r, v->base.secondary_seq, v->base.hive_bins_size);
    return 1;
}

/* ---- deciding ---- */

/* Whether some log can replace the primary's damaged base block. */
static bool can_supply_base(const replay *r)
{
    if (new_base_supplier(r))
        return true;
    for (size_t i = 0; i < r->nviews; i++)
        if (r->views[i].format == LOG_OLD && old_log_matches(r, &r->views[i]))
            return true;
    return false;
}

/* A clean primary is still stale when a log holds the entry that follows
 * it: the log was written and the crash came before the primary's base block
 * was invalidated.  Only new-format logs can show this (an old-format log of
 * a later write has a different timestamp and never applies). */
static const log_view *newer_log(const replay *r)
{
    for (size_t i = 0; i < r->nviews; i++) {
        const log_view *v = &r->views[i];
        uint32_t idx;
        if (v->format == LOG_NEW && find_entry(v, 0, r->pb.secondary_seq, &idx) &&
            v->entries[idx].seq == r->pb.secondary_seq)
            return v;
    }
    return NULL;
}

/* Cheap look at a log before any hashing: could it hold entry seq?  Lets a
 * clean hive (the common case) skip validating megabytes of old entries. */
static bool might_hold_entry(const bl_log_file *f, uint32_t seq)
{
    if (!f->data || f->size < BL_SECTOR || memcmp(f->data, "regf", 4) != 0 ||
        bl_le32_at(f->data + BL_BB_FILE_TYPE) != BL_FILE_LOG_NEW)
        return false;
    size_t off = BL_SECTOR;
    while (off < f->size && f->size - off >= HVLE_HEADER && memcmp(f->data + off, "HvLE", 4) == 0) {
        uint32_t size = bl_le32_at(f->data + off + 4);
        if (bl_le32_at(f->data + off + 12) == seq)
            return true;
        if (size < BL_SECTOR || size % BL_SECTOR != 0 || size > f->size - off)
            return false;
        off += size;
    }
    return false;
}

/* Releases what analyze_log allocated. */
static void free_views(replay *r)
{
    for (size_t i = 0; i < r->nviews; i++)
        free(r->views[i].entries);
}

/* Contract (see hive.h): inputs are read only; *out is NULL unless logs
 * were replayed.  The decisions, in order:
 *   - a primary that is no hive at all is refused with the base block error;
 *   - dirty means: the base block checksum is bad and a log can supply one,
 *     or the sequence numbers differ, or (clean primary) a new-format log
 *     holds the entry numbered like the primary's secondary sequence number;
 *     a bad checksum with no log to repair it is left to the caller (0, no
 *     image, a note);
 *   - new-format logs are tried first: replay starts at the entry numbered
 *     like the secondary sequence number, wherever it is, and follows N+1
 *     across logs (so the order the logs are given in does not matter);
 *   - otherwise the old-format log of this primary (same last-written time)
 *     with the highest sequence number is applied;
 *   - a dirty hive no log can recover is refused with one line naming each
 *     log and what is wrong with it. */
int bl_hive_recover_with(const bl_image_alloc *alloc, bool logs_mapped, const uint8_t *primary, size_t size,
                         const char *label, const bl_log_file *logs, size_t nlogs, uint8_t **out, size_t *out_size,
                         bl_recovery *rep, bl_error *err)
{
    *out = NULL;
    *out_size = 0;
    memset(rep, 0, sizeof *rep);
    if (!label)
        label = "hive";
    if (!primary || size > BL_HIVE_MAX_SIZE) {
        bl_error_set(err, "%s: larger than the %zu-byte limit for a hive", label,
                     (size_t)BL_HIVE_MAX_SIZE);
        return -1;
    }

    replay r = {.primary = primary, .primary_size = size, .rep = rep, .alloc = alloc};
    bl_error perr = {{0}};
    switch (bl_base_block_check(primary, size, label, &r.pb, &perr)) {
    case BL_BASE_OK:
        break;
    case BL_BASE_BAD_CHECKSUM:
        r.checksum_bad = true;
        break;
    case BL_BASE_TRUNCATED:
        /* Replay can still run; the caller decides what to do with a short
         * file, as it would without logs. */
        note(rep, "the primary holds %zu of the %u bytes of hive bins it announces",
             size - BL_BASE_BLOCK_SIZE, r.pb.hive_bins_size);
        break;
    case BL_BASE_BAD:
        if (err)
            *err = perr;
        return -1;
    }

    size_t nused = nlogs < BL_MAX_LOGS ? nlogs : BL_MAX_LOGS;
    if (!r.checksum_bad && r.pb.primary_seq == r.pb.secondary_seq) {
        bool maybe = false;
        for (size_t i = 0; i < nused && !maybe; i++)
            maybe = might_hold_entry(&logs[i], r.pb.secondary_seq);
        if (!maybe)
            return 0;
    }

    /* Everything replayed must come from the primary or a log, so together
     * they bound how large the recovered hive can honestly be. */
    uint64_t budget = size - BL_BASE_BLOCK_SIZE;
    log_view views[BL_MAX_LOGS];
    memset(views, 0, sizeof views);
    r.views = views;
    r.nviews = nused;
    for (size_t i = 0; i < r.nviews; i++)
        budget += logs[i].size;
    budget = round_up(budget, BL_HBIN_ALIGN);
    r.max_hbins = budget < BL_HIVE_MAX_SIZE - BL_BASE_BLOCK_SIZE
                      ? budget
                      : BL_HIVE_MAX_SIZE - BL_BASE_BLOCK_SIZE;
    for (size_t i = 0; i < r.nviews; i++) {
        views[i].file = &logs[i];
        views[i].mapped = logs_mapped;
        views[i].name = logs[i].path ? base_name(logs[i].path) : "log";
        analyze_log(&views[i], r.max_hbins);
        /* (a primary with a bad checksum cannot vouch for its own fields) */
        if (!r.checksum_bad && views[i].format != LOG_UNUSABLE &&
            log_of_other_hive(&r.pb, &views[i].base, views[i].problem, sizeof views[i].problem))
            views[i].format = LOG_UNUSABLE;
    }

    const log_view *newer = NULL;
    if (r.checksum_bad) {
        if (!can_supply_base(&r)) {
            note(rep, "base block checksum mismatch and no transaction log can replace it");
            free_views(&r);
            return 0;
        }
        snprintf(rep->why, sizeof rep->why,
                 "base block checksum mismatch (stored 0x%08x, computed 0x%08x)", r.pb.checksum,
                 r.pb.computed_checksum);
    } else if (r.pb.primary_seq != r.pb.secondary_seq) {
        snprintf(rep->why, sizeof rep->why,
                 "sequence numbers differ (primary %u, secondary %u): a write was not completed",
                 r.pb.primary_seq, r.pb.secondary_seq);
    } else if ((newer = newer_log(&r)) != NULL) {
        snprintf(rep->why, sizeof rep->why,
                 "%s holds log entry %u, which the primary (sequence numbers %u/%u) lacks",
                 newer->name, r.pb.secondary_seq, r.pb.primary_seq, r.pb.secondary_seq);
    } else {
        free_views(&r);
        return 0;
    }
    rep->dirty = true;

    bl_sb why = {0};
    int done = recover_new(&r, &why) || recover_old(&r, &why);
    if (done) {
        *out = r.img;
        *out_size = r.img_len;
    } else {
        bl_sb reasons = {0};
        for (size_t i = 0; i < r.nviews; i++)
            if (views[i].format == LOG_UNUSABLE && strcmp(views[i].problem, "empty") != 0)
                bl_sb_addf(&reasons, "; %s: %s", views[i].name, views[i].problem);
        bl_sb_add(&reasons, bl_sb_str(&why));
        if (reasons.len < 2)
            bl_sb_add(&reasons, "; no transaction log found");
        bl_error_set(err, "%s: dirty hive (%s) and no transaction log can recover it: %s", label,
                     rep->why, bl_sb_str(&reasons) + 2);
        bl_sb_free(&reasons);
    }
    bl_sb_free(&why);
    free_views(&r);
    return done ? 0 : -1;
}

/* The plain allocator: the image is a heap copy of the primary. */
static uint8_t *heap_start(void *ctx, const uint8_t *primary, size_t primary_size, size_t len, size_t most)
{
    (void)ctx, (void)most;
    uint8_t *img = bl_xcalloc(1, len);
    memcpy(img, primary, primary_size);
    return img;
}

static uint8_t *heap_grow(void *ctx, uint8_t *img, size_t old_len, size_t len)
{
    (void)ctx;
    img = bl_xrealloc(img, len);
    memset(img + old_len, 0, len - old_len);
    return img;
}

static void heap_release(void *ctx, uint8_t *img, size_t len)
{
    (void)ctx, (void)len;
    free(img);
}

const bl_image_alloc bl_image_heap = {heap_start, heap_grow, heap_release, NULL};

int bl_hive_recover(const uint8_t *primary, size_t size, const char *label, const bl_log_file *logs,
                    size_t nlogs, uint8_t **out, size_t *out_size, bl_recovery *rep, bl_error *err)
{
    return bl_hive_recover_with(&bl_image_heap, false, primary, size, label, logs, nlogs, out, out_size, rep, err);
}

/* ewf.c — Expert Witness (EnCase) images, E01 and their .E02… segments.
 *
 * Debian 12's libewf (20140813) cannot be used in this process: it exports
 * its own, older copy of libbfio, whose symbols lose to the system libbfio
 * that libregf and libfsntfs need, and the mix frees its handles twice.  So
 * the format is read here, from its published description (libyal's "Expert
 * Witness Compression Format" document): each segment file is a chain of
 * 76-byte section descriptors; "volume" (or "disk") gives the chunk and
 * sector sizes, "table" sections list where each chunk is (bit 31 set:
 * zlib-compressed), "sectors" hold the chunks, "next"/"done" end a segment.
 * Chunks are inflated with libdeflate (whole-buffer, about twice zlib's
 * speed: inflating is most of what reading a hive out of an E01 costs).
 *
 * Only table metadata is kept in memory (one record per table section, not
 * per chunk); a chunk's entry is read when the chunk is, and one decoded
 * chunk is cached.  Every offset, count and size comes from the evidence and
 * is checked before use. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>

#define SECTION_SIZE 76u
#define FILE_HEADER 13u
#define MAX_SECTIONS 1000000u     /* per segment: bounds a looping chain */
#define MAX_TABLES 1000000u       /* table sections in all (16375 chunks each) */
#define MAX_CHUNK ((size_t)1 << 24) /* sectors per chunk × bytes per sector */
#define MAX_SEGMENTS (99u + 26u * 26u)

typedef struct ewf_table {
    uint32_t seg;
    uint64_t entries_off; /* file offset of the u32 entries */
    uint64_t base;        /* added to each entry's offset */
    uint64_t end;         /* where the last chunk's data ends at the latest */
    uint64_t first;       /* number of its first chunk */
    uint32_t n;
} ewf_table;

typedef struct ewf {
    int *fds;
    uint64_t *sizes;
    uint32_t nsegs;
    ewf_table *tables;
    uint32_t ntables, cap;
    uint64_t nchunks;
    size_t chunk_size;
    uint8_t *chunk, *packed;
    uint64_t cached; /* chunk in `chunk`, or UINT64_MAX */
    struct libdeflate_decompressor *inflater;
} ewf;

static uint32_t adler32_of(const uint8_t *p, size_t n)
{
    return libdeflate_adler32(1, p, n);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, (uint8_t *)buf + got, n - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

/* The name of segment number i (1-based) after "x.E01": E02…E99, EAA…EZZ,
 * in the letter case of the first. */
static void segment_name(const char *first, uint32_t i, char *out, size_t size)
{
    snprintf(out, size, "%s", first);
    size_t n = strlen(out);
    bool lower = out[n - 3] == 'e';
    if (i <= 99) {
        snprintf(out + n - 2, 3, "%02u", i);
    } else {
        uint32_t k = i - 100;
        out[n - 2] = (char)((lower ? 'a' : 'A') + k / 26);
        out[n - 1] = (char)((lower ? 'a' : 'A') + k % 26);
    }
}

static void ewf_free(ewf *x)
{
    for (uint32_t i = 0; i < x->nsegs; i++)
        close(x->fds[i]);
    free(x->fds);
    free(x->sizes);
    free(x->tables);
    free(x->chunk);
    free(x->packed);
    libdeflate_free_decompressor(x->inflater);
    free(x);
}

/* Walks segment s's sections, collecting its tables.  *geometry is set by
 * the first "volume"/"disk" section.  Returns 1 when the segment ends in
 * "done" (last segment), 0 for "next", -1 with why. */
static int read_segment(ewf *x, uint32_t s, uint64_t *sectors, uint32_t *bps, char *why, size_t whysz)
{
    int fd = x->fds[s];
    uint8_t head[FILE_HEADER];
    if (pread_all(fd, head, sizeof head, 0) != 0 || memcmp(head, "EVF\x09\x0d\x0a\xff\x00", 8) != 0) {
        snprintf(why, whysz, "segment %u is not an EWF segment file", s + 1);
        return -1;
    }
    if ((uint32_t)(head[9] | head[10] << 8) != s + 1) {
        snprintf(why, whysz, "segment file %u says it is segment %u", s + 1, (unsigned)(head[9] | head[10] << 8));
        return -1;
    }
    uint64_t off = FILE_HEADER;
    for (uint32_t count = 0; count < MAX_SECTIONS; count++) {
        uint8_t d[SECTION_SIZE];
        if (off > x->sizes[s] || x->sizes[s] - off < SECTION_SIZE || pread_all(fd, d, sizeof d, off) != 0) {
            snprintf(why, whysz, "segment %u ends inside its sections (truncated?)", s + 1);
            return -1;
        }
        if (adler32_of(d, 72) != le32(d + 72)) {
            snprintf(why, whysz, "segment %u: section descriptor at offset %llu is damaged (checksum)", s + 1,
                     (unsigned long long)off);
            return -1;
        }
        const char *type = (const char *)d;
        uint64_t next = le64(d + 16), size = le64(d + 24);
        if (strncmp(type, "done", 16) == 0)
            return 1;
        if (strncmp(type, "next", 16) == 0)
            return 0;
        if ((strncmp(type, "volume", 16) == 0 || strncmp(type, "disk", 16) == 0) && *bps == 0) {
            uint8_t v[24];
            if (size < SECTION_SIZE + sizeof v || pread_all(fd, v, sizeof v, off + SECTION_SIZE) != 0) {
                snprintf(why, whysz, "volume section unreadable");
                return -1;
            }
            uint32_t spc = le32(v + 8);
            *bps = le32(v + 12);
            *sectors = le64(v + 16);
            if (*bps == 0 || spc == 0 || (uint64_t)spc * *bps > MAX_CHUNK || *sectors > UINT64_MAX / *bps) {
                snprintf(why, whysz, "volume section with impossible geometry (%u sectors of %u bytes per chunk)",
                         spc, *bps);
                return -1;
            }
            x->chunk_size = (size_t)spc * *bps;
        } else if (strncmp(type, "table", 16) == 0) {
            uint8_t t[24];
            if (size < SECTION_SIZE + sizeof t || pread_all(fd, t, sizeof t, off + SECTION_SIZE) != 0 ||
                adler32_of(t, 20) != le32(t + 20)) {
                snprintf(why, whysz, "segment %u: table section at offset %llu is damaged", s + 1,
                         (unsigned long long)off);
                return -1;
            }
            uint32_t n = le32(t);
            if (n == 0)
                goto next_section;
            if ((uint64_t)n * 4 > size - SECTION_SIZE - sizeof t || x->ntables >= MAX_TABLES) {
                snprintf(why, whysz, "segment %u: table section with an impossible entry count (%u)", s + 1, n);
                return -1;
            }
            bl_grow((void **)&x->tables, sizeof *x->tables, &x->cap, x->ntables + 1);
            x->tables[x->ntables++] = (ewf_table){s, off + SECTION_SIZE + sizeof t, le64(t + 8), off, x->nchunks, n};
            x->nchunks += n;
        }
    next_section:
        if (next <= off || next > x->sizes[s]) {
            snprintf(why, whysz, "segment %u: section chain broken at offset %llu (truncated?)", s + 1,
                     (unsigned long long)off);
            return -1;
        }
        off = next;
    }
    snprintf(why, whysz, "segment %u: more than %u sections", s + 1, MAX_SECTIONS);
    return -1;
}

/* Decodes chunk c into x->chunk.  0, or -1 with why. */
static int load_chunk(ewf *x, uint64_t c, char *why, size_t whysz)
{
    if (x->cached == c)
        return 0;
    uint32_t lo = 0, hi = x->ntables;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (x->tables[mid].first <= c)
            lo = mid;
        else
            hi = mid;
    }
    if (!x->ntables || c >= x->nchunks) {
        snprintf(why, whysz, "chunk %llu is not in the image (truncated or missing segment?)", (unsigned long long)c);
        return -1;
    }
    const ewf_table *t = &x->tables[lo];
    uint64_t i = c - t->first;
    uint8_t e[8];
    size_t ne = i + 1 < t->n ? 8 : 4;
    int fd = x->fds[t->seg];
    if (pread_all(fd, e, ne, t->entries_off + 4 * i) != 0) {
        snprintf(why, whysz, "chunk %llu: its table entry cannot be read", (unsigned long long)c);
        return -1;
    }
    bool packed = e[3] & 0x80;
    uint64_t start = t->base + (le32(e) & 0x7FFFFFFFu);
    uint64_t end = ne == 8 ? t->base + (le32(e + 4) & 0x7FFFFFFFu) : t->end;
    /* A stored chunk is its bytes and an Adler-32; a compressed one at most
     * a little more than that. */
    size_t room = x->chunk_size + 4 + x->chunk_size / 8 + 64;
    if (ne == 4 && end > start && end - start > room)
        end = start + (packed ? room : x->chunk_size + 4);
    if (end <= start || end - start > room || end > x->sizes[t->seg]) {
        snprintf(why, whysz, "chunk %llu: impossible extent in segment %u", (unsigned long long)c, t->seg + 1);
        return -1;
    }
    size_t n = (size_t)(end - start);
    if (pread_all(fd, x->packed, n, start) != 0) {
        snprintf(why, whysz, "chunk %llu cannot be read from segment %u", (unsigned long long)c, t->seg + 1);
        return -1;
    }
    x->cached = UINT64_MAX;
    if (packed) {
        /* One zlib stream (its Adler-32 checked), perhaps followed by slack
         * when the extent was guessed; the last chunk may be short, a longer
         * stream is damage. */
        size_t out = 0, used = 0;
        enum libdeflate_result zr =
            libdeflate_zlib_decompress_ex(x->inflater, x->packed, n, x->chunk, x->chunk_size, &used, &out);
        if (zr != LIBDEFLATE_SUCCESS) {
            snprintf(why, whysz, "chunk %llu does not decompress (damaged image)", (unsigned long long)c);
            return -1;
        }
        if (out < x->chunk_size)
            memset(x->chunk + out, 0, x->chunk_size - out);
    } else {
        if (n < x->chunk_size + 4 || adler32_of(x->packed, x->chunk_size) != le32(x->packed + x->chunk_size)) {
            snprintf(why, whysz, "chunk %llu fails its checksum (damaged image)", (unsigned long long)c);
            return -1;
        }
        memcpy(x->chunk, x->packed, x->chunk_size);
    }
    x->cached = c;
    return 0;
}

static int ewf_read(bl_disk *d, uint64_t off, void *buf, size_t n, char *why, size_t whysz)
{
    ewf *x = d->impl;
    uint8_t *p = buf;
    while (n) {
        uint64_t c = off / x->chunk_size;
        size_t in = (size_t)(off % x->chunk_size);
        size_t take = x->chunk_size - in < n ? x->chunk_size - in : n;
        if (load_chunk(x, c, why, whysz) != 0)
            return -1;
        memcpy(p, x->chunk + in, take);
        p += take;
        off += take;
        n -= take;
    }
    return 0;
}

static void ewf_close(bl_disk *d)
{
    if (d->impl)
        ewf_free(d->impl);
}

bool bl_ewf_first_name(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && path[n - 4] == '.' && (path[n - 3] | 0x20) == 'e' && path[n - 2] == '0' && path[n - 1] == '1';
}

int bl_ewf_open(const char *path, bl_disk **out, bl_error *err)
{
    if (!bl_ewf_first_name(path)) {
        bl_error_set(err, "%s: an EWF image is opened by its first segment, NAME.E01", path);
        return -1;
    }
    bl_disk *d = bl_xcalloc(1, sizeof *d);
    d->format = "EWF";
    d->sector_size = 512;
    d->read = ewf_read;
    d->close = ewf_close;
    ewf *x = bl_xcalloc(1, sizeof *x);
    x->cached = UINT64_MAX;
    d->impl = x;
    uint64_t sectors = 0;
    uint32_t bps = 0;
    char why[256] = "";
    char name[4096];
    int rc = -1;
    for (uint32_t s = 0; s < MAX_SEGMENTS; s++) {
        if (s == 0)
            snprintf(name, sizeof name, "%s", path);
        else
            segment_name(path, s + 1, name, sizeof name);
        struct stat st;
        bl_error oe;
        int fd = bl_open_input(name, &st, &oe); /* a FIFO segment must not block */
        if (fd < 0) {
            snprintf(why, sizeof why, "segment %s is missing", name);
            break;
        }
        x->fds = bl_xrealloc(x->fds, (x->nsegs + 1) * sizeof *x->fds);
        x->sizes = bl_xrealloc(x->sizes, (x->nsegs + 1) * sizeof *x->sizes);
        x->fds[x->nsegs] = fd;
        x->sizes[x->nsegs] = (uint64_t)st.st_size;
        x->nsegs++;
        d->files = bl_xrealloc(d->files, (d->nfiles + 1) * sizeof *d->files);
        d->files[d->nfiles++] = bl_xstrdup(name);
        int r = read_segment(x, s, &sectors, &bps, why, sizeof why);
        if (r < 0)
            break;
        if (r == 1) {
            rc = 0;
            break;
        }
    }
    if (rc == 0 && (bps == 0 || x->chunk_size == 0)) {
        snprintf(why, sizeof why, "no volume section");
        rc = -1;
    }
    if (rc != 0) {
        bl_error_set(err, "%s: not a readable EWF image (%s)", path, why);
        bl_disk_close(d);
        return -1;
    }
    d->size = sectors * bps;
    d->sector_size = bps == 4096 ? 4096 : 512;
    x->chunk = bl_xmalloc(x->chunk_size);
    x->packed = bl_xmalloc(x->chunk_size + 4 + x->chunk_size / 8 + 64);
    x->inflater = libdeflate_alloc_decompressor();
    if (!x->inflater)
        bl_die("out of memory (a decompressor)");
    snprintf(d->detail, sizeof d->detail, "%u segment%s", x->nsegs, x->nsegs == 1 ? "" : "s");
    *out = d;
    return 0;
}

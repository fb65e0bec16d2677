/* cells.c — a direct, bounds-checked reader of regf cells over the mapped
 * hive image: key nodes (nk), value keys (vk), subkey lists (lf, lh, li, ri),
 * value lists and big data (db).
 *
 * Why it exists: libregf finds a cell by walking its list of hive bins, so
 * every key and value costs a scan; a 15 MB SYSTEM hive took ~40 ms just to
 * read the keys bootlens needs.  A cell's offset is its position in the hive
 * bins data, so this reader gets there in O(1).  libregf still validates the
 * file when it is opened and stays available (`--reader libregf`); the tests
 * require both readers to build identical models.
 *
 * Every length and offset read from the file is checked against the image
 * before use; anything inconsistent is an error with a reason, never a read
 * out of bounds. */
#include "cells.h"

#include <stdlib.h>
#include <string.h>

#define BIG_DATA_SEGMENT 16344u
#define MAX_BIG_DATA_SEGMENTS 65535u

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The data of the allocated cell at off (after its size field) and its
 * length; NULL with a reason when off does not name an allocated cell. */
static const uint8_t *cell_at(const bl_cells *c, uint32_t off, uint32_t *len, const char **why)
{
    if (off == 0xFFFFFFFFu || off > c->size || c->size - off < 8 || (off & 7u)) {
        *why = "cell offset outside the hive bins";
        return NULL;
    }
    int32_t size = (int32_t)le32(c->base + off);
    if (size >= 0) {
        *why = "cell is free (not allocated)";
        return NULL;
    }
    uint32_t n = (uint32_t)(-(int64_t)size);
    if (n < 8 || n > c->size - off) {
        *why = "cell size runs past the hive bins";
        return NULL;
    }
    *len = n - 4;
    return c->base + off + 4;
}

uint32_t bl_cells_bins_extent(const uint8_t *bins, uint32_t size, const char **why)
{
    uint32_t off = 0;
    *why = "";
    while (off < size) {
        if (size - off < 32) {
            *why = "a hive bin header is cut short";
            break;
        }
        const uint8_t *b = bins + off;
        uint32_t bin_size = le32(b + 8);
        if (memcmp(b, "hbin", 4) != 0) {
            *why = "no \"hbin\" signature there";
            break;
        }
        if (le32(b + 4) != off) {
            *why = "the hive bin there records another offset";
            break;
        }
        if (bin_size < 4096 || bin_size % 4096 != 0 || bin_size > size - off) {
            *why = "the hive bin there has an impossible size";
            break;
        }
        off += bin_size;
    }
    return off;
}

int bl_cells_key(const bl_cells *c, uint32_t off, bl_cells_nk *nk, const char **why)
{
    uint32_t len;
    const uint8_t *p = cell_at(c, off, &len, why);
    if (!p)
        return -1;
    if (len < 0x4C || p[0] != 'n' || p[1] != 'k') {
        *why = "not a key node (nk) cell";
        return -1;
    }
    nk->off = off;
    nk->flags = le16(p + 0x02);
    nk->last_written = (uint64_t)le32(p + 0x04) | ((uint64_t)le32(p + 0x08) << 32);
    nk->parent = le32(p + 0x10);
    nk->nsubkeys = le32(p + 0x14);
    nk->subkeys = le32(p + 0x1C);
    nk->nvalues = le32(p + 0x24);
    nk->values = le32(p + 0x28);
    nk->name_len = le16(p + 0x48);
    if (nk->name_len > len - 0x4C) {
        *why = "key name runs past its cell";
        return -1;
    }
    nk->name = p + 0x4C;
    return 0;
}

/* Latin-1 (compressed) or UTF-16LE name bytes to UTF-8. */
static void name_utf8(const uint8_t *p, uint32_t n, bool compressed, bl_sb *out)
{
    if (!compressed) {
        bl_utf16le_to_utf8(p, n, out);
        return;
    }
    bl_sb_reserve(out, 2 * (size_t)n);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (ch < 0x80) {
            out->buf[out->len++] = (char)ch;
        } else {
            out->buf[out->len++] = (char)(0xC0 | (ch >> 6));
            out->buf[out->len++] = (char)(0x80 | (ch & 0x3F));
        }
    }
    out->buf[out->len] = '\0';
}

void bl_cells_key_name(const bl_cells_nk *nk, bl_sb *out)
{
    name_utf8(nk->name, nk->name_len, (nk->flags & 0x20) != 0, out);
}

/* Appends the nk offsets of one lf/lh/li list; ri lists recurse one level
 * (Windows never nests them deeper). */
static int list_offsets(const bl_cells *c, uint32_t off, int depth, uint32_t **v, uint32_t *n,
                        uint32_t *cap, uint32_t limit, const char **why)
{
    uint32_t len;
    const uint8_t *p = cell_at(c, off, &len, why);
    if (!p)
        return -1;
    if (len < 4) {
        *why = "subkey list cell too small";
        return -1;
    }
    uint32_t count = le16(p + 2), stride;
    if ((p[0] == 'l' && (p[1] == 'f' || p[1] == 'h')))
        stride = 8;
    else if ((p[0] == 'l' && p[1] == 'i') || (p[0] == 'r' && p[1] == 'i'))
        stride = 4;
    else {
        *why = "unknown subkey list signature";
        return -1;
    }
    if ((uint64_t)count * stride > len - 4) {
        *why = "subkey list count runs past its cell";
        return -1;
    }
    for (uint32_t i = 0; i < count; i++) {
        uint32_t target = le32(p + 4 + (size_t)i * stride);
        if (p[0] == 'r') {
            if (depth > 0) {
                *why = "nested ri subkey lists";
                return -1;
            }
            if (list_offsets(c, target, depth + 1, v, n, cap, limit, why) != 0)
                return -1;
            continue;
        }
        if (*n >= limit) {
            *why = "more subkeys in the lists than the key node announces";
            return -1;
        }
        bl_grow((void **)v, sizeof **v, cap, *n + 1);
        (*v)[(*n)++] = target;
    }
    return 0;
}

int bl_cells_subkeys(const bl_cells *c, const bl_cells_nk *nk, uint32_t **offs, uint32_t *n,
                     const char **why)
{
    *offs = NULL;
    *n = 0;
    if (nk->nsubkeys == 0)
        return 0;
    /* A key can never have more subkeys than cells fit in the image. */
    if (nk->nsubkeys > c->size / 8) {
        *why = "subkey count larger than the hive could hold";
        return -1;
    }
    uint32_t cap = 0;
    if (list_offsets(c, nk->subkeys, 0, offs, n, &cap, nk->nsubkeys, why) != 0) {
        free(*offs);
        *offs = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

static bool name_matches(const bl_cells_nk *nk, const char *want, bl_sb *scratch)
{
    bl_sb_reset(scratch);
    bl_cells_key_name(nk, scratch);
    return bl_fold_eq(bl_sb_str(scratch), want);
}

int bl_cells_find_subkey(const bl_cells *c, const bl_cells_nk *nk, const char *name, bl_cells_nk *out,
                         const char **why)
{
    uint32_t *offs, n;
    if (bl_cells_subkeys(c, nk, &offs, &n, why) != 0)
        return -1;
    bl_sb scratch = {0};
    int rc = 0;
    for (uint32_t i = 0; i < n; i++) {
        bl_cells_nk sub;
        const char *sub_why;
        if (bl_cells_key(c, offs[i], &sub, &sub_why) != 0 || sub.parent != nk->off)
            continue; /* a broken or cross-linked sibling does not hide the one we want */
        if (name_matches(&sub, name, &scratch)) {
            *out = sub;
            rc = 1;
            break;
        }
    }
    bl_sb_free(&scratch);
    free(offs);
    return rc;
}

int bl_cells_value_list_ok(const bl_cells *c, const bl_cells_nk *nk, const char **why)
{
    if (nk->nvalues == 0)
        return 0;
    uint32_t len;
    if (nk->nvalues > c->size / 4) {
        *why = "value count larger than the hive could hold";
        return -1;
    }
    if (!cell_at(c, nk->values, &len, why))
        return -1;
    if ((uint64_t)nk->nvalues * 4 > len) {
        *why = "value count runs past the value list";
        return -1;
    }
    return 0;
}

int bl_cells_value(const bl_cells *c, const bl_cells_nk *nk, uint32_t index, bl_cells_vk *vk,
                   const char **why)
{
    uint32_t len;
    if (index >= nk->nvalues) {
        *why = "value index out of range";
        return -1;
    }
    const uint8_t *list = cell_at(c, nk->values, &len, why);
    if (!list)
        return -1;
    if ((uint64_t)nk->nvalues * 4 > len) {
        *why = "value count runs past the value list";
        return -1;
    }
    uint32_t off = le32(list + (size_t)index * 4);
    const uint8_t *p = cell_at(c, off, &len, why);
    if (!p)
        return -1;
    if (len < 0x14 || p[0] != 'v' || p[1] != 'k') {
        *why = "not a value key (vk) cell";
        return -1;
    }
    vk->name_len = le16(p + 0x02);
    if (vk->name_len > len - 0x14) {
        *why = "value name runs past its cell";
        return -1;
    }
    vk->name = p + 0x14;
    vk->data_size = le32(p + 0x04);
    vk->data_off = le32(p + 0x08);
    vk->inline_data = p + 0x08;
    vk->type = le32(p + 0x0C);
    vk->flags = le16(p + 0x10);
    return 0;
}

void bl_cells_value_name(const bl_cells_vk *vk, bl_sb *out)
{
    name_utf8(vk->name, vk->name_len, (vk->flags & 0x1) != 0, out);
}

int bl_cells_value_data(const bl_cells *c, const bl_cells_vk *vk, size_t max, bl_sb *big,
                        const uint8_t **data, size_t *size, const char **why)
{
    uint32_t ds = vk->data_size;
    if (ds & 0x80000000u) {
        /* Resident: up to four bytes in the offset field itself. */
        ds &= 0x7FFFFFFFu;
        if (ds > 4) {
            *why = "resident value data larger than 4 bytes";
            return -1;
        }
        *data = vk->inline_data;
        *size = ds;
        return 0;
    }
    if (ds == 0) {
        *data = vk->inline_data;
        *size = 0;
        return 0;
    }
    if (ds > max) {
        *why = "value data larger than the limit";
        return -1;
    }
    uint32_t len;
    const uint8_t *p = cell_at(c, vk->data_off, &len, why);
    if (!p)
        return -1;
    if (ds > BIG_DATA_SEGMENT && c->minor >= 4 && len >= 8 && p[0] == 'd' && p[1] == 'b') {
        uint32_t nseg = le16(p + 2), list_len;
        if (nseg == 0 || nseg > MAX_BIG_DATA_SEGMENTS) {
            *why = "big data with no or too many segments";
            return -1;
        }
        const uint8_t *list = cell_at(c, le32(p + 4), &list_len, why);
        if (!list)
            return -1;
        if ((uint64_t)nseg * 4 > list_len) {
            *why = "big data segment list runs past its cell";
            return -1;
        }
        bl_sb_reset(big);
        for (uint32_t i = 0; i < nseg && big->len < ds; i++) {
            uint32_t seg_len;
            const uint8_t *seg = cell_at(c, le32(list + (size_t)i * 4), &seg_len, why);
            if (!seg)
                return -1;
            size_t want = ds - big->len;
            if (want > BIG_DATA_SEGMENT)
                want = BIG_DATA_SEGMENT;
            if (want > seg_len)
                want = seg_len;
            bl_sb_addn(big, (const char *)seg, want);
        }
        if (big->len < ds) {
            *why = "big data segments hold less than the value size";
            return -1;
        }
        *data = (const uint8_t *)big->buf;
        *size = ds;
        return 0;
    }
    if (ds > len) {
        *why = "value data runs past its cell";
        return -1;
    }
    *data = p;
    *size = ds;
    return 0;
}

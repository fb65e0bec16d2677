/* value.c — decoding raw registry values into DWORDs, strings and string
 * lists, tolerating what real hives contain: REG_SZ where a DWORD belongs,
 * REG_EXPAND_SZ or REG_BINARY where a string belongs, empty items in
 * REG_MULTI_SZ, odd lengths, missing terminators.  Pure functions over bytes. */
#include "bootlens/hive.h"

#include <stdlib.h>
#include <string.h>

size_t bl_utf16le_to_utf8(const uint8_t *p, size_t n, bl_sb *sb)
{
    size_t i = 0;
    /* Fast path: registry names and values are nearly always ASCII. */
    bl_sb_reserve(sb, n / 2 + 1);
    while (i + 1 < n && p[i + 1] == 0 && p[i] != 0 && p[i] < 0x80) {
        sb->buf[sb->len++] = (char)p[i];
        i += 2;
    }
    sb->buf[sb->len] = '\0';
    while (i + 1 < n) {
        uint32_t u = (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8);
        i += 2;
        if (u == 0)
            return i;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 1 < n) {
                uint32_t lo = (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    i += 2;
                    bl_sb_add_utf8(sb, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                    continue;
                }
            }
            bl_sb_add_utf8(sb, 0xFFFD);
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            bl_sb_add_utf8(sb, 0xFFFD);
        } else {
            bl_sb_add_utf8(sb, u);
        }
    }
    return n; /* odd trailing byte ignored */
}

void bl_utf8_to_utf16le(const char *s, size_t n, bl_sb *sb)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        uint32_t cp = *p++, need = 0, min = 0;
        if (cp >= 0x80) {
            if (cp >= 0xC2 && cp <= 0xDF)
                need = 1, min = 0x80, cp &= 0x1F;
            else if (cp >= 0xE0 && cp <= 0xEF)
                need = 2, min = 0x800, cp &= 0x0F;
            else if (cp >= 0xF0 && cp <= 0xF4)
                need = 3, min = 0x10000, cp &= 0x07;
            else
                need = 0, cp = 0xFFFD; /* stray continuation or invalid lead */
            for (uint32_t i = 0; i < need; i++) {
                if (p >= end || (*p & 0xC0) != 0x80) {
                    cp = 0xFFFD;
                    break;
                }
                cp = (cp << 6) | (*p++ & 0x3Fu);
            }
            /* Overlong forms and encoded surrogates are not characters. */
            if (need && cp != 0xFFFD && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
                cp = 0xFFFD;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            uint32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
            char b[4] = {(char)(hi & 0xFF), (char)(hi >> 8), (char)(lo & 0xFF), (char)(lo >> 8)};
            bl_sb_addn(sb, b, 4);
        } else {
            char b[2] = {(char)(cp & 0xFF), (char)(cp >> 8)};
            bl_sb_addn(sb, b, 2);
        }
    }
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Parses a decimal or 0x-hex number with optional surrounding blanks. */
static bool parse_number_text(const char *s, uint32_t *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return false;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    uint64_t v = 0;
    int digits = 0;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            break;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > UINT32_MAX)
            return false;
        digits++;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s || !digits)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool is_string_type(uint32_t t)
{
    return t == BL_REG_SZ || t == BL_REG_EXPAND_SZ || t == BL_REG_LINK;
}

bool bl_value_dword(const bl_value *v, uint32_t *out, bool *coerced)
{
    if (coerced)
        *coerced = v->type != BL_REG_DWORD;
    switch (v->type) {
    case BL_REG_DWORD:
        if (v->size < 4)
            return false;
        *out = le32(v->data);
        return true;
    case BL_REG_DWORD_BE:
        if (v->size < 4)
            return false;
        *out = ((uint32_t)v->data[0] << 24) | ((uint32_t)v->data[1] << 16) |
               ((uint32_t)v->data[2] << 8) | v->data[3];
        return true;
    case BL_REG_QWORD:
        if (v->size < 8 || le32(v->data + 4) != 0)
            return false;
        *out = le32(v->data);
        return true;
    case BL_REG_BINARY:
        if (v->size == 4 || (v->size == 8 && le32(v->data + 4) == 0)) {
            *out = le32(v->data);
            return true;
        }
        return false;
    default:
        if (is_string_type(v->type) || v->type == BL_REG_MULTI_SZ) {
            bl_sb s = {0};
            bl_utf16le_to_utf8(v->data, v->size, &s);
            bool ok = parse_number_text(bl_sb_str(&s), out);
            bl_sb_free(&s);
            return ok;
        }
        return false;
    }
}

bool bl_value_string(const bl_value *v, bl_sb *sb, bool *coerced)
{
    if (coerced)
        *coerced = !is_string_type(v->type);
    if (is_string_type(v->type) || v->type == BL_REG_BINARY || v->type == BL_REG_NONE) {
        /* REG_BINARY/REG_NONE: some installers store UTF-16 text there. */
        if (!is_string_type(v->type) && (v->size % 2 != 0))
            return false;
        bl_utf16le_to_utf8(v->data, v->size, sb);
        return true;
    }
    if (v->type == BL_REG_MULTI_SZ) {
        size_t i = 0;
        while (i + 1 < v->size) {
            size_t before = sb->len;
            i += bl_utf16le_to_utf8(v->data + i, v->size - i, sb);
            if (sb->len > before)
                return true;
        }
        return true; /* all items empty: the empty string */
    }
    if (v->type == BL_REG_DWORD && v->size >= 4) {
        bl_sb_addf(sb, "%u", le32(v->data));
        return true;
    }
    return false;
}

int bl_value_multi(const bl_value *v, bl_string_fn fn, void *ctx, bool *coerced)
{
    if (coerced)
        *coerced = v->type != BL_REG_MULTI_SZ;
    if (v->type != BL_REG_MULTI_SZ && !is_string_type(v->type))
        return -1;
    int count = 0;
    bl_sb item = {0};
    size_t i = 0;
    while (i + 1 < v->size) {
        bl_sb_reset(&item);
        i += bl_utf16le_to_utf8(v->data + i, v->size - i, &item);
        if (item.len) {
            fn(ctx, item.buf, item.len);
            count++;
        }
        if (v->type != BL_REG_MULTI_SZ)
            break; /* a REG_SZ is a one-item list */
    }
    bl_sb_free(&item);
    return count;
}

const char *bl_reg_type_name(uint32_t type)
{
    switch (type) {
    case BL_REG_NONE: return "REG_NONE";
    case BL_REG_SZ: return "REG_SZ";
    case BL_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
    case BL_REG_BINARY: return "REG_BINARY";
    case BL_REG_DWORD: return "REG_DWORD";
    case BL_REG_DWORD_BE: return "REG_DWORD_BIG_ENDIAN";
    case BL_REG_LINK: return "REG_LINK";
    case BL_REG_MULTI_SZ: return "REG_MULTI_SZ";
    case BL_REG_QWORD: return "REG_QWORD";
    default: return "REG_UNKNOWN";
    }
}

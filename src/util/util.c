/* util.c — errors, checked allocation, string buffers and case folding
 * shared by every module (files: files.c; interning: pool.c). */
#include "bootlens/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BOOTLENS_VERSION
#define BOOTLENS_VERSION "0.1.0"
#endif

const char *bl_version(void)
{
    return BOOTLENS_VERSION;
}

void bl_libraries_add(bl_libraries *l, const char *name, const char *run_time, const char *compile_time)
{
    if (l->n >= BL_ARRAY_LEN(l->v))
        return;
    bl_library *x = &l->v[l->n++];
    x->name = name;
    snprintf(x->run_time, sizeof x->run_time, "%s", run_time ? run_time : "");
    snprintf(x->compile_time, sizeof x->compile_time, "%s", compile_time ? compile_time : "");
}

void bl_error_vset(bl_error *err, const char *fmt, va_list ap)
{
    if (!err)
        return;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

void bl_error_set(bl_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bl_error_vset(err, fmt, ap);
    va_end(ap);
}

void bl_die(const char *fmt, ...)
{
    va_list ap;
    fputs("bootlens: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

void *bl_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        bl_die("out of memory (%zu bytes)", n);
    return p;
}

void *bl_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        bl_die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *bl_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        bl_die("out of memory (%zu bytes)", n);
    return q;
}

void bl_grow(void **p, size_t elem, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return;
    uint64_t ncap = *cap ? (uint64_t)*cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    if (ncap > UINT32_MAX)
        bl_die("array too large");
    *p = bl_xrealloc(*p, (size_t)ncap * elem);
    *cap = (uint32_t)ncap;
}

char *bl_xstrdup(const char *s)
{
    return bl_xstrndup(s, strlen(s));
}

char *bl_xstrndup(const char *s, size_t n)
{
    char *p = bl_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void bl_sb_reserve(bl_sb *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return;
    size_t ncap = sb->cap ? sb->cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    sb->buf = bl_xrealloc(sb->buf, ncap);
    sb->cap = ncap;
}

void bl_sb_addn(bl_sb *sb, const char *s, size_t n)
{
    bl_sb_reserve(sb, n);
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void bl_sb_add(bl_sb *sb, const char *s)
{
    bl_sb_addn(sb, s, strlen(s));
}

void bl_sb_addc(bl_sb *sb, char c)
{
    bl_sb_addn(sb, &c, 1);
}

void bl_sb_vaddf(bl_sb *sb, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    bl_sb_reserve(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void bl_sb_addf(bl_sb *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(sb, fmt, ap);
    va_end(ap);
}

void bl_sb_reset(bl_sb *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

const char *bl_sb_str(const bl_sb *sb)
{
    return sb->buf ? sb->buf : "";
}

char *bl_sb_detach(bl_sb *sb)
{
    char *p = sb->buf ? sb->buf : bl_xstrdup("");
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

void bl_sb_free(bl_sb *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

/* Decodes one well-formed UTF-8 sequence.  Anything else — a lone or
 * dangling lead byte, a stray continuation byte, an overlong form, a
 * surrogate — decodes as the raw byte, flagged so that it never equals a real
 * code point; comparison stays total and never reads past the terminator. */
static uint32_t utf8_next(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    uint32_t c = p[0];
    if (c < 0x80) {
        *pp = p + 1;
        return c;
    }
    uint32_t need, min;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, min = 0x80, c &= 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, min = 0x800, c &= 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, min = 0x10000, c &= 0x07;
    else
        goto raw;
    for (uint32_t i = 1; i <= need; i++) {
        if ((p[i] & 0xC0) != 0x80) /* also stops at the terminator */
            goto raw;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        goto raw;
    *pp = p + need + 1;
    return c;
raw:
    *pp = p + 1;
    return 0x80000000u | p[0];
}

static uint32_t fold_cp(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    return c;
}

static uint32_t upper_cp(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 32;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return c - 32;
    return c;
}

int bl_fold_cmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    /* ASCII fast path; falls through to full decoding at the first
     * non-ASCII byte. */
    while (*p && *q && *p < 0x80 && *q < 0x80) {
        unsigned x = *p, y = *q;
        if (x - 'A' < 26u)
            x += 32;
        if (y - 'A' < 26u)
            y += 32;
        if (x != y)
            return x < y ? -1 : 1;
        p++, q++;
    }
    while (*p && *q) {
        uint32_t x = fold_cp(utf8_next(&p)), y = fold_cp(utf8_next(&q));
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (*p != 0) - (*q != 0);
}

bool bl_fold_eq(const char *a, const char *b)
{
    return bl_fold_cmp(a, b) == 0;
}

bool bl_fold_has_prefix(const char *s, const char *prefix)
{
    const unsigned char *p = (const unsigned char *)s, *q = (const unsigned char *)prefix;
    while (*q) {
        if (!*p)
            return false;
        if (fold_cp(utf8_next(&p)) != fold_cp(utf8_next(&q)))
            return false;
    }
    return true;
}

int bl_registry_name_cmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *q) {
        uint32_t x = upper_cp(utf8_next(&p)), y = upper_cp(utf8_next(&q));
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (*p != 0) - (*q != 0);
}

void bl_fold_append(bl_sb *sb, const char *s, size_t n)
{
    bl_sb_reserve(sb, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        else if (c == 0xC3 && i + 1 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
            /* Latin-1 capitals U+00C0..U+00DE are C3 80..C3 9E in UTF-8; a
             * C3 not followed by a continuation byte is a raw byte, and the
             * byte after it is folded on its own, as bl_fold_cmp does. */
            unsigned char d = (unsigned char)s[i + 1];
            if (d >= 0x80 && d <= 0x9E && d != 0x97)
                d = (unsigned char)(d + 32);
            sb->buf[sb->len++] = (char)c;
            sb->buf[sb->len++] = (char)d;
            i++;
            continue;
        }
        sb->buf[sb->len++] = (char)c;
    }
    sb->buf[sb->len] = '\0';
}

uint32_t bl_hash_bytes(const void *p, size_t n)
{
    /* FNV-1a: small, good enough for interning names. */
    const unsigned char *s = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 16777619u;
    }
    return h;
}

void bl_sb_add_utf8(bl_sb *sb, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    bl_sb_addn(sb, b, n);
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm, the
 * proleptic Gregorian calendar; no libc time zone involved). */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

bool bl_filetime_iso(uint64_t filetime, char buf[24])
{
    buf[0] = '\0';
    if (!filetime)
        return false;
    int64_t secs = (int64_t)(filetime / 10000000u) - INT64_C(11644473600);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned mo, d;
    civil(days, &y, &mo, &d);
    if (y < 1601 || y > 9999)
        return false;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%04d-%02u-%02uT%02u:%02u:%02uZ", (int)y, mo, d, (unsigned)(rem / 3600),
             (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
    memcpy(buf, tmp, 21); /* always 20 characters and the NUL */
    return true;
}

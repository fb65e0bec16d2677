/* decode.c — turns the bytes of an INF file into UTF-8 physical lines.
 *
 * Vendors ship INFs as ASCII, UTF-8 (with or without BOM), UTF-16LE with a
 * BOM (Notepad's "Unicode") and occasionally UTF-16 without one; a few old
 * ones are in a Windows ANSI code page.  Lines end in CRLF, LF or a lone CR.
 * The reader hands out one physical line at a time so that memory stays
 * proportional to the longest line, which is capped: a 100 MB line fails at
 * its first megabyte instead of being copied. */
#include "inf_internal.h"

#include <string.h>

const char *bl_inf_encoding_name(bl_inf_encoding enc)
{
    switch (enc) {
    case BL_INF_ENC_ASCII:
        return "ASCII";
    case BL_INF_ENC_UTF8:
        return "UTF-8";
    case BL_INF_ENC_UTF8_BOM:
        return "UTF-8 with BOM";
    case BL_INF_ENC_ANSI:
        return "Windows-1252";
    case BL_INF_ENC_UTF16LE:
        return "UTF-16LE";
    case BL_INF_ENC_UTF16LE_NOBOM:
        return "UTF-16LE without BOM";
    case BL_INF_ENC_UTF16BE:
        return "UTF-16BE";
    }
    return "unknown";
}

/* Windows-1252 bytes 0x80..0x9F; the five bytes the code page leaves
 * undefined map to the C1 code point of the same value, as Windows'
 * MultiByteToWideChar does. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Length of the valid UTF-8 sequence at p[0..n), 0 if invalid (overlong
 * forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_seq_len(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    uint32_t cp = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Offset of the first byte that is not valid UTF-8, or n; *ascii tells
 * whether every byte before it was below 0x80. */
static size_t first_invalid_utf8(const uint8_t *p, size_t n, bool *ascii)
{
    *ascii = true;
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        *ascii = false;
        size_t len = utf8_seq_len(p + i, n - i);
        if (!len)
            return i;
        i += len;
    }
    return n;
}

/* 1-based line number of byte offset off, counting CRLF, LF and CR. */
static uint32_t line_of_offset(const uint8_t *p, size_t off)
{
    uint32_t line = 1;
    for (size_t i = 0; i < off; i++) {
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= off || p[i + 1] != '\n')))
            line++;
    }
    return line;
}

/* UTF-16LE without a BOM is recognised the way a reader would: most of the
 * first code units are ASCII, i.e. a non-zero low byte and a zero high byte. */
static bool looks_like_utf16le(const uint8_t *p, size_t n)
{
    size_t pairs = (n < 512 ? n : 512) / 2;
    if (pairs < 2)
        return false;
    size_t hits = 0;
    for (size_t i = 0; i < pairs; i++) {
        if (p[2 * i] != 0 && p[2 * i + 1] == 0)
            hits++;
    }
    return hits * 4 >= pairs * 3;
}

static void reader_warn(inf_reader *r, uint32_t line_no, const char *msg)
{
    if (r->warn)
        r->warn(r->warn_ctx, line_no, msg);
}

void inf_reader_init(inf_reader *r, const char *name, const uint8_t *data, size_t size,
                     inf_warn_fn warn, void *warn_ctx)
{
    memset(r, 0, sizeof *r);
    r->name = name;
    r->data = data;
    r->size = size;
    r->warn = warn;
    r->warn_ctx = warn_ctx;
    if (size >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
        r->enc = BL_INF_ENC_UTF16LE;
        r->pos = 2;
    } else if (size >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
        r->enc = BL_INF_ENC_UTF16BE;
        r->pos = 2;
    } else if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        r->enc = BL_INF_ENC_UTF8_BOM;
        r->pos = 3;
    } else if (looks_like_utf16le(data, size)) {
        r->enc = BL_INF_ENC_UTF16LE_NOBOM;
    } else {
        r->enc = BL_INF_ENC_UTF8;
    }
    if (r->enc == BL_INF_ENC_UTF8 || r->enc == BL_INF_ENC_UTF8_BOM) {
        bool ascii;
        size_t bad = first_invalid_utf8(data + r->pos, size - r->pos, &ascii);
        if (bad < size - r->pos) {
            /* Not UTF-8: Windows reads a non-Unicode INF in the system's ANSI
             * code page; Windows-1252 is the common Western one. */
            r->enc = BL_INF_ENC_ANSI;
            reader_warn(r, line_of_offset(data, r->pos + bad),
                        "not valid UTF-8 (first bad byte on this line); read as Windows-1252");
        } else if (ascii && r->enc == BL_INF_ENC_UTF8) {
            r->enc = BL_INF_ENC_ASCII;
        }
    }
}

void inf_reader_free(inf_reader *r)
{
    bl_sb_free(&r->line);
}

static bool is_utf16(const inf_reader *r)
{
    return r->enc == BL_INF_ENC_UTF16LE || r->enc == BL_INF_ENC_UTF16LE_NOBOM ||
           r->enc == BL_INF_ENC_UTF16BE;
}

/* Code unit (UTF-16) or byte at offset i. */
static uint32_t unit_at(const inf_reader *r, size_t i)
{
    if (!is_utf16(r))
        return r->data[i];
    if (r->enc == BL_INF_ENC_UTF16BE)
        return (uint32_t)r->data[i] << 8 | r->data[i + 1];
    return r->data[i] | (uint32_t)r->data[i + 1] << 8;
}

/* Whether only units of value 0 (if nul) or blanks/line ends follow i. */
static bool only_padding_after(const inf_reader *r, size_t i, size_t step, bool nul)
{
    for (; i + step <= r->size; i += step) {
        uint32_t u = unit_at(r, i);
        if (nul ? u != 0 : (u != ' ' && u != '\t' && u != '\r' && u != '\n' && u != 0x1A))
            return false;
    }
    return true;
}

/* Handles a C0 control character u found at offset i of the current line:
 * returns 1 when it ends the file, -1 (err set) when it makes the input
 * binary, 0 when it is ordinary text. */
static int control_char(inf_reader *r, uint32_t u, size_t i, size_t step, bl_error *err)
{
    uint32_t line_no = r->line_no + 1;
    if (u == '\t' || u == '\v' || u == '\f')
        return 0;
    if (u == 0x1A) {
        /* Ctrl-Z: the MS-DOS end-of-file mark old INF editors left behind. */
        if (!only_padding_after(r, i + step, step, false))
            reader_warn(r, line_no, "text after the Ctrl-Z end-of-file mark is ignored");
        return 1;
    }
    if (u == 0) {
        /* Some tools pad files with NULs; anything else with a NUL in it is
         * not text. */
        if (only_padding_after(r, i, step, true)) {
            reader_warn(r, line_no, "NUL padding at the end of the file is ignored");
            return 1;
        }
        bl_error_set(err, "%s:%u: NUL byte in the text: binary data, not an INF file", r->name,
                     line_no);
        return -1;
    }
    bl_error_set(err, "%s:%u: control character 0x%02X in the text: binary data, not an INF file",
                 r->name, line_no, (unsigned)u);
    return -1;
}

static int too_long(inf_reader *r, bl_error *err)
{
    bl_error_set(err, "%s:%u: line longer than %u bytes", r->name, r->line_no + 1,
                 BL_INF_MAX_LINE_BYTES);
    return -1;
}

int inf_reader_next(inf_reader *r, bl_error *err)
{
    size_t step = is_utf16(r) ? 2 : 1;
    bl_sb_reset(&r->line);
    if (r->at_eof || r->pos + step > r->size) {
        if (!r->at_eof && r->pos < r->size)
            reader_warn(r, r->line_no ? r->line_no : 1,
                        "UTF-16 file has an odd number of bytes; the last byte is ignored");
        r->at_eof = true;
        return 0;
    }
    size_t i = r->pos;
    uint32_t u = 0;
    bool ends_file = false;
    while (i + step <= r->size) {
        u = unit_at(r, i);
        if (u == '\n' || u == '\r')
            break;
        if (u < 0x20) {
            int rc = control_char(r, u, i, step, err);
            if (rc < 0)
                return -1;
            if (rc > 0) {
                ends_file = true;
                break;
            }
        }
        i += step;
        if (step == 1) {
            /* UTF-8 and ASCII lines are copied in one go below. */
            if (r->enc != BL_INF_ENC_ANSI) {
                if (i - r->pos > BL_INF_MAX_LINE_BYTES)
                    return too_long(r, err);
                continue;
            }
            if (u >= 0x80)
                bl_sb_add_utf8(&r->line, u < 0xA0 ? cp1252_high[u - 0x80] : u);
            else
                bl_sb_addc(&r->line, (char)u);
        } else if (u >= 0xD800 && u <= 0xDBFF && i + step <= r->size && unit_at(r, i) >= 0xDC00 &&
                   unit_at(r, i) <= 0xDFFF) {
            bl_sb_add_utf8(&r->line, 0x10000 + ((u - 0xD800) << 10) + (unit_at(r, i) - 0xDC00));
            i += step;
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            if (!r->warned_surrogate)
                reader_warn(r, r->line_no + 1,
                            "invalid UTF-16 (unpaired surrogate) replaced by U+FFFD");
            r->warned_surrogate = true;
            bl_sb_add_utf8(&r->line, 0xFFFD);
        } else {
            bl_sb_add_utf8(&r->line, u);
        }
        if (r->line.len > BL_INF_MAX_LINE_BYTES)
            return too_long(r, err);
    }
    if (step == 1 && r->enc != BL_INF_ENC_ANSI)
        bl_sb_addn(&r->line, (const char *)r->data + r->pos, i - r->pos);
    r->line_no++;
    if (ends_file) {
        r->at_eof = true;
        return 1;
    }
    if (i + step <= r->size) {
        i += step; /* the CR or LF */
        if (u == '\r' && i + step <= r->size && unit_at(r, i) == '\n')
            i += step;
    }
    r->pos = i;
    return 1;
}

/* mkhive.c — writes a valid Windows registry hive (regf) from a readable,
 * regedit-like text source.  Every synthetic test hive of the project is
 * generated with it from test_hives/NAME.reg (the source format is described
 * in test_hives/README.md), so a test hive can be read, reviewed and diffed.
 *
 *   mkhive SOURCE.reg -o OUT         write the hive ("-" = stdin / stdout)
 *   mkhive --dump-source SOURCE.reg  print the parsed content canonically
 *                                    (tests/writer-roundtrip.sh compares it
 *                                    with what libregf and hivex read back)
 *
 * The layout follows the published descriptions of the format (msuhanov's
 * "Windows registry file format specification", libregf's documentation):
 * a 4096-byte base block, then hive bins of 4096-multiple sizes holding
 * 8-byte aligned cells.  What is written is what Windows itself writes for a
 * clean hive: nk/vk/value-list cells, lh subkey lists (an ri index of lh lists
 * above the !maxlist threshold) sorted and hashed as Windows does, db big data
 * for values above 16344 bytes, and one shared sk security cell.  Output is
 * deterministic: every timestamp is the same fixed FILETIME.
 *
 * Source errors are reported as one line "FILE:LINE: what is wrong", exit 2. */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootlens/util.h"

#define BASE_BLOCK_SIZE 4096u
#define BIN_HEADER_SIZE 32u
#define BIN_ALIGN 4096u
#define NO_CELL 0xFFFFFFFFu
#define BIG_DATA_SEGMENT 16344u        /* largest data segment; db above it */
#define MAX_VALUE_SIZE (64u << 20)     /* a sanity bound for fill: */
#define MAX_KEY_NAME 255u              /* UTF-16 units, as Windows limits */
#define MAX_VALUE_NAME 16383u
#define MAX_HIVE_BINS 0x80000000u
#define FIXED_FILETIME 132223104000000000ull /* 2020-01-01T00:00:00Z */

#define KEY_HIVE_ENTRY 0x0004u
#define KEY_NO_DELETE 0x0008u
#define KEY_COMP_NAME 0x0020u
#define VALUE_COMP_NAME 0x0001u

/* ---- names ----------------------------------------------------------------
 * A key or value name as written in the source (UTF-8) and as stored in the
 * hive (UTF-16 code units; pure-ASCII names are stored one byte per unit with
 * the compressed-name flag). */
typedef struct name {
    char *utf8;
    uint16_t *u16;
    uint32_t n16;
    bool ascii;
} name;

typedef struct value {
    name nm; /* n16 == 0: the unnamed (default) value */
    uint32_t type;
    bl_sb data; /* raw bytes; len may be 0 */
} value;

/* Open-addressing index of a key's subkeys or values by name (slot = item
 * index + 1), so that sources with 100k keys or values under one key build in
 * linear time. */
typedef struct name_index {
    uint32_t *slots;
    uint32_t cap;
} name_index;

typedef struct key {
    name nm;
    struct key **subs;
    uint32_t nsubs, cap_subs;
    value *vals;
    uint32_t nvals, cap_vals;
    name_index sub_index, val_index;
} key;

/* Hive-wide settings taken from the source's directives. */
typedef struct hive_opts {
    uint16_t file_name[32];
    uint32_t file_name_len;
    uint32_t seq_primary, seq_secondary, minor, max_list;
    name root_name;
} hive_opts;

/* Where the parser is, for "FILE:LINE: message" errors. */
typedef struct source {
    const char *path;
    unsigned line;
} source;

BL_PRINTF(2, 3) BL_NORETURN static void source_fail(const source *src, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%u: ", src->path, src->line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* Decodes the UTF-8 text s[0..n) into UTF-16 code units appended to *out
 * (a bl_sb used as a byte buffer, little-endian).  False on invalid UTF-8:
 * unlike the library's lenient bl_utf8_to_utf16le, a bad source must fail. */
static bool utf8_to_utf16le(const char *s, size_t n, bl_sb *out)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        uint32_t c = *p++, extra = 0, min = 0;
        if (c >= 0xC2 && c <= 0xDF)
            extra = 1, min = 0x80, c &= 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            extra = 2, min = 0x800, c &= 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            extra = 3, min = 0x10000, c &= 0x07;
        else if (c >= 0x80)
            return false;
        if ((size_t)(end - p) < extra)
            return false;
        for (; extra; extra--, p++) {
            if ((*p & 0xC0) != 0x80)
                return false;
            c = c << 6 | (*p & 0x3Fu);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        if (c >= 0x10000) {
            uint32_t v = c - 0x10000;
            uint32_t hi = 0xD800 | v >> 10, lo = 0xDC00 | (v & 0x3FF);
            char b[4] = {(char)(hi & 0xFF), (char)(hi >> 8), (char)(lo & 0xFF), (char)(lo >> 8)};
            bl_sb_addn(out, b, 4);
        } else {
            char b[2] = {(char)(c & 0xFF), (char)(c >> 8)};
            bl_sb_addn(out, b, 2);
        }
    }
    return true;
}

/* Upper-cases one UTF-16 unit the way Windows' upcase table does for the
 * scripts test hives use (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic);
 * other units compare as they are. */
static uint16_t upcase_unit(uint16_t c)
{
    if (c >= 'a' && c <= 'z')
        return (uint16_t)(c - 32);
    if (c < 0xE0)
        return c;
    if (c <= 0xFE)
        return c == 0xF7 ? c : (uint16_t)(c - 32);
    if (c == 0xFF)
        return 0x178;
    if (c >= 0x100 && c <= 0x17F && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
        bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        bool is_lower = odd_upper ? (c % 2 == 0) : (c % 2 == 1);
        return is_lower ? (uint16_t)(c - 1) : c;
    }
    if (c >= 0x3B1 && c <= 0x3C9)
        return c == 0x3C2 ? 0x3A3 : (uint16_t)(c - 32);
    if (c >= 0x430 && c <= 0x44F)
        return (uint16_t)(c - 32);
    if (c >= 0x450 && c <= 0x45F)
        return (uint16_t)(c - 80);
    return c;
}

/* Compares names as Windows orders subkeys: unit by unit after upcasing,
 * a prefix before the longer name.  0 means "the same key/value name". */
static int name_cmp(const name *a, const name *b)
{
    uint32_t n = a->n16 < b->n16 ? a->n16 : b->n16;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t x = upcase_unit(a->u16[i]), y = upcase_unit(b->u16[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (a->n16 > n) - (b->n16 > n);
}

/* The lh list hash: H = 37 * H + upcase(unit) over the name's units. */
static uint32_t name_hash(const name *nm)
{
    uint32_t h = 0;
    for (uint32_t i = 0; i < nm->n16; i++)
        h = 37u * h + upcase_unit(nm->u16[i]);
    return h;
}

/* Builds a name from UTF-8 s[0..n); fails the source on invalid UTF-8 or a
 * name longer than max_units UTF-16 units. */
static name name_make(const source *src, const char *s, size_t n, uint32_t max_units, const char *what)
{
    bl_sb units = {0};
    name nm = {0};
    if (!utf8_to_utf16le(s, n, &units))
        source_fail(src, "%s is not valid UTF-8", what);
    if (units.len / 2 > max_units)
        source_fail(src, "%s is longer than %u characters", what, max_units);
    nm.utf8 = bl_xstrndup(s, n);
    nm.n16 = (uint32_t)(units.len / 2);
    nm.u16 = bl_xcalloc(nm.n16 + 1, sizeof *nm.u16);
    nm.ascii = true;
    for (uint32_t i = 0; i < nm.n16; i++) {
        const unsigned char *b = (const unsigned char *)units.buf + 2 * i;
        nm.u16[i] = (uint16_t)(b[0] | b[1] << 8);
        if (nm.u16[i] >= 0x80)
            nm.ascii = false;
    }
    bl_sb_free(&units);
    return nm;
}

/* Bytes the name takes in an nk/vk cell. */
static uint32_t name_stored_len(const name *nm)
{
    return nm->ascii ? nm->n16 : 2 * nm->n16;
}

/* ---- the key tree ---------------------------------------------------------- */

static void name_free(name *nm)
{
    free(nm->utf8);
    free(nm->u16);
}

/* name_of(items, i) is the name of item i of a subkey or value array. */
typedef const name *(*name_of_fn)(const void *items, uint32_t i);

static void index_put(name_index *ix, uint32_t hash, uint32_t item)
{
    uint32_t mask = ix->cap - 1, slot = hash & mask;
    while (ix->slots[slot])
        slot = (slot + 1) & mask;
    ix->slots[slot] = item + 1;
}

/* Makes room for count + 1 items (load factor at most 1/2), rebuilding from
 * the items themselves. */
static void index_reserve(name_index *ix, const void *items, uint32_t count, name_of_fn name_of)
{
    if ((uint64_t)(count + 1) * 2 <= ix->cap)
        return;
    free(ix->slots);
    ix->cap = ix->cap ? ix->cap * 2 : 16;
    while ((uint64_t)(count + 1) * 2 > ix->cap)
        ix->cap *= 2;
    ix->slots = bl_xcalloc(ix->cap, sizeof *ix->slots);
    for (uint32_t i = 0; i < count; i++)
        index_put(ix, name_hash(name_of(items, i)), i);
}

/* The index of the item named nm (as name_cmp compares), or count when
 * absent; hash is name_hash(nm), equal for names name_cmp finds equal. */
static uint32_t index_find(const name_index *ix, const void *items, uint32_t count, name_of_fn name_of,
                           const name *nm, uint32_t hash)
{
    uint32_t mask = ix->cap - 1;
    for (uint32_t slot = hash & mask; ix->slots[slot]; slot = (slot + 1) & mask)
        if (name_cmp(name_of(items, ix->slots[slot] - 1), nm) == 0)
            return ix->slots[slot] - 1;
    return count;
}

static const name *sub_name(const void *items, uint32_t i)
{
    return &((key *const *)items)[i]->nm;
}

static const name *val_name(const void *items, uint32_t i)
{
    return &((const value *)items)[i].nm;
}

/* The child of parent named nm (compared as Windows does), created with this
 * spelling if absent; an existing key keeps its first spelling.  Takes nm. */
static key *key_child(key *parent, name nm)
{
    uint32_t hash = name_hash(&nm);
    index_reserve(&parent->sub_index, parent->subs, parent->nsubs, sub_name);
    uint32_t i = index_find(&parent->sub_index, parent->subs, parent->nsubs, sub_name, &nm, hash);
    if (i < parent->nsubs) {
        name_free(&nm);
        return parent->subs[i];
    }
    key *k = bl_xcalloc(1, sizeof *k);
    k->nm = nm;
    bl_grow((void **)&parent->subs, sizeof *parent->subs, &parent->cap_subs, parent->nsubs + 1);
    index_put(&parent->sub_index, hash, parent->nsubs);
    parent->subs[parent->nsubs++] = k;
    return k;
}

/* Sets a value of k: a name already present (in any case) is overwritten in
 * place, keeping its first spelling and its position.  Takes nm and data. */
static void key_set_value(key *k, name nm, uint32_t type, bl_sb *data)
{
    uint32_t hash = name_hash(&nm);
    index_reserve(&k->val_index, k->vals, k->nvals, val_name);
    uint32_t i = index_find(&k->val_index, k->vals, k->nvals, val_name, &nm, hash);
    if (i < k->nvals) {
        bl_sb_free(&k->vals[i].data);
        name_free(&nm);
        k->vals[i].type = type;
        k->vals[i].data = *data;
        return;
    }
    bl_grow((void **)&k->vals, sizeof *k->vals, &k->cap_vals, k->nvals + 1);
    index_put(&k->val_index, hash, k->nvals);
    k->vals[k->nvals++] = (value){nm, type, *data};
}

/* Frees everything below k and k's own contents (not k itself). */
static void key_free(key *k)
{
    for (uint32_t i = 0; i < k->nsubs; i++) {
        key_free(k->subs[i]);
        free(k->subs[i]);
    }
    for (uint32_t i = 0; i < k->nvals; i++) {
        name_free(&k->vals[i].nm);
        bl_sb_free(&k->vals[i].data);
    }
    free(k->subs);
    free(k->vals);
    free(k->sub_index.slots);
    free(k->val_index.slots);
    name_free(&k->nm);
}

static int key_ptr_cmp(const void *a, const void *b)
{
    return name_cmp(&(*(key *const *)a)->nm, &(*(key *const *)b)->nm);
}

/* Puts every key's subkeys in the order Windows keeps them. */
static void key_sort(key *k)
{
    if (k->nsubs > 1)
        qsort(k->subs, k->nsubs, sizeof *k->subs, key_ptr_cmp);
    for (uint32_t i = 0; i < k->nsubs; i++)
        key_sort(k->subs[i]);
}

/* ---- source parsing -------------------------------------------------------- */

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Parses an unsigned number that must span the whole of s and be at most max:
 * base 16 takes hex digits only, base 10 decimal digits, base 0 also 0x-hex.
 * False otherwise. */
static bool parse_uint(const char *s, int base, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (!isdigit((unsigned char)*s) && !(base == 16 && isxdigit((unsigned char)*s)))
        return false;
    if (base == 16 && strspn(s, "0123456789abcdefABCDEF") != strlen(s))
        return false;
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/* Parses a quoted string at *pp (regedit escapes \\ and \"), leaving *pp after
 * the closing quote; the unescaped UTF-8 text goes to out. */
static void parse_quoted(const source *src, const char **pp, bl_sb *out)
{
    const char *p = *pp;
    if (*p != '"')
        source_fail(src, "expected '\"'");
    for (p++; *p != '"'; p++) {
        if (!*p)
            source_fail(src, "unterminated string");
        if (*p == '\\') {
            p++;
            if (*p != '\\' && *p != '"')
                source_fail(src, "unknown escape '\\%c' (only \\\\ and \\\" exist)", *p ? *p : ' ');
        }
        bl_sb_addc(out, *p);
    }
    *pp = p + 1;
}

/* Appends the UTF-16LE encoding of a quoted source string and its NUL. */
static void add_reg_string(const source *src, const char **pp, bl_sb *data)
{
    bl_sb text = {0};
    parse_quoted(src, pp, &text);
    if (!utf8_to_utf16le(text.buf ? text.buf : "", text.len, data))
        source_fail(src, "string is not valid UTF-8");
    bl_sb_addn(data, "\0\0", 2);
    bl_sb_free(&text);
}

/* Parses "hex:" style bytes "01,02, ab" (possibly none) to the end of p. */
static void add_hex_bytes(const source *src, const char *p, bl_sb *data)
{
    p = skip_space(p);
    while (*p) {
        unsigned long long b;
        char digits[3] = {0};
        if (!p[0] || !p[1] || (p[2] && p[2] != ',' && p[2] != ' ' && p[2] != '\t'))
            source_fail(src, "hex bytes must be two hex digits separated by commas");
        memcpy(digits, p, 2);
        if (!parse_uint(digits, 16, 0xFF, &b))
            source_fail(src, "'%s' is not a hex byte", digits);
        bl_sb_addc(data, (char)b);
        p = skip_space(p + 2);
        if (*p == ',')
            p = skip_space(p + 1);
        else if (*p)
            source_fail(src, "expected ',' between hex bytes");
    }
}

/* Parses the part of a value line after '=' into a type and data bytes. */
static void parse_value_data(const source *src, const char *p, uint32_t *type, bl_sb *data)
{
    unsigned long long v;
    if (*p == '"') {
        *type = 1;
        add_reg_string(src, &p, data);
    } else if (strncmp(p, "expand:", 7) == 0) {
        *type = 2;
        p += 7;
        add_reg_string(src, &p, data);
    } else if (strncmp(p, "multi:", 6) == 0) {
        *type = 7;
        p = skip_space(p + 6);
        while (*p == '"') {
            add_reg_string(src, &p, data);
            p = skip_space(p);
            if (*p != ',')
                break;
            p = skip_space(p + 1);
            if (*p != '"')
                source_fail(src, "expected a quoted string after ',' in multi:");
        }
        bl_sb_addn(data, "\0\0", 2);
    } else if (strncmp(p, "dword:", 6) == 0 || strncmp(p, "qword:", 6) == 0) {
        bool dword = p[0] == 'd';
        char digits[17] = {0};
        size_t n = strcspn(p + 6, " \t");
        if (n == 0 || n > (dword ? 8u : 16u))
            source_fail(src, "%s needs 1 to %d hex digits", dword ? "dword" : "qword", dword ? 8 : 16);
        memcpy(digits, p + 6, n);
        if (!parse_uint(digits, 16, ~0ull, &v))
            source_fail(src, "'%s' is not a hex number", digits);
        *type = dword ? 4 : 11;
        for (int i = 0; i < (dword ? 4 : 8); i++)
            bl_sb_addc(data, (char)(v >> (8 * i) & 0xFF));
        p += 6 + n;
    } else if (strncmp(p, "hex:", 4) == 0 || strncmp(p, "hex(", 4) == 0) {
        *type = 3;
        p += 3;
        if (*p == '(') {
            char digits[9] = {0};
            size_t n = strcspn(p + 1, ")");
            if (p[1 + n] != ')' || p[2 + n] != ':' || n == 0 || n > 8)
                source_fail(src, "expected hex(TYPE): with TYPE a hex number");
            memcpy(digits, p + 1, n);
            if (!parse_uint(digits, 16, 0xFFFFFFFFu, &v))
                source_fail(src, "'%s' is not a hex type number", digits);
            *type = (uint32_t)v;
            p += n + 2;
        }
        add_hex_bytes(src, p + 1, data);
        return;
    } else if (strncmp(p, "fill:", 5) == 0) {
        /* fill:TYPE:COUNT:BYTE — TYPE and COUNT decimal (or 0x hex), BYTE hex. */
        char *spec = bl_xstrdup(p + 5), *count = strchr(spec, ':'), *byte = count ? strchr(count + 1, ':') : NULL;
        unsigned long long t, c, b;
        if (!byte)
            source_fail(src, "expected fill:TYPE:COUNT:BYTE");
        *count++ = '\0';
        *byte++ = '\0';
        if (!parse_uint(spec, 0, 0xFFFFFFFFu, &t) || !parse_uint(count, 0, MAX_VALUE_SIZE, &c) ||
            strlen(byte) != 2 || !parse_uint(byte, 16, 0xFF, &b))
            source_fail(src, "bad fill:TYPE:COUNT:BYTE (COUNT at most %u, BYTE two hex digits)", MAX_VALUE_SIZE);
        *type = (uint32_t)t;
        for (unsigned long long i = 0; i < c; i++)
            bl_sb_addc(data, (char)b);
        free(spec);
        return;
    } else if (*p == '-') {
        source_fail(src, "deleting values (=-) is not supported");
    } else {
        source_fail(src, "unknown value data (expected \"...\", dword:, qword:, expand:, multi:, hex:, hex(N):, fill:)");
    }
    if (*skip_space(p))
        source_fail(src, "unexpected text after the value: '%s'", skip_space(p));
}

/* Handles "[path]": returns the key, creating it and its parents. */
static key *parse_key_line(const source *src, const char *line, key *root)
{
    static const char *const prefixes[] = {"HKEY_LOCAL_MACHINE\\SYSTEM", "HKLM\\SYSTEM"};
    const char *close = strrchr(line, ']');
    if (!close || *skip_space(close + 1))
        source_fail(src, "a key line must be [PATH]");
    if (line[1] == '-')
        source_fail(src, "deleting keys ([-...]) is not supported");
    char *path = bl_xstrndup(line + 1, (size_t)(close - line - 1)), *p = path;
    for (size_t i = 0; i < BL_ARRAY_LEN(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if (bl_fold_has_prefix(p, prefixes[i]) && (p[n] == '\\' || !p[n])) {
            p += n;
            break;
        }
    }
    if (*p == '\\')
        p++;
    key *k = root;
    while (*p) {
        size_t n = strcspn(p, "\\");
        if (n == 0)
            source_fail(src, "empty key name in path (doubled or trailing '\\')");
        k = key_child(k, name_make(src, p, n, MAX_KEY_NAME, "key name"));
        p += n;
        if (*p == '\\' && !*++p)
            source_fail(src, "empty key name in path (doubled or trailing '\\')");
    }
    free(path);
    return k;
}

/* Handles a "!directive args" line. */
static void parse_directive(const source *src, const char *line, hive_opts *opt)
{
    size_t n = strcspn(line, " \t");
    const char *arg = skip_space(line + n);
    unsigned long long a, b;
    if (n == 5 && strncmp(line, "!name", 5) == 0) {
        bl_sb units = {0};
        if (!utf8_to_utf16le(arg, strlen(arg), &units) || units.len > sizeof opt->file_name)
            source_fail(src, "!name must be valid UTF-8 of at most 32 UTF-16 units");
        opt->file_name_len = (uint32_t)units.len;
        memcpy(opt->file_name, units.buf ? units.buf : "", units.len);
        bl_sb_free(&units);
    } else if (n == 5 && strncmp(line, "!root", 5) == 0) {
        if (!*arg || strchr(arg, '\\'))
            source_fail(src, "!root needs a key name");
        name_free(&opt->root_name);
        opt->root_name = name_make(src, arg, strlen(arg), MAX_KEY_NAME, "root key name");
    } else if (n == 4 && strncmp(line, "!seq", 4) == 0) {
        char *first = bl_xstrndup(arg, strcspn(arg, " \t"));
        const char *second = skip_space(arg + strlen(first));
        if (!parse_uint(first, 0, 0xFFFFFFFFu, &a) || !parse_uint(second, 0, 0xFFFFFFFFu, &b))
            source_fail(src, "!seq needs two numbers: PRIMARY SECONDARY");
        opt->seq_primary = (uint32_t)a;
        opt->seq_secondary = (uint32_t)b;
        free(first);
    } else if (n == 6 && strncmp(line, "!minor", 6) == 0) {
        if (!parse_uint(arg, 10, 6, &a) || a < 3)
            source_fail(src, "!minor must be 3, 4, 5 or 6");
        opt->minor = (uint32_t)a;
    } else if (n == 8 && strncmp(line, "!maxlist", 8) == 0) {
        if (!parse_uint(arg, 10, 0xFFFF, &a) || a < 1)
            source_fail(src, "!maxlist must be 1..65535");
        opt->max_list = (uint32_t)a;
    } else {
        source_fail(src, "unknown directive '%.*s' (known: !include !name !root !seq !minor !maxlist)", (int)n, line);
    }
}

/* Cuts the next line off *next (which becomes NULL after the last line) and
 * strips its line ending and trailing blanks. */
static char *take_line(char **next)
{
    char *line = *next, *nl = strchr(line, '\n');
    *next = nl ? nl + 1 : NULL;
    if (nl)
        *nl = '\0';
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = '\0';
    return line;
}

/* Handles a "NAME"=DATA or @=DATA line (continuations already joined). */
static void parse_value_line(const source *src, const char *p, key *k)
{
    bl_sb vname = {0}, data = {0};
    uint32_t type = 0;
    if (*p == '@')
        p++;
    else
        parse_quoted(src, &p, &vname);
    p = skip_space(p);
    if (*p != '=')
        source_fail(src, "expected '=' after the value name");
    parse_value_data(src, skip_space(p + 1), &type, &data);
    key_set_value(k, name_make(src, bl_sb_str(&vname), vname.len, MAX_VALUE_NAME, "value name"), type, &data);
    bl_sb_free(&vname);
}

static void parse_source(const char *path, char *text, key *root, hive_opts *opt, int depth);

/* "!include FILE": the named source (relative to the including file's
 * directory) is parsed in place, so scenarios share a common base. */
static void parse_include(const source *src, const char *arg, key *root, hive_opts *opt, int depth)
{
    if (!*arg)
        source_fail(src, "!include needs a file name");
    if (depth >= 8)
        source_fail(src, "!include nested more than 8 deep");
    bl_sb path = {0};
    const char *slash = strrchr(src->path, '/');
    if (arg[0] != '/' && slash)
        bl_sb_addn(&path, src->path, (size_t)(slash - src->path) + 1);
    bl_sb_add(&path, arg);
    FILE *f = fopen(bl_sb_str(&path), "rb");
    if (!f)
        source_fail(src, "!include %s: cannot open: %s", bl_sb_str(&path), strerror(errno));
    bl_sb text = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        bl_sb_addn(&text, chunk, n);
    fclose(f);
    if (memchr(bl_sb_str(&text), '\0', text.len))
        source_fail(src, "!include %s: contains NUL bytes", bl_sb_str(&path));
    char *keep_path = bl_sb_detach(&path);
    parse_source(keep_path, text.buf ? text.buf : (char[]){'\0'}, root, opt, depth + 1);
    bl_sb_free(&text);
    /* keep_path stays allocated: error messages of later lines never use
     * it, but it is small and freed at exit. */
    free(keep_path);
}

/* Parses the whole source text (modified in place) into the tree under root;
 * errors name the line where the offending (logical) line starts. */
static void parse_source(const char *path, char *text, key *root, hive_opts *opt, int depth)
{
    source src = {path, 0};
    key *cur = NULL;
    bl_sb logical = {0};
    char *next = strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? text + 3 : text;
    unsigned line_no = 0;
    while (next) {
        const char *line = skip_space(take_line(&next));
        src.line = ++line_no;
        if (!*line || *line == ';' || *line == '#' || strcmp(line, "Windows Registry Editor Version 5.00") == 0 ||
            strcmp(line, "REGEDIT4") == 0)
            continue;
        if (strncmp(line, "!include", 8) == 0 && (line[8] == ' ' || line[8] == '\t' || !line[8])) {
            parse_include(&src, skip_space(line + 8), root, opt, depth);
            cur = NULL; /* values must follow a [KEY] of this file */
        } else if (*line == '!') {
            parse_directive(&src, line, opt);
        } else if (*line == '[') {
            cur = parse_key_line(&src, line, root);
        } else if (*line == '"' || *line == '@') {
            if (!cur)
                source_fail(&src, "a value before any [KEY] line");
            /* A trailing backslash continues the value on the next line. */
            bl_sb_reset(&logical);
            bl_sb_add(&logical, line);
            while (logical.len && logical.buf[logical.len - 1] == '\\' && next) {
                logical.buf[--logical.len] = '\0';
                bl_sb_add(&logical, skip_space(take_line(&next)));
                line_no++;
            }
            parse_value_line(&src, logical.buf, cur);
        } else {
            source_fail(&src, "expected [KEY], \"NAME\"=DATA, @=DATA, a !directive or a comment");
        }
    }
    bl_sb_free(&logical);
}

/* ---- hive writing ------------------------------------------------------------
 * Cells are appended in one pass: a cell that does not fit in the current bin
 * closes it (a free cell fills its tail) and opens a new bin sized to hold the
 * cell, so no cell ever crosses a bin boundary.  Offsets are relative to the
 * start of the hive bins data, as everywhere in the format. */
typedef struct hive_writer {
    uint8_t *bins;
    size_t cap;
    uint32_t bin_start, bin_end, next;
    uint32_t minor, max_list, sk_offset, nkeys;
} hive_writer;

static void put16(hive_writer *w, uint32_t off, uint32_t v)
{
    w->bins[off] = (uint8_t)v;
    w->bins[off + 1] = (uint8_t)(v >> 8);
}

static void put32(hive_writer *w, uint32_t off, uint32_t v)
{
    put16(w, off, v & 0xFFFF);
    put16(w, off + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_bytes(hive_writer *w, uint32_t off, const void *src, size_t n)
{
    if (n)
        memcpy(w->bins + off, src, n);
}

/* Writes the stored form of nm at off (Latin-1 bytes or UTF-16LE). */
static void put_name(hive_writer *w, uint32_t off, const name *nm)
{
    for (uint32_t i = 0; i < nm->n16; i++) {
        if (nm->ascii)
            w->bins[off + i] = (uint8_t)nm->u16[i];
        else
            put16(w, off + 2 * i, nm->u16[i]);
    }
}

/* Ends the current bin: its unused tail becomes one free cell. */
static void close_bin(hive_writer *w)
{
    if (w->next < w->bin_end)
        put32(w, w->next, w->bin_end - w->next);
    w->next = w->bin_end;
}

/* Allocates a zeroed cell with room for payload bytes; returns its offset
 * (the cell's size field, which records refer to). */
static uint32_t alloc_cell(hive_writer *w, size_t payload)
{
    if (payload > 0x7FFF0000u)
        bl_die("mkhive: a cell of %zu bytes is too large", payload);
    uint32_t size = (uint32_t)((payload + 4 + 7) & ~(size_t)7);
    if (w->bin_end - w->next < size) {
        close_bin(w);
        uint32_t bin_size = (BIN_HEADER_SIZE + size + BIN_ALIGN - 1) / BIN_ALIGN * BIN_ALIGN;
        if ((size_t)w->bin_end + bin_size > MAX_HIVE_BINS)
            bl_die("mkhive: the hive would exceed 2 GiB, the most Windows loads");
        if (w->bin_end + (size_t)bin_size > w->cap) {
            size_t cap = w->cap ? w->cap : 1u << 16;
            while (cap < w->bin_end + (size_t)bin_size)
                cap *= 2;
            w->bins = bl_xrealloc(w->bins, cap);
            w->cap = cap;
        }
        w->bin_start = w->bin_end;
        w->bin_end += bin_size;
        memset(w->bins + w->bin_start, 0, bin_size);
        put_bytes(w, w->bin_start, "hbin", 4);
        put32(w, w->bin_start + 4, w->bin_start);
        put32(w, w->bin_start + 8, bin_size);
        if (w->bin_start == 0)
            put64(w->bins + 20, FIXED_FILETIME);
        w->next = w->bin_start + BIN_HEADER_SIZE;
    }
    uint32_t off = w->next;
    put32(w, off, (uint32_t)-(int32_t)size);
    w->next += size;
    return off;
}

/* Appends a SID (S-1-authority-subs...) in its binary form. */
static void sd_add_sid(bl_sb *sd, uint8_t authority, const uint32_t *subs, uint8_t nsubs)
{
    char head[8] = {1, (char)nsubs, 0, 0, 0, 0, 0, (char)authority};
    bl_sb_addn(sd, head, sizeof head);
    for (uint8_t i = 0; i < nsubs; i++)
        for (int b = 0; b < 4; b++)
            bl_sb_addc(sd, (char)(subs[i] >> (8 * b) & 0xFF));
}

static void sd_put32(bl_sb *sd, size_t off, uint32_t v)
{
    for (int b = 0; b < 4; b++)
        sd->buf[off + (size_t)b] = (char)(v >> (8 * b) & 0xFF);
}

/* Builds the self-relative security descriptor every key shares: owner
 * Administrators, group SYSTEM, a DACL granting SYSTEM and Administrators
 * full control and Users read access (inherited by subkeys), as on a stock
 * SYSTEM hive's keys. */
static void build_security_descriptor(bl_sb *sd)
{
    static const uint32_t system_sid[] = {18}, admins_sid[] = {32, 544}, users_sid[] = {32, 545};
    static const struct {
        const uint32_t *subs;
        uint8_t nsubs;
        uint32_t mask;
    } aces[] = {{system_sid, 1, 0x000F003F}, {admins_sid, 2, 0x000F003F}, {users_sid, 2, 0x00020019}};
    char header[20] = {1, 0, 0x04, (char)0x80}; /* revision 1; SE_DACL_PRESENT|SE_SELF_RELATIVE */
    bl_sb_addn(sd, header, sizeof header);
    size_t dacl = sd->len;
    char acl_head[8] = {2, 0, 0, 0, (char)BL_ARRAY_LEN(aces), 0, 0, 0};
    bl_sb_addn(sd, acl_head, sizeof acl_head);
    for (size_t i = 0; i < BL_ARRAY_LEN(aces); i++) {
        size_t ace = sd->len;
        char ace_head[4] = {0 /* ACCESS_ALLOWED */, 0x02 /* CONTAINER_INHERIT */, 0, 0};
        bl_sb_addn(sd, ace_head, sizeof ace_head);
        bl_sb_addn(sd, "\0\0\0\0", 4);
        sd_put32(sd, ace + 4, aces[i].mask);
        sd_add_sid(sd, 5, aces[i].subs, aces[i].nsubs);
        size_t ace_size = sd->len - ace;
        sd->buf[ace + 2] = (char)(ace_size & 0xFF);
        sd->buf[ace + 3] = (char)(ace_size >> 8);
    }
    size_t acl_size = sd->len - dacl;
    sd->buf[dacl + 2] = (char)(acl_size & 0xFF);
    sd->buf[dacl + 3] = (char)(acl_size >> 8);
    sd_put32(sd, 4, (uint32_t)sd->len); /* owner */
    sd_add_sid(sd, 5, admins_sid, 2);
    sd_put32(sd, 8, (uint32_t)sd->len); /* group */
    sd_add_sid(sd, 5, system_sid, 1);
    sd_put32(sd, 16, (uint32_t)dacl);
}

/* Writes the shared sk cell; its reference count is set once keys are known. */
static void write_security(hive_writer *w)
{
    bl_sb sd = {0};
    build_security_descriptor(&sd);
    uint32_t off = alloc_cell(w, 20 + sd.len);
    put_bytes(w, off + 4, "sk", 2);
    put32(w, off + 8, off);  /* flink: the only entry of the list */
    put32(w, off + 12, off); /* blink */
    put32(w, off + 20, (uint32_t)sd.len);
    put_bytes(w, off + 24, sd.buf, sd.len);
    w->sk_offset = off;
    bl_sb_free(&sd);
}

/* Stores a value's data; returns what goes in the vk's data size and data
 * offset fields (data of 4 bytes or less lives in the offset field itself). */
static void write_value_data(hive_writer *w, const value *v, uint32_t *size_field, uint32_t *offset_field)
{
    uint32_t size = (uint32_t)v->data.len;
    const uint8_t *data = (const uint8_t *)v->data.buf;
    *size_field = size;
    if (size <= 4) {
        uint8_t inline_data[4] = {0};
        if (size)
            memcpy(inline_data, data, size);
        *size_field = size | 0x80000000u;
        *offset_field = (uint32_t)inline_data[0] | (uint32_t)inline_data[1] << 8 | (uint32_t)inline_data[2] << 16 |
                        (uint32_t)inline_data[3] << 24;
    } else if (size > BIG_DATA_SEGMENT && w->minor >= 4) {
        uint32_t nseg = (size + BIG_DATA_SEGMENT - 1) / BIG_DATA_SEGMENT;
        uint32_t db = alloc_cell(w, 12), list = alloc_cell(w, 4 * (size_t)nseg);
        put_bytes(w, db + 4, "db", 2);
        put16(w, db + 6, nseg);
        put32(w, db + 8, list);
        for (uint32_t i = 0; i < nseg; i++) {
            uint32_t n = size - i * BIG_DATA_SEGMENT < BIG_DATA_SEGMENT ? size - i * BIG_DATA_SEGMENT : BIG_DATA_SEGMENT;
            /* Windows allocates the last segment full-size too, and readers
             * (hivex, libregf) take a segment's length from its cell. */
            uint32_t seg = alloc_cell(w, BIG_DATA_SEGMENT);
            put_bytes(w, seg + 4, data + (size_t)i * BIG_DATA_SEGMENT, n);
            put32(w, list + 4 + 4 * i, seg);
        }
        *offset_field = db;
    } else {
        uint32_t cell = alloc_cell(w, size);
        put_bytes(w, cell + 4, data, size);
        *offset_field = cell;
    }
}

/* Writes a vk cell and its data; returns the vk's offset. */
static uint32_t write_value(hive_writer *w, const value *v)
{
    uint32_t vk = alloc_cell(w, 20 + (size_t)name_stored_len(&v->nm)), size_field, offset_field;
    put_bytes(w, vk + 4, "vk", 2);
    put16(w, vk + 6, name_stored_len(&v->nm));
    put32(w, vk + 16, v->type);
    put16(w, vk + 20, v->nm.ascii && v->nm.n16 ? VALUE_COMP_NAME : 0);
    put_name(w, vk + 24, &v->nm);
    write_value_data(w, v, &size_field, &offset_field);
    put32(w, vk + 8, size_field);
    put32(w, vk + 12, offset_field);
    return vk;
}

/* Writes one lh list of the n subkeys at offs/keys; returns its offset. */
static uint32_t write_hash_leaf(hive_writer *w, key *const *keys, const uint32_t *offs, uint32_t n)
{
    uint32_t lh = alloc_cell(w, 4 + 8 * (size_t)n);
    put_bytes(w, lh + 4, "lh", 2);
    put16(w, lh + 6, n);
    for (uint32_t i = 0; i < n; i++) {
        put32(w, lh + 8 + 8 * i, offs[i]);
        put32(w, lh + 12 + 8 * i, name_hash(&keys[i]->nm));
    }
    return lh;
}

/* Writes the subkey index of k (whose sorted subkeys are at offs): one lh
 * list, or above max_list subkeys an ri list of lh lists of max_list each. */
static uint32_t write_subkey_index(hive_writer *w, const key *k, const uint32_t *offs)
{
    if (k->nsubs <= w->max_list)
        return write_hash_leaf(w, k->subs, offs, k->nsubs);
    uint32_t nleaves = (k->nsubs + w->max_list - 1) / w->max_list;
    if (nleaves > 0xFFFF)
        bl_die("mkhive: too many subkeys under '%s' for !maxlist %u", k->nm.utf8, w->max_list);
    uint32_t *leaves = bl_xcalloc(nleaves, sizeof *leaves);
    for (uint32_t i = 0; i < nleaves; i++) {
        uint32_t first = i * w->max_list, n = k->nsubs - first < w->max_list ? k->nsubs - first : w->max_list;
        leaves[i] = write_hash_leaf(w, k->subs + first, offs + first, n);
    }
    uint32_t ri = alloc_cell(w, 4 + 4 * (size_t)nleaves);
    put_bytes(w, ri + 4, "ri", 2);
    put16(w, ri + 6, nleaves);
    for (uint32_t i = 0; i < nleaves; i++)
        put32(w, ri + 8 + 4 * i, leaves[i]);
    free(leaves);
    return ri;
}

static uint32_t alloc_key_cell(hive_writer *w, const key *k)
{
    return alloc_cell(w, 76 + (size_t)name_stored_len(&k->nm));
}

/* Fills k's nk cell (already allocated at nk), writes its values and
 * (recursively) its subkeys.  The counts and largest-length fields are filled
 * in once the children are written. */
static void write_key(hive_writer *w, const key *k, uint32_t nk, uint32_t parent, bool is_root)
{
    uint32_t flags = (k->nm.ascii ? KEY_COMP_NAME : 0) | (is_root ? KEY_HIVE_ENTRY | KEY_NO_DELETE : 0);
    uint32_t max_name = 0, max_value_name = 0, max_data = 0;
    w->nkeys++;
    put_bytes(w, nk + 4, "nk", 2);
    put16(w, nk + 6, flags);
    put64(w->bins + nk + 8, FIXED_FILETIME);
    put32(w, nk + 20, parent);
    put32(w, nk + 32, NO_CELL); /* subkeys list */
    put32(w, nk + 36, NO_CELL); /* volatile subkeys list */
    put32(w, nk + 44, NO_CELL); /* values list */
    put32(w, nk + 48, w->sk_offset);
    put32(w, nk + 52, NO_CELL); /* class name */
    put16(w, nk + 76, name_stored_len(&k->nm));
    put_name(w, nk + 80, &k->nm);

    if (k->nvals) {
        uint32_t *vks = bl_xcalloc(k->nvals, sizeof *vks);
        for (uint32_t i = 0; i < k->nvals; i++) {
            vks[i] = write_value(w, &k->vals[i]);
            if (2 * k->vals[i].nm.n16 > max_value_name)
                max_value_name = 2 * k->vals[i].nm.n16;
            if (k->vals[i].data.len > max_data)
                max_data = (uint32_t)k->vals[i].data.len;
        }
        uint32_t list = alloc_cell(w, 4 * (size_t)k->nvals);
        for (uint32_t i = 0; i < k->nvals; i++)
            put32(w, list + 4 + 4 * i, vks[i]);
        put32(w, nk + 40, k->nvals);
        put32(w, nk + 44, list);
        free(vks);
    }
    if (k->nsubs) {
        uint32_t *offs = bl_xcalloc(k->nsubs, sizeof *offs);
        for (uint32_t i = 0; i < k->nsubs; i++) {
            offs[i] = alloc_key_cell(w, k->subs[i]);
            write_key(w, k->subs[i], offs[i], nk, false);
            if (2 * k->subs[i]->nm.n16 > max_name)
                max_name = 2 * k->subs[i]->nm.n16;
        }
        put32(w, nk + 24, k->nsubs);
        put32(w, nk + 32, write_subkey_index(w, k, offs));
        free(offs);
    }
    /* Largest lengths count UTF-16 bytes whatever the stored form, as Windows. */
    put32(w, nk + 56, max_name);
    put32(w, nk + 64, max_value_name);
    put32(w, nk + 68, max_data);
}

/* Fills the 4096-byte base block for hive bins of bins_size bytes. */
static void build_base_block(uint8_t *bb, const hive_opts *opt, uint32_t root, uint32_t bins_size)
{
    memset(bb, 0, BASE_BLOCK_SIZE);
    /* Offsets 4..47: sequence numbers, timestamp (set below), major 1, minor,
     * type 0 (primary), format 1, root cell, hive bins size, clustering 1. */
    uint32_t fields[] = {opt->seq_primary, opt->seq_secondary, 0, 0, 1, opt->minor, 0, 1, root, bins_size, 1};
    memcpy(bb, "regf", 4);
    for (size_t i = 0; i < BL_ARRAY_LEN(fields); i++)
        for (int b = 0; b < 4; b++)
            bb[4 + 4 * i + (size_t)b] = (uint8_t)(fields[i] >> (8 * b));
    put64(bb + 12, FIXED_FILETIME);
    memcpy(bb + 48, opt->file_name, opt->file_name_len);
    uint32_t sum = 0;
    for (size_t i = 0; i < 508; i += 4)
        sum ^= (uint32_t)bb[i] | (uint32_t)bb[i + 1] << 8 | (uint32_t)bb[i + 2] << 16 | (uint32_t)bb[i + 3] << 24;
    if (sum == 0) /* Windows never stores 0 or ~0 as a checksum */
        sum = 1;
    else if (sum == 0xFFFFFFFFu)
        sum = 0xFFFFFFFEu;
    for (int b = 0; b < 4; b++)
        bb[508 + b] = (uint8_t)(sum >> (8 * b));
}

/* Writes the whole hive for root to out_path ("-" = stdout); false on I/O
 * failure, with the reason printed. */
static bool write_hive(const key *root, const hive_opts *opt, const char *out_path)
{
    hive_writer w = {0};
    uint8_t base[BASE_BLOCK_SIZE];
    w.minor = opt->minor;
    w.max_list = opt->max_list;
    /* The root is the first cell and the shared sk the second, as in Windows. */
    uint32_t root_off = alloc_key_cell(&w, root);
    write_security(&w);
    write_key(&w, root, root_off, NO_CELL, true);
    put32(&w, w.sk_offset + 16, w.nkeys);
    close_bin(&w);
    build_base_block(base, opt, root_off, w.bin_end);

    bool to_stdout = strcmp(out_path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(out_path, "wb");
    bool ok = f && fwrite(base, 1, sizeof base, f) == sizeof base && fwrite(w.bins, 1, w.bin_end, f) == w.bin_end;
    if (f && !to_stdout && fclose(f) != 0)
        ok = false;
    else if (to_stdout && fflush(stdout) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "%s: cannot write: %s\n", out_path, strerror(errno));
        if (f && !to_stdout)
            remove(out_path); /* only what we created: never a file we could not open */
    }
    free(w.bins);
    return ok;
}

/* ---- canonical dump --------------------------------------------------------
 * One line per key ("K\tPATH") and per value ("V\tPATH\tNAME\tTYPE\tSIZE\tHEX"):
 * PATH is "\" for the root and "\A\B" below it; NAME is "@" for the default
 * value, else the name in double quotes; TYPE and SIZE are decimal, HEX the
 * data in lower-case hex.  Control characters in names are written \xNN and
 * a backslash in a value name \\.  tests/writer-roundtrip.sh builds the same
 * lines from what each reader sees and compares them after sorting. */
static void escape_name(bl_sb *out, const char *s, bool escape_backslash)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F)
            bl_sb_addf(out, "\\x%02x", c);
        else if (c == '\\' && escape_backslash)
            bl_sb_add(out, "\\\\");
        else
            bl_sb_addc(out, (char)c);
    }
}

/* Prints k and everything below it; path holds k's escaped path ("" = root). */
static void dump_key(const key *k, bl_sb *path)
{
    const char *shown = path->len ? bl_sb_str(path) : "\\";
    bl_sb line = {0};
    printf("K\t%s\n", shown);
    for (uint32_t i = 0; i < k->nvals; i++) {
        const value *v = &k->vals[i];
        bl_sb_reset(&line);
        if (v->nm.n16) {
            bl_sb_addc(&line, '"');
            escape_name(&line, v->nm.utf8, true);
            bl_sb_addc(&line, '"');
        } else {
            bl_sb_addc(&line, '@');
        }
        bl_sb_addf(&line, "\t%u\t%zu\t", v->type, v->data.len);
        for (size_t j = 0; j < v->data.len; j++)
            bl_sb_addf(&line, "%02x", (unsigned char)v->data.buf[j]);
        printf("V\t%s\t%s\n", shown, bl_sb_str(&line));
    }
    bl_sb_free(&line);
    size_t len = path->len;
    for (uint32_t i = 0; i < k->nsubs; i++) {
        bl_sb_addc(path, '\\');
        escape_name(path, k->subs[i]->nm.utf8, false);
        dump_key(k->subs[i], path);
        path->len = len;
        path->buf[len] = '\0';
    }
}

static void usage(FILE *f)
{
    fputs("usage: mkhive SOURCE.reg -o OUT       write a regf hive (SOURCE or OUT may be -)\n"
          "       mkhive --dump-source SOURCE.reg print the parsed source canonically\n"
          "The source format is described in test_hives/README.md.\n",
          f);
}

int main(int argc, char **argv)
{
    const char *in_path = NULL, *out_path = NULL;
    bool dump = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else if (strcmp(argv[i], "--dump-source") == 0) {
            dump = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (!in_path && (argv[i][0] != '-' || argv[i][1] == '\0')) {
            in_path = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!in_path || dump == (out_path != NULL)) {
        usage(stderr);
        return 2;
    }

    bl_sb text = {0};
    const char *shown = strcmp(in_path, "-") == 0 ? "<stdin>" : in_path;
    FILE *in = strcmp(in_path, "-") == 0 ? stdin : fopen(in_path, "rb");
    if (!in) {
        fprintf(stderr, "%s: cannot open: %s\n", in_path, strerror(errno));
        return 2;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        bl_sb_addn(&text, chunk, n);
    if (ferror(in)) {
        fprintf(stderr, "%s: cannot read: %s\n", shown, strerror(errno));
        return 2;
    }
    if (text.len >= 2 && (memcmp(text.buf, "\xFF\xFE", 2) == 0 || memcmp(text.buf, "\xFE\xFF", 2) == 0)) {
        fprintf(stderr, "%s: the source is UTF-16 (as regedit exports); convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8\n",
                shown);
        return 2;
    }
    if (memchr(bl_sb_str(&text), '\0', text.len)) {
        fprintf(stderr, "%s: contains NUL bytes: not a UTF-8 text source\n", shown);
        return 2;
    }
    if (in != stdin)
        fclose(in);

    hive_opts opt = {.seq_primary = 1, .seq_secondary = 1, .minor = 5, .max_list = 500};
    source none = {shown, 0};
    opt.root_name = name_make(&none, "ROOT", 4, MAX_KEY_NAME, "root key name");
    key root = {0};
    parse_source(shown, text.buf ? text.buf : (char[]){'\0'}, &root, &opt, 0);
    root.nm = opt.root_name;
    key_sort(&root);

    bool ok;
    if (dump) {
        bl_sb path = {0};
        dump_key(&root, &path);
        bl_sb_free(&path);
        ok = fflush(stdout) == 0;
    } else {
        ok = write_hive(&root, &opt, out_path);
    }
    key_free(&root); /* also frees opt.root_name, which root.nm took over */
    bl_sb_free(&text);
    return ok ? 0 : 2;
}

/* parse.c — the INF parser: physical lines (from decode.c) become logical
 * lines, sections and fields following Microsoft's "General Syntax Rules for
 * INF Files"; then the [Strings] section Windows would pick is applied to
 * every key and value, and the result is checked for the mistakes Windows
 * would trip over (missing sections, undefined %strkey% tokens).
 *
 * Two passes, because [Strings] usually comes last but applies to all of
 * the file: pass 1 lexes everything into raw fields (unquoted, not yet
 * substituted); pass 2 substitutes and lays the lines out per section. */
#include "inf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnostics ---- */

enum { DIAG_MAX_BYTES = 1000 };

static void diag_add(bl_inf *inf, uint32_t line_no, const char *text)
{
    /* The same finding reached twice (a models section named by two
     * [Manufacturer] entries) is reported once. */
    for (uint32_t i = 0; i < inf->ndiags; i++) {
        if (inf->diags[i].line_no == line_no && strcmp(inf->diags[i].message, text) == 0)
            return;
    }
    /* Names quoted in a message can be up to a field long; one line of
     * text is what a reader wants, and it keeps 500 warnings small. */
    size_t len = strlen(text);
    char *msg;
    if (len > DIAG_MAX_BYTES) {
        msg = inf_alloc(inf, DIAG_MAX_BYTES + 4);
        memcpy(msg, text, DIAG_MAX_BYTES);
        memcpy(msg + DIAG_MAX_BYTES, "...", 4);
    } else {
        msg = inf_alloc(inf, len + 1);
        memcpy(msg, text, len + 1);
    }
    bl_grow((void **)&inf->diags, sizeof *inf->diags, &inf->diags_cap, inf->ndiags + 1);
    inf->diags[inf->ndiags].line_no = line_no;
    inf->diags[inf->ndiags].message = msg;
    inf->ndiags++;
}

void inf_warn(bl_inf *inf, uint32_t line_no, const char *fmt, ...)
{
    if (inf->ndiags >= BL_INF_MAX_DIAGS) {
        inf->diags_dropped++;
        return;
    }
    bl_sb sb = {0};
    bl_sb_addf(&sb, "%s:%u: ", inf->name, line_no ? line_no : 1);
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    diag_add(inf, line_no ? line_no : 1, bl_sb_str(&sb));
    bl_sb_free(&sb);
}

static void reader_warning(void *ctx, uint32_t line_no, const char *msg)
{
    inf_warn(ctx, line_no, "%s", msg);
}

void bl_inf_error_at(const bl_inf *inf, uint32_t line_no, bl_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char text[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    bl_error_set(err, "%s:%u: %s", inf->name, line_no ? line_no : 1, text);
}

/* Orders warnings by line, keeping raise order within a line (insertion
 * sort: stable, and plenty for at most BL_INF_MAX_DIAGS), then appends the
 * "N more" note. */
static void diags_finish(bl_inf *inf)
{
    uint32_t n = inf->ndiags;
    for (uint32_t i = 1; i < n; i++) {
        bl_inf_diag v = inf->diags[i];
        uint32_t j = i;
        while (j > 0 && inf->diags[j - 1].line_no > v.line_no) {
            inf->diags[j] = inf->diags[j - 1];
            j--;
        }
        inf->diags[j] = v;
    }
    if (inf->diags_dropped) {
        uint32_t last = n ? inf->diags[n - 1].line_no : 1;
        bl_sb sb = {0};
        bl_sb_addf(&sb, "%s:%u: %u more warnings not shown", inf->name, last, inf->diags_dropped);
        diag_add(inf, last, bl_sb_str(&sb));
        bl_sb_free(&sb);
    }
}

/* ---- pass 1: lexing ---- */

typedef struct pending_field {
    const char *raw;
    bool quoted;
} pending_field;

typedef struct pending_line {
    uint32_t section, line_no, first, nfields;
    bool has_key; /* then fields[first] is the key */
} pending_line;

typedef struct parser {
    bl_inf *inf;
    bl_error *err;
    inf_reader rd;
    const bl_inf_options *opt;

    pending_line *plines;
    uint32_t nplines, plines_cap;
    pending_field *pfields;
    uint32_t npfields, pfields_cap;

    int64_t cur_section; /* -1 before the first header */
    bool cur_is_strings; /* in [Strings*], commas do not split fields */
    bool warned_outside;

    /* the logical line being built */
    bool continued; /* the previous physical line ended in a continuation '\' */
    uint32_t line_no, line_first;
    bool has_key, seen_comma;
    size_t line_bytes;

    /* the field being built */
    bl_sb field;
    bool field_started, field_quoted;
    size_t sig_end;    /* field length without blanks that trimming removes */
    size_t quoted_end; /* field length just after its last quoted character */
    bool ends_in_backslash;

    uint64_t expanded_bytes;
    bl_sb scratch, key;

    /* inline suppressions from this one on wait for the next entry line */
    uint32_t pending_suppressions;
    bool warned_suppressions;
} parser;

static int fail(parser *p, uint32_t line_no, const char *fmt, ...) BL_PRINTF(3, 4);
static int fail(parser *p, uint32_t line_no, const char *fmt, ...)
{
    char text[sizeof p->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    bl_error_set(p->err, "%s:%u: %s", p->inf->name, line_no, text);
    return -1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* Inline suppressions on their own line(s) cover the next entry. */
#define SUPPRESS_NEXT_ENTRY UINT32_MAX

/* ---- inline suppressions ----
 * A comment `; bootlens: ignore RULE[,RULE...] [reason]` suppresses
 * findings of those rules (or `*`, every rule) that point at one line:
 *  - after an entry, on its line: that entry;
 *  - on a line of its own: the next entry line (blank and comment lines
 *    between are skipped, as are section headers);
 *  - before the first section header: the whole INF.
 * lint (inf/lint.c) matches them against findings and checks rule ids. */

static void skip_blanks(const char *s, size_t n, size_t *i)
{
    while (*i < n && is_blank(s[*i]))
        (*i)++;
}

static bool word_at(const char *s, size_t n, size_t *i, const char *word)
{
    size_t w = strlen(word);
    if (n - *i < w)
        return false;
    for (size_t k = 0; k < w; k++)
        if ((s[*i + k] | 0x20) != word[k])
            return false;
    *i += w;
    return true;
}

/* c[0..n) is the text after ';'.  target: the entry line it covers, 0 for
 * the whole INF, SUPPRESS_NEXT_ENTRY for the next entry. */
static void comment_directive(parser *p, const char *c, size_t n, uint32_t line_no, uint32_t target)
{
    size_t i = 0;
    skip_blanks(c, n, &i);
    if (!word_at(c, n, &i, "bootlens:"))
        return;
    skip_blanks(c, n, &i);
    size_t rules = i;
    bool ok = word_at(c, n, &rules, "ignore") && rules < n && is_blank(c[rules]);
    if (ok) {
        skip_blanks(c, n, &rules);
        ok = rules < n;
    }
    if (!ok) {
        inf_warn(p->inf, line_no, "bootlens directive not understood: write `; bootlens: ignore RULE reason`");
        return;
    }
    size_t end = rules;
    while (end < n && !is_blank(c[end]))
        end++;
    size_t reason = end;
    skip_blanks(c, n, &reason);
    size_t rend = n;
    while (rend > reason && is_blank(c[rend - 1]))
        rend--;
    bl_inf *inf = p->inf;
    if (inf->nsuppressions >= BL_INF_MAX_SUPPRESSIONS) {
        if (!p->warned_suppressions)
            inf_warn(inf, line_no, "more than %u bootlens directives: the rest are ignored", BL_INF_MAX_SUPPRESSIONS);
        p->warned_suppressions = true;
        return;
    }
    const char *why = inf_strn(inf, c + reason, rend - reason);
    for (size_t k = rules; k < end;) {
        size_t e = k;
        while (e < end && c[e] != ',')
            e++;
        if (e > k && inf->nsuppressions < BL_INF_MAX_SUPPRESSIONS) {
            bl_grow((void **)&inf->suppressions, sizeof *inf->suppressions, &inf->suppressions_cap,
                    inf->nsuppressions + 1);
            bl_inf_suppression *x = &inf->suppressions[inf->nsuppressions++];
            x->line_no = line_no;
            x->target = target;
            x->rule = inf_strn(inf, c + k, e - k);
            x->reason = why;
        }
        k = e + 1;
    }
}

uint32_t bl_inf_suppression_count(const bl_inf *inf)
{
    return inf->nsuppressions;
}

const bl_inf_suppression *bl_inf_suppression_at(const bl_inf *inf, uint32_t i)
{
    return i < inf->nsuppressions ? &inf->suppressions[i] : NULL;
}

static uint32_t section_add(parser *p, const char *name, size_t n, uint32_t line_no)
{
    bl_inf *inf = p->inf;
    const char *folded = inf_fold(inf, name, n);
    uint32_t idx;
    if (inf_index_get(&inf->section_index, folded, &idx))
        return idx;
    idx = inf->nsections;
    uint32_t old_cap = inf->sections_cap;
    bl_grow((void **)&inf->sections, sizeof *inf->sections, &inf->sections_cap, idx + 1);
    if (inf->sections_cap != old_cap)
        inf->folded = bl_xrealloc(inf->folded, (size_t)inf->sections_cap * sizeof *inf->folded);
    memset(&inf->sections[idx], 0, sizeof inf->sections[idx]);
    inf->sections[idx].name = inf_strn(inf, name, n);
    inf->sections[idx].line_no = line_no;
    inf->folded[idx] = folded;
    inf->nsections++;
    inf_index_put(&inf->section_index, folded, idx);
    return idx;
}

bool inf_strings_langid(const char *folded, int32_t *langid)
{
    if (strncmp(folded, "strings", 7) != 0)
        return false;
    if (!folded[7]) {
        *langid = -1;
        return true;
    }
    if (folded[7] != '.')
        return false;
    const char *h = folded + 8;
    size_t n = strlen(h);
    if (n == 0 || n > 4 || strspn(h, "0123456789abcdef") != n)
        return false;
    *langid = (int32_t)strtol(h, NULL, 16);
    return true;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars;
}

static int section_header(parser *p, const char *s, size_t n, uint32_t line_no)
{
    const char *close = memchr(s, ']', n);
    if (!close)
        return fail(p, line_no, "section header has no closing ']'");
    const char *name = s + 1;
    size_t len = (size_t)(close - name);
    const char *rest = close + 1;
    while (rest < s + n && is_blank(*rest))
        rest++;
    if (rest < s + n && *rest != ';')
        inf_warn(p->inf, line_no, "text after the section header [%.*s] is ignored", (int)len,
                 name);
    else if (rest < s + n)
        /* On a header it covers the section's first entry, as a directive
         * on the line before that entry would. */
        comment_directive(p, rest + 1, (size_t)(s + n - rest - 1), line_no, SUPPRESS_NEXT_ENTRY);
    if (len == 0)
        inf_warn(p->inf, line_no, "empty section name []");
    else if (is_blank(name[0]) || is_blank(name[len - 1]))
        inf_warn(p->inf, line_no,
                 "section name [%.*s] has leading or trailing blanks; only a quoted reference "
                 "can name it",
                 (int)len, name);
    if (utf8_chars(name, len) > BL_INF_WINDOWS_SECTION_CHARS)
        inf_warn(p->inf, line_no, "section name longer than %u characters, Windows' limit",
                 BL_INF_WINDOWS_SECTION_CHARS);
    uint32_t idx = section_add(p, name, len, line_no);
    int32_t langid;
    p->cur_section = idx;
    p->cur_is_strings = inf_strings_langid(p->inf->folded[idx], &langid);
    return 0;
}

static void field_reset(parser *p)
{
    bl_sb_reset(&p->field);
    p->field_started = p->field_quoted = false;
    p->sig_end = p->quoted_end = 0;
    p->ends_in_backslash = false;
}

static void field_add(parser *p, char c, bool quoted)
{
    bl_sb_addc(&p->field, c);
    p->field_started = true;
    if (quoted) {
        p->quoted_end = p->sig_end = p->field.len;
        p->ends_in_backslash = false;
    } else if (!is_blank(c)) {
        p->sig_end = p->field.len;
        p->ends_in_backslash = c == '\\';
    }
}

/* A quote opening or closing: what precedes it is part of the field even
 * if blank, and an empty "" still makes an (explicitly empty) field. */
static void field_quote_mark(parser *p)
{
    p->field_started = p->field_quoted = true;
    p->quoted_end = p->sig_end = p->field.len;
    p->ends_in_backslash = false;
}

static void field_end(parser *p)
{
    bl_inf *inf = p->inf;
    bl_grow((void **)&p->pfields, sizeof *p->pfields, &p->pfields_cap, p->npfields + 1);
    pending_field *f = &p->pfields[p->npfields++];
    f->raw = inf_strn(inf, p->field.buf ? p->field.buf : "", p->sig_end);
    f->quoted = p->field_quoted;
    field_reset(p);
}

static void line_start(parser *p, uint32_t line_no)
{
    bl_inf *inf = p->inf;
    for (uint32_t i = p->pending_suppressions; i < inf->nsuppressions; i++)
        if (inf->suppressions[i].target == SUPPRESS_NEXT_ENTRY)
            inf->suppressions[i].target = line_no;
    p->pending_suppressions = inf->nsuppressions;
    p->line_no = line_no;
    p->line_first = p->npfields;
    p->has_key = p->seen_comma = false;
    p->line_bytes = 0;
    field_reset(p);
}

static void line_finish(parser *p)
{
    if (p->field_started || p->seen_comma)
        field_end(p);
    uint32_t nfields = p->npfields - p->line_first;
    p->continued = false;
    if (nfields == 0)
        return;
    if (p->cur_section < 0) {
        if (!p->warned_outside)
            inf_warn(p->inf, p->line_no, "text before the first section header is ignored");
        p->warned_outside = true;
        p->npfields = p->line_first;
        return;
    }
    bl_grow((void **)&p->plines, sizeof *p->plines, &p->plines_cap, p->nplines + 1);
    pending_line *l = &p->plines[p->nplines++];
    l->section = (uint32_t)p->cur_section;
    l->line_no = p->line_no;
    l->first = p->line_first;
    l->nfields = nfields;
    l->has_key = p->has_key;
}

/* Length of the %strkey% token starting at s[0] == '%' (both percent signs
 * included), or 0 when s[0] is a lone percent sign.  A key is made of
 * visible characters, so a blank, quote or comma ends the search. */
static size_t token_len(const char *s, size_t n)
{
    for (size_t j = 1; j < n && s[j]; j++) {
        if (s[j] == '%')
            return j + 1;
        if (is_blank(s[j]) || s[j] == '"' || s[j] == ',')
            return 0;
    }
    return 0;
}

/* Lexes one physical line into the logical line being built. */
static int lex_line(parser *p, const char *s, size_t n, uint32_t line_no)
{
    size_t i = 0;
    if (!p->continued) {
        while (i < n && is_blank(s[i]))
            i++;
        if (i < n && s[i] == ';')
            comment_directive(p, s + i + 1, n - i - 1, line_no, p->cur_section < 0 ? 0 : SUPPRESS_NEXT_ENTRY);
        if (i == n || s[i] == ';')
            return 0;
        if (s[i] == '[')
            return section_header(p, s + i, n - i, line_no);
        line_start(p, line_no);
    }
    p->line_bytes += n;
    if (p->line_bytes > BL_INF_MAX_LINE_BYTES)
        return fail(p, p->line_no, "line longer than %u bytes", BL_INF_MAX_LINE_BYTES);
    bool in_quotes = false;
    while (i < n) {
        char c = s[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < n && s[i + 1] == '"') {
                field_add(p, '"', true);
                i += 2;
            } else if (c == '"') {
                in_quotes = false;
                field_quote_mark(p);
                i++;
            } else {
                field_add(p, c, true);
                i++;
            }
            continue;
        }
        if (c == ';') {
            comment_directive(p, s + i + 1, n - i - 1, line_no, p->cur_section < 0 ? 0 : p->line_no);
            break;
        }
        if (c == '"') {
            in_quotes = true;
            field_quote_mark(p);
            i++;
        } else if (c == ',' && !p->cur_is_strings) {
            field_end(p);
            p->seen_comma = true;
            i++;
        } else if (c == '=' && !p->has_key && !p->seen_comma) {
            field_end(p);
            p->has_key = true;
            i++;
        } else if (c == '%') {
            /* A %strkey% token is copied whole so that a ';' inside it is
             * not taken for a comment, as the syntax rules say. */
            size_t len = token_len(s + i, n - i);
            if (!len)
                len = 1;
            for (size_t k = 0; k < len; k++)
                field_add(p, s[i + k], false);
            p->ends_in_backslash = false;
            i += len;
        } else if (is_blank(c) && !p->field_started) {
            i++;
        } else {
            field_add(p, c, false);
            i++;
        }
    }
    if (in_quotes)
        return fail(p, line_no, "unterminated quoted string (no closing '\"' on this line)");
    if (p->ends_in_backslash) {
        /* A trailing '\' (outside quotes, before any comment) joins the next
         * line; the backslash itself is dropped. */
        p->field.len = p->sig_end - 1; /* blanks after the '\' go with it */
        p->field.buf[p->field.len] = '\0';
        size_t e = p->field.len;
        while (e > p->quoted_end && is_blank(p->field.buf[e - 1]))
            e--;
        p->sig_end = e;
        p->ends_in_backslash = false;
        if (p->field.len == 0 && !p->field_quoted)
            p->field_started = false;
        p->continued = true;
        return 0;
    }
    line_finish(p);
    return 0;
}

static int lex_all(parser *p)
{
    for (;;) {
        int rc = inf_reader_next(&p->rd, p->err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        if (lex_line(p, bl_sb_str(&p->rd.line), p->rd.line.len, p->rd.line_no) < 0)
            return -1;
        /* Each field and section costs tens of bytes; a file of nothing but
         * commas must not turn 64 MB into gigabytes. */
        if ((uint64_t)p->npfields + p->inf->nsections + p->inf->nsuppressions > BL_INF_MAX_ITEMS)
            return fail(p, p->rd.line_no, "more than %u fields and sections: not a plausible INF",
                        BL_INF_MAX_ITEMS);
        if (p->inf->nsections > BL_INF_MAX_SECTIONS)
            return fail(p, p->rd.line_no, "more than %u sections: not a plausible INF",
                        BL_INF_MAX_SECTIONS);
    }
    if (p->continued) {
        inf_warn(p->inf, p->line_no, "line continuation '\\' at the end of the file");
        line_finish(p);
    }
    for (uint32_t i = p->pending_suppressions; i < p->inf->nsuppressions; i++)
        if (p->inf->suppressions[i].target == SUPPRESS_NEXT_ENTRY) {
            inf_warn(p->inf, p->inf->suppressions[i].line_no,
                     "bootlens: ignore %s: no entry follows, it suppresses nothing", p->inf->suppressions[i].rule);
            p->inf->suppressions[i].target = p->inf->suppressions[i].line_no;
        }
    return 0;
}

/* ---- [Strings] ---- */

/* Picks the strings section Windows uses for langid (see bl_inf_options). */
static int32_t choose_strings_section(const bl_inf *inf, uint16_t langid)
{
    int32_t exact = -1, neutral = -1, family = -1, plain = -1;
    uint32_t primary = langid & 0x3FFu;
    for (uint32_t i = 0; i < inf->nsections; i++) {
        int32_t id;
        if (!inf_strings_langid(inf->folded[i], &id))
            continue;
        if (id < 0) {
            plain = (int32_t)i;
        } else if ((uint32_t)id == langid) {
            exact = (int32_t)i;
        } else if ((uint32_t)id == primary) {
            neutral = (int32_t)i;
        } else if (((uint32_t)id & 0x3FFu) == primary && family < 0) {
            family = (int32_t)i;
        }
    }
    return exact >= 0 ? exact : neutral >= 0 ? neutral : family >= 0 ? family : plain;
}

/* Loads the key = value lines of section sec into ix (values indexes into
 * inf->string_values when store is set).  Strings values are taken
 * literally: Windows does not expand %tokens% inside them. */
static void load_strings(parser *p, uint32_t sec, inf_index *ix, bool store)
{
    bl_inf *inf = p->inf;
    for (uint32_t i = 0; i < p->nplines; i++) {
        const pending_line *l = &p->plines[i];
        if (l->section != sec)
            continue;
        if (!l->has_key) {
            if (store)
                inf_warn(inf, l->line_no, "line in [%s] has no '='; ignored",
                         inf->sections[sec].name);
            continue;
        }
        const char *key = p->pfields[l->first].raw;
        const char *folded = inf_fold(inf, key, strlen(key));
        uint32_t v = store ? inf->nstrings : 0;
        if (!inf_index_put(ix, folded, v)) {
            if (store)
                inf_warn(inf, l->line_no,
                         "string key %s is defined twice in [%s]; the first "
                         "definition is used",
                         key, inf->sections[sec].name);
            continue;
        }
        if (store) {
            bl_grow((void **)&inf->string_values, sizeof *inf->string_values, &inf->strings_cap,
                    inf->nstrings + 1);
            inf->string_values[inf->nstrings++] =
                l->nfields > 1 ? p->pfields[l->first + 1].raw : "";
        }
    }
}

const char *bl_inf_string(const bl_inf *inf, const char *key)
{
    bl_sb sb = {0};
    bl_fold_append(&sb, key, strlen(key));
    uint32_t v;
    bool found = inf_index_get(&inf->strings, bl_sb_str(&sb), &v);
    bl_sb_free(&sb);
    return found ? inf->string_values[v] : NULL;
}

const char *bl_inf_strings_section(const bl_inf *inf)
{
    return inf->strings_section >= 0 ? inf->sections[inf->strings_section].name : NULL;
}

/* ---- pass 2: substitution ---- */

typedef struct subst_ctx {
    inf_index plain; /* undecorated [Strings], to explain misses in a localized one */
    bool has_plain;
    bool warned_lone; /* one lone-'%' warning per line is enough */
} subst_ctx;

static bool is_dirid_name(const char *s, size_t n)
{
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == n)
        return false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

static void warn_unknown_key(parser *p, subst_ctx *sc, uint32_t line_no, const char *name, size_t n)
{
    bl_inf *inf = p->inf;
    if (inf->strings_section < 0) {
        inf_warn(inf, line_no, "%%%.*s%% is used but the INF has no [Strings] section; kept as is",
                 (int)n, name);
        return;
    }
    const char *sec = inf->sections[inf->strings_section].name;
    bl_sb sb = {0};
    bl_fold_append(&sb, name, n);
    uint32_t v;
    if (sc->has_plain && inf_index_get(&sc->plain, bl_sb_str(&sb), &v))
        inf_warn(inf, line_no,
                 "%%%.*s%% is defined in [Strings] but not in [%s], the only strings section "
                 "Windows uses for LANGID %04X; kept as is",
                 (int)n, name, sec, (unsigned)p->opt->langid);
    else
        inf_warn(inf, line_no, "%%%.*s%% is not defined in [%s]; kept as is", (int)n, name, sec);
    bl_sb_free(&sb);
}

/* Replaces %strkey% tokens and %% in raw, leaving %dirid% tokens for
 * bl_inf_image_path and friends.  Returns the result in inf's arena (raw
 * itself when nothing changes), or NULL with p->err set when it outgrows
 * the bounds. */
static const char *substitute(parser *p, subst_ctx *sc, const char *raw, uint32_t line_no)
{
    bl_inf *inf = p->inf;
    if (!strchr(raw, '%'))
        return raw;
    bl_sb *out = &p->scratch;
    bl_sb_reset(out);
    const char *s = raw;
    while (*s) {
        if (*s != '%') {
            const char *e = strchr(s, '%');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            bl_sb_addn(out, s, n);
            s += n;
            continue;
        }
        if (s[1] == '%') {
            bl_sb_addc(out, '%');
            s += 2;
            continue;
        }
        size_t len = token_len(s, SIZE_MAX); /* stops at the NUL: no strlen per token */
        if (!len) {
            if (!sc->warned_lone)
                inf_warn(inf, line_no, "lone '%%' kept as is (write %%%% for a percent sign)");
            sc->warned_lone = true;
            bl_sb_addc(out, '%');
            s++;
            continue;
        }
        const char *name = s + 1;
        size_t n = len - 2;
        bl_sb_reset(&p->key);
        bl_fold_append(&p->key, name, n);
        uint32_t v;
        if (inf_index_get(&inf->strings, bl_sb_str(&p->key), &v)) {
            bl_sb_add(out, inf->string_values[v]);
        } else {
            if (!is_dirid_name(name, n))
                warn_unknown_key(p, sc, line_no, name, n);
            bl_sb_addn(out, s, len);
        }
        s += len;
        if (out->len > BL_INF_MAX_FIELD_BYTES) {
            fail(p, line_no, "field longer than %u bytes after %%strkey%% substitution",
                 BL_INF_MAX_FIELD_BYTES);
            return NULL;
        }
    }
    p->expanded_bytes += out->len;
    if (p->expanded_bytes > BL_INF_MAX_EXPANDED_BYTES) {
        fail(p, line_no, "%%strkey%% substitution makes the INF larger than %u bytes",
             BL_INF_MAX_EXPANDED_BYTES);
        return NULL;
    }
    return inf_strn(inf, bl_sb_str(out), out->len);
}

/* UTF-16 code units of UTF-8 s: what Windows' 4096-character limit counts. */
static size_t utf16_units(const char *s)
{
    size_t n = 0;
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if ((*q & 0xC0) != 0x80)
            n += *q >= 0xF0 ? 2 : 1;
    }
    return n;
}

static int build_lines(parser *p)
{
    bl_inf *inf = p->inf;
    subst_ctx sc = {0};
    if (inf->strings_section >= 0) {
        load_strings(p, (uint32_t)inf->strings_section, &inf->strings, true);
        uint32_t plain;
        if (inf_index_get(&inf->section_index, "strings", &plain) &&
            (int32_t)plain != inf->strings_section) {
            load_strings(p, plain, &sc.plain, false);
            sc.has_plain = true;
        }
    }

    /* Lines grouped by section, file order kept within each. */
    uint32_t *start = bl_xcalloc((size_t)inf->nsections + 1, sizeof *start);
    for (uint32_t i = 0; i < p->nplines; i++)
        start[p->plines[i].section + 1]++;
    for (uint32_t s = 0; s < inf->nsections; s++)
        start[s + 1] += start[s];
    inf->lines = bl_xcalloc(p->nplines ? p->nplines : 1, sizeof *inf->lines);
    inf->values = bl_xcalloc(p->npfields ? p->npfields : 1, sizeof *inf->values);
    for (uint32_t s = 0; s < inf->nsections; s++) {
        inf->sections[s].lines = inf->lines + start[s];
        inf->sections[s].nlines = start[s + 1] - start[s];
    }

    int rc = 0;
    uint32_t nvalues = 0;
    for (uint32_t i = 0; i < p->nplines && rc == 0; i++) {
        const pending_line *pl = &p->plines[i];
        int32_t langid;
        bool literal = inf_strings_langid(inf->folded[pl->section], &langid);
        bl_inf_line *l = &inf->lines[start[pl->section]++];
        l->line_no = pl->line_no;
        sc.warned_lone = false;
        uint32_t f = pl->first;
        if (pl->has_key) {
            l->raw_key = p->pfields[f].raw;
            l->key = literal ? l->raw_key : substitute(p, &sc, l->raw_key, pl->line_no);
            if (!l->key)
                rc = -1;
            f++;
        }
        l->values = inf->values + nvalues;
        l->nvalues = pl->first + pl->nfields - f;
        bool warned_long = false;
        for (; f < pl->first + pl->nfields && rc == 0; f++) {
            bl_inf_value *v = &inf->values[nvalues++];
            v->raw = p->pfields[f].raw;
            v->quoted = p->pfields[f].quoted;
            v->text = literal ? v->raw : substitute(p, &sc, v->raw, pl->line_no);
            if (!v->text) {
                rc = -1;
                break;
            }
            /* Windows limits a field both before and after substitution. */
            size_t units = utf16_units(v->text), raw_units = utf16_units(v->raw);
            if (raw_units > units)
                units = raw_units;
            if (!warned_long && units >= BL_INF_WINDOWS_FIELD_CHARS) {
                inf_warn(inf, pl->line_no,
                         "field of %zu characters; Windows' limit is %u including the "
                         "terminating NUL",
                         units, BL_INF_WINDOWS_FIELD_CHARS);
                warned_long = true;
            }
        }
    }
    free(start);
    inf_index_free(&sc.plain);
    return rc;
}

/* ---- entry points ---- */

void bl_inf_options_init(bl_inf_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->langid = 0x0409;
}

void bl_inf_free(bl_inf *inf)
{
    if (!inf)
        return;
    free(inf->name);
    free(inf->sections);
    free(inf->folded);
    inf_index_free(&inf->section_index);
    free(inf->lines);
    free(inf->values);
    inf_index_free(&inf->strings);
    inf_index_free(&inf->nt_index);
    free(inf->nt_links);
    inf_index_free(&inf->select_memo);
    free(inf->string_values);
    free(inf->refs);
    free(inf->diags);
    free(inf->suppressions);
    inf_arena_free(inf);
    free(inf);
}

bl_inf *bl_inf_parse_mem(const char *name, const void *data, size_t size, const bl_inf_options *opt,
                         bl_error *err)
{
    bl_inf_options defaults;
    if (!opt) {
        bl_inf_options_init(&defaults);
        opt = &defaults;
    }
    if (!data)
        data = "", size = 0;
    bl_inf *inf = bl_xcalloc(1, sizeof *inf);
    inf->name = bl_xstrdup(name ? name : "<memory>");
    inf->strings_section = -1;
    if (size > BL_INF_MAX_FILE_BYTES) {
        /* Checked after the fact by the line reader too, but a caller handing
         * a huge buffer deserves the plain reason. */
        size = BL_INF_MAX_FILE_BYTES + (size_t)1;
    }

    parser p = {0};
    p.inf = inf;
    p.err = err;
    p.opt = opt;
    p.cur_section = -1;
    inf_reader_init(&p.rd, inf->name, data, size, reader_warning, inf);
    inf->encoding = p.rd.enc;

    int rc = lex_all(&p);
    /* size > the bound too: NUL padding ends the reader before it gets there. */
    if (rc == 0 && (p.rd.pos > BL_INF_MAX_FILE_BYTES || size > BL_INF_MAX_FILE_BYTES))
        rc = fail(&p, p.rd.line_no, "file larger than %u bytes", BL_INF_MAX_FILE_BYTES);
    if (rc == 0) {
        inf_index_decorated(inf);
        inf->strings_section = choose_strings_section(inf, opt->langid);
        rc = build_lines(&p);
    }
    if (rc == 0) {
        inf_check(inf);
        diags_finish(inf);
    }
    inf_reader_free(&p.rd);
    free(p.plines);
    free(p.pfields);
    bl_sb_free(&p.field);
    bl_sb_free(&p.scratch);
    bl_sb_free(&p.key);
    if (rc != 0) {
        bl_inf_free(inf);
        return NULL;
    }
    return inf;
}

bl_inf *bl_inf_parse_file(const char *path, const bl_inf_options *opt, bl_error *err)
{
    uint8_t *data;
    size_t size;
    /* One byte past the bound: an oversized file is refused by the parser at
     * the line where it crosses the bound (an overlong line, usually). */
    if (bl_read_file_head(path, (size_t)BL_INF_MAX_FILE_BYTES + 1, &data, &size, err) != 0)
        return NULL;
    bl_inf *inf = bl_inf_parse_mem(path, data, size, opt, err);
    free(data);
    return inf;
}

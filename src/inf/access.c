/* access.c — the read-only side of a parsed INF: sections, lines and
 * values by name or position, [Version] and Include/Needs, warnings, and
 * INF numeric fields. */
#include "inf_internal.h"

#include <string.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

const char *bl_inf_name(const bl_inf *inf)
{
    return inf->name;
}

bl_inf_encoding bl_inf_get_encoding(const bl_inf *inf)
{
    return inf->encoding;
}

uint32_t bl_inf_section_count(const bl_inf *inf)
{
    return inf->nsections;
}

const bl_inf_section *bl_inf_section_at(const bl_inf *inf, uint32_t i)
{
    return i < inf->nsections ? &inf->sections[i] : NULL;
}

const bl_inf_section *bl_inf_find_section(const bl_inf *inf, const char *name)
{
    bl_sb sb = {0};
    bl_fold_append(&sb, name, strlen(name));
    uint32_t idx;
    bool found = inf_index_get(&inf->section_index, bl_sb_str(&sb), &idx);
    bl_sb_free(&sb);
    return found ? &inf->sections[idx] : NULL;
}

const bl_inf_line *bl_inf_find_key(const bl_inf_section *s, const char *key,
                                   const bl_inf_line *after)
{
    if (!s)
        return NULL;
    uint32_t i = after ? (uint32_t)(after - s->lines) + 1 : 0;
    for (; i < s->nlines; i++) {
        if (s->lines[i].key && bl_fold_eq(s->lines[i].key, key))
            return &s->lines[i];
    }
    return NULL;
}

const char *bl_inf_value_at(const bl_inf_line *line, uint32_t i)
{
    return line && i < line->nvalues ? line->values[i].text : NULL;
}

const char *bl_inf_lookup(const bl_inf *inf, const char *section, const char *key)
{
    const bl_inf_line *l = bl_inf_find_key(bl_inf_find_section(inf, section), key, NULL);
    return bl_inf_value_at(l, 0);
}

const bl_inf_version_info *bl_inf_version(const bl_inf *inf)
{
    return &inf->version;
}

uint32_t bl_inf_ref_count(const bl_inf *inf)
{
    return inf->nrefs;
}

const bl_inf_ref *bl_inf_ref_at(const bl_inf *inf, uint32_t i)
{
    return i < inf->nrefs ? &inf->refs[i] : NULL;
}

uint32_t bl_inf_diag_count(const bl_inf *inf)
{
    return inf->ndiags;
}

const bl_inf_diag *bl_inf_diag_at(const bl_inf *inf, uint32_t i)
{
    return i < inf->ndiags ? &inf->diags[i] : NULL;
}

/* ---- numbers ---- */

int bl_inf_parse_u32(const char *s, uint32_t *out)
{
    if (!s)
        return -1;
    while (is_blank(*s))
        s++;
    bool neg = *s == '-';
    if (neg)
        s++;
    uint64_t v = 0;
    const char *digits;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        digits = s;
        for (; *s; s++) {
            int d;
            if (*s >= '0' && *s <= '9')
                d = *s - '0';
            else if (*s >= 'a' && *s <= 'f')
                d = *s - 'a' + 10;
            else if (*s >= 'A' && *s <= 'F')
                d = *s - 'A' + 10;
            else
                break;
            v = v * 16 + (uint64_t)d;
            if (v > UINT32_MAX)
                return -1;
        }
    } else {
        digits = s;
        for (; *s >= '0' && *s <= '9'; s++) {
            v = v * 10 + (uint64_t)(*s - '0');
            if (v > UINT32_MAX)
                return -1;
        }
    }
    if (s == digits)
        return -1;
    while (is_blank(*s))
        s++;
    if (*s)
        return -1;
    if (neg) {
        if (v > 0x80000000u)
            return -1;
        v = (uint32_t)(0u - (uint32_t)v);
    }
    *out = (uint32_t)v;
    return 0;
}

int bl_inf_value_u32(const bl_inf *inf, const bl_inf_line *line, uint32_t i, uint32_t *out,
                     bl_error *err)
{
    const char *text = bl_inf_value_at(line, i);
    uint32_t line_no = line ? line->line_no : 0;
    if (!text) {
        bl_inf_error_at(inf, line_no, err, "field %u is missing (a number is needed)", i + 1);
        return -1;
    }
    if (bl_inf_parse_u32(text, out) != 0) {
        bl_inf_error_at(inf, line_no, err, "field %u is \"%.64s\", not a number", i + 1, text);
        return -1;
    }
    return 0;
}

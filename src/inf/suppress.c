/* suppress.c — suppressions for lint: the inline `; bootlens: ignore`
 * comments the parser collected, a suppressions file (--suppressions), and
 * the matching of both against a lint's findings.  A suppressed finding is
 * never dropped: it stays in every report, marked with the suppressions
 * that cover it and their reasons, and only stops counting for --fail-on.
 * doc/lint.md documents the file format and the scopes. */
#include "bootlens/inf.h"

#include <stdlib.h>
#include <string.h>

/* Lines of a suppressions file are short; the bound keeps a hostile file
 * from making us hold much. */
#define SUPPRESS_MAX_FILE_BYTES (4u << 20)
#define SUPPRESS_MAX_ENTRIES    100000u

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

bool bl_rule_known(const char *id)
{
    uint32_t n;
    const bl_rule_info *cat = bl_rule_catalogue(&n);
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(cat[i].id, id) == 0)
            return true;
    return false;
}

void bl_suppressions_free(bl_suppressions *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        bl_suppression *x = &s->v[i];
        free((char *)x->rule);
        free((char *)x->reason);
        free((char *)x->file);
        free((char *)x->inf);
        free((char *)x->id);
        free((char *)x->service);
        free((char *)x->baseline);
    }
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* One blank-separated token of line[*i..n), double quotes grouping (a
 * selector value may hold blanks: inf="my driver.inf"). */
static bool next_token(const char *line, size_t n, size_t *i, bl_sb *tok)
{
    while (*i < n && is_blank(line[*i]))
        (*i)++;
    if (*i >= n)
        return false;
    bl_sb_reset(tok);
    bool quoted = false;
    for (; *i < n && (quoted || !is_blank(line[*i])); (*i)++) {
        if (line[*i] == '"')
            quoted = !quoted;
        else
            bl_sb_addc(tok, line[*i]);
    }
    return true;
}

/* "PATH:LINE" -> PATH and LINE when the part after the last ':' is a
 * decimal line number; otherwise the whole text is the path. */
static void split_line(const char *v, char **path, uint32_t *line)
{
    const char *colon = strrchr(v, ':');
    *line = 0;
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) && strlen(colon + 1) < 10) {
        *line = (uint32_t)strtoul(colon + 1, NULL, 10);
        *path = bl_xstrndup(v, (size_t)(colon - v));
    } else {
        *path = bl_xstrdup(v);
    }
}

/* Parses one entry "RULE [key=value]... -- REASON" of line_no. */
static int parse_entry(bl_suppressions *s, const char *path, uint32_t line_no, const char *line, size_t n,
                       bl_error *err)
{
    bl_suppression x;
    memset(&x, 0, sizeof x);
    x.line = line_no;
    /* The reason is everything after the first " -- ". */
    const char *sep = NULL;
    for (size_t k = 0; k + 1 < n && !sep; k++)
        if (line[k] == '-' && line[k + 1] == '-' && (k == 0 || is_blank(line[k - 1])) &&
            (k + 2 == n || is_blank(line[k + 2])))
            sep = line + k;
    size_t head = sep ? (size_t)(sep - line) : n;
    if (sep) {
        const char *r = sep + 2, *e = line + n;
        while (r < e && is_blank(*r))
            r++;
        while (e > r && is_blank(e[-1]))
            e--;
        if (e > r)
            x.reason = bl_xstrndup(r, (size_t)(e - r));
    }
    if (!x.reason) {
        bl_error_set(err, "%s:%u: a suppression needs a reason after \" -- \" (RULE [selectors] -- REASON)",
                     path, line_no);
        return -1;
    }
    bl_sb tok = {0};
    size_t i = 0;
    int rc = 0;
    next_token(line, head, &i, &tok);
    x.rule = bl_sb_detach(&tok);
    if (strcmp(x.rule, "*") != 0 && !bl_rule_known(x.rule)) {
        bl_error_set(err, "%s:%u: unknown rule \"%s\" (doc/rules.md lists them; * is every rule)", path,
                     line_no, x.rule);
        rc = -1;
    }
    while (rc == 0 && next_token(line, head, &i, &tok)) {
        const char *t = bl_sb_str(&tok), *eq = strchr(t, '=');
        const char *v = eq ? eq + 1 : "";
        size_t klen = eq ? (size_t)(eq - t) : strlen(t);
        const char **slot = NULL;
        if (klen == 3 && strncmp(t, "inf", 3) == 0 && !x.inf) {
            char *p;
            split_line(v, &p, &x.inf_line);
            x.inf = p;
        } else if (klen == 2 && strncmp(t, "id", 2) == 0) {
            slot = &x.id;
        } else if (klen == 7 && strncmp(t, "service", 7) == 0) {
            slot = &x.service;
        } else if (klen == 8 && strncmp(t, "baseline", 8) == 0) {
            slot = &x.baseline;
        } else {
            bl_error_set(err,
                         "%s:%u: \"%s\" is not a selector (inf=PATH[:LINE], id=ID, service=NAME, "
                         "baseline=PATH)",
                         path, line_no, t);
            rc = -1;
            break;
        }
        if (slot && *slot) {
            bl_error_set(err, "%s:%u: %.*s= given twice", path, line_no, (int)klen, t);
            rc = -1;
        } else if (slot) {
            *slot = bl_xstrdup(v);
        }
        if (rc == 0 && !*v) {
            bl_error_set(err, "%s:%u: %.*s= has no value", path, line_no, (int)klen, t);
            rc = -1;
        }
    }
    bl_sb_free(&tok);
    x.file = bl_xstrdup(path);
    bl_grow((void **)&s->v, sizeof *s->v, &s->cap, s->n + 1);
    s->v[s->n++] = x; /* freed with the list even when rejected */
    return rc;
}

int bl_suppressions_parse(bl_suppressions *s, const char *path, const char *data, size_t size, bl_error *err)
{
    if (size > SUPPRESS_MAX_FILE_BYTES) {
        bl_error_set(err, "%s: larger than %u bytes: not a suppressions file", path, SUPPRESS_MAX_FILE_BYTES);
        return -1;
    }
    int rc = 0;
    uint32_t line_no = 0;
    for (size_t pos = 0; pos < size && rc == 0;) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', size - pos);
        size_t n = nl ? (size_t)(nl - line) : size - pos;
        pos += n + 1;
        line_no++;
        if (memchr(line, '\0', n)) {
            bl_error_set(err, "%s:%u: NUL byte: not a suppressions file", path, line_no);
            return -1;
        }
        size_t i = 0;
        while (i < n && is_blank(line[i]))
            i++;
        if (i == n || line[i] == '#')
            continue;
        if (s->n >= SUPPRESS_MAX_ENTRIES) {
            bl_error_set(err, "%s:%u: more than %u suppressions", path, line_no, SUPPRESS_MAX_ENTRIES);
            return -1;
        }
        rc = parse_entry(s, path, line_no, line + i, n - i, err);
    }
    return rc;
}

int bl_suppressions_load(bl_suppressions *s, const char *path, bl_error *err)
{
    uint8_t *data;
    size_t size;
    if (bl_read_file(path, SUPPRESS_MAX_FILE_BYTES, &data, &size, err) != 0)
        return -1;
    int rc = bl_suppressions_parse(s, path, (const char *)data, size, err);
    free(data);
    return rc;
}

/* Whether path a names the same file as b, as far as text tells: equal, or
 * one a trailing component-wise part of the other ("drivers/x.inf" and
 * "x.inf"), with '\' read as '/' and any leading "./" ignored. */
bool bl_path_suffix_eq(const char *a, const char *b)
{
    while (a[0] == '.' && (a[1] == '/' || a[1] == '\\'))
        a += 2;
    while (b[0] == '.' && (b[1] == '/' || b[1] == '\\'))
        b += 2;
    size_t na = strlen(a), nb = strlen(b);
    if (na < nb) {
        const char *t = a;
        a = b;
        b = t;
        size_t tn = na;
        na = nb;
        nb = tn;
    }
    const char *tail = a + (na - nb);
    for (size_t i = 0; i < nb; i++) {
        char x = tail[i] == '\\' ? '/' : tail[i], y = b[i] == '\\' ? '/' : b[i];
        if (x != y)
            return false;
    }
    return na == nb || tail[-1] == '/' || tail[-1] == '\\';
}

static bool rule_matches(const char *rule, const bl_finding *f)
{
    return strcmp(rule, "*") == 0 || strcmp(rule, f->rule) == 0;
}

/* Whether the finding points at file inf (line, if not 0): its primary
 * location or one of the related ones. */
static bool points_at(const bl_lint_item *it, const char *inf, uint32_t line, bool suffix)
{
    if (!it->primary.inf)
        return false;
    for (uint32_t k = 0; k <= it->nrelated; k++) {
        const bl_lint_location *l = k == 0 ? &it->primary : &it->related[k - 1];
        bool same = suffix ? bl_path_suffix_eq(l->inf, inf) : strcmp(l->inf, inf) == 0;
        if (same && (!line || l->line == line))
            return true;
    }
    return false;
}

bool bl_suppression_covers(const bl_suppression *s, const bl_finding *f, const bl_lint_item *it,
                           const char *baseline)
{
    if (!rule_matches(s->rule, f))
        return false;
    if (s->in_source) {
        /* A whole-INF suppression also covers what follows from the INFs
         * as a whole (no line to point at). */
        if (!s->inf_line && !it->primary.inf)
            return true;
        return points_at(it, s->inf, s->inf_line, false);
    }
    if (s->inf && !points_at(it, s->inf, s->inf_line, true))
        return false;
    if (s->id && strcmp(s->id, f->subject) != 0)
        return false;
    if (s->service) {
        bool found = false;
        for (uint32_t i = 0; i < f->nservices && !found; i++)
            found = bl_fold_eq(f->services[i], s->service);
        if (!found)
            return false;
    }
    if (s->baseline &&
        !(baseline ? bl_path_suffix_eq(baseline, s->baseline) : strcmp(s->baseline, "builtin") == 0))
        return false;
    return true;
}

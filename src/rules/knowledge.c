/* knowledge.c — the knowledge file (data/knowledge.txt, compiled in;
 * --knowledge adds more): facts about drivers and places that the registry
 * does not record.  Parsing is strict about relations and lenient about
 * spacing; every error names FILE:LINE.  Facts are kept sorted by subject
 * (stable) so every lookup is a binary search: rules ask about each service
 * of a hive, and a hostile knowledge file may hold 100,000 facts. */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char bl_builtin_knowledge[];

#define MAX_FACTS 100000

struct bl_knowledge {
    bl_fact *facts; /* sorted by subject, file order within a subject */
    uint32_t n, cap;
    bl_fact *ordered; /* the same facts (shallow copies) in file order */
    uint32_t seq;     /* facts added so far (the file order key) */
    uint32_t *order;  /* per fact of the sorted array: its file-order rank */
    char version[64];
};

bl_knowledge *bl_knowledge_new(void)
{
    return bl_xcalloc(1, sizeof(bl_knowledge));
}

void bl_knowledge_free(bl_knowledge *k)
{
    if (!k)
        return;
    for (uint32_t i = 0; i < k->n; i++) {
        free(k->facts[i].subject);
        free(k->facts[i].target);
        free(k->facts[i].source);
    }
    free(k->facts);
    free(k->ordered);
    free(k->order);
    free(k);
}

static char *lower_dup(const char *s, size_t n)
{
    char *p = bl_xstrndup(s, n);
    for (char *q = p; *q; q++)
        *q = (char)tolower((unsigned char)*q);
    return p;
}

static const struct {
    const char *name;
    bl_relation rel;
    bool has_target;
    bool path_subject;
} relations[] = {
    {"calls", BL_REL_CALLS, true, false},
    {"needs-device", BL_REL_NEEDS_DEVICE, true, false},
    {"init-needs-device", BL_REL_INIT_NEEDS_DEVICE, true, false},
    {"inbox", BL_REL_INBOX, false, false},
    {"class-extension", BL_REL_CLASS_EXTENSION, false, false},
    {"user-writable", BL_REL_USER_WRITABLE, false, true},
    {"protected", BL_REL_PROTECTED, false, true},
};

#define RELATION_NAMES "calls, needs-device, init-needs-device, inbox, class-extension, user-writable, protected"

/* Splits a line into tokens; "double quoted" tokens may hold blanks.
 * Returns the count, or -1 for an unterminated quote. */
static int tokenize(char *buf, char **tok, int max)
{
    int nt = 0;
    char *p = buf;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p)
            return nt;
        if (nt == max)
            return max + 1;
        if (*p == '"') {
            char *end = strchr(p + 1, '"');
            if (!end)
                return -1;
            *end = '\0';
            tok[nt++] = p + 1;
            p = end + 1;
        } else {
            tok[nt++] = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\r')
                p++;
            if (*p)
                *p++ = '\0';
        }
    }
}

/* "xp,7", "8+", "10" -> family bits; false on an unknown name. */
static bool parse_families(char *list, uint8_t *out)
{
    uint8_t bits = 0;
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(t);
        bool later = n > 1 && t[n - 1] == '+';
        if (later)
            t[n - 1] = '\0';
        uint8_t fam;
        if (!bl_windows_parse(t, &fam))
            return false;
        bits |= (uint8_t)(1u << fam);
        if (later)
            for (unsigned f = fam + 1u; f <= BL_WIN_10; f++)
                bits |= (uint8_t)(1u << f);
    }
    *out = bits;
    return bits != 0;
}

/* Sorting: by subject, then file order (the comparator has no context
 * argument, so each fact carries its rank). */
typedef struct ranked {
    bl_fact fact;
    uint32_t rank;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    int c = strcmp(x->fact.subject, y->fact.subject);
    if (c)
        return c;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Re-sorts every fact and rebuilds the file-order view: once per file. */
static void reindex(bl_knowledge *k)
{
    ranked *r = bl_xmalloc((k->n ? k->n : 1) * sizeof *r);
    for (uint32_t i = 0; i < k->n; i++) {
        r[i].fact = k->facts[i];
        r[i].rank = k->order[i];
    }
    qsort(r, k->n, sizeof *r, ranked_cmp);
    free(k->ordered);
    k->ordered = bl_xmalloc((k->n ? k->n : 1) * sizeof *k->ordered);
    for (uint32_t i = 0; i < k->n; i++) {
        k->facts[i] = r[i].fact;
        k->order[i] = r[i].rank;
        k->ordered[r[i].rank] = r[i].fact;
    }
    free(r);
}

int bl_knowledge_add_text(bl_knowledge *k, const char *label, const char *text, bl_error *err)
{
    unsigned line = 0;
    const char *p = text;
    while (*p) {
        line++;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char buf[1024];
        if (len >= sizeof buf) {
            bl_error_set(err, "%s:%u: line longer than %zu bytes", label, line, sizeof buf - 1);
            return -1;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        p = end ? end + 1 : p + len;
        /* '#' starts a comment, except inside a quoted path. */
        bool quoted = false;
        for (char *q = buf; *q; q++) {
            if (*q == '"')
                quoted = !quoted;
            else if (*q == '#' && !quoted) {
                *q = '\0';
                break;
            }
        }
        char *tok[6];
        int nt = tokenize(buf, tok, 5);
        if (nt < 0) {
            bl_error_set(err, "%s:%u: unterminated \"quote\"", label, line);
            return -1;
        }
        if (nt == 0)
            continue;
        if (strcmp(tok[0], "@version") == 0) {
            if (nt != 2) {
                bl_error_set(err, "%s:%u: expected `@version VERSION`", label, line);
                return -1;
            }
            snprintf(k->version, sizeof k->version, "%s", tok[1]);
            continue;
        }
        if (nt < 2 || nt > 5) {
            bl_error_set(err, "%s:%u: expected `SUBJECT RELATION [TARGET] [on FAMILIES]`", label, line);
            return -1;
        }
        size_t r = 0;
        while (r < BL_ARRAY_LEN(relations) && !bl_fold_eq(tok[1], relations[r].name))
            r++;
        if (r == BL_ARRAY_LEN(relations)) {
            bl_error_set(err, "%s:%u: unknown relation \"%s\" (" RELATION_NAMES ")", label, line, tok[1]);
            return -1;
        }
        int nargs = relations[r].has_target ? 3 : 2;
        uint8_t families = BL_FAMILIES_ALL;
        if (nt == nargs + 2 && bl_fold_eq(tok[nargs], "on")) {
            if (!parse_families(tok[nargs + 1], &families)) {
                bl_error_set(err, "%s:%u: unknown Windows family in \"on\" (xp, 7, 8, 10, 11, a name "
                                  "followed by + for it and later, comma-separated)",
                             label, line);
                return -1;
            }
        } else if (nt != nargs) {
            bl_error_set(err, "%s:%u: \"%s\" %s", label, line, relations[r].name,
                         relations[r].has_target ? "needs exactly one target service (then optionally `on FAMILIES`)"
                                                 : "takes no target (only optionally `on FAMILIES`)");
            return -1;
        }
        if (relations[r].path_subject && tok[0][0] != '\\' && tok[0][0] != '%' &&
            !(isalpha((unsigned char)tok[0][0]) && tok[0][1] == ':')) {
            bl_error_set(err, "%s:%u: \"%s\" needs a folder path as subject (\"C:\\\\Users\\\\\" or \"\\\\Temp\\\\\")",
                         label, line, relations[r].name);
            return -1;
        }
        if (k->n >= MAX_FACTS) {
            bl_error_set(err, "%s:%u: more than %d facts", label, line, MAX_FACTS);
            return -1;
        }
        bl_grow((void **)&k->facts, sizeof *k->facts, &k->cap, k->n + 1);
        k->order = bl_xrealloc(k->order, k->cap * sizeof *k->order);
        bl_fact *f = &k->facts[k->n];
        if (relations[r].path_subject) {
            bl_sb norm = {0};
            bl_path_normalize(tok[0], &norm);
            if (!norm.len || norm.buf[norm.len - 1] != '\\')
                bl_sb_addc(&norm, '\\'); /* a folder: match whole components */
            f->subject = bl_sb_detach(&norm);
        } else {
            f->subject = lower_dup(tok[0], strlen(tok[0]));
        }
        f->relation = relations[r].rel;
        f->target = relations[r].has_target ? lower_dup(tok[2], strlen(tok[2])) : NULL;
        f->families = families;
        bl_sb src = {0};
        bl_sb_addf(&src, "%s:%u", label, line);
        f->source = bl_sb_detach(&src);
        k->order[k->n] = k->seq++;
        k->n++;
    }
    reindex(k);
    return 0;
}

int bl_knowledge_add_builtin(bl_knowledge *k, bl_error *err)
{
    return bl_knowledge_add_text(k, "knowledge.txt", bl_builtin_knowledge, err);
}

int bl_knowledge_add_file(bl_knowledge *k, const char *path, bl_error *err)
{
    uint8_t *data;
    size_t size;
    if (bl_read_file(path, 16u << 20, &data, &size, err) != 0)
        return -1;
    if (memchr(data, '\0', size)) {
        bl_error_set(err, "%s: binary data in a knowledge file", path);
        free(data);
        return -1;
    }
    int rc = bl_knowledge_add_text(k, path, (const char *)data, err);
    free(data);
    return rc;
}

const bl_fact *bl_knowledge_facts(const bl_knowledge *k, uint32_t *n)
{
    *n = k ? k->n : 0;
    return k && k->n ? k->ordered : NULL;
}

uint32_t bl_knowledge_about(const bl_knowledge *k, const char *subject, const bl_fact **first)
{
    *first = NULL;
    if (!k || !k->n || !subject)
        return 0;
    char key[512];
    size_t len = strlen(subject);
    if (len >= sizeof key)
        return 0;
    for (size_t i = 0; i <= len; i++)
        key[i] = (char)tolower((unsigned char)subject[i]);
    uint32_t lo = 0, hi = k->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(k->facts[mid].subject, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t end = lo;
    while (end < k->n && strcmp(k->facts[end].subject, key) == 0)
        end++;
    if (end == lo)
        return 0;
    *first = &k->facts[lo];
    return end - lo;
}

bool bl_fact_holds(const bl_fact *f, uint8_t family)
{
    return family == BL_WIN_UNKNOWN ? f->families == BL_FAMILIES_ALL || (f->families & (1u << BL_WIN_10))
                                    : (f->families & (1u << family)) != 0;
}

bool bl_knowledge_has(const bl_knowledge *k, const char *subject, bl_relation rel, uint8_t family)
{
    const bl_fact *f;
    uint32_t n = bl_knowledge_about(k, subject, &f);
    for (uint32_t i = 0; i < n; i++)
        if (f[i].relation == rel && bl_fact_holds(&f[i], family))
            return true;
    return false;
}

bool bl_knowledge_is_inbox(const bl_knowledge *k, const char *service, uint8_t family)
{
    return bl_knowledge_has(k, service, BL_REL_INBOX, family);
}

const char *bl_knowledge_version(const bl_knowledge *k)
{
    return k ? k->version : "";
}

/* True when folder pattern pat (ends with '\', '*' matches one
 * component) is a prefix of path p. */
static bool folder_prefix(const char *pat, const char *p)
{
    while (*pat) {
        if (*pat == '*') {
            while (*p && *p != '\\')
                p++;
            pat++;
            continue;
        }
        if (*pat != *p)
            return false;
        pat++;
        p++;
    }
    return true;
}

const bl_fact *bl_knowledge_location(const bl_knowledge *k, const char *p, uint8_t family)
{
    if (!k || !k->n)
        return NULL;
    /* Location subjects are normalized paths: they all start with '\' and
     * form one run of the sorted array. */
    uint32_t lo = 0, hi = k->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(k->facts[mid].subject, "\\") < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const bl_fact *best = NULL;
    size_t bestlen = 0;
    for (uint32_t i = lo; i < k->n && k->facts[i].subject[0] == '\\'; i++) {
        const bl_fact *f = &k->facts[i];
        if ((f->relation != BL_REL_USER_WRITABLE && f->relation != BL_REL_PROTECTED) || !bl_fact_holds(f, family))
            continue;
        size_t len = strlen(f->subject);
        if (!folder_prefix(f->subject, p))
            continue;
        if (len > bestlen || (len == bestlen && f->relation == BL_REL_PROTECTED)) {
            best = f;
            bestlen = len;
        }
    }
    return best;
}

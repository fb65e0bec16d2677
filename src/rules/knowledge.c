/* knowledge.c — the runtime-dependency knowledge file (data/knowledge.txt,
 * compiled in; --knowledge adds more): facts about drivers that the
 * registry does not record.  Parsing is strict about relations and lenient
 * about spacing; every error names FILE:LINE. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

extern const char bl_builtin_knowledge[];

#define MAX_FACTS 100000

struct bl_knowledge {
    bl_fact *facts;
    uint32_t n, cap;
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
} relations[] = {
    {"calls", BL_REL_CALLS, true},
    {"needs-device", BL_REL_NEEDS_DEVICE, true},
    {"init-needs-device", BL_REL_INIT_NEEDS_DEVICE, true},
    {"inbox", BL_REL_INBOX, false},
};

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
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        char *tok[4];
        int nt = 0;
        char *save = NULL;
        for (char *t = strtok_r(buf, " \t\r", &save); t && nt < 4; t = strtok_r(NULL, " \t\r", &save))
            tok[nt++] = t;
        if (nt == 0)
            continue;
        if (nt < 2) {
            bl_error_set(err, "%s:%u: expected `SERVICE RELATION [TARGET]`", label, line);
            return -1;
        }
        size_t r = 0;
        while (r < BL_ARRAY_LEN(relations) && !bl_fold_eq(tok[1], relations[r].name))
            r++;
        if (r == BL_ARRAY_LEN(relations)) {
            bl_error_set(err, "%s:%u: unknown relation \"%s\" (calls, needs-device, init-needs-device, inbox)",
                         label, line, tok[1]);
            return -1;
        }
        if (relations[r].has_target != (nt == 3) || nt > 3) {
            bl_error_set(err, "%s:%u: \"%s\" %s", label, line, relations[r].name,
                         relations[r].has_target ? "needs exactly one target service"
                                                 : "takes no target");
            return -1;
        }
        if (k->n >= MAX_FACTS) {
            bl_error_set(err, "%s:%u: more than %d facts", label, line, MAX_FACTS);
            return -1;
        }
        bl_grow((void **)&k->facts, sizeof *k->facts, &k->cap, k->n + 1);
        bl_fact *f = &k->facts[k->n++];
        f->subject = lower_dup(tok[0], strlen(tok[0]));
        f->relation = relations[r].rel;
        f->target = nt == 3 ? lower_dup(tok[2], strlen(tok[2])) : NULL;
        bl_sb src = {0};
        bl_sb_addf(&src, "%s:%u", label, line);
        f->source = bl_sb_detach(&src);
    }
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
    return k ? k->facts : NULL;
}

bool bl_knowledge_is_inbox(const bl_knowledge *k, const char *service)
{
    uint32_t n;
    const bl_fact *f = bl_knowledge_facts(k, &n);
    for (uint32_t i = 0; i < n; i++)
        if (f[i].relation == BL_REL_INBOX && bl_fold_eq(f[i].subject, service))
            return true;
    return false;
}

/* finding.c — building findings and registry changes: the data every rule
 * produces and every report renders. */
#include "internal.h"

#include "bootlens/hive.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *vfmt(const char *fmt, va_list ap)
{
    bl_sb sb = {0};
    bl_sb_vaddf(&sb, fmt, ap);
    return bl_sb_detach(&sb);
}

bl_finding *bl_finding_add(bl_findings *f, const char *rule, bl_severity sev, const char *subject,
                           const char *fmt, ...)
{
    bl_grow((void **)&f->v, sizeof *f->v, &f->cap, f->n + 1);
    bl_finding *x = &f->v[f->n++];
    memset(x, 0, sizeof *x);
    x->rule = rule;
    x->severity = sev;
    bl_sb s = {0};
    bl_sb_addf(&s, "%s:%s", rule, subject);
    x->subject = bl_sb_detach(&s);
    va_list ap;
    va_start(ap, fmt);
    x->message = vfmt(fmt, ap);
    va_end(ap);
    return x;
}

static bool has_str(char **v, uint32_t n, const char *s)
{
    for (uint32_t i = 0; i < n; i++)
        if (bl_fold_eq(v[i], s))
            return true;
    return false;
}

/* A finding names at most this many services and devices (rules cap what
 * they list below that): the duplicate check stays cheap. */
#define MAX_NAMED 256u

void bl_finding_service(bl_finding *f, const char *name)
{
    if (!name || !*name || f->nservices >= MAX_NAMED || has_str(f->services, f->nservices, name))
        return;
    f->services = bl_xrealloc(f->services, (f->nservices + 1) * sizeof *f->services);
    f->services[f->nservices++] = bl_xstrdup(name);
}

void bl_finding_device(bl_finding *f, const char *id)
{
    if (!id || !*id || f->ndevices >= MAX_NAMED || has_str(f->devices, f->ndevices, id))
        return;
    f->devices = bl_xrealloc(f->devices, (f->ndevices + 1) * sizeof *f->devices);
    f->devices[f->ndevices++] = bl_xstrdup(id);
}

void bl_finding_breakage(bl_finding *f, const char *driver, const char *device, const char *const *via,
                         uint32_t nvia, uint32_t driver_slot, const char *chain, const char *source)
{
    f->breakages = bl_xrealloc(f->breakages, (f->nbreakages + 1) * sizeof *f->breakages);
    bl_breakage *b = &f->breakages[f->nbreakages++];
    b->driver = bl_xstrdup(driver);
    b->device = bl_xstrdup(device);
    b->via = bl_xmalloc((nvia ? nvia : 1) * sizeof *b->via);
    for (uint32_t i = 0; i < nvia; i++)
        b->via[i] = bl_xstrdup(via[i]);
    b->nvia = nvia;
    b->driver_slot = driver_slot;
    b->chain = bl_xstrdup(chain ? chain : "");
    b->source = bl_xstrdup(source ? source : "");
}

void bl_finding_evidence_written(bl_finding *f, const char *path, uint64_t filetime)
{
    for (uint32_t i = f->nevidence; i-- > 0;)
        if (strcmp(f->evidence[i].path, path) == 0 && !f->evidence[i].last_written)
            f->evidence[i].last_written = filetime;
}

void bl_finding_evidence_is_file(bl_finding *f, const char *path)
{
    for (uint32_t i = 0; i < f->nevidence; i++)
        if (strcmp(f->evidence[i].path, path) == 0)
            f->evidence[i].file = true;
}

void bl_finding_evidence(bl_finding *f, const char *path, const char *fmt, ...)
{
    for (uint32_t i = 0; i < f->nevidence; i++) {
        /* The same path and value twice adds nothing. */
        if (strcmp(f->evidence[i].path, path) == 0 && fmt == NULL && f->evidence[i].value == NULL)
            return;
    }
    f->evidence = bl_xrealloc(f->evidence, (f->nevidence + 1) * sizeof *f->evidence);
    bl_evidence *e = &f->evidence[f->nevidence++];
    e->path = bl_xstrdup(path);
    e->value = NULL;
    e->last_written = 0;
    e->file = false;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        e->value = vfmt(fmt, ap);
        va_end(ap);
        for (uint32_t i = 0; i + 1 < f->nevidence; i++) {
            if (strcmp(f->evidence[i].path, e->path) == 0 && f->evidence[i].value &&
                strcmp(f->evidence[i].value, e->value) == 0) {
                free(e->path);
                free(e->value);
                f->nevidence--;
                return;
            }
        }
    }
}

void bl_finding_detail(bl_finding *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = vfmt(fmt, ap);
    va_end(ap);
    if (f->detail) {
        bl_sb sb = {0};
        bl_sb_add(&sb, f->detail);
        bl_sb_addc(&sb, '\n');
        bl_sb_add(&sb, d);
        free(f->detail);
        free(d);
        f->detail = bl_sb_detach(&sb);
    } else {
        f->detail = d;
    }
}

void bl_fix_free(bl_fix *x)
{
    free(x->summary);
    free(x->verification);
    for (uint32_t i = 0; i < x->nchanges; i++)
        bl_change_free(&x->changes[i]);
    free(x->changes);
}

void bl_findings_free(bl_findings *f)
{
    for (uint32_t i = 0; i < f->n; i++) {
        bl_finding *x = &f->v[i];
        free(x->message);
        free(x->detail);
        free(x->subject);
        for (uint32_t k = 0; k < x->nservices; k++)
            free(x->services[k]);
        free(x->services);
        for (uint32_t k = 0; k < x->ndevices; k++)
            free(x->devices[k]);
        free(x->devices);
        for (uint32_t k = 0; k < x->nevidence; k++) {
            free(x->evidence[k].path);
            free(x->evidence[k].value);
        }
        free(x->evidence);
        for (uint32_t k = 0; k < x->nfixes; k++)
            bl_fix_free(&x->fixes[k]);
        free(x->fixes);
        for (uint32_t k = 0; k < x->nbreakages; k++) {
            bl_breakage *b = &x->breakages[k];
            free(b->driver);
            free(b->device);
            for (uint32_t v = 0; v < b->nvia; v++)
                free(b->via[v]);
            free(b->via);
            free(b->chain);
            free(b->source);
        }
        free(x->breakages);
    }
    free(f->v);
    memset(f, 0, sizeof *f);
}

const char *bl_severity_name(bl_severity s)
{
    return s == BL_SEV_ERROR ? "error" : s == BL_SEV_WARNING ? "warning" : "info";
}

static int finding_cmp(const void *a, const void *b)
{
    const bl_finding *x = a, *y = b;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    int c = strcmp(x->rule, y->rule);
    if (c)
        return c;
    return strcmp(x->subject, y->subject);
}

void bl_findings_sort(bl_findings *f)
{
    if (f->n > 1)
        qsort(f->v, f->n, sizeof *f->v, finding_cmp);
}

void bl_findings_count(const bl_findings *f, uint32_t counts[3])
{
    counts[0] = counts[1] = counts[2] = 0;
    for (uint32_t i = 0; i < f->n; i++)
        counts[f->v[i].severity]++;
}

/* ---- changes ---- */

static void change_init(bl_change *c, const char *key, const char *value)
{
    memset(c, 0, sizeof *c);
    c->key = bl_xstrdup(key);
    c->value = value ? bl_xstrdup(value) : NULL;
}

void bl_change_set_dword(bl_change *c, const char *key, const char *value, uint32_t v)
{
    change_init(c, key, value);
    c->type = BL_REG_DWORD;
    c->size = 4;
    c->data = bl_xmalloc(4);
    c->data[0] = (uint8_t)v;
    c->data[1] = (uint8_t)(v >> 8);
    c->data[2] = (uint8_t)(v >> 16);
    c->data[3] = (uint8_t)(v >> 24);
}

void bl_change_set_sz(bl_change *c, const char *key, const char *value, const char *s)
{
    change_init(c, key, value);
    c->type = BL_REG_SZ;
    bl_sb w = {0};
    bl_utf8_to_utf16le(s, strlen(s) + 1, &w);
    c->size = w.len;
    c->data = (uint8_t *)bl_sb_detach(&w);
}

void bl_change_set_multi(bl_change *c, const char *key, const char *value, const bl_model *m,
                         bl_vec items)
{
    change_init(c, key, value);
    c->type = BL_REG_MULTI_SZ;
    bl_sb w = {0};
    uint32_t n = bl_pool_vec_len(m->pool, items);
    const uint32_t *it = bl_pool_vec_items(m->pool, items);
    for (uint32_t i = 0; i < n; i++) {
        const char *s = bl_model_str(m, it[i]);
        bl_utf8_to_utf16le(s, strlen(s) + 1, &w);
    }
    bl_sb_addn(&w, "\0\0", 2);
    c->size = w.len;
    c->data = (uint8_t *)bl_sb_detach(&w);
}

void bl_change_list_without(bl_change *c, const char *key, const char *value, const bl_model *m, bl_vec list,
                            const char *drop)
{
    uint32_t n = bl_pool_vec_len(m->pool, list);
    const uint32_t *it = bl_pool_vec_items(m->pool, list);
    uint32_t *keep = bl_xmalloc((n ? n : 1) * sizeof *keep), k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!bl_fold_eq(bl_model_str(m, it[i]), drop))
            keep[k++] = it[i];
    if (k)
        bl_change_set_multi(c, key, value, m, bl_pool_vec(m->pool, keep, k));
    else
        bl_change_delete_value(c, key, value);
    free(keep);
}

void bl_change_list_without_missing(bl_change *c, const char *key, const char *value, const bl_model *m,
                                    bl_vec list, const bl_knowledge *k)
{
    uint32_t n = bl_pool_vec_len(m->pool, list);
    const uint32_t *it = bl_pool_vec_items(m->pool, list);
    uint32_t *keep = bl_xmalloc((n ? n : 1) * sizeof *keep), kept = 0;
    for (uint32_t i = 0; i < n; i++)
        if (bl_model_find_service_id(m, it[i]) != BL_NONE ||
            bl_knowledge_has(k, bl_model_str(m, it[i]), BL_REL_CLASS_EXTENSION, m->windows))
            keep[kept++] = it[i];
    if (kept)
        bl_change_set_multi(c, key, value, m, bl_pool_vec(m->pool, keep, kept));
    else
        bl_change_delete_value(c, key, value);
    free(keep);
}

void bl_change_delete_value(bl_change *c, const char *key, const char *value)
{
    change_init(c, key, value);
    c->delete_value = true;
}

void bl_change_free(bl_change *c)
{
    free(c->key);
    free(c->value);
    free(c->data);
    memset(c, 0, sizeof *c);
}

void bl_change_apply(bl_model *m, const bl_change *c)
{
    if (c->delete_key) {
        /* Only service keys matter to the boot model. */
        if (bl_fold_has_prefix(c->key, "Services\\")) {
            uint32_t s = bl_model_find_service(m, c->key + strlen("Services\\"));
            if (s != BL_NONE)
                bl_model_remove_service(m, s);
        }
        return;
    }
    if (c->delete_value)
        bl_model_apply_delete(m, c->key, c->value ? c->value : "");
    else
        bl_model_apply_value(m, c->key, c->value ? c->value : "", c->type, c->data, c->size);
}

static void reg_escape(bl_sb *sb, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            bl_sb_addc(sb, '\\');
        bl_sb_addc(sb, *s);
    }
}

static void reg_hex(bl_sb *sb, const uint8_t *p, size_t n)
{
    /* regedit wraps hex lines at about 80 columns with "\" continuations. */
    size_t col = 20;
    for (size_t i = 0; i < n; i++) {
        bl_sb_addf(sb, "%02x%s", p[i], i + 1 < n ? "," : "");
        col += 3;
        if (col > 76 && i + 1 < n) {
            bl_sb_add(sb, "\\\n  ");
            col = 2;
        }
    }
}

/* A control character (a newline in a hostile name would start a new
 * .reg line: a key or a value of the attacker's choosing). */
static bool has_control(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

void bl_changes_to_reg(const bl_change *c, uint32_t n, bl_sb *out)
{
    bl_sb_add(out, "Windows Registry Editor Version 5.00\n");
    const char *last_key = NULL;
    for (uint32_t i = 0; i < n; i++) {
        /* A key or value name a .reg file cannot hold safely: not written,
         * and said so (a comment cannot break out of its line: the name is
         * not in it). */
        if (has_control(c[i].key) || strchr(c[i].key, ']') || has_control(c[i].value)) {
            bl_sb_add(out, "\n; (a change to a key or value whose name holds control characters or ']' is left "
                           "out: a .reg file cannot express it safely)\n");
            last_key = NULL;
            continue;
        }
        if (c[i].delete_key) {
            bl_sb_addf(out, "\n[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\%s]\n", c[i].key);
            last_key = NULL;
            continue;
        }
        if (!last_key || strcmp(last_key, c[i].key) != 0) {
            bl_sb_addf(out, "\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\%s]\n", c[i].key);
            last_key = c[i].key;
        }
        if (c[i].value && *c[i].value) {
            bl_sb_addc(out, '"');
            reg_escape(out, c[i].value);
            bl_sb_addc(out, '"');
        } else {
            bl_sb_addc(out, '@');
        }
        if (c[i].delete_value) {
            bl_sb_add(out, "=-\n");
            continue;
        }
        bl_sb_addc(out, '=');
        bl_sb s = {0};
        if (c[i].type == BL_REG_SZ)
            bl_utf16le_to_utf8(c[i].data, c[i].size, &s);
        if (c[i].type == BL_REG_DWORD && c[i].size == 4) {
            uint32_t v = (uint32_t)c[i].data[0] | ((uint32_t)c[i].data[1] << 8) |
                         ((uint32_t)c[i].data[2] << 16) | ((uint32_t)c[i].data[3] << 24);
            bl_sb_addf(out, "dword:%08x\n", v);
        } else if (c[i].type == BL_REG_SZ && !has_control(bl_sb_str(&s))) {
            bl_sb_addc(out, '"');
            reg_escape(out, bl_sb_str(&s));
            bl_sb_add(out, "\"\n");
        } else {
            /* Binary, multi-strings, and strings with control characters
             * (which the quoted form cannot hold): as bytes. */
            if (c[i].type == BL_REG_BINARY)
                bl_sb_add(out, "hex:");
            else
                bl_sb_addf(out, "hex(%x):", c[i].type);
            reg_hex(out, c[i].data, c[i].size);
            bl_sb_addc(out, '\n');
        }
        bl_sb_free(&s);
    }
}

/* fixes.c — the fixes of an analysis as one file a support engineer can
 * import: the first verified fix of each error and warning, merged so that
 * no fix undoes another.  Each fix was proven alone and carries the final
 * data of every value it touches, computed from the unfixed hive; two fixes
 * that each drop their own filter from one UpperFilters list would, imported
 * one after the other, put the first filter back.  So a list value is merged
 * as a three-way edit against the hive's list (what any fix removes stays
 * removed, what any fix adds is added), and a fix whose scalar value
 * disagrees with one already taken is left out, whole, and named.  The file
 * comes in two forms: for the running system (CurrentControlSet) and for the
 * hive loaded offline from WinRE (HKLM\OFFLINE\ControlSetNNN). */
#include "bootlens/hive.h"
#include "bootlens/report.h"

#include <stdlib.h>
#include <string.h>

/* One value (or key, for delete_key) the plan writes. */
typedef struct plan_entry {
    bl_str id;          /* folded "key\nvalue": identity */
    uint32_t key_order; /* first entry of the same key: keeps a key's values together */
    bool is_list;
    bl_vec orig;        /* list: the hive's items (bl_str), before any fix */
    bl_map removed;     /* list: folded items some fix removes */
    bl_str *added;      /* list: items some fix adds, in order */
    bl_map added_set;   /* list: the same, folded */
    uint32_t nadded, capadded;
    uint32_t change;    /* scalar: index in the plan's changes */
} plan_entry;

struct bl_fix_plan_state {
    plan_entry *v;
    uint32_t n, cap;
    bl_map by_id;  /* entry id -> index */
    bl_map by_key; /* folded key -> first entry index */
    bool has_delete_key;
};

static bool has_control(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* True when a change can be written as .reg text that imports as meant: a
 * control character in a key, a value name or a string would end the line
 * and start another (hostile names must not write other registry values). */
static bool change_writable(const bl_change *c)
{
    if (has_control(c->key) || has_control(c->value) || strchr(c->key, ']'))
        return false;
    if (!c->delete_key && !c->delete_value && c->type == BL_REG_SZ) {
        bl_sb s = {0};
        bl_utf16le_to_utf8(c->data, c->size, &s);
        bool bad = has_control(bl_sb_str(&s));
        bl_sb_free(&s);
        return !bad;
    }
    return true;
}

static bl_str entry_id(const bl_model *m, const char *key, const char *value)
{
    bl_sb sb = {0};
    bl_fold_append(&sb, key, strlen(key));
    bl_sb_addc(&sb, '\n');
    if (value)
        bl_fold_append(&sb, value, strlen(value));
    else
        bl_sb_addc(&sb, '\n'); /* the key itself (delete_key) */
    bl_str id = bl_pool_str(m->pool, bl_sb_str(&sb));
    bl_sb_free(&sb);
    return id;
}

/* The list a multi-string value holds in the unfixed model: class and
 * device filters, dependencies, the group order.  False for other values
 * (they are merged as scalars). */
static bool model_list(const bl_model *m, const char *key, const char *value, bl_vec *out)
{
    if (!value)
        return false;
    if (bl_fold_has_prefix(key, "Control\\Class\\") && !strchr(key + 14, '\\')) {
        uint32_t c = bl_model_find_class(m, key + 14);
        if (bl_fold_eq(value, "UpperFilters") || bl_fold_eq(value, "LowerFilters")) {
            *out = c == BL_NONE ? 0 : bl_fold_eq(value, "UpperFilters") ? m->classes[c].upper : m->classes[c].lower;
            return true;
        }
    } else if (bl_fold_has_prefix(key, "Enum\\")) {
        uint32_t d = bl_model_find_device(m, key + 5);
        if (bl_fold_eq(value, "UpperFilters") || bl_fold_eq(value, "LowerFilters")) {
            *out = d == BL_NONE ? 0 : bl_fold_eq(value, "UpperFilters") ? m->devices[d].upper : m->devices[d].lower;
            return true;
        }
    } else if (bl_fold_has_prefix(key, "Services\\") && !strchr(key + 9, '\\')) {
        uint32_t s = bl_model_find_service(m, key + 9);
        if (bl_fold_eq(value, "DependOnService") || bl_fold_eq(value, "DependOnGroup")) {
            *out = s == BL_NONE ? 0
                   : bl_fold_eq(value, "DependOnService") ? m->services[s].depend_on_service
                                                           : m->services[s].depend_on_group;
            return true;
        }
    } else if (bl_fold_eq(key, "Control\\ServiceGroupOrder") && bl_fold_eq(value, "List")) {
        *out = m->group_order;
        return true;
    }
    return false;
}

/* The items of a change to a list value (a deleted value is an empty list),
 * interned in the model's pool. */
static uint32_t change_items(const bl_model *m, const bl_change *c, bl_str **out)
{
    bl_str *v = NULL;
    uint32_t n = 0, cap = 0;
    if (!c->delete_value && c->type == BL_REG_MULTI_SZ) {
        bl_sb s = {0};
        for (size_t i = 0; i + 1 < c->size;) {
            bl_sb_reset(&s);
            size_t used = bl_utf16le_to_utf8(c->data + i, c->size - i, &s);
            if (!used)
                break;
            i += used;
            if (!s.len)
                continue;
            bl_grow((void **)&v, sizeof *v, &cap, n + 1);
            v[n++] = bl_pool_str(m->pool, bl_sb_str(&s));
        }
        bl_sb_free(&s);
    }
    *out = v;
    return n;
}

static bool vec_has_folded(const bl_model *m, const bl_map *set, bl_str item)
{
    uint32_t dummy;
    return bl_map_get(set, bl_pool_fold(m->pool, item), &dummy);
}

static void set_of(const bl_model *m, const bl_str *items, uint32_t n, bl_map *set)
{
    for (uint32_t i = 0; i < n; i++) {
        bl_str f = bl_pool_fold(m->pool, items[i]);
        if (f)
            bl_map_put(set, f, 1);
    }
}

static void change_copy(bl_change *dst, const bl_change *src)
{
    *dst = *src;
    dst->key = bl_xstrdup(src->key);
    dst->value = src->value ? bl_xstrdup(src->value) : NULL;
    dst->data = NULL;
    if (src->size) {
        dst->data = bl_xmalloc(src->size);
        memcpy(dst->data, src->data, src->size);
    }
}

static bool change_same(const bl_change *a, const bl_change *b)
{
    return a->delete_key == b->delete_key && a->delete_value == b->delete_value &&
           (a->delete_key || a->delete_value ||
            (a->type == b->type && a->size == b->size && (!a->size || memcmp(a->data, b->data, a->size) == 0)));
}

static void plan_skip(bl_fix_plan *p, uint32_t finding, const char *fmt, const char *arg)
{
    bl_grow((void **)&p->skipped, sizeof *p->skipped, &p->capskipped, p->nskipped + 1);
    bl_sb sb = {0};
    bl_sb_addf(&sb, fmt, arg);
    p->skipped[p->nskipped].finding = finding;
    p->skipped[p->nskipped].reason = bl_sb_detach(&sb);
    p->nskipped++;
}

/* Why fix x cannot join the plan (NULL: it can). */
static const char *conflict(const bl_fix_plan *p, const bl_model *m, const bl_fix *x, const char **where)
{
    const struct bl_fix_plan_state *st = p->state;
    for (uint32_t i = 0; i < x->nchanges; i++) {
        const bl_change *c = &x->changes[i];
        *where = c->key;
        if (!change_writable(c))
            return "a key, value name or string holds a control character and cannot be written as .reg text";
        bl_vec orig;
        if (!c->delete_key && model_list(m, c->key, c->value, &orig))
            continue; /* lists always merge */
        uint32_t e;
        if (bl_map_get(&st->by_id, entry_id(m, c->key, c->delete_key ? NULL : c->value), &e) &&
            !st->v[e].is_list && !change_same(&p->changes[st->v[e].change], c))
            return "it sets a value another included fix sets differently";
        /* A deleted key and a change below it, in either order (no rule
         * deletes keys today: this loop runs only when one does). */
        if (!c->delete_key && !st->has_delete_key)
            continue;
        for (uint32_t k = 0; k < p->nchanges; k++) {
            const bl_change *o = &p->changes[k];
            const bl_change *del = o->delete_key ? o : c->delete_key ? c : NULL;
            const bl_change *other = del == o ? c : o;
            if (!del || del == other)
                continue;
            size_t n = strlen(del->key);
            if (bl_fold_has_prefix(other->key, del->key) && (other->key[n] == '\\' || !other->key[n]) &&
                !(other->delete_key && bl_fold_eq(other->key, del->key)))
                return "it changes a key another included fix deletes (or the reverse)";
        }
    }
    return NULL;
}

static uint32_t entry_for(bl_fix_plan *p, const bl_model *m, const bl_change *c, bool *created)
{
    struct bl_fix_plan_state *st = p->state;
    bl_str id = entry_id(m, c->key, c->delete_key ? NULL : c->value);
    uint32_t e;
    *created = false;
    if (bl_map_get(&st->by_id, id, &e))
        return e;
    bl_grow((void **)&st->v, sizeof *st->v, &st->cap, st->n + 1);
    e = st->n++;
    memset(&st->v[e], 0, sizeof st->v[e]);
    st->v[e].id = id;
    bl_map_put(&st->by_id, id, e);
    bl_str kid = entry_id(m, c->key, "");
    uint32_t first;
    if (!bl_map_get(&st->by_key, kid, &first)) {
        first = e;
        bl_map_put(&st->by_key, kid, e);
    }
    st->v[e].key_order = first;
    *created = true;
    return e;
}

/* Adds fix x's changes (conflict-free) to the plan. */
static void plan_take(bl_fix_plan *p, const bl_model *m, const bl_fix *x)
{
    struct bl_fix_plan_state *st = p->state;
    for (uint32_t i = 0; i < x->nchanges; i++) {
        const bl_change *c = &x->changes[i];
        bool created;
        bl_vec orig = 0;
        bool list = !c->delete_key && model_list(m, c->key, c->value, &orig);
        uint32_t e = entry_for(p, m, c, &created);
        plan_entry *pe = &st->v[e];
        if (c->delete_key)
            st->has_delete_key = true;
        if (created) {
            pe->is_list = list;
            pe->orig = orig;
            /* The change object carries the key, the value name and, for a
             * scalar, the data; a list's data is computed at the end. */
            bl_grow((void **)&p->changes, sizeof *p->changes, &p->capchanges, p->nchanges + 1);
            change_copy(&p->changes[p->nchanges], c);
            pe->change = p->nchanges++;
        }
        if (!pe->is_list)
            continue;
        bl_str *items;
        uint32_t n = change_items(m, c, &items);
        bl_map now = {0}, before = {0};
        set_of(m, items, n, &now);
        set_of(m, bl_pool_vec_items(m->pool, pe->orig), bl_pool_vec_len(m->pool, pe->orig), &before);
        uint32_t no = bl_pool_vec_len(m->pool, pe->orig);
        const uint32_t *oi = bl_pool_vec_items(m->pool, pe->orig);
        for (uint32_t k = 0; k < no; k++)
            if (!vec_has_folded(m, &now, oi[k]) && bl_pool_fold(m->pool, oi[k]))
                bl_map_put(&pe->removed, bl_pool_fold(m->pool, oi[k]), 1);
        for (uint32_t k = 0; k < n; k++) {
            if (vec_has_folded(m, &before, items[k]))
                continue;
            if (!vec_has_folded(m, &pe->added_set, items[k])) {
                bl_map_put(&pe->added_set, bl_pool_fold(m->pool, items[k]), 1);
                bl_grow((void **)&pe->added, sizeof *pe->added, &pe->capadded, pe->nadded + 1);
                pe->added[pe->nadded++] = items[k];
            }
        }
        bl_map_free(&now);
        bl_map_free(&before);
        free(items);
    }
}

typedef struct entry_rank {
    uint32_t key_order, entry;
} entry_rank;

static int entry_rank_cmp(const void *x, const void *y)
{
    const entry_rank *a = x, *b = y;
    if (a->key_order != b->key_order)
        return a->key_order < b->key_order ? -1 : 1;
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

/* The merged data of each list: the hive's items less every removed one,
 * then the added ones.  A list left unchanged is dropped from the plan. */
static void plan_finish_lists(bl_fix_plan *p, const bl_model *m)
{
    struct bl_fix_plan_state *st = p->state;
    uint8_t *drop = bl_xcalloc(p->nchanges ? p->nchanges : 1, 1);
    for (uint32_t e = 0; e < st->n; e++) {
        plan_entry *pe = &st->v[e];
        if (!pe->is_list)
            continue;
        uint32_t no = bl_pool_vec_len(m->pool, pe->orig);
        const uint32_t *oi = bl_pool_vec_items(m->pool, pe->orig);
        bl_str *items = bl_xmalloc(((size_t)no + pe->nadded + 1) * sizeof *items);
        uint32_t n = 0;
        for (uint32_t k = 0; k < no; k++)
            if (!vec_has_folded(m, &pe->removed, oi[k]))
                items[n++] = oi[k];
        bool changed = n != no || pe->nadded;
        for (uint32_t k = 0; k < pe->nadded; k++)
            items[n++] = pe->added[k];
        bl_change *c = &p->changes[pe->change];
        char *key = bl_xstrdup(c->key), *value = bl_xstrdup(c->value);
        bl_change_free(c);
        if (n)
            bl_change_set_multi(c, key, value, m, bl_pool_vec(m->pool, items, n));
        else
            bl_change_delete_value(c, key, value);
        drop[pe->change] = !changed;
        free(key);
        free(value);
        free(items);
    }
    /* Values of one key together, in the order the keys were first touched
     * (entries are numbered in touch order, so sorting by the first entry
     * of their key, then by their own number, is enough). */
    entry_rank *order = bl_xmalloc((st->n ? st->n : 1) * sizeof *order);
    for (uint32_t e = 0; e < st->n; e++) {
        order[e].key_order = st->v[e].key_order;
        order[e].entry = e;
    }
    qsort(order, st->n, sizeof *order, entry_rank_cmp);
    bl_change *sorted = bl_xmalloc((st->n ? st->n : 1) * sizeof *sorted);
    uint32_t n = 0;
    for (uint32_t i = 0; i < st->n; i++) {
        uint32_t c = st->v[order[i].entry].change;
        if (drop[c])
            bl_change_free(&p->changes[c]);
        else
            sorted[n++] = p->changes[c];
    }
    free(p->changes);
    p->changes = sorted;
    p->nchanges = p->capchanges = n;
    free(order);
    free(drop);
}

void bl_fix_plan_build(bl_fix_plan *p, const bl_model *m, const bl_findings *f)
{
    memset(p, 0, sizeof *p);
    p->state = bl_xcalloc(1, sizeof *p->state);
    for (uint32_t i = 0; f && i < f->n; i++) {
        const bl_finding *x = &f->v[i];
        if (x->severity < BL_SEV_WARNING || !x->nfixes)
            continue;
        const bl_fix *fix = &x->fixes[0];
        const char *where = NULL;
        const char *why = conflict(p, m, fix, &where);
        if (why) {
            bl_sb r = {0};
            bl_sb_addf(&r, "%s (%s)", why, where ? where : "");
            plan_skip(p, i, "%s", bl_sb_str(&r));
            bl_sb_free(&r);
            continue;
        }
        plan_take(p, m, fix);
        bl_grow((void **)&p->chosen, sizeof *p->chosen, &p->capchosen, p->nchosen + 1);
        p->chosen[p->nchosen++] = i;
    }
    plan_finish_lists(p, m);
}

void bl_fix_plan_free(bl_fix_plan *p)
{
    if (p->state) {
        for (uint32_t e = 0; e < p->state->n; e++) {
            bl_map_free(&p->state->v[e].removed);
            bl_map_free(&p->state->v[e].added_set);
            free(p->state->v[e].added);
        }
        free(p->state->v);
        bl_map_free(&p->state->by_id);
        bl_map_free(&p->state->by_key);
        free(p->state);
    }
    for (uint32_t i = 0; i < p->nchanges; i++)
        bl_change_free(&p->changes[i]);
    free(p->changes);
    for (uint32_t i = 0; i < p->nskipped; i++)
        free(p->skipped[i].reason);
    free(p->skipped);
    free(p->chosen);
    free(p->verification);
    memset(p, 0, sizeof *p);
}

/* A comment line: text from the hive is flattened to one line, so nothing in
 * it can become a registry line of its own. */
static void reg_comment(bl_sb *out, const char *prefix, const char *text)
{
    bl_sb_add(out, "; ");
    bl_sb_add(out, prefix);
    for (const char *s = text; *s; s++)
        bl_sb_addc(out, ((unsigned char)*s < 0x20 || *s == 0x7f) ? ' ' : *s);
    bl_sb_addc(out, '\n');
}

void bl_fix_plan_root(const bl_model *m, bool offline, bl_sb *out)
{
    if (offline)
        bl_sb_addf(out, "HKEY_LOCAL_MACHINE\\OFFLINE\\%s", bl_model_str(m, m->control_set_name));
    else
        bl_sb_add(out, "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet");
}

void bl_fix_plan_changes_reg(const bl_fix_plan *p, const bl_model *m, bool offline, bl_sb *out)
{
    bl_sb reg = {0}, root = {0};
    bl_changes_to_reg(p->changes, p->nchanges, &reg);
    bl_fix_plan_root(m, offline, &root);
    /* bl_changes_to_reg writes CurrentControlSet key lines; the offline
     * form puts the analyzed control set of the mounted hive there.  Key
     * lines are the only ones starting with '[' (keys with control
     * characters or ']' never reach this point). */
    static const char ccs[] = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet";
    const char *s = bl_sb_str(&reg);
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s + 1) : strlen(s);
        size_t skip = s[0] == '[' ? (s[1] == '-' ? 2 : 1) : 0;
        if (skip && strncmp(s + skip, ccs, sizeof ccs - 1) == 0) {
            bl_sb_addn(out, s, skip);
            bl_sb_add(out, bl_sb_str(&root));
            bl_sb_addn(out, s + skip + sizeof ccs - 1, n - skip - (sizeof ccs - 1));
        } else {
            bl_sb_addn(out, s, n);
        }
        s += n;
    }
    bl_sb_free(&reg);
    bl_sb_free(&root);
}

void bl_fix_plan_file(const bl_fix_plan *p, const bl_analysis *a, bool offline, const char *name, bl_sb *out)
{
    const bl_model *m = a->model;
    const bl_findings *f = a->findings;
    bl_sb body = {0};
    bl_fix_plan_changes_reg(p, m, offline, &body);
    /* The header line first (regedit requires it), then comments. */
    const char *nl = strchr(bl_sb_str(&body), '\n');
    size_t head = nl ? (size_t)(nl - bl_sb_str(&body) + 1) : body.len;
    bl_sb_addn(out, bl_sb_str(&body), head);
    bl_sb line = {0};
    bl_sb_addf(&line, "bootlens %s fixes for %s (%s)", offline ? "OFFLINE" : "RUNNING-SYSTEM",
               a->hive ? a->hive->path : "(model)", bl_model_str(m, m->control_set_name));
    reg_comment(out, "", bl_sb_str(&line));
    bl_sb_reset(&line);
    if (offline) {
        bl_sb_addf(&line, "For the hive offline (WinRE, or another Windows): the analyzed control set %s of the hive "
                          "loaded as HKLM\\OFFLINE.",
                   bl_model_str(m, m->control_set_name));
        reg_comment(out, "", bl_sb_str(&line));
        reg_comment(out, "", "From an elevated prompt, X: being the offline Windows drive:");
        reg_comment(out, "  ", "reg load HKLM\\OFFLINE X:\\Windows\\System32\\config\\SYSTEM");
        bl_sb_reset(&line);
        bl_sb_addf(&line, "reg import %s", name ? name : "FIX.reg");
        reg_comment(out, "  ", bl_sb_str(&line));
        reg_comment(out, "  ", "reg unload HKLM\\OFFLINE");
    } else {
        reg_comment(out, "", "For the running system (CurrentControlSet), from an elevated prompt:");
        bl_sb_addf(&line, "reg import %s     then restart Windows", name ? name : "FIX.reg");
        reg_comment(out, "  ", bl_sb_str(&line));
        reg_comment(out, "", "Export what you change first (reg export) to be able to go back.");
    }
    bl_sb_reset(&line);
    if (p->nchosen) {
        reg_comment(out, "", "Included (each re-simulated alone; merged so that no fix undoes another):");
        for (uint32_t i = 0; i < p->nchosen; i++) {
            const bl_finding *x = &f->v[p->chosen[i]];
            bl_sb_reset(&line);
            bl_sb_addf(&line, "%s [%s] %s", bl_severity_name(x->severity), x->rule, x->message);
            reg_comment(out, "  ", bl_sb_str(&line));
            bl_sb_reset(&line);
            bl_sb_addf(&line, "fix: %s", x->fixes[0].summary);
            reg_comment(out, "    ", bl_sb_str(&line));
        }
    } else {
        reg_comment(out, "", "No verified fix to apply: nothing is changed by this file.");
    }
    for (uint32_t i = 0; i < p->nskipped; i++) {
        const bl_finding *x = &f->v[p->skipped[i].finding];
        bl_sb_reset(&line);
        bl_sb_addf(&line, "Left out: the fix for [%s] %s: %s", x->rule, x->message, p->skipped[i].reason);
        reg_comment(out, "", bl_sb_str(&line));
    }
    if (p->verification)
        reg_comment(out, "", p->verification);
    bl_sb_add(out, bl_sb_str(&body) + head);
    bl_sb_free(&line);
    bl_sb_free(&body);
}

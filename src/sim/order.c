/* order.c — the loader's driver order for a start type, as Windows computes
 * it from ServiceGroupOrder and GroupOrderList.  Two loaders are modelled:
 *
 * NT (Windows 7 and earlier, and the kernel's system-start list): follows
 * the algorithm of the NT configuration manager's boot code
 * (CmpFindDrivers / CmpSortDriverList / CmpResolveDriverDependencies, as
 * published with the NT sources), step by step, because the tie-breaks live
 * in its details:
 *   1. Services are enumerated in registry order (subkeys sorted by their
 *      upper-cased names) and each driver of the start type is inserted at
 *      the HEAD of the list, so the list starts in reverse registry order.
 *   2. For each group of ServiceGroupOrder\List, from the last to the first,
 *      the members of that group found walking the list from its head are
 *      moved to the head, one by one.  Result: listed groups in list order
 *      (a group listed twice takes its first place); members of a group in
 *      registry order; drivers with no group or an unlisted group stay at the
 *      tail, in reverse registry order.
 *   3. Each run of consecutive drivers with the same group (case-insensitive;
 *      "no group" counts as a group) is reordered by tag index with the
 *      loader's own insertion walk (order_group below; ties keep their
 *      order): the position of the Tag in GroupOrderList\<group>; a Tag not
 *      in that list sorts after the listed ones, no Tag sorts last.
 *
 * winload (Windows 8 and later, boot drivers), as reverse-engineered and
 * checked against real boots by Colin Finck (nt-load-order, 2023):
 *   1. The same reverse-registry-order list.
 *   2. One pass of an insertion walk over the whole list by tag: untagged
 *      after tagged, ungrouped after grouped, else by tag index (position+1
 *      in the group's GroupOrderList, 0xFFFFFFFE if not listed; for a group
 *      with no GroupOrderList entry, such as "Core", the tag value itself).
 *   3. Groups of ServiceGroupOrder, last to first, are pulled to the front
 *      keeping their members' relative order.
 *   4. The hardcoded groups Early-Launch, Core Platform Extensions, Core
 *      Security Extensions are pulled to the front, in that order.
 *   5. The hardcoded "Core Driver Services" and "TPM Core Driver Services"
 *      image lists are pulled to the very front.
 * doc/boot-model.md restates these rules for users. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct node {
    uint32_t svc;
    uint32_t tag_index;
    uint32_t prev, next; /* BL_NONE terminated; head/tail kept separately */
} node;

typedef struct dlist {
    node *n;
    uint32_t head, tail;
} dlist;

static void dl_unlink(dlist *l, uint32_t i)
{
    node *x = &l->n[i];
    if (x->prev != BL_NONE)
        l->n[x->prev].next = x->next;
    else
        l->head = x->next;
    if (x->next != BL_NONE)
        l->n[x->next].prev = x->prev;
    else
        l->tail = x->prev;
    x->prev = x->next = BL_NONE;
}

static void dl_push_head(dlist *l, uint32_t i)
{
    node *x = &l->n[i];
    x->prev = BL_NONE;
    x->next = l->head;
    if (l->head != BL_NONE)
        l->n[l->head].prev = i;
    else
        l->tail = i;
    l->head = i;
}

/* Inserts i right after `after` (which is in the list). */
static void dl_insert_after(dlist *l, uint32_t after, uint32_t i)
{
    node *x = &l->n[i], *a = &l->n[after];
    x->prev = after;
    x->next = a->next;
    if (a->next != BL_NONE)
        l->n[a->next].prev = i;
    else
        l->tail = i;
    a->next = i;
}

/* Inserts i right before `before` (which is in the list). */
static void dl_insert_before(dlist *l, uint32_t before, uint32_t i)
{
    uint32_t p = l->n[before].prev;
    if (p == BL_NONE)
        dl_push_head(l, i);
    else
        dl_insert_after(l, p, i);
}

/* The loader's reordering of one group run [gs..ge] by tag index, step for
 * step: when a driver's tag is lower than its predecessor's, it is removed,
 * the scan walks back while tags are higher (stopping at the run's first
 * node), and the driver is re-inserted BEFORE the node where the scan
 * stopped; the walk then continues from the re-inserted driver.  For
 * distinct tags this sorts; ties keep their order.  A guard bounds the walk
 * (it cannot be needed for valid input, but input is hostile). */
static void order_group(dlist *l, uint32_t gs, uint32_t ge)
{
    if (gs == ge)
        return;
    uint64_t guard = 0, limit = 64;
    for (uint32_t i = gs; i != ge; i = l->n[i].next)
        limit += 64;
    limit *= limit;
    uint32_t cur = gs;
    do {
        uint32_t prev = cur;
        cur = l->n[cur].next;
        if (l->n[prev].tag_index > l->n[cur].tag_index) {
            if (cur == ge)
                ge = l->n[cur].prev;
            dl_unlink(l, cur);
            while (l->n[prev].tag_index > l->n[cur].tag_index && prev != gs)
                prev = l->n[prev].prev;
            dl_insert_before(l, prev, cur);
            if (prev == gs)
                gs = cur;
        }
    } while (cur != ge && ++guard < limit);
}

static uint32_t tag_index(const bl_model *m, const bl_service *s)
{
    if (!s->has_tag)
        return BL_TAG_NONE;
    const bl_group_tags *gt = s->group ? bl_model_group_tags(m, s->group) : NULL;
    if (!gt)
        return BL_TAG_UNLISTED;
    uint32_t n = bl_pool_vec_len(m->pool, gt->tags);
    const uint32_t *tags = bl_pool_vec_items(m->pool, gt->tags);
    for (uint32_t i = 0; i < n; i++)
        if (tags[i] == s->tag)
            return i;
    return BL_TAG_UNLISTED;
}

/* Services sorted by name carry the name with them: qsort's comparator has
 * no context argument, and a global would race between batch workers. */
typedef struct named {
    const char *name;
    uint32_t svc;
} named;

static int registry_order_cmp(const void *a, const void *b)
{
    return bl_registry_name_cmp(((const named *)a)->name, ((const named *)b)->name);
}

static bool same_group(const bl_model *m, uint32_t a, uint32_t b)
{
    return bl_pool_fold(m->pool, m->services[a].group) == bl_pool_fold(m->pool, m->services[b].group);
}

/* ---- winload (Windows 8+) ---- */

typedef struct modern_key {
    bool has_tag, has_group;
    uint64_t index;
} modern_key;

static modern_key modern_key_of(const bl_model *m, const bl_service *s)
{
    modern_key k = {s->has_tag, s->group != 0, 0};
    if (!k.has_tag || !k.has_group)
        return k;
    const bl_group_tags *gt = bl_model_group_tags(m, s->group);
    if (!gt) {
        k.index = s->tag; /* no GroupOrderList entry: the tag is the index */
        return k;
    }
    uint32_t n = bl_pool_vec_len(m->pool, gt->tags);
    const uint32_t *tags = bl_pool_vec_items(m->pool, gt->tags);
    k.index = 0xFFFFFFFEu;
    for (uint32_t i = 0; i < n; i++)
        if (tags[i] == s->tag) {
            k.index = (uint64_t)i + 1;
            break;
        }
    return k;
}

static int modern_cmp(const modern_key *a, const modern_key *b)
{
    if (!a->has_tag || !b->has_tag)
        return a->has_tag == b->has_tag ? 0 : (a->has_tag ? -1 : 1);
    if (!a->has_group || !b->has_group)
        return a->has_group == b->has_group ? 0 : (a->has_group ? -1 : 1);
    return a->index < b->index ? -1 : a->index > b->index ? 1 : 0;
}

/* Moves the list elements matching pred to the front, walking from the back
 * and stopping at *first_moved (the sorted region), keeping their order. */
typedef bool (*match_fn)(const bl_model *m, const bl_service *s, const void *arg);

static void move_matching_to_front(dlist *l, const bl_model *m, uint32_t *first_moved, match_fn pred,
                                   const void *arg)
{
    uint32_t cur = l->tail;
    while (cur != BL_NONE) {
        uint32_t prev = l->n[cur].prev;
        if (pred(m, &m->services[l->n[cur].svc], arg)) {
            if (cur != l->head) {
                dl_unlink(l, cur);
                dl_push_head(l, cur);
            }
            if (*first_moved == BL_NONE)
                *first_moved = cur;
        }
        if (prev == *first_moved)
            break;
        cur = prev;
    }
}

static bool in_group(const bl_model *m, const bl_service *s, const void *arg)
{
    return s->group && bl_pool_fold(m->pool, s->group) == *(const bl_str *)arg;
}

static bool in_named_group(const bl_model *m, const bl_service *s, const void *arg)
{
    return s->group && bl_fold_eq(bl_model_str(m, s->group), arg);
}

static bool has_image(const bl_model *m, const bl_service *s, const void *arg)
{
    if (s->image_path)
        return bl_fold_eq(bl_model_str(m, s->image_path), arg);
    bl_sb def = {0};
    bl_sb_addf(&def, "System32\\Drivers\\%s.sys", bl_model_str(m, s->name));
    bool eq = bl_fold_eq(bl_sb_str(&def), arg);
    bl_sb_free(&def);
    return eq;
}

static void modern_order(const bl_model *m, dlist *l, modern_key *keys, bool boot)
{
    /* Step 2: the tag walk. */
    if (l->head != BL_NONE && l->head != l->tail) {
        uint32_t end = l->tail, cur = l->head;
        uint64_t guard = 0, limit = (uint64_t)8 * 1024 * 1024;
        while (cur != end && ++guard < limit) {
            uint32_t next = l->n[cur].next;
            if (next == BL_NONE)
                break;
            if (modern_cmp(&keys[cur], &keys[next]) > 0) {
                uint32_t target = l->head;
                while (target != cur && modern_cmp(&keys[next], &keys[target]) > 0)
                    target = l->n[target].next;
                dl_unlink(l, next);
                dl_insert_before(l, target, next);
            }
            cur = next;
        }
    }
    /* Step 3: ServiceGroupOrder. */
    uint32_t first = BL_NONE;
    uint32_t ngroups = bl_pool_vec_len(m->pool, m->group_order);
    const uint32_t *groups = bl_pool_vec_items(m->pool, m->group_order);
    for (uint32_t g = ngroups; g-- > 0;) {
        bl_str gf = bl_pool_fold(m->pool, groups[g]);
        move_matching_to_front(l, m, &first, in_group, &gf);
    }
    if (!boot)
        return;
    /* Step 4: groups winload puts first whatever the list says. */
    static const char *const hard_groups[] = {"Early-Launch", "Core Platform Extensions",
                                              "Core Security Extensions"};
    first = BL_NONE;
    for (size_t g = BL_ARRAY_LEN(hard_groups); g-- > 0;)
        move_matching_to_front(l, m, &first, in_named_group, hard_groups[g]);
    /* Step 5: the hardcoded core driver lists, by image path. */
    static const char *const hard_images[] = {
        /* "Core Driver Services" */
        "system32\\drivers\\verifierext.sys", "system32\\drivers\\wdf01000.sys",
        "system32\\drivers\\acpiex.sys", "system32\\drivers\\cng.sys",
        "system32\\drivers\\mssecflt.sys", "system32\\drivers\\sgrmagent.sys",
        "system32\\drivers\\lxss.sys", "system32\\drivers\\palcore.sys",
        /* "TPM Core Driver Services" */
        "system32\\drivers\\acpisim.sys", "system32\\drivers\\acpi.sys",
    };
    first = BL_NONE;
    for (size_t i = BL_ARRAY_LEN(hard_images); i-- > 0;)
        move_matching_to_front(l, m, &first, has_image, hard_images[i]);
}

/* Orders `cands` (service indices) as the loader would: winload's order for
 * boot drivers of a Windows 8+ hive, the NT order otherwise.  Writes the
 * order to out (n entries) and, if tag_out, each one's position in its
 * group's GroupOrderList (or BL_TAG_*).  Returns n. */
uint32_t bl_sim_order_services(const bl_model *m, const uint32_t *cands, uint32_t n, bool boot,
                               uint32_t *out, uint32_t *tag_out)
{
    if (!n)
        return 0;
    /* Step 1: registry enumeration order, inserted at the head. */
    named *byname = bl_xmalloc(n * sizeof *byname);
    for (uint32_t i = 0; i < n; i++) {
        byname[i].name = bl_model_str(m, m->services[cands[i]].name);
        byname[i].svc = cands[i];
    }
    qsort(byname, n, sizeof *byname, registry_order_cmp);
    uint32_t *enum_order = bl_xmalloc(n * sizeof *enum_order);
    for (uint32_t i = 0; i < n; i++)
        enum_order[i] = byname[i].svc;
    free(byname);

    dlist l = {bl_xmalloc(n * sizeof(node)), BL_NONE, BL_NONE};
    for (uint32_t i = 0; i < n; i++) {
        l.n[i].svc = enum_order[i];
        l.n[i].tag_index = tag_index(m, &m->services[enum_order[i]]);
        l.n[i].prev = l.n[i].next = BL_NONE;
        dl_push_head(&l, i);
    }
    if (m->modern_loader && boot) {
        modern_key *keys = bl_xmalloc(n * sizeof *keys);
        for (uint32_t i = 0; i < n; i++)
            keys[i] = modern_key_of(m, &m->services[l.n[i].svc]);
        modern_order(m, &l, keys, true);
        free(keys);
        goto done;
    }

    /* Step 2: groups from the last listed to the first. */
    uint32_t ngroups = bl_pool_vec_len(m->pool, m->group_order);
    const uint32_t *groups = bl_pool_vec_items(m->pool, m->group_order);
    for (uint32_t g = ngroups; g-- > 0;) {
        bl_str gf = bl_pool_fold(m->pool, groups[g]);
        uint32_t it = l.head;
        while (it != BL_NONE) {
            uint32_t next = l.n[it].next;
            const bl_service *s = &m->services[l.n[it].svc];
            if (s->group && bl_pool_fold(m->pool, s->group) == gf) {
                dl_unlink(&l, it);
                dl_push_head(&l, it);
            }
            it = next;
        }
    }

    /* Step 3: order each run of same-group drivers by tag index. */
    uint32_t start = l.head;
    while (start != BL_NONE) {
        uint32_t end = start;
        while (l.n[end].next != BL_NONE && same_group(m, l.n[start].svc, l.n[l.n[end].next].svc))
            end = l.n[end].next;
        uint32_t after_run = l.n[end].next;
        order_group(&l, start, end);
        start = after_run;
    }

done:;
    uint32_t k = 0;
    for (uint32_t it = l.head; it != BL_NONE; it = l.n[it].next) {
        out[k] = l.n[it].svc;
        if (tag_out)
            tag_out[k] = l.n[it].tag_index;
        k++;
    }
    free(l.n);
    free(enum_order);
    return k;
}

/* True if service s is a boot driver under scenario flags. */
static bool is_boot_driver(const bl_model *m, uint32_t svc, uint32_t boot_flags, bl_str boot_fs)
{
    const bl_service *s = &m->services[svc];
    if (!bl_service_is_driver(s))
        return false;
    if (s->start == BL_START_BOOT)
        return true;
    if (boot_fs && s->key == boot_fs)
        return true;
    return s->has_boot_flags && (s->boot_flags & boot_flags) && s->start >= BL_START_SYSTEM &&
           s->start <= BL_START_DEMAND;
}

uint32_t bl_sim_loader_order(const bl_model *m, int start, uint32_t boot_flags, const char *boot_fs,
                             uint32_t **out)
{
    bl_str fs = boot_fs ? bl_pool_find_folded(m->pool, boot_fs) : 0;
    uint32_t *cands = bl_xmalloc((m->nservices ? m->nservices : 1) * sizeof *cands);
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        bool take = start == BL_START_BOOT ? is_boot_driver(m, i, boot_flags, fs)
                                           : (bl_service_is_driver(s) && s->start == start);
        if (take)
            cands[n++] = i;
    }
    uint32_t *res = bl_xmalloc((n ? n : 1) * sizeof *res);
    bl_sim_order_services(m, cands, n, start == BL_START_BOOT, res, NULL);
    free(cands);
    *out = res;
    return n;
}

/* order.c — the orders Windows computes from ServiceGroupOrder and
 * GroupOrderList: the loader's boot-driver list, the kernel's
 * initialization order of that list, and the system-start list.  Sources
 * and every tie-break: doc/boot-model.md "The loader's list" and "The
 * kernel's initialization order".
 *
 * The loader's list (CmpFindDrivers / CmpSortDriverList /
 * CmpResolveDriverDependencies in the NT sources; winload's own order on
 * Windows 8+, as reverse-engineered by Colin Finck, nt-load-order, 2023):
 *   NT:  1. services in registry order (subkeys sorted by upper-cased name),
 *           each inserted at the HEAD: reverse registry order;
 *        2. for each group of ServiceGroupOrder\List, last to first, its
 *           members found walking from the head are moved to the head one
 *           by one.  Each move reverses the members' relative order, so a
 *           group listed k times ends at its first place, in registry order
 *           when k is odd, reverse registry order when k is even; drivers
 *           with no group or an unlisted group stay at the tail in reverse
 *           registry order.  (Computed by that rule, not by the moves: the
 *           moves are O(groups x drivers).)
 *        3. each run of same-group drivers is reordered by tag index with
 *           the loader's insertion walk (CmpOrderGroup: a driver whose tag
 *           is lower than its predecessor's is re-inserted BEFORE the first
 *           node, scanning back, whose tag is not higher — so ties reverse
 *           and the result is not always sorted), reproduced step by step;
 *           CmpFindTagIndex never matches the LAST tag of a GroupOrderList
 *           (its loop stops one short), which sorts like an unlisted tag.
 *   8+:  the same list, one insertion walk over all of it by tag (tagged
 *        before untagged, grouped before ungrouped, then tag index), then
 *        the ServiceGroupOrder groups pulled to the front keeping their
 *        members' relative order.
 *   The walks are quadratic on hostile input: a run longer than
 *   BL_SIM_WALK_MAX drivers is sorted stably instead and the timeline says
 *   so (BL_APPROX_TIE_ORDER).
 *
 * The kernel's initialization order (IopInitializeBootDrivers, with
 * PipInitializeCoreDriversAndElam on Windows 8+): the loader list is
 * re-bucketed by group (its position in ServiceGroupOrder; no group or an
 * unlisted one: the last bucket) and, within a bucket, stably by tag
 * priority (PipGetDriverTagPriority: the tag's 1-based position in
 * GroupOrderList\<group>; one past the list for a tag it does not hold;
 * 0xFFFF without a group, a tag or a GroupOrderList value).  The loader's
 * order only breaks ties.  On Windows 8+ winload first moves out, and the
 * kernel initializes first, in this order: the Core Driver Services (by
 * service name, in the list's order), the Early-Launch group (ELAM), the
 * Core Platform Extensions and Core Security Extensions groups, and the TPM
 * Core Driver Services. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- group and tag lookups, built once per ordering ------------------- */

/* One (group, tag) of a GroupOrderList, with its position. */
typedef struct tag_pos {
    bl_str group; /* folded */
    uint32_t tag;
    uint32_t pos; /* 0-based position in the group's list */
} tag_pos;

static int tag_pos_cmp(const void *a, const void *b)
{
    const tag_pos *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void bl_sim_groups_init(bl_sim_groups *g, const bl_model *m)
{
    memset(g, 0, sizeof *g);
    uint32_t n = bl_pool_vec_len(m->pool, m->group_order);
    const uint32_t *it = bl_pool_vec_items(m->pool, m->group_order);
    g->ngroups = n;
    for (uint32_t i = 0; i < n; i++) {
        bl_str f = bl_pool_fold(m->pool, it[i]);
        if (!f)
            continue;
        uint32_t v;
        if (bl_map_get(&g->first, f, &v)) {
            bl_map_put(&g->count, f, (bl_map_get(&g->count, f, &v) ? v : 0) + 1);
        } else {
            bl_map_put(&g->first, f, i);
            bl_map_put(&g->count, f, 1);
        }
    }
    /* GroupOrderList: the first value of a group counts (as the model's
     * bl_model_group_tags answers). */
    size_t total = 0;
    for (uint32_t i = 0; i < m->ngroup_tags; i++)
        total += bl_pool_vec_len(m->pool, m->group_tags[i].tags);
    g->tags = bl_xmalloc((total ? total : 1) * sizeof *g->tags);
    for (uint32_t i = 0; i < m->ngroup_tags; i++) {
        bl_str f = bl_pool_fold(m->pool, m->group_tags[i].group);
        uint32_t v;
        if (!f || bl_map_get(&g->listed, f, &v))
            continue;
        uint32_t nt = bl_pool_vec_len(m->pool, m->group_tags[i].tags);
        bl_map_put(&g->listed, f, nt + 1); /* +1: 0 would read as absent */
        const uint32_t *tags = bl_pool_vec_items(m->pool, m->group_tags[i].tags);
        for (uint32_t k = 0; k < nt; k++) {
            tag_pos *t = &g->tags[g->ntags++];
            t->group = f;
            t->tag = tags[k];
            t->pos = k;
        }
    }
    qsort(g->tags, g->ntags, sizeof *g->tags, tag_pos_cmp);
}

void bl_sim_groups_free(bl_sim_groups *g)
{
    bl_map_free(&g->first);
    bl_map_free(&g->count);
    bl_map_free(&g->listed);
    free(g->tags);
    memset(g, 0, sizeof *g);
}

uint32_t bl_sim_group_rank(const bl_sim_groups *g, const bl_model *m, bl_str group)
{
    uint32_t v;
    bl_str f = bl_pool_fold(m->pool, group);
    return f && bl_map_get(&g->first, f, &v) ? v : BL_NONE;
}

static uint32_t group_occurrences(const bl_sim_groups *g, const bl_model *m, bl_str group)
{
    uint32_t v;
    bl_str f = bl_pool_fold(m->pool, group);
    return f && bl_map_get(&g->count, f, &v) ? v : 0;
}

/* Length of the group's GroupOrderList, or BL_NONE when it has none. */
static uint32_t list_length(const bl_sim_groups *g, const bl_model *m, bl_str group)
{
    uint32_t v;
    bl_str f = bl_pool_fold(m->pool, group);
    return f && bl_map_get(&g->listed, f, &v) ? v - 1 : BL_NONE;
}

/* First position of tag in the group's list, BL_NONE if absent. */
static uint32_t tag_position(const bl_sim_groups *g, const bl_model *m, bl_str group, uint32_t tag)
{
    tag_pos key = {bl_pool_fold(m->pool, group), tag, 0};
    uint32_t lo = 0, hi = g->ntags;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tag_pos_cmp(&g->tags[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < g->ntags && g->tags[lo].group == key.group && g->tags[lo].tag == tag)
        return g->tags[lo].pos;
    return BL_NONE;
}

uint32_t bl_sim_tag_index(const bl_sim_groups *g, const bl_model *m, const bl_service *s)
{
    if (!s->has_tag)
        return BL_TAG_NONE;
    if (!s->group || list_length(g, m, s->group) == BL_NONE)
        return BL_TAG_UNLISTED;
    uint32_t p = tag_position(g, m, s->group, s->tag);
    return p == BL_NONE ? BL_TAG_UNLISTED : p;
}

uint32_t bl_sim_tag_priority(const bl_sim_groups *g, const bl_model *m, const bl_service *s)
{
    if (!s->group || !s->has_tag)
        return 0xFFFFu;
    uint32_t len = list_length(g, m, s->group);
    if (len == BL_NONE)
        return 0xFFFFu;
    uint32_t p = tag_position(g, m, s->group, s->tag);
    return p == BL_NONE ? len + 1 : p + 1;
}

/* The loader's CmpFindTagIndex: like the position, but the loop stops one
 * short of the list's end, so the last listed tag reads as unlisted. */
static uint32_t loader_tag_index(const bl_sim_groups *g, const bl_model *m, const bl_service *s)
{
    if (!s->has_tag)
        return BL_TAG_NONE;
    uint32_t len = s->group ? list_length(g, m, s->group) : BL_NONE;
    if (len == BL_NONE)
        return BL_TAG_UNLISTED;
    uint32_t p = tag_position(g, m, s->group, s->tag);
    return p == BL_NONE || p + 1 >= len ? BL_TAG_UNLISTED : p;
}

/* ---- the loader's walks ------------------------------------------------ */

typedef struct node {
    uint32_t svc;
    uint32_t key;        /* NT: loader tag index; winload: index into keys */
    uint32_t prev, next; /* BL_NONE terminated */
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

/* Inserts i right before `before` (which is in the list). */
static void dl_insert_before(dlist *l, uint32_t before, uint32_t i)
{
    node *x = &l->n[i], *b = &l->n[before];
    x->next = before;
    x->prev = b->prev;
    if (b->prev != BL_NONE)
        l->n[b->prev].next = i;
    else
        l->head = i;
    b->prev = i;
}

/* CmpOrderGroup, step for step, on the run [gs..ge]. */
static void nt_order_run(dlist *l, uint32_t gs, uint32_t ge)
{
    if (gs == ge)
        return;
    uint32_t cur = gs;
    do {
        uint32_t prev = cur;
        cur = l->n[cur].next;
        if (l->n[prev].key > l->n[cur].key) {
            if (cur == ge)
                ge = l->n[cur].prev;
            dl_unlink(l, cur);
            while (l->n[prev].key > l->n[cur].key && prev != gs)
                prev = l->n[prev].prev;
            dl_insert_before(l, prev, cur);
            if (prev == gs)
                gs = cur;
        }
    } while (cur != ge);
}

/* The stable fallback for runs too long to walk: by key, ties in order. */
typedef struct keyed {
    uint64_t key;
    uint32_t at; /* position before sorting: the tie-break */
    uint32_t item;
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static void stable_sort_keyed(keyed *v, uint32_t n)
{
    qsort(v, n, sizeof *v, keyed_cmp);
}

/* Sorts v (the list's nodes with their keys) and relinks the list in that
 * order; idx is scratch of n entries. */
static void relink_sorted(dlist *l, keyed *v, uint32_t n, uint32_t *idx);

typedef struct modern_key {
    bool has_tag, has_group;
    uint64_t index;
} modern_key;

static modern_key modern_key_of(const bl_sim_groups *g, const bl_model *m, const bl_service *s)
{
    modern_key k = {s->has_tag, s->group != 0, 0};
    if (!k.has_tag || !k.has_group)
        return k;
    if (list_length(g, m, s->group) == BL_NONE) {
        k.index = s->tag; /* no GroupOrderList entry (as for "Core"): the tag is the index */
        return k;
    }
    uint32_t p = tag_position(g, m, s->group, s->tag);
    k.index = p == BL_NONE ? 0xFFFFFFFEu : (uint64_t)p + 1;
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

/* The total order modern_cmp induces, as a number (for the fallback). */
static uint64_t modern_rank(const modern_key *k)
{
    if (!k->has_tag)
        return UINT64_MAX;
    if (!k->has_group)
        return UINT64_MAX - 1;
    return k->index;
}

/* winload's tag walk over the whole list, step for step. */
static void modern_walk(dlist *l, const modern_key *keys)
{
    if (l->head == BL_NONE || l->head == l->tail)
        return;
    uint32_t end = l->tail, cur = l->head;
    while (cur != end) {
        uint32_t next = l->n[cur].next;
        if (next == BL_NONE)
            break;
        if (modern_cmp(&keys[l->n[cur].key], &keys[l->n[next].key]) > 0) {
            uint32_t target = l->head;
            while (target != cur && modern_cmp(&keys[l->n[next].key], &keys[l->n[target].key]) > 0)
                target = l->n[target].next;
            dl_unlink(l, next);
            dl_insert_before(l, target, next);
        }
        cur = next;
    }
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

/* cands in registry enumeration order (out: n entries). */
static void registry_order(const bl_model *m, const uint32_t *cands, uint32_t n, uint32_t *out)
{
    named *byname = bl_xmalloc((n ? n : 1) * sizeof *byname);
    for (uint32_t i = 0; i < n; i++) {
        byname[i].name = bl_model_str(m, m->services[cands[i]].name);
        byname[i].svc = cands[i];
    }
    qsort(byname, n, sizeof *byname, registry_order_cmp);
    for (uint32_t i = 0; i < n; i++)
        out[i] = byname[i].svc;
    free(byname);
}

/* Rebuilds the list from an array of node indices. */
static void dl_from_array(dlist *l, const uint32_t *idx, uint32_t n);

static void relink_sorted(dlist *l, keyed *v, uint32_t n, uint32_t *idx)
{
    stable_sort_keyed(v, n);
    for (uint32_t i = 0; i < n; i++)
        idx[i] = v[i].item;
    dl_from_array(l, idx, n);
}

static void dl_from_array(dlist *l, const uint32_t *idx, uint32_t n)
{
    l->head = l->tail = BL_NONE;
    for (uint32_t i = 0; i < n; i++) {
        node *x = &l->n[idx[i]];
        x->prev = l->tail;
        x->next = BL_NONE;
        if (l->tail != BL_NONE)
            l->n[l->tail].next = idx[i];
        else
            l->head = idx[i];
        l->tail = idx[i];
    }
}

static bool same_group(const bl_model *m, uint32_t a, uint32_t b)
{
    return bl_pool_fold(m->pool, m->services[a].group) == bl_pool_fold(m->pool, m->services[b].group);
}

/* NT steps 2 and 3 on the reverse-registry list rev[0..n) (node indices
 * equal array positions). */
static void nt_loader_list(const bl_model *m, const bl_sim_groups *g, dlist *l, uint32_t n, uint8_t *approx)
{
    /* Step 2 by its closed form: listed groups by first place; within one,
     * registry order after an odd number of moves, reverse after an even
     * number; the rest where the list left them (reverse registry order). */
    keyed *v = bl_xmalloc((n ? n : 1) * sizeof *v);
    uint32_t k = 0;
    for (uint32_t it = l->head; it != BL_NONE; it = l->n[it].next, k++) {
        const bl_service *s = &m->services[l->n[it].svc];
        uint32_t rank = s->group ? bl_sim_group_rank(g, m, s->group) : BL_NONE;
        uint64_t key = rank == BL_NONE ? UINT64_MAX : (uint64_t)rank;
        uint32_t at = k; /* reverse registry order */
        if (rank != BL_NONE && (group_occurrences(g, m, s->group) & 1u))
            at = n - 1 - k; /* registry order */
        v[k].key = key;
        v[k].at = at;
        v[k].item = it;
    }
    uint32_t *idx = bl_xmalloc((n ? n : 1) * sizeof *idx);
    relink_sorted(l, v, n, idx);
    free(idx);
    free(v);

    /* Step 3: each run of one group by the loader's walk. */
    uint32_t start = l->head;
    while (start != BL_NONE) {
        uint32_t end = start, len = 1;
        while (l->n[end].next != BL_NONE && same_group(m, l->n[start].svc, l->n[l->n[end].next].svc)) {
            end = l->n[end].next;
            len++;
        }
        uint32_t after = l->n[end].next;
        if (len <= BL_SIM_WALK_MAX) {
            nt_order_run(l, start, end);
        } else {
            /* Too long to walk (hostile): a stable sort by tag index. */
            keyed *r = bl_xmalloc(len * sizeof *r);
            uint32_t i = 0, before = l->n[start].prev;
            for (uint32_t it = start; i < len; it = l->n[it].next, i++) {
                r[i].key = l->n[it].key;
                r[i].at = i;
                r[i].item = it;
            }
            stable_sort_keyed(r, len);
            for (i = 0; i < len; i++) {
                l->n[r[i].item].prev = i ? r[i - 1].item : before;
                l->n[r[i].item].next = i + 1 < len ? r[i + 1].item : after;
            }
            if (before != BL_NONE)
                l->n[before].next = r[0].item;
            else
                l->head = r[0].item;
            if (after != BL_NONE)
                l->n[after].prev = r[len - 1].item;
            else
                l->tail = r[len - 1].item;
            free(r);
            *approx |= BL_APPROX_TIE_ORDER;
        }
        start = after;
    }
}

static void modern_loader_list(const bl_model *m, const bl_sim_groups *g, dlist *l, uint32_t n, uint8_t *approx)
{
    modern_key *keys = bl_xmalloc((n ? n : 1) * sizeof *keys);
    for (uint32_t i = 0; i < n; i++) {
        keys[i] = modern_key_of(g, m, &m->services[l->n[i].svc]);
        l->n[i].key = i;
    }
    uint32_t *idx = bl_xmalloc((n ? n : 1) * sizeof *idx);
    keyed *v = bl_xmalloc((n ? n : 1) * sizeof *v);
    if (n <= BL_SIM_WALK_MAX) {
        modern_walk(l, keys);
    } else {
        uint32_t k = 0;
        for (uint32_t it = l->head; it != BL_NONE; it = l->n[it].next, k++) {
            v[k].key = modern_rank(&keys[l->n[it].key]);
            v[k].at = k;
            v[k].item = it;
        }
        relink_sorted(l, v, n, idx);
        *approx |= BL_APPROX_TIE_ORDER;
    }
    /* ServiceGroupOrder groups pulled to the front, last to first, each
     * keeping its members' order: a stable sort by first place. */
    uint32_t k = 0;
    for (uint32_t it = l->head; it != BL_NONE; it = l->n[it].next, k++) {
        const bl_service *s = &m->services[l->n[it].svc];
        uint32_t rank = s->group ? bl_sim_group_rank(g, m, s->group) : BL_NONE;
        v[k].key = rank == BL_NONE ? UINT64_MAX : rank;
        v[k].at = k;
        v[k].item = it;
    }
    relink_sorted(l, v, n, idx);
    free(v);
    free(idx);
    free(keys);
}

uint32_t bl_sim_loader_list(const bl_model *m, const bl_sim_groups *g, const uint32_t *cands, uint32_t n,
                            bool winload, uint32_t *out, uint8_t *approx)
{
    if (!n)
        return 0;
    uint32_t *reg = bl_xmalloc(n * sizeof *reg);
    registry_order(m, cands, n, reg);
    /* Step 1: inserted at the head one by one: reverse registry order.
     * Node i holds the i-th driver of that reversed list. */
    dlist l = {bl_xmalloc(n * sizeof(node)), BL_NONE, BL_NONE};
    uint32_t *idx = bl_xmalloc(n * sizeof *idx);
    for (uint32_t i = 0; i < n; i++) {
        l.n[i].svc = reg[n - 1 - i];
        l.n[i].key = winload ? 0 : loader_tag_index(g, m, &m->services[l.n[i].svc]);
        idx[i] = i;
    }
    dl_from_array(&l, idx, n);
    free(idx);
    if (winload)
        modern_loader_list(m, g, &l, n, approx);
    else
        nt_loader_list(m, g, &l, n, approx);
    uint32_t k = 0;
    for (uint32_t it = l.head; it != BL_NONE && k < n; it = l.n[it].next)
        out[k++] = l.n[it].svc;
    free(l.n);
    free(reg);
    return k;
}

/* ---- the kernel's initialization order ------------------------------- */

/* winload's hardcoded service lists (Windows 8+): "Core Driver Services"
 * as the 1809 binary lists them (the leaked earlier source lacks MSSECFLT
 * and SGRMAGENT, which the builds that have those services added), and
 * "TPM Core Driver Services" (the measured-boot variant adds MSISADRV, PCI
 * and TPM when a TPM answers: see tpm_present). */
static const char *const core_services[] = {"verifierext", "wdf01000", "acpiex", "cng",
                                            "mssecflt",    "sgrmagent", "lxss",   "palcore"};
static const char *const tpm_core_services[] = {"acpisim", "acpi"};
static const char *const tpm_core_measured[] = {"acpisim", "acpi", "msisadrv", "pci", "tpm"};

/* A TPM device in Enum (ACPI\MSFT0101 is TPM 2.0, ACPI\PNP0C31 TPM 1.2):
 * winload's BlTpmStatus would answer, so the measured list applies. */
static bool tpm_present(const bl_model *m)
{
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const char *id = bl_model_str(m, m->devices[d].instance_id);
        if (bl_fold_has_prefix(id, "ACPI\\MSFT0101\\") || bl_fold_has_prefix(id, "ACPI\\PNP0C31\\"))
            return true;
    }
    return false;
}

static bool in_named_group(const bl_model *m, uint32_t svc, const char *group)
{
    bl_str gr = m->services[svc].group;
    return gr && bl_fold_eq(bl_model_str(m, gr), group);
}

static uint32_t find_in(const bl_model *m, const uint32_t *list, uint32_t n, const uint8_t *taken, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (!taken[i] && bl_fold_eq(bl_model_str(m, m->services[list[i]].name), name))
            return i;
    return BL_NONE;
}

uint32_t bl_sim_init_order(const bl_model *m, const bl_sim_groups *g, const uint32_t *list, uint32_t n,
                           bl_boot_slot *out)
{
    uint8_t *taken = bl_xcalloc(n ? n : 1, 1);
    uint32_t k = 0;
    if (m->modern_loader) {
        /* What winload moves out of the boot list, in the order the kernel
         * initializes it (PipInitializeCoreDriversAndElam). */
        for (size_t c = 0; c < BL_ARRAY_LEN(core_services); c++) {
            uint32_t i = find_in(m, list, n, taken, core_services[c]);
            if (i != BL_NONE) {
                taken[i] = 1;
                out[k++] = (bl_boot_slot){list[i], BL_LIST_CORE, BL_NONE, 0xFFFFu, 0, 0};
            }
        }
        static const struct {
            const char *group;
            uint8_t origin;
        } hard[] = {{"Early-Launch", BL_LIST_ELAM},
                    {"Core Platform Extensions", BL_LIST_CORE_EXTENSION},
                    {"Core Security Extensions", BL_LIST_CORE_EXTENSION}};
        for (size_t h = 0; h < BL_ARRAY_LEN(hard); h++)
            for (uint32_t i = 0; i < n; i++)
                if (!taken[i] && in_named_group(m, list[i], hard[h].group)) {
                    taken[i] = 1;
                    out[k++] = (bl_boot_slot){list[i], hard[h].origin, BL_NONE, 0xFFFFu, 0, 0};
                }
        bool measured = tpm_present(m);
        const char *const *tpm = measured ? tpm_core_measured : tpm_core_services;
        size_t ntpm = measured ? BL_ARRAY_LEN(tpm_core_measured) : BL_ARRAY_LEN(tpm_core_services);
        for (size_t c = 0; c < ntpm; c++) {
            uint32_t i = find_in(m, list, n, taken, tpm[c]);
            if (i != BL_NONE) {
                taken[i] = 1;
                out[k++] = (bl_boot_slot){list[i], BL_LIST_TPM_CORE, BL_NONE, 0xFFFFu, 0, 0};
            }
        }
    }
    /* IopGroupTable: buckets by group, stably by tag priority. */
    uint32_t rest = n - k;
    keyed *v = bl_xmalloc((rest ? rest : 1) * sizeof *v);
    uint32_t r = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (taken[i])
            continue;
        const bl_service *s = &m->services[list[i]];
        uint32_t rank = s->group ? bl_sim_group_rank(g, m, s->group) : BL_NONE;
        uint64_t bucket = rank == BL_NONE ? g->ngroups : rank;
        v[r].key = bucket << 32 | bl_sim_tag_priority(g, m, s);
        v[r].at = i;
        v[r].item = list[i];
        r++;
    }
    stable_sort_keyed(v, r);
    for (uint32_t i = 0; i < r; i++)
        out[k++] = (bl_boot_slot){v[i].item, BL_LIST_GROUP, (uint32_t)(v[i].key >> 32),
                                  (uint32_t)(v[i].key & 0xFFFFFFFFu), 0, 0};
    free(v);
    free(taken);
    return k;
}

/* True if service s is a boot driver under scenario flags: Start=0, a
 * BootFlags promotion, or the boot file system (the loader adds it by name
 * whatever its Start: CmpFindDrivers' BootFileSystem argument). */
bool bl_sim_is_boot_driver(const bl_model *m, uint32_t svc, uint32_t boot_flags, bl_str boot_fs, uint8_t *why)
{
    const bl_service *s = &m->services[svc];
    if (!bl_service_is_driver(s))
        return false;
    uint8_t w = 0;
    if (s->start == BL_START_BOOT)
        w = BL_WHY_START;
    else if (boot_fs && s->key == boot_fs)
        w = BL_WHY_BOOT_FS;
    else if (s->has_boot_flags && (s->boot_flags & boot_flags) && s->start >= BL_START_SYSTEM &&
             s->start <= BL_START_DEMAND)
        w = BL_WHY_BOOTFLAGS;
    if (why)
        *why = w;
    return w != 0;
}

uint32_t bl_sim_loader_order(const bl_model *m, int start, uint32_t boot_flags, const char *boot_fs,
                             uint32_t **out)
{
    bl_str fs = boot_fs ? bl_pool_find_folded(m->pool, boot_fs) : 0;
    uint32_t *cands = bl_xmalloc((m->nservices ? m->nservices : 1) * sizeof *cands);
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        bool take = start == BL_START_BOOT ? bl_sim_is_boot_driver(m, i, boot_flags, fs, NULL)
                                           : (bl_service_is_driver(s) && s->start == start);
        if (take)
            cands[n++] = i;
    }
    bl_sim_groups g;
    bl_sim_groups_init(&g, m);
    uint32_t *list = bl_xmalloc((n ? n : 1) * sizeof *list);
    uint8_t approx = 0;
    bl_sim_loader_list(m, &g, cands, n, start == BL_START_BOOT && m->modern_loader, list, &approx);
    uint32_t *res = bl_xmalloc((n ? n : 1) * sizeof *res);
    if (start == BL_START_BOOT) {
        bl_boot_slot *slots = bl_xmalloc((n ? n : 1) * sizeof *slots);
        bl_sim_init_order(m, &g, list, n, slots);
        for (uint32_t i = 0; i < n; i++)
            res[i] = slots[i].svc;
        free(slots);
    } else {
        memcpy(res, list, n * sizeof *res);
    }
    free(list);
    free(cands);
    bl_sim_groups_free(&g);
    *out = res;
    return n;
}

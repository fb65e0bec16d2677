/* timeline.c — the boot timeline as the Windows kernel runs it: the boot
 * drivers in the kernel's initialization order (order.c) with a boot-device
 * re-enumeration after each, boot-start filters pulled forward by PnP,
 * DependOnGroup checks, then the PnP pass and the Start=1 list in the
 * order of the hive's Windows family, then the SCM (scm.c).  See sim.h
 * for the phases and doc/boot-model.md for the sources of every rule.
 *
 * The boot phase is event-driven so that its cost is linear in the stacks:
 * a device that cannot start yet waits on one thing — a driver's
 * initialization or the loop reaching the turn after which a filter may be
 * pulled forward — and is re-examined, from the stack stage it stopped at,
 * only when that happens. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIGFLAG_DISABLED 0x1
/* Bounds on what a hostile hive can make the stacks cost: filters read
 * per list, and stack entries in all (real machines: a handful per list,
 * a few thousand in all).  Past them the timeline is flagged approximate. */
#define STACK_LIST_MAX 256u
#define STACK_TOTAL_MAX (4u << 20)

uint32_t bl_sim_add_load(bl_timeline *t, uint32_t svc, uint8_t phase, uint8_t why, uint32_t tag_index,
                         uint32_t for_device)
{
    const bl_model *m = t->model;
    bl_grow((void **)&t->loads, sizeof *t->loads, &t->caploads, t->nloads + 1);
    uint32_t i = t->nloads++;
    bl_load *l = &t->loads[i];
    l->service = svc;
    l->phase = phase;
    l->why = why;
    l->origin = BL_LIST_NONE;
    l->position = i + 1;
    l->group_rank = bl_model_group_rank(m, m->services[svc].group);
    l->tag_index = tag_index;
    l->for_device = for_device;
    t->services[svc].load = i;
    t->services[svc].phase = phase;
    t->services[svc].block = BL_BLOCK_NONE; /* whatever kept it back, it loads now */
    return i;
}

uint32_t bl_timeline_position(const bl_timeline *t, uint32_t svc)
{
    if (svc == BL_NONE || svc >= t->model->nservices)
        return 0;
    uint32_t l = t->services[svc].load;
    return l == BL_NONE ? 0 : t->loads[l].position;
}

/* ---- stacks ------------------------------------------------------------ */

static void push_stack(bl_timeline *t, bl_vec names, uint8_t role, uint32_t *budget)
{
    const bl_model *m = t->model;
    uint32_t n = bl_pool_vec_len(m->pool, names);
    const uint32_t *it = bl_pool_vec_items(m->pool, names);
    if (n > STACK_LIST_MAX) {
        n = STACK_LIST_MAX;
        t->approx |= BL_APPROX_STACKS;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (!*budget) {
            t->approx |= BL_APPROX_STACKS;
            return;
        }
        (*budget)--;
        bl_grow((void **)&t->stack, sizeof *t->stack, &t->capstack, t->nstack + 1);
        bl_stack_entry *e = &t->stack[t->nstack++];
        e->name = it[i];
        e->service = bl_model_find_service_id(m, it[i]);
        e->role = role;
    }
}

/* Root\LEGACY_* devnodes stand for non-PnP drivers loaded some other way:
 * they do not drive any load or start themselves. */
static bool is_legacy_devnode(const bl_model *m, const bl_device *d)
{
    return bl_fold_has_prefix(bl_model_str(m, d->instance_id), "ROOT\\LEGACY_");
}

static void build_stacks(bl_timeline *t)
{
    const bl_model *m = t->model;
    uint32_t budget = STACK_TOTAL_MAX;
    for (uint32_t i = 0; i < m->ndevices; i++) {
        const bl_device *d = &m->devices[i];
        bl_device_start *ds = &t->devices[i];
        ds->stack_first = t->nstack;
        uint32_t cls = d->class_guid ? bl_model_find_class_id(m, d->class_guid) : BL_NONE;
        const bl_class *c = cls != BL_NONE ? &m->classes[cls] : NULL;
        push_stack(t, d->lower, BL_ROLE_LOWER_DEVICE, &budget);
        if (c)
            push_stack(t, c->lower, BL_ROLE_LOWER_CLASS, &budget);
        /* "\Driver\ACPI_HAL" and the like name a driver object the kernel
         * creates itself: nothing to load. */
        if (d->service && !bl_fold_has_prefix(bl_model_str(m, d->service), "\\Driver\\")) {
            bl_grow((void **)&t->stack, sizeof *t->stack, &t->capstack, t->nstack + 1);
            bl_stack_entry *e = &t->stack[t->nstack++];
            e->name = d->service;
            e->service = bl_model_find_service_id(m, d->service);
            e->role = BL_ROLE_FUNCTION;
        }
        push_stack(t, d->upper, BL_ROLE_UPPER_DEVICE, &budget);
        if (c)
            push_stack(t, c->upper, BL_ROLE_UPPER_CLASS, &budget);
        ds->stack_count = t->nstack - ds->stack_first;
    }
}

/* ---- the device tree, parents first ----------------------------------- */

typedef struct tree {
    uint32_t *order;       /* devices in depth-first preorder (children in model order) */
    uint32_t *rank;        /* per device: its place in order */
    uint32_t *kids_first;  /* CSR children lists: kids[kids_first[d] .. kids_first[d+1]) */
    uint32_t *kids;
} tree;

static void tree_build(tree *tr, const bl_model *m)
{
    uint32_t n = m->ndevices, nn = n ? n : 1;
    tr->order = bl_xmalloc(nn * sizeof *tr->order);
    tr->rank = bl_xmalloc(nn * sizeof *tr->rank);
    tr->kids_first = bl_xcalloc(n + 1, sizeof *tr->kids_first);
    tr->kids = bl_xmalloc(nn * sizeof *tr->kids);
    for (uint32_t i = 0; i < n; i++)
        if (m->devices[i].parent != BL_NONE && m->devices[i].parent < n)
            tr->kids_first[m->devices[i].parent + 1]++;
    for (uint32_t i = 0; i < n; i++)
        tr->kids_first[i + 1] += tr->kids_first[i];
    uint32_t *fill = bl_xmalloc(nn * sizeof *fill);
    memcpy(fill, tr->kids_first, n * sizeof *fill);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t p = m->devices[i].parent;
        if (p != BL_NONE && p < n)
            tr->kids[fill[p]++] = i;
    }
    free(fill);
    /* Iterative preorder from every root, children in model order; a
     * device on a parent loop (cut by the model, but be safe) is appended
     * afterwards and will wait for a parent that never starts. */
    uint8_t *seen = bl_xcalloc(nn, 1);
    uint32_t *stk = bl_xmalloc(nn * sizeof *stk);
    uint32_t k = 0;
    for (uint32_t r = 0; r < n; r++) {
        if (m->devices[r].parent != BL_NONE && m->devices[r].parent < n)
            continue;
        uint32_t sp = 0;
        stk[sp++] = r;
        while (sp) {
            uint32_t d = stk[--sp];
            if (seen[d])
                continue;
            seen[d] = 1;
            tr->order[k++] = d;
            for (uint32_t c = tr->kids_first[d + 1]; c-- > tr->kids_first[d];)
                if (!seen[tr->kids[c]] && sp < n)
                    stk[sp++] = tr->kids[c];
        }
    }
    for (uint32_t d = 0; d < n; d++)
        if (!seen[d])
            tr->order[k++] = d;
    for (uint32_t i = 0; i < n; i++)
        tr->rank[tr->order[i]] = i;
    free(seen);
    free(stk);
}

static void tree_free(tree *tr)
{
    free(tr->order);
    free(tr->rank);
    free(tr->kids_first);
    free(tr->kids);
}

/* Fixes the devices that can never start, in preorder (a parent's verdict
 * first): disabled, missing or disabled stack driver, no Start value, a
 * parent that never starts or has no function driver to enumerate it. */
static void mark_blocked(bl_timeline *t, const tree *tr, const uint8_t *boot)
{
    const bl_model *m = t->model;
    for (uint32_t k = 0; k < m->ndevices; k++) {
        uint32_t dev = tr->order[k];
        const bl_device *d = &m->devices[dev];
        bl_device_start *ds = &t->devices[dev];
        if (is_legacy_devnode(m, d)) {
            ds->phase = BL_PHASE_DEMAND;
            continue;
        }
        if (d->has_config_flags && (d->config_flags & CONFIGFLAG_DISABLED)) {
            ds->block = BL_BLOCK_DEVICE_DISABLED;
        } else if (d->parent != BL_NONE && t->devices[d->parent].phase == BL_PHASE_NEVER) {
            ds->block = BL_BLOCK_PARENT;
            ds->blocked_by = d->parent;
        } else if (d->parent_how == BL_PARENT_PREFIX && !m->devices[d->parent].service) {
            /* The parent runs raw (no Service: a raw install or no driver
             * found): with no function driver, nothing enumerates its children. */
            ds->block = BL_BLOCK_PARENT_RAW;
            ds->blocked_by = d->parent;
        } else {
            for (uint32_t s = 0; s < ds->stack_count; s++) {
                const bl_stack_entry *e = &t->stack[ds->stack_first + s];
                if (e->service == BL_NONE) {
                    ds->block = BL_BLOCK_MISSING_SERVICE;
                    ds->blocked_by = BL_NONE;
                    break;
                }
                int32_t st = m->services[e->service].start;
                if (st == BL_START_DISABLED && !boot[e->service]) {
                    ds->block = BL_BLOCK_DISABLED;
                    ds->blocked_by = e->service;
                    break;
                }
                if (st == BL_START_UNKNOWN && !boot[e->service]) {
                    ds->block = BL_BLOCK_NO_START;
                    ds->blocked_by = e->service;
                    break;
                }
            }
        }
        if (ds->block != BL_BLOCK_NONE)
            ds->phase = BL_PHASE_NEVER;
    }
}

/* ---- the kernel's group dependency bookkeeping ------------------------ */

/* PipCheckDependencies' tree: an entry per group whose members had a turn
 * (boot loop or Start=1 list), counting those that loaded. */
typedef struct group_tree {
    bl_map index;  /* folded group -> entry + 1 */
    uint32_t *loaded;
    uint32_t n, cap;
} group_tree;

static uint32_t group_entry(group_tree *g, bl_str folded, bool create)
{
    uint32_t v;
    if (bl_map_get(&g->index, folded, &v))
        return v - 1;
    if (!create)
        return BL_NONE;
    bl_grow((void **)&g->loaded, sizeof *g->loaded, &g->cap, g->n + 1);
    g->loaded[g->n] = 0;
    bl_map_put(&g->index, folded, g->n + 1);
    return g->n++;
}

/* A driver's turn: its group's entry exists from now on; then the check.
 * Returns the group that fails it (an entry with no loaded member), 0 if
 * none does. */
static bl_str turn_and_check(const bl_model *m, group_tree *g, uint32_t svc)
{
    const bl_service *s = &m->services[svc];
    if (s->group)
        group_entry(g, bl_pool_fold(m->pool, s->group), true);
    uint32_t n = bl_pool_vec_len(m->pool, s->depend_on_group);
    const uint32_t *it = bl_pool_vec_items(m->pool, s->depend_on_group);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t e = group_entry(g, bl_pool_fold(m->pool, it[i]), false);
        if (e != BL_NONE && g->loaded[e] == 0)
            return it[i];
    }
    return 0;
}

static void count_loaded(const bl_model *m, group_tree *g, uint32_t svc)
{
    const bl_service *s = &m->services[svc];
    if (s->group)
        g->loaded[group_entry(g, bl_pool_fold(m->pool, s->group), true)]++;
}

/* ---- the boot phase ----------------------------------------------------- */

typedef struct boot_sim {
    bl_timeline *t;
    const bl_model *m;
    const tree *tr;
    group_tree *groups;
    bl_boot_slot *slots;
    uint32_t n;
    uint32_t *slot_of;   /* per service: its index in slots, BL_NONE */
    uint8_t *processed;  /* per service: its turn has come (or it was pulled: see pull) */
    uint32_t cur;        /* index of the turn just taken; BL_NONE before the first */
    uint32_t table_from; /* first slot in IopGroupTable (after the Windows 8+ core lists) */
    uint32_t waiting;    /* no slot after cur and before this one is still uninitialized */
    uint32_t *bucket_end_before; /* per bucket b: index of the last table slot of a bucket < b, or BL_NONE */
    /* Waiting devices: singly linked through wnext. */
    uint32_t *stage;     /* per device: next stack stage to check */
    uint32_t *wnext;
    uint32_t *svc_head;  /* per service: devices waiting for its initialization */
    uint32_t *thr_head;  /* per slot index: devices waiting until the loop passed it */
    uint32_t thr_done;   /* thresholds up to here (exclusive) are woken */
    uint32_t *waited;    /* per device: the filter it waited for last, BL_NONE */
    /* Devices to examine in this re-enumeration, by tree preorder rank. */
    uint32_t *heap;
    uint32_t nheap;
    uint8_t *in_heap;
} boot_sim;

static void heap_push(boot_sim *b, uint32_t dev)
{
    if (b->in_heap[dev])
        return;
    b->in_heap[dev] = 1;
    uint32_t i = b->nheap++;
    b->heap[i] = dev;
    while (i) {
        uint32_t p = (i - 1) / 2;
        if (b->tr->rank[b->heap[p]] <= b->tr->rank[b->heap[i]])
            break;
        uint32_t x = b->heap[p];
        b->heap[p] = b->heap[i];
        b->heap[i] = x;
        i = p;
    }
}

static uint32_t heap_pop(boot_sim *b)
{
    uint32_t top = b->heap[0];
    b->heap[0] = b->heap[--b->nheap];
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, s = i;
        if (l < b->nheap && b->tr->rank[b->heap[l]] < b->tr->rank[b->heap[s]])
            s = l;
        if (r < b->nheap && b->tr->rank[b->heap[r]] < b->tr->rank[b->heap[s]])
            s = r;
        if (s == i)
            break;
        uint32_t x = b->heap[s];
        b->heap[s] = b->heap[i];
        b->heap[i] = x;
        i = s;
    }
    b->in_heap[top] = 0;
    return top;
}

static void wake_list(boot_sim *b, uint32_t *head)
{
    for (uint32_t d = *head; d != BL_NONE;) {
        uint32_t next = b->wnext[d];
        b->wnext[d] = BL_NONE;
        heap_push(b, d);
        d = next;
    }
    *head = BL_NONE;
}

static bool loaded_in_boot(const boot_sim *b, uint32_t svc)
{
    const bl_service_state *st = &b->t->services[svc];
    return st->load != BL_NONE && st->phase == BL_PHASE_BOOT;
}

/* The slot index after which filter svc may be pulled forward (the loop
 * must have taken that turn), BL_NONE for "at the first table turn". */
static uint32_t pull_threshold(const boot_sim *b, uint32_t svc)
{
    if (b->t->pull_rule == BL_PULL_AT_ONCE)
        return BL_NONE;
    uint32_t k = b->slot_of[svc];
    return b->bucket_end_before[b->slots[k].bucket];
}

static bool pull_allowed(const boot_sim *b, uint32_t svc)
{
    /* IopGroupTable exists only once the core lists are done. */
    if (b->cur == BL_NONE || b->cur < b->table_from)
        return false;
    uint32_t thr = pull_threshold(b, svc);
    return thr == BL_NONE || b->cur >= thr;
}

static void wake_initialized(boot_sim *b, uint32_t svc)
{
    wake_list(b, &b->svc_head[svc]);
}

/* PnP calls a boot filter's DriverEntry for device dev.  It is "pulled
 * forward" when a driver before it in the initialization order has not
 * initialized yet; when every one has (the loop is at the filter's own
 * group and nothing before it waits), PnP's call lands on its own turn and
 * changes nothing.  b->waiting only grows: linear over the boot phase. */
static void pull(boot_sim *b, uint32_t svc, uint32_t dev)
{
    bl_timeline *t = b->t;
    uint32_t k = b->slot_of[svc];
    if (b->waiting <= b->cur)
        b->waiting = b->cur + 1;
    while (b->waiting < b->n && loaded_in_boot(b, b->slots[b->waiting].svc))
        b->waiting++;
    bool ahead = b->waiting < k;
    uint32_t li =
        bl_sim_add_load(t, svc, BL_PHASE_BOOT, (uint8_t)(b->slots[k].why | (ahead ? BL_WHY_PULLED : 0)),
                        b->slots[k].tag_index, ahead ? dev : BL_NONE);
    t->loads[li].origin = b->slots[k].origin;
    if (ahead && t->devices[dev].pulled == BL_NONE)
        t->devices[dev].pulled = svc;
    wake_initialized(b, svc);
}

/* The slot a device would have started at if its filters had been there:
 * when its parent had started and its function driver initialized. */
static uint32_t ready_slot(const bl_timeline *t, uint32_t dev)
{
    const bl_device_start *ds = &t->devices[dev];
    uint32_t parent = t->model->devices[dev].parent;
    uint32_t slot = parent != BL_NONE ? t->devices[parent].slot : 0;
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &t->stack[ds->stack_first + k];
        uint32_t p = e->role == BL_ROLE_FUNCTION ? bl_timeline_position(t, e->service) : 0;
        if (p > slot)
            slot = p;
    }
    return slot;
}

static void start_boot_device(boot_sim *b, uint32_t dev)
{
    bl_timeline *t = b->t;
    bl_device_start *ds = &t->devices[dev];
    ds->phase = BL_PHASE_BOOT;
    ds->slot = t->nloads;
    ds->ready_slot = ready_slot(t, dev);
    if (ds->ready_slot > ds->slot)
        ds->ready_slot = ds->slot;
    /* What it waited for last. */
    uint32_t last = 0;
    ds->waits_for = BL_NONE;
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        uint32_t svc = t->stack[ds->stack_first + k].service;
        uint32_t p = bl_timeline_position(t, svc);
        if (p > last) {
            last = p;
            ds->waits_for = svc;
        }
    }
    uint32_t parent = t->model->devices[dev].parent;
    if (parent != BL_NONE && t->devices[parent].slot > last)
        ds->waits_for = BL_NONE;
    ds->deferred_by = ds->slot > ds->ready_slot ? b->waited[dev] : BL_NONE;
    for (uint32_t c = b->tr->kids_first[dev]; c < b->tr->kids_first[dev + 1]; c++)
        heap_push(b, b->tr->kids[c]);
}

/* The function driver of dev is a boot driver that may still initialize. */
static bool function_is_boot(const boot_sim *b, uint32_t dev)
{
    const bl_device_start *ds = &b->t->devices[dev];
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &b->t->stack[ds->stack_first + k];
        if (e->role == BL_ROLE_FUNCTION)
            return b->slot_of[e->service] != BL_NONE;
    }
    return true; /* no function driver: a raw device, nothing else to wait for */
}

/* Re-examines one device during a boot re-enumeration: walks its stack from
 * where it stopped, as PipCallDriverAddDevice does (lower filters, the
 * function driver, upper filters; the first stage that cannot be satisfied
 * stops the walk and the device is retried later). */
static void examine(boot_sim *b, uint32_t dev)
{
    bl_timeline *t = b->t;
    bl_device_start *ds = &t->devices[dev];
    if (ds->phase != BL_PHASE_DEMAND || ds->block != BL_BLOCK_NONE || is_legacy_devnode(t->model, &t->model->devices[dev]))
        return; /* started, blocked, known to wait for the PnP pass, or no devnode to start */
    uint32_t parent = t->model->devices[dev].parent;
    if (parent != BL_NONE && t->devices[parent].phase != BL_PHASE_BOOT)
        return; /* examined again when the parent starts */
    for (uint32_t k = b->stage[dev]; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &t->stack[ds->stack_first + k];
        uint32_t svc = e->service;
        b->stage[dev] = k;
        if (loaded_in_boot(b, svc))
            continue;
        uint32_t slot = b->slot_of[svc];
        bool boot = slot != BL_NONE;
        if (e->role == BL_ROLE_FUNCTION) {
            /* Never pulled: the device waits for the driver's own turn. */
            if (boot && !b->processed[svc]) {
                b->wnext[dev] = b->svc_head[svc];
                b->svc_head[svc] = dev;
            } else {
                ds->phase = BL_PHASE_PNP;
            }
            return;
        }
        if (!boot || b->processed[svc]) {
            /* A filter that is no boot driver (or was skipped): no stack in
             * the boot phase at all. */
            ds->phase = BL_PHASE_PNP;
            if (function_is_boot(b, dev))
                ds->deferred_by = svc;
            return;
        }
        if (b->slots[slot].origin != BL_LIST_GROUP) {
            /* A core-list driver is not in IopGroupTable: it initializes at
             * its own (early) turn. */
            b->wnext[dev] = b->svc_head[svc];
            b->svc_head[svc] = dev;
            return;
        }
        if (pull_allowed(b, svc)) {
            pull(b, svc, dev);
            continue;
        }
        uint32_t thr = pull_threshold(b, svc);
        if (thr == BL_NONE || thr < b->table_from)
            thr = b->table_from;
        if (thr >= b->n) { /* no IopGroupTable turn left to wait for */
            ds->phase = BL_PHASE_PNP;
            return;
        }
        b->wnext[dev] = b->thr_head[thr];
        b->thr_head[thr] = dev;
        b->waited[dev] = svc;
        return;
    }
    b->stage[dev] = ds->stack_count;
    start_boot_device(b, dev);
}

/* One ReenumerateBootDevices: examine every woken device, parents first. */
static void reenumerate(boot_sim *b)
{
    if (b->cur != BL_NONE)
        while (b->thr_done <= b->cur && b->thr_done < b->n)
            wake_list(b, &b->thr_head[b->thr_done++]);
    while (b->nheap)
        examine(b, heap_pop(b));
}

static void boot_phase(bl_timeline *t, const tree *tr, group_tree *groups, bl_str boot_fs, uint8_t *boot)
{
    const bl_model *m = t->model;
    uint32_t ns = m->nservices ? m->nservices : 1, nd = m->ndevices ? m->ndevices : 1;
    uint32_t *cands = bl_xmalloc(ns * sizeof *cands);
    uint8_t *why = bl_xcalloc(ns, 1);
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        if (!bl_service_is_driver(s)) {
            if (s->start == BL_START_BOOT || s->start == BL_START_SYSTEM) {
                t->services[i].phase = BL_PHASE_NEVER;
                t->services[i].block = BL_BLOCK_NOT_DRIVER;
            }
            continue;
        }
        if (bl_sim_is_boot_driver(m, i, t->boot_flags, boot_fs, &why[i])) {
            cands[n++] = i;
            boot[i] = 1;
        }
    }
    bl_sim_groups g;
    bl_sim_groups_init(&g, m);
    uint32_t *list = bl_xmalloc((n ? n : 1) * sizeof *list);
    bl_sim_loader_list(m, &g, cands, n, m->modern_loader, list, &t->approx);
    boot_sim b = {0};
    b.t = t;
    b.m = m;
    b.tr = tr;
    b.groups = groups;
    b.slots = bl_xmalloc((n ? n : 1) * sizeof *b.slots);
    b.n = bl_sim_init_order(m, &g, list, n, b.slots);
    for (uint32_t k = 0; k < b.n; k++) {
        b.slots[k].why = why[b.slots[k].svc];
        b.slots[k].tag_index = bl_sim_tag_index(&g, m, &m->services[b.slots[k].svc]);
    }
    b.slot_of = bl_xmalloc(ns * sizeof *b.slot_of);
    for (uint32_t i = 0; i < m->nservices; i++)
        b.slot_of[i] = BL_NONE;
    for (uint32_t k = 0; k < b.n; k++)
        b.slot_of[b.slots[k].svc] = k;
    b.processed = bl_xcalloc(ns, 1);
    b.cur = BL_NONE;
    b.table_from = 0;
    while (b.table_from < b.n && b.slots[b.table_from].origin != BL_LIST_GROUP)
        b.table_from++;
    /* bucket_end_before[x]: the last table slot whose bucket is below x. */
    b.bucket_end_before = bl_xmalloc((g.ngroups + 2) * sizeof *b.bucket_end_before);
    for (uint32_t x = 0, k = b.table_from; x <= g.ngroups + 1; x++) {
        while (k < b.n && b.slots[k].bucket < x)
            k++;
        b.bucket_end_before[x] = k > b.table_from ? k - 1 : BL_NONE;
    }
    b.stage = bl_xcalloc(nd, sizeof *b.stage);
    b.wnext = bl_xmalloc(nd * sizeof *b.wnext);
    b.waited = bl_xmalloc(nd * sizeof *b.waited);
    for (uint32_t d = 0; d < nd; d++)
        b.wnext[d] = b.waited[d] = BL_NONE;
    b.svc_head = bl_xmalloc(ns * sizeof *b.svc_head);
    for (uint32_t i = 0; i < ns; i++)
        b.svc_head[i] = BL_NONE;
    b.thr_head = bl_xmalloc((b.n ? b.n : 1) * sizeof *b.thr_head);
    for (uint32_t k = 0; k < b.n; k++)
        b.thr_head[k] = BL_NONE;
    b.heap = bl_xmalloc(nd * sizeof *b.heap);
    b.in_heap = bl_xcalloc(nd, 1);

    /* Before any driver: devices whose stacks need nothing (the root). */
    for (uint32_t d = 0; d < m->ndevices; d++)
        if (m->devices[d].parent == BL_NONE)
            heap_push(&b, d);
    reenumerate(&b);

    for (uint32_t k = 0; k < b.n; k++) {
        uint32_t svc = b.slots[k].svc;
        b.cur = k;
        b.processed[svc] = 1;
        t->services[svc].turn = k + 1;
        bool table = b.slots[k].origin == BL_LIST_GROUP;
        /* PipCheckDependencies, in the IopGroupTable loop only. */
        bl_str failed = table ? turn_and_check(m, groups, svc) : 0;
        if (failed) {
            t->services[svc].skipped_for_group = failed;
            if (!loaded_in_boot(&b, svc)) {
                t->services[svc].phase = BL_PHASE_NEVER;
                t->services[svc].block = BL_BLOCK_GROUP_DEPENDENCY;
            }
            continue; /* no re-enumeration after a driver that did not load */
        }
        if (!loaded_in_boot(&b, svc)) {
            uint32_t li = bl_sim_add_load(t, svc, BL_PHASE_BOOT, b.slots[k].why, b.slots[k].tag_index, BL_NONE);
            t->loads[li].origin = b.slots[k].origin;
            wake_initialized(&b, svc);
        }
        if (table)
            count_loaded(m, groups, svc);
        if (b.slots[k].origin == BL_LIST_ELAM)
            continue; /* ELAM drivers get no AddDevice pass of their own */
        reenumerate(&b);
    }
    /* Whatever still waits starts (if at all) after the boot phase. */
    for (uint32_t d = 0; d < m->ndevices; d++) {
        bl_device_start *ds = &t->devices[d];
        if (ds->phase == BL_PHASE_DEMAND && ds->block == BL_BLOCK_NONE && !is_legacy_devnode(m, &m->devices[d]))
            ds->phase = BL_PHASE_PNP;
    }
    free(b.slots);
    free(b.slot_of);
    free(b.processed);
    free(b.bucket_end_before);
    free(b.stage);
    free(b.wnext);
    free(b.waited);
    free(b.svc_head);
    free(b.thr_head);
    free(b.heap);
    free(b.in_heap);
    free(list);
    free(cands);
    free(why);
    bl_sim_groups_free(&g);
}

/* ---- after the boot phase --------------------------------------------- */

/* The PnP pass (StartSystemDevices): devices that did not start in the
 * boot phase, parents first; each loads the drivers its stack still needs
 * (whatever their Start but disabled) and starts. */
static void pnp_pass(bl_timeline *t, const tree *tr)
{
    const bl_model *m = t->model;
    t->pnp_from = t->nloads;
    for (uint32_t k = 0; k < m->ndevices; k++) {
        uint32_t dev = tr->order[k];
        bl_device_start *ds = &t->devices[dev];
        if (ds->phase != BL_PHASE_PNP)
            continue;
        uint32_t parent = m->devices[dev].parent;
        if (parent != BL_NONE && t->devices[parent].phase != BL_PHASE_BOOT &&
            t->devices[parent].phase != BL_PHASE_PNP) {
            ds->phase = BL_PHASE_NEVER;
            ds->block = BL_BLOCK_PARENT;
            ds->blocked_by = parent;
            continue;
        }
        uint32_t last = t->pnp_from, waits = BL_NONE;
        for (uint32_t i = 0; i < ds->stack_count; i++) {
            uint32_t svc = t->stack[ds->stack_first + i].service;
            if (t->services[svc].load == BL_NONE)
                bl_sim_add_load(t, svc, BL_PHASE_PNP, BL_WHY_DEVICE, BL_TAG_NONE, dev);
            uint32_t p = bl_timeline_position(t, svc);
            if (p > last) {
                last = p;
                waits = svc;
            }
        }
        uint32_t parent_slot = parent != BL_NONE ? t->devices[parent].slot : 0;
        ds->slot = last > parent_slot ? last : parent_slot;
        ds->waits_for = last >= parent_slot ? waits : BL_NONE;
    }
}

/* IopInitializeSystemDrivers' list: Start=1 drivers not loaded yet, in the
 * loader's sort, each after PipCheckDependencies (the boot phase's group
 * tree carries over). */
static void system_list(bl_timeline *t, group_tree *groups)
{
    const bl_model *m = t->model;
    uint32_t *cands = bl_xmalloc((m->nservices ? m->nservices : 1) * sizeof *cands);
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        if (s->start == BL_START_SYSTEM && bl_service_is_driver(s) && t->services[i].load == BL_NONE &&
            t->services[i].block != BL_BLOCK_GROUP_DEPENDENCY)
            cands[n++] = i;
    }
    bl_sim_groups g;
    bl_sim_groups_init(&g, m);
    uint32_t *list = bl_xmalloc((n ? n : 1) * sizeof *list);
    bl_sim_loader_list(m, &g, cands, n, false, list, &t->approx);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t svc = list[k];
        bl_str failed = turn_and_check(m, groups, svc);
        if (failed) {
            t->services[svc].skipped_for_group = failed;
            t->services[svc].phase = BL_PHASE_NEVER;
            t->services[svc].block = BL_BLOCK_GROUP_DEPENDENCY;
            continue;
        }
        bl_sim_add_load(t, svc, BL_PHASE_SYSTEM, BL_WHY_START, bl_sim_tag_index(&g, m, &m->services[svc]), BL_NONE);
        count_loaded(m, groups, svc);
    }
    free(list);
    free(cands);
    bl_sim_groups_free(&g);
}

/* ---- boot scenarios ---------------------------------------------------- */

static const struct {
    const char *name;
    uint32_t bit;
} scenarios[] = {
    {"network", 0x1}, {"iscsi", 0x1}, {"vhd", 0x2},      {"usb", 0x4},     {"sd", 0x8},
    {"usb3", 0x10},   {"measured", 0x20}, {"verifier", 0x40}, {"winpe", 0x80},
};

bool bl_boot_scenario_parse(const char *s, uint32_t *flags)
{
    uint32_t f = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",+", &save); tok; tok = strtok_r(NULL, ",+", &save)) {
        char *end;
        unsigned long v = strtoul(tok, &end, 0);
        if (!*end && end != tok) {
            f |= (uint32_t)v;
            continue;
        }
        if (bl_fold_eq(tok, "none"))
            continue;
        bool found = false;
        for (size_t i = 0; i < BL_ARRAY_LEN(scenarios); i++)
            if (bl_fold_eq(tok, scenarios[i].name)) {
                f |= scenarios[i].bit;
                found = true;
            }
        if (!found)
            return false;
    }
    *flags = f;
    return true;
}

void bl_boot_scenario_names(uint32_t flags, bl_sb *sb)
{
    if (!flags) {
        bl_sb_add(sb, "none");
        return;
    }
    bool first = true;
    for (size_t i = 0; i < BL_ARRAY_LEN(scenarios); i++) {
        if (!(flags & scenarios[i].bit) || bl_fold_eq(scenarios[i].name, "iscsi"))
            continue;
        bl_sb_addf(sb, "%s%s", first ? "" : "+", scenarios[i].name);
        first = false;
        flags &= ~scenarios[i].bit;
    }
    if (flags)
        bl_sb_addf(sb, "%s0x%x", first ? "" : "+", flags);
}

/* ---- the whole timeline ------------------------------------------------- */

bl_timeline *bl_simulate(const bl_model *m, const bl_sim_options *opt)
{
    bl_timeline *t = bl_xcalloc(1, sizeof *t);
    t->model = m;
    t->boot_flags = (opt && opt->has_boot_flags) ? opt->boot_flags
                    : m->has_boot_driver_flags   ? m->boot_driver_flags
                                                 : 0;
    t->windows = m->windows;
    t->pull_rule = m->windows == BL_WIN_NT5 ? BL_PULL_AT_ONCE : BL_PULL_AFTER_EARLIER_GROUPS;
    t->pnp_before_system = m->windows == BL_WIN_NT5;
    uint32_t ns = m->nservices ? m->nservices : 1;
    t->services = bl_xcalloc(ns, sizeof *t->services);
    for (uint32_t i = 0; i < m->nservices; i++) {
        t->services[i].load = BL_NONE;
        t->services[i].blocked_by = BL_NONE;
        int32_t st = m->services[i].start;
        t->services[i].phase = st == BL_START_DISABLED ? BL_PHASE_NEVER : BL_PHASE_DEMAND;
        if (st == BL_START_DISABLED)
            t->services[i].block = BL_BLOCK_DISABLED;
        else if (st == BL_START_UNKNOWN)
            t->services[i].block = BL_BLOCK_NO_START;
    }
    t->devices = bl_xcalloc(m->ndevices ? m->ndevices : 1, sizeof *t->devices);
    for (uint32_t i = 0; i < m->ndevices; i++) {
        bl_device_start *ds = &t->devices[i];
        ds->phase = BL_PHASE_DEMAND; /* not decided yet */
        ds->waits_for = ds->deferred_by = ds->blocked_by = ds->pulled = BL_NONE;
    }
    const char *fs = (opt && opt->boot_fs) ? opt->boot_fs : "Ntfs";
    bl_str boot_fs = bl_pool_find_folded(m->pool, fs);

    build_stacks(t);
    tree tr;
    tree_build(&tr, m);
    uint8_t *boot = bl_xcalloc(ns, 1);
    /* The loader's set, for mark_blocked: a boot driver loads whatever its Start. */
    for (uint32_t i = 0; i < m->nservices; i++)
        boot[i] = bl_service_is_driver(&m->services[i]) &&
                  bl_sim_is_boot_driver(m, i, t->boot_flags, boot_fs, NULL);
    mark_blocked(t, &tr, boot);
    group_tree groups = {0};
    boot_phase(t, &tr, &groups, boot_fs, boot);
    t->boot_count = t->nloads;
    if (t->pnp_before_system) {
        pnp_pass(t, &tr);
        system_list(t, &groups);
    } else {
        system_list(t, &groups);
        pnp_pass(t, &tr);
    }
    bl_sim_scm(t);
    bl_map_free(&groups.index);
    free(groups.loaded);
    free(boot);
    tree_free(&tr);
    return t;
}

void bl_timeline_free(bl_timeline *t)
{
    if (!t)
        return;
    free(t->loads);
    free(t->services);
    free(t->devices);
    free(t->stack);
    free(t->cycles);
    free(t);
}

const char *bl_phase_name(uint8_t phase)
{
    static const char *const names[] = {"boot", "pnp", "system", "auto", "delayed-auto", "demand", "never"};
    return phase < BL_ARRAY_LEN(names) ? names[phase] : "?";
}

const char *bl_role_name(uint8_t role)
{
    static const char *const names[] = {"lower-device-filter", "lower-class-filter", "function",
                                        "upper-device-filter", "upper-class-filter"};
    return role < BL_ARRAY_LEN(names) ? names[role] : "?";
}

const char *bl_list_origin_text(uint8_t origin)
{
    switch (origin) {
    case BL_LIST_CORE: return "winload's Core Driver Services list";
    case BL_LIST_ELAM: return "the Early-Launch (ELAM) group";
    case BL_LIST_CORE_EXTENSION: return "the core extensions (Core Platform / Core Security Extensions)";
    case BL_LIST_TPM_CORE: return "winload's TPM Core Driver Services list";
    case BL_LIST_GROUP: return "its group and tag";
    default: return "";
    }
}

const char *bl_block_text(uint8_t block)
{
    switch (block) {
    case BL_BLOCK_DISABLED: return "disabled (Start=4)";
    case BL_BLOCK_MISSING_SERVICE: return "a driver of its stack has no service key";
    case BL_BLOCK_NO_START: return "no valid Start value";
    case BL_BLOCK_PARENT: return "its parent device never starts";
    case BL_BLOCK_PARENT_RAW: return "its parent device has no function driver to enumerate it";
    case BL_BLOCK_DEVICE_DISABLED: return "the device is disabled (ConfigFlags)";
    case BL_BLOCK_DEPENDENCY: return "a dependency is missing, disabled or fails";
    case BL_BLOCK_CYCLE: return "circular service dependency";
    case BL_BLOCK_NOT_DRIVER: return "boot/system start on a service that is not a driver";
    case BL_BLOCK_GROUP_DEPENDENCY: return "the kernel skipped it: a DependOnGroup group was tried and none of it loaded";
    case BL_BLOCK_GROUP_ORDER: return "it depends on its own load-order group, or a later one, that has not started (circular)";
    default: return "";
    }
}

const char *bl_start_name(int32_t start)
{
    switch (start) {
    case BL_START_BOOT: return "boot";
    case BL_START_SYSTEM: return "system";
    case BL_START_AUTO: return "auto";
    case BL_START_DEMAND: return "demand";
    case BL_START_DISABLED: return "disabled";
    default: return "unknown";
    }
}

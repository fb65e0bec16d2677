/* timeline.c — the boot timeline: boot drivers in loader order, the slot at
 * which each device starts, the PnP phase for devices that could not start
 * early, system-start drivers, then the SCM (scm.c).  See sim.h for the
 * phases and doc/boot-model.md for every rule and tie-break. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIGFLAG_DISABLED 0x1


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
    l->position = i + 1;
    l->group_rank = bl_model_group_rank(m, m->services[svc].group);
    l->tag_index = tag_index;
    l->for_device = for_device;
    t->services[svc].load = i;
    t->services[svc].phase = phase;
    return i;
}

uint32_t bl_timeline_position(const bl_timeline *t, uint32_t svc)
{
    if (svc == BL_NONE || svc >= t->model->nservices)
        return 0;
    uint32_t l = t->services[svc].load;
    return l == BL_NONE ? 0 : t->loads[l].position;
}

/* Loads the drivers of one start type (boot or system) in loader order. */
static void load_start_type(bl_timeline *t, int start, uint8_t phase, bl_str boot_fs)
{
    const bl_model *m = t->model;
    uint32_t *cands = bl_xmalloc((m->nservices ? m->nservices : 1) * sizeof *cands);
    uint8_t *why = bl_xcalloc(m->nservices ? m->nservices : 1, 1);
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        if (t->services[i].load != BL_NONE)
            continue;
        if (!bl_service_is_driver(s)) {
            if (s->start == BL_START_BOOT || s->start == BL_START_SYSTEM) {
                t->services[i].phase = BL_PHASE_NEVER;
                t->services[i].block = BL_BLOCK_NOT_DRIVER;
            }
            continue;
        }
        if (start == BL_START_BOOT) {
            if (s->start == BL_START_BOOT)
                why[i] = BL_WHY_START;
            else if (boot_fs && s->key == boot_fs && s->start != BL_START_DISABLED)
                why[i] = BL_WHY_BOOT_FS;
            else if (s->has_boot_flags && (s->boot_flags & t->boot_flags) &&
                     s->start >= BL_START_SYSTEM && s->start <= BL_START_DEMAND)
                why[i] = BL_WHY_BOOTFLAGS;
        } else if (s->start == start) {
            why[i] = BL_WHY_START;
        }
        if (why[i])
            cands[n++] = i;
    }
    uint32_t *order = bl_xmalloc((n ? n : 1) * sizeof *order);
    uint32_t *tags = bl_xmalloc((n ? n : 1) * sizeof *tags);
    bl_sim_order_services(m, cands, n, start == BL_START_BOOT, order, tags);
    for (uint32_t k = 0; k < n; k++)
        bl_sim_add_load(t, order[k], phase, why[order[k]], tags[k], BL_NONE);
    free(order);
    free(tags);
    free(cands);
    free(why);
}

static void push_stack(bl_timeline *t, bl_vec names, uint8_t role)
{
    const bl_model *m = t->model;
    uint32_t n = bl_pool_vec_len(m->pool, names);
    const uint32_t *it = bl_pool_vec_items(m->pool, names);
    for (uint32_t i = 0; i < n; i++) {
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
    for (uint32_t i = 0; i < m->ndevices; i++) {
        const bl_device *d = &m->devices[i];
        bl_device_start *ds = &t->devices[i];
        ds->stack_first = t->nstack;
        uint32_t cls = d->class_guid ? bl_model_find_class_id(m, d->class_guid) : BL_NONE;
        const bl_class *c = cls != BL_NONE ? &m->classes[cls] : NULL;
        push_stack(t, d->lower, BL_ROLE_LOWER_DEVICE);
        if (c)
            push_stack(t, c->lower, BL_ROLE_LOWER_CLASS);
        /* "\Driver\ACPI_HAL" and the like name a driver object the kernel
         * creates itself: nothing to load. */
        if (d->service && !bl_fold_has_prefix(bl_model_str(m, d->service), "\\Driver\\")) {
            bl_grow((void **)&t->stack, sizeof *t->stack, &t->capstack, t->nstack + 1);
            bl_stack_entry *e = &t->stack[t->nstack++];
            e->name = d->service;
            e->service = bl_model_find_service_id(m, d->service);
            e->role = BL_ROLE_FUNCTION;
        }
        push_stack(t, d->upper, BL_ROLE_UPPER_DEVICE);
        if (c)
            push_stack(t, c->upper, BL_ROLE_UPPER_CLASS);
        ds->stack_count = t->nstack - ds->stack_first;
    }
}

/* Devices ordered parents first (by depth, then model order): the order in
 * which the PnP manager can reach them. */
static uint32_t *devices_by_depth(const bl_model *m)
{
    uint32_t n = m->ndevices;
    uint32_t *depth = bl_xcalloc(n ? n : 1, sizeof *depth);
    uint32_t maxd = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d = 0;
        for (uint32_t p = m->devices[i].parent; p != BL_NONE && d <= n; p = m->devices[p].parent)
            d++;
        depth[i] = d;
        if (d > maxd)
            maxd = d;
    }
    uint32_t *order = bl_xmalloc((n ? n : 1) * sizeof *order);
    uint32_t k = 0;
    for (uint32_t d = 0; d <= maxd && k < n; d++)
        for (uint32_t i = 0; i < n; i++)
            if (depth[i] == d)
                order[k++] = i;
    free(depth);
    return order;
}

/* Fixes the devices that can never start: disabled, missing or disabled
 * stack driver, a parent that never starts or has no function driver
 * (checked in depth order). */
static bool device_blocked(bl_timeline *t, uint32_t dev)
{
    const bl_model *m = t->model;
    const bl_device *d = &m->devices[dev];
    bl_device_start *ds = &t->devices[dev];
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
        for (uint32_t k = 0; k < ds->stack_count; k++) {
            const bl_stack_entry *e = &t->stack[ds->stack_first + k];
            if (e->service == BL_NONE) {
                ds->block = BL_BLOCK_MISSING_SERVICE;
                ds->blocked_by = BL_NONE;
                break;
            }
            int32_t st = m->services[e->service].start;
            if (st == BL_START_DISABLED) {
                ds->block = BL_BLOCK_DISABLED;
                ds->blocked_by = e->service;
                break;
            }
            if (st == BL_START_UNKNOWN && t->services[e->service].load == BL_NONE) {
                ds->block = BL_BLOCK_NO_START;
                ds->blocked_by = e->service;
                break;
            }
        }
    }
    if (ds->block != BL_BLOCK_NONE) {
        ds->phase = BL_PHASE_NEVER;
        return true;
    }
    return false;
}

/* Sets slot/waits_for/deferred_by of a device whose stack is all loaded.
 * The device waits for its parent and every stack driver; a filter defers
 * it when that filter is the last thing it waits for and initializes after
 * the function driver (even if the parent waits for the same filter). */
static void device_started(bl_timeline *t, uint32_t dev, uint8_t phase)
{
    const bl_model *m = t->model;
    bl_device_start *ds = &t->devices[dev];
    uint32_t parent = m->devices[dev].parent;
    uint32_t parent_slot = parent != BL_NONE ? t->devices[parent].slot : 0;
    uint32_t last = 0, waits = BL_NONE, function_pos = 0;
    uint8_t waits_role = 0;
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &t->stack[ds->stack_first + k];
        uint32_t pos = bl_timeline_position(t, e->service);
        if (e->role == BL_ROLE_FUNCTION)
            function_pos = pos;
        if (pos > last) {
            last = pos;
            waits = e->service;
            waits_role = e->role;
        }
    }
    ds->phase = phase;
    ds->slot = last > parent_slot ? last : parent_slot;
    ds->waits_for = last >= parent_slot ? waits : BL_NONE;
    if (waits != BL_NONE && waits_role != BL_ROLE_FUNCTION && last > function_pos &&
        last >= parent_slot && phase == BL_PHASE_BOOT)
        ds->deferred_by = waits;
}

static void start_devices(bl_timeline *t)
{
    const bl_model *m = t->model;
    uint32_t *order = devices_by_depth(m);
    /* Boot phase: stack all boot-loaded and parent started in the boot phase. */
    for (uint32_t k = 0; k < m->ndevices; k++) {
        uint32_t dev = order[k];
        bl_device_start *ds = &t->devices[dev];
        if (is_legacy_devnode(m, &m->devices[dev])) {
            ds->phase = BL_PHASE_DEMAND;
            continue;
        }
        if (device_blocked(t, dev))
            continue;
        uint32_t parent = m->devices[dev].parent;
        bool parent_boot = parent == BL_NONE || t->devices[parent].phase == BL_PHASE_BOOT;
        uint32_t late = BL_NONE;
        bool function_boot = true;
        for (uint32_t i = 0; i < ds->stack_count; i++) {
            const bl_stack_entry *e = &t->stack[ds->stack_first + i];
            bool boot = t->services[e->service].phase == BL_PHASE_BOOT &&
                        t->services[e->service].load != BL_NONE;
            if (!boot) {
                if (e->role == BL_ROLE_FUNCTION)
                    function_boot = false;
                else if (late == BL_NONE)
                    late = e->service;
            }
        }
        if (parent_boot && function_boot && late == BL_NONE) {
            device_started(t, dev, BL_PHASE_BOOT);
        } else {
            ds->phase = BL_PHASE_PNP; /* decided below */
            /* The filter alone keeps a boot device out of the boot phase. */
            if (parent_boot && function_boot && late != BL_NONE)
                ds->deferred_by = late;
        }
    }
    /* PnP phase: parents first; load what each stack still needs. */
    for (uint32_t k = 0; k < m->ndevices; k++) {
        uint32_t dev = order[k];
        bl_device_start *ds = &t->devices[dev];
        if (ds->phase != BL_PHASE_PNP)
            continue;
        uint32_t parent = m->devices[dev].parent;
        if (parent != BL_NONE && t->devices[parent].phase == BL_PHASE_NEVER) {
            ds->phase = BL_PHASE_NEVER;
            ds->block = BL_BLOCK_PARENT;
            ds->blocked_by = parent;
            continue;
        }
        for (uint32_t i = 0; i < ds->stack_count; i++) {
            uint32_t svc = t->stack[ds->stack_first + i].service;
            if (t->services[svc].load == BL_NONE)
                bl_sim_add_load(t, svc, BL_PHASE_PNP, BL_WHY_DEVICE, BL_TAG_NONE, dev);
        }
        uint32_t keep = ds->deferred_by;
        device_started(t, dev, BL_PHASE_PNP);
        ds->deferred_by = keep;
    }
    free(order);
}

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

bl_timeline *bl_simulate(const bl_model *m, const bl_sim_options *opt)
{
    bl_timeline *t = bl_xcalloc(1, sizeof *t);
    t->model = m;
    t->boot_flags = (opt && opt->has_boot_flags) ? opt->boot_flags
                    : m->has_boot_driver_flags   ? m->boot_driver_flags
                                                 : 0;
    t->services = bl_xcalloc(m->nservices ? m->nservices : 1, sizeof *t->services);
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
        t->devices[i].waits_for = t->devices[i].deferred_by = BL_NONE;
        t->devices[i].blocked_by = BL_NONE;
    }
    const char *fs = (opt && opt->boot_fs) ? opt->boot_fs : "Ntfs";
    bl_str boot_fs = bl_pool_find_folded(m->pool, fs);

    load_start_type(t, BL_START_BOOT, BL_PHASE_BOOT, boot_fs);
    t->boot_count = t->nloads;
    build_stacks(t);
    start_devices(t);
    load_start_type(t, BL_START_SYSTEM, BL_PHASE_SYSTEM, 0);
    bl_sim_scm(t);
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

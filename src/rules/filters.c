/* filters.c — rules about class and device filters: a filter that holds
 * devices back (and what that breaks), filters naming missing or disabled
 * services, and non-boot filters on devices the boot phase needs.  Each rule
 * also proposes candidate fixes; fix.c re-simulates them. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Where a filter entry lives: a class list or a device's own list. */
typedef struct filter_site {
    uint32_t filter;  /* service index, BL_NONE when missing */
    bl_str name;      /* as written in the list */
    uint32_t cls;     /* class index for class filters, BL_NONE for device filters */
    uint32_t dev;     /* the device for device filters */
    bool upper;
} filter_site;

/* The stack entry of `svc` in device dev: its role, or 255 if absent. */
static uint8_t role_in_stack(const rule_ctx *c, uint32_t dev, uint32_t svc)
{
    const bl_device_start *ds = &c->t->devices[dev];
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &c->t->stack[ds->stack_first + k];
        if (e->service == svc && e->role != BL_ROLE_FUNCTION)
            return e->role;
    }
    return 255;
}

static bool role_is_class(uint8_t role)
{
    return role == BL_ROLE_LOWER_CLASS || role == BL_ROLE_UPPER_CLASS;
}

static bool role_is_upper(uint8_t role)
{
    return role == BL_ROLE_UPPER_CLASS || role == BL_ROLE_UPPER_DEVICE;
}

static const char *role_words(uint8_t role)
{
    switch (role) {
    case BL_ROLE_LOWER_DEVICE: return "lower device filter";
    case BL_ROLE_LOWER_CLASS: return "lower class filter";
    case BL_ROLE_UPPER_DEVICE: return "upper device filter";
    case BL_ROLE_UPPER_CLASS: return "upper class filter";
    default: return "filter";
    }
}

static uint32_t device_class(const rule_ctx *c, uint32_t dev)
{
    const bl_device *d = &c->m->devices[dev];
    return d->class_guid ? bl_model_find_class_id(c->m, d->class_guid) : BL_NONE;
}

static const char *class_label(const rule_ctx *c, uint32_t cls)
{
    if (cls == BL_NONE)
        return "unknown";
    const bl_class *k = &c->m->classes[cls];
    return k->name ? bl_model_str(c->m, k->name) : bl_model_str(c->m, k->guid);
}

static uint32_t function_of(const rule_ctx *c, uint32_t dev)
{
    const bl_device *d = &c->m->devices[dev];
    return d->service ? bl_model_find_service_id(c->m, d->service) : BL_NONE;
}

/* Slot a device would start at without filter svc: its other stack drivers
 * and its parent (itself without svc, since a class filter often holds the
 * parent back too). */
static uint32_t slot_without_depth(const rule_ctx *c, uint32_t dev, uint32_t svc, uint32_t depth)
{
    const bl_device_start *ds = &c->t->devices[dev];
    uint32_t parent = c->m->devices[dev].parent;
    uint32_t slot = 0;
    if (parent != BL_NONE)
        slot = depth < 64 ? slot_without_depth(c, parent, svc, depth + 1) : c->t->devices[parent].slot;
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &c->t->stack[ds->stack_first + k];
        if (e->service == svc)
            continue;
        uint32_t pos = bl_timeline_position(c->t, e->service);
        if (pos > slot)
            slot = pos;
    }
    return slot;
}

static uint32_t slot_without(const rule_ctx *c, uint32_t dev, uint32_t svc)
{
    return slot_without_depth(c, dev, svc, 0);
}

/* ---- changes used by fixes ---- */

static bl_change *changes_new(uint32_t n)
{
    return bl_xcalloc(n ? n : 1, sizeof(bl_change));
}

/* A filter list without `name`, as a change on the class or device key. */
static void change_remove_from_list(const rule_ctx *c, bl_change *ch, const filter_site *site)
{
    const bl_model *m = c->m;
    bl_vec list = site->cls != BL_NONE
                      ? (site->upper ? m->classes[site->cls].upper : m->classes[site->cls].lower)
                      : (site->upper ? m->devices[site->dev].upper : m->devices[site->dev].lower);
    bl_sb key = {0};
    if (site->cls != BL_NONE)
        bl_sb_addf(&key, "Control\\Class\\%s", bl_model_str(m, m->classes[site->cls].guid));
    else
        bl_sb_addf(&key, "Enum\\%s", bl_model_str(m, m->devices[site->dev].instance_id));
    bl_change_list_without(ch, bl_sb_str(&key), site->upper ? "UpperFilters" : "LowerFilters", m, list,
                           bl_model_str(m, site->name));
    bl_sb_free(&key);
}

static void site_text(const rule_ctx *c, const filter_site *site, bl_sb *sb)
{
    if (site->cls != BL_NONE)
        bl_sb_addf(sb, "the %s class %s", class_label(c, site->cls),
                   site->upper ? "UpperFilters" : "LowerFilters");
    else
        bl_sb_addf(sb, "%s's %s", dev_id(c, site->dev), site->upper ? "UpperFilters" : "LowerFilters");
}

static void propose_remove(const rule_ctx *c, bl_finding *f, const filter_site *site)
{
    bl_change *ch = changes_new(1);
    change_remove_from_list(c, ch, site);
    bl_sb s = {0};
    bl_sb_addf(&s, "Remove \"%s\" from ", bl_model_str(c->m, site->name));
    site_text(c, site, &s);
    propose_fix(f, bl_sb_str(&s), ch, 1);
    bl_sb_free(&s);
}

/* Proposes moving filter svc into the groups that load just before
 * `before_rank` (up to `limit`, nearest first), untagged, optionally boot
 * start.  A group already proposed for this finding is skipped. */
static void propose_earlier_groups(const rule_ctx *c, bl_finding *f, uint32_t svc, uint32_t before_rank,
                                   bool set_boot, uint32_t limit)
{
    const bl_model *m = c->m;
    if (before_rank == BL_NONE)
        before_rank = bl_pool_vec_len(m->pool, m->group_order);
    const uint32_t *groups = bl_pool_vec_items(m->pool, m->group_order);
    uint32_t tried = 0;
    for (uint32_t g = before_rank; g-- > 0 && tried < limit;) {
        /* A group listed earlier already holds this rank. */
        if (bl_model_group_rank(m, groups[g]) != g)
            continue;
        /* Its own group, or one proposed already. */
        if (m->services[svc].group && bl_pool_fold(m->pool, m->services[svc].group) == bl_pool_fold(m->pool, groups[g]))
            continue;
        bool dup = false;
        for (uint32_t k = 0; k < f->nfixes && !dup; k++)
            for (uint32_t j = 0; j < f->fixes[k].nchanges && !dup; j++) {
                const bl_change *x = &f->fixes[k].changes[j];
                dup = x->value && bl_fold_eq(x->value, "Group") && x->type == BL_REG_SZ &&
                      !x->delete_value && strstr(f->fixes[k].summary, bl_model_str(m, groups[g])) != NULL;
            }
        if (dup)
            continue;
        tried++;
        uint32_t n = 1 + (m->services[svc].has_tag ? 1 : 0) + (set_boot ? 1 : 0);
        bl_change *ch = changes_new(n);
        bl_sb key = {0};
        bl_sb_addf(&key, "Services\\%s", svc_name(c, svc));
        uint32_t k = 0;
        if (set_boot)
            bl_change_set_dword(&ch[k++], bl_sb_str(&key), "Start", BL_START_BOOT);
        bl_change_set_sz(&ch[k++], bl_sb_str(&key), "Group", bl_model_str(m, groups[g]));
        if (m->services[svc].has_tag)
            bl_change_delete_value(&ch[k++], bl_sb_str(&key), "Tag");
        bl_sb s = {0};
        if (set_boot)
            bl_sb_addf(&s, "Make %s boot-start and move it to the load-order group \"%s\"",
                       svc_name(c, svc), bl_model_str(m, groups[g]));
        else
            bl_sb_addf(&s, "Move %s to the load-order group \"%s\"", svc_name(c, svc),
                       bl_model_str(m, groups[g]));
        if (m->services[svc].has_tag)
            bl_sb_add(&s, " (its Tag belonged to the old group: removed)");
        propose_fix(f, bl_sb_str(&s), ch, n);
        bl_sb_free(&s);
        bl_sb_free(&key);
    }
}

/* ---- filter-delays-device ---- */

typedef struct delay_group {
    uint32_t filter;
    uint32_t cls;      /* class of the devices; also the site for class filters */
    uint8_t role;
    uint32_t *devs;
    uint32_t ndevs, capdevs;
} delay_group;

static bool requirement_broken_by(const rule_ctx *c, const requirement *r, uint32_t p,
                                  const uint32_t *devs, uint32_t ndevs, uint32_t filter,
                                  uint32_t *which)
{
    /* Already satisfied before p: nothing breaks. */
    uint32_t ready = service_ready_slot(c, r->needs);
    if (ready != BL_NONE && ready < p)
        return false;
    for (uint32_t i = 0; i < ndevs; i++) {
        if (function_of(c, devs[i]) != r->needs)
            continue;
        if (slot_without(c, devs[i], filter) < p) {
            *which = devs[i];
            return true;
        }
    }
    return false;
}

/* A boot driver that initializes before a device it needs, because the
 * device is held back by a filter. */
typedef struct broken {
    uint32_t svc, dev, pos;
    requirement req;
} broken;

/* Boot drivers that need one of devs (held back by filter) and initialize
 * before it starts, though they would not without the filter. */
static uint32_t collect_broken(const rule_ctx *c, uint32_t filter, const uint32_t *devs, uint32_t ndevs,
                               broken **out)
{
    const bl_timeline *t = c->t;
    broken *br = NULL;
    uint32_t nbr = 0, capbr = 0;
    for (uint32_t i = 0; i < t->boot_count; i++) {
        uint32_t x = t->loads[i].service, p = t->loads[i].position;
        if (x == filter)
            continue;
        requirement *reqs;
        uint32_t nr = driver_requirements(c, x, &reqs);
        for (uint32_t r = 0; r < nr; r++) {
            uint32_t which;
            if (requirement_broken_by(c, &reqs[r], p, devs, ndevs, filter, &which)) {
                bl_grow((void **)&br, sizeof *br, &capbr, nbr + 1);
                br[nbr].svc = x;
                br[nbr].dev = which;
                br[nbr].pos = p;
                br[nbr].req = reqs[r];
                reqs[r].chain = reqs[r].source = NULL; /* moved */
                nbr++;
            }
        }
        requirements_free(reqs, nr);
    }
    *out = br;
    return nbr;
}

/* "vsepflt, x" and "vmci's device D, ..." for a message, at most three. */
static void broken_words(const rule_ctx *c, const broken *br, uint32_t nbr, bl_sb *who, bl_sb *needed)
{
    for (uint32_t i = 0; i < nbr && i < 3; i++) {
        bl_sb_addf(who, "%s%s", i ? ", " : "", svc_name(c, br[i].svc));
        bool seen = false;
        for (uint32_t k = 0; k < i && !seen; k++)
            seen = br[k].dev == br[i].dev;
        if (!seen)
            bl_sb_addf(needed, "%s%s's device %s", needed->len ? ", " : "",
                       svc_name(c, function_of(c, br[i].dev)), dev_id(c, br[i].dev));
    }
}

/* The services, details and evidence of each broken driver. */
static void broken_report(const rule_ctx *c, bl_finding *f, broken *br, uint32_t nbr)
{
    for (uint32_t i = 0; i < nbr; i++) {
        bl_finding_service(f, svc_name(c, br[i].svc));
        for (uint32_t v = 0; v < br[i].req.nvia; v++)
            bl_finding_service(f, svc_name(c, br[i].req.via[v]));
        uint32_t slot = c->t->devices[br[i].dev].slot;
        if (c->t->devices[br[i].dev].phase == BL_PHASE_BOOT)
            bl_finding_detail(f, "Breaks: %s initializes at slot %u, before %s starts (slot %u): %s [%s].",
                              svc_name(c, br[i].svc), br[i].pos, dev_id(c, br[i].dev), slot, br[i].req.chain,
                              br[i].req.source);
        else
            bl_finding_detail(f, "Breaks: %s initializes at slot %u in the boot phase; %s starts only after "
                                 "it: %s [%s].",
                              svc_name(c, br[i].svc), br[i].pos, dev_id(c, br[i].dev), br[i].req.chain,
                              br[i].req.source);
        ev_service(c, f, br[i].svc, "Start");
        ev_service(c, f, br[i].svc, "Group");
    }
}

static void broken_free(broken *br, uint32_t nbr)
{
    for (uint32_t i = 0; i < nbr; i++) {
        free(br[i].req.chain);
        free(br[i].req.source);
    }
    free(br);
}

void rule_filter_delays_device(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    delay_group *groups = NULL;
    uint32_t ng = 0, capg = 0;
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const bl_device_start *ds = &t->devices[d];
        if (ds->phase != BL_PHASE_BOOT || ds->deferred_by == BL_NONE)
            continue;
        uint8_t role = role_in_stack(c, d, ds->deferred_by);
        uint32_t cls = device_class(c, d);
        uint32_t g = 0;
        while (g < ng && !(groups[g].filter == ds->deferred_by && groups[g].cls == cls &&
                           role_is_class(groups[g].role) == role_is_class(role)))
            g++;
        if (g == ng) {
            bl_grow((void **)&groups, sizeof *groups, &capg, ng + 1);
            memset(&groups[ng], 0, sizeof groups[ng]);
            groups[ng].filter = ds->deferred_by;
            groups[ng].cls = cls;
            groups[ng].role = role;
            ng++;
        }
        bl_grow((void **)&groups[g].devs, sizeof *groups[g].devs, &groups[g].capdevs, groups[g].ndevs + 1);
        groups[g].devs[groups[g].ndevs++] = d;
    }

    for (uint32_t g = 0; g < ng; g++) {
        delay_group *dg = &groups[g];
        uint32_t F = dg->filter;
        uint32_t fpos = bl_timeline_position(t, F);
        broken *br = NULL;
        uint32_t nbr = collect_broken(c, F, dg->devs, dg->ndevs, &br);
        bool inbox = svc_is_inbox(c, F);
        bl_severity sev = nbr ? BL_SEV_ERROR : inbox ? BL_SEV_INFO : BL_SEV_WARNING;

        bl_sb subject = {0}, devs = {0};
        bl_sb_addf(&subject, "%s:%s:%s", svc_name(c, F), role_is_class(dg->role) ? "class" : "device",
                   dg->cls != BL_NONE ? bl_model_str(m, m->classes[dg->cls].guid) : dev_id(c, dg->devs[0]));
        bl_finding *f;
        if (nbr) {
            bl_sb who = {0}, needed = {0};
            broken_words(c, br, nbr, &who, &needed);
            f = bl_finding_add(out, "filter-delays-device", sev, bl_sb_str(&subject),
                               "%s %s holds back %u %s device%s until slot %u; %s initializ%s before "
                               "that, need%s %s and fail%s",
                               role_words(dg->role), svc_name(c, F), dg->ndevs, class_label(c, dg->cls),
                               dg->ndevs == 1 ? "" : "s", fpos, bl_sb_str(&who), nbr == 1 ? "es" : "e",
                               nbr == 1 ? "s" : "", bl_sb_str(&needed), nbr == 1 ? "s" : "");
            bl_sb_free(&who);
            bl_sb_free(&needed);
        } else {
            f = bl_finding_add(out, "filter-delays-device", sev, bl_sb_str(&subject),
                               "%s %s holds back %u %s device%s until it initializes (slot %u)%s",
                               role_words(dg->role), svc_name(c, F), dg->ndevs, class_label(c, dg->cls),
                               dg->ndevs == 1 ? "" : "s", fpos,
                               inbox ? ": a Windows inbox filter, by design" : "; nothing known to need them earlier");
        }
        bl_finding_service(f, svc_name(c, F));
        const bl_service *fs = &m->services[F];
        bl_finding_detail(f, "%s: %s start, group \"%s\"%s, initializes at slot %u of %u boot drivers.",
                          svc_name(c, F), bl_start_name(fs->start),
                          fs->group ? bl_model_str(m, fs->group) : "(none)",
                          bl_model_group_rank(m, fs->group) == BL_NONE && fs->group ? " (not in ServiceGroupOrder)" : "",
                          fpos, t->boot_count);
        uint32_t earliest_rank = BL_NONE;
        for (uint32_t i = 0; i < dg->ndevs; i++) {
            uint32_t d = dg->devs[i];
            uint32_t fn = function_of(c, d);
            bl_finding_device(f, dev_id(c, d));
            if (fn != BL_NONE)
                bl_finding_service(f, svc_name(c, fn));
            if (i < 8)
                bl_finding_detail(f, "Held back: %s (%s): would start at slot %u, starts at slot %u.",
                                  dev_id(c, d), fn != BL_NONE ? svc_name(c, fn) : "no driver",
                                  slot_without(c, d, F), t->devices[d].slot);
            else if (i == 8)
                bl_finding_detail(f, "... and %u more.", dg->ndevs - 8);
            if (fn != BL_NONE) {
                uint32_t r = bl_model_group_rank(m, m->services[fn].group);
                if (r != BL_NONE && (earliest_rank == BL_NONE || r < earliest_rank))
                    earliest_rank = r;
            }
            if (i < 8) {
                ev_device(c, f, d, "Service");
                if (!role_is_class(dg->role))
                    ev_device(c, f, d, role_is_upper(dg->role) ? "UpperFilters" : "LowerFilters");
            }
        }
        broken_report(c, f, br, nbr);
        if (dg->cls != BL_NONE && role_is_class(dg->role))
            ev_class_filters(c, f, dg->cls, role_is_upper(dg->role));
        ev_service(c, f, F, "Start");
        ev_service(c, f, F, "Group");
        ev_service(c, f, F, "Tag");

        if (sev >= BL_SEV_WARNING) {
            filter_site site = {F, fs->name, role_is_class(dg->role) ? dg->cls : BL_NONE, dg->devs[0],
                                role_is_upper(dg->role)};
            /* First the latest group that still initializes F before the
             * device whose delay breaks something (the seed's advice), then
             * the group before every held-back device. */
            uint32_t broken_rank = BL_NONE;
            for (uint32_t i = 0; i < nbr; i++) {
                uint32_t fn = function_of(c, br[i].dev);
                uint32_t r = fn != BL_NONE ? bl_model_group_rank(m, m->services[fn].group) : BL_NONE;
                if (r != BL_NONE && (broken_rank == BL_NONE || r < broken_rank))
                    broken_rank = r;
            }
            if (broken_rank != BL_NONE && broken_rank != earliest_rank)
                propose_earlier_groups(c, f, F, broken_rank, false, 1);
            propose_earlier_groups(c, f, F, earliest_rank, false, 1);
            if (site.cls != BL_NONE) {
                propose_remove(c, f, &site);
            } else {
                for (uint32_t i = 0; i < dg->ndevs && i < 1; i++) {
                    site.dev = dg->devs[i];
                    propose_remove(c, f, &site);
                }
            }
        }
        broken_free(br, nbr);
        bl_sb_free(&subject);
        bl_sb_free(&devs);
        free(dg->devs);
    }
    free(groups);
}

/* ---- filters naming missing or disabled services ---- */

/* Devices of class cls that the system would try to start. */
static uint32_t class_devices(const rule_ctx *c, uint32_t cls, uint32_t *critical)
{
    uint32_t n = 0;
    *critical = 0;
    for (uint32_t d = 0; d < c->m->ndevices; d++) {
        if (device_class(c, d) != cls)
            continue;
        const bl_device *dv = &c->m->devices[d];
        if (dv->has_config_flags && (dv->config_flags & 0x1))
            continue;
        n++;
        *critical += c->critical[d];
    }
    return n;
}

typedef enum { BAD_MISSING, BAD_DISABLED } bad_kind;

static bool filter_is_bad(const rule_ctx *c, uint32_t svc, bad_kind kind)
{
    if (kind == BAD_MISSING)
        return svc == BL_NONE;
    return svc != BL_NONE && c->m->services[svc].start == BL_START_DISABLED;
}

static void bad_filter_rule(const rule_ctx *c, bl_findings *out, bad_kind kind)
{
    const bl_model *m = c->m;
    const char *rule = kind == BAD_MISSING ? "missing-filter-service" : "disabled-filter";
    /* Class lists. */
    for (uint32_t cls = 0; cls < m->nclasses; cls++) {
        for (int up = 0; up < 2; up++) {
            bl_vec list = up ? m->classes[cls].upper : m->classes[cls].lower;
            uint32_t n = bl_pool_vec_len(m->pool, list);
            const uint32_t *it = bl_pool_vec_items(m->pool, list);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t svc = bl_model_find_service_id(m, it[i]);
                if (!filter_is_bad(c, svc, kind))
                    continue;
                uint32_t crit, ndev = class_devices(c, cls, &crit);
                bl_severity sev = ndev ? BL_SEV_ERROR : BL_SEV_WARNING;
                bl_sb subject = {0};
                bl_sb_addf(&subject, "%s:%s", bl_model_str(m, it[i]), bl_model_str(m, m->classes[cls].guid));
                bl_sb effect = {0};
                if (ndev)
                    bl_sb_addf(&effect, ": %u %s device%s cannot start%s", ndev, class_label(c, cls),
                               ndev == 1 ? "" : "s", crit ? ", the boot disk path included" : "");
                else
                    bl_sb_add(&effect, " (no device of the class is known: harmless until one appears)");
                bl_finding *f = bl_finding_add(
                    out, rule, sev, bl_sb_str(&subject), "%s class filter \"%s\" of the %s class %s%s",
                    up ? "upper" : "lower", bl_model_str(m, it[i]), class_label(c, cls),
                    kind == BAD_MISSING ? "has no service key" : "is disabled (Start=4)", bl_sb_str(&effect));
                bl_sb_free(&effect);
                bl_finding_service(f, bl_model_str(m, it[i]));
                if (ndev) {
                    bl_finding_detail(f, "%u %s device%s cannot start: Windows will not build a stack "
                                         "whose filter %s (Device Manager code %s)%s.",
                                      ndev, class_label(c, cls), ndev == 1 ? "" : "s",
                                      kind == BAD_MISSING ? "is missing" : "is disabled",
                                      kind == BAD_MISSING ? "39" : "32",
                                      crit ? "; these include devices on the path to the boot disk: "
                                             "INACCESSIBLE_BOOT_DEVICE risk"
                                           : "");
                    uint32_t shown = 0;
                    for (uint32_t d = 0; d < m->ndevices && shown < 20; d++)
                        if (device_class(c, d) == cls) {
                            bl_finding_device(f, dev_id(c, d));
                            shown++;
                        }
                }
                ev_class_filters(c, f, cls, up);
                if (svc != BL_NONE)
                    ev_service(c, f, svc, "Start");
                filter_site site = {svc, it[i], cls, BL_NONE, up != 0};
                propose_remove(c, f, &site);
                if (kind == BAD_DISABLED) {
                    bl_change *ch = changes_new(1);
                    bl_sb key = {0};
                    bl_sb_addf(&key, "Services\\%s", svc_name(c, svc));
                    bl_change_set_dword(ch, bl_sb_str(&key), "Start", BL_START_DEMAND);
                    bl_sb s = {0};
                    bl_sb_addf(&s, "Or re-enable %s as demand-start (PnP loads it for the class's devices)",
                               svc_name(c, svc));
                    propose_fix(f, bl_sb_str(&s), ch, 1);
                    bl_sb_free(&s);
                    bl_sb_free(&key);
                }
                bl_sb_free(&subject);
            }
        }
    }
    /* Device lists. */
    for (uint32_t d = 0; d < m->ndevices; d++) {
        for (int up = 0; up < 2; up++) {
            bl_vec list = up ? m->devices[d].upper : m->devices[d].lower;
            uint32_t n = bl_pool_vec_len(m->pool, list);
            const uint32_t *it = bl_pool_vec_items(m->pool, list);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t svc = bl_model_find_service_id(m, it[i]);
                if (!filter_is_bad(c, svc, kind))
                    continue;
                bool disabled_dev = m->devices[d].has_config_flags && (m->devices[d].config_flags & 1);
                bl_severity sev = c->critical[d] ? BL_SEV_ERROR : disabled_dev ? BL_SEV_INFO : BL_SEV_WARNING;
                bl_sb subject = {0};
                bl_sb_addf(&subject, "%s:%s", bl_model_str(m, it[i]), dev_id(c, d));
                bl_finding *f = bl_finding_add(out, rule, sev, bl_sb_str(&subject),
                                               "%s device filter \"%s\" of %s %s: the device cannot start%s",
                                               up ? "upper" : "lower", bl_model_str(m, it[i]), dev_id(c, d),
                                               kind == BAD_MISSING ? "has no service key" : "is disabled",
                                               c->critical[d] ? " and it is on the path to the boot disk" : "");
                bl_finding_service(f, bl_model_str(m, it[i]));
                bl_finding_device(f, dev_id(c, d));
                ev_device(c, f, d, up ? "UpperFilters" : "LowerFilters");
                filter_site site = {svc, it[i], BL_NONE, d, up != 0};
                propose_remove(c, f, &site);
                bl_sb_free(&subject);
            }
        }
    }
}

void rule_missing_filter_service(const rule_ctx *c, bl_findings *out)
{
    bad_filter_rule(c, out, BAD_MISSING);
}

void rule_disabled_filter(const rule_ctx *c, bl_findings *out)
{
    bad_filter_rule(c, out, BAD_DISABLED);
}

/* ---- nonboot-filter-on-boot-class ---- */

void rule_nonboot_filter_on_boot_class(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    /* Group by (filter, class, class-or-device role). */
    for (uint32_t d0 = 0; d0 < m->ndevices; d0++) {
        const bl_device_start *ds0 = &t->devices[d0];
        if (ds0->phase != BL_PHASE_PNP || ds0->deferred_by == BL_NONE)
            continue;
        uint32_t F = ds0->deferred_by, cls = device_class(c, d0);
        uint8_t role = role_in_stack(c, d0, F);
        /* Only the first device of each group creates the finding. */
        bool seen = false;
        for (uint32_t d = 0; d < d0 && !seen; d++)
            seen = t->devices[d].phase == BL_PHASE_PNP && t->devices[d].deferred_by == F &&
                   device_class(c, d) == cls && role_is_class(role_in_stack(c, d, F)) == role_is_class(role);
        if (seen)
            continue;
        uint32_t ndev = 0, ncrit = 0, *devs = bl_xmalloc((m->ndevices - d0) * sizeof *devs);
        for (uint32_t d = d0; d < m->ndevices; d++)
            if (t->devices[d].phase == BL_PHASE_PNP && t->devices[d].deferred_by == F &&
                device_class(c, d) == cls && role_is_class(role_in_stack(c, d, F)) == role_is_class(role)) {
                devs[ndev++] = d;
                ncrit += c->critical[d];
            }
        /* Boot drivers that need one of these devices in the boot phase. */
        broken *br = NULL;
        uint32_t nbr = collect_broken(c, F, devs, ndev, &br);
        free(devs);
        bl_severity sev = ncrit || nbr ? BL_SEV_ERROR : svc_is_inbox(c, F) ? BL_SEV_INFO : BL_SEV_WARNING;
        bl_sb who = {0}, needed = {0}, why = {0};
        if (ncrit)
            bl_sb_add(&why, ", including devices on the path to the boot disk (INACCESSIBLE_BOOT_DEVICE)");
        if (nbr) {
            broken_words(c, br, nbr, &who, &needed);
            bl_sb_addf(&why, "; %s initializ%s in the boot phase, need%s %s and fail%s", bl_sb_str(&who),
                       nbr == 1 ? "es" : "e", nbr == 1 ? "s" : "", bl_sb_str(&needed), nbr == 1 ? "s" : "");
        }
        bl_sb subject = {0};
        bl_sb_addf(&subject, "%s:%s", svc_name(c, F),
                   cls != BL_NONE ? bl_model_str(m, m->classes[cls].guid) : dev_id(c, d0));
        const bl_service *fs = &m->services[F];
        bl_finding *f = bl_finding_add(
            out, "nonboot-filter-on-boot-class", sev, bl_sb_str(&subject),
            "%s %s is %s start, so %u %s device%s with boot-start drivers cannot start in the boot phase%s",
            role_words(role), svc_name(c, F), bl_start_name(fs->start), ndev, class_label(c, cls),
            ndev == 1 ? "" : "s", bl_sb_str(&why));
        bl_sb_free(&who);
        bl_sb_free(&needed);
        bl_sb_free(&why);
        bl_finding_service(f, svc_name(c, F));
        uint32_t earliest_rank = BL_NONE, shown = 0;
        for (uint32_t d = d0; d < m->ndevices; d++) {
            if (!(t->devices[d].phase == BL_PHASE_PNP && t->devices[d].deferred_by == F &&
                  device_class(c, d) == cls && role_is_class(role_in_stack(c, d, F)) == role_is_class(role)))
                continue;
            uint32_t fn = function_of(c, d);
            if (shown++ < 20) {
                bl_finding_device(f, dev_id(c, d));
                ev_device(c, f, d, "Service");
            }
            if (fn != BL_NONE) {
                uint32_t r = bl_model_group_rank(m, m->services[fn].group);
                if (r != BL_NONE && (earliest_rank == BL_NONE || r < earliest_rank))
                    earliest_rank = r;
                if (c->critical[d] && shown <= 8)
                    bl_finding_detail(f, "Boot path: %s (%s, boot start) waits for %s, which loads only "
                                         "after the boot phase.",
                                      dev_id(c, d), svc_name(c, fn), svc_name(c, F));
            }
        }
        bl_finding_detail(f, "The PnP manager starts a device only when every driver of its stack is "
                             "initialized; the boot phase initializes boot-start drivers only.");
        broken_report(c, f, br, nbr);
        if (cls != BL_NONE && role_is_class(role))
            ev_class_filters(c, f, cls, role_is_upper(role));
        ev_service(c, f, F, "Start");
        ev_service(c, f, F, "Group");
        propose_earlier_groups(c, f, F, earliest_rank, true, 2);
        filter_site site = {F, fs->name, role_is_class(role) ? cls : BL_NONE, d0, role_is_upper(role)};
        propose_remove(c, f, &site);
        broken_free(br, nbr);
        bl_sb_free(&subject);
    }
}

/* ---- devices whose function driver is missing ---- */

void rule_device_driver_missing(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const bl_device *dv = &m->devices[d];
        if (!dv->service || bl_model_find_service_id(m, dv->service) != BL_NONE)
            continue;
        if (bl_fold_has_prefix(bl_model_str(m, dv->service), "\\Driver\\"))
            continue; /* a kernel-created driver object (\Driver\ACPI_HAL), not a service */
        if (bl_fold_has_prefix(dev_id(c, d), "ROOT\\LEGACY_"))
            continue;
        bool critical = dv->class_guid && c->critical[d];
        bl_sb subject = {0};
        bl_sb_addf(&subject, "%s", dev_id(c, d));
        bl_finding *f = bl_finding_add(out, "device-driver-missing", critical ? BL_SEV_ERROR : BL_SEV_INFO,
                                       bl_sb_str(&subject),
                                       "%s names function driver \"%s\", which has no service key: the device "
                                       "cannot start%s",
                                       dev_id(c, d), bl_model_str(m, dv->service),
                                       critical ? "" : " (often a leftover of a removed device)");
        bl_finding_device(f, dev_id(c, d));
        bl_finding_service(f, bl_model_str(m, dv->service));
        ev_device(c, f, d, "Service");
        bl_sb_free(&subject);
    }
    /* Devices with no function driver at all (raw) whose children the
     * simulation could not start: nothing enumerates them. */
    uint32_t *nkids = bl_xcalloc(m->ndevices ? m->ndevices : 1, sizeof *nkids);
    for (uint32_t d = 0; d < m->ndevices; d++)
        if (c->t->devices[d].block == BL_BLOCK_PARENT_RAW)
            nkids[c->t->devices[d].blocked_by]++;
    for (uint32_t p = 0; p < m->ndevices; p++) {
        if (!nkids[p])
            continue;
        bool critical = c->critical[p];
        bl_finding *f = bl_finding_add(
            out, "device-driver-missing", critical ? BL_SEV_ERROR : BL_SEV_WARNING, dev_id(c, p),
            "%s has no function driver (no Service value: a raw install, or no driver found), so the %u "
            "device%s it enumerates cannot start%s",
            dev_id(c, p), nkids[p], nkids[p] == 1 ? "" : "s",
            critical ? ", including devices on the path to the boot disk (INACCESSIBLE_BOOT_DEVICE)" : "");
        bl_finding_device(f, dev_id(c, p));
        uint32_t shown = 0;
        for (uint32_t d = 0; d < m->ndevices; d++) {
            if (c->t->devices[d].block != BL_BLOCK_PARENT_RAW || c->t->devices[d].blocked_by != p)
                continue;
            if (shown++ < 8) {
                bl_finding_device(f, dev_id(c, d));
                bl_finding_detail(f, "Not enumerated: %s (ParentIdPrefix of %s).", dev_id(c, d), dev_id(c, p));
            }
        }
        bl_finding_detail(f, "A bus device's children are created by its function driver; a device running "
                             "raw has none, so its children never appear.");
        ev_device(c, f, p, "Service");
        ev_device(c, f, p, "ParentIdPrefix");
    }
    free(nkids);
}

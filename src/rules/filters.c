/* filters.c — rules about class and device filters: a filter that holds
 * devices back (and what that breaks), a boot filter pulled forward ahead
 * of what it needs, filters naming missing or disabled services, non-boot
 * filters on devices the boot phase needs, devices whose driver is missing.
 * Each rule also proposes candidate fixes; fix.c re-simulates them.
 *
 * Devices are grouped per (filter, class, class-or-device list) by a sort,
 * and what breaks is looked up through the requirements index (rules.c):
 * the cost stays near-linear in the devices whatever a hive holds. */
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

static const char *class_label(const rule_ctx *c, uint32_t cls)
{
    if (cls == BL_NONE)
        return "unknown";
    const bl_class *k = &c->m->classes[cls];
    return k->name ? bl_model_str(c->m, k->name) : bl_model_str(c->m, k->guid);
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

/* Proposes moving filter svc into groups at or before rank `upto`
 * (nearest first, up to `limit`), untagged, optionally boot start.  A group
 * already proposed for this finding, or the filter's own, is skipped. */
static void propose_groups_upto(const rule_ctx *c, bl_finding *f, uint32_t svc, uint32_t upto, bool set_boot,
                                uint32_t limit)
{
    const bl_model *m = c->m;
    uint32_t ngroups = bl_pool_vec_len(m->pool, m->group_order);
    if (upto == BL_NONE || upto >= ngroups)
        upto = ngroups ? ngroups - 1 : 0;
    if (!ngroups)
        return;
    const uint32_t *groups = bl_pool_vec_items(m->pool, m->group_order);
    uint32_t tried = 0;
    for (uint32_t g = upto + 1; g-- > 0 && tried < limit;) {
        /* A group listed earlier already holds this rank. */
        if (bl_model_group_rank(m, groups[g]) != g)
            continue;
        if (m->services[svc].group && bl_pool_fold(m->pool, m->services[svc].group) == bl_pool_fold(m->pool, groups[g]))
            continue;
        bool dup = false;
        for (uint32_t k = 0; k < f->nfixes && !dup; k++)
            for (uint32_t j = 0; j < f->fixes[k].nchanges && !dup; j++) {
                const bl_change *x = &f->fixes[k].changes[j];
                dup = x->value && bl_fold_eq(x->value, "Group") && x->type == BL_REG_SZ && !x->delete_value &&
                      x->size >= 2 && strstr(f->fixes[k].summary, bl_model_str(m, groups[g])) != NULL;
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
            bl_sb_addf(&s, "Make %s boot-start and move it to the load-order group \"%s\"", svc_name(c, svc),
                       bl_model_str(m, groups[g]));
        else
            bl_sb_addf(&s, "Move %s to the load-order group \"%s\"", svc_name(c, svc), bl_model_str(m, groups[g]));
        if (m->services[svc].has_tag)
            bl_sb_add(&s, " (its Tag belonged to the old group: removed)");
        propose_fix(f, bl_sb_str(&s), ch, n);
        bl_sb_free(&s);
        bl_sb_free(&key);
    }
}

/* ---- grouping held-back devices ---- */

/* Devices whose start a filter decided, grouped per (filter, class,
 * class-or-device role). */
typedef struct held {
    uint32_t filter, cls, dev;
    uint8_t role;
} held;

static int held_cmp(const void *a, const void *b)
{
    const held *x = a, *y = b;
    if (x->filter != y->filter)
        return x->filter < y->filter ? -1 : 1;
    if (x->cls != y->cls)
        return x->cls < y->cls ? -1 : 1;
    bool cx = role_is_class(x->role), cy = role_is_class(y->role);
    if (cx != cy)
        return cx ? -1 : 1;
    return x->dev < y->dev ? -1 : x->dev > y->dev;
}

static bool same_held_group(const held *a, const held *b)
{
    return a->filter == b->filter && a->cls == b->cls && role_is_class(a->role) == role_is_class(b->role);
}

/* The end of the group of sorted held devices that starts at g0. */
static uint32_t held_group_end(const held *h, uint32_t nh, uint32_t g0)
{
    uint32_t g1 = g0 + 1;
    while (g1 < nh && same_held_group(&h[g0], &h[g1]))
        g1++;
    return g1;
}

/* Devices in phase `phase` whose deferred_by is set, sorted into groups. */
static uint32_t collect_held(const rule_ctx *c, uint8_t phase, held **out)
{
    const bl_model *m = c->m;
    held *h = bl_xmalloc((m->ndevices ? m->ndevices : 1) * sizeof *h);
    uint32_t n = 0;
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const bl_device_start *ds = &c->t->devices[d];
        if (ds->phase != phase || ds->deferred_by == BL_NONE)
            continue;
        h[n].filter = ds->deferred_by;
        h[n].cls = c->device_class[d];
        h[n].dev = d;
        h[n].role = role_in_stack(c, d, ds->deferred_by);
        n++;
    }
    qsort(h, n, sizeof *h, held_cmp);
    *out = h;
    return n;
}

/* ---- what a held-back device breaks ---- */

/* A boot driver that initializes while a device it needs is held back. */
typedef struct broken {
    uint32_t req; /* index into c->reqs */
    uint32_t dev;
    uint32_t pos; /* the driver's position */
} broken;

#define MAX_BROKEN 64u

/* Requirement r (on the function driver of dev) is broken by the hold when
 * its driver initializes inside the hold: after the device was ready (not
 * the filter's fault otherwise) and before it starts, and no other device
 * of that driver had started before. */
static bool breaks(const rule_ctx *c, const requirement *r, uint32_t dev, uint32_t filter, uint32_t *pos)
{
    uint32_t who = r->who;
    if (who == filter)
        return false;
    const bl_service_state *st = &c->t->services[who];
    if (st->load == BL_NONE || st->phase != BL_PHASE_BOOT)
        return false;
    uint32_t p = c->t->loads[st->load].position;
    const bl_device_start *ds = &c->t->devices[dev];
    uint32_t ready = ds->phase == BL_PHASE_BOOT ? ds->ready_slot : bl_timeline_position(c->t, c->function[dev]);
    bool inside = ds->phase == BL_PHASE_BOOT ? (p > ready && p <= ds->slot) : p > ready;
    if (!inside)
        return false;
    uint32_t sat = service_ready_slot(c, r->needs);
    if (sat != BL_NONE && sat < p)
        return false;
    *pos = p;
    return true;
}

typedef struct fn_dev {
    uint32_t fn, dev;
} fn_dev;

static int fn_dev_cmp(const void *a, const void *b)
{
    const fn_dev *x = a, *y = b;
    if (x->fn != y->fn)
        return x->fn < y->fn ? -1 : 1;
    return x->dev < y->dev ? -1 : x->dev > y->dev;
}

/* The drivers the devices h[0..n) break (each driver once): per function
 * driver of the devices, its requirers (the index), against each device of
 * that driver. */
static uint32_t collect_broken(const rule_ctx *c, const held *h, uint32_t n, broken *out)
{
    fn_dev *v = bl_xmalloc((n ? n : 1) * sizeof *v);
    for (uint32_t i = 0; i < n; i++)
        v[i] = (fn_dev){c->function[h[i].dev], h[i].dev};
    qsort(v, n, sizeof *v, fn_dev_cmp);
    uint32_t nb = 0;
    for (uint32_t i = 0; i < n && nb < MAX_BROKEN;) {
        uint32_t j = i;
        while (j < n && v[j].fn == v[i].fn)
            j++;
        const uint32_t *idx;
        uint32_t nr = requirements_on(c, v[i].fn, &idx);
        for (uint32_t k = 0; k < nr && nb < MAX_BROKEN; k++) {
            const requirement *r = &c->reqs[idx[k]];
            bool dup = false;
            for (uint32_t b = 0; b < nb && !dup; b++)
                dup = c->reqs[out[b].req].who == r->who;
            for (uint32_t d = i; d < j && !dup; d++) {
                uint32_t pos;
                if (breaks(c, r, v[d].dev, h[0].filter, &pos)) {
                    out[nb++] = (broken){idx[k], v[d].dev, pos};
                    break;
                }
            }
        }
        i = j;
    }
    free(v);
    return nb;
}

/* "vsepflt, x" and "vmci's device D, ..." for a message, at most three. */
static void broken_words(const rule_ctx *c, const broken *br, uint32_t nbr, bl_sb *who, bl_sb *needed)
{
    for (uint32_t i = 0; i < nbr && i < 3; i++) {
        bl_sb_addf(who, "%s%s", i ? ", " : "", svc_name(c, c->reqs[br[i].req].who));
        bool seen = false;
        for (uint32_t k = 0; k < i && !seen; k++)
            seen = br[k].dev == br[i].dev;
        if (!seen)
            bl_sb_addf(needed, "%s%s's device %s", needed->len ? ", " : "", svc_name(c, c->function[br[i].dev]),
                       dev_id(c, br[i].dev));
    }
    if (nbr > 3)
        bl_sb_addf(who, " and %u more", nbr - 3);
}

/* The services, details and evidence of each broken driver. */
static void broken_report(const rule_ctx *c, bl_finding *f, const broken *br, uint32_t nbr)
{
    for (uint32_t i = 0; i < nbr; i++) {
        const requirement *r = &c->reqs[br[i].req];
        bl_finding_service(f, svc_name(c, r->who));
        const char *via[8];
        for (uint32_t v = 0; v < r->nvia; v++) {
            bl_finding_service(f, svc_name(c, r->via[v]));
            via[v] = svc_name(c, r->via[v]);
        }
        bl_finding_breakage(f, svc_name(c, r->who), dev_id(c, br[i].dev), via, r->nvia, br[i].pos, r->chain,
                            r->source);
        const bl_device_start *ds = &c->t->devices[br[i].dev];
        if (i < 8) {
            if (ds->phase == BL_PHASE_BOOT)
                bl_finding_detail(f, "Breaks: %s initializes at slot %u, before %s starts (slot %u): %s [%s].",
                                  svc_name(c, r->who), br[i].pos, dev_id(c, br[i].dev), ds->slot, r->chain,
                                  r->source);
            else
                bl_finding_detail(f, "Breaks: %s initializes at slot %u in the boot phase; %s starts only after "
                                     "it: %s [%s].",
                                  svc_name(c, r->who), br[i].pos, dev_id(c, br[i].dev), r->chain, r->source);
            ev_service(c, f, r->who, "Start");
            ev_service(c, f, r->who, "Group");
        }
    }
    if (nbr > 8)
        bl_finding_detail(f, "... and %u more drivers that break the same way.", nbr - 8);
}

/* The rank of the earliest group among the function drivers of the broken
 * drivers' devices, and of every held device. */
static uint32_t min_function_rank(const rule_ctx *c, const held *h, uint32_t n)
{
    uint32_t best = BL_NONE;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t fn = c->function[h[i].dev];
        uint32_t r = fn != BL_NONE ? bl_model_group_rank(c->m, c->m->services[fn].group) : BL_NONE;
        if (r != BL_NONE && (best == BL_NONE || r < best))
            best = r;
    }
    return best;
}

/* The end of a finding on filter F that holds n devices back: the drivers
 * that break, the filter list and F's Start and Group as evidence; for a
 * warning or error the fixes: move F into the group of the earliest held
 * device's function driver (where it is pulled the moment the device is
 * ready) or the group before (the seed article's own advice), boot start
 * too when set_boot; or take it off the filter list. */
static void filter_finding_end(const rule_ctx *c, bl_finding *f, uint32_t F, uint8_t role, uint32_t cls,
                               const held *grp, uint32_t n, const broken *br, uint32_t nbr, bool set_boot)
{
    broken_report(c, f, br, nbr);
    if (cls != BL_NONE && role_is_class(role))
        ev_class_filters(c, f, cls, role_is_upper(role));
    ev_service(c, f, F, "Start");
    ev_service(c, f, F, "Group");
    if (f->severity < BL_SEV_WARNING)
        return;
    propose_groups_upto(c, f, F, min_function_rank(c, grp, n), set_boot, 2);
    filter_site site = {F, c->m->services[F].name, role_is_class(role) ? cls : BL_NONE, grp[0].dev,
                        role_is_upper(role)};
    propose_remove(c, f, &site);
}

/* ---- filter-delays-device ---- */

/* Boot-phase devices a boot filter held back: the device was ready (its
 * parent started, its function driver initialized) before PnP could
 * initialize the filter — on Vista and later, only once every driver of
 * the groups before the filter's had its turn.  An error when a boot driver
 * initializes inside the hold and needs the device; otherwise the device
 * still starts in the boot phase and nothing is known to need it earlier:
 * info (Windows' own filters do this by design too). */
void rule_filter_delays_device(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    held *h;
    uint32_t nh = collect_held(c, BL_PHASE_BOOT, &h);
    broken *br = bl_xmalloc(MAX_BROKEN * sizeof *br);
    for (uint32_t g0 = 0, g1; g0 < nh; g0 = g1) {
        g1 = held_group_end(h, nh, g0);
        const held *grp = &h[g0];
        uint32_t ndevs = g1 - g0;
        uint32_t F = grp->filter, cls = grp->cls;
        uint8_t role = grp->role;
        uint32_t fpos = bl_timeline_position(t, F);
        uint32_t nbr = collect_broken(c, grp, ndevs, br);
        bool inbox = svc_is_inbox(c, F);
        bl_severity sev = nbr ? BL_SEV_ERROR : BL_SEV_INFO;

        bl_sb subject = {0};
        bl_sb_addf(&subject, "%s:%s:%s", svc_name(c, F), role_is_class(role) ? "class" : "device",
                   cls != BL_NONE ? bl_model_str(m, m->classes[cls].guid) : dev_id(c, grp[0].dev));
        bl_finding *f;
        if (nbr) {
            bl_sb who = {0}, needed = {0};
            broken_words(c, br, nbr, &who, &needed);
            f = bl_finding_add(out, "filter-delays-device", sev, bl_sb_str(&subject),
                               "%s %s holds back %u %s device%s until slot %u; %s initializ%s before that, "
                               "need%s %s and fail%s",
                               role_words(role), svc_name(c, F), ndevs, class_label(c, cls), ndevs == 1 ? "" : "s",
                               fpos, bl_sb_str(&who), nbr == 1 ? "es" : "e", nbr == 1 ? "s" : "",
                               bl_sb_str(&needed), nbr == 1 ? "s" : "");
            bl_sb_free(&who);
            bl_sb_free(&needed);
        } else {
            f = bl_finding_add(out, "filter-delays-device", sev, bl_sb_str(&subject),
                               "%s %s holds back %u %s device%s until it initializes (slot %u); they still start "
                               "in the boot phase%s",
                               role_words(role), svc_name(c, F), ndevs, class_label(c, cls), ndevs == 1 ? "" : "s",
                               fpos, inbox ? ": a Windows inbox filter, by design" : " and nothing is known to need "
                                                                                    "them earlier");
        }
        bl_finding_service(f, svc_name(c, F));
        const bl_service *fs = &m->services[F];
        const bl_load *fl = &t->loads[t->services[F].load];
        bl_finding_detail(f, "%s: %s start, group \"%s\"%s, initializes at slot %u of %u boot drivers%s.",
                          svc_name(c, F), bl_start_name(fs->start), fs->group ? bl_model_str(m, fs->group) : "(none)",
                          bl_model_group_rank(m, fs->group) == BL_NONE && fs->group ? " (not in ServiceGroupOrder)"
                                                                                     : "",
                          fpos, t->boot_count,
                          (fl->why & BL_WHY_PULLED)
                              ? (t->pull_rule == BL_PULL_AT_ONCE
                                     ? ", pulled forward by PnP"
                                     : ", pulled forward by PnP as soon as every driver of the groups before its "
                                       "own had had its turn (PnpLoadBootFilterDriver)")
                              : "");
        for (uint32_t i = 0; i < ndevs; i++) {
            uint32_t d = grp[i].dev;
            uint32_t fn = c->function[d];
            if (i < 100) {
                bl_finding_device(f, dev_id(c, d));
                if (fn != BL_NONE)
                    bl_finding_service(f, svc_name(c, fn));
            }
            if (i < 8)
                bl_finding_detail(f, "Held back: %s (%s): ready at slot %u, starts at slot %u.", dev_id(c, d),
                                  fn != BL_NONE ? svc_name(c, fn) : "no driver", t->devices[d].ready_slot,
                                  t->devices[d].slot);
            else if (i == 8)
                bl_finding_detail(f, "... and %u more.", ndevs - 8);
            if (i < 8) {
                ev_device(c, f, d, "Service");
                if (!role_is_class(role))
                    ev_device(c, f, d, role_is_upper(role) ? "UpperFilters" : "LowerFilters");
            }
        }
        filter_finding_end(c, f, F, role, cls, grp, ndevs, br, nbr, false);
        ev_service(c, f, F, "Tag");
        bl_sb_free(&subject);
    }
    free(br);
    free(h);
}

/* ---- boot-filter-pulled-early ---- */

/* A boot filter PnP pulled forward runs its DriverEntry ahead of its turn:
 * what it needs of its own group (or of any later turn) may not be there
 * yet.  Needs are its DependOnService entries and the knowledge file's
 * `calls`; an error when the device it was pulled for is on the boot disk
 * path (a filter whose DriverEntry fails leaves the device without a
 * stack), otherwise a warning. */
void rule_boot_filter_pulled_early(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    for (uint32_t i = 0; i < t->boot_count; i++) {
        const bl_load *l = &t->loads[i];
        if (!(l->why & BL_WHY_PULLED))
            continue;
        uint32_t F = l->service;
        uint32_t turn = t->services[F].turn;
        const bl_service *fs = &m->services[F];
        /* Its needs: DependOnService and `calls` facts. */
        uint32_t nd = bl_pool_vec_len(m->pool, fs->depend_on_service);
        const uint32_t *deps = bl_pool_vec_items(m->pool, fs->depend_on_service);
        const bl_fact *facts;
        uint32_t nf = bl_knowledge_about(c->k, svc_name(c, F), &facts);
        bl_sb late = {0};
        uint32_t nlate = 0, first_late = BL_NONE;
        const char *source = NULL;
        for (uint32_t k = 0; k < nd + nf && nlate < 8; k++) {
            uint32_t dep;
            if (k < nd) {
                dep = bl_model_find_service_id(m, deps[k]);
            } else {
                const bl_fact *x = &facts[k - nd];
                if (x->relation != BL_REL_CALLS || !bl_fact_holds(x, m->windows))
                    continue;
                dep = bl_model_find_service(m, x->target);
                if (dep != BL_NONE && !source)
                    source = x->source;
            }
            if (dep == BL_NONE || dep == F || bl_knowledge_has(c->k, svc_name(c, dep), BL_REL_CLASS_EXTENSION, m->windows))
                continue;
            uint32_t dpos = bl_timeline_position(t, dep);
            uint32_t dturn = t->services[dep].turn;
            /* It would have been there at F's own turn, and is not at the
             * pull: the pull is what breaks it. */
            if (dturn && dturn < turn && (!dpos || dpos > l->position)) {
                bl_sb_addf(&late, "%s%s (turn #%u, initializes at slot %u)", nlate ? ", " : "", svc_name(c, dep),
                           dturn, dpos);
                if (first_late == BL_NONE)
                    first_late = dep;
                nlate++;
            }
        }
        if (!nlate) {
            bl_sb_free(&late);
            continue;
        }
        uint32_t dev = l->for_device;
        bool critical = dev != BL_NONE && c->critical[dev];
        bl_finding *f = bl_finding_add(
            out, "boot-filter-pulled-early", critical ? BL_SEV_ERROR : BL_SEV_WARNING, svc_name(c, F),
            "boot filter %s is pulled forward to slot %u for %s, ahead of its turn #%u, before %s that it needs%s",
            svc_name(c, F), l->position, dev != BL_NONE ? dev_id(c, dev) : "a device", turn, bl_sb_str(&late),
            critical ? ": if its DriverEntry fails, that device on the boot disk path gets no stack "
                       "(INACCESSIBLE_BOOT_DEVICE)"
                     : "");
        bl_finding_service(f, svc_name(c, F));
        if (first_late != BL_NONE)
            bl_finding_service(f, svc_name(c, first_late));
        if (dev != BL_NONE)
            bl_finding_device(f, dev_id(c, dev));
        bl_finding_detail(f, "%s",
                          t->pull_rule == BL_PULL_AT_ONCE
                              ? "On Windows 2000/XP/2003 PnP initializes a boot-start filter the moment a device's "
                                "stack needs it (PipLoadBootFilterDriver), whatever its group."
                              : "On Vista and later PnP initializes a boot-start filter a device's stack needs once "
                                "every driver of the groups before its own has had its turn "
                                "(PnpLoadBootFilterDriver): ahead of the drivers of its own group.");
        if (source)
            bl_finding_detail(f, "What it calls comes from %s.", source);
        ev_service(c, f, F, "Group");
        ev_service(c, f, F, "Tag");
        if (nd)
            ev_service(c, f, F, "DependOnService");
        if (dev != BL_NONE)
            ev_device(c, f, dev, "Service");
        /* Fix: put the filter in a group before its needs, so they have
         * initialized by the time it can be pulled (re-simulated). */
        uint32_t r = first_late != BL_NONE ? bl_model_group_rank(m, m->services[first_late].group) : BL_NONE;
        if (r != BL_NONE && r > 0)
            propose_groups_upto(c, f, F, r - 1, false, 1);
        bl_sb_free(&late);
    }
}

/* ---- filters naming missing or disabled services ---- */

/* Devices of class cls that the system would try to start: counted once
 * for every class (linear). */
typedef struct class_count {
    uint32_t devices, critical;
    uint32_t first; /* a device of the class, for evidence */
} class_count;

static class_count *count_classes(const rule_ctx *c)
{
    const bl_model *m = c->m;
    class_count *cc = bl_xcalloc(m->nclasses ? m->nclasses : 1, sizeof *cc);
    for (uint32_t k = 0; k < m->nclasses; k++)
        cc[k].first = BL_NONE;
    for (uint32_t d = 0; d < m->ndevices; d++) {
        uint32_t cls = c->device_class[d];
        const bl_device *dv = &m->devices[d];
        if (cls == BL_NONE || (dv->has_config_flags && (dv->config_flags & 0x1)))
            continue;
        cc[cls].devices++;
        cc[cls].critical += c->critical[d];
        if (cc[cls].first == BL_NONE)
            cc[cls].first = d;
    }
    return cc;
}

typedef enum { BAD_MISSING, BAD_DISABLED } bad_kind;

static bool filter_is_bad(const rule_ctx *c, uint32_t svc, bad_kind kind)
{
    if (kind == BAD_MISSING)
        return svc == BL_NONE;
    return svc != BL_NONE && c->m->services[svc].start == BL_START_DISABLED;
}

#define DAMAGE_NOTE                                                                                                \
    "Part of the Services key could not be read (see hive-damaged): the service may be there, in the unreadable " \
    "part; no fix that drops the reference is proposed."

static void bad_filter_rule(const rule_ctx *c, bl_findings *out, bad_kind kind)
{
    const bl_model *m = c->m;
    const char *rule = kind == BAD_MISSING ? "missing-filter-service" : "disabled-filter";
    /* Absence is no evidence where part of Services could not be read. */
    bool unsure = kind == BAD_MISSING && damage_hides_services(c);
    class_count *cc = count_classes(c);
    /* Class lists. */
    for (uint32_t cls = 0; cls < m->nclasses; cls++) {
        for (int up = 0; up < 2; up++) {
            bl_vec list = up ? m->classes[cls].upper : m->classes[cls].lower;
            uint32_t n = bl_pool_vec_len(m->pool, list);
            const uint32_t *it = bl_pool_vec_items(m->pool, list);
            for (uint32_t i = 0; i < n && i < 256; i++) {
                uint32_t svc = bl_model_find_service_id(m, it[i]);
                if (!filter_is_bad(c, svc, kind))
                    continue;
                uint32_t ndev = cc[cls].devices, crit = cc[cls].critical;
                /* A class with no device: harmless until one appears. */
                bl_severity sev = !ndev ? BL_SEV_INFO : unsure ? BL_SEV_WARNING : BL_SEV_ERROR;
                bl_sb subject = {0};
                bl_sb_addf(&subject, "%s:%s", bl_model_str(m, it[i]), bl_model_str(m, m->classes[cls].guid));
                bl_sb effect = {0};
                if (ndev)
                    bl_sb_addf(&effect, ": %u %s device%s cannot start%s%s", ndev, class_label(c, cls),
                               ndev == 1 ? "" : "s", crit ? ", the boot disk path included" : "",
                               unsure ? " (if it is really missing: part of Services is unreadable)" : "");
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
                    for (uint32_t d = cc[cls].first; d != BL_NONE && d < m->ndevices && shown < 20; d++)
                        if (c->device_class[d] == cls) {
                            bl_finding_device(f, dev_id(c, d));
                            shown++;
                        }
                }
                if (unsure)
                    bl_finding_detail(f, DAMAGE_NOTE);
                ev_class_filters(c, f, cls, up);
                if (svc != BL_NONE)
                    ev_service(c, f, svc, "Start");
                if (sev >= BL_SEV_WARNING && !unsure) {
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
                }
                bl_sb_free(&subject);
            }
        }
    }
    free(cc);
    /* Device lists. */
    for (uint32_t d = 0; d < m->ndevices; d++) {
        for (int up = 0; up < 2; up++) {
            bl_vec list = up ? m->devices[d].upper : m->devices[d].lower;
            uint32_t n = bl_pool_vec_len(m->pool, list);
            const uint32_t *it = bl_pool_vec_items(m->pool, list);
            for (uint32_t i = 0; i < n && i < 256; i++) {
                uint32_t svc = bl_model_find_service_id(m, it[i]);
                if (!filter_is_bad(c, svc, kind))
                    continue;
                bool disabled_dev = m->devices[d].has_config_flags && (m->devices[d].config_flags & 1);
                bl_severity sev = disabled_dev        ? BL_SEV_INFO
                                  : c->critical[d]    ? (unsure ? BL_SEV_WARNING : BL_SEV_ERROR)
                                                      : BL_SEV_WARNING;
                bl_sb subject = {0};
                bl_sb_addf(&subject, "%s:%s", bl_model_str(m, it[i]), dev_id(c, d));
                bl_finding *f = bl_finding_add(out, rule, sev, bl_sb_str(&subject),
                                               "%s device filter \"%s\" of %s %s: the device cannot start%s%s",
                                               up ? "upper" : "lower", bl_model_str(m, it[i]), dev_id(c, d),
                                               kind == BAD_MISSING ? "has no service key" : "is disabled",
                                               c->critical[d] ? " and it is on the path to the boot disk" : "",
                                               unsure ? " (if it is really missing: part of Services is unreadable)"
                                                      : "");
                bl_finding_service(f, bl_model_str(m, it[i]));
                bl_finding_device(f, dev_id(c, d));
                if (unsure)
                    bl_finding_detail(f, DAMAGE_NOTE);
                ev_device(c, f, d, up ? "UpperFilters" : "LowerFilters");
                if (!unsure) {
                    filter_site site = {svc, it[i], BL_NONE, d, up != 0};
                    propose_remove(c, f, &site);
                }
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

/* Devices whose function driver is a boot driver but whose stack holds a
 * filter that is not: no stack in the boot phase, the device starts in the
 * PnP phase.  An error when they are on the boot disk path or a boot driver
 * needs them in the boot phase; Windows' own filters: info; else warning. */
void rule_nonboot_filter_on_boot_class(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    held *h;
    uint32_t nh = collect_held(c, BL_PHASE_PNP, &h);
    broken *br = bl_xmalloc(MAX_BROKEN * sizeof *br);
    for (uint32_t g0 = 0, g1; g0 < nh; g0 = g1) {
        g1 = held_group_end(h, nh, g0);
        const held *grp = &h[g0];
        uint32_t ndev = g1 - g0, ncrit = 0;
        uint32_t F = grp->filter, cls = grp->cls;
        uint8_t role = grp->role;
        for (uint32_t i = 0; i < ndev; i++)
            ncrit += c->critical[grp[i].dev];
        uint32_t nbr = collect_broken(c, grp, ndev, br);
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
                   cls != BL_NONE ? bl_model_str(m, m->classes[cls].guid) : dev_id(c, grp[0].dev));
        const bl_service *fs = &m->services[F];
        bl_finding *f = bl_finding_add(
            out, "nonboot-filter-on-boot-class", sev, bl_sb_str(&subject),
            "%s %s is %s start, so %u %s device%s with boot-start drivers cannot start in the boot phase%s",
            role_words(role), svc_name(c, F), bl_start_name(fs->start), ndev, class_label(c, cls), ndev == 1 ? "" : "s",
            bl_sb_str(&why));
        bl_sb_free(&who);
        bl_sb_free(&needed);
        bl_sb_free(&why);
        bl_finding_service(f, svc_name(c, F));
        uint32_t shown = 0, detailed = 0;
        for (uint32_t i = 0; i < ndev; i++) {
            uint32_t d = grp[i].dev, fn = c->function[d];
            if (shown++ < 20) {
                bl_finding_device(f, dev_id(c, d));
                ev_device(c, f, d, "Service");
            }
            if (fn != BL_NONE && c->critical[d] && detailed++ < 8)
                bl_finding_detail(f, "Boot path: %s (%s, boot start) waits for %s, which loads only after the boot "
                                     "phase.",
                                  dev_id(c, d), svc_name(c, fn), svc_name(c, F));
        }
        bl_finding_detail(f, "The PnP manager starts a device only when every driver of its stack is initialized; "
                             "in the boot phase it can initialize boot-start drivers only.");
        filter_finding_end(c, f, F, role, cls, grp, ndev, br, nbr, true);
        bl_sb_free(&subject);
    }
    free(br);
    free(h);
}

/* ---- devices whose function driver is missing ---- */

void rule_device_driver_missing(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    bool unsure = damage_hides_services(c);
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const bl_device *dv = &m->devices[d];
        if (!dv->service || c->function[d] != BL_NONE)
            continue;
        if (bl_fold_has_prefix(bl_model_str(m, dv->service), "\\Driver\\"))
            continue; /* a kernel-created driver object (\Driver\ACPI_HAL), not a service */
        if (bl_fold_has_prefix(dev_id(c, d), "ROOT\\LEGACY_"))
            continue;
        bool critical = dv->class_guid && c->critical[d];
        bl_severity sev = critical ? (unsure ? BL_SEV_WARNING : BL_SEV_ERROR) : BL_SEV_INFO;
        bl_finding *f = bl_finding_add(out, "device-driver-missing", sev, dev_id(c, d),
                                       "%s names function driver \"%s\", which has no service key: the device "
                                       "cannot start%s%s",
                                       dev_id(c, d), bl_model_str(m, dv->service),
                                       critical ? "" : " (often a leftover of a removed device)",
                                       unsure ? " (if it is really missing: part of Services is unreadable)" : "");
        bl_finding_device(f, dev_id(c, d));
        bl_finding_service(f, bl_model_str(m, dv->service));
        if (unsure)
            bl_finding_detail(f, DAMAGE_NOTE);
        ev_device(c, f, d, "Service");
    }
    /* Devices with no function driver at all (raw) whose children the
     * simulation could not start: nothing enumerates them. */
    uint32_t *nkids = bl_xcalloc(m->ndevices ? m->ndevices : 1, sizeof *nkids);
    for (uint32_t d = 0; d < m->ndevices; d++)
        if (c->t->devices[d].block == BL_BLOCK_PARENT_RAW)
            nkids[c->t->devices[d].blocked_by]++;
    /* The first few children of each raw parent, collected in one pass. */
    uint32_t *kids = bl_xmalloc((m->ndevices ? m->ndevices : 1) * 8 * sizeof *kids);
    uint32_t *nk = bl_xcalloc(m->ndevices ? m->ndevices : 1, sizeof *nk);
    for (uint32_t d = 0; d < m->ndevices; d++) {
        if (c->t->devices[d].block != BL_BLOCK_PARENT_RAW)
            continue;
        uint32_t p = c->t->devices[d].blocked_by;
        if (nk[p] < 8)
            kids[p * 8 + nk[p]++] = d;
    }
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
        for (uint32_t k = 0; k < nk[p]; k++) {
            bl_finding_device(f, dev_id(c, kids[p * 8 + k]));
            bl_finding_detail(f, "Not enumerated: %s (ParentIdPrefix of %s).", dev_id(c, kids[p * 8 + k]),
                              dev_id(c, p));
        }
        bl_finding_detail(f, "A bus device's children are created by its function driver; a device running "
                             "raw has none, so its children never appear.");
        ev_device(c, f, p, "Service");
        ev_device(c, f, p, "ParentIdPrefix");
    }
    free(kids);
    free(nk);
    free(nkids);
}

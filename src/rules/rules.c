/* rules.c — the rule catalogue and runner, and the helpers rules share:
 * which devices are needed to boot, when a driver's device is ready, and
 * what a driver needs at its initialization (knowledge facts followed
 * through `calls`, plus the dependencies its vendor declared). */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    bl_rule_info info;
    rule_fn fn;
} catalogue[] = {
    {{"filter-delays-device", "A filter initializes after the devices it filters, holding them back; "
                              "error when a boot driver initializing in the gap needs them"},
     rule_filter_delays_device},
    {{"boot-filter-pulled-early", "A boot-start filter PnP pulls forward for a device runs ahead of a driver "
                                  "it needs, which would have initialized before its own turn"},
     rule_boot_filter_pulled_early},
    {{"missing-filter-service", "A class or device filter names a service that does not exist"},
     rule_missing_filter_service},
    {{"disabled-filter", "A class or device filter's service is disabled (Start=4)"},
     rule_disabled_filter},
    {{"nonboot-filter-on-boot-class", "A filter that is not boot-start sits on a device needed in the "
                                      "boot phase, so the device cannot start there"},
     rule_nonboot_filter_on_boot_class},
    {{"group-not-in-service-group-order", "A boot or system driver's Group is not in "
                                          "ServiceGroupOrder: it loads after every listed group"},
     rule_group_not_in_service_group_order},
    {{"tag-not-in-group-order-list", "A driver's Tag is not in its group's GroupOrderList: it loads "
                                     "after the listed tags"},
     rule_tag_not_in_group_order_list},
    {{"duplicate-tag", "Two drivers of one group share a Tag: their order falls back to registry order"},
     rule_duplicate_tag},
    {{"boot-driver-dependency-ignored", "A boot driver declares dependencies, which the loader ignores"},
     rule_boot_driver_dependency_ignored},
    {{"missing-dependency", "A service depends on a service or group that does not exist"},
     rule_missing_dependency},
    {{"dependency-cycle", "Services depend on each other in a cycle: the SCM starts none of them"},
     rule_dependency_cycle},
    {{"dependency-starts-later", "A driver depends on a service that initializes after it (or never)"},
     rule_dependency_starts_later},
    {{"dependency-group-skipped", "The kernel skips a boot or system driver at its turn: a DependOnGroup group "
                                  "was tried and none of it loaded"},
     rule_dependency_group_skipped},
    {{"dirty-hive", "The hive has unflushed changes in its transaction logs"}, rule_dirty_hive},
    {{"hive-damaged", "Parts of the hive could not be read: the analysis is partial"},
     rule_hive_damaged},
    {{"driver-image-user-writable", "A driver or service image lives in a user-writable location"},
     rule_driver_image_user_writable},
    {{"device-driver-missing", "A device's function driver has no service key"},
     rule_device_driver_missing},
    {{"registry-anomaly", "A value has an unexpected type or content (read tolerantly)"},
     rule_registry_anomaly},
    /* ---- file-system filter stack (altitude.c) ---- */
    {{"altitude-inversion", "A legacy file-system filter sits above a minifilter of higher altitude "
                            "(it loaded first, and fltmgr frames can only go on top)"},
     rule_altitude_inversion},
    {{"altitude-out-of-group-range", "A minifilter's altitude is outside its load-order group's range; "
                                     "warning when a legacy filter lies between the two"},
     rule_altitude_out_of_group_range},
    {{"duplicate-altitude", "Two minifilter instances share an altitude: fltmgr refuses the second"},
     rule_duplicate_altitude},
    {{"minifilter-altitude-missing", "A minifilter has no instance, or an instance without a decimal "
                                     "Altitude: it cannot register or attach"},
     rule_minifilter_altitude_missing},
    {{"minifilter-loads-before-fltmgr", "A minifilter loads before FltMgr, or FltMgr never loads: it has "
                                        "nothing to register with"},
     rule_minifilter_loads_before_fltmgr},
    /* ---- end of file-system filter stack ---- */
};

static bl_rule_info catalogue_infos[BL_ARRAY_LEN(catalogue)];
static pthread_once_t catalogue_once = PTHREAD_ONCE_INIT;

static void catalogue_init(void)
{
    for (size_t i = 0; i < BL_ARRAY_LEN(catalogue); i++)
        catalogue_infos[i] = catalogue[i].info;
}

const bl_rule_info *bl_rule_catalogue(uint32_t *n)
{
    /* Batch workers may ask at the same time. */
    pthread_once(&catalogue_once, catalogue_init);
    *n = (uint32_t)BL_ARRAY_LEN(catalogue);
    return catalogue_infos;
}

void bl_rules_run(const bl_model *m, const bl_timeline *t, const bl_rules_options *opt,
                  bl_findings *out)
{
    rule_ctx c;
    rule_ctx_init(&c, m, t, opt ? opt->knowledge : NULL, opt ? opt->hive : NULL);
    for (size_t i = 0; i < BL_ARRAY_LEN(catalogue); i++) {
        if (opt && opt->only_rule && strcmp(opt->only_rule, catalogue[i].info.id) != 0)
            continue;
        catalogue[i].fn(&c, out);
    }
    rule_ctx_free(&c);
    if (!opt || !opt->no_fixes)
        bl_fixes_search(m, t, opt, out);
    else
        bl_fixes_discard(out);
    bl_findings_sort(out);
}

/* ---- context ---- */

static bool class_is_storage(const bl_model *m, bl_str guid)
{
    static const char *const storage[] = {BL_GUID_DISKDRIVE, BL_GUID_HDC, BL_GUID_SCSIADAPTER,
                                          BL_GUID_VOLUME};
    const char *g = bl_model_str(m, guid);
    for (size_t i = 0; i < BL_ARRAY_LEN(storage); i++)
        if (bl_fold_eq(g, storage[i]))
            return true;
    return false;
}

static uint32_t build_requirements(rule_ctx *c);

void rule_ctx_init(rule_ctx *c, const bl_model *m, const bl_timeline *t, const bl_knowledge *k,
                   const bl_hive_info *hive)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->t = t;
    c->k = k;
    c->hive = hive;
    uint32_t nd = m->ndevices ? m->ndevices : 1, ns = m->nservices ? m->nservices : 1;
    c->critical = bl_xcalloc(nd, 1);
    c->first_start = bl_xmalloc(ns * sizeof *c->first_start);
    c->has_devices = bl_xcalloc(ns, sizeof *c->has_devices);
    c->function = bl_xmalloc(nd * sizeof *c->function);
    c->device_class = bl_xmalloc(nd * sizeof *c->device_class);
    for (uint32_t i = 0; i < m->nservices; i++)
        c->first_start[i] = BL_NONE;
    for (uint32_t i = 0; i < m->ndevices; i++) {
        const bl_device *d = &m->devices[i];
        c->function[i] = d->service ? bl_model_find_service_id(m, d->service) : BL_NONE;
        c->device_class[i] = d->class_guid ? bl_model_find_class_id(m, d->class_guid) : BL_NONE;
    }
    /* Boot-critical devices: storage-class devices whose function driver
     * Windows loads at boot (the boot disk is one of them; we cannot tell
     * which), and every ancestor of such a device.  The walk up stops at an
     * ancestor already marked: linear in the devices. */
    for (uint32_t i = 0; i < m->ndevices; i++) {
        const bl_device *d = &m->devices[i];
        uint32_t fn = c->function[i];
        if (fn != BL_NONE) {
            c->has_devices[fn] = true;
            const bl_device_start *ds = &t->devices[i];
            if (ds->phase == BL_PHASE_BOOT && ds->slot < c->first_start[fn])
                c->first_start[fn] = ds->slot;
        }
        if (!d->class_guid || !class_is_storage(m, d->class_guid) || fn == BL_NONE)
            continue;
        if (t->services[fn].phase != BL_PHASE_BOOT)
            continue;
        for (uint32_t p = i, depth = 0; p != BL_NONE && !c->critical[p] && depth <= m->ndevices;
             p = m->devices[p].parent, depth++)
            c->critical[p] = 1;
    }
    build_requirements(c);
}

void rule_ctx_free(rule_ctx *c)
{
    free(c->critical);
    free(c->first_start);
    free(c->has_devices);
    free(c->function);
    free(c->device_class);
    requirements_free(c->reqs, c->nreqs);
    free(c->reqs_first);
    free(c->reqs_by_needs);
}

const char *svc_name(const rule_ctx *c, uint32_t svc)
{
    return bl_model_service_name(c->m, svc);
}

const char *dev_id(const rule_ctx *c, uint32_t dev)
{
    return bl_model_str(c->m, c->m->devices[dev].instance_id);
}

/* "oem12.inf": the name Windows gives a third-party INF it publishes. */
static bool oem_inf(const char *name)
{
    if (!bl_fold_has_prefix(name, "oem"))
        return false;
    const char *p = name + 3;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    return bl_fold_eq(p, ".inf");
}

uint8_t svc_origin(const rule_ctx *c, uint32_t svc)
{
    const bl_model *m = c->m;
    if (svc == BL_NONE)
        return BL_ORIGIN_UNKNOWN;
    if (bl_knowledge_is_inbox(c->k, svc_name(c, svc), m->windows))
        return BL_ORIGIN_INBOX_KNOWN;
    /* Windows 10 records the INFs that installed a service (Owners): a
     * third-party INF is published as oemNN.inf, an inbox one keeps its name
     * (%windir%\INF\machine.inf...).  One inbox owner is enough: a vendor
     * INF may also name an inbox service it uses (mouclass). */
    bl_vec o = m->services[svc].owners;
    uint32_t n = bl_pool_vec_len(m->pool, o);
    const uint32_t *it = bl_pool_vec_items(m->pool, o);
    bool third = false;
    for (uint32_t i = 0; i < n; i++) {
        if (!oem_inf(bl_model_str(m, it[i])))
            return BL_ORIGIN_INBOX_OWNERS;
        third = true;
    }
    return third ? BL_ORIGIN_THIRD_PARTY : BL_ORIGIN_UNKNOWN;
}

bool svc_is_inbox(const rule_ctx *c, uint32_t svc)
{
    uint8_t o = svc_origin(c, svc);
    return o == BL_ORIGIN_INBOX_KNOWN || o == BL_ORIGIN_INBOX_OWNERS;
}

uint32_t service_ready_slot(const rule_ctx *c, uint32_t svc)
{
    if (svc == BL_NONE)
        return BL_NONE;
    if (c->has_devices[svc])
        return c->first_start[svc];
    const bl_service_state *st = &c->t->services[svc];
    if (st->load == BL_NONE || st->phase != BL_PHASE_BOOT)
        return BL_NONE;
    return c->t->loads[st->load].position;
}

static void vec_text(const bl_model *m, bl_vec v, bl_sb *sb);

void ev_service(const rule_ctx *c, bl_finding *f, uint32_t svc, const char *value)
{
    bl_sb p = {0};
    bl_model_service_path(c->m, &p, svc);
    const bl_service *s = &c->m->services[svc];
    if (!value) {
        bl_finding_evidence(f, bl_sb_str(&p), NULL);
    } else if (bl_fold_eq(value, "Start")) {
        if (s->has_start_override)
            bl_finding_evidence(f, bl_sb_str(&p), "Start = %d, StartOverride\\%u = %u (%s)",
                                s->start_value, c->m->hardware_config_id, s->start_override,
                                bl_start_name(s->start));
        else
            bl_finding_evidence(f, bl_sb_str(&p), "Start = %d (%s)", s->start, bl_start_name(s->start));
    } else if (bl_fold_eq(value, "Group")) {
        bl_finding_evidence(f, bl_sb_str(&p), "Group = \"%s\"", bl_model_str(c->m, s->group));
    } else if (bl_fold_eq(value, "Tag")) {
        if (s->has_tag)
            bl_finding_evidence(f, bl_sb_str(&p), "Tag = %u", s->tag);
    } else if (bl_fold_eq(value, "ImagePath")) {
        bl_finding_evidence(f, bl_sb_str(&p), "ImagePath = \"%s\"", bl_model_str(c->m, s->image_path));
    } else if (bl_fold_eq(value, "DependOnService") || bl_fold_eq(value, "DependOnGroup")) {
        bl_vec v = bl_fold_eq(value, "DependOnService") ? s->depend_on_service : s->depend_on_group;
        bl_sb list = {0};
        vec_text(c->m, v, &list);
        bl_finding_evidence(f, bl_sb_str(&p), "%s = %s", value, bl_sb_str(&list));
        bl_sb_free(&list);
    }
    bl_finding_evidence_written(f, bl_sb_str(&p), s->last_written);
    bl_sb_free(&p);
}

/* A list value for evidence: its first 16 entries (a hostile list of
 * thousands, quoted in every finding about it, would cost more than the
 * analysis). */
static void vec_text(const bl_model *m, bl_vec v, bl_sb *sb)
{
    uint32_t n = bl_pool_vec_len(m->pool, v);
    const uint32_t *it = bl_pool_vec_items(m->pool, v);
    bl_sb_addc(sb, '[');
    for (uint32_t i = 0; i < n && i < 16; i++)
        bl_sb_addf(sb, "%s\"%s\"", i ? ", " : "", bl_model_str(m, it[i]));
    if (n > 16)
        bl_sb_addf(sb, ", ... (%u more)", n - 16);
    bl_sb_addc(sb, ']');
}

void ev_class_filters(const rule_ctx *c, bl_finding *f, uint32_t cls, bool upper)
{
    bl_sb p = {0}, v = {0};
    bl_model_class_path(c->m, &p, cls);
    const bl_class *k = &c->m->classes[cls];
    vec_text(c->m, upper ? k->upper : k->lower, &v);
    bl_finding_evidence(f, bl_sb_str(&p), "%s = %s%s%s%s", upper ? "UpperFilters" : "LowerFilters",
                        bl_sb_str(&v), k->name ? " (Class = \"" : "",
                        k->name ? bl_model_str(c->m, k->name) : "", k->name ? "\")" : "");
    bl_finding_evidence_written(f, bl_sb_str(&p), k->last_written);
    bl_sb_free(&p);
    bl_sb_free(&v);
}

void ev_device(const rule_ctx *c, bl_finding *f, uint32_t dev, const char *value)
{
    bl_sb p = {0}, v = {0};
    bl_model_device_path(c->m, &p, dev);
    const bl_device *d = &c->m->devices[dev];
    if (!value)
        bl_finding_evidence(f, bl_sb_str(&p), NULL);
    else if (bl_fold_eq(value, "Service"))
        bl_finding_evidence(f, bl_sb_str(&p), "Service = \"%s\", ClassGUID = \"%s\"",
                            bl_model_str(c->m, d->service), bl_model_str(c->m, d->class_guid));
    else if (bl_fold_eq(value, "UpperFilters") || bl_fold_eq(value, "LowerFilters")) {
        vec_text(c->m, bl_fold_eq(value, "UpperFilters") ? d->upper : d->lower, &v);
        bl_finding_evidence(f, bl_sb_str(&p), "%s = %s", value, bl_sb_str(&v));
    } else if (bl_fold_eq(value, "ParentIdPrefix")) {
        bl_finding_evidence(f, bl_sb_str(&p), "ParentIdPrefix = \"%s\"", bl_model_str(c->m, d->parent_id_prefix));
    }
    bl_finding_evidence_written(f, bl_sb_str(&p), d->last_written);
    bl_sb_free(&p);
    bl_sb_free(&v);
}

/* ---- requirements ---- */

typedef struct req_walk {
    const rule_ctx *c;
    uint32_t who;
    requirement *v;
    uint32_t n, cap;
    const bl_fact **seen; /* facts already followed (cuts loops in the facts) */
    uint32_t nseen, capseen;
    uint32_t via[8];
    uint32_t nvia;
} req_walk;

/* Walks are short (a chain of `calls`), so the seen list is searched. */
static bool walk_seen(req_walk *w, const bl_fact *f)
{
    for (uint32_t i = 0; i < w->nseen; i++)
        if (w->seen[i] == f)
            return true;
    bl_grow((void **)&w->seen, sizeof *w->seen, &w->capseen, w->nseen + 1);
    w->seen[w->nseen++] = f;
    return false;
}

#define MAX_REQUIREMENTS_PER_DRIVER 64u

static void req_add(req_walk *w, uint32_t needs, const char *chain, const char *source)
{
    for (uint32_t i = 0; i < w->n; i++)
        if (w->v[i].needs == needs)
            return;
    if (w->n >= MAX_REQUIREMENTS_PER_DRIVER)
        return;
    bl_grow((void **)&w->v, sizeof *w->v, &w->cap, w->n + 1);
    memcpy(w->v[w->n].via, w->via, sizeof w->via);
    w->v[w->n].nvia = w->nvia;
    w->v[w->n].who = w->who;
    w->v[w->n].needs = needs;
    w->v[w->n].chain = bl_xstrdup(chain);
    w->v[w->n].source = bl_xstrdup(source);
    w->n++;
}

/* Follows what `name` needs when called (needs-device, and what it calls),
 * appending requirements; `chain` describes how we got here. */
static void follow_called(req_walk *w, const char *name, const char *chain, int depth)
{
    if (depth > 32)
        return;
    const bl_fact *f;
    uint32_t nf = bl_knowledge_about(w->c->k, name, &f);
    uint8_t family = w->c->m->windows;
    for (uint32_t i = 0; i < nf; i++) {
        if (!bl_fact_holds(&f[i], family))
            continue;
        if (f[i].relation == BL_REL_NEEDS_DEVICE) {
            uint32_t t = bl_model_find_service(w->c->m, f[i].target);
            if (t == BL_NONE || walk_seen(w, &f[i]))
                continue;
            bl_sb ch = {0};
            bl_sb_addf(&ch, "%s, which needs %s's device", chain, svc_name(w->c, t));
            req_add(w, t, bl_sb_str(&ch), f[i].source);
            bl_sb_free(&ch);
        } else if (f[i].relation == BL_REL_CALLS) {
            if (walk_seen(w, &f[i]))
                continue;
            uint32_t t = bl_model_find_service(w->c->m, f[i].target);
            bl_sb ch = {0};
            bl_sb_addf(&ch, "%s, which calls %s", chain, t != BL_NONE ? svc_name(w->c, t) : f[i].target);
            uint32_t saved = w->nvia;
            if (t != BL_NONE && w->nvia < BL_ARRAY_LEN(w->via))
                w->via[w->nvia++] = t;
            follow_called(w, f[i].target, bl_sb_str(&ch), depth + 1);
            w->nvia = saved;
            bl_sb_free(&ch);
        }
    }
}

uint32_t driver_requirements(const rule_ctx *c, uint32_t svc, requirement **out)
{
    const bl_model *m = c->m;
    req_walk w = {0};
    w.c = c;
    w.who = svc;
    const char *name = svc_name(c, svc);
    const bl_fact *f;
    uint32_t nf = bl_knowledge_about(c->k, name, &f);
    uint8_t family = m->windows;
    for (uint32_t i = 0; i < nf; i++) {
        if (!bl_fact_holds(&f[i], family))
            continue;
        if (f[i].relation == BL_REL_INIT_NEEDS_DEVICE) {
            uint32_t t = bl_model_find_service(m, f[i].target);
            if (t != BL_NONE) {
                bl_sb ch = {0};
                bl_sb_addf(&ch, "%s needs %s's device at initialization", name, svc_name(c, t));
                req_add(&w, t, bl_sb_str(&ch), f[i].source);
                bl_sb_free(&ch);
            }
        } else if (f[i].relation == BL_REL_CALLS) {
            uint32_t t = bl_model_find_service(m, f[i].target);
            bl_sb ch = {0};
            bl_sb_addf(&ch, "%s calls %s", name, t != BL_NONE ? svc_name(c, t) : f[i].target);
            walk_seen(&w, &f[i]);
            w.nvia = 0;
            if (t != BL_NONE)
                w.via[w.nvia++] = t;
            follow_called(&w, f[i].target, bl_sb_str(&ch), 1);
            w.nvia = 0;
            bl_sb_free(&ch);
        }
    }
    /* A dependency the vendor declared: the driver needs that service, and
     * the service's device when it drives one. */
    const bl_service *s = &m->services[svc];
    uint32_t nd = bl_pool_vec_len(m->pool, s->depend_on_service);
    const uint32_t *deps = bl_pool_vec_items(m->pool, s->depend_on_service);
    for (uint32_t i = 0; i < nd && w.n < MAX_REQUIREMENTS_PER_DRIVER; i++) {
        uint32_t t = bl_model_find_service_id(m, deps[i]);
        if (t == BL_NONE || t == svc || !c->has_devices[t])
            continue;
        bl_sb ch = {0}, src = {0};
        bl_sb_addf(&ch, "%s declares DependOnService %s (it drives a device)", name, svc_name(c, t));
        bl_model_service_path(m, &src, svc);
        bl_sb_add(&src, "\\DependOnService");
        req_add(&w, t, bl_sb_str(&ch), bl_sb_str(&src));
        bl_sb_free(&ch);
        bl_sb_free(&src);
    }
    free(w.seen);
    *out = w.v;
    return w.n;
}

/* Every boot-phase driver's requirements, indexed by what they need. */
static uint32_t build_requirements(rule_ctx *c)
{
    const bl_timeline *t = c->t;
    uint32_t cap = 0;
    for (uint32_t i = 0; i < t->boot_count; i++) {
        requirement *r;
        uint32_t n = driver_requirements(c, t->loads[i].service, &r);
        if (n) {
            bl_grow((void **)&c->reqs, sizeof *c->reqs, &cap, c->nreqs + n);
            memcpy(&c->reqs[c->nreqs], r, n * sizeof *r);
            c->nreqs += n;
        }
        free(r);
    }
    uint32_t ns = c->m->nservices;
    c->reqs_first = bl_xcalloc(ns + 1, sizeof *c->reqs_first);
    c->reqs_by_needs = bl_xmalloc((c->nreqs ? c->nreqs : 1) * sizeof *c->reqs_by_needs);
    for (uint32_t i = 0; i < c->nreqs; i++)
        c->reqs_first[c->reqs[i].needs + 1]++;
    for (uint32_t s = 0; s < ns; s++)
        c->reqs_first[s + 1] += c->reqs_first[s];
    uint32_t *fill = bl_xmalloc((ns ? ns : 1) * sizeof *fill);
    memcpy(fill, c->reqs_first, ns * sizeof *fill);
    for (uint32_t i = 0; i < c->nreqs; i++)
        c->reqs_by_needs[fill[c->reqs[i].needs]++] = i;
    free(fill);
    return c->nreqs;
}

uint32_t requirements_on(const rule_ctx *c, uint32_t fn, const uint32_t **idx)
{
    if (fn == BL_NONE || fn >= c->m->nservices) {
        *idx = NULL;
        return 0;
    }
    *idx = &c->reqs_by_needs[c->reqs_first[fn]];
    return c->reqs_first[fn + 1] - c->reqs_first[fn];
}

void propose_fix(bl_finding *f, const char *summary, bl_change *changes, uint32_t n)
{
    f->fixes = bl_xrealloc(f->fixes, (f->nfixes + 1) * sizeof *f->fixes);
    bl_fix *x = &f->fixes[f->nfixes++];
    x->summary = bl_xstrdup(summary);
    x->changes = changes;
    x->nchanges = n;
    x->verification = NULL;
}

void requirements_free(requirement *r, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        free(r[i].chain);
        free(r[i].source);
    }
    free(r);
}

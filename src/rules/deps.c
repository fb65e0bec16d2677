/* deps.c — rules about declared dependencies (DependOnService,
 * DependOnGroup): declarations the boot loader ignores, missing targets,
 * cycles, and dependencies that initialize after their dependent. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static bool group_has_members(const bl_model *m, bl_str group, uint32_t except)
{
    bl_str f = bl_pool_fold(m->pool, group);
    for (uint32_t i = 0; i < m->nservices; i++)
        if (i != except && m->services[i].group && bl_pool_fold(m->pool, m->services[i].group) == f)
            return true;
    return false;
}

/* Position of the first loaded member of a group, or 0. */
static uint32_t group_first_position(const rule_ctx *c, bl_str group, uint32_t except)
{
    const bl_model *m = c->m;
    bl_str f = bl_pool_fold(m->pool, group);
    uint32_t best = 0;
    for (uint32_t i = 0; i < m->nservices; i++) {
        if (i == except || !m->services[i].group || bl_pool_fold(m->pool, m->services[i].group) != f)
            continue;
        uint32_t p = bl_timeline_position(c->t, i);
        if (p && (!best || p < best))
            best = p;
    }
    return best;
}

/* Describes when dependency dep loads relative to position p; true if it is
 * initialized before p. */
static bool dep_before(const rule_ctx *c, uint32_t dep, uint32_t p, bl_sb *why)
{
    uint32_t dp = bl_timeline_position(c->t, dep);
    if (dp && dp < p)
        return true;
    const bl_service_state *st = &c->t->services[dep];
    if (dp)
        bl_sb_addf(why, "%s initializes later (slot %u, %s phase)", svc_name(c, dep), dp,
                   bl_phase_name(st->phase));
    else
        bl_sb_addf(why, "%s is not loaded during boot (%s)", svc_name(c, dep),
                   st->phase == BL_PHASE_NEVER ? bl_block_text(st->block) : "demand start");
    return false;
}

/* The checks of boot-driver-dependency-ignored and dependency-starts-later:
 * drivers loaded by group and tag (boot, system phases) whose declared
 * dependencies are not initialized before them. */
static void declared_vs_order(const rule_ctx *c, bl_findings *out, bool boot)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_load *l = &t->loads[i];
        if (boot ? l->phase != BL_PHASE_BOOT : l->phase != BL_PHASE_SYSTEM)
            continue;
        const bl_service *s = &m->services[l->service];
        uint32_t nds = bl_pool_vec_len(m->pool, s->depend_on_service);
        uint32_t ndg = bl_pool_vec_len(m->pool, s->depend_on_group);
        if (!nds && !ndg)
            continue;
        bl_sb late = {0}, list = {0};
        uint32_t nlate = 0;
        const uint32_t *ds = bl_pool_vec_items(m->pool, s->depend_on_service);
        for (uint32_t k = 0; k < nds; k++) {
            uint32_t dep = bl_model_find_service_id(m, ds[k]);
            bl_sb_addf(&list, "%s%s", list.len ? ", " : "", bl_model_str(m, ds[k]));
            if (dep == BL_NONE || dep == l->service)
                continue; /* missing: the missing-dependency rule */
            bl_sb why = {0};
            if (!dep_before(c, dep, l->position, &why)) {
                bl_sb_addf(&late, "%s%s", nlate ? "; " : "", bl_sb_str(&why));
                nlate++;
            }
            bl_sb_free(&why);
        }
        const uint32_t *dg = bl_pool_vec_items(m->pool, s->depend_on_group);
        for (uint32_t k = 0; k < ndg; k++) {
            bl_sb_addf(&list, "%sgroup %s", list.len ? ", " : "", bl_model_str(m, dg[k]));
            if (!group_has_members(m, dg[k], l->service))
                continue;
            uint32_t gp = group_first_position(c, dg[k], l->service);
            if (!gp || gp > l->position) {
                bl_sb_addf(&late, "%sno member of group \"%s\" is initialized before it", nlate ? "; " : "",
                           bl_model_str(m, dg[k]));
                nlate++;
            }
        }
        bl_sb subject = {0};
        bl_sb_addf(&subject, "%s", bl_model_str(m, s->name));
        bl_finding *f = NULL;
        if (boot) {
            f = bl_finding_add(out, "boot-driver-dependency-ignored", nlate ? BL_SEV_WARNING : BL_SEV_INFO,
                               bl_sb_str(&subject),
                               "boot driver %s declares dependencies (%s), which the loader ignores%s%s",
                               bl_model_str(m, s->name), bl_sb_str(&list),
                               nlate ? ": " : "; group and tag order happen to satisfy them",
                               nlate ? bl_sb_str(&late) : "");
        } else if (nlate) {
            f = bl_finding_add(out, "dependency-starts-later", BL_SEV_WARNING, bl_sb_str(&subject),
                               "system-start driver %s depends on %s, but %s",
                               bl_model_str(m, s->name), bl_sb_str(&list), bl_sb_str(&late));
            bl_finding_detail(f, "The kernel loads system-start drivers by group and tag; it does not "
                                 "wait for declared dependencies.");
        }
        if (f) {
            bl_finding_service(f, bl_model_str(m, s->name));
            for (uint32_t k = 0; k < nds; k++)
                bl_finding_service(f, bl_model_str(m, ds[k]));
            if (nds)
                ev_service(c, f, l->service, "DependOnService");
            if (ndg)
                ev_service(c, f, l->service, "DependOnGroup");
            ev_service(c, f, l->service, "Start");
        }
        bl_sb_free(&subject);
        bl_sb_free(&late);
        bl_sb_free(&list);
    }
}

void rule_boot_driver_dependency_ignored(const rule_ctx *c, bl_findings *out)
{
    declared_vs_order(c, out, true);
}

void rule_dependency_starts_later(const rule_ctx *c, bl_findings *out)
{
    declared_vs_order(c, out, false);
}

void rule_missing_dependency(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        if (s->start == BL_START_DISABLED || s->start == BL_START_UNKNOWN)
            continue;
        /* Boot and system drivers ignore declarations; the SCM enforces them. */
        bool enforced = s->start >= BL_START_AUTO || !bl_service_is_driver(s);
        bl_severity sev = !enforced ? BL_SEV_INFO
                          : s->start == BL_START_AUTO ? BL_SEV_ERROR
                                                      : BL_SEV_WARNING;
        uint32_t nds = bl_pool_vec_len(m->pool, s->depend_on_service);
        const uint32_t *ds = bl_pool_vec_items(m->pool, s->depend_on_service);
        for (uint32_t k = 0; k < nds; k++) {
            if (bl_model_find_service_id(m, ds[k]) != BL_NONE)
                continue;
            bl_sb subject = {0};
            bl_sb_addf(&subject, "%s:%s", bl_model_str(m, s->name), bl_model_str(m, ds[k]));
            bl_finding *f = bl_finding_add(
                out, "missing-dependency", sev, bl_sb_str(&subject),
                "%s depends on service \"%s\", which does not exist%s", bl_model_str(m, s->name),
                bl_model_str(m, ds[k]),
                !enforced ? " (ignored for a boot/system driver)"
                : s->start == BL_START_AUTO ? ": the SCM will not start it at boot (error 1075)"
                                            : ": it will fail to start when requested (error 1075)");
            bl_finding_service(f, bl_model_str(m, s->name));
            ev_service(c, f, i, "DependOnService");
            ev_service(c, f, i, "Start");
            /* Fix: drop the stale entry. */
            bl_change *ch = bl_xcalloc(1, sizeof *ch);
            bl_sb key = {0};
            bl_sb_addf(&key, "Services\\%s", bl_model_str(m, s->name));
            bl_change_list_without(ch, bl_sb_str(&key), "DependOnService", m, s->depend_on_service,
                                   bl_model_str(m, ds[k]));
            bl_sb sum = {0};
            bl_sb_addf(&sum, "Remove \"%s\" from %s's DependOnService", bl_model_str(m, ds[k]),
                       bl_model_str(m, s->name));
            propose_fix(f, bl_sb_str(&sum), ch, 1);
            bl_sb_free(&sum);
            bl_sb_free(&key);
            bl_sb_free(&subject);
        }
        uint32_t ndg = bl_pool_vec_len(m->pool, s->depend_on_group);
        const uint32_t *dg = bl_pool_vec_items(m->pool, s->depend_on_group);
        for (uint32_t k = 0; k < ndg; k++) {
            if (group_has_members(m, dg[k], i))
                continue;
            bl_sb subject = {0};
            bl_sb_addf(&subject, "%s:group:%s", bl_model_str(m, s->name), bl_model_str(m, dg[k]));
            bl_finding *f = bl_finding_add(out, "missing-dependency", sev > BL_SEV_WARNING ? BL_SEV_WARNING : sev,
                                           bl_sb_str(&subject),
                                           "%s depends on group \"%s\", which has no member service",
                                           bl_model_str(m, s->name), bl_model_str(m, dg[k]));
            bl_finding_service(f, bl_model_str(m, s->name));
            ev_service(c, f, i, "DependOnGroup");
            bl_sb_free(&subject);
        }
    }
}

void rule_dependency_cycle(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    for (uint32_t i = 0; i < t->ncycles; i++) {
        uint32_t n = bl_pool_vec_len(m->pool, t->cycles[i]);
        const uint32_t *svc = bl_pool_vec_items(m->pool, t->cycles[i]);
        bl_sb chain = {0}, subject = {0};
        /* Identity independent of where the walk entered the cycle. */
        uint32_t first = 0;
        for (uint32_t k = 1; k < n; k++)
            if (bl_registry_name_cmp(svc_name(c, svc[k]), svc_name(c, svc[first])) < 0)
                first = k;
        for (uint32_t k = 0; k < n; k++)
            bl_sb_addf(&chain, "%s -> ", svc_name(c, svc[k]));
        bl_sb_add(&chain, svc_name(c, svc[0]));
        bl_sb_addf(&subject, "%s", svc_name(c, svc[first]));
        bl_finding *f = bl_finding_add(out, "dependency-cycle", BL_SEV_ERROR, bl_sb_str(&subject),
                                       "services depend on each other in a cycle (%s): the SCM starts none "
                                       "of them (error 1059)",
                                       bl_sb_str(&chain));
        for (uint32_t k = 0; k < n; k++) {
            bl_finding_service(f, svc_name(c, svc[k]));
            ev_service(c, f, svc[k], "DependOnService");
        }
        /* Fix: break the edge from the last member back to the first. */
        const bl_service *last = &m->services[svc[n - 1]];
        if (bl_pool_vec_find_folded(m->pool, last->depend_on_service, m->services[svc[0]].key) >= 0) {
            bl_change *ch = bl_xcalloc(1, sizeof *ch);
            bl_sb key = {0};
            bl_sb_addf(&key, "Services\\%s", svc_name(c, svc[n - 1]));
            bl_change_list_without(ch, bl_sb_str(&key), "DependOnService", m, last->depend_on_service,
                                   svc_name(c, svc[0]));
            bl_sb sum = {0};
            bl_sb_addf(&sum, "Remove \"%s\" from %s's DependOnService", svc_name(c, svc[0]),
                       svc_name(c, svc[n - 1]));
            propose_fix(f, bl_sb_str(&sum), ch, 1);
            bl_sb_free(&sum);
            bl_sb_free(&key);
        }
        bl_sb_free(&chain);
        bl_sb_free(&subject);
    }
}

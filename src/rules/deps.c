/* deps.c — rules about declared dependencies (DependOnService,
 * DependOnGroup): what the kernel ignores (DependOnService of boot and
 * system drivers) and what it enforces (DependOnGroup: PipCheckDependencies
 * skips the driver), missing targets, cycles, and dependencies that
 * initialize after their dependent.  Severity follows who enforces the
 * declaration: the SCM fails a service whose dependency is missing (error
 * 1075), the kernel does not; a WDF class extension is bound by the
 * framework at run time whatever is declared. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Members of each group (folded name), counted once per rule: the rules
 * ask about every declaration of every service. */
typedef struct groups_index {
    bl_map index;        /* folded group -> entry + 1 */
    uint32_t *count;     /* members */
    uint32_t *first_pos; /* earliest timeline position of a member, 0 when none loads */
    uint32_t n;
} groups_index;

static void groups_index_build(groups_index *g, const rule_ctx *c)
{
    const bl_model *m = c->m;
    memset(g, 0, sizeof *g);
    uint32_t ns = m->nservices ? m->nservices : 1;
    g->count = bl_xcalloc(ns, sizeof *g->count);
    g->first_pos = bl_xcalloc(ns, sizeof *g->first_pos);
    for (uint32_t i = 0; i < m->nservices; i++) {
        bl_str f = bl_pool_fold(m->pool, m->services[i].group);
        if (!f)
            continue;
        uint32_t v;
        if (!bl_map_get(&g->index, f, &v)) {
            v = ++g->n;
            bl_map_put(&g->index, f, v);
        }
        g->count[v - 1]++;
        uint32_t p = bl_timeline_position(c->t, i);
        if (p && (!g->first_pos[v - 1] || p < g->first_pos[v - 1]))
            g->first_pos[v - 1] = p;
    }
}

static void groups_index_free(groups_index *g)
{
    bl_map_free(&g->index);
    free(g->count);
    free(g->first_pos);
}

/* Members of the group named `name`, not counting `except` when it is one. */
static uint32_t group_members(const groups_index *g, const rule_ctx *c, bl_str name, uint32_t except)
{
    uint32_t v;
    bl_str f = bl_pool_fold(c->m->pool, name);
    if (!f || !bl_map_get(&g->index, f, &v))
        return 0;
    uint32_t n = g->count[v - 1];
    if (except != BL_NONE && bl_pool_fold(c->m->pool, c->m->services[except].group) == f)
        n--;
    return n;
}

static uint32_t group_first_position(const groups_index *g, const rule_ctx *c, bl_str name)
{
    uint32_t v;
    bl_str f = bl_pool_fold(c->m->pool, name);
    return f && bl_map_get(&g->index, f, &v) ? g->first_pos[v - 1] : 0;
}

static bool is_class_extension(const rule_ctx *c, const char *name)
{
    return bl_knowledge_has(c->k, name, BL_REL_CLASS_EXTENSION, c->m->windows);
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
        bl_sb_addf(why, "%s initializes later (slot %u, %s phase)", svc_name(c, dep), dp, bl_phase_name(st->phase));
    else
        bl_sb_addf(why, "%s is not loaded during boot (%s)", svc_name(c, dep),
                   st->phase == BL_PHASE_NEVER ? bl_block_text(st->block) : "demand start");
    return false;
}

/* A dependency boot-filter-pulled-early already explains: the dependent
 * was pulled forward, and the dependency's turn came before its own. */
static bool explained_by_pull(const rule_ctx *c, const bl_load *l, uint32_t dep)
{
    if (!(l->why & BL_WHY_PULLED))
        return false;
    uint32_t dturn = c->t->services[dep].turn;
    return dturn && dturn < c->t->services[l->service].turn;
}

/* Per service: in the stack (function or filter) of a device on the boot
 * disk path.  One pass over those stacks. */
static uint8_t *critical_stack_services(const rule_ctx *c)
{
    const bl_timeline *t = c->t;
    uint8_t *v = bl_xcalloc(c->m->nservices ? c->m->nservices : 1, 1);
    for (uint32_t d = 0; d < c->m->ndevices; d++) {
        if (!c->critical[d])
            continue;
        const bl_device_start *ds = &t->devices[d];
        for (uint32_t k = 0; k < ds->stack_count; k++)
            if (t->stack[ds->stack_first + k].service != BL_NONE)
                v[t->stack[ds->stack_first + k].service] = 1;
    }
    return v;
}

/* The checks of boot-driver-dependency-ignored and dependency-starts-later:
 * drivers loaded by group and tag (boot, system phases) whose declared
 * service dependencies are not initialized before them (the kernel ignores
 * DependOnService), and whose group dependencies pass the kernel's check
 * only because the group had no turn yet. */
/* mode IGNORED: boot drivers' DependOnService (boot-driver-dependency-ignored);
 * mode LATER: system drivers' DependOnService, and boot and system
 * drivers' DependOnGroup (dependency-starts-later). */
enum { IGNORED, LATER };

static void declared_vs_order(const rule_ctx *c, const groups_index *gi, bl_findings *out, int mode)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_load *l = &t->loads[i];
        bool boot = l->phase == BL_PHASE_BOOT;
        if (!boot && l->phase != BL_PHASE_SYSTEM)
            continue;
        if (mode == IGNORED && !boot)
            continue;
        const bl_service *s = &m->services[l->service];
        /* Which declarations this mode looks at. */
        uint32_t nds = mode == IGNORED || !boot ? bl_pool_vec_len(m->pool, s->depend_on_service) : 0;
        uint32_t ndg = mode == LATER ? bl_pool_vec_len(m->pool, s->depend_on_group) : 0;
        if (!nds && !ndg)
            continue;
        bl_sb late = {0}, list = {0}, wdf = {0};
        uint32_t nlate = 0, nwdf = 0, npulled = 0;
        const uint32_t *ds = bl_pool_vec_items(m->pool, s->depend_on_service);
        for (uint32_t k = 0; k < nds && k < 64; k++) {
            uint32_t dep = bl_model_find_service_id(m, ds[k]);
            bl_sb_addf(&list, "%s%s", list.len ? ", " : "", bl_model_str(m, ds[k]));
            if (dep != BL_NONE && explained_by_pull(c, l, dep)) {
                npulled++; /* boot-filter-pulled-early says it */
                continue;
            }
            if (dep == BL_NONE || dep == l->service)
                continue; /* missing: the missing-dependency rule */
            bl_sb why = {0};
            if (!dep_before(c, dep, l->position, &why)) {
                if (is_class_extension(c, bl_model_str(m, ds[k]))) {
                    bl_sb_addf(&wdf, "%s%s", nwdf ? ", " : "", svc_name(c, dep));
                    nwdf++;
                } else {
                    bl_sb_addf(&late, "%s%s", nlate ? "; " : "", bl_sb_str(&why));
                    nlate++;
                }
            }
            bl_sb_free(&why);
        }
        /* Group dependencies the kernel let through because the group had
         * no turn yet (a skip is dependency-group-skipped's). */
        const uint32_t *dg = bl_pool_vec_items(m->pool, s->depend_on_group);
        uint32_t nglate = 0;
        for (uint32_t k = 0; k < ndg && k < 64; k++) {
            if (!group_members(gi, c, dg[k], l->service))
                continue; /* no member at all: missing-dependency */
            uint32_t gp = group_first_position(gi, c, dg[k]);
            if (!nds)
                bl_sb_addf(&list, "%sgroup \"%s\"", list.len ? ", " : "", bl_model_str(m, dg[k]));
            if (!gp || gp > l->position) {
                bl_sb_addf(&late, "%sno member of group \"%s\" is initialized before it (the kernel checks "
                                  "DependOnGroup only against groups that already had their turn)",
                           nlate ? "; " : "", bl_model_str(m, dg[k]));
                nlate++;
                nglate++;
            }
        }
        if ((!nds && !nglate) || (npulled && !nlate && !nwdf)) {
            bl_sb_free(&late);
            bl_sb_free(&list);
            bl_sb_free(&wdf);
            continue;
        }
        bool inbox = svc_is_inbox(c, l->service);
        bl_severity sev = nlate && !inbox ? BL_SEV_WARNING : BL_SEV_INFO;
        bl_finding *f = NULL;
        if (mode == IGNORED) {
            bl_sb tail = {0};
            if (nlate)
                bl_sb_addf(&tail, ": %s", bl_sb_str(&late));
            else if (nwdf)
                bl_sb_addf(&tail, "; %s %s a WDF class extension, which the framework loads and binds when %s "
                                  "initializes",
                           bl_sb_str(&wdf), nwdf == 1 ? "is" : "are", bl_model_str(m, s->name));
            else
                bl_sb_add(&tail, "; group and tag order happen to satisfy them");
            f = bl_finding_add(out, "boot-driver-dependency-ignored", sev, bl_model_str(m, s->name),
                               "boot driver %s declares DependOnService (%s), which the kernel ignores%s",
                               bl_model_str(m, s->name), bl_sb_str(&list), bl_sb_str(&tail));
            bl_sb_free(&tail);
            if (inbox && nlate)
                bl_finding_detail(f, "%s is a Windows inbox driver: its order is Windows' own design.",
                                  bl_model_str(m, s->name));
        } else if (nlate) {
            f = bl_finding_add(out, "dependency-starts-later", sev, bl_model_str(m, s->name),
                               "%s driver %s depends on %s, but %s", boot ? "boot" : "system-start",
                               bl_model_str(m, s->name), bl_sb_str(&list), bl_sb_str(&late));
            bl_finding_detail(f, "The kernel loads boot and system-start drivers by group and tag; it does not "
                                 "wait for declared service dependencies.");
        }
        if (f) {
            bl_finding_service(f, bl_model_str(m, s->name));
            for (uint32_t k = 0; k < nds && k < 16; k++)
                bl_finding_service(f, bl_model_str(m, ds[k]));
            if (nds)
                ev_service(c, f, l->service, "DependOnService");
            if (ndg)
                ev_service(c, f, l->service, "DependOnGroup");
            ev_service(c, f, l->service, "Start");
        }
        bl_sb_free(&late);
        bl_sb_free(&list);
        bl_sb_free(&wdf);
    }
}

void rule_boot_driver_dependency_ignored(const rule_ctx *c, bl_findings *out)
{
    groups_index gi;
    groups_index_build(&gi, c);
    declared_vs_order(c, &gi, out, IGNORED);
    groups_index_free(&gi);
}

void rule_dependency_starts_later(const rule_ctx *c, bl_findings *out)
{
    groups_index gi;
    groups_index_build(&gi, c);
    declared_vs_order(c, &gi, out, LATER);
    groups_index_free(&gi);
}

/* ---- dependency-group-skipped ---- */

/* Boot and system drivers the kernel skipped at their turn: a DependOnGroup
 * group had members tried and none loaded (PipCheckDependencies).  An error
 * when the driver is in the stack of a device on the boot disk path (it
 * then loads only in the PnP phase, after the boot); otherwise a warning. */
void rule_dependency_group_skipped(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    uint8_t *crit = NULL;
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service_state *st = &t->services[i];
        if (!st->skipped_for_group)
            continue;
        if (!crit)
            crit = critical_stack_services(c);
        bool critical = crit[i];
        const char *g = bl_model_str(m, st->skipped_for_group);
        bl_finding *f = bl_finding_add(
            out, "dependency-group-skipped", critical ? BL_SEV_ERROR : BL_SEV_WARNING, svc_name(c, i),
            "the kernel skips %s %s at its turn: it depends on group \"%s\", whose members were tried and none "
            "loaded%s",
            m->services[i].start == BL_START_SYSTEM ? "system-start driver" : "boot driver", svc_name(c, i), g,
            critical ? "; a device on the boot disk path needs it (INACCESSIBLE_BOOT_DEVICE)"
            : st->load != BL_NONE ? "; it loads only later, for a device"
                                  : "");
        bl_finding_service(f, svc_name(c, i));
        bl_finding_detail(f, "PipCheckDependencies fails a driver when a DependOnGroup group already had a "
                             "member's turn and none of its members loaded; a driver that names its own group "
                             "and is its first member fails that way.");
        ev_service(c, f, i, "DependOnGroup");
        ev_service(c, f, i, "Group");
        ev_service(c, f, i, "Tag");
        /* Fix: drop the group dependency (re-simulated). */
        bl_change *ch = bl_xcalloc(1, sizeof *ch);
        bl_sb key = {0}, sum = {0};
        bl_sb_addf(&key, "Services\\%s", svc_name(c, i));
        bl_change_list_without(ch, bl_sb_str(&key), "DependOnGroup", m, m->services[i].depend_on_group, g);
        bl_sb_addf(&sum, "Remove \"%s\" from %s's DependOnGroup", g, svc_name(c, i));
        propose_fix(f, bl_sb_str(&sum), ch, 1);
        bl_sb_free(&key);
        bl_sb_free(&sum);
    }
    free(crit);
}

/* ---- missing-dependency ---- */

/* Who enforces a service's declarations, and so what a missing one does:
 *   boot/system drivers: nobody (the kernel ignores DependOnService): info;
 *   auto-start services and drivers: the SCM fails them at boot (1075): error;
 *   demand-start Win32 services: StartService fails when asked: warning;
 *   demand-start drivers PnP loads for a present device: PnP does not check,
 *     but the driver declared it needs the service: warning;
 *   demand-start drivers nothing loads: info.
 * A WDF class extension name is bound by the framework: info.  Where part of
 * Services could not be read, the target may be in it: at most a warning,
 * and no fix that drops the reference. */
void rule_missing_dependency(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    groups_index gi;
    groups_index_build(&gi, c);
    bool unsure = damage_hides_services(c);
    for (uint32_t i = 0; i < m->nservices; i++) {
        const bl_service *s = &m->services[i];
        if (s->start == BL_START_DISABLED || s->start == BL_START_UNKNOWN)
            continue;
        bool driver = bl_service_is_driver(s);
        uint8_t phase = c->t->services[i].phase;
        bl_severity sev;
        const char *effect;
        if (driver && (s->start == BL_START_BOOT || s->start == BL_START_SYSTEM)) {
            sev = BL_SEV_INFO;
            effect = " (ignored: the kernel loads boot and system drivers by group and tag)";
        } else if (s->start == BL_START_AUTO) {
            sev = BL_SEV_ERROR;
            effect = ": the SCM will not start it at boot (error 1075)";
        } else if (!driver) {
            sev = BL_SEV_WARNING;
            effect = ": it will fail to start when requested (error 1075)";
        } else if (phase == BL_PHASE_PNP) {
            sev = BL_SEV_WARNING;
            effect = ": PnP loads it for a device without checking, so whatever it needs of that service is not "
                     "there";
        } else {
            sev = BL_SEV_INFO;
            effect = ": nothing loads it during boot (no device needs it); StartService would fail (error 1075)";
        }
        /* Missing service dependencies: one finding per service. */
        uint32_t nds = bl_pool_vec_len(m->pool, s->depend_on_service);
        const uint32_t *ds = bl_pool_vec_items(m->pool, s->depend_on_service);
        bl_sb names = {0}, wdf = {0};
        uint32_t nmiss = 0, nwdf = 0;
        const char *first = NULL;
        for (uint32_t k = 0; k < nds; k++) {
            if (bl_model_find_service_id(m, ds[k]) != BL_NONE)
                continue;
            if (is_class_extension(c, bl_model_str(m, ds[k]))) {
                if (nwdf++ < 8)
                    bl_sb_addf(&wdf, "%s\"%s\"", wdf.len ? ", " : "", bl_model_str(m, ds[k]));
                continue;
            }
            if (!first)
                first = bl_model_str(m, ds[k]);
            if (nmiss++ < 8)
                bl_sb_addf(&names, "%s\"%s\"", names.len ? ", " : "", bl_model_str(m, ds[k]));
        }
        if (nmiss > 8)
            bl_sb_addf(&names, " and %u more", nmiss - 8);
        if (nmiss || nwdf) {
            bl_severity fsev = nmiss ? sev : BL_SEV_INFO;
            if (unsure && fsev > BL_SEV_WARNING)
                fsev = BL_SEV_WARNING;
            bl_finding *f;
            if (nmiss)
                f = bl_finding_add(out, "missing-dependency", fsev, bl_model_str(m, s->name),
                                   "%s depends on service%s %s, which do%s not exist%s%s", bl_model_str(m, s->name),
                                   nmiss == 1 ? "" : "s", bl_sb_str(&names), nmiss == 1 ? "es" : "", effect,
                                   unsure ? " (if really missing: part of Services is unreadable)" : "");
            else
                f = bl_finding_add(out, "missing-dependency", fsev, bl_model_str(m, s->name),
                                   "%s depends on %s, a WDF class extension with no service of that name: the "
                                   "framework loads and binds the extension when %s initializes",
                                   bl_model_str(m, s->name), bl_sb_str(&wdf), bl_model_str(m, s->name));
            if (nmiss && nwdf)
                bl_finding_detail(f, "%s: WDF class extension%s, bound by the framework at run time.", bl_sb_str(&wdf),
                                  nwdf == 1 ? "" : "s");
            if (unsure)
                bl_finding_detail(f, "Part of the Services key could not be read (see hive-damaged): the service "
                                     "may be there, in the unreadable part; no fix that drops the reference is "
                                     "proposed.");
            bl_finding_service(f, bl_model_str(m, s->name));
            ev_service(c, f, i, "DependOnService");
            ev_service(c, f, i, "Start");
            if (nmiss && fsev >= BL_SEV_WARNING && !unsure) {
                /* Fix: drop the stale entries (one change, all of them). */
                bl_change *ch = bl_xcalloc(1, sizeof *ch);
                bl_sb key = {0}, sum = {0};
                bl_sb_addf(&key, "Services\\%s", bl_model_str(m, s->name));
                bl_change_list_without_missing(ch, bl_sb_str(&key), "DependOnService", m, s->depend_on_service, c->k);
                if (nmiss == 1)
                    bl_sb_addf(&sum, "Remove \"%s\" from %s's DependOnService", first, bl_model_str(m, s->name));
                else
                    bl_sb_addf(&sum, "Remove the %u missing services from %s's DependOnService", nmiss,
                               bl_model_str(m, s->name));
                propose_fix(f, bl_sb_str(&sum), ch, 1);
                bl_sb_free(&sum);
                bl_sb_free(&key);
            }
        }
        bl_sb_free(&names);
        bl_sb_free(&wdf);
        /* Group dependencies on a group with no member: the SCM fails the
         * dependent (ERROR_SERVICE_DEPENDENCY_FAIL); the kernel lets a boot
         * or system driver through. */
        uint32_t ndg = bl_pool_vec_len(m->pool, s->depend_on_group);
        const uint32_t *dg = bl_pool_vec_items(m->pool, s->depend_on_group);
        for (uint32_t k = 0; k < ndg && k < 64; k++) {
            if (group_members(&gi, c, dg[k], i))
                continue;
            bool scm = !driver || s->start >= BL_START_AUTO;
            bl_severity gsev = !scm ? BL_SEV_INFO : s->start == BL_START_AUTO ? BL_SEV_ERROR : BL_SEV_WARNING;
            if (unsure && gsev > BL_SEV_WARNING)
                gsev = BL_SEV_WARNING;
            bl_sb subject = {0};
            bl_sb_addf(&subject, "%s:group:%s", bl_model_str(m, s->name), bl_model_str(m, dg[k]));
            bl_finding *f = bl_finding_add(
                out, "missing-dependency", gsev, bl_sb_str(&subject), "%s depends on group \"%s\", which has no member%s",
                bl_model_str(m, s->name), bl_model_str(m, dg[k]),
                !scm ? " (the kernel lets a boot or system driver through: the group never had a turn)"
                : s->start == BL_START_AUTO ? ": the SCM fails it at boot (ERROR_SERVICE_DEPENDENCY_FAIL)"
                                            : ": the SCM fails it when asked (ERROR_SERVICE_DEPENDENCY_FAIL)");
            bl_finding_service(f, bl_model_str(m, s->name));
            ev_service(c, f, i, "DependOnGroup");
            bl_sb_free(&subject);
        }
    }
    groups_index_free(&gi);
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
        for (uint32_t k = 0; k < n && k < 16; k++)
            bl_sb_addf(&chain, "%s -> ", svc_name(c, svc[k]));
        if (n > 16)
            bl_sb_addf(&chain, "(%u more) -> ", n - 16);
        bl_sb_add(&chain, svc_name(c, svc[0]));
        bl_sb_addf(&subject, "%s", svc_name(c, svc[first]));
        bl_finding *f = bl_finding_add(out, "dependency-cycle", BL_SEV_ERROR, bl_sb_str(&subject),
                                       "services depend on each other in a cycle (%s): the SCM starts none "
                                       "of them (error 1059)",
                                       bl_sb_str(&chain));
        for (uint32_t k = 0; k < n && k < 32; k++) {
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

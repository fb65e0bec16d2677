/* groups.c — rules about load-order groups and tags: groups missing from
 * ServiceGroupOrder, tags missing from GroupOrderList, duplicate tags. */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Groups winload orders itself on Windows 8+, whatever ServiceGroupOrder says. */
static bool hardcoded_group(const rule_ctx *c, bl_str group)
{
    static const char *const g[] = {"Early-Launch", "Core", "Core Platform Extensions",
                                    "Core Security Extensions"};
    if (!c->m->modern_loader)
        return false;
    for (size_t i = 0; i < BL_ARRAY_LEN(g); i++)
        if (bl_fold_eq(bl_model_str(c->m, group), g[i]))
            return true;
    return false;
}

static bool loads_by_group(uint8_t phase)
{
    return phase == BL_PHASE_BOOT || phase == BL_PHASE_SYSTEM;
}

/* Letters and digits only, lower-cased: "FSFilter Anti-Virus" and
 * "FSFilter AntiVirus" compare equal, to spot a misspelt group. */
static void squash(const char *s, char *out, size_t size)
{
    size_t k = 0;
    for (; *s && k + 1 < size; s++)
        if (isalnum((unsigned char)*s))
            out[k++] = (char)tolower((unsigned char)*s);
    out[k] = '\0';
}

static const char *near_group(const rule_ctx *c, bl_str group)
{
    char a[256], b[256];
    squash(bl_model_str(c->m, group), a, sizeof a);
    uint32_t n = bl_pool_vec_len(c->m->pool, c->m->group_order);
    const uint32_t *it = bl_pool_vec_items(c->m->pool, c->m->group_order);
    for (uint32_t i = 0; i < n; i++) {
        squash(bl_model_str(c->m, it[i]), b, sizeof b);
        if (*a && strcmp(a, b) == 0)
            return bl_model_str(c->m, it[i]);
    }
    return NULL;
}

/* Loads ordered by group (folded), phase and then position: the runs the
 * group rules report, found by one sort instead of a scan per load. */
typedef struct load_key {
    bl_str group;  /* folded */
    uint8_t phase;
    uint32_t tag;  /* for duplicate-tag */
    uint32_t load; /* index into t->loads */
} load_key;

static int by_group(const void *a, const void *b)
{
    const load_key *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->load < y->load ? -1 : x->load > y->load;
}

static int by_group_phase_tag(const void *a, const void *b)
{
    const load_key *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->phase != y->phase)
        return x->phase < y->phase ? -1 : 1;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return x->load < y->load ? -1 : x->load > y->load;
}

void rule_group_not_in_service_group_order(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    if (!m->has_group_order)
        return; /* reported as an anomaly: every group would be "missing" */
    load_key *v = bl_xmalloc((t->nloads ? t->nloads : 1) * sizeof *v);
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_load *l = &t->loads[i];
        const bl_service *s = &m->services[l->service];
        if (!loads_by_group(l->phase) || !s->group || l->group_rank != BL_NONE || hardcoded_group(c, s->group))
            continue;
        v[n++] = (load_key){bl_pool_fold(m->pool, s->group), 0, 0, i};
    }
    qsort(v, n, sizeof *v, by_group);
    /* Findings in the order the groups first load. */
    for (uint32_t g0 = 0; g0 < n;) {
        uint32_t g1 = g0 + 1;
        while (g1 < n && v[g1].group == v[g0].group)
            g1++;
        const bl_service *s = &m->services[t->loads[v[g0].load].service];
        const char *near = near_group(c, s->group);
        uint32_t count = g1 - g0;
        bl_sb members = {0};
        for (uint32_t k = g0; k < g1 && k < g0 + 6; k++)
            bl_sb_addf(&members, "%s%s", k > g0 ? ", " : "", svc_name(c, t->loads[v[k].load].service));
        if (count > 6)
            bl_sb_addf(&members, " and %u more", count - 6);
        bl_finding *f = bl_finding_add(
            out, "group-not-in-service-group-order", near ? BL_SEV_WARNING : BL_SEV_INFO, bl_model_str(m, v[g0].group),
            "group \"%s\" is not in ServiceGroupOrder: its driver%s (%s) load%s after every listed group%s%s%s",
            bl_model_str(m, s->group), count == 1 ? "" : "s", bl_sb_str(&members), count == 1 ? "s" : "",
            near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
        for (uint32_t k = g0; k < g1 && k < g0 + 64; k++) {
            bl_finding_service(f, svc_name(c, t->loads[v[k].load].service));
            if (k < g0 + 8)
                ev_service(c, f, t->loads[v[k].load].service, "Group");
        }
        bl_sb p = {0};
        bl_model_reg_path(m, &p, "Control\\ServiceGroupOrder");
        bl_finding_evidence(f, bl_sb_str(&p), "List does not contain \"%s\"", bl_model_str(m, s->group));
        bl_sb_free(&p);
        bl_sb_free(&members);
        g0 = g1;
    }
    free(v);
}

void rule_tag_not_in_group_order_list(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_load *l = &t->loads[i];
        const bl_service *s = &m->services[l->service];
        if (!loads_by_group(l->phase) || !s->has_tag || !s->group || l->tag_index != BL_TAG_UNLISTED)
            continue;
        if (!bl_model_group_tags(m, s->group))
            continue; /* no list for the group: the tag orders nothing (or is the index, on Core) */
        bl_finding *f = bl_finding_add(out, "tag-not-in-group-order-list", BL_SEV_INFO, bl_model_str(m, s->name),
                                       "%s has Tag %u, which GroupOrderList\\%s does not list: it loads after "
                                       "the listed drivers of its group",
                                       bl_model_str(m, s->name), s->tag, bl_model_str(m, s->group));
        bl_finding_service(f, bl_model_str(m, s->name));
        ev_service(c, f, l->service, "Tag");
        ev_service(c, f, l->service, "Group");
        bl_sb p = {0};
        bl_model_reg_path(m, &p, "Control\\GroupOrderList");
        bl_finding_evidence(f, bl_sb_str(&p), "\"%s\" does not contain tag %u", bl_model_str(m, s->group), s->tag);
        bl_sb_free(&p);
    }
}

/* Whether the order between two drivers of a tie matters: one declares a
 * dependency on the other, or needs it (the knowledge file). */
static bool tie_matters(const rule_ctx *c, uint32_t a, uint32_t b)
{
    const bl_model *m = c->m;
    for (int pass = 0; pass < 2; pass++) {
        uint32_t x = pass ? b : a, y = pass ? a : b;
        if (bl_pool_vec_find_folded(m->pool, m->services[x].depend_on_service, m->services[y].key) >= 0)
            return true;
        const bl_fact *f;
        uint32_t nf = bl_knowledge_about(c->k, svc_name(c, x), &f);
        for (uint32_t i = 0; i < nf; i++)
            if (f[i].relation == BL_REL_CALLS && bl_fold_eq(f[i].target, svc_name(c, y)))
                return true;
    }
    return false;
}

/* duplicate-tag: drivers of one group and phase sharing a Tag.  Their
 * order is then the loader's tie order (registry order, deterministic: the
 * kernel's sort keeps ties in order), not the GroupOrderList.  A warning
 * only when a driver that is not Windows' own is in the tie and the tie
 * decides something that matters (one depends on the other); otherwise
 * info — every stock Windows 10 has inbox ties (intelpep and
 * WindowsTrustedRT share Tag 1). */
void rule_duplicate_tag(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    load_key *v = bl_xmalloc((t->nloads ? t->nloads : 1) * sizeof *v);
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_load *l = &t->loads[i];
        const bl_service *s = &m->services[l->service];
        if (!loads_by_group(l->phase) || !s->has_tag || !s->group)
            continue;
        v[n++] = (load_key){bl_pool_fold(m->pool, s->group), l->phase, s->tag, i};
    }
    qsort(v, n, sizeof *v, by_group_phase_tag);
    for (uint32_t g0 = 0; g0 < n;) {
        uint32_t g1 = g0 + 1;
        while (g1 < n && v[g1].group == v[g0].group && v[g1].phase == v[g0].phase && v[g1].tag == v[g0].tag)
            g1++;
        if (g1 - g0 < 2) {
            g0 = g1;
            continue;
        }
        const bl_load *a = &t->loads[v[g0].load];
        const bl_service *sa = &m->services[a->service];
        bool ordered = a->tag_index != BL_TAG_UNLISTED && bl_model_group_tags(m, sa->group);
        bool third = false, matters = false;
        for (uint32_t k = g0; k < g1 && k < g0 + 64; k++)
            third |= !svc_is_inbox(c, t->loads[v[k].load].service);
        /* Pairs of a small tie only: a hostile hive's 100,000-driver tie is
         * reported, not searched pairwise. */
        for (uint32_t x = g0; x < g1 && x < g0 + 32 && !matters; x++)
            for (uint32_t y = x + 1; y < g1 && y < g0 + 32 && !matters; y++)
                matters = tie_matters(c, t->loads[v[x].load].service, t->loads[v[y].load].service);
        bl_severity sev = ordered && third && matters ? BL_SEV_WARNING : BL_SEV_INFO;
        bl_sb subject = {0}, names = {0};
        bl_sb_addf(&subject, "%s:%u:%s", bl_model_str(m, v[g0].group), sa->tag, bl_phase_name(a->phase));
        for (uint32_t k = g0; k < g1 && k < g0 + 8; k++)
            bl_sb_addf(&names, "%s%s", k > g0 ? ", " : "", svc_name(c, t->loads[v[k].load].service));
        if (g1 - g0 > 8)
            bl_sb_addf(&names, " and %u more", g1 - g0 - 8);
        bl_finding *f = bl_finding_add(
            out, "duplicate-tag", sev, bl_sb_str(&subject),
            "%s drivers %s share Tag %u in group \"%s\": %s", bl_phase_name(a->phase), bl_sb_str(&names), sa->tag,
            bl_model_str(m, sa->group),
            !third      ? "Windows' own drivers, ordered by registry order (a stable tie, by design)"
            : !matters  ? "their relative order falls back to registry order; nothing known depends on it"
            : !ordered  ? "the tag is not in the GroupOrderList anyway; they load in registry order"
                        : "their relative order falls back to registry order, and one of them needs the other");
        if (sev == BL_SEV_WARNING)
            bl_finding_detail(f, "%s loads first (slot %u); the GroupOrderList cannot put the one that is needed "
                                 "first, since they share its entry. Give the vendor driver a tag of its own.",
                              svc_name(c, a->service), a->position);
        for (uint32_t k = g0; k < g1 && k < g0 + 16; k++) {
            bl_finding_service(f, svc_name(c, t->loads[v[k].load].service));
            ev_service(c, f, t->loads[v[k].load].service, "Tag");
        }
        bl_sb_free(&subject);
        bl_sb_free(&names);
        g0 = g1;
    }
    free(v);
}

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

void rule_group_not_in_service_group_order(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    if (!m->has_group_order)
        return; /* reported as an anomaly: every group would be "missing" */
    bl_str *done = NULL;
    uint32_t ndone = 0, capdone = 0;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_load *l = &t->loads[i];
        const bl_service *s = &m->services[l->service];
        if (!loads_by_group(l->phase) || !s->group || l->group_rank != BL_NONE ||
            hardcoded_group(c, s->group))
            continue;
        bl_str gf = bl_pool_fold(m->pool, s->group);
        bool seen = false;
        for (uint32_t k = 0; k < ndone && !seen; k++)
            seen = done[k] == gf;
        if (seen)
            continue;
        bl_grow((void **)&done, sizeof *done, &capdone, ndone + 1);
        done[ndone++] = gf;
        const char *near = near_group(c, s->group);
        bl_sb members = {0}, subject = {0};
        uint32_t count = 0;
        for (uint32_t k = i; k < t->nloads; k++) {
            const bl_service *o = &m->services[t->loads[k].service];
            if (loads_by_group(t->loads[k].phase) && o->group && bl_pool_fold(m->pool, o->group) == gf) {
                if (count < 6)
                    bl_sb_addf(&members, "%s%s", count ? ", " : "", bl_model_str(m, o->name));
                count++;
            }
        }
        if (count > 6)
            bl_sb_addf(&members, " and %u more", count - 6);
        bl_sb_addf(&subject, "%s", bl_model_str(m, gf));
        bl_finding *f = bl_finding_add(
            out, "group-not-in-service-group-order", near ? BL_SEV_WARNING : BL_SEV_INFO,
            bl_sb_str(&subject), "group \"%s\" is not in ServiceGroupOrder: its driver%s (%s) load%s after every listed group%s%s%s",
            bl_model_str(m, s->group), count == 1 ? "" : "s", bl_sb_str(&members), count == 1 ? "s" : "",
            near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
        for (uint32_t k = i; k < t->nloads; k++) {
            const bl_service *o = &m->services[t->loads[k].service];
            if (loads_by_group(t->loads[k].phase) && o->group && bl_pool_fold(m->pool, o->group) == gf) {
                bl_finding_service(f, bl_model_str(m, o->name));
                if (f->nevidence < 8)
                    ev_service(c, f, t->loads[k].service, "Group");
            }
        }
        bl_sb p = {0};
        bl_model_reg_path(m, &p, "Control\\ServiceGroupOrder");
        bl_finding_evidence(f, bl_sb_str(&p), "List does not contain \"%s\"", bl_model_str(m, s->group));
        bl_sb_free(&p);
        bl_sb_free(&members);
        bl_sb_free(&subject);
    }
    free(done);
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
        bl_sb subject = {0};
        bl_sb_addf(&subject, "%s", bl_model_str(m, s->name));
        bl_finding *f = bl_finding_add(out, "tag-not-in-group-order-list", BL_SEV_INFO, bl_sb_str(&subject),
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
        bl_sb_free(&subject);
    }
}

void rule_duplicate_tag(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    const bl_timeline *t = c->t;
    for (uint32_t i = 0; i < t->nloads; i++) {
        const bl_load *a = &t->loads[i];
        const bl_service *sa = &m->services[a->service];
        if (!loads_by_group(a->phase) || !sa->has_tag || !sa->group)
            continue;
        bl_str gf = bl_pool_fold(m->pool, sa->group);
        bool earlier = false;
        for (uint32_t k = 0; k < i && !earlier; k++) {
            const bl_service *o = &m->services[t->loads[k].service];
            earlier = t->loads[k].phase == a->phase && o->has_tag && o->tag == sa->tag &&
                      bl_pool_fold(m->pool, o->group) == gf;
        }
        if (earlier)
            continue;
        uint32_t dup = 0;
        for (uint32_t k = i + 1; k < t->nloads; k++) {
            const bl_service *o = &m->services[t->loads[k].service];
            if (t->loads[k].phase == a->phase && o->has_tag && o->tag == sa->tag &&
                bl_pool_fold(m->pool, o->group) == gf)
                dup++;
        }
        if (!dup)
            continue;
        bool ordered = a->tag_index != BL_TAG_UNLISTED && bl_model_group_tags(m, sa->group);
        bl_sb subject = {0}, names = {0};
        bl_sb_addf(&subject, "%s:%u:%s", bl_model_str(m, gf), sa->tag, bl_phase_name(a->phase));
        bl_sb_addf(&names, "%s", bl_model_str(m, sa->name));
        for (uint32_t k = i + 1; k < t->nloads; k++) {
            const bl_service *o = &m->services[t->loads[k].service];
            if (t->loads[k].phase == a->phase && o->has_tag && o->tag == sa->tag &&
                bl_pool_fold(m->pool, o->group) == gf)
                bl_sb_addf(&names, ", %s", bl_model_str(m, o->name));
        }
        bl_finding *f = bl_finding_add(out, "duplicate-tag", ordered ? BL_SEV_WARNING : BL_SEV_INFO,
                                       bl_sb_str(&subject),
                                       "%s drivers %s share Tag %u in group \"%s\": their relative order "
                                       "falls back to registry order, not the GroupOrderList",
                                       bl_phase_name(a->phase), bl_sb_str(&names), sa->tag,
                                       bl_model_str(m, sa->group));
        for (uint32_t k = i; k < t->nloads; k++) {
            const bl_service *o = &m->services[t->loads[k].service];
            if (t->loads[k].phase == a->phase && o->has_tag && o->tag == sa->tag &&
                bl_pool_fold(m->pool, o->group) == gf) {
                bl_finding_service(f, bl_model_str(m, o->name));
                ev_service(c, f, t->loads[k].service, "Tag");
            }
        }
        bl_sb_free(&subject);
        bl_sb_free(&names);
    }
}

/* scm.c — the Service Control Manager's auto-start phase.
 *
 * Auto-start (Start=2) services and drivers not yet loaded start group by
 * group in ServiceGroupOrder order, then ungrouped ones; within a group by
 * tag, then in registry order (the same loader sort as drivers, which is
 * what the SCM's group-ordered database gives).  Before a service starts,
 * the SCM starts what it depends on: every DependOnService entry (even a
 * demand-start one), and for DependOnGroup every member of the group — at
 * least one must come up.  A missing or disabled dependency makes the
 * dependent fail; a dependency cycle makes every member fail.  Delayed
 * auto-start services (DelayedAutostart=1, Win32 services only) come last.
 * Boot and system drivers ignore their dependency declarations (the kernel
 * loads them by group and tag alone), so a dependency on them is satisfied if
 * they loaded. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>


enum { WHITE = 0, GREY, BLACK };

typedef struct scm {
    bl_timeline *t;
    uint8_t *color;
    uint32_t *path; /* DFS stack, for reporting cycles */
    uint32_t depth;
    uint8_t phase;
} scm;

static void fail(bl_timeline *t, uint32_t svc, uint8_t block, uint32_t by)
{
    t->services[svc].phase = BL_PHASE_NEVER;
    t->services[svc].block = block;
    t->services[svc].blocked_by = by;
}

static void record_cycle(scm *s, uint32_t from)
{
    bl_timeline *t = s->t;
    uint32_t k = s->depth;
    while (k > 0 && s->path[k - 1] != from)
        k--;
    if (k == 0)
        return;
    uint32_t len = s->depth - (k - 1);
    bl_grow((void **)&t->cycles, sizeof *t->cycles, &t->capcycles, t->ncycles + 1);
    t->cycles[t->ncycles++] = bl_pool_vec(t->model->pool, &s->path[k - 1], len);
    for (uint32_t i = k - 1; i < s->depth; i++)
        fail(t, s->path[i], BL_BLOCK_CYCLE, BL_NONE);
}

static bool start_service(scm *s, uint32_t svc, uint8_t why, uint32_t for_service);

/* Starts one dependency; returns whether it is (or already was) running. */
static bool start_dependency(scm *s, uint32_t dep, uint32_t dependent)
{
    bl_timeline *t = s->t;
    if (t->services[dep].load != BL_NONE)
        return true;
    if (s->color[dep] == GREY) {
        record_cycle(s, dep);
        return false;
    }
    if (s->color[dep] == BLACK)
        return t->services[dep].load != BL_NONE;
    return start_service(s, dep, BL_WHY_DEPENDENCY, dependent);
}

/* Depth-first start of svc after its dependencies.  Returns success. */
static bool start_service(scm *s, uint32_t svc, uint8_t why, uint32_t for_service)
{
    bl_timeline *t = s->t;
    const bl_model *m = t->model;
    const bl_service *sv = &m->services[svc];
    if (t->services[svc].load != BL_NONE)
        return true;
    if (s->color[svc] != WHITE)
        return t->services[svc].load != BL_NONE;
    if (sv->start == BL_START_DISABLED) {
        s->color[svc] = BLACK;
        fail(t, svc, BL_BLOCK_DISABLED, BL_NONE);
        return false;
    }
    s->color[svc] = GREY;
    s->path[s->depth++] = svc;
    bool ok = true;
    uint32_t culprit = BL_NONE;

    uint32_t n = bl_pool_vec_len(m->pool, sv->depend_on_service);
    const uint32_t *deps = bl_pool_vec_items(m->pool, sv->depend_on_service);
    for (uint32_t i = 0; i < n && ok; i++) {
        uint32_t dep = bl_model_find_service_id(m, deps[i]);
        if (dep == BL_NONE || dep == svc) {
            ok = dep == svc; /* depending on itself is harmless to the SCM's walk */
            continue;
        }
        if (!start_dependency(s, dep, svc)) {
            ok = false;
            culprit = dep;
        }
    }
    uint32_t ng = bl_pool_vec_len(m->pool, sv->depend_on_group);
    const uint32_t *groups = bl_pool_vec_items(m->pool, sv->depend_on_group);
    for (uint32_t g = 0; g < ng && ok; g++) {
        bl_str gf = bl_pool_fold(m->pool, groups[g]);
        bool any_member = false, any_up = false;
        for (uint32_t i = 0; i < m->nservices; i++) {
            if (i == svc || bl_pool_fold(m->pool, m->services[i].group) != gf)
                continue;
            any_member = true;
            if (m->services[i].start == BL_START_DISABLED)
                continue;
            if (start_dependency(s, i, svc))
                any_up = true;
        }
        /* A group with no member at all is treated as satisfied (reported
         * by the missing-dependency rule, not simulated as a failure). */
        if (any_member && !any_up)
            ok = false;
    }

    s->depth--;
    s->color[svc] = BLACK;
    if (t->services[svc].block == BL_BLOCK_CYCLE)
        return false;
    if (!ok) {
        fail(t, svc, BL_BLOCK_DEPENDENCY, culprit);
        return false;
    }
    bl_sim_add_load(t, svc, s->phase, why, BL_TAG_NONE, for_service);
    return true;
}

void bl_sim_scm(bl_timeline *t)
{
    const bl_model *m = t->model;
    uint32_t n = m->nservices;
    scm s = {t, bl_xcalloc(n ? n : 1, 1), bl_xmalloc((n ? n : 1) * sizeof(uint32_t)), 0,
             BL_PHASE_AUTO};
    uint32_t *cands = bl_xmalloc((n ? n : 1) * sizeof *cands);
    uint32_t *order = bl_xmalloc((n ? n : 1) * sizeof *order);
    for (int pass = 0; pass < 2; pass++) {
        bool delayed_pass = pass == 1;
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            const bl_service *sv = &m->services[i];
            if (sv->start != BL_START_AUTO || t->services[i].load != BL_NONE)
                continue;
            bool delayed = sv->delayed_autostart && !bl_service_is_driver(sv);
            if (delayed == delayed_pass)
                cands[k++] = i;
        }
        bl_sim_order_services(m, cands, k, false, order, NULL);
        s.phase = delayed_pass ? BL_PHASE_DELAYED : BL_PHASE_AUTO;
        for (uint32_t i = 0; i < k; i++)
            start_service(&s, order[i], BL_WHY_START, BL_NONE);
    }
    free(cands);
    free(order);
    free(s.color);
    free(s.path);
}

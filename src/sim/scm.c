/* scm.c — the Service Control Manager's auto-start phase.
 *
 * Auto-start (Start=2) services and drivers not yet loaded start in the
 * loader's sort (group by ServiceGroupOrder, then tag, then registry
 * order: the SCM's group-ordered database).  Before a service starts, the
 * SCM starts what it depends on (the XP SCM's depend.cxx, the only SCM
 * source there is; doc/boot-model.md "The SCM"):
 *   - every DependOnService entry, even a demand-start one; a missing or
 *     disabled one, or one that fails, makes the dependent fail;
 *   - for each DependOnGroup group: when some member has not been started
 *     yet, a group that is the service's own or comes later in the order
 *     fails the dependent (ERROR_CIRCULAR_DEPENDENCY); an earlier group has
 *     all its unstarted members started (demand-start ones too); then the
 *     dependency holds when at least one member runs.  A group with no
 *     member, or only disabled ones, fails the dependent
 *     (ERROR_SERVICE_DEPENDENCY_FAIL).
 * A dependency cycle makes every member fail.  Delayed auto-start services
 * (DelayedAutostart=1, Win32 services only) come last — unless they have a
 * load-order group, which a delayed service cannot have (the
 * SERVICE_DELAYED_AUTO_START_INFO documentation): those start with their
 * group.  Boot and system drivers ignore their dependency declarations (the
 * kernel loads them by group and tag), so a dependency on them holds if
 * they loaded.  The walk is iterative: dependency chains in a hostile hive
 * may be 100,000 services deep. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

enum { WHITE = 0, GREY, BLACK };

/* Recording stops here; members past it still fail, as dependents. */
#define MAX_CYCLES 256u
#define MAX_CYCLE_MEMBERS (1u << 20)

/* Where a frame of the walk is. */
enum { ST_ENTER = 0, ST_SERVICES, ST_GROUPS, ST_MEMBERS, ST_DONE };

typedef struct frame {
    uint32_t svc;
    uint8_t why;
    uint32_t for_service;
    uint8_t state;
    uint32_t i;        /* next DependOnService / DependOnGroup entry */
    uint32_t member;   /* next member of the group being started */
    uint32_t group;    /* members index of that group */
    bool any_up;
    bool ok;
    uint8_t block;     /* why it fails */
    uint32_t culprit;
} frame;

typedef struct scm {
    bl_timeline *t;
    const bl_model *m;
    uint8_t *color;
    frame *stack;
    uint32_t depth, cap;
    uint8_t phase;
    uint32_t recorded; /* cycle members recorded so far */
    /* Group members (services whose Group folds to a name), CSR. */
    bl_map group_index; /* folded group -> index + 1 */
    uint32_t *members_first, *members;
    uint32_t ngroups;
    uint32_t *rank; /* per service: its group's rank for the SCM's order */
    uint32_t nrank; /* rank of "no group" (after every group) */
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
    while (k > 0 && s->stack[k - 1].svc != from)
        k--;
    if (k == 0)
        return;
    uint32_t len = s->depth - (k - 1);
    if (t->ncycles >= MAX_CYCLES || s->recorded + len > MAX_CYCLE_MEMBERS)
        return;
    s->recorded += len;
    uint32_t *ids = bl_xmalloc(len * sizeof *ids);
    for (uint32_t i = 0; i < len; i++)
        ids[i] = s->stack[k - 1 + i].svc;
    bl_grow((void **)&t->cycles, sizeof *t->cycles, &t->capcycles, t->ncycles + 1);
    t->cycles[t->ncycles++] = bl_pool_vec(s->m->pool, ids, len);
    free(ids);
    for (uint32_t i = k - 1; i < s->depth; i++)
        fail(t, s->stack[i].svc, BL_BLOCK_CYCLE, BL_NONE);
}

static void index_groups(scm *s)
{
    const bl_model *m = s->m;
    uint32_t n = m->nservices;
    uint32_t *gid = bl_xmalloc((n ? n : 1) * sizeof *gid);
    for (uint32_t i = 0; i < n; i++) {
        gid[i] = BL_NONE;
        bl_str f = bl_pool_fold(m->pool, m->services[i].group);
        if (!f)
            continue;
        uint32_t v;
        if (!bl_map_get(&s->group_index, f, &v)) {
            v = ++s->ngroups;
            bl_map_put(&s->group_index, f, v);
        }
        gid[i] = v - 1;
    }
    s->members_first = bl_xcalloc(s->ngroups + 1, sizeof *s->members_first);
    for (uint32_t i = 0; i < n; i++)
        if (gid[i] != BL_NONE)
            s->members_first[gid[i] + 1]++;
    for (uint32_t g = 0; g < s->ngroups; g++)
        s->members_first[g + 1] += s->members_first[g];
    s->members = bl_xmalloc((n ? n : 1) * sizeof *s->members);
    uint32_t *fill = bl_xmalloc((s->ngroups ? s->ngroups : 1) * sizeof *fill);
    memcpy(fill, s->members_first, s->ngroups * sizeof *fill);
    for (uint32_t i = 0; i < n; i++)
        if (gid[i] != BL_NONE)
            s->members[fill[gid[i]]++] = i;
    free(fill);
    free(gid);
    /* The SCM starts groups in ServiceGroupOrder order; unlisted groups
     * after the listed ones, ungrouped services last. */
    bl_sim_groups g;
    bl_sim_groups_init(&g, m);
    s->nrank = g.ngroups + 1;
    s->rank = bl_xmalloc((n ? n : 1) * sizeof *s->rank);
    for (uint32_t i = 0; i < n; i++) {
        bl_str gr = m->services[i].group;
        uint32_t r = gr ? bl_sim_group_rank(&g, m, gr) : BL_NONE;
        s->rank[i] = r != BL_NONE ? r : gr ? g.ngroups : s->nrank;
    }
    bl_sim_groups_free(&g);
}

static uint32_t group_of_name(const scm *s, bl_str name)
{
    uint32_t v;
    bl_str f = bl_pool_fold(s->m->pool, name);
    return f && bl_map_get(&s->group_index, f, &v) ? v - 1 : BL_NONE;
}

/* Rank of a group named by a DependOnGroup entry, for "later in the order". */
static uint32_t named_group_rank(const scm *s, bl_str name)
{
    uint32_t g = group_of_name(s, name);
    if (g == BL_NONE || s->members_first[g] == s->members_first[g + 1])
        return BL_NONE;
    return s->rank[s->members[s->members_first[g]]];
}

static void push(scm *s, uint32_t svc, uint8_t why, uint32_t for_service)
{
    bl_grow((void **)&s->stack, sizeof *s->stack, &s->cap, s->depth + 1);
    frame *f = &s->stack[s->depth++];
    memset(f, 0, sizeof *f);
    f->svc = svc;
    f->why = why;
    f->for_service = for_service;
    f->state = ST_ENTER;
    f->ok = true;
    f->culprit = BL_NONE;
    f->group = BL_NONE;
}

static bool running(const scm *s, uint32_t svc)
{
    return s->t->services[svc].load != BL_NONE;
}

/* Whether dependency dep can be settled without descending: true with
 * *result set, false when it must be started (a new frame). */
static bool settled(scm *s, uint32_t dep, bool *result)
{
    if (running(s, dep)) {
        *result = true;
        return true;
    }
    if (s->color[dep] == GREY) {
        record_cycle(s, dep);
        *result = false;
        return true;
    }
    if (s->color[dep] == BLACK || s->m->services[dep].start == BL_START_DISABLED) {
        *result = false;
        return true;
    }
    return false;
}

/* Runs the walk from svc to the end; the result of a finished frame goes to
 * the one below it. */
static void run(scm *s, uint32_t root, uint8_t why)
{
    bl_timeline *t = s->t;
    const bl_model *m = s->m;
    push(s, root, why, BL_NONE);
    bool have_result = false, result = false;
    while (s->depth) {
        frame *f = &s->stack[s->depth - 1];
        const bl_service *sv = &m->services[f->svc];
        if (f->state == ST_ENTER) {
            if (running(s, f->svc) || s->color[f->svc] != WHITE) {
                result = running(s, f->svc);
                have_result = true;
                s->depth--;
                continue;
            }
            if (sv->start == BL_START_DISABLED) {
                s->color[f->svc] = BLACK;
                fail(t, f->svc, BL_BLOCK_DISABLED, BL_NONE);
                result = false;
                have_result = true;
                s->depth--;
                continue;
            }
            s->color[f->svc] = GREY;
            f->state = ST_SERVICES;
        }
        if (f->state == ST_SERVICES) {
            uint32_t n = bl_pool_vec_len(m->pool, sv->depend_on_service);
            const uint32_t *deps = bl_pool_vec_items(m->pool, sv->depend_on_service);
            if (have_result) { /* the dependency deps[f->i - 1] finished */
                have_result = false;
                if (!result) {
                    f->ok = false;
                    f->block = BL_BLOCK_DEPENDENCY;
                    f->culprit = bl_model_find_service_id(m, deps[f->i - 1]);
                }
            }
            bool descended = false;
            while (!descended && f->ok && f->i < n) {
                uint32_t dep = bl_model_find_service_id(m, deps[f->i++]);
                if (dep == f->svc)
                    continue; /* depending on itself is harmless to the SCM's walk */
                if (dep == BL_NONE) {
                    f->ok = false;
                    f->block = BL_BLOCK_DEPENDENCY;
                    continue;
                }
                bool r;
                if (settled(s, dep, &r)) {
                    if (!r) {
                        f->ok = false;
                        f->block = BL_BLOCK_DEPENDENCY;
                        f->culprit = dep;
                    }
                } else {
                    push(s, dep, BL_WHY_DEPENDENCY, f->svc);
                    descended = true;
                }
            }
            if (descended)
                continue;
            f->state = ST_GROUPS;
            f->i = 0;
        }
        if (f->state == ST_GROUPS || f->state == ST_MEMBERS) {
            uint32_t ng = bl_pool_vec_len(m->pool, sv->depend_on_group);
            const uint32_t *groups = bl_pool_vec_items(m->pool, sv->depend_on_group);
            bool descended = false;
            while (!descended && f->ok) {
                if (f->state == ST_MEMBERS) {
                    if (have_result) {
                        have_result = false;
                        f->any_up |= result;
                    }
                    uint32_t end = s->members_first[f->group + 1];
                    while (!descended && f->member < end) {
                        uint32_t mem = s->members[f->member++];
                        if (mem == f->svc || running(s, mem) || s->color[mem] != WHITE ||
                            m->services[mem].start == BL_START_DISABLED)
                            continue;
                        push(s, mem, BL_WHY_DEPENDENCY, f->svc);
                        descended = true;
                    }
                    if (descended)
                        break;
                    /* Every member had its chance: one must run. */
                    bool up = false;
                    for (uint32_t k = s->members_first[f->group]; k < end && !up; k++)
                        up = running(s, s->members[k]);
                    if (!up) {
                        f->ok = false;
                        f->block = BL_BLOCK_DEPENDENCY;
                    }
                    f->state = ST_GROUPS;
                    continue;
                }
                if (f->i >= ng)
                    break;
                bl_str name = groups[f->i++];
                uint32_t g = group_of_name(s, name);
                uint32_t first = g != BL_NONE ? s->members_first[g] : 0;
                uint32_t end = g != BL_NONE ? s->members_first[g + 1] : 0;
                bool unstarted = false, up = false;
                for (uint32_t k = first; k < end; k++) {
                    uint32_t mem = s->members[k];
                    if (running(s, mem))
                        up = true;
                    else if (m->services[mem].start != BL_START_DISABLED && t->services[mem].phase != BL_PHASE_NEVER)
                        unstarted = true;
                }
                if (!unstarted) {
                    if (!up) { /* GROUP_START_FAIL: no member, or none that can run */
                        f->ok = false;
                        f->block = BL_BLOCK_DEPENDENCY;
                    }
                    continue;
                }
                uint32_t gr = named_group_rank(s, name);
                if (gr != BL_NONE && gr >= s->rank[f->svc]) {
                    /* Its own group or a later one, not started yet. */
                    f->ok = false;
                    f->block = BL_BLOCK_GROUP_ORDER;
                    continue;
                }
                f->group = g;
                f->member = first;
                f->any_up = up;
                f->state = ST_MEMBERS;
            }
            if (descended)
                continue;
            f->state = ST_DONE;
        }
        /* ST_DONE */
        uint32_t svc = f->svc;
        bool ok = f->ok;
        uint8_t block = f->block;
        uint32_t culprit = f->culprit;
        uint8_t fwhy = f->why;
        uint32_t for_service = f->for_service;
        s->depth--;
        s->color[svc] = BLACK;
        if (t->services[svc].block == BL_BLOCK_CYCLE) {
            result = false;
        } else if (!ok) {
            fail(t, svc, block ? block : BL_BLOCK_DEPENDENCY, culprit);
            result = false;
        } else {
            bl_sim_add_load(t, svc, s->phase, fwhy, BL_TAG_NONE, for_service);
            result = true;
        }
        have_result = true;
    }
}

void bl_sim_scm(bl_timeline *t)
{
    const bl_model *m = t->model;
    uint32_t n = m->nservices;
    scm s = {0};
    s.t = t;
    s.m = m;
    s.color = bl_xcalloc(n ? n : 1, 1);
    s.phase = BL_PHASE_AUTO;
    index_groups(&s);
    uint32_t *cands = bl_xmalloc((n ? n : 1) * sizeof *cands);
    uint32_t *order = bl_xmalloc((n ? n : 1) * sizeof *order);
    bl_sim_groups g;
    bl_sim_groups_init(&g, m);
    for (int pass = 0; pass < 2; pass++) {
        bool delayed_pass = pass == 1;
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            const bl_service *sv = &m->services[i];
            if (sv->start != BL_START_AUTO || t->services[i].load != BL_NONE)
                continue;
            bool delayed = sv->delayed_autostart && !bl_service_is_driver(sv) && !sv->group;
            if (delayed == delayed_pass)
                cands[k++] = i;
        }
        uint8_t approx = 0;
        bl_sim_loader_list(m, &g, cands, k, false, order, &approx);
        t->approx |= approx;
        s.phase = delayed_pass ? BL_PHASE_DELAYED : BL_PHASE_AUTO;
        for (uint32_t i = 0; i < k; i++)
            run(&s, order[i], BL_WHY_START);
    }
    bl_sim_groups_free(&g);
    free(cands);
    free(order);
    free(s.color);
    free(s.stack);
    free(s.members_first);
    free(s.members);
    free(s.rank);
    bl_map_free(&s.group_index);
}

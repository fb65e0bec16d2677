/* altitude.c — rules about the file-system filter stack (sim/fltmgr.c):
 * legacy filters sitting above minifilters of higher altitude, altitudes
 * outside their load-order group's range, altitudes two minifilters share,
 * minifilters without a usable altitude, and minifilters that load before
 * the filter manager.  The inversion rule proposes the article's dummy
 * minifilter and simpler reorderings; fix.c re-simulates each. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* The services key path of svc's instances ("...\Services\X\Instances"). */
static void instances_key(const rule_ctx *c, uint32_t svc, bl_sb *out)
{
    bl_model_service_path(c->m, out, svc);
    bl_sb_add(out, c->m->services[svc].instances_layout == BL_INST_PARAMETERS ? "\\Parameters\\Instances"
                                                                              : "\\Instances");
}

static void ev_instance(const rule_ctx *c, bl_finding *f, uint32_t svc, uint32_t inst)
{
    bl_sb p = {0};
    instances_key(c, svc, &p);
    const bl_instance *in = &c->m->instances[inst];
    bl_sb_addf(&p, "\\%s", bl_model_str(c->m, in->name));
    if (in->altitude)
        bl_finding_evidence(f, bl_sb_str(&p), "Altitude = \"%s\"", bl_model_str(c->m, in->altitude));
    else
        bl_finding_evidence(f, bl_sb_str(&p), "no Altitude value");
    bl_sb_free(&p);
}

static const char *alt_of(const bl_fs_stack *s, const bl_fs_filter *f)
{
    return bl_model_str(s->model, f->altitude);
}

/* The table row whose range holds a valid altitude, or NULL. */
static const bl_altitude_range *range_holding(const bl_altitude_table *t, const char *alt)
{
    for (uint32_t i = 0; i < t->n; i++)
        if (bl_altitude_cmp(t->v[i].low, alt) <= 0 && bl_altitude_cmp(alt, t->v[i].high) <= 0)
            return &t->v[i];
    return NULL;
}

/* Position of a group, named by a C string, in ServiceGroupOrder; BL_NONE. */
static uint32_t group_rank(const bl_model *m, const char *group)
{
    uint32_t n = bl_pool_vec_len(m->pool, m->group_order);
    const uint32_t *it = bl_pool_vec_items(m->pool, m->group_order);
    for (uint32_t i = 0; i < n; i++)
        if (bl_fold_eq(bl_model_str(m, it[i]), group))
            return i;
    return BL_NONE;
}

static bl_change *changes_new(uint32_t n)
{
    return bl_xcalloc(n, sizeof(bl_change));
}

/* Proposes moving svc to `group` (dropping a Tag that belonged to the old
 * group), with `why` appended to the summary. */
static void propose_group(const rule_ctx *c, bl_finding *f, uint32_t svc, const char *group, const char *why)
{
    const bl_service *s = &c->m->services[svc];
    uint32_t n = s->has_tag ? 2 : 1;
    bl_change *ch = changes_new(n);
    bl_sb key = {0}, sum = {0};
    bl_sb_addf(&key, "Services\\%s", svc_name(c, svc));
    bl_change_set_sz(&ch[0], bl_sb_str(&key), "Group", group);
    if (s->has_tag)
        bl_change_delete_value(&ch[1], bl_sb_str(&key), "Tag");
    bl_sb_addf(&sum, "Move %s to the load-order group \"%s\"%s%s", svc_name(c, svc), group, why,
               s->has_tag ? " (its Tag belonged to the old group: removed)" : "");
    propose_fix(f, bl_sb_str(&sum), ch, n);
    bl_sb_free(&key);
    bl_sb_free(&sum);
}

static void propose_start(const rule_ctx *c, bl_finding *f, uint32_t svc, int32_t start, const char *why)
{
    bl_change *ch = changes_new(1);
    bl_sb key = {0}, sum = {0};
    bl_sb_addf(&key, "Services\\%s", svc_name(c, svc));
    bl_change_set_dword(&ch[0], bl_sb_str(&key), "Start", (uint32_t)start);
    bl_sb_addf(&sum, "Make %s %s-start%s", svc_name(c, svc), bl_start_name(start), why);
    propose_fix(f, bl_sb_str(&sum), ch, 1);
    bl_sb_free(&key);
    bl_sb_free(&sum);
}

/* ---- altitude-inversion ---- */

/* Whether event e belongs in the story of minifilter m's placement: every
 * frame and legacy-filter step, and the placement of minifilters that
 * changed the frames (m's own included). */
static bool event_tells(const bl_fs_event *e, uint32_t m, const uint8_t *moved)
{
    if (e->kind == BL_FS_EV_REGISTER || e->kind == BL_FS_EV_SKIP)
        return e->filter == m || moved[e->filter];
    return true;
}

static void inversion_detail(const rule_ctx *c, bl_finding *f, const bl_fs_stack *s, uint32_t L, uint32_t M,
                             uint32_t B)
{
    const bl_fs_filter *l = &s->filters[L], *mf = &s->filters[M];
    uint8_t *moved = bl_xcalloc(s->nfilters, 1);
    for (uint32_t i = 0; i < s->nevents; i++)
        if (s->events[i].kind == BL_FS_EV_NO_FIT)
            moved[s->events[i].filter] = 1;
    bl_sb d = {0}, line = {0};
    bl_sb_addf(&d,
               "Legacy filters can only attach on top of the stack, so they sit in the order they load; "
               "fltmgr is a legacy driver too, so a new frame can only go on top. %s (%s) is in frame %u, "
               "below %s (%s).",
               svc_name(c, mf->service), alt_of(s, mf), mf->frame, svc_name(c, l->service), alt_of(s, l));
    if (B != BL_NONE)
        bl_sb_addf(&d,
                   " When %s loaded (slot %u), %s (%s) was already attached above that frame, so the frame "
                   "was extended up to it and %s fit there.",
                   svc_name(c, mf->service), mf->position, svc_name(c, s->filters[B].service),
                   alt_of(s, &s->filters[B]), svc_name(c, mf->service));
    else
        bl_sb_addf(&d, " %s registered (slot %u) before %s attached above its frame (slot %u).",
                   svc_name(c, mf->service), mf->position, svc_name(c, l->service), l->position);
    bl_sb_add(&d, " How the stack was built:");
    for (uint32_t i = 0; i < s->nevents; i++) {
        if (!event_tells(&s->events[i], M, moved))
            continue;
        bl_sb_reset(&line);
        bl_fs_event_text(s, &s->events[i], &line);
        bl_sb_addf(&d, "\n  %s", bl_sb_str(&line));
    }
    bl_finding_detail(f, "%s", bl_sb_str(&d));
    bl_sb_free(&d);
    bl_sb_free(&line);
    free(moved);
}

/* The lowest legacy filter above minifilter M's frame, attached before M
 * loaded, whose altitude is at least M's: the one that let M's frame reach
 * M's altitude.  BL_NONE if M registered before any such filter attached. */
static uint32_t bounding_legacy(const bl_fs_stack *s, uint32_t M)
{
    const bl_fs_filter *mf = &s->filters[M];
    for (uint32_t l = mf->layer + 1; l < s->nlayers; l++) {
        const bl_fs_layer *ly = &s->layers[l];
        if (ly->is_frame)
            continue;
        const bl_fs_filter *lf = &s->filters[ly->index];
        if (lf->altitude && lf->position < mf->position && bl_altitude_cmp(alt_of(s, lf), alt_of(s, mf)) >= 0)
            return ly->index;
    }
    return BL_NONE;
}

/* A service name not taken yet: NullFilter, NullFilter2... */
static void free_service_name(const rule_ctx *c, bl_sb *out)
{
    for (uint32_t n = 1;; n++) {
        bl_sb_reset(out);
        bl_sb_add(out, "NullFilter");
        if (n > 1)
            bl_sb_addf(out, "%u", n);
        if (bl_model_find_service(c->m, bl_sb_str(out)) == BL_NONE)
            return;
    }
}

static bool altitude_taken(const rule_ctx *c, const char *alt)
{
    for (uint32_t i = 0; i < c->m->ninstances; i++) {
        const char *a = bl_model_str(c->m, c->m->instances[i].altitude);
        if (bl_altitude_valid(a) && bl_altitude_cmp(a, alt) == 0)
            return true;
    }
    return false;
}

/* An unused whole altitude in r above `above`, starting where the article
 * picked its own (the group's low bound + 30: FSFilter Compression gives
 * 160030) and trying the next thousand; false if none fits. */
static bool dummy_altitude(const rule_ctx *c, const bl_altitude_range *r, const char *above, bl_sb *out)
{
    unsigned long low = strtoul(r->low, NULL, 10);
    for (unsigned long a = low + 30; a < low + 1000; a++) {
        bl_sb_reset(out);
        bl_sb_addf(out, "%lu", a);
        if (bl_altitude_cmp(bl_sb_str(out), r->high) > 0)
            return false;
        if (bl_altitude_cmp(bl_sb_str(out), above) > 0 && !altitude_taken(c, bl_sb_str(out)))
            return true;
    }
    return false;
}

/* The article's fix: a dummy minifilter that loads after L attached and
 * before B does, at an altitude above L's, so that fltmgr has to create a
 * frame between them; M then lands in that frame. */
static void propose_dummy(const rule_ctx *c, bl_finding *f, const bl_fs_stack *s, uint32_t L, uint32_t B)
{
    const bl_model *m = c->m;
    const bl_service *ls = &m->services[s->filters[L].service], *bs = &m->services[s->filters[B].service];
    uint32_t from = bl_model_group_rank(m, ls->group), to = bl_model_group_rank(m, bs->group);
    if (from == BL_NONE || to == BL_NONE || ls->start < BL_START_BOOT)
        return;
    const uint32_t *groups = bl_pool_vec_items(m->pool, m->group_order);
    bl_sb alt = {0}, name = {0};
    for (uint32_t g = from + 1; g < to; g++) {
        const bl_altitude_range *r = bl_altitude_table_find(&s->altitudes, bl_model_str(m, groups[g]));
        if (!r || bl_model_group_rank(m, groups[g]) != g ||
            !dummy_altitude(c, r, alt_of(s, &s->filters[L]), &alt))
            continue;
        free_service_name(c, &name);
        bl_sb key = {0}, inst = {0}, inst_name = {0}, sum = {0};
        bl_sb_addf(&key, "Services\\%s", bl_sb_str(&name));
        bl_sb_addf(&inst_name, "%s Instance", bl_sb_str(&name));
        bl_sb_addf(&inst, "%s\\Instances\\%s", bl_sb_str(&key), bl_sb_str(&inst_name));
        bl_change *ch = changes_new(8);
        bl_change_set_dword(&ch[0], bl_sb_str(&key), "Type", BL_TYPE_FS_DRIVER);
        bl_change_set_dword(&ch[1], bl_sb_str(&key), "Start", (uint32_t)ls->start);
        bl_change_set_dword(&ch[2], bl_sb_str(&key), "ErrorControl", 1);
        bl_change_set_sz(&ch[3], bl_sb_str(&key), "Group", bl_model_str(m, groups[g]));
        bl_sb img = {0}, inst_key = {0};
        bl_sb_addf(&img, "System32\\drivers\\%s.sys", bl_sb_str(&name));
        bl_change_set_sz(&ch[4], bl_sb_str(&key), "ImagePath", bl_sb_str(&img));
        bl_sb_addf(&inst_key, "%s\\Instances", bl_sb_str(&key));
        bl_change_set_sz(&ch[5], bl_sb_str(&inst_key), "DefaultInstance", bl_sb_str(&inst_name));
        bl_change_set_sz(&ch[6], bl_sb_str(&inst), "Altitude", bl_sb_str(&alt));
        bl_change_set_dword(&ch[7], bl_sb_str(&inst), "Flags", 0);
        bl_sb_addf(&sum,
                   "Add a dummy minifilter %s (%s start, group \"%s\", altitude %s) so that fltmgr creates a "
                   "frame between %s and %s, as the article did; it needs a driver (e.g. the WDK nullFilter "
                   "sample) at %s, and a Microsoft-assigned altitude in production",
                   bl_sb_str(&name), bl_start_name(ls->start), bl_model_str(m, groups[g]), bl_sb_str(&alt),
                   svc_name(c, s->filters[L].service), svc_name(c, s->filters[B].service), bl_sb_str(&img));
        propose_fix(f, bl_sb_str(&sum), ch, 8);
        bl_sb_free(&key);
        bl_sb_free(&inst);
        bl_sb_free(&inst_name);
        bl_sb_free(&inst_key);
        bl_sb_free(&img);
        bl_sb_free(&sum);
        break;
    }
    bl_sb_free(&alt);
    bl_sb_free(&name);
}

/* When M and B share a group and both tags are in its GroupOrderList, with
 * B's first: M's tag moved just before B's, so M loads before B attaches. */
static void propose_tag_swap(const rule_ctx *c, bl_finding *f, uint32_t msvc, uint32_t bsvc)
{
    const bl_model *m = c->m;
    const bl_service *ms = &m->services[msvc], *bs = &m->services[bsvc];
    if (!ms->has_tag || !bs->has_tag || !ms->group ||
        bl_pool_fold(m->pool, ms->group) != bl_pool_fold(m->pool, bs->group))
        return;
    const bl_group_tags *gt = bl_model_group_tags(m, ms->group);
    if (!gt)
        return;
    uint32_t n = bl_pool_vec_len(m->pool, gt->tags);
    const uint32_t *tags = bl_pool_vec_items(m->pool, gt->tags);
    uint32_t im = BL_NONE, ib = BL_NONE;
    for (uint32_t i = 0; i < n; i++) {
        if (tags[i] == ms->tag && im == BL_NONE)
            im = i;
        if (tags[i] == bs->tag && ib == BL_NONE)
            ib = i;
    }
    if (im == BL_NONE || ib == BL_NONE || im < ib)
        return;
    /* REG_BINARY: a DWORD count, then the tags in load order. */
    size_t size = 4 * ((size_t)n + 1);
    uint8_t *data = bl_xmalloc(size);
    uint32_t k = 0;
    uint32_t *order = bl_xmalloc(n * sizeof *order);
    for (uint32_t i = 0; i < n; i++) {
        if (i == ib)
            order[k++] = ms->tag;
        if (i != im)
            order[k++] = tags[i];
    }
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t v = i == 0 ? n : order[i - 1];
        for (int b = 0; b < 4; b++)
            data[4 * i + (size_t)b] = (uint8_t)(v >> (8 * b));
    }
    free(order);
    bl_change *ch = changes_new(1);
    ch[0].key = bl_xstrdup("Control\\GroupOrderList");
    ch[0].value = bl_xstrdup(bl_model_str(m, gt->group));
    ch[0].type = BL_REG_BINARY;
    ch[0].data = data;
    ch[0].size = size;
    bl_sb sum = {0};
    bl_sb_addf(&sum,
               "Load %s before %s: put its Tag %u before Tag %u in GroupOrderList\\%s, so it registers "
               "before %s attaches",
               svc_name(c, msvc), svc_name(c, bsvc), ms->tag, bs->tag, bl_model_str(m, gt->group),
               svc_name(c, bsvc));
    propose_fix(f, bl_sb_str(&sum), ch, 1);
    bl_sb_free(&sum);
}

static void propose_inversion_fixes(const rule_ctx *c, bl_finding *f, const bl_fs_stack *s, uint32_t L,
                                    uint32_t M, uint32_t B)
{
    const bl_model *m = c->m;
    uint32_t lsvc = s->filters[L].service, msvc = s->filters[M].service;
    if (B == BL_NONE) {
        /* M registered before L attached: L must load first, then M's
         * frame cannot be extended past L and M gets a frame above it. */
        int32_t mstart = m->services[msvc].start;
        if (m->services[lsvc].start > mstart && mstart >= BL_START_BOOT)
            propose_start(c, f, lsvc, mstart, ", so it attaches before the minifilter registers");
        return;
    }
    uint32_t bsvc = s->filters[B].service;
    propose_dummy(c, f, s, L, B);
    propose_tag_swap(c, f, msvc, bsvc);
    int32_t bstart = m->services[bsvc].start;
    if (m->services[msvc].start > bstart && bstart >= BL_START_BOOT) {
        bl_sb why = {0};
        bl_sb_addf(&why, ", so it registers before %s attaches", svc_name(c, bsvc));
        propose_start(c, f, msvc, bstart, bl_sb_str(&why));
        bl_sb_free(&why);
    }
}

void rule_altitude_inversion(const rule_ctx *c, bl_findings *out)
{
    bl_fs_stack *s = bl_fs_simulate(c->m, c->t);
    for (uint32_t i = 0; i < s->norder; i++) {
        uint32_t L = s->order[i];
        const bl_fs_filter *l = &s->filters[L];
        if (l->kind != BL_FS_LEGACY || !l->altitude)
            continue;
        /* Minifilters below L in the stack whose altitude says they belong above it. */
        for (uint32_t k = i + 1; k < s->norder; k++) {
            uint32_t M = s->order[k];
            const bl_fs_filter *mf = &s->filters[M];
            if (mf->kind != BL_FS_MINIFILTER || bl_altitude_cmp(alt_of(s, mf), alt_of(s, l)) <= 0)
                continue;
            uint32_t B = bounding_legacy(s, M);
            bl_sb subject = {0};
            bl_sb_addf(&subject, "%s:%s", svc_name(c, l->service), svc_name(c, mf->service));
            bl_finding *f = bl_finding_add(
                out, "altitude-inversion", BL_SEV_WARNING, bl_sb_str(&subject),
                "legacy filter %s (%s) sits above minifilter %s (%s), whose altitude is higher: %s sees I/O "
                "%s has already processed",
                svc_name(c, l->service), alt_of(s, l), svc_name(c, mf->service), alt_of(s, mf),
                svc_name(c, mf->service), svc_name(c, l->service));
            bl_finding_service(f, svc_name(c, l->service));
            bl_finding_service(f, svc_name(c, mf->service));
            if (B != BL_NONE)
                bl_finding_service(f, svc_name(c, s->filters[B].service));
            ev_service(c, f, l->service, "Group");
            ev_service(c, f, l->service, "Start");
            ev_service(c, f, mf->service, "Group");
            ev_service(c, f, mf->service, "Start");
            ev_service(c, f, mf->service, "Tag");
            ev_instance(c, f, mf->service, mf->instance);
            if (B != BL_NONE) {
                ev_service(c, f, s->filters[B].service, "Group");
                ev_service(c, f, s->filters[B].service, "Tag");
            }
            inversion_detail(c, f, s, L, M, B);
            propose_inversion_fixes(c, f, s, L, M, B);
            bl_sb_free(&subject);
        }
    }
    bl_fs_stack_free(s);
}

/* ---- altitude-out-of-group-range ---- */

/* A legacy filter on the stack whose altitude lies strictly between range
 * r and altitude alt: the group (when it loads) and the altitude (where it
 * belongs) put the minifilter on opposite sides of that filter. */
static uint32_t legacy_between(const bl_fs_stack *s, const bl_altitude_range *r, const char *alt)
{
    bool above = bl_altitude_cmp(alt, r->high) > 0;
    for (uint32_t i = 0; i < s->nfilters; i++) {
        const bl_fs_filter *l = &s->filters[i];
        if (l->kind != BL_FS_LEGACY || l->state != BL_FS_PLACED || !l->altitude)
            continue;
        const char *la = alt_of(s, l);
        if (above ? bl_altitude_cmp(r->high, la) < 0 && bl_altitude_cmp(la, alt) < 0
                  : bl_altitude_cmp(alt, la) < 0 && bl_altitude_cmp(la, r->low) < 0)
            return i;
    }
    return BL_NONE;
}

void rule_altitude_out_of_group_range(const rule_ctx *c, bl_findings *out)
{
    bl_fs_stack *s = bl_fs_simulate(c->m, c->t);
    for (uint32_t i = 0; i < s->nfilters; i++) {
        const bl_fs_filter *f = &s->filters[i];
        if (f->kind != BL_FS_MINIFILTER || f->group_range == BL_NONE || !bl_altitude_valid(alt_of(s, f)))
            continue;
        const bl_altitude_range *r = &s->altitudes.v[f->group_range];
        const char *alt = alt_of(s, f);
        if (bl_altitude_cmp(r->low, alt) <= 0 && bl_altitude_cmp(alt, r->high) <= 0)
            continue;
        uint32_t L = legacy_between(s, r, alt);
        const bl_altitude_range *home = range_holding(&s->altitudes, alt);
        bl_sb where = {0};
        if (home)
            bl_sb_addf(&where, ", in the range of \"%s\" (%s-%s)", home->group, home->low, home->high);
        bl_finding *x =
            bl_finding_add(out, "altitude-out-of-group-range", L != BL_NONE ? BL_SEV_WARNING : BL_SEV_INFO,
                           svc_name(c, f->service),
                           "minifilter %s's altitude %s is outside its load-order group \"%s\" "
                           "(%s-%s)%s",
                           svc_name(c, f->service), alt, r->group, r->low, r->high, bl_sb_str(&where));
        bl_finding_service(x, svc_name(c, f->service));
        ev_service(c, x, f->service, "Group");
        ev_instance(c, x, f->service, f->instance);
        if (L != BL_NONE) {
            bl_finding_service(x, svc_name(c, s->filters[L].service));
            bl_finding_detail(x,
                              "The group decides when a filter loads, the altitude where it belongs. Legacy "
                              "filter %s (%s) attaches by load order between the two: %s loads on one side "
                              "of it and belongs on the other, which can leave it in the wrong frame.",
                              svc_name(c, s->filters[L].service), alt_of(s, &s->filters[L]),
                              svc_name(c, f->service));
            if (home && group_rank(c->m, home->group) != BL_NONE)
                propose_group(c, x, f->service, home->group, ", the group its altitude belongs to");
        } else {
            bl_finding_detail(
                x, "The group decides when a filter loads, the altitude where it attaches; with no "
                   "legacy filter between the two they cannot disagree about the stack. Windows "
                   "itself ships filters like this (Wof at 40700 in FSFilter Compression, WIMMount "
                   "at 180700 in FSFilter Infrastructure).");
        }
        bl_sb_free(&where);
    }
    bl_fs_stack_free(s);
}

/* ---- duplicate-altitude ---- */

/* One instance's altitude, normalized so equal decimals compare equal as
 * strings ("135000" and "135000.0"). */
typedef struct alt_entry {
    char *norm;
    uint32_t filter; /* index into the stack's filters: load order, unloaded last */
    uint32_t inst;
} alt_entry;

static int alt_entry_cmp(const void *a, const void *b)
{
    const alt_entry *x = a, *y = b;
    int c = strcmp(x->norm, y->norm);
    if (c)
        return c;
    if (x->filter != y->filter)
        return x->filter < y->filter ? -1 : 1;
    return x->inst < y->inst ? -1 : x->inst > y->inst;
}

/* duplicate-altitude: minifilter instances sharing an altitude, one finding
 * per altitude with its members (found by a sort: 3,000 minifilters on one
 * altitude are one finding, not 4.5 million pairs). */
void rule_duplicate_altitude(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    bl_fs_stack *s = bl_fs_simulate(m, c->t);
    alt_entry *v = NULL;
    uint32_t n = 0, cap = 0;
    for (uint32_t i = 0; i < s->nfilters; i++) {
        const bl_fs_filter *a = &s->filters[i];
        if (a->kind != BL_FS_MINIFILTER || a->state == BL_FS_NOT_LOADED)
            continue;
        const bl_service *as = &m->services[a->service];
        for (uint32_t ia = as->inst_first; ia < as->inst_first + as->inst_count; ia++) {
            const char *alt = bl_model_str(m, m->instances[ia].altitude);
            if (!bl_altitude_valid(alt))
                continue;
            bl_sb norm = {0};
            bl_altitude_normalize(alt, &norm);
            bl_grow((void **)&v, sizeof *v, &cap, n + 1);
            v[n++] = (alt_entry){bl_sb_detach(&norm), i, ia};
        }
    }
    if (n)
        qsort(v, n, sizeof *v, alt_entry_cmp);
    for (uint32_t g0 = 0; g0 < n;) {
        uint32_t g1 = g0 + 1;
        while (g1 < n && strcmp(v[g1].norm, v[g0].norm) == 0)
            g1++;
        if (g1 - g0 < 2) {
            g0 = g1;
            continue;
        }
        const bl_fs_filter *first = &s->filters[v[g0].filter];
        uint32_t count = g1 - g0;
        bl_sb subject = {0}, names = {0};
        bl_sb_addf(&subject, "altitude:%s", v[g0].norm);
        for (uint32_t k = g0; k < g1 && k < g0 + 8; k++)
            bl_sb_addf(&names, "%s%s (instance \"%s\")", k > g0 ? ", " : "", svc_name(c, s->filters[v[k].filter].service),
                       bl_model_str(m, m->instances[v[k].inst].name));
        if (count > 8)
            bl_sb_addf(&names, " and %u more", count - 8);
        bl_finding *f = bl_finding_add(
            out, "duplicate-altitude", BL_SEV_WARNING, bl_sb_str(&subject),
            "%u minifilter instances share altitude %s: %s; fltmgr attaches one per volume, so %s",
            count, bl_model_str(m, m->instances[v[g0].inst].altitude), bl_sb_str(&names),
            first->position ? "the first to load attaches and the others are refused"
                            : "the first one started attaches and the others are refused");
        for (uint32_t k = g0; k < g1; k++) {
            const bl_fs_filter *x = &s->filters[v[k].filter];
            if (k < g0 + 64)
                bl_finding_service(f, svc_name(c, x->service));
            if (k < g0 + 8)
                ev_instance(c, f, x->service, v[k].inst);
            if (k > g0 && k < g0 + 8) {
                if (x->position)
                    bl_finding_detail(f, "%s loads at slot %u, after %s: its instance is refused.", svc_name(c, x->service),
                                      x->position, svc_name(c, first->service));
                else
                    bl_finding_detail(f, "%s's instance will be refused when it is started.", svc_name(c, x->service));
            }
        }
        bl_finding_detail(f, "Every minifilter instance on a volume needs an altitude of its own (compared as decimal "
                             "numbers); attaching a second one at the same altitude fails with "
                             "STATUS_FLT_INSTANCE_ALTITUDE_COLLISION. Altitudes are allocated by Microsoft; one of the "
                             "vendors must use another.");
        bl_sb_free(&subject);
        bl_sb_free(&names);
        g0 = g1;
    }
    for (uint32_t k = 0; k < n; k++)
        free(v[k].norm);
    free(v);
    bl_fs_stack_free(s);
}

/* ---- minifilter-altitude-missing ---- */

/* Type 2 or an FSFilter/Filter group: what a minifilter's INF writes.  An
 * Instances key on anything else (Windows' PEAUTH has one, with no
 * instance) is probably not a registration. */
static bool looks_like_minifilter(const bl_model *m, const bl_service *s)
{
    const char *g = bl_model_str(m, s->group);
    return (s->has_type && s->type == BL_TYPE_FS_DRIVER) || bl_fold_has_prefix(g, "FSFilter") ||
           bl_fold_eq(g, "Filter");
}

void rule_minifilter_altitude_missing(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    bl_fs_stack *s = bl_fs_simulate(m, c->t);
    for (uint32_t i = 0; i < s->nfilters; i++) {
        const bl_fs_filter *f = &s->filters[i];
        if (f->kind != BL_FS_MINIFILTER || f->state == BL_FS_NOT_LOADED)
            continue;
        const bl_service *sv = &m->services[f->service];
        uint32_t bad = 0;
        for (uint32_t k = sv->inst_first; k < sv->inst_first + sv->inst_count; k++)
            if (!bl_altitude_valid(bl_model_str(m, m->instances[k].altitude)))
                bad++;
        if (sv->inst_count && !bad)
            continue;
        bool real = looks_like_minifilter(m, sv);
        bl_severity sev = real ? BL_SEV_WARNING : BL_SEV_INFO;
        const char *when = f->position ? "when it loads" : "when it is started";
        bl_finding *x;
        if (!sv->inst_count)
            x = bl_finding_add(out, "minifilter-altitude-missing", sev, svc_name(c, f->service),
                               "%s has an Instances key but no instance with an Altitude%s",
                               svc_name(c, f->service),
                               real ? ": registering as a minifilter fails" : " (probably not a minifilter)");
        else if (!bl_altitude_valid(alt_of(s, f)))
            x = bl_finding_add(out, "minifilter-altitude-missing", sev, svc_name(c, f->service),
                               "minifilter %s's instance \"%s\" has %s: it cannot register %s",
                               svc_name(c, f->service), bl_model_str(m, m->instances[f->instance].name),
                               *alt_of(s, f) ? "an Altitude that is not a decimal number" : "no Altitude",
                               when);
        else
            x = bl_finding_add(out, "minifilter-altitude-missing", sev, svc_name(c, f->service),
                               "minifilter %s has %u instance%s without a usable Altitude: %s cannot attach",
                               svc_name(c, f->service), bad, bad == 1 ? "" : "s", bad == 1 ? "it" : "they");
        bl_finding_service(x, svc_name(c, f->service));
        bl_sb p = {0};
        instances_key(c, f->service, &p);
        if (sv->default_instance)
            bl_finding_evidence(x, bl_sb_str(&p), "DefaultInstance = \"%s\"",
                                bl_model_str(m, sv->default_instance));
        else
            bl_finding_evidence(x, bl_sb_str(&p), NULL);
        bl_sb_free(&p);
        for (uint32_t k = sv->inst_first; k < sv->inst_first + sv->inst_count; k++)
            if (!bl_altitude_valid(bl_model_str(m, m->instances[k].altitude)))
                ev_instance(c, x, f->service, k);
        bl_finding_detail(x, "FltRegisterFilter reads the altitude of the default instance (Instances\\"
                             "DefaultInstance names it) from the registry; an altitude is a decimal number "
                             "written as a string (digits, optionally a fraction such as 325000.5).");
    }
    bl_fs_stack_free(s);
}

/* ---- minifilter-loads-before-fltmgr ---- */

void rule_minifilter_loads_before_fltmgr(const rule_ctx *c, bl_findings *out)
{
    const bl_model *m = c->m;
    bl_fs_stack *s = bl_fs_simulate(m, c->t);
    for (uint32_t i = 0; i < s->nfilters; i++) {
        const bl_fs_filter *f = &s->filters[i];
        /* Windows 8+ core-list minifilters (MsSecFlt) initialize before
         * FltMgr by Windows' design and are placed when it loads (the fs
         * simulation defers them): no finding. */
        if (f->state != BL_FS_BEFORE_FLTMGR && f->state != BL_FS_NO_FLTMGR)
            continue;
        bl_finding *x;
        if (f->state == BL_FS_BEFORE_FLTMGR)
            x = bl_finding_add(out, "minifilter-loads-before-fltmgr", BL_SEV_WARNING, svc_name(c, f->service),
                               "minifilter %s loads at slot %u, before FltMgr (slot %u): it has no filter "
                               "manager to register with",
                               svc_name(c, f->service), f->position, s->fltmgr_position);
        else
            x = bl_finding_add(out, "minifilter-loads-before-fltmgr", BL_SEV_WARNING, svc_name(c, f->service),
                               "minifilter %s loads at slot %u, but FltMgr never loads during boot",
                               svc_name(c, f->service), f->position);
        bl_finding_service(x, svc_name(c, f->service));
        ev_service(c, x, f->service, "Group");
        ev_service(c, x, f->service, "Start");
        if (s->fltmgr != BL_NONE) {
            bl_finding_service(x, svc_name(c, s->fltmgr));
            ev_service(c, x, s->fltmgr, "Group");
            ev_service(c, x, s->fltmgr, "Start");
        }
        bl_finding_detail(x, "A minifilter's DriverEntry calls FltRegisterFilter, which needs the filter "
                             "manager (FltMgr) initialized; bootlens does not place it on the stack.");
        if (f->state == BL_FS_NO_FLTMGR) {
            if (s->fltmgr != BL_NONE && m->services[s->fltmgr].start != BL_START_BOOT)
                propose_start(c, x, s->fltmgr, BL_START_BOOT, ", as Windows installs it");
        } else {
            const bl_altitude_range *home = range_holding(&s->altitudes, alt_of(s, f));
            uint32_t rank = home ? group_rank(m, home->group) : BL_NONE;
            if (rank != BL_NONE && rank > bl_model_group_rank(m, m->services[s->fltmgr].group))
                propose_group(c, x, f->service, home->group,
                              ", the group its altitude belongs to, after FltMgr's");
        }
    }
    bl_fs_stack_free(s);
}

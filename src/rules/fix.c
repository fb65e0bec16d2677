/* fix.c — proving fixes.  Rules propose candidate registry changes; here
 * each candidate is applied to a copy of the model, the boot is simulated
 * again and every rule re-run.  A candidate is kept only if the finding is
 * gone or lost severity (an error that becomes a plain deferral: it no
 * longer breaks anything) and no new warning or error appeared; it then
 * carries what the re-simulation showed.  Without the search (--no-fixes)
 * no candidate is shown: every fix bootlens shows is a verified one.
 *
 * The search has a budget (re-simulations and time, BL_FIX_BUDGET_*):
 * identical candidates of several findings (one filter, many classes) are
 * simulated once, errors before warnings; what the budget leaves out is
 * counted in the findings (fix_unsearched) and said in the report. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_KEPT 3
#define MAX_TRIED 6

/* Findings by subject, for the comparisons of a verification. */
typedef struct subject_index {
    const bl_finding **v;
    uint32_t n;
} subject_index;

static int by_subject(const void *a, const void *b)
{
    const bl_finding *x = *(const bl_finding *const *)a, *y = *(const bl_finding *const *)b;
    return strcmp(x->subject, y->subject);
}

static void index_build(subject_index *ix, const bl_findings *f)
{
    ix->n = f->n;
    ix->v = bl_xmalloc((f->n ? f->n : 1) * sizeof *ix->v);
    for (uint32_t i = 0; i < f->n; i++)
        ix->v[i] = &f->v[i];
    qsort(ix->v, ix->n, sizeof *ix->v, by_subject);
}

static const bl_finding *index_find(const subject_index *ix, const char *subject)
{
    uint32_t lo = 0, hi = ix->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->v[mid]->subject, subject);
        if (c == 0)
            return ix->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Describes the new timeline for the devices and services of the finding. */
static char *describe(const bl_model *before_m, const bl_timeline *before, const bl_model *m,
                      const bl_timeline *t, const bl_finding *f, const bl_findings *after,
                      const subject_index *after_ix)
{
    bl_sb sb = {0};
    bl_sb_add(&sb, "Re-simulated:");
    for (uint32_t i = 0; i < f->ndevices && i < 4; i++) {
        uint32_t d = bl_model_find_device(m, f->devices[i]);
        uint32_t d0 = bl_model_find_device(before_m, f->devices[i]);
        if (d == BL_NONE)
            continue;
        const bl_device_start *ds = &t->devices[d];
        if (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP)
            bl_sb_addf(&sb, " %s starts at slot %u (%s phase", f->devices[i], ds->slot, bl_phase_name(ds->phase));
        else
            bl_sb_addf(&sb, " %s does not start (%s", f->devices[i], bl_block_text(ds->block));
        if (d0 != BL_NONE) {
            const bl_device_start *o = &before->devices[d0];
            if (o->phase == BL_PHASE_BOOT || o->phase == BL_PHASE_PNP)
                bl_sb_addf(&sb, "; was slot %u, %s phase)", o->slot, bl_phase_name(o->phase));
            else
                bl_sb_add(&sb, "; did not start before)");
        } else {
            bl_sb_addc(&sb, ')');
        }
        bl_sb_addc(&sb, ';');
    }
    bool first = true;
    for (uint32_t i = 0; i < f->nservices && i < 6; i++) {
        uint32_t s = bl_model_find_service(m, f->services[i]);
        uint32_t p = s != BL_NONE ? bl_timeline_position(t, s) : 0;
        if (!p)
            continue;
        bl_sb_addf(&sb, "%s%s at slot %u", first ? " " : ", ", f->services[i], p);
        first = false;
    }
    if (!first)
        bl_sb_addc(&sb, '.');
    uint32_t counts[3];
    bl_findings_count(after, counts);
    const bl_finding *same = index_find(after_ix, f->subject);
    if (same)
        bl_sb_addf(&sb, " The %s becomes %s %s: %s.", bl_severity_name(f->severity),
                   same->severity == BL_SEV_WARNING ? "a" : "an", bl_severity_name(same->severity), same->message);
    else
        bl_sb_add(&sb, " The finding is gone.");
    bl_sb_addf(&sb, " Nothing new is reported (%u error%s, %u warning%s in all).", counts[2],
               counts[2] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s");
    return bl_sb_detach(&sb);
}

/* One re-simulation: the model with a candidate applied and what the rules
 * say of it. */
typedef struct resim {
    bl_model *m;
    bl_timeline *t;
    bl_findings after;
    subject_index ix;
} resim;

static void resim_run(resim *r, const bl_model *m, const bl_rules_options *opt, const bl_fix *x)
{
    r->m = bl_model_clone(m);
    for (uint32_t i = 0; i < x->nchanges; i++)
        bl_change_apply(r->m, &x->changes[i]);
    r->t = bl_simulate(r->m, opt ? opt->sim : NULL);
    bl_rules_options ro = {0};
    if (opt)
        ro = *opt;
    ro.no_fixes = true;
    ro.only_rule = NULL;
    memset(&r->after, 0, sizeof r->after);
    bl_rules_run(r->m, r->t, &ro, &r->after);
    index_build(&r->ix, &r->after);
}

static void resim_free(resim *r)
{
    free(r->ix.v);
    bl_findings_free(&r->after);
    bl_timeline_free(r->t);
    bl_model_free(r->m);
}

/* The verification text of finding f under re-simulation r, or NULL if the
 * candidate does not hold. */
static char *verify(const bl_model *m, const bl_timeline *t, const subject_index *orig, const bl_finding *f,
                    const resim *r)
{
    const bl_finding *same = index_find(&r->ix, f->subject);
    if (same && same->severity >= f->severity)
        return NULL;
    for (uint32_t i = 0; i < r->after.n; i++) {
        const bl_finding *x = &r->after.v[i];
        if (x->severity < BL_SEV_WARNING || x == same)
            continue;
        const bl_finding *was = index_find(orig, x->subject);
        if (!was || was->severity < x->severity)
            return NULL;
    }
    return describe(m, t, r->m, r->t, f, &r->after, &r->ix);
}

void bl_fixes_discard(bl_findings *f)
{
    for (uint32_t i = 0; i < f->n; i++) {
        for (uint32_t k = 0; k < f->v[i].nfixes; k++)
            bl_fix_free(&f->v[i].fixes[k]);
        free(f->v[i].fixes);
        f->v[i].fixes = NULL;
        f->v[i].nfixes = 0;
    }
}

/* A candidate's identity: its changes, serialized. */
static char *fingerprint(const bl_fix *x)
{
    bl_sb sb = {0};
    for (uint32_t i = 0; i < x->nchanges; i++) {
        const bl_change *c = &x->changes[i];
        bl_sb_addf(&sb, "%s\x1f%s\x1f%u\x1f%d%d\x1f", c->key ? c->key : "", c->value ? c->value : "", c->type,
                   c->delete_value, c->delete_key);
        for (size_t k = 0; k < c->size; k++)
            bl_sb_addf(&sb, "%02x", c->data[k]);
        bl_sb_addc(&sb, '\x1e');
    }
    return bl_sb_detach(&sb);
}

typedef struct pair {
    uint32_t finding, cand;
    char *key;
    uint8_t severity; /* of the finding: errors are searched first */
    uint32_t first;   /* index of the first pair with this key, for the order */
    char *verified;
    bool tried;
} pair;

static int pair_by_key(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    if (x->finding != y->finding)
        return x->finding < y->finding ? -1 : 1;
    return x->cand < y->cand ? -1 : x->cand > y->cand;
}

/* Groups of pairs sharing a candidate, in search order. */
typedef struct cand_group {
    uint32_t from, to; /* range in the key-sorted pairs */
    uint8_t severity;  /* the highest of its findings */
    uint32_t first;    /* first appearance (finding order) */
} cand_group;

static int group_order(const void *a, const void *b)
{
    const cand_group *x = a, *y = b;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void bl_fixes_search(const bl_model *m, const bl_timeline *t, const bl_rules_options *opt, bl_findings *f)
{
    uint32_t max_resims = opt && opt->fix_budget ? opt->fix_budget : BL_FIX_BUDGET_RESIMULATIONS;
    double max_ms = opt && opt->fix_budget_ms > 0 ? opt->fix_budget_ms : BL_FIX_BUDGET_MS;
    /* The candidates worth trying. */
    pair *p = NULL;
    uint32_t np = 0, cap = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        const bl_finding *x = &f->v[i];
        if (x->severity < BL_SEV_WARNING)
            continue;
        for (uint32_t k = 0; k < x->nfixes && k < MAX_TRIED; k++) {
            bl_grow((void **)&p, sizeof *p, &cap, np + 1);
            p[np] = (pair){i, k, fingerprint(&x->fixes[k]), (uint8_t)x->severity, np, NULL, false};
            np++;
        }
    }
    if (np)
        qsort(p, np, sizeof *p, pair_by_key);
    cand_group *g = bl_xmalloc((np ? np : 1) * sizeof *g);
    uint32_t ng = 0;
    for (uint32_t i = 0; i < np;) {
        uint32_t j = i;
        cand_group cg = {i, i, 0, UINT32_MAX};
        while (j < np && strcmp(p[j].key, p[i].key) == 0) {
            if (p[j].severity > cg.severity)
                cg.severity = p[j].severity;
            if (p[j].first < cg.first)
                cg.first = p[j].first;
            j++;
        }
        cg.to = j;
        g[ng++] = cg;
        i = j;
    }
    if (ng)
        qsort(g, ng, sizeof *g, group_order);

    subject_index orig;
    index_build(&orig, f);
    double t0 = now_ms();
    uint32_t resims = 0;
    bool exhausted = false;
    for (uint32_t k = 0; k < ng; k++) {
        if (resims >= max_resims || now_ms() - t0 > max_ms) {
            exhausted = true;
            break;
        }
        resim r;
        resim_run(&r, m, opt, &f->v[p[g[k].from].finding].fixes[p[g[k].from].cand]);
        resims++;
        for (uint32_t i = g[k].from; i < g[k].to; i++) {
            p[i].tried = true;
            p[i].verified = verify(m, t, &orig, &f->v[p[i].finding], &r);
        }
        resim_free(&r);
    }
    free(orig.v);

    /* Keep, per finding, the first verified candidates in their order. */
    char **text = bl_xcalloc((f->n ? f->n : 1) * MAX_TRIED, sizeof *text);
    uint8_t *untried = bl_xcalloc(f->n ? f->n : 1, 1);
    for (uint32_t i = 0; i < np; i++) {
        text[p[i].finding * MAX_TRIED + p[i].cand] = p[i].verified;
        if (!p[i].tried)
            untried[p[i].finding] = 1;
        free(p[i].key);
    }
    uint32_t unsearched = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        bl_finding *x = &f->v[i];
        unsearched += untried[i];
        uint32_t kept = 0;
        for (uint32_t k = 0; k < x->nfixes; k++) {
            bl_fix *cand = &x->fixes[k];
            char *v = k < MAX_TRIED ? text[i * MAX_TRIED + k] : NULL;
            if (v && kept < MAX_KEPT) {
                cand->verification = v;
                x->fixes[kept++] = *cand;
            } else {
                free(v);
                bl_fix_free(cand);
            }
        }
        x->nfixes = kept;
        if (!kept) {
            free(x->fixes);
            x->fixes = NULL;
        }
    }
    f->fix_resimulations = resims;
    f->fix_unsearched = exhausted ? unsearched : 0;
    free(text);
    free(untried);
    free(g);
    free(p);
}

/* fix.c — proving fixes.  Rules propose candidate registry changes; here
 * each candidate is applied to a copy of the model, the boot is simulated
 * again and every rule re-run.  A candidate is kept only if the finding is
 * gone or lost severity (an error that becomes a plain deferral warning: it
 * no longer breaks anything) and no new warning or error appeared; it then
 * carries what the re-simulation showed.  Without the search (--no-fixes)
 * no candidate is shown: every fix bootlens shows is a verified one. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_KEPT 3
#define MAX_TRIED 6

static const bl_finding *find_subject(const bl_findings *f, const char *subject)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].subject, subject) == 0)
            return &f->v[i];
    return NULL;
}

/* Describes the new timeline for the devices and services of the finding. */
static char *describe(const bl_model *before_m, const bl_timeline *before, const bl_model *m,
                      const bl_timeline *t, const bl_finding *f, const bl_findings *after)
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
    const bl_finding *same = find_subject(after, f->subject);
    if (same)
        bl_sb_addf(&sb, " The %s becomes %s %s: %s.", bl_severity_name(f->severity),
                   same->severity == BL_SEV_WARNING ? "a" : "an", bl_severity_name(same->severity),
                   same->message);
    else
        bl_sb_add(&sb, " The finding is gone.");
    bl_sb_addf(&sb, " Nothing new is reported (%u error%s, %u warning%s in all).", counts[2],
               counts[2] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s");
    return bl_sb_detach(&sb);
}

/* Applies fix x to a copy of m and checks it against the original
 * findings; returns the verification text, or NULL if it does not hold. */
static char *verify(const bl_model *m, const bl_timeline *t, const bl_rules_options *opt,
                    const bl_findings *orig, const bl_finding *f, const bl_fix *x)
{
    bl_model *copy = bl_model_clone(m);
    for (uint32_t i = 0; i < x->nchanges; i++)
        bl_change_apply(copy, &x->changes[i]);
    bl_timeline *t2 = bl_simulate(copy, opt ? opt->sim : NULL);
    bl_rules_options ro = {0};
    if (opt)
        ro = *opt;
    ro.no_fixes = true;
    ro.only_rule = NULL;
    bl_findings after = {0};
    bl_rules_run(copy, t2, &ro, &after);
    bool ok = true;
    /* The finding must be gone or have lost severity (an error that becomes a
     * plain deferral warning is fixed: nothing breaks any more). */
    const bl_finding *same = find_subject(&after, f->subject);
    if (same && same->severity >= f->severity)
        ok = false;
    for (uint32_t i = 0; ok && i < after.n; i++) {
        if (after.v[i].severity < BL_SEV_WARNING || &after.v[i] == same)
            continue;
        const bl_finding *was = find_subject(orig, after.v[i].subject);
        if (!was || was->severity < after.v[i].severity)
            ok = false;
    }
    char *text = ok ? describe(m, t, copy, t2, f, &after) : NULL;
    bl_findings_free(&after);
    bl_timeline_free(t2);
    bl_model_free(copy);
    return text;
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

void bl_fixes_search(const bl_model *m, const bl_timeline *t, const bl_rules_options *opt,
                     bl_findings *f)
{
    for (uint32_t i = 0; i < f->n; i++) {
        bl_finding *x = &f->v[i];
        if (!x->nfixes)
            continue;
        uint32_t kept = 0;
        for (uint32_t k = 0; k < x->nfixes; k++) {
            bl_fix *cand = &x->fixes[k];
            char *v = NULL;
            if (x->severity >= BL_SEV_WARNING && kept < MAX_KEPT && k < MAX_TRIED)
                v = verify(m, t, opt, f, x, cand);
            if (v) {
                cand->verification = v;
                x->fixes[kept++] = *cand;
            } else {
                bl_fix_free(cand);
            }
        }
        x->nfixes = kept;
        if (!kept) {
            free(x->fixes);
            x->fixes = NULL;
        }
    }
}

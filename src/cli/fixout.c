/* fixout.c — the fixes of one analysis as files to import
 * (`analyze --fix-out FIX.reg`) and the re-simulation of all of them
 * together.  Two files, because a .reg file applies everything it holds:
 * FIX.reg for the running system (CurrentControlSet) and FIX-offline.reg for
 * the hive loaded under HKLM\OFFLINE from WinRE (the analyzed control set).
 * Each fix was proven alone by the rules; the plan merges them, and here the
 * merged plan is applied to a copy of the model, simulated and checked
 * again, so the file says what importing it really does. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const bl_finding *find_subject(const bl_findings *f, const char *subject)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].subject, subject) == 0)
            return &f->v[i];
    return NULL;
}

void bl_fix_plan_verify(bl_fix_plan *p, const bl_session *s)
{
    if (!p->nchanges)
        return;
    bl_model *copy = bl_model_clone(s->model);
    for (uint32_t i = 0; i < p->nchanges; i++)
        bl_change_apply(copy, &p->changes[i]);
    bl_timeline *t = bl_simulate(copy, &s->sim);
    bl_rules_options ro = {s->knowledge, s->analysis.hive, &s->sim, true, NULL, 0, 0};
    bl_findings after = {0};
    bl_rules_run(copy, t, &ro, &after);
    uint32_t before_n[3], after_n[3], fixed = 0, eased = 0, kept = 0, worse = 0;
    bl_findings_count(&s->findings, before_n);
    bl_findings_count(&after, after_n);
    for (uint32_t i = 0; i < p->nchosen; i++) {
        const bl_finding *f = &s->findings.v[p->chosen[i]];
        const bl_finding *g = find_subject(&after, f->subject);
        if (!g)
            fixed++;
        else if (g->severity < f->severity)
            eased++;
        else
            kept++;
    }
    for (uint32_t i = 0; i < after.n; i++) {
        const bl_finding *was = find_subject(&s->findings, after.v[i].subject);
        if (after.v[i].severity >= BL_SEV_WARNING && (!was || was->severity < after.v[i].severity))
            worse++;
    }
    bl_sb sb = {0};
    bl_sb_addf(&sb,
               "Re-simulated with all %u change%s applied together: %u error%s, %u warning%s before; %u error%s, "
               "%u warning%s after. Of the %u finding%s fixed here, %u %s gone, %u lost severity",
               p->nchanges, p->nchanges == 1 ? "" : "s", before_n[2], before_n[2] == 1 ? "" : "s", before_n[1],
               before_n[1] == 1 ? "" : "s", after_n[2], after_n[2] == 1 ? "" : "s", after_n[1],
               after_n[1] == 1 ? "" : "s", p->nchosen, p->nchosen == 1 ? "" : "s", fixed, fixed == 1 ? "is" : "are",
               eased);
    if (kept)
        bl_sb_addf(&sb, ", %u did NOT change", kept);
    if (worse)
        bl_sb_addf(&sb, "; %u finding%s new or more severe", worse, worse == 1 ? " is" : "s are");
    else
        bl_sb_add(&sb, "; nothing new is reported");
    bl_sb_addc(&sb, '.');
    free(p->verification);
    p->verification = bl_sb_detach(&sb);
    bl_findings_free(&after);
    bl_timeline_free(t);
    bl_model_free(copy);
}

/* FIX.reg -> FIX-offline.reg (FIX -> FIX-offline.reg). */
char *bl_fix_offline_path(const char *path)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    bool ext = n - (size_t)(base - path) > 4 && bl_fold_eq(path + n - 4, ".reg");
    bl_sb sb = {0};
    bl_sb_addn(&sb, path, ext ? n - 4 : n);
    bl_sb_add(&sb, "-offline.reg");
    return bl_sb_detach(&sb);
}

/* Writes one output file of this run through the output module (output.c):
 * beside its target, renamed when complete, never over an input (the hive,
 * its logs, a knowledge file...), never over an existing file without
 * --force. */
static int write_output(const bl_cli *c, const bl_session *s, const char *path, const char *text, size_t n,
                        bl_error *err)
{
    bl_inputs in = {0};
    bl_output o;
    bl_cli_inputs(c, &in);
    bl_cli_inputs_add_source(&in, &s->source); /* every file the image read */
    int rc = bl_output_open(&o, path, c->force, &in, err);
    if (rc == 0) {
        fwrite(text, 1, n, o.fp);
        rc = bl_output_commit(&o, &in, err);
    }
    bl_inputs_free(&in);
    return rc;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int bl_write_fix_files(const bl_cli *c, const bl_session *s, const bl_fix_plan *p)
{
    char *offline = bl_fix_offline_path(c->fix_out);
    bl_sb running = {0}, off = {0};
    bl_fix_plan_file(p, &s->analysis, false, base_name(c->fix_out), &running);
    bl_fix_plan_file(p, &s->analysis, true, base_name(offline), &off);
    bl_error err = {{0}};
    int rc = write_output(c, s, c->fix_out, bl_sb_str(&running), running.len, &err) == 0 &&
                     write_output(c, s, offline, bl_sb_str(&off), off.len, &err) == 0
                 ? 0
                 : bl_input_error(err.msg);
    bl_sb_free(&running);
    bl_sb_free(&off);
    free(offline);
    return rc;
}

/* explain.c — `bootlens explain HIVE NAME`: why a driver, service or
 * device loads or starts when it does, what delays it and what it delays,
 * stated from the timeline (and the findings that mention it). */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static bool finding_mentions(const bl_finding *f, const char *name, bool device)
{
    char **v = device ? f->devices : f->services;
    uint32_t n = device ? f->ndevices : f->nservices;
    for (uint32_t i = 0; i < n; i++)
        if (bl_fold_eq(v[i], name))
            return true;
    return false;
}

static void print_findings(FILE *out, const bl_analysis *a, const char *name, bool device)
{
    bool header = false;
    for (uint32_t i = 0; a->findings && i < a->findings->n; i++) {
        const bl_finding *f = &a->findings->v[i];
        if (!finding_mentions(f, name, device))
            continue;
        if (!header)
            fprintf(out, "\nFindings that mention it:\n");
        header = true;
        fprintf(out, "  %s [%s] %s\n", bl_severity_name(f->severity), f->rule, f->message);
    }
}

/* Where a driver sits in the loader's order, in words. */
static void position_words(FILE *out, const bl_analysis *a, uint32_t svc, const bl_load *l)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    const bl_service *s = &m->services[svc];
    if (l->why & BL_WHY_DEVICE) {
        fprintf(out, "  Loaded in the PnP phase at slot %u, for device %s (a driver of its stack).\n",
                l->position, bl_model_str(m, m->devices[l->for_device].instance_id));
        return;
    }
    if (l->why & BL_WHY_DEPENDENCY) {
        fprintf(out, "  Started by the SCM at slot %u as a dependency of %s.\n", l->position,
                bl_model_service_name(m, l->for_device));
        return;
    }
    const char *phase = bl_phase_name(l->phase);
    fprintf(out, "  %s phase, slot %u", phase, l->position);
    if (l->phase == BL_PHASE_BOOT)
        fprintf(out, " (boot driver %u of %u)", l->position, t->boot_count);
    fputs(".\n", out);
    if (l->why & BL_WHY_BOOTFLAGS)
        fprintf(out, "  Promoted to boot start: BootFlags 0x%x matches the boot scenario (0x%x).\n", s->boot_flags,
                t->boot_flags);
    if (l->why & BL_WHY_BOOT_FS)
        fprintf(out, "  Added by the loader as the boot file system, whatever its Start (%s): ntldr and winload "
                     "add the file system they booted from by name.\n",
                bl_start_name(s->start));
    const bl_service_state *st = &t->services[svc];
    if (l->why & BL_WHY_PULLED)
        fprintf(out, "  Pulled forward: PnP called its DriverEntry for %s (a filter of that device's stack) "
                     "ahead of its own turn (#%u of the initialization order)%s.\n",
                bl_model_str(m, m->devices[l->for_device].instance_id), st->turn,
                t->pull_rule == BL_PULL_AT_ONCE
                    ? ": on Windows 2000/XP/2003 PnP initializes a boot filter at once (PipLoadBootFilterDriver)"
                    : ": on Vista and later PnP does so once every boot driver of the groups before its own has "
                      "had its turn (PnpLoadBootFilterDriver)");
    if (st->skipped_for_group)
        fprintf(out, "  At its turn the kernel skipped it: it depends on group \"%s\", whose members were tried "
                     "and none loaded (PipCheckDependencies).\n",
                bl_model_str(m, st->skipped_for_group));
    if (l->phase == BL_PHASE_BOOT && l->origin != BL_LIST_GROUP && l->origin != BL_LIST_NONE) {
        fprintf(out, "  Its place comes from %s: winload moves it out of the boot list and the kernel "
                     "initializes that list before every group (PipInitializeCoreDriversAndElam); its group "
                     "and tag do not decide it.\n",
                bl_list_origin_text(l->origin));
    } else {
        if (s->group) {
            if (l->group_rank != BL_NONE)
                fprintf(out, "  Group \"%s\" is #%u in ServiceGroupOrder.\n", bl_model_str(m, s->group),
                        l->group_rank + 1);
            else
                fprintf(out, "  Group \"%s\" is not in ServiceGroupOrder: it loads after every listed group.\n",
                        bl_model_str(m, s->group));
        } else {
            fputs("  No group: it loads after every grouped driver of its start type.\n", out);
        }
        if (s->has_tag) {
            if (l->tag_index == BL_TAG_UNLISTED)
                fprintf(out, "  Tag %u is not in GroupOrderList\\%s: after the listed tags.\n", s->tag,
                        bl_model_str(m, s->group));
            else if (l->tag_index != BL_TAG_NONE)
                fprintf(out, "  Tag %u is #%u in GroupOrderList\\%s.\n", s->tag, l->tag_index + 1,
                        bl_model_str(m, s->group));
        } else if (s->group) {
            fputs("  No Tag: after the tagged drivers of its group.\n", out);
        }
    }
    uint32_t i = (uint32_t)(l - t->loads);
    if (i > 0)
        fprintf(out, "  Right after %s", bl_model_service_name(m, t->loads[i - 1].service));
    if (i + 1 < t->nloads)
        fprintf(out, "%s before %s", i > 0 ? ", right" : "  Right", bl_model_service_name(m, t->loads[i + 1].service));
    if (i > 0 || i + 1 < t->nloads)
        fputs(".\n", out);
}

/* The version-dependent rules the timeline followed, and why. */
static void explain_rules(FILE *out, const bl_analysis *a)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    fprintf(out, "Boot rules of %s (told by %s): %s; %s.\n", bl_windows_name(m->windows), m->windows_why,
            t->pull_rule == BL_PULL_AT_ONCE
                ? "a boot filter a device needs is initialized at once (PipLoadBootFilterDriver)"
                : "a boot filter a device needs is initialized once every driver of the earlier groups had "
                  "its turn (PnpLoadBootFilterDriver)",
            t->pnp_before_system ? "the PnP pass runs before the Start=1 list"
                                 : "the Start=1 list runs before the PnP pass");
}

static int explain_service(FILE *out, const bl_analysis *a, uint32_t svc, bool verbose)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    const bl_service *s = &m->services[svc];
    const char *name = bl_model_str(m, s->name);
    bl_sb img = {0};
    bl_service_image(m, svc, &img);
    fprintf(out, "%s: %s, %s start%s, group \"%s\", image %s\n", name, bl_type_name(s),
            bl_start_name(s->start), s->has_start_override ? " (StartOverride)" : "",
            s->group ? bl_model_str(m, s->group) : "", bl_sb_str(&img));
    bl_sb_free(&img);
    char when[24];
    if (bl_filetime_iso(s->last_written, when))
        fprintf(out, "Service key last written %s.\n", when);
    const bl_service_state *st = &t->services[svc];
    explain_rules(out, a);
    fputs("\nWhen it loads:\n", out);
    if (st->load != BL_NONE) {
        position_words(out, a, svc, &t->loads[st->load]);
    } else if (st->phase == BL_PHASE_NEVER) {
        fprintf(out, "  Never during boot: %s", bl_block_text(st->block));
        if (st->blocked_by != BL_NONE)
            fprintf(out, " (%s)", bl_model_service_name(m, st->blocked_by));
        fputs(".\n", out);
    } else {
        fputs("  Not during boot: demand start and no device or dependent pulls it in.\n", out);
    }

    /* Devices it is part of. */
    uint32_t nfunc = 0, nfilt = 0;
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const bl_device_start *ds = &t->devices[d];
        for (uint32_t k = 0; k < ds->stack_count; k++) {
            const bl_stack_entry *e = &t->stack[ds->stack_first + k];
            if (e->service != svc)
                continue;
            if (e->role == BL_ROLE_FUNCTION) {
                if (!nfunc++)
                    fputs("\nDevices it drives (function driver):\n", out);
                if (nfunc > BL_TEXT_LIST_CAP && !verbose)
                    continue; /* counted below */
                fprintf(out, "  %s: ", bl_model_str(m, m->devices[d].instance_id));
                if (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP) {
                    fprintf(out, "starts at slot %u (%s phase)", ds->slot, bl_phase_name(ds->phase));
                    if (ds->deferred_by != BL_NONE && ds->deferred_by != svc)
                        fprintf(out, ", DELAYED by %s (slot %u)", bl_model_service_name(m, ds->deferred_by),
                                bl_timeline_position(t, ds->deferred_by));
                } else {
                    fprintf(out, "does not start: %s", bl_block_text(ds->block));
                }
                fputc('\n', out);
            } else {
                if (!nfilt++)
                    fputs("\nDevices it filters:\n", out);
                if (nfilt > BL_TEXT_LIST_CAP && !verbose)
                    continue; /* counted below */
                fprintf(out, "  %s (%s, %s)", bl_model_str(m, m->devices[d].instance_id), bl_role_name(e->role),
                        bl_model_device_class_name(m, &m->devices[d]));
                if (ds->deferred_by == svc)
                    fprintf(out, ": it DELAYS this device to slot %u%s", ds->slot,
                            ds->phase == BL_PHASE_PNP ? " (out of the boot phase)" : "");
                fputc('\n', out);
            }
        }
    }
    if (!verbose && nfunc > BL_TEXT_LIST_CAP)
        fprintf(out, "  ... and %u more devices it drives (--verbose lists them all).\n", nfunc - BL_TEXT_LIST_CAP);
    if (!verbose && nfilt > BL_TEXT_LIST_CAP)
        fprintf(out, "  ... and %u more devices it filters (--verbose lists them all).\n", nfilt - BL_TEXT_LIST_CAP);
    /* Dependencies, both ways. */
    uint32_t nd = bl_pool_vec_len(m->pool, s->depend_on_service);
    const uint32_t *deps = bl_pool_vec_items(m->pool, s->depend_on_service);
    if (nd || bl_pool_vec_len(m->pool, s->depend_on_group)) {
        fputs("\nIt depends on:", out);
        for (uint32_t i = 0; i < nd; i++) {
            uint32_t d = bl_model_find_service_id(m, deps[i]);
            uint32_t p = bl_timeline_position(t, d);
            fprintf(out, " %s (%s)%s", bl_model_str(m, deps[i]),
                    d == BL_NONE ? "missing" : p ? "loaded" : "not loaded at boot", i + 1 < nd ? "," : "");
        }
        uint32_t ng = bl_pool_vec_len(m->pool, s->depend_on_group);
        const uint32_t *g = bl_pool_vec_items(m->pool, s->depend_on_group);
        for (uint32_t i = 0; i < ng; i++)
            fprintf(out, " group %s", bl_model_str(m, g[i]));
        fputs(s->start == BL_START_BOOT ? "  (ignored for a boot driver)\n" : "\n", out);
    }
    bool header = false;
    for (uint32_t i = 0; i < m->nservices; i++) {
        if (bl_pool_vec_find_folded(m->pool, m->services[i].depend_on_service, s->key) < 0)
            continue;
        if (!header)
            fputs("\nServices that depend on it:", out);
        header = true;
        fprintf(out, " %s", bl_model_str(m, m->services[i].name));
    }
    if (header)
        fputc('\n', out);
    print_findings(out, a, name, false);
    return 0;
}

static int explain_device(FILE *out, const bl_analysis *a, uint32_t dev)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    const bl_device_start *ds = &t->devices[dev];
    fprintf(out, "%s\n", bl_model_str(m, m->devices[dev].instance_id));
    char when[24];
    if (bl_filetime_iso(m->devices[dev].last_written, when))
        fprintf(out, "Device key last written %s.\n", when);
    explain_rules(out, a);
    fputs("\nParents (must start first):\n", out);
    uint32_t depth = 0;
    for (uint32_t p = m->devices[dev].parent; p != BL_NONE && depth < 64; p = m->devices[p].parent, depth++) {
        const bl_device_start *ps = &t->devices[p];
        fprintf(out, "  %s: %s phase, slot %u\n", bl_model_str(m, m->devices[p].instance_id),
                bl_phase_name(ps->phase), ps->slot);
    }
    if (!depth)
        fputs("  (none known)\n", out);
    fputs("\nStack (bottom to top, in the order the PnP manager loads it):\n", out);
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &t->stack[ds->stack_first + k];
        uint32_t pos = bl_timeline_position(t, e->service);
        fprintf(out, "  %-20s %-20s ", bl_model_str(m, e->name), bl_role_name(e->role));
        if (e->service == BL_NONE)
            fputs("MISSING\n", out);
        else if (pos)
            fprintf(out, "initializes at slot %u (%s phase)\n", pos, bl_phase_name(t->services[e->service].phase));
        else
            fprintf(out, "not loaded (%s)\n", bl_start_name(m->services[e->service].start));
    }
    fputs("\nWhen it starts:\n  ", out);
    if (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP) {
        fprintf(out, "%s phase, slot %u", bl_phase_name(ds->phase), ds->slot);
        if (ds->waits_for != BL_NONE)
            fprintf(out, ": the last driver it waits for is %s", bl_model_service_name(m, ds->waits_for));
        fputs(".\n", out);
        if (ds->deferred_by != BL_NONE && ds->phase == BL_PHASE_PNP)
            fprintf(out, "  Delayed by the filter %s, which is not a boot driver: no start in the boot phase.\n",
                    bl_model_service_name(m, ds->deferred_by));
        else if (ds->deferred_by != BL_NONE)
            fprintf(out, "  Delayed by the filter %s: ready at slot %u, it waited until PnP could initialize "
                         "the filter (slot %u).\n",
                    bl_model_service_name(m, ds->deferred_by), ds->ready_slot,
                    bl_timeline_position(t, ds->deferred_by));
        if (ds->pulled != BL_NONE)
            fprintf(out, "  PnP pulled the boot filter %s forward for it (DriverEntry at slot %u, ahead of its "
                         "own turn).\n",
                    bl_model_service_name(m, ds->pulled), bl_timeline_position(t, ds->pulled));
    } else {
        fprintf(out, "never: %s.\n", bl_block_text(ds->block));
    }
    print_findings(out, a, bl_model_str(m, m->devices[dev].instance_id), true);
    return 0;
}

/* ---- DOT ---- */

static void dot_service_node(FILE *out, const bl_analysis *a, uint32_t svc, const char *extra)
{
    uint32_t pos = bl_timeline_position(a->timeline, svc);
    fprintf(out, "  s%u [label=\"", svc);
    bl_dot_escape(out, bl_model_service_name(a->model, svc), false);
    if (pos)
        fprintf(out, "\\nslot %u (%s)", pos, bl_phase_name(a->timeline->services[svc].phase));
    else
        fputs("\\nnot loaded at boot", out);
    fprintf(out, "\"%s];\n", extra);
}

static void dot_device_node(FILE *out, const bl_analysis *a, uint32_t dev, const char *extra)
{
    const bl_device_start *ds = &a->timeline->devices[dev];
    fprintf(out, "  d%u [label=\"", dev);
    bl_dot_escape(out, bl_model_str(a->model, a->model->devices[dev].instance_id), false);
    if (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP)
        fprintf(out, "\\nstarts at slot %u (%s phase)", ds->slot, bl_phase_name(ds->phase));
    else
        fputs("\\nnever starts", out);
    fprintf(out, "\"%s];\n", extra);
}

/* The chains that break because a filter holds a device back and that
 * involve svc (or dev): the failing driver -> the services it calls -> the
 * device it needs <- the filter holding it back. */
static void dot_chains(FILE *out, const bl_analysis *a, uint32_t svc, uint32_t dev)
{
    const bl_model *m = a->model;
    bl_break *br;
    uint32_t n = bl_report_breaks(a, &br);
    bool legend = false;
    for (uint32_t i = 0; i < n; i++) {
        const bl_break *b = &br[i];
        bool involved = b->svc == svc || b->filter == svc || (dev != BL_NONE && b->dev == dev);
        for (uint32_t k = 0; k < b->nvia && !involved; k++)
            involved = b->via[k] == svc;
        if (b->dev != BL_NONE && svc != BL_NONE && !involved)
            involved = bl_model_find_service_id(m, m->devices[b->dev].service) == svc;
        if (!involved || b->dev == BL_NONE)
            continue;
        if (!legend)
            fputs("  // What fails: the driver, the services it calls, the device it needs, the filter holding it back.\n", out);
        legend = true;
        dot_service_node(out, a, b->svc, ", color=red, fontcolor=red, penwidth=2");
        for (uint32_t k = 0; k < b->nvia; k++)
            dot_service_node(out, a, b->via[k], "");
        /* explain DEVICE drew the device as its stack, and its filter's
         * "defers" edge, already. */
        bool drawn = b->dev == dev;
        bool filter_edge = b->filter != BL_NONE && b->filter != svc &&
                           !(drawn && a->timeline->devices[dev].deferred_by == b->filter);
        if (!drawn)
            dot_device_node(out, a, b->dev, ", color=orange, penwidth=2");
        if (filter_edge)
            dot_service_node(out, a, b->filter, ", color=orange, style=bold");
        uint32_t from = b->svc;
        for (uint32_t k = 0; k < b->nvia; k++) {
            fprintf(out, "  s%u -> s%u [label=\"calls\", color=red];\n", from, b->via[k]);
            from = b->via[k];
        }
        fprintf(out, "  s%u -> d%u [label=\"needs it: ", from, b->dev);
        bl_dot_escape(out, bl_model_service_name(m, b->svc), false);
        fputs(" fails, it has not started\", color=red, fontcolor=red];\n", out);
        /* (explain FILTER draws that edge with its devices already.) */
        if (filter_edge)
            fprintf(out, "  s%u -> d%u [label=\"holds it back until slot %u\", color=orange, fontcolor=\"#9a5b00\", "
                         "style=bold, arrowhead=tee];\n",
                    b->filter, b->dev, a->timeline->devices[b->dev].slot);
    }
    free(br);
}

/* explain as a picture: a device's stack and ancestors; a service with the
 * devices whose stacks hold it (at most BL_DOT_MAX_DEVICES, the others
 * counted) and, for both, the chains of what breaks. */
static void explain_dot(FILE *out, const bl_analysis *a, uint32_t svc, uint32_t dev)
{
    const bl_model *m = a->model;
    fputs("digraph bootlens_explain {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n  edge [fontsize=9];\n", out);
    if (dev != BL_NONE) {
        bl_stack_query q = {NULL, bl_model_str(m, m->devices[dev].instance_id), false, false};
        fputs("  node [shape=record];\n", out);
        bl_report_stack_dot_body(out, a, &q, BL_DOT_MAX_DEVICES);
        fputs("  node [shape=box];\n", out);
        dot_chains(out, a, BL_NONE, dev);
        fputs("}\n", out);
        return;
    }
    dot_service_node(out, a, svc, ", style=bold, penwidth=2");
    uint32_t shown = 0, total = 0, held = 0;
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const bl_device_start *ds = &a->timeline->devices[d];
        for (uint32_t k = 0; k < ds->stack_count; k++) {
            const bl_stack_entry *e = &a->timeline->stack[ds->stack_first + k];
            if (e->service != svc)
                continue;
            total++;
            held += ds->deferred_by == svc;
            if (shown >= BL_DOT_MAX_DEVICES)
                break;
            shown++;
            dot_device_node(out, a, d, ds->deferred_by == svc ? ", color=orange" : "");
            fprintf(out, "  s%u -> d%u [label=\"%s%s\"%s];\n", svc, d, bl_role_name(e->role),
                    ds->deferred_by == svc ? ": holds it back" : "", ds->deferred_by == svc ? ", color=orange" : "");
            break;
        }
    }
    if (total > shown)
        fprintf(out,
                "  more_devices [shape=note, label=\"+%u more devices not drawn (%u of all %u held back by it)\\n"
                "bootlens explain HIVE NAME lists them\"];\n  s%u -> more_devices [style=dashed];\n",
                total - shown, held, total, svc);
    dot_chains(out, a, svc, BL_NONE);
    fputs("}\n", out);
}

int bl_report_explain(FILE *out, const bl_analysis *a, const char *name, bl_format fmt, bool verbose)
{
    const bl_model *m = a->model;
    uint32_t svc = bl_model_find_service(m, name);
    uint32_t dev = svc == BL_NONE ? bl_model_find_device(m, name) : BL_NONE;
    if (svc == BL_NONE && dev == BL_NONE)
        return -1;
    if (fmt == BL_FMT_JSON) {
        cJSON *root = bl_json_envelope("explain", bl_json_inputs(a));
        cJSON_AddItemToObject(root, "hive", bl_json_hive(a));
        if (dev != BL_NONE) {
            cJSON_AddItemToObject(root, "device", bl_json_device(a, dev));
        } else {
            cJSON *o = cJSON_AddObjectToObject(root, "service");
            const bl_service_state *st = &a->timeline->services[svc];
            cJSON_AddStringToObject(o, "name", bl_model_service_name(m, svc));
            cJSON_AddStringToObject(o, "phase", bl_phase_name(st->phase));
            uint32_t pos = bl_timeline_position(a->timeline, svc);
            if (pos)
                cJSON_AddNumberToObject(o, "position", pos);
            cJSON *devs = cJSON_AddArrayToObject(o, "devices");
            for (uint32_t d = 0; d < m->ndevices; d++) {
                const bl_device_start *ds = &a->timeline->devices[d];
                for (uint32_t k = 0; k < ds->stack_count; k++)
                    if (a->timeline->stack[ds->stack_first + k].service == svc) {
                        cJSON_AddItemToArray(devs, bl_json_device(a, d));
                        break;
                    }
            }
        }
        cJSON *fs = cJSON_AddArrayToObject(root, "findings");
        for (uint32_t i = 0; a->findings && i < a->findings->n; i++)
            if (finding_mentions(&a->findings->v[i], name, dev != BL_NONE))
                cJSON_AddItemToArray(fs, bl_json_finding(&a->findings->v[i]));
        bl_json_print(out, root, false);
        return 0;
    }
    if (fmt == BL_FMT_HTML) {
        /* The words of the text explanation, then the pictures. */
        char *text = NULL;
        size_t len = 0;
        FILE *mem = bl_memstream(&text, &len);
        bl_report_explain(mem, a, name, BL_FMT_TEXT, verbose);
        fclose(mem);
        bl_report_explain_html(out, a, name, text);
        free(text);
        return 0;
    }
    if (fmt == BL_FMT_DOT) {
        explain_dot(out, a, svc, dev);
        return 0;
    }
    return dev != BL_NONE ? explain_device(out, a, dev) : explain_service(out, a, svc, verbose);
}

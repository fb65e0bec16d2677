/* stack.c — `bootlens stack`: each device's stack (devcon-stack style) with
 * where every entry comes from (class or device list), each driver's start
 * type and slot, and when the device starts and why; as text, JSON or a
 * Graphviz picture (device tree, deferred devices and their filter in red). */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static bool class_matches(const bl_model *m, const bl_device *d, const char *want)
{
    if (!want)
        return true;
    if (!d->class_guid)
        return false;
    const char *guid = bl_model_str(m, d->class_guid);
    if (bl_fold_eq(guid, want))
        return true;
    /* A GUID given without braces. */
    if (want[0] != '{' && strlen(guid) > 2 && bl_fold_has_prefix(guid + 1, want) &&
        strlen(want) == strlen(guid) - 2)
        return true;
    return bl_fold_eq(bl_model_device_class_name(m, d), want);
}

static bool contains_fold(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (bl_fold_has_prefix(p, needle))
            return true;
    return n == 0;
}

bool bl_stack_interesting(const bl_analysis *a, uint32_t dev)
{
    const bl_device_start *ds = &a->timeline->devices[dev];
    if (ds->deferred_by != BL_NONE || ds->phase == BL_PHASE_NEVER)
        return true;
    for (uint32_t k = 0; k < ds->stack_count; k++)
        if (a->timeline->stack[ds->stack_first + k].role != BL_ROLE_FUNCTION)
            return true;
    return false;
}

static bool selected(const bl_analysis *a, const bl_stack_query *q, uint32_t dev)
{
    const bl_model *m = a->model;
    const bl_device *d = &m->devices[dev];
    if (!class_matches(m, d, q->class_filter))
        return false;
    if (q->device_filter && !contains_fold(bl_model_str(m, d->instance_id), q->device_filter))
        return false;
    if (q->all || q->class_filter || q->device_filter)
        return true;
    return bl_stack_interesting(a, dev);
}

/* The columns of a stack entry line, under the header device_text prints. */
#define ENTRY_FMT "    %-13s %-18s %-8s %-8s %-7s %-9s %s\n"

static void entry_text(const bl_analysis *a, const char *role, const bl_stack_entry *e, FILE *out)
{
    const bl_model *m = a->model;
    const char *source = (e->role == BL_ROLE_LOWER_CLASS || e->role == BL_ROLE_UPPER_CLASS) ? "class"
                         : e->role == BL_ROLE_FUNCTION                                   ? "service"
                                                                                          : "device";
    if (e->service == BL_NONE) {
        fprintf(out, ENTRY_FMT, role, bl_model_str(m, e->name), source, "MISSING", "-", "-", "(no service key)");
        return;
    }
    const bl_service *s = &m->services[e->service];
    uint32_t pos = bl_timeline_position(a->timeline, e->service);
    char slot[32];
    if (pos)
        snprintf(slot, sizeof slot, "%u", pos);
    else
        snprintf(slot, sizeof slot, "not loaded");
    bl_sb group = {0};
    bl_sb_addf(&group, "\"%s\"", bl_model_str(m, s->group));
    fprintf(out, ENTRY_FMT, role, bl_model_str(m, e->name), source, bl_start_name(s->start),
            bl_phase_name(a->timeline->services[e->service].phase), slot, bl_sb_str(&group));
    bl_sb_free(&group);
}

static void device_text(FILE *out, const bl_analysis *a, uint32_t dev)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    const bl_device *d = &m->devices[dev];
    const bl_device_start *ds = &t->devices[dev];
    fprintf(out, "%s", bl_model_str(m, d->instance_id));
    if (d->description)
        fprintf(out, "  \"%s\"", bl_model_str(m, d->description));
    fputc('\n', out);
    fprintf(out, "    Class:   %s %s\n", bl_model_device_class_name(m, d), bl_model_str(m, d->class_guid));
    if (d->parent != BL_NONE)
        fprintf(out, "    Parent:  %s%s\n", bl_model_str(m, m->devices[d->parent].instance_id),
                d->parent_how == BL_PARENT_ENUMERATOR ? " (guessed from the enumerator)" : "");
    if (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP) {
        fprintf(out, "    Starts:  %s phase, slot %u", bl_phase_name(ds->phase), ds->slot);
        if (ds->waits_for != BL_NONE)
            fprintf(out, " (after %s initializes)", bl_model_service_name(m, ds->waits_for));
        fputc('\n', out);
    } else if (ds->phase == BL_PHASE_NEVER) {
        fprintf(out, "    Starts:  NEVER: %s", bl_block_text(ds->block));
        if ((ds->block == BL_BLOCK_PARENT || ds->block == BL_BLOCK_PARENT_RAW) && ds->blocked_by != BL_NONE)
            fprintf(out, " (%s)", bl_model_str(m, m->devices[ds->blocked_by].instance_id));
        else if (ds->blocked_by != BL_NONE)
            fprintf(out, " (%s)", bl_model_service_name(m, ds->blocked_by));
        fputc('\n', out);
    } else {
        fprintf(out, "    Starts:  not as a PnP device (legacy devnode)\n");
    }
    if (ds->deferred_by != BL_NONE)
        fprintf(out, "    Deferred by: %s%s\n", bl_model_service_name(m, ds->deferred_by),
                ds->phase == BL_PHASE_PNP ? " (keeps it out of the boot phase)" : "");
    static const struct {
        uint8_t role;
        const char *label;
    } order[] = {{BL_ROLE_UPPER_CLASS, "Upper filter"}, {BL_ROLE_UPPER_DEVICE, "Upper filter"},
                 {BL_ROLE_FUNCTION, "Function"},        {BL_ROLE_LOWER_CLASS, "Lower filter"},
                 {BL_ROLE_LOWER_DEVICE, "Lower filter"}};
    /* Top of the stack first, as devcon prints it: the stack is kept
     * bottom first, so each role's entries are read backwards too. */
    if (ds->stack_count)
        fprintf(out, ENTRY_FMT, "ROLE", "DRIVER", "FROM", "START", "PHASE", "SLOT", "GROUP");
    bool any = false;
    for (size_t r = 0; r < BL_ARRAY_LEN(order); r++)
        for (uint32_t k = ds->stack_count; k-- > 0;) {
            const bl_stack_entry *e = &t->stack[ds->stack_first + k];
            if (e->role != order[r].role)
                continue;
            entry_text(a, order[r].label, e, out);
            any = true;
        }
    if (!any)
        fprintf(out, "    (no driver: raw device)\n");
    fputc('\n', out);
}

void bl_dot_escape(FILE *out, const char *s, bool record)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            fputc(' ', out); /* a name's control character must not end the label */
            continue;
        }
        if (c == '"' || c == '\\' || (record && (c == '{' || c == '}' || c == '|' || c == '<' || c == '>')))
            fputc('\\', out);
        fputc(c, out);
    }
}

/* A device as a record: its id and start, then its stack top first (the
 * graph runs left to right, so the fields stack up vertically). */
static void device_dot(FILE *out, const bl_analysis *a, uint32_t dev)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    const bl_device_start *ds = &t->devices[dev];
    fprintf(out, "  d%u [label=\"", dev);
    bl_dot_escape(out, bl_model_str(m, m->devices[dev].instance_id), true);
    if (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP)
        fprintf(out, "\\n%s phase, slot %u", bl_phase_name(ds->phase), ds->slot);
    else
        fprintf(out, "\\n%s", ds->phase == BL_PHASE_NEVER ? "never starts" : "legacy");
    for (uint32_t k = ds->stack_count; k-- > 0;) {
        const bl_stack_entry *e = &t->stack[ds->stack_first + k];
        fputc('|', out);
        bl_dot_escape(out, bl_model_str(m, e->name), true);
        uint32_t pos = bl_timeline_position(t, e->service);
        fprintf(out, " (%s", bl_role_name(e->role));
        if (pos)
            fprintf(out, ", slot %u", pos);
        else if (e->service == BL_NONE)
            fputs(", MISSING", out);
        fputc(')', out);
    }
    fputs("\"", out);
    if (ds->phase == BL_PHASE_NEVER)
        fputs(", color=red, style=bold", out);
    else if (ds->deferred_by != BL_NONE)
        fputs(", color=orange, style=bold", out);
    fputs("];\n", out);
}

uint32_t bl_report_stack_dot_body(FILE *out, const bl_analysis *a, const bl_stack_query *q, uint32_t max_devices)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    /* The first max_devices selected devices and their ancestors, so the
     * tree reads from the root; the others are counted, not drawn. */
    uint8_t *keep = bl_xcalloc(m->ndevices ? m->ndevices : 1, 1);
    uint32_t shown = 0, drawn = 0;
    for (uint32_t d = 0; d < m->ndevices; d++)
        if (selected(a, q, d)) {
            if (shown++ >= max_devices)
                continue;
            drawn++;
            for (uint32_t p = d, n = 0; p != BL_NONE && n <= m->ndevices; p = m->devices[p].parent, n++) {
                if (keep[p] && p != d)
                    break; /* its ancestors are in already */
                keep[p] = 1;
            }
        }
    for (uint32_t d = 0; d < m->ndevices; d++)
        if (keep[d])
            device_dot(out, a, d);
    for (uint32_t d = 0; d < m->ndevices; d++) {
        uint32_t p = m->devices[d].parent;
        if (keep[d] && p != BL_NONE && keep[p])
            fprintf(out, "  d%u -> d%u%s;\n", p, d,
                    m->devices[d].parent_how == BL_PARENT_ENUMERATOR ? " [style=dashed]" : "");
    }
    uint8_t *filter_drawn = bl_xcalloc(m->nservices ? m->nservices : 1, 1);
    for (uint32_t d = 0; d < m->ndevices; d++) {
        uint32_t f = t->devices[d].deferred_by;
        if (!keep[d] || f == BL_NONE || f >= m->nservices)
            continue;
        if (!filter_drawn[f]) {
            filter_drawn[f] = 1;
            fprintf(out, "  f%u [label=\"", f);
            bl_dot_escape(out, bl_model_service_name(m, f), false);
            fprintf(out, "\\nslot %u\", shape=box, color=red];\n", bl_timeline_position(t, f));
        }
        fprintf(out, "  f%u -> d%u [color=red, label=\"defers\"];\n", f, d);
    }
    if (shown > drawn)
        fprintf(out,
                "  more_devices [shape=note, label=\"+%u more devices not drawn\\n(bootlens stack lists them "
                "all)\"];\n",
                shown - drawn);
    free(filter_drawn);
    free(keep);
    return shown;
}

uint32_t bl_report_stack(FILE *out, const bl_analysis *a, const bl_stack_query *q, bl_format fmt)
{
    const bl_model *m = a->model;
    uint32_t shown = 0;
    if (fmt == BL_FMT_JSON) {
        cJSON *arr = cJSON_CreateArray();
        for (uint32_t d = 0; d < m->ndevices; d++)
            if (selected(a, q, d)) {
                cJSON_AddItemToArray(arr, bl_json_device(a, d));
                shown++;
            }
        cJSON *root = bl_json_envelope("stack", bl_json_inputs(a));
        cJSON_AddItemToObject(root, "hive", bl_json_hive(a));
        cJSON_AddItemToObject(root, "devices", arr);
        bl_json_print(out, root, false);
        return shown;
    }
    if (fmt == BL_FMT_DOT) {
        fputs("digraph bootlens_stacks {\n  rankdir=LR;\n  node [shape=record, fontsize=10];\n  edge [fontsize=9];\n", out);
        shown = bl_report_stack_dot_body(out, a, q, BL_DOT_MAX_DEVICES);
        fputs("}\n", out);
        return shown;
    }
    uint32_t hidden = 0;
    for (uint32_t d = 0; d < m->ndevices; d++)
        if (selected(a, q, d)) {
            if (shown++ >= BL_TEXT_LIST_CAP && !q->verbose)
                hidden++;
            else
                device_text(out, a, d);
        }
    if (hidden)
        fprintf(out, "... and %u more devices (--verbose lists them all).\n", hidden);
    if (!shown)
        fprintf(out, "No device matches%s.\n",
                (q->all || q->class_filter || q->device_filter)
                    ? ""
                    : " (none has filters, is deferred or fails to start; --all lists every device)");
    else if (!q->all && !q->class_filter && !q->device_filter)
        fprintf(out, "%u of %u devices shown (those with filters, deferred, or not starting); --all for every device.\n",
                shown, m->ndevices);
    return shown;
}

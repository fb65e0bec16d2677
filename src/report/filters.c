/* filters.c — `bootlens filters`: the file-system filter stack in fltmc
 * style (top of the stack first: filter, altitude, frame or <Legacy>,
 * type, group, start, load slot), the frames, the filters that are not on
 * it and the walk that built it; as text or JSON.  Also the "filter_stack"
 * member of analyze's JSON. */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <string.h>

#define MODEL_NOTE                                                                                           \
    "Windows builds one such stack per volume, when the volume is mounted; bootlens models one "             \
    "volume present from the start of the boot."

static const char *filter_name(const bl_fs_stack *s, const bl_fs_filter *f)
{
    return bl_model_service_name(s->model, f->service);
}

static const char *filter_group(const bl_fs_stack *s, const bl_fs_filter *f)
{
    return bl_model_str(s->model, s->model->services[f->service].group);
}

static const char *filter_start(const bl_fs_stack *s, const bl_fs_filter *f)
{
    return bl_start_name(s->model->services[f->service].start);
}

static const char *kind_name(const bl_fs_filter *f)
{
    return f->kind == BL_FS_LEGACY ? "legacy" : "mini";
}

/* "3" or "<Legacy>", as fltmc's Frame column. */
static void frame_cell(const bl_fs_filter *f, bl_sb *out)
{
    if (f->kind == BL_FS_LEGACY)
        bl_sb_add(out, "<Legacy>");
    else
        bl_sb_addf(out, "%u", f->frame);
}

/* ---- JSON ---- */

static cJSON *str_or_null(const char *s)
{
    return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *filter_json(const bl_fs_stack *s, const bl_fs_filter *f)
{
    const bl_model *m = s->model;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "filter", filter_name(s, f));
    cJSON_AddItemToObject(o, "altitude", str_or_null(bl_model_str(m, f->altitude)));
    if (f->state == BL_FS_PLACED && f->kind == BL_FS_MINIFILTER)
        cJSON_AddNumberToObject(o, "frame", f->frame);
    else
        cJSON_AddNullToObject(o, "frame");
    cJSON_AddStringToObject(o, "type", kind_name(f));
    cJSON_AddItemToObject(o, "group", str_or_null(filter_group(s, f)));
    cJSON_AddStringToObject(o, "start", filter_start(s, f));
    if (f->position)
        cJSON_AddNumberToObject(o, "slot", f->position);
    else
        cJSON_AddNullToObject(o, "slot");
    if (f->deferred)
        cJSON_AddTrueToObject(o, "registers_when_fltmgr_loads");
    if (f->kind == BL_FS_MINIFILTER)
        cJSON_AddItemToObject(
            o, "instance",
            str_or_null(f->instance != BL_NONE ? bl_model_str(m, m->instances[f->instance].name) : NULL));
    if (f->state == BL_FS_PLACED && f->collides_with != BL_NONE)
        cJSON_AddStringToObject(o, "instance_refused_by", filter_name(s, &s->filters[f->collides_with]));
    if (f->state != BL_FS_PLACED)
        cJSON_AddStringToObject(o, "reason", bl_fs_state_text(f->state));
    return o;
}

static cJSON *stack_json(const bl_fs_stack *s)
{
    const bl_model *m = s->model;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", MODEL_NOTE);
    if (s->fltmgr != BL_NONE && s->fltmgr_position) {
        cJSON *fm = cJSON_AddObjectToObject(root, "fltmgr");
        cJSON_AddStringToObject(fm, "service", bl_model_service_name(m, s->fltmgr));
        cJSON_AddNumberToObject(fm, "slot", s->fltmgr_position);
    } else {
        cJSON_AddNullToObject(root, "fltmgr");
    }
    cJSON *stack = cJSON_AddArrayToObject(root, "stack");
    for (uint32_t i = 0; i < s->norder; i++)
        cJSON_AddItemToArray(stack, filter_json(s, &s->filters[s->order[i]]));
    cJSON *frames = cJSON_AddArrayToObject(root, "frames");
    for (uint32_t k = 0; k < s->nframes; k++) {
        const bl_fs_frame *fr = &s->frames[k];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "frame", k);
        cJSON_AddStringToObject(o, "low", bl_model_str(m, fr->low));
        cJSON_AddStringToObject(o, "high", bl_model_str(m, fr->high));
        cJSON_AddStringToObject(o, "created_high", bl_model_str(m, fr->created_high));
        cJSON_AddStringToObject(o, "created_by",
                                fr->created_by == BL_NONE ? bl_model_service_name(m, s->fltmgr)
                                                          : filter_name(s, &s->filters[fr->created_by]));
        cJSON_AddNumberToObject(o, "slot", fr->position);
        cJSON_AddItemToArray(frames, o);
    }
    cJSON *later = cJSON_AddArrayToObject(root, "not_loaded_at_boot");
    cJSON *unplaced = cJSON_AddArrayToObject(root, "not_placed");
    for (uint32_t i = 0; i < s->nfilters; i++) {
        const bl_fs_filter *f = &s->filters[i];
        if (f->state == BL_FS_NOT_AT_BOOT || f->state == BL_FS_NOT_LOADED)
            cJSON_AddItemToArray(later, filter_json(s, f));
        else if (f->state != BL_FS_PLACED)
            cJSON_AddItemToArray(unplaced, filter_json(s, f));
    }
    cJSON *walk = cJSON_AddArrayToObject(root, "walk");
    bl_sb sb = {0};
    for (uint32_t i = 0; i < s->nevents; i++) {
        bl_sb_reset(&sb);
        bl_fs_event_text(s, &s->events[i], &sb);
        cJSON_AddItemToArray(walk, cJSON_CreateString(bl_sb_str(&sb)));
    }
    bl_sb_free(&sb);
    return root;
}

cJSON *bl_json_filter_stack(const bl_analysis *a)
{
    bl_fs_stack *s = bl_fs_simulate(a->model, a->timeline);
    cJSON *j = stack_json(s);
    bl_fs_stack_free(s);
    return j;
}

/* ---- text ---- */

typedef struct widths {
    int name, alt, frame, group;
} widths;

static int capped(size_t n, int cap)
{
    return n > (size_t)cap ? cap : (int)n;
}

static void measure(const bl_fs_stack *s, const bl_fs_filter *f, widths *w)
{
    bl_sb fr = {0};
    frame_cell(f, &fr);
    int n = capped(strlen(filter_name(s, f)), 32),
        a = capped(strlen(bl_model_str(s->model, f->altitude)), 20),
        g = capped(strlen(filter_group(s, f)), 34), c = (int)fr.len;
    if (n > w->name)
        w->name = n;
    if (a > w->alt)
        w->alt = a;
    if (c > w->frame)
        w->frame = c;
    if (g > w->group)
        w->group = g;
    bl_sb_free(&fr);
}

static void row(FILE *out, const bl_fs_stack *s, const bl_fs_filter *f, const widths *w, bool placed)
{
    bl_sb fr = {0}, slot = {0};
    if (placed)
        frame_cell(f, &fr);
    if (f->position)
        bl_sb_addf(&slot, "%u", f->position);
    else
        bl_sb_add(&slot, "-");
    const char *alt = bl_model_str(s->model, f->altitude);
    fprintf(out, "%-*s  %-*s  ", w->name, filter_name(s, f), w->alt, *alt ? alt : "-");
    if (placed)
        fprintf(out, "%-*s  ", w->frame, bl_sb_str(&fr));
    fprintf(out, "%-6s  %-*s  %-8s  %-*s", kind_name(f), w->group,
            *filter_group(s, f) ? filter_group(s, f) : "-", filter_start(s, f), placed ? 0 : 4,
            bl_sb_str(&slot));
    if (placed && f->collides_with != BL_NONE)
        fprintf(out, "  (instance refused: %s holds this altitude)",
                filter_name(s, &s->filters[f->collides_with]));
    else if (placed && f->deferred)
        fprintf(out, "  (initializes before FltMgr, from Windows' core list; registered when FltMgr comes up)");
    else if (!placed)
        fprintf(out, "  %s", bl_fs_state_text(f->state));
    fputc('\n', out);
    bl_sb_free(&fr);
    bl_sb_free(&slot);
}

static void header(FILE *out, const widths *w, bool placed)
{
    fprintf(out, "%-*s  %-*s  ", w->name, "FILTER", w->alt, "ALTITUDE");
    if (placed)
        fprintf(out, "%-*s  ", w->frame, "FRAME");
    fprintf(out, "%-6s  %-*s  %-8s  %s\n", "TYPE", w->group, "GROUP", "START", placed ? "SLOT" : "SLOT  WHY");
}

static void stack_text(FILE *out, const bl_fs_stack *s)
{
    const bl_model *m = s->model;
    widths w = {6, 8, 5, 5};
    for (uint32_t i = 0; i < s->nfilters; i++)
        measure(s, &s->filters[i], &w);
    if (s->fltmgr_position)
        fprintf(out, "File-system filter stack, top first (FltMgr loads at slot %u):\n\n",
                s->fltmgr_position);
    else
        fputs("File-system filter stack, top first (FltMgr does not load during boot: no frames):\n\n", out);
    if (s->norder) {
        header(out, &w, true);
        for (uint32_t i = 0; i < s->norder; i++)
            row(out, s, &s->filters[s->order[i]], &w, true);
    } else {
        fputs("(no filter is on the stack)\n", out);
    }
    if (s->nframes) {
        fputs("\nFrames:\n", out);
        for (uint32_t k = s->nframes; k-- > 0;) {
            const bl_fs_frame *fr = &s->frames[k];
            fprintf(out, "  frame %u: %s-%s (created by %s at slot %u", k, bl_model_str(m, fr->low),
                    bl_model_str(m, fr->high),
                    fr->created_by == BL_NONE ? bl_model_service_name(m, s->fltmgr)
                                              : filter_name(s, &s->filters[fr->created_by]),
                    fr->position);
            if (fr->created_high != fr->high)
                fprintf(out, " as %s-%s", bl_model_str(m, fr->low), bl_model_str(m, fr->created_high));
            fputs(")\n", out);
        }
    }
    bool any_later = false, any_unplaced = false;
    for (uint32_t i = 0; i < s->nfilters; i++) {
        uint8_t st = s->filters[i].state;
        any_later |= st == BL_FS_NOT_AT_BOOT || st == BL_FS_NOT_LOADED;
        any_unplaced |= st != BL_FS_PLACED && st != BL_FS_NOT_AT_BOOT && st != BL_FS_NOT_LOADED;
    }
    if (any_unplaced) {
        fputs("\nLoaded during boot but not placed:\n", out);
        header(out, &w, false);
        for (uint32_t i = 0; i < s->nfilters; i++) {
            uint8_t st = s->filters[i].state;
            if (st != BL_FS_PLACED && st != BL_FS_NOT_AT_BOOT && st != BL_FS_NOT_LOADED)
                row(out, s, &s->filters[i], &w, false);
        }
    }
    if (any_later) {
        fputs("\nNot loaded at boot:\n", out);
        header(out, &w, false);
        for (uint32_t i = 0; i < s->nfilters; i++) {
            uint8_t st = s->filters[i].state;
            if (st == BL_FS_NOT_AT_BOOT || st == BL_FS_NOT_LOADED)
                row(out, s, &s->filters[i], &w, false);
        }
    }
    if (s->nevents) {
        fputs("\nHow the stack was built:\n", out);
        bl_sb sb = {0};
        for (uint32_t i = 0; i < s->nevents; i++) {
            bl_sb_reset(&sb);
            bl_fs_event_text(s, &s->events[i], &sb);
            fprintf(out, "  %s\n", bl_sb_str(&sb));
        }
        bl_sb_free(&sb);
    }
    fprintf(out, "\nNote: %s\n", MODEL_NOTE);
}

void bl_report_filters(FILE *out, const bl_analysis *a, bl_format fmt)
{
    bl_fs_stack *s = bl_fs_simulate(a->model, a->timeline);
    if (fmt == BL_FMT_JSON) {
        cJSON *root = bl_json_envelope("filters", bl_json_inputs(a));
        cJSON_AddItemToObject(root, "hive", bl_json_hive(a));
        cJSON_AddItemToObject(root, "filter_stack", stack_json(s));
        bl_json_print(out, root, false);
    } else {
        stack_text(out, s);
    }
    bl_fs_stack_free(s);
}

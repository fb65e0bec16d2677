/* json.c — the JSON contract (DESIGN.md "CLI contract", doc/json.md): the
 * envelope every JSON output starts with (schema_version, tool, command,
 * inputs), and analyze's payload: hive, load_order, devices, findings, built
 * with cJSON.  schemas/ holds the JSON Schema of each command's output; what
 * may change without a new major schema_version is in doc/json.md. */
#include "bootlens/report.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The built-in knowledge file's @version, read once per process (batch
 * workers write envelopes concurrently). */
static char knowledge_version[64];
static pthread_once_t knowledge_once = PTHREAD_ONCE_INIT;

static void read_knowledge_version(void)
{
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    if (bl_knowledge_add_builtin(k, &err) == 0)
        snprintf(knowledge_version, sizeof knowledge_version, "%s", bl_knowledge_version(k));
    bl_knowledge_free(k);
}

cJSON *bl_json_envelope(const char *command, cJSON *inputs)
{
    pthread_once(&knowledge_once, read_knowledge_version);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "schema_version", BL_JSON_SCHEMA_VERSION);
    cJSON *tool = cJSON_AddObjectToObject(root, "tool");
    cJSON_AddStringToObject(tool, "name", "bootlens");
    cJSON_AddStringToObject(tool, "version", bl_version());
    cJSON_AddStringToObject(tool, "knowledge_version", knowledge_version);
    cJSON_AddStringToObject(root, "command", command);
    cJSON_AddItemToObject(root, "inputs", inputs ? inputs : cJSON_CreateArray());
    return root;
}

cJSON *bl_json_add_input(cJSON *inputs, const char *role, const char *origin, const char *path, int64_t size,
                         const uint8_t *sha256)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "role", role);
    cJSON_AddStringToObject(o, "origin", origin);
    cJSON_AddStringToObject(o, "path", path);
    if (size >= 0)
        cJSON_AddNumberToObject(o, "size", (double)size);
    else
        cJSON_AddNullToObject(o, "size");
    if (sha256) {
        char hex[BL_SHA256_HEX];
        bl_sha256_hex(sha256, hex);
        cJSON_AddStringToObject(o, "sha256", hex);
    } else {
        cJSON_AddNullToObject(o, "sha256");
    }
    cJSON_AddItemToArray(inputs, o);
    return o;
}

/* Whether inputs holds origin under role already. */
static bool has_input(const cJSON *inputs, const char *role, const char *origin)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, inputs)
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "role");
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(e, "origin");
        if (cJSON_IsString(r) && cJSON_IsString(o) && strcmp(r->valuestring, role) == 0 &&
            strcmp(o->valuestring, origin) == 0)
            return true;
    }
    return false;
}

void bl_json_add_file_inputs(cJSON *inputs, const bl_file_digest *d, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!has_input(inputs, d[i].role, d[i].path))
            bl_json_add_input(inputs, d[i].role, d[i].path, d[i].path, d[i].hashed ? (int64_t)d[i].size : -1,
                              d[i].hashed ? d[i].sha256 : NULL);
}

cJSON *bl_json_inputs(const bl_analysis *a)
{
    cJSON *in = cJSON_CreateArray();
    bl_json_add_analysis_inputs(in, a, "hive");
    return in;
}

void bl_report_libraries(bl_libraries *l)
{
    char built[32];
    snprintf(built, sizeof built, "%d.%d.%d", CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR, CJSON_VERSION_PATCH);
    bl_libraries_add(l, "cJSON", cJSON_Version(), built);
}

bool bl_format_parse(const char *s, bl_format *out)
{
    static const struct {
        const char *name;
        bl_format f;
    } t[] = {{"text", BL_FMT_TEXT}, {"json", BL_FMT_JSON}, {"sarif", BL_FMT_SARIF},
             {"dot", BL_FMT_DOT},   {"jsonl", BL_FMT_JSONL}, {"html", BL_FMT_HTML}};
    for (size_t i = 0; i < BL_ARRAY_LEN(t); i++)
        if (bl_fold_eq(s, t[i].name)) {
            *out = t[i].f;
            return true;
        }
    return false;
}

void bl_service_image(const bl_model *m, uint32_t svc, bl_sb *sb)
{
    const bl_service *s = &m->services[svc];
    if (s->image_path)
        bl_sb_add(sb, bl_model_str(m, s->image_path));
    else if (bl_service_is_driver(s))
        /* The loader's default for a driver without ImagePath. */
        bl_sb_addf(sb, "System32\\drivers\\%s.sys", bl_model_str(m, s->name));
}

const char *bl_type_name(const bl_service *s)
{
    if (!s->has_type)
        return "unknown";
    switch (s->type) {
    case 0x1: return "kernel";
    case 0x2: return "filesystem";
    case 0x4: return "adapter";
    case 0x8: return "recognizer";
    case 0x10: return "own-process";
    case 0x20: return "share-process";
    case 0x50: return "user-own";
    case 0x60: return "user-share";
    case 0x110: return "own-interactive";
    case 0x120: return "share-interactive";
    default: return (s->type & 0x30) ? "service" : "other";
    }
}

void bl_tag_text(const bl_service *s, uint32_t tag_index, bl_sb *sb)
{
    if (!s->has_tag)
        return;
    bl_sb_addf(sb, "%u", s->tag);
    if (tag_index == BL_TAG_UNLISTED)
        bl_sb_add(sb, "*");
}

static cJSON *str_or_null(const char *s)
{
    return (s && *s) ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* Keys are literals and most strings live in the model's pool, which
 * outlives any JSON tree: referencing instead of copying halves the
 * allocations of a large analysis (and the frees). */
static cJSON *ref_or_null(const char *s)
{
    return (s && *s) ? cJSON_CreateStringReference(s) : cJSON_CreateNull();
}

static void put(cJSON *o, const char *key, cJSON *item)
{
    cJSON_AddItemToObjectCS(o, key, item);
}

static void put_ref(cJSON *o, const char *key, const char *s)
{
    put(o, key, ref_or_null(s));
}

static void put_num(cJSON *o, const char *key, double v)
{
    put(o, key, cJSON_CreateNumber(v));
}

static void put_bool(cJSON *o, const char *key, bool v)
{
    put(o, key, cJSON_CreateBool(v));
}

static cJSON *vec_json(const bl_model *m, bl_vec v)
{
    cJSON *a = cJSON_CreateArray();
    uint32_t n = bl_pool_vec_len(m->pool, v);
    const uint32_t *it = bl_pool_vec_items(m->pool, v);
    for (uint32_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateStringReference(bl_model_str(m, it[i])));
    return a;
}

cJSON *bl_json_hive(const bl_analysis *a)
{
    const bl_model *m = a->model;
    cJSON *h = cJSON_CreateObject();
    const bl_hive_info *hi = a->hive;
    cJSON_AddItemToObject(h, "path", str_or_null(hi ? hi->path : NULL));
    cJSON_AddNumberToObject(h, "control_set", m->control_set);
    cJSON_AddItemToObject(h, "control_set_name", str_or_null(bl_model_str(m, m->control_set_name)));
    /* The Windows family whose boot rules the simulation followed. */
    static const char *const families[] = {"unknown", "nt5", "nt6", "8", "10"};
    cJSON *win = cJSON_AddObjectToObject(h, "windows");
    cJSON_AddStringToObject(win, "family", m->windows < BL_ARRAY_LEN(families) ? families[m->windows] : "unknown");
    cJSON_AddStringToObject(win, "name", bl_windows_name(m->windows));
    cJSON_AddStringToObject(win, "told_by", m->windows_why);
    if (a->timeline) {
        cJSON_AddStringToObject(win, "boot_filter_rule", a->timeline->pull_rule == BL_PULL_AT_ONCE
                                                              ? "PipLoadBootFilterDriver (at once)"
                                                              : "PnpLoadBootFilterDriver (after the earlier groups)");
        cJSON_AddStringToObject(win, "pnp_and_system_start",
                                a->timeline->pnp_before_system ? "pnp-first" : "system-start-first");
        cJSON *ap = cJSON_AddArrayToObject(h, "approximations");
        if (a->timeline->approx & BL_APPROX_TIE_ORDER)
            cJSON_AddItemToArray(ap, cJSON_CreateString("a load-order group too long for the loader's tie walk: "
                                                        "its ties were sorted stably"));
        if (a->timeline->approx & BL_APPROX_STACKS)
            cJSON_AddItemToArray(ap, cJSON_CreateString("filter lists too long to simulate whole: the rest was "
                                                        "ignored"));
    }
    /* What the model could not read (the keys are in "unreadable"). */
    cJSON *dm = cJSON_AddObjectToObject(h, "damage");
    put_bool(dm, "damaged", bl_model_damaged(m));
    cJSON_AddNumberToObject(dm, "services", m->damage.services);
    cJSON_AddNumberToObject(dm, "classes", m->damage.classes);
    cJSON_AddNumberToObject(dm, "devices", m->damage.devices);
    put_bool(dm, "control", m->damage.control);
    if (m->has_select) {
        cJSON *sel = cJSON_AddObjectToObject(h, "select");
        cJSON_AddNumberToObject(sel, "current", m->select_current);
        cJSON_AddNumberToObject(sel, "default", m->select_default);
        cJSON_AddNumberToObject(sel, "last_known_good", m->select_lkg);
        cJSON_AddNumberToObject(sel, "failed", m->select_failed);
    }
    bl_sb sb = {0};
    bl_boot_scenario_names(a->timeline->boot_flags, &sb);
    cJSON_AddStringToObject(h, "boot_scenario", bl_sb_str(&sb));
    bl_sb_free(&sb);
    cJSON_AddNumberToObject(h, "boot_driver_flags", a->timeline->boot_flags);
    if (hi) {
        cJSON_AddNumberToObject(h, "size", (double)hi->file_size);
        cJSON_AddBoolToObject(h, "dirty", hi->dirty);
        cJSON_AddBoolToObject(h, "recovered", hi->recovered);
        cJSON_AddNumberToObject(h, "primary_sequence", hi->base.primary_seq);
        cJSON_AddNumberToObject(h, "secondary_sequence", hi->base.secondary_seq);
        cJSON_AddItemToObject(h, "embedded_name", str_or_null(hi->base.file_name));
        char ver[32];
        snprintf(ver, sizeof ver, "%u.%u", hi->base.major, hi->base.minor);
        cJSON_AddStringToObject(h, "format_version", ver);
        const bl_recovery *r = &hi->recovery;
        cJSON *rec = cJSON_AddObjectToObject(h, "recovery");
        cJSON_AddItemToObject(rec, "why_dirty", str_or_null(r->why));
        cJSON_AddItemToObject(rec, "log_format", str_or_null(r->format));
        cJSON *logs = cJSON_AddArrayToObject(rec, "logs_applied");
        for (uint32_t i = 0; i < r->logs_applied && i < BL_MAX_LOGS; i++)
            cJSON_AddItemToArray(logs, cJSON_CreateString(r->applied[i]));
        cJSON_AddNumberToObject(rec, "entries", r->entries);
        cJSON_AddNumberToObject(rec, "pages", r->pages);
        cJSON_AddNumberToObject(rec, "final_sequence", r->final_seq);
        cJSON *notes = cJSON_AddArrayToObject(rec, "notes");
        for (uint32_t i = 0; i < r->nnotes && i < BL_ARRAY_LEN(r->notes); i++)
            cJSON_AddItemToArray(notes, cJSON_CreateString(r->notes[i]));
        cJSON *probs = cJSON_AddArrayToObject(h, "unreadable");
        for (uint32_t i = 0; i < hi->nproblems; i++) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "path", hi->problems[i].path);
            cJSON_AddStringToObject(p, "reason", hi->problems[i].reason);
            cJSON_AddItemToArray(probs, p);
        }
    }
    cJSON *an = cJSON_AddArrayToObject(h, "anomalies");
    for (uint32_t i = 0; i < m->nanomalies; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "path", bl_model_str(m, m->anomalies[i].path));
        cJSON_AddStringToObject(p, "what", bl_model_str(m, m->anomalies[i].what));
        cJSON_AddItemToArray(an, p);
    }
    return h;
}

static bool phase_shown(uint8_t phase, bl_phase_filter f)
{
    switch (f) {
    case BL_SHOW_BOOT: return phase == BL_PHASE_BOOT;
    case BL_SHOW_SYSTEM: return phase == BL_PHASE_SYSTEM || phase == BL_PHASE_PNP;
    case BL_SHOW_AUTO: return phase == BL_PHASE_AUTO || phase == BL_PHASE_DELAYED;
    default: return true;
    }
}

static cJSON *why_json(uint8_t why)
{
    cJSON *a = cJSON_CreateArray();
    if (why & BL_WHY_START)
        cJSON_AddItemToArray(a, cJSON_CreateString("start"));
    if (why & BL_WHY_BOOTFLAGS)
        cJSON_AddItemToArray(a, cJSON_CreateString("boot-flags"));
    if (why & BL_WHY_BOOT_FS)
        cJSON_AddItemToArray(a, cJSON_CreateString("boot-file-system"));
    if (why & BL_WHY_DEVICE)
        cJSON_AddItemToArray(a, cJSON_CreateString("device"));
    if (why & BL_WHY_DEPENDENCY)
        cJSON_AddItemToArray(a, cJSON_CreateString("dependency"));
    if (why & BL_WHY_PULLED)
        cJSON_AddItemToArray(a, cJSON_CreateString("pulled-forward"));
    return a;
}

static cJSON *load_json(const bl_analysis *a, const bl_load *l)
{
    const bl_model *m = a->model;
    const bl_service *s = &m->services[l->service];
    cJSON *o = cJSON_CreateObject();
    put_num(o, "position", l->position);
    put_ref(o, "phase", bl_phase_name(l->phase));
    put_ref(o, "service", bl_model_str(m, s->name));
    put_ref(o, "start", bl_start_name(s->start));
    if (s->start >= 0)
        put_num(o, "start_value", s->start);
    else
        put(o, "start_value", cJSON_CreateNull());
    put_ref(o, "group", bl_model_str(m, s->group));
    if (l->group_rank != BL_NONE)
        put_num(o, "group_position", l->group_rank);
    else
        put(o, "group_position", cJSON_CreateNull());
    if (s->has_tag)
        put_num(o, "tag", s->tag);
    else
        put(o, "tag", cJSON_CreateNull());
    if (l->tag_index == BL_TAG_NONE || l->tag_index == BL_TAG_UNLISTED)
        put(o, "tag_position", cJSON_CreateNull());
    else
        put_num(o, "tag_position", l->tag_index);
    if (s->has_type)
        put_num(o, "type", s->type);
    else
        put(o, "type", cJSON_CreateNull());
    put_ref(o, "type_name", bl_type_name(s));
    bl_sb img = {0};
    bl_service_image(m, l->service, &img);
    cJSON_AddItemToObject(o, "image", str_or_null(bl_sb_str(&img)));
    put_bool(o, "image_default", !s->image_path);
    bl_sb_free(&img);
    cJSON_AddItemToObject(o, "why", why_json(l->why));
    if ((l->why & (BL_WHY_DEVICE | BL_WHY_PULLED)) && l->for_device != BL_NONE)
        cJSON_AddStringToObject(o, "for_device",
                                bl_model_str(m, m->devices[l->for_device].instance_id));
    if (l->phase == BL_PHASE_BOOT) {
        static const char *const origins[] = {"group", "core-drivers", "early-launch", "core-extensions",
                                              "tpm-core-drivers"};
        cJSON_AddStringToObject(o, "list", l->origin < BL_ARRAY_LEN(origins) ? origins[l->origin] : "group");
        put_num(o, "turn", a->timeline->services[l->service].turn);
    }
    if ((l->why & BL_WHY_DEPENDENCY) && l->for_device != BL_NONE)
        put_ref(o, "for_service", bl_model_service_name(m, l->for_device));
    return o;
}

cJSON *bl_json_load_order(const bl_analysis *a, bl_phase_filter filter)
{
    cJSON *arr = cJSON_CreateArray();
    for (uint32_t i = 0; i < a->timeline->nloads; i++) {
        const bl_load *l = &a->timeline->loads[i];
        if (phase_shown(l->phase, filter))
            cJSON_AddItemToArray(arr, load_json(a, l));
    }
    return arr;
}

static const char *parent_how_name(uint8_t how)
{
    switch (how) {
    case BL_PARENT_ROOT: return "root";
    case BL_PARENT_PREFIX: return "parent-id-prefix";
    case BL_PARENT_ENUMERATOR: return "enumerator (approximate)";
    default: return "unknown";
    }
}

cJSON *bl_json_device(const bl_analysis *a, uint32_t dev)
{
    cJSON *o = bl_json_device_brief(a, dev);
    cJSON_AddItemToObject(o, "hardware_ids", vec_json(a->model, a->model->devices[dev].hardware_ids));
    cJSON_AddItemToObject(o, "compatible_ids", vec_json(a->model, a->model->devices[dev].compatible_ids));
    return o;
}

cJSON *bl_json_device_brief(const bl_analysis *a, uint32_t dev)
{
    const bl_model *m = a->model;
    const bl_timeline *t = a->timeline;
    const bl_device *d = &m->devices[dev];
    const bl_device_start *ds = &t->devices[dev];
    cJSON *o = cJSON_CreateObject();
    put_ref(o, "instance", bl_model_str(m, d->instance_id));
    put_ref(o, "description", bl_model_str(m, d->description));
    put_ref(o, "class", bl_model_device_class_name(m, d));
    put_ref(o, "class_guid", bl_model_str(m, d->class_guid));
    put_ref(o, "service", bl_model_str(m, d->service));
    cJSON_AddItemToObject(o, "parent",
                          d->parent != BL_NONE
                              ? cJSON_CreateString(bl_model_str(m, m->devices[d->parent].instance_id))
                              : cJSON_CreateNull());
    put_ref(o, "parent_source", parent_how_name(d->parent_how));
    put_ref(o, "phase", bl_phase_name(ds->phase));
    if (ds->phase == BL_PHASE_BOOT || ds->phase == BL_PHASE_PNP)
        put_num(o, "start_slot", ds->slot);
    else
        put(o, "start_slot", cJSON_CreateNull());
    put_ref(o, "deferred_by", bl_model_service_name(m, ds->deferred_by));
    put_ref(o, "waits_for", bl_model_service_name(m, ds->waits_for));
    if (ds->phase == BL_PHASE_NEVER) {
        cJSON *b = cJSON_AddObjectToObject(o, "blocked");
        put_ref(b, "reason", bl_block_text(ds->block));
        if ((ds->block == BL_BLOCK_PARENT || ds->block == BL_BLOCK_PARENT_RAW) && ds->blocked_by != BL_NONE)
            cJSON_AddStringToObject(b, "by",
                                    bl_model_str(m, m->devices[ds->blocked_by].instance_id));
        else
            put_ref(b, "by", bl_model_service_name(m, ds->blocked_by));
    }
    cJSON *stack = cJSON_AddArrayToObject(o, "stack");
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &t->stack[ds->stack_first + k];
        cJSON *se = cJSON_CreateObject();
        put_ref(se, "name", bl_model_str(m, e->name));
        put_ref(se, "role", bl_role_name(e->role));
        put_bool(se, "missing", e->service == BL_NONE);
        if (e->service != BL_NONE) {
            put_ref(se, "start", bl_start_name(m->services[e->service].start));
            put_ref(se, "phase", bl_phase_name(t->services[e->service].phase));
            uint32_t pos = bl_timeline_position(t, e->service);
            if (pos)
                put_num(se, "slot", pos);
            else
                put(se, "slot", cJSON_CreateNull());
        }
        cJSON_AddItemToArray(stack, se);
    }
    return o;
}

cJSON *bl_json_devices(const bl_analysis *a)
{
    cJSON *arr = cJSON_CreateArray();
    for (uint32_t i = 0; i < a->model->ndevices; i++)
        cJSON_AddItemToArray(arr, bl_json_device_brief(a, i));
    return arr;
}

static cJSON *strs_json(char **v, uint32_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (uint32_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

cJSON *bl_json_finding(const bl_finding *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "rule", f->rule);
    cJSON_AddStringToObject(o, "severity", bl_severity_name(f->severity));
    cJSON_AddStringToObject(o, "message", f->message);
    cJSON_AddItemToObject(o, "detail", str_or_null(f->detail));
    cJSON_AddItemToObject(o, "services", strs_json(f->services, f->nservices));
    cJSON_AddItemToObject(o, "devices", strs_json(f->devices, f->ndevices));
    cJSON *ev = cJSON_AddArrayToObject(o, "evidence");
    for (uint32_t i = 0; i < f->nevidence; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "path", f->evidence[i].path);
        cJSON_AddItemToObject(e, "value", str_or_null(f->evidence[i].value));
        char when[24];
        if (bl_filetime_iso(f->evidence[i].last_written, when))
            cJSON_AddStringToObject(e, "key_last_written", when);
        cJSON_AddItemToArray(ev, e);
    }
    cJSON *fixes = cJSON_AddArrayToObject(o, "fix");
    for (uint32_t i = 0; i < f->nfixes; i++) {
        const bl_fix *x = &f->fixes[i];
        cJSON *fx = cJSON_CreateObject();
        cJSON_AddStringToObject(fx, "summary", x->summary);
        bl_sb reg = {0};
        bl_changes_to_reg(x->changes, x->nchanges, &reg);
        cJSON_AddStringToObject(fx, "reg", bl_sb_str(&reg));
        bl_sb_free(&reg);
        cJSON_AddBoolToObject(fx, "verified", x->verification != NULL);
        cJSON_AddItemToObject(fx, "verification", str_or_null(x->verification));
        cJSON_AddItemToArray(fixes, fx);
    }
    cJSON_AddStringToObject(o, "id", f->subject);
    return o;
}

cJSON *bl_json_findings(const bl_findings *f)
{
    cJSON *arr = cJSON_CreateArray();
    for (uint32_t i = 0; f && i < f->n; i++)
        cJSON_AddItemToArray(arr, bl_json_finding(&f->v[i]));
    return arr;
}

static cJSON *lazy_load(const void *ctx, uint32_t i)
{
    const bl_analysis *a = ctx;
    return load_json(a, &a->timeline->loads[i]);
}

static cJSON *lazy_device(const void *ctx, uint32_t i)
{
    return bl_json_device_brief(ctx, i);
}

static cJSON *lazy_finding(const void *ctx, uint32_t i)
{
    return bl_json_finding(&((const bl_findings *)ctx)->v[i]);
}

cJSON *bl_json_analysis(const bl_analysis *a)
{
    cJSON *root = bl_json_envelope("analyze", bl_json_inputs(a));
    cJSON_AddItemToObject(root, "hive", bl_json_hive(a));
    uint32_t counts[3] = {0, 0, 0};
    if (a->findings)
        bl_findings_count(a->findings, counts);
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    cJSON_AddNumberToObject(sum, "errors", counts[BL_SEV_ERROR]);
    cJSON_AddNumberToObject(sum, "warnings", counts[BL_SEV_WARNING]);
    cJSON_AddNumberToObject(sum, "info", counts[BL_SEV_INFO]);
    cJSON_AddNumberToObject(sum, "services", a->model->nservices);
    cJSON_AddNumberToObject(sum, "boot_drivers", a->timeline->boot_count);
    cJSON_AddNumberToObject(sum, "devices", a->model->ndevices);
    uint32_t deferred = 0, never = 0;
    for (uint32_t i = 0; i < a->model->ndevices; i++) {
        if (a->timeline->devices[i].deferred_by != BL_NONE)
            deferred++;
        if (a->timeline->devices[i].phase == BL_PHASE_NEVER)
            never++;
    }
    cJSON_AddNumberToObject(sum, "devices_deferred_by_filters", deferred);
    cJSON_AddNumberToObject(sum, "devices_not_started", never);
    if (a->findings) {
        cJSON *fs = cJSON_AddObjectToObject(sum, "fix_search");
        cJSON_AddNumberToObject(fs, "resimulations", a->findings->fix_resimulations);
        cJSON_AddNumberToObject(fs, "findings_not_searched", a->findings->fix_unsearched);
    }
    /* The big arrays are built item by item while printing (jsonout.c). */
    cJSON_AddItemToObject(root, "load_order", bl_json_lazy_array(a->timeline->nloads, lazy_load, NULL, a));
    cJSON_AddItemToObject(root, "devices", bl_json_lazy_array(a->model->ndevices, lazy_device, NULL, a));
    /* File-system filter stack: fltmgr frames, minifilters, legacy filters (report/filters.c). */
    cJSON_AddItemToObject(root, "filter_stack", bl_json_filter_stack(a));
    cJSON_AddItemToObject(root, "findings",
                          bl_json_lazy_array(a->findings ? a->findings->n : 0, lazy_finding, NULL, a->findings));
    return root;
}

typedef struct order_view {
    const bl_analysis *a;
    bl_phase_filter filter;
} order_view;

static bool order_keep(const void *ctx, uint32_t i)
{
    const order_view *v = ctx;
    return phase_shown(v->a->timeline->loads[i].phase, v->filter);
}

static cJSON *order_item(const void *ctx, uint32_t i)
{
    const order_view *v = ctx;
    return load_json(v->a, &v->a->timeline->loads[i]);
}

void bl_report_order_json(FILE *out, const bl_analysis *a, bl_phase_filter filter)
{
    order_view v = {a, filter};
    cJSON *root = bl_json_envelope("order", bl_json_inputs(a));
    cJSON_AddItemToObject(root, "hive", bl_json_hive(a));
    cJSON_AddItemToObject(root, "load_order", bl_json_lazy_array(a->timeline->nloads, order_item, order_keep, &v));
    bl_json_print(out, root, false);
}

void bl_report_analyze_json(FILE *out, const bl_analysis *a)
{
    bl_json_print(out, bl_json_analysis(a), false);
}

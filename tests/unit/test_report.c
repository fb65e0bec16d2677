/* test_report.c — the output contracts.  JSON (DESIGN.md "CLI contract"):
 * bl_json_analysis printed, parsed back with cJSON, and checked field by
 * field with types — hive (path, control set, dirty, recovered...),
 * load_order (position, phase, start, group, tag, image), devices
 * (instance, class, service, stack, start_slot, deferred_by), findings
 * (rule, severity, message, services, devices, evidence, fix with reg and
 * verified) — on the seed scenario hive run through the whole pipeline and
 * on a model built in code (nulls for what is absent).  SARIF 2.1.0: the
 * envelope, every catalogue rule, results with ruleId/level/message and a
 * physicalLocation exactly when locate() gives one.  Text: `analyze` puts
 * the answer (errors, then warnings) before info and the summary; `order`
 * lines its columns up under its header.  The envelope every JSON output
 * starts with (schema_version, tool, command, inputs) on every command. */
#include "bootlens/hive.h"
#include "bootlens/model.h"
#include "bootlens/report.h"
#include "bootlens/rules.h"
#include "bootlens/sim.h"

#include "testutil.h"

#include <cjson/cJSON.h>

/* ---- helpers ---- */

/* Everything one analysis needs, owned together. */
typedef struct pipeline {
    char path[256];
    bl_hive *h;
    bl_model *m;
    bl_timeline *t;
    bl_knowledge *k;
    bl_findings f;
    bl_analysis a;
} pipeline;

static void pipeline_run(pipeline *p, bool fixes)
{
    p->t = bl_simulate(p->m, NULL);
    p->k = bl_knowledge_new();
    bl_error err = {{0}};
    assert_int_equal(bl_knowledge_add_builtin(p->k, &err), 0);
    bl_rules_options ro = {0};
    ro.knowledge = p->k;
    ro.hive = p->h ? bl_hive_get_info(p->h) : NULL;
    ro.no_fixes = !fixes;
    bl_rules_run(p->m, p->t, &ro, &p->f);
    p->a.hive = ro.hive;
    p->a.model = p->m;
    p->a.timeline = p->t;
    p->a.findings = &p->f;
}

/* A test hive (test_hives/NAME.reg) through the whole pipeline: open,
 * load, simulate, rules with the shipped knowledge, fixes. */
static void pipeline_hive(pipeline *p, const char *name)
{
    memset(p, 0, sizeof *p);
    if (access("build/mkhive", X_OK) != 0) {
        fprintf(stderr, "SKIP: build/mkhive is not built (make build/mkhive)\n");
        skip();
    }
    snprintf(p->path, sizeof p->path, "/tmp/bootlens-test-report-%d.hiv", (int)getpid());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "build/mkhive test_hives/%s.reg -o '%s'", name, p->path);
    if (system(cmd) != 0)
        fail_msg("mkhive failed on test_hives/%s.reg", name);
    bl_error err = {{0}};
    if (bl_hive_open(p->path, NULL, &p->h, &err) != 0)
        fail_msg("%s", err.msg);
    p->m = bl_model_new(NULL);
    if (bl_model_load(p->m, p->h, NULL, &err) != 0)
        fail_msg("%s", err.msg);
    pipeline_run(p, true);
}

/* The seed scenario (test_hives/vmci-filter-delay.reg). */
static void pipeline_seed_hive(pipeline *p)
{
    pipeline_hive(p, "vmci-filter-delay");
}

static void pipeline_free(pipeline *p)
{
    bl_findings_free(&p->f);
    bl_knowledge_free(p->k);
    bl_timeline_free(p->t);
    bl_model_free(p->m);
    bl_hive_close(p->h);
    if (p->path[0])
        unlink(p->path);
}

/* Runs fn(out) into memory and returns the text (caller frees). */
typedef struct capture {
    char *buf;
    size_t size;
    FILE *f;
} capture;

static FILE *capture_start(capture *c)
{
    memset(c, 0, sizeof *c);
    c->f = open_memstream(&c->buf, &c->size);
    assert_non_null(c->f);
    return c->f;
}

static char *capture_end(capture *c)
{
    fclose(c->f);
    return c->buf;
}

static cJSON *parse(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    if (!j)
        fail_msg("output is not JSON near: %.60s", cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "?");
    return j;
}

static const cJSON *field(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v)
        fail_msg("no \"%s\" field", name);
    return v;
}

static const char *str_field(const cJSON *o, const char *name)
{
    const cJSON *v = field(o, name);
    if (!cJSON_IsString(v))
        fail_msg("\"%s\" is not a string", name);
    return v->valuestring;
}

static double num_field(const cJSON *o, const char *name)
{
    const cJSON *v = field(o, name);
    if (!cJSON_IsNumber(v))
        fail_msg("\"%s\" is not a number", name);
    return v->valuedouble;
}

static bool bool_field(const cJSON *o, const char *name)
{
    const cJSON *v = field(o, name);
    if (!cJSON_IsBool(v))
        fail_msg("\"%s\" is not a boolean", name);
    return cJSON_IsTrue(v);
}

static const cJSON *arr_field(const cJSON *o, const char *name)
{
    const cJSON *v = field(o, name);
    if (!cJSON_IsArray(v))
        fail_msg("\"%s\" is not an array", name);
    return v;
}

/* A string or null. */
static const char *opt_str_field(const cJSON *o, const char *name)
{
    const cJSON *v = field(o, name);
    if (cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsString(v))
        fail_msg("\"%s\" is neither a string nor null", name);
    return v->valuestring;
}

static bool str_array_has(const cJSON *a, const char *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, a)
    {
        if (!cJSON_IsString(e))
            fail_msg("array item is not a string");
        if (strcmp(e->valuestring, s) == 0)
            return true;
    }
    return false;
}

static const cJSON *find_by(const cJSON *arr, const char *key, const char *value)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, key);
        if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
            return e;
    }
    fail_msg("no item with %s = \"%s\"", key, value);
    return NULL;
}

/* ---- JSON ---- */

/* The envelope of a printed document: its first four members, in order,
 * with their types; returns the inputs array. */
static const cJSON *check_envelope(const cJSON *j, const char *command, const bl_knowledge *k)
{
    static const char *const order[] = {"schema_version", "tool", "command", "inputs"};
    const cJSON *m = j->child;
    for (size_t i = 0; i < BL_ARRAY_LEN(order); i++, m = m->next) {
        if (!m || strcmp(m->string, order[i]) != 0)
            fail_msg("%s: member %zu is \"%s\", not \"%s\"", command, i, m ? m->string : "(none)", order[i]);
    }
    assert_string_equal(str_field(j, "schema_version"), BL_JSON_SCHEMA_VERSION);
    const cJSON *tool = field(j, "tool");
    assert_string_equal(str_field(tool, "name"), "bootlens");
    assert_string_equal(str_field(tool, "version"), bl_version());
    assert_string_equal(str_field(tool, "knowledge_version"), bl_knowledge_version(k));
    assert_true(strlen(bl_knowledge_version(k)) > 0);
    assert_string_equal(str_field(j, "command"), command);
    return arr_field(j, "inputs");
}

/* Every JSON report starts with the one envelope (report/json.c): analyze,
 * order, stack, explain (a service and a device), filters and diff, whose
 * inputs name each side's hive under its role. */
static void test_json_envelope_every_command(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    const char *const commands[] = {"analyze", "order", "stack", "explain", "explain", "filters", "diff"};
    for (size_t i = 0; i < BL_ARRAY_LEN(commands); i++) {
        capture c;
        FILE *out = capture_start(&c);
        bl_stack_query q = {0};
        switch (i) {
        case 0: bl_report_analyze_json(out, &p.a); break;
        case 1: bl_report_order_json(out, &p.a, BL_SHOW_BOOT); break;
        case 2: bl_report_stack(out, &p.a, &q, BL_FMT_JSON); break;
        case 3: assert_int_equal(bl_report_explain(out, &p.a, "vmci", BL_FMT_JSON, false), 0); break;
        case 4: assert_int_equal(bl_report_explain(out, &p.a, "Root\\VMWVMCIHOSTDEV\\0000", BL_FMT_JSON, false), 0); break;
        case 5: bl_report_filters(out, &p.a, BL_FMT_JSON); break;
        default: bl_report_diff(out, &p.a, &p.a, BL_FMT_JSON, 3, false, 0); break;
        }
        char *text = capture_end(&c);
        cJSON *j = parse(text);
        const cJSON *in = check_envelope(j, commands[i], p.k);
        const char *const roles[] = {i == 6 ? "a" : "hive", "b"};
        assert_int_equal(cJSON_GetArraySize(in), i == 6 ? 2 : 1);
        for (int k = 0; k < cJSON_GetArraySize(in); k++) {
            const cJSON *e = cJSON_GetArrayItem(in, k);
            assert_string_equal(str_field(e, "role"), roles[k]);
            assert_string_equal(str_field(e, "origin"), p.path);
            assert_string_equal(str_field(e, "path"), p.path);
            assert_true(cJSON_IsNull(field(e, "sha256"))); /* opened without hash_inputs */
            assert_int_equal(cJSON_GetArraySize(arr_field(e, "logs")), 0);
            assert_true(cJSON_IsNull(field(e, "image")));
        }
        if (i != 6)
            assert_string_equal(str_field(field(j, "hive"), "path"), p.path);
        cJSON_Delete(j);
        free(text);
    }
    pipeline_free(&p);
}

/* Inputs: the hive's digest when it was hashed, sizes and digests as null
 * for what was not read, each digested file once per role. */
static void test_json_inputs(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    bl_hive_close(p.h);
    bl_hive_options ho = {0};
    ho.hash_inputs = true;
    bl_error err = {{0}};
    assert_int_equal(bl_hive_open(p.path, &ho, &p.h, &err), 0);
    p.a.hive = bl_hive_get_info(p.h);
    bl_file_digest files[3];
    bl_file_digest_compute(&files[0], "knowledge", p.path);
    bl_file_digest_compute(&files[1], "knowledge", p.path); /* the same file twice: listed once */
    bl_file_digest_compute(&files[2], "inf", "/nonexistent/bootlens-test.inf");
    p.a.files = files;
    p.a.nfiles = 3;

    cJSON *in = bl_json_inputs(&p.a);
    assert_int_equal(cJSON_GetArraySize(in), 3);
    const cJSON *h = cJSON_GetArrayItem(in, 0);
    char hex[BL_SHA256_HEX];
    bl_sha256_hex(files[0].sha256, hex);
    assert_string_equal(str_field(h, "sha256"), hex); /* the bytes hive/ read are the file's */
    struct stat st;
    assert_int_equal(stat(p.path, &st), 0);
    assert_true(num_field(h, "size") == (double)st.st_size);
    const cJSON *k = cJSON_GetArrayItem(in, 1);
    assert_string_equal(str_field(k, "role"), "knowledge");
    assert_string_equal(str_field(k, "sha256"), hex);
    assert_null(cJSON_GetObjectItemCaseSensitive(k, "logs"));
    const cJSON *x = cJSON_GetArrayItem(in, 2);
    assert_string_equal(str_field(x, "role"), "inf");
    assert_true(cJSON_IsNull(field(x, "size")));
    assert_true(cJSON_IsNull(field(x, "sha256")));
    cJSON_Delete(in);

    /* A bare envelope: no inputs is an empty array, never a missing one. */
    cJSON *e = bl_json_envelope("analyze", NULL);
    assert_int_equal(cJSON_GetArraySize(arr_field(e, "inputs")), 0);
    cJSON_Delete(e);
    pipeline_free(&p);
}

static void test_json_analysis_contract(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    capture c;
    bl_report_analyze_json(capture_start(&c), &p.a);
    char *text = capture_end(&c);
    cJSON *j = parse(text);

    const cJSON *tool = field(j, "tool");
    assert_string_equal(str_field(tool, "name"), "bootlens");
    str_field(tool, "version");

    /* hive */
    const cJSON *h = field(j, "hive");
    assert_string_equal(str_field(h, "path"), p.path);
    assert_int_equal((int)num_field(h, "control_set"), 1);
    assert_string_equal(str_field(h, "control_set_name"), "ControlSet001");
    assert_false(bool_field(h, "dirty"));
    assert_false(bool_field(h, "recovered"));
    struct stat st;
    assert_int_equal(stat(p.path, &st), 0);
    assert_true(num_field(h, "size") == (double)st.st_size);
    const cJSON *sel = field(h, "select");
    assert_int_equal((int)num_field(sel, "current"), 1);
    assert_int_equal((int)num_field(sel, "last_known_good"), 2);
    const cJSON *rec = field(h, "recovery");
    assert_true(cJSON_IsArray(field(rec, "logs_applied")));
    assert_true(cJSON_IsArray(field(h, "anomalies")));
    assert_true(cJSON_IsArray(field(h, "unreadable")));

    /* load_order: every load, positions 1..n in order */
    const cJSON *lo = arr_field(j, "load_order");
    assert_int_equal(cJSON_GetArraySize(lo), (int)p.t->nloads);
    int pos = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, lo)
    {
        assert_int_equal((int)num_field(e, "position"), ++pos);
        const char *phase = str_field(e, "phase");
        assert_true(strcmp(phase, "boot") == 0 || strcmp(phase, "pnp") == 0 || strcmp(phase, "system") == 0 ||
                    strcmp(phase, "auto") == 0 || strcmp(phase, "delayed-auto") == 0);
        str_field(e, "service");
        str_field(e, "start");
        opt_str_field(e, "group");
        opt_str_field(e, "image");
        const cJSON *tag = field(e, "tag");
        assert_true(cJSON_IsNumber(tag) || cJSON_IsNull(tag));
        assert_true(cJSON_IsArray(field(e, "why")));
    }
    const cJSON *vmci = find_by(lo, "service", "vmci");
    assert_string_equal(str_field(vmci, "phase"), "boot");
    assert_string_equal(str_field(vmci, "start"), "boot");
    assert_int_equal((int)num_field(vmci, "start_value"), 0);
    assert_string_equal(str_field(vmci, "group"), "System Bus Extender");
    assert_int_equal((int)num_field(vmci, "tag"), 12);
    assert_string_equal(str_field(vmci, "image"), "system32\\DRIVERS\\vmci.sys");
    assert_false(bool_field(vmci, "image_default"));
    assert_int_equal((int)num_field(vmci, "position"), (int)bl_timeline_position(p.t, bl_model_find_service(p.m, "vmci")));
    const cJSON *ntfs = find_by(lo, "service", "Ntfs");
    assert_string_equal(str_field(ntfs, "start"), "demand");
    assert_string_equal(str_field(ntfs, "phase"), "boot");
    assert_true(str_array_has(field(ntfs, "why"), "boot-file-system"));
    assert_true(cJSON_IsNull(field(ntfs, "tag")));
    assert_string_equal(str_field(find_by(lo, "service", "RpcSs"), "phase"), "auto");

    /* devices */
    const cJSON *devs = arr_field(j, "devices");
    assert_int_equal(cJSON_GetArraySize(devs), (int)p.m->ndevices);
    const cJSON *d = find_by(devs, "instance", "Root\\VMWVMCIHOSTDEV\\0000");
    assert_string_equal(str_field(d, "class"), "System");
    assert_string_equal(str_field(d, "class_guid"), BL_GUID_SYSTEM);
    assert_string_equal(str_field(d, "service"), "vmci");
    assert_string_equal(str_field(d, "phase"), "boot");
    assert_string_equal(str_field(d, "deferred_by"), "dlpflt");
    uint32_t dlp = bl_model_find_service(p.m, "dlpflt");
    assert_int_equal((int)num_field(d, "start_slot"), (int)bl_timeline_position(p.t, dlp));
    const cJSON *stack = arr_field(d, "stack");
    assert_int_equal(cJSON_GetArraySize(stack), 2);
    const cJSON *fn = find_by(stack, "role", "function");
    assert_string_equal(str_field(fn, "name"), "vmci");
    assert_false(bool_field(fn, "missing"));
    assert_string_equal(str_field(fn, "start"), "boot");
    num_field(fn, "slot");
    const cJSON *flt = find_by(stack, "role", "upper-class-filter");
    assert_string_equal(str_field(flt, "name"), "dlpflt");
    /* A device no filter holds back: deferred_by is null. */
    const cJSON *disk = find_by(devs, "instance", "SCSI\\Disk&Ven_VMware&Prod_Virtual_disk\\4&2732702b&0&000000");
    assert_null(opt_str_field(disk, "deferred_by"));
    assert_string_equal(str_field(disk, "parent"), "PCI\\VEN_1000&DEV_0054&SUBSYS_197615AD&REV_01\\3&61aaa01&0&A8");

    /* findings */
    const cJSON *fs = arr_field(j, "findings");
    assert_int_equal(cJSON_GetArraySize(fs), (int)p.f.n);
    const cJSON *f = find_by(fs, "rule", "filter-delays-device");
    assert_string_equal(str_field(f, "severity"), "error");
    assert_non_null(strstr(str_field(f, "message"), "dlpflt"));
    const cJSON *svcs = arr_field(f, "services");
    assert_true(str_array_has(svcs, "dlpflt") && str_array_has(svcs, "vmci") && str_array_has(svcs, "vsepflt") &&
                str_array_has(svcs, "vsock"));
    assert_string_equal(cJSON_GetArrayItem(svcs, 0)->valuestring, "dlpflt");
    assert_true(str_array_has(arr_field(f, "devices"), "Root\\VMWVMCIHOSTDEV\\0000"));
    const cJSON *ev = arr_field(f, "evidence");
    assert_true(cJSON_GetArraySize(ev) > 0);
    cJSON_ArrayForEach(e, ev)
    {
        assert_true(strncmp(str_field(e, "path"), "HKLM\\SYSTEM\\ControlSet001\\", 26) == 0);
        opt_str_field(e, "value");
    }
    const cJSON *fix = arr_field(f, "fix");
    assert_true(cJSON_GetArraySize(fix) >= 1);
    cJSON_ArrayForEach(e, fix)
    {
        str_field(e, "summary");
        assert_true(strncmp(str_field(e, "reg"), "Windows Registry Editor Version 5.00\n", 37) == 0);
        assert_non_null(strstr(str_field(e, "reg"), "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\"));
        assert_true(bool_field(e, "verified"));
        assert_true(strlen(str_field(e, "verification")) > 0);
    }
    assert_true(strncmp(str_field(f, "id"), "filter-delays-device:", 21) == 0);
    /* Findings without a fix have an empty array, not a missing field. */
    const cJSON *info = find_by(fs, "rule", "group-not-in-service-group-order");
    assert_string_equal(str_field(info, "severity"), "info");
    assert_int_equal(cJSON_GetArraySize(arr_field(info, "fix")), 0);

    /* summary counts agree with the findings */
    const cJSON *sum = field(j, "summary");
    uint32_t counts[3];
    bl_findings_count(&p.f, counts);
    assert_int_equal((int)num_field(sum, "errors"), (int)counts[BL_SEV_ERROR]);
    assert_int_equal((int)num_field(sum, "warnings"), (int)counts[BL_SEV_WARNING]);
    assert_int_equal((int)num_field(sum, "info"), (int)counts[BL_SEV_INFO]);
    assert_int_equal((int)num_field(sum, "boot_drivers"), (int)p.t->boot_count);
    assert_int_equal((int)num_field(sum, "devices"), (int)p.m->ndevices);

    cJSON_Delete(j);
    free(text);
    pipeline_free(&p);
}

static void test_json_absent_values_are_null(void **state)
{
    (void)state;
    pipeline p;
    memset(&p, 0, sizeof p);
    p.m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender"};
    tm_groups(p.m, g, 1);
    bl_model_set_dword(p.m, "Services\\bare", "Start", 0); /* no Type, Group, Tag or ImagePath */
    bl_model_set_dword(p.m, "Services\\nostart", "Type", 1);
    tm_driver(p.m, "off", 4, "", -1);
    tm_device(p.m, "ROOT\\OFF\\0000", NULL, "off");
    tm_device(p.m, "ROOT\\GHOST\\0000", NULL, "ghost");
    pipeline_run(&p, false);
    char *text = bl_json_to_string(bl_json_analysis(&p.a), true);
    cJSON *j = parse(text);
    /* No hive file: path null. */
    const cJSON *h = field(j, "hive");
    assert_null(opt_str_field(h, "path"));
    const cJSON *bare = find_by(arr_field(j, "load_order"), "service", "bare");
    assert_null(opt_str_field(bare, "group"));
    assert_true(cJSON_IsNull(field(bare, "tag")));
    assert_true(cJSON_IsNull(field(bare, "type")));
    assert_true(cJSON_IsNull(field(bare, "group_position")));
    assert_string_equal(str_field(bare, "image"), "System32\\drivers\\bare.sys");
    assert_true(bool_field(bare, "image_default"));
    /* Devices that never start: no slot, and why. */
    const cJSON *devs = arr_field(j, "devices");
    const cJSON *off = find_by(devs, "instance", "ROOT\\OFF\\0000");
    assert_string_equal(str_field(off, "phase"), "never");
    assert_true(cJSON_IsNull(field(off, "start_slot")));
    assert_null(opt_str_field(off, "class"));
    const cJSON *blocked = field(off, "blocked");
    assert_non_null(strstr(str_field(blocked, "reason"), "disabled"));
    assert_string_equal(str_field(blocked, "by"), "off");
    const cJSON *ghost = find_by(devs, "instance", "ROOT\\GHOST\\0000");
    const cJSON *ge = cJSON_GetArrayItem(arr_field(ghost, "stack"), 0);
    assert_true(bool_field(ge, "missing"));
    cJSON_Delete(j);
    free(text);
    pipeline_free(&p);
}

static void test_json_load_order_filter(void **state)
{
    (void)state;
    pipeline p;
    memset(&p, 0, sizeof p);
    p.m = bl_model_new(NULL);
    tm_driver(p.m, "b", 0, "", -1);
    tm_driver(p.m, "s", 1, "", -1);
    bl_model_set_dword(p.m, "Services\\a", "Type", 0x10);
    bl_model_set_dword(p.m, "Services\\a", "Start", 2);
    pipeline_run(&p, false);
    static const struct {
        bl_phase_filter f;
        const char *only;
    } cases[] = {{BL_SHOW_BOOT, "b"}, {BL_SHOW_SYSTEM, "s"}, {BL_SHOW_AUTO, "a"}};
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        cJSON *lo = bl_json_load_order(&p.a, cases[i].f);
        assert_int_equal(cJSON_GetArraySize(lo), 1);
        assert_string_equal(str_field(cJSON_GetArrayItem(lo, 0), "service"), cases[i].only);
        cJSON_Delete(lo);
    }
    cJSON *all = bl_json_load_order(&p.a, BL_SHOW_ALL);
    assert_int_equal(cJSON_GetArraySize(all), 3);
    cJSON_Delete(all);
    /* `order --format json`: hive and load_order. */
    capture c;
    bl_report_order_json(capture_start(&c), &p.a, BL_SHOW_BOOT);
    char *text = capture_end(&c);
    cJSON *j = parse(text);
    field(j, "hive");
    assert_int_equal(cJSON_GetArraySize(arr_field(j, "load_order")), 1);
    cJSON_Delete(j);
    free(text);
    pipeline_free(&p);
}

static void test_format_parse(void **state)
{
    (void)state;
    bl_format f;
    assert_true(bl_format_parse("json", &f));
    assert_int_equal(f, BL_FMT_JSON);
    assert_true(bl_format_parse("SARIF", &f));
    assert_int_equal(f, BL_FMT_SARIF);
    assert_true(bl_format_parse("text", &f));
    assert_int_equal(f, BL_FMT_TEXT);
    assert_false(bl_format_parse("xml", &f));
}

/* ---- SARIF ---- */

static bool locate_some(void *ctx, const bl_finding *f, bl_sarif_location *loc)
{
    (void)ctx;
    if (strcmp(f->rule, "missing-filter-service") != 0)
        return false;
    loc->uri = "drivers\\my driver#1.inf";
    loc->line = 12;
    return true;
}

static void test_sarif(void **state)
{
    (void)state;
    bl_findings fs = {0};
    bl_finding *x = bl_finding_add(&fs, "missing-filter-service", BL_SEV_ERROR, "ghost:{g}", "class filter ghost is missing");
    bl_finding_evidence(x, "HKLM\\SYSTEM\\ControlSet001\\Control\\Class\\{g}", "UpperFilters = [\"ghost\"]");
    /* The same key twice (two values of it): one logical location. */
    bl_finding_evidence(x, "HKLM\\SYSTEM\\ControlSet001\\Control\\Class\\{g}", "Class = \"Ghosts\"");
    bl_finding_add(&fs, "duplicate-tag", BL_SEV_WARNING, "g:1:boot", "two drivers share tag 1");
    bl_finding_add(&fs, "registry-anomaly", BL_SEV_INFO, "anomalies", "1 value was read tolerantly");
    capture c;
    bl_sarif_run run = {&fs, locate_some, NULL, NULL, NULL, 0, false, 1};
    bl_report_sarif(capture_start(&c), &run);
    char *text = capture_end(&c);
    cJSON *j = parse(text);
    assert_string_equal(str_field(j, "version"), "2.1.0");
    assert_non_null(strstr(str_field(j, "$schema"), "sarif"));
    const cJSON *runs = arr_field(j, "runs");
    assert_int_equal(cJSON_GetArraySize(runs), 1);
    const cJSON *r0 = cJSON_GetArrayItem(runs, 0);
    const cJSON *driver = field(field(r0, "tool"), "driver");
    assert_string_equal(str_field(driver, "name"), "bootlens");
    /* The real version, the one --version prints; no made-up home page. */
    assert_string_equal(str_field(driver, "version"), bl_version());
    assert_null(cJSON_GetObjectItemCaseSensitive(driver, "informationUri"));
    assert_null(strstr(text, "example.invalid"));
    const cJSON *rules = arr_field(driver, "rules");
    uint32_t n;
    const bl_rule_info *cat = bl_rule_catalogue(&n);
    assert_int_equal(cJSON_GetArraySize(rules), (int)n);
    for (uint32_t i = 0; i < n; i++) {
        const cJSON *r = cJSON_GetArrayItem(rules, (int)i);
        assert_string_equal(str_field(r, "id"), cat[i].id);
        assert_string_equal(str_field(field(r, "shortDescription"), "text"), cat[i].summary);
        /* What code scanning shows: a full description and help in text
         * and markdown, from ruledoc.c. */
        const bl_rule_doc *d = bl_rule_doc_find(cat[i].id);
        assert_non_null(d);
        assert_string_equal(str_field(field(r, "fullDescription"), "text"), d->what);
        const cJSON *help = field(r, "help");
        assert_non_null(strstr(str_field(help, "text"), d->fix));
        assert_non_null(strstr(str_field(help, "markdown"), "**How to fix.**"));
        assert_string_equal(str_field(field(r, "properties"), "precision"), d->precision);
        assert_null(cJSON_GetObjectItemCaseSensitive(r, "helpUri"));
        const char *name = str_field(r, "name");
        assert_true(name[0] >= 'A' && name[0] <= 'Z' && !strchr(name, '-'));
    }
    /* Only the security rule carries a security severity. */
    const cJSON *uw = cJSON_GetArrayItem(rules, 0);
    for (uint32_t i = 0; i < n; i++) {
        const cJSON *r = cJSON_GetArrayItem(rules, (int)i);
        const cJSON *sev = cJSON_GetObjectItemCaseSensitive(field(r, "properties"), "security-severity");
        if (strcmp(cat[i].id, "driver-image-user-writable") == 0) {
            uw = r;
            assert_non_null(sev);
        } else {
            assert_null(sev);
        }
    }
    assert_string_equal(str_field(uw, "id"), "driver-image-user-writable");
    const cJSON *inv = cJSON_GetArrayItem(arr_field(r0, "invocations"), 0);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(inv, "executionSuccessful")));
    assert_int_equal((int)num_field(inv, "exitCode"), 1);
    const cJSON *results = arr_field(r0, "results");
    assert_int_equal(cJSON_GetArraySize(results), 3);
    static const char *const levels[] = {"error", "warning", "note"};
    for (int i = 0; i < 3; i++) {
        const cJSON *r = cJSON_GetArrayItem(results, i);
        assert_string_equal(str_field(r, "ruleId"), fs.v[i].rule);
        assert_string_equal(str_field(r, "level"), levels[i]);
        assert_non_null(strstr(str_field(field(r, "message"), "text"), fs.v[i].message));
        int idx = (int)num_field(r, "ruleIndex");
        assert_string_equal(cat[idx].id, fs.v[i].rule);
        const cJSON *locs = cJSON_GetObjectItemCaseSensitive(r, "locations");
        if (i == 0) {
            const cJSON *loc = cJSON_GetArrayItem(locs, 0);
            const cJSON *phys = field(loc, "physicalLocation");
            assert_string_equal(str_field(field(phys, "artifactLocation"), "uri"), "drivers/my%20driver%231.inf");
            assert_int_equal((int)num_field(field(phys, "region"), "startLine"), 12);
            const cJSON *logical = arr_field(loc, "logicalLocations");
            assert_int_equal(cJSON_GetArraySize(logical), 1);
            assert_string_equal(str_field(cJSON_GetArrayItem(logical, 0), "fullyQualifiedName"),
                                "HKLM\\SYSTEM\\ControlSet001\\Control\\Class\\{g}");
        } else {
            /* locate() said nowhere and there is no evidence: no location
             * (an empty one would be invalid). */
            assert_null(locs);
        }
        const char *fp = str_field(field(r, "partialFingerprints"), "bootlensFinding/v2");
        assert_int_equal(strlen(fp), 16);
    }
    cJSON_Delete(j);
    free(text);
    /* Without a locate callback: no physical locations at all. */
    bl_sarif_run bare = {&fs, NULL, NULL, NULL, NULL, 0, false, 0};
    bl_report_sarif(capture_start(&c), &bare);
    text = capture_end(&c);
    j = parse(text);
    assert_null(strstr(text, "physicalLocation"));
    cJSON_Delete(j);
    free(text);
    bl_findings_free(&fs);
}

/* Fingerprints: what they hash (finding id and file) and what they do not
 * (the line), so an edit that moves the INF's lines keeps the alert. */
static bool locate_line(void *ctx, const bl_finding *f, bl_sarif_location *loc)
{
    (void)f;
    loc->uri = "x.inf";
    loc->line = *(const uint32_t *)ctx;
    return true;
}

static char *fingerprint_of(const bl_findings *fs, uint32_t line)
{
    capture c;
    bl_sarif_run run = {fs, locate_line, NULL, &line, NULL, 0, false, 0};
    bl_report_sarif(capture_start(&c), &run);
    char *text = capture_end(&c);
    cJSON *j = parse(text);
    const cJSON *r = cJSON_GetArrayItem(arr_field(cJSON_GetArrayItem(arr_field(j, "runs"), 0), "results"), 0);
    char *fp = strdup(str_field(field(r, "partialFingerprints"), "bootlensFinding/v2"));
    cJSON_Delete(j);
    free(text);
    return fp;
}

static void test_sarif_fingerprints_survive_line_moves(void **state)
{
    (void)state;
    bl_findings a = {0}, b = {0};
    bl_finding_add(&a, "disabled-filter", BL_SEV_ERROR, "f:{g}", "filter f is disabled");
    bl_finding_add(&b, "disabled-filter", BL_SEV_ERROR, "g:{g}", "filter g is disabled");
    char *at10 = fingerprint_of(&a, 10), *at99 = fingerprint_of(&a, 99), *other = fingerprint_of(&b, 10);
    assert_string_equal(at10, at99);
    assert_string_not_equal(at10, other);
    free(at10);
    free(at99);
    free(other);
    bl_findings_free(&a);
    bl_findings_free(&b);
}

/* A run that stopped on unusable input: no results, the error located at
 * the file and line it names. */
static void test_sarif_failed_run(void **state)
{
    (void)state;
    const char *paths[] = {"a.inf", "dir/b.inf", "dir/b.infx"};
    bl_sarif_notice n = bl_sarif_notice_for_error("dir/b.inf:8: AddReg names section [X], which is not in the INF",
                                                  paths, 3);
    assert_string_equal(n.uri, "dir/b.inf");
    assert_int_equal(n.line, 8);
    bl_sarif_notice plain = bl_sarif_notice_for_error("a.inf: No such file or directory", paths, 3);
    assert_string_equal(plain.uri, "a.inf");
    assert_int_equal(plain.line, 0);
    bl_sarif_notice none = bl_sarif_notice_for_error("other.inf:3: x", paths, 3);
    assert_null(none.uri);
    capture c;
    bl_sarif_run run = {NULL, NULL, NULL, NULL, &n, 1, true, 2};
    bl_report_sarif(capture_start(&c), &run);
    char *text = capture_end(&c);
    cJSON *j = parse(text);
    const cJSON *r0 = cJSON_GetArrayItem(arr_field(j, "runs"), 0);
    assert_int_equal(cJSON_GetArraySize(arr_field(r0, "results")), 0);
    const cJSON *inv = cJSON_GetArrayItem(arr_field(r0, "invocations"), 0);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(inv, "executionSuccessful")));
    assert_int_equal((int)num_field(inv, "exitCode"), 2);
    const cJSON *note = cJSON_GetArrayItem(arr_field(inv, "toolExecutionNotifications"), 0);
    assert_string_equal(str_field(note, "level"), "error");
    const cJSON *phys = field(cJSON_GetArrayItem(arr_field(note, "locations"), 0), "physicalLocation");
    assert_string_equal(str_field(field(phys, "artifactLocation"), "uri"), "dir/b.inf");
    assert_int_equal((int)num_field(field(phys, "region"), "startLine"), 8);
    cJSON_Delete(j);
    free(text);
}

/* Every rule of the catalogue has its documentation, and every entry of
 * the documentation is a rule: the help cannot go missing or stale. */
static void test_rule_docs_match_the_catalogue(void **state)
{
    (void)state;
    uint32_t n, nd;
    const bl_rule_info *cat = bl_rule_catalogue(&n);
    const bl_rule_doc *docs = bl_rule_docs(&nd);
    for (uint32_t i = 0; i < n; i++) {
        const bl_rule_doc *d = bl_rule_doc_find(cat[i].id);
        assert_non_null(d);
        assert_true(strlen(d->what) > 20 && strlen(d->why) > 20 && strlen(d->fix) > 20);
        assert_true(strcmp(d->precision, "very-high") == 0 || strcmp(d->precision, "high") == 0 ||
                    strcmp(d->precision, "medium") == 0 || strcmp(d->precision, "low") == 0);
    }
    for (uint32_t k = 0; k < nd; k++) {
        bool found = false;
        for (uint32_t i = 0; i < n && !found; i++)
            found = strcmp(cat[i].id, docs[k].id) == 0;
        assert_true(found);
    }
    bl_sb sb = {0};
    bl_rule_friendly_name("nonboot-filter-on-boot-class", &sb);
    assert_string_equal(bl_sb_str(&sb), "NonbootFilterOnBootClass");
    bl_sb_free(&sb);
    /* Markdown keeps a registry path's backslashes. */
    bl_sb md = {0};
    bl_rule_help(bl_rule_doc_find("group-not-in-service-group-order"), true, &md);
    assert_non_null(strstr(bl_sb_str(&md), "Control\\\\ServiceGroupOrder"));
    bl_sb_free(&md);
}

static void test_sarif_analyze_points_at_the_hive(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    capture c;
    bl_report_analyze_sarif(capture_start(&c), &p.a, 1);
    char *text = capture_end(&c);
    cJSON *j = parse(text);
    const cJSON *results = arr_field(cJSON_GetArrayItem(arr_field(j, "runs"), 0), "results");
    assert_int_equal(cJSON_GetArraySize(results), (int)p.f.n);
    const cJSON *r = cJSON_GetArrayItem(results, 0);
    assert_string_equal(str_field(r, "ruleId"), "filter-delays-device");
    assert_string_equal(str_field(r, "level"), "error");
    const cJSON *phys = field(cJSON_GetArrayItem(arr_field(r, "locations"), 0), "physicalLocation");
    assert_string_equal(str_field(field(phys, "artifactLocation"), "uri"), p.path);
    /* A hive is binary: the region is the whole file, by bytes. */
    const cJSON *region = field(phys, "region");
    assert_int_equal((int)num_field(region, "byteOffset"), 0);
    assert_true(num_field(region, "byteLength") > 4096);
    /* The verified fix travels with the message. */
    assert_non_null(strstr(str_field(field(r, "message"), "text"), "Fix (re-simulated)"));
    cJSON_Delete(j);
    free(text);
    pipeline_free(&p);
}

/* ---- text ---- */

static void test_text_analyze_answer_first(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    /* Add a warning to the seed's error and infos. */
    bl_findings_free(&p.f);
    const char *const ghost[] = {"ghost"};
    /* A missing device filter on a device off the boot path: a warning. */
    bl_model_set_sz(p.m, "Enum\\ROOT\\EXTRA\\0000", "ClassGUID", BL_GUID_CDROM);
    bl_model_set_sz(p.m, "Enum\\ROOT\\EXTRA\\0000", "Service", "cdrom");
    bl_model_set_multi(p.m, "Enum\\ROOT\\EXTRA\\0000", "UpperFilters", ghost, 1);
    bl_model_build_tree(p.m);
    bl_timeline_free(p.t);
    bl_knowledge_free(p.k);
    pipeline_run(&p, true);
    uint32_t counts[3];
    bl_findings_count(&p.f, counts);
    assert_true(counts[BL_SEV_ERROR] == 1 && counts[BL_SEV_WARNING] >= 1 && counts[BL_SEV_INFO] >= 1);
    bl_text_options o = {false, false, 0};
    capture c;
    bl_report_analyze_text(capture_start(&c), &p.a, &o);
    char *text = capture_end(&c);
    const char *counts_line = strstr(text, "1 error, ");
    const char *err = strstr(text, "ERROR [filter-delays-device]");
    const char *warn = strstr(text, "WARNING [missing-filter-service]");
    const char *info = strstr(text, "[group-not-in-service-group-order]");
    const char *timeline = strstr(text, "Boot timeline:");
    assert_non_null(counts_line);
    assert_non_null(err);
    assert_non_null(warn);
    assert_non_null(info);
    assert_non_null(timeline);
    assert_true(counts_line < err);
    assert_true(err < warn);
    assert_true(warn < info);
    assert_true(err < timeline);
    /* The error comes with its verified fix and the .reg to apply. */
    const char *fix = strstr(err, "Fix 1 (re-simulated):");
    assert_non_null(fix);
    assert_true(fix < warn);
    assert_non_null(strstr(err, "| Windows Registry Editor Version 5.00"));
    assert_non_null(strstr(text, p.path));
    assert_null(strchr(text, '\033')); /* no colour unless asked */
    /* Info is one line each, after the answer, unless --verbose. */
    const char *info_head = strstr(text, "Info (--verbose for details):");
    assert_non_null(info_head);
    assert_true(warn < info_head && info_head < info);
    assert_null(strstr(text, "info [group-not-in-service-group-order]"));
    assert_null(strstr(info + 1, "[group-not-in-service-group-order]")); /* once */
    free(text);
    o.verbose = true;
    o.color = true;
    bl_report_analyze_text(capture_start(&c), &p.a, &o);
    text = capture_end(&c);
    assert_null(strstr(text, "Info (--verbose for details):"));
    assert_non_null(strstr(text, "\033[1;31mERROR\033[0m [filter-delays-device]"));
    const char *verr = strstr(text, "[filter-delays-device]"), *vinfo = strstr(text, "[group-not-in-service-group-order]");
    assert_true(verr && vinfo && verr < vinfo);
    free(text);
    pipeline_free(&p);
}

/* Offset of column `name` in the header line. */
static size_t col(const char *header, const char *name)
{
    const char *h = strstr(header, name);
    if (!h)
        fail_msg("no %s column", name);
    return (size_t)(h - header);
}

static void test_text_order_table(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    capture c;
    bl_report_order_text(capture_start(&c), &p.a, BL_SHOW_ALL);
    char *text = capture_end(&c);
    char *save = NULL;
    char *header = strtok_r(text, "\n", &save);
    assert_non_null(header);
    /* The columns, in this order. */
    static const char *const cols[] = {"#", "PHASE", "GROUP", "TAG", "SERVICE", "START", "TYPE", "IMAGE"};
    size_t last = 0;
    for (size_t i = 0; i < BL_ARRAY_LEN(cols); i++) {
        size_t at = col(header, cols[i]);
        assert_true(i == 0 || at > last);
        last = at;
    }
    size_t c_phase = col(header, "PHASE"), c_group = col(header, "GROUP"), c_svc = col(header, "SERVICE"),
           c_start = col(header, "START"), c_type = col(header, "TYPE"), c_image = col(header, "IMAGE"),
           c_tag_end = col(header, "TAG") + 3;
    uint32_t rows = 0;
    for (char *line = strtok_r(NULL, "\n", &save); line && *line && line[0] == ' '; line = strtok_r(NULL, "\n", &save)) {
        const bl_load *l = &p.t->loads[rows];
        const bl_service *s = &p.m->services[l->service];
        char want[64];
        snprintf(want, sizeof want, "%u", l->position);
        assert_true(strlen(line) > c_image);
        /* '#' is right-aligned in its 5 columns. */
        assert_true(strncmp(line + 5 - strlen(want), want, strlen(want)) == 0);
        assert_true(strncmp(line + c_phase, bl_phase_name(l->phase), strlen(bl_phase_name(l->phase))) == 0);
        const char *g = bl_model_str(p.m, s->group);
        if (*g)
            assert_true(strncmp(line + c_group, g, strlen(g)) == 0);
        const char *name = bl_model_str(p.m, s->name);
        if (strncmp(line + c_svc, name, strlen(name)) != 0)
            fail_msg("row %u: \"%s\" not under SERVICE", rows + 1, line);
        assert_true(strncmp(line + c_start, bl_start_name(s->start), strlen(bl_start_name(s->start))) == 0);
        assert_true(strncmp(line + c_type, bl_type_name(s), strlen(bl_type_name(s))) == 0);
        bl_sb img = {0};
        bl_service_image(p.m, l->service, &img);
        assert_true(strncmp(line + c_image, bl_sb_str(&img), img.len) == 0);
        bl_sb_free(&img);
        /* Tags end under the TAG header, '*' marking an unlisted one. */
        if (s->has_tag) {
            bl_sb tag = {0};
            bl_tag_text(s, l->tag_index, &tag);
            assert_true(strncmp(line + c_tag_end - tag.len, bl_sb_str(&tag), tag.len) == 0);
            bl_sb_free(&tag);
        }
        rows++;
    }
    assert_int_equal(rows, p.t->nloads);
    free(text);
    /* --phase boot shows the boot drivers only; group* marks unlisted groups. */
    bl_report_order_text(capture_start(&c), &p.a, BL_SHOW_BOOT);
    text = capture_end(&c);
    assert_non_null(strstr(text, "vmci"));
    assert_null(strstr(text, "RpcSs"));
    assert_null(strstr(text, "cdrom")); /* system start */
    assert_non_null(strstr(text, "PnP Filter*"));
    char want[64];
    snprintf(want, sizeof want, "\n%u drivers and services.", p.t->boot_count);
    assert_non_null(strstr(text, want));
    free(text);
    pipeline_free(&p);
}

static void test_text_helpers(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    uint32_t s = tm_driver(m, "drv", 0, "G", 5);
    bl_sb sb = {0};
    bl_tag_text(&m->services[s], 0, &sb);
    assert_string_equal(bl_sb_str(&sb), "5");
    bl_sb_reset(&sb);
    bl_tag_text(&m->services[s], BL_TAG_UNLISTED, &sb);
    assert_string_equal(bl_sb_str(&sb), "5*");
    bl_sb_reset(&sb);
    bl_service_image(m, s, &sb);
    assert_string_equal(bl_sb_str(&sb), "System32\\drivers\\drv.sys");
    assert_string_equal(bl_type_name(&m->services[s]), "kernel");
    bl_model_set_dword(m, "Services\\drv", "Type", 2);
    assert_string_equal(bl_type_name(&m->services[s]), "filesystem");
    bl_model_set_dword(m, "Services\\drv", "Type", 0x20);
    assert_string_equal(bl_type_name(&m->services[s]), "share-process");
    bl_sb_reset(&sb);
    bl_service_image(m, s, &sb); /* a service without ImagePath has no default image */
    assert_string_equal(bl_sb_str(&sb), "");
    bl_sb_free(&sb);
    bl_model_free(m);
}


/* ---- the fix file (report/fixes.c) ---- */

/* needle in hay, ignoring ASCII case (returns hay's position or NULL). */
static const char *has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *s = hay; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return s;
    return NULL;
}

/* Imports .reg text into model m as `reg import` would change the registry:
 * through the repository's regedit-text loader. */
static void import_reg(bl_model *m, const char *text)
{
    bl_error err = {{0}};
    if (bl_model_load_regtext(m, "FIX.reg", text, strlen(text), NULL, NULL, &err) != 0)
        fail_msg("the fix file does not import: %s", err.msg);
}

static uint32_t count_rule(const bl_findings *f, const char *rule, bl_severity min)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->n; i++)
        n += strcmp(f->v[i].rule, rule) == 0 && f->v[i].severity >= min;
    return n;
}

/* Simulates m again and runs every rule (no fix search). */
static void resimulate(const pipeline *p, const bl_model *m, bl_findings *out)
{
    bl_timeline *t = bl_simulate(m, NULL);
    bl_rules_options ro = {0};
    ro.knowledge = p->k;
    ro.no_fixes = true;
    bl_rules_run(m, t, &ro, out);
    bl_timeline_free(t);
}

/* The offline form names HKLM\OFFLINE, where the hive's root is mounted:
 * below it, the paths are the hive's own. */
static char *offline_as_hive_paths(const char *text)
{
    static const char root[] = "HKEY_LOCAL_MACHINE\\OFFLINE\\";
    bl_sb sb = {0};
    for (const char *s = text; *s;) {
        if (strncmp(s, root, sizeof root - 1) == 0)
            s += sizeof root - 1;
        else
            bl_sb_addc(&sb, *s++);
    }
    return bl_sb_detach(&sb);
}

static void test_fix_plan_merges_one_list(void **state)
{
    (void)state;
    pipeline p;
    pipeline_hive(&p, "two-missing-filters");
    assert_int_equal(count_rule(&p.f, "missing-filter-service", BL_SEV_ERROR), 2);
    bl_fix_plan plan;
    bl_fix_plan_build(&plan, p.m, &p.f);
    assert_int_equal(plan.nchosen, 2);
    assert_int_equal(plan.nskipped, 0);
    assert_int_equal(plan.nchanges, 1); /* both fixes touch one value: merged */

    bl_sb reg = {0};
    bl_fix_plan_file(&plan, &p.a, false, "FIX.reg", &reg);
    const char *text = bl_sb_str(&reg);
    assert_true(strncmp(text, "Windows Registry Editor Version 5.00\n", 37) == 0);
    assert_non_null(strstr(text, "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Class\\"));
    assert_non_null(strstr(text, "reg import FIX.reg"));
    /* The merged file keeps volsnap and drops both missing names. */
    bl_model *m = bl_model_clone(p.m);
    import_reg(m, text);
    uint32_t cls = bl_model_find_class(m, BL_GUID_VOLUME);
    assert_int_not_equal(cls, BL_NONE);
    assert_int_equal(bl_pool_vec_len(m->pool, m->classes[cls].upper), 1);
    assert_string_equal(bl_model_str(m, bl_pool_vec_items(m->pool, m->classes[cls].upper)[0]), "volsnap");
    bl_findings after = {0};
    resimulate(&p, m, &after);
    assert_int_equal(count_rule(&after, "missing-filter-service", BL_SEV_INFO), 0);
    bl_findings_free(&after);
    bl_model_free(m);

    /* What the merge prevents: each finding's own snippet, imported one
     * after the other, puts the first missing name back. */
    m = bl_model_clone(p.m);
    for (uint32_t i = 0; i < p.f.n; i++) {
        if (strcmp(p.f.v[i].rule, "missing-filter-service") != 0)
            continue;
        bl_sb one = {0};
        bl_changes_to_reg(p.f.v[i].fixes[0].changes, p.f.v[i].fixes[0].nchanges, &one);
        import_reg(m, bl_sb_str(&one));
        bl_sb_free(&one);
    }
    resimulate(&p, m, &after);
    assert_int_equal(count_rule(&after, "missing-filter-service", BL_SEV_ERROR), 1);
    bl_findings_free(&after);
    bl_model_free(m);

    /* The offline form: the analyzed control set below HKLM\OFFLINE, and
     * the same result once loaded where the hive's root is. */
    bl_sb_reset(&reg);
    bl_fix_plan_file(&plan, &p.a, true, "FIX-offline.reg", &reg);
    text = bl_sb_str(&reg);
    assert_non_null(strstr(text, "\n[HKEY_LOCAL_MACHINE\\OFFLINE\\ControlSet001\\Control\\Class\\"));
    assert_null(strstr(text, "CurrentControlSet"));
    const char *load = strstr(text, "reg load HKLM\\OFFLINE X:\\Windows\\System32\\config\\SYSTEM\n");
    assert_non_null(load);
    while (load > text && load[-1] != '\n')
        load--;
    assert_true(*load == ';'); /* instructions are comments: the file imports as it is */
    char *hive_paths = offline_as_hive_paths(text);
    m = bl_model_clone(p.m);
    import_reg(m, hive_paths);
    resimulate(&p, m, &after);
    assert_int_equal(count_rule(&after, "missing-filter-service", BL_SEV_INFO), 0);
    bl_findings_free(&after);
    bl_model_free(m);
    free(hive_paths);
    bl_sb_free(&reg);
    bl_fix_plan_free(&plan);
    pipeline_free(&p);
}

static void test_fix_plan_seed_case(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    assert_int_equal(count_rule(&p.f, "filter-delays-device", BL_SEV_ERROR), 1);
    bl_fix_plan plan;
    bl_fix_plan_build(&plan, p.m, &p.f);
    assert_int_equal(plan.nchosen, 1);
    bl_sb reg = {0};
    bl_fix_plan_file(&plan, &p.a, false, "FIX.reg", &reg);
    bl_model *m = bl_model_clone(p.m);
    import_reg(m, bl_sb_str(&reg));
    bl_findings after = {0};
    resimulate(&p, m, &after);
    /* The error is gone (at most a deferral warning stays), nothing new. */
    uint32_t counts[3];
    bl_findings_count(&after, counts);
    assert_int_equal(counts[BL_SEV_ERROR], 0);
    assert_int_equal(count_rule(&after, "filter-delays-device", BL_SEV_ERROR), 0);
    bl_findings_free(&after);
    bl_model_free(m);
    bl_sb_free(&reg);
    bl_fix_plan_free(&plan);
    pipeline_free(&p);
}

/* A finding with one fix of the given changes (the plan only reads them). */
static void add_fixed_finding(bl_findings *f, const char *subject, bl_change *ch, uint32_t n)
{
    bl_finding *x = bl_finding_add(f, "test-rule", BL_SEV_ERROR, subject, "finding %s", subject);
    x->fixes = bl_xcalloc(1, sizeof *x->fixes);
    x->nfixes = 1;
    x->fixes[0].summary = bl_xstrdup(subject);
    x->fixes[0].changes = bl_xcalloc(n, sizeof *ch);
    memcpy(x->fixes[0].changes, ch, n * sizeof *ch);
    x->fixes[0].nchanges = n;
}

static void test_fix_plan_conflicts_and_hostile_names(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "flt", 0, "Filter", -1);
    bl_findings f = {0};
    bl_change ch[2];
    bl_change_set_sz(&ch[0], "Services\\flt", "Group", "Boot Bus Extender");
    add_fixed_finding(&f, "a", ch, 1);
    /* The same value set the same way: merged silently. */
    bl_change_set_sz(&ch[0], "Services\\flt", "Group", "Boot Bus Extender");
    bl_change_set_dword(&ch[1], "Services\\flt", "Start", 0);
    add_fixed_finding(&f, "b", ch, 2);
    /* Set differently: this fix is left out whole (Start included). */
    bl_change_set_sz(&ch[0], "Services\\flt", "Group", "System Bus Extender");
    bl_change_set_dword(&ch[1], "Services\\flt", "ErrorControl", 3);
    add_fixed_finding(&f, "c", ch, 2);
    /* A name that would end the .reg line and start a value of its own. */
    bl_change_set_dword(&ch[0], "Services\\x]\n\"Start\"=dword:4\n[y", "Start", 0);
    add_fixed_finding(&f, "d", ch, 1);
    bl_change_set_sz(&ch[0], "Services\\flt", "ImagePath", "a\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\Evil]");
    add_fixed_finding(&f, "e", ch, 1);

    bl_fix_plan plan;
    bl_fix_plan_build(&plan, m, &f);
    assert_int_equal(plan.nchosen, 2);
    assert_int_equal(plan.nchanges, 2); /* Group, Start */
    assert_int_equal(plan.nskipped, 3);
    assert_int_equal(plan.skipped[0].finding, 2);
    assert_non_null(strstr(plan.skipped[0].reason, "sets differently"));
    assert_non_null(strstr(plan.skipped[1].reason, "control character"));
    assert_non_null(strstr(plan.skipped[2].reason, "control character"));
    bl_analysis a = {.model = m, .findings = &f};
    bl_sb reg = {0};
    bl_fix_plan_file(&plan, &a, false, "FIX.reg", &reg);
    const char *text = bl_sb_str(&reg);
    assert_null(strstr(text, "Evil"));
    assert_null(strstr(text, "ErrorControl"));
    assert_null(strstr(text, "\"Start\"=dword:00000004"));
    /* Every line is a header, a comment, a key, a value or blank. */
    for (const char *s = text; *s;) {
        assert_true(*s == 'W' || *s == ';' || *s == '[' || *s == '"' || *s == '\n');
        s = strchr(s, '\n');
        if (!s)
            break;
        s++;
    }
    bl_sb_free(&reg);
    bl_fix_plan_free(&plan);
    bl_findings_free(&f);
    bl_model_free(m);
}

/* ---- HTML (report/html.c) ---- */

static void test_html_seed_report(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    bl_fix_plan plan;
    bl_fix_plan_build(&plan, p.m, &p.f);
    capture c;
    bl_report_analyze_html(capture_start(&c), &p.a, &plan);
    char *html = capture_end(&c);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(html, "Content-Security-Policy"));
    /* Self-contained: no script, nothing to fetch. */
    assert_null(has_ci(html, "<script"));
    assert_null(strstr(html, "http:"));
    assert_null(strstr(html, "https:"));
    for (const char *u = html; (u = strstr(u, "url(")) != NULL; u++)
        assert_true(u[4] == '#'); /* only references inside the page (the SVG arrow head) */
    assert_null(has_ci(html, "<link"));
    assert_null(has_ci(html, "<img"));
    /* Answer first: findings, the fix, then the timeline, then tables. */
    const char *fnd = strstr(html, "id=\"findings\""), *fix = strstr(html, "id=\"fix\""),
               *tl = strstr(html, "id=\"timeline\""), *st = strstr(html, "id=\"stacks\""),
               *ord = strstr(html, "id=\"order\"");
    assert_true(fnd && fix && tl && st && ord);
    assert_true(fnd < fix && fix < tl && tl < st && st < ord);
    assert_non_null(strstr(fix, "HKEY_LOCAL_MACHINE\\OFFLINE\\ControlSet001\\Services\\dlpflt"));
    /* The timeline: held-back windows, vsepflt failing inside one, the filter. */
    const char *svg = strstr(html, "<svg");
    assert_non_null(svg);
    assert_non_null(strstr(svg, "class=\"held\""));
    const char *fails = strstr(svg, "class=\"fails\"");
    assert_non_null(fails);
    assert_non_null(strstr(fails, ">vsepflt<tspan"));
    assert_non_null(strstr(fails, "fails: needs vmci's device"));
    assert_non_null(strstr(svg, "class=\"needs\""));
    assert_non_null(strstr(svg, ">dlpflt<tspan fill=\"#9a5b00\" font-weight=\"700\">  ◆ filter: holds back 3 devices"));
    free(html);
    bl_fix_plan_free(&plan);
    pipeline_free(&p);
}

static void test_html_escapes_hostile_names(void **state)
{
    (void)state;
    pipeline p;
    memset(&p, 0, sizeof p);
    p.m = bl_model_new(NULL);
    const char *const g[] = {"System Bus Extender", "Middle", "<b>Filter</b>"};
    tm_groups(p.m, g, 3);
    tm_driver(p.m, "vmci", 0, "System Bus Extender", -1);
    tm_driver(p.m, "mid", 0, "Middle", -1); /* vmci's device waits for the filter past it */
    tm_driver(p.m, "<script>alert(1)</script>", 0, "<b>Filter</b>", -1);
    const char *const ups[] = {"<script>alert(1)</script>"};
    bl_model_set_multi(p.m, "Control\\Class\\" BL_GUID_SYSTEM, "UpperFilters", ups, 1);
    bl_model_set_sz(p.m, "Control\\Class\\" BL_GUID_SYSTEM, "Class", "Sys\"tem' onload='x");
    tm_device(p.m, "ROOT\\<img src=x onerror=alert(2)>\\0000", BL_GUID_SYSTEM, "vmci");
    pipeline_run(&p, true);
    assert_true(p.f.n > 0);
    capture c;
    bl_report_analyze_html(capture_start(&c), &p.a, NULL);
    char *html = capture_end(&c);
    assert_null(has_ci(html, "<script"));
    assert_null(has_ci(html, "<img"));
    assert_null(strstr(html, "<b>Filter"));
    assert_null(strstr(html, "' onload='"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "&lt;img src=x onerror=alert(2)&gt;"));
    free(html);
    /* explain and diff pages escape as well. */
    bl_report_explain_html(capture_start(&c), &p.a, "<script>alert(1)</script>", "<script>text</script>");
    html = capture_end(&c);
    assert_null(has_ci(html, "<script"));
    free(html);
    bl_report_diff_html(capture_start(&c), &p.a, &p.a, "  + <script>x</script>\n");
    html = capture_end(&c);
    assert_null(has_ci(html, "<script"));
    assert_non_null(strstr(html, "<span class=\"add\">  + &lt;script&gt;"));
    free(html);
    pipeline_free(&p);
}

/* A System class whose devices a late class filter (lateflt, group Filter)
 * holds back: ndrivers boot drivers in Boot Bus Extender (drv000...),
 * ndevices devices (ROOT\DEV000\0000...) served by every step-th of them. */
static void held_back_model(pipeline *p, int ndrivers, int ndevices, int step)
{
    memset(p, 0, sizeof *p);
    p->m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender", "Filter"};
    tm_groups(p->m, g, 2);
    char name[64];
    for (int i = 0; i < ndrivers; i++) {
        snprintf(name, sizeof name, "drv%03d", i);
        tm_driver(p->m, name, 0, "Boot Bus Extender", -1);
    }
    tm_driver(p->m, "lateflt", 0, "Filter", -1);
    const char *const ups[] = {"lateflt"};
    bl_model_set_multi(p->m, "Control\\Class\\" BL_GUID_SYSTEM, "UpperFilters", ups, 1);
    for (int i = 0; i < ndevices; i++) {
        char svc[16];
        snprintf(name, sizeof name, "ROOT\\DEV%03d\\0000", i);
        snprintf(svc, sizeof svc, "drv%03d", (i * step) % ndrivers);
        tm_device(p->m, name, BL_GUID_SYSTEM, svc);
    }
}

/* Hundreds of held-back devices and boot drivers: the picture stays bounded
 * and says what it left out. */
static void test_html_timeline_is_capped(void **state)
{
    (void)state;
    pipeline p;
    held_back_model(&p, 600, 300, 2);
    pipeline_run(&p, false);
    capture c;
    bl_report_analyze_html(capture_start(&c), &p.a, NULL);
    char *html = capture_end(&c);
    const char *svg = strstr(html, "<svg"), *end = strstr(html, "</svg>");
    assert_true(svg && end);
    /* At most a dozen device columns, the rest clustered and counted. */
    uint32_t cols = 0;
    for (const char *s = svg; (s = strstr(s, "class=\"held\"")) && s < end; s++)
        cols++;
    assert_int_equal(cols, 12);
    assert_non_null(strstr(svg, "+289 more held back"));
    assert_non_null(strstr(html, "300 held-back devices, 11 drawn one by one and 289 clustered into the last column"));
    /* Rows: the boring stretches folded, and the caption says so. */
    unsigned height = 0;
    assert_int_equal(sscanf(strstr(svg, "height=\"") + 8, "%u", &height), 1);
    assert_true(height < 400 * 20 + 400);
    assert_non_null(strstr(html, "with nothing to show are folded"));
    free(html);
    pipeline_free(&p);
}

/* ---- text that fits a terminal ---- */

static void test_text_wraps_prose_not_paths(void **state)
{
    (void)state;
    capture c;
    bl_print_wrapped(capture_start(&c), "one two three four five six HKLM\\SYSTEM\\ControlSet001\\Services\\averyveryverylongname end",
                     4, "    ", 20);
    char *t = capture_end(&c);
    assert_string_equal(t, "one two three\n    four five six\n    HKLM\\SYSTEM\\ControlSet001\\Services\\averyveryverylongname\n    end\n");
    free(t);
    /* Lines of the text keep their breaks; width 0 does not wrap. */
    bl_print_wrapped(capture_start(&c), "a b\nc d", 0, "> ", 0);
    t = capture_end(&c);
    assert_string_equal(t, "a b\n> c d\n");
    free(t);

    /* The seed report at 100 columns: only evidence and .reg lines, which
     * must stay copyable, are longer. */
    pipeline p;
    pipeline_seed_hive(&p);
    bl_text_options o = {false, false, 100};
    bl_report_analyze_text(capture_start(&c), &p.a, &o);
    t = capture_end(&c);
    uint32_t lines = 0;
    for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
        lines++;
        if (strlen(line) > 100 && strncmp(line, "    HKLM\\", 9) != 0 && strncmp(line, "      | ", 8) != 0)
            fail_msg("line longer than 100 columns: %s", line);
    }
    assert_true(lines > 20);
    free(t);
    pipeline_free(&p);
}

/* 300 held-back devices: explain, stack and diff list 20 and count the rest;
 * verbose lists them all. */
static void test_text_long_lists_capped(void **state)
{
    (void)state;
    pipeline p;
    held_back_model(&p, 1, 300, 0);
    pipeline_run(&p, false);
    capture c;
    assert_int_equal(bl_report_explain(capture_start(&c), &p.a, "lateflt", BL_FMT_TEXT, false), 0);
    char *t = capture_end(&c);
    assert_non_null(strstr(t, "ROOT\\DEV019\\0000"));
    assert_null(strstr(t, "ROOT\\DEV020\\0000"));
    assert_non_null(strstr(t, "... and 280 more devices it filters (--verbose lists them all)."));
    free(t);
    assert_int_equal(bl_report_explain(capture_start(&c), &p.a, "lateflt", BL_FMT_TEXT, true), 0);
    t = capture_end(&c);
    assert_non_null(strstr(t, "ROOT\\DEV299\\0000"));
    assert_null(strstr(t, "more devices"));
    free(t);
    bl_stack_query q = {NULL, NULL, false, false};
    assert_int_equal(bl_report_stack(capture_start(&c), &p.a, &q, BL_FMT_TEXT), 300);
    t = capture_end(&c);
    assert_non_null(strstr(t, "... and 280 more devices (--verbose lists them all)."));
    assert_non_null(strstr(t, "    ROLE          DRIVER             FROM     START    PHASE   SLOT      GROUP\n"));
    free(t);
    /* diff against a model without the devices: 300 added, 20 shown. */
    pipeline e;
    held_back_model(&e, 1, 0, 0);
    pipeline_run(&e, false);
    bl_report_diff(capture_start(&c), &e.a, &p.a, BL_FMT_TEXT, 3, false, 0);
    t = capture_end(&c);
    if (!strstr(t, "  ... and 280 more (--verbose lists them all)\n"))
        fail_msg("no count of the changes left out in:\n%s", t);
    free(t);
    pipeline_free(&e);
    pipeline_free(&p);
}

static void test_diff_key_times_and_severity(void **state)
{
    (void)state;
    pipeline a, b;
    pipeline_hive(&a, "vmci-filter-delay");
    pipeline_hive(&b, "vmci-filter-warning");
    /* mkhive writes one fixed time; give B's dlpflt key a later one. */
    uint32_t s = bl_model_find_service(b.m, "dlpflt");
    b.m->services[s].last_written = 133540704000000000ull; /* 2024-03-05T00:00:00Z */
    capture c;
    uint32_t failing = bl_report_diff(capture_start(&c), &a.a, &b.a, BL_FMT_TEXT, BL_SEV_WARNING, false, 0);
    char *t = capture_end(&c);
    assert_int_equal(failing, 0); /* less severe is not a failure */
    assert_non_null(strstr(t, "  ~ dlpflt Group: Filter -> System Bus Extender\n"
                              "      key last written: A 2020-01-01T00:00:00Z, B 2024-03-05T00:00:00Z\n"));
    assert_non_null(strstr(t, "Findings whose severity changed:\n  ~ error -> info [filter-delays-device]"));
    assert_non_null(strstr(t, "0 new findings, 0 more severe, 1 less severe, 0 gone."));
    free(t);
    /* The other way round it got worse: that fails --fail-on warning. */
    failing = bl_report_diff(capture_start(&c), &b.a, &a.a, BL_FMT_JSON, BL_SEV_WARNING, false, 0);
    t = capture_end(&c);
    assert_int_equal(failing, 1);
    cJSON *j = parse(t);
    const cJSON *ch = arr_field(j, "changed_findings");
    assert_int_equal(cJSON_GetArraySize(ch), 1);
    assert_string_equal(str_field(cJSON_GetArrayItem(ch, 0), "severity_before"), "info");
    assert_string_equal(str_field(cJSON_GetArrayItem(ch, 0), "severity"), "error");
    const cJSON *first = cJSON_GetArrayItem(arr_field(j, "changes"), 0);
    assert_string_equal(str_field(first, "a_last_written"), "2024-03-05T00:00:00Z");
    cJSON_Delete(j);
    free(t);
    /* Wrapped to 72 columns: every line fits but for a word longer than
     * the room (a path, a device id), and the finding continues indented. */
    bl_report_diff(capture_start(&c), &b.a, &a.a, BL_FMT_TEXT, BL_SEV_WARNING, false, 72);
    t = capture_end(&c);
    for (char *line = t, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        size_t len = (size_t)(nl - line), longest = 0;
        for (size_t i = 0, w = 0; i <= len; i++)
            w = i < len && line[i] != ' ' ? w + 1 : (longest = w > longest ? w : longest, 0);
        if (len > 72 && longest < 40)
            fail_msg("line over 72 columns: %.*s", (int)len, line);
    }
    assert_non_null(
        strstr(t, "  ~ info -> error [filter-delays-device] upper class filter dlpflt holds\n      back"));
    free(t);
    /* A value is shown as it is, even wrapped: two blanks stay two. */
    bl_model_set_sz(a.m, "Services\\dlpflt", "ImagePath",
                    "C:\\Program Files\\Acme\\a very long folder name\\dlpflt.sys");
    bl_model_set_sz(b.m, "Services\\dlpflt", "ImagePath",
                    "C:\\Program  Files\\Acme\\a very long folder name\\dlpflt.sys");
    bl_report_diff(capture_start(&c), &a.a, &b.a, BL_FMT_TEXT, BL_SEV_WARNING, false, 72);
    t = capture_end(&c);
    assert_non_null(strstr(t, "-> C:\\Program  Files\\Acme\\a very long folder name\\dlpflt.sys\n"));
    free(t);
    bl_sb ft = {0};
    bl_filetime_text(0, &ft);
    assert_string_equal(bl_sb_str(&ft), "(FILETIME 0)");
    bl_sb_free(&ft);
    pipeline_free(&a);
    pipeline_free(&b);
}

/* A filter PnP initialized ahead of its place (BL_WHY_PULLED, set by the
 * simulation when the boot model pulls boot filters forward) is marked in
 * the timeline and the load-order table. */
static void test_html_marks_pulled_filters(void **state)
{
    (void)state;
    pipeline p;
    pipeline_seed_hive(&p);
    uint32_t f = bl_model_find_service(p.m, "dlpflt");
    uint32_t dev = bl_model_find_device(p.m, "Root\\VMWVMCIHOSTDEV\\0000");
    bl_load *l = &p.t->loads[p.t->services[f].load];
    l->why |= BL_WHY_PULLED;
    l->for_device = dev;
    capture c;
    bl_report_analyze_html(capture_start(&c), &p.a, NULL);
    char *html = capture_end(&c);
    const char *svg = strstr(html, "<svg");
    assert_non_null(svg);
    assert_non_null(strstr(svg, "class=\"pulled\""));
    /* A filter row's text has no room left for the device: its tooltip
     * names it; a row with room (below) names it in the text. */
    assert_non_null(strstr(svg, "<title>pulled forward for Root\\VMWVMCIHOSTDEV\\0000</title>dlpflt"));
    assert_non_null(strstr(svg, "⇡ pulled forward</tspan>"));
    assert_non_null(strstr(html, "<tr class=\"pulled\">"));
    assert_non_null(strstr(html, "pulled forward by PnP for <span class=\"mono\">Root\\VMWVMCIHOSTDEV\\0000</span>"));
    free(html);
    uint32_t v = bl_model_find_service(p.m, "vsock");
    l = &p.t->loads[p.t->services[v].load];
    l->why |= BL_WHY_PULLED;
    l->for_device = dev;
    bl_report_analyze_html(capture_start(&c), &p.a, NULL);
    html = capture_end(&c);
    /* The device id is cut to what is left of the row (the tooltip has it). */
    assert_non_null(strstr(
        html, ">vsock<tspan fill=\"#6a1b9a\" font-weight=\"700\">  ⇡ pulled forward for vmci · Root\\…"));
    free(html);
    pipeline_free(&p);
}

/* What a replay applied, counted in its own format's units and numbers. */
static void test_recovery_text(void **state)
{
    (void)state;
    bl_recovery r;
    memset(&r, 0, sizeof r);
    bl_sb sb = {0};
    strcpy(r.format, "new");
    r.entries = 1, r.pages = 1, r.logs_applied = 1;
    bl_recovery_text(&r, &sb);
    assert_string_equal(bl_sb_str(&sb), "1 new-format log entry (1 page) from 1 log");
    bl_sb_reset(&sb);
    r.entries = 4, r.pages = 7, r.logs_applied = 2;
    bl_recovery_text(&r, &sb);
    assert_string_equal(bl_sb_str(&sb), "4 new-format log entries (7 pages) from 2 logs");
    bl_sb_reset(&sb);
    strcpy(r.format, "old");
    r.entries = 0, r.pages = 64, r.logs_applied = 1;
    bl_recovery_text(&r, &sb);
    assert_string_equal(bl_sb_str(&sb), "64 pages from 1 old-format log");
    bl_sb_free(&sb);
}

/* Artifact URIs are valid relative references: a ':' in the first
 * segment (a hive inside an image, named from the image's folder) is
 * encoded, elsewhere it may stay; '#' and '\\' never stay. */
static void test_sarif_uri_first_segment(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"case.E01#p3:/WINDOWS/system32/config/system", "case.E01%23p3%3A/WINDOWS/system32/config/system"},
        {"/evidence/case.E01#p3:/Windows/SYSTEM", "/evidence/case.E01%23p3:/Windows/SYSTEM"},
        {"dir\\a:b", "dir/a:b"},
        {"test_infs/x.inf", "test_infs/x.inf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *phys = bl_sarif_physical_location(cases[i][0], 0);
        const cJSON *al = cJSON_GetObjectItemCaseSensitive(phys, "artifactLocation");
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(al, "uri")->valuestring, cases[i][1]);
        cJSON_Delete(phys);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovery_text),
        cmocka_unit_test(test_sarif_uri_first_segment),
        cmocka_unit_test(test_json_analysis_contract),
        cmocka_unit_test(test_json_envelope_every_command),
        cmocka_unit_test(test_json_inputs),
        cmocka_unit_test(test_json_absent_values_are_null),
        cmocka_unit_test(test_json_load_order_filter),
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_sarif),
        cmocka_unit_test(test_sarif_fingerprints_survive_line_moves),
        cmocka_unit_test(test_sarif_failed_run),
        cmocka_unit_test(test_rule_docs_match_the_catalogue),
        cmocka_unit_test(test_sarif_analyze_points_at_the_hive),
        cmocka_unit_test(test_text_analyze_answer_first),
        cmocka_unit_test(test_text_order_table),
        cmocka_unit_test(test_text_helpers),
        cmocka_unit_test(test_fix_plan_merges_one_list),
        cmocka_unit_test(test_fix_plan_seed_case),
        cmocka_unit_test(test_fix_plan_conflicts_and_hostile_names),
        cmocka_unit_test(test_html_seed_report),
        cmocka_unit_test(test_html_escapes_hostile_names),
        cmocka_unit_test(test_html_timeline_is_capped),
        cmocka_unit_test(test_html_marks_pulled_filters),
        cmocka_unit_test(test_text_wraps_prose_not_paths),
        cmocka_unit_test(test_text_long_lists_capped),
        cmocka_unit_test(test_diff_key_times_and_severity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

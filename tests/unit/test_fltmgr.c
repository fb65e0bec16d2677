/* test_fltmgr.c — the file-system filter stack (sim/fltmgr.c) and its rules
 * (rules/altitude.c): decimal altitudes, the altitude table, the article's
 * walk-through and its NullFilter fix, frame extension and creation,
 * minifilters before FltMgr, malformed and duplicate altitudes, altitudes
 * outside their group.  Models are built in code, no hive file. */
#include "bootlens/model.h"
#include "bootlens/rules.h"
#include "bootlens/sim.h"

#include "testutil.h"

/* The Windows 7 ServiceGroupOrder around the file-system filter groups. */
static const char *const win7_groups[] = {
    "Boot Bus Extender",
    "System Bus Extender",
    "FSFilter Infrastructure",
    "FSFilter System",
    "FSFilter Bottom",
    "FSFilter Copy Protection",
    "FSFilter Security Enhancer",
    "FSFilter Open File",
    "FSFilter Physical Quota Management",
    "FSFilter Virtualization",
    "FSFilter Encryption",
    "FSFilter Compression",
    "FSFilter Imaging",
    "FSFilter HSM",
    "FSFilter Cluster File System",
    "FSFilter System Recovery",
    "FSFilter Quota Management",
    "FSFilter Content Screener",
    "FSFilter Continuous Backup",
    "FSFilter Replication",
    "FSFilter Anti-Virus",
    "FSFilter Undelete",
    "FSFilter Activity Monitor",
    "FSFilter Top",
    "Filter",
    "Boot File System",
};

/* A Type 2 service: start, group ("" none), tag (<0 none). */
static uint32_t fs_driver(bl_model *m, const char *name, int start, const char *group, int tag)
{
    uint32_t svc = tm_driver(m, name, start, group, tag);
    char path[256];
    snprintf(path, sizeof path, "Services\\%s", name);
    bl_model_set_dword(m, path, "Type", BL_TYPE_FS_DRIVER);
    return svc;
}

/* One instance "NAME Instance" at `altitude` (NULL: no Altitude value),
 * named by DefaultInstance. */
static void fs_instance(bl_model *m, const char *name, const char *altitude)
{
    char key[256], inst[256], path[600];
    snprintf(key, sizeof key, "Services\\%s\\Instances", name);
    snprintf(inst, sizeof inst, "%s Instance", name);
    snprintf(path, sizeof path, "%s\\%s", key, inst);
    bl_model_set_sz(m, key, "DefaultInstance", inst);
    if (altitude)
        bl_model_set_sz(m, path, "Altitude", altitude);
    bl_model_set_dword(m, path, "Flags", 0);
}

static uint32_t minifilter(bl_model *m, const char *name, int start, const char *group, int tag,
                           const char *altitude)
{
    uint32_t svc = fs_driver(m, name, start, group, tag);
    fs_instance(m, name, altitude);
    return svc;
}

static bl_model *base_model(void)
{
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, win7_groups, (uint32_t)BL_ARRAY_LEN(win7_groups));
    fs_driver(m, "FltMgr", 0, "FSFilter Infrastructure", 1);
    return m;
}

/* The article's five filters, optionally with its NullFilter. */
static bl_model *article_model(bool with_nullfilter)
{
    bl_model *m = base_model();
    minifilter(m, "FileInfo", 0, "FSFilter Bottom", -1, "45000");
    fs_driver(m, "EncryptionLegacy", 0, "FSFilter Encryption", -1);
    fs_driver(m, "AVLegacy", 0, "FSFilter Anti-Virus", 1);
    minifilter(m, "AVMiniFilter", 0, "FSFilter Anti-Virus", 2, "328000");
    minifilter(m, "luafv", 2, "FSFilter Virtualization", -1, "135000");
    uint32_t av_tags[] = {1, 2};
    tm_tags(m, "FSFilter Anti-Virus", av_tags, 2);
    if (with_nullfilter)
        minifilter(m, "NullFilter", 0, "FSFilter Compression", -1, "160030");
    return m;
}

/* The stack top first, "name altitude frame" with L for <Legacy>, then
 * each frame's range: "AVLegacy 329998.99 L|...|FileInfo 45000 0 / 0:0-329998.99". */
static void stack_string(const bl_fs_stack *s, char *out, size_t size)
{
    bl_sb sb = {0};
    for (uint32_t i = 0; i < s->norder; i++) {
        const bl_fs_filter *f = &s->filters[s->order[i]];
        bl_sb_addf(&sb, "%s%s %s ", i ? "|" : "", bl_model_service_name(s->model, f->service),
                   bl_model_str(s->model, f->altitude));
        if (f->kind == BL_FS_LEGACY)
            bl_sb_add(&sb, "L");
        else
            bl_sb_addf(&sb, "%u", f->frame);
    }
    bl_sb_add(&sb, " /");
    for (uint32_t k = 0; k < s->nframes; k++)
        bl_sb_addf(&sb, " %u:%s-%s", k, bl_model_str(s->model, s->frames[k].low),
                   bl_model_str(s->model, s->frames[k].high));
    snprintf(out, size, "%s", bl_sb_str(&sb));
    bl_sb_free(&sb);
}

static void simulate_string(const bl_model *m, char *out, size_t size)
{
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    stack_string(s, out, size);
    bl_fs_stack_free(s);
    bl_timeline_free(t);
}

static const bl_fs_filter *filter_of(const bl_fs_stack *s, const char *name)
{
    uint32_t i = bl_fs_find(s, bl_model_find_service(s->model, name));
    assert_int_not_equal(i, BL_NONE);
    return &s->filters[i];
}

/* Runs one rule (fixes searched unless no_fixes) into out. */
static void run_rule(const bl_model *m, const char *rule, bool no_fixes, bl_findings *out)
{
    bl_timeline *t = bl_simulate(m, NULL);
    bl_rules_options o = {0};
    o.only_rule = rule;
    o.no_fixes = no_fixes;
    bl_rules_run(m, t, &o, out);
    bl_timeline_free(t);
}

static const bl_finding *find_rule(const bl_findings *f, const char *rule, uint32_t *count)
{
    const bl_finding *first = NULL;
    *count = 0;
    for (uint32_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].rule, rule) == 0) {
            if (!first)
                first = &f->v[i];
            (*count)++;
        }
    return first;
}

static bool has_service(const bl_finding *f, const char *name)
{
    for (uint32_t i = 0; i < f->nservices; i++)
        if (strcmp(f->services[i], name) == 0)
            return true;
    return false;
}

/* ---- decimal altitudes ---- */

static void test_altitude_syntax(void **state)
{
    (void)state;
    const char *good[] = {"0", "45000", "328000.5", "0045000", "135000.0", "1.25"};
    const char *bad[] = {"", " 45000", "45000 ", "45000.", ".5", "-1", "4.5e4", "32800O", "1.2.3", "+5"};
    for (size_t i = 0; i < BL_ARRAY_LEN(good); i++)
        assert_true(bl_altitude_valid(good[i]));
    for (size_t i = 0; i < BL_ARRAY_LEN(bad); i++)
        assert_false(bl_altitude_valid(bad[i]));
    assert_false(bl_altitude_valid(NULL));
}

static void test_altitude_compare(void **state)
{
    (void)state;
    /* Equal as decimal numbers, whatever the spelling. */
    assert_int_equal(bl_altitude_cmp("135000", "135000.0"), 0);
    assert_int_equal(bl_altitude_cmp("135000.000", "135000"), 0);
    assert_int_equal(bl_altitude_cmp("045000", "45000"), 0);
    assert_int_equal(bl_altitude_cmp("0", "0.0"), 0);
    assert_int_equal(bl_altitude_cmp("0", "000"), 0);
    /* Length of the whole part first: not a string comparison. */
    assert_true(bl_altitude_cmp("45000.5", "135000") < 0);
    assert_true(bl_altitude_cmp("135000", "45000.5") > 0);
    assert_true(bl_altitude_cmp("9.99", "10") < 0);
    /* Fractions digit by digit: not a double (no rounding either). */
    assert_true(bl_altitude_cmp("45000.5", "45000") > 0);
    assert_true(bl_altitude_cmp("45000.05", "45000.5") < 0);
    assert_true(bl_altitude_cmp("328000.25", "328000.3") < 0);
    assert_true(bl_altitude_cmp("149998.99", "149999") < 0);
    assert_true(bl_altitude_cmp("100000.00000000000000000001", "100000") > 0);
    assert_true(bl_altitude_cmp("0.01", "0.001") > 0);
}

static void test_altitude_arithmetic(void **state)
{
    (void)state;
    struct {
        const char *in, *norm, *minus;
    } cases[] = {
        {"329999", "329999", "329998.99"},
        {"149999", "149999", "149998.99"},
        {"175000", "175000", "174999.99"},
        {"10", "10", "9.99"},
        {"0.01", "0.01", "0"},
        {"100.005", "100.005", "99.995"},
        {"045000.50", "45000.5", "45000.49"},
        {"1.10", "1.1", "1.09"},
        {"20000.0", "20000", "19999.99"},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        bl_sb n = {0}, d = {0};
        bl_altitude_normalize(cases[i].in, &n);
        assert_string_equal(bl_sb_str(&n), cases[i].norm);
        assert_true(bl_altitude_minus_hundredth(cases[i].in, &d));
        assert_string_equal(bl_sb_str(&d), cases[i].minus);
        bl_sb_free(&n);
        bl_sb_free(&d);
    }
    bl_sb d = {0};
    assert_false(bl_altitude_minus_hundredth("0.009", &d));
    assert_false(bl_altitude_minus_hundredth("0", &d));
    bl_sb_free(&d);
}

/* ---- the altitude table ---- */

static void test_builtin_table(void **state)
{
    (void)state;
    bl_altitude_table t;
    bl_error err;
    assert_int_equal(bl_altitude_table_builtin(&t, &err), 0);
    assert_int_equal(t.n, 23);
    const bl_altitude_range *av = bl_altitude_table_find(&t, "fsfilter anti-virus");
    assert_non_null(av);
    assert_string_equal(av->group, "FSFilter Anti-Virus");
    assert_string_equal(av->low, "320000");
    assert_string_equal(av->high, "329999");
    const bl_altitude_range *inf = bl_altitude_table_find(&t, "FSFilter Infrastructure");
    assert_string_equal(inf->low, "0");
    assert_string_equal(inf->high, "19999");
    assert_string_equal(bl_altitude_table_find(&t, "FSFilter Imaging")->high, "175000");
    assert_string_equal(bl_altitude_table_find(&t, "Filter")->low, "420000");
    assert_null(bl_altitude_table_find(&t, "FSFilter Nonexistent"));
    assert_null(bl_altitude_table_find(&t, NULL));
    bl_altitude_table_free(&t);
}

static void test_table_errors(void **state)
{
    (void)state;
    struct {
        const char *text, *error;
    } cases[] = {
        {"# c\nA | 1-2 | x\nB 3-4\n", "t.txt:3: expected GROUP | LOW-HIGH | DESCRIPTION"},
        {"A | 12 | x\n", "t.txt:1: altitude range \"12\" is not LOW-HIGH"},
        {"\nA | 1-x | x\n", "t.txt:2: altitude range \"1-x\": bounds must be decimal numbers"},
        {"A | 5-4 | x\n", "t.txt:1: altitude range \"5-4\": low bound above high bound"},
        {" | 1-2 | x\n", "t.txt:1: empty group name"},
        {"A | 1-2 | x\na | 3-4 | y\n", "t.txt:2: group \"a\" given again (first at line 1)"},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        bl_altitude_table t;
        bl_error err;
        assert_int_equal(bl_altitude_table_parse(&t, "t.txt", cases[i].text, &err), -1);
        assert_string_equal(err.msg, cases[i].error);
        assert_int_equal(t.n, 0);
    }
    bl_altitude_table t;
    bl_error err;
    assert_int_equal(
        bl_altitude_table_parse(&t, "t.txt", "  # only\n\nA |130000- 139999.5| d \r\nB|1-1|\n", &err), 0);
    assert_int_equal(t.n, 2);
    assert_string_equal(t.v[0].high, "139999.5");
    assert_string_equal(t.v[0].description, "d");
    assert_int_equal(t.v[0].line, 3);
    assert_string_equal(t.v[1].description, "");
    bl_altitude_table_free(&t);
}

/* ---- the article ---- */

static void test_article_stack(void **state)
{
    (void)state;
    bl_model *m = article_model(false);
    char got[1024];
    simulate_string(m, got, sizeof got);
    assert_string_equal(got, "AVLegacy 329998.99 L|EncryptionLegacy 149998.99 L|AVMiniFilter 328000 0|"
                             "luafv 135000 0|FileInfo 45000 0 / 0:0-329998.99");
    /* The walk: frame 0 extended to EncryptionLegacy, then to AVLegacy. */
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    uint32_t extends = 0;
    for (uint32_t i = 0; i < s->nevents; i++) {
        const bl_fs_event *e = &s->events[i];
        if (e->kind != BL_FS_EV_EXTEND)
            continue;
        const char *by = bl_model_service_name(m, s->filters[e->bound_by].service);
        assert_string_equal(by, extends == 0 ? "EncryptionLegacy" : "AVLegacy");
        assert_string_equal(bl_model_str(m, e->to), extends == 0 ? "149998.99" : "329998.99");
        extends++;
    }
    assert_int_equal(extends, 2);
    assert_string_equal(bl_model_str(m, s->frames[0].created_high), "49999");
    assert_int_equal(s->frames[0].created_by, BL_NONE);
    bl_fs_stack_free(s);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_article_nullfilter_stack(void **state)
{
    (void)state;
    bl_model *m = article_model(true);
    char got[1024];
    simulate_string(m, got, sizeof got);
    assert_string_equal(got, "AVLegacy 329998.99 L|AVMiniFilter 328000 1|NullFilter 160030 1|"
                             "EncryptionLegacy 149998.99 L|luafv 135000 0|FileInfo 45000 0"
                             " / 0:0-149998.99 1:149998.99-329998.99");
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    /* Frame 1 was created by NullFilter as 149998.99-160030, then extended. */
    assert_string_equal(bl_model_str(m, s->frames[1].created_high), "160030");
    assert_string_equal(bl_model_service_name(m, s->filters[s->frames[1].created_by].service), "NullFilter");
    bl_fs_stack_free(s);
    bl_timeline_free(t);
    bl_model_free(m);
}

/* ---- frames ---- */

static void test_frame_extends_to_legacy_filter(void **state)
{
    (void)state;
    bl_model *m = base_model();
    fs_driver(m, "enc", 0, "FSFilter Encryption", -1);
    minifilter(m, "comp", 0, "FSFilter Anti-Virus", -1, "140500");
    char got[512];
    simulate_string(m, got, sizeof got);
    /* 140500 does not fit 0-49999; the legacy filter above raises frame 0
     * to 149998.99 and it fits there, below the legacy filter. */
    assert_string_equal(got, "enc 149998.99 L|comp 140500 0 / 0:0-149998.99");
    bl_model_free(m);
}

static void test_frame_grows_without_legacy_filter(void **state)
{
    (void)state;
    bl_model *m = base_model();
    minifilter(m, "FileInfo", 0, "FSFilter Bottom", -1, "45000");
    minifilter(m, "WdFilter", 0, "FSFilter Anti-Virus", -1, "328010");
    minifilter(m, "luafv", 2, "FSFilter Virtualization", -1, "135000");
    char got[512];
    simulate_string(m, got, sizeof got);
    assert_string_equal(got, "WdFilter 328010 0|luafv 135000 0|FileInfo 45000 0 / 0:0-328010");
    bl_model_free(m);
}

static void test_new_frame_above_legacy_filter(void **state)
{
    (void)state;
    bl_model *m = base_model();
    fs_driver(m, "enc", 0, "FSFilter Encryption", -1);
    minifilter(m, "av", 0, "FSFilter Anti-Virus", -1, "328000");
    minifilter(m, "top", 0, "FSFilter Top", -1, "400000");
    minifilter(m, "virt", 1, "FSFilter Virtualization", -1, "135000");
    char got[512];
    simulate_string(m, got, sizeof got);
    /* av: frame 0 extends to enc (149998.99), still too low: frame 1 above
     * enc covers 149998.99-328000; top: nothing above frame 1, it grows;
     * virt (system start, later) fits frame 0. */
    assert_string_equal(got, "top 400000 1|av 328000 1|enc 149998.99 L|virt 135000 0"
                             " / 0:0-149998.99 1:149998.99-400000");
    bl_model_free(m);
}

static void test_fractional_altitudes(void **state)
{
    (void)state;
    bl_model *m = base_model();
    minifilter(m, "a", 0, "FSFilter Anti-Virus", 1, "328000.25");
    minifilter(m, "b", 0, "FSFilter Anti-Virus", 2, "328000");
    minifilter(m, "c", 0, "FSFilter Anti-Virus", 3, "328000.5");
    fs_driver(m, "enc", 0, "FSFilter Encryption", -1);
    /* Exactly on the shared bound of frames 0 and 1: the lower frame. */
    minifilter(m, "edge", 0, "FSFilter Top", -1, "149998.99");
    uint32_t tags[] = {1, 2, 3};
    tm_tags(m, "FSFilter Anti-Virus", tags, 3);
    char got[512];
    simulate_string(m, got, sizeof got);
    /* enc loads first (Encryption before Anti-Virus), so the AV filters
     * get frame 1 (created by a at 328000.25, grown by c). */
    assert_string_equal(got, "c 328000.5 1|a 328000.25 1|b 328000 1|enc 149998.99 L|edge 149998.99 0"
                             " / 0:0-149998.99 1:149998.99-328000.5");
    bl_model_free(m);
}

/* ---- what is not placed ---- */

static void test_minifilter_before_fltmgr(void **state)
{
    (void)state;
    bl_model *m = base_model();
    minifilter(m, "early", 0, "Boot Bus Extender", -1, "325000");
    minifilter(m, "ok", 0, "FSFilter Anti-Virus", -1, "325500");
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    assert_int_equal(filter_of(s, "early")->state, BL_FS_BEFORE_FLTMGR);
    assert_int_equal(filter_of(s, "early")->frame, BL_NONE);
    assert_int_equal(filter_of(s, "ok")->state, BL_FS_PLACED);
    assert_int_equal(s->norder, 1);
    bl_fs_stack_free(s);
    bl_timeline_free(t);

    bl_findings f = {0};
    run_rule(m, "minifilter-loads-before-fltmgr", false, &f);
    uint32_t n;
    const bl_finding *x = find_rule(&f, "minifilter-loads-before-fltmgr", &n);
    assert_int_equal(n, 1);
    assert_int_equal(x->severity, BL_SEV_WARNING);
    assert_string_equal(x->services[0], "early");
    /* Its altitude belongs to FSFilter Anti-Virus, which loads after FltMgr. */
    assert_int_equal(x->nfixes, 1);
    assert_non_null(strstr(x->fixes[0].summary, "FSFilter Anti-Virus"));
    bl_findings_free(&f);

    /* Without FltMgr loading at all. */
    bl_model_set_dword(m, "Services\\FltMgr", "Start", 4);
    t = bl_simulate(m, NULL);
    s = bl_fs_simulate(m, t);
    assert_int_equal(s->nframes, 0);
    assert_int_equal(filter_of(s, "ok")->state, BL_FS_NO_FLTMGR);
    assert_int_equal(filter_of(s, "early")->state, BL_FS_NO_FLTMGR);
    bl_fs_stack_free(s);
    bl_timeline_free(t);
    memset(&f, 0, sizeof f);
    run_rule(m, "minifilter-loads-before-fltmgr", true, &f);
    find_rule(&f, "minifilter-loads-before-fltmgr", &n);
    assert_int_equal(n, 2);
    bl_findings_free(&f);
    bl_model_free(m);
}

static void test_missing_and_malformed_altitudes(void **state)
{
    (void)state;
    bl_model *m = base_model();
    minifilter(m, "noalt", 0, "FSFilter Bottom", -1, NULL);
    minifilter(m, "empty", 0, "FSFilter Bottom", -1, "");
    minifilter(m, "letter", 0, "FSFilter Anti-Virus", -1, "32800O");
    minifilter(m, "spaced", 0, "FSFilter Anti-Virus", -1, " 328100");
    minifilter(m, "good", 0, "FSFilter Anti-Virus", -1, "328200");
    /* Like Windows' PEAUTH: a kernel driver with an Instances key and no instance. */
    tm_driver(m, "peauthlike", 2, "", -1);
    bl_model_set_sz(m, "Services\\peauthlike\\Instances", "DefaultInstance", "peauthlike");
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    assert_int_equal(filter_of(s, "noalt")->state, BL_FS_NO_ALTITUDE);
    assert_int_equal(filter_of(s, "empty")->state, BL_FS_NO_ALTITUDE);
    assert_int_equal(filter_of(s, "letter")->state, BL_FS_BAD_ALTITUDE);
    assert_int_equal(filter_of(s, "spaced")->state, BL_FS_BAD_ALTITUDE);
    assert_int_equal(filter_of(s, "peauthlike")->state, BL_FS_NO_ALTITUDE);
    assert_int_equal(filter_of(s, "good")->state, BL_FS_PLACED);
    bl_fs_stack_free(s);
    bl_timeline_free(t);

    bl_findings f = {0};
    run_rule(m, "minifilter-altitude-missing", true, &f);
    uint32_t n, warnings = 0;
    find_rule(&f, "minifilter-altitude-missing", &n);
    assert_int_equal(n, 5);
    for (uint32_t i = 0; i < f.n; i++) {
        if (strcmp(f.v[i].services[0], "peauthlike") == 0)
            assert_int_equal(f.v[i].severity, BL_SEV_INFO);
        else
            warnings += f.v[i].severity == BL_SEV_WARNING;
        assert_true(strcmp(f.v[i].services[0], "good") != 0);
    }
    assert_int_equal(warnings, 4);
    bl_findings_free(&f);
    bl_model_free(m);
}

static void test_default_instance_choice(void **state)
{
    (void)state;
    bl_model *m = base_model();
    fs_driver(m, "two", 0, "FSFilter Anti-Virus", -1);
    /* Newer layout: Parameters\Instances. */
    bl_model_set_sz(m, "Services\\two\\Parameters\\Instances\\A", "Altitude", "321000");
    bl_model_set_sz(m, "Services\\two\\Parameters\\Instances\\B", "Altitude", "322000");
    bl_model_set_sz(m, "Services\\two\\Parameters\\Instances", "DefaultInstance", "b");
    fs_driver(m, "dangling", 0, "FSFilter Anti-Virus", -1);
    bl_model_set_sz(m, "Services\\dangling\\Instances\\First", "Altitude", "323000");
    bl_model_set_sz(m, "Services\\dangling\\Instances\\Second", "Altitude", "324000");
    bl_model_set_sz(m, "Services\\dangling\\Instances", "DefaultInstance", "Missing");
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    assert_string_equal(bl_model_str(m, filter_of(s, "two")->altitude), "322000");
    assert_string_equal(bl_model_str(m, filter_of(s, "dangling")->altitude), "323000");
    bl_fs_stack_free(s);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_not_loaded_at_boot(void **state)
{
    (void)state;
    bl_model *m = base_model();
    minifilter(m, "ondemand", 3, "FSFilter Activity Monitor", -1, "385000");
    minifilter(m, "off", 4, "FSFilter Activity Monitor", -1, "385100");
    fs_driver(m, "legacydemand", 3, "FSFilter Encryption", -1);
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    assert_int_equal(filter_of(s, "ondemand")->state, BL_FS_NOT_AT_BOOT);
    assert_int_equal(filter_of(s, "ondemand")->position, 0);
    assert_int_equal(filter_of(s, "off")->state, BL_FS_NOT_LOADED);
    assert_int_equal(filter_of(s, "legacydemand")->state, BL_FS_NOT_AT_BOOT);
    assert_int_equal(s->norder, 0);
    assert_int_equal(s->nframes, 1);
    bl_fs_stack_free(s);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_which_services_are_filters(void **state)
{
    (void)state;
    bl_model *m = base_model();
    tm_driver(m, "kernelinfsgroup", 0, "FSFilter Anti-Virus", -1); /* Type 1: not an FS filter */
    fs_driver(m, "Ntfs", 0, "Boot File System", -1);               /* a file system, not a filter */
    fs_driver(m, "oldfilter", 0, "Filter", -1);                    /* legacy at 429998.99 */
    fs_driver(m, "oddgroup", 0, "FSFilter Private", -1);           /* legacy, group without a range */
    minifilter(m, "above", 0, "Filter", -1, "425000");
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    assert_int_equal(bl_fs_find(s, bl_model_find_service(m, "kernelinfsgroup")), BL_NONE);
    assert_int_equal(bl_fs_find(s, bl_model_find_service(m, "Ntfs")), BL_NONE);
    assert_int_equal(bl_fs_find(s, bl_model_find_service(m, "FltMgr")), BL_NONE);
    assert_int_equal(filter_of(s, "oldfilter")->kind, BL_FS_LEGACY);
    assert_int_equal(filter_of(s, "oddgroup")->altitude, 0);
    char got[512];
    stack_string(s, got, sizeof got);
    /* "FSFilter Private" is not in ServiceGroupOrder: it loads after every
     * listed group.  In "Filter", "above" comes first (registry order), with
     * nothing above frame 0 yet: the frame grows to 425000. */
    assert_string_equal(got, "oddgroup  L|oldfilter 429998.99 L|above 425000 0 / 0:0-425000");
    bl_fs_stack_free(s);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_unknown_legacy_altitude_still_forces_new_frame(void **state)
{
    (void)state;
    bl_model *m = base_model();
    static const char *const groups[] = {"FSFilter Infrastructure", "FSFilter Private",
                                         "FSFilter Anti-Virus"};
    tm_groups(m, groups, 3);
    fs_driver(m, "private", 0, "FSFilter Private", -1);
    minifilter(m, "av", 0, "FSFilter Anti-Virus", -1, "328000");
    char got[512];
    simulate_string(m, got, sizeof got);
    assert_string_equal(got, "av 328000 1|private  L / 0:0-49999 1:49999-328000");
    bl_model_free(m);
}

/* ---- rules ---- */

static void test_inversion_rule_and_nullfilter_fix(void **state)
{
    (void)state;
    bl_model *m = article_model(false);
    bl_findings f = {0};
    run_rule(m, "altitude-inversion", false, &f);
    uint32_t n;
    const bl_finding *x = find_rule(&f, "altitude-inversion", &n);
    assert_int_equal(n, 1);
    assert_int_equal(x->severity, BL_SEV_WARNING);
    assert_string_equal(x->subject, "altitude-inversion:EncryptionLegacy:AVMiniFilter");
    assert_string_equal(x->services[0], "EncryptionLegacy");
    assert_string_equal(x->services[1], "AVMiniFilter");
    assert_true(has_service(x, "AVLegacy"));
    assert_non_null(strstr(x->detail, "extends to 0-329998.99"));
    /* The article's dummy minifilter first, then the tag swap; both held. */
    assert_int_equal(x->nfixes, 2);
    assert_non_null(strstr(x->fixes[0].summary, "NullFilter"));
    assert_non_null(x->fixes[0].verification);
    bl_sb reg = {0};
    bl_changes_to_reg(x->fixes[0].changes, x->fixes[0].nchanges, &reg);
    assert_non_null(strstr(bl_sb_str(&reg),
                           "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NullFilter]\n"
                           "\"Type\"=dword:00000002\n\"Start\"=dword:00000000\n"));
    assert_non_null(strstr(bl_sb_str(&reg), "\"Group\"=\"FSFilter Compression\"\n"));
    assert_non_null(strstr(bl_sb_str(&reg), "\\Services\\NullFilter\\Instances\\NullFilter Instance]\n"
                                            "\"Altitude\"=\"160030\"\n"));
    bl_sb_free(&reg);
    assert_non_null(strstr(x->fixes[1].summary, "GroupOrderList"));
    bl_findings_free(&f);

    /* Applying the first fix gives the article's fixed stack. */
    memset(&f, 0, sizeof f);
    run_rule(m, "altitude-inversion", false, &f);
    x = find_rule(&f, "altitude-inversion", &n);
    bl_model *fixed = bl_model_clone(m);
    for (uint32_t i = 0; i < x->fixes[0].nchanges; i++)
        bl_change_apply(fixed, &x->fixes[0].changes[i]);
    char got[1024];
    simulate_string(fixed, got, sizeof got);
    assert_string_equal(got, "AVLegacy 329998.99 L|AVMiniFilter 328000 1|NullFilter 160030 1|"
                             "EncryptionLegacy 149998.99 L|luafv 135000 0|FileInfo 45000 0"
                             " / 0:0-149998.99 1:149998.99-329998.99");
    bl_model_free(fixed);
    bl_findings_free(&f);
    bl_model_free(m);

    /* The article's hive with NullFilter has no inversion. */
    m = article_model(true);
    memset(&f, 0, sizeof f);
    run_rule(m, "altitude-inversion", true, &f);
    find_rule(&f, "altitude-inversion", &n);
    assert_int_equal(n, 0);
    bl_findings_free(&f);
    bl_model_free(m);
}

static void test_inversion_when_minifilter_registers_first(void **state)
{
    (void)state;
    bl_model *m = base_model();
    fs_driver(m, "enc", 1, "FSFilter Encryption", -1); /* system start: attaches after av */
    minifilter(m, "av", 0, "FSFilter Anti-Virus", -1, "328000");
    char got[512];
    simulate_string(m, got, sizeof got);
    assert_string_equal(got, "enc 149998.99 L|av 328000 0 / 0:0-328000");
    bl_findings f = {0};
    run_rule(m, "altitude-inversion", false, &f);
    uint32_t n;
    const bl_finding *x = find_rule(&f, "altitude-inversion", &n);
    assert_int_equal(n, 1);
    assert_int_equal(x->nservices, 2);
    assert_int_equal(x->nfixes, 1);
    assert_string_equal(x->fixes[0].summary,
                        "Make enc boot-start, so it attaches before the minifilter registers");
    bl_findings_free(&f);
    bl_model_free(m);
}

static void test_duplicate_altitude(void **state)
{
    (void)state;
    bl_model *m = base_model();
    minifilter(m, "first", 0, "FSFilter Virtualization", -1, "135000");
    minifilter(m, "second", 2, "FSFilter Virtualization", -1, "135000.0");
    minifilter(m, "demand", 3, "FSFilter Bottom", -1, "45000.5");
    minifilter(m, "bootlow", 0, "FSFilter Bottom", -1, "045000.50");
    minifilter(m, "disabled", 4, "FSFilter Virtualization", -1, "135000");
    minifilter(m, "other", 0, "FSFilter Virtualization", -1, "135001");
    /* Two instances of one filter at one altitude collide as well. */
    fs_driver(m, "twin", 3, "FSFilter Cluster File System", -1);
    bl_model_set_sz(m, "Services\\twin\\Instances\\A", "Altitude", "200000");
    bl_model_set_sz(m, "Services\\twin\\Instances\\B", "Altitude", "200000.00");
    bl_timeline *t = bl_simulate(m, NULL);
    bl_fs_stack *s = bl_fs_simulate(m, t);
    const bl_fs_filter *second = filter_of(s, "second");
    assert_string_equal(bl_model_service_name(m, s->filters[second->collides_with].service), "first");
    assert_int_equal(filter_of(s, "first")->collides_with, BL_NONE);
    assert_int_equal(filter_of(s, "other")->collides_with, BL_NONE);
    bl_fs_stack_free(s);
    bl_timeline_free(t);

    bl_findings f = {0};
    run_rule(m, "duplicate-altitude", true, &f);
    uint32_t n;
    find_rule(&f, "duplicate-altitude", &n);
    assert_int_equal(n, 3);
    bool pair1 = false, pair2 = false, pair3 = false;
    for (uint32_t i = 0; i < f.n; i++) {
        assert_int_equal(f.v[i].severity, BL_SEV_WARNING);
        /* One finding per altitude, its members in load order. */
        pair1 |= strcmp(f.v[i].subject, "duplicate-altitude:altitude:135000") == 0 && f.v[i].nservices == 2 &&
                 strcmp(f.v[i].services[0], "first") == 0 && strcmp(f.v[i].services[1], "second") == 0;
        pair2 |= strcmp(f.v[i].subject, "duplicate-altitude:altitude:45000.5") == 0 && f.v[i].nservices == 2 &&
                 strcmp(f.v[i].services[0], "bootlow") == 0;
        pair3 |= strcmp(f.v[i].subject, "duplicate-altitude:altitude:200000") == 0 && f.v[i].nservices == 1;
        assert_false(has_service(&f.v[i], "disabled"));
    }
    assert_true(pair1);
    assert_true(pair2);
    assert_true(pair3);
    bl_findings_free(&f);
    bl_model_free(m);
}

static void test_out_of_group_range(void **state)
{
    (void)state;
    bl_model *m = base_model();
    /* Like Windows' Wof: FSFilter Compression, altitude in FSFilter Bottom. */
    minifilter(m, "wofish", 0, "FSFilter Compression", -1, "40700");
    minifilter(m, "inrange", 0, "FSFilter Compression", -1, "160000");
    minifilter(m, "nogroup", 1, "", -1, "46000");
    bl_findings f = {0};
    run_rule(m, "altitude-out-of-group-range", true, &f);
    uint32_t n;
    const bl_finding *x = find_rule(&f, "altitude-out-of-group-range", &n);
    assert_int_equal(n, 1);
    assert_int_equal(x->severity, BL_SEV_INFO);
    assert_string_equal(x->services[0], "wofish");
    assert_non_null(strstr(x->message, "\"FSFilter Bottom\" (40000-49999)"));
    bl_findings_free(&f);

    /* A legacy filter between the group (160000-169999) and the altitude
     * (40700): the two disagree about its side of that filter. */
    fs_driver(m, "enc", 0, "FSFilter Encryption", -1);
    memset(&f, 0, sizeof f);
    run_rule(m, "altitude-out-of-group-range", false, &f);
    x = find_rule(&f, "altitude-out-of-group-range", &n);
    assert_int_equal(n, 1);
    assert_int_equal(x->severity, BL_SEV_WARNING);
    assert_true(has_service(x, "enc"));
    assert_int_equal(x->nfixes, 1);
    assert_string_equal(
        x->fixes[0].summary,
        "Move wofish to the load-order group \"FSFilter Bottom\", the group its altitude belongs to");
    bl_findings_free(&f);
    bl_model_free(m);
}

static void test_simulation_is_deterministic(void **state)
{
    (void)state;
    bl_model *m = article_model(true);
    char a[1024], b[1024];
    simulate_string(m, a, sizeof a);
    bl_model *c = bl_model_clone(m);
    simulate_string(c, b, sizeof b);
    assert_string_equal(a, b);
    bl_model_free(c);
    bl_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_altitude_syntax),
        cmocka_unit_test(test_altitude_compare),
        cmocka_unit_test(test_altitude_arithmetic),
        cmocka_unit_test(test_builtin_table),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_article_stack),
        cmocka_unit_test(test_article_nullfilter_stack),
        cmocka_unit_test(test_frame_extends_to_legacy_filter),
        cmocka_unit_test(test_frame_grows_without_legacy_filter),
        cmocka_unit_test(test_new_frame_above_legacy_filter),
        cmocka_unit_test(test_fractional_altitudes),
        cmocka_unit_test(test_minifilter_before_fltmgr),
        cmocka_unit_test(test_missing_and_malformed_altitudes),
        cmocka_unit_test(test_default_instance_choice),
        cmocka_unit_test(test_not_loaded_at_boot),
        cmocka_unit_test(test_which_services_are_filters),
        cmocka_unit_test(test_unknown_legacy_altitude_still_forces_new_frame),
        cmocka_unit_test(test_inversion_rule_and_nullfilter_fix),
        cmocka_unit_test(test_inversion_when_minifilter_registers_first),
        cmocka_unit_test(test_duplicate_altitude),
        cmocka_unit_test(test_out_of_group_range),
        cmocka_unit_test(test_simulation_is_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

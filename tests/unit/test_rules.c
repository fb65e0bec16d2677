/* test_rules.c — findings.  For every rule of the catalogue (bl_rule_catalogue)
 * except the file-system minifilter/altitude ones (tested with fltmgr), a
 * model built in code where the rule fires — with its severity, services,
 * devices and subject checked — and close variants where it must not fire
 * or must fire with another severity.  Each case runs that rule alone
 * (only_rule), so removing a rule from the catalogue or changing its
 * severity logic fails here; a guard test fails when the catalogue gains a
 * rule this file does not cover.  Also: the fix search (a kept fix carries
 * its verification, and applying its changes to a clone really removes the
 * finding; a candidate that creates a new problem is dropped), the knowledge
 * file parser (every relation, comments, FILE:LINE errors) and the .reg
 * rendering of changes. */
#include "bootlens/hive.h"
#include "bootlens/model.h"
#include "bootlens/rules.h"
#include "bootlens/sim.h"

#include "../../src/rules/internal.h"

#include "testutil.h"

#include <fcntl.h>

/* ---- helpers ---- */

#define SYS BL_GUID_SYSTEM
#define DISK BL_GUID_DISKDRIVE

static bl_knowledge *know(const char *text)
{
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    if (text && bl_knowledge_add_text(k, "test.txt", text, &err) != 0)
        fail_msg("%s", err.msg);
    return k;
}

typedef struct run_opts {
    const char *only;
    const bl_knowledge *k;
    const bl_hive_info *hive;
    bool fixes;
} run_opts;

/* Simulates m and runs rule `only` (NULL: all), without the fix search
 * unless asked. */
static void run(const bl_model *m, const run_opts *o, bl_findings *out)
{
    memset(out, 0, sizeof *out);
    bl_timeline *t = bl_simulate(m, NULL);
    bl_rules_options ro = {0};
    ro.knowledge = o->k;
    ro.hive = o->hive;
    ro.no_fixes = !o->fixes;
    ro.only_rule = o->only;
    bl_rules_run(m, t, &ro, out);
    bl_timeline_free(t);
}

static void dump(const bl_findings *f)
{
    for (uint32_t i = 0; i < f->n; i++)
        fprintf(stderr, "  %s %s [%s] %s\n", bl_severity_name(f->v[i].severity), f->v[i].rule, f->v[i].subject,
                f->v[i].message);
}

/* The finding "rule:subject", or NULL. */
static const bl_finding *find(const bl_findings *f, const char *rule, const char *subject)
{
    char want[512];
    snprintf(want, sizeof want, "%s:%s", rule, subject);
    for (uint32_t i = 0; i < f->n; i++)
        if (strcmp(f->v[i].rule, rule) == 0 && strcmp(f->v[i].subject, want) == 0)
            return &f->v[i];
    return NULL;
}

static uint32_t count_rule(const bl_findings *f, const char *rule)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->n; i++)
        n += strcmp(f->v[i].rule, rule) == 0;
    return n;
}

static bool has(char **v, uint32_t n, const char *s)
{
    for (uint32_t i = 0; i < n; i++)
        if (bl_fold_eq(v[i], s))
            return true;
    return false;
}

static bool evidence_has(const bl_finding *f, const char *path_part, const char *value_part)
{
    for (uint32_t i = 0; i < f->nevidence; i++)
        if (strstr(f->evidence[i].path, path_part) &&
            (!value_part || (f->evidence[i].value && strstr(f->evidence[i].value, value_part))))
            return true;
    return false;
}

/* Runs rule `rule` on m and returns its finding with `subject` after
 * checking the severity; fails listing what was found otherwise.  The
 * caller frees *out. */
static const bl_finding *expect(const bl_model *m, const run_opts *o, const char *rule, const char *subject,
                                bl_severity sev, bl_findings *out)
{
    run_opts ro = *o;
    ro.only = rule;
    run(m, &ro, out);
    const bl_finding *f = find(out, rule, subject);
    if (!f) {
        dump(out);
        fail_msg("%s did not report %s", rule, subject);
    }
    if (f->severity != sev) {
        dump(out);
        fail_msg("%s %s: severity %s, expected %s", rule, subject, bl_severity_name(f->severity),
                 bl_severity_name(sev));
    }
    assert_non_null(f->message);
    assert_true(strlen(f->message) > 10);
    assert_null(strchr(f->message, '\n')); /* one line */
    return f;
}

/* Runs rule `rule` and checks it reports nothing. */
static void expect_none(const bl_model *m, const run_opts *o, const char *rule)
{
    run_opts ro = *o;
    ro.only = rule;
    bl_findings out;
    run(m, &ro, &out);
    if (count_rule(&out, rule)) {
        dump(&out);
        fail_msg("%s fired where it must not", rule);
    }
    bl_findings_free(&out);
}

static const run_opts plain = {NULL, NULL, NULL, false};

/* ---- fixes: kept only when re-simulation confirms them ---- */

/* Applies each fix of f to a clone of m and re-runs everything: the finding
 * must be gone (or lower), and nothing new at warning level or above. */
static void check_fix_really_fixes(const bl_model *m, const bl_findings *all, const bl_finding *f,
                                   const bl_knowledge *k)
{
    for (uint32_t x = 0; x < f->nfixes; x++) {
        const bl_fix *fix = &f->fixes[x];
        assert_non_null(fix->summary);
        if (!fix->verification)
            fail_msg("%s: fix \"%s\" kept without a verification", f->subject, fix->summary);
        assert_true(fix->nchanges > 0);
        bl_model *c = bl_model_clone(m);
        for (uint32_t i = 0; i < fix->nchanges; i++)
            bl_change_apply(c, &fix->changes[i]);
        bl_findings after;
        run_opts o = {NULL, k, NULL, false};
        run(c, &o, &after);
        const bl_finding *same = NULL;
        for (uint32_t i = 0; i < after.n; i++)
            if (strcmp(after.v[i].subject, f->subject) == 0)
                same = &after.v[i];
        if (same && same->severity >= f->severity) {
            dump(&after);
            fail_msg("fix \"%s\" does not clear %s", fix->summary, f->subject);
        }
        for (uint32_t i = 0; i < after.n; i++) {
            const bl_finding *a = &after.v[i];
            if (a == same || a->severity < BL_SEV_WARNING)
                continue;
            bool was = false;
            for (uint32_t j = 0; j < all->n && !was; j++)
                was = strcmp(all->v[j].subject, a->subject) == 0 && all->v[j].severity >= a->severity;
            if (!was)
                fail_msg("fix \"%s\" creates %s %s", fix->summary, bl_severity_name(a->severity), a->subject);
        }
        bl_findings_free(&after);
        bl_model_free(c);
    }
}

/* ---- the seed case: a late class filter and a driver that needs the device ---- */

static const char *const seed_groups[] = {"Boot Bus Extender", "System Bus Extender", "FSFilter Anti-Virus", "Filter",
                                          "Extended Base"};

/* vmci (System Bus Extender) drives a System-class device; lateflt, an
 * upper filter of the System class, initializes in "Filter"; vsepflt
 * (FSFilter Anti-Virus) initializes in between. */
static bl_model *seed_model(void)
{
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, seed_groups, BL_ARRAY_LEN(seed_groups));
    tm_driver(m, "vmci", 0, "System Bus Extender", -1);
    tm_driver(m, "vsock", 0, "System Bus Extender", -1);
    tm_driver(m, "vsepflt", 0, "FSFilter Anti-Virus", -1);
    tm_driver(m, "lateflt", 0, "Filter", -1);
    bl_model_set_sz(m, "Control\\Class\\" SYS, "Class", "System");
    const char *const up[] = {"lateflt"};
    bl_model_set_multi(m, "Control\\Class\\" SYS, "UpperFilters", up, 1);
    tm_device(m, "ROOT\\VMWVMCIHOSTDEV\\0000", SYS, "vmci");
    bl_model_build_tree(m);
    return m;
}

#define SEED_SUBJECT "lateflt:class:" SYS
#define SEED_KNOWLEDGE "vsepflt calls vsock\nvsock needs-device vmci\n"

static void test_filter_delays_device_error(void **state)
{
    (void)state;
    bl_model *m = seed_model();
    bl_knowledge *k = know(SEED_KNOWLEDGE);
    run_opts o = {NULL, k, NULL, false};
    bl_findings out;
    const bl_finding *f = expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_ERROR, &out);
    /* The filter first, then the held-back device's driver and the chain. */
    assert_string_equal(f->services[0], "lateflt");
    assert_true(has(f->services, f->nservices, "vmci"));
    assert_true(has(f->services, f->nservices, "vsepflt"));
    assert_true(has(f->services, f->nservices, "vsock"));
    assert_int_equal(f->ndevices, 1);
    assert_string_equal(f->devices[0], "ROOT\\VMWVMCIHOSTDEV\\0000");
    assert_non_null(strstr(f->message, "lateflt"));
    assert_non_null(strstr(f->message, "vsepflt"));
    assert_non_null(f->detail);
    assert_non_null(strstr(f->detail, "test.txt:")); /* the knowledge line that says so */
    assert_true(evidence_has(f, "Control\\Class\\" SYS, "UpperFilters"));
    assert_true(evidence_has(f, "Services\\lateflt", "Group"));
    assert_true(evidence_has(f, "Enum\\ROOT\\VMWVMCIHOSTDEV\\0000", NULL));
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
}

/* BUG (src/rules/rules.c bl_rules_run, src/rules/filters.c propose_fix):
 * with no_fixes (--no-fixes, and `explain`), the candidate fixes the rules
 * proposed stay attached to the findings unverified (verification NULL),
 * and the reports render them ("Fix 1: ..." in text, "verified": false in
 * JSON).  DESIGN.md: every fix shown is one bootlens re-simulated and
 * confirmed; without the search there should be none. */
static void test_no_fix_search_leaves_no_unverified_fixes(void **state)
{
    (void)state;
    bl_model *m = seed_model();
    bl_knowledge *k = know(SEED_KNOWLEDGE);
    run_opts o = {NULL, k, NULL, false};
    bl_findings out;
    run(m, &o, &out);
    char bad[512] = "";
    for (uint32_t i = 0; i < out.n && !bad[0]; i++)
        for (uint32_t x = 0; x < out.v[i].nfixes && !bad[0]; x++)
            if (!out.v[i].fixes[x].verification)
                snprintf(bad, sizeof bad, "%s carries the unverified fix \"%s\"", out.v[i].subject,
                         out.v[i].fixes[x].summary);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
    if (bad[0])
        fail_msg("%s", bad); /* after freeing: a failure leaks nothing */
}

static void test_filter_delays_device_declared_dependency(void **state)
{
    (void)state;
    /* No knowledge, but vsepflt declares DependOnService vmci, which drives
     * a device: the same break. */
    bl_model *m = seed_model();
    const char *const dep[] = {"vmci"};
    bl_model_set_multi(m, "Services\\vsepflt", "DependOnService", dep, 1);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "filter-delays-device", SEED_SUBJECT, BL_SEV_ERROR, &out);
    assert_true(has(f->services, f->nservices, "vsepflt"));
    bl_findings_free(&out);
    bl_model_free(m);
}

static void test_filter_delays_device_init_needs_device(void **state)
{
    (void)state;
    /* init-needs-device, and needs-device reached through two calls. */
    bl_model *m = seed_model();
    bl_knowledge *k = know("vsepflt init-needs-device vmci\n");
    run_opts o = {NULL, k, NULL, false};
    bl_findings out;
    expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_ERROR, &out);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    k = know("vsepflt calls middle\nmiddle calls vsock\nvsock needs-device VMCI\n");
    o.k = k;
    tm_driver(m, "middle", 3, "", -1);
    const bl_finding *f = expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_ERROR, &out);
    assert_true(has(f->services, f->nservices, "middle"));
    assert_true(has(f->services, f->nservices, "vsock"));
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
}

static void test_filter_delays_device_warning_and_info(void **state)
{
    (void)state;
    bl_model *m = seed_model();
    /* Nothing known to need the device earlier: it still starts in the boot
     * phase, so the deferral is no problem to act on: info. */
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "filter-delays-device", SEED_SUBJECT, BL_SEV_INFO, &out);
    assert_string_equal(f->services[0], "lateflt");
    assert_true(has(f->devices, f->ndevices, "ROOT\\VMWVMCIHOSTDEV\\0000"));
    assert_false(has(f->services, f->nservices, "vsepflt"));
    bl_findings_free(&out);
    /* Knowledge about unrelated drivers changes nothing. */
    bl_knowledge *k = know("other calls vsock\nvsock needs-device vmci\n");
    run_opts o = {NULL, k, NULL, false};
    expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_INFO, &out);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    /* An inbox filter: by design, info. */
    k = know("lateflt inbox\n");
    o.k = k;
    expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_INFO, &out);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    /* An inbox filter that breaks a dependent is still an error. */
    k = know("LATEFLT inbox\n" SEED_KNOWLEDGE);
    o.k = k;
    expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_ERROR, &out);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
}

static void test_filter_delays_device_not_fired(void **state)
{
    (void)state;
    bl_knowledge *k = know(SEED_KNOWLEDGE);
    run_opts o = {NULL, k, NULL, false};
    /* The filter loads before the function driver: nothing is held back. */
    bl_model *m = seed_model();
    bl_model_set_sz(m, "Services\\lateflt", "Group", "Boot Bus Extender");
    expect_none(m, &o, "filter-delays-device");
    bl_model_free(m);
    /* The dependent initializes after the filter: only the deferral (info). */
    m = seed_model();
    bl_model_set_sz(m, "Services\\vsepflt", "Group", "Extended Base");
    bl_findings out;
    expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_INFO, &out);
    bl_findings_free(&out);
    bl_model_free(m);
    /* The filter in the dependent's own group, after it (Vista and later):
     * PnP pulls it forward once the groups before are done, so the device
     * starts before vsepflt: only a deferral, no error. */
    m = seed_model();
    bl_model_set_sz(m, "Services\\lateflt", "Group", "FSFilter Anti-Virus");
    bl_model_set_dword(m, "Services\\vsepflt", "Tag", 1);
    const uint32_t av_tags[] = {1};
    tm_tags(m, "FSFilter Anti-Virus", av_tags, 1);
    expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_INFO, &out);
    bl_findings_free(&out);
    bl_model_free(m);
    /* The seed itself read as Windows XP: PipLoadBootFilterDriver pulls the
     * filter at once, whatever its group: no hold at all. */
    m = seed_model();
    bl_model_set_windows(m, BL_WIN_NT5);
    expect_none(m, &o, "filter-delays-device");
    bl_model_free(m);
    /* No filter at all. */
    m = seed_model();
    bl_model_apply_delete(m, "Control\\Class\\" SYS, "UpperFilters");
    expect_none(m, &o, "filter-delays-device");
    bl_model_free(m);
    /* A device of another class is not held back by a System filter. */
    m = seed_model();
    bl_model_set_sz(m, "Enum\\ROOT\\VMWVMCIHOSTDEV\\0000", "ClassGUID", BL_GUID_CDROM);
    expect_none(m, &o, "filter-delays-device");
    bl_model_free(m);
    bl_knowledge_free(k);
}

static void test_filter_delays_device_device_filter(void **state)
{
    (void)state;
    /* The same late filter as the device's own UpperFilters. */
    bl_model *m = seed_model();
    bl_model_apply_delete(m, "Control\\Class\\" SYS, "UpperFilters");
    const char *const up[] = {"lateflt"};
    bl_model_set_multi(m, "Enum\\ROOT\\VMWVMCIHOSTDEV\\0000", "UpperFilters", up, 1);
    bl_knowledge *k = know(SEED_KNOWLEDGE);
    run_opts o = {NULL, k, NULL, false};
    bl_findings out;
    const bl_finding *f = expect(m, &o, "filter-delays-device", "lateflt:device:" SYS, BL_SEV_ERROR, &out);
    assert_true(evidence_has(f, "Enum\\ROOT\\VMWVMCIHOSTDEV\\0000", "UpperFilters"));
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
}

static void test_filter_delays_device_fixes(void **state)
{
    (void)state;
    bl_model *m = seed_model();
    bl_knowledge *k = know(SEED_KNOWLEDGE);
    run_opts o = {NULL, k, NULL, true};
    bl_findings out;
    const bl_finding *f = expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_ERROR, &out);
    assert_true(f->nfixes >= 2);
    bool move = false, remove = false;
    for (uint32_t i = 0; i < f->nfixes; i++) {
        move |= strstr(f->fixes[i].summary, "Boot Bus Extender") != NULL;
        remove |= strstr(f->fixes[i].summary, "Remove \"lateflt\"") != NULL;
    }
    assert_true(move);
    assert_true(remove);
    check_fix_really_fixes(m, &out, f, k);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
}

/* A candidate that does not clear its finding is dropped: on Windows 8+
 * ACPI is in the TPM core list, initialized before every group, and PnP
 * cannot pull a filter before IopGroupTable exists: moving the filter to an
 * earlier group still leaves ACPI's device waiting for the first table
 * turn, where the early miniport needs it; only the removal helps. */
static void test_fix_that_does_not_clear_is_dropped(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender", "System Bus Extender", "SCSI miniport", "Filter"};
    tm_groups(m, g, 4);
    tm_driver(m, "ACPI", 0, "System Bus Extender", -1);
    tm_driver(m, "acpidep", 0, "Boot Bus Extender", 1); /* first of its group; needs ACPI's device at init */
    const uint32_t bbe_tags[] = {1};
    tm_tags(m, "Boot Bus Extender", bbe_tags, 1);
    tm_driver(m, "miniport", 0, "SCSI miniport", -1);
    tm_driver(m, "lateflt", 0, "Filter", -1);
    const char *const up[] = {"lateflt"};
    bl_model_set_multi(m, "Control\\Class\\" SYS, "UpperFilters", up, 1);
    tm_device(m, "ACPI_HAL\\PNP0C08\\0", SYS, "ACPI");
    bl_model_set_windows(m, BL_WIN_10);
    bl_knowledge *k = know("acpidep init-needs-device ACPI\n");
    run_opts o = {NULL, k, NULL, true};
    bl_findings out;
    const bl_finding *f = expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_ERROR, &out);
    for (uint32_t i = 0; i < f->nfixes; i++)
        if (!strstr(f->fixes[i].summary, "Remove \"lateflt\""))
            fail_msg("kept \"%s\", which does not clear the error", f->fixes[i].summary);
    assert_int_equal(f->nfixes, 1);
    check_fix_really_fixes(m, &out, f, k);
    bl_findings_free(&out);
    /* Read as Windows 7 (no core list, ACPI initializes at its own turn in
     * "System Bus Extender"), with acpidep after it: moving the filter into
     * ACPI's group or an earlier one now works too. */
    bl_model_set_windows(m, BL_WIN_NT6);
    bl_model_set_sz(m, "Services\\acpidep", "Group", "SCSI miniport");
    f = expect(m, &o, "filter-delays-device", SEED_SUBJECT, BL_SEV_ERROR, &out);
    assert_true(f->nfixes >= 2);
    check_fix_really_fixes(m, &out, f, k);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
}

/* ---- missing-filter-service, disabled-filter ---- */

/* A boot disk: a storage-class device driven by a boot-start driver. */
static bl_model *disk_model(void)
{
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender", "SCSI miniport", "Filter"};
    tm_groups(m, g, 3);
    tm_driver(m, "stor", 0, "SCSI miniport", -1);
    tm_driver(m, "disk", 0, "", -1);
    bl_model_set_sz(m, "Control\\Class\\" DISK, "Class", "DiskDrive");
    bl_model_set_sz(m, "Control\\Class\\" SYS, "Class", "System");
    tm_device(m, "PCI\\VEN_1000&DEV_0054\\3&1&0&A8", BL_GUID_SCSIADAPTER, "stor");
    bl_model_set_sz(m, "Enum\\PCI\\VEN_1000&DEV_0054\\3&1&0&A8", "ParentIdPrefix", "4&2&0");
    tm_device(m, "SCSI\\Disk&Ven_X\\4&2&0&000000", DISK, "disk");
    tm_device(m, "ROOT\\THING\\0000", SYS, "stor");
    bl_model_build_tree(m);
    return m;
}

static void test_missing_filter_service(void **state)
{
    (void)state;
    const char *const ghost[] = {"ghost"};
    /* A class filter with no service, devices of the class: error. */
    bl_model *m = disk_model();
    bl_model_set_multi(m, "Control\\Class\\" DISK, "UpperFilters", ghost, 1);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "missing-filter-service", "ghost:" DISK, BL_SEV_ERROR, &out);
    assert_string_equal(f->services[0], "ghost");
    assert_true(has(f->devices, f->ndevices, "SCSI\\Disk&Ven_X\\4&2&0&000000"));
    assert_false(has(f->devices, f->ndevices, "ROOT\\THING\\0000"));
    assert_non_null(strstr(f->detail, "INACCESSIBLE_BOOT_DEVICE"));
    assert_true(evidence_has(f, "Control\\Class\\" DISK, "ghost"));
    bl_findings_free(&out);
    /* With the fix search: removing it from the list is verified. */
    run_opts o = {NULL, NULL, NULL, true};
    f = expect(m, &o, "missing-filter-service", "ghost:" DISK, BL_SEV_ERROR, &out);
    assert_int_equal(f->nfixes, 1);
    assert_non_null(strstr(f->fixes[0].summary, "Remove \"ghost\""));
    check_fix_really_fixes(m, &out, f, NULL);
    bl_findings_free(&out);
    bl_model_free(m);
    /* The same filter on a class with no device: harmless until one
     * appears (Infrared -> IRENUM on every Windows 10): info. */
    m = disk_model();
    bl_model_set_multi(m, "Control\\Class\\" BL_GUID_CDROM, "LowerFilters", ghost, 1);
    f = expect(m, &plain, "missing-filter-service", "ghost:" BL_GUID_CDROM, BL_SEV_INFO, &out);
    assert_int_equal(f->ndevices, 0);
    bl_findings_free(&out);
    bl_model_free(m);
    /* A device filter on the boot disk: error; on another device: warning;
     * on a disabled device: info. */
    m = disk_model();
    bl_model_set_multi(m, "Enum\\SCSI\\Disk&Ven_X\\4&2&0&000000", "LowerFilters", ghost, 1);
    bl_model_set_multi(m, "Enum\\ROOT\\THING\\0000", "UpperFilters", ghost, 1);
    f = expect(m, &plain, "missing-filter-service", "ghost:SCSI\\Disk&Ven_X\\4&2&0&000000", BL_SEV_ERROR, &out);
    assert_true(has(f->devices, f->ndevices, "SCSI\\Disk&Ven_X\\4&2&0&000000"));
    f = find(&out, "missing-filter-service", "ghost:ROOT\\THING\\0000");
    assert_non_null(f);
    assert_int_equal(f->severity, BL_SEV_WARNING);
    bl_findings_free(&out);
    bl_model_set_dword(m, "Enum\\ROOT\\THING\\0000", "ConfigFlags", 1);
    expect(m, &plain, "missing-filter-service", "ghost:ROOT\\THING\\0000", BL_SEV_INFO, &out);
    bl_findings_free(&out);
    /* Once the service exists, nothing. */
    tm_driver(m, "ghost", 0, "Filter", -1);
    expect_none(m, &plain, "missing-filter-service");
    bl_model_free(m);
}

static void test_disabled_filter(void **state)
{
    (void)state;
    const char *const off[] = {"offflt"};
    bl_model *m = disk_model();
    tm_driver(m, "offflt", 4, "Filter", -1);
    bl_model_set_multi(m, "Control\\Class\\" SYS, "UpperFilters", off, 1);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "disabled-filter", "offflt:" SYS, BL_SEV_ERROR, &out);
    assert_string_equal(f->services[0], "offflt");
    assert_true(has(f->devices, f->ndevices, "ROOT\\THING\\0000"));
    assert_true(evidence_has(f, "Services\\offflt", "Start = 4"));
    bl_findings_free(&out);
    /* Two candidates: remove it, or re-enable it as demand start.  The
     * device's function driver is boot start, so re-enabling it as demand
     * would keep the device out of the boot phase (a new finding): only
     * the removal survives. */
    run_opts o = {NULL, NULL, NULL, true};
    f = expect(m, &o, "disabled-filter", "offflt:" SYS, BL_SEV_ERROR, &out);
    assert_int_equal(f->nfixes, 1);
    assert_non_null(strstr(f->fixes[0].summary, "Remove \"offflt\""));
    check_fix_really_fixes(m, &out, f, NULL);
    bl_findings_free(&out);
    /* With a demand-start function driver, re-enabling is fine too. */
    bl_model_set_dword(m, "Services\\stor", "Start", 3);
    f = expect(m, &o, "disabled-filter", "offflt:" SYS, BL_SEV_ERROR, &out);
    assert_int_equal(f->nfixes, 2);
    bool reenable = false;
    for (uint32_t i = 0; i < f->nfixes; i++)
        reenable |= strstr(f->fixes[i].summary, "re-enable") != NULL;
    assert_true(reenable);
    check_fix_really_fixes(m, &out, f, NULL);
    bl_findings_free(&out);
    bl_model_free(m);
    /* A class without devices: info; a device filter off the boot path:
     * warning; on the boot disk: error. */
    m = disk_model();
    tm_driver(m, "offflt", 4, "Filter", -1);
    bl_model_set_multi(m, "Control\\Class\\" BL_GUID_CDROM, "UpperFilters", off, 1);
    bl_model_set_multi(m, "Enum\\ROOT\\THING\\0000", "LowerFilters", off, 1);
    bl_model_set_multi(m, "Enum\\SCSI\\Disk&Ven_X\\4&2&0&000000", "UpperFilters", off, 1);
    expect(m, &plain, "disabled-filter", "offflt:" BL_GUID_CDROM, BL_SEV_INFO, &out);
    f = find(&out, "disabled-filter", "offflt:ROOT\\THING\\0000");
    assert_non_null(f);
    assert_int_equal(f->severity, BL_SEV_WARNING);
    f = find(&out, "disabled-filter", "offflt:SCSI\\Disk&Ven_X\\4&2&0&000000");
    assert_non_null(f);
    assert_int_equal(f->severity, BL_SEV_ERROR);
    bl_findings_free(&out);
    /* Demand start is not disabled. */
    bl_model_set_dword(m, "Services\\offflt", "Start", 3);
    expect_none(m, &plain, "disabled-filter");
    bl_model_free(m);
}

/* ---- nonboot-filter-on-boot-class ---- */

static void test_nonboot_filter_on_boot_class(void **state)
{
    (void)state;
    const char *const f1[] = {"demandflt"};
    /* On the disk path: error. */
    bl_model *m = disk_model();
    tm_driver(m, "demandflt", 3, "Filter", -1);
    bl_model_set_multi(m, "Control\\Class\\" DISK, "LowerFilters", f1, 1);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "nonboot-filter-on-boot-class", "demandflt:" DISK, BL_SEV_ERROR, &out);
    assert_string_equal(f->services[0], "demandflt");
    assert_true(has(f->devices, f->ndevices, "SCSI\\Disk&Ven_X\\4&2&0&000000"));
    assert_non_null(strstr(f->message, "INACCESSIBLE_BOOT_DEVICE"));
    assert_true(evidence_has(f, "Services\\demandflt", "Start = 3"));
    bl_findings_free(&out);
    /* The fix search makes it boot start in an early group, or removes it. */
    run_opts o = {NULL, NULL, NULL, true};
    f = expect(m, &o, "nonboot-filter-on-boot-class", "demandflt:" DISK, BL_SEV_ERROR, &out);
    assert_true(f->nfixes >= 1);
    check_fix_really_fixes(m, &out, f, NULL);
    bl_findings_free(&out);
    bl_model_free(m);
    /* Off the disk path (a System device): warning. */
    m = disk_model();
    tm_driver(m, "demandflt", 3, "Filter", -1);
    bl_model_set_multi(m, "Control\\Class\\" SYS, "UpperFilters", f1, 1);
    f = expect(m, &plain, "nonboot-filter-on-boot-class", "demandflt:" SYS, BL_SEV_WARNING, &out);
    assert_true(has(f->devices, f->ndevices, "ROOT\\THING\\0000"));
    assert_false(has(f->devices, f->ndevices, "SCSI\\Disk&Ven_X\\4&2&0&000000"));
    bl_findings_free(&out);
    /* A Windows inbox filter: info. */
    bl_knowledge *k = know("demandflt inbox\n");
    run_opts ok = {NULL, k, NULL, false};
    expect(m, &ok, "nonboot-filter-on-boot-class", "demandflt:" SYS, BL_SEV_INFO, &out);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    /* Boot start: the device starts in the boot phase, nothing to say. */
    bl_model_set_dword(m, "Services\\demandflt", "Start", 0);
    expect_none(m, &plain, "nonboot-filter-on-boot-class");
    /* Demand-start function driver: the device was never a boot device. */
    bl_model_set_dword(m, "Services\\demandflt", "Start", 3);
    bl_model_set_dword(m, "Services\\stor", "Start", 3);
    expect_none(m, &plain, "nonboot-filter-on-boot-class");
    bl_model_free(m);
    /* Off the disk path, but a boot driver needs the device in the boot
     * phase (knowledge): error, naming the driver that fails. */
    m = seed_model();
    tm_driver(m, "demandflt", 3, "Filter", -1);
    bl_model_set_multi(m, "Control\\Class\\" SYS, "UpperFilters", f1, 1); /* in place of lateflt */
    k = know(SEED_KNOWLEDGE);
    run_opts seedk = {NULL, k, NULL, false};
    expect(m, &plain, "nonboot-filter-on-boot-class", "demandflt:" SYS, BL_SEV_WARNING, &out);
    bl_findings_free(&out);
    f = expect(m, &seedk, "nonboot-filter-on-boot-class", "demandflt:" SYS, BL_SEV_ERROR, &out);
    assert_non_null(strstr(f->message, "vsepflt initializes in the boot phase, needs vmci's device"));
    assert_true(has(f->services, f->nservices, "vsepflt"));
    assert_true(has(f->services, f->nservices, "vsock"));
    assert_non_null(strstr(f->detail, "Breaks: vsepflt"));
    bl_findings_free(&out);
    run_opts seedkf = {NULL, k, NULL, true};
    f = expect(m, &seedkf, "nonboot-filter-on-boot-class", "demandflt:" SYS, BL_SEV_ERROR, &out);
    assert_true(f->nfixes >= 1);
    check_fix_really_fixes(m, &out, f, k);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
}

/* ---- groups and tags ---- */

static void test_group_not_in_service_group_order(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender", "FSFilter Anti-Virus", "Filter"};
    tm_groups(m, g, 3);
    tm_driver(m, "listed", 0, "Filter", -1);
    tm_driver(m, "odd1", 0, "PnP Filter", -1);
    tm_driver(m, "odd2", 1, "pnp filter", -1);
    tm_driver(m, "typo", 0, "FSFilter AntiVirus", -1);
    tm_driver(m, "demand", 3, "Nowhere", -1);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "group-not-in-service-group-order", "pnp filter", BL_SEV_INFO, &out);
    assert_true(has(f->services, f->nservices, "odd1"));
    assert_true(has(f->services, f->nservices, "odd2")); /* same group, other case, system start */
    assert_true(evidence_has(f, "Control\\ServiceGroupOrder", "PnP Filter"));
    /* A near miss of a listed group: a warning that names it. */
    f = find(&out, "group-not-in-service-group-order", "fsfilter antivirus");
    assert_non_null(f);
    assert_int_equal(f->severity, BL_SEV_WARNING);
    assert_non_null(strstr(f->message, "\"FSFilter Anti-Virus\""));
    /* Listed groups and drivers not loaded by group are not reported. */
    assert_null(find(&out, "group-not-in-service-group-order", "filter"));
    assert_null(find(&out, "group-not-in-service-group-order", "nowhere"));
    assert_int_equal(count_rule(&out, "group-not-in-service-group-order"), 2);
    bl_findings_free(&out);
    /* Windows 8+: winload's own groups are not expected in the list. */
    tm_driver(m, "elam", 0, "Early-Launch", -1);
    tm_driver(m, "cng", 0, "Core", -1);
    m->modern_loader = true;
    run_opts o = {"group-not-in-service-group-order", NULL, NULL, false};
    run(m, &o, &out);
    assert_null(find(&out, "group-not-in-service-group-order", "early-launch"));
    assert_null(find(&out, "group-not-in-service-group-order", "core"));
    bl_findings_free(&out);
    m->modern_loader = false;
    run(m, &o, &out);
    assert_non_null(find(&out, "group-not-in-service-group-order", "early-launch"));
    bl_findings_free(&out);
    bl_model_free(m);
    /* No ServiceGroupOrder at all: an anomaly, not one finding per group. */
    m = bl_model_new(NULL);
    tm_driver(m, "a", 0, "Anything", -1);
    expect_none(m, &plain, "group-not-in-service-group-order");
    bl_model_free(m);
}

static void test_tag_not_in_group_order_list(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender", "Base"};
    tm_groups(m, g, 2);
    const uint32_t tags[] = {2, 1};
    tm_tags(m, "Boot Bus Extender", tags, 2);
    tm_driver(m, "good", 0, "Boot Bus Extender", 1);
    tm_driver(m, "stray", 0, "Boot Bus Extender", 9);
    tm_driver(m, "notag", 0, "Boot Bus Extender", -1);
    tm_driver(m, "nolist", 0, "Base", 5); /* no GroupOrderList for Base */
    tm_driver(m, "sys", 1, "boot bus extender", 7);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "tag-not-in-group-order-list", "stray", BL_SEV_INFO, &out);
    assert_string_equal(f->services[0], "stray");
    assert_true(evidence_has(f, "Services\\stray", "Tag = 9"));
    assert_true(evidence_has(f, "Control\\GroupOrderList", "tag 9"));
    assert_non_null(find(&out, "tag-not-in-group-order-list", "sys"));
    assert_null(find(&out, "tag-not-in-group-order-list", "good"));
    assert_null(find(&out, "tag-not-in-group-order-list", "notag"));
    assert_null(find(&out, "tag-not-in-group-order-list", "nolist"));
    assert_int_equal(count_rule(&out, "tag-not-in-group-order-list"), 2);
    bl_findings_free(&out);
    /* Listing the tag clears it. */
    const uint32_t all[] = {2, 1, 9, 7};
    tm_tags(m, "Boot Bus Extender", all, 4);
    expect_none(m, &plain, "tag-not-in-group-order-list");
    bl_model_free(m);
}

static void test_duplicate_tag(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender", "Base"};
    tm_groups(m, g, 2);
    const uint32_t tags[] = {3, 4};
    tm_tags(m, "Boot Bus Extender", tags, 2);
    tm_driver(m, "a1", 0, "Boot Bus Extender", 3);
    tm_driver(m, "a2", 0, "boot bus extender", 3);
    tm_driver(m, "b1", 0, "Base", 5); /* Base has no GroupOrderList */
    tm_driver(m, "b2", 0, "Base", 5);
    tm_driver(m, "c1", 0, "Boot Bus Extender", 4);
    /* A tie nothing depends on: the order falls back to registry order,
     * which the kernel keeps: info. */
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "duplicate-tag", "boot bus extender:3:boot", BL_SEV_INFO, &out);
    assert_int_equal(f->nservices, 2);
    assert_true(has(f->services, 2, "a1") && has(f->services, 2, "a2"));
    assert_true(evidence_has(f, "Services\\a2", "Tag = 3"));
    f = find(&out, "duplicate-tag", "base:5:boot");
    assert_non_null(f);
    assert_int_equal(f->severity, BL_SEV_INFO);
    assert_int_equal(count_rule(&out, "duplicate-tag"), 2);
    bl_findings_free(&out);
    /* A third-party driver that needs its tie-mate but sorts before it in
     * registry order: the tie reorders a boot driver: warning. */
    const char *const dep[] = {"a2"};
    bl_model_set_multi(m, "Services\\a1", "DependOnService", dep, 1);
    f = expect(m, &plain, "duplicate-tag", "boot bus extender:3:boot", BL_SEV_WARNING, &out);
    assert_non_null(strstr(f->detail, "a1 loads first"));
    bl_findings_free(&out);
    /* The same pair when both are Windows' own: info (Windows 10 has
     * intelpep/WindowsTrustedRT, intelide/volmgr... sharing tags). */
    bl_knowledge *k = know("a1 inbox\na2 inbox\n");
    run_opts o = {NULL, k, NULL, false};
    expect(m, &o, "duplicate-tag", "boot bus extender:3:boot", BL_SEV_INFO, &out);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    /* Inbox told by Owners (Windows 10): an INF of Windows' own. */
    const char *const own1[] = {"machine.inf"}, *const own2[] = {"oem3.inf", "volmgr.inf"};
    bl_model_set_multi(m, "Services\\a1", "Owners", own1, 1);
    bl_model_set_multi(m, "Services\\a2", "Owners", own2, 2);
    expect(m, &plain, "duplicate-tag", "boot bus extender:3:boot", BL_SEV_INFO, &out);
    bl_findings_free(&out);
    /* Only oemNN.inf owners: a published vendor INF, not inbox. */
    bl_model_set_multi(m, "Services\\a1", "Owners", own2, 1);
    expect(m, &plain, "duplicate-tag", "boot bus extender:3:boot", BL_SEV_WARNING, &out);
    bl_findings_free(&out);
    bl_model_free(m);
    /* Only within one phase: a boot and a system driver sharing a tag are
     * ordered by phase first. */
    m = bl_model_new(NULL);
    tm_groups(m, g, 2);
    tm_tags(m, "Boot Bus Extender", tags, 2);
    tm_driver(m, "boot", 0, "Boot Bus Extender", 3);
    tm_driver(m, "system", 1, "Boot Bus Extender", 3);
    tm_driver(m, "other", 0, "Base", 3); /* another group */
    expect_none(m, &plain, "duplicate-tag");
    /* Two system drivers do share it. */
    tm_driver(m, "system2", 1, "Boot Bus Extender", 3);
    expect(m, &plain, "duplicate-tag", "boot bus extender:3:system", BL_SEV_INFO, &out);
    bl_findings_free(&out);
    bl_model_free(m);
}

static void test_boot_driver_dependency_ignored(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Early", "Late"};
    tm_groups(m, g, 2);
    tm_driver(m, "early", 0, "Early", -1);
    tm_driver(m, "late", 0, "Late", -1);
    const char *const on_late[] = {"late"}, *const on_early[] = {"early"};
    bl_model_set_multi(m, "Services\\early", "DependOnService", on_late, 1);
    /* The dependency initializes after it: warning. */
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "boot-driver-dependency-ignored", "early", BL_SEV_WARNING, &out);
    assert_string_equal(f->services[0], "early");
    assert_true(has(f->services, f->nservices, "late"));
    assert_true(evidence_has(f, "Services\\early", "DependOnService"));
    assert_null(find(&out, "boot-driver-dependency-ignored", "late"));
    bl_findings_free(&out);
    /* A Windows inbox driver's order is Windows' design: info. */
    bl_knowledge *k = know("early inbox\n");
    run_opts ok = {NULL, k, NULL, false};
    expect(m, &ok, "boot-driver-dependency-ignored", "early", BL_SEV_INFO, &out);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    /* A WDF class extension (UrsChipidea -> urscx01000): the framework binds
     * it when the client initializes: info. */
    k = know("late class-extension\n");
    ok.k = k;
    f = expect(m, &ok, "boot-driver-dependency-ignored", "early", BL_SEV_INFO, &out);
    assert_non_null(strstr(f->message, "WDF class extension"));
    bl_findings_free(&out);
    bl_knowledge_free(k);
    /* Satisfied by group order anyway: info. */
    bl_model_apply_delete(m, "Services\\early", "DependOnService");
    bl_model_set_multi(m, "Services\\late", "DependOnService", on_early, 1);
    expect(m, &plain, "boot-driver-dependency-ignored", "late", BL_SEV_INFO, &out);
    bl_findings_free(&out);
    /* DependOnGroup is not ignored (PipCheckDependencies): a later group
     * passes the kernel's check only because it had no turn yet, which is
     * dependency-starts-later's, not this rule's. */
    bl_model_apply_delete(m, "Services\\late", "DependOnService");
    bl_model_set_multi(m, "Services\\early", "DependOnGroup", g + 1, 1);
    expect_none(m, &plain, "boot-driver-dependency-ignored");
    expect(m, &plain, "dependency-starts-later", "early", BL_SEV_WARNING, &out);
    bl_findings_free(&out);
    bl_model_apply_delete(m, "Services\\early", "DependOnGroup");
    /* A system-start driver with dependencies is another rule's business. */
    tm_driver(m, "sysdrv", 1, "Late", -1);
    bl_model_set_multi(m, "Services\\sysdrv", "DependOnService", on_early, 1);
    expect_none(m, &plain, "boot-driver-dependency-ignored");
    bl_model_free(m);
}

/* A boot filter pulled forward ahead of a group-mate it needs. */
static void test_boot_filter_pulled_early(void **state)
{
    (void)state;
    bl_model *m = disk_model();
    const uint32_t tags[] = {1, 2};
    tm_tags(m, "Filter", tags, 2);
    tm_driver(m, "fltcore", 0, "Filter", 1);
    tm_driver(m, "mydlp", 0, "Filter", 2);
    const char *const dep[] = {"fltcore"}, *const up[] = {"mydlp"};
    bl_model_set_multi(m, "Services\\mydlp", "DependOnService", dep, 1);
    /* A System-class device off the boot path: a warning. */
    bl_model_set_multi(m, "Control\\Class\\" SYS, "UpperFilters", up, 1);
    bl_timeline *t = bl_simulate(m, NULL);
    uint32_t flt = bl_model_find_service(m, "mydlp"), core = bl_model_find_service(m, "fltcore");
    assert_true(t->loads[t->services[flt].load].why & BL_WHY_PULLED);
    assert_true(bl_timeline_position(t, flt) < bl_timeline_position(t, core));
    assert_true(t->services[core].turn < t->services[flt].turn);
    bl_timeline_free(t);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "boot-filter-pulled-early", "mydlp", BL_SEV_WARNING, &out);
    assert_true(has(f->services, f->nservices, "fltcore"));
    assert_true(has(f->devices, f->ndevices, "ROOT\\THING\\0000"));
    /* The same dependency is not reported twice as "ignored". */
    assert_null(find(&out, "boot-driver-dependency-ignored", "mydlp"));
    bl_findings_free(&out);
    /* Through the knowledge file's `calls` instead: the same. */
    bl_model_apply_delete(m, "Services\\mydlp", "DependOnService");
    bl_knowledge *k = know("mydlp calls fltcore\n");
    run_opts o = {NULL, k, NULL, false};
    expect(m, &o, "boot-filter-pulled-early", "mydlp", BL_SEV_WARNING, &out);
    bl_findings_free(&out);
    bl_knowledge_free(k);
    /* On the disk class (the boot disk path): an error. */
    bl_model_set_multi(m, "Services\\mydlp", "DependOnService", dep, 1);
    bl_model_apply_delete(m, "Control\\Class\\" SYS, "UpperFilters");
    bl_model_set_multi(m, "Control\\Class\\" DISK, "LowerFilters", up, 1);
    expect(m, &plain, "boot-filter-pulled-early", "mydlp", BL_SEV_ERROR, &out);
    bl_findings_free(&out);
    /* A need whose turn comes after the filter's own anyway: the pull is
     * not what breaks it (boot-driver-dependency-ignored tells it). */
    bl_model_set_dword(m, "Services\\fltcore", "Tag", 3);
    expect_none(m, &plain, "boot-filter-pulled-early");
    bl_model_free(m);
}

/* DependOnGroup of a boot driver whose group had a turn and nothing of it
 * loaded: the kernel skips the driver (PipCheckDependencies). */
static void test_dependency_group_skipped(void **state)
{
    (void)state;
    bl_model *m = disk_model();
    /* The miniport names its own group, of which it is the first member. */
    const char *const own[] = {"SCSI miniport"};
    bl_model_set_multi(m, "Services\\stor", "DependOnGroup", own, 1);
    bl_timeline *t = bl_simulate(m, NULL);
    uint32_t stor = bl_model_find_service(m, "stor");
    assert_int_not_equal(t->services[stor].skipped_for_group, 0);
    /* It still loads for its device, but only in the PnP phase. */
    assert_int_equal(t->services[stor].phase, BL_PHASE_PNP);
    bl_timeline_free(t);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "dependency-group-skipped", "stor", BL_SEV_ERROR, &out);
    assert_non_null(strstr(f->message, "INACCESSIBLE_BOOT_DEVICE"));
    assert_true(evidence_has(f, "Services\\stor", "DependOnGroup"));
    bl_findings_free(&out);
    /* Its fix, dropping the group dependency, is re-simulated. */
    run_opts o = {NULL, NULL, NULL, true};
    f = expect(m, &o, "dependency-group-skipped", "stor", BL_SEV_ERROR, &out);
    assert_int_equal(f->nfixes, 1);
    check_fix_really_fixes(m, &out, f, NULL);
    bl_findings_free(&out);
    /* A group that loaded a member before it: the check passes. */
    tm_driver(m, "first", 0, "SCSI miniport", -1);
    const uint32_t tags[] = {1, 2};
    tm_tags(m, "SCSI miniport", tags, 2);
    bl_model_set_dword(m, "Services\\first", "Tag", 1);
    bl_model_set_dword(m, "Services\\stor", "Tag", 2);
    expect_none(m, &plain, "dependency-group-skipped");
    bl_model_free(m);
}

static void test_dependency_starts_later(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Early", "Late"};
    tm_groups(m, g, 2);
    tm_driver(m, "sysearly", 1, "Early", -1);
    tm_driver(m, "syslate", 1, "Late", -1);
    tm_driver(m, "bootdrv", 0, "Late", -1);
    tm_driver(m, "demanddrv", 3, "", -1);
    const char *const deps[] = {"syslate"};
    bl_model_set_multi(m, "Services\\sysearly", "DependOnService", deps, 1);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "dependency-starts-later", "sysearly", BL_SEV_WARNING, &out);
    assert_string_equal(f->services[0], "sysearly");
    assert_true(has(f->services, f->nservices, "syslate"));
    assert_non_null(strstr(f->message, "syslate"));
    bl_findings_free(&out);
    /* A demand-start dependency never loads during boot: warning. */
    const char *const dem[] = {"demanddrv"};
    bl_model_set_multi(m, "Services\\sysearly", "DependOnService", dem, 1);
    f = expect(m, &plain, "dependency-starts-later", "sysearly", BL_SEV_WARNING, &out);
    assert_non_null(strstr(f->message, "not loaded during boot"));
    bl_findings_free(&out);
    /* On a boot driver (initialized before any system driver): fine. */
    const char *const boot[] = {"bootdrv"};
    bl_model_set_multi(m, "Services\\sysearly", "DependOnService", boot, 1);
    expect_none(m, &plain, "dependency-starts-later");
    /* On an earlier system driver: fine. */
    const char *const early[] = {"sysearly"};
    bl_model_apply_delete(m, "Services\\sysearly", "DependOnService");
    bl_model_set_multi(m, "Services\\syslate", "DependOnService", early, 1);
    expect_none(m, &plain, "dependency-starts-later");
    bl_model_free(m);
}

static void test_missing_dependency(void **state)
{
    (void)state;
    static const struct {
        uint32_t type;
        int start;
        bl_severity sev;
    } cases[] = {
        {0x10, 2, BL_SEV_ERROR},   /* auto start: the SCM refuses it (1075) */
        {0x20, 3, BL_SEV_WARNING}, /* demand: fails when started */
        {0x1, 2, BL_SEV_ERROR},    /* an auto-start driver is started by the SCM too */
        {0x1, 0, BL_SEV_INFO},     /* boot driver: ignored */
        {0x1, 1, BL_SEV_INFO},     /* system driver: ignored */
        {0x1, 3, BL_SEV_INFO},     /* demand driver nothing loads at boot */
    };
    const char *const deps[] = {"RpcSs", "gone"};
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        bl_model *m = bl_model_new(NULL);
        bl_model_set_dword(m, "Services\\RpcSs", "Type", 0x20);
        bl_model_set_dword(m, "Services\\RpcSs", "Start", 2);
        bl_model_set_dword(m, "Services\\app", "Type", cases[i].type);
        bl_model_set_dword(m, "Services\\app", "Start", (uint32_t)cases[i].start);
        bl_model_set_multi(m, "Services\\app", "DependOnService", deps, 2);
        bl_findings out;
        const bl_finding *f = expect(m, &plain, "missing-dependency", "app", cases[i].sev, &out);
        assert_string_equal(f->services[0], "app");
        assert_non_null(strstr(f->message, "\"gone\""));
        assert_null(strstr(f->message, "RpcSs")); /* it exists */
        assert_true(evidence_has(f, "Services\\app", "gone"));
        assert_int_equal(count_rule(&out, "missing-dependency"), 1);
        bl_findings_free(&out);
        bl_model_free(m);
    }
    /* A demand-start driver PnP loads for a present device: PnP does not
     * check, but the driver declared it needs the service: warning. */
    {
        bl_model *m = bl_model_new(NULL);
        tm_driver(m, "app", 3, "", -1);
        bl_model_set_multi(m, "Services\\app", "DependOnService", deps + 1, 1);
        tm_device(m, "ROOT\\APPDEV\\0000", SYS, "app");
        bl_findings out;
        expect(m, &plain, "missing-dependency", "app", BL_SEV_WARNING, &out);
        bl_findings_free(&out);
        /* The name is a WDF class extension (iagpio -> GPIOClx): the framework
         * binds it when the driver initializes: info, and no fix. */
        bl_knowledge *k = know("gone class-extension\n");
        run_opts ok = {NULL, k, NULL, true};
        const bl_finding *f = expect(m, &ok, "missing-dependency", "app", BL_SEV_INFO, &out);
        assert_non_null(strstr(f->message, "WDF class extension"));
        assert_int_equal(f->nfixes, 0);
        bl_findings_free(&out);
        bl_knowledge_free(k);
        bl_model_free(m);
    }
    /* Damage is not evidence: with unreadable Services subkeys the service
     * may be there; an auto-start service's finding is a warning, and no
     * fix drops the reference. */
    {
        bl_model *m = bl_model_new(NULL);
        bl_model_set_dword(m, "Services\\CryptSvc", "Type", 0x20);
        bl_model_set_dword(m, "Services\\CryptSvc", "Start", 2);
        const char *const rpc[] = {"RpcSs"};
        bl_model_set_multi(m, "Services\\CryptSvc", "DependOnService", rpc, 1);
        m->damage.services = 79;
        run_opts o = {NULL, NULL, NULL, true};
        bl_findings out;
        const bl_finding *f = expect(m, &o, "missing-dependency", "CryptSvc", BL_SEV_WARNING, &out);
        assert_int_equal(f->nfixes, 0);
        assert_non_null(strstr(f->message, "unreadable"));
        bl_findings_free(&out);
        /* ...while a hive without damage gives the error and its fix. */
        m->damage.services = 0;
        f = expect(m, &o, "missing-dependency", "CryptSvc", BL_SEV_ERROR, &out);
        assert_int_equal(f->nfixes, 1);
        bl_findings_free(&out);
        bl_model_free(m);
    }
    /* Disabled services are not reported. */
    bl_model *m = bl_model_new(NULL);
    bl_model_set_dword(m, "Services\\app", "Type", 0x10);
    bl_model_set_dword(m, "Services\\app", "Start", 4);
    bl_model_set_multi(m, "Services\\app", "DependOnService", deps + 1, 1);
    expect_none(m, &plain, "missing-dependency");
    /* The fix drops the stale entry, and is verified. */
    bl_model_set_dword(m, "Services\\app", "Start", 2);
    run_opts o = {NULL, NULL, NULL, true};
    bl_findings out;
    const bl_finding *f = expect(m, &o, "missing-dependency", "app", BL_SEV_ERROR, &out);
    assert_int_equal(f->nfixes, 1);
    assert_non_null(strstr(f->fixes[0].summary, "Remove \"gone\""));
    check_fix_really_fixes(m, &out, f, NULL);
    bl_findings_free(&out);
    /* A group with no member: the SCM fails an auto-start dependent
     * (ERROR_SERVICE_DEPENDENCY_FAIL, the XP SCM's depend.cxx): error. */
    const char *const grp[] = {"NoSuchGroup"};
    bl_model_apply_delete(m, "Services\\app", "DependOnService");
    bl_model_set_multi(m, "Services\\app", "DependOnGroup", grp, 1);
    expect(m, &plain, "missing-dependency", "app:group:NoSuchGroup", BL_SEV_ERROR, &out);
    bl_findings_free(&out);
    bl_timeline *t = bl_simulate(m, NULL);
    assert_int_equal(t->services[bl_model_find_service(m, "app")].phase, BL_PHASE_NEVER);
    bl_timeline_free(t);
    /* A group whose only member is the service itself is still empty. */
    bl_model_set_sz(m, "Services\\app", "Group", "NoSuchGroup");
    expect(m, &plain, "missing-dependency", "app:group:NoSuchGroup", BL_SEV_ERROR, &out);
    bl_findings_free(&out);
    bl_model_set_dword(m, "Services\\member", "Type", 0x10);
    bl_model_set_dword(m, "Services\\member", "Start", 3);
    bl_model_set_sz(m, "Services\\member", "Group", "nosuchgroup");
    expect_none(m, &plain, "missing-dependency");
    bl_model_free(m);
}

static void test_dependency_cycle(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *names[] = {"svc_c", "svc_a", "svc_b"};
    for (size_t i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, "Services\\%s", names[i]);
        bl_model_set_dword(m, path, "Type", 0x10);
        bl_model_set_dword(m, path, "Start", 2);
    }
    const char *const a[] = {"svc_b"}, *const b[] = {"svc_c"}, *const c[] = {"svc_a"};
    bl_model_set_multi(m, "Services\\svc_a", "DependOnService", a, 1);
    bl_model_set_multi(m, "Services\\svc_b", "DependOnService", b, 1);
    bl_model_set_multi(m, "Services\\svc_c", "DependOnService", c, 1);
    bl_findings out;
    /* The subject is the member first in registry order, wherever the walk
     * entered the cycle. */
    const bl_finding *f = expect(m, &plain, "dependency-cycle", "svc_a", BL_SEV_ERROR, &out);
    assert_int_equal(f->nservices, 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(has(f->services, f->nservices, names[i]));
    assert_non_null(strstr(f->message, "->"));
    assert_int_equal(count_rule(&out, "dependency-cycle"), 1);
    bl_findings_free(&out);
    /* Breaking one edge is a verified fix. */
    run_opts o = {NULL, NULL, NULL, true};
    f = expect(m, &o, "dependency-cycle", "svc_a", BL_SEV_ERROR, &out);
    assert_int_equal(f->nfixes, 1);
    check_fix_really_fixes(m, &out, f, NULL);
    bl_findings_free(&out);
    /* A chain is not a cycle. */
    bl_model_apply_delete(m, "Services\\svc_c", "DependOnService");
    expect_none(m, &plain, "dependency-cycle");
    bl_model_free(m);
}

/* ---- evidence about the hive itself ---- */

static void test_dirty_hive(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_hive_info hi;
    memset(&hi, 0, sizeof hi);
    hi.path = "/evidence/SYSTEM";
    hi.base.primary_seq = 12;
    hi.base.secondary_seq = 11;
    run_opts o = {NULL, NULL, &hi, false};
    /* Clean: nothing. */
    expect_none(m, &o, "dirty-hive");
    /* Dirty and not recovered: a warning with the sequence numbers. */
    hi.dirty = true;
    snprintf(hi.recovery.why, sizeof hi.recovery.why, "sequence numbers differ");
    bl_findings out;
    const bl_finding *f = expect(m, &o, "dirty-hive", "not-recovered", BL_SEV_WARNING, &out);
    assert_true(evidence_has(f, "/evidence/SYSTEM", "primary sequence 12, secondary sequence 11"));
    bl_findings_free(&out);
    /* Recovered: info naming the logs. */
    hi.recovered = true;
    hi.recovery.logs_applied = 2;
    hi.recovery.entries = 5;
    snprintf(hi.recovery.applied[0], sizeof hi.recovery.applied[0], "/evidence/SYSTEM.LOG1");
    snprintf(hi.recovery.applied[1], sizeof hi.recovery.applied[1], "/evidence/SYSTEM.LOG2");
    f = expect(m, &o, "dirty-hive", "recovered", BL_SEV_INFO, &out);
    assert_true(evidence_has(f, "/evidence/SYSTEM.LOG1", NULL));
    assert_true(evidence_has(f, "/evidence/SYSTEM.LOG2", NULL));
    assert_null(find(&out, "dirty-hive", "not-recovered"));
    bl_findings_free(&out);
    /* No hive (a model built in code): nothing. */
    expect_none(m, &plain, "dirty-hive");
    bl_model_free(m);
}

static void test_hive_damaged(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_hive_problem probs[2] = {{(char *)"", (char *)"the hive bins end at file offset 0x3000"},
                                {(char *)"ControlSet001\\Services\\x", (char *)"subkey list unreadable"}};
    bl_hive_info hi;
    memset(&hi, 0, sizeof hi);
    hi.path = "SYSTEM";
    hi.problems = probs;
    run_opts o = {NULL, NULL, &hi, false};
    expect_none(m, &o, "hive-damaged"); /* nothing unreadable */
    /* Damage to the file as a whole is a partial analysis too, named by the
     * hive file (JSON and SARIF consumers see it as a finding). */
    hi.nproblems = 1;
    bl_findings out;
    const bl_finding *f = expect(m, &o, "hive-damaged", "damaged", BL_SEV_WARNING, &out);
    assert_true(evidence_has(f, "SYSTEM", "hive bins end"));
    bl_findings_free(&out);
    hi.nproblems = 2;
    f = expect(m, &o, "hive-damaged", "damaged", BL_SEV_WARNING, &out);
    assert_true(evidence_has(f, "ControlSet001\\Services\\x", "unreadable"));
    assert_non_null(strstr(f->message, "2 parts"));
    bl_findings_free(&out);
    bl_model_free(m);
}

static void test_driver_image_user_writable(void **state)
{
    (void)state;
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    assert_int_equal(bl_knowledge_add_builtin(k, &err), 0);
    const run_opts opts = {NULL, k, NULL, false};
    static const struct {
        const char *image;
        const char *shown; /* the image as the message names it */
        uint32_t type;
        int start;
        int sev; /* -1: no finding */
    } cases[] = {
        {"\\??\\C:\\Users\\bob\\AppData\\Local\\Temp\\x.sys", NULL, 1, 0, BL_SEV_ERROR},
        {"C:/Users/Public/drv.sys", NULL, 1, 1, BL_SEV_ERROR},
        /* An auto-start driver: the boot starts it, after the kernel's own. */
        {"\\??\\c:\\USERS\\Bob\\Downloads\\x.sys", NULL, 1, 2, BL_SEV_WARNING},
        /* A demand-start driver nothing loads at boot: a tool's leftover. */
        {"C:\\Windows\\Temp\\x.sys", NULL, 1, 3, BL_SEV_INFO},
        {"%SystemRoot%\\Temp\\y.sys", NULL, 1, 1, BL_SEV_ERROR},
        {"\\SystemRoot\\Temp\\y.sys", NULL, 1, 0, BL_SEV_ERROR},
        {"\"C:\\ProgramData\\Vendor\\svc.exe\" -k", "C:\\ProgramData\\Vendor\\svc.exe", 0x10, 2, BL_SEV_WARNING},
        {"C:\\Users\\bob\\AppData\\Roaming\\up.exe /background", "C:\\Users\\bob\\AppData\\Roaming\\up.exe", 0x10,
         2, BL_SEV_WARNING},
        {"%LocalAppData%\\Vendor\\u.exe", NULL, 0x10, 3, BL_SEV_INFO},
        {"\\SystemRoot\\System32\\drivers\\x.sys", NULL, 1, 0, -1},
        {"System32\\DRIVERS\\users.sys", NULL, 1, 0, -1},
        {"C:\\Program Files\\Vendor\\svc.exe", NULL, 0x10, 2, -1},
        {"\\??\\C:\\Users\\bob\\x.sys", NULL, 1, 4, -1}, /* disabled */
        /* Judge the image, not its arguments (the NVIDIA container's log file). */
        {"\"C:\\Program Files\\NVIDIA Corporation\\Display.NvContainer\\NVDisplay.Container.exe\" -s "
         "NVDisplay.ContainerLocalSystem -f \"C:\\ProgramData\\NVIDIA\\NVDisplay.ContainerLocalSystem.log\" -l 3",
         NULL, 0x10, 2, -1},
        /* Unquoted with blanks: the first prefix naming an image file. */
        {"C:\\Program Files\\Vendor Tools\\svc.exe -log C:\\Temp\\x.log", NULL, 0x10, 2, -1},
        /* Defender's folders are ACL-protected. */
        {"\\??\\C:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\{A1}\\WdBoot.sys", NULL, 1, 0,
         -1},
        {"\"C:\\ProgramData\\Microsoft\\Windows Defender\\platform\\4.18.2\\MsMpEng.exe\"", NULL, 0x10, 2, -1},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        bl_model *m = bl_model_new(NULL);
        bl_model_set_windows(m, BL_WIN_10);
        bl_model_set_dword(m, "Services\\suspect", "Type", cases[i].type);
        bl_model_set_dword(m, "Services\\suspect", "Start", (uint32_t)cases[i].start);
        bl_model_set_sz(m, "Services\\suspect", "ImagePath", cases[i].image);
        if (cases[i].sev < 0) {
            expect_none(m, &opts, "driver-image-user-writable");
        } else {
            bl_findings out;
            const bl_finding *f =
                expect(m, &opts, "driver-image-user-writable", "suspect", (bl_severity)cases[i].sev, &out);
            assert_string_equal(f->services[0], "suspect");
            assert_true(evidence_has(f, "Services\\suspect", "ImagePath"));
            const char *shown = cases[i].shown ? cases[i].shown : cases[i].image;
            if (!strstr(f->message, shown))
                fail_msg("%s: message \"%s\" does not name the image", cases[i].image, f->message);
            if (cases[i].shown) /* the arguments are not part of it */
                assert_null(strstr(f->message, cases[i].image));
            bl_findings_free(&out);
        }
        bl_model_free(m);
    }
    bl_knowledge_free(k);
}

static void test_image_file_of_command_line(void **state)
{
    (void)state;
    static const struct {
        const char *image;
        uint32_t type;
        const char *file; /* NULL: none */
    } cases[] = {
        {"\\SystemRoot\\System32\\drivers\\a.sys", 1, "\\windows\\system32\\drivers\\a.sys"},
        {"system32\\DRIVERS\\a.sys", 1, "\\windows\\system32\\drivers\\a.sys"},
        {"%SystemRoot%\\system32\\svchost.exe -k netsvcs -p", 0x20, "\\windows\\system32\\svchost.exe"},
        {"%windir%/System32//x.exe", 0x10, "\\windows\\system32\\x.exe"},
        {"\\??\\D:\\Tools\\t.sys", 1, "\\tools\\t.sys"},
        {"\\\\?\\C:\\Tools\\t.sys", 1, "\\tools\\t.sys"},
        {"\\Device\\HarddiskVolume3\\Tools\\t.sys", 1, "\\tools\\t.sys"},
        {"\\DosDevices\\C:\\Tools\\t.sys", 1, "\\tools\\t.sys"},
        {"\\??\\C:\\Program Files\\V\\d.sys", 1, "\\program files\\v\\d.sys"}, /* a driver path keeps blanks */
        {"\"\\??\\C:\\Program Files\\V\\q.sys\"", 1, "\\program files\\v\\q.sys"},
        {"\"C:\\Program Files\\V\\s.exe\" -a \"C:\\Temp\\b\"", 0x10, "\\program files\\v\\s.exe"},
        {"C:\\Program Files\\V W\\s.exe -x", 0x10, "\\program files\\v w\\s.exe"},
        {"C:\\odd\\runner --flag", 0x10, "\\odd\\runner"},
        {"%TEMP%\\x.exe", 0x10, "\\users\\*\\appdata\\local\\temp\\x.exe"},
        {"", 0x10, NULL},
        {"", 1, "\\windows\\system32\\drivers\\svc.sys"},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        bl_model *m = bl_model_new(NULL);
        bl_model_set_dword(m, "Services\\svc", "Type", cases[i].type);
        if (*cases[i].image)
            bl_model_set_sz(m, "Services\\svc", "ImagePath", cases[i].image);
        bl_sb sb = {0};
        bool ok = bl_service_image_file(m, 0, &sb, NULL);
        if (!cases[i].file)
            assert_false(ok);
        else if (!ok || strcmp(bl_sb_str(&sb), cases[i].file) != 0)
            fail_msg("\"%s\": got \"%s\", expected \"%s\"", cases[i].image, bl_sb_str(&sb), cases[i].file);
        bl_sb_free(&sb);
        bl_model_free(m);
    }
}

static void test_device_driver_missing(void **state)
{
    (void)state;
    /* A bus device on the boot disk's path names a missing driver: error. */
    bl_model *m = disk_model();
    tm_device(m, "ACPI\\PNP0A03\\0", SYS, "ghostbus");
    bl_model_set_sz(m, "Enum\\ACPI\\PNP0A03\\0", "ParentIdPrefix", "3&1&0");
    /* A leftover device off the path: info. */
    tm_device(m, "USB\\VID_1&PID_2\\SER", NULL, "ghostusb");
    /* Kernel driver objects and legacy devnodes are not services. */
    tm_device(m, "ACPI_HAL\\PNP0C08\\0", SYS, "\\Driver\\ACPI_HAL");
    tm_device(m, "ROOT\\LEGACY_GONE\\0000", NULL, "gone");
    bl_model_build_tree(m);
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "device-driver-missing", "ACPI\\PNP0A03\\0", BL_SEV_ERROR, &out);
    assert_true(has(f->services, f->nservices, "ghostbus"));
    assert_true(has(f->devices, f->ndevices, "ACPI\\PNP0A03\\0"));
    f = find(&out, "device-driver-missing", "USB\\VID_1&PID_2\\SER");
    assert_non_null(f);
    assert_int_equal(f->severity, BL_SEV_INFO);
    assert_int_equal(count_rule(&out, "device-driver-missing"), 2);
    bl_findings_free(&out);
    tm_driver(m, "ghostbus", 0, "Boot Bus Extender", -1);
    tm_driver(m, "ghostusb", 3, "", -1);
    expect_none(m, &plain, "device-driver-missing");
    bl_model_free(m);
    /* A raw storage controller (no Service): the disk it would enumerate
     * never starts, and the controller is on the boot disk's path. */
    m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender", "SCSI miniport"};
    tm_groups(m, g, 2);
    tm_driver(m, "disk", 0, "", -1);
    bl_model_set_sz(m, "Control\\Class\\" DISK, "Class", "DiskDrive");
    tm_device(m, "PCI\\VEN_1000&DEV_0054\\3&1&0&A8", BL_GUID_SCSIADAPTER, NULL);
    bl_model_set_sz(m, "Enum\\PCI\\VEN_1000&DEV_0054\\3&1&0&A8", "ParentIdPrefix", "4&2&0");
    uint32_t disk = tm_device(m, "SCSI\\Disk&Ven_X\\4&2&0&000000", DISK, "disk");
    bl_model_build_tree(m);
    bl_timeline *t = bl_simulate(m, NULL);
    assert_int_equal(t->devices[disk].phase, BL_PHASE_NEVER);
    assert_int_equal(t->devices[disk].block, BL_BLOCK_PARENT_RAW);
    assert_string_equal(bl_block_text(t->devices[disk].block), "its parent device has no function driver to enumerate it");
    bl_timeline_free(t);
    f = expect(m, &plain, "device-driver-missing", "PCI\\VEN_1000&DEV_0054\\3&1&0&A8", BL_SEV_ERROR, &out);
    assert_true(has(f->devices, f->ndevices, "SCSI\\Disk&Ven_X\\4&2&0&000000"));
    assert_non_null(strstr(f->message, "INACCESSIBLE_BOOT_DEVICE"));
    assert_true(evidence_has(f, "Enum\\PCI\\VEN_1000&DEV_0054\\3&1&0&A8", "ParentIdPrefix = \"4&2&0\""));
    bl_findings_free(&out);
    /* With a function driver the disk starts in the boot phase. */
    tm_driver(m, "stor", 0, "SCSI miniport", -1);
    bl_model_set_sz(m, "Enum\\PCI\\VEN_1000&DEV_0054\\3&1&0&A8", "Service", "stor");
    t = bl_simulate(m, NULL);
    assert_int_equal(t->devices[disk].phase, BL_PHASE_BOOT);
    bl_timeline_free(t);
    expect_none(m, &plain, "device-driver-missing");
    bl_model_free(m);
}

static void test_registry_anomaly(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "fine", 0, "", -1);
    expect_none(m, &plain, "registry-anomaly");
    bl_model_set_sz(m, "Services\\odd", "Start", "3");
    bl_findings out;
    const bl_finding *f = expect(m, &plain, "registry-anomaly", "anomalies", BL_SEV_INFO, &out);
    assert_true(evidence_has(f, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\odd", "REG_SZ"));
    assert_int_equal(count_rule(&out, "registry-anomaly"), 1); /* one summary finding */
    bl_findings_free(&out);
    bl_model_free(m);
}

/* ---- the catalogue ---- */

static const char *const covered[] = {
    "boot-filter-pulled-early", "dependency-group-skipped",
    "filter-delays-device", "missing-filter-service", "disabled-filter", "nonboot-filter-on-boot-class",
    "group-not-in-service-group-order", "tag-not-in-group-order-list", "duplicate-tag",
    "boot-driver-dependency-ignored", "missing-dependency", "dependency-cycle", "dependency-starts-later",
    "dirty-hive", "hive-damaged", "driver-image-user-writable", "device-driver-missing", "registry-anomaly",
};

/* Covered by the file-system filter tests (test_fltmgr.c). */
static const char *const elsewhere[] = {"altitude-inversion", "altitude-out-of-group-range", "duplicate-altitude",
                                        "minifilter-altitude-missing", "minifilter-loads-before-fltmgr"};

static bool listed(const char *const *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], id) == 0)
            return true;
    return false;
}

static void test_catalogue(void **state)
{
    (void)state;
    uint32_t n;
    const bl_rule_info *cat = bl_rule_catalogue(&n);
    /* Every rule here is in the catalogue, once... */
    for (size_t i = 0; i < BL_ARRAY_LEN(covered); i++) {
        uint32_t seen = 0;
        for (uint32_t k = 0; k < n; k++)
            seen += strcmp(cat[k].id, covered[i]) == 0;
        if (seen != 1)
            fail_msg("rule %s is in the catalogue %u times", covered[i], seen);
    }
    /* ...and every catalogue rule is tested here or with fltmgr. */
    for (uint32_t k = 0; k < n; k++) {
        assert_non_null(cat[k].summary);
        assert_true(strlen(cat[k].summary) > 10);
        if (!listed(covered, BL_ARRAY_LEN(covered), cat[k].id) &&
            !listed(elsewhere, BL_ARRAY_LEN(elsewhere), cat[k].id))
            fail_msg("rule %s has no test in test_rules.c", cat[k].id);
    }
    /* The ids DESIGN.md promises never to rename. */
    static const char *const stable[] = {
        "filter-delays-device", "missing-filter-service", "disabled-filter", "nonboot-filter-on-boot-class",
        "group-not-in-service-group-order", "tag-not-in-group-order-list", "duplicate-tag",
        "boot-driver-dependency-ignored", "missing-dependency", "dependency-cycle", "dependency-starts-later",
        "altitude-inversion", "altitude-out-of-group-range", "duplicate-altitude", "dirty-hive",
        "driver-image-user-writable"};
    for (size_t i = 0; i < BL_ARRAY_LEN(stable); i++) {
        bool found = false;
        for (uint32_t k = 0; k < n && !found; k++)
            found = strcmp(cat[k].id, stable[i]) == 0;
        if (!found)
            fail_msg("stable rule id %s is missing from the catalogue", stable[i]);
    }
    /* only_rule runs that rule alone. */
    bl_model *m = seed_model();
    bl_model_set_sz(m, "Services\\odd", "Start", "3");
    bl_findings out;
    run_opts o = {"registry-anomaly", NULL, NULL, false};
    run(m, &o, &out);
    assert_int_equal(out.n, 1);
    bl_findings_free(&out);
    bl_model_free(m);
}

static void test_findings_sorted_and_counted(void **state)
{
    (void)state;
    bl_model *m = seed_model();
    bl_model_set_sz(m, "Services\\odd", "Start", "3"); /* info */
    const char *const ghost[] = {"ghost"};
    tm_device(m, "ROOT\\OTHER\\0000", BL_GUID_CDROM, "vsock");
    bl_model_set_multi(m, "Enum\\ROOT\\OTHER\\0000", "UpperFilters", ghost, 1); /* warning */
    bl_knowledge *k = know(SEED_KNOWLEDGE);                                     /* error */
    bl_findings out;
    run_opts o = {NULL, k, NULL, false};
    run(m, &o, &out);
    uint32_t counts[3];
    bl_findings_count(&out, counts);
    assert_true(counts[BL_SEV_ERROR] >= 1 && counts[BL_SEV_WARNING] >= 1 && counts[BL_SEV_INFO] >= 1);
    assert_int_equal(counts[0] + counts[1] + counts[2], out.n);
    for (uint32_t i = 1; i < out.n; i++) {
        assert_true(out.v[i - 1].severity >= out.v[i].severity);
        if (out.v[i - 1].severity == out.v[i].severity) {
            int c = strcmp(out.v[i - 1].rule, out.v[i].rule);
            assert_true(c < 0 || (c == 0 && strcmp(out.v[i - 1].subject, out.v[i].subject) < 0));
        }
    }
    assert_string_equal(bl_severity_name(BL_SEV_ERROR), "error");
    assert_string_equal(bl_severity_name(BL_SEV_WARNING), "warning");
    assert_string_equal(bl_severity_name(BL_SEV_INFO), "info");
    bl_findings_free(&out);
    bl_knowledge_free(k);
    bl_model_free(m);
}

static void test_finding_builders(void **state)
{
    (void)state;
    bl_findings fs = {0};
    bl_finding *f = bl_finding_add(&fs, "duplicate-tag", BL_SEV_WARNING, "g:1:boot", "%d drivers", 2);
    assert_string_equal(f->subject, "duplicate-tag:g:1:boot");
    assert_string_equal(f->message, "2 drivers");
    bl_finding_service(f, "A");
    bl_finding_service(f, "a"); /* same name: once */
    bl_finding_service(f, "");
    bl_finding_service(f, NULL);
    assert_int_equal(f->nservices, 1);
    bl_finding_device(f, "ROOT\\X\\0");
    bl_finding_device(f, "root\\x\\0");
    assert_int_equal(f->ndevices, 1);
    bl_finding_evidence(f, "HKLM\\X", "Tag = %u", 1u);
    bl_finding_evidence(f, "HKLM\\X", "Tag = %u", 1u); /* duplicate dropped */
    bl_finding_evidence(f, "HKLM\\X", "Tag = %u", 2u);
    bl_finding_evidence(f, "HKLM\\Y", NULL);
    bl_finding_evidence(f, "HKLM\\Y", NULL);
    assert_int_equal(f->nevidence, 3);
    bl_finding_detail(f, "one");
    bl_finding_detail(f, "two %s", "lines");
    assert_string_equal(f->detail, "one\ntwo lines");
    bl_findings_free(&fs);
    assert_int_equal(fs.n, 0);
}

/* ---- knowledge file ---- */

static void test_knowledge_parser(void **state)
{
    (void)state;
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    const char *text = "# a comment line\n"
                       "\n"
                       "VSEPFLT   calls\tVSock   # trailing comment\r\n"
                       "vsock needs-device vmci\n"
                       "   early  init-needs-device  vmci\n"
                       "fvevol inbox\n"
                       "last CALLS target"; /* no final newline */
    assert_int_equal(bl_knowledge_add_text(k, "my.txt", text, &err), 0);
    uint32_t n;
    const bl_fact *f = bl_knowledge_facts(k, &n);
    assert_int_equal(n, 5);
    assert_string_equal(f[0].subject, "vsepflt"); /* lower-cased */
    assert_int_equal(f[0].relation, BL_REL_CALLS);
    assert_string_equal(f[0].target, "vsock");
    assert_string_equal(f[0].source, "my.txt:3");
    assert_int_equal(f[1].relation, BL_REL_NEEDS_DEVICE);
    assert_string_equal(f[1].source, "my.txt:4");
    assert_int_equal(f[2].relation, BL_REL_INIT_NEEDS_DEVICE);
    assert_string_equal(f[2].subject, "early");
    assert_string_equal(f[2].target, "vmci");
    assert_int_equal(f[3].relation, BL_REL_INBOX);
    assert_null(f[3].target);
    assert_string_equal(f[4].source, "my.txt:7");
    assert_true(bl_knowledge_is_inbox(k, "FVEVOL", BL_WIN_10));
    assert_true(bl_knowledge_is_inbox(k, "FVEVOL", BL_WIN_NT5));
    assert_false(bl_knowledge_is_inbox(k, "vsock", BL_WIN_10));
    assert_false(bl_knowledge_is_inbox(NULL, "fvevol", BL_WIN_10));
    /* Facts about one subject are found by a lookup, in file order. */
    const bl_fact *about;
    assert_int_equal(bl_knowledge_about(k, "Vsock", &about), 1);
    assert_int_equal(about->relation, BL_REL_NEEDS_DEVICE);
    assert_int_equal(bl_knowledge_about(k, "nobody", &about), 0);
    /* A second text adds to the first. */
    assert_int_equal(bl_knowledge_add_text(k, "more.txt", "x inbox\nvsock calls last\n", &err), 0);
    f = bl_knowledge_facts(k, &n);
    assert_int_equal(n, 7);
    assert_string_equal(f[6].source, "more.txt:2"); /* file order kept across files */
    assert_int_equal(bl_knowledge_about(k, "vsock", &about), 2);
    assert_string_equal(about[0].source, "my.txt:4");
    assert_string_equal(about[1].source, "more.txt:2");
    assert_int_equal(bl_knowledge_add_text(k, "empty.txt", "", &err), 0);
    bl_knowledge_free(k);
}

static void test_knowledge_families_and_places(void **state)
{
    (void)state;
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    const char *text = "@version 7.1\n"
                       "old inbox on xp\n"
                       "mid inbox on 7,8\n"
                       "new inbox on 8+\n"
                       "GPIOClx class-extension on 8+\n"
                       "\"C:\\Users\\\" user-writable\n"
                       "\"\\ProgramData\\\" user-writable   # comment after a quoted path\n"
                       "\"%ProgramData%\\Vendor #1\\Safe\" protected on 10\n"
                       "\"\\Users\\*\\AppData\\Local\\Temp\\\" user-writable\n";
    assert_int_equal(bl_knowledge_add_text(k, "fam.txt", text, &err), 0);
    assert_string_equal(bl_knowledge_version(k), "7.1");
    assert_true(bl_knowledge_is_inbox(k, "old", BL_WIN_NT5));
    assert_false(bl_knowledge_is_inbox(k, "old", BL_WIN_NT6));
    assert_true(bl_knowledge_is_inbox(k, "mid", BL_WIN_NT6));
    assert_true(bl_knowledge_is_inbox(k, "mid", BL_WIN_8));
    assert_false(bl_knowledge_is_inbox(k, "mid", BL_WIN_10));
    assert_false(bl_knowledge_is_inbox(k, "new", BL_WIN_NT6));
    assert_true(bl_knowledge_is_inbox(k, "new", BL_WIN_8));
    assert_true(bl_knowledge_is_inbox(k, "new", BL_WIN_10));
    /* An unknown family counts as the newest. */
    assert_true(bl_knowledge_is_inbox(k, "new", BL_WIN_UNKNOWN));
    assert_true(bl_knowledge_has(k, "gpioclx", BL_REL_CLASS_EXTENSION, BL_WIN_10));
    assert_false(bl_knowledge_has(k, "gpioclx", BL_REL_CLASS_EXTENSION, BL_WIN_NT6));
    /* Places: the longest folder decides; protected wins a tie. */
    static const struct {
        const char *path;
        int rel; /* -1: none */
    } places[] = {
        {"\\users\\pat\\x.sys", BL_REL_USER_WRITABLE},
        {"\\programdata\\vendor #1\\safe\\x.sys", BL_REL_PROTECTED},
        {"\\programdata\\vendor #1\\x.sys", BL_REL_USER_WRITABLE},
        {"\\programdata2\\x.sys", -1}, /* a folder, not a name prefix */
        {"\\windows\\system32\\drivers\\x.sys", -1},
        {"\\users\\pat\\appdata\\local\\temp\\x.sys", BL_REL_USER_WRITABLE},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(places); i++) {
        const bl_fact *f = bl_knowledge_location(k, places[i].path, BL_WIN_10);
        if (places[i].rel < 0)
            assert_null(f);
        else if (!f || (int)f->relation != places[i].rel)
            fail_msg("%s: got %s", places[i].path, f ? f->subject : "(none)");
    }
    const bl_fact *tmp = bl_knowledge_location(k, "\\users\\pat\\appdata\\local\\temp\\x.sys", BL_WIN_10);
    assert_string_equal(tmp->subject, "\\users\\*\\appdata\\local\\temp\\");
    /* Protected only on 10: on 8 the ProgramData rule applies. */
    assert_int_equal(bl_knowledge_location(k, "\\programdata\\vendor #1\\safe\\x.sys", BL_WIN_8)->relation,
                     BL_REL_USER_WRITABLE);
    bl_knowledge_free(k);
}

static void test_knowledge_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *says;
    } bad[] = {
        {"a calls b\nvsepflt needs vmci\n", "bad.txt:2: unknown relation \"needs\""},
        {"\n\nlonely\n", "bad.txt:3: expected"},
        {"a calls\n", "bad.txt:1: \"calls\" needs exactly one target"},
        {"a needs-device b c\n", "bad.txt:1: \"needs-device\" needs exactly one target"},
        {"# ok\na inbox b\n", "bad.txt:2: \"inbox\" takes no target"},
        {"a calls b c d e\n", "bad.txt:1:"},
        {"a inbox on 95\n", "bad.txt:1: unknown Windows family"},
        {"a inbox off 10\n", "bad.txt:1: \"inbox\" takes no target"},
        {"\"C:\\Users\\ user-writable\n", "bad.txt:1: unterminated"},
        {"users user-writable\n", "bad.txt:1: \"user-writable\" needs a folder path"},
        {"@version\n", "bad.txt:1: expected `@version VERSION`"},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(bad); i++) {
        bl_knowledge *k = bl_knowledge_new();
        bl_error err = {{0}};
        assert_int_equal(bl_knowledge_add_text(k, "bad.txt", bad[i].text, &err), -1);
        if (strncmp(err.msg, bad[i].says, strlen(bad[i].says)) != 0)
            fail_msg("\"%s\": got \"%s\", expected \"%s...\"", bad[i].text, err.msg, bad[i].says);
        bl_knowledge_free(k);
    }
    /* An overlong line. */
    char *longline = malloc(3000);
    memset(longline, 'x', 2999);
    longline[2999] = '\0';
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    assert_int_equal(bl_knowledge_add_text(k, "long.txt", longline, &err), -1);
    assert_true(strncmp(err.msg, "long.txt:1:", 11) == 0);
    free(longline);
    /* Files: a missing one and a binary one are named. */
    assert_int_equal(bl_knowledge_add_file(k, "/tmp/bootlens-no-such-knowledge", &err), -1);
    assert_non_null(strstr(err.msg, "/tmp/bootlens-no-such-knowledge"));
    char path[] = "/tmp/bootlens-knowledge-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "a inbox\0b", 9), 9);
    close(fd);
    assert_int_equal(bl_knowledge_add_file(k, path, &err), -1);
    assert_non_null(strstr(err.msg, path));
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "a inbox\nb bogus c\n", 18), 18);
    close(fd);
    assert_int_equal(bl_knowledge_add_file(k, path, &err), -1);
    char want[128];
    snprintf(want, sizeof want, "%s:2:", path);
    assert_true(strncmp(err.msg, want, strlen(want)) == 0);
    unlink(path);
    bl_knowledge_free(k);
}

static void test_knowledge_builtin(void **state)
{
    (void)state;
    bl_knowledge *k = bl_knowledge_new();
    bl_error err = {{0}};
    assert_int_equal(bl_knowledge_add_builtin(k, &err), 0);
    uint32_t n;
    const bl_fact *f = bl_knowledge_facts(k, &n);
    bool seed_calls = false, seed_needs = false;
    for (uint32_t i = 0; i < n; i++) {
        seed_calls |= f[i].relation == BL_REL_CALLS && strcmp(f[i].subject, "vsepflt") == 0 &&
                      strcmp(f[i].target, "vsock") == 0;
        seed_needs |= f[i].relation == BL_REL_NEEDS_DEVICE && strcmp(f[i].subject, "vsock") == 0 &&
                      strcmp(f[i].target, "vmci") == 0;
        assert_true(strncmp(f[i].source, "knowledge.txt:", 14) == 0);
    }
    assert_true(seed_calls && seed_needs);
    assert_true(bl_knowledge_is_inbox(k, "fvevol", BL_WIN_10));
    assert_true(bl_knowledge_is_inbox(k, "rdyboost", BL_WIN_10));
    assert_true(bl_knowledge_is_inbox(k, "iorate", BL_WIN_10));
    assert_true(bl_knowledge_version(k)[0] != '\0');
    /* Defender's folders are protected, the rest of ProgramData is not. */
    assert_int_equal(bl_knowledge_location(k, "\\programdata\\microsoft\\windows defender\\platform\\4.18\\msmpeng.exe",
                                           BL_WIN_10)->relation,
                     BL_REL_PROTECTED);
    assert_int_equal(bl_knowledge_location(k, "\\programdata\\nvidia\\x.exe", BL_WIN_10)->relation,
                     BL_REL_USER_WRITABLE);
    /* The shipped file turns the seed case into an error. */
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, seed_groups, BL_ARRAY_LEN(seed_groups));
    tm_driver(m, "vmci", 0, "System Bus Extender", -1);
    tm_driver(m, "vsock", 0, "System Bus Extender", -1);
    tm_driver(m, "vsepflt", 0, "FSFilter Anti-Virus", -1);
    tm_driver(m, "dlpflt", 0, "Filter", -1);
    const char *const up[] = {"dlpflt"};
    bl_model_set_multi(m, "Control\\Class\\" SYS, "UpperFilters", up, 1);
    tm_device(m, "ROOT\\VMWVMCIHOSTDEV\\0000", SYS, "vmci");
    bl_model_build_tree(m);
    run_opts o = {NULL, k, NULL, false};
    bl_findings out;
    expect(m, &o, "filter-delays-device", "dlpflt:class:" SYS, BL_SEV_ERROR, &out);
    bl_findings_free(&out);
    bl_model_free(m);
    bl_knowledge_free(k);
}

/* ---- changes and their .reg form ---- */

static void test_changes_to_reg(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const items[] = {"a", "b"};
    bl_vec v = bl_model_strvec(m, items, 2);
    bl_change c[7];
    bl_change_set_dword(&c[0], "Services\\flt", "Start", 3);
    bl_change_set_sz(&c[1], "Services\\flt", "Group", "Boot \"Bus\" \\ Extender");
    bl_change_delete_value(&c[2], "Services\\flt", "Tag");
    bl_change_set_multi(&c[3], "Control\\Class\\" SYS, "UpperFilters", m, v);
    bl_change_set_sz(&c[4], "Services\\x", "", "default");
    memset(&c[5], 0, sizeof c[5]);
    c[5].key = bl_xstrdup("Services\\gone");
    c[5].delete_key = true;
    bl_change_set_dword(&c[6], "Services\\x", "Va\"l\\ue", 0xDEADBEEF);
    bl_sb sb = {0};
    bl_changes_to_reg(c, 7, &sb);
    const char *want = "Windows Registry Editor Version 5.00\n"
                       "\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\flt]\n"
                       "\"Start\"=dword:00000003\n"
                       "\"Group\"=\"Boot \\\"Bus\\\" \\\\ Extender\"\n"
                       "\"Tag\"=-\n"
                       "\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Class\\" SYS "]\n"
                       "\"UpperFilters\"=hex(7):61,00,00,00,62,00,00,00,00,00\n"
                       "\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\x]\n"
                       "@=\"default\"\n"
                       "\n[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\gone]\n"
                       "\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\x]\n"
                       "\"Va\\\"l\\\\ue\"=dword:deadbeef\n";
    assert_string_equal(bl_sb_str(&sb), want);
    /* Hostile names cannot inject .reg lines: a string with a newline goes
     * as bytes, a key or value name with one is left out (and said so). */
    {
        bl_change h[3];
        bl_change_set_sz(&h[0], "Services\\x", "Group", "a\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil]");
        bl_change_set_dword(&h[1], "Services\\x\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Evil", "Start", 1);
        bl_change_set_dword(&h[2], "Services\\x", "Va\nlue", 1);
        bl_sb hs = {0};
        bl_changes_to_reg(h, 3, &hs);
        const char *p = bl_sb_str(&hs);
        for (const char *line = p; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
            if (strncmp(line, "[HKEY_LOCAL_MACHINE\\SOFTWARE", 28) == 0)
                fail_msg("injected key line in:\n%s", p);
        assert_non_null(strstr(p, "\"Group\"=hex(1):61,00,0a,00"));
        assert_non_null(strstr(p, "left out"));
        bl_sb_free(&hs);
        for (int i = 0; i < 3; i++)
            bl_change_free(&h[i]);
    }
    /* Long binary data wraps with regedit's continuation lines. */
    bl_sb_reset(&sb);
    bl_change big;
    memset(&big, 0, sizeof big);
    big.key = bl_xstrdup("Control\\GroupOrderList");
    big.value = bl_xstrdup("Base");
    big.type = BL_REG_BINARY;
    big.size = 64;
    big.data = calloc(1, 64);
    bl_changes_to_reg(&big, 1, &sb);
    assert_non_null(strstr(bl_sb_str(&sb), "\"Base\"=hex:00,00,"));
    assert_non_null(strstr(bl_sb_str(&sb), ",\\\n  00,"));
    const char *p = bl_sb_str(&sb);
    for (const char *nl; (nl = strchr(p, '\n')); p = nl + 1)
        assert_true(nl - p <= 80);
    bl_change_free(&big);
    bl_sb_free(&sb);
    for (int i = 0; i < 7; i++)
        bl_change_free(&c[i]);
    bl_model_free(m);
}

static void test_change_apply(void **state)
{
    (void)state;
    bl_model *m = seed_model();
    bl_change c;
    bl_change_set_dword(&c, "Services\\lateflt", "Start", 4);
    bl_change_apply(m, &c);
    bl_change_free(&c);
    assert_int_equal(m->services[bl_model_find_service(m, "lateflt")].start, 4);
    bl_change_delete_value(&c, "Control\\Class\\" SYS, "UpperFilters");
    bl_change_apply(m, &c);
    bl_change_free(&c);
    assert_false(m->classes[bl_model_find_class(m, SYS)].has_upper);
    memset(&c, 0, sizeof c);
    c.key = bl_xstrdup("Services\\VSOCK");
    c.delete_key = true;
    bl_change_apply(m, &c);
    bl_change_free(&c);
    assert_int_equal(bl_model_find_service(m, "vsock"), BL_NONE);
    assert_int_not_equal(bl_model_find_service(m, "vsepflt"), BL_NONE);
    assert_string_equal(bl_model_service_name(m, bl_model_find_service(m, "vsepflt")), "vsepflt");
    bl_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_delays_device_error),
        cmocka_unit_test(test_filter_delays_device_declared_dependency),
        cmocka_unit_test(test_filter_delays_device_init_needs_device),
        cmocka_unit_test(test_filter_delays_device_warning_and_info),
        cmocka_unit_test(test_filter_delays_device_not_fired),
        cmocka_unit_test(test_filter_delays_device_device_filter),
        cmocka_unit_test(test_filter_delays_device_fixes),
        cmocka_unit_test(test_no_fix_search_leaves_no_unverified_fixes),
        cmocka_unit_test(test_fix_that_does_not_clear_is_dropped),
        cmocka_unit_test(test_missing_filter_service),
        cmocka_unit_test(test_disabled_filter),
        cmocka_unit_test(test_nonboot_filter_on_boot_class),
        cmocka_unit_test(test_group_not_in_service_group_order),
        cmocka_unit_test(test_tag_not_in_group_order_list),
        cmocka_unit_test(test_duplicate_tag),
        cmocka_unit_test(test_boot_driver_dependency_ignored),
        cmocka_unit_test(test_dependency_group_skipped),
        cmocka_unit_test(test_boot_filter_pulled_early),
        cmocka_unit_test(test_dependency_starts_later),
        cmocka_unit_test(test_missing_dependency),
        cmocka_unit_test(test_dependency_cycle),
        cmocka_unit_test(test_dirty_hive),
        cmocka_unit_test(test_hive_damaged),
        cmocka_unit_test(test_driver_image_user_writable),
        cmocka_unit_test(test_image_file_of_command_line),
        cmocka_unit_test(test_device_driver_missing),
        cmocka_unit_test(test_registry_anomaly),
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_findings_sorted_and_counted),
        cmocka_unit_test(test_finding_builders),
        cmocka_unit_test(test_knowledge_parser),
        cmocka_unit_test(test_knowledge_errors),
        cmocka_unit_test(test_knowledge_families_and_places),
        cmocka_unit_test(test_knowledge_builtin),
        cmocka_unit_test(test_changes_to_reg),
        cmocka_unit_test(test_change_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_sim.c — the boot timeline: loader order (NT and winload 8+ rules,
 * every documented tie-break), device starts and deferrals, the PnP phase,
 * system start, the SCM with dependencies and cycles, BootFlags and
 * StartOverride.  Models are built in code. */
#include "bootlens/model.h"
#include "bootlens/sim.h"

#include "testutil.h"

static const char *const groups3[] = {"Boot Bus Extender", "System Bus Extender", "Filter"};

static void test_group_then_tag_order(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, groups3, 3);
    uint32_t tags[] = {7, 3, 4};
    tm_tags(m, "System Bus Extender", tags, 3);
    tm_driver(m, "flt", 0, "Filter", -1);
    tm_driver(m, "sb_tag3", 0, "System Bus Extender", 3);
    tm_driver(m, "sb_tag7", 0, "System Bus Extender", 7);
    tm_driver(m, "sb_tag4", 0, "system bus extender", 4); /* case-insensitive group */
    tm_driver(m, "bbe", 0, "Boot Bus Extender", -1);
    char got[512];
    tm_order(m, BL_START_BOOT, got, sizeof got);
    assert_string_equal(got, "bbe,sb_tag7,sb_tag3,sb_tag4,flt");
    bl_model_free(m);
}

static void test_untagged_and_unlisted_tags(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, groups3, 3);
    uint32_t tags[] = {2, 1};
    tm_tags(m, "Boot Bus Extender", tags, 2);
    tm_driver(m, "a_untagged", 0, "Boot Bus Extender", -1);
    tm_driver(m, "b_unlisted", 0, "Boot Bus Extender", 9);
    tm_driver(m, "c_tag1", 0, "Boot Bus Extender", 1);
    tm_driver(m, "d_tag2", 0, "Boot Bus Extender", 2);
    char got[512];
    tm_order(m, BL_START_BOOT, got, sizeof got);
    /* Listed tags in list order, then tags not in the list, then no tag. */
    assert_string_equal(got, "d_tag2,c_tag1,b_unlisted,a_untagged");
    bl_model_free(m);
}

static void test_ties_keep_registry_order(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, groups3, 3);
    /* Added out of order: the registry enumerates subkeys by upper-cased name. */
    tm_driver(m, "zeta", 0, "Filter", -1);
    tm_driver(m, "Alpha", 0, "Filter", -1);
    tm_driver(m, "beta", 0, "Filter", -1);
    char got[512];
    tm_order(m, BL_START_BOOT, got, sizeof got);
    assert_string_equal(got, "Alpha,beta,zeta");
    bl_model_free(m);
}

static void test_ungrouped_and_unlisted_groups_last_reversed(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, groups3, 3);
    tm_driver(m, "aaa_nogroup", 0, "", -1);
    tm_driver(m, "bbb_unlisted", 0, "PnP Filter", -1);
    tm_driver(m, "ccc_nogroup", 0, "", -1);
    tm_driver(m, "listed", 0, "Filter", -1);
    char got[512];
    tm_order(m, BL_START_BOOT, got, sizeof got);
    /* The NT loader inserts at the head and moves only listed groups: the
     * rest stays at the tail in reverse registry order. */
    assert_string_equal(got, "listed,ccc_nogroup,bbb_unlisted,aaa_nogroup");
    bl_model_free(m);
}

static void test_group_listed_twice_takes_first_place(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"A", "B", "A"};
    tm_groups(m, g, 3);
    tm_driver(m, "in_b", 0, "B", -1);
    tm_driver(m, "in_a", 0, "A", -1);
    char got[256];
    tm_order(m, BL_START_BOOT, got, sizeof got);
    assert_string_equal(got, "in_a,in_b");
    bl_model_free(m);
}

static void test_start_types_and_win32_excluded(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, groups3, 3);
    tm_driver(m, "boot1", 0, "Filter", -1);
    tm_driver(m, "sys1", 1, "Filter", -1);
    uint32_t svc = tm_driver(m, "svc", 0, "Filter", -1);
    bl_model_set_dword(m, "Services\\svc", "Type", 0x20); /* a Win32 service with Start=0 */
    char got[256];
    tm_order(m, BL_START_BOOT, got, sizeof got);
    assert_string_equal(got, "boot1");
    tm_order(m, BL_START_SYSTEM, got, sizeof got);
    assert_string_equal(got, "sys1");
    bl_timeline *t = bl_simulate(m, NULL);
    assert_int_equal(t->services[svc].phase, BL_PHASE_NEVER);
    assert_int_equal(t->services[svc].block, BL_BLOCK_NOT_DRIVER);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_boot_fs_and_bootflags_promotion(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, groups3, 3);
    tm_driver(m, "Ntfs", 3, "Filter", -1);
    tm_driver(m, "usbstor", 3, "", -1);
    bl_model_set_dword(m, "Services\\usbstor", "BootFlags", 0x4);
    char got[256];
    tm_order(m, BL_START_BOOT, got, sizeof got);
    assert_string_equal(got, "Ntfs"); /* no USB boot scenario */
    bl_model_set_dword(m, "Control", "BootDriverFlags", 0x4);
    tm_order(m, BL_START_BOOT, got, sizeof got);
    assert_string_equal(got, "Ntfs,usbstor");
    bl_timeline *t = bl_simulate(m, NULL);
    uint32_t u = bl_model_find_service(m, "usbstor");
    assert_true(t->loads[t->services[u].load].why & BL_WHY_BOOTFLAGS);
    bl_timeline_free(t);
    /* --boot-scenario overrides the hive's BootDriverFlags. */
    bl_sim_options o = {true, 0, NULL};
    t = bl_simulate(m, &o);
    assert_int_equal(t->boot_count, 1);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_scenario_names(void **state)
{
    (void)state;
    uint32_t f = 0;
    assert_true(bl_boot_scenario_parse("usb,vhd", &f));
    assert_int_equal(f, 0x6);
    assert_true(bl_boot_scenario_parse("0x10", &f));
    assert_int_equal(f, 0x10);
    assert_false(bl_boot_scenario_parse("floppy", &f));
    bl_sb sb = {0};
    bl_boot_scenario_names(0x1c, &sb);
    assert_string_equal(bl_sb_str(&sb), "usb+sd+usb3");
    bl_sb_free(&sb);
}

static void test_start_override(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    m->has_hardware_config = true;
    m->hardware_config_id = 0;
    tm_groups(m, groups3, 3);
    uint32_t s = tm_driver(m, "unused_miniport", 0, "Filter", -1);
    bl_model_apply_value(m, "Services\\unused_miniport\\StartOverride", "1", 4, (const uint8_t *)"\3\0\0\0", 4);
    assert_int_equal(m->services[s].start, BL_START_BOOT); /* another hardware config */
    bl_model_apply_value(m, "Services\\unused_miniport\\StartOverride", "0", 4, (const uint8_t *)"\3\0\0\0", 4);
    assert_int_equal(m->services[s].start, BL_START_DEMAND);
    assert_int_equal(m->services[s].start_value, BL_START_BOOT);
    bl_model_free(m);
}

/* Windows 8+: what winload moves out of the list comes first, in the order
 * the kernel initializes it (PipInitializeCoreDriversAndElam): the Core
 * Driver Services, the Early-Launch group, the core extensions, the TPM
 * Core Driver Services; then group buckets by tag. */
static void test_modern_loader(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"WdfLoadGroup", "Boot Bus Extender", "System Bus Extender"};
    tm_groups(m, g, 3);
    uint32_t bbe[] = {2, 1};
    tm_tags(m, "Boot Bus Extender", bbe, 2);
    tm_driver(m, "Wdf01000", 0, "WdfLoadGroup", -1);
    bl_model_set_sz(m, "Services\\Wdf01000", "ImagePath", "system32\\drivers\\Wdf01000.sys");
    tm_driver(m, "ACPI", 0, "Core", 2);
    bl_model_set_sz(m, "Services\\ACPI", "ImagePath", "System32\\drivers\\ACPI.sys");
    tm_driver(m, "CNG", 0, "Core", 4);
    bl_model_set_sz(m, "Services\\CNG", "ImagePath", "System32\\Drivers\\cng.sys");
    tm_driver(m, "WdBoot", 0, "Early-Launch", -1);
    tm_driver(m, "bbe_tag1", 0, "Boot Bus Extender", 1);
    tm_driver(m, "bbe_tag2", 0, "Boot Bus Extender", 2);
    tm_driver(m, "sbe", 0, "System Bus Extender", -1);
    tm_driver(m, "loose", 0, "", -1);
    bl_model_detect_loader(m);
    assert_true(m->modern_loader);
    char got[512];
    tm_order(m, BL_START_BOOT, got, sizeof got);
    assert_string_equal(got, "Wdf01000,CNG,WdBoot,ACPI,bbe_tag2,bbe_tag1,sbe,loose");
    /* The same hive read as Windows 7: Core is just an unlisted group. */
    m->modern_loader = false;
    tm_order(m, BL_START_BOOT, got, sizeof got);
    assert_string_equal(got, "Wdf01000,bbe_tag2,bbe_tag1,sbe,WdBoot,loose,CNG,ACPI");
    bl_model_free(m);
}

#define SYSTEM_CLASS "{4d36e97d-e325-11ce-bfc1-08002be10318}"

/* A device starts when its whole stack is initialized.  A boot-start
 * filter that has not initialized is pulled forward (Vista and later: once
 * every driver of the groups before the filter's had its turn), so a filter
 * of a later group defers the device only while drivers of groups between
 * them initialize; a non-boot filter keeps it out of the boot phase. */
static void test_device_start_and_deferral(void **state)
{
    (void)state;
    static const char *const g4[] = {"Boot Bus Extender", "System Bus Extender", "SCSI miniport", "Filter"};
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, g4, 4);
    tm_driver(m, "bus", 0, "Boot Bus Extender", -1);
    tm_driver(m, "fn", 0, "System Bus Extender", -1);
    tm_driver(m, "mid", 0, "SCSI miniport", -1);
    tm_driver(m, "lateflt", 0, "Filter", -1);
    tm_driver(m, "zlast", 0, "Filter", -1);
    bl_model_set_sz(m, "Control\\Class\\" SYSTEM_CLASS, "Class", "System");
    const char *const up[] = {"lateflt"};
    bl_model_set_multi(m, "Control\\Class\\" SYSTEM_CLASS, "UpperFilters", up, 1);
    uint32_t root = tm_device(m, "HTREE\\ROOT\\0", NULL, NULL);
    uint32_t d = tm_device(m, "ROOT\\THING\\0000", SYSTEM_CLASS, "fn");
    assert_int_not_equal(root, BL_NONE);
    bl_model_build_tree(m);
    assert_int_equal(m->devices[d].parent, root);
    assert_int_equal(m->devices[d].parent_how, BL_PARENT_ROOT);
    bl_timeline *t = bl_simulate(m, NULL);
    uint32_t flt = bl_model_find_service(m, "lateflt"), fn = bl_model_find_service(m, "fn"),
             mid = bl_model_find_service(m, "mid");
    char got[256];
    tm_timeline_order(m, t, got, sizeof got);
    /* lateflt runs right after mid (the last driver before "Filter"): PnP
     * may call it only then, which is its own turn anyway, so it is not
     * "pulled forward" and the device waits for it. */
    assert_string_equal(got, "bus,fn,mid,lateflt,zlast");
    assert_int_equal(t->devices[d].phase, BL_PHASE_BOOT);
    assert_int_equal(t->devices[d].slot, bl_timeline_position(t, flt));
    assert_int_equal(t->devices[d].ready_slot, bl_timeline_position(t, fn));
    assert_int_equal(t->devices[d].deferred_by, flt);
    assert_int_equal(t->devices[d].pulled, BL_NONE);
    const bl_load *lf = &t->loads[t->services[flt].load];
    assert_false(lf->why & BL_WHY_PULLED);
    assert_true(bl_timeline_position(t, mid) < lf->position);
    bl_timeline_free(t);
    /* With a tagged group-mate whose turn comes first (GroupOrderList), the
     * same call is ahead of lateflt's turn: pulled forward, for the device. */
    const uint32_t ztag[] = {1};
    bl_model_set_dword(m, "Services\\zlast", "Tag", 1);
    tm_tags(m, "Filter", ztag, 1);
    t = bl_simulate(m, NULL);
    tm_timeline_order(m, t, got, sizeof got);
    assert_string_equal(got, "bus,fn,mid,lateflt,zlast");
    lf = &t->loads[t->services[flt].load];
    assert_true(lf->why & BL_WHY_PULLED);
    assert_int_equal(lf->for_device, d);
    assert_int_equal(t->devices[d].pulled, flt);
    assert_int_equal(t->devices[d].deferred_by, flt);
    bl_timeline_free(t);
    bl_model_delete_service_value(m, bl_model_find_service(m, "zlast"), "Tag");
    /* In the function driver's own group (after it), or an earlier one, the
     * filter is pulled as soon as the device is enumerated: no deferral. */
    bl_model_set_sz(m, "Services\\lateflt", "Group", "System Bus Extender");
    t = bl_simulate(m, NULL);
    tm_timeline_order(m, t, got, sizeof got);
    assert_string_equal(got, "bus,fn,lateflt,mid,zlast");
    assert_int_equal(t->devices[d].deferred_by, BL_NONE);
    /* (right after fn is lateflt's own turn too: nothing was overtaken) */
    assert_false(t->loads[t->services[flt].load].why & BL_WHY_PULLED);
    bl_timeline_free(t);
    bl_model_set_sz(m, "Services\\lateflt", "Group", "Filter");
    /* Windows XP pulls it at once, whatever its group. */
    bl_model_set_windows(m, BL_WIN_NT5);
    t = bl_simulate(m, NULL);
    tm_timeline_order(m, t, got, sizeof got);
    assert_string_equal(got, "bus,fn,lateflt,mid,zlast");
    assert_int_equal(t->pull_rule, BL_PULL_AT_ONCE);
    assert_int_equal(t->devices[d].deferred_by, BL_NONE);
    bl_timeline_free(t);
    bl_model_set_windows(m, BL_WIN_NT6);
    /* The same filter as demand start: the device moves to the PnP phase and
     * the filter is loaded there, for it. */
    bl_model_set_dword(m, "Services\\lateflt", "Start", 3);
    t = bl_simulate(m, NULL);
    assert_int_equal(t->devices[d].phase, BL_PHASE_PNP);
    assert_int_equal(t->devices[d].deferred_by, flt);
    assert_int_equal(t->services[flt].phase, BL_PHASE_PNP);
    assert_true(t->loads[t->services[flt].load].why & BL_WHY_DEVICE);
    bl_timeline_free(t);
    /* Disabled: the device never starts. */
    bl_model_set_dword(m, "Services\\lateflt", "Start", 4);
    t = bl_simulate(m, NULL);
    assert_int_equal(t->devices[d].phase, BL_PHASE_NEVER);
    assert_int_equal(t->devices[d].block, BL_BLOCK_DISABLED);
    bl_timeline_free(t);
    bl_model_free(m);
}

/* A lower filter is loaded before the function driver is even looked at
 * (PipCallDriverAddDevice's order): it is pulled as soon as it may be,
 * ahead of the function driver's own turn (PnP calls it as soon as it may). */
static void test_lower_filter_pulled_before_function(void **state)
{
    (void)state;
    static const char *const g[] = {"Boot Bus Extender", "System Bus Extender", "SCSI miniport"};
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, g, 3);
    tm_driver(m, "lowflt", 0, "System Bus Extender", -1);
    tm_driver(m, "aaa", 0, "Boot Bus Extender", -1);
    tm_driver(m, "fn", 0, "SCSI miniport", -1);
    tm_driver(m, "bbb", 0, "Boot Bus Extender", -1);
    bl_model_set_dword(m, "Services\\lowflt", "Tag", 9);
    const char *const low[] = {"lowflt"};
    tm_device(m, "HTREE\\ROOT\\0", NULL, NULL);
    uint32_t d = tm_device(m, "ROOT\\DISKCTL\\0000", SYSTEM_CLASS, "fn");
    bl_model_set_multi(m, "Enum\\ROOT\\DISKCTL\\0000", "LowerFilters", low, 1);
    bl_model_build_tree(m);
    bl_timeline *t = bl_simulate(m, NULL);
    char got[256];
    tm_timeline_order(m, t, got, sizeof got);
    /* After bbb (the last of the group before lowflt's), PnP calls lowflt
     * for the device, though fn comes later still; that is lowflt's own
     * turn, so it overtakes nobody (not "pulled forward"). */
    assert_string_equal(got, "aaa,bbb,lowflt,fn");
    assert_false(t->loads[t->services[bl_model_find_service(m, "lowflt")].load].why & BL_WHY_PULLED);
    assert_int_equal(t->devices[d].slot, bl_timeline_position(t, bl_model_find_service(m, "fn")));
    assert_int_equal(t->devices[d].deferred_by, BL_NONE);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_device_tree_from_parent_id_prefix(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, groups3, 3);
    tm_driver(m, "pci", 0, "Boot Bus Extender", -1);
    tm_driver(m, "stor", 3, "", -1);
    uint32_t bus = tm_device(m, "ACPI\\PNP0A03\\0", SYSTEM_CLASS, "pci");
    bl_model_set_sz(m, "Enum\\ACPI\\PNP0A03\\0", "ParentIdPrefix", "3&61aaa01&0");
    uint32_t ctl = tm_device(m, "PCI\\VEN_1000&DEV_0054\\3&61AAA01&0&A8", NULL, "stor");
    uint32_t orphan = tm_device(m, "USB\\VID_1234&PID_5678\\SERIAL123", NULL, NULL);
    bl_model_build_tree(m);
    assert_int_equal(m->devices[ctl].parent, bus);
    assert_int_equal(m->devices[ctl].parent_how, BL_PARENT_PREFIX);
    assert_int_equal(m->devices[orphan].parent, BL_NONE);
    bl_timeline *t = bl_simulate(m, NULL);
    /* The child waits for its parent; its demand-start driver loads in PnP. */
    assert_int_equal(t->devices[bus].phase, BL_PHASE_BOOT);
    assert_int_equal(t->devices[ctl].phase, BL_PHASE_PNP);
    assert_true(t->devices[ctl].slot >= t->devices[bus].slot);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_device_tree_loop_is_cut(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_device(m, "X\\A\\1&aa&0&1", NULL, NULL);
    bl_model_set_sz(m, "Enum\\X\\A\\1&aa&0&1", "ParentIdPrefix", "2&bb&0");
    tm_device(m, "X\\B\\2&bb&0&1", NULL, NULL);
    bl_model_set_sz(m, "Enum\\X\\B\\2&bb&0&1", "ParentIdPrefix", "1&aa&0");
    bl_model_build_tree(m);
    /* Walking up from any device terminates. */
    for (uint32_t i = 0; i < m->ndevices; i++) {
        uint32_t steps = 0;
        for (uint32_t p = m->devices[i].parent; p != BL_NONE; p = m->devices[p].parent)
            assert_true(++steps <= m->ndevices);
    }
    assert_true(m->nanomalies >= 1);
    bl_timeline *t = bl_simulate(m, NULL);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_scm_dependencies_and_cycle(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Early", "Late"};
    tm_groups(m, g, 2);
    bl_model_set_dword(m, "Services\\web", "Type", 0x20);
    bl_model_set_dword(m, "Services\\web", "Start", 2);
    bl_model_set_sz(m, "Services\\web", "Group", "Early");
    const char *const dep[] = {"db"};
    bl_model_set_multi(m, "Services\\web", "DependOnService", dep, 1);
    bl_model_set_dword(m, "Services\\db", "Type", 0x10);
    bl_model_set_dword(m, "Services\\db", "Start", 3); /* demand: started as a dependency */
    bl_model_set_dword(m, "Services\\late", "Type", 0x10);
    bl_model_set_dword(m, "Services\\late", "Start", 2);
    bl_model_set_dword(m, "Services\\late", "DelayedAutostart", 1);
    bl_model_set_dword(m, "Services\\p", "Type", 0x10);
    bl_model_set_dword(m, "Services\\p", "Start", 2);
    bl_model_set_dword(m, "Services\\q", "Type", 0x10);
    bl_model_set_dword(m, "Services\\q", "Start", 2);
    const char *const dq[] = {"q"}, *const dp[] = {"p"};
    bl_model_set_multi(m, "Services\\p", "DependOnService", dq, 1);
    bl_model_set_multi(m, "Services\\q", "DependOnService", dp, 1);
    bl_timeline *t = bl_simulate(m, NULL);
    uint32_t web = bl_model_find_service(m, "web"), db = bl_model_find_service(m, "db");
    uint32_t late = bl_model_find_service(m, "late"), p = bl_model_find_service(m, "p");
    assert_true(bl_timeline_position(t, db) > 0);
    assert_true(bl_timeline_position(t, db) < bl_timeline_position(t, web));
    assert_true(t->loads[t->services[db].load].why & BL_WHY_DEPENDENCY);
    assert_int_equal(t->services[late].phase, BL_PHASE_DELAYED);
    assert_true(bl_timeline_position(t, late) > bl_timeline_position(t, web));
    assert_int_equal(t->services[p].phase, BL_PHASE_NEVER);
    assert_int_equal(t->services[p].block, BL_BLOCK_CYCLE);
    assert_int_equal(t->ncycles, 1);
    bl_timeline_free(t);
    bl_model_free(m);
}

static bl_model *scm_svc(bl_model *m, const char *name, int start, const char *group)
{
    char key[128];
    snprintf(key, sizeof key, "Services\\%s", name);
    bl_model_set_dword(m, key, "Type", 0x10);
    bl_model_set_dword(m, key, "Start", (uint32_t)start);
    if (group)
        bl_model_set_sz(m, key, "Group", group);
    return m;
}

/* The SCM's group dependencies (the XP SCM's depend.cxx): a group with no
 * member fails the dependent; an earlier group has its unstarted members
 * started (demand ones too); its own or a later group not started yet is a
 * circular dependency.  A delayed service with a group is not delayed. */
static void test_scm_groups_and_delayed(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Early", "Mine", "Late"};
    tm_groups(m, g, 3);
    scm_svc(m, "member", 3, "Early");     /* demand start: started for the group */
    scm_svc(m, "lateone", 2, "Late");
    scm_svc(m, "needs_early", 2, "Mine");
    scm_svc(m, "needs_none", 2, "Mine");
    scm_svc(m, "needs_late", 2, "Mine");
    scm_svc(m, "needs_own", 2, "Mine");
    const char *const early[] = {"Early"}, *const none[] = {"NoSuchGroup"}, *const late[] = {"Late"},
                      *const own[] = {"Mine"};
    bl_model_set_multi(m, "Services\\needs_early", "DependOnGroup", early, 1);
    bl_model_set_multi(m, "Services\\needs_none", "DependOnGroup", none, 1);
    bl_model_set_multi(m, "Services\\needs_late", "DependOnGroup", late, 1);
    bl_model_set_multi(m, "Services\\needs_own", "DependOnGroup", own, 1);
    scm_svc(m, "delayed_grouped", 2, "Late");
    bl_model_set_dword(m, "Services\\delayed_grouped", "DelayedAutostart", 1);
    scm_svc(m, "delayed_plain", 2, NULL);
    bl_model_set_dword(m, "Services\\delayed_plain", "DelayedAutostart", 1);
    bl_timeline *t = bl_simulate(m, NULL);
#define SVC(n) bl_model_find_service(m, n)
    assert_true(bl_timeline_position(t, SVC("member")) > 0);
    assert_true(t->loads[t->services[SVC("member")].load].why & BL_WHY_DEPENDENCY);
    assert_true(bl_timeline_position(t, SVC("member")) < bl_timeline_position(t, SVC("needs_early")));
    assert_int_equal(t->services[SVC("needs_none")].phase, BL_PHASE_NEVER);
    assert_int_equal(t->services[SVC("needs_none")].block, BL_BLOCK_DEPENDENCY);
    assert_int_equal(t->services[SVC("needs_late")].phase, BL_PHASE_NEVER);
    assert_int_equal(t->services[SVC("needs_late")].block, BL_BLOCK_GROUP_ORDER);
    /* Its own group: the other members have not all started. */
    assert_int_equal(t->services[SVC("needs_own")].block, BL_BLOCK_GROUP_ORDER);
    assert_int_equal(t->services[SVC("delayed_grouped")].phase, BL_PHASE_AUTO);
    assert_int_equal(t->services[SVC("delayed_plain")].phase, BL_PHASE_DELAYED);
#undef SVC
    bl_timeline_free(t);
    bl_model_free(m);
}

/* Where the PnP pass goes relative to the Start=1 list: before it on
 * Windows 2000/XP/2003 (IopInitializeSystemDrivers), after it on Windows
 * 10 (and Vista/7, modelled alike). */
static void test_pnp_pass_and_system_list(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_groups(m, groups3, 3);
    tm_driver(m, "bus", 0, "Boot Bus Extender", -1);
    tm_driver(m, "legacy", 1, "Filter", -1);   /* system start, no device */
    tm_driver(m, "devdrv", 3, "", -1);         /* demand start, for a device */
    tm_device(m, "HTREE\\ROOT\\0", NULL, NULL);
    tm_device(m, "ROOT\\THING\\0000", SYSTEM_CLASS, "devdrv");
    bl_model_build_tree(m);
    uint32_t legacy = bl_model_find_service(m, "legacy"), dev = bl_model_find_service(m, "devdrv");
    bl_model_set_windows(m, BL_WIN_NT5);
    bl_timeline *t = bl_simulate(m, NULL);
    assert_true(t->pnp_before_system);
    assert_true(bl_timeline_position(t, dev) < bl_timeline_position(t, legacy));
    bl_timeline_free(t);
    bl_model_set_windows(m, BL_WIN_10);
    t = bl_simulate(m, NULL);
    assert_false(t->pnp_before_system);
    assert_true(bl_timeline_position(t, legacy) < bl_timeline_position(t, dev));
    /* The device starts in the pass, after the whole Start=1 list. */
    uint32_t d = bl_model_find_device(m, "ROOT\\THING\\0000");
    assert_true(t->devices[d].slot >= bl_timeline_position(t, legacy));
    bl_timeline_free(t);
    bl_model_free(m);
}

/* XP's loader adds the boot file system whatever its Start (Ntfs has
 * Start=4 on XP installs that boot from NTFS). */
static void test_boot_fs_whatever_its_start(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *const g[] = {"Boot Bus Extender", "File system"};
    tm_groups(m, g, 2);
    tm_driver(m, "bus", 0, "Boot Bus Extender", -1);
    bl_model_set_dword(m, "Services\\Ntfs", "Type", 2);
    bl_model_set_dword(m, "Services\\Ntfs", "Start", 4);
    bl_model_set_sz(m, "Services\\Ntfs", "Group", "File system");
    bl_timeline *t = bl_simulate(m, NULL);
    uint32_t ntfs = bl_model_find_service(m, "Ntfs");
    assert_int_equal(t->services[ntfs].phase, BL_PHASE_BOOT);
    assert_true(t->loads[t->services[ntfs].load].why & BL_WHY_BOOT_FS);
    assert_int_equal(t->services[ntfs].block, BL_BLOCK_NONE);
    bl_timeline_free(t);
    bl_model_free(m);
}

static void test_clone_is_independent(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "a", 0, "G", -1);
    bl_model *c = bl_model_clone(m);
    bl_model_set_dword(c, "Services\\a", "Start", 4);
    tm_driver(c, "b", 0, "G", -1);
    assert_int_equal(m->services[bl_model_find_service(m, "a")].start, 0);
    assert_int_equal(bl_model_find_service(m, "b"), BL_NONE);
    assert_int_equal(c->services[bl_model_find_service(c, "a")].start, 4);
    bl_model_free(c);
    bl_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_then_tag_order),
        cmocka_unit_test(test_untagged_and_unlisted_tags),
        cmocka_unit_test(test_ties_keep_registry_order),
        cmocka_unit_test(test_ungrouped_and_unlisted_groups_last_reversed),
        cmocka_unit_test(test_group_listed_twice_takes_first_place),
        cmocka_unit_test(test_start_types_and_win32_excluded),
        cmocka_unit_test(test_boot_fs_and_bootflags_promotion),
        cmocka_unit_test(test_scenario_names),
        cmocka_unit_test(test_start_override),
        cmocka_unit_test(test_modern_loader),
        cmocka_unit_test(test_device_start_and_deferral),
        cmocka_unit_test(test_lower_filter_pulled_before_function),
        cmocka_unit_test(test_device_tree_from_parent_id_prefix),
        cmocka_unit_test(test_device_tree_loop_is_cut),
        cmocka_unit_test(test_scm_dependencies_and_cycle),
        cmocka_unit_test(test_scm_groups_and_delayed),
        cmocka_unit_test(test_pnp_pass_and_system_list),
        cmocka_unit_test(test_boot_fs_whatever_its_start),
        cmocka_unit_test(test_clone_is_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

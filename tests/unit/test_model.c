/* test_model.c — the boot model: every setter interprets a raw registry value
 * as the loader does (wrong types read tolerantly and recorded as
 * anomalies), bl_model_apply_value/apply_delete route every path kind the
 * model tracks (with HKLM\SYSTEM\CurrentControlSet-style prefixes) and
 * refuse the rest, GroupOrderList bounds, service removal and clones.  Then
 * loading: generated hives (control-set selection, refusal of other hive
 * kinds, a hive without Select, minifilter instances in both layouts, class
 * GUIDs in different case, StartOverride, the ParentIdPrefix tree) and the
 * real hives in ../shared (skipped when absent), where the Windows 10 boot
 * list is checked against the hive read directly through the hive API. */
#include "bootlens/hive.h"
#include "bootlens/model.h"
#include "bootlens/sim.h"

#include "testutil.h"

/* ---- helpers ---- */

static const uint8_t *le32(uint32_t v, uint8_t b[4])
{
    b[0] = (uint8_t)v, b[1] = (uint8_t)(v >> 8), b[2] = (uint8_t)(v >> 16), b[3] = (uint8_t)(v >> 24);
    return b;
}

/* Raw value bytes built in static buffers.  SZ(s) and MSZ(items) expand to
 * the two arguments "data, size" of a setter; each half computes the same
 * bytes on its own, so the order C evaluates arguments in does not matter. */
typedef struct raw {
    const uint8_t *p;
    size_t n;
} raw;

/* UTF-16LE of a string with its terminator (rotating buffers). */
static raw sz_raw(const char *s)
{
    static uint8_t bufs[16][512];
    static int k;
    uint8_t *b = bufs[k++ % 16];
    bl_sb w = {0};
    bl_utf8_to_utf16le(s, strlen(s) + 1, &w);
    assert_true(w.len <= sizeof bufs[0]);
    memcpy(b, w.buf, w.len);
    raw r = {b, w.len};
    bl_sb_free(&w);
    return r;
}

/* UTF-16LE multi-string from items separated by '|' ("a||b" has an empty
 * item), with the final NUL. */
static raw msz_raw(const char *items)
{
    static uint8_t bufs[16][1024];
    static int j;
    uint8_t *b = bufs[j++ % 16];
    size_t k = 0;
    const char *p = items;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        for (size_t i = 0; i < len; i++)
            b[k++] = (uint8_t)p[i], b[k++] = 0;
        b[k++] = 0, b[k++] = 0;
        if (!bar)
            break;
        p = bar + 1;
    }
    b[k++] = 0, b[k++] = 0;
    raw r = {b, k};
    return r;
}

#define SZ(s) sz_raw(s).p, sz_raw(s).n
#define MSZ(s) msz_raw(s).p, msz_raw(s).n

static const char *str(const bl_model *m, bl_str s)
{
    return bl_model_str(m, s);
}

/* "a,b,c" of a string vector. */
static const char *vec_text(const bl_model *m, bl_vec v)
{
    static char buf[1024];
    buf[0] = '\0';
    size_t len = 0;
    uint32_t n = bl_pool_vec_len(m->pool, v);
    const uint32_t *it = bl_pool_vec_items(m->pool, v);
    for (uint32_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? "," : "", str(m, it[i]));
    return buf;
}

/* The index of the first anomaly whose path equals `path` and whose text
 * contains `what`, or -1. */
static int anomaly(const bl_model *m, const char *path, const char *what)
{
    for (uint32_t i = 0; i < m->nanomalies; i++)
        if (strcmp(str(m, m->anomalies[i].path), path) == 0 && strstr(str(m, m->anomalies[i].what), what))
            return (int)i;
    return -1;
}

static void dump_anomalies(const bl_model *m)
{
    for (uint32_t i = 0; i < m->nanomalies; i++)
        fprintf(stderr, "  anomaly %s: %s\n", str(m, m->anomalies[i].path), str(m, m->anomalies[i].what));
}

#define ASSERT_ANOMALY(m, path, what)                                                             \
    do {                                                                                          \
        if (anomaly((m), (path), (what)) < 0) {                                                   \
            dump_anomalies(m);                                                                    \
            fail_msg("no anomaly at %s mentioning \"%s\"", (path), (what));                       \
        }                                                                                         \
    } while (0)

/* ---- service values ---- */

static void test_start_values(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    uint32_t s = bl_model_add_service(m, "Drv");
    assert_int_equal(m->services[s].start, BL_START_UNKNOWN); /* no Start yet */
    uint8_t b[4];
    assert_true(bl_model_set_service_value(m, s, "Start", BL_REG_DWORD, le32(2, b), 4));
    assert_int_equal(m->services[s].start, BL_START_AUTO);
    assert_int_equal(m->nanomalies, 0);
    /* REG_SZ "3": read as 3, recorded. */
    assert_true(bl_model_set_service_value(m, s, "Start", BL_REG_SZ, SZ("3")));
    assert_int_equal(m->services[s].start, BL_START_DEMAND);
    assert_int_equal(m->services[s].start_value, BL_START_DEMAND);
    assert_int_equal(m->nanomalies, 1);
    ASSERT_ANOMALY(m, "Services\\Drv", "REG_SZ");
    ASSERT_ANOMALY(m, "Services\\Drv", "Start");
    /* Start=9: not a start type. */
    assert_true(bl_model_set_service_value(m, s, "start", BL_REG_DWORD, le32(9, b), 4));
    assert_int_equal(m->services[s].start, BL_START_UNKNOWN);
    assert_int_equal(m->services[s].start_value, BL_START_UNKNOWN);
    assert_int_equal(m->nanomalies, 2);
    ASSERT_ANOMALY(m, "Services\\Drv", "9");
    /* Unreadable: ignored (the previous value stays), recorded. */
    assert_true(bl_model_set_service_value(m, s, "START", BL_REG_DWORD, le32(1, b), 4));
    assert_false(bl_model_set_service_value(m, s, "Start", BL_REG_SZ, SZ("boot")));
    assert_int_equal(m->services[s].start, BL_START_SYSTEM);
    assert_int_equal(m->nanomalies, 3);
    ASSERT_ANOMALY(m, "Services\\Drv", "cannot be read");
    assert_false(bl_model_set_service_value(m, s, "Start", BL_REG_BINARY, b, 3));
    assert_int_equal(m->services[s].start, BL_START_SYSTEM);
    /* Every valid start type. */
    for (uint32_t v = 0; v <= 4; v++) {
        assert_true(bl_model_set_service_value(m, s, "Start", BL_REG_DWORD, le32(v, b), 4));
        assert_int_equal(m->services[s].start, (int32_t)v);
    }
    /* A service index out of range is refused. */
    assert_false(bl_model_set_service_value(m, 99, "Start", BL_REG_DWORD, le32(0, b), 4));
    bl_model_free(m);
}

static void test_other_service_values(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    uint32_t s = bl_model_add_service(m, "svc");
    const bl_service *v = &m->services[s];
    uint8_t b[4];
    assert_true(bl_model_set_service_value(m, s, "Type", BL_REG_DWORD, le32(0x20, b), 4));
    assert_true(v->has_type);
    assert_int_equal(v->type, 0x20);
    assert_true(bl_model_set_service_value(m, s, "Type", BL_REG_SZ, SZ("0x10")));
    assert_int_equal(v->type, 0x10);
    ASSERT_ANOMALY(m, "Services\\svc", "Type");
    assert_true(bl_model_set_service_value(m, s, "ErrorControl", BL_REG_DWORD, le32(3, b), 4));
    assert_true(v->has_error_control);
    assert_int_equal(v->error_control, 3);
    assert_true(bl_model_set_service_value(m, s, "Group", BL_REG_SZ, SZ("Boot Bus Extender")));
    assert_string_equal(str(m, v->group), "Boot Bus Extender");
    /* An empty Group is no group. */
    assert_true(bl_model_set_service_value(m, s, "Group", BL_REG_SZ, SZ("")));
    assert_int_equal(v->group, 0);
    /* REG_MULTI_SZ where a string belongs: its first non-empty item, recorded. */
    uint32_t before = m->nanomalies;
    assert_true(bl_model_set_service_value(m, s, "Group", BL_REG_MULTI_SZ, MSZ("|Filter|Base")));
    assert_string_equal(str(m, v->group), "Filter");
    assert_int_equal(m->nanomalies, before + 1);
    ASSERT_ANOMALY(m, "Services\\svc", "Group is REG_MULTI_SZ");
    assert_true(bl_model_set_service_value(m, s, "Tag", BL_REG_DWORD, le32(7, b), 4));
    assert_true(v->has_tag);
    assert_int_equal(v->tag, 7);
    /* REG_EXPAND_SZ is a string type: no anomaly. */
    before = m->nanomalies;
    assert_true(bl_model_set_service_value(m, s, "ImagePath", BL_REG_EXPAND_SZ,
                                           SZ("\\SystemRoot\\System32\\drivers\\x.sys")));
    assert_string_equal(str(m, v->image_path), "\\SystemRoot\\System32\\drivers\\x.sys");
    assert_true(bl_model_set_service_value(m, s, "DisplayName", BL_REG_SZ, SZ("The X")));
    assert_string_equal(str(m, v->display_name), "The X");
    assert_int_equal(m->nanomalies, before);
    assert_true(bl_model_set_service_value(m, s, "BootFlags", BL_REG_DWORD, le32(4, b), 4));
    assert_true(v->has_boot_flags);
    assert_int_equal(v->boot_flags, 4);
    assert_true(bl_model_set_service_value(m, s, "DelayedAutostart", BL_REG_DWORD, le32(1, b), 4));
    assert_true(v->delayed_autostart);
    assert_true(bl_model_set_service_value(m, s, "DelayedAutostart", BL_REG_DWORD, le32(0, b), 4));
    assert_false(v->delayed_autostart);
    /* Values the boot model does not track: not understood, not anomalies. */
    before = m->nanomalies;
    assert_false(bl_model_set_service_value(m, s, "Description", BL_REG_SZ, SZ("x")));
    assert_false(bl_model_set_service_value(m, s, "ObjectName", BL_REG_DWORD, le32(1, b), 4));
    assert_int_equal(m->nanomalies, before);
    bl_model_free(m);
}

static void test_dependencies(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    uint32_t s = bl_model_add_service(m, "web");
    const bl_service *v = &m->services[s];
    /* Empty items and blank-only items name nothing. */
    assert_true(bl_model_set_service_value(m, s, "DependOnService", BL_REG_MULTI_SZ,
                                           MSZ("|db||  |cache|")));
    assert_true(v->has_depend_on_service);
    assert_string_equal(vec_text(m, v->depend_on_service), "db,cache");
    assert_int_equal(m->nanomalies, 0);
    /* REG_SZ: a one-item list, recorded. */
    assert_true(bl_model_set_service_value(m, s, "DependOnService", BL_REG_SZ, SZ("vsock")));
    assert_string_equal(vec_text(m, v->depend_on_service), "vsock");
    assert_int_equal(m->nanomalies, 1);
    ASSERT_ANOMALY(m, "Services\\web", "DependOnService is REG_SZ");
    assert_true(bl_model_set_service_value(m, s, "DependOnGroup", BL_REG_MULTI_SZ, MSZ("NetBIOSGroup")));
    assert_true(v->has_depend_on_group);
    assert_string_equal(vec_text(m, v->depend_on_group), "NetBIOSGroup");
    /* An empty list is declared but empty. */
    assert_true(bl_model_set_service_value(m, s, "DependOnGroup", BL_REG_MULTI_SZ, MSZ("")));
    assert_true(v->has_depend_on_group);
    assert_int_equal(bl_pool_vec_len(m->pool, v->depend_on_group), 0);
    /* A DWORD is not a list: ignored, recorded. */
    uint8_t b[4];
    assert_false(bl_model_set_service_value(m, s, "DependOnService", BL_REG_DWORD, le32(1, b), 4));
    assert_string_equal(vec_text(m, v->depend_on_service), "vsock");
    ASSERT_ANOMALY(m, "Services\\web", "cannot be read as a string list");
    bl_model_free(m);
}

static void test_delete_service_values(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    uint32_t s = tm_driver(m, "d", 0, "G", 5);
    const char *const deps[] = {"x"};
    bl_model_set_multi(m, "Services\\d", "DependOnService", deps, 1);
    bl_model_set_multi(m, "Services\\d", "DependOnGroup", deps, 1);
    bl_model_set_dword(m, "Services\\d", "BootFlags", 1);
    bl_model_set_sz(m, "Services\\d", "ImagePath", "x.sys");
    const bl_service *v = &m->services[s];
    bl_model_delete_service_value(m, s, "START");
    assert_int_equal(v->start, BL_START_UNKNOWN);
    bl_model_delete_service_value(m, s, "Tag");
    assert_false(v->has_tag);
    bl_model_delete_service_value(m, s, "Group");
    assert_int_equal(v->group, 0);
    bl_model_delete_service_value(m, s, "DependOnService");
    assert_false(v->has_depend_on_service);
    assert_int_equal(bl_pool_vec_len(m->pool, v->depend_on_service), 0);
    bl_model_delete_service_value(m, s, "DependOnGroup");
    assert_false(v->has_depend_on_group);
    bl_model_delete_service_value(m, s, "BootFlags");
    assert_false(v->has_boot_flags);
    bl_model_delete_service_value(m, s, "ImagePath");
    assert_int_equal(v->image_path, 0);
    bl_model_set_sz(m, "Services\\d", "DisplayName", "D");
    assert_int_not_equal(v->display_name, 0);
    bl_model_delete_service_value(m, s, "DisplayName");
    assert_int_equal(v->display_name, 0);
    bl_model_delete_service_value(m, s, "Type");
    assert_false(v->has_type);
    bl_model_delete_service_value(m, 42, "Start"); /* out of range: no-op */
    bl_model_free(m);
}

static void test_start_override(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    m->has_hardware_config = true;
    m->hardware_config_id = 2;
    uint32_t s = tm_driver(m, "miniport", 0, "", -1);
    uint8_t b[4];
    /* Another configuration's override does not count. */
    bl_model_set_start_override(m, s, "1", BL_REG_DWORD, le32(4, b), 4);
    assert_false(m->services[s].has_start_override);
    assert_int_equal(m->services[s].start, BL_START_BOOT);
    bl_model_set_start_override(m, s, "2", BL_REG_DWORD, le32(3, b), 4);
    assert_true(m->services[s].has_start_override);
    assert_int_equal(m->services[s].start_override, 3);
    assert_int_equal(m->services[s].start, BL_START_DEMAND);
    assert_int_equal(m->services[s].start_value, BL_START_BOOT);
    /* The override keeps winning when Start changes afterwards. */
    bl_model_set_dword(m, "Services\\miniport", "Start", 1);
    assert_int_equal(m->services[s].start, BL_START_DEMAND);
    assert_int_equal(m->services[s].start_value, BL_START_SYSTEM);
    /* An override that is not a start type leaves Start in charge. */
    bl_model_set_start_override(m, s, "2", BL_REG_DWORD, le32(7, b), 4);
    assert_int_equal(m->services[s].start, BL_START_SYSTEM);
    /* Read tolerantly, like Start. */
    bl_model_set_start_override(m, s, "2", BL_REG_SZ, SZ("4"));
    assert_int_equal(m->services[s].start, BL_START_DISABLED);
    ASSERT_ANOMALY(m, "Services\\miniport\\StartOverride", "REG_SZ");
    bl_model_free(m);
}

/* ---- class, device, control values ---- */

static void test_class_values(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    uint32_t c = bl_model_add_class(m, "{4D36E97D-E325-11CE-BFC1-08002BE10318}");
    assert_string_equal(str(m, m->classes[c].guid), "{4D36E97D-E325-11CE-BFC1-08002BE10318}"); /* as spelled */
    assert_string_equal(str(m, m->classes[c].key), BL_GUID_SYSTEM);                            /* folded */
    assert_int_equal(bl_model_find_class(m, BL_GUID_SYSTEM), c);
    assert_int_equal(bl_model_find_class(m, "{4d36E97D-e325-11CE-BFC1-08002be10318}"), c);
    /* Adding the same class in another case finds the first. */
    assert_int_equal(bl_model_add_class(m, BL_GUID_SYSTEM), c);
    /* Without braces too. */
    assert_int_equal(bl_model_add_class(m, "4d36e97d-e325-11ce-bfc1-08002be10318"), c);
    assert_int_equal(m->nclasses, 1);
    assert_true(bl_model_set_class_value(m, c, "Class", BL_REG_SZ, SZ("System")));
    assert_string_equal(str(m, m->classes[c].name), "System");
    assert_true(bl_model_set_class_value(m, c, "UpperFilters", BL_REG_MULTI_SZ, MSZ("|vmflt||")));
    assert_true(m->classes[c].has_upper);
    assert_string_equal(vec_text(m, m->classes[c].upper), "vmflt");
    assert_true(bl_model_set_class_value(m, c, "LowerFilters", BL_REG_SZ, SZ("lowflt")));
    assert_string_equal(vec_text(m, m->classes[c].lower), "lowflt");
    ASSERT_ANOMALY(m, "Control\\Class\\{4D36E97D-E325-11CE-BFC1-08002BE10318}", "LowerFilters is REG_SZ");
    assert_false(bl_model_set_class_value(m, c, "Icon", BL_REG_SZ, SZ("1")));
    bl_model_delete_class_value(m, c, "upperfilters");
    assert_false(m->classes[c].has_upper);
    assert_int_equal(m->classes[c].upper, 0);
    bl_model_delete_class_value(m, c, "LowerFilters");
    assert_false(m->classes[c].has_lower);
    bl_model_delete_class_value(m, c, "Class");
    assert_int_equal(m->classes[c].name, 0);
    assert_false(bl_model_set_class_value(m, 5, "Class", BL_REG_SZ, SZ("x")));
    bl_model_free(m);
}

static void test_device_values(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *id = "PCI\\VEN_8086&DEV_100E\\3&267A616A&0&18";
    uint32_t d = bl_model_add_device(m, id);
    assert_int_equal(bl_model_find_device(m, "pci\\ven_8086&dev_100e\\3&267a616a&0&18"), d);
    assert_int_equal(bl_model_add_device(m, "PCI\\ven_8086&DEV_100E\\3&267a616a&0&18"), d);
    assert_int_equal(m->devices[d].parent, BL_NONE);
    const bl_device *v = &m->devices[d];
    uint8_t b[4];
    /* ClassGUID is stored folded, with braces. */
    assert_true(bl_model_set_device_value(m, d, "ClassGUID", BL_REG_SZ, SZ("{4D36E972-E325-11CE-BFC1-08002BE10318}")));
    assert_string_equal(str(m, v->class_guid), "{4d36e972-e325-11ce-bfc1-08002be10318}");
    assert_true(bl_model_set_device_value(m, d, "ClassGUID", BL_REG_SZ, SZ("4D36E97B-E325-11CE-BFC1-08002BE10318")));
    assert_string_equal(str(m, v->class_guid), BL_GUID_SCSIADAPTER);
    assert_true(bl_model_set_device_value(m, d, "Service", BL_REG_SZ, SZ("E1G60")));
    assert_string_equal(str(m, v->service), "E1G60");
    assert_true(bl_model_set_device_value(m, d, "UpperFilters", BL_REG_MULTI_SZ, MSZ("u1||u2")));
    assert_string_equal(vec_text(m, v->upper), "u1,u2");
    assert_true(bl_model_set_device_value(m, d, "LowerFilters", BL_REG_MULTI_SZ, MSZ("l1")));
    assert_string_equal(vec_text(m, v->lower), "l1");
    assert_true(bl_model_set_device_value(m, d, "HardwareID", BL_REG_MULTI_SZ, MSZ("PCI\\VEN_8086&DEV_100E|PCI\\VEN_8086")));
    assert_int_equal(bl_pool_vec_len(m->pool, v->hardware_ids), 2);
    assert_true(bl_model_set_device_value(m, d, "CompatibleIDs", BL_REG_MULTI_SZ, MSZ("PCI\\CC_0200")));
    assert_int_equal(bl_pool_vec_len(m->pool, v->compatible_ids), 1);
    assert_true(bl_model_set_device_value(m, d, "ConfigFlags", BL_REG_DWORD, le32(1, b), 4));
    assert_true(v->has_config_flags);
    assert_int_equal(v->config_flags, 1);
    assert_true(bl_model_set_device_value(m, d, "ParentIdPrefix", BL_REG_SZ, SZ("4&1234&0")));
    assert_string_equal(str(m, v->parent_id_prefix), "4&1234&0");
    assert_true(bl_model_set_device_value(m, d, "Driver", BL_REG_SZ, SZ("{4d36e972-e325-11ce-bfc1-08002be10318}\\0001")));
    /* Descriptions: the readable part of an indirect string; FriendlyName wins. */
    assert_true(bl_model_set_device_value(m, d, "DeviceDesc", BL_REG_SZ, SZ("@net1ic64.inf,%e1000%;Intel(R) PRO/1000")));
    assert_string_equal(str(m, v->description), "Intel(R) PRO/1000");
    assert_true(bl_model_set_device_value(m, d, "FriendlyName", BL_REG_SZ, SZ("NIC #2")));
    assert_string_equal(str(m, v->description), "NIC #2");
    assert_true(bl_model_set_device_value(m, d, "DeviceDesc", BL_REG_SZ, SZ("Other")));
    assert_string_equal(str(m, v->description), "NIC #2");
    assert_false(bl_model_set_device_value(m, d, "Mfg", BL_REG_SZ, SZ("Intel")));
    bl_model_delete_device_value(m, d, "UpperFilters");
    assert_int_equal(v->upper, 0);
    bl_model_delete_device_value(m, d, "LowerFilters");
    assert_int_equal(v->lower, 0);
    bl_model_delete_device_value(m, d, "Service");
    assert_int_equal(v->service, 0);
    bl_model_delete_device_value(m, d, "ClassGUID");
    assert_int_equal(v->class_guid, 0);
    assert_false(bl_model_set_device_value(m, 3, "Service", BL_REG_SZ, SZ("x")));
    bl_model_free(m);
}

static void test_group_order_values(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_model_set_group_order(m, BL_REG_MULTI_SZ, MSZ("A||B| |C"));
    assert_true(m->has_group_order);
    assert_string_equal(vec_text(m, m->group_order), "A,B,C");
    assert_int_equal(bl_model_group_rank(m, bl_model_intern(m, "b")), 1);
    assert_int_equal(bl_model_group_rank(m, bl_model_intern(m, "D")), BL_NONE);
    assert_int_equal(bl_model_group_rank(m, 0), BL_NONE);
    assert_int_equal(m->nanomalies, 0);
    bl_model_set_group_order(m, BL_REG_SZ, SZ("Only"));
    assert_string_equal(vec_text(m, m->group_order), "Only");
    ASSERT_ANOMALY(m, "Control\\ServiceGroupOrder", "List is REG_SZ");
    uint8_t b[4];
    bl_model_set_group_order(m, BL_REG_DWORD, le32(1, b), 4);
    assert_string_equal(vec_text(m, m->group_order), "Only"); /* unreadable: kept */
    bl_model_free(m);
}

static void set_tags_raw(bl_model *m, const char *group, uint32_t type, const uint32_t *words, uint32_t nwords,
                         size_t extra_bytes)
{
    uint8_t buf[256];
    for (uint32_t i = 0; i < nwords; i++)
        le32(words[i], buf + 4 * i);
    bl_model_set_group_tags(m, group, type, buf, 4 * (size_t)nwords + extra_bytes);
}

static void test_group_order_list(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const uint32_t ok[] = {3, 7, 5, 6};
    set_tags_raw(m, "Boot Bus Extender", BL_REG_BINARY, ok, 4, 0);
    assert_int_equal(m->nanomalies, 0);
    const bl_group_tags *gt = bl_model_group_tags(m, bl_model_intern(m, "boot bus EXTENDER"));
    assert_non_null(gt);
    assert_int_equal(bl_pool_vec_len(m->pool, gt->tags), 3);
    assert_int_equal(bl_pool_vec_items(m->pool, gt->tags)[0], 7);
    assert_int_equal(bl_pool_vec_items(m->pool, gt->tags)[2], 6);
    /* A count larger than the data: bounded by the data, recorded. */
    const uint32_t over[] = {50, 1, 2};
    set_tags_raw(m, "Over", BL_REG_BINARY, over, 3, 2 /* and a ragged tail */);
    gt = bl_model_group_tags(m, bl_model_intern(m, "Over"));
    assert_non_null(gt);
    assert_int_equal(bl_pool_vec_len(m->pool, gt->tags), 2);
    ASSERT_ANOMALY(m, "Control\\GroupOrderList", "Over announces 50 tags but holds 2");
    /* A hostile count does not make it allocate or read for 4 billion tags. */
    const uint32_t huge[] = {0xFFFFFFFFu, 9};
    set_tags_raw(m, "Huge", BL_REG_BINARY, huge, 2, 0);
    gt = bl_model_group_tags(m, bl_model_intern(m, "Huge"));
    assert_int_equal(bl_pool_vec_len(m->pool, gt->tags), 1);
    /* A count smaller than the data: only the counted tags. */
    const uint32_t under[] = {1, 4, 8};
    set_tags_raw(m, "Under", BL_REG_BINARY, under, 3, 0);
    gt = bl_model_group_tags(m, bl_model_intern(m, "Under"));
    assert_int_equal(bl_pool_vec_len(m->pool, gt->tags), 1);
    /* Too short for a count: ignored, recorded. */
    uint32_t before = m->ngroup_tags;
    set_tags_raw(m, "Short", BL_REG_BINARY, under, 0, 3);
    assert_int_equal(m->ngroup_tags, before);
    ASSERT_ANOMALY(m, "Control\\GroupOrderList", "Short is 3 bytes");
    /* A wrong type is read anyway, and recorded. */
    set_tags_raw(m, "Typed", BL_REG_DWORD, ok, 2, 0);
    ASSERT_ANOMALY(m, "Control\\GroupOrderList", "REG_DWORD");
    assert_non_null(bl_model_group_tags(m, bl_model_intern(m, "typed")));
    /* Setting a group again (any case) replaces its list. */
    before = m->ngroup_tags;
    const uint32_t again[] = {1, 42};
    set_tags_raw(m, "BOOT BUS EXTENDER", BL_REG_BINARY, again, 2, 0);
    assert_int_equal(m->ngroup_tags, before);
    gt = bl_model_group_tags(m, bl_model_intern(m, "Boot Bus Extender"));
    assert_int_equal(bl_pool_vec_len(m->pool, gt->tags), 1);
    assert_int_equal(bl_pool_vec_items(m->pool, gt->tags)[0], 42);
    assert_null(bl_model_group_tags(m, bl_model_intern(m, "Nope")));
    bl_model_free(m);
}

static void test_control_values(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    uint8_t b[4];
    bl_model_set_control_value(m, "SystemStartOptions", BL_REG_SZ, SZ("NOEXECUTE"));
    assert_false(m->has_boot_driver_flags);
    assert_int_equal(m->nanomalies, 0);
    bl_model_set_control_value(m, "BootDriverFlags", BL_REG_DWORD, le32(0x14, b), 4);
    assert_true(m->has_boot_driver_flags);
    assert_int_equal(m->boot_driver_flags, 0x14);
    bl_model_set_control_value(m, "bootdriverflags", BL_REG_BINARY, le32(0x4, b), 4);
    assert_int_equal(m->boot_driver_flags, 0x4);
    ASSERT_ANOMALY(m, "Control", "is REG_BINARY where REG_DWORD is expected");
    bl_model_free(m);
}

/* ---- routing ---- */

static void test_apply_value_routing(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    uint8_t b[4];
    /* Services\X creates the service (a what-if entry). */
    assert_true(bl_model_apply_value(m, "Services\\vmci", "Start", BL_REG_DWORD, le32(3, b), 4));
    uint32_t s = bl_model_find_service(m, "VMCI");
    assert_int_not_equal(s, BL_NONE);
    assert_string_equal(str(m, m->services[s].name), "vmci");
    assert_true(m->services[s].synthetic);
    assert_int_equal(m->services[s].start, 3);
    /* Services\X\Instances: DefaultInstance. */
    assert_true(bl_model_apply_value(m, "Services\\mf\\Instances", "DefaultInstance", BL_REG_SZ, SZ("mf Instance")));
    uint32_t mf = bl_model_find_service(m, "mf");
    assert_string_equal(str(m, m->services[mf].default_instance), "mf Instance");
    assert_int_equal(m->services[mf].instances_layout, BL_INST_SERVICE_KEY);
    /* Services\X\Instances\I: Altitude and Flags. */
    assert_true(bl_model_apply_value(m, "Services\\mf\\Instances\\mf Instance", "Altitude", BL_REG_SZ, SZ("385100")));
    assert_true(bl_model_apply_value(m, "Services\\mf\\INSTANCES\\MF INSTANCE", "Flags", BL_REG_DWORD, le32(1, b), 4));
    assert_int_equal(m->services[mf].inst_count, 1); /* the same instance in any case */
    const bl_instance *in = &m->instances[m->services[mf].inst_first];
    assert_string_equal(str(m, in->altitude), "385100");
    assert_true(in->has_flags);
    assert_int_equal(in->flags, 1);
    /* Services\X\Parameters\Instances\I (Windows 10 layout) wins. */
    assert_true(bl_model_apply_value(m, "Services\\nf\\Parameters\\Instances\\nf Instance", "Altitude", BL_REG_SZ, SZ("328010.5")));
    uint32_t nf = bl_model_find_service(m, "nf");
    assert_int_equal(m->services[nf].instances_layout, BL_INST_PARAMETERS);
    assert_true(bl_model_apply_value(m, "Services\\nf\\Instances", "DefaultInstance", BL_REG_SZ, SZ("nf Instance")));
    assert_int_equal(m->services[nf].instances_layout, BL_INST_PARAMETERS);
    assert_string_equal(str(m, m->instances[m->services[nf].inst_first].altitude), "328010.5");
    /* Services\X\StartOverride. */
    assert_true(bl_model_apply_value(m, "Services\\vmci\\StartOverride", "0", BL_REG_DWORD, le32(4, b), 4));
    assert_int_equal(m->services[s].start, BL_START_DISABLED);
    /* Service subkeys the model does not track. */
    assert_false(bl_model_apply_value(m, "Services\\vmci\\Parameters", "Foo", BL_REG_DWORD, le32(1, b), 4));
    assert_false(bl_model_apply_value(m, "Services\\vmci\\Enum", "Count", BL_REG_DWORD, le32(1, b), 4));
    assert_false(bl_model_apply_value(m, "Services\\mf\\Instances\\mf Instance\\Deeper", "Altitude", BL_REG_SZ, SZ("1")));
    assert_false(bl_model_apply_value(m, "Services\\vmci", "Description", BL_REG_SZ, SZ("x")));
    /* Control. */
    assert_true(bl_model_apply_value(m, "Control", "BootDriverFlags", BL_REG_DWORD, le32(1, b), 4));
    assert_int_equal(m->boot_driver_flags, 1);
    assert_true(bl_model_apply_value(m, "Control\\ServiceGroupOrder", "List", BL_REG_MULTI_SZ, MSZ("G1|G2")));
    assert_string_equal(vec_text(m, m->group_order), "G1,G2");
    assert_false(bl_model_apply_value(m, "Control\\ServiceGroupOrder", "Other", BL_REG_MULTI_SZ, MSZ("X")));
    const uint32_t tags[] = {1, 9};
    uint8_t tb[8];
    le32(tags[0], tb);
    le32(tags[1], tb + 4);
    assert_true(bl_model_apply_value(m, "Control\\GroupOrderList", "G1", BL_REG_BINARY, tb, 8));
    assert_non_null(bl_model_group_tags(m, bl_model_intern(m, "g1")));
    assert_true(bl_model_apply_value(m, "Control\\Class\\{4D36E97D-E325-11CE-BFC1-08002BE10318}", "UpperFilters",
                                     BL_REG_MULTI_SZ, MSZ("vmflt")));
    uint32_t c = bl_model_find_class(m, BL_GUID_SYSTEM);
    assert_int_not_equal(c, BL_NONE);
    assert_string_equal(vec_text(m, m->classes[c].upper), "vmflt");
    assert_false(bl_model_apply_value(m, "Control\\Class\\{4D36E97D-E325-11CE-BFC1-08002BE10318}\\0000", "DriverDesc",
                                      BL_REG_SZ, SZ("x")));
    assert_false(bl_model_apply_value(m, "Control\\Session Manager", "BootExecute", BL_REG_MULTI_SZ, MSZ("x")));
    /* Enum\A\B\C. */
    assert_true(bl_model_apply_value(m, "Enum\\ROOT\\VMWVMCIHOSTDEV\\0000", "Service", BL_REG_SZ, SZ("vmci")));
    uint32_t d = bl_model_find_device(m, "Root\\VMWVMCIHOSTDEV\\0000");
    assert_int_not_equal(d, BL_NONE);
    assert_true(m->devices[d].synthetic);
    assert_string_equal(str(m, m->devices[d].service), "vmci");
    assert_false(bl_model_apply_value(m, "Enum\\ROOT\\VMWVMCIHOSTDEV", "Service", BL_REG_SZ, SZ("x")));
    assert_false(bl_model_apply_value(m, "Enum\\ROOT\\X\\0000\\Device Parameters", "Foo", BL_REG_SZ, SZ("x")));
    /* Other keys. */
    assert_false(bl_model_apply_value(m, "Select", "Current", BL_REG_DWORD, le32(1, b), 4));
    assert_false(bl_model_apply_value(m, "Software\\Foo", "Bar", BL_REG_DWORD, le32(1, b), 4));
    assert_false(bl_model_apply_value(m, "", "Bar", BL_REG_DWORD, le32(1, b), 4));
    assert_false(bl_model_apply_value(m, "Services", "Bar", BL_REG_DWORD, le32(1, b), 4));
    bl_model_free(m);
}

static void test_apply_value_prefixes(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "HKLM\\SYSTEM\\CurrentControlSet\\Services\\p1",
        "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\p2",
        "hklm\\system\\currentcontrolset\\services\\p3",
        "HKLM\\SYSTEM\\ControlSet001\\Services\\p4",
        "SYSTEM\\ControlSet002\\Services\\p5",
        "CurrentControlSet\\Services\\p6",
        "ControlSet001\\Services\\p7",
        "\\Services\\p8",
        "Services\\\\p9",
    };
    bl_model *m = bl_model_new(NULL);
    uint8_t b[4];
    for (size_t i = 0; i < BL_ARRAY_LEN(paths); i++) {
        if (!bl_model_apply_value(m, paths[i], "Start", BL_REG_DWORD, le32(1, b), 4))
            fail_msg("%s was not routed to a service", paths[i]);
        char name[8];
        snprintf(name, sizeof name, "p%zu", i + 1);
        uint32_t s = bl_model_find_service(m, name);
        if (s == BL_NONE)
            fail_msg("%s did not create service %s", paths[i], name);
        assert_int_equal(m->services[s].start, 1);
    }
    assert_int_equal(m->nservices, BL_ARRAY_LEN(paths));
    assert_true(bl_model_apply_value(m, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Class\\{71A27CDD-812A-11D0-BEC7-08002BE2092F}",
                                     "LowerFilters", BL_REG_MULTI_SZ, MSZ("fvevol")));
    assert_int_not_equal(bl_model_find_class(m, BL_GUID_VOLUME), BL_NONE);
    assert_true(bl_model_apply_value(m, "HKLM\\SYSTEM\\CurrentControlSet\\Enum\\STORAGE\\Volume\\1&2",
                                     "Service", BL_REG_SZ, SZ("volsnap")));
    assert_int_not_equal(bl_model_find_device(m, "STORAGE\\Volume\\1&2"), BL_NONE);
    assert_true(bl_model_apply_value(m, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ServiceGroupOrder", "List",
                                     BL_REG_MULTI_SZ, MSZ("Base")));
    assert_string_equal(vec_text(m, m->group_order), "Base");
    /* Other hives and roots are not this model's business. */
    assert_false(bl_model_apply_value(m, "HKLM\\SOFTWARE\\Microsoft\\Windows", "X", BL_REG_DWORD, le32(1, b), 4));
    assert_false(bl_model_apply_value(m, "HKCU\\Services\\x", "Start", BL_REG_DWORD, le32(1, b), 4));
    assert_int_equal(bl_model_find_service(m, "x"), BL_NONE);
    bl_model_free(m);
}

static void test_apply_delete(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "flt", 0, "Filter", 3);
    const char *const up[] = {"flt", "other"};
    bl_model_set_multi(m, "Control\\Class\\" BL_GUID_SYSTEM, "UpperFilters", up, 2);
    uint32_t d = tm_device(m, "ROOT\\X\\0000", BL_GUID_SYSTEM, "fn");
    const char *const groups[] = {"Filter"};
    tm_groups(m, groups, 1);
    uint32_t s = bl_model_find_service(m, "flt");
    assert_true(bl_model_apply_delete(m, "Services\\FLT", "tag"));
    assert_false(m->services[s].has_tag);
    assert_true(bl_model_apply_delete(m, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\flt", "Start"));
    assert_int_equal(m->services[s].start, BL_START_UNKNOWN);
    /* Deleting from something absent does not create it. */
    uint32_t ns = m->nservices, nc = m->nclasses, nd = m->ndevices;
    assert_false(bl_model_apply_delete(m, "Services\\ghost", "Start"));
    assert_false(bl_model_apply_delete(m, "Control\\Class\\{00000000-0000-0000-0000-000000000000}", "UpperFilters"));
    assert_false(bl_model_apply_delete(m, "Enum\\ROOT\\GHOST\\0000", "Service"));
    assert_int_equal(m->nservices, ns);
    assert_int_equal(m->nclasses, nc);
    assert_int_equal(m->ndevices, nd);
    uint32_t c = bl_model_find_class(m, BL_GUID_SYSTEM);
    assert_true(bl_model_apply_delete(m, "Control\\Class\\{4D36E97D-E325-11CE-BFC1-08002BE10318}", "UpperFilters"));
    assert_false(m->classes[c].has_upper);
    assert_true(bl_model_apply_delete(m, "Enum\\ROOT\\X\\0000", "Service"));
    assert_int_equal(m->devices[d].service, 0);
    assert_true(bl_model_apply_delete(m, "Control\\ServiceGroupOrder", "List"));
    assert_false(m->has_group_order);
    assert_int_equal(bl_pool_vec_len(m->pool, m->group_order), 0);
    assert_false(bl_model_apply_delete(m, "Software\\X", "Y"));
    bl_model_free(m);
}

/* ---- removal, clones ---- */

static void test_remove_service_keeps_index(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *names[] = {"a", "B", "c", "D", "e"};
    for (size_t i = 0; i < BL_ARRAY_LEN(names); i++)
        tm_driver(m, names[i], (int)i % 4, "", (int)i);
    bl_model_remove_service(m, bl_model_find_service(m, "b"));
    assert_int_equal(bl_model_find_service(m, "B"), BL_NONE);
    /* Every other name still finds its own entry. */
    const char *left[] = {"a", "c", "D", "e"};
    for (size_t i = 0; i < BL_ARRAY_LEN(left); i++) {
        uint32_t s = bl_model_find_service(m, left[i]);
        assert_int_not_equal(s, BL_NONE);
        assert_string_equal(bl_model_service_name(m, s), left[i]);
        assert_true(bl_fold_eq(str(m, m->services[s].key), left[i]));
    }
    assert_int_equal(bl_model_find_service_id(m, bl_model_intern(m, "E")), bl_model_find_service(m, "e"));
    bl_model_remove_service(m, bl_model_find_service(m, "e")); /* the last one */
    assert_int_equal(bl_model_find_service(m, "e"), BL_NONE);
    assert_int_not_equal(bl_model_find_service(m, "D"), BL_NONE);
    bl_model_remove_service(m, 1000); /* out of range: no-op */
    /* Adding after removals indexes the new entry correctly. */
    uint32_t z = bl_model_add_service(m, "z");
    assert_int_equal(bl_model_find_service(m, "Z"), z);
    assert_string_equal(bl_model_service_name(m, z), "z");
    assert_string_equal(bl_model_service_name(m, BL_NONE), "");
    /* The same name again after removal is a fresh service. */
    uint32_t b2 = bl_model_add_service(m, "b");
    assert_int_equal(m->services[b2].start, BL_START_UNKNOWN);
    assert_false(m->services[b2].has_tag);
    bl_model_free(m);
}

static void test_clone_independence(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "a", 0, "G", 1);
    const char *const up[] = {"a"};
    bl_model_set_multi(m, "Control\\Class\\" BL_GUID_SYSTEM, "UpperFilters", up, 1);
    tm_device(m, "ROOT\\X\\0000", BL_GUID_SYSTEM, "a");
    uint32_t tags[] = {1};
    tm_tags(m, "G", tags, 1);
    bl_model_set_sz(m, "Services\\a\\Instances\\i", "Altitude", "1");
    bl_model_add_anomaly(m, "Services\\a", "original %d", 1);

    bl_model *c = bl_model_clone(m);
    assert_ptr_equal(c->pool, m->pool); /* shared, append-only */
    bl_model_set_dword(c, "Services\\a", "Start", 4);
    tm_driver(c, "b", 1, "G", -1);
    bl_model_apply_delete(c, "Control\\Class\\" BL_GUID_SYSTEM, "UpperFilters");
    tm_device(c, "ROOT\\Y\\0000", NULL, "b");
    bl_model_set_sz(c, "Enum\\ROOT\\X\\0000", "Service", "b");
    uint32_t tags2[] = {2, 1};
    tm_tags(c, "G", tags2, 2);
    tm_tags(c, "H", tags2, 2);
    bl_model_set_sz(c, "Services\\a\\Instances\\i", "Altitude", "2");
    bl_model_set_sz(c, "Services\\a\\Instances\\j", "Altitude", "3");
    bl_model_add_anomaly(c, "Services\\b", "clone only");
    bl_model_remove_service(c, bl_model_find_service(c, "a"));

    uint32_t a = bl_model_find_service(m, "a");
    assert_int_equal(a, 0);
    assert_int_equal(m->services[a].start, 0);
    assert_int_equal(m->nservices, 1);
    assert_int_equal(bl_model_find_service(m, "b"), BL_NONE);
    assert_true(m->classes[bl_model_find_class(m, BL_GUID_SYSTEM)].has_upper);
    assert_int_equal(m->ndevices, 1);
    assert_int_equal(bl_model_find_device(m, "ROOT\\Y\\0000"), BL_NONE);
    assert_string_equal(str(m, m->devices[0].service), "a");
    assert_int_equal(m->ngroup_tags, 1);
    assert_int_equal(bl_pool_vec_len(m->pool, bl_model_group_tags(m, bl_model_intern(m, "G"))->tags), 1);
    assert_int_equal(m->services[a].inst_count, 1);
    assert_string_equal(str(m, m->instances[m->services[a].inst_first].altitude), "1");
    assert_int_equal(m->nanomalies, 1);
    /* And the clone has its own state. */
    assert_int_equal(bl_model_find_service(c, "a"), BL_NONE);
    assert_int_not_equal(bl_model_find_service(c, "b"), BL_NONE);
    assert_int_equal(c->ndevices, 2);
    assert_int_equal(c->nanomalies, 2);
    /* A clone of a clone, freed in any order. */
    bl_model *cc = bl_model_clone(c);
    bl_model_free(c);
    assert_int_not_equal(bl_model_find_service(cc, "b"), BL_NONE);
    bl_model_free(cc);
    bl_model_free(m);
}

static void test_models_share_a_pool(void **state)
{
    (void)state;
    bl_pool *p = bl_pool_new();
    bl_model *a = bl_model_new(p), *b = bl_model_new(p);
    bl_pool_unref(p); /* the models hold their own references */
    tm_driver(a, "x", 0, "", -1);
    tm_driver(b, "X", 3, "", -1);
    assert_int_equal(a->services[0].key, b->services[0].key);
    bl_model_free(a);
    assert_int_equal(b->services[0].start, 3);
    assert_string_equal(str(b, b->services[0].name), "X");
    bl_model_free(b);
}

static void test_evidence_paths(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_sb sb = {0};
    bl_model_reg_path(m, &sb, "Services\\x");
    assert_string_equal(bl_sb_str(&sb), "HKLM\\SYSTEM\\CurrentControlSet\\Services\\x");
    m->control_set_name = bl_model_intern(m, "ControlSet002");
    uint32_t s = tm_driver(m, "Vmci", 0, "", -1);
    uint32_t c = bl_model_add_class(m, "{4D36E97D-E325-11CE-BFC1-08002BE10318}");
    uint32_t d = tm_device(m, "ROOT\\X\\0000", NULL, NULL);
    bl_sb_reset(&sb);
    bl_model_service_path(m, &sb, s);
    assert_string_equal(bl_sb_str(&sb), "HKLM\\SYSTEM\\ControlSet002\\Services\\Vmci");
    bl_sb_reset(&sb);
    bl_model_class_path(m, &sb, c);
    assert_string_equal(bl_sb_str(&sb), "HKLM\\SYSTEM\\ControlSet002\\Control\\Class\\{4D36E97D-E325-11CE-BFC1-08002BE10318}");
    bl_sb_reset(&sb);
    bl_model_device_path(m, &sb, d);
    assert_string_equal(bl_sb_str(&sb), "HKLM\\SYSTEM\\ControlSet002\\Enum\\ROOT\\X\\0000");
    bl_sb_reset(&sb);
    bl_model_reg_path(m, &sb, NULL);
    assert_string_equal(bl_sb_str(&sb), "HKLM\\SYSTEM\\ControlSet002");
    bl_sb_free(&sb);
    /* The class name of a device: the Class value, else its GUID. */
    tm_device(m, "ROOT\\Y\\0000", "{4D36E97D-E325-11CE-BFC1-08002BE10318}", NULL);
    const bl_device *dy = &m->devices[bl_model_find_device(m, "ROOT\\Y\\0000")];
    assert_string_equal(bl_model_device_class_name(m, dy), BL_GUID_SYSTEM);
    bl_model_set_sz(m, "Control\\Class\\" BL_GUID_SYSTEM, "Class", "System");
    assert_string_equal(bl_model_device_class_name(m, dy), "System");
    assert_string_equal(bl_model_device_class_name(m, &m->devices[d]), "");
    bl_model_free(m);
}

static void test_detect_loader(void **state)
{
    (void)state;
    static const char *const groups[] = {"Early-Launch", "Core", "core platform extensions", "Core Security Extensions"};
    for (size_t i = 0; i < BL_ARRAY_LEN(groups); i++) {
        bl_model *m = bl_model_new(NULL);
        tm_driver(m, "plain", 0, "Boot Bus Extender", -1);
        bl_model_detect_loader(m);
        assert_false(m->modern_loader);
        tm_driver(m, "marker", 0, groups[i], -1);
        bl_model_detect_loader(m);
        if (!m->modern_loader)
            fail_msg("group \"%s\" does not mark a Windows 8+ hive", groups[i]);
        bl_model_free(m);
    }
    bl_model *m = bl_model_new(NULL);
    m->has_hardware_config = true;
    bl_model_detect_loader(m);
    assert_true(m->modern_loader);
    bl_model_free(m);
}

/* ---- loading generated hives ---- */

static void hive_file(const char *name, char *out, size_t size)
{
    if (access("build/mkhive", X_OK) != 0) {
        fprintf(stderr, "SKIP: build/mkhive is not built (make build/mkhive)\n");
        skip();
    }
    snprintf(out, size, "/tmp/bootlens-test-model-%d-%s.hiv", (int)getpid(), name);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "build/mkhive test_hives/%s.reg -o '%s'", name, out);
    if (system(cmd) != 0)
        fail_msg("mkhive failed on test_hives/%s.reg", name);
}

typedef struct loaded {
    char path[256];
    bl_hive *h;
    bl_model *m;
} loaded;

/* Opens test_hives/NAME.reg's hive and loads control set `cs` (NULL:
 * current); returns -1 with err when loading refuses. */
static int load_hive_file(loaded *l, const char *file, const char *cs, bl_error *err)
{
    bl_error oerr = {{0}};
    if (bl_hive_open(file, NULL, &l->h, &oerr) != 0)
        fail_msg("%s", oerr.msg);
    l->m = bl_model_new(NULL);
    bl_load_options o = {cs};
    return bl_model_load(l->m, l->h, &o, err);
}

static int load_generated(loaded *l, const char *name, const char *cs, bl_error *err)
{
    hive_file(name, l->path, sizeof l->path);
    return load_hive_file(l, l->path, cs, err);
}

static void unload(loaded *l)
{
    bl_model_free(l->m);
    bl_hive_close(l->h);
    if (l->path[0] && strncmp(l->path, "/tmp/", 5) == 0)
        unlink(l->path);
    memset(l, 0, sizeof *l);
}

static void test_load_control_set_selection(void **state)
{
    (void)state;
    static const struct {
        const char *opt;
        uint32_t cs;
        bool has_newflt;
    } cases[] = {
        {NULL, 2, true},    {"current", 2, true}, {"CURRENT", 2, true}, {"default", 2, true},
        {"lastknowngood", 1, false}, {"lkg", 1, false}, {"1", 1, false}, {"2", 2, true},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        loaded l = {.m = NULL};
        bl_error err = {{0}};
        if (load_generated(&l, "two-control-sets", cases[i].opt, &err) != 0)
            fail_msg("--control-set %s: %s", cases[i].opt ? cases[i].opt : "(none)", err.msg);
        assert_int_equal(l.m->control_set, cases[i].cs);
        char name[32];
        snprintf(name, sizeof name, "ControlSet%03u", cases[i].cs);
        assert_string_equal(str(l.m, l.m->control_set_name), name);
        assert_true(l.m->has_select);
        assert_int_equal(l.m->select_current, 2);
        assert_int_equal(l.m->select_default, 2);
        assert_int_equal(l.m->select_lkg, 1);
        assert_int_equal(l.m->select_failed, 0);
        assert_int_equal(bl_model_find_service(l.m, "newflt") != BL_NONE, cases[i].has_newflt);
        unload(&l);
    }
    /* Refusals: a control set that does not exist, a bad option, Failed=0. */
    static const struct {
        const char *opt, *says;
    } bad[] = {{"3", "ControlSet003 does not exist"}, {"0", "--control-set"}, {"abc", "--control-set"},
               {"1000", "--control-set"}, {"2x", "--control-set"}, {"failed", "Select\\Failed is 0"}};
    for (size_t i = 0; i < BL_ARRAY_LEN(bad); i++) {
        loaded l = {.m = NULL};
        bl_error err = {{0}};
        assert_int_equal(load_generated(&l, "two-control-sets", bad[i].opt, &err), -1);
        if (!strstr(err.msg, bad[i].says))
            fail_msg("--control-set %s: \"%s\" does not say \"%s\"", bad[i].opt, err.msg, bad[i].says);
        assert_null(strchr(err.msg, '\n'));
        unload(&l);
    }
}

static void test_load_refuses_other_hives(void **state)
{
    (void)state;
    static const struct {
        const char *name, *says;
    } cases[] = {{"software-hive", "a SOFTWARE hive"},
                 {"ntuser-hive", "an NTUSER.DAT hive"},
                 {"writer-coverage", "not a SYSTEM hive"}};
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        loaded l = {.m = NULL};
        bl_error err = {{0}};
        assert_int_equal(load_generated(&l, cases[i].name, NULL, &err), -1);
        if (!strstr(err.msg, cases[i].says) || !strstr(err.msg, l.path))
            fail_msg("%s: \"%s\" should name the file and say \"%s\"", cases[i].name, err.msg, cases[i].says);
        assert_null(strchr(err.msg, '\n'));
        unload(&l);
    }
}

static void test_load_without_select(void **state)
{
    (void)state;
    static const char *const opts[] = {NULL, "lastknowngood"};
    for (size_t i = 0; i < BL_ARRAY_LEN(opts); i++) {
        loaded l = {.m = NULL};
        bl_error err = {{0}};
        if (load_generated(&l, "unit-no-select", opts[i], &err) != 0)
            fail_msg("%s", err.msg);
        assert_false(l.m->has_select);
        assert_int_equal(l.m->control_set, 1);
        assert_int_not_equal(bl_model_find_service(l.m, "lonely"), BL_NONE);
        assert_int_equal(bl_model_find_service(l.m, "other"), BL_NONE);
        ASSERT_ANOMALY(l.m, "Select", "ControlSet001");
        unload(&l);
    }
    /* An explicit number needs no Select. */
    loaded l = {.m = NULL};
    bl_error err = {{0}};
    assert_int_equal(load_generated(&l, "unit-no-select", "2", &err), 0);
    assert_int_not_equal(bl_model_find_service(l.m, "other"), BL_NONE);
    unload(&l);
}

static void test_load_values_and_anomalies(void **state)
{
    (void)state;
    loaded l = {.m = NULL};
    bl_error err = {{0}};
    if (load_generated(&l, "unit-model", NULL, &err) != 0)
        fail_msg("%s", err.msg);
    bl_model *m = l.m;
    assert_int_equal(m->control_set, 1);
    uint32_t s = bl_model_find_service(m, "szstart");
    assert_int_equal(m->services[s].start, BL_START_DEMAND);
    ASSERT_ANOMALY(m, "Services\\szstart", "Start is REG_SZ");
    s = bl_model_find_service(m, "badstart");
    assert_int_equal(m->services[s].start, BL_START_UNKNOWN);
    ASSERT_ANOMALY(m, "Services\\badstart", "Start is 9");
    s = bl_model_find_service(m, "depsz");
    assert_string_equal(vec_text(m, m->services[s].depend_on_service), "RpcSs");
    ASSERT_ANOMALY(m, "Services\\depsz", "DependOnService is REG_SZ");
    s = bl_model_find_service(m, "multiempty");
    assert_string_equal(vec_text(m, m->services[s].depend_on_service), "RpcSs,EventLog");
    assert_int_equal(anomaly(m, "Services\\multiempty", ""), -1);
    /* Names from the hive keep their spelling; lookups ignore case. */
    s = bl_model_find_service(m, "lsi_sas");
    assert_string_equal(str(m, m->services[s].name), "LSI_SAS");
    assert_int_equal(m->services[s].tag, 0x21);
    assert_string_equal(str(m, m->services[s].image_path), "system32\\drivers\\lsi_sas.sys");
    /* ServiceGroupOrder and GroupOrderList. */
    assert_true(m->has_group_order);
    assert_int_equal(bl_model_group_rank(m, bl_model_intern(m, "boot bus extender")), 3);
    const bl_group_tags *gt = bl_model_group_tags(m, bl_model_intern(m, "SCSI Miniport"));
    assert_non_null(gt);
    assert_int_equal(bl_pool_vec_len(m->pool, gt->tags), 4);
    assert_int_equal(bl_pool_vec_items(m->pool, gt->tags)[0], 0x19);
    gt = bl_model_group_tags(m, bl_model_intern(m, "Short List"));
    assert_non_null(gt);
    assert_int_equal(bl_pool_vec_len(m->pool, gt->tags), 2);
    ASSERT_ANOMALY(m, "Control\\GroupOrderList", "Short List announces 5 tags but holds 2");
    assert_true(m->has_boot_driver_flags);
    assert_int_equal(m->boot_driver_flags, 0);
    /* StartOverride: only HardwareConfig\LastId's value. */
    assert_true(m->has_hardware_config);
    assert_int_equal(m->hardware_config_id, 1);
    assert_true(m->modern_loader);
    s = bl_model_find_service(m, "overridden");
    assert_int_equal(m->services[s].start_value, BL_START_BOOT);
    assert_true(m->services[s].has_start_override);
    assert_int_equal(m->services[s].start, BL_START_DEMAND);
    unload(&l);
}

static void test_load_minifilter_layouts(void **state)
{
    (void)state;
    loaded l = {.m = NULL};
    bl_error err = {{0}};
    if (load_generated(&l, "unit-model", NULL, &err) != 0)
        fail_msg("%s", err.msg);
    bl_model *m = l.m;
    uint32_t s = bl_model_find_service(m, "oldmf");
    const bl_service *v = &m->services[s];
    assert_int_equal(v->instances_layout, BL_INST_SERVICE_KEY);
    assert_string_equal(str(m, v->default_instance), "oldmf Instance");
    assert_int_equal(v->inst_count, 1);
    assert_string_equal(str(m, m->instances[v->inst_first].name), "oldmf Instance");
    assert_string_equal(str(m, m->instances[v->inst_first].altitude), "385100");
    assert_true(m->instances[v->inst_first].has_flags);
    s = bl_model_find_service(m, "newmf");
    v = &m->services[s];
    assert_int_equal(v->instances_layout, BL_INST_PARAMETERS);
    assert_string_equal(str(m, v->default_instance), "newmf Instance");
    assert_int_equal(v->inst_count, 2);
    bool seen_default = false, seen_second = false;
    for (uint32_t i = 0; i < v->inst_count; i++) {
        const bl_instance *in = &m->instances[v->inst_first + i];
        if (strcmp(str(m, in->name), "newmf Instance") == 0) {
            seen_default = true;
            assert_string_equal(str(m, in->altitude), "328010.5");
            assert_int_equal(in->flags, 1);
        } else if (strcmp(str(m, in->name), "Second Instance") == 0) {
            seen_second = true;
            assert_string_equal(str(m, in->altitude), "328011");
            assert_false(in->has_flags);
        }
    }
    assert_true(seen_default && seen_second);
    /* A driver without Instances has none. */
    v = &m->services[bl_model_find_service(m, "pci")];
    assert_int_equal(v->instances_layout, BL_INST_NONE);
    assert_int_equal(v->inst_count, 0);
    unload(&l);
}

static void test_load_class_guid_case(void **state)
{
    (void)state;
    loaded l = {.m = NULL};
    bl_error err = {{0}};
    if (load_generated(&l, "unit-model", NULL, &err) != 0)
        fail_msg("%s", err.msg);
    bl_model *m = l.m;
    uint32_t d = bl_model_find_device(m, "USB\\VID_04A9&PID_1909\\5&1234abcd&0&1");
    assert_int_not_equal(d, BL_NONE);
    const bl_device *dv = &m->devices[d];
    uint32_t c = bl_model_find_class_id(m, dv->class_guid);
    assert_int_not_equal(c, BL_NONE);
    assert_string_equal(str(m, m->classes[c].guid), "{6bdd1fc6-810f-11d0-bec7-08002be2092f}");
    assert_string_equal(bl_model_device_class_name(m, dv), "Image");
    assert_string_equal(vec_text(m, m->classes[c].upper), "imgflt");
    /* Upper-case class keys of the base match lower-case lookups too. */
    uint32_t sys = bl_model_find_class(m, BL_GUID_SYSTEM);
    assert_int_not_equal(sys, BL_NONE);
    assert_string_equal(str(m, m->classes[sys].name), "System");
    /* The class filter is in the device's stack. */
    bl_timeline *t = bl_simulate(m, NULL);
    const bl_device_start *ds = &t->devices[d];
    bool has_filter = false;
    for (uint32_t k = 0; k < ds->stack_count; k++) {
        const bl_stack_entry *e = &t->stack[ds->stack_first + k];
        if (e->role == BL_ROLE_UPPER_CLASS && e->service == bl_model_find_service(m, "imgflt"))
            has_filter = true;
    }
    assert_true(has_filter);
    bl_timeline_free(t);
    unload(&l);
}

static void test_load_device_tree(void **state)
{
    (void)state;
    loaded l = {.m = NULL};
    bl_error err = {{0}};
    if (load_generated(&l, "unit-model", NULL, &err) != 0)
        fail_msg("%s", err.msg);
    bl_model *m = l.m;
    uint32_t root = bl_model_find_device(m, "HTREE\\ROOT\\0");
    uint32_t hal = bl_model_find_device(m, "ACPI_HAL\\PNP0C08\\0");
    uint32_t pcibus = bl_model_find_device(m, "ACPI\\PNP0A03\\0");
    uint32_t lsi = bl_model_find_device(m, "PCI\\VEN_1000&DEV_0054&SUBSYS_197615AD&REV_01\\3&61aaa01&0&A8");
    uint32_t disk = bl_model_find_device(m, "SCSI\\Disk&Ven_VMware&Prod_Virtual_disk\\4&2732702b&0&000000");
    uint32_t volmgr = bl_model_find_device(m, "Root\\volmgr\\0000");
    uint32_t vol = bl_model_find_device(m, "STORAGE\\Volume\\1&30a96598&0&Signature8D3E5B2AOffset100000Length3FF00000");
    uint32_t usb = bl_model_find_device(m, "USB\\VID_04A9&PID_1909\\5&1234abcd&0&1");
    assert_true(root != BL_NONE && hal != BL_NONE && pcibus != BL_NONE && lsi != BL_NONE && disk != BL_NONE &&
                volmgr != BL_NONE && vol != BL_NONE && usb != BL_NONE);
    /* Exact links from ParentIdPrefix. */
    assert_int_equal(m->devices[lsi].parent, pcibus);
    assert_int_equal(m->devices[lsi].parent_how, BL_PARENT_PREFIX);
    assert_int_equal(m->devices[disk].parent, lsi);
    assert_int_equal(m->devices[disk].parent_how, BL_PARENT_PREFIX);
    assert_int_equal(m->devices[vol].parent, volmgr);
    assert_int_equal(m->devices[vol].parent_how, BL_PARENT_PREFIX);
    /* Root-enumerated: exact. */
    assert_int_equal(m->devices[volmgr].parent, root);
    assert_int_equal(m->devices[volmgr].parent_how, BL_PARENT_ROOT);
    /* Guessed from the enumerator, and said so. */
    assert_int_equal(m->devices[pcibus].parent, hal);
    assert_int_equal(m->devices[pcibus].parent_how, BL_PARENT_ENUMERATOR);
    /* No announced prefix matches: no parent. */
    assert_int_equal(m->devices[usb].parent, BL_NONE);
    assert_int_equal(m->devices[usb].parent_how, BL_PARENT_NONE);
    assert_int_equal(m->devices[root].parent, BL_NONE);
    unload(&l);
}

/* Device trees built to be hostile: a ParentIdPrefix loop is cut once, with
 * an anomaly, and every walk up the tree ends; a chain 20,000 deep keeps
 * every link (the check is one walk per device, not one per ancestor). */
static void add_linked_device(bl_model *m, const char *id, const char *prefix)
{
    uint32_t d = bl_model_add_device(m, id);
    bl_model_set_device_value(m, d, "ParentIdPrefix", BL_REG_SZ, SZ(prefix));
}

static void test_tree_loops_and_depth(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    add_linked_device(m, "PCI\\A\\1&a&0", "1&c");
    add_linked_device(m, "PCI\\B\\1&b&0", "1&a");
    add_linked_device(m, "PCI\\C\\1&c&0", "1&b");
    bl_model_build_tree(m);
    uint32_t cut = 0;
    for (uint32_t i = 0; i < m->ndevices; i++) {
        cut += m->devices[i].parent == BL_NONE;
        uint32_t steps = 0;
        for (uint32_t d = i; d != BL_NONE && steps <= m->ndevices; d = m->devices[d].parent)
            steps++;
        assert_true(steps <= m->ndevices);
    }
    assert_int_equal(cut, 1);
    ASSERT_ANOMALY(m, "Enum", "device tree loop");
    bl_model_free(m);

    m = bl_model_new(NULL);
    char id[64], prefix[32];
    const uint32_t depth = 20000;
    for (uint32_t i = 0; i < depth; i++) {
        snprintf(id, sizeof id, "PCI\\D%u\\7&d%X&0", i, i);
        snprintf(prefix, sizeof prefix, "7&d%X", i + 1);
        add_linked_device(m, id, prefix);
    }
    bl_model_build_tree(m);
    for (uint32_t i = 1; i < depth; i++)
        assert_int_equal(m->devices[i].parent, i - 1);
    assert_int_equal(m->devices[0].parent, BL_NONE);
    assert_int_equal(m->nanomalies, 0);
    bl_model_free(m);
}

/* The group indexes follow every way the lists change: set again, deleted
 * through bl_model_apply_delete, cloned (and the clone edited alone). */
static void test_group_indexes(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_model_set_group_order(m, BL_REG_MULTI_SZ, MSZ("A|B|a|C"));
    assert_int_equal(bl_model_group_rank(m, bl_model_intern(m, "a")), 0); /* first place wins */
    assert_int_equal(bl_model_group_rank(m, bl_model_intern(m, "C")), 3);
    uint8_t tags[8];
    le32(1, tags);
    le32(7, tags + 4);
    bl_model_set_group_tags(m, "Grp", BL_REG_BINARY, tags, 8);
    bl_model *c = bl_model_clone(m);
    bl_model_set_group_order(c, BL_REG_MULTI_SZ, MSZ("C|A"));
    bl_model_set_group_tags(c, "Other", BL_REG_BINARY, tags, 8);
    assert_int_equal(bl_model_group_rank(c, bl_model_intern(c, "c")), 0);
    assert_int_equal(bl_model_group_rank(c, bl_model_intern(c, "B")), BL_NONE);
    assert_non_null(bl_model_group_tags(c, bl_model_intern(c, "other")));
    assert_non_null(bl_model_group_tags(c, bl_model_intern(c, "GRP")));
    /* The original is untouched. */
    assert_int_equal(bl_model_group_rank(m, bl_model_intern(m, "C")), 3);
    assert_int_equal(bl_model_group_rank(m, bl_model_intern(m, "B")), 1);
    assert_null(bl_model_group_tags(m, bl_model_intern(m, "Other")));
    assert_true(bl_model_apply_delete(c, "Control\\ServiceGroupOrder", "List"));
    assert_int_equal(bl_model_group_rank(c, bl_model_intern(c, "C")), BL_NONE);
    bl_model_free(c);
    /* 100,000 groups, each with its tag list: found by name. */
    bl_model *big = bl_model_new(NULL);
    char name[32];
    for (uint32_t i = 0; i < 100000; i++) {
        snprintf(name, sizeof name, "G%u", i);
        bl_model_set_group_tags(big, name, BL_REG_BINARY, tags, 8);
    }
    assert_int_equal(big->ngroup_tags, 100000);
    assert_non_null(bl_model_group_tags(big, bl_model_intern(big, "g99999")));
    bl_model_free(big);
    bl_model_free(m);
}

/* ---- real hives ---- */

static int load_real(loaded *l, const char *shared, const char *xz, bl_error *err)
{
    if (bl_test_unxz(shared, xz, l->path, sizeof l->path) != 0)
        fail_msg("cannot decompress %s/%s", shared, xz);
    return load_hive_file(l, l->path, NULL, err);
}

static void test_real_win7_vmware(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    loaded l = {.m = NULL};
    bl_error err = {{0}};
    if (load_real(&l, shared, "hives/real/SYSTEM-win7-vmware.xz", &err) != 0)
        fail_msg("%s", err.msg);
    bl_model *m = l.m;
    assert_int_equal(m->select_current, 1);
    assert_int_equal(m->control_set, 1);
    assert_string_equal(str(m, m->control_set_name), "ControlSet001");
    assert_false(m->modern_loader);
    uint32_t s = bl_model_find_service(m, "vmci");
    assert_int_not_equal(s, BL_NONE);
    assert_int_equal(m->services[s].start, BL_START_DEMAND);
    assert_string_equal(str(m, m->services[s].group), "Extended Base");
    assert_true(m->nservices > 300);
    assert_true(m->ndevices > 50);
    assert_true(m->nclasses > 30);
    assert_true(m->has_group_order);
    assert_int_equal(bl_hive_get_info(l.h)->nproblems, 0);
    unload(&l);
}

/* The hive read directly through the hive API, for an independent check of
 * the model and the loader order. */
typedef struct raw_service {
    char name[128];
    char group[128];
    bool has_tag, is_driver;
    uint32_t tag, start;
    char image[256];
} raw_service;

typedef struct raw_hive {
    raw_service *svc;
    uint32_t n;
    char groups[256][128]; /* ServiceGroupOrder\List */
    uint32_t ngroups;
    struct {
        char group[128];
        uint32_t tags[256], n;
    } gol[128];
    uint32_t ngol;
} raw_hive;

typedef struct str_list {
    char (*v)[128];
    uint32_t n, cap;
} str_list;

static void raw_multi(void *ctx, const char *s, size_t n)
{
    raw_hive *r = ctx;
    (void)n;
    if (r->ngroups < 256)
        snprintf(r->groups[r->ngroups++], sizeof r->groups[0], "%s", s);
}

static bool raw_dword(bl_key *k, const char *name, uint32_t *out)
{
    bl_value v;
    return bl_key_value_by_name(k, name, &v) && bl_value_dword(&v, out, NULL);
}

static void raw_read(bl_hive *h, raw_hive *r)
{
    memset(r, 0, sizeof *r);
    bl_key *root = bl_hive_root(h);
    bl_key *sel = bl_key_open(h, root, "Select");
    uint32_t cur = 0, last_id = 0;
    bool has_hc = false;
    assert_true(raw_dword(sel, "Current", &cur));
    bl_key_close(sel);
    bl_key *hc = bl_key_open(h, root, "HardwareConfig");
    if (hc) {
        has_hc = raw_dword(hc, "LastId", &last_id);
        bl_key_close(hc);
    }
    char path[64];
    snprintf(path, sizeof path, "ControlSet%03u", cur);
    bl_key *cs = bl_key_open(h, root, path);
    assert_non_null(cs);
    bl_key *sgo = bl_key_open(h, cs, "Control\\ServiceGroupOrder");
    bl_value v;
    assert_true(bl_key_value_by_name(sgo, "List", &v));
    bl_value_multi(&v, raw_multi, r, NULL);
    bl_key_close(sgo);
    bl_key *gol = bl_key_open(h, cs, "Control\\GroupOrderList");
    for (uint32_t i = 0, nv = bl_key_value_count(gol); i < nv && r->ngol < 128; i++) {
        if (!bl_key_value(gol, i, &v) || v.size < 4)
            continue;
        snprintf(r->gol[r->ngol].group, sizeof r->gol[0].group, "%s", v.name);
        uint32_t cnt = (uint32_t)v.data[0] | (uint32_t)v.data[1] << 8 | (uint32_t)v.data[2] << 16 |
                       (uint32_t)v.data[3] << 24;
        for (uint32_t k = 0; k < cnt && 4 + 4 * (size_t)k + 4 <= v.size && k < 256; k++) {
            const uint8_t *p = v.data + 4 + 4 * k;
            r->gol[r->ngol].tags[r->gol[r->ngol].n++] =
                (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        }
        r->ngol++;
    }
    bl_key_close(gol);
    bl_key *svcs = bl_key_open(h, cs, "Services");
    uint32_t ns = bl_key_subkey_count(svcs);
    r->svc = calloc(ns ? ns : 1, sizeof *r->svc);
    for (uint32_t i = 0; i < ns; i++) {
        bl_key *k = bl_key_subkey(svcs, i);
        if (!k)
            continue;
        raw_service *s = &r->svc[r->n++];
        snprintf(s->name, sizeof s->name, "%s", bl_key_name(k));
        uint32_t type = 0, start = 99, ov;
        bool has_type = raw_dword(k, "Type", &type);
        raw_dword(k, "Start", &start);
        s->is_driver = has_type && (type & 0xF) && !(type & 0x30);
        if (has_hc) {
            bl_key *o = bl_key_open(h, k, "StartOverride");
            char id[16];
            snprintf(id, sizeof id, "%u", last_id);
            if (o && raw_dword(o, id, &ov) && ov <= 4)
                start = ov;
            bl_key_close(o);
        }
        s->start = start;
        s->has_tag = raw_dword(k, "Tag", &s->tag);
        bl_sb sb = {0};
        if (bl_key_value_by_name(k, "Group", &v) && bl_value_string(&v, &sb, NULL))
            snprintf(s->group, sizeof s->group, "%s", bl_sb_str(&sb));
        bl_sb_reset(&sb);
        if (bl_key_value_by_name(k, "ImagePath", &v) && bl_value_string(&v, &sb, NULL))
            snprintf(s->image, sizeof s->image, "%s", bl_sb_str(&sb));
        bl_sb_free(&sb);
        bl_key_close(k);
    }
    bl_key_close(svcs);
    bl_key_close(cs);
    bl_key_close(root);
}

static const raw_service *raw_find(const raw_hive *r, const char *name)
{
    for (uint32_t i = 0; i < r->n; i++)
        if (bl_fold_eq(r->svc[i].name, name))
            return &r->svc[i];
    return NULL;
}

static uint32_t raw_group_rank(const raw_hive *r, const char *group)
{
    for (uint32_t i = 0; *group && i < r->ngroups; i++)
        if (bl_fold_eq(r->groups[i], group))
            return i;
    return UINT32_MAX;
}

/* Where a tag sorts in its group: its GroupOrderList position, then tags
 * not listed, then no tag; without a list, winload uses the tag itself. */
static uint64_t raw_tag_key(const raw_hive *r, const raw_service *s, bool modern)
{
    if (!s->has_tag)
        return UINT64_MAX;
    for (uint32_t g = 0; g < r->ngol; g++) {
        if (!bl_fold_eq(r->gol[g].group, s->group))
            continue;
        for (uint32_t k = 0; k < r->gol[g].n; k++)
            if (r->gol[g].tags[k] == s->tag)
                return k;
        return UINT64_MAX - 1;
    }
    return modern ? s->tag : UINT64_MAX - 1;
}

/* winload's own groups and image lists come first whatever the list says. */
static bool winload_hardcoded(const raw_service *s)
{
    static const char *const groups[] = {"Early-Launch", "Core", "Core Platform Extensions", "Core Security Extensions"};
    static const char *const images[] = {"verifierext.sys", "wdf01000.sys", "acpiex.sys", "cng.sys", "mssecflt.sys",
                                         "sgrmagent.sys", "lxss.sys", "palcore.sys", "acpisim.sys", "acpi.sys"};
    for (size_t i = 0; i < BL_ARRAY_LEN(groups); i++)
        if (bl_fold_eq(s->group, groups[i]))
            return true;
    const char *base = strrchr(s->image, '\\');
    base = base ? base + 1 : s->image;
    char dflt[160];
    if (!*base) {
        snprintf(dflt, sizeof dflt, "%s.sys", s->name);
        base = dflt;
    }
    for (size_t i = 0; i < BL_ARRAY_LEN(images); i++)
        if (bl_fold_eq(base, images[i]))
            return true;
    return false;
}

static void test_real_win10_virtualbox(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    loaded l = {.m = NULL};
    bl_error err = {{0}};
    if (load_real(&l, shared, "hives/real/SYSTEM-win10-virtualbox.xz", &err) != 0)
        fail_msg("%s", err.msg);
    bl_model *m = l.m;
    assert_true(m->has_hardware_config);
    assert_true(m->modern_loader);
    /* StartOverride applied: 3ware is boot start in its Start value, but the
     * current hardware configuration overrides it to demand. */
    uint32_t s = bl_model_find_service(m, "3ware");
    assert_int_not_equal(s, BL_NONE);
    assert_int_equal(m->services[s].start_value, BL_START_BOOT);
    assert_true(m->services[s].has_start_override);
    assert_int_equal(m->services[s].start, BL_START_DEMAND);

    /* The hive read directly agrees with the model on every service. */
    raw_hive *r = calloc(1, sizeof *r);
    raw_read(l.h, r);
    assert_int_equal(r->n, m->nservices);
    for (uint32_t i = 0; i < r->n; i++) {
        uint32_t k = bl_model_find_service(m, r->svc[i].name);
        if (k == BL_NONE)
            fail_msg("service %s is not in the model", r->svc[i].name);
        int32_t want = r->svc[i].start <= 4 ? (int32_t)r->svc[i].start : BL_START_UNKNOWN;
        if (m->services[k].start != want)
            fail_msg("%s: model start %d, hive says %d", r->svc[i].name, m->services[k].start, want);
    }

    /* The boot list. */
    uint32_t *order;
    uint32_t n = bl_sim_loader_order(m, BL_START_BOOT, m->has_boot_driver_flags ? m->boot_driver_flags : 0, "Ntfs",
                                     &order);
    assert_true(n > 20);
    for (uint32_t i = 0; i < r->n; i++) {
        if (r->svc[i].start != 0 || !r->svc[i].is_driver)
            continue;
        bool found = false;
        for (uint32_t k = 0; k < n && !found; k++)
            found = bl_fold_eq(bl_model_service_name(m, order[k]), r->svc[i].name);
        if (!found)
            fail_msg("boot driver %s (Start=0 after StartOverride) is not in the boot list", r->svc[i].name);
    }
    for (uint32_t k = 0; k < n; k++)
        for (uint32_t j = k + 1; j < n; j++)
            assert_int_not_equal(order[k], order[j]); /* each once */
    /* Listed groups in ServiceGroupOrder order, before unlisted groups and
     * ungrouped drivers; tags in GroupOrderList order within a group. */
    uint32_t last_rank = 0;
    const char *last_name = "";
    bool seen_unlisted = false;
    for (uint32_t k = 0; k < n; k++) {
        const raw_service *x = raw_find(r, bl_model_service_name(m, order[k]));
        assert_non_null(x);
        if (winload_hardcoded(x))
            continue;
        uint32_t rank = raw_group_rank(r, x->group);
        if (rank == UINT32_MAX) {
            seen_unlisted = true;
            continue;
        }
        if (seen_unlisted)
            fail_msg("%s (group \"%s\", listed) loads after a driver of an unlisted group", x->name, x->group);
        if (rank < last_rank)
            fail_msg("%s (group \"%s\", #%u) loads after %s (group #%u)", x->name, x->group, rank, last_name,
                     last_rank);
        last_rank = rank;
        last_name = x->name;
        for (uint32_t j = k + 1; j < n; j++) {
            const raw_service *y = raw_find(r, bl_model_service_name(m, order[j]));
            if (winload_hardcoded(y) || !bl_fold_eq(x->group, y->group))
                continue;
            if (raw_tag_key(r, x, true) > raw_tag_key(r, y, true))
                fail_msg("in group \"%s\", %s (tag %u) loads before %s (tag %u)", x->group, x->name, x->tag, y->name,
                         y->tag);
        }
    }
    free(order);
    free(r->svc);
    free(r);
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_values),
        cmocka_unit_test(test_other_service_values),
        cmocka_unit_test(test_dependencies),
        cmocka_unit_test(test_delete_service_values),
        cmocka_unit_test(test_start_override),
        cmocka_unit_test(test_class_values),
        cmocka_unit_test(test_device_values),
        cmocka_unit_test(test_group_order_values),
        cmocka_unit_test(test_group_order_list),
        cmocka_unit_test(test_control_values),
        cmocka_unit_test(test_apply_value_routing),
        cmocka_unit_test(test_apply_value_prefixes),
        cmocka_unit_test(test_apply_delete),
        cmocka_unit_test(test_remove_service_keeps_index),
        cmocka_unit_test(test_clone_independence),
        cmocka_unit_test(test_models_share_a_pool),
        cmocka_unit_test(test_evidence_paths),
        cmocka_unit_test(test_detect_loader),
        cmocka_unit_test(test_load_control_set_selection),
        cmocka_unit_test(test_load_refuses_other_hives),
        cmocka_unit_test(test_load_without_select),
        cmocka_unit_test(test_load_values_and_anomalies),
        cmocka_unit_test(test_load_minifilter_layouts),
        cmocka_unit_test(test_load_class_guid_case),
        cmocka_unit_test(test_load_device_tree),
        cmocka_unit_test(test_tree_loops_and_depth),
        cmocka_unit_test(test_group_indexes),
        cmocka_unit_test(test_real_win7_vmware),
        cmocka_unit_test(test_real_win10_virtualbox),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

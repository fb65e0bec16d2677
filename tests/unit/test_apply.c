/* test_apply.c — the INF what-if: applying INFs to a model (AddService
 * fields, tag assignment, AddReg/DelReg flags, HKR per section kind, device
 * matching, decorated sections, provenance), the regedit-text reader and
 * the built-in baseline, the lint's split of new and baseline findings and
 * where they point, its SARIF, and every INF of ../shared/infs. */
#include "bootlens/hive.h"
#include "bootlens/inf.h"
#include "bootlens/model.h"
#include "bootlens/report.h"

#include "testutil.h"

#include <sys/wait.h>

#define SYSTEM_CLASS "{4d36e97d-e325-11ce-bfc1-08002be10318}"

static bl_inf *parse_named(const char *name, const char *text)
{
    bl_inf_options o;
    bl_inf_options_init(&o);
    bl_error err;
    bl_inf *inf = bl_inf_parse_mem(name, text, strlen(text), &o, &err);
    if (!inf)
        fail_msg("%s", err.msg);
    return inf;
}

static bl_inf *parse(const char *text)
{
    return parse_named("t.inf", text);
}

/* Applies inf to m for target t (NULL: amd64 Windows 10); returns apply's rc. */
static int apply_to(bl_model *m, const bl_inf *inf, const bl_inf_target *t, bl_apply_result *r, bl_error *err)
{
    bl_inf_target def;
    bl_inf_target_init(&def);
    return bl_inf_apply(m, &inf, 1, t ? t : &def, r, err);
}

static const bl_inf_write *find_write(const bl_apply_result *r, const char *key, const char *value)
{
    const bl_inf_write *found = NULL;
    for (uint32_t i = 0; i < r->nwrites; i++)
        if (bl_fold_eq(r->writes[i].change.key, key) && r->writes[i].change.value &&
            bl_fold_eq(r->writes[i].change.value, value))
            found = &r->writes[i];
    return found;
}

static bool has_diag(const bl_apply_result *r, bl_apply_level level, const char *text)
{
    for (uint32_t i = 0; i < r->ndiags; i++)
        if (r->diags[i].level == level && strstr(r->diags[i].message, text))
            return true;
    return false;
}

static const bl_service *svc(const bl_model *m, const char *name)
{
    uint32_t i = bl_model_find_service(m, name);
    return i == BL_NONE ? NULL : &m->services[i];
}

static void vec_text(const bl_model *m, bl_vec v, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    uint32_t n = bl_pool_vec_len(m->pool, v);
    const uint32_t *it = bl_pool_vec_items(m->pool, v);
    for (uint32_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", i ? "," : "", bl_model_str(m, it[i]));
}

static void tags_text(const bl_model *m, const char *group, char *out, size_t size)
{
    out[0] = '\0';
    const bl_group_tags *gt = bl_model_group_tags(m, bl_pool_str(m->pool, group));
    if (!gt)
        return;
    size_t len = 0;
    uint32_t n = bl_pool_vec_len(m->pool, gt->tags);
    const uint32_t *it = bl_pool_vec_items(m->pool, gt->tags);
    for (uint32_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%u", i ? "," : "", it[i]);
}

/* ---- AddService ---- */

static const char service_inf[] = "[Version]\n"                              /* 1 */
                                  "Signature=\"$Windows NT$\"\n"              /* 2 */
                                  "[DefaultInstall.NTamd64]\n"                /* 3 */
                                  "CopyFiles=@f.sys\n"                        /* 4 */
                                  "[DefaultInstall.NTamd64.Services]\n"       /* 5 */
                                  "AddService = f, 0, F.Svc\n"                /* 6 */
                                  "[F.Svc]\n"                                 /* 7 */
                                  "DisplayName = \"Filter F\"\n"              /* 8 */
                                  "ServiceBinary = %12%\\f.sys\n"             /* 9 */
                                  "ServiceType = 1\n"                         /* 10 */
                                  "StartType = 0\n"                           /* 11 */
                                  "ErrorControl = 3\n"                        /* 12 */
                                  "LoadOrderGroup = \"Boot Bus Extender\"\n"  /* 13 */
                                  "Dependencies = acpi, +Base\n"              /* 14 */
                                  "BootFlags = 0x4\n";                        /* 15 */

static void test_addservice_fields(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_inf *inf = parse(service_inf);
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    const bl_service *s = svc(m, "f");
    assert_non_null(s);
    assert_true(s->has_type && s->type == 1);
    assert_int_equal(s->start, BL_START_BOOT);
    assert_true(s->has_error_control && s->error_control == 3);
    assert_string_equal(bl_model_str(m, s->group), "Boot Bus Extender");
    assert_string_equal(bl_model_str(m, s->display_name), "Filter F");
    /* ImagePath as Windows stores it for a kernel driver in %12%,
     * although ServiceBinary comes before ServiceType. */
    assert_string_equal(bl_model_str(m, s->image_path), "\\SystemRoot\\System32\\drivers\\f.sys");
    char buf[256];
    vec_text(m, s->depend_on_service, buf, sizeof buf);
    assert_string_equal(buf, "acpi");
    vec_text(m, s->depend_on_group, buf, sizeof buf);
    assert_string_equal(buf, "Base");
    assert_true(s->has_boot_flags && s->boot_flags == 4);
    assert_true(s->synthetic);
    /* Provenance: the entry line, and the AddService line that reached it. */
    const bl_inf_write *w = find_write(&r, "Services\\f", "Start");
    assert_non_null(w);
    assert_int_equal(w->origin.line, 11);
    assert_int_equal(w->origin.via, 6);
    assert_string_equal(w->origin.directive, "StartType");
    assert_string_equal(w->origin.inf, "t.inf");
    assert_true(w->in_model);
    assert_int_equal(find_write(&r, "Services\\f", "Group")->origin.line, 13);
    assert_int_equal(find_write(&r, "Services\\f", "ImagePath")->change.type, BL_REG_EXPAND_SZ);
    assert_int_equal(find_write(&r, "Services\\f", "DependOnGroup")->origin.line, 14);
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

static void test_addservice_problems(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_apply_result r;
    bl_error err;
    /* A required entry missing: a warning, the rest applied. */
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\n[DefaultInstall.Services]\n"
                        "AddService=g,,G.Svc\n[G.Svc]\nServiceType=1\nStartType=3\nErrorControl=1\nFrobnicate=1\n");
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    assert_true(has_diag(&r, BL_APPLY_WARNING, "t.inf:6: [G.Svc] has no ServiceBinary entry"));
    assert_true(has_diag(&r, BL_APPLY_WARNING, "t.inf:10: unknown entry Frobnicate"));
    assert_non_null(svc(m, "g"));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    /* A missing service-install section and a malformed number: refused. */
    inf = parse("[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\n[DefaultInstall.Services]\n"
                "AddService=g,,Nowhere\n");
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), -1);
    assert_string_equal(err.msg, "t.inf:5: AddService names service-install section [Nowhere], which is not in the INF");
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    inf = parse("[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\n[DefaultInstall.Services]\n"
                "AddService=g,0xZZ,G.Svc\n[G.Svc]\nServiceType=1\n");
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "t.inf:5: field 2 is \"0xZZ\""));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

static void test_addservice_noclobber(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "old", BL_START_DEMAND, "Base", 1);
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\n[DefaultInstall.Services]\n"
                        "AddService=old,0x50,Old.Svc\n" /* NOCLOBBER_STARTTYPE | NOCLOBBER_LOADORDERGROUP */
                        "[Old.Svc]\nServiceType=1\nStartType=0\nErrorControl=2\nLoadOrderGroup=Filter\n"
                        "ServiceBinary=%12%\\old.sys\n");
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    const bl_service *s = svc(m, "old");
    assert_int_equal(s->start, BL_START_DEMAND);
    assert_string_equal(bl_model_str(m, s->group), "Base");
    assert_int_equal(s->error_control, 2);
    assert_true(has_diag(&r, BL_APPLY_NOTE, "Start kept"));
    assert_null(find_write(&r, "Services\\old", "Start"));
    /* Same group, a tag already: no new tag. */
    assert_null(find_write(&r, "Services\\old", "Tag"));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

/* ---- tags ---- */

static const char *tag_inf(const char *flags, const char *group)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\n[DefaultInstall.Services]\n"
             "AddService=newdrv,%s,N.Svc\n[N.Svc]\nServiceType=1\nStartType=0\nErrorControl=1\n"
             "LoadOrderGroup=%s\nServiceBinary=%%12%%\\newdrv.sys\n",
             flags, group);
    return buf;
}

static bl_model *tag_model(void)
{
    bl_model *m = bl_model_new(NULL);
    const char *groups[] = {"G", "H"};
    tm_groups(m, groups, 2);
    const uint32_t tags[] = {1, 2, 5};
    tm_tags(m, "G", tags, 3);
    tm_driver(m, "a", BL_START_BOOT, "G", 1);
    tm_driver(m, "b", BL_START_BOOT, "g", 3); /* tag 3 is held though not listed */
    tm_driver(m, "c", BL_START_BOOT, "H", 4); /* another group's tag 4 does not count */
    return m;
}

static void test_tag_next_free_appended(void **state)
{
    (void)state;
    bl_model *m = tag_model();
    bl_inf *inf = parse(tag_inf("", "G"));
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    const bl_service *s = svc(m, "newdrv");
    assert_true(s->has_tag);
    assert_int_equal(s->tag, 4);
    char buf[128];
    tags_text(m, "G", buf, sizeof buf);
    assert_string_equal(buf, "1,2,5,4");
    const bl_inf_write *w = find_write(&r, "Control\\GroupOrderList", "G");
    assert_non_null(w);
    assert_int_equal(w->origin.line, 5);
    assert_int_equal(find_write(&r, "Services\\newdrv", "Tag")->origin.line, 5);
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

static void test_tag_to_front(void **state)
{
    (void)state;
    bl_model *m = tag_model();
    bl_inf *inf = parse(tag_inf("0x1", "G"));
    bl_apply_result r;
    bl_error err;
    char buf[128];
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    tags_text(m, "G", buf, sizeof buf);
    assert_string_equal(buf, "4,1,2,5");
    bl_apply_result_free(&r);
    bl_inf_free(inf);

    /* An existing driver of the group keeps its tag; TAGTOFRONT moves it. */
    inf = parse("[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\n[DefaultInstall.Services]\n"
                "AddService=a,0x1,A.Svc\n[A.Svc]\nServiceType=1\nStartType=0\nErrorControl=1\n"
                "LoadOrderGroup=G\nServiceBinary=%12%\\a.sys\n");
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    assert_int_equal(svc(m, "a")->tag, 1);
    tags_text(m, "G", buf, sizeof buf);
    assert_string_equal(buf, "1,4,2,5");
    bl_apply_result_free(&r);
    bl_inf_free(inf);

    /* A group without GroupOrderList: a tag, no list (said); with
     * TAGTOFRONT, a list of that tag. */
    inf = parse(tag_inf("", "H"));
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    assert_int_equal(svc(m, "newdrv")->tag, 1);
    tags_text(m, "H", buf, sizeof buf);
    assert_string_equal(buf, "");
    assert_true(has_diag(&r, BL_APPLY_NOTE, "group \"H\" has no GroupOrderList"));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    inf = parse(tag_inf("0x1", "H"));
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    tags_text(m, "H", buf, sizeof buf);
    assert_string_equal(buf, "1");
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

/* ---- AddReg / DelReg ---- */

static const char flags_inf[] =
    "[Version]\nSignature=\"$Windows NT$\"\n"                                                             /* 1-2 */
    "[DefaultInstall]\nAddReg=R\nDelReg=D\n"                                                              /* 3-5 */
    "[R]\n"                                                                                               /* 6 */
    "HKLM,System\\CurrentControlSet\\Control\\Class\\" SYSTEM_CLASS ",UpperFilters,0x00010008,Up2,UP1\n" /* 7 */
    "HKLM,System\\CurrentControlSet\\Services\\x,Start,0x00010003,2\n"                                   /* 8 */
    "HKLM,System\\CurrentControlSet\\Services\\x,ErrorControl,0x00010001,3\n"                             /* 9 */
    "HKLM,SYSTEM\\CurrentControlSet\\Services\\x,Group,0x00000002,\"Kept? no\"\n"                         /* 10 */
    "HKLM,System\\CurrentControlSet\\Services\\x,Type,0x00010001,01,00,00,00\n"                           /* 11 */
    "HKLM,System\\CurrentControlSet\\Services\\x,ImagePath,0x00020000,\"%SystemRoot%\\x.sys\"\n"         /* 12 */
    "HKLM,System\\CurrentControlSet\\Services\\x,Blob,0x00000001,de,0xad\n"                               /* 13 */
    "HKLM,System\\CurrentControlSet\\Services\\x,DependOnService,0x00010000,a,b\n"                        /* 14 */
    "HKLM,System\\CurrentControlSet\\Services\\x,DependOnService,0x00010008,B,c\n"                        /* 15 */
    "HKLM,System\\CurrentControlSet\\Services\\x,Tag,0x00000004\n"                                        /* 16 */
    "HKLM,System\\CurrentControlSet\\Services\\x,Missing,0x00000020,\"no\"\n"                             /* 17 */
    "HKLM,System\\CurrentControlSet\\Services\\x,ErrorControl,0x00010003,1\n"                             /* 18 */
    "HKLM,Software\\Vendor,Key,,\"v\"\n"                                                                 /* 19 */
    "HKCU,Software\\Vendor,Key,,\"v\"\n"                                                                 /* 20 */
    "[D]\n"                                                                                               /* 21 */
    "HKLM,System\\CurrentControlSet\\Control\\Class\\" SYSTEM_CLASS ",LowerFilters,0x00018002,lo1\n"     /* 22 */
    "HKLM,System\\CurrentControlSet\\Services\\y\n"                                                       /* 23 */
    "HKLM,System\\CurrentControlSet\\Services\\x,BootFlags\n";                                            /* 24 */

static void test_addreg_flags(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    const char *up[] = {"up1"}, *lo[] = {"lo1", "lo2"};
    bl_model_set_multi(m, "Control\\Class\\" SYSTEM_CLASS, "UpperFilters", up, 1);
    bl_model_set_multi(m, "Control\\Class\\" SYSTEM_CLASS, "LowerFilters", lo, 2);
    tm_driver(m, "x", BL_START_DEMAND, "", -1);
    bl_model_set_dword(m, "Services\\x", "BootFlags", 1);
    tm_driver(m, "y", BL_START_BOOT, "", -1);
    bl_inf *inf = parse(flags_inf);
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    char buf[256];
    const bl_class *cls = &m->classes[bl_model_find_class(m, SYSTEM_CLASS)];
    /* APPEND: only what is not there yet (names compare ignoring case). */
    vec_text(m, cls->upper, buf, sizeof buf);
    assert_string_equal(buf, "up1,Up2");
    assert_string_equal(find_write(&r, "Control\\Class\\" SYSTEM_CLASS, "UpperFilters")->what,
                        "appends Up2 to class " SYSTEM_CLASS " UpperFilters");
    /* DELSTRING removes one item. */
    vec_text(m, cls->lower, buf, sizeof buf);
    assert_string_equal(buf, "lo2");
    const bl_service *x = svc(m, "x");
    /* 0x00010003 = DWORD | NOCLOBBER: Start exists, kept; ErrorControl did not, set at line 9
     * and kept at line 18. */
    assert_int_equal(x->start, BL_START_DEMAND);
    assert_int_equal(x->error_control, 3);
    assert_int_equal(find_write(&r, "Services\\x", "ErrorControl")->origin.line, 9);
    /* NOCLOBBER on a new value writes it. */
    assert_string_equal(bl_model_str(m, x->group), "Kept? no");
    /* An old-style DWORD given as bytes; EXPAND_SZ; BINARY. */
    assert_int_equal(x->type, 1);
    assert_string_equal(bl_model_str(m, x->image_path), "%SystemRoot%\\x.sys");
    assert_int_equal(find_write(&r, "Services\\x", "ImagePath")->change.type, BL_REG_EXPAND_SZ);
    const bl_inf_write *blob = find_write(&r, "Services\\x", "Blob");
    assert_int_equal(blob->change.type, BL_REG_BINARY);
    assert_int_equal(blob->change.size, 2);
    assert_int_equal(blob->change.data[1], 0xad);
    assert_false(blob->in_model);
    /* MULTI_SZ set, then appended to. */
    vec_text(m, x->depend_on_service, buf, sizeof buf);
    assert_string_equal(buf, "a,b,c");
    /* DELVAL deletes; OVERWRITEONLY does not create. */
    assert_true(find_write(&r, "Services\\x", "Tag")->change.delete_value);
    assert_null(find_write(&r, "Services\\x", "Missing"));
    assert_true(has_diag(&r, BL_APPLY_NOTE, "t.inf:17:"));
    /* Outside the SYSTEM control set: said, not applied. */
    assert_true(has_diag(&r, BL_APPLY_NOTE, "t.inf:19: HKLM\\Software\\Vendor is outside"));
    assert_true(has_diag(&r, BL_APPLY_NOTE, "t.inf:20: HKCU is not the SYSTEM hive"));
    /* DelReg: a service key, a value. */
    assert_null(svc(m, "y"));
    bool deleted = false;
    for (uint32_t i = 0; i < r.nwrites; i++)
        deleted |= r.writes[i].change.delete_key && bl_fold_eq(r.writes[i].change.key, "Services\\y");
    assert_true(deleted);
    assert_false(x->has_boot_flags);
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

static void test_addreg_errors(void **state)
{
    (void)state;
    static const struct {
        const char *entry, *error;
    } cases[] = {
        {"HKLM,System\\CurrentControlSet\\Services\\x,Start,0xQ,1", "t.inf:6: field 4 is \"0xQ\""},
        {"HKLM,System\\CurrentControlSet\\Services\\x,Start,0x10001,zero", "t.inf:6: field 5 is \"zero\""},
        {"HKLM,System\\CurrentControlSet\\Services\\x,Blob,1,1g", "t.inf:6: field 5 is \"1g\", not a hex byte"},
        {"HKLM,System\\CurrentControlSet\\Services\\x,Odd,0x30000,1", "t.inf:6: flags 0x00030000 select no registry type"},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        char text[512];
        snprintf(text, sizeof text, "[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\nAddReg=R\n[R]\n%s\n",
                 cases[i].entry);
        bl_model *m = bl_model_new(NULL);
        bl_inf *inf = parse(text);
        bl_apply_result r;
        bl_error err;
        assert_int_equal(apply_to(m, inf, NULL, &r, &err), -1);
        if (!strstr(err.msg, cases[i].error))
            fail_msg("case %zu: \"%s\" does not contain \"%s\"", i, err.msg, cases[i].error);
        bl_apply_result_free(&r);
        bl_inf_free(inf);
        bl_model_free(m);
    }
}

/* ---- HKR per section kind, devices ---- */

static const char device_inf[] =
    "[Version]\n"                                               /* 1 */
    "Signature=\"$Windows NT$\"\n"                              /* 2 */
    "Class=Widget\n"                                            /* 3 */
    "ClassGuid={11111111-2222-3333-4444-555555555555}\n"        /* 4 */
    "[ClassInstall32]\n"                                        /* 5 */
    "AddReg=Class.Reg\n"                                        /* 6 */
    "[Class.Reg]\n"                                             /* 7 */
    "HKR,,LowerFilters,0x00010000,wlow\n"                       /* 8 */
    "[Manufacturer]\n"                                          /* 9 */
    "%M%=Models,NTamd64\n"                                      /* 10 */
    "[Models.NTamd64]\n"                                        /* 11 */
    "%D%=Dev,PCI\\VEN_1234&DEV_0001,PCI\\CC_0C03\n"             /* 12 */
    "%D2%=Other,pci\\ven_1234\n"                                /* 13 */
    "[Dev.NT]\n"                                                /* 14 */
    "AddReg=Soft.Reg\n"                                         /* 15 */
    "[Dev.NT.HW]\n"                                             /* 16 */
    "AddReg=Hw.Reg\n"                                           /* 17 */
    "[Dev.NT.Services]\n"                                       /* 18 */
    "AddService=widget,0x2,W.Svc\n"                             /* 19 */
    "[Other.NT]\n"                                              /* 20 */
    "[Other.NT.Services]\n"                                     /* 21 */
    "AddService=other,0x2,W.Svc\n"                              /* 22 */
    "[Soft.Reg]\n"                                              /* 23 */
    "HKR,,UpperFilters,0x00010000,wrong\n"                      /* 24 */
    "[Hw.Reg]\n"                                                /* 25 */
    "HKR,,UpperFilters,0x00010000,wup\n"                        /* 26 */
    "[W.Svc]\n"                                                 /* 27 */
    "ServiceType=1\nStartType=3\nErrorControl=1\nServiceBinary=%13%\\w.sys\n"
    "AddReg=Svc.Reg\n"                                          /* 32 */
    "[Svc.Reg]\n"                                               /* 33 */
    "HKR,Parameters,Mode,0x00010001,1\n"                        /* 34 */
    "[Strings]\nM=\"Maker\"\nD=\"Widget\"\nD2=\"Other widget\"\n";

static void add_pci_device(bl_model *m, const char *id, const char *hw, const char *compat)
{
    char path[256];
    snprintf(path, sizeof path, "Enum\\%s", id);
    tm_device(m, id, "{4d36e97b-e325-11ce-bfc1-08002be10318}", "old");
    bl_model_set_multi(m, path, "HardwareID", &hw, 1);
    if (compat)
        bl_model_set_multi(m, path, "CompatibleIDs", &compat, 1);
}

static void test_hkr_and_devices(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "old", BL_START_BOOT, "", -1);
    add_pci_device(m, "PCI\\VEN_1234&DEV_0001\\3&1&0&08", "pci\\ven_1234&dev_0001", NULL);
    add_pci_device(m, "PCI\\VEN_1234&DEV_0002\\3&1&0&10", "PCI\\VEN_1234&DEV_0002", "PCI\\VEN_1234");
    add_pci_device(m, "PCI\\VEN_9999&DEV_0001\\3&1&0&18", "PCI\\VEN_9999&DEV_0001", "PCI\\VEN_9999");
    bl_inf *inf = parse(device_inf);
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    /* Matching ignores case; each device gets the entry its ids reach. */
    assert_int_equal(r.nmatches, 2);
    assert_int_equal(r.infs[0].model_entries, 2);
    assert_int_equal(r.infs[0].matched_devices, 2);
    const bl_device *d1 = &m->devices[bl_model_find_device(m, "PCI\\VEN_1234&DEV_0001\\3&1&0&08")];
    const bl_device *d2 = &m->devices[bl_model_find_device(m, "PCI\\VEN_1234&DEV_0002\\3&1&0&10")];
    const bl_device *d3 = &m->devices[bl_model_find_device(m, "PCI\\VEN_9999&DEV_0001\\3&1&0&18")];
    assert_string_equal(bl_model_str(m, d1->service), "widget");
    assert_string_equal(bl_model_str(m, d2->service), "other");
    assert_string_equal(bl_model_str(m, d3->service), "old");
    assert_string_equal(bl_model_str(m, d1->class_guid), "{11111111-2222-3333-4444-555555555555}");
    /* HKR in .HW is the device key; in the service section the service key;
     * in ClassInstall32 the new class key. */
    char buf[256];
    vec_text(m, d1->upper, buf, sizeof buf);
    assert_string_equal(buf, "wup");
    assert_int_equal(d2->upper, 0);
    const bl_inf_write *w = find_write(&r, "Enum\\PCI\\VEN_1234&DEV_0001\\3&1&0&08", "UpperFilters");
    assert_int_equal(w->origin.line, 26);
    assert_int_equal(w->origin.via, 17);
    assert_non_null(find_write(&r, "Services\\widget\\Parameters", "Mode"));
    const bl_class *cls = &m->classes[bl_model_find_class(m, "{11111111-2222-3333-4444-555555555555}")];
    assert_string_equal(bl_model_str(m, cls->name), "Widget");
    vec_text(m, cls->lower, buf, sizeof buf);
    assert_string_equal(buf, "wlow");
    assert_true(r.infs[0].class_installed);
    /* The device's software key is not the boot model; filters there are a mistake. */
    assert_true(has_diag(&r, BL_APPLY_WARNING, "t.inf:24: UpperFilters in the device's software key has no effect"));
    assert_int_equal(find_write(&r, "Enum\\PCI\\VEN_1234&DEV_0001\\3&1&0&08", "Service")->origin.line, 19);
    bl_apply_result_free(&r);

    /* Applied again: the class exists now, ClassInstall32 is not run. */
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    assert_false(r.infs[0].class_installed);
    assert_true(has_diag(&r, BL_APPLY_NOTE, "exists in the baseline: [ClassInstall32] is not processed"));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

static void test_no_device_matches(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    add_pci_device(m, "PCI\\VEN_9999&DEV_0001\\3&1&0&18", "PCI\\VEN_9999&DEV_0001", NULL);
    bl_inf *inf = parse(device_inf);
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    assert_int_equal(r.nmatches, 0);
    assert_true(has_diag(&r, BL_APPLY_NOTE, "t.inf:12: no device of the baseline matches"));
    /* Services are installed all the same; per-device parts are not. */
    assert_non_null(svc(m, "widget"));
    for (uint32_t i = 0; i < r.nwrites; i++)
        assert_false(bl_fold_has_prefix(r.writes[i].change.key, "Enum\\"));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

static void test_extension_and_filters_section(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "old", BL_START_BOOT, "", -1);
    add_pci_device(m, "PCI\\VEN_1234&DEV_0001\\3&1&0&08", "PCI\\VEN_1234&DEV_0001", NULL);
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\nClass=Extension\n"
                        "ClassGuid={e2f84ce7-8efa-411c-aa69-97454ca4cb57}\n"
                        "[Manufacturer]\nM=Models,NTamd64\n[Models.NTamd64]\nExt=Ext,PCI\\VEN_1234&DEV_0001\n"
                        "[Ext.NT]\n[Ext.NT.Services]\nAddService=ext,,E.Svc\n[Ext.NT.Filters]\n"
                        "AddFilter=ext,,E.Pos\nAddFilter=lvl,,E.Lvl\n[E.Pos]\nFilterPosition=Lower\n"
                        "[E.Lvl]\nFilterLevel=Mystery\n[E.Svc]\nServiceType=1\nStartType=0\nErrorControl=1\n"
                        "ServiceBinary=%13%\\ext.sys\n");
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    const bl_device *d = &m->devices[0];
    /* An extension INF keeps the device's class and function driver. */
    assert_string_equal(bl_model_str(m, d->service), "old");
    assert_string_equal(bl_model_str(m, d->class_guid), "{4d36e97b-e325-11ce-bfc1-08002be10318}");
    char buf[128];
    vec_text(m, d->lower, buf, sizeof buf);
    assert_string_equal(buf, "ext");
    assert_int_equal(find_write(&r, "Enum\\PCI\\VEN_1234&DEV_0001\\3&1&0&08", "LowerFilters")->origin.line, 13);
    /* A level nobody declares: Windows leaves the filter out. */
    assert_true(has_diag(&r, BL_APPLY_WARNING, "t.inf:14: filter lvl is registered to level \"Mystery\""));
    assert_null(strstr(buf, "lvl"));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

/* Declarative filters (Windows 10 1903's "device filter driver ordering"):
 * a base INF declares ordered levels and a default level in the device's
 * hardware key; registrations land by level, the legacy UpperFilters
 * entries and FilterPosition registrations at the default level. */
static const char levels_base_inf[] =
    "[Version]\nSignature=\"$Windows NT$\"\nClass=System\nClassGuid=" SYSTEM_CLASS "\n" /* 1-4 */
    "[Manufacturer]\nM=Models,NTamd64\n"                                           /* 5-6 */
    "[Models.NTamd64]\nDev=Dev,PCI\\VEN_1234&DEV_0001\n"                           /* 7-8 */
    "[Dev.NT]\n[Dev.NT.HW]\nAddReg=Dev.Levels\n"                                   /* 9-11 */
    "[Dev.Levels]\n"                                                               /* 12 */
    "HKR,,UpperFilterLevels,0x00010000,\"Encryption\",\"Monitoring\",\"Top\"\n"      /* 13 */
    "HKR,,UpperFilterDefaultLevel,,\"Monitoring\"\n"                                /* 14 */
    "HKR,,UpperFilters,0x00010008,legacy\n"                                         /* 15 */
    "[Dev.NT.Services]\nAddService=old,2,Old.Svc\n"                                 /* 16-17 */
    "[Dev.NT.Filters]\n"                                                           /* 18 */
    "AddFilter=topf,,F.Top\n"                                                       /* 19 */
    "AddFilter=posf,0,F.Pos\n"                                                      /* 20 */
    "AddFilter=encf,,F.Enc\n"                                                       /* 21 */
    "AddFilter=badf,1,F.Both\n"                                                     /* 22 */
    "AddFilter=nonef,,F.None\n"                                                     /* 23 */
    "[F.Top]\nFilterLevel=top\n[F.Pos]\nFilterPosition=Upper\n[F.Enc]\nFilterLevel=Encryption\n"
    "[F.Both]\nFilterLevel=Top\nFilterPosition=Lower\n[F.None]\nFilterPosition=Middle\n"
    "[Old.Svc]\nServiceType=1\nStartType=3\nErrorControl=1\nServiceBinary=%13%\\old.sys\n";

static void test_addfilter_levels(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    tm_driver(m, "old", BL_START_DEMAND, "", -1);
    add_pci_device(m, "PCI\\VEN_1234&DEV_0001\\3&1&0&08", "PCI\\VEN_1234&DEV_0001", NULL);
    bl_inf *inf = parse(levels_base_inf);
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    char buf[256];
    vec_text(m, m->devices[0].upper, buf, sizeof buf);
    /* Encryption, then Monitoring (default: the legacy entry and the
     * position-only one), then Top (level names ignore case). */
    assert_string_equal(buf, "encf,legacy,posf,topf,badf");
    const bl_inf_write *w = find_write(&r, "Enum\\PCI\\VEN_1234&DEV_0001\\3&1&0&08", "UpperFilters");
    assert_int_equal(w->origin.line, 22);
    assert_string_equal(w->origin.directive, "AddFilter");
    assert_non_null(strstr(w->what, "at level Top of the device's levels"));
    assert_true(has_diag(&r, BL_APPLY_WARNING, "t.inf:22: AddFilter flags \"1\": the flags are unused and must be 0"));
    assert_false(has_diag(&r, BL_APPLY_WARNING, "t.inf:20: AddFilter flags"));
    assert_true(has_diag(&r, BL_APPLY_WARNING, "gives both FilterLevel and FilterPosition"));
    assert_true(has_diag(&r, BL_APPLY_WARNING, "a FilterPosition that is neither Upper nor Lower: filter nonef is not added"));
    bl_apply_result_free(&r);

    /* Before Windows 10 1903 setup skips the section: nothing declarative. */
    bl_model_free(m);
    m = bl_model_new(NULL);
    tm_driver(m, "old", BL_START_DEMAND, "", -1);
    add_pci_device(m, "PCI\\VEN_1234&DEV_0001\\3&1&0&08", "PCI\\VEN_1234&DEV_0001", NULL);
    bl_inf_target t;
    bl_inf_target_init(&t);
    t.build = 17763;
    assert_int_equal(apply_to(m, inf, &t, &r, &err), 0);
    vec_text(m, m->devices[0].upper, buf, sizeof buf);
    assert_string_equal(buf, "legacy");
    assert_true(has_diag(&r, BL_APPLY_WARNING, "need Windows 10 version 1903 (build 18362) or later; the target is 10.0.17763"));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

/* Minifilter instances through the service's AddReg, in both layouts;
 * the writes as a .reg file. */
static void test_minifilter_instances_and_reg(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\n[DefaultInstall.Services]\n"
                        "AddService=old,,Old.Svc\nAddService=new,,New.Svc\n"
                        "[Old.Svc]\nServiceType=2\nStartType=3\nErrorControl=1\nServiceBinary=%12%\\old.sys\n"
                        "AddReg=Old.Reg\n"
                        "[New.Svc]\nServiceType=2\nStartType=3\nErrorControl=1\nServiceBinary=%12%\\new.sys\n"
                        "AddReg=New.Reg\n"
                        "[Old.Reg]\nHKR,Instances,DefaultInstance,,\"Old I\"\n"
                        "HKR,\"Instances\\Old I\",Altitude,,\"370030\"\n"
                        "[New.Reg]\nHKR,\"Parameters\\Instances\",DefaultInstance,,\"New I\"\n"
                        "HKR,\"Parameters\\Instances\\New I\",Altitude,,\"370040.5\"\n"
                        "HKR,\"Parameters\\Instances\\New I\",Flags,0x10001,0\n");
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, NULL, &r, &err), 0);
    const bl_service *o = svc(m, "old"), *n = svc(m, "new");
    assert_int_equal(o->instances_layout, BL_INST_SERVICE_KEY);
    assert_int_equal(n->instances_layout, BL_INST_PARAMETERS);
    assert_string_equal(bl_model_str(m, o->default_instance), "Old I");
    assert_int_equal(n->inst_count, 1);
    const bl_instance *ni = &m->instances[n->inst_first];
    assert_string_equal(bl_model_str(m, ni->altitude), "370040.5");
    assert_true(ni->has_flags);
    assert_int_equal(find_write(&r, "Services\\new\\Parameters\\Instances\\New I", "Altitude")->origin.line, 24);
    /* ImagePath of a file-system driver is a kernel path too. */
    assert_string_equal(bl_model_str(m, n->image_path), "\\SystemRoot\\System32\\drivers\\new.sys");
    bl_sb reg = {0};
    bl_apply_result_reg(&r, &reg);
    assert_non_null(strstr(reg.buf, "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\new\\Parameters\\Instances\\New I]\n"
                                    "\"Altitude\"=\"370040.5\"\n\"Flags\"=dword:00000000\n"));
    assert_non_null(strstr(reg.buf, "\"Start\"=dword:00000003\n"));
    bl_sb_free(&reg);
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

/* ---- decorated sections ---- */

static const char decorated_inf[] =
    "[Version]\nSignature=\"$Windows NT$\"\n"
    "[DefaultInstall.NTx86]\n[DefaultInstall.NTx86.Services]\nAddService=d,,X86.Svc\n"
    "[DefaultInstall.NTamd64]\n[DefaultInstall.NTamd64.Services]\nAddService=d,,Amd64.Svc\n"
    "[Manufacturer]\nM=Models,NTamd64,NTamd64.10.0...17763\n"
    "[Models.NTamd64]\nOld=OldInst,ROOT\\DECO\n"
    "[Models.NTamd64.10.0...17763]\nNew=NewInst,ROOT\\DECO\n"
    "[OldInst.NT]\n[OldInst.NT.Services]\nAddService=m,0x2,Old.Svc\n"
    "[NewInst.NT]\n[NewInst.NT.Services]\nAddService=m,0x2,New.Svc\n"
    "[X86.Svc]\nServiceType=1\nStartType=3\nErrorControl=1\nLoadOrderGroup=x86\nServiceBinary=%12%\\d.sys\n"
    "[Amd64.Svc]\nServiceType=1\nStartType=3\nErrorControl=1\nLoadOrderGroup=amd64\nServiceBinary=%12%\\d.sys\n"
    "[Old.Svc]\nServiceType=1\nStartType=3\nErrorControl=1\nLoadOrderGroup=old\nServiceBinary=%12%\\m.sys\n"
    "[New.Svc]\nServiceType=1\nStartType=3\nErrorControl=1\nLoadOrderGroup=new\nServiceBinary=%12%\\m.sys\n";

static void decorated_case(bl_inf_arch arch, uint32_t build, const char *d_group, const char *m_group)
{
    bl_model *m = bl_model_new(NULL);
    tm_device(m, "ROOT\\DECO\\0000", NULL, NULL);
    const char *hw = "ROOT\\DECO";
    bl_model_set_multi(m, "Enum\\ROOT\\DECO\\0000", "HardwareID", &hw, 1);
    bl_inf *inf = parse(decorated_inf);
    bl_inf_target t;
    bl_inf_target_init(&t);
    t.arch = arch;
    t.build = build;
    bl_apply_result r;
    bl_error err;
    assert_int_equal(apply_to(m, inf, &t, &r, &err), 0);
    assert_string_equal(bl_model_str(m, svc(m, "d")->group), d_group);
    if (m_group)
        assert_string_equal(bl_model_str(m, svc(m, "m")->group), m_group);
    else
        assert_null(svc(m, "m"));
    bl_apply_result_free(&r);
    bl_inf_free(inf);
    bl_model_free(m);
}

static void test_decorated_sections(void **state)
{
    (void)state;
    decorated_case(BL_INF_ARCH_AMD64, 19041, "amd64", "new");
    decorated_case(BL_INF_ARCH_AMD64, 17134, "amd64", "old");
    decorated_case(BL_INF_ARCH_X86, 19041, "x86", NULL);
}

/* ---- Needs= ---- */

static void test_needs(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_inf *a = parse_named("a.inf", "[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\n"
                                     "Include=common.inf, gone.inf\nNeeds=Common.Reg.Install, Absent\n");
    bl_inf *b = parse_named("dir/common.inf", "[Version]\nSignature=\"$Windows NT$\"\n[Common.Reg.Install]\n"
                                              "AddReg=Common.Reg\n[Common.Reg]\n"
                                              "HKLM,System\\CurrentControlSet\\Services\\c,Start,0x10001,1\n");
    const bl_inf *both[2] = {a, b};
    bl_inf_target t;
    bl_inf_target_init(&t);
    bl_apply_result r;
    bl_error err;
    assert_int_equal(bl_inf_apply(m, both, 2, &t, &r, &err), 0);
    const bl_inf_write *w = find_write(&r, "Services\\c", "Start");
    assert_non_null(w);
    assert_string_equal(w->origin.inf, "dir/common.inf");
    assert_int_equal(w->origin.line, 6);
    assert_true(has_diag(&r, BL_APPLY_NOTE, "a.inf:5: Needs=Absent: a section of gone.inf, which was not given"));
    bl_apply_result_free(&r);
    /* Without common.inf, only said. */
    bl_model *m2 = bl_model_new(NULL);
    assert_int_equal(bl_inf_apply(m2, both, 1, &t, &r, &err), 0);
    assert_int_equal(r.nwrites, 0);
    assert_true(has_diag(&r, BL_APPLY_NOTE, "Needs=Common.Reg.Install: a section of common.inf"));
    bl_apply_result_free(&r);
    bl_model_free(m2);
    bl_inf_free(a);
    bl_inf_free(b);
    bl_model_free(m);
}

/* ---- regedit text ---- */

static void test_regtext_reader(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBFWindows Registry Editor Version 5.00\n"
                               "; comment\n"
                               "[HKEY_LOCAL_MACHINE\\SYSTEM\\Select]\n"
                               "\"Current\"=dword:2\n"
                               "[ControlSet001\\Services\\wrong]\n"
                               "\"Start\"=dword:00000000\n"
                               "[ControlSet002\\Services\\a]\r\n"
                               "\"Type\"=dword:00000001\n"
                               "\"Start\"=dword:0\n"
                               "\"Group\"=\"B\\\\\\\"q\\\"\"\n"
                               "\"ImagePath\"=expand:\"system32\\\\a.sys\"\n"
                               "\"DependOnService\"=multi:\"b\", \"c\"\n"
                               "\"Bin\"=hex:01,02,\\\n"
                               "  03\n"
                               "\"Tag\"=hex(4):07,00,00,00\n"
                               "\"Q\"=qword:1\n"
                               "\"BootFlags\"=dword:1\n"
                               "\"BootFlags\"=-\n"
                               "[CurrentControlSet\\Control\\GroupOrderList]\n"
                               "\"B\"=hex:01,00,00,00,07,00,00,00\n";
    bl_model *m = bl_model_new(NULL);
    bl_error err;
    assert_int_equal(bl_model_load_regtext(m, "t.reg", text, sizeof text - 1, NULL, NULL, &err), 0);
    assert_string_equal(bl_model_str(m, m->control_set_name), "ControlSet002");
    assert_null(svc(m, "wrong"));
    const bl_service *a = svc(m, "a");
    assert_non_null(a);
    assert_int_equal(a->start, BL_START_BOOT);
    assert_string_equal(bl_model_str(m, a->group), "B\\\"q\"");
    assert_string_equal(bl_model_str(m, a->image_path), "system32\\a.sys");
    char buf[128];
    vec_text(m, a->depend_on_service, buf, sizeof buf);
    assert_string_equal(buf, "b,c");
    assert_true(a->has_tag && a->tag == 7);
    assert_false(a->has_boot_flags);
    tags_text(m, "B", buf, sizeof buf);
    assert_string_equal(buf, "7");
    bl_model_free(m);

    /* Errors name FILE:LINE (continued lines: the first one). */
    static const struct {
        const char *text, *error;
    } bad[] = {
        {"[Select]\n\"Current\"=dword:1\n\"x\"=dword:123456789\n", "t.reg:3: "},
        {"\"orphan\"=\"x\"\n", "t.reg:1: \"orphan\"=\"x\": a value before any [key]"},
        {"[ControlSet001\\Services\\a]\n\"Start\"=hex:01,\\\n  zz\n", "t.reg:2: "},
        {"[ControlSet001\\Services\\a\n", "t.reg:1: [ControlSet001\\Services\\a: a key header must end with ']'"},
        {"[-ControlSet001\\Services\\a]\n", "t.reg:1: [-ControlSet001\\Services\\a]: deleting keys is not supported"},
        {"!include other.reg\n", "t.reg:1: !include other.reg: not available for this text"},
        {"[ControlSet001\\Services\\a]\n\"Start\"=multi:\"a\" \"b\"\n", "t.reg:2: "},
        {"[ControlSet001\\Services\\a]\n\"Start\"=dword:1 junk\n", "t.reg:2: "},
        {"[Select]\n\"Current\"=dword:3\n[ControlSet001\\Services\\a]\n\"Start\"=dword:0\n",
         "t.reg: ControlSet003 does not exist in this text"},
        {"[ControlSet001\\Control]\n\"BootDriverFlags\"=dword:0\n", "t.reg: ControlSet001\\Services holds no service"},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(bad); i++) {
        m = bl_model_new(NULL);
        assert_int_equal(bl_model_load_regtext(m, "t.reg", bad[i].text, strlen(bad[i].text), NULL, NULL, &err), -1);
        if (strncmp(err.msg, bad[i].error, strlen(bad[i].error)) != 0)
            fail_msg("case %zu: \"%s\" does not start with \"%s\"", i, err.msg, bad[i].error);
        bl_model_free(m);
    }
    /* NUL bytes: binary, not text. */
    m = bl_model_new(NULL);
    assert_int_equal(bl_model_load_regtext(m, "t.reg", "[Select]\n\0x", 11, NULL, NULL, &err), -1);
    assert_string_equal(err.msg, "t.reg:2: NUL byte: binary data, not text");
    bl_model_free(m);
}

static void test_regtext_utf16_and_detect(void **state)
{
    (void)state;
    const char *utf8 = "Windows Registry Editor Version 5.00\r\n\r\n[ControlSet001\\Services\\u]\r\n\"Start\"=dword:00000001\r\n";
    bl_sb w = {0};
    bl_sb_addn(&w, "\xFF\xFE", 2);
    bl_utf8_to_utf16le(utf8, strlen(utf8), &w);
    assert_true(bl_regtext_detect((const uint8_t *)w.buf, w.len));
    bl_model *m = bl_model_new(NULL);
    bl_error err;
    assert_int_equal(bl_model_load_regtext(m, "u.reg", w.buf, w.len, NULL, NULL, &err), 0);
    assert_int_equal(svc(m, "u")->start, BL_START_SYSTEM);
    assert_true(m->nanomalies > 0); /* no Select: ControlSet001 assumed, and said */
    bl_model_free(m);
    bl_sb_free(&w);
    assert_false(bl_regtext_detect((const uint8_t *)"regf\0\0\0\0", 8));
    assert_true(bl_regtext_detect((const uint8_t *)"\n  ; x", 6));
    assert_false(bl_regtext_detect((const uint8_t *)"\x7f" "ELF", 4));
}

static void test_builtin_baseline(void **state)
{
    (void)state;
    bl_model *m = bl_model_new(NULL);
    bl_error err;
    assert_int_equal(bl_model_load_builtin_baseline(m, &err), 0);
    assert_true(m->modern_loader);
    assert_true(m->has_hardware_config);
    assert_true(m->nservices >= 40);
    assert_true(m->ndevices >= 8);
    assert_non_null(svc(m, "stornvme"));
    /* StartOverride\0 demand-starts storahci, as on a machine without AHCI. */
    assert_int_equal(svc(m, "storahci")->start, BL_START_DEMAND);
    char buf[512];
    tags_text(m, "Boot Bus Extender", buf, sizeof buf);
    assert_string_equal(buf, "7,1,2,3,4,5,6,8,9,10,11");
    /* The boot path starts in the boot phase, and the baseline has no error
     * or warning of its own. */
    bl_timeline *t = bl_simulate(m, NULL);
    uint32_t disk = BL_NONE;
    for (uint32_t i = 0; i < m->ndevices; i++)
        if (bl_fold_has_prefix(bl_model_str(m, m->devices[i].instance_id), "SCSI\\Disk"))
            disk = i;
    assert_int_not_equal(disk, BL_NONE);
    assert_int_equal(t->devices[disk].phase, BL_PHASE_BOOT);
    bl_knowledge *k = bl_knowledge_new();
    assert_int_equal(bl_knowledge_add_builtin(k, &err), 0);
    bl_rules_options ro = {k, NULL, NULL, true, NULL, 0, 0};
    bl_findings f = {0};
    bl_rules_run(m, t, &ro, &f);
    uint32_t counts[3];
    bl_findings_count(&f, counts);
    assert_int_equal(counts[BL_SEV_ERROR] + counts[BL_SEV_WARNING], 0);
    bl_findings_free(&f);
    bl_knowledge_free(k);
    bl_timeline_free(t);
    bl_model_free(m);
}

/* ---- lint ---- */

typedef struct lint_fixture {
    bl_model *baseline;
    bl_knowledge *knowledge;
    bl_inf *inf;
    bl_lint_result r;
} lint_fixture;

static void lint_file_with(lint_fixture *fx, const char *baseline_reg, const char *inf_path,
                           const bl_suppressions *sup, const char *baseline_path);

static void lint_file(lint_fixture *fx, const char *baseline_reg, const char *inf_path)
{
    lint_file_with(fx, baseline_reg, inf_path, NULL, NULL);
}

static void lint_file_with(lint_fixture *fx, const char *baseline_reg, const char *inf_path,
                           const bl_suppressions *sup, const char *baseline_path)
{
    memset(fx, 0, sizeof *fx);
    bl_error err;
    fx->baseline = bl_model_new(NULL);
    int rc = baseline_reg ? bl_model_load_regtext_file(fx->baseline, baseline_reg, NULL, &err)
                          : bl_model_load_builtin_baseline(fx->baseline, &err);
    if (rc != 0)
        fail_msg("%s", err.msg);
    fx->knowledge = bl_knowledge_new();
    assert_int_equal(bl_knowledge_add_builtin(fx->knowledge, &err), 0);
    bl_inf_options io;
    bl_inf_options_init(&io);
    fx->inf = bl_inf_parse_file(inf_path, &io, &err);
    if (!fx->inf)
        fail_msg("%s", err.msg);
    bl_lint_options lo;
    memset(&lo, 0, sizeof lo);
    bl_inf_target_init(&lo.target);
    lo.knowledge = fx->knowledge;
    lo.suppressions = sup;
    lo.baseline_path = baseline_path;
    const bl_inf *infs[1] = {fx->inf};
    if (bl_lint_run(fx->baseline, infs, 1, &lo, &fx->r, &err) != 0)
        fail_msg("%s", err.msg);
}

static void lint_free(lint_fixture *fx)
{
    bl_lint_result_free(&fx->r);
    bl_inf_free(fx->inf);
    bl_knowledge_free(fx->knowledge);
    bl_model_free(fx->baseline);
}

static const bl_finding *finding(const bl_lint_result *r, const char *rule, uint32_t *index)
{
    for (uint32_t i = 0; i < r->findings.n; i++)
        if (strcmp(r->findings.v[i].rule, rule) == 0) {
            if (index)
                *index = i;
            return &r->findings.v[i];
        }
    return NULL;
}

static bool has_service(const bl_finding *f, const char *name)
{
    for (uint32_t i = 0; i < f->nservices; i++)
        if (bl_fold_eq(f->services[i], name))
            return true;
    return false;
}

static void test_lint_seed_case(void **state)
{
    (void)state;
    lint_fixture fx;
    lint_file(&fx, "test_hives/vmware-tools-baseline.reg", "test_infs/dlpflt-late.inf");
    uint32_t i;
    const bl_finding *f = finding(&fx.r, "filter-delays-device", &i);
    assert_non_null(f);
    assert_int_equal(f->severity, BL_SEV_ERROR);
    assert_true(has_service(f, "dlpflt") && has_service(f, "vsepflt"));
    const bl_lint_item *it = &fx.r.items[i];
    /* The AddReg entry appending the class filter, then its service's
     * StartType and LoadOrderGroup lines. */
    assert_string_equal(it->primary.inf, "test_infs/dlpflt-late.inf");
    assert_int_equal(it->primary.line, 48);
    assert_string_equal(it->primary.directive, "AddReg");
    bool start = false, group = false;
    for (uint32_t k = 0; k < it->nrelated; k++) {
        start |= it->related[k].line == 40 && strcmp(it->related[k].directive, "StartType") == 0;
        group |= it->related[k].line == 42 && strcmp(it->related[k].directive, "LoadOrderGroup") == 0;
    }
    assert_true(start && group);
    /* A verified fix, and the INF edit it means. */
    assert_true(f->nfixes > 0 && f->fixes[0].verification);
    assert_non_null(it->inf_fixes[0]);
    assert_non_null(strstr(it->inf_fixes[0], "test_infs/dlpflt-late.inf:42: LoadOrderGroup = "));
    /* The baseline's own findings are set aside, not reported. */
    assert_true(fx.r.baseline.n > 0);
    assert_int_equal(fx.r.set_aside, fx.r.baseline.n);
    for (uint32_t k = 0; k < fx.r.findings.n; k++)
        assert_true(fx.r.findings.v[k].severity == BL_SEV_ERROR);
    lint_free(&fx);

    /* The same INF with an early group: no new error. */
    lint_file(&fx, "test_hives/vmware-tools-baseline.reg", "test_infs/dlpflt-early.inf");
    for (uint32_t k = 0; k < fx.r.findings.n; k++)
        assert_true(fx.r.findings.v[k].severity < BL_SEV_ERROR);
    lint_free(&fx);

    /* UTF-16LE: the same lines. */
    lint_file(&fx, "test_hives/vmware-tools-baseline.reg", "test_infs/dlpflt-late-utf16.inf");
    assert_int_equal(bl_inf_get_encoding(fx.inf), BL_INF_ENC_UTF16LE);
    assert_non_null(finding(&fx.r, "filter-delays-device", &i));
    assert_int_equal(fx.r.items[i].primary.line, 48);
    lint_free(&fx);
}

/* A baseline with a finding of its own (a class filter with no service),
 * which the INF neither causes nor fixes; and one the INF makes worse. */
static void test_lint_new_versus_baseline(void **state)
{
    (void)state;
    bl_model *base = bl_model_new(NULL);
    const char *groups[] = {"Boot Bus Extender", "Filter"};
    tm_groups(base, groups, 2);
    tm_driver(base, "acpi", BL_START_BOOT, "Boot Bus Extender", -1);
    tm_device(base, "ACPI_HAL\\PNP0C08\\0", "{4d36e97d-e325-11ce-bfc1-08002be10318}", "acpi");
    const char *ghost[] = {"ghostflt"};
    bl_model_set_multi(base, "Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}", "UpperFilters", ghost, 1);
    tm_driver(base, "late", BL_START_DEMAND, "", -1);
    bl_inf *inf = parse("[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\nAddReg=R\n"
                        "[DefaultInstall.Services]\nAddService=late,,Late.Svc\n"
                        "[R]\nHKLM,System\\CurrentControlSet\\Control\\Class\\{4d36e97d-e325-11ce-bfc1-08002be10318},"
                        "UpperFilters,0x00010008,late\n"
                        "[Late.Svc]\nServiceType=1\nStartType=4\nErrorControl=1\nServiceBinary=%12%\\late.sys\n");
    bl_knowledge *k = bl_knowledge_new();
    bl_error err;
    assert_int_equal(bl_knowledge_add_builtin(k, &err), 0);
    bl_lint_options lo;
    memset(&lo, 0, sizeof lo);
    bl_inf_target_init(&lo.target);
    lo.knowledge = k;
    lo.no_fixes = true;
    bl_lint_result r;
    const bl_inf *infs[1] = {inf};
    assert_int_equal(bl_lint_run(base, infs, 1, &lo, &r, &err), 0);
    /* The baseline had the missing ghostflt; it stays set aside. */
    bool baseline_has_ghost = false;
    for (uint32_t i = 0; i < r.baseline.n; i++)
        baseline_has_ghost |= strstr(r.baseline.v[i].subject, "ghostflt") != NULL;
    assert_true(baseline_has_ghost);
    for (uint32_t i = 0; i < r.findings.n; i++)
        assert_null(strstr(r.findings.v[i].subject, "ghostflt"));
    assert_true(r.set_aside >= 1);
    /* New: the disabled System class filter, pointed at the AddReg line. */
    uint32_t i = 0;
    const bl_finding *f = finding(&r, "disabled-filter", &i);
    assert_non_null(f);
    assert_int_equal(r.items[i].primary.line, 8);
    assert_false(r.items[i].more_severe);
    /* The baseline is untouched. */
    assert_int_equal(base->services[bl_model_find_service(base, "late")].start, BL_START_DEMAND);
    bl_lint_result_free(&r);
    bl_inf_free(inf);
    bl_knowledge_free(k);
    bl_model_free(base);
}

static void test_lint_sarif(void **state)
{
    (void)state;
    lint_fixture fx;
    lint_file(&fx, "test_hives/vmware-tools-baseline.reg", "test_infs/dlpflt-late.inf");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    bl_inf_target t;
    bl_inf_target_init(&t);
    const bl_inf *infs[1] = {fx.inf};
    bl_lint_report rep = {&fx.r, "vmware-tools-baseline.reg", infs, 1, &t, NULL};
    bl_report_lint_sarif(mem, &rep, 1);
    fclose(mem);
    assert_non_null(strstr(buf, "\"version\":\t\"2.1.0\""));
    assert_non_null(strstr(buf, "\"uri\":\t\"test_infs/dlpflt-late.inf\""));
    assert_non_null(strstr(buf, "\"startLine\":\t48"));
    assert_non_null(strstr(buf, "\"relatedLocations\""));
    assert_non_null(strstr(buf, "\"startLine\":\t42"));
    assert_non_null(strstr(buf, "In the INF: test_infs/dlpflt-late.inf:42: LoadOrderGroup = "));
    free(buf);
    lint_free(&fx);
}

/* ---- suppressions ---- */

static const char *suppress_error_n(const char *text, size_t n)
{
    static bl_error err;
    bl_suppressions s = {0};
    memset(&err, 0, sizeof err);
    if (bl_suppressions_parse(&s, "s.txt", text, n, &err) == 0)
        fail_msg("accepted: %s", text);
    bl_suppressions_free(&s);
    return err.msg;
}

static const char *suppress_error(const char *text)
{
    return suppress_error_n(text, strlen(text));
}

static void test_suppressions_file(void **state)
{
    (void)state;
    bl_suppressions s = {0};
    bl_error err;
    const char *text = "# comment\n\n"
                       "filter-delays-device inf=drivers/x.inf:48 service=Dlpflt -- accepted until 2.0\n" /* 3 */
                       "  * id=missing-dependency:a:b -- every rule, one finding\n"                      /* 4 */
                       "disabled-filter inf=\"my dir/y.inf\" baseline=fleet/a.hiv -- quoted path\n";     /* 5 */
    assert_int_equal(bl_suppressions_parse(&s, "s.txt", text, strlen(text), &err), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.v[0].rule, "filter-delays-device");
    assert_string_equal(s.v[0].inf, "drivers/x.inf");
    assert_int_equal(s.v[0].inf_line, 48);
    assert_string_equal(s.v[0].service, "Dlpflt");
    assert_string_equal(s.v[0].reason, "accepted until 2.0");
    assert_int_equal(s.v[0].line, 3);
    assert_false(s.v[0].in_source);
    assert_string_equal(s.v[1].rule, "*");
    assert_string_equal(s.v[1].id, "missing-dependency:a:b");
    assert_string_equal(s.v[2].inf, "my dir/y.inf");
    assert_int_equal(s.v[2].inf_line, 0);
    assert_string_equal(s.v[2].baseline, "fleet/a.hiv");

    /* Matching: rule, INF path by trailing components, line of the primary
     * or a related location, service (any case), id, baseline. */
    bl_findings fs = {0};
    bl_finding *f = bl_finding_add(&fs, "filter-delays-device", BL_SEV_ERROR, "dlpflt:class:{g}", "m");
    bl_finding_service(f, "dlpflt");
    bl_lint_location rel = {"repo/drivers/x.inf", 48, "AddReg", "w"};
    bl_lint_item it = {{"repo/drivers/x.inf", 32, "AddService", "w"}, &rel, 1, false, BL_SEV_INFO, NULL, NULL, 0};
    assert_true(bl_suppression_covers(&s.v[0], f, &it, NULL));
    rel.line = 49;
    assert_false(bl_suppression_covers(&s.v[0], f, &it, NULL));
    rel.line = 48;
    it.primary.inf = rel.inf = "repo/other/x.inf";
    assert_false(bl_suppression_covers(&s.v[0], f, &it, NULL));
    it.primary.inf = rel.inf = "repo/mydrivers/x.inf"; /* not a whole component */
    assert_false(bl_suppression_covers(&s.v[0], f, &it, NULL));
    assert_false(bl_suppression_covers(&s.v[1], f, &it, NULL)); /* another id */
    bl_finding *g = bl_finding_add(&fs, "disabled-filter", BL_SEV_ERROR, "z", "m");
    it.primary.inf = "my dir/y.inf";
    assert_true(bl_suppression_covers(&s.v[2], g, &it, "/data/fleet/a.hiv"));
    assert_false(bl_suppression_covers(&s.v[2], g, &it, "/data/fleet/b.hiv"));
    assert_false(bl_suppression_covers(&s.v[2], g, &it, NULL));
    bl_findings_free(&fs);
    bl_suppressions_free(&s);
    assert_true(bl_path_suffix_eq("./a/b.inf", "b.inf"));
    assert_true(bl_path_suffix_eq("a\\b.inf", "a/b.inf"));
    assert_false(bl_path_suffix_eq("ab.inf", "b.inf"));

    /* Refusals name the file and line. */
    assert_string_equal(suppress_error("disabled-filter inf=x.inf\n"),
                        "s.txt:1: a suppression needs a reason after \" -- \" (RULE [selectors] -- REASON)");
    assert_non_null(strstr(suppress_error("# x\nno-such-rule -- r\n"), "s.txt:2: unknown rule \"no-such-rule\""));
    assert_non_null(strstr(suppress_error("disabled-filter file=x -- r\n"), "s.txt:1: \"file=x\" is not a selector"));
    assert_non_null(strstr(suppress_error("disabled-filter id=a id=b -- r\n"), "s.txt:1: id= given twice"));
    assert_non_null(strstr(suppress_error("disabled-filter service= -- r\n"), "s.txt:1: service= has no value"));
    static const char nul[] = "disabled-filter -- r\n\0x -- r\n";
    assert_non_null(strstr(suppress_error_n(nul, sizeof nul - 1), "s.txt:2: NUL byte"));
}

/* Lint marks suppressed findings and keeps them; only the others fail. */
static void test_lint_suppressions(void **state)
{
    (void)state;
    lint_fixture fx;
    lint_file(&fx, "test_hives/vmware-tools-baseline.reg", "test_infs/dlpflt-late-suppressed.inf");
    uint32_t i = 0;
    assert_non_null(finding(&fx.r, "filter-delays-device", &i));
    assert_int_equal(fx.r.items[i].nsuppressed, 1);
    const bl_suppression *x = fx.r.items[i].suppressed_by[0];
    assert_true(x->in_source);
    assert_int_equal(x->line, 44);
    assert_string_equal(x->reason, "vsepflt is not deployed with this product (ticket DLP-42)");
    assert_int_equal(fx.r.suppressed, 1);
    assert_false(bl_lint_fails(&fx.r, BL_SEV_ERROR));
    assert_false(bl_lint_fails(&fx.r, BL_SEV_INFO));
    /* The typo'd rule id of line 40 is a warning, not a silent no-op. */
    assert_true(has_diag(&fx.r.applied, BL_APPLY_WARNING, "dlpflt-late-suppressed.inf:40: bootlens: ignore names unknown rule"));
    lint_free(&fx);

    bl_suppressions s = {0};
    bl_error err;
    assert_int_equal(bl_suppressions_load(&s, "test_infs/dlpflt-late.suppressions", &err), 0);
    lint_file_with(&fx, "test_hives/vmware-tools-baseline.reg", "test_infs/dlpflt-late.inf", &s, NULL);
    assert_non_null(finding(&fx.r, "filter-delays-device", &i));
    assert_int_equal(fx.r.items[i].nsuppressed, 1);
    assert_false(fx.r.items[i].suppressed_by[0]->in_source);
    assert_false(bl_lint_fails(&fx.r, BL_SEV_ERROR));
    lint_free(&fx);
    /* Unsuppressed, the same INF fails. */
    lint_file(&fx, "test_hives/vmware-tools-baseline.reg", "test_infs/dlpflt-late.inf");
    assert_true(bl_lint_fails(&fx.r, BL_SEV_ERROR));
    assert_false(bl_lint_fails(&fx.r, 3));
    lint_free(&fx);
    bl_suppressions_free(&s);
}

/* ---- refusals ---- */

static void test_malformed_infs(void **state)
{
    (void)state;
    static const struct {
        const char *path, *error;
    } cases[] = {
        {"test_infs/malformed-quote.inf", "test_infs/malformed-quote.inf:10: unterminated quoted string"},
        {"test_infs/malformed-binary.inf", "test_infs/malformed-binary.inf:5: control character"},
        {"test_infs/malformed-missing-section.inf",
         "test_infs/malformed-missing-section.inf:8: AddReg names section [Filter.AddReg], which is not in the INF"},
        {"test_infs/malformed-number.inf", "test_infs/malformed-number.inf:14: field 1 is \"boot\", not a number"},
    };
    bl_model *base = bl_model_new(NULL);
    bl_error err;
    assert_int_equal(bl_model_load_builtin_baseline(base, &err), 0);
    for (size_t i = 0; i < BL_ARRAY_LEN(cases); i++) {
        bl_inf_options io;
        bl_inf_options_init(&io);
        bl_inf *inf = bl_inf_parse_file(cases[i].path, &io, &err);
        if (inf) {
            bl_lint_options lo;
            memset(&lo, 0, sizeof lo);
            bl_inf_target_init(&lo.target);
            lo.no_fixes = true;
            bl_lint_result r;
            const bl_inf *infs[1] = {inf};
            assert_int_equal(bl_lint_run(base, infs, 1, &lo, &r, &err), -1);
            bl_inf_free(inf);
        }
        if (strncmp(err.msg, cases[i].error, strlen(cases[i].error)) != 0)
            fail_msg("%s: \"%s\" does not start with \"%s\"", cases[i].path, err.msg, cases[i].error);
    }
    bl_model_free(base);
}

/* The CLI on a 100 MB line: one FILE:LINE line, exit 2. */
static void test_cli_huge_line(void **state)
{
    (void)state;
    const char *bin = getenv("BOOTLENS") ? getenv("BOOTLENS") : "build/bootlens";
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "SKIP %s: %s is not built\n", __func__, bin);
        skip();
    }
    char path[128], err_path[160];
    snprintf(path, sizeof path, "/tmp/bootlens-huge-%d.inf", (int)getpid());
    snprintf(err_path, sizeof err_path, "%s.err", path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("[Version]\nSignature=\"$Windows NT$\"\n[DefaultInstall]\nAddReg=", f);
    static char chunk[1 << 20];
    memset(chunk, 'A', sizeof chunk);
    for (int i = 0; i < 100; i++)
        fwrite(chunk, 1, sizeof chunk, f);
    fclose(f);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s lint %s >/dev/null 2>%s", bin, path, err_path);
    int status = system(cmd);
    remove(path);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    char line[1024] = "", extra[16];
    f = fopen(err_path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_null(fgets(extra, sizeof extra, f));
    fclose(f);
    remove(err_path);
    char want[256];
    snprintf(want, sizeof want, "bootlens: %s:4: line longer than", path);
    if (!strstr(line, want))
        fail_msg("\"%s\" does not contain \"%s\"", line, want);
}

/* ---- every INF of ../shared/infs ---- */

typedef struct shared_stats {
    uint32_t files, utf16, lint_failed, parse_failed, errors, warnings, apply_warnings;
} shared_stats;

typedef struct lint_walk {
    const bl_model *base;
    const bl_knowledge *k;
    shared_stats *st;
} lint_walk;

static void lint_one(const char *path, void *ctx)
{
    const lint_walk *w = ctx;
    const bl_knowledge *k = w->k;
    shared_stats *st = w->st;
    const bl_model *base = w->base;
    st->files++;
    bl_inf_options io;
    bl_inf_options_init(&io);
    bl_error err;
    bl_inf *inf = bl_inf_parse_file(path, &io, &err);
    if (!inf) {
        fprintf(stderr, "  %s\n", err.msg);
        st->parse_failed++;
        return;
    }
    bl_inf_encoding enc = bl_inf_get_encoding(inf);
    st->utf16 += enc == BL_INF_ENC_UTF16LE || enc == BL_INF_ENC_UTF16LE_NOBOM;
    bl_lint_options lo;
    memset(&lo, 0, sizeof lo);
    bl_inf_target_init(&lo.target);
    lo.knowledge = k;
    lo.no_fixes = true;
    bl_lint_result r;
    const bl_inf *infs[1] = {inf};
    if (bl_lint_run(base, infs, 1, &lo, &r, &err) != 0) {
        fprintf(stderr, "  %s\n", err.msg);
        st->lint_failed++;
    } else {
        uint32_t c[3];
        bl_findings_count(&r.findings, c);
        st->errors += c[BL_SEV_ERROR];
        st->warnings += c[BL_SEV_WARNING];
        for (uint32_t i = 0; i < r.applied.ndiags; i++)
            st->apply_warnings += r.applied.diags[i].level == BL_APPLY_WARNING;
        bl_lint_result_free(&r);
    }
    bl_inf_free(inf);
}

static void test_shared_infs_lint(void **state)
{
    (void)state;
    BL_REQUIRE_SHARED(shared);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/infs", shared);
    bl_model *base = bl_model_new(NULL);
    bl_knowledge *k = bl_knowledge_new();
    bl_error err;
    assert_int_equal(bl_model_load_builtin_baseline(base, &err), 0);
    assert_int_equal(bl_knowledge_add_builtin(k, &err), 0);
    shared_stats st = {0};
    lint_walk w = {base, k, &st};
    bl_test_for_each_inf(dir, lint_one, &w);
    fprintf(stderr,
            "  %u INFs under %s (%u UTF-16LE) linted against the built-in baseline: %u parse failures, %u lint "
            "failures; %u new errors, %u new warnings, %u apply warnings\n",
            st.files, dir, st.utf16, st.parse_failed, st.lint_failed, st.errors, st.warnings, st.apply_warnings);
    assert_true(st.files >= 100);
    assert_true(st.utf16 >= 1);
    assert_int_equal(st.parse_failed, 0);
    assert_int_equal(st.lint_failed, 0);
    /* Microsoft's samples break no boot: no error on a plain Windows 10,
     * and no warning either: the built-in baseline has the inbox drivers
     * they depend on (and the knowledge file the WDF class extensions). */
    assert_int_equal(st.errors, 0);
    assert_int_equal(st.warnings, 0);
    bl_knowledge_free(k);
    bl_model_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addservice_fields),
        cmocka_unit_test(test_addservice_problems),
        cmocka_unit_test(test_addservice_noclobber),
        cmocka_unit_test(test_tag_next_free_appended),
        cmocka_unit_test(test_tag_to_front),
        cmocka_unit_test(test_addreg_flags),
        cmocka_unit_test(test_addreg_errors),
        cmocka_unit_test(test_hkr_and_devices),
        cmocka_unit_test(test_no_device_matches),
        cmocka_unit_test(test_extension_and_filters_section),
        cmocka_unit_test(test_addfilter_levels),
        cmocka_unit_test(test_minifilter_instances_and_reg),
        cmocka_unit_test(test_decorated_sections),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_regtext_reader),
        cmocka_unit_test(test_regtext_utf16_and_detect),
        cmocka_unit_test(test_builtin_baseline),
        cmocka_unit_test(test_lint_seed_case),
        cmocka_unit_test(test_lint_new_versus_baseline),
        cmocka_unit_test(test_lint_sarif),
        cmocka_unit_test(test_suppressions_file),
        cmocka_unit_test(test_lint_suppressions),
        cmocka_unit_test(test_malformed_infs),
        cmocka_unit_test(test_cli_huge_line),
        cmocka_unit_test(test_shared_infs_lint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* apply.c — applying INFs to a boot model as Windows setup installs them:
 * the walk over an INF's install sections (Microsoft's "INF DDInstall
 * Section", "INF DDInstall.Services/.HW Section", "INF ClassInstall32
 * Section", "INF DefaultInstall Section", "INF AddService Directive"),
 * which devices a models entry installs on, and tag assignment.  The
 * registry writes themselves are in apply_reg.c.  doc/lint.md lists what
 * is modelled and what is not. */
#include "apply_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Needs= may name sections that name others: real INFs go one or two deep
 * and process a handful; the bounds stop cycles and fan-out in hostile ones. */
#define APPLY_MAX_NEEDS_DEPTH 8
#define APPLY_MAX_NEEDS 256

/* Extension INFs add to a device without changing its class or driver. */
#define GUID_EXTENSION "{e2f84ce7-8efa-411c-aa69-97454ca4cb57}"

/* Directives of install sections that do not touch what the boot model
 * reads (files, properties, interfaces, INI files, power settings...):
 * understood, and deliberately not modelled. */
static const char *const inert_directives[] = {
    "CopyFiles",     "CopyINF",         "DelFiles",          "RenFiles",         "DriverVer",
    "Characteristics", "BusType",       "FeatureScore",      "Reboot",           "Restart",
    "ProfileItems",  "UpdateInis",      "UpdateIniFields",   "Ini2Reg",          "RegisterDlls",
    "UnregisterDlls", "LogConfig",      "AddProperty",       "DelProperty",      "AddPowerSetting",
    "AddSoftware",   "AddComponent",    "AddInterface",      "AddEventProvider",
    "DeviceUpgradeUnsupported",         "SetupOnly",         "ExcludeID",
    /* class-specific entries: legacy file-system filters, still-image devices, network adapters */
    "OptionDesc",    "SubClass",        "DeviceType",        "DeviceSubType",    "Capabilities",
    "DeviceData",    "ICMProfiles",     "PortSelect",        "Events",           "FriendlyNameFormat",
    "UninstallSection", "PropertyPages", "Connection",       "NumberOfNetworkInterfaces",
    "NetCfgInstanceId", "EnableDhcp",
};

/* Service-install section entries that do not touch the boot model. */
static const char *const inert_service_entries[] = {"Security", "ServiceSidType", "AddTrigger",
                                                     "RequiredPrivileges", "FailureActions"};

static bool in_list(const char *const *list, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (bl_fold_eq(key, list[i]))
            return true;
    return false;
}

static bl_inf_origin origin_of(const apply_ctx *c, const bl_inf_line *l, const char *directive,
                               const bl_inf_line *via)
{
    bl_inf_origin o = {bl_inf_name(c->inf), l->line_no, directive, via ? via->line_no : 0};
    return o;
}

/* Field i of l as a number; a malformed one stops the run. */
static bool field_u32(apply_ctx *c, const bl_inf_line *l, uint32_t i, uint32_t *out)
{
    bl_error e;
    if (bl_inf_value_u32(c->inf, l, i, out, &e) == 0)
        return true;
    if (!c->failed) {
        c->failed = true;
        *c->err = e;
    }
    return false;
}

/* An optional flags field: absent or empty is 0. */
static bool flags_field(apply_ctx *c, const bl_inf_line *l, uint32_t i, uint32_t *out)
{
    const char *s = bl_inf_value_at(l, i);
    *out = 0;
    return !s || !*s || field_u32(c, l, i, out);
}

/* ---- Include= / Needs= ---- */

static const char *base_name(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

/* The first file an Include= entry of s names that was not given. */
static const char *missing_include(const apply_ctx *c, const bl_inf_section *s)
{
    for (const bl_inf_line *inc = bl_inf_find_key(s, "Include", NULL); inc;
         inc = bl_inf_find_key(s, "Include", inc))
        for (uint32_t v = 0; v < inc->nvalues; v++) {
            const char *want = base_name(inc->values[v].text);
            bool given = false;
            for (uint32_t i = 0; i < c->ninfs && !given; i++)
                given = bl_fold_eq(base_name(bl_inf_name(c->infs[i])), want);
            if (!given && *want)
                return inc->values[v].text;
        }
    return NULL;
}

typedef void (*section_fn)(apply_ctx *c, const bl_inf_section *s, const hkr *h, char **assoc,
                           uint32_t *assoc_line);

/* Needs=: processes each named section (in this INF or another given INF,
 * as the same kind of section) with the same HKR. */
static void needs(apply_ctx *c, const bl_inf_section *s, const bl_inf_line *l, const hkr *h, section_fn fn,
                  char **assoc, uint32_t *assoc_line)
{
    for (uint32_t v = 0; v < l->nvalues && !c->failed; v++) {
        const char *name = l->values[v].text;
        if (!*name)
            continue;
        const bl_inf *owner = c->inf;
        const bl_inf_section *ns = bl_inf_find_section(c->inf, name);
        for (uint32_t i = 0; !ns && i < c->ninfs; i++)
            if (c->infs[i] != c->inf && (ns = bl_inf_find_section(c->infs[i], name)) != NULL)
                owner = c->infs[i];
        if (!ns) {
            const char *missing = missing_include(c, s);
            if (missing)
                apply_diag(c, BL_APPLY_NOTE, l->line_no,
                           "Needs=%s: a section of %s, which was not given: not applied (add it to the "
                           "command line to apply it)",
                           name, missing);
            else
                apply_diag(c, BL_APPLY_WARNING, l->line_no, "Needs names section [%s], which is in none of "
                           "the given INFs: not applied", name);
            continue;
        }
        if (c->depth >= APPLY_MAX_NEEDS_DEPTH || c->needs >= APPLY_MAX_NEEDS) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no,
                       "Needs=%s: more than %u nested or %u processed Needs= sections: not applied", name,
                       APPLY_MAX_NEEDS_DEPTH, APPLY_MAX_NEEDS);
            continue;
        }
        c->needs++;
        const bl_inf *saved = c->inf;
        c->depth++;
        c->inf = owner;
        fn(c, ns, h, assoc, assoc_line);
        c->inf = saved;
        c->depth--;
    }
}

/* ---- install sections: AddReg, DelReg ---- */

static void reg_directive(apply_ctx *c, const bl_inf_line *l, const hkr *h, bool del)
{
    for (uint32_t v = 0; v < l->nvalues && !c->failed; v++) {
        const char *name = l->values[v].text;
        if (!*name)
            continue;
        const bl_inf_section *rs = bl_inf_find_section(c->inf, name);
        if (!rs) {
            apply_fail(c, l->line_no, "%s names section [%s], which is not in the INF", del ? "DelReg" : "AddReg",
                       name);
            return;
        }
        apply_reg_section(c, rs, l, h, del);
    }
}

/* DefaultInstall, DDInstall, DDInstall.HW, ClassInstall32.  Entries
 * starting with '*' are the standardized NDIS keywords of network INFs
 * (*IfType, *MediaType...): not boot configuration. */
static void install_section(apply_ctx *c, const bl_inf_section *s, const hkr *h, char **assoc,
                            uint32_t *assoc_line)
{
    for (uint32_t i = 0; i < s->nlines && !c->failed; i++) {
        const bl_inf_line *l = &s->lines[i];
        if (!l->key) /* the parser warned: a line without '=' is ignored */
            continue;
        if (bl_fold_eq(l->key, "AddReg") || bl_fold_eq(l->key, "DelReg"))
            reg_directive(c, l, h, bl_fold_eq(l->key, "DelReg"));
        else if (bl_fold_eq(l->key, "Needs"))
            needs(c, s, l, h, install_section, assoc, assoc_line);
        else if (bl_fold_eq(l->key, "BitReg"))
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "BitReg is not modelled (it sets bits of existing values)");
        else if (!bl_fold_eq(l->key, "Include") && l->key[0] != '*' &&
                 !in_list(inert_directives, BL_ARRAY_LEN(inert_directives), l->key))
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "unknown directive %s in [%s]: ignored", l->key, s->name);
    }
}

/* ---- AddService ---- */

typedef struct service_field {
    const char *entry; /* service-install section entry */
    const char *value; /* registry value it writes */
    uint32_t type;     /* BL_REG_DWORD or BL_REG_SZ */
    uint32_t noclobber;
} service_field;

static const service_field service_fields[] = {
    {"ServiceType", "Type", BL_REG_DWORD, 0},
    {"StartType", "Start", BL_REG_DWORD, BL_SPSVCINST_NOCLOBBER_STARTTYPE},
    {"ErrorControl", "ErrorControl", BL_REG_DWORD, BL_SPSVCINST_NOCLOBBER_ERRORCONTROL},
    {"LoadOrderGroup", "Group", BL_REG_SZ, BL_SPSVCINST_NOCLOBBER_LOADORDERGROUP},
    {"DisplayName", "DisplayName", BL_REG_SZ, BL_SPSVCINST_NOCLOBBER_DISPLAYNAME},
    {"Description", "Description", BL_REG_SZ, BL_SPSVCINST_NOCLOBBER_DESCRIPTION},
    {"StartName", "ObjectName", BL_REG_SZ, 0},
    {"BootFlags", "BootFlags", BL_REG_DWORD, 0},
    {"DelayedAutoStart", "DelayedAutostart", BL_REG_DWORD, BL_SPSVCINST_NOCLOBBER_DELAYEDAUTOSTART},
};

static const char *type_words(uint32_t type)
{
    switch (type) {
    case BL_TYPE_KERNEL_DRIVER: return " (kernel driver)";
    case BL_TYPE_FS_DRIVER: return " (file-system driver)";
    case BL_TYPE_RECOGNIZER: return " (file-system recognizer)";
    case BL_TYPE_WIN32_OWN: return " (Win32 service, own process)";
    case BL_TYPE_WIN32_SHARE: return " (Win32 service, shared process)";
    default: return "";
    }
}

static void service_field_write(apply_ctx *c, const bl_inf_line *l, const bl_inf_line *via, const char *key,
                                const char *label, const service_field *f)
{
    bl_change ch;
    bl_sb what = {0};
    bl_inf_origin o = origin_of(c, l, f->entry, via);
    if (f->type == BL_REG_DWORD) {
        uint32_t v;
        if (!field_u32(c, l, 0, &v))
            return;
        bl_change_set_dword(&ch, key, f->value, v);
        bl_sb_addf(&what, "sets %s %s = %u", label, f->value, v);
        if (bl_fold_eq(f->value, "Start"))
            bl_sb_addf(&what, " (%s)", bl_start_name(v <= BL_START_DISABLED ? (int32_t)v : BL_START_UNKNOWN));
        else if (bl_fold_eq(f->value, "Type"))
            bl_sb_add(&what, type_words(v));
    } else {
        const char *s = bl_inf_value_at(l, 0);
        apply_string_change(&ch, key, f->value, BL_REG_SZ, s ? s : "");
        bl_sb_addf(&what, "sets %s %s = \"%s\"", label, f->value, s ? s : "");
    }
    apply_write(c, &ch, &o, bl_sb_str(&what));
    bl_sb_free(&what);
}

/* Dependencies = a, +Group: DependOnService and DependOnGroup. */
static void dependencies_write(apply_ctx *c, const bl_inf_line *l, const bl_inf_line *via, const char *key,
                               const char *label)
{
    const char **svcs = bl_xmalloc((l->nvalues + 1) * sizeof *svcs);
    const char **groups = bl_xmalloc((l->nvalues + 1) * sizeof *groups);
    uint32_t ns = 0, ng = 0;
    for (uint32_t v = 0; v < l->nvalues; v++) {
        const char *d = l->values[v].text;
        if (*d == '+' && d[1])
            groups[ng++] = d + 1;
        else if (*d && *d != '+')
            svcs[ns++] = d;
    }
    bl_inf_origin o = origin_of(c, l, "Dependencies", via);
    const char *names[2] = {"DependOnService", "DependOnGroup"};
    const char **lists[2] = {svcs, groups};
    uint32_t counts[2] = {ns, ng};
    for (int k = 0; k < 2; k++) {
        if (!counts[k])
            continue;
        bl_change ch;
        bl_sb what = {0};
        apply_multi_change(&ch, key, names[k], lists[k], counts[k]);
        bl_sb_addf(&what, "sets %s %s = [", label, names[k]);
        for (uint32_t i = 0; i < counts[k]; i++)
            bl_sb_addf(&what, "%s\"%s\"", i ? ", " : "", lists[k][i]);
        bl_sb_addc(&what, ']');
        apply_write(c, &ch, &o, bl_sb_str(&what));
        bl_sb_free(&what);
    }
    if (!ns && !ng)
        apply_diag(c, BL_APPLY_NOTE, l->line_no, "Dependencies names nothing");
    free(svcs);
    free(groups);
}

static void service_binary_write(apply_ctx *c, const bl_inf_line *l, const bl_inf_line *via, const char *key,
                                 const char *label, uint32_t type)
{
    const char *bin = bl_inf_value_at(l, 0);
    bl_sb store = {0}, img = {0}, what = {0};
    bl_inf_driver_store_dir(c->inf, c->t, &store);
    int rc = bl_inf_image_path(bin ? bin : "", type, bl_sb_str(&store), &img);
    if (rc < 0) {
        apply_diag(c, BL_APPLY_WARNING, l->line_no,
                   "ServiceBinary \"%s\" is neither %%dirid%%-based nor absolute: Windows would not find the "
                   "file",
                   bin ? bin : "");
        if (!img.len)
            bl_sb_add(&img, bin ? bin : "");
    } else if (rc > 0) {
        apply_diag(c, BL_APPLY_NOTE, l->line_no, "ImagePath \"%s\" is readable but not byte-exact (a DIRID "
                   "outside %%SystemRoot%%)", bl_sb_str(&img));
    }
    bl_change ch;
    apply_string_change(&ch, key, "ImagePath", BL_REG_EXPAND_SZ, bl_sb_str(&img));
    bl_sb_addf(&what, "sets %s ImagePath = \"%s\"", label, bl_sb_str(&img));
    bl_inf_origin o = origin_of(c, l, "ServiceBinary", via);
    apply_write(c, &ch, &o, bl_sb_str(&what));
    bl_sb_free(&store);
    bl_sb_free(&img);
    bl_sb_free(&what);
}

static void put_u32(bl_sb *sb, uint32_t v)
{
    char b[4] = {(char)(v & 0xFF), (char)((v >> 8) & 0xFF), (char)((v >> 16) & 0xFF), (char)(v >> 24)};
    bl_sb_addn(sb, b, 4);
}

void apply_tags_forget(apply_ctx *c)
{
    for (uint32_t i = 0; i < c->ntag_used; i++)
        bl_map_free(&c->tag_used[i]);
    c->ntag_used = 0;
    bl_map_free(&c->tag_groups);
    memset(&c->tag_groups, 0, sizeof c->tag_groups);
}

/* The tags of group (folded) that its GroupOrderList or a driver of it
 * other than svc holds, built once per group and run (a scan of every
 * service per AddService would be quadratic on a 50,000-line INF). */
static bl_map *tags_used(apply_ctx *c, uint32_t svc, bl_str fg, bl_vec listed)
{
    const bl_model *m = c->m;
    uint32_t v;
    if (bl_map_get(&c->tag_groups, fg, &v))
        return &c->tag_used[v - 1];
    bl_grow((void **)&c->tag_used, sizeof *c->tag_used, &c->captag_used, c->ntag_used + 1);
    bl_map *used = &c->tag_used[c->ntag_used++];
    memset(used, 0, sizeof *used);
    bl_map_put(&c->tag_groups, fg, c->ntag_used);
    uint32_t nl = bl_pool_vec_len(m->pool, listed);
    const uint32_t *tl = bl_pool_vec_items(m->pool, listed);
    for (uint32_t i = 0; i < nl; i++)
        if (tl[i])
            bl_map_put(used, tl[i], 1);
    for (uint32_t i = 0; i < m->nservices; i++)
        if (i != svc && m->services[i].has_tag && m->services[i].tag &&
            bl_pool_fold(m->pool, m->services[i].group) == fg)
            bl_map_put(used, m->services[i].tag, 1);
    return used;
}

/* The tag Windows gives a new driver of a group: the smallest one that
 * neither the group's GroupOrderList nor another driver of the group
 * holds (with the usual dense lists, one more than the largest).  The
 * tag is taken in the cache at once: the next AddService of the group gets
 * the next one. */
static uint32_t next_free_tag(apply_ctx *c, uint32_t svc, bl_str group, bl_vec listed)
{
    bl_str fg = bl_pool_fold(c->m->pool, group);
    bl_map *used = tags_used(c, svc, fg, listed);
    /* The service's own old tag is not "another driver's". */
    uint32_t tag = 1, dummy;
    while (bl_map_get(used, tag, &dummy))
        tag++;
    bl_map_put(used, tag, 1);
    return tag;
}

/* Tag assignment after AddService: a driver new to its group gets the next
 * free tag, appended to the group's GroupOrderList (put first with
 * SPSVCINST_TAGTOFRONT, which also moves an existing tag to the front). */
static void assign_tag(apply_ctx *c, const bl_inf_line *via, const char *name, uint32_t flags,
                       const char *old_group, bool had_tag)
{
    uint32_t svc = bl_model_find_service(c->m, name);
    if (svc == BL_NONE || !c->m->services[svc].group || !bl_service_is_driver(&c->m->services[svc]))
        return;
    const bl_service *s = &c->m->services[svc];
    bl_str group = s->group;
    const char *gname = bl_model_str(c->m, group);
    if (!*gname)
        return;
    const bl_group_tags *gt = bl_model_group_tags(c->m, group);
    bl_vec listed = gt ? gt->tags : 0;
    bool new_to_group = !old_group || !bl_fold_eq(old_group, gname) || !had_tag;
    uint32_t tag = s->tag;
    bl_inf_origin o = origin_of(c, via, "AddService", NULL);
    bl_sb key = {0}, what = {0};
    if (new_to_group) {
        tag = next_free_tag(c, svc, group, listed);
        bl_sb_addf(&key, "Services\\%s", name);
        bl_change ch;
        bl_change_set_dword(&ch, bl_sb_str(&key), "Tag", tag);
        bl_sb_addf(&what, "assigns service %s Tag %u, the next free tag of group \"%s\"", name, tag, gname);
        c->assigning = true;
        apply_write(c, &ch, &o, bl_sb_str(&what));
        c->assigning = false;
    }
    uint32_t n = bl_pool_vec_len(c->m->pool, listed);
    const uint32_t *it = bl_pool_vec_items(c->m->pool, listed);
    bool front = (flags & BL_SPSVCINST_TAGTOFRONT) != 0;
    bool in_list = false;
    for (uint32_t i = 0; i < n; i++)
        in_list = in_list || it[i] == tag;
    if ((!gt && !front) || (in_list && !front) || (front && n && it[0] == tag)) {
        if (!gt && new_to_group)
            apply_diag(c, BL_APPLY_NOTE, via->line_no,
                       "group \"%s\" has no GroupOrderList: tag %u orders %s among the group's untagged "
                       "drivers only",
                       gname, tag, name);
        bl_sb_free(&key);
        bl_sb_free(&what);
        return;
    }
    bl_sb data = {0};
    put_u32(&data, n + (in_list ? 0 : 1));
    if (front)
        put_u32(&data, tag);
    for (uint32_t i = 0; i < n; i++)
        if (it[i] != tag)
            put_u32(&data, it[i]);
    if (!front)
        put_u32(&data, tag);
    bl_change ch = {0};
    ch.key = bl_xstrdup("Control\\GroupOrderList");
    ch.value = bl_xstrdup(gname);
    ch.type = BL_REG_BINARY;
    ch.size = data.len;
    ch.data = (uint8_t *)bl_sb_detach(&data);
    bl_sb_reset(&what);
    bl_sb_addf(&what, "%s tag %u %s GroupOrderList\\%s%s", front ? "puts" : "appends", tag,
               front ? "first in" : "to", gname, front ? " (SPSVCINST_TAGTOFRONT)" : "");
    c->assigning = true; /* the tag is in the cache already */
    apply_write(c, &ch, &o, bl_sb_str(&what));
    c->assigning = false;
    bl_sb_free(&key);
    bl_sb_free(&what);
}

static const char *const required_entries[] = {"ServiceType", "StartType", "ErrorControl", "ServiceBinary"};

/* Installs service name from service-install section ss, as the AddService
 * directive via asks. */
static void install_service(apply_ctx *c, const bl_inf_line *via, const char *name, uint32_t flags,
                            const bl_inf_section *ss)
{
    bl_sb key = {0}, label = {0};
    bl_sb_addf(&key, "Services\\%s", name);
    bl_sb_addf(&label, "service %s", name);
    uint32_t svc = bl_model_find_service(c->m, name);
    bool existed = svc != BL_NONE;
    char *old_group = NULL;
    bool had_tag = false;
    if (existed) {
        const bl_service *s = &c->m->services[svc];
        if (s->group)
            old_group = bl_xstrdup(bl_model_str(c->m, s->group));
        had_tag = s->has_tag;
    }
    /* ImagePath depends on ServiceType, wherever the section puts it. */
    uint32_t type = BL_TYPE_KERNEL_DRIVER;
    const bl_inf_line *tl = bl_inf_find_key(ss, "ServiceType", NULL);
    if (tl && !field_u32(c, tl, 0, &type)) {
        free(old_group);
        bl_sb_free(&key);
        bl_sb_free(&label);
        return;
    }
    hkr h = {HKR_SERVICE, bl_sb_str(&key)};
    for (uint32_t i = 0; i < ss->nlines && !c->failed; i++) {
        const bl_inf_line *l = &ss->lines[i];
        if (!l->key)
            continue;
        const service_field *f = NULL;
        for (size_t k = 0; k < BL_ARRAY_LEN(service_fields) && !f; k++)
            if (bl_fold_eq(l->key, service_fields[k].entry))
                f = &service_fields[k];
        if (f && existed && (flags & f->noclobber)) {
            apply_diag(c, BL_APPLY_NOTE, l->line_no, "%s exists: %s kept (SPSVCINST_NOCLOBBER flag 0x%x)",
                       bl_sb_str(&label), f->value, f->noclobber);
        } else if (f) {
            service_field_write(c, l, via, bl_sb_str(&key), bl_sb_str(&label), f);
        } else if (bl_fold_eq(l->key, "Dependencies")) {
            if (existed && (flags & BL_SPSVCINST_NOCLOBBER_DEPENDENCIES))
                apply_diag(c, BL_APPLY_NOTE, l->line_no, "%s exists: dependencies kept "
                           "(SPSVCINST_NOCLOBBER_DEPENDENCIES)", bl_sb_str(&label));
            else
                dependencies_write(c, l, via, bl_sb_str(&key), bl_sb_str(&label));
        } else if (bl_fold_eq(l->key, "ServiceBinary")) {
            service_binary_write(c, l, via, bl_sb_str(&key), bl_sb_str(&label), type);
        } else if (bl_fold_eq(l->key, "AddReg") || bl_fold_eq(l->key, "DelReg")) {
            reg_directive(c, l, &h, bl_fold_eq(l->key, "DelReg"));
        } else if (bl_fold_eq(l->key, "BitReg")) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "BitReg is not modelled (it sets bits of existing values)");
        } else if (!in_list(inert_service_entries, BL_ARRAY_LEN(inert_service_entries), l->key)) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "unknown entry %s in service-install section [%s]: "
                       "ignored", l->key, ss->name);
        }
    }
    for (size_t k = 0; k < BL_ARRAY_LEN(required_entries) && !c->failed; k++)
        if (!bl_inf_find_key(ss, required_entries[k], NULL))
            apply_diag(c, BL_APPLY_WARNING, ss->line_no, "[%s] has no %s entry, which AddService requires",
                       ss->name, required_entries[k]);
    if (!c->failed)
        assign_tag(c, via, name, flags, old_group, had_tag);
    free(old_group);
    bl_sb_free(&key);
    bl_sb_free(&label);
}

static void add_service(apply_ctx *c, const bl_inf_line *l, char **assoc, uint32_t *assoc_line)
{
    const char *name = bl_inf_value_at(l, 0);
    uint32_t flags;
    if (!flags_field(c, l, 1, &flags))
        return;
    if (!name || !*name) {
        if ((flags & BL_SPSVCINST_ASSOCSERVICE) && assoc) {
            /* The device is installed raw: its Service value goes (an empty
             * name stands for that below). */
            free(*assoc);
            *assoc = bl_xstrdup("");
            *assoc_line = l->line_no;
        } else if (flags & BL_SPSVCINST_ASSOCSERVICE)
            apply_diag(c, BL_APPLY_NOTE, l->line_no, "AddService with no name and SPSVCINST_ASSOCSERVICE outside "
                       "a device install: ignored");
        else
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "AddService names no service: ignored");
        return;
    }
    const char *secname = bl_inf_value_at(l, 2);
    if (!secname || !*secname) {
        apply_fail(c, l->line_no, "AddService=%s names no service-install section", name);
        return;
    }
    const bl_inf_section *ss = bl_inf_find_section(c->inf, secname);
    if (!ss) {
        apply_fail(c, l->line_no, "AddService names service-install section [%s], which is not in the INF",
                   secname);
        return;
    }
    install_service(c, l, name, flags, ss);
    if ((flags & BL_SPSVCINST_ASSOCSERVICE) && assoc) {
        if (*assoc && !bl_fold_eq(*assoc, name))
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "a second service (%s) with SPSVCINST_ASSOCSERVICE: "
                       "the device gets the last one; an INF should have exactly one", name);
        free(*assoc);
        *assoc = bl_xstrdup(name);
        *assoc_line = l->line_no;
    }
}

static void del_service(apply_ctx *c, const bl_inf_line *l)
{
    const char *name = bl_inf_value_at(l, 0);
    if (!name || !*name) {
        apply_diag(c, BL_APPLY_WARNING, l->line_no, "DelService names no service: ignored");
        return;
    }
    if (bl_model_find_service(c->m, name) == BL_NONE) {
        apply_diag(c, BL_APPLY_NOTE, l->line_no, "DelService=%s: no such service", name);
        return;
    }
    bl_change ch = {0};
    bl_sb key = {0}, what = {0};
    bl_sb_addf(&key, "Services\\%s", name);
    ch.key = bl_sb_detach(&key);
    ch.delete_key = true;
    bl_sb_addf(&what, "deletes service %s", name);
    bl_inf_origin o = origin_of(c, l, "DelService", NULL);
    apply_write(c, &ch, &o, bl_sb_str(&what));
    bl_sb_free(&what);
}

/* DDInstall.Services and DefaultInstall.Services. */
static void services_section(apply_ctx *c, const bl_inf_section *s, const hkr *h, char **assoc,
                             uint32_t *assoc_line)
{
    for (uint32_t i = 0; i < s->nlines && !c->failed; i++) {
        const bl_inf_line *l = &s->lines[i];
        if (!l->key)
            continue;
        if (bl_fold_eq(l->key, "AddService"))
            add_service(c, l, assoc, assoc_line);
        else if (bl_fold_eq(l->key, "DelService"))
            del_service(c, l);
        else if (bl_fold_eq(l->key, "Needs"))
            needs(c, s, l, h, services_section, assoc, assoc_line);
        else if (!bl_fold_eq(l->key, "Include") && !bl_fold_eq(l->key, "AddInterface"))
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "unknown directive %s in [%s]: ignored", l->key, s->name);
    }
}

/* ---- devices ---- */

/* A device's value set because a models entry installs on it. */
static void device_write(apply_ctx *c, const char *instance, const char *value, const char *data, uint32_t line,
                         const char *directive, const char *what)
{
    bl_sb key = {0};
    bl_sb_addf(&key, "Enum\\%s", instance);
    bl_change ch;
    apply_string_change(&ch, bl_sb_str(&key), value, BL_REG_SZ, data);
    bl_inf_origin o = {bl_inf_name(c->inf), line, directive, 0};
    apply_write(c, &ch, &o, what);
    bl_sb_free(&key);
}

/* ---- DDInstall.Filters: declarative filters (Windows 10 1903) ----
 * Microsoft's "Device filter driver ordering", "INF AddFilter Directive":
 * AddFilter = name,[flags],section, the section giving FilterLevel = LEVEL
 * or FilterPosition = Upper|Lower.  A device's base INF may declare ordered
 * levels (UpperFilterLevels/LowerFilterLevels, REG_MULTI_SZ, and
 * Upper/LowerFilterDefaultLevel in its hardware key; a class installer may
 * declare them for its class).  When the device starts, PnP builds each
 * filter list level by level; filters without a level (the legacy
 * UpperFilters/LowerFilters values, FilterPosition registrations) go to the
 * default level; a filter registered to a level that is not declared is
 * left out; without levels a position filter is appended.  bootlens writes
 * that built list as the device's UpperFilters/LowerFilters, the value its
 * boot model reads (Windows itself keeps the registrations apart). */

/* Windows 10 version 1903 is build 18362: older setup ignores .Filters. */
#define ADDFILTER_MIN_BUILD 18362u
/* Real devices have a handful; the bounds keep hostile INFs cheap (the
 * registrations are searched linearly). */
#define ADDFILTER_MAX_PER_DEVICE 64u
#define ADDFILTER_MAX 4096u

typedef struct filter_levels {
    const char *items[32]; /* in order; pointers into the run's writes or the pool */
    uint32_t n;
    uint32_t def;          /* index of the default level, n when none is declared */
    const char *where;     /* "device" or "class", for messages */
} filter_levels;

/* Splits multi-string data (UTF-16LE) into bl_sb-held UTF-8 strings. */
static uint32_t multi_items(const bl_change *ch, bl_sb *store, uint32_t max)
{
    uint32_t n = 0;
    for (size_t pos = 0; pos + 2 < ch->size && n < max;) {
        bl_sb_reset(&store[n]);
        pos += bl_utf16le_to_utf8(ch->data + pos, ch->size - pos, &store[n]);
        if (store[n].len)
            n++;
    }
    return n;
}

/* The levels declared for device key dev (then for its class) on one side,
 * as this run wrote them.  Levels in the baseline hive are not read (the
 * boot model does not keep them): see the warning where that matters. */
static void find_levels(apply_ctx *c, const char *dev, const char *class_key, bool upper, bl_sb store[33],
                        filter_levels *lv)
{
    const char *lname = upper ? "UpperFilterLevels" : "LowerFilterLevels";
    const char *dname = upper ? "UpperFilterDefaultLevel" : "LowerFilterDefaultLevel";
    memset(lv, 0, sizeof *lv);
    const char *keys[2] = {dev, class_key};
    for (int k = 0; k < 2 && !lv->n; k++) {
        if (!keys[k])
            continue;
        const bl_inf_write *w = apply_last_write(c, keys[k], lname);
        if (!w || w->change.type != BL_REG_MULTI_SZ)
            continue;
        lv->n = multi_items(&w->change, store, 32);
        for (uint32_t i = 0; i < lv->n; i++)
            lv->items[i] = bl_sb_str(&store[i]);
        lv->def = lv->n;
        lv->where = k == 0 ? "device" : "class";
        const bl_inf_write *d = apply_last_write(c, keys[k], dname);
        if (d && (d->change.type == BL_REG_SZ || d->change.type == BL_REG_EXPAND_SZ)) {
            bl_sb_reset(&store[32]);
            bl_utf16le_to_utf8(d->change.data, d->change.size, &store[32]);
            for (uint32_t i = 0; i < lv->n; i++)
                if (bl_fold_eq(lv->items[i], bl_sb_str(&store[32])))
                    lv->def = i;
        }
    }
}

static bool declared(const apply_ctx *c, bl_str dev, bool upper, const char *name)
{
    for (uint32_t i = 0; i < c->ndecl; i++)
        if (c->decl[i].device == dev && c->decl[i].upper == upper &&
            bl_fold_eq(bl_model_str(c->m, c->decl[i].name), name))
            return true;
    return false;
}

/* The device's filter list on one side built from the levels: each level's
 * registrations in order, the default level also holding the filters that
 * have no level (what the value held and is not a registration). */
static uint32_t build_filter_list(const apply_ctx *c, bl_str dev, bool upper, const filter_levels *lv, bl_vec cur,
                                  const char **out, uint32_t max)
{
    uint32_t n = 0;
    uint32_t ncur = bl_pool_vec_len(c->m->pool, cur);
    const uint32_t *it = bl_pool_vec_items(c->m->pool, cur);
    uint32_t nlevels = lv->n ? lv->n : 1;
    for (uint32_t level = 0; level < nlevels && n < max; level++) {
        bool is_default = !lv->n || level == lv->def;
        if (is_default)
            for (uint32_t k = 0; k < ncur && n < max; k++)
                if (!declared(c, dev, upper, bl_model_str(c->m, it[k])))
                    out[n++] = bl_model_str(c->m, it[k]);
        for (uint32_t i = 0; i < c->ndecl && n < max; i++) {
            const decl_filter *d = &c->decl[i];
            if (d->device != dev || d->upper != upper)
                continue;
            uint32_t at = d->level == UINT32_MAX ? (lv->n ? lv->def : 0) : d->level;
            if (at == level)
                out[n++] = bl_model_str(c->m, d->name);
        }
    }
    /* A default level that is not among the levels: filters without one go last. */
    if (lv->n && lv->def == lv->n) {
        for (uint32_t k = 0; k < ncur && n < max; k++)
            if (!declared(c, dev, upper, bl_model_str(c->m, it[k])))
                out[n++] = bl_model_str(c->m, it[k]);
        for (uint32_t i = 0; i < c->ndecl && n < max; i++)
            if (c->decl[i].device == dev && c->decl[i].upper == upper && c->decl[i].level == UINT32_MAX)
                out[n++] = bl_model_str(c->m, c->decl[i].name);
    }
    return n;
}

static void filters_section(apply_ctx *c, const bl_inf_section *s, const char *instance)
{
    if (c->t->major < 10 || (c->t->major == 10 && c->t->minor == 0 && c->t->build < ADDFILTER_MIN_BUILD)) {
        apply_diag(c, BL_APPLY_WARNING, s->line_no,
                   "[%s]: declarative filters (AddFilter) need Windows 10 version 1903 (build %u) or later; the "
                   "target is %u.%u.%u, whose setup skips the section: not applied, as Windows would not",
                   s->name, ADDFILTER_MIN_BUILD, c->t->major, c->t->minor, c->t->build);
        return;
    }
    bl_sb key = {0}, what = {0}, class_key = {0};
    bl_sb_addf(&key, "Enum\\%s", instance);
    bl_str dev = bl_pool_fold(c->m->pool, bl_pool_str(c->m->pool, bl_sb_str(&key)));
    uint32_t d = bl_model_find_device(c->m, instance);
    const char *guid = d != BL_NONE && c->m->devices[d].class_guid ? bl_model_str(c->m, c->m->devices[d].class_guid)
                                                                    : NULL;
    if (guid)
        bl_sb_addf(&class_key, "Control\\Class\\%s", guid);
    bl_sb store[33] = {{0}};
    for (uint32_t i = 0; i < s->nlines && !c->failed; i++) {
        const bl_inf_line *l = &s->lines[i];
        if (!l->key)
            continue;
        if (!bl_fold_eq(l->key, "AddFilter")) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "unknown directive %s in [%s]: ignored", l->key, s->name);
            continue;
        }
        const char *name = bl_inf_value_at(l, 0), *flags = bl_inf_value_at(l, 1), *secname = bl_inf_value_at(l, 2);
        const bl_inf_section *fs = secname && *secname ? bl_inf_find_section(c->inf, secname) : NULL;
        if (!name || !*name || !fs) {
            apply_fail(c, l->line_no, "AddFilter needs a filter name and an existing filter-install section");
            break;
        }
        uint32_t fl = 0;
        if (flags && *flags && (bl_inf_parse_u32(flags, &fl) != 0 || fl != 0))
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "AddFilter flags \"%s\": the flags are unused and must be 0",
                       flags);
        const char *level = bl_inf_lookup(c->inf, secname, "FilterLevel");
        const char *pos = bl_inf_lookup(c->inf, secname, "FilterPosition");
        bool upper = pos && bl_fold_eq(pos, "Upper"), lower = pos && bl_fold_eq(pos, "Lower");
        if (level && pos)
            apply_diag(c, BL_APPLY_WARNING, fs->line_no,
                       "[%s] gives both FilterLevel and FilterPosition; Windows wants exactly one: FilterLevel used",
                       fs->name);
        if (!level && !upper && !lower) {
            apply_diag(c, BL_APPLY_WARNING, fs->line_no,
                       "[%s] has %s: filter %s is not added, as Windows would not add it", fs->name,
                       pos ? "a FilterPosition that is neither Upper nor Lower" : "neither FilterLevel nor FilterPosition",
                       name);
            continue;
        }
        /* Which side and level: a level is looked up on both sides. */
        filter_levels lv;
        uint32_t at = UINT32_MAX;
        if (level) {
            bool found = false;
            for (int side = 0; side < 2 && !found; side++) {
                find_levels(c, bl_sb_str(&key), guid ? bl_sb_str(&class_key) : NULL, side == 0, store, &lv);
                for (uint32_t k = 0; k < lv.n && !found; k++)
                    if (bl_fold_eq(lv.items[k], level)) {
                        found = true;
                        upper = side == 0;
                        at = k;
                    }
            }
            if (!found) {
                apply_diag(c, BL_APPLY_WARNING, l->line_no,
                           "filter %s is registered to level \"%s\", which none of the INFs given declares for device "
                           "%s (UpperFilterLevels/LowerFilterLevels of its base INF): Windows leaves such a filter "
                           "out of the stack, and so does bootlens (if the device's base INF in the hive declares "
                           "it, give that INF too)",
                           name, level, instance);
                continue;
            }
        } else {
            find_levels(c, bl_sb_str(&key), guid ? bl_sb_str(&class_key) : NULL, upper, store, &lv);
            if (lv.n && lv.def == lv.n)
                apply_diag(c, BL_APPLY_NOTE, l->line_no,
                           "the %s levels of device %s declare no default level: filter %s is placed after them",
                           upper ? "upper" : "lower", instance, name);
        }
        const char *value = upper ? "UpperFilters" : "LowerFilters";
        if (declared(c, dev, upper, name))
            continue;
        uint32_t mine = 0;
        for (uint32_t k = 0; k < c->ndecl; k++)
            mine += c->decl[k].device == dev;
        if (mine >= ADDFILTER_MAX_PER_DEVICE || c->ndecl >= ADDFILTER_MAX) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "more than %u AddFilter registrations for device %s: %s not applied",
                       ADDFILTER_MAX_PER_DEVICE, instance, name);
            continue;
        }
        bl_grow((void **)&c->decl, sizeof *c->decl, &c->capdecl, c->ndecl + 1);
        c->decl[c->ndecl++] = (decl_filter){dev, upper, bl_pool_str(c->m->pool, name), at};
        bl_vec cur = apply_model_list(c->m, bl_sb_str(&key), value);
        uint32_t max = bl_pool_vec_len(c->m->pool, cur) + c->ndecl;
        const char **items = bl_xmalloc((max ? max : 1) * sizeof *items);
        uint32_t n = build_filter_list(c, dev, upper, &lv, cur, items, max);
        bl_change ch;
        apply_multi_change(&ch, bl_sb_str(&key), value, items, n);
        bl_sb_reset(&what);
        if (level)
            bl_sb_addf(&what, "adds %s to device %s %s at level %s of the %s's levels (AddFilter, FilterLevel=%s)", name,
                       instance, value, level, lv.where, level);
        else if (lv.n)
            bl_sb_addf(&what, "adds %s to device %s %s at the default level %s (AddFilter, FilterPosition=%s)", name,
                       instance, value, lv.def < lv.n ? lv.items[lv.def] : "(none: last)", pos);
        else
            bl_sb_addf(&what, "adds %s to device %s %s (AddFilter, FilterPosition=%s)", name, instance, value, pos);
        bl_inf_origin o = origin_of(c, l, "AddFilter", NULL);
        apply_write(c, &ch, &o, bl_sb_str(&what));
        free(items);
    }
    for (int i = 0; i < 33; i++)
        bl_sb_free(&store[i]);
    bl_sb_free(&key);
    bl_sb_free(&what);
    bl_sb_free(&class_key);
}

typedef struct model_entry {
    const bl_inf_line *line;
    const bl_inf_section *install; /* DDInstall selected for the target, NULL if none */
} model_entry;

typedef struct device_pick {
    uint32_t entry;  /* index into entries */
    uint32_t rank;   /* lower is better */
    bl_str matched;  /* the device's id that matched */
} device_pick;

/* Ranks a device against the models entries, as Windows prefers a match on
 * an earlier hardware id over a later one and over any compatible id
 * (signature, date and version, which Windows weighs too, are not). */
static bool pick_entry(const bl_model *m, const bl_device *d, const bl_map *ids, device_pick *best)
{
    bool found = false;
    bl_vec lists[2] = {d->hardware_ids, d->compatible_ids};
    for (uint32_t k = 0; k < 2; k++) {
        uint32_t n = bl_pool_vec_len(m->pool, lists[k]);
        const uint32_t *it = bl_pool_vec_items(m->pool, lists[k]);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t packed;
            if (!bl_map_get(ids, bl_pool_fold(m->pool, it[i]), &packed))
                continue;
            uint32_t rank = (k << 24) | ((i < 255 ? i : 255) << 16) | (packed & 0xFF);
            if (!found || rank < best->rank) {
                best->entry = packed >> 8;
                best->rank = rank;
                best->matched = it[i];
                found = true;
            }
        }
    }
    return found;
}

/* Installs DDInstall e->install on the devices picked for it: the section
 * itself and .Services once, .HW and .Filters per device, then the devices'
 * function driver and class. */
static void install_on_devices(apply_ctx *c, const model_entry *e, char **devices, uint32_t ndev)
{
    const char *base = bl_inf_value_at(e->line, 0);
    char *assoc = NULL;
    uint32_t assoc_line = 0;
    hkr soft = {HKR_SOFTWARE, NULL};
    install_section(c, e->install, &soft, &assoc, &assoc_line);
    const bl_inf_section *svc = bl_inf_select_section(c->inf, base, "Services", c->t);
    if (svc && !c->failed)
        services_section(c, svc, &soft, &assoc, &assoc_line);
    const bl_inf_section *hw = bl_inf_select_section(c->inf, base, "HW", c->t);
    const bl_inf_section *filters = bl_inf_select_section(c->inf, base, "Filters", c->t);
    const bl_inf_version_info *v = bl_inf_version(c->inf);
    bool extension = v->class_guid && bl_fold_eq(v->class_guid, GUID_EXTENSION);
    bl_sb key = {0}, what = {0};
    for (uint32_t i = 0; i < ndev && !c->failed; i++) {
        bl_sb_reset(&key);
        bl_sb_addf(&key, "Enum\\%s", devices[i]);
        if (hw) {
            hkr dev = {HKR_DEVICE, bl_sb_str(&key)};
            install_section(c, hw, &dev, NULL, NULL);
        }
        if (filters && !c->failed)
            filters_section(c, filters, devices[i]);
        if (extension || c->failed)
            continue;
        if (assoc && *assoc) {
            bl_sb_reset(&what);
            bl_sb_addf(&what, "makes %s the function driver of device %s (SPSVCINST_ASSOCSERVICE)", assoc,
                       devices[i]);
            device_write(c, devices[i], "Service", assoc, assoc_line, "AddService", bl_sb_str(&what));
        } else if (assoc) {
            bl_change ch;
            bl_inf_origin o = {bl_inf_name(c->inf), assoc_line, "AddService", 0};
            bl_sb_reset(&key);
            bl_sb_addf(&key, "Enum\\%s", devices[i]);
            bl_change_delete_value(&ch, bl_sb_str(&key), "Service");
            bl_sb_reset(&what);
            bl_sb_addf(&what, "installs device %s raw, with no function driver (AddService = ,0x2)", devices[i]);
            apply_write(c, &ch, &o, bl_sb_str(&what));
        } else if (i == 0) {
            apply_diag(c, BL_APPLY_NOTE, e->line->line_no,
                       "[%s] names no function driver (SPSVCINST_ASSOCSERVICE): the devices keep their Service "
                       "(it may come from a Needs= section of an INF not given)",
                       e->install->name);
        }
        if (v->class_guid && *v->class_guid) {
            bl_sb_reset(&what);
            bl_sb_addf(&what, "installs device %s in class %s%s%s", devices[i], v->class_guid,
                       v->class_name ? " " : "", v->class_name ? v->class_name : "");
            device_write(c, devices[i], "ClassGUID", v->class_guid, v->class_guid_line, "ClassGuid",
                         bl_sb_str(&what));
        }
    }
    bl_sb_free(&key);
    bl_sb_free(&what);
    free(assoc);
}

static void add_match(apply_ctx *c, const char *instance, const char *matched, const model_entry *e)
{
    bl_apply_result *r = c->out;
    bl_grow((void **)&r->matches, sizeof *r->matches, &r->capmatches, r->nmatches + 1);
    bl_inf_match *x = &r->matches[r->nmatches++];
    x->inf = bl_inf_name(c->inf);
    x->instance_id = bl_xstrdup(instance);
    x->matched_id = bl_xstrdup(matched);
    x->install = bl_xstrdup(e->install ? e->install->name : bl_inf_value_at(e->line, 0));
    x->line = e->line->line_no;
}

/* msg without the "NAME:LINE: " the parser's messages start with. */
static const char *without_location(const apply_ctx *c, uint32_t line, const char *msg)
{
    char prefix[600];
    int n = snprintf(prefix, sizeof prefix, "%s:%u: ", bl_inf_name(c->inf), line);
    return n > 0 && strncmp(msg, prefix, (size_t)n) == 0 ? msg + n : msg;
}

/* The models entries of the INF for the target, in [Manufacturer] order. */
static uint32_t collect_entries(apply_ctx *c, model_entry **out)
{
    const bl_inf_section *mfg = bl_inf_find_section(c->inf, "Manufacturer");
    model_entry *v = NULL;
    uint32_t n = 0, cap = 0;
    for (uint32_t i = 0; mfg && i < mfg->nlines && !c->failed; i++) {
        const bl_inf_section *models;
        bl_error e;
        bl_inf_models_result res = bl_inf_select_models(c->inf, &mfg->lines[i], c->t, &models, NULL, &e);
        if (res == BL_INF_MODELS_NOT_FOR_TARGET) {
            apply_diag(c, BL_APPLY_NOTE, mfg->lines[i].line_no, "%s", without_location(c, mfg->lines[i].line_no, e.msg));
            continue;
        }
        if (res == BL_INF_MODELS_MISSING) {
            /* With decorations, the missing section is the undecorated
             * fallback of a target the INF does not cater for: nothing is
             * installed there.  Without, the INF is broken. */
            bool decorated = false;
            for (uint32_t d = 1; d < mfg->lines[i].nvalues; d++)
                decorated = decorated || mfg->lines[i].values[d].text[0];
            if (decorated) {
                apply_diag(c, BL_APPLY_NOTE, mfg->lines[i].line_no, "%s: nothing installs on this target",
                           without_location(c, mfg->lines[i].line_no, e.msg));
                continue;
            }
            c->failed = true;
            *c->err = e;
            break;
        }
        for (uint32_t k = 0; k < models->nlines; k++) {
            const bl_inf_line *l = &models->lines[k];
            const char *install = bl_inf_value_at(l, 0);
            if (!l->key || !install || !*install)
                continue;
            const bl_inf_section *sel = bl_inf_select_section(c->inf, install, NULL, c->t);
            if (!sel) {
                if (!bl_inf_find_section(c->inf, install)) {
                    bool any = false;
                    for (uint32_t s = 0; s < bl_inf_section_count(c->inf) && !any; s++) {
                        const char *sn = bl_inf_section_at(c->inf, s)->name;
                        any = bl_fold_has_prefix(sn, install) && sn[strlen(install)] == '.';
                    }
                    if (!any) {
                        apply_fail(c, l->line_no, "model %s names install section [%s], which is not in the INF",
                                   l->key, install);
                        break;
                    }
                }
                apply_diag(c, BL_APPLY_WARNING, l->line_no,
                           "install section [%s] has no variant for %s: Windows cannot install model %s here",
                           install, bl_inf_arch_name(c->t->arch), l->key);
                continue;
            }
            bl_grow((void **)&v, sizeof *v, &cap, n + 1);
            v[n].line = l;
            v[n].install = sel;
            n++;
        }
    }
    *out = v;
    return n;
}

static void apply_models(apply_ctx *c, bl_inf_summary *sum)
{
    model_entry *entries;
    uint32_t n = collect_entries(c, &entries);
    sum->model_entries = n;
    if (c->failed || !n) {
        free(entries);
        return;
    }
    /* Every id of every entry, folded, to the first entry and position. */
    bl_map ids = {0};
    uint32_t nids = 0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t v = 1; v < entries[i].line->nvalues; v++) {
            const char *id = entries[i].line->values[v].text;
            if (!*id)
                continue;
            bl_str f = bl_pool_fold(c->m->pool, bl_pool_str(c->m->pool, id));
            uint32_t old;
            if (!bl_map_get(&ids, f, &old))
                bl_map_put(&ids, f, (i << 8) | (v - 1 < 255 ? v - 1 : 255));
            nids++;
        }
    /* The devices each entry installs on (devices are matched as the
     * baseline has them, before this INF's own changes). */
    char **picked = bl_xcalloc(c->m->ndevices + 1, sizeof *picked);
    uint32_t *entry_of = bl_xcalloc(c->m->ndevices + 1, sizeof *entry_of);
    uint32_t npicked = 0;
    for (uint32_t d = 0; d < c->m->ndevices; d++) {
        device_pick p;
        if (!pick_entry(c->m, &c->m->devices[d], &ids, &p))
            continue;
        picked[npicked] = bl_xstrdup(bl_model_str(c->m, c->m->devices[d].instance_id));
        entry_of[npicked] = p.entry;
        add_match(c, picked[npicked], bl_model_str(c->m, p.matched), &entries[p.entry]);
        npicked++;
    }
    bl_map_free(&ids);
    sum->matched_devices = npicked;
    if (!npicked)
        apply_diag(c, BL_APPLY_NOTE, entries[0].line->line_no,
                   "no device of the baseline matches the %u hardware and compatible ids of the %u models "
                   "entr%s: the per-device parts (.HW, .Filters, the device's function driver and class) have "
                   "no effect on this baseline; services and HKLM entries are applied as on a machine with "
                   "such a device",
                   nids, n, n == 1 ? "y" : "ies");
    /* Each distinct install section once, on its devices. */
    char **devs = bl_xmalloc((npicked + 1) * sizeof *devs);
    for (uint32_t i = 0; i < n && !c->failed; i++) {
        bool seen = false;
        for (uint32_t k = 0; k < i && !seen; k++)
            seen = entries[k].install == entries[i].install;
        if (seen)
            continue;
        uint32_t nd = 0;
        for (uint32_t d = 0; d < npicked; d++)
            if (entries[entry_of[d]].install == entries[i].install)
                devs[nd++] = picked[d];
        install_on_devices(c, &entries[i], devs, nd);
    }
    free(devs);
    for (uint32_t d = 0; d < npicked; d++)
        free(picked[d]);
    free(picked);
    free(entry_of);
    free(entries);
}

/* ---- [DefaultInstall] and ClassInstall32 ---- */

static void apply_default_install(apply_ctx *c, bl_inf_summary *sum)
{
    const bl_inf_section *di = bl_inf_select_section(c->inf, "DefaultInstall", NULL, c->t);
    if (!di) {
        for (uint32_t s = 0; s < bl_inf_section_count(c->inf); s++) {
            const bl_inf_section *x = bl_inf_section_at(c->inf, s);
            if (!bl_fold_has_prefix(x->name, "DefaultInstall"))
                continue;
            size_t n = strlen(x->name);
            if (n > 9 && bl_fold_eq(x->name + n - 9, ".Services"))
                apply_diag(c, BL_APPLY_WARNING, x->line_no,
                           "[%s] without its [%.*s] section: Windows never processes it", x->name, (int)(n - 9),
                           x->name);
            else
                apply_diag(c, BL_APPLY_NOTE, x->line_no, "[%s] does not apply to %s: not installed", x->name,
                           bl_inf_arch_name(c->t->arch));
            break;
        }
        return;
    }
    sum->default_install = di->name;
    hkr none = {HKR_NONE, NULL};
    install_section(c, di, &none, NULL, NULL);
    const bl_inf_section *ds = bl_inf_select_section(c->inf, "DefaultInstall", "Services", c->t);
    if (ds && !c->failed)
        services_section(c, ds, &none, NULL, NULL);
}

static void apply_class_install(apply_ctx *c, bl_inf_summary *sum)
{
    const bl_inf_section *ci = bl_inf_select_section(c->inf, "ClassInstall32", NULL, c->t);
    if (!ci)
        return;
    const bl_inf_version_info *v = bl_inf_version(c->inf);
    if (!v->class_guid || !*v->class_guid) {
        apply_diag(c, BL_APPLY_WARNING, ci->line_no, "[%s] but no ClassGuid in [Version]: not processed", ci->name);
        return;
    }
    if (bl_model_find_class(c->m, v->class_guid) != BL_NONE) {
        apply_diag(c, BL_APPLY_NOTE, ci->line_no,
                   "class %s exists in the baseline: [%s] is not processed (Windows installs a class once)",
                   v->class_guid, ci->name);
        return;
    }
    bl_sb key = {0};
    bl_sb_addf(&key, "Control\\Class\\%s", v->class_guid);
    if (v->class_name) {
        bl_change ch;
        bl_sb what = {0};
        apply_string_change(&ch, bl_sb_str(&key), "Class", BL_REG_SZ, v->class_name);
        bl_sb_addf(&what, "creates class %s (%s)", v->class_guid, v->class_name);
        bl_inf_origin o = {bl_inf_name(c->inf), v->class_line, "Class", 0};
        apply_write(c, &ch, &o, bl_sb_str(&what));
        bl_sb_free(&what);
    }
    sum->class_installed = true;
    hkr h = {HKR_CLASS, bl_sb_str(&key)};
    install_section(c, ci, &h, NULL, NULL);
    bl_sb_free(&key);
}

int bl_inf_apply(bl_model *m, const bl_inf *const *infs, uint32_t ninfs, const bl_inf_target *t,
                 bl_apply_result *out, bl_error *err)
{
    memset(out, 0, sizeof *out);
    out->infs = bl_xcalloc(ninfs ? ninfs : 1, sizeof *out->infs);
    out->ninfs = ninfs;
    apply_ctx c;
    memset(&c, 0, sizeof c);
    c.m = m;
    c.infs = infs;
    c.ninfs = ninfs;
    c.t = t;
    c.out = out;
    c.err = err;
    for (uint32_t i = 0; i < ninfs && !c.failed; i++) {
        c.inf = infs[i];
        out->infs[i].inf = bl_inf_name(infs[i]);
        apply_class_install(&c, &out->infs[i]);
        if (!c.failed)
            apply_default_install(&c, &out->infs[i]);
        if (!c.failed)
            apply_models(&c, &out->infs[i]);
    }
    bl_map_free(&c.written);
    free(c.decl);
    apply_tags_forget(&c);
    free(c.tag_used);
    if (c.failed)
        return -1;
    /* Writes below Enum may have added devices; new services may carry
     * the Windows 8 group markers. */
    bl_model_build_tree(m);
    bl_model_detect_loader(m);
    return 0;
}

void bl_apply_result_free(bl_apply_result *r)
{
    for (uint32_t i = 0; i < r->nwrites; i++) {
        bl_change_free(&r->writes[i].change);
        free(r->writes[i].what);
    }
    free(r->writes);
    for (uint32_t i = 0; i < r->ndiags; i++)
        free(r->diags[i].message);
    free(r->diags);
    for (uint32_t i = 0; i < r->nmatches; i++) {
        free(r->matches[i].instance_id);
        free(r->matches[i].matched_id);
        free(r->matches[i].install);
    }
    free(r->matches);
    free(r->infs);
    memset(r, 0, sizeof *r);
}

void bl_apply_result_reg(const bl_apply_result *r, bl_sb *out)
{
    bl_change *v = bl_xmalloc((r->nwrites ? r->nwrites : 1) * sizeof *v);
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nwrites; i++)
        v[n++] = r->writes[i].change;
    bl_changes_to_reg(v, n, out);
    free(v);
}

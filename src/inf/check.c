/* check.c — what the parser does once the lines are in place: reads the
 * [Version] entries, lists Include=/Needs= references, and warns about the
 * section references Windows would fail to follow (a models or install
 * section named but absent, AddReg = a section that is not there).  The
 * apply step finds these too, but only for the target it installs on;
 * here every reference is checked once, whatever the target. */
#include "inf_internal.h"

#include <stdlib.h>
#include <string.h>

static bool is_key(const bl_inf_line *l, const char *key)
{
    return l->key && bl_fold_eq(l->key, key);
}

static void read_version(bl_inf *inf)
{
    const bl_inf_section *s = bl_inf_find_section(inf, "Version");
    bl_inf_version_info *v = &inf->version;
    if (!s) {
        inf_warn(inf, 1, "no [Version] section: Windows rejects the INF");
        return;
    }
    for (uint32_t i = s->nlines; i-- > 0;) {
        /* Backwards, so that the first occurrence of a key wins. */
        const bl_inf_line *l = &s->lines[i];
        const char *v0 = bl_inf_value_at(l, 0);
        if (!v0)
            continue;
        if (is_key(l, "Signature")) {
            v->signature = v0;
        } else if (is_key(l, "Class")) {
            v->class_name = v0;
            v->class_line = l->line_no;
        } else if (is_key(l, "ClassGuid")) {
            v->class_guid = v0;
            v->class_guid_line = l->line_no;
        } else if (is_key(l, "Provider")) {
            v->provider = v0;
        } else if (is_key(l, "CatalogFile")) {
            v->catalog_file = v0;
        } else if (is_key(l, "DriverVer")) {
            v->driver_ver_date = v0;
            v->driver_ver_version = bl_inf_value_at(l, 1);
            v->driver_ver_line = l->line_no;
        }
    }
    if (!v->signature)
        inf_warn(inf, s->line_no, "[Version] has no Signature entry");
    else if (!bl_fold_eq(v->signature, "$Windows NT$") && !bl_fold_eq(v->signature, "$Chicago$") &&
             !bl_fold_eq(v->signature, "$Windows 95$"))
        inf_warn(inf, s->line_no, "Signature \"%s\" is not \"$Windows NT$\" or \"$Chicago$\"",
                 v->signature);
}

static void collect_refs(bl_inf *inf)
{
    for (uint32_t s = 0; s < inf->nsections; s++) {
        const bl_inf_section *sec = &inf->sections[s];
        for (uint32_t i = 0; i < sec->nlines; i++) {
            const bl_inf_line *l = &sec->lines[i];
            bool include = is_key(l, "Include");
            if (!include && !is_key(l, "Needs"))
                continue;
            for (uint32_t v = 0; v < l->nvalues; v++) {
                if (!l->values[v].text[0])
                    continue;
                bl_grow((void **)&inf->refs, sizeof *inf->refs, &inf->refs_cap, inf->nrefs + 1);
                bl_inf_ref *r = &inf->refs[inf->nrefs++];
                r->kind = include ? BL_INF_REF_INCLUDE : BL_INF_REF_NEEDS;
                r->name = l->values[v].text;
                r->section = sec->name;
                r->line_no = l->line_no;
            }
        }
    }
}

/* Directives whose values name sections of the same INF: which value (or
 * all of them, -1), and what the section is called in messages. */
static const struct {
    const char *directive;
    int value;
    const char *what;
} section_refs[] = {
    {"AddReg", -1, "section"},
    {"DelReg", -1, "section"},
    {"BitReg", -1, "section"},
    {"CopyFiles", -1, "section"},
    {"DelFiles", -1, "section"},
    {"RenFiles", -1, "section"},
    {"AddProperty", -1, "section"},
    {"DelProperty", -1, "section"},
    {"LogConfig", -1, "section"},
    {"ProfileItems", -1, "section"},
    {"UpdateInis", -1, "section"},
    {"UpdateIniFields", -1, "section"},
    {"Ini2Reg", -1, "section"},
    {"RegisterDlls", -1, "section"},
    {"UnregisterDlls", -1, "section"},
    {"AddPowerSetting", -1, "section"},
    {"AddService", 2, "service-install section"},
    {"AddService", 3, "event-log-install section"},
    {"AddInterface", 2, "add-interface section"},
    {"AddComponent", 2, "component install section"},
    {"AddEventProvider", 1, "event provider section"},
};

static void check_ref(bl_inf *inf, const bl_inf_line *l, const char *directive, const char *what,
                      const char *name)
{
    if (!name[0] || (name[0] == '@' && bl_fold_eq(directive, "CopyFiles")))
        return;
    if (!bl_inf_find_section(inf, name))
        inf_warn(inf, l->line_no, "%s names %s [%s], which is not in the INF", directive, what,
                 name);
}

static void check_directive_refs(bl_inf *inf)
{
    for (uint32_t s = 0; s < inf->nsections; s++) {
        int32_t langid;
        if (inf_strings_langid(inf->folded[s], &langid))
            continue;
        const bl_inf_section *sec = &inf->sections[s];
        for (uint32_t i = 0; i < sec->nlines; i++) {
            const bl_inf_line *l = &sec->lines[i];
            if (!l->key)
                continue;
            for (size_t r = 0; r < BL_ARRAY_LEN(section_refs); r++) {
                if (!bl_fold_eq(l->key, section_refs[r].directive))
                    continue;
                if (section_refs[r].value < 0) {
                    for (uint32_t v = 0; v < l->nvalues; v++)
                        check_ref(inf, l, section_refs[r].directive, section_refs[r].what,
                                  l->values[v].text);
                } else if ((uint32_t)section_refs[r].value < l->nvalues) {
                    check_ref(inf, l, section_refs[r].directive, section_refs[r].what,
                              l->values[section_refs[r].value].text);
                }
            }
        }
    }
}

/* Checks a models section's entries: each names an install section that
 * must exist, decorated or not.  checked[] marks sections already done, as
 * several [Manufacturer] entries may name the same one. */
static void check_models_section(bl_inf *inf, const bl_inf_section *models, bool *checked)
{
    if (checked[models - inf->sections])
        return;
    checked[models - inf->sections] = true;
    for (uint32_t i = 0; i < models->nlines; i++) {
        const bl_inf_line *l = &models->lines[i];
        const char *install = bl_inf_value_at(l, 0);
        if (l->key && install && install[0] && !inf_any_install_section(inf, install))
            inf_warn(inf, l->line_no,
                     "model %s names install section [%s], which is not in the "
                     "INF (with or without a platform extension)",
                     l->key, install);
    }
}

static void check_manufacturer(bl_inf *inf)
{
    const bl_inf_section *mfg = bl_inf_find_section(inf, "Manufacturer");
    if (!mfg)
        return;
    bl_sb name = {0}, tmp = {0};
    bool warned_placeholder = false;
    bool *checked = bl_xcalloc(inf->nsections, sizeof *checked);
    for (uint32_t i = 0; i < mfg->nlines; i++) {
        const bl_inf_line *l = &mfg->lines[i];
        const char *base = bl_inf_value_at(l, 0);
        if (!base || !base[0]) {
            inf_warn(inf, l->line_no, "[Manufacturer] entry names no models section");
            continue;
        }
        uint32_t ndecorations = 0;
        for (uint32_t v = 1; v < l->nvalues; v++) {
            const char *d = l->values[v].text;
            bl_inf_decoration dec;
            if (!d[0])
                continue;
            ndecorations++;
            size_t len;
            const char *stamped = inf_stamp(d, strlen(d), "x86", &tmp, &len);
            if (bl_inf_parse_decoration(stamped, len, &dec) < 0)
                inf_warn(inf, l->line_no, "\"%s\" is not a TargetOSVersion decoration", d);
            else if (stamped != d && !warned_placeholder)
                inf_warn(inf, l->line_no,
                         "\"%s\": $ARCH$ is a stampinf placeholder, read as "
                         "the target's architecture (an unstamped INF never matches on Windows)",
                         d);
            warned_placeholder |= stamped != d;
            bl_sb_reset(&name);
            bl_sb_addf(&name, "%s.%s", base, d);
            const bl_inf_section *models = bl_inf_find_section(inf, bl_sb_str(&name));
            if (!models)
                inf_warn(inf, l->line_no,
                         "[Manufacturer] names models section [%s], which is not "
                         "in the INF",
                         bl_sb_str(&name));
            else
                check_models_section(inf, models, checked);
        }
        const bl_inf_section *plain = bl_inf_find_section(inf, base);
        if (plain)
            check_models_section(inf, plain, checked);
        else if (!ndecorations)
            inf_warn(inf, l->line_no,
                     "[Manufacturer] names models section [%s], which is not in "
                     "the INF",
                     base);
    }
    bl_sb_free(&name);
    bl_sb_free(&tmp);
    free(checked);
}

void inf_check(bl_inf *inf)
{
    read_version(inf);
    collect_refs(inf);
    check_manufacturer(inf);
    check_directive_refs(inf);
}

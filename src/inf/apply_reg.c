/* apply_reg.c — the registry writes of the INF apply step: AddReg and
 * DelReg entries read as SetupAPI reads them (reg-root, subkey, value name,
 * FLG_ADDREG_* flags, data; Microsoft's "INF AddReg Directive" and "INF
 * DelReg Directive"), turned into bl_change writes on the model, each
 * recorded with the INF line it comes from. */
#include "apply_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds against hostile INFs: every write is recorded, and appending to a
 * list rescans it, so both stay far above real use and far below what
 * would make a lint slow. */
#define APPLY_MAX_WRITES 100000u
#define APPLY_MAX_LIST 1024u

void apply_diag(apply_ctx *c, bl_apply_level level, uint32_t line, const char *fmt, ...)
{
    bl_apply_result *r = c->out;
    if (r->ndiags >= BL_INF_MAX_DIAGS)
        return;
    bl_sb sb = {0};
    bl_sb_addf(&sb, "%s:%u: ", bl_inf_name(c->inf), line);
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    if (r->ndiags + 1 == BL_INF_MAX_DIAGS) {
        bl_sb_reset(&sb);
        bl_sb_addf(&sb, "%s:%u: more than %u diagnostics; the rest are not shown", bl_inf_name(c->inf),
                   line, BL_INF_MAX_DIAGS - 1);
        level = BL_APPLY_WARNING;
    }
    bl_grow((void **)&r->diags, sizeof *r->diags, &r->capdiags, r->ndiags + 1);
    bl_apply_diag *d = &r->diags[r->ndiags++];
    d->level = level;
    d->inf = bl_inf_name(c->inf);
    d->line = line;
    d->message = bl_sb_detach(&sb);
}

void apply_fail(apply_ctx *c, uint32_t line, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    bl_sb sb = {0};
    bl_sb_addf(&sb, "%s:%u: ", bl_inf_name(c->inf), line);
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    bl_error_set(c->err, "%s", bl_sb_str(&sb));
    bl_sb_free(&sb);
}

/* ---- registry data ---- */

/* A string as the hive stores it: UTF-16LE with its terminator. */
static void sz_bytes(const char *s, bl_sb *out)
{
    bl_utf8_to_utf16le(s, strlen(s) + 1, out);
}

static void change_init(bl_change *ch, const char *key, const char *value, uint32_t type, bl_sb *data)
{
    memset(ch, 0, sizeof *ch);
    ch->key = bl_xstrdup(key);
    ch->value = bl_xstrdup(value);
    ch->type = type;
    ch->size = data->len;
    ch->data = (uint8_t *)bl_sb_detach(data);
}

void apply_string_change(bl_change *ch, const char *key, const char *value, uint32_t type, const char *s)
{
    bl_sb data = {0};
    sz_bytes(s, &data);
    change_init(ch, key, value, type, &data);
}

void apply_multi_change(bl_change *ch, const char *key, const char *value, const char *const *items,
                        uint32_t n)
{
    bl_sb data = {0};
    for (uint32_t i = 0; i < n; i++)
        sz_bytes(items[i], &data);
    bl_sb_addn(&data, "\0\0", 2);
    change_init(ch, key, value, BL_REG_MULTI_SZ, &data);
}

/* ---- keys the boot model tracks ---- */

#define MAX_PARTS 6

typedef struct key_parts {
    char buf[1024];
    const char *p[MAX_PARTS];
    int n; /* MAX_PARTS + 1: deeper than any key the model tracks */
} key_parts;

static void split_key(const char *key, key_parts *k)
{
    snprintf(k->buf, sizeof k->buf, "%s", key);
    k->n = 0;
    char *s = k->buf;
    while (*s) {
        char *sep = strchr(s, '\\');
        if (sep)
            *sep = '\0';
        if (*s) {
            if (k->n == MAX_PARTS) {
                k->n = MAX_PARTS + 1;
                return;
            }
            k->p[k->n++] = s;
        }
        if (!sep)
            break;
        s = sep + 1;
    }
}

static bool is(const key_parts *k, int i, const char *name)
{
    return i < k->n && i < MAX_PARTS && bl_fold_eq(k->p[i], name);
}

/* Which part of a service key path names the instance key, or -1; sets
 * *layout.  Services\X\Instances[\I] and Services\X\Parameters\Instances[\I]. */
static int instances_at(const key_parts *k, uint8_t *layout)
{
    if (is(k, 2, "Instances")) {
        *layout = BL_INST_SERVICE_KEY;
        return 3;
    }
    if (is(k, 2, "Parameters") && is(k, 3, "Instances")) {
        *layout = BL_INST_PARAMETERS;
        return 4;
    }
    return -1;
}

/* Whether the model reads values of key (the keys model/load.c reads). */
static bool key_tracked(const char *key)
{
    key_parts k;
    split_key(key, &k);
    if (k.n > MAX_PARTS)
        return false;
    if (is(&k, 0, "Services") && k.n >= 2) {
        uint8_t layout;
        int at = instances_at(&k, &layout);
        return k.n == 2 || (k.n == 3 && is(&k, 2, "StartOverride")) || (at > 0 && (k.n == at || k.n == at + 1));
    }
    if (is(&k, 0, "Control"))
        return k.n == 1 || (k.n == 2 && (is(&k, 1, "ServiceGroupOrder") || is(&k, 1, "GroupOrderList"))) ||
               (k.n == 3 && is(&k, 1, "Class"));
    return is(&k, 0, "Enum") && k.n == 4;
}

typedef enum presence { VALUE_UNKNOWN, VALUE_ABSENT, VALUE_PRESENT } presence;

static presence present_if(bool b)
{
    return b ? VALUE_PRESENT : VALUE_ABSENT;
}

static presence service_value(const bl_service *s, const char *v, bl_vec *list)
{
    if (bl_fold_eq(v, "Type"))
        return present_if(s->has_type);
    if (bl_fold_eq(v, "Start"))
        return present_if(s->start_value != BL_START_UNKNOWN);
    if (bl_fold_eq(v, "ErrorControl"))
        return present_if(s->has_error_control);
    if (bl_fold_eq(v, "Group"))
        return present_if(s->group != 0);
    if (bl_fold_eq(v, "Tag"))
        return present_if(s->has_tag);
    if (bl_fold_eq(v, "ImagePath"))
        return present_if(s->image_path != 0);
    if (bl_fold_eq(v, "DisplayName"))
        return present_if(s->display_name != 0);
    if (bl_fold_eq(v, "BootFlags"))
        return present_if(s->has_boot_flags);
    if (bl_fold_eq(v, "DependOnService")) {
        *list = s->depend_on_service;
        return present_if(s->has_depend_on_service);
    }
    if (bl_fold_eq(v, "DependOnGroup")) {
        *list = s->depend_on_group;
        return present_if(s->has_depend_on_group);
    }
    return VALUE_UNKNOWN;
}

static presence instance_value(const bl_model *m, const bl_service *s, const char *inst, const char *v)
{
    for (uint32_t i = 0; i < s->inst_count; i++) {
        const bl_instance *x = &m->instances[s->inst_first + i];
        if (!bl_fold_eq(bl_model_str(m, x->name), inst))
            continue;
        if (bl_fold_eq(v, "Altitude"))
            return present_if(x->altitude != 0);
        if (bl_fold_eq(v, "Flags"))
            return present_if(x->has_flags);
        return VALUE_UNKNOWN;
    }
    return bl_fold_eq(v, "Altitude") || bl_fold_eq(v, "Flags") ? VALUE_ABSENT : VALUE_UNKNOWN;
}

/* What the model says about key\value; *list gets the strings of the
 * multi-string values it keeps. */
static presence model_value(const bl_model *m, const char *key, const char *v, bl_vec *list)
{
    *list = 0;
    key_parts k;
    split_key(key, &k);
    if (k.n > MAX_PARTS)
        return VALUE_UNKNOWN;
    if (is(&k, 0, "Services") && k.n >= 2) {
        uint32_t svc = bl_model_find_service(m, k.p[1]);
        if (svc == BL_NONE)
            return VALUE_ABSENT;
        const bl_service *s = &m->services[svc];
        if (k.n == 2)
            return service_value(s, v, list);
        uint8_t layout;
        int at = instances_at(&k, &layout);
        if (at > 0 && k.n == at && bl_fold_eq(v, "DefaultInstance"))
            return present_if(s->default_instance != 0);
        if (at > 0 && k.n == at + 1)
            return instance_value(m, s, k.p[at], v);
        return VALUE_UNKNOWN;
    }
    if (is(&k, 0, "Control") && k.n == 3 && is(&k, 1, "Class")) {
        uint32_t cls = bl_model_find_class(m, k.p[2]);
        if (cls == BL_NONE)
            return VALUE_ABSENT;
        const bl_class *x = &m->classes[cls];
        if (bl_fold_eq(v, "Class"))
            return present_if(x->name != 0);
        if (bl_fold_eq(v, "UpperFilters")) {
            *list = x->upper;
            return present_if(x->has_upper);
        }
        if (bl_fold_eq(v, "LowerFilters")) {
            *list = x->lower;
            return present_if(x->has_lower);
        }
        return VALUE_UNKNOWN;
    }
    if (is(&k, 0, "Control") && k.n == 2 && is(&k, 1, "ServiceGroupOrder") && bl_fold_eq(v, "List")) {
        *list = m->group_order;
        return present_if(m->has_group_order);
    }
    if (is(&k, 0, "Control") && k.n == 2 && is(&k, 1, "GroupOrderList")) {
        for (uint32_t i = 0; i < m->ngroup_tags; i++)
            if (bl_fold_eq(bl_model_str(m, m->group_tags[i].group), v))
                return VALUE_PRESENT;
        return VALUE_ABSENT;
    }
    if (is(&k, 0, "Enum") && k.n == 4) {
        char id[1024];
        snprintf(id, sizeof id, "%s\\%s\\%s", k.p[1], k.p[2], k.p[3]);
        uint32_t dev = bl_model_find_device(m, id);
        if (dev == BL_NONE)
            return VALUE_ABSENT;
        const bl_device *d = &m->devices[dev];
        static const struct {
            const char *name;
            size_t offset;
        } lists[] = {
            {"UpperFilters", offsetof(bl_device, upper)},
            {"LowerFilters", offsetof(bl_device, lower)},
            {"HardwareID", offsetof(bl_device, hardware_ids)},
            {"CompatibleIDs", offsetof(bl_device, compatible_ids)},
        };
        for (size_t i = 0; i < BL_ARRAY_LEN(lists); i++)
            if (bl_fold_eq(v, lists[i].name)) {
                memcpy(list, (const char *)d + lists[i].offset, sizeof *list);
                return present_if(*list != 0);
            }
        if (bl_fold_eq(v, "Service"))
            return present_if(d->service != 0);
        if (bl_fold_eq(v, "ClassGUID"))
            return present_if(d->class_guid != 0);
        if (bl_fold_eq(v, "ConfigFlags"))
            return present_if(d->has_config_flags);
        return VALUE_UNKNOWN;
    }
    return VALUE_UNKNOWN;
}

bl_vec apply_model_list(const bl_model *m, const char *key, const char *value)
{
    bl_vec list;
    return model_value(m, key, value, &list) == VALUE_PRESENT ? list : 0;
}

/* The pool id naming key\value in the written map. */
static bl_str written_id(const apply_ctx *c, const char *key, const char *value)
{
    bl_sb sb = {0};
    bl_sb_addf(&sb, "%s\x01%s", key, value);
    bl_str id = bl_pool_fold(c->m->pool, bl_pool_str(c->m->pool, bl_sb_str(&sb)));
    bl_sb_free(&sb);
    return id;
}

/* The map holds, for each key\value this run wrote, the index of its last
 * write << 2 | WRITTEN_SET, or | WRITTEN_DELETED when that write deleted it. */
enum { WRITTEN_SET = 1, WRITTEN_DELETED = 2, WRITTEN_STATE = 3 };

/* Whether key\value is set: by an earlier write of this run, else in the
 * model (for what the model does not keep, as far as this run knows: not). */
static bool value_exists(const apply_ctx *c, const char *key, const char *value)
{
    uint32_t state;
    if (bl_map_get(&c->written, written_id(c, key, value), &state))
        return (state & WRITTEN_STATE) == WRITTEN_SET;
    bl_vec list;
    return model_value(c->m, key, value, &list) == VALUE_PRESENT;
}

const bl_inf_write *apply_last_write(const apply_ctx *c, const char *key, const char *value)
{
    uint32_t state;
    if (!bl_map_get(&c->written, written_id(c, key, value), &state) || (state & WRITTEN_STATE) != WRITTEN_SET)
        return NULL;
    return &c->out->writes[state >> 2];
}

/* A key for messages: "service x", "the System class", "device ID"... */
static void key_label(const bl_model *m, const char *key, bl_sb *out)
{
    key_parts k;
    split_key(key, &k);
    if (is(&k, 0, "Services") && k.n == 2) {
        bl_sb_addf(out, "service %s", k.p[1]);
    } else if (is(&k, 0, "Services") && k.n > 2 && k.n <= MAX_PARTS) {
        bl_sb_addf(out, "service %s's key %s", k.p[1], key + (k.p[2] - k.buf));
    } else if (is(&k, 0, "Control") && is(&k, 1, "Class") && k.n == 3) {
        uint32_t cls = bl_model_find_class(m, k.p[2]);
        if (cls != BL_NONE && m->classes[cls].name)
            bl_sb_addf(out, "the %s class", bl_model_str(m, m->classes[cls].name));
        else
            bl_sb_addf(out, "class %s", k.p[2]);
    } else if (is(&k, 0, "Enum") && k.n == 4) {
        bl_sb_addf(out, "device %s", key + (k.p[1] - k.buf));
    } else {
        bl_sb_add(out, key);
    }
}

void apply_write(apply_ctx *c, bl_change *ch, const bl_inf_origin *origin, const char *what)
{
    bl_apply_result *r = c->out;
    if (r->nwrites >= APPLY_MAX_WRITES) {
        apply_fail(c, origin->line, "more than %u registry writes: not an INF Windows would install",
                   APPLY_MAX_WRITES);
        bl_change_free(ch);
        return;
    }
    /* What the tag cache rests on: a driver's tag, a tagged driver's group,
     * a GroupOrderList, a service key. */
    if (!c->assigning && c->ntag_used) {
        bool services = bl_fold_has_prefix(ch->key, "Services\\");
        bool moves = bl_fold_has_prefix(ch->key, "Control\\GroupOrderList") || (services && ch->delete_key);
        if (!moves && services && ch->value) {
            if (bl_fold_eq(ch->value, "Tag")) {
                moves = true;
            } else if (bl_fold_eq(ch->value, "Group")) {
                const char *name = ch->key + strlen("Services\\");
                uint32_t svc = strchr(name, '\\') ? BL_NONE : bl_model_find_service(c->m, name);
                moves = svc != BL_NONE && c->m->services[svc].has_tag;
            }
        }
        if (moves)
            apply_tags_forget(c);
    }
    bool in_model = false;
    if (key_tracked(ch->key)) {
        if (ch->delete_key) {
            /* Only service keys matter to the boot model (bl_change_apply). */
            in_model = bl_fold_has_prefix(ch->key, "Services\\");
            bl_change_apply(c->m, ch);
        } else if (ch->delete_value) {
            in_model = bl_model_apply_delete(c->m, ch->key, ch->value);
        } else {
            in_model = bl_model_apply_value(c->m, ch->key, ch->value, ch->type, ch->data, ch->size);
        }
    }
    if (ch->value)
        bl_map_put(&c->written, written_id(c, ch->key, ch->value),
                   r->nwrites << 2 | (ch->delete_value ? WRITTEN_DELETED : WRITTEN_SET));
    bl_grow((void **)&r->writes, sizeof *r->writes, &r->capwrites, r->nwrites + 1);
    bl_inf_write *w = &r->writes[r->nwrites++];
    w->change = *ch;
    memset(ch, 0, sizeof *ch);
    w->origin = *origin;
    w->in_model = in_model;
    w->what = bl_xstrdup(what);
}

/* ---- AddReg / DelReg entries ---- */

/* The rest of an HKLM subkey below SYSTEM\CurrentControlSet, or NULL when
 * it names something else (SOFTWARE, another control set...). */
static const char *hklm_relative(const char *subkey)
{
    while (*subkey == '\\')
        subkey++;
    static const char ccs[] = "SYSTEM\\CurrentControlSet";
    size_t n = sizeof ccs - 1;
    if (!bl_fold_has_prefix(subkey, ccs) || (subkey[n] != '\0' && subkey[n] != '\\'))
        return NULL;
    return subkey + n;
}

static void add_subkey(bl_sb *key, const char *subkey)
{
    while (*subkey == '\\')
        subkey++;
    size_t n = strlen(subkey);
    while (n && subkey[n - 1] == '\\')
        n--;
    if (!n)
        return;
    if (key->len)
        bl_sb_addc(key, '\\');
    bl_sb_addn(key, subkey, n);
}

/* Resolves an entry's reg-root and subkey to a key below the control set.
 * False when the entry writes outside the boot model (said in a
 * diagnostic, except for the device's software key, which the caller
 * reports once per section). */
static bool resolve_key(apply_ctx *c, const bl_inf_line *l, const hkr *h, const char *root,
                        const char *subkey, bl_sb *key, bool *software)
{
    if (bl_fold_eq(root, "HKR")) {
        if (h->kind == HKR_SOFTWARE) {
            *software = true;
            return false;
        }
        if (h->kind == HKR_NONE) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no,
                       "HKR in a section without a relative root ([DefaultInstall]): Windows writes "
                       "nothing useful; entry ignored");
            return false;
        }
        bl_sb_add(key, h->key);
        add_subkey(key, subkey);
        return true;
    }
    if (bl_fold_eq(root, "HKLM") || bl_fold_eq(root, "HKEY_LOCAL_MACHINE")) {
        const char *rest = hklm_relative(subkey);
        if (rest) {
            add_subkey(key, rest);
            return true;
        }
        apply_diag(c, BL_APPLY_NOTE, l->line_no,
                   "HKLM\\%s is outside SYSTEM\\CurrentControlSet: not part of the boot model", subkey);
        return false;
    }
    static const char *const others[] = {"HKCR", "HKCU", "HKU", "HKEY_CLASSES_ROOT", "HKEY_CURRENT_USER",
                                         "HKEY_USERS"};
    for (size_t i = 0; i < BL_ARRAY_LEN(others); i++)
        if (bl_fold_eq(root, others[i])) {
            apply_diag(c, BL_APPLY_NOTE, l->line_no, "%s is not the SYSTEM hive: not part of the boot model",
                       root);
            return false;
        }
    apply_diag(c, BL_APPLY_WARNING, l->line_no, "unknown registry root \"%s\": entry ignored", root);
    return false;
}

/* The registry type FLG_ADDREG_* flags select; false for an undefined one. */
static bool addreg_type(uint32_t flags, uint32_t *type, bool *binary)
{
    uint32_t hi = flags >> 16;
    *binary = (flags & BL_FLG_ADDREG_BINVALUETYPE) != 0;
    if (*binary) {
        *type = hi == 0 ? BL_REG_BINARY : hi == 1 ? BL_REG_DWORD : hi == 2 ? BL_REG_NONE : hi;
        return true;
    }
    if (hi > 2)
        return false;
    *type = hi == 0 ? BL_REG_SZ : hi == 1 ? BL_REG_MULTI_SZ : BL_REG_EXPAND_SZ;
    return true;
}

/* A byte written in hex, as binary AddReg data is ("0x" optional). */
static bool hex_byte(const char *s, uint8_t *out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (s[0] == '0' && (s[1] | 0x20) == 'x')
        s += 2;
    uint32_t v = 0;
    int digits = 0;
    for (; *s && *s != ' ' && *s != '\t'; s++, digits++) {
        char ch = *s;
        int d = ch >= '0' && ch <= '9' ? ch - '0' : (ch | 0x20) >= 'a' && (ch | 0x20) <= 'f' ? (ch | 0x20) - 'a' + 10 : -1;
        if (d < 0 || digits >= 2)
            return false;
        v = v * 16 + (uint32_t)d;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (!digits || *s)
        return false;
    *out = (uint8_t)v;
    return true;
}

static void data_text(uint32_t type, const bl_change *ch, bl_sb *out)
{
    if (type == BL_REG_DWORD && ch->size == 4) {
        uint32_t v = (uint32_t)ch->data[0] | ((uint32_t)ch->data[1] << 8) | ((uint32_t)ch->data[2] << 16) |
                     ((uint32_t)ch->data[3] << 24);
        bl_sb_addf(out, "%u", v);
    } else if (type == BL_REG_SZ || type == BL_REG_EXPAND_SZ) {
        bl_sb_addc(out, '"');
        bl_utf16le_to_utf8(ch->data, ch->size, out);
        bl_sb_addc(out, '"');
    } else if (type == BL_REG_MULTI_SZ) {
        bl_sb_addc(out, '[');
        size_t pos = 0;
        uint32_t shown = 0;
        while (pos + 2 < ch->size) {
            bl_sb item = {0};
            pos += bl_utf16le_to_utf8(ch->data + pos, ch->size - pos, &item);
            if (item.len)
                bl_sb_addf(out, "%s\"%s\"", shown++ ? ", " : "", bl_sb_str(&item));
            bl_sb_free(&item);
        }
        bl_sb_addc(out, ']');
    } else {
        bl_sb_addf(out, "%zu bytes of %s", ch->size, bl_reg_type_name(type));
    }
}

static bool list_has(const char *const *items, uint32_t n, const char *s)
{
    for (uint32_t i = 0; i < n; i++)
        if (bl_fold_eq(items[i], s))
            return true;
    return false;
}

/* FLG_ADDREG_APPEND on a multi-string: the items not yet there are added
 * at the end (compared as Windows compares names, ignoring case). */
static bool append_items(apply_ctx *c, const bl_inf_line *l, const char *key, const char *value,
                         bl_change *ch, bl_sb *what)
{
    bl_vec cur = apply_model_list(c->m, key, value);
    uint32_t n = bl_pool_vec_len(c->m->pool, cur);
    const uint32_t *it = bl_pool_vec_items(c->m->pool, cur);
    uint32_t cap = n + (l->nvalues > 4 ? l->nvalues - 4 : 0) + 1;
    const char **items = bl_xmalloc(cap * sizeof *items);
    uint32_t k = 0, added = 0;
    for (uint32_t i = 0; i < n; i++)
        items[k++] = bl_model_str(c->m, it[i]);
    for (uint32_t v = 4; v < l->nvalues; v++) {
        const char *s = l->values[v].text;
        if (!*s || list_has(items, k, s))
            continue;
        bl_sb_addf(what, "%s%s", added ? ", " : "", s);
        items[k++] = s;
        added++;
    }
    bool ok = added > 0 && k <= APPLY_MAX_LIST;
    if (k > APPLY_MAX_LIST)
        apply_fail(c, l->line_no, "%s would hold more than %u strings", value, APPLY_MAX_LIST);
    if (ok)
        apply_multi_change(ch, key, value, items, k);
    free(items);
    return ok;
}

/* FLG_DELREG_MULTI_SZ_DELSTRING: removes every item equal to s. */
static bool remove_item(apply_ctx *c, const char *key, const char *value, const char *s, bl_change *ch)
{
    bl_vec cur = apply_model_list(c->m, key, value);
    uint32_t n = bl_pool_vec_len(c->m->pool, cur);
    const uint32_t *it = bl_pool_vec_items(c->m->pool, cur);
    const char **items = bl_xmalloc((n ? n : 1) * sizeof *items);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (!bl_fold_eq(bl_model_str(c->m, it[i]), s))
            items[k++] = bl_model_str(c->m, it[i]);
    bool changed = k != n;
    if (changed && k)
        apply_multi_change(ch, key, value, items, k);
    else if (changed)
        bl_change_delete_value(ch, key, value);
    free(items);
    return changed;
}

static void del_entry(apply_ctx *c, const bl_inf_line *l, const bl_inf_origin *o, const char *key,
                      const char *name, uint32_t flags)
{
    bl_change ch;
    bl_sb what = {0}, label = {0};
    key_label(c->m, key, &label);
    if (!name) {
        if (bl_fold_has_prefix(key, "Services\\") && !strchr(key + strlen("Services\\"), '\\')) {
            memset(&ch, 0, sizeof ch);
            ch.key = bl_xstrdup(key);
            ch.delete_key = true;
            bl_sb_addf(&what, "deletes the key of %s", bl_sb_str(&label));
            apply_write(c, &ch, o, bl_sb_str(&what));
        } else {
            apply_diag(c, BL_APPLY_NOTE, l->line_no, "deleting the key %s is not modelled", key);
        }
    } else if ((flags & BL_FLG_DELREG_MULTI_SZ_DELSTRING) == BL_FLG_DELREG_MULTI_SZ_DELSTRING) {
        const char *s = bl_inf_value_at(l, 4);
        if (!s || !*s) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "FLG_DELREG_MULTI_SZ_DELSTRING without a string to delete");
        } else if (remove_item(c, key, name, s, &ch)) {
            bl_sb_addf(&what, "removes %s from %s %s", s, bl_sb_str(&label), name);
            apply_write(c, &ch, o, bl_sb_str(&what));
        } else {
            apply_diag(c, BL_APPLY_NOTE, l->line_no, "%s %s does not hold \"%s\": nothing to delete",
                       bl_sb_str(&label), name, s);
        }
    } else {
        bl_change_delete_value(&ch, key, name);
        bl_sb_addf(&what, "deletes %s %s", bl_sb_str(&label), *name ? name : "(default)");
        apply_write(c, &ch, o, bl_sb_str(&what));
    }
    bl_sb_free(&what);
    bl_sb_free(&label);
}

/* The data of an AddReg entry of the given type into ch; false (with a
 * diagnostic or failure) when there is none to write. */
static bool add_data(apply_ctx *c, const bl_inf_line *l, const char *key, const char *name, uint32_t type,
                     bool binary, bl_change *ch)
{
    if (!binary && type == BL_REG_MULTI_SZ) {
        uint32_t n = l->nvalues > 4 ? l->nvalues - 4 : 0;
        const char **items = bl_xmalloc((n ? n : 1) * sizeof *items);
        uint32_t k = 0;
        for (uint32_t v = 0; v < n; v++)
            if (*l->values[4 + v].text)
                items[k++] = l->values[4 + v].text;
        apply_multi_change(ch, key, name, items, k);
        free(items);
        return true;
    }
    if (!binary) {
        const char *s = bl_inf_value_at(l, 4);
        apply_string_change(ch, key, name, type, s ? s : "");
        return true;
    }
    if (type == BL_REG_DWORD && l->nvalues == 5) {
        uint32_t v;
        bl_error e;
        if (bl_inf_value_u32(c->inf, l, 4, &v, &e) != 0) {
            if (!c->failed) {
                c->failed = true;
                *c->err = e;
            }
            return false;
        }
        bl_change_set_dword(ch, key, name, v);
        return true;
    }
    if (l->nvalues <= 4 && type == BL_REG_DWORD) {
        apply_diag(c, BL_APPLY_WARNING, l->line_no, "REG_DWORD value %s has no data: entry ignored", name);
        return false;
    }
    /* Binary data (and old-style DWORDs written as bytes): one hex byte a field. */
    bl_sb data = {0};
    for (uint32_t v = 4; v < l->nvalues; v++) {
        uint8_t b;
        if (!hex_byte(l->values[v].text, &b)) {
            apply_fail(c, l->line_no, "field %u is \"%s\", not a hex byte", v + 1, l->values[v].text);
            bl_sb_free(&data);
            return false;
        }
        bl_sb_addc(&data, (char)b);
    }
    if (type == BL_REG_DWORD && data.len != 4) {
        apply_fail(c, l->line_no, "REG_DWORD value %s given as %zu bytes, not 4", name, data.len);
        bl_sb_free(&data);
        return false;
    }
    memset(ch, 0, sizeof *ch);
    ch->key = bl_xstrdup(key);
    ch->value = bl_xstrdup(name);
    ch->type = type;
    ch->size = data.len;
    ch->data = (uint8_t *)bl_sb_detach(&data);
    return true;
}

static void add_entry(apply_ctx *c, const bl_inf_line *l, const bl_inf_origin *o, const char *key,
                      const char *name, uint32_t flags)
{
    if (!name || (flags & BL_FLG_ADDREG_KEYONLY)) {
        apply_diag(c, BL_APPLY_NOTE, l->line_no, "creates the key %s only: nothing for the boot model", key);
        return;
    }
    if (flags & BL_FLG_ADDREG_DELVAL) {
        del_entry(c, l, o, key, name, 0);
        return;
    }
    uint32_t type;
    bool binary;
    if (!addreg_type(flags, &type, &binary)) {
        apply_fail(c, l->line_no, "flags 0x%08x select no registry type", flags);
        return;
    }
    bool exists = value_exists(c, key, name);
    bl_sb label = {0}, what = {0};
    key_label(c->m, key, &label);
    const char *shown = *name ? name : "(default)";
    if ((flags & BL_FLG_ADDREG_NOCLOBBER) && exists) {
        apply_diag(c, BL_APPLY_NOTE, l->line_no, "%s %s exists: kept (FLG_ADDREG_NOCLOBBER)", bl_sb_str(&label),
                   shown);
    } else if ((flags & BL_FLG_ADDREG_OVERWRITEONLY) && !exists) {
        apply_diag(c, BL_APPLY_NOTE, l->line_no, "%s %s does not exist: not created (FLG_ADDREG_OVERWRITEONLY)",
                   bl_sb_str(&label), shown);
    } else if ((flags & BL_FLG_ADDREG_APPEND) && !binary && type == BL_REG_MULTI_SZ) {
        bl_change ch;
        bl_sb items = {0};
        if (append_items(c, l, key, name, &ch, &items)) {
            bl_sb_addf(&what, "appends %s to %s %s", bl_sb_str(&items), bl_sb_str(&label), shown);
            apply_write(c, &ch, o, bl_sb_str(&what));
        } else if (!c->failed) {
            apply_diag(c, BL_APPLY_NOTE, l->line_no, "%s %s already holds what this entry appends",
                       bl_sb_str(&label), shown);
        }
        bl_sb_free(&items);
    } else {
        if (flags & BL_FLG_ADDREG_APPEND)
            apply_diag(c, BL_APPLY_WARNING, l->line_no,
                       "FLG_ADDREG_APPEND applies to REG_MULTI_SZ values only: the value is replaced");
        bl_change ch;
        if (add_data(c, l, key, name, type, binary, &ch)) {
            bl_sb_addf(&what, "sets %s %s = ", bl_sb_str(&label), shown);
            data_text(type, &ch, &what);
            apply_write(c, &ch, o, bl_sb_str(&what));
        }
    }
    bl_sb_free(&label);
    bl_sb_free(&what);
}

void apply_reg_section(apply_ctx *c, const bl_inf_section *s, const bl_inf_line *via, const hkr *h, bool del)
{
    uint32_t software = 0;
    bl_sb key = {0};
    for (uint32_t i = 0; i < s->nlines && !c->failed; i++) {
        const bl_inf_line *l = &s->lines[i];
        /* Entries are positional: a key=value line here is a mistake. */
        if (l->key) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "\"%s =\" in [%s], a %s section: entry ignored", l->key,
                       s->name, del ? "delete-registry" : "add-registry");
            continue;
        }
        const char *root = bl_inf_value_at(l, 0);
        if (!root || !*root) {
            apply_diag(c, BL_APPLY_WARNING, l->line_no, "entry has no registry root: ignored");
            continue;
        }
        const char *subkey = bl_inf_value_at(l, 1);
        const char *name = bl_inf_value_at(l, 2);
        uint32_t flags = 0;
        const char *ftext = bl_inf_value_at(l, 3);
        if (ftext && *ftext) {
            bl_error e;
            if (bl_inf_value_u32(c->inf, l, 3, &flags, &e) != 0) {
                c->failed = true;
                *c->err = e;
                break;
            }
        }
        bool sw = false;
        bl_sb_reset(&key);
        if (!resolve_key(c, l, h, root, subkey ? subkey : "", &key, &sw)) {
            if (sw) {
                software++;
                if (name && (bl_fold_eq(name, "UpperFilters") || bl_fold_eq(name, "LowerFilters")))
                    apply_diag(c, BL_APPLY_WARNING, l->line_no,
                               "%s in the device's software key has no effect: device filters belong in "
                               "the DDInstall.HW section (or the class key for class filters)",
                               name);
            }
            continue;
        }
        bl_inf_origin o = {bl_inf_name(c->inf), l->line_no, del ? "DelReg" : "AddReg", via ? via->line_no : 0};
        if (del)
            del_entry(c, l, &o, bl_sb_str(&key), name, flags);
        else
            add_entry(c, l, &o, bl_sb_str(&key), name, flags);
    }
    if (software)
        apply_diag(c, BL_APPLY_NOTE, s->line_no,
                   "%u entr%s of [%s] write%s the device's software key (Control\\Class\\{guid}\\NNNN): not "
                   "part of the boot model",
                   software, software == 1 ? "y" : "ies", s->name, software == 1 ? "s" : "");
    bl_sb_free(&key);
}

/* model.c — the boot-configuration model: life cycle, lookups, and the value
 * setters that interpret a raw registry value (type + bytes) for a service,
 * class, device or control key.  The hive loader, the INF applier and the fix
 * simulator all go through these setters, so a value means the same thing
 * whatever its source. */
#include "bootlens/model.h"

#include "bootlens/hive.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bl_model *bl_model_new(bl_pool *pool)
{
    bl_model *m = bl_xcalloc(1, sizeof *m);
    m->pool = pool ? bl_pool_ref(pool) : bl_pool_new();
    return m;
}

#define CLONE_ARRAY(dst, src, field, count, cap)                                                  \
    do {                                                                                          \
        (dst)->cap = (src)->count;                                                                \
        (dst)->field = NULL;                                                                      \
        if ((src)->count) {                                                                       \
            (dst)->field = bl_xmalloc((size_t)(src)->count * sizeof *(src)->field);               \
            memcpy((dst)->field, (src)->field, (size_t)(src)->count * sizeof *(src)->field);      \
        }                                                                                         \
    } while (0)

bl_model *bl_model_clone(const bl_model *src)
{
    bl_model *m = bl_xmalloc(sizeof *m);
    *m = *src;
    m->pool = bl_pool_ref(src->pool);
    CLONE_ARRAY(m, src, group_tags, ngroup_tags, capgroup_tags);
    CLONE_ARRAY(m, src, services, nservices, capservices);
    CLONE_ARRAY(m, src, instances, ninstances, capinstances);
    CLONE_ARRAY(m, src, classes, nclasses, capclasses);
    CLONE_ARRAY(m, src, devices, ndevices, capdevices);
    CLONE_ARRAY(m, src, anomalies, nanomalies, capanomalies);
    bl_map_copy(&m->service_index, &src->service_index);
    bl_map_copy(&m->class_index, &src->class_index);
    bl_map_copy(&m->device_index, &src->device_index);
    bl_map_copy(&m->group_rank_index, &src->group_rank_index);
    bl_map_copy(&m->group_tags_index, &src->group_tags_index);
    return m;
}

void bl_model_free(bl_model *m)
{
    if (!m)
        return;
    free(m->group_tags);
    free(m->services);
    free(m->instances);
    free(m->classes);
    free(m->devices);
    free(m->anomalies);
    bl_map_free(&m->service_index);
    bl_map_free(&m->class_index);
    bl_map_free(&m->device_index);
    bl_map_free(&m->group_rank_index);
    bl_map_free(&m->group_tags_index);
    bl_pool_unref(m->pool);
    free(m);
}

bl_str bl_model_intern(bl_model *m, const char *s)
{
    return bl_pool_str(m->pool, s);
}

bl_vec bl_model_strvec(bl_model *m, const char *const *items, uint32_t n)
{
    uint32_t *ids = bl_xmalloc((n ? n : 1) * sizeof *ids);
    for (uint32_t i = 0; i < n; i++)
        ids[i] = bl_pool_str(m->pool, items[i]);
    bl_vec v = bl_pool_vec(m->pool, ids, n);
    free(ids);
    return v;
}

void bl_model_add_anomaly(bl_model *m, const char *path, const char *fmt, ...)
{
    bl_sb sb = {0};
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&sb, fmt, ap);
    va_end(ap);
    /* Bounded: a hostile hive could otherwise make every value an anomaly. */
    if (m->nanomalies < 10000) {
        bl_grow((void **)&m->anomalies, sizeof *m->anomalies, &m->capanomalies, m->nanomalies + 1);
        m->anomalies[m->nanomalies].path = bl_pool_str(m->pool, path);
        m->anomalies[m->nanomalies].what = bl_pool_str(m->pool, bl_sb_str(&sb));
        m->nanomalies++;
    }
    bl_sb_free(&sb);
}

/* ---- lookups ---- */

static uint32_t find_in(const bl_model *m, const bl_map *index, const char *name)
{
    bl_str f = bl_pool_find_folded(m->pool, name);
    uint32_t v;
    return (f && bl_map_get(index, f, &v)) ? v : BL_NONE;
}

uint32_t bl_model_find_service(const bl_model *m, const char *name)
{
    return find_in(m, &m->service_index, name);
}

uint32_t bl_model_find_service_id(const bl_model *m, bl_str name)
{
    uint32_t v;
    bl_str f = bl_pool_fold(m->pool, name);
    return (f && bl_map_get(&m->service_index, f, &v)) ? v : BL_NONE;
}

uint32_t bl_model_find_class(const bl_model *m, const char *guid)
{
    return find_in(m, &m->class_index, guid);
}

uint32_t bl_model_find_class_id(const bl_model *m, bl_str guid)
{
    uint32_t v;
    bl_str f = bl_pool_fold(m->pool, guid);
    return (f && bl_map_get(&m->class_index, f, &v)) ? v : BL_NONE;
}

uint32_t bl_model_find_device(const bl_model *m, const char *instance_id)
{
    return find_in(m, &m->device_index, instance_id);
}

uint32_t bl_model_group_rank(const bl_model *m, bl_str group)
{
    uint32_t v;
    bl_str f = group ? bl_pool_fold(m->pool, group) : 0;
    return f && bl_map_get(&m->group_rank_index, f, &v) ? v - 1 : BL_NONE;
}

const bl_group_tags *bl_model_group_tags(const bl_model *m, bl_str group)
{
    uint32_t v;
    bl_str f = group ? bl_pool_fold(m->pool, group) : 0;
    return f && bl_map_get(&m->group_tags_index, f, &v) ? &m->group_tags[v] : NULL;
}

/* Rebuilds group_rank_index from group_order (a group listed twice ranks at
 * its first place, as the loader reads the list). */
static void index_group_order(bl_model *m)
{
    bl_map_free(&m->group_rank_index);
    uint32_t n = bl_pool_vec_len(m->pool, m->group_order);
    const uint32_t *items = bl_pool_vec_items(m->pool, m->group_order);
    for (uint32_t i = 0; i < n; i++) {
        bl_str f = bl_pool_fold(m->pool, items[i]);
        if (f && !bl_map_get(&m->group_rank_index, f, NULL))
            bl_map_put(&m->group_rank_index, f, i + 1);
    }
}

bool bl_service_is_driver(const bl_service *s)
{
    /* A missing Type on a service with a driver-like start is most likely a
     * driver; Win32 services never load before the SCM anyway. */
    if (!s->has_type)
        return true;
    return (s->type & BL_TYPE_DRIVER_MASK) != 0 && (s->type & 0x30) == 0;
}

/* ---- adders ---- */

uint32_t bl_model_add_service(bl_model *m, const char *name)
{
    bl_str id = bl_pool_str(m->pool, name);
    bl_str key = bl_pool_fold(m->pool, id);
    uint32_t idx;
    if (bl_map_get(&m->service_index, key, &idx))
        return idx;
    bl_grow((void **)&m->services, sizeof *m->services, &m->capservices, m->nservices + 1);
    idx = m->nservices++;
    bl_service *s = &m->services[idx];
    memset(s, 0, sizeof *s);
    s->name = id;
    s->key = key;
    s->start = s->start_value = BL_START_UNKNOWN;
    bl_map_put(&m->service_index, key, idx);
    return idx;
}

void bl_model_remove_service(bl_model *m, uint32_t svc)
{
    if (svc >= m->nservices)
        return;
    memmove(&m->services[svc], &m->services[svc + 1],
            (size_t)(m->nservices - svc - 1) * sizeof *m->services);
    m->nservices--;
    bl_map_free(&m->service_index);
    for (uint32_t i = 0; i < m->nservices; i++)
        bl_map_put(&m->service_index, m->services[i].key, i);
}

static bl_str fold_guid(bl_model *m, const char *guid)
{
    /* Accept GUIDs with or without braces; store the braced, folded form. */
    bl_sb sb = {0};
    while (*guid == ' ')
        guid++;
    if (*guid != '{')
        bl_sb_addc(&sb, '{');
    bl_sb_add(&sb, guid);
    while (sb.len && sb.buf[sb.len - 1] == ' ')
        sb.buf[--sb.len] = '\0';
    if (sb.len && sb.buf[sb.len - 1] != '}')
        bl_sb_addc(&sb, '}');
    bl_str id = bl_pool_fold(m->pool, bl_pool_str(m->pool, bl_sb_str(&sb)));
    bl_sb_free(&sb);
    return id;
}

uint32_t bl_model_add_class(bl_model *m, const char *guid)
{
    bl_str key = fold_guid(m, guid);
    uint32_t idx;
    if (bl_map_get(&m->class_index, key, &idx))
        return idx;
    bl_grow((void **)&m->classes, sizeof *m->classes, &m->capclasses, m->nclasses + 1);
    idx = m->nclasses++;
    bl_class *c = &m->classes[idx];
    memset(c, 0, sizeof *c);
    c->guid = bl_pool_str(m->pool, guid);
    c->key = key;
    bl_map_put(&m->class_index, key, idx);
    return idx;
}

uint32_t bl_model_add_device(bl_model *m, const char *instance_id)
{
    bl_str id = bl_pool_str(m->pool, instance_id);
    bl_str key = bl_pool_fold(m->pool, id);
    uint32_t idx;
    if (bl_map_get(&m->device_index, key, &idx))
        return idx;
    bl_grow((void **)&m->devices, sizeof *m->devices, &m->capdevices, m->ndevices + 1);
    idx = m->ndevices++;
    bl_device *d = &m->devices[idx];
    memset(d, 0, sizeof *d);
    d->instance_id = id;
    d->key = key;
    d->parent = BL_NONE;
    bl_map_put(&m->device_index, key, idx);
    return idx;
}

/* ---- value interpretation ---- */

/* Value names compare case-insensitively; checking the length first keeps
 * the dispatch cheap for the many values bootlens does not use. */
static bool name_is(const char *name, size_t len, const char *lit, size_t litlen)
{
    return len == litlen && bl_fold_eq(name, lit);
}
#define NAME_IS(lit) name_is(name, name_len, lit, sizeof(lit) - 1)

/* A value being interpreted.  The key path (below the control set) is only
 * spelled out when an anomaly is recorded: prefix + name + suffix. */
typedef struct value_ctx {
    bl_model *m;
    const char *prefix;
    const char *name;
    const char *suffix;
    const char *value_name;
    bl_value v;
} value_ctx;

BL_PRINTF(2, 3) static void ctx_anomaly(const value_ctx *c, const char *fmt, ...)
{
    bl_sb path = {0}, what = {0};
    bl_sb_add(&path, c->prefix);
    bl_sb_add(&path, c->name ? c->name : "");
    bl_sb_add(&path, c->suffix ? c->suffix : "");
    va_list ap;
    va_start(ap, fmt);
    bl_sb_vaddf(&what, fmt, ap);
    va_end(ap);
    bl_model_add_anomaly(c->m, bl_sb_str(&path), "%s", bl_sb_str(&what));
    bl_sb_free(&path);
    bl_sb_free(&what);
}

static const char *type_expect_name(uint32_t t)
{
    return bl_reg_type_name(t);
}

static bool get_dword(value_ctx *c, uint32_t *out)
{
    bool coerced = false;
    if (!bl_value_dword(&c->v, out, &coerced)) {
        ctx_anomaly(c, "%s is %s and cannot be read as a number: ignored",
                             c->value_name, type_expect_name(c->v.type));
        return false;
    }
    if (coerced)
        ctx_anomaly(c, "%s is %s where REG_DWORD is expected (read as %u)",
                             c->value_name, type_expect_name(c->v.type), *out);
    return true;
}

static bool get_string(value_ctx *c, bl_str *out)
{
    bl_sb sb = {0};
    bool coerced = false;
    if (!bl_value_string(&c->v, &sb, &coerced)) {
        ctx_anomaly(c, "%s is %s and cannot be read as a string: ignored",
                             c->value_name, type_expect_name(c->v.type));
        bl_sb_free(&sb);
        return false;
    }
    if (coerced)
        ctx_anomaly(c, "%s is %s where a string is expected", c->value_name,
                             type_expect_name(c->v.type));
    *out = sb.len ? bl_pool_strn(c->m->pool, sb.buf, sb.len) : 0;
    bl_sb_free(&sb);
    return true;
}

typedef struct multi_acc {
    bl_pool *pool;
    uint32_t *ids;
    uint32_t n, cap;
} multi_acc;

static void multi_push(void *ctx, const char *s, size_t n)
{
    multi_acc *a = ctx;
    /* Windows keeps leading/trailing blanks, but a list entry of only
     * blanks names nothing. */
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == n)
        return;
    bl_grow((void **)&a->ids, sizeof *a->ids, &a->cap, a->n + 1);
    a->ids[a->n++] = bl_pool_strn(a->pool, s, n);
}

static bool get_multi(value_ctx *c, bl_vec *out)
{
    multi_acc a = {c->m->pool, NULL, 0, 0};
    bool coerced = false;
    int n = bl_value_multi(&c->v, multi_push, &a, &coerced);
    if (n < 0) {
        ctx_anomaly(c, "%s is %s and cannot be read as a string list: ignored",
                             c->value_name, type_expect_name(c->v.type));
        free(a.ids);
        return false;
    }
    if (coerced)
        ctx_anomaly(c, "%s is %s where REG_MULTI_SZ is expected",
                             c->value_name, type_expect_name(c->v.type));
    *out = bl_pool_vec(c->m->pool, a.ids, a.n);
    free(a.ids);
    return true;
}

static void ctx_init(value_ctx *c, bl_model *m, const char *prefix, const char *name, const char *suffix,
                     const char *value_name, uint32_t type, const uint8_t *data, size_t size)
{
    c->m = m;
    c->prefix = prefix;
    c->name = name;
    c->suffix = suffix;
    c->value_name = value_name;
    c->v.name = value_name;
    c->v.type = type;
    c->v.data = data;
    c->v.size = size;
}

/* The start type Windows uses: StartOverride wins over Start. */
static void service_effective_start(bl_service *s)
{
    if (s->has_start_override && s->start_override <= BL_START_DISABLED)
        s->start = (int32_t)s->start_override;
    else
        s->start = s->start_value;
}

void bl_model_set_start_override(bl_model *m, uint32_t svc, const char *name, uint32_t type,
                                 const uint8_t *data, size_t size)
{
    if (svc >= m->nservices)
        return;
    /* Only the value named after the current hardware configuration counts. */
    char id[16];
    snprintf(id, sizeof id, "%u", m->hardware_config_id);
    if (strcmp(name, id) != 0)
        return;
    value_ctx c;
    ctx_init(&c, m, "Services\\", bl_model_str(m, m->services[svc].name), "\\StartOverride", name, type,
             data, size);
    uint32_t d;
    if (get_dword(&c, &d)) {
        bl_service *s = &m->services[svc];
        s->has_start_override = true;
        s->start_override = d;
        service_effective_start(s);
    }
}

bool bl_model_set_service_value(bl_model *m, uint32_t svc, const char *name, uint32_t type,
                                const uint8_t *data, size_t size)
{
    size_t name_len = strlen(name);
    if (svc >= m->nservices)
        return false;
    value_ctx c;
    ctx_init(&c, m, "Services\\", bl_model_str(m, m->services[svc].name), NULL, name, type, data, size);
    bl_service *s = &m->services[svc];
    bool ok = true;
    uint32_t d;
    bl_str str;
    bl_vec vec;
    if (NAME_IS("Type")) {
        if ((ok = get_dword(&c, &d)))
            s->type = d, s->has_type = true;
    } else if (NAME_IS("Start")) {
        if ((ok = get_dword(&c, &d))) {
            if (d > BL_START_DISABLED) {
                ctx_anomaly(&c, "Start is %u, not a start type (0-4): treated as unknown", d);
                s->start_value = BL_START_UNKNOWN;
            } else {
                s->start_value = (int32_t)d;
            }
            service_effective_start(s);
        }
    } else if (NAME_IS("ErrorControl")) {
        if ((ok = get_dword(&c, &d)))
            s->error_control = d, s->has_error_control = true;
    } else if (NAME_IS("Group")) {
        if ((ok = get_string(&c, &str)))
            s->group = str;
    } else if (NAME_IS("Tag")) {
        if ((ok = get_dword(&c, &d)))
            s->tag = d, s->has_tag = true;
    } else if (NAME_IS("ImagePath")) {
        if ((ok = get_string(&c, &str)))
            s->image_path = str;
    } else if (NAME_IS("DisplayName")) {
        if ((ok = get_string(&c, &str)))
            s->display_name = str;
    } else if (NAME_IS("DependOnService")) {
        if ((ok = get_multi(&c, &vec)))
            s->depend_on_service = vec, s->has_depend_on_service = true;
    } else if (NAME_IS("DependOnGroup")) {
        if ((ok = get_multi(&c, &vec)))
            s->depend_on_group = vec, s->has_depend_on_group = true;
    } else if (NAME_IS("Owners")) {
        if ((ok = get_multi(&c, &vec)))
            s->owners = vec;
    } else if (NAME_IS("BootFlags")) {
        if ((ok = get_dword(&c, &d)))
            s->boot_flags = d, s->has_boot_flags = true;
    } else if (NAME_IS("DelayedAutostart")) {
        if ((ok = get_dword(&c, &d)))
            s->delayed_autostart = d != 0;
    } else {
        ok = false;
    }
    return ok;
}

void bl_model_delete_service_value(bl_model *m, uint32_t svc, const char *name)
{
    if (svc >= m->nservices)
        return;
    bl_service *s = &m->services[svc];
    if (bl_fold_eq(name, "Type"))
        s->has_type = false, s->type = 0;
    else if (bl_fold_eq(name, "Start")) {
        s->start_value = BL_START_UNKNOWN;
        service_effective_start(s);
    }
    else if (bl_fold_eq(name, "ErrorControl"))
        s->has_error_control = false;
    else if (bl_fold_eq(name, "Group"))
        s->group = 0;
    else if (bl_fold_eq(name, "Tag"))
        s->has_tag = false, s->tag = 0;
    else if (bl_fold_eq(name, "ImagePath"))
        s->image_path = 0;
    else if (bl_fold_eq(name, "DisplayName"))
        s->display_name = 0;
    else if (bl_fold_eq(name, "DependOnService"))
        s->depend_on_service = 0, s->has_depend_on_service = false;
    else if (bl_fold_eq(name, "DependOnGroup"))
        s->depend_on_group = 0, s->has_depend_on_group = false;
    else if (bl_fold_eq(name, "Owners"))
        s->owners = 0;
    else if (bl_fold_eq(name, "BootFlags"))
        s->has_boot_flags = false, s->boot_flags = 0;
    else if (bl_fold_eq(name, "DelayedAutostart"))
        s->delayed_autostart = false;
}

/* Returns the index of instance `inst` of service svc, creating it; keeps
 * each service's instances contiguous by moving its range to the end when it
 * must grow. */
static uint32_t service_instance(bl_model *m, uint32_t svc, const char *inst)
{
    bl_service *s = &m->services[svc];
    bl_str f = bl_pool_fold(m->pool, bl_pool_str(m->pool, inst));
    for (uint32_t i = 0; i < s->inst_count; i++)
        if (bl_pool_fold(m->pool, m->instances[s->inst_first + i].name) == f)
            return s->inst_first + i;
    if (s->inst_count && s->inst_first + s->inst_count != m->ninstances) {
        uint32_t first = m->ninstances;
        bl_grow((void **)&m->instances, sizeof *m->instances, &m->capinstances,
                m->ninstances + s->inst_count + 1);
        memmove(&m->instances[first], &m->instances[s->inst_first],
                (size_t)s->inst_count * sizeof *m->instances);
        s->inst_first = first;
        m->ninstances += s->inst_count;
    }
    bl_grow((void **)&m->instances, sizeof *m->instances, &m->capinstances, m->ninstances + 1);
    if (!s->inst_count)
        s->inst_first = m->ninstances;
    uint32_t idx = m->ninstances++;
    memset(&m->instances[idx], 0, sizeof m->instances[idx]);
    m->instances[idx].name = bl_pool_str(m->pool, inst);
    s->inst_count++;
    return idx;
}

void bl_model_set_instances_value(bl_model *m, uint32_t svc, uint8_t layout, const char *name,
                                  uint32_t type, const uint8_t *data, size_t size)
{
    if (svc >= m->nservices)
        return;
    bl_service *s = &m->services[svc];
    /* The Parameters\Instances layout (newer Windows) wins when both exist. */
    if (s->instances_layout != BL_INST_PARAMETERS)
        s->instances_layout = layout;
    if (!bl_fold_eq(name, "DefaultInstance"))
        return;
    value_ctx c;
    ctx_init(&c, m, "Services\\", bl_model_str(m, s->name),
             layout == BL_INST_PARAMETERS ? "\\Parameters\\Instances" : "\\Instances", name, type, data,
             size);
    bl_str str;
    if (get_string(&c, &str))
        m->services[svc].default_instance = str;
}

void bl_model_set_instance_value(bl_model *m, uint32_t svc, uint8_t layout, const char *inst,
                                 const char *name, uint32_t type, const uint8_t *data,
                                 size_t size)
{
    if (svc >= m->nservices)
        return;
    if (m->services[svc].instances_layout != BL_INST_PARAMETERS)
        m->services[svc].instances_layout = layout;
    uint32_t idx = service_instance(m, svc, inst);
    bl_sb suffix = {0};
    bl_sb_add(&suffix, layout == BL_INST_PARAMETERS ? "\\Parameters\\Instances\\" : "\\Instances\\");
    bl_sb_add(&suffix, inst);
    value_ctx c;
    ctx_init(&c, m, "Services\\", bl_model_str(m, m->services[svc].name), bl_sb_str(&suffix), name, type, data,
             size);
    bl_str str;
    uint32_t d;
    if (bl_fold_eq(name, "Altitude")) {
        if (get_string(&c, &str))
            m->instances[idx].altitude = str;
    } else if (bl_fold_eq(name, "Flags")) {
        if (get_dword(&c, &d))
            m->instances[idx].flags = d, m->instances[idx].has_flags = true;
    }
    bl_sb_free(&suffix);
}

bool bl_model_set_class_value(bl_model *m, uint32_t cls, const char *name, uint32_t type,
                              const uint8_t *data, size_t size)
{
    size_t name_len = strlen(name);
    if (cls >= m->nclasses)
        return false;
    value_ctx c;
    ctx_init(&c, m, "Control\\Class\\", bl_model_str(m, m->classes[cls].guid), NULL, name, type, data, size);
    bl_class *k = &m->classes[cls];
    bool ok = true;
    bl_str str;
    bl_vec vec;
    if (NAME_IS("Class")) {
        if ((ok = get_string(&c, &str)))
            k->name = str;
    } else if (NAME_IS("UpperFilters")) {
        if ((ok = get_multi(&c, &vec)))
            k->upper = vec, k->has_upper = true;
    } else if (NAME_IS("LowerFilters")) {
        if ((ok = get_multi(&c, &vec)))
            k->lower = vec, k->has_lower = true;
    } else {
        ok = false;
    }
    return ok;
}

void bl_model_delete_class_value(bl_model *m, uint32_t cls, const char *name)
{
    if (cls >= m->nclasses)
        return;
    bl_class *k = &m->classes[cls];
    if (bl_fold_eq(name, "UpperFilters"))
        k->upper = 0, k->has_upper = false;
    else if (bl_fold_eq(name, "LowerFilters"))
        k->lower = 0, k->has_lower = false;
    else if (bl_fold_eq(name, "Class"))
        k->name = 0;
}

/* "@machine.inf,%desc%;PCI standard host CPU bridge" -> the text after ';'. */
static bl_str readable_description(bl_model *m, bl_str s)
{
    const char *t = bl_model_str(m, s);
    if (t[0] != '@')
        return s;
    const char *semi = strrchr(t, ';');
    return semi && semi[1] ? bl_pool_str(m->pool, semi + 1) : s;
}

bool bl_model_set_device_value(bl_model *m, uint32_t dev, const char *name, uint32_t type,
                               const uint8_t *data, size_t size)
{
    size_t name_len = strlen(name);
    if (dev >= m->ndevices)
        return false;
    value_ctx c;
    ctx_init(&c, m, "Enum\\", bl_model_str(m, m->devices[dev].instance_id), NULL, name, type, data, size);
    bl_device *d = &m->devices[dev];
    bool ok = true;
    bl_str str;
    bl_vec vec;
    uint32_t u;
    if (NAME_IS("ClassGUID")) {
        if ((ok = get_string(&c, &str)))
            d->class_guid = str ? fold_guid(m, bl_model_str(m, str)) : 0;
    } else if (NAME_IS("Service")) {
        if ((ok = get_string(&c, &str)))
            d->service = str;
    } else if (NAME_IS("UpperFilters")) {
        if ((ok = get_multi(&c, &vec)))
            d->upper = vec;
    } else if (NAME_IS("LowerFilters")) {
        if ((ok = get_multi(&c, &vec)))
            d->lower = vec;
    } else if (NAME_IS("HardwareID")) {
        if ((ok = get_multi(&c, &vec)))
            d->hardware_ids = vec;
    } else if (NAME_IS("CompatibleIDs")) {
        if ((ok = get_multi(&c, &vec)))
            d->compatible_ids = vec;
    } else if (NAME_IS("ConfigFlags")) {
        if ((ok = get_dword(&c, &u)))
            d->config_flags = u, d->has_config_flags = true;
    } else if (NAME_IS("ParentIdPrefix")) {
        if ((ok = get_string(&c, &str)))
            d->parent_id_prefix = str;
    } else if (NAME_IS("Driver")) {
        if ((ok = get_string(&c, &str)))
            d->driver = str;
    } else if (NAME_IS("FriendlyName")) {
        if ((ok = get_string(&c, &str)) && str)
            d->description = readable_description(m, str);
    } else if (NAME_IS("DeviceDesc")) {
        /* FriendlyName, when present, is the better name. */
        if ((ok = get_string(&c, &str)) && str && !d->description)
            d->description = readable_description(m, str);
    } else {
        ok = false;
    }
    return ok;
}

void bl_model_delete_device_value(bl_model *m, uint32_t dev, const char *name)
{
    if (dev >= m->ndevices)
        return;
    bl_device *d = &m->devices[dev];
    if (bl_fold_eq(name, "UpperFilters"))
        d->upper = 0;
    else if (bl_fold_eq(name, "LowerFilters"))
        d->lower = 0;
    else if (bl_fold_eq(name, "Service"))
        d->service = 0;
    else if (bl_fold_eq(name, "ClassGUID"))
        d->class_guid = 0;
}

void bl_model_set_group_order(bl_model *m, uint32_t type, const uint8_t *data, size_t size)
{
    value_ctx c;
    ctx_init(&c, m, "Control\\ServiceGroupOrder", NULL, NULL, "List", type, data, size);
    bl_vec vec;
    if (get_multi(&c, &vec)) {
        m->group_order = vec;
        m->has_group_order = true;
        index_group_order(m);
    }
}

void bl_model_set_group_tags(bl_model *m, const char *group, uint32_t type, const uint8_t *data,
                             size_t size)
{
    bl_sb path = {0};
    bl_sb_add(&path, "Control\\GroupOrderList");
    if (type != BL_REG_BINARY && type != BL_REG_NONE)
        bl_model_add_anomaly(m, bl_sb_str(&path), "%s is %s where REG_BINARY is expected", group,
                             bl_reg_type_name(type));
    if (size < 4) {
        bl_model_add_anomaly(m, bl_sb_str(&path), "%s is %zu bytes, too short for a tag count: ignored",
                             group, size);
        bl_sb_free(&path);
        return;
    }
    uint32_t count = (uint32_t)data[0] | ((uint32_t)data[1] << 8) | ((uint32_t)data[2] << 16) |
                     ((uint32_t)data[3] << 24);
    size_t avail = (size - 4) / 4;
    if (count > avail) {
        bl_model_add_anomaly(m, bl_sb_str(&path),
                             "%s announces %u tags but holds %zu: only those present are used",
                             group, count, avail);
        count = (uint32_t)avail;
    }
    uint32_t *tags = bl_xmalloc((count ? count : 1) * sizeof *tags);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *p = data + 4 + 4 * (size_t)i;
        tags[i] = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                  ((uint32_t)p[3] << 24);
    }
    bl_str gid = bl_pool_str(m->pool, group);
    bl_vec v = bl_pool_vec(m->pool, tags, count);
    free(tags);
    bl_sb_free(&path);
    bl_str f = bl_pool_fold(m->pool, gid);
    uint32_t at;
    if (f && bl_map_get(&m->group_tags_index, f, &at)) {
        m->group_tags[at].tags = v;
        return;
    }
    if (f)
        bl_map_put(&m->group_tags_index, f, m->ngroup_tags);
    bl_grow((void **)&m->group_tags, sizeof *m->group_tags, &m->capgroup_tags, m->ngroup_tags + 1);
    m->group_tags[m->ngroup_tags].group = gid;
    m->group_tags[m->ngroup_tags].tags = v;
    m->ngroup_tags++;
}

void bl_model_set_control_value(bl_model *m, const char *name, uint32_t type, const uint8_t *data,
                                size_t size)
{
    if (!bl_fold_eq(name, "BootDriverFlags"))
        return;
    value_ctx c;
    ctx_init(&c, m, "Control", NULL, NULL, name, type, data, size);
    uint32_t d;
    if (get_dword(&c, &d))
        m->boot_driver_flags = d, m->has_boot_driver_flags = true;
}

/* ---- path routing ---- */

#define MAX_PARTS 8

/* Splits a registry path into at most MAX_PARTS components, after removing
 * a hive/control-set prefix.  Returns the number of components. */
static int split_path(const char *path, char *buf, size_t bufsize, char **parts)
{
    snprintf(buf, bufsize, "%s", path);
    char *p = buf;
    static const char *const prefixes[] = {"HKEY_LOCAL_MACHINE\\", "HKLM\\", "SYSTEM\\"};
    for (size_t i = 0; i < BL_ARRAY_LEN(prefixes); i++)
        if (bl_fold_has_prefix(p, prefixes[i]))
            p += strlen(prefixes[i]);
    if (bl_fold_has_prefix(p, "CurrentControlSet\\"))
        p += strlen("CurrentControlSet\\");
    else if (bl_fold_has_prefix(p, "ControlSet") && strchr(p, '\\'))
        p = strchr(p, '\\') + 1;
    int n = 0;
    while (*p && n < MAX_PARTS) {
        while (*p == '\\')
            p++;
        if (!*p)
            break;
        parts[n++] = p;
        char *sep = strchr(p, '\\');
        if (!sep)
            break;
        *sep = '\0';
        p = sep + 1;
    }
    return n;
}

typedef enum { ROUTE_NONE, ROUTE_SET, ROUTE_DELETE } route_op;

static bool route(bl_model *m, const char *path, const char *name, route_op op, uint32_t type,
                  const uint8_t *data, size_t size)
{
    char buf[2048];
    char *parts[MAX_PARTS];
    int n = split_path(path, buf, sizeof buf, parts);
    if (n >= 2 && bl_fold_eq(parts[0], "Services")) {
        uint32_t svc = bl_model_find_service(m, parts[1]);
        if (svc == BL_NONE) {
            if (op == ROUTE_DELETE)
                return false;
            svc = bl_model_add_service(m, parts[1]);
            m->services[svc].synthetic = true;
        }
        uint8_t layout = BL_INST_NONE;
        int rest = 2;
        if (n >= 3 && bl_fold_eq(parts[2], "Instances"))
            layout = BL_INST_SERVICE_KEY, rest = 3;
        else if (n >= 4 && bl_fold_eq(parts[2], "Parameters") && bl_fold_eq(parts[3], "Instances"))
            layout = BL_INST_PARAMETERS, rest = 4;
        if (n == 2) {
            if (op == ROUTE_DELETE) {
                bl_model_delete_service_value(m, svc, name);
                return true;
            }
            return bl_model_set_service_value(m, svc, name, type, data, size);
        }
        if (n == 3 && bl_fold_eq(parts[2], "StartOverride") && op == ROUTE_SET) {
            bl_model_set_start_override(m, svc, name, type, data, size);
            return true;
        }
        if (layout && n == rest && op == ROUTE_SET) {
            bl_model_set_instances_value(m, svc, layout, name, type, data, size);
            return true;
        }
        if (layout && n == rest + 1 && op == ROUTE_SET) {
            bl_model_set_instance_value(m, svc, layout, parts[rest], name, type, data, size);
            return true;
        }
        return false;
    }
    if (n >= 1 && bl_fold_eq(parts[0], "Control")) {
        if (n == 1 && op == ROUTE_SET) {
            bl_model_set_control_value(m, name, type, data, size);
            return true;
        }
        if (n == 2 && bl_fold_eq(parts[1], "ServiceGroupOrder") && bl_fold_eq(name, "List")) {
            if (op == ROUTE_SET) {
                bl_model_set_group_order(m, type, data, size);
            } else {
                m->group_order = 0, m->has_group_order = false;
                index_group_order(m);
            }
            return true;
        }
        if (n == 2 && bl_fold_eq(parts[1], "GroupOrderList") && op == ROUTE_SET) {
            bl_model_set_group_tags(m, name, type, data, size);
            return true;
        }
        if (n == 3 && bl_fold_eq(parts[1], "Class")) {
            uint32_t cls = bl_model_find_class(m, parts[2]);
            if (cls == BL_NONE) {
                if (op == ROUTE_DELETE)
                    return false;
                cls = bl_model_add_class(m, parts[2]);
            }
            if (op == ROUTE_DELETE) {
                bl_model_delete_class_value(m, cls, name);
                return true;
            }
            return bl_model_set_class_value(m, cls, name, type, data, size);
        }
        return false;
    }
    if (n == 4 && bl_fold_eq(parts[0], "Enum")) {
        char id[2048];
        snprintf(id, sizeof id, "%s\\%s\\%s", parts[1], parts[2], parts[3]);
        uint32_t dev = bl_model_find_device(m, id);
        if (dev == BL_NONE) {
            if (op == ROUTE_DELETE)
                return false;
            dev = bl_model_add_device(m, id);
            m->devices[dev].synthetic = true;
        }
        if (op == ROUTE_DELETE) {
            bl_model_delete_device_value(m, dev, name);
            return true;
        }
        return bl_model_set_device_value(m, dev, name, type, data, size);
    }
    return false;
}

bool bl_model_apply_value(bl_model *m, const char *path, const char *value_name, uint32_t type,
                          const uint8_t *data, size_t size)
{
    return route(m, path, value_name, ROUTE_SET, type, data, size);
}

bool bl_model_apply_delete(bl_model *m, const char *path, const char *value_name)
{
    return route(m, path, value_name, ROUTE_DELETE, 0, NULL, 0);
}

void bl_model_set_dword(bl_model *m, const char *path, const char *value_name, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    bl_model_apply_value(m, path, value_name, BL_REG_DWORD, b, 4);
}

void bl_model_set_sz(bl_model *m, const char *path, const char *value_name, const char *s)
{
    bl_sb w = {0};
    bl_utf8_to_utf16le(s, strlen(s) + 1, &w);
    bl_model_apply_value(m, path, value_name, BL_REG_SZ, (const uint8_t *)w.buf, w.len);
    bl_sb_free(&w);
}

void bl_model_set_multi(bl_model *m, const char *path, const char *value_name,
                        const char *const *items, uint32_t n)
{
    bl_sb w = {0};
    for (uint32_t i = 0; i < n; i++)
        bl_utf8_to_utf16le(items[i], strlen(items[i]) + 1, &w);
    bl_sb_addn(&w, "\0\0", 2);
    bl_model_apply_value(m, path, value_name, BL_REG_MULTI_SZ, (const uint8_t *)w.buf, w.len);
    bl_sb_free(&w);
}

static bool has_any_service(const bl_model *m, const char *const *names, size_t n, const char **which)
{
    for (size_t i = 0; i < n; i++)
        if (bl_model_find_service(m, names[i]) != BL_NONE) {
            *which = names[i];
            return true;
        }
    return false;
}

/* The SYSTEM hive records no version number (that lives in SOFTWARE), so
 * the family is told by what each Windows introduced or dropped:
 *   8 and later: HardwareConfig at the root, or the Core / Early-Launch
 *                groups winload orders itself;
 *   10 and later: services Windows 10 introduced (UsoSvc, DoSvc,
 *                WaaSMedicSvc);
 *   Vista and 7: volmgr and CNG (Vista replaced ftdisk with volmgr and
 *                added the CNG kernel provider);
 *   2000/XP/2003: ftdisk without volmgr or CNG.
 * doc/boot-model.md lists the markers and what each family changes. */
void bl_model_detect_loader(bl_model *m)
{
    if (!m->windows_set) {
        static const char *const win8_groups[] = {"Early-Launch", "Core", "Core Platform Extensions",
                                                  "Core Security Extensions"};
        static const char *const win10[] = {"UsoSvc", "DoSvc", "WaaSMedicSvc"};
        static const char *const nt6[] = {"volmgr", "CNG"};
        const char *which = NULL;
        bool win8 = m->has_hardware_config;
        if (win8)
            which = "HardwareConfig";
        for (uint32_t i = 0; i < m->nservices && !win8; i++)
            for (size_t g = 0; g < BL_ARRAY_LEN(win8_groups) && !win8; g++)
                if (m->services[i].group && bl_fold_eq(bl_model_str(m, m->services[i].group), win8_groups[g])) {
                    win8 = true;
                    which = win8_groups[g];
                }
        const char *svc = NULL;
        if (win8 && has_any_service(m, win10, BL_ARRAY_LEN(win10), &svc)) {
            m->windows = BL_WIN_10;
            snprintf(m->windows_why, sizeof m->windows_why, "%s%s, and the service %s (Windows 10 and later)",
                     bl_fold_eq(which, "HardwareConfig") ? "" : "the group ", which, svc);
        } else if (win8) {
            m->windows = BL_WIN_8;
            snprintf(m->windows_why, sizeof m->windows_why, "%s%s (Windows 8 and later), no Windows 10 service",
                     bl_fold_eq(which, "HardwareConfig") ? "" : "the group ", which);
        } else if (has_any_service(m, nt6, BL_ARRAY_LEN(nt6), &svc)) {
            m->windows = BL_WIN_NT6;
            snprintf(m->windows_why, sizeof m->windows_why,
                     "the service %s (Vista and later), no HardwareConfig or Windows 8 group", svc);
        } else if (bl_model_find_service(m, "ftdisk") != BL_NONE) {
            m->windows = BL_WIN_NT5;
            snprintf(m->windows_why, sizeof m->windows_why,
                     "the service ftdisk without volmgr or CNG (Windows 2000/XP/2003)");
        } else {
            m->windows = BL_WIN_UNKNOWN;
            snprintf(m->windows_why, sizeof m->windows_why,
                     "no marker of any family: the rules of Vista and later are assumed");
        }
    }
    m->modern_loader = m->windows >= BL_WIN_8;
}

void bl_model_set_windows(bl_model *m, uint8_t family)
{
    m->windows = family;
    m->windows_set = true;
    snprintf(m->windows_why, sizeof m->windows_why, "given by the user");
    m->modern_loader = family >= BL_WIN_8;
}

const char *bl_windows_name(uint8_t family)
{
    switch (family) {
    case BL_WIN_NT5: return "Windows 2000/XP/2003";
    case BL_WIN_NT6: return "Windows Vista/7";
    case BL_WIN_8: return "Windows 8/8.1";
    case BL_WIN_10: return "Windows 10/11";
    default: return "unknown Windows";
    }
}

bool bl_windows_parse(const char *s, uint8_t *family)
{
    static const struct {
        const char *name;
        uint8_t family;
    } names[] = {
        {"2000", BL_WIN_NT5}, {"xp", BL_WIN_NT5},   {"2003", BL_WIN_NT5}, {"nt5", BL_WIN_NT5},
        {"vista", BL_WIN_NT6}, {"7", BL_WIN_NT6},   {"2008", BL_WIN_NT6}, {"nt6", BL_WIN_NT6},
        {"8", BL_WIN_8},       {"8.1", BL_WIN_8},   {"2012", BL_WIN_8},   {"10", BL_WIN_10},
        {"11", BL_WIN_10},     {"2016", BL_WIN_10}, {"2019", BL_WIN_10},  {"2022", BL_WIN_10},
    };
    for (size_t i = 0; i < BL_ARRAY_LEN(names); i++)
        if (bl_fold_eq(s, names[i].name)) {
            *family = names[i].family;
            return true;
        }
    return false;
}

/* ---- paths for evidence ---- */

void bl_model_reg_path(const bl_model *m, bl_sb *sb, const char *rel)
{
    bl_sb_add(sb, "HKLM\\SYSTEM\\");
    const char *cs = bl_model_str(m, m->control_set_name);
    bl_sb_add(sb, *cs ? cs : "CurrentControlSet");
    if (rel && *rel) {
        bl_sb_addc(sb, '\\');
        bl_sb_add(sb, rel);
    }
}

void bl_model_service_path(const bl_model *m, bl_sb *sb, uint32_t svc)
{
    bl_model_reg_path(m, sb, "Services\\");
    bl_sb_add(sb, bl_model_str(m, m->services[svc].name));
}

void bl_model_class_path(const bl_model *m, bl_sb *sb, uint32_t cls)
{
    bl_model_reg_path(m, sb, "Control\\Class\\");
    bl_sb_add(sb, bl_model_str(m, m->classes[cls].guid));
}

void bl_model_device_path(const bl_model *m, bl_sb *sb, uint32_t dev)
{
    bl_model_reg_path(m, sb, "Enum\\");
    bl_sb_add(sb, bl_model_str(m, m->devices[dev].instance_id));
}

const char *bl_model_service_name(const bl_model *m, uint32_t svc)
{
    if (svc == BL_NONE || svc >= m->nservices)
        return "";
    return bl_model_str(m, m->services[svc].name);
}

const char *bl_model_device_class_name(const bl_model *m, const bl_device *d)
{
    if (!d->class_guid)
        return "";
    uint32_t c = bl_model_find_class_id(m, d->class_guid);
    if (c != BL_NONE && m->classes[c].name)
        return bl_model_str(m, m->classes[c].name);
    return bl_model_str(m, d->class_guid);
}

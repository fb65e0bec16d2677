/* load.c — building the model of one control set from an opened SYSTEM
 * hive.  Reads only the keys the boot model needs (Select, Services and
 * their minifilter Instances, ServiceGroupOrder, GroupOrderList, Class
 * filters, Enum instances) and hands every value to the model setters.
 * Unreadable subtrees are skipped (the hive layer records why). */
#include "bootlens/hive.h"
#include "bootlens/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Root subkeys that identify the other hives, for a clear refusal. */
static const char *guess_hive_kind(bl_key *root)
{
    static const struct {
        const char *key, *kind;
    } marks[] = {
        {"Microsoft", "a SOFTWARE hive"}, {"Classes", "a SOFTWARE hive"},
        {"Control Panel", "an NTUSER.DAT hive"}, {"Environment", "an NTUSER.DAT hive"},
        {"SAM", "a SAM hive"}, {"Policy", "a SECURITY hive"}, {"Policies", "a SECURITY hive"},
        {"Objects", "a BCD store"}, {"Root", "an Amcache hive"}, {"Local Settings", "a UsrClass.dat hive"},
    };
    uint32_t n = bl_key_subkey_count(root);
    for (size_t k = 0; k < BL_ARRAY_LEN(marks); k++)
        for (uint32_t i = 0; i < n && i < 64; i++) {
            bl_key *sub = bl_key_subkey(root, i);
            if (!sub)
                continue;
            bool hit = bl_fold_eq(bl_key_name(sub), marks[k].key);
            bl_key_close(sub);
            if (hit)
                return marks[k].kind;
        }
    return NULL;
}

static bool read_dword(bl_key *k, const char *name, uint32_t *out)
{
    bl_value v;
    return bl_key_value_by_name(k, name, &v) && bl_value_dword(&v, out, NULL);
}

/* Chooses ControlSetNNN.  Returns 0 and the number, or -1 with err. */
static int choose_control_set(bl_model *m, bl_hive *h, bl_key *root, const char *which,
                              uint32_t *out, bl_error *err)
{
    const char *path = bl_hive_get_info(h)->path;
    bl_key *sel = bl_key_open(h, root, "Select");
    if (sel) {
        m->has_select = true;
        read_dword(sel, "Current", &m->select_current);
        read_dword(sel, "Default", &m->select_default);
        read_dword(sel, "LastKnownGood", &m->select_lkg);
        read_dword(sel, "Failed", &m->select_failed);
        bl_key_close(sel);
    }
    return bl_model_select_control_set(m, which, path, out, err);
}

int bl_model_select_control_set(bl_model *m, const char *which, const char *source, uint32_t *out, bl_error *err)
{
    if (!which || !*which)
        which = "current";
    uint32_t n = 0;
    const char *label = which;
    if (bl_fold_eq(which, "current")) {
        n = m->select_current;
        label = "Select\\Current";
    } else if (bl_fold_eq(which, "default")) {
        n = m->select_default;
        label = "Select\\Default";
    } else if (bl_fold_eq(which, "lastknowngood") || bl_fold_eq(which, "lkg")) {
        n = m->select_lkg;
        label = "Select\\LastKnownGood";
    } else if (bl_fold_eq(which, "failed")) {
        n = m->select_failed;
        label = "Select\\Failed";
    } else {
        char *end;
        unsigned long v = strtoul(which, &end, 10);
        if (*end || v == 0 || v > 999) {
            bl_error_set(err, "--control-set %s: expected current, lastknowngood, default, failed or a number 1-999",
                         which);
            return -1;
        }
        n = (uint32_t)v;
        label = NULL;
    }
    if (label && !m->has_select) {
        /* No Select key: a hive exported by tools sometimes lacks it. */
        n = 1;
        bl_model_add_anomaly(m, "Select", "no Select key: ControlSet001 is assumed to be current");
    } else if (label && n == 0) {
        bl_error_set(err, "%s: %s is 0 or missing: no such control set", source, label);
        return -1;
    }
    *out = n;
    return 0;
}

/* Problems the hive layer has recorded so far: a count that grows while a
 * subtree is read means part of it could not be (model->damage). */
static uint32_t problems(bl_hive *h)
{
    return bl_hive_get_info(h)->nproblems;
}

static void load_values(bl_key *k, void (*fn)(void *, const bl_value *), void *ctx)
{
    uint32_t nv = bl_key_value_count(k);
    for (uint32_t i = 0; i < nv; i++) {
        bl_value v;
        if (bl_key_value(k, i, &v))
            fn(ctx, &v);
    }
}

typedef struct svc_ctx {
    bl_model *m;
    uint32_t svc;
    uint8_t layout;
    const char *inst;
} svc_ctx;

static void on_service_value(void *p, const bl_value *v)
{
    svc_ctx *c = p;
    bl_model_set_service_value(c->m, c->svc, v->name, v->type, v->data, v->size);
}

static void on_instances_value(void *p, const bl_value *v)
{
    svc_ctx *c = p;
    bl_model_set_instances_value(c->m, c->svc, c->layout, v->name, v->type, v->data, v->size);
}

static void on_instance_value(void *p, const bl_value *v)
{
    svc_ctx *c = p;
    bl_model_set_instance_value(c->m, c->svc, c->layout, c->inst, v->name, v->type, v->data,
                                v->size);
}

static void load_instances(bl_model *m, bl_hive *h, bl_key *svc_key, uint32_t svc,
                           const char *path, uint8_t layout)
{
    bl_key *ik = bl_key_open(h, svc_key, path);
    if (!ik)
        return;
    svc_ctx c = {m, svc, layout, NULL};
    /* Mark the layout even when the key holds no values. */
    if (m->services[svc].instances_layout != BL_INST_PARAMETERS)
        m->services[svc].instances_layout = layout;
    load_values(ik, on_instances_value, &c);
    uint32_t n = bl_key_subkey_count(ik);
    for (uint32_t i = 0; i < n; i++) {
        bl_key *inst = bl_key_subkey(ik, i);
        if (!inst)
            continue;
        c.inst = bl_key_name(inst);
        load_values(inst, on_instance_value, &c);
        bl_key_close(inst);
    }
    bl_key_close(ik);
}

static void load_services(bl_model *m, bl_hive *h, bl_key *cs)
{
    uint32_t b0 = problems(h);
    bl_key *services = bl_key_open(h, cs, "Services");
    if (!services) {
        if (problems(h) > b0)
            m->damage.services++;
        bl_model_add_anomaly(m, "Services", "no Services key: nothing to load");
        return;
    }
    uint32_t before = problems(h);
    uint32_t n = bl_key_subkey_count(services);
    if (problems(h) > before)
        m->damage.services++; /* the subkey list itself: some services may be missing */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = problems(h);
        bl_key *sk = bl_key_subkey(services, i);
        if (!sk) {
            if (problems(h) > b)
                m->damage.services++;
            continue;
        }
        svc_ctx c = {m, bl_model_add_service(m, bl_key_name(sk)), 0, NULL};
        m->services[c.svc].last_written = bl_key_last_written(sk);
        load_values(sk, on_service_value, &c);
        if (m->has_hardware_config) {
            bl_key *ov = bl_key_open(h, sk, "StartOverride");
            if (ov) {
                uint32_t nv = bl_key_value_count(ov);
                for (uint32_t k = 0; k < nv; k++) {
                    bl_value v;
                    if (bl_key_value(ov, k, &v))
                        bl_model_set_start_override(m, c.svc, v.name, v.type, v.data, v.size);
                }
                bl_key_close(ov);
            }
        }
        load_instances(m, h, sk, c.svc, "Instances", BL_INST_SERVICE_KEY);
        load_instances(m, h, sk, c.svc, "Parameters\\Instances", BL_INST_PARAMETERS);
        if (problems(h) > b)
            m->services[c.svc].damaged = true;
        bl_key_close(sk);
    }
    bl_key_close(services);
}

static void on_group_tags_value(void *p, const bl_value *v)
{
    bl_model_set_group_tags(p, v->name, v->type, v->data, v->size);
}

typedef struct idx_ctx {
    bl_model *m;
    uint32_t idx;
} idx_ctx;

static void on_class_value(void *p, const bl_value *v)
{
    idx_ctx *c = p;
    bl_model_set_class_value(c->m, c->idx, v->name, v->type, v->data, v->size);
}

static void on_device_value(void *p, const bl_value *v)
{
    idx_ctx *c = p;
    bl_model_set_device_value(c->m, c->idx, v->name, v->type, v->data, v->size);
}

static void load_control(bl_model *m, bl_hive *h, bl_key *cs)
{
    uint32_t b0 = problems(h);
    bl_key *control = bl_key_open(h, cs, "Control");
    if (!control) {
        if (problems(h) > b0) {
            m->damage.control = true;
            m->damage.classes++;
        }
        bl_model_add_anomaly(m, "Control", "no Control key: group order and classes unknown");
        return;
    }
    uint32_t before = problems(h);
    bl_value v;
    if (bl_key_value_by_name(control, "BootDriverFlags", &v))
        bl_model_set_control_value(m, v.name, v.type, v.data, v.size);

    bl_key *sgo = bl_key_open(h, control, "ServiceGroupOrder");
    if (sgo) {
        if (bl_key_value_by_name(sgo, "List", &v))
            bl_model_set_group_order(m, v.type, v.data, v.size);
        bl_key_close(sgo);
    }
    if (!m->has_group_order)
        bl_model_add_anomaly(m, "Control\\ServiceGroupOrder",
                             "no ServiceGroupOrder\\List: every group loads after ungrouped order");

    bl_key *gol = bl_key_open(h, control, "GroupOrderList");
    if (gol) {
        load_values(gol, on_group_tags_value, m);
        bl_key_close(gol);
    }

    if (problems(h) > before)
        m->damage.control = true;
    before = problems(h);
    bl_key *classes = bl_key_open(h, control, "Class");
    if (classes) {
        uint32_t n = bl_key_subkey_count(classes);
        if (problems(h) > before)
            m->damage.classes++;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t b = problems(h);
            bl_key *ck = bl_key_subkey(classes, i);
            if (!ck) {
                if (problems(h) > b)
                    m->damage.classes++;
                continue;
            }
            idx_ctx c = {m, bl_model_add_class(m, bl_key_name(ck))};
            m->classes[c.idx].last_written = bl_key_last_written(ck);
            load_values(ck, on_class_value, &c);
            if (problems(h) > b)
                m->damage.classes++;
            bl_key_close(ck);
        }
        bl_key_close(classes);
    } else if (problems(h) > before) {
        m->damage.classes++;
    }
    bl_key_close(control);
}

/* Opens subkey i of k; counts it as damage when it cannot be read. */
static bl_key *enum_subkey(bl_model *m, bl_hive *h, bl_key *k, uint32_t i)
{
    uint32_t b = problems(h);
    bl_key *sub = bl_key_subkey(k, i);
    if (!sub && problems(h) > b)
        m->damage.devices++;
    return sub;
}

static uint32_t enum_subkey_count(bl_model *m, bl_hive *h, bl_key *k)
{
    uint32_t b = problems(h);
    uint32_t n = bl_key_subkey_count(k);
    if (problems(h) > b)
        m->damage.devices++;
    return n;
}

static void load_enum(bl_model *m, bl_hive *h, bl_key *cs)
{
    uint32_t before = problems(h);
    bl_key *en = bl_key_open(h, cs, "Enum");
    if (!en) {
        if (problems(h) > before)
            m->damage.devices++;
        return;
    }
    bl_sb id = {0};
    uint32_t nenum = enum_subkey_count(m, h, en);
    for (uint32_t a = 0; a < nenum; a++) {
        bl_key *ek = enum_subkey(m, h, en, a);
        if (!ek)
            continue;
        uint32_t ndev = enum_subkey_count(m, h, ek);
        for (uint32_t b = 0; b < ndev; b++) {
            bl_key *dk = enum_subkey(m, h, ek, b);
            if (!dk)
                continue;
            uint32_t ninst = enum_subkey_count(m, h, dk);
            for (uint32_t c = 0; c < ninst; c++) {
                bl_key *ik = enum_subkey(m, h, dk, c);
                if (!ik)
                    continue;
                bl_sb_reset(&id);
                bl_sb_add(&id, bl_key_name(ek));
                bl_sb_addc(&id, '\\');
                bl_sb_add(&id, bl_key_name(dk));
                bl_sb_addc(&id, '\\');
                bl_sb_add(&id, bl_key_name(ik));
                uint32_t pb = problems(h);
                idx_ctx ctx = {m, bl_model_add_device(m, bl_sb_str(&id))};
                m->devices[ctx.idx].last_written = bl_key_last_written(ik);
                load_values(ik, on_device_value, &ctx);
                if (problems(h) > pb)
                    m->damage.devices++;
                bl_key_close(ik);
            }
            bl_key_close(dk);
        }
        bl_key_close(ek);
    }
    bl_sb_free(&id);
    bl_key_close(en);
}

int bl_model_load(bl_model *m, bl_hive *h, const bl_load_options *opt, bl_error *err)
{
    const char *path = bl_hive_get_info(h)->path;
    bl_key *root = bl_hive_root(h);
    if (!root) {
        bl_error_set(err, "%s: the root key cannot be read: nothing to analyze", path);
        return -1;
    }
    /* A SYSTEM hive has Select and ControlSetNNN keys. */
    bl_key *probe = bl_key_open(h, root, "Select");
    bool has_select = probe != NULL;
    bl_key_close(probe);
    probe = bl_key_open(h, root, "ControlSet001");
    bool has_cs1 = probe != NULL;
    bl_key_close(probe);
    if (!has_select && !has_cs1) {
        const char *kind = guess_hive_kind(root);
        if (kind)
            bl_error_set(err, "%s: this is %s, not a SYSTEM hive (no Select or ControlSet001 key)",
                         path, kind);
        else
            bl_error_set(err, "%s: not a SYSTEM hive (no Select or ControlSet001 key at the root)",
                         path);
        bl_key_close(root);
        return -1;
    }
    uint32_t n;
    if (choose_control_set(m, h, root, opt ? opt->control_set : NULL, &n, err) != 0) {
        bl_key_close(root);
        return -1;
    }
    char csname[32];
    snprintf(csname, sizeof csname, "ControlSet%03u", n);
    bl_key *cs = bl_key_open(h, root, csname);
    if (!cs) {
        const char *why = bl_hive_problem_for(h, csname);
        if (why)
            bl_error_set(err, "%s: nothing useful left: %s cannot be read (%s)", path, csname, why);
        else
            bl_error_set(err, "%s: %s does not exist in this hive", path, csname);
        bl_key_close(root);
        return -1;
    }
    m->control_set = n;
    m->control_set_name = bl_pool_str(m->pool, csname);
    bl_key *hc = bl_key_open(h, root, "HardwareConfig");
    if (hc) {
        m->has_hardware_config = true;
        read_dword(hc, "LastId", &m->hardware_config_id);
        bl_key_close(hc);
    }
    load_services(m, h, cs);
    load_control(m, h, cs);
    load_enum(m, h, cs);
    bl_model_build_tree(m);
    bl_model_detect_loader(m);
    bl_key_close(cs);
    bl_key_close(root);
    /* A damaged hive is analyzed as far as it can be read; with no service
     * at all there is no boot configuration to speak of. */
    if (m->nservices == 0) {
        char sp[64];
        snprintf(sp, sizeof sp, "%s\\Services", csname);
        const char *why = bl_hive_problem_for(h, sp);
        /* Damage to the hive as a whole (its bins cut short) is the cause
         * when Services itself is fine but what it lists is gone. */
        const char *whole = why ? NULL : bl_hive_problem_for(h, "");
        if (whole)
            bl_error_set(err,
                         "%s: nothing useful left: %s\\Services holds no service that could be read (%s)",
                         path, csname, whole);
        else
            bl_error_set(err, "%s: nothing useful left: %s\\Services %s", path, csname,
                         why ? why : "holds no service");
        return -1;
    }
    return 0;
}

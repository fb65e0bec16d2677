/* tree.c — rebuilding the device tree from what the hive keeps.
 *
 * The hive does not store parent links.  It stores, on a bus device,
 * ParentIdPrefix: the instance ids of the children it enumerates begin with
 * that prefix followed by '&' (PCI\...\3&267a616a&2&30 is a child of the
 * device whose ParentIdPrefix is 3&267a616a&2).  That link is exact.  Root-
 * enumerated devices (ROOT\...) are children of HTREE\ROOT\0: exact too.
 * For a few enumerators whose parent is well known (ACPI devices under the
 * ACPI root, volumes under volmgr) we guess and say so (BL_PARENT_ENUMERATOR).
 * Devices with unique instance ids (USB serial numbers...) keep no parent. */
#include "bootlens/model.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEVICE_ID_LEN 200

static uint32_t find_device_folded(const bl_model *m, const char *id)
{
    return bl_model_find_device(m, id);
}

/* The enumerator of an instance id ("PCI" of "PCI\VEN...\3&..."), folded
 * comparison helper. */
static bool enumerator_is(const char *instance_id, const char *enumerator)
{
    size_t n = strlen(enumerator);
    return bl_fold_has_prefix(instance_id, enumerator) && instance_id[n] == '\\';
}

static const char *instance_part(const char *instance_id)
{
    const char *last = strrchr(instance_id, '\\');
    return last ? last + 1 : instance_id;
}

void bl_model_build_tree(bl_model *m)
{
    /* Index ParentIdPrefix -> device. */
    bl_map prefixes = {0};
    for (uint32_t i = 0; i < m->ndevices; i++) {
        bl_device *d = &m->devices[i];
        d->parent = BL_NONE;
        d->parent_how = BL_PARENT_NONE;
        if (d->parent_id_prefix)
            bl_map_put(&prefixes, bl_pool_fold(m->pool, d->parent_id_prefix), i + 1);
    }
    uint32_t root = find_device_folded(m, "HTREE\\ROOT\\0");
    uint32_t acpi_root = find_device_folded(m, "ACPI_HAL\\PNP0C08\\0");
    uint32_t volmgr = find_device_folded(m, "ROOT\\volmgr\\0000");

    bl_sb probe = {0};
    for (uint32_t i = 0; i < m->ndevices; i++) {
        bl_device *d = &m->devices[i];
        const char *id = bl_model_str(m, d->instance_id);
        if (i == root)
            continue;
        if (enumerator_is(id, "ROOT") || enumerator_is(id, "HTREE")) {
            d->parent = root;
            d->parent_how = BL_PARENT_ROOT;
            continue;
        }
        /* Longest '&'-delimited prefix of the instance part that some bus
         * device announced as its ParentIdPrefix.  Windows' device instance
         * ids are at most 200 characters (MAX_DEVICE_ID_LEN): a longer one
         * is no PnP id, and searching its prefixes would cost its length
         * squared. */
        const char *inst = instance_part(id);
        size_t len = strlen(inst);
        if (len > MAX_DEVICE_ID_LEN)
            len = 0;
        bool found = false;
        for (size_t cut = len; cut > 0 && !found; cut--) {
            if (inst[cut] != '&' && inst[cut] != '\0')
                continue;
            if (cut == len)
                continue; /* the prefix must be followed by '&' */
            bl_sb_reset(&probe);
            bl_sb_addn(&probe, inst, cut);
            bl_str f = bl_pool_find_folded(m->pool, bl_sb_str(&probe));
            uint32_t v;
            if (f && bl_map_get(&prefixes, f, &v) && v - 1 != i) {
                d->parent = v - 1;
                d->parent_how = BL_PARENT_PREFIX;
                found = true;
            }
        }
        if (found)
            continue;
        if (enumerator_is(id, "ACPI") && acpi_root != BL_NONE) {
            d->parent = acpi_root;
            d->parent_how = BL_PARENT_ENUMERATOR;
        } else if (enumerator_is(id, "ACPI_HAL") && root != BL_NONE) {
            d->parent = root;
            d->parent_how = BL_PARENT_ENUMERATOR;
        } else if (enumerator_is(id, "STORAGE") && bl_fold_has_prefix(id, "STORAGE\\Volume\\") &&
                   volmgr != BL_NONE) {
            d->parent = volmgr;
            d->parent_how = BL_PARENT_ENUMERATOR;
        }
    }
    bl_sb_free(&probe);
    bl_map_free(&prefixes);

    /* A hostile hive can make prefixes form a cycle; cut it so every walk
     * up the tree terminates.  Each device is walked once: a walk stops at a
     * device already known to reach the root (state 2), and a device met
     * again on the current walk (state 1) closes a cycle. */
    uint8_t *state = bl_xcalloc(m->ndevices ? m->ndevices : 1, 1);
    for (uint32_t i = 0; i < m->ndevices; i++) {
        uint32_t d = i;
        while (d != BL_NONE && state[d] == 0) {
            state[d] = 1;
            uint32_t up = m->devices[d].parent;
            if (up != BL_NONE && state[up] == 1) {
                bl_model_add_anomaly(m, "Enum", "device tree loop through %s: cut there",
                                     bl_model_str(m, m->devices[d].instance_id));
                m->devices[d].parent = BL_NONE;
                m->devices[d].parent_how = BL_PARENT_NONE;
                up = BL_NONE;
            }
            d = up;
        }
        for (d = i; d != BL_NONE && state[d] == 1; d = m->devices[d].parent)
            state[d] = 2;
    }
    free(state);
}

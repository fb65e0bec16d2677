/* internal.h — functions shared between the files of the sim module only. */
#ifndef BOOTLENS_SIM_INTERNAL_H
#define BOOTLENS_SIM_INTERNAL_H

#include "bootlens/sim.h"

/* The loader's quadratic walks run step for step on runs up to this long;
 * longer (hostile) runs are sorted stably and flagged BL_APPROX_TIE_ORDER. */
#define BL_SIM_WALK_MAX 4096u

/* ServiceGroupOrder and GroupOrderList, indexed once per ordering: the
 * model's own lookups are linear and an ordering asks for every driver. */
typedef struct tag_pos tag_pos;
typedef struct bl_sim_groups {
    bl_map first;  /* folded group -> first position in ServiceGroupOrder */
    bl_map count;  /* folded group -> how many times it is listed */
    bl_map listed; /* folded group -> its GroupOrderList length + 1 */
    tag_pos *tags; /* (group, tag, position) sorted */
    uint32_t ntags;
    uint32_t ngroups; /* length of ServiceGroupOrder\List */
} bl_sim_groups;

void bl_sim_groups_init(bl_sim_groups *g, const bl_model *m);
void bl_sim_groups_free(bl_sim_groups *g);
uint32_t bl_sim_group_rank(const bl_sim_groups *g, const bl_model *m, bl_str group);
/* Position of the service's tag in its group's list, or BL_TAG_*. */
uint32_t bl_sim_tag_index(const bl_sim_groups *g, const bl_model *m, const bl_service *s);
/* PipGetDriverTagPriority: 1-based position, list length + 1 for an
 * unlisted tag, 0xFFFF without group, tag or list. */
uint32_t bl_sim_tag_priority(const bl_sim_groups *g, const bl_model *m, const bl_service *s);

/* The loader's list of cands (service indices): winload's order when
 * winload (Windows 8+ boot drivers), the NT order otherwise (order.c).
 * Writes n entries to out; ORs BL_APPROX_* into *approx. */
uint32_t bl_sim_loader_list(const bl_model *m, const bl_sim_groups *g, const uint32_t *cands, uint32_t n,
                            bool winload, uint32_t *out, uint8_t *approx);

/* One boot driver in the kernel's initialization order. */
typedef struct bl_boot_slot {
    uint32_t svc;
    uint8_t origin;    /* enum bl_list_origin */
    uint32_t bucket;   /* IopGroupTable bucket (BL_LIST_GROUP), BL_NONE otherwise */
    uint32_t priority; /* tag priority within the bucket */
    uint8_t why;       /* BL_WHY_* (filled by the timeline) */
    uint32_t tag_index; /* for the load record (filled by the timeline) */
} bl_boot_slot;

/* The kernel's initialization order of the loader list (n entries). */
uint32_t bl_sim_init_order(const bl_model *m, const bl_sim_groups *g, const uint32_t *list, uint32_t n,
                           bl_boot_slot *out);
/* Start=0, a BootFlags promotion or the boot file system; *why gets the
 * BL_WHY_* reason (may be NULL). */
bool bl_sim_is_boot_driver(const bl_model *m, uint32_t svc, uint32_t boot_flags, bl_str boot_fs, uint8_t *why);

/* Appends a load at the next position and records it for the service
 * (for_device: the device, or the dependent service for SCM dependencies). */
uint32_t bl_sim_add_load(bl_timeline *t, uint32_t svc, uint8_t phase, uint8_t why, uint32_t tag_index,
                         uint32_t for_device);
/* The SCM auto-start phase (scm.c). */
void bl_sim_scm(bl_timeline *t);

#endif

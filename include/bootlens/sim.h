/* sim.h — the simulated boot timeline of a model.
 *
 * Phases, in order (DESIGN.md "The boot model"):
 *   boot    the loader's boot drivers (Start=0, BootFlags promotions, the
 *           boot file system), ordered by ServiceGroupOrder and GroupOrderList
 *           tags; each initializes in one slot; a device starts as soon as
 *           every driver of its stack is initialized and its parent started.
 *   pnp     devices that could not start in the boot phase; their drivers
 *           load now whatever their Start (except disabled).
 *   system  Start=1 drivers not loaded yet, by group and tag.
 *   auto    the SCM's Start=2 services and drivers, by group, honouring
 *           DependOnService/DependOnGroup; delayed auto-start last.
 * Positions are global: a load at position p happened after every load at a
 * smaller position.  Device start slots use the same scale (0 = before any
 * driver).  Every tie-break is documented in doc/boot-model.md. */
#ifndef BOOTLENS_SIM_H
#define BOOTLENS_SIM_H

#include "bootlens/model.h"

enum bl_phase {
    BL_PHASE_BOOT = 0,
    BL_PHASE_PNP,
    BL_PHASE_SYSTEM,
    BL_PHASE_AUTO,
    BL_PHASE_DELAYED, /* delayed auto-start */
    BL_PHASE_DEMAND,  /* not loaded during boot (demand start, nothing pulled it in) */
    BL_PHASE_NEVER,   /* disabled, or cannot load (missing dependency, cycle...) */
};

/* Why a service is loaded where it is (bit set). */
enum {
    BL_WHY_START = 0x1,        /* its Start value */
    BL_WHY_BOOTFLAGS = 0x2,    /* promoted to boot start by BootFlags & the boot scenario */
    BL_WHY_BOOT_FS = 0x4,      /* the boot file system, added by the loader */
    BL_WHY_DEVICE = 0x8,       /* loaded by PnP for a device (for_device) */
    BL_WHY_DEPENDENCY = 0x10,  /* started by the SCM as a dependency of another service */
};

/* Where a driver's tag placed it within its group. */
enum {
    BL_TAG_NONE = UINT32_MAX,          /* no Tag value: last in the group */
    BL_TAG_UNLISTED = UINT32_MAX - 1,  /* Tag not in GroupOrderList: after the listed ones */
};

/* Why a service did not start (NEVER phase) or a device did not start. */
enum bl_block {
    BL_BLOCK_NONE = 0,
    BL_BLOCK_DISABLED,          /* Start=4 */
    BL_BLOCK_MISSING_SERVICE,   /* a stack driver has no service key */
    BL_BLOCK_NO_START,          /* Start value missing or invalid */
    BL_BLOCK_PARENT,            /* the parent device never starts */
    BL_BLOCK_DEVICE_DISABLED,   /* ConfigFlags CONFIGFLAG_DISABLED */
    BL_BLOCK_DEPENDENCY,        /* SCM: a dependency is missing, disabled or failed */
    BL_BLOCK_CYCLE,             /* SCM: circular dependency */
    BL_BLOCK_NOT_DRIVER,        /* Start 0/1 on a Win32 service: ignored by the kernel */
};

typedef struct bl_load {
    uint32_t service;    /* model index */
    uint8_t phase;       /* enum bl_phase */
    uint8_t why;         /* BL_WHY_* */
    uint32_t position;   /* 1-based global position */
    uint32_t group_rank; /* index in ServiceGroupOrder, BL_NONE if not listed or no group */
    uint32_t tag_index;  /* index in the group's GroupOrderList, or BL_TAG_* */
    uint32_t for_device; /* BL_WHY_DEVICE: the device; BL_WHY_DEPENDENCY: the dependent service */
} bl_load;

/* Stack roles, bottom to top in the order the PnP manager loads them. */
enum bl_role {
    BL_ROLE_LOWER_DEVICE = 0,
    BL_ROLE_LOWER_CLASS,
    BL_ROLE_FUNCTION,
    BL_ROLE_UPPER_DEVICE,
    BL_ROLE_UPPER_CLASS,
};

typedef struct bl_stack_entry {
    bl_str name;      /* as written in the list / Service value */
    uint32_t service; /* model index, BL_NONE if no such service */
    uint8_t role;     /* enum bl_role */
} bl_stack_entry;

typedef struct bl_device_start {
    uint8_t phase;         /* BL_PHASE_BOOT, BL_PHASE_PNP or BL_PHASE_NEVER */
    uint32_t slot;         /* position after which it starts (0: before any driver) */
    uint32_t waits_for;    /* stack service whose initialization it waited for last, BL_NONE */
    uint32_t deferred_by;  /* a filter that moved the start later or out of the boot phase, BL_NONE */
    uint8_t block;         /* enum bl_block when phase == NEVER */
    uint32_t blocked_by;   /* the service (or parent device for BL_BLOCK_PARENT) responsible */
    uint32_t stack_first, stack_count; /* range in timeline->stack */
} bl_device_start;

typedef struct bl_service_state {
    uint32_t load;  /* index into loads, BL_NONE if not loaded */
    uint8_t phase;  /* enum bl_phase (DEMAND / NEVER when not loaded) */
    uint8_t block;  /* enum bl_block for NEVER */
    uint32_t blocked_by; /* service index responsible (dependency), BL_NONE */
} bl_service_state;

typedef struct bl_sim_options {
    bool has_boot_flags;  /* override Control\BootDriverFlags (the boot scenario) */
    uint32_t boot_flags;
    const char *boot_fs;  /* boot file system service, default "Ntfs" */
} bl_sim_options;

typedef struct bl_timeline {
    const bl_model *model;
    uint32_t boot_flags; /* scenario in effect */
    bl_load *loads;
    uint32_t nloads, caploads;
    uint32_t boot_count; /* positions 1..boot_count are the boot phase */
    bl_service_state *services; /* per model service */
    bl_device_start *devices;   /* per model device */
    bl_stack_entry *stack;
    uint32_t nstack, capstack;
    /* SCM dependency cycles: each is a list of service indices (pool vec). */
    bl_vec *cycles;
    uint32_t ncycles, capcycles;
} bl_timeline;

bl_timeline *bl_simulate(const bl_model *m, const bl_sim_options *opt);
void bl_timeline_free(bl_timeline *t);

/* The boot-phase order alone (loader list), for tests and `order`:
 * fills out (malloc'd) with service indices; returns the count. */
uint32_t bl_sim_loader_order(const bl_model *m, int start, uint32_t boot_flags, const char *boot_fs,
                             uint32_t **out);

/* Parses a boot scenario list ("usb,vhd" or a number) into BootFlags bits.
 * Returns false for unknown names. */
bool bl_boot_scenario_parse(const char *s, uint32_t *flags);
/* Writes the names of the bits of flags ("usb+usb3") to sb. */
void bl_boot_scenario_names(uint32_t flags, bl_sb *sb);

const char *bl_phase_name(uint8_t phase);
const char *bl_role_name(uint8_t role);
const char *bl_block_text(uint8_t block);
const char *bl_start_name(int32_t start);

/* Convenience: position of a service's load, or 0 if not loaded. */
uint32_t bl_timeline_position(const bl_timeline *t, uint32_t svc);

#endif

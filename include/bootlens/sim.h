/* sim.h — the simulated boot timeline of a model.
 *
 * Phases, in order (DESIGN.md "The boot model", doc/boot-model.md):
 *   boot    the loader's boot drivers (Start=0, BootFlags promotions, the
 *           boot file system), initialized in the kernel's order (Windows
 *           8+: the core lists first; then by group bucket and tag).  After
 *           each one the boot devices are re-enumerated: a device starts
 *           once its parent started and every driver of its stack is
 *           initialized; a boot-start filter that is not is initialized on
 *           the spot ("pulled forward") — at once on 2000/XP/2003, and on
 *           Vista and later only once every boot driver of every earlier
 *           group had its turn.  A driver whose DependOnGroup names a group
 *           whose members were tried and none loaded is skipped.
 *   pnp / system
 *           devices that could not start in the boot phase (their drivers
 *           load now whatever their Start, except disabled) and the Start=1
 *           drivers not loaded yet: PnP first on 2000/XP/2003, the Start=1
 *           list first on Vista and later.
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
    BL_WHY_PULLED = 0x20,      /* a boot filter whose DriverEntry PnP called early, ahead of its
                                  place in the list, for the device for_device */
};

/* Which list gave a boot driver its place (Windows 8+ core lists come
 * first: PipInitializeCoreDriversAndElam). */
enum bl_list_origin {
    BL_LIST_GROUP = 0,       /* IopGroupTable: its group's bucket, then its tag */
    BL_LIST_CORE,            /* winload's Core Driver Services */
    BL_LIST_ELAM,            /* the Early-Launch group */
    BL_LIST_CORE_EXTENSION,  /* Core Platform / Core Security Extensions */
    BL_LIST_TPM_CORE,        /* winload's TPM Core Driver Services */
    BL_LIST_NONE,            /* not a boot-phase load */
};

/* How PnP treats a boot-start filter that has not initialized yet. */
enum bl_pull_rule {
    BL_PULL_AT_ONCE = 0,          /* PipLoadBootFilterDriver (2000/XP/2003) */
    BL_PULL_AFTER_EARLIER_GROUPS, /* PnpLoadBootFilterDriver (Vista and later) */
};

/* Parts of the timeline that are approximations beyond the documented ones. */
enum {
    BL_APPROX_TIE_ORDER = 0x1, /* a group run too long for the loader's walk: ties sorted stably */
    BL_APPROX_STACKS = 0x2,    /* filter lists too long to simulate whole: the rest ignored */
};

/* Where a driver's tag placed it within its group (beyond any list index;
 * macros because C enums must fit in an int). */
#define BL_TAG_NONE UINT32_MAX            /* no Tag value: last in the group */
#define BL_TAG_UNLISTED (UINT32_MAX - 1u) /* Tag not in GroupOrderList: after the listed ones */

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
    BL_BLOCK_PARENT_RAW,        /* the parent has no function driver to enumerate it */
    BL_BLOCK_GROUP_DEPENDENCY,  /* kernel: a DependOnGroup group was tried and none of it loaded */
    BL_BLOCK_GROUP_ORDER,       /* SCM: depends on its own or a later group, not started yet */
};

typedef struct bl_load {
    uint32_t service;    /* model index */
    uint8_t phase;       /* enum bl_phase */
    uint8_t why;         /* BL_WHY_* */
    uint8_t origin;      /* enum bl_list_origin (boot phase), BL_LIST_NONE otherwise */
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
    uint32_t ready_slot;   /* boot phase: the slot it would have started at but for deferred_by */
    uint32_t pulled;       /* a boot filter pulled forward for this device (the first), BL_NONE */
    uint8_t block;         /* enum bl_block when phase == NEVER */
    uint32_t blocked_by;   /* the service (or parent device for BL_BLOCK_PARENT*) responsible */
    uint32_t stack_first, stack_count; /* range in timeline->stack */
} bl_device_start;

typedef struct bl_service_state {
    uint32_t load;  /* index into loads, BL_NONE if not loaded */
    uint8_t phase;  /* enum bl_phase (DEMAND / NEVER when not loaded) */
    uint8_t block;  /* enum bl_block for NEVER */
    uint32_t blocked_by; /* service index responsible (dependency), BL_NONE */
    /* Boot and system drivers the kernel skipped (PipCheckDependencies):
     * the DependOnGroup group whose members were tried and none loaded.
     * A skipped driver may still load later for a device (PnP). */
    bl_str skipped_for_group;
    uint32_t turn;  /* boot phase: its place in the initialization order (1-based), 0 if none */
} bl_service_state;

typedef struct bl_sim_options {
    bool has_boot_flags;  /* override Control\BootDriverFlags (the boot scenario) */
    uint32_t boot_flags;
    const char *boot_fs;  /* boot file system service, default "Ntfs" */
} bl_sim_options;

typedef struct bl_timeline {
    const bl_model *model;
    uint32_t boot_flags; /* scenario in effect */
    uint8_t windows;     /* the model's Windows family the rules below follow */
    uint8_t pull_rule;   /* enum bl_pull_rule */
    bool pnp_before_system; /* PnP pass before the Start=1 list (2000/XP/2003) */
    uint8_t approx;      /* BL_APPROX_* */
    bl_load *loads;
    uint32_t nloads, caploads;
    uint32_t boot_count; /* positions 1..boot_count are the boot phase */
    uint32_t pnp_from;   /* the PnP pass starts after this position */
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

/* The order boot drivers (start BL_START_BOOT: the kernel's initialization
 * order) or system drivers (BL_START_SYSTEM: the loader-sorted list) would
 * initialize in, without the timeline's skips and pulls; for tests: fills
 * out (malloc'd) with service indices, returns the count. */
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
/* "Core Driver Services (winload's list)"... for explanations. */
const char *bl_list_origin_text(uint8_t origin);

/* Convenience: position of a service's load, or 0 if not loaded. */
uint32_t bl_timeline_position(const bl_timeline *t, uint32_t svc);

/* ---- file-system filter stack (sim/fltmgr.c) ----------------------------
 * The stack of file-system filters on a volume, built as the article
 * "Understanding File System Minifilter and Legacy Filter Load Order"
 * (seeds/ntdebugging-posts...) walks through it, in the order of the boot
 * timeline:
 *   - FltMgr loading creates frame 0 covering altitudes 0-49999 on top of
 *     the stack;
 *   - a legacy filter (Type 2 service in an FSFilter group or "Filter", with
 *     no Instances) attaches on top of the stack; its altitude is its group's
 *     upper bound minus 0.01 (data/altitudes.txt);
 *   - a minifilter (Instances: DefaultInstance's Altitude, else the first
 *     instance's) registers in the frame whose range holds its altitude; if
 *     none does, the top frame's upper bound is raised to each legacy filter
 *     attached above it in turn, up to the highest; if it fits then, it goes
 *     there; otherwise, if legacy filters sit above the top frame, a new
 *     frame [top frame's upper bound, the altitude] is created on top of the
 *     stack; with nothing above the top frame, that frame simply grows to the
 *     altitude (inferred: machines without legacy filters show every
 *     minifilter in frame 0).
 * Approximation: Windows builds one such stack per volume, when the volume
 * is mounted; bootlens models one volume present from the start.  Frame
 * ranges share their bounds; an altitude equal to a bound goes to the lower
 * frame.  Altitudes are compared as decimal numbers written as strings
 * ("infinite-precision string interpreted as a decimal number"), never as
 * doubles: "135000" equals "135000.0". */

/* One row of the altitude table. */
typedef struct bl_altitude_range {
    char *group;       /* load-order group as Microsoft spells it */
    char *low, *high;  /* inclusive bounds, normalized decimal strings */
    char *description;
    uint32_t line;     /* line in the table file */
} bl_altitude_range;

typedef struct bl_altitude_table {
    bl_altitude_range *v;
    uint32_t n;
} bl_altitude_table;

/* Parses an altitude table (format in data/altitudes.txt) into t.  Returns
 * 0, or -1 with "LABEL:LINE: what is wrong" in err (t is then empty). */
int bl_altitude_table_parse(bl_altitude_table *t, const char *label, const char *text, bl_error *err);
/* The built-in table (data/altitudes.txt, compiled in). */
int bl_altitude_table_builtin(bl_altitude_table *t, bl_error *err);
void bl_altitude_table_free(bl_altitude_table *t);
/* The row of a group (case-insensitive), or NULL. */
const bl_altitude_range *bl_altitude_table_find(const bl_altitude_table *t, const char *group);

/* True when s is an altitude: digits, optionally '.' and more digits. */
bool bl_altitude_valid(const char *s);
/* Compares two valid altitudes as decimal numbers: <0, 0, >0. */
int bl_altitude_cmp(const char *a, const char *b);
/* Writes s (valid) without leading zeros in its whole part and without
 * trailing zeros in its fraction ("045000.50" -> "45000.5"). */
void bl_altitude_normalize(const char *s, bl_sb *out);
/* Writes s (valid, at least 0.01) minus 0.01, normalized; returns false for
 * a smaller s. */
bool bl_altitude_minus_hundredth(const char *s, bl_sb *out);

enum bl_fs_kind { BL_FS_MINIFILTER = 0, BL_FS_LEGACY };

/* What became of a filter. */
enum bl_fs_state {
    BL_FS_PLACED = 0,    /* minifilter registered in a frame; legacy filter attached */
    BL_FS_NOT_AT_BOOT,   /* demand start: nothing loads it during boot */
    BL_FS_NOT_LOADED,    /* disabled, or the timeline never loads it */
    BL_FS_NO_FLTMGR,     /* minifilter, but FltMgr never loads */
    BL_FS_BEFORE_FLTMGR, /* minifilter loading before FltMgr: nothing to register with */
    BL_FS_NO_ALTITUDE,   /* minifilter without an instance or an Altitude value */
    BL_FS_BAD_ALTITUDE,  /* minifilter whose Altitude is not a decimal number */
};

typedef struct bl_fs_filter {
    uint32_t service;       /* model index */
    uint8_t kind;           /* enum bl_fs_kind */
    uint8_t state;          /* enum bl_fs_state */
    bl_str altitude;        /* minifilter: as written; legacy: derived from its group; 0: none */
    uint32_t instance;      /* model->instances index the altitude comes from, BL_NONE */
    uint32_t group_range;   /* row of its group in the altitude table, BL_NONE */
    uint32_t position;      /* timeline position of its load, 0 when not loaded during boot */
    uint32_t frame;         /* placed minifilter: its frame; BL_NONE otherwise */
    uint32_t layer;         /* placed: its layer (a minifilter: its frame's), BL_NONE otherwise */
    uint32_t collides_with; /* placed minifilter whose altitude an earlier one already holds:
                               that one (fltmgr refuses this instance); BL_NONE */
    bool deferred;          /* a Windows 8+ core-list minifilter that initializes before FltMgr:
                               placed when FltMgr comes up (inferred, see doc/filters.md) */
} bl_fs_filter;

typedef struct bl_fs_frame {
    bl_str low, high;     /* current range, after every extension */
    bl_str created_high;  /* the upper bound it was created with */
    uint32_t created_by;  /* filters index of the minifilter that made it; BL_NONE: frame 0 */
    uint32_t position;    /* timeline position at which it was created */
    uint32_t layer;
} bl_fs_frame;

/* A layer of the stack, bottom (the file system) first. */
typedef struct bl_fs_layer {
    bool is_frame;
    uint32_t index; /* frames index or filters index */
} bl_fs_layer;

/* One step of the walk, for explanations. */
enum bl_fs_event_kind {
    BL_FS_EV_FRAME0,    /* FltMgr loads: frame 0 */
    BL_FS_EV_ATTACH,    /* a legacy filter attaches on top */
    BL_FS_EV_REGISTER,  /* a minifilter registers in a frame */
    BL_FS_EV_NO_FIT,    /* a minifilter fits no frame as they stand (frame: the top one) */
    BL_FS_EV_EXTEND,    /* the top frame's upper bound is raised */
    BL_FS_EV_NEW_FRAME, /* a new frame on top of the stack */
    BL_FS_EV_SKIP,      /* a loaded minifilter cannot be placed (state says why) */
};

typedef struct bl_fs_event {
    uint8_t kind;      /* enum bl_fs_event_kind */
    uint32_t filter;   /* filters index; BL_NONE for FRAME0 */
    uint32_t frame;    /* frames index, BL_NONE for ATTACH and SKIP */
    uint32_t bound_by; /* EXTEND: legacy filter whose altitude is the new bound; BL_NONE when
                          the minifilter's own altitude is (nothing above the frame) */
    bl_str from, to;   /* EXTEND: old and new upper bound; other frame events: the frame's
                          range at that moment */
    uint32_t position; /* timeline position */
} bl_fs_event;

typedef struct bl_fs_stack {
    const bl_model *model;
    bl_altitude_table altitudes;
    uint32_t fltmgr;          /* FltMgr's service index, BL_NONE */
    uint32_t fltmgr_position; /* 0 when FltMgr does not load during boot */
    bl_fs_filter *filters;    /* every minifilter and legacy filter: those loaded during boot in
                                 load order, then the others in registry order */
    uint32_t nfilters, capfilters;
    bl_fs_frame *frames;
    uint32_t nframes, capframes;
    bl_fs_layer *layers;
    uint32_t nlayers, caplayers;
    uint32_t *order; /* placed filters, top of the stack first (within a frame: by altitude) */
    uint32_t norder;
    bl_fs_event *events;
    uint32_t nevents, capevents;
} bl_fs_stack;

/* Builds the filter stack of model m along timeline t (deterministic:
 * the same model gives the same stack). */
bl_fs_stack *bl_fs_simulate(const bl_model *m, const bl_timeline *t);
void bl_fs_stack_free(bl_fs_stack *s);
/* Writes one step of the walk in words ("AVMiniFilter (328000) does not fit
 * frame 0 (0-49999): ..."). */
void bl_fs_event_text(const bl_fs_stack *s, const bl_fs_event *e, bl_sb *out);
/* "placed", "not loaded at boot (demand start)", "loads before FltMgr"... */
const char *bl_fs_state_text(uint8_t state);
/* The filters index of a service, BL_NONE if it is not a file-system filter. */
uint32_t bl_fs_find(const bl_fs_stack *s, uint32_t svc);
/* ---- end of file-system filter stack ---- */

#endif

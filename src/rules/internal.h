/* internal.h — shared by the rule files: the rule context, the knowledge
 * facts, and helpers every rule needs (boot-critical devices, runtime
 * requirements of a driver). */
#ifndef BOOTLENS_RULES_INTERNAL_H
#define BOOTLENS_RULES_INTERNAL_H

#include "bootlens/hive.h"
#include "bootlens/rules.h"

typedef enum bl_relation {
    BL_REL_CALLS,
    BL_REL_NEEDS_DEVICE,
    BL_REL_INIT_NEEDS_DEVICE,
    BL_REL_INBOX,
    BL_REL_CLASS_EXTENSION, /* a WDF class extension name: WDF binds it at run time */
    BL_REL_USER_WRITABLE,   /* subject is a path prefix users can write below */
    BL_REL_PROTECTED,       /* subject is a path prefix whose ACL keeps users out */
} bl_relation;

/* Windows families a fact holds for: bit (1 << enum bl_windows); all bits
 * when the fact names none.  BL_WIN_UNKNOWN facts are those of every family. */
#define BL_FAMILIES_ALL 0xFFu

typedef struct bl_fact {
    char *subject; /* lower-cased service name, or a normalized path prefix */
    bl_relation relation;
    char *target;  /* lower-cased, NULL when the relation takes none */
    char *source;  /* "knowledge.txt:12" */
    uint8_t families; /* bit set of enum bl_windows the fact holds on */
} bl_fact;

/* Every fact, in file order. */
const bl_fact *bl_knowledge_facts(const bl_knowledge *k, uint32_t *n);
/* The facts about one subject (case-insensitive), contiguous: *first and
 * the count returned (0 when none).  O(log n). */
uint32_t bl_knowledge_about(const bl_knowledge *k, const char *subject, const bl_fact **first);
/* True when fact f holds on the family (an unknown family: what holds on
 * the newest). */
bool bl_fact_holds(const bl_fact *f, uint8_t family);
/* True when a fact `subject relation` holds on the given family. */
bool bl_knowledge_has(const bl_knowledge *k, const char *subject, bl_relation rel, uint8_t family);
bool bl_knowledge_is_inbox(const bl_knowledge *k, const char *service, uint8_t family);
/* Normalizes a Windows path for prefix matching: lower case, '/' to '\',
 * no drive letter or \??\ prefix, %SystemRoot% and \SystemRoot forms to
 * "\windows"; writes to sb. */
void bl_path_normalize(const char *path, bl_sb *sb);
/* The location fact (user-writable or protected) with the longest prefix
 * of p (normalized by bl_path_normalize), or NULL; at equal length a
 * protected location wins. */
const bl_fact *bl_knowledge_location(const bl_knowledge *k, const char *p, uint8_t family);

/* A device requirement of a driver at its initialization: "a device driven
 * by `needs` must have started", reached through `chain` (text such as
 * "vsepflt calls vsock, which needs vmci's device"). */
typedef struct requirement {
    uint32_t who;     /* the driver that has the requirement */
    uint32_t needs;   /* service index of the function driver whose device is needed */
    uint32_t via[8];  /* services called on the way (the chain's middle) */
    uint32_t nvia;
    char *chain;
    char *source;     /* knowledge.txt:NN or the DependOnService value path */
} requirement;

typedef struct rule_ctx {
    const bl_model *m;
    const bl_timeline *t;
    const bl_knowledge *k;
    const bl_hive_info *hive;
    uint8_t *critical;      /* per device: on the path to the boot disk */
    uint32_t *first_start;  /* per service: earliest boot-phase slot of a device it drives, BL_NONE */
    bool *has_devices;      /* per service: function driver of at least one device */
    uint32_t *function;     /* per device: its function driver's service index, BL_NONE */
    uint32_t *device_class; /* per device: its class index, BL_NONE */
    /* The device requirements of every boot-phase driver at its
     * initialization, indexed by the function driver they need (CSR). */
    requirement *reqs;
    uint32_t nreqs;
    uint32_t *reqs_first; /* per service s: reqs_by_needs[reqs_first[s] .. reqs_first[s+1]) */
    uint32_t *reqs_by_needs;
} rule_ctx;

void rule_ctx_init(rule_ctx *c, const bl_model *m, const bl_timeline *t, const bl_knowledge *k,
                   const bl_hive_info *hive);
void rule_ctx_free(rule_ctx *c);

/* The device requirements of service svc at its own initialization
 * (knowledge facts followed transitively through `calls`, plus its own
 * DependOnService on a driver of devices).  Returns the count; free with
 * requirements_free. */
uint32_t driver_requirements(const rule_ctx *c, uint32_t svc, requirement **out);
/* The requirements (in c->reqs) of boot-phase drivers on a device of fn. */
uint32_t requirements_on(const rule_ctx *c, uint32_t fn, const uint32_t **idx);
/* True when part of the hive the absence-based rules read could not be:
 * what seems missing may be there (DESIGN.md "Damage is not evidence"). */
static inline bool damage_hides_services(const rule_ctx *c)
{
    return c->m->damage.services != 0;
}
/* Proposes a fix (not yet verified): fix.c re-simulates it and keeps it only
 * if it clears the finding without creating a new warning or error.  Takes
 * ownership of changes. */
void propose_fix(bl_finding *f, const char *summary, bl_change *changes, uint32_t n);
void bl_fix_free(bl_fix *x);
/* A change setting key\value to `list` without the entries equal to drop
 * (case-insensitive); deleting the value when nothing is left.  The new list
 * goes into the shared pool (append-only), the model is not touched. */
void bl_change_list_without(bl_change *c, const char *key, const char *value, const bl_model *m, bl_vec list,
                            const char *drop);
/* The same without every entry that names no service (WDF class
 * extensions are kept: the framework binds them by that name). */
void bl_change_list_without_missing(bl_change *c, const char *key, const char *value, const bl_model *m,
                                    bl_vec list, const bl_knowledge *k);
void requirements_free(requirement *r, uint32_t n);

/* Slot at which the first device driven by svc starts in the boot phase;
 * for a driver without devices, its own initialization slot; BL_NONE if
 * neither happens in the boot phase. */
uint32_t service_ready_slot(const rule_ctx *c, uint32_t svc);

/* Names for messages. */
const char *svc_name(const rule_ctx *c, uint32_t svc);
const char *dev_id(const rule_ctx *c, uint32_t dev);
/* Evidence helpers: a service value, a class value, a device value. */
void ev_service(const rule_ctx *c, bl_finding *f, uint32_t svc, const char *value);
void ev_class_filters(const rule_ctx *c, bl_finding *f, uint32_t cls, bool upper);
void ev_device(const rule_ctx *c, bl_finding *f, uint32_t dev, const char *value);
/* Where a service comes from, as far as the hive and the knowledge file
 * tell (doc/rules.md "Inbox"). */
enum bl_origin {
    BL_ORIGIN_UNKNOWN = 0,
    BL_ORIGIN_INBOX_KNOWN,  /* listed `inbox` in the knowledge file for this Windows */
    BL_ORIGIN_INBOX_OWNERS, /* its Owners name an INF of Windows' own (not oemNN.inf) */
    BL_ORIGIN_THIRD_PARTY,  /* its Owners are all oemNN.inf: a published vendor INF */
};
uint8_t svc_origin(const rule_ctx *c, uint32_t svc);
bool svc_is_inbox(const rule_ctx *c, uint32_t svc);
/* True for a service whose image path is Windows' own (System32\drivers and
 * a Microsoft-style path) — used only to soften wording, never severity. */

/* One function per rule id. */
typedef void (*rule_fn)(const rule_ctx *c, bl_findings *out);
void rule_filter_delays_device(const rule_ctx *c, bl_findings *out);
void rule_boot_filter_pulled_early(const rule_ctx *c, bl_findings *out);
void rule_missing_filter_service(const rule_ctx *c, bl_findings *out);
void rule_disabled_filter(const rule_ctx *c, bl_findings *out);
void rule_nonboot_filter_on_boot_class(const rule_ctx *c, bl_findings *out);
void rule_group_not_in_service_group_order(const rule_ctx *c, bl_findings *out);
void rule_tag_not_in_group_order_list(const rule_ctx *c, bl_findings *out);
void rule_duplicate_tag(const rule_ctx *c, bl_findings *out);
void rule_boot_driver_dependency_ignored(const rule_ctx *c, bl_findings *out);
void rule_missing_dependency(const rule_ctx *c, bl_findings *out);
void rule_dependency_cycle(const rule_ctx *c, bl_findings *out);
void rule_dependency_starts_later(const rule_ctx *c, bl_findings *out);
void rule_dependency_group_skipped(const rule_ctx *c, bl_findings *out);
void rule_dirty_hive(const rule_ctx *c, bl_findings *out);
void rule_hive_damaged(const rule_ctx *c, bl_findings *out);
void rule_driver_image_user_writable(const rule_ctx *c, bl_findings *out);
void rule_device_driver_missing(const rule_ctx *c, bl_findings *out);
void rule_registry_anomaly(const rule_ctx *c, bl_findings *out);
/* ---- file-system filter stack rules (altitude.c) ---- */
void rule_altitude_inversion(const rule_ctx *c, bl_findings *out);
void rule_altitude_out_of_group_range(const rule_ctx *c, bl_findings *out);
void rule_duplicate_altitude(const rule_ctx *c, bl_findings *out);
void rule_minifilter_altitude_missing(const rule_ctx *c, bl_findings *out);
void rule_minifilter_loads_before_fltmgr(const rule_ctx *c, bl_findings *out);
/* ---- end of file-system filter stack rules ---- */

/* Fix search (fix.c): keeps the proposed fixes that re-simulation proves;
 * bl_fixes_discard drops every proposal (no search). */
void bl_fixes_discard(bl_findings *f);
void bl_fixes_search(const bl_model *m, const bl_timeline *t, const bl_rules_options *opt,
                     bl_findings *f);

#endif

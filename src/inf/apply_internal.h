/* apply_internal.h — what the files of the INF apply step share: the
 * state of one bl_inf_apply run, the registry key HKR stands for in the
 * section being processed, and the registry-write primitives (apply_reg.c)
 * the section walk (apply.c) builds on. */
#ifndef BOOTLENS_INF_APPLY_INTERNAL_H
#define BOOTLENS_INF_APPLY_INTERNAL_H

#include "bootlens/hive.h"
#include "bootlens/inf.h"

/* What HKR means in an add-registry section, by the kind of section whose
 * AddReg= named it (Microsoft's "INF AddReg Directive" table). */
typedef enum hkr_kind {
    HKR_NONE = 0, /* [DefaultInstall]: no relative root */
    HKR_SERVICE,  /* service-install section: Services\<name> */
    HKR_DEVICE,   /* DDInstall.HW: the device's hardware key, Enum\<instance> */
    HKR_SOFTWARE, /* DDInstall: the device's software key (not in the boot model) */
    HKR_CLASS,    /* ClassInstall32: Control\Class\{guid} */
} hkr_kind;

typedef struct hkr {
    hkr_kind kind;
    const char *key; /* below the control set; NULL for HKR_NONE and HKR_SOFTWARE */
} hkr;

/* A filter DDInstall.Filters' AddFilter put on a device, kept to build the
 * device's filter list from the levels (Windows' "device filter driver
 * ordering"). */
typedef struct decl_filter {
    bl_str device;  /* folded "Enum\<instance>" */
    bool upper;
    bl_str name;
    uint32_t level; /* index in the side's levels; UINT32_MAX: the default level */
} decl_filter;

/* One bl_inf_apply run. */
typedef struct apply_ctx {
    bl_model *m;
    const bl_inf *const *infs;
    uint32_t ninfs;
    const bl_inf *inf; /* the INF whose lines are being read */
    const bl_inf_target *t;
    bl_apply_result *out;
    bl_error *err;
    bool failed;       /* err is set: stop */
    bl_map written;    /* folded "key\x01value" pool ids written by this run */
    uint32_t depth;    /* Needs= nesting, bounded against cycles */
    uint32_t needs;    /* Needs= sections processed, bounded against fan-out */
    decl_filter *decl; /* AddFilter registrations of this run */
    uint32_t ndecl, capdecl;
    /* Tags taken in each group (folded group -> index + 1 into tag_used),
     * for AddService's tag assignment; any write that can move a tag or a
     * group (Tag, Group, GroupOrderList, a deleted service key) drops it. */
    bl_map tag_groups;
    bl_map *tag_used;
    uint32_t ntag_used, captag_used;
    bool assigning; /* the write being made is the tag assignment itself */
} apply_ctx;

/* Drops the tag assignment's cache (a write changed what it was built on). */
void apply_tags_forget(apply_ctx *c);

/* Records a diagnostic "NAME:LINE: ..." for line of the current INF. */
void apply_diag(apply_ctx *c, bl_apply_level level, uint32_t line, const char *fmt, ...) BL_PRINTF(4, 5);
/* Stops the run with "NAME:LINE: ..." in c->err (the first failure wins). */
void apply_fail(apply_ctx *c, uint32_t line, const char *fmt, ...) BL_PRINTF(3, 4);

/* Records write ch (taken over) with its origin, applying it to the model
 * when the boot model tracks its key; what describes it (copied). */
void apply_write(apply_ctx *c, bl_change *ch, const bl_inf_origin *origin, const char *what);
/* This run's last write of key\value when it set the value (NULL when the
 * run did not write it or deleted it): how values the boot model does not
 * keep, such as UpperFilterLevels, are known. */
const bl_inf_write *apply_last_write(const apply_ctx *c, const char *key, const char *value);
/* The strings of a multi-string value the model tracks (0 when it has
 * none or does not track it). */
bl_vec apply_model_list(const bl_model *m, const char *key, const char *value);

/* Processes add-registry (del = false) or delete-registry section s, named
 * by directive line via, with HKR standing for h. */
void apply_reg_section(apply_ctx *c, const bl_inf_section *s, const bl_inf_line *via, const hkr *h,
                       bool del);

/* String and string-list writes, their data as the hive stores it. */
void apply_multi_change(bl_change *ch, const char *key, const char *value, const char *const *items,
                        uint32_t n);
void apply_string_change(bl_change *ch, const char *key, const char *value, uint32_t type,
                         const char *s);

#endif

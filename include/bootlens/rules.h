/* rules.h — findings over a model and its simulated timeline.
 *
 * One pure function per rule id (src/rules/), each reading (model,
 * timeline, knowledge) and appending findings.  Rule ids are stable (see
 * DESIGN.md); severities mean something on real machines: an error is
 * something that breaks (a dependent driver fails, a boot device cannot
 * start), not a mere deferral.  Fixes are registry changes that the fix
 * search (rules/fix.c) applied to a copy of the model and re-simulated. */
#ifndef BOOTLENS_RULES_H
#define BOOTLENS_RULES_H

#include "bootlens/model.h"
#include "bootlens/sim.h"

typedef enum bl_severity { BL_SEV_INFO = 0, BL_SEV_WARNING, BL_SEV_ERROR } bl_severity;

/* One registry edit, with a path below the control set root
 * ("Services\\x", "Control\\Class\\{guid}"), used for fixes and INF what-ifs. */
typedef struct bl_change {
    char *key;
    char *value;        /* value name; NULL with delete_key */
    uint32_t type;
    uint8_t *data;
    size_t size;
    bool delete_value;
    bool delete_key;
} bl_change;

void bl_change_set_dword(bl_change *c, const char *key, const char *value, uint32_t v);
void bl_change_set_sz(bl_change *c, const char *key, const char *value, const char *s);
void bl_change_set_multi(bl_change *c, const char *key, const char *value, const bl_model *m,
                         bl_vec items);
void bl_change_delete_value(bl_change *c, const char *key, const char *value);
void bl_change_free(bl_change *c);
/* Applies a change to the model (the same setters the loader uses). */
void bl_change_apply(bl_model *m, const bl_change *c);
/* A .reg snippet (regedit format, HKLM\SYSTEM\CurrentControlSet paths). */
void bl_changes_to_reg(const bl_change *c, uint32_t n, bl_sb *out);

typedef struct bl_evidence {
    char *path;  /* full registry path (HKLM\SYSTEM\ControlSet001\...) */
    char *value; /* "Start = 0 (boot)", may be NULL for a key */
    uint64_t last_written; /* the key's last-write time (FILETIME), 0 when unknown */
    bool file;             /* path is a file (the hive, a log), not a registry key */
} bl_evidence;

typedef struct bl_fix {
    char *summary;      /* one line: what to change */
    bl_change *changes;
    uint32_t nchanges;
    char *verification; /* what re-simulation showed */
} bl_fix;

/* A boot driver a finding shows failing: it initializes while a device it
 * needs is held back (filter-delays-device, nonboot-filter-on-boot-class). */
typedef struct bl_breakage {
    char *driver;          /* the driver that fails */
    char *device;          /* instance id of the device it needs */
    char **via;            /* the services its call chain goes through, in order */
    uint32_t nvia;
    uint32_t driver_slot;  /* where it initializes */
    char *chain;           /* "vsepflt calls vsock, which needs vmci's device" */
    char *source;          /* knowledge.txt:NN or the DependOnService value */
} bl_breakage;

typedef struct bl_finding {
    const char *rule; /* stable rule id */
    bl_severity severity;
    char *message;    /* one line */
    char *detail;     /* optional explanation, may be multi-line */
    char **services;  /* names of the services it concerns (first = subject) */
    uint32_t nservices;
    char **devices;   /* device instance ids */
    uint32_t ndevices;
    bl_evidence *evidence;
    uint32_t nevidence;
    bl_fix *fixes;
    uint32_t nfixes;
    char *subject;    /* identity across hives (rule + subject): for baselines and diffs */
    bl_breakage *breakages;
    uint32_t nbreakages;
} bl_finding;

typedef struct bl_findings {
    bl_finding *v;
    uint32_t n, cap;
    /* The fix search: re-simulations run, and findings it had no budget
     * left to search (their fixes are not shown; the report says so). */
    uint32_t fix_resimulations;
    uint32_t fix_unsearched;
} bl_findings;

void bl_findings_free(bl_findings *f);
bl_finding *bl_finding_add(bl_findings *f, const char *rule, bl_severity sev, const char *subject,
                           const char *fmt, ...) BL_PRINTF(5, 6);
void bl_finding_service(bl_finding *f, const char *name);
void bl_finding_device(bl_finding *f, const char *instance_id);
void bl_finding_evidence(bl_finding *f, const char *path, const char *fmt, ...) BL_PRINTF(3, 4);
/* Records the key's last-write time on the evidence entries of `path`. */
void bl_finding_evidence_written(bl_finding *f, const char *path, uint64_t filetime);
/* Marks the evidence at path as a file (the hive, a transaction log), not
 * a registry key: SARIF gives it no registryKey logical location. */
void bl_finding_evidence_is_file(bl_finding *f, const char *path);
void bl_finding_detail(bl_finding *f, const char *fmt, ...) BL_PRINTF(2, 3);
/* Records a broken driver (copies every string). */
void bl_finding_breakage(bl_finding *f, const char *driver, const char *device, const char *const *via,
                         uint32_t nvia, uint32_t driver_slot, const char *chain, const char *source);
const char *bl_severity_name(bl_severity s);
/* Sorts findings: errors first, then warnings, info; stable by rule/subject. */
void bl_findings_sort(bl_findings *f);
/* Counts by severity. */
void bl_findings_count(const bl_findings *f, uint32_t counts[3]);

/* ---- runtime-dependency knowledge (data/knowledge.txt, --knowledge FILE) ---- */
typedef struct bl_knowledge bl_knowledge;
bl_knowledge *bl_knowledge_new(void);
/* Adds the built-in file, or a user file.  Returns 0, or -1 with a
 * "FILE:LINE: ..." error. */
int bl_knowledge_add_builtin(bl_knowledge *k, bl_error *err);
int bl_knowledge_add_file(bl_knowledge *k, const char *path, bl_error *err);
int bl_knowledge_add_text(bl_knowledge *k, const char *label, const char *text, bl_error *err);
void bl_knowledge_free(bl_knowledge *k);
/* The `@version V` line of the file(s) read (the last one wins), "" when
 * none: the built-in file's is what --version and the JSON envelope show. */
const char *bl_knowledge_version(const bl_knowledge *k);

struct bl_hive_info;
/* The fix search's budget: re-simulations and wall-clock milliseconds
 * (identical candidates share one re-simulation; errors are searched first). */
#define BL_FIX_BUDGET_RESIMULATIONS 48u
#define BL_FIX_BUDGET_MS 600.0

typedef struct bl_rules_options {
    const bl_knowledge *knowledge;
    const struct bl_hive_info *hive; /* for dirty-hive and damage findings; may be NULL */
    const bl_sim_options *sim; /* used to re-simulate fixes */
    bool no_fixes;             /* skip the fix search */
    const char *only_rule;     /* run one rule (tests), NULL = all */
    uint32_t fix_budget;       /* re-simulations, 0 = BL_FIX_BUDGET_RESIMULATIONS */
    double fix_budget_ms;      /* 0 = BL_FIX_BUDGET_MS */
} bl_rules_options;

/* Runs every rule, then the fix search for errors and warnings. */
void bl_rules_run(const bl_model *m, const bl_timeline *t, const bl_rules_options *opt,
                  bl_findings *out);

/* The rule catalogue, for --list-rules and docs. */
typedef struct bl_rule_info {
    const char *id;
    const char *summary;
} bl_rule_info;
const bl_rule_info *bl_rule_catalogue(uint32_t *n);

#endif

/* model.h — the boot configuration of one control set, as plain data.
 *
 * Services, load-order groups and tags, setup classes with their filters,
 * device instances and the device tree.  Strings are interned ids in a shared
 * pool (bl_str), lists are pool vectors (bl_vec), cross references are array
 * indices.  Nothing here knows about hive files: a test builds a model with
 * bl_model_new() and the setters below; the hive loader (model/load.c) and the
 * INF applier use the very same setters, so a value is interpreted the same
 * way whatever its source. */
#ifndef BOOTLENS_MODEL_H
#define BOOTLENS_MODEL_H

#include "bootlens/util.h"

#include <stdbool.h>
#include <stdint.h>

#define BL_NONE UINT32_MAX /* "no index" */

enum bl_start {
    BL_START_BOOT = 0,
    BL_START_SYSTEM = 1,
    BL_START_AUTO = 2,
    BL_START_DEMAND = 3,
    BL_START_DISABLED = 4,
    BL_START_UNKNOWN = -1,
};

/* Service Type bits. */
enum {
    BL_TYPE_KERNEL_DRIVER = 0x1,
    BL_TYPE_FS_DRIVER = 0x2,
    BL_TYPE_ADAPTER = 0x4,
    BL_TYPE_RECOGNIZER = 0x8,
    BL_TYPE_DRIVER_MASK = 0xF,
    BL_TYPE_WIN32_OWN = 0x10,
    BL_TYPE_WIN32_SHARE = 0x20,
};

/* Where a minifilter's Instances key was found. */
enum bl_instances_layout { BL_INST_NONE = 0, BL_INST_SERVICE_KEY, BL_INST_PARAMETERS };

typedef struct bl_instance {
    bl_str name;
    bl_str altitude; /* as written (REG_SZ, may be fractional or malformed) */
    uint32_t flags;
    bool has_flags;
} bl_instance;

typedef struct bl_service {
    bl_str name; /* key name as spelled in the hive */
    bl_str key;  /* folded name: identity */
    bl_str display_name;
    bool has_type;
    uint32_t type;
    int32_t start; /* effective enum bl_start (StartOverride applied); BL_START_UNKNOWN when missing */
    int32_t start_value;       /* the Start value itself */
    bool has_start_override;   /* StartOverride\<HardwareConfig LastId> (Windows 8+) */
    uint32_t start_override;
    bool has_error_control;
    uint32_t error_control;
    bl_str group; /* as spelled; 0 = none */
    bool has_tag;
    uint32_t tag;
    bl_str image_path;
    bl_vec depend_on_service; /* bl_str items */
    bl_vec depend_on_group;
    bool has_depend_on_service, has_depend_on_group;
    bl_vec owners; /* Owners (Windows 10): the INF files that installed it */
    bool has_boot_flags;
    uint32_t boot_flags;
    bool delayed_autostart;
    /* File-system minifilter registration. */
    uint8_t instances_layout; /* enum bl_instances_layout */
    bl_str default_instance;
    uint32_t inst_first, inst_count; /* range in model->instances */
    bool synthetic;                  /* added by a what-if (INF/fix), not read from the hive */
    bool damaged;                    /* some of its values or subkeys could not be read */
    uint64_t last_written;           /* the key's last-write time (FILETIME), 0 unknown */
} bl_service;

typedef struct bl_class {
    bl_str guid; /* as spelled, with braces */
    bl_str key;  /* folded guid */
    bl_str name; /* "Class" value, e.g. "System" */
    bl_vec upper, lower;
    bool has_upper, has_lower;
    uint64_t last_written; /* FILETIME, 0 unknown */
} bl_class;

/* How a device's parent was determined. */
enum bl_parent_how {
    BL_PARENT_NONE = 0,     /* no parent known: treated as a child of the root */
    BL_PARENT_ROOT,         /* root-enumerated (ROOT\..., HTREE\...): exact */
    BL_PARENT_PREFIX,       /* the parent's ParentIdPrefix matches: exact */
    BL_PARENT_ENUMERATOR,   /* guessed from the enumerator: approximate */
};

typedef struct bl_device {
    bl_str instance_id; /* "PCI\VEN_8086&DEV_100E&...\3&267a616a&2&18" as spelled */
    bl_str key;         /* folded instance id */
    bl_str class_guid;  /* folded "{...}" or 0 */
    bl_str service;     /* function driver, as spelled; 0 = none (raw device) */
    bl_vec upper, lower;
    bl_vec hardware_ids, compatible_ids;
    bool has_config_flags;
    uint32_t config_flags;
    bl_str parent_id_prefix;
    bl_str driver; /* "Driver" value: class key instance */
    bl_str description;
    uint32_t parent; /* index into devices, BL_NONE for the root level */
    uint8_t parent_how;
    bool synthetic;
    uint64_t last_written; /* FILETIME, 0 unknown */
} bl_device;

/* A tag order of one group (Control\GroupOrderList\<group>). */
typedef struct bl_group_tags {
    bl_str group; /* as spelled */
    bl_vec tags;  /* u32 tags in load order */
} bl_group_tags;

/* Something odd in the data that did not stop loading (wrong value type,
 * unparsable value...).  Rules may turn these into findings. */
typedef struct bl_anomaly {
    bl_str path;  /* registry path below the control set, e.g. "Services\\x\\Start" */
    bl_str what;
} bl_anomaly;

/* Windows families whose boot rules differ (doc/boot-model.md "Which
 * Windows"): told from the hive (bl_model_detect_loader) or set by the user. */
enum bl_windows {
    BL_WIN_UNKNOWN = 0,
    BL_WIN_NT5,  /* Windows 2000, XP, Server 2003: ntldr, PipLoadBootFilterDriver */
    BL_WIN_NT6,  /* Vista, 7, Server 2008 (R2): winload, PnpLoadBootFilterDriver */
    BL_WIN_8,    /* 8, 8.1, Server 2012 (R2): winload's core lists, ELAM, StartOverride */
    BL_WIN_10,   /* 10, 11, Server 2016 and later */
};

/* Parts of the hive that could not be read while building the model: a
 * rule that rests on something being absent must not trust these lists. */
typedef struct bl_damage {
    uint32_t services; /* unreadable Services subkeys */
    uint32_t classes;  /* unreadable Control\Class subkeys */
    uint32_t devices;  /* unreadable Enum subkeys (at any of its three levels) */
    bool control;      /* Control, ServiceGroupOrder or GroupOrderList unreadable */
} bl_damage;

typedef struct bl_model {
    bl_pool *pool;

    /* Control set. */
    uint32_t control_set; /* NNN of ControlSetNNN */
    bl_str control_set_name; /* "ControlSet001" */
    uint32_t select_current, select_default, select_lkg, select_failed;
    bool has_select;

    bl_vec group_order; /* ServiceGroupOrder\List (bl_str items) */
    bool has_group_order;
    bl_group_tags *group_tags;
    uint32_t ngroup_tags, capgroup_tags;

    bool has_boot_driver_flags;
    uint32_t boot_driver_flags;

    /* Windows 8 and later: HardwareConfig\LastId selects each service's
     * StartOverride value, and winload orders boot drivers its own way
     * (see sim/order.c).  Detected from the hive; tests may set them. */
    bool has_hardware_config;
    uint32_t hardware_config_id;
    bool modern_loader; /* winload's Windows 8+ order: windows >= BL_WIN_8 */
    uint8_t windows;    /* enum bl_windows */
    bool windows_set;   /* given by the user, not detected */
    char windows_why[160]; /* what in the hive told the family */

    bl_damage damage;

    bl_service *services;
    uint32_t nservices, capservices;
    bl_instance *instances;
    uint32_t ninstances, capinstances;
    bl_class *classes;
    uint32_t nclasses, capclasses;
    bl_device *devices;
    uint32_t ndevices, capdevices;
    bl_anomaly *anomalies;
    uint32_t nanomalies, capanomalies;

    /* Indexes by folded name.  group_rank_index: first position + 1 of each
     * group in group_order; group_tags_index: index into group_tags.  Both
     * are kept by the setters (set group_order and group_tags only through
     * them). */
    bl_map service_index, class_index, device_index;
    bl_map group_rank_index, group_tags_index;
} bl_model;

/* ---- life cycle ---- */
bl_model *bl_model_new(bl_pool *pool /* NULL: a new pool */);
bl_model *bl_model_clone(const bl_model *m); /* deep copy of arrays; shares the pool */
void bl_model_free(bl_model *m);

static inline const char *bl_model_str(const bl_model *m, bl_str s)
{
    return bl_pool_get(m->pool, s);
}
bl_str bl_model_intern(bl_model *m, const char *s);
bl_vec bl_model_strvec(bl_model *m, const char *const *items, uint32_t n);

/* ---- lookups (case-insensitive) ---- */
uint32_t bl_model_find_service(const bl_model *m, const char *name);      /* BL_NONE if absent */
uint32_t bl_model_find_service_id(const bl_model *m, bl_str name);        /* any spelling */
uint32_t bl_model_find_class(const bl_model *m, const char *guid);
uint32_t bl_model_find_class_id(const bl_model *m, bl_str guid);
uint32_t bl_model_find_device(const bl_model *m, const char *instance_id);
/* Position of a group in ServiceGroupOrder (first occurrence), BL_NONE if absent. */
uint32_t bl_model_group_rank(const bl_model *m, bl_str group);
/* The tag list of a group, or NULL. */
const bl_group_tags *bl_model_group_tags(const bl_model *m, bl_str group);

/* ---- construction / edits ----
 * Adders return the index of the existing entry when the name is already
 * there.  Setters interpret a raw registry value (type + bytes) exactly as
 * the loader does, recording anomalies for wrong types; "path" arguments
 * are for those anomaly records. */
uint32_t bl_model_add_service(bl_model *m, const char *name);
uint32_t bl_model_add_class(bl_model *m, const char *guid);
uint32_t bl_model_add_device(bl_model *m, const char *instance_id);
/* Removes a service (DelService, a fix dropping one); the indices of the
 * services after it shift down by one. */
void bl_model_remove_service(bl_model *m, uint32_t svc);

/* Value of Services\<name> (value_name case-insensitive).  Unknown names are
 * ignored.  Returns true if the value was understood. */
bool bl_model_set_service_value(bl_model *m, uint32_t svc, const char *value_name, uint32_t type,
                                const uint8_t *data, size_t size);
/* Services\<name>\StartOverride value (only the current HardwareConfig id counts). */
void bl_model_set_start_override(bl_model *m, uint32_t svc, const char *value_name, uint32_t type,
                                 const uint8_t *data, size_t size);
void bl_model_delete_service_value(bl_model *m, uint32_t svc, const char *value_name);
/* Minifilter instance: Instances\<inst> value (Altitude, Flags); creates the instance. */
void bl_model_set_instance_value(bl_model *m, uint32_t svc, uint8_t layout, const char *inst,
                                 const char *value_name, uint32_t type, const uint8_t *data,
                                 size_t size);
/* Instances key value (DefaultInstance). */
void bl_model_set_instances_value(bl_model *m, uint32_t svc, uint8_t layout, const char *value_name,
                                  uint32_t type, const uint8_t *data, size_t size);
bool bl_model_set_class_value(bl_model *m, uint32_t cls, const char *value_name, uint32_t type,
                              const uint8_t *data, size_t size);
void bl_model_delete_class_value(bl_model *m, uint32_t cls, const char *value_name);
bool bl_model_set_device_value(bl_model *m, uint32_t dev, const char *value_name, uint32_t type,
                               const uint8_t *data, size_t size);
void bl_model_delete_device_value(bl_model *m, uint32_t dev, const char *value_name);
void bl_model_set_group_order(bl_model *m, uint32_t type, const uint8_t *data, size_t size);
void bl_model_set_group_tags(bl_model *m, const char *group, uint32_t type, const uint8_t *data,
                             size_t size);
void bl_model_set_control_value(bl_model *m, const char *value_name, uint32_t type,
                                const uint8_t *data, size_t size);

/* Routes a value given by its path below the control set (e.g.
 * "Services\\vmci", "Control\\Class\\{guid}", "Enum\\ROOT\\X\\0000",
 * "Control\\GroupOrderList", "Services\\f\\Instances\\f Instance") to the
 * setters above, creating entries as needed.  Returns false for paths the
 * boot model does not track (they are harmless). */
bool bl_model_apply_value(bl_model *m, const char *path, const char *value_name, uint32_t type,
                          const uint8_t *data, size_t size);
bool bl_model_apply_delete(bl_model *m, const char *path, const char *value_name);

/* Convenience setters for tests and what-ifs. */
void bl_model_set_dword(bl_model *m, const char *path, const char *value_name, uint32_t v);
void bl_model_set_sz(bl_model *m, const char *path, const char *value_name, const char *s);
void bl_model_set_multi(bl_model *m, const char *path, const char *value_name,
                        const char *const *items, uint32_t n);

/* Tells the Windows family from hive markers (unless windows_set) and sets
 * modern_loader from it; windows_why says which marker decided. */
void bl_model_detect_loader(bl_model *m);
/* Sets the family by hand (tests, --windows); detect_loader keeps it. */
void bl_model_set_windows(bl_model *m, uint8_t family);
/* "Windows XP/2003", "Windows Vista/7", "Windows 8/8.1", "Windows 10/11", "unknown". */
const char *bl_windows_name(uint8_t family);
/* Parses "xp", "2003", "vista", "7", "8", "8.1", "10", "11" (and nt5/nt6). */
bool bl_windows_parse(const char *s, uint8_t *family);
/* True when some part of the hive the model reads could not be read. */
static inline bool bl_model_damaged(const bl_model *m)
{
    return m->damage.services || m->damage.classes || m->damage.devices || m->damage.control;
}

/* Rebuilds device parents from ParentIdPrefix and enumerators. */
void bl_model_build_tree(bl_model *m);

void bl_model_add_anomaly(bl_model *m, const char *path, const char *fmt, ...) BL_PRINTF(3, 4);

/* "HKLM\\SYSTEM\\ControlSet001\\" + rel, for evidence. */
void bl_model_reg_path(const bl_model *m, bl_sb *sb, const char *rel);
void bl_model_service_path(const bl_model *m, bl_sb *sb, uint32_t svc);
void bl_model_class_path(const bl_model *m, bl_sb *sb, uint32_t cls);
void bl_model_device_path(const bl_model *m, bl_sb *sb, uint32_t dev);

/* A Windows path in the one form location rules compare (model/image.c):
 * lower case, '\' separators, no drive letter, no \??\, \\?\,
 * \DosDevices\ or \Device\HarddiskVolumeN prefix; \SystemRoot,
 * %SystemRoot% and %windir% as "\windows", other well-known %VARIABLES% as
 * their default folders (%TEMP% as \users\*\appdata\local\temp), a
 * relative path taken below \windows as the kernel takes it. */
void bl_path_normalize(const char *path, bl_sb *sb);
/* The file a service runs, normalized as above: a driver's ImagePath is a
 * path (spaces and all), System32\drivers\NAME.sys when it has none; a
 * Win32 service's is a command line: the quoted first token, or for an
 * unquoted one the shortest space-separated prefix ending in .exe/.sys/.dll
 * (else the first token).  Arguments never count.  False when the service
 * runs nothing the hive names (no ImagePath for a Win32 service).  spelled
 * (may be NULL) gets the image as the value writes it. */
bool bl_service_image_file(const bl_model *m, uint32_t svc, bl_sb *sb, bl_sb *spelled);

/* Name of a service as spelled, "" for BL_NONE. */
const char *bl_model_service_name(const bl_model *m, uint32_t svc);
/* Class name of a device ("System", "DiskDrive"...) or its GUID, or "". */
const char *bl_model_device_class_name(const bl_model *m, const bl_device *d);
/* The devices of a class (by folded guid), via callback. */
bool bl_service_is_driver(const bl_service *s);

/* ---- loading from a hive (model/load.c) ---- */
struct bl_hive;
typedef struct bl_load_options {
    /* "current" (default), "default", "lastknowngood", "failed", or a number. */
    const char *control_set;
} bl_load_options;

/* Builds the model of the chosen control set.  Returns 0, or -1 with a
 * one-line reason (not a SYSTEM hive, no such control set...). */
int bl_model_load(bl_model *m, struct bl_hive *h, const bl_load_options *opt, bl_error *err);

/* With m's Select values read (has_select, select_*): the ControlSetNNN
 * number `which` (as in bl_load_options) names.  Without a Select key the
 * current set is 1, noted as an anomaly.  Returns 0, or -1 with err naming
 * `source` (the hive or text file). */
int bl_model_select_control_set(bl_model *m, const char *which, const char *source, uint32_t *out, bl_error *err);

/* ---- regedit-style text (model/regtext.c) -------------------------------
 * A SYSTEM control set written as text: the format of test_hives/ sources
 * and of regedit exports ("Windows Registry Editor Version 5.00" or
 * REGEDIT4; UTF-8, or UTF-16LE with a BOM as regedit writes it):
 *   [ControlSet001\Services\x]      keys below the hive root; a leading
 *                                    HKLM\SYSTEM\ or HKEY_LOCAL_MACHINE\SYSTEM\
 *                                    is dropped; CurrentControlSet means the
 *                                    current control set
 *   "Name"=dword:1  @="text"  =expand:"..."  =multi:"a","b"  =hex:01,02
 *   =hex(N):..  =qword:..  "Name"=-  (delete)   ; comments, '\' continues
 *   !include FILE (relative to the including file), other !directives ignored
 * Select, HardwareConfig\LastId and the chosen control set are read; every
 * value goes through bl_model_apply_value, as hive values go through the
 * setters. */

/* Builds the model of the control set opt names (default: Select\Current)
 * from text[0..size) labelled label; dir is the directory !include paths
 * are relative to (NULL: !include is refused).  Returns 0, or -1 with
 * "LABEL:LINE: what is wrong" in err. */
int bl_model_load_regtext(bl_model *m, const char *label, const char *text, size_t size, const char *dir,
                          const bl_load_options *opt, bl_error *err);
/* Reads path and loads it as above (!include relative to its directory). */
int bl_model_load_regtext_file(bl_model *m, const char *path, const bl_load_options *opt, bl_error *err);
/* The built-in lint baseline (data/baseline.txt, compiled in): a minimal
 * Windows 10 x64 control set.  Returns 0, or -1 with err. */
int bl_model_load_builtin_baseline(bl_model *m, bl_error *err);
/* True when data starts like regedit text (a header, a comment, a key or a
 * directive, after an optional BOM) rather than a binary hive. */
bool bl_regtext_detect(const uint8_t *data, size_t size);
/* ---- end of regedit-style text ---- */

/* Well-known setup class GUIDs (folded). */
#define BL_GUID_SYSTEM "{4d36e97d-e325-11ce-bfc1-08002be10318}"
#define BL_GUID_DISKDRIVE "{4d36e967-e325-11ce-bfc1-08002be10318}"
#define BL_GUID_HDC "{4d36e96a-e325-11ce-bfc1-08002be10318}"
#define BL_GUID_SCSIADAPTER "{4d36e97b-e325-11ce-bfc1-08002be10318}"
#define BL_GUID_VOLUME "{71a27cdd-812a-11d0-bec7-08002be2092f}"
#define BL_GUID_CDROM "{4d36e965-e325-11ce-bfc1-08002be10318}"

#endif
